"""The named tuples that reductions returning several tensors give, as `torch.return_types`:
`x.max(dim)` is `max(values, indices)`, so `values, indices = x.max(1)`, `x.max(1).values`
and `x.max(1)[0]` all work. `aminmax` holds `(min, max)`."""

from __future__ import annotations

from collections import namedtuple

__all__ = ["max", "min", "median", "mode", "kthvalue", "topk", "sort", "cummax", "cummin",
           "aminmax"]


def _values_and_indices(name: str) -> type:
    cls = namedtuple(name, ["values", "indices"])
    cls.__module__ = __name__
    cls.__doc__ = f"What `{name}` returns: the tensors `values` and `indices` (int64)."
    cls.__repr__ = _repr
    return cls


def _repr(self) -> str:
    fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
    return f"tinygrad_edu.return_types.{type(self).__name__}(\n{fields})"


max = _values_and_indices("max")  # noqa: A001  (PyTorch's name)
min = _values_and_indices("min")  # noqa: A001
median = _values_and_indices("median")
mode = _values_and_indices("mode")
kthvalue = _values_and_indices("kthvalue")
topk = _values_and_indices("topk")
sort = _values_and_indices("sort")
cummax = _values_and_indices("cummax")
cummin = _values_and_indices("cummin")
aminmax = namedtuple("aminmax", ["min", "max"])
aminmax.__module__ = __name__
aminmax.__doc__ = "What `aminmax` returns: the tensors `min` and `max`."
aminmax.__repr__ = _repr
