"""The backward pass: accumulation, retain_graph, freed graphs, no_grad, grad(), deep chains,
grad modes, gradcheck, anomaly detection (NaN and inf named by op), hostile gradients, and the
error cases of the API contract."""

import gc
import re
import threading
import warnings
import weakref

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import RNG, T, close, grad, has_number_close, val
from hostile import (
    Refused,
    assert_clean_error,
    assert_same,
    expected_array,
    hostile_input,
    operands,
    run_or_refused,
    tensors,
)
from hypothesis import example, given

import tinygrad_edu as tg
from tinygrad_edu.autograd.gradcheck import central_differences


def test_chain_of_100_000_ops_has_no_recursion_limit():
    x = tg.tensor(2.0, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0001 + 0.0  # 100,000 ops
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**50_000, rel=1e-9)


def test_gradients_accumulate_into_leaves_across_backward_calls():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])


def test_a_tensor_used_twice_gets_the_sum_of_both_paths():
    x = tg.tensor(3.0, requires_grad=True)
    y = x * x + x.exp()  # dy/dx = 2x + eˣ
    y.backward()
    assert x.grad.item() == pytest.approx(6 + np.exp(3.0), rel=1e-6)


@pytest.mark.parametrize("make", [
    lambda a: a * a,  # the same intermediate twice in one node
    lambda a: a * 2 + a.sin(),  # a's first consumer to run is not its last
    lambda a: (a * 2).sin() + a,  # a path through a later node joins a shorter one
    lambda a: a + (a.exp() * a).sin(),
])
def test_an_intermediate_runs_only_after_every_consumer_delivered(make):
    """Each intermediate's rule runs once, with the sum of all of its consumers' gradients,
    whatever the order in which the walk reaches them (checked against central differences)."""
    x = tg.tensor([0.3, -0.7], dtype=tg.float64, requires_grad=True)
    make((x * 1.5).tanh()).sum().backward()
    v = x.numpy().copy()
    (numeric,) = central_differences(lambda: make((tg.tensor(v) * 1.5).tanh()).sum().item(), [v])
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-7)


def test_leaf_grad_is_a_fresh_buffer_not_shared_between_leaves():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 10
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_backward_twice_raises_and_mentions_retain_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.tanh() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_a_second_pass():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_saved_buffers_are_released_after_backward():
    x = tg.tensor(np.ones(1024), requires_grad=True)  # 8 KiB: above engine.FREED_FROM
    hidden = x.exp()
    ref = weakref.ref(hidden.numpy())
    y = (hidden * 2).sum()
    node = y.grad_fn
    del hidden
    y.backward()
    gc.collect()
    assert node.saved is None and ref() is None  # the values are freed,
    (product,) = node.inputs  # the structure stays: Sum <- Mul <- Exp <- x
    assert (product.grad_fn.name, product.shape, product.dtype) == ("MulBackward", (1024,),
                                                                    np.float64)
    with pytest.raises(RuntimeError, match="value was freed by backward"):
        product.numpy()
    exp, two = product.grad_fn.inputs
    assert exp.grad_fn.name == "ExpBackward" and two == 2 and exp.grad_fn.inputs == (x,)


def test_a_small_value_stays_until_its_graph_goes():
    """Under engine.FREED_FROM bytes freeing gives no memory back: such values stay."""
    x = tg.tensor(np.ones(4), requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    (product,) = y.grad_fn.inputs
    np.testing.assert_allclose(product.numpy(), 2 * np.e)


def test_a_value_someone_holds_is_not_freed():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()  # held by this variable
    twice = x * 2  # used by two ops
    y = (h * 3 + twice * twice.tanh()).sum()
    y.backward()
    np.testing.assert_allclose(h.numpy(), np.exp([1.0, 2.0]))
    (total,) = y.grad_fn.inputs
    right = total.grad_fn.inputs[1]
    assert right.grad_fn.inputs[0] is twice  # reached through the graph: it keeps its value
    np.testing.assert_array_equal(twice.grad_fn.inputs[0].numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(right.grad_fn.inputs[0].numpy(), [2.0, 4.0])


def test_non_scalar_backward_needs_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="one-element"):
        (x * 2).backward()
    (x * 2).backward(tg.tensor([1.0, -1.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -2.0])


def test_gradient_of_the_wrong_shape_names_both_shapes():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.tensor([1.0]).sum().backward()


@pytest.mark.parametrize("data", [[1, 2], [True, False]])
def test_integer_and_bool_tensors_cannot_require_grad(data):
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor(data, requires_grad=True)
    t = tg.tensor(data)
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad = True


def test_no_grad_context_and_decorator_and_enable_grad():
    x = tg.tensor([1.0], requires_grad=True)
    with tg.no_grad():
        assert not (x * 2).requires_grad
        with tg.enable_grad():
            assert (x * 2).requires_grad

    @tg.no_grad()
    def f(t):
        return t * 2

    y = f(x)
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_detach_and_requires_grad_and_is_leaf():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.grad_fn.name == "MulBackward"
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and np.shares_memory(d.numpy(), y.numpy())
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    z = tg.tensor([1.0]).requires_grad_()
    assert z.requires_grad and z.is_leaf


def test_autograd_grad_returns_tuple_and_leaves_grad_untouched():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = tg.autograd.grad(y, [x, w])
    np.testing.assert_allclose(gx.numpy(), [3, 4])
    np.testing.assert_allclose(gw.numpy(), [1, 2])
    assert x.grad is None and w.grad is None


def test_autograd_grad_wrt_an_intermediate_tensor():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    (gh,) = tg.autograd.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), 2 * h.numpy())


