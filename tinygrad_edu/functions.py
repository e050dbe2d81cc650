"""Tensor methods that PyTorch also spells as functions: `tg.clone(t)` is `t.clone()`,
`tg.exp_(t)` is `t.exp_()`, and so on for the names in `SPELLED_AS_FUNCTIONS`."""

from __future__ import annotations

from collections.abc import Callable

from .arguments import describe
from .methods.arithmetic import ONE_VALUE
from .tensor_base import TensorBase

# every in-place function of one value but sign_, which PyTorch has only as a method
_IN_PLACE = [op.__name__.lower() + "_" for op in ONE_VALUE if op.__name__ != "Sign"]
SPELLED_AS_FUNCTIONS = ["clone", "detach", "detach_", "numel", "is_floating_point", "fill_",
                        "zero_", "clamp_", "neg_", *_IN_PLACE]


def _method_as_function(name: str) -> Callable:
    def function(input, *args, **kwargs):
        if not isinstance(input, TensorBase):
            raise TypeError(f"{name}: expected a tensor, got {describe(input)}")
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`tg.{name}(t, ...)` is `t.{name}(...)`."
    return function


for _name in SPELLED_AS_FUNCTIONS:
    globals()[_name] = _method_as_function(_name)
del _name

__all__ = SPELLED_AS_FUNCTIONS
