"""Shape of tensors (the `ShapeOps` mixin of `Tensor`): reshape, flatten, permute, transpose,
squeeze, expand, repeat, flip, roll, ...; the functions `tg.cat`, `tg.stack`, `tg.hstack`,
... and `tg.<name>(x, ...)` for the methods PyTorch also has as functions (`FUNCTIONS`);
`as_index`, an index as PyTorch reads it (for t[index] and t[index] = v)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import arguments, dtypes, ops
from ..arguments import RuntimeValueError, describe, shape_arg
from ..recording import apply, apply1, as_tensor, cast, method_function
from ..tensor_base import TensorBase


class ShapeOps:
    """Views and copies that move values: reshape, permute, expand, repeat, flip, roll."""

    __slots__ = ()

    def reshape(self, *shape):
        """The same values in `shape` (`reshape(2, 3)` or `reshape((2, 3))`; one -1 is
        inferred). A view when numpy can make one, else a copy."""
        shape = shape_arg("reshape", shape)
        if shape == self.shape:
            return self
        return apply1(ops.Reshape(shape), self)

    # PyTorch's view refuses a tensor whose strides do not allow one; here it is reshape
    view = reshape

    def view_as(self, other):
        """reshape(other.shape)."""
        return self.reshape(_shape_of("view_as", other))

    def reshape_as(self, other):
        """reshape(other.shape)."""
        return self.reshape(_shape_of("reshape_as", other))

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge dimensions start_dim..end_dim into one."""
        start, end = arguments.dims("flatten", (start_dim, end_dim), self.ndim, unique=False)
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise RuntimeValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        merged = math.prod(shape[start:end + 1])
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def unflatten(self, dim: int, sizes):
        """Split dimension `dim` into `sizes` (one of them may be -1)."""
        if self.ndim == 0:
            raise RuntimeValueError("unflatten: a 0-d tensor has no dim to unflatten")
        d = one_axis("unflatten", dim, self.ndim)
        sizes = shape_arg("unflatten", (sizes,))
        n = self.shape[d]
        if sizes.count(-1) > 1:
            raise RuntimeValueError(f"unflatten: only one size can be -1, got {sizes}")
        known = math.prod(s for s in sizes if s != -1)
        if (n != known) if -1 not in sizes else (known == 0 or n % known):
            raise RuntimeValueError(f"unflatten: sizes {sizes} do not multiply up to the size "
                                    f"{n} of dim {dim} of a tensor of shape {self.shape}")
        sizes = tuple(n // known if s == -1 else s for s in sizes)  # -1 from dim d's own size
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def permute(self, *dims):
        """The dimensions in the order `dims` (`permute(1, 0)` or `permute((1, 0))`)."""
        dims = shape_arg("permute", dims)
        axes = arguments.dims("permute", dims, self.ndim)
        if len(axes) != self.ndim:
            raise RuntimeValueError(
                f"permute: expected {self.ndim} dims for a tensor of shape {self.shape}, "
                f"got {dims}"
            )
        return apply1(ops.Permute(axes), self)

    def transpose(self, dim0: int, dim1: int):
        """Swap two dimensions."""
        d0, d1 = arguments.dims("transpose", (dim0, dim1), self.ndim, unique=False)
        axes = list(range(self.ndim))
        if axes:  # a 0-d tensor accepts dims 0 and -1 and has nothing to swap
            axes[d0], axes[d1] = d1, d0
        return apply1(ops.Permute(tuple(axes)), self)

    swapaxes = swapdims = transpose

    def movedim(self, source, destination):
        """Move the dims `source` (an int or a tuple) to the places `destination`, the others
        keeping their order."""
        src = arguments.dims("movedim", source, self.ndim)
        dst = arguments.dims("movedim", destination, self.ndim)
        if len(src) != len(dst):
            raise RuntimeValueError(f"movedim: source {source} and destination {destination} must "
                                    "name as many dims")
        if not self.ndim:
            return self
        rest = iter(d for d in range(self.ndim) if d not in src)
        moved = dict(zip(dst, src))
        return self.permute(tuple(moved[i] if i in moved else next(rest)
                                  for i in range(self.ndim)))

    def t(self):
        """The transpose of a 2-D tensor; a 0-d or 1-D tensor as it is."""
        if self.ndim > 2:
            raise RuntimeValueError(f"t: expects a tensor with at most 2 dims, got shape "
                                    f"{self.shape}; use transpose(dim0, dim1) or mT")
        return self.transpose(0, 1) if self.ndim == 2 else self

    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for a 2-D tensor)."""
        return apply1(ops.Permute(tuple(range(self.ndim))[::-1]), self)

    def unsqueeze(self, dim: int):
        """Insert a size-1 dimension at `dim` (in [-ndim-1, ndim])."""
        (d,) = arguments.dim("unsqueeze", dim, self.ndim, new_axis=True)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim=None):
        """Remove size-1 dimensions (only those in `dim`, an int or a tuple, when given)."""
        axes = range(self.ndim) if dim is None else arguments.dims("squeeze", dim, self.ndim)
        drop = {d for d in axes if d < self.ndim and self.shape[d] == 1}  # 0-d accepts dim 0
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in drop))

    def expand(self, *shape):
        """Broadcast to `shape` (-1 keeps a size) without copying."""
        shape = shape_arg("expand", shape)
        lead = len(shape) - self.ndim
        if lead < 0 or -1 in shape[:lead]:
            raise RuntimeValueError(f"expand: cannot expand shape {self.shape} to {shape}")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                      for i, n in enumerate(shape))
        if shape == self.shape:
            return self
        return apply1(ops.Expand(shape), self)

    def expand_as(self, other):
        """expand(other.shape)."""
        return self.expand(_shape_of("expand_as", other))

    def repeat(self, *sizes):
        """x tiled `sizes[i]` times along each dim i (len(sizes) ≥ ndim; x gains leading
        dims for the extra sizes); the gradient sums the blocks. A copy."""
        if not sizes:
            raise TypeError("repeat: missing the repeat sizes")
        sizes = shape_arg("repeat", sizes)
        if len(sizes) < self.ndim:
            raise RuntimeValueError(f"repeat: needs at least {self.ndim} sizes for a tensor of "
                                    f"shape {self.shape}, got {sizes}")
        if any(n < 0 for n in sizes):
            raise RuntimeValueError(f"repeat: sizes must be non-negative, got {sizes}")
        return apply(ops.Tile(sizes), self)

    def tile(self, *dims):
        """repeat(dims), with dims first padded with leading 1s to x's number of dims."""
        dims = shape_arg("tile", dims)
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """Each element repeated `repeats` times in place along `dim` (along the flattened x
        when None): `repeats` an int, or a tensor of one count per element."""
        x = self.flatten() if dim is None else self
        d = 0 if dim is None else one_axis("repeat_interleave", dim, self.ndim)
        counts = repeat_counts(repeats, x.shape[d])
        if isinstance(counts, int):
            out = apply(ops.RepeatInterleave(counts, d), x)
        else:  # each position taken as often as its count: the gradient adds them up
            out = x[(slice(None),) * d + (np.repeat(np.arange(x.shape[d]), counts),)]
        if output_size is not None and out.shape[d] != output_size:
            raise RuntimeValueError(f"repeat_interleave: output_size {output_size} given, but the "
                                    f"result has {out.shape[d]} along dim {d}")
        return out

    def flip(self, *dims):
        """The order of the elements reversed along `dims` (`flip(0, 1)` or `flip((0, 1))`);
        a copy, as in PyTorch."""
        if not dims:
            raise TypeError("flip: missing the dims to flip")
        dims = shape_arg("flip", dims)
        axes = arguments.dims("flip", dims, self.ndim)
        return apply(ops.Flip(axes if self.ndim else ()), self)

    def fliplr(self):
        """flip(1), for at least 2 dims."""
        if self.ndim < 2:
            raise RuntimeValueError(f"fliplr: needs at least 2 dims, got shape {self.shape}")
        return self.flip(1)

    def flipud(self):
        """flip(0), for at least 1 dim."""
        if self.ndim < 1:
            raise RuntimeValueError("flipud: needs at least 1 dim, got a 0-d tensor")
        return self.flip(0)

    def roll(self, shifts, dims=None):
        """The elements moved `shifts` places along `dims`, wrapping around (with dims None,
        along the flattened tensor, keeping the shape)."""
        many = isinstance(shifts, (tuple, list))
        steps = shape_arg("roll", tuple(shifts) if many else (shifts,))
        if dims is None:
            if len(steps) != 1:
                raise RuntimeValueError(f"roll: shifts {shifts} needs as many dims, got none")
            return apply(ops.Roll(steps[0], None), self)
        axes = arguments.dims("roll", dims, self.ndim, unique=False)
        if len(axes) != len(steps):
            raise RuntimeValueError(f"roll: shifts {shifts} and dims {dims} must have the same "
                                    "length")
        if not self.ndim:
            return self
        return apply(ops.Roll(steps, axes), self)


