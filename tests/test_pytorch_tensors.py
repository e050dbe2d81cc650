"""PyTorch conformance of dtypes, devices, construction, random numbers, attributes, repr
and casts (PYTORCH_SURFACE.md, "dtypes, devices, tensors"). Each test checks numpy or a
closed form; the `*_matches_torch` tests also compare with PyTorch when it is installed.
Random streams differ from PyTorch's (numpy's generator): their distributions, shapes and
dtypes are compared, not their values."""

import numpy as np
import pytest

import tinygrad_edu as tg

DTYPE_NAMES = {"float32": np.float32, "float": np.float32, "float64": np.float64,
               "double": np.float64, "float16": np.float16, "half": np.float16,
               "int64": np.int64, "long": np.int64, "int32": np.int32, "int": np.int32,
               "int16": np.int16, "short": np.int16, "int8": np.int8, "uint8": np.uint8,
               "bool": np.bool_}


def torch_dtype_of(torch, d):
    """The torch dtype of the same name as numpy dtype `d`."""
    return getattr(torch, "bool" if d == np.bool_ else str(np.dtype(d)))


def to_torch(torch, t):
    return torch.from_numpy(np.array(t.numpy()))


@pytest.fixture
def print_options():
    yield
    tg.set_printoptions(profile="default")


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("name", sorted(DTYPE_NAMES))
def test_dtype_names_are_numpy_dtypes(name):
    assert getattr(tg, name) == np.dtype(DTYPE_NAMES[name])
    assert isinstance(getattr(tg, name), np.dtype)


def test_dtype_names_match_torch():
    torch = pytest.importorskip("torch")
    for name, d in DTYPE_NAMES.items():
        assert getattr(torch, name) == torch_dtype_of(torch, d), name


def test_bfloat16_is_refused_with_the_reason():
    with pytest.raises(AttributeError, match="bfloat16.*numpy"):
        _ = tg.bfloat16
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = tg.nonexistent


def test_star_import_keeps_the_builtins():
    scope = {}
    exec("from tinygrad_edu import *", scope)
    assert "float" not in scope and "int" not in scope and "bool" not in scope
    assert scope["float64"] == np.float64 and scope["tensor"] is tg.tensor


@pytest.mark.parametrize("d", [tg.float16, tg.float32, tg.float64])
def test_finfo_fields(d):
    f, n = tg.finfo(d), np.finfo(d)
    assert (f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution) == (
        n.bits, n.eps, n.max, n.min, n.smallest_normal, n.smallest_normal, n.resolution)
    assert f.dtype == str(np.dtype(d)) and isinstance(f.eps, float)
    assert 1 + f.eps > 1 and 1 + f.eps / 2 == 1 or d != tg.float64


@pytest.mark.parametrize("d", [tg.int8, tg.int16, tg.int32, tg.int64, tg.uint8])
def test_iinfo_fields(d):
    i = tg.iinfo(d)
    assert (i.bits, i.max, i.min) == (np.iinfo(d).bits, np.iinfo(d).max, np.iinfo(d).min)
    assert isinstance(i.max, int) and i.dtype == str(np.dtype(d))


def test_finfo_default_and_refusals():
    assert tg.finfo().dtype == str(tg.get_default_dtype())
    with pytest.raises(TypeError, match="finfo"):
        tg.finfo(tg.int32)
    with pytest.raises(TypeError, match="iinfo"):
        tg.iinfo(tg.float32)
    with pytest.raises(TypeError, match="iinfo"):
        tg.iinfo(tg.bool)


def test_finfo_iinfo_match_torch():
    torch = pytest.importorskip("torch")
    for d in (tg.float16, tg.float32, tg.float64):
        ours, theirs = tg.finfo(d), torch.finfo(torch_dtype_of(torch, d))
        for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                      "dtype"):
            assert getattr(ours, field) == getattr(theirs, field), (d, field)
        assert repr(ours) == repr(theirs)
    for d in (tg.int8, tg.int16, tg.int32, tg.int64, tg.uint8):
        ours, theirs = tg.iinfo(d), torch.iinfo(torch_dtype_of(torch, d))
        assert (ours.bits, ours.max, ours.min, ours.dtype) == (
            theirs.bits, theirs.max, theirs.min, theirs.dtype)
    for bad in (lambda m: m.finfo(m.int32), lambda m: m.iinfo(m.float32),
                lambda m: m.iinfo(m.bool)):
        with pytest.raises(TypeError):
            bad(torch)


