"""Every primitive operation: its forward and its derivative, side by side.

A rule `backward(grad, out, *inputs)` receives the incoming gradient ∂L/∂out, the op's
output and its inputs, and returns ∂L/∂input for each input (a single value for one input).
Each rule is written once against the interface that numpy arrays and Tensors share
(operators, `np.*` functions, `.sum`, `.reshape`, `.astype`). A plain backward pass feeds it
ndarrays, so it runs at numpy speed; `create_graph=True` feeds it Tensors, so the same rule
records itself and can be differentiated again.

Rules never reduce broadcast gradients: the engine sums each one back to its input's shape.
Non-tensor arguments (dim, shape, index) live on the node. A forward that is one numpy ufunc
is that ufunc (`forward = staticmethod(np.add)`): a method around it would add a Python call
to every operation.
"""

from __future__ import annotations

import numpy as np


class Function:
    """A node of the graph: a primitive together with what its backward rule needs.

    `saves` names the values the rule reads (its parameters, or "out"), either as a tuple
    (read for every gradient) or as a dict from a value to the inputs whose gradient reads
    it (Mul: `{"x": "y", "y": "x"}`). The backward pass refuses to run the rule if a value
    that a gradient it must compute reads was changed in place after it was saved, and only
    then, as PyTorch: `y * 2` does not care if y changes. None (the default) means every
    input and the output. A node whose rule reads no input's values keeps no arrays of its
    own: the rule is handed the inputs themselves (tensors and constants) instead, and may
    read only their shape and dtype.
    """

    __slots__ = ("inputs", "saved", "needs_input_grad", "seq", "replaced")
    saves: tuple | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        code = cls.backward.__code__
        names = code.co_varnames[3:code.co_argcount]  # after (self, grad, out)
        saves = dict.fromkeys(cls.saves) if isinstance(cls.saves, tuple) else cls.saves
        # (position of the value, -1 for "out"; positions of the inputs whose gradient reads
        # it, or None for all of them)
        cls.saved_positions = None if saves is None else tuple(
            (-1 if n == "out" else names.index(n),
             None if users is None else tuple(names.index(u) for u in users.split()))
            for n, users in saves.items())
        cls.reads_inputs = saves is None or any(p >= 0 for p, _ in cls.saved_positions)

    @property
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        """The nodes that made this node's inputs (None for leaves and constants)."""
        return tuple(getattr(a, "grad_fn", None) for a in self.inputs or ())

    def __repr__(self) -> str:
        return f"<{self.name}>"


def keepdim_shape(shape: tuple, axis) -> tuple:
    """The shape of a reduction over `axis` with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


# ---------------------------------------------------------------- arithmetic


class Add(Function):
    """z = x + y;  ∂z/∂x = 1,  ∂z/∂y = 1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.add)

    def backward(self, grad, out, x, y):
        return grad, grad


