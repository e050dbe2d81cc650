"""nn: Module registration and state, Parameter, Linear, Sequential, MLP, LogisticRegression."""

from itertools import pairwise

import numpy as np
import pytest
from hostile import Refused, check_sizes, hostile_input, run_or_refused, sizes
from hypothesis import example, given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn


class Block(nn.Module):
    """Parameters and submodules assigned in a deliberately unsorted order."""

    def __init__(self):
        super().__init__()
        self.z = nn.Parameter(np.zeros(2))
        self.inner = nn.Linear(2, 3, dtype=tg.float64)
        self.a = nn.Parameter(np.ones((3, 1)))
        self.note = "not registered"

    def forward(self, x):
        return self.inner(x * self.z) @ self.a


def snapshot(module):
    return {name: p.numpy().copy() for name, p in module.named_parameters()}


def assert_unchanged(module, before):
    after = snapshot(module)
    assert list(after) == list(before)
    for name in before:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)


def numpy_textbook_forward(Ws, X, output_tanh):
    """x(ℓ) = θ(W(ℓ)ᵀ [1; x(ℓ−1)]) for each point, written per the course (rows are points)."""
    x = X
    for ell, W in enumerate(Ws, 1):
        s = np.hstack([np.ones((len(x), 1)), x]) @ W
        x = np.tanh(s) if ell < len(Ws) or output_tanh else s
    return x


# ---------------------------------------------------------------- Parameter


def test_parameter_is_a_leaf_tensor_requiring_grad():
    p = nn.Parameter(np.array([1.0, 2.0]))
    assert isinstance(p, tg.Tensor)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 4.0])
    assert type(p * 2) is tg.Tensor


def test_parameter_copies_data_and_keeps_float_dtype():
    arr = np.array([1.0, 2.0], dtype=np.float64)
    p = nn.Parameter(arr)
    arr[0] = 99.0
    assert p.dtype == np.float64
    np.testing.assert_array_equal(p.numpy(), [1.0, 2.0])
    assert nn.Parameter([1.0]).dtype == tg.get_default_dtype()
    assert not nn.Parameter([1.0], requires_grad=False).requires_grad


def test_parameter_rejects_integer_data():
    with pytest.raises(TypeError, match="floating dtype, got int64"):
        nn.Parameter(np.array([1, 2]))


def test_parameter_repr_names_it():
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:\ntensor([1.]")


# ---------------------------------------------------------------- Module


def test_parameters_and_modules_register_in_assignment_order():
    b = Block()
    names = [n for n, _ in b.named_parameters()]
    assert names == ["z", "a", "inner.weight", "inner.bias"]
    assert [n for n, _ in b.named_children()] == ["inner"]
    assert list(b.children()) == [b.inner]
    assert b.note == "not registered"
    assert [p is q for p, q in zip(b.parameters(), [b.z, b.a, b.inner.weight,
                                                      b.inner.bias], strict=True)] == [True] * 4


def test_nested_names_are_dotted_and_modules_depth_first():
    net = nn.Sequential(Block(), nn.Sequential(nn.Linear(1, 2), nn.Tanh()))
    assert [n for n, _ in net.named_parameters()] == [
        "0.z", "0.a", "0.inner.weight", "0.inner.bias", "1.0.weight", "1.0.bias"]
    assert [n for n, _ in net.named_modules()] == ["", "0", "0.inner", "1", "1.0", "1.1"]
    assert [type(m).__name__ for m in net.modules()] == [
        "Sequential", "Block", "Linear", "Sequential", "Linear", "Tanh"]


def test_shared_parameter_is_listed_once():
    lin = nn.Linear(2, 2)
    net = nn.Sequential(lin, nn.Tanh(), lin)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]


def test_reassigning_a_parameter_keeps_its_place_and_plain_values_are_refused():
    b = Block()
    new = nn.Parameter(np.full(2, 5.0))
    b.z = new
    assert b.z is new and next(iter(b.parameters())) is new
    with pytest.raises(TypeError, match="cannot assign ndarray to parameter 'z'"):
        b.z = np.zeros(2)
    b.z = None
    assert [n for n, _ in b.named_parameters()] == ["a", "inner.weight", "inner.bias"]
    del b.a
    assert [n for n, _ in b.named_parameters()] == ["inner.weight", "inner.bias"]
    with pytest.raises(AttributeError, match="has no attribute 'a'"):
        _ = b.a


