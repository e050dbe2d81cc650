"""PyTorch conformance of the elementwise arithmetic: values, dtypes, broadcasting, gradients
(first and second order) and the type of error for a bad call, each checked against numpy,
Python or a closed form, and against PyTorch on the CPU too when torch is importable."""

import math
import warnings

import numpy as np
import pytest
from helpers import T
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.arguments import RuntimeTypeError, RuntimeValueError, UnsupportedDtypeError

try:
    import torch
except ImportError:  # the checks against numpy and closed forms still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="the PyTorch comparison needs torch")

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy on NaN, 1/0


def dtype_name(dtype) -> str:
    """'float32', 'int64', 'bool' for a numpy or a torch dtype."""
    return str(dtype).replace("torch.", "")


def run(lib, fn, *arrays):
    """fn(lib, *tensors) in tinygrad_edu or torch: (value, dtype name, gradients of the sum
    for the float inputs, None for the others)."""
    ts = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *ts)
    grads = [None] * len(ts)
    if out.requires_grad:
        out.sum().backward()
        grads = [None if t.grad is None else t.grad.numpy() for t in ts]
    return out.detach().numpy(), dtype_name(out.dtype), grads


def assert_like_torch(fn, *arrays, rtol=1e-6):
    """Our value, dtype and gradients equal PyTorch's (NaNs in the same places)."""
    ours, theirs = run(tg, fn, *arrays), run(torch, fn, *arrays)
    assert ours[1] == theirs[1], f"dtype {ours[1]}, torch gives {theirs[1]}"
    np.testing.assert_allclose(ours[0], theirs[0], rtol=rtol, atol=rtol)
    for g, h in zip(ours[2], theirs[2]):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=rtol, atol=rtol)


X = np.array([-2.5, -1.5, -0.75, -0.5, 0.0, 0.5, 1.5, 2.5, 3.25])
UNIT = np.array([-0.9, -0.5, 0.0, 0.3, 0.8])

# name: (numpy's function, points inside its domain, points outside it or None)
ONE_VALUE = {
    "exp2": (np.exp2, X, None),
    "log2": (np.log2, np.abs(X) + 0.1, np.array([0.0, -1.0])),
    "log10": (np.log10, np.abs(X) + 0.1, np.array([0.0, -1.0])),
    "log1p": (np.log1p, np.abs(X) - 0.5, np.array([-1.0, -2.0])),
    "reciprocal": (np.reciprocal, X[X != 0], np.array([0.0, -0.0])),
    "rsqrt": (lambda a: 1 / np.sqrt(a), np.abs(X) + 0.1, np.array([0.0, -1.0])),
    "sqrt": (np.sqrt, np.abs(X) + 0.1, np.array([0.0, -1.0])),
    "tan": (np.tan, UNIT, None),
    "asin": (np.arcsin, UNIT, np.array([1.5, -2.0])),
    "acos": (np.arccos, UNIT, np.array([1.5, -2.0])),
    "atan": (np.arctan, X, None),
    "sinh": (np.sinh, X, None),
    "cosh": (np.cosh, X, None),
    "asinh": (np.arcsinh, X, None),
    "acosh": (np.arccosh, np.abs(X) + 1.1, np.array([0.5, -1.0])),
    "atanh": (np.arctanh, UNIT, np.array([1.0, 1.5])),
    "erf": (np.vectorize(math.erf), X, None),
    "logit": (lambda a: np.log(a / (1 - a)), np.array([0.1, 0.3, 0.5, 0.9]),
              np.array([0.0, 1.0, 1.5, -0.5])),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), X, None),
    "expm1": (np.expm1, X, None),
}


