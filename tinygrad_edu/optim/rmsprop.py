"""RMSprop: steps scaled by a running root mean square of the gradient, as in PyTorch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..arguments import real_in
from .adam import lerp_
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e; centered as Graves, 2013), exactly PyTorch's rule. For
    each parameter θ with gradient g, learning rate γ, smoothing α, ε, weight decay λ and
    momentum μ:

        g ← −g                                      (if maximize)
        g ← g + λθ                                  (if λ ≠ 0)
        v ← αv + (1 − α)g²                          (v₀ = 0)
        ḡ ← ḡ + (1 − α)(g − ḡ);   s = √(v − ḡ²) + ε    (if centered; ḡ₀ = 0)
        s = √v + ε                                  (otherwise)
        b ← μb + g / s;   θ ← θ − γb                (if μ > 0; b₀ = 0)
        θ ← θ − γ g / s                             (otherwise)

    The state of θ is {"step", "square_avg": v} with "momentum_buffer": b when μ > 0 and
    "grad_avg": ḡ when centered. `foreach` changes nothing on the CPU; `capturable=True`
    and `differentiable=True` are refused.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, *, check_finite: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults, check_finite)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for name in ("momentum", "eps", "weight_decay"):
            group[name] = real_in("RMSprop", name, group.get(name))
        group["alpha"] = real_in("RMSprop", "alpha", group.get("alpha"))
        group["centered"] = bool(group.get("centered"))

    def _update(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        mu, centered = group["momentum"], group["centered"]
        for p, g in self._decayed_gradients(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=0, square_avg=np.zeros_like(p._data))
                if mu > 0:
                    state["momentum_buffer"] = np.zeros_like(p._data)
                if centered:
                    state["grad_avg"] = np.zeros_like(p._data)
            state["step"] += 1
            v = state["square_avg"]
            v *= alpha
            v += (1 - alpha) * g * g
            if centered:
                g_avg = state["grad_avg"]
                lerp_(g_avg, g, 1 - alpha)
                s = np.sqrt(v - g_avg * g_avg) + eps
            else:
                s = np.sqrt(v) + eps
            if mu > 0:
                b = state["momentum_buffer"]
                b *= mu
                b += g / s
                self._descend(p, lr * b)
            else:
                self._descend(p, lr * (g / s))
