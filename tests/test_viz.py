"""viz: DOT text and text tree of the recorded graph, gradients, deep chains, freed graphs."""

import io
import re
import sys
import types

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import viz
from tinygrad_edu.autograd import engine


def small_graph():
    """loss = sum(tanh(x * 2) * w + x): x used twice, a constant, a 0-d leaf."""
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = tg.tensor(0.5, requires_grad=True)
    loss = ((x * 2).tanh() * w + x).sum()
    return x, w, loss


def nodes_and_edges(dot):
    """{node id: label} and [(source, target)] in the order the text lists them."""
    labels = dict(re.findall(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M))
    edges = re.findall(r"^  (\w+) -> (\w+);$", dot, re.M)
    return labels, edges


def test_to_dot_nodes_labels_and_edges_in_data_flow_order():
    x, w, loss = small_graph()
    dot = viz.to_dot(loss, names={x: "x", w: "w", loss: "loss"})
    assert dot.startswith("digraph autograd {\n") and dot.endswith("}\n")
    labels, edges = nodes_and_edges(dot)
    assert labels == {
        "t0": "x: (3,) float32", "f1": "Mul", "c0": "2", "t1": "(3,) float32",
        "f2": "Tanh", "t2": "(3,) float32", "t3": "w: () float32",
        "f4": "Mul", "t4": "(3,) float32", "f5": "Add", "t5": "(3,) float32",
        "f6": "Sum", "t6": "loss: () float32",
    }
    assert edges == [
        ("t0", "f1"), ("c0", "f1"), ("f1", "t1"),
        ("t1", "f2"), ("f2", "t2"),
        ("t2", "f4"), ("t3", "f4"), ("f4", "t4"),
        ("t4", "f5"), ("t0", "f5"), ("f5", "t5"),
        ("t5", "f6"), ("f6", "t6"),
    ]


def test_to_dot_is_deterministic():
    graphs = [small_graph() for _ in range(2)]
    assert viz.to_dot(graphs[0][2]) == viz.to_dot(graphs[1][2])


def test_to_dot_shows_dtype_and_leaf_style():
    x = tg.tensor(np.ones((2, 3)), requires_grad=True)  # float64 kept from the ndarray
    c = tg.tensor([1.0, 2.0, 3.0])  # a leaf that does not require grad
    y = x @ c
    labels, edges = nodes_and_edges(viz.to_dot(y))
    assert labels == {"t0": "(2, 3) float64", "t1": "(3,) float32", "f2": "MatMul",
                      "t2": "(2,) float64"}
    assert edges == [("t0", "f2"), ("t1", "f2"), ("f2", "t2")]
    dot = viz.to_dot(y)
    assert re.search(r'^  t0 \[.*fillcolor="#cfe2f3"\];$', dot, re.M)
    assert re.search(r"^  t1 \[[^\]]*shape=box\];$", dot, re.M)


def test_gradients_appear_after_backward():
    x, w, loss = small_graph()
    labels, _ = nodes_and_edges(viz.to_dot(loss))
    assert not any("grad" in label for label in labels.values())
    loss.backward(retain_graph=True)
    labels, _ = nodes_and_edges(viz.to_dot(loss, names={x: "x", w: "w"}))
    t = np.tanh(2 * np.array([1.0, 2.0, 3.0]))
    gx = 1 + 0.5 * 2 * (1 - t**2)
    assert labels["t0"] == "x: (3,) float32\\ngrad [" + ", ".join(f"{v:.4g}" for v in gx) + "]"
    assert labels["t3"] == f"w: () float32\\ngrad {t.sum():.4g}"
    assert labels["t1"] == "(3,) float32"  # intermediates keep no .grad


def test_large_gradient_shows_shape_not_values():
    x = tg.tensor(np.ones((3, 4)), requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    labels, _ = nodes_and_edges(viz.to_dot(y))
    assert labels["t0"] == "(3, 4) float64\\ngrad <(3, 4) float64>"


def test_constant_arrays_are_compact():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * np.array([0.123456, 2.0])) + np.zeros((4, 2))
    labels, _ = nodes_and_edges(viz.to_dot(y))
    assert labels["c0"] == "[0.1235, 2]"
    assert labels["c1"] == "<(4, 2) float64>"


def test_labels_are_dot_escaped():
    x = tg.tensor([1.0], requires_grad=True)
    y = x * 3
    dot = viz.to_dot(y, names={x: 'say "hi"\\', y: "two\nlines"})
    labels, _ = nodes_and_edges(dot)
    assert labels["t0"] == 'say \\"hi\\"\\\\: (1,) float32'
    assert labels["t1"] == "two\\nlines: (1,) float32"


def test_names_are_matched_by_identity_not_value():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([1.0, 2.0], requires_grad=True)  # equal values, another tensor
    labels, _ = nodes_and_edges(viz.to_dot(a + b, names={b: "b"}))
    assert labels["t0"] == "(2,) float32"
    assert labels["t1"] == "b: (2,) float32"


