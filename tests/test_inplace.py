"""In-place operations and version counters: values, versions, the saved-value check,
recorded in-place changes (checked against central differences) and the misuse errors."""

import gc
import math

import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import given
from op_table import OPS
from strategies import GRID, broadcast_pair, tensor

import tinygrad_edu as tg
from tinygrad_edu.autograd import versions
from tinygrad_edu.testing import assert_gradients_close

# the in-place forms of the op table's rows: name, in-place call, the out-of-place value
ARITHMETIC = [form for op in OPS for form in op.inplace]


@st.composite
def target_and_operand(draw):
    """A tensor and an operand that broadcasts to its shape (so the result fits in place)."""
    a, b = draw(broadcast_pair(right=GRID.filter(lambda v: v != 0)))
    shape = np.broadcast_shapes(a.shape, b.shape)
    return tg.Tensor(np.broadcast_to(a.numpy(), shape).copy()), b.detach()


@pytest.mark.parametrize("name, inplace, reference", ARITHMETIC, ids=[r[0] for r in ARITHMETIC])
@given(pair=target_and_operand())
def test_arithmetic_in_place_equals_out_of_place_and_bumps_the_version(name, inplace,
                                                                        reference, pair):
    a, b = pair
    expected = reference(a.numpy(), b.numpy())
    memory = a.numpy()
    assert inplace(a, b) is a
    np.testing.assert_array_equal(a.numpy(), expected)
    assert a.numpy() is memory and a._version == 1


@given(a=tensor(elements=GRID))
def test_clamp_fill_zero_copy_and_setitem_values(a):
    a = a.detach()
    expected = np.clip(a.numpy(), -1, 2)
    a.clamp_(-1, 2)
    np.testing.assert_array_equal(a.numpy(), expected)
    a.fill_(7)
    assert (a.numpy() == 7).all()
    a.zero_()
    assert (a.numpy() == 0).all()
    a.copy_(tg.tensor(3.5))
    assert (a.numpy() == 3.5).all()
    if a.numel():
        a[(0,) * a.ndim] = -1
        assert a.numpy().flat[0] == -1
    assert a._version == 4 + (a.numel() > 0)


def test_in_place_methods_cast_like_pytorch():
    i = tg.tensor([1, 2, 3])
    i[0] = 2.7  # assignment truncates into the tensor's dtype
    i.copy_(np.array([1.9, 2.9, 3.9]))
    assert i.dtype == tg.int64 and i.tolist() == [1, 2, 3]
    f = tg.tensor([1.0, 2.0], dtype=tg.float32)
    f.add_(np.array([0.5, 0.5]))  # float64 into float32: same kind, allowed
    assert f.dtype == tg.float32 and f.tolist() == [1.5, 2.5]


def test_views_and_detached_aliases_share_the_version():
    t = tg.zeros(2, 3)
    v, d, r = t[0], t.detach(), t.reshape(6)
    v.add_(1)
    assert t._version == v._version == d._version == r._version == 1
    d.mul_(2)
    assert t._version == 2 and t.numpy()[0].tolist() == [2, 2, 2]
    assert tg.zeros(2)._version == 0


# ---------------------------------------------------------------- the saved-value check


def test_changing_a_saved_output_makes_backward_raise_with_both_versions():
    x = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.tanh()  # tanh's rule reads its output
    with tg.no_grad():
        y.mul_(2)
        y.add_(1)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    message = str(e.value)
    for part in ("TanhBackward", "its output", "add_", "version 2", "saved at version 0"):
        assert part in message


def test_more_writes_than_a_buffer_remembers_still_count_and_the_message_says_so():
    y = tg.tensor([0.5, -1.0], requires_grad=True).tanh()
    n = 3 * versions.HISTORY
    with tg.no_grad():
        for _ in range(n):
            y.add_(0)
    assert y._version == n
    with pytest.raises(RuntimeError, match=f"at version {n}, but it was saved at version "
                                           r"\d+ or earlier"):
        y.sum().backward()


def test_changing_a_saved_input_makes_backward_raise():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0])
    y = (x * w).sum()  # the gradient w.r.t. x reads w
    w.fill_(0)
    with pytest.raises(RuntimeError, match=r"MulBackward: its input 1 .*fill_.*version 1"):
        y.backward()


