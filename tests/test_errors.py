"""Bad input gets a clear error: the right exception type, a message naming the operation
and the shapes or values involved."""

import operator

import numpy as np
import pytest
from helpers import T, shape_mentioned

import tinygrad_edu as tg


@pytest.mark.parametrize("data,exc,pattern", [
    ([[1.0, 2.0], [3.0]], ValueError, "tensor: .*rectangular"),
    ("abc", TypeError, "tensor: cannot build a tensor from str"),
    (None, TypeError, "tensor: cannot build a tensor from NoneType"),
    ([1 + 2j], TypeError, "tensor: data must be numeric.*complex"),
    (np.array(["a"]), TypeError, "tensor: data must be numeric"),
    (np.array([object()]), TypeError, "tensor: data must be numeric"),
])
def test_constructor_rejects_bad_data(data, exc, pattern):
    with pytest.raises(exc, match=pattern):
        tg.tensor(data)


def test_unknown_dtype():
    with pytest.raises(TypeError, match="unknown dtype 'float99'"):
        tg.tensor([1.0], dtype="float99")
    with pytest.raises(TypeError, match="unsupported dtype complex128"):
        tg.zeros(2, dtype=np.complex128)


def test_broadcast_mismatch_names_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"add: .*\(2, ?3\).*\(4,\)"):
        tg.ones(2, 3) + tg.ones(4)
    with pytest.raises(ValueError, match=r"mul: .*\(2, ?3\).*\(4,\)"):
        tg.ones(2, 3) * np.ones(4)


def test_matmul_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: .*\(2, 3\), \(4, 5\)"):
        tg.ones(2, 3) @ tg.ones(4, 5)
    with pytest.raises(ValueError, match="matmul"):
        tg.tensor(1.0) @ tg.ones(2)


@pytest.mark.parametrize("call,name", [
    (lambda t: t.sum(2), "sum"), (lambda t: t.mean(-3), "mean"), (lambda t: t.amax(5), "amax"),
    (lambda t: t.softmax(2), "softmax"), (lambda t: t.transpose(0, 2), "transpose"),
    (lambda t: t.unsqueeze(4), "unsqueeze"), (lambda t: t.argmax(2), "argmax"),
    (lambda t: tg.cat([t, t], 2), "cat"),
])
def test_dim_out_of_range(call, name):
    with pytest.raises(IndexError, match=rf"{name}: dim -?\d+ is out of range .* 2 dim"):
        call(tg.ones(2, 3))


def test_index_out_of_bounds_names_op_and_shape():
    with pytest.raises(IndexError, match=r"getitem: .*out of bounds.*\(2, 3\)"):
        tg.ones(2, 3)[5]
    with pytest.raises(IndexError, match="getitem: index arrays must hold ints or bools"):
        tg.ones(3)[np.array([0.5])]


def test_reshape_and_expand_errors():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape array of size 6"):
        tg.ones(2, 3).reshape(4)
    with pytest.raises(TypeError, match="reshape: sizes must be ints"):
        tg.ones(2, 3).reshape(2.0, 3)
    with pytest.raises(ValueError, match="expand"):
        tg.ones(2, 3).expand(4, 3)


def test_cat_stack_where_clamp_errors():
    with pytest.raises(ValueError, match=r"cat: .*\(2, 3\), \(2, 4\)"):
        tg.cat([tg.ones(2, 3), tg.ones(2, 4)])
    with pytest.raises(ValueError, match=r"stack: all tensors must have the same shape"):
        tg.stack([tg.ones(2), tg.ones(3)])
    with pytest.raises(TypeError, match="cat: expected a non-empty list"):
        tg.cat([])
    with pytest.raises(TypeError, match="where: condition must be a bool tensor"):
        tg.where(tg.ones(2), tg.ones(2), tg.zeros(2))
    with pytest.raises(ValueError, match="clamp: at least one"):
        tg.ones(2).clamp()


def test_bad_operands():
    with pytest.raises(TypeError, match="add: unsupported operand str"):
        tg.ones(2) + "a"
    with pytest.raises(TypeError, match="mul: unsupported operand NoneType"):
        tg.ones(2) * None
    with pytest.raises(TypeError, match="mul: unsupported operand complex"):
        tg.ones(2) * 1j


def test_item_and_bool_of_many_elements():
    with pytest.raises(ValueError, match=r"item: .*shape \(2,\)"):
        tg.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tg.ones(2))
    with pytest.raises(TypeError, match="0-d"):
        len(tg.tensor(1.0))


def test_reduction_of_empty_tensor():
    with pytest.raises(ValueError, match=r"amax: cannot reduce over an empty dimension"):
        tg.ones(0, 3).amax(0)
    assert tg.ones(0, 3).sum(0).shape == (3,)


def test_failed_forward_records_nothing():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError):
        x + tg.ones(3)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


