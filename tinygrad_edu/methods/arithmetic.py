"""Arithmetic and the functions of one value (the `Arithmetic` mixin of `Tensor`), and the
functions `tg.add`, `tg.div`, `tg.exp`, `tg.matmul`, `tg.maximum`, `tg.where`, ... (functions
of several values with arguments are in `elementwise`, comparisons in `logic`)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes, ops
from ..arguments import (
    RuntimeTypeError,
    RuntimeValueError,
    UnsupportedDtypeError,
    describe,
    to_array,
)
from ..ops import trigonometric as trig
from ..ops import unary
from ..recording import (
    apply,
    apply1,
    apply_float,
    as_tensor,
    binary,
    cast,
    floating,
    method_function,
    operand,
    promote,
    raw,
    unary_method,
)
from ..tensor_base import TensorBase
from .logic import nonzero


class Arithmetic:
    """Operators (+ − · / ** @) and elementwise functions (comparisons: `methods/logic.py`)."""

    __slots__ = ()

    # __add__, __sub__, __mul__, __truediv__, __pow__ and __matmul__ are the functions
    # `binary` makes (set below them): no Python call between `x * y` and the op

    def __radd__(self, other):
        return _add(other, self)

    def __rsub__(self, other):
        return _sub(other, self)

    def __rmul__(self, other):
        return mul(other, self)

    def __rtruediv__(self, other):
        return _div(other, self)

    def __rpow__(self, other):
        return pow(other, self)

    def __floordiv__(self, other):
        return floor_divide(self, other)

    def __rfloordiv__(self, other):
        return floor_divide(other, self)

    def __mod__(self, other):
        return remainder(self, other)

    def __rmod__(self, other):
        return remainder(other, self)

    def __neg__(self):
        return apply1(ops.Neg(), self)

    neg = negative = __neg__  # PyTorch's named forms of the operators (mul, pow: below)

    def add(self, other, *, alpha=1):
        """self + alpha·other."""
        return add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        """self − alpha·other."""
        return sub(self, other, alpha=alpha)

    subtract = sub

    def div(self, other, *, rounding_mode=None):
        """self / other: true division (ints give the default float dtype), or the quotient
        rounded towards 0 (rounding_mode="trunc") or down ("floor"), with gradient 0."""
        return div(self, other, rounding_mode=rounding_mode)

    divide = div

    def true_divide(self, other):
        return true_divide(self, other)

    def floor_divide(self, other):
        return floor_divide(self, other)

    def remainder(self, other):
        return remainder(self, other)

    def fmod(self, other):
        return fmod(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

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
ONE_VALUE = (unary.Exp, unary.Log, unary.Sqrt, unary.Abs, unary.Tanh, unary.Sigmoid,
             unary.Relu, trig.Sin, trig.Cos, unary.Expm1, unary.Exp2, unary.Log2, unary.Log10,
             unary.Log1p, unary.Reciprocal, unary.Rsqrt, unary.Square, trig.Tan, trig.Asin,
             trig.Acos, trig.Atan, trig.Sinh, trig.Cosh, trig.Asinh, trig.Acosh, trig.Atanh,
             unary.Erf, unary.Sign, unary.Floor, unary.Ceil, unary.Trunc, unary.Frac)


for _op in ONE_VALUE:  # x.<name>() applies the op to x, ints first made float if it is floating
    setattr(Arithmetic, _op.__name__.lower(), unary_method(_op))
    globals()[_op.__name__.lower()] = method_function(_op.__name__.lower())
del _op

# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = [op.__name__.lower() for op in ONE_VALUE] + [
    "matmul", "maximum", "minimum", "where", "add", "sub", "subtract", "mul", "multiply",
    "div", "divide", "true_divide", "floor_divide", "remainder", "fmod", "pow", "neg",
    "negative"]


_add, _sub, _div = binary(ops.Add, "add"), binary(ops.Sub, "sub"), binary(ops.Div, "div")


def add(x, y, *, alpha=1) -> TensorBase:
    """x + alpha·y, with PyTorch's type promotion."""
    if type(alpha) is not int or alpha != 1:
        y = scaled("add", x, y, alpha)
    return _add(x, y)


