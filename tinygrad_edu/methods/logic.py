"""Comparisons and logic (the `Logic` mixin of `Tensor`), and the functions `tg.eq`,
`tg.isclose`, `tg.logical_and`, `tg.all`, `tg.nonzero`, ...

Every result is a value outside the graph (a bool or int64 tensor, or a Python bool): a
comparison has no derivative, so nothing here records a node. As in PyTorch, `& | ^ ~` are
bitwise on ints and logical on bools, and refused for floats.
"""

from __future__ import annotations

import numpy as np

from ..arguments import (
    RuntimeTypeError,
    RuntimeValueError,
    UnsupportedDtypeError,
    builtin_error,
    describe,
    real,
    reduction_args,
)
from ..recording import as_tensor, operand, raw, wrap
from ..tensor_base import TensorBase


def without_gradient(ufunc, *inputs) -> TensorBase:
    """`ufunc` on the values (comparisons, sign, isnan, ...): a tensor outside the graph."""
    args = [raw(operand(i, ufunc.__name__)) for i in inputs]
    try:
        return wrap(np.asarray(ufunc(*args)))
    except (ValueError, TypeError) as e:
        shapes = ", ".join(str(np.shape(a)) for a in args)
        raise builtin_error(e)(f"{ufunc.__name__}: {e} (shapes {shapes})") from None
    except OverflowError as e:  # a Python int beyond the range of the tensor's dtype
        raise ValueError(f"{ufunc.__name__}: {e}") from None


def bitwise(ufunc, *inputs) -> TensorBase:
    """`& | ^ ~`: bitwise on ints, logical on bools (numpy's bitwise ufuncs do both); a float
    operand is refused, as PyTorch refuses it."""
    for x in inputs:
        if isinstance(x, float) or getattr(raw(x), "dtype", np.dtype(int)).kind == "f":
            raise UnsupportedDtypeError(f"{ufunc.__name__}: defined for int and bool tensors "
                                        f"only, got {describe(x)}")
    return without_gradient(ufunc, *inputs)


# the comparisons and logical functions of two values: name -> numpy's ufunc
TWO_VALUES = {
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
    "gt": np.greater, "ge": np.greater_equal, "logical_and": np.logical_and,
    "logical_or": np.logical_or, "logical_xor": np.logical_xor,
}
BITWISE = {"bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or,
           "bitwise_xor": np.bitwise_xor}
# tests of one value: name -> numpy's ufunc
ONE_VALUE_TESTS = {"isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite,
                   "logical_not": np.logical_not}


