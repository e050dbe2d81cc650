"""Dtype promotion of + - * / ** between tensors, ndarrays and Python / numpy scalars, both
orders, with gradients (PyTorch's rules; PyTorch as an optional oracle)."""


import numpy as np
import pytest
from helpers import FLOAT_DTYPES, tol
from op_table import OPS

import tinygrad_edu as tg
from tinygrad_edu import nn

# the operators of the op table with closed-form partials: +, -, *, /, **
ROWS = {op.name: op for op in OPS if op.operator and op.d1}
ARITH = {name: op.operator for name, op in ROWS.items()}


def partials(op, a, b):
    """∂(a op b)/∂a and ∂(a op b)/∂b, in float64 (the op table's closed forms)."""
    return ROWS[op].d1(a, b)


def reduce_to(g, shape):
    g = np.asarray(g, np.float64)
    while g.ndim > len(shape):
        g = g.sum(0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1:
            g = g.sum(i, keepdims=True)
    return g


def value_of(x):
    if isinstance(x, tg.Tensor):
        return x.numpy().astype(np.float64)
    return np.asarray(x).astype(np.float64)


def check_binary(op, left, right, want_dtype):
    """left op right: a plain Tensor of want_dtype, numpy's values, and hand gradients."""
    out = ARITH[op](left, right)
    assert type(out) is tg.Tensor, f"{op}: got {type(out).__name__}"
    assert out.dtype == np.dtype(want_dtype), f"{op}: dtype {out.dtype}, expected {want_dtype}"
    assert out.dtype.isnative
    a, b = value_of(left), value_of(right)
    want = ARITH[op](a, b)
    rtol = tol(out.dtype) * (4 if op == "pow" else 1)
    np.testing.assert_allclose(out.numpy().astype(np.float64), want, rtol=rtol, atol=rtol)
    if not out.requires_grad:
        return
    w = np.linspace(-1.0, 1.5, out.numel()).reshape(out.shape)
    out.backward(tg.tensor(w.astype(out.dtype)))
    da, db = partials(op, a, b)
    for operand, d in ((left, da), (right, db)):
        if isinstance(operand, tg.Tensor) and operand.requires_grad:
            g = operand.grad
            assert g is not None and g.shape == operand.shape and g.dtype == operand.dtype, \
                f"{op}: grad {None if g is None else (g.shape, g.dtype)} for {operand.dtype}"
            want_g = reduce_to(w * d, operand.shape)
            gt = max(tol(operand.dtype), tol(out.dtype)) * (4 if op == "pow" else 1)
            np.testing.assert_allclose(g.numpy().astype(np.float64), want_g, rtol=gt,
                                       atol=gt * max(1.0, np.abs(want_g).max(initial=0)))


def positive(shape, dtype, seed=0):
    """Values in [0.5, 2] on a grid of eighths, exact in float16, as `dtype`."""
    rng = np.random.default_rng(seed)
    return (rng.integers(4, 17, size=shape) / 8).astype(dtype)


def ftensor(shape, dtype, seed=0, cls=None):
    data = positive(shape, dtype, seed)
    if cls is nn.Parameter:
        return nn.Parameter(data)
    return tg.Tensor(data, requires_grad=True)


INT_ARRAYS = [np.array([1, 2, 3], np.int8), np.array([1, 2, 3], np.int32),
              np.array([1, 2, 3], np.int64), np.array([1, 2, 3], ">i4"),
              np.array([1, 3, 2], np.uint8), np.array([True, False, True])]


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("reflected", [False, True])
def test_a_float_tensor_meeting_an_int_or_bool_array_keeps_its_dtype(op, dtype, reflected):
    for arr in INT_ARRAYS:
        t = ftensor((2, 3), dtype)
        if op in ("div", "pow") and arr.dtype == bool:
            arr = arr | True  # no 0 in a divisor or under a log
        check_binary(op, *((arr, t) if reflected else (t, arr)), dtype)


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("reflected", [False, True])
@pytest.mark.parametrize("tdtype, adtype, want", [
    (np.float32, np.float64, np.float64), (np.float32, ">f8", np.float64),
    (np.float64, np.float32, np.float64), (np.float64, ">f4", np.float64),
    (np.float16, np.float32, np.float32), (np.float16, np.float64, np.float64),
    (np.float32, np.float16, np.float32), (np.float32, np.float32, np.float32),
])
def test_float_tensor_with_a_float_array_takes_the_wider_dtype(op, reflected, tdtype, adtype,
                                                               want):
    t = ftensor((2, 3), tdtype)
    arr = positive((2, 3), np.float64, seed=1).astype(adtype)
    check_binary(op, *((arr, t) if reflected else (t, arr)), want)


def test_big_endian_arrays_give_correct_native_values_and_gradients():
    arr = np.arange(3, dtype=">f8")
    t = tg.Tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    out = t * arr
    assert out.dtype == np.float64 and out.dtype.isnative
    np.testing.assert_array_equal(out.numpy(), [0.0, 2.0, 6.0])
    out.sum().backward()
    assert t.grad.dtype == np.float32
    np.testing.assert_array_equal(t.grad.numpy(), [0.0, 1.0, 2.0])
    out2 = arr - t
    assert type(out2) is tg.Tensor and out2.dtype == np.float64
    np.testing.assert_array_equal(out2.numpy(), [-1.0, -1.0, -1.0])
    # a big-endian array as a tensor's data
    b = tg.Tensor(np.arange(3, dtype=">f8") + 1, requires_grad=True)
    assert b.dtype == np.float64 and b.dtype.isnative
    (b**2).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 4.0, 6.0])


