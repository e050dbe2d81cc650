"""An MLP with batch normalisation on three interleaved spirals, against the same MLP without.

Batch norm normalises each hidden unit over the minibatch while training and keeps running
averages of the batch means and (unbiased) variances, which `model.eval()` then uses in their
place. Written as a PyTorch program: with the imports below replaced by torch's it runs the
same (tests/test_nn_examples.py does so and compares the losses and the running statistics).

Run: python examples/batchnorm_mlp.py
"""

import numpy as np

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu.utils.data import DataLoader, TensorDataset


def spirals(n_per_class=100, classes=3, noise=0.2, seed=0):
    """Points on `classes` spiral arms in the plane, labelled by arm (numpy, so that both
    frameworks see the same data)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        angle = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, noise,
                                                                                n_per_class)
        xs.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
        ys.append(np.full(n_per_class, c))
    X = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys).astype(np.int64)
    order = rng.permutation(len(y))
    return torch.tensor(X[order]), torch.tensor(y[order])


def make_model(batchnorm=True, hidden=32, classes=3):
    def norm():
        return nn.BatchNorm1d(hidden) if batchnorm else nn.Identity()

    # a bias before BatchNorm is cancelled by the mean it subtracts: it gets a zero gradient
    # (only rounding noise, which Adam would blow up to steps of size lr), so leave it out
    return nn.Sequential(
        nn.Linear(2, hidden, bias=not batchnorm), norm(), nn.ReLU(),
        nn.Linear(hidden, hidden, bias=not batchnorm), norm(), nn.ReLU(),
        nn.Linear(hidden, classes),
    )


def train(model, X, y, epochs=30, lr=0.01, batch_size=50):
    """Adam on the cross-entropy over minibatches in order; returns each epoch's mean loss."""
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        history.append(total / count)
    return history


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def main():
    X, y = spirals()
    for batchnorm in (False, True):
        torch.manual_seed(0)
        model = make_model(batchnorm)
        history = train(model, X, y)
        print(f"batchnorm={batchnorm}: loss {history[0]:.3f} -> {history[-1]:.3f}, "
              f"accuracy (eval mode) {accuracy(model, X, y):.2%}")
    bn = model[1]
    print("first BatchNorm layer after", int(bn.num_batches_tracked.item()), "batches:",
          "running_mean[:3] =", [round(v, 3) for v in bn.running_mean[:3].tolist()],
          "running_var[:3] =", [round(v, 3) for v in bn.running_var[:3].tolist()])


if __name__ == "__main__":
    main()
