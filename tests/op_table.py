"""The op table: one row per operation, every test dimension a column.

A row holds our call, the numpy reference, the input domain (as a strategy drawing the inputs,
and for shape ops, indexing, cat / stack, the softmax family and the losses the arguments too)
and, where they apply, the closed-form first and second derivatives, the extreme inputs the
op must survive, and whether it is a Tensor method and tg function of the same name or a
floating function. Each test takes the rows that have the column it needs, so a new op is a
new row: test_ops.py (forward == numpy, gradcheck), test_higher_order.py (f″, gradgradcheck),
test_extremes.py (±1e3, ±1e30), test_elementwise.py (both call forms, operators with
broadcasting and Python numbers, comparisons, hostile operands), test_reductions.py (dims,
hostile dims) and the dtype of floating functions of ints in test_ops.py all read it."""

import operator
from collections.abc import Callable
from dataclasses import dataclass

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from strategies import (
    ANY,
    AWAY_FROM_ZERO,
    GRID,
    GRID_NONZERO,
    POSITIVE,
    broadcast_pair,
    floats,
    matmul_pair,
    tensor,
)

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, ops


@dataclass(frozen=True)
class Op:
    """One operation. `fn` is our call on Tensors, `ref` numpy's on ndarrays, `inputs` draws
    a tuple of Tensors inside the domain. The rest is None (or empty) where it does not apply:

    smooth    twice differentiable on its domain: gradgradcheck it too
    domain    the element strategy of a unary row's input
    d1, d2    closed-form f′ and f″ on float64 ndarrays, stable at extreme inputs
    extremes  the extreme inputs it must survive: "real" (±1e3, ±1e30), "finite exp" (the
              negative ones only) or "positive" (1e±3, 1e±30)
    also      other spellings of the same function, (label, call): F.tanh, nn.Tanh(), ...
    method    `x.<name>()` and `tg.<name>(x)` both exist
    floating  a float function: of an int or bool tensor it gives the default float dtype
    reduction `fn(x, dim, keepdim=...)` reduces over dim: `ref(a, axis, keepdims)` is numpy's
              and `d1(a, axes)` is ∂f/∂aᵢ, shaped as with keepdims (PyTorch's ddof = 1)
    correction  a reduction that also takes `correction=` (var, std)
    inplace   the in-place forms, (label, call on (a, b), the out-of-place value it must equal)
    operator  the Python operator that spells it (+, @, <): fed reflected and hostile operands
    scalar    a tensor with a Python number: keeps the tensor's dtype
    differentiable  False for comparisons: a bool tensor outside the graph
    hostile   fed hostile input: the names an error may give
    hostile_ref  the reference for hostile input where `ref` refuses what the op accepts
    vjp       along one dim: gᵀ ∂f/∂x as `vjp(a, g, dim)`, stable at the extreme rows
              test_extremes.py feeds it (the softmax family)
    loss      `fn(input, target, reduction)`: `ref(a, t, "none")` is each point's loss and
              `d1(a, t)` its derivative, both stable at extreme inputs (test_extremes.py)
    args      a call with non-tensor arguments (shape, dims, index): `args(*inputs)` is the
              strategy of a tuple of them, passed to `fn` and `ref` after the arrays
    numpy     the numpy functions that record it on a Tensor: (label, numpy call, arguments:
              the fixed arrays V, M, N where tensors go)
    """

    name: str
    fn: Callable
    ref: Callable
    inputs: st.SearchStrategy
    smooth: bool = True
    domain: st.SearchStrategy | None = None
    d1: Callable | None = None
    d2: Callable | None = None
    extremes: str | None = None
    also: tuple = ()
    method: bool = False
    floating: bool = False
    reduction: bool = False
    correction: bool = False
    inplace: tuple = ()
    operator: Callable | None = None
    scalar: bool = False
    differentiable: bool = True
    hostile: tuple = ()
    hostile_ref: Callable | None = None
    args: Callable | None = None
    numpy: tuple = ()
    vjp: Callable | None = None
    loss: bool = False

    def __repr__(self):
        return self.name