class TestErrors:
    @pytest.mark.parametrize("opname,op", [("add", operator.add), ("mul", operator.mul),
                                           ("sub", operator.sub), ("div", operator.truediv)])
    def test_broadcast_mismatch_is_value_error_naming_op_and_shapes(self, opname, op):
        a, b = T(np.ones((2, 3))), T(np.ones((4,)))
        with pytest.raises(ValueError) as ei:
            op(a, b)
        msg = str(ei.value)
        assert shape_mentioned(msg, (2, 3)) and shape_mentioned(msg, (4,)), msg
        symbol = {"add": "+", "mul": "*", "sub": "-", "div": "/"}[opname]
        assert opname in msg.lower() or symbol in msg, msg

    def test_cat_stack_mismatch_value_error(self):
        a, b = T(np.ones((2, 3))), T(np.ones((2, 4)))
        with pytest.raises(ValueError) as ei:
            tg.cat([a, b], dim=0)
        msg = str(ei.value)
        assert shape_mentioned(msg, (2, 3)) and shape_mentioned(msg, (2, 4)), msg
        assert "cat" in msg.lower(), msg
        with pytest.raises(ValueError):
            tg.stack([a, b])

    def test_reshape_and_expand_mismatch_value_error(self):
        x = T(np.ones((2, 3)))
        with pytest.raises(ValueError) as ei:
            x.reshape(4, 2)
        assert shape_mentioned(str(ei.value), (2, 3)) or "6" in str(ei.value), str(ei.value)
        with pytest.raises(ValueError):
            T(np.ones((3, 2))).expand(3, 4)

    def test_where_mismatch_value_error(self):
        with pytest.raises(ValueError):
            tg.where(tg.tensor(np.array([True, False])), T(np.ones(3)), T(np.ones(3)))

    def test_backward_twice_runtime_error_mentions_retain_graph(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError) as ei:
            y.backward()
        assert "retain_graph" in str(ei.value)

    def test_non_scalar_backward_runtime_error(self):
        x = T(np.ones((2, 3)))
        with pytest.raises(RuntimeError) as ei:
            (x * 2.0).backward()
        msg = str(ei.value).lower()
        assert "scalar" in msg or "gradient" in msg or shape_mentioned(msg, (2, 3)), msg

    def test_grad_of_tensor_not_requiring_grad(self):
        with pytest.raises(RuntimeError):
            tg.Tensor([1.0, 2.0]).sum().backward()
        with pytest.raises(RuntimeError):
            tg.autograd.grad((T([1.0]) * 2.0).sum(), [tg.Tensor([1.0])])

    def test_backward_gradient_wrong_shape_leaves_grad_untouched(self):
        x = T([1.0, 2.0, 3.0])
        y = x * 2.0
        with pytest.raises((ValueError, RuntimeError)) as ei:
            y.backward(gradient=tg.Tensor(np.ones(2)))
        assert shape_mentioned(str(ei.value), (3,)) and shape_mentioned(str(ei.value), (2,)), str(ei.value)
        assert x.grad is None

    @pytest.mark.parametrize("bad", ["abc", None, object(), {"a": 1}, np.array(["a", "b"])],
                             ids=["str", "None", "object", "dict", "str-ndarray"])
    def test_bad_data_type_is_type_error(self, bad):
        with pytest.raises(TypeError):
            tg.Tensor(bad)

    def test_bad_dtype_argument_is_type_error(self):
        with pytest.raises(TypeError):
            tg.Tensor([1.0], dtype="not-a-dtype")
        with pytest.raises(TypeError):
            tg.zeros((2,), dtype=object)

    def test_set_default_dtype_rejects_non_float(self, restore_default_dtype):
        with pytest.raises(TypeError):
            tg.set_default_dtype(np.int64)
        assert np.dtype(tg.get_default_dtype()) == np.float32

    def test_operand_of_wrong_type_is_type_error(self):
        x = T([1.0])
        with pytest.raises(TypeError):
            x + "abc"
        with pytest.raises(TypeError):
            x * None

    @pytest.mark.parametrize("call", [
        lambda x: x.sum(dim=2),
        lambda x: x.sum(dim=(0, 5)),
        lambda x: x.mean(dim=-3),
        lambda x: x.max(dim=2),
        lambda x: x.softmax(dim=2),
        lambda x: x.logsumexp(dim=3),
        lambda x: x.transpose(0, 2),
        lambda x: x.unsqueeze(3),
        lambda x: x.squeeze(2),
        lambda x: x.flatten(start_dim=2),
        lambda x: x.permute(0, 2),
        lambda x: tg.cat([x, x], dim=2),
        lambda x: x.argmax(dim=2),
    ], ids=["sum", "sum-tuple", "mean-neg", "max", "softmax", "logsumexp", "transpose",
            "unsqueeze", "squeeze", "flatten", "permute", "cat", "argmax"])
    def test_dim_out_of_range_is_index_error(self, call):
        with pytest.raises(IndexError):
            call(T(np.ones((2, 3))))

    def test_getitem_out_of_bounds_is_index_error(self):
        with pytest.raises(IndexError):
            T([1.0, 2.0, 3.0])[5]

    @pytest.mark.parametrize("ragged", [[[1, 2], [3]], [[1.0], [2.0, 3.0]], [1.0, [2.0]]])
    def test_ragged_list(self, ragged):
        with pytest.raises((ValueError, TypeError)):
            tg.Tensor(ragged)
