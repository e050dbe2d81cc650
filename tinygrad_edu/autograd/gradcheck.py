"""Checking analytic gradients against central differences, in float64.

For every input x that requires grad and every output y, the Jacobian ∂y/∂x is built twice:
row by row from the backward pass (one pass per output element), and column by column from
central differences (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε. An entry passes when
|analytic − numeric| ≤ atol + rtol·|numeric|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..tensor_base import TensorBase
from .engine import grad


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` / `gradgradcheck` when a derivative does not match."""


@dataclass
class Mismatch:
    """The worst disagreement between the two Jacobians."""

    input: int
    input_index: tuple
    output: int
    output_index: tuple
    analytic: float
    numeric: float

    def __str__(self) -> str:
        return (
            f"d(output {self.output}){list(self.output_index)} / "
            f"d(input {self.input}){list(self.input_index)}: "
            f"analytic {self.analytic!r}, numerical {self.numeric!r} "
            f"(difference {abs(self.analytic - self.numeric):.3g})"
        )


def _position(flat_index: int, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat_index, shape))


def _as_tuple(x) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float64_copies(inputs) -> tuple:
    """Detached float64 copies of the float inputs, keeping their requires_grad flags."""
    copies = []
    for x in inputs:
        if isinstance(x, TensorBase) and x.dtype.kind == "f":
            copies.append(x._wrap(x._data.astype(np.float64)).requires_grad_(x.requires_grad))
        else:
            copies.append(x)
    return tuple(copies)


def _outputs(fn, xs) -> list:
    return [o for o in _as_tuple(fn(*xs)) if isinstance(o, TensorBase) and o.dtype.kind == "f"]


def central_differences(f, arrays, eps: float = 1e-6) -> list[np.ndarray]:
    """∂f/∂a ≈ (f(a + ε eᵢ) − f(a − ε eᵢ)) / 2ε for every entry i of every array a in `arrays`.

    `f()` takes no argument: it reads the arrays, which are perturbed in place and restored.
    It returns a number or an array; the derivative for `a` has shape a.shape + f()'s shape.
    """
    grads = []
    for a in arrays:
        columns = []
        for i in np.ndindex(a.shape):
            orig = a[i]
            a[i] = orig + eps
            plus = np.array(f())
            a[i] = orig - eps
            minus = np.array(f())
            a[i] = orig
            columns.append((plus - minus) / (2 * eps))
        shape = a.shape + np.shape(columns[0] if columns else f())
        grads.append(np.reshape(columns, shape))
    return grads


def worst_mismatch(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3) -> Mismatch | None:
    """The worst failing Jacobian entry of `fn` at `inputs`, or None when all entries pass."""
    xs = _float64_copies(_as_tuple(inputs))
    wrt = [i for i, x in enumerate(xs) if isinstance(x, TensorBase) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    outs = _outputs(fn, xs)
    # analytic[k][o]: (size of input k, size of output o)
    analytic = [[np.zeros((xs[k]._data.size, o._data.size)) for o in outs] for k in wrt]
    for o_i, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for j in range(out._data.size):
            seed = np.zeros(out._data.size)
            seed[j] = 1.0
            grads = grad(out, [xs[k] for k in wrt], seed.reshape(out.shape),
                         retain_graph=True, allow_unused=True)
            for n, g in enumerate(grads):
                if g is not None:
                    analytic[n][o_i][:, j] = g._data.ravel()
    # numeric[n]: (size of input wrt[n], every output's entries one after another)
    numeric = central_differences(
        lambda: np.concatenate([o._data.ravel() for o in _outputs(fn, xs)] or [np.empty(0)]),
        [xs[k]._data for k in wrt], eps)
    ends = np.cumsum([0] + [o._data.size for o in outs])
    worst, worst_excess = None, 0.0
    for n, k in enumerate(wrt):
        columns = numeric[n].reshape(xs[k]._data.size, ends[-1])
        for i in range(len(columns)):
            for o_i in range(len(outs)):
                num = columns[i, ends[o_i]:ends[o_i + 1]]
                a = analytic[n][o_i][i]
                excess = np.abs(a - num) - (atol + rtol * np.abs(num))
                excess = np.where(np.isnan(excess), np.inf, excess)
                if excess.size and excess.max() > worst_excess:
                    j = int(excess.argmax())
                    worst_excess = excess.max()
                    worst = Mismatch(
                        k, _position(i, xs[k].shape), o_i, _position(j, outs[o_i].shape),
                        float(a[j]), float(num[j]),
                    )
    return worst


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3) -> bool:
    """True when `fn`'s analytic gradients at `inputs` match central differences in float64;
    otherwise raises GradcheckError naming the input, the index and both values."""
    bad = worst_mismatch(fn, inputs, eps, atol, rtol)
    if bad is not None:
        raise GradcheckError(f"gradcheck: Jacobian mismatch for {bad}")
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3) -> bool:
    """`gradcheck` of the map x ↦ ∂(Σ fn(x)·v)/∂x, whose derivative is the second derivative
    of `fn`; the gradients are built with create_graph=True. `v` is `grad_outputs`, or
    fixed random values."""
    xs = _float64_copies(_as_tuple(inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [o._wrap(rng.standard_normal(o.shape)) for o in _outputs(fn, xs)]
    tensors = [x for x in xs if isinstance(x, TensorBase)]
    if not tensors:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    wrap = tensors[0]._wrap  # makes a Tensor (this module does not import tensor.py)
    vs = [wrap(np.array(getattr(v, "data", v), dtype=np.float64))
          for v in _as_tuple(grad_outputs)]

    def first_derivatives(*args):
        targets = [a for a in args if isinstance(a, TensorBase) and a.requires_grad]
        grads = grad(_outputs(fn, args), targets, vs, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else t._wrap(np.zeros(t.shape)) for g, t in
                     zip(grads, targets))

    try:
        return gradcheck(first_derivatives, xs, eps, atol, rtol)
    except GradcheckError as e:
        raise GradcheckError(f"gradgradcheck: second derivative mismatch ({e})") from None
