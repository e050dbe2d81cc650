"""The op table's row type `Op`, the builders of rows (`unary`, `binary`, `reduction`, ...)
and the references the rows share.

A row holds our call, the numpy reference, the input domain (as a strategy drawing the inputs,
and for shape ops, indexing, cat / stack, the softmax family and the losses the arguments too)
and, where they apply, the closed-form first and second derivatives, the extreme inputs the
op must survive, and whether it is a Tensor method and tg function of the same name or a
floating function. Each test takes the rows that have the column it needs, so a new op is a
new row: test_ops.py (forward == numpy, gradcheck), test_higher_order.py (f″, gradgradcheck),
test_extremes.py (±1e3, ±1e30), test_elementwise.py (both call forms, operators with
broadcasting and Python numbers, comparisons, hostile operands), test_reductions.py (dims,
hostile dims) and the dtype of floating functions of ints in test_ops.py all read it."""

from collections.abc import Callable
from dataclasses import dataclass

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from strategies import (
    ANY,
    GRID,
    broadcast_pair,
    tensor,
)

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F


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
    single_dim  a reduction over one dim (an int) or all of x, never a tuple of dims (prod,
              max / min with a dim, argmax); with differentiable=False it gives indices
              (argmax): checked for its values and for carrying no graph
    inplace   the in-place forms, (label, call on (a, b), the out-of-place value it must equal)
    operator  the Python operator that spells it (+, @, <): fed reflected and hostile operands
    scalar    a tensor with a Python number: keeps the tensor's dtype
    differentiable  False for comparisons: a bool tensor outside the graph
    hostile   fed hostile input: the names an error may give
    hostile_ref  the reference for hostile input where `ref` refuses what the op accepts
    vjp       along one dim: gᵀ ∂f/∂x as `vjp(a, g, dim)`, stable at the extreme rows
              test_extremes.py feeds it (the softmax family)
    dtype     the result's dtype for float64 inputs (a cast's target; else float64)
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
    single_dim: bool = False
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
    dtype: np.dtype = np.dtype(np.float64)

    def __repr__(self):
        return self.name

    @property
    def step(self) -> dict:
        """gradcheck's step for this row: the default for a float64 result; for a result in
        a lower precision a quarter, which grid inputs and their neighbours keep exact."""
        return {} if self.dtype == np.float64 else {"eps": 0.25}


def draw_call(op, data):
    """A row's inputs and its call on Tensors and on arrays, its arguments drawn too."""
    xs = data.draw(op.inputs)
    args = data.draw(op.args(*xs)) if op.args else ()
    return xs, lambda *ts: op.fn(*ts, *args), lambda *arrays: op.ref(*arrays, *args)


# the arrays the numpy column feeds numpy's functions (V away from 0: norm is smooth there)
RNG = np.random.default_rng(7)
V = RNG.standard_normal(4) + 2.0
M = RNG.standard_normal((3, 4))
N = RNG.standard_normal((4, 2))


@st.composite
def linear_inputs(draw):
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


def condition(shape):
    """A fixed bool pattern of `shape` (depends on the shape only, not on the values)."""
    return np.sin(np.arange(int(np.prod(shape))) * 1.7).reshape(shape) > 0


def where(a, b):
    return tg.where(tg.tensor(condition(np.broadcast_shapes(a.shape, b.shape))), a, b)


def np_where(a, b):
    return np.where(condition(np.broadcast_shapes(a.shape, b.shape)), a, b)


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


def count(a, axes):
    return int(np.prod([a.shape[i] for i in axes]))


def deviation(a, axes):
    return a - np.mean(a, axis=axes, keepdims=True)


def extreme(reduce):
    """∂ max/∂aᵢ = [aᵢ = max] (no ties: the tests draw distinct values)."""
    return lambda a, axes: (a == reduce(a, axis=axes, keepdims=True)) * 1.0


def values(name):
    """`x.<name>(dim, keepdim)`, and its values when it gives (values, indices): max(dim)."""
    def call(x, dim=None, keepdim=False):
        out = getattr(x, name)(dim, keepdim=keepdim)
        return out if isinstance(out, tg.Tensor) else out.values
    return call


def arg_reduction(name, ref):
    """An index-valued reduction row (argmax): one dim or all, no graph."""
    return Op(name, lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs), ref,
              tensor(min_side=1, elements=GRID, unique=True).map(lambda t: (t,)),
              smooth=False, reduction=True, single_dim=True, differentiable=False)


def np_arg(fn):
    """numpy's argmax / argmin with PyTorch's keepdim for dim=None (a 0-d index)."""
    def ref(a, axis=None, keepdims=False):
        if axis is None or a.ndim == 0:
            return np.asarray(fn(a))
        (axis,) = axis if isinstance(axis, tuple) else (axis,)
        return fn(a, axis=axis, keepdims=keepdims)
    return ref


def along(name, ref, fn=None, inputs=None, **columns):
    """A row along one dim drawn from x (cumsum, sort, ...): `fn(x, dim)`, `ref(a, dim)`;
    by default `x.<name>(dim)` and its values when it gives (values, indices)."""
    def call(x, dim):
        out = getattr(x, name)(dim)
        return out if isinstance(out, tg.Tensor) else out.values
    if inputs is None:
        inputs = tensor(min_side=1, elements=GRID, unique=True).filter(
            lambda t: t.ndim >= 1).map(lambda t: (t,))
    return Op(name, fn or call, ref, inputs, args=one_dim, **columns)