def repeat_counts(repeats, n: int):
    """repeat_interleave's `repeats` as a non-negative int, or as an int array of n counts
    (a tensor of one count stands for n of them)."""
    if isinstance(repeats, TensorBase):
        counts = repeats.numpy()
        if counts.dtype.kind not in "iu":
            raise TypeError(f"repeat_interleave: repeats must hold ints, got {describe(repeats)}")
        if counts.ndim > 1:
            raise RuntimeValueError(f"repeat_interleave: repeats must be 0-d or 1-D, got shape "
                                    f"{counts.shape}")
        counts = counts.reshape(-1)
        if counts.size == 1 and n != 1:
            repeats = int(counts.reshape(()))
        else:
            if counts.shape != (n,):
                raise RuntimeValueError(f"repeat_interleave: repeats has {counts.size} counts "
                                        f"for a dim of size {n}")
            if (counts < 0).any():
                raise RuntimeValueError("repeat_interleave: repeats must be non-negative")
            return counts
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)):
        raise TypeError(f"repeat_interleave: repeats must be an int or a tensor of ints, got "
                        f"{describe(repeats)}")
    count = int(repeats)
    if count < 0:
        raise RuntimeValueError(f"repeat_interleave: repeats must be non-negative, got {count}")
    return count


def _shape_of(op: str, other) -> tuple:
    if not isinstance(other, TensorBase):
        raise TypeError(f"{op}: expected a tensor, got {describe(other)}")
    return other.shape


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> TensorBase:
    """input.repeat_interleave(repeats, dim); alone, a tensor of counts c gives
    [0]·c₀ + [1]·c₁ + … (the indices that repeat each position c times)."""
    x = as_tensor(input, "repeat_interleave")
    if repeats is None:
        counts = repeat_counts(x, x.numel() if x.ndim else 1)
        return as_tensor(np.repeat(np.arange(len(np.atleast_1d(counts))), counts),
                         "repeat_interleave")
    return x.repeat_interleave(repeats, dim, output_size=output_size)


