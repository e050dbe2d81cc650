"""Learning-rate schedules with PyTorch's semantics: build the scheduler after the optimizer,
call `sched.step()` once per epoch (after `opt.step()`), read `get_last_lr()`.

As in PyTorch, StepLR, MultiStepLR, ExponentialLR, LinearLR and CosineAnnealingLR are
chainable: each step scales the group's *current* "lr" by the schedule's factor for that
epoch, so several schedulers on one optimizer multiply, and an lr set by hand is carried on
from. LambdaLR is not: it sets η_t = η₀ · λ(t) from the group's initial rate. η₀ is each
group's "initial_lr", which the first scheduler built on the optimizer records in the group.
OneCycleLR, SequentialLR and ReduceLROnPlateau live in `schedules.py` and are re-exported here.
"""

from __future__ import annotations

import math
import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..arguments import positive_int, real_in
from .optimizer import Optimizer
from .scheduler import LRScheduler
from .schedules import OneCycleLR, ReduceLROnPlateau, SequentialLR


class StepLR(LRScheduler):
    """η_t = η_{t−1} · γ when t is a positive multiple of `step_size`, else η_{t−1}
    (alone: η_t = η₀ · γ^⌊t / step_size⌋)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = positive_int("StepLR", "step_size", step_size)
        self.gamma = real_in("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """η_t = η_{t−1} · γᵏ when t is a milestone listed k times, else η_{t−1}
    (alone: η_t = η₀ · γ^(number of milestones ≤ t))."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of ints, "
                            f"got {type(milestones).__name__}")
        milestones = list(milestones)
        if not all(isinstance(m, int) and not isinstance(m, bool) for m in milestones):
            raise TypeError(f"MultiStepLR: milestones must be ints, got {milestones!r}")
        self.milestones = Counter(milestones)
        self.gamma = real_in("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _closed_form(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """The factor goes linearly from `start_factor` to `end_factor` over `total_iters`
    epochs, then stays: alone, η_t = η₀ (s + (e − s) · min(t, T) / T). Chainable, as
    PyTorch's recursive form

        η₀' = η · s at t = 0;   η_t = η_{t−1} · (1 + (e − s) / (T s + (t − 1)(e − s)))
        for 0 < t ≤ T;   η_t = η_{t−1} after.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        self.start_factor = real_in("LinearLR", "start_factor", start_factor, high=1.0)
        if self.start_factor == 0:
            raise ValueError("LinearLR: start_factor must be > 0 and ≤ 1, got 0.0")
        self.end_factor = real_in("LinearLR", "end_factor", end_factor, high=1.0)
        self.total_iters = positive_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        s, e, T, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or t > T:
            return self._current_lrs()
        factor = 1.0 + (e - s) / (T * s + (t - 1) * (e - s))
        return [lr * factor for lr in self._current_lrs()]

    def _closed_form(self) -> list[float]:
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        return [base * (s + (e - s) * min(T, self.last_epoch) / T) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """η_t = η_{t−1} · γ (alone: η_t = η₀ · γᵗ)."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = real_in("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form(self) -> list[float]:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """η_t = η₀ · λ(t), with one function λ for all groups or a list of one per group (not
    chainable: it overrides other schedulers and hand-set lrs, as in PyTorch)."""

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        n = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(lambdas) != n:
            raise ValueError(f"LambdaLR: expected {n} lr_lambdas (one per group), "
                             f"got {len(lambdas)}")
        if not all(callable(f) for f in lambdas):
            raise TypeError("LambdaLR: lr_lambda must be a function or a list of functions")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * f(self.last_epoch)
                for f, base in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self) -> dict[str, Any]:
        """As the base class, with `lr_lambdas` saved only for callable objects (their
        `__dict__`); plain functions and lambdas are saved as None."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(f.__dict__)
                               for f in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for f, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", ()), strict=False):
            if saved is not None:
                f.__dict__.update(saved)


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from η₀ down to η_min at t = T_max (and back up after), PyTorch's
    recursive form, which follows lrs changed by hand or by other schedulers:

        η_t = η_min + (η_{t−1} − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t−1) / T_max)),

    and, where that denominator is 0 (t − 1 − T_max a multiple of 2 T_max),
    η_t = η_{t−1} + (η₀ − η_min)(1 − cos(π / T_max)) / 2. Alone this is the closed form
    η_t = η_min + (η₀ − η_min)(1 + cos(π t / T_max)) / 2.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = real_in("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(self._current_lrs(), self.base_lrs, strict=True)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [eta_min + (lr - eta_min) * ratio for lr in self._current_lrs()]

    def _closed_form(self) -> list[float]:
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "LambdaLR",
           "CosineAnnealingLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR"]
