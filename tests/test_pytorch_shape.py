"""PyTorch conformance of the shape and indexing family: each call is checked against numpy
(values, shape, dtype), against central differences (gradcheck, and gradgradcheck of its
square for the second order), and, when torch is importable, against torch on the CPU
(values, dtypes, first and second order gradients, and the type of error of a bad call)."""

import numpy as np
import pytest
from helpers import torch_or_none
from hypothesis import example, given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
DATA = {shape: RNG.standard_normal(shape) for shape in [(), (3,), (5,), (2, 3), (3, 4), (2, 3, 4), (0, 3)]}


def joined(out, m):
    """A multi-output call (split, chunk, unbind) as one flat tensor."""
    if isinstance(out, tuple):
        return m.cat([p.reshape(-1) for p in out]) if out else m.zeros(0, dtype=m.float64)
    return out


def np_joined(out):
    if isinstance(out, tuple):
        return np.concatenate([np.ravel(p) for p in out]) if out else np.zeros(0)
    return out


def idx(m, data):
    return m.tensor(np.array(data, dtype=np.int64))


def mask(m, data):
    return m.tensor(np.array(data, dtype=bool))


A23 = (2, 3)
# (label, input shape, call on (module, x) where the module is tinygrad_edu or torch, numpy's)
CASES = [
    ("view varargs", A23, lambda m, x: x.view(3, 2), lambda a: a.reshape(3, 2)),
    ("view tuple", A23, lambda m, x: x.view((3, 2)), lambda a: a.reshape(3, 2)),
    ("view -1", A23, lambda m, x: x.view(-1, 2), lambda a: a.reshape(-1, 2)),
    ("reshape list", A23, lambda m, x: x.reshape([6]), lambda a: a.reshape(6)),
    ("tg.reshape", A23, lambda m, x: m.reshape(x, (1, 6)), lambda a: a.reshape(1, 6)),
    ("view_as", A23, lambda m, x: x.view_as(m.zeros(3, 2)), lambda a: a.reshape(3, 2)),
    ("reshape_as", A23, lambda m, x: x.reshape_as(m.zeros(6)), lambda a: a.reshape(6)),
    ("flatten", (2, 3, 4), lambda m, x: x.flatten(1), lambda a: a.reshape(2, 12)),
    ("flatten 0-d", (), lambda m, x: x.flatten(), lambda a: a.reshape(1)),
    ("tg.flatten", (2, 3, 4), lambda m, x: m.flatten(x, 0, 1), lambda a: a.reshape(6, 4)),
    ("unflatten", (2, 3, 4), lambda m, x: x.unflatten(2, (2, -1)),
     lambda a: a.reshape(2, 3, 2, 2)),
    ("unflatten empty", (0, 3), lambda m, x: x.unflatten(-1, (-1,)), lambda a: a),
    ("tg.unflatten", (3, 4), lambda m, x: m.unflatten(x, -1, (1, 4, 1)),
     lambda a: a.reshape(3, 1, 4, 1)),
    ("squeeze tuple", (2, 3, 4), lambda m, x: x.reshape(2, 1, 3, 1, 4).squeeze((1, -2)),
     lambda a: a),
    ("squeeze int", (2, 3), lambda m, x: x.reshape(1, 2, 3).squeeze(0), lambda a: a),
    ("squeeze non-1", (2, 3), lambda m, x: x.squeeze(1), lambda a: a),
    ("tg.squeeze", (2, 3), lambda m, x: m.squeeze(x.reshape(2, 1, 3)), lambda a: a),
    ("unsqueeze -1", (2, 3), lambda m, x: x.unsqueeze(-1), lambda a: a[..., None]),
    ("tg.unsqueeze", (2, 3), lambda m, x: m.unsqueeze(x, 1), lambda a: a[:, None]),
    ("transpose", (2, 3, 4), lambda m, x: x.transpose(0, -1), lambda a: a.swapaxes(0, 2)),
    ("tg.transpose", (2, 3), lambda m, x: m.transpose(x, 1, 0), lambda a: a.T),
    ("swapaxes", (2, 3, 4), lambda m, x: x.swapaxes(1, 2), lambda a: a.swapaxes(1, 2)),
    ("swapdims", (2, 3, 4), lambda m, x: m.swapdims(x, 0, 1), lambda a: a.swapaxes(0, 1)),
    ("permute varargs", (2, 3, 4), lambda m, x: x.permute(2, 0, 1),
     lambda a: a.transpose(2, 0, 1)),
    ("permute negative", (2, 3, 4), lambda m, x: x.permute((-1, 0, 1)),
     lambda a: a.transpose(2, 0, 1)),
    ("tg.permute", (2, 3), lambda m, x: m.permute(x, (1, 0)), lambda a: a.T),
    ("movedim", (2, 3, 4), lambda m, x: x.movedim(0, -1), lambda a: np.moveaxis(a, 0, -1)),
    ("movedim tuple", (2, 3, 4), lambda m, x: m.movedim(x, (0, 1), (-1, 0)),
     lambda a: np.moveaxis(a, (0, 1), (-1, 0))),
    ("t", (2, 3), lambda m, x: x.t(), lambda a: a.T),
    ("t 1-D", (5,), lambda m, x: m.t(x), lambda a: a),
    ("expand", (2, 3), lambda m, x: x.reshape(2, 1, 3).expand(4, 2, -1, 3),
     lambda a: np.broadcast_to(a.reshape(2, 1, 3), (4, 2, 1, 3))),
    ("expand tuple", (5,), lambda m, x: x.expand((2, 5)), lambda a: np.broadcast_to(a, (2, 5))),
    ("expand_as", (5,), lambda m, x: x.expand_as(m.zeros(3, 5)),
     lambda a: np.broadcast_to(a, (3, 5))),
    ("repeat", (2, 3), lambda m, x: x.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3))),
    ("repeat tuple", (5,), lambda m, x: x.repeat((3, 2)), lambda a: np.tile(a, (3, 2))),
    ("repeat zero", (2, 3), lambda m, x: x.repeat(0, 2), lambda a: np.tile(a, (0, 2))),
    ("tile short", (2, 3), lambda m, x: x.tile(2), lambda a: np.tile(a, 2)),
    ("tg.tile", (2, 3), lambda m, x: m.tile(x, (2, 1, 2)), lambda a: np.tile(a, (2, 1, 2))),
    ("repeat_interleave", (2, 3), lambda m, x: x.repeat_interleave(2),
     lambda a: np.repeat(a, 2)),
    ("repeat_interleave dim", (2, 3), lambda m, x: m.repeat_interleave(x, 3, dim=-1),
     lambda a: np.repeat(a, 3, -1)),
    ("repeat_interleave tensor", (2, 3),
     lambda m, x: x.repeat_interleave(idx(m, [2, 0, 1]), dim=1),
     lambda a: np.repeat(a, [2, 0, 1], 1)),
    ("repeat_interleave one count", (2, 3),
     lambda m, x: x.repeat_interleave(idx(m, [2]), dim=0), lambda a: np.repeat(a, 2, 0)),
    ("flip", (2, 3, 4), lambda m, x: x.flip(0, 2), lambda a: a[::-1, :, ::-1]),
    ("flip tuple", (2, 3), lambda m, x: m.flip(x, (-1,)), lambda a: a[:, ::-1]),
    ("fliplr", (2, 3), lambda m, x: x.fliplr(), lambda a: np.fliplr(a)),
    ("flipud", (2, 3), lambda m, x: m.flipud(x), lambda a: np.flipud(a)),
    ("roll flat", (2, 3), lambda m, x: x.roll(1), lambda a: np.roll(a, 1)),
    ("roll dims", (2, 3, 4), lambda m, x: x.roll((1, -2), (0, 2)),
     lambda a: np.roll(a, (1, -2), (0, 2))),
    ("roll same dim twice", (2, 3), lambda m, x: m.roll(x, [1, 1], [1, 1]),
     lambda a: np.roll(a, 2, 1)),
    ("narrow", (3, 4), lambda m, x: x.narrow(1, 1, 2), lambda a: a[:, 1:3]),
    ("narrow negative start", (3, 4), lambda m, x: m.narrow(x, -1, -3, 2), lambda a: a[:, 1:3]),
    ("narrow tensor start", (3, 4), lambda m, x: x.narrow(0, idx(m, 1), 2), lambda a: a[1:3]),
    ("split int", (3, 4), lambda m, x: x.split(3, 1), lambda a: (a[:, :3], a[:, 3:])),
    ("split sizes", (3, 4), lambda m, x: m.split(x, [1, 0, 2], dim=0),
     lambda a: (a[:1], a[1:1], a[1:])),
    ("chunk", (5,), lambda m, x: x.chunk(3), lambda a: (a[:2], a[2:4], a[4:])),
    ("chunk fewer", (2, 3, 4), lambda m, x: m.chunk(x, 3, -1), lambda a: (a[..., :2], a[..., 2:])),
    ("unbind", (2, 3), lambda m, x: x.unbind(1), lambda a: tuple(a[:, i] for i in range(3))),
    ("tg.unbind", (2, 3), lambda m, x: m.unbind(x), lambda a: (a[0], a[1])),
    ("cat", (2, 3), lambda m, x: m.cat([x, x * 2], -1), lambda a: np.concatenate([a, 2 * a], 1)),
    ("concat", (2, 3), lambda m, x: m.concat((x, x), dim=0), lambda a: np.concatenate([a, a])),
    ("concatenate axis", (2, 3), lambda m, x: m.concatenate([x, x], axis=1),
     lambda a: np.concatenate([a, a], 1)),
    ("stack", (2, 3), lambda m, x: m.stack([x, -x], 2), lambda a: np.stack([a, -a], 2)),
    ("hstack", (2, 3), lambda m, x: m.hstack([x, x[:, :1]]), lambda a: np.hstack([a, a[:, :1]])),
    ("hstack 1-D", (5,), lambda m, x: m.hstack([x, x]), lambda a: np.hstack([a, a])),
    ("hstack 0-d", (), lambda m, x: m.hstack([x, x]), lambda a: np.hstack([a, a])),
    ("vstack", (5,), lambda m, x: m.vstack([x, x]), lambda a: np.vstack([a, a])),
    ("vstack 2-D", (2, 3), lambda m, x: m.vstack((x, x[:1])), lambda a: np.vstack([a, a[:1]])),
    ("gather", (2, 3), lambda m, x: x.gather(1, idx(m, [[0, 0, 2, 1], [1, 1, 0, 2]])),
     lambda a: np.take_along_axis(a, np.array([[0, 0, 2, 1], [1, 1, 0, 2]]), 1)),
    ("gather smaller index", (3, 4), lambda m, x: m.gather(x, 0, idx(m, [[2, 0], [2, 2]])),
     lambda a: np.take_along_axis(a[:, :2], np.array([[2, 0], [2, 2]]), 0)),
    ("gather 0-d", (), lambda m, x: x.gather(0, idx(m, 0)), lambda a: a),
    ("scatter", (3, 4), lambda m, x: x.scatter(0, idx(m, [[2, 0], [1, 2]]), x[:2, :2] * 10),
     lambda a: _scatter(a, [[2, 0], [1, 2]], a[:2, :2] * 10)),
    ("scatter larger src", (3, 4),
     lambda m, x: m.scatter(x, 1, idx(m, [[3], [0]]), x.flip(0) * 10),
     lambda a: _scatter(a.T, [[3, 0]], (a[::-1] * 10)[:2, :1].T).T),
    ("scatter value", (3, 4), lambda m, x: x.scatter(1, idx(m, [[3, 1]]), 5.0),
     lambda a: _scatter(a.T, [[3], [1]], np.full((2, 1), 5.0)).T),
    ("scatter_add", (3, 4), lambda m, x: x.scatter_add(0, idx(m, [[2, 2, 0], [2, 1, 0]]),
                                                       x[1:, :3] * 10),
     lambda a: _scatter_add(a, [[2, 2, 0], [2, 1, 0]], a[1:, :3] * 10)),
    ("tg.scatter_add", (5,), lambda m, x: m.scatter_add(x, 0, idx(m, [4, 4, 4]), x),
     lambda a: a + np.eye(5)[4] * a[:3].sum()),
    ("index_select", (3, 4), lambda m, x: x.index_select(1, idx(m, [3, 0, 3])),
     lambda a: a[:, [3, 0, 3]]),
    ("index_select 0-d index", (3, 4), lambda m, x: m.index_select(x, 0, idx(m, 2)),
     lambda a: a[[2]]),
    ("index_select empty", (3, 4), lambda m, x: x.index_select(0, idx(m, [])), lambda a: a[:0]),
    ("masked_select", (2, 3), lambda m, x: x.masked_select(mask(m, [True, False, True])),
     lambda a: a[:, [0, 2]].ravel()),
    ("masked_select broadcasts x", (3,),
     lambda m, x: m.masked_select(x, mask(m, [[True, False, True], [False, True, True]])),
     lambda a: np.broadcast_to(a, (2, 3))[[[True, False, True], [False, True, True]]]),
    ("masked_fill", (2, 3), lambda m, x: x.masked_fill(mask(m, [[True], [False]]), -1.5),
     lambda a: np.where([[True], [False]], -1.5, a)),
    ("masked_fill broadcasts x", (3,),
     lambda m, x: m.masked_fill(x, mask(m, [[True, False, True], [False, True, True]]), 0),
     lambda a: np.where([[True, False, True], [False, True, True]], 0.0, a)),
    ("take_along_dim", (3, 4), lambda m, x: x.take_along_dim(idx(m, [[0], [3], [-1]]), 1),
     lambda a: np.take_along_axis(a, np.array([[0], [3], [3]]), 1)),
    ("take_along_dim broadcast", (3, 4),
     lambda m, x: m.take_along_dim(x, idx(m, [[2, 0, 1, 1, 2]]).T, 0),
     lambda a: a[[2, 0, 1, 1, 2]]),
    ("take_along_dim flat", (3, 4), lambda m, x: x.take_along_dim(idx(m, [[11, 0]])),
     lambda a: a.ravel()[[11, 0]]),
    ("where method", (2, 3), lambda m, x: x.where(mask(m, [True, False, True]), x * 3),
     lambda a: np.where([True, False, True], a, 3 * a)),
    ("tg.where", (2, 3), lambda m, x: m.where(mask(m, [[False], [True]]), x, 2.0),
     lambda a: np.where([[False], [True]], a, 2.0)),
    ("getitem mixed", (2, 3, 4), lambda m, x: x[1, :, [0, 2, 2]], lambda a: a[1][:, [0, 2, 2]]),
    ("getitem separated", (2, 3, 4), lambda m, x: x[[0, 1], :, [1, 3]],
     lambda a: a[[0, 1], :, [1, 3]]),
    ("getitem adjacent", (2, 3, 4), lambda m, x: x[:, [0, 2], [1, 3]],
     lambda a: a[:, [0, 2], [1, 3]]),
    ("getitem tensors", (2, 3, 4), lambda m, x: x[idx(m, [[1], [0]]), 1:, idx(m, [2, 3])],
     lambda a: a[[[1], [0]], 1:, [2, 3]]),
    ("getitem None ellipsis", (2, 3, 4), lambda m, x: x[None, ..., 1, None],
     lambda a: a[None, ..., 1, None]),
    ("getitem bool tensor", (2, 3), lambda m, x: x[x > 0], lambda a: a[a > 0]),
    ("getitem bool list", (2, 3), lambda m, x: x[:, [True, False, True]],
     lambda a: a[:, [True, False, True]]),
    ("getitem step", (3, 4), lambda m, x: x[::2, 1::2], lambda a: a[::2, 1::2]),
    ("getitem negative", (3, 4), lambda m, x: x[-1, -3:], lambda a: a[-1, -3:]),
]


