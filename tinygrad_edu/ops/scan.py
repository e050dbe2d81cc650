"""Cumulative (scan) primitives along one axis: running sums and running products, and the
exclusive products that prod's and cumprod's rules need where x holds zeros.

cummax and cummin need no primitive: their values are x at the running winners' places
(an indexing node), whose gradient is scattered back to those places."""

from __future__ import annotations

import numpy as np

from .function import Function


def reverse(axis: int) -> tuple:
    """The index that reverses an array along `axis` (a view, for ndarrays and Tensors)."""
    return (slice(None),) * axis + (slice(None, None, -1),)


def reversed_cumsum(a, axis: int):
    """Σ_{k ≥ i} a_k along `axis`: the running sum taken from the far end."""
    back = reverse(axis)
    return np.cumsum(a[back], axis=axis)[back]


def exclusive_cumprod(x, axis: int, from_end: bool = False):
    """Π_{j < i} x_j along `axis` (Π_{j > i} x_j `from_end`): no division, so exact where x
    holds zeros. It is the running product of x moved one place on, 1 entering first."""
    if from_end:
        back = reverse(axis)
        return exclusive_cumprod(x[back], axis)[back]
    lead = (slice(None),) * axis
    ones = np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1:], dtype=x.dtype)
    return np.cumprod(np.concatenate([ones, x[lead + (slice(0, -1),)]], axis=axis), axis=axis)


class Scan(Function):
    """A running reduction along `axis`: y has x's shape."""

    __slots__ = ("axis",)

    def __init__(self, axis):
        self.axis = axis


class Cumsum(Scan):
    """yᵢ = Σ_{j ≤ i} xⱼ;  ∂L/∂xⱼ = Σ_{i ≥ j} ∂L/∂yᵢ, the running sum of the gradient taken
    from the far end"""

    __slots__ = ()
    saves = ()

    def forward(self, x):
        if x.dtype == np.float16:  # numpy adds float16 in float16; PyTorch in float32
            return np.cumsum(x, axis=self.axis, dtype=np.float32).astype(np.float16)
        return np.cumsum(x, axis=self.axis)

    def backward(self, grad, out, x):
        return reversed_cumsum(grad, self.axis)


class Cumprod(Scan):
    """yᵢ = Π_{j ≤ i} xⱼ;  ∂L/∂xⱼ = Σ_{i ≥ j} gᵢ Π_{k ≤ i, k ≠ j} xₖ, which is
    (Σ_{i ≥ j} gᵢ yᵢ) / xⱼ when no x is 0 (as PyTorch). With zeros the products are formed
    without dividing: row j of the n × n matrix R (Rⱼₖ = xₖ, with 1 at k = j) has the
    running products Π_{k ≤ i, k ≠ j} xₖ, as PyTorch's O(n²) rule for second derivatives."""

    __slots__ = ()
    saves = ("x", "out")

    def forward(self, x):
        if x.dtype == np.float16:
            return np.cumprod(x, axis=self.axis, dtype=np.float32).astype(np.float16)
        return np.cumprod(x, axis=self.axis)

    def backward(self, grad, out, x):
        axis, n = self.axis, x.shape[self.axis]
        if n <= 1:
            return grad
        if not np.any(x == 0):
            return reversed_cumsum(grad * out, axis) / x
        last = np.swapaxes(x, axis, -1)[..., None, :]  # (..., 1, n): row j of R, before the 1
        eye = np.eye(n, dtype=bool)
        products = np.cumprod(np.where(eye, 1.0, last), axis=-1)  # (..., n, n): [j, i]
        later = np.triu(np.ones((n, n), dtype=bool))  # i ≥ j
        g = np.swapaxes(grad, axis, -1)[..., None, :]
        return np.swapaxes(np.where(later, g * products, 0.0).sum(axis=-1), axis, -1)
