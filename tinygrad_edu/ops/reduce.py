"""Reductions: sums, means, variances, norms, maxima over some axes, and the course's squared
error. A rule over some axes reshapes the incoming gradient to the kept-dims shape
(`keepdim_shape`), so that it broadcasts back over the reduced axes."""

from __future__ import annotations

import math

import numpy as np

from .function import Function
from .scan import exclusive_cumprod


def reduced_count(shape: tuple, axis) -> int:
    """How many elements a reduction over `axis` combines. math.prod, not np.prod, which
    first makes an array of the sizes: that took a third of `mean`'s time."""
    return math.prod(shape if axis is None else [shape[a] for a in axis])


HALF = np.dtype(np.float16)
# read once: numpy's module __getattr__ makes each `np.<name>` a slow lookup (300 instructions)
ndarray, generic = np.ndarray, np.generic


def accumulate(reduce, x, **kwargs):
    """`reduce(x, **kwargs)`, float16 accumulated in float32 and rounded once, as PyTorch
    does: numpy adds float16 in float16 along a strided axis (2048 + 1 is 2048 there), and
    its var and std of float16 overflow past a spread of 256."""
    if x.dtype is not HALF:
        return reduce(x, **kwargs)
    return reduce(x, dtype=np.float32, **kwargs).astype(HALF)


