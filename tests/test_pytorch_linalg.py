"""PyTorch conformance of the linear algebra: the strict products (mm, bmm, mv, dot), outer,
inner, kron, tensordot, einsum's equations, tg.linalg (inv, solve, det, the norms), and
tril, triu, diag, diagonal, diag_embed, meshgrid. Each test checks numpy or a closed form,
and PyTorch too when it is installed (`torch_or_none`)."""

import math
import warnings

import numpy as np
import pytest
from helpers import T, assert_gradients_close, close, grad, torch_or_none, val

import tinygrad_edu as tg

RNG = np.random.default_rng(11)


def randn(*shape):
    return RNG.standard_normal(shape)


def well_conditioned(*shape):
    n = shape[-1]
    return randn(*shape) / (3 * n) + 2 * np.eye(n)


def torch_grads(torch, fn, arrays, weights):
    """PyTorch's value of fn and the gradients of Σ weights · fn at float64 `arrays`."""
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    (out * torch.tensor(weights)).sum().backward()
    # torch leaves .grad None where the gradient is zero (vector_norm of order 0)
    return out.detach().numpy(), [np.zeros(t.shape) if t.grad is None else t.grad.numpy()
                                  for t in ts]


def our_grads(fn, arrays, weights):
    ts = [T(a) for a in arrays]
    out = fn(*ts)
    (out * tg.tensor(weights)).sum().backward()
    return val(out), [grad(t) for t in ts]


def check_against_torch(fn, arrays, torch_fn=None):
    """Values and gradients of fn (tg on our side, torch on theirs) agree, when torch is."""
    torch = torch_or_none()
    if torch is None:
        return
    ours = fn(*[T(a) for a in arrays])
    weights = randn(*ours.shape)
    value, grads = our_grads(fn, arrays, weights)
    t_value, t_grads = torch_grads(torch, torch_fn or (lambda *ts: fn(*ts)), arrays, weights)
    close(value, t_value, rtol=1e-10, atol=1e-12)
    for g, tg_ in zip(grads, t_grads):
        close(g, tg_, rtol=1e-9, atol=1e-11)


def raises_like_torch(ours, theirs, *our_types):
    """`ours()` raises an instance of each of `our_types` and, with torch installed, of the
    type torch raises for `theirs()`; the message names the operation."""
    with pytest.raises(our_types[0]) as info:
        ours()
    for kind in our_types[1:]:
        assert isinstance(info.value, kind), (type(info.value), kind)
    torch = torch_or_none()
    if torch is not None:
        with pytest.raises(Exception) as their:
            theirs(torch)
        kind = type(their.value)
        if kind.__name__ == "_LinAlgError":  # torch.linalg.LinAlgError: a RuntimeError
            kind = RuntimeError
        assert isinstance(info.value, kind), (type(info.value), kind)
    return str(info.value)


# ---------------------------------------------------------------- the strict products


def test_strict_products_equal_numpy_and_torch():
    a, b, v = randn(2, 3), randn(3, 4), randn(3)
    p, q = randn(5, 2, 3), randn(5, 3, 4)
    close(val(tg.mm(T(a), T(b))), a @ b)
    close(val(T(p).bmm(T(q))), p @ q)
    close(val(tg.mv(T(a), T(v))), a @ v)
    close(val(T(v).dot(T(v * 2))), 2 * v @ v)
    assert tg.dot(T(v), T(v)).shape == ()
    assert tg.mm(tg.tensor([[1, 2]]), tg.tensor([[3], [4]])).tolist() == [[11]]  # int64 kept
    assert tg.mm(tg.tensor([[1, 2]]), tg.tensor([[3], [4]])).dtype == np.int64
    t = T(a)
    tg.mm(t, T(b)).sum().backward()
    close(grad(t), np.ones((2, 4)) @ b.T)
    check_against_torch(lambda x, y: x.mm(y), [a, b])
    check_against_torch(lambda x, y: x.bmm(y), [p, q])
    check_against_torch(lambda x, y: x.mv(y), [a, v])
    check_against_torch(lambda x, y: x.dot(y), [v, v * 3])


