"""Elementwise primitives of two or more values: arithmetic (+ − · / ^, negation, the
rounded divisions, remainder and fmod), atan2 and hypot, lerp, clamp, max/min of two values,
where, copies and casts. Each output element depends on the matching input elements only.
The functions of one value are in `unary` and `trigonometric`."""

from __future__ import annotations

import numpy as np

from ..arguments import RuntimeValueError
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
    floating = True  # of two ints too, as PyTorch
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
        try:
            return x**y
        except ValueError:  # numpy refuses integers to negative integer powers
            if type(y) is int:  # as PyTorch, which computes them for a tensor exponent only
                raise RuntimeValueError("integers to negative integer powers are not "
                                        "allowed") from None
            return integer_power(x, y)

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        # at those points the base becomes 1 before the power, not the result after it: the
        # factor 0 (y, or ln 1) then gives the limit 0, and a second pass meets no 0·∞ either
        gx = grad * y * power(one_at_zero(x, y == 0), y - 1) if need_x else None
        # ln x in the result's dtype: a float32 base must not cut a float64 exponent's gradient
        gy = grad * out * np.log(one_at_zero(x, y >= 0).astype(out.dtype)) if need_y else None
        return gx, gy


def power(x, n):
    """x ** n, and x itself for the number n = 1 (x², the usual square, has x ** 1 in its
    derivative, for which numpy would copy x)."""
    if type(n) in (int, float) and n == 1:
        return x
    return x**n


def one_at_zero(x, where):
    """x with 1 in place of its zeros where `where` holds: the base of Pow's rule. An exponent
    that is a Python number makes `where` a Python bool; False needs no new array."""
    if where is False:  # the same as np.where(np.logical_and(x == 0, False), 1, x)
        return x
    return np.where(np.logical_and(x == 0, where), 1, x)


def integer_power(x, y) -> np.ndarray:
    """x^y of integers where some y < 0, as PyTorch: the integer part of 1/x^|y|, which is 1
    for x = 1, ±1 for x = −1 and 0 otherwise (0 for x = 0 too)."""
    x, y = np.asarray(x), np.asarray(y)
    negative = y < 0
    z = x ** np.where(negative, 0, y)
    unit = np.where(x == 1, 1, np.where(x == -1, 1 - 2 * (y % 2), 0))
    return np.where(negative, unit, z).astype(z.dtype)


class Neg(Function):
    """z = −x;  dz/dx = −1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.negative)

    def backward(self, grad, out, x):
        return -grad


# ---------------------------------------------------------------- rounded division


class Rounded(Function):
    """A quotient rounded to an integer (floor or trunc of x / y): dz/dx = dz/dy = 0, also at
    the jumps, as PyTorch's div with a rounding mode."""

    __slots__ = ()
    saves = ()

    def backward(self, grad, out, x, y):
        return grad * 0, grad * 0


class FloorDivide(Rounded):
    """z = ⌊x / y⌋ (Python's //, numpy's floor_divide);  ∂z/∂x = ∂z/∂y = 0"""

    __slots__ = ()

    forward = staticmethod(np.floor_divide)


class TruncDivide(Rounded):
    """z = trunc(x / y), rounded towards 0 (C's integer division);  ∂z/∂x = ∂z/∂y = 0"""

    __slots__ = ()

    def forward(self, x, y):
        q = np.floor_divide(x, y)
        if q.dtype.kind == "f":
            return np.trunc(np.true_divide(x, y))
        # the floor of a negative quotient that is not whole is one below its truncation
        return q + ((q < 0) & (q * y != x))


class Remainder(Function):
    """z = x − y·⌊x / y⌋, with the sign of y (Python's %);  ∂z/∂x = 1,  ∂z/∂y = −⌊x / y⌋"""

    __slots__ = ()
    saves = {"x": "y", "y": "y"}

    forward = staticmethod(np.remainder)

    def backward(self, grad, out, x, y):
        return grad, (-grad * np.floor_divide(x, y) if self.needs_input_grad[1] else None)


class Fmod(Function):
    """z = x − y·trunc(x / y), with the sign of x (C's fmod);  ∂z/∂x = 1,
    ∂z/∂y = −trunc(x / y)"""

    __slots__ = ()
    saves = {"x": "y", "y": "y"}

    forward = staticmethod(np.fmod)

    def backward(self, grad, out, x, y):
        return grad, (-grad * np.trunc(x / y) if self.needs_input_grad[1] else None)