def test_is_floating_point():
    assert tg.zeros(2).is_floating_point() and tg.is_floating_point(tg.zeros(1).half())
    assert not tg.tensor([1]).is_floating_point() and not tg.is_floating_point(tg.tensor(True))
    with pytest.raises(TypeError, match="is_floating_point"):
        tg.is_floating_point([1.0])


def test_default_dtype_may_be_any_float(restore_default_dtype):
    tg.set_default_dtype(tg.float16)
    assert tg.tensor([1.5]).dtype == np.float16 and tg.get_default_dtype() == np.float16
    tg.set_default_dtype(tg.float64)
    assert tg.zeros(1).dtype == np.float64 and tg.Tensor([1]).dtype == np.float64
    with pytest.raises(TypeError, match="set_default_dtype"):
        tg.set_default_dtype(tg.int32)


# ---------------------------------------------------------------- devices


def test_device_objects():
    cpu = tg.device("cpu")
    assert (cpu.type, cpu.index, str(cpu), repr(cpu)) == ("cpu", None, "cpu",
                                                         "device(type='cpu')")
    assert tg.device("cpu:0") == tg.device("cpu", 0) and tg.device("cpu:0").index == 0
    assert tg.device("cpu") != tg.device("cpu:0") and tg.device("cpu") != "cpu"
    assert tg.device(tg.device("cuda:1")).index == 1  # a GPU can be named, not used
    assert tg.zeros(1).device == cpu and tg.zeros(1).cpu().device == cpu
    with pytest.raises(RuntimeError, match="foo"):
        tg.device("foo")


def test_device_objects_match_torch():
    torch = pytest.importorskip("torch")
    for spec in (("cpu",), ("cpu:0",), ("cpu", 0), ("cuda:1",), ("mps",)):
        ours, theirs = tg.device(*spec), torch.device(*spec)
        assert (repr(ours), str(ours), ours.type, ours.index) == (
            repr(theirs), str(theirs), theirs.type, theirs.index)
    assert (tg.device("cpu") == "cpu") == (torch.device("cpu") == "cpu")


def test_no_accelerator_is_available():
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    assert tg.backends.mps.is_available() is False


FACTORIES = {
    "tensor": lambda m, **kw: m.tensor([1.0], **kw),
    "as_tensor": lambda m, **kw: m.as_tensor([1.0], **kw),
    "zeros": lambda m, **kw: m.zeros(2, **kw),
    "ones": lambda m, **kw: m.ones((2,), **kw),
    "empty": lambda m, **kw: m.empty(2, **kw),
    "full": lambda m, **kw: m.full((2,), 1.5, **kw),
    "eye": lambda m, **kw: m.eye(2, **kw),
    "arange": lambda m, **kw: m.arange(3, **kw),
    "linspace": lambda m, **kw: m.linspace(0, 1, 3, **kw),
    "logspace": lambda m, **kw: m.logspace(0, 1, 3, **kw),
    "rand": lambda m, **kw: m.rand(2, **kw),
    "randn": lambda m, **kw: m.randn(2, **kw),
    "randint": lambda m, **kw: m.randint(0, 5, (2,), **kw),
    "randperm": lambda m, **kw: m.randperm(4, **kw),
    "normal": lambda m, **kw: m.normal(0.0, 1.0, size=(2,), **kw),
    "zeros_like": lambda m, **kw: m.zeros_like(m.ones(2), **kw),
    "ones_like": lambda m, **kw: m.ones_like(m.ones(2), **kw),
    "empty_like": lambda m, **kw: m.empty_like(m.ones(2), **kw),
    "full_like": lambda m, **kw: m.full_like(m.ones(2), 3, **kw),
    "rand_like": lambda m, **kw: m.rand_like(m.ones(2), **kw),
    "randn_like": lambda m, **kw: m.randn_like(m.ones(2), **kw),
    "randint_like": lambda m, **kw: m.randint_like(m.ones(2), 5, **kw),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_every_factory_takes_the_cpu_and_refuses_a_gpu(name):
    make = FACTORIES[name]
    for where in ("cpu", "cpu:0", tg.device("cpu")):
        assert make(tg, device=where).device == tg.device("cpu")
    for where in ("cuda", "cuda:0", tg.device("cuda")):
        with pytest.raises(AssertionError, match="cuda.*CPU only") as caught:
            make(tg, device=where)
        assert isinstance(caught.value, RuntimeError)
    with pytest.raises(RuntimeError, match="mps"):
        make(tg, device="mps")


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_gpu_refusal_matches_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError):
        FACTORIES[name](torch, device="cuda")
    assert FACTORIES[name](torch, device="cpu").device == torch.device("cpu")


