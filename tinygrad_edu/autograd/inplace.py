"""In-place changes of tensors (the `InPlace` mixin of `Tensor`): add_, sub_, mul_, div_,
clamp_, t[i] = v, copy_, fill_, zero_, and `t += x`. Each bumps the version of the memory it
changes (`versions.bump`); recorded, the change joins the graph as in PyTorch."""

from __future__ import annotations

import numbers

import numpy as np

from .. import ops
from ..arguments import broadcasts_to, builtin_error, describe
from ..methods.arithmetic import check_clamp
from ..methods.shape import as_index
from ..recording import apply, operand, raw, wrap
from ..tensor_base import TensorBase
from . import engine, versions
from .grad_mode import state, switched
from .versions import sequence


class InPlace:
    """Changes of a tensor in its own memory."""

    __slots__ = ()

    def add_(self, other, *, alpha=1):
        """self ← self + alpha·other, in self's memory."""
        return self._inplace("add_", ops.Add(), _scaled(other, alpha, "add_"), write=_ADD)

    def sub_(self, other, *, alpha=1):
        """self ← self − alpha·other, in self's memory."""
        return self._inplace("sub_", ops.Sub(), _scaled(other, alpha, "sub_"), write=_SUB)

    def mul_(self, other):
        """self ← self · other, in self's memory."""
        return self._inplace("mul_", ops.Mul(), operand(other, "mul_"), write=_MUL)

    def div_(self, other):
        """self ← self / other, in self's memory."""
        return self._inplace("div_", ops.Div(), operand(other, "div_"), write=_DIV)

    def clamp_(self, min=None, max=None):
        """self ← clamp(self, min, max), in self's memory."""
        check_clamp("clamp_", min, max)
        return self._inplace("clamp_", ops.Clamp(), min, max,
                             write=lambda dest, lo, hi: np.clip(dest, lo, hi, out=dest))

    clip_ = clamp_

    # `t += x` changes t in place, as in PyTorch, so `w -= lr * w.grad` under no_grad
    # updates the parameter itself instead of binding w to a new tensor outside the model
    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __setitem__(self, index, value):
        """self[index] = value, in self's memory (value broadcast, cast to self's dtype)."""
        index = as_index(index)
        if isinstance(value, TensorBase) and value._data.base is not None \
                and _same_memory(value._data, ops.select(self._data, index)):
            return  # `y[i] += v` ends with y[i] = (y[i] after +=): nothing left to change

        def write(dest, v):
            view, i = ops.place(dest, index)
            view[i] = v

        self._inplace("setitem", ops.SetItem(index), operand(value, "setitem"), write=write)

    def copy_(self, src):
        """self ← src (broadcast to self's shape, cast to self's dtype)."""
        src = operand(src, "copy_")
        if not broadcasts_to(np.shape(raw(src)), self.shape):
            raise ValueError(f"copy_: cannot copy a source of shape {np.shape(raw(src))} "
                             f"into a tensor of shape {self.shape}")
        return self._inplace("copy_", ops.SetItem(...), src, write=_fill)

    def fill_(self, value):
        """Set every element to `value` (a number or a one-element tensor)."""
        if isinstance(value, TensorBase) and value.numel() != 1:
            raise ValueError(f"fill_: the value must have one element, got shape {value.shape}")
        if not isinstance(value, (TensorBase, numbers.Real)):
            raise TypeError(f"fill_: the value must be a real number, got {describe(value)}")
        return self._inplace("fill_", ops.SetItem(...), value, write=_fill)

    def zero_(self):
        """Set every element to 0."""
        return self.fill_(0)

    def _inplace(self, name: str, fn: ops.Function, *operands, write) -> TensorBase:
        """self ← fn(self, *operands) in self's memory, bumping its version.

        Unrecorded, `write(self._data, *operand arrays)` changes the memory directly.

        When gradients are recorded and something involved requires grad, the change joins
        the graph, as in PyTorch: `fn` is applied to a copy of self's old value (kept for
        backward as `fn.replaced`) and self takes over the new node. When self is a view of
        a base tensor, the base takes over a CopySlices node instead (the old base with the
        view's region replaced by the new value), and self becomes that view of the new
        base. A leaf that requires grad (or a view of one) cannot be changed this way;
        optimizers change it under no_grad.
        """
        record = (not switched or state.grad_enabled) and (self._requires_grad or any(
            isinstance(o, TensorBase) and o._requires_grad for o in operands))
        if not self._data.flags.writeable:
            raise ValueError(f"{name}: the tensor (shape {self.shape}) is a read-only "
                             "broadcast view; change a .clone() of it")
        base, chain = self, ()
        if record and self._data.base is not None:
            base, chain = _view_base(self, name)
        if record and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(
                f"{name}: {'a view of ' if chain else ''}a leaf tensor that requires grad "
                f"(shape {base.shape}) cannot be changed in place while gradients are "
                "recorded; wrap the change in tg.no_grad(), or change a .clone() of it"
            )
        if record:
            old = wrap(base._data.copy(order="K"), base.grad_fn)
            old._requires_grad = base._requires_grad
            old_self = ops.view_of(old, chain)
            # an operand that is self (`y += y`) is its old value too: else the new node
            # would be its own input
            new = apply(fn, old_self, *(old_self if o is self else o for o in operands))
            _write(name, self._data, new._data)
        else:
            raws = [o._data if isinstance(o, TensorBase) else o for o in operands]
            try:
                write(self._data, *raws)
            except (TypeError, ValueError, IndexError) as e:
                shapes = ", ".join(str(np.shape(a)) for a in [self._data, *raws])
                raise builtin_error(e)(f"{name}: {e} (shapes {shapes})") from None
        versions.bump(self._data, name, next(sequence))
        if record and chain:  # recorded after the write: these nodes saw the new value
            new = apply(ops.CopySlices(chain), old, new)
            new.grad_fn.replaced = old
            base.grad_fn, base._requires_grad = new.grad_fn, True
            view = ops.view_of(base, chain)
            view.grad_fn.replaced = old_self
            self.grad_fn, self._requires_grad = view.grad_fn, True
        elif record:
            new.grad_fn.seq = next(sequence)  # after the write: the node saw the new value
            new.grad_fn.replaced = old
            self.grad_fn, self._requires_grad = new.grad_fn, True
        return self


