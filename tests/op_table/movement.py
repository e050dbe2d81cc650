"""Shape, indexing and joining rows: linear maps whose arguments are drawn from the input."""

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
