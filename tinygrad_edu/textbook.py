"""The course's algorithms written directly in numpy: the oracle for tests and benchmarks.

Nothing here uses `Tensor`; every gradient is the closed form or the δ-recursion of the notes.

Logistic regression
    Labels are ±1 and `X` is (N, d). There is no separate bias: append a column of ones to `X`
    yourself if you want one. The logistic function θ(s) = 1 / (1 + e^(−s)) is called
    `logistic` here, so that `theta` can keep its network meaning below.

Layered tanh network (squared error)
    Layer 0 is the input; layers 1..L compute
        s(ℓ) = W(ℓ)ᵀ x(ℓ−1),    x(ℓ) = [1; θ(s(ℓ))] for ℓ < L,    x(L) = θ_out(s(L)),
    with θ = tanh and θ_out either tanh (the default) or the identity (a linear output).
    `Ws` is a list with `Ws[ℓ − 1]` = W(ℓ) of shape (d(ℓ−1) + 1, d(ℓ)); row 0 holds the
    biases, since x(ℓ−1) starts with the constant 1. Only x(L) lacks that leading 1.
    The error of one point is e = Σ_j (x(L)_j − y_j)², and E_in = 1/N Σ_n e_n.
    Targets `Y` may be (N,) for a single output unit or (N, d(L)).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

theta = np.tanh  # the network's activation θ; its derivative is θ'(s) = 1 − θ(s)²

_OUTPUTS = ("tanh", "identity", None)


# ---------------------------------------------------------------- logistic regression


def logistic(s: np.ndarray) -> np.ndarray:
    """θ(s) = 1 / (1 + e^(−s)), computed as e^(−ln(1 + e^(−s))): no overflow for any s."""
    return np.exp(-np.logaddexp(0, -s))


def logistic_loss(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy E_in(w) = 1/N Σ_n ln(1 + e^(−y_n wᵀx_n)).

    `X` is (N, d), including a column of ones if a bias is wanted; `y` holds ±1 labels.
    ln(1 + e^(−z)) is evaluated as logaddexp(0, −z), finite for scores of any size.
    """
    z = _margins(w, X, y, "logistic_loss")
    return float(np.mean(np.logaddexp(0, -z)))


def logistic_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∇E_in(w) = −1/N Σ_n y_n x_n / (1 + e^(y_n wᵀx_n)) = 1/N Σ_n −y_n x_n θ(−y_n wᵀx_n).

    The second form with the stable `logistic` stays exact where e^(y wᵀx) overflows.
    Returns an array shaped like `w`.
    """
    z = _margins(w, X, y, "logistic_gradient")
    y = np.asarray(y).astype(z.dtype, copy=False)
    return np.asarray(X).T @ (-y * logistic(-z)) / len(z)


def logistic_regression_gd(
    X: np.ndarray,
    y: np.ndarray,
    eta: float,
    steps: int,
    w0: np.ndarray | None = None,
    fixed_step: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent on the cross-entropy: g_t = ∇E_in(w(t)), w(t+1) = w(t) + η v_t.

    v_t = −g_t by default; with `fixed_step=True` it is the unit vector −g_t / ‖g_t‖, so each
    step moves exactly η (and none at all once g_t = 0). `w0` defaults to zeros.
    Returns the final w and the history E_in(w(t)) for t = 0..steps (steps + 1 values).
    """
    _check_steps(steps, "logistic_regression_gd")
    w = np.zeros(np.shape(X)[-1]) if w0 is None else np.array(w0, dtype=_float_dtype(w0))
    history = []
    for _ in range(steps):
        history.append(logistic_loss(w, X, y))
        g = logistic_gradient(w, X, y)
        if fixed_step:
            norm = np.linalg.norm(g)
            v = -g / norm if norm > 0 else np.zeros_like(g)
        else:
            v = -g
        w = w + eta * v
    history.append(logistic_loss(w, X, y))
    return w, np.array(history)


# ---------------------------------------------------------------- the layered network