class Sub(Function):
    """z = x − y;  ∂z/∂x = 1,  ∂z/∂y = −1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.subtract)

    def backward(self, grad, out, x, y):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Function):
    """z = x·y;  ∂z/∂x = y,  ∂z/∂y = x"""

    __slots__ = ()
    saves = {"x": "y", "y": "x"}

    forward = staticmethod(np.multiply)

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        return (grad * y if need_x else None), (grad * x if need_y else None)


class Div(Function):
    """z = x / y;  ∂z/∂x = 1/y,  ∂z/∂y = −x/y²"""

    __slots__ = ()
    saves = {"x": "y", "y": "x y"}  # as PyTorch: not z, so changing z leaves x's gradient

    forward = staticmethod(np.true_divide)

    def backward(self, grad, out, x, y):
        gx = grad / y
        return gx, (-gx * x / y if self.needs_input_grad[1] else None)


class Pow(Function):
    """z = x^y;  ∂z/∂x = y·x^(y−1),  ∂z/∂y = z·ln x  (at x = 0, where these read 0·∞:
    ∂z/∂x = 0 when y = 0 and ∂z/∂y = 0, as PyTorch)"""

    __slots__ = ()
    saves = {"x": "x y", "y": "x", "out": "y"}

    def forward(self, x, y):
        return x**y

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        gx = np.where((x == 0) * (y == 0), 0, grad * y * x ** (y - 1)) if need_x else None
        # ln x in the result's dtype: a float32 base must not cut a float64 exponent's gradient
        gy = grad * out * np.log(np.where(x == 0, 1, x).astype(out.dtype)) if need_y else None
        return gx, gy


class Neg(Function):
    """z = −x;  dz/dx = −1"""

    __slots__ = ()
    saves = ()

    forward = staticmethod(np.negative)

    def backward(self, grad, out, x):
        return -grad


class MatMul(Function):
    """z = x @ y with numpy's rules;  ∂L/∂x = g @ yᵀ,  ∂L/∂y = xᵀ @ g.

    A 1-D x is a row vector and a 1-D y a column vector whose extra axis is dropped from z,
    so their gradients gain and lose that axis too. Batch axes broadcast, and the engine
    sums them back.
    """

    __slots__ = ()
    saves = {"x": "y", "y": "x"}  # and the shapes of both

    forward = staticmethod(np.matmul)

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        if x.ndim == 1 and y.ndim == 1:  # inner product: z = Σ x_k y_k
            return (grad * y if need_x else None), (grad * x if need_y else None)
        if x.ndim == 1:  # z[..., m] = Σ_k x_k y[..., k, m]
            gx = (grad[..., None, :] @ y.swapaxes(-1, -2))[..., 0, :] if need_x else None
            gy = x[:, None] * grad[..., None, :] if need_y else None
            return gx, gy
        if y.ndim == 1:  # z[..., n] = Σ_k x[..., n, k] y_k
            gx = grad[..., :, None] * y if need_x else None
            gy = (x.swapaxes(-1, -2) @ grad[..., :, None])[..., 0] if need_y else None
            return gx, gy
        gx = grad @ y.swapaxes(-1, -2) if need_x else None
        gy = x.swapaxes(-1, -2) @ grad if need_y else None
        return gx, gy


class Linear(Function):
    """s = x Wᵀ + b, the affine map of a layer (rows of x are points);
    ∂L/∂x = g W,  ∂L/∂W = Σ_points g xᵀ,  ∂L/∂b = Σ_points g.

    One node instead of three (transpose, matmul, add): a small network spends most of its
    time per node, not per flop.
    """

    __slots__ = ()
    saves = {"x": "w", "w": "x"}  # and the shape of w

    def forward(self, x, w, b):
        out = x @ w.T
        if out.dtype != np.result_type(out, b):
            return out + b
        out += b  # in place: the product is a fresh array, one temporary fewer
        return out

    def backward(self, grad, out, x, w, b):
        need_x, need_w, need_b = self.needs_input_grad
        points = grad.reshape(-1, w.shape[0])  # every leading axis of x is a point
        gx = grad @ w if need_x else None
        gw = points.T @ x.reshape(-1, w.shape[1]) if need_w else None
        gb = points.sum(axis=0) if need_b else None
        return gx, gw, gb


# ---------------------------------------------------------------- elementwise


def softplus(x: np.ndarray) -> np.ndarray:
    """ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|)) on an ndarray: no overflow (ln(1 + e^1000) =
    1000), full precision in both tails, and three times faster than np.logaddexp(0, x)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class Exp(Function):
    """y = eˣ;  dy/dx = eˣ = y"""

    __slots__ = ()
    saves = ("out",)

    forward = staticmethod(np.exp)

    def backward(self, grad, out, x):
        return grad * out


class Log(Function):
    """y = ln x;  dy/dx = 1/x"""

    __slots__ = ()
    saves = ("x",)

    forward = staticmethod(np.log)

    def backward(self, grad, out, x):
        return grad / x


class Sqrt(Function):
    """y = √x;  dy/dx = 1/(2√x) = 1/(2y)"""

    __slots__ = ()
    saves = ("out",)

    forward = staticmethod(np.sqrt)

    def backward(self, grad, out, x):
        return grad / (out + out)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at x = 0, like PyTorch)"""

    __slots__ = ()
    saves = ("x",)

    forward = staticmethod(np.abs)

    def backward(self, grad, out, x):
        return grad * np.sign(x)


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 − y²"""

    __slots__ = ()
    saves = ("out",)

    forward = staticmethod(np.tanh)

    def backward(self, grad, out, x):
        # g·(1 − y²) as −(g·y·y − g): every step then works on a temporary, which numpy
        # reuses in place, so a large gradient costs one new array instead of two
        return -(grad * out * out - grad)


class Sigmoid(Function):
    """y = θ(x) = 1 / (1 + e^(−x));  dy/dx = y (1 − y)"""

    __slots__ = ()
    saves = ("out",)

    def forward(self, x):
        # θ(x) = exp(−ln(1 + e^(−x))): no overflow for any finite x, full precision in the tails
        return np.exp(-softplus(-x))

    def backward(self, grad, out, x):
        return grad * out * (1 - out)


