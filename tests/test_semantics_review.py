"""Black-box tests of Module attributes, optimizers, dtype promotion and the squared error,
written by a reviewer from API.md, the docs and PyTorch's documented behaviour without
reading the implementation.

1. nn.Module attribute semantics (registration, re-assignment, None, del, register_parameter,
   missing attributes, deepcopy identity, state_dict after changes, shared parameters).
2. Optimizers (SGD, Adam, NormalizedGD): update values against numpy over several steps in
   float32 and float64, version counters, skipped parameters, failed steps that must change
   nothing whichever parameter is bad, retained graphs after a step.
3. Dtype promotion of + - * / ** between tensors, ndarrays and Python / numpy scalars, both
   orders, with gradients.
4. F.mse_loss values and gradients; F.linear / nn.Linear shape errors.

Where API.md is silent the expected behaviour is PyTorch's; the tests that need PyTorch as an
oracle skip cleanly without it.
"""

import copy
import math
import operator

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim

FEW = settings(max_examples=15, deadline=None)
SOME = settings(max_examples=20, deadline=None)


def names(module):
    return [n for n, _ in module.named_parameters()]


def tol(dtype):
    """A relative tolerance of a few roundings for a float dtype."""
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-5,
            np.dtype(np.float64): 1e-12}[np.dtype(dtype)]


# ====================================================================== 1. nn.Module


class Net(nn.Module):
    """Own parameters w and b around a submodule, plus a plain attribute."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(np.arange(3.0))
        self.sub = nn.Linear(3, 2, dtype=tg.float64)
        self.b = nn.Parameter(np.ones(2))
        self.label = "plain"

    def forward(self, x):
        return self.sub(x * self.w) + self.b


class Tied(nn.Module):
    """Two layers sharing one weight (b.weight is a.weight)."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2, dtype=tg.float64)
        self.b = nn.Linear(2, 2, dtype=tg.float64)
        self.b.weight = self.a.weight

    def forward(self, x):
        return self.b(self.a(x).tanh())


BASE = ["w", "b", "sub.weight", "sub.bias"]


def test_named_parameters_lists_own_parameters_before_submodules():
    m = Net()
    assert names(m) == BASE
    assert list(m.state_dict()) == BASE
    got = list(m.parameters())
    assert len(got) == 4
    assert all(p is q for p, q in zip(got, [m.w, m.b, m.sub.weight, m.sub.bias]))


def test_reassigning_a_parameter_keeps_its_position_and_identity():
    m = Net()
    new = nn.Parameter(np.full(3, 7.0))
    m.w = new
    assert names(m) == BASE
    assert m.w is new and dict(m.named_parameters())["w"] is new
    assert next(iter(m.parameters())) is new
    np.testing.assert_array_equal(m.state_dict()["w"], [7.0, 7.0, 7.0])


def test_none_removes_a_parameter_and_a_new_one_returns_to_the_same_place():
    # PyTorch: `m.w = None` keeps the slot (state_dict and named_parameters skip it), and
    # assigning a Parameter again fills that slot, so the order is unchanged
    m = Net()
    m.w = None
    assert m.w is None
    assert names(m) == ["b", "sub.weight", "sub.bias"]
    assert list(m.state_dict()) == ["b", "sub.weight", "sub.bias"]
    p = nn.Parameter(np.ones(3))
    m.w = p
    assert m.w is p
    assert names(m) == BASE
    assert list(m.state_dict()) == BASE


def test_load_state_dict_after_a_parameter_became_none():
    m = Net()
    full = m.state_dict()
    m.w = None
    before = {k: v.copy() for k, v in m.state_dict().items()}
    # the loaded dict may not hold "w" any more (PyTorch: Unexpected key(s) ... "w")
    with pytest.raises(RuntimeError, match='Unexpected key.*"w"'):
        m.load_state_dict({k: v + 1.0 for k, v in full.items()})
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    assert m.w is None
    # without it, it loads
    partial = {k: v + 1.0 for k, v in full.items() if k != "w"}
    result = m.load_state_dict(partial)
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(m.b.numpy(), full["b"] + 1.0)


