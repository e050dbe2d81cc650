"""The recorded graph behind a tensor, drawn: a matplotlib picture, Graphviz DOT text, an
indented text tree, a PNG.

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * 2).tanh().sum()
    fig = tg.viz.draw(loss, names={x: "x", loss: "loss"})  # a matplotlib Figure
    print(tg.viz.to_dot(loss, names={x: "x", loss: "loss"}))  # paste into any DOT viewer
    tg.viz.print_graph(loss)

Tensor nodes show their name (if given), shape, dtype and, once computed, their gradient; op
nodes show the primitive (`grad_fn.name` without "Backward"); edges follow the data, inputs →
op → output. Both walks are iterative, so a 100,000-op chain is drawn like a 3-op one.

The structure survives a plain `backward()`: it lets go of the values only. An intermediate
tensor that nothing but the graph held is drawn with its shape and dtype and "value freed";
one that you hold keeps its value. Every walk reads the graph through `node_inputs`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import numpy as np

from .tensor import Tensor
from .tensor_base import FreedValue

SMALL = 6  # tensors with at most this many elements show their values
MAX_INDENT = 40  # deeper levels of the text tree print their depth instead of more indentation
_FORMAT = {"float_kind": lambda v: f"{v:.4g}", "bool": str}


def to_dot(t: Tensor, names: dict[Tensor, str] | None = None) -> str:
    """The graph behind `t` as Graphviz DOT text, in data-flow order (inputs before users).

    `names` maps tensors (by identity) to labels. Leaves that require grad are blue, ops grey,
    constants (Python numbers, arrays) plain text.
    """
    name_of = _namer(names)
    order = _data_flow_order(t)
    node = {id(x): f"t{i}" for i, x in enumerate(order)}
    lines = ["digraph autograd {", '  node [fontname="Helvetica", fontsize=11];']
    constants = 0
    for x in order:
        fn = x.grad_fn
        if fn is not None:
            op = "f" + node[id(x)][1:]
            lines.append(f'  {op} [label="{_escape(_op_name(fn))}", shape=ellipse, '
                         'style=filled, fillcolor="#e6e6e6"];')
            for a in node_inputs(x):
                if isinstance(a, Tensor):
                    source = node[id(a)]
                else:
                    source = f"c{constants}"
                    constants += 1
                    lines.append(f'  {source} [label="{_escape(_values(a))}", shape=plaintext];')
                lines.append(f"  {source} -> {op};")
            lines.append(f"  {op} -> {node[id(x)]};")
        style = ', style=filled, fillcolor="#cfe2f3"' if x.is_leaf and x.requires_grad else ""
        label = "\n".join(_tensor_parts(x, name_of(x)))
        lines.append(f'  {node[id(x)]} [label="{_escape(label)}", shape=box{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def print_graph(t: Tensor, names: dict[Tensor, str] | None = None,
                file: TextIO | None = None) -> str:
    """Print the graph behind `t` as an indented tree (to stdout or `file`); return the text.

    Each line is an op and the tensor it made (`Mul -> h: (3,) float32`, and ", value freed"
    where backward let go of it), a leaf
    (`leaf x: (3,) float32, grad [2, 2, 2]`) or a constant (`const 2`); the inputs of an op
    follow one level deeper, in argument order. A tensor reached a second time is printed
    once more with "(see above)" and without its inputs. Beyond depth 40, lines stop moving
    right and start with their depth instead, e.g. "[41] ".
    """
    name_of = _namer(names)
    seen = set()
    lines = []
    stack = [(t, 0)]
    while stack:
        x, depth = stack.pop()
        pad = "  " * min(depth, MAX_INDENT) + (f"[{depth}] " if depth > MAX_INDENT else "")
        if not isinstance(x, Tensor):
            lines.append(f"{pad}const {_values(x)}")
            continue
        text = ", ".join(_tensor_parts(x, name_of(x)))
        fn = x.grad_fn
        if fn is None:
            text = "leaf " + text
        else:
            text = _op_name(fn) + " -> " + text
        if id(x) in seen:
            lines.append(f"{pad}{text} (see above)")
            continue
        seen.add(id(x))
        lines.append(pad + text)
        stack.extend((a, depth + 1) for a in reversed(node_inputs(x)))
    text = "\n".join(lines) + "\n"
    print(text, end="", file=file)
    return text


def draw(t: Tensor, names: Mapping[Tensor, str] | None = None, *,
         grads: Mapping[Tensor, object] | None = None,
         edge_labels: Mapping[tuple[Tensor, int], str] | None = None,
         title: str | None = None, ax=None):
    """A picture of the graph behind `t`, drawn with matplotlib; returns the Figure.

    Data flows left to right: a box per tensor (its name if `names` gives one, the op that
    made it or "leaf"/"data", shape and dtype, its values when it has at most 6 elements, and
    in red its gradient), a grey box per constant, an arrow per input. A node's column is its
    longest distance from `t`, so every arrow points right. Gradients come from `grads`
    (tensor -> array or Tensor, e.g. from `tg.autograd.grad`), else from `.grad` once
    `backward()` has filled it. `edge_labels` maps (consumer, input index) to a text written
    on that arrow. A tensor whose value a backward pass freed says so in orange.
    With `ax`, draws on that Axes (and returns its figure); otherwise on a new Figure sized
    to the graph. matplotlib is imported here only, so the rest of the package never needs it.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    boxes, pos, edges = _graph_boxes(t, _namer(names), _by_id(grads))
    width = max(1.2, 0.072 * max(len(text) for lines in boxes.values() for text, _ in lines))
    step_x, step_y = width + 0.55, max(len(lines) for lines in boxes.values()) * 0.19 + 0.35
    xy = {key: (column * step_x, row * step_y) for key, (column, row) in pos.items()}
    if ax is None:
        columns = 1 + max(c for c, _ in pos.values()) - min(c for c, _ in pos.values())
        rows = 1 + max(r for _, r in pos.values()) - min(r for _, r in pos.values())
        fig = Figure(figsize=(columns * step_x + 0.4, rows * step_y + 0.5 + 0.3 * bool(title)),
                     layout="constrained")
        ax = fig.subplots()
    labels = {(id(c), k): text for (c, k), text in (edge_labels or {}).items()}
    for key, lines in boxes.items():
        px, py = xy[key]
        half_h = 0.5 * (step_y - 0.35)
        face = lines[0][1].pop("face")
        ax.add_patch(FancyBboxPatch((px - width / 2, py - half_h), width, 2 * half_h,
                                    boxstyle="round,pad=0,rounding_size=0.06", fc=face,
                                    ec="#666666", lw=1.0))
        gap = 2 * half_h / (len(lines) + 1)
        for i, (text, style) in enumerate(lines):
            ax.text(px, py + half_h - gap * (i + 1), text, ha="center", va="center",
                    **{"fontsize": 8.5, **style})
    for consumer, inputs in edges.items():
        x1, y1 = xy[consumer]
        for k, key in enumerate(inputs):
            x0, y0 = xy[key]
            ax.annotate("", xy=(x1 - width / 2, y1), xytext=(x0 + width / 2, y0),
                        arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.1,
                                        shrinkA=0, shrinkB=0))
            if (consumer, k) in labels:
                ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.04, labels[consumer, k],
                        ha="center", va="bottom", fontsize=8.5, color="#7d3c98",
                        style="italic")
    xs = [p[0] for p in xy.values()]
    ys = [p[1] for p in xy.values()]
    ax.set_xlim(min(xs) - width / 2 - 0.1, max(xs) + width / 2 + 0.1)
    ax.set_ylim(min(ys) - step_y / 2, max(ys) + step_y / 2)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    return ax.figure


