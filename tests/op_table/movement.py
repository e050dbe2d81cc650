"""Shape, indexing and joining rows: linear maps whose arguments are drawn from the input."""

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from strategies import tensor

import tinygrad_edu as tg

from .rows import (
    NONSCALAR,
    TWINS,
    M,
    Op,
    cat_dims,
    cat_pair,
    dims,
    expanded_shape,
    flattened,
    index,
    movement,
    unary,
)

ROWS = [
    movement("reshape", lambda x, shape: x.reshape(shape), lambda a, shape: a.reshape(shape),
             lambda x: st.sampled_from([x.shape[::-1], (-1,), (x.numel(),), x.shape + (1,),
                                        (1,) + x.shape]).map(lambda shape: (shape,)),
             numpy=(("reshape", lambda x: np.reshape(x, (4, 3)), [M]),)),
    movement("view", lambda x, shape: x.view(shape), lambda a, shape: a.reshape(shape),
             lambda x: st.sampled_from([(-1,), x.shape]).map(lambda shape: (shape,))),
    movement("flatten", lambda x, start: x.flatten(start), flattened,
             lambda x: st.integers(0, max(x.ndim - 1, 0)).map(lambda start: (start,))),
    unary("T", lambda x: x.T, lambda a: a.T),
    movement("permute", lambda x, perm: x.permute(perm), np.transpose,
             lambda x: st.permutations(range(x.ndim)).map(lambda perm: (tuple(perm),)),
             numpy=(("transpose", lambda x: np.transpose(x), [M]),)),
    movement("transpose", lambda x, d0, d1: x.transpose(d0, d1), np.swapaxes,
             lambda x: st.tuples(dims(x), dims(x)), NONSCALAR.map(lambda t: (t,))),
    movement("unsqueeze", lambda x, d: x.unsqueeze(d), np.expand_dims,
             lambda x: dims(x, new_axis=1).map(lambda d: (d,))),
    unary("squeeze", lambda x: x.squeeze(), np.squeeze),
    movement("expand", lambda x, shape: x.expand(shape), np.broadcast_to, expanded_shape,
             tensor(min_side=1).map(lambda t: (t,))),
    movement("getitem", lambda x, index: x[index], lambda a, index: a[index], index,
             NONSCALAR.map(lambda t: (t,))),
    Op("cat", lambda a, b, dim: tg.cat([a, b, a], dim),
       lambda a, b, dim: np.concatenate([a, b, a], dim),
       cat_pair(), args=cat_dims,
       numpy=(("concatenate", lambda x, y: np.concatenate([x, y], axis=1), [M, M]),)),
    Op("stack", lambda a, b, dim: tg.stack([a, b], dim), lambda a, b, dim: np.stack([a, b], dim),
       TWINS, args=lambda a, b: dims(a, new_axis=1).map(lambda d: (d,)),
       numpy=(("stack", lambda x, y: np.stack((x, y)), [M, M]),)),
]


# ---- the rest of PyTorch's shape line: arguments drawn from a non-empty x (min side 1)


def axis(x):
    """One dim of x (either sign) and its size."""
    return dims(x).map(lambda d: (d, x.shape[d]))


@st.composite
def narrowing(draw, x):
    d, n = draw(axis(x))
    start = draw(st.integers(0, n))
    return d, start, draw(st.integers(0, n - start))


@st.composite
def index_along(draw, x, unique=False, longer=False):
    """(dim, index): an int index of x's number of dims, no larger than x (but along dim if
    `longer`), its entries along dim in range (distinct along dim if `unique`)."""
    dim, n = draw(axis(x))
    d = dim % x.ndim
    shape = [draw(st.integers(1, m)) for m in x.shape]
    shape[d] = draw(st.integers(1, 3 if longer else n))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if unique:  # a random order of 0..n-1 along dim, cut to its length
        index = np.argsort(rng.random(shape[:d] + [n] + shape[d + 1:]), axis=d)
        return dim, np.take(index, range(shape[d]), axis=d)
    return dim, rng.integers(0, n, shape)


@st.composite
def broadcast_index(draw, x):
    """(dim, index): an index that broadcasts with x but along dim, entries of either sign."""
    dim, n = draw(axis(x))
    shape = [draw(st.sampled_from([1, m])) for m in x.shape]
    shape[dim % x.ndim] = draw(st.integers(1, 3))
    return dim, np.random.default_rng(draw(st.integers(0, 2**16))).integers(-n, n, shape)


def gathered(a, d, index):
    """out[i][j][k] = a[index[i][j][k]][j][k] for d = 0 (likewise for the others)."""
    d %= a.ndim
    crop = tuple(slice(0, k) if i != d else slice(None) for i, k in enumerate(index.shape))
    return np.take_along_axis(a[crop], index, d)


def places(index, d):
    d %= index.ndim
    return tuple(index if i == d else np.arange(k).reshape([-1 if j == i else 1
                                                             for j in range(index.ndim)])
                 for i, k in enumerate(index.shape))


def scattered(a, src, d, index):
    out = a.copy()
    out[places(index, d)] = src[tuple(slice(0, k) for k in index.shape)]
    return out


def scatter_added(a, src, d, index):
    out = a.copy()
    np.add.at(out, places(index, d), src[tuple(slice(0, k) for k in index.shape)])
    return out


def joined(pieces):
    return tg.cat([p.reshape(-1) for p in pieces])


def np_joined(pieces):
    return np.concatenate([np.ravel(p) for p in pieces])


def np_split(a, size, d):
    return np.split(a, range(size, a.shape[d], size), d)


