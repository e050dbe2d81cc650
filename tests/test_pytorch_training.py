"""PyTorch conformance of the training loop around the tensors: every optimizer rule and
option step by step, parameter groups and state dicts in PyTorch's layout, the schedulers,
utils.data and saving. Each test checks against hand-written numpy or a closed form; the
`*_pytorch` twins check the same thing against torch (float64, rtol 1e-12) when it is
installed."""

import math
from collections import Counter

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.utils.data import (
    DataLoader,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

SHAPES = [(3,), (2, 2), ()]


def torch_or_skip():
    return pytest.importorskip("torch")


def gradient_run(steps=40, seed=0, skip=0.1):
    """Per step, per parameter: a standard-normal gradient or None (that step skips it)."""
    rng = np.random.default_rng(seed)
    return [[None if rng.random() < skip else rng.standard_normal(s) for s in SHAPES]
            for _ in range(steps)]


def starts(seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in SHAPES]


# ---------------------------------------------------------------- numpy references
# Each reference follows the textbook form of the rule for one parameter (None = no gradient
# that step) and returns θ after every step.


def ref_sgd(theta, grads, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
            nesterov=False, maximize=False):
    b, out = None, []
    for g in grads:
        if g is not None:
            g = -g if maximize else g
            g = g + weight_decay * theta
            if momentum != 0:
                b = g.copy() if b is None else momentum * b + (1 - dampening) * g
                g = g + momentum * b if nesterov else b
            theta = theta - lr * g
        out.append(theta)
    return out


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, maximize=False, decoupled=False):
    b1, b2 = betas
    m = v = vmax = 0.0
    t, out = 0, []
    for g in grads:
        if g is not None:
            t += 1
            g = -g if maximize else g
            if decoupled:
                theta = theta * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * theta
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            vmax = np.maximum(vmax, v)
            v_hat = (vmax if amsgrad else v) / (1 - b2 ** t)
            theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(v_hat) + eps)
        out.append(theta)
    return out


def ref_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                centered=False, maximize=False):
    v = g_avg = b = 0.0
    out = []
    for g in grads:
        if g is not None:
            g = -g if maximize else g
            g = g + weight_decay * theta
            v = alpha * v + (1 - alpha) * g * g
            if centered:
                g_avg = alpha * g_avg + (1 - alpha) * g
                s = np.sqrt(v - g_avg ** 2) + eps
            else:
                s = np.sqrt(v) + eps
            if momentum > 0:
                b = momentum * b + g / s
                theta = theta - lr * b
            else:
                theta = theta - lr * g / s
        out.append(theta)
    return out


def ref_adagrad(theta, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    G, t, out = initial_accumulator_value, 0, []
    for g in grads:
        if g is not None:
            t += 1
            g = -g if maximize else g
            g = g + weight_decay * theta
            G = G + g * g
            theta = theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(G) + eps)
        out.append(theta)
    return out


def ref_adamw(theta, grads, weight_decay=1e-2, **kw):
    return ref_adam(theta, grads, weight_decay=weight_decay, decoupled=True, **kw)


REFERENCES = {"SGD": ref_sgd, "Adam": ref_adam, "AdamW": ref_adamw, "RMSprop": ref_rmsprop,
              "Adagrad": ref_adagrad}

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.7), "eps": 1e-3, "weight_decay": 0.2}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.3, "amsgrad": True, "betas": (0.6, 0.9)}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.8, "weight_decay": 0.1, "eps": 1e-4}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.003, "alpha": 0.3, "centered": True, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.3, "eps": 1e-3, "maximize": True}),
]
IDS = [f"{name}-{'-'.join(map(str, kw.items()))}" for name, kw in CONFIGS]


def run_ours(name, kw, grads, start):
    params = [nn.Parameter(v.copy()) for v in start]
    opt = getattr(optim, name)(params, **kw)
    history = []
    for step in grads:
        for p, g in zip(params, step):
            p.grad = None if g is None else tg.tensor(g)
        opt.step()
        history.append([p.numpy().copy() for p in params])
    return history, opt, params