def _scatter(a, index, src):
    """out[index[i][j]][j] = src[i][j] (scatter along dim 0)."""
    out, index = a.copy(), np.array(index)
    for i, j in np.ndindex(index.shape):
        out[index[i, j], j] = src[i, j]
    return out


def _scatter_add(a, index, src):
    out, index = a.copy(), np.array(index)
    for i, j in np.ndindex(index.shape):
        out[index[i, j], j] += src[i, j]
    return out


IDS = [c[0] for c in CASES]
# Where torch itself cannot differentiate: an empty repeat gives a result outside its graph,
# and the gradient of a src larger than the index fails its shape check; the values agree.
TORCH_VALUES_ONLY = {"repeat zero", "scatter larger src", "tg.scatter_add"}
# A sum in another order than torch's (x + Σ src, torch adds one src at a time): equal to
# rounding.
ROUNDED = {"scatter_add", "tg.scatter_add"}


def assert_values(actual, expected, label):
    if label in ROUNDED:
        np.testing.assert_allclose(actual, expected, rtol=1e-14, atol=1e-14)
    else:
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("label, shape, call, ref", CASES, ids=IDS)
def test_values_match_numpy(label, shape, call, ref):
    a = DATA[shape]
    out, expected = call(tg, tg.tensor(a)), ref(a)
    if isinstance(expected, tuple):
        assert isinstance(out, tuple) and len(out) == len(expected)
        for o, e in zip(out, expected):
            assert o.shape == np.shape(e) and o.dtype == np.float64
            assert_values(o.numpy(), e, label)
    else:
        assert out.shape == np.shape(expected) and out.dtype == np.float64
        assert_values(out.numpy(), expected, label)


