"""Newton's method for logistic regression with `autograd.functional`: the gradient, the
Hessian and Hessian-vector products of E_in, no derivative written by hand.

E_in(w) = 1/N Σ ln(1 + e^(−y_n wᵀx_n)),  labels y_n = ±1.
Its Hessian is H = 1/N Σ θ(s_n)θ(−s_n) x_n x_nᵀ with s_n = y_n wᵀx_n, which the program
checks before it steps w ← w − H⁻¹∇E_in, a step that lands near the minimum at once.

This is a PyTorch program: only the import line differs (`import torch` runs it on PyTorch).
"""

import numpy as np

import tinygrad_edu as torch


def make_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = np.c_[np.ones(n), rng.uniform(-1, 1, (n, 2))]  # leading 1 for the bias
    y = np.sign(x @ np.array([0.2, 2.0, -3.0]) + 0.5 * rng.standard_normal(n))
    return torch.tensor(x), torch.tensor(y)


def main(newton_steps=6):
    X, y = make_data()

    def e_in(w):
        return torch.nn.functional.softplus(-y * (X @ w)).mean()

    derivatives = torch.autograd.functional
    w = torch.zeros(3, dtype=torch.float64)
    for step in range(newton_steps):
        g = derivatives.jacobian(e_in, w)
        H = derivatives.hessian(e_in, w)
        s = y * (X @ w)
        closed_form = (X.T * (torch.sigmoid(s) * torch.sigmoid(-s))) @ X / len(y)
        assert torch.allclose(H, closed_form, atol=1e-12)
        v = torch.ones(3, dtype=torch.float64)
        _, Hv = derivatives.hvp(e_in, w, v)
        assert torch.allclose(Hv, H @ v, atol=1e-12)
        w = w - torch.linalg.solve(H, g)
        print(f"Newton step {step + 1}  E_in = {e_in(w).item():.6f}  |g| = "
              f"{torch.linalg.vector_norm(g).item():.2e}")
    accuracy = ((X @ w).sign() == y).double().mean().item()
    print(f"w = {w.tolist()}, training accuracy {accuracy:.1%}")
    return {"E_in": e_in(w).item(), "w": w.tolist(), "accuracy": accuracy}


if __name__ == "__main__":
    main()
