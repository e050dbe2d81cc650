"""nn.functional: losses and activations vs numpy references, float64 gradient checks,
stability at scores of ±1000 in float32 and float64, mse_loss and linear in every dtype, and
losses and linear fed hostile targets, weights and biases."""

import math

import numpy as np
import pytest
from helpers import FLOAT_DTYPES, SOME, tol
from hostile import (
    DOCUMENTED,
    Refused,
    data_inputs,
    expected_array,
    hostile_input,
    junk,
    nested,
    odd_arrays,
    rectangular,
    run_or_refused,
    tensors,
    tolerance,
)
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import OPS

import tinygrad_edu as tg
from tinygrad_edu import nn
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
    value, grad = value_and_grad(F.softplus, x)  # PyTorch's: x itself above threshold=20
    np.testing.assert_allclose(value, np.where(x > 20, x, np.logaddexp(0, x)), rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(grad, np.where(x > 20, 1.0, logistic(x)), rtol=1e-12,
                               atol=1e-15)
    # without the threshold (whose jump of e^(−20) is a kink for central differences)
    tg.testing.assert_gradients_close(lambda t: F.softplus(t, threshold=np.inf), tg.Tensor(x))


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


# ---------------------------------------------------------------- PyTorch's loss options
# Targets that require grad get PyTorch's gradient; weight, pos_weight, ignore_index,
# label_smoothing, probability targets, unbatched and (N, C, d1, ...) inputs, softplus(beta,
# threshold). Each checked against a numpy reference or hard-coded values, and torch if present.


def numpy_cross_entropy(z, target, weight=None, ignore_index=-100, label_smoothing=0.0,
                        reduction="mean"):
    """PyTorch's cross_entropy in numpy, from its formulas: class dim 1 (0 when unbatched)."""
    z = np.asarray(z, np.float64)
    unbatched = z.ndim == 1
    if unbatched:
        z, target = z[None], np.asarray(target)[None]
    c = z.shape[1]
    logp = np.moveaxis(numpy_log_softmax(np.moveaxis(z, 1, -1).reshape(-1, c)).reshape(
        np.moveaxis(z, 1, -1).shape), -1, 1)
    w = np.ones(c) if weight is None else np.asarray(weight, np.float64)
    wshape = (1, c) + (1,) * (z.ndim - 2)
    target = np.asarray(target)
    if target.dtype.kind == "f":  # probabilities
        t = target * (1 - label_smoothing) + label_smoothing / c
        losses = -(logp * t * w.reshape(wshape)).sum(1)
        denom = losses.size
    else:
        keep = target != ignore_index
        safe = np.where(keep, target, 0)
        picked = np.take_along_axis(logp, safe[:, None], 1)[:, 0]
        wn = w[safe] * keep
        nll = -picked * wn
        smooth = -(logp * w.reshape(wshape)).sum(1) * keep
        losses = (1 - label_smoothing) * nll + label_smoothing / c * smooth
        denom = wn.sum()
    if reduction == "none":
        return losses.reshape(np.shape(target)[:losses.ndim - 1] if unbatched else losses.shape)
    return losses.sum() / (denom if reduction == "mean" else 1)


def test_bce_with_logits_gives_soft_targets_their_gradient():
    x = tg.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    t = tg.Tensor(np.array([0.3, 0.8]), requires_grad=True)
    F.binary_cross_entropy_with_logits(x, t).backward()
    np.testing.assert_allclose(t.grad.numpy(), [-0.25, 0.5], rtol=1e-15)  # −z / n
    np.testing.assert_allclose(x.grad.numpy(), (logistic(np.array([0.5, -1.0])) - [0.3, 0.8])
                               / 2, rtol=1e-14)
    t.grad = None
    F.binary_cross_entropy_with_logits(x, t, reduction="none").sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [-0.5, 1.0], rtol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_weight_and_pos_weight_broadcast(reduction):
    z = np.array([[0.5, -1.0, 2.0], [-0.3, 0.0, 4.0]])
    t = np.array([[0.3, 0.8, 1.0], [0.0, 0.5, 0.2]])
    w, pw = np.array([[2.0], [0.5]]), np.array([1.5, 0.5, 3.0])
    ref = w * (pw * t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z))
    ref_dz = w * ((pw * t + 1 - t) * logistic(z) - pw * t)
    ref_dt = w * (pw * np.logaddexp(0, -z) - np.logaddexp(0, z))
    scale = {"mean": 1 / z.size, "sum": 1.0, "none": 1.0}[reduction]
    x, tt = tg.Tensor(z, requires_grad=True), tg.Tensor(t, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(x, tt, weight=w, pos_weight=tg.Tensor(pw),
                                             reduction=reduction)
    expect = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    np.testing.assert_allclose(out.numpy(), expect, rtol=1e-13)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ref_dz * scale, rtol=1e-13)
    np.testing.assert_allclose(tt.grad.numpy(), ref_dt * scale, rtol=1e-13)
    torch = pytest.importorskip("torch")
    tx, tt2 = torch.tensor(z, requires_grad=True), torch.tensor(t, requires_grad=True)
    tout = torch.nn.functional.binary_cross_entropy_with_logits(
        tx, tt2, weight=torch.tensor(w), pos_weight=torch.tensor(pw), reduction=reduction)
    tout.sum().backward()
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(tt.grad.numpy(), tt2.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("dtype", FLOATS)
def test_bce_with_logits_pos_weight_is_exact_at_extremes(dtype):
    z = np.array([1e4, 1e4, -1e4, -1e4], dtype)
    t = np.array([1.0, 0.0, 1.0, 0.0], dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = value_and_grad(lambda x: F.binary_cross_entropy_with_logits(
            x, t, pos_weight=np.array(2.0, dtype), reduction="none"), z)
    np.testing.assert_array_equal(value, [0.0, 1e4, 2e4, 0.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0, -2.0, 0.0])


def test_bce_with_logits_refuses_weights_that_require_grad():
    z, t = tg.zeros(2), tg.ones(2)
    for kwargs in ({"weight": tg.ones(2, requires_grad=True)},
                   {"pos_weight": tg.ones(2, requires_grad=True)}):
        with pytest.raises(RuntimeError, match="not differentiable with respect to "
                           + next(iter(kwargs))):
            F.binary_cross_entropy_with_logits(z, t, **kwargs)
    with pytest.raises(ValueError, match=r"weight of shape \(3,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(z, t, weight=np.ones(3))


def test_mse_loss_gives_the_target_its_gradient_for_every_reduction():
    p = np.array([0.5, -1.0, 2.0])
    t = np.array([0.3, 0.8, -1.0])
    for reduction, scale in (("mean", 1 / 3), ("sum", 1.0), ("none", 1.0)):
        tt = tg.Tensor(t, requires_grad=True)
        F.mse_loss(tg.Tensor(p), tt, reduction=reduction).sum().backward()
        np.testing.assert_allclose(tt.grad.numpy(), -2 * (p - t) * scale, rtol=1e-15)


def test_logistic_loss_refuses_labels_that_require_grad():
    # PyTorch's soft_margin_loss, the same loss, is not differentiable in its labels
    with pytest.raises(RuntimeError, match="logistic_loss: not differentiable with respect "
                                           "to the labels"):
        F.logistic_loss(tg.zeros(2), tg.tensor([1.0, -1.0], requires_grad=True))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probability_targets_get_their_gradient(reduction, smoothing):
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    p = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
    w = np.array([1.0, 2.0, 0.5])
    x, t = tg.Tensor(z, requires_grad=True), tg.Tensor(p, requires_grad=True)
    out = F.cross_entropy(x, t, weight=w, label_smoothing=smoothing, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), numpy_cross_entropy(
        z, p, w, label_smoothing=smoothing, reduction=reduction), rtol=1e-13)
    out.sum().backward()
    scale = 0.5 if reduction == "mean" else 1.0
    np.testing.assert_allclose(t.grad.numpy(), -numpy_log_softmax(z) * w * (1 - smoothing)
                               * scale, rtol=1e-13)
    if smoothing == 0.0 and reduction == "mean":  # PyTorch 2.13, without weights
        t.grad = None
        F.cross_entropy(x, t).backward()
        np.testing.assert_allclose(t.grad.numpy(), [[0.7322, 0.2322, 0.9822],
                                                    [1.5329, 2.0329, 0.0329]], atol=1e-4)
    torch = pytest.importorskip("torch")
    tx, tt = torch.tensor(z, requires_grad=True), torch.tensor(p, requires_grad=True)
    tout = torch.nn.functional.cross_entropy(tx, tt, weight=torch.tensor(w),
                                             label_smoothing=smoothing, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-13)


CE_CASES = {  # logits shape, target, options
    "weights": ((4, 3), [0, 2, 1, 2], {"weight": [0.2, 1.0, 3.0]}),
    "ignore": ((4, 3), [0, -100, 1, 2], {}),
    "ignore_other": ((4, 3), [0, 1, 1, 2], {"ignore_index": 1}),
    "all_options": ((4, 3), [0, 5, 1, 2], {"weight": [0.2, 1.0, 3.0], "ignore_index": 5,
                                           "label_smoothing": 0.3}),
    "smoothing": ((4, 3), [0, 2, 1, 2], {"label_smoothing": 0.1}),
    "unbatched": ((3,), 2, {"weight": [0.2, 1.0, 3.0], "label_smoothing": 0.2}),
    "spatial": ((2, 3, 2, 2), [[[0, 1], [2, 2]], [[1, -100], [0, 2]]],
                {"weight": [0.2, 1.0, 3.0], "label_smoothing": 0.1}),
    "spatial_probs": ((2, 3, 2), "probs", {"label_smoothing": 0.1}),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", sorted(CE_CASES))
def test_cross_entropy_options_match_pytorch_formulas(case, reduction):
    shape, target, options = CE_CASES[case]
    rng = np.random.default_rng(len(case))
    z = rng.normal(size=shape) * 2
    if target == "probs":
        target = rng.dirichlet(np.ones(shape[1]), size=(shape[0],) + shape[2:])
        target = np.moveaxis(target, -1, 1)
    target = np.asarray(target)
    ref = numpy_cross_entropy(z, target, reduction=reduction, **options)
    out = F.cross_entropy(tg.Tensor(z), target, reduction=reduction, **options)
    assert out.shape == np.shape(ref)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-13)
    tg.testing.assert_gradients_close(
        lambda x: F.cross_entropy(x, target, reduction=reduction, **options), tg.Tensor(z))
    torch = pytest.importorskip("torch")
    tz = torch.tensor(z, requires_grad=True)
    opts = {k: torch.tensor(v, dtype=torch.float64) if k == "weight" else v
            for k, v in options.items()}
    tout = torch.nn.functional.cross_entropy(tz, torch.tensor(target), reduction=reduction,
                                             **opts)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-13)
    x = tg.Tensor(z, requires_grad=True)
    F.cross_entropy(x, target, reduction=reduction, **options).sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tz.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_cross_entropy_hand_values_with_weights_ignore_and_smoothing():
    # two rows of logits [0, ln 3] (softmax ¼, ¾), weights (1, 3): row 0 is class 1, row 1
    # is ignored; mean divides by the weight of the kept targets, 3
    z = np.log([[1.0, 3.0], [1.0, 3.0]])
    out = F.cross_entropy(tg.Tensor(z), [1, -100], weight=[1.0, 3.0])
    assert out.item() == pytest.approx(-np.log(0.75), rel=1e-15)
    smooth = F.cross_entropy(tg.Tensor(z), [1, -100], weight=[1.0, 3.0], label_smoothing=0.5)
    # ½·(−3 ln ¾) + ¼·(−(1·ln ¼ + 3·ln ¾)), over 3
    expect = (0.5 * -3 * np.log(0.75) + 0.25 * -(np.log(0.25) + 3 * np.log(0.75))) / 3
    assert smooth.item() == pytest.approx(expect, rel=1e-14)
    assert np.isnan(F.cross_entropy(tg.Tensor(z), [-100, -100]).item())  # 0 / 0, as PyTorch


def test_cross_entropy_is_exact_at_extremes_with_options():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = value_and_grad(lambda x: F.cross_entropy(
            x, [1, 1], weight=[1.0, 2.0, 1.0], label_smoothing=0.3, reduction="none"), z)
        pvalue, _ = value_and_grad(lambda x: F.cross_entropy(
            x, np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), reduction="none"), z)
    # row 0: 0.7·2·2e4 + 0.1·(2e4·2 + 1e4·1) over the logs; row 1: 0 + 0.1·(2e4 + 1e4)
    np.testing.assert_allclose(value, [0.7 * 4e4 + 0.1 * 5e4, 0.1 * 3e4], rtol=1e-14)
    np.testing.assert_array_equal(pvalue, [2e4, 0.0])
    assert np.isfinite(grad).all()


