"""Tensor: an ndarray that records the operations applied to it, for reverse-mode autodiff.

Primitives live in `ops.py`; the composite operations (mean, var, softmax, logsumexp, ...)
are short methods here, built from the primitives, so their gradients come for free.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Sequence

import numpy as np

from . import arguments, dtypes, ops
from .arguments import (
    broadcasts_to,
    builtin_error,
    check_nonempty,
    describe,
    reduced_shape,
    reduction_args,
    shape_arg,
    supported,
    to_array,
)

_new = object.__new__


class Tensor:
    """A numpy array with an autograd history.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ("_data", "_grad", "grad_fn", "_requires_grad", "__weakref__")
    __array_priority__ = 1000  # numpy defers mixed operators to Tensor

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data._data  # copied by to_array, as PyTorch's torch.tensor(t) copies
        self._data = to_array(data, dtype)
        self._grad = None
        self.grad_fn = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _wrap(data: np.ndarray, grad_fn=None) -> Tensor:
        """Make a Tensor around an ndarray without copying or checking (the internal path)."""
        t = _new(Tensor)
        t._data = data
        t._grad = None
        t.grad_fn = grad_fn
        t._requires_grad = grad_fn is not None
        return t

    def apply_op(self, fn: ops.Function, *others) -> Tensor:
        """Apply the primitive `fn` to (self, *others): used by rules that build other ops."""
        return apply(fn, self, *others)

    # ------------------------------------------------------------ attributes

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def size(self, dim: int | None = None):
        """The shape (a tuple), or the length of one dimension."""
        if dim is None:
            return self._data.shape
        axes = arguments.dim("size", dim, self.ndim)
        if not axes:
            raise IndexError(f"size: dim {dim} given, but a 0-d tensor has no dimensions")
        return self._data.shape[axes[0]]

    def numel(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by `backward` (None until then): same shape and dtype."""
        return self._grad

    @grad.setter
    def grad(self, g) -> None:
        if g is not None:
            if not isinstance(g, Tensor):
                raise TypeError(f"grad: the assigned grad must be a Tensor or None, "
                                f"got {type(g).__name__}")
            if g._data.shape != self._data.shape:
                raise RuntimeError(f"grad: cannot assign a gradient of shape {g.shape} to a "
                                   f"tensor of shape {self.shape}; they must be the same")
            if g._data.dtype != self._data.dtype:
                raise RuntimeError(f"grad: cannot assign a gradient of dtype {g.dtype} to a "
                                   f"tensor of dtype {self.dtype}; they must be the same")
        self._grad = g

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording operations on this leaf; returns self."""
        flag = bool(requires_grad)
        if self.grad_fn is not None:
            if not flag:
                raise RuntimeError(
                    "requires_grad_: only leaf tensors can change requires_grad; "
                    "use .detach() to get a tensor outside the graph"
                )
            return self
        if flag and not dtypes.is_float(self._data.dtype):
            raise RuntimeError(
                f"requires_grad_: only floating point tensors can require gradients, "
                f"got dtype {self._data.dtype}"
            )
        self._requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def numpy(self) -> np.ndarray:
        """The value as an ndarray (shares memory, carries no graph)."""
        return self._data

    @property
    def data(self) -> Tensor:
        """As PyTorch's `.data`: a Tensor sharing this tensor's memory, outside the graph.
        Changing it (`p.data -= lr * p.grad.data`) bypasses autograd."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        """`t.data = other` makes `t` use `other`'s memory (any shape), as in PyTorch."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {describe(value)}; "
                            "wrap an array with tg.tensor(...)")
        if self._requires_grad and not dtypes.is_float(value.dtype):
            raise RuntimeError(f"data: this tensor requires grad, so its data must be floating "
                               f"point, got dtype {value.dtype}")
        self._data = value._data

    def tolist(self):
        return self._data.tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item: only one-element tensors can be converted to a Python number, "
                f"got shape {self.shape}"
            )
        return self._data.item()

    def __array__(self, dtype=None, copy=None):
        """The values for numpy (`np.asarray(t)`); refused, as in PyTorch, for a tensor that
        requires grad, whose gradient numpy would silently drop."""
        if self._requires_grad:
            raise RuntimeError(
                f"np.asarray: cannot turn a tensor that requires grad (shape {self.shape}) "
                "into an ndarray, numpy would drop its gradient; use t.detach() for the values"
            )
        if dtype is None:
            return self._data
        return self._data.astype(dtype)

    def detach(self) -> Tensor:
        """The same values (shared memory) outside the graph."""
        return Tensor._wrap(self._data)

    def clone(self) -> Tensor:
        """A copy with its own memory that stays in the graph (gradient 1)."""
        return apply1(ops.Clone(), self)

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (shared with its views)."""
        return versions.version(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous"
            )
        return bool(self._data)

    __hash__ = object.__hash__  # identity: Tensors are graph nodes; == is elementwise

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def __format__(self, spec: str) -> str:
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    # ------------------------------------------------------------ autograd

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate ∂self/∂leaf into every leaf's `.grad`.

        `gradient` (∂L/∂self) is required unless self has one element. The graph's saved
        buffers are freed afterwards unless `retain_graph` (default: `create_graph`).
        """
        engine.backward(self, gradient, retain_graph, create_graph)

    # ------------------------------------------------------------ dtype

    def to(self, dtype) -> Tensor:
        """A copy in another dtype; float-to-float casts keep the graph."""
        d = dtypes.as_dtype(dtype, "to")
        if d == self.dtype:
            return self
        if dtypes.is_float(d) and dtypes.is_float(self.dtype):
            return apply(ops.Cast(d), self)
        return Tensor._wrap(self._data.astype(d))

    astype = to

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other):
        return binary(ops.Add(), self, other, "add")

    def __radd__(self, other):
        return binary(ops.Add(), other, self, "add")

    def __sub__(self, other):
        return binary(ops.Sub(), self, other, "sub")

    def __rsub__(self, other):
        return binary(ops.Sub(), other, self, "sub")

    def __mul__(self, other):
        return binary(ops.Mul(), self, other, "mul")

    def __rmul__(self, other):
        return binary(ops.Mul(), other, self, "mul")

    def __truediv__(self, other):
        return binary(ops.Div(), self, other, "div")

    def __rtruediv__(self, other):
        return binary(ops.Div(), other, self, "div")

    def __pow__(self, other):
        return binary(ops.Pow(), self, other, "pow")

    def __rpow__(self, other):
        return binary(ops.Pow(), other, self, "pow")

    def __neg__(self):
        return apply1(ops.Neg(), self)

    # PyTorch's named forms of the operators
    add, sub, mul, div, pow = __add__, __sub__, __mul__, __truediv__, __pow__
    neg = __neg__

    def matmul(self, other):
        return matmul(self, other)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    # comparisons give bool tensors outside the graph
    def __lt__(self, other):
        return _compare(np.less, self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    def __eq__(self, other):
        return _compare(np.equal, self, other)

    def __ne__(self, other):
        return _compare(np.not_equal, self, other)

    def __and__(self, other):
        return _compare(np.logical_and, self, other)

    def __or__(self, other):
        return _compare(np.logical_or, self, other)

    def __invert__(self):
        if self.dtype != dtypes.bool_:
            raise TypeError(f"invert: only bool tensors can be inverted, got {self.dtype}")
        return Tensor._wrap(~self._data)

    # ------------------------------------------------------------ elementwise

    def exp(self):
        return apply_float(ops.Exp(), self)

    def log(self):
        return apply_float(ops.Log(), self)

    def sqrt(self):
        return apply_float(ops.Sqrt(), self)

    def abs(self):
        return apply1(ops.Abs(), self)

    def tanh(self):
        return apply_float(ops.Tanh(), self)

    def sigmoid(self):
        return apply_float(ops.Sigmoid(), self)

    def softplus(self):
        """ln(1 + eˣ), stable for any finite x."""
        return apply_float(ops.Softplus(), self)

    def relu(self):
        return apply1(ops.Relu(), self)

    def sin(self):
        return apply_float(ops.Sin(), self)

    def cos(self):
        return apply_float(ops.Cos(), self)

    def clamp(self, min=None, max=None):
        """Limit every element to [min, max] (numbers or tensors, which broadcast; max where
        min > max); the gradient passes to x where min ≤ x ≤ max, else to the active bound."""
        _check_clamp("clamp", min, max)
        x = self
        if self._data.dtype.kind != "f" and any(_is_float(b) for b in (min, max)):
            x = Tensor._wrap(self._data.astype(dtypes.get_default_dtype()))  # as PyTorch
        if isinstance(min, Tensor):  # PyTorch's promotion over x and the tensor bounds
            x, min = _promote(x, min)
        if isinstance(max, Tensor):
            x, max = _promote(x, max)
            min = _cast(min, x.dtype) if isinstance(min, Tensor) else min
        return apply(ops.Clamp(), x, min, max)

    clip = clamp

    def maximum(self, other):
        return maximum(self, other)

    def minimum(self, other):
        return minimum(self, other)

    def where(self, condition, other):
        """`self` where `condition` holds, else `other` (PyTorch's Tensor.where)."""
        return where(condition, self, other)

    # ------------------------------------------------------------ reductions

    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Σ over `dim`; with `dtype`, x is cast to it first (the gradient is cast back)."""
        dim, keepdim = reduction_args("sum", self.ndim, dim, keepdim, axis, keepdims)
        x = self if dtype is None else self.to(dtypes.as_dtype(dtype, "sum"))
        return apply(ops.Sum(dim, keepdim), x)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        """Σ / n over `dim`; with `dtype`, x is cast to it first (the gradient is cast back)."""
        dim, keepdim = reduction_args("mean", self.ndim, dim, keepdim, axis, keepdims)
        x = self._floating() if dtype is None else self.to(dtypes.as_dtype(dtype, "mean"))
        return apply(ops.Mean(dim, keepdim), x)

    def var(self, dim=None, keepdim=False, *, correction=1, unbiased=None, axis=None,
            keepdims=None):
        """Σ (x − mean)² / (n − correction); `correction=1` (the default) is unbiased."""
        return self._spread(ops.Var, "var", dim, keepdim, correction, unbiased, axis, keepdims)

    def std(self, dim=None, keepdim=False, *, correction=1, unbiased=None, axis=None,
            keepdims=None):
        """√var, with the same arguments as `var`; its gradient is 0 where every x is equal."""
        return self._spread(ops.Std, "std", dim, keepdim, correction, unbiased, axis, keepdims)

    def _spread(self, op, name, dim, keepdim, correction, unbiased, axis, keepdims):
        dim, keepdim = reduction_args(name, self.ndim, dim, keepdim, axis, keepdims)
        if unbiased is not None:
            correction = int(bool(unbiased))
        if not isinstance(correction, numbers.Real):
            raise TypeError(f"{name}: correction must be a number, got {correction!r}")
        return apply(op(dim, keepdim, correction), self._floating())

    def _floating(self) -> Tensor:
        """self, or its values in the default dtype if they are integers or bools."""
        return self if self._data.dtype.kind == "f" else self.to(dtypes.get_default_dtype())

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Largest value over `dim`; ties share the gradient evenly."""
        dim, keepdim = reduction_args("amax", self.ndim, dim, keepdim, axis, keepdims)
        check_nonempty("amax", self.shape, dim)
        return apply(ops.Max(dim, keepdim), self)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Smallest value over `dim`; ties share the gradient evenly."""
        dim, keepdim = reduction_args("amin", self.ndim, dim, keepdim, axis, keepdims)
        check_nonempty("amin", self.shape, dim)
        return apply(ops.Min(dim, keepdim), self)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """`amax`, or `maximum(self, other)` when given a tensor (as `torch.max(a, b)`)."""
        if isinstance(dim, Tensor):
            return maximum(self, dim)
        return self.amax(dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """`amin`, or `minimum(self, other)` when given a tensor (as `torch.min(a, b)`)."""
        if isinstance(dim, Tensor):
            return minimum(self, dim)
        return self.amin(dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim=False):
        """Index of the largest value (over the flattened tensor when `dim` is None)."""
        return self._arg(np.argmax, "argmax", dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """Index of the smallest value (over the flattened tensor when `dim` is None)."""
        return self._arg(np.argmin, "argmin", dim, keepdim)

    def _arg(self, fn, name, dim, keepdim):
        axes = None if dim is None else arguments.dim(name, dim, self.ndim)
        check_nonempty(name, self.shape, axes or None)
        if not axes:  # no dim, or a 0-d tensor
            return Tensor._wrap(np.asarray(fn(self._data)))
        return Tensor._wrap(np.asarray(fn(self._data, axis=axes[0], keepdims=keepdim)))

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """ln Σ eˣ over `dim`, computed as m + ln Σ e^(x − m) with m the maximum (no overflow)."""
        dim, keepdim = reduction_args("logsumexp", self.ndim, dim, keepdim, axis, keepdims)
        shifted, m = _shift_by_max(self, dim)
        out = apply(ops.Sum(dim, True), shifted.exp()).log() + m
        return out if keepdim else out.reshape(reduced_shape(self.shape, dim))

    def softmax(self, dim):
        """e^(xᵢ) / Σⱼ e^(xⱼ) along `dim`, shifted by the maximum for stability."""
        axes = arguments.dim("softmax", dim, self.ndim)
        e = _shift_by_max(self, axes)[0].exp()
        return e / apply(ops.Sum(axes, True), e)

    def log_softmax(self, dim):
        """xᵢ − logsumexp(x) along `dim`, as (xᵢ − m) − ln Σⱼ e^(xⱼ − m) with m the maximum:
        subtracting after the shift keeps full precision when |m| is large."""
        axes = arguments.dim("log_softmax", dim, self.ndim)
        shifted = _shift_by_max(self, axes)[0]
        return shifted - apply(ops.Sum(axes, True), shifted.exp()).log()

    # ------------------------------------------------------------ shape

    def reshape(self, *shape):
        shape = shape_arg("reshape", shape)
        if shape == self.shape:
            return self
        return apply(ops.Reshape(shape), self)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge dimensions start_dim..end_dim into one."""
        start, end = arguments.dims("flatten", (start_dim, end_dim), self.ndim, unique=False)
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        merged = math.prod(shape[start:end + 1])
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def permute(self, *dims):
        dims = shape_arg("permute", dims)
        axes = arguments.dims("permute", dims, self.ndim)
        if len(axes) != self.ndim:
            raise ValueError(
                f"permute: expected {self.ndim} dims for a tensor of shape {self.shape}, "
                f"got {dims}"
            )
        return apply(ops.Permute(axes), self)

    def transpose(self, dim0: int, dim1: int):
        """Swap two dimensions."""
        d0, d1 = arguments.dims("transpose", (dim0, dim1), self.ndim, unique=False)
        axes = list(range(self.ndim))
        if axes:  # a 0-d tensor accepts dims 0 and -1 and has nothing to swap
            axes[d0], axes[d1] = d1, d0
        return apply(ops.Permute(tuple(axes)), self)

    swapaxes = transpose

    @property
    def T(self):
        """All dimensions reversed (the matrix transpose for a 2-D tensor)."""
        return apply(ops.Permute(tuple(range(self.ndim))[::-1]), self)

    def unsqueeze(self, dim: int):
        """Insert a size-1 dimension at `dim` (in [-ndim-1, ndim])."""
        (d,) = arguments.dim("unsqueeze", dim, self.ndim, new_axis=True)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim=None):
        """Remove size-1 dimensions (only those in `dim`, when given)."""
        axes = range(self.ndim) if dim is None else arguments.dims("squeeze", dim, self.ndim)
        drop = {d for d in axes if d < self.ndim and self.shape[d] == 1}  # 0-d accepts dim 0
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in drop))

    def expand(self, *shape):
        """Broadcast to `shape` (-1 keeps a size) without copying."""
        shape = shape_arg("expand", shape)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand shape {self.shape} to {shape}")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n
                      for i, n in enumerate(shape))
        if shape == self.shape:
            return self
        return apply(ops.Expand(shape), self)

    def __getitem__(self, index):
        return apply(ops.GetItem(_index(index)), self)

    # ------------------------------------------------------------ in place

    def add_(self, other, *, alpha=1):
        """self ← self + alpha·other, in self's memory."""
        return self._inplace("add_", ops.Add(), _scaled(other, alpha, "add_"), write=_ADD)

    def sub_(self, other, *, alpha=1):
        """self ← self − alpha·other, in self's memory."""
        return self._inplace("sub_", ops.Sub(), _scaled(other, alpha, "sub_"), write=_SUB)

    def mul_(self, other):
        """self ← self · other, in self's memory."""
        return self._inplace("mul_", ops.Mul(), _operand(other, "mul_"), write=_MUL)

    def div_(self, other):
        """self ← self / other, in self's memory."""
        return self._inplace("div_", ops.Div(), _operand(other, "div_"), write=_DIV)

    def clamp_(self, min=None, max=None):
        """self ← clamp(self, min, max), in self's memory."""
        _check_clamp("clamp_", min, max)
        return self._inplace("clamp_", ops.Clamp(), min, max,
                             write=lambda dest, lo, hi: np.clip(dest, lo, hi, out=dest))

    clip_ = clamp_

    # `t += x` changes t in place, as in PyTorch, so `w -= lr * w.grad` under no_grad
    # updates the parameter itself instead of binding w to a new tensor outside the model
    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def __setitem__(self, index, value):
        """self[index] = value, in self's memory (value broadcast, cast to self's dtype)."""
        index = _index(index)
        if isinstance(value, Tensor) and value._data.base is not None \
                and _same_memory(value._data, ops.select(self._data, index)):
            return  # `y[i] += v` ends with y[i] = (y[i] after +=): nothing left to change

        def write(dest, v):
            view, i = ops.place(dest, index)
            view[i] = v

        self._inplace("setitem", ops.SetItem(index), _operand(value, "setitem"), write=write)

    def copy_(self, src):
        """self ← src (broadcast to self's shape, cast to self's dtype)."""
        src = _operand(src, "copy_")
        if not broadcasts_to(np.shape(_raw(src)), self.shape):
            raise ValueError(f"copy_: cannot copy a source of shape {np.shape(_raw(src))} "
                             f"into a tensor of shape {self.shape}")
        return self._inplace("copy_", ops.SetItem(...), src, write=_fill)

    def fill_(self, value):
        """Set every element to `value` (a number or a one-element tensor)."""
        if isinstance(value, Tensor) and value.numel() != 1:
            raise ValueError(f"fill_: the value must have one element, got shape {value.shape}")
        if not isinstance(value, (Tensor, numbers.Real)):
            raise TypeError(f"fill_: the value must be a real number, got {describe(value)}")
        return self._inplace("fill_", ops.SetItem(...), value, write=_fill)

    def zero_(self):
        """Set every element to 0."""
        return self.fill_(0)

    def _inplace(self, name: str, fn: ops.Function, *operands, write) -> Tensor:
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
            isinstance(o, Tensor) and o._requires_grad for o in operands))
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
            old = Tensor._wrap(base._data.copy(order="K"), base.grad_fn)
            old._requires_grad = base._requires_grad
            old_self = ops.view_of(old, chain)
            # an operand that is self (`y += y`) is its old value too: else the new node
            # would be its own input
            new = apply(fn, old_self, *(old_self if o is self else o for o in operands))
            _write(name, self._data, new._data)
        else:
            raws = [o._data if isinstance(o, Tensor) else o for o in operands]
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

    # ------------------------------------------------------------ numpy protocols

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Lets `np.exp(t)`, `ndarray * t`, `np.square(t)`, ... record like `t.exp()`,
        `t * ndarray`, `t * t`; any other ufunc call works on the values (`_on_values`)."""
        if method == "__call__" and not kwargs:
            op = ops.UFUNC_OPS.get(ufunc)
            if op is not None:
                if len(inputs) == 2:  # PyTorch's promotion, so `ndarray * t` is `t * ndarray`
                    return binary(op(), *inputs, ufunc.__name__)
                x = inputs[0]  # the tensor (numpy asks us, so it is one)
                return (apply_float if ufunc in _FLOAT_UFUNCS else apply1)(op(), x)
            composite = _UFUNC_COMPOSITES.get(ufunc)
            if composite is not None:
                return composite(*inputs)
            if ufunc in _UFUNCS_WITHOUT_GRADIENT:
                args = [_raw(_operand(i, ufunc.__name__)) for i in inputs]
                try:
                    return Tensor._wrap(np.asarray(ufunc(*args)))
                except (ValueError, TypeError) as e:
                    raise builtin_error(e)(f"{ufunc.__name__}: {e}") from None
                except OverflowError as e:
                    raise ValueError(f"{ufunc.__name__}: {e}") from None
        name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        return _on_values(name, getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """Lets `np.sum(t)`, `np.linalg.norm(t)`, ... record (see `_ARRAY_FUNCTIONS`); a
        function or arguments we cannot express work on the values (`_on_values`)."""
        impl = _ARRAY_FUNCTIONS.get(func)
        if impl is not None:
            try:
                out = impl(*args, **kwargs)
            except TypeError:
                if _binds(impl, args, kwargs):
                    raise  # a real error of the operation, not an argument we lack
                out = NotImplemented
            if out is not NotImplemented:
                return out
        if func in _ARRAY_FUNCTIONS_WITHOUT_GRADIENT:  # values with no gradient to lose
            return func(*_raw_nested(args), **_raw_nested(kwargs))
        name = func.__module__.replace("numpy", "np", 1) + "." + func.__name__
        return _on_values(name, func, args, kwargs)


def _on_values(name: str, func, args, kwargs):
    """`func` on the arrays inside `args` and `kwargs`, returning what numpy returns, as for a
    PyTorch tensor; refused when a tensor requires grad, whose gradient would be lost."""
    if _requires_grad_in(args) or _requires_grad_in(kwargs):
        raise TypeError(
            f"{name}: numpy would work on the values of a tensor that requires grad and drop "
            "its gradient; use tinygrad_edu's operations (tensor methods such as sum, amax, "
            f"var, matmul, exp), or call {name} on t.detach() for a value outside the graph"
        )
    return func(*_raw_nested(args), **_raw_nested(kwargs))


def _requires_grad_in(obj) -> bool:
    """Whether a tensor inside `obj` (nested lists, tuples, dicts) requires grad."""
    if isinstance(obj, Tensor):
        return obj._requires_grad
    if isinstance(obj, (list, tuple)):
        return any(map(_requires_grad_in, obj))
    if isinstance(obj, dict):
        return any(map(_requires_grad_in, obj.values()))
    return False


def _binds(fn, args, kwargs) -> bool:
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


# ---------------------------------------------------------------- applying a primitive


def apply(fn: ops.Function, *args) -> Tensor:
    """Run `fn.forward` on the inputs' arrays; record `fn` when some input needs a gradient.

    `args` are Tensors or constants (Python numbers, ndarrays); constants take no gradient.
    """
    datas, needs = [], []
    for a in args:
        if isinstance(a, Tensor):
            datas.append(a._data)
            needs.append(a._requires_grad)
        else:
            datas.append(a)
            needs.append(False)
    return _run(fn, args, tuple(datas), tuple(needs))


def _run(fn: ops.Function, args: tuple, datas: tuple, needs: tuple) -> Tensor:
    """`apply` once the inputs are split into their arrays and requires_grad flags; binary
    operators and elementwise methods, the hot path, make these tuples directly.

    The node keeps the tuples as they are, and no more of them than it needs: `datas` only
    when its rule reads input values, and the hot paths pass a shared constant as `needs`
    (`_ONE_NEEDS`, ...). Each object a node allocates brings the garbage collector's next
    pass nearer, and in a deep graph each full pass walks every node recorded so far."""
    try:
        out = fn.forward(*datas)
    except (ValueError, IndexError, TypeError) as e:
        shapes = ", ".join(str(np.shape(d)) for d in datas)
        raise builtin_error(e)(
            f"{type(fn).__name__.lower()}: {e} (input shapes {shapes})") from None
    except OverflowError as e:  # a Python int beyond the range of an int tensor's dtype
        raise ValueError(f"{type(fn).__name__.lower()}: {e}") from None
    if type(out) is not np.ndarray:
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
    else:
        t.grad_fn = None
        t._requires_grad = False
    return t


_ONE_NEEDS = ((False,), (True,))  # needs_input_grad of (x,), indexed by x.requires_grad
_FIRST_NEEDS = ((False, False), (True, False))  # of (x, constant), likewise
_BOTH_NEEDS = (((False, False), (False, True)), ((True, False), (True, True)))  # of (x, y)


def apply1(fn: ops.Function, x: Tensor) -> Tensor:
    """`apply(fn, x)` for one tensor input, without the loop."""
    return _run(fn, (x,), (x._data,), _ONE_NEEDS[x._requires_grad])


def apply_float(fn: ops.Function, x: Tensor) -> Tensor:
    """`apply1` for a floating function (exp, sin, ...): as in PyTorch, an int or bool
    tensor is first converted to the default float dtype (numpy would give float64, or
    float16 for int8 and bool)."""
    if x._data.dtype.kind != "f":  # ints cannot require grad: a plain conversion
        x = Tensor._wrap(x._data.astype(dtypes.get_default_dtype()))
    return _run(fn, (x,), (x._data,), _ONE_NEEDS[x._requires_grad])


# ---------------------------------------------------------------- functions (f)


def _unary(name):
    def f(x):
        return getattr(_as_tensor(x, name), name)()

    f.__name__ = name
    f.__doc__ = f"Elementwise {name}: `tg.{name}(x)` is `x.{name}()`."
    return f


exp, log, sqrt, abs, tanh = (_unary(n) for n in ("exp", "log", "sqrt", "abs", "tanh"))
sigmoid, relu, sin, cos = (_unary(n) for n in ("sigmoid", "relu", "sin", "cos"))


def matmul(x, y) -> Tensor:
    """Matrix product with numpy's rules for 1-D, 2-D and batched operands."""
    return binary(ops.MatMul(), x, y, "matmul")


