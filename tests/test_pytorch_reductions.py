"""The reductions speak PyTorch: sum mean var std prod max min amax amin argmax argmin
median mode norm logsumexp cumsum cumprod cummax cummin aminmax topk sort argsort kthvalue
unique, as methods and tg functions, with PyTorch's values, dtypes, shapes, defaults, named
tuples, gradients (first and second order, exact at zeros and ties as PyTorch) and errors.

Every test checks a closed form or numpy; the tests at the end also check PyTorch itself
when it is importable."""

import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hostile import (
    Refused,
    assert_same,
    check_dims,
    dims,
    hostile_input,
    numpy_or_refused,
    run_or_refused,
    tensors,
    tolerance,
)
from hypothesis import given

import tinygrad_edu as tg

X = np.array([[1.5, -2.0, 0.5, 3.0], [0.25, 4.0, -1.0, 2.0], [-3.0, 1.0, 2.5, -0.5]])


def leaf(a, dtype=tg.float64):
    return tg.tensor(np.asarray(a, dtype=float), dtype=dtype, requires_grad=True)


def gradient(f, a, weights=None):
    """∂/∂a of Σ w · f(a) (w = 1 by default), as an ndarray."""
    x = leaf(a)
    y = f(x)
    w = np.ones(y.shape) if weights is None else weights
    (g,) = tg.autograd.grad(y, x, tg.tensor(w))
    return g.numpy()


def hessian_row_sums(f, a):
    """∂/∂a of Σ (∂ Σ f / ∂a)²: a second-order quantity through create_graph."""
    x = leaf(a)
    (g,) = tg.autograd.grad(f(x).sum(), x, create_graph=True)
    (h,) = tg.autograd.grad((g * g).sum(), x)
    return h.numpy()


# ---------------------------------------------------------------- dtypes and defaults


@pytest.mark.parametrize("dtype", [tg.int8, tg.uint8, tg.int32, tg.int64, tg.bool_])
@pytest.mark.parametrize("name", ["sum", "prod"])
def test_sum_and_prod_of_ints_and_bools_give_int64(name, dtype):
    a = np.array([[1, 0, 1], [1, 1, 1]]).astype(dtype)
    out = getattr(tg.tensor(a), name)()
    assert out.dtype == tg.int64 and out.shape == ()
    assert out.item() == getattr(np, name)(a.astype(np.int64))


@pytest.mark.parametrize("dtype", [tg.uint8, tg.int32, tg.bool_])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_running_sums_and_products_of_ints_give_int64(name, dtype):
    a = np.array([1, 1, 0, 1]).astype(dtype)
    out = getattr(tg.tensor(a), name)(0)
    assert out.dtype == tg.int64
    np.testing.assert_array_equal(out.numpy(), getattr(np, name)(a.astype(np.int64)))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "cumsum", "cumprod"])
def test_dtype_argument_casts_first_and_keeps_the_gradient(name):
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)  # float32
    args = (0,) if name.startswith("cum") else ()
    out = getattr(x, name)(*args, dtype=tg.float64)
    assert out.dtype == tg.float64
    out.sum().backward()
    assert x.grad.dtype == tg.float32
    ints = getattr(tg.tensor([1, 2, 3]), name)(*args, dtype=tg.float32)
    assert ints.dtype == tg.float32
    np.testing.assert_allclose(ints.numpy(), getattr(np, name)(np.array([1.0, 2.0, 3.0])))


@pytest.mark.parametrize("name", ["mean", "var", "std", "norm"])
def test_floating_reductions_of_ints_raise_as_pytorch(name):
    for x in (tg.tensor([1, 2, 3]), tg.tensor([True, False])):
        with pytest.raises(RuntimeError, match=name):
            getattr(x, name)()
        with pytest.raises(TypeError, match="floating point"):
            getattr(x, name)()
    assert tg.tensor([1, 2]).mean(dtype=tg.float64).item() == 1.5