def test_an_attribute_reads_what_its_registry_holds_through_every_change():
    b = Block()
    b.z = None
    assert b.z is None and b._parameters["z"] is None
    with pytest.raises(TypeError, match="cannot assign Tanh to parameter 'z'"):
        b.z = nn.Tanh()  # as in PyTorch: a parameter's name takes a Parameter or None only
    inner = b.inner
    b.inner = nn.Parameter(np.ones(1))  # but a Parameter may replace a submodule
    assert "inner" not in b._modules and b.inner is b._parameters["inner"]
    with pytest.raises(TypeError, match="cannot assign Linear to parameter 'inner'"):
        b.inner = inner
    del b.inner  # as in PyTorch, the name is free again only once deleted
    b.inner = inner
    assert b.inner is inner and "inner" not in b._parameters
    p = nn.Parameter(np.ones(1))
    b.register_parameter("z", p)
    assert b.z is p and "z" not in b._modules
    b.note = nn.Parameter(np.ones(1))  # a plain attribute becomes a parameter
    assert b.note is b._parameters["note"]
    del b.z, b.note, b.inner
    for name in ("z", "note", "inner"):
        assert not hasattr(b, name) and name not in b._parameters and name not in b._modules
    b._parameters["direct"] = p  # written into the registry by hand, as some PyTorch code does
    assert b.direct is p and [n for n, _ in b.named_parameters()][-1] == "direct"


def test_assigning_before_init_raises():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)


def test_zero_grad_sets_grads_to_none_or_zero():
    b = Block()
    b(tg.ones(4, 2, dtype=tg.float64)).sum().backward()
    assert all(p.grad is not None for p in b.parameters())
    b.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) and p.grad.shape == p.shape for p in b.parameters())
    b.zero_grad()
    assert all(p.grad is None for p in b.parameters())


def test_train_and_eval_reach_every_submodule():
    net = nn.Sequential(Block(), nn.Sequential(nn.Tanh()))
    assert net.eval() is net
    assert [m.training for m in net.modules()] == [False] * 5
    net.train()
    assert [m.training for m in net.modules()] == [True] * 5


def test_repr_lists_children():
    net = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    assert repr(net) == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)"
                         "\n  (1): Tanh()\n)")


# ---------------------------------------------------------------- state_dict


def test_state_dict_is_an_ordered_copy():
    b = Block()
    sd = b.state_dict()
    assert list(sd) == ["z", "a", "inner.weight", "inner.bias"]
    sd["z"][0] = 42.0
    assert b.z.numpy()[0] == 0.0
    np.testing.assert_array_equal(sd["inner.weight"], b.inner.weight.numpy())


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(0, 2**16))
def test_state_dict_round_trip_reproduces_the_model(sizes, seed):
    tg.manual_seed(seed)
    src = nn.MLP(sizes, dtype=tg.float64)
    dst = nn.MLP(sizes, dtype=tg.float64)
    keep = [p for p in dst.parameters()]
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert all(p is q for p, q in zip(dst.parameters(), keep, strict=True))  # written in place
    x = tg.randn(3, sizes[0], dtype=tg.float64)
    np.testing.assert_array_equal(dst(x).numpy(), src(x).numpy())


def test_load_state_dict_accepts_tensors():
    lin, other = nn.Linear(2, 1), nn.Linear(2, 1)
    lin.load_state_dict({k: tg.Tensor(v) for k, v in other.state_dict().items()})
    np.testing.assert_array_equal(lin.weight.numpy(), other.weight.numpy())


@pytest.mark.parametrize("edit, message", [
    (lambda sd: sd.pop("inner.bias"), 'Missing key\\(s\\) in state_dict: "inner.bias"'),
    (lambda sd: sd.update(extra=np.zeros(1)), 'Unexpected key\\(s\\) in state_dict: "extra"'),
    (lambda sd: sd.update(a=np.zeros((1, 3))),
     r"size mismatch for a: copying a param with shape \(1, 3\) from checkpoint, "
     r"the shape in current model is \(3, 1\)"),
    (lambda sd: sd.update(a=[[0.0], [0.0], [0.0]]), "expected an ndarray for 'a', got list"),
])
def test_bad_state_dict_raises_and_changes_nothing(edit, message):
    b = Block()
    before = snapshot(b)
    sd = {k: v + 1.0 for k, v in b.state_dict().items()}  # every other value would change
    edit(sd)
    with pytest.raises(RuntimeError, match=message):
        b.load_state_dict(sd)
    assert_unchanged(b, before)