class Softplus(Function):
    """y = ln(1 + eˣ);  dy/dx = θ(x) = eˣ / (1 + eˣ) = e^(x − y)"""

    __slots__ = ()
    saves = ("x", "out")

    def forward(self, x):
        return softplus(x)

    def backward(self, grad, out, x):
        return grad * np.exp(x - out)  # accurate in both tails, unlike 1 − e^(−y)


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0 (where y > 0), else 0"""

    __slots__ = ()
    saves = ("out",)  # as PyTorch: x may change in place afterwards

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, grad, out, x):
        return grad * (out > 0)


class Sin(Function):
    """y = sin x;  dy/dx = cos x"""

    __slots__ = ()
    saves = ("x",)

    forward = staticmethod(np.sin)

    def backward(self, grad, out, x):
        return grad * np.cos(x)


class Cos(Function):
    """y = cos x;  dy/dx = −sin x"""

    __slots__ = ()
    saves = ("x",)

    forward = staticmethod(np.cos)

    def backward(self, grad, out, x):
        return -grad * np.sin(x)


class Clamp(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo ≤ x ≤ hi, else 0"""

    __slots__ = ("lo", "hi")
    saves = ("x",)  # as PyTorch: y may change in place afterwards

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return np.clip(x, self.lo, self.hi)

    def backward(self, grad, out, x):
        inside = x == x  # False at NaN, where PyTorch's gradient is 0 too
        if self.lo is not None:
            inside = inside & (x >= self.lo)
        if self.hi is not None:
            inside = inside & (x <= self.hi)
        return grad * inside


class Maximum(Function):
    """z = max(x, y);  ∂z/∂x = 1 where x > y, ∂z/∂y = 1 where y > x, ½ each at ties"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.maximum)

    def backward(self, grad, out, x, y):
        tie = grad * (x == y) * 0.5
        return grad * (x > y) + tie, grad * (x < y) + tie


class Minimum(Function):
    """z = min(x, y);  ∂z/∂x = 1 where x < y, ∂z/∂y = 1 where y < x, ½ each at ties"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.minimum)

    def backward(self, grad, out, x, y):
        tie = grad * (x == y) * 0.5
        return grad * (x < y) + tie, grad * (x > y) + tie


class Where(Function):
    """z = x where cond else y;  ∂z/∂x = cond,  ∂z/∂y = not cond  (cond carries no gradient)"""

    __slots__ = ()
    saves = ("cond",)

    def forward(self, cond, x, y):
        return np.where(cond, x, y)

    def backward(self, grad, out, cond, x, y):
        _, need_x, need_y = self.needs_input_grad
        gx = np.where(cond, grad, 0) if need_x else None
        gy = np.where(cond, 0, grad) if need_y else None
        return None, gx, gy


class Clone(Function):
    """y = a copy of x;  dy/dx = 1"""

    __slots__ = ()
    saves = ()

    def forward(self, x):
        return x.copy()

    def backward(self, grad, out, x):
        return grad


class Cast(Function):
    """y = x converted to another float dtype;  dy/dx = 1, cast back to x's dtype"""

    __slots__ = ("dtype",)
    saves = ()

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, grad, out, x):
        return grad.astype(x.dtype)


# ---------------------------------------------------------------- reductions


class SquaredError(Function):
    """E = Σ (x − t)², summed over every element;  ∂E/∂x = 2(x − t),  ∂E/∂t = −2(x − t)

    The course's squared error as one node rather than three (difference, square, sum).
    """

    __slots__ = ()
    saves = ("x", "t")

    def forward(self, x, t):
        d = x - t
        return np.vdot(d, d)

    def backward(self, grad, out, x, t):
        gx = (x - t) * (2 * grad)
        return gx, (-gx if self.needs_input_grad[1] else None)


class Sum(Function):
    """y = Σ_axis x;  ∂y/∂x = 1, so the gradient is broadcast back over the summed axes"""

    __slots__ = ("axis", "keepdim")
    saves = ()

    def __init__(self, axis, keepdim):
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdim)

    def backward(self, grad, out, x):
        if not self.keepdim:
            grad = grad.reshape(keepdim_shape(x.shape, self.axis))
        return np.broadcast_to(grad, x.shape)


class Max(Function):
    """y = max_axis x;  ∂y/∂x = 1/k at each of the k maximal entries, else 0"""

    __slots__ = ("axis", "keepdim")
    saves = ("x", "out")
    reduce = staticmethod(np.amax)

    def __init__(self, axis, keepdim):
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        return self.reduce(x, axis=self.axis, keepdims=self.keepdim)

    def backward(self, grad, out, x):
        if not self.keepdim:
            shape = keepdim_shape(x.shape, self.axis)
            grad, out = grad.reshape(shape), out.reshape(shape)
        winners = x == out
        count = winners.sum(axis=self.axis, keepdims=True).astype(grad.dtype)
        return grad / count * winners


class Min(Max):
    """y = min_axis x;  ∂y/∂x = 1/k at each of the k minimal entries, else 0"""

    __slots__ = ()
    reduce = staticmethod(np.amin)


