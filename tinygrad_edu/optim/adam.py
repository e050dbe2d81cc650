"""Adam and AdamW: moment estimates of the gradient, bias-corrected, as in PyTorch."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..arguments import real_in
from .optimizer import Optimizer


def lerp_(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """a ← a + w(b − a) in place, computed as `torch.lerp_` does on the CPU (from b's side,
    b − (b − a)(1 − w), when w ≥ ½), so the rounding matches too."""
    d = b - a  # the one temporary: a += w·d, or a = b − (1 − w)·d
    if w < 0.5:
        d *= w
        a += d
    else:
        d *= 1 - w
        np.subtract(b, d, out=a)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015), exactly PyTorch's rule. At step t = 1, 2, ... for each
    parameter θ with gradient g, learning rate γ, betas (β₁, β₂), ε and weight decay λ:

        g ← −g                                      (if maximize)
        θ ← θ(1 − γλ) if decoupled_weight_decay, else g ← g + λθ      (if λ ≠ 0)
        m ← m + (1 − β₁)(g − m)  (= β₁m + (1 − β₁)g);   v ← β₂v + (1 − β₂)g²    (m₀ = v₀ = 0)
        v_max ← max(v_max, v), and v ← v_max below     (if amsgrad; v_max starts at 0)
        θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

    the last line being θ − γ m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ), in
    PyTorch's arrangement. The state of θ is {"step": t, "exp_avg": m, "exp_avg_sq": v} and
    "max_exp_avg_sq" with amsgrad. `foreach`/`fused` change nothing on the CPU;
    `capturable=True` and `differentiable=True` are refused.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False, check_finite: bool = False) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad,
                    **self._switches(maximize, foreach, capturable, differentiable, fused),
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults, check_finite)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        name = type(self).__name__
        betas = group.get("betas")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(real_in(name, f"beta{i}", b, high=1.0, high_open=True)
                               for i, b in enumerate(betas, 1))
        group["eps"] = real_in(name, "eps", group.get("eps"))
        group["weight_decay"] = real_in(name, "weight_decay", group.get("weight_decay"))
        group["amsgrad"] = bool(group.get("amsgrad"))
        group["decoupled_weight_decay"] = bool(group.get("decoupled_weight_decay"))

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        eps, wd, amsgrad = group["eps"], group["weight_decay"], group["amsgrad"]
        decoupled = group["decoupled_weight_decay"]
        for p, g in self._decayed_gradients(group, decay=not decoupled):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(p._data),
                             exp_avg_sq=np.zeros_like(p._data))
                if amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(p._data)
            state["step"] += 1
            t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
            if decoupled and wd != 0:
                self._shrink(p, 1 - lr * wd)
            lerp_(m, g, 1 - beta1)
            # the lines of the docstring in place, through one temporary for the whole update:
            # v ← β₂v + (1 − β₂)g²,  then θ ← θ − step_size · m / (√v / √(1 − β₂ᵗ) + ε)
            temp = np.multiply(g, 1 - beta2, out=np.empty_like(v))  # an array, even 0-d
            temp *= g
            v *= beta2
            v += temp
            if amsgrad:
                np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            step_size = lr / (1 - beta1 ** t)
            denom = np.sqrt(v, out=temp)
            denom /= math.sqrt(1 - beta2 ** t)
            denom += eps
            step = np.divide(m, denom, out=temp)
            step *= step_size
            self._descend(p, step)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), PyTorch's AdamW: the
    rule of `Adam` with decoupled_weight_decay=True, so the decay shrinks θ directly,

        θ ← θ(1 − γλ)                               (before the moments; λ = 0.01 by default)

    instead of adding λθ to the gradient, and never passes through m and v.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 check_finite: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True, check_finite=check_finite)

    def _check_group(self, group: dict[str, Any]) -> None:
        group["decoupled_weight_decay"] = True  # as PyTorch's AdamW, even for a loaded group
        super()._check_group(group)
