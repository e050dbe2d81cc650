"""Every row of the op table: forward equals numpy, analytic gradients equal central
differences in float64 (gradcheck), over hypothesis-drawn shapes — broadcasting pairs, 0-d,
size-1, empty — and reductions over drawn dims. Then the numpy protocol (a numpy function
on a Tensor records itself or refuses), dtypes kept end to end, and floating results of ints."""

import numpy as np
import pytest
from helpers import assert_gradients_close, check_forward
from hypothesis import given
from hypothesis import strategies as st
from op_table import OPS, M, draw_call
from strategies import ANY, GRID, POSITIVE, reduction_dims, tensor

import tinygrad_edu as tg

# every differentiable row but the reductions (which draw dims below)
ELEMENTWISE = [op for op in OPS if not op.reduction and op.differentiable]


@pytest.mark.parametrize("op", ELEMENTWISE, ids=repr)
@given(data=st.data())
def test_elementwise_forward_and_gradient(op, data):
    xs, fn, ref = draw_call(op, data)
    out = fn(*xs)
    check_forward(out, ref(*(x.numpy() for x in xs)))
    assert out.dtype == op.dtype
    assert_gradients_close(fn, *xs, **op.step)


@pytest.mark.parametrize("op", [op for op in OPS if op.reduction and not op.correction],
                         ids=repr)
@given(data=st.data())
def test_reduction_forward_and_gradient(op, data):
    (x,) = data.draw(op.inputs)
    if op.single_dim:  # one dim (an int) or all of x
        dim = data.draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim - 1, 0)))
    else:
        dim = data.draw(reduction_dims(x.ndim))
    keepdim = data.draw(st.booleans())
    axis = None if x.ndim == 0 else dim

    def f(t):
        return op.fn(t, dim, keepdim=keepdim)

    if not op.differentiable:  # indices (argmax): int64 values outside the graph
        out = f(x.detach().requires_grad_(True))
        want = op.ref(x.numpy(), axis=axis, keepdims=keepdim)
        assert out.dtype == np.int64 and not out.requires_grad and out.shape == want.shape
        np.testing.assert_array_equal(out.numpy(), want)
        return
    check_forward(f(x), op.ref(x.numpy(), axis=axis, keepdims=keepdim))
    assert_gradients_close(f, x)


@pytest.mark.parametrize("name", [op.name for op in OPS if op.correction])
@given(data=st.data())
def test_var_std_forward_and_gradient(name, data):
    # grid values: distinct ones differ by ≥ 0.25, so the spread is never comparable to the
    # finite-difference step (where std, a square root, bends sharply)
    x = data.draw(tensor(min_side=2, elements=GRID, unique=True))
    dim = data.draw(reduction_dims(x.ndim))
    keepdim = data.draw(st.booleans())
    correction = data.draw(st.sampled_from([0, 1]))
    axis = None if x.ndim == 0 else dim
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = getattr(np, name)(x.numpy(), axis=axis, ddof=correction, keepdims=keepdim)

    def f(t):
        return getattr(t, name)(dim, keepdim=keepdim, correction=correction)

    out = f(x)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)
    if np.all(np.isfinite(expected)) and np.all(expected > 1e-6):
        assert_gradients_close(f, x)


# ---------------------------------------------------------------- comparisons, dtypes


@given(data=st.data())
def test_comparisons_give_bool_tensors_without_graph(data):
    a = data.draw(tensor(elements=GRID))
    b = data.draw(tensor(a.shape, elements=GRID))
    for op, ref in [("__lt__", np.less), ("__le__", np.less_equal), ("__gt__", np.greater),
                    ("__ge__", np.greater_equal), ("__eq__", np.equal),
                    ("__ne__", np.not_equal)]:
        out = getattr(a, op)(b)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.numpy(), ref(a.numpy(), b.numpy()))