@pytest.mark.parametrize("name, args", [
    ("mm", ((2, 3, 3), (3, 3))), ("mm", ((2, 3), (2, 3))), ("bmm", ((2, 2), (2, 2))),
    ("bmm", ((2, 2, 2), (3, 2, 2))), ("bmm", ((1, 2, 2), (3, 2, 2))),
    ("mv", ((2, 2), (2, 2))), ("mv", ((2, 3), (2,))), ("dot", ((2, 2), (2, 2))),
    ("dot", ((2,), (3,))), ("outer", ((2, 2), (2,))), ("outer", ((), (2,))),
    ("inner", ((2, 3), (5, 4))),
])
def test_strict_products_refuse_shapes_as_torch(name, args):
    x, y = (np.ones(s) for s in args)
    msg = raises_like_torch(lambda: getattr(tg, name)(T(x), T(y)),
                            lambda torch: getattr(torch, name)(torch.tensor(x),
                                                               torch.tensor(y)),
                            ValueError, RuntimeError)
    assert msg.startswith(name)


@pytest.mark.parametrize("name, shapes", [
    ("mm", ((2, 2), (2, 2))), ("bmm", ((1, 2, 2), (1, 2, 2))), ("mv", ((2, 2), (2,))),
    ("dot", ((2,), (2,))), ("inner", ((2,), (2,))), ("tensordot", ((2, 2), (2, 2))),
])
def test_products_refuse_mixed_dtypes_as_torch(name, shapes):
    x = np.ones(shapes[0], np.float32)
    y = np.ones(shapes[1], np.float64)
    msg = raises_like_torch(lambda: getattr(tg, name)(tg.tensor(x), tg.tensor(y)),
                            lambda torch: getattr(torch, name)(torch.tensor(x),
                                                               torch.tensor(y)),
                            TypeError, RuntimeError)
    assert "float32" in msg and "float64" in msg
    with pytest.raises(TypeError, match="einsum"):
        tg.einsum("i,i", tg.tensor(x.reshape(-1)), tg.tensor(y.reshape(-1)))


def test_outer_and_kron_promote_dtypes_as_torch():
    v32 = tg.tensor([1.0, 2.0])
    v64 = tg.tensor([3.0, 4.0], dtype=tg.float64)
    assert tg.outer(v32, v64).dtype == np.float64
    assert tg.outer(tg.tensor([1, 2]), v32).dtype == np.float32
    assert tg.kron(v32, v64).dtype == np.float64
    assert tg.outer(v32, v64).tolist() == [[3.0, 4.0], [6.0, 8.0]]
    torch = torch_or_none()
    if torch is not None:
        assert torch.outer(torch.tensor([1, 2]), torch.tensor([1.0])).dtype == torch.float32


@pytest.mark.parametrize("sa, sb", [((2, 3), (4,)), ((2,), (3, 2)), ((2, 1, 3), (3, 2)),
                                    ((), (3,)), ((2, 2), (2, 3))])
def test_kron_equals_numpy_with_gradient(sa, sb):
    a, b = randn(*sa), randn(*sb)
    close(val(tg.kron(T(a), T(b))), np.kron(a, b))
    assert_gradients_close(tg.kron, T(a), T(b))
    check_against_torch(lambda x, y: x.kron(y), [a, b])


def test_inner_and_tensordot_equal_numpy():
    a, b = randn(2, 3, 4), randn(5, 4)
    close(val(tg.inner(T(a), T(b))), np.inner(a, b))
    v = randn(4)
    close(val(T(a).inner(T(v))), a @ v)
    close(val(tg.inner(tg.tensor(2.0, dtype=tg.float64), T(b))), 2 * b)
    c = randn(4, 3, 5)
    close(val(tg.tensordot(T(a), T(c), ([1, 2], [1, 0]))), np.tensordot(a, c, ([1, 2], [1, 0])))
    d = randn(3, 4, 2)
    close(val(tg.tensordot(T(a), T(d), 2)), np.tensordot(a, d, 2))
    u, w = randn(2), randn(3)
    close(val(tg.tensordot(T(u), T(w), 0)), np.outer(u, w))
    check_against_torch(lambda x, y: tg.inner(x, y), [a, b],
                        lambda x, y: __import__("torch").inner(x, y))
    check_against_torch(lambda x, y: tg.tensordot(x, y, ([1, 2], [1, 0])), [a, c],
                        lambda x, y: __import__("torch").tensordot(x, y, ([1, 2], [1, 0])))


