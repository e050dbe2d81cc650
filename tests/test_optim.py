"""optim: update rules against hand-written numpy (and PyTorch, optional) over several steps
and dtypes, checked steps that change nothing when a gradient is bad, version counters,
retained graphs after a step, hostile constructor arguments, state round trips, and the
learning-rate schedules."""

import copy
import itertools
import math
import numbers

import numpy as np
import pytest
from helpers import SOME, tol
from hostile import HUGE_INTS, Refused, hostile_input, run_or_refused
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.optim import lr_scheduler

A = [np.array([0.5, 1.5, -1.0]), np.array([[2.0, -0.5], [1.0, 0.25]])]
B = [np.array([0.3, -0.7, 0.1]), np.array([[-1.0, 0.5], [0.2, 0.0]])]
START = [np.array([1.0, -2.0, 0.5]), np.array([[0.3, -0.6], [1.2, 2.0]])]


def make_params(dtype=tg.float64):
    return [nn.Parameter(x, dtype=dtype) for x in START]


def quadratic_gradients(params):
    """Backpropagate E = Σ a·θ² + b·θ over the parameters; ∇E = 2aθ + b."""
    loss = sum(((a * p * p) + b * p).sum() for a, b, p in zip(A, B, params, strict=True))
    loss.backward()


def numpy_gradient(k, theta):
    return 2 * A[k] * theta + B[k]


def run(opt, params, steps):
    history = []
    for _ in range(steps):
        opt.zero_grad()
        quadratic_gradients(params)
        opt.step()
        history.append([p.numpy().copy() for p in params])
    return history


def snapshot(opt, params):
    return [p.numpy().copy() for p in params], copy.deepcopy(opt.state_dict())


def assert_same(a, b):
    (params_a, state_a), (params_b, state_b) = a, b
    for x, y in zip(params_a, params_b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert state_a["param_groups"] == state_b["param_groups"]
    assert state_a["state"].keys() == state_b["state"].keys()
    for i, entry in state_a["state"].items():
        assert entry.keys() == state_b["state"][i].keys()
        for key, value in entry.items():
            np.testing.assert_array_equal(value, state_b["state"][i][key])


# ---------------------------------------------------------------- SGD


def test_sgd_momentum_first_steps_by_hand():
    # E = θ²/2, so g = θ; lr 0.1, momentum 0.9, starting from θ = 1
    # step 1: b = g = 1,                    θ = 1 − 0.1·1 = 0.9
    # step 2: b = 0.9·1 + 0.9 = 1.8,        θ = 0.9 − 0.18 = 0.72
    # step 3: b = 0.9·1.8 + 0.72 = 2.34,    θ = 0.72 − 0.234 = 0.486
    theta = nn.Parameter(np.array([1.0]))
    opt = optim.SGD([theta], lr=0.1, momentum=0.9)
    seen = []
    for _ in range(3):
        opt.zero_grad()
        (theta * theta / 2).sum().backward()
        opt.step()
        seen.append(theta.item())
    np.testing.assert_allclose(seen, [0.9, 0.72, 0.486], rtol=1e-14)
    np.testing.assert_allclose(opt.state[theta]["momentum_buffer"], [2.34], rtol=1e-14)


SGD_OPTIONS = [
    (mu, tau, nesterov, wd)
    for mu, tau, nesterov, wd in itertools.product((0.0, 0.9), (0.0, 0.3), (False, True),
                                                   (0.0, 0.1))
    if not nesterov or (mu > 0 and tau == 0)
]


@pytest.mark.parametrize("mu, tau, nesterov, wd", SGD_OPTIONS)
def test_sgd_first_three_steps_follow_the_update_equations(mu, tau, nesterov, wd):
    lr = 0.05
    params = make_params()
    history = run(optim.SGD(params, lr=lr, momentum=mu, dampening=tau, nesterov=nesterov,
                            weight_decay=wd), params, 3)
    for k, theta in enumerate(START):
        buf = None
        for step in range(3):
            g = numpy_gradient(k, theta)
            g = g + wd * theta                                   # g ← g + λθ
            if mu != 0:
                buf = g.copy() if buf is None else mu * buf + (1 - tau) * g  # b ← μb + (1−τ)g
                g = g + mu * buf if nesterov else buf            # nesterov: g ← g + μb
            theta = theta - lr * g                               # θ ← θ − γg
            np.testing.assert_allclose(history[step][k], theta, rtol=1e-13, atol=1e-15)


def test_sgd_with_float32_parameters_stays_float32():
    params = make_params(tg.float32)
    run(optim.SGD(params, lr=0.1, momentum=0.5, weight_decay=0.1), params, 2)
    assert all(p.dtype == np.float32 for p in params)


def test_sgd_param_groups_use_their_own_lr_and_defaults():
    params = make_params()
    opt = optim.SGD([{"params": [params[0]], "lr": 0.5}, {"params": [params[1]]}], lr=0.1,
                    momentum=0.2)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.1]
    assert [g["momentum"] for g in opt.param_groups] == [0.2, 0.2]
    run(opt, params, 1)
    np.testing.assert_allclose(params[0].numpy(), START[0] - 0.5 * numpy_gradient(0, START[0]))
    np.testing.assert_allclose(params[1].numpy(), START[1] - 0.1 * numpy_gradient(1, START[1]))


def test_lr_is_writable_in_param_groups():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    opt.param_groups[0]["lr"] = 0.25
    run(opt, params, 1)
    np.testing.assert_allclose(params[0].numpy(), START[0] - 0.25 * numpy_gradient(0, START[0]))


def test_parameters_without_grad_are_skipped():
    used, unused = nn.Parameter(np.array([1.0])), nn.Parameter(np.array([5.0]))
    opt = optim.Adam([used, unused], lr=0.1)
    (used * 3).sum().backward()
    opt.step()
    assert unused.item() == 5.0 and unused not in opt.state
    assert used.item() == pytest.approx(0.9, rel=1e-7)


def test_step_calls_the_closure_and_returns_its_loss():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)

    def closure():
        opt.zero_grad()
        quadratic_gradients(params)
        return 42.0

    assert opt.step(closure) == 42.0
    np.testing.assert_allclose(params[0].numpy(), START[0] - 0.1 * numpy_gradient(0, START[0]))


