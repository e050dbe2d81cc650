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

import math

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

    `kept` lists the arrays a node keeps besides its inputs (an index's arrays); the
    backward pass refuses to run the rule if one of them was changed in place since.
    """

    __slots__ = ("inputs", "saved", "needs_input_grad", "seq", "replaced")
    saves: tuple | None = None
    kept: tuple = ()

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


def reduced_count(shape: tuple, axis) -> int:
    """How many elements a reduction over `axis` combines. math.prod, not np.prod, which
    first makes an array of the sizes: that took a third of `mean`'s time."""
    return math.prod(shape if axis is None else [shape[a] for a in axis])


HALF = np.dtype(np.float16)


def accumulate(reduce, x, **kwargs):
    """`reduce(x, **kwargs)`, float16 accumulated in float32 and rounded once, as PyTorch
    does: numpy adds float16 in float16 along a strided axis (2048 + 1 is 2048 there), and
    its var and std of float16 overflow past a spread of 256."""
    if x.dtype is not HALF:
        return reduce(x, **kwargs)
    return reduce(x, dtype=np.float32, **kwargs).astype(HALF)


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
    """z = x^y;  ∂z/∂x = y·x^(y−1),  ∂z/∂y = z·ln x.  At x = 0 these read 0·∞ where the
    limits from x > 0 are 0, as PyTorch: ∂z/∂x = 0 for y = 0 (z ≡ 1), ∂z/∂y = 0 for y ≥ 0
    (and −∞ for y < 0)."""

    __slots__ = ()
    saves = {"x": "x y", "y": "x", "out": "y"}

    def forward(self, x, y):
        return x**y

    def backward(self, grad, out, x, y):
        need_x, need_y = self.needs_input_grad
        # at those points the base becomes 1 before the power, not the result after it: the
        # factor 0 (y, or ln 1) then gives the limit 0, and a second pass meets no 0·∞ either
        at_zero = x == 0
        gx = grad * y * np.where(np.logical_and(at_zero, y == 0), 1, x) ** (y - 1) \
            if need_x else None
        # ln x in the result's dtype: a float32 base must not cut a float64 exponent's gradient
        gy = grad * out * np.log(np.where(np.logical_and(at_zero, y >= 0), 1, x)
                                 .astype(out.dtype)) if need_y else None
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
    """y = ln(1 + e^(βx)) / β, or x where βx > threshold (PyTorch's cut-off, exact by default);
    dy/dx = θ(βx) = e^(β(x − y)), which is also the slope 1 where y = x"""

    __slots__ = ("beta", "threshold")
    saves = ("x", "out")

    def __init__(self, beta=1.0, threshold=np.inf):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        b = self.beta
        y = softplus(x) if b == 1 else softplus(b * x) / b
        return y if self.threshold == np.inf else np.where(b * x > self.threshold, x, y)

    def backward(self, grad, out, x):
        d = x - out if self.beta == 1 else (x - out) * self.beta
        return grad * np.exp(d)  # accurate in both tails, unlike 1 − e^(−βy)


class Relu(Function):
    """y = max(x, 0);  dy/dx = 1 where y ≠ 0 (x > 0, or a NaN, which y passes on), else 0"""

    __slots__ = ()
    saves = ("out",)

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, grad, out, x):
        return grad * (out != 0)


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
    """y = min(max(x, lo), hi), so y = hi where lo > hi; a missing bound (None) is ∓∞.
    ∂y/∂x = 1 where lo ≤ x ≤ hi,  ∂y/∂lo = 1 where x < lo < hi,  ∂y/∂hi = 1 where x > hi or
    hi < lo  (PyTorch's choice at the ties x = lo and x = hi: the gradient goes to x)"""

    __slots__ = ()
    saves = ("x", "lo", "hi")

    def forward(self, x, lo, hi):
        return np.clip(x, lo, hi)

    def backward(self, grad, out, x, lo, hi):
        need_x, need_lo, need_hi = self.needs_input_grad
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        gx = grad * ((x >= lo) & (x <= hi)) if need_x else None
        glo = grad * ((x < lo) & (lo < hi)) if need_lo else None
        ghi = grad * ((x > hi) | (hi < lo)) if need_hi else None
        return gx, glo, ghi


