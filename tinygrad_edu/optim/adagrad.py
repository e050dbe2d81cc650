"""Adagrad: per-coordinate steps shrinking with the sum of squared gradients, as in PyTorch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..arguments import real_in
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011), exactly PyTorch's rule. At step t = 1, 2, ...
    for each parameter θ with gradient g, learning rate γ, lr decay δ, weight decay λ and ε:

        g ← −g                                      (if maximize)
        g ← g + λθ                                  (if λ ≠ 0)
        γₜ = γ / (1 + (t − 1)δ)
        G ← G + g²                                  (G₀ = initial_accumulator_value)
        θ ← θ − γₜ g / (√G + ε)

    The state of θ is {"step": t, "sum": G}; as in PyTorch it exists from construction for
    the parameters given then (step 0), and from their first step for groups added later.
    `foreach`/`fused` change nothing on the CPU; `differentiable=True` is refused.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 check_finite: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults, check_finite)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._fresh_state(group, p)

    @staticmethod
    def _fresh_state(group: dict[str, Any], p) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(p._data, group["initial_accumulator_value"])}

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for name in ("lr_decay", "eps", "weight_decay", "initial_accumulator_value"):
            group[name] = real_in("Adagrad", name, group.get(name))

    def _update(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        for p, g in self._decayed_gradients(group):
            state = self.state.get(p) or self.state.setdefault(p, self._fresh_state(group, p))
            state["step"] += 1
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            G = state["sum"]
            G += g * g
            self._descend(p, clr * (g / (np.sqrt(G) + eps)))
