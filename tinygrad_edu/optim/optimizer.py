"""`Optimizer`: the parameter groups, per-parameter state and the checked `step()` that
SGD, Adam, AdamW, RMSprop, Adagrad and NormalizedGD share.

A step first checks every group's hyperparameters (an lr written into `param_groups` by hand
included) and every gradient (shape and dtype equal to the parameter's, and finite when
`check_finite=True`) and only then updates, so a failed step leaves every parameter and every
piece of state as it was. Each update θ ← θ − step is written into the parameter's memory
and bumps its version, as `sub_` under no_grad does in PyTorch; parameters whose `.grad` is
None are skipped.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterable
from operator import is_not
from typing import Any

import numpy as np

from ..arguments import real_in
from ..autograd import versions
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.utils import zero_grad
from ..tensor import Tensor

# PyTorch's implementation switches: on the CPU foreach and fused compute the same update
# (to rounding), so any value is accepted and the one loop here runs; capturable (CUDA graphs)
# and differentiable (recording the step in the autograd graph) would change what a step
# means, so True is refused.
IGNORED_SWITCHES = ("foreach", "fused")
REFUSED_SWITCHES = {
    "capturable": "it is for CUDA graphs, and PyTorch refuses it for CPU parameters too",
    "differentiable": "steps are never recorded in the autograd graph here",
}


class Optimizer:
    """Base class: holds `param_groups` (dicts with "params" and hyperparameters such as "lr",
    readable and writable) and `state` (a dict per parameter).

    `params` is an iterable of Tensors, or of dicts {"params": [...], "lr": ...} to give
    groups their own hyperparameters; `defaults` fills in what a group leaves out.
    Subclasses implement `_update(group)` (or `_update_all()` when groups interact) and
    extend `_check_group`.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any],
                 check_finite: bool = False) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor) or not isinstance(params, Iterable):
            raise TypeError(f"{name}: params must be an iterable of Tensors or of dicts, "
                            f"got {type(params).__name__}")
        self.defaults = dict(defaults)
        self._check_group(self.defaults)
        self.check_finite = bool(check_finite)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        self._checked: dict[int, tuple] = {}  # id(group) -> (group, its entries when checked)
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyperparameters or the defaults."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group must be a dict with a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        known = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor")
            if not p.is_leaf:
                raise ValueError(f"{name}: parameter {i} is not a leaf tensor; optimize the "
                                 "leaves it was computed from")
            if id(p) in known:
                raise ValueError(f"{name}: parameter {i} appears more than once")
            known.add(id(p))
        full = {**self.defaults, **group, "params": params}
        self._check_group(full)
        self.param_groups.append(full)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate (and normalise to floats and bools) a group's hyperparameters."""
        name = type(self).__name__
        group["lr"] = real_in(name, "lr", group.get("lr"))
        for key in IGNORED_SWITCHES:
            if group.get(key) not in (None, True, False):
                raise TypeError(f"{name}: {key} must be None, True or False, "
                                f"got {group[key]!r}")
        for key, why in REFUSED_SWITCHES.items():
            if group.get(key):
                raise ValueError(f"{name}: {key}=True is not supported: {why}")
        if "maximize" in group:
            group["maximize"] = bool(group["maximize"])

    @staticmethod
    def _switches(maximize: bool, foreach: bool | None, capturable: bool,
                  differentiable: bool, fused: bool | None) -> dict[str, Any]:
        """PyTorch's keyword-only options every rule shares, as group entries."""
        return {"maximize": maximize, "foreach": foreach, "capturable": capturable,
                "differentiable": differentiable, "fused": fused}

    # ------------------------------------------------------------ stepping

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget accumulated gradients: `.grad = None` (or zeros with set_to_none=False)."""
        for group in self.param_groups:
            zero_grad(group["params"], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Check every gradient, then update every parameter that has one.

        `closure`, when given, recomputes the loss (with gradients) and is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_changed_groups()
        self._check_gradients()
        with no_grad():
            self._update_all()
        return loss

    def _check_changed_groups(self) -> None:
        """Re-check each group whose entries changed since it was last checked (an lr set by
        hand, say), before anything moves. An unchanged group costs one identity test per
        entry, made in C (`map(is_not, ...)`): checking every group at every step would take
        a quarter of a small model's step."""
        checked = self._checked
        for group in self.param_groups:
            seen = checked.get(id(group))
            if (seen is None or seen[0] is not group or len(seen[1]) != len(group)
                    or any(map(is_not, group.values(), seen[1]))):
                self._check_group(group)
                checked[id(group)] = (group, tuple(group.values()))

    def _check_gradients(self) -> None:
        for gi, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                g = p._grad
                if g is None:
                    continue
                if (type(g) is Tensor and g._data.shape == p._data.shape
                        and g._data.dtype == p._data.dtype and p._data.flags.writeable
                        and not self.check_finite):
                    continue  # the common case, checked without building any message
                where = f"{type(self).__name__}.step: parameter {i} of group {gi}"
                if not p._data.flags.writeable:
                    raise ValueError(f"{where} (shape {p.shape}) is read-only; give it "
                                     "writable data, such as a copy")
                if not isinstance(g, Tensor):
                    raise TypeError(f"{where} has a gradient of type {type(g).__name__}")
                if g.shape != p.shape or g.dtype != p.dtype:
                    raise ValueError(f"{where} (shape {p.shape}) has a gradient of shape "
                                     f"{g.shape} and dtype {g.dtype}; expected shape {p.shape} "
                                     f"and dtype {p.dtype}")
                if self.check_finite and not np.isfinite(g._data).all():
                    bad = np.count_nonzero(~np.isfinite(g._data))
                    raise ValueError(f"{where} (shape {p.shape}) has a non-finite gradient "
                                     f"({bad} entries); check_finite=True refuses to step")

    def _update_all(self) -> None:
        for group in self.param_groups:
            self._update(group)

    @staticmethod
    def _decayed_gradients(group: dict[str, Any], decay: bool = True):
        """(θ, g) for each parameter θ of `group` with a gradient, in PyTorch's order:
        g ← −g when maximizing, then g ← g + λθ, λ being the group's weight_decay (the L2
        penalty; skipped when λ = 0 or `decay` is False, for the decoupled form)."""
        wd = group["weight_decay"] if decay else 0
        sign = -1 if group.get("maximize") else 1
        for p in group["params"]:
            if p._grad is not None:
                g = p._grad._data if sign == 1 else -p._grad._data
                yield p, (g + wd * p._data if wd != 0 else g)

    @staticmethod
    def _descend(p: Tensor, step: np.ndarray) -> None:
        """θ ← θ − step in θ's memory, counted as an in-place change: `p.sub_(step)` without
        the operand checks, which `step()` has made for every parameter before any update."""
        np.subtract(p._data, step, out=p._data)
        versions.bump(p._data, "sub_")

    @staticmethod
    def _shrink(p: Tensor, factor: float) -> None:
        """θ ← θ · factor in θ's memory (decoupled weight decay), as `p.mul_(factor)`."""
        np.multiply(p._data, factor, out=p._data)
        versions.bump(p._data, "mul_")

    def _update(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not define _update()")

    # ------------------------------------------------------------ state

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {name: ndarray | int | float}}, "param_groups": [...]}, with
        parameters numbered across the groups in order, as in PyTorch. Arrays are copies."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what `state_dict()` returned; everything is checked before anything is
        written. Arrays are copied and cast to their parameter's dtype."""
        name = f"{type(self).__name__}.load_state_dict"
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if not isinstance(groups, list) or not isinstance(state_dict.get("state"), dict):
            raise TypeError(f"{name}: expected a dict with 'state' and 'param_groups'")
        if [len(g.get("params", ())) for g in groups] != \
                [len(g["params"]) for g in self.param_groups]:
            raise ValueError(f"{name}: the saved parameter groups have sizes "
                             f"{[len(g.get('params', ())) for g in groups]}, this optimizer's "
                             f"{[len(g['params']) for g in self.param_groups]}")
        params = [p for g in self.param_groups for p in g["params"]]
        new_groups = []
        for mine, saved in zip(self.param_groups, groups, strict=True):
            group = {**saved, "params": mine["params"]}
            self._check_group(group)
            new_groups.append(group)
        new_state = {}
        for i, s in state_dict["state"].items():
            if not isinstance(i, (int, np.integer)) or not 0 <= i < len(params):
                raise ValueError(f"{name}: state for unknown parameter index {i!r}")
            new_state[params[i]] = _state_for(name, i, params[i], s)
        self.param_groups = new_groups
        self.state = new_state
        self._checked = {}


def _state_for(where: str, i: int, p: Tensor, saved: dict[str, Any]) -> dict[str, Any]:
    """A checked copy of one parameter's saved state: arrays (or Tensors, as `tg.load` may
    give) must have the parameter's shape and are cast to its dtype, as PyTorch casts all
    floating state but "step"; a 0-d "step" becomes a number."""
    if not isinstance(saved, dict):
        raise TypeError(f"{where}: the state of parameter {i} is a {type(saved).__name__}, "
                        "expected a dict")
    out = {}
    for key, value in saved.items():
        value = value.numpy() if isinstance(value, Tensor) else value
        if key == "step" and isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, np.ndarray):
            if value.shape != p.shape:
                raise ValueError(f"{where}: state {key!r} of parameter {i} has shape "
                                 f"{value.shape}, the parameter has shape {p.shape}")
            value = value.astype(p.dtype)
        elif value is not None and not isinstance(value, numbers.Real):
            raise TypeError(f"{where}: state {key!r} of parameter {i} is a "
                            f"{type(value).__name__}, expected an ndarray or a number")
        out[key] = value
    return out
