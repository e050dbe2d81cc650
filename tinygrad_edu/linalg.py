"""`tg.linalg`, as `torch.linalg`: norms of vectors and matrices, the inverse, solve, the
determinant, and `LinAlgError` for a singular matrix (a RuntimeError, as PyTorch's).

    vector_norm(x, ord=2)     (Σ |xᵢ|ᵖ)^(1/p);  ∞: max |xᵢ|, −∞: min |xᵢ|, 0: how many xᵢ ≠ 0
    matrix_norm(A, ord="fro") "fro": √Σ aᵢⱼ²;  1 / −1: max / min column sum of |aᵢⱼ|;
                              ∞ / −∞: max / min row sum of |aᵢⱼ|
    norm(A, ord=None, dim=None)   one of the two, chosen by dim (or A's ndim) as PyTorch

                              2 / −2 / "nuc": the largest / smallest / sum of the singular
                              values (`svdvals`, first derivatives only)
"""

from __future__ import annotations

import math

from . import arguments, dtypes, ops
from .arguments import RuntimeValueError, floating_dtype
from .methods.arithmetic import matmul
from .methods.linalg import det, inverse, solve
from .methods.linalg import diagonal as methods_diagonal
from .methods.reduce import p_norm
from .ops.linalg import LinAlgError, SingularValues
from .recording import apply, as_tensor
from .tensor_base import TensorBase

inv = inverse

__all__ = ["LinAlgError", "det", "diagonal", "inv", "matmul", "matrix_norm", "norm", "solve",
           "svdvals", "vector_norm"]


def _input(op: str, x, dtype) -> TensorBase:
    x = as_tensor(x, op)
    floating_dtype(op, x)
    return x if dtype is None else x.to(dtypes.as_dtype(dtype, op))


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> TensorBase:
    """The `ord`-norm of x over `dim` (an int, a tuple, or None for every element), see the
    module. With `dtype`, x is cast to it first."""
    x = _input("linalg.vector_norm", x, dtype)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    axes, keepdim = arguments.reduction_args("linalg.vector_norm", x.ndim, dim, keepdim,
                                             None, None)
    return p_norm("linalg.vector_norm", x, float(ord), axes, keepdim)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(a, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):
    """The `ord`-norm of the matrices of `a` in the planes of the two dims `dim`, see the
    module. With `dtype`, a is cast to it first."""
    op = "linalg.matrix_norm"
    a = _input(op, a, dtype)
    if a.ndim < 2:
        raise RuntimeValueError(f"{op}: expected at least 2 dimensions, got shape {a.shape}")
    if isinstance(ord, bool) or ord not in _MATRIX_ORDS:
        raise RuntimeValueError(f"{op}: ord must be one of {_MATRIX_ORDS}, got {ord!r}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise TypeError(f"{op}: dim must be a pair of dims, got {dim!r}")
    rows, cols = arguments.dims(op, tuple(dim), a.ndim, unique=False)
    if rows == cols:
        raise RuntimeValueError(f"{op}: the two dims must differ, got {tuple(dim)}")
    if ord in ("nuc", 2, -2):
        planes = a.permute(*[d for d in range(a.ndim) if d not in (rows, cols)], rows, cols)
        s = svdvals(planes)
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted((rows, cols)):
                out = out.unsqueeze(d)
        return out
    if ord == "fro":
        return apply(ops.Norm((min(rows, cols), max(rows, cols)), keepdim), a)
    # 1: the largest column sum (sum down the rows, then max across); inf: the largest row sum
    inner_dim, outer_dim = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = a.abs().sum(inner_dim, keepdim=True)
    out = sums.amax(outer_dim, keepdim=True) if ord > 0 else sums.amin(outer_dim, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def svdvals(a) -> TensorBase:
    """The singular values of (each matrix of) a, in descending order, the last axis of the
    result. First derivatives only: with create_graph=True the backward pass refuses them
    (NotImplementedError)."""
    a = _input("linalg.svdvals", a, None)
    if a.ndim < 2:
        raise RuntimeValueError(f"linalg.svdvals: expected at least 2 dimensions, got shape "
                                f"{a.shape}")
    return apply(SingularValues(), a)


def diagonal(a, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> TensorBase:
    """torch.linalg.diagonal: tg.diagonal with the last two dims as the default planes."""
    return methods_diagonal(a, offset, dim1, dim2)


def norm(a, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> TensorBase:
    """`vector_norm` or `matrix_norm`, as PyTorch chooses: by `dim` (one dim: a vector norm,
    two: a matrix norm); without `dim`, the 2-norm of every element when `ord` is None,
    else by a's ndim (1 or 2)."""
    a = as_tensor(a, "linalg.norm")
    if dim is not None:
        pair = isinstance(dim, (tuple, list)) and len(dim) == 2
        if pair:
            return matrix_norm(a, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
        return vector_norm(a, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(a, 2, None, keepdim, dtype=dtype)
    if a.ndim == 2:
        return matrix_norm(a, ord, (-2, -1), keepdim, dtype=dtype)
    if a.ndim == 1:
        if isinstance(ord, str):
            raise RuntimeValueError(f"linalg.norm: ord={ord!r} is a matrix norm, but the input is "
                                    f"a vector of shape {a.shape}")
        return vector_norm(a, ord, None, keepdim, dtype=dtype)
    raise RuntimeValueError(f"linalg.norm: with ord and without dim the input must be 1-D or "
                            f"2-D, got shape {a.shape}")

