"""Making tensors: from data (`tensor`, `as_tensor`, `from_numpy`, the legacy typed
constructors) and the factories (zeros, ones, full, empty, eye, arange, linspace, logspace
and their `*_like`). Random factories are in `random.py`."""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import device as devices
from . import dtypes
from .arguments import describe, sizes, to_array
from .tensor import Tensor


def made(op: str, array: np.ndarray, requires_grad: bool = False, device=None) -> Tensor:
    """A new leaf around `array` (a factory's result), after checking device and grad."""
    devices.check(op, device)
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(f"{op}: only floating point tensors can require gradients, "
                               f"got dtype {array.dtype}")
        t.requires_grad_(True)
    return t


# ---------------------------------------------------------------- from data


def tensor(data, dtype=None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (numbers, nested lists, an ndarray, a tensor),
    as `torch.tensor`: Python floats become the default dtype, ints int64, bools bool; an
    ndarray or a tensor keeps its dtype."""
    if isinstance(data, Tensor):
        data = data.numpy()  # copied: torch.tensor(t) copies
    return made("tensor", to_array(data, dtype, "tensor"), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """`data` as a tensor, sharing its memory when it is already an ndarray (or tensor) of
    that dtype, else a copy, as `torch.as_tensor`."""
    devices.check("as_tensor", device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype in dtypes.SUPPORTED_SET and (
            dtype is None or dtypes.as_dtype(dtype, "as_tensor") == data.dtype):
        return Tensor._wrap(data)
    return made("as_tensor", to_array(data, dtype, "as_tensor"))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing `array`'s memory and dtype: writes to one show in the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {describe(array)}")
    if array.dtype not in dtypes.SUPPORTED_SET:
        names = ", ".join(str(d) for d in dtypes.SUPPORTED_DTYPES)
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype} (supported: {names})")
    return Tensor._wrap(array)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


class _TypedTensor(type):
    """The metaclass of the legacy typed constructors: `FloatTensor([1, 2])` makes a
    float32 tensor, and `isinstance(t, FloatTensor)` checks the dtype, as in PyTorch."""

    def __call__(cls, *args, **kwargs):
        return Tensor(*args, dtype=cls.dtype, **kwargs)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype


def _typed(name: str, dtype: np.dtype) -> type:
    doc = f"Legacy `torch.{name}`: data or sizes, as `Tensor`, in {dtype}."
    return _TypedTensor(name, (), {"dtype": dtype, "__doc__": doc})


FloatTensor = _typed("FloatTensor", dtypes.float32)
DoubleTensor = _typed("DoubleTensor", dtypes.float64)
HalfTensor = _typed("HalfTensor", dtypes.float16)
LongTensor = _typed("LongTensor", dtypes.int64)
IntTensor = _typed("IntTensor", dtypes.int32)
ShortTensor = _typed("ShortTensor", dtypes.int16)
CharTensor = _typed("CharTensor", dtypes.int8)
ByteTensor = _typed("ByteTensor", dtypes.uint8)
BoolTensor = _typed("BoolTensor", dtypes.bool_)
TYPED = (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
         CharTensor, ByteTensor, BoolTensor)


# ---------------------------------------------------------------- factories


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


def zeros(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros; `size` as zeros(2, 3) or zeros((2, 3))."""
    return made("zeros", np.zeros(sizes("zeros", size), _float_dtype("zeros", dtype)),
                requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return made("ones", np.ones(sizes("ones", size), _float_dtype("ones", dtype)),
                requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor whose values are whatever the memory held (numpy's `empty`)."""
    return made("empty", np.empty(sizes("empty", size), _float_dtype("empty", dtype)),
                requires_grad, device)


def full(size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of `size` filled with `fill_value`; its dtype follows the value, as PyTorch."""
    if isinstance(fill_value, Tensor) and fill_value.ndim == 0:
        fill_value = fill_value.item()
    if isinstance(fill_value, (bool, np.bool_)):
        default = dtypes.bool_
    elif isinstance(fill_value, numbers.Integral):
        default = dtypes.int64
    elif isinstance(fill_value, numbers.Real):
        default = dtypes.get_default_dtype()
    else:
        raise TypeError(f"full: fill_value must be a real number, got {fill_value!r}")
    d = default if dtype is None else dtypes.as_dtype(dtype, "full")
    size = sizes("full", size if isinstance(size, (tuple, list)) else (size,))
    try:
        return made("full", np.full(size, fill_value, d), requires_grad, device)
    except OverflowError:
        raise ValueError(f"full: fill_value {fill_value!r} does not fit dtype {d}") from None


def _like(op, t) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a tensor, got {type(t).__name__}")
    return t


def zeros_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Zeros of input's shape, in input's dtype unless `dtype` is given."""
    t = _like("zeros_like", input)
    return zeros(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                 requires_grad=requires_grad)


def ones_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:
    t = _like("ones_like", input)
    return ones(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def empty_like(input: Tensor, dtype=None, device=None, requires_grad=False) -> Tensor:
    t = _like("empty_like", input)
    return empty(t.shape, dtype=t.dtype if dtype is None else dtype, device=device,
                 requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, dtype=None, device=None,
              requires_grad=False) -> Tensor:
    """`fill_value` in input's shape and dtype (a float value cast to an int dtype)."""
    t = _like("full_like", input)
    return full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from start (default 0) up to, not including, end; int64 when start, end and
    step are ints, else the default float dtype, as PyTorch."""
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
    return made("arange", values.astype(d), requires_grad, device)


def linspace(start, end, steps: int, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:
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
    return made("linspace", values.astype(d), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    """base ** linspace(start, end, steps): `steps` values spaced evenly on a log scale."""
    (base,) = _reals("logspace", base=base)
    exponents = linspace(start, end, steps, dtype=dtypes.float64).numpy()
    d = _refuse("logspace", _float_dtype("logspace", dtype), "b",
                "as in PyTorch: use a numeric dtype")
    with np.errstate(over="ignore"):
        values = np.power(float(base), exponents)
    return made("logspace", values.astype(d), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype=None, device=None,
        requires_grad=False) -> Tensor:
    """The n × m identity (m defaults to n)."""
    shape = sizes("eye", (n,) if m is None else (n, m))
    return made("eye", np.eye(*shape, dtype=_float_dtype("eye", dtype)), requires_grad,
                device)