def init_weights(
    sizes: Sequence[int], rng: int | np.random.Generator = 0, scale: float | None = None
) -> list[np.ndarray]:
    """Random textbook weights for `sizes` = [d(0), d(1), ..., d(L)], seeded by `rng`.

    W(ℓ) has shape (d(ℓ−1) + 1, d(ℓ)) with entries drawn from N(0, σ²), biases included;
    σ = `scale`, or 1/√(d(ℓ−1) + 1) when `scale` is None (keeps s(ℓ) of order one).
    """
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(d, (int, np.integer)) or d < 1 for d in sizes):
        raise ValueError(
            f"init_weights: sizes must be at least two positive integers, got {sizes}"
        )
    rng = np.random.default_rng(rng)
    Ws = []
    for d_in, d_out in pairwise(sizes):
        sigma = 1.0 / np.sqrt(d_in + 1) if scale is None else scale
        Ws.append(sigma * rng.standard_normal((d_in + 1, d_out)))
    return Ws


def forward(
    Ws: Sequence[np.ndarray], x: np.ndarray, output_activation: str | None = "tanh"
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward propagation of ONE point `x` of shape (d(0),).

    x(0) = [1; x];  s(ℓ) = W(ℓ)ᵀ x(ℓ−1);  x(ℓ) = [1; θ(s(ℓ))] for ℓ < L;  x(L) = θ_out(s(L)).
    `output_activation` is "tanh" or "identity" (None also means identity).
    Returns xs = [x(0), ..., x(L)] and ss = [s(1), ..., s(L)].
    """
    tanh_out = _output_is_tanh(output_activation, "forward")
    _check_weights(Ws, "forward")
    x = np.asarray(x)
    if x.shape != (Ws[0].shape[0] - 1,):
        raise ValueError(
            f"forward: x must have shape ({Ws[0].shape[0] - 1},) to match W(1) of shape "
            f"{Ws[0].shape}, got {x.shape}"
        )
    L = len(Ws)
    xs = [_lead_with_one(x)]
    ss = []
    for ell, W in enumerate(Ws, start=1):
        s = W.T @ xs[-1]
        ss.append(s)
        if ell < L:
            xs.append(_lead_with_one(theta(s)))
        else:
            xs.append(theta(s) if tanh_out else s)
    return xs, ss


def backprop(
    Ws: Sequence[np.ndarray],
    xs: Sequence[np.ndarray],
    y: np.ndarray | float,
    output_activation: str | None = "tanh",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Sensitivities δ(ℓ) = ∂e/∂s(ℓ) of one point, and its gradients G(ℓ) = ∂e/∂W(ℓ).

    δ(L) = 2 (x(L) − y) ⊗ θ'(s(L)), with θ'(s(L)) = 1 − x(L)² (or 1 for a linear output);
    δ(ℓ) = θ'(s(ℓ)) ⊗ [W(ℓ+1) δ(ℓ+1)], bias row dropped, with θ'(s(ℓ)) = 1 − x(ℓ)²;
    G(ℓ) = x(ℓ−1) δ(ℓ)ᵀ.
    `xs` comes from `forward`; `y` is a number or has shape (d(L),).
    Returns [δ(1), ..., δ(L)] and [G(1), ..., G(L)].
    """
    tanh_out = _output_is_tanh(output_activation, "backprop")
    _check_weights(Ws, "backprop")
    L = len(Ws)
    if len(xs) != L + 1:
        raise ValueError(f"backprop: xs must hold x(0..{L}) ({L + 1} arrays), got {len(xs)}")
    x_L = xs[L]
    y = np.asarray(y)
    if y.size != x_L.size:
        raise ValueError(f"backprop: y must have {x_L.size} values like x(L), got {y.shape}")
    delta = [np.empty(0)] * L
    delta[L - 1] = 2 * (x_L - y.reshape(x_L.shape))
    if tanh_out:
        delta[L - 1] *= 1 - x_L * x_L
    for ell in range(L - 1, 0, -1):
        theta_prime = 1 - xs[ell][1:] ** 2
        delta[ell - 1] = theta_prime * (Ws[ell] @ delta[ell])[1:]
    G = [np.outer(xs[ell - 1], delta[ell - 1]) for ell in range(1, L + 1)]
    return delta, G


def error_and_gradients(
    Ws: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    output_activation: str | None = "tanh",
) -> tuple[float, list[np.ndarray]]:
    """E_in and its gradients, point by point exactly as the course's algorithm.

    For each x_n: forward, backprop, then E_in += e_n / N and G(ℓ) += G_n(ℓ) / N, so that
    E_in = 1/N Σ_n e_n with e_n = Σ_j (x_n(L)_j − y_nj)², and G(ℓ) = 1/N Σ_n x_n(ℓ−1) δ_n(ℓ)ᵀ.
    `X` is (N, d(0)); `Y` is (N,) or (N, d(L)). A slow, obvious reference: see
    `error_and_gradients_batch` for the same numbers without the loop.
    """
    _output_is_tanh(output_activation, "error_and_gradients")
    X, Y = _check_data(Ws, X, Y, "error_and_gradients")
    N = len(X)
    E_in = 0.0
    G = [np.zeros(W.shape, dtype=np.result_type(W, X, Y)) for W in Ws]
    for x_n, y_n in zip(X, Y, strict=True):
        xs, _ = forward(Ws, x_n, output_activation)
        _, G_n = backprop(Ws, xs, y_n, output_activation)
        E_in += float(np.sum((xs[-1] - y_n) ** 2)) / N
        for G_l, G_nl in zip(G, G_n, strict=True):
            G_l += G_nl / N
    return E_in, G


def error_and_gradients_batch(
    Ws: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    output_activation: str | None = "tanh",
) -> tuple[float, list[np.ndarray]]:
    """E_in and G(ℓ) for the whole batch at once: the math of `error_and_gradients`.

    The rows of X(ℓ) are the points' x(ℓ) without the leading 1, so the bias enters through
    row 0 of W(ℓ) and the ones column is never built:
        S(ℓ) = X(ℓ−1) W(ℓ)[1:] + W(ℓ)[0];   X(ℓ) = θ(S(ℓ));
        Δ(L) = 2/N (X(L) − Y) ⊗ θ'(S(L));   Δ(ℓ) = θ'(S(ℓ)) ⊗ Δ(ℓ+1) W(ℓ+1)[1:]ᵀ;
        G(ℓ)[0] = Σ_n Δ(ℓ)_n,   G(ℓ)[1:] = X(ℓ−1)ᵀ Δ(ℓ).
    Δ(ℓ) carries the 1/N, so the sums over points are already means.
    """
    tanh_out = _output_is_tanh(output_activation, "error_and_gradients_batch")
    X, Y = _check_data(Ws, X, Y, "error_and_gradients_batch")
    N, L = len(X), len(Ws)
    x = [X]
    for ell, W in enumerate(Ws, start=1):
        s = x[-1] @ W[1:]
        s += W[0]
        if ell < L or tanh_out:
            theta(s, out=s)  # x(ℓ) takes over the buffer of s(ℓ): backprop needs only x
        x.append(s)
    residual = x[L] - Y
    E_in = float(np.vdot(residual, residual)) / N
    delta = residual
    delta *= 2 / N
    if tanh_out:
        delta *= _theta_prime_in_place(x[L])
    G = [np.empty(0)] * L
    for ell in range(L, 0, -1):
        W = Ws[ell - 1]
        G_l = np.empty(W.shape, dtype=np.result_type(x[ell - 1], delta))
        np.sum(delta, axis=0, out=G_l[0])
        np.matmul(x[ell - 1].T, delta, out=G_l[1:])
        G[ell - 1] = G_l
        if ell > 1:
            delta = delta @ W[1:].T
            delta *= _theta_prime_in_place(x[ell - 1])
    return E_in, G


def predict(
    Ws: Sequence[np.ndarray], X: np.ndarray, output_activation: str | None = "tanh"
) -> np.ndarray:
    """h(x_n) = x_n(L) for every row of `X` (N, d(0)), as an (N, d(L)) array."""
    tanh_out = _output_is_tanh(output_activation, "predict")
    X = _check_inputs(Ws, X, "predict")
    L = len(Ws)
    x = X
    for ell, W in enumerate(Ws, start=1):
        s = x @ W[1:]
        s += W[0]
        x = theta(s, out=s) if ell < L or tanh_out else s
    return x


def squared_error(
    Ws: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    output_activation: str | None = "tanh",
) -> float:
    """E_in = 1/N Σ_n Σ_j (x_n(L)_j − y_nj)², without gradients."""
    X, Y = _check_data(Ws, X, Y, "squared_error")
    residual = predict(Ws, X, output_activation) - Y
    return float(np.vdot(residual, residual)) / len(X)


def gd(
    Ws: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    eta: float,
    steps: int,
    output_activation: str | None = "tanh",
) -> tuple[list[np.ndarray], np.ndarray]:
    """Full-batch gradient descent: W(ℓ) ← W(ℓ) − η G(ℓ) for every layer, `steps` times.

    The given weights are copied, never changed. Returns the trained weights and the history
    E_in(W(t)) for t = 0..steps (steps + 1 values).
    """
    _output_is_tanh(output_activation, "gd")
    _check_steps(steps, "gd")
    _check_data(Ws, X, Y, "gd")
    Ws = [np.array(W) for W in Ws]
    history = []
    for _ in range(steps):
        E_in, G = error_and_gradients_batch(Ws, X, Y, output_activation)
        history.append(E_in)
        for W, G_l in zip(Ws, G, strict=True):
            W -= eta * G_l
    history.append(squared_error(Ws, X, Y, output_activation))
    return Ws, np.array(history)


def sgd(
    Ws: Sequence[np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    eta: float,
    epochs: int,
    batch_size: int = 1,
    rng: int | np.random.Generator = 0,
    output_activation: str | None = "tanh",
) -> tuple[list[np.ndarray], np.ndarray]:
    """Stochastic (minibatch) gradient descent: W(ℓ) ← W(ℓ) − η G_B(ℓ).

    Each epoch visits the points in a fresh random order drawn from `rng` (a seed or a
    Generator), in minibatches B of `batch_size` (the last one may be smaller); G_B is the
    gradient of the mean error over B. `batch_size=1` is the course's one-point SGD.
    The given weights are copied, never changed. Returns the trained weights and the history
    of E_in over all the data, before training and after each epoch (epochs + 1 values).
    """
    _output_is_tanh(output_activation, "sgd")
    _check_steps(epochs, "sgd")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"sgd: batch_size must be a positive integer, got {batch_size!r}")
    X, Y = _check_data(Ws, X, Y, "sgd")
    Ws = [np.array(W) for W in Ws]
    rng = np.random.default_rng(rng)
    history = [squared_error(Ws, X, Y, output_activation)]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            _, G = error_and_gradients_batch(Ws, X[batch], Y[batch], output_activation)
            for W, G_l in zip(Ws, G, strict=True):
                W -= eta * G_l
        history.append(squared_error(Ws, X, Y, output_activation))
    return Ws, np.array(history)


# ---------------------------------------------------------------- helpers


def _lead_with_one(v: np.ndarray) -> np.ndarray:
    out = np.empty(v.size + 1, dtype=_float_dtype(v))
    out[0] = 1
    out[1:] = v
    return out


def _float_dtype(a: np.ndarray) -> np.dtype:
    """a's dtype if it is a float, else the float dtype numpy promotes it to."""
    return np.result_type(np.asarray(a), np.float16)


def _theta_prime_in_place(x: np.ndarray) -> np.ndarray:
    """θ'(s) = 1 − x² written over x, whose values are no longer needed."""
    np.multiply(x, x, out=x)
    return np.subtract(1, x, out=x)


def _margins(w: np.ndarray, X: np.ndarray, y: np.ndarray, fn: str) -> np.ndarray:
    """y_n wᵀx_n for every point, after checking shapes and that labels are ±1."""
    w, X, y = np.asarray(w), np.asarray(X), np.asarray(y)
    if X.ndim != 2 or w.shape != (X.shape[1],) or y.shape != (X.shape[0],):
        raise ValueError(
            f"{fn}: need X (N, d), w (d,), y (N,); got X {X.shape}, w {w.shape}, y {y.shape}"
        )
    if not np.all((y == 1) | (y == -1)):
        raise ValueError(
            f"{fn}: labels must be -1 or +1 (tinygrad_edu.data.to_pm1 converts 0/1), "
            f"got values {np.unique(y)[:5]}"
        )
    s = X @ w
    return s * y.astype(s.dtype, copy=False)


def _output_is_tanh(output_activation: str | None, fn: str) -> bool:
    if output_activation not in _OUTPUTS:
        raise ValueError(
            f"{fn}: output_activation must be 'tanh', 'identity' or None, "
            f"got {output_activation!r}"
        )
    return output_activation == "tanh"


def _check_steps(steps: int, fn: str) -> None:
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"{fn}: the number of steps must be an integer >= 0, got {steps!r}")


