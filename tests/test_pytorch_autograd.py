"""Conformance of the autograd surface with PyTorch (PYTORCH_SURFACE.md, "Autograd"): each
test checks a closed form always, and the same program run by torch when it is installed."""

import warnings

import numpy as np
import pytest
from helpers import torch_or_none

import tinygrad_edu as tg


def run_both(program):
    """program(lib) with tinygrad_edu, and with torch if installed (else None); the results
    are arrays or tuples of them."""
    torch = torch_or_none()
    return program(tg), (None if torch is None else program(torch))


def same(ours, theirs, expected=None):
    if expected is not None:
        np.testing.assert_allclose(_arrays(ours), _arrays(expected), rtol=1e-10, atol=1e-12)
    if theirs is not None:
        np.testing.assert_allclose(_arrays(ours), _arrays(theirs), rtol=1e-10, atol=1e-12)


def _arrays(x):
    if isinstance(x, (tuple, list)):
        return np.concatenate([np.ravel(_arrays(a)) for a in x]) if x else np.zeros(0)
    if hasattr(x, "detach"):
        x = x.detach()
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


def leaf(lib, values):
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def test_backward_with_gradient_retain_graph_and_inputs():
    def program(lib):
        x, w = leaf(lib, [1.0, -2.0, 0.5]), leaf(lib, [0.3, 0.2, -0.1])
        y = (x * w).tanh()
        y.backward(gradient=lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64), retain_graph=True)
        first = x.grad.clone()
        y.backward(lib.ones(3, dtype=lib.float64), inputs=[w])
        return first, x.grad, w.grad

    X, W = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.2, -0.1])
    d = 1 - np.tanh(X * W) ** 2
    ours, theirs = run_both(program)
    same(ours, theirs, (d * W * [1, 2, 3], d * W * [1, 2, 3], d * X * [1, 2, 3] + d * X))


def test_autograd_backward_and_create_graph():
    def program(lib):
        x = leaf(lib, [0.5, 1.5])
        lib.autograd.backward([(x ** 3).sum(), x.sin().sum()], create_graph=True)
        g = x.grad
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h

    X = np.array([0.5, 1.5])
    ours, theirs = run_both(program)
    same(ours, theirs, (3 * X ** 2 + np.cos(X), 6 * X - np.sin(X)))


def test_grad_with_batched_grad_outputs_is_the_jacobian():
    def program(lib):
        x = leaf(lib, [0.5, 1.5, -1.0])
        return lib.autograd.grad(x.exp() * x[0], x, lib.eye(3, dtype=lib.float64),
                                 is_grads_batched=True)[0]

    X = np.array([0.5, 1.5, -1.0])
    J = np.diag(np.exp(X) * X[0])
    J[:, 0] += np.exp(X)
    ours, theirs = run_both(program)
    same(ours, theirs, J)


def test_hooks_retain_grad_and_their_order():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g * 2)
        handle = x.register_hook(lambda g: g + 1)
        (y * y).sum().backward(retain_graph=True)
        first_x, first_y = x.grad.clone(), y.grad.clone()
        handle.remove()
        x.grad = None
        (y * y).sum().backward()
        return first_x, first_y, x.grad, y.grad

    X = np.array([1.0, 2.0])
    gy = 2 * 3 * X * 2  # 2y, doubled by y's hook
    ours, theirs = run_both(program)
    same(ours, theirs, (3 * gy + 1, gy, 3 * gy, 2 * gy))


def test_non_leaf_grad_warns_as_pytorch():
    def program(lib):
        y = leaf(lib, [1.0]) * 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert y.grad is None
        return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]

    ours, theirs = run_both(program)
    assert len(ours) == 1 and "retain_grad" in ours[0]
    if theirs is not None:
        assert ours[0][:120] == theirs[0][:120]