@pytest.mark.parametrize("label, shape, call, ref", CASES, ids=IDS)
def test_gradients_match_central_differences(label, shape, call, ref):
    x = tg.tensor(DATA[shape], requires_grad=True)
    assert gradcheck(lambda t: joined(call(tg, t), tg), (x,))
    assert gradgradcheck(lambda t: joined(call(tg, t), tg) ** 2, (x,))


@pytest.mark.parametrize("label, shape, call, ref", CASES, ids=IDS)
def test_matches_torch_with_gradients_of_two_orders(label, shape, call, ref):
    torch = torch_or_none()
    if torch is None:
        pytest.skip("torch is not installed (the numpy checks above still run)")
    a = DATA[shape]
    x, xt = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, out_t = joined(call(tg, x), tg), joined(call(torch, xt), torch)
    assert out.shape == tuple(out_t.shape)
    assert_values(out.numpy(), out_t.detach().numpy(), label)
    if label in TORCH_VALUES_ONLY:
        return
    w = RNG.standard_normal(out.shape)
    (g,) = tg.autograd.grad((out ** 2 * tg.tensor(w)).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad((out_t ** 2 * torch.tensor(w)).sum(), xt, create_graph=True)
    np.testing.assert_allclose(g.numpy(), gt.detach().numpy(), rtol=1e-12, atol=1e-12)
    v = RNG.standard_normal(x.shape)
    (h,) = tg.autograd.grad((g * tg.tensor(v)).sum(), x)
    (ht,) = torch.autograd.grad((gt * torch.tensor(v)).sum(), xt)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-12, atol=1e-12)


