"""`Module`, the base class of every layer and model, and `Parameter`, a tensor it trains.

A Module finds its parameters the way PyTorch does: assigning a `Parameter` or a `Module` to
an attribute registers it (in assignment order), so `parameters()`, `state_dict()` and
`zero_grad()` reach every weight of a model without any list kept by hand.

    class Affine(Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(np.ones(3))       # registered as "w"
            self.inner = Linear(3, 1)            # registered as "inner" ("inner.weight", ...)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from .. import dtypes
from ..arguments import to_array
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .utils import zero_grad


class Parameter(Tensor):
    """A leaf Tensor that a Module registers and an optimizer updates.

    It is a Tensor (not a wrapper around one): `p + 1`, `p.grad`, `p._data` all work as for any
    tensor. The data is copied and must have a floating dtype.

    >>> Parameter([1.0, 2.0])
    Parameter containing:
    tensor([1., 2.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True,
                 dtype: DTypeLike = None) -> None:
        if isinstance(data, Tensor):
            data = data.numpy()
        array = to_array(data, dtype, "Parameter")
        if array.dtype.kind != "f":
            raise TypeError(f"Parameter: data must have a floating dtype, got {array.dtype}")
        super().__init__(array)  # a float array keeps its dtype
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped: our missing keys and its extra keys."""

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"IncompatibleKeys(missing_keys={self.missing_keys}, "
                f"unexpected_keys={self.unexpected_keys})")


class Module:
    """Base class of layers and models: subclass it, assign parts in `__init__`, write `forward`.

    Calling the module calls `forward`. `training` is True until `eval()` is called.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    _forward_hooks: dict | None = None  # {id: hook}, made by the first register_forward_hook

    # ------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if params is None:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() call "
                f"(call super().__init__() first in {type(self).__name__}.__init__)"
            )
        # PyTorch's order: a Parameter may replace anything, a parameter only a Parameter or
        # None, then a Module anything else, and a submodule only a Module or None
        if isinstance(value, Parameter):
            self._register(name, value, params)
        elif name in params:
            self._only_none(name, value, "parameter", "Parameter")
            self._register(name, None, params)
        elif isinstance(value, Module):
            self._register(name, value, self._modules)
        elif name in self._modules:
            self._only_none(name, value, "submodule", "Module")
            self._register(name, None, self._modules)
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} to buffer {name!r} of "
                                f"{type(self).__name__} (expected a Tensor or None)")
            self._register(name, value, self._buffers)
        else:
            object.__setattr__(self, name, value)

    def _only_none(self, name: str, value: Any, kind: str, expected: str) -> None:
        if value is not None:
            raise TypeError(f"cannot assign {type(value).__name__} to {kind} {name!r} of "
                            f"{type(self).__name__} (expected a {expected} or None)")

    def _register(self, name: str, value: Any, registry: dict) -> None:
        """Enter `value` in `registry` (its place kept on re-assignment) and in no other.

        The registries are the truth; the instance dict holds a copy of each entry, so that
        `self.weight` in a forward pass is a plain attribute lookup (a `__getattr__` for each
        one would cost more than the arithmetic of a small layer)."""
        for other in (self._parameters, self._modules, self._buffers):
            if other is not registry:
                other.pop(name, None)
        registry[name] = value
        self.__dict__[name] = value

    def __getattr__(self, name: str) -> Any:
        # only when normal lookup fails: an entry written into a registry directly
        d = self.__dict__
        if name in d.get("_parameters", ()):
            return d["_parameters"][name]
        if name in d.get("_modules", ()):
            return d["_modules"][name]
        if name in d.get("_buffers", ()):
            return d["_buffers"][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _forget(self, name: str) -> None:
        """Drop `name` from the instance dict and both registries (`del module.name`)."""
        for registry in (self.__dict__, self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        self._non_persistent.discard(name)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters or name in self._modules or name in self._buffers:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` under `name`; None reserves the name (as `Linear(bias=False)`)."""
        _check_name("register_parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be a Parameter or None, "
                f"got {type(param).__name__}"
            )
        self._register(name, param, self._parameters)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register `tensor` as state that is not trained (BatchNorm's running mean):
        `to()`/`double()` convert it and, if `persistent`, `state_dict()` saves it."""
        _check_name("register_buffer", name)
        if (name in self.__dict__ or name in self._modules) and name not in self._buffers:
            raise KeyError(f"register_buffer: attribute {name!r} already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._register(name, tensor, self._buffers)
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register `module` as the submodule `name` (as assigning it to an attribute)."""
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"add_module: the name must be a non-empty str without '.', "
                           f"got {name!r}")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a Module")
        self._register(name, module, self._modules)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path `target` ("" is self)."""
        m = self
        for part in target.split(".") if target else ():
            if part not in m._modules or m._modules[part] is None:
                raise AttributeError(f"{type(m).__name__} has no submodule {part!r}")
            m = m._modules[part]
        return m

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """Call `hook(module, args, output)` after each forward; a result other than None
        replaces the output. `.remove()` on the returned handle unregisters it."""
        if self._forward_hooks is None:
            object.__setattr__(self, "_forward_hooks", OrderedDict())
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------ calling

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out

    # ------------------------------------------------------------ traversal

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct submodule, in registration order."""
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for self (name "") and every submodule, depth first; a
        shared submodule once, unless `remove_duplicate=False`."""
        seen = set()
        todo = [(prefix, self)]
        while todo:
            name, m = todo.pop()
            if remove_duplicate:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            yield name, m
            subs = [(f"{name}.{n}" if name else n, c) for n, c in m.named_children()]
            todo.extend(reversed(subs))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Tensor]]:
        seen = set()
        mods = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for mod_name, m in mods:
            for name, p in m.__dict__[registry].items():
                if p is None or (remove_duplicate and id(p) in seen):
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs such as ("layers.0.weight", ...); a parameter
        shared by two modules is listed once, under its first name, unless
        `remove_duplicate=False`; only this module's own with `recurse=False`."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) pairs, as named_parameters."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call `fn` on every submodule (children first) and then on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set requires_grad on every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`to(dtype)`, `to("cpu")`, `to(device, dtype)`, `to(tensor)`: converts the floating
        point parameters and buffers in place (the same Parameter objects); returns self."""
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("non_blocking", None)
        for a in list(args) + list(kwargs.values()):
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif not is_cpu(a):
                dtype = dtypes.as_dtype(a, "Module.to")
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype, "Module.to")
            if not dtypes.is_float(dtype):
                raise TypeError(f"Module.to only accepts floating point dtypes, got {dtype}")
            for t in list(self.parameters()) + list(self.buffers()):
                if dtypes.is_float(t.dtype) and t.dtype != dtype:
                    t._data = t._data.astype(dtype)
                    if t._grad is not None:
                        t._grad = Tensor._wrap(t._grad._data.astype(dtype))
        return self

    def half(self) -> Module:
        return self.to(np.float16)

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def cpu(self) -> Module:
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget accumulated gradients: `.grad = None` (or zeros with set_to_none=False)."""
        zero_grad(self.parameters(), set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Set `training` on this module and every submodule; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """`train(False)`."""
        return self.train(False)

    # ------------------------------------------------------------ state

    def _state(self) -> OrderedDict[str, Tensor]:
        """Dotted name → parameter or persistent buffer, in PyTorch's order: each module's
        parameters, then its buffers, then its children; shared ones under every name."""
        out = OrderedDict()
        for mod_name, m in self.named_modules(remove_duplicate=False):
            pre = f"{mod_name}." if mod_name else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[pre + name] = p
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[pre + name] = b
        return out

    def state_dict(self, *, prefix: str = "", keep_vars: bool = False
                   ) -> OrderedDict[str, np.ndarray]:
        """An ordered map from each parameter's and persistent buffer's dotted name to a copy
        of its values (ndarrays; the Tensors themselves with `keep_vars=True`); a shared
        parameter appears under every name that reaches it, as in PyTorch."""
        return OrderedDict((prefix + name, t if keep_vars else t._data.copy())
                           for name, t in self._state().items())

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy values into the parameters, in place, after checking everything first.

        Each value must be an ndarray (or Tensor) of numbers with the parameter's shape; it is
        cast to the parameter's dtype (a float64 checkpoint loads into a float32 model). With
        `strict`, the keys must be exactly those of `state_dict()`. Any problem raises one
        RuntimeError listing all of them, and then no parameter has been touched.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of name -> array, "
                f"got {type(state_dict).__name__}"
            )
        own = self._state()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + _quoted(missing))
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: " + _quoted(unexpected))
        updates = []
        for name, p in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = value._data if isinstance(value, Tensor) else value
            if isinstance(value, (int, float, np.generic)) and p.ndim == 0:
                value = np.asarray(value)
            if not isinstance(value, np.ndarray):
                errors.append(f"expected an ndarray for {name!r}, got {type(value).__name__}")
            elif value.shape != p.shape:
                errors.append(f"size mismatch for {name}: copying a param with shape "
                              f"{value.shape} from checkpoint, the shape in current model "
                              f"is {p.shape}")
            elif value.dtype.kind not in "fiub":
                errors.append(f"expected numbers for {name!r}, got dtype {value.dtype}")
            else:  # cast to the parameter's dtype by copy_, as PyTorch
                updates.append((p, value))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for p, value in updates:
                p.copy_(value)
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's layout: `Name(extra)` on one line, or the extra_repr lines and then each
        child as `(name): repr`, indented by two spaces, one a line."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                       for name, m in self.named_children()]
        if len(extra_lines) == 1 and not child_lines:
            return f"{type(self).__name__}({extra_lines[0]})"
        lines = extra_lines + child_lines
        if not lines:
            return f"{type(self).__name__}()"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class RemovableHandle:
    """Returned by register_forward_hook: `remove()` unregisters the hook."""

    _next = 0

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = RemovableHandle._next
        RemovableHandle._next += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def is_cpu(device: Any) -> bool:
    """True for "cpu" or a device object that prints as cpu; other strings are not devices."""
    text = str(device)
    if text.split(":")[0] in ("cuda", "mps", "xpu", "meta"):
        raise RuntimeError(f"Module.to: only the CPU is available, got device {text!r}")
    return text == "cpu" or type(device).__name__ == "device"


def _quoted(keys: list) -> str:
    return ", ".join(f'"{k}"' for k in keys) + "."


def _check_name(op: str, name) -> None:
    """A parameter's or buffer's name: a str (TypeError), non-empty and without '.' (KeyError,
    as PyTorch), since dotted names are the paths of `state_dict`."""
    if not isinstance(name, str):
        raise TypeError(f"{op}: the name must be a str, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{op}: the name must be non-empty and without '.', got {name!r}")
