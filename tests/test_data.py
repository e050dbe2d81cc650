"""Bundled data, synthetic generators, the CSV reader and the preparation helpers."""

import fnmatch
import gzip
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import data
from tinygrad_edu.data import (
    load_csv,
    load_dataset,
    minibatches,
    one_hot,
    standardize,
    to_01,
    to_pm1,
    train_test_split,
)

DATA_DIR = Path(data.__file__).parent
GENERATORS = [data.linear, data.xor, data.two_moons, data.spirals]


# ---------------------------------------------------------------- bundled real sets


@pytest.mark.parametrize(
    "loader, shape, counts, target_names",
    [
        (data.load_breast_cancer, (569, 30), [212, 357], ("malignant", "benign")),
        (data.load_iris, (150, 4), [50, 50, 50], ("setosa", "versicolor", "virginica")),
        (
            data.load_digits,
            (1797, 64),
            [178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
            tuple("0123456789"),
        ),
    ],
)
def test_bundled_sets_have_their_documented_shape_and_classes(
    loader, shape, counts, target_names
):
    ds = loader()
    assert isinstance(ds, data.Dataset)
    assert ds.X.shape == shape and ds.X.dtype == np.float64
    assert ds.y.shape == (shape[0],) and ds.y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(ds.y), counts)
    assert ds.target_names == target_names
    assert len(ds.feature_names) == shape[1]
    assert np.all(np.isfinite(ds.X))
    assert "CC BY 4.0" in ds.description