def test_autograd_grad_unused_input():
    x = tg.tensor([1.0], requires_grad=True)
    unused = tg.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = tg.autograd.grad(y, [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 2.0


def test_autograd_grad_of_input_not_requiring_grad_raises():
    x = tg.tensor([1.0], requires_grad=True)
    c = tg.tensor([1.0])
    with pytest.raises(RuntimeError, match="requires grad"):
        tg.autograd.grad((x * c).sum(), c)


def test_detect_anomaly_names_the_forward_op():
    x = tg.tensor([-1.0, 1.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="Log"):
            x.log()
    x.log()  # outside the block: nan passes silently, as in numpy


def test_detect_anomaly_names_the_backward_op():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt().sum()  # finite forward, infinite derivative at 0
    with tg.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="SqrtBackward.*inf"):
            y.backward()


def test_repr_like_pytorch():
    assert repr(tg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    t = tg.tensor([1.0], dtype=tg.float64, requires_grad=True) * 2
    assert repr(t) == "tensor([2.], dtype=tinygrad_edu.float64, grad_fn=<MulBackward>)"
    assert repr(tg.tensor([1, 2])) == "tensor([1, 2])"


def test_float64_kept_and_float32_default():
    assert tg.tensor([1.0]).dtype == np.float32
    assert tg.tensor(np.array([1.0])).dtype == np.float64
    assert tg.tensor(np.array([1.0], dtype=np.float16)).dtype == np.float16
    assert tg.tensor([1, 2]).dtype == np.int64
    assert tg.zeros(2).dtype == np.float32
    tg.set_default_dtype(tg.float64)
    try:
        assert tg.tensor([1.0]).dtype == np.float64 and tg.randn(2).dtype == np.float64
    finally:
        tg.set_default_dtype(tg.float32)


def test_manual_seed_makes_random_factories_reproducible():
    tg.manual_seed(3)
    a = tg.randn(3, 2).numpy(), tg.rand(2).numpy(), tg.randint(0, 10, (4,)).numpy()
    tg.manual_seed(3)
    b = tg.randn(3, 2).numpy(), tg.rand(2).numpy(), tg.randint(0, 10, (4,)).numpy()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_factories():
    np.testing.assert_array_equal(tg.arange(3).numpy(), [0, 1, 2])
    assert tg.arange(0, 1, 0.5).dtype == np.float32
    np.testing.assert_allclose(tg.linspace(0, 1, 3).numpy(), [0, 0.5, 1])
    np.testing.assert_array_equal(tg.eye(2).numpy(), np.eye(2))
    assert tg.full((2,), 7).dtype == np.int64 and tg.full((2,), 7.0).dtype == np.float32
    assert tg.zeros((2, 3)).shape == tg.ones(2, 3).shape == tg.empty(2, 3).shape == (2, 3)
    assert tg.zeros(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        tg.arange(3, requires_grad=True)


def test_grad_fn_next_functions_walk_the_graph():
    x = tg.tensor([1.0], requires_grad=True)
    y = (x * 2).tanh()
    (mul,) = y.grad_fn.next_functions
    assert mul.name == "MulBackward"
    assert mul.next_functions == (None, None)  # a leaf and a constant


def test_zero_dim_tensor_formats_like_a_number():
    assert f"{tg.tensor(0.123456, dtype=tg.float64):.3f}" == "0.123"


# ---------------------------------------------------------------- grad mode and anomaly mode


def _in_thread(target):
    """Start `target` in a new thread; return a function that joins it and re-raises."""
    errors = []

    def run():
        try:
            target()
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    thread = threading.Thread(target=run)
    thread.start()

    def join():
        thread.join(10)
        assert not thread.is_alive()
        if errors:
            raise errors[0]

    return join


def test_no_grad_in_another_thread_does_not_stop_recording():
    inside, done = threading.Event(), threading.Event()

    def other():
        with tg.no_grad():
            inside.set()
            assert done.wait(10)

    join = _in_thread(other)
    assert inside.wait(10)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x + x * 3).sum().backward()  # recorded while the other thread is in no_grad
    done.set()
    join()
    np.testing.assert_allclose(x.grad.numpy(), [2 * 1 + 3, 2 * 2 + 3])


def test_backward_in_another_thread_does_not_stop_recording():
    inside, done = threading.Event(), threading.Event()

    class Pause(tg.ops.Function):
        """y = x;  dy/dx = 1, once the main thread has recorded its graph"""

        saves = ()

        def forward(self, x):
            return x.copy()

        def backward(self, grad, out, x):
            inside.set()
            assert done.wait(10)
            return grad

    a = tg.tensor([1.0], requires_grad=True)
    y = a.apply_op(Pause()).sum()
    join = _in_thread(y.backward)
    assert inside.wait(10)
    x = tg.tensor([2.0], requires_grad=True)
    z = x * x  # recorded while the other thread's backward runs
    done.set()
    join()
    assert z.requires_grad and z.grad_fn.name == "MulBackward"
    assert a.grad.item() == 1.0


def test_two_threads_train_two_models_at_once():
    barrier = threading.Barrier(2)
    results = {}

    def train(name):
        w = tg.tensor([1.0], requires_grad=True)
        opt = tg.optim.SGD([w], lr=0.1)
        for _ in range(20):
            barrier.wait(10)  # each step of one thread meets a step of the other
            opt.zero_grad()
            (w * w).sum().backward()  # d(w²)/dw = 2w: w ← 0.8 w
            opt.step()
        results[name] = w.item()

    join = _in_thread(lambda: train("a"))
    train("b")
    join()
    assert results == {"a": pytest.approx(0.8**20), "b": pytest.approx(0.8**20)}


def test_a_new_thread_starts_with_grad_enabled_and_anomaly_off():
    seen = {}

    def other():
        x = tg.tensor([0.0], requires_grad=True)
        seen["grad"] = tg.autograd.is_grad_enabled() and (x * 2).requires_grad
        with np.errstate(divide="ignore"):
            seen["log"] = x.log().item()  # -inf, no error: anomaly detection is off here

    with tg.no_grad(), tg.autograd.detect_anomaly():
        _in_thread(other)()
        assert not tg.autograd.is_grad_enabled()
    assert seen == {"grad": True, "log": -np.inf}


def test_detect_anomaly_in_another_thread_does_not_check_this_one():
    inside, done = threading.Event(), threading.Event()

    def other():
        with tg.autograd.detect_anomaly():
            inside.set()
            assert done.wait(10)

    join = _in_thread(other)
    assert inside.wait(10)
    with np.errstate(divide="ignore"):
        y = tg.tensor([0.0]).log()  # -inf, no error: anomaly mode is the other thread's
    done.set()
    join()
    assert y.item() == -np.inf


def test_set_grad_enabled_as_a_plain_call_switches_at_once():
    x = tg.tensor([1.0], requires_grad=True)
    try:
        tg.set_grad_enabled(False)
        assert not tg.autograd.is_grad_enabled() and not (x * 2).requires_grad
        tg.set_grad_enabled(True)
        assert tg.autograd.is_grad_enabled() and (x * 2).requires_grad
    finally:
        tg.set_grad_enabled(True)


def test_set_grad_enabled_as_a_context_restores_the_mode_it_found():
    with tg.no_grad():
        with tg.set_grad_enabled(True):
            assert tg.autograd.is_grad_enabled()
        assert not tg.autograd.is_grad_enabled()
    with tg.set_grad_enabled(False):
        assert not tg.autograd.is_grad_enabled()
    assert tg.autograd.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_switches_only_inside():
    @tg.set_grad_enabled(False)
    def f(t):
        assert not tg.autograd.is_grad_enabled()
        return t * 2

    assert tg.autograd.is_grad_enabled()  # decorating changed nothing
    x = tg.tensor([1.0], requires_grad=True)
    assert not f(x).requires_grad and tg.autograd.is_grad_enabled()


def test_no_grad_and_enable_grad_as_bare_decorators():
    @tg.no_grad
    def double(t):
        return t * 2

    @tg.enable_grad
    def triple(t):
        return t * 3

    x = tg.tensor([1.0], requires_grad=True)
    assert double.__name__ == "double" and not double(x).requires_grad
    with tg.no_grad():
        assert triple(x).requires_grad
    assert tg.autograd.is_grad_enabled()


def test_no_grad_on_a_generator_holds_at_each_step_only():
    @tg.no_grad()
    def gen():
        for _ in range(2):
            request = yield tg.autograd.is_grad_enabled()
            assert request == "next" and not tg.autograd.is_grad_enabled()
        return "done"

    g = gen()
    assert next(g) is False and tg.autograd.is_grad_enabled()  # the caller's mode between steps
    assert g.send("next") is False and tg.autograd.is_grad_enabled()
    with pytest.raises(StopIteration) as stop:
        g.send("next")
    assert stop.value.value == "done" and tg.autograd.is_grad_enabled()


def test_no_grad_on_a_class_wraps_its_constructor_with_a_warning():
    with pytest.warns(FutureWarning, match="classes is deprecated"):
        @tg.no_grad()
        class Box:
            def __init__(self, t):
                self.grad_enabled = tg.autograd.is_grad_enabled()

    assert Box(1).grad_enabled is False and tg.autograd.is_grad_enabled()


# ---------------------------------------------------------------- .grad: owned and validated


def test_leaves_never_share_one_grad_after_create_graph():
    """Add hands both inputs the same gradient; each leaf must keep its own copy."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.tensor([3.0, 4.0], requires_grad=True)
    c = tg.tensor([5.0, 6.0])
    ((x + y) * c).sum().backward(create_graph=True)
    assert x.grad is not y.grad
    (x * 1).sum().backward()
    assert x.grad.tolist() == [6.0, 7.0] and y.grad.tolist() == [5.0, 6.0]


def test_a_grad_made_with_create_graph_is_writable_and_accumulates():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.sum().backward(create_graph=True)  # Sum's rule broadcasts: a read-only view
    x.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]
    (x * x).sum().backward(create_graph=True)  # x.grad = 2x, with a graph
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_grad_fields_of_one_pass_are_distinct_writable_tensors():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.tensor([3.0, 4.0], requires_grad=True)
    for create_graph in (False, True):
        x.grad = y.grad = None
        (x + y).sum().backward(create_graph=create_graph)
        assert x.grad is not y.grad and x.grad.numpy() is not y.grad.numpy()
        assert x.grad.numpy().flags.writeable and y.grad.numpy().flags.writeable
        x.grad.add_(1)
        assert y.grad.tolist() == [1.0, 1.0]


def test_a_gradient_handed_to_two_inputs_is_never_summed_into_in_place():
    """u + v gives u and v one array (`* one` makes it a new, writable one); when each then
    gets a second contribution, the sum must not reach the other tensor's gradient."""
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    one = np.ones(2)
    u, v = x * 2.0, x * 3.0
    loss = ((u * 5.0 + v * 7.0 + (u + v)) * one).sum()  # u + v runs first: ∂/∂u = 6, ∂/∂v = 8
    gu, gv = tg.autograd.grad(loss, [u, v], retain_graph=True)
    assert gu.tolist() == [6.0, 6.0] and gv.tolist() == [8.0, 8.0]
    loss.backward()
    assert x.grad.tolist() == [6.0 * 2 + 8.0 * 3] * 2


def test_a_pending_gradient_a_hook_kept_is_not_changed_by_a_later_contribution():
    """a + h gives a and h one array of ones; a's hook keeps it, then h's gradient grows."""
    x = tg.tensor(np.ones((600, 600)), requires_grad=True)  # large: numpy reuses temporaries
    h = x * 2.0
    a = h * 3.0
    kept = []
    a.register_hook(lambda g: kept.append(g) or g)
    ((a + h) * np.ones((600, 600))).sum().backward()
    assert kept[0].numpy().max() == 1.0 and x.grad.numpy().max() == (1.0 + 3.0) * 2.0


def test_assigning_a_grad_checks_type_shape_and_dtype_like_pytorch():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    good = tg.tensor([0.5, 0.5, 0.5])
    x.grad = good
    assert x.grad is good
    x.grad = None
    assert x.grad is None
    with pytest.raises(TypeError, match=r"grad: .*Tensor or None.*list"):
        x.grad = [1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match=r"grad: .*dtype int64.*float32"):
        x.grad = tg.tensor([1, 1, 1])
    with pytest.raises(RuntimeError, match=r"grad: .*shape \(4,\).*\(3,\)"):
        x.grad = tg.zeros(4)
    with pytest.raises(RuntimeError, match=r"grad: .*shape \(1,\).*\(3,\)"):
        x.grad = tg.zeros(1)  # broadcastable is not enough
    assert x.grad is None  # a refused assignment changes nothing
    (x * 0.5).sum().backward()
    assert x.grad.tolist() == [0.5, 0.5, 0.5] and x.grad.dtype == np.float32


class TestBackwardBasics:
    def test_grad_accumulates_across_two_backward_calls(self):
        x = T([1.0, -2.0, 3.0])
        (x * x).sum().backward()
        close(grad(x), [2, -4, 6])
        (3.0 * x).sum().backward()
        close(grad(x), [5, -1, 9])
        assert x.grad.shape == x.shape and x.grad.dtype == x.dtype

    def test_grad_has_leaf_dtype(self):
        a = T([1.0, 2.0], dtype=np.float32)
        b = T([3.0, 4.0], dtype=np.float64)
        (a * b).sum().backward()
        assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
        close(grad(a), [3, 4])
        close(grad(b), [1, 2])
        h = T([1.0, 2.0], dtype=np.float16)
        (h * 2.0).sum().backward()
        assert h.grad.dtype == np.float16
        close(grad(h), [2, 2])

    def test_backward_with_gradient_for_non_scalar(self):
        x = T([1.0, 2.0, 3.0])
        y = x * x
        y.backward(gradient=tg.Tensor(np.array([1.0, 0.5, -2.0])))
        close(grad(x), [2, 2, -12])

    def test_backward_one_element_non_scalar_without_gradient(self):
        x = T([[2.0]])
        (x * x).backward()
        close(grad(x), [[4.0]])

    def test_non_scalar_backward_without_gradient_raises(self):
        x = T([1.0, 2.0])
        with pytest.raises(RuntimeError):
            (x * x).backward()
        assert x.grad is None

    def test_retain_graph(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        close(grad(x), [4, 8])

    def test_backward_twice_without_retain_graph_raises(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            y.backward()

    def test_backward_through_freed_subgraph_raises(self):
        x = T([1.0, 2.0])
        z = x.exp()
        z.sum().backward()
        with pytest.raises(RuntimeError, match="retain_graph"):
            (z * 2.0).sum().backward()

    def test_backward_create_graph(self):
        x = T([0.5, -1.0])
        (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        close(val(g), 3 * np.array([0.5, -1.0]) ** 2)
        assert g.requires_grad
        (g2,) = tg.autograd.grad(g.sum(), x)
        close(val(g2), 6 * np.array([0.5, -1.0]))

    def test_backward_on_tensor_not_requiring_grad_raises(self):
        with pytest.raises(RuntimeError):
            (tg.Tensor([1.0, 2.0]) * 2.0).sum().backward()

    def test_detach(self):
        x = T([1.0, 2.0])
        y = x * 3.0
        d = y.detach()
        close(val(d), [3, 6])
        assert not d.requires_grad and d.grad_fn is None and d.is_leaf
        (d * x).sum().backward()
        close(grad(x), [3, 6])  # d is a constant

    def test_shared_subexpression_diamond_graph(self):
        # y used on two paths: z = y*y + y with y = 2x  ->  dz/dx = (2y + 1) * 2
        x = T([1.0, -0.5])
        y = x * 2.0
        z = (y * y + y).sum()
        z.backward()
        close(grad(x), (2 * 2 * np.array([1.0, -0.5]) + 1) * 2)

    def test_deep_graph_does_not_hit_recursion_limit(self):
        x = T([1.0])
        y = x
        for _ in range(5000):
            y = y * 1.0001
        y.sum().backward()
        close(grad(x), [1.0001**5000], rtol=1e-9)

    def test_scalar_leaf_backward(self):
        x = T(3.0)
        x.backward()
        assert x.grad.shape == ()
        close(grad(x), 1.0)
        s = T(2.0)
        (s * s).backward()
        assert s.grad.shape == ()
        close(grad(s), 4.0)

    def test_non_leaf_grad_is_not_populated(self):
        # "gradients accumulate into leaves' .grad"; PyTorch leaves non-leaf .grad at None
        x = T([1.0, 2.0])
        y = x * 2.0
        y.sum().backward()
        with pytest.warns(UserWarning, match="not a leaf"):
            assert y.grad is None
        close(grad(x), [2, 2])

    def test_setting_grad_to_none_resets_accumulation(self):
        x = T([1.0, 2.0])
        (x * 3.0).sum().backward()
        x.grad = None
        (x * 5.0).sum().backward()
        close(grad(x), [5, 5])

    def test_detach_then_requires_grad_is_new_leaf(self):
        x = T([1.0, 2.0])
        d = (x * 2.0).detach().requires_grad_()
        assert d.is_leaf and d.requires_grad
        (d * d).sum().backward()
        close(grad(d), [4, 8])
        assert x.grad is None


class TestGradMode:
    def test_no_grad_context(self):
        x = T([1.0, 2.0])
        with tg.no_grad():
            y = x * 2.0
        assert not y.requires_grad and y.grad_fn is None
        close(val(y), [2, 4])
        z = x * 2.0
        assert z.requires_grad and z.grad_fn is not None

    def test_no_grad_decorator(self):
        x = T([1.0, 2.0])

        @tg.no_grad()
        def f(t):
            return t * t

        y = f(x)
        assert not y.requires_grad
        close(val(y), [1, 4])
        assert (x * x).requires_grad

    def test_enable_grad_inside_no_grad(self):
        x = T([1.0, 2.0])
        with tg.no_grad():
            with tg.enable_grad():
                y = x * 3.0
            z = x * 3.0
        assert y.requires_grad and not z.requires_grad
        y.sum().backward()
        close(grad(x), [3, 3])

    def test_enable_grad_decorator(self):
        x = T([1.0, 2.0])

        @tg.enable_grad()
        def f(t):
            return t * t

        with tg.no_grad():
            y = f(x)
            z = x * x
        assert y.requires_grad and not z.requires_grad

    def test_no_grad_restored_after_exception(self):
        x = T([1.0])
        with pytest.raises(KeyError):
            with tg.no_grad():
                raise KeyError("boom")
        assert (x * 2.0).requires_grad

    def test_nested_no_grad_restores(self):
        x = T([1.0])
        with tg.no_grad():
            with tg.no_grad():
                pass
            assert not (x * 2.0).requires_grad
        assert (x * 2.0).requires_grad


class TestAutogradGrad:
    def test_returns_tuple_and_leaves_grad_untouched(self):
        x = T([1.0, 2.0])
        w = T([3.0, -1.0])
        y = (x * x * w).sum()
        gs = tg.autograd.grad(y, [x, w])
        assert isinstance(gs, tuple) and len(gs) == 2
        assert all(isinstance(g, tg.Tensor) for g in gs)
        close(val(gs[0]), [6, -4])
        close(val(gs[1]), [1, 4])
        assert x.grad is None and w.grad is None
        assert not gs[0].requires_grad

    def test_single_input_gives_one_tuple(self):
        x = T([1.0, 2.0])
        gs = tg.autograd.grad((x**2).sum(), x)
        assert isinstance(gs, tuple) and len(gs) == 1
        close(val(gs[0]), [2, 4])

    def test_existing_grad_not_modified(self):
        x = T([1.0, 2.0])
        (x * 5.0).sum().backward()
        tg.autograd.grad((x * x).sum(), [x])
        close(grad(x), [5, 5])

    def test_multiple_outputs_are_summed(self):
        x = T([1.0, 2.0])
        (g,) = tg.autograd.grad([(x * x).sum(), (3.0 * x).sum()], [x])
        close(val(g), [5, 7])

    def test_grad_outputs_for_non_scalar(self):
        x = T([1.0, 2.0, 3.0])
        (g,) = tg.autograd.grad(x * x, [x], grad_outputs=tg.Tensor(np.array([1.0, -1.0, 0.5])))
        close(val(g), [2, -4, 3])

    def test_retain_graph(self):
        x = T([1.0, 2.0])
        y = (x * x).sum()
        (g1,) = tg.autograd.grad(y, [x], retain_graph=True)
        (g2,) = tg.autograd.grad(y, [x])
        close(val(g1), val(g2))
        with pytest.raises(RuntimeError):
            tg.autograd.grad(y, [x])

    def test_create_graph_grad_of_grad(self):
        xn = np.array([0.3, -1.2, 2.0])
        x = T(xn)
        y = (x.sin() * x).sum()
        (g,) = tg.autograd.grad(y, x, create_graph=True)
        assert g.requires_grad
        close(val(g), np.cos(xn) * xn + np.sin(xn))
        (g2,) = tg.autograd.grad(g.sum(), x)
        close(val(g2), 2 * np.cos(xn) - xn * np.sin(xn))
        assert x.grad is None

    def test_hessian_vector_product(self):
        xn = np.array([0.5, -1.0, 2.0])
        vn = np.array([1.0, 2.0, 3.0])
        x = T(xn)
        f = (x**3).sum() + (x * x.sum()).sum()  # sum x^3 + (sum x)^2
        (g,) = tg.autograd.grad(f, [x], create_graph=True)
        close(val(g), 3 * xn**2 + 2 * xn.sum())
        (hv,) = tg.autograd.grad((g * tg.Tensor(vn)).sum(), [x])
        close(val(hv), 6 * xn * vn + 2 * vn.sum())

    def test_allow_unused(self):
        x, z = T([1.0, 2.0]), T([5.0])
        y = (x * x).sum()
        with pytest.raises(RuntimeError):
            tg.autograd.grad(y, [x, z], retain_graph=True)
        gx, gz = tg.autograd.grad(y, [x, z], allow_unused=True)
        close(val(gx), [2, 4])
        assert gz is None

    def test_input_not_requiring_grad_raises(self):
        x = tg.Tensor([1.0, 2.0])
        w = T([1.0, 1.0])
        y = (x * w).sum()
        with pytest.raises(RuntimeError):
            tg.autograd.grad(y, [x])


def _wrong_grad_fn(mask):
    """Analytic gradient of b is a + b*mask, the true derivative is a + 2*b*mask
    (b.detach() hides one factor from autograd, not from finite differences)."""
    m = tg.Tensor(np.asarray(mask, dtype=np.float64))
    return lambda a, b: (a * b).sum() + (b * b.detach() * m).sum()


class TestGradcheck:
    def test_passes_for_correct_function(self):
        rng = RNG(25)
        a, b = T(rng.normal(size=(2, 3))), T(rng.normal(size=(3,)))
        ok = tg.autograd.gradcheck(lambda a, b: (a * b.exp() + a.tanh() / (1.0 + b * b)).sum(), (a, b))
        assert ok is True

    def test_passes_for_non_scalar_output(self):
        a, b = T([0.3, 1.2]), T([[0.5], [-0.7]])
        assert tg.autograd.gradcheck(lambda a, b: (a * b).sin() + a @ a * b, (a, b)) is True

    def test_float32_inputs_checked_in_float64(self):
        x = T([0.3, 1.2], dtype=np.float32)
        assert tg.autograd.gradcheck(lambda x: (x * x).sum(), (x,)) is True

    def test_raises_gradcheck_error_naming_input_index_values(self):
        a = T([1.0, 2.0, 0.25])
        b = T([0.5, 1.5, 3.0])
        fn = _wrong_grad_fn([0.0, 0.0, 1.0])
        with pytest.raises(Exception) as ei:
            tg.autograd.gradcheck(fn, (a, b))
        assert type(ei.value).__name__ == "GradcheckError", type(ei.value)
        msg = str(ei.value)
        # input 1, element 2: analytic a2 + b2 = 3.25, numerical a2 + 2 b2 = 6.25
        assert re.search(r"input\D{0,20}1", msg, re.I), msg
        assert re.search(r"index\D{0,20}2|\(2,\)|\[2\]", msg, re.I), msg
        assert has_number_close(msg, 3.25) and has_number_close(msg, 6.25), msg

    def test_tolerances_are_honoured(self):
        a, b = T([1.0, 2.0, 0.25]), T([0.5, 1.5, 3.0])
        # the mismatch is 3.0 (3.25 vs 6.25): a loose atol accepts it
        assert tg.autograd.gradcheck(_wrong_grad_fn([0.0, 0.0, 1.0]), (a, b), atol=10.0) is True

    def test_gradcheck_error_is_public_and_a_runtime_error(self):
        err = getattr(tg.autograd, "GradcheckError", None)
        assert err is not None, "tg.autograd.GradcheckError should be importable"
        assert issubclass(err, RuntimeError)  # as torch.autograd.GradcheckError
        with pytest.raises(err):
            tg.autograd.gradcheck(_wrong_grad_fn([1.0]), (T([1.0]), T([2.0])))

    def test_gradgradcheck_passes(self):
        a, b = T([0.3, -0.8, 1.1]), T([0.5, 1.5, -0.2])
        assert tg.autograd.gradgradcheck(lambda a, b: (a * b * b).sum() + (a.sin() * a).sum() + (b.tanh() ** 2).sum(), (a, b)) is True

    def test_gradgradcheck_detects_wrong_second_derivative(self):
        # d/dx of (x * x.detach()) is x.detach() as far as autograd knows: its analytic
        # second derivative is 0, the numerical one is 1.
        x = T([0.5, 1.5])
        with pytest.raises(Exception) as ei:
            tg.autograd.gradgradcheck(lambda x: (x * x.detach()).sum(), (x,))
        assert type(ei.value).__name__ == "GradcheckError", type(ei.value)


class TestDetectAnomaly:
    def test_forward_nan_names_op(self):
        x = T([-1.0, 1.0])
        with tg.autograd.detect_anomaly():
            with pytest.raises(Exception) as ei:
                x.log()
        assert "log" in str(ei.value).lower(), str(ei.value)

    def test_forward_inf_names_op(self):
        x = T([0.0, 1.0])
        with tg.autograd.detect_anomaly():
            with pytest.raises(Exception) as ei:
                1.0 / x
        msg = str(ei.value).lower()
        assert "div" in msg or "/" in msg, msg

    def test_backward_inf_names_op(self):
        x = T([0.0, 1.0])
        with tg.autograd.detect_anomaly():
            y = x.sqrt().sum()  # forward is finite
            close(val(y), 1.0)
            with pytest.raises(Exception) as ei:
                y.backward()
        assert "sqrt" in str(ei.value).lower(), str(ei.value)

    def test_clean_computation_unaffected_and_mode_ends(self):
        x = T([1.0, 4.0])
        with tg.autograd.detect_anomaly():
            x.sqrt().sum().backward()
        close(grad(x), [0.5, 0.25])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = T([-1.0]).log()  # outside the context: no exception
        assert np.isnan(val(out)).all()


@hostile_input
@given(tensors(dtypes=[tg.float32, tg.float64], max_dims=2), operands)
@example(tg.ones(2), np.ones(2, complex))  # the imaginary part was dropped
@example(tg.ones(2), np.ones(2, object))  # an object array was accepted
@example(tg.tensor(0.0), [None])  # one output's gradient in a list: implicit, as PyTorch
@example(tg.ones(2), [None])  # refused: two elements need a gradient
def test_backward_with_hostile_gradient(x, gradient):
    x = x.detach().requires_grad_()
    out = x * 2

    def expected():
        # implicitly 1 for a one-element output; PyTorch reads [None] as None for one output
        implicit = gradient is None or (type(gradient) in (list, tuple) and len(gradient) == 1
                                        and gradient[0] is None)
        if implicit and out.numel() == 1:
            return np.full(out.shape, 2, x.dtype)
        g = gradient.numpy() if isinstance(gradient, tg.Tensor) else expected_array(gradient)
        if g.shape != out.shape:
            raise Refused
        return 2 * g.astype(x.dtype)

    got = run_or_refused(lambda: out.backward(gradient), expected, "backward")
    if got:
        assert_same(x.grad, got[1].astype(x.dtype))


@hostile_input
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


# ---------------------------------------------------------------- hooks and partial backward


def test_a_hook_replaces_the_gradient_of_a_non_leaf_before_its_rule_runs():
    x = T([1.0, 2.0])
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(val(g).copy()) or g * 10)
    (y * y).sum().backward()
    close(seen[0], 2 * val(y))  # the total gradient of y, before the hook
    close(grad(x), 10 * 2 * val(y) * 2)  # the replaced gradient flowed on to x


def test_a_leaf_hook_runs_before_accumulation_and_remove_undoes_it():
    x = T([1.0, 2.0])
    handle = x.register_hook(lambda g: g + 1)
    (x * 3).sum().backward()
    close(grad(x), [4.0, 4.0])
    handle.remove()
    handle.remove()  # twice is harmless
    from tinygrad_edu.autograd import hooks

    assert id(x) not in hooks.registry  # passes no longer look x up
    x.grad = None
    (x * 3).sum().backward()
    close(grad(x), [3.0, 3.0])


def test_hooks_run_in_registration_order_each_on_the_previous_result():
    x = T([1.0])
    x.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: g + 1)
    (x * 1).sum().backward()
    close(grad(x), [3.0])


def test_retain_grad_stores_the_gradient_after_every_hook():
    a = T([1.0])
    b = a * 3
    b.retain_grad()
    b.register_hook(lambda g: g * 2)  # registered after retain_grad, still runs first
    (b * b).sum().backward()
    close(grad(b), [12.0])
    close(grad(a), [36.0])
    assert b.retains_grad and not a.retains_grad


def test_retained_gradients_accumulate_across_passes_and_in_autograd_grad():
    x = T([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    (g,) = tg.autograd.grad(z, x, retain_graph=True)
    close(val(g), 8 * val(x))
    close(grad(y), 2 * val(y))
    z.backward()
    close(grad(y), 4 * val(y))


def test_reading_grad_of_a_non_leaf_warns_unless_retained():
    x = T([1.0])
    y = x * 2
    with pytest.warns(UserWarning, match="not a leaf Tensor.*retain_grad"):
        assert y.grad is None
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None
        assert x.grad is None  # a leaf never warns


def test_hooks_and_retain_grad_need_a_tensor_that_requires_grad():
    t = tg.tensor([1.0])
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        t.register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad"):
        t.retain_grad()
    with pytest.raises(TypeError, match="callable"):
        T([1.0]).register_hook(3)


def test_a_hook_that_changes_the_shape_raises_naming_it():
    x = T([1.0, 2.0])

    def summed(g):
        return g.sum()

    y = x * 1
    y.register_hook(summed)
    with pytest.raises(RuntimeError, match="hook 'summed' has changed the size of value"):
        y.sum().backward()


def test_a_hook_sees_a_differentiable_gradient_under_create_graph():
    x = T([0.5])
    y = x * x
    y.register_hook(lambda g: g * x)  # the replacement depends on x: second order sees it
    (g,) = tg.autograd.grad(y.sum(), x, create_graph=True)
    close(val(g), 2 * 0.5 * 0.5)  # d(x²)/dx · x
    (h,) = tg.autograd.grad(g.sum(), x)
    close(val(h), 4 * 0.5)  # d(2x²)/dx = 4x


def test_a_tensor_with_hooks_drops_them_when_it_dies():
    from tinygrad_edu.autograd import hooks

    before = len(hooks.registry)
    x = T([1.0])
    x.register_hook(lambda g: g)
    assert len(hooks.registry) == before + 1
    del x
    gc.collect()
    assert len(hooks.registry) == before


def test_backward_with_inputs_fills_only_those():
    x, w = T([1.0, 2.0]), T([3.0, 4.0])
    y = x * w
    (y * y).sum().backward(inputs=[w], retain_graph=True)
    assert x.grad is None
    close(grad(w), 2 * val(y) * val(x))
    (y * y).sum().backward(inputs=y)  # a non-leaf input gets a .grad, the walk stops there
    close(y.grad.numpy(), 2 * val(y))
    assert x.grad is None


def test_backward_with_empty_inputs_or_one_not_requiring_grad_raises():
    x = T([1.0])
    with pytest.raises(RuntimeError, match="inputs.*cannot be empty"):
        (x * 2).sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match="input 0 is not a Tensor that requires grad"):
        (x * 2).sum().backward(inputs=[tg.tensor([1.0])])


def test_autograd_backward_of_several_tensors_sums_their_gradients():
    x = T([1.0, 2.0])
    a, b = x * x, x.exp()
    tg.autograd.backward([a, b], grad_tensors=[tg.ones(2, dtype=tg.float64),
                                                tg.full((2,), 2.0, dtype=tg.float64)])
    close(grad(x), 2 * val(x) + 2 * np.exp(val(x)))
    with pytest.raises(RuntimeError, match="got 1 gradients for 2 outputs"):
        tg.autograd.backward([x * 1, x * 2], grad_tensors=[None])


def test_grad_batched_gives_one_vjp_per_row():
    x = T([1.0, 2.0, 3.0])
    y = x * x
    (jac,) = tg.autograd.grad(y, x, tg.eye(3, dtype=tg.float64), is_grads_batched=True)
    close(val(jac), np.diag(2 * val(x)))
    with pytest.raises(RuntimeError, match="batched grad_output"):
        tg.autograd.grad(x * 1, x, None, is_grads_batched=True)


def test_materialize_grads_gives_zeros_for_an_unused_input():
    x, unused = T([1.0]), T([5.0, 6.0])
    g = tg.autograd.grad((x * 2).sum(), (x, unused), materialize_grads=True)
    close(val(g[1]), [0.0, 0.0])


def test_zero_on_a_grad_clears_it_in_place():
    x = T([1.0, 2.0])
    (x * 3).sum().backward()
    g = x.grad
    x.grad.zero_()
    assert x.grad is g
    close(grad(x), [0.0, 0.0])


def test_inference_mode_is_no_grad_and_inference_mode_false_enables_it():
    x = T([1.0])
    with tg.inference_mode():
        assert not (x * 2).requires_grad
        assert tg.is_inference_mode_enabled() and not tg.is_grad_enabled()
        with tg.inference_mode(False):
            assert (x * 2).requires_grad and not tg.is_inference_mode_enabled()
    assert tg.is_grad_enabled() and not tg.is_inference_mode_enabled()

    @tg.inference_mode
    def bare():
        return (x * 2).requires_grad

    @tg.inference_mode(mode=False)
    def called():
        return (x * 2).requires_grad

    assert not bare()
    with tg.no_grad():
        assert called()


def test_backward_takes_its_gradient_as_a_tensor_a_list_of_numbers_or_a_one_tensor_list():
    x = T([1.0, 2.0])
    for gradient in ([1.0, 3.0], tg.tensor([1.0, 3.0]), [tg.tensor([1.0, 3.0])]):
        x.grad = None
        (x * 2).backward(gradient)
        close(grad(x), [2.0, 6.0])