def run_torch(torch, name, kw, grads, start):
    params = [torch.nn.Parameter(torch.tensor(v.copy())) for v in start]
    opt = getattr(torch.optim, name)(params, **kw)
    history = []
    for step in grads:
        for p, g in zip(params, step):
            p.grad = None if g is None else torch.tensor(g)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


def assert_histories_close(ours, theirs, rtol, what):
    for k, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol * 1e-2,
                                       err_msg=f"{what}: step {k}, parameter {i}")


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_optimizer_rule_matches_numpy_step_by_step(name, kw):
    grads, start = gradient_run(), starts()
    ours, _, _ = run_ours(name, kw, grads, start)
    ref_kw = {k: v for k, v in kw.items() if k != "decoupled_weight_decay"}
    if kw.get("decoupled_weight_decay"):
        ref_kw["decoupled"] = True
    expected = list(zip(*[REFERENCES[name](s, [step[i] for step in grads], **ref_kw)
                          for i, s in enumerate(start)]))
    assert_histories_close(ours, expected, 1e-10, f"{name}({kw})")


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_optimizer_rule_matches_pytorch_over_many_steps(name, kw):
    torch = torch_or_skip()
    grads, start = gradient_run(steps=60, seed=2), starts(3)
    ours, opt, _ = run_ours(name, kw, grads, start)
    theirs, topt = run_torch(torch, name, kw, grads, start)
    assert_histories_close(ours, theirs, 1e-12, f"{name}({kw}) vs PyTorch")
    ours_sd, theirs_sd = opt.state_dict(), topt.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]
    assert {i: sorted(s) for i, s in ours_sd["state"].items()} == \
        {i: sorted(s) for i, s in theirs_sd["state"].items()}
    for i, state in ours_sd["state"].items():
        if "step" in state:
            assert state["step"] == float(theirs_sd["state"][i]["step"])
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                np.testing.assert_allclose(value, theirs_sd["state"][i][key].numpy(),
                                           rtol=1e-11, atol=1e-14, err_msg=key)


def test_adam_first_step_moves_each_coordinate_by_lr_in_every_variant():
    # after one step m̂ = g and v̂ = g², so θ moves by γ·g/(|g| + ε) ≈ γ·sign(g)
    for make in (lambda p: optim.Adam(p, lr=0.1, amsgrad=True),
                 lambda p: optim.AdamW(p, lr=0.1, weight_decay=0.0)):
        p = nn.Parameter(np.array([1.0, -2.0, 3.0]))
        p.grad = tg.tensor(np.array([0.5, -4.0, 1e-3]))
        make([p]).step()
        np.testing.assert_allclose(p.numpy(), [0.9, -1.9, 2.9], rtol=1e-4)


def test_adamw_decay_shrinks_the_parameter_before_the_moments():
    # a zero gradient leaves m = v = 0, so only θ ← θ(1 − γλ) acts
    p = nn.Parameter(np.array([2.0, -4.0]))
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    for k in range(1, 4):
        p.grad = tg.zeros_like(p)
        opt.step()
        np.testing.assert_allclose(p.numpy(), np.array([2.0, -4.0]) * 0.95 ** k, rtol=1e-14)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_adagrad_state_exists_from_construction_as_in_pytorch():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(3))
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state_dict()["state"] == {0: {"step": 0, "sum": pytest.approx(np.full(2, 0.25))}}
    opt.add_param_group({"params": [q], "lr": 0.5})
    q.grad = tg.tensor(np.array([1.0, 2.0, 0.0]))
    opt.step()  # p has no gradient: its state stays at step 0
    assert opt.state[p]["step"] == 0 and opt.state[q]["step"] == 1
    # G = 0.25 + g², θ = 1 − 0.5 g / (√G + 1e-10)
    g = np.array([1.0, 2.0, 0.0])
    np.testing.assert_allclose(q.numpy(), 1 - 0.5 * g / (np.sqrt(0.25 + g * g) + 1e-10),
                               rtol=1e-14)