def test_a_change_through_a_view_of_a_saved_buffer_is_caught():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    w = tg.ones(4)
    y = (x * w).sum()
    w[1:3].mul_(5)  # writes w's memory through a view
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()


def test_a_stale_view_is_caught():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = x * 2
    first = a[0:2]  # shares a's memory
    a.mul_(10)  # recorded: a's new value joins the graph, first's does not
    with pytest.raises(RuntimeError, match="GetItemBackward: its output"):
        first.sum().backward()


def test_ops_whose_rule_reads_nothing_do_not_care():
    """As PyTorch: y = x + c reads neither input in backward, so changing c is harmless."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = tg.tensor([5.0, 5.0])
    y = (x + c).sum()
    c.zero_()
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_a_change_before_the_op_records_is_fine():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0])
    w.mul_(2)
    (x * w).sum().backward()
    assert x.grad.tolist() == [6.0, 8.0]


def test_optimizer_steps_bump_versions_and_an_old_graph_then_refuses():
    model = tg.nn.Linear(3, 2)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    x = tg.ones(4, 3, requires_grad=True)  # ∂/∂x reads the weight
    loss = model(x).pow(2).sum()
    loss.backward(retain_graph=True)
    opt.step()
    assert model.weight._version == 1 and model.bias._version == 1
    with pytest.raises(RuntimeError, match="LinearBackward: its input 1"):
        loss.backward()


def test_an_old_graph_that_does_not_need_the_stepped_weight_still_computes():
    """As PyTorch: with a constant input, ∂/∂W reads the input only, not W."""
    model = tg.nn.Linear(3, 2)
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    loss = model(tg.ones(4, 3, dtype=tg.float32)).sum()
    loss.backward(retain_graph=True)
    opt.step()
    loss.backward()
    np.testing.assert_allclose(model.weight.grad.numpy(), np.full((2, 3), 8.0))
    np.testing.assert_allclose(model.bias.grad.numpy(), [8.0, 8.0])


def test_load_state_dict_bumps_versions():
    model = tg.nn.Linear(2, 2)
    model.load_state_dict(model.state_dict())
    assert model.weight._version == 1


# ---------------------------------------------------------------- recorded in-place changes


def _chain_of_in_place_ops(x, y):
    h = x * 1.5  # a non-leaf to change in place
    h.add_(y, alpha=0.5)
    h.mul_(y)
    h.sub_(x)
    h.div_(y * y + 1)
    h.clamp_(-math.e, math.e)  # irrational bounds: a rational h never sits on the kink
    return h


@given(pair=broadcast_pair(left=GRID, right=GRID))
def test_recorded_in_place_ops_have_correct_gradients(pair):
    x, y = pair
    shape = np.broadcast_shapes(x.shape, y.shape)
    x = tg.Tensor(np.broadcast_to(x.numpy(), shape).copy(), requires_grad=True)
    assert_gradients_close(_chain_of_in_place_ops, x, y)


@given(pair=broadcast_pair(left=GRID, right=GRID))
def test_setitem_copy_and_fill_have_correct_gradients(pair):
    base, value = pair
    shape = np.broadcast_shapes(base.shape, value.shape)
    base = tg.Tensor(np.broadcast_to(base.numpy(), shape).copy(), requires_grad=True)

    def f(b, v):
        h = b * 2
        if h.ndim:
            h[..., :1] = v[..., :1] if v.ndim else v  # part of h from v
        g = b.clone()
        g.copy_(v * 3)
        z = b * 1
        z.fill_(4.0)
        return h + g * h + z

    assert_gradients_close(f, base, value)


def test_earlier_consumers_keep_the_value_they_saw():
    """a is used, then changed in place; the earlier use still differentiates a's old value."""
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = x * 2
    before = a.exp()  # d/dx = 2 e^(2x); exp's rule reads its output, not a
    a.mul_(3)  # d/dx of the new a = 6
    (a.sum() + before.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 + 2 * np.exp(2 * x.numpy()))


