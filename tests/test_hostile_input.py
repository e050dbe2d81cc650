"""Hostile input against the public API, fuzzed with hypothesis.

The contract: a call either works as numpy (or PyTorch, where API.md says so) would, and its
value is checked against numpy, or it raises a documented error (ValueError, TypeError,
RuntimeError, IndexError) whose message names the operation. Never another exception type,
never a silent wrong result (a complex number becoming real, an object array accepted, a
float128 or uint32 leaking in), and NaN / inf propagate as in numpy unless detect_anomaly is on.

Input classes covered:
- data: ragged nested lists, strings and bytes, None, dicts, sets, ranges, object arrays,
  Python complex and complex ndarrays, str / datetime arrays, unsupported dtypes (uint32,
  float128), non-native byte order, Python ints beyond int64, lists of tensors,
  NaN / inf / subnormal floats, empty lists and zero-size arrays of up to 3 dims
- dtype arguments: supported dtypes and their names, None, complex, object, str, unknown names
- factory sizes: negative, huge (2**62, 2**63, 10**30), floats, strings, None, complex, bools,
  numpy ints; fill values, arange / linspace bounds and steps of all of those plus NaN / inf
- operands of + - * / ** @, maximum / minimum, comparisons and where, on both sides: tensors of
  float16 / float32 / float64 / int8 / int32 / int64 / uint8 / bool (so int with float, bool,
  float32 with float64), Python and numpy scalars, Fraction, Decimal, all the data above
- dims: ints in and out of range, +-10**9, +-2**63, floats, strings, bools, None, complex,
  tuples and lists (empty, repeated), on 0-d, empty and zero-size tensors, with keepdim
- shapes for reshape / view / expand / permute / transpose / squeeze / unsqueeze / flatten
- indices: ints in and out of range, huge ints, floats, strings, None, Ellipsis (repeated),
  slices with zero or non-int steps, ragged / empty / nested lists, bool masks of the wrong
  size, float / complex / object arrays, int / bool / float tensors, tuples of those
- cat / stack lists holding non-tensors, 0-d tensors, mismatched shapes and dtypes
- clamp bounds: None, NaN, inf, huge ints, Fraction, float128 and complex scalars, tensors
- nn.functional losses with wrong shapes, non-numeric / complex / NaN targets, int and bool
  inputs; F.linear and nn.Linear with hostile inputs, weights, biases and sizes
- SGD / Adam constructors with bad params and NaN / inf / negative / str / complex / bool
  hyperparameters
- NaN / inf values through elementwise ops, reductions, softmax, backward and detect_anomaly
"""

import decimal
import fractions
import math
import numbers
import operator

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import example, given

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F

pytestmark = [
    pytest.mark.filterwarnings("error:Casting complex values to real"),  # a silent real cast
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # overflow, 0/0: values are checked
]

DOCUMENTED = (ValueError, TypeError, RuntimeError, IndexError)
SUPPORTED = tg.dtypes.SUPPORTED_DTYPES
TENSOR_DTYPES = [tg.float16, tg.float32, tg.float64, tg.int8, tg.int32, tg.int64, tg.uint8,
                 tg.bool_]
HUGE_INTS = [2**62, 2**63, -(2**63) - 1, 10**30]


class Refused(Exception):
    """Raised by the oracles below when the contract says the call must fail."""


def assert_clean_error(call, *ops):
    """`call()` raises a documented error whose message names one of `ops`."""
    try:
        result = call()
    except DOCUMENTED as e:
        assert any(op in str(e) for op in ops), f"{type(e).__name__} names none of {ops}: {e}"
        return e
    pytest.fail(f"{ops[0]}: expected an error, got {result!r}")


def run(call, expected, *ops):
    """`call()` when `expected()` (the numpy oracle) gives a value, else a clean error naming
    one of `ops`; returns (result, expected value), or None after an error."""
    try:
        want = expected()
    except Refused:
        assert_clean_error(call, *ops)
        return None
    return call(), want


def assert_same(out, want, rtol=0.0):
    """`out` is a Tensor with `want`'s dtype and values (NaNs in the same places)."""
    want = np.asarray(want)
    assert isinstance(out, tg.Tensor), f"expected a Tensor, got {type(out).__name__}"
    assert out.dtype == want.dtype, f"dtype {out.dtype}, numpy gives {want.dtype}"
    assert out.shape == want.shape, f"shape {out.shape}, numpy gives {want.shape}"
    values = out.numpy()
    if want.size > 10**6:  # a huge broadcast view (expand): compare its start only
        values, want = values.flat[:8], want.flat[:8]
    if rtol:
        np.testing.assert_allclose(values, want, rtol=rtol, atol=rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(values, want)


def tolerance(dtype) -> float:
    """A few roundings of a float dtype; 0 (exact) for ints and bools."""
    return {"e": 1e-2, "f": 1e-5, "d": 1e-9}.get(np.dtype(dtype).char, 0.0)


# ---------------------------------------------------------------- oracles


def supported(arr):
    """The array a tensor would hold: native byte order, a dtype tg supports, or Refused."""
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.dtype not in SUPPORTED:  # complex, object, str, datetime, uint32, float128, ...
        raise Refused
    return arr


def expected_array(data):
    """What `tg.tensor(data)` must hold, or Refused."""
    if isinstance(data, tg.Tensor):
        return data.numpy()
    if data is None or isinstance(data, (str, bytes, dict, set)):
        raise Refused
    try:
        arr = np.array(data)
    except (ValueError, TypeError):
        raise Refused from None
    arr = supported(arr)
    if arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
        arr = arr.astype(tg.get_default_dtype())  # Python floats become the default dtype
    return arr


def expected_operand(v):
    """The array or number an operation computes with, or Refused."""
    if isinstance(v, tg.Tensor):
        return v.numpy()
    if isinstance(v, (int, float)) and not isinstance(v, np.generic):
        return v
    if isinstance(v, (np.ndarray, np.generic)):
        return supported(v)
    if isinstance(v, (list, tuple)):
        return expected_array(v)
    raise Refused


CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2}


