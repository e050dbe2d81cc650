"""Reductions: sums, means, variances, norms, maxima over some axes, and the course's squared
error. A rule over some axes reshapes the incoming gradient to the kept-dims shape
(`keepdim_shape`), so that it broadcasts back over the reduced axes."""

from __future__ import annotations

import math

import numpy as np

from .function import Function


def reduced_count(shape: tuple, axis) -> int:
    """How many elements a reduction over `axis` combines. math.prod, not np.prod, which
    first makes an array of the sizes: that took a third of `mean`'s time."""
    return math.prod(shape if axis is None else [shape[a] for a in axis])


HALF = np.dtype(np.float16)


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
        (grad,) = self.broadcastable(x, grad)
        return np.broadcast_to(grad, x.shape)


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
