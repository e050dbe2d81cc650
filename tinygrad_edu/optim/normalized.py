"""Normalized gradient descent: a step of fixed length η along the negative gradient."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer


class NormalizedGD(Optimizer):
    """The course's fixed-step gradient descent: with w all parameters taken together as one
    vector and g = ∇E(w),

        ‖g‖ = √(Σ over every parameter of Σ g²)
        w ← w − η g / ‖g‖                           (no step when ‖g‖ = 0)

    so every step moves w by exactly η (when all groups share one η). Parameters without a
    gradient are left out of ‖g‖ and not moved.
    """

    def __init__(self, params: Iterable[Any], lr: float, check_finite: bool = False) -> None:
        super().__init__(params, {"lr": lr}, check_finite)

    def _update_all(self) -> None:
        pairs = [(group["lr"], p) for group in self.param_groups for p in group["params"]
                 if p._grad is not None]
        # g/‖g‖ = u/‖u‖ with u = g/c, c = max |gᵢ|: 1 ≤ ‖u‖ ≤ √n, so nothing overflows or
        # underflows, however large or tiny the gradient
        c = max((float(np.max(np.abs(p._grad._data), initial=0.0)) for _, p in pairs),
                default=0.0)
        if c == 0:
            return
        norm_u = math.sqrt(sum(float(np.sum(np.square(p._grad._data / c, dtype=np.float64)))
                               for _, p in pairs))
        for lr, p in pairs:
            self._descend(p, (lr / norm_u) * (p._grad._data / c))
