"""Shape and indexing primitives: reshape, permute, expand, x[index], x[index] = v, the
write through a view (CopySlices), the scatter that is indexing's adjoint, cat, flip, roll,
tile and repeat_interleave. Each rule sends the gradient back to where its values came from:
the shape or order undone, or scattered to the indexed places, where repeats add up."""

from __future__ import annotations

import numpy as np

from .function import Function

# A view's rule reads nothing, but its output shares the input's memory; declaring the output
# saved makes the backward pass refuse a view whose memory was changed in place since.
VIEW = ("out",)


class Reshape(Function):
    """y = x with a new shape;  the gradient takes x's shape back"""

    __slots__ = ("shape",)
    saves = VIEW

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, grad, out, x):
        return grad.reshape(x.shape)


class Permute(Function):
    """y = x with its axes reordered by `dims`;  the gradient undoes the permutation"""

    __slots__ = ("dims",)
    saves = VIEW

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, grad, out, x):
        return np.transpose(grad, tuple(np.argsort(self.dims)))


class Expand(Function):
    """y = x broadcast to `shape`;  the engine sums the gradient back to x's shape"""

    __slots__ = ("shape",)
    saves = VIEW

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, grad, out, x):
        return grad


class Split:
    """An index that PyTorch applies in two steps: its ints first (`ints`, basic indexing,
    a view), then the rest (`rest`). So an int never counts as an advanced index, as it does
    in numpy: for x of shape (2, 3, 4), x[0, :, [0, 1]] is (3, 2) in PyTorch, (2, 3) in numpy."""

    __slots__ = ("ints", "rest")

    def __init__(self, ints: tuple, rest: tuple):
        self.ints, self.rest = ints, rest


def select(a, index):
    """a[index] (an ndarray or a Tensor)."""
    if type(index) is Split:
        return a[index.ints][index.rest]
    return a[index]


def place(a: np.ndarray, index) -> tuple:
    """(view, index) such that writing view[index] writes a[index]."""
    if type(index) is Split:
        return a[index.ints], index.rest
    return a, index


def index_arrays(index) -> tuple:
    """The arrays inside an index."""
    if type(index) is Split:
        index = index.rest
    items = index if isinstance(index, tuple) else (index,)
    return tuple(i for i in items if isinstance(i, np.ndarray))


class _Indexed:
    """Mixin of the nodes that keep an index: its arrays are checked for in-place changes."""

    __slots__ = ()

    @property
    def kept(self) -> tuple:
        return index_arrays(self.index)


class GetItem(_Indexed, Function):
    """y = x[index];  ∂L/∂x is zero except at the indexed places, where repeats add up"""

    __slots__ = ("index",)
    saves = VIEW

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        return select(x, self.index)

    def backward(self, grad, out, x):
        return scatter_add(grad, self.index, x.shape)


class _Overwrite(Function):
    """z = x with a region of x replaced by v;  ∂z/∂x = 1 outside the region, 0 inside,
    ∂L/∂v = ∂L/∂z over the region (summed over the places v was broadcast to).
    A subclass says what the region is: `assign(a, v)` writes v into a's region, and
    `region(a)` reads it."""

    __slots__ = ()
    saves = ()

    def forward(self, x, v):
        out = x.copy(order="K")  # x's layout, so that views of the region stay views
        self.assign(out, v)
        return out

    def backward(self, grad, out, x, v):
        need_x, need_v = self.needs_input_grad
        gx = None
        if need_x:
            kept = np.ones(x.shape, dtype=bool)
            self.assign(kept, False)
            gx = grad * kept
        return gx, (self.region(grad) if need_v else None)


class SetItem(_Indexed, _Overwrite):
    """z = x with z[index] = v (see _Overwrite)"""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def assign(self, a, v):
        view, index = place(a, self.index)
        view[index] = v

    def region(self, a):
        return select(a, self.index)


class CopySlices(_Overwrite):
    """z = x with the region view(x) replaced by v (see _Overwrite), where `view` is a chain
    of view operations: how an in-place change of a view of x changes x, as PyTorch's
    CopySlices"""

    __slots__ = ("chain",)

    def __init__(self, chain):
        self.chain = chain

    def assign(self, a, v):
        view_of(a, self.chain)[...] = v

    def region(self, a):
        return view_of(a, self.chain)