class Logic:
    """Comparison operators, `& | ^ ~`, logical functions, all/any, nonzero. The named forms
    (x.eq(y), x.logical_and(y), x.isnan(), x.bitwise_and(y)) are made from the tables above,
    below the class."""

    __slots__ = ()

    def __lt__(self, other):
        return without_gradient(np.less, self, other)

    def __le__(self, other):
        return without_gradient(np.less_equal, self, other)

    def __gt__(self, other):
        return without_gradient(np.greater, self, other)

    def __ge__(self, other):
        return without_gradient(np.greater_equal, self, other)

    def __eq__(self, other):
        return without_gradient(np.equal, self, other)

    def __ne__(self, other):
        return without_gradient(np.not_equal, self, other)

    def __and__(self, other):
        return bitwise(np.bitwise_and, self, other)

    def __rand__(self, other):
        return bitwise(np.bitwise_and, other, self)

    def __or__(self, other):
        return bitwise(np.bitwise_or, self, other)

    def __ror__(self, other):
        return bitwise(np.bitwise_or, other, self)

    def __xor__(self, other):
        return bitwise(np.bitwise_xor, self, other)

    def __rxor__(self, other):
        return bitwise(np.bitwise_xor, other, self)

    def __invert__(self):
        return bitwise(np.invert, self)

    bitwise_not = __invert__

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> TensorBase:
        return isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other) -> bool:
        return equal(self, other)

    def all(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """Whether every element (along `dim`) is nonzero: bool (uint8 for uint8, as PyTorch)."""
        return _all_or_any(np.all, self, dim, keepdim, axis, keepdims)

    def any(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """Whether some element (along `dim`) is nonzero: bool (uint8 for uint8, as PyTorch)."""
        return _all_or_any(np.any, self, dim, keepdim, axis, keepdims)

    def nonzero(self, *, as_tuple: bool = False):
        return nonzero(self, as_tuple=as_tuple)

    def count_nonzero(self, dim=None):
        return count_nonzero(self, dim)


_NUMBERS = (bool, int, float)


def _two_values(name: str, ufunc, check):
    """The method `x.<name>(other)` and the function `tg.<name>(x, other)`."""

    def method(self, other):
        return check(ufunc, self, other)

    def function(x, other):  # a Python number first stays a number, as in `0.1 == x`: made a
        if type(x) not in _NUMBERS:  # tensor, it would take the default dtype (0.1 in float32
            x = as_tensor(x, name)  # is not a float64 tensor's 0.1)
        return check(ufunc, x, other)

    for f in (method, function):
        f.__name__ = f.__qualname__ = name
        f.__doc__ = f"Elementwise np.{ufunc.__name__} of two values: a tensor outside the graph."
    return method, function


def _one_value(name: str, ufunc):
    """The method `x.<name>()` and the function `tg.<name>(x)`."""

    def method(self):
        return without_gradient(ufunc, self)

    def function(x):
        return without_gradient(ufunc, as_tensor(x, name))

    for f in (method, function):
        f.__name__ = f.__qualname__ = name
        f.__doc__ = f"Elementwise np.{ufunc.__name__}: a bool tensor outside the graph."
    return method, function


for _name, _ufunc in TWO_VALUES.items():
    _m, globals()[_name] = _two_values(_name, _ufunc, without_gradient)
    setattr(Logic, _name, _m)
for _name, _ufunc in BITWISE.items():
    _m, globals()[_name] = _two_values(_name, _ufunc, bitwise)
    setattr(Logic, _name, _m)
for _name, _ufunc in ONE_VALUE_TESTS.items():
    _m, globals()[_name] = _one_value(_name, _ufunc)
    setattr(Logic, _name, _m)
del _name, _ufunc, _m


def bitwise_not(x) -> TensorBase:
    """~x: bitwise not of ints, logical not of bools."""
    return bitwise(np.invert, as_tensor(x, "bitwise_not"))


def _same_dtype(op: str, x, other) -> tuple:
    """The arrays of two tensors of one dtype (isclose, allclose: PyTorch does not promote)."""
    if not isinstance(other, (TensorBase, np.ndarray)):
        raise TypeError(f"{op}: other must be a tensor, got {describe(other)}")
    a, b = raw(as_tensor(x, op)), raw(operand(other, op))
    if a.dtype != b.dtype:
        raise RuntimeTypeError(f"{op}: both tensors must have one dtype, got {a.dtype} and "
                               f"{b.dtype}")
    return a, b


def isclose(x, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> TensorBase:
    """|x − other| ≤ atol + rtol·|other|, elementwise (NaNs equal if `equal_nan`)."""
    a, b = _same_dtype("isclose", x, other)
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if real("isclose", name, tol) < 0:
            raise RuntimeValueError(f"isclose: {name} must be non-negative, got {tol}")
    try:
        return wrap(np.asarray(np.isclose(a, b, rtol, atol, bool(equal_nan))))
    except ValueError as e:
        raise ValueError(f"isclose: {e} (shapes {a.shape}, {b.shape})") from None


def allclose(x, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element of x is close to other (see isclose): a Python bool."""
    return bool(np.all(raw(isclose(x, other, rtol, atol, equal_nan))))


def equal(x, other) -> bool:
    """Whether x and other have the same shape and the same values: a Python bool."""
    if not isinstance(other, TensorBase):
        raise TypeError(f"equal: other must be a tensor, got {describe(other)}")
    a, b = raw(as_tensor(x, "equal")), raw(other)
    return a.shape == b.shape and bool(np.all(a == b))


def _all_or_any(reduce, x, dim, keepdim, axis, keepdims):
    op = reduce.__name__
    axes, keep = reduction_args(op, x.ndim, dim, keepdim, axis, keepdims)
    out = np.asarray(reduce(x._data, axis=axes, keepdims=keep))
    return wrap(out.astype(np.uint8) if x.dtype == np.uint8 else out)


def all(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):  # noqa: A001
    """Whether every element (along `dim`) is nonzero."""
    return as_tensor(x, "all").all(dim, keepdim, axis=axis, keepdims=keepdims)


def any(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):  # noqa: A001
    """Whether some element (along `dim`) is nonzero."""
    return as_tensor(x, "any").any(dim, keepdim, axis=axis, keepdims=keepdims)


def nonzero(x, *, as_tuple: bool = False):
    """The indices of the nonzero elements: an int64 tensor of shape (count, ndim), or with
    `as_tuple` one 1-D index tensor per dimension (one for a 0-d x, as PyTorch)."""
    a = raw(as_tensor(x, "nonzero"))
    if not as_tuple:
        return wrap(np.argwhere(a).astype(np.int64))
    return tuple(wrap(i.astype(np.int64)) for i in np.nonzero(a.reshape(a.shape or (1,))))


def count_nonzero(x, dim=None):
    """How many elements (along `dim`, an int or tuple) are nonzero: an int64 tensor."""
    x = as_tensor(x, "count_nonzero")
    axes, _ = reduction_args("count_nonzero", x.ndim, dim, False, None, None)
    return wrap(np.asarray(np.count_nonzero(x._data, axis=axes), dtype=np.int64))


# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = [*TWO_VALUES, *BITWISE, *ONE_VALUE_TESTS, "bitwise_not", "isclose", "allclose",
           "equal", "all", "any", "nonzero", "count_nonzero"]
