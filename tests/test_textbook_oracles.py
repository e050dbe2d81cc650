"""The textbook oracles checked against each other, against finite differences and by hand."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tinygrad_edu import textbook as tb
from tinygrad_edu.autograd.gradcheck import central_differences
from tinygrad_edu.data import linear

OUTPUTS = ["tanh", "identity"]


def floats(bound):
    return st.floats(-bound, bound, allow_nan=False, allow_subnormal=False)


@st.composite
def networks(draw, max_layers=5, max_width=6, max_points=8, bound=2.0):
    """Layer sizes, weights, data and targets of a random network problem, in float64."""
    sizes = draw(st.lists(st.integers(1, max_width), min_size=2, max_size=max_layers + 1))
    n = draw(st.integers(1, max_points))
    Ws = [
        draw(arrays(np.float64, (d_in + 1, d_out), elements=floats(bound)))
        for d_in, d_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    X = draw(arrays(np.float64, (n, sizes[0]), elements=floats(bound)))
    flat_y = sizes[-1] == 1 and draw(st.booleans())
    Y = draw(arrays(np.float64, (n,) if flat_y else (n, sizes[-1]), elements=floats(1.0)))
    return Ws, X, Y, draw(st.sampled_from(OUTPUTS))


def assert_close(actual, expected, rtol=1e-12):
    """Relative agreement, with an absolute floor scaled to the array's largest entry."""
    expected = np.asarray(expected)
    atol = rtol * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- the network


@given(networks())
def test_per_point_and_batch_error_and_gradients_agree(problem):
    Ws, X, Y, out = problem
    E_loop, G_loop = tb.error_and_gradients(Ws, X, Y, out)
    E_batch, G_batch = tb.error_and_gradients_batch(Ws, X, Y, out)
    assert_close(E_batch, E_loop)
    assert len(G_batch) == len(Ws)
    for W, G_l, G_b in zip(Ws, G_loop, G_batch, strict=True):
        assert G_b.shape == W.shape
        assert_close(G_b, G_l)


@given(networks(max_layers=3, max_width=4, max_points=5, bound=1.0))
def test_gradients_equal_central_differences_of_the_error(problem):
    Ws, X, Y, out = problem
    Ws = [W.copy() for W in Ws]
    _, G = tb.error_and_gradients_batch(Ws, X, Y, out)
    numeric = central_differences(lambda: tb.squared_error(Ws, X, Y, out), Ws)
    atol = 1e-7 * max(1.0, tb.squared_error(Ws, X, Y, out))
    for G_l, G_num in zip(G, numeric, strict=True):
        np.testing.assert_allclose(G_l, G_num, rtol=1e-6, atol=atol)


@given(networks(max_points=1))
def test_backprop_deltas_are_derivatives_of_e_with_respect_to_s(problem):
    Ws, X, Y, out = problem
    y = np.reshape(Y, -1)
    xs, ss = tb.forward(Ws, X[0], out)
    delta, _ = tb.backprop(Ws, xs, y, out)
    for ell in range(1, len(Ws) + 1):
        s = ss[ell - 1]

        def e_of_s(ell=ell, s=s):
            """e as a function of s(ℓ): finish the forward pass from layer ℓ."""
            x = np.tanh(s) if ell < len(Ws) or out == "tanh" else s
            for k in range(ell + 1, len(Ws) + 1):
                s_k = Ws[k - 1].T @ np.concatenate([[1.0], x])
                x = np.tanh(s_k) if k < len(Ws) or out == "tanh" else s_k
            return float(np.sum((x - y) ** 2))

        (numeric,) = central_differences(e_of_s, [s])
        # rounding in f(s ± ε) costs about ε_mach·e/ε, so the floor grows with e
        atol = 1e-7 * max(1.0, e_of_s())
        np.testing.assert_allclose(delta[ell - 1], numeric, rtol=1e-6, atol=atol)


