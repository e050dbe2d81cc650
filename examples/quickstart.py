"""Logistic regression by full-batch gradient descent, written with bare Tensors.

E_in(w) = 1/N Σ ln(1 + e^(−y_n wᵀx_n)) on a noisy linearly separable 2-D set, labels ±1.
"""

import numpy as np

import tinygrad_edu as tg

rng = np.random.default_rng(0)
N = 200
X = np.c_[np.ones(N), rng.uniform(-1, 1, (N, 2))]  # leading constant 1 for the bias
w_true = np.array([0.1, 2.0, -3.0])
y = np.sign(X @ w_true + 0.3 * rng.standard_normal(N))

X_t, y_t = tg.tensor(X), tg.tensor(y)
w = tg.zeros(3, requires_grad=True)
eta = 1.0
for step in range(201):
    loss = (-y_t * (X_t @ w)).softplus().mean()  # softplus(m) = ln(1 + e^m), stable
    w.grad = None
    loss.backward()
    with tg.no_grad():
        w.data -= eta * w.grad.data
    if step % 50 == 0:
        print(f"step {step:3d}  E_in = {loss.item():.4f}")

accuracy = (np.sign(X @ w.numpy()) == y).mean()
print(f"training accuracy {accuracy:.1%}, w = {np.round(w.numpy(), 3)}")
