"""Elementwise rows: arithmetic with tensors and Python numbers, functions of one value,
comparisons and logical functions, where; the in-place forms in the `inplace` column."""

import math
import operator

import numpy as np
from strategies import (
    ABOVE_MINUS_ONE,
    ABOVE_ONE,
    AWAY_FROM_ZERO,
    BETWEEN_STEPS,
    DIVISORS,
    GRID,
    GRID_NONZERO,
    GRID_SHIFTED,
    NEAR_ZERO,
    POSITIVE,
    PROBABILITY,
    UNIT,
    broadcast_triple,
    floats,
)

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

from .rows import (
    M,
    Op,
    V,
    binary,
    comparison,
    in_place,
    np_where,
    sech2,
    sigmoid,
    softplus_thresholded,
    unary,
    where,
)


def power(a, b):
    """a ** b as PyTorch computes it: numpy's power, except that an integer tensor raised to
    a negative integer tensor gives the integer part of 1/a^|b| (1 for a = 1, ±1 for a = −1,
    0 otherwise), where numpy refuses. A negative Python int exponent is refused by both."""
    kinds = np.result_type(a).kind + np.result_type(b).kind
    if not isinstance(b, (np.ndarray, np.generic)) or kinds.strip("iu") or not (b < 0).any():
        return np.power(a, b)  # (a Python number stays one: numpy then promotes as PyTorch)
    unit = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(b < 0, unit, np.power(a, np.maximum(b, 0))).astype(np.result_type(a, b))

LN2, LN10 = math.log(2.0), math.log(10.0)


def erf(a):
    """erf by Python's math.erf, point by point, in a's dtype."""
    return np.vectorize(math.erf, otypes=[np.float64])(a).astype(a.dtype)


def d_erf(a):
    return 2 / np.sqrt(np.pi) * np.exp(-a * a)


def step(ufunc):
    """A step function as PyTorch defines it for every dtype: the ufunc of a float, an int
    unchanged, a bool refused."""
    def ref(a):
        if a.dtype == np.bool_:
            raise TypeError("not defined for bools")
        return ufunc(a) if a.dtype.kind == "f" else a.copy()
    return ref


def sign(a):
    """PyTorch's sign: 0 for NaN, a bool unchanged."""
    return a.copy() if a.dtype == np.bool_ else np.nan_to_num(np.sign(a))


def frac(a):
    if a.dtype.kind != "f":
        raise TypeError("frac is defined for floats only")
    return a - np.trunc(a)


def square(a):
    return np.square(a.astype(np.int64) if a.dtype == np.bool_ else a)


def logit(a):
    return np.log(a / (1 - a))


def zero(a, *rest):
    """f′ = 0 for each input (a step, a rounded quotient)."""
    return np.zeros_like(a) if not rest else (np.zeros_like(a + rest[0]),) * 2