def test_logsumexp_of_ints_gives_the_default_float():
    out = tg.tensor([1, 2]).logsumexp(0)
    assert out.dtype == tg.float32
    assert out.item() == pytest.approx(math.log(math.e + math.e ** 2), rel=1e-6)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_correction_and_unbiased(name):
    ref = getattr(np, name)
    x = tg.tensor(X)
    np.testing.assert_allclose(getattr(x, name)().numpy(), ref(X, ddof=1))
    np.testing.assert_allclose(getattr(x, name)(unbiased=False).numpy(), ref(X, ddof=0))
    np.testing.assert_allclose(getattr(x, name)(1, correction=2).numpy(), ref(X, 1, ddof=2))
    out = getattr(x, name)(0, keepdim=True, correction=0)
    np.testing.assert_allclose(out.numpy(), ref(X, 0, ddof=0, keepdims=True))


# ---------------------------------------------------------------- named tuples


PAIRS = {  # call → (return type, its field names)
    "max": (lambda x: x.max(1), ("values", "indices")),
    "min": (lambda x: x.min(1), ("values", "indices")),
    "median": (lambda x: x.median(1), ("values", "indices")),
    "mode": (lambda x: x.mode(1), ("values", "indices")),
    "kthvalue": (lambda x: x.kthvalue(2, 1), ("values", "indices")),
    "topk": (lambda x: x.topk(2), ("values", "indices")),
    "sort": (lambda x: x.sort(), ("values", "indices")),
    "cummax": (lambda x: x.cummax(1), ("values", "indices")),
    "cummin": (lambda x: x.cummin(1), ("values", "indices")),
    "aminmax": (lambda x: x.aminmax(), ("min", "max")),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_several_results_come_as_named_tuples(name):
    call, fields = PAIRS[name]
    out = call(tg.tensor(X))
    assert type(out) is getattr(tg.return_types, name) and out._fields == fields
    first, second = out
    assert getattr(out, fields[0]) is first and out[1] is second
    assert f"return_types.{name}(" in repr(out)
    if fields[1] == "indices":  # the indices give the values back
        assert second.dtype == tg.int64 and not second.requires_grad
        axis = 1 if name in ("max", "min", "median", "mode", "kthvalue") else -1
        idx = second.numpy() if first.ndim == 2 else np.expand_dims(second.numpy(), axis)
        values = np.take_along_axis(X, idx, axis)
        np.testing.assert_array_equal(values.reshape(first.shape), first.numpy())


def test_max_min_with_a_dim_values_and_indices():
    x = tg.tensor(X)
    values, indices = x.max(1)
    np.testing.assert_array_equal(values.numpy(), X.max(1))
    np.testing.assert_array_equal(indices.numpy(), X.argmax(1))
    kept = x.min(0, keepdim=True)
    assert kept.values.shape == kept.indices.shape == (1, 4)
    np.testing.assert_array_equal(kept.indices.numpy(), X.argmin(0)[None])
    assert x.max().shape == () and x.max().item() == X.max()  # no dim: a tensor


def test_tg_max_of_two_tensors_is_elementwise():
    a, b = tg.tensor([1.0, 5.0, 3.0]), tg.tensor([2.0, 4.0, 3.0])
    np.testing.assert_array_equal(tg.max(a, b).numpy(), [2.0, 5.0, 3.0])
    np.testing.assert_array_equal(tg.min(a, b).numpy(), [1.0, 4.0, 3.0])
    np.testing.assert_array_equal(a.max(b).numpy(), [2.0, 5.0, 3.0])


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "prod", "max", "min", "amax",
                                  "amin", "aminmax", "argmax", "argmin", "median", "mode",
                                  "norm", "logsumexp", "cumsum", "cumprod", "cummax",
                                  "cummin", "topk", "sort", "argsort", "kthvalue", "unique"])
