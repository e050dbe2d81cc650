"""PyTorch conformance of nn: Module state and traversal, containers, layers, normalisation,
activations, losses, nn.init and nn.utils. Each test checks a closed form or numpy; the
`*_torch` tests also compare with PyTorch when it is installed."""

import math
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu.autograd.gradcheck import gradcheck


def torch_or_skip():
    return pytest.importorskip("torch")


def t64(a, requires_grad=False):
    return tg.tensor(np.asarray(a, np.float64), requires_grad=requires_grad)


RNG = np.random.default_rng(0)

# ---------------------------------------------------------------- Module


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.register_buffer("scale", tg.tensor([2.0]))
        self.register_buffer("cache", tg.tensor([0.0]), persistent=False)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(4, 2))

    def forward(self, x):
        return self.head(self.bn(self.fc(x)) * self.scale)


def test_state_dict_order_and_buffers():
    net = Net()
    assert list(net.state_dict()) == [
        "scale", "fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean",
        "bn.running_var", "bn.num_batches_tracked", "head.1.weight", "head.1.bias"]
    assert [n for n, _ in net.named_buffers()] == [
        "scale", "cache", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]
    assert net.state_dict()["bn.num_batches_tracked"].dtype == np.int64
    assert isinstance(net.state_dict()["fc.weight"], np.ndarray)  # API.md: name → ndarray
    assert net.state_dict(keep_vars=True)["fc.weight"] is net.fc.weight


def test_state_dict_names_match_torch():
    torch = torch_or_skip()
    tnn = torch.nn

    class TNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc = tnn.Linear(3, 4)
            self.bn = tnn.BatchNorm1d(4)
            self.register_buffer("scale", torch.tensor([2.0]))
            self.register_buffer("cache", torch.tensor([0.0]), persistent=False)
            self.head = tnn.Sequential(tnn.ReLU(), tnn.Linear(4, 2))

    assert list(TNet().state_dict()) == list(Net().state_dict())
    assert [n for n, _ in TNet().named_buffers()] == [n for n, _ in Net().named_buffers()]
    assert [n for n, _ in TNet().named_modules()] == [n for n, _ in Net().named_modules()]
    assert repr(TNet()).replace("TNet", "Net") == repr(Net())


def test_load_state_dict_casts_and_reports_keys(tmp_path):
    a, b = Net(), Net()
    sd = a.state_dict()
    sd["fc.weight"] = sd["fc.weight"].astype(np.float64)
    sd["bn.num_batches_tracked"] = np.array(7)
    b.load_state_dict(sd)
    assert b.fc.weight.dtype == np.float32
    np.testing.assert_array_equal(b.fc.weight.numpy(), a.fc.weight.numpy())
    assert int(b.bn.num_batches_tracked.item()) == 7
    del sd["bn.bias"]
    sd["extra"] = np.zeros(1)
    res = b.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["bn.bias"] and res.unexpected_keys == ["extra"]
    assert res == (["bn.bias"], ["extra"])
    with pytest.raises(RuntimeError, match="bn.bias"):
        b.load_state_dict(sd)
    # round trip through tg.save / tg.load
    path = tmp_path / "m.tg"
    tg.save(a.state_dict(), path)
    c = Net()
    c.load_state_dict(tg.load(path))
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(c.state_dict()[k], v)


def test_state_dict_with_buffers_through_safetensors_both_ways(tmp_path):
    torch = torch_or_skip()
    pytest.importorskip("safetensors")
    from safetensors.torch import load_file, save_file

    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ours(tg.randn(5, 3))
    tg.save(ours.state_dict(), tmp_path / "ours.safetensors")
    assert repr(theirs.load_state_dict(load_file(tmp_path / "ours.safetensors"))) \
        == "<All keys matched successfully>"
    theirs[1](torch.randn(6, 4))
    save_file(theirs.state_dict(), tmp_path / "theirs.safetensors")
    res = ours.load_state_dict(tg.load(tmp_path / "theirs.safetensors"))
    assert repr(res) == "<All keys matched successfully>"
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[k], v.numpy())
    assert int(ours[1].num_batches_tracked.item()) == 2