def test_same_input_twice_gives_two_edges():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    _, edges = nodes_and_edges(viz.to_dot(x * x))
    assert edges == [("t0", "f1"), ("t0", "f1"), ("f1", "t1")]


def test_leaf_alone_is_one_node():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    labels, edges = nodes_and_edges(viz.to_dot(x, names={x: "x"}))
    assert labels == {"t0": "x: (2,) float32"} and edges == []


def test_deep_chain_renders_without_recursion():
    n = 100_000
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    dot = viz.to_dot(y)
    _, edges = nodes_and_edges(dot)
    assert len(edges) == 3 * n  # tensor -> op, constant -> op, op -> tensor
    assert edges[:3] == [("t0", "f1"), ("c0", "f1"), ("f1", "t1")]
    assert edges[-1] == (f"f{n}", f"t{n}")
    text = viz.print_graph(y, file=io.StringIO())
    lines = text.splitlines()
    assert len(lines) == 2 * n + 1
    assert lines[0] == "Mul -> (1,) float32"
    assert lines[n] == " " * 2 * viz.MAX_INDENT + f"[{n}] leaf (1,) float32"
    assert lines[viz.MAX_INDENT] == " " * 2 * viz.MAX_INDENT + "Mul -> (1,) float32"
    assert lines[-1] == "  const 1"  # the root's constant, printed after the whole chain
    assert sys.getrecursionlimit() == limit


def test_print_graph_tree_text_and_return_value(capsys):
    x, w, loss = small_graph()
    text = viz.print_graph(loss, names={x: "x", loss: "loss"})
    assert text == (
        "Sum -> loss: () float32\n"
        "  Add -> (3,) float32\n"
        "    Mul -> (3,) float32\n"
        "      Tanh -> (3,) float32\n"
        "        Mul -> (3,) float32\n"
        "          leaf x: (3,) float32\n"
        "          const 2\n"
        "      leaf () float32\n"
        "    leaf x: (3,) float32 (see above)\n"
    )
    assert capsys.readouterr().out == text


def test_print_graph_shared_subgraph_printed_once():
    x = tg.tensor([1.0, -1.0], requires_grad=True)
    h = x.exp()
    y = h + h.sin()
    out = io.StringIO()
    text = viz.print_graph(y, names={h: "h"}, file=out)
    assert out.getvalue() == text
    assert text.splitlines() == [
        "Add -> (2,) float32",
        "  Exp -> h: (2,) float32",
        "    leaf (2,) float32",
        "  Sin -> (2,) float32",
        "    Exp -> h: (2,) float32 (see above)",
    ]


def test_print_graph_shows_gradients():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    lines = viz.print_graph(y, names={x: "x"}, file=io.StringIO()).splitlines()
    assert lines[2] == "    leaf x: (2,) float32, grad [2, 4]"


def test_the_structure_survives_a_plain_backward(monkeypatch):
    monkeypatch.setattr(engine, "FREED_FROM", 0)  # free small values too
    x, w, loss = small_graph()
    h = x * 3  # a second graph over the same leaf
    names = {x: "x", w: "w", loss: "loss"}
    before = nodes_and_edges(viz.to_dot(loss, names=names))
    loss.backward()
    labels, edges = nodes_and_edges(viz.to_dot(loss, names=names))
    assert edges == before[1]  # every op, link and constant is still there
    freed = {k for k, label in labels.items() if label == "(3,) float32\\nvalue freed"}
    assert freed == {"t1", "t2", "t4", "t5"}  # the intermediates only the graph held
    assert labels["f2"] == "Tanh" and labels["t3"].startswith("w: () float32\\ngrad ")
    text = viz.print_graph(loss, file=io.StringIO())
    assert text.splitlines()[:3] == ["Sum -> () float32", "  Add -> (3,) float32, value freed",
                                     "    Mul -> (3,) float32, value freed"]
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()
    labels, _ = nodes_and_edges(viz.to_dot(h))
    gx = 1 + 0.5 * 2 * (1 - np.tanh(2 * np.array([1.0, 2.0, 3.0])) ** 2)
    assert labels["t0"] == "(3,) float32\\ngrad [" + ", ".join(f"{v:.4g}" for v in gx) + "]"
    assert labels["f1"] == "Mul"


def test_render_without_graphviz_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz -> ImportError
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"'graphviz' Python package .* and .*'dot' program"):
        viz.render("digraph { a -> b; }", tmp_path / "g.png")
    assert not (tmp_path / "g.png").exists()


def test_render_with_graphviz_writes_png(monkeypatch, tmp_path):
    piped = []

    class Source:
        def __init__(self, text):
            self.text = text

        def pipe(self, format):
            piped.append((self.text, format))
            return b"\x89PNG fake"

    monkeypatch.setitem(sys.modules, "graphviz", types.SimpleNamespace(Source=Source))
    monkeypatch.setattr(viz.shutil, "which", lambda name: "/usr/bin/" + name)
    path = viz.render("digraph { a -> b; }", tmp_path / "g.png")
    assert path == tmp_path / "g.png"
    assert path.read_bytes() == b"\x89PNG fake"
    assert piped == [("digraph { a -> b; }", "png")]


