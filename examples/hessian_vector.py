"""The Hessian of the logistic-regression loss, three ways: `autograd.functional.hessian`,
a Hessian-vector product `hvp` (no Hessian formed), and the closed form
H = Xᵀ diag(σ(s)(1 − σ(s))) X / N with s = Xw; then one Newton step w ← w − H⁻¹∇E.
Only the import line differs from the PyTorch program (`import torch`)."""

import numpy as np

import tinygrad_edu as torch
from tinygrad_edu.autograd.functional import hessian, hvp

rng = np.random.default_rng(1)
X = torch.tensor(np.c_[np.ones(40), rng.standard_normal((40, 2))])
y = torch.tensor((rng.standard_normal(40) > 0).astype(np.float64))


def loss(w):
    """E(w) = mean of ln(1 + eˢ) − y·s, with s = Xw (binary cross-entropy with logits)"""
    s = X @ w
    return (torch.nn.functional.softplus(s) - y * s).mean()


w = torch.tensor([0.1, -0.2, 0.3], dtype=torch.float64)
H = hessian(loss, w)
p = torch.sigmoid(X @ w)
closed = (X.T * (p * (1 - p))) @ X / 40
print("hessian matches the closed form:", bool(np.allclose(H.numpy(), closed.numpy())))
v = torch.tensor([1.0, 0.0, -1.0], dtype=torch.float64)
_, Hv = hvp(loss, w, v)
print("Hv =", np.round(Hv.numpy(), 8))

w = w.clone().requires_grad_(True)
loss(w).backward()
step = np.linalg.solve(H.numpy(), w.grad.numpy())
w_new = w.detach() - torch.tensor(step)
print(f"loss {loss(w).item():.8f} -> {loss(w_new).item():.8f} after one Newton step")