def test_module_traversal_apply_to_requires_grad():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["fc", "bn", "head"]
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "BatchNorm1d", "ReLU", "Linear", "Sequential", "Net"]
    w = net.fc.weight
    assert net.double() is net and net.fc.weight is w and w.dtype == np.float64
    assert net.bn.running_mean.dtype == np.float64
    assert net.bn.num_batches_tracked.dtype == np.int64  # integers are not cast
    net.half()
    assert w.dtype == np.float16
    net.to(tg.float32).to("cpu")
    assert w.dtype == np.float32
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    assert len(list(net.parameters(recurse=False))) == 0
    with pytest.raises(TypeError):
        net.to(tg.int64)


def test_train_eval_and_forward_hook():
    net = Net()
    assert net.eval() is net and not net.head[1].training
    with pytest.raises(ValueError):
        net.train("yes")
    net.train()
    assert all(m.training for m in net.modules())
    calls = []
    h = net.fc.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out * 0)
    y = net(tg.randn(5, 3))
    assert calls == [(5, 4)]
    np.testing.assert_allclose(net.bn.running_mean.numpy(), 0)  # the hook zeroed fc's output
    h.remove()
    net(tg.randn(5, 3))
    assert len(calls) == 1 and y.shape == (5, 2)


def test_buffer_assignment_rules():
    m = nn.Module()
    m.register_buffer("b", tg.zeros(2))
    m.b = tg.ones(2)
    assert list(m.state_dict()) == ["b"] and m.state_dict()["b"].tolist() == [1, 1]
    with pytest.raises(TypeError):
        m.b = 3
    with pytest.raises(KeyError):
        m.register_buffer("a.b", None)
    del m.b
    assert list(m.state_dict()) == []


# ---------------------------------------------------------------- containers


def test_sequential_indexing_slicing_append():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(s) == 3 and isinstance(s[-1], nn.Linear) and s[1] is list(s)[1]
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    s.append(nn.Sigmoid())
    assert len(s) == 4 and "3.weight" not in s.state_dict()
    del s[0]
    assert list(s.state_dict()) == ["1.weight", "1.bias"]
    with pytest.raises(IndexError):
        s[10]
    od = nn.Sequential(OrderedDict([("a", nn.Linear(1, 1)), ("b", nn.Tanh())]))
    assert list(od.state_dict()) == ["a.weight", "a.bias"] and od(tg.ones(2, 1)).shape == (2, 1)


def test_module_list_dict_parameter_list_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    assert len(ml) == 4 and list(ml.state_dict())[:2] == ["0.weight", "0.bias"]
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 3
    assert repr(ml).splitlines()[1].startswith("  (0-2): 3 x Linear(")
    md = nn.ModuleDict({"enc": nn.Linear(2, 2), "act": nn.ReLU()})
    assert list(md) == ["enc", "act"] and "enc" in md and len(md) == 2
    assert list(md.state_dict()) == ["enc.weight", "enc.bias"]
    pl = nn.ParameterList([tg.ones(2), nn.Parameter(tg.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    assert list(pl.state_dict()) == ["0", "1"]
    pd = nn.ParameterDict({"a": tg.ones(1)})
    pd["b"] = nn.Parameter(tg.zeros(2))
    assert list(pd.keys()) == ["a", "b"] and [n for n, _ in pd.named_parameters()] == ["a", "b"]


def test_container_reprs_match_torch():
    torch = torch_or_skip()
    ours = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Dropout(0.2)])
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 2),
                                  torch.nn.ReLU(), torch.nn.Dropout(0.2)])
    assert repr(ours) == repr(theirs)
    ours = nn.ParameterList([nn.Parameter(tg.zeros(2, 3)), tg.ones(1)])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3)), torch.ones(1)])
    assert repr(ours) == repr(theirs)
    ours = nn.ParameterDict({"a": tg.zeros(2)})
    assert repr(ours) == repr(torch.nn.ParameterDict({"a": torch.zeros(2)}))
    for mk in [lambda n: n.Flatten(), lambda n: n.Unflatten(1, (2, 3)), lambda n: n.GELU(),
               lambda n: n.LeakyReLU(0.2), lambda n: n.ELU(), lambda n: n.Softmax(dim=1),
               lambda n: n.Softplus(2.0, 10.0), lambda n: n.Hardtanh(), lambda n: n.ReLU6(),
               lambda n: n.Embedding(5, 2, padding_idx=0), lambda n: n.LayerNorm(4),
               lambda n: n.BatchNorm2d(3, momentum=None), lambda n: n.Identity(),
               lambda n: n.SiLU(), lambda n: n.Mish(), lambda n: n.ReLU(inplace=True),
               lambda n: n.BatchNorm1d(2, bias=False), lambda n: n.LayerNorm(2, bias=False),
               lambda n: n.LayerNorm(2, elementwise_affine=False)]:
        assert repr(mk(nn)) == repr(mk(torch.nn))


