"""PyTorch conformance of comparisons and logic (eq ... ge, & | ^ ~, logical_*, isnan,
isclose, all/any, where, nonzero, count_nonzero) and of in-place changes (the `<f>_` forms,
masked_fill_, index_add_, scatter_, the random fills, detach_): each test checks numpy or a
closed form, and PyTorch as well where it is installed."""

import numpy as np
import pytest
from helpers import torch_or_none
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRID, tensor

import tinygrad_edu as tg
from tinygrad_edu.arguments import UnsupportedDtypeError
from tinygrad_edu.testing import assert_gradients_close


def same(ours, expected):
    """A tensor's values and dtype equal an ndarray's."""
    assert isinstance(ours, tg.Tensor)
    assert ours.dtype == expected.dtype, (ours.dtype, expected.dtype)
    np.testing.assert_array_equal(ours.numpy(), expected)


def like_torch(ours, theirs):
    """Our result equals PyTorch's: values, dtype (by name) and shape."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            like_torch(o, t)
        return
    if isinstance(theirs, bool):
        assert ours is theirs
        return
    assert str(ours.dtype).replace("bool_", "bool") == str(theirs.dtype).split(".")[1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


F = np.array([[1.0, np.nan, np.inf], [-np.inf, 0.0, -2.5]])
INTS = np.array([[1, 2, 3], [0, -4, 5]])
B = np.array([[True, False, True], [False, False, True]])
U = np.array([[1, 0, 3], [0, 0, 5]], dtype=np.uint8)

COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal, "logical_and": np.logical_and,
           "logical_or": np.logical_or, "logical_xor": np.logical_xor}


# ---------------------------------------------------------------- comparisons and logic


@pytest.mark.parametrize("name", COMPARE)
@pytest.mark.parametrize("left, right", [(F, F[::-1]), (INTS, 2), (INTS, 2.5), (B, INTS), (INTS, F)])
def test_comparisons_and_logical_functions_as_method_and_function(name, left, right):
    expected = COMPARE[name](left, right)
    ours_right = tg.tensor(right) if isinstance(right, np.ndarray) else right
    same(getattr(tg.tensor(left), name)(ours_right), expected)
    same(getattr(tg, name)(tg.tensor(left), ours_right), expected)


@pytest.mark.parametrize("name", COMPARE)
def test_comparisons_and_logical_functions_like_torch(name):
    torch = pytest.importorskip("torch")
    for left, right in [(F, F[::-1].copy()), (INTS, F), (B, INTS), (U, INTS)]:
        like_torch(getattr(tg, name)(tg.tensor(left), tg.tensor(right)),
                   getattr(torch, name)(torch.tensor(left), torch.tensor(right)))


def test_comparisons_of_tensors_that_require_grad_are_outside_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    for out in (x > 1, x.eq(x), tg.isnan(x), x.logical_not(), x.all(), x.isclose(x)):
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None


BITWISE = [("&", np.bitwise_and, lambda a, b: a & b), ("|", np.bitwise_or, lambda a, b: a | b),
           ("^", np.bitwise_xor, lambda a, b: a ^ b)]


@pytest.mark.parametrize("label, ref, op", BITWISE, ids=[b[0] for b in BITWISE])
def test_bitwise_operators_on_ints_and_logical_on_bools(label, ref, op):
    same(op(tg.tensor(INTS), tg.tensor(INTS[::-1])), ref(INTS, INTS[::-1]))
    same(op(tg.tensor(B), tg.tensor(B[::-1])), ref(B, B[::-1]))  # bool: logical
    same(op(tg.tensor(INTS), tg.tensor(B)), ref(INTS, B))  # int with bool: int64
    same(op(tg.tensor(INTS, dtype=tg.int32), 5), ref(INTS.astype(np.int32), 5))  # keeps int32
    same(op(tg.tensor(B), True), ref(B, True))
    same(op(True, tg.tensor(B)), ref(True, B))  # reflected
    same(op(tg.tensor(B), 1), ref(B, 1))  # bool with a Python int: int64, as PyTorch


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
def test_bitwise_named_forms(name):
    ref = getattr(np, name)
    same(getattr(tg, name)(tg.tensor(INTS), 6), ref(INTS, 6))
    same(getattr(tg.tensor(B), name)(tg.tensor(B[::-1])), ref(B, B[::-1]))


def test_invert_is_bitwise_not_on_ints_and_logical_not_on_bools():
    same(~tg.tensor(INTS), ~INTS)
    same(~tg.tensor(B), ~B)
    same(tg.bitwise_not(tg.tensor(INTS)), ~INTS)
    same(tg.tensor(B).bitwise_not(), ~B)


@pytest.mark.parametrize("call", [lambda x: x & x, lambda x: x | 1, lambda x: 1 ^ x, lambda x: ~x,
                                  lambda x: tg.tensor([1, 2]) & 2.5,
                                  lambda x: tg.bitwise_and(x, x)])
def test_bitwise_of_floats_is_refused_as_pytorch(call):
    with pytest.raises(UnsupportedDtypeError, match="int and bool tensors only") as info:
        call(tg.tensor([1.0, 2.0]))
    # a TypeError here, and PyTorch's NotImplementedError (a RuntimeError) for PyTorch code
    assert isinstance(info.value, TypeError) and isinstance(info.value, NotImplementedError)
    assert isinstance(info.value, RuntimeError)


def test_bitwise_of_floats_is_refused_by_torch_too():
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError):
        torch.tensor([1.0]) & torch.tensor([1.0])
    with pytest.raises(TypeError):
        ~torch.tensor([1.0])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "logical_not"])
@pytest.mark.parametrize("a", [F, INTS, B, F.astype(np.float16)], ids=["f64", "i64", "bool", "f16"])
def test_tests_of_one_value(name, a):
    expected = getattr(np, name)(a)
    same(getattr(tg, name)(tg.tensor(a)), expected)
    same(getattr(tg.tensor(a), name)(), expected)
    torch = torch_or_none()
    if torch is not None:
        like_torch(getattr(tg, name)(tg.tensor(a)), getattr(torch, name)(torch.tensor(a)))


def test_isclose_allclose_and_equal():
    a = tg.tensor([1.0, 1.0 + 1e-6, np.nan, np.inf, 2.0], dtype=tg.float64)
    b = tg.tensor([1.0, 1.0, np.nan, np.inf, 2.1], dtype=tg.float64)
    same(tg.isclose(a, b), np.array([True, True, False, True, False]))
    same(a.isclose(b, equal_nan=True), np.array([True, True, True, True, False]))
    same(tg.isclose(a, b, rtol=0, atol=0.2), np.isclose(a.numpy(), b.numpy(), 0, 0.2))
    assert tg.allclose(a[:2], b[:2]) is True and a.allclose(b) is False
    assert tg.allclose(a[:4], b[:4], equal_nan=True) is True
    assert tg.equal(a[:1], b[:1]) is True and a.equal(b) is False  # NaN ≠ NaN
    assert tg.equal(tg.tensor([1, 2]), tg.tensor([1.0, 2.0])) is True  # values, any dtype
    assert tg.equal(tg.tensor([1, 2]), tg.tensor([[1, 2]])) is False  # shapes differ
    torch = torch_or_none()
    if torch is not None:
        ta, tb = torch.tensor(a.numpy()), torch.tensor(b.numpy())
        like_torch(tg.isclose(a, b, equal_nan=True), torch.isclose(ta, tb, equal_nan=True))
        assert tg.allclose(a, b) is torch.allclose(ta, tb)
        assert tg.equal(a, b) is torch.equal(ta, tb)


def test_isclose_refuses_what_pytorch_refuses():
    f = tg.tensor([1.0])
    with pytest.raises(RuntimeError, match="one dtype"):
        tg.isclose(f, f.double())  # PyTorch does not promote here
    with pytest.raises(RuntimeError, match="rtol must be non-negative"):
        tg.isclose(f, f, rtol=-1)
    with pytest.raises(TypeError, match="other must be a tensor"):
        tg.isclose(f, 1.0)
    with pytest.raises(TypeError, match="other must be a tensor"):
        tg.equal(f, 1)


@st.composite
def array_and_dim(draw):
    x = draw(tensor(elements=GRID))
    dim = draw(st.one_of(st.none(), st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1),
                         st.permutations(range(x.ndim)).flatmap(
                             lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k])))))
    return x.detach() > 0, dim


@given(array_and_dim(), st.booleans())
def test_all_and_any_with_dim_and_keepdim(x_dim, keepdim):
    x, dim = x_dim
    axis = None if dim is None or x.ndim == 0 else dim
    for name in ("all", "any"):
        expected = getattr(np, name)(x.numpy(), axis=axis, keepdims=keepdim)
        same(getattr(x, name)(dim, keepdim), np.asarray(expected))
        same(getattr(tg, name)(x, dim=dim, keepdim=keepdim), np.asarray(expected))


def test_all_and_any_like_torch():
    for a in (F, INTS, B, U, np.zeros((0, 2))):
        expected_all, expected_any = np.all(a, axis=0), np.any(a, axis=0)
        dtype = np.uint8 if a.dtype == np.uint8 else np.bool_  # PyTorch keeps uint8
        same(tg.tensor(a).all(0), expected_all.astype(dtype))
        same(tg.any(tg.tensor(a), 0), expected_any.astype(dtype))
        same(tg.tensor(a).all(), np.asarray(np.all(a)).astype(dtype))
        torch = torch_or_none()
        if torch is not None:
            for dim in (None, 0, -1, (0, 1)):
                kw = {} if dim is None else {"dim": dim}
                like_torch(tg.tensor(a).all(**kw), torch.tensor(a).all(**kw))
                like_torch(tg.any(tg.tensor(a), **kw), torch.any(torch.tensor(a), **kw))


def test_all_refuses_a_dim_out_of_range():
    with pytest.raises(IndexError, match="all: dim 2 is out of range"):
        tg.ones(2, 3).all(2)


@pytest.mark.parametrize("a", [INTS, B, F, np.array(5), np.array(0.0), np.zeros((0, 3))],
                         ids=["int", "bool", "float", "0-d", "0-d zero", "empty"])
def test_nonzero_and_count_nonzero(a):
    x = tg.tensor(a)
    same(x.nonzero(), np.argwhere(a).astype(np.int64))
    same(tg.nonzero(x), np.argwhere(a).astype(np.int64))
    rows = np.nonzero(a.reshape(a.shape or (1,)))
    got = tg.nonzero(x, as_tuple=True)
    assert isinstance(got, tuple) and len(got) == len(rows)
    for g, r in zip(got, rows):
        same(g, r.astype(np.int64))
    for g, r in zip(tg.where(x), rows, strict=True):  # where(cond) alone is the same
        same(g, r.astype(np.int64))
    same(tg.count_nonzero(x), np.asarray(np.count_nonzero(a), dtype=np.int64))
    if a.ndim == 2:
        same(x.count_nonzero(dim=0), np.count_nonzero(a, axis=0).astype(np.int64))
        same(x.count_nonzero((0, 1)), np.asarray(np.count_nonzero(a), np.int64))
    torch = torch_or_none()
    if torch is not None:
        t = torch.tensor(a)
        like_torch(tg.nonzero(x), torch.nonzero(t))
        like_torch(tg.nonzero(x, as_tuple=True), torch.nonzero(t, as_tuple=True))
        like_torch(tg.where(x), torch.where(t))
        like_torch(tg.count_nonzero(x), torch.count_nonzero(t))


WHERE = [(1.0, 0.0, tg.float32), (1, 0, tg.int64), (True, False, tg.bool_),
         (INTS[0], 2.5, tg.float32), (F[0], 2, tg.float64),
         (F[0].astype(np.float32), INTS[0], tg.float32)]


@pytest.mark.parametrize("x, y, dtype", WHERE, ids=[f"{type(x).__name__},{type(y).__name__}"
                                                    for x, y, _ in WHERE])
def test_where_with_number_branches_takes_pytorchs_dtype(x, y, dtype):
    cond = np.array([True, False, True])
    ours = tg.where(tg.tensor(cond), *(tg.tensor(v) if isinstance(v, np.ndarray) else v
                                       for v in (x, y)))
    np.testing.assert_array_equal(ours.numpy(), np.where(cond, x, y))
    assert ours.dtype == dtype
    torch = torch_or_none()
    if torch is not None:
        theirs = torch.where(torch.tensor(cond), *(torch.tensor(v) if isinstance(v, np.ndarray)
                                                   else v for v in (x, y)))
        like_torch(ours, theirs)


def test_where_needs_both_branches_or_neither():
    with pytest.raises(TypeError, match="give both x and y, or neither"):
        tg.where(tg.tensor([True]), 1.0)
    with pytest.raises(TypeError, match="where: unsupported operand"):
        tg.where(tg.tensor([True]), None, None)  # None is not a branch


def test_where_number_branches_give_gradient_to_the_tensor_branch():
    x = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = tg.where(x > 0, x, 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(), [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])


# ---------------------------------------------------------------- in place

ONE_VALUE = ["exp", "expm1", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin", "cos"]


@pytest.mark.parametrize("name", ONE_VALUE)
def test_functions_of_one_value_in_place_equal_out_of_place_and_bump_the_version(name):
    a = np.array([0.25, 1.5, 3.0], dtype=np.float32)
    x = tg.tensor(a)
    memory = x.numpy()
    assert getattr(x, name + "_")() is x
    expected = getattr(tg.tensor(a), name)().numpy()
    same(x, expected)
    assert x.numpy() is memory and x._version == 1
    torch = torch_or_none()
    if torch is not None:
        t = torch.tensor(a)
        getattr(t, name + "_")()
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["exp_", "sqrt_", "sigmoid_", "log_"])
def test_a_float_function_in_place_refuses_an_int_tensor(name):
    x = tg.tensor([1, 2])
    with pytest.raises(RuntimeError, match=f"{name}: its float result cannot be written"):
        getattr(x, name)()
    assert x.tolist() == [1, 2] and x._version == 0
    torch = torch_or_none()
    if torch is not None:
        with pytest.raises(RuntimeError):
            getattr(torch.tensor([1, 2]), name)()


def test_int_in_place_forms_that_stay_int():
    x = tg.tensor([-1, 2, -3])
    x.abs_()
    assert x.tolist() == [1, 2, 3] and x.dtype == tg.int64
    x.neg_().relu_()
    assert x.tolist() == [0, 0, 0]
    y = tg.tensor([1, 2, 3]).pow_(2)
    assert y.tolist() == [1, 4, 9] and y.dtype == tg.int64
    with pytest.raises(RuntimeError, match="pow_: Integers to negative integer powers"):
        tg.tensor([1, 2]).pow_(-1)
    with pytest.raises(RuntimeError, match="pow_"):
        tg.tensor([1, 2]).pow_(0.5)  # a float result in an int tensor
    with pytest.raises(TypeError, match="neg_"):
        tg.tensor([True]).neg_()


def test_clamp_min_max_and_sub_alpha_in_place():
    x = tg.tensor([-2.0, 0.5, 3.0])
    x.clamp_min_(0.0)
    assert x.tolist() == [0.0, 0.5, 3.0]
    x.clamp_max_(1.0)
    assert x.tolist() == [0.0, 0.5, 1.0]
    x.sub_(tg.ones(3), alpha=2)
    assert x.tolist() == [-2.0, -1.5, -1.0] and x._version == 3


LEAF_CHANGES = [
    lambda w: w.exp_(), lambda w: w.sigmoid_(), lambda w: w.pow_(2), lambda w: w.neg_(),
    lambda w: w.normal_(), lambda w: w.uniform_(), lambda w: w.bernoulli_(),
    lambda w: w.masked_fill_(tg.tensor([True, False, True]), 0.0),
    lambda w: w.index_add_(0, tg.tensor([0]), tg.ones(1)),
    lambda w: w.scatter_(0, tg.tensor([1]), 2.0), lambda w: w.clamp_min_(0),
    lambda w: w.__iadd__(1), lambda w: w.__imul__(2), lambda w: w.fill_(1), lambda w: w.zero_(),
]


@pytest.mark.parametrize("change", LEAF_CHANGES)
def test_changing_a_leaf_that_requires_grad_is_refused_as_pytorch(change):
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        change(w)
    assert w.tolist() == [1.0, 2.0, 3.0] and w._version == 0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        change(w[:3])
    with tg.no_grad():
        change(w)  # allowed: the optimizers' way
    assert w._version == 1 and w.is_leaf and w.requires_grad


def test_the_refusal_matches_torch():
    torch = pytest.importorskip("torch")
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        w.exp_()


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "sqrt", "sin"])
def test_a_recorded_function_in_place_differentiates_like_out_of_place(name):
    x = tg.tensor([0.5, 1.25, 2.0], dtype=tg.float64, requires_grad=True)
    y = x * 1
    getattr(y, name + "_")()
    assert y.grad_fn.name == name.capitalize() + "Backward"
    y.sum().backward()
    expected = tg.autograd.grad(getattr(x, name)().sum(), x)[0]
    np.testing.assert_allclose(x.grad.numpy(), expected.numpy(), rtol=1e-12)
    assert_gradients_close(lambda v: getattr(v * 1, name + "_")(), x.detach())


def test_masked_fill_in_place_values_and_gradients():
    mask = np.array([True, False, True])
    x = tg.zeros(2, 3)
    assert x.masked_fill_(tg.tensor(mask), 5) is x  # the mask broadcasts over rows
    same(x, np.where(mask, 5.0, 0.0).astype(np.float32) + np.zeros((2, 3), np.float32))
    i = tg.tensor([1, 2, 3]).masked_fill_(tg.tensor(mask), 2.7)  # cast to self's dtype
    assert i.tolist() == [2, 2, 2]
    a = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)
    v = tg.tensor(4.0, dtype=tg.float64, requires_grad=True)
    y = a * 1
    y.masked_fill_(tg.tensor(mask), v)
    (y * tg.tensor([1.0, 10.0, 100.0], dtype=tg.float64)).sum().backward()
    assert y.tolist() == [4.0, 2.0, 4.0]
    assert a.grad.tolist() == [0.0, 10.0, 0.0] and v.grad.item() == 101.0
    assert_gradients_close(lambda p, q: (p * 1).masked_fill_(tg.tensor(mask), q),
                           a.detach(), v.detach())
    torch = torch_or_none()
    if torch is not None:
        t = torch.zeros(2, 3).masked_fill_(torch.tensor(mask), 5)
        np.testing.assert_array_equal(x.numpy(), t.numpy())


def test_masked_fill_refusals():
    x = tg.zeros(3)
    with pytest.raises(RuntimeError, match="masked_fill_: the mask must be a bool tensor"):
        x.masked_fill_(tg.tensor([1, 0, 1]), 2.0)
    with pytest.raises(ValueError, match="value must be a number or a 0-d tensor"):
        x.masked_fill_(tg.tensor([True, False, True]), tg.ones(3))
    with pytest.raises(ValueError, match="does not broadcast"):
        x.masked_fill_(tg.tensor([[True], [False]]), 1.0)


def test_index_add_in_place_values_and_gradients():
    x = tg.zeros(5)
    x.index_add_(0, tg.tensor([0, 0, 4]), tg.ones(3))
    assert x.tolist() == [2.0, 0.0, 0.0, 0.0, 1.0] and x._version == 1  # repeats add up
    m = tg.zeros(5, 2).index_add_(1, tg.tensor([1]), tg.ones(5, 1), alpha=2)
    same(m, np.stack([np.zeros(5), np.full(5, 2.0)], 1).astype(np.float32))
    src = tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=tg.float64, requires_grad=True)
    base = tg.tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    index = tg.tensor([3, 0, 3])
    y = base * 1
    y.index_add_(0, index, src)
    g = np.arange(1.0, 9.0).reshape(4, 2)
    y.backward(tg.tensor(g))
    expected = np.arange(8.0).reshape(4, 2)
    np.add.at(expected, [3, 0, 3], src.numpy())
    np.testing.assert_array_equal(y.numpy(), expected)
    np.testing.assert_array_equal(base.grad.numpy(), g)  # ∂/∂self = grad
    np.testing.assert_array_equal(src.grad.numpy(), g[[3, 0, 3]])  # ∂/∂source = grad[index]
    assert_gradients_close(lambda b, s: (b * 1).index_add_(0, index, s, alpha=-1.5),
                           base.detach(), src.detach())
    torch = torch_or_none()
    if torch is not None:
        t = torch.zeros(5).index_add_(0, torch.tensor([0, 0, 4]), torch.ones(3))
        np.testing.assert_array_equal(t.numpy(), [2.0, 0.0, 0.0, 0.0, 1.0])


def test_index_add_refusals():
    x = tg.zeros(5)
    with pytest.raises(IndexError, match="index_add_: index out of range"):
        x.index_add_(0, tg.tensor([0, 7]), tg.ones(2))
    with pytest.raises(IndexError, match="index out of range"):
        x.index_add_(0, tg.tensor([-1]), tg.ones(1))
    with pytest.raises(RuntimeError, match="source must be a tensor of the dtype float32"):
        x.index_add_(0, tg.tensor([0]), tg.ones(1, dtype=tg.float64))
    with pytest.raises(ValueError, match="does not fit 2 indices"):
        x.index_add_(0, tg.tensor([0, 1]), tg.ones(3))
    with pytest.raises(RuntimeError, match="index must be an int tensor"):
        x.index_add_(0, tg.tensor([0.0]), tg.ones(1))
    with pytest.raises(IndexError, match="index must be a vector"):
        x.index_add_(0, tg.tensor([[0]]), tg.ones(1))
    assert x._version == 0 and x.tolist() == [0.0] * 5


def test_scatter_in_place_values_and_gradients():
    src = np.arange(9.0).reshape(3, 3)
    x = tg.zeros(3, 3, dtype=tg.float64)
    x.scatter_(0, tg.tensor([[0, 1, 2]]), tg.tensor(src))
    np.testing.assert_array_equal(x.numpy(), np.diag([0.0, 1.0, 2.0]))
    y = tg.zeros(3, 3).scatter_(1, tg.tensor([[0], [2]]), 7.0)
    np.testing.assert_array_equal(y.numpy(), [[7, 0, 0], [0, 0, 7], [0, 0, 0]])
    z = tg.zeros(3).scatter_(0, tg.tensor([2]), value=1.5)
    assert z.tolist() == [0.0, 0.0, 1.5]
    index = tg.tensor([[2, 0], [1, 2]])
    a = tg.tensor(np.ones((3, 2)), requires_grad=True)
    s = tg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    out = a * 1
    out.scatter_(0, index, s)
    g = np.arange(1.0, 7.0).reshape(3, 2)
    out.backward(tg.tensor(g))
    written = np.zeros((3, 2), bool)
    written[[2, 1], [0, 0]] = written[[0, 2], [1, 1]] = True
    np.testing.assert_array_equal(a.grad.numpy(), np.where(written, 0.0, g))
    expected_src = np.zeros((3, 2))
    expected_src[:2] = g[index.numpy(), np.arange(2)]  # gathered where src was read
    np.testing.assert_array_equal(s.grad.numpy(), expected_src)
    assert_gradients_close(lambda p, q: (p * 1).scatter_(0, index, q), a.detach(), s.detach())
    torch = torch_or_none()
    if torch is not None:
        t = torch.ones(3, 2, dtype=torch.float64).scatter_(0, torch.tensor(index.numpy()),
                                                           torch.tensor(s.numpy()))
        np.testing.assert_array_equal(out.detach().numpy(), t.numpy())


def test_scatter_refusals():
    x = tg.zeros(3)
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        x.scatter_(0, tg.tensor([5]), 1.0)
    with pytest.raises(IndexError, match="index -1 is out of bounds"):
        x.scatter_(0, tg.tensor([-1]), 1.0)
    with pytest.raises(RuntimeError, match="src must have self's dtype"):
        x.scatter_(0, tg.tensor([0]), tg.ones(1, dtype=tg.float64))
    with pytest.raises(ValueError, match="as many dims as self"):
        tg.zeros(3, 3).scatter_(0, tg.tensor([0, 1]), 1.0)
    with pytest.raises(ValueError, match="no larger than self"):
        tg.zeros(2, 2).scatter_(0, tg.tensor([[0, 1, 0]]), tg.ones(3, 3))
    with pytest.raises(ValueError, match="reduce= is not supported"):
        x.scatter_(0, tg.tensor([0]), 1.0, reduce="add")
    with pytest.raises(TypeError, match="exactly one of src"):
        x.scatter_(0, tg.tensor([0]))
    assert x._version == 0


# ---------------------------------------------------------------- random fills


@pytest.mark.parametrize("fill", [lambda t, **g: t.normal_(2.0, 0.5, **g),
                                  lambda t, **g: t.uniform_(-1.0, 3.0, **g),
                                  lambda t, **g: t.bernoulli_(0.3, **g)],
                         ids=["normal_", "uniform_", "bernoulli_"])
def test_random_fills_follow_the_seed_and_a_given_generator(fill):
    tg.manual_seed(3)
    a = fill(tg.zeros(2000))
    tg.manual_seed(3)
    b = fill(tg.zeros(2000))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == tg.float32 and a._version == 1
    c = fill(tg.zeros(2000), generator=tg.Generator().manual_seed(5))
    d = fill(tg.zeros(2000), generator=tg.Generator().manual_seed(5))
    np.testing.assert_array_equal(c.numpy(), d.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())
    with pytest.raises(TypeError, match="generator must be a tg.Generator"):
        fill(tg.zeros(3), generator=np.random.default_rng(5))


def test_random_fills_have_the_asked_distribution():
    tg.manual_seed(0)
    n = tg.zeros(20000).normal_(2.0, 0.5).numpy()
    assert abs(n.mean() - 2.0) < 0.03 and abs(n.std() - 0.5) < 0.03
    u = tg.zeros(20000, dtype=tg.float64).uniform_(-1.0, 3.0).numpy()
    assert u.dtype == np.float64 and -1.0 <= u.min() and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 0.05
    b = tg.zeros(20000).bernoulli_(0.3).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.02
    p = tg.zeros(4).bernoulli_(tg.tensor([0.0, 1.0, 0.0, 1.0])).numpy()
    assert p.tolist() == [0.0, 1.0, 0.0, 1.0]
    i = tg.zeros(100, dtype=tg.int64).bernoulli_(0.5)
    assert i.dtype == tg.int64 and set(i.numpy().tolist()) <= {0, 1}


def test_random_fill_refusals_as_pytorch():
    with pytest.raises(NotImplementedError, match="normal_: defined for float tensors only"):
        tg.tensor([1, 2]).normal_()
    with pytest.raises(RuntimeError, match="uniform_: defined for float tensors only"):
        tg.tensor([1, 2]).uniform_()
    with pytest.raises(RuntimeError, match="bernoulli_: p must lie in"):
        tg.zeros(3).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="from <= to"):
        tg.zeros(3).uniform_(2, 1)
    with pytest.raises(RuntimeError, match="std must be non-negative"):
        tg.zeros(3).normal_(0, -1)
    with pytest.raises(ValueError):  # our errors are also ValueErrors
        tg.zeros(3).normal_(0, -1)
    with pytest.raises(TypeError, match="generator"):
        tg.zeros(3).normal_(generator="seed")
    torch = torch_or_none()
    if torch is not None:
        with pytest.raises(NotImplementedError):
            torch.tensor([1, 2]).normal_()
        with pytest.raises(RuntimeError):
            torch.zeros(3).bernoulli_(1.5)


def test_a_recorded_random_fill_gives_zero_gradient():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.normal_()
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- detach_, requires_grad_


def test_detach_in_place_makes_a_leaf_outside_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y and y.is_leaf and not y.requires_grad and y.grad_fn is None
    w = tg.tensor([1.0], requires_grad=True)
    assert w.detach_() is w and not w.requires_grad
    assert w.requires_grad_() is w and w.requires_grad
    with pytest.raises(RuntimeError, match="cannot detach a view in place"):
        x[0:1].detach_()
    torch = torch_or_none()
    if torch is not None:
        t = torch.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="Can't detach views in-place"):
            t[0:2].detach_()