# ---------------------------------------------------------------- draw (matplotlib)


def drawn_texts(fig):
    """The non-empty texts written on the figure's only Axes, in drawing order."""
    (ax,) = fig.axes
    return [t.get_text() for t in ax.texts if t.get_text()]


def box_corners(fig):
    """(x, y, width, height) of every box."""
    return [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in fig.axes[0].patches]


def test_draw_returns_a_figure_with_ops_shapes_values_and_gradients():
    matplotlib = pytest.importorskip("matplotlib")
    x, w, loss = small_graph()
    loss.backward(retain_graph=True)
    fig = viz.draw(loss, names={x: "x", w: "w", loss: "loss"}, title="small graph")
    assert isinstance(fig, matplotlib.figure.Figure)
    texts = drawn_texts(fig)
    for expected in ["x", "w", "loss", "Mul", "Tanh", "Add", "Sum", "constant", "2",
                     "leaf (requires_grad)", "(3,) float32", "() float32",
                     "value [1, 2, 3]", "value 0.5"]:
        assert expected in texts, expected
    gx = 1 + 0.5 * 2 * (1 - np.tanh(2 * np.array([1.0, 2.0, 3.0])) ** 2)
    assert "grad [" + ", ".join(f"{v:.4g}" for v in gx) + "]" in texts
    gw = np.tanh(2 * np.array([1.0, 2.0, 3.0])).sum()
    assert f"grad {gw:.4g}" in texts
    assert fig.axes[0].get_title() == "small graph"


def test_draw_arrows_point_right_and_boxes_do_not_overlap():
    pytest.importorskip("matplotlib")
    tg.manual_seed(0)
    net = tg.nn.MLP([2, 3, 2, 1])
    x = tg.randn(2, 2)
    loss = tg.nn.functional.mse_loss(net(x).squeeze(-1), tg.tensor([1.0, -1.0]))
    loss.backward(retain_graph=True)
    fig = viz.draw(loss)
    boxes = box_corners(fig)
    assert len(boxes) == len(viz._data_flow_order(loss)) + 1  # + the constant N = 2
    for i, (x0, y0, w0, h0) in enumerate(boxes):
        for x1, y1, w1, h1 in boxes[i + 1:]:
            apart = x0 + w0 <= x1 or x1 + w1 <= x0 or y0 + h0 <= y1 or y1 + h1 <= y0
            assert apart, "two boxes overlap"
    arrows = [a for a in fig.axes[0].texts if a.get_text() == "" and hasattr(a, "xyann")]
    assert len(arrows) == 17  # one per recorded input
    for arrow in arrows:
        assert arrow.xy[0] > arrow.xyann[0]  # inputs on the left, consumers on the right


def test_draw_says_which_values_backward_freed(monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(engine, "FREED_FROM", 0)  # free small values too
    x, w, loss = small_graph()
    loss.backward()
    texts = drawn_texts(viz.draw(loss, names={x: "x"}))
    assert texts.count("value freed") == 4  # Mul, Tanh, Mul, Add
    assert texts[:3] == ["Sum", "() float32", "value " + f"{loss.item():.4g}"]
    assert "x" in texts and "Tanh" in texts


def test_draw_on_given_axes_with_gradients_and_edge_labels():
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    a = tg.tensor(-2.0, requires_grad=True)
    b = a * a
    (gb_a,) = tg.autograd.grad(b, a, retain_graph=True)
    ax = Figure().subplots()
    fig = viz.draw(b, names={a: "a", b: "b"}, grads={a: gb_a, b: np.array(1.0)},
                   edge_labels={(b, 0): "∂b/∂a", (b, 1): "again"}, ax=ax)
    assert fig is ax.figure
    texts = drawn_texts(fig)
    assert "grad −4" in texts and "grad 1" in texts and "value −2" in texts
    assert "∂b/∂a" in texts and "again" in texts


def test_draw_reads_the_graph_only_through_node_inputs(monkeypatch):
    pytest.importorskip("matplotlib")
    x, w, loss = small_graph()
    monkeypatch.setattr(viz, "node_inputs", lambda t: ())
    assert drawn_texts(viz.draw(loss)) == ["Sum", "() float32", "value " + f"{loss.item():.4g}"]
    assert viz.print_graph(loss, file=io.StringIO()) == "Sum -> () float32\n"


def test_node_inputs_of_a_leaf_an_op_and_a_freed_op():
    x, w, loss = small_graph()
    assert viz.node_inputs(x) == ()
    (total,) = viz.node_inputs(loss)
    assert total.shape == (3,)
    loss.backward()
    assert viz.node_inputs(loss) == (total,)  # still there: you hold it, it keeps its value
    assert total.shape == (3,) and viz.node_inputs(total)[1] is x


def test_the_core_never_imports_matplotlib():
    import subprocess

    code = ("import sys, tinygrad_edu as tg; x = tg.ones(2, requires_grad=True); "
            "tg.viz.print_graph((x * 2).sum(), file=None); tg.viz.to_dot(x); "
            "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
