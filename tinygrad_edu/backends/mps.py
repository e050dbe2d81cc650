"""`tg.backends.mps`: Apple's GPU backend, never available (the package computes with numpy)."""

from ..device import is_available


def is_built() -> bool:
    return False


__all__ = ["is_available", "is_built"]
