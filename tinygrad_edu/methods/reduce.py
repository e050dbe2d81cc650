"""Reductions of tensors (the `Reductions` mixin of `Tensor`): sum, mean, var, std, prod,
norm, max, min, aminmax, argmax, logsumexp, cumsum, cumprod, softmax, log_softmax, built from
the primitives of `ops.reduce` and `ops.scan`; and the functions `tg.sum`, `tg.max`, ... of
these and of the selections (`methods.sort`: sort, topk, median, ...)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import arguments, dtypes, ops, return_types
from ..arguments import (
    RuntimeValueError,
    check_nonempty,
    floating_only,
    reduced_shape,
    reduction_args,
)
from ..recording import apply, apply1, method_function, wrap
from ..tensor_base import TensorBase
from .arithmetic import maximum, minimum
from .sort import Selections


def _cast(x: TensorBase, dtype, op: str) -> TensorBase:
    """x in `dtype` when given (through the graph), else ints and bools as int64: PyTorch's
    sum, prod, cumsum and cumprod of them (numpy would keep uint8 as uint64)."""
    if dtype is not None:
        return x.to(dtypes.as_dtype(dtype, op))
    if x._data.dtype.kind in "biu" and x._data.dtype != np.int64:
        return wrap(x._data.astype(np.int64))
    return x


class Reductions(Selections):
    """Reductions over dims, running sums and products, and the softmax family."""

    __slots__ = ()

    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Σ over `dim`; with `dtype`, x is cast to it first (the gradient is cast back)."""
        dim, keepdim = reduction_args("sum", self.ndim, dim, keepdim, axis, keepdims)
        x = self if dtype is None and self._data.dtype.kind == "f" else _cast(self, dtype, "sum")
        return apply1(ops.Sum(dim, keepdim), x)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Σ / n over `dim`; with `dtype`, x is cast to it first (the gradient is cast back).
        Ints and bools need `dtype=`, as in PyTorch."""
        dim, keepdim = reduction_args("mean", self.ndim, dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.to(dtypes.as_dtype(dtype, "mean"))
        floating_only("mean", x._data.dtype)
        return apply1(ops.Mean(dim, keepdim), x)

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
        floating_only(name, self._data.dtype)
        if unbiased is not None:
            correction = int(bool(unbiased))
        if not isinstance(correction, numbers.Real):
            raise TypeError(f"{name}: correction must be a number, got {correction!r}")
        return apply(op(dim, keepdim, correction), self)

    def prod(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Π over all elements or one `dim`; exact gradients where x holds zeros (see
        ops.Prod). Ints and bools give int64, as in PyTorch."""
        dim = dim if axis is None else axis
        if isinstance(dim, (tuple, list)):
            raise TypeError(f"prod: dim must be an int, got {dim!r}")
        dim, keepdim = reduction_args("prod", self.ndim, dim, keepdim, None, keepdims)
        x = self if dtype is None and self._data.dtype.kind == "f" else _cast(self, dtype, "prod")
        return apply(ops.Prod(dim, keepdim), x)

    def cumsum(self, dim, *, dtype=None):
        """Running sums along `dim`; ints and bools give int64, as in PyTorch."""
        return self._scan(ops.Cumsum, "cumsum", dim, dtype)

    def cumprod(self, dim, *, dtype=None):
        """Running products along `dim`, with exact gradients where x holds zeros."""
        return self._scan(ops.Cumprod, "cumprod", dim, dtype)

    def _scan(self, op, name, dim, dtype):
        axes = arguments.dim(name, dim, self.ndim)
        x = self if dtype is None and self._data.dtype.kind == "f" else _cast(self, dtype, name)
        if not axes:  # a 0-d tensor: its own running sum and product
            return apply1(ops.Clone(), x)
        return apply(op(axes[0]), x)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        """The vector p-norm (Σ |x|ᵖ)^(1/p) over `dim` (all elements by default): p = 2 and
        "fro" the Euclidean norm, 1, ±inf (max / min of |x|), 0 (the count of non-zero x) or
        any real p. The gradient is 0 where the norm has a kink at 0, as in PyTorch."""
        x = self if dtype is None else self.to(dtypes.as_dtype(dtype, "norm"))
        floating_only("norm", x._data.dtype)
        dim, keepdim = reduction_args("norm", self.ndim, dim, keepdim, axis, keepdims)
        if isinstance(p, str):
            if p != "fro":
                raise ValueError(f"norm: p must be a real number or 'fro', got {p!r}"
                                 + (" (for the nuclear norm of matrices use "
                                    "tg.linalg.matrix_norm(x, 'nuc'))" if p == "nuc" else ""))
            p = 2
        return p_norm("norm", x, arguments.real("norm", "p", p), dim, keepdim)

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
        """The largest value (ties share the gradient); along one `dim`, the named tuple
        (values, indices) of the first largest, whose gradient goes to that index; given a
        tensor, `maximum(self, other)` (as `torch.max(a, b)`)."""
        return self._extreme("max", np.argmax, maximum, dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The smallest value; along one `dim` (values, indices); given a tensor, `minimum`."""
        return self._extreme("min", np.argmin, minimum, dim, keepdim, axis, keepdims)

    def _extreme(self, name, arg, elementwise, dim, keepdim, axis, keepdims):
        if isinstance(dim, TensorBase):
            return elementwise(self, dim)
        if axis is not None or keepdims is not None or dim is None:  # numpy's spelling: amax
            whole = getattr(self, "a" + name)
            return whole(dim, keepdim, axis=axis, keepdims=keepdims)
        def first(a, axis):  # the index of the first extreme, kept along axis
            return arg(a, axis=axis, keepdims=True)

        return getattr(return_types, name)(*self._along(name, dim, keepdim, first))

    def aminmax(self, *, dim=None, keepdim=False):
        """The named tuple (min, max) over all elements or one `dim`; ties share the gradient,
        as `amin` and `amax`."""
        if dim is not None:
            arguments.dim("aminmax", dim, self.ndim)
        return return_types.aminmax(self.amin(dim, keepdim), self.amax(dim, keepdim))

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


# the functions tg.<name>(x, ...) of the reductions: x.<name>(...) of x made a tensor
FUNCTIONS = ("sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin", "aminmax",
             "argmax", "argmin", "median", "mode", "norm", "logsumexp", "cumsum", "cumprod",
             "cummax", "cummin", "topk", "sort", "argsort", "kthvalue", "unique")


for _name in FUNCTIONS:
    globals()[_name] = method_function(_name)
del _name

__all__ = list(FUNCTIONS)


def p_norm(op: str, x, p: float, axes, keepdim: bool) -> TensorBase:
    """(Σ_axes |x|ᵖ)^(1/p), the norm behind `x.norm` and `tg.linalg.vector_norm`: 2 is the
    `Norm` primitive, 1 and ±∞ are sums and extrema of |x|, 0 counts the non-zero x (in the
    graph, with the gradient 0 everywhere, as PyTorch), any other p is `PNorm`."""
    if p == 2:
        return apply(ops.Norm(axes, keepdim), x)
    if p == 1:
        return x.abs().sum(axes, keepdim)
    if p in (np.inf, -np.inf):
        if 0 in (x.shape if axes is None else [x.shape[a] for a in axes]):
            raise RuntimeValueError(f"{op}: no {p} norm over an empty dimension of shape "
                                    f"{x.shape} (it has no identity)")
        return x.abs().amax(axes, keepdim) if p > 0 else x.abs().amin(axes, keepdim)
    return apply(ops.PNorm(axes, keepdim, p), x)
