"""The course's tanh network with squared error E_in = 1/N Σ_n Σ_j (x_n(L)_j − y_nj)², tanh
output, trained by full-batch GD, W(ℓ) ← W(ℓ) − η G(ℓ): shared by W3 and W5.

`data` is (X, Y, Ws, eta, steps): Y is (N, d(L)), Ws the textbook weights W(ℓ) of shape
(d(ℓ−1) + 1, d(ℓ)), bias in row 0. Each version returns E_in at the last step's weights.
"""

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import textbook


def by_numpy(data):
    X, Y, Ws, eta, steps = data
    Ws = [W.copy() for W in Ws]
    for _ in range(steps):
        E_in, G = textbook.error_and_gradients_batch(Ws, X, Y)
        for W, G_l in zip(Ws, G):
            W -= eta * G_l
    return E_in


def by_tinygrad_edu(data):
    """Generic: the layers, the loss and the update as a tutorial writes them."""
    X, Y, Ws, eta, steps = data
    params = [(tg.tensor(W[1:], requires_grad=True), tg.tensor(W[0], requires_grad=True))
              for W in Ws]
    X, Y = tg.from_numpy(X), tg.from_numpy(Y)
    for _ in range(steps):
        h = X
        for W, b in params:
            h = (h @ W + b).tanh()
        E_in = ((h - Y) ** 2).sum() / len(Y)
        E_in.backward()
        for p in (p for layer in params for p in layer):
            p.data -= eta * p.grad.data
            p.grad = None
    return E_in.item()


def by_tinygrad_edu_fused(data):
    """Fused: `MLP.from_textbook_weights` (one node per layer), the loss as one node, SGD."""
    X, Y, Ws, eta, steps = data
    net = tg.nn.MLP.from_textbook_weights(Ws)
    opt = tg.optim.SGD(net.parameters(), lr=eta)
    X = tg.Tensor(X)
    for _ in range(steps):
        opt.zero_grad()
        E_in = F.squared_error(net(X), Y)
        E_in.backward()
        opt.step()
    return E_in.item()


def by_torch(data):
    import torch

    X, Y, Ws, eta, steps = data
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)
    Ws = [torch.tensor(W, requires_grad=True) for W in Ws]
    opt = torch.optim.SGD(Ws, lr=eta)
    for _ in range(steps):
        opt.zero_grad()
        x = X
        for W in Ws:
            x = torch.tanh(x @ W[1:] + W[0])
        E_in = ((x - Y) ** 2).sum() / len(Y)
        E_in.backward()
        opt.step()
    return E_in.item()


def by_autograd(data):
    import autograd.numpy as anp
    from autograd import value_and_grad

    X, Y, Ws, eta, steps = data

    def error(Ws):
        x = X
        for W in Ws:
            x = anp.tanh(anp.dot(x, W[1:]) + W[0])
        return anp.sum((x - Y) ** 2) / len(Y)

    error_and_gradients = value_and_grad(error)
    for _ in range(steps):
        E_in, G = error_and_gradients(Ws)
        Ws = [W - eta * G_l for W, G_l in zip(Ws, G)]
    return E_in


def by_micrograd(data):
    """Point by point, as micrograd works on scalars: W[i][j] is the Value W(ℓ)_ij."""
    from micrograd.engine import Value

    from .micrograd_tanh import tanh

    X, Y, Ws, eta, steps = data
    Ws = [[[Value(float(w)) for w in row] for row in W] for W in Ws]
    params = [w for W in Ws for row in W for w in row]
    for _ in range(steps):
        E_in = 0
        for x, y in zip(X.tolist(), Y.tolist()):
            for W in Ws:
                x = [tanh(sum((xi * wi for xi, wi in zip(x, col[1:])), col[0]))
                     for col in zip(*W)]
            E_in = E_in + sum((xj - yj) ** 2 for xj, yj in zip(x, y))
        E_in = E_in * (1 / len(X))
        for p in params:
            p.grad = 0
        E_in.backward()
        for p in params:
            p.data -= eta * p.grad
    return E_in.data
