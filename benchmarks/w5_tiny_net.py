"""W5 the course's tiny network: tanh [2, 8, 1], tanh output, squared error, N = 10 points of
the xor set, float64, 500 full-batch GD steps. Here everything is per-op overhead."""

from tinygrad_edu import data, textbook

from .tanh_net import (  # noqa: F401
    by_autograd,
    by_micrograd,
    by_numpy,
    by_tinygrad_edu,
    by_tinygrad_edu_fused,
    by_torch,
)
from .tanh_net_jit import by_tinygrad_edu_jit  # noqa: F401

TITLE = "W5 tiny net [2,8,1], N = 10, f64, 500 GD steps"
TARGET = 2.5
RTOL = 1e-10


def make_data():
    X, y = data.xor(n=10, seed=5)
    return X, y.reshape(-1, 1).astype(float), textbook.init_weights([2, 8, 1], rng=5), 0.1, 500
