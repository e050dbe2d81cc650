"""Every operation: forward equals numpy, analytic gradients equal central differences in
float64 (gradcheck), over hypothesis-drawn shapes — broadcasting pairs, 0-d, size-1, empty."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_table import ELEMENTWISE
from strategies import ANY, GRID, POSITIVE, reduction_dims, tensor

import tinygrad_edu as tg

assert_gradients_close = tg.testing.assert_gradients_close


def _check_forward(out, expected):
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("op", ELEMENTWISE, ids=repr)
@given(data=st.data())
def test_elementwise_forward_and_gradient(op, data):
    xs = data.draw(op.inputs)
    out = op.fn(*xs)
    _check_forward(out, op.ref(*(x.data for x in xs)))
    assert out.dtype == np.float64
    assert_gradients_close(op.fn, *xs)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "max", "min", "logsumexp"])
@given(data=st.data())
def test_reduction_forward_and_gradient(name, data):
    nonempty = name != "sum"
    ties_matter = name in ("amax", "amin", "max", "min")
    x = data.draw(tensor(min_side=1 if nonempty else 0, elements=GRID if ties_matter else ANY,
                         unique=ties_matter))
    dim = data.draw(reduction_dims(x.ndim))
    keepdim = data.draw(st.booleans())
    axis = None if x.ndim == 0 else dim
    reference = {"sum": np.sum, "mean": np.mean, "amax": np.amax, "amin": np.amin,
                 "max": np.amax, "min": np.amin,
                 "logsumexp": lambda a, axis, keepdims: np.log(
                     np.sum(np.exp(a), axis=axis, keepdims=keepdims))}[name]

    def f(t):
        return getattr(t, name)(dim, keepdim=keepdim)

    _check_forward(f(x), reference(x.data, axis=axis, keepdims=keepdim))
    assert_gradients_close(f, x)


@pytest.mark.parametrize("name", ["var", "std"])
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
        expected = getattr(np, name)(x.data, axis=axis, ddof=correction, keepdims=keepdim)

    def f(t):
        return getattr(t, name)(dim, keepdim=keepdim, correction=correction)

    out = f(x)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    if np.all(np.isfinite(expected)) and np.all(expected > 1e-6):
        assert_gradients_close(f, x)


def test_reduction_aliases_axis_keepdims():
    x = tg.tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_array_equal(x.mean(axis=0).data, [1.5, 2.5, 3.5])
    with pytest.raises(TypeError, match="both dim and its alias axis"):
        x.sum(0, axis=1)


def test_max_ties_split_gradient_evenly():
    x = tg.tensor([1.0, 3.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.data, [0, 1 / 3, 1 / 3, 1 / 3, 0])
    y = tg.tensor([[2.0, 2.0], [1.0, 0.0]], requires_grad=True)
    y.min(dim=1).sum().backward()
    np.testing.assert_allclose(y.grad.data, [[0.5, 0.5], [0, 1]])


def test_max_with_dim_returns_values_and_argmax_gives_indices():
    x = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values = x.max(dim=1)
    assert isinstance(values, tg.Tensor)
    np.testing.assert_array_equal(values.data, [5.0, 7.0])
    np.testing.assert_array_equal(x.argmax(dim=1).data, [1, 0])
    np.testing.assert_array_equal(x.argmin(dim=0, keepdim=True).data, [[0, 1, 0]])
    assert x.argmax().item() == 3


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_forward_and_gradient(name, data):
    x = data.draw(tensor(min_side=1).filter(lambda t: t.ndim > 0))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    e = np.exp(x.data - x.data.max(axis=dim, keepdims=True))
    p = e / e.sum(axis=dim, keepdims=True)
    _check_forward(getattr(x, name)(dim), p if name == "softmax" else np.log(p))
    assert_gradients_close(lambda t: getattr(t, name)(dim), x)


def test_softmax_logsumexp_are_stable_for_huge_inputs():
    for dtype in (tg.float32, tg.float64):
        x = tg.tensor([1000.0, 0.0, -1000.0], dtype=dtype, requires_grad=True)
        assert x.logsumexp(0).item() == pytest.approx(1000.0)
        np.testing.assert_allclose(x.softmax(0).data, [1, 0, 0], atol=1e-30)
        np.testing.assert_allclose(x.log_softmax(0).data, [0, -1000, -2000], rtol=1e-6)
        x.logsumexp(0).backward()
        np.testing.assert_allclose(x.grad.data, [1, 0, 0])
    neg = tg.tensor([-np.inf, -np.inf])
    assert neg.logsumexp(0).item() == -np.inf


# ---------------------------------------------------------------- shape operations


@given(tensor())
def test_reshape_view_flatten(x):
    n = x.numel()
    assert_gradients_close(lambda t: t.reshape(n) * np.arange(n), x)
    assert_gradients_close(lambda t: t.view(-1) * np.arange(n), x)
    assert x.flatten().shape == (n,)
    if x.ndim >= 2:
        assert x.flatten(1).shape == (x.shape[0], int(np.prod(x.shape[1:])))


@given(data=st.data())
def test_permute_transpose_T(data):
    x = data.draw(tensor())
    perm = data.draw(st.permutations(range(x.ndim)))
    _check_forward(x.permute(*perm), np.transpose(x.data, perm))
    _check_forward(x.T, x.data.T)
    rng = np.random.default_rng(0)
    w_perm = rng.standard_normal(np.transpose(x.data, perm).shape)
    w_T = rng.standard_normal(x.data.T.shape)
    assert_gradients_close(lambda t: t.permute(perm) * w_perm, x)
    assert_gradients_close(lambda t: t.T * w_T, x)
    if x.ndim >= 2:
        d0, d1 = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(
            st.integers(-x.ndim, x.ndim - 1))
        _check_forward(x.transpose(d0, d1), np.swapaxes(x.data, d0, d1))
        assert_gradients_close(lambda t: t.transpose(d0, d1) * 2.0, x)


@given(data=st.data())
def test_unsqueeze_squeeze(data):
    x = data.draw(tensor())
    d = data.draw(st.integers(-x.ndim - 1, x.ndim))
    _check_forward(x.unsqueeze(d), np.expand_dims(x.data, d))
    _check_forward(x.squeeze(), np.squeeze(x.data))
    assert_gradients_close(lambda t: t.unsqueeze(d).squeeze() * 3.0, x)


@given(data=st.data())
def test_expand_reduces_gradient_back(data):
    x = data.draw(tensor(min_side=1))
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    grown = [data.draw(st.integers(1, 3)) if n == 1 else n for n in x.shape]
    shape = tuple(lead + grown)
    _check_forward(x.expand(*shape), np.broadcast_to(x.data, shape))
    w = np.arange(int(np.prod(shape)), dtype=float).reshape(shape)
    assert_gradients_close(lambda t: t.expand(shape) * w, x)
    if x.ndim:
        assert x.expand(-1, *x.shape[1:]).shape == x.shape


# ---------------------------------------------------------------- indexing: PyTorch's order
# An int is basic indexing in PyTorch, never an advanced index: x[0, :, [0, 1]] takes x[0]
# first, then [:, [0, 1]], so the list's dimension stays in place (numpy moves it first).

ARANGE = np.arange(24.0).reshape(2, 3, 4)


@pytest.mark.parametrize("index, shape, first_row", [
    ((0, slice(None), [0, 1]), (3, 2), [0.0, 1.0]),
    ((slice(None), 0, [0, 1]), (2, 2), [0.0, 1.0]),
    (([0, 1], slice(None), 0), (2, 3), [0.0, 4.0, 8.0]),
    ((0, ..., [0, 1]), (3, 2), [0.0, 1.0]),
    ((0, None, [0, 1]), (1, 2, 4), [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]),
    ((True, 0, slice(None), [0, 1]), (2, 3), [0.0, 4.0, 8.0]),
    ((0, slice(None), np.array([True, False, True, False])), (3, 2), [0.0, 2.0]),
    ((slice(None), [0, 1], None, [0, 1]), (2, 2, 1), [[0.0], [12.0]]),
])
def test_getitem_with_ints_and_arrays_orders_dims_as_pytorch(index, shape, first_row):
    x = tg.tensor(ARANGE, requires_grad=True)
    y = x[index]
    assert y.shape == shape
    np.testing.assert_array_equal(y.data[0], first_row)
    w = np.arange(1.0, y.numel() + 1).reshape(shape)
    (y * w).sum().backward()
    assert x.grad.data.sum() == w.sum() and x.grad.data[ARANGE == y.data.flat[-1]] == w.flat[-1]
    assert_gradients_close(lambda t: t[index] * w, x)


def test_getitem_with_an_int_and_a_list_keeps_the_list_dim_in_place():
    x = tg.tensor(ARANGE)
    np.testing.assert_array_equal(x[0, :, [0, 1]].data, [[0, 1], [4, 5], [8, 9]])
    np.testing.assert_array_equal(x[tg.tensor(1), :, [3]].data, [[15], [19], [23]])
    assert x[np.int64(0), :, [0, 1]].shape == (3, 2)


def test_setitem_with_ints_and_arrays_orders_dims_as_pytorch():
    x = tg.zeros(2, 3, 4)
    x[0, :, [0, 1]] = tg.tensor(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x.data[0], [[0, 1, 0, 0], [2, 3, 0, 0], [4, 5, 0, 0]])
    assert not x.data[1].any()
    base = tg.tensor(np.ones((2, 3, 4)), requires_grad=True)
    v = tg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = base * 1.0
    y[1, :, [2, 3]] = v * 2.0
    (y * tg.tensor(ARANGE)).sum().backward()
    np.testing.assert_array_equal(v.grad.data, 2 * ARANGE[1][:, [2, 3]])
    expected = ARANGE.copy()
    expected[1, :, 2:] = 0
    np.testing.assert_array_equal(base.grad.data, expected)


@st.composite
def mixed_index(draw):
    """A shape and an index of ints, slices, lists (all of one length) and maybe a None."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=4)))
    length = draw(st.integers(1, 3))
    index = []
    for n in shape[:draw(st.integers(1, len(shape)))]:
        kind = draw(st.sampled_from(["int", "slice", "list"]))
        if kind == "int":
            index.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.integers(0, n - 1))
            index.append(slice(start, None, draw(st.integers(1, 2))))
        else:
            index.append(draw(st.lists(st.integers(-n, n - 1), min_size=length,
                                       max_size=length)))
    if draw(st.booleans()):
        index.insert(draw(st.integers(0, len(index))), None)
    return shape, tuple(index)