@pytest.mark.parametrize("name", sorted(ONE_VALUE))
def test_function_of_one_value_as_method_and_function_with_numpy_values(name):
    ref, inside, outside = ONE_VALUE[name]
    for points in (inside, outside):
        if points is None:
            continue
        x = tg.tensor(points, dtype=tg.float64)
        np.testing.assert_allclose(getattr(x, name)().numpy(), ref(points), rtol=1e-12)
        np.testing.assert_allclose(getattr(tg, name)(x).numpy(), ref(points), rtol=1e-12)
    # an int tensor gives the default float dtype, as for exp
    ints = tg.tensor([1, 2])
    assert getattr(ints, name)().dtype == tg.float32
    np.testing.assert_allclose(getattr(ints, name)().numpy(),
                               ref(np.array([1.0, 2.0], np.float32)), rtol=1e-6)


@needs_torch
@pytest.mark.parametrize("name", sorted(ONE_VALUE))
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_function_of_one_value_like_torch(name, dtype):
    _, inside, outside = ONE_VALUE[name]
    points = inside if outside is None else np.concatenate([inside, outside])
    a = (points.astype(dtype) if dtype != "bool" else points > 0.4)
    assert_like_torch(lambda lib, x: getattr(lib, name)(x), a, rtol=2e-6)
    assert_like_torch(lambda lib, x: getattr(x, name)(), a, rtol=2e-6)


# ---------------------------------------------------------------- steps: gradient 0

STEPS = {"floor": math.floor, "ceil": math.ceil, "trunc": math.trunc, "round": round,
         "sign": lambda v: (v > 0) - (v < 0)}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_steps_have_python_values_and_zero_gradient(name):
    points = [-2.5, -1.5, -0.5, -0.25, 0.0, 0.5, 1.5, 2.5, 2.75]  # halves round to even
    x = T(points)
    y = getattr(x, name)()
    assert y.tolist() == [float(STEPS[name](v)) for v in points]
    assert y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [0.0] * len(points)
    (g,) = tg.autograd.grad(getattr(T(points), name)().sum() * 0 + getattr(x, name)().sum(),
                            x, create_graph=True)
    assert g.tolist() == [0.0] * len(points)
    ints = tg.tensor([-3, 0, 4])  # an int stays an int of its values (sign: −1, 0, 1)
    want = [-1, 0, 1] if name == "sign" else [-3, 0, 4]
    assert getattr(ints, name)().dtype == tg.int64 and getattr(ints, name)().tolist() == want


def test_sign_of_nan_is_zero_and_of_a_bool_is_the_bool():
    assert tg.tensor([np.nan, -0.0, -np.inf]).sign().tolist() == [0.0, 0.0, -1.0]
    assert tg.tensor([True, False]).sign().tolist() == [True, False]


def test_frac_is_x_minus_trunc_with_gradient_one():
    x = T([-1.75, -0.5, 0.0, 2.25])
    y = x.frac()
    assert y.tolist() == [-0.75, -0.5, 0.0, 0.25]
    y.sum().backward()
    assert x.grad.tolist() == [1.0] * 4
    assert np.isnan(tg.tensor([np.inf]).frac().item())


def test_round_with_decimals_rounds_halves_to_even_in_the_dtype():
    a = np.array([1.2345, 125.0, -0.5, 0.125, 0.375, 2.675, -1.05])
    assert tg.tensor(a).round(decimals=2).tolist() == pytest.approx(
        np.round(a, 2).tolist(), abs=0)
    assert tg.round(tg.tensor([125.0, 150.0, -250.0]), decimals=-2).tolist() == \
        [100.0, 200.0, -200.0]
    assert tg.tensor([-0.5, 0.5, 1.5, 2.5]).round().tolist() == [-0.0, 0.0, 2.0, 2.0]
    x = T([0.12, 0.37])
    x.round(decimals=1).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


@needs_torch
@given(st.lists(st.floats(-1e4, 1e4, width=32), min_size=1, max_size=8),
       st.integers(-3, 4), st.sampled_from(["float32", "float64"]))
def test_round_with_decimals_like_torch(values, decimals, dtype):
    a = np.array(values, dtype)
    assert_like_torch(lambda lib, x: x.round(decimals=decimals), a, rtol=0)