def test_every_reduction_is_also_a_tg_function(name):
    x = tg.tensor(X)
    args = {"logsumexp": (1,), "cumsum": (1,), "cumprod": (1,), "cummax": (1,),
            "cummin": (1,), "topk": (2,), "kthvalue": (2,)}.get(name, ())
    mine, method = getattr(tg, name)(x, *args), getattr(x, name)(*args)
    for a, b in zip(mine if isinstance(mine, tuple) else (mine,),
                    method if isinstance(method, tuple) else (method,)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert getattr(tg, name)(X, *args) is not None  # an ndarray is taken as a tensor


# ---------------------------------------------------------------- prod, cumsum, cumprod


def others(a):
    """Π_{j ≠ i} a_j for each i: the gradient of Π a."""
    return np.array([np.prod(np.delete(a, i)) for i in range(a.size)])


@pytest.mark.parametrize("a", [[2.0, 3.0, 4.0, 0.5], [2.0, 0.0, 4.0, 0.5],
                               [0.0, 3.0, 0.0, 0.5], [0.0, 0.0, 0.0, 0.0]])
def test_prod_gradient_is_exact_with_zeros(a):
    a = np.array(a)
    np.testing.assert_array_equal(gradient(lambda x: x.prod(), a), others(a))
    grid = np.stack([a, a[::-1]])  # along a dim, both rows
    np.testing.assert_array_equal(gradient(lambda x: x.prod(1), grid),
                                  np.stack([others(a), others(a[::-1])]))
    # ∂²/∂aᵢ∂aⱼ Π a = Π_{k ≠ i, j} a_k (i ≠ j), 0 on the diagonal
    n = a.size
    hess = np.array([[0.0 if i == j else np.prod(np.delete(a, [i, j])) for j in range(n)]
                     for i in range(n)])
    g = others(a)
    np.testing.assert_allclose(hessian_row_sums(lambda x: x.prod(), a), 2 * hess @ g)


def test_cumsum_gradient_is_the_reversed_running_sum():
    w = np.arange(1.0, 5.0)
    np.testing.assert_array_equal(gradient(lambda x: x.cumsum(0), X[0], w), [10, 9, 7, 4])
    np.testing.assert_array_equal(gradient(lambda x: x.cumsum(0), X, np.ones(X.shape)),
                                  np.broadcast_to([[3.0], [2.0], [1.0]], X.shape))


def cumprod_gradient(a, w):
    """∂/∂aⱼ Σᵢ wᵢ Π_{k ≤ i} a_k = Σ_{i ≥ j} wᵢ Π_{k ≤ i, k ≠ j} a_k, term by term."""
    n = a.size
    return np.array([sum(w[i] * np.prod([a[k] for k in range(i + 1) if k != j])
                         for i in range(j, n)) for j in range(n)])


@pytest.mark.parametrize("a", [[2.0, 3.0, -1.0, 0.5, 4.0], [2.0, 0.0, 3.0, 4.0, 5.0],
                               [2.0, 0.0, 3.0, 0.0, 5.0], [0.0, 0.0, 1.0, 2.0, 3.0]])
def test_cumprod_gradient_is_exact_with_zeros(a):
    a, w = np.array(a), np.arange(1.0, 6.0)
    np.testing.assert_allclose(gradient(lambda x: x.cumprod(0), a, w), cumprod_gradient(a, w),
                               rtol=1e-14)
    np.testing.assert_allclose(gradient(lambda x: x.cumprod(1), np.stack([a, a]),
                                        np.stack([w, w])),
                               np.stack([cumprod_gradient(a, w)] * 2), rtol=1e-14)
    assert tg.autograd.gradgradcheck(lambda x: x.cumprod(0), (leaf(a),))


# ---------------------------------------------------------------- selections


def test_median_is_the_lower_middle_value():
    x = tg.tensor([4.0, 1.0, 3.0, 2.0])
    out = x.median()
    assert out.shape == () and out.item() == 2.0
    values, indices = tg.tensor([[4.0, 1.0, 3.0, 2.0], [5.0, 6.0, 7.0, 8.0]]).median(1)
    np.testing.assert_array_equal(values.numpy(), [2.0, 6.0])
    np.testing.assert_array_equal(indices.numpy(), [3, 1])
    assert np.isnan(tg.tensor([1.0, np.nan, 3.0]).median().item())
    nan_row = tg.tensor([[1.0, np.nan, 3.0, np.nan]]).median(1)
    assert np.isnan(nan_row.values.item()) and nan_row.indices.item() == 1


def test_median_gradients_whole_tensor_shares_ties_dim_goes_to_the_index():
    a = np.array([1.0, 2.0, 2.0, 3.0, 2.0])
    np.testing.assert_allclose(gradient(lambda x: x.median(), a), [0, 1 / 3, 1 / 3, 0, 1 / 3])
    np.testing.assert_array_equal(gradient(lambda x: x.median(0).values, a), [0, 0, 1, 0, 0])


def test_mode_is_the_smallest_most_frequent_value_at_its_last_index():
    values, indices = tg.tensor([1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 2.0]).mode()
    assert values.item() == 1.0 and indices.item() == 6
    out = tg.tensor([[3, 1, 3, 1], [2, 2, 5, 5]]).mode(1)
    np.testing.assert_array_equal(out.values.numpy(), [1, 2])
    np.testing.assert_array_equal(out.indices.numpy(), [3, 1])
    np.testing.assert_array_equal(gradient(lambda x: x.mode(0).values, [3.0, 1.0, 3.0, 1.0]),
                                  [0, 0, 0, 1])


def test_sort_is_stable_with_nan_largest():
    a = np.array([2.0, 1.0, 2.0, 1.0, np.nan])
    up = tg.tensor(a).sort()
    np.testing.assert_array_equal(up.indices.numpy(), [1, 3, 0, 2, 4])
    down = tg.tensor(a).sort(descending=True)
    np.testing.assert_array_equal(down.indices.numpy(), [4, 0, 2, 1, 3])
    np.testing.assert_array_equal(tg.tensor(a).argsort(descending=True).numpy(), [4, 0, 2, 1, 3])
    np.testing.assert_array_equal(tg.tensor(X).argsort(0).numpy(), np.argsort(X, 0))
    np.testing.assert_array_equal(tg.tensor(X).sort(0).values.numpy(), np.sort(X, 0))


def test_topk_and_kthvalue():
    x = tg.tensor(X)
    top = x.topk(3)
    np.testing.assert_array_equal(top.values.numpy(), -np.sort(-X, 1)[:, :3])
    low = x.topk(2, dim=0, largest=False)
    np.testing.assert_array_equal(low.values.numpy(), np.sort(X, 0)[:2])
    kth = x.kthvalue(2, 0, keepdim=True)
    np.testing.assert_array_equal(kth.values.numpy(), np.sort(X, 0)[1:2])
    np.testing.assert_array_equal(kth.indices.numpy(), np.argsort(X, 0)[1:2])
    w = np.array([[1.0, 10.0]] * 3)
    g = gradient(lambda t: t.topk(2).values, X, w)  # the gradient lands on the chosen places
    expected = np.zeros(X.shape)
    np.put_along_axis(expected, np.argsort(-X, 1)[:, :2], w, 1)
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize("call", [lambda x: x.topk(5), lambda x: x.kthvalue(0),
                                  lambda x: x.kthvalue(5), lambda x: x.topk(-1)])
def test_k_out_of_range_raises_as_pytorch(call):
    with pytest.raises(RuntimeError, match="out of range"):
        call(tg.tensor([1.0, 2.0, 3.0, 4.0]))
    with pytest.raises(ValueError, match="k = "):
        call(tg.tensor([1.0, 2.0, 3.0, 4.0]))


def test_cummax_cummin_take_the_latest_index_and_propagate_nan():
    out = tg.tensor([1.0, 3.0, 3.0, 2.0, 3.0]).cummax(0)
    np.testing.assert_array_equal(out.values.numpy(), [1, 3, 3, 3, 3])
    np.testing.assert_array_equal(out.indices.numpy(), [0, 1, 2, 2, 4])
    low = tg.tensor([1.0, 0.0, 0.0, 2.0, np.nan, 0.0]).cummin(0)
    np.testing.assert_array_equal(low.values.numpy(), [1, 0, 0, 0, np.nan, np.nan])
    np.testing.assert_array_equal(low.indices.numpy(), [0, 1, 2, 2, 4, 4])
    # a repeated index collects the gradient of every place that chose it
    w = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    np.testing.assert_array_equal(gradient(lambda x: x.cummax(0).values,
                                           [1.0, 3.0, 3.0, 2.0, 3.0], w), [1, 2, 12, 0, 16])


def test_aminmax_shares_ties_like_amin_and_amax():
    a = np.array([1.0, 3.0, 3.0, 2.0])
    x = leaf(a)
    lo, hi = x.aminmax()
    assert lo.item() == 1.0 and hi.item() == 3.0
    (lo + hi).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 0.5, 0.5, 0])
    per_row = tg.tensor(X).aminmax(dim=1, keepdim=True)
    np.testing.assert_array_equal(per_row.max.numpy(), X.max(1, keepdims=True))


