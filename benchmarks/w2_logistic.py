"""W2 logistic regression: N = 5000, d = 30, float64, 200 full-batch GD steps on
E_in(w) = 1/N Σ ln(1 + e^(−y wᵀx)), with a bias. Returns E_in of the final weights."""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import textbook

from .workloads_jit import w2_by_tinygrad_edu_jit as by_tinygrad_edu_jit  # noqa: F401

TITLE = "W2 logistic regression, 5000 × 30 f64, 200 GD steps"
TARGET = 1.3
RTOL = 1e-10
N, D, STEPS, ETA = 5000, 30, 200, 0.5


def make_data():
    """X (N, D); X1 = [1, X] for the textbook's bias-in-w form; ±1 labels y; w0 = [b, w]."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((N, D))
    y = np.where(X @ rng.standard_normal(D) + rng.standard_normal(N) >= 0, 1.0, -1.0)
    X1 = np.hstack([np.ones((N, 1)), X])
    return X, X1, y, 0.1 * rng.standard_normal(D + 1)


def by_numpy(data):
    _, X1, y, w = data
    for _ in range(STEPS):
        w = w - ETA * textbook.logistic_gradient(w, X1, y)
    return textbook.logistic_loss(w, X1, y)


def by_tinygrad_edu(data):
    """Generic: the expression and the update as the PyTorch version writes them."""
    _, X1, y, w0 = data
    X1, y = tg.from_numpy(X1), tg.from_numpy(y)
    w = tg.tensor(w0, requires_grad=True)
    for _ in range(STEPS):
        F.softplus(-y * (X1 @ w)).mean().backward()
        w.data -= ETA * w.grad.data
        w.grad = None
    with tg.no_grad():
        return F.softplus(-y * (X1 @ w)).mean().item()


def by_tinygrad_edu_fused(data):
    """Fused: the package's model, loss and optimizer."""
    X, _, y, w0 = data
    model = tg.nn.LogisticRegression(D, dtype=tg.float64)
    model.load_state_dict({"linear.weight": w0[None, 1:], "linear.bias": w0[:1]})
    X = tg.Tensor(X)
    opt = tg.optim.SGD(model.parameters(), lr=ETA)
    for _ in range(STEPS):
        opt.zero_grad()
        F.logistic_loss(model(X), y).backward()
        opt.step()
    with tg.no_grad():
        return F.logistic_loss(model(X), y).item()


def by_torch(data):
    import torch

    _, X1, y, w0 = data
    X1, y = torch.from_numpy(X1), torch.from_numpy(y)
    w = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=ETA)
    for _ in range(STEPS):
        opt.zero_grad()
        torch.nn.functional.softplus(-y * (X1 @ w)).mean().backward()
        opt.step()
    with torch.no_grad():
        return torch.nn.functional.softplus(-y * (X1 @ w)).mean().item()


def by_autograd(data):
    import autograd.numpy as anp
    from autograd import grad

    _, X1, y, w = data

    def loss(w):
        return anp.mean(anp.logaddexp(0, -y * anp.dot(X1, w)))

    gradient = grad(loss)
    for _ in range(STEPS):
        w = w - ETA * gradient(w)
    return loss(w)
