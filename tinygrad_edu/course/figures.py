"""The course's pictures, computed with tinygrad_edu itself and drawn with matplotlib.

Every trajectory, loss curve and decision region below comes from Tensors, autograd and
`tinygrad_edu.optim`; no gradient is written by hand. Each function takes the path of a PNG
file, writes it and returns it as a `Path`. The results are deterministic: data and
initial weights come from fixed seeds, and the global generator is restored afterwards.

    >>> from tinygrad_edu.course import figures
    >>> figures.make_all("docs/figures")        # every figure of the docs

matplotlib is an optional dependency: `pip install 'tinygrad-edu[plot]'`. Figures are drawn
on `matplotlib.figure.Figure` with the Agg canvas, never through pyplot, so importing this
module changes no global backend and leaves no window or figure open.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

try:
    from matplotlib.figure import Figure
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "tinygrad_edu.course.figures needs matplotlib, an optional dependency; install it with "
        "pip install 'tinygrad-edu[plot]'", name="matplotlib"
    ) from err

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

from .. import data
from ..tensor import Tensor
from .figure_files import PathLike, save_png, seeded
from .graph_figures import computation_graph, mlp_graph

# The (N, 2) data behind the 2-D loss surfaces: labels follow a noisy line, so the classes
# overlap and E_in has a finite minimum.
_LR_DATA = dict(seed=2, n=12, scale=2.0, corr=0.8)  # elongated valley, curved far out
_SGD_DATA = dict(seed=16, n=10, scale=1.0, corr=0.3)  # round bowl, the course's N = 10

_POS, _NEG = "#2166ac", "#b2182b"  # colours of the +1 and −1 classes


# ---------------------------------------------------------------- public figures


def learning_rate(path: PathLike) -> Path:
    """The effect of the learning rate on one loss surface: four runs, each a contour path
    with its E_in-vs-iteration curve beside it.

    The surface is the cross-entropy E_in(w) of logistic regression with two weights on 12
    fixed points. The first three runs are plain gradient descent, w ← w − η_t ∇E_in(w)
    (`tg.optim.SGD` on the full batch): η = 0.1 for 75 steps creeps; η = 40 for 11 steps
    overshoots so far that E_in jumps up and down, mostly above where it started, and never
    settles (the gradient of the logistic E_in is bounded by max ‖x_n‖, so the iterates bounce
    in a wide region rather than run to infinity as they would on a squared error); a
    variable η_t = 5 (1 + cos πt/10) (`CosineAnnealingLR` from 10 down to 0) takes long steps
    first and short ones at the end. The fourth runs Adam with η = 1 for 10 steps. All start
    from the same point.
    """
    X, y = _loss_surface_data(**_LR_DATA)
    w0 = (-7.0, 4.5)
    lims = ((-8.0, 5.0), (-5.0, 7.0))
    runs = [
        ("plain GD, η = 0.1 (too small): 75 steps",
         _descend(X, y, w0, 75, lambda p: tg.optim.SGD(p, lr=0.1))),
        ("plain GD, η = 40 (too large): 11 steps, E$_{in}$ rises",
         _descend(X, y, w0, 11, lambda p: tg.optim.SGD(p, lr=40.0))),
        ("plain GD, variable η$_t$ = 5 (1 + cos πt/10): 10 steps",
         _descend(X, y, w0, 10, lambda p: tg.optim.SGD(p, lr=10.0),
                  lambda opt: tg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10))),
        ("Adam, η = 1: 10 steps",
         _descend(X, y, w0, 10, lambda p: tg.optim.Adam(p, lr=1.0))),
    ]
    w_star = _minimiser(X, y)
    e_star = _loss(X, y, w_star)
    fig = Figure(figsize=(16, 8.6), layout="constrained")
    axes = fig.subplots(2, 4, width_ratios=[1.25, 1, 1.25, 1])
    for i, (title, trajectory) in enumerate(runs):
        contour_ax, curve_ax = axes[i // 2, 2 * (i % 2)], axes[i // 2, 2 * (i % 2) + 1]
        _draw_surface(contour_ax, _loss_grid(X, y, _covering(lims, trajectory)), w_star)
        _draw_trajectory(contour_ax, trajectory)
        contour_ax.set_title(title, fontsize=10.5)
        _draw_loss_curve(curve_ax, [_loss(X, y, w) for w in trajectory], e_star)
    axes[0, 0].legend(loc="lower left", fontsize=8.5, framealpha=0.9)
    axes[0, 1].legend(loc="upper right", fontsize=8.5, framealpha=0.9)
    fig.suptitle(
        "Effect of the learning rate on the logistic E$_{in}$(w) (12 points, two weights): "
        "path on the contours, E$_{in}$ per iteration beside it\n"
        "first three: plain gradient descent  w ← w − η$_t$ ∇E$_{in}$(w);  last: Adam",
        fontsize=12,
    )
    return save_png(fig, path)


def gd_vs_sgd(path: PathLike) -> Path:
    """Full-batch gradient descent against one-point SGD on the same logistic E_in(w), at the
    same η = 2, compared at equal steps and at equal gradient evaluations.

    N = 10 points, two weights. GD: w ← w − η ∇E_in(w) for 10 steps, each one costing N = 10
    point gradients (100 in all). SGD: each step picks one point n at random (seeded) and
    follows the gradient of its error alone, e_n(w) = ln(1 + e^(−y_n wᵀx_n)); 10 steps cost
    10 point gradients, 100 steps cost as much as GD's 10. The last panel plots E_in against
    the number of point gradients evaluated. All runs use `tg.optim.SGD` from one start.
    """
    X, y = _loss_surface_data(**_SGD_DATA)
    w_star = _minimiser(X, y)
    w0 = tuple(w_star + np.array([-3.0, 2.5]))
    lims = ((w_star[0] - 4, w_star[0] + 4), (w_star[1] - 4, w_star[1] + 4))
    eta, n = 2.0, len(X)
    picks = np.random.default_rng(3).integers(n, size=10 * n)
    full = _descend(X, y, w0, 10, lambda p: tg.optim.SGD(p, lr=eta))
    sgd = _descend(X, y, w0, 10 * n, lambda p: tg.optim.SGD(p, lr=eta), batches=picks)
    runs = [  # title, iterates, point gradients per step, curve style
        (f"GD, η = {eta:g}: 10 steps on all N = {n} points\n= {10 * n} point gradients",
         full, n, dict(fmt="-o", color="#1f77b4", zorder=3)),
        (f"SGD, η = {eta:g}: 10 steps, one random point each\n= 10 point gradients "
         "(equal steps)", sgd[:11], 1, dict(fmt="-s", color="#d62728", zorder=4)),
        (f"SGD, η = {eta:g}: {10 * n} steps, one random point each\n= {10 * n} point "
         "gradients (equal evaluations)", sgd, 1, dict(fmt="-", color="#2ca02c", zorder=2)),
    ]
    surface = _loss_grid(X, y, lims)
    fig = Figure(figsize=(16, 4.9), layout="constrained")
    axes = fig.subplots(1, 4, width_ratios=[1, 1, 1, 1.15])
    curve_ax = axes[3]
    for ax, (title, trajectory, cost, style) in zip(axes, runs):
        _draw_surface(ax, surface, w_star)
        _draw_trajectory(ax, trajectory)
        final = _loss(X, y, trajectory[-1])
        ax.set_title(f"{title}\nE$_{{in}}$ at the end: {final:.3f}", fontsize=10.5)
        losses = [_loss(X, y, w) for w in trajectory]
        curve_ax.plot(np.arange(len(losses)) * cost, losses, style.pop("fmt"), lw=1.6, ms=3.5,
                      **style,
                      label=title.split(":")[0] + (", 10 steps" if len(losses) == 11 else
                                                   f", {len(losses) - 1} steps"))
    curve_ax.axhline(_loss(X, y, w_star), color="black", ls=":", lw=1.2,
                     label="minimum of E$_{in}$")
    curve_ax.set_xlabel("point gradients evaluated (GD: N per step; SGD: 1)")
    curve_ax.set_ylabel("E$_{in}$(w)")
    curve_ax.set_title(f"E$_{{in}}$ against work, same η = {eta:g}", fontsize=10.5)
    curve_ax.grid(True, alpha=0.3)
    curve_ax.legend(fontsize=8.5)
    axes[0].legend(loc="lower right", fontsize=8.5, framealpha=0.9)
    fig.suptitle("Gradient descent vs stochastic gradient descent at equal η, at equal steps "
                 "and at equal gradient evaluations (contours: E$_{in}$ of logistic "
                 "regression)", fontsize=12)
    return save_png(fig, path)


def decision_boundary(model: Callable[[Tensor], Tensor], X: np.ndarray, y: np.ndarray,
                      path: PathLike, title: str = "Decision boundary",
                      threshold: float = 0.0) -> Path:
    """The decision regions of a trained 2-D classifier, with the points on top.

    `model` maps an (M, 2) Tensor to M scores (shape (M,) or (M, 1)); a point is classified
    +1 where its score exceeds `threshold` (0 for tanh outputs and logistic scores; use 0.5
    for probabilities). `X` is (N, 2); `y` holds ±1 or 0/1 labels. The background shades the
    score, the black line is score = threshold.
    """
    fig = Figure(figsize=(5.6, 5.0), layout="constrained")
    _draw_decision_boundary(fig.subplots(), model, X, y, title, threshold)
    return save_png(fig, path)


def moons_and_xor_boundaries(path: PathLike) -> Path:
    """A tanh MLP([2, 16, 16, 1]) trained on two moons and on XOR, side by side.

    Each network minimises the course's squared error E_in = 1/N Σ (h(x_n) − y_n)² with
    labels ±1, in float64, with Adam (η = 0.02) on the full batch for 300 steps.
    """
    sets = [("two moons", data.two_moons(n=200, seed=0, noise=0.15)),
            ("XOR", data.xor(n=200, seed=0, noise=0.35))]
    fig = Figure(figsize=(11, 5.0), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, (name, (X, y)) in zip(axes, sets):
        net, history = _train_mlp(X, y, steps=300)
        accuracy = _accuracy(net, X, y)
        _draw_decision_boundary(
            ax, net, X, y,
            f"{name}: MLP [2, 16, 16, 1], tanh, Adam, 300 steps\n"
            f"E$_{{in}}$ = {history[-1]:.3f}, training accuracy {accuracy:.0%}",
        )
    return save_png(fig, path)


def loss_curves(histories: Mapping[str, Sequence[float]], path: PathLike,
                title: str = "Training loss", xlabel: str = "epoch",
                test_histories: Mapping[str, Sequence[float]] | None = None) -> Path:
    """Loss against `xlabel` (epoch or step, counted from 1) for one or more runs; the y axis
    is logarithmic when every value is positive. `histories` maps a legend label to the
    training losses; `test_histories`, by the same labels, to the test losses (dashed)."""
    return save_png(loss_figure(histories, title, xlabel, test_histories), path)


def loss_figure(histories: Mapping[str, Sequence[float]], title: str = "Training loss",
                xlabel: str = "epoch",
                test_histories: Mapping[str, Sequence[float]] | None = None) -> Figure:
    """The figure `loss_curves` saves."""
    if not histories:
        raise ValueError("loss_curves: histories is empty; give at least one run")
    fig = Figure(figsize=(7.5, 4.6), layout="constrained")
    ax = fig.subplots()
    values = []
    for label, losses in histories.items():
        line = _curve(ax, label, losses, "-", f"{label} (train)" if test_histories else label)
        values.append(np.asarray(losses, dtype=float))
        if test_histories and label in test_histories:
            _curve(ax, label, test_histories[label], "--", f"{label} (test)",
                   color=line.get_color())
            values.append(np.asarray(test_histories[label], dtype=float))
    if all(np.all(v > 0) for v in values):
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


def _curve(ax, run: str, losses: Sequence[float], style: str, label: str, **kwargs):
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"loss_curves: run {run!r} must be a non-empty 1-D sequence, "
                         f"got shape {losses.shape}")
    (line,) = ax.plot(np.arange(1, losses.size + 1), losses, style, lw=2, label=label,
                      **kwargs)
    return line


def make_all(out_dir: PathLike, done: Callable[[Path, float], None] | None = None
             ) -> list[Path]:
    """Write every figure of the docs into `out_dir` (created if needed); return the paths.
    `done(path, seconds)` is called as each one is written (drawing all takes seconds).

    learning_rate.png, gd_vs_sgd.png, moons_xor_boundaries.png, computation_graph.png,
    mlp_graph.png and loss_curves.png (logistic regression on breast cancer and an MLP on digits).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    drawings = [
        lambda: learning_rate(out / "learning_rate.png"),
        lambda: gd_vs_sgd(out / "gd_vs_sgd.png"),
        lambda: moons_and_xor_boundaries(out / "moons_xor_boundaries.png"),
        lambda: computation_graph(out / "computation_graph.png"),
        lambda: mlp_graph(out / "mlp_graph.png"),
        lambda: loss_curves(_real_data_histories(), out / "loss_curves.png",
                            title="Training loss on real data (full batch: one step per "
                                  "epoch)", xlabel="step"),
    ]
    paths = []
    for draw in drawings:
        start = time.perf_counter()
        paths.append(draw())
        if done is not None:
            done(paths[-1], time.perf_counter() - start)
    return paths