@pytest.mark.parametrize("make", [lambda: 3, lambda: 2.5, lambda: "text", lambda: [1.0, 2.0, 3.0],
                                  lambda: np.zeros(3), lambda: tg.ones(3, dtype=tg.float64),
                                  lambda: tg.ones(3, dtype=tg.float64, requires_grad=True)],
                         ids=["int", "float", "str", "list", "ndarray", "tensor", "tensor_rg"])
def test_a_plain_value_cannot_replace_a_parameter(make):
    # PyTorch: TypeError "cannot assign 'int' as parameter 'w' (torch.nn.Parameter or None
    # expected)"; nothing changes
    value = make()
    m = Net()
    old = m.w
    with pytest.raises(TypeError, match="'w'"):
        m.w = value
    assert m.w is old and names(m) == BASE


def test_a_plain_value_cannot_replace_a_submodule_but_none_can():
    m = Net()
    old = m.sub
    with pytest.raises(TypeError, match="'sub'"):
        m.sub = 3
    assert m.sub is old and names(m) == BASE
    m.sub = None  # PyTorch: allowed; the slot stays, skipped by children/state_dict
    assert m.sub is None
    assert list(m.children()) == []
    assert names(m) == ["w", "b"] and list(m.state_dict()) == ["w", "b"]
    lin = nn.Linear(3, 2, dtype=tg.float64)
    m.sub = lin
    assert m.sub is lin and list(m.children()) == [lin]
    assert names(m) == BASE


def test_a_module_cannot_replace_a_parameter_as_in_pytorch():
    # PyTorch's __setattr__ checks the parameter registry first: a name that is a parameter
    # (even one set to None) accepts only a Parameter or None
    m = Net()
    with pytest.raises(TypeError, match="'w'"):
        m.w = nn.Tanh()
    assert names(m) == BASE
    m.w = None
    with pytest.raises(TypeError, match="'w'"):
        m.w = nn.Tanh()
    assert m.w is None and list(m.children()) == [m.sub]


def test_a_parameter_can_replace_a_submodule():
    m = Net()
    p = nn.Parameter(np.ones(1))
    m.sub = p  # PyTorch: the name moves from _modules to _parameters, at the end
    assert m.sub is p
    assert names(m) == ["w", "b", "sub"]
    assert list(m.state_dict()) == ["w", "b", "sub"]
    assert list(m.children()) == []


def test_a_plain_attribute_becomes_a_parameter_or_a_submodule():
    m = Net()
    p = nn.Parameter(np.ones(1))
    m.label = p
    assert m.label is p
    assert names(m) == ["w", "b", "label", "sub.weight", "sub.bias"]
    with pytest.raises(TypeError, match="'label'"):
        m.label = "plain again"  # now a parameter: PyTorch refuses a str
    m2 = Net()
    act = nn.Tanh()
    m2.label = act
    assert m2.label is act
    assert [n for n, _ in m2.named_children()] == ["sub", "label"]


def test_a_parameter_name_becomes_plain_only_after_del():
    m = Net()
    del m.w
    assert not hasattr(m, "w")
    assert names(m) == ["b", "sub.weight", "sub.bias"]
    m.w = 3
    assert m.w == 3
    assert names(m) == ["b", "sub.weight", "sub.bias"]
    assert list(m.state_dict()) == ["b", "sub.weight", "sub.bias"]


def test_plain_tensors_are_not_registered():
    m = Net()
    t = tg.ones(2, requires_grad=True)
    m.t = t
    assert m.t is t
    assert names(m) == BASE and list(m.state_dict()) == BASE