# ---------------------------------------------------------------- //, %, fmod, div modes

PAIRS = [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3), (5, 5), (-1, 3), (1, -3)]


@pytest.mark.parametrize("dtype", [tg.int64, tg.int32, tg.float64])
def test_floor_division_and_remainder_follow_python(dtype):
    x = tg.tensor([p for p, _ in PAIRS], dtype=dtype)
    y = tg.tensor([q for _, q in PAIRS], dtype=dtype)
    floor = [p // q for p, q in PAIRS]
    assert (x // y).tolist() == floor and x.floor_divide(y).tolist() == floor
    assert tg.floor_divide(x, y).tolist() == floor == x.div(y, rounding_mode="floor").tolist()
    mod = [p % q for p, q in PAIRS]  # the sign of the divisor
    assert (x % y).tolist() == mod and x.remainder(y).tolist() == mod
    assert tg.remainder(x, y).tolist() == mod
    fmod = [math.fmod(p, q) for p, q in PAIRS]  # the sign of the dividend
    assert x.fmod(y).tolist() == fmod and tg.fmod(x, y).tolist() == fmod
    trunc = [int(p / q) for p, q in PAIRS]
    assert x.div(y, rounding_mode="trunc").tolist() == trunc
    for out in (x // y, x % y, x.fmod(y), x.div(y, rounding_mode="trunc")):
        assert out.dtype == dtype  # in the operands' dtype
    assert (x / y).dtype == (tg.float64 if dtype == tg.float64 else tg.float32)
    assert x.div(y, rounding_mode=None).tolist() == x.true_divide(y).tolist()
    assert (7 // tg.tensor([2, -2])).tolist() == [3, -4]  # reflected
    assert (7 % tg.tensor([2, -2])).tolist() == [1, -1]


def test_float_division_by_zero_gives_inf_or_nan():
    x = tg.tensor([1.5, -1.5, 0.0])
    assert (x // 0).tolist()[:2] == [np.inf, -np.inf] and np.isnan((x // 0).tolist()[2])
    assert np.isnan((x % 0).numpy()).all() and np.isnan(x.fmod(0.0).numpy()).all()


@pytest.mark.parametrize("call", [
    lambda lib, x: x // 0, lambda lib, x: x % 0, lambda lib, x: x.fmod(0),
    lambda lib, x: 3 // x, lambda lib, x: x.div(0, rounding_mode="trunc"),
    lambda lib, x: x.div(0, rounding_mode="floor"), lambda lib, x: lib.remainder(5, x),
    lambda lib, x: x // lib.tensor([1, 0, 2]),
], ids=["//", "%", "fmod", "r//", "trunc", "floor", "remainder", "tensor"])
def test_integer_division_by_zero_raises_like_pytorch(call):
    with pytest.raises(RuntimeError, match="ZeroDivisionError") as e:
        call(tg, tg.tensor([3, 0, -4]))
    assert isinstance(e.value, ValueError)
    if torch is not None:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            call(torch, torch.tensor([3, 0, -4]))


def test_rounded_division_of_bools_is_refused_as_not_implemented():
    b = tg.tensor([True, False])
    for call in (lambda: b // b, lambda: b % b, lambda: b.fmod(b)):
        with pytest.raises(NotImplementedError, match="bool"):
            call()


def test_remainder_and_fmod_gradients():
    a, b = [5.0, -5.0, 5.5, 0.25], [3.0, 3.0, -2.0, 0.5]
    x, y = T(a), T(b)
    (x % y).sum().backward()
    assert x.grad.tolist() == [1.0] * 4
    assert y.grad.tolist() == [-(p // q) for p, q in zip(a, b)]  # −⌊x/y⌋
    x, y = T(a), T(b)
    x.fmod(y).sum().backward()
    assert x.grad.tolist() == [1.0] * 4
    assert y.grad.tolist() == [-float(math.trunc(p / q)) for p, q in zip(a, b)]
    x, y = T(a), T(b)
    for out in (x // y, x.div(y, rounding_mode="trunc")):  # rounded: gradient 0
        (gx, gy) = tg.autograd.grad(out.sum(), [x, y])
        assert gx.tolist() == gy.tolist() == [0.0] * 4
    x, y = T([2.3, -1.1]), T([0.7, 0.4])  # x / y away from an integer
    assert tg.autograd.gradgradcheck(lambda u, v: u % v, (x, y))
    assert tg.autograd.gradgradcheck(lambda u, v: u.fmod(v), (x, y))


@needs_torch
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(-9, 9).filter(bool)), min_size=1,
                max_size=6), st.sampled_from(["int64", "int32", "int8", "float32", "float64"]))
def test_rounded_division_and_remainders_like_torch(pairs, dtype):
    a = np.array([p for p, _ in pairs], dtype)
    b = np.array([q for _, q in pairs], dtype)
    if dtype.startswith("float"):
        a = a / np.array(4, dtype)  # quarters: exact in both libraries
    # PyTorch has no derivative for floor_divide (// and floor_divide): values only there
    for fn in (lambda lib, x, y: (x // y).detach(), lambda lib, x, y: x % y,
               lambda lib, x, y: lib.fmod(x, y), lambda lib, x, y: lib.remainder(x, y),
               lambda lib, x, y: x.div(y, rounding_mode="trunc"),
               lambda lib, x, y: lib.div(x, y, rounding_mode="floor"),
               lambda lib, x, y: x / y, lambda lib, x, y: lib.true_divide(x, y)):
        ours, theirs = run(tg, fn, a, b), run(torch, fn, a, b)
        assert ours[1] == theirs[1]
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
        if ours[2][0] is not None and dtype.startswith("float"):
            for g, h in zip(ours[2], theirs[2]):
                np.testing.assert_allclose(g, h, rtol=1e-6)


def test_unknown_rounding_mode_is_refused_like_pytorch():
    for lib in (tg, torch) if torch is not None else (tg,):
        with pytest.raises(RuntimeError, match="rounding_mode"):
            lib.tensor([1.0]).div(2, rounding_mode="round")
    with pytest.raises(ValueError, match="div: rounding_mode"):
        tg.div(tg.tensor([1.0]), 2, rounding_mode="nearest")


# ---------------------------------------------------------------- powers


def test_integer_to_a_negative_integer_power():
    with pytest.raises(RuntimeError, match="negative integer powers") as e:
        tg.tensor([2, 3]) ** -1
    assert isinstance(e.value, ValueError)
    with pytest.raises(RuntimeError, match="negative integer powers"):
        tg.tensor([1]).pow(-2)
    # a tensor exponent gives the integer part of 1/x^|y|, as PyTorch
    base = tg.tensor([0, 1, -1, 2, -2, 3, -1])
    exponent = tg.tensor([-1, -1, -1, -2, -3, 0, -2])
    assert (base ** exponent).tolist() == [0, 1, -1, 0, 0, 1, 1]
    assert (2 ** tg.tensor([-1, 2])).tolist() == [0, 4]
    assert (tg.tensor([2]) ** -1.0).tolist() == [0.5]  # a float exponent: float
    if torch is not None:
        with pytest.raises(RuntimeError, match="negative integer powers"):
            torch.tensor([2, 3]) ** -1
        assert (torch.tensor(base.numpy()) ** torch.tensor(exponent.numpy())).tolist() == \
            (base ** exponent).tolist()


def test_pow_promotes_like_pytorch():
    cases = [  # (base, exponent, dtype, value)
        (tg.tensor([2, 3]), 2, tg.int64, [4, 9]),
        (tg.tensor([2, 3]), 0.5, tg.float32, [2**0.5, 3**0.5]),
        (tg.tensor([1.5]), tg.tensor(2), tg.float32, [2.25]),
        (2, tg.tensor([1, 2]), tg.int64, [2, 4]),
        (2.0, tg.tensor([1, 2]), tg.float32, [2.0, 4.0]),
        (tg.tensor([True]), 2, tg.int64, [1]),
        (tg.tensor([1.0, 2.0]), tg.tensor([2, 3]), tg.float32, [1.0, 8.0]),
    ]
    for base, exponent, dtype, value in cases:
        out = tg.pow(base, exponent)
        assert out.dtype == dtype and out.tolist() == pytest.approx(value)
        if torch is not None:
            tb = torch.tensor(base.numpy()) if isinstance(base, tg.Tensor) else base
            te = torch.tensor(exponent.numpy()) if isinstance(exponent, tg.Tensor) else exponent
            assert dtype_name(torch.pow(tb, te).dtype) == str(dtype)


def test_abs_and_square_of_ints_stay_ints_reciprocal_is_float():
    i = tg.tensor([-3, 0, 4])
    assert i.abs().dtype == tg.int64 and i.abs().tolist() == [3, 0, 4]
    assert i.square().dtype == tg.int64 and tg.square(i).tolist() == [9, 0, 16]
    assert tg.tensor([True, False]).square().tolist() == [1, 0]  # a bool squares to int64
    assert tg.tensor([True, False]).square().dtype == tg.int64
    r = i.reciprocal()
    assert r.dtype == tg.float32 and r.tolist() == pytest.approx([-1 / 3, np.inf, 0.25])
    assert tg.tensor([-128], dtype=tg.int8).abs().tolist() == [-128]  # wraps, as PyTorch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = tg.tensor([4.0, 0.0, -1.0]).rsqrt().tolist()
    assert values[:2] == [0.5, np.inf] and np.isnan(values[2])  # NaN outside, as torch
    assert np.isnan(tg.sqrt(tg.tensor([-1.0])).item())


def test_square_and_rsqrt_gradients():
    x = T([-1.5, 0.5, 2.0])
    (g,) = tg.autograd.grad(x.square().sum(), x, create_graph=True)
    assert g.tolist() == [-3.0, 1.0, 4.0]
    (h,) = tg.autograd.grad(g.sum(), x)
    assert h.tolist() == [2.0, 2.0, 2.0]
    y = T([0.25, 4.0])
    (g,) = tg.autograd.grad(y.rsqrt().sum(), y, create_graph=True)
    np.testing.assert_allclose(g.numpy(), -0.5 * y.numpy() ** -1.5, rtol=1e-14)
    (h,) = tg.autograd.grad(g.sum(), y)
    np.testing.assert_allclose(h.numpy(), 0.75 * y.numpy() ** -2.5, rtol=1e-14)


# ---------------------------------------------------------------- add, sub with alpha


def test_add_and_sub_with_alpha():
    x, y = T([1.0, 2.0]), T([10.0, 20.0])
    out = x.add(y, alpha=2.5)
    assert out.tolist() == [26.0, 52.0]
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and y.grad.tolist() == [2.5, 2.5]
    assert tg.add(x, y, alpha=-1).tolist() == [-9.0, -18.0]
    assert tg.sub(x, y, alpha=2).tolist() == [-19.0, -38.0] == x.sub(y, alpha=2).tolist()
    assert tg.subtract(x, 1, alpha=3).tolist() == [-2.0, -1.0]
    assert x.add(2, alpha=3).tolist() == [7.0, 8.0]
    i = tg.tensor([1, 2])
    assert i.add(i, alpha=2).tolist() == [3, 6] and i.add(i, alpha=2).dtype == tg.int64
    assert tg.tensor([True]).add(tg.tensor([False]), alpha=True).tolist() == [True]


@pytest.mark.parametrize("call, error, pytorch", [
    (lambda lib: lib.tensor([1, 2]).add(lib.tensor([1, 2]), alpha=2.5), RuntimeError,
     RuntimeError),
    (lambda lib: lib.tensor([1.0]).add(lib.tensor([1.0]), alpha="a"), TypeError, TypeError),
    (lambda lib: lib.tensor([1.0]).sub(lib.tensor([1.0]), alpha=None), TypeError, TypeError),
    (lambda lib: lib.tensor([1.0]).add(lib.tensor([1.0]), alpha=True), RuntimeError,
     RuntimeError),
    (lambda lib: lib.tensor([True]).sub(lib.tensor([True])), RuntimeError, RuntimeError),
], ids=["float alpha for ints", "str alpha", "None alpha", "bool alpha", "bool - bool"])
def test_bad_alpha_is_refused_like_pytorch(call, error, pytorch):
    with pytest.raises(error, match="alpha|bool"):
        call(tg)
    if torch is not None:
        with pytest.raises(pytorch):
            call(torch)


# ---------------------------------------------------------------- functions of two values


def test_atan2_values_quadrants_and_gradients():
    y = T([1.0, 1.0, -1.0, -1.0, 0.0, 0.0])
    x = T([1.0, -1.0, 1.0, -1.0, 0.0, -2.0])
    out = tg.atan2(y, x)
    np.testing.assert_allclose(out.numpy(), np.arctan2(y.numpy(), x.numpy()), rtol=1e-15)
    out.sum().backward()
    r2 = y.numpy() ** 2 + x.numpy() ** 2
    r2[r2 == 0] = np.inf  # the origin: gradient 0, as PyTorch
    np.testing.assert_allclose(y.grad.numpy(), x.numpy() / r2, rtol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), -y.numpy() / r2, rtol=1e-15)
    assert tg.tensor([1, 2]).atan2(tg.tensor([3, 4])).dtype == tg.float32
    assert y.arctan2(x).tolist() == out.tolist()


def test_hypot_values_and_gradients_and_float_only():
    x, y = T([3.0, 0.0, 1e200]), T([4.0, 0.0, 1e200])
    out = x.hypot(y)
    assert out.tolist()[:2] == [5.0, 0.0] and np.isfinite(out.tolist()[2])  # no overflow
    out.sum().backward()
    assert x.grad.tolist()[0] == pytest.approx(0.6) and np.isnan(x.grad.tolist()[1])
    with pytest.raises(NotImplementedError, match="hypot"):
        tg.tensor([3]).hypot(tg.tensor([4]))


def test_fmax_fmin_ignore_nan_and_give_ties_to_x():
    nan = np.nan
    x, y = T([1.0, 2.0, 3.0, nan, nan]), T([1.0, 3.0, 2.0, 1.0, nan])
    out = tg.fmax(x, y)
    np.testing.assert_array_equal(out.numpy(), [1.0, 3.0, 3.0, 1.0, nan])
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert y.grad.tolist() == [0.0, 1.0, 0.0, 1.0, 0.0]
    x, y = T([1.0, 2.0, 3.0, nan]), T([1.0, 3.0, 2.0, 1.0])
    out = x.fmin(y)
    np.testing.assert_array_equal(out.numpy(), [1.0, 2.0, 2.0, 1.0])
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert tg.tensor([3, -7]).fmax(tg.tensor([1, 1])).tolist() == [3, 1]


def test_lerp_values_gradients_and_dtypes():
    x, y, w = T([0.0, 1.0, 2.0]), T([1.0, 3.0, 5.0]), T([0.25, 0.5, 0.75])
    out = x.lerp(y, w)
    assert out.tolist() == [0.25, 2.0, 4.25]
    out.sum().backward()
    assert x.grad.tolist() == [0.75, 0.5, 0.25] and y.grad.tolist() == [0.25, 0.5, 0.75]
    assert w.grad.tolist() == [1.0, 2.0, 3.0]
    assert tg.lerp(tg.tensor([1.0, 2.0]), tg.tensor([[3.0], [4.0]]), 0.5).tolist() == \
        [[2.0, 2.5], [2.5, 3.0]]  # broadcasting
    assert tg.tensor([1.0, 2.0]).lerp(tg.tensor([3.0, 4.0]), 2).tolist() == [5.0, 6.0]
    assert tg.tensor([1.0]).lerp(tg.tensor([3.0]), tg.tensor(0.5, dtype=tg.float64)).dtype \
        == tg.float32  # a 0-d weight takes the input's dtype
    assert tg.autograd.gradgradcheck(lambda a, b, c: a.lerp(b, c), (x, y, w))


@pytest.mark.parametrize("call, error", [
    (lambda lib: lib.tensor([1, 2]).lerp(lib.tensor([1, 2]), 0.5), NotImplementedError),
    (lambda lib: lib.tensor([1.0]).lerp(lib.tensor([1.0], dtype=lib.float64), 0.5),
     RuntimeError),
    (lambda lib: lib.tensor([1.0]).lerp(lib.tensor([1.0]), lib.tensor([0.5], dtype=lib.float64)),
     RuntimeError),
    (lambda lib: lib.tensor([1.0]).lerp(lib.tensor([1.0]), "half"), TypeError),
], ids=["ints", "end dtype", "weight dtype", "str weight"])
def test_bad_lerp_is_refused_like_pytorch(call, error):
    with pytest.raises(error, match="lerp"):
        call(tg)
    if torch is not None:
        with pytest.raises(error):
            call(torch)


def test_logit_with_and_without_eps():
    x = T([0.1, 0.2, 0.5, 0.8, 0.9])
    out = x.logit(eps=0.2)
    np.testing.assert_allclose(out.numpy(), np.log([0.25, 0.25, 1.0, 4.0, 4.0]), rtol=1e-15)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 6.25, 4.0, 6.25, 0.0], rtol=1e-14)
    y = T([0.0, 0.5, 1.0, 2.0])
    tg.logit(y).sum().backward()
    assert y.grad.tolist()[:3] == [np.inf, 4.0, np.inf] and np.isnan(y.grad.tolist()[3])
    with pytest.raises(TypeError, match="eps"):
        x.logit(eps="small")


def test_clamp_family_as_methods_and_functions():
    x = tg.tensor([-2.0, 0.5, 3.0])
    assert tg.clamp(x, -1, 1).tolist() == [-1.0, 0.5, 1.0] == tg.clip(x, -1, 1).tolist()
    assert x.clip(min=0).tolist() == [0.0, 0.5, 3.0] == tg.clamp_min(x, 0).tolist()
    assert x.clamp_max(1).tolist() == [-2.0, 0.5, 1.0] == tg.clamp_max(x, 1).tolist()
    lo = tg.tensor([0.0, 1.0, 1.0])
    assert x.clamp_min(lo).tolist() == [0.0, 1.0, 3.0]
    assert tg.clamp(x, min=tg.tensor(0.0), max=1).tolist() == [0.0, 0.5, 1.0]
    assert tg.tensor([1, 5]).clamp_min(2).dtype == tg.int64
    assert tg.tensor([1, 5]).clamp_min(1.5).dtype == tg.float32
    with pytest.raises(TypeError, match="clamp_min"):
        x.clamp_min(None)
    with pytest.raises(ValueError, match="clamp"):
        tg.clamp(x)
    v = T([0.0, 1.0, 2.0])
    v.clamp_min(1.0).sum().backward()
    assert v.grad.tolist() == [0.0, 1.0, 1.0]  # the tie goes to x, as PyTorch


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1, 2]).frac(), lambda lib: lib.tensor([True]).floor(),
    lambda lib: lib.tensor([1, 2]).round(decimals=1), lambda lib: lib.tensor([True]).ceil(),
], ids=["frac int", "floor bool", "round decimals int", "ceil bool"])
def test_functions_pytorch_does_not_define_for_a_dtype_are_refused(call):
    with pytest.raises(NotImplementedError) as e:
        call(tg)
    assert isinstance(e.value, TypeError)
    if torch is not None:
        with pytest.raises(NotImplementedError):
            call(torch)


