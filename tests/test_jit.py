"""tg.jit: traced programs replay exactly what eager execution computes (100 training steps
of small models, losses and weights compared bit for bit), trace again for new shapes and
dtypes, and refuse what a recorded program cannot repeat (the footguns, as tests)."""

import gc
import re
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import data, textbook
from tinygrad_edu.tracing import TraceError

STEPS = 100


def run_both(make, inputs, steps=STEPS):
    """Train two copies made by `make()` -> (params, ..., step), one eagerly and one through
    tg.jit; assert identical losses at every step and identical final parameters."""
    params_e, *_, step_e = make()
    params_j, *_, step_j = make()
    step_j = tg.jit(step_j)
    for i in range(steps):
        loss_e, loss_j = step_e(*inputs), step_j(*inputs)
        assert loss_e.dtype == loss_j.dtype
        np.testing.assert_array_equal(loss_j.numpy(), loss_e.numpy(), err_msg=f"step {i}")
    for p, q in zip(params_e, params_j):
        assert p.dtype == q.dtype
        np.testing.assert_array_equal(q.numpy(), p.numpy())
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            np.testing.assert_array_equal(q.grad.numpy(), p.grad.numpy())
    return step_j


def tanh_net(sizes, dtype, rng, eta=0.1):
    """W5's generic form: tanh layers, squared error, a hand-written GD update."""
    def make():
        Ws = [tg.tensor(W.astype(dtype), requires_grad=True)
              for W in textbook.init_weights(sizes, rng=rng)]

        def step(X, Y):
            h = X
            for W in Ws:
                h = (h @ W[1:] + W[0]).tanh()
            E = ((h - Y) ** 2).sum() / len(Y)
            for W in Ws:
                W.grad = None
            E.backward()
            for W in Ws:
                W.data -= eta * W.grad.data
            return E
        return Ws, step
    return make


def xor_data(dtype=np.float64, n=10):
    X, y = data.xor(n=n, seed=5)
    return tg.tensor(X.astype(dtype)), tg.tensor(y.reshape(-1, 1).astype(dtype))


def test_w5_tiny_net_matches_eager_bit_for_bit():
    step = run_both(tanh_net([2, 8, 1], np.float64, 5), xor_data())
    assert step.traces == 2  # the first call (no .grad yet), then with .grad: replayed after


def test_w3_style_mlp_with_sgd_float32_matches_eager():
    make = optimizer_net(lambda ps: tg.optim.SGD(ps, lr=0.05))
    step = run_both(make, mlp_data())
    assert step.traces == 2  # the optimizer notes its checked groups at its first step
    assert all(p.dtype == tg.float32 for p in make()[0])


def test_generic_tanh_mlp_float32_matches_eager():
    rng = np.random.default_rng(4)
    X = tg.tensor(rng.standard_normal((30, 6)).astype(np.float32))
    Y = tg.tensor(np.tanh(rng.standard_normal((30, 3))).astype(np.float32))
    run_both(tanh_net([6, 12, 3], np.float32, 4, eta=0.05), (X, Y))


def test_logistic_regression_matches_eager():
    rng = np.random.default_rng(1)
    X = tg.tensor(rng.standard_normal((50, 5)))
    y = tg.tensor((rng.standard_normal(50) > 0).astype(np.float64))

    def make():
        w = tg.zeros(5, dtype=tg.float64, requires_grad=True)
        b = tg.zeros(1, dtype=tg.float64, requires_grad=True)
        opt = tg.optim.SGD([w, b], lr=0.5)

        def step(X, y):
            p = (X @ w + b).sigmoid()
            loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss
        return [w, b], step

    run_both(make, (X, y))