def test_del_removes_parameters_submodules_and_plain_attributes():
    m = Net()
    del m.sub
    assert not hasattr(m, "sub") and list(m.children()) == []
    assert list(m.state_dict()) == ["w", "b"]
    del m.label
    assert not hasattr(m, "label")
    del m.b
    assert names(m) == ["w"]
    for name in ("b", "sub", "label", "never_there"):
        with pytest.raises(AttributeError, match=name):
            delattr(m, name)


@pytest.mark.parametrize("name", ["missing", "weight", "_not_there", "sub_weight"])
def test_missing_attributes_raise_attribute_error_naming_class_and_attribute(name):
    m = Net()
    assert not hasattr(m, name)
    assert getattr(m, name, "fallback") == "fallback"
    with pytest.raises(AttributeError) as info:
        getattr(m, name)
    text = str(info.value)
    assert f"'{name}'" in text and "Net" in text, text


def test_missing_attribute_on_a_bare_module_and_after_del():
    m = nn.Module()
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'x'"):
        _ = m.x
    n = Net()
    del n.w
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'w'"):
        _ = n.w


def test_register_parameter_registers_at_the_end_and_accepts_none():
    m = Net()
    p = nn.Parameter(np.zeros(4))
    m.register_parameter("extra", p)
    assert m.extra is p
    assert names(m) == ["w", "b", "extra", "sub.weight", "sub.bias"]
    m.register_parameter("empty", None)
    assert m.empty is None
    assert "empty" not in names(m) and "empty" not in m.state_dict()
    m.empty = nn.Parameter(np.ones(1))
    assert names(m) == ["w", "b", "extra", "empty", "sub.weight", "sub.bias"]


def test_register_parameter_refuses_a_value_that_is_not_a_parameter():
    m = Net()
    with pytest.raises(TypeError):
        m.register_parameter("t", tg.ones(2))  # a Tensor that is not a Parameter
    with pytest.raises(TypeError):
        m.register_parameter("t", np.ones(2))
    assert names(m) == BASE and not hasattr(m, "t")


@pytest.mark.parametrize("name, error", [
    ("a.b", (KeyError, ValueError)),  # PyTorch: KeyError 'parameter name can't contain "."'
    ("", (KeyError, ValueError)),     # PyTorch: KeyError 'parameter name can't be empty string'
    (3, TypeError),                   # PyTorch: TypeError 'parameter name should be a string'
], ids=["dotted", "empty", "int"])
def test_register_parameter_refuses_bad_names(name, error):
    # a dotted name would load into a submodule's slot; a non-str one breaks dotted names
    m = Net()
    with pytest.raises(error):
        m.register_parameter(name, nn.Parameter(np.ones(1)))
    assert names(m) == BASE and list(m.state_dict()) == BASE


def _grads(m):
    m(tg.ones(2, 3, dtype=tg.float64)).sum().backward()


def test_deepcopy_keeps_attribute_and_registry_identical_and_independent():
    m = Net()
    _grads(m)
    c = copy.deepcopy(m)
    reg = dict(c.named_parameters())
    assert list(reg) == BASE
    assert c.w is reg["w"] and c.b is reg["b"]
    assert c.sub.weight is reg["sub.weight"] and c.sub.bias is reg["sub.bias"]
    for name, p in m.named_parameters():
        q = reg[name]
        assert q is not p and q.numpy() is not p.numpy()
        assert isinstance(q, nn.Parameter) and q.requires_grad and q.is_leaf
        assert q.dtype == p.dtype
        np.testing.assert_array_equal(q.numpy(), p.numpy())
    assert c.label == "plain"
    x = tg.ones(4, 3, dtype=tg.float64)
    np.testing.assert_array_equal(c(x).numpy(), m(x).numpy())
    # the copy trains on its own
    opt = optim.SGD(c.parameters(), lr=0.5)
    c.zero_grad()
    _grads(c)
    opt.step()
    assert c.w is dict(c.named_parameters())["w"]
    assert not np.array_equal(c.w.numpy(), m.w.numpy())
    np.testing.assert_array_equal(m.w.numpy(), [0.0, 1.0, 2.0])