def pytorch_dtype(v):
    """(rank, category, dtype) as PyTorch's promotion sees an operand: rank 2 for an array
    with dimensions, 1 for a zero-dim array, 0 for a Python or numpy number (whose dtype
    does not count, unless both operands are numbers)."""
    if isinstance(v, np.ndarray):
        return (2 if v.ndim else 1), CATEGORY[v.dtype.kind], v.dtype
    if isinstance(v, np.generic):
        return 0, CATEGORY[v.dtype.kind], v.dtype
    return 0, (0 if isinstance(v, bool) else 1 if isinstance(v, int) else 2), None


def default_of(category):
    return {0: np.dtype(bool), 1: np.dtype(np.int64), 2: np.dtype(tg.get_default_dtype())}[
        category]


def promote(a, b, floating=False):
    """PyTorch's promotion (API.md leaves it to PyTorch), written from its documentation:
    categories bool < integer < float; operands with dimensions outrank zero-dim ones, which
    outrank numbers. The highest-ranked operands decide the dtype, unless a lower-ranked one
    has a higher category: then a zero-dim one decides, and a number gives the default dtype
    of its category. Operands that are arrays are cast to the result."""
    (ra, ca, da), (rb, cb, db) = pytorch_dtype(a), pytorch_dtype(b)
    if ra == rb == 0:
        want = da if db is None else db if da is None else np.promote_types(da, db)
        want = default_of(max(ca, cb)) if want is None or ca != cb else want
    elif ra == rb:
        want = np.promote_types(da, db) if ca == cb else (da if ca > cb else db)
    else:
        (rh, ch, dh), (rl, cl, dl) = sorted([(ra, ca, da), (rb, cb, db)], key=lambda t: -t[0])
        want = dh if cl <= ch else dl if rl == 1 else default_of(cl)
    if floating and want.kind != "f":
        want = default_of(2)
    return tuple(v.astype(want) if isinstance(v, (np.ndarray, np.generic)) else v
                 for v in (a, b))


def numpy_or_refused(fn, *args):
    """`fn(*args)` in numpy; any numpy failure means the tg call must fail too."""
    try:
        return np.asarray(fn(*args))
    except (ValueError, TypeError, IndexError, OverflowError, ZeroDivisionError):
        raise Refused from None


def check_dims(dim, ndim, new_axis=False, single=False, unique=True):
    """Axes for `dim` as API.md and PyTorch define them, or Refused."""
    if single and isinstance(dim, (tuple, list)):
        raise Refused
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    size = ndim + new_axis
    axes = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise Refused
        if not -max(size, 1) <= d < max(size, 1):
            raise Refused
        axes.append(int(d) % size if size else 0)
    if unique and len(set(axes)) != len(axes):
        raise Refused
    return tuple(axes) if size else ()  # a 0-d tensor accepts dim 0 and -1, reducing nothing


def check_ints(values):
    """`values` as a tuple of ints (bools are not sizes or dims), or Refused."""
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) for n in values):
        raise Refused
    return tuple(int(n) for n in values)


def check_sizes(sizes):
    """Sizes for a factory: ints, non-negative, not absurdly large, or Refused."""
    sizes = check_ints(sizes)
    if any(n < 0 or n >= 2**62 for n in sizes):
        raise Refused
    return sizes


# ---------------------------------------------------------------- strategies

junk = st.one_of(
    st.none(), st.text(max_size=2), st.binary(max_size=2), st.complex_numbers(max_magnitude=10),
    st.dictionaries(st.text(max_size=1), st.integers(), max_size=2),
    st.sets(st.integers(0, 3), max_size=2),
    st.builds(fractions.Fraction, st.integers(-5, 5), st.integers(1, 5)),
    st.builds(decimal.Decimal, st.integers(-5, 5)),
)
python_scalars = st.one_of(st.floats(), st.floats(-3, 3), st.integers(-5, 5),
                           st.sampled_from(HUGE_INTS), st.booleans())
numpy_scalars = st.one_of(
    st.floats(-3, 3).map(np.float16), st.floats().map(np.float32), st.integers(-5, 5).map(np.int8),
    st.booleans().map(np.bool_), st.floats(-3, 3).map(np.longdouble),
    st.complex_numbers(max_magnitude=3).map(np.complex128), st.integers(0, 5).map(np.uint64),
    st.text(max_size=1).map(np.str_),
)
nested = st.recursive(st.one_of(python_scalars, junk), lambda kids: st.lists(kids, max_size=3),
                      max_leaves=8)
rectangular = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3).flatmap(
    lambda shape: hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)).map(
        lambda a: a.tolist()))
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


def arrays_of(dtype):
    """Arrays of any dtype, object arrays holding ints and None."""
    if dtype is object:
        return hnp.arrays(object, shapes, elements=st.one_of(st.integers(-3, 3), st.none()))
    return hnp.arrays(dtype, shapes)


odd_arrays = st.sampled_from(
    [np.complex128, np.complex64, object, "U2", "datetime64[D]", np.uint32, np.longdouble,
     ">f8", ">i4", np.float16, np.int16, np.bool_]).flatmap(arrays_of)


@st.composite
def tensors(draw, dtypes=TENSOR_DTYPES, shape=None, max_dims=3):
    """Tensors of every supported dtype, zero-size shapes, and NaN / inf when float."""
    d = np.dtype(draw(st.sampled_from(dtypes)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=3)
                 if shape is None else st.just(shape))
    if d.kind == "f":
        elements = st.one_of(st.floats(-5, 5, width=d.itemsize * 8),
                             st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))
    elif d.kind == "b":
        elements = st.booleans()
    else:
        elements = st.integers(0 if d.kind == "u" else -5, 5)
    return tg.tensor(draw(hnp.arrays(d, shape, elements=elements)))


data_inputs = st.one_of(nested, rectangular, odd_arrays, python_scalars, numpy_scalars, junk,
                        st.builds(range, st.integers(0, 3)), tensors(),
                        st.lists(tensors(shape=(2,)), min_size=1, max_size=2))
operands = st.one_of(tensors(), tensors(), python_scalars, numpy_scalars, junk, rectangular,
                     nested, odd_arrays, tensors().map(lambda t: t.numpy()))
sizes = st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from([-1, -(10**9)] + HUGE_INTS),
                  st.floats(), st.text(max_size=1), st.none(), st.complex_numbers(),
                  st.booleans(), st.integers(0, 3).map(np.int64))
