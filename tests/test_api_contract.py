"""Black-box tests of the public contract in /work/shared/API.md.

Sections covered: Tensor, Operations, Autograd, testing, Errors.  Where API.md is
silent, the expected behaviour is PyTorch's.  These tests were written without
reading the implementation: they only use the public surface.
"""

from __future__ import annotations

import math
import operator
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg

# --------------------------------------------------------------------------- helpers

FAST = settings(max_examples=20, deadline=None)


def T(data, dtype=np.float64, requires_grad=True):
    """A float64 leaf requiring grad (the default for gradient tests)."""
    return tg.Tensor(np.asarray(data, dtype=dtype), requires_grad=requires_grad)


def val(t):
    return np.asarray(t.numpy())


def grad(t):
    assert t.grad is not None, "expected a gradient to have been accumulated"
    assert isinstance(t.grad, tg.Tensor)
    return np.asarray(t.grad.numpy())


def close(actual, expected, rtol=1e-7, atol=1e-10):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
        rtol=rtol, atol=atol,
    )


def vjp(out, w):
    """Backpropagate the weights ``w`` (an ndarray of out's shape) through ``out``."""
    w = np.asarray(w, dtype=out.dtype)
    assert out.shape == w.shape
    (out * tg.Tensor(w)).sum().backward()


def unbroadcast(g, shape):
    g = np.asarray(g, dtype=np.float64)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g.reshape(shape)


def shape_mentioned(msg, shape):
    shape = tuple(shape)
    forms = {str(shape), str(list(shape)), "x".join(map(str, shape)), " x ".join(map(str, shape))}
    return any(f in msg for f in forms)


_FLOAT_RE = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"


def has_number_close(msg, value, rtol=1e-3):
    nums = [float(s) for s in re.findall(_FLOAT_RE, msg)]
    return any(abs(n - value) <= rtol * max(1.0, abs(value)) for n in nums)


def grad_fn_name(t):
    fn = t.grad_fn
    assert fn is not None
    name = fn.name
    if callable(name):  # PyTorch spells it name(); API.md spells it name
        name = name()
    assert isinstance(name, str) and name
    return name


def is_int_dtype(d):
    return np.issubdtype(np.dtype(d), np.integer)


@pytest.fixture
def restore_default_dtype():
    old = tg.get_default_dtype()
    yield
    tg.set_default_dtype(old)


RNG = np.random.default_rng


# =========================================================================== Tensor


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

    def test_int_list_and_scalar_keep_integer_dtype(self):
        t = tg.Tensor([1, 2, 3])
        assert is_int_dtype(t.dtype)
        assert val(t).tolist() == [1, 2, 3]
        s = tg.Tensor(3)
        assert is_int_dtype(s.dtype) and s.shape == ()
        n = tg.Tensor(np.array([4, 5], dtype=np.int32))
        assert is_int_dtype(n.dtype)

    def test_bool_data_keeps_bool_dtype(self):
        assert tg.Tensor([True, False]).dtype == np.bool_
        assert tg.Tensor(np.array([True])).dtype == np.bool_

    @pytest.mark.parametrize(
        "data",
        [[1, 2], np.array([1, 2], dtype=np.int64), [True, False], np.array([True])],
        ids=["int-list", "int-ndarray", "bool-list", "bool-ndarray"],
    )
    def test_int_and_bool_cannot_require_grad(self, data):
        with pytest.raises((RuntimeError, TypeError, ValueError)):
            tg.Tensor(data, requires_grad=True)
        t = tg.Tensor(data)
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


class TestFactories:
    @pytest.mark.parametrize("name,fill", [("zeros", 0.0), ("ones", 1.0), ("empty", None)])
    def test_zeros_ones_empty(self, name, fill):
        f = getattr(tg, name)
        t = f((2, 3))
        assert isinstance(t, tg.Tensor)
        assert t.shape == (2, 3) and t.dtype == np.float32 and not t.requires_grad
        if fill is not None:
            assert np.all(val(t) == fill)
        assert f(4).shape == (4,)
        d = f((3,), dtype=tg.float64)
        assert d.dtype == np.float64
        r = f((2,), requires_grad=True)
        assert r.requires_grad and r.is_leaf and r.grad_fn is None

    def test_factories_accept_pytorch_varargs_shape(self):
        # PyTorch accepts both torch.zeros(2, 3) and torch.zeros((2, 3)).
        for name in ["zeros", "ones", "empty", "randn", "rand"]:
            assert getattr(tg, name)(2, 3).shape == (2, 3), name

    def test_randint_pytorch_high_size_form(self):
        tg.manual_seed(1)
        r = tg.randint(5, (100,))  # torch.randint(high, size)
        assert r.shape == (100,) and is_int_dtype(r.dtype)
        assert np.all((val(r) >= 0) & (val(r) < 5))

    def test_full(self):
        t = tg.full((2, 3), 3.5)
        assert t.shape == (2, 3) and t.dtype == np.float32
        assert np.all(val(t) == 3.5)
        d = tg.full((2,), -1.0, dtype=tg.float64, requires_grad=True)
        assert d.dtype == np.float64 and d.requires_grad
        close(val(d), [-1, -1])

    def test_arange(self):
        a = tg.arange(5)
        assert val(a).tolist() == [0, 1, 2, 3, 4]
        assert is_int_dtype(a.dtype)  # PyTorch: int64
        assert val(tg.arange(2, 8, 2)).tolist() == [2, 4, 6]
        f = tg.arange(0, 1, 0.25)
        assert f.dtype == np.float32  # Python floats -> default dtype
        close(val(f), [0, 0.25, 0.5, 0.75])
        d = tg.arange(5, dtype=tg.float64)
        assert d.dtype == np.float64
        close(val(d), [0, 1, 2, 3, 4])
        r = tg.arange(3, dtype=tg.float32, requires_grad=True)
        assert r.requires_grad and r.dtype == np.float32

    def test_linspace(self):
        t = tg.linspace(0, 1, 5)
        assert t.dtype == np.float32 and t.shape == (5,)
        close(val(t), [0, 0.25, 0.5, 0.75, 1.0])
        d = tg.linspace(-1, 1, 3, dtype=tg.float64, requires_grad=True)
        assert d.dtype == np.float64 and d.requires_grad
        close(val(d), [-1, 0, 1])

    def test_eye(self):
        t = tg.eye(3)
        assert t.dtype == np.float32
        close(val(t), np.eye(3))
        r = tg.eye(2, 3)
        assert r.shape == (2, 3)
        close(val(r), np.eye(2, 3))
        d = tg.eye(2, dtype=tg.float64, requires_grad=True)
        assert d.dtype == np.float64 and d.requires_grad

    def test_factory_leaf_receives_gradient(self):
        w = tg.zeros((3,), requires_grad=True)
        (w * 2.0 + 1.0).sum().backward()
        close(grad(w), [2, 2, 2])

    def test_random_factories_and_manual_seed(self):
        tg.manual_seed(123)
        a = tg.randn((3, 4))
        b = tg.rand((50,))
        c = tg.randint(0, 10, (200,))
        tg.manual_seed(123)
        a2 = tg.randn((3, 4))
        b2 = tg.rand((50,))
        c2 = tg.randint(0, 10, (200,))
        np.testing.assert_array_equal(val(a), val(a2))
        np.testing.assert_array_equal(val(b), val(b2))
        np.testing.assert_array_equal(val(c), val(c2))
        tg.manual_seed(124)
        assert not np.array_equal(val(tg.randn((3, 4))), val(a))
        assert a.shape == (3, 4) and a.dtype == np.float32
        assert b.dtype == np.float32
        assert np.all((val(b) >= 0) & (val(b) < 1))
        assert is_int_dtype(c.dtype)
        assert np.all((val(c) >= 0) & (val(c) < 10))
        assert len(set(val(c).tolist())) > 5

    def test_random_factories_dtype_requires_grad_and_statistics(self):
        tg.manual_seed(0)
        r = tg.randn((2, 2), dtype=tg.float64, requires_grad=True)
        assert r.dtype == np.float64 and r.requires_grad and r.is_leaf
        big = val(tg.randn((20000,)))
        assert abs(big.mean()) < 0.05 and abs(big.std() - 1) < 0.05
        u = val(tg.rand((20000,)))
        assert abs(u.mean() - 0.5) < 0.02


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
        assert is_int_dtype(tg.Tensor([1, 2]).dtype)
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
        i = tg.Tensor([7])
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