def test_deepcopy_has_its_own_version_counters():
    m = Net()
    loss = (m.w * m.w).sum()  # saves m.w
    loss.backward(retain_graph=True)
    c = copy.deepcopy(m)
    opt = optim.SGD(c.parameters(), lr=0.1)
    c.w.grad = tg.Tensor(np.ones(3))
    opt.step()
    assert c.w._version > 0 and m.w._version == 0
    (g,) = tg.autograd.grad(loss, m.w)  # the original's graph is still valid
    np.testing.assert_allclose(g.numpy(), [0.0, 2.0, 4.0])


def test_deepcopy_after_attribute_changes_keeps_identity():
    m = Net()
    m.w = nn.Parameter(np.full(3, 2.0))
    m.label = nn.Parameter(np.ones(1))
    m.b = None
    c = copy.deepcopy(m)
    reg = dict(c.named_parameters())
    assert list(reg) == ["w", "label", "sub.weight", "sub.bias"]
    assert c.w is reg["w"] and c.label is reg["label"] and c.b is None
    assert list(c.state_dict()) == ["w", "label", "sub.weight", "sub.bias"]


def test_deepcopy_keeps_shared_parameters_shared():
    lin = nn.Linear(2, 2, dtype=tg.float64)
    seq = nn.Sequential(lin, nn.Tanh(), lin)
    c = copy.deepcopy(seq)
    assert c[0] is c[2] and c[0] is not lin
    assert names(c) == ["0.weight", "0.bias"]
    t = copy.deepcopy(Tied())
    assert t.b.weight is t.a.weight
    assert names(t) == ["a.weight", "a.bias", "b.bias"]


def test_state_dict_of_shared_parameters_lists_every_name_like_pytorch():
    # PyTorch: named_parameters() lists a shared parameter once, state_dict() under every
    # name that reaches it ('0.weight', '0.bias', '2.weight', '2.bias')
    lin = nn.Linear(2, 2, dtype=tg.float64)
    seq = nn.Sequential(lin, nn.Tanh(), lin)
    assert names(seq) == ["0.weight", "0.bias"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    t = Tied()
    assert names(t) == ["a.weight", "a.bias", "b.bias"]
    assert list(t.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]


def test_state_dict_round_trip_with_shared_parameters():
    src, dst = Tied(), Tied()
    dst.load_state_dict(src.state_dict())
    assert dst.b.weight is dst.a.weight
    x = tg.ones(3, 2, dtype=tg.float64)
    np.testing.assert_array_equal(dst(x).numpy(), src(x).numpy())


def test_shared_parameters_get_one_optimizer_entry_and_the_summed_gradient():
    lin = nn.Linear(1, 1, bias=False, dtype=tg.float64)
    with tg.no_grad():
        lin.weight.fill_(2.0)
    seq = nn.Sequential(lin, lin)  # y = w·w·x
    opt = optim.SGD(seq.parameters(), lr=0.1)
    seq(tg.tensor([[3.0]], dtype=tg.float64)).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), [[2 * 2.0 * 3.0]])  # d(w²x)/dw
    opt.step()
    np.testing.assert_allclose(lin.weight.numpy(), [[2.0 - 0.1 * 12.0]])


