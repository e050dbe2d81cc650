"""tg.testing: the strategies users put in their own property-based tests, and
assert_gradients_close, which must catch a wrong derivative."""

import numpy as np
import pytest
from hypothesis import given

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
