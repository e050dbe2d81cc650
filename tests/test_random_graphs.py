"""Random computation graphs (DAGs, not chains) against finite differences.

Each example draws one to three float64 leaves that require grad (shapes that broadcast
against each other), sometimes a constant without grad, and then one to twelve nodes; each
node applies a random op to inputs picked among ALL earlier leaves and nodes, so
intermediates feed several later nodes (diamonds, the same tensor twice in one op, long
and short paths joining). The ops (OPS) are elementwise (+ - * / ** with tensors and
Python floats, tanh, sin, exp, log, sqrt, sigmoid, where), reductions that broadcast back
(sum/mean/var/softmax/logsumexp over a dim), shape ops (reshape, transpose, permute,
integer-array indexing with repeats, cat + slicing, stack, expand), collapses to a scalar
(sum, mean, 1-D dot, batched matmul) and stop-gradients (detach, no_grad). The loss is the
sum of the `.sum()` of one or more nodes.

Checked: leaves' .grad after backward(); autograd.grad w.r.t. leaves and intermediates
(one or several outputs, grad_outputs), and that it leaves .grad alone; accumulation over
two backward() calls (retain_graph) and over two losses sharing the graph; a second
backward through a freed graph; allow_unused; and, if torch is installed, first and
second derivatives against torch on the same graph.

The reference is an independent re-implementation of the same graph on plain numpy
arrays, evaluated in extended precision (`numpy.longdouble`, 64-bit mantissa on x86) so
that central differences (eps = 1e-6 and 5e-7, combined by Richardson extrapolation, whose
error is of order eps⁴) are accurate to ~1e-12 and the library's float64 gradients can be
held to rtol 1e-6 / atol 1e-8. (Where longdouble is plain float64 the
reference falls back to complex-step differentiation, which is exact to float64 rounding.)
Gradients with respect to an intermediate h are checked by re-running the reference with
h's value replaced by h + eps*e_i, everything downstream recomputed from it.

On a failure, hypothesis prints the DAG as a runnable tinygrad_edu program (via `note`).
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import recording, spares
from tinygrad_edu.autograd import engine
from tinygrad_edu.tensor_base import FreedValue

EPS = 1e-6
RTOL, ATOL = 1e-6, 1e-8  # gradients against the finite-difference reference
EXTENDED = np.finfo(np.longdouble).eps < 1e-18
VALUE_BOUND = 1e3  # examples whose intermediates leave [-1e3, 1e3] are discarded
# An example takes a few milliseconds: run three times the active profile's count
# (conftest.py has loaded the profile by the time this module is imported).
MORE = settings(max_examples=3 * settings().max_examples)


def _mix(shape):
    """A fixed, position-dependent constant of `shape` (for the reshape/transpose ops)."""
    return np.linspace(0.5, 1.5, int(np.prod(shape, dtype=int))).reshape(shape)


# ---------------------------------------------------------------------------- backends
# The ops below are written once against a tiny backend interface, and run on numpy
# (the reference), on tinygrad_edu, and on torch (same names as tinygrad_edu).

class NumpyBackend:
    def __init__(self, dtype):
        self.dtype = dtype

    def const(self, arr):
        return np.array(arr, dtype=self.dtype)

    tanh, sin, exp = staticmethod(np.tanh), staticmethod(np.sin), staticmethod(np.exp)
    log, sqrt = staticmethod(np.log), staticmethod(np.sqrt)

    @staticmethod
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def detach(x):  # the reference's stop-gradient is Dag.forward's `frozen`
        return x

    no_grad = staticmethod(contextlib.nullcontext)

    @staticmethod
    def _shift(x, dim):  # a constant shift (softmax & co. are invariant to it)
        return np.max(np.real(x), axis=dim, keepdims=True)

    def softmax(self, x, dim):
        e = np.exp(x - self._shift(x, dim))
        return e / np.sum(e, axis=dim, keepdims=True)

    def logsumexp(self, x, dim, keepdim):
        m = self._shift(x, dim)
        out = m + np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True))
        return out if keepdim else np.squeeze(out, dim)

    def log_softmax(self, x, dim):
        return x - self.logsumexp(x, dim, True)

    @staticmethod
    def var(x, dim, keepdim):  # PyTorch's default: unbiased
        d = x - np.mean(x, axis=dim, keepdims=True)
        return np.sum(d * d, axis=dim, keepdims=keepdim) / (np.shape(x)[dim] - 1)

    @staticmethod
    def sum(x, dim, keepdim):
        return np.sum(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def mean(x, dim, keepdim):
        return np.mean(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def transpose(x, i, j):
        return np.swapaxes(x, i, j)

    @staticmethod
    def permute(x, dims):
        return np.transpose(x, dims)

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def expand(x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def take_last(x, idx):
        return x[..., np.asarray(idx, dtype=np.int64)]

    @staticmethod
    def cat(xs, dim):
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def stack(xs, dim):
        return np.stack(xs, axis=dim)

    @staticmethod
    def where(cond, a, b):
        return np.where(cond, a, b)


class TensorBackend:
    """tinygrad_edu, or torch: the same calls."""

    def __init__(self, mod):
        self.mod = mod
        for name in ("tanh", "sin", "exp", "log", "sqrt", "sigmoid", "cat", "stack"):
            setattr(self, name, getattr(mod, name))

    def const(self, arr):
        return self.mod.tensor(np.array(arr, dtype=np.float64))

    def no_grad(self):
        return self.mod.no_grad()

    @staticmethod
    def detach(x):
        return x.detach()

    def where(self, cond, a, b):
        return self.mod.where(self.mod.tensor(np.asarray(cond)), a, b)

    def take_last(self, x, idx):
        idx = np.asarray(idx, dtype=np.int64)
        return x[..., idx if self.mod is tg else self.mod.tensor(idx)]

    @staticmethod
    def softmax(x, dim):
        return x.softmax(dim)

    @staticmethod
    def log_softmax(x, dim):
        return x.log_softmax(dim)

    @staticmethod
    def logsumexp(x, dim, keepdim):
        return x.logsumexp(dim, keepdim=keepdim)

    @staticmethod
    def var(x, dim, keepdim):
        return x.var(dim, keepdim=keepdim)

    @staticmethod
    def sum(x, dim, keepdim):
        return x.sum() if dim is None else x.sum(dim, keepdim=keepdim)

    @staticmethod
    def mean(x, dim, keepdim):
        return x.mean() if dim is None else x.mean(dim, keepdim=keepdim)

    @staticmethod
    def transpose(x, i, j):
        return x.transpose(i, j)

    @staticmethod
    def permute(x, dims):
        return x.permute(*dims)

    @staticmethod
    def reshape(x, shape):
        return x.reshape(*shape)

    @staticmethod
    def expand(x, shape):
        return x.expand(*shape)


NP64 = NumpyBackend(np.float64)
REF = NumpyBackend(np.longdouble if EXTENDED else np.complex128)
TG = TensorBackend(tg)


# ---------------------------------------------------------------------------- the ops

@dataclass(frozen=True)
class Op:
    name: str
    arity: int  # 1 or 2; the kind (see KINDS) is drawn first, then an op of that kind
    apply: Callable  # (backend, *inputs, param) -> value
    code: Callable  # (input names, param) -> tinygrad_edu source text, for the repro
    param: Callable | None = None  # (*input shapes) -> strategy for the op's parameter
    ok: Callable = lambda *shapes: True  # noqa: E731  applicable to these input shapes?
    kind: str = "elementwise"
    stop_grad: bool = False  # the result carries no graph (detach, no_grad)

    def __repr__(self):
        return self.name


# how often each kind is drawn (a collapse to a scalar less often: it ends shape variety;
# a stop-gradient less often: it cuts the graph)
KINDS = ["elementwise", "reduce", "shape", "elementwise", "reduce", "shape", "collapse",
         "stop"]
SCALARS = st.sampled_from([-1.5, -0.5, 0.25, 0.7, 2.0, 3.0])


def _dim(shape):
    return st.integers(0, len(shape) - 1)


def _gram(B, a, b, s):
    n = len(s)
    return B.sum(B.transpose(B.expand(a, s), n - 2, n - 1) @ B.expand(b, s), n - 2, True)


def _transpose_mix(B, a, p):
    i, j, tshape = p
    return B.transpose(B.transpose(a, i, j) * B.const(_mix(tshape)), i, j)


def _reshape_mix(B, a, shape):
    return B.reshape(B.reshape(a, (-1,)) * B.const(_mix((int(np.prod(shape, dtype=int)),))),
                     shape)


def _bshape(*shapes):
    return np.broadcast_shapes(*shapes)


def _bcast(B, x, shape):
    return x if tuple(x.shape) == tuple(shape) else B.expand(x, shape)


def _condition(shape):
    """A fixed bool pattern of `shape`, for where()."""
    return np.sin(np.arange(int(np.prod(shape, dtype=int))) * 1.7).reshape(shape) > 0


def _cat_split(B, a, b, s):  # concatenate on the last axis, then use both halves
    c = B.cat([_bcast(B, a, s), _bcast(B, b, s)], len(s) - 1)
    return c[..., :s[-1]] * B.tanh(c[..., s[-1]:])


def _stack_mix(B, a, b, s):  # a stacked twice, b once
    a, b = _bcast(B, a, s), _bcast(B, b, s)
    return B.sum(B.stack([a, b, a], 0) * B.const(_mix((3,) + s)), 0, False)


def _dot(B, a, b, s):  # 1-D @ 1-D
    return B.reshape(_bcast(B, a, s), (-1,)) @ B.reshape(_bcast(B, b, s), (-1,))


def _permute_mix(B, a, s):
    return B.permute(B.permute(a, (2, 0, 1)) * B.const(_mix((s[2], s[0], s[1]))), (1, 2, 0))


def _no_grad_tanh(B, a, p):
    with B.no_grad():
        return B.tanh(a)


def _bc(n, i, s):  # source text of _bcast (expanding to the same shape is harmless)
    return f"{n[i]}.expand(*{s})" if s else n[i]


OPS = [
    # binary (the first one of each arity is what hypothesis shrinks towards)
    Op("add", 2, lambda B, a, b, p: a + b, lambda n, p: f"{n[0]} + {n[1]}"),
    Op("sub", 2, lambda B, a, b, p: a - b, lambda n, p: f"{n[0]} - {n[1]}"),
    Op("mul", 2, lambda B, a, b, p: a * b, lambda n, p: f"{n[0]} * {n[1]}"),
    Op("div", 2, lambda B, a, b, p: a / (1.5 + b * b),
       lambda n, p: f"{n[0]} / (1.5 + {n[1]} * {n[1]})"),
    Op("div_exp", 2, lambda B, a, b, p: a / B.exp(B.tanh(b)),
       lambda n, p: f"{n[0]} / tg.exp(tg.tanh({n[1]}))"),
    Op("gram", 2, lambda B, a, b, s: _gram(B, a, b, s),
       lambda n, s: (f"({n[0]}.expand(*{s}).transpose({len(s) - 2}, {len(s) - 1}) @ "
                     f"{n[1]}.expand(*{s})).sum({len(s) - 2}, keepdim=True)"),
       param=lambda sa, sb: st.just(_bshape(sa, sb)),
       ok=lambda sa, sb: len(_bshape(sa, sb)) >= 2,
       kind="reduce"),
    # (the exponent stays away from 0: there torch's double backward of pow masks a term
    # with where(exponent == 0, ...) and is wrong, e.g. d²/dx² (1.5 + x) ** x at x = 0)
    Op("tpow", 2, lambda B, a, b, p: (1.5 + a * a) ** (0.5 + 0.25 * B.tanh(b)),
       lambda n, p: f"(1.5 + {n[0]} * {n[0]}) ** (0.5 + 0.25 * tg.tanh({n[1]}))"),
    Op("where", 2, lambda B, a, b, s: B.where(_condition(s), a, b),
       lambda n, s: (f"tg.where(tg.tensor(np.sin(np.arange({int(np.prod(s))}) * 1.7)"
                     f".reshape({s}) > 0), {n[0]}, {n[1]})"),
       param=lambda sa, sb: st.just(_bshape(sa, sb))),
    Op("cat_split", 2, _cat_split,
       lambda n, s: (f"(lambda c: c[..., :{s[-1]}] * tg.tanh(c[..., {s[-1]}:]))"
                     f"(tg.cat([{_bc(n, 0, s)}, {_bc(n, 1, s)}], {len(s) - 1}))"),
       param=lambda sa, sb: st.just(_bshape(sa, sb)),
       ok=lambda sa, sb: len(_bshape(sa, sb)) >= 1,
       kind="shape"),
    Op("stack_mix", 2, _stack_mix,
       lambda n, s: (f"(tg.stack([{_bc(n, 0, s)}, {_bc(n, 1, s)}, {_bc(n, 0, s)}], 0) * "
                     f"tg.tensor(np.linspace(0.5, 1.5, {3 * int(np.prod(s))}).reshape"
                     f"{(3,) + s})).sum(0)"),
       param=lambda sa, sb: st.just(_bshape(sa, sb)),
       kind="shape"),
    Op("dot", 2, _dot,
       lambda n, s: f"{_bc(n, 0, s)}.reshape(-1) @ {_bc(n, 1, s)}.reshape(-1)",
       param=lambda sa, sb: st.just(_bshape(sa, sb)),
       kind="collapse"),
    # unary
    Op("tanh", 1, lambda B, a, p: B.tanh(a), lambda n, p: f"tg.tanh({n[0]})"),
    Op("sin", 1, lambda B, a, p: B.sin(a), lambda n, p: f"tg.sin({n[0]})"),
    Op("exp_tanh", 1, lambda B, a, p: B.exp(B.tanh(a)), lambda n, p: f"tg.exp(tg.tanh({n[0]}))"),
    Op("square", 1, lambda B, a, p: a * a, lambda n, p: f"{n[0]} * {n[0]}"),
    Op("neg", 1, lambda B, a, p: -a, lambda n, p: f"-{n[0]}"),
    Op("pow", 1, lambda B, a, p: a**p, lambda n, p: f"{n[0]} ** {p!r}",
       param=lambda s: st.sampled_from([2, 3, 2.0])),
    Op("scale", 1, lambda B, a, c: a * c, lambda n, c: f"{n[0]} * {c!r}",
       param=lambda s: SCALARS),
    Op("rscale", 1, lambda B, a, c: c * a, lambda n, c: f"{c!r} * {n[0]}",
       param=lambda s: SCALARS),
    Op("radd", 1, lambda B, a, c: c + a, lambda n, c: f"{c!r} + {n[0]}",
       param=lambda s: SCALARS),
    Op("rsub", 1, lambda B, a, c: c - a, lambda n, c: f"{c!r} - {n[0]}",
       param=lambda s: SCALARS),
    Op("rdiv", 1, lambda B, a, c: c / (1.5 + a * a),
       lambda n, c: f"{c!r} / (1.5 + {n[0]} * {n[0]})", param=lambda s: SCALARS),
    Op("sum_keep", 1, lambda B, a, d: B.sum(a, d, True),
       lambda n, d: f"{n[0]}.sum({d}, keepdim=True)", param=_dim, ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("sum_lead", 1, lambda B, a, p: B.sum(a, 0, False), lambda n, p: f"{n[0]}.sum(0)",
       ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("sum_all", 1, lambda B, a, p: B.sum(a, None, False), lambda n, p: f"{n[0]}.sum()",
       kind="collapse"),
    Op("mean_keep", 1, lambda B, a, d: B.mean(a, d, True),
       lambda n, d: f"{n[0]}.mean({d}, keepdim=True)", param=_dim, ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("center", 1, lambda B, a, d: a - B.mean(a, d, True),  # reduce, then broadcast back
       lambda n, d: f"{n[0]} - {n[0]}.mean({d}, keepdim=True)", param=_dim,
       ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("normalize", 1, lambda B, a, d: a / (1.5 + B.sum(a * a, d, True)),
       lambda n, d: f"{n[0]} / (1.5 + ({n[0]} * {n[0]}).sum({d}, keepdim=True))", param=_dim,
       ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("transpose_mix", 1, _transpose_mix,
       lambda n, p: (f"({n[0]}.transpose({p[0]}, {p[1]}) * tg.tensor(np.linspace(0.5, 1.5, "
                     f"{int(np.prod(p[2]))}).reshape{p[2]})).transpose({p[0]}, {p[1]})"),
       param=lambda s: st.just((len(s) - 2, len(s) - 1, s[:-2] + (s[-1], s[-2]))),
       ok=lambda s: len(s) >= 2,
       kind="shape"),
    Op("reshape_mix", 1, _reshape_mix,
       lambda n, s: (f"({n[0]}.reshape(-1) * tg.tensor(np.linspace(0.5, 1.5, "
                     f"{int(np.prod(s))}))).reshape(*{s})"),
       param=lambda s: st.just(s), ok=lambda s: len(s) >= 1,
       kind="shape"),
    Op("sigmoid", 1, lambda B, a, p: B.sigmoid(a), lambda n, p: f"tg.sigmoid({n[0]})"),
    Op("log_pos", 1, lambda B, a, p: B.log(1.5 + a * a),
       lambda n, p: f"tg.log(1.5 + {n[0]} * {n[0]})"),
    Op("sqrt_pos", 1, lambda B, a, p: B.sqrt(1.5 + a * a),
       lambda n, p: f"tg.sqrt(1.5 + {n[0]} * {n[0]})"),
    Op("rpow", 1, lambda B, a, p: 2.0 ** B.tanh(a), lambda n, p: f"2.0 ** tg.tanh({n[0]})"),
    Op("sub_scalar", 1, lambda B, a, c: a - c, lambda n, c: f"{n[0]} - {c!r}",
       param=lambda s: SCALARS),
    Op("div_scalar", 1, lambda B, a, c: a / c, lambda n, c: f"{n[0]} / {c!r}",
       param=lambda s: SCALARS),
    Op("mean_all", 1, lambda B, a, p: B.mean(a, None, False), lambda n, p: f"{n[0]}.mean()",
       kind="collapse"),
    Op("softmax", 1, lambda B, a, d: B.softmax(a, d), lambda n, d: f"{n[0]}.softmax({d})",
       param=_dim, ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("log_softmax", 1, lambda B, a, d: B.log_softmax(a, d),
       lambda n, d: f"{n[0]}.log_softmax({d})", param=_dim, ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("logsumexp_keep", 1, lambda B, a, d: B.logsumexp(a, d, True),
       lambda n, d: f"{n[0]}.logsumexp({d}, keepdim=True)", param=_dim,
       ok=lambda s: len(s) >= 1,
       kind="reduce"),
    Op("var_keep", 1, lambda B, a, d: B.var(a, d, True),  # unbiased: only dims of size >= 2
       lambda n, d: f"{n[0]}.var({d}, keepdim=True)",
       param=lambda s: st.sampled_from([d for d in range(len(s)) if s[d] >= 2]),
       ok=lambda s: any(d >= 2 for d in s),
       kind="reduce"),
    Op("permute_mix", 1, _permute_mix,
       lambda n, s: (f"({n[0]}.permute(2, 0, 1) * tg.tensor(np.linspace(0.5, 1.5, "
                     f"{int(np.prod(s))}).reshape{(s[2], s[0], s[1])})).permute(1, 2, 0)"),
       param=lambda s: st.just(s), ok=lambda s: len(s) == 3,
       kind="shape"),
    Op("detach", 1, lambda B, a, p: B.detach(a), lambda n, p: f"{n[0]}.detach()",
       kind="stop", stop_grad=True),
    Op("no_grad_tanh", 1, _no_grad_tanh, lambda n, p: f"tg.no_grad()(tg.tanh)({n[0]})",
       kind="stop", stop_grad=True),
    Op("gather_last", 1, lambda B, a, idx: B.take_last(a, idx),  # repeated indices too
       lambda n, idx: f"{n[0]}[..., np.array({list(idx)})]",
       param=lambda s: st.lists(st.integers(0, s[-1] - 1), min_size=s[-1],
                                max_size=s[-1]).map(tuple),
       ok=lambda s: len(s) >= 1,
       kind="shape"),
]


# ---------------------------------------------------------------------------- the DAG

@dataclass
class Dag:
    inputs: list  # float64 ndarrays: the grad leaves, then maybe the constant
    n_leaves: int  # how many of `inputs` require grad
    nodes: list  # (op, input item indices, param)
    shapes: list  # of every item: inputs, then nodes
    requires: list  # requires_grad of every item
    loss: tuple  # item indices whose .sum() make up the loss (repeats allowed)

    @property
    def n_items(self):
        return len(self.shapes)

    def forward(self, B, inputs, override=None, frozen=None):
        """Every item's value on backend B; `override` {item: value} replaces an item's
        value (everything downstream is computed from the replacement); with `frozen` (the
        values of an unperturbed run) a stop-gradient node keeps its frozen value."""
        override = override or {}
        vals = list(inputs)
        for k, v in override.items():
            if k < len(vals):
                vals[k] = v
        for k, (op, ins, p) in enumerate(self.nodes, start=len(inputs)):
            if k in override:
                vals.append(override[k])
            elif op.stop_grad and frozen is not None:
                vals.append(frozen[k])
            else:
                vals.append(op.apply(B, *(vals[i] for i in ins), p))
        return vals

    def ancestors(self, roots):
        """Items the given items depend on through the graph (including themselves; a
        stop-gradient node is reached, but not what it was computed from)."""
        seen, stack = set(), list(roots)
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            if k >= len(self.inputs) and not self.nodes[k - len(self.inputs)][0].stop_grad:
                stack.extend(self.nodes[k - len(self.inputs)][1])
        return seen

    def name(self, k):
        return f"x{k}" if k < self.n_leaves else f"c{k}" if k < len(self.inputs) else f"n{k}"

    def program(self):
        lines = ["import numpy as np", "import tinygrad_edu as tg", ""]
        for k, a in enumerate(self.inputs):
            grad = ", requires_grad=True" if k < self.n_leaves else ""
            lines.append(f"{self.name(k)} = tg.tensor(np.array({a.tolist()!r}){grad})"
                         f"  # {a.shape}")
        for k, (op, ins, p) in enumerate(self.nodes, start=len(self.inputs)):
            lines.append(f"{self.name(k)} = {op.code([self.name(i) for i in ins], p)}"
                         f"  # {self.shapes[k]}")
        lines.append("loss = " + " + ".join(f"{self.name(k)}.sum()" for k in self.loss))
        return "\n".join(lines)

    # -- tinygrad_edu side

    def build_tg(self):
        ins = [tg.tensor(a.copy(), requires_grad=k < self.n_leaves)
               for k, a in enumerate(self.inputs)]
        return ins, self.forward(TG, ins)

    def tg_loss(self, vals, loss=None):
        terms = [vals[k].sum() for k in (self.loss if loss is None else loss)]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    def build_tg_letting_go(self):
        """`build_tg`, dropping each intermediate after its last use, as a program does with
        its temporaries: the graph is then all that holds them (the loss's items are kept)."""
        ins = [tg.tensor(a.copy(), requires_grad=k < self.n_leaves)
               for k, a in enumerate(self.inputs)]
        last = {i: k for k, (_, used, _) in enumerate(self.nodes, start=len(ins)) for i in used}
        vals = list(ins)
        for k, (op, used, p) in enumerate(self.nodes, start=len(ins)):
            vals.append(op.apply(TG, *(vals[i] for i in used), p))
            for i in used:
                if i >= len(ins) and last[i] == k and i not in self.loss:
                    vals[i] = None
        return ins, vals

    # -- the reference

    def ref_grad(self, k, loss=None, weights=None):
        """d(Σ_j Σ weights_j · value_j)/d(value of item k), on the numpy reference, by central
        differences in extended precision (or complex step where there is none)."""
        loss = self.loss if loss is None else loss
        weights = weights or [None] * len(loss)
        base = self.forward(REF, [REF.const(a) for a in self.inputs])
        v0 = REF.const(base[k])

        def f(v):
            vals = self.forward(REF, [REF.const(a) for a in self.inputs], {k: v}, base)
            return sum(np.sum(vals[j] if w is None else vals[j] * w)
                       for j, w in zip(loss, weights, strict=True))

        def central(idx, h):
            vp, vm = v0.copy(), v0.copy()
            vp[idx] += h
            vm[idx] -= h
            return (f(vp) - f(vm)) / (vp[idx] - vm[idx])

        g = np.zeros(v0.shape, dtype=np.float64)
        for idx in np.ndindex(*v0.shape):
            if EXTENDED:  # Richardson: the h² error term of the two differences cancels (a
                # steep sin(x¹⁰) has f‴·h²/6 above the tolerance at h = 1e-6)
                g[idx] = (4 * central(idx, EPS / 2) - central(idx, EPS)) / 3
            else:  # complex step: Im f(v + ih e_i) / h
                vp = v0.copy()
                vp[idx] += 1e-30j
                g[idx] = np.imag(f(vp)) / 1e-30
        return g


@st.composite
def dags(draw, max_nodes=12):
    ndim = (0, 1, 2, 3, 1, 2, 3, 2)[draw(st.integers(0, 7))]  # 0-d graphs 1/8 of the time
    full = tuple(draw(st.integers(1, 3)) for _ in range(ndim))

    def sub_shape():  # a shape that broadcasts to `full`
        k = draw(st.integers(0, len(full)))
        return tuple(d if draw(st.booleans()) else 1 for d in full[len(full) - k:])

    # the structure first, the values last: drawing arrays first skews hypothesis's later
    # choices towards their simplest values (most graphs would have one node)
    n_leaves = draw(st.integers(1, 3))
    shapes = [full] + [sub_shape() for _ in range(n_leaves - 1)]
    if draw(st.booleans()):  # a constant without grad
        shapes.append(sub_shape())
    requires = [k < n_leaves for k in range(len(shapes))]
    n_inputs = len(shapes)
    nodes = []
    for _ in range(draw(st.integers(1, max_nodes))):
        arity = draw(st.sampled_from([2, 1]))
        # any earlier item, or one of the last three (for long paths as well as reuse)
        n = len(shapes)
        pick = st.integers(0, n - 1) | st.integers(max(0, n - 3), n - 1)
        ins = tuple(draw(pick) for _ in range(arity))
        in_shapes = [shapes[i] for i in ins]
        usable = [o for o in OPS if o.arity == arity and o.ok(*in_shapes)]
        kind = draw(st.sampled_from([k for k in KINDS if any(o.kind == k for o in usable)]))
        op = draw(st.sampled_from([o for o in usable if o.kind == kind]))
        p = draw(op.param(*in_shapes)) if op.param else None
        out = op.apply(NP64, *(np.zeros(s) for s in in_shapes), p)
        nodes.append((op, ins, p))
        shapes.append(np.shape(out))
        requires.append(not op.stop_grad and any(requires[i] for i in ins))
    # the loss: the last node that requires grad (or a leaf) and up to two more random ones
    candidates = ([k for k in range(n_inputs, len(shapes)) if requires[k]]
                  or list(range(n_leaves)))
    loss = (candidates[-1],) + tuple(draw(st.lists(st.sampled_from(candidates), max_size=2)))
    elements = st.floats(-2, 2, allow_nan=False, allow_infinity=False)
    inputs = [draw(hnp.arrays(np.float64, shapes[k], elements=elements))
              for k in range(n_inputs)]
    dag = Dag(inputs, n_leaves, nodes, shapes, requires, loss)
    vals = dag.forward(NP64, inputs)
    assume(all(np.all(np.isfinite(v)) and np.max(np.abs(v), initial=0) <= VALUE_BOUND
               for v in vals))
    return dag


def _grad_targets(data, dag, loss=None):
    """Some items (leaves and intermediates) that require grad and reach the loss; repeats
    allowed, as in torch.autograd.grad."""
    reach = dag.ancestors(dag.loss if loss is None else loss)
    cands = sorted(k for k in reach if dag.requires[k])
    return data.draw(st.lists(st.sampled_from(cands), min_size=1, max_size=4), label="targets")


def _check_grad(g, expected, shape, what):
    assert g is not None, f"{what}: gradient is None"
    assert isinstance(g, tg.Tensor), f"{what}: {type(g)}"
    assert g.shape == shape, f"{what}: gradient shape {g.shape}, expected {shape}"
    assert g.dtype == np.float64, f"{what}: gradient dtype {g.dtype}"
    np.testing.assert_allclose(g.numpy(), expected, rtol=RTOL, atol=ATOL, err_msg=what)


def _check_leaf_grads(dag, ins, expected_of, factor=1.0, loss=None):
    reach = dag.ancestors(dag.loss if loss is None else loss)
    for k, x in enumerate(ins):
        if not dag.requires[k]:
            assert x.grad is None, f"constant {dag.name(k)} got a .grad"
        elif k not in reach:
            assert x.grad is None, f"{dag.name(k)} is not used by the loss but got a .grad"
        else:
            _check_grad(x.grad, factor * expected_of(k), dag.shapes[k], f"{dag.name(k)}.grad")


# ---------------------------------------------------------------------------- the tests

@MORE
@given(dags())
def test_leaf_grads_match_finite_differences(dag):
    note(dag.program())
    ins, vals = dag.build_tg()
    ref = dag.forward(REF, [REF.const(a) for a in dag.inputs])
    for k, v in enumerate(vals):  # the forward pass and the requires_grad bookkeeping
        assert v.shape == dag.shapes[k], dag.name(k)
        assert v.requires_grad == dag.requires[k], dag.name(k)
        leaf = k < len(dag.inputs) or not dag.requires[k]
        assert (v.grad_fn is None) == leaf, dag.name(k)
        assert v.is_leaf == leaf, dag.name(k)
        np.testing.assert_allclose(v.numpy(), np.real(ref[k]).astype(np.float64),
                                   rtol=1e-10, atol=1e-10, err_msg=dag.name(k))
    with tg.no_grad():
        plain = dag.forward(TG, ins)
    for k in range(len(dag.inputs), dag.n_items):
        assert not plain[k].requires_grad, dag.name(k)
        np.testing.assert_array_equal(plain[k].numpy(), vals[k].numpy(), err_msg=dag.name(k))
    dag.tg_loss(vals).backward()
    _check_leaf_grads(dag, ins, dag.ref_grad)
    for k in range(len(dag.inputs), dag.n_items):  # as in PyTorch: only leaves keep a .grad
        # _grad: reading .grad of a non-leaf warns, as in PyTorch (tested in test_autograd)
        assert vals[k]._grad is None, f"non-leaf {dag.name(k)} got a .grad"


@MORE
@given(dags(), st.data())
def test_autograd_grad_of_intermediates_matches_finite_differences(dag, data):
    note(dag.program())
    targets = _grad_targets(data, dag)
    ins, vals = dag.build_tg()
    loss = dag.tg_loss(vals)
    grads = tg.autograd.grad(loss, [vals[k] for k in targets], retain_graph=True)
    assert isinstance(grads, tuple) and len(grads) == len(targets)
    expected = {k: dag.ref_grad(k) for k in set(targets)}
    for k, g in zip(targets, grads, strict=True):
        _check_grad(g, expected[k], dag.shapes[k], f"grad(loss, {dag.name(k)})")
        assert not g.requires_grad, f"grad w.r.t. {dag.name(k)} requires grad"
    for k, x in enumerate(ins):
        assert x.grad is None, f"autograd.grad wrote {dag.name(k)}.grad"
    # the graph was retained: backward still works, and does not alter the returned grads
    snapshot = [g.numpy().copy() for g in grads]
    loss.backward()
    _check_leaf_grads(dag, ins, dag.ref_grad)
    for k, g, s in zip(targets, grads, snapshot, strict=True):
        np.testing.assert_array_equal(g.numpy(), s, err_msg=f"grad w.r.t. {dag.name(k)} "
                                                            "changed after backward()")


@MORE
@given(dags(), st.data())
def test_autograd_grad_leaves_existing_grads_untouched(dag, data):
    note(dag.program())
    targets = _grad_targets(data, dag)
    ins, vals = dag.build_tg()
    loss = dag.tg_loss(vals)
    loss.backward(retain_graph=True)
    before = {k: x.grad.numpy().copy() for k, x in enumerate(ins) if x.grad is not None}
    grads = tg.autograd.grad(loss, [vals[k] for k in targets])
    for k, x in enumerate(ins):
        if k in before:
            np.testing.assert_array_equal(x.grad.numpy(), before[k], err_msg=dag.name(k))
        else:
            assert x.grad is None, dag.name(k)
    for k, g in zip(targets, grads, strict=True):
        _check_grad(g, dag.ref_grad(k), dag.shapes[k], f"grad(loss, {dag.name(k)})")


@MORE
@given(dags())
def test_unused_inputs_need_allow_unused(dag):
    note(dag.program())
    reach = dag.ancestors(dag.loss)
    unused = [k for k in range(dag.n_items) if dag.requires[k] and k not in reach]
    assume(unused)
    used = [k for k in sorted(reach) if dag.requires[k]][:1]
    ins, vals = dag.build_tg()
    loss = dag.tg_loss(vals)
    grads = tg.autograd.grad(loss, [vals[k] for k in unused + used], allow_unused=True,
                             retain_graph=True)
    assert all(g is None for g in grads[:len(unused)]), grads
    _check_grad(grads[-1], dag.ref_grad(used[0]), dag.shapes[used[0]], dag.name(used[0]))
    with pytest.raises(RuntimeError):
        tg.autograd.grad(loss, [vals[k] for k in unused])


@MORE
@given(dags())
def test_backward_twice_with_retain_graph_accumulates(dag):
    note(dag.program())
    ins, vals = dag.build_tg()
    loss = dag.tg_loss(vals)
    loss.backward(retain_graph=True)
    first = {k: x.grad.numpy().copy() for k, x in enumerate(ins) if x.grad is not None}
    loss.backward()
    for k, g in first.items():
        np.testing.assert_allclose(ins[k].grad.numpy(), 2 * g, rtol=1e-14, atol=0,
                                   err_msg=f"{dag.name(k)}: second backward did not add")
    _check_leaf_grads(dag, ins, dag.ref_grad, factor=2.0)


@MORE
@given(dags(), st.data())
def test_two_losses_on_one_graph_accumulate(dag, data):
    note(dag.program())
    cands = [k for k in range(dag.n_items) if dag.requires[k]]
    other = tuple(data.draw(st.lists(st.sampled_from(cands), min_size=1, max_size=3),
                            label="second loss"))
    targets = _grad_targets(data, dag, dag.loss + other)
    ins, vals = dag.build_tg()
    loss_a, loss_b = dag.tg_loss(vals), dag.tg_loss(vals, other)
    # autograd.grad of a sequence of outputs: the gradient of their sum
    grads = tg.autograd.grad([loss_a, loss_b], [vals[k] for k in targets], retain_graph=True)
    for k, g in zip(targets, grads, strict=True):
        _check_grad(g, dag.ref_grad(k) + dag.ref_grad(k, loss=other), dag.shapes[k],
                    f"grad([loss_a, loss_b], {dag.name(k)})")
    loss_a.backward(retain_graph=True)
    loss_b.backward()
    _check_grads_of_both_losses(dag, ins, other)


def _check_grads_of_both_losses(dag, ins, other):
    """Each leaf's .grad is the sum of its gradients from the DAG's loss and from `other`
    (None where neither reaches it or it takes no gradient)."""
    reach = dag.ancestors(dag.loss + other)
    for k, x in enumerate(ins):
        if not dag.requires[k] or k not in reach:
            assert x.grad is None, dag.name(k)
        else:
            _check_grad(x.grad, dag.ref_grad(k) + dag.ref_grad(k, loss=other), dag.shapes[k],
                        f"{dag.name(k)}.grad")


@MORE
@given(dags(), st.data())
def test_second_backward_through_a_freed_graph_raises_or_is_exact(dag, data):
    """Without retain_graph, a second loss sharing intermediates with the first either raises
    RuntimeError, leaving every .grad as it was (API: errors leave nothing half-updated),
    or - as in PyTorch, which only needs the freed saved values - gives exact gradients.
    If the two losses share no intermediate, nothing was freed and it must succeed."""
    note(dag.program())
    cands = [k for k in range(dag.n_items) if dag.requires[k]]
    other = tuple(data.draw(st.lists(st.sampled_from(cands), min_size=1, max_size=3),
                            label="second loss"))
    ins, vals = dag.build_tg()
    dag.tg_loss(vals).backward()
    before = [None if x.grad is None else x.grad.numpy().copy() for x in ins]
    inner = range(len(dag.inputs), dag.n_items)
    shared = {k for k in inner if k in dag.ancestors(dag.loss) and k in dag.ancestors(other)}
    note(f"second loss: {other}, shared intermediates: {sorted(shared)}")
    try:
        dag.tg_loss(vals, other).backward()
    except RuntimeError:
        event("second backward raised")
        assert shared, "raised although the second loss shares no intermediate with the first"
        for k, (x, b) in enumerate(zip(ins, before, strict=True)):
            if b is None:
                assert x.grad is None, f"{dag.name(k)}.grad was created by a failed backward"
            else:
                np.testing.assert_array_equal(x.grad.numpy(), b, err_msg=f"{dag.name(k)}.grad "
                                              "changed by a backward() that raised")
        return
    event("second backward succeeded" + (" (shared intermediates)" if shared else ""))
    _check_grads_of_both_losses(dag, ins, other)


@MORE
@given(dags(), st.data())
def test_backward_with_explicit_gradient_from_a_non_scalar_node(dag, data):
    note(dag.program())
    cands = [k for k in range(dag.n_items) if dag.requires[k]]
    h = data.draw(st.sampled_from(cands), label="h")
    v = data.draw(hnp.arrays(np.float64, dag.shapes[h], elements=st.floats(-2, 2)), label="v")
    targets = _grad_targets(data, dag, (h,))
    ins, vals = dag.build_tg()
    grads = tg.autograd.grad(vals[h], [vals[k] for k in targets],
                             grad_outputs=tg.tensor(v.copy()), retain_graph=True)
    for k, g in zip(targets, grads, strict=True):
        _check_grad(g, dag.ref_grad(k, loss=(h,), weights=[v]), dag.shapes[k],
                    f"grad({dag.name(h)}, {dag.name(k)}, grad_outputs=v)")
    vals[h].backward(gradient=tg.tensor(v.copy()))
    reach = dag.ancestors([h])
    for k, x in enumerate(ins):
        if not dag.requires[k] or k not in reach:
            assert x.grad is None, dag.name(k)
        else:
            _check_grad(x.grad, dag.ref_grad(k, loss=(h,), weights=[v]), dag.shapes[k],
                        f"{dag.name(k)}.grad")


@MORE
@given(dags(), st.data())
def test_values_the_graph_lets_go_of_change_no_gradient(dag, data):
    """With every value large enough to be let go of (`recording.LET_GO_FROM` 0), a graph that alone
    holds its intermediates frees those no rule reads while it is built
    (`recording.let_go_unread`); first and second derivatives are those of the same graph
    with every intermediate held, bit for bit."""
    note(dag.program())
    reach = dag.ancestors(dag.loss)
    leaves = [k for k in range(dag.n_leaves) if k in reach]
    ws = [data.draw(hnp.arrays(np.float64, dag.shapes[k], elements=st.floats(-2, 2)),
                    label=f"w{k}") for k in leaves]

    def derivatives(build):
        ins, vals = build()
        for k, v in enumerate(vals):
            assert v is None or type(v._data) is not FreedValue, \
                f"{dag.name(k)}'s value was let go of while the program held it"
        freed = sum(type(a._data) is FreedValue for v in vals if v is not None
                    and v.grad_fn is not None for a in v.grad_fn.inputs
                    if isinstance(a, tg.Tensor))
        g = tg.autograd.grad(dag.tg_loss(vals), [ins[k] for k in leaves], create_graph=True)
        dot = sum((a * tg.tensor(w)).sum() for a, w in zip(g, ws, strict=True))
        hv = tg.autograd.grad(dot, [ins[k] for k in leaves], allow_unused=True) \
            if isinstance(dot, tg.Tensor) and dot.requires_grad else [None] * len(leaves)
        return freed, [a.numpy() for a in g], [None if a is None else a.numpy() for a in hv]

    with mock.patch.object(recording, "LET_GO_FROM", 0):
        freed, g, hv = derivatives(dag.build_tg_letting_go)
        _, g_held, hv_held = derivatives(dag.build_tg)
    event(f"values let go of while building: {'some' if freed else 'none'}")
    for k, a, b in zip(leaves * 2, g + hv, g_held + hv_held, strict=True):
        if b is None:
            assert a is None, f"second derivative w.r.t. {dag.name(k)}"
        else:
            np.testing.assert_array_equal(a, b, err_msg=f"derivative w.r.t. {dag.name(k)}")


@MORE
@given(dags())
def test_spare_arrays_change_no_gradient(dag):
    """With every value let go of and kept as a spare whatever its size (`spares.KEPT_FROM`,
    `engine.FREED_FROM`, `recording.LET_GO_FROM` 0), each backward pass leaves spares that
    the next pass's results are written into: three passes in a row give the gradients of a
    pass that keeps none, bit for bit."""
    note(dag.program())
    leaves = [k for k in range(dag.n_leaves) if k in dag.ancestors(dag.loss)]

    def gradients():
        ins, vals = dag.build_tg_letting_go()
        dag.tg_loss(vals).backward()
        return [ins[k].grad.numpy().copy() for k in leaves]

    with contextlib.ExitStack() as stack:
        for module, name in [(spares, "KEPT_FROM"), (engine, "FREED_FROM"),
                             (recording, "LET_GO_FROM")]:
            stack.enter_context(mock.patch.object(module, name, 0))
        spares.clear()
        with mock.patch.object(spares, "LIMIT", 0):
            expected = gradients()
        runs = [gradients() for _ in range(3)]
        event(f"spares after a pass: {'some' if spares.held else 'none'}")
        spares.clear()
    for got in runs:
        for k, a, b in zip(leaves, got, expected, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"gradient w.r.t. {dag.name(k)}")


@MORE
@given(dags(), st.data())
def test_matches_torch_on_the_same_graph(dag, data):
    torch = pytest.importorskip("torch")
    note(dag.program())
    targets = _grad_targets(data, dag)
    ins, vals = dag.build_tg()
    tins = [torch.tensor(a.copy(), requires_grad=k < dag.n_leaves)
            for k, a in enumerate(dag.inputs)]
    tvals = dag.forward(TensorBackend(torch), tins)
    loss, tloss = dag.tg_loss(vals), dag.tg_loss(tvals)
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12, atol=1e-12)
    grads = tg.autograd.grad(loss, [vals[k] for k in targets], retain_graph=True)
    tgrads = torch.autograd.grad(tloss, [tvals[k] for k in targets], retain_graph=True)
    for k, g, tgrad in zip(targets, grads, tgrads, strict=True):
        np.testing.assert_allclose(g.numpy(), tgrad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"grad w.r.t. {dag.name(k)}")
    loss.backward()
    tloss.backward()
    for k, (x, tx) in enumerate(zip(ins, tins, strict=True)):
        assert (x.grad is None) == (tx.grad is None), dag.name(k)
        if x.grad is not None:
            np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=f"{dag.name(k)}.grad")


