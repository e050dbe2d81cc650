"""Numerical stability at extreme inputs.

Every activation and every loss of `nn.functional`, at ±1e3, ±1e30 and mixtures such as
[-1e30, 0, 1e30], in float32 and float64: finite, correct values and gradients wherever the
true ones are finite, inf (never NaN) where the true value is infinite, and no NaN or inf in
any intermediate step (the finite cases run under `detect_anomaly`). Gradients are checked
twice: by `backward()`, whose rules run on ndarrays, and by `autograd.grad(create_graph=True)`,
where the same rules run on Tensors. Last, `detect_anomaly` must name the first operation that
makes a NaN or inf, in forward and in backward.

References are computed stably in float64 from the input as stored (a float32 input is
promoted exactly), then rounded to the dtype under test. Tolerance: each function is a handful
of correctly rounded primitives, so its result is within a few roundings of the exact one:
rtol = atol = 16·eps of the dtype. The relative part covers large results (1e30 keeps its 7
digits in float32); the absolute part covers results that cancel towards 0, where no float
format does better than a few eps of the terms: σ'(x) = σ(1 − σ) once σ(x) rounds to 1,
ln Σ eˣ next to 0, and the worst case seen, softplus'(x) = e^(x − softplus(x)), whose exponent
carries the rounding of softplus(x) to the spacing of x: up to 8 eps for |x| ≤ 32 (2 eps
fails; 16 leaves a margin without hiding a lost digit). A reference beyond the dtype's range (mse of 1e30 is 1e60, above float32's 3.4e38) rounds to
inf, and then the result must be that inf.
"""

import math
from decimal import Decimal, localcontext
from operator import methodcaller

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import OPS

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F

FLOATS = (tg.float32, tg.float64)
MAGNITUDES = (1e3, 1e30)
EXTREMES = (-1e30, -1e3, 1e3, 1e30)


# ---------------------------------------------------------------- float64 references


# every spelling of every op with an `extremes` column, from the op table:
# id: (call, reference value, reference derivative, input domain)
ELEMENTWISE = {
    label: (call, op.ref, op.d1, op.extremes)
    for op in OPS if op.extremes
    for label, call in ((op.name, op.fn), *op.also)
}


def extreme_inputs(domain, m):
    """Inputs of magnitude m (and 1/m) mixed with ordinary values, inside the domain."""
    return {
        "real": [-m, -1.5, 0.0, 0.5, m],
        "finite exp": [-m, -1.5, 0.0, 0.5],
        "positive": [1 / m, 0.5, 1.5, m],
    }[domain]


# softmax, log_softmax, logsumexp along a dim, from the op table:
# (function, value, VJP gᵀ ∂f/∂x)
REDUCTIONS = {op.name: (op.fn, op.ref, op.vjp) for op in OPS if op.vjp}


def extreme_rows(m):
    """Rows with mixtures, ties at ±m, all entries at −m, and one large entry among small."""
    return [[-m, 0.0, m], [m, m, -m], [-m, -m, -m], [m, 1.5, -0.5]]


# losses, from the op table, per point: (call with the reduction, value of each point,
# ∂ value / ∂ input), each given the float64 input and the labels drawn for it
LOSSES = {op.name: (op.fn, lambda a, t, op=op: op.ref(a, t, "none"), op.d1)
          for op in OPS if op.loss}


def loss_case(name, m, dtype):
    """Extreme inputs for a loss and labels that make both small and huge losses
    (mse's targets in the input's dtype: the loss takes them so)."""
    if name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        return np.array([-m, 0.0, m, m, 1.5], dtype), np.array([m, 0.5, m, -m, -0.5], dtype)
    if name == "binary_cross_entropy":  # probabilities: 0, 1 and 1/m, saturated and not
        return np.array([0.0, 1.0, 0.0, 1.0, 1 / m, 0.5], dtype), np.array(
            [1, 0, 0, 1, 1, 0.25], dtype)
    if name == "kl_div":
        return np.array([-m, 0.0, m, m, -m, 1.5], dtype), np.array([1, 0, 1, 0, 0.25, 0.75],
                                                                   dtype)
    if name == "logistic_loss":
        return np.array([-m, 0.0, m, m, -m, 1.5], dtype), np.array([1, -1, 1, -1, -1, 1])
    if name == "binary_cross_entropy_with_logits":
        return np.array([-m, 0.0, m, m, -m, 1.5], dtype), np.array([1, 0, 1, 0, 0.25, 0.75])
    return np.array(extreme_rows(m), dtype), np.array([2, 0, 1, 1])