dims = st.one_of(st.integers(-4, 4), st.integers(-4, 4), st.none(), st.booleans(),
                 st.sampled_from([10**9, -(10**9), 2**63, -(2**63) - 1]), st.floats(),
                 st.text(max_size=1), st.complex_numbers(), st.integers(-3, 3).map(np.int64),
                 st.lists(st.integers(-3, 3), max_size=3).map(tuple),
                 st.lists(st.integers(-3, 3), max_size=2))


# ---------------------------------------------------------------- construction


@given(data_inputs)
@example(np.array([1], np.uint32))  # was accepted as a uint32 tensor
@example(np.array([1.0], ">f8"))  # was refused; now read in native byte order
def test_tensor_from_hostile_data(data):
    got = run(lambda: tg.tensor(data), lambda: expected_array(data), "tensor")
    if got:
        assert_same(*got)


@given(st.lists(st.floats(-100, 100), max_size=4),
       st.sampled_from(list(SUPPORTED) + ["float32", "int64", float, int, bool, None, complex,
                                          np.complex64, object, str, "float99", np.uint32,
                                          np.longdouble, [1], 3.5]))
def test_tensor_dtype_argument(values, dtype):
    def expected(through_default=False):
        if dtype is None:
            return np.array(values, tg.get_default_dtype())
        try:
            d = np.dtype(dtype)
        except TypeError:
            raise Refused from None
        if d not in SUPPORTED:
            raise Refused
        # tensor(values, dtype=d) converts the numbers straight to d, as PyTorch;
        # tensor(values).to(d) converts the default-dtype tensor
        a = np.array(values)
        return (a.astype(tg.get_default_dtype()) if through_default else a).astype(d)

    got = run(lambda: tg.tensor(values, dtype=dtype), expected, "tensor")
    if got:
        assert_same(*got)
    if dtype is None:  # None is no dtype at all, not numpy's float64
        assert_clean_error(lambda: tg.tensor(values).to(dtype), "to")
        assert_clean_error(lambda: tg.set_default_dtype(dtype), "set_default_dtype")
    else:
        got = run(lambda: tg.tensor(values).to(dtype), lambda: expected(True), "to")
        if got:
            assert_same(*got)


@given(st.sampled_from(["zeros", "ones", "empty", "randn", "rand"]),
       st.lists(sizes, max_size=3), st.sampled_from(["varargs", "tuple", "list"]))
@example("zeros", [-1], "varargs")  # numpy's message did not name zeros
def test_factories_with_hostile_sizes(name, size, form):
    factory = getattr(tg, name)
    args = {"varargs": size, "tuple": [tuple(size)], "list": [list(size)]}[form]
    got = run(lambda: factory(*args), lambda: check_sizes(size), name)
    if got:
        out, shape = got
        assert out.shape == shape and out.dtype == tg.get_default_dtype()
        values = out.numpy()
        if name in ("zeros", "ones"):
            assert np.all(values == (name == "ones"))
        if name == "rand":
            assert np.all((values >= 0) & (values < 1))
        if name == "randn":
            assert np.all(np.isfinite(values))


@given(st.lists(sizes, max_size=2),
       st.one_of(python_scalars, numpy_scalars, junk, st.just(np.array(1.0))))
def test_full_with_hostile_fill(size, fill):
    def expected():
        shape = check_sizes(size)
        if isinstance(fill, (bool, np.bool_)):
            d = tg.bool_
        elif isinstance(fill, numbers.Integral):
            d = tg.int64
            if not -(2**63) <= fill < 2**63:
                raise Refused
        elif isinstance(fill, numbers.Real):
            d = tg.get_default_dtype()
        else:
            raise Refused
        return np.full(shape, fill, d)

    got = run(lambda: tg.full(tuple(size), fill), expected, "full")
    if got:
        assert_same(*got)


bounds = st.one_of(st.integers(-5, 5), st.floats(-5, 5),
                   st.sampled_from([math.nan, math.inf, -math.inf, 10**30, 0]),
                   st.complex_numbers(max_magnitude=5), st.text(max_size=1), st.none(),
                   st.just(tg.tensor(3)))
steps = st.one_of(st.sampled_from([1, 2, -1, 0.5, -0.25, 3, 0, math.nan, math.inf, 10**30]),
                  st.complex_numbers(max_magnitude=5), st.text(max_size=1), st.none())


@given(bounds, bounds, steps)
@example(1j, None, 1)  # was an empty tensor
@example("a", None, 1)  # numpy's message did not name arange
def test_arange_with_hostile_bounds(start, end, step):
    def expected():
        args = (start, end, step) if end is not None else (0, start, step)
        values = [v.item() if isinstance(v, tg.Tensor) else v for v in args]
        if not all(isinstance(v, numbers.Real) for v in values):
            raise Refused
        if not all(math.isfinite(v) and abs(v) < 2**63 for v in values) or values[2] == 0:
            raise Refused
        out = numpy_or_refused(np.arange, *values)
        all_int = all(isinstance(v, numbers.Integral) for v in values)
        return out.astype(tg.int64 if all_int else tg.get_default_dtype())

    got = run(lambda: tg.arange(start, end, step), expected, "arange")
    if got:
        assert_same(*got)


@given(bounds, bounds, st.one_of(st.integers(-2, 5), st.floats(), st.text(max_size=1),
                                 st.none()))
@example(0, 1j, 3)  # the imaginary part was dropped
def test_linspace_with_hostile_bounds(start, end, n):
    def expected():
        values = [v.item() if isinstance(v, tg.Tensor) else v for v in (start, end)]
        if not all(isinstance(v, numbers.Real) for v in values):
            raise Refused
        if not isinstance(n, int) or n < 0:
            raise Refused
        return np.linspace(*map(float, values), n).astype(tg.get_default_dtype())

    got = run(lambda: tg.linspace(start, end, n), expected, "linspace")
    if got:
        assert_same(*got)


@given(sizes, st.one_of(st.none(), sizes))
def test_eye_with_hostile_sizes(n, m):
    def expected():
        return np.eye(*check_sizes([n] if m is None else [n, m]), dtype=tg.get_default_dtype())

    got = run(lambda: tg.eye(n, m), expected, "eye")
    if got:
        assert_same(*got)


