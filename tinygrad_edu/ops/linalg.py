"""Linear algebra primitives: the matrix product, a layer's affine map, einsum, the inverse,
solve and determinant, and the triangles and diagonals of matrices."""

from __future__ import annotations

import numpy as np

from ..spares import matmul
from .function import Function


class MatMul(Function):
    """z = x @ y with numpy's rules;  ∂L/∂x = g @ yᵀ,  ∂L/∂y = xᵀ @ g.

    A 1-D x is a row vector and a 1-D y a column vector whose extra axis is dropped from z,
    so their gradients gain and lose that axis too. Batch axes broadcast, and the engine
    sums them back.
    """

    __slots__ = ()
    saves = {"x": "y", "y": "x"}  # and the shapes of both

    forward = staticmethod(np.matmul)

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        if x.ndim == 1 and y.ndim == 1:  # inner product: z = Σ x_k y_k
            return (grad * y if need_x else None), (grad * x if need_y else None)
        if x.ndim == 1:  # z[..., m] = Σ_k x_k y[..., k, m]
            gx = (grad[..., None, :] @ y.swapaxes(-1, -2))[..., 0, :] if need_x else None
            gy = x[:, None] * grad[..., None, :] if need_y else None
            return gx, gy
        if y.ndim == 1:  # z[..., n] = Σ_k x[..., n, k] y_k
            gx = grad[..., :, None] * y if need_x else None
            gy = (x.swapaxes(-1, -2) @ grad[..., :, None])[..., 0] if need_y else None
            return gx, gy
        gx = matmul(grad, y.swapaxes(-1, -2)) if need_x else None  # into spares where kept
        gy = matmul(x.swapaxes(-1, -2), grad) if need_y else None
        return gx, gy


class Linear(Function):
    """s = x Wᵀ + b, the affine map of a layer (rows of x are points);
    ∂L/∂x = g W,  ∂L/∂W = Σ_points g xᵀ,  ∂L/∂b = Σ_points g.

    One node instead of three (transpose, matmul, add): a small network spends most of its
    time per node, not per flop.
    """

    __slots__ = ()
    saves = {"x": "w", "w": "x"}  # and the shape of w

    def forward(self, x, w, b):
        out = matmul(x, w.T)  # into a spare array where one is kept
        if out.dtype != np.result_type(out, b):
            return out + b
        out += b  # in place: the product is a fresh array, one temporary fewer
        return out

    def backward(self, grad, out, x, w, b):
        need_x, need_w, need_b = self.needs_input_grad
        points = grad.reshape(-1, w.shape[0])  # every leading axis of x is a point
        gx = matmul(grad, w) if need_x else None  # into spares where kept
        gw = matmul(points.T, x.reshape(-1, w.shape[1])) if need_w else None
        gb = points.sum(axis=0) if need_b else None
        return gx, gw, gb


def record(fn: Function, *args):
    """`fn` applied to `args` inside a rule: its forward on arrays, or recorded as a node when
    an argument is a Tensor (a rule run with create_graph=True), so the rule differentiates
    again. Tensor.apply_op is apply(fn, self, *others), and self may be a constant."""
    tensor = next((a for a in args if not isinstance(a, (np.ndarray, np.generic))), None)
    if tensor is None:
        return fn.forward(*args)
    return type(tensor).apply_op(args[0], fn, *args[1:])


class LinAlgError(RuntimeError):
    """A matrix without an inverse where one is needed (inv, solve): a RuntimeError, as
    PyTorch's torch.linalg.LinAlgError."""