# ---------------------------------------------------------------- helpers


def evaluate(fn, x, g):
    """fn(x) and the vector-Jacobian product gᵀ ∂fn/∂x, by backward() and by
    autograd.grad(create_graph=True)."""
    t = tg.Tensor(x, requires_grad=True)
    out = fn(t)
    (graph_grad,) = tg.autograd.grad(out, t, g, create_graph=True)
    out.backward(g)
    return out.numpy(), t.grad.numpy(), graph_grad.numpy()


def rounded(reference, dtype):
    """The float64 reference rounded to `dtype`: inf where it exceeds the dtype's range."""
    with np.errstate(over="ignore"):
        return np.asarray(reference, np.float64).astype(dtype)


def assert_close(actual, reference, dtype):
    """`actual` has `dtype`, holds no NaN, and is within 16 eps of the rounded reference
    (inf exactly where the reference overflows the dtype)."""
    assert actual.dtype == dtype
    assert not np.isnan(actual).any(), actual
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(actual, rounded(reference, dtype), rtol=16 * eps, atol=16 * eps)


def watch(reference, dtype):
    """detect_anomaly() when the true result fits the dtype: no step may then make a NaN or
    inf. A result that overflows (mse of 1e30 in float32) is checked as a value, and numpy's
    overflow warning is then expected."""
    if np.isfinite(rounded(reference, dtype)).all():
        return tg.autograd.detect_anomaly()
    return np.errstate(over="ignore")


def check(fn, x, g, value_ref, grad_ref, dtype):
    """fn and its gradient (both ways) against the references, under `watch`."""
    with watch(value_ref, dtype):
        value, grad, graph_grad = evaluate(fn, x, g)
    assert_close(value, value_ref, dtype)
    assert_close(grad, grad_ref, dtype)
    assert_close(graph_grad, grad_ref, dtype)


def weights(shape, dtype):
    """An upstream gradient g with distinct entries of both signs, in [−1, 1]."""
    n = int(np.prod(shape))
    return np.linspace(-1, 1, n + 2)[1:-1].astype(dtype).reshape(shape)


