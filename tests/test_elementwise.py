"""Elementwise operations by hand and fuzzed: arithmetic with broadcasting and scalars,
matmul, unary functions, clamp, maximum / minimum, where and comparisons."""

import fractions
import numbers

import hypothesis.strategies as st
import numpy as np
import pytest
from helpers import RNG, T, close, grad, shape_mentioned, unbroadcast, val, vjp
from hostile import (
    Refused,
    assert_same,
    data_inputs,
    default_of,
    expected_array,
    expected_operand,
    hostile_input,
    junk,
    nested,
    numpy_or_refused,
    numpy_scalars,
    operands,
    promote,
    python_scalars,
    pytorch_dtype,
    run_or_refused,
    tensors,
    tolerance,
)
from hypothesis import example, given
from op_table import OPS
from strategies import (
    ABOVE_MINUS_ONE,
    ABOVE_ONE,
    BETWEEN_STEPS,
    NEAR_ZERO,
    POSITIVE,
    PROBABILITY,
    UNIT,
)

import tinygrad_edu as tg
from tinygrad_edu.methods import logic

BIN_SHAPES = [((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), ()), ((4, 1, 3), (2, 1)), ((3,), (2, 3))]

# the operators of the op table with closed-form partials: +, -, *, /, **
ARITH = [op for op in OPS if op.operator and op.d1]
# the rows that take a Python number: x + 2.0, 1.5 - x, 3 - x, x ** 0.5, 2 ** x, -x, ...
SCALAR_CASES = [op for op in OPS if op.scalar]


class TestArithmetic:
    @pytest.mark.parametrize("op", ARITH, ids=repr)
    @pytest.mark.parametrize("sa,sb", BIN_SHAPES)
    def test_binary_broadcast_forward_and_grad(self, op, sa, sb):
        rng = RNG(0)
        an = rng.uniform(0.5, 2.0, sa)
        bn = rng.uniform(0.5, 2.0, sb)
        a, b = T(an), T(bn)
        out = op.operator(a, b)
        on = op.ref(an, bn)
        assert out.shape == on.shape
        close(val(out), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        da, db = (np.broadcast_to(d, on.shape) for d in op.d1(an, bn))
        assert a.grad.shape == sa and b.grad.shape == sb
        close(grad(a), unbroadcast(w * da, sa))
        close(grad(b), unbroadcast(w * db, sb))

    @pytest.mark.parametrize("op", SCALAR_CASES, ids=repr)
    def test_python_scalar_both_orders(self, op):
        tfn, nfn, dfn = op.fn, op.ref, op.d1
        xn = np.array([[0.5, 1.25, 2.0], [0.75, 3.0, 1.5]])
        x = T(xn)
        out = tfn(x)
        assert isinstance(out, tg.Tensor)
        close(val(out), nfn(xn))
        w = RNG(1).normal(size=xn.shape)
        vjp(out, w)
        close(grad(x), w * dfn(xn))

    @pytest.mark.parametrize("op", SCALAR_CASES, ids=repr)
    def test_python_scalar_does_not_promote_dtype(self, op):
        tfn = op.fn
        x32 = tg.Tensor(np.array([0.5, 2.0], dtype=np.float32))
        assert tfn(x32).dtype == np.float32

    def test_arithmetic_method_forms_pytorch_names(self):
        an, bn = np.array([1.5, 2.0]), np.array([0.5, 4.0])
        a, b = T(an), T(bn)
        close(val(a.add(b)), an + bn)
        close(val(a.sub(b)), an - bn)
        close(val(a.mul(b)), an * bn)
        close(val(a.div(b)), an / bn)
        close(val(a.pow(2.0)), an**2)
        close(val(a.pow(b)), an**bn)
        close(val(a.neg()), -an)

    def test_tensor_tensor_promotion(self):
        a = tg.Tensor(np.array([1.0], dtype=np.float32))
        b = tg.Tensor(np.array([2.0], dtype=np.float64))
        assert (a + b).dtype == np.float64
        assert (b * a).dtype == np.float64

    def test_int_tensor_with_float_tensor_promotes_like_pytorch(self):
        i = tg.Tensor([1, 2, 3])
        x = T([0.5, 1.5, 2.5], dtype=np.float32)
        out = i * x
        assert out.dtype == np.float32  # PyTorch: int64 * float32 -> float32
        close(val(out), [0.5, 3.0, 7.5])
        out.sum().backward()
        close(grad(x), [1, 2, 3])
        assert i.grad is None

    def test_int_tensor_with_python_float_gives_default_dtype(self):
        out = tg.Tensor([1, 2]) * 2.5
        assert out.dtype == np.float32  # PyTorch: int64 * float -> default float32
        close(val(out), [2.5, 5.0])

    def test_bool_sum_counts(self):
        s = (tg.Tensor([1.0, 2.0, 3.0]) > 1.5).sum()
        assert s.item() == 2

    def test_pow_zero_exponent_grad_at_zero(self):
        x = T([0.0, 1.0])
        (x**0).sum().backward()
        close(grad(x), [0, 0])

    def test_pow_integer_exponent_negative_base(self):
        x = T([-2.0, -0.5])
        out = x**3
        close(val(out), [-8, -0.125])
        out.sum().backward()
        close(grad(x), [12, 0.75])


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((2, 1, 2, 3), (3, 3, 4)),
    ((3,), (2, 3, 4)),
]


