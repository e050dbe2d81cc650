"""The bundled real data sets, a CSV reader, and one entry point for every named set.

Citations and the licence of the bundled files are in `README.md` next to this module.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import stat
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from . import synthetic

_HERE = Path(__file__).resolve().parent
_MISSING = {"", "?", "na", "n/a", "nan", "null", "none"}


class Dataset(NamedTuple):
    """A data set: `X` float64 (n, d), `y` (n,), and what the columns and classes mean.

    `y` holds int64 labels for the bundled and synthetic sets. `target_names` names the
    classes in sorted label order: for labels 0..k−1, `target_names[c]` is class c; for ±1
    labels it is ("-1", "+1"). It is empty for a real-valued target. Being a tuple it also
    unpacks: `X, y, *_ = load_iris()`.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    description: str


def load_breast_cancer() -> Dataset:
    """Breast Cancer Wisconsin (Diagnostic): 569 examples, 30 features, 0 = malignant, 1 = benign.

    UCI Machine Learning Repository, CC BY 4.0; doi:10.24432/C5DW2B.
    """
    return _load_bundled(
        "breast_cancer.csv.gz",
        ("malignant", "benign"),
        "Breast Cancer Wisconsin (Diagnostic): 30 measurements of cell nuclei in images of "
        "breast mass aspirates; target 0 = malignant (212), 1 = benign (357). W. H. Wolberg, "
        "W. N. Street, O. L. Mangasarian; UCI Machine Learning Repository, "
        "doi:10.24432/C5DW2B, CC BY 4.0.",
    )


def load_digits() -> Dataset:
    """Optical Recognition of Handwritten Digits: 1797 examples, 64 pixels (0..16), digit 0..9.

    Pixel `pixel_r_c` is row r, column c of the 8×8 image, so `X[i].reshape(8, 8)` shows it.
    UCI Machine Learning Repository, CC BY 4.0; doi:10.24432/C50P49.
    """
    return _load_bundled(
        "digits.csv.gz",
        tuple(str(d) for d in range(10)),
        "Optical Recognition of Handwritten Digits (UCI test set): 8x8 images with pixel "
        "values 0..16, row by row; target is the digit 0..9. E. Alpaydin, C. Kaynak; UCI "
        "Machine Learning Repository, doi:10.24432/C50P49, CC BY 4.0.",
    )


def load_iris() -> Dataset:
    """Iris: 150 flowers, 4 measurements in cm, 0 = setosa, 1 = versicolor, 2 = virginica.

    UCI Machine Learning Repository, CC BY 4.0; doi:10.24432/C56C76.
    """
    return _load_bundled(
        "iris.csv.gz",
        ("setosa", "versicolor", "virginica"),
        "Iris: sepal and petal length and width (cm) of 50 flowers of each of three species; "
        "target 0 = setosa, 1 = versicolor, 2 = virginica. R. A. Fisher (1936); UCI Machine "
        "Learning Repository, doi:10.24432/C56C76, CC BY 4.0.",
    )


def load_csv(
    path: str | Path, label_column: str | int = -1, delimiter: str = ","
) -> Dataset:
    """Read a CSV file with a header row; one column holds the labels, the rest the features.

    `label_column` is a column name or a position (negative counts from the end; the last
    column by default). A path ending in ".gz" is decompressed. Features must be numbers.
    Labels that are whole numbers become int64, other numbers float64 (a regression target),
    and text labels become class indices 0..k−1 in sorted order, named in `target_names`.
    Raises ValueError naming the file, row and column for a missing label column, missing
    values (empty, "?", "NA", "NaN", ...), text among the features, or ragged rows. Blank
    lines are skipped and not counted as data rows.
    """
    path = Path(path)
    try:
        with open_regular_file(path, "load_csv: ") as raw:
            binary = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
            with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as f:
                header = next(csv.reader([f.readline()], delimiter=delimiter), [])
                body = f.read()
    except UnicodeDecodeError as e:
        raise ValueError(f"load_csv: {path} is not UTF-8 text (byte {e.object[e.start]:#04x} "
                         f"at offset {e.start} of its text); save it as UTF-8") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise ValueError(f"load_csv: {path} is not a readable gzip file ({e})") from None
    header = [name.strip() for name in header]
    if not header or header == [""]:
        raise ValueError(f"load_csv: {path} is empty; expected a header row")
    label = _column_index(header, label_column, path)
    rows = [line for line in body.splitlines() if line.strip()]
    if not rows:
        raise ValueError(f"load_csv: {path} has a header but no data rows")
    try:
        cells = np.loadtxt(
            rows, dtype=str, delimiter=delimiter, quotechar='"', comments=None, ndmin=2
        )
    except ValueError as err:
        raise ValueError(f"load_csv: cannot read {path}: {err}") from None
    if cells.shape[1] != len(header):
        raise ValueError(
            f"load_csv: {path} has {len(header)} names in its header but "
            f"{cells.shape[1]} columns of data"
        )
    cells = np.char.strip(cells)
    missing = np.isin(np.char.lower(cells), list(_MISSING))
    if missing.any():
        row, col = np.argwhere(missing)[0]
        raise ValueError(
            f"load_csv: {path} has {missing.sum()} missing value(s); the first is in data row "
            f"{row + 1}, column {header[col]!r} ({str(cells[row, col])!r})"
        )
    features = [c for c in range(len(header)) if c != label]
    X = _to_float(cells[:, features], [header[c] for c in features], path)
    y, target_names = _labels(cells[:, label], header[label], path)
    return Dataset(
        X, y, tuple(header[c] for c in features), target_names, f"Loaded from {path}."
    )


