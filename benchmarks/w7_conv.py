"""W7 a small CNN's training step: Conv2d(1, 8, 3) → ReLU → MaxPool2d(2) → Linear(8·13·13, 10)
into softmax cross-entropy, on batches of 64 images 28×28, float32, 20 SGD steps cycling
through 4 batches of synthetic points (fixed seed). The numpy version is the step written by
hand: im2col as a strided view and one tensordot, channels last, the pooling's windows as
a reshaped view and its gradient sent through the mask of the maxima."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

TITLE = "W7 CNN conv 3×3 (1→8) + max-pool 2 + linear, CE, batch 64 of 28×28, f32, 20 steps"
TARGET = 1.5
RTOL = 1e-4
BATCH, BATCHES, CHANNELS, CLASSES, STEPS, ETA = 64, 4, 8, 10, 20, 0.05
SIDE, KERNEL = 28, 3
POOLED = (SIDE - KERNEL + 1) // 2  # 13


def make_data():
    """Batches (X, c): images (64, 1, 28, 28) and class indices; and the weights, as PyTorch
    lays them out: conv (8, 1, 3, 3) and (8,), linear (10, 8·13·13) and (10,)."""
    rng = np.random.default_rng(7)
    batches = [(rng.standard_normal((BATCH, 1, SIDE, SIDE), dtype=np.float32),
                rng.integers(0, CLASSES, BATCH)) for _ in range(BATCHES)]
    fan_conv, fan_linear = KERNEL * KERNEL, CHANNELS * POOLED * POOLED
    weights = [(rng.uniform(-1, 1, shape) / np.sqrt(fan)).astype(np.float32)
               for shape, fan in [((CHANNELS, 1, KERNEL, KERNEL), fan_conv),
                                  ((CHANNELS,), fan_conv), ((CLASSES, fan_linear), fan_linear),
                                  ((CLASSES,), fan_linear)]]
    return batches, weights


def loss_and_gradients(weights, X, c):
    """E = 1/B Σ −ln softmax(z)[c] and its gradients, by hand, channels last inside."""
    Wc, bc, Wl, bl = weights
    B = len(X)
    windows = sliding_window_view(X, (KERNEL, KERNEL), axis=(2, 3))  # (B, 1, 26, 26, 3, 3)
    S = np.tensordot(windows, Wc, axes=((1, 4, 5), (1, 2, 3)))  # (B, 26, 26, 8)
    S += bc
    A = np.maximum(S, 0)
    Aw = A.reshape(B, POOLED, 2, POOLED, 2, CHANNELS)  # a view: each 2×2 window on axes 2, 4
    P = Aw.max(axis=(2, 4))  # (B, 13, 13, 8)
    flat = P.transpose(0, 3, 1, 2).reshape(B, -1)  # PyTorch's (C, H, W) order
    z = flat @ Wl.T + bl
    z -= z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(z).sum(axis=1, keepdims=True))
    picked = np.arange(B), c
    E = float(np.mean(log_sum[:, 0] - z[picked]))
    dz = np.exp(z - log_sum)
    dz[picked] -= 1
    dz /= B
    gWl, gbl = dz.T @ flat, dz.sum(axis=0)
    dP = (dz @ Wl).reshape(B, CHANNELS, POOLED, POOLED).transpose(0, 2, 3, 1)
    # to the maximum of each window (after the ReLU a tie is between zeros, whose dS is 0)
    dA = (Aw == P[:, :, None, :, None]) * dP[:, :, None, :, None]
    dS = dA.reshape(S.shape) * (S > 0)
    gWc = np.tensordot(dS, windows, axes=((0, 1, 2), (0, 2, 3)))  # (8, 1, 3, 3)
    gbc = dS.sum(axis=(0, 1, 2))
    return E, [gWc, gbc, gWl, gbl]


def by_numpy(data):
    batches, weights = data
    weights = [w.copy() for w in weights]
    for step in range(STEPS):
        E, G = loss_and_gradients(weights, *batches[step % BATCHES])
        for w, g in zip(weights, G):
            w -= ETA * g
    return E


def by_tinygrad_edu(data):
    """Generic: the linear layer as an expression and the update by hand."""
    batches, weights = data
    Wc, bc, Wl, bl = params = [tg.tensor(w, requires_grad=True) for w in weights]
    batches = [(tg.tensor(X), tg.tensor(c)) for X, c in batches]
    for step in range(STEPS):
        X, c = batches[step % BATCHES]
        h = F.max_pool2d(F.relu(F.conv2d(X, Wc, bc)), 2)
        E = F.cross_entropy(h.flatten(1) @ Wl.T + bl, c)
        E.backward()
        for p in params:
            p.data -= ETA * p.grad.data
            p.grad = None
    return E.item()


def by_tinygrad_edu_fused(data):
    """Fused: `F.linear` and SGD."""
    batches, weights = data
    Wc, bc, Wl, bl = params = [tg.tensor(w, requires_grad=True) for w in weights]
    opt = tg.optim.SGD(params, lr=ETA)
    batches = [(tg.tensor(X), tg.tensor(c)) for X, c in batches]
    for step in range(STEPS):
        X, c = batches[step % BATCHES]
        opt.zero_grad()
        h = F.max_pool2d(F.relu(F.conv2d(X, Wc, bc)), 2)
        E = F.cross_entropy(F.linear(h.flatten(1), Wl, bl), c)
        E.backward()
        opt.step()
    return E.item()


def by_torch(data):
    import torch
    import torch.nn.functional as TF

    batches, weights = data
    Wc, bc, Wl, bl = params = [torch.tensor(w, requires_grad=True) for w in weights]
    opt = torch.optim.SGD(params, lr=ETA)
    batches = [(torch.from_numpy(X), torch.from_numpy(c)) for X, c in batches]
    for step in range(STEPS):
        X, c = batches[step % BATCHES]
        opt.zero_grad()
        h = TF.max_pool2d(TF.relu(TF.conv2d(X, Wc, bc)), 2)
        E = TF.cross_entropy(TF.linear(h.flatten(1), Wl, bl), c)
        E.backward()
        opt.step()
    return E.item()