def maximum(x, y) -> Tensor:
    """Elementwise maximum; at ties each side gets half of the gradient."""
    return binary(ops.Maximum(), x, y, "maximum")


def minimum(x, y) -> Tensor:
    """Elementwise minimum; at ties each side gets half of the gradient."""
    return binary(ops.Minimum(), x, y, "minimum")


def where(condition, x, y) -> Tensor:
    """Elementwise `x` where `condition` is true, else `y`; `condition` must be bool."""
    cond = _raw(condition)
    cond = to_array(cond, None, "where") if isinstance(cond, (list, tuple, bool)) else cond
    if not isinstance(cond, np.ndarray) or cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got {describe(condition)}")
    return apply(ops.Where(), cond, *_promote(_operand(x, "where"), _operand(y, "where")))


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    ts = _tensor_list("cat", tensors)
    if ts[0].ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    (axis,) = arguments.dim("cat", dim, ts[0].ndim)
    return apply(ops.Cat(axis), *ts)


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    ts = _tensor_list("stack", tensors)
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    (axis,) = arguments.dim("stack", dim, ts[0].ndim, new_axis=True)
    return apply(ops.Cat(axis), *(t.unsqueeze(axis) for t in ts))


# ---------------------------------------------------------------- helpers


def _operand(x, op: str):
    """A Tensor stays as it is; numbers and arrays of a supported dtype become constants
    (lists become arrays)."""
    if type(x) in _PLAIN_OPERANDS:  # the common cases, without the slower checks below
        return x
    if type(x) is np.ndarray:
        return supported(x, op)
    if isinstance(x, Tensor) or (isinstance(x, (int, float)) and not isinstance(x, np.generic)):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return supported(x, op)
    if isinstance(x, (list, tuple)):
        return to_array(x, None, op)
    raise TypeError(f"{op}: unsupported operand {describe(x)}")