def ones(m, *shape):
    return m.ones(shape, dtype=m.float64)


# (label, a bad call on the module m, the type PyTorch raises: ours is also an instance of it,
# and a ValueError or TypeError too (API.md), and its message names the operation)
ERRORS = [
    ("reshape size", lambda m: ones(m, 2, 3).reshape(4, 2), RuntimeError, "reshape"),
    ("view two -1", lambda m: ones(m, 2, 3).view(-1, -1), RuntimeError, "reshape"),
    ("expand mismatch", lambda m: ones(m, 2, 3).expand(3, 4), RuntimeError, "expand"),
    ("expand -1 lead", lambda m: ones(m, 3).expand(-1, 3), RuntimeError, "expand"),
    ("permute count", lambda m: ones(m, 2, 3).permute(0), RuntimeError, "permute"),
    ("permute repeat", lambda m: ones(m, 2, 3).permute(0, 0), RuntimeError, "permute"),
    ("transpose dim", lambda m: ones(m, 2, 3).transpose(0, 2), IndexError, "transpose"),
    ("unsqueeze dim", lambda m: ones(m, 2, 3).unsqueeze(4), IndexError, "unsqueeze"),
    ("squeeze dim", lambda m: ones(m, 2, 3).squeeze((0, 5)), IndexError, "squeeze"),
    ("flatten order", lambda m: ones(m, 2, 3, 4).flatten(2, 1), RuntimeError, "flatten"),
    ("unflatten sizes", lambda m: ones(m, 2, 3).unflatten(1, (2, 2)), RuntimeError,
     "unflatten"),
    ("unflatten 0-d", lambda m: ones(m).unflatten(0, (1,)), RuntimeError, "unflatten"),
    ("movedim repeat", lambda m: ones(m, 2, 3).movedim((0, 0), (1, 0)), RuntimeError,
     "movedim"),
    ("movedim lengths", lambda m: ones(m, 2, 3).movedim((0, 1), (0,)), RuntimeError,
     "movedim"),
    ("t 3-D", lambda m: ones(m, 2, 3, 4).t(), RuntimeError, "t:"),
    ("repeat short", lambda m: ones(m, 2, 3).repeat(2), RuntimeError, "repeat"),
    ("repeat negative", lambda m: ones(m, 2).repeat(-1), RuntimeError, "repeat"),
    ("repeat none", lambda m: ones(m, 2).repeat(), TypeError, ""),
    ("repeat_interleave negative", lambda m: ones(m, 2).repeat_interleave(-1), RuntimeError,
     "repeat_interleave"),
    ("repeat_interleave counts", lambda m: ones(m, 2, 3).repeat_interleave(
        idx(m, [1, 2]), dim=1), RuntimeError, "repeat_interleave"),
    ("repeat_interleave 2-D counts", lambda m: ones(m, 2, 3).repeat_interleave(
        idx(m, [[1]]), dim=1), RuntimeError, "repeat_interleave"),
    ("flip repeat", lambda m: ones(m, 2, 3).flip(0, 0), RuntimeError, "flip"),
    ("flip none", lambda m: ones(m, 2, 3).flip(), TypeError, ""),
    ("fliplr 1-D", lambda m: ones(m, 3).fliplr(), RuntimeError, "fliplr"),
    ("roll lengths", lambda m: ones(m, 2, 3).roll(1, (0, 1)), RuntimeError, "roll"),
    ("roll no dims", lambda m: ones(m, 2, 3).roll((1, 2)), RuntimeError, "roll"),
    ("narrow past end", lambda m: ones(m, 2, 3).narrow(1, 2, 2), RuntimeError, "narrow"),
    ("narrow start", lambda m: ones(m, 2, 3).narrow(1, -4, 1), IndexError, "narrow"),
    ("narrow length", lambda m: ones(m, 2, 3).narrow(0, 0, -1), RuntimeError, "narrow"),
    ("narrow 0-d", lambda m: ones(m).narrow(0, 0, 1), RuntimeError, "narrow"),
    ("split sum", lambda m: ones(m, 2, 3).split([1, 1], 1), RuntimeError, "split"),
    ("split zero", lambda m: ones(m, 2, 3).split(0, 1), RuntimeError, "split"),
    ("split negative", lambda m: ones(m, 3).split(-1), RuntimeError, "split"),
    ("chunk zero", lambda m: ones(m, 3).chunk(0), RuntimeError, "chunk"),
    ("unbind 0-d", lambda m: ones(m).unbind(), IndexError, "unbind"),
    ("cat shapes", lambda m: m.cat([ones(m, 2, 3), ones(m, 3, 3)], 1), RuntimeError, "cat"),
    ("stack shapes", lambda m: m.stack([ones(m, 2), ones(m, 3)]), RuntimeError, "stack"),
    ("hstack dims", lambda m: m.hstack([ones(m, 2), ones(m, 2, 1)]), RuntimeError, "cat"),
    ("gather bounds", lambda m: ones(m, 2, 3).gather(1, idx(m, [[0], [5]])), RuntimeError,
     "gather"),
    ("gather negative", lambda m: ones(m, 2, 3).gather(1, idx(m, [[-1], [0]])), RuntimeError,
     "gather"),
    ("gather dims", lambda m: ones(m, 2, 3).gather(1, idx(m, [0, 1])), RuntimeError, "gather"),
    ("gather larger", lambda m: ones(m, 2, 3).gather(1, idx(m, [[0], [1], [0]])), RuntimeError,
     "gather"),
    ("scatter larger than src", lambda m: ones(m, 2, 3).scatter(
        1, idx(m, [[0], [1]]), ones(m, 1, 1)), RuntimeError, "scatter"),
    ("scatter bounds", lambda m: ones(m, 2, 3).scatter(1, idx(m, [[3]]), 1.0), RuntimeError,
     "scatter"),
    ("scatter_add bounds", lambda m: ones(m, 2, 3).scatter_add(
        1, idx(m, [[3]]), ones(m, 1, 1)), RuntimeError, "scatter_add"),
    ("index_select matrix", lambda m: ones(m, 2, 3).index_select(1, idx(m, [[1]])),
     IndexError, "index_select"),
    ("index_select bounds", lambda m: ones(m, 2, 3).index_select(1, idx(m, [1, 5])),
     RuntimeError, "index_select"),
    ("masked_select shapes", lambda m: ones(m, 2, 3).masked_select(mask(m, [True, False])),
     RuntimeError, "masked_select"),
    ("masked_fill value", lambda m: ones(m, 3).masked_fill(
        mask(m, [True, False, True]), ones(m, 3)), RuntimeError, "masked_fill"),
    ("masked_fill shapes", lambda m: ones(m, 2, 3).masked_fill(mask(m, [True, False]), 1.0),
     RuntimeError, "masked_fill"),
    ("take_along_dim dims", lambda m: ones(m, 2, 3).take_along_dim(idx(m, [0]), 1),
     RuntimeError, "take_along_dim"),
    ("gather float index", lambda m: ones(m, 2, 3).gather(1, ones(m, 2, 1)), RuntimeError,
     "gather"),
    ("index_select float index", lambda m: ones(m, 3).index_select(0, ones(m, 1)),
     RuntimeError, "index_select"),
    ("scatter dtypes", lambda m: ones(m, 2, 3).scatter(1, idx(m, [[0]]), m.ones(1, 1)),
     RuntimeError, "scatter"),
    ("masked_fill int mask", lambda m: ones(m, 2).masked_fill(idx(m, [1, 0]), 1.0),
     RuntimeError, "masked_fill"),
    ("masked_select int mask", lambda m: ones(m, 2).masked_select(idx(m, [1, 0])),
     RuntimeError, "masked_select"),
    ("getitem bounds", lambda m: ones(m, 2, 3)[:, 3], IndexError, "getitem"),
    ("getitem list bounds", lambda m: ones(m, 2, 3)[[0, 2]], IndexError, "getitem"),
    ("getitem too many", lambda m: ones(m, 2, 3)[0, 0, 0], IndexError, "getitem"),
]