VIEWS = (Reshape, Permute, GetItem)  # the writable views: their slots are their arguments


def view_of(a, chain):
    """`a` seen through the view operations `chain`, recorded when `a` is a Tensor."""
    for fn in chain:
        if isinstance(a, np.ndarray):
            a = fn.forward(a)
        else:
            a = a.apply_op(type(fn)(*(getattr(fn, s) for s in type(fn).__slots__)))
    return a


class ScatterAdd(_Indexed, Function):
    """y = zeros(shape) with g added at `index` (the adjoint of x[index]);  ∂L/∂g = ∂L/∂y[index]"""

    __slots__ = ("index", "shape")
    saves = ()

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        view, index = place(out, self.index)
        if _has_integer_array(index):
            np.add.at(view, index, g)  # repeated indices accumulate
        else:
            view[index] = g  # slices and masks touch each place at most once
        return out

    def backward(self, grad, out, g):
        return select(grad, self.index)


def scatter_add(grad, index, shape):
    """zeros(shape) with `grad` added at `index`, recorded when `grad` is a Tensor."""
    return run(ScatterAdd(index, shape), grad)


def run(op: Function, a):
    """`op` applied to `a` inside a rule: its forward on an ndarray, recorded on a Tensor."""
    return op.forward(a) if isinstance(a, (np.ndarray, np.generic)) else a.apply_op(op)


def _has_integer_array(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in items)


class Cat(Function):
    """y = [x₁, x₂, …] joined along `dim`;  each xᵢ gets its own slice of the gradient"""

    __slots__ = ("dim",)
    saves = ()

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.dim)

    def backward(self, grad, out, *xs):
        lead = (slice(None),) * self.dim
        grads, start = [], 0
        for x in xs:
            stop = start + x.shape[self.dim]
            grads.append(grad[lead + (slice(start, stop),)])
            start = stop
        return tuple(grads)


class Roll(Function):
    """y = x with its elements moved `shifts` places along `dims` (the flattened x when dims
    is None), wrapping around;  the gradient is rolled back by −shifts"""

    __slots__ = ("shifts", "dims")
    saves = ()

    def __init__(self, shifts, dims):
        self.shifts, self.dims = shifts, dims

    def forward(self, x):
        return np.roll(x, self.shifts, self.dims)

    def backward(self, grad, out, x):
        back = -self.shifts if self.dims is None else tuple(-s for s in self.shifts)
        return run(Roll(back, self.dims), grad)


class Flip(Function):
    """y = x with the order of its elements reversed along `dims` (a copy, as PyTorch's);
    the gradient is flipped back"""

    __slots__ = ("dims",)
    saves = ()

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return np.flip(x, self.dims).copy()

    def backward(self, grad, out, x):
        return run(Flip(self.dims), grad)


class Tile(Function):
    """y = x repeated `reps[i]` times along each dim i (x's shape first padded with leading
    1s to len(reps) dims): y[..., bᵢnᵢ + jᵢ, ...] = x[..., jᵢ, ...];  ∂L/∂x is the sum of
    the gradient's blocks"""

    __slots__ = ("reps",)
    saves = ()

    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        return np.tile(x, self.reps)

    def backward(self, grad, out, x):
        shape = (1,) * (len(self.reps) - len(x.shape)) + tuple(x.shape)
        blocks = tuple(n for rn in zip(self.reps, shape) for n in rn)  # (r₀, n₀, r₁, n₁, …)
        return grad.reshape(blocks).sum(tuple(range(0, len(blocks), 2))).reshape(x.shape)


class RepeatInterleave(Function):
    """y = x with each element along `dim` repeated `repeats` times in place:
    y[..., r·j + k, ...] = x[..., j, ...];  ∂L/∂x sums the gradient over each run of copies"""

    __slots__ = ("repeats", "dim")
    saves = ()

    def __init__(self, repeats, dim):
        self.repeats, self.dim = repeats, dim

    def forward(self, x):
        return np.repeat(x, self.repeats, self.dim)

    def backward(self, grad, out, x):
        d = self.dim
        runs = tuple(x.shape[:d]) + (x.shape[d], self.repeats) + tuple(x.shape[d + 1:])
        return grad.reshape(runs).sum(d + 1)