def test_cross_entropy_with_momentum_matches_eager():
    rng = np.random.default_rng(2)
    X = tg.tensor(rng.standard_normal((32, 10)).astype(np.float32))
    y = tg.tensor(rng.integers(0, 4, 32))

    def make():
        tg.manual_seed(0)
        net = tg.nn.Sequential(tg.nn.Linear(10, 16), tg.nn.Tanh(), tg.nn.Linear(16, 4))
        opt = tg.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            return loss
        return list(net.parameters()), step

    step = run_both(make, (X, y))
    assert step.traces == 2  # the first step makes the momentum buffers; then replayed


def optimizer_net(make_opt, dtype=np.float32):
    """W3's network, smaller, trained by `make_opt(params)`: (params, optimizer, step)."""
    Ws0 = [W.astype(dtype) for W in textbook.init_weights([8, 16, 16, 4], rng=3)]

    def make():
        net = tg.nn.MLP.from_textbook_weights(Ws0)
        opt = make_opt(net.parameters())

        def step(X, Y):
            opt.zero_grad()
            E = F.squared_error(net(X), Y)
            E.backward()
            opt.step()
            return E
        return list(net.parameters()), opt, step
    return make


def mlp_data(dtype=np.float32):
    rng = np.random.default_rng(3)
    X = tg.tensor(rng.standard_normal((40, 8)).astype(dtype))
    Y = tg.tensor(np.sign(rng.standard_normal((40, 4))).astype(dtype))
    return X, Y


def assert_same_training(params_e, params_j, opt_e, opt_j):
    for p, q in zip(params_e, params_j):
        np.testing.assert_array_equal(q.numpy(), p.numpy())
        np.testing.assert_array_equal(q.grad.numpy(), p.grad.numpy())
    for p, q in zip(params_e, params_j):
        se, sj = opt_e.state[p], opt_j.state[q]
        assert se.keys() == sj.keys()
        for k in se:
            assert type(sj[k]) is type(se[k])
            np.testing.assert_array_equal(sj[k], se[k], err_msg=k)


@pytest.mark.parametrize("make_opt, traces", [
    (lambda ps: tg.optim.Adam(ps, lr=0.01), 3),
    (lambda ps: tg.optim.Adam(ps, lr=0.01, weight_decay=0.1, amsgrad=True), 3),
    (lambda ps: tg.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99)), 3),
    (lambda ps: tg.optim.Adagrad(ps, lr=0.05, lr_decay=0.01, weight_decay=0.001), 2),
])
def test_optimizers_with_a_step_count_match_eager_bit_for_bit(make_opt, traces):
    """Adam, AdamW and Adagrad keep their step count t as a Python number that grows by one
    at each call: the program computes t, the bias corrections 1 − βᵗ and the step sizes
    from it as eager does, in Python floats, and hands them to numpy as operands."""
    make = optimizer_net(make_opt)
    (params_e, opt_e, step_e), (params_j, opt_j, step_j) = make(), make()
    step_j = tg.jit(step_j)
    X, Y = mlp_data()
    for i in range(STEPS):
        np.testing.assert_array_equal(step_j(X, Y).numpy(), step_e(X, Y).numpy(),
                                      err_msg=f"step {i}")
        assert_same_training(params_e, params_j, opt_e, opt_j)
    assert all(opt_j.state[p]["step"] == STEPS for p in params_j)
    assert re.search(r"\n +n\d+ = n\d+ \+ 1\n", str(step_j.program))  # t ← t + 1, replayed
    # Adam: 1 makes the state; 2 finds t changed (traced as a number from then on); 3 replays.
    # Adagrad's state exists from the start: 1 (no .grad yet) finds t changed
    assert step_j.traces == traces