@pytest.mark.parametrize("call", [lambda t: t.cuda(), lambda t: t.to("cuda"),
                                  lambda t: t.to(tg.device("cuda:0")),
                                  lambda t: t.to("cuda", tg.float64)])
def test_moving_to_a_gpu_is_refused(call):
    with pytest.raises(AssertionError, match="CPU only"):
        call(tg.ones(2))


# ---------------------------------------------------------------- construction


def test_tensor_infers_the_dtype_and_copies():
    a = np.array([1.0, 2.0])
    t = tg.tensor(a)
    a[0] = 9.0
    assert t.dtype == np.float64 and t.tolist() == [1.0, 2.0]
    assert tg.tensor([1, 2]).dtype == np.int64 and tg.tensor([True]).dtype == np.bool_
    assert tg.tensor(2.5).dtype == np.float32 and tg.tensor(2.5).shape == ()
    u = tg.tensor(t)
    assert u.dtype == np.float64 and not np.shares_memory(u.numpy(), t.numpy())


def test_legacy_tensor_data_and_sizes():
    assert tg.Tensor([1, 2]).dtype == np.float32 and tg.Tensor([True]).tolist() == [1.0]
    assert tg.Tensor(np.array([1, 2])).dtype == np.float32
    assert tg.Tensor(np.array([1.0], np.float64)).dtype == np.float64  # API.md's exception
    assert tg.Tensor(2, 3).tolist() == [[0.0] * 3] * 2 and tg.Tensor(3).shape == (3,)
    assert tg.Tensor().shape == (0,) and tg.Tensor(2.5).shape == ()
    t = tg.Tensor([1.0], True)  # API.md's positional requires_grad
    assert t.requires_grad
    with pytest.raises(ValueError, match="non-negative"):
        tg.Tensor(-1)


def test_legacy_tensor_matches_torch():
    torch = pytest.importorskip("torch")
    for args in (([1, 2],), ([[True, False]],), ((2, 3),), (3,), (2, 3), ()):
        ours, theirs = tg.Tensor(*args), torch.Tensor(*args)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == "float32"
        if ours.numel() and isinstance(args[0], list):
            assert ours.tolist() == theirs.tolist()


def test_as_tensor_and_from_numpy_share_memory():
    a = np.zeros(3)
    for t in (tg.as_tensor(a), tg.from_numpy(a)):
        a[1] = 5.0
        assert t.dtype == np.float64 and t.tolist() == [0.0, 5.0, 0.0]
        t.numpy()[0] = 1.0
        assert a[0] == 1.0
        a[:] = 0
    assert not np.shares_memory(tg.as_tensor(a, dtype=tg.float32).numpy(), a)
    assert tg.as_tensor([1, 2]).dtype == np.int64
    x = tg.ones(2)
    assert tg.as_tensor(x) is x
    with pytest.raises(TypeError, match="from_numpy"):
        tg.from_numpy([1.0])
    with pytest.raises(TypeError, match="complex"):
        tg.from_numpy(np.zeros(2, np.complex64))
    assert tg.is_tensor(x) and not tg.is_tensor(a)