def one_axis(op: str, dim, ndim: int) -> int:
    """The axis of one dim, refusing a 0-d tensor, which has none (unflatten, unbind, ...)."""
    axes = arguments.dim(op, dim, ndim)
    if not axes:
        raise IndexError(f"{op}: dim {dim} given, but a 0-d tensor has no dimensions")
    return axes[0]



def cat(tensors, dim: int = 0, *, axis=None) -> TensorBase:
    """Join tensors along an existing dimension (numpy's `axis=` accepted as an alias)."""
    ts = _tensor_list("cat", tensors)
    dim = dim if axis is None else axis
    if ts[0].ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    (axis,) = arguments.dim("cat", dim, ts[0].ndim)
    return apply(ops.Cat(axis), *ts)


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, axis=None) -> TensorBase:
    """Join same-shaped tensors along a new dimension."""
    ts = _tensor_list("stack", tensors)
    dim = dim if axis is None else axis
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise RuntimeValueError(f"stack: all tensors must have the same shape, got "
                                f"{sorted(shapes)}")
    (axis,) = arguments.dim("stack", dim, ts[0].ndim, new_axis=True)
    return apply(ops.Cat(axis), *(t.unsqueeze(axis) for t in ts))


def hstack(tensors) -> TensorBase:
    """Join along dim 1, or dim 0 for 1-D tensors (0-d ones count as 1-D)."""
    ts = [t.reshape(1) if t.ndim == 0 else t for t in _tensor_list("hstack", tensors)]
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors) -> TensorBase:
    """Join along dim 0, 0-d and 1-D tensors first made rows (1, n)."""
    ts = _tensor_list("vstack", tensors)
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in ts], 0)


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


# the methods of this family that PyTorch also has as functions tg.<name>(x, ...)
FUNCTIONS = ("reshape", "flatten", "unflatten", "permute", "transpose", "swapaxes", "swapdims",
             "movedim", "t", "unsqueeze", "squeeze", "tile", "flip", "fliplr", "flipud", "roll")
for _name in FUNCTIONS:
    globals()[_name] = method_function(_name)
del _name

# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = [*FUNCTIONS, "repeat_interleave", "cat", "concat", "concatenate", "stack", "hstack",
           "vstack"]
