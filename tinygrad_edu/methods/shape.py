"""Shape and indexing of tensors (the `ShapeOps` mixin of `Tensor`): reshape, flatten,
permute, transpose, squeeze, expand, t[index]; and the functions `tg.cat`, `tg.stack`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import arguments, dtypes, ops
from ..arguments import describe, shape_arg
from ..recording import apply, as_tensor, cast
from ..tensor_base import TensorBase


class ShapeOps:
    """Views and copies that move values: reshape, permute, expand, indexing."""

    __slots__ = ()

    def reshape(self, *shape):
        shape = shape_arg("reshape", shape)
        if shape == self.shape:
            return self
        return apply(ops.Reshape(shape), self)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge dimensions start_dim..end_dim into one."""
        start, end = arguments.dims("flatten", (start_dim, end_dim), self.ndim, unique=False)
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        merged = math.prod(shape[start:end + 1])
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def permute(self, *dims):
        dims = shape_arg("permute", dims)
        axes = arguments.dims("permute", dims, self.ndim)
        if len(axes) != self.ndim:
            raise ValueError(
                f"permute: expected {self.ndim} dims for a tensor of shape {self.shape}, "
                f"got {dims}"
            )
        return apply(ops.Permute(axes), self)

    def transpose(self, dim0: int, dim1: int):
        """Swap two dimensions."""
        d0, d1 = arguments.dims("transpose", (dim0, dim1), self.ndim, unique=False)
        axes = list(range(self.ndim))
        if axes:  # a 0-d tensor accepts dims 0 and -1 and has nothing to swap
            axes[d0], axes[d1] = d1, d0
        return apply(ops.Permute(tuple(axes)), self)

    swapaxes = transpose

    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for a 2-D tensor)."""
        return apply(ops.Permute(tuple(range(self.ndim))[::-1]), self)

    def unsqueeze(self, dim: int):
        """Insert a size-1 dimension at `dim` (in [-ndim-1, ndim])."""
        (d,) = arguments.dim("unsqueeze", dim, self.ndim, new_axis=True)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim=None):
        """Remove size-1 dimensions (only those in `dim`, when given)."""
        axes = range(self.ndim) if dim is None else arguments.dims("squeeze", dim, self.ndim)
        drop = {d for d in axes if d < self.ndim and self.shape[d] == 1}  # 0-d accepts dim 0
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in drop))

    def expand(self, *shape):
        """Broadcast to `shape` (-1 keeps a size) without copying."""
        shape = shape_arg("expand", shape)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand shape {self.shape} to {shape}")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                      for i, n in enumerate(shape))
        if shape == self.shape:
            return self
        return apply(ops.Expand(shape), self)

    def __getitem__(self, index):
        return apply(ops.GetItem(as_index(index)), self)


def cat(tensors, dim: int = 0) -> TensorBase:
    """Join tensors along an existing dimension."""
    ts = _tensor_list("cat", tensors)
    if ts[0].ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    (axis,) = arguments.dim("cat", dim, ts[0].ndim)
    return apply(ops.Cat(axis), *ts)


def stack(tensors, dim: int = 0) -> TensorBase:
    """Join same-shaped tensors along a new dimension."""
    ts = _tensor_list("stack", tensors)
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    (axis,) = arguments.dim("stack", dim, ts[0].ndim, new_axis=True)
    return apply(ops.Cat(axis), *(t.unsqueeze(axis) for t in ts))


def as_index(index):
    """An index with its Tensors, arrays and lists turned into ndarrays holding ints or bools.

    As in PyTorch, an array or a list is copied, so later changes to it cannot move a
    gradient, while a tensor's array is kept, and the backward pass refuses it if it was
    changed in place since (`ops.Function.kept`). A 0-d int tensor is an int. Ints mixed with
    advanced indices (arrays, bools) make an `ops.Split`: PyTorch's order of dimensions.
    """
    if not isinstance(index, tuple):
        return index if type(index) is ops.Split else _index_item(index)
    items = tuple(_index_item(i) for i in index)
    if not (any(map(_is_int, items)) and any(map(_is_advanced, items))):
        return items
    ints, rest = [], []
    for i in items:
        if _is_int(i):
            ints.append(i)
        elif i is None or _is_advanced(i) and np.ndim(i) == 0:  # bool scalars add a dim
            rest.append(i)
        else:  # a slice, an int array, a mask (over its ndim dims) or the ellipsis
            taken = np.ndim(i) if _is_advanced(i) and i.dtype == np.bool_ else 1
            ints.extend([i] if i is Ellipsis else [slice(None)] * taken)
            rest.append(i)
    if Ellipsis not in ints:
        ints.append(Ellipsis)  # so the first step is a view even when it takes every dim
    return ops.Split(tuple(ints), tuple(rest))


def _is_int(i) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def _is_advanced(i) -> bool:
    return isinstance(i, (np.ndarray, bool, np.bool_))


def _index_item(i):
    if isinstance(i, TensorBase):
        i = i._data
    elif isinstance(i, np.ndarray):
        i = i.copy()
    elif isinstance(i, list):
        try:
            i = np.asarray(i)
        except ValueError as e:
            raise IndexError(f"getitem: a list index must be rectangular ({e})") from None
        if i.size == 0:  # [] selects nothing, as in numpy and PyTorch
            i = i.astype(np.intp)
    if isinstance(i, np.ndarray):
        if i.dtype.kind not in "iub":
            raise IndexError(f"getitem: index arrays must hold ints or bools, got {i.dtype}")
        if i.ndim == 0 and i.dtype.kind != "b":
            return int(i)
    return i


def _tensor_list(op: str, tensors) -> list:
    if isinstance(tensors, (TensorBase, str, bytes)) or not isinstance(tensors, Sequence) \
            or not tensors:
        raise TypeError(f"{op}: expected a non-empty list of tensors, got {describe(tensors)}")
    ts = [as_tensor(t, op) for t in tensors]
    floats = [t.dtype for t in ts if dtypes.is_float(t.dtype)]
    if floats and len(floats) < len(ts):  # PyTorch: int and bool tensors take the float dtype
        d = np.result_type(*floats)
        ts = [t if dtypes.is_float(t.dtype) else cast(t, d) for t in ts]
    return ts
