"""The backward pass: accumulation, retain_graph, freed graphs, no_grad, grad(), deep chains,
anomaly detection, and the error cases of the API contract."""

import gc
import threading
import weakref

import numpy as np
import pytest

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
    x = tg.tensor(np.ones(4), requires_grad=True)
    hidden = x.exp()
    ref = weakref.ref(hidden.numpy())
    y = (hidden * 2).sum()
    node = y.grad_fn
    del hidden
    y.backward()
    gc.collect()
    assert node.inputs is None and node.saved is None
    assert ref() is None


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
    assert repr(t) == "tensor([2.], dtype=float64, grad_fn=<MulBackward>)"
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