def test_flatten_unflatten_identity():
    x = tg.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
    assert nn.Unflatten(-1, (-1, 5))(tg.zeros(2, 10)).shape == (2, 2, 5)
    assert nn.Identity(54, unused=1)(x) is x


# ---------------------------------------------------------------- layers


def test_embedding_padding_idx_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=1)
    np.testing.assert_array_equal(emb.weight.numpy()[1], 0)
    idx = tg.tensor([[0, 1], [1, 4]])
    out = emb(idx)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), emb.weight.numpy()[idx.numpy()])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [1, 0, 0, 0, 1])
    with pytest.raises(IndexError):
        emb(tg.tensor([5]))
    with pytest.raises(IndexError):
        emb(tg.tensor([-1]))


def test_embedding_max_norm():
    emb = nn.Embedding(3, 2, max_norm=1.0)
    with tg.no_grad():
        emb.weight.copy_(np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    emb(tg.tensor([0, 1]))
    np.testing.assert_allclose(np.linalg.norm(emb.weight.numpy(), axis=1), [1, 0.5, 10],
                               rtol=1e-5)


def test_dropout_train_and_eval():
    tg.manual_seed(0)
    d = nn.Dropout(0.25)
    x = tg.ones(4000)
    y = d(x).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.75).item()} and abs((y == 0).mean() - 0.25) < 0.03
    assert d.eval()(x) is x
    assert F.dropout(x, 1.0).numpy().sum() == 0 and F.dropout(x, 0.5, training=False) is x
    with pytest.raises(ValueError):
        nn.Dropout(1.5)


def numpy_batch_norm(x, dims):
    mean = x.mean(dims, keepdims=True)
    var = x.var(dims, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5), mean.ravel(), x.var(dims, ddof=1)


@pytest.mark.parametrize("cls, shape, dims", [(nn.BatchNorm1d, (6, 3), (0,)),
                                              (nn.BatchNorm1d, (4, 3, 5), (0, 2)),
                                              (nn.BatchNorm2d, (2, 3, 4, 4), (0, 2, 3))])
def test_batch_norm_statistics(cls, shape, dims):
    x = RNG.normal(2.0, 3.0, shape)
    bn = cls(3).double()
    y = bn(t64(x))
    expected, mean, unbiased = numpy_batch_norm(x, dims)
    np.testing.assert_allclose(y.numpy(), expected, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * mean)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * unbiased)  # UNBIASED
    assert int(bn.num_batches_tracked.item()) == 1
    bn.eval()
    y2 = bn(t64(x))
    np.testing.assert_allclose(
        y2.numpy(), (x - bn.running_mean.numpy().reshape((1, 3) + (1,) * (len(shape) - 2)))
        / np.sqrt(bn.running_var.numpy().reshape((1, 3) + (1,) * (len(shape) - 2)) + 1e-5))
    assert int(bn.num_batches_tracked.item()) == 1


def test_batch_norm_cumulative_momentum_and_no_tracking():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    xs = [RNG.normal(size=(5, 2)) for _ in range(3)]
    for x in xs:
        bn(t64(x))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([x.mean(0) for x in xs], 0))
    free = nn.BatchNorm1d(2, track_running_stats=False, affine=False).double().eval()
    assert list(free.state_dict()) == []
    np.testing.assert_allclose(free(t64(xs[0])).numpy(), numpy_batch_norm(xs[0], (0,))[0])
    with pytest.raises(ValueError, match="more than 1 value"):
        nn.BatchNorm1d(2)(tg.randn(1, 2))
    with pytest.raises(ValueError, match="2D or 3D"):
        nn.BatchNorm1d(2)(tg.randn(1, 2, 2, 2))


def test_layer_norm_and_gradients():
    x = RNG.normal(size=(3, 4, 5))
    ln = nn.LayerNorm((4, 5)).double()
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(ln(t64(x)).numpy(), (x - mean) / np.sqrt(var + 1e-5), atol=1e-12)
    assert gradcheck(lambda a, w: F.layer_norm(a, (5,), w), (t64(x, True), t64(RNG.normal(size=5), True)))
    assert gradcheck(lambda a: F.batch_norm(a, None, None, training=True), (t64(x, True),))
    with pytest.raises(ValueError):
        F.layer_norm(tg.zeros(2, 3), (4,))


