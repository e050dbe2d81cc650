"""One row per differentiable operation: our call, the numpy reference, the input domain,
and how the inputs are shaped. test_ops.py and test_higher_order.py are driven by it."""

from collections.abc import Callable
from dataclasses import dataclass

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
from tinygrad_edu import ops


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable  # on Tensors
    ref: Callable  # on ndarrays
    inputs: st.SearchStrategy  # draws a tuple of Tensors
    smooth: bool = True  # twice differentiable on its domain: gradgradcheck it too

    def __repr__(self):
        return self.name


@st.composite
def _linear_inputs(draw):
    """x of shape (*points, in), W (out, in), b (out,): zero to two point axes."""
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    points = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return (draw(tensor(points + (n_in,))), draw(tensor((n_out, n_in))),
            draw(tensor((n_out,))))


def unary(name, fn, ref, domain=ANY, smooth=True):
    return Op(name, fn, ref, tensor(elements=domain).map(lambda t: (t,)), smooth)


def binary(name, fn, ref, left=ANY, right=ANY, smooth=True):
    return Op(name, fn, ref, broadcast_pair(left, right), smooth)


def _condition(shape):
    """A fixed bool pattern of `shape` (depends on the shape only, not on the values)."""
    return np.sin(np.arange(int(np.prod(shape))) * 1.7).reshape(shape) > 0


def _where(a, b):
    return tg.where(tg.tensor(_condition(np.broadcast_shapes(a.shape, b.shape))), a, b)


def _np_where(a, b):
    return np.where(_condition(np.broadcast_shapes(a.shape, b.shape)), a, b)


def _np_sigmoid(a):
    return 1 / (1 + np.exp(-a))


ELEMENTWISE = [
    unary("neg", lambda x: -x, np.negative),
    unary("exp", tg.exp, np.exp),
    unary("log", tg.log, np.log, POSITIVE),
    unary("sqrt", tg.sqrt, np.sqrt, POSITIVE),
    unary("abs", tg.abs, np.abs, GRID_NONZERO),
    unary("tanh", tg.tanh, np.tanh),
    unary("sigmoid", tg.sigmoid, _np_sigmoid),
    unary("relu", tg.relu, lambda a: np.maximum(a, 0), GRID_NONZERO),
    unary("softplus", lambda x: x.softplus(), lambda a: np.log1p(np.exp(a))),
    unary("sin", tg.sin, np.sin),
    unary("cos", tg.cos, np.cos),
    unary("clamp", lambda x: x.clamp(-1.1, 1.3), lambda a: np.clip(a, -1.1, 1.3), GRID),
    unary("clamp_min", lambda x: x.clamp(min=0.1), lambda a: np.maximum(a, 0.1), GRID),
    unary("clamp_max", lambda x: x.clamp(max=0.1), lambda a: np.minimum(a, 0.1), GRID),
    unary("square", lambda x: x**2, np.square),
    unary("cube", lambda x: x**3, lambda a: a**3),
    unary("pow_half", lambda x: x**0.5, np.sqrt, POSITIVE),
    unary("reciprocal", lambda x: x**-1, np.reciprocal, AWAY_FROM_ZERO),
    unary("rpow", lambda x: 2**x, lambda a: 2.0**a),
    unary("radd", lambda x: 1.5 + x, lambda a: 1.5 + a),
    unary("rsub", lambda x: 1.5 - x, lambda a: 1.5 - a),
    unary("rmul", lambda x: 1.5 * x, lambda a: 1.5 * a),
    unary("rdiv", lambda x: 1.5 / x, lambda a: 1.5 / a, AWAY_FROM_ZERO),
    unary("div_scalar", lambda x: x / 4, lambda a: a / 4),
    binary("add", lambda a, b: a + b, np.add),
    binary("sub", lambda a, b: a - b, np.subtract),
    binary("mul", lambda a, b: a * b, np.multiply),
    binary("div", lambda a, b: a / b, np.divide, right=AWAY_FROM_ZERO),
    binary("pow", lambda a, b: a**b, np.power, left=POSITIVE, right=floats(-2, 2)),
    binary("maximum", tg.maximum, np.maximum, GRID, GRID, smooth=False),
    binary("minimum", tg.minimum, np.minimum, GRID, GRID, smooth=False),
    binary("where", _where, _np_where),
    binary("squared_error", lambda a, b: a.apply_op(ops.SquaredError(), b),
           lambda a, b: np.sum((a - b) ** 2)),
    Op("matmul", tg.matmul, np.matmul, matmul_pair()),
    Op("linear", F.linear, lambda x, w, b: x @ w.T + b, _linear_inputs()),
]