def draw_call(op, data):
    """A row's inputs and its call on Tensors and on arrays, its arguments drawn too."""
    xs = data.draw(op.inputs)
    args = data.draw(op.args(*xs)) if op.args else ()
    return xs, lambda *ts: op.fn(*ts, *args), lambda *arrays: op.ref(*arrays, *args)


# the arrays the numpy column feeds numpy's functions (V away from 0: norm is smooth there)
_RNG = np.random.default_rng(7)
V = _RNG.standard_normal(4) + 2.0
M = _RNG.standard_normal((3, 4))
N = _RNG.standard_normal((4, 2))


@st.composite
def _linear_inputs(draw):
    """x of shape (*points, in), W (out, in), b (out,): zero to two point axes."""
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    points = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return (draw(tensor(points + (n_in,))), draw(tensor((n_out, n_in))),
            draw(tensor((n_out,))))


def unary(name, fn, ref, domain=ANY, smooth=True, **columns):
    return Op(name, fn, ref, tensor(elements=domain).map(lambda t: (t,)), smooth, domain,
              **columns)


def binary(name, fn, ref, left=ANY, right=ANY, smooth=True, **columns):
    return Op(name, fn, ref, broadcast_pair(left, right), smooth, **columns)


def _condition(shape):
    """A fixed bool pattern of `shape` (depends on the shape only, not on the values)."""
    return np.sin(np.arange(int(np.prod(shape))) * 1.7).reshape(shape) > 0


def _where(a, b):
    return tg.where(tg.tensor(_condition(np.broadcast_shapes(a.shape, b.shape))), a, b)


def _np_where(a, b):
    return np.where(_condition(np.broadcast_shapes(a.shape, b.shape)), a, b)


def sigmoid(x):
    """θ(x) = e^(−ln(1 + e^(−x))): never overflows."""
    return np.exp(-np.logaddexp(0, -x))


def sech2(x):
    """tanh′(x) = sech²x = 4e^(−2|x|) / (1 + e^(−2|x|))²: never overflows."""
    a = np.exp(-2 * np.abs(x))
    return 4 * a / (1 + a) ** 2


def logsumexp(a, axis=None, keepdims=False):
    """ln Σ eˣ = m + ln Σ e^(x − m), m the maximum: never overflows."""
    m = np.max(a, axis=axis, keepdims=True)
    r = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    return r if keepdims else np.squeeze(r, axis=axis)


def log_softmax(a, axis):
    """(x − m) − ln Σ e^(x − m): subtracting after the shift keeps the precision."""
    m = np.max(a, axis, keepdims=True)
    return (a - m) - np.log(np.sum(np.exp(a - m), axis, keepdims=True))


def softmax(a, axis):
    return np.exp(log_softmax(a, axis))


def _count(a, axes):
    return int(np.prod([a.shape[i] for i in axes]))


def _deviation(a, axes):
    return a - np.mean(a, axis=axes, keepdims=True)


def _extreme(reduce):
    """∂ max/∂aᵢ = [aᵢ = max] (no ties: the tests draw distinct values)."""
    return lambda a, axes: (a == reduce(a, axis=axes, keepdims=True)) * 1.0


def reduction(name, ref, d1, elements=ANY, ties=False, nonempty=True, **columns):
    """A reduction row: `x.<name>(dim, keepdim=...)`; values on the grid and distinct when
    ties would matter (max, min), at least one element unless the empty reduction is defined."""
    inputs = tensor(min_side=1 if nonempty else 0, elements=GRID if ties else elements,
                    unique=ties).map(lambda t: (t,))
    return Op(name, lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs), ref, inputs,
              d1=d1, reduction=True, **columns)


def naive_logsumexp(a, axis=None, keepdims=False):
    """ln Σ eˣ by the textbook formula in float64: what hostile input (inf, ints, bools) must
    give, where the shift by the maximum would turn ±inf into NaN."""
    return np.log(np.sum(np.exp(a.astype(np.float64)), axis, keepdims=keepdims))