@pytest.mark.parametrize("name,dtype", [("FloatTensor", np.float32), ("DoubleTensor", np.float64),
                                        ("HalfTensor", np.float16), ("LongTensor", np.int64),
                                        ("IntTensor", np.int32), ("ShortTensor", np.int16),
                                        ("CharTensor", np.int8), ("ByteTensor", np.uint8),
                                        ("BoolTensor", np.bool_)])
def test_legacy_typed_constructors(name, dtype):
    cls = getattr(tg, name)
    t = cls([1.7, 0.0])
    assert t.dtype == dtype and t.tolist() == np.array([1.7, 0.0]).astype(dtype).tolist()
    assert cls(2, 3).shape == (2, 3) and cls(2, 3).dtype == dtype
    assert isinstance(t, cls) and isinstance(t, tg.Tensor)
    assert not isinstance(t.to(tg.float64 if dtype != np.float64 else tg.int8), cls)
    assert t.type() == "tinygrad_edu." + name


def test_legacy_typed_constructors_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor",
                 "ByteTensor"):
        ours, theirs = getattr(tg, name)([1.7, 0.0]), getattr(torch, name)([1.7, 0.0])
        assert ours.tolist() == theirs.tolist() and theirs.type() == "torch." + name
        assert ours.type() == "tinygrad_edu." + name


def test_factory_values_dtypes_and_grad():
    assert tg.zeros(2, 3).tolist() == np.zeros((2, 3)).tolist()
    assert tg.ones((2,), dtype=tg.int8).dtype == np.int8
    assert tg.full((2,), 7).dtype == np.int64 and tg.full((1,), True).dtype == np.bool_
    assert tg.eye(2, 3).tolist() == np.eye(2, 3).tolist()
    assert tg.arange(3).dtype == np.int64 and tg.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert tg.linspace(0, 4, 5).dtype == np.float32
    np.testing.assert_allclose(tg.logspace(0, 2, 3).numpy(), [1, 10, 100])
    np.testing.assert_allclose(tg.logspace(0, 3, 4, base=2).numpy(), [1, 2, 4, 8])
    r = tg.ones(2, requires_grad=True)
    assert r.requires_grad and r.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        tg.ones(2, dtype=tg.int64, requires_grad=True)


def test_like_factories_keep_dtype_and_shape():
    x = tg.tensor([[1, 2, 3]], dtype=tg.int32)
    for make in (tg.zeros_like, tg.ones_like, tg.empty_like):
        assert make(x).shape == (1, 3) and make(x).dtype == np.int32
        assert make(x, dtype=tg.float64).dtype == np.float64
    assert tg.full_like(x, 2.7).tolist() == [[2, 2, 2]]
    assert tg.ones_like(tg.zeros(2), requires_grad=True).requires_grad


FACTORY_CALLS = [
    lambda m: m.zeros(2, 3), lambda m: m.ones((2, 1), dtype=m.float64),
    lambda m: m.full((2,), 7), lambda m: m.full((2,), 2.5), lambda m: m.full((1,), True),
    lambda m: m.eye(3), lambda m: m.eye(2, 3, dtype=m.int64), lambda m: m.arange(5),
    lambda m: m.arange(1, 2.5, 0.5), lambda m: m.arange(4, dtype=m.float64),
    lambda m: m.linspace(-1, 1, 5), lambda m: m.logspace(0, 2, 3),
    lambda m: m.logspace(-1, 1, 3, base=2.0), lambda m: m.zeros_like(m.ones(2, dtype=m.int8)),
    lambda m: m.full_like(m.ones(2, dtype=m.int64), 2.7), lambda m: m.tensor([[1, 2]]),
    lambda m: m.tensor(3.5), lambda m: m.as_tensor([1.5], dtype=m.float64),
]


@pytest.mark.parametrize("index", range(len(FACTORY_CALLS)))
def test_factories_match_torch(index):
    torch = pytest.importorskip("torch")
    ours, theirs = FACTORY_CALLS[index](tg), FACTORY_CALLS[index](torch)
    assert ours.dtype == np.dtype(str(theirs.dtype).split(".")[1].replace("bool", "bool_"))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- random