# ---------------------------------------------------------------- training runs


def _loss_surface_data(seed: int, n: int, scale: float, corr: float
                       ) -> tuple[np.ndarray, np.ndarray]:
    """n correlated Gaussian points in 2-D, labelled ±1 by a line plus noise (overlapping)."""
    rng = np.random.default_rng(seed)
    mix = scale * np.array([[1.0, 0.0], [corr, np.sqrt(1 - corr**2)]])
    X = rng.standard_normal((n, 2)) @ mix.T
    noisy_side = X @ np.array([1.0, -0.5]) + 1.5 * rng.standard_normal(n)
    return X, np.where(noisy_side >= 0, 1, -1)


def _descend(X: np.ndarray, y: np.ndarray, w0: Sequence[float], steps: int,
             make_optimizer: Callable, make_scheduler: Callable | None = None,
             batches: np.ndarray | None = None) -> np.ndarray:
    """Minimise the logistic E_in(w) from w0 and return the iterates w(0..steps), (steps+1, 2).

    With `batches`, step t uses only point `batches[t]` (SGD); otherwise every point.
    """
    w = tg.tensor(np.asarray(w0, dtype=np.float64), requires_grad=True)
    X_t = tg.tensor(X)
    opt = make_optimizer([w])
    scheduler = make_scheduler(opt) if make_scheduler else None
    trajectory = [w.numpy().copy()]
    for t in range(steps):
        rows = slice(None) if batches is None else slice(batches[t], batches[t] + 1)
        opt.zero_grad()
        F.logistic_loss(X_t[rows] @ w, y[rows]).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        trajectory.append(w.numpy().copy())
    return np.array(trajectory)


