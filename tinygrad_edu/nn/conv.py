"""Convolution and pooling layers: Conv1d, Conv2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,
AdaptiveAvgPool1d, AdaptiveAvgPool2d, with PyTorch's arguments, attributes, initialisation and
repr. The computing is in `functional_conv`."""

from __future__ import annotations

import math
from typing import Any

from numpy.typing import DTypeLike

from .. import dtypes
from ..arguments import positive_int
from ..generators import generator
from ..tensor import Tensor
from . import functional_conv as F
from .module import Module, Parameter


class _ConvNd(Module):
    """The convolution layer over `d` spatial axes: `weight` (out_channels,
    in_channels / groups, *kernel_size) and `bias` (out_channels,).

    Initialisation is PyTorch's default (kaiming_uniform with a = √5): every entry of weight
    and bias is drawn from U(−1/√fan_in, 1/√fan_in), fan_in = in_channels / groups · Π kernel,
    with the global generator (`tg.manual_seed`)."""

    d = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        op, d = type(self).__name__, self.d
        self.in_channels = positive_int(op, "in_channels", in_channels)
        self.out_channels = positive_int(op, "out_channels", out_channels)
        self.groups = positive_int(op, "groups", groups)
        if in_channels % groups:
            raise ValueError(f"{op}: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"{op}: out_channels ({out_channels}) must be divisible by groups "
                             f"({groups})")
        self.kernel_size = F.expand_arg(op, "kernel_size", kernel_size, d, 1)
        self.stride = F.expand_arg(op, "stride", stride, d, 1)
        self.dilation = F.expand_arg(op, "dilation", dilation, d, 1)
        if isinstance(padding, str):
            F.conv_padding(op, padding, self.kernel_size, self.stride, self.dilation)
            self.padding = padding
        else:
            self.padding = F.expand_arg(op, "padding", padding, d, 0)
        if padding_mode != "zeros":
            choices = ("zeros", "reflect", "replicate", "circular")
            what = "is not supported here" if padding_mode in choices else "is unknown"
            raise ValueError(f"{op}: padding_mode {padding_mode!r} {what}; only 'zeros' is "
                             "(pad with F.pad(x, ..., mode=...) before a convolution with "
                             "padding=0 instead)")
        self.padding_mode = padding_mode
        self.output_padding = (0,) * d
        self.transposed = False
        if device is not None and str(device) != "cpu":
            raise ValueError(f"{op}: only the cpu device exists here, got {device!r}")
        dt = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, op)
        fan_in = self.in_channels // self.groups * math.prod(self.kernel_size)
        bound = 1 / math.sqrt(fan_in)
        rng = generator()
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(rng.uniform(-bound, bound, shape), dtype=dt)
        if bias:
            self.bias = Parameter(rng.uniform(-bound, bound, self.out_channels), dtype=dt)
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        conv = F.conv1d if self.d == 1 else F.conv2d
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)

    def extra_repr(self) -> str:
        d = self.d
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * d:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * d:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """y = conv1d(x, weight, bias): (N, C_in, L) → (N, C_out, L_out) (see `_ConvNd`)."""

    d = 1


class Conv2d(_ConvNd):
    """y = conv2d(x, weight, bias): (N, C_in, H, W) → (N, C_out, H_out, W_out), with
    H_out = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 (see `_ConvNd`)."""

    d = 2


class _MaxPoolNd(Module):
    """The maximum of each window; arguments are kept as given, as PyTorch keeps them."""

    d = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor):
        pool = F.max_pool1d if self.d == 1 else F.max_pool2d
        return pool(input, self.kernel_size, self.stride, self.padding, self.dilation,
                    self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """F.max_pool1d as a layer: (N, C, L) → (N, C, L_out)."""

    d = 1


class MaxPool2d(_MaxPoolNd):
    """F.max_pool2d as a layer: (N, C, H, W) → (N, C, H_out, W_out)."""

    d = 2


class AvgPool1d(Module):
    """F.avg_pool1d as a layer: the mean of each window."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = F.expand_arg("AvgPool1d", "kernel_size", kernel_size, 1, 1)
        self.stride = self.kernel_size if stride is None else F.expand_arg(
            "AvgPool1d", "stride", stride, 1, 1)
        self.padding = F.expand_arg("AvgPool1d", "padding", padding, 1, 0)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """F.avg_pool2d as a layer: the mean of each window (arguments kept as given)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    """The mean over `output_size` windows that cover each spatial axis."""

    d = 2

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        pool = F.adaptive_avg_pool1d if self.d == 1 else F.adaptive_avg_pool2d
        return pool(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """F.adaptive_avg_pool1d as a layer: (N, C, L) → (N, C, output_size)."""

    d = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """F.adaptive_avg_pool2d as a layer: (N, C, H, W) → (N, C, *output_size)."""

    d = 2
