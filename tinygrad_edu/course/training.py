"""Training the course's two models on a data set: the shared machinery of the command line.

- logistic regression: scores s = wᵀx + b, labels ±1, loss E_in = 1/N Σ ln(1 + e^(−y s));
- the tanh MLP: outputs x(L) = tanh(s(L)), targets ±1 (one unit for two classes, one unit
  per class otherwise), squared error E_in = 1/N Σ_n Σ_j (x(L)_nj − y_nj)².
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import data as datasets
from .. import nn, optim
from ..arguments import is_positive_int, positive_int
from ..autograd.grad_mode import no_grad
from ..dtypes import as_dtype
from ..generators import manual_seed
from ..nn import functional as F
from ..tensor import Tensor

MODELS = ("logistic", "mlp")
OPTIMIZERS = ("gd", "sgd", "momentum", "adam", "normalized")
SCHEDULES = ("constant", "step", "exponential", "cosine")
MAX_PARAMETERS = 50_000_000  # 200 MB in float32: far above any course model, far below a typo


@dataclass
class Prepared:
    """A data set split, standardised with the training statistics, and its targets."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray  # class indices 0..k−1
    y_test: np.ndarray
    classes: int
    mean: np.ndarray
    scale: np.ndarray


def load(name: str, seed: int = 0, test_size: float = 0.25,
         label_column: str | int = -1) -> Prepared:
    """Load a bundled or synthetic set by name (or a CSV path), split it with `seed`, and
    standardise both parts with the training mean and standard deviation.

    Refuses labels that are real numbers (a regression target, not classes) and a single class.
    """
    if name.endswith((".csv", ".csv.gz")):
        ds = datasets.load_csv(name, label_column=label_column)
        where = f"the label column {label_column!r} of {name}"
    elif name in ("linear", "xor", "moons", "spirals"):
        ds, where = datasets.load_dataset(name, seed=seed), f"data set {name!r}"
    else:
        ds, where = datasets.load_dataset(name), f"data set {name!r}"
    labels, y = np.unique(ds.y, return_inverse=True)  # class indices 0..k−1, whatever labels
    if ds.y.dtype.kind == "f":
        raise ValueError(f"{where} holds real numbers ({len(labels)} distinct values, e.g. "
                         f"{labels[0].item()!r}), not class labels; choose a column of classes")
    if len(labels) < 2:
        only = ds.target_names[0] if ds.target_names else labels[0].item()
        raise ValueError(f"{where} holds a single class ({only!r}); a classifier needs at "
                         "least two")
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(ds.X, y, test_size=test_size, seed=seed)
    mean, scale = datasets.mean_and_scale(X_tr)
    return Prepared(name, (X_tr - mean) / scale, (X_te - mean) / scale, y_tr, y_te,
                    int(y.max()) + 1, mean, scale)


def targets(model_kind: str, y: np.ndarray, classes: int) -> np.ndarray:
    """±1 targets: a vector for logistic regression, a (N, units) matrix for the MLP."""
    if model_kind == "logistic" or classes == 2:
        t = np.where(y == classes - 1, 1.0, -1.0)
        return t if model_kind == "logistic" else t[:, None]
    return 2.0 * datasets.one_hot(y, classes) - 1.0


def layer_sizes(kind: str, d: int, classes: int, hidden: Sequence[int] = (32,)) -> list[int]:
    """[d, 1] for logistic regression, [d, *hidden, units] for the MLP (one output unit for
    two classes, one per class otherwise), after checking every number."""
    if kind not in MODELS:
        raise ValueError(f"unknown model {kind!r}; choose one of {', '.join(MODELS)}")
    sizes = [d, *hidden, classes]
    if not all(is_positive_int(n) for n in sizes):
        raise ValueError(f"features, hidden widths and classes must be positive whole numbers, "
                         f"got {d!r}, {list(hidden)!r}, {classes!r}")
    if kind == "logistic":
        if classes != 2:
            raise ValueError(f"logistic regression needs two classes, the data has {classes}")
        return [int(d), 1]
    if classes < 2:
        raise ValueError(f"an MLP classifier needs at least two classes, got {classes}")
    return [int(n) for n in (d, *hidden)] + [1 if classes == 2 else int(classes)]