@pytest.mark.parametrize("dims, types", [
    (-1, (ValueError, RuntimeError)), (([1], [0]), (ValueError, RuntimeError)),
    ((2, 0), (TypeError,)),
])
def test_tensordot_refuses_bad_dims_as_torch(dims, types):
    a, b = np.ones((2, 3, 4)), np.ones((4, 3, 5))
    raises_like_torch(lambda: tg.tensordot(T(a), T(b), dims),
                      lambda torch: torch.tensordot(torch.tensor(a), torch.tensor(b), dims),
                      *types)
    with pytest.raises(TypeError, match="tensordot: dims"):  # a RuntimeError in torch
        tg.tensordot(T(a), T(b), "x")


# ---------------------------------------------------------------- einsum


EQUATIONS = [  # (equation, operand shapes)
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ba", [(2, 3)]),
    ("Ba", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("bii->b", [(2, 3, 3)]),
    ("i,i", [(3,), (3,)]), ("i,j->ij", [(2,), (3,)]), ("...ij,...jk", [(5, 2, 3), (1, 3, 4)]),
    ("...ij,jk->...ik", [(2, 2, 3), (3, 4)]), ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]), ("iij->j", [(2, 2, 3)]), ("ij->", [(2, 3)]),
    ("bij,bjk,bkl->bil", [(2, 2, 3), (2, 3, 2), (2, 2, 2)]), ("...", [(2, 3)]),
    ("...ii->...", [(2, 3, 3)]), ("i,i->", [(1,), (3,)]), ("ijk->kji", [(2, 3, 1)]),
]


@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_equals_numpy_and_torch_with_gradients(equation, shapes):
    arrays = [randn(*s) for s in shapes]
    squeezed = equation.replace(" ", "")
    expected = np.einsum(squeezed, *np.broadcast_arrays(*arrays)) if squeezed == \
        "i,i->" else np.einsum(squeezed, *arrays)
    close(val(tg.einsum(equation, *[T(a) for a in arrays])), expected)
    close(val(tg.einsum(equation, [T(a) for a in arrays])), expected)  # a list, as torch
    assert_gradients_close(lambda *ts: tg.einsum(equation, *ts), *[T(a) for a in arrays])
    check_against_torch(lambda *ts: tg.einsum(equation, *ts), arrays,
                        lambda *ts: __import__("torch").einsum(equation, *ts))


def test_einsum_gradient_of_a_tensor_used_twice_adds_both_uses():
    x = T([1.0, 2.0, 3.0])
    tg.einsum("i,i", x, x).backward()
    close(grad(x), [2.0, 4.0, 6.0])
    a = T(randn(3, 3))
    tg.einsum("ij,ji", a, a).backward()  # trace(A²): gradient 2Aᵀ
    close(grad(a), 2 * val(a).T)
    b = T(randn(3, 3))
    g = tg.autograd.grad(tg.einsum("ii", b), b, create_graph=True)[0]
    close(val(g), np.eye(3))
    assert tg.autograd.gradgradcheck(lambda m: tg.einsum("ij,jk,ki", m, m, m), (T(randn(2, 2)),))