class TestMatmul:
    @pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
    def test_matmul_forward_and_grad(self, sa, sb):
        rng = RNG(2)
        an, bn = rng.normal(size=sa), rng.normal(size=sb)
        a, b = T(an), T(bn)
        out = a @ b
        on = np.matmul(an, bn)
        assert out.shape == on.shape
        close(val(out), on)
        close(val(tg.matmul(a, b)), on)
        w = rng.normal(size=on.shape)
        vjp(out, w)
        a2 = an[None, :] if an.ndim == 1 else an
        b2 = bn[:, None] if bn.ndim == 1 else bn
        w2 = w.reshape(np.matmul(a2, b2).shape)
        ga = np.matmul(w2, np.swapaxes(b2, -1, -2))
        gb = np.matmul(np.swapaxes(a2, -1, -2), w2)
        close(grad(a), unbroadcast(ga, a2.shape).reshape(sa))
        close(grad(b), unbroadcast(gb, b2.shape).reshape(sb))

    def test_matmul_method(self):
        rng = RNG(2)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
        a, b = T(an), T(bn)
        out = a.matmul(b)
        close(val(out), an @ bn)
        out.sum().backward()
        close(grad(a), np.ones((2, 4)) @ bn.T)

    def test_matmul_shape_mismatch(self):
        with pytest.raises(ValueError) as ei:
            T(np.ones((2, 3))) @ T(np.ones((4, 5)))
        msg = str(ei.value)
        assert shape_mentioned(msg, (2, 3)) and shape_mentioned(msg, (4, 5)), msg
        assert any(k in msg.lower() for k in ("matmul", "@", "mm")), msg


# the rows of the op table that are a Tensor method and a tg function of the same name
UNARY = [op for op in OPS if op.method]
# points inside a row's domain, where it is not the whole line
INSIDE = {
    POSITIVE: [[0.4, 1.3, 2.2], [0.7, 1.9, 0.25]],
    UNIT: [[-0.8, -0.3, 0.4], [0.6, -0.05, 0.85]],
    ABOVE_ONE: [[1.2, 1.7, 2.5], [3.1, 4.4, 1.05]],
    PROBABILITY: [[0.1, 0.35, 0.5], [0.65, 0.9, 0.2]],
    ABOVE_MINUS_ONE: [[-0.8, -0.3, 0.4], [1.9, 2.5, 0.8]],
    NEAR_ZERO: [[-1.2, -0.3, 0.4], [1.1, -0.7, 0.8]],
    BETWEEN_STEPS: [[-1.6875, -0.3125, 0.4375], [1.9375, -2.5625, 0.8125]],
}


