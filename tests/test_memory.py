"""Bounded memory: differentiating releases the graph, a long training run keeps a constant
number of objects and constant memory, a million-node graph is differentiated, printed,
deleted and collected without recursion, and reference cycles keep a graph alive only until
`gc.collect()` (the library itself makes none, so refcounting alone frees its graphs).

The two long checks run this file as a script in a fresh interpreter (`run_isolated`), so
memory is measured without pytest's, and a crash in a deallocator cannot end the run.
"""

import contextlib
import gc
import json
import os
import subprocess
import sys
import tracemalloc
import weakref
from pathlib import Path
from unittest import mock

import numpy as np
import numpy.ma  # noqa: F401 (np.unique imports it on first use, leaving cyclic garbage)
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import data, nn, ops, recording
from tinygrad_edu.autograd import engine
from tinygrad_edu.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- helpers


def xor_net() -> nn.MLP:
    """A small tanh network with a linear output, the same weights every time."""
    tg.manual_seed(0)
    return nn.MLP([2, 8, 8, 1], output_activation=None)


def xor_loss(net: nn.MLP, X: np.ndarray, y: np.ndarray) -> tg.Tensor:
    """The logistic loss of `net` on points X with ±1 labels y."""
    return F.logistic_loss(net(tg.tensor(X, dtype=tg.float32)).squeeze(-1), y)


def below(root: tg.Tensor) -> list:
    """Every non-leaf tensor recorded below `root`."""
    found, todo = {}, [root]
    while todo:
        for a in todo.pop().grad_fn.inputs:
            if isinstance(a, tg.Tensor) and a.grad_fn is not None and id(a) not in found:
                found[id(a)] = a
                todo.append(a)
    return list(found.values())


def intermediates(root: tg.Tensor) -> list:
    """Weak references to every non-leaf tensor recorded below `root`, and to its array
    (the arrays are what the nodes save for the backward pass)."""
    return [weakref.ref(obj) for t in below(root) for obj in (t, t.numpy())]


def activations(root: tg.Tensor) -> list:
    """Weak references to the arrays of the non-leaf tensors below `root`: what a plain
    backward pass frees (the tensors stay, as the graph's structure, with no value)."""
    return [weakref.ref(t.numpy()) for t in below(root)]


def alive(refs: list) -> int:
    return sum(r() is not None for r in refs)


@contextlib.contextmanager
def refcounting_only():
    """Run the block with the cycle collector off, then fail naming the types of whatever
    the block left for it: objects made in the block that only a reference cycle keeps
    alive. (Objects that existed before it, such as a figure an earlier test left, may
    become cyclic garbage during it without the block's doing.)"""
    gc.collect()
    before = {id(obj) for obj in gc.get_objects()}
    gc.disable()
    try:
        yield
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        cyclic = sorted({type(obj).__name__ for obj in gc.garbage if id(obj) not in before})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert cyclic == [], f"reference cycles left for the garbage collector: {cyclic}"