def test_zero_grad_without_none_zeroes_the_gradient_in_place():
    """As PyTorch: the same tensor, zeroed, out of any graph; whoever holds it sees zeros."""
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward(create_graph=True)
    held = p.grad
    assert held.grad_fn is not None
    opt.zero_grad(set_to_none=False)
    assert p.grad is held and held.grad_fn is None and not held.requires_grad
    np.testing.assert_array_equal(held.numpy(), [0.0, 0.0])
    (p * 3).sum().backward()
    np.testing.assert_array_equal(held.numpy(), [3.0, 3.0])  # accumulated into it
    nn.Linear(2, 1).zero_grad(set_to_none=False)  # no gradients yet: nothing to zero


def test_optimizer_zero_grad():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    quadratic_gradients(params)
    opt.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) and p.grad.shape == p.shape for p in params)
    opt.zero_grad()
    assert all(p.grad is None for p in params)


# ---------------------------------------------------------------- Adam


def test_adam_first_step_moves_each_coordinate_by_lr():
    # m̂₁ = g and v̂₁ = g², so θ₁ = θ₀ − γ g / (|g| + ε) ≈ θ₀ − γ sign(g)
    params = make_params()
    run(optim.Adam(params, lr=0.01), params, 1)
    for k, theta in enumerate(START):
        g = numpy_gradient(k, theta)
        np.testing.assert_allclose(params[k].numpy(), theta - 0.01 * g / (np.abs(g) + 1e-8),
                                   rtol=1e-14)
        np.testing.assert_allclose(params[k].numpy(), theta - 0.01 * np.sign(g), rtol=1e-7)


@pytest.mark.parametrize("betas, eps, wd", [((0.9, 0.999), 1e-8, 0.0), ((0.5, 0.7), 0.1, 0.2)])
def test_adam_first_three_steps_follow_the_update_equations(betas, eps, wd):
    lr, (beta1, beta2) = 0.1, betas
    params = make_params()
    opt = optim.Adam(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    history = run(opt, params, 3)
    for k, theta in enumerate(START):
        m = v = np.zeros_like(theta)
        for t in range(1, 4):
            g = numpy_gradient(k, theta) + wd * theta          # g ← g + λθ
            m = beta1 * m + (1 - beta1) * g                    # m ← β₁m + (1 − β₁)g
            v = beta2 * v + (1 - beta2) * g**2                 # v ← β₂v + (1 − β₂)g²
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)  # θ ← θ − γ m̂/(√v̂ + ε)
            np.testing.assert_allclose(history[t - 1][k], theta, rtol=1e-12, atol=1e-15)
        state = opt.state[params[k]]
        assert state["step"] == 3
        np.testing.assert_allclose(state["exp_avg"], m, rtol=1e-12)
        np.testing.assert_allclose(state["exp_avg_sq"], v, rtol=1e-12)


# ---------------------------------------------------------------- NormalizedGD


@given(hnp.arrays(np.float64, 3, elements=st.floats(-5, 5)),
       hnp.arrays(np.float64, (2, 2), elements=st.floats(-5, 5)),
       st.floats(1e-3, 1.0))
def test_normalized_gd_moves_exactly_eta_against_the_joint_gradient(g1, g2, eta):
    params = make_params()
    params[0].grad, params[1].grad = tg.Tensor(g1), tg.Tensor(g2)
    optim.NormalizedGD(params, lr=eta).step()
    moved = np.concatenate([(p.numpy() - s).ravel() for p, s in zip(params, START, strict=True)])
    g = np.concatenate([g1.ravel(), g2.ravel()])
    if not g.any():
        np.testing.assert_array_equal(moved, 0.0)
    else:
        unit = g / np.abs(g).max()  # rescaled first, so that tiny gradients square exactly
        assert np.linalg.norm(moved) == pytest.approx(eta, rel=1e-12)
        np.testing.assert_allclose(moved, -eta * unit / np.sqrt(np.sum(unit * unit)),
                                   rtol=1e-9, atol=1e-15)


def test_normalized_gd_by_hand_and_without_gradient():
    # g = (3, 4) over two parameters, ‖g‖ = 5: the step is −η (0.6, 0.8)
    a, b, idle = (nn.Parameter(np.array([0.0])) for _ in range(3))
    a.grad, b.grad = tg.Tensor(np.array([3.0])), tg.Tensor(np.array([4.0]))
    optim.NormalizedGD([a, b, idle], lr=0.5).step()
    assert (a.item(), b.item(), idle.item()) == pytest.approx((-0.3, -0.4, 0.0), rel=1e-15)


@pytest.mark.parametrize("dtype, size", [(np.float32, 3e30), (np.float32, 3e-40),
                                         (np.float64, 3e200), (np.float64, 3e-320)])
def test_normalized_gd_norm_neither_overflows_nor_underflows(dtype, size):
    p = nn.Parameter(np.zeros(2, dtype))
    g = np.array([size, 4 / 3 * size], dtype)  # (3, 4)·size/3, up to subnormal rounding
    p.grad = tg.Tensor(g)
    optim.NormalizedGD([p], lr=1.0).step()
    unit = g.astype(np.float64) / g.max()
    np.testing.assert_allclose(p.numpy(), -unit / np.hypot(*unit), rtol=1e-6)
    assert np.hypot(*p.numpy().astype(np.float64)) == pytest.approx(1.0, rel=1e-6)


# ---------------------------------------------------------------- checked steps


# Assigning a gradient of another shape or dtype is refused (as PyTorch): these change the
# array behind the gradient instead, which the step must still catch.
def bad_shape(p):
    p.grad.data = tg.tensor(np.zeros((5,), p.dtype))


def bad_dtype(p):
    p.grad.data = tg.tensor(p.grad.numpy().astype(np.float32))


def nan_grad(p):
    g = p.grad.numpy().copy()
    g.flat[-1] = np.nan
    p.grad = tg.Tensor(g)


def read_only(p):
    p.data = p.data.clone()
    p.numpy().flags.writeable = False