# ---------------------------------------------------------------- groups, lr, state dicts


def two_groups(lib, params):
    return [{"params": [params[0]], "lr": 0.1, "momentum": 0.9},
            {"params": params[1:], "weight_decay": 0.2}]


def test_parameter_groups_use_their_own_options_and_lr_is_writable():
    grads, start = gradient_run(12, seed=4, skip=0), starts(5)
    params = [nn.Parameter(v.copy()) for v in start]
    opt = optim.SGD(two_groups(tg, params), lr=0.01, nesterov=False)
    for k, step in enumerate(grads):
        if k == 6:
            opt.param_groups[1]["lr"] = 0.03
        for p, g in zip(params, step):
            p.grad = tg.tensor(g)
        opt.step()
    first = ref_sgd(start[0], [s[0] for s in grads], lr=0.1, momentum=0.9)[-1]
    np.testing.assert_allclose(params[0].numpy(), first, rtol=1e-12)
    for i in (1, 2):  # lr 0.01 for six steps, then 0.03
        theta = ref_sgd(start[i], [s[i] for s in grads[:6]], lr=0.01, weight_decay=0.2)[-1]
        theta = ref_sgd(theta, [s[i] for s in grads[6:]], lr=0.03, weight_decay=0.2)[-1]
        np.testing.assert_allclose(params[i].numpy(), theta, rtol=1e-12)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1, 2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.03]
    assert sorted(sd["state"]) == [0]  # only the group with momentum keeps a buffer


def test_parameter_groups_and_state_dict_match_pytorch():
    torch = torch_or_skip()
    grads, start = gradient_run(12, seed=4, skip=0), starts(5)
    ours = [nn.Parameter(v.copy()) for v in start]
    theirs = [torch.nn.Parameter(torch.tensor(v.copy())) for v in start]
    o, t = optim.SGD(two_groups(tg, ours), lr=0.01), torch.optim.SGD(two_groups(torch, theirs),
                                                                     lr=0.01)
    for k, step in enumerate(grads):
        if k == 6:
            o.param_groups[1]["lr"] = t.param_groups[1]["lr"] = 0.03
        for p, q, g in zip(ours, theirs, step):
            p.grad, q.grad = tg.tensor(g), torch.tensor(g)
        o.step()
        t.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=1e-12)
    assert o.state_dict()["param_groups"] == t.state_dict()["param_groups"]


