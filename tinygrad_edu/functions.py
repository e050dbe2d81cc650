"""Tensor methods that PyTorch also spells as functions: `tg.clone(t)` is `t.clone()`,
`tg.exp_(t)` is `t.exp_()`, and so on for the names in `SPELLED_AS_FUNCTIONS`."""

from __future__ import annotations

from .methods.arithmetic import ONE_VALUE
from .recording import method_function

# every in-place function of one value but sign_, which PyTorch has only as a method
_IN_PLACE = [op.__name__.lower() + "_" for op in ONE_VALUE if op.__name__ != "Sign"]
SPELLED_AS_FUNCTIONS = ["clone", "detach", "detach_", "numel", "is_floating_point", "fill_",
                        "zero_", "clamp_", "neg_", *_IN_PLACE]


for _name in SPELLED_AS_FUNCTIONS:
    globals()[_name] = method_function(_name, tensor_only=True)
del _name

__all__ = SPELLED_AS_FUNCTIONS
