"""Adam: moment estimates of the gradient, bias-corrected, as in PyTorch."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..arguments import real_in
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), exactly PyTorch's rule (without amsgrad). At step t = 1, 2,
    ... for each parameter θ with gradient g, learning rate γ, betas (β₁, β₂), ε and weight
    decay λ:

        g ← g + λθ                                  (if λ ≠ 0)
        m ← β₁m + (1 − β₁)g;    v ← β₂v + (1 − β₂)g²        (m₀ = v₀ = 0)
        m̂ = m / (1 − β₁ᵗ);      v̂ = v / (1 − β₂ᵗ)
        θ ← θ − γ m̂ / (√v̂ + ε)

    computed, as PyTorch does, as θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
    The state of θ is {"step": t, "exp_avg": m, "exp_avg_sq": v}.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, check_finite: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults, check_finite)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        betas = group.get("betas")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(real_in("Adam", f"beta{i}", b, high=1.0, high_open=True)
                               for i, b in enumerate(betas, 1))
        group["eps"] = real_in("Adam", "eps", group.get("eps"))
        group["weight_decay"] = real_in("Adam", "weight_decay", group.get("weight_decay"))

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        eps = group["eps"]
        for p, g in self._decayed_gradients(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(p._data),
                             exp_avg_sq=np.zeros_like(p._data))
            state["step"] += 1
            t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            step_size = lr / (1 - beta1 ** t)
            denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps
            self._descend(p, step_size * m / denom)
