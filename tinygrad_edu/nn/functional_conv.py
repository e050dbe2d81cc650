"""Convolution, pooling and padding as functions of Tensors, PyTorch's `F.conv2d`,
`F.max_pool2d`, `F.avg_pool2d`, `F.adaptive_avg_pool2d`, `F.pad` (and their 1-D forms).

Inputs are (N, C, *spatial) or, unbatched, (C, *spatial). The primitives are in
`ops/conv.py`; here the arguments are checked and the geometry worked out. Average pooling
is a convolution with a kernel of ones divided by the window's count, and adaptive average
pooling a product with an averaging matrix on each side: both compositions are exact, so
their derivatives of every order come from the primitives they use.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..arguments import RuntimeTypeError, RuntimeValueError, UnsupportedDtypeError, describe
from ..ops.conv import Conv, Geometry, MaxPool, Pad
from ..recording import as_tensor, wrap
from ..tensor import Tensor


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def expand_arg(op: str, name: str, value: Any, d: int, least: int) -> tuple:
    """An int or a d-tuple of ints ≥ `least` as a d-tuple (kernel_size, stride, padding, ...)."""
    values = (value,) * d if _is_int(value) else value
    if not (isinstance(values, (tuple, list)) and len(values) == d
            and all(_is_int(v) for v in values)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {d} ints, got {value!r}")
    if any(v < least for v in values):
        raise RuntimeValueError(f"{op}: {name} must be ≥ {least}, got {value!r}")
    return tuple(int(v) for v in values)


def batched(x: Any, d: int, op: str) -> tuple:
    """(the input as a float tensor (N, C, *spatial), whether it came without a batch axis)."""
    x = as_tensor(x, op)
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeValueError(f"{op}: expected a {d + 1}-D (unbatched) or {d + 2}-D (batched) "
                                f"input, got {describe(x)}")
    if x.dtype.kind not in "fiu":
        raise UnsupportedDtypeError(f"{op}: not implemented for dtype {x.dtype}")
    return (x, False) if x.ndim == d + 2 else (x.unsqueeze(0), True)


# ---------------------------------------------------------------- convolution


def _conv(d: int, op: str, x, weight, bias, stride, padding, dilation, groups) -> Tensor:
    x, unbatched = batched(x, d, op)
    w = as_tensor(weight, op)
    if w.ndim != d + 2:
        raise RuntimeValueError(f"{op}: weight must be {d + 2}-D (out_channels, "
                                f"in_channels / groups, *kernel), got {describe(w)}")
    if not _is_int(groups) or groups < 1:
        raise RuntimeValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    stride = expand_arg(op, "stride", stride, d, 1)
    dilation = expand_arg(op, "dilation", dilation, d, 1)
    kernel = w.shape[2:]
    if w.dtype != x.dtype or (bias is not None and as_tensor(bias, op).dtype != x.dtype):
        raise RuntimeTypeError(f"{op}: input ({x.dtype}), weight ({w.dtype}) and bias must have "
                               "the same dtype")
    if x.shape[1] != w.shape[1] * groups or w.shape[0] % groups:
        raise RuntimeValueError(
            f"{op}: input of shape {x.shape} and weight of shape {w.shape} with groups={groups}: "
            f"expected input to have {w.shape[1] * groups} channels and out_channels divisible "
            "by groups")
    pads = conv_padding(op, padding, kernel, stride, dilation)
    for size, (lo, hi), k, dil in zip(x.shape[2:], pads, kernel, dilation):
        if size + lo + hi < dil * (k - 1) + 1:
            raise RuntimeValueError(f"{op}: kernel size {tuple(kernel)} (dilation {dilation}) "
                                    f"can't be greater than the padded input of shape {x.shape}")
    y = x.apply_op(Conv(Geometry(stride, pads, dilation, groups)), w)
    if bias is not None:
        b = as_tensor(bias, op)
        if b.shape != (w.shape[0],):
            raise RuntimeValueError(f"{op}: bias must have shape ({w.shape[0]},), got {b.shape}")
        y = y + b.reshape((-1,) + (1,) * d)
    return y.squeeze(0) if unbatched else y


def conv_padding(op: str, padding: Any, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """(before, after) per spatial axis from an int, a tuple, "valid" or "same" (which puts the
    odd one of an even total after, as PyTorch)."""
    d = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding != "same":
            raise RuntimeValueError(f"{op}: invalid padding string {padding!r}, should be "
                                    "'same' or 'valid'")
        if any(s != 1 for s in stride):
            raise RuntimeValueError(f"{op}: padding='same' is not supported for strided "
                                    "convolutions")
        totals = [dil * (k - 1) for k, dil in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in expand_arg(op, "padding", padding, d, 0))


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """y[n, o, i] = b[o] + Σ_{c, k} x̃[n, c, i·stride + k·dilation] w[o, c, k] (a cross-correlation,
    x̃ the zero-padded input); input (N, C, L) or (C, L), weight (O, C / groups, K)."""
    return _conv(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """conv1d over two spatial axes: input (N, C, H, W) or (C, H, W), weight (O, C / groups,
    kH, kW)."""
    return _conv(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------- pooling


def pool_geometry(op: str, shape: tuple, kernel_size, stride, padding, dilation,
                  ceil_mode: bool) -> tuple:
    """(kernel, Geometry, output places) of a pooling window over the spatial axes of `shape`.

    The output has ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1 places (⌈⌉ with ceil_mode, but never one
    whose window starts in the right padding); extra padding after the input lets the last
    window of ceil_mode fit."""
    d = len(shape) - 2
    kernel = expand_arg(op, "kernel_size", kernel_size, d, 1)
    stride = kernel if stride is None or stride == [] else expand_arg(op, "stride", stride, d, 1)
    padding = expand_arg(op, "padding", padding, d, 0)
    dilation = expand_arg(op, "dilation", dilation, d, 1)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise RuntimeValueError(f"{op}: pad should be at most half of effective kernel size, "
                                f"got padding={padding} and kernel_size={kernel}")
    pads, places = [], []
    for size, k, s, p, dil in zip(shape[2:], kernel, stride, padding, dilation):
        span = dil * (k - 1) + 1
        room = size + 2 * p - span
        out = (-(-room // s) if ceil_mode else room // s) + 1
        if ceil_mode and (out - 1) * s >= size + p:
            out -= 1
        if out < 1:
            raise RuntimeValueError(f"{op}: output size is too small for input of shape {shape} "
                                    f"with kernel_size={kernel}, stride={stride}, "
                                    f"padding={padding}, dilation={dilation}")
        pads.append((p, p + max((out - 1) * s + span - (size + 2 * p), 0)))
        places.append(out)
    return kernel, Geometry(stride, tuple(pads), dilation), tuple(places)


def _max_pool(d: int, op: str, x, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    x, unbatched = batched(x, d, op)
    kernel, geometry, _ = pool_geometry(op, x.shape, kernel_size, stride, padding, dilation,
                                        ceil_mode)
    pool = MaxPool(geometry, kernel)
    y = x.apply_op(pool)
    if not return_indices:
        return y.squeeze(0) if unbatched else y
    padded = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], geometry.pads))
    coords = np.unravel_index(pool.index, padded)[2:]
    inside = [c - lo for c, (lo, _) in zip(coords, geometry.pads)]
    indices = wrap(np.ravel_multi_index(inside, x.shape[2:]).astype(np.int64))
    if unbatched:
        return y.squeeze(0), indices.squeeze(0)
    return y, indices


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False):
    """y[n, c, i] = max_k x̃[n, c, i·stride + k·dilation] (x̃ padded with −∞); with
    return_indices also the position in the input of each maximum (the first of a tie)."""
    return _max_pool(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False):
    """max_pool1d over two spatial axes; indices are flat in each (H, W) plane, as PyTorch's."""
    return _max_pool(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def _window_counts(size: int, places: int, k: int, s: int, p: int, include_pad: bool):
    """How many values each window along one axis averages (PyTorch's divisor)."""
    start = np.arange(places) * s - p
    end = np.minimum(start + k, size + p)
    if not include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


def _avg_pool(d: int, op: str, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override) -> Tensor:
    x, unbatched = batched(x, d, op)
    kernel, geometry, places = pool_geometry(op, x.shape, kernel_size, stride, padding, 1,
                                             ceil_mode)
    n, c, *spatial = x.shape
    ones = np.ones((1, 1, *kernel), dtype=x.dtype)
    sums = x.reshape(n * c, 1, *spatial).apply_op(Conv(geometry), ones)
    sums = sums.reshape(n, c, *places)
    if divisor_override is not None:
        if not _is_int(divisor_override) or divisor_override == 0:
            raise RuntimeValueError(f"{op}: divisor must be not zero, got {divisor_override!r}")
        counts = np.asarray(divisor_override)
    else:
        counts = 1
        for size, m, k, s, (p, _) in zip(spatial, places, kernel, geometry.stride,
                                         geometry.pads):
            counts = np.multiply.outer(counts, _window_counts(size, m, k, s, p,
                                                              count_include_pad))
    if x.dtype.kind != "f":  # integers: PyTorch divides and truncates towards zero
        y = sums.div(wrap(counts.astype(x.dtype)), rounding_mode="trunc")
    else:
        y = sums * (1 / counts).astype(x.dtype)
    return y.squeeze(0) if unbatched else y


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """y[n, c, i] = the mean of the window at i·stride of the zero-padded input (the padding
    counted unless count_include_pad=False)."""
    return _avg_pool(1, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """avg_pool1d over two spatial axes; divisor_override replaces the window's count."""
    return _avg_pool(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def averaging_matrix(size: int, places: int, dtype) -> np.ndarray:
    """A (places, size): row i averages x[⌊i·size/places⌋ : ⌈(i + 1)·size/places⌉]."""
    a = np.zeros((places, size), dtype=dtype)
    for i in range(places):
        start, end = (i * size) // places, -(-((i + 1) * size) // places)
        a[i, start:end] = 1 / (end - start)
    return a


def _adaptive_avg_pool(d: int, op: str, x, output_size) -> Tensor:
    x = as_tensor(x, op)
    if x.ndim not in (d + 1, d + 2) or any(n == 0 for n in x.shape[-d:]):
        raise RuntimeValueError(f"{op}: expected a {d + 1}-D or {d + 2}-D input with non-empty "
                                f"spatial axes, got {describe(x)}")
    if x.dtype.kind != "f":
        raise UnsupportedDtypeError(f"{op}: not implemented for dtype {x.dtype}")
    sizes = (output_size,) * d if _is_int(output_size) or output_size is None else output_size
    if not (isinstance(sizes, (tuple, list)) and len(sizes) == d):
        raise TypeError(f"{op}: output_size must be an int or a tuple of {d}, got "
                        f"{output_size!r}")
    spatial = x.shape[-d:]
    sizes = tuple(n if m is None else expand_arg(op, "output_size", m, 1, 1)[0]
                  for n, m in zip(spatial, sizes))
    if d == 1:
        return x @ averaging_matrix(spatial[0], sizes[0], x.dtype).T
    rows = averaging_matrix(spatial[0], sizes[0], x.dtype)
    cols = averaging_matrix(spatial[1], sizes[1], x.dtype)
    return rows @ (x @ cols.T)


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:
    """The mean of `output_size` windows that cover the length, as PyTorch cuts them."""
    return _adaptive_avg_pool(1, "adaptive_avg_pool1d", input, output_size)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """adaptive_avg_pool1d on both spatial axes (None keeps an axis's size): a mean over a
    rectangle is the product of the two 1-D means, y = A_H x A_Wᵀ."""
    return _adaptive_avg_pool(2, "adaptive_avg_pool2d", input, output_size)


# ---------------------------------------------------------------- padding


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """x with `pad` = (before, after, before, after, ...) added to its last axes, last axis
    first: `value` (0) for mode="constant" (negative widths crop), or the input's own values
    mirrored ("reflect"), repeated from the edge ("replicate") or wrapped ("circular")."""
    x = as_tensor(input, "pad")
    if not (isinstance(pad, (tuple, list)) and len(pad) % 2 == 0
            and all(_is_int(p) for p in pad)):
        raise TypeError(f"pad: pad must be a tuple of an even number of ints, got {pad!r}")
    if len(pad) // 2 > x.ndim:
        raise RuntimeValueError(f"pad: padding length {len(pad)} is too large for an input "
                                f"with {x.ndim} dimensions")
    if mode not in PAD_MODES:
        raise NotImplementedError(f"pad: unknown padding mode {mode!r}, expected one of "
                                  f"{PAD_MODES}")
    pairs = tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2))[::-1]
    if mode == "constant":
        fill = 0.0 if value is None else value
        return x.apply_op(Pad(pairs, fill))
    if value:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in a value argument")
    for axis, (lo, hi) in zip(range(x.ndim - len(pairs), x.ndim), pairs):
        n = x.shape[axis]
        if lo < 0 or hi < 0:
            raise RuntimeValueError(f"pad: negative padding is only supported by mode "
                                    f"'constant', got {pad!r} with mode {mode!r}")
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeValueError(f"pad: padding ({lo}, {hi}) should be less than the size "
                                    f"{n} of dimension {axis} for mode 'reflect'")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeValueError(f"pad: padding ({lo}, {hi}) should be at most the size "
                                    f"{n} of dimension {axis} for mode 'circular'")
        if n == 0 and (lo or hi):
            raise RuntimeValueError(f"pad: cannot pad the empty dimension {axis} in mode {mode!r}")
        positions = np.arange(-lo, n + hi)
        if mode == "reflect":
            positions = (n - 1) - np.abs((n - 1) - np.abs(positions))
        elif mode == "replicate":
            positions = np.clip(positions, 0, n - 1)
        else:
            positions = positions % n
        x = x[(slice(None),) * axis + (positions,)]
    return x


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "conv1d",
           "conv2d", "max_pool1d", "max_pool2d", "pad"]