def test_unique_sorted_inverse_counts_and_dim():
    values, inverse, counts = tg.tensor([[3, 1], [1, 2]]).unique(return_inverse=True,
                                                                 return_counts=True)
    np.testing.assert_array_equal(values.numpy(), [1, 2, 3])
    np.testing.assert_array_equal(inverse.numpy(), [[2, 0], [0, 1]])
    np.testing.assert_array_equal(counts.numpy(), [2, 1, 1])
    assert inverse.dtype == counts.dtype == tg.int64
    rows = tg.unique(tg.tensor([[1, 2], [1, 2], [0, 3]]), dim=0)
    np.testing.assert_array_equal(rows.numpy(), [[0, 3], [1, 2]])


@pytest.mark.parametrize("call", [lambda x: x.argmax(), lambda x: x.argmin(1),
                                  lambda x: x.argsort(), lambda x: x.unique(),
                                  lambda x: x.sort().indices, lambda x: x.max(0).indices])
def test_indices_and_unique_carry_no_graph(call):
    out = call(leaf(X))
    assert not out.requires_grad and out.grad_fn is None


def running(ufunc):
    """numpy's running sum or product as PyTorch gives it: ints and bools in int64, float16
    accumulated in float32 and rounded."""
    def ref(a, axis):
        wide = np.float32 if a.dtype == np.float16 else np.int64 if a.dtype.kind in "biu" \
            else a.dtype
        with np.errstate(over="ignore"):
            return ufunc(a, axis=axis, dtype=wide).astype(
                a.dtype if a.dtype.kind == "f" else np.int64)
    return ref


