"""Factories (zeros, ones, arange, randn, ...) and the seeded global random generator."""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import dtypes
from .arguments import sizes
from .tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator behind randn / rand / randint (and nn's initialisers)."""
    global _rng
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _rng = np.random.default_rng(int(seed))
    return _rng


def generator() -> np.random.Generator:
    """The global `numpy.random.Generator` that manual_seed resets."""
    return _rng


def _make(op, array, requires_grad) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(f"{op}: only floating point tensors can require gradients, "
                               f"got dtype {array.dtype}")
        t.requires_grad_(True)
    return t


def _float_dtype(op, dtype):
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, op)


def _refuse(op, d, kinds: str, what: str) -> np.dtype:
    """`d`, unless its kind is one of `kinds`, which PyTorch refuses for `op`."""
    if d.kind in kinds:
        raise TypeError(f"{op}: dtype {d} is not supported, {what}")
    return d


def _reals(op, **values) -> tuple:
    """The named values as real numbers (a 0-d tensor gives its value, as in PyTorch);
    complex numbers, strings, None, ... are refused."""
    out = []
    for name, v in values.items():
        if isinstance(v, Tensor) and v.ndim == 0:
            v = v.item()
        if not isinstance(v, numbers.Real):
            raise TypeError(f"{op}: {name} must be a real number, got {v!r}")
        out.append(v)
    return tuple(out)


def zeros(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _make("zeros", np.zeros(sizes("zeros", shape), _float_dtype("zeros", dtype)),
                 requires_grad)


def ones(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _make("ones", np.ones(sizes("ones", shape), _float_dtype("ones", dtype)),
                 requires_grad)


def empty(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _make("empty", np.empty(sizes("empty", shape), _float_dtype("empty", dtype)),
                 requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False) -> Tensor:
    """A tensor of `shape` filled with `fill_value`; its dtype follows the value, as PyTorch."""
    if isinstance(fill_value, (bool, np.bool_)):
        default = dtypes.bool_
    elif isinstance(fill_value, numbers.Integral):
        default = dtypes.int64
    elif isinstance(fill_value, numbers.Real):
        default = dtypes.get_default_dtype()
    else:
        raise TypeError(f"full: fill_value must be a real number, got {fill_value!r}")
    d = default if dtype is None else dtypes.as_dtype(dtype, "full")
    shape = sizes("full", shape if isinstance(shape, (tuple, list)) else (shape,))
    try:
        return _make("full", np.full(shape, fill_value, d), requires_grad)
    except OverflowError:
        raise ValueError(f"full: fill_value {fill_value!r} does not fit dtype {d}") from None


def _like(op, t) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a tensor, got {type(t).__name__}")
    return t


def zeros_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    t = _like("zeros_like", t)
    return zeros(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad=False) -> Tensor:
    t = _like("ones_like", t)
    return ones(t.shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False) -> Tensor:
    """Values from start (default 0) up to, not including, end; ints unless a float is given."""
    if end is None:
        start, end = 0, start
    start, end, step = _reals("arange", start=start, end=end, step=step)
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise ValueError(f"arange: start, end and step must be finite, got {start}, {end}, {step}")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    all_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    d = (dtypes.int64 if all_int else dtypes.get_default_dtype()) if dtype is None \
        else _refuse("arange", dtypes.as_dtype(dtype, "arange"), "b", "as in PyTorch: use a "
                     "numeric dtype")
    try:
        values = np.arange(start, end, step)
        if values.dtype == object:  # ints beyond int64
            raise ValueError("values out of the range of int64")
    except ValueError as e:
        raise ValueError(f"arange: {e} (start {start}, end {end}, step {step})") from None
    return _make("arange", values.astype(d), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad=False) -> Tensor:
    """`steps` evenly spaced values from start to end inclusive."""
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    start, end = _reals("linspace", start=start, end=end)
    d = _refuse("linspace", _float_dtype("linspace", dtype), "b",
                "as in PyTorch: use a numeric dtype")
    try:
        values = np.linspace(float(start), float(end), steps)  # float(): ints beyond int64 too
    except OverflowError:
        raise ValueError(f"linspace: start {start} or end {end} is beyond the float range") \
            from None
    return _make("linspace", values.astype(d), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad=False) -> Tensor:
    shape = sizes("eye", (n,) if m is None else (n, m))
    return _make("eye", np.eye(*shape, dtype=_float_dtype("eye", dtype)), requires_grad)


def randn(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Standard normal samples from the global generator."""
    d = _refuse("randn", _float_dtype("randn", dtype), "biu",
                "as in PyTorch: use a float dtype")
    return _make("randn", _rng.standard_normal(sizes("randn", shape)).astype(d),
                 requires_grad)


def rand(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Uniform samples in [0, 1) from the global generator."""
    d = _refuse("rand", _float_dtype("rand", dtype), "biu",
                "as in PyTorch: use a float dtype")
    return _make("rand", _rng.random(sizes("rand", shape)).astype(d), requires_grad)


def randint(low, high=None, size=(), dtype=None) -> Tensor:
    """Integers in [low, high) (or [0, low) when high is omitted), as torch.randint."""
    if high is None or isinstance(high, (tuple, list)):  # randint(high, size), as PyTorch
        low, high, size = 0, low, (size if high is None else high)
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"randint: {name} must be an int, got {v!r}")
        if not -2**63 <= v <= 2**63:
            raise ValueError(f"randint: {name} {v} is out of the range of int64")
    if high <= low:
        raise ValueError(f"randint: need low < high, got low={low}, high={high}")
    d = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype, "randint")
    if d.kind != "f":
        lo, hi = (0, 1) if d.kind == "b" else (np.iinfo(d).min, np.iinfo(d).max)
        if low < lo or high - 1 > hi:
            raise ValueError(f"randint: the range [{low}, {high}) does not fit dtype {d} "
                             f"(values {lo} to {hi})")
    size = sizes("randint", size if isinstance(size, (tuple, list)) else (size,))
    return Tensor._wrap(_rng.integers(low, high, size).astype(d))
