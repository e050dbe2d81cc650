"""Custom operations, as PyTorch's `torch.autograd.Function`: a learner's own op with its own
derivative, which the engine runs like any primitive.

    class Cube(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    y = Cube.apply(x)

`apply` runs `forward` without recording, then records one node per differentiable output
(the engine gives every tensor its own node). The node is an `ops.Function` whose class is
made once per custom op and named after it (`CubeBackward` in `grad_fn`, anomaly mode and
`tg.viz`); its `backward(grad, out, *inputs)` adapts the engine's call to PyTorch's
`backward(ctx, *grads)`: it wraps ndarrays as Tensors, runs the user's rule (without
recording in a plain pass, recording under create_graph, so a rule written with Tensor ops
differentiates again) and hands back arrays. A node of an op with several outputs runs the
rule with zeros for the other outputs' gradients; the engine adds the results, which the
rule's linearity in the gradients makes the same as one call with all of them.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..ops.function import Function as Node
from ..tensor_base import TensorBase
from . import anomaly, versions
from .grad_mode import no_grad, state, switched


class FunctionCtx:
    """The `ctx` of a custom op: what forward leaves for backward. Any attribute may be set on
    it (`ctx.dim = dim`); `save_for_backward` is for tensors, which it version-checks."""

    def __init__(self, needs_input_grad: tuple):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self.non_differentiable = ()
        self.to_save = ()
        self.saved = None  # (tensor or weak reference to an output, its version) pairs
        self.op = "Function"

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (inputs, outputs, or None) for backward: `ctx.saved_tensors`."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, TensorBase):
                raise TypeError(f"save_for_backward: argument {i} is a "
                                f"{type(t).__name__}; only Tensors (or None) can be saved, "
                                "keep other values as attributes of ctx")
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        """The saved tensors, checked unchanged in place since they were saved."""
        if self.saved is None:
            raise RuntimeError(f"{self.op}: saved_tensors is read only in backward, after "
                               "save_for_backward in forward")
        out = []
        for i, (t, version) in enumerate(self.saved):
            if isinstance(t, weakref.ref):
                t = t()
            if t is not None and versions.version(t._data) != version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: saved tensor {i} of {self.op}Backward (shape "
                    f"{t.shape}) is at version {versions.version(t._data)}; expected version "
                    f"{version} instead")
            out.append(t)
        return tuple(out)

    def mark_non_differentiable(self, *outputs) -> None:
        """These outputs get no gradient (their grad_fn is None); backward is given zeros
        for them."""
        self.non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """False: backward gets None, not zeros, for the gradient of an output that had none."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors) -> None:
        raise NotImplementedError(
            "mark_dirty: custom ops that change their inputs in place are not supported; "
            "return a new tensor from forward instead")


class CustomNode(Node):
    """The engine's node for one output of a custom op (a subclass per op, named after it).
    What it saves for the rule is the ctx, (ctx,), so a pass that frees the node's saved
    values lets go of the tensors the ctx holds."""

    __slots__ = ("index", "outputs")
    saves = ()  # the user's rule reads ctx.saved_tensors, which checks versions itself
    op_class = None  # the user's Function subclass

    def backward(self, grad, out, *inputs):
        """The user's `backward(ctx, *grads)`, with this output's gradient and zeros (or None)
        for the others, as ndarrays in a plain pass and Tensors under create_graph."""
        plain = not isinstance(grad, TensorBase)
        ctx, wrap = self.saved[0], self.wrapper()
        grads = []
        for i, (shape, dtype) in enumerate(self.outputs):
            if i == self.index:
                g = grad
            elif ctx.materialize_grads:
                g = np.zeros(shape, dtype)
            else:
                grads.append(None)
                continue
            grads.append(g if isinstance(g, TensorBase) else wrap(g))
        if plain:
            with no_grad():
                results = self.op_class.backward(ctx, *grads)
        else:
            results = self.op_class.backward(ctx, *grads)
        return self.gradients(results, plain)

    def wrapper(self):
        """A function making a Tensor around an ndarray (that of an input tensor's class)."""
        return next(a for a in self.inputs if isinstance(a, TensorBase))._wrap

    def gradients(self, results, plain: bool) -> tuple:
        """The user's results checked against the inputs (one per forward argument, None for
        a non-tensor), as the engine takes them: arrays in a plain pass."""
        if not isinstance(results, tuple):
            results = (results,)
        n = len(self.inputs)
        if len(results) < n or any(r is not None for r in results[n:]):
            raise RuntimeError(f"{self.name}: backward returned an incorrect number of "
                               f"gradients (expected {n}, got {len(results)})")
        out = []
        for i, (a, needed, g) in enumerate(zip(self.inputs, self.needs_input_grad, results)):
            if g is not None and not isinstance(a, TensorBase):
                raise RuntimeError(
                    f"{self.name}: backward returned a gradient different than None at "
                    f"position {i}, but the corresponding forward input was not a Tensor")
            if not needed:
                out.append(None)
                continue
            if g is None:  # PyTorch reads None as zeros
                g = np.zeros(a.shape, a.dtype) if plain else a._wrap(np.zeros(a.shape, a.dtype))
            elif not isinstance(g, TensorBase):
                raise TypeError(f"{self.name}: backward returned {type(g).__name__} at "
                                f"position {i}; expected a Tensor or None")
            elif plain:
                g = g._data
            if np.shape(g) != a.shape and not broadcasts_back(np.shape(g), a.shape):
                raise RuntimeError(
                    f"Function {self.name} returned an invalid gradient at index {i} - got "
                    f"{list(np.shape(g))} but expected shape compatible with {list(a.shape)}")
            out.append(g.astype(a.dtype, copy=False) if plain and g.dtype != a.dtype else g)
        return tuple(out)


