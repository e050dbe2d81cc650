"""Checking and normalising the arguments of the public API, once, at the edge.

One validator per kind of argument: data (`to_array`), shapes (`shape_arg`, `sizes`),
dimensions (`dims`, `dim`, `reduction_args`), counts (`positive_int`), real numbers
(`real`, and `real_in` for a range) and named choices (`one_of`). Errors name the operation
that was called and the value it was given.
numpy only: tensors are recognised by their attributes, so this module sits below tensor.py.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import dtypes


def describe(x) -> str:
    """How an error message names a value: a tensor by shape and dtype, else type and repr."""
    if hasattr(x, "requires_grad") and hasattr(x, "shape"):  # a Tensor
        return f"a tensor of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


class RuntimeValueError(ValueError, RuntimeError):
    """A bad value that PyTorch reports as a RuntimeError (an integer division by zero, an
    integer to a negative power, an unknown rounding mode): either `except` catches it."""


class RuntimeTypeError(TypeError, RuntimeError):
    """A wrong dtype that PyTorch reports as a RuntimeError (lerp's end in another dtype, a
    float alpha for integers): either `except` catches it."""


class UnsupportedDtypeError(TypeError, NotImplementedError):
    """An operation PyTorch does not define for a dtype (floor of a bool, frac of an int),
    which it reports as NotImplementedError: either `except` catches it."""


_OWN_ERRORS = (RuntimeValueError, RuntimeTypeError, UnsupportedDtypeError)


def builtin_error(e: Exception) -> type:
    """The class to re-raise an error with a message naming the op: ours as it is, a numpy
    error as its built-in class (numpy's own subclasses, such as UFuncTypeError, take other
    constructor arguments), but a ValueError (shapes that do not fit: reshape, broadcasting)
    as RuntimeValueError, since PyTorch raises RuntimeError for those."""
    if type(e) in _OWN_ERRORS:
        return type(e)
    return next((c for c in (IndexError, TypeError) if isinstance(e, c)), RuntimeValueError)


# ---------------------------------------------------------------- data


def supported(arr, op: str):
    """`arr` (an ndarray or numpy scalar) in native byte order, once its dtype is checked to be
    one a tensor can hold (not complex, object, str, uint32, float128, ...)."""
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.dtype not in dtypes.SUPPORTED_SET:
        names = ", ".join(str(d) for d in dtypes.SUPPORTED_DTYPES)
        raise TypeError(f"{op}: unsupported dtype {arr.dtype} (supported: {names})")
    return arr


def to_array(data, dtype, op: str = "tensor") -> np.ndarray:
    """Validate data (numbers, nested sequences, arrays) and turn it into an owned ndarray of
    a supported dtype; errors name `op`, the operation that was given the data."""
    if data is None or isinstance(data, (str, bytes, dict, set)):
        raise TypeError(f"{op}: cannot build a tensor from {describe(data)}")
    try:
        arr = np.array(data)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{op}: data must be a rectangular nested sequence ({e})") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"{op}: data must be numeric (float, int or bool), got {arr.dtype} "
            f"from {describe(data)}"
        )
    if dtype is None and arr.dtype.kind == "f" and not isinstance(data, (np.ndarray,
                                                                        np.generic)):
        arr = arr.astype(dtypes.get_default_dtype(), copy=False)
    if dtype is not None:  # straight from the data: 0.3 asked as float64 is not rounded first
        return arr.astype(dtypes.as_dtype(dtype, op), copy=False)
    return supported(arr, op)


# ---------------------------------------------------------------- shapes


_MAX_ELEMENTS = np.iinfo(np.intp).max // 8  # beyond this numpy cannot even describe the array


def shape_arg(op: str, shape) -> tuple:
    """A shape given as f(2, 3), f((2, 3)) or f([2, 3]), as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"{op}: sizes must be ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def sizes(op: str, shape) -> tuple:
    """The shape of a new tensor (as `shape_arg` accepts it): non-negative ints, not absurdly
    large."""
    shape = shape_arg(op, shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    if math.prod(max(n, 1) for n in shape) > _MAX_ELEMENTS:
        raise ValueError(f"{op}: a tensor of shape {shape} is too large")
    return shape


def broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether an array of `shape` broadcasts to exactly `target`."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


# ---------------------------------------------------------------- dimensions


def dims(op: str, dim, ndim: int, unique: bool = True, new_axis: bool = False) -> tuple:
    """Normalise an int or a sequence of ints into non-negative axes, checking the range.

    With `new_axis` (unsqueeze, stack) the axis may also be one past the last.
    """
    given = dim if isinstance(dim, (tuple, list)) else (dim,)
    size = ndim + new_axis
    lo, hi = -max(size, 1), max(size, 1) - 1  # a 0-d tensor accepts dim 0 and -1, as PyTorch
    axes = []
    for d in given:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {d!r}")
        if not lo <= d <= hi:
            raise IndexError(
                f"{op}: dim {d} is out of range for a tensor with {ndim} dimension(s) "
                f"(expected a value in [{lo}, {hi}])"
            )
        axes.append(int(d) % size if size else 0)
    if unique and len(set(axes)) != len(axes):
        raise RuntimeValueError(f"{op}: dim {dim} repeats a dimension")
    return tuple(axes)


def dim(op: str, dim, ndim: int, new_axis: bool = False) -> tuple:
    """One dim (an int, not a tuple) checked as by `dims`: `(axis,)`, or `()` for a 0-d
    tensor, which accepts dim 0 and -1 but has no axis to act on."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    axes = dims(op, dim, ndim, new_axis=new_axis)
    return axes if ndim or new_axis else ()


def reduction_args(op, ndim, dim, keepdim, axis, keepdims):
    """Accept numpy's axis=/keepdims= as aliases; return (axes or None, keepdim)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: got both dim and its alias axis")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    axes = dims(op, dim, ndim)
    return (axes if ndim else ()), bool(keepdim)


def reduced_shape(shape: tuple, axes) -> tuple:
    """`shape` without the reduced `axes` (all of them when None)."""
    if axes is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class EmptyReduction(ValueError, IndexError, RuntimeError):
    """A reduction with no value over an empty dimension (max, median, mode): a ValueError,
    and PyTorch's IndexError (along a dim) or RuntimeError (over all elements)."""


def check_nonempty(op: str, shape: tuple, axes) -> None:
    """Refuse a reduction (max, argmax, ...) over an empty dimension, which has no value."""
    sizes = shape if axes is None else [shape[a] for a in axes]
    if 0 in sizes:
        raise EmptyReduction(f"{op}: cannot reduce over an empty dimension of shape {shape}")


# ---------------------------------------------------------------- numbers and choices


def is_positive_int(value: Any) -> bool:
    """True for a whole number ≥ 1 (a Python or numpy integer, never a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def positive_int(op: str, name: str, value: Any) -> int:
    """`value` as an int once checked to be a whole number ≥ 1 (sizes, counts, periods)."""
    if not is_positive_int(value):
        raise ValueError(f"{op}: {name} must be a positive integer, got {value!r}")
    return int(value)


def real(op: str, name: str, value: Any) -> Any:
    """`value` once checked to be a real number (a Python or numpy int or float, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}: {name} must be a real number, got {value!r}")
    return value


def real_in(op: str, name: str, value: Any, low: float = 0.0, high: float = math.inf,
            high_open: bool = False) -> float:
    """`value` as a float once checked to be a finite real with low ≤ value ≤ high (< high
    when `high_open`): learning rates, momenta, decays, betas."""
    value = float(real(op, name, value))
    above = value < high if high_open else value <= high
    if not (low <= value and above and math.isfinite(value)):
        upper = f"{high})" if high_open else f"{high}]"
        raise ValueError(f"{op}: invalid {name} {value!r} (must lie in [{low}, {upper})")
    return value


def one_of(op: str, name: str, value: Any, choices: tuple) -> None:
    """Refuse a `value` that is not one of the named `choices` (a loss's reduction, ...)."""
    if value not in choices:
        raise ValueError(f"{op}: {name} must be one of {choices}, got {value!r}")


# ---------------------------------------------------------------- dtype checks


def same_dtype(op: str, *tensors) -> None:
    """Refuse operands of different dtypes, as PyTorch's mm, dot, einsum... (no promotion)."""
    kinds = {t.dtype for t in tensors}
    if len(kinds) > 1:
        names = ", ".join(str(t.dtype) for t in tensors)
        raise RuntimeTypeError(f"{op}: expected operands of one dtype, got {names}")


def floating_dtype(op: str, x) -> None:
    """Refuse a tensor that is not floating point (inv, det, norms)."""
    floating_only(op, x.dtype)


def floating_only(op: str, dtype) -> None:
    """Refuse an int or bool dtype where PyTorch needs a float one (mean, var, std, norm)."""
    if dtype.kind != "f":
        raise RuntimeTypeError(f"{op}: the input must have a floating point dtype, got {dtype} "
                               f"(convert it with .float(), or pass dtype=)")