def test_load_state_dict_reports_every_problem_at_once():
    b = Block()
    sd = b.state_dict()
    del sd["z"]
    sd["a"] = np.zeros(2)
    sd["bogus"] = np.zeros(1)
    with pytest.raises(RuntimeError) as info:
        b.load_state_dict(sd)
    text = str(info.value)
    assert text.startswith("Error(s) in loading state_dict for Block:")
    assert '"z"' in text and '"bogus"' in text and "size mismatch for a" in text


def test_non_strict_load_skips_missing_and_unexpected_keys():
    b = Block()
    result = b.load_state_dict({"z": np.array([3.0, 4.0]), "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["a", "inner.weight", "inner.bias"]
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(b.z.numpy(), [3.0, 4.0])
    with pytest.raises(RuntimeError, match="size mismatch for z"):
        b.load_state_dict({"z": np.zeros(3)}, strict=False)


def test_load_state_dict_casts_values_to_each_parameters_dtype():
    # PyTorch copies a float64 (or int) checkpoint into a float32 model, casting
    model = nn.Linear(2, 1, dtype=tg.float32)
    sd = {"weight": np.array([[0.1, 2.0]]), "bias": np.array([3])}
    result = model.load_state_dict(sd)
    assert result == ([], []) and result._fields == ("missing_keys", "unexpected_keys")
    assert model.weight.dtype == np.float32 and model.bias.dtype == np.float32
    np.testing.assert_array_equal(model.weight.numpy(), np.float32([[0.1, 2.0]]))
    assert model.bias.tolist() == [3.0]
    before = snapshot(model)
    with pytest.raises(RuntimeError, match="size mismatch for bias"):  # nothing half-loaded
        model.load_state_dict({"weight": np.zeros((1, 2)), "bias": np.zeros(2)})
    assert_unchanged(model, before)


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="expected a mapping"):
        Block().load_state_dict([("z", np.zeros(2))])


# ---------------------------------------------------------------- Linear


def test_linear_layout_and_default_init_match_pytorch():
    tg.manual_seed(7)
    lin = nn.Linear(50, 40)
    rng = np.random.default_rng(7)
    bound = 1 / np.sqrt(50)
    expect_w = rng.uniform(-bound, bound, (40, 50)).astype(np.float32)
    expect_b = rng.uniform(-bound, bound, 40).astype(np.float32)
    assert lin.weight.shape == (40, 50) and lin.bias.shape == (40,)
    assert lin.weight.dtype == np.float32 and lin.bias.dtype == np.float32
    np.testing.assert_array_equal(lin.weight.numpy(), expect_w)
    np.testing.assert_array_equal(lin.bias.numpy(), expect_b)
    w = lin.weight.numpy()
    assert np.abs(w).max() <= bound and w.max() > 0.95 * bound and w.min() < -0.95 * bound


def test_linear_is_reproducible_after_manual_seed():
    tg.manual_seed(3)
    a = nn.Linear(4, 2)
    tg.manual_seed(3)
    b = nn.Linear(4, 2)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())


@pytest.mark.parametrize("batch", [(), (5,), (2, 3)])
def test_linear_computes_x_wt_plus_b(batch):
    lin = nn.Linear(4, 3, dtype=tg.float64)
    x = np.random.default_rng(0).standard_normal(batch + (4,))
    y = lin(tg.Tensor(x))
    assert y.shape == batch + (3,)
    expect = x @ lin.weight.numpy().T + lin.bias.numpy()
    np.testing.assert_allclose(y.numpy(), expect, rtol=1e-12)


def test_linear_gradients_match_closed_form():
    lin = nn.Linear(3, 2, dtype=tg.float64)
    x = np.random.default_rng(1).standard_normal((5, 3))
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), np.tile(x.sum(0), (2, 1)))
    np.testing.assert_allclose(lin.bias.grad.numpy(), [5.0, 5.0])