def test_grad_modes_and_their_queries():
    def program(lib):
        x = leaf(lib, [1.0])
        flags = []
        with lib.no_grad():
            flags += [(x * 2).requires_grad, lib.is_grad_enabled()]
            with lib.enable_grad():
                flags.append((x * 2).requires_grad)
        with lib.set_grad_enabled(False):
            flags.append((x * 2).requires_grad)
        with lib.inference_mode():
            flags += [(x * 2).requires_grad, lib.is_inference_mode_enabled()]
        with lib.inference_mode(mode=False):
            flags.append((x * 2).requires_grad)

        @lib.no_grad
        def bare():
            return (x * 2).requires_grad

        return [float(f) for f in flags + [bare(), lib.is_grad_enabled()]]

    ours, theirs = run_both(program)
    same(ours, theirs, [0, 0, 1, 0, 0, 1, 1, 0, 1])


def legendre_p3(lib):
    class LegendreP3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * ctx.scale * 0.5 * (15 * x ** 2 - 3), None

    return LegendreP3


def test_custom_function_first_and_second_derivatives_and_checks():
    def program(lib):
        op = legendre_p3(lib)
        x = leaf(lib, [-0.5, 0.25, 0.9])
        y = op.apply(x, 2.0)
        assert type(y.grad_fn).__name__ in ("LegendreP3", "LegendreP3Backward")
        assert lib.autograd.gradcheck(lambda x: op.apply(x, 2.0), (x,))
        assert lib.autograd.gradgradcheck(lambda x: op.apply(x, 2.0), (x,))
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return y, g, h

    X = np.array([-0.5, 0.25, 0.9])
    ours, theirs = run_both(program)
    same(ours, theirs, ((5 * X ** 3 - 3 * X), (15 * X ** 2 - 3), 30 * X))


def test_custom_function_saved_tensor_changed_in_place_raises_in_both():
    def program(lib):
        op = legendre_p3(lib)
        x = leaf(lib, [0.5])
        base = x * 1
        y = op.apply(base, 1.0)
        with lib.no_grad():
            base.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
        return [0.0]

    run_both(program)


def test_functional_jacobian_hessian_vjp_jvp_hvp():
    def program(lib):
        F = lib.autograd.functional
        x = lib.tensor([0.3, -0.8, 1.2], dtype=lib.float64)
        v = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64)

        def f(x):
            return (x ** 4).sum() + x[0] * x[1]

        def g(x):
            return x.tanh() * x.sum()

        return (F.jacobian(g, x), F.hessian(f, x), F.vjp(g, x, v)[1], F.jvp(g, x, v)[1],
                F.hvp(f, x, v)[1], F.vhp(f, x, v)[1])

    X, V = np.array([0.3, -0.8, 1.2]), np.array([1.0, -2.0, 0.5])
    J = np.diag((1 - np.tanh(X) ** 2) * X.sum()) + np.tanh(X)[:, None]
    H = np.diag(12 * X ** 2)
    H[0, 1] = H[1, 0] = 1
    ours, theirs = run_both(program)
    same(ours, theirs, (J, H, V @ J, J @ V, H @ V, V @ H))


def test_functional_nesting_of_tuples_matches_pytorch():
    def program(lib):
        F = lib.autograd.functional
        a = lib.tensor([1.0, 2.0], dtype=lib.float64)
        b = lib.tensor([3.0], dtype=lib.float64)
        J = F.jacobian(lambda a, b: (a * b, (a * a).sum() * b), (a, b))
        H = F.hessian(lambda a, b: (a * a * b).sum(), (a, b))
        shapes = [tuple(t.shape) for pair in J + H for t in pair]
        return J, H, shapes

    ours, theirs = run_both(program)
    assert ours[2] == [(2, 2), (2, 1), (1, 2), (1, 1), (2, 2), (2, 1), (1, 2), (1, 1)]
    same(ours[:2], None if theirs is None else theirs[:2],
         ((3 * np.eye(2), [[1.0], [2.0]], [[6.0, 12.0]], [[5.0]]),
          (6 * np.eye(2), [[2.0], [4.0]], [[2.0, 4.0]], [[0.0]])))
    if theirs is not None:
        assert ours[2] == theirs[2]