def _check_weights(Ws: Sequence[np.ndarray], fn: str) -> Sequence[np.ndarray]:
    """Each W(ℓ) must be a 2-D float array of shape (d(ℓ−1) + 1, d(ℓ)), chained."""
    if len(Ws) == 0:
        raise ValueError(f"{fn}: Ws must hold at least one layer")
    for ell, W in enumerate(Ws, start=1):
        if not isinstance(W, np.ndarray) or W.ndim != 2 or W.shape[0] < 2:
            raise ValueError(
                f"{fn}: W({ell}) must be a 2-D ndarray with at least 2 rows, "
                f"got {type(W).__name__} of shape {np.shape(W)}"
            )
        if not np.issubdtype(W.dtype, np.floating):
            raise TypeError(f"{fn}: W({ell}) must hold floats, got dtype {W.dtype}")
        if ell > 1 and W.shape[0] != Ws[ell - 2].shape[1] + 1:
            raise ValueError(
                f"{fn}: W({ell}) has shape {W.shape} but W({ell - 1}) has shape "
                f"{Ws[ell - 2].shape}; W({ell}) needs {Ws[ell - 2].shape[1] + 1} rows"
            )
    return Ws


def _check_inputs(Ws: Sequence[np.ndarray], X: np.ndarray, fn: str) -> np.ndarray:
    _check_weights(Ws, fn)
    X = np.asarray(X)
    d0 = Ws[0].shape[0] - 1
    if X.ndim != 2 or X.shape[1] != d0:
        raise ValueError(f"{fn}: X must have shape (N, {d0}) to match W(1), got {X.shape}")
    return X


def _check_data(
    Ws: Sequence[np.ndarray], X: np.ndarray, Y: np.ndarray, fn: str
) -> tuple[np.ndarray, np.ndarray]:
    """Check shapes and return X and Y, with Y as an (N, d(L)) view."""
    X = _check_inputs(Ws, X, fn)
    Y = np.asarray(Y)
    d_L = Ws[-1].shape[1]
    if Y.shape == (len(X),) and d_L == 1:
        Y = Y.reshape(-1, 1)
    if Y.shape != (len(X), d_L):
        raise ValueError(
            f"{fn}: Y must have shape ({len(X)}, {d_L})"
            f"{f' or ({len(X)},)' if d_L == 1 else ''} for X {X.shape} and W(L) "
            f"{Ws[-1].shape}, got {Y.shape}"
        )
    if len(X) == 0:
        raise ValueError(f"{fn}: X holds no points")
    return X, Y
