"""Tensor construction, dtypes and the default dtype, attributes and repr."""

import re

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import T, close, grad, grad_fn_name, is_int_dtype, val
from hostile import (
    SUPPORTED,
    Refused,
    assert_clean_error,
    assert_same,
    data_inputs,
    expected_array,
    hostile_input,
    run_or_refused,
)
from hypothesis import example, given

import tinygrad_edu as tg


class TestConstructorDtypes:
    def test_python_float_scalar_is_default_float32(self):
        t = tg.Tensor(1.5)
        assert t.dtype == np.float32
        assert t.shape == ()
        assert t.item() == 1.5

    def test_list_of_floats_is_float32(self):
        t = tg.Tensor([[1.0, 2.0], [3.0, 4.5]])
        assert t.dtype == np.float32
        assert t.shape == (2, 2)
        close(val(t), [[1, 2], [3, 4.5]])

    def test_mixed_int_float_list_is_float32(self):
        t = tg.Tensor([1, 2.5])
        assert t.dtype == np.float32
        close(val(t), [1, 2.5])

    @pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64])
    def test_ndarray_keeps_float_dtype(self, dt):
        a = np.array([1.0, 2.5, -3.0], dtype=dt)
        t = tg.Tensor(a)
        assert t.dtype == dt
        close(val(t), a)
        t2 = tg.Tensor(a, requires_grad=True)
        assert t2.dtype == dt and t2.requires_grad

    def test_legacy_tensor_makes_ints_and_bools_the_default_float(self):
        # as torch.Tensor (API.md): only tg.tensor keeps integer and bool data
        t = tg.Tensor([1, 2, 3])
        assert t.dtype == np.float32 and val(t).tolist() == [1, 2, 3]
        assert tg.Tensor(np.array([4, 5], dtype=np.int32)).dtype == np.float32
        assert tg.Tensor([True, False]).dtype == np.float32
        assert tg.Tensor(3).shape == (3,)  # an int is a size, as PyTorch's legacy form

    def test_tensor_keeps_int_and_bool_data(self):
        assert tg.tensor([1, 2, 3]).dtype == np.int64 and tg.tensor(3).shape == ()
        assert tg.tensor(np.array([4, 5], dtype=np.int32)).dtype == np.int32
        assert tg.tensor([True, False]).dtype == np.bool_
        assert tg.tensor(np.array([True])).dtype == np.bool_

    @pytest.mark.parametrize(
        "data",
        [[1, 2], np.array([1, 2], dtype=np.int64), [True, False], np.array([True])],
        ids=["int-list", "int-ndarray", "bool-list", "bool-ndarray"],
    )
    def test_int_and_bool_cannot_require_grad(self, data):
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            tg.tensor(data, requires_grad=True)
        t = tg.tensor(data)
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            t.requires_grad_()

    def test_dtype_argument(self):
        t = tg.Tensor([1, 2], dtype=tg.float64, requires_grad=True)
        assert t.dtype == np.float64 and t.requires_grad
        h = tg.Tensor([1.5], dtype=np.float16)
        assert h.dtype == np.float16
        f = tg.Tensor(np.array([1.0], dtype=np.float64), dtype=tg.float32)
        assert f.dtype == np.float32

    def test_dtype_argument_takes_python_floats_at_full_precision(self):
        # the data is converted once, to the dtype asked for: never through the default first
        assert tg.tensor([0.3], dtype=tg.float64).numpy()[0] == 0.3
        assert tg.Tensor(0.1, dtype=np.float64).item() == 0.1
        assert tg.tensor([[0.1, 1e-300]], dtype=tg.float64).numpy().tolist() == [[0.1, 1e-300]]

    def test_from_tensor(self):
        a = tg.Tensor(np.array([1.0, 2.0], dtype=np.float64))
        b = tg.Tensor(a)
        assert isinstance(b, tg.Tensor)
        assert b.dtype == np.float64
        close(val(b), [1, 2])

    def test_tg_tensor_is_the_constructor(self):
        t = tg.tensor([1.0, 2.0])
        assert isinstance(t, tg.Tensor) and t.dtype == np.float32
        assert tg.tensor(np.array([1.0], dtype=np.float64)).dtype == np.float64
        assert is_int_dtype(tg.tensor([1, 2]).dtype)
        r = tg.tensor(2.0, requires_grad=True)
        assert r.requires_grad and r.is_leaf
        d = tg.tensor([1, 2], dtype=tg.float64)
        assert d.dtype == np.float64
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            tg.tensor([1, 2], requires_grad=True)