def sub(x, y, *, alpha=1) -> TensorBase:
    """x − alpha·y, with PyTorch's type promotion; refused for two bools, as by PyTorch."""
    if dtypes.category(raw(x))[1] == dtypes.category(raw(y))[1] == 0:
        raise RuntimeTypeError("sub: subtracting two bools is not supported; use ^ or "
                               "logical_xor() instead")
    if type(alpha) is not int or alpha != 1:
        y = scaled("sub", x, y, alpha)
    return _sub(x, y)


subtract = sub


def scaled(op: str, x, y, alpha):
    """alpha·y for `add` and `sub`, once alpha is checked as PyTorch checks it: a number, not
    a float if x and y are ints or bools, and a bool only if they are bools."""
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, np.bool_):
        raise TypeError(f"{op}: alpha must be a real number, got {alpha!r}")
    y = operand(y, op)
    kind = max(dtypes.category(raw(operand(x, op)))[1], dtypes.category(raw(y))[1])
    if kind < 2 and isinstance(alpha, (float, np.floating)):
        raise RuntimeTypeError(f"{op}: alpha must not be a floating point number for integer "
                               f"or bool operands, got {alpha!r}")
    if kind > 0 and isinstance(alpha, bool):
        raise RuntimeTypeError(f"{op}: a bool alpha is only supported for bool operands")
    return y * alpha


mul = multiply = binary(ops.Mul, "mul", "x · y, with PyTorch's type promotion.")


def div(x, y, *, rounding_mode=None) -> TensorBase:
    """x / y (ints give the default float dtype); with rounding_mode "trunc" or "floor" the
    quotient rounded towards 0 or down, in the operands' dtype, with gradient 0."""
    if rounding_mode is None:
        return _div(x, y)
    if rounding_mode == "floor":
        return floor_divide(x, y)
    if rounding_mode == "trunc":
        check_divisor("div", x, y)
        return _trunc_divide(x, y)
    raise RuntimeValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', "
                            f"got {rounding_mode!r}")


divide = div
true_divide = binary(ops.Div, "true_divide", "x / y (ints give the default float dtype).")
_trunc_divide = binary(ops.TruncDivide, "div")
_floor_divide = binary(ops.FloorDivide, "floor_divide")
_remainder, _fmod = binary(ops.Remainder, "remainder"), binary(ops.Fmod, "fmod")


def floor_divide(x, y) -> TensorBase:
    """⌊x / y⌋, Python's //, in the operands' dtype; gradient 0."""
    check_divisor("floor_divide", x, y)
    return _floor_divide(x, y)


def remainder(x, y) -> TensorBase:
    """x − y·⌊x / y⌋, Python's %: the sign of y."""
    check_divisor("remainder", x, y)
    return _remainder(x, y)


def fmod(x, y) -> TensorBase:
    """x − y·trunc(x / y), C's fmod: the sign of x."""
    check_divisor("fmod", x, y)
    return _fmod(x, y)


def check_divisor(op: str, x, y) -> None:
    """Refuse what PyTorch refuses in a rounded division or remainder: bool operands, and a
    zero divisor of ints (a float one gives ±inf or NaN)."""
    x, y = raw(operand(x, op)), raw(operand(y, op))
    kind = max(dtypes.category(x)[1], dtypes.category(y)[1])
    if kind == 0:
        raise UnsupportedDtypeError(f"{op}: not defined for bools")
    if kind == 1 and not np.all(y):
        raise RuntimeValueError(f"{op}: ZeroDivisionError: integer division by zero")


pow = binary(ops.Pow, "pow", "x^y, with PyTorch's type promotion (an int to a negative "  # noqa: A001
             "int power is refused).")


def neg(x) -> TensorBase:
    """−x."""
    return as_tensor(x, "neg").neg()


negative = neg


matmul = binary(ops.MatMul, "matmul",
                "Matrix product with numpy's rules for 1-D, 2-D and batched operands.")
Arithmetic.__add__, Arithmetic.__sub__, Arithmetic.__truediv__ = _add, _sub, _div
Arithmetic.__mul__ = Arithmetic.mul = Arithmetic.multiply = mul
Arithmetic.__pow__ = Arithmetic.pow = pow
Arithmetic.__matmul__ = Arithmetic.matmul = matmul

maximum = binary(ops.Maximum, "maximum",
                 "Elementwise maximum; at ties each side gets half of the gradient.")
minimum = binary(ops.Minimum, "minimum",
                 "Elementwise minimum; at ties each side gets half of the gradient.")


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

