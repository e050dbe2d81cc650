"""In-place changes of tensors (the `InPlace` mixin of `Tensor`): add_, sub_, mul_, div_,
pow_, neg_, clamp_, t[i] = v, copy_, fill_, zero_, masked_fill_, index_add_, scatter_, the
random fills normal_, uniform_, bernoulli_, `<f>_` for every function of one value (exp_,
sqrt_, ...), and `t += x`. Each bumps the version of the memory it
changes (`versions.bump`); recorded, the change joins the graph as in PyTorch."""

from __future__ import annotations

import numbers
import operator

import numpy as np

from .. import ops
from ..arguments import (
    RuntimeTypeError,
    RuntimeValueError,
    UnsupportedDtypeError,
    broadcasts_to,
    builtin_error,
    describe,
    real,
)
from ..arguments import dim as arguments_dim
from ..generators import numpy_generator
from ..methods.arithmetic import ONE_VALUE, check_clamp
from ..methods.shape import as_index
from ..recording import apply, operand, raw, wrap
from ..tensor_base import TensorBase
from . import engine, versions
from .grad_mode import state, switched
from .versions import sequence

# in-place writers dest ← dest ⊕ other: ndarray's own in-place operators, which call the
# ufunc with out=dest in C; its default casting, "same_kind", refuses a float result in an
# int tensor, as PyTorch does
_ADD, _SUB, _MUL, _DIV = operator.iadd, operator.isub, operator.imul, operator.itruediv


def _operator(name: str, fn: type, write, doc: str, called: str = ""):
    """The method `self.<name>(other)` (mul_, div_) or operator `self ⊕= other` of the
    primitive `fn`: `_inplace`, with its unrecorded write made here when neither tensor
    requires grad, as in the manual update `p.data -= lr * p.grad.data` (each Python call,
    loop and `*args` saved there counts). `called`: the operator's own name (`__isub__`),
    when it is not `name`."""

    def method(self, other):
        if isinstance(other, TensorBase) and not (self._requires_grad or other._requires_grad):
            # nothing to record: `_inplace`'s write, without its loop and its call
            try:
                write(self._data, other._data)
            except (TypeError, ValueError, IndexError) as e:
                raise _refused(name, self, (other._data,), e) from None
            versions.bump(self._data, name)
            return self
        return self._inplace(name, fn, operand(other, name), write=write)

    method.__name__ = method.__qualname__ = called or name
    method.__doc__ = doc
    return method