def test_an_earlier_consumer_that_saved_the_old_value_refuses():
    """As PyTorch: a * a saved a itself, which the in-place change then overwrote."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    square = a * a
    a.mul_(3)
    with pytest.raises(RuntimeError, match="MulBackward: its input 0 .*mul_"):
        square.sum().backward()


def test_in_place_on_a_tensor_outside_the_graph_joins_it():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    acc = tg.zeros(2)
    acc.add_(x * x)
    assert acc.grad_fn is not None and not acc.is_leaf
    acc.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_second_derivatives_through_recorded_in_place_ops():
    x = tg.tensor([0.3, -0.7, 1.1], requires_grad=True, dtype=tg.float64)

    def f(t):
        h = t * 1
        h.mul_(t)
        h.mul_(t)  # h = t³
        return h.sum()

    (g,) = tg.autograd.grad(f(x), x, create_graph=True)
    (h,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * x.numpy())


# ---------------------------------------------------------------- misuse


def test_a_leaf_that_requires_grad_cannot_change_in_place_while_recording():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    for change in (lambda: w.add_(1), lambda: w.zero_(), lambda: w.__setitem__(0, 5.0)):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            change()
    assert w.tolist() == [1.0, 2.0] and w._version == 0  # nothing was written
    with tg.no_grad():
        w.add_(1)
    assert w.tolist() == [2.0, 3.0] and w._version == 1 and w.is_leaf


def test_recording_a_change_of_a_view_of_a_leaf_is_refused():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a view of a leaf Variable that requires grad is being used in an in-place"):
        x[1:] += 1
    assert x.tolist() == [1.0, 2.0, 3.0, 4.0] and x._version == 0


def test_recording_a_change_of_a_view_made_without_recording_is_refused():
    c = tg.zeros(3, dtype=tg.float64)
    v = c[1:]  # c requires no grad: v has no history that leads back to c
    w = tg.ones(2, dtype=tg.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: .* view .* made without recording"):
        v.add_(w)


@pytest.mark.parametrize("change, error, words", [
    (lambda: tg.tensor([1, 2]).mul_(2.5), TypeError, "mul_"),
    (lambda: tg.tensor([True]).add_(1), TypeError, "add_"),
    (lambda: tg.ones(3).add_(tg.ones(2, 3)), ValueError, r"add_.*\(2, 3\)"),
    (lambda: tg.ones(3).copy_(tg.ones(4)), ValueError, r"copy_.*\(4,\)"),
    (lambda: tg.ones(3).fill_(tg.ones(2)), ValueError, "fill_"),
    (lambda: tg.ones(3).fill_("a"), TypeError, "fill_"),
    (lambda: tg.ones(3).clamp_(), ValueError, "clamp_"),
    (lambda: tg.ones(3).add_(1, alpha="x"), TypeError, "add_"),
    (lambda: tg.ones(3).add_(None), TypeError, "add_"),
    (lambda: tg.ones(3).expand(2, 3).mul_(2), ValueError, "read-only"),
    (lambda: tg.ones(3).__setitem__(5, 1.0), IndexError, "setitem"),
])
def test_bad_in_place_calls_raise_clear_errors_and_change_nothing(change, error, words):
    with pytest.raises(error, match=words):
        change()


def test_a_failed_in_place_call_leaves_the_tensor_unchanged():
    t = tg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        t.add_(tg.ones(2, 3))
    assert t.tolist() == [1.0, 2.0, 3.0] and t._version == 0


def test_version_counters_go_away_with_their_memory():
    t = tg.zeros(3)
    t.add_(1)
    key = id(versions.owner(t.numpy()))
    assert key in versions._counters
    del t
    gc.collect()
    assert key not in versions._counters


def test_a_failed_backward_pass_leaves_every_grad_as_it_was():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0], requires_grad=True)
    a.grad = tg.tensor([10.0, 10.0])
    y = b.tanh()  # recorded first, so its node runs last, after a's gradient has arrived
    loss = (a * 3).sum() + y.sum()
    with tg.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="TanhBackward"):
        loss.backward()
    assert a.grad.tolist() == [10.0, 10.0] and b.grad is None


def test_augmented_assignment_changes_the_tensor_in_place():
    """The textbook update `w -= η ∇E` under no_grad must move the parameter itself."""
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    alias = w
    (w * w).sum().backward()
    with tg.no_grad():
        w -= 0.25 * w.grad
        w *= 2
        w += 1
        w /= 2
    assert w is alias and w.requires_grad and w.is_leaf
    assert w.tolist() == [1.0, 1.5] and w._version == 4  # ((w − w/2)·2 + 1)/2
    with pytest.raises(RuntimeError, match="sub_: a leaf Variable that requires grad"):
        w -= 1.0


# ---------------------------------------------------------------- indices kept by a node


def test_changing_an_index_tensor_before_backward_raises():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = tg.tensor([0, 1])
    y = x[idx]
    idx[0] = 2
    with pytest.raises(RuntimeError, match=r"GetItemBackward: its index \(shape \(2,\)\).*"
                                           r"in-place operation \(setitem\)"):
        y.sum().backward()


def test_changing_the_index_of_a_recorded_setitem_before_backward_raises():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = tg.tensor([5.0], requires_grad=True)
    idx = tg.tensor([0])
    y = x * 1.0
    y[idx] = v
    idx.add_(1)
    with pytest.raises(RuntimeError, match=r"SetItemBackward: its index.*\(add_\)"):
        y.sum().backward()


def test_changing_class_targets_before_backward_raises():
    z = tg.tensor(np.zeros((3, 4)), requires_grad=True)
    t = tg.tensor([0, 1, 2])
    loss = tg.nn.functional.cross_entropy(z, t)
    t[0] = 2
    with pytest.raises(RuntimeError, match="its index .*setitem"):
        loss.backward()


@pytest.mark.parametrize("make", [np.array, list])
def test_an_array_or_list_index_is_copied(make):
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = make([0, 1])
    y = x[idx]
    idx[0] = 2  # the caller's array, not the node's copy
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 0])


def test_an_array_of_class_targets_is_copied():
    z = tg.tensor(np.zeros((2, 3)), requires_grad=True)
    t = np.array([0, 1])
    loss = tg.nn.functional.cross_entropy(z, t, reduction="sum")
    t[0] = 2
    loss.backward()
    np.testing.assert_allclose(z.grad.numpy(), np.full((2, 3), 1 / 3) - np.eye(2, 3))


def test_an_int_or_slice_index_copies_nothing():
    x = tg.tensor(np.arange(6.0).reshape(2, 3))
    assert np.shares_memory(x[0].numpy(), x.numpy()) and np.shares_memory(x[:, 1:].numpy(), x.numpy())


# ---------------------------------------------------------------- an operand that is the tensor itself


def _x():
    return tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)


@pytest.mark.parametrize("change, grad", [
    (lambda y: y.__iadd__(y), [4.0, 8.0, 12.0]),  # y = x², then 2y: d(2x²)/dx = 4x
    (lambda y: y.add_(y), [4.0, 8.0, 12.0]),
    (lambda y: y.sub_(y, alpha=0.5), [1.0, 2.0, 3.0]),  # y − y/2 = x²/2
    (lambda y: y.copy_(y), [2.0, 4.0, 6.0]),
    (lambda y: y.mul_(y), [4.0, 32.0, 108.0]),  # y = (x²)², dy/dx = 4x³
])
def test_an_in_place_op_with_itself_as_operand_uses_the_old_value(change, grad):
    """y ← f(y, y) reads y's old value twice; the node must not become its own input."""
    x = _x()
    y = x * x
    change(y)
    (g,) = tg.autograd.grad(y.sum(), x, retain_graph=True, create_graph=True)
    np.testing.assert_allclose(g.numpy(), grad)
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array(grad))


