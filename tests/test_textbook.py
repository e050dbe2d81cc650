"""Autograd reproduces the course's hand derivations exactly: the δ-recursion of
backpropagation for the tanh network, and the closed-form logistic gradient."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import textbook
from tinygrad_edu.nn import MLP, LogisticRegression


def autograd_mlp_gradients(Ws, X, Y, output_activation):
    """E_in = 1/N Σ_n Σ_j (x(L)_nj − y_nj)² through the engine, as textbook-layout G(ℓ)."""
    model = MLP.from_textbook_weights(Ws, output_activation=output_activation,
                                      dtype=tg.float64)
    out = model(tg.tensor(X))
    E_in = F.squared_error(out, tg.tensor(Y.reshape(out.shape)))
    E_in.backward()
    grads = [np.vstack([layer.bias.grad.numpy()[None, :], layer.weight.grad.numpy().T])
             for layer in model.layers]
    return E_in.item(), grads


@st.composite
def network_problem(draw):
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=5))
    n = draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Ws = [rng.standard_normal((a + 1, b)) for a, b in zip(sizes, sizes[1:])]
    X = rng.standard_normal((n, sizes[0]))
    Y = rng.uniform(-1, 1, (n, sizes[-1]))
    output = draw(st.sampled_from(["tanh", None]))
    return Ws, X, Y, output


@given(network_problem())
def test_mlp_autograd_equals_delta_recursion(problem):
    Ws, X, Y, output = problem
    E_ref, G_ref = textbook.error_and_gradients(Ws, X, Y, output_activation=output)
    E, G = autograd_mlp_gradients(Ws, X, Y, output)
    assert E == pytest.approx(E_ref, rel=1e-12)
    for g, g_ref in zip(G, G_ref):
        np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-13)


@given(network_problem())
def test_textbook_weights_round_trip_through_mlp(problem):
    Ws, X, _, output = problem
    model = MLP.from_textbook_weights(Ws, output_activation=output, dtype=tg.float64)
    for W, W_back in zip(Ws, model.to_textbook_weights()):
        np.testing.assert_array_equal(W, W_back)
    np.testing.assert_allclose(model(tg.tensor(X)).numpy(),
                               textbook.predict(Ws, X, output_activation=output), rtol=1e-12)


def autograd_logistic_gradient(w, X, y):
    """∇E_in for s = wᵀx with w = [b, w₁, ...] (X led by a column of ones)."""
    model = LogisticRegression(X.shape[1] - 1)
    model.linear.weight.data = tg.tensor(w[None, 1:])
    model.linear.bias.data = tg.tensor(w[:1])
    loss = F.logistic_loss(model(tg.tensor(X[:, 1:])), tg.tensor(y))
    loss.backward()
    return loss.item(), np.concatenate([model.linear.bias.grad.numpy(),
                                        model.linear.weight.grad.numpy()[0]])


def summation_tolerance(w, X, y):
    """Rounding bound for a sum of the per-point terms: 1e-12 times the sum of their sizes
    (where large terms cancel, the result's own size says nothing about its precision)."""
    return 1e-12 * np.abs(X).T @ np.abs(textbook.logistic(-y * (X @ w))) / len(y)


@st.composite
def logistic_problem(draw, scale=1.0):
    n, d = draw(st.integers(1, 20)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = np.c_[np.ones(n), rng.standard_normal((n, d))]
    y = rng.choice([-1.0, 1.0], n)
    w = rng.standard_normal(d + 1) * scale
    return w, X, y


@given(logistic_problem())
def test_logistic_autograd_equals_closed_form(problem):
    w, X, y = problem
    loss, g = autograd_logistic_gradient(w, X, y)
    assert loss == pytest.approx(textbook.logistic_loss(w, X, y), rel=1e-12)
    # the course's form, −1/N Σ y_n x_n / (1 + e^(y_n wᵀx_n)), is finite at these scores
    closed = -np.mean(y[:, None] * X / (1 + np.exp(y * (X @ w)))[:, None], axis=0)
    assert np.all(np.abs(g - closed) <= 1e-10 * np.abs(closed) + summation_tolerance(w, X, y))


@given(logistic_problem(scale=300.0))
def test_logistic_gradient_at_extreme_scores(problem):
    w, X, y = problem
    loss, g = autograd_logistic_gradient(w, X, y)
    assert np.isfinite(loss) and np.all(np.isfinite(g))
    assert loss == pytest.approx(textbook.logistic_loss(w, X, y), rel=1e-12)
    closed = textbook.logistic_gradient(w, X, y)
    assert np.all(np.abs(g - closed) <= 1e-10 * np.abs(closed) + summation_tolerance(w, X, y))
