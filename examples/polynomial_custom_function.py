"""Fit sin(x) on [−π, π] with y = a + b·P₃(c + d·x), where P₃ is a custom autograd Function.

P₃(x) = ½(5x³ − 3x) is the Legendre polynomial of degree three; its derivative is
P₃′(x) = 3/2 (5x² − 1). The Function below gives autograd that pair, as a learner adds an
op the library lacks, and `gradcheck` proves the derivative before training uses it.

This is a PyTorch program: only the import line differs (`import torch` runs it on PyTorch).
"""

import math

import tinygrad_edu as torch


class LegendreP3(torch.autograd.Function):
    """P₃(x) = ½(5x³ − 3x);  dP₃/dx = 3/2 (5x² − 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)


def main(steps=2000, lr=5e-6):
    dtype = torch.float64
    probe = torch.linspace(-0.9, 0.9, 7, dtype=dtype, requires_grad=True)
    assert torch.autograd.gradcheck(LegendreP3.apply, (probe,))

    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    # the same start on every run and in every library: no random numbers involved
    a, b, c, d = (torch.full((), v, dtype=dtype, requires_grad=True)
                  for v in (0.0, -1.0, 0.0, 0.3))
    for t in range(steps):
        y_pred = a + b * LegendreP3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 500 == 499:
            print(f"step {t + 1:4d}  loss {loss.item():.4f}")
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= lr * p.grad
                p.grad = None
    print(f"y = {a.item():.4f} + {b.item():.4f} P3({c.item():.4f} + {d.item():.4f} x)")
    return {"loss": loss.item(), "coefficients": [p.item() for p in (a, b, c, d)]}


if __name__ == "__main__":
    main()
