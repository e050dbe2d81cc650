"""Casts and devices: `to` in all its forms, `type`, `float()`/`long()`/..., `type_as`,
`cpu()`, `cuda()`, `device`. A cast between float dtypes stays in the graph (its gradient
is cast back: `ops.Cast`); a cast to or from an int or bool dtype carries no gradient."""

from __future__ import annotations

import numpy as np

from .. import device as devices
from .. import dtypes, ops
from ..arguments import describe
from ..recording import apply1, wrap
from ..tensor_base import TensorBase

# the legacy type names (`x.type()`, `FloatTensor`) of each dtype
TYPE_NAMES = {dtypes.float32: "FloatTensor", dtypes.float64: "DoubleTensor",
              dtypes.float16: "HalfTensor", dtypes.int64: "LongTensor",
              dtypes.int32: "IntTensor", dtypes.int16: "ShortTensor",
              dtypes.int8: "CharTensor", dtypes.uint8: "ByteTensor", dtypes.bool_: "BoolTensor"}
_BY_TYPE_NAME = {name: d for d, name in TYPE_NAMES.items()}
_PREFIXES = ("tinygrad_edu.", "torch.", "tg.")


def _is_dtype_like(x) -> bool:
    return isinstance(x, (np.dtype, type)) and not isinstance(x, devices.device)


def parse_to(args: tuple, kwargs: dict, dtype_now: np.dtype) -> tuple:
    """(dtype, copy) from the forms of `Tensor.to`: (dtype), (device), (device, dtype),
    (tensor), each with non_blocking= (ignored) and copy=; a device must be the CPU."""
    kwargs = dict(kwargs)
    copy = bool(kwargs.pop("copy", False))
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"to: unexpected keyword argument(s) {', '.join(kwargs)}")
    flags = []
    for a in args:
        if isinstance(a, TensorBase):
            dtype = a.dtype
        elif isinstance(a, bool):
            flags.append(a)  # non_blocking, copy given by position
        elif isinstance(a, str) and a.partition(":")[0] not in devices.KNOWN:
            dtype = a  # a dtype's name, as numpy spells it ("float32")
        elif isinstance(a, (str, devices.device, int)):
            device = a
        elif _is_dtype_like(a):
            dtype = a
        else:
            raise TypeError(f"to: expected a dtype, a device or a tensor, got {describe(a)}")
    if len(flags) == 2:
        copy = flags[1]
    devices.check("to", device)
    return (dtype_now if dtype is None else dtypes.as_dtype(dtype, "to")), copy


class Conversion:
    """The cast and device methods of Tensor (see the module docstring)."""

    __slots__ = ()

    def to(self, *args, **kwargs):
        """This tensor in another dtype and/or on a device (only the CPU exists):
        `t.to(tg.float64)`, `t.to("cpu")`, `t.to("cpu", tg.float64)`, `t.to(other)` (other's
        dtype), `t.to(dtype=..., copy=True)`. Returns self when nothing changes unless
        `copy`; a float-to-float cast keeps the graph."""
        if len(args) == 1 and not kwargs and args[0].__class__ is np.dtype \
                and args[0] in dtypes.SUPPORTED_SET:  # t.to(tg.float64): the common case
            d, copy = args[0], False
        else:
            d, copy = parse_to(args, kwargs, self._data.dtype)
        if d == self._data.dtype:
            return self.clone() if copy else self
        if d.kind == "f" and self._data.dtype.kind == "f":
            return apply1(ops.Cast(d), self)
        return wrap(self._data.astype(d))

    astype = to

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, the legacy type name ('tinygrad_edu.FloatTensor'); with a
        dtype, a typed constructor (`tg.LongTensor`) or such a name (also spelt
        'torch.LongTensor'), the tensor cast to it."""
        if dtype is None:
            return "tinygrad_edu." + TYPE_NAMES[self._data.dtype]
        if isinstance(dtype, str) and dtype.startswith(_PREFIXES):
            name = dtype.split(".", 1)[1]
            if name not in _BY_TYPE_NAME:
                raise ValueError(f"type: invalid type {dtype!r}; expected one of "
                                 f"{', '.join(_BY_TYPE_NAME)}")
            dtype = _BY_TYPE_NAME[name]
        typed = getattr(dtype, "dtype", None)  # a typed constructor (tg.LongTensor) has one
        return self.to(typed if isinstance(typed, np.dtype) else dtype)

    def type_as(self, other):
        """This tensor in `other`'s dtype."""
        if not isinstance(other, TensorBase):
            raise TypeError(f"type_as: expected a tensor, got {describe(other)}")
        return self.to(other.dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def short(self):
        return self.to(dtypes.int16)

    def char(self):
        return self.to(dtypes.int8)

    def byte(self):
        return self.to(dtypes.uint8)

    def bool(self):
        return self.to(dtypes.bool_)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    @property
    def device(self) -> devices.device:
        """Where the values live: always the CPU."""
        return devices.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def cpu(self):
        """This tensor (it is on the CPU already)."""
        return self

    def cuda(self, device=None, non_blocking: bool = False):
        """Refused: there is no GPU backend."""
        devices.check("cuda", "cuda")