class InPlace:
    """Changes of a tensor in its own memory."""

    __slots__ = ()

    def add_(self, other, *, alpha=1):
        """self ← self + alpha·other, in self's memory."""
        return self.__iadd__(_scaled(other, alpha, "add_"))

    def sub_(self, other, *, alpha=1):
        """self ← self − alpha·other, in self's memory."""
        return self.__isub__(_scaled(other, alpha, "sub_"))

    mul_ = _operator("mul_", ops.Mul, _MUL, "self ← self · other, in self's memory.")
    div_ = _operator("div_", ops.Div, _DIV, "self ← self / other, in self's memory.")

    def clamp_(self, min=None, max=None):
        """self ← clamp(self, min, max), in self's memory."""
        check_clamp("clamp_", min, max)
        return self._inplace("clamp_", ops.Clamp, min, max,
                             write=lambda dest, lo, hi: np.clip(dest, lo, hi, out=dest))

    clip_ = clamp_

    def clamp_min_(self, min):
        """self ← max(self, min), in self's memory."""
        return self.clamp_(min=min)

    def clamp_max_(self, max):
        """self ← min(self, max), in self's memory."""
        return self.clamp_(max=max)

    def pow_(self, exponent):
        """self ← self ** exponent, in self's memory."""
        return self._inplace("pow_", ops.Pow, operand(exponent, "pow_"), write=_power)

    def neg_(self):
        """self ← −self, in self's memory."""
        return self._inplace("neg_", ops.Neg, write=lambda dest: np.negative(dest, out=dest))

    negative_ = neg_

    # `t += x` changes t in place, as in PyTorch, so `w -= lr * w.grad` under no_grad
    # updates the parameter itself instead of binding w to a new tensor outside the model
    __iadd__ = _operator("add_", ops.Add, _ADD, "self += other: add_ without alpha.", "__iadd__")
    __isub__ = _operator("sub_", ops.Sub, _SUB, "self -= other: sub_ without alpha.", "__isub__")
    __imul__, __itruediv__ = mul_, div_

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

    def masked_fill_(self, mask, value):
        """self[mask] ← value, `mask` a bool tensor broadcast to self's shape, `value` a
        number or a 0-d tensor (which gets the sum of the gradient over the mask)."""
        m = raw(mask)
        if not isinstance(m, np.ndarray) or m.dtype != np.bool_:
            raise RuntimeTypeError(f"masked_fill_: the mask must be a bool tensor, got "
                                   f"{describe(mask)}")
        if not broadcasts_to(m.shape, self.shape):
            raise ValueError(f"masked_fill_: a mask of shape {m.shape} does not broadcast to "
                             f"the tensor's shape {self.shape}")
        if isinstance(value, TensorBase) and value.ndim != 0:
            raise ValueError(f"masked_fill_: the value must be a number or a 0-d tensor, got "
                             f"shape {value.shape}")
        if not isinstance(value, (TensorBase, numbers.Real)):
            raise TypeError(f"masked_fill_: the value must be a real number, got "
                            f"{describe(value)}")
        index = m if m.shape == self.shape else np.broadcast_to(m, self.shape)
        fn = ops.SetItem(index)
        return self._inplace("masked_fill_", fn, value, write=_masked(fn))

    def index_add_(self, dim, index, source, *, alpha=1):
        """self[..., index[i], ...] += alpha·source[..., i, ...] along `dim` (repeated indices
        add up); the gradient to source is the gradient at the indexed places."""
        axis, idx = _index_along("index_add_", self, dim, index)
        source = operand(source, "index_add_")
        if not isinstance(source, TensorBase) or source.dtype != self.dtype:
            raise RuntimeTypeError(f"index_add_: source must be a tensor of the dtype "
                                   f"{self.dtype} of self, got {describe(source)}")
        expected = self.shape[:axis] + (len(idx),) + self.shape[axis + 1:]
        if source.shape != expected and not (self.ndim == 0 and source.numel() == len(idx)):
            raise ValueError(f"index_add_: a source of shape {source.shape} does not fit "
                             f"{len(idx)} indices along dim {dim} of a tensor of shape "
                             f"{self.shape} (expected {expected})")
        place = (slice(None),) * axis + (idx,) if self.ndim else (idx,)
        added = apply(ops.ScatterAdd(place, self.shape or (1,)),
                      source.reshape(-1) if not self.ndim else source)
        added = added.reshape(self.shape) if not self.ndim else added
        return self._inplace("index_add_", ops.Add, _scaled(added, alpha, "index_add_"),
                             write=_ADD)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        """self[..., index[i, j], ...] ← src[i, j] along `dim` (index as many dims as self;
        `src` a tensor or a number, or `value=`); the gradient to src is the gradient at the
        places written, to self zero there."""
        if reduce is not None:
            raise ValueError("scatter_: reduce= is not supported; use index_add_ or "
                             "scatter_add to add values up")
        if (src is None) == (value is None):
            raise TypeError("scatter_: give exactly one of src (a tensor or a number) and value")
        src = value if src is None else src
        i = raw(index)
        if not isinstance(i, np.ndarray) or i.dtype.kind not in "iu":
            raise RuntimeTypeError(f"scatter_: index must be an int tensor, got {describe(index)}")
        axis = _axis("scatter_", dim, self.ndim)
        if i.ndim != self.ndim:
            raise ValueError(f"scatter_: index must have as many dims as self ({self.ndim}), "
                             f"got shape {i.shape}")
        if isinstance(src, TensorBase):
            if src.dtype != self.dtype:
                raise RuntimeTypeError(f"scatter_: src must have self's dtype {self.dtype}, "
                                       f"got {src.dtype}")
            bad = src.ndim != i.ndim or any(n > m for n, m in zip(i.shape, src.shape))
        else:
            real("scatter_", "value", src)
            bad = False
        if bad or any(n > m for d, (n, m) in enumerate(zip(i.shape, self.shape)) if d != axis):
            raise ValueError(f"scatter_: an index of shape {i.shape} must be no larger than "
                             f"self {self.shape} apart from dim {dim}, nor than src")
        size = self.shape[axis] if self.ndim else 1
        if i.size and (i.min() < 0 or i.max() >= size):
            raise IndexError(f"scatter_: index {i.min() if i.min() < 0 else i.max()} is out of "
                             f"bounds for dim {dim} of size {size}")
        # index arrays of every place of `index`, with `index` itself along dim
        place = tuple(i if d == axis else p for d, p in enumerate(np.ix_(*map(np.arange,
                                                                               i.shape))))
        if isinstance(src, TensorBase) and src.shape != i.shape:
            src = src[tuple(slice(n) for n in i.shape)]
        fn = ops.SetItem(place)
        return self._inplace("scatter_", fn, src, write=_masked(fn))

    # ------------------------------------------------------------ random fills
    # not differentiable: recorded, the gradient to the old value is zero (SetItem of all)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        """Fill with samples of N(mean, std²) (float tensors)."""
        _random_dtype("normal_", self)
        if real("normal_", "std", std) < 0:
            raise RuntimeValueError(f"normal_: std must be non-negative, got {std}")
        mean = real("normal_", "mean", mean)
        sample = numpy_generator("normal_", generator).normal(mean, std, self.shape)
        return self._inplace("normal_", ops.SetItem(...), sample.astype(self.dtype),
                             write=_fill)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        """Fill with samples of U[a, b) (float tensors); PyTorch's `from`, `to`."""
        _random_dtype("uniform_", self)
        if real("uniform_", "from", a) > real("uniform_", "to", b):
            raise RuntimeValueError(f"uniform_: needs from <= to, got from={a} > to={b}")
        sample = numpy_generator("uniform_", generator).uniform(a, b, self.shape)
        return self._inplace("uniform_", ops.SetItem(...), sample.astype(self.dtype),
                             write=_fill)

    def bernoulli_(self, p=0.5, *, generator=None):
        """Fill with 1 with probability p, else 0 (p a number or a tensor that broadcasts)."""
        prob = raw(p) if isinstance(p, TensorBase) else real("bernoulli_", "p", p)
        if not np.all((0 <= prob) & (prob <= 1)):
            raise RuntimeValueError(f"bernoulli_: p must lie in [0, 1], got {p}")
        if not broadcasts_to(np.shape(prob), self.shape):
            raise ValueError(f"bernoulli_: p of shape {np.shape(prob)} does not broadcast to "
                             f"{self.shape}")
        sample = numpy_generator("bernoulli_", generator).random(self.shape) < prob
        return self._inplace("bernoulli_", ops.SetItem(...), sample.astype(self.dtype),
                             write=_fill)

    # ------------------------------------------------------------ the graph

    def detach_(self):
        """Make self a leaf outside the graph (no grad_fn, not requiring grad); returns self."""
        if self.grad_fn is not None and type(self.grad_fn) in ops.VIEWS \
                and self._data.base is not None:
            raise RuntimeError("detach_: cannot detach a view in place; use detach() instead")
        self.grad_fn, self._requires_grad = None, False
        return self

    def _inplace(self, name: str, fn, *operands, write) -> TensorBase:
        """self ← fn(self, *operands) in self's memory, bumping its version.

        `fn` is the primitive, or its class when it takes no arguments: made only if the
        change is recorded. Unrecorded, `write(self._data, *operand arrays)` changes the
        memory directly.

        When gradients are recorded and something involved requires grad, the change joins
        the graph (`_recorded`).
        """
        # the operands' arrays, and whether something requires grad, in one loop
        needs, values = self._requires_grad, []
        for o in operands:
            if isinstance(o, TensorBase):
                needs = needs or o._requires_grad
                values.append(o._data)
            else:
                values.append(o)
        if needs and (not switched or state.grad_enabled):
            return _recorded(self, name, fn if isinstance(fn, ops.Function) else fn(), operands)
        try:
            write(self._data, *values)
        except (TypeError, ValueError, IndexError) as e:
            raise _refused(name, self, values, e) from None
        versions.bump(self._data, name)
        return self