class TestBackwardBasics:
    def test_grad_accumulates_across_two_backward_calls(self):
        x = T([1.0, -2.0, 3.0])
        (x * x).sum().backward()
        close(grad(x), [2, -4, 6])
        (3.0 * x).sum().backward()
        close(grad(x), [5, -1, 9])
        assert x.grad.shape == x.shape and x.grad.dtype == x.dtype

    def test_grad_has_leaf_dtype(self):
        a = T([1.0, 2.0], dtype=np.float32)
        b = T([3.0, 4.0], dtype=np.float64)
        (a * b).sum().backward()
        assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
        close(grad(a), [3, 4])
        close(grad(b), [1, 2])
        h = T([1.0, 2.0], dtype=np.float16)
        (h * 2.0).sum().backward()
        assert h.grad.dtype == np.float16
        close(grad(h), [2, 2])

    def test_backward_with_gradient_for_non_scalar(self):
        x = T([1.0, 2.0, 3.0])
        y = x * x
        y.backward(gradient=tg.Tensor(np.array([1.0, 0.5, -2.0])))
        close(grad(x), [2, 2, -12])

    def test_backward_one_element_non_scalar_without_gradient(self):
        x = T([[2.0]])
        (x * x).backward()
        close(grad(x), [[4.0]])

    def test_non_scalar_backward_without_gradient_raises(self):
        x = T([1.0, 2.0])
        with pytest.raises(RuntimeError):
            (x * x).backward()
        assert x.grad is None

    def test_retain_graph(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        close(grad(x), [4, 8])

    def test_backward_twice_without_retain_graph_raises(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            y.backward()

    def test_backward_through_freed_subgraph_raises(self):
        x = T([1.0, 2.0])
        z = x.exp()
        z.sum().backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            (z * 2.0).sum().backward()

    def test_backward_create_graph(self):
        x = T([0.5, -1.0])
        (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        close(val(g), 3 * np.array([0.5, -1.0]) ** 2)
        assert g.requires_grad
        (g2,) = tg.autograd.grad(g.sum(), x)
        close(val(g2), 6 * np.array([0.5, -1.0]))

    def test_backward_on_tensor_not_requiring_grad_raises(self):
        with pytest.raises(RuntimeError):
            (tg.Tensor([1.0, 2.0]) * 2.0).sum().backward()

    def test_detach(self):
        x = T([1.0, 2.0])
        y = x * 3.0
        d = y.detach()
        close(val(d), [3, 6])
        assert not d.requires_grad and d.grad_fn is None and d.is_leaf
        (d * x).sum().backward()
        close(grad(x), [3, 6])  # d is a constant


    def test_shared_subexpression_diamond_graph(self):
        # y used on two paths: z = y*y + y with y = 2x  ->  dz/dx = (2y + 1) * 2
        x = T([1.0, -0.5])
        y = x * 2.0
        z = (y * y + y).sum()
        z.backward()
        close(grad(x), (2 * 2 * np.array([1.0, -0.5]) + 1) * 2)

    def test_deep_graph_does_not_hit_recursion_limit(self):
        x = T([1.0])
        y = x
        for _ in range(5000):
            y = y * 1.0001
        y.sum().backward()
        close(grad(x), [1.0001**5000], rtol=1e-9)

    def test_scalar_leaf_backward(self):
        x = T(3.0)
        x.backward()
        assert x.grad.shape == ()
        close(grad(x), 1.0)
        s = T(2.0)
        (s * s).backward()
        assert s.grad.shape == ()
        close(grad(s), 4.0)

    def test_non_leaf_grad_is_not_populated(self):
        # "gradients accumulate into leaves' .grad"; PyTorch leaves non-leaf .grad at None
        x = T([1.0, 2.0])
        y = x * 2.0
        y.sum().backward()
        assert y.grad is None
        close(grad(x), [2, 2])

    def test_setting_grad_to_none_resets_accumulation(self):
        x = T([1.0, 2.0])
        (x * 3.0).sum().backward()
        x.grad = None
        (x * 5.0).sum().backward()
        close(grad(x), [5, 5])

    def test_detach_then_requires_grad_is_new_leaf(self):
        x = T([1.0, 2.0])
        d = (x * 2.0).detach().requires_grad_()
        assert d.is_leaf and d.requires_grad
        (d * d).sum().backward()
        close(grad(d), [4, 8])
        assert x.grad is None


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


# =========================================================================== Operations

BIN_SHAPES = [((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), ()), ((4, 1, 3), (2, 1)), ((3,), (2, 3))]

ARITH = {
    "add": (operator.add, lambda a, b: a + b, lambda a, b, o: (np.ones_like(o), np.ones_like(o))),
    "sub": (operator.sub, lambda a, b: a - b, lambda a, b, o: (np.ones_like(o), -np.ones_like(o))),
    "mul": (operator.mul, lambda a, b: a * b, lambda a, b, o: (b + 0 * o, a + 0 * o)),
    "div": (operator.truediv, lambda a, b: a / b, lambda a, b, o: (1 / b + 0 * o, -a / b**2 + 0 * o)),
    "pow": (operator.pow, lambda a, b: a**b, lambda a, b, o: (b * a ** (b - 1) + 0 * o, o * np.log(a))),
}


class TestArithmetic:
    @pytest.mark.parametrize("op", list(ARITH))
    @pytest.mark.parametrize("sa,sb", BIN_SHAPES)
    def test_binary_broadcast_forward_and_grad(self, op, sa, sb):
        tfn, nfn, dfn = ARITH[op]
        rng = RNG(0)
        an = rng.uniform(0.5, 2.0, sa)
        bn = rng.uniform(0.5, 2.0, sb)
        a, b = T(an), T(bn)
        out = tfn(a, b)
        on = nfn(an, bn)
        assert out.shape == on.shape
        close(val(out), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        da, db = dfn(an, bn, on)
        assert a.grad.shape == sa and b.grad.shape == sb
        close(grad(a), unbroadcast(w * da, sa))
        close(grad(b), unbroadcast(w * db, sb))

    SCALAR_CASES = {
        "x+2": (lambda x: x + 2.0, lambda x: x + 2, lambda x: np.ones_like(x)),
        "2+x": (lambda x: 2.0 + x, lambda x: 2 + x, lambda x: np.ones_like(x)),
        "x-2": (lambda x: x - 2.0, lambda x: x - 2, lambda x: np.ones_like(x)),
        "2-x": (lambda x: 2.0 - x, lambda x: 2 - x, lambda x: -np.ones_like(x)),
        "3-x(int)": (lambda x: 3 - x, lambda x: 3 - x, lambda x: -np.ones_like(x)),
        "x*2": (lambda x: x * 2.0, lambda x: x * 2, lambda x: 2 * np.ones_like(x)),
        "2*x": (lambda x: 2.0 * x, lambda x: 2 * x, lambda x: 2 * np.ones_like(x)),
        "x*3(int)": (lambda x: x * 3, lambda x: x * 3, lambda x: 3 * np.ones_like(x)),
        "x/2": (lambda x: x / 2.0, lambda x: x / 2, lambda x: 0.5 * np.ones_like(x)),
        "2/x": (lambda x: 2.0 / x, lambda x: 2 / x, lambda x: -2 / x**2),
        "x**2": (lambda x: x**2, lambda x: x**2, lambda x: 2 * x),
        "x**0.5": (lambda x: x**0.5, lambda x: x**0.5, lambda x: 0.5 * x**-0.5),
        "x**-1": (lambda x: x**-1, lambda x: 1 / x, lambda x: -(x**-2)),
        "2**x": (lambda x: 2.0**x, lambda x: 2.0**x, lambda x: 2.0**x * np.log(2.0)),
        "-x": (lambda x: -x, lambda x: -x, lambda x: -np.ones_like(x)),
    }

    @pytest.mark.parametrize("case", list(SCALAR_CASES))
    def test_python_scalar_both_orders(self, case):
        tfn, nfn, dfn = self.SCALAR_CASES[case]
        xn = np.array([[0.5, 1.25, 2.0], [0.75, 3.0, 1.5]])
        x = T(xn)
        out = tfn(x)
        assert isinstance(out, tg.Tensor)
        close(val(out), nfn(xn))
        w = RNG(1).normal(size=xn.shape)
        vjp(out, w)
        close(grad(x), w * dfn(xn))

    @pytest.mark.parametrize("case", list(SCALAR_CASES))
    def test_python_scalar_does_not_promote_dtype(self, case):
        tfn = self.SCALAR_CASES[case][0]
        x32 = tg.Tensor(np.array([0.5, 2.0], dtype=np.float32))
        assert tfn(x32).dtype == np.float32

    def test_arithmetic_method_forms_pytorch_names(self):
        an, bn = np.array([1.5, 2.0]), np.array([0.5, 4.0])
        a, b = T(an), T(bn)
        close(val(a.add(b)), an + bn)
        close(val(a.sub(b)), an - bn)
        close(val(a.mul(b)), an * bn)
        close(val(a.div(b)), an / bn)
        close(val(a.pow(2.0)), an**2)
        close(val(a.pow(b)), an**bn)
        close(val(a.neg()), -an)

    def test_tensor_tensor_promotion(self):
        a = tg.Tensor(np.array([1.0], dtype=np.float32))
        b = tg.Tensor(np.array([2.0], dtype=np.float64))
        assert (a + b).dtype == np.float64
        assert (b * a).dtype == np.float64

    def test_int_tensor_with_float_tensor_promotes_like_pytorch(self):
        i = tg.Tensor([1, 2, 3])
        x = T([0.5, 1.5, 2.5], dtype=np.float32)
        out = i * x
        assert out.dtype == np.float32  # PyTorch: int64 * float32 -> float32
        close(val(out), [0.5, 3.0, 7.5])
        out.sum().backward()
        close(grad(x), [1, 2, 3])
        assert i.grad is None

    def test_int_tensor_with_python_float_gives_default_dtype(self):
        out = tg.Tensor([1, 2]) * 2.5
        assert out.dtype == np.float32  # PyTorch: int64 * float -> default float32
        close(val(out), [2.5, 5.0])

    def test_bool_sum_counts(self):
        s = (tg.Tensor([1.0, 2.0, 3.0]) > 1.5).sum()
        assert s.item() == 2

    def test_pow_zero_exponent_grad_at_zero(self):
        x = T([0.0, 1.0])
        (x**0).sum().backward()
        close(grad(x), [0, 0])

    def test_pow_integer_exponent_negative_base(self):
        x = T([-2.0, -0.5])
        out = x**3
        close(val(out), [-8, -0.125])
        out.sum().backward()
        close(grad(x), [12, 0.75])


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 4)),
    ((3,), (2, 3, 4)),
]


class TestMatmul:
    @pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
    def test_matmul_forward_and_grad(self, sa, sb):
        rng = RNG(2)
        an, bn = rng.normal(size=sa), rng.normal(size=sb)
        a, b = T(an), T(bn)
        out = a @ b
        on = np.matmul(an, bn)
        assert out.shape == on.shape
        close(val(out), on)
        close(val(tg.matmul(a, b)), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        a2 = an[None, :] if an.ndim == 1 else an
        b2 = bn[:, None] if bn.ndim == 1 else bn
        w2 = w.reshape(np.matmul(a2, b2).shape)
        ga = np.matmul(w2, np.swapaxes(b2, -1, -2))
        gb = np.matmul(np.swapaxes(a2, -1, -2), w2)
        close(grad(a), unbroadcast(ga, a2.shape).reshape(sa))
        close(grad(b), unbroadcast(gb, b2.shape).reshape(sb))

    def test_matmul_method(self):
        rng = RNG(2)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
        a, b = T(an), T(bn)
        out = a.matmul(b)
        close(val(out), an @ bn)
        out.sum().backward()
        close(grad(a), np.ones((2, 4)) @ bn.T)

    def test_matmul_shape_mismatch(self):
        with pytest.raises(ValueError) as ei:
            T(np.ones((2, 3))) @ T(np.ones((4, 5)))
        msg = str(ei.value)
        assert shape_mentioned(msg, (2, 3)) and shape_mentioned(msg, (4, 5)), msg
        assert any(k in msg.lower() for k in ("matmul", "@", "mm")), msg


UNARY = {
    "exp": (np.exp, np.exp, False),
    "log": (np.log, lambda x: 1 / x, True),
    "sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x), True),
    "abs": (np.abs, np.sign, False),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, False),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, False),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float), False),
    "sin": (np.sin, np.cos, False),
    "cos": (np.cos, lambda x: -np.sin(x), False),
}


