"""Small checks shared by the subject tests: a float64 leaf, values and gradients as arrays,
close values, a vector-Jacobian product, what an error message must mention, and
PyTorch where it is installed."""

import re

import numpy as np
from hypothesis import settings

import tinygrad_edu as tg

FAST = settings(max_examples=20, deadline=None)


def torch_or_none():
    """PyTorch when it is installed (the tests then also compare with it), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def T(data, dtype=np.float64, requires_grad=True):
    """A float64 leaf requiring grad (the default for gradient tests)."""
    return tg.Tensor(np.asarray(data, dtype=dtype), requires_grad=requires_grad)


def val(t):
    return np.asarray(t.numpy())


def grad(t):
    assert t.grad is not None, "expected a gradient to have been accumulated"
    assert isinstance(t.grad, tg.Tensor)
    return np.asarray(t.grad.numpy())


def close(actual, expected, rtol=1e-7, atol=1e-10):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
        rtol=rtol, atol=atol,
    )


def vjp(out, w):
    """Backpropagate the weights ``w`` (an ndarray of out's shape) through ``out``."""
    w = np.asarray(w, dtype=out.dtype)
    assert out.shape == w.shape
    (out * tg.Tensor(w)).sum().backward()


def unbroadcast(g, shape):
    g = np.asarray(g, dtype=np.float64)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(axis=i, keepdims=True)
    return g.reshape(shape)


def shape_mentioned(msg, shape):
    shape = tuple(shape)
    forms = {str(shape), str(list(shape)), "x".join(map(str, shape)), " x ".join(map(str, shape))}
    return any(f in msg for f in forms)


_FLOAT_RE = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"


def has_number_close(msg, value, rtol=1e-3):
    nums = [float(s) for s in re.findall(_FLOAT_RE, msg)]
    return any(abs(n - value) <= rtol * max(1.0, abs(value)) for n in nums)


def grad_fn_name(t):
    fn = t.grad_fn
    assert fn is not None
    name = fn.name
    if callable(name):  # PyTorch spells it name(); API.md spells it name
        name = name()
    assert isinstance(name, str) and name
    return name


def is_int_dtype(d):
    return np.issubdtype(np.dtype(d), np.integer)


RNG = np.random.default_rng

FEW = settings(max_examples=15, deadline=None)
SOME = settings(max_examples=20, deadline=None)


def tol(dtype):
    """A relative tolerance of a few roundings for a float dtype."""
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-5,
            np.dtype(np.float64): 1e-12}[np.dtype(dtype)]


FLOAT_DTYPES = [np.float16, np.float32, np.float64]


assert_gradients_close = tg.testing.assert_gradients_close


def check_forward(out, expected):
    """`out` has numpy's shape and values, to float64's last digits."""
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-14)
