"""Three ways to the same gradient, side by side: the engine's backward pass, the course's
hand-derived formula (`textbook`), and central differences of the textbook error.

Each row of a report compares one weight matrix (MLP) or the weight vector (logistic
regression): the largest absolute difference and the largest difference relative to the
gradient's size, for autograd against the formula and autograd against the differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import textbook
from ..autograd.gradcheck import central_differences
from ..dtypes import float64
from ..nn import MLP, LogisticRegression, Tanh
from ..nn.functional import logistic_loss, squared_error
from ..tensor import Tensor


@dataclass
class Row:
    name: str
    formula_abs: float
    formula_rel: float
    numeric_abs: float
    numeric_rel: float


def _row(name: str, auto: np.ndarray, formula: np.ndarray, numeric: np.ndarray) -> Row:
    size = max(float(np.abs(formula).max()), np.finfo(float).tiny)
    f_abs = float(np.abs(auto - formula).max())
    n_abs = float(np.abs(auto - numeric).max())
    return Row(name, f_abs, f_abs / size, n_abs, n_abs / size)


def mlp_report(model: MLP, X: np.ndarray, Y: np.ndarray, eps: float = 1e-6) -> list[Row]:
    """G(ℓ) from the engine, from the δ-recursion, and from central differences, in float64,
    for the course's tanh network and error E_in = 1/N Σ_n Σ_j (x(L)_nj − y_nj)²."""
    if not isinstance(model.activation, Tanh):
        raise ValueError("gradient report: the course's formulas are for tanh hidden layers")
    out = "tanh" if isinstance(model.output_activation, Tanh) else None
    Ws = [W.astype(np.float64) for W in model.to_textbook_weights()]
    copy = MLP.from_textbook_weights(Ws, output_activation=out, dtype=float64)
    Y = Y.reshape(len(X), -1)
    squared_error(copy(Tensor(X.astype(np.float64))), Tensor(Y)).backward()
    auto = [np.vstack([layer.bias.grad._data[None, :], layer.weight.grad._data.T])
            for layer in copy.layers]
    _, formula = textbook.error_and_gradients_batch(Ws, X, Y, output_activation=out)
    numeric = central_differences(
        lambda: textbook.squared_error(Ws, X, Y, output_activation=out), Ws, eps)
    return [_row(f"W({i})", a, f, n)
            for i, (a, f, n) in enumerate(zip(auto, formula, numeric), start=1)]


def logistic_report(model: LogisticRegression, X: np.ndarray, y: np.ndarray,
                    eps: float = 1e-6) -> list[Row]:
    """∇E_in from the engine, from −1/N Σ y_n x_n / (1 + e^(y_n wᵀx_n)), and from central
    differences, for w = [b, w₁, …] and x led by a constant 1."""
    w = np.concatenate([model.linear.bias._data, model.linear.weight._data[0]]).astype(np.float64)
    A = np.c_[np.ones(len(X)), X]
    copy = LogisticRegression(X.shape[1], dtype=float64)
    copy.linear.bias._data[...] = w[:1]
    copy.linear.weight._data[...] = w[None, 1:]
    logistic_loss(copy(Tensor(X.astype(np.float64))), Tensor(y.astype(np.float64))).backward()
    auto = np.concatenate([copy.linear.bias.grad._data, copy.linear.weight.grad._data[0]])
    formula = textbook.logistic_gradient(w, A, y)
    (numeric,) = central_differences(lambda: textbook.logistic_loss(w, A, y), [w], eps)
    return [_row("w", auto, formula, numeric)]


# Relative differences a correct gradient stays within, in float64: autograd and the formula
# do the same arithmetic in another order (rounding only); central differences with step ε
# carry a truncation error of order ε² and a rounding error of order 1e-16/ε.
FORMULA_RTOL = 1e-8
NUMERIC_RTOL = 1e-5


def passed(rows: list[Row]) -> bool:
    return all(r.formula_rel <= FORMULA_RTOL and r.numeric_rel <= NUMERIC_RTOL for r in rows)


def format_report(title: str, rows: list[Row]) -> str:
    """The table, and a last line with the verdict: PASS when every relative difference is
    within FORMULA_RTOL (formula) and NUMERIC_RTOL (central differences), else FAIL."""
    lines = [title, f"  {'weights':8} {'vs formula: abs':>16} {'rel':>9}   "
                    f"{'vs differences: abs':>20} {'rel':>9}"]
    for r in rows:
        lines.append(f"  {r.name:8} {r.formula_abs:16.2e} {r.formula_rel:9.1e}   "
                     f"{r.numeric_abs:20.2e} {r.numeric_rel:9.1e}")
    verdict = "PASS" if passed(rows) else "FAIL"
    lines.append(f"  {verdict}: relative differences must be ≤ {FORMULA_RTOL:g} against the "
                 f"formula and ≤ {NUMERIC_RTOL:g} against central differences")
    return "\n".join(lines)
