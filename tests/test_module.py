"""nn.Module attribute semantics: registration, re-assignment, None, del,
register_parameter, missing attributes, deepcopy identity, state_dict, shared parameters."""

import copy

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def names(module):
    return [n for n, _ in module.named_parameters()]


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
