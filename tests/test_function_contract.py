"""The contract of `ops.Function`: a misspelt `saves` fails when the class is made, naming
the class, the name and the rule's parameters; the ufunc → op map is derived from the op
classes and holds every ufunc a tensor recorded before it was derived."""

import types

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import ops

# the hand-written table the derived map replaced: none of its entries may be lost
HAND_WRITTEN_UFUNC_OPS = {
    np.add: ops.Add, np.subtract: ops.Sub, np.multiply: ops.Mul, np.true_divide: ops.Div,
    np.power: ops.Pow, np.negative: ops.Neg, np.matmul: ops.MatMul, np.exp: ops.Exp,
    np.log: ops.Log, np.sqrt: ops.Sqrt, np.absolute: ops.Abs, np.tanh: ops.Tanh,
    np.sin: ops.Sin, np.cos: ops.Cos, np.maximum: ops.Maximum, np.minimum: ops.Minimum,
}

FAMILIES = (ops.elementwise, ops.unary, ops.trigonometric, ops.reduce, ops.movement,
            ops.linalg, ops.conv)


def op_classes():
    return [c for family in FAMILIES for c in vars(family).values()
            if isinstance(c, type) and issubclass(c, ops.Function) and c is not ops.Function]


# ---------------------------------------------------------------- saves


def test_misspelt_saves_in_a_tuple_fails_at_class_creation():
    with pytest.raises(TypeError, match=r"Twice\.saves names 'z', which is neither 'out' nor "
                                        r"a parameter of Twice\.backward\(grad, out, x\)"):
        class Twice(ops.Function):
            saves = ("z",)

            def forward(self, x):
                return x * 2

            def backward(self, grad, out, x):
                return grad * 2


def test_misspelt_value_in_a_saves_dict_fails_at_class_creation():
    with pytest.raises(TypeError, match=r"Product\.saves names 'a'.*"
                                        r"Product\.backward\(grad, out, x, y\)"):
        class Product(ops.Function):
            saves = {"a": "y", "y": "x"}

            def forward(self, x, y):
                return x * y

            def backward(self, grad, out, x, y):
                return grad * y, grad * x


def test_misspelt_reader_in_a_saves_dict_fails_at_class_creation():
    with pytest.raises(TypeError, match=r"Product\.saves has 'x' read for the gradient of "
                                        r"'b', which is not a parameter of "
                                        r"Product\.backward\(grad, out, x, y\)"):
        class Product(ops.Function):
            saves = {"x": "b", "y": "x"}

            def forward(self, x, y):
                return x * y

            def backward(self, grad, out, x, y):
                return grad * y, grad * x


def test_saves_as_a_bare_string_asks_for_the_comma_of_a_tuple():
    with pytest.raises(TypeError, match=r"Square\.saves must be a tuple or a dict of names, "
                                        r"not 'x' \(a tuple of one name needs a comma"):
        class Square(ops.Function):
            saves = "x"

            def forward(self, x):
                return x * x

            def backward(self, grad, out, x):
                return grad * 2 * x


def test_valid_saves_give_the_positions_the_version_check_reads():
    assert ops.Mul.saved_positions == ((0, (1,)), (1, (0,)))
    assert ops.Div.saved_positions == ((0, (1,)), (1, (0, 1)))
    assert ops.Exp.saved_positions == ((-1, None),) and not ops.Exp.reads_inputs
    assert ops.Sqrt.reads_inputs is False and ops.Log.reads_inputs is True


def test_forward_and_backward_are_declared_on_function_with_their_contract():
    class Unfinished(ops.Function):
        saves = ()

    with pytest.raises(NotImplementedError, match="Unfinished has no forward"):
        Unfinished().forward(np.ones(2))
    with pytest.raises(NotImplementedError, match="Unfinished has no backward"):
        Unfinished().backward(np.ones(2), np.ones(2), np.ones(2))
    assert "ndarrays" in ops.Function.forward.__doc__
    assert "stashed" in ops.Function.backward.__doc__


# ---------------------------------------------------------------- the ufunc → op map


def test_derived_ufunc_map_keeps_every_entry_of_the_hand_written_table():
    for ufunc, op in HAND_WRITTEN_UFUNC_OPS.items():
        assert ops.UFUNC_OPS.get(ufunc) is op, ufunc.__name__
    # numpy's aliases are the same ufunc objects, so they reach the op too
    assert ops.UFUNC_OPS[np.abs] is ops.Abs and ops.UFUNC_OPS[np.divide] is ops.Div


def test_every_op_whose_forward_is_a_ufunc_is_in_the_map_and_nothing_else_is():
    bare = {c for c in op_classes()
            if isinstance(c.__dict__.get("forward"), staticmethod)
            and isinstance(c.forward, np.ufunc)}
    assert bare, "no op has a ufunc as its forward"
    for op in bare:
        assert ops.UFUNC_OPS[op.forward] is op
    # the ops in the map whose forward is not the ufunc itself declare it: x**y, the steps
    # (ints pass unchanged, bools are refused), square (of a bool: int64)
    declared = {ops.Pow, ops.Floor, ops.Ceil, ops.Trunc, ops.Round, ops.Sign, ops.Square}
    assert set(ops.UFUNC_OPS.values()) - bare == declared
    assert ops.Pow.ufunc is np.power and ops.Round.ufunc is np.rint


def test_ops_outside_the_families_do_not_enter_the_map():
    class MyExp(ops.Function):
        saves = ("out",)
        forward = staticmethod(np.exp)

        def backward(self, grad, out, x):
            return grad * out

    assert MyExp.ufunc is np.exp
    assert ops.UFUNC_OPS[np.exp] is ops.Exp


def test_two_ops_claiming_one_ufunc_fail_loudly():
    class Exp2(ops.Function):
        saves = ("out",)
        forward = staticmethod(np.exp)

        def backward(self, grad, out, x):
            return grad * out

    family = types.SimpleNamespace(Exp=ops.Exp, Exp2=Exp2)
    with pytest.raises(TypeError, match=r"Exp2 and Exp both compute np\.exp"):
        ops.ops_by_ufunc(ops.elementwise, family)


@pytest.mark.parametrize("ufunc", list(HAND_WRITTEN_UFUNC_OPS), ids=lambda u: u.__name__)
def test_each_ufunc_of_the_map_records_its_op_on_a_tensor(ufunc):
    x = tg.tensor([[0.5, 1.5], [2.0, 0.25]], dtype=tg.float64, requires_grad=True)
    y = ufunc(*(x,) * ufunc.nin)
    assert y.grad_fn.name == ops.UFUNC_OPS[ufunc].__name__ + "Backward"
    np.testing.assert_allclose(y.numpy(), ufunc(*(x.numpy(),) * ufunc.nin))
