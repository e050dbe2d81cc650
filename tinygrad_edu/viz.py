"""The recorded graph behind a tensor, drawn: Graphviz DOT text, an indented text tree, a PNG.

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * 2).tanh().sum()
    print(tg.viz.to_dot(loss, names={x: "x", loss: "loss"}))  # paste into any DOT viewer
    tg.viz.print_graph(loss)

Tensor nodes show their name (if given), shape, dtype and, once computed, their gradient; op
nodes show the primitive (`grad_fn.name` without "Backward"); edges follow the data, inputs →
op → output. Both walks are iterative, so a 100,000-op chain is drawn like a 3-op one. An op
whose inputs a backward pass freed is marked "(freed)": what lay below it is out of reach.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TextIO

import numpy as np

from .tensor import Tensor

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
            label = _op_name(fn) + (" (freed)" if fn.inputs is None else "")
            lines.append(f'  {op} [label="{_escape(label)}", shape=ellipse, style=filled, '
                         'fillcolor="#e6e6e6"];')
            for a in fn.inputs or ():
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

    Each line is an op and the tensor it made (`Mul -> h: (3,) float32`), a leaf
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
            text = _op_name(fn) + (" (freed)" if fn.inputs is None else "") + " -> " + text
        if id(x) in seen:
            lines.append(f"{pad}{text} (see above)")
            continue
        seen.add(id(x))
        lines.append(pad + text)
        stack.extend((a, depth + 1) for a in reversed(_inputs(x)))
    text = "\n".join(lines) + "\n"
    print(text, end="", file=file)
    return text


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


def _inputs(t: Tensor) -> tuple:
    """The recorded inputs of `t`: empty for leaves and for nodes freed by backward."""
    fn = t.grad_fn
    return () if fn is None or fn.inputs is None else fn.inputs


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
            stack.extend((a, False) for a in reversed(_inputs(t))
                         if isinstance(a, Tensor) and id(a) not in visited)
    return order


def _namer(names: dict[Tensor, str] | None):
    """A lookup tensor -> name by identity (so no elementwise `==` is ever called)."""
    by_id = {id(t): str(n) for t, n in (names or {}).items()}
    return lambda t: by_id.get(id(t))


def _op_name(fn) -> str:
    return fn.name.removesuffix("Backward")


def _tensor_parts(t: Tensor, name: str | None) -> list[str]:
    """[name:] shape dtype, and the gradient once there is one."""
    parts = [f"{name}: {t.shape} {t.dtype}" if name else f"{t.shape} {t.dtype}"]
    if t._grad is not None:
        parts.append("grad " + _values(t._grad._data))
    return parts


def _values(a) -> str:
    """A small array's values to 4 significant digits on one line, else its shape and dtype."""
    a = np.asarray(a)
    if a.size > SMALL:
        return f"<{a.shape} {a.dtype}>"
    return " ".join(np.array2string(a, separator=", ", formatter=_FORMAT).split())


def _escape(label: str) -> str:
    """A string safe inside a double-quoted DOT label; newlines become line breaks."""
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