class TestElementwise:
    @pytest.mark.parametrize("name", list(UNARY))
    @pytest.mark.parametrize("form", ["method", "function"])
    def test_unary(self, name, form):
        fwd, der, positive = UNARY[name]
        xn = np.array([[0.4, 1.3, 2.2], [0.7, 1.9, 0.25]]) if positive else np.array(
            [[-1.7, -0.3, 0.4], [1.9, -2.5, 0.8]])
        x = T(xn)
        out = getattr(x, name)() if form == "method" else getattr(tg, name)(x)
        close(val(out), fwd(xn))
        w = RNG(3).normal(size=xn.shape)
        vjp(out, w)
        close(grad(x), w * der(xn))

    def test_relu_and_abs_grad_at_zero_is_zero(self):
        x = T([0.0])
        x.relu().sum().backward()
        close(grad(x), [0.0])
        y = T([0.0])
        y.abs().sum().backward()
        close(grad(y), [0.0])

    def test_clamp(self):
        xn = np.array([-2.0, -0.5, 0.3, 1.5, 3.0])
        x = T(xn)
        out = x.clamp(min=-1.0, max=1.0)
        close(val(out), np.clip(xn, -1, 1))
        out.sum().backward()
        close(grad(x), [0, 1, 1, 0, 0])
        y = T(xn)
        o2 = y.clamp(min=0.0)
        close(val(o2), np.maximum(xn, 0))
        o2.sum().backward()
        close(grad(y), [0, 0, 1, 1, 1])
        z = T(xn)
        o3 = z.clamp(max=0.5)
        close(val(o3), np.minimum(xn, 0.5))
        o3.sum().backward()
        close(grad(z), [1, 1, 1, 0, 0])

    def test_clamp_grad_at_boundary_is_one_like_pytorch(self):
        x = T([-1.0, 1.0])
        x.clamp(min=-1.0, max=1.0).sum().backward()
        close(grad(x), [1, 1])

    @pytest.mark.parametrize("name", ["maximum", "minimum"])
    def test_maximum_minimum_broadcast(self, name):
        rng = RNG(4)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(3,))
        a, b = T(an), T(bn)
        out = getattr(tg, name)(a, b)
        on = getattr(np, name)(an, bn)
        close(val(out), on)
        close(val(getattr(a, name)(b)), on)
        w = rng.normal(size=(2, 3))
        vjp(out, w)
        pick_a = (an > bn) if name == "maximum" else (an < bn)
        close(grad(a), w * pick_a)
        close(grad(b), unbroadcast(w * ~pick_a, (3,)))

    @pytest.mark.parametrize("name", ["maximum", "minimum"])
    def test_maximum_minimum_ties_split_evenly(self, name):
        a, b = T([1.0, 2.0, 3.0]), T([1.0, 0.0 if name == "maximum" else 5.0, 3.0])
        getattr(tg, name)(a, b).sum().backward()
        close(grad(a), [0.5, 1, 0.5])
        close(grad(b), [0.5, 0, 0.5])

    def test_where_broadcast(self):
        rng = RNG(5)
        cn = np.array([[True, False, True], [False, False, True]])
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(3,))
        a, b = T(an), T(bn)
        cond = tg.Tensor(cn)
        out = tg.where(cond, a, b)
        close(val(out), np.where(cn, an, bn))
        w = rng.normal(size=(2, 3))
        vjp(out, w)
        close(grad(a), w * cn)
        close(grad(b), unbroadcast(w * ~cn, (3,)))

    def test_where_as_method_pytorch_order(self):
        # PyTorch: x.where(cond, y) == torch.where(cond, x, y)
        x, y = T([1.0, 2.0, 3.0]), T([10.0, 20.0, 30.0])
        cond = tg.Tensor(np.array([True, False, True]))
        out = x.where(cond, y)
        close(val(out), [1, 20, 3])
        out.sum().backward()
        close(grad(x), [1, 0, 1])
        close(grad(y), [0, 1, 0])

    def test_where_with_comparison_condition_and_scalar(self):
        xn = np.array([-1.0, 2.0, -3.0, 4.0])
        x = T(xn)
        out = tg.where(x > 0, x, 0.0)
        close(val(out), [0, 2, 0, 4])
        out.sum().backward()
        close(grad(x), [0, 1, 0, 1])


