"""tg.testing: the strategies users put in their own property-based tests, and
assert_gradients_close, which must catch a wrong derivative."""

import numpy as np
import pytest
from helpers import FAST, RNG, T, close, grad, has_number_close, unbroadcast, val
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import ops


@given(tg.testing.tensors(max_dims=3, max_side=4))
def test_tensors_strategy_draws_float64_tensors_within_bounds(t):
    assert isinstance(t, tg.Tensor) and t.dtype == np.float64
    assert t.ndim <= 3 and all(n <= 4 for n in t.shape)
    assert np.all(np.abs(t.numpy()) <= 10)


@given(tg.testing.tensors(shape=(2, 3), dtype=tg.float32, requires_grad=True))
def test_tensors_strategy_shape_dtype_requires_grad(t):
    assert t.shape == (2, 3) and t.dtype == np.float32 and t.requires_grad


@given(tg.testing.broadcastable_shapes(n=3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)  # raises if they do not broadcast


class WrongSquare(ops.Function):
    """y = x², with the derivative deliberately wrong (x instead of 2x)."""

    __slots__ = ()

    def forward(self, x):
        return x * x

    def backward(self, grad, out, x):
        return grad * x


def test_assert_gradients_close_catches_a_wrong_derivative():
    x = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)
    with pytest.raises(AssertionError, match=r"d\(input 0\)\[2\].*analytic 3.0, numerical 6"):
        tg.testing.assert_gradients_close(lambda t: t.apply_op(WrongSquare()), x)
    tg.testing.assert_gradients_close(lambda t: t * t, x)


def test_gradcheck_raises_gradcheck_error_naming_input_and_values():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    with pytest.raises(tg.autograd.GradcheckError, match=r"input 0.*analytic.*numerical"):
        tg.autograd.gradcheck(lambda t: t.apply_op(WrongSquare()), (x,))
    assert tg.autograd.gradcheck(lambda t: (t * t).sum(), (x,)) is True


def test_gradgradcheck_catches_a_rule_whose_second_derivative_is_lost():
    class StashedTanh(ops.Function):
        """tanh with 1 − y² precomputed in forward: a constant to the second pass."""

        __slots__ = ("slope",)

        def forward(self, x):
            y = np.tanh(x)
            self.slope = 1 - y * y
            return y

        def backward(self, grad, out, x):
            return grad * self.slope

    x = tg.tensor([0.3, -0.7], dtype=tg.float64, requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: t.apply_op(StashedTanh()), (x,))
    with pytest.raises(tg.autograd.GradcheckError, match="second derivative"):
        tg.autograd.gradgradcheck(lambda t: t.apply_op(StashedTanh()), (x,))


class TestTestingModule:
    @FAST
    @given(tg.testing.tensors(shape=(2, 3)))
    def test_tensors_fixed_shape(self, t):
        assert isinstance(t, tg.Tensor)
        assert t.shape == (2, 3) and t.dtype == np.float64

    @FAST
    @given(tg.testing.tensors(max_dims=2, max_side=3, min_side=1))
    def test_tensors_shape_bounds(self, t):
        assert isinstance(t, tg.Tensor)
        assert t.ndim <= 2
        assert all(1 <= s <= 3 for s in t.shape)

    @FAST
    @given(tg.testing.tensors())
    def test_tensors_defaults(self, t):
        assert t.dtype == np.float64
        assert t.ndim <= 4 and all(0 <= s <= 5 for s in t.shape)

    @FAST
    @given(tg.testing.tensors(shape=(4,), dtype=tg.float32, elements=st.floats(-1, 1, width=32)))
    def test_tensors_dtype_and_elements(self, t):
        assert t.dtype == np.float32
        v = val(t)
        assert np.all((v >= -1) & (v <= 1))

    @FAST
    @given(tg.testing.broadcastable_shapes(n=3))
    def test_broadcastable_shapes(self, shapes):
        assert len(shapes) == 3
        np.broadcast_shapes(*[tuple(s) for s in shapes])  # raises if not broadcastable

    @FAST
    @given(tg.testing.broadcastable_shapes(n=2))
    def test_property_broadcast_grad_reduces_to_input_shape(self, shapes):
        sa, sb = (tuple(s) for s in shapes)
        rng = RNG(0)
        an, bn = rng.normal(size=sa), rng.normal(size=sb)
        a, b = T(an), T(bn)
        out = a * b
        assert out.shape == np.broadcast_shapes(sa, sb)
        out.sum().backward()
        assert a.grad.shape == sa and b.grad.shape == sb
        full = np.broadcast_shapes(sa, sb)
        close(grad(a), unbroadcast(np.broadcast_to(bn, full), sa))
        close(grad(b), unbroadcast(np.broadcast_to(an, full), sb))

    @FAST
    @given(tg.testing.tensors(shape=(3,), elements=st.floats(-2, 2)))
    def test_assert_gradients_close_passes_in_property_test(self, x):
        x.requires_grad_()
        tg.testing.assert_gradients_close(lambda t: (t.tanh() * t + t.exp()).sum(), x)

    def test_assert_gradients_close_passes_two_inputs(self):
        a, b = T([0.3, -0.4]), T([[1.2], [0.7]])
        tg.testing.assert_gradients_close(lambda a, b: (a * b.exp() + a**2).sum(), a, b)

    def test_assert_gradients_close_raises_on_wrong_gradient(self):
        # x * x.detach(): analytic gradient x, numerical 2x.  Worst mismatch: element 1
        # (analytic 4, numerical 8).
        x = T([0.5, 4.0])
        with pytest.raises(AssertionError) as ei:
            tg.testing.assert_gradients_close(lambda t: (t * t.detach()).sum(), x)
        msg = str(ei.value)
        assert has_number_close(msg, 4.0) and has_number_close(msg, 8.0), msg

    def test_assert_gradients_close_honours_atol(self):
        x = T([0.5, 4.0])
        tg.testing.assert_gradients_close(lambda t: (t * t.detach()).sum(), x, atol=10.0)

    def test_assert_gradients_close_raises_at_kink(self):
        # relu at 0: analytic 0, central difference 0.5
        x = T([0.0, 1.0])
        with pytest.raises(AssertionError):
            tg.testing.assert_gradients_close(lambda t: t.relu().sum(), x)