@given(case=mixed_index())
def test_mixed_indexing_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    shape, index = case
    data = np.arange(float(np.prod(shape))).reshape(shape)
    x, xt = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, yt = x[index], xt[index]
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    w = np.arange(1.0, y.numel() + 1).reshape(y.shape)
    (y * w).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, xt.grad.numpy())
    z, zt = tg.tensor(data), torch.tensor(data)
    z[index] = tg.tensor(-w)
    zt[index] = torch.tensor(-w)
    np.testing.assert_array_equal(z.data, zt.numpy())


@given(data=st.data())
def test_getitem_basic_and_advanced(data):
    x = data.draw(tensor(min_side=1).filter(lambda t: t.ndim >= 1))
    n = x.shape[0]
    picks = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))
    mask = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    start = data.draw(st.integers(0, n))
    for index in (0, -1, slice(start, None), (None, ..., 0), np.array(picks), picks,
                  np.array(mask), (slice(None, None, -1),)):
        _check_forward(x[index], x.data[index])
        assert_gradients_close(lambda t, i=index: t[i] * 2.0, x)


def test_getitem_repeated_indices_accumulate():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])
    y = tg.tensor(np.ones((2, 3)), requires_grad=True)
    y[tg.tensor([1, 1]), tg.tensor([2, 2])].sum().backward()
    np.testing.assert_array_equal(y.grad.data, [[0, 0, 0], [0, 0, 2]])


@given(data=st.data())
def test_cat_and_stack(data):
    base = data.draw(tensor(min_side=1).filter(lambda t: t.ndim >= 1))
    dim = data.draw(st.integers(-base.ndim, base.ndim - 1))
    size = data.draw(st.integers(0, 3))
    shape = list(base.shape)
    shape[dim] = size
    other = data.draw(tensor(tuple(shape)))
    _check_forward(tg.cat([base, other], dim), np.concatenate([base.data, other.data], dim))
    assert_gradients_close(lambda a, b: tg.cat([a, b, a], dim) * 1.5, base, other)
    sdim = data.draw(st.integers(-base.ndim - 1, base.ndim))
    twin = data.draw(tensor(base.shape))
    _check_forward(tg.stack([base, twin], sdim), np.stack([base.data, twin.data], sdim))
    assert_gradients_close(lambda a, b: tg.stack([a, b], sdim) * 2.0, base, twin)


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
        np.testing.assert_array_equal(out.data, ref(a.data, b.data))


def test_cast_between_floats_keeps_graph_and_dtype():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


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