def _recorded(t: TensorBase, name: str, fn: ops.Function, operands: tuple) -> TensorBase:
    """t ← fn(t, *operands) joining the graph, as in PyTorch: `fn` is applied to a copy of
    t's old value (kept for backward as `fn.replaced`) and t takes over the new node. When t
    is a view of a base tensor, the base takes over a CopySlices node instead (the old base
    with the view's region replaced by the new value), and t becomes that view of the new
    base. A leaf that requires grad (or a view of one) cannot be changed this way;
    optimizers change it under no_grad."""
    _check_writeable(name, t)
    base, chain = t, ()
    if t._data.base is not None:
        base, chain = _view_base(t, name)
    if base.grad_fn is None and base._requires_grad:
        raise RuntimeError(
            f"{name}: {'a view of ' if chain else ''}a leaf Variable that requires grad is "
            f"being used in an in-place operation. A leaf tensor that requires grad (shape "
            f"{base.shape}) cannot be changed in place while gradients are recorded; wrap "
            "the change in tg.no_grad(), or change a .clone() of it"
        )
    old = wrap(base._data.copy(order="K"), base.grad_fn)
    old._requires_grad = base._requires_grad
    old_self = ops.view_of(old, chain)
    # an operand that is t (`y += y`) is its old value too: else the new node would be its
    # own input
    new = apply(fn, old_self, *(old_self if o is t else o for o in operands))
    _write(name, t._data, new._data)
    versions.bump(t._data, name)
    if chain:  # recorded after the write: these nodes saw the new value
        new = apply(ops.CopySlices(chain), old, new)
        new.grad_fn.replaced = old
        base.grad_fn, base._requires_grad = new.grad_fn, True
        view = ops.view_of(base, chain)
        # t as its older consumers saw it: its old value and its own node, recorded before
        # them (old_self's nodes are newer, and the walk runs consumers first, by age)
        view.grad_fn.replaced = wrap(old_self._data, t.grad_fn)
        t.grad_fn, t._requires_grad = view.grad_fn, True
    else:
        new.grad_fn.seq = next(sequence)  # after the write: the node saw the new value
        new.grad_fn.replaced = old
        t.grad_fn, t._requires_grad = new.grad_fn, True
    return t


