"""Convolution, pooling and padding as PyTorch has them on the CPU: F.conv1d/conv2d,
max/avg/adaptive pooling, F.pad and the layers Conv1d, Conv2d, MaxPool2d, AvgPool2d,
AdaptiveAvgPool2d. Every test checks against numpy or a closed form; with torch importable it
checks against torch as well (values, gradients, second derivatives, errors, reprs)."""

import warnings

import numpy as np
import pytest
from op_table.conv import conv_ref

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F

RNG = np.random.default_rng(0)


def maybe_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def conv2d_ref(x, w, b, stride, padding, dilation, groups):
    """conv2d by its definition with per-axis (tuple) stride, padding and dilation."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = w.shape[2:]
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    og, cg = w.shape[0] // groups, w.shape[1]
    for i, j in np.ndindex(oh, ow):
        window = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
        for g in range(groups):
            out[:, g * og:(g + 1) * og, i, j] = np.einsum(
                "nckl,ockl->no", window[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og])
    return out + b[:, None, None]


CONV_CASES = [  # stride, padding, dilation, groups
    ((1, 1), (0, 0), (1, 1), 1),
    ((2, 1), (1, 2), (1, 2), 1),
    ((1, 2), (2, 0), (2, 1), 2),
    ((3, 2), (1, 1), (1, 1), 4),
]


@pytest.mark.parametrize("stride, padding, dilation, groups", CONV_CASES)
def test_conv2d_values_and_gradients(stride, padding, dilation, groups):
    x = RNG.standard_normal((2, 4, 9, 8))
    w = RNG.standard_normal((8, 4 // groups, 3, 2))
    b = RNG.standard_normal(8)
    xt, wt, bt = (tg.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.conv2d(xt, wt, bt, stride, padding, dilation, groups)
    np.testing.assert_allclose(y.numpy(), conv2d_ref(x, w, b, stride, padding, dilation, groups),
                               rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(y.shape)
    (y * tg.tensor(g)).sum().backward()
    # a linear map's gradient: ∂/∂b = Σ g over everything but the channel
    np.testing.assert_allclose(bt.grad.numpy(), g.sum(axis=(0, 2, 3)))
    torch = maybe_torch()
    if torch is None:
        return
    X, W, B = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    Y = torch.nn.functional.conv2d(X, W, B, stride, padding, dilation, groups)
    (Y * torch.tensor(g)).sum().backward()
    for ours, theirs in ((y, Y), (xt.grad, X.grad), (wt.grad, W.grad), (bt.grad, B.grad)):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10,
                                   atol=1e-10)


def test_conv1d_matches_the_definition_and_torch():
    x, w, b = RNG.standard_normal((2, 3, 11)), RNG.standard_normal((6, 1, 4)), RNG.standard_normal(6)
    y = F.conv1d(tg.tensor(x), tg.tensor(w), tg.tensor(b), stride=2, padding=2, dilation=2,
                 groups=3)
    np.testing.assert_allclose(y.numpy(), conv_ref(x, w, b, 2, 2, 2), rtol=1e-12)
    torch = maybe_torch()
    if torch is not None:
        theirs = torch.nn.functional.conv1d(torch.tensor(x), torch.tensor(w), torch.tensor(b),
                                            stride=2, padding=2, dilation=2, groups=3)
        np.testing.assert_allclose(y.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((2, 4), 1), ((2, 3), (3, 2))])
def test_padding_same_keeps_the_size_and_puts_the_odd_one_after(kernel, dilation):
    x, w = RNG.standard_normal((1, 2, 6, 7)), RNG.standard_normal((3, 2, *kernel))
    y = F.conv2d(tg.tensor(x), tg.tensor(w), padding="same", dilation=dilation)
    assert y.shape == (1, 3, 6, 7)
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    totals = [di * (k - 1) for di, k in zip(d, kernel)]
    padded = np.pad(x, ((0, 0), (0, 0), *[(t // 2, t - t // 2) for t in totals]))
    np.testing.assert_allclose(y.numpy(), conv2d_ref(padded, w, np.zeros(3), (1, 1), (0, 0), d, 1),
                               rtol=1e-12, atol=1e-12)
    valid = F.conv2d(tg.tensor(x), tg.tensor(w), padding="valid", dilation=dilation)
    assert valid.shape == (1, 3, 6 - totals[0], 7 - totals[1])
    torch = maybe_torch()
    if torch is not None:
        with warnings.catch_warnings():  # torch warns (once) of a copy for an odd total
            warnings.simplefilter("ignore")
            theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding="same",
                                                dilation=dilation)
        np.testing.assert_allclose(y.numpy(), theirs.numpy(), rtol=1e-12)


def test_unbatched_input_gives_unbatched_output():
    x, w = RNG.standard_normal((2, 5, 5)), RNG.standard_normal((3, 2, 3, 3))
    y = F.conv2d(tg.tensor(x), tg.tensor(w), padding=1)
    assert y.shape == (3, 5, 5)
    np.testing.assert_allclose(y.numpy(), F.conv2d(tg.tensor(x[None]), tg.tensor(w),
                                                   padding=1).numpy()[0])
    assert F.max_pool2d(tg.tensor(x), 2).shape == (2, 2, 2)
    assert F.avg_pool2d(tg.tensor(x), 2).shape == (2, 2, 2)
    assert F.adaptive_avg_pool2d(tg.tensor(x), 1).shape == (2, 1, 1)


def test_float32_stays_float32_through_values_and_gradients():
    x = tg.tensor(RNG.standard_normal((2, 1, 6, 6)).astype(np.float32))
    conv = nn.Conv2d(1, 4, 3)
    y = F.avg_pool2d(F.max_pool2d(conv(x), 2, 1), 2)
    y.sum().backward()
    assert y.dtype == np.float32 and conv.weight.grad.dtype == np.float32


def test_integer_inputs_compute_in_integers_as_pytorch():
    x = np.array([[[[-7, 2, 5], [1, 1, 1], [3, -4, 2]]]])
    xt = tg.tensor(x)
    conv = F.conv2d(xt, tg.ones(1, 1, 2, 2, dtype=tg.int64), padding=1)
    assert conv.dtype == np.int64
    np.testing.assert_array_equal(conv.numpy(), conv2d_ref(x, np.ones((1, 1, 2, 2)), np.zeros(1),
                                                           (1, 1), (1, 1), (1, 1), 1))
    # the mean of each window, truncated towards zero: (−7 + 2 + 1 + 1) / 4 = −0.75 → 0
    np.testing.assert_array_equal(F.avg_pool2d(xt, 2, 1).numpy(), [[[[0, 2], [0, 0]]]])
    # the padding never wins a maximum, also for integers
    np.testing.assert_array_equal(F.max_pool2d(xt, 2, 2, padding=1).numpy(),
                                  [[[[-7, 5], [3, 2]]]])
    with pytest.raises(NotImplementedError, match="adaptive_avg_pool2d"):
        F.adaptive_avg_pool2d(xt, 1)
    torch = maybe_torch()
    if torch is not None:
        X = torch.tensor(x)
        theirs = [torch.nn.functional.conv2d(X, torch.ones(1, 1, 2, 2, dtype=torch.long),
                                             padding=1),
                  torch.nn.functional.avg_pool2d(X, 2, 1),
                  torch.nn.functional.max_pool2d(X, 2, 2, padding=1)]
        ours = [conv, F.avg_pool2d(xt, 2, 1), F.max_pool2d(xt, 2, 2, padding=1)]
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert str(b.dtype) == f"torch.{a.dtype}"
        with pytest.raises(NotImplementedError):
            torch.nn.functional.adaptive_avg_pool2d(X, 2)


def test_second_derivatives_match_torch_for_a_gradient_penalty():
    """d/dw of ‖∂L/∂x‖², L = Σ pool(tanh(conv(x, w))): the conv's rule differentiated again."""
    x, w = RNG.standard_normal((2, 2, 6, 6)), RNG.standard_normal((4, 1, 3, 3))

    def penalty(lib, fn, xt, wt):
        y = fn.max_pool2d(lib.tanh(fn.conv2d(xt, wt, stride=1, padding=1, groups=2)), 2)
        (gx,) = lib.autograd.grad(y.sum(), [xt], create_graph=True)
        return (gx * gx).sum()

    xt, wt = tg.tensor(x, requires_grad=True), tg.tensor(w, requires_grad=True)
    penalty(tg, F, xt, wt).backward()
    assert tg.autograd.gradgradcheck(lambda a, b: F.conv2d(a, b, padding=1, groups=2),
                                     (tg.tensor(x[:1, :, :4, :4], requires_grad=True),
                                      tg.tensor(w[:, :, :2, :2], requires_grad=True)))
    torch = maybe_torch()
    if torch is not None:
        X, W = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        penalty(torch, torch.nn.functional, X, W).backward()
        np.testing.assert_allclose(wt.grad.numpy(), W.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(xt.grad.numpy(), X.grad.numpy(), rtol=1e-9, atol=1e-10)


def test_conv_errors_name_the_operation_and_match_torch_types():
    x, w = tg.randn(1, 4, 5, 5), tg.randn(2, 4, 3, 3)
    bad = [
        (lambda: F.conv2d(x, tg.randn(2, 3, 3, 3)), RuntimeError, "channels"),
        (lambda: F.conv2d(x, w, groups=3), RuntimeError, "groups"),
        (lambda: F.conv2d(x, tg.randn(2, 4, 6, 6)), RuntimeError, "kernel size"),
        (lambda: F.conv2d(x, w, stride=2, padding="same"), RuntimeError, "strided"),
        (lambda: F.conv2d(x, w, padding="full"), RuntimeError, "padding string"),
        (lambda: F.conv2d(x, w.double()), RuntimeError, "same dtype"),
        (lambda: F.conv2d(tg.ones(1, 4, 5, 5, dtype=tg.int64), w), RuntimeError, "same dtype"),
        (lambda: F.conv2d(tg.tensor(np.ones((1, 4, 5, 5), bool)), w), NotImplementedError, "bool"),
        (lambda: F.conv2d(tg.randn(4, 5), w), RuntimeError, "3-D"),
        (lambda: F.conv2d(x, w, stride=0), RuntimeError, "stride"),
        (lambda: F.conv2d(x, w, tg.randn(3)), RuntimeError, "bias"),
    ]
    for call, error, words in bad:
        with pytest.raises(error, match=words) as info:
            call()
        assert "conv2d" in str(info.value)
    torch = maybe_torch()
    if torch is not None:
        X, W = torch.randn(1, 4, 5, 5), torch.randn(2, 4, 3, 3)
        for call in (lambda: torch.nn.functional.conv2d(X, torch.randn(2, 3, 3, 3)),
                     lambda: torch.nn.functional.conv2d(X, torch.randn(2, 4, 6, 6)),
                     lambda: torch.nn.functional.conv2d(X, W, stride=2, padding="same"),
                     lambda: torch.nn.functional.conv2d(X, W.double()),
                     lambda: torch.nn.functional.conv2d(X, W, padding="full")):
            with pytest.raises(RuntimeError):
                call()


# ---------------------------------------------------------------- layers


def test_conv2d_layer_has_pytorch_attributes_init_and_repr():
    tg.manual_seed(0)
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    assert (conv.kernel_size, conv.stride, conv.padding, conv.dilation, conv.groups) == (
        (3, 2), (2, 2), (1, 1), (1, 1), 2)
    assert list(conv.state_dict()) == ["weight", "bias"]
    bound = 1 / np.sqrt(2 * 3 * 2)  # kaiming_uniform(a=√5): 1/√fan_in, fan_in = 2·3·2
    for p in (conv.weight, conv.bias):
        assert p.dtype == np.float32 and np.abs(p.numpy()).max() <= bound
    assert np.abs(conv.weight.numpy()).max() > 0.8 * bound  # spread over the whole interval
    no_bias = nn.Conv1d(2, 3, 5, padding="same", bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]
    reprs = [repr(conv), repr(no_bias), repr(nn.Conv2d(1, 8, 3))]
    assert reprs == [
        "Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), groups=2)",
        "Conv1d(2, 3, kernel_size=(5,), stride=(1,), padding=same, bias=False)",
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"]
    x = tg.randn(1, 4, 7, 6)
    expected = F.conv2d(x, conv.weight, conv.bias, 2, 1, 1, 2)
    np.testing.assert_array_equal(conv(x).detach().numpy(), expected.detach().numpy())
    torch = maybe_torch()
    if torch is not None:
        assert reprs == [repr(torch.nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)),
                         repr(torch.nn.Conv1d(2, 3, 5, padding="same", bias=False)),
                         repr(torch.nn.Conv2d(1, 8, 3))]


def test_conv_layer_refuses_other_padding_modes_and_bad_sizes():
    with pytest.raises(ValueError, match="padding_mode 'reflect' is not supported"):
        nn.Conv2d(1, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode 'mirror' is unknown"):
        nn.Conv2d(1, 2, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(RuntimeError, match="strided"):
        nn.Conv2d(1, 2, 3, stride=2, padding="same")
    torch = maybe_torch()
    if torch is not None:
        for kwargs in ({"groups": 2}, {"padding_mode": "mirror"}, {"stride": 2, "padding": "same"}):
            with pytest.raises(ValueError):
                torch.nn.Conv2d(3, 4, 3, **kwargs)


def test_pooling_layers_keep_their_arguments_and_repr():
    layers = [nn.MaxPool2d(2), nn.MaxPool2d((3, 2), stride=1, padding=1, ceil_mode=True),
              nn.AvgPool2d(3, 2, 1), nn.AdaptiveAvgPool2d((1, None))]
    expected = ["MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
                "MaxPool2d(kernel_size=(3, 2), stride=1, padding=1, dilation=1, ceil_mode=True)",
                "AvgPool2d(kernel_size=3, stride=2, padding=1)",
                "AdaptiveAvgPool2d(output_size=(1, None))"]
    assert [repr(m) for m in layers] == expected
    x = tg.randn(2, 3, 6, 5)
    assert [tuple(m(x).shape) for m in layers] == [(2, 3, 3, 2), (2, 3, 6, 6), (2, 3, 3, 3),
                                                    (2, 3, 1, 5)]
    y, index = nn.MaxPool2d(2, return_indices=True)(x)
    assert index.dtype == np.int64 and y.shape == index.shape
    torch = maybe_torch()
    if torch is not None:
        theirs = [torch.nn.MaxPool2d(2), torch.nn.MaxPool2d((3, 2), 1, 1, ceil_mode=True),
                  torch.nn.AvgPool2d(3, 2, 1), torch.nn.AdaptiveAvgPool2d((1, None))]
        assert [repr(m) for m in theirs] == expected


# ---------------------------------------------------------------- pooling


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = tg.ones(1, 1, 4, 4, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    first = np.zeros((4, 4))
    first[::2, ::2] = 1  # the top-left place of each window
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], first)
    _, index = F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(index.numpy()[0, 0], [[0, 2], [8, 10]])
    torch = maybe_torch()
    if torch is not None:
        X = torch.ones(1, 1, 4, 4, requires_grad=True)
        torch.nn.functional.max_pool2d(X, 2).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), X.grad.numpy())