@pytest.mark.parametrize("label, call, torch_type, name", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_calls_raise_pytorchs_error_type(label, call, torch_type, name):
    with pytest.raises(torch_type) as ei:
        call(tg)
    assert isinstance(ei.value, (ValueError, TypeError, IndexError)), type(ei.value)
    assert name in str(ei.value)
    torch = torch_or_none()
    if torch is not None:  # the type PyTorch raises for the same call
        with pytest.raises(torch_type):
            call(torch)


INT_CALLS = [
    ("repeat", lambda m, x: x.repeat(2, 1), lambda a: np.tile(a, (2, 1))),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2, 0), lambda a: np.repeat(a, 2, 0)),
    ("roll", lambda m, x: x.roll(1, 1), lambda a: np.roll(a, 1, 1)),
    ("flip", lambda m, x: x.flip(0), lambda a: a[::-1]),
    ("gather", lambda m, x: x.gather(1, idx(m, [[2], [0]])), lambda a: a[[0, 1], [2, 0]][:, None]),
    ("scatter value", lambda m, x: x.scatter(1, idx(m, [[2], [0]]), 7.9),
     lambda a: _scatter(a.T, [[2, 0]], np.full((1, 2), 7)).T),
    ("masked_fill float", lambda m, x: x.masked_fill(mask(m, [True, False, False]), 2.7),
     lambda a: np.where([True, False, False], 2, a)),
    ("masked_fill tensor", lambda m, x: x.masked_fill(mask(m, [False, True, False]),
                                                      m.tensor(-1.5)),
     lambda a: np.where([False, True, False], -1, a)),
    ("index_select", lambda m, x: x.index_select(0, idx(m, [1, 1])), lambda a: a[[1, 1]]),
    ("cat with float", lambda m, x: m.cat([x, m.ones(2, 3)], 0),
     lambda a: np.concatenate([a, np.ones((2, 3))]).astype(np.float32)),
    ("hstack", lambda m, x: m.hstack([x, x]), lambda a: np.hstack([a, a])),
]