def test_einsum_takes_pytorchs_sublists():
    a, b = randn(2, 3), randn(3, 4)
    close(val(tg.einsum(T(a), [0, 1], T(b), [1, 2], [0, 2])), a @ b)
    close(val(tg.einsum(T(a), [0, 1], T(b), [1, 2])), a @ b)  # implicit output
    c = randn(2, 3, 3)
    close(val(tg.einsum(T(c), [..., 0, 0], [...])), np.trace(c, axis1=1, axis2=2))
    with pytest.raises(ValueError, match="einsum: a subscript"):
        tg.einsum(T(a), [0, 60])
    torch = torch_or_none()
    if torch is not None:
        theirs = torch.einsum(torch.tensor(a), [0, 1], torch.tensor(b), [1, 2], [0, 2])
        close(theirs.numpy(), a @ b)


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk", [(2, 3)]), ("ijk", [(2, 3)]), ("ij,jk", [(2, 3), (2, 3)]), ("ij->ii", [(2, 2)]),
    ("ij->k", [(2, 2)]), ("i1", [(2, 2)]), ("ii", [(2, 3)]), ("i..j", [(2, 2)]),
])
def test_einsum_refuses_bad_equations_as_torch(equation, shapes):
    arrays = [np.ones(s) for s in shapes]
    msg = raises_like_torch(lambda: tg.einsum(equation, *[T(a) for a in arrays]),
                            lambda torch: torch.einsum(equation,
                                                       *[torch.tensor(a) for a in arrays]),
                            ValueError, RuntimeError)
    assert msg.startswith("einsum")


# ---------------------------------------------------------------- inv, solve, det


def test_inverse_det_solve_equal_numpy():
    a = well_conditioned(2, 3, 3)
    b = randn(2, 3, 2)
    close(val(tg.linalg.inv(T(a))), np.linalg.inv(a))
    close(val(T(a).inverse()), np.linalg.inv(a))
    close(val(tg.inverse(T(a))), np.linalg.inv(a))
    close(val(tg.linalg.det(T(a))), np.linalg.det(a))
    close(val(T(a).det()), np.linalg.det(a))
    close(val(tg.det(T(a[0]))), np.linalg.det(a[0]))
    close(val(tg.linalg.solve(T(a), T(b))), np.linalg.solve(a, b))
    assert tg.linalg.det(T(np.ones((0, 0)))).item() == 1.0
    assert tg.linalg.inv(T(np.ones((0, 0)))).shape == (0, 0)


def test_inverse_det_solve_gradients_are_the_closed_forms():
    a, g = well_conditioned(3, 3), randn(3, 3)
    x = T(a)
    (tg.linalg.inv(x) * tg.tensor(g)).sum().backward()
    inv = np.linalg.inv(a)
    close(grad(x), -inv.T @ g @ inv.T)  # −A⁻ᵀ G A⁻ᵀ
    x = T(a)
    tg.linalg.det(x).backward()
    close(grad(x), np.linalg.det(a) * inv.T)  # det A · A⁻ᵀ
    b = randn(3, 2)
    x, y = T(a), T(b)
    (tg.linalg.solve(x, y) * tg.tensor(g[:, :2])).sum().backward()
    gb = np.linalg.solve(a.T, g[:, :2])
    close(grad(y), gb)  # A⁻ᵀ G
    close(grad(x), -gb @ np.linalg.solve(a, b).T)  # −(A⁻ᵀ G) Xᵀ
    for fn in (tg.linalg.inv, tg.linalg.det):
        assert tg.autograd.gradgradcheck(fn, (T(well_conditioned(2, 3, 3)),))
    assert tg.autograd.gradgradcheck(tg.linalg.solve, (T(a), T(b)))


@pytest.mark.parametrize("b_shape", [(3,), (2, 3), (2, 3, 4), (3, 4), (1, 3, 1)])
def test_solve_takes_vectors_and_broadcasts_batches_as_torch(b_shape):
    a, b = well_conditioned(2, 3, 3), randn(*b_shape)
    out = tg.linalg.solve(T(a), T(b))
    vector = len(b_shape) == 1 or b_shape == (2, 3)
    expected = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
    close(val(out), expected)
    check_against_torch(tg.linalg.solve, [a, b],
                        lambda x, y: __import__("torch").linalg.solve(x, y))


def cofactors(a):
    """Cᵢⱼ = (−1)^(i+j) det(A without row i and column j): ∂ det A / ∂aᵢⱼ by Laplace."""
    n = a.shape[0]
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1))
                      for j in range(n)] for i in range(n)])