CMP = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


class TestComparisons:
    @pytest.mark.parametrize("op", CMP, ids=lambda o: o.__name__)
    def test_tensor_tensor_broadcast(self, op):
        an = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
        bn = np.array([2.0, 2.0, 2.0])
        a, b = T(an), T(bn)
        out = op(a, b)
        assert isinstance(out, tg.Tensor)
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(val(out), op(an, bn))
        assert not out.requires_grad and out.grad_fn is None

    @pytest.mark.parametrize("op", CMP, ids=lambda o: o.__name__)
    def test_with_scalar_both_sides(self, op):
        an = np.array([1.0, 2.0, 3.0])
        a = T(an)
        r1, r2 = op(a, 2.0), op(2.0, a)
        assert r1.dtype == np.bool_ and r2.dtype == np.bool_
        np.testing.assert_array_equal(val(r1), op(an, 2.0))
        np.testing.assert_array_equal(val(r2), op(2.0, an))
        assert not r1.requires_grad and not r2.requires_grad


# --------------------------------------------------------------------------- reductions

X3 = RNG(6).normal(size=(2, 3, 4))
DIMS = [None, 0, 1, -1, (0, 2), (1, 2)]


def _axes(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, tuple) else (dim,)
    return tuple(sorted(d % ndim for d in dims))


def _expand(w, shape, dim, keepdim):
    axes = _axes(dim, len(shape))
    w = np.asarray(w)
    if not keepdim:
        w = np.expand_dims(w, axes)
    return np.broadcast_to(w, shape)


def _np_reduce(name, x, axes, keepdims):
    if name == "sum":
        return x.sum(axis=axes, keepdims=keepdims)
    if name == "mean":
        return x.mean(axis=axes, keepdims=keepdims)
    if name == "var":
        return x.var(axis=axes, ddof=1, keepdims=keepdims)
    if name == "std":
        return x.std(axis=axes, ddof=1, keepdims=keepdims)
    if name in ("max", "amax"):
        return x.max(axis=axes, keepdims=keepdims)
    if name in ("min", "amin"):
        return x.min(axis=axes, keepdims=keepdims)
    if name == "logsumexp":
        m = x.max(axis=axes, keepdims=True)
        r = m + np.log(np.exp(x - m).sum(axis=axes, keepdims=True))
        return r if keepdims else np.squeeze(r, axis=axes)
    raise AssertionError(name)


def _np_reduce_grad(name, x, axes, keepdims, w):
    dim = axes
    we = _expand(w, x.shape, dim, keepdims)
    n = int(np.prod([x.shape[a] for a in axes]))
    mean = x.mean(axis=axes, keepdims=True)
    if name == "sum":
        return we * 1.0
    if name == "mean":
        return we / n
    if name == "var":
        return we * 2 * (x - mean) / (n - 1)
    if name == "std":
        sd = x.std(axis=axes, ddof=1, keepdims=True)
        return we * (x - mean) / ((n - 1) * sd)
    if name in ("max", "amax", "min", "amin"):
        ext = _np_reduce(name, x, axes, True)
        return we * (x == ext)
    if name == "logsumexp":
        lse = _np_reduce(name, x, axes, True)
        return we * np.exp(x - lse)
    raise AssertionError(name)


REDUCTIONS = ["sum", "mean", "var", "std", "max", "min", "amax", "amin", "logsumexp"]
REDUCTION_CASES = [
    (name, dim, keepdim)
    for name in REDUCTIONS
    for dim in DIMS
    for keepdim in (False, True)
    # dim=None is the full reduction (no keepdim); PyTorch's logsumexp needs a dim
    if not (dim is None and (keepdim or name == "logsumexp"))
]