# ---------------------------------------------------------------- explicit cases


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("m", MAGNITUDES)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_at_extremes(name, m, dtype):
    """f(x) and f'(x) at ±m, ±1/m and ordinary x (g = 1 makes the VJP f' itself)."""
    fn, value, derivative, domain = ELEMENTWISE[name]
    x = np.array(extreme_inputs(domain, m), dtype)
    x64 = x.astype(np.float64)
    check(fn, x, np.ones_like(x), value(x64), derivative(x64), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("m", MAGNITUDES)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_softmax_family_at_extremes(name, m, dtype):
    """Rows such as [−m, 0, m] and [m, m, −m]; VJPs: softmax s ⊙ (g − gᵀs),
    log_softmax g − s Σg, logsumexp g s."""
    fn, value, vjp = REDUCTIONS[name]
    x = np.array(extreme_rows(m), dtype)
    x64 = x.astype(np.float64)
    g = weights(value(x64, -1).shape, dtype)
    check(lambda t: fn(t, -1), x, g, value(x64, -1), vjp(x64, g.astype(np.float64), -1), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("m", MAGNITUDES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", LOSSES)
def test_losses_at_extremes(name, reduction, m, dtype):
    """Each loss and its gradient; "mean" scales both by 1/N, "none" weighs point i by gᵢ."""
    fn, value, derivative = LOSSES[name]
    x, labels = loss_case(name, m, dtype)
    x64 = x.astype(np.float64)
    losses, point_grads = value(x64, labels), derivative(x64, labels)
    n = len(losses)
    if reduction == "none":
        g, value_ref = weights((n,), dtype), losses
        w = g.astype(np.float64)
    else:
        g, value_ref = None, losses.mean() if reduction == "mean" else losses.sum()
        w = np.full(n, 1 / n if reduction == "mean" else 1.0)
    grad_ref = point_grads * w.reshape((n,) + (1,) * (x.ndim - 1))
    check(lambda t: fn(t, labels, reduction), x, g, value_ref, grad_ref, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_mse_overflowing_float32_still_has_a_finite_gradient(dtype):
    """(1e30 − (−1e30))² = 4e60 is inf in float32 (finite in float64); its gradient
    2(p − t) = 4e30 is finite in both."""
    with np.errstate(over="ignore"):  # the expected overflow of float32
        value, grad, graph_grad = evaluate(
            lambda p: F.mse_loss(p, np.array([-1e30], dtype)), np.array([1e30], dtype), None)
    assert_close(value, 4e60, dtype)
    assert_close(grad, [4e30], dtype)
    assert_close(graph_grad, [4e30], dtype)


# ---------------------------------------------------------------- hand-computed cases


def softplus_by_hand(x):
    """ln(1 + eˣ) = x + ln(1 + e^(−x)) for x > 0, else ln(1 + eˣ): Python's math."""
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("x", [-1e30, -1e3, -40.0, 40.0, 1e3, 1e30])
def test_softplus_and_sigmoid_match_hand_values(x, dtype):
    """softplus(1e30) = 1e30 with slope 1; θ(x) = 1 / (1 + e^(−|x|)) for x > 0, else
    e^x / (1 + e^x), by Decimal at 50 digits; θ'(±1e30) = 0."""
    with localcontext() as ctx:
        ctx.prec = 50
        e = Decimal(-abs(x)).exp()  # underflows to 0 at −1e30, never overflows
        exact_sigmoid = float(1 / (1 + e) if x > 0 else e / (1 + e))
    sp, sp_grad, _ = evaluate(F.softplus, np.array([x], dtype), None)
    sig, sig_grad, _ = evaluate(F.sigmoid, np.array([x], dtype), None)
    assert_close(sp, [softplus_by_hand(x)], dtype)
    assert_close(sp_grad, [exact_sigmoid], dtype)
    assert_close(sig, [exact_sigmoid], dtype)
    if abs(x) == 1e30:
        assert sp_grad[0] == (x > 0) and sig_grad[0] == 0.0


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_family_exact_at_1e30(dtype):
    """logsumexp([1e30, 1e30]) = 1e30 + ln 2 = 1e30 with gradient softmax = [½, ½];
    cross_entropy([[1e30, −1e30, 0]], 1) = 2e30 with gradient softmax − onehot = [1, −1, 0]."""
    value, grad, _ = evaluate(lambda t: t.logsumexp(0), np.array([1e30, 1e30], dtype), None)
    assert value == dtype.type(1e30)
    np.testing.assert_array_equal(grad, [0.5, 0.5])
    logits = np.array([[1e30, -1e30, 0.0]], dtype)
    value, grad, _ = evaluate(lambda t: F.cross_entropy(t, [1]), logits, None)
    assert value == 2 * dtype.type(1e30)
    np.testing.assert_array_equal(grad, [[1.0, -1.0, 0.0]])


# ---------------------------------------------------------------- infinite true values


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # IEEE, as numpy
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("m", MAGNITUDES)
def test_exp_overflows_to_inf_never_nan(m, dtype):
    """e^m is inf in both dtypes, and so is d/dx eˣ = eˣ; e^(−m) = 0 stays exact."""
    value, grad, graph_grad = evaluate(tg.exp, np.array([-m, 0.0, m], dtype), np.ones(3, dtype))
    for result in (value, grad, graph_grad):
        np.testing.assert_array_equal(result, [0.0, 1.0, np.inf])
    total, total_grad, _ = evaluate(lambda t: t.exp().mean(), np.array([-m, m], dtype), None)
    assert total == np.inf
    np.testing.assert_array_equal(total_grad, [0.0, np.inf])


# ---------------------------------------------------------------- random shapes (hypothesis)


def arrays(ordinary, extremes, min_dims=0):
    """float64 arrays of random shape whose entries are ordinary values or extremes."""
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4)
    return hnp.arrays(np.float64, shapes, elements=ordinary | st.sampled_from(extremes))


DOMAINS = {
    "real": arrays(st.floats(-30, 30), EXTREMES),
    "finite exp": arrays(st.floats(-30, 30), (-1e30, -1e3)),
    "positive": arrays(st.floats(1e-3, 30), (1e-30, 1e-3, 1e3, 1e30)),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(data=st.data(), dtype=st.sampled_from(FLOATS))
def test_elementwise_with_injected_extremes(name, data, dtype):
    """Random shapes, about half the entries at ±1e3 or ±1e30 (1e±3, 1e±30 for ln and √)."""
    fn, value, derivative, domain = ELEMENTWISE[name]
    x = data.draw(DOMAINS[domain]).astype(dtype)
    x64 = x.astype(np.float64)
    check(fn, x, np.ones_like(x), value(x64), derivative(x64), dtype)


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data(), dtype=st.sampled_from(FLOATS))
def test_softmax_family_with_injected_extremes(name, data, dtype):
    """Random shapes and axis, about half the entries at ±1e3 or ±1e30."""
    fn, value, vjp = REDUCTIONS[name]
    x = data.draw(arrays(st.floats(-30, 30), EXTREMES, min_dims=1)).astype(dtype)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    x64 = x.astype(np.float64)
    g = weights(value(x64, axis).shape, dtype)
    check(lambda t: fn(t, axis), x, g, value(x64, axis), vjp(x64, g.astype(np.float64), axis),
          dtype)


@given(data=st.data(), dtype=st.sampled_from(FLOATS), reduction=st.sampled_from(["mean", "sum"]))
def test_losses_with_injected_extremes(data, dtype, reduction):
    """Random (N,) scores or (N, C) logits with random labels, for every loss."""
    name = data.draw(st.sampled_from(sorted(LOSSES)))
    fn, value, derivative = LOSSES[name]
    n = data.draw(st.integers(1, 6))
    classes = name in ("cross_entropy", "nll_loss")
    shape = (n, data.draw(st.integers(1, 4))) if classes else (n,)
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-30, 30)
                             | st.sampled_from(EXTREMES))).astype(dtype)
    if name == "binary_cross_entropy":  # probabilities
        x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)
                                 | st.sampled_from([0.0, 1.0, 1e-30]))).astype(dtype)
    labels = data.draw(hnp.arrays(np.float64, (n,), elements={
        "mse_loss": st.floats(-30, 30) | st.sampled_from(EXTREMES),
        "logistic_loss": st.sampled_from([-1.0, 1.0]),
        "binary_cross_entropy_with_logits": st.sampled_from([0.0, 0.25, 1.0]),
        "cross_entropy": st.integers(0, shape[-1] - 1),
        "nll_loss": st.integers(0, shape[-1] - 1),
        "l1_loss": st.floats(-30, 30) | st.sampled_from(EXTREMES),
        "smooth_l1_loss": st.floats(-30, 30) | st.sampled_from(EXTREMES),
        "huber_loss": st.floats(-30, 30) | st.sampled_from(EXTREMES),
        "kl_div": st.sampled_from([0.0, 0.25, 1.0]),
        "binary_cross_entropy": st.sampled_from([0.0, 0.25, 1.0]),
    }[name]))
    if classes:
        labels = labels.astype(np.int64)
    elif name != "logistic_loss" and name != "binary_cross_entropy_with_logits":
        labels = labels.astype(dtype)  # the loss takes its targets in the input's dtype
    x64 = x.astype(np.float64)
    losses, point_grads = value(x64, labels), derivative(x64, labels)
    scale = 1 / n if reduction == "mean" else 1.0
    check(lambda t: fn(t, labels, reduction), x, None, losses.sum() * scale,
          point_grads * scale, dtype)