@pytest.mark.parametrize("a", [np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]),
                               np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[2.0]]),
                               well_conditioned(3, 3)], ids=["rank 2", "zero", "1x1", "full"])
def test_det_gradient_is_the_cofactor_matrix_even_for_singular_matrices(a):
    # a deliberate difference: PyTorch 2.13 gives 0 for the rank-2 matrix, whose cofactors
    # (and central differences) are not 0
    x = T(a)
    tg.linalg.det(x).backward()
    close(grad(x), cofactors(a), atol=1e-12)
    assert_gradients_close(tg.linalg.det, T(a))


@pytest.mark.parametrize("b_shape", [(2, 4, 3), (5, 3)])
def test_solve_on_the_right_solves_x_a_equals_b(b_shape):
    a, b = well_conditioned(2, 3, 3) if len(b_shape) == 3 else well_conditioned(3, 3), \
        randn(*b_shape)
    close(val(tg.linalg.solve(T(a), T(b), left=False)) @ a, b)
    assert_gradients_close(lambda x, y: tg.linalg.solve(x, y, left=False), T(a), T(b))
    check_against_torch(lambda x, y: tg.linalg.solve(x, y, left=False), [a, b],
                        lambda x, y: __import__("torch").linalg.solve(x, y, left=False))


def test_singular_matrix_raises_linalg_error_a_runtime_error():
    assert issubclass(tg.linalg.LinAlgError, RuntimeError)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for call in (lambda m: tg.linalg.inv(m), lambda m: tg.linalg.solve(m, T(np.ones(2)))):
        msg = raises_like_torch(lambda call=call: call(T(singular)),
                                lambda torch: torch.linalg.inv(torch.zeros(2, 2)),
                                tg.linalg.LinAlgError, RuntimeError)
        assert "singular" in msg
    assert tg.linalg.det(T(singular)).item() == 0.0


@pytest.mark.parametrize("name, data, types", [
    ("inv", np.ones((2, 2), np.int64), (TypeError, RuntimeError)),
    ("det", np.ones((2, 2), np.int64), (TypeError, RuntimeError)),
    ("inv", np.ones((2, 3)), (ValueError, RuntimeError)),
    ("det", np.ones((2, 3)), (ValueError, RuntimeError)),
    ("inv", np.ones(2), (ValueError, RuntimeError)),
])
def test_inv_det_refuse_bad_input_as_torch(name, data, types):
    msg = raises_like_torch(lambda: getattr(tg.linalg, name)(tg.tensor(data)),
                            lambda torch: getattr(torch.linalg, name)(torch.tensor(data)),
                            *types)
    assert msg.startswith(f"linalg.{name}")


def test_solve_refuses_mismatches_as_torch():
    a = np.eye(2)
    raises_like_torch(lambda: tg.linalg.solve(T(a), T(np.ones(3))),
                      lambda torch: torch.linalg.solve(torch.tensor(a),
                                                       torch.ones(3, dtype=torch.float64)),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.solve(T(a), T(np.ones(2)), left=False),
                      lambda torch: torch.linalg.solve(torch.tensor(a), torch.tensor(np.ones(2)),
                                                       left=False),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.solve(T(a), tg.tensor(np.ones(2, np.float32))),
                      lambda torch: torch.linalg.solve(torch.tensor(a), torch.ones(2)),
                      TypeError, RuntimeError)


# ---------------------------------------------------------------- norms


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, math.inf, -math.inf, 0])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm_equals_numpy_and_torch(ord, dim, keepdim):
    a = randn(2, 3, 4)
    flat = np.abs(a)
    axis = dim if dim is not None else tuple(range(a.ndim))
    if ord == 0:
        expected = np.sum(flat != 0, axis=axis, keepdims=keepdim).astype(float)
    elif math.isinf(ord):
        expected = (np.max if ord > 0 else np.min)(flat, axis=axis, keepdims=keepdim)
    else:
        expected = np.sum(flat ** ord, axis=axis, keepdims=keepdim) ** (1 / ord)
    out = tg.linalg.vector_norm(T(a), ord, dim, keepdim)
    close(val(out), expected)
    if ord != 0:
        assert_gradients_close(lambda t: tg.linalg.vector_norm(t, ord, dim, keepdim), T(a))
    check_against_torch(lambda t: tg.linalg.vector_norm(t, ord, dim, keepdim), [a],
                        lambda t: __import__("torch").linalg.vector_norm(t, ord, dim, keepdim))