def test_generators_are_reproducible_and_independent():
    g1, g2 = tg.Generator().manual_seed(5), tg.Generator().manual_seed(5)
    assert g1.initial_seed() == 5
    tg.manual_seed(0)
    a = tg.rand(4, generator=g1)
    tg.rand(10)  # the global generator does not disturb g2
    assert a.tolist() == tg.rand(4, generator=g2).tolist()
    state = g1.get_state()
    b = tg.randn(3, generator=g1)
    g1.set_state(state)
    assert tg.randn(3, generator=g1).tolist() == b.tolist()
    assert isinstance(tg.manual_seed(3), tg.Generator) and tg.initial_seed() == 3
    s = tg.seed()
    assert isinstance(s, int) and tg.initial_seed() == s
    with pytest.raises(TypeError, match="generator"):
        tg.rand(2, generator=np.random.default_rng(0))


RANDOM_CALLS = {
    "rand": lambda m, g: m.rand(2, 3, generator=g),
    "randn": lambda m, g: m.randn((4,), generator=g, dtype=m.float64),
    "randint": lambda m, g: m.randint(3, 10, (5,), generator=g),
    "randint(high, size)": lambda m, g: m.randint(10, (2, 2), generator=g),
    "randperm": lambda m, g: m.randperm(6, generator=g),
    "normal(tensor, tensor)": lambda m, g: m.normal(m.zeros(2, 1), m.ones(3), generator=g),
    "normal(number, tensor)": lambda m, g: m.normal(1.0, m.ones(3, dtype=m.float64),
                                                    generator=g),
    "normal(tensor, number)": lambda m, g: m.normal(m.ones(2), 2.0, generator=g),
    "normal(size=)": lambda m, g: m.normal(0.0, 1.0, size=(2, 3), generator=g),
    "bernoulli": lambda m, g: m.bernoulli(m.full((3,), 0.5, dtype=m.float64), generator=g),
    "bernoulli(p)": lambda m, g: m.bernoulli(m.ones(3), 0.0, generator=g),
    "multinomial": lambda m, g: m.multinomial(m.tensor([1.0, 2.0, 3.0]), 2, generator=g),
    "multinomial 2-D": lambda m, g: m.multinomial(m.ones(2, 4), 7, True, generator=g),
    "rand_like": lambda m, g: m.rand_like(m.ones(2, dtype=m.float64)),
    "randn_like": lambda m, g: m.randn_like(m.ones(2, 2)),
    "randint_like": lambda m, g: m.randint_like(m.ones(2), 3, 5),
}


@pytest.mark.parametrize("name", sorted(RANDOM_CALLS))
def test_random_functions_give_pytorch_shapes_and_dtypes(name):
    g = tg.Generator().manual_seed(1)
    t = RANDOM_CALLS[name](tg, g)
    again = RANDOM_CALLS[name](tg, tg.Generator().manual_seed(1))
    if "like" not in name:
        assert t.tolist() == again.tolist()
    torch = pytest.importorskip("torch")
    theirs = RANDOM_CALLS[name](torch, torch.Generator().manual_seed(1))
    assert t.shape == tuple(theirs.shape)
    assert str(t.dtype) == str(theirs.dtype).split(".")[1]


def test_uniform_normal_and_integer_distributions():
    g = tg.Generator().manual_seed(0)
    u = tg.rand(20000, generator=g, dtype=tg.float64).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    z = tg.randn(20000, generator=g, dtype=tg.float64).numpy()
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    n = tg.normal(tg.full((20000,), 3.0, dtype=tg.float64), 2.0, generator=g).numpy()
    assert abs(n.mean() - 3) < 0.06 and abs(n.std() - 2) < 0.06
    k = tg.randint(-2, 3, (5000,), generator=g).numpy()
    assert set(k.tolist()) == {-2, -1, 0, 1, 2}
    p = tg.randperm(50, generator=g).numpy()
    assert sorted(p.tolist()) == list(range(50)) and tg.randperm(0).shape == (0,)
    b = tg.bernoulli(tg.full((20000,), 0.3), generator=g).numpy()
    assert set(b.tolist()) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.02


