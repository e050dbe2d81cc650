"""A small convolutional network on the bundled 8×8 handwritten digits, written as a PyTorch
program: change the three framework imports below to `torch` and it runs under PyTorch too.

    conv 3×3 (1 → 8, zero padding 1) → ReLU → max-pool 2×2      (N, 8, 4, 4)
    conv 3×3 (8 → 16, padding "same") → ReLU → adaptive avg 2×2  (N, 16, 2, 2)
    flatten → linear 64 → 10, softmax cross-entropy

Trained with Adam on minibatches of 64 in an order drawn by numpy, so that both frameworks
see the same batches. The digits are the UCI set (CC BY 4.0), pixel values 0..16.
"""

import numpy as np

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu.data import load_digits


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding="same")
        self.squeeze = nn.AdaptiveAvgPool2d((2, 2))
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.squeeze(F.relu(self.conv2(x)))
        return self.fc(x.flatten(1))


def digits(test_size=297, seed=0):
    """(X_train, y_train, X_test, y_test): images (N, 1, 8, 8) scaled to [0, 1], labels."""
    data = load_digits()
    X = (data.X / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:test_size], order[test_size:]
    return X[train], data.y[train], X[test], data.y[test]


def train(model, X, y, epochs, lr=0.02, batch_size=64, seed=0):
    """Adam on shuffled minibatches; the loss of every step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(model(torch.tensor(X[batch])), torch.tensor(y[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        predicted = model(torch.tensor(X)).argmax(dim=1)
    return float((predicted.numpy() == y).mean())


def main(epochs=4):
    torch.manual_seed(0)
    X_train, y_train, X_test, y_test = digits()
    model = SmallCNN()
    print(model)
    losses = train(model, X_train, y_train, epochs)
    steps = len(losses) // epochs
    for epoch in range(epochs):
        mean = np.mean(losses[epoch * steps:(epoch + 1) * steps])
        print(f"epoch {epoch + 1}: mean loss {mean:.4f}")
    score = accuracy(model, X_test, y_test)
    print(f"test accuracy {score:.1%}")
    return losses, score


if __name__ == "__main__":
    main()
