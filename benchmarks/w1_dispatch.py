"""W1 dispatch: forward + backward through 200 × tanh(x * 1.01 + 0.1), 600 elementwise ops on
a 16-element float64 tensor. At this size numpy's own call overhead is most of the time, so
the ratio is what the engine adds per op. Returns ∂(Σ y)/∂x."""

import numpy as np

import tinygrad_edu as tg

from .workloads_jit import w1_by_tinygrad_edu_jit as by_tinygrad_edu_jit  # noqa: F401

TITLE = "W1 dispatch: 600 elementwise ops, 16 × f64"
TARGET = 2.5
RTOL = 1e-10
LAYERS = 200
OPS = 3 * LAYERS


def make_data():
    return np.random.default_rng(0).standard_normal(16)


def numpy_forward(x0):
    """y = tanh(1.01 x + 0.1), layer after layer: every layer's output, for the backward."""
    x, outs = x0, []
    for _ in range(LAYERS):
        x = np.tanh(x * 1.01 + 0.1)
        outs.append(x)
    return outs


def numpy_backward(outs):
    """dy/dx = 1.01 (1 − y²) per layer, from the last to the first."""
    g = np.ones_like(outs[-1])
    for y in reversed(outs):
        g = g * (1 - y * y)
        g = g * 1.01
    return g


def by_numpy(x0):
    return numpy_backward(numpy_forward(x0))


def tinygrad_edu_forward(x):
    y = x
    for _ in range(LAYERS):
        y = (y * 1.01 + 0.1).tanh()
    return y


def by_tinygrad_edu(x0):
    x = tg.Tensor(x0, requires_grad=True)
    tinygrad_edu_forward(x).backward(np.ones_like(x0))
    return x.grad.data


def by_torch(x0):
    import torch

    x = torch.tensor(x0, requires_grad=True)
    y = x
    for _ in range(LAYERS):
        y = torch.tanh(y * 1.01 + 0.1)
    y.backward(torch.ones_like(x))
    return x.grad.numpy()


def by_autograd(x0):
    import autograd.numpy as anp
    from autograd import elementwise_grad

    def f(x):
        for _ in range(LAYERS):
            x = anp.tanh(x * 1.01 + 0.1)
        return x

    return elementwise_grad(f)(x0)


def by_micrograd(x0):
    from micrograd.engine import Value

    from .micrograd_tanh import tanh

    xs = [Value(float(v)) for v in x0]
    ys = xs
    for _ in range(LAYERS):
        ys = [tanh(y * 1.01 + 0.1) for y in ys]
    sum(ys).backward()
    return np.array([x.grad for x in xs])
