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

import math
from typing import Any

import numpy as np

from .. import ops, tracing
from ..arguments import broadcasts_to, one_of, real
from ..recording import apply, apply1, as_tensor, binary, floating
from ..tensor import Tensor
from .functional_conv import *  # noqa: F403  (convolution, pooling and padding: F.conv2d, ...)
from .functional_layers import (  # noqa: F401 - the F. namespace
    batch_norm,
    cosine_similarity,
    dropout,
    elu,
    embedding,
    gelu,
    hardtanh,
    layer_norm,
    leaky_relu,
    legacy_softmax_dim,
    mish,
    normalize,
    one_hot,
    relu6,
    silu,
)
from .functional_losses import (  # noqa: F401 - the F. namespace
    binary_cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    smooth_l1_loss,
)

REDUCTIONS = ("mean", "sum", "none")


def _scores(x: Any, op: str) -> Tensor:
    """A loss's input as a float tensor: int and bool data become the default dtype."""
    return floating(as_tensor(x, op))


def _targets(y: Any, op: str) -> np.ndarray:
    """Targets as an ndarray; a ragged nested list is refused with a message naming `op`."""
    try:
        return np.asarray(y._data if isinstance(y, Tensor) else y)
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


def _constant(v: Any, name: str, x: Tensor, op: str) -> np.ndarray | None:
    """A loss's weight as an ndarray in x's dtype (None stays None); like PyTorch, a weight
    tensor that requires grad is refused."""
    if v is None:
        return None
    if isinstance(v, Tensor) and v.requires_grad:
        raise RuntimeError(f"{op}: not differentiable with respect to {name}; pass "
                           f"{name}.detach()")
    arr = _targets(v, op)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{op}: {name} must be numbers, got dtype {arr.dtype}")
    return arr.astype(x.dtype)


def _broadcasting(arr: np.ndarray | None, name: str, x: Tensor, op: str) -> np.ndarray | None:
    """`arr`, once checked to broadcast to x's shape."""
    if arr is not None and not broadcasts_to(arr.shape, x.shape):
        raise ValueError(f"{op}: {name} of shape {arr.shape} does not broadcast to the "
                         f"input's shape {x.shape}")
    return arr


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
    return linear_checked(x, weight, bias, "linear")


def linear_checked(x: Any, weight: Any, bias: Any, where: str) -> Tensor:
    """`linear`, with errors naming `where` (nn.Linear passes its own name)."""
    x, weight = as_tensor(x, where), as_tensor(weight, where)
    bias = None if bias is None else as_tensor(bias, where)
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


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """ln(1 + e^(βx)) / β elementwise, or x itself where βx > threshold, as PyTorch's;
    d/dx = θ(βx) (1 above the threshold). `x.softplus()` is the exact ln(1 + eˣ)."""
    beta, threshold = real("softplus", "beta", beta), real("softplus", "threshold", threshold)
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero")
    return apply1(ops.Softplus(beta, threshold), _scores(x, "softplus"))


def softplus_exact(x: Tensor) -> Tensor:
    """ln(1 + eˣ) without PyTorch's threshold: the losses' building block."""
    return x.softplus()


def tanh(x: Tensor) -> Tensor:
    """tanh(x), elementwise; d/dx = 1 − tanh²(x)."""
    return as_tensor(x, "tanh").tanh()


def sigmoid(x: Tensor) -> Tensor:
    """θ(x) = 1 / (1 + e^(−x)), elementwise; d/dx = θ(x)(1 − θ(x))."""
    return as_tensor(x, "sigmoid").sigmoid()


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise; d/dx = 1 for x > 0, else 0."""
    return as_tensor(x, "relu").relu()


def softmax(x: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
            ) -> Tensor:
    """e^(xᵢ) / Σⱼ e^(xⱼ) along `dim` (shifted by the maximum, so no overflow); dim=None is
    PyTorch's legacy choice (see legacy_softmax_dim); `dtype` casts x first."""
    x = as_tensor(x, "softmax")
    x = x if dtype is None else x.to(dtype)
    return x.softmax(legacy_softmax_dim(x.ndim) if dim is None else dim)


def log_softmax(x: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
                ) -> Tensor:
    """xᵢ − ln Σⱼ e^(xⱼ) along `dim` (shifted by the maximum, so no overflow)."""
    x = as_tensor(x, "log_softmax")
    x = x if dtype is None else x.to(dtype)
    return x.log_softmax(legacy_softmax_dim(x.ndim) if dim is None else dim)


# ---------------------------------------------------------------- losses


_squared_error = binary(ops.SquaredError, "mse_loss")