# ---------------------------------------------------------------- detect_anomaly


def anomaly_message(run):
    """The RuntimeError detect_anomaly raises inside `run()` (numpy's own warnings about
    the NaN or inf are expected, so silenced)."""
    with (np.errstate(all="ignore"), tg.autograd.detect_anomaly(),
          pytest.raises(RuntimeError) as info):
        run()
    return str(info.value)


@pytest.mark.parametrize("dtype", FLOATS)
def test_anomaly_in_forward_names_the_first_op(dtype):
    """ln(x·0) = −inf is made by Log; the Mul after it (−inf·0 = NaN) never runs."""
    x = tg.tensor([1e30, 1.0], dtype=dtype, requires_grad=True)
    message = anomaly_message(lambda: (x * 0).log() * 0)
    assert "forward of Log produced inf" in message
    assert "Mul" not in message


def test_anomaly_in_forward_names_the_op_that_overflows():
    """1e30·1e30 overflows float32 in Mul; the Sub after it (inf − inf = NaN) never runs."""
    x = tg.tensor([1e30], dtype=tg.float32, requires_grad=True)
    message = anomaly_message(lambda: x * x - x * x)
    assert "forward of Mul produced inf" in message
    assert "Sub" not in message


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("dtype", FLOATS)
def test_anomaly_in_backward_names_the_first_node(dtype, create_graph):
    """d√u/du = 1/(2√u) is inf at u = x·0 = 0, made by SqrtBackward; MulBackward after it
    would make inf·0 = NaN. With create_graph the rule records Tensor ops (Add, Div): the
    message must still name the node, not an op inside its rule."""
    x = tg.tensor([1e30, 1.0], dtype=dtype, requires_grad=True)
    y = (x * 0).sqrt().sum()
    message = anomaly_message(lambda: tg.autograd.grad(y, x, create_graph=create_graph))
    assert "SqrtBackward returned inf" in message
    assert "MulBackward" not in message and "Div" not in message


