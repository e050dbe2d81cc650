"""Learning for real: the textbook models reach the accuracies (and, for the convex
logistic loss, the exact optimum) that the course promises, with this framework's own
optimizers. Seeds are fixed, so each run is deterministic."""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import data, textbook
from tinygrad_edu.nn import MLP, LogisticRegression
from tinygrad_edu.optim import SGD, Adam


def accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Share of points whose predicted class (sign for ±1 labels, argmax otherwise) is y."""
    predicted = np.sign(scores).ravel() if scores.ndim == 1 or scores.shape[1] == 1 \
        else scores.argmax(axis=1)
    return float((predicted == y).mean())


def train_mlp(X, y_pm1, sizes, steps, lr, seed=0):
    """Full-batch Adam on the squared error of a tanh MLP with a tanh output (targets ±1)."""
    tg.manual_seed(seed)
    model = MLP(sizes, dtype=tg.float64)
    opt = Adam(model.parameters(), lr=lr)
    X_t, Y_t = tg.tensor(X), tg.tensor(y_pm1.reshape(len(X), -1).astype(float))
    for _ in range(steps):
        opt.zero_grad()
        F.mse_loss(model(X_t), Y_t).backward()
        opt.step()
    return model


def test_mlp_solves_xor_exactly():
    X, y = data.xor(n=200, seed=0)
    model = train_mlp(X, y, [2, 8, 1], steps=500, lr=0.05)
    assert accuracy(model(tg.tensor(X)).numpy(), y) == 1.0


def test_mlp_separates_two_moons():
    X, y = data.two_moons(n=400, seed=0)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=0.25, seed=0)
    model = train_mlp(X_tr, y_tr, [2, 16, 16, 1], steps=600, lr=0.02)
    assert accuracy(model(tg.tensor(X_te)).numpy(), y_te) > 0.95


def test_mlp_recognises_digits():
    ds = data.load_digits()
    X_tr, X_te, y_tr, y_te = data.train_test_split(ds.X, ds.y, test_size=0.25, seed=0)
    Z_tr, Z_te = data.standardize(X_tr, X_te)
    targets = 2 * data.one_hot(y_tr, 10) - 1  # ±1 targets for the tanh outputs
    tg.manual_seed(0)
    model = MLP([64, 32, 10], dtype=tg.float64)
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(0)
    for _ in range(20):  # epochs of minibatch SGD
        for xb, yb in data.minibatches(Z_tr, targets, batch_size=64, rng=rng):
            opt.zero_grad()
            F.mse_loss(model(tg.tensor(xb)), tg.tensor(yb)).backward()
            opt.step()
    assert accuracy(model(tg.tensor(Z_te)).numpy(), y_te) > 0.95


def newton_optimum(A, y, lam, iterations=30):
    """argmin E_in(w) + λ/2 ‖w‖² by Newton's method: w ← w − H⁻¹∇, with
    H = 1/N Σ θ(s)(1 − θ(s)) x xᵀ + λI."""
    w = np.zeros(A.shape[1])
    for _ in range(iterations):
        p = textbook.logistic(A @ w)
        H = (A.T * (p * (1 - p))) @ A / len(y) + lam * np.eye(len(w))
        w -= np.linalg.solve(H, textbook.logistic_gradient(w, A, y) + lam * w)
    return w


def test_logistic_gd_reaches_newtons_optimum_on_breast_cancer():
    # the standardised training set is linearly separable, so the plain maximum-likelihood
    # weights are infinite; a small L2 term (weight decay) makes the optimum unique
    ds = data.load_breast_cancer()
    X_tr, X_te, y_tr, y_te = data.train_test_split(ds.X, ds.y, test_size=0.25, seed=0)
    Z_tr, Z_te = data.standardize(X_tr, X_te)
    y = data.to_pm1(y_tr).astype(float)
    lam = 0.01
    w_star = newton_optimum(np.c_[np.ones(len(Z_tr)), Z_tr], y, lam)

    model = LogisticRegression(Z_tr.shape[1], dtype=tg.float64)
    opt = SGD(model.parameters(), lr=1.0, weight_decay=lam)  # full-batch GD
    X_t, y_t = tg.tensor(Z_tr), tg.tensor(y)
    for _ in range(3000):
        opt.zero_grad()
        F.logistic_loss(model(X_t), y_t).backward()
        opt.step()
    w = np.concatenate([model.linear.bias.numpy(), model.linear.weight.numpy()[0]])
    np.testing.assert_allclose(w, w_star, rtol=1e-8, atol=1e-10)
    assert accuracy(model(tg.tensor(Z_te)).numpy(), data.to_pm1(y_te)) > 0.95