def comparison(name, fn, ref, hostile):
    """A comparison row: a bool tensor, outside the graph (`fn` is also its operator)."""
    return binary(name, fn, ref, smooth=False, operator=fn, differentiable=False,
                  hostile=hostile)


NONSCALAR = tensor(min_side=1).filter(lambda t: t.ndim >= 1)


def movement(name, fn, ref, args, inputs=None, **columns):
    """A shape or indexing row: `fn(x, *args)`, linear, its arguments drawn from x."""
    inputs = tensor().map(lambda t: (t,)) if inputs is None else inputs
    return Op(name, fn, ref, inputs, args=args, **columns)


def _dims(x, new_axis=0):
    return st.integers(-x.ndim - new_axis, x.ndim - 1 + new_axis)


def _flattened(a, start):
    """a with the dims from `start` on merged into one (a 0-d a becomes (1,))."""
    return a.reshape(a.shape[:start] + (int(np.prod(a.shape[start:])),))


def _one_dim(x):
    return _dims(x).map(lambda d: (d,))


@st.composite
def _index(draw, x):
    """One index: an int, a slice, a list or array of ints, a bool mask, None and ..."""
    n = x.shape[0]
    return (draw(st.one_of(
        st.integers(-n, n - 1), st.integers(0, n).map(lambda s: slice(s, None)),
        st.lists(st.integers(-n, n - 1), min_size=1, max_size=6),
        st.lists(st.integers(-n, n - 1), min_size=1, max_size=6).map(np.array),
        st.lists(st.booleans(), min_size=n, max_size=n).map(np.array),
        st.just((None, ..., 0)), st.just((slice(None, None, -1),)))),)


@st.composite
def _expanded_shape(draw, x):
    """A shape x broadcasts to: leading dims added, size-1 dims grown."""
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    return (tuple(lead + [draw(st.integers(1, 3)) if n == 1 else n for n in x.shape]),)


@st.composite
def _cat_pair(draw):
    """Two tensors with the same shape but along one dim, where the second has 0 to 3."""
    base = draw(NONSCALAR)
    dim = draw(st.integers(0, base.ndim - 1))
    shape = list(base.shape)
    shape[dim] = draw(st.integers(0, 3))
    return base, draw(tensor(tuple(shape)))


def _cat_dims(a, b):
    """The dims (both signs) along which a and b may be joined."""
    dims = [d for d in range(a.ndim)
            if a.shape[:d] + a.shape[d + 1:] == b.shape[:d] + b.shape[d + 1:]]
    return st.sampled_from(dims + [d - a.ndim for d in dims]).map(lambda d: (d,))


_TWINS = tensor().flatmap(lambda a: tensor(a.shape).map(lambda b: (a, b)))


REDUCE = {"none": lambda v: v, "sum": np.sum, "mean": np.mean}


def loss(name, point, d1, inputs, target):
    """A loss row: `F.<name>(z, t, reduction=r)`; `point(a, t)` is each point's loss and `d1`
    its derivative; `target(z)` draws a target that fits z, the reduction is drawn too."""
    call = getattr(F, name)
    return Op(name, lambda z, t, r: call(z, t, reduction=r),
              lambda a, t, r: REDUCE[r](point(a, t)), inputs.map(lambda z: (z,)), d1=d1,
              loss=True, args=lambda z: st.tuples(target(z), st.sampled_from(list(REDUCE))))


def _targets(elements):
    """Targets of z's shape with these elements."""
    return lambda z: hnp.arrays(np.float64, z.shape, elements=elements)


def _classes(z):
    """A class index in [0, C) for each row of (N, C) logits."""
    return hnp.arrays(np.int64, z.shape[:1], elements=st.integers(0, z.shape[1] - 1))


def softplus_thresholded(x):
    """PyTorch's F.softplus: ln(1 + eˣ), and x itself above threshold = 20."""
    return np.where(x > 20, x, np.logaddexp(0, x))