OPTIMIZERS = {
    "sgd": lambda ps, **kw: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, **kw),
    "adam": lambda ps, **kw: optim.Adam(ps, lr=0.1, **kw),
    "normalized": lambda ps, **kw: optim.NormalizedGD(ps, lr=0.1, **kw),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("corrupt, message", [
    (bad_shape, r"parameter 1 of group 0 \(shape \(2, 2\)\) has a gradient of shape \(5,\)"),
    (bad_dtype, "dtype float32; expected shape .* and dtype float64"),
    (nan_grad, "non-finite gradient"),
    (read_only, r"parameter 1 of group 0 \(shape \(2, 2\)\) is read-only"),
])
def test_bad_gradient_in_the_last_parameter_moves_nothing(name, corrupt, message):
    params = make_params()
    opt = OPTIMIZERS[name](params, check_finite=True)
    run(opt, params, 1)  # so that there is state to protect
    opt.zero_grad()
    quadratic_gradients(params)
    before = snapshot(opt, params)
    corrupt(params[-1])
    with pytest.raises(ValueError, match=message):
        opt.step()
    assert_same(snapshot(opt, params), before)


def test_non_finite_gradients_are_allowed_by_default():
    p = nn.Parameter(np.array([1.0, 2.0]))
    p.grad = tg.Tensor(np.array([np.inf, 1.0]))
    optim.SGD([p], lr=0.1).step()
    assert p.numpy()[0] == -np.inf and p.numpy()[1] == pytest.approx(1.9)


# ---------------------------------------------------------------- construction errors


@pytest.mark.parametrize("make, error, message", [
    (lambda ps: optim.SGD(ps, lr=-0.1), ValueError, "invalid lr -0.1"),
    (lambda ps: optim.SGD(ps, lr=float("nan")), ValueError, "invalid lr nan"),
    (lambda ps: optim.Adam(ps, lr=-1.0), ValueError, "invalid lr -1.0"),
    (lambda ps: optim.NormalizedGD(ps, lr=math.inf), ValueError, "invalid lr inf"),
    (lambda ps: optim.SGD(ps, lr="0.1"), TypeError, "lr must be a real number"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=-0.5), ValueError, "invalid momentum -0.5"),
    (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "Nesterov momentum requires"),
    (lambda ps: optim.Adam(ps, betas=(0.9, 1.0)), ValueError, "invalid beta2 1.0"),
    (lambda ps: optim.Adam(ps, betas=0.9), TypeError, "betas must be a pair"),
    (lambda ps: optim.Adam(ps, eps=-1e-8), ValueError, "invalid eps"),
    (lambda ps: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda ps: optim.Adam(ps[0]), TypeError, "params must be an iterable"),
    (lambda ps: optim.SGD([ps[0], np.zeros(2)], lr=0.1), TypeError,
     "parameter 1 is a ndarray, not a Tensor"),
    (lambda ps: optim.SGD([ps[0] * 2], lr=0.1), ValueError, "not a leaf tensor"),
    (lambda ps: optim.SGD([ps[0], ps[0]], lr=0.1), ValueError, "appears more than once"),
    (lambda ps: optim.AdamW(ps, weight_decay=-0.1), ValueError, "AdamW: invalid weight_decay"),
    (lambda ps: optim.AdamW(ps, betas=(1.5, 0.9)), ValueError, "AdamW: invalid beta1 1.5"),
    (lambda ps: optim.RMSprop(ps, alpha=-0.5), ValueError, "RMSprop: invalid alpha -0.5"),
    (lambda ps: optim.RMSprop(ps, momentum=math.inf), ValueError, "invalid momentum inf"),
    (lambda ps: optim.Adagrad(ps, lr_decay=-1.0), ValueError, "Adagrad: invalid lr_decay"),
    (lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1.0), ValueError,
     "invalid initial_accumulator_value"),
    (lambda ps: optim.Adagrad(ps, eps=-1.0), ValueError, "Adagrad: invalid eps"),
    (lambda ps: optim.Adam(ps, foreach="yes"), TypeError, "foreach must be None, True or False"),
    (lambda ps: optim.SGD(ps, momentum=0.5, differentiable=True), ValueError,
     "differentiable=True is not supported"),
])
def test_bad_construction_raises(make, error, message):
    with pytest.raises(error, match=message):
        make(make_params())


def test_zero_lr_is_allowed():
    params = make_params()
    run(optim.SGD(params, lr=0.0), params, 1)
    np.testing.assert_array_equal(params[0].numpy(), START[0])


# ---------------------------------------------------------------- state_dict


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_dict_round_trip_continues_identically(name):
    params = make_params()
    opt = OPTIMIZERS[name](params)
    run(opt, params, 2)
    saved = opt.state_dict()
    twins = [nn.Parameter(p.numpy()) for p in params]
    twin_opt = OPTIMIZERS[name](twins)
    twin_opt.load_state_dict(saved)
    for entry in saved["state"].values():  # the loaded state is a copy, not shared
        for value in entry.values():
            if isinstance(value, np.ndarray):
                value[...] = 1e6
    ours, theirs = run(opt, params, 3), run(twin_opt, twins, 3)
    for a, b in zip(ours, theirs, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_state_dict_layout_is_plain_data():
    params = make_params()
    opt = optim.Adam(params, lr=0.1)
    run(opt, params, 2)
    sd = opt.state_dict()
    assert sd["param_groups"] == [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8,
                                   "weight_decay": 0.0, "amsgrad": False, "maximize": False,
                                   "foreach": None, "capturable": False,
                                   "differentiable": False, "fused": None,
                                   "decoupled_weight_decay": False, "params": [0, 1]}]
    assert sorted(sd["state"]) == [0, 1]
    assert sd["state"][1]["step"] == 2 and sd["state"][1]["exp_avg"].shape == (2, 2)
    sd["state"][0]["exp_avg"][...] = 7.0
    assert not np.any(opt.state[params[0]]["exp_avg"] == 7.0)


def test_load_state_dict_restores_hyperparameters():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.02
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.02 and opt.param_groups[0]["params"][0] is params[0]


@pytest.mark.parametrize("edit, error, message", [
    (lambda sd: sd["param_groups"][0]["params"].pop(), ValueError, r"sizes \[1\], .* \[2\]"),
    (lambda sd: sd["state"][1].update(momentum_buffer=np.zeros(3)), ValueError,
     r"'momentum_buffer' of parameter 1 has shape \(3,\)"),
    (lambda sd: sd["state"].update({5: {}}), ValueError, "unknown parameter index 5"),
    (lambda sd: sd["param_groups"][0].update(lr=-1.0), ValueError, "invalid lr"),
    (lambda sd: sd.pop("state"), TypeError, "expected a dict with 'state'"),
])
def test_bad_optimizer_state_dict_changes_nothing(edit, error, message):
    params = make_params()
    opt = OPTIMIZERS["sgd"](params)
    run(opt, params, 1)
    before = snapshot(opt, params)
    sd = opt.state_dict()
    for entry in sd["state"].values():
        entry["momentum_buffer"] = entry["momentum_buffer"] + 1.0
    edit(sd)
    with pytest.raises(error, match=message):
        opt.load_state_dict(sd)
    assert_same(snapshot(opt, params), before)