# one dim ops fed hostile tensors (every dtype, NaN, inf, empty) and hostile dims
ALONG = {
    "cumsum": running(np.cumsum),
    "cumprod": running(np.cumprod),
    "sort": lambda a, axis: np.sort(a, axis),  # NaN last, as PyTorch
    "argsort": lambda a, axis: np.argsort(a, axis, kind="stable").astype(np.int64),
    "cummax": lambda a, axis: np.maximum.accumulate(a, axis),
}


@hostile_input
@given(st.sampled_from(sorted(ALONG)), tensors(), dims)
def test_one_dim_ops_with_hostile_input(name, x, dim):
    a = x.numpy()

    def expected():
        if dim is None:
            raise Refused  # a dim is required (sort's default is -1, not None)
        axes = check_dims(dim, x.ndim, single=True)
        if not axes:  # a 0-d tensor is its own running sum, sorted order and so on
            b = np.atleast_1d(a)
            return numpy_or_refused(ALONG[name], b, 0).reshape(())
        return numpy_or_refused(ALONG[name], a, axes[0])

    def call():
        out = getattr(x, name)(dim)
        return out if isinstance(out, tg.Tensor) else out.values

    got = run_or_refused(call, expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))


# ---------------------------------------------------------------- norm


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 0.5, -1, 0, math.inf, -math.inf])
def test_norm_values_for_each_p(p):
    a = np.array([[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]])
    x = tg.tensor(a)
    order = 2 if p == "fro" else p
    for dim in (None, 1, 0):
        flat = a.reshape(-1) if dim is None else a
        want = np.linalg.norm(flat, ord=order, axis=None if dim is None else dim)
        np.testing.assert_allclose(x.norm(p, dim).numpy(), want, rtol=1e-6)
    assert x.norm(p, 1, keepdim=True).shape == (2, 1)
    np.testing.assert_allclose(tg.norm(x, p=p, dim=(0, 1)).numpy(),
                               np.linalg.norm(a.reshape(-1), ord=order), rtol=1e-6)


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, math.inf, -math.inf, 0])
def test_norm_gradient_at_zero_is_zero(p):
    np.testing.assert_array_equal(gradient(lambda x: x.norm(p), np.zeros(3)), np.zeros(3))