@pytest.mark.parametrize("create_graph", [False, True])
def test_anomaly_ignores_what_a_rule_masks(create_graph):
    """d(x⁰)/dx = 0 at x = 0, though the rule's unused branch 0·x^(−1) is NaN there."""
    x = tg.tensor([0.0, 1e30], dtype=tg.float64, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"), tg.autograd.detect_anomaly():
        (grad,) = tg.autograd.grad((x**0.0).sum(), x, create_graph=create_graph)
    np.testing.assert_array_equal(grad.numpy(), [0.0, 0.0])


# ---------------------------------------------------------------- primitives at their edges:
# std without spread, var without degrees of freedom, float16 reductions, NaN through max,
# relu, maximum and minimum, and pow at base 0. Closed forms first; PyTorch, when installed,
# must agree wherever it is consistent with itself.


def grads(fn, *values, dtype=tg.float64):
    """fn(*xs) and ∂Σfn/∂x for each x, by backward() and by grad(create_graph=True)."""
    xs = [tg.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    graph = tg.autograd.grad(fn(*xs).sum(), xs, create_graph=True)
    out = fn(*xs)
    out.sum().backward()
    for x, g in zip(xs, graph):
        np.testing.assert_array_equal(g.numpy(), x.grad.numpy())
    return out.numpy(), [x.grad.numpy() for x in xs]


def second(fn, value, dtype=tg.float64):
    """The Hessian of Σfn at `value` (a 1-D list), row by row through create_graph."""
    x = tg.tensor(value, dtype=dtype, requires_grad=True)
    (g,) = tg.autograd.grad(fn(x).sum(), x, create_graph=True)
    return np.stack([tg.autograd.grad(g[i], x, retain_graph=True)[0].numpy()
                     for i in range(len(value))])


def test_std_without_spread_has_zero_gradient_and_hessian():
    # σ has a kink where every x is equal (σ(c + t·v) = |t|·σ(v)): 0 there, as PyTorch
    value, (g,) = grads(lambda x: x.std(), [2.0, 2.0])
    assert value == 0 and np.array_equal(g, [0, 0])
    value, (g,) = grads(lambda x: x.std(dim=1), [[2.0, 2.0], [1.0, 3.0]])
    np.testing.assert_allclose(g, [[0, 0], [-(0.5**0.5), 0.5**0.5]], rtol=1e-15)
    assert np.array_equal(second(lambda x: x.std(), [5.0, 5.0, 5.0]), np.zeros((3, 3)))


@pytest.mark.parametrize("correction", [0, 1])
def test_std_second_derivative_matches_closed_form(correction):
    # σ = √(S/d), S = Σ(x − x̄)², d = n − c:  ∂²σ/∂x² = (I − 11ᵀ/n)/(dσ) − uuᵀ/(d²σ³), u = x − x̄
    x = np.array([1.0, 2.0, 4.0, 7.0])
    n, d = len(x), len(x) - correction
    u = x - x.mean()
    s = np.sqrt(u @ u / d)
    hessian = (np.eye(n) - 1 / n) / (d * s) - np.outer(u, u) / (d**2 * s**3)
    np.testing.assert_allclose(second(lambda t: t.std(correction=correction), list(x)),
                               hessian, rtol=1e-12, atol=1e-15)
    t = tg.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], dtype=tg.float64, requires_grad=True)
    assert tg.autograd.gradgradcheck(lambda a: a.std(dim=1, correction=correction), (t,))
    assert tg.autograd.gradgradcheck(lambda a: a.var(dim=0, correction=correction), (t,))


