"""The backward pass: one iterative walk of the recorded graph, shared by
`Tensor.backward` (accumulates into leaves' `.grad`) and `autograd.grad` (only returns).

Tensors run their rule in reverse order of creation, so each runs once, after all of its
consumers have delivered. No recursion: a chain of a million operations is no different
from a chain of ten.
"""

from __future__ import annotations

import sys
from heapq import heapify, heappop, heappush

import numpy as np

from ..arguments import to_array
from ..tensor import Tensor
from . import anomaly, versions
from .grad_mode import set_modes, state, switched

FREED = (
    "{name}: trying to backward through the graph a second time, but its saved values "
    "were freed after the first pass; pass retain_graph=True to the first backward() "
    "or autograd.grad() if you need to go through it again"
)


def sum_to_shape(grad, shape: tuple):
    """Sum a broadcast gradient back to `shape`: over added leading axes and stretched 1-axes."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def run(roots, root_grads, *, retain_graph: bool, create_graph: bool, capture=None):
    """Propagate `root_grads` from `roots` to every tensor below them.

    Tensors run their rule in reverse order of creation (a max-heap on the node's sequence
    number): every consumer of a tensor was created after it, so by the time a tensor is
    popped, all gradient contributions to it have arrived. Leaves accumulate into `.grad`
    at the end, once the whole pass has succeeded, unless `capture` is given; then the
    gradients of the tensors in `capture` are returned in a dict and no `.grad` is touched.
    """
    pending = {}  # tensor -> gradient received so far
    for r, g in zip(roots, root_grads):
        pending[r] = pending[r] + g if r in pending else g
    heap = [(-r.grad_fn.seq, r) for r in pending if r.grad_fn is not None]  # not yet run
    heapify(heap)
    leaves = [r for r in pending if r.grad_fn is None]
    captured = {}
    check = bool(switched) and state.anomaly
    last_write = versions.last_write
    overwritten = []  # in-place nodes run without retain_graph; they let go of `replaced`
    # Rules record their operations only with create_graph: they are fed Tensors then, and
    # plain arrays otherwise, which record nothing whatever the mode (so the modes are left
    # alone). Anomaly mode checks what each rule returns (check_backward names the node), not
    # the operations inside a rule: so a value a rule computes and then masks (Pow's 0·x^(−1)
    # at x = 0) raises nothing.
    switch = create_graph or check
    modes = set_modes(create_graph, False) if switch else None
    t = grad = None  # the tensor to run next and its gradient, when known without the heap
    try:
        while True:
            if t is None:
                if not heap:
                    break
                t = heappop(heap)[1]
                grad = pending.pop(t)
            if capture is not None and t in capture:
                captured[t] = grad
            fn = t.grad_fn
            inputs, seq = fn.inputs, fn.seq
            if inputs is None:
                raise RuntimeError(FREED.format(name=fn.name))
            if seq < last_write:  # something was changed in place after fn was recorded
                versions.check(fn, t._data)
                inputs = [versions.before(a, seq) if isinstance(a, Tensor) else a
                          for a in inputs]
            if create_graph:
                grads = fn.backward(grad, t, *inputs)
            else:
                grads = fn.backward(grad, t._data, *fn.saved)
            if type(grads) is not tuple:
                grads = (grads,)
            if check:
                anomaly.check_backward(fn, grads)
            if not retain_graph:
                fn.inputs = fn.saved = None
                if seq <= last_write + 1:  # maybe in-place: recorded right after its write
                    overwritten.append(fn)
            t = None  # the first new non-leaf input becomes the candidate to run next
            for a, needed, g in zip(inputs, fn.needs_input_grad, grads):
                if not needed:
                    continue
                if g.shape != a._data.shape:
                    g = sum_to_shape(g, a._data.shape)
                if a in pending:
                    pending[a] = pending[a] + g
                elif a.grad_fn is None:  # a leaf: it accumulates once the pass is over
                    pending[a] = g
                    leaves.append(a)
                elif t is None:
                    t, grad = a, g
                else:
                    pending[a] = g
                    heappush(heap, (-a.grad_fn.seq, a))
            if t is not None:  # a chain runs node after node, without the heap
                if t in pending:  # the same tensor came twice (x * x): it is queued already
                    pending[t] = pending[t] + grad
                    t = None
                elif heap and -heap[0][0] > t.grad_fn.seq:  # a later node must run first
                    pending[t] = grad
                    heappush(heap, (-t.grad_fn.seq, t))
                    t = None
                # else nothing left to run comes after t, so nothing can add to its gradient
    finally:
        if switch:
            set_modes(*modes)
    for fn in overwritten:  # the values they overwrote routed older uses until now
        fn.replaced = None
    grads = g = None  # drop the last rule's results: a gradient only `pending` holds is owned
    for leaf in leaves:
        grad = pending.pop(leaf)
        if capture is None:
            # a first gradient that nothing else holds becomes .grad itself (PyTorch steals
            # it too); counted here, where `grad` is one local, like the measured baseline
            owned = (leaf._grad is None and sys.getrefcount(grad) <= _UNSHARED
                     and _is_plain(grad, leaf.dtype))
            _accumulate(leaf, grad, create_graph, owned)
        elif leaf in capture:
            captured[leaf] = grad
    return captured


def _unshared_refcount() -> int:
    """What sys.getrefcount reports for an array held by one local variable only
    (interpreter-dependent, hence measured)."""
    a = np.empty(0)
    return sys.getrefcount(a)


_UNSHARED = _unshared_refcount()


def _is_plain(a, dtype) -> bool:
    """An ndarray of `dtype` that owns its writable memory."""
    return type(a) is np.ndarray and a.base is None and a.dtype == dtype and a.flags.writeable


def _accumulate(leaf: Tensor, grad, create_graph: bool, owned: bool) -> None:
    """leaf.grad += grad, in the leaf's dtype; in place unless a graph is being built.

    A first gradient becomes a tensor of the leaf's own: a rule may hand one gradient to
    several inputs (Add) or return a read-only broadcast view (Sum). An `owned` gradient
    (nothing else refers to it) is taken as it is; otherwise it is copied, through the graph
    (`clone`) when it has one. The engine writes the `_grad` slot: what it stores already
    has the leaf's shape and dtype, which the `grad` setter would check.
    """
    if isinstance(grad, Tensor):
        if grad.dtype != leaf.dtype:
            grad = grad.to(leaf.dtype)
        if leaf._grad is not None:
            leaf._grad = leaf._grad + grad
        else:
            leaf._grad = grad.clone() if grad.requires_grad else Tensor._wrap(grad._data.copy())
        return
    if leaf._grad is None:
        leaf._grad = Tensor._wrap(grad if owned else np.array(grad, dtype=leaf.dtype))
    elif leaf._grad.grad_fn is not None or create_graph:
        leaf._grad = leaf._grad + grad
    else:
        np.add(leaf._grad._data, grad, out=leaf._grad._data, casting="unsafe")


def _seed(output: Tensor, gradient, create_graph: bool, where: str):
    """The starting gradient ∂L/∂output: ones for a one-element output, else required."""
    if gradient is None:
        if output._data.size != 1:
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for one-element outputs, "
                f"got shape {output.shape}; pass the gradient of the loss w.r.t. it"
            )
        g = np.ones(output._data.shape, output._data.dtype)  # ones_like is a slower Python wrapper
    else:
        g = gradient._data if isinstance(gradient, Tensor) else to_array(gradient, None, where)
        if g.shape != output.shape:
            raise ValueError(
                f"{where}: gradient has shape {g.shape} but the output has shape {output.shape}"
            )
        g = g.astype(output.dtype, copy=False)
        if create_graph and isinstance(gradient, Tensor):
            return gradient
    return Tensor._wrap(g) if create_graph else g


def _check_output(t, where: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: expected a Tensor output, got {type(t).__name__}")
    if not t.requires_grad:
        raise RuntimeError(
            f"{where}: the output does not require grad and has no grad_fn; "
            "no input it depends on has requires_grad=True (or it was computed under no_grad)"
        )


def backward(output: Tensor, gradient, retain_graph, create_graph: bool) -> None:
    """`Tensor.backward`: accumulate ∂output/∂leaf into each leaf's `.grad`."""
    _check_output(output, "backward")
    seed = _seed(output, gradient, create_graph, "backward")
    retain = create_graph if retain_graph is None else retain_graph
    run([output], [seed], retain_graph=retain, create_graph=create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """∂(Σ outputs · grad_outputs)/∂input for each input, as a tuple; `.grad` is untouched.

    With `create_graph=True` the results are differentiable again (grad of grad,
    Hessian-vector products).
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs] * len(outputs)
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    for t in outputs:
        _check_output(t, "grad")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} is not a Tensor that requires grad")
    seeds = [_seed(o, g, create_graph, "grad") for o, g in zip(outputs, grad_outputs)]
    retain = create_graph if retain_graph is None else retain_graph
    captured = run(outputs, seeds, retain_graph=retain, create_graph=create_graph,
                   capture=set(inputs))
    results = []
    for i, t in enumerate(inputs):
        g = captured.get(t)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            results.append(None)
            continue
        if not isinstance(g, Tensor):
            g = Tensor._wrap(np.array(g, dtype=t.dtype))
        elif g.dtype != t.dtype:
            g = g.to(t.dtype)
        results.append(g)
    return tuple(results)
