"""`LRScheduler`, the base every learning-rate schedule extends: it records the groups'
initial rates, takes the initial step and writes each epoch's rates into the optimizer."""

from __future__ import annotations

from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class: records `base_lrs` (each group's "initial_lr", set from its "lr" when
    `last_epoch` is −1) and takes the initial step to `last_epoch + 1`; subclasses define
    `get_lr()`, the groups' lrs for the epoch `last_epoch`.

    `last_epoch ≥ 0` resumes a run: the groups must then hold "initial_lr" already (load the
    optimizer's state dict first).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < -1:
            raise ValueError(f"{name}: last_epoch must be an int ≥ -1, got {last_epoch!r}")
        groups = optimizer.param_groups
        if last_epoch != -1:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{name}: param_groups[{i}] has no 'initial_lr' to resume "
                                   f"from with last_epoch={last_epoch}; load the optimizer's "
                                   "state dict first")
        for group in groups:
            group.setdefault("initial_lr", group["lr"])
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step every scheduler takes when built (also SequentialLR's restart of one)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The groups' learning rates for epoch `last_epoch` (called by `step`)."""
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr()")

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def _closed_form(self) -> list[float] | None:
        """The groups' lrs at `last_epoch` from the base lrs alone, for the schedules that
        have such a form (used when SequentialLR restarts one at epoch 0); else None."""
        return None

    def step(self) -> None:
        """Advance one epoch: t ← t + 1 and write `get_lr()` into every group's "lr"."""
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        """t ← t + 1 (or t ← `epoch`, then the closed form where there is one) and write the
        lrs for epoch t into the groups."""
        if epoch is None:
            self.last_epoch += 1
            lrs = self.get_lr()
        else:
            self.last_epoch = epoch
            lrs = self._closed_form() or self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as this scheduler's last step left it."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (which saves its own lrs and "initial_lr")."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned; the groups' lrs come from the optimizer's."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"{type(self).__name__}.load_state_dict: expected a dict, "
                            f"got {type(state_dict).__name__}")
        self.__dict__.update(state_dict)