def mse_loss(pred: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error (pred − target)², reduced; `target` must have pred's shape."""
    pred = _scores(pred, "mse_loss")
    one_of("mse_loss", "reduction", reduction, REDUCTIONS)
    if not isinstance(target, Tensor):
        target = _labels(target, pred.shape, "mse_loss").astype(pred.dtype, copy=False)
    elif target.shape != pred.shape:
        raise ValueError(f"mse_loss: target has shape {target.shape} but pred has shape "
                         f"{pred.shape}")
    if reduction == "none":
        diff = pred - target
        return diff * diff
    total = _squared_error(pred, target)  # one node: Σ (pred − target)²
    return total if reduction == "sum" else total / pred.numel()


def squared_error(out: Tensor, target: Any) -> Tensor:
    """The course's error E_in = 1/N Σ_n ‖x_n(L) − y_n‖²: squared error summed over the output
    units and averaged over the N points, the rows of `out` (`target` has out's shape)."""
    return mse_loss(out, target, reduction="sum") / len(out)


def logistic_loss(scores: Tensor, y: Any, reduction: str = "mean") -> Tensor:
    """Cross-entropy of logistic regression: mean of ln(1 + e^(−y s)) = softplus(−y s),
    for labels y ∈ {−1, +1} of the same shape as the scores s."""
    scores = _scores(scores, "logistic_loss")
    one_of("logistic_loss", "reduction", reduction, REDUCTIONS)
    if isinstance(y, Tensor) and y.requires_grad:  # as PyTorch's soft_margin_loss
        raise RuntimeError("logistic_loss: not differentiable with respect to the labels y "
                           "(±1); pass y.detach()")
    y = _labels(y, scores.shape, "logistic_loss")
    off = np.abs(y) != 1  # one pass on the happy path; the message is built only on failure
    if tracing.checked(off.any()):  # (a guard when traced by tg.jit)
        raise ValueError(f"logistic_loss: labels must be -1 or +1, got "
                         f"{np.unique(y[off]).tolist()}")
    return _reduce(softplus_exact(scores * -y.astype(scores.dtype, copy=False)), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, targets: Any, weight: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """w·[p·t·softplus(−z) + (1 − t)·softplus(z)] = −w·[p·t ln θ(z) + (1 − t) ln(1 − θ(z))]
    for targets t in [0, 1] (labels 0 and 1), as PyTorch's.

    `weight` w broadcasts to the logits' shape, `pos_weight` p (weight of positive targets)
    along the last dimension. No cancellation for confident logits. Gradients:
    ∂/∂z = w·[(p·t + 1 − t)·θ(z) − p·t],  ∂/∂t = w·[p·softplus(−z) − softplus(z)] (for a
    target tensor that requires grad; w and p take none, as in PyTorch).
    """
    op = "binary_cross_entropy_with_logits"
    z = _scores(logits, op)
    one_of(op, "reduction", reduction, REDUCTIONS)
    t = _labels(targets, z.shape, op)
    bad = np.unique(t[~((t >= 0) & (t <= 1))])
    if bad.size:
        raise ValueError(f"{op}: targets must lie in [0, 1] (labels 0 and 1), got "
                         f"{bad.tolist()}")
    if isinstance(targets, Tensor) and targets.requires_grad:
        t = targets.to(z.dtype)  # soft targets that require grad stay in the graph
    else:
        t = t.astype(z.dtype)
    w = _broadcasting(_constant(weight, "weight", z, op), "weight", z, op)
    p = _broadcasting(_constant(pos_weight, "pos_weight", z, op), "pos_weight", z, op)
    positive = softplus_exact(-z) if p is None else p * softplus_exact(-z)
    losses = t * positive + (1 - t) * softplus_exact(z)
    return _reduce(losses if w is None else losses * w, reduction)


def cross_entropy(logits: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of softmax(z) along the class dimension (dim 1, or 0 for unbatched (C,)
    logits), as PyTorch's, for (N, C), (C,) or (N, C, d1, ...) logits.

    Class indices c (shape (N,), (), (N, d1, ...)): ℓ = −w[c]·ln softmax(z)[c]; targets equal
    to `ignore_index` add 0, and "mean" divides by Σ w[c] over the other targets. With
    label smoothing ε, ℓ = (1 − ε)·ℓ + (ε/C)·Σₖ −w[k]·ln softmax(z)[k].
    Probabilities q (a float target of the logits' shape, smoothed to (1 − ε)q + ε/C):
    ℓ = −Σₖ w[k]·q[k]·ln softmax(z)[k], "mean" over the N·d1·… points; a target tensor that
    requires grad gets ∂ℓ/∂q = −w·ln softmax(z).
    """
    op = "cross_entropy"
    z = _scores(logits, op)
    if z.ndim == 0:
        raise ValueError(f"{op}: logits must have a class dimension ((C,), (N, C) or "
                         f"(N, C, d1, ...)), got shape {z.shape}")
    return nll_checked(log_softmax(z, 0 if z.ndim == 1 else 1), target, weight, ignore_index,
                       reduction, label_smoothing, op)


def nll_loss(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood −w[c]·input[c] of class indices c, for log-probabilities
    `input` of shape (N, C), (C,) or (N, C, d1, ...): cross_entropy without its log_softmax
    (ignore_index and "mean" over Σ w[c] as there)."""
    z = _scores(input, "nll_loss")
    if z.ndim == 0:
        raise ValueError(f"nll_loss: input must have a class dimension ((C,), (N, C) or "
                         f"(N, C, d1, ...)), got shape {z.shape}")
    if _targets(target, "nll_loss").dtype.kind not in "iu":
        raise TypeError("nll_loss: targets must be class indices of an integer dtype")
    return nll_checked(z, target, weight, ignore_index, reduction, 0.0, "nll_loss")


def nll_checked(logp: Tensor, target: Any, weight: Any, ignore_index: int, reduction: str,
                label_smoothing: float, op: str) -> Tensor:
    """The loss −w[c]·logp[c] (smoothed, or for probability targets) shared by
    cross_entropy and nll_loss, given log-probabilities along dim 1 (dim 0 if 1-d)."""
    z = logp
    one_of(op, "reduction", reduction, REDUCTIONS)
    if z.ndim == 0:
        raise ValueError(f"{op}: logits must have a class dimension ((C,), (N, C) or "
                         f"(N, C, d1, ...)), got shape {z.shape}")
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"{op}: label_smoothing must lie in [0, 1], got {label_smoothing}")
    cdim = 0 if z.ndim == 1 else 1
    n_classes = z.shape[cdim]
    if n_classes == 0:
        raise ValueError(f"{op}: logits need at least one class, got shape {z.shape}")
    w = _constant(weight, "weight", z, op)
    if w is not None and w.shape != (n_classes,):
        raise ValueError(f"{op}: weight must have shape ({n_classes},), got {w.shape}")
    c = _targets(target, op)
    # the class dimension last: one row of C log-probabilities per point
    rows = logp if z.ndim <= 2 else logp.permute(0, *range(2, z.ndim), 1)
    if c.shape == z.shape:
        return _cross_entropy_probabilities(rows, target, c, w, reduction, label_smoothing)
    if c.dtype.kind not in "iu":
        raise TypeError(f"{op}: class indices must be integers, got dtype {c.dtype}")
    if c.shape != rows.shape[:-1]:
        expected = rows.shape[:-1]
        raise ValueError(f"{op}: expected {math.prod(expected)} class indices (shape "
                         f"{expected}) for logits of shape {z.shape}, got shape {c.shape}")
    keep = c != ignore_index
    outside = keep & ((c < 0) | (c >= n_classes))
    if tracing.checked(outside.any()):  # (a guard when traced by tg.jit)
        raise ValueError(f"{op}: class indices must lie in [0, {n_classes}), got "
                         f"{np.unique(c[outside]).tolist()}")
    plain = w is None and tracing.checked(keep.all())  # no weights, nothing ignored: the usual case
    if not plain:
        c = np.where(keep, c, 0)  # an ignored target picks class 0, weighted by 0 below
    rows, c = rows.reshape(-1, n_classes), c.reshape(-1)
    # a target tensor is kept as the index and checked for in-place changes before backward;
    # an array is copied (methods.shape.as_index); a target changed above (ignored classes)
    # is a copy
    index = target.reshape(-1) if plain and isinstance(target, Tensor) else c
    picked = rows[np.arange(rows.shape[0]), index]
    if plain:
        losses = -picked
        if label_smoothing:
            losses = losses * (1 - label_smoothing) - rows.sum(1) * (label_smoothing / n_classes)
        return _reduce(losses.reshape(keep.shape), reduction)
    wc = (np.ones(n_classes, z.dtype) if w is None else w)[c] * keep.reshape(-1)
    losses = -picked * wc
    if label_smoothing:
        smooth = (rows if w is None else rows * w).sum(1) * keep.reshape(-1)
        losses = losses * (1 - label_smoothing) - smooth * (label_smoothing / n_classes)
    losses = losses.reshape(keep.shape)
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: 0/0, as PyTorch
            return losses.sum() / wc.sum()
    return _reduce(losses, reduction)


def _cross_entropy_probabilities(rows: Tensor, target: Any, q: np.ndarray, w, reduction: str,
                                 label_smoothing: float) -> Tensor:
    """`cross_entropy` for probability targets q of the logits' shape, given the rows of
    log-probabilities (class dimension last)."""
    if q.dtype.kind != "f":
        raise TypeError(f"cross_entropy: probabilities must be floating point, got {q.dtype}")
    if isinstance(target, Tensor) and target.requires_grad:
        q = target.to(rows.dtype)  # in the graph: the target gets its gradient
    else:
        q = Tensor._wrap(q.astype(rows.dtype))
    if q.ndim > 2:  # the class dimension last, as in rows
        q = q.permute(0, *range(2, q.ndim), 1)
    if label_smoothing:
        q = q * (1 - label_smoothing) + label_smoothing / rows.shape[-1]
    losses = -(rows * q if w is None else rows * q * w).sum(-1)
    return _reduce(losses, reduction)