def binary(fn: ops.Function, x, y, op: str) -> Tensor:
    """Apply a two-input primitive with PyTorch's promotion (see `_promote`)."""
    if type(x) is Tensor and x._data.dtype.kind == "f":  # the common cases need no checks:
        ty = type(y)  # a float tensor with a number, or with a tensor or array of its dtype
        if ty in _SCALARS or (ty is np.ndarray and y.dtype is x._data.dtype):
            return _run(fn, (x, y), (x._data, y), _FIRST_NEEDS[x._requires_grad])
        if ty is Tensor and y._data.dtype is x._data.dtype:
            return _run(fn, (x, y), (x._data, y._data),
                        _BOTH_NEEDS[x._requires_grad][y._requires_grad])
    return apply(fn, *_promote(_operand(x, op), _operand(y, op), floating=type(fn) is ops.Div))


def _promote(x, y, floating: bool = False) -> tuple:
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
    return _cast(x, target), _cast(y, target)


def _cast(v, dtype):
    """An operand in `dtype`: a tensor that requires grad through the graph (`to`), other
    tensors, arrays and numpy scalars as plain copies; Python numbers stay as they are."""
    if isinstance(v, Tensor):
        if v.dtype == dtype:
            return v
        return v.to(dtype) if v.requires_grad else Tensor._wrap(v._data.astype(dtype))
    if isinstance(v, (np.ndarray, np.generic)) and v.dtype != dtype:
        return v.astype(dtype)
    return v