@pytest.mark.parametrize("label, call, ref", INT_CALLS, ids=[c[0] for c in INT_CALLS])
def test_int_tensors_keep_their_dtype(label, call, ref):
    a = np.arange(6, dtype=np.int64).reshape(2, 3) - 2
    out, expected = call(tg, tg.tensor(a)), ref(a)
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out.numpy(), expected)
    torch = torch_or_none()
    if torch is not None:
        out_t = call(torch, torch.tensor(a))
        assert str(out_t.dtype) == f"torch.{out.dtype}"
        np.testing.assert_array_equal(out.numpy(), out_t.numpy())


def test_repeat_interleave_of_counts_alone_repeats_positions():
    counts = np.array([2, 0, 3])
    expected = np.array([0, 0, 2, 2, 2])
    out = tg.repeat_interleave(tg.tensor(counts))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), expected)
    torch = torch_or_none()
    if torch is not None:
        np.testing.assert_array_equal(torch.repeat_interleave(torch.tensor(counts)).numpy(),
                                      expected)


def test_functions_take_pytorchs_keywords():
    a = DATA[(2, 3)]
    for m in filter(None, (tg, torch_or_none())):
        x = m.tensor(a)
        np.testing.assert_array_equal(m.flatten(input=x, start_dim=0).numpy(), a.ravel())
        np.testing.assert_array_equal(m.gather(x, dim=1, index=idx(m, [[1], [0]])).numpy(),
                                      [[a[0, 1]], [a[1, 0]]])
        np.testing.assert_array_equal(m.split(x, split_size_or_sections=2, dim=1)[1].numpy(),
                                      a[:, 2:])
        np.testing.assert_array_equal(x.split(split_size=1)[1].numpy(), a[1:])
        np.testing.assert_array_equal(m.roll(x, shifts=1, dims=0).numpy(), a[::-1])
        np.testing.assert_array_equal(x.chunk(chunks=2, dim=1)[0].numpy(), a[:, :2])
        np.testing.assert_array_equal(m.narrow(x, dim=1, start=1, length=1).numpy(), a[:, 1:2])