def test_batch_norm_and_layer_norm_match_torch():
    torch = torch_or_skip()
    x = RNG.normal(1.0, 2.0, (8, 3, 4, 4)).astype(np.float32)
    for make, shape in [(lambda n: n.BatchNorm2d(3), x.shape),
                        (lambda n: n.BatchNorm1d(3, momentum=0.3), (8, 3)),
                        (lambda n: n.BatchNorm1d(3, affine=False, momentum=None), (8, 3, 5)),
                        (lambda n: n.LayerNorm([4, 4]), x.shape)]:
        xs = RNG.normal(1.0, 2.0, shape).astype(np.float32)
        ours, theirs = make(nn), make(torch.nn)
        theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
        for train in (True, True, False):
            ours.train(train), theirs.train(train)
            a = tg.tensor(xs, requires_grad=True)
            b = torch.tensor(xs, requires_grad=True)
            ya, yb = ours(a), theirs(b)
            np.testing.assert_allclose(ya.numpy(), yb.detach().numpy(), atol=2e-5)
            (ya * ya).sum().backward()
            (yb * yb).sum().backward()
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=2e-4)
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k], v.numpy(), rtol=1e-5, err_msg=k)


# ---------------------------------------------------------------- activations

ACTIVATIONS = [  # (F name, kwargs, numpy closed form)
    ("elu", {"alpha": 0.7}, lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    ("leaky_relu", {"negative_slope": 0.1}, lambda x: np.where(x > 0, x, 0.1 * x)),
    ("gelu", {}, lambda x: x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))),
    ("gelu", {"approximate": "tanh"}, lambda x: 0.5 * x * (1 + np.tanh(
        math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    ("silu", {}, lambda x: x / (1 + np.exp(-x))),
    ("mish", {}, lambda x: x * np.tanh(np.logaddexp(0, x))),
    ("hardtanh", {"min_val": -0.5, "max_val": 2.0}, lambda x: np.clip(x, -0.5, 2.0)),
    ("relu6", {}, lambda x: np.clip(x, 0, 6)),
    ("softplus", {"beta": 2.0, "threshold": 5.0},
     lambda x: np.where(2 * x > 5, x, np.logaddexp(0, 2 * x) / 2)),
]
POINTS = np.array([-30.0, -7.0, -2.5, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.0, 2.5, 6.0,
                   7.0, 30.0])


@pytest.mark.parametrize("name, kwargs, ref", ACTIVATIONS)
def test_activation_values_and_gradients(name, kwargs, ref):
    f = getattr(F, name)
    np.testing.assert_allclose(f(t64(POINTS), **kwargs).numpy(), ref(POINTS), rtol=1e-12,
                               atol=1e-300)
    smooth = POINTS[(np.abs(POINTS) > 0.01) & ~np.isin(POINTS, [-0.5, 2.0, 2.5, 6.0])]
    assert gradcheck(lambda x: f(x, **kwargs), (t64(smooth, True),))
    assert f(tg.tensor([1, 2])).dtype == tg.float32


@pytest.mark.parametrize("name, kwargs, ref", ACTIVATIONS)
def test_activations_match_torch_with_kinks(name, kwargs, ref):
    torch = torch_or_skip()
    a = t64(POINTS, True)
    b = torch.tensor(POINTS, requires_grad=True)
    ya, yb = getattr(F, name)(a, **kwargs), getattr(torch.nn.functional, name)(b, **kwargs)
    np.testing.assert_allclose(ya.numpy(), yb.detach().numpy(), rtol=1e-12, atol=1e-300)
    ya.sum().backward()
    yb.sum().backward()  # tiny derivatives (e^-30) agree to 1e-13 absolute only
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_activation_modules_and_softmax_legacy_dim():
    x = t64(RNG.normal(size=(2, 3, 4)))
    np.testing.assert_allclose(nn.Softmax()(x).numpy().sum(0), 1)  # 3-d: dim 0
    np.testing.assert_allclose(nn.Softmax(dim=-1)(x).numpy().sum(-1), 1)
    np.testing.assert_allclose(nn.LogSoftmax(1)(x).exp().numpy().sum(1), 1)
    np.testing.assert_allclose(nn.GELU("tanh")(x).numpy(), F.gelu(x, approximate="tanh").numpy())
    for m in (nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.SiLU(), nn.Mish(), nn.ReLU6(),
              nn.LeakyReLU(), nn.ELU(), nn.Softplus(), nn.Hardtanh()):
        assert m(x).shape == x.shape
    with pytest.raises(ValueError):
        nn.GELU("fast")
    with pytest.raises(ValueError):
        nn.Hardtanh(1.0, -1.0)


def test_one_hot_normalize_cosine_similarity():
    oh = F.one_hot(tg.tensor([0, 2, 1]))
    assert oh.dtype == tg.int64 and oh.numpy().tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(tg.tensor([[1]]), 4).shape == (1, 1, 4)
    with pytest.raises(RuntimeError):
        F.one_hot(tg.tensor([3]), 3)
    with pytest.raises(RuntimeError):
        F.one_hot(tg.tensor([-1]))
    x = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(F.normalize(t64(x)).numpy(),
                               x / np.linalg.norm(x, axis=1, keepdims=True))
    np.testing.assert_allclose(F.normalize(t64(x), p=1, dim=0).numpy(),
                               x / np.abs(x).sum(0))
    np.testing.assert_array_equal(F.normalize(tg.zeros(2, 2)).numpy(), 0)
    y = RNG.normal(size=(4, 3))
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(F.cosine_similarity(t64(x), t64(y)).numpy(), cos)
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b), (t64(x, True), t64(y, True)))
    assert gradcheck(lambda a: F.normalize(a, dim=0), (t64(x, True),))