def _as_tensor(x, op: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (numbers.Number, np.ndarray, np.generic, list, tuple)):
        return Tensor._wrap(to_array(x, None, op))
    raise TypeError(f"{op}: expected a tensor, got {describe(x)}")


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _raw_nested(x):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_raw_nested(i) for i in x)
    if isinstance(x, dict):
        return {k: _raw_nested(v) for k, v in x.items()}
    return x


def _check_clamp(op: str, lo, hi) -> None:
    if lo is None and hi is None:
        raise ValueError(f"{op}: at least one of min and max must be given")
    for bound in (lo, hi):
        if bound is None or isinstance(bound, Tensor) or (
                isinstance(bound, (int, float)) and not isinstance(bound, np.generic)):
            continue
        # numpy scalars of a tensor dtype only: a Fraction or a float128 would change the dtype
        if not (isinstance(bound, np.generic) and bound.dtype in dtypes.SUPPORTED_SET):
            raise TypeError(f"{op}: bounds must be real numbers, got {bound!r}")


def _is_float(v) -> bool:
    return isinstance(v, float) or (isinstance(v, np.generic) and v.dtype.kind == "f")


def _scaled(other, alpha, op: str):
    """alpha·other for add_ and sub_ (other itself when alpha is 1)."""
    other = _operand(other, op)
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