# ---------------------------------------------------------------- schedulers


def lrs_over_epochs(sched, opt, epochs=10):
    seen = []
    for _ in range(epochs):
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        seen.append(sched.get_last_lr())
        opt.step()
        sched.step()
    return seen


def two_group_sgd():
    params = make_params()
    return optim.SGD([{"params": [params[0]], "lr": 0.1}, {"params": [params[1]], "lr": 0.4}],
                     lr=0.1)


@pytest.mark.parametrize("make, closed_form", [
    (lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
     lambda base, t: base * 0.5 ** (t // 3)),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), lambda base, t: base * 0.9**t),
    (lambda o: lr_scheduler.LambdaLR(o, lambda t: 1 / (t + 1)), lambda base, t: base / (t + 1)),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
     lambda base, t: 0.01 + (base - 0.01) * (1 + math.cos(math.pi * t / 6)) / 2),
])
def test_scheduler_lr_sequences_follow_closed_forms(make, closed_form):
    opt = two_group_sgd()
    sched = make(opt)
    assert sched.base_lrs == [0.1, 0.4] and sched.last_epoch == 0
    seen = lrs_over_epochs(sched, opt)
    expect = [[closed_form(0.1, t), closed_form(0.4, t)] for t in range(10)]
    np.testing.assert_allclose(seen, expect, rtol=1e-14)
    assert sched.last_epoch == 10


def test_step_lr_by_hand():
    opt = optim.SGD(make_params(), lr=1.0)
    seen = lrs_over_epochs(lr_scheduler.StepLR(opt, step_size=2), opt, 6)
    np.testing.assert_allclose([s[0] for s in seen], [1, 1, 0.1, 0.1, 0.01, 0.01], rtol=1e-15)


def test_cosine_reaches_eta_min_at_t_max():
    opt = optim.SGD(make_params(), lr=0.5)
    seen = lrs_over_epochs(lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.1), opt, 5)
    np.testing.assert_allclose([s[0] for s in seen], [0.5, 0.44142135623730950, 0.3,
                                                      0.15857864376269050, 0.1], rtol=1e-14)


def test_lambda_lr_with_one_function_per_group():
    opt = two_group_sgd()
    sched = lr_scheduler.LambdaLR(opt, [lambda t: 1.0, lambda t: 0.5**t])
    seen = lrs_over_epochs(sched, opt, 3)
    np.testing.assert_allclose(seen, [[0.1, 0.4], [0.1, 0.2], [0.1, 0.1]], rtol=1e-15)
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(opt, [lambda t: 1.0])


def test_scheduler_state_dict_round_trip():
    opt = optim.SGD(make_params(), lr=1.0)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    lrs_over_epochs(sched, opt, 3)
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    assert saved == {"gamma": 0.5, "base_lrs": [1.0], "last_epoch": 3, "_step_count": 4,
                     "_is_initial": False, "_last_lr": [0.125]}
    assert saved_opt["param_groups"][0]["initial_lr"] == 1.0
    twin = optim.SGD(make_params(), lr=1.0)
    twin_sched = lr_scheduler.ExponentialLR(twin, gamma=0.5)
    twin.load_state_dict(saved_opt)
    twin_sched.load_state_dict(saved)
    assert lrs_over_epochs(twin_sched, twin, 2) == [[0.125], [0.0625]]


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size must be a positive"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=-1.0), ValueError, "invalid gamma"),
    (lambda o: lr_scheduler.LambdaLR(o, 0.5), TypeError, "lr_lambda must be a function"),
    (lambda o: lr_scheduler.StepLR("sgd", step_size=1), TypeError, "expected an Optimizer"),
])
def test_bad_scheduler_arguments_raise(make, error, message):
    with pytest.raises(error, match=message):
        make(optim.SGD(make_params(), lr=0.1))


# ---------------------------------------------------------------- chained schedulers
# PyTorch's chainable form: each step scales the group's current lr, so schedulers on one
# optimizer multiply and an lr set by hand carries on (LambdaLR alone sets η₀ · λ(t)).

