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
dtype = np.dtype  # as torch.dtype: the class of the dtypes (isinstance(tg.float32, tg.dtype))

FLOAT_DTYPES = (float16, float32, float64)
SUPPORTED_DTYPES = FLOAT_DTYPES + (int8, int16, int32, int64, uint8, bool_)
SUPPORTED_SET = frozenset(SUPPORTED_DTYPES)  # for membership tests: one hash, not 9 comparisons
# `dtype in FLOATS` is `dtype.kind == "f"` (a dtype's `.kind` is no cheaper: numpy's dtype
# classes miss Python's attribute cache), save that a float dtype of the other byte order
# is not in it: the hot paths that test it take their slow path for one
FLOATS = frozenset(np.dtype(c) for c in "efdg")  # float16, float32, float64, longdouble
WEAK_NUMBERS = {float, int}  # Python numbers that take the dtype of the array they meet

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


class finfo:
    """The limits of a float dtype, as `torch.finfo` (default: the default dtype): `bits`,
    `eps` (the gap from 1 to the next value), `max`, `min`, `tiny` = `smallest_normal`,
    `resolution` (10^−digits) and `dtype` (its name), as Python numbers."""

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else as_dtype(type, "finfo")
        if not is_float(d):
            raise TypeError(f"finfo: needs a floating point dtype, got {d}; use tg.iinfo")
        info = np.finfo(d)
        self.bits, self.dtype = info.bits, str(d)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype, as `torch.iinfo`: `bits`, `max`, `min`, `dtype`."""

    def __init__(self, type):
        d = as_dtype(type, "iinfo")
        if d.kind not in "iu":
            hint = "" if d.kind == "b" else "; use tg.finfo"
            raise TypeError(f"iinfo: needs an integer dtype, got {d}{hint}")
        info = np.iinfo(d)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), str(d)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def get_default_dtype() -> np.dtype:
    """The dtype that Python floats and float lists become (float32 unless changed)."""
    return _default


def set_default_dtype(dtype) -> None:
    """Set the default floating dtype (float32, float64 or float16, as PyTorch allows)."""
    global _default
    d = as_dtype(dtype, "set_default_dtype")
    if not is_float(d):
        raise TypeError(f"set_default_dtype: only a floating point dtype can be the default, "
                        f"got {d}")
    _default = d


# ---------------------------------------------------------------- PyTorch's type promotion

KINDS = {"b": 0, "i": 1, "u": 1, "f": 2}  # bool < integer < floating point


def category(v) -> tuple:
    """(rank, kind, dtype) of an operand: rank 2 for an array or tensor with dimensions, 1 for
    a zero-dim one, 0 for a number; a Python number has no dtype (None)."""
    if isinstance(v, np.generic):
        return 0, KINDS[v.dtype.kind], v.dtype
    d = getattr(v, "dtype", None)  # an ndarray or a Tensor (this module knows no Tensor)
    if d is not None:
        return (2 if v.ndim else 1), KINDS[d.kind], d
    return 0, (0 if isinstance(v, bool) else 1 if isinstance(v, int) else 2), None


def default_of_kind(kind: int) -> np.dtype:
    """The dtype a number of `kind` takes: the default float, int64 or bool."""
    return get_default_dtype() if kind == 2 else np.dtype(np.int64 if kind else bool)


def result_dtype(x: tuple, y: tuple, floating: bool = False) -> np.dtype:
    """The dtype PyTorch computes `x ⊕ y` in, from the operands' `category` triples (a floating
    one if `floating`, as for true division).

    Operands rank as tensors or arrays with dimensions > zero-dim ones > numbers (Python or
    numpy scalars), and kinds as bool < int < float. The result takes the dtype of the
    highest-ranked operands (numpy's promotion between two of one kind, the float's dtype
    between int and float) unless a lower-ranked one is of a higher kind: then a zero-dim
    operand gives its own dtype and a number the default (float dtype, or int64). So a
    number or a 0-d value never widens a tensor of its kind: float32 · np.float64(2) is
    float32.
    """
    (rx, kx, dx), (ry, ky, dy) = x, y
    if rx != ry:
        (_, kh, dh), (rl, kl, dl) = (x, y) if rx > ry else (y, x)  # higher-ranked, then lower
        target = dh if kl <= kh else dl if rl == 1 else default_of_kind(kl)
    elif kx != ky:
        target = (dx if kx > ky else dy) if rx else default_of_kind(max(kx, ky))
    elif dx is None or dy is None:  # a Python number with a number (as in `where`)
        target = dx or dy or default_of_kind(kx)
    else:
        target = np.promote_types(dx, dy)
    if floating and target.kind != "f":
        target = get_default_dtype()
    return target