# ---------------------------------------------------------------- shape

# A view's rule reads nothing, but its output shares the input's memory; declaring the output
# saved makes the backward pass refuse a view whose memory was changed in place since.
VIEW = ("out",)


class Reshape(Function):
    """y = x with a new shape;  the gradient takes x's shape back"""

    __slots__ = ("shape",)
    saves = VIEW

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, grad, out, x):
        return grad.reshape(x.shape)


class Permute(Function):
    """y = x with its axes reordered by `dims`;  the gradient undoes the permutation"""

    __slots__ = ("dims",)
    saves = VIEW

    def __init__(self, dims):
        self.dims = dims

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, grad, out, x):
        return np.transpose(grad, tuple(np.argsort(self.dims)))


class Expand(Function):
    """y = x broadcast to `shape`;  the engine sums the gradient back to x's shape"""

    __slots__ = ("shape",)
    saves = VIEW

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, grad, out, x):
        return grad


class GetItem(Function):
    """y = x[index];  ∂L/∂x is zero except at the indexed places, where repeats add up"""

    __slots__ = ("index",)
    saves = VIEW

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        return x[self.index]

    def backward(self, grad, out, x):
        return scatter_add(grad, self.index, x.shape)


class SetItem(Function):
    """z = x with z[index] = v;  ∂z/∂x = 1 except at the indexed places (0 there),
    ∂L/∂v = ∂L/∂z[index] (summed over the places v was broadcast to)"""

    __slots__ = ("index",)
    saves = ()

    def __init__(self, index):
        self.index = index

    def forward(self, x, v):
        out = x.copy()
        out[self.index] = v
        return out

    def backward(self, grad, out, x, v):
        need_x, need_v = self.needs_input_grad
        gx = None
        if need_x:
            kept = np.ones(x.shape, dtype=bool)
            kept[self.index] = False
            gx = grad * kept
        return gx, (grad[self.index] if need_v else None)


class CopySlices(Function):
    """z = x with the region view(x) replaced by v, where `view` is a chain of view
    operations (how an in-place change of a view of x changes x, as PyTorch's CopySlices);
    ∂z/∂x = 1 outside the region, 0 inside;  ∂L/∂v = view(∂L/∂z)"""

    __slots__ = ("chain",)
    saves = ()

    def __init__(self, chain):
        self.chain = chain

    def forward(self, x, v):
        out = x.copy(order="K")  # x's layout, so that the chain's views stay views
        view_of(out, self.chain)[...] = v
        return out

    def backward(self, grad, out, x, v):
        need_x, need_v = self.needs_input_grad
        gx = None
        if need_x:
            kept = np.ones_like(x, dtype=bool)
            view_of(kept, self.chain)[...] = False
            gx = grad * kept
        return gx, (view_of(grad, self.chain) if need_v else None)


VIEWS = (Reshape, Permute, GetItem)  # the writable views: their slots are their arguments


def view_of(a, chain):
    """`a` seen through the view operations `chain`, recorded when `a` is a Tensor."""
    for fn in chain:
        if isinstance(a, np.ndarray):
            a = fn.forward(a)
        else:
            a = a.apply_op(type(fn)(*(getattr(fn, s) for s in type(fn).__slots__)))
    return a


class ScatterAdd(Function):
    """y = zeros(shape) with g added at `index` (the adjoint of x[index]);  ∂L/∂g = ∂L/∂y[index]"""

    __slots__ = ("index", "shape")
    saves = ()

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        if _has_integer_array(self.index):
            np.add.at(out, self.index, g)  # repeated indices accumulate
        else:
            out[self.index] = g  # slices and masks touch each place at most once
        return out

    def backward(self, grad, out, g):
        return grad[self.index]


def scatter_add(grad, index, shape):
    """zeros(shape) with `grad` added at `index`, recorded when `grad` is a Tensor."""
    op = ScatterAdd(index, shape)
    return op.forward(grad) if isinstance(grad, (np.ndarray, np.generic)) else grad.apply_op(op)


def _has_integer_array(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in items)


class Cat(Function):
    """y = [x₁, x₂, …] joined along `dim`;  each xᵢ gets its own slice of the gradient"""

    __slots__ = ("dim",)
    saves = ()

    def __init__(self, dim):
        self.dim = dim

    def forward(self, *xs):
        return np.concatenate(xs, axis=self.dim)

    def backward(self, grad, out, *xs):
        lead = (slice(None),) * self.dim
        grads, start = [], 0
        for x in xs:
            stop = start + x.shape[self.dim]
            grads.append(grad[lead + (slice(start, stop),)])
            start = stop
        return tuple(grads)
