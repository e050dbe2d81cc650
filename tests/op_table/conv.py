"""Convolution, pooling and padding rows: our F.<name> against a direct numpy evaluation of the
definition, one output place at a time. Inputs are quarters (GRID), so the sums are exact in
float64 whatever their order; max pooling draws distinct ones (no ties)."""

import numpy as np
from hypothesis import strategies as st
from strategies import GRID, tensor

import tinygrad_edu.nn.functional as F

from .rows import Op


def out_size(size, k, s, p, dil):
    return (size + 2 * p - dil * (k - 1) - 1) // s + 1


def conv_ref(x, w, b, stride, padding, dilation):
    """y[n, o, i…] = b[o] + Σ x̃[n, c, i·s + k·d] w[o, c, k] within o's group, place by place."""
    d = w.ndim - 2
    groups = x.shape[1] // w.shape[1]
    xp = np.pad(x, ((0, 0), (0, 0)) + ((padding, padding),) * d)
    kernel = w.shape[2:]
    places = [out_size(n, k, stride, padding, dilation) for n, k in zip(x.shape[2:], kernel)]
    out = np.zeros((x.shape[0], w.shape[0], *places))
    og, cg = w.shape[0] // groups, w.shape[1]
    for place in np.ndindex(*places):
        window = xp[(slice(None), slice(None),
                     *(slice(i * stride, i * stride + dilation * (k - 1) + 1, dilation)
                       for i, k in zip(place, kernel)))]
        for g in range(groups):
            patch = window[:, g * cg:(g + 1) * cg].reshape(x.shape[0], -1)
            out[(slice(None), slice(g * og, (g + 1) * og), *place)] = (
                patch @ w[g * og:(g + 1) * og].reshape(og, -1).T)
    return out if b is None else out + b.reshape((-1,) + (1,) * d)


@st.composite
def conv_inputs(draw, d):
    """x (N, C, *L), w (O, C / groups, *K), b (O,): every L ≥ its K."""
    groups = draw(st.integers(1, 2))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    spatial = tuple(draw(st.integers(k, 4)) for k in kernel)
    n = draw(st.integers(1, 2))
    return (draw(tensor((n, c, *spatial), GRID)), draw(tensor((o, c // groups, *kernel), GRID)),
            draw(tensor((o,), GRID)))


def conv_args(x, w, *_):
    """(stride, padding, dilation) for which every kernel fits the padded input."""
    def fits(args):
        s, p, dil = args
        return all(n + 2 * p >= dil * (k - 1) + 1 for n, k in zip(x.shape[2:], w.shape[2:]))

    return st.tuples(st.integers(1, 2), st.integers(0, 1), st.integers(1, 2)).filter(fits)


def pool_ref(a, kernel, stride, padding, reduce, fill):
    """reduce over each k×k window of `a` padded with `fill`, place by place."""
    xp = np.pad(a, ((0, 0), (0, 0), (padding, padding), (padding, padding)),
                constant_values=fill)
    places = [out_size(n, kernel, stride, padding, 1) for n in a.shape[2:]]
    out = np.zeros(a.shape[:2] + tuple(places))
    for i, j in np.ndindex(*places):
        window = xp[:, :, i * stride:i * stride + kernel, j * stride:j * stride + kernel]
        out[:, :, i, j] = reduce(window, axis=(2, 3))
    return out


@st.composite
def images(draw, elements=GRID, unique=False):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    h, w = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    return (draw(tensor((n, c, h, w), elements, unique=unique)),)


def pool_args(x):
    """(kernel, stride, padding) with padding ≤ kernel / 2 and the kernel inside the input."""
    smallest = min(x.shape[2:])
    return st.tuples(st.integers(1, min(3, smallest)), st.integers(1, 2), st.integers(0, 1)).filter(
        lambda a: 2 * a[2] <= a[0])


def adaptive_ref(a, size):
    """The mean over PyTorch's windows [⌊i·H/m⌋, ⌈(i + 1)·H/m⌉) on both axes."""
    h, w = a.shape[2:]
    out = np.zeros(a.shape[:2] + (size, size))
    for i, j in np.ndindex(size, size):
        rows = slice(i * h // size, -(-(i + 1) * h // size))
        cols = slice(j * w // size, -(-(j + 1) * w // size))
        out[:, :, i, j] = a[:, :, rows, cols].mean(axis=(2, 3))
    return out


def pad_ref(a, p):
    """np.pad by the (before, after) pairs of p, last axis first; negative widths crop."""
    pairs = [(p[i], p[i + 1]) for i in range(0, len(p), 2)][::-1]
    lead = a.ndim - len(pairs)
    out = np.pad(a, [(0, 0)] * lead + [(max(lo, 0), max(hi, 0)) for lo, hi in pairs],
                 constant_values=0.5)
    crop = tuple(slice(-min(lo, 0), out.shape[lead + i] + min(hi, 0))
                 for i, (lo, hi) in enumerate(pairs))
    return out[(slice(None),) * lead + crop]


def pad_args(x):
    return st.lists(st.integers(-1, 2), min_size=2, max_size=4).filter(
        lambda p: len(p) % 2 == 0).map(lambda p: (tuple(p),))


ROWS = [
    Op("conv2d", lambda x, w, b, s, p, dil: F.conv2d(x, w, b, s, p, dil, x.shape[1] // w.shape[1]),
       conv_ref, conv_inputs(2), args=conv_args),
    Op("conv1d", lambda x, w, b, s, p, dil: F.conv1d(x, w, None, s, p, dil,
                                                     x.shape[1] // w.shape[1]),
       lambda x, w, b, s, p, dil: conv_ref(x, w, None, s, p, dil), conv_inputs(1),
       args=conv_args),
    Op("max_pool2d", lambda x, k, s, p: F.max_pool2d(x, k, s, p),
       lambda a, k, s, p: pool_ref(a, k, s, p, np.max, -np.inf), images(unique=True),
       args=pool_args),
    Op("avg_pool2d", lambda x, k, s, p: F.avg_pool2d(x, k, s, p),
       lambda a, k, s, p: pool_ref(a, k, s, p, np.mean, 0.0), images(), args=pool_args),
    Op("adaptive_avg_pool2d", F.adaptive_avg_pool2d, adaptive_ref, images(),
       args=lambda x: st.integers(1, 3).map(lambda m: (m,))),
    Op("pad", lambda x, p: F.pad(x, p, value=0.5), pad_ref, images(), args=pad_args),
]