def test_cast_between_floats_keeps_graph_and_dtype():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_dtype_kept_end_to_end(dtype):
    x = tg.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=dtype, requires_grad=True)
    w = tg.tensor(np.ones((3, 2)), dtype=dtype, requires_grad=True)
    loss = ((x @ w).tanh().sigmoid() * 0.5 + 1.0).log().softmax(1).sum()
    assert loss.dtype == dtype
    loss.backward()
    assert x.grad.dtype == dtype and w.grad.dtype == dtype


def test_gradient_takes_dtype_of_its_tensor():
    x = tg.tensor([1.0, 2.0], requires_grad=True)  # float32
    (x * np.array([1.0, 2.0], dtype=np.float64)).sum().backward()
    assert x.grad.dtype == np.float32


@given(tensor(elements=POSITIVE), tensor(elements=ANY))
def test_numpy_ufuncs_and_functions_record_on_tensors(x, y):
    assert_gradients_close(lambda t: np.exp(t) + np.log(t) * np.tanh(t), x)
    assert_gradients_close(lambda t: np.sum(np.transpose(t) * 2.0), y)
    assert_gradients_close(lambda t: np.ones(t.shape) * t, y)


# ---------------------------------------------------------------- sum(dtype=), tensor bounds of clamp


def test_sum_with_dtype_casts_first_and_keeps_the_gradient():
    ints = tg.tensor([[1, 2], [3, 4]])
    out = ints.sum(dtype=tg.float32)
    assert out.dtype == np.float32 and out.item() == 10.0
    assert ints.sum(1, dtype=tg.float64).tolist() == [3.0, 7.0]
    x = tg.tensor(np.array([1e8, 1.0, -1e8], np.float32), requires_grad=True)
    total = x.sum(dtype=tg.float64)  # float32 would lose the 1.0
    assert total.dtype == np.float64 and total.item() == 1.0
    total.backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 1.0, 1.0]
    m = tg.tensor([1, 2], dtype=tg.int32).mean(dtype=tg.float64)
    assert m.dtype == np.float64 and m.item() == 1.5
    with pytest.raises(TypeError, match="sum: unsupported dtype"):
        ints.sum(dtype="complex128")


def test_clamp_with_tensor_bounds_follows_pytorch():
    x = tg.tensor([0.0, 1.0, 2.0, 3.0, -1.0], dtype=tg.float64, requires_grad=True)
    lo = tg.tensor([0.0, 0.0, 3.0, 1.0, -2.0], dtype=tg.float64, requires_grad=True)
    hi = tg.tensor([1.0, 1.0, 1.0, 2.0, -1.0], dtype=tg.float64, requires_grad=True)
    y = x.clamp(min=lo, max=hi)
    assert y.tolist() == [0.0, 1.0, 1.0, 2.0, -1.0]  # lo > hi gives hi
    y.sum().backward()
    # ties (x == lo, x == hi) send the gradient to x; lo > hi sends it to hi (PyTorch 2.13)
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 0.0, 1.0]
    assert lo.grad.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]
    assert hi.grad.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]
    a = tg.tensor([[-2.0, 0.5, 3.0]], dtype=tg.float64, requires_grad=True)
    low = tg.tensor([[0.0], [1.0]], dtype=tg.float64, requires_grad=True)
    out = a.clamp(min=low)  # broadcast to (2, 3)
    np.testing.assert_array_equal(out.numpy(), np.maximum(a.numpy(), low.numpy()))
    out.sum().backward()
    assert a.grad.tolist() == [[0.0, 1.0, 2.0]] and low.grad.tolist() == [[1.0], [2.0]]
    assert_gradients_close(lambda v, w: v.clamp(max=w), tg.tensor([0.3, -1.2, 2.5],
                                                                  dtype=tg.float64),
                           tg.tensor([1.0, -2.0, 0.0], dtype=tg.float64))
    assert tg.tensor([1, 5]).clamp(max=tg.tensor([2.5, 2.5])).tolist() == [1.0, 2.5]
    assert tg.ones(2, dtype=tg.float32).clamp(min=tg.tensor(0.0, dtype=tg.float64)).dtype \
        == np.float32  # a 0-d bound does not widen
    b = tg.tensor([5.0, -5.0])
    b.clamp_(min=tg.tensor([0.0, 0.0]), max=tg.tensor([1.0, 1.0]))
    assert b.tolist() == [1.0, 0.0]
    torch = pytest.importorskip("torch")
    tx = torch.tensor([0.0, 1.0, 2.0, 3.0, -1.0], requires_grad=True)
    tlo = torch.tensor([0.0, 0.0, 3.0, 1.0, -2.0], requires_grad=True)
    thi = torch.tensor([1.0, 1.0, 1.0, 2.0, -1.0], requires_grad=True)
    torch.clamp(tx, tlo, thi).sum().backward()
    assert (tx.grad.tolist(), tlo.grad.tolist(), thi.grad.tolist()) == \
        (x.grad.tolist(), lo.grad.tolist(), hi.grad.tolist())


