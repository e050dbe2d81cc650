"""Data for the examples: synthetic 2-D sets, three bundled real sets, and preparation tools.

Synthetic generators return `(X, y)`; loaders return a `Dataset` (X, y, feature_names,
target_names, description). The bundled files' citations and licence: `data/README.md`.
"""

from .datasets import (
    DATASETS,
    Dataset,
    load_breast_cancer,
    load_csv,
    load_dataset,
    load_digits,
    load_iris,
)
from .synthetic import linear, spirals, two_moons, xor
from .utils import (
    mean_and_scale,
    minibatches,
    one_hot,
    standardize,
    to_01,
    to_pm1,
    train_test_split,
)

__all__ = [
    "DATASETS",
    "Dataset",
    "linear",
    "load_breast_cancer",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_iris",
    "mean_and_scale",
    "minibatches",
    "one_hot",
    "spirals",
    "standardize",
    "to_01",
    "to_pm1",
    "train_test_split",
    "two_moons",
    "xor",
]