# the functions of one value that PyTorch has as a method and a torch function
ONE_VALUE = [
    unary("exp2", tg.exp2, np.exp2, d1=lambda a: 2**a * LN2, d2=lambda a: 2**a * LN2**2,
          extremes="finite exp", method=True, floating=True),
    unary("log2", tg.log2, np.log2, POSITIVE, d1=lambda a: 1 / (a * LN2),
          d2=lambda a: -1 / (a * a * LN2), extremes="positive", method=True, floating=True),
    unary("log10", tg.log10, np.log10, POSITIVE, d1=lambda a: 1 / (a * LN10),
          d2=lambda a: -1 / (a * a * LN10), extremes="positive", method=True, floating=True),
    unary("log1p", tg.log1p, np.log1p, ABOVE_MINUS_ONE, d1=lambda a: 1 / (1 + a),
          d2=lambda a: -1 / (1 + a) ** 2, method=True, floating=True),
    unary("reciprocal", tg.reciprocal, np.reciprocal, AWAY_FROM_ZERO, d1=lambda a: -1 / a**2,
          d2=lambda a: 2 / a**3, method=True, floating=True,
          numpy=(("reciprocal", lambda x: np.reciprocal(x), [V]),)),
    unary("rsqrt", tg.rsqrt, lambda a: 1 / np.sqrt(a), POSITIVE, d1=lambda a: -0.5 * a**-1.5,
          d2=lambda a: 0.75 * a**-2.5, method=True, floating=True),
    unary("square", tg.square, square, d1=lambda a: 2 * a, d2=lambda a: 2 + 0 * a,
          method=True, numpy=(("square", lambda x: np.square(x), [M]),)),
    unary("tan", tg.tan, np.tan, NEAR_ZERO, d1=lambda a: 1 / np.cos(a) ** 2,
          d2=lambda a: 2 * np.tan(a) / np.cos(a) ** 2, method=True, floating=True),
    unary("asin", tg.asin, np.arcsin, UNIT, d1=lambda a: 1 / np.sqrt(1 - a * a),
          d2=lambda a: a / (1 - a * a) ** 1.5, method=True, floating=True),
    unary("acos", tg.acos, np.arccos, UNIT, d1=lambda a: -1 / np.sqrt(1 - a * a),
          d2=lambda a: -a / (1 - a * a) ** 1.5, method=True, floating=True),
    unary("atan", tg.atan, np.arctan, d1=lambda a: 1 / (1 + a * a),
          d2=lambda a: -2 * a / (1 + a * a) ** 2, extremes="real", method=True, floating=True,
          numpy=(("arctan", lambda x: np.arctan(x), [M]),)),
    unary("sinh", tg.sinh, np.sinh, d1=np.cosh, d2=np.sinh, method=True, floating=True),
    unary("cosh", tg.cosh, np.cosh, d1=np.sinh, d2=np.cosh, method=True, floating=True),
    unary("asinh", tg.asinh, np.arcsinh, d1=lambda a: 1 / np.sqrt(a * a + 1),
          d2=lambda a: -a / (a * a + 1) ** 1.5, method=True, floating=True),
    unary("acosh", tg.acosh, np.arccosh, ABOVE_ONE, d1=lambda a: 1 / np.sqrt(a * a - 1),
          d2=lambda a: -a / (a * a - 1) ** 1.5, method=True, floating=True),
    unary("atanh", tg.atanh, np.arctanh, UNIT, d1=lambda a: 1 / (1 - a * a),
          d2=lambda a: 2 * a / (1 - a * a) ** 2, method=True, floating=True),
    unary("erf", tg.erf, erf, d1=d_erf, d2=lambda a: -2 * a * d_erf(a), extremes="real",
          method=True, floating=True),
    unary("logit", tg.logit, logit, PROBABILITY, d1=lambda a: 1 / (a * (1 - a)),
          d2=lambda a: (2 * a - 1) / (a * (1 - a)) ** 2, method=True, floating=True),
    unary("sign", tg.sign, sign, BETWEEN_STEPS, smooth=False, d1=zero, method=True),
    unary("floor", tg.floor, step(np.floor), BETWEEN_STEPS, smooth=False, d1=zero, method=True,
          numpy=(("floor", lambda x: np.floor(x), [M]),)),
    unary("ceil", tg.ceil, step(np.ceil), BETWEEN_STEPS, smooth=False, d1=zero, method=True),
    unary("trunc", tg.trunc, step(np.trunc), BETWEEN_STEPS, smooth=False, d1=zero,
          method=True),
    unary("round", tg.round, step(np.rint), BETWEEN_STEPS, smooth=False, d1=zero, method=True,
          numpy=(("rint", lambda x: np.rint(x), [M]),)),
    unary("frac", tg.frac, frac, BETWEEN_STEPS, smooth=False, d1=np.ones_like, method=True),
]

