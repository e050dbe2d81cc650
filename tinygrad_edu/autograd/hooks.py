"""Tensor hooks (`register_hook`) and `retain_grad`: the `Hooks` mixin of `Tensor`.

As in PyTorch, a tensor's hooks run once its total gradient is known, before that gradient
is used: a non-leaf's when its turn in the walk comes (before its rule runs), a leaf's at
the end of the pass (before it reaches `.grad`). A hook gets the gradient as a Tensor and
may return a replacement. A non-leaf that retains its gradient stores it after the hooks.

Speed trick: the hooks live in one module-level table, `registry` (id of the tensor → its
`TensorHooks`), instead of a slot on every tensor; a pass reads the table only when it is
not empty, so code without hooks pays one truth test per pass. An entry leaves the table
with its tensor (`weakref.finalize`), before the id can be reused.
"""

from __future__ import annotations

import itertools
import weakref

import numpy as np

from ..tensor_base import TensorBase

registry: dict = {}  # id(tensor) -> TensorHooks, for tensors with hooks or retain_grad
_handles = itertools.count()


class TensorHooks:
    """One tensor's hooks in registration order, and whether it retains its gradient."""

    __slots__ = ("hooks", "retains")

    def __init__(self):
        self.hooks, self.retains = {}, False


class RemovableHandle:
    """What `register_hook` returns: `handle.remove()` unregisters the hook (once is enough;
    also usable as a context manager that removes it on exit). A tensor left with no hook
    and no retain_grad leaves the registry, so passes stop looking it up."""

    def __init__(self, tensor_id: int, key: int):
        self.id, self.tensor_id = key, tensor_id

    def remove(self) -> None:
        e = registry.get(self.tensor_id)
        if e is not None:
            e.hooks.pop(self.id, None)
            if not e.hooks and not e.retains:
                del registry[self.tensor_id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def entry(t: TensorBase) -> TensorHooks:
    """t's entry in `registry`, made (and tied to t's lifetime) on first use."""
    e = registry.get(id(t))
    if e is None:
        e = registry[id(t)] = TensorHooks()
        weakref.finalize(t, registry.pop, id(t), None)
    return e


def run_hooks(t: TensorBase, grad):
    """t's total gradient after its hooks (each may return a replacement), stored in
    `t.grad` first if t is a non-leaf that retains its gradient. `grad` is an ndarray in a
    plain pass and a Tensor under create_graph, and so is the result."""
    e = registry[id(t)]
    if e.hooks:
        plain = not isinstance(grad, TensorBase)
        g = t._wrap(grad) if plain else grad
        for hook in list(e.hooks.values()):
            new = hook(g)
            if new is not None:
                check_replacement(hook, new, g)
                g = new
        grad = g._data if plain else g
    if e.retains and t.grad_fn is not None:
        keep(t, grad)
    return grad


def keep(t: TensorBase, grad) -> None:
    """t.grad += a copy of grad (PyTorch's retain_grad: under create_graph the copy stays
    in the graph)."""
    if isinstance(grad, TensorBase):
        grad = grad.clone() if grad.requires_grad else grad._wrap(grad._data.copy())
    else:
        grad = t._wrap(np.array(grad, dtype=t.dtype))
    t._grad = grad if t._grad is None else t._grad + grad


def check_replacement(hook, new, grad) -> None:
    """A hook's replacement gradient must be a Tensor of the gradient's shape, as PyTorch."""
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(new, TensorBase):
        raise TypeError(f"register_hook: hook '{name}' returned {type(new).__name__}; "
                        "it must return a Tensor or None")
    if new.shape != grad.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value: it returned shape "
                           f"{new.shape} for a gradient of shape {grad.shape}")


def needs_grad(t: TensorBase, what: str) -> None:
    if not t._requires_grad:
        raise RuntimeError(f"{what} on a tensor that doesn't require gradient "
                           f"(shape {t.shape}); set requires_grad=True on the leaf it comes from")


class Hooks:
    """`register_hook`, `retain_grad` and `retains_grad` for Tensor."""

    __slots__ = ()

    def register_hook(self, hook) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is known, before it is used; a
        Tensor returned replaces the gradient. Returns a handle whose `.remove()` undoes it.

        >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 2)   # x.grad will be doubled
        """
        if not callable(hook):
            raise TypeError(f"register_hook: expected a callable, got {type(hook).__name__}")
        needs_grad(self, "cannot register a hook")
        key = next(_handles)
        entry(self).hooks[key] = hook
        return RemovableHandle(id(self), key)

    def retain_grad(self) -> None:
        """Keep this non-leaf's gradient in `.grad` after backward (a no-op on a leaf)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            entry(self).retains = True

    @property
    def retains_grad(self) -> bool:
        """Whether this non-leaf keeps its gradient in `.grad` (`retain_grad()`)."""
        return self.grad_fn is not None and retains(self)


def retains(t: TensorBase) -> bool:
    """Whether t asked to retain its gradient (`retain_grad`)."""
    e = registry.get(id(t))
    return e is not None and e.retains
