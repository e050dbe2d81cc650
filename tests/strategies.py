"""Value domains and shapes for the op tests (built on tg.testing's strategies)."""

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st

import tinygrad_edu as tg

MAX_SIDE, MAX_DIMS = 3, 3  # up to 27 elements: gradcheck builds full Jacobians


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


ANY = floats(-3, 3)
POSITIVE = floats(0.1, 5)
AWAY_FROM_ZERO = floats(0.3, 3) | floats(-3, -0.3)
# non-smooth ops: values on a grid of quarters, so two values are equal or ≥ 0.25 apart and
# central differences never straddle a kink unless at an exact tie
GRID = st.integers(-40, 40).map(lambda i: i / 4)
GRID_NONZERO = GRID.filter(lambda v: v != 0)
# the grid shifted by an eighth: never equal to a GRID value, so fmax / fmin never tie
GRID_SHIFTED = GRID.map(lambda v: v + 0.125)
# odd sixteenths: never an integer, a half, or a tenth's midpoint, so central differences never
# cross a jump of floor, ceil, trunc, round, round(decimals=1), sign or frac
BETWEEN_STEPS = st.integers(-40, 39).map(lambda i: (2 * i + 1) / 16)
# divisors for which x / y, x in BETWEEN_STEPS, stays ≥ 1/100 away from an integer: no jump of
# x // y, x % y or fmod near the drawn points
DIVISORS = st.sampled_from([0.7, -1.3, 2.9])
UNIT = floats(-0.9, 0.9)  # inside the domain of arcsin, arccos, artanh
ABOVE_ONE = floats(1.1, 5)  # arcosh
PROBABILITY = floats(0.05, 0.95)  # logit
ABOVE_MINUS_ONE = floats(-0.9, 3)  # ln(1 + x)
NEAR_ZERO = floats(-1.3, 1.3)  # tan, away from its poles at ±π/2


def tensor(shape=None, elements=ANY, min_side=0, unique=False):
    return tg.testing.tensors(shape=shape, elements=elements, min_side=min_side,
                              max_side=MAX_SIDE, max_dims=MAX_DIMS, requires_grad=True,
                              unique=unique)


@st.composite
def broadcast_pair(draw, left=ANY, right=ANY, min_side=0):
    a, b = draw(tg.testing.broadcastable_shapes(2, max_dims=MAX_DIMS, min_side=min_side,
                                                max_side=MAX_SIDE))
    return draw(tensor(a, left)), draw(tensor(b, right))


@st.composite
def broadcast_triple(draw, elements=ANY):
    shapes = draw(tg.testing.broadcastable_shapes(3, max_dims=MAX_DIMS, max_side=MAX_SIDE))
    return tuple(draw(tensor(s, elements)) for s in shapes)


@st.composite
def matmul_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(
        signature="(n?,k),(k,m?)->(n?,m?)", max_dims=2, min_side=1, max_side=MAX_SIDE))
    a, b = shapes.input_shapes
    return draw(tensor(a)), draw(tensor(b))


@st.composite
def reduction_dims(draw, ndim):
    """None, an int or a tuple of distinct ints (negative ones too) valid for `ndim`."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    one = st.integers(-ndim, ndim - 1)
    many = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    return draw(st.none() | one | many)