def test_multinomial_frequencies_and_rules():
    g = tg.Generator().manual_seed(0)
    w = tg.tensor([1.0, 0.0, 3.0])  # unnormalised weights
    draws = tg.multinomial(w, 20000, replacement=True, generator=g).numpy()
    assert draws.dtype == np.int64 and 1 not in draws
    assert abs((draws == 2).mean() - 0.75) < 0.02
    for _ in range(20):  # without replacement: distinct, the zero weight last
        assert tg.multinomial(w, 3, generator=g).tolist()[2] == 1
    rows = tg.multinomial(tg.tensor([[0.0, 1.0], [1.0, 0.0]]), 1, generator=g)
    assert rows.tolist() == [[1], [0]]
    with pytest.raises(RuntimeError, match="without replacement"):
        tg.multinomial(w, 4)
    for bad in (tg.tensor([1.0, -1.0]), tg.tensor([0.0, 0.0]), tg.ones(1, 1, 1)):
        with pytest.raises(RuntimeError, match="multinomial"):
            tg.multinomial(bad, 1)
    with pytest.raises(RuntimeError, match="floating"):
        tg.multinomial(tg.tensor([1, 2]), 1)


def test_random_refusals_match_torch():
    calls = [lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3),
             lambda m: m.multinomial(m.tensor([1.0, -1.0]), 1),
             lambda m: m.multinomial(m.tensor([1, 2]), 1),
             lambda m: m.normal(0.0, -1.0, size=(2,)),
             lambda m: m.normal(m.zeros(2), -m.ones(2)),
             lambda m: m.bernoulli(m.tensor([0.5, 1.5])),
             lambda m: m.randperm(-1),
             lambda m: m.rand(2, dtype=m.int64)]
    for call in calls:
        with pytest.raises((RuntimeError, TypeError)):
            call(tg)
    torch = pytest.importorskip("torch")
    for call in calls:  # each is a RuntimeError there and here
        with pytest.raises(RuntimeError):
            call(torch)
        with pytest.raises(RuntimeError):
            call(tg)
    for call in (calls[2], calls[-1]):  # a dtype refused: NotImplementedError there
        with pytest.raises(NotImplementedError) if call is calls[-1] else pytest.raises(
                RuntimeError):
            call(torch)
        with pytest.raises(NotImplementedError):
            call(tg)


# ---------------------------------------------------------------- attributes


def test_sizes_and_memory_attributes():
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    t = tg.tensor(a)
    assert t.shape == t.size() == (2, 3, 4) and t.size(-1) == 4 and t.dim() == t.ndim == 3
    assert t.numel() == t.nelement() == 24 and len(t) == 2
    assert t.element_size() == t.itemsize == 8 and t.nbytes == 192
    assert t.is_contiguous() and not t.transpose(0, 2).is_contiguous()
    c = t.transpose(0, 2).contiguous()
    assert c.is_contiguous() and c.tolist() == a.transpose(2, 1, 0).tolist()
    assert t[1, 2:].storage_offset() == 20 and t.storage_offset() == 0
    assert t.mT.shape == (2, 4, 3) and t.mH.tolist() == a.swapaxes(1, 2).tolist()
    assert t[0].T.shape == (4, 3)
    with pytest.raises(RuntimeError, match="mT"):
        _ = tg.ones(3).mT


def test_python_protocols():
    t = tg.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert [r.tolist() for r in t] == [[1.5, 2.0], [3.0, 4.0]]
    assert float(t[0, 0]) == 1.5 and int(t[1, 1]) == 4 and bool(t[0, 0])
    assert [10, 20, 30][tg.tensor(2)] == 30 and np.asarray(t).shape == (2, 2)
    assert isinstance(t[0, 0].item(), float) and t.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    with pytest.raises(TypeError, match="index"):
        [1, 2][tg.tensor(1.0)]
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    with pytest.raises(ValueError, match="one-element"):
        float(t)


def test_graph_attributes():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.grad_fn is not None and y.requires_grad
    c = y.clone()
    assert c.grad_fn is not None and not np.shares_memory(c.numpy(), y.numpy())
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and np.shares_memory(d.numpy(), y.numpy())
    assert not y.data.requires_grad and np.shares_memory(y.data.numpy(), y.numpy())
    y.detach_()
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None


