"""Fit sin(x) on [−π, π] with y = a + b·P₃(c + d·x), where P₃(t) = (5t³ − 3t)/2 is a custom
autograd Function: PyTorch's "new autograd Function" exercise, in our words. Only the import
line differs from the PyTorch program (`import torch`)."""

import math

import tinygrad_edu as torch


class LegendreP3(torch.autograd.Function):
    """P₃(t) = (5t³ − 3t)/2;  P₃′(t) = (15t² − 3)/2"""

    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return 0.5 * (5 * t ** 3 - 3 * t)

    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * t ** 2 - 1)


x = torch.linspace(-math.pi, math.pi, 500, dtype=torch.float64)
y = torch.sin(x)
a, b, c, d = (torch.full((), v, dtype=torch.float64, requires_grad=True)
              for v in (0.0, -1.0, 0.0, 0.3))
learning_rate = 2e-6
for step in range(600):
    y_pred = a + b * LegendreP3.apply(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if step % 200 == 199:
        print(f"step {step + 1}: loss {loss.item():.6f}")
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None

print(f"result: y = {a.item():.6f} + {b.item():.6f} P3({c.item():.6f} + {d.item():.6f} x)")
