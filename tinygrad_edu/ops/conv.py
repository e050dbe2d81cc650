"""Convolution and pooling primitives, on inputs (N, C, *spatial) with 1 or 2 spatial axes.

Convolution is one trilinear form, T(x, w, g) = Σ g · conv(x, w), and its three partial
maps are the three primitives here:

    Conv(x, w)        = ∂T/∂g   the layer's output (a cross-correlation, as in PyTorch)
    ConvInput(g, w)   = ∂T/∂x   the transposed convolution: ∂L/∂x of the layer
    ConvWeight(x, g)  = ∂T/∂w   the correlation of x with g: ∂L/∂w of the layer

Each is linear in each argument, so each one's derivatives are the other two: every rule
below is written with these three and nothing else, and differentiates again for ever.

The forward passes use im2col without the copy: `windows` is a strided view (N, C, *P, *K)
of the padded input, one kernel-sized window per output place, and `np.tensordot` (one
BLAS product) contracts it with the weights. The transposed convolution adds each kernel
tap's contribution back with one strided slice per tap (col2im).

Max pooling keeps, like indexing, the flat positions it took its maxima from (`kept`): the
position of a maximum is locally constant in x, so it is no value a second pass needs.
"""

from __future__ import annotations

from itertools import product
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .function import Function


class Geometry(NamedTuple):
    """How a kernel slides: per spatial axis the step, the (before, after) zero padding and
    the spacing of its taps; and the number of channel groups."""

    stride: tuple
    pads: tuple
    dilation: tuple
    groups: int = 1


def pad(x: np.ndarray, pads: tuple, value: float = 0.0) -> np.ndarray:
    """x with its trailing len(pads) axes padded by (before, after) pairs of `value`."""
    if not any(lo or hi for lo, hi in pads):
        return x
    return np.pad(x, ((0, 0),) * (x.ndim - len(pads)) + tuple(pads), constant_values=value)