def test_attributes_match_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    ours, theirs = tg.tensor(a), torch.tensor(a)
    for f in (lambda t: t.dim(), lambda t: t.nelement(), lambda t: t.element_size(),
              lambda t: t.nbytes, lambda t: t.itemsize, lambda t: t[1, 2:].storage_offset(),
              lambda t: t[:, 1].storage_offset(), lambda t: t.transpose(0, 1).is_contiguous(),
              lambda t: tuple(t.mT.shape), lambda t: t.mH.tolist(), lambda t: len(t),
              lambda t: t.is_floating_point(), lambda t: [1, 2, 3][t[0, 0, 2].long()]):
        assert f(ours) == f(theirs)


# ---------------------------------------------------------------- repr

REPRS = [
    ([1.0, 2.0], None, "tensor([1., 2.])"),
    ([1.5, -2.25], None, "tensor([ 1.5000, -2.2500])"),
    ([1, 2], None, "tensor([1, 2])"),
    ([True, False], None, "tensor([ True, False])"),
    ([1e-5, 1.0], None, "tensor([1.0000e-05, 1.0000e+00])"),
    ([1.0, 2.0], np.float64, "tensor([1., 2.], dtype=tinygrad_edu.float64)"),
    ([1, 2], np.int32, "tensor([1, 2], dtype=tinygrad_edu.int32)"),
    ([], None, "tensor([])"),
    (np.zeros((0, 2)), None, "tensor([], size=(0, 2))"),
    (3.25, None, "tensor(3.2500)"),
    ([float("inf"), float("nan"), 1.0], None, "tensor([inf, nan, 1.])"),
    ([[1.0, 2.0], [3.0, 40000.0]], None,
     "tensor([[1.0000e+00, 2.0000e+00],\n        [3.0000e+00, 4.0000e+04]])"),
]


@pytest.mark.parametrize("data,dtype,expected", REPRS)
def test_repr_in_pytorch_format(data, dtype, expected):
    t = tg.tensor(np.asarray(data, dtype or tg.get_default_dtype())
                  if isinstance(data, np.ndarray) or dtype else data)
    assert repr(t) == expected


def test_repr_suffixes():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == f"tensor([2., 4.], grad_fn=<{(x * 2).grad_fn.name}>)"


def test_repr_summarizes_and_wraps(print_options):
    t = tg.arange(2000)
    assert repr(t) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    tg.set_printoptions(precision=2)
    assert repr(tg.tensor([1.2345])) == "tensor([1.23])"
    tg.set_printoptions(sci_mode=True)
    assert repr(tg.tensor([1.5])) == "tensor([1.50e+00])"  # precision stays 2
    tg.set_printoptions(profile="default", threshold=3, edgeitems=1)
    assert repr(tg.tensor([1, 2, 3, 4])) == "tensor([1,  ..., 4])"
    tg.set_printoptions(profile="default", linewidth=20)
    assert repr(tg.arange(8)) == "tensor([0, 1, 2, 3,\n        4, 5, 6, 7])"
    with pytest.raises(ValueError, match="profile"):
        tg.set_printoptions(profile="long")


REPR_CASES = [
    lambda m: m.tensor([1.0, 2.0]), lambda m: m.tensor([1.5, -2.25, 3.0]),
    lambda m: m.tensor([[1e-5, 1.0], [2.0, 3.0]]), lambda m: m.tensor([1e9, 1.0]),
    lambda m: m.tensor([1e9, 3.0, 5.5]), lambda m: m.tensor([0.0, -0.0]),
    lambda m: m.tensor([float("inf"), -float("inf"), float("nan")]),
    lambda m: m.tensor([float("inf"), 1.5]), lambda m: m.arange(30).reshape(5, 6),
    lambda m: m.arange(3000).reshape(30, 100), lambda m: m.arange(3000.0).reshape(3, 10, 100),
    lambda m: m.arange(-12.0, 13.0).reshape(5, 5) / 7, lambda m: m.tensor(2),
    lambda m: m.tensor(-0.5), lambda m: m.tensor([True, False]), lambda m: m.zeros(0, 3),
    lambda m: m.zeros(0, dtype=m.int64), lambda m: m.tensor([1.5], dtype=m.float16),
    lambda m: m.tensor([[1, -100]], dtype=m.int8), lambda m: m.ones(3, requires_grad=True),
    lambda m: m.tensor([123456.789, 1.0]), lambda m: m.linspace(0, 1, 200).reshape(10, 20),
]