@pytest.mark.parametrize("name, kw", CONFIGS[::3], ids=IDS[::3])
def test_state_dict_through_tg_save_continues_identically(name, kw, tmp_path):
    grads, start = gradient_run(10, seed=6), starts(7)
    _, opt, params = run_ours(name, kw, grads[:5], start)
    tg.save({"optim": opt.state_dict(), "params": [p.detach() for p in params]},
            tmp_path / "ckpt.tg")
    saved = tg.load(tmp_path / "ckpt.tg")
    twins = [nn.Parameter(t.numpy()) for t in saved["params"]]
    twin_opt = getattr(optim, name)(twins, **kw)
    twin_opt.load_state_dict(saved["optim"])
    for step in grads[5:]:
        for p, q, g in zip(params, twins, step):
            p.grad = q.grad = None if g is None else tg.tensor(g)
        opt.step()
        twin_opt.step()
    for p, q in zip(params, twins):
        np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_zero_grad_sets_to_none_by_default_and_add_param_group_takes_defaults():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.RMSprop([p], lr=0.5, momentum=0.5)
    opt.add_param_group({"params": q, "alpha": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.5
    assert opt.param_groups[1]["alpha"] == 0.5 and opt.param_groups[0]["alpha"] == 0.99
    p.grad, q.grad = tg.ones_like(p), tg.ones_like(q)
    opt.zero_grad()
    assert p.grad is None and q.grad is None
    p.grad = tg.ones_like(p)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    with pytest.raises(ValueError, match="appears more than once"):
        opt.add_param_group({"params": [p]})


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_foreach_and_fused_change_nothing(name):
    grads, start = gradient_run(8, seed=8), starts(9)
    kw = {"lr": 0.05}
    plain, _, _ = run_ours(name, kw, grads, start)
    switches = {"foreach": True} if name == "RMSprop" else {"foreach": False, "fused": True}
    switched, _, _ = run_ours(name, {**kw, **switches}, grads, start)
    assert_histories_close(switched, plain, 0, name)


@pytest.mark.parametrize("name, switch", [
    ("SGD", "differentiable"), ("Adam", "capturable"), ("Adam", "differentiable"),
    ("AdamW", "capturable"), ("RMSprop", "capturable"), ("RMSprop", "differentiable"),
    ("Adagrad", "differentiable"),
])
def test_switches_that_change_semantics_are_refused(name, switch):
    with pytest.raises(ValueError, match=f"{name}: {switch}=True is not supported"):
        getattr(optim, name)([nn.Parameter(np.ones(2))], lr=0.1, **{switch: True})


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
@pytest.mark.parametrize("key, value, error", [
    ("lr", -0.5, ValueError), ("lr", "fast", TypeError), ("weight_decay", math.nan, ValueError),
])
def test_a_bad_hand_set_option_moves_nothing(name, key, value, error):
    params = [nn.Parameter(v.copy()) for v in starts()]
    opt = getattr(optim, name)(params, lr=0.1)
    for p in params:
        p.grad = tg.ones_like(p)
    opt.step()
    before = [p.numpy().copy() for p in params]
    state = {i: {k: np.array(v, copy=True) for k, v in s.items()}
             for i, s in opt.state_dict()["state"].items()}
    opt.param_groups[0][key] = value
    with pytest.raises(error, match=key):
        opt.step()
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.numpy(), b)
    for i, s in opt.state_dict()["state"].items():
        for k, v in s.items():
            np.testing.assert_array_equal(v, state[i][k])


# ---------------------------------------------------------------- schedulers


def sgd_two_groups(lib, momentum=0.0):
    make = nn.Parameter if lib is tg else (lambda a: lib.nn.Parameter(lib.tensor(a)))
    ps = [make(np.zeros(2)), make(np.zeros(1))]
    return lib.optim.SGD([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "lr": 0.4}],
                         momentum=momentum)


def lr_history(opt, schedulers, epochs, metric=None):
    seen = []
    for e in range(epochs):
        seen.append((list(schedulers[-1].get_last_lr()),
                     [g.get("momentum") for g in opt.param_groups]))
        opt.step()
        for s in schedulers:
            s.step() if metric is None else s.step(metric(e))
    return seen


SCHEDULES = {
    "multistep": lambda L, o: [L.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], gamma=0.5)],
    "linear": lambda L, o: [L.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=0.9,
                                                          total_iters=4)],
    "linear+exponential": lambda L, o: [L.optim.lr_scheduler.LinearLR(o, total_iters=3),
                                        L.optim.lr_scheduler.ExponentialLR(o, 0.9)],
    "multistep+cosine": lambda L, o: [L.optim.lr_scheduler.MultiStepLR(o, [3, 6]),
                                      L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5)],
    "sequential": lambda L, o: [L.optim.lr_scheduler.SequentialLR(o, [
        L.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3),
        L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6),
        L.optim.lr_scheduler.StepLR(o, 2, 0.5)], milestones=[3, 8])],
    "sequential-lambda": lambda L, o: [L.optim.lr_scheduler.SequentialLR(o, [
        L.optim.lr_scheduler.ExponentialLR(o, 0.8),
        L.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1)),
        L.optim.lr_scheduler.MultiStepLR(o, [1, 3])], milestones=[2, 5])],
    "onecycle": lambda L, o: [L.optim.lr_scheduler.OneCycleLR(o, max_lr=[1.0, 2.0],
                                                              total_steps=20)],
    "onecycle-3phase-linear": lambda L, o: [L.optim.lr_scheduler.OneCycleLR(
        o, max_lr=1.0, epochs=4, steps_per_epoch=5, three_phase=True,
        anneal_strategy="linear", pct_start=0.25)],
}


