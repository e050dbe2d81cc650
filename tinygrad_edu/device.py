"""Devices, as PyTorch names them: the package computes on the CPU only (numpy), so `cpu` is
the one device; asking for a GPU fails at once, with the error a CPU-only PyTorch gives."""

from __future__ import annotations

KNOWN = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "vulkan", "ipu", "mtia", "hpu")


class DeviceUnavailable(RuntimeError, AssertionError):
    """A device this package has no backend for. A CPU-only PyTorch raises AssertionError
    ("not compiled with CUDA enabled") for cuda and RuntimeError for the others: this error
    is both."""


class device:
    """`tg.device("cpu")`, `tg.device("cpu:0")`, `tg.device("cpu", 0)`: a device's `type` and
    `index` (None unless given). Equal when both match, as in PyTorch ("cpu" ≠ "cpu:0")."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name not in KNOWN:
            raise RuntimeError(f"device: unknown device type {type!r}; "
                               f"expected one of {', '.join(KNOWN)}")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(number)
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                                  or index < 0):
            raise RuntimeError(f"device: invalid device index {index!r}")
        self.type, self.index = name, index

    def __eq__(self, other) -> bool:
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"


CPU = device("cpu")


def check(op: str, where) -> None:
    """Refuse any device but the CPU (`None`, "cpu", "cpu:0", `tg.device("cpu")`)."""
    if where is None:
        return
    d = where if isinstance(where, device) else device(where) if isinstance(where, str) \
        else None
    if d is None:
        if isinstance(where, int) and not isinstance(where, bool):  # an accelerator's index
            raise DeviceUnavailable(f"{op}: device {where} means a GPU; this package has only "
                                    "the CPU: use device='cpu'")
        raise TypeError(f"{op}: device must be a string or tg.device, got {where!r}")
    if d.type != "cpu":
        raise DeviceUnavailable(f"{op}: device '{d}' is not available: this package computes "
                                "on the CPU only (numpy), as a PyTorch without "
                                f"{d.type.upper()} support; use device='cpu'")


def is_available() -> bool:
    """`tg.cuda.is_available()` and `tg.backends.mps.is_available()`: no GPU, ever."""
    return False


def device_count() -> int:
    """`tg.cuda.device_count()`: 0."""
    return 0
