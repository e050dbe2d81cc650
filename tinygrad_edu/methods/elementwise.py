"""Elementwise functions with arguments or of several values (the `Elementwise` mixin of
`Tensor`): round(decimals), logit(eps), clamp_min / clamp_max, fmax / fmin, atan2, hypot
and lerp, and the functions `tg.clamp`, `tg.round`, `tg.atan2`, `tg.lerp`, ... The functions
of one value without arguments are made from `arithmetic.ONE_VALUE`."""

from __future__ import annotations

import numbers

import numpy as np

from .. import dtypes, ops
from ..arguments import RuntimeTypeError, UnsupportedDtypeError, describe, real
from ..recording import apply, apply_float, as_tensor, binary, cast, operand, raw
from ..tensor_base import TensorBase


class Elementwise:
    """round, logit, clamp_min, clamp_max, fmax, fmin, atan2, hypot, lerp."""

    __slots__ = ()

    def round(self, decimals: int = 0):
        """Round to `decimals` decimal digits (left of the point if negative), halves to
        even, as PyTorch; the gradient is 0."""
        if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
            raise TypeError(f"round: decimals must be an int, got {decimals!r}")
        return apply(ops.Round(int(decimals)), self)

    def logit(self, eps: float | None = None):
        """ln(x / (1 − x)); with `eps`, of x clamped to [eps, 1 − eps] (gradient 0 outside)."""
        if eps is not None:
            eps = float(real("logit", "eps", eps))
        return apply_float(ops.Logit(eps), self)

    def clamp_min(self, min):  # noqa: A002  (PyTorch's name)
        """max(x, min): `clamp(min=min)`."""
        if min is None:
            raise TypeError("clamp_min: min must be a number or a tensor, got None")
        return self.clamp(min=min)

    def clamp_max(self, max):  # noqa: A002  (PyTorch's name)
        """min(x, max): `clamp(max=max)`."""
        if max is None:
            raise TypeError("clamp_max: max must be a number or a tensor, got None")
        return self.clamp(max=max)

    def fmax(self, other):
        return fmax(self, other)

    def fmin(self, other):
        return fmin(self, other)

    def atan2(self, other):
        return atan2(self, other)

    arctan2 = atan2

    def hypot(self, other):
        return hypot(self, other)

    def lerp(self, end, weight):
        return lerp(self, end, weight)


# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = ["clamp", "clip", "clamp_min", "clamp_max", "round", "logit", "fmax", "fmin",
           "atan2", "arctan2", "hypot", "lerp"]


def clamp(x, min=None, max=None) -> TensorBase:  # noqa: A002  (PyTorch's names)
    """Every element of x limited to [min, max] (see `Tensor.clamp`)."""
    return as_tensor(x, "clamp").clamp(min, max)


clip = clamp


def clamp_min(x, min) -> TensorBase:  # noqa: A002
    return as_tensor(x, "clamp_min").clamp_min(min)


def clamp_max(x, max) -> TensorBase:  # noqa: A002
    return as_tensor(x, "clamp_max").clamp_max(max)


def round(x, decimals: int = 0) -> TensorBase:  # noqa: A001  (torch.round)
    return as_tensor(x, "round").round(decimals)


def logit(x, eps: float | None = None) -> TensorBase:
    return as_tensor(x, "logit").logit(eps)


fmax = binary(ops.Fmax, "fmax", """Elementwise maximum that ignores a NaN (the other value
    wins); at a tie x gets the gradient, as PyTorch.""")
fmin = binary(ops.Fmin, "fmin", """Elementwise minimum that ignores a NaN (the other value
    wins); at a tie x gets the gradient, as PyTorch.""")
atan2 = binary(ops.Atan2, "atan2", """The angle of the point (y, x) in (−π, π], elementwise:
    atan(x / y) in the right quadrant. Ints give the default float dtype.""")
_hypot = binary(ops.Hypot, "hypot")


arctan2 = atan2


def hypot(x, y) -> TensorBase:
    """√(x² + y²) without overflow; float operands only, as PyTorch."""
    check_floating("hypot", x, y)
    return _hypot(x, y)


def lerp(start, end, weight) -> TensorBase:
    """start + weight·(end − start), weight a number or a tensor (all broadcast). As PyTorch,
    start and end are float tensors of one dtype, and so is a weight tensor with dims."""
    start, end = as_tensor(start, "lerp"), as_tensor(end, "lerp")
    check_floating("lerp", start)
    if end.dtype != start.dtype:
        raise RuntimeTypeError(f"lerp: expected end of dtype {start.dtype}, got {end.dtype}")
    if isinstance(weight, TensorBase):
        if weight.ndim and weight.dtype != start.dtype:
            raise RuntimeTypeError(f"lerp: expected weight of dtype {start.dtype}, "
                                   f"got {weight.dtype}")
        weight = cast(weight, start.dtype)
    elif isinstance(weight, numbers.Real) and not isinstance(weight, np.generic):
        weight = float(weight)
    else:
        raise TypeError(f"lerp: weight must be a number or a tensor, got {describe(weight)}")
    return apply(ops.Lerp(), start, end, weight)


def check_floating(op: str, *operands) -> None:
    """Refuse integer and bool operands where PyTorch defines `op` for floats only."""
    if max(dtypes.category(raw(operand(v, op)))[1] for v in operands) < 2:
        raise UnsupportedDtypeError(f"{op}: defined for floating point tensors only, got "
                                    + ", ".join(describe(v) for v in operands))
