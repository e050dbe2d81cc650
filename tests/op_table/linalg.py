"""Linear-algebra rows: products, einsum, inverse, solve, det, norms, and the triangles and
diagonals of matrices."""

import operator

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from strategies import ANY, AWAY_FROM_ZERO, GRID_NONZERO, matmul_pair, reduction_dims, tensor

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

from .rows import M, N, Op, V, linear_inputs, movement, unary

# ---------------------------------------------------------------- the named products, einsum


def sides(lo=1):
    return st.integers(lo, 3)


def shaped(*shape, elements=ANY):
    return tensor(tuple(shape), elements)


@st.composite
def products(draw, ndims):
    """Two tensors whose shapes the strict products take: "mm", "bmm", "mv", "dot"."""
    b, n, k, m = (draw(sides()) for _ in range(4))
    shapes = {"mm": ((n, k), (k, m)), "bmm": ((b, n, k), (b, k, m)), "mv": ((n, k), (k,)),
              "dot": ((k,), (k,))}[ndims]
    return tuple(draw(shaped(*s)) for s in shapes)


@st.composite
def vectors(draw):
    return draw(shaped(draw(sides(0)))), draw(shaped(draw(sides(0))))


@st.composite
def last_axis_pair(draw):
    """(…, k) and (…, k) with unrelated leading axes (inner)."""
    k = draw(sides())
    lead = st.lists(sides(), max_size=2).map(tuple)
    return draw(shaped(*draw(lead), k)), draw(shaped(*draw(lead), k))


@st.composite
def small_pair(draw):
    """Any two tensors of up to two axes (kron)."""
    shape = st.lists(sides(), max_size=2).map(tuple)
    return draw(shaped(*draw(shape))), draw(shaped(*draw(shape)))


@st.composite
def contracted_pair(draw):
    """a and b where some axes of a have the sizes of some axes of b (tensordot)."""
    a_shape = draw(st.lists(sides(), min_size=1, max_size=3))
    shared = draw(st.lists(st.sampled_from(a_shape), max_size=len(a_shape)))
    b_shape = draw(st.permutations(shared + draw(st.lists(sides(), max_size=3 - len(shared)))))
    return draw(shaped(*a_shape)), draw(shaped(*b_shape))


@st.composite
def contraction(draw, a, b):
    """tensordot's dims for a and b: pairs of axes of equal sizes, each axis used once."""
    dims_a, dims_b = [], []
    for i in draw(st.permutations(range(a.ndim))):
        js = [j for j in range(b.ndim) if b.shape[j] == a.shape[i] and j not in dims_b]
        if js and draw(st.booleans()):
            dims_a.append(i)
            dims_b.append(draw(st.sampled_from(js)))
    return ((dims_a, dims_b),)


@st.composite
def einsum_inputs(draw, equation):
    """Operands for `equation` with ellipsis standing for 0 to 2 axes, one size per letter."""
    sizes = {letter: draw(sides()) for letter in set(equation) if letter.isalpha()}
    lead = tuple(draw(st.lists(sides(), max_size=2)))
    lhs = equation.split("->")[0].split(",")
    return tuple(draw(shaped(*(lead if "..." in term else ()),
                             *(sizes[c] for c in term.replace("...", ""))))
                 for term in lhs)


def einsum_row(equation):
    return Op(f"einsum {equation}", lambda *xs: tg.einsum(equation, *xs),
              lambda *arrays: np.einsum(equation, *arrays, optimize=True),
              einsum_inputs(equation))


# ---------------------------------------------------------------- inverse, solve, det


@st.composite
def invertible(draw, lead_max=1):
    """A stack of well-conditioned square matrices: entries in [-1, 1] / n plus 2·I, so
    diagonally dominant."""
    n = draw(sides())
    lead = tuple(draw(st.lists(sides(), max_size=lead_max)))
    a = draw(hnp.arrays(np.float64, lead + (n, n), elements=ANY))
    return tg.tensor(a / (3 * n) + 2 * np.eye(n), requires_grad=True)


@st.composite
def systems(draw):
    """A and B of A X = B: B a matrix (…, n, k) or a vector (n,) or (…, n)."""
    a = draw(invertible())
    n, lead = a.shape[-1], a.shape[:-2]
    b = draw(st.sampled_from([lead + (n, draw(sides())), (n,), lead + (n,)]))
    return a, draw(shaped(*b))


def np_solve(a, b):
    vector = b.ndim == 1 or b.shape == a.shape[:-1]
    x = np.linalg.solve(a, b[..., None] if vector else b)
    return x[..., 0] if vector else x


# ---------------------------------------------------------------- triangles, diagonals


MATRICES = tensor(min_side=0).filter(lambda t: t.ndim >= 2).map(lambda t: (t,))


def offsets(x):
    return st.integers(-3, 3).map(lambda k: (k,))


def plane(x, extra=0):
    """(offset, dim1, dim2): two distinct dims of a tensor of x.ndim + extra axes."""
    n = x.ndim + extra
    return st.tuples(st.integers(-3, 3), st.integers(-n, n - 1), st.integers(-n, n - 1)) \
        .filter(lambda t: t[1] % n != t[2] % n)


def np_diag_embed(a, offset, dim1, dim2):
    """diag_embed from its definition: out[..., i, i + offset] = a[..., i] in the plane."""
    n = a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n))
    r, c = max(-offset, 0), max(offset, 0)
    for i in range(a.shape[-1]):
        out[..., r + i, c + i] = a[..., i]
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