# ---------------------------------------------------------------- numpy functions on tensors
# A numpy function given a tensor that requires grad either records (value as numpy's,
# gradient as central differences) or raises a TypeError naming it: never a plain array.

# the numpy column of the op table: (label, numpy call, its arguments: tensors where the arrays are)
_RECORDED = [call for op in OPS for call in op.numpy]


@pytest.mark.parametrize("call, args", [(c, a) for _, c, a in _RECORDED],
                         ids=[n for n, _, _ in _RECORDED])
def test_numpy_function_on_a_tensor_records_value_and_gradient(call, args):
    ts = [tg.tensor(a, requires_grad=True) for a in args]  # float64, as the arrays
    out = call(*ts)
    assert isinstance(out, tg.Tensor) and out.requires_grad
    expected = call(*args)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-14)
    assert_gradients_close(call, *ts)


# (name the error must give, numpy call on one tensor)
_REFUSED = [
    ("np.prod", lambda x: np.prod(x)),
    ("np.cumsum", lambda x: np.cumsum(x, dtype=np.float32)),
    ("np.einsum", lambda x: np.einsum("ij->i", x)),
    ("np.linalg.norm", lambda x: np.linalg.norm(x, 1)),
    ("np.linalg.norm", lambda x: np.linalg.norm(x, ord=np.inf, axis=1)),
    ("np.linalg.det", lambda x: np.linalg.det(x[:, :3])),
    ("np.dot", lambda x: np.dot(x[None], x.T)),  # 3-D: not a matrix product
    ("np.inner", lambda x: np.inner(x[None], x[None])),
    ("np.sum", lambda x: np.sum(x, dtype=np.float32)),
    ("np.mean", lambda x: np.mean(x, where=True)),
    ("np.var", lambda x: np.var(x, dtype=np.float32)),
    ("np.max", lambda x: np.max(x, initial=5.0)),
    ("np.sort", lambda x: np.sort(x)),
    ("np.tile", lambda x: np.tile(x, 2)),
    ("np.add.reduce", lambda x: np.add.reduce(x)),
    ("np.add.accumulate", lambda x: np.add.accumulate(x)),
    ("np.multiply.outer", lambda x: np.multiply.outer(x, x)),
    ("np.add.at", lambda x: np.add.at(x, [0], 1.0)),
    ("np.exp", lambda x: np.exp(x, out=np.empty(x.shape))),
    ("np.add", lambda x: np.add(x, 1.0, dtype=np.float32)),
    ("np.cbrt", lambda x: np.cbrt(x)),  # ufuncs with no rule
    ("np.logaddexp2", lambda x: np.logaddexp2(x, x)),
]


