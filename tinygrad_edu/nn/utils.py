"""Helpers over a model's parameters, shared by `Module` and the optimizers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor


def zero_grad(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the accumulated gradients of `params`: `.grad = None`, or zeros of each
    parameter's shape and dtype with set_to_none=False."""
    for p in params:
        if set_to_none or p._grad is None:
            p._grad = None  # the slot behind .grad: None needs no check
        else:
            p._grad = Tensor._wrap(np.zeros_like(p._data))