class Einsum(Function):
    """z = einsum("s₁,…,sₙ->o", x₁, …, xₙ): Σ over the letters missing from o of Π xᵢ;
    ∂L/∂xᵢ = einsum("o,s₁,…(sᵢ left out)…,sₙ->sᵢ", g, x₁, …, xₙ).

    z is linear in each operand, so xᵢ's gradient is the same contraction with g in xᵢ's
    place. Two cases make sᵢ a poor output: a letter repeated in sᵢ (a diagonal, "ii->i")
    gets a fresh letter tied to the first by an identity matrix, and a letter only xᵢ has
    (summed away, "ij->i") is brought back by a vector of ones (`_onto`).
    """

    __slots__ = ("subscripts", "output")

    def __init__(self, subscripts: tuple, output: str):
        self.subscripts, self.output = subscripts, output  # explicit letters, no "..."

    def forward(self, *xs):
        equation = ",".join(self.subscripts) + "->" + self.output
        return np.einsum(equation, *xs, optimize=len(xs) > 1)  # BLAS for products

    def backward(self, grad, out, *xs):
        grads = []
        for i, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [j for j in range(len(xs)) if j != i]
            subs = [self.output] + [self.subscripts[j] for j in others]
            args = [grad] + [xs[j] for j in others]
            target, extra, consts = self._onto(i, xs[i], subs, args)
            grads.append(record(Einsum(tuple(subs + extra), target), *args, *consts))
        return tuple(grads)

    def _onto(self, i, x, subs, args) -> tuple:
        """The output letters of xᵢ's gradient, and the extra operands that shape it: an
        identity per repeated letter, ones per letter that the other operands and z lack
        (or have only as a broadcast size 1)."""
        sizes = {}
        for term, a in zip(subs, args):
            for letter, n in zip(term, a.shape):
                sizes[letter] = max(sizes.get(letter, 0), n)
        free = iter(sorted(set(LETTERS) - set(sizes) - set(self.subscripts[i])))
        target, extra, consts = "", [], []
        for letter, n in zip(self.subscripts[i], x.shape):
            if letter in target:  # a repeat: z reads x only where both letters agree
                fresh = next(free)
                extra.append(letter + fresh)
                consts.append(np.eye(n, dtype=x.dtype))
                target += fresh
                continue
            if sizes.get(letter, 0) < n:
                extra.append(letter)
                consts.append(np.ones(n, dtype=x.dtype))
            target += letter
        return target, extra, consts


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _invert(a):
    """A⁻¹, raising LinAlgError (and no numpy error, which apply would rename) when A is
    singular."""
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"linalg.inv: the input matrix of shape {a.shape} is singular, "
                          "so it has no inverse") from None


class Inv(Function):
    """Y = A⁻¹ (over the last two axes);  dY = −Y dA Y, so ∂L/∂A = −Yᵀ G Yᵀ"""

    __slots__ = ()
    saves = ("out",)

    forward = staticmethod(_invert)

    def backward(self, grad, out, a):
        yt = out.swapaxes(-1, -2)
        return -(yt @ grad @ yt)


class Solve(Function):
    """X = A⁻¹ B (A X = B, B of shape (…, n, k));  ∂L/∂B = A⁻ᵀ G,  ∂L/∂A = −(∂L/∂B) Xᵀ"""

    __slots__ = ()
    saves = {"a": "a b", "out": "a"}

    def forward(self, a, b):
        try:
            return np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise LinAlgError(f"linalg.solve: the matrix A of shape {a.shape} is singular, "
                              "so A X = B has no unique solution") from None

    def backward(self, grad, out, a, b):
        gb = record(Solve(), a.swapaxes(-1, -2), grad)
        ga = -(gb @ out.swapaxes(-1, -2)) if self.needs_input_grad[0] else None
        return ga, (gb if self.needs_input_grad[1] else None)


class Det(Function):
    """d = det A (over the last two axes);  ∂d/∂A = adj(A)ᵀ (Jacobi's formula), which is
    d·A⁻ᵀ for an invertible A and still defined for a singular one"""

    __slots__ = ()
    saves = ("a",)

    forward = staticmethod(np.linalg.det)

    def backward(self, grad, out, a):
        return grad.reshape(grad.shape + (1, 1)) * record(Adjugate(), a).swapaxes(-1, -2)


