"""Linear-algebra rows: products and norms."""

import operator

import numpy as np
from strategies import AWAY_FROM_ZERO, matmul_pair

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

from .rows import M, N, Op, V, linear_inputs, unary

ROWS = [
    Op("matmul", tg.matmul, np.matmul, matmul_pair(), operator=operator.matmul,
       hostile=("matmul",),
          numpy=(("dot 1-D", lambda x, y: np.dot(x, y), [V, V * 0.5]),
              ("dot 2-D", lambda x, y: np.dot(x, y), [M, N]),
              ("dot 2-D 1-D", lambda x, y: np.dot(x, y), [M, V]),
              ("dot scalar", lambda x: np.dot(x, 3.0), [M]),
              ("matmul", lambda x, y: np.matmul(x, y), [M, N]),
              ("inner 1-D", lambda x, y: np.inner(x, y), [V, V * 0.5]),
              ("inner 2-D", lambda x, y: np.inner(x, y), [M, M[:2]]))),
    Op("linear", F.linear, lambda x, w, b: x @ w.T + b, linear_inputs()),
    unary("np.linalg.norm", lambda x: np.linalg.norm(x), np.linalg.norm, AWAY_FROM_ZERO,
          numpy=(("norm vector", lambda x: np.linalg.norm(x), [V]),
                 ("norm frobenius", lambda x: np.linalg.norm(x), [M]),
                 ("norm fro", lambda x: np.linalg.norm(x, "fro"), [M]),
                 ("norm ord 2 vector", lambda x: np.linalg.norm(x, 2), [V]),
                 ("norm axis", lambda x: np.linalg.norm(x, axis=1, keepdims=True), [M]))),
]
