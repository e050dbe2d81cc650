"""Losses of `nn.functional` beside those of functional.py: l1_loss, smooth_l1_loss,
huber_loss, binary_cross_entropy, kl_div. Each is composed of recorded primitives, so a
target that requires grad gets its gradient, as in PyTorch; `reduction` is "mean" (over
every element), "sum" or "none" (kl_div also takes "batchmean": the sum over the batch
size)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops, tracing
from ..arguments import one_of, real, to_array
from ..methods.arithmetic import where
from ..recording import as_tensor, binary, floating
from ..tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _pair(input: Any, target: Any, op: str) -> tuple[Tensor, Tensor]:
    """(input, target) as float tensors of input's dtype and the same shape (as mse_loss;
    PyTorch broadcasts with a warning); the target keeps its graph."""
    x = floating(as_tensor(input, op))
    if isinstance(target, (list, tuple, range, float, int)):  # Python numbers: once, in x's
        target = to_array(target, x.dtype, op)  # dtype (the default dtype first would round)
    t = as_tensor(target, op)
    if t.dtype.kind not in "fiub":
        raise TypeError(f"{op}: targets must be numbers, got dtype {t.dtype}")
    if t.shape != x.shape:
        raise ValueError(f"{op}: target has shape {t.shape} but the input has shape "
                         f"{x.shape}")
    if t.dtype != x.dtype:
        t = t.to(x.dtype)
    return x, t


def _reduced(losses: Tensor, reduction: str, op: str) -> Tensor:
    one_of(op, "reduction", reduction, REDUCTIONS)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """|input − target|; d/dinput = sign(input − target) (0 where equal)."""
    x, t = _pair(input, target, "l1_loss")
    return _reduced((x - t).abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """½d²/β where |d| < β, else |d| − ½β, for d = input − target (β = 0: the L1 loss);
    huber_loss(δ = β)/β."""
    beta = real("smooth_l1_loss", "beta", beta)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    x, t = _pair(input, target, "smooth_l1_loss")
    d = x - t
    if beta == 0:
        return _reduced(d.abs(), reduction, "smooth_l1_loss")
    return _reduced(_quadratic_then_linear(d, beta) * (1 / beta), reduction, "smooth_l1_loss")


def _quadratic_then_linear(d: Tensor, k: float) -> Tensor:
    """½d² for |d| ≤ k, k(|d| − ½k) beyond, as ½c² + k(|d| − |c|) with c = clamp(d, −k, k):
    no branch computes d² where it could overflow."""
    c = d.clamp(-k, k)
    return c * c * 0.5 + (d.abs() - c.abs()) * k


def huber_loss(input: Tensor, target: Any, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """½d² where |d| ≤ δ, else δ(|d| − ½δ), for d = input − target: δ·smooth_l1 with β = δ."""
    delta = real("huber_loss", "delta", delta)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _pair(input, target, "huber_loss")
    return _reduced(_quadratic_then_linear(x - t, delta), reduction, "huber_loss")


_binary_cross_entropy = binary(ops.BinaryCrossEntropy, "binary_cross_entropy")


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         reduction: str = "mean") -> Tensor:
    """−w·[t·ln p + (1 − t)·ln(1 − p)] for probabilities p = input in [0, 1], each log
    clamped at −100 as PyTorch, so p = 0 or 1 (a saturated sigmoid) gives a finite loss and
    gradient (ops.BinaryCrossEntropy)."""
    x, t = _pair(input, target, "binary_cross_entropy")
    p = x._data
    if p.size and not tracing.checked(((p >= 0) & (p <= 1)).all()):  # a guard under tg.jit
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 "
                         "and 1")
    losses = _binary_cross_entropy(x, t)
    if weight is not None:
        losses = losses * as_tensor(weight, "binary_cross_entropy").to(x.dtype)
    return _reduced(losses, reduction, "binary_cross_entropy")


def kl_div(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Pointwise t·(ln t − input) (0 where t = 0) for log-probabilities `input` and
    probabilities t (with log_target, t given as ln t: eᵗ·(t − input)). "batchmean" divides
    the sum by the batch size input.shape[0], the mathematically right KL divergence."""
    if size_average is not None or reduce is not None:
        raise TypeError("kl_div: size_average and reduce are deprecated; use reduction=")
    one_of("kl_div", "reduction", reduction, REDUCTIONS + ("batchmean",))
    x, t = _pair(input, target, "kl_div")
    if log_target:
        losses = t.exp() * (t - x)
    else:  # ln of 1 where t = 0, so that 0·ln 0 counts as 0 with a finite gradient
        losses = t * where(t > 0, t, np.ones((), t.dtype)).log() - t * x
    if reduction == "batchmean":
        return losses.sum() / (x.shape[0] if x.ndim else 1)
    return _reduced(losses, reduction, "kl_div")
