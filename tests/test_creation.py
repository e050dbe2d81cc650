"""Factories: zeros, ones, full, arange, linspace, eye, rand*, the *_like forms."""

import math
import numbers

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import close, grad, is_int_dtype, val
from hostile import (
    HUGE_INTS,
    Refused,
    assert_same,
    check_sizes,
    data_inputs,
    hostile_input,
    junk,
    numpy_or_refused,
    numpy_scalars,
    operands,
    python_scalars,
    run_or_refused,
    sizes,
)
from hypothesis import example, given

import tinygrad_edu as tg


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


@hostile_input
@given(st.sampled_from(["zeros", "ones", "empty", "randn", "rand"]),
       st.lists(sizes, max_size=3), st.sampled_from(["varargs", "tuple", "list"]))
@example("zeros", [-1], "varargs")  # numpy's message did not name zeros
def test_factories_with_hostile_sizes(name, size, form):
    factory = getattr(tg, name)
    args = {"varargs": size, "tuple": [tuple(size)], "list": [list(size)]}[form]
    got = run_or_refused(lambda: factory(*args), lambda: check_sizes(size), name)
    if got:
        out, shape = got
        assert out.shape == shape and out.dtype == tg.get_default_dtype()
        values = out.numpy()
        if name in ("zeros", "ones"):
            assert np.all(values == (name == "ones"))
        if name == "rand":
            assert np.all((values >= 0) & (values < 1))
        if name == "randn":
            assert np.all(np.isfinite(values))


@hostile_input
@given(st.lists(sizes, max_size=2),
       st.one_of(python_scalars, numpy_scalars, junk, st.just(np.array(1.0))))
def test_full_with_hostile_fill(size, fill):
    def expected():
        shape = check_sizes(size)
        if isinstance(fill, (bool, np.bool_)):
            d = tg.bool_
        elif isinstance(fill, numbers.Integral):
            d = tg.int64
            if not -(2**63) <= fill < 2**63:
                raise Refused
        elif isinstance(fill, numbers.Real):
            d = tg.get_default_dtype()
        else:
            raise Refused
        return np.full(shape, fill, d)

    got = run_or_refused(lambda: tg.full(tuple(size), fill), expected, "full")
    if got:
        assert_same(*got)


bounds = st.one_of(st.integers(-5, 5), st.floats(-5, 5),
                   st.sampled_from([math.nan, math.inf, -math.inf, 10**30, 0]),
                   st.complex_numbers(max_magnitude=5), st.text(max_size=1), st.none(),
                   st.just(tg.tensor(3)))
steps = st.one_of(st.sampled_from([1, 2, -1, 0.5, -0.25, 3, 0, math.nan, math.inf, 10**30]),
                  st.complex_numbers(max_magnitude=5), st.text(max_size=1), st.none())


@hostile_input
@given(bounds, bounds, steps)
@example(1j, None, 1)  # was an empty tensor
@example("a", None, 1)  # numpy's message did not name arange
def test_arange_with_hostile_bounds(start, end, step):
    def expected():
        args = (start, end, step) if end is not None else (0, start, step)
        values = [v.item() if isinstance(v, tg.Tensor) else v for v in args]
        if not all(isinstance(v, numbers.Real) for v in values):
            raise Refused
        if not all(math.isfinite(v) and abs(v) < 2**63 for v in values) or values[2] == 0:
            raise Refused
        out = numpy_or_refused(np.arange, *values)
        all_int = all(isinstance(v, numbers.Integral) for v in values)
        return out.astype(tg.int64 if all_int else tg.get_default_dtype())

    got = run_or_refused(lambda: tg.arange(start, end, step), expected, "arange")
    if got:
        assert_same(*got)


@hostile_input
@given(bounds, bounds, st.one_of(st.integers(-2, 5), st.floats(), st.text(max_size=1),
                                 st.none()))
@example(0, 1j, 3)  # the imaginary part was dropped
def test_linspace_with_hostile_bounds(start, end, n):
    def expected():
        values = [v.item() if isinstance(v, tg.Tensor) else v for v in (start, end)]
        if not all(isinstance(v, numbers.Real) for v in values):
            raise Refused
        if not isinstance(n, int) or n < 0:
            raise Refused
        return np.linspace(*map(float, values), n).astype(tg.get_default_dtype())

    got = run_or_refused(lambda: tg.linspace(start, end, n), expected, "linspace")
    if got:
        assert_same(*got)


@hostile_input
@given(sizes, st.one_of(st.none(), sizes))
def test_eye_with_hostile_sizes(n, m):
    def expected():
        return np.eye(*check_sizes([n] if m is None else [n, m]), dtype=tg.get_default_dtype())

    got = run_or_refused(lambda: tg.eye(n, m), expected, "eye")
    if got:
        assert_same(*got)