def test_linear_without_bias():
    lin = nn.Linear(3, 2, bias=False, dtype=tg.float64)
    assert lin.bias is None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    x = np.ones((1, 3))
    np.testing.assert_allclose(lin(x).numpy(), x @ lin.weight.numpy().T)


def test_linear_wrong_feature_count_names_expected_and_given():
    with pytest.raises(ValueError, match=r"expected input with 3 features .*shape \(5, 4\)"):
        nn.Linear(3, 2)(tg.zeros(5, 4))
    with pytest.raises(ValueError, match=r"expected input with 3 features .*shape \(\)"):
        nn.Linear(3, 2)(tg.Tensor(1.0))


@pytest.mark.parametrize("args", [(0, 2), (2, -1), (2.5, 2), (True, 2)])
def test_linear_rejects_bad_sizes(args):
    with pytest.raises(ValueError, match="must be a positive int"):
        nn.Linear(*args)


# ---------------------------------------------------------------- activations, Sequential


def test_activation_modules():
    x = tg.Tensor(np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(x.numpy()))
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-x.numpy())))
    np.testing.assert_array_equal(nn.ReLU()(x).numpy(), [0.0, 0.0, 3.0])
    assert nn.Identity()(x) is x


def test_sequential_indexing_length_iteration_and_forward():
    lin1, act, lin2 = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(lin1, act, lin2)
    assert len(seq) == 3 and seq[0] is lin1 and seq[-1] is lin2
    assert list(seq) == [lin1, act, lin2]
    assert list(seq[1:]) == [act, lin2]
    x = tg.randn(4, 2)
    np.testing.assert_array_equal(seq(x).numpy(), lin2(act(lin1(x))).numpy())
    with pytest.raises(TypeError, match="argument 1 is a ufunc, not a Module"):
        nn.Sequential(lin1, np.tanh)


# ---------------------------------------------------------------- MLP


def test_mlp_structure_and_names():
    net = nn.MLP([2, 3, 1])
    assert [n for n, _ in net.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [lin.weight.shape for lin in net.layers] == [(3, 2), (1, 3)]


@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4), seed=st.integers(0, 2**16),
       output_tanh=st.booleans())
def test_mlp_matches_the_textbook_forward_and_round_trips(sizes, seed, output_tanh):
    tg.manual_seed(seed)
    out = "tanh" if output_tanh else None
    net = nn.MLP(sizes, output_activation=out, dtype=tg.float64)
    Ws = net.to_textbook_weights()
    assert [W.shape for W in Ws] == [(a + 1, b) for a, b in pairwise(sizes)]
    for W, lin in zip(Ws, net.layers, strict=True):
        np.testing.assert_array_equal(W[0], lin.bias.numpy())
        np.testing.assert_array_equal(W[1:], lin.weight.numpy().T)
    X = np.random.default_rng(seed).standard_normal((3, sizes[0]))
    expect = numpy_textbook_forward(Ws, X, output_tanh)
    np.testing.assert_allclose(net(tg.Tensor(X)).numpy(), expect, rtol=1e-12, atol=1e-14)
    back = nn.MLP.from_textbook_weights(Ws, output_activation=out)
    assert back.sizes == sizes
    np.testing.assert_array_equal(back(tg.Tensor(X)).numpy(), net(tg.Tensor(X)).numpy())
    for W, V in zip(back.to_textbook_weights(), Ws, strict=True):
        np.testing.assert_array_equal(W, V)


def test_from_textbook_weights_uses_exactly_the_given_weights():
    W1 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])  # d0 = 2 inputs, 2 units
    W2 = np.array([[0.7], [0.8], [-0.9]])
    net = nn.MLP.from_textbook_weights([W1, W2])
    assert net.sizes == [2, 2, 1] and net.layers[0].weight.dtype == np.float64
    np.testing.assert_array_equal(net.layers[0].weight.numpy(), [[0.3, -0.5], [0.4, 0.6]])
    np.testing.assert_array_equal(net.layers[0].bias.numpy(), [0.1, -0.2])
    x = np.array([[1.0, 2.0]])
    hidden = np.tanh(np.array([0.1 + 0.3 - 1.0, -0.2 + 0.4 + 1.2]))
    expect = np.tanh(0.7 + 0.8 * hidden[0] - 0.9 * hidden[1])
    np.testing.assert_allclose(net(tg.Tensor(x)).numpy(), [[expect]], rtol=1e-14)
    assert nn.MLP.from_textbook_weights([W1, W2], dtype=tg.float32).layers[1].bias.dtype == \
        np.float32