def test_norm_gradients_closed_forms():
    a = np.array([3.0, -4.0, 1.0])
    np.testing.assert_allclose(gradient(lambda x: x.norm(), a), a / np.sqrt(26))
    np.testing.assert_allclose(gradient(lambda x: x.norm(1), a), np.sign(a))
    n3 = np.sum(np.abs(a) ** 3) ** (1 / 3)
    np.testing.assert_allclose(gradient(lambda x: x.norm(3), a), np.sign(a) * a * a / n3 ** 2)
    np.testing.assert_array_equal(gradient(lambda x: x.norm(math.inf), a), [0, -1, 0])
    np.testing.assert_array_equal(gradient(lambda x: x.norm(0), a), [0, 0, 0])


def test_norm_refuses_what_it_does_not_know():
    with pytest.raises(ValueError, match=r"nuclear norm of matrices use tg\.linalg\.matrix_norm"):
        tg.tensor(X).norm("nuc")
    with pytest.raises(ValueError, match="norm: p must be"):
        tg.tensor(X).norm("euclid")


def test_prod_and_max_with_a_tuple_of_dims_raise_type_error():
    with pytest.raises(TypeError, match="prod: dim must be an int"):
        tg.tensor(X).prod((0, 1))
    with pytest.raises(TypeError, match="max: dim must be an int"):
        tg.tensor(X).max((0, 1))


# ---------------------------------------------------------------- against PyTorch


CALLS = {
    "sum": lambda t: t.sum(1),
    "sum keepdim": lambda t: t.sum((0, 1), keepdim=True),
    "mean": lambda t: t.mean(0),
    "var": lambda t: t.var(1, correction=0),
    "std unbiased": lambda t: t.std(0, unbiased=True),
    "prod": lambda t: t.prod(),
    "prod dim": lambda t: t.prod(1, keepdim=True),
    "max": lambda t: t.max(),
    "max dim": lambda t: t.max(1),
    "min dim keepdim": lambda t: t.min(0, keepdim=True),
    "amax": lambda t: t.amax((0, 1)),
    "amin": lambda t: t.amin(1),
    "aminmax": lambda t: t.aminmax(dim=0),
    "argmax": lambda t: t.argmax(1),
    "argmin": lambda t: t.argmin(),
    "median": lambda t: t.median(),
    "median dim": lambda t: t.median(0),
    "mode": lambda t: t.mode(1),
    "norm": lambda t: t.norm(),
    "norm p": lambda t: t.norm(p=3, dim=1),
    "norm p<1": lambda t: t.norm(p=0.5, dim=0, keepdim=True),
    "norm inf": lambda t: t.norm(p=math.inf, dim=1),
    "norm 0": lambda t: t.norm(p=0),
    "norm 1": lambda t: t.norm(p=1, dim=1),
    "logsumexp": lambda t: t.logsumexp(1),
    "cumsum": lambda t: t.cumsum(1),
    "cumprod": lambda t: t.cumprod(1),
    "cumprod 0": lambda t: t.cumprod(0),
    "cummax": lambda t: t.cummax(1),
    "cummin": lambda t: t.cummin(0),
    "topk": lambda t: t.topk(2),
    "topk smallest": lambda t: t.topk(2, dim=0, largest=False),
    "sort": lambda t: t.sort(0, descending=True),
    "argsort": lambda t: t.argsort(1),
    "kthvalue": lambda t: t.kthvalue(2, 1, keepdim=True),
    "unique": lambda t: t.unique(return_inverse=True, return_counts=True),
}
# distinct values (no ties, where PyTorch's choice of index is its own), then zeros
INPUTS = {"distinct": X, "zeros": np.array([[1.5, 0.0, 0.5, 3.0], [0.25, 4.0, 0.0, 0.0],
                                            [-3.0, 1.0, 2.5, -0.5]])}