def test_round_decimals_must_be_an_int():
    for bad in (1.5, True, "1"):
        with pytest.raises(TypeError, match="decimals"):
            tg.tensor([1.0]).round(decimals=bad)


def test_our_error_classes_are_also_pytorchs():
    assert issubclass(RuntimeValueError, ValueError) and issubclass(RuntimeValueError,
                                                                     RuntimeError)
    assert issubclass(RuntimeTypeError, TypeError) and issubclass(RuntimeTypeError, RuntimeError)
    assert issubclass(UnsupportedDtypeError, TypeError)
    assert issubclass(UnsupportedDtypeError, NotImplementedError)


# ---------------------------------------------------------------- broadcasting, second order

BINARY = {
    "atan2": lambda lib, x, y: lib.atan2(x, y),
    "hypot": lambda lib, x, y: x.hypot(y),
    "remainder": lambda lib, x, y: x % y,
    "fmod": lambda lib, x, y: lib.fmod(x, y),
    "fmax": lambda lib, x, y: lib.fmax(x, y),
    "fmin": lambda lib, x, y: x.fmin(y),
    "lerp": lambda lib, x, y: x.lerp(y, 0.3),
    "add_alpha": lambda lib, x, y: lib.add(x, y, alpha=-1.5),
    "sub_alpha": lambda lib, x, y: x.sub(y, alpha=2),
    "div": lambda lib, x, y: lib.div(x, y),
    "mul": lambda lib, x, y: lib.mul(x, y),
    "pow": lambda lib, x, y: lib.pow(x.abs() + 0.5, y),
    "maximum": lambda lib, x, y: lib.maximum(x, y),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_functions_broadcast_and_reduce_gradients_to_each_shape(name):
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.5, 2.0, (2, 1, 3)), rng.uniform(-2.0, -0.5, (4, 1))
    out, _, (ga, gb) = run(tg, BINARY[name], a, b)
    assert out.shape == (2, 4, 3) and ga.shape == a.shape and gb.shape == b.shape
    full = run(tg, BINARY[name], np.broadcast_to(a, out.shape).copy(),
               np.broadcast_to(b, out.shape).copy())
    np.testing.assert_allclose(out, full[0], rtol=1e-14)
    np.testing.assert_allclose(ga, full[2][0].sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(gb, full[2][1].sum((0, 2)).reshape(4, 1), rtol=1e-12)
    if name not in ("fmax", "fmin", "maximum", "remainder", "fmod"):
        assert tg.autograd.gradgradcheck(lambda x, y: BINARY[name](tg, x, y),
                                         (tg.tensor(a, requires_grad=True),
                                          tg.tensor(b, requires_grad=True)))
    if torch is not None:
        assert_like_torch(BINARY[name], a, b, rtol=1e-12)
        assert_like_torch(BINARY[name], a.astype(np.float32), b.astype(np.float32), rtol=1e-5)


@needs_torch
@pytest.mark.parametrize("name", ["exp2", "log2", "log10", "log1p", "rsqrt", "reciprocal",
                                  "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
                                  "atanh", "erf", "logit", "square"])
def test_second_derivatives_like_torch(name):
    a = np.array([0.15, 0.35, 0.6, 0.85])

    def second(lib):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad(getattr(x, name)().sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return h.detach().numpy()

    np.testing.assert_allclose(second(tg), second(torch), rtol=1e-12)


@needs_torch
def test_acosh_second_derivative_like_torch():
    a = np.array([1.2, 2.0, 5.0])

    def second(lib):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad(lib.acosh(x).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return h.detach().numpy()

    np.testing.assert_allclose(second(tg), second(torch), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "sign", "frac"])
def test_steps_like_torch(name):
    a = np.array([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 0.3, -0.7])
    for dtype in ("float32", "float64"):
        assert_like_torch(lambda lib, x: getattr(lib, name)(x), a.astype(dtype), rtol=0)
    if name != "frac":
        assert_like_torch(lambda lib, x: getattr(x, name)(), np.array([-3, 0, 4]), rtol=0)