@pytest.mark.parametrize("name, call", _REFUSED, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(_REFUSED)])
def test_numpy_function_that_cannot_record_refuses_a_tensor_requiring_grad(name, call):
    x = tg.tensor(M, requires_grad=True)
    before = x.numpy().copy()
    with pytest.raises(TypeError, match=rf"^{name}: .*requires grad.*detach\(\)"):
        call(x)
    np.testing.assert_array_equal(x.numpy(), before)  # nothing written either


@pytest.mark.parametrize("name, call", _REFUSED, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(_REFUSED)])
def test_numpy_function_on_a_tensor_without_grad_computes_on_its_values(name, call):
    if name == "np.add.at":  # writes into its first argument: compare the memory
        x, a = tg.tensor(M), M.copy()
        call(x), call(a)
        np.testing.assert_array_equal(x.numpy(), a)
        return
    out = call(tg.tensor(M))
    expected = call(M.copy())
    assert isinstance(out, (np.ndarray, np.generic)) and not isinstance(out, tg.Tensor)
    np.testing.assert_array_equal(out, expected)


def test_common_numpy_functions_never_drop_the_graph_silently():
    x = tg.tensor(np.abs(M) * 0.5 + 0.1, requires_grad=True)  # inside every domain
    names = ["abs", "square", "sqrt", "exp", "log", "sin", "cos", "tanh", "negative", "sum",
             "mean", "max", "min", "amax", "amin", "var", "std", "prod", "cumsum", "cumprod",
             "sort", "diff", "ptp", "median", "average", "trace", "diag", "ravel", "flip",
             "round", "log1p", "expm1", "arcsin", "sinh", "cbrt", "reciprocal", "positive"]
    for name in names:
        try:
            out = getattr(np, name)(x)
        except TypeError as e:
            assert str(e).startswith(f"np.{name}: "), e
            continue
        assert isinstance(out, tg.Tensor) and out.requires_grad, name
    assert np.linalg.norm(x).requires_grad
    for name in ["det", "inv", "eigvalsh", "svd", "slogdet", "matrix_rank"]:
        with pytest.raises(TypeError, match=f"^np.linalg.{name}: "):
            getattr(np.linalg, name)(x[:3, :3])


def test_numpy_functions_of_a_tensor_without_graph_value_keep_working():
    x = tg.tensor(M, requires_grad=True)
    assert np.shape(x) == (3, 4) and np.ndim(x) == 2 and np.size(x) == 12
    assert np.allclose(x, M) and np.isclose(x, M).all() and np.array_equal(x, M)
    assert np.argmax(x) == np.argmax(M) and np.count_nonzero(x) == 12


def test_penalty_through_numpy_norm_gets_its_gradient():
    w = tg.tensor([3.0, 4.0], dtype=tg.float64, requires_grad=True)
    loss = (w * w).sum() + 0.5 * np.linalg.norm(w)  # 25 + 0.5·5
    loss.backward()
    assert loss.item() == pytest.approx(27.5)
    np.testing.assert_allclose(w.grad.numpy(), 2 * w.numpy() + 0.5 * w.numpy() / 5.0, rtol=1e-14)


def test_numpy_norm_at_zero_has_zero_gradient_and_exact_second_derivatives():
    # ‖x‖ has a kink at 0 (‖t·u‖ = |t| ‖u‖): the slope there is 0, as PyTorch's, never NaN
    w = tg.zeros(3, dtype=tg.float64, requires_grad=True)
    (g,) = tg.autograd.grad(np.linalg.norm(w), w, create_graph=True)
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0])
    (h,) = tg.autograd.grad(g.sum(), w)
    np.testing.assert_array_equal(h.numpy(), [0.0, 0.0, 0.0])
    x = tg.tensor(np.array([[3.0, 4.0], [0.0, 0.0]]), requires_grad=True)
    np.linalg.norm(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-15)
    rng = np.random.default_rng(3)
    a = tg.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: np.linalg.norm(t, axis=0, keepdims=True), [a])
    assert tg.autograd.gradgradcheck(lambda t: np.linalg.norm(t), [a])


