"""Switching graph recording on and off: `no_grad`, `enable_grad`, `set_grad_enabled`.

The modes (grad mode, and anomaly mode of `detect_anomaly`) belong to the thread, as in
PyTorch: `no_grad()` in one thread never changes what another thread records, and a new
thread starts with gradients recorded and anomaly detection off.

Each switch works as a context manager and as a decorator (bare `@no_grad` too), as in PyTorch.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings


class _ThreadModes(threading.local):
    """One thread's modes; a thread that never set them reads these class defaults."""

    grad_enabled = True
    anomaly = False
    switched = None  # a _Switched while a mode differs from its default


_modes = _ThreadModes()
_lock = threading.Lock()


class _State:
    """The modes of the calling thread, read on every operation.

    Speed trick: a threading.local costs about 80 ns a read against 14 for a slot, and an
    operation reads the modes twice. So `switched` counts the threads whose modes are not the
    defaults; while it is 0, every thread records and none detects anomalies, and the hot
    path reads only that slot. Plainly, `(not state.switched or state.grad_enabled)` is
    `state.grad_enabled`.
    """

    __slots__ = ("switched",)

    def __init__(self):
        self.switched = 0

    @property
    def grad_enabled(self) -> bool:
        return _modes.grad_enabled

    @property
    def anomaly(self) -> bool:
        return _modes.anomaly


state = _State()


class _Switched:
    """Held by a thread while one of its modes differs from the default: counted in
    `state.switched` from creation until it is dropped (also when its thread ends)."""

    def __init__(self):
        with _lock:
            state.switched += 1

    def __del__(self):
        with _lock:
            state.switched -= 1


def set_modes(grad_enabled: bool, anomaly: bool) -> tuple:
    """Set the calling thread's (grad_enabled, anomaly); return the previous pair."""
    modes = _modes
    prev = modes.grad_enabled, modes.anomaly
    modes.grad_enabled, modes.anomaly = grad_enabled, anomaly
    default = grad_enabled and not anomaly
    if default != (modes.switched is None):
        modes.switched = None if default else _Switched()
    return prev


def is_grad_enabled() -> bool:
    return _modes.grad_enabled


def _set_grad(mode: bool) -> bool:
    """Set the calling thread's grad mode; return the previous one."""
    return set_modes(mode, _modes.anomaly)[0]


def _decorate(factory, func):
    """`func` run inside `factory()` at each call; a generator function, at each step (as in
    PyTorch, the caller's mode holds between steps); a class, its constructor (deprecated)."""
    if inspect.isclass(func):
        warnings.warn("Decorating classes is deprecated; decorate the __init__ method "
                      "instead", FutureWarning, stacklevel=3)
        cls = func
        func = lambda *args, **kwargs: cls(*args, **kwargs)  # noqa: E731

    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def steps(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with factory():
                    value = next(gen)
                while True:
                    try:
                        request = yield value
                    except GeneratorExit:
                        with factory():
                            gen.close()
                        raise
                    except BaseException as e:
                        with factory():
                            value = gen.throw(e)
                    else:
                        with factory():
                            value = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return steps

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with factory():
            return func(*args, **kwargs)

    return wrapper


class _GradMode:
    """Sets the grad mode to `mode` inside the block, restoring the previous one; called
    on a function (or used bare, `@no_grad`), decorates it."""

    mode = True

    def __new__(cls, func=None):
        if func is None:
            return super().__new__(cls)
        return cls()(func)

    def __enter__(self):
        self._prev = _set_grad(self.mode)
        return self

    def __exit__(self, *exc):
        _set_grad(self._prev)
        return False

    def __call__(self, func):
        return _decorate(type(self), func)


class no_grad(_GradMode):
    """Operations inside record no graph: their results do not require grad."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` block."""

    mode = True


class set_grad_enabled:
    """Set the grad mode at once: `set_grad_enabled(False)` as a plain call switches
    recording off until switched back; as a context manager it also restores the mode it
    found when the block ends; as a decorator it switches only inside the function."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._prev = _set_grad(self.mode)

    def __enter__(self):
        _set_grad(self.mode)
        return self

    def __exit__(self, *exc):
        _set_grad(self._prev)
        return False

    def __call__(self, func):
        _set_grad(self._prev)  # decorating changes no mode
        return _decorate(enable_grad if self.mode else no_grad, func)
