"""The engine's walk against the plain walk of docs/engine.md, and autograd.grad's pruning.

The plain walk (topological order by sequence number, then reverse accumulation) is the
algorithm; the engine adds a chain shortcut, pruning, freeing and in-place routing, none of
which may change a gradient. Here the block of docs/engine.md is run as it is printed and
compared with the engine gradient for gradient, on fixed graphs and on random ones; and
autograd.grad is held to running exactly the rules on paths to the inputs asked for.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from test_random_graphs import MORE, dags

import tinygrad_edu as tg

PAGE = Path(__file__).resolve().parents[1] / "docs" / "engine.md"
MARKED = re.compile(r"^<!-- plain walk[^\n]*-->\n```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def plain_walk():
    """The function `plain_backward` of the block marked "plain walk" in docs/engine.md."""
    (code,) = MARKED.findall(PAGE.read_text(encoding="utf-8"))
    namespace = {"__name__": "docs.engine"}
    exec(compile(code, str(PAGE), "exec"), namespace)
    return namespace["plain_backward"]


plain_backward = plain_walk()


def below(*roots) -> list:
    """Every tensor with a grad_fn below `roots`, once each."""
    found, todo = {}, list(roots)
    while todo:
        t = todo.pop()
        if t.grad_fn is not None and t not in found:
            found[t] = None
            todo += [a for a in t.grad_fn.inputs if isinstance(a, tg.Tensor)]
    return list(found)


def count_rules(monkeypatch, *roots) -> list:
    """A list that receives each node whose rule runs, for the graph below `roots` (the
    backward of every class recorded there is wrapped)."""
    ran = []
    for cls in {type(t.grad_fn) for t in below(*roots)}:
        def counted(self, *args, _rule=cls.backward):
            ran.append(self)
            return _rule(self, *args)
        monkeypatch.setattr(cls, "backward", counted)
    return ran


def f64(values, requires_grad=True) -> tg.Tensor:
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# ---------------------------------------------------------------- the plain walk of the docs


def chain():
    x = f64([0.3, -0.7, 1.1])
    y = x
    for _ in range(20):
        y = (y * 1.01 + 0.1).tanh()
    return y.sum(), [x]


def diamond_with_broadcasting():
    x, w, b = f64([0.5, -1.0, 2.0]), f64([[2.0], [3.0]]), f64(0.25)
    h = (w * x + b).sigmoid()  # 2 × 3
    return (h * h + h.exp() * x).mean(), [x, w, b, h]


def same_tensor_twice_and_a_constant():
    x, c = f64([1.5, -2.0]), f64([3.0, 4.0], requires_grad=False)
    y = x * x
    z = (y * c + y).log() - x
    return (z * z).sum(), [x, y, z]


def matmul_and_reductions():
    a, b = f64(np.linspace(-1, 1, 6).reshape(2, 3)), f64(np.linspace(0.5, 2, 12).reshape(3, 4))
    m = a @ b
    return m.logsumexp(dim=1).sum() + m.var(), [a, b, m]


GRAPHS = [chain, diamond_with_broadcasting, same_tensor_twice_and_a_constant,
          matmul_and_reductions]


@pytest.mark.parametrize("graph", GRAPHS, ids=[g.__name__ for g in GRAPHS])
def test_the_engine_equals_the_plain_walk_of_the_docs(graph):
    loss, tensors = graph()
    expected = plain_backward(loss)
    got = tg.autograd.grad(loss, tensors, retain_graph=True)
    for t, g in zip(tensors, got):
        np.testing.assert_array_equal(g.numpy(), expected[t])
    loss.backward()
    for t in tensors:
        if t.is_leaf:
            np.testing.assert_array_equal(t.grad.numpy(), expected[t])


@MORE
@given(dags(), st.data())
def test_pruning_never_changes_a_gradient(dag, data):
    """autograd.grad w.r.t. any few tensors, leaves and intermediates, equals the plain walk
    exactly, and so does Tensor.backward for every leaf."""
    note(dag.program())
    ins, vals = dag.build_tg()
    loss = dag.tg_loss(vals)
    expected = plain_backward(loss)
    asked = sorted(set(data.draw(st.lists(
        st.sampled_from([k for k in range(dag.n_items) if dag.requires[k]]),
        min_size=1, max_size=4), label="asked")))
    got = tg.autograd.grad(loss, [vals[k] for k in asked], retain_graph=True, allow_unused=True)
    for k, g in zip(asked, got):
        if vals[k] in expected:
            np.testing.assert_array_equal(g.numpy(), expected[vals[k]], err_msg=dag.name(k))
        else:
            assert g is None, f"{dag.name(k)} is not below the loss but got a gradient"
    loss.backward()
    for k, x in enumerate(ins):
        if x in expected:
            np.testing.assert_array_equal(x.grad.numpy(), expected[x], err_msg=dag.name(k))
        else:
            assert x.grad is None


# ---------------------------------------------------------------- pruning


def many_branches(n: int = 5000):
    """loss = Σᵢ Σ 2wᵢ + Σ 3x: n branches of other leaves, then x's branch, summed in a
    chain of n Adds. Returns (loss, x, the leaves w, the three nodes on x's path)."""
    x = f64([1.0, 2.0])
    ws = [f64([1.0, 2.0]) for _ in range(n)]
    branches = [(w * 2.0).sum() for w in ws]
    last = (x * 3.0).sum()
    loss = branches[0]
    for b in [*branches[1:], last]:
        loss = loss + b
    return loss, x, ws, [loss.grad_fn, last.grad_fn, last.grad_fn.inputs[0].grad_fn]


def test_grad_runs_only_the_rules_on_paths_to_its_inputs(monkeypatch):
    loss, x, ws, path = many_branches()
    ran = count_rules(monkeypatch, loss)
    (g,) = tg.autograd.grad(loss, x)
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])
    assert ran == path  # the last Add, Sum and Mul of x's branch, in that order: 3 of 15,002