def test_cross_entropy_checks_its_options():
    z = tg.zeros(3, 4)
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\), got \(3,\)"):
        F.cross_entropy(z, [0, 1, 2], weight=np.ones(3))
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\], got 1.5"):
        F.cross_entropy(z, [0, 1, 2], label_smoothing=1.5)
    with pytest.raises(TypeError, match="probabilities must be floating point, got int64"):
        F.cross_entropy(z, np.zeros((3, 4), np.int64))
    with pytest.raises(ValueError, match=r"expected 1 class indices \(shape \(\)\) for "
                                         r"logits of shape \(4,\), got shape \(1,\)"):
        F.cross_entropy(tg.zeros(4), [0])
    with pytest.raises(ValueError, match=r"logits must have a class dimension"):
        F.cross_entropy(tg.zeros(()), 0)


def test_softplus_beta_threshold_match_pytorch():
    x = np.array([21.0, 19.0, 5.0, -3.0, 0.0, 10.5])
    value, grad = value_and_grad(lambda t: F.softplus(t, beta=2, threshold=20), x)
    bx = 2 * x
    np.testing.assert_allclose(value, np.where(bx > 20, x, np.logaddexp(0, bx) / 2),
                               rtol=1e-15)
    np.testing.assert_allclose(grad, np.where(bx > 20, 1.0, logistic(bx)), rtol=1e-15)
    v, g = value_and_grad(F.softplus, np.array([20.5, 19.5]))  # default threshold 20
    np.testing.assert_array_equal(v[:1], [20.5])
    np.testing.assert_array_equal(g[:1], [1.0])
    np.testing.assert_allclose(v[1:], np.logaddexp(0, 19.5), rtol=1e-15)
    tg.testing.assert_gradients_close(lambda t: F.softplus(t, beta=0.5, threshold=3),
                                      tg.Tensor(np.array([-2.0, 1.0, 5.0, 7.0])))
    torch = pytest.importorskip("torch")
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.softplus(tx, beta=2, threshold=20).sum().backward()
    np.testing.assert_allclose(grad, tx.grad.numpy(), rtol=1e-15)