def test_state_dict_and_loading_after_a_submodule_replaced_a_parameter():
    def changed():
        m = Net()
        m.label = nn.Linear(1, 1, dtype=tg.float64)
        m.b = None
        return m

    src, dst = changed(), changed()
    keys = ["w", "sub.weight", "sub.bias", "label.weight", "label.bias"]
    assert list(src.state_dict()) == keys
    dst.load_state_dict(src.state_dict())
    for k in keys:
        np.testing.assert_array_equal(dst.state_dict()[k], src.state_dict()[k])
    before = {k: v.copy() for k, v in dst.state_dict().items()}
    old = Net().state_dict()
    with pytest.raises(RuntimeError, match='"label.weight"'):
        dst.load_state_dict(old)
    for k, v in dst.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_module_semantics_match_pytorch_step_by_step():
    torch = pytest.importorskip("torch")

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(3))
            self.sub = torch.nn.Linear(3, 2)
            self.b = torch.nn.Parameter(torch.ones(2))
            self.label = "plain"

    def tp(shape):
        return torch.nn.Parameter(torch.zeros(shape))

    def gp(shape):
        return nn.Parameter(np.zeros(shape))

    # each step: (attribute, factory of the value given the framework)
    steps = [
        ("w", lambda P, M: None), ("w", lambda P, M: P(3)), ("label", lambda P, M: P(1)),
        ("sub", lambda P, M: None), ("x", lambda P, M: M()), ("sub", lambda P, M: P(2)),
        ("b", lambda P, M: None), ("x", lambda P, M: None), ("x", lambda P, M: M()),
        ("label", lambda P, M: None), ("label", lambda P, M: P(4)),
    ]
    t, g = TNet(), Net()
    for attr, make in steps:
        setattr(t, attr, make(tp, lambda: torch.nn.Linear(1, 1)))
        setattr(g, attr, make(gp, lambda: nn.Linear(1, 1)))
        assert names(g) == [n for n, _ in t.named_parameters()], (attr, names(g))
        assert list(g.state_dict()) == list(t.state_dict()), attr
        assert [n for n, _ in g.named_children()] == [n for n, _ in t.named_children()]


# ====================================================================== 2. optimizers


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


def run_schedule(opt, params, schedule):
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
    history = run_schedule(opt, params, schedule)
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
    history = run_schedule(opt, params, schedule)
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
    history = run_schedule(opt, params, schedule)
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


# ---------------------------------------------------------------- failed steps


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


# ---------------------------------------------------------------- retained graphs


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


# ====================================================================== 3. promotion

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
       "**": operator.pow}


def partials(op, a, b):
    """∂(a op b)/∂a and ∂(a op b)/∂b, in float64."""
    if op == "+":
        return np.ones_like(a * b), np.ones_like(a * b)
    if op == "-":
        return np.ones_like(a * b), -np.ones_like(a * b)
    if op == "*":
        return b * np.ones_like(a), a * np.ones_like(b)
    if op == "/":
        return 1 / b * np.ones_like(a), -a / (b * b)
    return b * a ** (b - 1), a**b * np.log(a)


def reduce_to(g, shape):
    g = np.asarray(g, np.float64)
    while g.ndim > len(shape):
        g = g.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(i, keepdims=True)
    return g


def value_of(x):
    if isinstance(x, tg.Tensor):
        return x.numpy().astype(np.float64)
    return np.asarray(x).astype(np.float64)


def check_binary(op, left, right, want_dtype):
    """left op right: a plain Tensor of want_dtype, numpy's values, and hand gradients."""
    out = OPS[op](left, right)
    assert type(out) is tg.Tensor, f"{op}: got {type(out).__name__}"
    assert out.dtype == np.dtype(want_dtype), f"{op}: dtype {out.dtype}, expected {want_dtype}"
    assert out.dtype.isnative
    a, b = value_of(left), value_of(right)
    want = OPS[op](a, b)
    rtol = tol(out.dtype) * (4 if op == "**" else 1)
    np.testing.assert_allclose(out.numpy().astype(np.float64), want, rtol=rtol, atol=rtol)
    if not out.requires_grad:
        return
    w = np.linspace(-1.0, 1.5, out.numel()).reshape(out.shape)
    out.backward(tg.Tensor(w.astype(out.dtype)))
    da, db = partials(op, a, b)
    for operand, d in ((left, da), (right, db)):
        if isinstance(operand, tg.Tensor) and operand.requires_grad:
            g = operand.grad
            assert g is not None and g.shape == operand.shape and g.dtype == operand.dtype, \
                f"{op}: grad {None if g is None else (g.shape, g.dtype)} for {operand.dtype}"
            want_g = reduce_to(w * d, operand.shape)
            gt = max(tol(operand.dtype), tol(out.dtype)) * (4 if op == "**" else 1)
            np.testing.assert_allclose(g.numpy().astype(np.float64), want_g, rtol=gt,
                                       atol=gt * max(1.0, np.abs(want_g).max(initial=0)))


