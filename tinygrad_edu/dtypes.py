"""Dtypes are numpy dtypes. Floats default to float32, as in PyTorch."""

from __future__ import annotations

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

FLOAT_DTYPES = (float16, float32, float64)
SUPPORTED_DTYPES = FLOAT_DTYPES + (int8, int16, int32, int64, uint8, bool_)
SUPPORTED_SET = frozenset(SUPPORTED_DTYPES)  # for membership tests: one hash, not 9 comparisons

_default = float32


def as_dtype(dtype, where: str = "tensor") -> np.dtype:
    """Turn a dtype-like (np.float64, "float32", tg.int64, ...) into a supported numpy dtype."""
    if dtype is None:  # np.dtype(None) would quietly mean float64
        raise TypeError(f"{where}: unknown dtype None")
    try:
        d = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{where}: unknown dtype {dtype!r}") from e
    if d not in SUPPORTED_SET:
        names = ", ".join(str(s) for s in SUPPORTED_DTYPES)
        raise TypeError(f"{where}: unsupported dtype {d} (supported: {names})")
    return d


def is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def get_default_dtype() -> np.dtype:
    """The dtype that Python floats and float lists become (float32 unless changed)."""
    return _default


def set_default_dtype(dtype) -> None:
    """Set the default floating dtype; like PyTorch, only float32 and float64 are allowed."""
    global _default
    d = as_dtype(dtype, "set_default_dtype")
    if d not in (float32, float64):
        raise TypeError(f"set_default_dtype: only float32 or float64 can be the default, got {d}")
    _default = d
