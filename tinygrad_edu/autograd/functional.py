"""`tg.autograd.functional`: derivatives of a whole function, as PyTorch's: `vjp`, `jvp`,
`jacobian`, `hessian`, `hvp`, `vhp`, all built on `autograd.grad`.

`inputs` is a Tensor or a tuple of them, and so is what `func` returns; a result is nested
as PyTorch nests it (a tuple per output, inside it a tuple per input, each level only where
the argument was a tuple). The results are detached unless `create_graph=True`, which keeps
them differentiable (a Hessian differentiated again, say). `strict=True` raises when an
output does not depend on an input instead of giving zeros.

    J[i, j] = ∂f_i/∂x_j     vjp: vᵀJ     jvp: J v (the double-vjp trick: J v = ∂(uᵀJ v)/∂u
    with uᵀJ from one pass)     hessian: J of ∇f     hvp / vhp: H v = vᵀH (H is symmetric)
"""

from __future__ import annotations

import numpy as np

from ..tensor_base import TensorBase
from .engine import grad
from .grad_mode import enable_grad


def as_tuple(x, arg: str, fn: str) -> tuple[bool, tuple]:
    """(whether x was a tuple or list, x as a tuple of Tensors)."""
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, TensorBase):
            where = f"{arg} {i}" if is_tuple else arg
            raise TypeError(f"{fn}: the {where} must be a Tensor, got {type(t).__name__}")
    return is_tuple, xs


def prepared(inputs: tuple, create_graph: bool) -> tuple:
    """The inputs func is called on: fresh leaves that require grad, or, when the result must
    stay differentiable, the inputs themselves where they require grad already."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def untuple(x, is_tuple: bool):
    return x if is_tuple else x[0]


def finished(ts: tuple, create_graph: bool) -> tuple:
    """Results as returned: detached unless create_graph."""
    return tuple(t if create_graph or t is None else t.detach() for t in ts)


def zeros_like(x: TensorBase) -> TensorBase:
    return x._wrap(np.zeros(x.shape, x.dtype))


def grads_or_zeros(outputs, inputs, grad_outputs, create_graph, strict, fn) -> tuple:
    """grad(outputs, inputs, grad_outputs) with zeros for an input no output depends on
    (an error under `strict`); outputs that record no graph contribute nothing."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    found = (grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True,
                  create_graph=create_graph, allow_unused=True)
             if pairs else (None,) * len(inputs))
    result = []
    for i, (g, x) in enumerate(zip(found, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn}: the output of the user-provided function is "
                                   f"independent of input {i}. This is not allowed in "
                                   "strict mode.")
            g = zeros_like(x)
        result.append(g)
    return tuple(result)


