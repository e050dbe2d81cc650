"""Random numbers: `Generator` objects, the global one behind `manual_seed`, and the random
factories (rand, randn, randint, randperm, normal, bernoulli, multinomial and the `*_like`).

Each generator wraps a `numpy.random.Generator`: seeded alike, two generators give the same
numbers, but not the numbers PyTorch's Mersenne Twister gives for that seed. Distributions,
shapes and dtypes are PyTorch's.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import device as devices
from . import dtypes
from .arguments import RuntimeValueError, UnsupportedDtypeError, describe, real, sizes
from .creation import made
from .tensor import Tensor

_SEEDS = 2**64  # PyTorch's seeds are unsigned 64-bit: a negative one wraps around


def _seed(op: str, seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{op}: seed must be an int, got {seed!r}")
    if not -2**63 <= seed < _SEEDS:
        raise ValueError(f"{op}: seed {seed} is out of the range of a 64-bit seed")
    return int(seed) % _SEEDS


class Generator:
    """A source of random numbers with its own state, as `torch.Generator`: pass it as
    `generator=` to a random function to draw from it instead of the global one.

    >>> g = Generator().manual_seed(0)
    >>> a = rand(2, generator=g)
    """

    def __init__(self, device="cpu"):
        devices.check("Generator", device)
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart from `seed`; returns the generator itself."""
        self._initial = _seed("manual_seed", seed)
        self.rng = np.random.default_rng(self._initial)
        return self

    def seed(self) -> int:
        """Restart from a fresh seed taken from the operating system; returns it."""
        fresh = int(np.random.SeedSequence().entropy) % _SEEDS
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self) -> int:
        """The seed this generator last started from."""
        return self._initial

    def get_state(self) -> dict:
        """A copy of the state (PyTorch gives a ByteTensor; here numpy's state dict), for
        `set_state`."""
        return {"seed": self._initial, "numpy": self.rng.bit_generator.state}

    def set_state(self, state: dict) -> Generator:
        """Return to a state from `get_state`."""
        if not isinstance(state, dict) or set(state) != {"seed", "numpy"}:
            raise TypeError(f"set_state: expected a state from get_state(), got "
                            f"{describe(state)}")
        self._initial = state["seed"]
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = state["numpy"]
        return self

    @property
    def device(self) -> devices.device:
        return devices.CPU

    def __repr__(self) -> str:
        return f"<tinygrad_edu.Generator initial_seed={self._initial}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reseed the global generator behind the random functions (and nn's initialisers)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the global generator from the operating system; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


def generator() -> np.random.Generator:
    """The global generator's `numpy.random.Generator` (what manual_seed resets)."""
    return default_generator.rng


def numpy_generator(op: str, gen) -> np.random.Generator:
    """The numpy generator behind `generator=` (None: the global one), for every random
    function and in-place sampler."""
    if gen is None:
        return default_generator.rng
    if not isinstance(gen, Generator):
        raise TypeError(f"{op}: generator must be a tg.Generator, got {describe(gen)}")
    return gen.rng


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
    """0/1 samples in input's dtype: 1 with probability input (or `p`, a number)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli: expected a tensor, got {describe(input)}")
    if input.dtype.kind != "f":
        raise UnsupportedDtypeError(f"bernoulli: needs a floating point tensor, got dtype "
                                    f"{input.dtype}")
    prob = input.numpy() if p is None else real("bernoulli", "p", p)
    if not np.all((np.asarray(prob) >= 0) & (np.asarray(prob) <= 1)):
        raise RuntimeValueError("bernoulli: probabilities must lie in [0, 1]")
    draw = numpy_generator("bernoulli", generator).random(input.shape)
    return Tensor._wrap((draw < prob).astype(input.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """Indices of categories drawn with probability ∝ the weights in input's last dim (1-D
    or 2-D, non-negative, not all zero): int64, of shape (…, num_samples).

    Without replacement the draws are distinct: the `num_samples` largest of
    log wᵢ + Gumbel noise, which are exactly successive draws from the renormalised rest."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial: expected a tensor, got {describe(input)}")
    if input.dtype.kind != "f":
        raise UnsupportedDtypeError(f"multinomial: needs floating point weights, got dtype "
                                    f"{input.dtype}")
    if input.ndim not in (1, 2):
        raise RuntimeValueError(f"multinomial: weights must be 1-D or 2-D, got shape "
                                f"{input.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, numbers.Integral) \
            or num_samples <= 0:
        raise RuntimeValueError(f"multinomial: num_samples must be a positive int, got "
                                f"{num_samples!r}")
    w = np.atleast_2d(input.numpy()).astype(np.float64)
    if not np.all(np.isfinite(w) & (w >= 0)):
        raise RuntimeValueError("multinomial: weights must be finite and non-negative")
    if np.any(w.sum(axis=1) <= 0):
        raise RuntimeValueError("multinomial: each row of weights must have a positive sum")
    if not replacement and num_samples > w.shape[1]:
        raise RuntimeValueError(f"multinomial: cannot draw {num_samples} samples without "
                         f"replacement from {w.shape[1]} categories")
    rng = numpy_generator("multinomial", generator)
    if replacement:
        cdf = np.cumsum(w, axis=1)
        u = rng.random((w.shape[0], num_samples)) * cdf[:, -1:]
        out = np.stack([np.searchsorted(c, row, side="right") for c, row in zip(cdf, u)])
        out = np.minimum(out, w.shape[1] - 1)  # u can round up to the total
    else:
        with np.errstate(divide="ignore"):
            keys = np.log(w) + rng.gumbel(size=w.shape)
        out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    out = out.astype(np.int64)
    return Tensor._wrap(out if input.ndim == 2 else out[0])


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