def test_numpy_norm_of_float16_squares_in_float32():
    h = tg.tensor(np.full(10, 1e4, np.float16))
    n = np.linalg.norm(h)
    assert n.dtype == np.float16 and n.item() == pytest.approx(np.sqrt(10) * 1e4, rel=1e-3)


def test_asarray_of_a_tensor_requiring_grad_raises_like_pytorch():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    for convert in (np.asarray, np.array, lambda t: np.asarray(t, dtype=np.float64)):
        with pytest.raises(RuntimeError, match=r"requires grad.*\.detach\(\)"):
            convert(x)
        with pytest.raises(RuntimeError, match=r"requires grad"):
            convert(x * 2)
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(tg.tensor([1.0, 2.0])), [1.0, 2.0])
    with tg.no_grad():  # as PyTorch: no_grad does not make the leaf convertible
        with pytest.raises(RuntimeError, match=r"requires grad"):
            np.asarray(x)


def test_asarray_refusal_matches_pytorch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(torch.tensor([1.0], requires_grad=True))
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(tg.tensor([1.0], requires_grad=True))


# ---------------------------------------------------------------- floating results of ints
# PyTorch: a floating function of an int or bool tensor, and a choice between two Python
# numbers, take the default float dtype (float32, or what set_default_dtype set).

FLOATING = [op.name for op in OPS if op.floating]


@pytest.mark.parametrize("default", [tg.float32, tg.float64])
@pytest.mark.parametrize("dtype", [tg.int64, tg.int8, tg.uint8, tg.bool_])
def test_floating_functions_of_int_and_bool_give_the_default_dtype(dtype, default):
    x = tg.tensor([1, 0, 1], dtype=dtype)
    before = tg.get_default_dtype()
    tg.set_default_dtype(default)
    try:
        for name in FLOATING:
            out = getattr(x, name)()
            assert out.dtype == default, name
            expected = getattr(tg.tensor([1.0, 0.0, 1.0], dtype=default), name)()
            np.testing.assert_array_equal(out.numpy(), expected.numpy())
        assert np.exp(x).dtype == default and np.sqrt(x).dtype == default
        assert tg.where(x > 0, 1.0, 0.0).dtype == default
        assert tg.where(x > 0, 1, 0.5).dtype == default
        assert x.clamp(0.5, 2.5).dtype == default
    finally:
        tg.set_default_dtype(before)


def test_where_of_python_numbers_takes_their_kind():
    c = tg.tensor([True, False])
    for x, y, dtype, values in [(1.0, 0.0, tg.float32, [1.0, 0.0]), (1, 0, tg.int64, [1, 0]),
                                (1, 0.5, tg.float32, [1.0, 0.5]),
                                (True, False, tg.bool_, [True, False])]:
        out = tg.where(c, x, y)
        assert out.dtype == dtype and out.tolist() == values


def test_clamp_of_int_with_int_bounds_stays_int():
    x = tg.tensor([0, 5, 9])
    assert x.clamp(1, 6).dtype == tg.int64 and x.clamp(1, 6).tolist() == [1, 5, 6]
    assert x.clamp(0.5, 6.5).tolist() == [0.5, 5.0, 6.5]


def test_floating_dtypes_match_pytorch():
    torch = pytest.importorskip("torch")
    for name in ["exp", "log", "sqrt", "tanh", "sigmoid", "sin", "cos"]:
        want = getattr(torch.tensor([1, 2, 3]), name)().dtype
        assert str(getattr(tg.tensor([1, 2, 3]), name)().dtype) == str(want)[6:], name
    c = [True, False]
    assert str(torch.where(torch.tensor(c), 1.0, 0.0).dtype)[6:] == "float32"
    assert str(tg.where(tg.tensor(c), 1.0, 0.0).dtype) == "float32"
    assert str(torch.tensor([1, 2, 3]).clamp(0.5, 2.5).dtype)[6:] == "float32"
