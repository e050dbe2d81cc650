"""Containers of modules and parameters, as PyTorch's: Sequential, ModuleList, ModuleDict,
ParameterList, ParameterDict. Entries register under their index ("0", "1", ...) or key, so
`state_dict()` names them "layers.0.weight" as PyTorch does."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..tensor import Tensor
from .module import Module, Parameter


def _index(op: str, idx: int, n: int) -> int:
    """A list position in [0, n) from a possibly negative index."""
    if not isinstance(idx, int) or isinstance(idx, bool):
        raise TypeError(f"{op}: indices must be integers or slices, got {type(idx).__name__}")
    if not -n <= idx < n:
        raise IndexError(f"{op}: index {idx} is out of range for {n} entries")
    return idx % n


def _module(op: str, m: Any) -> Module:
    if not isinstance(m, Module):
        raise TypeError(f"{op}: {type(m).__name__} is not a Module subclass")
    return m


def _modules_repr(self: Module) -> str:
    """PyTorch's ModuleList repr: runs of equal-looking modules shown once, "(0-2): 3 x ..."."""
    lines, names, reprs = [], list(self._modules), [repr(m) for m in self._modules.values()]
    i = 0
    while i < len(reprs):
        j = i
        while j + 1 < len(reprs) and reprs[j + 1] == reprs[i]:
            j += 1
        body = reprs[i].replace("\n", "\n  ")
        lines.append(f"({names[i]}): {body}" if i == j
                     else f"({names[i]}-{names[j]}): {j - i + 1} x {body}")
        i = j + 1
    if not lines:
        return f"{type(self).__name__}()"
    return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class _IndexedModules(Module):
    """What Sequential and ModuleList share: a list of modules registered as "0", "1", ..."""

    def _renumber(self, mods: list) -> None:
        for name in list(self._modules):
            self._forget(name)
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, idx: int | slice) -> Any:
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            return self._slice(idx)
        return mods[_index(type(self).__name__, idx, len(mods))]

    def __setitem__(self, idx: int, module: Module) -> None:
        i = _index(type(self).__name__, idx, len(self))
        self.add_module(list(self._modules)[i], _module(type(self).__name__, module))

    def __delitem__(self, idx: int | slice) -> None:
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            del mods[idx]
        else:
            del mods[_index(type(self).__name__, idx, len(mods))]
        self._renumber(mods)

    def append(self, module: Module) -> Module:
        """Add `module` at the end; returns self."""
        self.add_module(str(len(self)), _module(f"{type(self).__name__}.append", module))
        return self

    def extend(self, modules: Iterable[Module]) -> Module:
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        mods = list(self._modules.values())
        mods.insert(index, _module(f"{type(self).__name__}.insert", module))
        self._renumber(mods)


class Sequential(_IndexedModules):
    """Modules applied one after the other; registered as "0", "1", ... or, given one
    OrderedDict, under its keys. Indexing gives a module, a slice a Sequential."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, _module("Sequential", m))
            return
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, "
                                f"not a Module")
            self.add_module(str(i), m)

    def _slice(self, idx: slice) -> Sequential:
        return Sequential(OrderedDict(list(self._modules.items())[idx]))  # keeps the names

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __add__(self, other: Sequential) -> Sequential:
        return Sequential(*self, *other)


class ModuleList(_IndexedModules):
    """A list of submodules (no forward of its own): `self.blocks = ModuleList([...])`."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _slice(self, idx: slice) -> ModuleList:
        return ModuleList(list(self._modules.values())[idx])

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    __repr__ = _modules_repr


class ModuleDict(Module):
    """An ordered dict of submodules, registered under their keys."""

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _module("ModuleDict", module))

    def __delitem__(self, key: str) -> None:
        self._forget(key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self) -> Any:
        return self._modules.keys()

    def values(self) -> Any:
        return self._modules.values()

    def items(self) -> Any:
        return self._modules.items()

    def pop(self, key: str) -> Module:
        m = self._modules[key]
        self._forget(key)
        return m

    def clear(self) -> None:
        for key in list(self._modules):
            self._forget(key)

    def update(self, modules: Mapping[str, Module] | Iterable) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, m in pairs:
            self[key] = m


def _parameter(value: Any) -> Any:
    """A plain Tensor becomes a Parameter (as PyTorch's ParameterList/Dict); others stay."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value._data, requires_grad=value.requires_grad)
    return value


class ParameterList(Module):
    """A list of parameters registered as "0", "1", ...; Tensors are made Parameters."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _set(self, name: str, value: Any) -> None:
        value = _parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
        else:
            self._forget(name)
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return sum(1 for k in self.__dict__ if k.isdigit())

    def __getitem__(self, idx: int | slice) -> Any:
        items = [getattr(self, str(i)) for i in range(len(self))]
        if isinstance(idx, slice):
            return ParameterList(items[idx])
        return items[_index("ParameterList", idx, len(items))]

    def __setitem__(self, idx: int, value: Any) -> None:
        self._set(str(_index("ParameterList", idx, len(self))), value)

    def __iter__(self) -> Iterator[Any]:
        return (getattr(self, str(i)) for i in range(len(self)))

    def append(self, value: Any) -> ParameterList:
        self._set(str(len(self)), value)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_describe(p)}" for i, p in enumerate(self))


class ParameterDict(Module):
    """An ordered dict of parameters registered under their keys; Tensors become Parameters."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "_keys", [])
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._keys:
            self._keys.append(key)
        value = _parameter(value)
        if isinstance(value, Parameter):
            self.register_parameter(key, value)
        else:
            self._forget(key)
            object.__setattr__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self._keys.remove(key)
        self._forget(key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def keys(self) -> list:
        return list(self._keys)

    def values(self) -> list:
        return [self[k] for k in self._keys]

    def items(self) -> list:
        return [(k, self[k]) for k in self._keys]

    def pop(self, key: str) -> Any:
        v = self[key]
        del self[key]
        return v

    def update(self, parameters: Mapping[str, Any] | Iterable) -> None:
        pairs = parameters.items() if isinstance(parameters, Mapping) else parameters
        for k, v in pairs:
            self[k] = v

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(p, _TYPE_NAMES)}" for k, p in self.items())


def _describe(p: Any, names: dict | None = None) -> str:
    """PyTorch's one-line description of a ParameterList entry (ParameterDict names the
    dtype by its tensor type, `names`)."""
    if isinstance(p, Tensor):
        kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
        dims = "x".join(str(s) for s in p.shape)
        dtype = (names or _TORCH_NAMES).get(str(p.dtype), str(p.dtype))
        return f"{kind} containing: [{dtype} of size {dims}]"
    return f"Object of type: {type(p).__name__}"


_TORCH_NAMES = {"float32": "torch.float32", "float64": "torch.float64",
                "float16": "torch.float16"}
_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
               "float16": "torch.HalfTensor"}