# functions of two or three values, and the ones with arguments
SEVERAL_VALUES = [
    binary("atan2", tg.atan2, np.arctan2, AWAY_FROM_ZERO, AWAY_FROM_ZERO,
           d1=lambda a, b: (b / (a * a + b * b), -a / (a * a + b * b)),
           numpy=(("arctan2", lambda x, y: np.arctan2(x, y), [M, M + 3]),)),
    binary("hypot", tg.hypot, np.hypot, AWAY_FROM_ZERO, AWAY_FROM_ZERO,
           d1=lambda a, b: (a / np.hypot(a, b), b / np.hypot(a, b))),
    binary("floor_divide", lambda a, b: a // b, np.floor_divide, BETWEEN_STEPS, DIVISORS,
           smooth=False, d1=zero, operator=operator.floordiv),
    binary("remainder", lambda a, b: a % b, np.remainder, BETWEEN_STEPS, DIVISORS,
           smooth=False, d1=lambda a, b: (np.ones_like(a + b), -np.floor_divide(a, b)),
           operator=operator.mod),
    binary("fmod", tg.fmod, np.fmod, BETWEEN_STEPS, DIVISORS, smooth=False,
           d1=lambda a, b: (np.ones_like(a + b), -np.trunc(a / b))),
    binary("div_trunc", lambda a, b: a.div(b, rounding_mode="trunc"),
           lambda a, b: np.trunc(a / b), BETWEEN_STEPS, DIVISORS, smooth=False, d1=zero),
    binary("div_floor", lambda a, b: tg.div(a, b, rounding_mode="floor"),
           lambda a, b: np.floor(a / b), BETWEEN_STEPS, DIVISORS, smooth=False, d1=zero),
    binary("fmax", tg.fmax, np.fmax, GRID, GRID_SHIFTED, smooth=False),
    binary("fmin", tg.fmin, np.fmin, GRID, GRID_SHIFTED, smooth=False),
    binary("clamp_min_tensor", lambda a, b: a.clamp_min(b), np.maximum, GRID, GRID_SHIFTED,
           smooth=False),
    binary("clamp_max_tensor", tg.clamp_max, np.minimum, GRID, GRID_SHIFTED, smooth=False),
    binary("add_alpha", lambda a, b: a.add(b, alpha=2.5), lambda a, b: a + 2.5 * b,
           d1=lambda a, b: (np.ones_like(a + b), 2.5 * np.ones_like(a + b))),
    binary("sub_alpha", lambda a, b: tg.sub(a, b, alpha=-3), lambda a, b: a + 3 * b,
           d1=lambda a, b: (np.ones_like(a + b), 3 * np.ones_like(a + b))),
    binary("lerp_number", lambda a, b: a.lerp(b, 0.3), lambda a, b: a + 0.3 * (b - a),
           d1=lambda a, b: (0.7 + 0 * b, 0.3 + 0 * a)),
    Op("lerp", tg.lerp, lambda a, b, w: a + w * (b - a), broadcast_triple()),
    unary("logit_eps", lambda x: x.logit(eps=0.2), lambda a: logit(np.clip(a, 0.2, 0.8)),
          BETWEEN_STEPS.map(lambda v: 0.5 + v / 10), smooth=False,
          d1=lambda a: np.where((a < 0.2) | (a > 0.8), 0, 1 / (a * (1 - a)))),
    unary("round_decimals", lambda x: x.round(decimals=1), lambda a: np.round(a, 1),
          BETWEEN_STEPS, smooth=False, d1=zero),
    unary("round_decimals_negative", lambda x: tg.round(x * 100, decimals=-1),
          lambda a: np.round(a * 100, -1), BETWEEN_STEPS, smooth=False, d1=zero),
]