def test_functional_layers_match_torch():
    torch = torch_or_skip()
    tf = torch.nn.functional
    x = RNG.normal(size=(4, 3))
    y = RNG.normal(size=(1, 3))
    np.testing.assert_allclose(F.cosine_similarity(t64(x), t64(y)).numpy(),
                               tf.cosine_similarity(torch.tensor(x), torch.tensor(y)).numpy())
    for p, d in [(2, 1), (1, 0), (3, 1), (math.inf, 1)]:
        np.testing.assert_allclose(F.normalize(t64(x), p=p, dim=d).numpy(),
                                   tf.normalize(torch.tensor(x), p=p, dim=d).numpy())
    w = RNG.normal(size=(5, 2))
    idx = np.array([[0, 4], [2, 2]])
    np.testing.assert_array_equal(F.embedding(tg.tensor(idx), t64(w)).numpy(),
                                  tf.embedding(torch.tensor(idx), torch.tensor(w)).numpy())
    np.testing.assert_array_equal(F.one_hot(tg.tensor(idx), 6).numpy(),
                                  tf.one_hot(torch.tensor(idx), 6).numpy())


# ---------------------------------------------------------------- losses


def test_regression_losses_closed_forms():
    p, t = RNG.normal(size=(5, 2)) * 2, RNG.normal(size=(5, 2))
    d = p - t
    a = np.abs(d)
    cases = [(F.l1_loss, {}, a), (F.smooth_l1_loss, {"beta": 0.5},
                                  np.where(a < 0.5, d * d, a - 0.25)),
             (F.huber_loss, {"delta": 0.5}, np.where(a <= 0.5, 0.5 * d * d, 0.5 * (a - 0.25))),
             (F.mse_loss, {}, d * d)]
    for f, kw, ref in cases:
        np.testing.assert_allclose(f(t64(p), t64(t), reduction="none", **kw).numpy(), ref)
        np.testing.assert_allclose(f(t64(p), t64(t), **kw).item(), ref.mean())
        np.testing.assert_allclose(f(t64(p), t64(t), reduction="sum", **kw).item(), ref.sum())
        assert gradcheck(lambda x, y, f=f, kw=kw: f(x, y, **kw), (t64(p, True), t64(t, True)))
    for cls, kw, ref in [(nn.L1Loss, {}, a), (nn.SmoothL1Loss, {"beta": 0.5},
                                              np.where(a < 0.5, d * d, a - 0.25)),
                         (nn.HuberLoss, {"delta": 0.5}, np.where(a <= 0.5, 0.5 * d * d,
                                                                 0.5 * (a - 0.25))),
                         (nn.MSELoss, {}, d * d)]:
        np.testing.assert_allclose(cls(reduction="sum", **kw)(t64(p), t64(t)).item(), ref.sum())
    with pytest.raises(ValueError):
        F.l1_loss(t64(p), t64(t), reduction="avg")