int_bounds = st.one_of(st.integers(-5, 5), st.sampled_from(HUGE_INTS), st.floats(),
                       st.complex_numbers(), st.text(max_size=1), st.none(), st.booleans())


@hostile_input
@given(int_bounds, int_bounds, st.lists(sizes, max_size=2))
def test_randint_with_hostile_bounds(low, high, size):
    def expected():
        lo, hi = (0, low) if high is None else (low, high)
        for v in (lo, hi):
            if isinstance(v, bool) or not isinstance(v, int) or not -(2**63) <= v <= 2**63:
                raise Refused
        if hi <= lo:
            raise Refused
        return check_sizes(size), lo, hi

    got = run_or_refused(lambda: tg.randint(low, high, tuple(size)), expected, "randint")
    if got:
        out, (shape, lo, hi) = got
        assert out.shape == shape and out.dtype == tg.int64
        assert np.all((out.numpy() >= lo) & (out.numpy() < hi))


def tensor_or_refused(t):
    """zeros_like / ones_like take a tensor, as PyTorch."""
    if not isinstance(t, tg.Tensor):
        raise Refused
    return t


@hostile_input
@given(st.one_of(data_inputs, operands))
@example([1.0])  # AttributeError
def test_like_factories_want_a_tensor(t):
    for name in ("zeros_like", "ones_like"):
        got = run_or_refused(lambda name=name: getattr(tg, name)(t), lambda: tensor_or_refused(t), name)
        if got:
            assert got[0].shape == t.shape and got[0].dtype == t.dtype


# As PyTorch: arange and linspace refuse bool, randn and rand want a float dtype, randint a
# dtype that holds every value of [low, high); the others take any dtype.

@pytest.mark.parametrize("name, call", [
    ("arange", lambda d: tg.arange(3, dtype=d)),
    ("arange", lambda d: tg.arange(0, 1, 0.25, dtype=d)),
    ("linspace", lambda d: tg.linspace(0, 1, 3, dtype=d)),
    ("randn", lambda d: tg.randn(2, dtype=d)),
    ("rand", lambda d: tg.rand(2, 3, dtype=d)),
])
def test_factories_refuse_dtypes_pytorch_refuses(name, call):
    refused = [tg.bool_] + ([tg.uint8, tg.int8, tg.int32, tg.int64] if "rand" in name else [])
    for d in refused:
        with pytest.raises(TypeError, match=rf"^{name}: .*{d}"):
            call(d)
    accepted = [tg.float16, tg.float32, tg.float64]
    if "rand" not in name:
        accepted += [tg.uint8, tg.int8, tg.int32, tg.int64]
    for d in accepted:
        assert call(d).dtype == d


def test_randint_refuses_a_range_its_dtype_cannot_hold():
    with pytest.raises(ValueError, match=r"^randint: .*\[0, 300\).*uint8"):
        tg.randint(0, 300, (4,), dtype=tg.uint8)
    with pytest.raises(ValueError, match=r"^randint: .*\[-1, 3\).*uint8"):
        tg.randint(-1, 3, (4,), dtype=tg.uint8)
    with pytest.raises(ValueError, match=r"^randint: .*\[0, 3\).*bool"):
        tg.randint(0, 3, (4,), dtype=tg.bool_)
    assert tg.randint(0, 2, (50,), dtype=tg.bool_).dtype == tg.bool_
    assert tg.randint(0, 256, (50,), dtype=tg.uint8).dtype == tg.uint8
    assert tg.randint(-128, 128, (50,), dtype=tg.int8).dtype == tg.int8
    assert tg.randint(0, 3, (2,), dtype=tg.float32).dtype == tg.float32


def test_factories_take_any_dtype_where_pytorch_does():
    for d in [tg.bool_, tg.uint8, tg.int64, tg.float16, tg.float64]:
        for t in [tg.zeros(2, dtype=d), tg.ones(2, dtype=d), tg.empty(2, dtype=d),
                  tg.full((2,), 1, dtype=d), tg.eye(2, dtype=d),
                  tg.zeros_like(tg.ones(2), dtype=d), tg.ones_like(tg.ones(2), dtype=d)]:
            assert t.dtype == d


def test_factory_dtype_refusals_match_pytorch():
    torch = pytest.importorskip("torch")
    for call in [lambda: torch.linspace(0, 1, 3, dtype=torch.bool),
                 lambda: torch.arange(3, dtype=torch.bool),
                 lambda: torch.randn(2, dtype=torch.int64),
                 lambda: torch.rand(2, dtype=torch.int32),
                 lambda: torch.randint(0, 300, (2,), dtype=torch.uint8)]:
        with pytest.raises((RuntimeError, NotImplementedError)):
            call()
