"""Spare arrays (`tinygrad_edu.spares`): the values and gradients a step lets go of take the
next step's results, and nothing anyone can see ever changes because of it — the results are
numpy's, bit for bit, in dtype and in layout, and an array anyone still holds (a variable, a
view, a hook, a retained gradient) is never written over."""

import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import FAST
from hypothesis import example, given

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import ops, spares
from tinygrad_edu.spares import run_ufunc


@pytest.fixture(autouse=True)
def no_spares_from_other_tests():
    spares.clear()
    yield
    spares.clear()


def kept_arrays() -> list:
    return [a for arrays in spares.spares.values() for a in arrays]


def address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def layers(dtype=np.float64, seed=0, sizes=(16, 128, 128, 4)):
    """Weights and biases of a tanh network, as plain leaves (the generic form)."""
    rng = np.random.default_rng(seed)
    return [(tg.tensor(rng.standard_normal((m, n)) / m, dtype=dtype, requires_grad=True),
             tg.tensor(rng.standard_normal(n), dtype=dtype, requires_grad=True))
            for m, n in zip(sizes, sizes[1:])]


def inputs(dtype=np.float64, n=400, seed=1, d=16, k=4):
    rng = np.random.default_rng(seed)
    return tg.tensor(rng.standard_normal((n, d)), dtype=dtype), rng.integers(0, k, n)


def forward(params, X):
    h = X
    for W, b in params[:-1]:
        h = (h @ W + b).tanh()
    W, b = params[-1]
    return h @ W + b


def generic_step(params, X, c, loss="squared", eta=0.1):
    """One step as a tutorial writes it: the expression, backward, `p.data -= lr * p.grad`."""
    z = forward(params, X)
    E = F.cross_entropy(z, tg.tensor(c)) if loss == "ce" else ((z.tanh() - 1) ** 2).mean()
    E.backward()
    for p in (p for layer in params for p in layer):
        p.data -= eta * p.grad.data
        p.grad = None
    return E.item()


# ---------------------------------------------------------------- reuse


def test_a_step_writes_into_the_arrays_the_last_step_let_go_of():
    params, (X, c) = layers(), inputs()
    generic_step(params, X, c)
    kept = {address(a) for a in kept_arrays()}
    shapes = {key[0] for key in spares.spares}
    assert shapes == {(400, 128), (128, 128)}  # activations and their gradients, a weight's
    product = X @ params[0][0]  # the next step's first layer
    total = product + params[0][1]
    assert {address(product.numpy()), address(total.numpy())} <= kept
    held = []
    for _ in range(5):
        generic_step(params, X, c)
        held.append(spares.held)
    assert len(set(held)) == 1  # a steady state: the spares neither grow nor shrink


def test_an_optimizer_step_and_zero_grad_give_the_gradients_back():
    net = tg.nn.MLP([16, 256, 256, 4])
    opt = tg.optim.SGD(net.parameters(), lr=0.1)
    X, _ = inputs(np.float32)
    for _ in range(2):
        opt.zero_grad()
        ((net(X) - 1) ** 2).mean().backward()
        opt.step()
    grads = {address(p.grad.numpy()) for p in net.parameters()
             if p.grad.numpy().nbytes >= spares.KEPT_FROM}
    opt.zero_grad()
    kept = {address(a) for a in kept_arrays()}
    assert grads and grads <= kept


# ---------------------------------------------------------------- nothing visible changes


def run_training(train):
    """The losses and final weights `train()` gives, with spares and with none kept."""
    results = []
    for limit in (spares.LIMIT, 0):
        spares.clear()
        with pytest.MonkeyPatch.context() as m:
            m.setattr(spares, "LIMIT", limit)
            params, losses = train()
            results.append((losses, [p.numpy().copy() for p in params]))
            assert (spares.held > 0) == (limit > 0)  # the first run did use spares
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", ["squared", "ce"])
def test_generic_training_is_bit_for_bit_training_without_spares(dtype, loss):
    def train():
        params, (X, c) = layers(dtype), inputs(dtype)
        losses = [generic_step(params, X, c, loss) for _ in range(6)]
        return [p for layer in params for p in layer], losses

    (losses, weights), (plain_losses, plain_weights) = run_training(train)
    assert losses == plain_losses
    for w, plain in zip(weights, plain_weights):
        np.testing.assert_array_equal(w, plain)


def test_fused_training_and_second_derivatives_are_bit_for_bit_those_without_spares():
    def train():
        tg.manual_seed(0)
        net = tg.nn.MLP([16, 128, 128, 4], output_activation=None)
        opt = tg.optim.Adam(net.parameters(), lr=0.01)
        X, c = inputs(np.float32)
        losses = []
        for _ in range(4):
            opt.zero_grad()
            E = F.cross_entropy(net(X), c)
            # a gradient-norm penalty: rules run on Tensors (create_graph) with spares about
            grads = tg.autograd.grad(E, list(net.parameters()), create_graph=True)
            (E + 0.01 * sum((g * g).sum() for g in grads)).backward()
            opt.step()
            losses.append(E.item())
        return list(net.parameters()), losses

    (losses, weights), (plain_losses, plain_weights) = run_training(train)
    assert losses == plain_losses
    for w, plain in zip(weights, plain_weights):
        np.testing.assert_array_equal(w, plain)