class TestReductions:
    @pytest.mark.parametrize("name,dim,keepdim", REDUCTION_CASES, ids=str)
    def test_reduction_forward_and_grad(self, name, dim, keepdim):
        x = T(X3)
        if dim is None:
            out = getattr(x, name)()
        else:
            out = getattr(x, name)(dim=dim, keepdim=keepdim)
        assert isinstance(out, tg.Tensor), f"{name} must return a Tensor"
        axes = _axes(dim, 3)
        expected = _np_reduce(name, X3, axes, keepdim)
        assert out.shape == np.shape(expected)
        close(val(out), expected)
        w = RNG(7).normal(size=np.shape(expected))
        vjp(out, w)
        close(grad(x), _np_reduce_grad(name, X3, axes, keepdim, w))

    @pytest.mark.parametrize("name", REDUCTIONS)
    def test_positional_dim(self, name):
        x = T(X3)
        close(val(getattr(x, name)(1)), _np_reduce(name, X3, (1,), False))

    @pytest.mark.parametrize("name", REDUCTIONS)
    def test_numpy_aliases_axis_keepdims(self, name):
        x = T(X3)
        out = getattr(x, name)(axis=1, keepdims=True)
        assert out.shape == (2, 1, 4)
        close(val(out), _np_reduce(name, X3, (1,), True))
        out2 = getattr(x, name)(axis=(0, 2))
        close(val(out2), _np_reduce(name, X3, (0, 2), False))

    def test_var_std_are_unbiased_like_pytorch(self):
        x = T([1.0, 2.0, 3.0, 4.0])
        close(val(x.var()), 5.0 / 3.0)
        close(val(x.std()), math.sqrt(5.0 / 3.0))

    @pytest.mark.parametrize("name", ["max", "min"])
    def test_max_min_with_dim_return_values_only(self, name):
        x = T(X3)
        r = getattr(x, name)(dim=1)
        assert isinstance(r, tg.Tensor) and not isinstance(r, tuple)
        assert r.shape == (2, 4)
        close(val(r), getattr(X3, name)(axis=1))

    def test_full_max_min_ties_split_evenly(self):
        x = T([1.0, 3.0, 3.0, 2.0])
        out = x.max()
        assert out.shape == () and out.item() == 3.0
        out.backward()
        close(grad(x), [0, 0.5, 0.5, 0])
        y = T([1.0, 3.0, 1.0, 1.0])
        y.min().backward()
        close(grad(y), [1 / 3, 0, 1 / 3, 1 / 3])

    @pytest.mark.parametrize("name", ["max", "amax", "min", "amin"])
    def test_dim_ties_split_evenly(self, name):
        big = name in ("max", "amax")
        xn = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]) if big else np.array(
            [[1.0, -3.0, -3.0], [-2.0, -2.0, 0.0]])
        x = T(xn)
        getattr(x, name)(dim=1).sum().backward()
        close(grad(x), [[0, 0.5, 0.5], [0.5, 0.5, 0]])

    def test_argmax_argmin(self):
        xn = RNG(8).normal(size=(3, 4))
        x = T(xn)
        am = x.argmax()
        assert is_int_dtype(am.dtype) and int(am.item()) == int(np.argmax(xn))
        assert int(x.argmin().item()) == int(np.argmin(xn))
        r = x.argmax(dim=1)
        assert r.shape == (3,) and is_int_dtype(r.dtype)
        np.testing.assert_array_equal(val(r), np.argmax(xn, axis=1))
        np.testing.assert_array_equal(val(x.argmin(dim=0)), np.argmin(xn, axis=0))
        k = x.argmax(dim=1, keepdim=True)
        assert k.shape == (3, 1)
        assert not r.requires_grad

    def test_argmax_ties_first_occurrence(self):
        x = tg.Tensor([1.0, 5.0, 5.0, 0.0])
        assert int(x.argmax().item()) == 1
        assert int(tg.Tensor([2.0, 0.0, 0.0]).argmin().item()) == 1