class TestElementwise:
    @pytest.mark.parametrize("op", UNARY, ids=repr)
    @pytest.mark.parametrize("form", ["method", "function"])
    def test_unary(self, op, form):
        name, fwd, der = op.name, op.ref, op.d1
        xn = np.array(INSIDE.get(op.domain, [[-1.7, -0.3, 0.4], [1.9, -2.5, 0.8]]))
        x = T(xn)
        out = getattr(x, name)() if form == "method" else getattr(tg, name)(x)
        close(val(out), fwd(xn))
        w = RNG(3).normal(size=xn.shape)
        vjp(out, w)
        close(grad(x), w * der(xn))

    def test_relu_and_abs_grad_at_zero_is_zero(self):
        x = T([0.0])
        x.relu().sum().backward()
        close(grad(x), [0.0])
        y = T([0.0])
        y.abs().sum().backward()
        close(grad(y), [0.0])

    def test_clamp(self):
        xn = np.array([-2.0, -0.5, 0.3, 1.5, 3.0])
        x = T(xn)
        out = x.clamp(min=-1.0, max=1.0)
        close(val(out), np.clip(xn, -1, 1))
        out.sum().backward()
        close(grad(x), [0, 1, 1, 0, 0])
        y = T(xn)
        o2 = y.clamp(min=0.0)
        close(val(o2), np.maximum(xn, 0))
        o2.sum().backward()
        close(grad(y), [0, 0, 1, 1, 1])
        z = T(xn)
        o3 = z.clamp(max=0.5)
        close(val(o3), np.minimum(xn, 0.5))
        o3.sum().backward()
        close(grad(z), [1, 1, 1, 0, 0])

    def test_clamp_grad_at_boundary_is_one_like_pytorch(self):
        x = T([-1.0, 1.0])
        x.clamp(min=-1.0, max=1.0).sum().backward()
        close(grad(x), [1, 1])

    @pytest.mark.parametrize("name", ["maximum", "minimum"])
    def test_maximum_minimum_broadcast(self, name):
        rng = RNG(4)
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(3,))
        a, b = T(an), T(bn)
        out = getattr(tg, name)(a, b)
        on = getattr(np, name)(an, bn)
        close(val(out), on)
        close(val(getattr(a, name)(b)), on)
        w = rng.normal(size=(2, 3))
        vjp(out, w)
        pick_a = (an > bn) if name == "maximum" else (an < bn)
        close(grad(a), w * pick_a)
        close(grad(b), unbroadcast(w * ~pick_a, (3,)))

    @pytest.mark.parametrize("name", ["maximum", "minimum"])
    def test_maximum_minimum_ties_split_evenly(self, name):
        a, b = T([1.0, 2.0, 3.0]), T([1.0, 0.0 if name == "maximum" else 5.0, 3.0])
        getattr(tg, name)(a, b).sum().backward()
        close(grad(a), [0.5, 1, 0.5])
        close(grad(b), [0.5, 0, 0.5])

    def test_where_broadcast(self):
        rng = RNG(5)
        cn = np.array([[True, False, True], [False, False, True]])
        an, bn = rng.normal(size=(2, 3)), rng.normal(size=(3,))
        a, b = T(an), T(bn)
        cond = tg.tensor(cn)
        out = tg.where(cond, a, b)
        close(val(out), np.where(cn, an, bn))
        w = rng.normal(size=(2, 3))
        vjp(out, w)
        close(grad(a), w * cn)
        close(grad(b), unbroadcast(w * ~cn, (3,)))

    def test_where_as_method_pytorch_order(self):
        # PyTorch: x.where(cond, y) == torch.where(cond, x, y)
        x, y = T([1.0, 2.0, 3.0]), T([10.0, 20.0, 30.0])
        cond = tg.tensor(np.array([True, False, True]))
        out = x.where(cond, y)
        close(val(out), [1, 20, 3])
        out.sum().backward()
        close(grad(x), [1, 0, 1])
        close(grad(y), [0, 1, 0])

    def test_where_with_comparison_condition_and_scalar(self):
        xn = np.array([-1.0, 2.0, -3.0, 4.0])
        x = T(xn)
        out = tg.where(x > 0, x, 0.0)
        close(val(out), [0, 2, 0, 4])
        out.sum().backward()
        close(grad(x), [0, 1, 0, 1])


