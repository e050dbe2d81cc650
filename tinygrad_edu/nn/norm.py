"""Normalisation layers, as PyTorch's: BatchNorm1d, BatchNorm2d, LayerNorm."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from .. import dtypes
from ..creation import tensor
from ..tensor import Tensor
from . import functional as F
from .module import Module, Parameter


class _BatchNorm(Module):
    """Per-channel normalisation of (N, C, ...) batches.

    training: each channel is normalised with the batch's mean and biased variance, and the
    buffers move: running ← (1 − momentum)·running + momentum·batch, where running_var gets
    the batch's UNBIASED variance; momentum=None makes them the plain average of all batches
    so far (factor 1/num_batches_tracked). eval: running_mean and running_var are used
    (with track_running_stats=False there are none, and batch statistics are used always).
    Then y = weight·x̂ + bias with weight = 1 and bias = 0 initially (if `affine`).
    """

    ndims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 device: object = None, dtype: DTypeLike = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.use_bias = bias
        self.affine, self.track_running_stats = affine, track_running_stats
        d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, "BatchNorm")
        if affine:
            self.weight = Parameter(np.ones(num_features), dtype=d)
            if bias:
                self.bias = Parameter(np.zeros(num_features), dtype=d)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, d)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, d)))
            self.register_buffer("num_batches_tracked", tensor(0))  # int64, as PyTorch
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.detach().fill_(1)
            if self.bias is not None:
                self.bias.detach().zero_()

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self.ndims:
            expected = " or ".join(f"{n}D" for n in self.ndims)
            raise ValueError(f"{type(self).__name__}: expected {expected} input (got "
                             f"{x.ndim}D input)")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}: expected {self.num_features} channels "
                             f"(dim 1), got input of shape {x.shape}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / int(self.num_batches_tracked._data)
        use_batch = self.training or self.running_mean is None
        return F.batch_norm(x, self.running_mean if not self.training or
                            self.track_running_stats else None,
                            self.running_var if not self.training or
                            self.track_running_stats else None,
                            self.weight, self.bias, use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.use_bias}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """BatchNorm over (N, C) or (N, C, L) inputs (statistics per channel C)."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """BatchNorm over (N, C, H, W) inputs (statistics per channel C)."""

    ndims = (4,)


class LayerNorm(Module):
    """Each point normalised over its last dimensions `normalized_shape` (biased variance),
    then y = weight·x̂ + bias, weight = 1 and bias = 0 initially (if elementwise_affine)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: object = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, "LayerNorm")
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape), dtype=d)
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape), dtype=d)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
