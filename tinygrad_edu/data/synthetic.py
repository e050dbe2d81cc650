"""Small two-dimensional classification sets, reproducible from a seed.

Every generator returns `(X, y)`: `X` is float64 of shape (n, 2) and `y` is int64 of shape
(n,). Labels are ±1 by default (`labels="pm1"`, the convention of the logistic loss and of the
course); `labels="01"` gives 0/1 for binary cross-entropy. Class 0 of the "01" convention is
class −1 of the "pm1" one. Rows come in random order, so any slice mixes the classes. The same
arguments always give the same arrays.
"""

from __future__ import annotations

import numpy as np

from ..arguments import positive_int

LABELS = ("pm1", "01")


def linear(
    n: int = 100, seed: int = 0, noise: float = 0.0, labels: str = "pm1"
) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [−1, 1]² labelled by the side of a random line, then jittered.

    The line is f(x) = sign(w₀ + w₁x₁ + w₂x₂) with (w₁, w₂) a random unit vector and
    |w₀| ≤ 0.3, drawn from `seed`. Gaussian noise of standard deviation `noise` moves the
    points after labelling, so `noise=0` gives a linearly separable set and larger values
    blur the border.
    """
    _check(n, noise, labels, "linear")
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    w = np.array([rng.uniform(-0.3, 0.3), np.cos(angle), np.sin(angle)])
    X = rng.uniform(-1, 1, size=(n, 2))
    positive = w[0] + X @ w[1:] >= 0
    X += noise * rng.standard_normal((n, 2))
    return X, _encode(positive, labels)


def xor(
    n: int = 200, seed: int = 0, noise: float = 0.25, labels: str = "pm1"
) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters at (±1, ±1); positive when the centre's coordinates agree.

    Points are shared out evenly among the clusters; `noise` is each cluster's standard
    deviation. No line separates the classes: a network needs a hidden layer.
    """
    _check(n, noise, labels, "xor")
    rng = np.random.default_rng(seed)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    cluster = rng.permutation(np.arange(n) % 4)
    X = centres[cluster] + noise * rng.standard_normal((n, 2))
    return X, _encode(cluster < 2, labels)


def two_moons(
    n: int = 200, seed: int = 0, noise: float = 0.1, labels: str = "pm1"
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles of radius 1, with Gaussian noise of deviation `noise`.

    The negative moon is (cos t, sin t), the positive one (1 − cos t, 0.5 − sin t), with t
    evenly spaced in [0, π]; the negative moon gets the extra point when n is odd.
    """
    _check(n, noise, labels, "two_moons")
    rng = np.random.default_rng(seed)
    n_pos = n // 2
    t_neg = np.linspace(0, np.pi, n - n_pos)
    t_pos = np.linspace(0, np.pi, n_pos)
    X = np.concatenate(
        [np.column_stack([np.cos(t_neg), np.sin(t_neg)]),
         np.column_stack([1 - np.cos(t_pos), 0.5 - np.sin(t_pos)])]
    )
    positive = np.arange(n) >= n - n_pos
    X += noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], _encode(positive[order], labels)


def spirals(
    n: int = 200, seed: int = 0, noise: float = 0.05, labels: str = "pm1", turns: float = 1.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals in the unit disc, each winding `turns` times around the origin.

    A point at angle t ∈ [0, 2π·turns] lies at radius t / (2π·turns); the positive spiral is
    the negative one turned by π. The angles are random, denser far out so that the points
    spread evenly along the arms, and `noise` is the deviation of the Gaussian jitter.
    """
    _check(n, noise, labels, "spirals")
    if not turns > 0:
        raise ValueError(f"spirals: turns must be > 0, got {turns!r}")
    rng = np.random.default_rng(seed)
    positive = rng.permutation(np.arange(n) % 2 == 1)
    t_max = 2 * np.pi * turns
    t = t_max * np.sqrt(rng.uniform(0, 1, n))
    radius = t / t_max
    angle = t + np.pi * positive
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return X, _encode(positive, labels)


def _encode(positive: np.ndarray, labels: str) -> np.ndarray:
    negative = -1 if labels == "pm1" else 0
    return np.where(positive, 1, negative).astype(np.int64)


def _check(n: int, noise: float, labels: str, fn: str) -> None:
    positive_int(fn, "n", n)
    if not noise >= 0:
        raise ValueError(f"{fn}: noise must be >= 0, got {noise!r}")
    if labels not in LABELS:
        raise ValueError(f"{fn}: labels must be 'pm1' or '01', got {labels!r}")
