"""Arithmetic and elementwise functions of tensors (the `Arithmetic` mixin of
`Tensor`), and the functions `tg.exp`, `tg.matmul`, `tg.maximum`, `tg.where`, ..."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import dtypes, ops
from ..arguments import describe, to_array
from ..ops import elementwise as ew
from ..recording import (
    apply,
    apply1,
    apply_float,
    as_tensor,
    binary,
    cast,
    floating,
    operand,
    promote,
    raw,
)
from ..tensor_base import TensorBase
from .logic import nonzero


class Arithmetic:
    """Operators (+ − · / ** @) and elementwise functions (comparisons: `methods/logic.py`)."""

    __slots__ = ()

    def __add__(self, other):
        return binary(ops.Add(), self, other, "add")

    def __radd__(self, other):
        return binary(ops.Add(), other, self, "add")

    def __sub__(self, other):
        return binary(ops.Sub(), self, other, "sub")

    def __rsub__(self, other):
        return binary(ops.Sub(), other, self, "sub")

    def __mul__(self, other):
        return binary(ops.Mul(), self, other, "mul")

    def __rmul__(self, other):
        return binary(ops.Mul(), other, self, "mul")

    def __truediv__(self, other):
        return binary(ops.Div(), self, other, "div")

    def __rtruediv__(self, other):
        return binary(ops.Div(), other, self, "div")

    def __pow__(self, other):
        return binary(ops.Pow(), self, other, "pow")

    def __rpow__(self, other):
        return binary(ops.Pow(), other, self, "pow")

    def __neg__(self):
        return apply1(ops.Neg(), self)

    # PyTorch's named forms of the operators
    add, sub, mul, div, pow = __add__, __sub__, __mul__, __truediv__, __pow__
    neg = __neg__

    def matmul(self, other):
        return matmul(self, other)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    # ------------------------------------------------------------ elementwise
    # the functions of one value (exp, log, ...) are made from ONE_VALUE, below the class

    def softplus(self):
        """ln(1 + eˣ), stable for any finite x."""
        return apply_float(ops.Softplus(), self)

    def clamp(self, min=None, max=None):
        """Limit every element to [min, max] (numbers or tensors, which broadcast; max where
        min > max); the gradient passes to x where min ≤ x ≤ max, else to the active bound."""
        check_clamp("clamp", min, max)
        x = floating(self) if any(_is_float(b) for b in (min, max)) else self  # as PyTorch
        if isinstance(min, TensorBase):  # PyTorch's promotion over x and the tensor bounds
            x, min = promote(x, min)
        if isinstance(max, TensorBase):
            x, max = promote(x, max)
            min = cast(min, x.dtype) if isinstance(min, TensorBase) else min
        return apply(ops.Clamp(), x, min, max)

    clip = clamp

    def maximum(self, other):
        return maximum(self, other)

    def minimum(self, other):
        return minimum(self, other)

    def where(self, condition, other):
        """`self` where `condition` holds, else `other` (PyTorch's Tensor.where)."""
        return where(condition, self, other)


# The elementwise functions of one value. Each is a Tensor method and a function tg.<name>,
# named as its op class in lower case; its `floating` flag gives ints the default float dtype.
ONE_VALUE = (ew.Exp, ew.Log, ew.Sqrt, ew.Abs, ew.Tanh, ew.Sigmoid, ew.Relu, ew.Sin, ew.Cos,
             ew.Expm1)


def _method(op: type) -> Callable:
    """`x.<name>()`: the op applied to x (ints first made float if the op is floating)."""
    run = apply_float if op.floating else apply1

    def method(self):
        return run(op(), self)

    method.__name__ = method.__qualname__ = op.__name__.lower()
    method.__doc__ = op.__doc__
    return method


def _function(name: str) -> Callable:
    """`tg.<name>(x)`: x.<name>() of x made a tensor."""

    def function(x):
        return getattr(as_tensor(x, name), name)()

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name}: `tg.{name}(x)` is `x.{name}()`."
    return function


for _op in ONE_VALUE:
    setattr(Arithmetic, _op.__name__.lower(), _method(_op))
    globals()[_op.__name__.lower()] = _function(_op.__name__.lower())
del _op

# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = [op.__name__.lower() for op in ONE_VALUE] + ["matmul", "maximum", "minimum", "where"]


def matmul(x, y) -> TensorBase:
    """Matrix product with numpy's rules for 1-D, 2-D and batched operands."""
    return binary(ops.MatMul(), x, y, "matmul")


def maximum(x, y) -> TensorBase:
    """Elementwise maximum; at ties each side gets half of the gradient."""
    return binary(ops.Maximum(), x, y, "maximum")


def minimum(x, y) -> TensorBase:
    """Elementwise minimum; at ties each side gets half of the gradient."""
    return binary(ops.Minimum(), x, y, "minimum")


_ONLY_CONDITION = object()  # where(condition) was called without the branches


def where(condition, x=_ONLY_CONDITION, y=_ONLY_CONDITION) -> TensorBase:
    """Elementwise `x` where `condition` is true, else `y`; `condition` must be bool.
    `where(condition)` alone is `nonzero(condition, as_tuple=True)`, as PyTorch."""
    if x is _ONLY_CONDITION or y is _ONLY_CONDITION:
        if x is not y:
            raise TypeError("where: give both x and y, or neither (where(condition) alone)")
        return nonzero(condition, as_tuple=True)
    cond = raw(condition)
    cond = to_array(cond, None, "where") if isinstance(cond, (list, tuple, bool)) else cond
    if not isinstance(cond, np.ndarray) or cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {describe(condition)}")
    return apply(ops.Where(), cond, *promote(operand(x, "where"), operand(y, "where")))


def check_clamp(op: str, lo, hi) -> None:
    if lo is None and hi is None:
        raise ValueError(f"{op}: at least one of min and max must be given")
    for bound in (lo, hi):
        if bound is None or isinstance(bound, TensorBase) or (
                isinstance(bound, (int, float)) and not isinstance(bound, np.generic)):
            continue
        # numpy scalars of a tensor dtype only: a Fraction or a float128 would change the dtype
        if not (isinstance(bound, np.generic) and bound.dtype in dtypes.SUPPORTED_SET):
            raise TypeError(f"{op}: bounds must be real numbers, got {bound!r}")


def _is_float(v) -> bool:
    return isinstance(v, float) or (isinstance(v, np.generic) and v.dtype.kind == "f")