def windows(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """The view (N, C, *P, *K) of xp (N, C, *L): [..., p, k] = xp[..., p·stride + k·dilation]."""
    d = len(kernel)
    span = tuple(dil * (k - 1) + 1 for k, dil in zip(kernel, dilation))
    view = sliding_window_view(xp, span, axis=tuple(range(2, 2 + d)))
    return view[(slice(None),) * 2 + tuple(slice(None, None, s) for s in stride)
                + tuple(slice(None, None, dil) for dil in dilation)]


def _letters(d: int) -> tuple:
    return "pqr"[:d], "klm"[:d]


def correlate(win: np.ndarray, w: np.ndarray, groups: int) -> np.ndarray:
    """y[n, o, p] = Σ_{c, k} win[n, c, p, k] w[o, c, k] within each group of channels."""
    d = w.ndim - 2
    if groups == 1:
        axes = tuple(range(2 + d, 2 + 2 * d))
        out = np.tensordot(win, w, axes=((1, *axes), (1, *range(2, 2 + d))))
        return np.ascontiguousarray(np.moveaxis(out, -1, 1))
    n, c = win.shape[:2]
    o = w.shape[0]
    p, k = _letters(d)
    out = np.einsum(f"ngc{p}{k},goc{k}->ngo{p}",
                    win.reshape(n, groups, c // groups, *win.shape[2:]),
                    w.reshape(groups, o // groups, *w.shape[1:]), optimize=True)
    return out.reshape(n, o, *out.shape[3:])


def record(op: Function, a, b):
    """op applied to (a, b): computed on ndarrays, recorded when either is a Tensor."""
    a_array, b_array = isinstance(a, np.ndarray), isinstance(b, np.ndarray)
    if a_array and b_array:
        return op.forward(a, b)
    if a_array:  # a constant first operand: a plain tensor of it (never a Parameter)
        a = type(b.detach())(a)
    return a.apply_op(op, b)


class Conv(Function):
    """y[n, o, p] = Σ_{c, k} x̃[n, c, p·s + k·d] w[o, c, k]  (x̃: x zero-padded, c within o's
    group);  ∂L/∂x = ConvInput(g, w),  ∂L/∂w = ConvWeight(x, g)"""

    __slots__ = ("geometry",)
    saves = {"x": "w", "w": "x"}  # and the shape of both

    def __init__(self, geometry: Geometry):
        self.geometry = geometry

    def forward(self, x, w):
        s, pads, dil, groups = self.geometry
        return correlate(windows(pad(x, pads), w.shape[2:], s, dil), w, groups)

    def backward(self, grad, out, x, w):
        need_x, need_w = self.needs_input_grad
        gx = record(ConvInput(self.geometry, x.shape), grad, w) if need_x else None
        gw = record(ConvWeight(self.geometry, w.shape), x, grad) if need_w else None
        return gx, gw


class ConvInput(Function):
    """z = the transposed convolution of g by w, of x's `shape`: z[n, c, i] = Σ g[n, o, p]
    w[o, c, k] over p·s + k·d = i + padding;  ∂L/∂g = Conv(grad, w),  ∂L/∂w = ConvWeight(grad, g)"""

    __slots__ = ("geometry", "shape")
    saves = {"g": "w", "w": "g"}

    def __init__(self, geometry: Geometry, shape: tuple):
        self.geometry, self.shape = geometry, shape

    def forward(self, g, w):
        s, pads, dil, groups = self.geometry
        n, o, *places = g.shape
        d = len(places)
        c = self.shape[1]
        p, k = _letters(d)
        # cols[n, c, p, k] = Σ_o g[n, o, p] w[o, c, k], within each group
        if groups == 1:
            cols = np.moveaxis(np.tensordot(g, w, axes=(1, 0)), 1 + d, 1)
        else:
            cols = np.einsum(f"ngo{p},goc{k}->ngc{p}{k}",
                             g.reshape(n, groups, o // groups, *places),
                             w.reshape(groups, o // groups, *w.shape[1:]), optimize=True)
            cols = cols.reshape(n, c, *cols.shape[3:])
        padded = tuple(size + lo + hi for size, (lo, hi) in zip(self.shape[2:], pads))
        xp = np.zeros((n, c, *padded), dtype=np.result_type(g, w))
        for tap in product(*(range(size) for size in w.shape[2:])):
            region = tuple(slice(t * dl, t * dl + st * (m - 1) + 1, st)
                           for t, dl, st, m in zip(tap, dil, s, places))
            xp[(slice(None), slice(None), *region)] += cols[(Ellipsis, *tap)]
        return xp[(slice(None), slice(None),
                   *(slice(lo, lo + size) for size, (lo, _) in zip(self.shape[2:], pads)))]

    def backward(self, grad, out, g, w):
        need_g, need_w = self.needs_input_grad
        gg = record(Conv(self.geometry), grad, w) if need_g else None
        gw = record(ConvWeight(self.geometry, w.shape), grad, g) if need_w else None
        return gg, gw


class ConvWeight(Function):
    """z[o, c, k] = Σ_{n, p} g[n, o, p] x̃[n, c, p·s + k·d], of w's `shape`;
    ∂L/∂x = ConvInput(g, grad),  ∂L/∂g = Conv(x, grad)"""

    __slots__ = ("geometry", "shape")
    saves = {"x": "g", "g": "x"}

    def __init__(self, geometry: Geometry, shape: tuple):
        self.geometry, self.shape = geometry, shape

    def forward(self, x, g):
        s, pads, dil, groups = self.geometry
        win = windows(pad(x, pads), self.shape[2:], s, dil)
        d = len(s)
        if groups == 1:
            places = tuple(range(2, 2 + d))
            return np.tensordot(g, win, axes=((0, *places), (0, *places)))
        n, c = win.shape[:2]
        o = g.shape[1]
        p, k = _letters(d)
        out = np.einsum(f"ngo{p},ngc{p}{k}->goc{k}",
                        g.reshape(n, groups, o // groups, *g.shape[2:]),
                        win.reshape(n, groups, c // groups, *win.shape[2:]), optimize=True)
        return out.reshape(self.shape)

    def backward(self, grad, out, x, g):
        need_x, need_g = self.needs_input_grad
        gx = record(ConvInput(self.geometry, x.shape), g, grad) if need_x else None
        gg = record(Conv(self.geometry), x, grad) if need_g else None
        return gx, gg


class Pad(Function):
    """y = x with (before, after) bands of `value` on its trailing axes (negative widths crop);
    ∂L/∂x = the gradient with the same widths negated: Pad's adjoint is Pad"""

    __slots__ = ("pads", "value")
    saves = ()

    def __init__(self, pads: tuple, value: float = 0.0):
        self.pads, self.value = pads, value

    def forward(self, x):
        out = pad(x, tuple((max(lo, 0), max(hi, 0)) for lo, hi in self.pads), self.value)
        if any(lo < 0 or hi < 0 for lo, hi in self.pads):
            out = out[(Ellipsis, *(slice(-min(lo, 0), size + min(hi, 0) if hi < 0 else None)
                                   for size, (lo, hi) in zip(out.shape[-len(self.pads):],
                                                             self.pads)))]
        return out

    def backward(self, grad, out, x):
        back = Pad(tuple((-lo, -hi) for lo, hi in self.pads))
        return back.forward(grad) if isinstance(grad, np.ndarray) else grad.apply_op(back)


class MaxPool(Function):
    """y[n, c, p] = max_k x̃[n, c, p·s + k·d]  (x̃: x padded with −∞, or an int's least value);
    ∂L/∂x is ∂L/∂y sent to the place each maximum came from (as PyTorch, the first of equal
    maxima, the last NaN), summed where windows overlap. `index` (kept) holds those places,
    flat in x̃."""

    __slots__ = ("geometry", "kernel", "index")
    saves = ()

    def __init__(self, geometry: Geometry, kernel: tuple):
        self.geometry, self.kernel = geometry, kernel

    @property
    def kept(self) -> tuple:
        return (self.index,)

    def forward(self, x):
        s, pads, dil, _ = self.geometry
        xp = pad(x, pads, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
        win = windows(xp, self.kernel, s, dil)
        taps = list(np.ndindex(*self.kernel))
        # the maximum over the taps, one strided view of the windows per tap (no copy of them)
        out = win[(Ellipsis, *taps[0])].copy()
        for tap in taps[1:]:
            np.maximum(out, win[(Ellipsis, *tap)], out=out)  # NaN wins, as in PyTorch
        # the tap it came from, as an offset in the padded plane: PyTorch's loop keeps the
        # first of equal maxima but the last NaN, so equal ones are written last tap first
        # (an earlier one overwrites a later one), NaNs first tap first
        plane = xp.shape[2:]
        steps = [int(np.prod(plane[i + 1:])) for i in range(len(plane))]
        offsets = [sum(t * dl * st for t, dl, st in zip(tap, dil, steps)) for tap in taps]
        offset = np.zeros(out.shape, dtype=np.int64)
        for tap, o in zip(taps[::-1], offsets[::-1]):
            np.copyto(offset, o, where=win[(Ellipsis, *tap)] == out)
        if out.dtype.kind == "f" and np.isnan(out).any():
            for tap, o in zip(taps, offsets):
                np.copyto(offset, o, where=np.isnan(win[(Ellipsis, *tap)]))
        # plus where each window starts: (n·C + c)·|plane| + Σ p·stride·step
        n, c, *places = out.shape
        start = np.arange(n * c, dtype=np.int64).reshape(n, c, *(1,) * len(places))
        start = start * int(np.prod(plane))
        for axis, (m, st, step) in enumerate(zip(places, s, steps)):
            shape = [1] * out.ndim
            shape[2 + axis] = m
            start = start + (np.arange(m, dtype=np.int64) * (st * step)).reshape(shape)
        self.index = start + offset
        return out

    def backward(self, grad, out, x):
        s, pads, _, _ = self.geometry
        padded = x.shape[:2] + tuple(size + lo + hi for size, (lo, hi) in zip(x.shape[2:], pads))
        scatter = Unpool(self.index, padded)
        gp = scatter.forward(grad) if isinstance(grad, np.ndarray) else grad.apply_op(scatter)
        return gp[(slice(None), slice(None),
                   *(slice(lo, lo + size) for size, (lo, _) in zip(x.shape[2:], pads)))]


class Unpool(Function):
    """z = zeros(shape) with g[i] added at the flat places index[i] (max pooling's adjoint);
    ∂L/∂g = ∂L/∂z at those places"""

    __slots__ = ("index", "shape")
    saves = ()

    def __init__(self, index: np.ndarray, shape: tuple):
        self.index, self.shape = index, shape

    @property
    def kept(self) -> tuple:
        return (self.index,)

    def forward(self, g):
        size = int(np.prod(self.shape))
        out = np.bincount(self.index.ravel(), weights=g.ravel(), minlength=size)
        return out.astype(g.dtype, copy=False).reshape(self.shape)

    def backward(self, grad, out, g):
        return grad.reshape(-1)[self.index.ravel()].reshape(self.index.shape)
