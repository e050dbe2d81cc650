"""Helpers over a model's parameters, shared by `Module` and the optimizers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..arguments import RuntimeValueError
from ..methods.shape import cat
from ..spares import let_go_of_grad
from ..tensor import Tensor


def zero_grad(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the accumulated gradients of `params`: `.grad = None`, or, with
    set_to_none=False, each `.grad` set to zeros in place and taken out of any graph, as
    PyTorch does (whoever holds the gradient sees the zeros)."""
    for p in params:
        if set_to_none or p._grad is None:
            let_go_of_grad(p)  # p._grad = None, its array kept as a spare
        else:
            g = p._grad
            if g.grad_fn is not None:  # a gradient computed with create_graph=True
                g.detach_()
            else:
                g.requires_grad_(False)
            g.zero_()


def _with_grads(parameters: Iterable[Tensor] | Tensor) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in params if p._grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: Any = None) -> Tensor:
    """Scale all gradients, in place, by min(1, max_norm/(total + 1e-6)), where total is the
    norm_type-norm of all gradients together (inf: the largest |g|); returns total."""
    params = _with_grads(parameters)
    grads = [p._grad for p in params]
    norm_type = float(norm_type)
    if not grads:
        return Tensor(0.0)
    if norm_type == math.inf:
        total = max(float(np.abs(g._data).max()) if g._data.size else 0.0 for g in grads)
    else:
        total = sum(float((np.abs(g._data.astype(np.float64)) ** norm_type).sum())
                    for g in grads) ** (1.0 / norm_type)
    dtype = grads[0].dtype
    total_t = Tensor(np.array(total, dtype))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeValueError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite, so it cannot be clipped. To disable this error and scale the "
            f"gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = min(float(max_norm) / (float(total_t._data) + 1e-6), 1.0)
    for p in params:  # new arrays: two gradients may share one (the engine reuses them)
        p._grad = Tensor._wrap(p._grad._data * np.asarray(coef, p._grad.dtype))
    return total_t


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: Any = None) -> None:
    """Clamp every gradient, in place, to [−clip_value, clip_value]."""
    c = float(clip_value)
    for p in _with_grads(parameters):
        p._grad = Tensor._wrap(np.clip(p._grad._data, -c, c))


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one vector (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D `vec` into the parameters (their data)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    flat = vec._data
    offset = 0
    for p in parameters:
        n = p.numel()
        p._data = flat[offset:offset + n].reshape(p.shape).astype(p.dtype)
        offset += n