int_bounds = st.one_of(st.integers(-5, 5), st.sampled_from(HUGE_INTS), st.floats(),
                       st.complex_numbers(), st.text(max_size=1), st.none(), st.booleans())


@given(int_bounds, int_bounds, st.lists(sizes, max_size=2))
def test_randint_with_hostile_bounds(low, high, size):
    def expected():
        lo, hi = (0, low) if high is None else (low, high)
        for v in (lo, hi):
            if isinstance(v, bool) or not isinstance(v, int) or not -(2**63) <= v <= 2**63:
                raise Refused
        if hi <= lo:
            raise Refused
        return check_sizes(size), lo, hi

    got = run(lambda: tg.randint(low, high, tuple(size)), expected, "randint")
    if got:
        out, (shape, lo, hi) = got
        assert out.shape == shape and out.dtype == tg.int64
        assert np.all((out.numpy() >= lo) & (out.numpy() < hi))


def tensor_or_refused(t):
    """zeros_like / ones_like take a tensor, as PyTorch."""
    if not isinstance(t, tg.Tensor):
        raise Refused
    return t


@given(st.one_of(data_inputs, operands))
@example([1.0])  # AttributeError
def test_like_factories_want_a_tensor(t):
    for name in ("zeros_like", "ones_like"):
        got = run(lambda name=name: getattr(tg, name)(t), lambda: tensor_or_refused(t), name)
        if got:
            assert got[0].shape == t.shape and got[0].dtype == t.dtype


# ---------------------------------------------------------------- arithmetic and comparisons

# name: (tg call, numpy reference, names an error may give, promotes like API.md)
BINARY = {
    "add": (operator.add, np.add, ("add",), True),
    "sub": (operator.sub, np.subtract, ("sub", "subtract"), True),
    "mul": (operator.mul, np.multiply, ("mul", "multiply"), True),
    "div": (operator.truediv, np.true_divide, ("div", "divide"), True),
    "pow": (operator.pow, np.power, ("pow", "power"), True),
    "matmul": (operator.matmul, np.matmul, ("matmul",), True),
    "maximum": (tg.maximum, np.maximum, ("maximum",), True),
    "minimum": (tg.minimum, np.minimum, ("minimum",), True),
    "lt": (operator.lt, np.less, ("less", "greater"), False),
    "ge": (operator.ge, np.greater_equal, ("less_equal", "greater_equal"), False),
    "eq": (operator.eq, np.equal, ("equal",), False),
    "ne": (operator.ne, np.not_equal, ("not_equal",), False),
}


@given(st.sampled_from(sorted(BINARY)), tensors(), operands, st.booleans())
@example("add", tg.ones(3), np.ones(3, complex), False)  # the imaginary part was dropped
@example("add", tg.ones(3), np.ones(3, complex), True)  # gave a complex tensor
@example("mul", tg.ones(3), np.array([1, 2, 3], object), True)  # gave an object tensor
@example("add", tg.ones(3), fractions.Fraction(1, 3), False)  # gave an object tensor
@example("add", tg.ones(3), np.ones(3, np.longdouble), False)  # gave a float128 tensor
@example("add", tg.tensor([1]), 10**30, False)  # OverflowError
@example("eq", tg.tensor(False), 2**63, False)  # OverflowError
@example("add", tg.ones(3), np.ones(3, np.int64), True)  # float64, while t + ndarray: float32
def test_binary_ops_with_hostile_operands(name, x, other, reflected):
    call, reference, names, promotes = BINARY[name]
    left, right = (other, x) if reflected else (x, other)

    def expected():
        if name == "pow" and isinstance(left, fractions.Fraction):
            a = float(left)  # Fraction ** y is float(Fraction) ** y, by Python's own rules
        else:
            a = expected_operand(left)
        b = expected_operand(right)
        return numpy_or_refused(reference, *(promote(a, b, floating=name == "div") if promotes
                                             else (a, b)))

    got = run(lambda: call(left, right), expected, *names)
    if got:
        assert_same(*got)


UNARY = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
    "sin": np.sin, "cos": np.cos, "relu": lambda a: np.maximum(a, 0),
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
}


@given(st.sampled_from(sorted(UNARY)), st.one_of(tensors(), data_inputs))
@example("exp", [1j])  # the message named tensor, not exp
def test_elementwise_functions_with_hostile_input(name, x):
    def expected():
        if not isinstance(x, (tg.Tensor, numbers.Number, np.ndarray, np.generic, list, tuple)):
            raise Refused
        a = expected_array(x)
        if name not in ("abs", "relu") and a.dtype.kind != "f":
            a = a.astype(tg.get_default_dtype())  # PyTorch: exp of an int or bool is float32
        return numpy_or_refused(UNARY[name], a)

    got = run(lambda: getattr(tg, name)(x), expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))


@given(tensors(), st.one_of(st.none(), python_scalars, numpy_scalars, junk,
                            st.just(tg.tensor(0.5))),
       st.one_of(st.none(), python_scalars, numpy_scalars))
@example(tg.ones(2), fractions.Fraction(1, 3), None)  # gave an object tensor
def test_clamp_with_hostile_bounds(x, lo, hi):
    def expected():
        if lo is None and hi is None:
            raise Refused
        if isinstance(lo, tg.Tensor):  # a tensor bound: the dtype PyTorch gives x + lo
            d = (x.detach() + lo).dtype
            return numpy_or_refused(lambda a, b, c: np.clip(a, b, c).astype(d), x.numpy(),
                                    lo.numpy(), hi)
        for b in (lo, hi):
            if b is not None and expected_operand(b) is not b:  # a list, ...
                raise Refused
        a = x.numpy()
        if a.dtype.kind != "f" and any(isinstance(b, (float, np.floating)) for b in (lo, hi)):
            a = a.astype(tg.get_default_dtype())  # PyTorch: an int clamped to 0.5 is float32
        return numpy_or_refused(np.clip, a, lo, hi)

    got = run(lambda: x.clamp(lo, hi), expected, "clamp")
    if got:
        assert_same(*got)


# ---------------------------------------------------------------- reductions


def naive(fn):
    """A float64 reference from the textbook formula (no shift by the maximum)."""
    def ref(a, axes):
        return fn(a.astype(np.float64), axes)
    return ref


