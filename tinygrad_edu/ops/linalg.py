"""Linear algebra primitives: the matrix product and a layer's affine map."""

from __future__ import annotations

import numpy as np

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
        gx = grad @ y.swapaxes(-1, -2) if need_x else None
        gy = x.swapaxes(-1, -2) @ grad if need_y else None
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
        out = x @ w.T
        if out.dtype != np.result_type(out, b):
            return out + b
        out += b  # in place: the product is a fresh array, one temporary fewer
        return out

    def backward(self, grad, out, x, w, b):
        need_x, need_w, need_b = self.needs_input_grad
        points = grad.reshape(-1, w.shape[0])  # every leading axis of x is a point
        gx = grad @ w if need_x else None
        gw = points.T @ x.reshape(-1, w.shape[1]) if need_w else None
        gb = points.sum(axis=0) if need_b else None
        return gx, gw, gb