def _graph_boxes(root: Tensor, name_of, grads: dict) -> tuple[dict, dict, dict]:
    """The text of every box, its (column, row), and the edges {consumer key: input keys}.

    Keys are id(tensor), or (id(consumer), k) for the k-th input when it is a constant. The
    column is minus the longest distance from `root`; in each column, boxes keep the order
    of their first consumer's row (input k goes k rows below it), pushed down to not overlap.
    """
    order = _data_flow_order(root)[::-1]  # every consumer before its inputs
    depth, edges, boxes = {id(root): 0}, {}, {}
    for x in order:
        inputs = node_inputs(x)
        boxes[id(x)] = _tensor_box(x, name_of(x), grads)
        if not inputs:
            continue
        edges[id(x)] = []
        for k, a in enumerate(inputs):
            key = id(a) if isinstance(a, Tensor) else (id(x), k)
            edges[id(x)].append(key)
            depth[key] = max(depth.get(key, 0), depth[id(x)] + 1)
            if not isinstance(a, Tensor):
                boxes[key] = [("constant", {"color": "#555555", "face": "#f2f2f2"}),
                              (_signed(_values(a)), {"weight": "bold"})]
    parent, columns = {}, {}
    for consumer, inputs in edges.items():  # the consumer one column right gives the row
        for k, key in enumerate(inputs):
            if depth[key] == depth[consumer] + 1:
                parent.setdefault(key, (consumer, k))
    for key in boxes:
        columns.setdefault(depth[key], []).append(key)
    row = {id(root): 0.0}
    for d in sorted(columns):
        wanted = {key: row[parent[key][0]] - parent[key][1] if key in parent else 0.0
                  for key in columns[d]}
        lowest = None
        for key in sorted(columns[d], key=lambda key: -wanted[key]):
            row[key] = lowest = wanted[key] if lowest is None else min(wanted[key], lowest - 1)
    return boxes, {key: (-depth[key], row[key]) for key in boxes}, edges