def test_a_learning_rate_schedule_between_calls_matches_eager():
    """A scheduler changes the lr between calls: each new lr traces again (the lr is a
    number of the state the call reads, not one it changes)."""
    make = optimizer_net(lambda ps: tg.optim.Adam(ps, lr=0.05))
    (params_e, opt_e, step_e), (params_j, opt_j, step_j) = make(), make()
    sched_e = tg.optim.lr_scheduler.StepLR(opt_e, step_size=25, gamma=0.5)
    sched_j = tg.optim.lr_scheduler.StepLR(opt_j, step_size=25, gamma=0.5)
    step_j = tg.jit(step_j)
    X, Y = mlp_data()
    for i in range(STEPS):
        np.testing.assert_array_equal(step_j(X, Y).numpy(), step_e(X, Y).numpy(),
                                      err_msg=f"step {i}")
        sched_e.step()
        sched_j.step()
    assert_same_training(params_e, params_j, opt_e, opt_j)
    assert opt_j.param_groups[0]["lr"] == opt_e.param_groups[0]["lr"] == 0.05 / 16
    # Adam's three traces, then for each of the three lrs met: a trace, and one more as the
    # optimizer's record of its checked groups has changed; replayed after
    assert step_j.traces == 3 + 3 * 2


def test_a_counter_of_the_users_own_is_replayed_as_a_number():
    """Any int or float kept in a dict the function reaches, and changed by each call, is
    traced as a number from the second call on: the program computes it as Python would."""
    state = {"t": 0, "scale": 0.5}

    @tg.jit
    def f(x):
        state["t"] += 1
        state["scale"] = state["scale"] * 1.5 + 1 / state["t"] ** 2
        return x * 2

    x = tg.tensor([1.0, -2.0])
    t, scale = 0, 0.5
    for _ in range(6):
        t = t + 1
        scale = scale * 1.5 + 1 / t ** 2
        np.testing.assert_array_equal(f(x).numpy(), [2.0, -4.0])
        assert state == {"t": t, "scale": scale}
    assert type(state["t"]) is int and type(state["scale"]) is float
    assert f.traces == 2  # 1 finds both numbers changing; 2 traces them; replayed after


def test_a_counter_is_not_a_tensor_operand():
    state = {"t": 0}

    @tg.jit
    def f(x):
        state["t"] += 1
        return x * state["t"]

    x = tg.tensor([1.0, -2.0])
    f(x)
    with pytest.raises(TypeError, match="traced by tg.jit"):
        f(x)
    assert state == {"t": 2} and type(state["t"]) is int  # as the failed call left it


def test_reading_a_step_count_inside_the_function_raises():
    """The step count changes at each call, so the program cannot branch on it."""
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    opt = tg.optim.Adam([w], lr=0.1)

    @tg.jit
    def step(x):
        opt.zero_grad()
        (x * w).sum().backward()
        opt.step()
        if opt.state[w]["step"] % 10 == 0:  # a Python branch on the count
            w.grad = None
        return w

    x = tg.tensor([1.0, -1.0])
    step(x)
    step(x)  # finds the count changed: traced as a number from the next call on
    with pytest.raises(TraceError, match=r"number of the state that changes at each call.*"
                                         r"comparison") as e:
        step(x)
    assert "step" in str(e.value)


def test_new_shape_or_dtype_traces_again():
    make = tanh_net([2, 4, 1], np.float64, 7)
    (_, eager), (_, traced) = make(), make()
    traced = tg.jit(traced)
    for dtype, n in [(np.float64, 10), (np.float64, 20), (np.float32, 20), (np.float64, 10)]:
        for _ in range(3):
            inputs = xor_data(dtype, n)
            loss_e, loss_j = eager(*inputs), traced(*inputs)
            assert loss_e.dtype == loss_j.dtype
            np.testing.assert_array_equal(loss_j.numpy(), loss_e.numpy())
    # (10, f64) first without then with .grad; then one trace per new layout
    assert traced.traces == 4
    assert len(traced.programs) == 4


