"""The backward pass: one iterative walk of the recorded graph (`run`), shared by
`Tensor.backward` (accumulates into leaves' `.grad`) and `autograd.grad` (only returns,
and runs only the rules on paths to its inputs).

Tensors run their rule in reverse order of creation, so each runs once, after all of its
consumers have delivered. No recursion: a chain of a million operations is no different
from a chain of ten. docs/engine.md shows the plain walk this is, and each shortcut.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from sys import getrefcount

import numpy as np

from ..arguments import to_array
from ..ops.function import SameShape
from ..spares import UNSHARED, keep, untraced
from ..tensor_base import FreedValue, TensorBase
from . import anomaly, hooks, versions
from .grad_mode import set_modes, state, switched

FREED_FROM = 4096  # bytes: a smaller value stays until its graph goes (freeing it at once gives
# the system no memory back, and costs every node of a small graph time: W1 4%)

FREED = (
    "{name}: trying to backward through the graph a second time, but its saved values "
    "were freed after the first pass; pass retain_graph=True to the first backward() "
    "or autograd.grad() if you need to go through it again"
)

# read once: numpy's module __getattr__ makes each `np.<name>` a slow lookup (300 instructions)
ndarray, add_reduce = np.ndarray, np.add.reduce

LEADING = [tuple(range(n)) for n in range(65)]  # the first n axes, made once (a bias's sum
# cost 15% more when it made them): numpy arrays have at most 64


def sum_to_shape(grad, shape: tuple):
    """Sum a broadcast gradient back to `shape`: over added leading axes and stretched 1-axes."""
    have = grad.shape  # read once: an ndarray makes the tuple anew at each read
    if have == shape:
        return grad
    lead = len(have) - len(shape)
    if shape and have[lead:] == shape:  # only added leading axes (a bias): one sum, of an
        if type(grad) is ndarray:  # ndarray without its .sum, a Python wrapper of add.reduce
            return add_reduce(grad, LEADING[lead])
        return grad.sum(axis=LEADING[lead])
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and have[lead + i] != 1)
    axes = LEADING[lead] + stretched
    # keepdims only for stretched axes: a bias's gradient (leading axes summed away) is then
    # an array of its own, not a reshaped view of one, and `finish` takes it without a copy;
    # and for a 0-d shape, where numpy's sum would give a scalar, not an array
    if axes:
        grad = grad.sum(axis=axes, keepdims=bool(stretched) or not shape)
    return grad if grad.shape == shape else grad.reshape(shape)


def run(roots, root_grads, *, retain_graph: bool, create_graph: bool, capture=None):
    """Propagate `root_grads`: each rule once, after its consumers (a heap); leaves: `finish`."""
    pending, heap, paths = start(roots, root_grads, capture)  # pending: tensor -> gradient
    captured, overwritten = {}, None if retain_graph else []  # in-place nodes this pass frees
    near_write, visiting = versions.last_write + 1, capture is not None or bool(hooks.registry)
    only_graph = HELD_BY_ONE_CONSUMER + (paths is not None)  # refs of a tensor none else has
    t = grad = a = g = None  # the tensor to run next and its gradient, when known without the heap
    with ModesForRules(create_graph) if create_graph or switched else UNSWITCHED as check:
        while t is not None or heap:
            if t is None:
                grad = pending.pop(t := heappop(heap)[1])
            if (saved := (fn := t.grad_fn).saved) is None:
                raise RuntimeError(FREED.format(name=fn.name))
            inputs, needs = fn.inputs, fn.needs_input_grad
            if visiting:  # hooks, or autograd.grad's pruning
                grad, needs = visit(t, grad, capture, paths, captured)
                if needs is None:  # nothing asked for lies below t
                    t = None
                    continue
            if fn.seq <= near_write:  # recorded before the newest in-place write, or by it
                inputs = inputs_near_write(fn, t, near_write, overwritten)
            out = t._data
            if create_graph:  # the rule gets Tensors, and records itself
                out, saved = t, inputs
            grads = (fn.backward(grad, out, saved[0], saved[1]) if len(saved) == 2  # fixed
                     else fn.backward(grad, out, saved[0]) if len(saved) == 1  # arguments, not
                     else fn.backward(grad, out, *saved))  # *saved: no tuple, no nested frame loop
            if check:
                anomaly.check_backward(fn, grads)
            if not retain_graph:  # let go of the values; the structure (fn.inputs) stays
                fn.saved = None  # and t's gradient and value, if large (the loop leaves a)
                if t._data.nbytes >= FREED_FROM:
                    let_go_large(t, grad, g is grad, out is t._data, only_graph + (a is t))
            grads = grads if type(grads) is tuple else (grads,)  # one input's rule: alone
            t, i, same_shape = None, -1, type(needs) is SameShape
            for needed in needs:  # i counts: enumerate or zip would cost more than the loop
                i += 1
                if not needed:
                    continue
                a, g = inputs[i], grads[i]
                if not same_shape and g.shape != a._data.shape:
                    g = sum_to_shape(g, a._data.shape)
                if a in pending:
                    pending[a] = added(pending[a], g)
                elif a.grad_fn is None:  # a leaf: it receives its gradient after the pass
                    pending[a] = g
                elif t is None:  # the first new non-leaf input: maybe run it next (below)
                    t, grad = a, g
                elif a is t:  # the same tensor twice (x * x)
                    grad = grad + g
                else:
                    pending[a] = g
                    heappush(heap, (-a.grad_fn.seq, a))
            if t is not None and heap and -heap[0][0] > t.grad_fn.seq:  # chain shortcut: t next,
                pending[t] = grad  # off the heap, unless one waiting there may add to it
                heappush(heap, (-t.grad_fn.seq, t))
                t = None
    grads = g = grad = None  # drop the last rule's results: a gradient only `pending` holds
    return finish(pending, capture, captured, create_graph, overwritten)  # is owned by its leaf


def added(total, g):
    """total + g: a tensor's gradient so far, from the table of pending gradients, and one
    more contribution to it. The sum is written into total's memory when nothing but the
    table holds total (no node saved it, no rule returned it for two inputs, no view shares
    it), as `+=` would be: one array fewer. Tensors (create_graph) take `total + g`."""
    if (type(total) is ndarray and getrefcount(total) <= _HELD_ONCE
            and total.base is None and total.flags.writeable
            and np.result_type(total, g) == total.dtype):
        return np.add(total, g, out=total)  # g has total's shape: both have their tensor's
    return total + g


def start(roots, root_grads, capture) -> tuple:
    """The walk's initial state: pending gradients (those of a root given twice summed), the
    heap of the non-leaf roots, and the paths to `capture` (None: follow every path)."""
    paths = None if capture is None else paths_to(roots, capture)
    pending = {}
    for r, g in zip(roots, root_grads):
        if paths is None or r in paths:
            pending[r] = pending[r] + g if r in pending else g
    heap = [(-r.grad_fn.seq, r) for r in pending if r.grad_fn is not None]
    heapify(heap)
    return pending, heap, paths


class ModesForRules:
    """The grad modes for a pass's rules, restored when the pass ends; `with` gives whether to
    check what each rule returns.

    Rules fed Tensors (create_graph) record themselves; plain arrays record nothing whatever
    the mode, so a plain pass leaves the modes alone. Anomaly mode checks what each rule
    returns (the walk names the node), not the operations inside a rule, so a value a rule
    computes and then masks (Pow's 0·x^(−1) at x = 0) raises nothing.
    """

    __slots__ = ("create_graph", "check", "previous")

    def __init__(self, create_graph: bool):
        self.create_graph = create_graph

    def __enter__(self) -> bool:
        self.check = check = bool(switched) and state.anomaly
        self.previous = set_modes(self.create_graph, False) if self.create_graph or check else None
        return check

    def __exit__(self, *exc) -> bool:
        if self.previous is not None:
            set_modes(*self.previous)
        return False


class Unswitched:
    """ModesForRules of a plain pass while every thread has the default modes (`switched` is
    empty): nothing to switch or check. One shared instance, as it keeps no state."""

    __slots__ = ()

    def __enter__(self) -> bool:
        return False

    def __exit__(self, *exc) -> bool:
        return False


UNSWITCHED = Unswitched()


def paths_to(roots, targets) -> dict:
    """Pruning for autograd.grad: for each tensor below `roots` from which one of `targets`
    can be reached, which of its inputs lead on to one (its needs_input_grad, narrowed to
    them; None where t is a target with nothing asked for below it, or a leaf). Tensors
    absent from the result lead to no target: the walk never runs their rules.

    An iterative depth-first search settles a tensor after all of its inputs. A node freed
    by an earlier pass counts as leading on, so that the walk reaches it and raises.
    """
    paths, seen, todo = {}, set(), [(r, False) for r in roots]
    while todo:
        t, inputs_settled = todo.pop()
        fn = t.grad_fn
        if inputs_settled:
            mask = tuple(n and a in paths for a, n in zip(inputs_then(fn), fn.needs_input_grad))
            if any(mask):
                paths[t] = mask
            elif t in targets:
                paths[t] = None
        elif t not in seen:
            seen.add(t)
            if fn is not None and fn.saved is None:
                paths[t] = fn.needs_input_grad
            elif fn is not None:
                todo.append((t, True))
                todo += [(a, False) for a, n in zip(inputs_then(fn), fn.needs_input_grad) if n]
            elif t in targets:
                paths[t] = None
    return paths


def visit(t, grad, capture, paths, captured) -> tuple:
    """What happens at t once its total gradient is known, when the pass has hooks or
    `capture`: t's hooks run (and a retained gradient is stored); t's gradient is kept if
    it was asked for. Returns t's gradient and which of t's inputs to go on to (None: none
    leads to an asked-for tensor, stop here)."""
    if id(t) in hooks.registry:
        grad = hooks.run_hooks(t, grad)
    if capture is None:
        return grad, t.grad_fn.needs_input_grad
    if t in capture:
        captured[t] = grad
    return grad, paths[t]


def inputs_near_write(fn, t, near_write: int, overwritten):
    """fn's inputs, for a node recorded before the newest in-place write (checked and routed:
    `checked_inputs`) or right after it (`near_write` is the next sequence number), as the
    node of an in-place change is: such nodes go to `overwritten` (None under retain_graph),
    for `let_go`."""
    if overwritten is not None:
        overwritten.append(fn)
    return checked_inputs(fn, t) if fn.seq < near_write - 1 else fn.inputs


def checked_inputs(fn, t) -> list:
    """fn's inputs as they were when it was recorded, after checking that no value its rule
    reads was changed in place since (`versions.check`)."""
    versions.check(fn, t._data)
    return inputs_then(fn)


def inputs_then(fn):
    """fn's inputs as they were when fn was recorded: a tensor changed in place since has a
    newer grad_fn, and `versions.before` finds the one fn used (the walk first checks, with
    `versions.check`, that no value the rule reads was overwritten)."""
    if fn.seq >= versions.last_write:
        return fn.inputs
    return [versions.before(a, fn.seq) if isinstance(a, TensorBase) else a for a in fn.inputs]


def let_go_large(t, grad, g_too: bool, out_too: bool, only_graph: int) -> None:
    """After the rule of t, a tensor of FREED_FROM bytes or more: its gradient becomes a spare
    if nothing but the walk holds it (in `grad`, and in `g` if `g_too`), and its value too if
    nothing but the graph holds t (`only_graph` references; `out_too`: the walk's `out`)."""
    keep(grad, 2 + g_too)  # and this call's argument
    if getrefcount(t) == only_graph + 1:
        free_value(t, out_too)


def free_value(t: TensorBase, others: int = 0) -> None:
    """Let go of the value of a tensor that only the graph holds, keeping it in the graph as
    structure, with its shape and dtype; the array becomes a spare if nothing else holds it
    (`others`: the caller's variables that do)."""
    keep(t._data, 1 + others)
    t._data = FreedValue(t._data)


def let_go(overwritten) -> None:
    """After a pass without retain_graph: the in-place nodes it freed drop the tensors they
    replaced, which routed older uses (`versions.before`) until the pass was over, and free
    the value of one that only the in-place node's inputs still hold."""
    for fn in overwritten:
        old, fn.replaced = getattr(fn, "replaced", None), None  # may be unset: not in place
        if old is not None and old.grad_fn is not None and old._data.nbytes >= FREED_FROM and (
                getrefcount(old) == HELD_BY_ONE_CONSUMER):
            free_value(old)


def finish(pending, capture, captured, create_graph: bool, overwritten) -> dict:
    """The end of a pass: the in-place nodes it freed let go (`let_go`), and what is left in
    `pending` are the leaves' gradients, which go through the leaves' hooks; without
    `capture`, each leaf accumulates into `.grad`; with it, the captured ones are returned."""
    if overwritten:
        let_go(overwritten)
    hooked = hooks.registry
    for leaf in list(pending):
        grad = pending.pop(leaf)
        if hooked and id(leaf) in hooked:
            grad = hooks.run_hooks(leaf, grad)
        if capture is None:
            # a first gradient that nothing else holds becomes .grad itself (PyTorch steals
            # it too); counted here, where `grad` is one local, like the measured baseline;
            # it must be an ndarray of the leaf's dtype owning its writable memory
            if (leaf._grad is None and getrefcount(grad) <= UNSHARED
                    and type(grad) is ndarray and grad.base is None
                    and grad.dtype is leaf._data.dtype and grad.flags.writeable):
                leaf._grad = leaf._wrap(grad)
            else:
                _accumulate(leaf, grad, create_graph)
        elif leaf in capture:
            captured[leaf] = grad
    return captured


# a tensor that a local variable of the walk and one consumer's inputs hold: the walk frees
# its value once its rule has run; anyone else holding it (a variable of the user's, a second
# consumer, a hook's table) counts more, and it keeps its value
HELD_BY_ONE_CONSUMER = UNSHARED + 1


def _held_once_refcount() -> int:
    """What getrefcount reports, inside a function such as `added`, for an argument that
    one dict entry of the caller holds and nothing else (measured, as `UNSHARED`)."""
    table = {0: np.empty(0)}
    return _refcount_of(table[0])


def _refcount_of(a) -> int:
    return getrefcount(a)


_HELD_ONCE = untraced(_held_once_refcount)


def _accumulate(leaf: TensorBase, grad, create_graph: bool) -> None:
    """leaf.grad += grad, in the leaf's dtype; in place unless a graph is being built.

    A first gradient becomes a tensor of the leaf's own: a rule may hand one gradient to
    several inputs (Add) or return a read-only broadcast view (Sum), so it is copied, through
    the graph (`clone`) when it has one (`finish` takes one that nothing else refers to as it
    is). The engine writes the `_grad` slot: what it stores already has the leaf's shape and
    dtype, which the `grad` setter would check.
    """
    if isinstance(grad, TensorBase):
        if grad.dtype != leaf.dtype:
            grad = grad.to(leaf.dtype)
        if leaf._grad is not None:
            leaf._grad = leaf._grad + grad
        else:
            leaf._grad = grad.clone() if grad.requires_grad else grad._wrap(grad._data.copy())
        return
    if leaf._grad is None:
        leaf._grad = leaf._wrap(np.array(grad, dtype=leaf.dtype))
    elif leaf._grad.grad_fn is not None or create_graph:
        leaf._grad = leaf._grad + grad
    else:
        np.add(leaf._grad._data, grad, out=leaf._grad._data, casting="unsafe")


def _seed(output: TensorBase, gradient, create_graph: bool, where: str):
    """The starting gradient ∂L/∂output: ones for a one-element output, else required."""
    if not isinstance(output, TensorBase):
        raise TypeError(f"{where}: expected a Tensor output, got {type(output).__name__}")
    if not output._requires_grad:
        raise RuntimeError(
            f"{where}: the output does not require grad and has no grad_fn; "
            "no input it depends on has requires_grad=True (or it was computed under no_grad)"
        )
    if gradient is None:
        if output._data.size != 1:
            raise RuntimeError(
                f"{where}: grad can be implicitly created only for one-element outputs, "
                f"got shape {output.shape}; pass the gradient of the loss w.r.t. it"
            )
        # a 1 with as many axes as the output (all of length 1): np.array is made in C, where
        # np.ones and np.ones_like are Python wrappers costing three times as much (W5 1%)
        g = np.array(1, output._data.dtype, ndmin=output._data.ndim)
    else:
        g = gradient._data if isinstance(gradient, TensorBase) else to_array(gradient, None, where)
        if g.shape != output.shape:
            raise ValueError(
                f"{where}: gradient has shape {g.shape} but the output has shape {output.shape}"
            )
        g = g.astype(output.dtype, copy=False)
        if create_graph and isinstance(gradient, TensorBase):
            return gradient
    return output._wrap(g) if create_graph else g


def as_list(tensors) -> list:
    """One tensor or a sequence of them, as a list."""
    return [tensors] if isinstance(tensors, TensorBase) else list(tensors)


def seeds_for(outputs: list, gradients, create_graph: bool, where: str) -> list:
    """The starting gradient of each output (`_seed`): `gradients` has one per output, or is
    one (or None) for every output."""
    if not isinstance(gradients, (list, tuple)):
        gradients = [gradients] * len(outputs)
    elif len(gradients) != len(outputs):
        raise RuntimeError(
            f"{where}: got {len(gradients)} gradients for {len(outputs)} outputs")
    seeds = []
    for o, g in zip(outputs, gradients):  # a loop, not a comprehension: one call less a pass
        seeds.append(_seed(o, g, create_graph, where))
    return seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """`tg.autograd.backward` and `Tensor.backward`: accumulate ∂(Σ tensors · grad_tensors)/∂t
    into `.grad` of every leaf below, or only of `inputs` (leaves or not) when given."""
    if isinstance(tensors, TensorBase):  # t.backward(gradient): a gradient given as a list
        tensors = [tensors]               # of numbers is one gradient, not one per output
        if not (type(grad_tensors) in (list, tuple) and len(grad_tensors) == 1
                and (grad_tensors[0] is None or isinstance(grad_tensors[0], TensorBase))):
            grad_tensors = [grad_tensors]
    else:
        tensors = list(tensors)
    seeds = seeds_for(tensors, grad_tensors, create_graph, "backward")
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run(tensors, seeds, retain_graph=retain, create_graph=create_graph)
        return
    inputs = checked_inputs_of("backward", as_list(inputs))
    captured = run(tensors, seeds, retain_graph=retain, create_graph=create_graph,
                   capture=set(inputs))
    for t in dict.fromkeys(inputs):  # each once, in order
        g = captured.get(t)
        if g is not None and not (t.grad_fn is not None and hooks.retains(t)):  # kept already
            _accumulate(t, g, create_graph)


def checked_inputs_of(where: str, inputs: list) -> list:
    if not inputs:
        raise RuntimeError(f"{where}: the `inputs` argument cannot be empty")
    for i, t in enumerate(inputs):
        if not isinstance(t, TensorBase) or not t.requires_grad:
            raise RuntimeError(f"{where}: input {i} is not a Tensor that requires grad")
    return inputs


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """∂(Σ outputs · grad_outputs)/∂input for each input, as a tuple; `.grad` is untouched.

    With `create_graph=True` the results are differentiable again (grad of grad,
    Hessian-vector products). With `is_grads_batched=True` the first dimension of each
    grad_output indexes a batch of vectors, and each result gets that dimension in front
    (one pass per vector). `materialize_grads` gives zeros instead of None for an unused
    input. `only_inputs` is accepted and ignored, as PyTorch does.
    """
    outputs, inputs = as_list(outputs), checked_inputs_of("grad", as_list(inputs))
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("grad: materialize_grads=True needs allow_unused to be True or None")
    if is_grads_batched:
        return batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
                            allow_unused, materialize_grads)
    seeds = seeds_for(outputs, grad_outputs, create_graph, "grad")
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
            results.append(t._wrap(np.zeros(t.shape, t.dtype)) if materialize_grads else None)
            continue
        if not isinstance(g, TensorBase):
            g = t._wrap(np.array(g, dtype=t.dtype))
        elif g.dtype != t.dtype:
            g = g.to(t.dtype)
        results.append(g)
    return tuple(results)


def batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused,
                 materialize_grads) -> tuple:
    """`grad(..., is_grads_batched=True)`: one pass per vector of the batch (PyTorch vmaps
    instead), the results stacked along a new first dimension."""
    batches = as_list(grad_outputs) if grad_outputs is not None else None
    if batches is None or any(b is None for b in batches):
        raise RuntimeError("grad: is_grads_batched=True needs a batched grad_output for "
                           "every output")
    sizes = {len(b) for b in batches}
    if len(sizes) != 1:
        raise RuntimeError(f"grad: the batched grad_outputs have different batch sizes {sizes}")
    (n,) = sizes
    rows = [grad(outputs, inputs, [b[k] for b in batches],
                 retain_graph=True if k < n - 1 else retain_graph, create_graph=create_graph,
                 allow_unused=allow_unused, materialize_grads=materialize_grads)
            for k in range(n)]
    return tuple(None if column[0] is None else np.stack(column)  # Tensor's np.stack records
                 for column in zip(*rows))
