"""Applying a primitive to tensors: run its forward on the arrays, record the node when an
input requires grad (`apply`, and the hot paths `apply1`, `apply_float`, and the functions
`binary` and `unary_method` make, which are Tensor's operators and methods themselves), with
PyTorch's type promotion of the operands (`promote`).

The functions here make Tensors, but `tensor.py` imports them (through the method families),
so the class is handed over once it exists (`use_tensor_class`), as PyTorch's C++ core is
handed `torch.Tensor` at import.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable
from sys import getrefcount

import numpy as np

from . import dtypes, ops
from .arguments import builtin_error, describe, supported, to_array
from .autograd import anomaly
from .autograd.engine import FREED_FROM, HELD_BY_ONE_CONSUMER, free_value
from .autograd.grad_mode import state, switched
from .autograd.versions import sequence
from .dtypes import FLOATS, WEAK_NUMBERS
from .ops.function import SameShape
from .spares import UNSHARED, run_ufunc, spares, ufunc
from .tensor_base import TensorBase

# numpy warns when a result overflows, divides by zero or is invalid (log of −1); PyTorch
# gives the same inf and nan silently, and `detect_anomaly` is the way to catch them. So the
# warnings numpy raises from inside this package are silenced, and no one else's: the filter
# matches the module a warning comes from, and costs nothing until numpy warns.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tinygrad_edu(\.|$)")

_new = object.__new__
Tensor = TensorBase  # the Tensor class, once tensor.py has made it (`use_tensor_class`)
# Speed trick: numpy has a module `__getattr__`, so Python (3.11) cannot cache a lookup such as
# `np.ndarray` and pays a few hundred instructions for it each time; the hot paths read this
# name of this module instead (not np.asarray, which `tg.jit` replaces while it traces).
ndarray = np.ndarray
_PLAIN_OPERANDS = {float, int, np.float64, np.float32}  # and Tensor (`use_tensor_class`)


def use_tensor_class(cls: type) -> None:
    """Make the tensors of this module instances of `cls` (called once, by tensor.py)."""
    global Tensor
    Tensor = cls
    _PLAIN_OPERANDS.add(cls)


def wrap(data: np.ndarray, grad_fn=None):
    """A Tensor around an ndarray, without copying or checking (the internal path)."""
    t = _new(Tensor)
    t._data = data
    t._grad = None
    t.grad_fn = grad_fn
    t._requires_grad = grad_fn is not None
    return t


def apply(fn: ops.Function, *args) -> TensorBase:
    """Run `fn.forward` on the inputs' arrays; record `fn` when some input needs a gradient.

    `args` are Tensors or constants (Python numbers, ndarrays); constants take no gradient.
    """
    datas, needs = [], []
    for a in args:
        if isinstance(a, TensorBase):
            datas.append(a._data)
            needs.append(a._requires_grad)
        else:
            datas.append(a)
            needs.append(False)
    return _run(fn, args, tuple(datas), tuple(needs))


def _run(fn: ops.Function, args: tuple, datas: tuple, needs: tuple) -> TensorBase:
    """`apply` once the inputs are split into their arrays and requires_grad flags; binary
    operators and elementwise methods, the hot path, make these tuples directly.

    The node keeps the tuples as they are, and no more of them than it needs: `datas` only
    when its rule reads input values, and the hot paths pass a shared constant as `needs`
    (`_ONE_NEEDS`, ...). Each object a node allocates brings the garbage collector's next
    pass nearer, and in a deep graph each full pass walks every node recorded so far."""
    try:  # into a spare array where the forward is a ufunc and one is kept (`spares`)
        out = (run_ufunc(forward, datas) if spares and type(forward := fn.forward) is ufunc
               else fn.forward(*datas))
    except (ValueError, IndexError, TypeError) as e:
        shapes = ", ".join(str(np.shape(d)) for d in datas)
        raise builtin_error(e)(
            f"{type(fn).__name__.lower()}: {e} (input shapes {shapes})") from None
    except OverflowError as e:  # a Python int beyond the range of an int tensor's dtype
        raise ValueError(f"{type(fn).__name__.lower()}: {e}") from None
    if type(out) is not ndarray:
        out = np.asarray(out)
    # `switched` first: while no thread has switched a mode, nothing else is read (grad_mode)
    if switched and state.anomaly:
        anomaly.check_forward(fn, out)
    t = _new(Tensor)  # Tensor._wrap, inlined
    t._data = out
    t._grad = None
    if True in needs and (not switched or state.grad_enabled):
        fn.inputs = args
        fn.saved = datas if fn.reads_inputs else args  # see ops.Function
        fn.needs_input_grad = needs
        fn.seq = next(sequence)
        t.grad_fn = fn
        t._requires_grad = True
        if out.size >= LET_GO_FROM:  # (an ndarray's .nbytes costs more than its .size)
            let_go_unread(args)
    else:
        t.grad_fn = None
        t._requires_grad = False
    return t


LET_GO_FROM = FREED_FROM // 8  # elements (the engine's bytes, of float64): a smaller value
# stays until its graph goes, and an operation with a smaller output does not look up for one


def let_go_unread(args: tuple) -> None:
    """Free the values two steps up that no rule reads, now that only the graph holds them.

    For `(h @ W + b).tanh()`, when tanh records: the sum's node never reads `h @ W` (the
    gradient of a sum is the same for any values), nor does the product's own rule, and no one
    else holds that tensor any more. Its value would stay until the backward pass, where the
    hand-written version keeps one array per layer; freed now, the next array takes its
    memory. The tensor stays in the graph with its shape and dtype (`FreedValue`).
    """
    for a in args:
        fn = getattr(a, "grad_fn", None)  # constants have none
        if fn is None:
            continue
        for i in fn.unread:
            c = fn.inputs[i]
            if (isinstance(c, TensorBase) and c.grad_fn is not None and not c.grad_fn.reads_out
                    and type(c._data) is ndarray and c._data.size >= LET_GO_FROM
                    and getrefcount(c) == HELD_BY_ONE_CONSUMER
                    and c._data.base is None and getrefcount(c._data) == UNSHARED):
                free_value(c)  # memory no view shares (an in-place change of a view walks
                # from it to its memory's owner)


_ONE_NEEDS = ((False,), (True,))  # needs_input_grad of (x,), indexed by x.requires_grad
_FIRST_NEEDS = ((False, False), (True, False))  # of (x, constant), likewise
# the same, for an elementwise op of one tensor, alone or with a Python number: SameShape
_ONE_SAME = (SameShape((False,)), SameShape((True,)))
_FIRST_SAME = (SameShape((False, False)), SameShape((True, False)))
_SECOND_SAME = (SameShape((False, False)), SameShape((False, True)))  # of (number, y)
_BOTH_NEEDS = (((False, False), (False, True)), ((True, False), (True, True)))  # of (x, y)


def apply1(fn: ops.Function, x: TensorBase) -> TensorBase:
    """`apply(fn, x)` for one tensor input, without the loop."""
    return _run(fn, (x,), (x._data,), _ONE_NEEDS[x._requires_grad])


def apply_float(fn: ops.Function, x: TensorBase) -> TensorBase:
    """`apply1` for an elementwise floating function (exp, sin, ...), of `floating(x)`: its
    node's needs are `SameShape`, as `unary_method`'s."""
    if x._data.dtype not in FLOATS:  # the check inlined: float x, the hot path, makes no call
        x = floating(x)
    return _run(fn, (x,), (x._data,), _ONE_SAME[x._requires_grad])


def unary_method(op: type) -> Callable:
    """The method `x.<name>()` of a primitive of one input and no arguments (exp, tanh, ...):
    `apply_float(op(), x)`, or `apply1(op(), x)` for an op that is not floating, with the call
    between the method and `_run` saved (a Python call costs as much as the checks)."""
    floating_op = op.floating

    def method(x):
        if floating_op and x._data.dtype not in FLOATS:
            x = floating(x)
        return _run(op(), (x,), (x._data,), _ONE_SAME[x._requires_grad])

    method.__name__ = method.__qualname__ = op.__name__.lower()
    method.__doc__ = op.__doc__
    return method


def floating(x: TensorBase) -> TensorBase:
    """x, or its values in the default float dtype if they are ints or bools: PyTorch's
    input to a floating function (numpy would give float64, or float16 for int8 and bool).
    Ints cannot require grad, so the conversion is a plain copy."""
    return x if x._data.dtype in FLOATS else wrap(x._data.astype(dtypes.get_default_dtype()))


def operand(x, op: str):
    """A Tensor stays as it is; numbers and arrays of a supported dtype become constants
    (lists become arrays)."""
    if type(x) in _PLAIN_OPERANDS:  # the common cases, without the slower checks below
        return x
    if type(x) is ndarray:
        return supported(x, op)
    if isinstance(x, TensorBase) or (isinstance(x, (int, float)) and not isinstance(x, np.generic)):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return supported(x, op)
    if isinstance(x, (list, tuple)):
        return to_array(x, None, op)
    raise TypeError(f"{op}: unsupported operand {describe(x)}")


def binary(op: type, name: str, doc: str | None = None) -> Callable:
    """The function `f(x, y)` applying `op`, a primitive of two inputs and no arguments, with
    PyTorch's promotion (see `promote`; to the default float dtype for a floating op, such as
    true division, of ints). Tensor's operators are such functions themselves (`__mul__` is
    `tg.mul`), so `x * y` makes no Python call before `_run`'s."""
    floating_op = op.floating

    def function(x, y):
        if type(x) is Tensor and (dtype := x._data.dtype) in FLOATS:  # the common cases:
            ty = type(y)  # a float tensor with a number, or with a tensor or array of its dtype
            if ty in WEAK_NUMBERS:
                return _run(op(), (x, y), (x._data, y), _FIRST_SAME[x._requires_grad])
            if ty is ndarray and y.dtype is dtype:
                return _run(op(), (x, y), (x._data, y), _FIRST_NEEDS[x._requires_grad])
            if ty is Tensor and y._data.dtype is dtype:
                return _run(op(), (x, y), (x._data, y._data),
                            _BOTH_NEEDS[x._requires_grad][y._requires_grad])
        elif type(y) is Tensor and type(x) in WEAK_NUMBERS and y._data.dtype in FLOATS:
            # a number with a float tensor, reflected (`lr * g`, `1 - p`): the tensor's dtype
            return _run(op(), (x, y), (x, y._data), _SECOND_SAME[y._requires_grad])
        return apply(op(), *promote(operand(x, name), operand(y, name), floating=floating_op))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