def test_a_changed_learning_rate_traces_again():
    def make():
        w = tg.tensor([1.0, -2.0], requires_grad=True)
        opt = tg.optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = ((x * w).sum() - 1) ** 2
            loss.backward()
            opt.step()
            return loss
        return w, opt, step

    w_e, opt_e, step_e = make()
    w_j, opt_j, step_j = make()
    step_j = tg.jit(step_j)
    x = tg.tensor([0.5, 0.25])
    for lr in (0.1, 0.1, 0.1, 0.01, 0.01):
        opt_e.param_groups[0]["lr"] = opt_j.param_groups[0]["lr"] = lr
        np.testing.assert_array_equal(step_j(x).numpy(), step_e(x).numpy())
    np.testing.assert_array_equal(w_j.numpy(), w_e.numpy())
    # 1: no .grad yet; 2: with .grad, replayed after; 3: the new lr; 4: the optimizer has
    # re-checked its changed group (its record of checked groups changed), replayed after
    assert step_j.traces == 4


def test_returned_tensors_do_not_change_under_later_calls():
    w = tg.tensor([1.0], requires_grad=True)

    @tg.jit
    def step(x):
        loss = (x * w).sum()
        w.grad = None
        loss.backward()
        w.data -= 0.5 * w.grad.data
        return loss

    x = tg.tensor([2.0])
    losses = [step(x) for _ in range(4)]
    assert [v.item() for v in losses] == [2.0, 0.0, -2.0, -4.0]
    assert not losses[-1].requires_grad


def test_gradients_handed_out_do_not_change_under_later_calls():
    """The program writes a gradient it hands out as .grad into a fresh array at each call
    (not into a buffer of the program), so a .grad kept from an earlier call stays put."""
    def make():
        w = tg.tensor([1.0, 2.0], requires_grad=True)
        opt = tg.optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (x @ (w * w)[:, None]).sum()
            loss.backward()
            opt.step()
            return loss
        return w, step

    (w_e, step_e), (w_j, step_j) = make(), make()
    step_j = tg.jit(step_j)
    x = tg.tensor([[0.5, -1.0], [2.0, 1.0]])
    grads_e, grads_j = [], []
    for _ in range(5):
        step_e(x), step_j(x)
        grads_e.append(w_e.grad)
        grads_j.append(w_j.grad)
    for g, h in zip(grads_e, grads_j):
        np.testing.assert_array_equal(h.numpy(), g.numpy())


def traced_reading(read):
    w = tg.tensor([1.0, 2.0], requires_grad=True)

    def step(x):
        loss = (x * w).sum()
        read(loss)
        return loss
    return tg.jit(step)


@pytest.mark.parametrize("read, call", [
    (lambda t: t.item(), r"\.item\(\)"),
    (lambda t: t.numpy(), r"\.numpy\(\)"),
    (lambda t: t.tolist(), r"\.tolist\(\)"),
    (lambda t: bool(t), r"bool\(tensor\)"),
    (lambda t: float(t), r"\.item\(\)|float\(tensor\)"),
    (lambda t: 1 if t > 0 else 0, r"bool\(tensor\).*branching"),
    (lambda t: print(t), r"printing"),
])
def test_reading_a_value_inside_a_traced_function_raises(read, call):
    step = traced_reading(read)
    with pytest.raises(TraceError, match=call) as e:
        step(tg.tensor([1.0, 1.0]))
    assert "step" in str(e.value) and "tg.jit" in str(e.value)


def test_the_same_function_runs_eagerly_without_jit():
    traced_reading(lambda t: t.item()).__wrapped__(tg.tensor([1.0, 1.0]))


def test_inputs_that_require_grad_are_refused():
    @tg.jit
    def f(x):
        return x * 2

    with pytest.raises(TraceError, match="requires grad"):
        f(tg.tensor([1.0], requires_grad=True))


def test_a_check_that_differs_at_replay_raises():
    """cross_entropy checks its class indices: traced, the check becomes a guard."""
    net = tg.nn.Linear(3, 4)

    @tg.jit
    def loss(x, y):
        return F.cross_entropy(net(x), y)

    x = tg.randn(5, 3)
    loss(x, tg.tensor([0, 1, 2, 3, 0]))
    with pytest.raises(TraceError, match="check inside the function"):
        loss(x, tg.tensor([0, 1, 2, 9, 0]))