EPOCHS = 40
SCHEDULERS = {
    "step": (lambda m, o, **kw: m.StepLR(o, step_size=3, gamma=0.5, **kw),
             lambda t: 0.5 ** (t // 3)),
    "exponential": (lambda m, o, **kw: m.ExponentialLR(o, gamma=0.9, **kw),
                    lambda t: 0.9**t),
    "cosine": (lambda m, o, **kw: m.CosineAnnealingLR(o, T_max=6, **kw),
               lambda t: (1 + math.cos(math.pi * t / 6)) / 2),
    "lambda": (lambda m, o, **kw: m.LambdaLR(o, lambda t: 1 / (t + 1), **kw),
               lambda t: 1 / (t + 1)),
}


def run_schedule(make_opt, schedulers, names, epochs=EPOCHS, manual=None):
    """Each epoch's lr of group 0 (read before the step), and each scheduler's
    get_last_lr() at the end; `manual` = (epoch, lr) sets the lr by hand after that epoch."""
    opt = make_opt()
    scheds = [SCHEDULERS[n][0](schedulers, opt) for n in names]
    seen = []
    for t in range(epochs):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        if manual is not None and t == manual[0]:
            opt.param_groups[0]["lr"] = manual[1]
        for s in scheds:
            s.step()
    return seen, [s.get_last_lr() for s in scheds]


def tg_sgd():
    return optim.SGD([nn.Parameter(np.zeros(2))], lr=1.0)


def test_step_and_exponential_chain_multiplicatively():
    seen, _ = run_schedule(tg_sgd, lr_scheduler, ["step", "exponential"])
    np.testing.assert_allclose(seen[:4], [1.0, 0.9, 0.81, 0.3645], rtol=1e-15)
    np.testing.assert_allclose(seen, [0.9**t * 0.5 ** (t // 3) for t in range(EPOCHS)],
                               rtol=1e-12)


@pytest.mark.parametrize("name", ["step", "exponential", "cosine", "lambda"])
def test_scheduler_alone_follows_its_closed_form_for_40_epochs(name):
    seen, last = run_schedule(tg_sgd, lr_scheduler, [name])
    factor = SCHEDULERS[name][1]
    np.testing.assert_allclose(seen, [factor(t) for t in range(EPOCHS)], rtol=1e-10,
                               atol=1e-15)
    assert last == [[factor(EPOCHS)]] or np.isclose(last[0][0], factor(EPOCHS), atol=1e-15)


@pytest.mark.parametrize("name", ["step", "exponential", "cosine"])
def test_chainable_scheduler_carries_on_from_an_lr_set_by_hand(name):
    seen, _ = run_schedule(tg_sgd, lr_scheduler, [name], epochs=6, manual=(2, 10.0))
    factor = SCHEDULERS[name][1]
    expect = [factor(t) for t in range(3)] + [10.0 * factor(t) / factor(2) for t in (3, 4, 5)]
    np.testing.assert_allclose(seen, expect, rtol=1e-12)
    assert seen[3] != factor(3)  # the hand-set lr is not undone


def test_lambda_lr_overrides_an_lr_set_by_hand_as_in_pytorch():
    seen, _ = run_schedule(tg_sgd, lr_scheduler, ["lambda"], epochs=6, manual=(2, 10.0))
    np.testing.assert_allclose(seen, [1 / (t + 1) for t in range(6)], rtol=1e-15)


def test_chained_get_last_lr_is_each_schedulers_own_last_write():
    _, last = run_schedule(tg_sgd, lr_scheduler, ["step", "exponential"], epochs=5)
    step_last = 0.9**4 * 0.5  # StepLR stepped first in epoch 5: γ_exp⁴ from before, 0.5 at t=3
    np.testing.assert_allclose(last, [[step_last], [step_last * 0.9]], rtol=1e-15)


def test_first_scheduler_records_initial_lr_and_a_second_reuses_it():
    opt = two_group_sgd()
    first = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    first.step()
    second = lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.4]
    assert second.base_lrs == [0.1, 0.4] and second.last_epoch == 0
    assert second.get_last_lr() == [0.05, 0.2]


def test_resuming_with_last_epoch_needs_initial_lr():
    opt = optim.SGD(make_params(), lr=1.0)
    with pytest.raises(KeyError, match=r"param_groups\[0\] has no 'initial_lr'"):
        lr_scheduler.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert "initial_lr" not in opt.param_groups[0]
    opt.param_groups[0]["initial_lr"] = 1.0
    opt.param_groups[0]["lr"] = 0.125
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert sched.last_epoch == 4 and sched.get_last_lr() == [0.125]
    sched.step()
    assert opt.param_groups[0]["lr"] == 0.0625


def test_lambda_lr_state_dict_saves_callable_objects_only():
    class Halve:
        def __init__(self):
            self.base = 0.5

        def __call__(self, t):
            return self.base**t

    opt = two_group_sgd()
    sched = lr_scheduler.LambdaLR(opt, [lambda t: 1.0, Halve()])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"base": 0.5}]
    assert state["last_epoch"] == 0 and state["_last_lr"] == [0.1, 0.4]
    other = lr_scheduler.LambdaLR(two_group_sgd(), [lambda t: 1.0, Halve()])
    other.lr_lambdas[1].base = 0.25
    other.load_state_dict(state)
    assert other.lr_lambdas[1].base == 0.5 and "lr_lambdas" in state


def torch_sgd(torch):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=1.0)


@pytest.mark.parametrize("names, manual", [
    *[([n], None) for n in SCHEDULERS],
    *[([n], (4, 10.0)) for n in SCHEDULERS],
    (["step", "exponential"], None), (["exponential", "step"], (5, 3.0)),
    (["cosine", "step"], None), (["step", "cosine", "exponential"], (7, 0.2)),
    (["exponential", "lambda"], None), (["lambda", "cosine"], (9, 2.0)),
])
def test_schedulers_match_pytorch(names, manual):
    torch = pytest.importorskip("torch")
    ours = run_schedule(tg_sgd, lr_scheduler, names, manual=manual)
    theirs = run_schedule(lambda: torch_sgd(torch), torch.optim.lr_scheduler, names,
                          manual=manual)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_state_dict_and_resume_match_pytorch(name):
    torch = pytest.importorskip("torch")
    results = []
    for module, make_opt in ((lr_scheduler, tg_sgd),
                             (torch.optim.lr_scheduler, lambda: torch_sgd(torch))):
        opt = make_opt()
        sched = SCHEDULERS[name][0](module, opt)
        for _ in range(5):
            opt.step()
            sched.step()
        state = {k: v for k, v in sched.state_dict().items()
                 if k != "_get_lr_called_within_step"}
        resumed = SCHEDULERS[name][0](module, opt, last_epoch=sched.last_epoch)
        results.append((state, resumed.last_epoch, resumed.get_last_lr()))
    assert results[0] == results[1]


# ---------------------------------------------------------------- end to end


def test_training_a_logistic_regression_reduces_the_loss():
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = np.where(X @ np.array([2.0, -1.0]) + 0.5 > 0, 1, -1)
    model = nn.LogisticRegression(2, dtype=tg.float64)
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.5)
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = nn.functional.logistic_loss(model(tg.Tensor(X)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.25 * losses[0]
    accuracy = np.mean(np.where(model(tg.Tensor(X)).numpy() > 0, 1, -1) == y)
    assert accuracy >= 0.95


SHAPES = [(3,), (2, 2), ()]


def start_values(dtype):
    return [np.array([1.0, -2.0, 0.5], dtype), np.array([[0.3, -0.6], [1.2, 2.0]], dtype),
            np.array(-0.75, dtype)]


def grad_grid(shape):
    """Gradients on a grid of quarters: exact in every float dtype, no subnormal surprises."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-12, 12).map(lambda i: i / 4))


def ref_sgd(theta, grads, lr, momentum, dampening, nesterov, wd):
    """PyTorch's SGD in float64, one parameter; None gradients skip the step."""
    theta, buf, seen = theta.astype(np.float64), None, []
    for g in grads:
        if g is not None:
            g = g + wd * theta
            if momentum:
                buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
                g = g + momentum * buf if nesterov else buf
            theta = theta - lr * g
        seen.append(theta)
    return seen


def ref_adam(theta, grads, lr, betas, eps, wd):
    """PyTorch's Adam in float64 (bias-corrected), one parameter; its own step count."""
    (b1, b2), t = betas, 0
    theta = theta.astype(np.float64)
    m = v = np.zeros_like(theta)
    seen = []
    for g in grads:
        if g is not None:
            t += 1
            g = g + wd * theta
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            theta = theta - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        seen.append(theta)
    return seen


def ref_normalized(thetas, grads_per_step, lr):
    """w ← w − η g/‖g‖ with ‖g‖ over all parameters that have a gradient."""
    thetas = [t.astype(np.float64) for t in thetas]
    history = []
    for grads in grads_per_step:
        present = [g for g in grads if g is not None]
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in present))
        if norm > 0:
            thetas = [t if g is None else t - lr * g / norm for t, g in zip(thetas, grads)]
        history.append(list(thetas))
    return history