def vectors(v, like: tuple, what: str, fn: str) -> tuple:
    """`v` checked against the tensors `like` (one per tensor, same shapes); None only when
    `like` is one one-element tensor (then v = 1)."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"{fn}: the vector v can only be None if the {what} is a "
                               "single Tensor with a single element")
        return (like[0]._wrap(np.ones(like[0].shape, like[0].dtype)),)
    _, vs = as_tuple(v, "v", fn)
    if len(vs) != len(like):
        raise RuntimeError(f"{fn}: v has {len(vs)} entries but the {what} has {len(like)}")
    for i, (a, b) in enumerate(zip(vs, like)):
        if a.shape != b.shape:
            raise RuntimeError(f"{fn}: entry {i} in v has invalid size: should be "
                               f"{tuple(b.shape)} but got {tuple(a.shape)}")
    return vs


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), vᵀ J): the vector-Jacobian product, for v shaped like func's output."""
    in_tuple, xs = as_tuple(inputs, "input", "vjp")
    with enable_grad():
        xs = prepared(xs, create_graph)
        out_tuple, outs = as_tuple(func(*xs), "output", "vjp")
        vs = vectors(v, outs, "output of the user-provided function", "vjp")
        result = grads_or_zeros(outs, xs, vs, create_graph, strict, "vjp")
    return (untuple(finished(outs, create_graph), out_tuple),
            untuple(finished(result, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product, for v shaped like the inputs, by the
    double-vjp trick: uᵀJ is linear in u, so its vjp with v is J v."""
    in_tuple, xs = as_tuple(inputs, "input", "jvp")
    with enable_grad():
        xs = prepared(xs, create_graph)
        vs = vectors(v, xs, "input to the user-provided function", "jvp")
        out_tuple, outs = as_tuple(func(*xs), "output", "jvp")
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        uJ = grads_or_zeros(outs, xs, us, True, strict, "jvp")
        result = grads_or_zeros(uJ, us, vs, create_graph, strict, "jvp")
    return (untuple(finished(outs, create_graph), out_tuple),
            untuple(finished(result, create_graph), out_tuple))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """J[i][j] = ∂ output_i / ∂ input_j, of shape output_i.shape + input_j.shape, one backward
    pass per output element (`vectorize` and `strategy` give the same values; accepted)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: expected strategy 'forward-mode' or 'reverse-mode', "
                         f"got {strategy!r}")
    in_tuple, xs = as_tuple(inputs, "input", "jacobian")
    with enable_grad():
        xs = prepared(xs, create_graph)
        out_tuple, outs = as_tuple(func(*xs), "output", "jacobian")
        blocks = tuple(jacobian_of(o, xs, create_graph, strict) for o in outs)
    blocks = tuple(finished(b, create_graph) for b in blocks)
    if out_tuple:
        return tuple(untuple(b, in_tuple) for b in blocks)
    return untuple(blocks[0], in_tuple)


def jacobian_of(out, xs, create_graph: bool, strict: bool) -> tuple:
    """The blocks ∂out/∂x for each x, each of shape out.shape + x.shape: row k is the gradient
    of out's k-th element (a one-hot grad_output)."""
    rows = []
    for k in range(out.numel()):
        e = np.zeros(out.shape, out.dtype)
        e.flat[k] = 1
        rows.append(grads_or_zeros((out,), xs, (out._wrap(e),), create_graph, strict,
                                   "jacobian"))
    return tuple(
        np.stack([row[j] for row in rows]).reshape(out.shape + x.shape) if rows
        else x._wrap(np.zeros(out.shape + x.shape, x.dtype))
        for j, x in enumerate(xs))


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """H[i][j] = ∂²f / ∂input_i ∂input_j for a func returning one element: the jacobian of
    its gradient; each block has shape input_i.shape + input_j.shape."""
    in_tuple, xs = as_tuple(inputs, "input", "hessian")

    def gradient_of_prepared(*ys):  # the inner jacobian must see the same leaves as func
        out = scalar_output(func(*ys), "hessian")
        return grads_or_zeros((out,), ys, (out._wrap(np.ones((), out.dtype)),), True, strict,
                              "hessian")

    blocks = jacobian(gradient_of_prepared, xs, create_graph=create_graph, strict=strict,
                      strategy=outer_jacobian_strategy)
    return untuple(tuple(untuple(b, in_tuple) for b in blocks), in_tuple)


def scalar_output(out, fn: str):
    """func's output, which must be one tensor of one element, as a 0-d tensor."""
    is_tuple, outs = as_tuple(out, "output", fn)
    if is_tuple and len(outs) != 1:
        raise RuntimeError(f"{fn}: the function given to {fn} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"{fn}: the Tensor returned by the function given to {fn} should "
                           f"contain a single element, got shape {tuple(outs[0].shape)}")
    return outs[0].reshape(())


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), vᵀ H) for a func returning one element: the vjp of its gradient."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a func returning one element; H is symmetric, so H v = vᵀH."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn):
    in_tuple, xs = as_tuple(inputs, "input", fn)
    with enable_grad():
        xs = prepared(xs, create_graph)
        vs = vectors(v, xs, "input to the user-provided function", fn)
        value = func(*xs)
        out = scalar_output(value, fn)
        g = grads_or_zeros((out,), xs, (out._wrap(np.ones((), out.dtype)),), True, strict, fn)
        result = grads_or_zeros(g, xs, vs, create_graph, strict, fn)
    value = value if create_graph else finished(as_tuple(value, "output", fn)[1], False)[0]
    return value, untuple(finished(result, create_graph), in_tuple)