ROWS = [*ONE_VALUE, *SEVERAL_VALUES,
    unary("neg", lambda x: -x, np.negative, d1=lambda a: -np.ones_like(a), scalar=True,
          inplace=in_place("neg")),
    unary("exp", tg.exp, np.exp, d1=np.exp, d2=np.exp, extremes="finite exp", method=True,
          floating=True, inplace=in_place("exp"),
          numpy=(("exp", lambda x: np.exp(x), [M]),)),
    unary("expm1", tg.expm1, np.expm1, d1=np.exp, d2=np.exp, extremes="finite exp", method=True,
          floating=True, inplace=in_place("expm1"), numpy=(("expm1", lambda x: np.expm1(x), [M]),)),
    unary("log", tg.log, np.log, POSITIVE, d1=lambda a: 1 / a, d2=lambda a: -1 / a**2,
          extremes="positive", method=True, inplace=in_place("log"), floating=True),
    unary("sqrt", tg.sqrt, np.sqrt, POSITIVE, d1=lambda a: 0.5 / np.sqrt(a),
          extremes="positive", method=True, inplace=in_place("sqrt"), floating=True),
    unary("abs", tg.abs, np.abs, GRID_NONZERO, d1=np.sign, method=True, inplace=in_place("abs"),
          numpy=(("abs", lambda x: np.abs(x), [V]), ("absolute", lambda x: np.absolute(x), [V]))),
    unary("tanh", tg.tanh, np.tanh, d1=sech2, d2=lambda a: -2 * np.tanh(a) * sech2(a),
          extremes="real", also=(("F.tanh", F.tanh), ("nn.Tanh", nn.Tanh())), method=True,
          floating=True, inplace=in_place("tanh")),
    unary("sigmoid", tg.sigmoid, sigmoid, d1=lambda a: sigmoid(a) * sigmoid(-a),
          d2=lambda a: sigmoid(a) * (1 - sigmoid(a)) * (1 - 2 * sigmoid(a)), extremes="real",
          also=(("F.sigmoid", F.sigmoid), ("nn.Sigmoid", nn.Sigmoid())), method=True,
          floating=True, inplace=in_place("sigmoid")),
    unary("relu", tg.relu, lambda a: np.maximum(a, 0), GRID_NONZERO,
          d1=lambda a: (a > 0) * 1.0, extremes="real",
          also=(("F.relu", F.relu), ("nn.ReLU", nn.ReLU())), method=True,
          inplace=in_place("relu")),
    unary("softplus", lambda x: x.softplus(), lambda a: np.logaddexp(0, a), d1=sigmoid,
          extremes="real", floating=True),
    unary("F.softplus", F.softplus, softplus_thresholded,
          d1=lambda a: np.where(a > 20, 1.0, sigmoid(a)), extremes="real"),
    unary("sin", tg.sin, np.sin, d1=np.cos, method=True, inplace=in_place("sin"), floating=True),
    unary("cos", tg.cos, np.cos, d1=lambda a: -np.sin(a), method=True, floating=True,
          inplace=in_place("cos")),
    unary("clamp", lambda x: x.clamp(-1.1, 1.3), lambda a: np.clip(a, -1.1, 1.3), GRID,
          inplace=in_place("clamp", -1.1, 1.3),
          numpy=(("clip", lambda x: np.clip(x, -0.5, 0.5), [M]),)),
    unary("clamp_min", lambda x: x.clamp(min=0.1), lambda a: np.maximum(a, 0.1), GRID,
          inplace=(("clamp_min_", lambda a, b: a.clamp_min_(0.1),
                    lambda a, b: np.maximum(a, 0.1)),)),
    unary("clamp_max", lambda x: x.clamp(max=0.1), lambda a: np.minimum(a, 0.1), GRID,
          inplace=(("clamp_max_", lambda a, b: a.clamp_max_(0.1),
                    lambda a, b: np.minimum(a, 0.1)),)),
    unary("pow_two", lambda x: x**2, np.square, d1=lambda a: 2 * a, scalar=True),
    unary("cube", lambda x: x**3, lambda a: a**3, d1=lambda a: 3 * a**2, scalar=True),
    unary("pow_half", lambda x: x**0.5, np.sqrt, POSITIVE, d1=lambda a: 0.5 * a**-0.5,
          scalar=True),
    unary("pow_minus_one", lambda x: x**-1, np.reciprocal, AWAY_FROM_ZERO,
          d1=lambda a: -(a**-2), scalar=True),
    unary("rpow", lambda x: 2**x, lambda a: 2.0**a, d1=lambda a: 2.0**a * np.log(2.0),
          scalar=True),
    unary("add_scalar", lambda x: x + 2.0, lambda a: a + 2, d1=np.ones_like, scalar=True),
    unary("radd", lambda x: 1.5 + x, lambda a: 1.5 + a, d1=np.ones_like, scalar=True),
    unary("sub_scalar", lambda x: x - 2.0, lambda a: a - 2, d1=np.ones_like, scalar=True),
    unary("rsub", lambda x: 1.5 - x, lambda a: 1.5 - a, d1=lambda a: -np.ones_like(a),
          scalar=True),
    unary("rsub_int", lambda x: 3 - x, lambda a: 3 - a, d1=lambda a: -np.ones_like(a),
          scalar=True),
    unary("mul_scalar", lambda x: x * 2.0, lambda a: a * 2, d1=lambda a: 2 * np.ones_like(a),
          scalar=True),
    unary("rmul", lambda x: 1.5 * x, lambda a: 1.5 * a, d1=lambda a: 1.5 * np.ones_like(a),
          scalar=True),
    unary("mul_int", lambda x: x * 3, lambda a: a * 3, d1=lambda a: 3 * np.ones_like(a),
          scalar=True),
    unary("rdiv", lambda x: 1.5 / x, lambda a: 1.5 / a, AWAY_FROM_ZERO,
          d1=lambda a: -1.5 / a**2, scalar=True),
    unary("div_scalar", lambda x: x / 4, lambda a: a / 4, d1=lambda a: np.ones_like(a) / 4,
          scalar=True,
          numpy=(("divide", lambda x: np.divide(x, 2.0), [M]),)),
    binary("add", lambda a, b: a + b, np.add, operator=operator.add, hostile=("add",),
           d1=lambda a, b: (np.ones_like(a), np.ones_like(b)),
           inplace=(("add_", lambda a, b: a.add_(b), lambda a, b: a + b),
                    ("add_ alpha", lambda a, b: a.add_(b, alpha=-2.5), lambda a, b: a - 2.5 * b))),
    binary("sub", lambda a, b: a - b, np.subtract, operator=operator.sub,
           hostile=("sub", "subtract"), d1=lambda a, b: (np.ones_like(a), -np.ones_like(b)),
           inplace=(("sub_", lambda a, b: a.sub_(b), lambda a, b: a - b),
                    ("sub_ alpha", lambda a, b: a.sub_(b, alpha=3), lambda a, b: a - 3 * b))),
    binary("mul", lambda a, b: a * b, np.multiply, operator=operator.mul,
           hostile=("mul", "multiply"), d1=lambda a, b: (b, a),
           inplace=(("mul_", lambda a, b: a.mul_(b), lambda a, b: a * b),)),
    binary("div", lambda a, b: a / b, np.divide, right=AWAY_FROM_ZERO, operator=operator.truediv,
           hostile=("div", "divide"), d1=lambda a, b: (1 / b, -a / b**2),
           inplace=(("div_", lambda a, b: a.div_(b), lambda a, b: a / b),)),
    binary("pow", lambda a, b: a**b, power, left=POSITIVE, right=floats(-2, 2),
           operator=operator.pow, hostile=("pow", "power"),
           d1=lambda a, b: (b * a ** (b - 1), a**b * np.log(a)),
           inplace=(("pow_", lambda a, b: a.pow_(2), lambda a, b: a**2),
                    ("pow_ tensor", lambda a, b: a.pow_(b), lambda a, b: a**b))),
    binary("maximum", tg.maximum, np.maximum, GRID, GRID, smooth=False, hostile=("maximum",)),
    binary("minimum", tg.minimum, np.minimum, GRID, GRID, smooth=False, hostile=("minimum",)),
    comparison("lt", operator.lt, np.less, ("less", "greater")),
    comparison("le", operator.le, np.less_equal, ("less_equal", "greater_equal")),
    comparison("gt", operator.gt, np.greater, ("less", "greater")),
    comparison("ge", operator.ge, np.greater_equal, ("less_equal", "greater_equal")),
    comparison("eq", operator.eq, np.equal, ("equal",)),
    comparison("ne", operator.ne, np.not_equal, ("not_equal",)),
    comparison("logical_and", tg.logical_and, np.logical_and, ("logical_and",)),
    comparison("logical_or", tg.logical_or, np.logical_or, ("logical_or",)),
    comparison("logical_xor", tg.logical_xor, np.logical_xor, ("logical_xor",)),
    binary("where", where, np_where,
          numpy=(("where", lambda x, y: np.where(M > 0, x, y), [M, M * 2]),)),
]
