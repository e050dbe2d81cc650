"""`tg.backends`: PyTorch's switchboard of accelerator backends, none of which exists here."""

from . import mps

__all__ = ["mps"]