def test_program_prints_the_recorded_numpy_calls():
    _, step = tanh_net([2, 3, 1], np.float64, 1)()
    step = tg.jit(step)
    assert step.program is None
    step(*xor_data())
    text = str(step.program)
    assert text.startswith("def ")
    assert "np.tanh(" in text and "np.matmul(" in text and "out=" in text
    assert "np.subtract(" in text  # the update, written into the parameter's buffer
    assert "numpy calls" in repr(step.program) and "buffers" in repr(step.program)
    assert "np.ones(" not in text and "k" in text  # the backward's seed: a constant, folded
    assert "np.array(" not in text  # the engine's copies of the gradients: elided
    assert step.program.kernels > 10


def test_a_dropped_jit_frees_its_buffers_and_state_without_the_garbage_collector():
    """A benchmark or a notebook wraps a step anew for each run: the old program's buffers,
    and the state only it reached, must go with it, not wait for a collection of reference
    cycles."""
    Ws, step = tanh_net([2, 3, 1], np.float64, 1)()
    step = tg.jit(step)
    for _ in range(3):
        step(*xor_data())
    buffers = [weakref.ref(a) for a in step.program.compiled.__globals__.values()
               if isinstance(a, np.ndarray) and a.flags.writeable]
    state = [weakref.ref(W) for W in Ws]
    assert buffers
    gc.disable()
    try:
        del step, Ws
        assert all(b() is None for b in buffers)
        assert all(W() is None for W in state)
    finally:
        gc.enable()


def test_buffers_whose_lives_do_not_meet_share_one_block():
    """The program lays its buffers out in one block where those of different layouts whose
    lives do not meet overlap: fewer bytes than the buffers' sum, and the same steps."""
    rng = np.random.default_rng(2)
    X = tg.tensor(rng.standard_normal((50, 8)).astype(np.float32))
    Y = tg.tensor(np.sign(rng.standard_normal((50, 3))).astype(np.float32))
    step = run_both(tanh_net([8, 16, 16, 3], np.float32, 2), (X, Y))
    program = step.program
    assert program.nbytes < sum(a.nbytes for a in (program.compiled.__globals__[n]
                                                   for n in program.layouts))
    spans = {n: (o, o + np.prod(program.layouts[n][0]) * program.layouts[n][1].itemsize)
             for n, o in program.offsets.items()}
    shared = [(m, n) for m in spans for n in spans
              if m < n and spans[m][0] < spans[n][1] and spans[n][0] < spans[m][1]]
    assert shared  # some buffers do take the same bytes


def test_an_array_made_inside_and_then_written_is_not_frozen():
    """An array that reads no input is computed once (folded), unless a later line writes it
    or a view of it: written by indexing, or as the target of a scatter (np.add.at in the
    backward of fancy indexing), it is made afresh at each replay."""
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def f(x):
        m = tg.zeros(3)
        m[1] = x.sum()
        y = (w[tg.tensor([0, 2, 2])] * x).sum() + (m * w).sum()
        w.grad = None
        y.backward()
        return m * 2, w.grad

    fast = tg.jit(f)
    for x in ([1.0, 2.0, 3.0], [4.0, -1.0, 0.5], [0.0, 0.0, 7.0]):
        (m_e, g_e), (m_j, g_j) = f(tg.tensor(x)), fast(tg.tensor(x))
        np.testing.assert_array_equal(m_j.numpy(), m_e.numpy())
        np.testing.assert_array_equal(g_j.numpy(), g_e.numpy())
    assert fast.traces == 1


def test_decorated_function_keeps_its_name():
    @tg.jit
    def train_step(x):
        return x + 1

    assert train_step.__name__ == "train_step"
    np.testing.assert_array_equal(train_step(tg.tensor([1.0])).numpy(), [2.0])
    np.testing.assert_array_equal(train_step(tg.tensor([5.0])).numpy(), [6.0])
    assert train_step.traces == 1


