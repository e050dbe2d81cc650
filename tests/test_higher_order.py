"""Derivatives of derivatives: closed-form second derivatives, Hessian-vector products, and
gradgradcheck of every smooth op (the same rules, fed Tensors, record themselves)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_table import OPS, draw_call
from strategies import GRID, tensor

import tinygrad_edu as tg


def second_derivative(f, x):
    """d²f/dx² elementwise, by differentiating the first derivative again."""
    (g,) = tg.autograd.grad(f(x).sum(), x, create_graph=True)
    (h,) = tg.autograd.grad(g.sum(), x)
    return h.numpy()


CLOSED_FORMS = [op for op in OPS if op.d2]


@pytest.mark.parametrize("op", CLOSED_FORMS, ids=repr)
@given(data=st.data())
def test_second_derivative_equals_closed_form(op, data):
    (x,) = data.draw(op.inputs)
    np.testing.assert_allclose(second_derivative(op.fn, x), op.d2(x.numpy()), rtol=1e-10,
                               atol=1e-12)


@given(n=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_hessian_vector_product_of_quadratic_form(n, seed):
    rng = np.random.default_rng(seed)
    A, v = rng.standard_normal((n, n)), rng.standard_normal(n)
    x = tg.tensor(rng.standard_normal(n), requires_grad=True)
    (g,) = tg.autograd.grad(x @ tg.tensor(A) @ x, x, create_graph=True)
    (hv,) = tg.autograd.grad(g, x, grad_outputs=tg.tensor(v))
    np.testing.assert_allclose(hv.numpy(), (A + A.T) @ v, rtol=1e-10, atol=1e-12)


def test_backward_with_create_graph_gives_differentiable_grad():
    x = tg.tensor([1.5], dtype=tg.float64, requires_grad=True)
    (x**3).sum().backward(create_graph=True)  # x.grad = 3x², with a graph
    g = x.grad
    assert g.grad_fn is not None
    x.grad = None
    g.sum().backward()  # d(3x²)/dx = 6x
    assert x.grad.item() == pytest.approx(9.0)


SMOOTH = [op for op in OPS if op.smooth and not op.reduction]


@pytest.mark.parametrize("op", SMOOTH, ids=repr)
@given(data=st.data())
def test_gradgradcheck_every_smooth_op(op, data):
    xs, fn, _ = draw_call(op, data)
    assert tg.autograd.gradgradcheck(fn, xs, **op.step)


@pytest.mark.parametrize("reduce", [op.name for op in OPS if op.reduction or op.vjp])
@given(x=tensor(shape=(2, 3), elements=GRID, unique=True))
def test_gradgradcheck_reductions(reduce, x):
    def f(t):
        return getattr(t, reduce)(1)

    assert tg.autograd.gradgradcheck(f, (x,))


@given(x=tensor(shape=(3, 2)))
def test_gradgradcheck_shape_ops(x):
    def f(t):
        parts = [t[[0, 0, 2]], t.T.reshape(3, 2), t.expand(2, 3, 2)[1], t[1:, None]]
        return tg.cat([p.reshape(-1) for p in parts]) ** 2

    assert tg.autograd.gradgradcheck(f, (x,))