def test_norm_gradient_at_zero_is_zero_as_torch():
    for ord in (2, 3, 1.5):
        x = T(np.zeros(3))
        tg.linalg.vector_norm(x, ord).backward()
        close(grad(x), np.zeros(3))
    check_against_torch(lambda t: tg.linalg.vector_norm(t, 3), [np.zeros(3)],
                        lambda t: __import__("torch").linalg.vector_norm(t, 3))


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 0)])
def test_matrix_norm_equals_numpy_and_torch(ord, dim):
    a = randn(3, 4, 5)
    expected = np.linalg.norm(a, ord, axis=dim)
    out = tg.linalg.matrix_norm(T(a), ord, dim)
    close(val(out), expected)
    close(val(tg.linalg.matrix_norm(T(a), ord, dim, keepdim=True)),
          np.linalg.norm(a, ord, axis=dim, keepdims=True))
    assert_gradients_close(lambda t: tg.linalg.matrix_norm(t, ord, dim), T(a))
    check_against_torch(lambda t: tg.linalg.matrix_norm(t, ord, dim), [a],
                        lambda t: __import__("torch").linalg.matrix_norm(t, ord, dim))


@pytest.mark.parametrize("ord, dim, shape", [
    (None, None, (2, 3, 4)), (None, 1, (2, 3)), (None, (0, 1), (2, 3)), (1, None, (4,)),
    (1, None, (3, 4)), ("fro", None, (3, 4)), (math.inf, (1, 0), (3, 4)), (3, (1,), (2, 3)),
    (-math.inf, None, (5,)),
])
def test_linalg_norm_dispatches_as_torch(ord, dim, shape):
    a = randn(*shape)
    if dim is None and ord is None:
        expected = np.linalg.norm(a.reshape(-1))
    else:
        expected = np.linalg.norm(a, ord, axis=dim)
    close(val(tg.linalg.norm(T(a), ord, dim)), expected)
    check_against_torch(lambda t: tg.linalg.norm(t, ord, dim), [a],
                        lambda t: __import__("torch").linalg.norm(t, ord, dim))


def test_norms_refuse_what_torch_refuses():
    m = np.ones((2, 2))
    raises_like_torch(lambda: tg.linalg.matrix_norm(T(m), 3),
                      lambda torch: torch.linalg.matrix_norm(torch.tensor(m), 3),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.matrix_norm(T(np.ones(2))),
                      lambda torch: torch.linalg.matrix_norm(torch.ones(2)),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.matrix_norm(T(m), dim=(0, 0)),
                      lambda torch: torch.linalg.matrix_norm(torch.tensor(m), dim=(0, 0)),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.norm(T(np.ones((2, 2, 2))), 2),
                      lambda torch: torch.linalg.norm(torch.ones(2, 2, 2), 2),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.vector_norm(T(np.ones(2)), "fro"),
                      lambda torch: torch.linalg.vector_norm(torch.ones(2), "fro"),
                      TypeError)
    raises_like_torch(lambda: tg.linalg.vector_norm(tg.tensor([1, 2])),
                      lambda torch: torch.linalg.vector_norm(torch.tensor([1, 2])),
                      TypeError, RuntimeError)
    raises_like_torch(lambda: tg.linalg.vector_norm(T(np.zeros(0)), math.inf),
                      lambda torch: torch.linalg.vector_norm(torch.zeros(0), math.inf),
                      ValueError, RuntimeError)


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 1)])
def test_singular_value_norms_equal_numpy_and_torch(ord, dim):
    a = randn(2, 3, 4)
    close(val(tg.linalg.matrix_norm(T(a), ord, dim)), np.linalg.norm(a, ord, axis=dim))
    close(val(tg.linalg.matrix_norm(T(a), ord, dim, keepdim=True)),
          np.linalg.norm(a, ord, axis=dim, keepdims=True))
    assert_gradients_close(lambda t: tg.linalg.matrix_norm(t, ord, dim), T(a))
    check_against_torch(lambda t: tg.linalg.matrix_norm(t, ord, dim), [a],
                        lambda t: __import__("torch").linalg.matrix_norm(t, ord, dim))