REDUCTIONS = {
    "sum": lambda a, axes, keep: np.sum(a, axes, keepdims=keep),
    "mean": lambda a, axes, keep: np.mean(a, axes, keepdims=keep),
    "var": lambda a, axes, keep: np.var(a, axes, ddof=1, keepdims=keep),
    "std": lambda a, axes, keep: np.std(a, axes, ddof=1, keepdims=keep),
    "amax": lambda a, axes, keep: np.amax(a, axes, keepdims=keep),
    "amin": lambda a, axes, keep: np.amin(a, axes, keepdims=keep),
    "max": lambda a, axes, keep: np.amax(a, axes, keepdims=keep),
    "logsumexp": lambda a, axes, keep: np.log(np.sum(np.exp(a.astype(np.float64)), axes,
                                                     keepdims=keep)),
}
ALONG_ONE_DIM = {
    "softmax": lambda a, axes: np.exp(a) / np.sum(np.exp(a), axes, keepdims=True),
    "log_softmax": lambda a, axes: a - np.log(np.sum(np.exp(a), axes, keepdims=True)),
}


def reduced_dtype(name, x, want):
    """numpy's result dtype, but int and bool inputs to the exp-based ops, and to the means
    (a true division, which PyTorch does in the default float dtype), give the default."""
    if name in ("logsumexp", "softmax", "log_softmax", "mean", "var", "std"):
        return x.dtype if x.dtype.kind == "f" else tg.get_default_dtype()
    return want.dtype


@st.composite
def tensor_and_dim(draw):
    """A tensor and a dim that fits it (an int or a tuple), or a hostile one."""
    x = draw(tensors(max_dims=3))
    nd = max(x.ndim, 1)
    fits = st.one_of(st.integers(-nd, nd - 1),
                     st.lists(st.integers(-nd, nd - 1), max_size=nd).map(tuple))
    return x, draw(st.one_of(fits, fits, fits, dims))


@given(st.sampled_from(sorted(REDUCTIONS)), tensor_and_dim(), st.booleans())
@example("std", (tg.ones(2), 5), False)  # the message named var
@example("logsumexp", (tg.tensor([True, False]), 0), False)  # bool: numpy's subtract error
def test_reductions_with_hostile_dims(name, x_dim, keepdim):
    x, dim = x_dim

    def expected():
        axes = None if dim is None else check_dims(dim, x.ndim)
        want = numpy_or_refused(REDUCTIONS[name], x.numpy(), axes, keepdim)
        return want.astype(reduced_dtype(name, x, want))

    got = run(lambda: getattr(x, name)(dim, keepdim), expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))


@given(st.sampled_from(["argmax", "argmin", "softmax", "log_softmax"]), tensor_and_dim(),
       st.booleans())
@example("softmax", (tg.tensor(0.5), 0), False)  # AxisError
@example("argmax", (tg.tensor(0.5), 0), False)  # "tuple index out of range"
@example("softmax", (tg.ones(2, 3), ()), False)  # "not enough values to unpack"
def test_single_dim_ops_with_hostile_dims(name, x_dim, keepdim):
    x, dim = x_dim
    a = x.numpy()

    def expected():
        if name in ALONG_ONE_DIM:
            if dim is None:
                raise Refused
            axes = check_dims(dim, x.ndim, single=True)
            want = numpy_or_refused(naive(ALONG_ONE_DIM[name]), a, axes)
            return want.astype(reduced_dtype(name, x, want))
        if dim is None or x.ndim == 0:
            if dim is not None:
                check_dims(dim, 0, single=True)
            return numpy_or_refused(getattr(np, name), a)
        (axis,) = check_dims(dim, x.ndim, single=True)
        return numpy_or_refused(lambda: getattr(np, name)(a, axis, keepdims=keepdim))

    args = (dim,) if name in ALONG_ONE_DIM or dim is None else (dim, keepdim)
    got = run(lambda: getattr(x, name)(*args), expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))



# ---------------------------------------------------------------- shapes


def expected_shape_op(name, a, args):
    """What `t.name(*args)` must give for `a = t.numpy()` (numpy's result, with PyTorch's rules
    where API.md follows them: -1 in expand, squeeze ignoring non-1 dims), or Refused."""
    sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    if name == "reshape":
        return numpy_or_refused(a.reshape, check_ints(sizes))
    if name == "expand":
        shape = check_ints(sizes)
        lead = len(shape) - a.ndim
        if lead < 0:
            raise Refused
        shape = tuple(a.shape[i - lead] if n == -1 and i >= lead else n
                      for i, n in enumerate(shape))
        return numpy_or_refused(np.broadcast_to, a, shape)
    if name == "permute":
        axes = check_dims(check_ints(sizes), a.ndim)
        if len(sizes) != a.ndim:
            raise Refused
        return np.transpose(a, axes)
    if name == "transpose":
        if len(args) != 2:
            raise Refused
        axes = check_dims(tuple(args), a.ndim, unique=False)
        return np.swapaxes(a, *axes) if axes else a
    if name == "unsqueeze":
        if len(args) != 1:
            raise Refused
        return np.expand_dims(a, check_dims(args[0], a.ndim, new_axis=True, single=True))
    if name == "squeeze":
        if len(args) > 1:
            raise Refused
        axes = range(a.ndim) if not args or args[0] is None else check_dims(args[0], a.ndim)
        return a.reshape([n for i, n in enumerate(a.shape) if not (i in axes and n == 1)])
    # flatten(start_dim=0, end_dim=-1)
    if len(args) > 2:
        raise Refused
    start, end = (list(args) + [0, -1][len(args):])
    axes = check_dims((start, end), a.ndim, unique=False)
    if not axes:
        return a.reshape(1)
    if axes[0] > axes[1]:
        raise Refused
    lo, hi = axes
    return a.reshape(a.shape[:lo] + (math.prod(a.shape[lo:hi + 1]),) + a.shape[hi + 1:])


hostile_args = st.one_of(st.sampled_from([-(10**9)] + HUGE_INTS), st.floats(),
                         st.text(max_size=1), st.none(), st.booleans(), st.integers(-4, 4),
                         st.integers(-3, 3).map(np.int64),
                         st.lists(st.integers(-3, 3), max_size=3).map(tuple))