@st.composite
def gradient_schedules(draw, steps=None):
    """Per step, per parameter: a gradient on the grid, or None (skipped)."""
    n = draw(st.integers(1, 5)) if steps is None else steps
    return [[draw(st.none() | grad_grid(s) | grad_grid(s)) for s in SHAPES] for _ in range(n)]


def run_gradient_schedule(opt, params, schedule):
    history, versions = [], []
    for grads in schedule:
        for p, g in zip(params, grads):
            p.grad = None if g is None else tg.Tensor(g.astype(p.dtype))
        before_v = [p._version for p in params]
        before = [p.numpy().copy() for p in params]
        opt.step()
        after = [p.numpy().copy() for p in params]
        for i, (p, g) in enumerate(zip(params, grads)):
            if g is None:
                assert p._version == before_v[i], f"param {i} had no grad but its version moved"
                np.testing.assert_array_equal(after[i], before[i])
            if not np.array_equal(after[i], before[i]):
                assert p._version > before_v[i], f"param {i} changed but its version did not"
            assert p.dtype == before[i].dtype and p.shape == before[i].shape
        versions.append([p._version for p in params])
        history.append(after)
    return history


def check_history(history, expected, dtype):
    rtol = tol(dtype) * 10
    for step, (got, want) in enumerate(zip(history, expected)):
        for i, (a, b) in enumerate(zip(got, want)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol,
                                       err_msg=f"step {step}, parameter {i}")


@SOME
@example(schedule=[[np.ones(3), np.ones((2, 2)), np.array(1.0)]] * 3, dtype=np.float64, lr=0.1,
         momentum=0.9, dampening=0.0, nesterov=False, wd=0.1)
@given(schedule=gradient_schedules(), dtype=st.sampled_from([np.float32, np.float64]),
       lr=st.sampled_from([0.01, 0.1, 0.5]), momentum=st.sampled_from([0.0, 0.5, 0.9]),
       dampening=st.sampled_from([0.0, 0.25]), nesterov=st.booleans(),
       wd=st.sampled_from([0.0, 0.1]))
def test_sgd_matches_the_update_rule_over_several_steps(schedule, dtype, lr, momentum,
                                                        dampening, nesterov, wd):
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False
    params = [nn.Parameter(v) for v in start_values(dtype)]
    opt = optim.SGD(params, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                    weight_decay=wd)
    history = run_gradient_schedule(opt, params, schedule)
    expected = list(zip(*[ref_sgd(s, [grads[i] for grads in schedule], lr, momentum, dampening,
                                  nesterov, wd)
                          for i, s in enumerate(start_values(dtype))]))
    check_history(history, expected, dtype)


@SOME
@given(schedule=gradient_schedules(), dtype=st.sampled_from([np.float32, np.float64]),
       lr=st.sampled_from([0.001, 0.1]), betas=st.sampled_from([(0.9, 0.999), (0.5, 0.7)]),
       eps=st.sampled_from([1e-8, 0.1]), wd=st.sampled_from([0.0, 0.2]))
def test_adam_matches_the_update_rule_over_several_steps(schedule, dtype, lr, betas, eps, wd):
    params = [nn.Parameter(v) for v in start_values(dtype)]
    opt = optim.Adam(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    history = run_gradient_schedule(opt, params, schedule)
    expected = list(zip(*[ref_adam(s, [grads[i] for grads in schedule], lr, betas, eps, wd)
                          for i, s in enumerate(start_values(dtype))]))
    check_history(history, expected, dtype)
    for i, p in enumerate(params):
        used = sum(grads[i] is not None for grads in schedule)
        if used == 0:
            assert p not in opt.state or not opt.state[p]
        else:
            assert opt.state[p]["step"] == used


@SOME
@given(schedule=gradient_schedules(), dtype=st.sampled_from([np.float32, np.float64]),
       lr=st.sampled_from([0.01, 0.3]))
def test_normalized_gd_matches_the_update_rule_over_several_steps(schedule, dtype, lr):
    params = [nn.Parameter(v) for v in start_values(dtype)]
    opt = optim.NormalizedGD(params, lr=lr)
    history = run_gradient_schedule(opt, params, schedule)
    expected = ref_normalized(start_values(dtype), schedule, lr)
    check_history(history, expected, dtype)


def test_sgd_and_adam_match_pytorch_over_ten_steps():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(10)]
    grads[3][1] = None  # a skipped parameter in the middle of the run
    grads[0][2] = None
    configs = [
        (optim.SGD, torch.optim.SGD, dict(lr=0.1)),
        (optim.SGD, torch.optim.SGD, dict(lr=0.1, weight_decay=0.05)),
        (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
        (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.05)),
        (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.8, dampening=0.3)),
        (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True,
                                          weight_decay=0.1)),
        (optim.Adam, torch.optim.Adam, dict(lr=0.01)),
        (optim.Adam, torch.optim.Adam, dict(lr=0.2, betas=(0.5, 0.6), eps=1e-3,
                                            weight_decay=0.3)),
    ]
    problems = []
    for ours_cls, theirs_cls, kw in configs:
        ours = [nn.Parameter(v) for v in start_values(np.float64)]
        theirs = [torch.nn.Parameter(torch.tensor(v)) for v in start_values(np.float64)]
        o, t = ours_cls(ours, **kw), theirs_cls(theirs, **kw)
        for step in grads:
            for p, q, g in zip(ours, theirs, step):
                p.grad = None if g is None else tg.Tensor(g)
                q.grad = None if g is None else torch.tensor(g)
            o.step()
            t.step()
        for i, (p, q) in enumerate(zip(ours, theirs)):
            if not np.allclose(p.numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-14):
                problems.append(f"{ours_cls.__name__}({kw}) parameter {i} of shape {p.shape}: "
                                f"{p.numpy()} vs PyTorch {q.detach().numpy()}")
    if problems:
        pytest.fail("\n".join(problems))


