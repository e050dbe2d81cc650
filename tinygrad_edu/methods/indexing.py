"""Indexing of tensors (the `Indexing` mixin of `Tensor`): t[index], narrow, split, chunk,
unbind, gather, scatter, scatter_add, index_select, masked_select, masked_fill and
take_along_dim, each composed from indexing's primitives (GetItem, SetItem, ScatterAdd)
and `where`, whose rules give the gradients: a gather's is the scatter-add of the gradient,
a scatter's passes to x outside the scattered places and is gathered for src."""

from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..arguments import RuntimeTypeError, RuntimeValueError, describe
from ..recording import apply, apply1, as_tensor, cast, method_function
from ..tensor_base import TensorBase
from .shape import as_index, one_axis


class Indexing:
    """Reading and writing parts of a tensor chosen by positions, slices or masks."""

    __slots__ = ()

    def __getitem__(self, index):
        return apply1(ops.GetItem(as_index(index)), self)

    def narrow(self, dim: int, start, length: int):
        """The `length` elements from `start` along `dim` (a view)."""
        if self.ndim == 0:
            raise RuntimeValueError("narrow: cannot narrow a 0-d tensor")
        d = one_axis("narrow", dim, self.ndim)
        n = self.shape[d]
        start = int(start) if isinstance(start, TensorBase) and start.ndim == 0 else start
        for name, v in (("start", start), ("length", length)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"narrow: {name} must be an int, got {describe(v)}")
        if not -n <= start <= n:
            raise IndexError(f"narrow: start {start} is out of range for dim {dim} of size {n}")
        start %= max(n, 1)
        if length < 0 or start + length > n:
            raise RuntimeValueError(f"narrow: start {start} + length {length} does not fit in dim "
                                    f"{dim} of size {n}")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def split(self, split_size, dim: int = 0):
        """Pieces along `dim` (views): of `split_size` each (the last one shorter), or of
        the sizes in a list, which must add up to the dim's size."""
        d = one_axis("split", dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size, (list, tuple)):
            sizes = [_count("split", "split sizes", s) for s in split_size]
            if sum(sizes) != n:
                raise RuntimeValueError(f"split: sizes {list(split_size)} must add up to {n}, the "
                                        f"size of dim {dim}")
        else:
            size = _count("split", "split_size", split_size)
            if size == 0 and n:
                raise RuntimeValueError(f"split: split_size can be 0 only for an empty dim, got "
                                        f"size {n}")
            sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
        starts = np.cumsum([0, *sizes])
        return tuple(self[(slice(None),) * d + (slice(a, b),)]
                     for a, b in zip(starts[:-1].tolist(), starts[1:].tolist()))

    def chunk(self, chunks: int, dim: int = 0):
        """At most `chunks` pieces along `dim`, each ⌈n / chunks⌉ long but the last."""
        chunks = _count("chunk", "chunks", chunks)
        if chunks == 0:
            raise RuntimeValueError("chunk: chunks must be positive, got 0")
        d = one_axis("chunk", dim, self.ndim)
        n = self.shape[d]
        return self.split(math.ceil(n / chunks) if n else [0] * chunks, dim)

    def unbind(self, dim: int = 0):
        """The slices along `dim`, that dim removed: x[i] for each i, as a tuple."""
        d = one_axis("unbind", dim, self.ndim)
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def gather(self, dim: int, index, *, sparse_grad: bool = False):
        """y[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (likewise for the others): y has
        index's shape; the gradient is scattered back, repeats adding up."""
        x, idx, d = _flat_0d(self, index, dim, "gather")
        out = apply(ops.GetItem(_places("gather", x.shape, d, idx)), x)
        return out.reshape(np.shape(index_array("gather", index))) if x is not self else out

    def scatter(self, dim: int, index, src=None, *, value=None, reduce=None):
        """A copy of x with x[index[i][j][k]][j][k] = src[i][j][k] for dim 0 (likewise for
        the others); src may be a number. The gradient passes to x where nothing was written,
        and to src gathered from the written places."""
        if reduce is not None:
            raise ValueError(f"scatter: reduce={reduce!r} is not supported; use scatter_add "
                             "for 'add'")
        src = value if src is None else src
        if src is None:
            raise TypeError("scatter: needs src (a tensor) or value (a number)")
        return apply(ops.SetItem(_scattered("scatter", self, dim, index, src)), self,
                     _fitted("scatter", self, index, src))

    def scatter_add(self, dim: int, index, src):
        """x with src[i][j][k] added to x[index[i][j][k]][j][k] for dim 0 (likewise for the
        others), repeats adding up; src's gradient is gathered from those places."""
        if not isinstance(src, TensorBase):
            raise TypeError(f"scatter_add: src must be a tensor, got {describe(src)}")
        places = _scattered("scatter_add", self, dim, index, src)
        return self + ops.run(ops.ScatterAdd(places, self.shape),
                              _fitted("scatter_add", self, index, src))

    def index_select(self, dim: int, index):
        """The entries at the positions `index` (a 1-D int tensor) along `dim`; the gradient
        is added back at those positions (index_add)."""
        idx = index_array("index_select", index)
        if idx.ndim > 1:
            raise IndexError(f"index_select: index must be a vector, got shape {idx.shape}")
        x, idx, d = _flat_0d(self, idx.reshape(-1), dim, "index_select")
        _in_bounds("index_select", idx, x.shape[d], d)
        out = apply(ops.GetItem((slice(None),) * d + (idx,)), x)
        return out.reshape(()) if x is not self else out

    def masked_select(self, mask):
        """The entries where `mask` (broadcast with x) is true, as a 1-D tensor."""
        m = _mask("masked_select", mask)
        shape = _broadcast("masked_select", self.shape, m.shape)
        if m.shape != shape:
            m = np.broadcast_to(m, shape).copy()
        return apply(ops.GetItem(m), self.expand(shape))

    def masked_fill(self, mask, value):
        """x with `value` (a number or a 0-d tensor, in x's dtype) where `mask` is true: the
        gradient passes to x where mask is false, and its sum where true to value."""
        m = _mask("masked_fill", mask)
        _broadcast("masked_fill", self.shape, m.shape)
        if isinstance(value, TensorBase):
            if value.ndim:
                raise RuntimeValueError(f"masked_fill: value must be a number or a 0-d tensor, got "
                                        f"{describe(value)}")
            value = cast(value, self.dtype)
        elif isinstance(value, (int, float, np.number)):  # bool is an int
            value = np.asarray(value).astype(self.dtype)
        else:
            raise TypeError(f"masked_fill: value must be a number or a 0-d tensor, got "
                            f"{describe(value)}")
        return apply(ops.Where(), m, value, self)

    def take_along_dim(self, indices, dim=None):
        """gather along `dim` with x and indices broadcast against each other but along dim
        (negative indices count from the end); with dim None, of the flattened tensors."""
        idx = index_array("take_along_dim", indices)
        if dim is None:
            x, d = self.reshape(-1), 0
            idx = idx.reshape(-1)
        else:
            if idx.ndim != self.ndim:
                raise RuntimeValueError(f"take_along_dim: indices of shape {idx.shape} and a "
                                        f"tensor of shape {self.shape} must have as many dims")
            x, d = self, one_axis("take_along_dim", dim, self.ndim)
            others = [1 if i == d else n for i, n in enumerate(self.shape)]
            shape = _broadcast("take_along_dim", tuple(others),
                               tuple(1 if i == d else n for i, n in enumerate(idx.shape)))
            x = x.expand(shape[:d] + (self.shape[d],) + shape[d + 1:])
            idx = np.broadcast_to(idx, shape[:d] + (idx.shape[d],) + shape[d + 1:])
        n = x.shape[d]
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise RuntimeValueError(f"take_along_dim: an index is out of range for dim {d} of "
                                    f"size {n}")
        return apply(ops.GetItem(_places("take_along_dim", x.shape, d, idx % max(n, 1))), x)