def test_an_in_place_op_with_itself_matches_pytorch():
    torch = pytest.importorskip("torch")
    for name in ("add_", "copy_"):
        x, tx = _x(), torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
        y, ty = x * x, tx * tx
        getattr(y, name)(y)
        getattr(ty, name)(ty)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


# ---------------------------------------------------------------- a node saves what its rule reads


@pytest.mark.parametrize("build, change, grad", [
    # micrograd's `d += d * 2 + ...`: y·3 reads only the constant 3 for ∂/∂y
    (lambda x: x * 1, lambda y: y.__iadd__(y * 3), [4.0, 4.0, 4.0]),
    (lambda x: x * 1, lambda y: y.__isub__(y * 0.5), [0.5, 0.5, 0.5]),
], ids=["iadd", "isub"])
def test_updating_a_tensor_with_a_product_by_a_constant_computes(build, change, grad):
    x = _x()
    y = build(x)
    change(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), grad)


@pytest.mark.parametrize("use, grad", [
    (lambda y: y * 2, [2.0, 2.0, 2.0]),  # Mul by a constant reads only the constant
    (lambda y: y * tg.tensor([2.0, 2.0, 2.0], dtype=tg.float64), [2.0, 2.0, 2.0]),
    (lambda y: 2 * y, [2.0, 2.0, 2.0]),
    (lambda y: y / 2, [0.5, 0.5, 0.5]),  # Div reads y (the constant) for ∂/∂x
    (lambda y: y.relu(), [1.0, 1.0, 1.0]),  # relu reads its output
    (lambda y: y @ tg.ones(3, dtype=tg.float64), [1.0, 1.0, 1.0]),
    (lambda y: tg.nn.functional.linear(y, tg.ones(2, 3, dtype=tg.float64)),
     [2.0, 2.0, 2.0]),
], ids=["mul", "mul_tensor_constant", "rmul", "div", "relu", "matmul", "linear"])
def test_changing_an_input_a_rule_does_not_read_is_fine(use, grad):
    x = _x()
    y = x * 1
    z = use(y)
    y.add_(1)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), grad)