def parameter_count(sizes: Sequence[int]) -> int:
    """Σ_ℓ (d(ℓ−1) + 1) · d(ℓ): weights and biases of the layers between `sizes`."""
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def build_model(kind: str, d: int, classes: int, hidden: Sequence[int] = (32,),
                dtype=None, seed: int = 0) -> nn.Module:
    """LogisticRegression(d), or MLP([d, *hidden, units]) with tanh everywhere; a model of
    more than MAX_PARAMETERS parameters is refused before anything is allocated."""
    sizes = layer_sizes(kind, d, classes, hidden)
    count = parameter_count(sizes)
    if count > MAX_PARAMETERS:
        raise ValueError(f"a {kind} with layer sizes {sizes} would have {count:,} parameters, "
                         f"more than the {MAX_PARAMETERS:,} allowed")
    manual_seed(seed)
    if kind == "logistic":
        return nn.LogisticRegression(d, dtype=dtype)
    return nn.MLP(sizes, dtype=dtype)


def loss_fn(kind: str) -> Callable[[Tensor, Tensor], Tensor]:
    """The loss a model trains on: logistic regression's cross-entropy, the MLP's E_in."""
    return F.logistic_loss if kind == "logistic" else F.squared_error


def predict(kind: str, model: nn.Module, X: np.ndarray) -> np.ndarray:
    """Class indices: the sign of the score for two classes, else the largest output."""
    with no_grad():
        out = model(Tensor(X.astype(_param_dtype(model), copy=False)))._data
    if kind == "logistic" or out.ndim == 1 or out.shape[1] == 1:
        return (out.reshape(len(X)) > 0).astype(np.int64)
    return out.argmax(axis=1)


def _param_dtype(model: nn.Module) -> np.dtype:
    return next(iter(model.parameters())).dtype