def test_svdvals_gradient_is_u_v_transposed_and_refuses_second_order():
    a = randn(3, 2)
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    close(val(tg.linalg.svdvals(T(a))), s)
    x = T(a)
    tg.linalg.svdvals(x)[0].backward()
    close(grad(x), np.outer(u[:, 0], vt[0]))  # ∂σ₁/∂A = u₁ v₁ᵀ
    x = T(a)
    with pytest.raises(NotImplementedError, match="second derivatives"):
        tg.autograd.grad(tg.linalg.matrix_norm(x, "nuc"), x, create_graph=True)
    check_against_torch(tg.linalg.svdvals, [a], lambda t: __import__("torch").linalg.svdvals(t))


# ---------------------------------------------------------------- triangles and diagonals


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
def test_tril_triu_equal_numpy_and_mask_the_gradient(k):
    a = randn(2, 3, 4)
    for name in ("tril", "triu"):
        ref = getattr(np, name)
        close(val(getattr(tg, name)(T(a), k)), ref(a, k))
        x = T(a)
        getattr(x, name)(diagonal=k).sum().backward()
        close(grad(x), ref(np.ones(a.shape), k))
        check_against_torch(lambda t, name=name: getattr(t, name)(k), [a])
    assert tg.tril(tg.tensor([[1, 2], [3, 4]])).dtype == np.int64
    raises_like_torch(lambda: tg.tril(T(np.ones(3))), lambda torch: torch.tril(torch.ones(3)),
                      ValueError, RuntimeError)


@pytest.mark.parametrize("offset, dim1, dim2", [(0, 0, 1), (1, 0, 2), (-1, 2, 0), (5, 1, 2),
                                                (0, -1, -2)])
def test_diagonal_equals_numpy_and_its_gradient_is_the_adjoint(offset, dim1, dim2):
    a = randn(3, 4, 5)
    expected = np.diagonal(a, offset, dim1, dim2)
    out = tg.diagonal(T(a), offset, dim1, dim2)
    close(val(out), expected)
    x = T(a)
    w = randn(*expected.shape)
    (x.diagonal(offset, dim1, dim2) * tg.tensor(w)).sum().backward()
    adjoint = np.zeros(a.shape)  # w on the diagonal: ⟨diagonal(x), w⟩ = ⟨x, adjoint⟩
    place = np.moveaxis(adjoint, (dim1, dim2), (-2, -1))
    r, c = max(-offset, 0), max(offset, 0)
    for i in range(expected.shape[-1]):
        place[..., r + i, c + i] = w[..., i]
    close(grad(x), adjoint)
    check_against_torch(lambda t: t.diagonal(offset, dim1, dim2), [a])
    raises_like_torch(lambda: tg.diagonal(T(a), 0, 1, 1),
                      lambda torch: torch.diagonal(torch.tensor(a), 0, 1, 1),
                      ValueError, RuntimeError)


@pytest.mark.parametrize("shape, offset, dim1, dim2", [((3,), 0, -2, -1), ((2, 3), 1, 0, 2),
                                                       ((2, 3), -2, 2, 0), ((2, 3), 0, 1, 0)])
def test_diag_embed_places_the_last_axis_on_a_diagonal(shape, offset, dim1, dim2):
    a = randn(*shape)
    out = val(tg.diag_embed(T(a), offset, dim1, dim2))
    # its diagonal in the same planes gives a back, and nothing else is nonzero
    close(np.diagonal(out, offset, dim1, dim2), a)
    assert np.count_nonzero(out) == a.size
    assert_gradients_close(lambda t: t.diag_embed(offset, dim1, dim2), T(a))
    check_against_torch(lambda t: t.diag_embed(offset, dim1, dim2), [a])