def _minimiser(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum of E_in, by 200 Adam steps followed by 300 plain gradient steps."""
    w_adam = _descend(X, y, (0.0, 0.0), 200, lambda p: tg.optim.Adam(p, lr=0.1))[-1]
    return _descend(X, y, w_adam, 300, lambda p: tg.optim.SGD(p, lr=1.0))[-1]


def _loss(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    with tg.no_grad():
        return F.logistic_loss(tg.tensor(X) @ tg.tensor(w), y).item()


def _loss_grid(X: np.ndarray, y: np.ndarray, lims: tuple, size: int = 160) -> tuple:
    """E_in(w) on a size × size grid of weights: (W1, W2, E), all batched in one product."""
    w1 = np.linspace(*lims[0], size)
    w2 = np.linspace(*lims[1], size)
    W1, W2 = np.meshgrid(w1, w2)
    weights = tg.tensor(np.column_stack([W1.ravel(), W2.ravel()]))
    with tg.no_grad():
        margins = (weights @ tg.tensor(X).T) * tg.tensor(y.astype(np.float64))
        E = F.softplus(-margins).mean(dim=1)
    return W1, W2, E.numpy().reshape(W1.shape)


def _train_mlp(X: np.ndarray, y: np.ndarray, steps: int) -> tuple[tg.nn.MLP, list[float]]:
    """MLP([2, 16, 16, 1]) with tanh everywhere, squared error on ±1 labels, full-batch Adam."""
    with seeded(0):
        net = tg.nn.MLP([2, 16, 16, 1], dtype=tg.float64)
    X_t, y_t = tg.tensor(X), tg.tensor(data.to_pm1(y).astype(np.float64))
    opt = tg.optim.Adam(net.parameters(), lr=0.02)
    history = _train(opt, lambda: F.mse_loss(net(X_t).squeeze(-1), y_t), steps)
    with tg.no_grad():
        history.append(F.mse_loss(net(X_t).squeeze(-1), y_t).item())
    return net, history


def _train(opt: tg.optim.Optimizer, loss_of: Callable[[], Tensor], steps: int) -> list[float]:
    """`steps` full-batch steps of `opt` on `loss_of()`; the loss before each step."""
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return history


def _accuracy(model: Callable, X: np.ndarray, y: np.ndarray) -> float:
    with tg.no_grad():
        scores = model(tg.tensor(X)).numpy().ravel()
    return float(np.mean((scores > 0) == (np.asarray(y) > 0)))


def _real_data_histories() -> dict[str, list[float]]:
    """Loss per step of two short full-batch runs on the bundled data sets."""
    cancer = data.load_breast_cancer()
    X, _ = data.standardize(cancer.X)
    X_t, y_t = tg.tensor(X), tg.tensor(data.to_pm1(cancer.y).astype(np.float64))
    with seeded(0):
        logreg = tg.nn.LogisticRegression(X.shape[1], dtype=tg.float64)
    opt = tg.optim.SGD(logreg.parameters(), lr=0.5)
    logistic_history = _train(opt, lambda: F.logistic_loss(logreg(X_t), y_t), 300)

    digits = data.load_digits()
    X, _ = data.standardize(digits.X)
    X_t = tg.tensor(X)
    with seeded(0):
        net = tg.nn.MLP([64, 32, 10], output_activation=None, dtype=tg.float64)
    opt = tg.optim.Adam(net.parameters(), lr=0.01)
    mlp_history = _train(opt, lambda: F.cross_entropy(net(X_t), digits.y), 300)
    return {
        "logistic regression, breast cancer (569 × 30): GD, η = 0.5": logistic_history,
        "MLP [64, 32, 10], digits (1797 × 64): Adam, η = 0.01, cross-entropy": mlp_history,
    }


# ---------------------------------------------------------------- drawing helpers


def _draw_surface(ax, surface: tuple, w_star: np.ndarray) -> None:
    W1, W2, E = surface
    # levels spaced by the square of a ramp: dense near the minimum, sparse on the slopes
    levels = E.min() + (E.max() - E.min()) * np.linspace(0, 1, 26)[1:] ** 2
    ax.contour(W1, W2, E, levels=levels, cmap="viridis", linewidths=0.9)
    ax.plot(*w_star, marker="*", color="black", mec="white", ms=16, ls="none", zorder=5,
            label="minimum of E$_{in}$")
    ax.set_xlabel("w$_1$")
    ax.set_ylabel("w$_2$")
    ax.set_aspect("equal")


def _covering(lims: tuple, trajectory: np.ndarray) -> tuple:
    """`lims` widened, with a margin, to hold every iterate of `trajectory`."""
    lo = np.minimum([lims[0][0], lims[1][0]], trajectory.min(axis=0) - 1.0)
    hi = np.maximum([lims[0][1], lims[1][1]], trajectory.max(axis=0) + 1.0)
    return (lo[0], hi[0]), (lo[1], hi[1])


def _draw_loss_curve(ax, losses: Sequence[float], e_star: float) -> None:
    """E_in at each iterate w(0), w(1), ..., against the iteration t, and the minimum."""
    ax.plot(np.arange(len(losses)), losses, "-o", color="#d62728", lw=1.5, ms=3,
            label="E$_{in}$(w(t))")
    ax.axhline(e_star, color="black", ls=":", lw=1.2, label="minimum of E$_{in}$")
    ax.axhline(losses[0], color="#999999", ls="--", lw=1, label="E$_{in}$ at the start")
    ax.set_xlabel("iteration t")
    ax.set_ylabel("E$_{in}$(w(t))")
    ax.set_title(f"E$_{{in}}$ at the end: {losses[-1]:.3f}", fontsize=10.5)
    ax.grid(True, alpha=0.3)


def _draw_trajectory(ax, trajectory: np.ndarray) -> None:
    ax.plot(trajectory[:, 0], trajectory[:, 1], "-o", color="#d62728", lw=1.5, ms=3.5,
            label="iterates w(t)")
    ax.plot(*trajectory[0], marker="s", color="#d62728", ms=8, ls="none", label="start w(0)")


def _draw_decision_boundary(ax, model: Callable, X: np.ndarray, y: np.ndarray, title: str,
                            threshold: float = 0.0, size: int = 200) -> None:
    X = np.asarray(X, dtype=np.float64)
    positive = np.asarray(y) > 0  # +1 of ±1 labels and 1 of 0/1 labels
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    G1, G2 = np.meshgrid(np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size))
    grid = np.column_stack([G1.ravel(), G2.ravel()])
    first = next(iter(model.parameters()), None) if hasattr(model, "parameters") else None
    dtype = None if first is None else first.dtype  # query in the model's own precision
    with tg.no_grad():
        scores = model(tg.tensor(grid, dtype=dtype)).numpy().reshape(G1.shape) - threshold
    reach = float(np.max(np.abs(scores))) or 1.0
    ax.contourf(G1, G2, scores, levels=np.linspace(-reach, reach, 21), cmap="RdBu",
                alpha=0.55)
    ax.contour(G1, G2, scores, levels=[0.0], colors="black", linewidths=2)
    ax.scatter(*X[positive].T, c=_POS, edgecolors="white", s=26, linewidths=0.6,
               label="class +1")
    ax.scatter(*X[~positive].T, c=_NEG, marker="s", edgecolors="white", s=22,
               linewidths=0.6, label="class −1")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("x$_1$")
    ax.set_ylabel("x$_2$")
    ax.set_title(title, fontsize=11)
    ax.legend(loc="lower right", fontsize=9, framealpha=0.9)
