"""Bad input gets a clear error: the right exception type, a message naming the operation
and the shapes or values involved."""

import numpy as np
import pytest

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