def test_bce_kl_nll_closed_forms():
    q = RNG.uniform(0.05, 0.95, (4, 3))
    t = RNG.uniform(0, 1, (4, 3))
    w = RNG.uniform(0.5, 2, 3)
    ref = -w * (t * np.log(q) + (1 - t) * np.log(1 - q))
    np.testing.assert_allclose(F.binary_cross_entropy(t64(q), t64(t), t64(w)).item(),
                               ref.mean())
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b), (t64(q, True), t64(t, True)))
    assert math.isfinite(F.binary_cross_entropy(t64([0.0, 1.0]), t64([1.0, 0.0])).item())
    np.testing.assert_allclose(F.binary_cross_entropy(t64([0.0]), t64([1.0])).item(), 100)
    with pytest.raises(ValueError):
        F.binary_cross_entropy(t64([1.5]), t64([1.0]))
    logq = np.log(q / q.sum(1, keepdims=True))
    p = t / t.sum(1, keepdims=True)
    p[0, 0] = 0
    kl = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0) - p * logq
    np.testing.assert_allclose(F.kl_div(t64(logq), t64(p), reduction="batchmean").item(),
                               kl.sum() / 4)
    np.testing.assert_allclose(F.kl_div(t64(logq), t64(p)).item(), kl.mean())
    np.testing.assert_allclose(
        nn.KLDivLoss(reduction="sum", log_target=True)(t64(logq), t64(np.log(p + 1e-3))).item(),
        ((p + 1e-3) * (np.log(p + 1e-3) - logq)).sum())
    assert gradcheck(lambda a, b: F.kl_div(a, b), (t64(logq, True), t64(p + 0.1, True)))
    c = np.array([2, 0, 1, 1])
    np.testing.assert_allclose(
        F.nll_loss(t64(logq), tg.tensor(c), t64(w)).item(),
        -(w[c] * logq[np.arange(4), c]).sum() / w[c].sum())
    np.testing.assert_allclose(nn.NLLLoss(ignore_index=1, reduction="sum")(t64(logq),
                                                                             tg.tensor(c)).item(),
                               -(logq[0, 2] + logq[1, 0]))
    with pytest.raises(TypeError):
        F.nll_loss(t64(logq), t64(p))