def hooked(t, keep):
    def store(g):
        keep(g)
    t.register_hook(store)


HOLDERS = {
    "a variable holding an activation's array": lambda t, keep: keep(t.numpy()),
    "a view of an activation's array": lambda t, keep: keep(t.numpy()[1:]),
    "a detached activation": lambda t, keep: keep(t.detach()),
    "a hook storing gradients": hooked,
    "a retained gradient": lambda t, keep: (t.retain_grad(), keep(t)),
}


def value(x) -> np.ndarray:
    return x.numpy() if isinstance(x, tg.Tensor) else x


@pytest.mark.parametrize("hold", sorted(HOLDERS))
def test_an_array_someone_holds_is_never_written_over(hold):
    """What the user holds of a step (or a hook stored) keeps its values through that step's
    update and later steps, which write into spares of the same shape."""
    params, (X, _) = layers(), inputs()
    held, snapshots = [], []
    for _ in range(4):
        h = (X @ params[0][0] + params[0][1]).tanh()
        HOLDERS[hold](h, held.append)
        z = h
        del h  # only what the holder took holds it
        for W, b in params[1:]:
            z = z @ W + b
        ((z.tanh() - 1) ** 2).mean().backward()
        if hold == "a retained gradient":
            held[-1] = held[-1].grad
        snapshots += [value(x).copy() for x in held[len(snapshots):]]
        for p in (p for layer in params for p in layer):
            p.data -= 0.1 * p.grad.data
            p.grad = None
        assert len(snapshots) == len(held) > 0
        for x, before in zip(held, snapshots):
            np.testing.assert_array_equal(value(x), before)
            assert not any(np.shares_memory(value(x), a) for a in kept_arrays())


def test_a_gradient_the_user_holds_is_not_a_spare():
    params, (X, c) = layers(), inputs()
    generic_step(params, X, c)
    ((forward(params, X) - 1) ** 2).mean().backward()
    W = params[1][0]
    g, g_view, value = W.grad, W.grad.numpy()[0], W.grad.numpy().copy()
    W.grad = None
    for _ in range(3):
        generic_step(params, X, c)
    np.testing.assert_array_equal(g.numpy(), value)
    np.testing.assert_array_equal(g_view, value[0])


