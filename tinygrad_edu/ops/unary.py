"""Elementwise functions of one value: exponentials and logarithms, powers (√, 1/x, x²),
the activations (tanh, sigmoid, softplus, relu), |x|, erf and logit, and the step functions
(floor, ceil, trunc, round, sign), whose derivative is 0. The trigonometric and hyperbolic
functions are in `trigonometric`."""

from __future__ import annotations

import math

import numpy as np

from ..arguments import UnsupportedDtypeError
from ..spares import product
from .function import Function

LN2, LN10 = math.log(2.0), math.log(10.0)
# read once: numpy's module __getattr__ makes each `np.<name>` a slow lookup (300 instructions)
ndarray, subtract = np.ndarray, np.subtract
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# ---------------------------------------------------------------- exp, log, roots, activations


def softplus(x: np.ndarray) -> np.ndarray:
    """ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)) on an ndarray: no overflow (ln(1 + e^1000) =
    1000), full precision in both tails, and three times faster than np.logaddexp(0, x)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def minus(a, t):
    """a − t, where t is an array the caller has just made: written into t's memory, as numpy
    reuses a temporary on the left of `−` but not on its right (Tanh's g − g·y² then makes
    one new array of a large gradient, not two). Tensors (create_graph) record a − t."""
    if isinstance(t, ndarray):
        return subtract(a, t, t)  # out=t, by position: numpy then parses no keywords
    return a - t


class Exp(Function):
    """y = eˣ;  dy/dx = eˣ = y"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.exp)

    def backward(self, grad, out, x):
        return grad * out


class Log(Function):
    """y = ln x;  dy/dx = 1/x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.log)

    def backward(self, grad, out, x):
        return grad / x


class Sqrt(Function):
    """y = √x;  dy/dx = 1/(2√x) = 1/(2y)"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.sqrt)

    def backward(self, grad, out, x):
        return grad / (out + out)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at x = 0, like PyTorch)"""

    __slots__ = ()
    saves = ("x",)

    forward = staticmethod(np.abs)

    def backward(self, grad, out, x):
        return grad * np.sign(x)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 − y²"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.tanh)

    def backward(self, grad, out, x):
        return minus(grad, product(grad, out, out))  # g·(1 − y²) = g − g·y·y: three passes


class Sigmoid(Function):
    """y = θ(x) = 1 / (1 + e^(−x));  dy/dx = y (1 − y)"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    def forward(self, x):
        # θ(x) = exp(−ln(1 + e^(−x))): no overflow for any finite x, full precision in the tails
        return np.exp(-softplus(-x))

    def backward(self, grad, out, x):
        return grad * out * (1 - out)


class Softplus(Function):
    """y = ln(1 + e^(βx)) / β, or x where βx > threshold (PyTorch's cut-off, exact by default);
    dy/dx = θ(βx) = e^(β(x − y)), which is also the slope 1 where y = x"""

    __slots__ = ("beta", "threshold")
    floating = True
    saves = ("x", "out")

    def __init__(self, beta=1.0, threshold=np.inf):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        b = self.beta
        y = softplus(x) if b == 1 else softplus(b * x) / b
        return y if self.threshold == np.inf else np.where(b * x > self.threshold, x, y)

    def backward(self, grad, out, x):
        d = x - out if self.beta == 1 else (x - out) * self.beta
        return grad * np.exp(d)  # accurate in both tails, unlike 1 − e^(−βy)


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where y ≠ 0 (x > 0, or a NaN, which y passes on), else 0"""

    __slots__ = ()
    saves = ("out",)

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, grad, out, x):
        return grad * (out != 0)


class Expm1(Function):
    """y = eˣ − 1, exact for small x;  dy/dx = eˣ = y + 1"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.expm1)

    def backward(self, grad, out, x):
        return grad * (out + 1)


class Exp2(Function):
    """y = 2ˣ;  dy/dx = 2ˣ ln 2 = y ln 2"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.exp2)

    def backward(self, grad, out, x):
        return grad * out * LN2


class Log2(Function):
    """y = log₂ x;  dy/dx = 1/(x ln 2)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.log2)

    def backward(self, grad, out, x):
        return grad / (x * LN2)


class Log10(Function):
    """y = log₁₀ x;  dy/dx = 1/(x ln 10)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.log10)

    def backward(self, grad, out, x):
        return grad / (x * LN10)


class Log1p(Function):
    """y = ln(1 + x), exact for small x;  dy/dx = 1/(1 + x)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.log1p)

    def backward(self, grad, out, x):
        return grad / (x + 1)


# ---------------------------------------------------------------- powers