def open_regular_file(path: str | os.PathLike, op: str):
    """`path` opened for binary reading, after checking it is a regular file: a FIFO, a device
    (/dev/zero) or a folder is refused with a ValueError "{op}{path}: it is ..." (and a missing
    file is a FileNotFoundError). Opened non-blocking, so a FIFO cannot hang the check."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"{op}no such file: {path}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ValueError(f"{op}{path}: it is {file_kind(mode)}, not a regular file; "
                         "refusing to read it")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def file_kind(mode: int) -> str:
    """What an `os.stat` mode says a path is, for an error message ("a FIFO", ...)."""
    return ("a regular file" if stat.S_ISREG(mode) else "a folder" if stat.S_ISDIR(mode)
            else "a symlink" if stat.S_ISLNK(mode) else "a FIFO" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket or other special file")


def load_dataset(name: str, **kwargs: object) -> Dataset:
    """Any named set as a `Dataset`: a bundled real one, or a synthetic one made on the spot.

    Real: "breast_cancer", "digits", "iris" (no options). Synthetic: "linear", "xor",
    "moons", "spirals", whose options (n, seed, noise, labels, ...) are passed through.
    """
    if name in _REAL:
        return _REAL[name](**kwargs)
    if name in _SYNTHETIC:
        labels = kwargs.get("labels", "pm1")
        X, y = _SYNTHETIC[name](**kwargs)
        return Dataset(
            X, y, ("x1", "x2"), ("-1", "+1") if labels == "pm1" else ("0", "1"),
            f"Synthetic {name!r} set, {synthetic.__name__}.{_SYNTHETIC[name].__name__}"
            f"({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}).",
        )
    raise ValueError(
        f"load_dataset: unknown data set {name!r}; valid names are {', '.join(DATASETS)}"
    )


def _load_bundled(file: str, target_names: tuple[str, ...], description: str) -> Dataset:
    data = load_csv(_HERE / file, label_column="target")
    return Dataset(data.X, data.y, data.feature_names, target_names, description)


def _column_index(header: list[str], label_column: str | int, path: Path) -> int:
    if len(header) < 2:
        raise ValueError(f"load_csv: {path} needs at least one feature column and a label")
    if isinstance(label_column, str):
        if label_column not in header:
            raise ValueError(
                f"load_csv: {path} has no label column {label_column!r}; "
                f"its columns are {header}"
            )
        return header.index(label_column)
    if not -len(header) <= label_column < len(header):
        raise ValueError(
            f"load_csv: label_column={label_column} is out of range for the "
            f"{len(header)} columns of {path}"
        )
    return label_column % len(header)


def _to_float(cells: np.ndarray, names: list[str], path: Path) -> np.ndarray:
    try:
        X = cells.astype(np.float64)
    except ValueError:
        for col, name in enumerate(names):
            for row, cell in enumerate(cells[:, col]):
                try:
                    float(cell)
                except ValueError:
                    raise ValueError(
                        f"load_csv: {path} has a non-numeric value {str(cell)!r} in data row "
                        f"{row + 1}, column {name!r}"
                    ) from None
        raise
    if not np.all(np.isfinite(X)):
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"load_csv: {path} has a non-finite value {str(cells[row, col])!r} in data row "
            f"{row + 1}, column {names[col]!r}"
        )
    return X


def _labels(cells: np.ndarray, name: str, path: Path) -> tuple[np.ndarray, tuple[str, ...]]:
    """Numeric labels as numbers (int64 when whole), text labels as sorted class indices."""
    try:
        values = cells.astype(np.float64)
    except ValueError:
        classes, y = np.unique(cells, return_inverse=True)
        return y.astype(np.int64), tuple(str(c) for c in classes)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"load_csv: label column {name!r} of {path} holds non-finite values")
    if np.all(values == np.round(values)):
        y = values.astype(np.int64)
        return y, tuple(str(c) for c in np.unique(y))
    return values, ()


_REAL: dict[str, Callable[..., Dataset]] = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "iris": load_iris,
}
_SYNTHETIC: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "linear": synthetic.linear,
    "xor": synthetic.xor,
    "moons": synthetic.two_moons,
    "spirals": synthetic.spirals,
}
DATASETS: tuple[str, ...] = (*_REAL, *_SYNTHETIC)