def valid_shape_args(draw, name, x):
    """Arguments that make sense for `x.name(...)`."""
    nd = x.ndim
    dim = st.integers(-max(nd, 1), max(nd, 1) - 1)
    if name == "reshape":
        return list(draw(st.sampled_from([x.shape, (-1,), (x.numel(),), x.shape + (1,),
                                          (1,) + x.shape, x.shape[::-1]])))
    if name == "expand":
        lead = draw(st.lists(st.integers(0, 2), max_size=1))
        return lead + [draw(st.sampled_from([n, -1, 2] if n == 1 else [n, -1])) for n in x.shape]
    if name == "permute":
        return draw(st.permutations(range(nd)))
    if name in ("transpose", "flatten"):
        return [draw(dim), draw(dim)]
    if name == "squeeze":
        return draw(st.lists(dim, max_size=1))
    return [draw(st.integers(-nd - 1, nd))]  # unsqueeze


@st.composite
def shape_op_calls(draw):
    """(name, tensor, args): sensible arguments, some replaced, dropped or added by hostile ones."""
    name = draw(st.sampled_from(["reshape", "expand", "permute", "transpose", "squeeze",
                                 "unsqueeze", "flatten"]))
    x = draw(tensors(max_dims=3))
    args = [draw(st.one_of(st.just(a), st.just(a), hostile_args))
            for a in valid_shape_args(draw, name, x)]
    args = draw(st.sampled_from([args, args, args[:-1], args + [draw(hostile_args)]]))
    if name == "reshape" and draw(st.booleans()):  # reshape((2, 3)) and view((2, 3))
        args = [tuple(args)]
    return name, x, args


@given(shape_op_calls(), st.booleans())
@example(("transpose", tg.tensor(0.0), [0, 0]), False)  # "list assignment index out of range"
@example(("unsqueeze", tg.ones(2), [()]), False)  # "not enough values to unpack"
@example(("squeeze", tg.tensor(0.0), [0]), False)  # "tuple index out of range"
@example(("flatten", tg.tensor(0.0), ["a"]), False)  # a hostile dim was ignored
def test_shape_ops_with_hostile_arguments(call, as_view):
    name, x, args = call
    method = "view" if name == "reshape" and as_view else name  # view is reshape's alias
    got = run(lambda: getattr(x, method)(*args), lambda: expected_shape_op(name, x.numpy(), args),
              name)
    if got:
        assert_same(*got)


# ---------------------------------------------------------------- indexing


def expected_index_item(i):
    """numpy's reading of one index item, as API.md extends it ([] selects nothing)."""
    if isinstance(i, tg.Tensor):
        i = i.numpy()
    elif isinstance(i, list):
        try:
            i = np.asarray(i)
        except ValueError:  # ragged
            raise Refused from None
        if i.size == 0:
            i = i.astype(np.intp)
    if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
        raise Refused
    return i


def expected_getitem(a, index):
    if isinstance(index, tuple):
        index = tuple(expected_index_item(i) for i in index)
    else:
        index = expected_index_item(index)
    return numpy_or_refused(lambda: a[index])


maybe_int = st.one_of(st.none(), st.integers(-4, 4))
index_items = st.one_of(
    st.integers(-4, 4), st.integers(-4, 4), st.sampled_from(HUGE_INTS), st.none(),
    st.just(Ellipsis), st.builds(slice, maybe_int, maybe_int, st.one_of(st.none(), st.integers(-2, 2))),
    st.builds(slice, st.one_of(st.floats(), st.text(max_size=1)), maybe_int),
    st.lists(st.integers(-3, 3), max_size=3), st.lists(st.booleans(), max_size=3),
    st.lists(st.lists(st.integers(0, 2), max_size=2), max_size=2),
    hnp.arrays(st.sampled_from([np.int64, np.int8]), hnp.array_shapes(max_dims=2, max_side=3),
               elements=st.integers(-3, 3)),
    hnp.arrays(st.sampled_from([np.bool_, np.float64, np.complex128, object]), (2,),
               elements=st.just(True)),
    tensors(dtypes=[tg.int64, tg.bool_, tg.float32], max_dims=2),
    st.floats(), st.text(max_size=1), st.booleans(), st.complex_numbers(max_magnitude=2),
    st.dictionaries(st.integers(), st.integers(), max_size=1),
    st.builds(fractions.Fraction, st.integers(0, 3)), st.integers(-3, 3).map(np.int64),
)


@st.composite
def tensor_and_index(draw):
    x = draw(tensors(max_dims=3))
    mask = st.just(tg.tensor(x.numpy() > 0)) if x.dtype != tg.bool_ else st.just(x)
    item = st.one_of(index_items, mask)
    return x, draw(st.one_of(item, st.lists(item, max_size=3).map(tuple)))


@given(tensor_and_index())
@example((tg.ones(2, 3), []))  # [] was refused as a float index
@example((tg.ones(2, 3), [[0, 1], [0]]))  # numpy's ragged-list error did not name getitem
def test_getitem_with_hostile_index(x_index):
    x, index = x_index
    got = run(lambda: x[index], lambda: expected_getitem(x.numpy(), index), "getitem")
    if got:
        assert_same(*got)


# ---------------------------------------------------------------- cat, stack, where


def expected_join(name, items, dim):
    """numpy's concatenate / stack of the items as tensors, with API.md's promotion."""
    if not isinstance(items, (list, tuple)) or not items:
        raise Refused
    arrays = []
    for v in items:
        if not isinstance(v, (tg.Tensor, numbers.Number, np.ndarray, np.generic, list, tuple)):
            raise Refused
        arrays.append(expected_array(v))
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    if floats:
        arrays = [a.astype(np.result_type(*floats)) if a.dtype.kind != "f" else a
                  for a in arrays]
    if name == "cat":
        if arrays[0].ndim == 0:
            raise Refused
        (axis,) = check_dims(dim, arrays[0].ndim, single=True)
        return numpy_or_refused(np.concatenate, arrays, axis)
    if len({a.shape for a in arrays}) > 1:
        raise Refused
    (axis,) = check_dims(dim, arrays[0].ndim, new_axis=True, single=True)
    return np.stack(arrays, axis)


join_items = st.one_of(tensors(shape=(2,)), tensors(shape=(2, 3)), tensors(shape=(0, 3)),
                       tensors(shape=()), tensors(shape=(3,)), rectangular, junk, odd_arrays)
