"""W3 the course's network on the digits: tanh MLP [64, 128, 128, 10], tanh output, squared
error against ±1 one-hot targets, N = 1797 standardised images, float32, 100 full-batch GD
steps (numpy: `textbook.error_and_gradients_batch` and W ← W − η G)."""

import numpy as np

from tinygrad_edu import data, textbook

from .tanh_net import by_autograd, by_numpy, by_tinygrad_edu, by_tinygrad_edu_fused, by_torch  # noqa: F401
from .tanh_net_jit import by_tinygrad_edu_jit  # noqa: F401

TITLE = "W3 course MLP [64,128,128,10] on digits, f32, 100 GD steps"
TARGET = 1.15
RTOL = 1e-6


def make_data():
    X, y, *_ = data.load_digits()
    X, _ = data.standardize(X)
    Y = 2 * data.one_hot(y, 10) - 1
    Ws = [W.astype(np.float32) for W in textbook.init_weights([64, 128, 128, 10], rng=3)]
    return X.astype(np.float32), Y.astype(np.float32), Ws, 0.05, 100
