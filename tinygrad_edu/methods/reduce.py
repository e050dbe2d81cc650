"""Reductions of tensors (the `Reductions` mixin of `Tensor`): sum, mean, var, std, max,
min, argmax, logsumexp, softmax, log_softmax, built from the primitives of `ops.reduce`."""

from __future__ import annotations

import numbers

import numpy as np

from .. import arguments, dtypes, ops
from ..arguments import check_nonempty, reduced_shape, reduction_args
from ..recording import apply, floating, wrap
from ..tensor_base import TensorBase
from .arithmetic import maximum, minimum


class Reductions:
    """Reductions over dims, and the softmax family."""

    __slots__ = ()

    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Σ over `dim`; with `dtype`, x is cast to it first (the gradient is cast back)."""
        dim, keepdim = reduction_args("sum", self.ndim, dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.to(dtypes.as_dtype(dtype, "sum"))
        return apply(ops.Sum(dim, keepdim), x)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Σ / n over `dim`; with `dtype`, x is cast to it first (the gradient is cast back)."""
        dim, keepdim = reduction_args("mean", self.ndim, dim, keepdim, axis, keepdims)
        x = floating(self) if dtype is None else self.to(dtypes.as_dtype(dtype, "mean"))
        return apply(ops.Mean(dim, keepdim), x)

    def var(self, dim=None, keepdim=False, *, correction=1, unbiased=None, axis=None,
            keepdims=None):
        """Σ (x − mean)² / (n − correction); `correction=1` (the default) is unbiased."""
        return self._spread(ops.Var, "var", dim, keepdim, correction, unbiased, axis, keepdims)

    def std(self, dim=None, keepdim=False, *, correction=1, unbiased=None, axis=None,
            keepdims=None):
        """√var, with the same arguments as `var`; its gradient is 0 where every x is equal."""
        return self._spread(ops.Std, "std", dim, keepdim, correction, unbiased, axis, keepdims)

    def _spread(self, op, name, dim, keepdim, correction, unbiased, axis, keepdims):
        dim, keepdim = reduction_args(name, self.ndim, dim, keepdim, axis, keepdims)
        if unbiased is not None:
            correction = int(bool(unbiased))
        if not isinstance(correction, numbers.Real):
            raise TypeError(f"{name}: correction must be a number, got {correction!r}")
        return apply(op(dim, keepdim, correction), floating(self))

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Largest value over `dim`; ties share the gradient evenly."""
        dim, keepdim = reduction_args("amax", self.ndim, dim, keepdim, axis, keepdims)
        check_nonempty("amax", self.shape, dim)
        return apply(ops.Max(dim, keepdim), self)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Smallest value over `dim`; ties share the gradient evenly."""
        dim, keepdim = reduction_args("amin", self.ndim, dim, keepdim, axis, keepdims)
        check_nonempty("amin", self.shape, dim)
        return apply(ops.Min(dim, keepdim), self)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """`amax`, or `maximum(self, other)` when given a tensor (as `torch.max(a, b)`)."""
        if isinstance(dim, TensorBase):
            return maximum(self, dim)
        return self.amax(dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """`amin`, or `minimum(self, other)` when given a tensor (as `torch.min(a, b)`)."""
        if isinstance(dim, TensorBase):
            return minimum(self, dim)
        return self.amin(dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim=False):
        """Index of the largest value (over the flattened tensor when `dim` is None)."""
        return self._arg(np.argmax, "argmax", dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """Index of the smallest value (over the flattened tensor when `dim` is None)."""
        return self._arg(np.argmin, "argmin", dim, keepdim)

    def _arg(self, fn, name, dim, keepdim):
        axes = None if dim is None else arguments.dim(name, dim, self.ndim)
        check_nonempty(name, self.shape, axes or None)
        if not axes:  # no dim, or a 0-d tensor
            return wrap(np.asarray(fn(self._data)))
        return wrap(np.asarray(fn(self._data, axis=axes[0], keepdims=keepdim)))

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """ln Σ eˣ over `dim`, computed as m + ln Σ e^(x − m) with m the maximum (no overflow)."""
        dim, keepdim = reduction_args("logsumexp", self.ndim, dim, keepdim, axis, keepdims)
        shifted, m = _shift_by_max(self, dim)
        out = apply(ops.Sum(dim, True), shifted.exp()).log() + m
        return out if keepdim else out.reshape(reduced_shape(self.shape, dim))

    def softmax(self, dim):
        """e^(xᵢ) / Σⱼ e^(xⱼ) along `dim`, shifted by the maximum for stability."""
        axes = arguments.dim("softmax", dim, self.ndim)
        e = _shift_by_max(self, axes)[0].exp()
        return e / apply(ops.Sum(axes, True), e)

    def log_softmax(self, dim):
        """xᵢ − logsumexp(x) along `dim`, as (xᵢ − m) − ln Σⱼ e^(xⱼ − m) with m the maximum:
        subtracting after the shift keeps full precision when |m| is large."""
        axes = arguments.dim("log_softmax", dim, self.ndim)
        shifted = _shift_by_max(self, axes)[0]
        return shifted - apply(ops.Sum(axes, True), shifted.exp()).log()


def _shift_by_max(t: TensorBase, axes):
    """(t − m, m) with m the maximum over `axes` (kept), a constant, and 0 where not finite;
    m is float (the default dtype for int or bool t), so bool t can be shifted too."""
    d = t.dtype if dtypes.is_float(t.dtype) else dtypes.get_default_dtype()
    if t._data.size == 0:
        m = np.zeros(ops.keepdim_shape(t.shape, axes), d)
    else:
        m = np.amax(t._data, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(d, copy=False)
    return t - m, m
