"""Losses and activations as functions of Tensors, numerically stable for any finite input.

The losses are built from a stable softplus,

    softplus(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)),

whose exponent is never positive, so nothing overflows: softplus(1000) = 1000 exactly and
softplus(−1000) = 0. Its derivative is θ(x) = 1 / (1 + e^(−x)) everywhere, including x = 0
(there max(x, 0) passes half the gradient and |x| none, giving θ(0) = ½). The absolute error
is about one rounding of 1 (1e-16 in float64, 6e-8 in float32), so a tiny value such as
softplus(−30) ≈ 9e-14 keeps few correct digits; gradients keep full relative precision.

Every loss takes `reduction`: "mean" (the default), "sum" or "none" (one loss per point).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes, ops
from ..tensor import Tensor, _binary, apply

_REDUCTIONS = ("mean", "sum", "none")


def _tensor(x: Any, op: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{op}: expected a tensor, got {type(x).__name__} ({e})") from None


def _scores(x: Any, op: str) -> Tensor:
    """A loss's input as a float tensor: int and bool data become the default dtype."""
    x = _tensor(x, op)
    return x if dtypes.is_float(x.dtype) else x.to(dtypes.get_default_dtype())


def _targets(y: Any, op: str) -> np.ndarray:
    """Targets as an ndarray; a ragged nested list is refused with a message naming `op`."""
    try:
        return np.asarray(y.data if isinstance(y, Tensor) else y)
    except ValueError as e:
        raise ValueError(f"{op}: targets must be a rectangular nested sequence ({e})") from None


def _labels(y: Any, shape: tuple, op: str) -> np.ndarray:
    """Targets (labels) as an ndarray of the given shape; they never take a gradient."""
    arr = _targets(y, op)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{op}: targets must be numbers, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{op}: targets have shape {arr.shape} but the input has shape {shape}")
    return arr


def _check_reduction(reduction: str, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


# ---------------------------------------------------------------- activations


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """s = x Wᵀ + b for W of shape (out, in) and b of shape (out,), as PyTorch's F.linear;
    rows of x (all its leading axes) are points. One graph node."""
    return _linear(x, weight, bias, "linear")


def _linear(x: Any, weight: Any, bias: Any, where: str) -> Tensor:
    """`linear`, with errors naming `where` (nn.Linear passes its own name)."""
    x, weight = _tensor(x, where), _tensor(weight, where)
    bias = None if bias is None else _tensor(bias, where)
    if weight.ndim != 2:
        raise ValueError(f"{where}: weight must be (out_features, in_features), got shape "
                         f"{weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"{where}: expected input with {weight.shape[1]} features (last "
                         f"dimension) for a weight of shape {weight.shape}, got input of "
                         f"shape {x.shape}")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"{where}: bias of shape {bias.shape} does not fit a weight of shape "
                         f"{weight.shape}; expected ({weight.shape[0]},)")
    return apply(ops.Linear(), x, weight, 0.0 if bias is None else bias)


def softplus(x: Tensor) -> Tensor:
    """ln(1 + eˣ), elementwise, exact for any finite x; d/dx = θ(x)."""
    return _tensor(x, "softplus").softplus()


def tanh(x: Tensor) -> Tensor:
    """tanh(x), elementwise; d/dx = 1 − tanh²(x)."""
    return _tensor(x, "tanh").tanh()


def sigmoid(x: Tensor) -> Tensor:
    """θ(x) = 1 / (1 + e^(−x)), elementwise; d/dx = θ(x)(1 − θ(x))."""
    return _tensor(x, "sigmoid").sigmoid()


def relu(x: Tensor) -> Tensor:
    """max(x, 0), elementwise; d/dx = 1 for x > 0, else 0."""
    return _tensor(x, "relu").relu()


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """e^(xᵢ) / Σⱼ e^(xⱼ) along `dim` (shifted by the maximum, so no overflow)."""
    return _tensor(x, "softmax").softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """xᵢ − ln Σⱼ e^(xⱼ) along `dim` (shifted by the maximum, so no overflow)."""
    return _tensor(x, "log_softmax").log_softmax(dim)


# ---------------------------------------------------------------- losses


def mse_loss(pred: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error (pred − target)², reduced; `target` must have pred's shape."""
    pred = _scores(pred, "mse_loss")
    _check_reduction(reduction, "mse_loss")
    if not isinstance(target, Tensor):
        target = _labels(target, pred.shape, "mse_loss").astype(pred.dtype, copy=False)
    elif target.shape != pred.shape:
        raise ValueError(f"mse_loss: target has shape {target.shape} but pred has shape "
                         f"{pred.shape}")
    if reduction == "none":
        diff = pred - target
        return diff * diff
    total = _binary(ops.SquaredError(), pred, target, "mse_loss")  # one node: Σ (pred − target)²
    return total if reduction == "sum" else total / pred.numel()


def logistic_loss(scores: Tensor, y: Any, reduction: str = "mean") -> Tensor:
    """Cross-entropy of logistic regression: mean of ln(1 + e^(−y s)) = softplus(−y s),
    for labels y ∈ {−1, +1} of the same shape as the scores s."""
    scores = _scores(scores, "logistic_loss")
    _check_reduction(reduction, "logistic_loss")
    y = _labels(y, scores.shape, "logistic_loss")
    off = np.abs(y) != 1  # one pass on the happy path; the message is built only on failure
    if off.any():
        raise ValueError(f"logistic_loss: labels must be -1 or +1, got "
                         f"{np.unique(y[off]).tolist()}")
    return _reduce(softplus(scores * -y.astype(scores.dtype, copy=False)), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, targets: Any,
                                     reduction: str = "mean") -> Tensor:
    """−[t ln θ(z) + (1 − t) ln(1 − θ(z))] for targets t in [0, 1] (labels 0 and 1).

    Written as t·softplus(−z) + (1 − t)·softplus(z): no cancellation for confident logits;
    its gradient is θ(z) − t.
    """
    z = _scores(logits, "binary_cross_entropy_with_logits")
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    t = _labels(targets, z.shape, "binary_cross_entropy_with_logits")
    bad = np.unique(t[~((t >= 0) & (t <= 1))])
    if bad.size:
        raise ValueError(f"binary_cross_entropy_with_logits: targets must lie in [0, 1] "
                         f"(labels 0 and 1), got {bad.tolist()}")
    t = t.astype(z.dtype)
    return _reduce(t * softplus(-z) + (1 - t) * softplus(z), reduction)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """−ln softmax(z)[c] for each row z of (N, C) `logits` and its class index c in [0, C)."""
    z = _scores(logits, "cross_entropy")
    _check_reduction(reduction, "cross_entropy")
    if z.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be (N, C), got shape {z.shape}")
    c = _targets(target, "cross_entropy")
    if c.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: class indices must be integers, got dtype {c.dtype}")
    if c.shape != z.shape[:1]:
        raise ValueError(f"cross_entropy: expected {z.shape[0]} class indices (shape "
                         f"{z.shape[:1]}), got shape {c.shape}")
    bad = np.unique(c[(c < 0) | (c >= z.shape[1])])
    if bad.size:
        raise ValueError(f"cross_entropy: class indices must lie in [0, {z.shape[1]}), "
                         f"got {bad.tolist()}")
    # a target tensor is kept and checked for in-place changes; an array is copied (_index)
    picked = log_softmax(z, 1)[np.arange(z.shape[0]), target if isinstance(target, Tensor) else c]
    return _reduce(-picked, reduction)
