"""Reductions: sum, mean, var, std, max / min, amax / amin, logsumexp, arg*, the softmax
family; dims and keepdim, PyTorch's and numpy's spellings, ties, hostile dims."""

import math

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import (
    RNG,
    T,
    assert_gradients_close,
    check_forward,
    close,
    grad,
    is_int_dtype,
    val,
    vjp,
)
from hostile import (
    Refused,
    assert_same,
    check_dims,
    dims,
    hostile_input,
    numpy_or_refused,
    run_or_refused,
    tensors,
    tolerance,
)
from hypothesis import example, given
from op_table import OPS
from strategies import tensor

import tinygrad_edu as tg

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


ROWS = {op.name: op for op in OPS if op.reduction and op.differentiable}


def _np_reduce(name, x, axes, keepdims):
    return ROWS[name].ref(x, axis=axes, keepdims=keepdims)


def _np_reduce_grad(name, x, axes, keepdims, w):
    return _expand(w, x.shape, axes, keepdims) * ROWS[name].d1(x, axes)


REDUCTIONS = list(ROWS)
REDUCTION_CASES = [
    (name, dim, keepdim)
    for name in REDUCTIONS
    for dim in DIMS
    for keepdim in (False, True)
    # dim=None is the full reduction (no keepdim); PyTorch's logsumexp needs a dim
    if not (dim is None and (keepdim or name == "logsumexp"))
    and not (ROWS[name].single_dim and isinstance(dim, tuple))
]
# the reductions spelled x.<name>(...) that take tuples of dims and numpy's aliases
SPELLED = [name for name, op in ROWS.items() if not op.single_dim and hasattr(tg.Tensor, name)]


class TestReductions:
    @pytest.mark.parametrize("name,dim,keepdim", REDUCTION_CASES, ids=str)
    def test_reduction_forward_and_grad(self, name, dim, keepdim):
        x = T(X3)
        if dim is None:
            out = ROWS[name].fn(x)
        else:
            out = ROWS[name].fn(x, dim, keepdim=keepdim)
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
        close(val(ROWS[name].fn(x, 1)), _np_reduce(name, X3, (1,), False))

    @pytest.mark.parametrize("name", SPELLED)
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
    def test_max_min_with_dim_return_values_and_indices(self, name):
        x = T(X3)
        r = getattr(x, name)(dim=1)
        assert isinstance(r, tuple) and type(r) is getattr(tg.return_types, name)
        values, indices = r
        assert values is r.values and indices is r.indices and r[0] is values
        assert values.shape == indices.shape == (2, 4) and indices.dtype == np.int64
        close(val(values), getattr(X3, name)(axis=1))
        np.testing.assert_array_equal(val(indices), getattr(np, "arg" + name)(X3, axis=1))

    def test_full_max_min_ties_split_evenly(self):
        x = T([1.0, 3.0, 3.0, 2.0])
        out = x.max()
        assert out.shape == () and out.item() == 3.0
        out.backward()
        close(grad(x), [0, 0.5, 0.5, 0])
        y = T([1.0, 3.0, 1.0, 1.0])
        y.min().backward()
        close(grad(y), [1 / 3, 0, 1 / 3, 1 / 3])

    @pytest.mark.parametrize("name", ["amax", "amin"])
    def test_dim_ties_split_evenly(self, name):
        big = name == "amax"
        xn = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]) if big else np.array(
            [[1.0, -3.0, -3.0], [-2.0, -2.0, 0.0]])
        x = T(xn)
        getattr(x, name)(dim=1).sum().backward()
        close(grad(x), [[0, 0.5, 0.5], [0.5, 0.5, 0]])

    @pytest.mark.parametrize("name", ["max", "min"])
    def test_dim_ties_send_the_gradient_to_the_index(self, name):
        # as PyTorch: max(dim) is the value at its index (the first of the ties)
        xn = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]) * (1 if name == "max" else -1)
        x = T(xn)
        getattr(x, name)(dim=1).values.sum().backward()
        close(grad(x), [[0, 1, 0], [1, 0, 0]])

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


def naive(fn):
    """A float64 reference from the textbook formula (no shift by the maximum)."""
    def ref(a, axes):
        return fn(a.astype(np.float64), axes)
    return ref


def positional(ref):
    """`ref(a, axis, keepdims=...)` called as `(a, axes, keepdims)`."""
    return lambda a, axes, keepdims: ref(a, axes, keepdims=keepdims)


# the reductions of the op table fed hostile dims: name → numpy's reference
HOSTILE_REDUCTIONS = {op.name: positional(op.hostile_ref or op.ref) for op in OPS
                      if op.reduction and op.hostile}
ALONG_ONE_DIM = {
    "softmax": lambda a, axes: np.exp(a) / np.sum(np.exp(a), axes, keepdims=True),
    "log_softmax": lambda a, axes: a - np.log(np.sum(np.exp(a), axes, keepdims=True)),
}


def reduced_dtype(name, x, want):
    """numpy's result dtype, but int and bool inputs to the exp-based ops give the default
    float dtype, and sums of them int64 (numpy keeps uint8 sums as uint64)."""
    if name == "sum" and x.dtype.kind in "biu":
        return np.int64
    if name in ("logsumexp", "softmax", "log_softmax"):
        return x.dtype if x.dtype.kind == "f" else tg.get_default_dtype()
    return want.dtype


