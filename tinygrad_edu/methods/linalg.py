"""Products, inverses and the triangles and diagonals of matrices (the `LinearAlgebra` mixin
of `Tensor`), and the functions `tg.mm`, `tg.einsum`, `tg.inverse`, `tg.tril`, `tg.meshgrid`...

As in PyTorch, the named products are strict where `@` is not: `mm` takes two matrices,
`bmm` two stacks of as many matrices, `mv` a matrix and a vector, `dot` two vectors of one
length; these, `inner`, `tensordot` and `einsum` refuse operands of different dtypes.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import arguments
from ..arguments import RuntimeTypeError, RuntimeValueError, describe, floating_dtype, same_dtype
from ..ops import linalg as la
from ..recording import apply, apply1, as_tensor
from ..tensor_base import TensorBase
from .arithmetic import matmul
from .einsum import einsum, tensordot


class LinearAlgebra:
    """Matrix products, inverse and determinant, triangles and diagonals."""

    __slots__ = ()

    def mm(self, other):
        return mm(self, other)

    def bmm(self, other):
        return bmm(self, other)

    def mv(self, vec):
        return mv(self, vec)

    def dot(self, other):
        return dot(self, other)

    def outer(self, other):
        return outer(self, other)

    def inner(self, other):
        return inner(self, other)

    def kron(self, other):
        return kron(self, other)

    def inverse(self):
        return inverse(self)

    def det(self):
        return det(self)

    def tril(self, diagonal: int = 0):
        return tril(self, diagonal)

    def triu(self, diagonal: int = 0):
        return triu(self, diagonal)

    def diag(self, diagonal: int = 0):
        return diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1):
        return diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1):
        return diag_embed(self, offset, dim1, dim2)


def _operands(op: str, x, y, ndims: tuple) -> tuple:
    """x and y as tensors, refused unless of `ndims` dimensions and of one dtype."""
    x, y = as_tensor(x, op), as_tensor(y, op)
    if (x.ndim, y.ndim) != ndims:
        raise RuntimeValueError(f"{op}: expected tensors of {ndims[0]} and {ndims[1]} dimensions, "
                                f"got shapes {x.shape} and {y.shape}")
    same_dtype(op, x, y)
    return x, y


def mm(x, y) -> TensorBase:
    """The product of two matrices, (n, k) @ (k, m) -> (n, m)."""
    x, y = _operands("mm", x, y, (2, 2))
    if x.shape[1] != y.shape[0]:
        raise RuntimeValueError(f"mm: shapes {x.shape} and {y.shape} cannot be multiplied")
    return matmul(x, y)


def bmm(x, y) -> TensorBase:
    """b products of matrices, (b, n, k) @ (b, k, m) -> (b, n, m); no broadcasting."""
    x, y = _operands("bmm", x, y, (3, 3))
    if x.shape[0] != y.shape[0] or x.shape[2] != y.shape[1]:
        raise RuntimeValueError(f"bmm: shapes {x.shape} and {y.shape} cannot be multiplied "
                                "(equal batch sizes and inner sizes needed)")
    return matmul(x, y)


def mv(x, y) -> TensorBase:
    """Matrix times vector, (n, k) @ (k,) -> (n,)."""
    x, y = _operands("mv", x, y, (2, 1))
    if x.shape[1] != y.shape[0]:
        raise RuntimeValueError(f"mv: shapes {x.shape} and {y.shape} cannot be multiplied")
    return matmul(x, y)


def dot(x, y) -> TensorBase:
    """Σᵢ xᵢ yᵢ of two vectors of the same length."""
    x, y = _operands("dot", x, y, (1, 1))
    if x.shape != y.shape:
        raise RuntimeValueError(f"dot: vectors of different lengths, shapes {x.shape} and "
                                f"{y.shape}")
    return matmul(x, y)


def outer(x, y) -> TensorBase:
    """zᵢⱼ = xᵢ yⱼ of two vectors (dtypes promote, as PyTorch's)."""
    x, y = as_tensor(x, "outer"), as_tensor(y, "outer")
    for name, t in (("self", x), ("vec2", y)):
        if t.ndim != 1:
            raise RuntimeValueError(f"outer: expected a 1-D argument {name}, got shape {t.shape}")
    return x.reshape(-1, 1) * y


def inner(x, y) -> TensorBase:
    """Σ over the last axes of x and y, (…, k) and (…, k) -> x's leading axes then y's; a
    0-d operand multiplies."""
    x, y = as_tensor(x, "inner"), as_tensor(y, "inner")
    same_dtype("inner", x, y)
    if x.ndim == 0 or y.ndim == 0:
        return x * y
    return tensordot(x, y, ([-1], [-1]), op="inner")


def kron(x, y) -> TensorBase:
    """The Kronecker product: block (i, j, …) of the result is x[i, j, …] · y, with the
    shorter shape padded by leading 1s; from the product of x and y spread over
    interleaved axes."""
    x, y = as_tensor(x, "kron"), as_tensor(y, "kron")
    n = max(x.ndim, y.ndim)
    a = (1,) * (n - x.ndim) + x.shape
    b = (1,) * (n - y.ndim) + y.shape
    spread_x = x.reshape(tuple(s for m in a for s in (m, 1)))
    spread_y = y.reshape(tuple(s for m in b for s in (1, m)))
    return (spread_x * spread_y).reshape(tuple(p * q for p, q in zip(a, b)))


# ---------------------------------------------------------------- inverse, solve, det


def _square(op: str, a) -> TensorBase:
    """a as a floating tensor of (stacks of) square matrices, else refused."""
    a = as_tensor(a, op)
    floating_dtype(op, a)
    if a.ndim < 2:
        raise RuntimeValueError(f"{op}: expected a matrix (at least 2 dimensions), got shape "
                                f"{a.shape}")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeValueError(f"{op}: expected square matrices, got shape {a.shape}")
    return a


def inverse(a) -> TensorBase:
    """A⁻¹ of a square matrix, or of each in a stack (…, n, n); a singular one raises
    `LinAlgError`. Gradient: −A⁻ᵀ G A⁻ᵀ."""
    return apply1(la.Inv(), _square("linalg.inv", a))


def det(a) -> TensorBase:
    """det A of a square matrix, or of each in a stack. Gradient: g · adj(A)ᵀ, which is
    g · det A · A⁻ᵀ for an invertible A and is defined for a singular one too."""
    return apply1(la.Det(), _square("linalg.det", a))


def solve(a, b, *, left: bool = True) -> TensorBase:
    """X with A X = B, A (…, n, n) and B (…, n, k), or B (…, n) a vector (when 1-D or of
    A's shape without its last axis); batch axes broadcast. With left=False, X A = B for B
    (…, k, n), vectors refused as PyTorch does. A singular A raises `LinAlgError`."""
    a = _square("linalg.solve", a)
    b = as_tensor(b, "linalg.solve")
    if a.dtype != b.dtype:
        raise RuntimeTypeError(f"linalg.solve: expected A and B of the same dtype, got {a.dtype} "
                               f"and {b.dtype}")
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    column = b.unsqueeze(-1) if vector else b if left or b.ndim < 2 else b.transpose(-1, -2)
    if column.ndim < 2 or column.shape[-2] != a.shape[-1] or (vector and not left):
        raise RuntimeValueError(f"linalg.solve: shapes {a.shape} and {b.shape} do not fit "
                                f"{'A X' if left else 'X A'} = B")
    try:
        np.broadcast_shapes(a.shape[:-2], column.shape[:-2])
    except ValueError:
        raise RuntimeValueError(f"linalg.solve: the batch axes of shapes {a.shape} and {b.shape} "
                                "do not broadcast") from None
    if not left:  # X A = B is Aᵀ Xᵀ = Bᵀ
        a = a.transpose(-1, -2)
    x = apply(la.Solve(), a, column)
    return x.squeeze(-1) if vector else x if left else x.transpose(-1, -2)


# ---------------------------------------------------------------- triangles, diagonals


def _matrices(op: str, x) -> TensorBase:
    x = as_tensor(x, op)
    if x.ndim < 2:
        raise RuntimeValueError(f"{op}: expected at least 2 dimensions, got shape {x.shape}")
    return x


def _offset(op: str, name: str, k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {describe(k)}")
    return int(k)


def tril(x, diagonal: int = 0) -> TensorBase:
    """The lower triangle of (each matrix of) x, from the `diagonal`-th diagonal down (0 the
    main one, > 0 above it), zeros above; the gradient is masked the same way."""
    k = _offset("tril", "diagonal", diagonal)
    return apply1(la.Triangle(False, k), _matrices("tril", x))


def triu(x, diagonal: int = 0) -> TensorBase:
    """The upper triangle of (each matrix of) x, from the `diagonal`-th diagonal up."""
    k = _offset("triu", "diagonal", diagonal)
    return apply1(la.Triangle(True, k), _matrices("triu", x))


def diagonal(x, offset: int = 0, dim1: int = 0, dim2: int = 1) -> TensorBase:
    """The `offset`-th diagonal of x in the planes of dims (dim1, dim2), as a new last axis
    (a copy: PyTorch's is a view)."""
    x = as_tensor(x, "diagonal")
    offset = _offset("diagonal", "offset", offset)
    d1, d2 = arguments.dims("diagonal", (dim1, dim2), x.ndim, unique=False)
    if x.ndim < 2:
        raise RuntimeValueError(f"diagonal: expected at least 2 dimensions, got shape {x.shape}")
    if d1 == d2:
        raise RuntimeValueError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
    return apply1(la.Diagonal(offset, d1, d2), x)


def diag_embed(x, offset: int = 0, dim1: int = -2, dim2: int = -1) -> TensorBase:
    """Matrices with x's last axis on their `offset`-th diagonal, zeros elsewhere: the new
    dims dim1 and dim2 (of the result) hold the planes, x's other axes the rest."""
    x = as_tensor(x, "diag_embed")
    offset = _offset("diag_embed", "offset", offset)
    d1, d2 = arguments.dims("diag_embed", (dim1, dim2), x.ndim + 1, unique=False)
    if d1 == d2:
        raise RuntimeValueError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and {dim2}")
    n = x.shape[-1] + abs(offset)  # a 0-d x failed the dims check: it has no last axis
    rest = list(x.shape[:-1])
    shape = []
    for axis in range(x.ndim + 1):
        shape.append(n if axis in (d1, d2) else rest.pop(0))
    return apply1(la.PlaceDiagonal(offset, d1, d2, tuple(shape)), x)


def diag(x, diagonal: int = 0) -> TensorBase:
    """A vector's square matrix with it on the `diagonal`-th diagonal, or a matrix's
    `diagonal`-th diagonal as a vector."""
    x = as_tensor(x, "diag")
    k = _offset("diag", "diagonal", diagonal)
    if x.ndim == 1:
        return diag_embed(x, k)
    if x.ndim == 2:
        return apply1(la.Diagonal(k, 0, 1), x)
    raise RuntimeValueError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids of 1-D (or 0-d) tensors x₁, …, xₙ: n tensors of shape
    (len x₁, …, len xₙ), the i-th varying along axis i ("ij"), or with the first two axes
    swapped ("xy", as numpy's default). Without `indexing`, "ij" with PyTorch's warning."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("meshgrid: pass indexing='ij' (the default used here) or 'xy'; "
                      "PyTorch will require it", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [as_tensor(t, "meshgrid") for t in tensors]
    if not ts:
        raise RuntimeValueError("meshgrid: expected at least one tensor")
    for t in ts:
        if t.ndim > 1:
            raise RuntimeValueError(f"meshgrid: expected 0-d or 1-D tensors, got shape {t.shape}")
    if len({t.dtype for t in ts}) > 1:
        raise RuntimeTypeError(f"meshgrid: expected tensors of one dtype, got "
                               f"{[str(t.dtype) for t in ts]}")
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) > 1:
        axes[0], axes[1] = 1, 0
    shape = [1] * len(ts)
    for t, axis in zip(ts, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(ts, axes):
        lined = [1] * len(ts)
        lined[axis] = -1
        grids.append(t.reshape(tuple(lined)).expand(tuple(shape)))
    return tuple(grids)


# the functions tg.<name> of this family (tinygrad_edu/__init__ exposes exactly these)
__all__ = ["mm", "bmm", "mv", "dot", "outer", "inner", "kron", "einsum", "tensordot",
           "inverse", "det", "tril", "triu", "diag", "diagonal", "diag_embed", "meshgrid"]