def test_bundled_values_are_the_published_ones():
    iris = data.load_iris()
    np.testing.assert_array_equal(iris.X[0], [5.1, 3.5, 1.4, 0.2])
    # the two examples that the UCI file gets wrong, as in Fisher's paper
    np.testing.assert_array_equal(iris.X[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(iris.X[37], [4.9, 3.6, 1.4, 0.1])
    assert iris.feature_names[0] == "sepal length (cm)"
    cancer = data.load_breast_cancer()
    assert cancer.feature_names[0] == "mean radius"
    assert cancer.feature_names[-1] == "worst fractal dimension"
    assert cancer.X[0, 0] == 17.99 and cancer.y[0] == 0
    digits = data.load_digits()
    assert digits.X.min() == 0 and digits.X.max() == 16
    np.testing.assert_array_equal(digits.X, np.round(digits.X))
    assert digits.feature_names[9] == "pixel_1_1"


def test_readme_cites_every_bundled_set_and_the_licence():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for needle in ["CC BY 4.0", "10.24432/C5DW2B", "10.24432/C50P49", "10.24432/C56C76"]:
        assert needle in readme


def test_package_data_globs_cover_every_data_file():
    tomllib = pytest.importorskip("tomllib")
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    globs = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
    patterns = globs["tinygrad_edu"]
    files = [p for p in DATA_DIR.iterdir() if p.is_file() and p.suffix not in {".py", ".pyc"}]
    assert len(files) == 4
    for path in files:
        assert any(fnmatch.fnmatch(f"data/{path.name}", pat) for pat in patterns), path.name


# ---------------------------------------------------------------- load_dataset


@pytest.mark.parametrize("name", data.DATASETS)
def test_load_dataset_knows_every_name(name):
    ds = load_dataset(name)
    assert ds.X.ndim == 2 and ds.X.dtype == np.float64
    assert ds.y.shape == (len(ds.X),)
    assert len(ds.feature_names) == ds.X.shape[1]


def test_load_dataset_passes_options_to_the_generator():
    ds = load_dataset("moons", n=50, seed=3, labels="01")
    X, y = data.two_moons(n=50, seed=3, labels="01")
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    assert ds.target_names == ("0", "1")
    assert load_dataset("xor").target_names == ("-1", "+1")


def test_load_dataset_lists_the_valid_names_for_an_unknown_one():
    with pytest.raises(
        ValueError,
        match="load_dataset: unknown data set 'mnist'; valid names are breast_cancer, digits, "
        "iris, linear, xor, moons, spirals",
    ):
        load_dataset("mnist")


# ---------------------------------------------------------------- synthetic sets


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [1, 7, 60])
def test_generators_have_shapes_dtypes_and_both_label_codes(make, n):
    X, y = make(n=n, seed=4)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {-1, 1}
    X01, y01 = make(n=n, seed=4, labels="01")
    np.testing.assert_array_equal(X01, X)
    np.testing.assert_array_equal(y01, (y + 1) // 2)


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_determined_by_the_seed(make):
    X1, y1 = make(n=40, seed=9)
    X2, y2 = make(n=40, seed=9)
    X3, _ = make(n=40, seed=10)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", [data.xor, data.two_moons, data.spirals])
def test_generators_balance_the_classes(make):
    _, y = make(n=101, seed=0)
    assert abs(np.sum(y == 1) - np.sum(y == -1)) <= 1


@pytest.mark.parametrize("seed", range(5))
def test_linear_without_noise_is_separable_by_a_line(seed):
    X, y = data.linear(n=100, seed=seed)
    assert 0 < np.sum(y == 1) < 100
    # the perceptron learning algorithm stops exactly when a line separates the classes
    X1 = np.column_stack([np.ones(len(X)), X])
    w = np.zeros(3)
    for _ in range(100_000):
        wrong = np.flatnonzero(np.where(X1 @ w > 0, 1, -1) != y)
        if wrong.size == 0:
            break
        w += y[wrong[0]] * X1[wrong[0]]
    assert wrong.size == 0


def test_linear_noise_moves_points_but_keeps_labels():
    X0, y0 = data.linear(n=80, seed=1, noise=0.0)
    X1, y1 = data.linear(n=80, seed=1, noise=0.3)
    np.testing.assert_array_equal(y0, y1)
    assert 0.2 < np.std(X1 - X0) < 0.4


def test_xor_labels_are_the_sign_of_the_product_of_coordinates():
    X, y = data.xor(n=200, seed=0, noise=0.05)
    np.testing.assert_array_equal(y, np.sign(X[:, 0] * X[:, 1]))


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.two_moons(n=51, seed=0, noise=0.0)
    neg, pos = X[y == -1], X[y == 1]
    assert (len(neg), len(pos)) == (26, 25)
    np.testing.assert_allclose(np.hypot(neg[:, 0], neg[:, 1]), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(pos[:, 0] - 1, pos[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(neg[:, 1] >= -1e-12) and np.all(pos[:, 1] <= 0.5 + 1e-12)


def test_spirals_without_noise_wind_half_a_turn_apart():
    turns = 1.5
    X, y = data.spirals(n=100, seed=0, noise=0.0, turns=turns)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r <= 1 + 1e-12)
    t = 2 * np.pi * turns * r
    angle = t + np.pi * (y == 1)
    np.testing.assert_allclose(X, np.column_stack([r * np.cos(angle), r * np.sin(angle)]),
                               atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, r"spirals: n must be a positive integer, got 0"),
        ({"noise": -1.0}, r"spirals: noise must be >= 0, got -1.0"),
        ({"labels": "bool"}, r"spirals: labels must be 'pm1' or '01', got 'bool'"),
        ({"turns": 0}, r"spirals: turns must be > 0, got 0"),
    ],
)
def test_generators_reject_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.spirals(**kwargs)


# ---------------------------------------------------------------- load_csv


def write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


def test_load_csv_reads_features_and_a_named_label_column(tmp_path):
    path = write(tmp_path, "a,label,b\n1.5,1,2\n-3,0,4e1\n")
    ds = load_csv(path, label_column="label")
    np.testing.assert_array_equal(ds.X, [[1.5, 2.0], [-3.0, 40.0]])
    np.testing.assert_array_equal(ds.y, [1, 0])
    assert ds.y.dtype == np.int64 and ds.X.dtype == np.float64
    assert ds.feature_names == ("a", "b") and ds.target_names == ("0", "1")


def test_load_csv_uses_the_last_column_by_default_and_reads_gzip(tmp_path):
    path = write(tmp_path, "x1, x2, y\n1, 2, 3\n4, 5, 6\n", name="t.csv.gz")
    ds = load_csv(path)
    np.testing.assert_array_equal(ds.X, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(ds.y, [3, 6])
    assert ds.feature_names == ("x1", "x2")


def test_load_csv_numbers_text_labels_in_sorted_order(tmp_path):
    path = write(tmp_path, 'f,species\n1,virginica\n2,"setosa"\n3,virginica\n')
    ds = load_csv(path, label_column=1)
    np.testing.assert_array_equal(ds.y, [1, 0, 1])
    assert ds.target_names == ("setosa", "virginica")


def test_load_csv_keeps_real_valued_targets(tmp_path):
    ds = load_csv(write(tmp_path, "f,price\n1,2.5\n2,3.25\n"))
    assert ds.y.dtype == np.float64 and ds.target_names == ()
    np.testing.assert_array_equal(ds.y, [2.5, 3.25])


def test_load_csv_names_a_missing_label_column_and_the_file(tmp_path):
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"load_csv: .*table\.csv has no label column 'label'"):
        load_csv(path, label_column="label")


def test_load_csv_points_at_the_first_missing_value(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,NA,1\n,4,0\n")
    with pytest.raises(
        ValueError,
        match=r"table\.csv has 2 missing value\(s\); the first is in data row 2, column 'b'",
    ):
        load_csv(path)


def test_load_csv_points_at_non_numeric_features(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,abc,1\n")
    with pytest.raises(
        ValueError, match=r"table\.csv has a non-numeric value 'abc' in data row 2, column 'b'"
    ):
        load_csv(path)


def test_load_csv_rejects_ragged_rows(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,1\n")
    with pytest.raises(ValueError, match=r"load_csv: cannot read .*table\.csv"):
        load_csv(path)


def test_load_csv_rejects_a_header_longer_than_the_rows(tmp_path):
    path = write(tmp_path, "a,b,c,y\n1,2,0\n")
    with pytest.raises(ValueError, match=r"has 4 names in its header but 3 columns of data"):
        load_csv(path)


def test_load_csv_names_a_file_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_csv: no such file: .*nothing\.csv"):
        load_csv(tmp_path / "nothing.csv")


# ---------------------------------------------------------------- load_csv: unreadable files
# Every refusal names the file: bytes that are not UTF-8, a damaged gzip, a FIFO or device.


@pytest.mark.parametrize("name", ["latin1.csv", "latin1.csv.gz"])
def test_load_csv_names_a_file_that_is_not_utf8(tmp_path, name):
    raw = "a,b,label\n1,2,caf\u00e9\n".encode("latin-1")
    path = tmp_path / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    with pytest.raises(ValueError, match=rf"load_csv: .*{name} is not UTF-8 text \(byte 0xe9"):
        load_csv(path)


def test_load_csv_names_a_damaged_gzip_file(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match=r"load_csv: .*broken\.csv\.gz is not a readable gzip"):
        load_csv(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_load_csv_refuses_a_fifo_without_blocking(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with pytest.raises(ValueError, match=r"pipe\.csv: it is a FIFO, not a regular file"):
        load_csv(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_load_csv_refuses_a_device():
    with pytest.raises(ValueError, match=r"load_csv: /dev/zero: it is a device"):
        load_csv("/dev/zero")


def test_load_csv_refuses_a_folder(tmp_path):
    with pytest.raises(ValueError, match=r"it is a folder, not a regular file"):
        load_csv(tmp_path)


# ---------------------------------------------------------------- standardize


def test_standardize_gives_train_mean_zero_and_std_one_and_reuses_them_on_test():
    rng = np.random.default_rng(0)
    X_train = rng.normal([3.0, -2.0, 7.0], [2.0, 0.1, 5.0], size=(200, 3))
    X_test = rng.normal(size=(20, 3))
    before = X_train.copy()
    Z_train, Z_test = standardize(X_train, X_test)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z_train.std(axis=0), 1.0, rtol=1e-12)
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(Z_test, expected, rtol=1e-12)
    np.testing.assert_array_equal(X_train, before)


def test_standardize_maps_a_constant_column_to_zeros():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    Z, Z_test = standardize(X)
    assert Z_test is None
    np.testing.assert_array_equal(Z[:, 1], 0.0)
    assert np.all(np.isfinite(Z))


def test_standardize_rejects_test_data_of_another_width():
    with pytest.raises(ValueError, match=r"standardize: .*same number of columns.*\(2, 3\)"):
        standardize(np.ones((4, 2)), np.ones((2, 3)))


# ---------------------------------------------------------------- train_test_split


@given(n=st.integers(2, 60), test_size=st.floats(0.01, 0.99), seed=st.integers(0, 2**32 - 1))
def test_split_is_a_partition_of_the_requested_sizes(n, test_size, seed):
    n_test = int(np.ceil(test_size * n))
    X = np.arange(n, dtype=float).reshape(n, 1)
    y = np.arange(n) * 10
    if n_test >= n:
        with pytest.raises(ValueError, match="train_test_split: test_size="):
            train_test_split(X, y, test_size=test_size, seed=seed)
        return
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, seed=seed)
    assert (len(X_tr), len(X_te)) == (n - n_test, n_test)
    assert sorted(np.concatenate([X_tr[:, 0], X_te[:, 0]])) == list(range(n))
    np.testing.assert_array_equal(y_tr, X_tr[:, 0] * 10)
    np.testing.assert_array_equal(y_te, X_te[:, 0] * 10)


def test_split_is_determined_by_the_seed():
    X, y = data.xor(n=50, seed=0)
    first = train_test_split(X, y, seed=5)
    again = train_test_split(X, y, seed=5)
    other = train_test_split(X, y, seed=6)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])


def test_stratified_split_keeps_the_class_proportions():
    iris = data.load_iris()
    _, X_te, y_tr, y_te = train_test_split(iris.X, iris.y, test_size=0.2, seed=1, stratify=True)
    np.testing.assert_array_equal(np.bincount(y_te), [10, 10, 10])
    np.testing.assert_array_equal(np.bincount(y_tr), [40, 40, 40])
    assert len(X_te) == 30


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.1])
def test_split_rejects_a_test_size_outside_the_open_unit_interval(test_size):
    with pytest.raises(ValueError, match=r"train_test_split: test_size must be in \(0, 1\)"):
        train_test_split(np.ones((10, 2)), np.ones(10), test_size=test_size)


def test_split_rejects_x_and_y_of_different_lengths():
    with pytest.raises(ValueError, match=r"train_test_split: X and y .*\(10, 2\) and \(9,\)"):
        train_test_split(np.ones((10, 2)), np.ones(9))


# ---------------------------------------------------------------- minibatches


@given(n=st.integers(1, 50), batch_size=st.integers(1, 60), seed=st.integers(0, 1000))
def test_minibatches_cover_every_example_once_per_epoch(n, batch_size, seed):
    X = np.arange(n, dtype=float).reshape(n, 1)
    y = -np.arange(n)
    batches = list(minibatches(X, y, batch_size, rng=seed))
    assert len(batches) == -(-n // batch_size)
    assert all(len(Xb) == batch_size for Xb, _ in batches[:-1])
    assert 1 <= len(batches[-1][0]) <= batch_size
    seen = np.concatenate([Xb[:, 0] for Xb, _ in batches])
    assert sorted(seen) == list(range(n))
    for Xb, yb in batches:
        np.testing.assert_array_equal(yb, -Xb[:, 0])


def test_minibatches_are_seeded_and_unshuffled_on_request():
    X, y = np.arange(10.0).reshape(10, 1), np.arange(10)
    order = [yb for _, yb in minibatches(X, y, 3, rng=4)]
    again = [yb for _, yb in minibatches(X, y, 3, rng=4)]
    assert all(np.array_equal(a, b) for a, b in zip(order, again, strict=True))
    assert not np.array_equal(np.concatenate(order), np.arange(10))
    plain = [yb for _, yb in minibatches(X, y, 4, shuffle=False)]
    assert [b.tolist() for b in plain] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_minibatches_with_one_generator_reshuffle_every_epoch():
    X, y = np.arange(20.0).reshape(20, 1), np.arange(20)
    rng = np.random.default_rng(0)
    epoch1 = np.concatenate([yb for _, yb in minibatches(X, y, 5, rng=rng)])
    epoch2 = np.concatenate([yb for _, yb in minibatches(X, y, 5, rng=rng)])
    assert not np.array_equal(epoch1, epoch2)
    assert sorted(epoch2) == list(range(20))


@pytest.mark.parametrize("batch_size", [0, -2, 2.5])
def test_minibatches_reject_a_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match=rf"minibatches: batch_size .* got {batch_size}"):
        next(minibatches(np.ones((4, 2)), np.ones(4), batch_size))


# ---------------------------------------------------------------- labels


def test_label_codes_convert_both_ways_and_are_idempotent():
    y01 = np.array([0, 1, 1, 0])
    ypm = np.array([-1, 1, 1, -1])
    np.testing.assert_array_equal(to_pm1(y01), ypm)
    np.testing.assert_array_equal(to_01(ypm), y01)
    np.testing.assert_array_equal(to_pm1(ypm), ypm)
    np.testing.assert_array_equal(to_01(y01), y01)
    assert to_pm1(y01).dtype == np.int64 and to_01(ypm).dtype == np.int64


@pytest.mark.parametrize("fn", [to_pm1, to_01])
def test_label_codes_reject_other_values(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: labels must .* got \[0, 1, 2\]"):
        fn(np.array([0, 1, 2]))


def test_one_hot_puts_a_single_one_in_each_row():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 4), [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert one_hot(np.array([1, 3])).shape == (2, 4)


def test_one_hot_rejects_classes_out_of_range_and_fractions():
    with pytest.raises(ValueError, match=r"one_hot: class indices must lie in \[0, 3\)"):
        one_hot([0, 3], 3)
    with pytest.raises(TypeError, match=r"one_hot: y must hold integer class indices"):
        one_hot([0.5, 1.0])


# ---------------------------------------------------------------- utils.data loaders


@given(n=st.integers(0, 30), batch_size=st.integers(1, 8), drop_last=st.booleans(),
       shuffle=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_a_loader_epoch_covers_each_example_once_in_full_batches(n, batch_size, drop_last,
                                                                 shuffle, seed):
    import tinygrad_edu as tg
    from tinygrad_edu.utils.data import DataLoader, TensorDataset

    X = tg.tensor(np.arange(n, dtype=np.float64).reshape(n, 1) * 10)
    y = tg.tensor(np.arange(n))
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                        drop_last=drop_last, generator=tg.Generator().manual_seed(seed))
    batches = list(loader)
    full, rest = divmod(n, batch_size)
    sizes = [batch_size] * full + ([rest] if rest and not drop_last else [])
    assert [len(yb) for _, yb in batches] == sizes
    assert len(loader) == len(sizes)
    seen = np.concatenate([yb.numpy() for _, yb in batches]) if batches else np.array([], int)
    assert len(set(seen.tolist())) == len(seen)  # no example twice
    if not drop_last:
        assert sorted(seen.tolist()) == list(range(n))
    if not shuffle:
        assert seen.tolist() == list(range(len(seen)))
    for xb, yb in batches:  # rows stay together
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy() * 10.0)


def test_a_custom_dataset_with_dict_examples_batches_as_pytorch():
    import tinygrad_edu as tg
    from tinygrad_edu.utils.data import DataLoader, Dataset

    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.array([i, i * i], dtype=np.float32), "label": i % 2, "name": f"n{i}"}

    batches = list(DataLoader(Squares(), batch_size=2))
    assert [b["name"] for b in batches] == [["n0", "n1"], ["n2", "n3"], ["n4"]]
    np.testing.assert_array_equal(batches[1]["x"].numpy(), [[2, 4], [3, 9]])
    assert batches[1]["x"].dtype == np.float32 and batches[1]["label"].dtype == np.int64
    assert isinstance(batches[0]["label"], tg.Tensor)
