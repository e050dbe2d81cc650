"""The random factories: rand, randn, randint, randperm, normal, bernoulli, multinomial and
the `*_like`, each drawing from `generator=` or the global generator (`generators.py`).
Distributions, shapes and dtypes are PyTorch's; the numbers are numpy's.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes
from .arguments import RuntimeValueError, UnsupportedDtypeError, describe, real, sizes
from .creation import made
from .generators import numpy_generator
from .tensor import Tensor


def float_dtype(op: str, dtype) -> np.dtype:
    """`dtype` (default: the default dtype), which must be a float dtype, as PyTorch's random
    floats need."""
    d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, op)
    if d.kind != "f":
        raise UnsupportedDtypeError(f"{op}: dtype {d} is not supported, as in PyTorch: use a float "
                                    "dtype")
    return d


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Uniform samples in [0, 1)."""
    d = float_dtype("rand", dtype)
    shape = sizes("rand", size)
    values = numpy_generator("rand", generator).random(shape)
    return made("rand", values.astype(d), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal samples, N(0, 1)."""
    d = float_dtype("randn", dtype)
    shape = sizes("randn", size)
    values = numpy_generator("randn", generator).standard_normal(shape)
    return made("randn", values.astype(d), requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers in [low, high) (or [0, low) when high is omitted), as torch.randint."""
    if high is None or isinstance(high, (tuple, list)):  # randint(high, size), as PyTorch
        low, high, size = 0, low, (size if high is None else high)
    if size is None:
        raise TypeError("randint: missing the size argument (a tuple), as in "
                        "randint(low, high, (2, 3))")
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
    shape = sizes("randint", size if isinstance(size, (tuple, list)) else (size,))
    values = numpy_generator("randint", generator).integers(low, high, shape)
    return made("randint", values.astype(d), requires_grad, device)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """A random permutation of 0, …, n − 1 (int64 unless `dtype` says otherwise)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"randperm: n must be an int, got {n!r}")
    if n < 0:
        raise RuntimeValueError(f"randperm: n must be non-negative, got {n}")
    d = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype, "randperm")
    values = numpy_generator("randperm", generator).permutation(int(n))
    return made("randperm", values.astype(d), requires_grad, device)


def _values(op: str, name: str, v):
    """A number stays a number; a tensor gives its array, which must be floating."""
    if isinstance(v, Tensor):
        if v.dtype.kind != "f":
            raise UnsupportedDtypeError(f"{op}: {name} must be a floating point tensor, got dtype "
                                        f"{v.dtype}")
        return v.numpy()
    return real(op, name, v)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Samples of N(mean, std²): `mean` and `std` numbers or tensors (broadcast together,
    the shape and dtype of the result), or numbers with a `size`. The result carries no
    graph (PyTorch records a node whose gradient is zero)."""
    m, s = _values("normal", "mean", mean), _values("normal", "std", std)
    if np.any(np.asarray(s) < 0):
        raise RuntimeValueError(f"normal: std must be >= 0, got {std!r}")
    arrays = [v for v in (m, s) if isinstance(v, np.ndarray)]
    if arrays:
        if size is not None:
            raise TypeError("normal: size= is only for a number mean and std; with a tensor, "
                            "the shape comes from mean and std")
        d = np.result_type(*arrays)
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    else:
        if size is None:
            raise TypeError("normal: with a number mean and std, give size=, as in "
                            "normal(0.0, 1.0, size=(2, 3))")
        d, shape = float_dtype("normal", dtype), sizes("normal", size)
    values = m + s * numpy_generator("normal", generator).standard_normal(shape)
    return made("normal", values.astype(d), requires_grad, device)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """`input.bernoulli(p, generator=)`: 0/1 samples, 1 with probability input (or p)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli: expected a tensor, got {describe(input)}")
    return input.bernoulli(p, generator=generator)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """`input.multinomial(num_samples, replacement, generator=)`: category indices drawn
    with probability ∝ the weights in input's last dim."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial: expected a tensor, got {describe(input)}")
    return input.multinomial(num_samples, replacement, generator=generator)


def _like(op: str, t) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a tensor, got {describe(t)}")
    return t


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
              generator=None) -> Tensor:
    t = _like("rand_like", input)
    return rand(t.shape, generator=generator, dtype=t.dtype if dtype is None else dtype,
                device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad=False,
               generator=None) -> Tensor:
    t = _like("randn_like", input)
    return randn(t.shape, generator=generator, dtype=t.dtype if dtype is None else dtype,
                 device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low, high=None, *, dtype=None, device=None,
                 requires_grad=False, generator=None) -> Tensor:
    """Integers in [low, high) (or [0, low)) of input's shape and dtype."""
    t = _like("randint_like", input)
    if high is None:
        low, high = 0, low
    return randint(low, high, t.shape, generator=generator,
                   dtype=t.dtype if dtype is None else dtype, device=device,
                   requires_grad=requires_grad)
