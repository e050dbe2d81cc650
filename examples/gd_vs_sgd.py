"""Full-batch gradient descent against stochastic (minibatch) gradient descent on the
course's logistic regression: E_in(w) = 1/N Σ ln(1 + e^(−y_n wᵀx_n)), labels ±1.

GD takes one step per pass over the data along −∇E_in; SGD takes one step per minibatch
along the gradient of that batch's error, so it moves N / batch_size times per epoch.
"""

import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import data
from tinygrad_edu.nn import LogisticRegression
from tinygrad_edu.optim import SGD

X, y = data.linear(n=400, seed=0, noise=0.1)
X_all, y_all = tg.tensor(X), tg.tensor(y.astype(float))


def train(batch_size: int, lr: float, epochs: int = 20) -> None:
    tg.manual_seed(0)
    model = LogisticRegression(2, dtype=tg.float64)
    opt = SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(0)
    steps = 0
    for _ in range(epochs):
        for xb, yb in data.minibatches(X, y.astype(float), batch_size, rng=rng):
            opt.zero_grad()
            F.logistic_loss(model(tg.tensor(xb)), tg.tensor(yb)).backward()
            opt.step()
            steps += 1
    with tg.no_grad():
        loss = F.logistic_loss(model(X_all), y_all).item()
        acc = (np.sign(model(X_all).numpy()) == y).mean()
    print(f"batch {batch_size:4d}  steps {steps:5d}  E_in {loss:.4f}  accuracy {acc:.1%}")


train(batch_size=len(X), lr=2.0)  # full-batch gradient descent
train(batch_size=16, lr=0.5)  # minibatch SGD
train(batch_size=1, lr=0.1)  # pure SGD: one point per step