@pytest.mark.parametrize("shape", [(), (1,), (3,)])
def test_sgd_momentum_with_weight_decay_on_any_shape(shape):
    # θ = 1, g = 0.5 + k, λ = 0.1, μ = 0.9, γ = 0.1, by PyTorch's rule
    p = nn.Parameter(np.ones(shape))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.1)
    theta, buf = 1.0, None
    for k in range(4):
        p.grad = tg.Tensor(np.full(shape, 0.5 + k))
        opt.step()
        g = 0.5 + k + 0.1 * theta
        buf = g if buf is None else 0.9 * buf + g
        theta -= 0.1 * buf
    np.testing.assert_allclose(p.numpy(), np.full(shape, theta), rtol=1e-12)
    buffer = opt.state[p]["momentum_buffer"]
    assert isinstance(buffer, np.ndarray) and buffer.shape == shape
    np.testing.assert_allclose(buffer, np.full(shape, buf), rtol=1e-12)


def test_version_grows_by_step_and_not_for_skipped_parameters():
    for make in (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
                 lambda ps: optim.Adam(ps, lr=0.1), lambda ps: optim.NormalizedGD(ps, lr=0.1)):
        used, idle = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
        opt = make([used, idle])
        seen = [used._version]
        for _ in range(4):
            opt.zero_grad()
            (used * used).sum().backward()
            opt.step()
            seen.append(used._version)
        assert all(b > a for a, b in zip(seen, seen[1:])), seen
        assert idle._version == 0 and idle.grad is None
        np.testing.assert_array_equal(idle.numpy(), [1.0, 1.0])


# Assigning a gradient of another shape or dtype is refused (as PyTorch): these change the
# array behind the gradient instead, which the optimizer must still catch.
def corrupt_shape(p):
    p.grad.data = tg.tensor(np.zeros((5,), p.dtype))


def corrupt_broadcastable_shape(p):
    # a gradient that numpy would broadcast into the parameter must still be refused
    p.grad.data = tg.tensor(np.ones((1,) * p.ndim if p.ndim else (1,), p.dtype))


def corrupt_dtype(p):
    p.grad.data = tg.tensor(p.grad.numpy().astype(np.float32))


def corrupt_nan(p):
    g = p.grad.numpy().copy()
    g.flat[0] = np.nan
    p.grad = tg.Tensor(g)


def corrupt_inf(p):
    g = p.grad.numpy().copy()
    g.flat[-1] = -np.inf
    p.grad = tg.Tensor(g)


def corrupt_read_only(p):
    p.data = p.data.clone()
    p.numpy().flags.writeable = False


CORRUPTIONS = {
    "shape": (corrupt_shape, "shape"),
    "broadcastable": (corrupt_broadcastable_shape, "shape"),
    "dtype": (corrupt_dtype, "dtype"),
    "nan": (corrupt_nan, "non-finite"),
    "inf": (corrupt_inf, "non-finite"),
    "read_only": (corrupt_read_only, "read-only"),
}

MAKERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, check_finite=True),
    "nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5, nesterov=True,
                                     check_finite=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1, check_finite=True),
    "normalized": lambda ps: optim.NormalizedGD(ps, lr=0.1, check_finite=True),
}


def set_quadratic_grads(params):
    """Gradients of Σ θ³/3 + θ: g = θ² + 1, via autograd."""
    for p in params:
        p.grad = None
    sum(((p * p * p) / 3 + p).sum() for p in params).backward()


def full_snapshot(opt, params):
    state = copy.deepcopy(opt.state_dict())
    return ([p.numpy().copy() for p in params], [p._version for p in params], state,
            len(opt.state))


def assert_snapshots_equal(a, b):
    (va, vera, sa, na), (vb, verb, sb, nb) = a, b
    for x, y in zip(va, vb):
        np.testing.assert_array_equal(x, y)
    assert vera == verb, "a failed step changed a parameter's version"
    assert na == nb, "a failed step created optimizer state"
    assert sa["param_groups"] == sb["param_groups"]
    assert sa["state"].keys() == sb["state"].keys()
    for k, entry in sa["state"].items():
        assert entry.keys() == sb["state"][k].keys()
        for key, value in entry.items():
            np.testing.assert_array_equal(value, sb["state"][k][key], err_msg=f"{k}.{key}")