class Maximum(Function):
    """z = max(x, y);  ∂z/∂x = 1 − [x < y] − ½[x = y],  ∂z/∂y = 1 − [y < x] − ½[x = y]:
    1 to the larger, ½ each at a tie, and 1 to both where a NaN makes z NaN (as PyTorch)"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.maximum)

    def backward(self, grad, out, x, y):
        share = grad - grad * (x == y) * 0.5
        return share * ~(x < y), share * ~(y < x)


class Minimum(Function):
    """z = min(x, y);  ∂z/∂x = 1 − [x > y] − ½[x = y],  ∂z/∂y = 1 − [y > x] − ½[x = y]:
    1 to the smaller, ½ each at a tie, and 1 to both where a NaN makes z NaN (as PyTorch)"""

    __slots__ = ()
    saves = ("x", "y")

    forward = staticmethod(np.minimum)

    def backward(self, grad, out, x, y):
        share = grad - grad * (x == y) * 0.5
        return share * ~(x > y), share * ~(y > x)


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
        if x.dtype is HALF:  # accumulate's test, inline: Sum is on every loss's path
            return accumulate(np.ndarray.sum, x, axis=self.axis, keepdims=self.keepdim)
        return x.sum(axis=self.axis, keepdims=self.keepdim)

    def backward(self, grad, out, x):
        if not self.keepdim:
            grad = grad.reshape(keepdim_shape(x.shape, self.axis))
        return np.broadcast_to(grad, x.shape)


class Mean(Sum):
    """y = Σ_axis x / n;  ∂y/∂x = 1/n, broadcast back over the n averaged entries

    One node, not Sum then Div: the float16 sum of ten 1e4 overflows, their mean does not.
    """

    __slots__ = ()

    def forward(self, x):
        if x.dtype is HALF:
            return accumulate(np.ndarray.mean, x, axis=self.axis, keepdims=self.keepdim)
        # np.mean's very sum and division, without its 3 µs of Python around them
        return x.sum(axis=self.axis, keepdims=self.keepdim) / reduced_count(x.shape, self.axis)

    def backward(self, grad, out, x):
        return super().backward(grad / reduced_count(x.shape, self.axis), out, x)


class Var(Function):
    """v = Σ_axis (x − x̄)² / d, with d = max(n − correction, 0);  ∂v/∂x = 2 (x − x̄) / d

    d = 0 divides by 0 as numpy and PyTorch do: v = ∞ (NaN without spread), ∂v/∂x = ±∞.
    """

    __slots__ = ("axis", "keepdim", "correction")
    saves = ("x",)
    reduce = staticmethod(np.ndarray.var)

    def __init__(self, axis, keepdim, correction):
        self.axis, self.keepdim, self.correction = axis, keepdim, correction

    def forward(self, x):
        return accumulate(self.reduce, x, axis=self.axis, ddof=self.correction,
                          keepdims=self.keepdim)

    def dof(self, x) -> int:
        return max(reduced_count(x.shape, self.axis) - self.correction, 0)

    def backward(self, grad, out, x):
        if not self.keepdim:
            grad = grad.reshape(keepdim_shape(x.shape, self.axis))
        return (x - x.mean(axis=self.axis, keepdims=True)) * (grad * 2 / self.dof(x))


class Std(Var):
    """σ = √v (see Var);  ∂σ/∂x = (x − x̄) / (d σ), and 0 where σ = 0: without spread σ has
    a kink (σ(c + t·u) = |t| σ(u)), where PyTorch takes 0"""

    __slots__ = ()
    saves = ("x", "out")
    reduce = staticmethod(np.ndarray.std)

    def backward(self, grad, out, x):
        if not self.keepdim:
            shape = keepdim_shape(x.shape, self.axis)
            grad, out = grad.reshape(shape), out.reshape(shape)
        # σ = 0 becomes ∞ before the division, so the slope is 0 there in every pass
        spread = np.where(out == 0, np.inf, out)
        return (x - x.mean(axis=self.axis, keepdims=True)) * (grad / self.dof(x) / spread)


class Norm(Function):
    """y = ‖x‖ = √Σ_axis x²;  ∂y/∂x = x / y, and 0 where y = 0: ‖·‖ has a kink at 0
    (‖t·u‖ = |t| ‖u‖), where PyTorch takes 0"""

    __slots__ = ("axis", "keepdim")
    saves = ("x", "out")

    def __init__(self, axis, keepdim):
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        wide = x.astype(np.float32) if x.dtype is HALF else x  # float16 squares overflow
        y = np.sqrt((wide * wide).sum(axis=self.axis, keepdims=self.keepdim))
        return y.astype(x.dtype, copy=False)

    def backward(self, grad, out, x):
        if not self.keepdim:
            shape = keepdim_shape(x.shape, self.axis)
            grad, out = grad.reshape(shape), out.reshape(shape)
        # y = 0 becomes ∞ before the division, so the slope is 0 there in every pass
        return x * (grad / np.where(out == 0, np.inf, out))


class Max(Function):
    """y = max_axis x;  ∂y/∂x = 1/k at each of the k maximal entries, else 0 (a NaN is the
    maximum, so the NaNs share it, as PyTorch's max)"""

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
        winners = (x == out) | np.isnan(x)  # out is NaN where x holds one, and NaN ≠ NaN
        count = winners.sum(axis=self.axis, keepdims=True).astype(grad.dtype)
        return grad / count * winners


class Min(Max):
    """y = min_axis x;  ∂y/∂x = 1/k at each of the k minimal entries (or NaNs), else 0"""

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


class Split:
    """An index that PyTorch applies in two steps: its ints first (`ints`, basic indexing,
    a view), then the rest (`rest`). So an int never counts as an advanced index, as it does
    in numpy: for x of shape (2, 3, 4), x[0, :, [0, 1]] is (3, 2) in PyTorch, (2, 3) in numpy."""

    __slots__ = ("ints", "rest")

    def __init__(self, ints: tuple, rest: tuple):
        self.ints, self.rest = ints, rest


def select(a, index):
    """a[index] (an ndarray or a Tensor)."""
    if type(index) is Split:
        return a[index.ints][index.rest]
    return a[index]


def place(a: np.ndarray, index) -> tuple:
    """(view, index) such that writing view[index] writes a[index]."""
    if type(index) is Split:
        return a[index.ints], index.rest
    return a, index


def index_arrays(index) -> tuple:
    """The arrays inside an index."""
    if type(index) is Split:
        index = index.rest
    items = index if isinstance(index, tuple) else (index,)
    return tuple(i for i in items if isinstance(i, np.ndarray))


class _Indexed:
    """Mixin of the nodes that keep an index: its arrays are checked for in-place changes."""

    __slots__ = ()

    @property
    def kept(self) -> tuple:
        return index_arrays(self.index)


class GetItem(_Indexed, Function):
    """y = x[index];  ∂L/∂x is zero except at the indexed places, where repeats add up"""

    __slots__ = ("index",)
    saves = VIEW

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        return select(x, self.index)

    def backward(self, grad, out, x):
        return scatter_add(grad, self.index, x.shape)


class _Overwrite(Function):
    """z = x with a region of x replaced by v;  ∂z/∂x = 1 outside the region, 0 inside,
    ∂L/∂v = ∂L/∂z over the region (summed over the places v was broadcast to).
    A subclass says what the region is: `assign(a, v)` writes v into a's region, and
    `region(a)` reads it."""

    __slots__ = ()
    saves = ()

    def forward(self, x, v):
        out = x.copy(order="K")  # x's layout, so that views of the region stay views
        self.assign(out, v)
        return out

    def backward(self, grad, out, x, v):
        need_x, need_v = self.needs_input_grad
        gx = None
        if need_x:
            kept = np.ones(x.shape, dtype=bool)
            self.assign(kept, False)
            gx = grad * kept
        return gx, (self.region(grad) if need_v else None)


class SetItem(_Indexed, _Overwrite):
    """z = x with z[index] = v (see _Overwrite)"""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def assign(self, a, v):
        view, index = place(a, self.index)
        view[index] = v

    def region(self, a):
        return select(a, self.index)


class CopySlices(_Overwrite):
    """z = x with the region view(x) replaced by v (see _Overwrite), where `view` is a chain
    of view operations: how an in-place change of a view of x changes x, as PyTorch's
    CopySlices"""

    __slots__ = ("chain",)

    def __init__(self, chain):
        self.chain = chain

    def assign(self, a, v):
        view_of(a, self.chain)[...] = v

    def region(self, a):
        return view_of(a, self.chain)


VIEWS = (Reshape, Permute, GetItem)  # the writable views: their slots are their arguments


def view_of(a, chain):
    """`a` seen through the view operations `chain`, recorded when `a` is a Tensor."""
    for fn in chain:
        if isinstance(a, np.ndarray):
            a = fn.forward(a)
        else:
            a = a.apply_op(type(fn)(*(getattr(fn, s) for s in type(fn).__slots__)))
    return a


class ScatterAdd(_Indexed, Function):
    """y = zeros(shape) with g added at `index` (the adjoint of x[index]);  ∂L/∂g = ∂L/∂y[index]"""

    __slots__ = ("index", "shape")
    saves = ()

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        view, index = place(out, self.index)
        if _has_integer_array(index):
            np.add.at(view, index, g)  # repeated indices accumulate
        else:
            view[index] = g  # slices and masks touch each place at most once
        return out

    def backward(self, grad, out, g):
        return select(grad, self.index)


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
