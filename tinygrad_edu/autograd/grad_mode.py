"""Switching graph recording on and off: `no_grad`, `enable_grad`, `set_grad_enabled`,
`inference_mode`.

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

switched: set = set()  # ids of the modes of the threads not at the defaults (see _State)


class _Modes:
    """One thread's modes."""

    __slots__ = ("grad_enabled", "anomaly", "inference")

    def __init__(self):
        self.grad_enabled, self.anomaly, self.inference = True, False, False

    def __del__(self):  # its thread has ended
        switched.discard(id(self))


class _Local(threading.local):
    def __init__(self):  # run in each thread at its first use
        self.modes = _Modes()


_local = _Local()


class _State:
    """The modes of the calling thread, read on every operation.

    Speed trick: a threading.local costs about 80 ns a read against 14 for a slot, and an
    operation reads the modes twice. So the set `switched` holds the threads whose modes
    are not the defaults; while it is empty, every thread records and none detects
    anomalies, and an operation reads nothing else. Plainly, `(not switched or
    state.grad_enabled)` is `state.grad_enabled`.
    """

    __slots__ = ()

    @property
    def grad_enabled(self) -> bool:
        return _local.modes.grad_enabled

    @property
    def anomaly(self) -> bool:
        return _local.modes.anomaly


state = _State()


def set_modes(grad_enabled: bool, anomaly: bool) -> tuple:
    """Set the calling thread's (grad_enabled, anomaly); return the previous pair."""
    modes = _local.modes
    prev = modes.grad_enabled, modes.anomaly
    modes.grad_enabled, modes.anomaly = grad_enabled, anomaly
    _count(modes)
    return prev


def _set_grad(mode: bool) -> bool:
    """Set the calling thread's grad mode; return the previous one."""
    modes = _local.modes
    prev, modes.grad_enabled = modes.grad_enabled, mode
    _count(modes)
    return prev


def _count(modes: _Modes) -> None:
    """Keep `switched` up to date with one thread's modes (set.add and .discard are atomic)."""
    if modes.grad_enabled and not modes.anomaly:
        switched.discard(id(modes))
    else:
        switched.add(id(modes))


def is_grad_enabled() -> bool:
    return _local.modes.grad_enabled


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
            return object.__new__(cls)
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


class inference_mode:
    """`inference_mode(mode=True)`: PyTorch's faster no_grad. Here it is `no_grad` (and
    `inference_mode(False)` is `enable_grad`) that also sets `is_inference_mode_enabled()`;
    there are no inference tensors, so `enable_grad` inside it records as usual. A context
    manager and a decorator, bare (`@inference_mode`) or called (`@inference_mode(False)`)."""

    def __new__(cls, mode=True):
        if callable(mode):  # used bare: @inference_mode
            return _decorate(cls, mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def __enter__(self):
        modes = _local.modes
        self._prev = modes.inference, _set_grad(not self.mode)
        modes.inference = self.mode
        return self

    def __exit__(self, *exc):
        _local.modes.inference, grad_enabled = self._prev
        _set_grad(grad_enabled)
        return False

    def __call__(self, func):
        return _decorate(functools.partial(inference_mode, self.mode), func)


def is_inference_mode_enabled() -> bool:
    return _local.modes.inference