def test_max_pool_nan_wins_and_the_last_nan_takes_the_gradient():
    x = np.array([[[[1.0, np.nan, 3.0, np.nan], [np.nan, 0.0, 2.0, 5.0]]]])
    xt = tg.tensor(x, requires_grad=True)
    y, index = F.max_pool2d(xt, 2, return_indices=True)
    assert np.isnan(y.numpy()).all()
    np.testing.assert_array_equal(index.numpy(), [[[[4, 3]]]])  # PyTorch's loop: last NaN
    y.sum().backward()
    np.testing.assert_array_equal(xt.grad.numpy(), [[[[0, 0, 0, 1], [1, 0, 0, 0]]]])
    torch = maybe_torch()
    if torch is not None:
        X = torch.tensor(x, requires_grad=True)
        Y, their_index = torch.nn.functional.max_pool2d(X, 2, return_indices=True)
        Y.sum().backward()
        np.testing.assert_array_equal(index.numpy(), their_index.numpy())
        np.testing.assert_array_equal(xt.grad.numpy(), X.grad.numpy())


def test_max_pool_overlapping_windows_add_their_gradients():
    x = tg.tensor([[[[0.0, 5.0, 1.0], [2.0, 3.0, 4.0], [1.0, 0.0, 1.0]]]], requires_grad=True)
    y = F.max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(y.numpy()[0, 0], [[5, 5], [3, 4]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[0, 2, 0], [0, 1, 1], [0, 0, 0]])


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": (2, 3), "stride": (2, 1), "padding": (1, 1), "dilation": (2, 1)},
    {"kernel_size": 2, "stride": 3, "padding": 1, "ceil_mode": True},
])
def test_max_pool_values_indices_and_gradient(kwargs):
    x = RNG.permutation(2 * 3 * 7 * 8).reshape(2, 3, 7, 8).astype(np.float64)  # no ties
    xt = tg.tensor(x, requires_grad=True)
    y, index = F.max_pool2d(xt, return_indices=True, **kwargs)
    # each output is the input at its index, and every index lies in its own window
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, index.numpy().reshape(2, 3, -1), -1),
                                  y.numpy().reshape(2, 3, -1))
    y.sum().backward()
    counts = np.zeros_like(flat)
    for n, c in np.ndindex(2, 3):
        np.add.at(counts[n, c], index.numpy()[n, c].ravel(), 1)
    np.testing.assert_array_equal(xt.grad.numpy(), counts.reshape(x.shape))
    torch = maybe_torch()
    if torch is not None:
        Y, their_index = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True,
                                                        **kwargs)
        np.testing.assert_array_equal(y.numpy(), Y.numpy())
        np.testing.assert_array_equal(index.numpy(), their_index.numpy())