class TestDefaultDtype:
    def test_dtypes_are_numpy_dtypes(self):
        assert np.dtype(tg.float32) == np.dtype(np.float32)
        assert np.dtype(tg.float64) == np.dtype(np.float64)
        assert np.dtype(tg.get_default_dtype()) == np.float32

    def test_set_default_dtype(self, restore_default_dtype):
        tg.set_default_dtype(tg.float64)
        assert np.dtype(tg.get_default_dtype()) == np.float64
        assert tg.Tensor(1.0).dtype == np.float64
        assert tg.Tensor([1.0, 2.0]).dtype == np.float64
        assert tg.tensor([1.0]).dtype == np.float64
        assert tg.zeros((2,)).dtype == np.float64
        assert tg.ones((2,)).dtype == np.float64
        assert tg.full((2,), 1.5).dtype == np.float64
        assert tg.randn((2,)).dtype == np.float64
        assert tg.rand((2,)).dtype == np.float64
        assert tg.linspace(0, 1, 3).dtype == np.float64
        assert tg.eye(2).dtype == np.float64
        # explicit ndarray float dtypes and integer data are unaffected
        assert tg.Tensor(np.zeros(2, dtype=np.float32)).dtype == np.float32
        assert is_int_dtype(tg.tensor([1, 2]).dtype)
        tg.set_default_dtype(tg.float32)
        assert tg.Tensor([1.0]).dtype == np.float32


class TestAttributes:
    def test_shape_ndim_numel_len(self):
        t = tg.Tensor(np.zeros((2, 3, 4)))
        assert isinstance(t.shape, tuple) and t.shape == (2, 3, 4)
        assert t.ndim == 3
        assert t.numel() == 24
        assert len(t) == 2
        s = tg.Tensor(2.0)
        assert s.shape == () and s.ndim == 0 and s.numel() == 1

    def test_len_of_0d_tensor_is_TypeError(self):
        with pytest.raises(TypeError):
            len(tg.Tensor(2.0))

    def test_numpy_returns_ndarray_values(self):
        x = T([[1.0, 2.0], [3.0, 4.0]])
        a = x.numpy()
        assert isinstance(a, np.ndarray) and not isinstance(a, tg.Tensor)
        assert a.dtype == np.float64 and a.shape == (2, 2)
        close(a, [[1, 2], [3, 4]])
        y = x * 2.0
        close(y.numpy(), [[2, 4], [6, 8]])

    def test_item(self):
        v = tg.Tensor(np.array([[2.5]]))
        assert isinstance(v.item(), float) and v.item() == 2.5
        i = tg.tensor([7])
        assert isinstance(i.item(), int) and i.item() == 7
        assert isinstance(tg.Tensor(1.25).item(), float)

    def test_item_on_many_elements_raises(self):
        with pytest.raises((ValueError, RuntimeError)):
            tg.Tensor([1.0, 2.0]).item()

    def test_numpy_is_the_ndarray_and_writes_bypass_autograd(self):
        x = T([1.0, 2.0, 3.0])
        assert isinstance(x.numpy(), np.ndarray)
        close(x.numpy(), [1, 2, 3])
        x.numpy()[0] = 10.0
        assert val(x)[0] == 10.0
        assert x.is_leaf and x.grad_fn is None and x.requires_grad
        (x * x).sum().backward()
        close(grad(x), [20, 4, 6])

    def test_data_is_a_tensor_sharing_storage_outside_the_graph(self):
        x = T([1.0, 2.0, 3.0])
        d = x.data
        assert isinstance(d, tg.Tensor) and not d.requires_grad and d.is_leaf
        assert np.shares_memory(d.numpy(), x.numpy())
        d[0] = 10.0  # no graph recorded, no error for a leaf that requires grad
        assert val(x)[0] == 10.0 and x.grad_fn is None
        y = x * 2
        assert y.data.grad_fn is None and not y.data.requires_grad
        (x * x).sum().backward()
        close(grad(x), [20, 4, 6])
        x.data -= 0.5 * x.grad.data  # the manual update of the tutorials
        close(val(x), [0, 0, 0])
        assert x.is_leaf and x.requires_grad

    def test_data_assignment_swaps_storage_and_is_validated(self):
        x = T([1.0, 2.0, 3.0])
        x.data = tg.ones(4, dtype=tg.float64)  # any shape, as PyTorch
        assert x.shape == (4,) and x.requires_grad and x.dtype == np.float64
        with pytest.raises(TypeError, match="data: expected a Tensor, got ndarray"):
            x.data = np.ones(3)
        with pytest.raises(RuntimeError, match="requires grad.*floating point.*int64"):
            x.data = tg.tensor([1, 2, 3])
        assert x.shape == (4,) and x.dtype == np.float64  # refused: nothing changed
        w = tg.ones(3, dtype=tg.float32, requires_grad=True)
        w.data = tg.zeros(3, dtype=tg.float32)
        opt = tg.optim.SGD([w], lr=0.1)
        (w * 2).sum().backward()
        opt.step()  # the optimizer works on the new storage
        close(val(w), [-0.2, -0.2, -0.2])

    def test_requires_grad_(self):
        x = tg.Tensor([1.0, 2.0])
        assert x.requires_grad is False
        r = x.requires_grad_()
        assert r is x and x.requires_grad is True
        x.requires_grad_(False)
        assert x.requires_grad is False

    def test_is_leaf_and_grad_fn_name(self):
        x = T([1.0, 2.0])
        assert x.is_leaf and x.grad_fn is None
        y = x * 2.0
        assert not y.is_leaf and y.requires_grad
        assert "mul" in grad_fn_name(y).lower()
        assert "add" in grad_fn_name(x + x).lower()
        assert "sum" in grad_fn_name(y.sum()).lower()
        c = tg.Tensor([1.0]) * 2.0  # nothing requires grad -> leaf, no grad_fn
        assert c.is_leaf and c.grad_fn is None and not c.requires_grad