def rolls(x):
    return st.one_of(
        st.integers(-7, 7).map(lambda s: (s, None)),
        st.lists(st.tuples(st.integers(-7, 7), dims(x)), min_size=1, max_size=3).map(
            lambda pairs: (tuple(s for s, _ in pairs), tuple(d for _, d in pairs))))


WITH_SRC = NONSCALAR.flatmap(lambda x: tensor(x.shape).map(lambda s: (x, s)))

ROWS += [
    movement("unflatten", lambda x, d, sizes: x.unflatten(d, sizes),
             lambda a, d, sizes: a.reshape(a.shape[:d % a.ndim] + (1, a.shape[d]) +
                                           a.shape[d % a.ndim + 1:]),
             lambda x: st.tuples(dims(x), st.sampled_from([(1, -1), (-1, 1)]).map(
                 lambda s: s)).map(lambda t: (t[0], (1, x.shape[t[0]]) if t[1] == (1, -1)
                                                     else (-1, x.shape[t[0]]))),
             NONSCALAR.map(lambda t: (t,))),
    movement("movedim", lambda x, s, d: x.movedim(s, d), np.moveaxis,
             lambda x: st.tuples(dims(x), dims(x)), NONSCALAR.map(lambda t: (t,))),
    movement("repeat", lambda x, sizes: x.repeat(sizes), np.tile,
             lambda x: st.integers(max(0, 1 - x.ndim), 1).flatmap(
                 lambda k: st.lists(st.integers(0, 2), min_size=x.ndim + k,
                                    max_size=x.ndim + k)).map(lambda s: (tuple(s),))),
    movement("tile", lambda x, reps: x.tile(reps), np.tile,
             lambda x: st.lists(st.integers(0, 2), min_size=1, max_size=x.ndim + 1).map(
                 lambda s: (tuple(s),))),
    movement("repeat_interleave", lambda x, r, d: x.repeat_interleave(r, d), np.repeat,
             lambda x: st.tuples(st.integers(0, 3), st.one_of(st.none(), dims(x))),
             NONSCALAR.map(lambda t: (t,))),
    movement("repeat_interleave counts",
             lambda x, r, d: x.repeat_interleave(tg.tensor(r), d), np.repeat,
             lambda x: dims(x).flatmap(lambda d: hnp.arrays(
                 np.int64, x.shape[d], elements=st.integers(0, 3)).map(lambda r: (r, d))),
             NONSCALAR.map(lambda t: (t,))),
    movement("flip", lambda x, d: x.flip(d), np.flip,
             lambda x: st.lists(dims(x), unique_by=lambda d: d % x.ndim, max_size=x.ndim).map(
                 lambda d: (tuple(d),)), NONSCALAR.map(lambda t: (t,))),
    movement("roll", lambda x, s, d: x.roll(s, d), np.roll, rolls,
             NONSCALAR.map(lambda t: (t,))),
    movement("narrow", lambda x, d, start, n: x.narrow(d, start, n),
             lambda a, d, start, n: np.take(a, range(start, start + n), d), narrowing,
             NONSCALAR.map(lambda t: (t,))),
    movement("split", lambda x, size, d: joined(x.split(size, d)),
             lambda a, size, d: np_joined(np_split(a, size, d)),
             lambda x: st.tuples(st.integers(1, 3), dims(x)), NONSCALAR.map(lambda t: (t,))),
    movement("chunk", lambda x, k, d: joined(x.chunk(k, d)),
             lambda a, k, d: np_joined(np_split(a, -(-a.shape[d] // k), d)),
             lambda x: st.tuples(st.integers(1, 4), dims(x)), NONSCALAR.map(lambda t: (t,))),
    movement("unbind", lambda x, d: joined(x.unbind(d)),
             lambda a, d: np_joined(np.moveaxis(a, d, 0)),
             lambda x: dims(x).map(lambda d: (d,)), NONSCALAR.map(lambda t: (t,))),
    movement("gather", lambda x, d, index: x.gather(d, index), gathered,
             lambda x: index_along(x, longer=True), NONSCALAR.map(lambda t: (t,))),
    movement("take_along_dim", lambda x, d, index: x.take_along_dim(index, d),
             lambda a, d, index: np.take_along_axis(a, index, d), broadcast_index,
             NONSCALAR.map(lambda t: (t,))),
    movement("index_select", lambda x, d, index: x.index_select(d, index),
             lambda a, d, index: np.take(a, index, d),
             lambda x: axis(x).flatmap(lambda dn: hnp.arrays(
                 np.int64, st.integers(0, 4), elements=st.integers(0, dn[1] - 1)).map(
                     lambda index: (dn[0], index))),
             NONSCALAR.map(lambda t: (t,))),
    movement("masked_select", lambda x, m: x.masked_select(tg.tensor(m)),
             lambda a, m: a[m], lambda x: hnp.arrays(np.bool_, x.shape).map(lambda m: (m,))),
    movement("masked_fill", lambda x, m, v: x.masked_fill(tg.tensor(m), v),
             lambda a, m, v: np.where(m, v, a),
             lambda x: st.tuples(hnp.arrays(np.bool_, x.shape), st.floats(-3, 3))),
    Op("scatter", lambda x, s, d, index: x.scatter(d, index, s),
       lambda a, s, d, index: scattered(a, s, d, index), WITH_SRC,
       args=lambda x, s: index_along(x, unique=True)),
    Op("scatter_add", lambda x, s, d, index: x.scatter_add(d, index, s),
       lambda a, s, d, index: scatter_added(a, s, d, index), WITH_SRC,
       args=lambda x, s: index_along(x)),
]