def test_one_neuron_gradient_matches_the_hand_derivation():
    # s = b + w x, h = tanh(s), e = (h − y)²: ∂e/∂b = 2 (h − y)(1 − h²), ∂e/∂w = x ∂e/∂b
    b, w, x, y = 0.3, -0.7, 1.5, 0.25
    W = np.array([[b], [w]])
    h = np.tanh(b + w * x)
    E_in, (G,) = tb.error_and_gradients([W], np.array([[x]]), np.array([y]))
    de_db = 2 * (h - y) * (1 - h**2)
    assert E_in == pytest.approx((h - y) ** 2, rel=1e-15)
    np.testing.assert_allclose(G, [[de_db], [x * de_db]], rtol=1e-15)


def test_forward_leads_every_layer_but_the_output_with_one():
    Ws = tb.init_weights([3, 4, 2], rng=0)
    x = np.array([0.5, -1.0, 2.0])
    xs, ss = tb.forward(Ws, x)
    assert [v.shape for v in xs] == [(4,), (5,), (2,)]
    assert [v.shape for v in ss] == [(4,), (2,)]
    assert xs[0][0] == 1 and xs[1][0] == 1
    np.testing.assert_array_equal(xs[0][1:], x)
    np.testing.assert_allclose(ss[0], Ws[0].T @ np.concatenate([[1.0], x]), rtol=1e-15)
    np.testing.assert_allclose(xs[1][1:], np.tanh(ss[0]), rtol=1e-15)
    np.testing.assert_allclose(xs[2], np.tanh(ss[1]), rtol=1e-15)
    linear_xs, linear_ss = tb.forward(Ws, x, output_activation="identity")
    np.testing.assert_array_equal(linear_xs[2], linear_ss[1])


def test_predict_and_squared_error_match_forward():
    Ws = tb.init_weights([2, 3, 2], rng=1)
    X = np.array([[0.1, 0.2], [-1.0, 0.5], [2.0, -0.3]])
    Y = np.array([[0.0, 1.0], [1.0, -1.0], [0.5, 0.5]])
    H = tb.predict(Ws, X)
    for x_n, h_n in zip(X, H, strict=True):
        np.testing.assert_allclose(h_n, tb.forward(Ws, x_n)[0][-1], rtol=1e-14)
    assert tb.squared_error(Ws, X, Y) == pytest.approx(np.mean(np.sum((H - Y) ** 2, axis=1)))


def test_batch_gradients_leave_inputs_unchanged():
    Ws = tb.init_weights([3, 5, 4, 2], rng=2)
    X = np.random.default_rng(0).standard_normal((10, 3))
    Y = np.ones((10, 2))
    copies = [W.copy() for W in Ws], X.copy(), Y.copy()
    tb.error_and_gradients_batch(Ws, X, Y)
    for W, W0 in zip(Ws, copies[0], strict=True):
        np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(X, copies[1])
    np.testing.assert_array_equal(Y, copies[2])


def test_init_weights_has_textbook_shapes_and_is_seeded():
    Ws = tb.init_weights([4, 3, 1], rng=7)
    assert [W.shape for W in Ws] == [(5, 3), (4, 1)]
    assert all(W.dtype == np.float64 for W in Ws)
    for W, W_again in zip(Ws, tb.init_weights([4, 3, 1], rng=7), strict=True):
        np.testing.assert_array_equal(W, W_again)
    assert not np.array_equal(Ws[0], tb.init_weights([4, 3, 1], rng=8)[0])
    scaled = tb.init_weights([200, 300], rng=0, scale=0.5)[0]
    assert np.std(scaled) == pytest.approx(0.5, rel=0.02)


# ---------------------------------------------------------------- training loops