@st.composite
def mse_cases(draw):
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    grid = st.integers(-16, 16).map(lambda i: i / 8)
    pred = draw(hnp.arrays(np.float64, shape, elements=grid)).astype(dtype)
    target = draw(hnp.arrays(np.float64, shape, elements=grid)).astype(dtype)
    reduction = draw(st.sampled_from(["none", "sum", "mean"]))
    target_grad = draw(st.booleans())
    return dtype, pred, target, reduction, target_grad


@SOME
@given(mse_cases())
def test_mse_loss_values_and_gradients_match_numpy(case):
    dtype, pred, target, reduction, target_grad = case
    p = tg.Tensor(pred, requires_grad=True)
    t = tg.Tensor(target, requires_grad=target_grad)
    out = F.mse_loss(p, t, reduction=reduction)
    d = pred.astype(np.float64) - target.astype(np.float64)
    want = {"none": d * d, "sum": np.sum(d * d), "mean": np.mean(d * d)}[reduction]
    assert out.dtype == dtype
    assert out.shape == (pred.shape if reduction == "none" else ())
    r = tol(dtype)
    np.testing.assert_allclose(out.numpy().astype(np.float64), want, rtol=r, atol=r)
    w = np.linspace(0.5, 1.5, max(out.numel(), 1)).reshape(out.shape)
    out.backward(tg.Tensor(w.astype(dtype)))
    scale = 1.0 / pred.size if reduction == "mean" else 1.0
    want_g = 2 * d * w * scale
    assert p.grad.dtype == dtype and p.grad.shape == pred.shape
    np.testing.assert_allclose(p.grad.numpy().astype(np.float64), want_g, rtol=r, atol=r)
    if target_grad:
        assert t.grad.dtype == dtype and t.grad.shape == target.shape
        np.testing.assert_allclose(t.grad.numpy().astype(np.float64), -want_g, rtol=r, atol=r)
    else:
        assert t.grad is None


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_mse_loss_with_an_ndarray_target_differentiates_the_prediction(dtype):
    pred = tg.Tensor(np.array([[0.5, -1.0], [2.0, 0.25]], dtype), requires_grad=True)
    target = np.array([[1.0, 1.0], [-1.0, 0.5]])
    F.mse_loss(pred, target, reduction="sum").backward()
    np.testing.assert_allclose(pred.grad.numpy().astype(np.float64),
                               2 * (pred.numpy().astype(np.float64) - target), rtol=tol(dtype))
    assert pred.grad.dtype == dtype