def closed_multistep(t, base):
    return base * 0.5 ** sum(m <= t for m in [2, 5, 5, 9])


def closed_linear(t, base, s=0.25, e=0.9, T=4):
    return base * (s + (e - s) * min(t, T) / T)


def closed_onecycle(t, max_lr, T=20, pct=0.3, div=25.0, final=1e4):
    initial = max_lr / div
    low = initial / final
    up_end = pct * T - 1
    if t <= up_end:
        a, b, p = initial, max_lr, t / up_end
    else:
        a, b, p = max_lr, low, (t - up_end) / (T - 1 - up_end)
    return b + (a - b) * (1 + math.cos(math.pi * p)) / 2


def closed_sequential(t, base):
    if t < 3:
        return base * (0.1 + 0.9 * t / 3)
    if t < 8:
        return base * (1 + math.cos(math.pi * (t - 3) / 6)) / 2
    return base * 0.5 ** ((t - 8) // 2)


@pytest.mark.parametrize("name, closed", [
    ("multistep", closed_multistep), ("linear", closed_linear),
    ("onecycle", None), ("sequential", closed_sequential),
])
def test_scheduler_alone_follows_its_closed_form(name, closed):
    opt = sgd_two_groups(tg)
    seen = lr_history(opt, SCHEDULES[name](tg, opt), 20 if name == "onecycle" else 14)
    for t, (lrs, _) in enumerate(seen):
        if name == "onecycle":
            want = [closed_onecycle(t, 1.0), closed_onecycle(t, 2.0)]
        else:
            want = [closed(t, 0.1), closed(t, 0.4)]
        np.testing.assert_allclose(lrs, want, rtol=1e-12, err_msg=f"epoch {t}")


def test_onecycle_cycles_momentum_against_the_lr_and_stops_at_total_steps():
    opt = sgd_two_groups(tg, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    moms = []
    for _ in range(10):
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        if len(moms) < 10:
            sched.step()
    assert moms[0] == pytest.approx(0.95) and min(moms) == pytest.approx(0.85)
    assert moms[-1] == pytest.approx(0.95)
    sched.step()  # step 10 of 10 is still allowed, as in PyTorch
    with pytest.raises(ValueError, match="tried to step 11 times; total_steps is 10"):
        sched.step()


def test_reduce_on_plateau_by_hand():
    opt = sgd_two_groups(tg)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5, cooldown=1,
                                           min_lr=[0.01, 0.3], threshold=0.1)
    metrics = [5, 4.9, 4.8, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    seen = []
    for m in metrics:
        sched.step(m)
        seen.append(sched.get_last_lr())
    # 4.9 and 4.8 are not 10 % better than 5: two bad epochs > patience 1 → halve at epoch 3;
    # 4.0 improves; then bad, bad (halve at 6), cooldown swallows epoch 7, bad at 8
    assert seen == [[0.1, 0.4], [0.1, 0.4], [0.05, 0.3], [0.05, 0.3], [0.05, 0.3],
                    [0.025, 0.3], [0.025, 0.3], [0.025, 0.3], [0.0125, 0.3]]


@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch's advice on step order
@pytest.mark.parametrize("name", list(SCHEDULES))
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_scheduler_sequences_match_pytorch(name, momentum):
    torch = torch_or_skip()
    runs = []
    for lib in (torch, tg):
        opt = sgd_two_groups(lib, momentum)
        runs.append(lr_history(opt, SCHEDULES[name](lib, opt),
                               20 if name.startswith("onecycle") else 14))
    for t, ((theirs, m_theirs), (ours, m_ours)) in enumerate(zip(*runs)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13, err_msg=f"{name} epoch {t}")
        np.testing.assert_allclose(m_ours, m_theirs, rtol=1e-13, err_msg=f"{name} epoch {t}")


@pytest.mark.parametrize("mode, threshold_mode", [("min", "rel"), ("max", "abs")])
def test_reduce_on_plateau_matches_pytorch(mode, threshold_mode):
    torch = torch_or_skip()
    metrics = [5, 4, 4, 4, 4, 4, 3.9, 3, 3, 3, 3, 3, 3, 6, 6, 3, 3, 3, 3, 3]
    runs = []
    for lib in (torch, tg):
        opt = sgd_two_groups(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=mode, threshold_mode=threshold_mode, patience=2, cooldown=1, factor=0.5,
            min_lr=[0.01, 0.1], threshold=0.1)
        runs.append([(sched.step(m), sched.get_last_lr())[1] for m in metrics])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("name", ["multistep", "linear", "sequential", "onecycle"])
def test_scheduler_state_dict_resumes_the_same_sequence(name, tmp_path):
    opt = sgd_two_groups(tg)
    scheds = SCHEDULES[name](tg, opt)
    lr_history(opt, scheds, 5)
    tg.save({"optim": opt.state_dict(), "sched": scheds[-1].state_dict()}, tmp_path / "s.tg")
    rest = lr_history(opt, scheds, 6)
    saved = tg.load(tmp_path / "s.tg")
    twin = sgd_two_groups(tg)  # built fresh, then both states loaded, as in PyTorch
    twin_scheds = SCHEDULES[name](tg, twin)
    twin.load_state_dict(saved["optim"])
    twin_scheds[-1].load_state_dict(saved["sched"])
    assert lr_history(twin, twin_scheds, 6) == rest


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], milestones=[3]),
     ValueError, "one milestone fewer than schedulers"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ReduceLROnPlateau(o)], []),
     ValueError, "ReduceLROnPlateau"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(sgd_two_groups(tg), 2)], []),
     ValueError, "drives another optimizer"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[1.0], total_steps=5), ValueError,
     "expected 2 values of max_lr"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 5, anneal_strategy="exp"), ValueError,
     "anneal_strategy"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), ValueError, "start_factor"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError, "end_factor"),
    (lambda o: lr_scheduler.MultiStepLR(o, 3), TypeError, "milestones"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lr"),
])
def test_bad_scheduler_arguments_raise(make, error, message):
    with pytest.raises(error, match=message):
        make(sgd_two_groups(tg))


