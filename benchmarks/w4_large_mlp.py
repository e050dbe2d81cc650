"""W4 a larger MLP: 784-512-512-10, tanh hidden layers, linear output into softmax
cross-entropy, float32, 50 SGD steps on minibatches of 256 cycling through 1024 synthetic
points (fixed seed). Also compared: peak memory above the imports, per process."""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import textbook

from .workloads_jit import w4_by_tinygrad_edu_jit as by_tinygrad_edu_jit  # noqa: F401

TITLE = "W4 MLP 784-512-512-10, softmax CE, batch 256, f32, 50 SGD steps"
TARGET = 1.05
MEMORY_TARGET = 1.3
RTOL = 1e-6
SIZES, BATCH, POINTS, STEPS, ETA = [784, 512, 512, 10], 256, 1024, 50, 0.1


def make_data():
    """Minibatches (X, c) of inputs and class indices, and textbook weights W(ℓ)."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((POINTS, SIZES[0]), dtype=np.float32)
    c = rng.integers(0, SIZES[-1], POINTS)
    batches = [(X[i:i + BATCH], c[i:i + BATCH]) for i in range(0, POINTS, BATCH)]
    return batches, [W.astype(np.float32) for W in textbook.init_weights(SIZES, rng=4)]


def cross_entropy_and_gradients(Ws, X, c):
    """E = 1/B Σ_n −ln softmax(z_n)[c_n], with z = s(L) (linear output), and its G(ℓ).

    Δ(L) = (softmax(Z) − onehot(c)) / B, then as in `textbook.error_and_gradients_batch`:
    Δ(ℓ) = θ'(S(ℓ)) ⊗ Δ(ℓ+1) W(ℓ+1)[1:]ᵀ;  G(ℓ)[0] = Σ_n Δ(ℓ)_n,  G(ℓ)[1:] = X(ℓ−1)ᵀ Δ(ℓ).
    """
    B, L = len(X), len(Ws)
    x = [X]
    for W in Ws[:-1]:
        x.append(np.tanh(x[-1] @ W[1:] + W[0]))
    z = x[-1] @ Ws[-1][1:] + Ws[-1][0]
    z -= z.max(axis=1, keepdims=True)  # softmax is shift-invariant; now no exp overflows
    log_sum = np.log(np.exp(z).sum(axis=1, keepdims=True))
    picked = np.arange(B), c
    E = float(np.mean(log_sum[:, 0] - z[picked]))
    delta = np.exp(z - log_sum)
    delta[picked] -= 1
    delta /= B
    G = [np.empty(0)] * L
    for ell in range(L, 0, -1):
        G[ell - 1] = np.vstack([delta.sum(axis=0), x[ell - 1].T @ delta])
        if ell > 1:
            delta = (delta @ Ws[ell - 1][1:].T) * (1 - x[ell - 1] ** 2)
    return E, G


def by_numpy(data):
    batches, Ws = data
    Ws = [W.copy() for W in Ws]
    for step in range(STEPS):
        E, G = cross_entropy_and_gradients(Ws, *batches[step % len(batches)])
        for W, G_l in zip(Ws, G):
            W -= ETA * G_l
    return E


def generic_params(Ws):
    """The generic form's parameters: plain tensors, W (the rows after the bias) and b."""
    return [(tg.tensor(W[1:], requires_grad=True), tg.tensor(W[0], requires_grad=True))
            for W in Ws]


def generic_step(params, x, c):
    """One SGD step as a tutorial writes it (the generic form's, and under tg.jit)."""
    for W, b in params[:-1]:
        x = (x @ W + b).tanh()
    W, b = params[-1]
    E = F.cross_entropy(x @ W + b, c)
    E.backward()
    for p in (p for layer in params for p in layer):
        p.data -= ETA * p.grad.data
        p.grad = None
    return E


def by_tinygrad_edu(data):
    """Generic: the layers and the update as a tutorial writes them (`generic_step`)."""
    batches, Ws = data
    params = generic_params(Ws)
    batches = [(tg.from_numpy(X), tg.from_numpy(c)) for X, c in batches]
    for step in range(STEPS):
        E = generic_step(params, *batches[step % len(batches)])
    return E.item()


def by_tinygrad_edu_fused(data):
    """Fused: `MLP.from_textbook_weights` (one node per layer) and SGD."""
    batches, Ws = data
    net = tg.nn.MLP.from_textbook_weights(Ws, output_activation=None)
    opt = tg.optim.SGD(net.parameters(), lr=ETA)
    batches = [(tg.Tensor(X), c) for X, c in batches]
    for step in range(STEPS):
        X, c = batches[step % len(batches)]
        opt.zero_grad()
        E = F.cross_entropy(net(X), c)
        E.backward()
        opt.step()
    return E.item()


def by_torch(data):
    import torch

    batches, Ws = data
    batches = [(torch.from_numpy(X), torch.from_numpy(c)) for X, c in batches]
    Ws = [torch.tensor(W, requires_grad=True) for W in Ws]
    opt = torch.optim.SGD(Ws, lr=ETA)
    for step in range(STEPS):
        x, c = batches[step % len(batches)]
        opt.zero_grad()
        for W in Ws[:-1]:
            x = torch.tanh(x @ W[1:] + W[0])
        E = torch.nn.functional.cross_entropy(x @ Ws[-1][1:] + Ws[-1][0], c)
        E.backward()
        opt.step()
    return E.item()


def by_autograd(data):
    import autograd.numpy as anp
    from autograd import value_and_grad

    batches, Ws = data

    def cross_entropy(Ws, x, c):
        for W in Ws[:-1]:
            x = anp.tanh(anp.dot(x, W[1:]) + W[0])
        z = anp.dot(x, Ws[-1][1:]) + Ws[-1][0]
        z = z - anp.max(z, axis=1, keepdims=True)
        return anp.mean(anp.log(anp.sum(anp.exp(z), axis=1)) - z[anp.arange(len(c)), c])

    error_and_gradients = value_and_grad(cross_entropy)
    for step in range(STEPS):
        E, G = error_and_gradients(Ws, *batches[step % len(batches)])
        Ws = [W - ETA * G_l for W, G_l in zip(Ws, G)]
    return E