def _scaled(other, alpha, op: str):
    """alpha·other for add_ and sub_ (other itself when alpha is 1)."""
    other = operand(other, op)
    if type(alpha) is int and alpha == 1:  # the usual case, without the slower check below
        return other
    if not isinstance(alpha, numbers.Real):
        raise TypeError(f"{op}: alpha must be a real number, got {alpha!r}")
    return other * alpha


def _write(op: str, dest: np.ndarray, value: np.ndarray) -> None:
    """Copy an in-place result into the tensor's memory; the shape and dtype must fit."""
    if value.shape != dest.shape:
        raise ValueError(f"{op}: the result has shape {value.shape} but the tensor being "
                         f"changed in place has shape {dest.shape}")
    if not np.can_cast(value.dtype, dest.dtype, "same_kind"):
        raise TypeError(f"{op}: a result of dtype {value.dtype} cannot be written into a "
                        f"tensor of dtype {dest.dtype}")
    np.copyto(dest, value)


def _into(ufunc):
    """An in-place writer dest ← ufunc(dest, other); ufuncs' default casting, "same_kind",
    refuses a float result in an int tensor, as PyTorch does."""
    return lambda dest, other: ufunc(dest, other, out=dest)


_ADD, _SUB, _MUL, _DIV = map(_into, (np.add, np.subtract, np.multiply, np.true_divide))


def _fill(dest, value):
    dest[...] = value


def _view_base(t: TensorBase, name: str) -> tuple:
    """(base, chain): the tensor whose memory `t` views, and the view operations (Reshape,
    Permute, basic GetItem) that make `t` from it, followed back through `t`'s history."""
    mem = versions.owner(t._data)
    chain = []
    while t._data is not mem:
        fn = t.grad_fn
        if fn is None:
            raise RuntimeError(
                f"{name}: this tensor (shape {t.shape}) is a view of another tensor's memory "
                "made without recording (under no_grad, or of a tensor that does not require "
                "grad), so an in-place change cannot be recorded; use the out-of-place "
                "operation or change a .clone()"
            )
        if type(fn) not in ops.VIEWS:
            break  # its operation made this memory: no other tensor sees it
        if fn.inputs is None:
            raise RuntimeError(engine.FREED.format(name=fn.name))
        src = fn.inputs[0]
        if versions.owner(src._data) is not mem:
            break  # a copy (GetItem with an index array)
        chain.append(fn)
        t = src
    return t, tuple(reversed(chain))


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """`a` and `b` are the very same elements of one buffer (so `a[...] = b` changes nothing)."""
    return (a.shape == b.shape and a.strides == b.strides
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])