def positive(shape, dtype, seed=0):
    """Values in [0.5, 2] on a grid of eighths, exact in float16, as `dtype`."""
    rng = np.random.default_rng(seed)
    return (rng.integers(4, 17, size=shape) / 8).astype(dtype)


def ftensor(shape, dtype, seed=0, cls=None):
    data = positive(shape, dtype, seed)
    if cls is nn.Parameter:
        return nn.Parameter(data)
    return tg.Tensor(data, requires_grad=True)


FLOATS = [np.float16, np.float32, np.float64]
INT_ARRAYS = [np.array([1, 2, 3], np.int8), np.array([1, 2, 3], np.int32),
              np.array([1, 2, 3], np.int64), np.array([1, 2, 3], ">i4"),
              np.array([1, 3, 2], np.uint8), np.array([True, False, True])]


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reflected", [False, True])
def test_a_float_tensor_meeting_an_int_or_bool_array_keeps_its_dtype(op, dtype, reflected):
    for arr in INT_ARRAYS:
        t = ftensor((2, 3), dtype)
        if op in ("/", "**") and arr.dtype == bool:
            arr = arr | True  # no 0 in a divisor or under a log
        check_binary(op, *((arr, t) if reflected else (t, arr)), dtype)


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("reflected", [False, True])
@pytest.mark.parametrize("tdtype, adtype, want", [
    (np.float32, np.float64, np.float64), (np.float32, ">f8", np.float64),
    (np.float64, np.float32, np.float64), (np.float64, ">f4", np.float64),
    (np.float16, np.float32, np.float32), (np.float16, np.float64, np.float64),
    (np.float32, np.float16, np.float32), (np.float32, np.float32, np.float32),
])
def test_float_tensor_with_a_float_array_takes_the_wider_dtype(op, reflected, tdtype, adtype,
                                                               want):
    t = ftensor((2, 3), tdtype)
    arr = positive((2, 3), np.float64, seed=1).astype(adtype)
    check_binary(op, *((arr, t) if reflected else (t, arr)), want)


def test_big_endian_arrays_give_correct_native_values_and_gradients():
    arr = np.arange(3, dtype=">f8")
    t = tg.Tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    out = t * arr
    assert out.dtype == np.float64 and out.dtype.isnative
    np.testing.assert_array_equal(out.numpy(), [0.0, 2.0, 6.0])
    out.sum().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_array_equal(t.grad.numpy(), [0.0, 1.0, 2.0])
    out2 = arr - t
    assert type(out2) is tg.Tensor and out2.dtype == np.float64
    np.testing.assert_array_equal(out2.numpy(), [-1.0, -1.0, -1.0])
    # a big-endian array as a tensor's data
    b = tg.Tensor(np.arange(3, dtype=">f8") + 1, requires_grad=True)
    assert b.dtype == np.float64 and b.dtype.isnative
    (b**2).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 4.0, 6.0])