def _tensor_box(x: Tensor, name: str | None, grads: dict) -> list:
    """The lines of a tensor's box, each (text, text style); the first carries the colour."""
    if x.grad_fn is not None:
        kind, face = _op_name(x.grad_fn), "#eaf2fb"
    elif x.requires_grad:
        kind, face = "leaf (requires_grad)", "#fff4d6"
    else:
        kind, face = "data (no grad)", "#f2f2f2"
    lines = [(name, {"weight": "bold"})] if name else []
    lines.append((kind, {"color": "#555555" if name else "#000000",
                         "weight": "normal" if name else "bold"}))
    lines.append((_shape_dtype(x), {"color": "#555555", "fontsize": 7.5}))
    if type(x._data) is FreedValue:
        lines.append(("value freed", {"color": "#d35400", "weight": "bold"}))
    elif x._data.size <= SMALL:
        lines += [(text, {}) for text in _wrapped("value " + _signed(_values(x._data)))]
    grad = grads.get(id(x), x._grad)  # _grad: a non-leaf's .grad would warn
    if grad is not None:
        grad = np.asarray(grad._data if isinstance(grad, Tensor) else grad)
        text = _signed(_values(grad)) if grad.size <= SMALL else f"of shape {grad.shape}"
        lines += [(text, {"color": "#c0392b", "weight": "bold"})
                  for text in _wrapped("grad " + text)]
    lines[0][1]["face"] = face
    return lines


def _wrapped(text: str, width: int = 30) -> list[str]:
    """`text` cut after commas into lines of at most about `width` characters."""
    lines = [""]
    for piece in text.split(", "):
        joined = f"{lines[-1]}, {piece}" if lines[-1] else piece
        if len(joined) > width and lines[-1]:
            lines[-1] += ","
            lines.append(piece)
        else:
            lines[-1] = joined
    return lines


def _by_id(tensors: Mapping[Tensor, object] | None) -> dict:
    return {id(t): v for t, v in (tensors or {}).items()}


def _signed(text: str) -> str:
    """Numbers with a true minus sign, as printed in the course's figures."""
    return text.replace("-", "−")


def render(dot_text: str, path: str | os.PathLike) -> Path:
    """Render DOT text (from `to_dot`) to a PNG at `path`; return the path.

    Needs the optional `graphviz` Python package and Graphviz's `dot` program; without them
    it raises RuntimeError saying which is missing (the DOT text itself needs neither).
    """
    missing = []
    try:
        import graphviz
    except ImportError:
        missing.append("the 'graphviz' Python package (pip install graphviz)")
    if shutil.which("dot") is None:
        missing.append("Graphviz's 'dot' program (e.g. apt install graphviz)")
    if missing:
        raise RuntimeError("render: needs " + " and ".join(missing)
                           + "; to_dot() gives the DOT text without them")
    path = Path(path)
    path.write_bytes(graphviz.Source(dot_text).pipe(format="png"))
    return path


# ---------------------------------------------------------------- helpers


def node_inputs(t: Tensor) -> tuple:
    """The recorded inputs of the op that made `t`, in argument order (Tensors and constants),
    also after backward; () for a leaf. Every drawing reads the graph here."""
    fn = t.grad_fn
    return () if fn is None else fn.inputs


def _data_flow_order(root: Tensor) -> list[Tensor]:
    """Every tensor behind `root`, each after all of its inputs (depth-first, iterative)."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        t, inputs_done = stack.pop()
        if inputs_done:
            order.append(t)
        elif id(t) not in visited:
            visited.add(id(t))
            stack.append((t, True))
            stack.extend((a, False) for a in reversed(node_inputs(t))
                         if isinstance(a, Tensor) and id(a) not in visited)
    return order


def _namer(names: dict[Tensor, str] | None):
    """A lookup tensor -> name by identity (so no elementwise `==` is ever called)."""
    by_id = {id(t): str(n) for t, n in (names or {}).items()}
    return lambda t: by_id.get(id(t))


def _op_name(fn) -> str:
    return fn.name.removesuffix("Backward")


def _tensor_parts(t: Tensor, name: str | None) -> list[str]:
    """[name:] shape dtype, and the gradient once there is one, or "value freed"."""
    parts = [f"{name}: {_shape_dtype(t)}" if name else _shape_dtype(t)]
    if type(t._data) is FreedValue:
        parts.append("value freed")
    elif t._grad is not None:
        parts.append("grad " + _values(t._grad._data))
    return parts


def _shape_dtype(t: Tensor) -> str:
    """"(2, 3) float32" (a freed value keeps them)."""
    return f"{tuple(t.shape)} {t.dtype}"


def _values(a) -> str:
    """A small array's values to 4 significant digits on one line, else its shape and dtype."""
    a = np.asarray(a)
    if a.size > SMALL:
        return f"<{a.shape} {a.dtype}>"
    return " ".join(np.array2string(a, separator=", ", formatter=_FORMAT).split())


def _escape(label: str) -> str:
    """A string safe inside a double-quoted DOT label; newlines become line breaks."""
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
