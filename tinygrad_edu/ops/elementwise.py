"""Elementwise primitives: arithmetic (+ − · / ^, negation), functions of one value
(exp, log, √, |x|, tanh, sigmoid, softplus, relu, sin, cos), clamp, max/min of two values,
where, copies and casts. Each output element depends on the matching input elements only."""

from __future__ import annotations

import numpy as np

from .function import Function

# ---------------------------------------------------------------- arithmetic


class Add(Function):
    """z = x + y;  ∂z/∂x = 1,  ∂z/∂y = 1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.add)

    def backward(self, grad, out, x, y):
        return grad, grad


class Sub(Function):
    """z = x − y;  ∂z/∂x = 1,  ∂z/∂y = −1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.subtract)

    def backward(self, grad, out, x, y):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    """z = x·y;  ∂z/∂x = y,  ∂z/∂y = x"""

    __slots__ = ()
    saves = {"x": "y", "y": "x"}

    forward = staticmethod(np.multiply)

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        return (grad * y if need_x else None), (grad * x if need_y else None)


class Div(Function):
    """z = x / y;  ∂z/∂x = 1/y,  ∂z/∂y = −x/y²"""

    __slots__ = ()
    saves = {"x": "y", "y": "x y"}  # as PyTorch: not z, so changing z leaves x's gradient

    forward = staticmethod(np.true_divide)

    def backward(self, grad, out, x, y):
        gx = grad / y
        return gx, (-gx * x / y if self.needs_input_grad[1] else None)


class Pow(Function):
    """z = x^y;  ∂z/∂x = y·x^(y−1),  ∂z/∂y = z·ln x.  At x = 0 these read 0·∞ where the
    limits from x > 0 are 0, as PyTorch: ∂z/∂x = 0 for y = 0 (z ≡ 1), ∂z/∂y = 0 for y ≥ 0
    (and −∞ for y < 0)."""

    __slots__ = ()
    saves = {"x": "x y", "y": "x", "out": "y"}
    # forward is x**y, not np.power: for y = 2 or ½, ** calls numpy's faster square or sqrt
    ufunc = np.power

    def forward(self, x, y):
        return x**y

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        # at those points the base becomes 1 before the power, not the result after it: the
        # factor 0 (y, or ln 1) then gives the limit 0, and a second pass meets no 0·∞ either
        at_zero = x == 0
        gx = grad * y * np.where(np.logical_and(at_zero, y == 0), 1, x) ** (y - 1) \
            if need_x else None
        # ln x in the result's dtype: a float32 base must not cut a float64 exponent's gradient
        gy = grad * out * np.log(np.where(np.logical_and(at_zero, y >= 0), 1, x)
                                 .astype(out.dtype)) if need_y else None
        return gx, gy


class Neg(Function):
    """z = −x;  dz/dx = −1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.negative)

    def backward(self, grad, out, x):
        return -grad


# ---------------------------------------------------------------- functions of one value


def softplus(x: np.ndarray) -> np.ndarray:
    """ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)) on an ndarray: no overflow (ln(1 + e^1000) =
    1000), full precision in both tails, and three times faster than np.logaddexp(0, x)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


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
        # g·(1 − y²) as −(g·y·y − g): every step then works on a temporary, which numpy
        # reuses in place, so a large gradient costs one new array instead of two
        return -(grad * out * out - grad)


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


class Sin(Function):
    """y = sin x;  dy/dx = cos x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.sin)

    def backward(self, grad, out, x):
        return grad * np.cos(x)


class Cos(Function):
    """y = cos x;  dy/dx = −sin x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.cos)

    def backward(self, grad, out, x):
        return -grad * np.sin(x)


class Expm1(Function):
    """y = eˣ − 1, exact for small x;  dy/dx = eˣ = y + 1"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.expm1)

    def backward(self, grad, out, x):
        return grad * (out + 1)


class Clamp(Function):
    """y = min(max(x, lo), hi), so y = hi where lo > hi; a missing bound (None) is ∓∞.
    ∂y/∂x = 1 where lo ≤ x ≤ hi,  ∂y/∂lo = 1 where x < lo < hi,  ∂y/∂hi = 1 where x > hi or
    hi < lo  (PyTorch's choice at the ties x = lo and x = hi: the gradient goes to x)"""

    __slots__ = ()
    saves = ("x", "lo", "hi")

    def forward(self, x, lo, hi):
        return np.clip(x, lo, hi)

    def backward(self, grad, out, x, lo, hi):
        need_x, need_lo, need_hi = self.needs_input_grad
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        gx = grad * ((x >= lo) & (x <= hi)) if need_x else None
        glo = grad * ((x < lo) & (lo < hi)) if need_lo else None
        ghi = grad * ((x > hi) | (hi < lo)) if need_hi else None
        return gx, glo, ghi


class Maximum(Function):
    """z = max(x, y);  ∂z/∂x = 1 − [x < y] − ½[x = y],  ∂z/∂y = 1 − [y < x] − ½[x = y]:
    1 to the larger, ½ each at a tie, and 1 to both where a NaN makes z NaN (as PyTorch)"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.maximum)

    def backward(self, grad, out, x, y):
        share = grad - grad * (x == y) * 0.5
        return share * ~(x < y), share * ~(y < x)


class Minimum(Function):
    """z = min(x, y);  ∂z/∂x = 1 − [x > y] − ½[x = y],  ∂z/∂y = 1 − [y > x] − ½[x = y]:
    1 to the smaller, ½ each at a tie, and 1 to both where a NaN makes z NaN (as PyTorch)"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.minimum)

    def backward(self, grad, out, x, y):
        share = grad - grad * (x == y) * 0.5
        return share * ~(x > y), share * ~(y > x)


class Where(Function):
    """z = x where cond else y;  ∂z/∂x = cond,  ∂z/∂y = not cond  (cond carries no gradient)"""

    __slots__ = ()
    saves = ("cond",)

    def forward(self, cond, x, y):
        return np.where(cond, x, y)

    def backward(self, grad, out, cond, x, y):
        _, need_x, need_y = self.needs_input_grad
        gx = np.where(cond, grad, 0) if need_x else None
        gy = np.where(cond, 0, grad) if need_y else None
        return None, gx, gy


class Clone(Function):
    """y = a copy of x;  dy/dx = 1"""

    __slots__ = ()
    saves = ()

    def forward(self, x):
        return x.copy()

    def backward(self, grad, out, x):
        return grad


class Cast(Function):
    """y = x converted to another float dtype;  dy/dx = 1, cast back to x's dtype"""

    __slots__ = ("dtype",)
    saves = ()

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, grad, out, x):
        return grad.astype(x.dtype)