def test_onecycle_needs_momentum_or_betas_to_cycle():
    opt = optim.Adagrad([nn.Parameter(np.ones(2))])
    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimizer"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5, cycle_momentum=False)


# ---------------------------------------------------------------- utils.data


def dataset(n=10):
    X = tg.tensor(np.arange(2 * n, dtype=np.float32).reshape(n, 2))
    y = tg.tensor(np.arange(n) % 3)
    return X, y


@pytest.mark.parametrize("batch_size, drop_last, sizes", [
    (1, False, [1] * 10), (4, False, [4, 4, 2]), (4, True, [4, 4]), (10, False, [10]),
    (12, False, [10]), (12, True, []),
])
def test_loader_batches_are_the_rows_in_order(batch_size, drop_last, sizes):
    X, y = dataset()
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) and [len(b[0]) for b in batches] == sizes
    start = 0
    for xb, yb in batches:
        np.testing.assert_array_equal(xb.numpy(), X.numpy()[start:start + len(xb)])
        np.testing.assert_array_equal(yb.numpy(), y.numpy()[start:start + len(xb)])
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        start += len(xb)


def test_loader_batches_match_pytorch():
    torch = torch_or_skip()
    X, y = dataset(11)
    ours = list(DataLoader(TensorDataset(X, y), batch_size=3))
    theirs = list(torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X.numpy()), torch.tensor(y.numpy())),
        batch_size=3))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is type(b) is list
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u.numpy(), v.numpy())
            assert u.numpy().dtype == v.numpy().dtype