def test_mse_loss_of_empty_inputs_follows_pytorch():
    p, t = tg.zeros(0, requires_grad=True), tg.zeros(0)
    assert F.mse_loss(p, t, reduction="sum").item() == 0.0
    assert F.mse_loss(p, t, reduction="none").shape == (0,)
    with np.errstate(all="ignore"):
        assert math.isnan(F.mse_loss(p, t).item())  # PyTorch: the mean of nothing is nan


@pytest.mark.parametrize("pshape, tshape", [((3,), (1,)), ((1,), (3,)), ((2, 3), (3,)),
                                            ((3,), (2, 3)), ((3, 1), (3,)), ((3,), ()),
                                            ((), (3,)), ((1, 3), (3,)), ((2, 2), (2, 1))])
@pytest.mark.parametrize("as_tensor", [True, False])
def test_mse_loss_refuses_to_broadcast(pshape, tshape, as_tensor):
    pred = tg.zeros(*pshape, requires_grad=True) if pshape else tg.tensor(0.0, requires_grad=True)
    target = np.ones(tshape, np.float32)
    if as_tensor:
        target = tg.Tensor(target)
    for reduction in ("mean", "sum", "none"):
        with pytest.raises(ValueError) as info:
            F.mse_loss(pred, target, reduction=reduction)
        text = str(info.value)
        assert "mse_loss" in text and str(pshape) in text and str(tshape) in text, text
    assert pred.grad is None