class Adjugate(Function):
    """B = adj A = det(A)·A⁻¹, from A = U Σ Vᵀ as det(U) det(V) · V diag(Πⱼ≠ᵢ σⱼ) Uᵀ, so a
    singular A has one too;  ∂L/∂A = (⟨G, B⟩ Bᵀ − Bᵀ G Bᵀ) / det A (from dB = d tr(A⁻¹dA)
    A⁻¹ − d A⁻¹ dA A⁻¹; only for an invertible A: det's second derivative at a singular A)"""

    __slots__ = ()
    saves = ("a", "out")

    def forward(self, a):
        if a.shape[-1] == 0:
            return a.copy()
        u, s, vt = np.linalg.svd(a)
        n = s.shape[-1]
        # Πⱼ≠ᵢ σⱼ, multiplied out rather than det / σᵢ, which a zero σᵢ would break
        others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1)
        sign = np.linalg.det(u) * np.linalg.det(vt)
        v_scaled = vt.swapaxes(-1, -2) * others[..., None, :]
        return sign[..., None, None] * (v_scaled @ u.swapaxes(-1, -2))

    def backward(self, grad, out, a):
        bt = out.swapaxes(-1, -2)
        inner = (grad * out).sum(axis=(-2, -1), keepdims=True)
        d = record(Det(), a)
        return (inner * bt - bt @ grad @ bt) / d.reshape(d.shape + (1, 1))


class Triangle(Function):
    """Y = the lower (tril) or upper (triu) triangle of X over the last two axes, from the
    k-th diagonal on, zeros elsewhere: a mask M, Y = M ⊙ X;  ∂L/∂X = M ⊙ G"""

    __slots__ = ("upper", "k")
    saves = ()

    def __init__(self, upper: bool, k: int):
        self.upper, self.k = upper, k

    def forward(self, x):
        return np.triu(x, self.k) if self.upper else np.tril(x, self.k)

    def backward(self, grad, out, x):
        return record(Triangle(self.upper, self.k), grad)


def diagonal_index(shape: tuple, offset: int, dim1: int, dim2: int) -> tuple:
    """(rows, cols): with dims dim1, dim2 of an array of `shape` moved last, its
    `offset`-th diagonal is a[..., rows, cols]."""
    n1, n2 = shape[dim1], shape[dim2]
    r, c = max(-offset, 0), max(offset, 0)
    length = max(0, min(n1 - r, n2 - c))
    steps = np.arange(length)
    return steps + r, steps + c


class Diagonal(Function):
    """y = the `offset`-th diagonal of x in the planes (dim1, dim2), as a last axis;
    linear, so ∂L/∂x is its adjoint: g placed on that diagonal of zeros (`PlaceDiagonal`)"""

    __slots__ = ("offset", "dim1", "dim2")
    saves = ()

    def __init__(self, offset: int, dim1: int, dim2: int):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def forward(self, x):
        return np.diagonal(x, self.offset, self.dim1, self.dim2).copy()

    def backward(self, grad, out, x):
        return record(PlaceDiagonal(self.offset, self.dim1, self.dim2, x.shape), grad)


class PlaceDiagonal(Function):
    """y = zeros of `shape` with x's last axis on the `offset`-th diagonal of the planes
    (dim1, dim2) and x's other axes along the rest (diag_embed, and diagonal's adjoint);
    ∂L/∂x = that diagonal of g (`Diagonal`)"""

    __slots__ = ("offset", "dim1", "dim2", "shape")
    saves = ()

    def __init__(self, offset: int, dim1: int, dim2: int, shape: tuple):
        self.offset, self.dim1, self.dim2, self.shape = offset, dim1, dim2, shape

    def forward(self, x):
        out = np.zeros(self.shape, dtype=x.dtype)
        rows, cols = diagonal_index(self.shape, self.offset, self.dim1, self.dim2)
        np.moveaxis(out, (self.dim1, self.dim2), (-2, -1))[..., rows, cols] = x
        return out

    def backward(self, grad, out, x):
        return record(Diagonal(self.offset, self.dim1, self.dim2), grad)


class SingularValues(Function):
    """σ = the singular values of A (over the last two axes, descending), A = U diag(σ) Vᵀ;
    ∂σᵢ/∂A = uᵢ vᵢᵀ, so ∂L/∂A = U diag(g) Vᵀ (for distinct σ).

    U and V are recomputed from A in the rule; as arrays they would be constants to a second
    pass, so the rule refuses tensors (create_graph=True) instead of a silently wrong answer.
    """

    __slots__ = ()
    saves = ("a",)

    def forward(self, a):
        return np.linalg.svd(a, compute_uv=False)

    def backward(self, grad, out, a):
        if not isinstance(a, np.ndarray):
            raise NotImplementedError("svdvals: second derivatives of singular values (and of "
                                      "the norms 'nuc', 2, -2) are not implemented")
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        return (u * grad[..., None, :]) @ vt