def test_var_without_degrees_of_freedom_is_infinite_with_a_signed_infinite_gradient():
    # n − c ≤ 0 divides by 0, as numpy and PyTorch: S/0, so ∂/∂x = 2(x − x̄)/0 = ±∞, and
    # 0/0 = NaN where x = x̄ (PyTorch's dim=None path gives +∞ everywhere, its own dim path ±∞)
    with np.errstate(divide="ignore", invalid="ignore"):
        value, (g,) = grads(lambda x: x.var(correction=2), [2.0, 3.0])
        assert value == np.inf and np.array_equal(g, [-np.inf, np.inf])
        value, (g,) = grads(lambda x: x.var(dim=1, correction=3), [[2.0, 3.0, 4.0]])
        assert value[0] == np.inf and np.array_equal(g[0, [0, 2]], [-np.inf, np.inf])
        assert np.isnan(g[0, 1])
        value, (g,) = grads(lambda x: x.var(), [2.0])  # n = c = 1: 0/0
        assert np.isnan(value) and np.isnan(g).all()
        value, (g,) = grads(lambda x: x.std(correction=3), [2.0, 3.0])  # √∞, and ∞·0 below
        assert value == np.inf and np.isnan(g).all()


def test_sqrt_at_zero_keeps_its_infinite_slope():
    value, (g,) = grads(lambda x: x.sqrt(), [0.0, 4.0])
    assert np.array_equal(value, [0, 2]) and np.array_equal(g, [np.inf, 0.25])


def test_var_and_std_degrees_of_freedom_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [([[2.0, 2.0], [1.0, 3.0]], 1, 1), ([[2.0, 3.0]], 1, 2), ([2.0, 2.0, 2.0], 0, 1),
             ([1.0, 2.0, 4.0], 0, 0.5)]
    for value, dim, correction in cases:
        for name in ("var", "std"):
            with np.errstate(divide="ignore", invalid="ignore"):
                ours, (g,) = grads(methodcaller(name, dim=dim, correction=correction), value)
            t = torch.tensor(value, dtype=torch.float64, requires_grad=True)
            getattr(t, name)(dim=dim, correction=correction).sum().backward()
            np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-14)


# float16 reductions accumulate in float32 and round once, as PyTorch (numpy's var of
# float16 overflows, and its sum along a strided axis adds in float16: 2048 + 1 is 2048)
HALF_CASES = [np.full(10, 1e4), np.array([300.0, 0.0, 200.0]),
              np.array([1e4, 1e4 + 8, 1e4 - 8, 1e4] * 3), np.r_[2048.0, np.ones(100)]]


@pytest.mark.parametrize("case", range(len(HALF_CASES)))
@pytest.mark.parametrize("name", ["sum", "mean", "var", "std"])
@pytest.mark.parametrize("strided", [False, True])
def test_float16_reductions_accumulate_in_float32(name, case, strided):
    x = HALF_CASES[case].astype(np.float16)
    exact = np.float64(x)
    reference = {"sum": np.sum, "mean": np.mean, "var": lambda a: np.var(a, ddof=1),
                 "std": lambda a: np.std(a, ddof=1)}[name](exact)
    if strided:  # the reduced axis is not the contiguous one
        t = getattr(tg.tensor(np.stack([x, x], axis=1)), name)(dim=0)
        reference = np.array([reference, reference])
    else:
        t = getattr(tg.tensor(x), name)()
    assert t.dtype == tg.float16
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(t.numpy(), np.float16(reference), rtol=2e-3)


