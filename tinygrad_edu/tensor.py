"""Tensor: an ndarray that records the operations applied to it, for reverse-mode autodiff.

This file is the class core: construction (PyTorch's legacy `Tensor(...)`; `tg.tensor` is in
creation.py), the graph attributes, Python's protocols and `backward`. Its methods come in
families, one mixin per module (`methods/`: arithmetic, elementwise, logic, reduce, shape,
indexing, linalg, conversion (casts, devices), attributes (memory, sizes), numpy_protocol;
`autograd/inplace.py`, `autograd/hooks.py`); `printing.py` formats it, primitives live in
`ops/`, and `recording.py` applies them.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import arguments, dtypes, ops, printing, recording, spares, tracing
from . import device as devices
from .arguments import describe, sizes, to_array
from .autograd import engine, hooks, versions
from .autograd.hooks import Hooks
from .autograd.inplace import InPlace
from .methods.arithmetic import Arithmetic
from .methods.attributes import Attributes
from .methods.conversion import Conversion
from .methods.elementwise import Elementwise
from .methods.indexing import Indexing
from .methods.linalg import LinearAlgebra
from .methods.logic import Logic
from .methods.numpy_protocol import NumpyProtocol
from .methods.reduce import Reductions
from .methods.sampling import Sampling
from .methods.shape import ShapeOps
from .recording import apply, apply1, wrap
from .tensor_base import FreedValue, TensorBase

NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead."
)

def legacy_array(args: tuple, dtype) -> np.ndarray:
    """The array of `Tensor(*args)`, PyTorch's legacy constructor: ints are sizes
    (`Tensor(2, 3)`: zeros of that shape, where PyTorch leaves memory uninitialised), no
    argument an empty tensor; else data, where Python numbers, lists and int or bool
    arrays become the default float dtype, and a float ndarray or a tensor keeps its dtype
    (for a float ndarray a deliberate difference: numpy users keep float64)."""
    if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
        d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, "Tensor")
        return np.zeros(sizes("Tensor", args) if args else (0,), d)
    (data,) = args
    if isinstance(data, TensorBase):
        data = data._data  # copied by to_array
    elif dtype is None and not (isinstance(data, np.ndarray) and data.dtype.kind == "f"):
        dtype = dtypes.get_default_dtype()
    return to_array(data, dtype, "Tensor")


class Tensor(Arithmetic, Elementwise, Logic, Reductions, ShapeOps, Indexing, LinearAlgebra,
             Conversion, Attributes, Sampling, InPlace, NumpyProtocol, Hooks, TensorBase):
    """A numpy array with an autograd history.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __slots__ = ()  # TensorBase's
    __array_priority__ = 1000  # numpy defers mixed operators to Tensor

    def __init__(self, *data, requires_grad: bool = False, dtype=None, device=None):
        """`Tensor(data)` or `Tensor(*sizes)` (see `legacy_array`); `tg.tensor` infers the
        dtype from the data instead. `Tensor(data, requires_grad, dtype)` by position too."""
        if len(data) > 1 and not isinstance(data[0], numbers.Integral):
            data, rest = data[:1], data[1:]  # Tensor(data, requires_grad, dtype)
            if len(rest) > 2:
                raise TypeError(f"Tensor: too many arguments ({len(data) + len(rest)})")
            requires_grad, dtype = (rest + (dtype,))[:2]
        devices.check("Tensor", device)
        self._data = legacy_array(data, dtype)
        self._grad = None
        self.grad_fn = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    _wrap = staticmethod(wrap)  # a Tensor around an ndarray, no copy or check (internal)

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
        """The gradient accumulated by `backward` (None until then): same shape and dtype.
        A non-leaf has one only if it retains it (`retain_grad`); reading it otherwise warns,
        as in PyTorch, since the leaf was probably meant."""
        g = self._grad
        if g is None and self.grad_fn is not None and not hooks.retains(self):
            warnings.warn(NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, g) -> None:
        if g is None:  # its array kept as a spare if nothing else holds the gradient
            return spares.let_go_of_grad(self)
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
        """The value as an ndarray (shares memory, carries no graph). Refused inside a
        function `tg.jit` traces: the program would hand out the traced call's value."""
        if type(self._data) is not np.ndarray:
            tracing.refuse_read(self._data, ".numpy()")
            if type(self._data) is FreedValue:
                raise FreedValue.error()
        return self._data

    @property
    def data(self) -> Tensor:
        """As PyTorch's `.data`: a Tensor sharing this tensor's memory, outside the graph.
        Changing it (`p.data -= lr * p.grad.data`) bypasses autograd."""
        return wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        """`t.data = other` makes `t` use `other`'s memory (any shape), as in PyTorch."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: expected a Tensor, got {describe(value)}; "
                            "wrap an array with tg.tensor(...)")
        if value._data is self._data:  # `t.data -= x` hands back t's own memory: nothing to do
            return
        if self._requires_grad and not dtypes.is_float(value._data.dtype):
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
        return wrap(self._data)

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
        return printing.tensor_repr(self._data, self.grad_fn, self._requires_grad)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    # ------------------------------------------------------------ autograd

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Accumulate ∂self/∂leaf into every leaf's `.grad` (only into `inputs`' when given).

        `gradient` (∂L/∂self) is required unless self has one element. The graph's saved
        buffers are freed afterwards unless `retain_graph` (default: `create_graph`).
        """
        engine.backward(self, gradient, retain_graph, create_graph, inputs)


recording.use_tensor_class(Tensor)