WITHOUT_GRADIENT = {"argmax", "argmin", "argsort", "unique"}


def parts(out):
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize("data", sorted(INPUTS))
@pytest.mark.parametrize("name", sorted(CALLS))
def test_matches_pytorch(name, data):
    torch = pytest.importorskip("torch")
    a, call = INPUTS[data], CALLS[name]
    if data == "zeros" and name in ("mode", "median", "median dim", "sort", "topk",
                                    "topk smallest", "kthvalue", "cummin", "unique"):
        a = X  # the zeros would tie: PyTorch's index among ties is its own
    differentiable = name not in WITHOUT_GRADIENT
    mine = parts(call(leaf(a) if differentiable else tg.tensor(a)))
    t = torch.tensor(a, requires_grad=differentiable)
    theirs = parts(call(t))
    if isinstance(call(t), tuple) and not name.startswith("unique"):
        assert type(call(leaf(a))).__name__ == type(call(t)).__name__
        assert mine._fields == theirs._fields if hasattr(theirs, "_fields") else True
    for m, p in zip(mine, theirs, strict=True):
        assert m.shape == tuple(p.shape)
        assert str(m.dtype) == str(p.dtype).replace("torch.", "")
        np.testing.assert_allclose(m.numpy(), p.detach().numpy(), rtol=1e-12, atol=1e-14)
    if not differentiable or name == "norm 0":  # PyTorch: no gradient at all for p = 0
        return
    out, ref = mine[0], theirs[0]
    w = np.arange(1.0, out.numpy().size + 1).reshape(out.shape)
    x = leaf(a)
    (g,) = tg.autograd.grad(parts(call(x))[0], x, tg.tensor(w), create_graph=True)
    (gt,) = torch.autograd.grad(ref, t, torch.tensor(w), create_graph=True)
    np.testing.assert_allclose(g.numpy(), gt.detach().numpy(), rtol=1e-12, atol=1e-14)
    if not gt.requires_grad:
        return
    (ht,) = torch.autograd.grad((gt * gt).sum(), t)  # second order: ∂/∂x Σ (∂L/∂x)²
    if not g.requires_grad:  # our gradient is constant in x (|x|' = sgn x): PyTorch's is too
        np.testing.assert_array_equal(ht.numpy(force=True), 0)
        return
    (h,) = tg.autograd.grad((g * g).sum(), x)
    want = ht.numpy(force=True)  # a ZeroTensor where the gradient is constant (|x|)
    if name == "norm p<1":  # at x = 0, where PyTorch's second pass makes 0 · ∞ = NaN, ours 0
        assert np.all(h.numpy()[np.isnan(want)] == 0)
        want = np.where(np.isnan(want), 0, want)
    np.testing.assert_allclose(h.numpy(), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call", [lambda m: m.tensor([1, 2]).mean(),
                                  lambda m: m.tensor([1, 2]).var(),
                                  lambda m: m.tensor([1, 2]).norm(),
                                  lambda m: m.tensor([1.0, 2.0]).topk(3),
                                  lambda m: m.tensor([1.0, 2.0]).kthvalue(0)])
def test_errors_are_pytorchs_types(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(tg)