def test_float16_reductions_match_pytorch():
    torch = pytest.importorskip("torch")
    for x in HALF_CASES:
        x = np.stack([x, x], axis=1).astype(np.float16)
        for name in ("sum", "mean", "var", "std", "logsumexp", "softmax", "log_softmax"):
            ours = getattr(tg.tensor(x), name)(0).numpy()
            theirs = getattr(torch.tensor(x), name)(0).numpy()
            np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=1e-3, err_msg=name)


def test_float16_softmax_family_over_a_strided_axis():
    x = np.r_[10.0, 11.0, 12.0, np.full(3000, 11.0)].astype(np.float16)
    e = np.exp(np.float64(x) - 12)
    t = tg.tensor(np.stack([x, x], axis=1))
    np.testing.assert_allclose(t.logsumexp(0).numpy(), 12 + np.log(e.sum()), rtol=2e-3)
    np.testing.assert_allclose(t.softmax(0).numpy()[:3, 0], e[:3] / e.sum(), rtol=2e-3)
    np.testing.assert_allclose(t.log_softmax(0).numpy()[:3, 0], np.log(e[:3] / e.sum()),
                               rtol=2e-3)


# NaN is the maximum (and minimum) of anything, so the gradient goes to it, as PyTorch
@pytest.mark.parametrize("name", ["max", "amax", "min", "amin"])
def test_reduction_gives_a_nan_its_gradient(name):
    nan = np.nan
    _, (g,) = grads(lambda x: getattr(x, name)(), [1.0, nan, 3.0])
    assert np.array_equal(g, [0, 1, 0])
    _, (g,) = grads(lambda x: getattr(x, name)(), [nan, 1.0, nan])
    assert np.array_equal(g, [0.5, 0, 0.5])
    if name.startswith("a"):  # amax / amin: a tie shares the gradient
        g = grads(lambda x: getattr(x, name)(dim=1), [[1.0, nan, 3.0], [2.0, 2.0, 1.0]])[1][0]
        second_row = [0, 0, 1] if name.endswith("min") else [0.5, 0.5, 0]
    else:  # max / min with a dim: (values, indices), the gradient goes to the first index
        g = grads(lambda x: getattr(x, name)(dim=1).values,
                  [[1.0, nan, 3.0], [2.0, 2.0, 1.0]])[1][0]
        second_row = [0, 0, 1] if name.endswith("min") else [1, 0, 0]
    np.testing.assert_array_equal(g, [[0, 1, 0], second_row])


def test_max_with_a_nan_matches_pytorch():
    torch = pytest.importorskip("torch")
    for value in ([1.0, np.nan, 3.0], [np.nan, 1.0, np.nan]):
        for name in ("max", "min"):  # PyTorch's amax gives NaN to all: its mask finds nothing
            _, (g,) = grads(methodcaller(name), value)
            t = torch.tensor(value, requires_grad=True)
            getattr(t, name)().backward()
            np.testing.assert_array_equal(g, t.grad.numpy())


def test_relu_passes_the_gradient_of_a_nan():
    _, (g,) = grads(lambda x: x.relu(), [np.nan, 0.0, -1.0, 2.0])
    assert np.array_equal(g, [1, 0, 0, 1])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_at_nan_and_ties(name):
    # ∂z/∂x = 1 − [x loses] − ½[x = y]: a NaN on either side gives both sides 1, as PyTorch
    nan = np.nan
    fn = getattr(tg, name)
    _, (gx, gy) = grads(fn, [nan, 1.0, 2.0, nan, 0.0, 1.0], [1.0, nan, 2.0, nan, 0.0, 2.0])
    smaller, larger = [1, 1, 0.5, 1, 0.5, 0], [1, 1, 0.5, 1, 0.5, 1]  # for x = 1, y = 2
    assert np.array_equal(gx, smaller if name == "maximum" else larger)
    assert np.array_equal(gy, larger if name == "maximum" else smaller)
    _, (g,) = grads(lambda x: fn(x, x), [1.0, nan])  # a tie with itself: ½ + ½; NaN: 1 + 1
    assert np.array_equal(g, [1, 2])