def test_network_gd_decreases_the_error_and_copies_the_weights():
    X, y = linear(n=60, seed=1)
    Ws = tb.init_weights([2, 4, 1], rng=0)
    before = [W.copy() for W in Ws]
    trained, history = tb.gd(Ws, X, y, eta=0.1, steps=50)
    assert history.shape == (51,)
    assert np.all(np.diff(history) < 0)
    assert history[-1] < 0.5 * history[0]
    assert history[-1] == pytest.approx(tb.squared_error(trained, X, y), rel=1e-12)
    for W, W0 in zip(Ws, before, strict=True):
        np.testing.assert_array_equal(W, W0)


def test_sgd_is_deterministic_for_a_seed_and_differs_across_seeds():
    X, y = linear(n=40, seed=2)
    Ws = tb.init_weights([2, 3, 1], rng=0)
    W_a, h_a = tb.sgd(Ws, X, y, eta=0.05, epochs=3, batch_size=4, rng=11)
    W_b, h_b = tb.sgd(Ws, X, y, eta=0.05, epochs=3, batch_size=4, rng=11)
    W_c, _ = tb.sgd(Ws, X, y, eta=0.05, epochs=3, batch_size=4, rng=12)
    np.testing.assert_array_equal(h_a, h_b)
    for A, B in zip(W_a, W_b, strict=True):
        np.testing.assert_array_equal(A, B)
    assert not np.allclose(W_a[0], W_c[0])
    assert h_a.shape == (4,) and h_a[-1] < h_a[0]


def test_sgd_with_the_whole_batch_is_gd():
    X, y = linear(n=30, seed=3)
    Ws = tb.init_weights([2, 3, 1], rng=4)
    W_gd, h_gd = tb.gd(Ws, X, y, eta=0.2, steps=5)
    W_sgd, h_sgd = tb.sgd(Ws, X, y, eta=0.2, epochs=5, batch_size=30, rng=0)
    np.testing.assert_allclose(h_sgd, h_gd, rtol=1e-12)
    for A, B in zip(W_sgd, W_gd, strict=True):
        assert_close(A, B)


# ---------------------------------------------------------------- logistic regression


@st.composite
def logistic_problems(draw, max_points=8, max_dim=4, bound=3.0):
    n = draw(st.integers(1, max_points))
    d = draw(st.integers(1, max_dim))
    X = draw(arrays(np.float64, (n, d), elements=floats(bound)))
    w = draw(arrays(np.float64, (d,), elements=floats(bound)))
    y = draw(arrays(np.int64, (n,), elements=st.sampled_from([-1, 1])))
    return w, X, y


@given(logistic_problems())
def test_logistic_gradient_equals_central_differences(problem):
    w, X, y = problem
    w = w.copy()
    (numeric,) = central_differences(lambda: tb.logistic_loss(w, X, y), [w])
    np.testing.assert_allclose(tb.logistic_gradient(w, X, y), numeric, rtol=1e-6, atol=1e-8)


@given(logistic_problems(bound=30.0))
def test_logistic_gradient_equals_the_naive_formula_where_it_is_finite(problem):
    w, X, y = problem
    with np.errstate(over="ignore"):
        terms = y[:, None] * X / (1 + np.exp(y * (X @ w)))[:, None]
    naive = -terms.mean(axis=0)
    if np.all(np.isfinite(naive)):
        assert_close(tb.logistic_gradient(w, X, y), naive, rtol=1e-12)