def broadcasts_back(shape: tuple, target: tuple) -> bool:
    """Whether a gradient of `shape` sums back to `target` (the engine's `sum_to_shape`)."""
    if len(shape) < len(target):
        return False
    return all(t == s or t == 1 for s, t in zip(shape[len(shape) - len(target):], target))


class Function:
    """The base of a custom op: subclass it with `@staticmethod forward(ctx, *args)` and
    `@staticmethod backward(ctx, *grads)` (one gradient per forward argument, None for
    non-tensors and inputs needing none), then call `MyOp.apply(*args)`.

    `ctx.save_for_backward(*tensors)` / `ctx.saved_tensors`, `ctx.needs_input_grad`,
    `ctx.mark_non_differentiable(*outputs)` and any attribute on `ctx` work as in PyTorch.
    A `forward(*args)` without ctx with a `setup_context(ctx, inputs, output)` works too.
    """

    _nodes: dict = {}  # custom op class -> its node class

    def __init__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__}: a custom Function is not instantiated; "
                           f"call {type(self).__name__}.apply(...)")

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a custom Function must define @staticmethod forward")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a custom Function must define @staticmethod backward")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run `forward` on args (recording nothing) and record the op on its outputs."""
        needs = tuple(isinstance(a, TensorBase) and a._requires_grad for a in args)
        ctx = FunctionCtx(needs)
        ctx.op = cls.__name__
        with no_grad():
            if cls.setup_context is Function.setup_context:
                result = cls.forward(ctx, *args)
            else:
                result = cls.forward(*args)
                cls.setup_context(ctx, args, result)
        outputs = result if isinstance(result, tuple) else (result,)
        outputs = tuple(fresh(o, args) for o in outputs)
        if switched and state.anomaly:
            for o in outputs:
                if isinstance(o, TensorBase):
                    anomaly.check_forward(node_class(cls)(), o._data)
        ctx.saved = tuple(saved_entry(t, outputs) for t in ctx.to_save)
        if True in needs and (not switched or state.grad_enabled):
            record(cls, ctx, args, needs, outputs)
        return outputs if isinstance(result, tuple) else outputs[0]


def fresh(output, args):
    """An output of forward as apply returns it: an input returned as it is becomes a new
    tensor sharing its memory (as PyTorch's view), so that recording leaves the input be."""
    if isinstance(output, TensorBase) and any(output is a for a in args):
        return output._wrap(output._data)
    return output


def saved_entry(t, outputs) -> tuple:
    """(what ctx keeps of a saved tensor, its version now): an output is held weakly, so
    that output and node do not keep each other alive."""
    if t is None:
        return None, 0
    kept = weakref.ref(t) if any(t is o for o in outputs) else t
    return kept, versions.version(t._data)


def record(cls, ctx, args, needs, outputs) -> None:
    """Give each differentiable output of the op a node of `cls`'s node class."""
    shapes = tuple((o.shape, o.dtype) if isinstance(o, TensorBase) else ((), np.float64)
                   for o in outputs)
    for i, o in enumerate(outputs):
        if not isinstance(o, TensorBase) or any(o is n for n in ctx.non_differentiable):
            continue
        if o._data.dtype.kind not in "fc":
            continue  # an integer output cannot carry a gradient
        fn = node_class(cls)()
        fn.index, fn.outputs = i, shapes
        fn.inputs, fn.saved = args, (ctx,)
        fn.needs_input_grad = needs
        fn.seq = next(versions.sequence)
        o.grad_fn = fn
        o._requires_grad = True


def node_class(cls) -> type:
    """The node class of custom op `cls`, made once: its name is the op's (`MyOpBackward`)."""
    node = Function._nodes.get(cls)
    if node is None:
        node = Function._nodes[cls] = type(cls.__name__, (CustomNode,),
                                           {"__slots__": (), "op_class": cls})
    return node