@pytest.mark.parametrize("index", range(len(REPR_CASES)))
def test_repr_matches_torch(index, print_options):
    torch = pytest.importorskip("torch")
    for options in ({}, {"precision": 2}, {"sci_mode": False}, {"linewidth": 40},
                    {"threshold": 10, "edgeitems": 2}):
        tg.set_printoptions(**options)
        torch.set_printoptions(**options)
        try:
            ours = REPR_CASES[index](tg)
            got = repr(ours)
            expected = repr(REPR_CASES[index](torch)).replace("torch.", "tinygrad_edu.")
        finally:
            torch.set_printoptions(profile="default")
            tg.set_printoptions(profile="default")
        if "linewidth" in options and ours.dtype not in (tg.float32, tg.int64, tg.bool):
            continue  # "dtype=tinygrad_edu.…" is longer than "dtype=torch.…": wraps sooner
        assert got == expected, options


# ---------------------------------------------------------------- casts


CAST_METHODS = {"float": np.float32, "double": np.float64, "half": np.float16,
                "long": np.int64, "int": np.int32, "short": np.int16, "char": np.int8,
                "byte": np.uint8, "bool": np.bool_}


@pytest.mark.parametrize("name", sorted(CAST_METHODS))
def test_cast_methods(name):
    a = np.array([-1.5, 0.0, 2.7])
    t = getattr(tg.tensor(a), name)()
    assert t.dtype == CAST_METHODS[name]
    assert t.tolist() == a.astype(CAST_METHODS[name]).tolist()


def test_to_in_all_its_forms():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(tg.float32) is x and x.to("cpu") is x and x.cpu() is x
    assert x.to(tg.float64).dtype == np.float64 and x.to("cpu", tg.float16).dtype == np.float16
    assert x.to(tg.device("cpu"), tg.int32).dtype == np.int32
    assert x.to(tg.ones(1, dtype=tg.int8)).dtype == np.int8
    assert x.to(dtype=tg.float64, device="cpu", non_blocking=True).dtype == np.float64
    c = x.to(tg.float32, copy=True)
    assert c is not x and not np.shares_memory(c.numpy(), x.numpy()) and c.grad_fn is not None
    assert x.type(tg.float64).dtype == np.float64 and x.type() == "tinygrad_edu.FloatTensor"
    assert x.type("torch.DoubleTensor").dtype == np.float64
    assert x.type(tg.LongTensor).dtype == np.int64
    assert x.type_as(tg.zeros(1, dtype=tg.float16)).dtype == np.float16
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.ComplexTensor")
    with pytest.raises(TypeError, match="to"):
        x.to([1])


def test_casts_between_floats_are_differentiable_and_others_are_not():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = x.float()
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 4.0]
    assert not x.long().requires_grad and x.long().grad_fn is None
    assert tg.tensor([1, 2]).float().grad_fn is None


def test_casts_match_torch():
    torch = pytest.importorskip("torch")
    a = np.array([-1.5, 0.0, 2.7, 300.0])
    for name in CAST_METHODS:
        if name == "byte":  # a negative float to uint8 is undefined behaviour in C
            continue
        ours, theirs = getattr(tg.tensor(a), name)(), getattr(torch.tensor(a), name)()
        assert str(ours.dtype) == str(theirs.dtype).split(".")[1].replace("bool", "bool")
        assert ours.tolist() == theirs.tolist(), name
    x = torch.tensor([1.0], requires_grad=True)
    assert x.to(torch.float64).grad_fn is not None and x.long().grad_fn is None
    assert torch.zeros(1).type() == "torch.FloatTensor"