@pytest.mark.parametrize("opt_name", list(MAKERS))
@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
@pytest.mark.parametrize("bad", [0, 1, 2])
@pytest.mark.parametrize("warm", [False, True])
def test_a_failed_step_changes_nothing_whichever_parameter_is_bad(opt_name, corruption, bad,
                                                                  warm):
    corrupt, message = CORRUPTIONS[corruption]
    params = [nn.Parameter(v) for v in start_values(np.float64)]
    twins = [nn.Parameter(v) for v in start_values(np.float64)]
    opt, twin_opt = MAKERS[opt_name](params), MAKERS[opt_name](twins)
    for _ in range(2 if warm else 0):  # state to protect
        for ps, o in ((params, opt), (twins, twin_opt)):
            set_quadratic_grads(ps)
            o.step()
    set_quadratic_grads(params)
    set_quadratic_grads(twins)
    good_grad = tg.Tensor(params[bad].grad.numpy())  # a copy: corrupt may change the array
    corrupt(params[bad])
    before = full_snapshot(opt, params)
    with pytest.raises(ValueError, match=message) as info:
        opt.step()
    assert f"parameter {bad}" in str(info.value), str(info.value)
    assert_snapshots_equal(full_snapshot(opt, params), before)
    # repaired, the next step is exactly the step a never-failed twin takes
    if corruption == "read_only":
        params[bad].numpy().flags.writeable = True
    params[bad].grad = good_grad
    opt.step()
    twin_opt.step()
    for p, q in zip(params, twins):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_a_bad_gradient_in_a_later_group_names_that_group_and_moves_nothing():
    params = [nn.Parameter(v) for v in start_values(np.float64)]
    opt = optim.SGD([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1,
                    momentum=0.9)
    set_quadratic_grads(params)
    opt.step()
    set_quadratic_grads(params)
    params[2].grad.data = tg.tensor(np.zeros(4))
    before = full_snapshot(opt, params)
    with pytest.raises(ValueError, match="parameter 0 of group 1"):
        opt.step()
    assert_snapshots_equal(full_snapshot(opt, params), before)


@pytest.mark.parametrize("opt_name", ["sgd", "adam", "normalized"])
def test_non_finite_gradients_pass_without_check_finite(opt_name):
    p = nn.Parameter(np.array([1.0, 2.0]))
    p.grad = tg.Tensor(np.array([np.nan, 1.0]))
    make = {"sgd": optim.SGD, "adam": optim.Adam, "normalized": optim.NormalizedGD}[opt_name]
    make([p], lr=0.1).step()  # PyTorch does not check: the NaN propagates
    assert np.isnan(p.numpy()).any()


@pytest.mark.parametrize("opt_name", list(MAKERS))
@pytest.mark.parametrize("build", [lambda w: (w * w).sum(), lambda w: (w**3).sum(),
                                   lambda w: (w.exp() * w).sum(),
                                   lambda w: (w @ w)], ids=["mul", "pow", "exp_mul", "matmul"])
def test_a_retained_graph_that_saved_a_parameter_refuses_after_a_step(opt_name, build):
    w = nn.Parameter(np.array([0.5, -1.5, 2.0]))
    opt = MAKERS[opt_name]([w])
    loss = build(w)
    loss.backward(retain_graph=True)
    first = w.grad.numpy().copy()
    opt.step()
    w.grad = tg.Tensor(first.copy())
    with pytest.raises(RuntimeError, match="version|in-place|modified"):
        loss.backward(retain_graph=True)
    np.testing.assert_array_equal(w.grad.numpy(), first)  # a failed pass changes no .grad
    with pytest.raises(RuntimeError, match="version|in-place|modified"):
        tg.autograd.grad(loss, w)


@pytest.mark.parametrize("opt_name", list(MAKERS))
def test_a_retained_graph_survives_steps_that_did_not_touch_what_it_saved(opt_name):
    used = nn.Parameter(np.array([1.0, 2.0]))
    idle = nn.Parameter(np.array([0.5, -0.5]))
    opt = MAKERS[opt_name]([used, idle])
    loss_idle = (idle * idle).sum()  # saves idle, which the step below skips
    loss_add = (used + 1.0).sum()    # Add saves nothing, as in PyTorch
    (used * used).sum().backward()
    opt.step()
    assert idle._version == 0
    (g,) = tg.autograd.grad(loss_idle, idle)
    np.testing.assert_allclose(g.numpy(), [1.0, -1.0])
    (g,) = tg.autograd.grad(loss_add, used)
    np.testing.assert_allclose(g.numpy(), [1.0, 1.0])


def test_a_failed_step_leaves_a_retained_graph_usable():
    a, b = nn.Parameter(np.array([1.0, 2.0])), nn.Parameter(np.array([3.0]))
    opt = optim.Adam([a, b], lr=0.1)
    loss = (a * a).sum() + (b * b).sum()
    loss.backward(retain_graph=True)
    b.grad.data = tg.tensor(np.zeros(2))  # bad shape in the last parameter
    with pytest.raises(ValueError):
        opt.step()
    (ga, gb) = tg.autograd.grad(loss, [a, b])
    np.testing.assert_allclose(ga.numpy(), [2.0, 4.0])
    np.testing.assert_allclose(gb.numpy(), [6.0])


hyper_values = st.one_of(st.floats(), st.floats(0, 1, exclude_max=True), st.integers(-2, 3),
                         st.booleans(), st.none(), st.text(max_size=1),
                         st.complex_numbers(max_magnitude=1), st.just(tg.tensor(0.1)),
                         st.floats(0, 1).map(np.float32), st.sampled_from(HUGE_INTS))


def valid_hyper(v, high=math.inf):
    return (not isinstance(v, bool) and isinstance(v, numbers.Real)
            and math.isfinite(v) and 0 <= v and (v < high if high == 1 else v <= high))


@st.composite
def optimizer_calls(draw):
    """(class, params, hyperparameters): good or hostile parameters, one hostile value."""
    p = tg.nn.Parameter(np.ones(2))
    cls = draw(st.sampled_from([tg.optim.SGD, tg.optim.Adam]))
    params = draw(st.sampled_from([
        [p], [{"params": [p]}], [p, p], [], None, "ab", p, [None], [np.ones(2)], [p * 2],
        [{}], [tg.tensor([1, 2])], 5, (p,),
    ]))
    names = ["lr", "weight_decay"] + (["momentum", "dampening"] if cls is tg.optim.SGD
                                      else ["eps", "beta1", "beta2"])
    name, value = draw(st.sampled_from(names)), draw(hyper_values)
    kwargs = {"lr": 0.1}
    if name.startswith("beta"):
        kwargs["betas"] = (value, 0.99) if name == "beta1" else (0.9, value)
    else:
        kwargs[name] = value
    return cls, params, name, value, kwargs


@hostile_input
@given(optimizer_calls())
def test_optimizer_constructors_with_hostile_arguments(call):
    cls, params, name, value, kwargs = call

    def expected():
        items = list(params) if isinstance(params, (list, tuple)) else None
        if items is None or not items:
            raise Refused
        flat = items[0]["params"] if isinstance(items[0], dict) and "params" in items[0] \
            else items
        if any(not isinstance(t, tg.Tensor) or not t.is_leaf for t in flat):
            raise Refused
        if len({id(t) for t in flat}) != len(flat):
            raise Refused
        if not valid_hyper(value, 1 if name.startswith("beta") else math.inf):
            raise Refused
        return float(value)

    got = run_or_refused(lambda: cls(params, **kwargs), expected, cls.__name__)
    if got:
        opt, want = got
        group = opt.param_groups[0]
        stored = group["betas"][int(name[-1]) - 1] if name.startswith("beta") else group[name]
        assert stored == want and type(stored) is float


def test_sgd_takes_weight_decay_and_nesterov_by_keyword_only():
    """API.md and PyTorch order these two differently: a positional call is refused rather
    than read one way or the other."""
    p = tg.zeros(2, requires_grad=True)
    with pytest.raises(TypeError):
        optim.SGD([p], 0.1, 0.9, 0.0, 1e-4)
    opt = optim.SGD([p], 0.1, 0.9, 0.0, weight_decay=1e-4, nesterov=True)
    assert opt.param_groups[0]["weight_decay"] == 1e-4 and opt.param_groups[0]["nesterov"]