@pytest.mark.parametrize("op", list(OPS))
def test_broadcasting_against_arrays_reduces_gradients(op):
    t = ftensor((2, 1, 3), np.float64)
    arr = positive((4, 1), np.float64, seed=3)
    check_binary(op, t, arr, np.float64)
    t2 = ftensor((4, 1), np.float32)
    check_binary(op, positive((2, 1, 3), np.float64, seed=4), t2, np.float64)


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("left, right, want", [
    (("param", np.float64), ("tensor", np.float32), np.float64),
    (("tensor", np.float32), ("param", np.float64), np.float64),
    (("param", np.float32), ("param", np.float32), np.float32),
    (("param", np.float16), ("array", np.float64), np.float64),
    (("array", np.float64), ("param", np.float32), np.float64),
    (("array", np.int64), ("param", np.float32), np.float32),
    (("param", np.float32), ("array", np.int64), np.float32),
    (("param", np.float32), ("scalar", 2), np.float32),
    (("scalar", 1.5), ("param", np.float16), np.float16),
    (("scalar", 2), ("param", np.float64), np.float64),
])
def test_parameters_on_either_side_give_plain_tensors(op, left, right, want):
    def make(spec, seed):
        kind, d = spec
        if kind == "param":
            return ftensor((3,), d, seed, cls=nn.Parameter)
        if kind == "tensor":
            return ftensor((3,), d, seed)
        if kind == "array":
            return positive((3,), d, seed) if np.dtype(d).kind == "f" else np.array([1, 2, 3], d)
        return d

    check_binary(op, make(left, 5), make(right, 6), want)


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("scalar", [2, 1.5, True])
def test_python_scalars_never_widen_a_float_tensor(op, dtype, scalar):
    for pair in ((ftensor((2, 2), dtype), scalar), (scalar, ftensor((2, 2), dtype))):
        check_binary(op, *pair, dtype)


def test_int_tensor_true_division_gives_the_default_float_dtype():
    # PyTorch: integer / integer is true division in the default dtype (float32)
    i, j = tg.tensor([1, 2, 3]), tg.tensor([2, 4, 4])
    for out in (i / j, i / 2, 6 / i, i / np.array([2, 4, 4])):
        assert out.dtype == np.float32, out.dtype
    np.testing.assert_allclose((i / j).numpy(), [0.5, 0.5, 0.75])


TENSOR_DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_]


def torch_dtype_to_numpy(torch, d):
    return torch.empty(0, dtype=d).numpy().dtype


def _tg_and_torch(torch, spec, seed):
    """A tg operand and its PyTorch twin for a spec (kind, dtype or value, shape)."""
    kind, what, shape = spec
    if kind == "scalar":
        return what, what
    d = np.dtype(what)
    rng = np.random.default_rng(seed)
    if d.kind == "f":
        arr = (rng.integers(4, 17, size=shape) / 8).astype(d)
    elif d.kind == "b":
        arr = np.ones(shape, bool)  # True only: no 0 ** negative, no division by False
    else:
        arr = rng.integers(1, 4, size=shape).astype(d)
    if kind == "array":
        return arr, torch.tensor(arr)
    rg = d.kind == "f"
    return tg.Tensor(arr, requires_grad=rg), torch.tensor(arr, requires_grad=rg)