OPS = [
    unary("neg", lambda x: -x, np.negative, d1=lambda a: -np.ones_like(a), scalar=True),
    unary("exp", tg.exp, np.exp, d1=np.exp, d2=np.exp, extremes="finite exp", method=True,
          floating=True,
          numpy=(("exp", lambda x: np.exp(x), [M]),)),
    unary("log", tg.log, np.log, POSITIVE, d1=lambda a: 1 / a, d2=lambda a: -1 / a**2,
          extremes="positive", method=True, floating=True),
    unary("sqrt", tg.sqrt, np.sqrt, POSITIVE, d1=lambda a: 0.5 / np.sqrt(a),
          extremes="positive", method=True, floating=True),
    unary("abs", tg.abs, np.abs, GRID_NONZERO, d1=np.sign, method=True,
          numpy=(("abs", lambda x: np.abs(x), [V]), ("absolute", lambda x: np.absolute(x), [V]))),
    unary("tanh", tg.tanh, np.tanh, d1=sech2, d2=lambda a: -2 * np.tanh(a) * sech2(a),
          extremes="real", also=(("F.tanh", F.tanh), ("nn.Tanh", nn.Tanh())), method=True,
          floating=True),
    unary("sigmoid", tg.sigmoid, sigmoid, d1=lambda a: sigmoid(a) * sigmoid(-a),
          d2=lambda a: sigmoid(a) * (1 - sigmoid(a)) * (1 - 2 * sigmoid(a)), extremes="real",
          also=(("F.sigmoid", F.sigmoid), ("nn.Sigmoid", nn.Sigmoid())), method=True,
          floating=True),
    unary("relu", tg.relu, lambda a: np.maximum(a, 0), GRID_NONZERO,
          d1=lambda a: (a > 0) * 1.0, extremes="real",
          also=(("F.relu", F.relu), ("nn.ReLU", nn.ReLU())), method=True),
    unary("softplus", lambda x: x.softplus(), lambda a: np.logaddexp(0, a), d1=sigmoid,
          extremes="real", floating=True),
    unary("F.softplus", F.softplus, softplus_thresholded,
          d1=lambda a: np.where(a > 20, 1.0, sigmoid(a)), extremes="real"),
    unary("sin", tg.sin, np.sin, d1=np.cos, method=True, floating=True),
    unary("cos", tg.cos, np.cos, d1=lambda a: -np.sin(a), method=True, floating=True),
    unary("clamp", lambda x: x.clamp(-1.1, 1.3), lambda a: np.clip(a, -1.1, 1.3), GRID,
          numpy=(("clip", lambda x: np.clip(x, -0.5, 0.5), [M]),)),
    unary("clamp_min", lambda x: x.clamp(min=0.1), lambda a: np.maximum(a, 0.1), GRID),
    unary("clamp_max", lambda x: x.clamp(max=0.1), lambda a: np.minimum(a, 0.1), GRID),
    unary("square", lambda x: x**2, np.square, d1=lambda a: 2 * a, scalar=True,
          numpy=(("square", lambda x: np.square(x), [M]),)),
    unary("cube", lambda x: x**3, lambda a: a**3, d1=lambda a: 3 * a**2, scalar=True),
    unary("pow_half", lambda x: x**0.5, np.sqrt, POSITIVE, d1=lambda a: 0.5 * a**-0.5,
          scalar=True),
    unary("reciprocal", lambda x: x**-1, np.reciprocal, AWAY_FROM_ZERO,
          d1=lambda a: -(a**-2), scalar=True),
    unary("rpow", lambda x: 2**x, lambda a: 2.0**a, d1=lambda a: 2.0**a * np.log(2.0),
          scalar=True),
    unary("add_scalar", lambda x: x + 2.0, lambda a: a + 2, d1=np.ones_like, scalar=True),
    unary("radd", lambda x: 1.5 + x, lambda a: 1.5 + a, d1=np.ones_like, scalar=True),
    unary("sub_scalar", lambda x: x - 2.0, lambda a: a - 2, d1=np.ones_like, scalar=True),
    unary("rsub", lambda x: 1.5 - x, lambda a: 1.5 - a, d1=lambda a: -np.ones_like(a),
          scalar=True),
    unary("rsub_int", lambda x: 3 - x, lambda a: 3 - a, d1=lambda a: -np.ones_like(a),
          scalar=True),
    unary("mul_scalar", lambda x: x * 2.0, lambda a: a * 2, d1=lambda a: 2 * np.ones_like(a),
          scalar=True),
    unary("rmul", lambda x: 1.5 * x, lambda a: 1.5 * a, d1=lambda a: 1.5 * np.ones_like(a),
          scalar=True),
    unary("mul_int", lambda x: x * 3, lambda a: a * 3, d1=lambda a: 3 * np.ones_like(a),
          scalar=True),
    unary("rdiv", lambda x: 1.5 / x, lambda a: 1.5 / a, AWAY_FROM_ZERO,
          d1=lambda a: -1.5 / a**2, scalar=True),
    unary("div_scalar", lambda x: x / 4, lambda a: a / 4, d1=lambda a: np.ones_like(a) / 4,
          scalar=True,
          numpy=(("divide", lambda x: np.divide(x, 2.0), [M]),)),
    binary("add", lambda a, b: a + b, np.add, operator=operator.add, hostile=("add",),
           d1=lambda a, b: (np.ones_like(a), np.ones_like(b)),
           inplace=(("add_", lambda a, b: a.add_(b), lambda a, b: a + b),
                    ("add_ alpha", lambda a, b: a.add_(b, alpha=-2.5), lambda a, b: a - 2.5 * b))),
    binary("sub", lambda a, b: a - b, np.subtract, operator=operator.sub,
           hostile=("sub", "subtract"), d1=lambda a, b: (np.ones_like(a), -np.ones_like(b)),
           inplace=(("sub_", lambda a, b: a.sub_(b), lambda a, b: a - b),
                    ("sub_ alpha", lambda a, b: a.sub_(b, alpha=3), lambda a, b: a - 3 * b))),
    binary("mul", lambda a, b: a * b, np.multiply, operator=operator.mul,
           hostile=("mul", "multiply"), d1=lambda a, b: (b, a),
           inplace=(("mul_", lambda a, b: a.mul_(b), lambda a, b: a * b),)),
    binary("div", lambda a, b: a / b, np.divide, right=AWAY_FROM_ZERO, operator=operator.truediv,
           hostile=("div", "divide"), d1=lambda a, b: (1 / b, -a / b**2),
           inplace=(("div_", lambda a, b: a.div_(b), lambda a, b: a / b),)),
    binary("pow", lambda a, b: a**b, np.power, left=POSITIVE, right=floats(-2, 2),
           operator=operator.pow, hostile=("pow", "power"),
           d1=lambda a, b: (b * a ** (b - 1), a**b * np.log(a))),
    binary("maximum", tg.maximum, np.maximum, GRID, GRID, smooth=False, hostile=("maximum",)),
    binary("minimum", tg.minimum, np.minimum, GRID, GRID, smooth=False, hostile=("minimum",)),
    comparison("lt", operator.lt, np.less, ("less", "greater")),
    comparison("le", operator.le, np.less_equal, ("less_equal", "greater_equal")),
    comparison("gt", operator.gt, np.greater, ("less", "greater")),
    comparison("ge", operator.ge, np.greater_equal, ("less_equal", "greater_equal")),
    comparison("eq", operator.eq, np.equal, ("equal",)),
    comparison("ne", operator.ne, np.not_equal, ("not_equal",)),
    binary("where", _where, _np_where,
          numpy=(("where", lambda x, y: np.where(M > 0, x, y), [M, M * 2]),)),
    binary("squared_error", lambda a, b: a.apply_op(ops.SquaredError(), b),
           lambda a, b: np.sum((a - b) ** 2)),
    Op("matmul", tg.matmul, np.matmul, matmul_pair(), operator=operator.matmul,
       hostile=("matmul",),
          numpy=(("dot 1-D", lambda x, y: np.dot(x, y), [V, V * 0.5]),
              ("dot 2-D", lambda x, y: np.dot(x, y), [M, N]),
              ("dot 2-D 1-D", lambda x, y: np.dot(x, y), [M, V]),
              ("dot scalar", lambda x: np.dot(x, 3.0), [M]),
              ("matmul", lambda x, y: np.matmul(x, y), [M, N]),
              ("inner 1-D", lambda x, y: np.inner(x, y), [V, V * 0.5]),
              ("inner 2-D", lambda x, y: np.inner(x, y), [M, M[:2]]))),
    Op("linear", F.linear, lambda x, w, b: x @ w.T + b, _linear_inputs()),
    unary("np.linalg.norm", lambda x: np.linalg.norm(x), np.linalg.norm, AWAY_FROM_ZERO,
          numpy=(("norm vector", lambda x: np.linalg.norm(x), [V]),
                 ("norm frobenius", lambda x: np.linalg.norm(x), [M]),
                 ("norm fro", lambda x: np.linalg.norm(x, "fro"), [M]),
                 ("norm ord 2 vector", lambda x: np.linalg.norm(x, 2), [V]),
                 ("norm axis", lambda x: np.linalg.norm(x, axis=1, keepdims=True), [M]))),
    movement("reshape", lambda x, shape: x.reshape(shape), lambda a, shape: a.reshape(shape),
             lambda x: st.sampled_from([x.shape[::-1], (-1,), (x.numel(),), x.shape + (1,),
                                        (1,) + x.shape]).map(lambda shape: (shape,)),
             numpy=(("reshape", lambda x: np.reshape(x, (4, 3)), [M]),)),
    movement("view", lambda x, shape: x.view(shape), lambda a, shape: a.reshape(shape),
             lambda x: st.sampled_from([(-1,), x.shape]).map(lambda shape: (shape,))),
    movement("flatten", lambda x, start: x.flatten(start), _flattened,
             lambda x: st.integers(0, max(x.ndim - 1, 0)).map(lambda start: (start,))),
    unary("T", lambda x: x.T, lambda a: a.T),
    movement("permute", lambda x, perm: x.permute(perm), np.transpose,
             lambda x: st.permutations(range(x.ndim)).map(lambda perm: (tuple(perm),)),
             numpy=(("transpose", lambda x: np.transpose(x), [M]),)),
    movement("transpose", lambda x, d0, d1: x.transpose(d0, d1), np.swapaxes,
             lambda x: st.tuples(_dims(x), _dims(x)), NONSCALAR.map(lambda t: (t,))),
    movement("unsqueeze", lambda x, d: x.unsqueeze(d), np.expand_dims,
             lambda x: _dims(x, new_axis=1).map(lambda d: (d,))),
    unary("squeeze", lambda x: x.squeeze(), np.squeeze),
    movement("expand", lambda x, shape: x.expand(shape), np.broadcast_to, _expanded_shape,
             tensor(min_side=1).map(lambda t: (t,))),
    movement("getitem", lambda x, index: x[index], lambda a, index: a[index], _index,
             NONSCALAR.map(lambda t: (t,))),
    movement("softmax", lambda x, dim: F.softmax(x, dim), softmax, _one_dim,
             NONSCALAR.map(lambda t: (t,)),
             vjp=lambda a, g, ax: softmax(a, ax) * (g - (g * softmax(a, ax)).sum(ax,
                                                                                keepdims=True))),
    movement("log_softmax", lambda x, dim: F.log_softmax(x, dim), log_softmax, _one_dim,
             NONSCALAR.map(lambda t: (t,)),
             vjp=lambda a, g, ax: g - softmax(a, ax) * g.sum(ax, keepdims=True)),
    Op("cat", lambda a, b, dim: tg.cat([a, b, a], dim),
       lambda a, b, dim: np.concatenate([a, b, a], dim),
       _cat_pair(), args=_cat_dims,
       numpy=(("concatenate", lambda x, y: np.concatenate([x, y], axis=1), [M, M]),)),
    Op("stack", lambda a, b, dim: tg.stack([a, b], dim), lambda a, b, dim: np.stack([a, b], dim),
       _TWINS, args=lambda a, b: _dims(a, new_axis=1).map(lambda d: (d,)),
       numpy=(("stack", lambda x, y: np.stack((x, y)), [M, M]),)),
    loss("mse_loss", lambda p, t: (p - t) ** 2, lambda p, t: 2 * (p - t), tensor(),
         _targets(st.floats(-3, 3))),
    loss("logistic_loss", lambda s, y: np.logaddexp(0, -y * s),  # ln(1 + e^(−ys))
         lambda s, y: -y * sigmoid(-y * s), tensor(), _targets(st.sampled_from([-1.0, 1.0]))),
    loss("binary_cross_entropy_with_logits",  # t·softplus(−z) + (1 − t)·softplus(z), θ(z) − t
         lambda z, t: t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z),
         lambda z, t: sigmoid(z) - t, tensor(), _targets(st.sampled_from([0.0, 0.25, 1.0]))),
    loss("cross_entropy",  # −ln softmax(z)[c], derivative softmax(z) − onehot(c)
         lambda z, c: -log_softmax(z, 1)[np.arange(len(c)), c],
         lambda z, c: softmax(z, 1) - np.eye(z.shape[1])[c],
         st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(tensor), _classes),
    reduction("sum", np.sum, lambda a, axes: np.ones_like(a), nonempty=False,
              hostile=("sum",),
          numpy=(("sum", lambda x: np.sum(x, axis=0, keepdims=True), [M]),)),
    reduction("mean", np.mean, lambda a, axes: np.ones_like(a) / _count(a, axes),
              hostile=("mean",),
          numpy=(("mean", lambda x: np.mean(x, 1), [M]),)),
    reduction("var", lambda a, axis=None, keepdims=False: np.var(a, axis, ddof=1,
                                                                 keepdims=keepdims),
              lambda a, axes: 2 * _deviation(a, axes) / (_count(a, axes) - 1),
              correction=True, hostile=("var",),
          numpy=(("var", lambda x: np.var(x), [M]),
                     ("var ddof axis", lambda x: np.var(x, axis=0, ddof=1, keepdims=True), [M]))),
    reduction("std", lambda a, axis=None, keepdims=False: np.std(a, axis, ddof=1,
                                                                 keepdims=keepdims),
              lambda a, axes: _deviation(a, axes) / (
                  (_count(a, axes) - 1) * np.std(a, axes, ddof=1, keepdims=True)),
              correction=True, hostile=("std",),
          numpy=(("std", lambda x: np.std(x, 1), [M]),
                     ("std ddof", lambda x: np.std(x, ddof=1), [V]))),
    reduction("max", np.amax, _extreme(np.amax), ties=True, hostile=("max",),
          numpy=(("max", lambda x: np.max(x), [M]),)),
    reduction("min", np.amin, _extreme(np.amin), ties=True,
          numpy=(("min", lambda x: np.min(x, 0), [M]),)),
    reduction("amax", np.amax, _extreme(np.amax), ties=True, hostile=("amax",),
          numpy=(("amax axis", lambda x: np.amax(x, axis=1, keepdims=True), [M]),)),
    reduction("amin", np.amin, _extreme(np.amin), ties=True, hostile=("amin",),
          numpy=(("amin", lambda x: np.amin(x, axis=(0, 1)), [M]),)),
    reduction("logsumexp", logsumexp,
              lambda a, axes: np.exp(a - logsumexp(a, axes, keepdims=True)),
              hostile=("logsumexp",), hostile_ref=naive_logsumexp,
              vjp=lambda a, g, ax: np.expand_dims(g, ax) * softmax(a, ax)),  # ∂ ln Σ eˣ
]