def reduction(name, ref, d1, elements=ANY, ties=False, nonempty=True, fn=None, **columns):
    """A reduction row: `x.<name>(dim, keepdim=...)`; values on the grid and distinct when
    ties would matter (max, min), at least one element unless the empty reduction is defined."""
    inputs = tensor(min_side=1 if nonempty else 0, elements=GRID if ties else elements,
                    unique=ties).map(lambda t: (t,))
    fn = fn or (lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs))
    return Op(name, fn, ref, inputs, d1=d1, reduction=True, **columns)


def naive_logsumexp(a, axis=None, keepdims=False):
    """ln Σ eˣ by the textbook formula in float64: what hostile input (inf, ints, bools) must
    give, where the shift by the maximum would turn ±inf into NaN."""
    return np.log(np.sum(np.exp(a.astype(np.float64)), axis, keepdims=keepdims))


def comparison(name, fn, ref, hostile):
    """A comparison row: a bool tensor, outside the graph (`fn` is also its operator)."""
    return binary(name, fn, ref, smooth=False, operator=fn, differentiable=False,
                  hostile=hostile)


def in_place(name, *args):
    """The `inplace` column of a row whose method `name` has an in-place form `name_`: the
    call on (a, b) ignores b, and must equal the out-of-place method."""
    return ((name + "_", lambda a, b: getattr(a, name + "_")(*args),
             lambda a, b: getattr(tg.tensor(a), name)(*args).numpy()),)


NONSCALAR = tensor(min_side=1).filter(lambda t: t.ndim >= 1)


def movement(name, fn, ref, args, inputs=None, **columns):
    """A shape or indexing row: `fn(x, *args)`, linear, its arguments drawn from x."""
    inputs = tensor().map(lambda t: (t,)) if inputs is None else inputs
    return Op(name, fn, ref, inputs, args=args, **columns)


def dims(x, new_axis=0):
    return st.integers(-x.ndim - new_axis, x.ndim - 1 + new_axis)


def flattened(a, start):
    """a with the dims from `start` on merged into one (a 0-d a becomes (1,))."""
    return a.reshape(a.shape[:start] + (int(np.prod(a.shape[start:])),))


def one_dim(x):
    return dims(x).map(lambda d: (d,))


@st.composite
def index(draw, x):
    """One index: an int, a slice, a list or array of ints, a bool mask, None and ..."""
    n = x.shape[0]
    return (draw(st.one_of(
        st.integers(-n, n - 1), st.integers(0, n).map(lambda s: slice(s, None)),
        st.lists(st.integers(-n, n - 1), min_size=1, max_size=6),
        st.lists(st.integers(-n, n - 1), min_size=1, max_size=6).map(np.array),
        st.lists(st.booleans(), min_size=n, max_size=n).map(np.array),
        st.just((None, ..., 0)), st.just((slice(None, None, -1),)))),)


@st.composite
def expanded_shape(draw, x):
    """A shape x broadcasts to: leading dims added, size-1 dims grown."""
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    return (tuple(lead + [draw(st.integers(1, 3)) if n == 1 else n for n in x.shape]),)


@st.composite
def cat_pair(draw):
    """Two tensors with the same shape but along one dim, where the second has 0 to 3."""
    base = draw(NONSCALAR)
    dim = draw(st.integers(0, base.ndim - 1))
    shape = list(base.shape)
    shape[dim] = draw(st.integers(0, 3))
    return base, draw(tensor(tuple(shape)))


def cat_dims(a, b):
    """The dims (both signs) along which a and b may be joined."""
    dims = [d for d in range(a.ndim)
            if a.shape[:d] + a.shape[d + 1:] == b.shape[:d] + b.shape[d + 1:]]
    return st.sampled_from(dims + [d - a.ndim for d in dims]).map(lambda d: (d,))


TWINS = tensor().flatmap(lambda a: tensor(a.shape).map(lambda b: (a, b)))


REDUCE = {"none": lambda v: v, "sum": np.sum, "mean": np.mean}


def loss(name, point, d1, inputs, target):
    """A loss row: `F.<name>(z, t, reduction=r)`; `point(a, t)` is each point's loss and `d1`
    its derivative; `target(z)` draws a target that fits z, the reduction is drawn too."""
    call = getattr(F, name)
    return Op(name, lambda z, t, r: call(z, t, reduction=r),
              lambda a, t, r: REDUCE[r](point(a, t)), inputs.map(lambda z: (z,)), d1=d1,
              loss=True, args=lambda z: st.tuples(target(z), st.sampled_from(list(REDUCE))))


def targets(elements):
    """Targets of z's shape with these elements."""
    return lambda z: hnp.arrays(np.float64, z.shape, elements=elements)


def classes(z):
    """A class index in [0, C) for each row of (N, C) logits."""
    return hnp.arrays(np.int64, z.shape[:1], elements=st.integers(0, z.shape[1] - 1))


def softplus_thresholded(x):
    """PyTorch's F.softplus: ln(1 + eˣ), and x itself above threshold = 20."""
    return np.where(x > 20, x, np.logaddexp(0, x))