class TestSoftmaxFamily:
    @staticmethod
    def _softmax(x, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_softmax(self, dim):
        xn = RNG(9).normal(size=(3, 4))
        x = T(xn)
        out = x.softmax(dim)
        s = self._softmax(xn, dim)
        close(val(out), s)
        close(val(out).sum(axis=dim), 1.0)
        w = RNG(10).normal(size=(3, 4))
        vjp(out, w)
        close(grad(x), s * (w - (s * w).sum(axis=dim, keepdims=True)))

    @pytest.mark.parametrize("dim", [0, -1])
    def test_log_softmax(self, dim):
        xn = RNG(11).normal(size=(3, 4))
        x = T(xn)
        out = x.log_softmax(dim=dim)
        s = self._softmax(xn, dim)
        close(val(out), np.log(s))
        w = RNG(12).normal(size=(3, 4))
        vjp(out, w)
        close(grad(x), w - s * w.sum(axis=dim, keepdims=True))

    @pytest.mark.parametrize("dt", [np.float32, np.float64])
    def test_stable_on_large_inputs(self, dt):
        x = T([1000.0, 1001.0, 1002.0], dtype=dt)
        s = x.softmax(-1)
        assert np.all(np.isfinite(val(s)))
        close(val(s), self._softmax(np.array([0.0, 1.0, 2.0]), -1), rtol=1e-5)
        ls = T([1000.0, 0.0], dtype=dt).log_softmax(-1)
        close(val(ls), [0.0, -1000.0], rtol=1e-5, atol=1e-4)
        ls2 = T([0.0, -1000.0], dtype=dt).log_softmax(-1)
        close(val(ls2), [0.0, -1000.0], rtol=1e-5, atol=1e-4)
        lse = T([1000.0, 1000.0], dtype=dt).logsumexp(0)
        close(val(lse), 1000.0 + math.log(2.0), rtol=1e-6)
        lse2 = T([-1000.0, -1000.0], dtype=dt).logsumexp(0)
        close(val(lse2), -1000.0 + math.log(2.0), rtol=1e-6)

    def test_minus_inf_entries_like_pytorch(self):
        x = T([0.0, -np.inf, 1.0])
        close(val(x.softmax(0)), self._softmax(np.array([0.0, -np.inf, 1.0]), 0))
        ls = val(x.log_softmax(0))
        assert ls[1] == -np.inf and np.all(np.isfinite(ls[[0, 2]]))
        close(val(x.logsumexp(0)), np.log(1 + np.e))
        x.logsumexp(0).backward()
        close(grad(x), self._softmax(np.array([0.0, -np.inf, 1.0]), 0))

    def test_grads_finite_on_large_inputs(self):
        x = T([1000.0, 1001.0, 1002.0])
        x.logsumexp(0).backward()
        close(grad(x), self._softmax(np.array([0.0, 1.0, 2.0]), -1))
        y = T([1000.0, 0.0])
        (y.log_softmax(-1) * tg.Tensor(np.array([1.0, 0.0]))).sum().backward()
        close(grad(y), [0.0, -0.0], atol=1e-12)  # w - s * sum(w) = [1-1, 0-0]
        z = T([1000.0, 1001.0])
        (z.softmax(-1) * tg.Tensor(np.array([1.0, 0.0]))).sum().backward()
        assert np.all(np.isfinite(grad(z)))


# --------------------------------------------------------------------------- shape ops


class TestShapeOps:
    def test_reshape_and_view(self):
        xn = np.arange(24.0).reshape(2, 3, 4)
        for method in ("reshape", "view"):
            x = T(xn)
            r = getattr(x, method)(4, 6)
            assert r.shape == (4, 6)
            close(val(r), xn.reshape(4, 6))
            assert getattr(x, method)((6, -1)).shape == (6, 4)
            assert getattr(x, method)(-1).shape == (24,)
            w = RNG(13).normal(size=(4, 6))
            vjp(r, w)
            close(grad(x), w.reshape(2, 3, 4))

    def test_flatten(self):
        xn = np.arange(24.0).reshape(2, 3, 4)
        x = T(xn)
        assert x.flatten().shape == (24,)
        assert x.flatten(start_dim=1).shape == (2, 12)
        assert x.flatten(0, 1).shape == (6, 4)
        out = x.flatten(1)
        close(val(out), xn.reshape(2, 12))
        w = RNG(14).normal(size=(2, 12))
        vjp(out, w)
        close(grad(x), w.reshape(2, 3, 4))

    def test_transpose_permute_T(self):
        xn = RNG(15).normal(size=(2, 3, 4))
        x = T(xn)
        t = x.transpose(0, 2)
        assert t.shape == (4, 3, 2)
        close(val(t), np.swapaxes(xn, 0, 2))
        close(val(x.transpose(-1, -2)), np.swapaxes(xn, -1, -2))
        w = RNG(16).normal(size=(4, 3, 2))
        vjp(t, w)
        close(grad(x), np.swapaxes(w, 0, 2))

        y = T(xn)
        p = y.permute(2, 0, 1)
        assert p.shape == (4, 2, 3)
        close(val(p), np.transpose(xn, (2, 0, 1)))
        close(val(y.permute((2, 0, 1))), np.transpose(xn, (2, 0, 1)))
        w2 = RNG(17).normal(size=(4, 2, 3))
        vjp(p, w2)
        close(grad(y), np.transpose(w2, (1, 2, 0)))

        mn = RNG(18).normal(size=(2, 3))
        m = T(mn)
        close(val(m.T), mn.T)
        vjp(m.T, np.arange(6.0).reshape(3, 2))
        close(grad(m), np.arange(6.0).reshape(3, 2).T)

    def test_unsqueeze_squeeze(self):
        xn = RNG(19).normal(size=(2, 3))
        x = T(xn)
        assert x.unsqueeze(0).shape == (1, 2, 3)
        assert x.unsqueeze(1).shape == (2, 1, 3)
        assert x.unsqueeze(-1).shape == (2, 3, 1)
        y = T(xn.reshape(1, 2, 1, 3))
        assert y.squeeze().shape == (2, 3)
        assert y.squeeze(0).shape == (2, 1, 3)
        assert y.squeeze(2).shape == (1, 2, 3)
        assert y.squeeze(1).shape == (1, 2, 1, 3)  # not size 1: no-op, as PyTorch
        out = y.squeeze()
        w = RNG(20).normal(size=(2, 3))
        vjp(out, w)
        assert y.grad.shape == (1, 2, 1, 3)
        close(grad(y), w.reshape(1, 2, 1, 3))
        u = x.unsqueeze(1)
        vjp(u, w.reshape(2, 1, 3))
        close(grad(x), w)

    def test_expand(self):
        xn = np.array([[1.0], [2.0], [3.0]])
        x = T(xn)
        e = x.expand(3, 4)
        assert e.shape == (3, 4)
        close(val(e), np.broadcast_to(xn, (3, 4)))
        assert x.expand(-1, 5).shape == (3, 5)
        assert x.expand(2, 3, 4).shape == (2, 3, 4)
        w = RNG(21).normal(size=(2, 3, 4))
        vjp(x.expand(2, 3, 4), w)
        close(grad(x), w.sum(axis=(0, 2)).reshape(3, 1))

    def test_getitem_basic(self):
        xn = np.arange(24.0).reshape(2, 3, 4)
        x = T(xn)
        close(val(x[1]), xn[1])
        close(val(x[-1, 2]), xn[-1, 2])
        assert x[1, 2, 3].shape == () and x[1, 2, 3].item() == 23.0
        close(val(x[:, 1:3]), xn[:, 1:3])
        close(val(x[..., ::2]), xn[..., ::2])
        assert x[None].shape == (1, 2, 3, 4)
        assert x[:, None].shape == (2, 1, 3, 4)
        close(val(x[None, ..., 1]), xn[None, ..., 1])
        close(val(x[..., 0]), xn[..., 0])
        out = x[:, 1:3, ::2]
        w = RNG(22).normal(size=out.shape)
        vjp(out, w)
        expected = np.zeros_like(xn)
        expected[:, 1:3, ::2] = w
        close(grad(x), expected)

    def test_getitem_int_array_repeated_indices_accumulate(self):
        x = T([10.0, 20.0, 30.0])
        out = x[[0, 2, 0, 0]]
        close(val(out), [10, 30, 10, 10])
        out.sum().backward()
        close(grad(x), [3, 0, 1])

        y = T(np.arange(12.0).reshape(3, 4))
        r = y[np.array([2, 2, 0])]
        assert r.shape == (3, 4)
        r.sum().backward()
        close(grad(y), np.array([[1.0] * 4, [0.0] * 4, [2.0] * 4]))

        z = T(np.arange(12.0).reshape(3, 4))
        p = z[[0, 0, 1], [1, 1, 3]]
        close(val(p), [1, 1, 7])
        p.sum().backward()
        expected = np.zeros((3, 4))
        expected[0, 1] = 2
        expected[1, 3] = 1
        close(grad(z), expected)

    def test_getitem_int_array_with_slice(self):
        xn = np.arange(12.0).reshape(3, 4)
        x = T(xn)
        out = x[[0, 2, 0], 1:3]
        close(val(out), xn[[0, 2, 0], 1:3])
        out.sum().backward()
        expected = np.zeros((3, 4))
        expected[0, 1:3] = 2
        expected[2, 1:3] = 1
        close(grad(x), expected)

    def test_getitem_int_tensor_index(self):
        x = T([10.0, 20.0, 30.0])
        out = x[tg.Tensor([1, 1, 2])]
        close(val(out), [20, 20, 30])
        out.sum().backward()
        close(grad(x), [0, 2, 1])

    def test_getitem_bool_mask(self):
        xn = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
        x = T(xn)
        out = x[x > 0]
        close(val(out), [1, 3, 5])
        out.sum().backward()
        close(grad(x), (xn > 0).astype(float))
        y = T(xn)
        rows = y[np.array([False, True])]
        assert rows.shape == (1, 3)
        (rows * 2.0).sum().backward()
        close(grad(y), [[0, 0, 0], [2, 2, 2]])

    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_cat(self, dim):
        rng = RNG(23)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        a, b = T(an), T(bn)
        out = tg.cat([a, b], dim=dim)
        on = np.concatenate([an, bn], axis=dim)
        assert out.shape == on.shape
        close(val(out), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        wa, wb = np.split(w, 2, axis=dim)
        close(grad(a), wa)
        close(grad(b), wb)

    def test_cat_unequal_sizes_tuple_and_default_dim(self):
        a, b = T(np.ones((1, 2))), T(np.zeros((3, 2)))
        out = tg.cat((a, b))
        assert out.shape == (4, 2)
        vjp(out, np.arange(8.0).reshape(4, 2))
        close(grad(a), [[0, 1]])
        close(grad(b), np.arange(2.0, 8.0).reshape(3, 2))

    def test_cat_with_non_grad_input(self):
        a = T([1.0, 2.0])
        c = tg.Tensor(np.array([3.0]))
        out = tg.cat([a, c])
        assert out.requires_grad
        vjp(out, np.array([5.0, 6.0, 7.0]))
        close(grad(a), [5, 6])
        assert c.grad is None

    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_stack(self, dim):
        rng = RNG(24)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        a, b = T(an), T(bn)
        out = tg.stack([a, b], dim=dim)
        on = np.stack([an, bn], axis=dim)
        assert out.shape == on.shape
        close(val(out), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        close(grad(a), np.take(w, 0, axis=dim))
        close(grad(b), np.take(w, 1, axis=dim))


# =========================================================================== Autograd


class TestGradMode:
    def test_no_grad_context(self):
        x = T([1.0, 2.0])
        with tg.no_grad():
            y = x * 2.0
        assert not y.requires_grad and y.grad_fn is None
        close(val(y), [2, 4])
        z = x * 2.0
        assert z.requires_grad and z.grad_fn is not None

    def test_no_grad_decorator(self):
        x = T([1.0, 2.0])

        @tg.no_grad()
        def f(t):
            return t * t

        y = f(x)
        assert not y.requires_grad
        close(val(y), [1, 4])
        assert (x * x).requires_grad

    def test_enable_grad_inside_no_grad(self):
        x = T([1.0, 2.0])
        with tg.no_grad():
            with tg.enable_grad():
                y = x * 3.0
            z = x * 3.0
        assert y.requires_grad and not z.requires_grad
        y.sum().backward()
        close(grad(x), [3, 3])

    def test_enable_grad_decorator(self):
        x = T([1.0, 2.0])

        @tg.enable_grad()
        def f(t):
            return t * t

        with tg.no_grad():
            y = f(x)
            z = x * x
        assert y.requires_grad and not z.requires_grad

    def test_no_grad_restored_after_exception(self):
        x = T([1.0])
        with pytest.raises(KeyError):
            with tg.no_grad():
                raise KeyError("boom")
        assert (x * 2.0).requires_grad

    def test_nested_no_grad_restores(self):
        x = T([1.0])
        with tg.no_grad():
            with tg.no_grad():
                pass
            assert not (x * 2.0).requires_grad
        assert (x * 2.0).requires_grad


class TestAutogradGrad:
    def test_returns_tuple_and_leaves_grad_untouched(self):
        x = T([1.0, 2.0])
        w = T([3.0, -1.0])
        y = (x * x * w).sum()
        gs = tg.autograd.grad(y, [x, w])
        assert isinstance(gs, tuple) and len(gs) == 2
        assert all(isinstance(g, tg.Tensor) for g in gs)
        close(val(gs[0]), [6, -4])
        close(val(gs[1]), [1, 4])
        assert x.grad is None and w.grad is None
        assert not gs[0].requires_grad

    def test_single_input_gives_one_tuple(self):
        x = T([1.0, 2.0])
        gs = tg.autograd.grad((x**2).sum(), x)
        assert isinstance(gs, tuple) and len(gs) == 1
        close(val(gs[0]), [2, 4])

    def test_existing_grad_not_modified(self):
        x = T([1.0, 2.0])
        (x * 5.0).sum().backward()
        tg.autograd.grad((x * x).sum(), [x])
        close(grad(x), [5, 5])

    def test_multiple_outputs_are_summed(self):
        x = T([1.0, 2.0])
        (g,) = tg.autograd.grad([(x * x).sum(), (3.0 * x).sum()], [x])
        close(val(g), [5, 7])

    def test_grad_outputs_for_non_scalar(self):
        x = T([1.0, 2.0, 3.0])
        (g,) = tg.autograd.grad(x * x, [x], grad_outputs=tg.Tensor(np.array([1.0, -1.0, 0.5])))
        close(val(g), [2, -4, 3])

    def test_retain_graph(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        (g1,) = tg.autograd.grad(y, [x], retain_graph=True)
        (g2,) = tg.autograd.grad(y, [x])
        close(val(g1), val(g2))
        with pytest.raises(RuntimeError):
            tg.autograd.grad(y, [x])

    def test_create_graph_grad_of_grad(self):
        xn = np.array([0.3, -1.2, 2.0])
        x = T(xn)
        y = (x.sin() * x).sum()
        (g,) = tg.autograd.grad(y, x, create_graph=True)
        assert g.requires_grad
        close(val(g), np.cos(xn) * xn + np.sin(xn))
        (g2,) = tg.autograd.grad(g.sum(), x)
        close(val(g2), 2 * np.cos(xn) - xn * np.sin(xn))
        assert x.grad is None

    def test_hessian_vector_product(self):
        xn = np.array([0.5, -1.0, 2.0])
        vn = np.array([1.0, 2.0, 3.0])
        x = T(xn)
        f = (x**3).sum() + (x * x.sum()).sum()  # sum x^3 + (sum x)^2
        (g,) = tg.autograd.grad(f, [x], create_graph=True)
        close(val(g), 3 * xn**2 + 2 * xn.sum())
        (hv,) = tg.autograd.grad((g * tg.Tensor(vn)).sum(), [x])
        close(val(hv), 6 * xn * vn + 2 * vn.sum())

    def test_allow_unused(self):
        x, z = T([1.0, 2.0]), T([5.0])
        y = (x * x).sum()
        with pytest.raises(RuntimeError):
            tg.autograd.grad(y, [x, z], retain_graph=True)
        gx, gz = tg.autograd.grad(y, [x, z], allow_unused=True)
        close(val(gx), [2, 4])
        assert gz is None

    def test_input_not_requiring_grad_raises(self):
        x = tg.Tensor([1.0, 2.0])
        w = T([1.0, 1.0])
        y = (x * w).sum()
        with pytest.raises(RuntimeError):
            tg.autograd.grad(y, [x])


def _wrong_grad_fn(mask):
    """Analytic gradient of b is a + b*mask, the true derivative is a + 2*b*mask
    (b.detach() hides one factor from autograd, not from finite differences)."""
    m = tg.Tensor(np.asarray(mask, dtype=np.float64))
    return lambda a, b: (a * b).sum() + (b * b.detach() * m).sum()


class TestGradcheck:
    def test_passes_for_correct_function(self):
        rng = RNG(25)
        a, b = T(rng.normal(size=(2, 3))), T(rng.normal(size=(3,)))
        ok = tg.autograd.gradcheck(lambda a, b: (a * b.exp() + a.tanh() / (1.0 + b * b)).sum(), (a, b))
        assert ok is True

    def test_passes_for_non_scalar_output(self):
        a, b = T([0.3, 1.2]), T([[0.5], [-0.7]])
        assert tg.autograd.gradcheck(lambda a, b: (a * b).sin() + a @ a * b, (a, b)) is True

    def test_float32_inputs_checked_in_float64(self):
        x = T([0.3, 1.2], dtype=np.float32)
        assert tg.autograd.gradcheck(lambda x: (x * x).sum(), (x,)) is True

    def test_raises_gradcheck_error_naming_input_index_values(self):
        a = T([1.0, 2.0, 0.25])
        b = T([0.5, 1.5, 3.0])
        fn = _wrong_grad_fn([0.0, 0.0, 1.0])
        with pytest.raises(Exception) as ei:
            tg.autograd.gradcheck(fn, (a, b))
        assert type(ei.value).__name__ == "GradcheckError", type(ei.value)
        msg = str(ei.value)
        # input 1, element 2: analytic a2 + b2 = 3.25, numerical a2 + 2 b2 = 6.25
        assert re.search(r"input\D{0,20}1", msg, re.I), msg
        assert re.search(r"index\D{0,20}2|\(2,\)|\[2\]", msg, re.I), msg
        assert has_number_close(msg, 3.25) and has_number_close(msg, 6.25), msg

    def test_tolerances_are_honoured(self):
        a, b = T([1.0, 2.0, 0.25]), T([0.5, 1.5, 3.0])
        # the mismatch is 3.0 (3.25 vs 6.25): a loose atol accepts it
        assert tg.autograd.gradcheck(_wrong_grad_fn([0.0, 0.0, 1.0]), (a, b), atol=10.0) is True

    def test_gradcheck_error_is_public_and_a_runtime_error(self):
        err = getattr(tg.autograd, "GradcheckError", None)
        assert err is not None, "tg.autograd.GradcheckError should be importable"
        assert issubclass(err, RuntimeError)  # as torch.autograd.GradcheckError
        with pytest.raises(err):
            tg.autograd.gradcheck(_wrong_grad_fn([1.0]), (T([1.0]), T([2.0])))

    def test_gradgradcheck_passes(self):
        a, b = T([0.3, -0.8, 1.1]), T([0.5, 1.5, -0.2])
        assert tg.autograd.gradgradcheck(lambda a, b: (a * b * b).sum() + (a.sin() * a).sum() + (b.tanh() ** 2).sum(), (a, b)) is True

    def test_gradgradcheck_detects_wrong_second_derivative(self):
        # d/dx of (x * x.detach()) is x.detach() as far as autograd knows: its analytic
        # second derivative is 0, the numerical one is 1.
        x = T([0.5, 1.5])
        with pytest.raises(Exception) as ei:
            tg.autograd.gradgradcheck(lambda x: (x * x.detach()).sum(), (x,))
        assert type(ei.value).__name__ == "GradcheckError", type(ei.value)


class TestDetectAnomaly:
    def test_forward_nan_names_op(self):
        x = T([-1.0, 1.0])
        with tg.autograd.detect_anomaly():
            with pytest.raises(Exception) as ei:
                x.log()
        assert "log" in str(ei.value).lower(), str(ei.value)

    def test_forward_inf_names_op(self):
        x = T([0.0, 1.0])
        with tg.autograd.detect_anomaly():
            with pytest.raises(Exception) as ei:
                1.0 / x
        msg = str(ei.value).lower()
        assert "div" in msg or "/" in msg, msg

    def test_backward_inf_names_op(self):
        x = T([0.0, 1.0])
        with tg.autograd.detect_anomaly():
            y = x.sqrt().sum()  # forward is finite
            close(val(y), 1.0)
            with pytest.raises(Exception) as ei:
                y.backward()
        assert "sqrt" in str(ei.value).lower(), str(ei.value)

    def test_clean_computation_unaffected_and_mode_ends(self):
        x = T([1.0, 4.0])
        with tg.autograd.detect_anomaly():
            x.sqrt().sum().backward()
        close(grad(x), [0.5, 0.25])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = T([-1.0]).log()  # outside the context: no exception
        assert np.isnan(val(out)).all()


# =========================================================================== testing


class TestTestingModule:
    @FAST
    @given(tg.testing.tensors(shape=(2, 3)))
    def test_tensors_fixed_shape(self, t):
        assert isinstance(t, tg.Tensor)
        assert t.shape == (2, 3) and t.dtype == np.float64

    @FAST
    @given(tg.testing.tensors(max_dims=2, max_side=3, min_side=1))
    def test_tensors_shape_bounds(self, t):
        assert isinstance(t, tg.Tensor)
        assert t.ndim <= 2
        assert all(1 <= s <= 3 for s in t.shape)

    @FAST
    @given(tg.testing.tensors())
    def test_tensors_defaults(self, t):
        assert t.dtype == np.float64
        assert t.ndim <= 4 and all(0 <= s <= 5 for s in t.shape)

    @FAST
    @given(tg.testing.tensors(shape=(4,), dtype=tg.float32, elements=st.floats(-1, 1, width=32)))
    def test_tensors_dtype_and_elements(self, t):
        assert t.dtype == np.float32
        v = val(t)
        assert np.all((v >= -1) & (v <= 1))

    @FAST
    @given(tg.testing.broadcastable_shapes(n=3))
    def test_broadcastable_shapes(self, shapes):
        assert len(shapes) == 3
        np.broadcast_shapes(*[tuple(s) for s in shapes])  # raises if not broadcastable

    @FAST
    @given(tg.testing.broadcastable_shapes(n=2))
    def test_property_broadcast_grad_reduces_to_input_shape(self, shapes):
        sa, sb = (tuple(s) for s in shapes)
        rng = RNG(0)
        an, bn = rng.normal(size=sa), rng.normal(size=sb)
        a, b = T(an), T(bn)
        out = a * b
        assert out.shape == np.broadcast_shapes(sa, sb)
        out.sum().backward()
        assert a.grad.shape == sa and b.grad.shape == sb
        full = np.broadcast_shapes(sa, sb)
        close(grad(a), unbroadcast(np.broadcast_to(bn, full), sa))
        close(grad(b), unbroadcast(np.broadcast_to(an, full), sb))

    @FAST
    @given(tg.testing.tensors(shape=(3,), elements=st.floats(-2, 2)))
    def test_assert_gradients_close_passes_in_property_test(self, x):
        x.requires_grad_()
        tg.testing.assert_gradients_close(lambda t: (t.tanh() * t + t.exp()).sum(), x)

    def test_assert_gradients_close_passes_two_inputs(self):
        a, b = T([0.3, -0.4]), T([[1.2], [0.7]])
        tg.testing.assert_gradients_close(lambda a, b: (a * b.exp() + a**2).sum(), a, b)

    def test_assert_gradients_close_raises_on_wrong_gradient(self):
        # x * x.detach(): analytic gradient x, numerical 2x.  Worst mismatch: element 1
        # (analytic 4, numerical 8).
        x = T([0.5, 4.0])
        with pytest.raises(AssertionError) as ei:
            tg.testing.assert_gradients_close(lambda t: (t * t.detach()).sum(), x)
        msg = str(ei.value)
        assert has_number_close(msg, 4.0) and has_number_close(msg, 8.0), msg

    def test_assert_gradients_close_honours_atol(self):
        x = T([0.5, 4.0])
        tg.testing.assert_gradients_close(lambda t: (t * t.detach()).sum(), x, atol=10.0)

    def test_assert_gradients_close_raises_at_kink(self):
        # relu at 0: analytic 0, central difference 0.5
        x = T([0.0, 1.0])
        with pytest.raises(AssertionError):
            tg.testing.assert_gradients_close(lambda t: t.relu().sum(), x)


# =========================================================================== Errors


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
            tg.where(tg.Tensor(np.array([True, False])), T(np.ones(3)), T(np.ones(3)))

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
