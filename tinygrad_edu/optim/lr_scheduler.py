"""Learning-rate schedules with PyTorch's semantics: build the scheduler after the optimizer,
call `sched.step()` once per epoch (after `opt.step()`), read `get_last_lr()`.

Each schedule is a closed form η_t = f(η₀, t) of the group's initial rate η₀ and the epoch t
(`last_epoch`), written into every param group's "lr" at construction (t = 0) and on each
step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer, check_hyper


class LRScheduler:
    """Base class: records `base_lrs` (η₀ of each group), sets `last_epoch = 0` and applies
    `lr_at(η₀, t)`, which subclasses define."""

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    def lr_at(self, base_lr: float, t: int, group: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} does not define lr_at()")

    def step(self) -> None:
        """Advance one epoch: t ← t + 1 and set each group's lr to η_t."""
        self.last_epoch += 1
        self._apply()

    def _apply(self) -> None:
        groups = self.optimizer.param_groups
        for i, (group, base) in enumerate(zip(groups, self.base_lrs, strict=True)):
            group["lr"] = self.lr_at(base, self.last_epoch, i)
        self._last_lr = [group["lr"] for group in groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as last set by this scheduler."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """{"last_epoch": t, "base_lrs": [...]} (the optimizer saves its own lrs)."""
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = [float(b) for b in state_dict["base_lrs"]]
        self._last_lr = [self.lr_at(b, self.last_epoch, i) for i, b in enumerate(self.base_lrs)]


def _positive_int(op: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")
    return value


class StepLR(LRScheduler):
    """η_t = η₀ · γ^⌊t / step_size⌋: multiply by γ every `step_size` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _positive_int("StepLR", "step_size", step_size)
        self.gamma = check_hyper("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int, group: int) -> float:
        return base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """η_t = η₀ · γᵗ."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_hyper("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int, group: int) -> float:
        return base_lr * self.gamma ** t


class LambdaLR(LRScheduler):
    """η_t = η₀ · λ(t), with one function λ for all groups or a list of one per group."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]) -> None:
        n = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(lambdas) != n:
            raise ValueError(f"LambdaLR: expected {n} lr_lambdas (one per group), "
                             f"got {len(lambdas)}")
        if not all(callable(f) for f in lambdas):
            raise TypeError("LambdaLR: lr_lambda must be a function or a list of functions")
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int, group: int) -> float:
        return base_lr * self.lr_lambdas[group](t)


class CosineAnnealingLR(LRScheduler):
    """η_t = η_min + (η₀ − η_min)(1 + cos(π t / T_max)) / 2: from η₀ down to η_min at
    t = T_max (and back up after, following the cosine)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = _positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_hyper("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int, group: int) -> float:
        cosine = (1 + math.cos(math.pi * t / self.T_max)) / 2
        return self.eta_min + (base_lr - self.eta_min) * cosine
