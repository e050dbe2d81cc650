"""The schedules that are more than a factor per epoch, with PyTorch's semantics:
OneCycleLR (per batch), SequentialLR (one schedule after another) and ReduceLROnPlateau
(driven by a measured metric). Reached as `tg.optim.lr_scheduler.<Name>`."""

from __future__ import annotations

import math
import numbers
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from ..arguments import positive_int, real_in
from .optimizer import Optimizer
from .scheduler import LRScheduler


def _per_group(op: str, name: str, optimizer: Optimizer, value: Any) -> list[float]:
    """One float per parameter group: a list of them, or one value repeated."""
    n = len(optimizer.param_groups)
    values = list(value) if isinstance(value, (list, tuple)) else [value] * n
    if len(values) != n:
        raise ValueError(f"{op}: expected {n} values of {name} (one per parameter group), "
                         f"got {len(values)}")
    return [real_in(op, name, v) for v in values]


def _count(op: str, name: str, value: Any, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{op}: {name} must be an int ≥ {low}, got {value!r}")
    return int(value)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2018), stepped once per *batch*, as PyTorch's.

    Each group's lr rises from η_max / div_factor to η_max over the first pct_start of the
    `total_steps` steps, then anneals to η_max / (div_factor · final_div_factor) by the last
    step (with `three_phase`, back down to the initial rate first). Each phase runs from its
    start value a to its end value b as, with p the fraction of the phase done,

        cos:  b + (a − b)(1 + cos πp) / 2;        linear:  a + (b − a)p

    and, with `cycle_momentum`, the momentum (or Adam's β₁) moves the other way between
    max_momentum and base_momentum. Stepping past `total_steps` raises a ValueError.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85,
                 max_momentum: float | Sequence[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        op = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{op}: expected an Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = positive_int(op, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (positive_int(op, "epochs", epochs)
                                * positive_int(op, "steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError(f"{op}: give either total_steps or both epochs and "
                             "steps_per_epoch")
        pct = real_in(op, "pct_start", pct_start, high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{op}: anneal_strategy must be 'cos' or 'linear', "
                             f"got {anneal_strategy!r}")
        self._anneal_func_type = anneal_strategy
        T = self.total_steps
        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct * T) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct * T) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum",
                 "end_momentum": "max_momentum"},
                {"end_step": T - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                {"end_step": float(pct * T) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": T - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]
        max_lrs = _per_group(op, "max_lr", optimizer, max_lr)
        div_factor = real_in(op, "div_factor", div_factor)
        final_div_factor = real_in(op, "final_div_factor", final_div_factor)
        if div_factor == 0 or final_div_factor == 0:
            raise ValueError(f"{op}: div_factor and final_div_factor must be > 0")
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{op}: cycle_momentum=True needs an optimizer with momentum "
                                 f"or betas; {type(optimizer).__name__} has neither")
            self.use_beta1 = "betas" in optimizer.defaults
            max_ms = _per_group(op, "max_momentum", optimizer, max_momentum)
            base_ms = _per_group(op, "base_momentum", optimizer, base_momentum)
        if last_epoch == -1:
            for i, group in enumerate(optimizer.param_groups):
                group["initial_lr"] = max_lrs[i] / div_factor
                group["max_lr"] = max_lrs[i]
                group["min_lr"] = group["initial_lr"] / final_div_factor
                if self.cycle_momentum:
                    self._set_momentum(group, max_ms[i])
                    group["max_momentum"], group["base_momentum"] = max_ms[i], base_ms[i]
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {t} times; total_steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if t <= end or i == len(self._schedule_phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]],
                                            pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct))
                    break
                start = end
        return lrs


class SequentialLR(LRScheduler):
    """Run `schedulers[0]` until epoch milestones[0], then `schedulers[1]` (restarted at its
    epoch 0 from the groups' initial lrs), and so on, as PyTorch's SequentialLR. All
    schedulers must drive `optimizer`; ReduceLROnPlateau cannot take part."""

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1) -> None:
        op = "SequentialLR"
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{op}: expects at least one scheduler, got none")
        for i, s in enumerate(schedulers):
            if not isinstance(s, LRScheduler):
                raise TypeError(f"{op}: schedulers[{i}] is a {type(s).__name__}, "
                                "not a scheduler")
            if isinstance(s, ReduceLROnPlateau):
                raise ValueError(f"{op}: schedulers[{i}] is a ReduceLROnPlateau, whose step "
                                 "needs a metric; it cannot be sequenced")
            if s.optimizer is not optimizer:
                raise ValueError(f"{op}: schedulers[{i}] ({type(s).__name__}) drives another "
                                 "optimizer than the one given")
        milestones = [_count(op, "each milestone", m) for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"{op}: expects one milestone fewer than schedulers, got "
                             f"{len(schedulers)} schedulers and {len(milestones)} milestones")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)
        first = self._schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    @staticmethod
    def _undo_initial_steps(sched: LRScheduler) -> None:
        """Take back the step each inner scheduler took when it was built (recursively)."""
        for s in getattr(sched, "_schedulers", ()):
            if hasattr(s, "_schedulers"):
                SequentialLR._undo_initial_steps(s)
            else:
                s.last_epoch -= 1

    def step(self) -> None:
        """One epoch of the scheduler whose turn it is (restarted at a milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        inner = state_dict.get("_schedulers", [])
        if not isinstance(inner, list) or len(inner) != len(self._schedulers):
            raise ValueError(f"SequentialLR.load_state_dict: expected the states of "
                             f"{len(self._schedulers)} schedulers")
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for s, saved in zip(self._schedulers, inner, strict=True):
            s.load_state_dict(saved)


class ReduceLROnPlateau(LRScheduler):
    """Multiply each group's lr by `factor` (never below its min_lr) once the metric passed
    to `step(metric)` has not improved for more than `patience` epochs, then wait `cooldown`
    epochs, as PyTorch's. "Improved" in mode "min" with threshold_mode "rel" means
    metric < best · (1 − threshold) ("abs": metric < best − threshold; mode "max" mirrors
    both). A reduction smaller than `eps` is skipped.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | Sequence[float] = 0,
                 eps: float = 1e-8) -> None:
        op = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{op}: expected an Optimizer, got {type(optimizer).__name__}")
        self.factor = real_in(op, "factor", factor, high=1.0, high_open=True)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group(op, "min_lr", optimizer, min_lr)
        else:
            self.default_min_lr = real_in(op, "min_lr", min_lr)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience = _count(op, "patience", patience)
        self.cooldown = _count(op, "cooldown", cooldown)
        self.eps = real_in(op, "eps", eps)
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        if mode not in ("min", "max"):
            raise ValueError(f"{op}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{op}: threshold_mode must be 'rel' or 'abs', "
                             f"got {threshold_mode!r}")
        self.mode, self.threshold_mode = mode, threshold_mode
        self.threshold = real_in(op, "threshold", threshold)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.threshold_mode == "rel":
            scale = 1.0 - self.threshold if self.mode == "min" else 1.0 + self.threshold
            return a < best * scale if self.mode == "min" else a > best * scale
        return a < best - self.threshold if self.mode == "min" else a > best + self.threshold

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or one-element tensor) and maybe reduce."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError("ReduceLROnPlateau.step: metrics must be a number, got "
                            f"{type(metrics).__name__}") from None
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} "
                                   f"parameter groups but min_lr gave {len(self.min_lrs)}; "
                                   "set min_lrs to one per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new
