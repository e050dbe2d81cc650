"""The computation graph drawn as boxes and arrows on a matplotlib Axes: the layout of the
nodes, then each node's name, op, value and ∂L/∂node, and each edge's local derivative."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.patches import FancyBboxPatch

import tinygrad_edu as tg

from ..tensor import Tensor


def graph_layout(root: Tensor) -> tuple[list, dict, dict]:
    """Walk the graph from `root` through `grad_fn.inputs`.

    Returns the nodes (Tensors, and constants as (consumer, index) keys), their (column, row)
    positions, and the edges {node: [input nodes]}. A node's column is its longest distance
    from the root, so every edge points one way; input 0 continues its consumer's row and
    the other inputs go to the rows below.
    """
    depth, row, edges, order = {root: 0}, {root: 0}, {}, [root]
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        fn = getattr(node, "grad_fn", None) if isinstance(node, Tensor) else None
        if fn is None:
            continue
        edges[node] = []
        for k, inp in enumerate(fn.inputs):
            key = inp if isinstance(inp, Tensor) else (node, k)
            edges[node].append(key)
            depth[key] = max(depth.get(key, 0), depth[node] + 1)
            if key not in row:
                row[key] = row[node] - k
                order.append(key)
    # a node reached again on a longer path moves left: recompute depth until stable
    changed = True
    while changed:
        changed = False
        for node, inputs in edges.items():
            for key in inputs:
                if depth[key] < depth[node] + 1:
                    depth[key] = depth[node] + 1
                    changed = True
    return order, {n: (-depth[n], row[n]) for n in order}, edges


def signed(v: float) -> str:
    """v to 4 significant digits, with a true minus sign."""
    return f"{v:.4g}".replace("-", "−")


def draw_graph(ax, root: Tensor, names: Mapping[Tensor, str]) -> None:
    """Boxes for the nodes (name, op, value, and ∂L/∂node in red), arrows for the edges."""
    order, cells, edges = graph_layout(root)
    pos = {n: (1.4 * column, row) for n, (column, row) in cells.items()}
    tensors = [n for n in order if isinstance(n, Tensor) and n.requires_grad]
    grads = dict(zip(tensors, tg.autograd.grad(root, tensors, retain_graph=True)))
    half_w, half_h = 0.43, 0.3
    for node in order:
        px, py = pos[node]
        box_h = half_h
        if isinstance(node, Tensor):
            name = names.get(node, "tensor")
            if node.grad_fn is not None:
                kind, face = node.grad_fn.name, "#eaf2fb"
            elif node.requires_grad:
                kind, face = "leaf (requires_grad)", "#fff4d6"
            else:
                kind, face = "data (no grad)", "#f2f2f2"
            symbol = name.split(" ")[0]
            grad = (f"∂L/∂{symbol} = {signed(grads[node].item())}" if node in grads
                    else "no gradient")
            lines = [(name, dict(weight="bold")), (kind, dict(color="#555555", fontsize=8.5)),
                     (f"value {signed(node.item())}", {}),
                     (grad, dict(color="#c0392b", weight="bold"))]
        else:
            consumer, k = node
            face, box_h = "#f2f2f2", 0.6 * half_h
            lines = [("constant", dict(color="#555555")),
                     (signed(consumer.grad_fn.inputs[k]), dict(weight="bold"))]
        ax.add_patch(FancyBboxPatch((px - half_w, py - box_h), 2 * half_w, 2 * box_h,
                                    boxstyle="round,pad=0,rounding_size=0.06", fc=face,
                                    ec="#666666", lw=1.1))
        step = 2 * box_h / (len(lines) + 1)
        for i, (text, style) in enumerate(lines):
            ax.text(px, py + box_h - step * (i + 1), text, ha="center", va="center",
                    **{"fontsize": 9.5, **style})
    for consumer, inputs in edges.items():
        x1, y1 = pos[consumer]
        for key in inputs:
            x0, y0 = pos[key]
            ax.annotate("", xy=(x1 - half_w, y1), xytext=(x0 + half_w, y0),
                        arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.3,
                                        shrinkA=0, shrinkB=0))
            if isinstance(key, Tensor) and key.requires_grad:
                (local,) = tg.autograd.grad(consumer, key, retain_graph=True)
                ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.03, signed(local.item()),
                        ha="center", va="bottom", fontsize=9, color="#7d3c98",
                        style="italic")
    columns = [p[0] for p in pos.values()]
    rows = [p[1] for p in pos.values()]
    ax.set_xlim(min(columns) - 0.45, max(columns) + 0.45)
    ax.set_ylim(min(rows) - 0.35, max(rows) + 0.35)
    ax.axis("off")