@MORE
@given(dags(), st.data())
def test_double_backward_matches_torch_on_the_same_graph(dag, data):
    """Hessian-vector products through create_graph=True, against torch's."""
    torch = pytest.importorskip("torch")
    note(dag.program())
    reach = dag.ancestors(dag.loss)
    leaves = [k for k in range(dag.n_leaves) if k in reach]
    ws = [data.draw(hnp.arrays(np.float64, dag.shapes[k], elements=st.floats(-2, 2)),
                    label=f"w{k}") for k in leaves]
    ins, vals = dag.build_tg()
    tins = [torch.tensor(a.copy(), requires_grad=k < dag.n_leaves)
            for k, a in enumerate(dag.inputs)]
    tvals = dag.forward(TensorBackend(torch), tins)
    loss, tloss = dag.tg_loss(vals), dag.tg_loss(tvals)
    g = tg.autograd.grad(loss, [ins[k] for k in leaves], create_graph=True)
    tgr = torch.autograd.grad(tloss, [tins[k] for k in leaves], create_graph=True)
    for k, a, b in zip(leaves, g, tgr, strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"first-order grad w.r.t. {dag.name(k)}")
    tdot = sum((b * torch.tensor(w)).sum() for b, w in zip(tgr, ws, strict=True))
    assume(tdot.requires_grad)  # torch: the gradient depends on the leaves at all
    dot = (g[0] * tg.tensor(ws[0])).sum()
    for a, w in zip(g[1:], ws[1:], strict=True):
        dot = dot + (a * tg.tensor(w)).sum()
    assert dot.requires_grad, "create_graph=True gave gradients without a graph"
    hv = tg.autograd.grad(dot, [ins[k] for k in leaves], allow_unused=True)
    thv = torch.autograd.grad(tdot, [tins[k] for k in leaves], allow_unused=True)
    for k, a, b in zip(leaves, hv, thv, strict=True):
        a = np.zeros(dag.shapes[k]) if a is None else a.numpy()
        b = np.zeros(dag.shapes[k]) if b is None else b.numpy()
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11,
                                   err_msg=f"Hessian-vector product w.r.t. {dag.name(k)}")