def promote(x, y, floating: bool = False) -> tuple:
    """Both operands in the dtype PyTorch computes `x ⊕ y` in (`dtypes.result_dtype`; a
    floating one if `floating`), casting through the graph where a tensor requires grad."""
    cx, cy = dtypes.category(x), dtypes.category(y)
    target = dtypes.result_dtype(cx, cy, floating)
    dx, dy = cx[2], cy[2]
    if dx is not None and dy is not None and np.promote_types(dx, dy) == target:
        return x, y  # numpy computes in it already: no copy, no extra node
    if dx is None and dy is None:  # two Python numbers (as in `where`): neither carries it
        try:
            return np.asarray(x, target), np.asarray(y, target)
        except OverflowError as e:  # an int beyond int64
            raise ValueError(f"where: {e}") from None
    return cast(x, target), cast(y, target)


def cast(v, dtype):
    """An operand in `dtype`: a tensor that requires grad through the graph (`to`), other
    tensors, arrays and numpy scalars as plain copies; Python numbers stay as they are."""
    if isinstance(v, TensorBase):
        if v.dtype == dtype:
            return v
        return v.to(dtype) if v.requires_grad else wrap(v._data.astype(dtype))
    if isinstance(v, (np.ndarray, np.generic)) and v.dtype != dtype:
        return v.astype(dtype)
    return v


def as_tensor(x, op: str) -> TensorBase:
    if isinstance(x, TensorBase):
        return x
    if isinstance(x, (numbers.Number, np.ndarray, np.generic, list, tuple, range)):
        return wrap(to_array(x, None, op))
    raise TypeError(f"{op}: expected a tensor, got {describe(x)}")


def method_function(name: str, tensor_only: bool = False):
    """`tg.<name>(input, *args, **kwargs)`: `input.<name>(*args, **kwargs)`, for the methods
    PyTorch also spells as functions; input is made a tensor first (`as_tensor`), or, with
    `tensor_only`, must be one (as for `tg.clone` or `tg.exp_`)."""

    def function(input, *args, **kwargs):
        if tensor_only and not isinstance(input, TensorBase):
            raise TypeError(f"{name}: expected a tensor, got {describe(input)}")
        return getattr(as_tensor(input, name), name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"`tg.{name}(x, ...)` is `x.{name}(...)`."
    return function


def raw(x):
    return x._data if isinstance(x, TensorBase) else x