def _refused(name: str, t: TensorBase, values, e: Exception) -> Exception:
    """The error to raise when numpy refused `t`'s in-place write of `values`: PyTorch's
    RuntimeError for a result the tensor's dtype cannot hold or a shape that does not fit,
    ValueError for a read-only broadcast view."""
    _check_writeable(name, t)
    shapes = ", ".join(str(np.shape(v)) for v in (t._data, *values))
    kind = (RuntimeTypeError if isinstance(e, TypeError) else
            RuntimeValueError if isinstance(e, ValueError) else builtin_error(e))
    return kind(f"{name}: {e} (shapes {shapes})")


def _check_writeable(name: str, t: TensorBase) -> None:
    if not t._data.flags.writeable:  # (from None: numpy's refusal, if any, says no more)
        raise ValueError(f"{name}: the tensor (shape {t.shape}) is a read-only "
                         "broadcast view; change a .clone() of it") from None


def _scaled(other, alpha, op: str):
    """alpha·other for add_ and sub_ (other itself when alpha is 1)."""
    other = operand(other, op)
    if type(alpha) is int and alpha == 1:  # the usual case, without the slower check below
        return other
    if type(alpha) is not float and not isinstance(alpha, numbers.Real):  # a float: no ABC check
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


def _power(dest, exponent):
    """dest ← dest ** exponent by the ufunc itself, not `**=` as the other writers (`_ADD`):
    numpy 1.x's `**=` takes shortcuts (sqrt for 0.5) that differ from power at −0 and −inf."""
    np.power(dest, exponent, out=dest)


def _fill(dest, value):
    dest[...] = value


def _masked(op: ops.SetItem):
    """The writer of an in-place SetItem: dest[op.index] ← value."""
    return lambda dest, value: op.assign(dest, value)


def _one_value_in_place(op: type):
    """`x.<name>_()`: x ← op(x) in x's memory, for a function of one value (exp_, sqrt_, ...);
    as in PyTorch, a floating function cannot write into an int tensor."""
    name = op.__name__.lower() + "_"

    def method(self):
        if op.floating and self.dtype.kind != "f":
            raise RuntimeTypeError(f"{name}: its float result cannot be written into a tensor "
                                   f"of dtype {self.dtype}; use {name[:-1]}() or convert first")
        fn = op()
        return self._inplace(name, fn, write=lambda dest: _write(name, dest, fn.forward(dest)))

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"self ← {name[:-1]}(self), in self's memory."
    return method


for _op in ONE_VALUE:
    setattr(InPlace, _op.__name__.lower() + "_", _one_value_in_place(_op))
del _op


def _random_dtype(name: str, t: TensorBase) -> None:
    if t.dtype.kind != "f":
        raise UnsupportedDtypeError(f"{name}: defined for float tensors only, got dtype {t.dtype}")


def _axis(name: str, dim, ndim: int) -> int:
    """`dim` checked and made non-negative (0 for a 0-d tensor, which accepts 0 and -1)."""
    axes = arguments_dim(name, dim, ndim)
    return axes[0] if axes else 0


def _index_along(name: str, t: TensorBase, dim, index) -> tuple:
    """(axis, index array): `dim` checked against t, `index` a 1-D int tensor in range."""
    axis = _axis(name, dim, t.ndim)
    i = raw(index)
    if not isinstance(i, np.ndarray) or i.dtype.kind not in "iu":
        raise RuntimeTypeError(f"{name}: index must be an int tensor, got {describe(index)}")
    if i.ndim > 1:
        raise IndexError(f"{name}: index must be a vector, got shape {i.shape}")
    size = t.shape[axis] if t.ndim else 1
    if i.size and (i.min() < 0 or i.max() >= size):
        raise IndexError(f"{name}: index out of range: {i.min() if i.min() < 0 else i.max()} "
                         f"along dim {dim} of size {size}")
    return axis, i.reshape(-1)


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
        if fn.saved is None:
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