# the comparisons of the op table: <, <=, >, >=, ==, !=
CMP = [op for op in OPS if not op.differentiable and not op.reduction]


class TestComparisons:
    @pytest.mark.parametrize("op", CMP, ids=repr)
    def test_tensor_tensor_broadcast(self, op):
        an = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
        bn = np.array([2.0, 2.0, 2.0])
        a, b = T(an), T(bn)
        out = op.operator(a, b)
        assert isinstance(out, tg.Tensor)
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(val(out), op.ref(an, bn))
        assert not out.requires_grad and out.grad_fn is None

    @pytest.mark.parametrize("op", CMP, ids=repr)
    def test_with_scalar_both_sides(self, op):
        an = np.array([1.0, 2.0, 3.0])
        a = T(an)
        r1, r2 = op.operator(a, 2.0), op.operator(2.0, a)
        assert r1.dtype == np.bool_ and r2.dtype == np.bool_
        np.testing.assert_array_equal(val(r1), op.ref(an, 2.0))
        np.testing.assert_array_equal(val(r2), op.ref(2.0, an))
        assert not r1.requires_grad and not r2.requires_grad


    @pytest.mark.parametrize("name", sorted(logic.TWO_VALUES))
    def test_function_with_a_number_first_is_the_reflected_method(self, name):
        """`tg.eq(0.1, x)` compares as `0.1 == x`: the number is not made a tensor of the
        default dtype first (float32's 0.1 is not float64's)."""
        x = tg.tensor([0.1, 0.2, 0.0], dtype=tg.float64)
        for number in (0.1, 0.0, 5.369383988444155e-146):
            got = getattr(tg, name)(number, x)
            np.testing.assert_array_equal(val(got), logic.TWO_VALUES[name](number, x.numpy()))

    def test_bitwise_function_with_a_number_first_keeps_the_tensor_dtype(self):
        """As PyTorch's `torch.bitwise_and(5, x)`: int8 for an int8 x, not int64."""
        x = tg.tensor([3, 6], dtype=tg.int8)
        got = tg.bitwise_and(5, x)
        assert got.dtype == tg.int8 and got.tolist() == [1, 4]


# the binary rows of the op table fed hostile operands, by name
BINARY = {op.name: op for op in OPS if op.hostile and not op.reduction}


@hostile_input
@given(st.sampled_from(sorted(BINARY)), tensors(), operands, st.booleans())
@example("add", tg.ones(3), np.ones(3, complex), False)  # the imaginary part was dropped
@example("add", tg.ones(3), np.ones(3, complex), True)  # gave a complex tensor
@example("mul", tg.ones(3), np.array([1, 2, 3], object), True)  # gave an object tensor
@example("add", tg.ones(3), fractions.Fraction(1, 3), False)  # gave an object tensor
@example("add", tg.ones(3), np.ones(3, np.longdouble), False)  # gave a float128 tensor
@example("add", tg.tensor([1]), 10**30, False)  # OverflowError
@example("eq", tg.tensor(False), 2**63, False)  # OverflowError
@example("add", tg.ones(3), np.ones(3, np.int64), True)  # float64, while t + ndarray: float32
@example("pow", tg.tensor(-1, dtype=tg.int8), tg.tensor(0, dtype=tg.int8), True)  # 0 ** -1: 0
@example("pow", tg.tensor(-1, dtype=tg.int8), np.int8(2), True)  # a numpy int base
@example("logical_and", tg.tensor(np.nan, dtype=tg.float16), 5.369383988444155e-146, True)  # the
# number was made a float32 tensor first, where it is 0
def test_binary_ops_with_hostile_operands(name, x, other, reflected):
    op = BINARY[name]
    call, reference, names = op.operator or op.fn, op.ref, op.hostile
    promotes = op.differentiable  # comparisons compare values as given: no promotion
    left, right = (other, x) if reflected else (x, other)

    def expected():
        if name == "pow" and isinstance(left, fractions.Fraction):
            a = float(left)  # Fraction ** y is float(Fraction) ** y, by Python's own rules
        else:
            a = expected_operand(left)
        b = expected_operand(right)
        return numpy_or_refused(reference, *(promote(a, b, floating=name == "div") if promotes
                                             else (a, b)))

    got = run_or_refused(lambda: call(left, right), expected, *names)
    if got:
        assert_same(*got)