def test_losses_stable_at_large_logits():
    z = t64([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], True)
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(z, tg.tensor([1, 1]))
    loss.backward()
    assert math.isfinite(loss.item()) and np.isfinite(z.grad.numpy()).all()
    s = t64([1e4, -1e4], True)
    loss = nn.BCEWithLogitsLoss(pos_weight=t64([2.0]))(s, t64([0.0, 1.0]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (1e4 + 2 * 1e4) / 2)
    assert np.isfinite(s.grad.numpy()).all()


LOSS_CASES = [  # (F name, input maker, target maker, kwargs)
    ("l1_loss", lambda: RNG.normal(size=(3, 2)), lambda: RNG.normal(size=(3, 2)), {}),
    ("mse_loss", lambda: RNG.normal(size=(3, 2)), lambda: RNG.normal(size=(3, 2)), {}),
    ("smooth_l1_loss", lambda: RNG.normal(size=(3, 2)), lambda: RNG.normal(size=(3, 2)),
     {"beta": 0.7}),
    ("huber_loss", lambda: RNG.normal(size=(3, 2)), lambda: RNG.normal(size=(3, 2)),
     {"delta": 0.7}),
    ("binary_cross_entropy", lambda: RNG.uniform(0.01, 0.99, (3, 2)),
     lambda: RNG.uniform(0, 1, (3, 2)), {}),
    ("binary_cross_entropy_with_logits", lambda: RNG.normal(size=(3, 2)) * 3,
     lambda: RNG.uniform(0, 1, (3, 2)), {"pos_weight": np.array([1.5, 0.5])}),
    ("kl_div", lambda: np.log(RNG.dirichlet(np.ones(3), 4)),
     lambda: RNG.dirichlet(np.ones(3), 4), {}),
    ("kl_div", lambda: np.log(RNG.dirichlet(np.ones(3), 4)),
     lambda: np.log(RNG.dirichlet(np.ones(3), 4)), {"log_target": True}),
    ("cross_entropy", lambda: RNG.normal(size=(4, 3, 2)) * 3,
     lambda: RNG.dirichlet(np.ones(3), (4, 2)).transpose(0, 2, 1),
     {"label_smoothing": 0.2, "weight": np.array([1.0, 2.0, 0.5])}),
]


@pytest.mark.parametrize("name, mk_x, mk_t, kwargs", LOSS_CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_and_target_gradients_match_torch(name, mk_x, mk_t, kwargs, reduction):
    torch = torch_or_skip()
    x, t = mk_x(), mk_t()
    tw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ow = {k: t64(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    a, at = t64(x, True), t64(t, True)
    b, bt = torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=True)
    ya = getattr(F, name)(a, at, reduction=reduction, **ow)
    yb = getattr(torch.nn.functional, name)(b, bt, reduction=reduction, **tw)
    np.testing.assert_allclose(ya.numpy(), yb.detach().numpy(), rtol=1e-10)
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(at.grad.numpy(), bt.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_class_index_losses_match_torch():
    torch = torch_or_skip()
    z = RNG.normal(size=(5, 4, 3)) * 2
    c = RNG.integers(0, 4, (5, 3))
    c[0, 0] = -100
    w = np.array([1.0, 0.5, 2.0, 1.5])
    for kw in [{}, {"weight": w}, {"weight": w, "label_smoothing": 0.3},
               {"ignore_index": 2, "label_smoothing": 0.1}]:
        for reduction in ("mean", "sum", "none"):
            ow = {k: t64(v) if k == "weight" else v for k, v in kw.items()}
            tw = {k: torch.tensor(v) if k == "weight" else v for k, v in kw.items()}
            if kw.get("ignore_index") is None:
                cc = c.copy()
            else:
                cc = np.where(c < 0, 0, c)
            a, b = t64(z, True), torch.tensor(z, requires_grad=True)
            ya = F.cross_entropy(a, tg.tensor(cc), reduction=reduction, **ow)
            yb = torch.nn.functional.cross_entropy(b, torch.tensor(cc), reduction=reduction,
                                                   **tw)
            np.testing.assert_allclose(ya.numpy(), yb.detach().numpy(), rtol=1e-10)
            ya.sum().backward()
            yb.sum().backward()
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-15)
            kw2 = {k: v for k, v in ow.items() if k != "label_smoothing"}
            tw2 = {k: v for k, v in tw.items() if k != "label_smoothing"}
            np.testing.assert_allclose(
                F.nll_loss(t64(z), tg.tensor(cc), reduction=reduction, **kw2).numpy(),
                torch.nn.functional.nll_loss(torch.tensor(z), torch.tensor(cc),
                                             reduction=reduction, **tw2).numpy(), rtol=1e-10)
    # unbatched (C,)
    np.testing.assert_allclose(
        nn.CrossEntropyLoss()(t64(z[0, :, 0]), tg.tensor(1)).item(),
        torch.nn.CrossEntropyLoss()(torch.tensor(z[0, :, 0]), torch.tensor(1)).item())


def test_loss_modules_refuse_legacy_arguments():
    with pytest.raises(TypeError, match="reduction"):
        nn.CrossEntropyLoss(size_average=False)
    assert list(nn.CrossEntropyLoss(weight=tg.ones(3)).state_dict()) == ["weight"]


# ---------------------------------------------------------------- init


def test_calculate_gain():
    assert nn.init.calculate_gain("tanh") == 5 / 3
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01 ** 2))
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert nn.init.calculate_gain("conv2d") == nn.init.calculate_gain("sigmoid") == 1
    assert nn.init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError):
        nn.init.calculate_gain("swish")