def test_clamp_gives_a_nan_no_gradient_and_its_bounds_one():
    _, (g,) = grads(lambda x: x.clamp(-1.0, 1.0), [np.nan, -1.0, 1.0, 0.0, 2.0, -2.0])
    assert np.array_equal(g, [0, 1, 1, 1, 0, 0])


def test_elementwise_nan_and_ties_match_pytorch():
    torch = pytest.importorskip("torch")
    x, y = [np.nan, 1.0, 2.0, np.nan, 0.0, -1.0], [1.0, np.nan, 2.0, np.nan, 0.0, 3.0]
    for ours, theirs in [(tg.maximum, torch.maximum), (tg.minimum, torch.minimum)]:
        _, g = grads(ours, x, y)
        a, b = (torch.tensor(v, requires_grad=True) for v in (x, y))
        theirs(a, b).sum().backward()
        np.testing.assert_array_equal(g, [a.grad.numpy(), b.grad.numpy()])
    for ours, theirs in [(lambda t: t.relu(), torch.relu),
                         (lambda t: t.clamp(-1.0, 1.0), lambda t: t.clamp(-1.0, 1.0))]:
        _, (g,) = grads(ours, x)
        a = torch.tensor(x, requires_grad=True)
        theirs(a).sum().backward()
        np.testing.assert_array_equal(g, a.grad.numpy())


# z = x^y at x = 0: ∂z/∂x = y·x^(y−1) and ∂z/∂y = z·ln x read 0·∞ in places; the limits
# from x > 0 there: ∂z/∂x = 0 for y = 0 (z ≡ 1), ∂z/∂y = 0 for y ≥ 0, −∞ for y < 0
EXPONENTS = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]
INF = np.inf
AT_ZERO = {  # y: (z, ∂z/∂x, ∂z/∂y, ∂²z/∂x²)
    -2.0: (INF, -INF, -INF, INF), -1.0: (INF, -INF, -INF, INF), -0.5: (INF, -INF, -INF, INF),
    0.0: (1, 0, 0, 0), 0.5: (0, INF, 0, -INF), 1.0: (0, 1, 0, 0), 2.0: (0, 0, 0, 2),
    3.0: (0, 0, 0, 0)}


@pytest.mark.parametrize("y", EXPONENTS)
def test_pow_at_base_zero(y):
    with np.errstate(divide="ignore", invalid="ignore"):
        z, (gx, gy) = grads(lambda a, b: a**b, 0.0, y)
        assert [z, gx, gy] == list(AT_ZERO[y][:3])
        # the exponent a constant (x**0 is 1 for every x, so its slopes are all 0)
        assert second(lambda a: a**y, [0.0])[0, 0] == AT_ZERO[y][3]
        x = tg.tensor(0.0, dtype=tg.float64, requires_grad=True)
        (g,) = tg.autograd.grad(x ** tg.tensor(y, dtype=tg.float64), x, create_graph=True)
        assert tg.autograd.grad(g, x)[0].item() == AT_ZERO[y][3]


@pytest.mark.parametrize("y", [-2.0, -1.0, 2.0, 3.0])
def test_pow_of_a_negative_base_with_an_integer_exponent(y):
    # x^y is real for integer y; ln x is not, so ∂z/∂y is NaN (as PyTorch)
    with np.errstate(invalid="ignore"):
        z, (gx, gy) = grads(lambda a, b: a**b, -2.0, y)
        assert z == (-2.0) ** y and gx == y * (-2.0) ** (y - 1) and np.isnan(gy)
        assert second(lambda a: a**y, [-2.0])[0, 0] == y * (y - 1) * (-2.0) ** (y - 2)


def test_pow_at_base_zero_matches_pytorch():
    torch = pytest.importorskip("torch")
    for y in EXPONENTS:
        with np.errstate(divide="ignore", invalid="ignore"):
            _, ours = grads(lambda a, b: a**b, 0.0, y)
        a, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.0, y))
        (a**b).backward()
        np.testing.assert_array_equal(ours, [a.grad.numpy(), b.grad.numpy()])
        a = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(a**y, a, create_graph=True)
        theirs = torch.autograd.grad(g, a)[0].item() if g.requires_grad else 0.0
        assert theirs == AT_ZERO[y][3]