@pytest.mark.parametrize("shape, k", [((3,), 0), ((3,), 1), ((3,), -2), ((3, 4), 0),
                                      ((3, 4), 1), ((3, 4), -2)])
def test_diag_equals_numpy(shape, k):
    a = randn(*shape)
    close(val(tg.diag(T(a), k)), np.diag(a, k))
    close(val(T(a).diag(k)), np.diag(a, k))
    assert_gradients_close(lambda t: tg.diag(t, k), T(a))
    check_against_torch(lambda t: t.diag(k), [a])
    raises_like_torch(lambda: tg.diag(T(np.ones((2, 2, 2)))),
                      lambda torch: torch.diag(torch.ones(2, 2, 2)), ValueError, RuntimeError)


# ---------------------------------------------------------------- meshgrid


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_equals_numpy_and_torch(indexing):
    xs = [randn(2), randn(3), randn(4)]
    for n in (1, 2, 3):
        ours = tg.meshgrid(*[T(x) for x in xs[:n]], indexing=indexing)
        for o, e in zip(ours, np.meshgrid(*xs[:n], indexing=indexing)):
            close(val(o), e)
    ours = tg.meshgrid([T(x) for x in xs[:2]], indexing=indexing)  # a list, as torch
    assert len(ours) == 2
    x = T(xs[0])
    y = T(xs[1])
    gx, gy = tg.meshgrid(x, y, indexing=indexing)
    (gx * gy).sum().backward()
    close(grad(x), np.full(2, xs[1].sum()))  # ∂/∂xᵢ Σᵢⱼ xᵢ yⱼ = Σⱼ yⱼ
    close(grad(y), np.full(3, xs[0].sum()))
    torch = torch_or_none()
    if torch is not None:
        theirs = torch.meshgrid(torch.tensor(1.0), torch.ones(2), indexing=indexing)
        ours = tg.meshgrid(tg.tensor(1.0), tg.ones(2), indexing=indexing)
        assert [o.shape for o in ours] == [tuple(t.shape) for t in theirs]


def test_meshgrid_without_indexing_warns_and_uses_ij_as_torch():
    with pytest.warns(UserWarning, match="indexing"):
        gx, gy = tg.meshgrid(tg.ones(2), tg.ones(3))
    assert gx.shape == (2, 3)
    torch = torch_or_none()
    if torch is not None:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            assert torch.meshgrid(torch.ones(2), torch.ones(3))[0].shape == (2, 3)
        assert any("indexing" in str(w.message) for w in seen)
    raises_like_torch(lambda: tg.meshgrid(tg.ones(2), indexing="yx"),
                      lambda torch: torch.meshgrid(torch.ones(2), indexing="yx"),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.meshgrid(tg.ones(2, 2), indexing="ij"),
                      lambda torch: torch.meshgrid(torch.ones(2, 2), indexing="ij"),
                      ValueError, RuntimeError)
    raises_like_torch(lambda: tg.meshgrid(tg.ones(2), tg.ones(2, dtype=tg.float64),
                                          indexing="ij"),
                      lambda torch: torch.meshgrid(torch.ones(2),
                                                   torch.ones(2, dtype=torch.float64),
                                                   indexing="ij"),
                      TypeError, RuntimeError)


def test_linalg_diagonal_defaults_to_the_last_two_dims_as_torch():
    a = randn(2, 3, 4)
    close(val(tg.linalg.diagonal(T(a))), np.diagonal(a, 0, -2, -1))
    close(val(tg.linalg.diagonal(T(a), offset=1, dim1=0, dim2=2)), np.diagonal(a, 1, 0, 2))
    check_against_torch(lambda t: tg.linalg.diagonal(t), [a],
                        lambda t: __import__("torch").linalg.diagonal(t))