def run_isolated(name: str) -> dict:
    """Call this file's function `name` in a fresh interpreter; return what it printed."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path}, timeout=300)
    assert proc.returncode == 0, f"{name} exited with {proc.returncode}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


# ---------------------------------------------------------------- the graph is released


@pytest.mark.parametrize("how", ["backward", "autograd.grad"])
def test_differentiating_an_mlp_loss_releases_every_activation(how, monkeypatch):
    """Once the gradients exist, no activation or saved array of the step is left, although
    the loss is still referenced; then the optimizer steps as usual. (The arrays here are
    small: the engine is told to free values of any size.)"""
    monkeypatch.setattr(engine, "FREED_FROM", 0)
    X, y = data.xor(n=32, seed=0)
    net = xor_net()
    params = list(net.parameters())
    opt = tg.optim.SGD(params, lr=0.1, momentum=0.9)
    with refcounting_only():
        loss = xor_loss(net, X, y)
        refs = activations(loss)
        assert len(refs) >= 5  # at least 3 layer outputs and 2 tanh
        assert alive(refs) == len(refs)
        if how == "backward":
            loss.backward()
        else:
            for p, g in zip(params, tg.autograd.grad(loss, params)):
                p.grad = g
        assert alive(refs) == 0
        before = [p.numpy().copy() for p in params]
        opt.step()
        assert all((p.numpy() != b).any() for p, b in zip(params, before))


STEPS = {  # each makes one tensor from the last; the constant sits last, first, or nowhere
    "h * 2": lambda h: h * 2, "2 * h": lambda h: 2 * h, "tanh": lambda h: h.tanh(),
    "h * h": lambda h: h * h, "h + h.exp()": lambda h: h + h.exp(),
    "sum to a column": lambda h: h.sum(1, keepdim=True) + h,
}


@given(steps=st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=7),
       held=st.lists(st.booleans(), min_size=7, max_size=7), how=st.sampled_from(["b", "g"]))
def test_backward_frees_a_value_only_when_nothing_else_holds_it(steps, held, how):
    """Whatever the user keeps keeps its value (and the gradients are those of a retained
    graph); what no one keeps, in a chain of single uses, is freed (here whatever its size)."""
    with mock.patch.object(engine, "FREED_FROM", 0):
        check_what_backward_frees(steps, held, how)


def check_what_backward_frees(steps, held, how):
    x = tg.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=tg.float64, requires_grad=True)
    kept, h, refs = [], x, []
    for step, keep in zip(steps, held):
        h = STEPS[step](h)
        if keep:
            kept.append((h, h.numpy().copy()))
        else:
            refs.append((step, weakref.ref(h.numpy())))
    loss = (h ** 2).sum()
    del h
    (expected,) = tg.autograd.grad(loss, x, retain_graph=True)
    got = loss.backward() or x.grad if how == "b" else tg.autograd.grad(loss, x)[0]
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    for t, value in kept:
        np.testing.assert_array_equal(t.numpy(), value)
    if all(step in ("h * 2", "2 * h", "tanh") for step in steps):  # single uses only
        assert [step for step, r in refs if r() is not None] == []


def test_a_layer_keeps_one_activation_through_the_forward_pass():
    """In `(h @ W + b).tanh()` no rule reads `h @ W` or `h @ W + b`: once the next operation
    records, the graph alone holds them and they let go of their arrays (a hand-written
    layer keeps one array, not three), keeping shape and dtype. A tensor the program holds
    keeps its value, and the gradients are the same, bit for bit."""
    rng = np.random.default_rng(0)
    X = tg.tensor(rng.standard_normal((64, 16)))  # float64: 8 KiB per activation
    params = [p for _ in range(3) for p in (tg.tensor(rng.standard_normal((16, 16)),
                                                      requires_grad=True),
                                            tg.tensor(rng.standard_normal(16),
                                                      requires_grad=True))]

    def watched(t, refs, held):  # t, with a weak reference to its array; held if asked
        refs.append(weakref.ref(t.numpy()))
        if held is not None:
            held.append(t)
        return t

    def layers(held):
        h, refs = X, []
        for W, b in zip(params[::2], params[1::2]):
            h = watched(watched(h @ W, refs, held) + b, refs, held).tanh()
        loss = (h * h).sum()  # the two values of every layer are behind it now
        return loss, [r() is not None for r in refs]

    loss, kept = layers(held=None)
    assert kept == [False] * 6
    tanh = loss.grad_fn.inputs[0].grad_fn.inputs[0]
    (summed,) = tanh.grad_fn.inputs
    assert (summed.grad_fn.name, summed.shape, summed.dtype) == ("AddBackward", (64, 16),
                                                                 tg.float64)
    with pytest.raises(RuntimeError, match="value was freed"):
        summed.numpy()
    tanh.numpy()  # what a rule reads stays: the tanh output (its rule's, and the product's)
    grads = tg.autograd.grad(loss, params)
    loss, kept = layers(held=[])
    assert kept == [True] * 6
    for got, expected in zip(grads, tg.autograd.grad(loss, params), strict=True):
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


def _mul_on_a_reshape(a, k):
    y = k(k(a + 1).reshape(-1)).mul_(3)
    return (y * y).sum()


def _sub_on_a_row_then_its_base(a, k):
    s = k(a.exp() + 1)
    row = k(s[0]).sub_(1)  # noqa: F841 (kept, as the program would)
    return k(k(s + 1) * 2).tanh().sum()


VIEWS_OF_TEMPORARIES = {  # `k` marks each intermediate: held by the program, or a temporary
    "add_ on a view of a transpose": lambda a, k: k(k(k(a * 2).T)[1:3]).add_(1).tanh().sum(),
    "mul_ on a reshape": _mul_on_a_reshape,
    "sub_ on a row, then its base": _sub_on_a_row_then_its_base,
    "a slice of a sum": lambda a, k: k(k(k(a * 2) + 1)[:, :2]).tanh().sum(),
}


@pytest.mark.parametrize("program", sorted(VIEWS_OF_TEMPORARIES))
def test_a_value_a_view_shares_is_not_let_go_of(program):
    """A view shares its base's memory, so letting go of the base would give nothing back,
    and an in-place change to a view walks from it to its memory's owner: values with views
    stay. The gradients equal those of the program holding every intermediate."""
    a = tg.tensor(np.linspace(-1, 1, 64).reshape(8, 8), requires_grad=True)
    grads = []
    for held in (None, []):
        def mark(t, held=held):
            if held is not None:
                held.append(t)
            return t
        with mock.patch.object(recording, "LET_GO_FROM", 0):
            VIEWS_OF_TEMPORARIES[program](a, mark).backward()
        grads.append(a.grad.numpy().copy())
        a.grad = None
    np.testing.assert_array_equal(grads[0], grads[1])


def test_a_leaf_takes_the_gradient_its_rule_made_without_a_copy():
    """.grad is the very array the rule returned, also for a leaf of the node that runs last
    (the walk lets go of that rule's results before the leaves accumulate): backward of
    Σ 2w allocates one gradient the size of w, not two."""
    w = tg.zeros(1 << 20, dtype=tg.float64, requires_grad=True)
    loss = (w * 2.0).sum()
    tracemalloc.start()
    try:
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert w.numpy().nbytes <= peak < 1.5 * w.numpy().nbytes


_W = tg.tensor(0.5, requires_grad=True)


@pytest.mark.parametrize("step, watched", [
    (lambda y: y + 0.5, 3),  # the tensor, its node, the node's inputs
    (lambda y: y.tanh(), 3),  # the rule reads the output only
    (lambda y: y + _W, 3),
    (lambda y: y * 0.5, 4),  # and the input arrays the rule reads
    (lambda y: y * _W, 4),
])
def test_a_node_leaves_the_garbage_collector_only_what_its_rule_needs(step, watched):
    """Every object a recorded operation keeps and the garbage collector watches brings the
    collector's next pass nearer, and in a deep graph each full pass walks all of them."""
    y = tg.tensor(0.5, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for _ in range(100):
            y = step(y)
        per_node = (len(gc.get_objects()) - before) / 100
    finally:
        gc.enable()
    assert watched <= per_node < watched + 0.1


def test_the_value_an_in_place_op_overwrote_is_released_with_the_graph(monkeypatch):
    """A recorded in-place op computes on a copy of the value it overwrites; the backward
    pass releases that copy with the rest of the graph, though the changed tensor lives on."""
    monkeypatch.setattr(engine, "FREED_FROM", 0)
    x = tg.tensor(np.ones(3), requires_grad=True)
    with refcounting_only():
        h = x * 2
        h.mul_(3)
        refs = intermediates(h)  # the copy of x * 2 that mul_ overwrote, and its array
        assert len(refs) == 2
        refs = refs[1:]  # the array: the copy itself stays in the graph as its structure
        (h * h).sum().backward()
        assert alive(refs) == 0
        assert x.grad.tolist() == [72.0] * 3  # d/dx (6x)² = 72x


@pytest.mark.parametrize("how", ["backward", "autograd.grad", "create_graph"])
def test_a_retained_graph_lives_until_it_is_dropped(how):
    """retain_graph=True (and create_graph=True, which implies it) keeps the buffers for a
    second pass; dropping the loss and the gradients then frees them by refcounting alone."""
    X, y = data.xor(n=32, seed=0)
    net = xor_net()
    params = list(net.parameters())
    with refcounting_only():
        loss = xor_loss(net, X, y)
        refs = intermediates(loss)
        if how == "backward":
            loss.backward(retain_graph=True)
            grads = None
        else:
            grads = tg.autograd.grad(loss, params, retain_graph=True,
                                     create_graph=how == "create_graph")
        assert alive(refs) == len(refs)
        del loss, grads
        assert alive(refs) == 0


# ---------------------------------------------------------------- 1,000 training steps


def rss_bytes() -> int:
    """The resident set size of this process now (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def train_and_count(steps: int = 1000, probes: tuple = (100, 1000)) -> list:
    """Train `xor_net` with Adam on minibatches of 16 points, zero_grad/backward/step each
    step; after each probe step, count the live Tensors, graph nodes and GC-tracked objects
    and read the RSS (after a full collection)."""
    assert gc.is_tracked(tg.tensor(1.0))  # so gc.get_objects() sees every Tensor
    X, y = data.xor(n=64, seed=0)
    net = xor_net()
    opt = tg.optim.Adam(net.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    counts, step = [], 0
    while step < steps:
        for xb, yb in data.minibatches(X, y, 16, rng=rng):
            step += 1
            opt.zero_grad()
            loss = xor_loss(net, xb, yb)
            loss.backward()
            opt.step()
            if step in probes:
                # only live objects are counted; the collection also untracks the tuple
                # of numbers recorded at the previous probe, so the counts compare
                gc.collect()
                rss = rss_bytes()
                objects = gc.get_objects()
                counts.append((step, sum(isinstance(o, tg.Tensor) for o in objects),
                               sum(isinstance(o, ops.Function) for o in objects),
                               len(objects), rss, loss.item()))
                del objects
    return [dict(zip(("step", "tensors", "nodes", "objects", "rss", "loss"), c))
            for c in counts]


def test_a_thousand_training_steps_keep_objects_and_memory_flat():
    """Between step 100 and step 1000 not one Tensor, graph node or other GC-tracked object
    accumulates (the Tensor and node counts are equal), and the RSS grows by less than 2 MiB. The RSS cannot be compared exactly:
    it moves in pages, CPython's free lists and numpy's small-buffer cache keep freed blocks
    and fill up gradually, each parameter's version counter remembers up to 1,024 writes,
    and one more pymalloc arena is 1 MiB. Observed growth is about 0.2 MiB; a leak of
    2.3 KiB per step would exceed the bound, and a leaked tensor, node or container of any
    size fails the counts."""
    early, late = run_isolated("train_and_count")
    assert late["loss"] < early["loss"] < 0.7  # it trains (ln 2 ≈ 0.69 at the start)
    assert (late["tensors"], late["nodes"]) == (early["tensors"], early["nodes"])
    # not one more GC-tracked object; one fewer was seen in a fresh virtualenv (some lazily
    # filled interpreter cache), and a count that shrinks cannot be a leak
    assert late["objects"] <= early["objects"]
    assert late["rss"] - early["rss"] < 2 * 2**20, (early, late)


# ---------------------------------------------------------------- a million nodes


def deep_chain(n: int = 1_000_000) -> dict:
    """y = x·c·c·…·c with n multiplications (c = 1 + 1/n, so dy/dx = cⁿ ≈ e). Print y,
    differentiate it, delete it (freeing the upper half by refcounting, a cascade 500,000
    deep), then make the lower half cyclic garbage and collect it."""
    limit = sys.getrecursionlimit()
    c = 1 + 1 / n
    x = tg.tensor(1.0, dtype=tg.float64, requires_grad=True)
    y = x
    for i in range(n):
        y = y * c
        if i == n // 4:
            lower = weakref.ref(y)
        elif i == n // 2:
            middle = y
        elif i == 3 * n // 4:
            upper = weakref.ref(y)
    text = repr(y)
    y.backward(retain_graph=True)
    del y
    upper_freed, lower_kept = upper() is None, lower() is not None
    cycle = [middle]
    cycle.append(cycle)
    del middle, cycle
    lower_kept_by_cycle = lower() is not None
    gc.collect()
    return {"repr": text, "grad": x.grad.item(), "expected": c**n, "upper_freed": upper_freed,
            "lower_kept": lower_kept, "lower_kept_by_cycle": lower_kept_by_cycle,
            "lower_freed": lower() is None, "limit_unchanged": sys.getrecursionlimit() == limit}


def test_a_million_node_chain_differentiates_prints_deletes_and_collects():
    """No stage recurses per node, with the default recursion limit: the engine walks the
    graph with a heap, and CPython's deallocator unwinds deep chains (its "trashcan")."""
    out = run_isolated("deep_chain")
    assert out["repr"].startswith("tensor(2.718")
    assert out["repr"].endswith("dtype=tinygrad_edu.float64, grad_fn=<MulBackward>)")
    assert out["grad"] == pytest.approx(out["expected"], rel=1e-8)
    assert out["upper_freed"] and out["lower_kept"]
    assert out["lower_kept_by_cycle"] and out["lower_freed"]
    assert out["limit_unchanged"]


# ---------------------------------------------------------------- reference cycles


class Holder:
    """A user's object."""


class OwnedTensor(tg.Tensor):
    """A user's Tensor subclass (it has a __dict__) that can point at its owner."""


def module_referencing_itself() -> list:
    net = xor_net()
    net.me = net  # registered as its own submodule
    net.opt = tg.optim.Adam(net.parameters(), lr=0.01)
    net.last_loss = xor_loss(net, *data.xor(n=32, seed=0))
    net.last_loss.backward(retain_graph=True)
    net.opt.step()
    params = list(net.parameters())
    return [weakref.ref(o) for o in (net, net.opt, net.last_loss, *params)] + \
        [weakref.ref(p.grad) for p in params] + intermediates(net.last_loss)


def object_referenced_by_its_own_graph() -> list:
    owner = Holder()
    owner.w = OwnedTensor([1.0, 2.0], requires_grad=True)
    owner.w.owner = owner  # a leaf of the graph points back at the object holding it
    owner.loss = (owner.w * owner.w).tanh().sum()
    return [weakref.ref(owner), weakref.ref(owner.w), *intermediates(owner.loss)]


def gradient_built_with_create_graph() -> list:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x.tanh() * x).sum().backward(create_graph=True)  # x.grad's graph uses x, as in PyTorch
    return [weakref.ref(x), weakref.ref(x.grad), *intermediates(x.grad)]


@pytest.mark.parametrize("make_cycle", [module_referencing_itself,
                                        object_referenced_by_its_own_graph,
                                        gradient_built_with_create_graph])
def test_a_reference_cycle_keeps_a_graph_only_until_gc_collect(make_cycle):
    """Nothing but the cycle holds the graph: it outlives its names, then gc frees it all."""
    gc.collect()
    gc.disable()
    try:
        refs = make_cycle()
        assert alive(refs) == len(refs)  # unreachable, but held by the cycle
    finally:
        gc.enable()
    gc.collect()
    assert alive(refs) == 0


def test_training_makes_no_reference_cycles():
    """A model, its optimizer, training steps, an evaluation, a graph never differentiated:
    all of it is freed by refcounting alone as soon as the names are dropped."""
    X, y = data.xor(n=32, seed=0)
    with refcounting_only():
        net = xor_net()
        opt = tg.optim.Adam(net.parameters(), lr=0.01)
        sched = tg.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(3):
            opt.zero_grad()
            loss = xor_loss(net, X, y)
            loss.backward()
            opt.step()
            sched.step()
        with tg.no_grad():
            xor_loss(net, X, y)
        unused = xor_loss(net, X, y)
        params = list(net.parameters())
        refs = [weakref.ref(o) for o in (net, opt, sched, loss, unused, *params)] + \
            [weakref.ref(p.grad) for p in params] + intermediates(unused)
        del net, opt, sched, loss, unused, params
        assert alive(refs) == 0


if __name__ == "__main__":
    print(json.dumps(globals()[sys.argv[1]]()))
