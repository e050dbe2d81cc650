"""The `F.` forms of activations and layers: elu, leaky_relu, gelu, silu, mish, hardtanh,
relu6, one_hot, embedding, dropout, layer_norm, batch_norm, normalize, cosine_similarity.

Each activation is composed from recorded primitives (where, erf, tanh, sigmoid, expm1,
clamp), exactly, so gradients and second derivatives come from those primitives' rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..arguments import RuntimeTypeError, RuntimeValueError, one_of, real
from ..autograd.grad_mode import no_grad
from ..generators import generator
from ..methods.arithmetic import where
from ..recording import as_tensor, floating
from ..tensor import Tensor

# ---------------------------------------------------------------- activations


def _x(x: Any, op: str) -> Tensor:
    return floating(as_tensor(x, op))


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, α(eˣ − 1) otherwise; d/dx = 1 for x > 0, α eˣ otherwise (α at 0)."""
    x = _x(x, "elu")
    return where(x > 0, x, np.expm1(x) * real("elu", "alpha", alpha))


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, slope·x otherwise; d/dx = 1 for x > 0, slope otherwise (slope at 0)."""
    x = _x(x, "leaky_relu")
    return where(x > 0, x, x * real("leaky_relu", "negative_slope", negative_slope))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) = ½x(1 + erf(x/√2)); with approximate="tanh",
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    one_of("gelu", "approximate", approximate, ("none", "tanh"))
    x = _x(x, "gelu")
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * math.sqrt(2 / math.pi)
        return x * 0.5 * (inner.tanh() + 1)
    return x * 0.5 * ((x * (1 / math.sqrt(2))).erf() + 1)


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """x·θ(x), θ the logistic sigmoid (also called swish)."""
    x = _x(x, "silu")
    return x * x.sigmoid()


def mish(x: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(ln(1 + eˣ))."""
    x = _x(x, "mish")
    return x * x.softplus().tanh()


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; d/dx = 1 strictly inside, 0 at and beyond the ends
    (PyTorch's choice, unlike clamp's, which passes the gradient at the ends)."""
    lo, hi = real("hardtanh", "min_val", min_val), real("hardtanh", "max_val", max_val)
    if lo > hi:
        raise ValueError(f"hardtanh: min_val {lo} cannot be greater than max_val {hi}")
    x = as_tensor(x, "hardtanh")
    return where((x > lo) & (x < hi), x, x.clamp(lo, hi).detach())


def relu6(x: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    return hardtanh(x, 0.0, 6.0)


def legacy_softmax_dim(ndim: int) -> int:
    """The dimension PyTorch picks when Softmax is given dim=None: 0 for 0-, 1- and 3-d
    inputs, else 1."""
    return 0 if ndim in (0, 1, 3) else 1


# ---------------------------------------------------------------- layers


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(…,) integer classes → (…, num_classes) int64 with a 1 at each class; num_classes=−1
    takes the largest class + 1."""
    c = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if c.dtype.kind not in "iu":
        raise RuntimeTypeError("one_hot is only applicable to index tensor of integer dtype")
    if c.size and c.min() < 0:
        raise RuntimeValueError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        if c.size == 0:
            raise RuntimeValueError("one_hot: Can not infer total number of classes from "
                                    "empty tensor.")
        num_classes = int(c.max()) + 1
    elif c.size and c.max() >= num_classes:
        raise RuntimeValueError("one_hot: Class values must be smaller than num_classes.")
    return Tensor._wrap((c[..., None] == np.arange(num_classes)).astype(np.int64))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` picked by the integer `input` (any shape) → input.shape + (dim,).
    No gradient reaches the row `padding_idx`; `max_norm` rescales the rows looked up, in
    place, to norm ≤ max_norm first (as PyTorch)."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeTypeError(f"embedding: expected indices of an integer dtype, got "
                                f"{idx.dtype}")
    weight = as_tensor(weight, "embedding")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D, got shape {weight.shape}")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError(f"embedding: index out of range: indices must lie in [0, {n}), got "
                         f"values from {idx.min()} to {idx.max()}")
    if max_norm is not None:
        rows = np.unique(idx)
        w = weight._data[rows]
        norms = (np.abs(w) ** norm_type).sum(1) ** (1 / norm_type)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        new = weight._data.copy()
        new[rows] = w * scale[:, None].astype(w.dtype)
        with no_grad():
            weight.copy_(new)
    out = weight[input if isinstance(input, Tensor) else idx]
    if padding_idx is not None:
        mask = idx == padding_idx % n
        if mask.any():
            out = where(mask[..., None], out.detach(), out)
    return out


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
            ) -> Tensor:
    """In training, each element is zeroed with probability p and the rest scaled by
    1/(1 − p), so the expectation is unchanged; otherwise the input itself."""
    if not 0 <= real("dropout", "p", p) <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = as_tensor(input, "dropout")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    keep = generator().random(x.shape) >= p
    return x * (keep * (1 / (1 - p))).astype(x.dtype)


def _normalized(x: Tensor, dims: tuple, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x − mean)/√(var + eps) over `dims` with the biased variance; also mean and var."""
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, keepdim=True, correction=0)
    return (x - mean) * (var + eps).rsqrt(), mean, var


def layer_norm(input: Tensor, normalized_shape: Sequence[int] | int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Each point normalised over its last len(normalized_shape) dimensions (biased
    variance), then scaled by `weight` and shifted by `bias` (of normalized_shape)."""
    x = _x(input, "layer_norm")
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise RuntimeValueError(f"layer_norm: given normalized_shape={list(shape)}, expected "
                                f"input with shape [*, {', '.join(map(str, shape))}], but got "
                                f"input of size {list(x.shape)}")
    y, _, _ = _normalized(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of (N, C, ...) over all other dimensions.

    training: with the batch's mean and biased variance; the running statistics (if given)
    move towards the batch's: r ← (1 − momentum)·r + momentum·s, with the UNBIASED variance
    n/(n − 1)·var for running_var. Otherwise: with running_mean and running_var.
    """
    x = _x(input, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got {x.shape}")
    c = x.shape[1]
    view = (1, c) + (1,) * (x.ndim - 2)
    if training:
        n = x.numel() // c
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {list(x.shape)}")
        dims = (0, *range(2, x.ndim))
        y, mean, var = _normalized(x, dims, eps)
        if running_mean is not None:
            with no_grad():
                m = momentum
                running_mean.copy_(running_mean._data * (1 - m) + mean._data.reshape(c) * m)
                unbiased = var._data.reshape(c) * (n / (n - 1))
                running_var.copy_(running_var._data * (1 - m) + unbiased * m)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when not "
                             "training")
        y = (x - running_mean.reshape(view)) * (running_var.reshape(view) + eps).rsqrt()
    if weight is not None:
        y = y * weight.reshape(view)
    if bias is not None:
        y = y + bias.reshape(view)
    return y


def _pnorm(x: Tensor, p: float, dim: int) -> Tensor:
    if p == 2:
        return np.linalg.norm(x, axis=dim, keepdims=True)
    if p == math.inf:
        return x.abs().amax(dim, keepdim=True)
    return (x.abs() ** p).sum(dim, keepdim=True) ** (1 / p)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along `dim`."""
    x = _x(input, "normalize")
    return x / _pnorm(x, p, dim).clamp_min(eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/max(‖x1‖, eps))·(x2/max(‖x2‖, eps)) along `dim` (inputs broadcast), as PyTorch."""
    a, b = _x(x1, "cosine_similarity"), _x(x2, "cosine_similarity")
    return ((a / _pnorm(a, 2, dim).clamp_min(eps)) * (b / _pnorm(b, 2, dim).clamp_min(eps))
            ).sum(dim)