@pytest.mark.parametrize("op", list(ARITH))
def test_broadcasting_against_arrays_reduces_gradients(op):
    t = ftensor((2, 1, 3), np.float64)
    arr = positive((4, 1), np.float64, seed=3)
    check_binary(op, t, arr, np.float64)
    t2 = ftensor((4, 1), np.float32)
    check_binary(op, positive((2, 1, 3), np.float64, seed=4), t2, np.float64)


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("left, right, want", [
    (("param", np.float64), ("tensor", np.float32), np.float64),
    (("tensor", np.float32), ("param", np.float64), np.float64),
    (("param", np.float32), ("param", np.float32), np.float32),
    (("param", np.float16), ("array", np.float64), np.float64),
    (("array", np.float64), ("param", np.float32), np.float64),
    (("array", np.int64), ("param", np.float32), np.float32),
    (("param", np.float32), ("array", np.int64), np.float32),
    (("param", np.float32), ("scalar", 2), np.float32),
    (("scalar", 1.5), ("param", np.float16), np.float16),
    (("scalar", 2), ("param", np.float64), np.float64),
])
def test_parameters_on_either_side_give_plain_tensors(op, left, right, want):
    def make(spec, seed):
        kind, d = spec
        if kind == "param":
            return ftensor((3,), d, seed, cls=nn.Parameter)
        if kind == "tensor":
            return ftensor((3,), d, seed)
        if kind == "array":
            return positive((3,), d, seed) if np.dtype(d).kind == "f" else np.array([1, 2, 3], d)
        return d

    check_binary(op, make(left, 5), make(right, 6), want)


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("scalar", [2, 1.5, True])
def test_python_scalars_never_widen_a_float_tensor(op, dtype, scalar):
    for pair in ((ftensor((2, 2), dtype), scalar), (scalar, ftensor((2, 2), dtype))):
        check_binary(op, *pair, dtype)


def test_int_tensor_true_division_gives_the_default_float_dtype():
    # PyTorch: integer / integer is true division in the default dtype (float32)
    i, j = tg.tensor([1, 2, 3]), tg.tensor([2, 4, 4])
    for out in (i / j, i / 2, 6 / i, i / np.array([2, 4, 4])):
        assert out.dtype == np.float32, out.dtype
    np.testing.assert_allclose((i / j).numpy(), [0.5, 0.5, 0.75])


TENSOR_DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_]


def torch_dtype_to_numpy(torch, d):
    return torch.empty(0, dtype=d).numpy().dtype


def _tg_and_torch(torch, spec, seed):
    """A tg operand and its PyTorch twin for a spec (kind, dtype or value, shape)."""
    kind, what, shape = spec
    if kind == "scalar":
        return what, what
    d = np.dtype(what)
    rng = np.random.default_rng(seed)
    if d.kind == "f":
        arr = (rng.integers(4, 17, size=shape) / 8).astype(d)
    elif d.kind == "b":
        arr = np.ones(shape, bool)  # True only: no 0 ** negative, no division by False
    else:
        arr = rng.integers(1, 4, size=shape).astype(d)
    if kind == "array":
        return arr, torch.tensor(arr)
    rg = d.kind == "f"
    return tg.tensor(arr, requires_grad=rg), torch.tensor(arr, requires_grad=rg)


