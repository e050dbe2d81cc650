"""W6 a deep graph: a chain of 100,000 scalar ops, y ← 0.9999 y then y ← y + 0.001
alternating, on a 0-d float64 tensor, then backward. An engine that recurses over the graph
dies here with a RecursionError. Returns [y, dy/dx]."""

import numpy as np

import tinygrad_edu as tg

TITLE = "W6 deep chain: 100,000 scalar ops, 0-d f64"
TARGET = 100.0
MAX_US_PER_OP = 4.0
RTOL = 1e-10
OPS = 100_000
A, B = 0.9999, 0.001


def make_data():
    return np.array(0.5)


def by_numpy(x0):
    """Forward y ← A y; y ← y + B; backward g ← A g for each multiplication (adds pass g on)."""
    y = x0
    for _ in range(OPS // 2):
        y = y * A
        y = y + B
    g = 1.0
    for _ in range(OPS // 2):
        g = g * A
    return np.array([y, g])


def by_tinygrad_edu(x0):
    x = tg.Tensor(x0, requires_grad=True)
    y = x
    for _ in range(OPS // 2):
        y = y * A
        y = y + B
    y.backward()
    return np.array([y.item(), x.grad.item()])


def by_torch(x0):
    import torch

    x = torch.tensor(x0, requires_grad=True)
    y = x
    for _ in range(OPS // 2):
        y = y * A
        y = y + B
    y.backward()
    return np.array([y.item(), x.grad.item()])


def by_autograd(x0):
    from autograd import value_and_grad

    def chain(y):
        for _ in range(OPS // 2):
            y = y * A
            y = y + B
        return y

    return np.array(value_and_grad(chain)(x0))


def by_micrograd(x0):
    from micrograd.engine import Value

    x = Value(float(x0))
    y = x
    for _ in range(OPS // 2):
        y = y * A
        y = y + B
    y.backward()
    return np.array([y.data, x.grad])