# ---------------------------------------------------------------- functions of two values


class Atan2(Function):
    """z = atan2(x, y), the angle of the point (y, x);  ∂z/∂x = y/(x² + y²),
    ∂z/∂y = −x/(x² + y²)  (0 at the origin, as PyTorch)"""

    __slots__ = ()
    floating = True
    saves = ("x", "y")

    forward = staticmethod(np.arctan2)

    def backward(self, grad, out, x, y):
        r2 = x * x + y * y
        # at the origin both numerators are 0: dividing by 1 there gives PyTorch's 0
        g = grad / np.where(r2 == 0, 1, r2)
        need_x, need_y = self.needs_input_grad
        return (g * y if need_x else None), (-g * x if need_y else None)


class Hypot(Function):
    """z = √(x² + y²);  ∂z/∂x = x/z,  ∂z/∂y = y/z  (NaN at the origin, as PyTorch)"""

    __slots__ = ()
    saves = {"x": "x", "y": "y", "out": "x y"}

    forward = staticmethod(np.hypot)

    def backward(self, grad, out, x, y):
        g = grad / out
        need_x, need_y = self.needs_input_grad
        return (g * x if need_x else None), (g * y if need_y else None)


class Lerp(Function):
    """z = x + w (y − x);  ∂z/∂x = 1 − w,  ∂z/∂y = w,  ∂z/∂w = y − x.  Computed as PyTorch
    does, from y's side where |w| ≥ ½: z = y − (y − x)(1 − w)."""

    __slots__ = ()
    saves = {"x": "w", "y": "w", "w": "x y"}

    def forward(self, x, y, w):
        d = y - x
        near_x = np.abs(w) < 0.5
        if np.ndim(near_x) == 0:
            return x + w * d if near_x else y - d * (1 - w)
        return np.where(near_x, x + w * d, y - d * (1 - w))

    def backward(self, grad, out, x, y, w):
        need_x, need_y, need_w = self.needs_input_grad
        return ((grad * (1 - w) if need_x else None), (grad * w if need_y else None),
                (grad * (y - x) if need_w else None))


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


class Fmax(Function):
    """z = max(x, y), ignoring a NaN: the other value;  ∂z/∂x = [x ≥ y or y is NaN],
    ∂z/∂y = 1 − ∂z/∂x  (all to x at a tie, as PyTorch)"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.fmax)

    def backward(self, grad, out, x, y):
        to_x = np.logical_or(x >= y, np.isnan(y))
        return grad * to_x, grad * np.logical_not(to_x)


class Fmin(Function):
    """z = min(x, y), ignoring a NaN: the other value;  ∂z/∂x = [x ≤ y or y is NaN],
    ∂z/∂y = 1 − ∂z/∂x  (all to x at a tie, as PyTorch)"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.fmin)

    def backward(self, grad, out, x, y):
        to_x = np.logical_or(x <= y, np.isnan(y))
        return grad * to_x, grad * np.logical_not(to_x)


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


class BinaryCrossEntropy(Function):
    """ℓ = −[t·max(ln p, −100) + (1 − t)·max(ln(1 − p), −100)] for a probability p and a
    target t;  ∂ℓ/∂p = (p − t) / max(p(1 − p), 10⁻¹²),
    ∂ℓ/∂t = ln(1 − p) − ln p (unclamped, as PyTorch's).  The clamps are PyTorch's: ℓ and
    ∂ℓ/∂p stay finite at p = 0 and 1 (a saturated sigmoid), where the plain formula is ±∞."""

    __slots__ = ()
    saves = {"p": "p t", "t": "p"}

    def forward(self, p, t):
        with np.errstate(divide="ignore"):
            return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))

    def backward(self, grad, out, p, t):
        need_p, need_t = self.needs_input_grad
        gp = grad * (p - t) / np.maximum(p * (1 - p), 1e-12) if need_p else None
        if not need_t:
            return gp, None
        with np.errstate(divide="ignore"):
            gt = grad * (np.log1p(-p) - np.log(p))
        return gp, gt