def test_split_chunk_unbind_narrow_flip_give_views_that_write_through():
    a = np.arange(12.0).reshape(3, 4)
    for m in filter(None, (tg, torch_or_none())):
        x = m.tensor(a)
        x.split(2, 1)[1][0, 0] = -1.0
        x.chunk(3)[2][0, 3] = -2.0
        x.unbind(1)[0][1] = -3.0
        x.narrow(0, 1, 1)[0, 2] = -4.0
        x.movedim(0, 1)[2, 2] = -5.0
        x.view(-1)[1] = -6.0
        expected = a.copy()
        expected[0, 2], expected[2, 3], expected[1, 0], expected[1, 2] = -1, -2, -3, -4
        expected[0, 1], expected[2, 2] = -6.0, -5.0
        np.testing.assert_array_equal(x.numpy(), expected)


COPIES = [("flip", lambda x: x.flip(0)), ("fliplr", lambda x: x.fliplr()),
          ("roll", lambda x: x.roll(1)), ("repeat", lambda x: x.repeat(1, 1)),
          ("tile", lambda x: x.tile(1)), ("repeat_interleave", lambda x: x.repeat_interleave(1)),
          ("gather", lambda x: x.gather(0, idx_like(x))),
          ("index_select", lambda x: x.index_select(1, idx_like(x)[0])),
          ("masked_select", lambda x: x.masked_select(x > -100)),
          ("masked_fill", lambda x: x.masked_fill(x > 100, 0.0))]


def idx_like(x):
    return (tg if isinstance(x, tg.Tensor) else torch_or_none()).tensor([[0, 1, 2, 0]])


@pytest.mark.parametrize("label, call", COPIES, ids=[c[0] for c in COPIES])
def test_results_that_are_copies_in_pytorch_do_not_write_through(label, call):
    a = np.arange(12.0).reshape(3, 4)
    for m in filter(None, (tg, torch_or_none())):
        x = m.tensor(a)
        y = call(x)
        y.view(-1)[0] = -1.0
        np.testing.assert_array_equal(x.numpy(), a)


def test_gradient_through_in_place_change_of_a_split_piece():
    """PyTorch refuses to record an in-place change of one of several views made at once
    (split, chunk, unbind); here each piece is a view like any other, and the change is
    recorded (a deliberate difference: a program PyTorch runs runs the same here)."""
    a = DATA[(3, 4)]
    x = tg.tensor(a, requires_grad=True)
    y = x * 1.0
    first, second = y.split([1, 3], 1)
    second.mul_(3.0)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * a * np.array([1.0, 9.0, 9.0, 9.0]),
                               rtol=1e-14)
    torch = torch_or_none()
    if torch is not None:
        yt = torch.tensor(a, requires_grad=True) * 1.0
        with pytest.raises(RuntimeError, match="multiple views"):
            yt.split([1, 3], 1)[1].mul_(3.0)


def test_gather_refuses_an_index_changed_in_place_before_backward():
    a = DATA[(2, 3)]
    for m in filter(None, (tg, torch_or_none())):
        x = m.tensor(a, requires_grad=True)
        index = idx(m, [[0, 1], [2, 2]])
        y = x.gather(1, index)
        index[0, 0] = 2
        with pytest.raises(RuntimeError, match="modified|changed"):
            y.sum().backward()


def f64(m, data):
    return m.tensor(np.array(data, dtype=np.float64))


SETITEM = [
    ("tensor index, broadcast row", lambda m: (idx(m, [0, 2, 0]),),
     lambda m: f64(m, [1.0, 2.0, 3.0, 4.0])),
    ("bool mask, number", lambda m: (mask(m, [True, False, True]),), lambda m: 7.0),
    ("int and list", lambda m: (1, [3, 0]), lambda m: f64(m, [5.0, 6.0])),
    ("slice and tensor, column", lambda m: (slice(None), idx(m, [1, 2])),
     lambda m: f64(m, [[1.0], [2.0], [3.0]])),
    ("two lists", lambda m: ([0, 2], [3, 0]), lambda m: f64(m, 9.0)),
    ("ellipsis and None", lambda m: (Ellipsis, None, 1), lambda m: f64(m, [[8.0], [9.0], [10.0]])),
]