def make_optimizer(name: str, params, lr: float, check_finite: bool = True) -> optim.Optimizer:
    """gd and sgd are plain steps (full batch or minibatches); momentum uses μ = 0.9.
    With `check_finite`, a step refuses NaN or inf gradients and moves nothing."""
    if name in ("gd", "sgd"):
        return optim.SGD(params, lr=lr, check_finite=check_finite)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9, check_finite=check_finite)
    if name == "adam":
        return optim.Adam(params, lr=lr, check_finite=check_finite)
    if name == "normalized":
        return optim.NormalizedGD(params, lr=lr, check_finite=check_finite)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def make_schedule(name: str, opt: optim.Optimizer, epochs: int):
    if name == "constant":
        return None
    if name == "step":
        return optim.lr_scheduler.StepLR(opt, step_size=max(epochs // 3, 1), gamma=0.1)
    if name == "exponential":
        return optim.lr_scheduler.ExponentialLR(opt, gamma=0.01 ** (1 / max(epochs, 1)))
    if name == "cosine":
        return optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(epochs, 1))
    raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")


@dataclass
class Result:
    """What a run reports: final loss, accuracies, steps taken, seconds, and the loss after
    each epoch on the training points (`history`) and on the test points (`test_history`,
    empty without a test split)."""

    loss: float
    train_accuracy: float
    test_accuracy: float
    steps: int
    seconds: float
    history: list = field(default_factory=list)
    test_history: list = field(default_factory=list)


def fit(kind: str, model: nn.Module, prep: Prepared, optimizer: str = "gd", lr: float = 0.5,
        epochs: int = 100, batch_size: int | None = None, schedule: str = "constant",
        seed: int = 0, progress: Callable | None = None, check_finite: bool = True) -> Result:
    """Train `model` on `prep`: full-batch steps when `batch_size` is None (or ≥ N), else
    minibatches reshuffled every epoch. `progress(epoch, loss)` is called after each epoch."""
    positive_int("fit", "epochs", epochs)
    if batch_size is not None:
        positive_int("fit", "batch_size", batch_size)
    dtype = _param_dtype(model)
    X = prep.X_train.astype(dtype)
    Y = targets(kind, prep.y_train, prep.classes).astype(dtype)
    loss_of = loss_fn(kind)
    opt = make_optimizer(optimizer, model.parameters(), lr, check_finite)
    sched = make_schedule(schedule, opt, epochs)
    rng = np.random.default_rng(seed)
    full_batch = batch_size is None or batch_size >= len(X)
    X_t, Y_t = Tensor(X), Tensor(Y)
    X_test = Tensor(prep.X_test.astype(dtype))
    Y_test = Tensor(targets(kind, prep.y_test, prep.classes).astype(dtype))
    history, test_history, steps, start = [], [], 0, time.perf_counter()
    for epoch in range(epochs):
        batches = [(X_t, Y_t)] if full_batch else (
            (Tensor(xb), Tensor(yb)) for xb, yb in
            datasets.minibatches(X, Y, batch_size, rng=rng))
        for xb, yb in batches:
            opt.zero_grad()
            loss = loss_of(model(xb), yb)
            loss.backward()
            opt.step()
            steps += 1
        with no_grad():
            history.append(float(loss_of(model(X_t), Y_t).item()))
            if len(X_test):
                test_history.append(float(loss_of(model(X_test), Y_test).item()))
        if sched is not None:
            sched.step()
        if progress is not None:
            progress(epoch, history[-1])
    seconds = time.perf_counter() - start
    return Result(history[-1], accuracy(kind, model, prep.X_train, prep.y_train),
                  accuracy(kind, model, prep.X_test, prep.y_test), steps, seconds, history,
                  test_history)


def diagnose(result: Result, classes: int, lr: float) -> list[str]:
    """What went wrong in a run, each with a concrete hint; empty for a run that learned.

    Three signs: a loss that is no longer finite or that ended above where it started (η too
    large: plain GD diverges once η passes 2/λ_max of the Hessian), a loss that stayed flat,
    and a training accuracy no better than guessing (1/classes)."""
    first, last = result.history[0], result.history[-1]
    problems = []
    if not math.isfinite(last):
        problems.append(f"the loss became {last}: the steps diverged; try --lr {lr / 10:g}")
    elif last > first:
        problems.append(f"the loss rose from {first:.4g} to {last:.4g}: η = {lr:g} is too "
                        f"large for this problem; try --lr {lr / 10:g}")
    elif len(result.history) > 1 and first - last <= 1e-3 * abs(first):
        cause, better = (("so large that the first steps saturated the tanh units, whose "
                          "slope is then 0", lr / 1000) if lr >= 1 else
                         ("too small to move the weights", lr * 10))
        problems.append(f"the loss stayed flat at {last:.4g}: η = {lr:g} is {cause}; try "
                        f"--lr {better:g}")
    chance = 1 / classes
    if result.train_accuracy <= chance + 0.05:
        problems.append(f"training accuracy {result.train_accuracy:.1%} is no better than "
                        f"chance ({chance:.0%} for {classes} classes): the model has not "
                        f"learned; check --lr (now {lr:g}) and --epochs")
    return problems


def accuracy(kind: str, model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    return float((predict(kind, model, X) == y).mean()) if len(y) else float("nan")


def evaluate(kind: str, model: nn.Module, X: np.ndarray, y: np.ndarray,
             classes: int) -> tuple[float, float]:
    """(loss, accuracy) of a trained model on (X, y)."""
    dtype = _param_dtype(model)
    with no_grad():
        loss = loss_fn(kind)(model(Tensor(X.astype(dtype))),
                             Tensor(targets(kind, y, classes).astype(dtype))).item()
    return float(loss), accuracy(kind, model, X, y)


def parse_dtype(name: str) -> np.dtype:
    d = as_dtype(name, "dtype")
    if d.kind != "f":
        raise ValueError(f"dtype must be a float type, got {name!r}")
    return d
