"""Switching graph recording on and off: `no_grad`, `enable_grad`, `set_grad_enabled`.

Each works as a context manager and as a decorator, as in PyTorch.
"""

from __future__ import annotations

import functools


class _State:
    """Global switches read on every operation (attribute reads are cheap)."""

    __slots__ = ("grad_enabled", "anomaly")

    def __init__(self):
        self.grad_enabled = True
        self.anomaly = False


state = _State()


def is_grad_enabled() -> bool:
    return state.grad_enabled


class _GradMode:
    """Sets grad_enabled to `self.mode` inside the block, restoring the previous value."""

    mode = True

    def __enter__(self):
        self._prev = state.grad_enabled
        state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc):
        state.grad_enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Operations inside record no graph: their results do not require grad."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` is `no_grad()`, `set_grad_enabled(True)` is `enable_grad()`."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper
