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


@pytest.mark.parametrize("op", [op for op in OPS if (op.reduction and op.differentiable)
                                or op.vjp], ids=repr)
@given(x=tensor(shape=(2, 3), elements=GRID, unique=True))
def test_gradgradcheck_reductions(op, x):
    def f(t):
        return op.fn(t, 1)

    assert tg.autograd.gradgradcheck(f, (x,))


@given(x=tensor(shape=(3, 2)))
def test_gradgradcheck_shape_ops(x):
    def f(t):
        parts = [t[[0, 0, 2]], t.T.reshape(3, 2), t.expand(2, 3, 2)[1], t[1:, None]]
        return tg.cat([p.reshape(-1) for p in parts]) ** 2

    assert tg.autograd.gradgradcheck(f, (x,))


# ------------------------------------------------- tg.autograd.functional, against closed forms

F = tg.autograd.functional


def f64(values):
    return tg.tensor(np.asarray(values, dtype=np.float64))


def quartic(x):
    """f(x) = Σ x⁴ + x₀x₁;  ∇f = 4x³ + (x₁, x₀, 0…);  H = diag(12x²) + the x₀x₁ pair."""
    return (x ** 4).sum() + x[0] * x[1]


def quartic_hessian(x):
    h = np.diag(12 * x ** 2)
    h[0, 1] += 1
    h[1, 0] += 1
    return h


X = np.array([0.3, -0.8, 1.2])


def test_jacobian_of_an_elementwise_map_is_diagonal():
    J = F.jacobian(lambda x: x.tanh(), f64(X))
    np.testing.assert_allclose(J.numpy(), np.diag(1 - np.tanh(X) ** 2), rtol=1e-12)


def test_jacobian_of_a_matrix_map_has_the_output_then_input_shape():
    A = np.arange(6.0).reshape(2, 3)
    J = F.jacobian(lambda x: f64(A) @ x, f64(X))
    assert J.shape == (2, 3)
    np.testing.assert_allclose(J.numpy(), A)
    Jm = F.jacobian(lambda m: m.sum(dim=0), f64(A))  # (3,) from (2, 3)
    assert Jm.shape == (3, 2, 3)
    np.testing.assert_allclose(Jm.numpy()[1], [[0, 1, 0], [0, 1, 0]])


def test_jacobian_nests_as_pytorch_for_tuples():
    a, b = f64([1.0, 2.0]), f64([3.0])
    ((Jaa, Jab), (Jba, Jbb)) = F.jacobian(lambda a, b: (a * b, a.sum() + b), (a, b))
    np.testing.assert_allclose(Jaa.numpy(), 3 * np.eye(2))
    np.testing.assert_allclose(Jab.numpy(), [[1.0], [2.0]])
    np.testing.assert_allclose(Jba.numpy(), [[1.0, 1.0]])
    np.testing.assert_allclose(Jbb.numpy(), [[1.0]])
    only_a = F.jacobian(lambda a: (a * 2, a.sum()), a)
    assert isinstance(only_a, tuple) and only_a[1].shape == (2,)


def test_an_independent_output_gives_zeros_and_strict_refuses_it():
    x = f64(X)
    np.testing.assert_array_equal(F.jacobian(lambda x: x * 0 + 1, x).numpy(), np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="independent of input 0.*strict mode"):
        F.jacobian(lambda x: f64([1.0]), x, strict=True)


def test_hessian_and_hvp_and_vhp_equal_the_closed_form():
    x, v = f64(X), f64([1.0, -2.0, 0.5])
    H = quartic_hessian(X)
    np.testing.assert_allclose(F.hessian(quartic, x).numpy(), H, rtol=1e-12)
    value, hv = F.hvp(quartic, x, v)
    np.testing.assert_allclose(value.item(), (X ** 4).sum() + X[0] * X[1])
    np.testing.assert_allclose(hv.numpy(), H @ v.numpy(), rtol=1e-12)
    np.testing.assert_allclose(F.vhp(quartic, x, v)[1].numpy(), v.numpy() @ H, rtol=1e-12)


def test_hessian_of_tuple_inputs_is_a_tuple_of_tuples():
    a, b = f64([1.0, 2.0]), f64([3.0])
    ((Haa, Hab), (Hba, Hbb)) = F.hessian(lambda a, b: (a * a * b).sum(), (a, b))
    np.testing.assert_allclose(Haa.numpy(), 6 * np.eye(2))  # 2b
    np.testing.assert_allclose(Hab.numpy(), [[2.0], [4.0]])  # 2a
    np.testing.assert_allclose(Hba.numpy(), [[2.0, 4.0]])
    np.testing.assert_allclose(Hbb.numpy(), [[0.0]])


def test_vjp_and_jvp_are_the_two_products_with_the_jacobian():
    A = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]])

    def f(x):
        return (f64(A) @ x).tanh()

    x = f64(X)
    J = (1 - np.tanh(A @ X) ** 2)[:, None] * A
    u, v = f64([1.0, -1.0]), f64([0.2, 0.1, -0.3])
    out, uJ = F.vjp(f, x, u)
    np.testing.assert_allclose(out.numpy(), np.tanh(A @ X))
    np.testing.assert_allclose(uJ.numpy(), u.numpy() @ J, rtol=1e-12)
    np.testing.assert_allclose(F.jvp(f, x, v)[1].numpy(), J @ v.numpy(), rtol=1e-12)


def test_results_are_detached_unless_create_graph():
    x = f64(X).requires_grad_()
    H = F.hessian(quartic, x)
    assert not H.requires_grad
    H = F.hessian(quartic, x, create_graph=True)
    (d,) = tg.autograd.grad(H.sum(), x)  # Σ H = Σ 12x² + 2: its gradient is 24x
    np.testing.assert_allclose(d.numpy(), 24 * X, rtol=1e-12)


def test_functional_refuses_bad_v_and_non_scalar_hessians():
    x = f64(X)
    with pytest.raises(RuntimeError, match="v can only be None"):
        F.vjp(lambda x: x * 2, x)
    with pytest.raises(RuntimeError, match="entry 0 in v has invalid size"):
        F.hvp(quartic, x, f64([1.0]))
    with pytest.raises(RuntimeError, match="should contain a single element"):
        F.hessian(lambda x: x * 2, x)
    with pytest.raises(TypeError, match="must be a Tensor"):
        F.jacobian(lambda x: x, [1.0, 2.0])


def test_jacobian_through_a_custom_function():
    class Square(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x

    x = f64(X)
    np.testing.assert_allclose(F.hessian(lambda x: Square.apply(x).sum(), x).numpy(),
                               2 * np.eye(3))