@pytest.mark.parametrize("make, grad", [
    (lambda x: x**2, [2.0, 4.0, 6.0]),  # Pow by a constant reads x, not its output
    (lambda x: x.clamp(0, 2.5), [1.0, 1.0, 0.0]),  # clamp reads its input
    (lambda x: 2 / x, [-2.0, -0.5, -2 / 9]),  # ∂(2/x)/∂x = −2/x² reads the operands
], ids=["pow", "clamp", "rdiv"])
def test_changing_an_output_a_rule_does_not_read_is_fine(make, grad):
    x = _x()
    r = make(x)
    with tg.no_grad():
        r.add_(1)
    r.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), grad)


@pytest.mark.parametrize("use, changed", [
    (lambda y, w: y * w, "y"),  # ∂/∂w reads y
    (lambda y, w: w / y, "y"),  # ∂/∂w reads y
    (lambda y, w: y / w, "y"),  # ∂/∂w = −y/w² reads y
    (lambda y, w: y.log(), "y"),
    (lambda y, w: y.exp(), "out"),
    (lambda y, w: y.sigmoid(), "out"),
    (lambda y, w: y.relu(), "out"),
], ids=["mul", "div", "div_by_w", "log", "exp", "sigmoid", "relu"])
def test_changing_a_value_a_needed_rule_reads_still_raises(use, changed):
    x = _x()
    w = tg.full((3,), 2.0, dtype=tg.float64, requires_grad=True)
    y = x * 1
    z = use(y, w)
    with tg.no_grad():
        (y if changed == "y" else z).add_(1)
    with pytest.raises(RuntimeError, match="changed by an in-place operation"):
        (z + w).sum().backward()


def test_what_computes_and_what_raises_matches_pytorch():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    y = t * 1
    z = y * 2
    y.add_(1)
    z.sum().backward()  # PyTorch computes it, as we do above
    np.testing.assert_allclose(t.grad.numpy(), [2.0, 2.0, 2.0])
    y = t * 1
    z = y.exp()
    z.add_(1)
    with pytest.raises(RuntimeError):
        z.sum().backward()


# ---------------------------------------------------------------- in place on a view of a non-leaf


def _changed_views(x):
    """Several in-place changes through views of one non-leaf (a 2×3 matrix)."""
    y = x * 2
    y[1:] += 1  # a slice
    y[0] *= x[1].exp()  # an int index
    y.T[0] = x[:, 2] * 3  # a view of a view: a column, set from another tensor
    v = y.reshape(6)
    v.mul_(x.reshape(6))  # the whole base through a reshape
    return y


def _changed_views_closed_form(x):
    y = 2 * x
    y[1:] += 1
    y[0] *= np.exp(x[1])
    y[:, 0] = 3 * x[:, 2]
    return y * x