containers = st.one_of(st.lists(join_items, min_size=1, max_size=3),
                       st.lists(join_items, max_size=3).map(tuple),
                       tensors(), junk, st.just([]))


@given(st.sampled_from(["cat", "stack"]), containers,
       st.one_of(st.integers(-3, 2), st.integers(-3, 2), dims))
@example("stack", b"\x00", 0)  # bytes were stacked as ints
@example("cat", [tg.ones(2)], ())  # "not enough values to unpack"
@example("cat", [tg.ones(2), tg.tensor([1, 2])], 0)  # float64, PyTorch gives float32
def test_cat_stack_with_hostile_lists(name, items, dim):
    join = getattr(tg, name)
    got = run(lambda: join(items, dim), lambda: expected_join(name, items, dim), name)
    if got:
        assert_same(*got)


def expected_where(cond, x, y):
    if isinstance(cond, tg.Tensor):
        c = cond.numpy()
    elif isinstance(cond, (list, tuple, bool)):
        c = expected_array(cond)
    elif isinstance(cond, np.ndarray):
        c = cond
    else:
        raise Refused
    if c.dtype != np.bool_:
        raise Refused
    a, b = promote(expected_operand(x), expected_operand(y))
    if pytorch_dtype(a)[2] is None and pytorch_dtype(b)[2] is None:  # two Python numbers:
        d = default_of(max(pytorch_dtype(a)[1], pytorch_dtype(b)[1]))  # as PyTorch
        a, b = numpy_or_refused(np.asarray, a, d), numpy_or_refused(np.asarray, b, d)
    return numpy_or_refused(np.where, c, a, b)


conditions = st.one_of(tensors(dtypes=[tg.bool_]), tensors(dtypes=[tg.bool_], shape=(3,)),
                       st.lists(st.booleans(), max_size=3), st.booleans(), tensors(), nested,
                       junk, st.lists(st.booleans(), max_size=3).map(np.array))


@given(conditions, operands, operands)
@example([True, False], tg.tensor([1, 2]), tg.ones(2))  # float64, PyTorch gives float32
def test_where_with_hostile_arguments(cond, x, y):
    got = run(lambda: tg.where(cond, x, y), lambda: expected_where(cond, x, y), "where")
    if got:
        assert_same(*got)


# ---------------------------------------------------------------- nn.functional, nn.Linear, optim

LOSSES = ["mse_loss", "logistic_loss", "binary_cross_entropy_with_logits", "cross_entropy"]


def loss_reference(name, z, t):
    """The mean loss in float64, from the textbook formula."""
    z = z.astype(np.float64)
    if name == "mse_loss":
        return np.mean((z - t) ** 2)
    if name == "logistic_loss":
        return np.mean(np.logaddexp(0, -t * z))
    if name == "binary_cross_entropy_with_logits":
        return np.mean(t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z))
    picked = z[np.arange(len(t)), t]
    return np.mean(np.log(np.sum(np.exp(z), axis=1)) - picked)


def non_numeric(target) -> bool:
    """True for targets no loss may accept: complex, object, str, None, dicts, ragged lists."""
    if isinstance(target, tg.Tensor):
        return False
    try:
        kind = np.asarray(target).dtype.kind
    except (ValueError, TypeError):
        return True
    return kind not in "fiub"


@st.composite
def loss_calls(draw):
    """(loss name, input, target): inputs of every dtype and targets that fit, or do not."""
    name = draw(st.sampled_from(LOSSES))
    n = draw(st.integers(0, 3))
    shape = (n, 3) if name == "cross_entropy" else draw(st.sampled_from([(n,), (n, 2)]))
    z = draw(st.one_of(tensors(shape=shape), tensors(shape=shape), data_inputs))
    fitting = {
        "mse_loss": hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)),
        "logistic_loss": hnp.arrays(np.int64, shape, elements=st.sampled_from([-1, 1])),
        "binary_cross_entropy_with_logits": hnp.arrays(np.float64, shape,
                                                       elements=st.sampled_from([0.0, 0.5, 1.0])),
        "cross_entropy": hnp.arrays(np.int64, shape[:1], elements=st.integers(0, 2)),
    }[name]
    target = draw(st.one_of(fitting, fitting, fitting.map(lambda a: a.tolist()),
                            fitting.map(tg.tensor), tensors(), odd_arrays, junk, nested,
                            st.lists(st.floats(), min_size=n, max_size=n)))
    return name, z, target


@given(loss_calls())
@example(("mse_loss", tg.ones(2), [0.0, []]))  # numpy's ragged-list error
@example(("mse_loss", tg.tensor([True, False]), [1.0, 0.0]))  # bool: numpy's subtract error
def test_losses_with_hostile_targets(call):
    name, z, target = call
    try:
        out = getattr(F, name)(z, target)
    except DOCUMENTED as e:
        assert name in str(e), f"{type(e).__name__} does not name {name}: {e}"
        return
    assert not non_numeric(target), f"{name} accepted the target {target!r}"
    assert isinstance(out, tg.Tensor) and out.shape == () and out.dtype.kind == "f"
    t = np.asarray(target.numpy() if isinstance(target, tg.Tensor) else target)
    want = loss_reference(name, tg.tensor(z).numpy(), t)
    np.testing.assert_allclose(out.item(), want, rtol=tolerance(out.dtype) * 10,
                               atol=tolerance(out.dtype) * 10, equal_nan=True)


@given(st.one_of(tensors(shape=(2, 3)), tensors(shape=(3,)), tensors(shape=(0, 3)),
                 tensors(shape=(1, 1, 3)), tensors(), data_inputs),
       st.sampled_from(["module", "functional"]))
@example("abc", "module")  # the message named tensor, not Linear
def test_linear_with_hostile_input(x, form):
    tg.manual_seed(0)
    layer = tg.nn.Linear(3, 2)
    w, b = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
    call = layer if form == "module" else lambda v: F.linear(v, layer.weight, layer.bias)
    name = "Linear" if form == "module" else "linear"

    def expected():
        if isinstance(x, (str, bytes, dict, set)) or x is None:
            raise Refused
        a = expected_array(x)
        if a.ndim == 0 or a.shape[-1] != 3:
            raise Refused
        return a.astype(np.float64) @ w.T + b

    got = run(lambda: call(x), expected, name)
    if got:
        out, want = got
        assert out.shape == want.shape and out.dtype.kind == "f"
        np.testing.assert_allclose(out.numpy(), want, rtol=tolerance(out.dtype) * 10,
                                   atol=tolerance(out.dtype) * 10, equal_nan=True)