def test_shuffle_draws_a_new_permutation_each_epoch_from_the_generator():
    X, y = dataset(20)
    ds = TensorDataset(X, y)

    def epoch_orders(gen):
        loader = DataLoader(ds, batch_size=6, shuffle=True, generator=gen)
        return [np.concatenate([yb.numpy() * 0 + xb.numpy()[:, 0] // 2 for xb, yb in loader])
                for _ in range(3)]

    first = epoch_orders(tg.Generator().manual_seed(7))
    again = epoch_orders(tg.Generator().manual_seed(7))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert all(sorted(order) == list(range(20)) for order in first)
    assert not np.array_equal(first[0], first[1])
    # with no generator, tg.manual_seed makes the global draws reproducible
    tg.manual_seed(3)
    one = [xb.numpy() for xb, _ in DataLoader(ds, batch_size=20, shuffle=True)]
    tg.manual_seed(3)
    two = [xb.numpy() for xb, _ in DataLoader(ds, batch_size=20, shuffle=True)]
    np.testing.assert_array_equal(one[0], two[0])


def test_default_collate_matches_pytorch_on_every_kind():
    from collections import namedtuple
    Pair = namedtuple("Pair", "a b")
    examples = [{"i": k, "f": k / 2, "b": k % 2 == 0, "np32": np.float32(k),
                 "arr": np.full(2, k, dtype=np.int32), "t": tg.tensor([k, k + 1.0]),
                 "s": f"s{k}", "pair": Pair(k, (k, 1.5)), "list": [k, [k, k]]}
                for k in range(3)]
    batch = default_collate(examples)
    want = {"i": ([0, 1, 2], np.int64), "f": ([0, 0.5, 1], np.float64),
            "b": ([True, False, True], np.bool_), "np32": ([0, 1, 2], np.float32),
            "arr": ([[0, 0], [1, 1], [2, 2]], np.int32),
            "t": ([[0, 1], [1, 2], [2, 3]], np.float32)}
    for key, (values, dtype) in want.items():
        np.testing.assert_array_equal(batch[key].numpy(), values)
        assert batch[key].dtype == dtype, key
    assert batch["s"] == ["s0", "s1", "s2"]
    assert type(batch["pair"]) is Pair and isinstance(batch["pair"].b, list)
    np.testing.assert_array_equal(batch["pair"].b[1].numpy(), [1.5, 1.5, 1.5])
    np.testing.assert_array_equal(batch["list"][1][1].numpy(), [0, 1, 2])
    torch = pytest.importorskip("torch")
    theirs = torch.utils.data.default_collate(
        [{**e, "t": torch.tensor(e["t"].numpy())} for e in examples])
    for key in want:
        np.testing.assert_array_equal(batch[key].numpy(), theirs[key].numpy())
        assert batch[key].numpy().dtype == theirs[key].numpy().dtype, key
    assert theirs["s"] == batch["s"] and type(theirs["pair"].b) is type(batch["pair"].b)


def test_collate_errors_as_pytorch():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_random_split_with_counts_and_fractions():
    parts = random_split(range(10), [3, 7], generator=tg.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    assert isinstance(parts[0], Subset) and parts[0][1] == parts[0].indices[1]
    # ⌊10·f⌋ = 3, 3, 3 and the remaining one goes to the first split, as in PyTorch
    assert [len(p) for p in random_split(range(10), [0.33, 0.33, 0.34])] == [4, 3, 3]
    with pytest.raises(ValueError, match="sum to 9, the dataset has 10"):
        random_split(range(10), [4, 5])
    with pytest.warns(UserWarning, match="split 1 is empty"):
        random_split(range(2), [1.0, 0.0])
    a = random_split(range(10), [5, 5], generator=tg.Generator().manual_seed(1))
    b = random_split(range(10), [5, 5], generator=tg.Generator().manual_seed(1))
    assert a[0].indices == b[0].indices


def test_random_split_lengths_match_pytorch():
    torch = torch_or_skip()
    for n, fracs in [(10, [0.33, 0.33, 0.34]), (7, [0.5, 0.5]), (101, [0.8, 0.1, 0.1])]:
        assert [len(s) for s in random_split(range(n), fracs)] == \
            [len(s) for s in torch.utils.data.random_split(range(n), fracs)]


def test_subset_samplers_and_unbatched_loading():
    X, y = dataset(6)
    ds = TensorDataset(X, y)
    sub = Subset(ds, [5, 0, 3])
    assert len(sub) == 3 and sub[0][1].item() == y.numpy()[5]
    # a Subset is not a plain TensorDataset: collated from ds[i] one by one, same result
    (xb, yb), = list(DataLoader(sub, batch_size=3))
    np.testing.assert_array_equal(xb.numpy(), X.numpy()[[5, 0, 3]])
    loader = DataLoader(ds, batch_size=2, sampler=[4, 1, 2])
    assert len(loader) == 2
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in loader]),
                                  y.numpy()[[4, 1, 2]])
    loader = DataLoader(ds, batch_sampler=[[0, 1, 2], [5]])
    assert [len(b[0]) for b in loader] == [3, 1] and len(loader) == 2
    single = list(DataLoader(ds, batch_size=None))
    assert len(single) == 6 and single[2][0].shape == (2,)
    counts = Counter(len(b) for b in DataLoader(list(range(7)), batch_size=3, collate_fn=list))
    assert counts == {3: 2, 1: 1}


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size should be a positive integer"),
    ({"sampler": [0], "shuffle": True}, "mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"num_workers": -1}, "num_workers"),
])
def test_bad_loader_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(TensorDataset(*dataset()), **kwargs)