@SOME
@given(dtype=st.sampled_from([np.float32, np.float64]), batch=st.sampled_from([(), (4,), (2, 3)]),
       n_in=st.integers(1, 4), n_out=st.integers(1, 3), bias=st.booleans())
def test_functional_linear_values_and_gradients(dtype, batch, n_in, n_out, bias):
    rng = np.random.default_rng(n_in * 10 + n_out)
    xn = rng.standard_normal(batch + (n_in,)).astype(dtype)
    wn = rng.standard_normal((n_out, n_in)).astype(dtype)
    bn = rng.standard_normal(n_out).astype(dtype)
    x, w = tg.Tensor(xn, requires_grad=True), tg.Tensor(wn, requires_grad=True)
    b = tg.Tensor(bn, requires_grad=True) if bias else None
    out = F.linear(x, w, b)
    want = xn.astype(np.float64) @ wn.T.astype(np.float64) + (bn if bias else 0)
    assert out.shape == batch + (n_out,) and out.dtype == dtype
    r = tol(dtype) * 10
    np.testing.assert_allclose(out.numpy(), want, rtol=r, atol=r)
    g = np.ones(out.shape)
    out.backward(tg.Tensor(g.astype(dtype)))
    x2 = xn.reshape(-1, n_in).astype(np.float64)
    g2 = g.reshape(-1, n_out)
    np.testing.assert_allclose(w.grad.numpy(), g2.T @ x2, rtol=r, atol=r)
    np.testing.assert_allclose(x.grad.numpy(), (g2 @ wn.astype(np.float64)).reshape(xn.shape),
                               rtol=r, atol=r)
    if bias:
        np.testing.assert_allclose(b.grad.numpy(), g2.sum(0), rtol=r, atol=r)


@pytest.mark.parametrize("x_shape, w_shape, b_shape", [
    ((5, 4), (2, 3), (2,)),     # in-features mismatch
    ((4,), (2, 3), (2,)),       # 1-D input, wrong size
    ((), (2, 3), (2,)),         # 0-d input
    ((5, 3), (2, 3), (3,)),     # bias of the wrong size
    ((5, 3), (2, 3), (1, 3)),   # bias of the wrong shape
    ((5, 3), (1, 2, 3), None),  # 3-D weight
    ((2, 2, 4), (2, 3), None),  # batched input, wrong features
])
def test_functional_linear_shape_errors_name_linear_and_the_shapes(x_shape, w_shape, b_shape):
    x = tg.Tensor(np.ones(x_shape))
    w = tg.Tensor(np.ones(w_shape), requires_grad=True)
    b = None if b_shape is None else tg.Tensor(np.ones(b_shape), requires_grad=True)
    with pytest.raises(ValueError) as info:
        F.linear(x, w, b)
    text = str(info.value)
    assert "linear" in text, text
    assert str(x_shape) in text or str(w_shape) in text or str(b_shape) in text, text
    assert w.grad is None