def test_max_pool_ceil_mode_sizes_follow_the_formula():
    # ⌈(L + 2p − k) / s⌉ + 1, less one if the last window would start in the right padding
    for size, k, s, p in [(5, 2, 2, 0), (6, 3, 2, 1), (7, 2, 3, 1), (4, 3, 3, 1)]:
        out = -(-(size + 2 * p - k) // s) + 1
        out -= (out - 1) * s >= size + p
        assert F.max_pool2d(tg.randn(1, 1, size, size), k, s, p, ceil_mode=True).shape[-1] == out


def test_max_pool_refuses_wide_padding():
    with pytest.raises(RuntimeError, match="max_pool2d: pad should be at most half"):
        F.max_pool2d(tg.randn(1, 1, 5, 5), 2, padding=2)
    torch = maybe_torch()
    if torch is not None:
        with pytest.raises(RuntimeError, match="pad should be at most half"):
            torch.nn.functional.max_pool2d(torch.randn(1, 1, 5, 5), 2, padding=2)


def avg_pool_ref(x, k, s, p, ceil_mode, count_include_pad, divisor=None):
    """Mean over each window, by its definition (PyTorch's divisor at the borders)."""
    h, w = x.shape[2:]

    def starts(size):
        out = (-(-(size + 2 * p - k) // s) if ceil_mode else (size + 2 * p - k) // s) + 1
        out -= ceil_mode and (out - 1) * s >= size + p
        return [i * s - p for i in range(out)]

    out = np.zeros(x.shape[:2] + (len(starts(h)), len(starts(w))))
    for (i, r), (j, c) in ((a, b) for a in enumerate(starts(h)) for b in enumerate(starts(w))):
        r_end, c_end = min(r + k, h + p), min(c + k, w + p)
        inside = x[:, :, max(r, 0):min(r_end, h), max(c, 0):min(c_end, w)].sum(axis=(2, 3))
        if divisor is not None:
            count = divisor
        elif count_include_pad:
            count = (r_end - r) * (c_end - c)
        else:
            count = (min(r_end, h) - max(r, 0)) * (min(c_end, w) - max(c, 0))
        out[:, :, i, j] = inside / count
    return out


@pytest.mark.parametrize("k, s, p, ceil_mode, include, divisor", [
    (2, 2, 0, False, True, None), (3, 2, 1, False, True, None), (3, 2, 1, False, False, None),
    (3, 2, 1, True, True, None), (3, 2, 1, True, False, None), (2, 3, 1, True, True, None),
    (3, 2, 0, False, True, 4),
])
def test_avg_pool_matches_the_definition(k, s, p, ceil_mode, include, divisor):
    x = RNG.standard_normal((2, 2, 7, 8))
    xt = tg.tensor(x, requires_grad=True)
    y = F.avg_pool2d(xt, k, s, p, ceil_mode, include, divisor)
    np.testing.assert_allclose(y.numpy(), avg_pool_ref(x, k, s, p, ceil_mode, include, divisor),
                               rtol=1e-12)
    y.sum().backward()
    torch = maybe_torch()
    if torch is not None:
        X = torch.tensor(x, requires_grad=True)
        Y = torch.nn.functional.avg_pool2d(X, k, s, p, ceil_mode, include, divisor)
        Y.sum().backward()
        np.testing.assert_allclose(y.numpy(), Y.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(xt.grad.numpy(), X.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("size", [1, 2, 3, (4, 5), (7, 8), (5, None)])
def test_adaptive_avg_pool_windows_as_pytorch_cuts_them(size):
    x = RNG.standard_normal((2, 3, 7, 8))
    y = F.adaptive_avg_pool2d(tg.tensor(x), size)
    if isinstance(size, int):
        np.testing.assert_allclose(y.numpy(), _adaptive(x, (size, size)), rtol=1e-12)
    else:
        np.testing.assert_allclose(y.numpy(), _adaptive(x, (size[0], size[1] or 8)), rtol=1e-12)
    torch = maybe_torch()
    if torch is not None:
        np.testing.assert_allclose(y.numpy(), torch.nn.functional.adaptive_avg_pool2d(
            torch.tensor(x), size).numpy(), rtol=1e-12)


def _adaptive(x, size):
    """Windows [⌊i·H/m⌋, ⌈(i + 1)·H/m⌉) on each axis, by their definition."""
    h, w = x.shape[2:]
    out = np.zeros(x.shape[:2] + size)
    for i, j in np.ndindex(*size):
        rows = slice(i * h // size[0], -(-(i + 1) * h // size[0]))
        cols = slice(j * w // size[1], -(-(j + 1) * w // size[1]))
        out[:, :, i, j] = x[:, :, rows, cols].mean(axis=(2, 3))
    return out


def test_one_dimensional_pools_match_the_definition():
    x = RNG.standard_normal((2, 3, 9))
    windows = np.lib.stride_tricks.sliding_window_view(x, 3, axis=2)[:, :, ::2]
    np.testing.assert_allclose(F.max_pool1d(tg.tensor(x), 3, 2).numpy(), windows.max(-1))
    np.testing.assert_allclose(F.avg_pool1d(tg.tensor(x), 3, 2).numpy(), windows.mean(-1))
    np.testing.assert_allclose(F.adaptive_avg_pool1d(tg.tensor(x), 1).numpy(),
                               x.mean(-1, keepdims=True))
    assert repr(nn.AvgPool1d(2)) == "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))"
    assert nn.MaxPool1d(3)(tg.tensor(x)).shape == (2, 3, 3)


# ---------------------------------------------------------------- padding


@pytest.mark.parametrize("mode, numpy_mode", [("constant", "constant"), ("reflect", "reflect"),
                                              ("replicate", "edge"), ("circular", "wrap")])
def test_pad_modes_match_numpy_and_their_gradients_add_up(mode, numpy_mode):
    x = RNG.standard_normal((2, 3, 4, 5))
    xt = tg.tensor(x, requires_grad=True)
    y = F.pad(xt, (1, 2, 3, 1), mode=mode)
    np.testing.assert_array_equal(y.numpy(), np.pad(x, ((0, 0), (0, 0), (3, 1), (1, 2)),
                                                    mode=numpy_mode))
    y.sum().backward()
    # each input value appears (gradient) times in the output: counted by padding an arange
    places = np.arange(x.size).reshape(x.shape)
    copies = np.pad(places, ((0, 0), (0, 0), (3, 1), (1, 2)), mode=numpy_mode)
    counts = np.bincount(copies.ravel(), minlength=x.size).reshape(x.shape)
    if mode == "constant":
        counts = np.ones(x.shape)
    np.testing.assert_array_equal(xt.grad.numpy(), counts)
    torch = maybe_torch()
    if torch is not None:
        X = torch.tensor(x, requires_grad=True)
        Y = torch.nn.functional.pad(X, (1, 2, 3, 1), mode=mode)
        Y.sum().backward()
        np.testing.assert_array_equal(y.numpy(), Y.detach().numpy())
        np.testing.assert_array_equal(xt.grad.numpy(), X.grad.numpy())


def test_constant_pad_takes_a_value_and_crops_with_negative_widths():
    x = RNG.standard_normal((2, 3, 4))
    y = F.pad(tg.tensor(x), (-1, 2, 1, -2), value=7.0)
    expected = np.pad(x, ((0, 0), (1, 0), (0, 2)), constant_values=7.0)[:, :-2, 1:]
    np.testing.assert_array_equal(y.numpy(), expected)
    assert F.pad(tg.tensor([1, 2]), (1, 1)).dtype == np.int64
    torch = maybe_torch()
    if torch is not None:
        np.testing.assert_array_equal(
            y.numpy(), torch.nn.functional.pad(torch.tensor(x), (-1, 2, 1, -2), value=7.0).numpy())


def test_pad_errors():
    x = tg.randn(1, 2, 3)
    with pytest.raises(RuntimeError, match="should be less than"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(TypeError, match="even number"):
        F.pad(x, (1,))
    with pytest.raises(NotImplementedError, match="unknown padding mode"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(RuntimeError, match="too large"):
        F.pad(x, (1, 1) * 4)
    torch = maybe_torch()
    if torch is not None:
        with pytest.raises(RuntimeError):
            torch.nn.functional.pad(torch.randn(1, 2, 3), (3, 0), mode="reflect")
        with pytest.raises(NotImplementedError):
            torch.nn.functional.pad(torch.randn(1, 2, 3), (1, 1), mode="mirror")
