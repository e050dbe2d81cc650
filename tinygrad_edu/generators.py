"""Generators of random numbers: `Generator` objects, the global one behind `manual_seed`,
and `numpy_generator`, which every random function and in-place sampler draws through.

Each generator wraps a `numpy.random.Generator`: seeded alike, two generators give the same
numbers, but not the numbers PyTorch's Mersenne Twister gives for that seed. This module
makes no tensors, so the tensor's own samplers (`bernoulli_`, `multinomial`) can use it.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import device as devices
from .arguments import describe

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
    if isinstance(gen, Generator):
        return gen.rng
    raise TypeError(f"{op}: generator must be a tg.Generator, got {describe(gen)}")