# the tg functions of the op table, fed hostile input
HOSTILE_UNARY = {op.name: op for op in UNARY}


@hostile_input
@given(st.sampled_from(sorted(HOSTILE_UNARY)), st.one_of(tensors(), data_inputs))
@example("exp", [1j])  # the message named tensor, not exp
def test_elementwise_functions_with_hostile_input(name, x):
    def expected():
        if not isinstance(x, (tg.Tensor, numbers.Number, np.ndarray, np.generic, list, tuple, range)):
            raise Refused
        a = expected_array(x)
        if HOSTILE_UNARY[name].floating and a.dtype.kind != "f":
            a = a.astype(tg.get_default_dtype())  # PyTorch: exp of an int or bool is float32
        op = HOSTILE_UNARY[name]
        return numpy_or_refused(op.hostile_ref or op.ref, a)

    got = run_or_refused(lambda: getattr(tg, name)(x), expected, name)
    if got:
        out, want = got
        assert_same(out, want, rtol=tolerance(want.dtype))


@hostile_input
@given(tensors(), st.one_of(st.none(), python_scalars, numpy_scalars, junk,
                            st.just(tg.tensor(0.5))),
       st.one_of(st.none(), python_scalars, numpy_scalars))
@example(tg.ones(2), fractions.Fraction(1, 3), None)  # gave an object tensor
@example(tg.ones(2), tg.tensor(0.5), np.longdouble(0.0))  # a float128 bound is refused
def test_clamp_with_hostile_bounds(x, lo, hi):
    def expected():
        if lo is None and hi is None:
            raise Refused
        for b in (lo, hi):  # a list, a float128, ... (every bound that is not a tensor)
            if b is not None and not isinstance(b, tg.Tensor) and expected_operand(b) is not b:
                raise Refused
        if isinstance(lo, tg.Tensor):  # a tensor bound: the dtype PyTorch gives x + lo
            d = (x.detach() + lo).dtype
            return numpy_or_refused(lambda a, b, c: np.clip(a, b, c).astype(d), x.numpy(),
                                    lo.numpy(), hi)
        a = x.numpy()
        if a.dtype.kind != "f" and any(isinstance(b, (float, np.floating)) for b in (lo, hi)):
            a = a.astype(tg.get_default_dtype())  # PyTorch: an int clamped to 0.5 is float32
        return numpy_or_refused(np.clip, a, lo, hi)

    got = run_or_refused(lambda: x.clamp(lo, hi), expected, "clamp")
    if got:
        assert_same(*got)


def expected_where(cond, x, y):
    if isinstance(cond, tg.Tensor):
        c = cond.numpy()
    elif isinstance(cond, (list, tuple, bool)):
        c = expected_array(cond)
    elif isinstance(cond, np.ndarray):
        c = cond
    else:
        raise Refused
    if c.dtype != np.bool_:
        raise Refused
    a, b = promote(expected_operand(x), expected_operand(y))
    if pytorch_dtype(a)[2] is None and pytorch_dtype(b)[2] is None:  # two Python numbers:
        d = default_of(max(pytorch_dtype(a)[1], pytorch_dtype(b)[1]))  # as PyTorch
        a, b = numpy_or_refused(np.asarray, a, d), numpy_or_refused(np.asarray, b, d)
    return numpy_or_refused(np.where, c, a, b)


conditions = st.one_of(tensors(dtypes=[tg.bool_]), tensors(dtypes=[tg.bool_], shape=(3,)),
                       st.lists(st.booleans(), max_size=3), st.booleans(), tensors(), nested,
                       junk, st.lists(st.booleans(), max_size=3).map(np.array))


@hostile_input
@given(conditions, operands, operands)
@example([True, False], tg.tensor([1, 2]), tg.ones(2))  # float64, PyTorch gives float32
def test_where_with_hostile_arguments(cond, x, y):
    got = run_or_refused(lambda: tg.where(cond, x, y), lambda: expected_where(cond, x, y), "where")
    if got:
        assert_same(*got)
