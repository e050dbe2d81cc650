"""Hostile input: the strategies that draw it and the oracle a call must match.

The contract: a call either works as numpy (or PyTorch, where API.md says so) would, and its
value is checked against numpy, or it raises a documented error (ValueError, TypeError,
RuntimeError, IndexError) whose message names the operation. Never another exception type,
never a silent wrong result, and NaN / inf propagate as in numpy. Tests that draw from here
wear `@hostile_input` (a silent complex-to-real cast fails them; overflow warnings do not)."""

import decimal
import fractions

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest

import tinygrad_edu as tg

WARNINGS = [
    pytest.mark.filterwarnings("error:Casting complex values to real"),  # a silent real cast
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # overflow, 0/0: values are checked
]


def hostile_input(test):
    """Mark a test fed hostile input: a silent complex-to-real cast fails it, overflow
    and 0/0 warnings do not (their values are checked)."""
    for mark in WARNINGS:
        test = mark(test)
    return test


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


def run_or_refused(call, expected, *ops):
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