# ---------------------------------------------------------------- norms


def vector_norm_args(x):
    return st.tuples(st.sampled_from([2, 1, 3, 1.5]), reduction_dims(x.ndim), st.booleans())


def np_vector_norm(a, ord, dim, keepdim):
    axis = None if a.ndim == 0 else dim
    if axis is None:
        return np.linalg.norm(a.reshape(-1), ord, keepdims=False).reshape(
            (1,) * a.ndim if keepdim else ())
    return np.sum(np.abs(a) ** ord, axis=axis, keepdims=keepdim) ** (1 / ord)


def matrix_norm_args(x):
    n = x.ndim
    return st.tuples(st.sampled_from(["fro", 1, -1, np.inf, -np.inf]),
                     st.tuples(st.integers(-n, n - 1), st.integers(-n, n - 1))
                     .filter(lambda d: d[0] % n != d[1] % n), st.booleans())


def np_matrix_norm(a, ord, dim, keepdim):
    return np.linalg.norm(a, ord, axis=dim, keepdims=keepdim)


MATRIX_NORM_INPUTS = tensor(min_side=1, elements=GRID_NONZERO, unique=True) \
    .filter(lambda t: t.ndim >= 2).map(lambda t: (t,))

ROWS = [
    Op("matmul", tg.matmul, np.matmul, matmul_pair(), operator=operator.matmul,
       hostile=("matmul",),
          numpy=(("dot 1-D", lambda x, y: np.dot(x, y), [V, V * 0.5]),
              ("dot 2-D", lambda x, y: np.dot(x, y), [M, N]),
              ("dot 2-D 1-D", lambda x, y: np.dot(x, y), [M, V]),
              ("dot scalar", lambda x: np.dot(x, 3.0), [M]),
              ("matmul", lambda x, y: np.matmul(x, y), [M, N]),
              ("inner 1-D", lambda x, y: np.inner(x, y), [V, V * 0.5]),
              ("inner 2-D", lambda x, y: np.inner(x, y), [M, M[:2]]))),
    Op("linear", F.linear, lambda x, w, b: x @ w.T + b, linear_inputs()),
    unary("np.linalg.norm", lambda x: np.linalg.norm(x), np.linalg.norm, AWAY_FROM_ZERO,
          numpy=(("norm vector", lambda x: np.linalg.norm(x), [V]),
                 ("norm frobenius", lambda x: np.linalg.norm(x), [M]),
                 ("norm fro", lambda x: np.linalg.norm(x, "fro"), [M]),
                 ("norm ord 2 vector", lambda x: np.linalg.norm(x, 2), [V]),
                 ("norm axis", lambda x: np.linalg.norm(x, axis=1, keepdims=True), [M]))),
    Op("mm", tg.mm, np.matmul, products("mm")),
    Op("bmm", lambda x, y: x.bmm(y), np.matmul, products("bmm")),
    Op("mv", tg.mv, np.matmul, products("mv")),
    Op("dot", lambda x, y: x.dot(y), np.dot, products("dot")),
    Op("outer", tg.outer, np.outer, vectors()),
    Op("inner", tg.inner, np.inner, last_axis_pair()),
    Op("kron", lambda x, y: x.kron(y), np.kron, small_pair()),
    Op("tensordot", tg.tensordot, np.tensordot, contracted_pair(), args=contraction),
    einsum_row("ij,jk->ik"),
    einsum_row("bii->bi"),
    einsum_row("ii"),
    einsum_row("i,ij,j"),
    einsum_row("...ij,...jk"),
    einsum_row("ij->"),
    Op("linalg.inv", tg.linalg.inv, np.linalg.inv, invertible(2).map(lambda a: (a,))),
    Op("inverse", lambda a: a.inverse(), np.linalg.inv, invertible().map(lambda a: (a,))),
    Op("linalg.det", tg.linalg.det, np.linalg.det, invertible(2).map(lambda a: (a,))),
    Op("det", lambda a: a.det(), np.linalg.det, invertible().map(lambda a: (a,))),
    Op("linalg.solve", tg.linalg.solve, np_solve, systems()),
    movement("tril", tg.tril, np.tril, offsets, MATRICES),
    movement("triu", lambda x, k: x.triu(k), np.triu, offsets, MATRICES),
    movement("diagonal", lambda x, *a: x.diagonal(*a), np.diagonal, plane, MATRICES),
    movement("diag_embed", tg.diag_embed, np_diag_embed, lambda x: plane(x, 1),
             tensor(min_side=1).filter(lambda t: t.ndim >= 1).map(lambda t: (t,))),
    movement("diag", tg.diag, np.diag, offsets,
             tensor(min_side=1).filter(lambda t: t.ndim in (1, 2)).map(lambda t: (t,))),
    Op("meshgrid", lambda *ts: tg.stack(tg.meshgrid(*ts, indexing="xy")),
       lambda *arrays: np.stack(np.meshgrid(*arrays, indexing="xy")),
       st.lists(tensor((3,)), min_size=1, max_size=3).map(tuple)),
    Op("linalg.vector_norm", tg.linalg.vector_norm, np_vector_norm,
       tensor(elements=AWAY_FROM_ZERO).map(lambda t: (t,)), args=vector_norm_args),
    Op("linalg.matrix_norm", tg.linalg.matrix_norm, np_matrix_norm, MATRIX_NORM_INPUTS,
       smooth=False, args=matrix_norm_args),
]