@st.composite
def tensor_and_dim(draw):
    """A tensor and a dim that fits it (an int or a tuple), or a hostile one."""
    x = draw(tensors(max_dims=3))
    nd = max(x.ndim, 1)
    fits = st.one_of(st.integers(-nd, nd - 1),
                     st.lists(st.integers(-nd, nd - 1), max_size=nd).map(tuple))
    return x, draw(st.one_of(fits, fits, fits, dims))


@hostile_input
@given(st.sampled_from(sorted(HOSTILE_REDUCTIONS)), tensor_and_dim(), st.booleans())
@example("std", (tg.ones(2), 5), False)  # the message named var
@example("logsumexp", (tg.tensor([True, False]), 0), False)  # bool: numpy's subtract error
def test_reductions_with_hostile_dims(name, x_dim, keepdim):
    x, dim = x_dim

    def expected():
        axes = None if dim is None else check_dims(dim, x.ndim)
        if name in ("mean", "var", "std") and x.dtype.kind != "f":
            raise Refused  # PyTorch: ints and bools need a float dtype (or mean's dtype=)
        want = numpy_or_refused(HOSTILE_REDUCTIONS[name], x.numpy(), axes, keepdim)
        return want.astype(reduced_dtype(name, x, want))

    got = run_or_refused(lambda: getattr(x, name)(dim, keepdim), expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))


@hostile_input
@given(st.sampled_from(["argmax", "argmin", "softmax", "log_softmax"]), tensor_and_dim(),
       st.booleans())
@example("softmax", (tg.tensor(0.5), 0), False)  # AxisError
@example("argmax", (tg.tensor(0.5), 0), False)  # "tuple index out of range"
@example("softmax", (tg.ones(2, 3), ()), False)  # "not enough values to unpack"
def test_single_dim_ops_with_hostile_dims(name, x_dim, keepdim):
    x, dim = x_dim
    a = x.numpy()

    def expected():
        if name in ALONG_ONE_DIM:
            if dim is None:
                raise Refused
            axes = check_dims(dim, x.ndim, single=True)
            want = numpy_or_refused(naive(ALONG_ONE_DIM[name]), a, axes)
            return want.astype(reduced_dtype(name, x, want))
        if dim is None or x.ndim == 0:
            if dim is not None:
                check_dims(dim, 0, single=True)
            return numpy_or_refused(getattr(np, name), a)
        (axis,) = check_dims(dim, x.ndim, single=True)
        return numpy_or_refused(lambda: getattr(np, name)(a, axis, keepdims=keepdim))

    args = (dim,) if name in ALONG_ONE_DIM or dim is None else (dim, keepdim)
    got = run_or_refused(lambda: getattr(x, name)(*args), expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))


def test_reduction_aliases_axis_keepdims():
    x = tg.tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_array_equal(x.mean(axis=0).numpy(), [1.5, 2.5, 3.5])
    with pytest.raises(TypeError, match="both dim and its alias axis"):
        x.sum(0, axis=1)


def test_max_ties_split_gradient_evenly():
    x = tg.tensor([1.0, 3.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0, 1 / 3, 1 / 3, 1 / 3, 0])
    y = tg.tensor([[2.0, 2.0], [1.0, 0.0]], requires_grad=True)
    y.amin(dim=1).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [[0.5, 0.5], [0, 1]])


def test_max_with_dim_returns_values_and_argmax_gives_indices():
    x = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(dim=1)
    assert isinstance(values, tg.Tensor)
    np.testing.assert_array_equal(values.numpy(), [5.0, 7.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    np.testing.assert_array_equal(x.argmax(dim=1).numpy(), [1, 0])
    np.testing.assert_array_equal(x.argmin(dim=0, keepdim=True).numpy(), [[0, 1, 0]])
    assert x.argmax().item() == 3


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_forward_and_gradient(name, data):
    x = data.draw(tensor(min_side=1).filter(lambda t: t.ndim > 0))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    e = np.exp(x.numpy() - x.numpy().max(axis=dim, keepdims=True))
    p = e / e.sum(axis=dim, keepdims=True)
    check_forward(getattr(x, name)(dim), p if name == "softmax" else np.log(p))
    assert_gradients_close(lambda t: getattr(t, name)(dim), x)


def test_softmax_logsumexp_are_stable_for_huge_inputs():
    for dtype in (tg.float32, tg.float64):
        x = tg.tensor([1000.0, 0.0, -1000.0], dtype=dtype, requires_grad=True)
        assert x.logsumexp(0).item() == pytest.approx(1000.0)
        np.testing.assert_allclose(x.softmax(0).numpy(), [1, 0, 0], atol=1e-30)
        np.testing.assert_allclose(x.log_softmax(0).numpy(), [0, -1000, -2000], rtol=1e-6)
        x.logsumexp(0).backward()
        np.testing.assert_allclose(x.grad.numpy(), [1, 0, 0])
    neg = tg.tensor([-np.inf, -np.inf])
    assert neg.logsumexp(0).item() == -np.inf