def test_calculate_gain_matches_torch():
    torch = torch_or_skip()
    for name in ("linear", "conv1d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert nn.init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))


def test_init_distributions_and_fans():
    init = nn.init
    w = tg.empty(200, 300)
    tg.manual_seed(1)
    assert init.kaiming_uniform_(w, a=math.sqrt(5)) is w
    bound = math.sqrt(6 / ((1 + 5) * 300))
    assert abs(w.numpy()).max() <= bound and abs(w.numpy()).max() > 0.99 * bound
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 200)) < 0.002
    init.xavier_uniform_(w, gain=2.0)
    assert abs(w.numpy()).max() <= 2 * math.sqrt(6 / 500)
    init.xavier_normal_(w)
    assert abs(w.numpy().std() - math.sqrt(2 / 500)) < 0.002
    init.trunc_normal_(w, std=2.0, a=-1.0, b=1.5)
    assert w.numpy().min() >= -1 and w.numpy().max() <= 1.5
    init.uniform_(w, -0.1, 0.1)
    assert abs(w.numpy()).max() <= 0.1
    init.normal_(w, 3.0, 0.5)
    assert abs(w.numpy().mean() - 3) < 0.01
    conv = tg.empty(8, 4, 3, 3)
    init.kaiming_uniform_(conv)
    assert abs(conv.numpy()).max() <= math.sqrt(3) * math.sqrt(2 / 1.0001) / 6  # fan_in 36
    q = tg.empty(3, 5)
    init.orthogonal_(q, gain=2.0)
    np.testing.assert_allclose(q.numpy() @ q.numpy().T, 4 * np.eye(3), atol=1e-5)
    assert init.eye_(tg.empty(2, 3)).numpy().tolist() == [[1, 0, 0], [0, 1, 0]]
    assert init.constant_(tg.empty(2), 0.5).numpy().tolist() == [0.5, 0.5]
    assert init.ones_(tg.empty(2)).numpy().tolist() == [1, 1]
    assert init.zeros_(tg.empty(2)).numpy().tolist() == [0, 0]
    with pytest.raises(ValueError, match="fewer than 2"):
        init.xavier_uniform_(tg.empty(3))
    with pytest.raises(ValueError):
        init.kaiming_normal_(w, mode="fan_avg")
    p = nn.Linear(2, 2).weight
    init.zeros_(p)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_init_generator_reproducible():
    g1, g2 = tg.Generator().manual_seed(5), tg.Generator().manual_seed(5)
    a = nn.init.normal_(tg.empty(4), generator=g1).numpy().copy()
    b = nn.init.normal_(tg.empty(4), generator=g2).numpy().copy()
    np.testing.assert_array_equal(a, b)
    tg.manual_seed(3)
    c = nn.init.uniform_(tg.empty(4)).numpy().copy()
    tg.manual_seed(3)
    np.testing.assert_array_equal(c, nn.init.uniform_(tg.empty(4)).numpy())


# ---------------------------------------------------------------- utils


def test_clip_grad_norm_and_value():
    a, b = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(3))
    a.grad, b.grad = t64([3.0, 0.0]), t64([0.0, 4.0, 0.0])
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(a.grad.numpy(), [3 / (5 + 1e-6), 0])
    a.grad, b.grad = t64([3.0, 0.0]), t64([0.0, -4.0, 0.0])
    total = nn.utils.clip_grad_norm_([a, b], 100.0, norm_type="inf")
    assert total.item() == 4.0 and b.grad.numpy().tolist() == [0, -4, 0]
    b.grad = t64([np.nan, 0, 0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([a, b], 1.0, error_if_nonfinite=True)
    b.grad = t64([-3.0, 0.5, 2.0])
    nn.utils.clip_grad_value_(b, 1.0)
    assert b.grad.numpy().tolist() == [-1, 0.5, 1]
    assert nn.utils.clip_grad_norm_([nn.Parameter(np.zeros(1))], 1.0).item() == 0


def test_clip_grad_norm_matches_torch():
    torch = torch_or_skip()
    g = [RNG.normal(size=(3, 2)), RNG.normal(size=4)]
    for norm_type in (2.0, 1.0, 3.0, math.inf):
        ours = [nn.Parameter(np.zeros_like(x)) for x in g]
        theirs = [torch.zeros(x.shape, dtype=torch.float64, requires_grad=True) for x in g]
        for p, q, x in zip(ours, theirs, g):
            p.grad, q.grad = t64(x), torch.tensor(x)
        ta = nn.utils.clip_grad_norm_(ours, 0.5, norm_type)
        tb = torch.nn.utils.clip_grad_norm_(theirs, 0.5, norm_type)
        assert ta.item() == pytest.approx(tb.item())
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy())


def test_parameters_vector_round_trip():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    v = nn.utils.parameters_to_vector(net.parameters())
    assert v.shape == (13,)
    nn.utils.vector_to_parameters(v * 0 + 1, net.parameters())
    assert all((p.numpy() == 1).all() for p in net.parameters())
    np.testing.assert_array_equal(nn.utils.parameters_to_vector(net.parameters()).numpy(), 1)