def test_threads_training_their_own_networks_get_what_they_get_alone():
    def train(seed, out):
        params, (X, c) = layers(seed=seed), inputs(seed=seed)
        out[seed] = [generic_step(params, X, c) for _ in range(15)]

    alone, together = {}, {}
    for seed in (0, 1):
        spares.clear()
        train(seed, alone)
    threads = [threading.Thread(target=train, args=(seed, together)) for seed in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


# ---------------------------------------------------------------- numpy's results


def primitives(cls=ops.Function):
    for sub in cls.__subclasses__():
        yield sub
        yield from primitives(sub)


UFUNC_FORWARDS = sorted({cls.forward for cls in primitives() if type(cls.forward) is np.ufunc},
                        key=lambda f: f.__name__)


def operands(f, dtype, layout, rng):
    """Arguments for ufunc f, of 32,768 elements (64 KiB in float16), in one of several
    layouts."""
    x = rng.uniform(1.1, 2.0, (128, 256)).astype(dtype)
    other = np.float64 if dtype != np.float64 else np.float32  # for "mixed"
    if f is np.matmul:
        y = rng.uniform(-1, 1, (256, 256)).astype(dtype)
        return {"plain": (x, y), "transposed": (x.T.copy().T, y), "number": (x, y),
                "bias": (x, y), "number first": (x, y), "mixed": (x, y.astype(other))}[layout]
    if f.nin == 1:
        return (x.T,) if layout == "transposed" else (x,)
    y = rng.uniform(1.1, 2.0, (128, 256)).astype(dtype)
    return {"plain": (x, y), "transposed": (x.T, y.T.copy()), "number": (x, 1.5),
            "bias": (x, y[0]), "number first": (1.5, x),
            "mixed": (x, y[0].astype(other))}[layout]


@FAST
@given(f=st.sampled_from(UFUNC_FORWARDS), dtype=st.sampled_from([np.float16, np.float32,
                                                                  np.float64]),
       layout=st.sampled_from(["plain", "transposed", "number", "bias", "number first",
                               "mixed"]),
       seed=st.integers(0, 2**16))
@example(f=np.matmul, dtype=np.float32, layout="mixed", seed=0)
@example(f=np.add, dtype=np.float16, layout="mixed", seed=0)
def test_a_forward_into_a_spare_gives_numpys_result(f, dtype, layout, seed):
    """Every primitive whose forward is a ufunc: with a spare of the result's shape and
    dtype waiting, the result has numpy's values (bit for bit), dtype and strides, for
    operands of one float dtype or of two ("mixed": a float64 bias, or float32's)."""
    datas = operands(f, dtype, layout, np.random.default_rng(seed))
    with np.errstate(all="ignore"):  # arccos of values above 1: nan, as numpy gives
        expected = f(*datas)
        spares.clear()
        dtypes = {expected.dtype} | {d.dtype for d in datas if isinstance(d, np.ndarray)}
        for dtype in dtypes:  # a spare of each operand's dtype waits too: not to be taken
            spares.keep(np.empty(expected.shape, dtype), 0)
        held = spares.held
        got = run_ufunc(f, datas)
    assert got.dtype == expected.dtype and got.strides == expected.strides
    np.testing.assert_array_equal(got, expected)
    if all(type(d) is not np.ndarray or d.flags.c_contiguous for d in datas):
        assert spares.held == held - expected.nbytes  # it took the spare of its dtype


def test_no_spare_is_kept_of_what_a_view_or_a_holder_shares():
    a = np.ones((128, 128))
    spares.keep(a, 0)  # the caller's variable `a` holds it: not kept
    spares.keep(np.ones((128, 128))[1:], 0)  # a view
    spares.keep(np.ones((128, 128)).T, 0)  # not C-contiguous
    spares.keep(np.ones(4), 0)  # too small to be worth keeping
    read_only = np.ones((128, 128))
    read_only.flags.writeable = False
    spares.keep(read_only, 1)
    assert spares.spares == {} and spares.held == 0
    spares.keep(np.ones((128, 128)), 0)
    assert spares.held == 128 * 128 * 8


def test_the_spares_stay_within_their_limits(monkeypatch):
    for _ in range(spares.AT_MOST + 1):
        spares.keep(np.empty(8192), 0)
    assert len(spares.spares[(8192,), np.dtype(np.float64)]) == spares.AT_MOST
    spares.clear()
    monkeypatch.setattr(spares, "LIMIT", 3 * 65536)
    for n in (8192, 8192, 8192):
        spares.keep(np.empty(n), 0)
    assert spares.held == 3 * 65536
    spares.keep(np.empty(16384), 0)  # beyond the limit: the oldest shape's go, one at a time
    assert spares.held == 3 * 65536
    assert {k[0]: len(v) for k, v in spares.spares.items()} == {(8192,): 1, (16384,): 1}
    spares.keep(np.empty(32768), 0)  # larger than the limit itself: not kept
    assert spares.held == 3 * 65536


def test_an_array_of_other_strides_is_not_kept():
    """An (n, 1) array in Fortran order passes numpy's C-contiguous flag, but a result written
    into it would have its strides, not those numpy gives."""
    x = tg.ones(16384, 1, dtype=tg.float64, requires_grad=True)
    x.grad = tg.from_numpy(np.ones((16384, 1), order="F"))
    x.grad = None
    y = tg.ones(16384, 1, dtype=tg.float64) * 2
    assert y.numpy().strides == (8, 8) and y.stride() == (1, 1)


def test_a_result_in_a_spare_starts_at_version_0():
    w = tg.ones(128, 128, requires_grad=True)
    (w * 3).sum().backward()
    w.grad.mul_(0.5)  # the gradient's memory is written in place: its counter is at 1
    w.grad = None
    y = tg.ones(128, 128) + 1
    assert y._version == 0


def test_an_array_a_weak_reference_watches_is_not_kept():
    params, (X, _) = layers(), inputs()
    h = (X @ params[0][0] + params[0][1]).tanh()
    ref = weakref.ref(h.numpy())
    z = h
    del h
    for W, b in params[1:]:
        z = z @ W + b
    ((z.tanh() - 1) ** 2).mean().backward()
    assert ref() is None  # freed, as without spares: a result written into it would show


TRACED_IMPORT = """
import sys
def trace(frame, event, arg):
    frame.f_locals  # what a debugger showing variables does: a reference more per local
    return trace
sys.settrace(trace)
import tinygrad_edu as tg
from tinygrad_edu import spares
from tinygrad_edu.autograd import engine
sys.settrace(None)
w = tg.ones(128, 128, requires_grad=True)
(w * 3).sum().backward()
G = w.grad
w.grad = None
y = tg.full((128, 128), 7.0) + 1
print(spares.UNSHARED == spares._unshared_refcount(),
      engine._HELD_ONCE == engine._held_once_refcount(), G.numpy()[0, 0])
"""


def test_the_reference_counts_are_measured_right_under_a_debugger():
    """Imported while a trace function reads local variables, the package still measures
    the reference counts of an unshared array (or it would keep arrays its user holds)."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", TRACED_IMPORT], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "3.0"]


def test_a_rule_product_of_other_dtypes_or_shapes_is_numpys():
    """`spares.product` (Tanh's rule) writes into a spare only for operands of one shape and
    dtype: otherwise a float32 spare would cut a float64 product, or refuse a broadcast."""
    rng = np.random.default_rng(0)
    g, y = rng.standard_normal((128, 128)).astype(np.float32), rng.standard_normal((128, 128))
    for a, b, c in [(g, y, y), (g, g[:1], g[:, :1]), (g, g, g)]:
        spares.clear()
        spares.keep(np.empty((128, 128), np.float32), 0)
        got, expected = spares.product(a, b, c), a * b * c
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    assert spares.held == 0  # the last, of one shape and dtype, took the spare
