"""nn.functional: losses and activations vs numpy references, float64 gradient checks, and
stability at scores of ±1000 in float32 and float64."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F

FLOATS = (tg.float32, tg.float64)
values = st.floats(-30, 30, allow_subnormal=False)
vectors = hnp.arrays(np.float64, st.integers(1, 6), elements=values)
signs = st.sampled_from([-1, 1])


def logistic(s):
    return np.exp(-np.logaddexp(0, -s))


def numpy_log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def value_and_grad(fn, x):
    """fn(x) and ∂ Σ fn(x) / ∂x, for an ndarray x, through the library."""
    t = tg.Tensor(x, requires_grad=True)
    out = fn(t)
    out.sum().backward()
    return out.numpy(), t.grad.numpy()


# ---------------------------------------------------------------- activations


@given(vectors)
def test_softplus_is_log_one_plus_exp_with_sigmoid_gradient(x):
    value, grad = value_and_grad(F.softplus, x)
    np.testing.assert_allclose(value, np.logaddexp(0, x), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad, logistic(x), rtol=1e-12, atol=1e-15)
    tg.testing.assert_gradients_close(F.softplus, tg.Tensor(x))


def test_softplus_gradient_at_zero_is_one_half():
    value, grad = value_and_grad(F.softplus, np.zeros(3))
    np.testing.assert_allclose(value, np.log(2.0), rtol=1e-15)
    np.testing.assert_array_equal(grad, [0.5, 0.5, 0.5])


def test_activations_match_numpy():
    x = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 7.0]])
    np.testing.assert_allclose(F.tanh(tg.Tensor(x)).numpy(), np.tanh(x), rtol=1e-14)
    np.testing.assert_allclose(F.sigmoid(tg.Tensor(x)).numpy(), 1 / (1 + np.exp(-x)),
                               rtol=1e-14)
    np.testing.assert_array_equal(F.relu(tg.Tensor(x)).numpy(), np.maximum(x, 0))
    e = np.exp(x)
    np.testing.assert_allclose(F.softmax(tg.Tensor(x)).numpy(), e / e.sum(1, keepdims=True),
                               rtol=1e-14)
    np.testing.assert_allclose(F.softmax(tg.Tensor(x), dim=0).numpy(),
                               e / e.sum(0, keepdims=True), rtol=1e-14)
    np.testing.assert_allclose(F.log_softmax(tg.Tensor(x)).numpy(), numpy_log_softmax(x),
                               rtol=1e-14)
    np.testing.assert_allclose(F.log_softmax(tg.Tensor(x), dim=0).numpy(),
                               numpy_log_softmax(x.T).T, rtol=1e-14)


def test_activation_gradients():
    x = tg.Tensor(np.array([[-1.5, 0.3, 2.0], [0.7, -0.2, 1.1]]))
    for fn in (F.tanh, F.sigmoid, F.softmax, F.log_softmax):
        tg.testing.assert_gradients_close(fn, x)


# ---------------------------------------------------------------- mse_loss


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=values),
       st.data())
def test_mse_loss_matches_numpy_for_each_reduction(pred, data):
    target = data.draw(hnp.arrays(np.float64, pred.shape, elements=values))
    sq = (pred - target) ** 2
    for reduction, expect in (("mean", sq.mean()), ("sum", sq.sum()), ("none", sq)):
        out = F.mse_loss(tg.Tensor(pred), target, reduction=reduction)
        np.testing.assert_allclose(out.numpy(), expect, rtol=1e-12)
    p = tg.Tensor(pred, requires_grad=True)
    F.mse_loss(p, tg.Tensor(target)).backward()
    np.testing.assert_allclose(p.grad.numpy(), 2 * (pred - target) / pred.size, rtol=1e-12)


def test_mse_loss_gradcheck_and_errors():
    pred = tg.Tensor(np.array([[0.5, -1.0], [2.0, 0.0]]))
    target = np.array([[1.0, 1.0], [-1.0, 0.5]])
    assert tg.autograd.gradcheck(lambda p: F.mse_loss(p, target, "sum"),
                                 (pred.detach().requires_grad_(),))
    with pytest.raises(ValueError, match=r"targets have shape \(2,\) but the input .*\(2, 2\)"):
        F.mse_loss(pred, np.zeros(2))
    with pytest.raises(ValueError, match=r"target has shape \(2,\) but pred has shape"):
        F.mse_loss(pred, tg.zeros(2))
    with pytest.raises(ValueError, match="reduction must be one of .* got 'avg'"):
        F.mse_loss(pred, target, reduction="avg")


def test_mse_loss_keeps_float32():
    out = F.mse_loss(tg.Tensor(np.ones(3, np.float32)), np.zeros(3))
    assert out.dtype == np.float32 and out.item() == 1.0


# ---------------------------------------------------------------- logistic_loss


@given(st.data())
def test_logistic_loss_matches_numpy_and_closed_form_gradient(data):
    s = data.draw(vectors)
    y = np.array(data.draw(st.lists(signs, min_size=len(s), max_size=len(s))))
    value, _ = value_and_grad(lambda t: F.logistic_loss(t, y), s)
    np.testing.assert_allclose(value, np.mean(np.logaddexp(0, -y * s)), rtol=1e-12, atol=1e-15)
    t = tg.Tensor(s, requires_grad=True)
    F.logistic_loss(t, y).backward()
    np.testing.assert_allclose(t.grad.numpy(), -y * logistic(-y * s) / len(s), rtol=1e-12,
                               atol=1e-300)
    per_point = F.logistic_loss(tg.Tensor(s), y, reduction="none").numpy()
    np.testing.assert_allclose(per_point, np.logaddexp(0, -y * s), rtol=1e-12, atol=1e-15)
    tg.testing.assert_gradients_close(lambda t: F.logistic_loss(t, y), tg.Tensor(s))


@pytest.mark.parametrize("labels, bad", [([1, 0, -1], "[0]"), ([2, 1, 2], "[2]"),
                                         ([0.5, -1, 3], "[0.5, 3.0]")])
def test_logistic_loss_names_bad_labels(labels, bad):
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1, got " + repr(bad)[1:-1]
                       .replace("[", r"\[").replace("]", r"\]")):
        F.logistic_loss(tg.zeros(3), labels)


def test_logistic_loss_label_shape_must_match():
    with pytest.raises(ValueError, match=r"targets have shape \(2,\) but the input has shape"):
        F.logistic_loss(tg.zeros(3), [1, -1])


# ---------------------------------------------------------------- binary cross-entropy


@given(st.data())
def test_bce_with_logits_matches_numpy_and_gradient(data):
    z = data.draw(vectors)
    t = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=len(z),
                                    max_size=len(z))))
    p = logistic(z)
    # −[t ln θ(z) + (1 − t) ln(1 − θ(z))], with ln θ(z) = −ln(1 + e^(−z))
    # and ln(1 − θ(z)) = −ln(1 + e^z)
    reference = t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z)
    value = F.binary_cross_entropy_with_logits(tg.Tensor(z), t, reduction="none").numpy()
    np.testing.assert_allclose(value, reference, rtol=1e-12, atol=1e-15)
    x = tg.Tensor(z, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, t).backward()
    np.testing.assert_allclose(x.grad.numpy(), (p - t) / len(z), rtol=1e-12, atol=1e-15)
    tg.testing.assert_gradients_close(lambda x: F.binary_cross_entropy_with_logits(x, t),
                                      tg.Tensor(z))


def test_bce_with_logits_matches_the_naive_formula_at_moderate_logits():
    z = np.array([-3.0, -0.4, 0.0, 1.2, 2.5])
    t = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    p = 1 / (1 + np.exp(-z))
    naive = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    value = F.binary_cross_entropy_with_logits(tg.Tensor(z), t, reduction="none").numpy()
    np.testing.assert_allclose(value, naive, rtol=1e-12)
    soft = F.binary_cross_entropy_with_logits(tg.Tensor(z), np.full(5, 0.25), reduction="sum")
    expect = -(0.25 * np.log(p) + 0.75 * np.log(1 - p)).sum()
    assert soft.item() == pytest.approx(expect, rel=1e-12)


def test_bce_with_logits_agrees_with_logistic_loss_on_mapped_labels():
    z = np.array([-2.0, 0.3, 1.5, 4.0])
    t = np.array([0, 1, 1, 0])
    bce = F.binary_cross_entropy_with_logits(tg.Tensor(z), t).item()
    assert bce == pytest.approx(F.logistic_loss(tg.Tensor(z), 2 * t - 1).item(), rel=1e-14)


def test_bce_with_logits_names_bad_targets():
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\].*got \[-1.0, 2.0\]"):
        F.binary_cross_entropy_with_logits(tg.zeros(4), np.array([-1.0, 0.0, 2.0, 1.0]))


# ---------------------------------------------------------------- cross_entropy


@given(st.integers(1, 5), st.integers(1, 4), st.data())
def test_cross_entropy_matches_numpy_and_gradient(n, c, data):
    z = data.draw(hnp.arrays(np.float64, (n, c), elements=values))
    k = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    logp = numpy_log_softmax(z)
    out = F.cross_entropy(tg.Tensor(z), k)
    np.testing.assert_allclose(out.numpy(), -logp[np.arange(n), k].mean(), rtol=1e-12,
                               atol=1e-15)
    x = tg.Tensor(z, requires_grad=True)
    F.cross_entropy(x, k).backward()
    onehot = np.eye(c)[k]
    np.testing.assert_allclose(x.grad.numpy(), (np.exp(logp) - onehot) / n, atol=1e-15)
    tg.testing.assert_gradients_close(lambda x: F.cross_entropy(x, k, reduction="sum"),
                                      tg.Tensor(z))


def test_cross_entropy_validates_targets():
    z = tg.zeros(3, 4)
    with pytest.raises(ValueError, match=r"class indices must lie in \[0, 4\), got \[-1, 4\]"):
        F.cross_entropy(z, [4, -1, 0])
    with pytest.raises(TypeError, match="class indices must be integers, got dtype float64"):
        F.cross_entropy(z, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"expected 3 class indices .* got shape \(2,\)"):
        F.cross_entropy(z, [0, 1])
    with pytest.raises(ValueError, match=r"logits must be \(N, C\), got shape \(4,\)"):
        F.cross_entropy(tg.zeros(4), [0])


# ---------------------------------------------------------------- stability at ±1000


@pytest.mark.parametrize("dtype", FLOATS)
def test_softplus_and_activations_are_exact_at_extremes(dtype):
    x = np.array([1000.0, -1000.0, 40.0, -40.0], dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = value_and_grad(F.softplus, x)
        sig_value, sig_grad = value_and_grad(F.sigmoid, x)
        tanh_value, tanh_grad = value_and_grad(F.tanh, x)
    assert value.dtype == dtype and grad.dtype == dtype
    np.testing.assert_array_equal(value[:2], [1000.0, 0.0])
    np.testing.assert_array_equal(grad[:2], [1.0, 0.0])
    np.testing.assert_allclose(value[2:], [40.0, np.exp(-40.0)], rtol=1e-6, atol=1e-15)
    np.testing.assert_allclose(grad[2:], [1.0, np.exp(-40.0)], rtol=1e-6)
    np.testing.assert_array_equal(sig_value[:2], [1.0, 0.0])
    np.testing.assert_array_equal(sig_grad[:2], [0.0, 0.0])
    np.testing.assert_array_equal(tanh_value[:2], [1.0, -1.0])
    np.testing.assert_array_equal(tanh_grad[:2], [0.0, 0.0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_family_is_exact_at_extremes(dtype):
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [1000.0, 1000.0]], dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        sm, sm_grad = value_and_grad(lambda t: F.softmax(t) * np.array([1.0, 2.0], dtype), z)
        lsm, lsm_grad = value_and_grad(F.log_softmax, z)
    np.testing.assert_array_equal(sm, [[1.0, 0.0], [0.0, 2.0], [0.5, 1.0]])
    np.testing.assert_allclose(sm_grad, [[0, 0], [0, 0], [-0.25, 0.25]], atol=1e-7)
    np.testing.assert_array_equal(lsm, [[0.0, -2000.0], [-2000.0, 0.0],
                                        [-np.log(dtype.type(2))] * 2])
    np.testing.assert_allclose(lsm_grad, [[-1.0, 1.0], [1.0, -1.0], [0.0, 0.0]], atol=1e-7)


@pytest.mark.parametrize("dtype", FLOATS)
def test_logistic_loss_is_exact_at_extremes(dtype):
    s = np.array([1000.0, 1000.0, -1000.0, -1000.0], dtype)
    y = np.array([1, -1, 1, -1])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = value_and_grad(lambda t: F.logistic_loss(t, y, reduction="none"), s)
        mean, mean_grad = value_and_grad(lambda t: F.logistic_loss(t, y), s)
    assert value.dtype == dtype and grad.dtype == dtype
    np.testing.assert_array_equal(value, [0.0, 1000.0, 1000.0, 0.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0, -1.0, 0.0])  # −y θ(−y s)
    assert mean == 500.0
    np.testing.assert_array_equal(mean_grad, [0.0, 0.25, -0.25, 0.0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_with_logits_is_exact_at_extremes(dtype):
    z = np.array([1000.0, 1000.0, -1000.0, -1000.0], dtype)
    t = np.array([1, 0, 1, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = value_and_grad(
            lambda x: F.binary_cross_entropy_with_logits(x, t, reduction="none"), z)
    assert value.dtype == dtype
    np.testing.assert_array_equal(value, [0.0, 1000.0, 1000.0, 0.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0, -1.0, 0.0])  # θ(z) − t


@pytest.mark.parametrize("dtype", FLOATS)
def test_cross_entropy_is_exact_at_extremes(dtype):
    z = np.array([[1000.0, -1000.0], [1000.0, -1000.0]], dtype)
    k = np.array([0, 1])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = value_and_grad(lambda x: F.cross_entropy(x, k, reduction="none"), z)
    assert value.dtype == dtype
    np.testing.assert_array_equal(value, [0.0, 2000.0])
    np.testing.assert_array_equal(grad, [[0.0, 0.0], [1.0, -1.0]])  # softmax − one-hot


def test_losses_keep_float32():
    z = tg.Tensor(np.array([0.5, -0.5], np.float32))
    assert F.logistic_loss(z, [1, -1]).dtype == np.float32
    assert F.binary_cross_entropy_with_logits(z, [1, 0]).dtype == np.float32
    assert F.cross_entropy(z.reshape(1, 2), [1]).dtype == np.float32
    assert F.softplus(z).dtype == np.float32
