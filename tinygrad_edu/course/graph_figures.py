"""The course's graph figures, both drawn by `tg.viz.draw`: the one-unit graph with every
gradient and local derivative, and a 3-layer MLP's loss after backward."""

from __future__ import annotations

from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

from ..tensor import Tensor
from .figure_files import PathLike, save_png, seeded


def computation_graph(path: PathLike) -> Path:
    """The graph of L = (tanh(w·x + b) − y)², with every node's value and gradient.

    Drawn by `tg.viz.draw`, the picture a learner gets of any graph. The gradients ∂L/∂node
    of intermediates and leaves come from one `tg.autograd.grad` call, and the local
    derivative written on each edge, ∂consumer/∂input, from `tg.autograd.grad` as well.
    """
    f64 = tg.float64
    w = tg.tensor(0.8, dtype=f64, requires_grad=True)
    b = tg.tensor(-0.5, dtype=f64, requires_grad=True)
    x = tg.tensor(1.5, dtype=f64)  # data: needs no gradient
    y = 0.9
    z = w * x
    s = z + b
    a = s.tanh()
    r = a - y
    L = r**2
    names = {w: "w", x: "x", b: "b", z: "z = w·x", s: "s = z + b", a: "a = tanh(s)",
             r: "r = a − y", L: "L = r²"}
    nodes = [w, b, z, s, a, r, L]
    grads = dict(zip(nodes, tg.autograd.grad(L, nodes, retain_graph=True)))
    local = {}
    for consumer in [z, s, a, r, L]:
        for k, inp in enumerate(tg.viz.node_inputs(consumer)):
            if isinstance(inp, Tensor) and inp.requires_grad:
                (d,) = tg.autograd.grad(consumer, inp, retain_graph=True)
                local[consumer, k] = f"{d.item():.4g}".replace("-", "−")
    fig = tg.viz.draw(L, names, grads=grads, edge_labels=local,
                      title="Computation graph of L = (tanh(w·x + b) − y)²  after the backward "
                            "pass  (tg.viz.draw)")
    fig.axes[0].text(
        0.5, -0.02,
        "black: value from the forward pass;   red: ∂L/∂node (tg.autograd.grad);   "
        "purple, on each edge: the local derivative ∂consumer/∂input\n"
        "chain rule: ∂L/∂input = ∂L/∂consumer × local derivative, "
        "summed over the consumers of the input",
        transform=fig.axes[0].transAxes, ha="center", va="top", fontsize=9.5, color="#333333")
    return save_png(fig, path)


def mlp_graph(path: PathLike) -> Path:
    """`tg.viz.draw` on the squared-error loss of a 3-layer tanh MLP([2, 3, 2, 1]) on two
    points, after a plain backward: every op and shape, the values still held, and the
    gradients of the weights."""
    with seeded(0):
        net = tg.nn.MLP([2, 3, 2, 1])
        x = tg.randn(2, 2)
    y = tg.tensor([1.0, -1.0])
    loss = F.mse_loss(net(x).squeeze(-1), y)
    loss.backward()  # frees the intermediate values; the structure stays
    names = {x: "x", y: "y", loss: "E_in"}
    for i, layer in enumerate(net.layers, start=1):
        names[layer.weight], names[layer.bias] = f"W{i}", f"b{i}"
    return save_png(tg.viz.draw(loss, names, title="A 3-layer MLP loss after backward "
                                                 "(tg.viz.draw)"), path)