@given(logistic_problems())
def test_logistic_loss_equals_the_naive_formula(problem):
    w, X, y = problem
    naive = np.mean(np.log(1 + np.exp(-y * (X @ w))))
    assert tb.logistic_loss(w, X, y) == pytest.approx(naive, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("w0", [1000.0, -1000.0])
def test_logistic_loss_and_gradient_are_exact_at_scores_of_1000(dtype, w0):
    # every score is w0; the margins y·s are +1000 for one label and −1000 for the other
    X = np.ones((4, 1), dtype=dtype)
    w = np.array([w0], dtype=dtype)
    y = np.array([1, -1, 1, -1], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = tb.logistic_loss(w, X, y)
        grad = tb.logistic_gradient(w, X, y)
    # ln(1 + e^−1000) = 0 and ln(1 + e^1000) = 1000 in floating point: the mean is 500
    assert loss == pytest.approx(500.0, rel=1e-6)
    # only the misclassified points (margin −1000, θ(1000) = 1) contribute −y·x/N each
    misclassified = y * w0 < 0
    expected = -np.sum(y[misclassified]) / len(y)
    assert grad.dtype == dtype and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [expected], rtol=1e-6)
    assert abs(expected) == 0.5


def test_logistic_regression_gd_decreases_the_loss_on_a_separable_set():
    X, y = linear(n=100, seed=0)
    X = np.column_stack([np.ones(len(X)), X])
    w, history = tb.logistic_regression_gd(X, y, eta=1.0, steps=100)
    assert history.shape == (101,)
    assert history[0] == pytest.approx(np.log(2))
    assert np.all(np.diff(history) < 0)
    assert history[-1] < 0.25
    assert np.mean(np.sign(X @ w) == y) > 0.95


def test_fixed_step_moves_exactly_eta_each_step():
    X, y = linear(n=50, seed=5)
    X = np.column_stack([np.ones(len(X)), X])
    w0 = np.array([0.1, -0.2, 0.3])
    path = [tb.logistic_regression_gd(X, y, 0.25, t, w0=w0, fixed_step=True)[0] for t in range(4)]
    for w_t, w_next in zip(path[:-1], path[1:], strict=True):
        assert np.linalg.norm(w_next - w_t) == pytest.approx(0.25, rel=1e-12)
    g = tb.logistic_gradient(w0, X, y)
    np.testing.assert_allclose(path[1], w0 - 0.25 * g / np.linalg.norm(g), rtol=1e-14)


# ---------------------------------------------------------------- errors


def test_logistic_loss_rejects_01_labels():
    with pytest.raises(ValueError, match=r"logistic_loss: labels must be -1 or \+1.*to_pm1"):
        tb.logistic_loss(np.zeros(2), np.ones((3, 2)), np.array([0, 1, 1]))


def test_logistic_gradient_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"logistic_gradient: need X \(N, d\).*w \(3,\)"):
        tb.logistic_gradient(np.zeros(3), np.ones((4, 2)), np.ones(4))


def test_batch_rejects_inputs_of_the_wrong_width():
    Ws = tb.init_weights([3, 2, 1])
    with pytest.raises(ValueError, match=r"error_and_gradients_batch: X must have shape \(N, 3\)"):
        tb.error_and_gradients_batch(Ws, np.ones((5, 4)), np.ones(5))


def test_targets_of_the_wrong_shape_are_rejected():
    Ws = tb.init_weights([3, 2, 2])
    with pytest.raises(ValueError, match=r"error_and_gradients: Y must have shape \(5, 2\)"):
        tb.error_and_gradients(Ws, np.ones((5, 3)), np.ones(5))


def test_weights_that_do_not_chain_are_rejected():
    Ws = [np.ones((3, 4)), np.ones((4, 1))]
    with pytest.raises(ValueError, match=r"gd: W\(2\) has shape \(4, 1\).*needs 5 rows"):
        tb.gd(Ws, np.ones((2, 2)), np.ones(2), eta=0.1, steps=1)


def test_unknown_output_activation_is_rejected():
    with pytest.raises(ValueError, match=r"forward: output_activation must be.*got 'relu'"):
        tb.forward(tb.init_weights([2, 1]), np.ones(2), output_activation="relu")


def test_sgd_rejects_a_batch_size_of_zero():
    with pytest.raises(ValueError, match=r"sgd: batch_size must be a positive integer, got 0"):
        tb.sgd(tb.init_weights([2, 1]), np.ones((3, 2)), np.ones(3), 0.1, 1, batch_size=0)


def test_init_weights_rejects_a_single_layer_size():
    with pytest.raises(ValueError, match=r"init_weights: sizes must be at least two"):
        tb.init_weights([3])