@pytest.mark.parametrize("Ws, message", [
    ([np.zeros((3, 2)), np.zeros((4, 1))], r"W\(2\) has shape \(4, 1\) .* needs 3 rows"),
    ([np.zeros(3)], r"W\(1\) must be a real 2-D array"),
    ([], "got no weight matrices"),
])
def test_from_textbook_weights_validates_the_chain(Ws, message):
    with pytest.raises(ValueError, match=message):
        nn.MLP.from_textbook_weights(Ws)


def test_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        nn.MLP([2, 1], activation="softsign")
    with pytest.raises(ValueError, match="at least"):
        nn.MLP([2])


def test_mlp_relu_hidden_and_linear_output():
    net = nn.MLP([2, 3, 2], activation="relu", output_activation=None, dtype=tg.float64)
    x = np.random.default_rng(2).standard_normal((4, 2))
    (l1, l2) = net.layers
    hidden = np.maximum(x @ l1.weight.numpy().T + l1.bias.numpy(), 0)
    expect = hidden @ l2.weight.numpy().T + l2.bias.numpy()
    np.testing.assert_allclose(net(tg.Tensor(x)).numpy(), expect, rtol=1e-12)


# ---------------------------------------------------------------- LogisticRegression


def test_logistic_regression_scores_and_probabilities():
    model = nn.LogisticRegression(3, dtype=tg.float64)
    assert [n for n, _ in model.named_parameters()] == ["linear.weight", "linear.bias"]
    X = np.random.default_rng(4).standard_normal((6, 3))
    w, b = model.linear.weight.numpy()[0], model.linear.bias.numpy()[0]
    s = model(tg.Tensor(X))
    assert s.shape == (6,)
    np.testing.assert_allclose(s.numpy(), X @ w + b, rtol=1e-12)
    proba = model.predict_proba(tg.Tensor(X))
    assert proba.shape == (6,)
    np.testing.assert_allclose(proba.numpy(), 1 / (1 + np.exp(-(X @ w + b))), rtol=1e-12)
    assert model(tg.Tensor(X[0])).shape == ()


@pytest.mark.parametrize("seed", range(5))
def test_logistic_regression_gradient_is_the_closed_form(seed):
    tg.manual_seed(seed)
    model = nn.LogisticRegression(2, dtype=tg.float64)
    X = np.random.default_rng(5).standard_normal((8, 2))
    y = np.array([1, -1, 1, 1, -1, -1, 1, -1])
    nn.functional.logistic_loss(model(tg.Tensor(X)), y).backward()
    s = X @ model.linear.weight.numpy()[0] + model.linear.bias.numpy()[0]
    coef = -y / (1 + np.exp(y * s)) / len(y)  # ∇E = −1/N Σ yₙ xₙ / (1 + e^(yₙ sₙ))
    # each is a sum of per-point terms of both signs, so it can cancel to far below its
    # terms: the honest bound is a few roundings of Σ |term|, not of the (small) sum
    gw, gb = model.linear.weight.grad.numpy()[0], model.linear.bias.grad.numpy()[0]
    np.testing.assert_array_less(np.abs(gw - coef @ X), 1e-14 * (np.abs(coef) @ np.abs(X)))
    assert abs(gb - coef.sum()) < 1e-14 * np.abs(coef).sum()


@hostile_input
@given(sizes, sizes)
@example(10**30, 1)  # numpy's message did not name Linear
def test_linear_layer_with_hostile_sizes(n_in, n_out):
    def expected():
        shape = check_sizes([n_out, n_in])
        if min(shape) < 1:
            raise Refused
        return shape

    got = run_or_refused(lambda: tg.nn.Linear(n_in, n_out), expected, "Linear")
    if got:
        layer, shape = got
        assert layer.weight.shape == shape and layer.bias.shape == shape[:1]
