"""Stochastic gradient descent, with PyTorch's momentum, dampening, Nesterov, weight decay
and maximize."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..arguments import real_in
from .optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent with optional momentum, exactly PyTorch's rule. For each parameter θ
    with gradient g, learning rate γ, momentum μ, dampening τ and weight decay λ:

        g ← −g                                      (if maximize)
        g ← g + λθ                                  (if λ ≠ 0)
        b ← g on the first step, else b ← μb + (1 − τ)g     (if μ ≠ 0)
        g ← g + μb if nesterov, else g ← b          (if μ ≠ 0)
        θ ← θ − γg

    The momentum buffer b is `state[θ]["momentum_buffer"]`. Nesterov needs μ > 0 and τ = 0.
    The arguments come in PyTorch's order (weight_decay before nesterov); `foreach` and
    `fused` are accepted and change nothing on the CPU, `differentiable=True` is refused.

    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    # weight_decay and nesterov are keyword-only: the package's API lists them in one order
    # and PyTorch in the other, so a positional call would mean different things in the two
    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, *, weight_decay: float = 0.0, nesterov: bool = False,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None,
                 check_finite: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": bool(nesterov),
                    "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults, check_finite)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for name in ("momentum", "dampening", "weight_decay"):
            group[name] = real_in("SGD", name, group.get(name))
        group["nesterov"] = bool(group.get("nesterov"))
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening = 0, "
                             f"got momentum={group['momentum']}, "
                             f"dampening={group['dampening']}")

    def _update(self, group: dict[str, Any]) -> None:
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        nesterov = group["nesterov"]
        for p, g in self._decayed_gradients(group):
            if mu != 0:
                state = self.state.setdefault(p, {})
                b = state.get("momentum_buffer")
                if b is None:
                    # np.array, not g.copy(): for a 0-d parameter g + λθ is a numpy
                    # scalar, which `b *= μ` would rebind instead of changing in place
                    b = state["momentum_buffer"] = np.array(g)
                else:
                    b *= mu
                    b += (1 - tau) * g if tau != 0 else g  # 1·g is g: no temporary
                g = g + mu * b if nesterov else b
            self._descend(p, lr * g)