@pytest.mark.parametrize("x_shape", [(5, 4), (4,), (), (2, 3, 2), (3, 1)])
def test_linear_module_shape_errors_name_linear(x_shape):
    layer = nn.Linear(3, 2)
    before = layer.weight.numpy().copy()
    with pytest.raises(ValueError) as info:
        layer(tg.Tensor(np.ones(x_shape, np.float32)))
    text = str(info.value)
    assert "Linear" in text and str(x_shape) in text and "3" in text, text
    np.testing.assert_array_equal(layer.weight.numpy(), before)


LOSSES = [op.name for op in OPS if op.loss]


def loss_reference(name, z, t, dtype=np.float64):
    """The mean loss from the textbook formula, computed in `dtype` (a float16 loss overflows
    where float64 would not: 256² is inf in float16, as PyTorch's float16 loss is)."""
    z = z.astype(dtype)
    if name not in ("nll_loss", "cross_entropy"):  # class indices stay integers
        t = np.asarray(t).astype(dtype)
    if name == "mse_loss":
        return np.mean((z - t) ** 2)
    if name == "logistic_loss":
        return np.mean(np.logaddexp(0, -t * z))
    if name == "binary_cross_entropy_with_logits":
        return np.mean(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z))
    if name == "l1_loss":
        return np.mean(np.abs(z - t))
    if name in ("smooth_l1_loss", "huber_loss"):  # beta = delta = 1: the same
        d = np.abs(z - t)
        return np.mean(np.where(d < 1, 0.5 * d * d, d - 0.5))
    if name == "kl_div":
        return np.mean(np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t * z)
    if name == "binary_cross_entropy":
        with np.errstate(divide="ignore"):
            return np.mean(-(t * np.maximum(np.log(z), -100)
                             + (1 - t) * np.maximum(np.log1p(-z), -100)))
    if name == "nll_loss":
        z, t = (z[None], np.asarray(t)[None]) if z.ndim == 1 else (z, t)
        return np.mean(-z[np.arange(len(t)), t])
    if z.ndim == 1:  # unbatched logits (C,): one point
        z, t = z[None], np.asarray(t)[None]
    logp = z - np.logaddexp.reduce(z, axis=1, keepdims=True)  # ln softmax, without e^z overflow
    if t.shape == z.shape:  # class probabilities
        return np.mean(-(t * logp).sum(axis=1))
    return np.mean(-logp[np.arange(len(t)), t])


def non_numeric(target) -> bool:
    """True for targets no loss may accept: complex, object, str, None, dicts, ragged lists."""
    if isinstance(target, tg.Tensor):
        return False
    try:
        kind = np.asarray(target).dtype.kind
    except (ValueError, TypeError):
        return True
    return kind not in "fiub"


@st.composite
def loss_calls(draw):
    """(loss name, input, target): inputs of every dtype and targets that fit, or do not."""
    name = draw(st.sampled_from(LOSSES))
    n = draw(st.integers(0, 3))
    classes = name in ("cross_entropy", "nll_loss")
    shape = (n, 3) if classes else draw(st.sampled_from([(n,), (n, 2)]))
    z = draw(st.one_of(tensors(shape=shape), tensors(shape=shape), data_inputs))
    fitting = {
        "mse_loss": hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)),
        "logistic_loss": hnp.arrays(np.int64, shape, elements=st.sampled_from([-1, 1])),
        "binary_cross_entropy_with_logits": hnp.arrays(np.float64, shape,
                                                       elements=st.sampled_from([0.0, 0.5, 1.0])),
        "cross_entropy": hnp.arrays(np.int64, shape[:1], elements=st.integers(0, 2)),
        "nll_loss": hnp.arrays(np.int64, shape[:1], elements=st.integers(0, 2)),
        "l1_loss": hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)),
        "smooth_l1_loss": hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)),
        "huber_loss": hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)),
        "kl_div": hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 0.5, 1.0])),
        "binary_cross_entropy": hnp.arrays(np.float64, shape,
                                           elements=st.sampled_from([0.0, 0.5, 1.0])),
    }[name]
    target = draw(st.one_of(fitting, fitting, fitting.map(lambda a: a.tolist()),
                            fitting.map(tg.tensor), tensors(), odd_arrays, junk, nested,
                            st.lists(st.floats(), min_size=n, max_size=n)))
    return name, z, target


