"""Shape operations, indexing, cat and stack: values, gradients and hostile arguments, by hand
(their values and gradients over drawn shapes, dims and indices are rows of op_table/movement.py)."""

import fractions
import math
import numbers

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import RNG, T, assert_gradients_close, check_forward, close, grad, val, vjp
from hostile import (
    HUGE_INTS,
    Refused,
    assert_same,
    check_dims,
    check_ints,
    dims,
    expected_array,
    hostile_input,
    junk,
    numpy_or_refused,
    odd_arrays,
    rectangular,
    run_or_refused,
    tensors,
)
from hypothesis import example, given
from strategies import tensor

import tinygrad_edu as tg


class TestShapeOps:
    def test_reshape_and_view(self):
        xn = np.arange(24.0).reshape(2, 3, 4)
        for method in ("reshape", "view"):
            x = T(xn)
            r = getattr(x, method)(4, 6)
            assert r.shape == (4, 6)
            close(val(r), xn.reshape(4, 6))
            assert getattr(x, method)((6, -1)).shape == (6, 4)
            assert getattr(x, method)(-1).shape == (24,)
            w = RNG(13).normal(size=(4, 6))
            vjp(r, w)
            close(grad(x), w.reshape(2, 3, 4))

    def test_flatten(self):
        xn = np.arange(24.0).reshape(2, 3, 4)
        x = T(xn)
        assert x.flatten().shape == (24,)
        assert x.flatten(start_dim=1).shape == (2, 12)
        assert x.flatten(0, 1).shape == (6, 4)
        out = x.flatten(1)
        close(val(out), xn.reshape(2, 12))
        w = RNG(14).normal(size=(2, 12))
        vjp(out, w)
        close(grad(x), w.reshape(2, 3, 4))

    def test_transpose_permute_T(self):
        xn = RNG(15).normal(size=(2, 3, 4))
        x = T(xn)
        t = x.transpose(0, 2)
        assert t.shape == (4, 3, 2)
        close(val(t), np.swapaxes(xn, 0, 2))
        close(val(x.transpose(-1, -2)), np.swapaxes(xn, -1, -2))
        w = RNG(16).normal(size=(4, 3, 2))
        vjp(t, w)
        close(grad(x), np.swapaxes(w, 0, 2))

        y = T(xn)
        p = y.permute(2, 0, 1)
        assert p.shape == (4, 2, 3)
        close(val(p), np.transpose(xn, (2, 0, 1)))
        close(val(y.permute((2, 0, 1))), np.transpose(xn, (2, 0, 1)))
        w2 = RNG(17).normal(size=(4, 2, 3))
        vjp(p, w2)
        close(grad(y), np.transpose(w2, (1, 2, 0)))

        mn = RNG(18).normal(size=(2, 3))
        m = T(mn)
        close(val(m.T), mn.T)
        vjp(m.T, np.arange(6.0).reshape(3, 2))
        close(grad(m), np.arange(6.0).reshape(3, 2).T)

    def test_unsqueeze_squeeze(self):
        xn = RNG(19).normal(size=(2, 3))
        x = T(xn)
        assert x.unsqueeze(0).shape == (1, 2, 3)
        assert x.unsqueeze(1).shape == (2, 1, 3)
        assert x.unsqueeze(-1).shape == (2, 3, 1)
        y = T(xn.reshape(1, 2, 1, 3))
        assert y.squeeze().shape == (2, 3)
        assert y.squeeze(0).shape == (2, 1, 3)
        assert y.squeeze(2).shape == (1, 2, 3)
        assert y.squeeze(1).shape == (1, 2, 1, 3)  # not size 1: no-op, as PyTorch
        out = y.squeeze()
        w = RNG(20).normal(size=(2, 3))
        vjp(out, w)
        assert y.grad.shape == (1, 2, 1, 3)
        close(grad(y), w.reshape(1, 2, 1, 3))
        u = x.unsqueeze(1)
        vjp(u, w.reshape(2, 1, 3))
        close(grad(x), w)

    def test_expand(self):
        xn = np.array([[1.0], [2.0], [3.0]])
        x = T(xn)
        e = x.expand(3, 4)
        assert e.shape == (3, 4)
        close(val(e), np.broadcast_to(xn, (3, 4)))
        assert x.expand(-1, 5).shape == (3, 5)
        assert x.expand(2, 3, 4).shape == (2, 3, 4)
        w = RNG(21).normal(size=(2, 3, 4))
        vjp(x.expand(2, 3, 4), w)
        close(grad(x), w.sum(axis=(0, 2)).reshape(3, 1))

    def test_getitem_basic(self):
        xn = np.arange(24.0).reshape(2, 3, 4)
        x = T(xn)
        close(val(x[1]), xn[1])
        close(val(x[-1, 2]), xn[-1, 2])
        assert x[1, 2, 3].shape == () and x[1, 2, 3].item() == 23.0
        close(val(x[:, 1:3]), xn[:, 1:3])
        close(val(x[..., ::2]), xn[..., ::2])
        assert x[None].shape == (1, 2, 3, 4)
        assert x[:, None].shape == (2, 1, 3, 4)
        close(val(x[None, ..., 1]), xn[None, ..., 1])
        close(val(x[..., 0]), xn[..., 0])
        out = x[:, 1:3, ::2]
        w = RNG(22).normal(size=out.shape)
        vjp(out, w)
        expected = np.zeros_like(xn)
        expected[:, 1:3, ::2] = w
        close(grad(x), expected)

    def test_getitem_int_array_repeated_indices_accumulate(self):
        x = T([10.0, 20.0, 30.0])
        out = x[[0, 2, 0, 0]]
        close(val(out), [10, 30, 10, 10])
        out.sum().backward()
        close(grad(x), [3, 0, 1])

        y = T(np.arange(12.0).reshape(3, 4))
        r = y[np.array([2, 2, 0])]
        assert r.shape == (3, 4)
        r.sum().backward()
        close(grad(y), np.array([[1.0] * 4, [0.0] * 4, [2.0] * 4]))

        z = T(np.arange(12.0).reshape(3, 4))
        p = z[[0, 0, 1], [1, 1, 3]]
        close(val(p), [1, 1, 7])
        p.sum().backward()
        expected = np.zeros((3, 4))
        expected[0, 1] = 2
        expected[1, 3] = 1
        close(grad(z), expected)

    def test_getitem_int_array_with_slice(self):
        xn = np.arange(12.0).reshape(3, 4)
        x = T(xn)
        out = x[[0, 2, 0], 1:3]
        close(val(out), xn[[0, 2, 0], 1:3])
        out.sum().backward()
        expected = np.zeros((3, 4))
        expected[0, 1:3] = 2
        expected[2, 1:3] = 1
        close(grad(x), expected)

    def test_getitem_int_tensor_index(self):
        x = T([10.0, 20.0, 30.0])
        out = x[tg.tensor([1, 1, 2])]
        close(val(out), [20, 20, 30])
        out.sum().backward()
        close(grad(x), [0, 2, 1])

    def test_getitem_bool_mask(self):
        xn = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
        x = T(xn)
        out = x[x > 0]
        close(val(out), [1, 3, 5])
        out.sum().backward()
        close(grad(x), (xn > 0).astype(float))
        y = T(xn)
        rows = y[np.array([False, True])]
        assert rows.shape == (1, 3)
        (rows * 2.0).sum().backward()
        close(grad(y), [[0, 0, 0], [2, 2, 2]])

    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_cat(self, dim):
        rng = RNG(23)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        a, b = T(an), T(bn)
        out = tg.cat([a, b], dim=dim)
        on = np.concatenate([an, bn], axis=dim)
        assert out.shape == on.shape
        close(val(out), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        wa, wb = np.split(w, 2, axis=dim)
        close(grad(a), wa)
        close(grad(b), wb)

    def test_cat_unequal_sizes_tuple_and_default_dim(self):
        a, b = T(np.ones((1, 2))), T(np.zeros((3, 2)))
        out = tg.cat((a, b))
        assert out.shape == (4, 2)
        vjp(out, np.arange(8.0).reshape(4, 2))
        close(grad(a), [[0, 1]])
        close(grad(b), np.arange(2.0, 8.0).reshape(3, 2))

    def test_cat_with_non_grad_input(self):
        a = T([1.0, 2.0])
        c = tg.Tensor(np.array([3.0]))
        out = tg.cat([a, c])
        assert out.requires_grad
        vjp(out, np.array([5.0, 6.0, 7.0]))
        close(grad(a), [5, 6])
        assert c.grad is None

    @pytest.mark.parametrize("dim", [0, 1, -1])
    def test_stack(self, dim):
        rng = RNG(24)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
        a, b = T(an), T(bn)
        out = tg.stack([a, b], dim=dim)
        on = np.stack([an, bn], axis=dim)
        assert out.shape == on.shape
        close(val(out), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        close(grad(a), np.take(w, 0, axis=dim))
        close(grad(b), np.take(w, 1, axis=dim))


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


@hostile_input
@given(shape_op_calls(), st.booleans())
@example(("transpose", tg.tensor(0.0), [0, 0]), False)  # "list assignment index out of range"
@example(("unsqueeze", tg.ones(2), [()]), False)  # "not enough values to unpack"
@example(("squeeze", tg.tensor(0.0), [0]), False)  # "tuple index out of range"
@example(("flatten", tg.tensor(0.0), ["a"]), False)  # a hostile dim was ignored
def test_shape_ops_with_hostile_arguments(call, as_view):
    name, x, args = call
    method = "view" if name == "reshape" and as_view else name  # view is reshape's alias
    got = run_or_refused(lambda: getattr(x, method)(*args), lambda: expected_shape_op(name, x.numpy(), args),
              name)
    if got:
        assert_same(*got)


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


@hostile_input
@given(tensor_and_index())
@example((tg.ones(2, 3), []))  # [] was refused as a float index
@example((tg.ones(2, 3), [[0, 1], [0]]))  # numpy's ragged-list error did not name getitem
def test_getitem_with_hostile_index(x_index):
    x, index = x_index
    got = run_or_refused(lambda: x[index], lambda: expected_getitem(x.numpy(), index), "getitem")
    if got:
        assert_same(*got)


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


@hostile_input
@given(st.sampled_from(["cat", "stack"]), containers,
       st.one_of(st.integers(-3, 2), st.integers(-3, 2), dims))
@example("stack", b"\x00", 0)  # bytes were stacked as ints
@example("cat", [tg.ones(2)], ())  # "not enough values to unpack"
@example("cat", [tg.ones(2), tg.tensor([1, 2])], 0)  # float64, PyTorch gives float32
def test_cat_stack_with_hostile_lists(name, items, dim):
    join = getattr(tg, name)
    got = run_or_refused(lambda: join(items, dim), lambda: expected_join(name, items, dim), name)
    if got:
        assert_same(*got)


@given(data=st.data())
def test_expand_reduces_gradient_back(data):
    x = data.draw(tensor(min_side=1))
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    grown = [data.draw(st.integers(1, 3)) if n == 1 else n for n in x.shape]
    shape = tuple(lead + grown)
    check_forward(x.expand(*shape), np.broadcast_to(x.numpy(), shape))
    w = np.arange(int(np.prod(shape)), dtype=float).reshape(shape)
    assert_gradients_close(lambda t: t.expand(shape) * w, x)
    if x.ndim:
        assert x.expand(-1, *x.shape[1:]).shape == x.shape


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
    np.testing.assert_array_equal(y.numpy()[0], first_row)
    w = np.arange(1.0, y.numel() + 1).reshape(shape)
    (y * w).sum().backward()
    assert x.grad.numpy().sum() == w.sum() and x.grad.numpy()[ARANGE == y.numpy().flat[-1]] == w.flat[-1]
    assert_gradients_close(lambda t: t[index] * w, x)


def test_getitem_with_an_int_and_a_list_keeps_the_list_dim_in_place():
    x = tg.tensor(ARANGE)
    np.testing.assert_array_equal(x[0, :, [0, 1]].numpy(), [[0, 1], [4, 5], [8, 9]])
    np.testing.assert_array_equal(x[tg.tensor(1), :, [3]].numpy(), [[15], [19], [23]])
    assert x[np.int64(0), :, [0, 1]].shape == (3, 2)


def test_setitem_with_ints_and_arrays_orders_dims_as_pytorch():
    x = tg.zeros(2, 3, 4)
    x[0, :, [0, 1]] = tg.tensor(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x.numpy()[0], [[0, 1, 0, 0], [2, 3, 0, 0], [4, 5, 0, 0]])
    assert not x.numpy()[1].any()
    base = tg.tensor(np.ones((2, 3, 4)), requires_grad=True)
    v = tg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = base * 1.0
    y[1, :, [2, 3]] = v * 2.0
    (y * tg.tensor(ARANGE)).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), 2 * ARANGE[1][:, [2, 3]])
    expected = ARANGE.copy()
    expected[1, :, 2:] = 0
    np.testing.assert_array_equal(base.grad.numpy(), expected)


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
    np.testing.assert_array_equal(y.numpy(), yt.detach().numpy())
    w = np.arange(1.0, y.numel() + 1).reshape(y.shape)
    (y * w).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    z, zt = tg.tensor(data), torch.tensor(data)
    z[index] = tg.tensor(-w)
    zt[index] = torch.tensor(-w)
    np.testing.assert_array_equal(z.numpy(), zt.numpy())


def test_getitem_repeated_indices_accumulate():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])
    y = tg.tensor(np.ones((2, 3)), requires_grad=True)
    y[tg.tensor([1, 1]), tg.tensor([2, 2])].sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[0, 0, 0], [0, 0, 2]])