def test_backward_still_runs_every_rule_and_delivers_every_leaf(monkeypatch):
    loss, x, ws, _ = many_branches()
    ran = count_rules(monkeypatch, loss)
    loss.backward()
    assert len(ran) == 5000 + 2 * 5001  # every Add, and each branch's Mul and Sum
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    for w in ws:
        np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0])


def test_grad_of_an_intermediate_does_not_run_its_own_rule(monkeypatch):
    x = f64([0.5, -1.0])
    h = x.tanh()
    y = h * 2.0
    loss = y.sum()
    ran = count_rules(monkeypatch, loss)
    (gh,) = tg.autograd.grad(loss, h, retain_graph=True)
    np.testing.assert_array_equal(gh.numpy(), [2.0, 2.0])
    assert ran == [loss.grad_fn, y.grad_fn]  # not TanhBackward: nothing asked lies below h
    ran.clear()
    gh, gx = tg.autograd.grad(loss, [h, x])
    np.testing.assert_allclose(gx.numpy(), 2.0 * (1 - np.tanh([0.5, -1.0]) ** 2), rtol=1e-15)
    assert len(ran) == 3


def test_grad_through_a_freed_node_still_raises_with_pruning():
    x = f64([0.5, -1.0])
    loss = (x.tanh() * 2.0).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        tg.autograd.grad(loss, x)


def test_pruning_follows_a_tensor_changed_in_place_to_its_old_value():
    """A node recorded before an in-place change reads the value as it was; grad prunes
    along the same routes the walk takes."""
    x, other = f64([0.5, -1.0]), f64([2.0, 3.0])
    y = x * 1.0
    old_use = y * 2.0  # recorded before the change: differentiates the old y (= x)
    y.mul_(3.0)  # y takes over a new node, 3 × its old value
    loss = (old_use + y * other + other * other).sum()
    (gx,) = tg.autograd.grad(loss, x)
    np.testing.assert_array_equal(gx.numpy(), 2.0 + 3.0 * other.numpy())