class TestRepr:
    def test_repr_values_plain(self):
        r = repr(tg.Tensor([1.5, -2.25]))
        assert "1.5" in r and "-2.25" in r
        assert "requires_grad" not in r and "grad_fn" not in r

    def test_repr_shows_non_default_dtype(self):
        assert "float64" in repr(tg.Tensor(np.array([1.5])))

    def test_repr_requires_grad_leaf(self):
        r = repr(T([1.5]))
        assert "requires_grad=True" in r and "1.5" in r

    def test_repr_grad_fn(self):
        y = T([1.5]) * 2.0
        r = repr(y)
        m = re.search(r"grad_fn=<([^>]+)>", r)
        assert m, r
        assert m.group(1) == grad_fn_name(y)
        assert "3." in r

    def test_repr_starts_like_pytorch(self):
        assert repr(tg.Tensor([1.0])).startswith("tensor(")


@hostile_input
@given(data_inputs)
@example(np.array([1], np.uint32))  # was accepted as a uint32 tensor
@example(np.array([1.0], ">f8"))  # was refused; now read in native byte order
def test_tensor_from_hostile_data(data):
    got = run_or_refused(lambda: tg.tensor(data), lambda: expected_array(data), "tensor")
    if got:
        assert_same(*got)


@hostile_input
@given(st.lists(st.floats(-100, 100), max_size=4),
       st.sampled_from(list(SUPPORTED) + ["float32", "int64", float, int, bool, None, complex,
                                          np.complex64, object, str, "float99", np.uint32,
                                          np.longdouble, [1], 3.5]))
def test_tensor_dtype_argument(values, dtype):
    def expected(through_default=False):
        if dtype is None:
            return np.array(values, tg.get_default_dtype())
        try:
            d = np.dtype(dtype)
        except TypeError:
            raise Refused from None
        if d not in SUPPORTED:
            raise Refused
        # tensor(values, dtype=d) converts the numbers straight to d, as PyTorch;
        # tensor(values).to(d) converts the default-dtype tensor
        a = np.array(values)
        return (a.astype(tg.get_default_dtype()) if through_default else a).astype(d)

    got = run_or_refused(lambda: tg.tensor(values, dtype=dtype), expected, "tensor")
    if got:
        assert_same(*got)
    if dtype is None:  # None is no dtype at all, not numpy's float64
        assert_clean_error(lambda: tg.tensor(values).to(dtype), "to")
        assert_clean_error(lambda: tg.set_default_dtype(dtype), "set_default_dtype")
    else:
        got = run_or_refused(lambda: tg.tensor(values).to(dtype), lambda: expected(True), "to")
        if got:
            assert_same(*got)