def index_array(op: str, index) -> np.ndarray:
    """The ints of an index tensor (or array)."""
    idx = index.numpy() if isinstance(index, TensorBase) else index
    if not isinstance(idx, np.ndarray) or idx.dtype.kind not in "iu":
        raise RuntimeTypeError(f"{op}: index must be a tensor of ints, got {describe(index)}")
    return idx


def _count(op: str, name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {describe(n)}")
    if not 0 <= n <= np.iinfo(np.intp).max:
        raise RuntimeValueError(f"{op}: {name} must be a non-negative size, got {n}")
    return int(n)


def _flat_0d(x, index, dim, op: str) -> tuple:
    """(x, index array, axis), a 0-d x and index seen as 1-D (PyTorch accepts them)."""
    idx = index_array(op, index)
    if x.ndim == 0:
        one_axis(op, dim, 1)  # dims 0 and -1
        if idx.size != 1:
            raise RuntimeValueError(f"{op}: a 0-d tensor takes one index, got shape {idx.shape}")
        return x.reshape(1), idx.reshape(1), 0
    return x, idx, one_axis(op, dim, x.ndim)


def _in_bounds(op: str, idx: np.ndarray, n: int, d: int) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise RuntimeValueError(f"{op}: index {bad} is out of bounds for dim {d} with size {n}")


def _places(op: str, shape: tuple, d: int, idx: np.ndarray) -> tuple:
    """The index tuple of the places idx names along axis d: idx there, and along every other
    axis i the position itself (an arange shaped to broadcast), checked against `shape`."""
    if idx.ndim != len(shape):
        raise RuntimeValueError(f"{op}: index of shape {idx.shape} must have as many dims as the "
                                f"tensor of shape {shape}")
    if any(k > n for i, (k, n) in enumerate(zip(idx.shape, shape)) if i != d):
        raise RuntimeValueError(f"{op}: index of shape {idx.shape} is larger than the tensor of "
                                f"shape {shape} apart from dim {d}")
    _in_bounds(op, idx, shape[d], d)
    ndim = len(shape)
    return tuple(idx if i == d else np.arange(k).reshape([k if j == i else 1
                                                           for j in range(ndim)])
                 for i, k in enumerate(idx.shape))


def _scattered(op: str, x, dim, index, src) -> tuple:
    """The places scatter writes, once index is checked against x and src."""
    if x.ndim == 0:
        raise RuntimeValueError(f"{op}: cannot scatter into a 0-d tensor")
    idx = index_array(op, index)
    d = one_axis(op, dim, x.ndim)
    if isinstance(src, TensorBase):
        if src.dtype != x.dtype:
            raise RuntimeTypeError(f"{op}: src of dtype {src.dtype} must have the dtype "
                                   f"{x.dtype} of the tensor")
        if src.ndim != idx.ndim or any(k > n for k, n in zip(idx.shape, src.shape)):
            raise RuntimeValueError(f"{op}: index of shape {idx.shape} must have src's number of "
                                    f"dims and be no larger than src, of shape {src.shape}")
    return _places(op, x.shape, d, idx)


def _fitted(op: str, x, index, src):
    """src cut to index's shape (its leading part), or a number in x's dtype."""
    if not isinstance(src, TensorBase):
        if isinstance(src, bool) or not isinstance(src, (int, float, np.number)):
            raise TypeError(f"{op}: src must be a tensor or a number, got {describe(src)}")
        return np.asarray(src).astype(x.dtype)
    shape = np.shape(index_array(op, index))
    return src if src.shape == shape else src[tuple(slice(0, k) for k in shape)]


def _mask(op: str, mask) -> np.ndarray:
    m = mask.numpy() if isinstance(mask, TensorBase) else mask
    if not isinstance(m, np.ndarray) or m.dtype != np.bool_:
        raise RuntimeTypeError(f"{op}: mask must be a bool tensor, got {describe(mask)}")
    return m


def _broadcast(op: str, a: tuple, b: tuple) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise RuntimeValueError(f"{op}: shapes {a} and {b} do not broadcast") from None


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """tensor.split(split_size_or_sections, dim)."""
    return as_tensor(tensor, "split").split(split_size_or_sections, dim)


# the methods of this family that PyTorch also has as functions tg.<name>(x, ...)
FUNCTIONS = ("narrow", "chunk", "unbind", "gather", "scatter", "scatter_add", "index_select",
             "masked_select", "masked_fill", "take_along_dim")
for _name in FUNCTIONS:
    globals()[_name] = method_function(_name)
del _name

# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = [*FUNCTIONS, "split"]