@pytest.mark.parametrize("label, index, value", SETITEM, ids=[c[0] for c in SETITEM])
def test_setitem_with_tensor_indices_and_broadcasting(label, index, value):
    a = np.arange(12.0).reshape(3, 4)
    expected = a.copy()
    np_index = tuple(i.numpy() if isinstance(i, tg.Tensor) else i for i in index(tg))
    v = value(tg)
    expected[np_index] = v.numpy() if isinstance(v, tg.Tensor) else v
    x = tg.tensor(a)
    x[index(tg)] = v
    np.testing.assert_array_equal(x.numpy(), expected)
    w = tg.tensor(a, requires_grad=True)
    v = value(tg)
    v = v.clone().requires_grad_() if isinstance(v, tg.Tensor) else v
    y = w * 1.0
    y[index(tg)] = v
    (y * tg.tensor(a + 1)).sum().backward()
    kept = np.ones_like(a)
    kept[np_index] = 0
    np.testing.assert_array_equal(w.grad.numpy(), (a + 1) * kept)
    torch = torch_or_none()
    if torch is not None:
        xt = torch.tensor(a)
        xt[index(torch)] = value(torch)
        np.testing.assert_array_equal(x.numpy(), xt.numpy())
        wt = torch.tensor(a, requires_grad=True)
        vt = value(torch)
        vt = vt.clone().requires_grad_() if isinstance(vt, torch.Tensor) else vt
        yt = wt * 1.0
        yt[index(torch)] = vt
        (yt * torch.tensor(a + 1)).sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), wt.grad.numpy())
        if isinstance(v, tg.Tensor):
            np.testing.assert_array_equal(v.grad.numpy(), vt.grad.numpy())


def test_scatter_with_reduce_is_refused_with_a_pointer_to_scatter_add():
    x = tg.ones(2, 3)
    with pytest.raises(ValueError, match="scatter_add"):
        x.scatter(1, tg.tensor([[0]]), tg.ones(1, 1), reduce="add")


HOSTILE = [None, "a", 1.5, True, -1, 0, 1, 2, 7, -9, (), (0,), (0, 0), [1, 2], (1, -1), [[0]],
           {}, np.int64(1), float("nan"), 10**30, np.array([0, 1])]
HOSTILE_TENSORS = [lambda: tg.tensor(1), lambda: tg.tensor([0, 1]), lambda: tg.tensor([[0], [1]]),
                   lambda: tg.tensor([True, False, True]), lambda: tg.tensor([1.0])]
NEW_METHODS = ["unflatten", "movedim", "t", "repeat", "repeat_interleave", "flip", "fliplr",
               "flipud", "roll", "narrow", "split", "chunk", "unbind", "gather", "scatter",
               "scatter_add", "index_select", "masked_select", "masked_fill", "take_along_dim"]


@given(name=st.sampled_from(NEW_METHODS),
       x=st.sampled_from([(2, 3), (), (0, 3), (4,)]),
       args=st.lists(st.one_of(st.sampled_from(HOSTILE),
                               st.sampled_from(HOSTILE_TENSORS).map(lambda f: f())),
                     max_size=3))
@example(name="unflatten", x=(0, 3), args=[-1, -1])  # -1 in an empty tensor: from dim's size
def test_hostile_arguments_give_errors_that_name_the_operation(name, x, args):
    try:
        getattr(tg.ones(x), name)(*args)
    except (ValueError, TypeError, IndexError) as e:
        said = str(e)
        assert name in said or name.replace("_", "") in said or "tile" in said or \
            "argument" in said, said


def test_masked_fill_value_tensor_gets_the_sum_of_the_masked_gradient():
    a, where = DATA[(2, 3)], np.array([[True, False, True], [False, False, True]])
    w = np.arange(1.0, 7.0).reshape(2, 3)
    grads = []
    for m in filter(None, (tg, torch_or_none())):
        x, v = m.tensor(a, requires_grad=True), m.tensor(0.5, dtype=m.float64, requires_grad=True)
        (x.masked_fill(m.tensor(where), v) * m.tensor(w)).sum().backward()
        grads.append((x.grad.numpy(), v.grad.numpy()))
    for gx, gv in grads:
        np.testing.assert_array_equal(gx, np.where(where, 0.0, w))
        assert gv == w[where].sum()


def test_scatter_and_gather_gradients_to_src_and_index_positions():
    a, src = DATA[(3, 4)], DATA[(2, 3)]
    index = np.array([[2, 0, 1], [0, 0, 2]])
    for m in filter(None, (tg, torch_or_none())):
        x, s = m.tensor(a, requires_grad=True), m.tensor(src, requires_grad=True)
        w = np.arange(12.0).reshape(3, 4)
        (x.scatter(0, m.tensor(index), s) * m.tensor(w)).sum().backward()
        written = np.zeros((3, 4), bool)
        written[index, np.arange(3)] = True
        np.testing.assert_array_equal(x.grad.numpy(), np.where(written, 0.0, w))
        np.testing.assert_array_equal(s.grad.numpy(), w[index, np.arange(3)])
        x.grad = None
        (x.gather(0, m.tensor(index)) * m.tensor(src)).sum().backward()
        expected = np.zeros((3, 4))
        np.add.at(expected, (index, np.arange(3)), src)
        np.testing.assert_array_equal(x.grad.numpy(), expected)