@given(st.one_of(tensors(shape=(2, 3)), odd_arrays, junk, nested, rectangular),
       st.one_of(st.none(), tensors(shape=(2,)), odd_arrays, junk, st.lists(st.floats(-3, 3))))
@example("a", None)  # AttributeError
@example(0.0, None)  # IndexError while formatting the message
@example(tg.ones(2, 3), np.ones(2, complex))  # gave a complex tensor
def test_functional_linear_with_hostile_weight_and_bias(weight, bias):
    x = tg.ones(4, 3)

    def expected():
        w = expected_array(weight)
        bb = 0.0 if bias is None else expected_array(bias)
        if w.ndim != 2 or w.shape[1] != 3 or (bias is not None and np.shape(bb) != w.shape[:1]):
            raise Refused
        return np.ones((4, 3)) @ w.astype(np.float64).T + bb

    got = run(lambda: F.linear(x, weight, bias), expected, "linear")
    if got:
        out, want = got
        np.testing.assert_allclose(out.numpy(), want, rtol=tolerance(out.dtype) * 10,
                                   atol=tolerance(out.dtype) * 10, equal_nan=True)


@given(sizes, sizes)
@example(10**30, 1)  # numpy's message did not name Linear
def test_linear_layer_with_hostile_sizes(n_in, n_out):
    def expected():
        shape = check_sizes([n_out, n_in])
        if min(shape) < 1:
            raise Refused
        return shape

    got = run(lambda: tg.nn.Linear(n_in, n_out), expected, "Linear")
    if got:
        layer, shape = got
        assert layer.weight.shape == shape and layer.bias.shape == shape[:1]


hyper_values = st.one_of(st.floats(), st.floats(0, 1, exclude_max=True), st.integers(-2, 3),
                         st.booleans(), st.none(), st.text(max_size=1),
                         st.complex_numbers(max_magnitude=1), st.just(tg.tensor(0.1)),
                         st.floats(0, 1).map(np.float32), st.sampled_from(HUGE_INTS))


def valid_hyper(v, high=math.inf):
    return (not isinstance(v, bool) and isinstance(v, numbers.Real)
            and math.isfinite(v) and 0 <= v and (v < high if high == 1 else v <= high))


@st.composite
def optimizer_calls(draw):
    """(class, params, hyperparameters): good or hostile parameters, one hostile value."""
    p = tg.nn.Parameter(np.ones(2))
    cls = draw(st.sampled_from([tg.optim.SGD, tg.optim.Adam]))
    params = draw(st.sampled_from([
        [p], [{"params": [p]}], [p, p], [], None, "ab", p, [None], [np.ones(2)], [p * 2],
        [{}], [tg.tensor([1, 2])], 5, (p,),
    ]))
    names = ["lr", "weight_decay"] + (["momentum", "dampening"] if cls is tg.optim.SGD
                                      else ["eps", "beta1", "beta2"])
    name, value = draw(st.sampled_from(names)), draw(hyper_values)
    kwargs = {"lr": 0.1}
    if name.startswith("beta"):
        kwargs["betas"] = (value, 0.99) if name == "beta1" else (0.9, value)
    else:
        kwargs[name] = value
    return cls, params, name, value, kwargs


@given(optimizer_calls())
def test_optimizer_constructors_with_hostile_arguments(call):
    cls, params, name, value, kwargs = call

    def expected():
        items = list(params) if isinstance(params, (list, tuple)) else None
        if items is None or not items:
            raise Refused
        flat = items[0]["params"] if isinstance(items[0], dict) and "params" in items[0] \
            else items
        if any(not isinstance(t, tg.Tensor) or not t.is_leaf for t in flat):
            raise Refused
        if len({id(t) for t in flat}) != len(flat):
            raise Refused
        if not valid_hyper(value, 1 if name.startswith("beta") else math.inf):
            raise Refused
        return float(value)

    got = run(lambda: cls(params, **kwargs), expected, cls.__name__)
    if got:
        opt, want = got
        group = opt.param_groups[0]
        stored = group["betas"][int(name[-1]) - 1] if name.startswith("beta") else group[name]
        assert stored == want and type(stored) is float


# ---------------------------------------------------------------- backward, NaN, inf, anomaly


@given(tensors(dtypes=[tg.float32, tg.float64], max_dims=2), operands)
@example(tg.ones(2), np.ones(2, complex))  # the imaginary part was dropped
@example(tg.ones(2), np.ones(2, object))  # an object array was accepted
def test_backward_with_hostile_gradient(x, gradient):
    x = x.detach().requires_grad_()
    out = x * 2

    def expected():
        if gradient is None and out.numel() == 1:  # implicitly 1 for a one-element output
            return np.full(out.shape, 2, x.dtype)
        g = gradient.numpy() if isinstance(gradient, tg.Tensor) else expected_array(gradient)
        if g.shape != out.shape:
            raise Refused
        return 2 * g.astype(x.dtype)

    got = run(lambda: out.backward(gradient), expected, "backward")
    if got:
        assert_same(x.grad, got[1].astype(x.dtype))


# ---------------------------------------------------------------- NaN, inf and detect_anomaly


@given(st.sampled_from(["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin", "cos",
                        "softplus", "neg"]),
       tensors(dtypes=[tg.float16, tg.float32, tg.float64]))
def test_nan_and_inf_propagate_and_detect_anomaly_names_the_op(name, x):
    def forward_backward(t):
        t = t.detach().requires_grad_()
        out = getattr(t, name)()
        total = out.sum()
        total.backward()
        return out, total, t.grad

    out, total, grad = forward_backward(x)  # NaN and inf never raise without detect_anomaly
    assert grad.shape == x.shape and grad.dtype == x.dtype
    finite = all(np.all(np.isfinite(v.numpy())) for v in (out, total, grad))
    with tg.autograd.detect_anomaly():
        if finite:
            forward_backward(x)
        else:
            assert_clean_error(lambda: forward_backward(x), "detect_anomaly")