def compare_with_torch(torch, op, left, right):
    """One binary op in tg and PyTorch; returns a problem description or None."""
    a, ta = _tg_and_torch(torch, left, 1)
    b, tb = _tg_and_torch(torch, right, 2)
    try:
        want = OPS[op](ta, tb)
    except Exception:  # PyTorch refuses (bool subtraction, ...): not compared
        return None
    try:
        got = OPS[op](a, b)
    except Exception as e:  # noqa: BLE001
        return f"{left} {op} {right}: raised {type(e).__name__}: {e}"
    want_dtype = torch_dtype_to_numpy(torch, want.dtype)
    da, db = (v.dtype if isinstance(v, tg.Tensor) else np.asarray(v).dtype for v in (a, b))
    if op == "/" and "f" not in (da.kind, db.kind):
        # integer / integer: its own test (test_int_tensor_true_division_...)
        return None
    if op == "**" and da == np.bool_ and db == np.bool_:
        # bool ** bool: numpy has no bool power loop and gives int8, PyTorch keeps bool; a
        # departure left alone
        return None
    if not isinstance(got, tg.Tensor):
        return f"{left} {op} {right}: returned {type(got).__name__}"
    if got.dtype != want_dtype:
        return f"{left} {op} {right}: dtype {got.dtype}, PyTorch {want_dtype}"
    rtol = tol(want_dtype) * 4 if want_dtype.kind == "f" else 0
    if not np.allclose(got.numpy().astype(np.float64), want.detach().numpy().astype(np.float64),
                       rtol=rtol, atol=rtol):
        return f"{left} {op} {right}: values {got.numpy()} vs {want.detach().numpy()}"
    if want.requires_grad:
        try:
            want.sum().backward()
        except Exception:  # PyTorch cannot differentiate it (bool subtraction): not compared
            return None
        got.sum().backward()
        for ours, theirs, spec in ((a, ta, left), (b, tb, right)):
            if isinstance(ours, tg.Tensor) and ours.requires_grad:
                g, tgrad = ours.grad, theirs.grad.numpy()
                if g is None or g.dtype != tgrad.dtype or g.shape != tgrad.shape:
                    return f"{left} {op} {right}: grad of {spec} is " \
                           f"{None if g is None else (g.dtype, g.shape)}, PyTorch " \
                           f"{(tgrad.dtype, tgrad.shape)}"
                gt = max(tol(g.dtype), tol(want_dtype)) * 4
                if not np.allclose(g.numpy().astype(np.float64), tgrad.astype(np.float64),
                                   rtol=gt, atol=gt):
                    return f"{left} {op} {right}: grad of {spec} {g.numpy()} vs {tgrad}"
    return None


def run_torch_matrix(pairs):
    torch = pytest.importorskip("torch")
    problems = []
    for op in OPS:
        for left, right in pairs:
            for lr in ((left, right), (right, left)):
                p = compare_with_torch(torch, op, *lr)
                if p:
                    problems.append(p)
    if problems:
        pytest.fail(f"{len(problems)} mismatches with PyTorch, e.g.:\n" + "\n".join(problems[:12]))


def test_tensor_tensor_promotion_matches_pytorch():
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    pairs = [(x, y) for i, x in enumerate(specs) for y in specs[i:]]
    run_torch_matrix(pairs)


def test_zero_dim_tensor_promotion_matches_pytorch():
    # PyTorch: a 0-d tensor of the same category does not widen a dimensioned one
    dims = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    zeros = [("tensor", d, ()) for d in TENSOR_DTYPES]
    run_torch_matrix([(x, y) for x in dims for y in zeros])


def test_python_scalar_promotion_matches_pytorch():
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    scalars = [("scalar", v, ()) for v in (2, 1.5, True)]
    run_torch_matrix([(x, s) for x in specs for s in scalars])


def test_numpy_scalar_promotion_matches_pytorch():
    # PyTorch treats numpy scalars like Python numbers: they never widen a tensor of their
    # category (float16 tensor * np.float64(1.5) is float16)
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    # np.bool_ is left out: PyTorch turns a numpy bool into a float (int tensor + np.True_ is
    # float32), a quirk not copied here; numpy bools act as bools
    scalars = [("scalar", v, ()) for v in (np.float64(1.5), np.float32(1.5), np.float16(1.5),
                                           np.int64(2), np.int32(2))]
    run_torch_matrix([(x, s) for x in specs for s in scalars])


def test_array_promotion_matches_pytorch_with_the_array_as_a_tensor():
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    arrays = [("array", d, (2, 3)) for d in TENSOR_DTYPES if np.dtype(d).kind != "f"] + \
        [("array", d, (3,)) for d in (np.float16, np.float32, np.float64)]
    # int tensors meeting int arrays, and any tensor meeting a float array: PyTorch's rule for
    # two dimensioned tensors; a float tensor meeting an int/bool array keeps its dtype
    run_torch_matrix([(x, a) for x in specs for a in arrays])


# ====================================================================== 4. mse_loss, linear


@st.composite
def mse_cases(draw):
    dtype = draw(st.sampled_from(FLOATS))
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


@pytest.mark.parametrize("dtype", FLOATS)
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
