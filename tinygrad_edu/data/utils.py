"""Preparing data for training: standardising, splitting, minibatches and label codes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..arguments import positive_int


def standardize(
    X_train: np.ndarray, X_test: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """z = (x − μ) / σ per column, with μ and σ measured on `X_train` only.

    σ is the population standard deviation (ddof=0), so each training column ends with mean 0
    and standard deviation 1. A constant column (σ = 0) is divided by 1 instead and becomes
    all zeros. `X_test` is scaled with the training μ and σ, so no test information leaks
    in. Returns (Z_train, Z_test), with Z_test None when no X_test is given.
    """
    X_train = _as_2d_float(X_train, "standardize", "X_train")
    mean, std = mean_and_scale(X_train)
    if X_test is None:
        return (X_train - mean) / std, None
    X_test = _as_2d_float(X_test, "standardize", "X_test")
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(
            f"standardize: X_train and X_test need the same number of columns, "
            f"got {X_train.shape} and {X_test.shape}"
        )
    return (X_train - mean) / std, (X_test - mean) / std


def mean_and_scale(X_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """μ and σ of each column of (N, d) `X_train` (σ with ddof=0, and 1 for a constant column),
    so that z = (x − μ) / σ standardises any data with the training statistics."""
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    return X_train.mean(axis=0), std


def train_test_split(
    X: np.ndarray,
    y: np.ndarray,
    test_size: float = 0.25,
    seed: int = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with `seed` and split into (X_train, X_test, y_train, y_test).

    The test part holds ceil(test_size · n) examples. With `stratify=True` each class is split
    on its own, round(test_size · n_c) of its n_c examples going to the test part, so both
    parts keep the class proportions (the total may then differ from the ceiling by rounding).
    """
    X, y = _check_pair(X, y, "train_test_split")
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size!r}")
    n = len(X)
    rng = np.random.default_rng(seed)
    if stratify:
        test_parts = []
        for c in np.unique(y):
            members = rng.permutation(np.flatnonzero(y == c))
            test_parts.append(members[: int(round(test_size * len(members)))])
        is_test = np.zeros(n, dtype=bool)
        is_test[np.concatenate(test_parts)] = True
        order = rng.permutation(n)
        test, train = order[is_test[order]], order[~is_test[order]]
    else:
        n_test = int(np.ceil(test_size * n))
        order = rng.permutation(n)
        test, train = order[:n_test], order[n_test:]
    if len(test) == 0 or len(train) == 0:
        raise ValueError(
            f"train_test_split: test_size={test_size} leaves {len(train)} training and "
            f"{len(test)} test examples out of {n}; both parts need at least one"
        )
    return X[train], X[test], y[train], y[test]


def minibatches(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    shuffle: bool = True,
    rng: int | np.random.Generator | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (X_batch, y_batch) pairs covering every example exactly once: one epoch.

    With `shuffle` the order is a permutation drawn from `rng` (a seed or a Generator; pass
    the same Generator each epoch to get a new, reproducible order every time), otherwise it
    is the stored order. All batches hold `batch_size` examples except possibly the last.
    """
    X, y = _check_pair(X, y, "minibatches")
    positive_int("minibatches", "batch_size", batch_size)
    n = len(X)
    order = np.random.default_rng(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        yield X[batch], y[batch]


def to_pm1(y: np.ndarray) -> np.ndarray:
    """Binary labels as −1/+1 (int64): 0 ↦ −1 and 1 ↦ +1; labels already ±1 stay as they are."""
    y = _binary_labels(y, "to_pm1")
    return np.where(y == 1, 1, -1).astype(np.int64)


def to_01(y: np.ndarray) -> np.ndarray:
    """Binary labels as 0/1 (int64): −1 ↦ 0 and +1 ↦ 1; labels already 0/1 stay as they are."""
    y = _binary_labels(y, "to_01")
    return (y == 1).astype(np.int64)


def one_hot(y: np.ndarray, k: int | None = None) -> np.ndarray:
    """Class indices y ∈ {0, ..., k−1} of shape (n,) as an (n, k) float64 matrix of 0s and 1s.

    `k` defaults to max(y) + 1.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"one_hot: y must be 1-D, got shape {y.shape}")
    if y.dtype.kind not in "iuf" or (y.dtype.kind == "f" and not np.all(y == np.round(y))):
        raise TypeError(f"one_hot: y must hold integer class indices, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if k is None:
        k = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(
            f"one_hot: class indices must lie in [0, {k}), got values from {y.min()} to {y.max()}"
        )
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1.0
    return out


def _binary_labels(y: np.ndarray, fn: str) -> np.ndarray:
    y = np.asarray(y)
    values = set(np.unique(y).tolist())
    if not (values <= {0, 1} or values <= {-1, 1}):
        raise ValueError(
            f"{fn}: labels must all be in {{0, 1}} or all in {{-1, 1}}, got {sorted(values)}"
        )
    return y


def _as_2d_float(X: np.ndarray, fn: str, name: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{fn}: {name} must be a non-empty 2-D array, got shape {X.shape}")
    return X


def _check_pair(X: np.ndarray, y: np.ndarray, fn: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"{fn}: X and y need the same number of rows, got shapes {X.shape} and {y.shape}"
        )
    return X, y