def test_tensor_dataset_refuses_mismatched_sizes():
    with pytest.raises(ValueError, match=r"size mismatch .* \[3, 2\]"):
        TensorDataset(tg.zeros(3, 2), tg.zeros(2))


def test_reachable_as_pytorch_spells_it():
    import tinygrad_edu.utils.data as d
    assert tg.utils.data.DataLoader is d.DataLoader is DataLoader


# ---------------------------------------------------------------- saving and safetensors


def test_model_and_optimizer_round_trip_through_tg_save(tmp_path):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = optim.AdamW(model.parameters(), lr=0.01)
    model(tg.randn(5, 3)).sum().backward()
    opt.step()
    obj = {"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 4}
    tg.save(obj, tmp_path / "run.tg")
    back = tg.load(tmp_path / "run.tg")
    assert back["epoch"] == 4 and list(back["model"]) == list(obj["model"])
    for key, value in obj["model"].items():
        got = back["model"][key]
        assert type(got) is type(value) and got.dtype == value.dtype and got.shape == value.shape
        np.testing.assert_array_equal(np.asarray(got), np.asarray(value))
    assert back["optim"]["param_groups"] == obj["optim"]["param_groups"]
    assert back["optim"]["state"].keys() == obj["optim"]["state"].keys()


def test_safetensors_state_dict_loads_into_the_same_pytorch_model(tmp_path):
    torch = torch_or_skip()
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file, save_file
    tg.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    tg.save(model.state_dict(), tmp_path / "ours.safetensors")
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    theirs.load_state_dict(load_file(tmp_path / "ours.safetensors"))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    # float32 sums in another order: a few eps32 of the terms' scale (~1), also where an
    # output is small because its terms cancel (0.0142: 1.5e-8 apart, 1.05e-6 relative)
    close = dict(rtol=1e-6, atol=5e-7)
    np.testing.assert_allclose(model(tg.tensor(x)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), **close)
    # and back: PyTorch's file into our model
    torch.manual_seed(0)
    other = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    save_file(other.state_dict(), tmp_path / "theirs.safetensors")
    model.load_state_dict(tg.load(tmp_path / "theirs.safetensors"))
    np.testing.assert_allclose(model(tg.tensor(x)).numpy(),
                               other(torch.tensor(x)).detach().numpy(), **close)


def test_a_torch_save_file_is_refused_without_unpickling(tmp_path):
    torch = torch_or_skip()
    torch.save({"w": torch.zeros(2)}, tmp_path / "t.pt")
    with pytest.raises(tg.io.CheckpointError, match="torch.save file.*refusing to unpickle"):
        tg.load(tmp_path / "t.pt")