class Reciprocal(Function):
    """y = 1/x;  dy/dx = −1/x² = −y²"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.reciprocal)

    def backward(self, grad, out, x):
        return -(grad * out * out)


class Rsqrt(Function):
    """y = 1/√x;  dy/dx = −1/(2x√x) = −y³/2"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    def forward(self, x):
        return 1 / np.sqrt(x)

    def backward(self, grad, out, x):
        return grad * out * out * out * -0.5


class Square(Function):
    """y = x²;  dy/dx = 2x.  An int stays an int and a bool becomes int64, as PyTorch."""

    __slots__ = ()
    saves = ("x",)
    ufunc = np.square

    def forward(self, x):
        return np.square(x if x.dtype.kind != "b" else x.astype(np.int64))

    def backward(self, grad, out, x):
        return grad * 2 * x


# ---------------------------------------------------------------- probabilities


_erf = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math's is correctly rounded in float64


class Erf(Function):
    """y = erf x = (2/√π) ∫₀ˣ e^(−t²) dt;  dy/dx = (2/√π) e^(−x²)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    def forward(self, x):
        return np.asarray(_erf(x), dtype=x.dtype)

    def backward(self, grad, out, x):
        return grad * np.exp(-(x * x)) * TWO_OVER_SQRT_PI


class Logit(Function):
    """y = ln(z / (1 − z)), z = x, or x clamped to [eps, 1 − eps] when eps is given;
    dy/dx = 1/(x (1 − x)) where x lies in that range, else 0 with eps and NaN without
    (as PyTorch)"""

    __slots__ = ("eps",)
    floating = True
    saves = ("x",)

    def __init__(self, eps=None):
        self.eps = eps

    def forward(self, x):
        z = x if self.eps is None else np.clip(x, self.eps, 1 - self.eps)
        return np.log(z / (1 - z))

    def backward(self, grad, out, x):
        lo, hi = (0, 1) if self.eps is None else (self.eps, 1 - self.eps)
        outside = np.logical_or(x < lo, x > hi)
        return np.where(outside, np.nan if self.eps is None else 0, grad / (x * (1 - x)))


# ---------------------------------------------------------------- steps


class Step(Function):
    """A function constant between its jumps: dy/dx = 0, and 0 at the jumps too, as PyTorch.
    Of an integer it is the integer itself; of a bool it is refused, as by PyTorch. A
    subclass names its numpy ufunc."""

    __slots__ = ()
    saves = ()

    def forward(self, x):
        kind = x.dtype.kind
        if kind == "f":
            return self.ufunc(x)
        if kind == "b":
            raise UnsupportedDtypeError("not defined for bool tensors")
        return x.copy()

    def backward(self, grad, out, x):
        return grad * 0


class Floor(Step):
    """y = ⌊x⌋, the largest integer ≤ x;  dy/dx = 0"""

    __slots__ = ()
    ufunc = np.floor


class Ceil(Step):
    """y = ⌈x⌉, the smallest integer ≥ x;  dy/dx = 0"""

    __slots__ = ()
    ufunc = np.ceil


class Trunc(Step):
    """y = x with its fraction dropped (towards 0);  dy/dx = 0"""

    __slots__ = ()
    ufunc = np.trunc


class Round(Step):
    """y = x rounded to `decimals` decimal digits (left of the point if negative), halves
    to even;  dy/dx = 0.  As PyTorch: x·10^d rounded, then divided by 10^d, in x's dtype."""

    __slots__ = ("decimals",)
    ufunc = np.rint

    def __init__(self, decimals=0):
        self.decimals = decimals

    def forward(self, x):
        d = self.decimals
        if d == 0:
            return Step.forward(self, x)
        if x.dtype.kind != "f":
            raise UnsupportedDtypeError(f"decimals={d} is not defined for {x.dtype} tensors")
        scale = x.dtype.type(10.0 ** abs(d))
        return np.rint(x * scale) / scale if d > 0 else np.rint(x / scale) * scale


class Sign(Step):
    """y = −1, 0 or 1 as x < 0, x = 0 or x > 0 (0 for NaN, as PyTorch);  dy/dx = 0"""

    __slots__ = ()
    ufunc = np.sign

    def forward(self, x):
        if x.dtype.kind == "b":
            return x.copy()
        y = np.sign(x)
        return np.nan_to_num(y) if x.dtype.kind == "f" else y  # sign is never ±inf


class Frac(Function):
    """y = x − trunc(x), the fraction with the sign of x;  dy/dx = 1"""

    __slots__ = ()
    saves = ()

    def forward(self, x):
        if x.dtype.kind != "f":
            raise UnsupportedDtypeError(f"not defined for {x.dtype} tensors")
        return x - np.trunc(x)

    def backward(self, grad, out, x):
        return grad