def compare_with_torch(torch, op, left, right):
    """One binary op in tg and PyTorch; returns a problem description or None."""
    a, ta = _tg_and_torch(torch, left, 1)
    b, tb = _tg_and_torch(torch, right, 2)
    try:
        want = ARITH[op](ta, tb)
    except Exception:  # PyTorch refuses (bool subtraction, ...): not compared
        return None
    try:
        got = ARITH[op](a, b)
    except Exception as e:  # noqa: BLE001
        return f"{left} {op} {right}: raised {type(e).__name__}: {e}"
    want_dtype = torch_dtype_to_numpy(torch, want.dtype)
    da, db = (v.dtype if isinstance(v, tg.Tensor) else np.asarray(v).dtype for v in (a, b))
    if op == "div" and "f" not in (da.kind, db.kind):
        # integer / integer: its own test (test_int_tensor_true_division_...)
        return None
    if op == "pow" and da == np.bool_ and db == np.bool_:
        # bool ** bool: numpy has no bool power loop and gives int8, PyTorch keeps bool; a
        # departure left alone
        return None
    if not isinstance(got, tg.Tensor):
        return f"{left} {op} {right}: returned {type(got).__name__}"
    if got.dtype != want_dtype:
        return f"{left} {op} {right}: dtype {got.dtype}, PyTorch {want_dtype}"
    rtol = tol(want_dtype) * 4 if want_dtype.kind == "f" else 0
    if not np.allclose(got.numpy().astype(np.float64), want.detach().numpy().astype(np.float64),
                       rtol=rtol, atol=rtol):
        return f"{left} {op} {right}: values {got.numpy()} vs {want.detach().numpy()}"
    if want.requires_grad:
        try:
            want.sum().backward()
        except Exception:  # PyTorch cannot differentiate it (bool subtraction): not compared
            return None
        got.sum().backward()
        for ours, theirs, spec in ((a, ta, left), (b, tb, right)):
            if isinstance(ours, tg.Tensor) and ours.requires_grad:
                g, tgrad = ours.grad, theirs.grad.numpy()
                if g is None or g.dtype != tgrad.dtype or g.shape != tgrad.shape:
                    return f"{left} {op} {right}: grad of {spec} is " \
                           f"{None if g is None else (g.dtype, g.shape)}, PyTorch " \
                           f"{(tgrad.dtype, tgrad.shape)}"
                gt = max(tol(g.dtype), tol(want_dtype)) * 4
                if not np.allclose(g.numpy().astype(np.float64), tgrad.astype(np.float64),
                                   rtol=gt, atol=gt):
                    return f"{left} {op} {right}: grad of {spec} {g.numpy()} vs {tgrad}"
    return None


def run_torch_matrix(pairs):
    torch = pytest.importorskip("torch")
    problems = []
    for op in ARITH:
        for left, right in pairs:
            for lr in ((left, right), (right, left)):
                p = compare_with_torch(torch, op, *lr)
                if p:
                    problems.append(p)
    if problems:
        pytest.fail(f"{len(problems)} mismatches with PyTorch, e.g.:\n" + "\n".join(problems[:12]))


def test_tensor_tensor_promotion_matches_pytorch():
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    pairs = [(x, y) for i, x in enumerate(specs) for y in specs[i:]]
    run_torch_matrix(pairs)


def test_zero_dim_tensor_promotion_matches_pytorch():
    # PyTorch: a 0-d tensor of the same category does not widen a dimensioned one
    dims = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    zeros = [("tensor", d, ()) for d in TENSOR_DTYPES]
    run_torch_matrix([(x, y) for x in dims for y in zeros])


def test_python_scalar_promotion_matches_pytorch():
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    scalars = [("scalar", v, ()) for v in (2, 1.5, True)]
    run_torch_matrix([(x, s) for x in specs for s in scalars])


def test_numpy_scalar_promotion_matches_pytorch():
    # PyTorch treats numpy scalars like Python numbers: they never widen a tensor of their
    # category (float16 tensor * np.float64(1.5) is float16)
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    # np.bool_ is left out: PyTorch turns a numpy bool into a float (int tensor + np.True_ is
    # float32), a quirk not copied here; numpy bools act as bools
    scalars = [("scalar", v, ()) for v in (np.float64(1.5), np.float32(1.5), np.float16(1.5),
                                           np.int64(2), np.int32(2))]
    run_torch_matrix([(x, s) for x in specs for s in scalars])


def test_array_promotion_matches_pytorch_with_the_array_as_a_tensor():
    specs = [("tensor", d, (2, 3)) for d in TENSOR_DTYPES]
    arrays = [("array", d, (2, 3)) for d in TENSOR_DTYPES if np.dtype(d).kind != "f"] + \
        [("array", d, (3,)) for d in (np.float16, np.float32, np.float64)]
    # int tensors meeting int arrays, and any tensor meeting a float array: PyTorch's rule for
    # two dimensioned tensors; a float tensor meeting an int/bool array keeps its dtype
    run_torch_matrix([(x, a) for x in specs for a in arrays])
