"""What numpy's functions do with a tensor (the `NumpyProtocol` mixin of `Tensor`).

A ufunc whose op is known (`ops.UFUNC_OPS`: np.exp, np.add, ...) records that op, so a rule
written against numpy records itself when `create_graph=True` hands it tensors; a few more
(`np.square`, `np.sum`, `np.linalg.norm`, ...) record their tensor method. Any other call
works on the values, as for a PyTorch tensor, and is refused when a tensor requires grad,
whose gradient numpy would drop.
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import ops
from ..arguments import reduction_args
from ..recording import (
    apply,
    apply1,
    apply_float,
    as_tensor,
    binary,
    floating,
)
from ..tensor_base import TensorBase
from .arithmetic import matmul, where
from .logic import without_gradient
from .shape import cat, stack

# the function of each two-input op numpy may hand us, made once (`recording.binary`)
_BINARY = {u: binary(op, u.__name__) for u, op in ops.UFUNC_OPS.items() if u.nin == 2}


class NumpyProtocol:
    """numpy's dispatch protocols: `__array_ufunc__`, `__array_function__`."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Lets `np.exp(t)`, `ndarray * t`, `np.square(t)`, ... record like `t.exp()`,
        `t * ndarray`, `t * t`; any other ufunc call works on the values (`_on_values`)."""
        if method == "__call__" and not kwargs:
            op = ops.UFUNC_OPS.get(ufunc)
            if op is not None:
                if len(inputs) == 2:  # PyTorch's promotion, so `ndarray * t` is `t * ndarray`
                    return _BINARY[ufunc](*inputs)
                x = inputs[0]  # the tensor (numpy asks us, so it is one)
                return (apply_float if op.floating else apply1)(op(), x)
            composite = _UFUNC_COMPOSITES.get(ufunc)
            if composite is not None:
                return composite(*inputs)
            if ufunc in _UFUNCS_WITHOUT_GRADIENT:
                return without_gradient(ufunc, *inputs)
        name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        return _on_values(name, getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """Lets `np.sum(t)`, `np.linalg.norm(t)`, ... record (see `_ARRAY_FUNCTIONS`); a
        function or arguments we cannot express work on the values (`_on_values`)."""
        impl = _ARRAY_FUNCTIONS.get(func)
        if impl is not None:
            try:
                out = impl(*args, **kwargs)
            except TypeError:
                if _binds(impl, args, kwargs):
                    raise  # a real error of the operation, not an argument we lack
                out = NotImplemented
            if out is not NotImplemented:
                return out
        if func in _ARRAY_FUNCTIONS_WITHOUT_GRADIENT:  # values with no gradient to lose
            return func(*_raw_nested(args), **_raw_nested(kwargs))
        name = func.__module__.replace("numpy", "np", 1) + "." + func.__name__
        return _on_values(name, func, args, kwargs)


def _on_values(name: str, func, args, kwargs):
    """`func` on the arrays inside `args` and `kwargs`, returning what numpy returns, as for a
    PyTorch tensor; refused when a tensor requires grad, whose gradient would be lost."""
    if _requires_grad_in(args) or _requires_grad_in(kwargs):
        raise TypeError(
            f"{name}: numpy would work on the values of a tensor that requires grad and drop "
            "its gradient; use tinygrad_edu's operations (tensor methods such as sum, amax, "
            f"var, matmul, exp), or call {name} on t.detach() for a value outside the graph"
        )
    return func(*_raw_nested(args), **_raw_nested(kwargs))


def _requires_grad_in(obj) -> bool:
    """Whether a tensor inside `obj` (nested lists, tuples, dicts) requires grad."""
    if isinstance(obj, TensorBase):
        return obj._requires_grad
    if isinstance(obj, (list, tuple)):
        return any(map(_requires_grad_in, obj))
    if isinstance(obj, dict):
        return any(map(_requires_grad_in, obj.values()))
    return False


def _binds(fn, args, kwargs) -> bool:
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _raw_nested(x):
    if isinstance(x, TensorBase):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_raw_nested(i) for i in x)
    if isinstance(x, dict):
        return {k: _raw_nested(v) for k, v in x.items()}
    return x


_UFUNCS_WITHOUT_GRADIENT = {
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.isfinite, np.isnan, np.isinf,
    np.signbit,
}

_UFUNC_COMPOSITES = {np.positive: lambda x: x}


# numpy's functions that a tensor records, with numpy's signatures (so positional arguments
# mean what they mean to numpy); an argument they do not take, or NotImplemented returned for
# a case they cannot express, sends the call to `_on_values`

def _np_sum(a, axis=None, dtype=None, out=None, keepdims=False):
    if dtype is not None or out is not None:
        return NotImplemented
    return as_tensor(a, "sum").sum(axis=axis, keepdims=keepdims)


def _np_mean(a, axis=None, dtype=None, out=None, keepdims=False):
    if dtype is not None or out is not None:
        return NotImplemented
    return as_tensor(a, "mean").mean(axis=axis, keepdims=keepdims)


def _np_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """numpy's var: `ddof` (0 by default, unlike PyTorch's correction=1) is the correction."""
    if dtype is not None or out is not None:
        return NotImplemented
    return as_tensor(a, "var").var(axis=axis, keepdims=keepdims, correction=ddof)


def _np_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    if dtype is not None or out is not None:
        return NotImplemented
    return as_tensor(a, "std").std(axis=axis, keepdims=keepdims, correction=ddof)


def _np_amax(a, axis=None, out=None, keepdims=False):
    if out is not None:
        return NotImplemented
    return as_tensor(a, "amax").amax(axis=axis, keepdims=keepdims)


def _np_amin(a, axis=None, out=None, keepdims=False):
    if out is not None:
        return NotImplemented
    return as_tensor(a, "amin").amin(axis=axis, keepdims=keepdims)


def _np_cumsum(a, axis=None, dtype=None, out=None):
    """np.cumsum: along `axis`, or along the flattened values when it is None."""
    if dtype is not None or out is not None:
        return NotImplemented
    a = as_tensor(a, "cumsum")
    return a.reshape(-1).cumsum(0) if axis is None else a.cumsum(axis)


def _np_cumprod(a, axis=None, dtype=None, out=None):
    if dtype is not None or out is not None:
        return NotImplemented
    a = as_tensor(a, "cumprod")
    return a.reshape(-1).cumprod(0) if axis is None else a.cumprod(axis)


def _np_dot(a, b, out=None):
    """np.dot of operands with at most two dimensions: a product with a 0-d operand, else
    the matrix product (for more dimensions np.dot is not matmul)."""
    if out is not None or max(np.ndim(a), np.ndim(b)) > 2:
        return NotImplemented
    return a * b if 0 in (np.ndim(a), np.ndim(b)) else matmul(a, b)


def _np_inner(a, b):
    """np.inner of operands with at most two dimensions: Σ over the last axes, a @ bᵀ."""
    if max(np.ndim(a), np.ndim(b)) > 2:
        return NotImplemented
    if 0 in (np.ndim(a), np.ndim(b)):
        return a * b
    return matmul(a, b.T if np.ndim(b) == 2 else b)


def _np_norm(x, ord=None, axis=None, keepdims=False):
    """np.linalg.norm as √Σ x² over `axis` (all elements by default): the vector 2-norm, or
    the Frobenius norm of a matrix; other orders are not expressed."""
    x = as_tensor(x, "norm")
    axes = x.ndim if axis is None else 1 if isinstance(axis, (int, np.integer)) else len(axis)
    if not (ord is None or (ord == 2 and axes == 1) or (ord == "fro" and axes == 2)):
        return NotImplemented
    axes, keepdim = reduction_args("norm", x.ndim, None, keepdims, axis, None)
    return apply(ops.Norm(axes, keepdim), floating(x))


_ARRAY_FUNCTIONS = {
    np.broadcast_to: lambda x, shape: x.expand(shape),
    np.transpose: lambda x, axes=None: x.permute(axes) if axes is not None else x.T,
    np.swapaxes: lambda x, a, b: x.transpose(a, b),
    np.reshape: lambda x, shape: x.reshape(shape),
    np.sum: _np_sum, np.mean: _np_mean, np.var: _np_var, np.std: _np_std,
    np.max: _np_amax, np.amax: _np_amax, np.min: _np_amin, np.amin: _np_amin,
    np.cumsum: _np_cumsum, np.cumprod: _np_cumprod,
    np.dot: _np_dot, np.inner: _np_inner, np.linalg.norm: _np_norm,
    np.where: where,
    np.concatenate: lambda ts, axis=0: cat(ts, axis),
    np.stack: lambda ts, axis=0: stack(ts, axis),
    np.clip: lambda x, lo, hi: as_tensor(x, "clip").clamp(lo, hi),
    np.round: lambda x, decimals=0: as_tensor(x, "round").round(decimals),
}

_ARRAY_FUNCTIONS_WITHOUT_GRADIENT = {  # their results carry no gradient: shapes, tests, indices
    np.shape, np.ndim, np.size, np.allclose, np.isclose, np.array_equal, np.array_equiv,
    np.argmax, np.argmin, np.argsort, np.count_nonzero, np.nonzero, np.all, np.any,
}