def keepdim_shape(shape: tuple, axis) -> tuple:
    """The shape of a reduction over `axis` with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def broadcast_to(a, shape: tuple):
    """`np.broadcast_to(a, shape)`, a read-only view. A numpy scalar or an array of one
    element (the gradient of every loss) is spread over `shape` by zero strides directly:
    numpy's function first builds an iterator, which costs more than the whole sum of a small
    loss."""
    if not (isinstance(a, generic) or type(a) is ndarray and a.size == 1):
        return np.broadcast_to(a, shape)
    view = ndarray(shape, a.dtype, a, 0, (0,) * len(shape))
    view.flags.writeable = False
    return view


# ---------------------------------------------------------------- reductions


class SquaredError(Function):
    """E = Σ (x − t)², summed over every element;  ∂E/∂x = 2(x − t),  ∂E/∂t = −2(x − t)

    The course's squared error as one node rather than three (difference, square, sum).
    """

    __slots__ = ()
    saves = ("x", "t")

    def forward(self, x, t):
        d = x - t
        return np.vdot(d, d)

    def backward(self, grad, out, x, t):
        gx = (x - t) * (2 * grad)
        return gx, (-gx if self.needs_input_grad[1] else None)


class Reduction(Function):
    """A reduction over `axis` (all axes for None), keeping the reduced axes as size 1 when
    `keepdim`; its rule broadcasts the gradient (and the output) back against x."""

    __slots__ = ("axis", "keepdim")

    def __init__(self, axis, keepdim):
        self.axis, self.keepdim = axis, keepdim

    def broadcastable(self, x, *arrays) -> tuple:
        """`arrays` (the gradient, the output) shaped as with keepdims=True."""
        if self.keepdim:
            return arrays
        shape = keepdim_shape(x.shape, self.axis)
        return tuple([a.reshape(shape) for a in arrays])


class Sum(Reduction):
    """y = Σ_axis x;  ∂y/∂x = 1, so the gradient is broadcast back over the summed axes"""

    __slots__ = ()
    saves = ()

    def forward(self, x):
        if x.dtype is HALF:  # accumulate's test, inline: Sum is on every loss's path
            return accumulate(np.ndarray.sum, x, axis=self.axis, keepdims=self.keepdim)
        return x.sum(axis=self.axis, keepdims=self.keepdim)

    def backward(self, grad, out, x):
        if grad.ndim and grad.size != 1:  # one number (a loss's) spreads as it is
            (grad,) = self.broadcastable(x, grad)
        return broadcast_to(grad, x.shape)


class Mean(Sum):
    """y = Σ_axis x / n;  ∂y/∂x = 1/n, broadcast back over the n averaged entries

    One node, not Sum then Div: the float16 sum of ten 1e4 overflows, their mean does not.
    """

    __slots__ = ()

    def forward(self, x):
        if x.dtype is HALF:
            return accumulate(np.ndarray.mean, x, axis=self.axis, keepdims=self.keepdim)
        # np.mean's very sum and division, without its 3 µs of Python around them
        return x.sum(axis=self.axis, keepdims=self.keepdim) / reduced_count(x.shape, self.axis)

    def backward(self, grad, out, x):
        return super().backward(grad / reduced_count(x.shape, self.axis), out, x)


class Var(Reduction):
    """v = Σ_axis (x − x̄)² / d, with d = max(n − correction, 0);  ∂v/∂x = 2 (x − x̄) / d

    d = 0 divides by 0 as numpy and PyTorch do: v = ∞ (NaN without spread), ∂v/∂x = ±∞.
    """

    __slots__ = ("correction",)
    saves = ("x",)
    reduce = staticmethod(np.ndarray.var)

    def __init__(self, axis, keepdim, correction):
        super().__init__(axis, keepdim)
        self.correction = correction

    def forward(self, x):
        return accumulate(self.reduce, x, axis=self.axis, ddof=self.correction,
                          keepdims=self.keepdim)

    def dof(self, x) -> int:
        return max(reduced_count(x.shape, self.axis) - self.correction, 0)

    def backward(self, grad, out, x):
        (grad,) = self.broadcastable(x, grad)
        return (x - x.mean(axis=self.axis, keepdims=True)) * (grad * 2 / self.dof(x))


class Std(Var):
    """σ = √v (see Var);  ∂σ/∂x = (x − x̄) / (d σ), and 0 where σ = 0: without spread σ has
    a kink (σ(c + t·u) = |t| σ(u)), where PyTorch takes 0"""

    __slots__ = ()
    saves = ("x", "out")
    reduce = staticmethod(np.ndarray.std)

    def backward(self, grad, out, x):
        grad, out = self.broadcastable(x, grad, out)
        # σ = 0 becomes ∞ before the division, so the slope is 0 there in every pass
        spread = np.where(out == 0, np.inf, out)
        return (x - x.mean(axis=self.axis, keepdims=True)) * (grad / self.dof(x) / spread)


class Norm(Reduction):
    """y = ‖x‖ = √Σ_axis x²;  ∂y/∂x = x / y, and 0 where y = 0: ‖·‖ has a kink at 0
    (‖t·u‖ = |t| ‖u‖), where PyTorch takes 0"""

    __slots__ = ()
    saves = ("x", "out")

    def forward(self, x):
        wide = x.astype(np.float32) if x.dtype is HALF else x  # float16 squares overflow
        y = np.sqrt((wide * wide).sum(axis=self.axis, keepdims=self.keepdim))
        return y.astype(x.dtype, copy=False)

    def backward(self, grad, out, x):
        grad, out = self.broadcastable(x, grad, out)
        # y = 0 becomes ∞ before the division, so the slope is 0 there in every pass
        return x * (grad / np.where(out == 0, np.inf, out))


class Max(Reduction):
    """y = max_axis x;  ∂y/∂x = 1/k at each of the k maximal entries, else 0 (a NaN is the
    maximum, so the NaNs share it, as PyTorch's max)"""

    __slots__ = ()
    saves = ("x", "out")
    reduce = staticmethod(np.amax)

    def forward(self, x):
        return self.reduce(x, axis=self.axis, keepdims=self.keepdim)

    def backward(self, grad, out, x):
        grad, out = self.broadcastable(x, grad, out)
        winners = (x == out) | np.isnan(x)  # out is NaN where x holds one, and NaN ≠ NaN
        count = winners.sum(axis=self.axis, keepdims=True).astype(grad.dtype)
        return grad / count * winners


class Min(Max):
    """y = min_axis x;  ∂y/∂x = 1/k at each of the k minimal entries (or NaNs), else 0"""

    __slots__ = ()
    reduce = staticmethod(np.amin)


class Prod(Reduction):
    """y = Π_axis x (one axis, or all);  ∂y/∂xᵢ = Π_{j ≠ i} xⱼ, which is y / xᵢ when no x is
    0 (as PyTorch). With zeros it is the product of the xⱼ before i times the product of
    those after, formed without dividing (PyTorch's prod_safe_zeros_backward): so one zero
    gets the product of the others and everything else 0, and two zeros give 0 everywhere."""

    __slots__ = ()
    saves = ("x", "out")

    def forward(self, x):
        return accumulate(np.ndarray.prod, x, axis=self.axis, keepdims=self.keepdim)

    def backward(self, grad, out, x):
        grad, out = self.broadcastable(x, grad, out)
        if x.size == 0 or not np.any(x == 0):
            return grad * out / x
        if self.axis is None:  # all of x: the products along its flattened values
            flat = x.reshape(-1)
            others = exclusive_cumprod(flat, 0) * exclusive_cumprod(flat, 0, from_end=True)
            return grad * others.reshape(x.shape)
        (axis,) = self.axis
        return grad * (exclusive_cumprod(x, axis) * exclusive_cumprod(x, axis, from_end=True))


class PNorm(Reduction):
    """y = (Σ_axis |x|ᵖ)^(1/p) for a real p (p = 0 counts the non-zero x);
    ∂y/∂x = sgn(x) |x|^(p−1) / y^(p−1), taken as PyTorch's linalg_vector_norm_backward at
    the kinks: 0 where y = 0 (p ≥ 1) and where x = 0 (p < 1), and 0 everywhere for p = 0."""

    __slots__ = ("p",)
    saves = ("x", "out")

    def __init__(self, axis, keepdim, p):
        super().__init__(axis, keepdim)
        self.p = p

    def forward(self, x):
        wide = x.astype(np.float32) if x.dtype is HALF else x
        if self.p == 0:
            y = (wide != 0).sum(axis=self.axis, keepdims=self.keepdim)
        else:
            with np.errstate(divide="ignore"):  # 0 to a negative power is ∞, as in PyTorch
                y = (np.abs(wide) ** self.p).sum(axis=self.axis, keepdims=self.keepdim)
                y = y ** (1 / self.p)
        return np.asarray(y).astype(x.dtype, copy=False)

    def backward(self, grad, out, x):
        grad, out = self.broadcastable(x, grad, out)
        p = self.p
        if p == 0:
            return np.broadcast_to(grad * 0, x.shape)
        # |x| with its zeros made 1, so that |x|^(p−1) stays finite: sgn(0) = 0 there anyway
        scaled = np.sign(x) * np.where(x == 0, 1.0, np.abs(x)) ** (p - 1)
        if p < 1:
            return scaled * (grad * out ** (1 - p))
        # y = 0 becomes ∞ before the division, so the slope is 0 there in every pass
        return scaled * (grad / np.where(out == 0, np.inf, out) ** (p - 1))


def lower_median(x, axis=None, keepdims=False):
    """The lower of the two middle values of all of x, NaN if x holds one (PyTorch's median
    of a whole tensor; an empty one has none: NaN)."""
    flat = np.sort(x, axis=None)  # NaN sorts last
    if flat.size == 0:
        value = np.nan
    else:
        value = flat[-1] if flat[-1] != flat[-1] else flat[(flat.size - 1) // 2]
    out = np.asarray(value, dtype=x.dtype)
    return out.reshape((1,) * x.ndim) if keepdims else out


class Median(Max):
    """y = the lower middle value of all of x;  ∂y/∂x = 1/k at each of the k entries equal to
    it (or NaNs), else 0, as PyTorch's median() (with a dim, the gradient goes to the index)"""

    __slots__ = ()
    reduce = staticmethod(lower_median)
