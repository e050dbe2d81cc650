"""Custom operations (`tg.autograd.Function`): forward and backward as PyTorch's, ctx's
saved tensors (version-checked), needs_input_grad, non-differentiable outputs, several
outputs, non-tensor arguments, second order through a Tensor-written rule, gradcheck,
anomaly mode and viz naming the op."""

import numpy as np
import pytest
from helpers import T, close, grad, val

import tinygrad_edu as tg


class Cube(tg.autograd.Function):
    """y = s·x³;  dy/dx = 3s·x²"""

    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(x)
        ctx.s = s
        return s * x ** 3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * ctx.s * x ** 2, None


class ExpSin(tg.autograd.Function):
    """(eˣ, sin x, argmax x): two differentiable outputs and an index."""

    @staticmethod
    def forward(ctx, x):
        e = x.exp()
        ctx.save_for_backward(x, e)  # an output saved too
        i = tg.tensor(int(np.argmax(x.numpy())))
        ctx.mark_non_differentiable(i)
        return e, x.sin(), i

    @staticmethod
    def backward(ctx, g_exp, g_sin, g_index):
        x, e = ctx.saved_tensors
        return g_exp * e + g_sin * x.cos()


def test_apply_computes_the_value_and_backward_the_gradient():
    x = T([0.5, -1.2])
    y = Cube.apply(x, 2.0)
    close(val(y), 2 * val(x) ** 3)
    assert y.grad_fn.name == "CubeBackward" and repr(y).endswith("grad_fn=<CubeBackward>)")
    y.sum().backward()
    close(grad(x), 6 * val(x) ** 2)


def test_forward_records_nothing_and_no_input_needing_grad_records_no_node():
    seen = []

    class Probe(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            seen.append(y.requires_grad)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = T([1.0])
    assert Probe.apply(x).requires_grad and seen == [False]
    assert Probe.apply(tg.tensor([1.0])).grad_fn is None
    with tg.no_grad():
        assert Probe.apply(x).grad_fn is None


def test_gradcheck_and_gradgradcheck_accept_a_custom_function():
    x = T([0.3, -0.7, 1.1])
    assert tg.autograd.gradcheck(lambda x: Cube.apply(x, 1.5), (x,))
    assert tg.autograd.gradgradcheck(lambda x: Cube.apply(x, 1.5), (x,))


def test_second_derivative_through_the_rule_is_the_closed_form():
    x = T([0.3, -0.7])
    (g,) = tg.autograd.grad(Cube.apply(x, 2.0).sum(), x, create_graph=True)
    close(val(g), 6 * val(x) ** 2)
    (h,) = tg.autograd.grad(g.sum(), x)
    close(val(h), 12 * val(x))


def test_several_outputs_and_a_non_differentiable_index():
    x = T([0.2, 0.9, -0.4])
    e, s, i = ExpSin.apply(x)
    assert i.grad_fn is None and not i.requires_grad and i.item() == 1
    (e.sum() + 3 * s.sum()).backward()
    close(grad(x), np.exp(val(x)) + 3 * np.cos(val(x)))
    assert tg.autograd.gradcheck(lambda x: ExpSin.apply(x)[0] * ExpSin.apply(x)[1], (x,))


def test_needs_input_grad_says_which_arguments_take_a_gradient():
    seen = []

    class Mul(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            seen.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            need_a, need_b, _ = ctx.needs_input_grad
            return (g * b if need_a else None), (g * a if need_b else None), None

    a, b = T([2.0]), tg.tensor([3.0], dtype=tg.float64)
    Mul.apply(a, b, 4).sum().backward()
    assert seen == [(True, False, False)]
    close(grad(a), [3.0])


def test_changing_a_saved_tensor_in_place_makes_backward_raise():
    x = T([1.0, 2.0])
    base = x * 1
    y = Cube.apply(base, 1.0)
    with tg.no_grad():
        base.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*CubeBackward.*"
                                           "version 1; expected version 0"):
        y.sum().backward()


def test_a_wrong_number_of_gradients_or_a_gradient_for_a_number_raises():
    class TooFew(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g

    class ForANumber(TooFew):
        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="incorrect number of gradients \\(expected 2, got 1"):
        TooFew.apply(T([1.0]), 2.0).sum().backward()
    with pytest.raises(RuntimeError, match="position 1.*not a Tensor"):
        ForANumber.apply(T([1.0]), 2.0).sum().backward()


def test_a_gradient_of_the_wrong_shape_raises_and_a_broadcast_one_is_summed():
    class Wrong(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return tg.ones(3, dtype=tg.float64)

    class Broadcast(Wrong):
        @staticmethod
        def backward(ctx, g):
            return tg.ones((4, 2), dtype=tg.float64)

    with pytest.raises(RuntimeError, match="invalid gradient at index 0 - got \\[3\\]"):
        Wrong.apply(T([1.0, 2.0])).sum().backward()
    x = T([1.0, 2.0])
    Broadcast.apply(x).sum().backward()
    close(grad(x), [4.0, 4.0])


def test_anomaly_mode_and_viz_name_the_custom_op():
    class Bad(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * np.nan

    x = T([1.0])
    with tg.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="BadBackward returned nan"):
            Bad.apply(x).sum().backward()
    assert "Cube" in tg.viz.to_dot(Cube.apply(x, 1.0).sum())


def test_setup_context_style_and_materialize_grads_off():
    got = []

    class Square(tg.autograd.Function):
        @staticmethod
        def forward(x):
            return x * x, x + 0

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.set_materialize_grads(False)

        @staticmethod
        def backward(ctx, g, g_copy):
            got.append(g_copy)
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = T([3.0])
    Square.apply(x)[0].sum().backward()
    assert got == [None]
    close(grad(x), [6.0])


def test_a_custom_function_is_not_instantiated_and_mark_dirty_is_refused():
    with pytest.raises(RuntimeError, match="call Cube.apply"):
        Cube()

    class Dirty(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(NotImplementedError, match="mark_dirty"):
        Dirty.apply(T([1.0]))


def test_returning_an_input_gives_a_new_tensor_and_leaves_the_input_a_leaf():
    class Identity(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = T([1.0])
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn.name == "IdentityBackward"
    (y * 2).sum().backward()
    close(grad(x), [2.0])