def _view_base(t: Tensor, name: str) -> tuple:
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


def _compare(ufunc, x, y) -> Tensor:
    y = _operand(y, ufunc.__name__) if not isinstance(y, Tensor) else y
    try:
        return Tensor._wrap(np.asarray(ufunc(_raw(x), _raw(y))))
    except (ValueError, TypeError) as e:
        raise builtin_error(e)(f"{ufunc.__name__}: {e} (shapes {np.shape(_raw(x))}, "
                      f"{np.shape(_raw(y))})") from None
    except OverflowError as e:  # a Python int beyond the range of the tensor's dtype
        raise ValueError(f"{ufunc.__name__}: {e}") from None


def _shift_by_max(t: Tensor, axes):
    """(t − m, m) with m the maximum over `axes` (kept), a constant, and 0 where not finite;
    m is float (the default dtype for int or bool t), so bool t can be shifted too."""
    d = t.dtype if dtypes.is_float(t.dtype) else dtypes.get_default_dtype()
    if t._data.size == 0:
        m = np.zeros(ops.keepdim_shape(t.shape, axes), d)
    else:
        m = np.amax(t._data, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(d, copy=False)
    return t - m, m



def _index(index):
    """An index with its Tensors, arrays and lists turned into ndarrays holding ints or bools.

    As in PyTorch, an array or a list is copied, so later changes to it cannot move a
    gradient, while a tensor's array is kept, and the backward pass refuses it if it was
    changed in place since (`ops.Function.kept`). A 0-d int tensor is an int. Ints mixed with
    advanced indices (arrays, bools) make an `ops.Split`: PyTorch's order of dimensions.
    """
    if not isinstance(index, tuple):
        return index if type(index) is ops.Split else _index_item(index)
    items = tuple(_index_item(i) for i in index)
    if not (any(map(_is_int, items)) and any(map(_is_advanced, items))):
        return items
    ints, rest = [], []
    for i in items:
        if _is_int(i):
            ints.append(i)
        elif i is None or _is_advanced(i) and np.ndim(i) == 0:  # bool scalars add a dim
            rest.append(i)
        else:  # a slice, an int array, a mask (over its ndim dims) or the ellipsis
            taken = np.ndim(i) if _is_advanced(i) and i.dtype == np.bool_ else 1
            ints.extend([i] if i is Ellipsis else [slice(None)] * taken)
            rest.append(i)
    if Ellipsis not in ints:
        ints.append(Ellipsis)  # so the first step is a view even when it takes every dim
    return ops.Split(tuple(ints), tuple(rest))


def _is_int(i) -> bool:
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def _is_advanced(i) -> bool:
    return isinstance(i, (np.ndarray, bool, np.bool_))


def _index_item(i):
    if isinstance(i, Tensor):
        i = i._data
    elif isinstance(i, np.ndarray):
        i = i.copy()
    elif isinstance(i, list):
        try:
            i = np.asarray(i)
        except ValueError as e:
            raise IndexError(f"getitem: a list index must be rectangular ({e})") from None
        if i.size == 0:  # [] selects nothing, as in numpy and PyTorch
            i = i.astype(np.intp)
    if isinstance(i, np.ndarray):
        if i.dtype.kind not in "iub":
            raise IndexError(f"getitem: index arrays must hold ints or bools, got {i.dtype}")
        if i.ndim == 0 and i.dtype.kind != "b":
            return int(i)
    return i


def _tensor_list(op: str, tensors) -> list:
    if isinstance(tensors, (Tensor, str, bytes)) or not isinstance(tensors, Sequence) \
            or not tensors:
        raise TypeError(f"{op}: expected a non-empty list of tensors, got {describe(tensors)}")
    ts = [_as_tensor(t, op) for t in tensors]
    floats = [t.dtype for t in ts if dtypes.is_float(t.dtype)]
    if floats and len(floats) < len(ts):  # PyTorch: int and bool tensors take the float dtype
        d = np.result_type(*floats)
        ts = [t if dtypes.is_float(t.dtype) else _cast(t, d) for t in ts]
    return ts


_SCALARS = {float, int}
_PLAIN_OPERANDS = {Tensor, float, int, np.float64, np.float32}
_UFUNCS_WITHOUT_GRADIENT = {
    np.sign, np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.isfinite, np.isnan, np.isinf,
    np.floor, np.ceil, np.rint, np.signbit,
}
_FLOAT_UFUNCS = {np.exp, np.log, np.sqrt, np.tanh, np.sin, np.cos}
_UFUNC_COMPOSITES = {np.square: lambda x: x * x, np.positive: lambda x: x}


# numpy's functions that a tensor records, with numpy's signatures (so positional arguments
# mean what they mean to numpy); an argument they do not take, or NotImplemented returned for
# a case they cannot express, sends the call to `_on_values`

def _np_sum(a, axis=None, dtype=None, out=None, keepdims=False):
    if dtype is not None or out is not None:
        return NotImplemented
    return _as_tensor(a, "sum").sum(axis=axis, keepdims=keepdims)


def _np_mean(a, axis=None, dtype=None, out=None, keepdims=False):
    if dtype is not None or out is not None:
        return NotImplemented
    return _as_tensor(a, "mean").mean(axis=axis, keepdims=keepdims)


def _np_var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """numpy's var: `ddof` (0 by default, unlike PyTorch's correction=1) is the correction."""
    if dtype is not None or out is not None:
        return NotImplemented
    return _as_tensor(a, "var").var(axis=axis, keepdims=keepdims, correction=ddof)


def _np_std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    if dtype is not None or out is not None:
        return NotImplemented
    return _as_tensor(a, "std").std(axis=axis, keepdims=keepdims, correction=ddof)


def _np_amax(a, axis=None, out=None, keepdims=False):
    if out is not None:
        return NotImplemented
    return _as_tensor(a, "amax").amax(axis=axis, keepdims=keepdims)


def _np_amin(a, axis=None, out=None, keepdims=False):
    if out is not None:
        return NotImplemented
    return _as_tensor(a, "amin").amin(axis=axis, keepdims=keepdims)


def _np_dot(a, b, out=None):
    """np.dot of operands with at most two dimensions: a product with a 0-d operand, else
    the matrix product (for more dimensions np.dot is not matmul)."""
    if out is not None or max(np.ndim(a), np.ndim(b)) > 2:
        return NotImplemented
    return a * b if 0 in (np.ndim(a), np.ndim(b)) else matmul(a, b)


def _np_inner(a, b):
    """np.inner of operands with at most two dimensions: Σ over the last axes, a @ bᵀ."""
    if max(np.ndim(a), np.ndim(b)) > 2:
        return NotImplemented
    if 0 in (np.ndim(a), np.ndim(b)):
        return a * b
    return matmul(a, b.T if np.ndim(b) == 2 else b)


def _np_norm(x, ord=None, axis=None, keepdims=False):
    """np.linalg.norm as √Σ x² over `axis` (all elements by default): the vector 2-norm, or
    the Frobenius norm of a matrix; other orders are not expressed."""
    x = _as_tensor(x, "norm")
    axes = x.ndim if axis is None else 1 if isinstance(axis, (int, np.integer)) else len(axis)
    if not (ord is None or (ord == 2 and axes == 1) or (ord == "fro" and axes == 2)):
        return NotImplemented
    axes, keepdim = reduction_args("norm", x.ndim, None, keepdims, axis, None)
    return apply(ops.Norm(axes, keepdim), x._floating())


_ARRAY_FUNCTIONS = {
    np.broadcast_to: lambda x, shape: x.expand(shape),
    np.transpose: lambda x, axes=None: x.permute(axes) if axes is not None else x.T,
    np.swapaxes: lambda x, a, b: x.transpose(a, b),
    np.reshape: lambda x, shape: x.reshape(shape),
    np.sum: _np_sum, np.mean: _np_mean, np.var: _np_var, np.std: _np_std,
    np.max: _np_amax, np.amax: _np_amax, np.min: _np_amin, np.amin: _np_amin,
    np.dot: _np_dot, np.inner: _np_inner, np.linalg.norm: _np_norm,
    np.where: where,
    np.concatenate: lambda ts, axis=0: cat(ts, axis),
    np.stack: lambda ts, axis=0: stack(ts, axis),
    np.clip: lambda x, lo, hi: _as_tensor(x, "clip").clamp(lo, hi),
}
_ARRAY_FUNCTIONS_WITHOUT_GRADIENT = {  # their results carry no gradient: shapes, tests, indices
    np.shape, np.ndim, np.size, np.allclose, np.isclose, np.array_equal, np.array_equiv,
    np.argmax, np.argmin, np.argsort, np.count_nonzero, np.nonzero, np.all, np.any,
}

# imported last: the autograd package needs Tensor, defined above
from .autograd import anomaly, engine, versions  # noqa: E402
from .autograd.grad_mode import state, switched  # noqa: E402
from .autograd.versions import sequence  # noqa: E402
