"""`tg.cuda`, as a CPU-only PyTorch has it: no GPU is available."""

from .device import device_count, is_available

__all__ = ["device_count", "is_available"]