@hostile_input
@given(loss_calls())
@example(("cross_entropy", tg.tensor(np.full((3, 1), 710, ">i4")), np.zeros(3, int)))  # e^710
@example(("cross_entropy", range(0), []))  # logits with no class at all
@example(("cross_entropy", tg.tensor([0.5, 2.0, -1.0]), 1))  # unbatched: (C,) logits, 0-d target
@example(("cross_entropy", tg.tensor([[0.5, 2.0]]), [[0.25, 0.75]]))  # class probabilities
@example(("mse_loss", tg.ones(2), [0.0, []]))  # numpy's ragged-list error
@example(("mse_loss", tg.tensor([True, False]), [1.0, 0.0]))  # bool: numpy's subtract error
@example(("l1_loss", tg.zeros(3, dtype=tg.float64), [0, 0, 16777217.0]))  # in f64, not f32
@example(("mse_loss", tg.zeros(1, dtype=tg.float16), [256.0]))  # 256² overflows float16
def test_losses_with_hostile_targets(call):
    name, z, target = call
    try:
        out = getattr(F, name)(z, target)
    except DOCUMENTED as e:
        assert name in str(e), f"{type(e).__name__} does not name {name}: {e}"
        return
    assert not non_numeric(target), f"{name} accepted the target {target!r}"
    assert isinstance(out, tg.Tensor) and out.shape == () and out.dtype.kind == "f"
    t = np.asarray(target.numpy() if isinstance(target, tg.Tensor) else target)
    want = loss_reference(name, tg.tensor(z).numpy(), t, out.dtype)
    np.testing.assert_allclose(out.item(), want, rtol=tolerance(out.dtype) * 10,
                               atol=tolerance(out.dtype) * 10, equal_nan=True)


@hostile_input
@given(st.one_of(tensors(shape=(2, 3)), tensors(shape=(3,)), tensors(shape=(0, 3)),
                 tensors(shape=(1, 1, 3)), tensors(), data_inputs),
       st.sampled_from(["module", "functional"]))
@example("abc", "module")  # the message named tensor, not Linear
def test_linear_with_hostile_input(x, form):
    tg.manual_seed(0)
    layer = tg.nn.Linear(3, 2)
    w, b = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
    call = layer if form == "module" else lambda v: F.linear(v, layer.weight, layer.bias)
    name = "Linear" if form == "module" else "linear"

    def expected():
        if isinstance(x, (str, bytes, dict, set)) or x is None:
            raise Refused
        a = expected_array(x)
        if a.ndim == 0 or a.shape[-1] != 3:
            raise Refused
        return a.astype(np.float64) @ w.T + b

    got = run_or_refused(lambda: call(x), expected, name)
    if got:
        out, want = got
        assert out.shape == want.shape and out.dtype.kind == "f"
        np.testing.assert_allclose(out.numpy(), want, rtol=tolerance(out.dtype) * 10,
                                   atol=tolerance(out.dtype) * 10, equal_nan=True)


@hostile_input
@given(st.one_of(tensors(shape=(2, 3)), odd_arrays, junk, nested, rectangular),
       st.one_of(st.none(), tensors(shape=(2,)), odd_arrays, junk, st.lists(st.floats(-3, 3))))
@example("a", None)  # AttributeError
@example(0.0, None)  # IndexError while formatting the message
@example(tg.ones(2, 3), np.ones(2, complex))  # gave a complex tensor
def test_functional_linear_with_hostile_weight_and_bias(weight, bias):
    x = tg.ones(4, 3)

    def expected():
        w = expected_array(weight)
        bb = 0.0 if bias is None else expected_array(bias)
        if w.ndim != 2 or w.shape[1] != 3 or (bias is not None and np.shape(bb) != w.shape[:1]):
            raise Refused
        return np.ones((4, 3)) @ w.astype(np.float64).T + bb

    got = run_or_refused(lambda: F.linear(x, weight, bias), expected, "linear")
    if got:
        out, want = got
        np.testing.assert_allclose(out.numpy(), want, rtol=tolerance(out.dtype) * 10,
                                   atol=tolerance(out.dtype) * 10, equal_nan=True)