def test_in_place_changes_of_views_give_pytorch_values_and_gradients():
    x0 = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    x = tg.tensor(x0, requires_grad=True)
    y = _changed_views(x)
    np.testing.assert_allclose(y.numpy(), _changed_views_closed_form(x0), rtol=1e-12)
    assert y.grad_fn.name == "CopySlicesBackward"
    assert_gradients_close(lambda t: (_changed_views(t) ** 2).sum(), tg.tensor(x0))
    assert tg.autograd.gradgradcheck(lambda t: (_changed_views(t) ** 2).sum(),
                                     [tg.tensor(x0, requires_grad=True)])


def test_the_view_itself_follows_the_new_base():
    x = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(x[:2])  # v = 2x[1:]·x[:2]
    (v * v).sum().backward()  # Σ 4 x[i+1]² x[i]²
    np.testing.assert_allclose(x.grad.numpy(), [8 * 4 * 1, 8 * 9 * 2 + 8 * 1 * 2, 8 * 4 * 3])
    np.testing.assert_allclose(y.numpy(), [2.0, 4.0, 12.0])


def test_earlier_consumers_of_the_base_keep_the_value_they_saw():
    x = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)
    y = x * 1
    z = y.exp()  # saw y = x; its rule reads z, not y
    y[1:] += 1
    (z.sum() + y.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0, 3.0]) + 1)


def _consumed_views(x):
    """Views consumed before an in-place change through them: a reshape, and a chain
    (transpose, reshape, slice). The consumers recorded first come before the nodes the
    change records, and must still run after them in the backward pass."""
    v = (x * 2).reshape(6)
    u = (v + 1).exp()  # saw the view before the change; its rule reads u, not v
    v.mul_(2)
    w = (x * 3).T.reshape(6)[2:]
    z = (w + 1).tanh()
    w.clamp_(-1, 1)
    return u.sum() + v.sum() + z.sum() + w.sum()


def _consumed_views_gradient(x):
    """d/dx of Σ exp(2x + 1) + Σ 4x + Σ_w [tanh(3x + 1) + clamp(3x, −1, 1)], w the last four
    elements of (3x)ᵀ flattened."""
    in_w = np.zeros(6, bool)
    in_w[2:] = True
    in_w = in_w.reshape(3, 2).T  # where xᵀ's flattened elements 2..5 sit in x
    w = 3 * x
    dw = 1 - np.tanh(w + 1) ** 2 + (np.abs(w) <= 1)
    return 2 * np.exp(2 * x + 1) + 4 + np.where(in_w, 3 * dw, 0)


def test_earlier_consumers_of_a_view_keep_the_view_they_saw():
    x0 = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    x = tg.tensor(x0, requires_grad=True)
    _consumed_views(x).backward()  # raised: the view's node ran twice
    np.testing.assert_allclose(x.grad.numpy(), _consumed_views_gradient(x0), rtol=1e-12)
    assert_gradients_close(_consumed_views, tg.tensor(x0))


def test_earlier_consumers_of_a_view_match_pytorch():
    torch = pytest.importorskip("torch")
    x0 = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    x, tx = tg.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    _consumed_views(x).backward()
    _consumed_views(tx).backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_a_reshaped_non_leaf_changes_in_place():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 2
    v = y.reshape(2, 2)
    v.mul_(3)
    assert y.tolist() == [6.0, 12.0, 18.0, 24.0]
    (y.sum() + v.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0] * 4)


def test_changing_a_logsumexp_result_in_place_works():
    """A result of a composite op is not refused as a view of an internal temporary (it is
    the view of one: the change is recorded on it; PyTorch's primitive logsumexp refuses at
    backward instead, as its rule reads the result)."""
    x = tg.tensor([[1.0, 2.0], [0.0, -1.0]], dtype=tg.float64, requires_grad=True)
    r = x.logsumexp(1)
    r.mul_(2)
    r.sum().backward()
    e = np.exp(x.numpy())
    np.testing.assert_allclose(x.grad.numpy(), 2 * e / e.sum(1, keepdims=True))


def test_in_place_changes_of_views_match_pytorch():
    torch = pytest.importorskip("torch")
    x0 = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
    x = tg.tensor(x0, requires_grad=True)
    tx = torch.tensor(x0, requires_grad=True)
    for t in (x, tx):
        y = t * 2
        y[1:] += 1
        y[0] *= t[1].exp()
        y.T[0] = t[:, 2] * 3
        (y ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