def test_gradients_accumulate_across_calls_as_in_eager():
    """Without zero_grad, each call adds to .grad: the program reads the .grad each call
    finds and writes into it, as the engine does."""
    def make():
        w = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)

        def step(x):
            loss = (x * w).tanh().sum()
            loss.backward()
            return loss
        return [w], step

    run_both(make, (tg.tensor([1.0, 2.0, 3.0]),), steps=5)


def test_after_a_refused_trace_the_state_reads_as_usual():
    w = tg.tensor([1.0, 2.0], requires_grad=True)

    @tg.jit
    def step(x):
        loss = (x * w).sum()
        loss.backward()
        return loss.item()  # refused, after backward has set w.grad

    with pytest.raises(TraceError, match=r"\.item\(\)"):
        step(tg.tensor([3.0, 4.0]))
    assert w.grad.tolist() == [3.0, 4.0] and float(w.grad.sum()) == 7.0
    assert w.tolist() == [1.0, 2.0] and type(w.numpy()) is np.ndarray


def test_keyword_arguments_in_any_order():
    @tg.jit
    def f(x, *, scale, shift):
        return x * scale + shift

    a, b = tg.tensor([1.0, 2.0]), tg.tensor([10.0, 20.0])
    np.testing.assert_array_equal(f(a, scale=a, shift=b).numpy(), [11.0, 24.0])
    np.testing.assert_array_equal(f(a, shift=b, scale=a).numpy(), [11.0, 24.0])
    np.testing.assert_array_equal(f(b, shift=a, scale=a).numpy(), [11.0, 42.0])


def test_a_jit_function_called_inside_another_is_inlined():
    w = tg.tensor([2.0], requires_grad=True)

    @tg.jit
    def inner(x):
        return x * w

    inner(tg.tensor([1.0]))  # traced on its own first

    @tg.jit
    def outer(x):
        y = inner(x).sum()
        w.grad = None
        y.backward()
        return y

    for v in (1.0, 3.0, 5.0):
        assert outer(tg.tensor([v])).item() == 2.0 * v
        assert w.grad.item() == v


def test_a_module_can_be_jitted_directly():
    tg.manual_seed(1)
    net = tg.nn.Linear(3, 2)
    fast = tg.jit(net)
    x = tg.randn(4, 3)
    for _ in range(3):
        np.testing.assert_array_equal(fast(x).numpy(), net(x).numpy())
    with tg.no_grad():
        net.weight.mul_(2.0)  # the program reads the weights at each call
    np.testing.assert_array_equal(fast(x).numpy(), net(x).numpy())


@pytest.mark.parametrize("loss_name", ["logistic_loss", "binary_cross_entropy"])
def test_library_losses_with_value_checks_match_eager(loss_name):
    """logistic_loss checks its ±1 labels and binary_cross_entropy its probabilities: under
    tg.jit those checks become guards, and the steps still equal eager ones."""
    rng = np.random.default_rng(6)
    X = tg.tensor(rng.standard_normal((40, 4)))
    y = tg.tensor(np.where(rng.standard_normal(40) > 0, 1.0, -1.0))

    def make():
        model = tg.nn.Linear(4, 1, dtype=tg.float64)
        with tg.no_grad():
            model.weight.fill_(0.1)
            model.bias.fill_(0.0)
        opt = tg.optim.SGD(model.parameters(), lr=0.5)

        def step(X, y):
            opt.zero_grad()
            s = model(X)[:, 0]
            if loss_name == "logistic_loss":
                loss = F.logistic_loss(s, y)
            else:
                loss = F.binary_cross_entropy(s.sigmoid(), (y + 1) / 2)
            loss.backward()
            opt.step()
            return loss
        return list(model.parameters()), step

    run_both(make, (X, y))
