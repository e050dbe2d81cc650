"""Spare arrays: large values the package let go of, kept to be written over by its next
result of the same shape and dtype.

A training step makes the same arrays at every step: activations, gradients, temporaries of
the update. Freed, they go back to the C allocator, and glibc gives the top of its heap back
to the system once more than its trim threshold is free there; the next step then pays a page
fault for each 4 KiB it writes again (W3: 87,000 faults per run, a third of its time). Kept
here, they take the next step's results (`out=`) in memory already mapped, as a hand-written
step that updates in place does.

An array is kept (`keep`) only when nothing else can reach it: the caller names the
references it holds itself, and `getrefcount` must show no other (no user variable, view,
hook or saved node), and no weak reference may watch it; it owns its memory, is writable and
has the strides numpy gives a new array of its shape. A spare is handed out
(`take`) to one caller, to be written whole. There are at most `AT_MOST` spares of a shape
and dtype, and `LIMIT` bytes in all: one more beyond it lets go of spares of the shape kept
longest first (a program that moves on to other shapes does not keep the old ones). One at a
time: letting go of many at once would give the allocator the very heap top the spares keep.
"""

from __future__ import annotations

import sys
from sys import getrefcount
from weakref import getweakrefcount

import numpy as np

from .dtypes import FLOATS, WEAK_NUMBERS

ndarray, ufunc, matmul_ufunc, multiply = np.ndarray, np.ufunc, np.matmul, np.multiply
promote_types = np.promote_types
KEPT_FROM = 64 << 10  # bytes: a smaller array the allocator reuses from its free lists
# without faults, and keeping it costs more than it saves (W2's 40 KB arrays: 5% more
# instructions); while there are no spares, the package's operations do not look for one
LIMIT = 64 << 20  # bytes
AT_MOST = 8  # spares of one shape and dtype: a step that lets go of more than it takes back
# (the rules' results of W2's logistic loss) does not pile them up
spares: dict = {}  # (shape, dtype) -> arrays of that shape and dtype nobody else holds
held = 0  # their bytes (approximate while threads keep and take at once)


def untraced(measure):
    """measure(), a count of references, taken with no trace or profile function set: a
    debugger's copies a frame's local variables into a dict, one reference more each."""
    trace, profile = sys.gettrace(), sys.getprofile()
    sys.settrace(None)
    sys.setprofile(None)
    try:
        return measure()
    finally:
        sys.settrace(trace)
        sys.setprofile(profile)


def _unshared_refcount() -> int:
    """What getrefcount reports for an array held by one local variable only
    (interpreter-dependent, hence measured)."""
    a = np.empty(0)
    return getrefcount(a)


UNSHARED = untraced(_unshared_refcount)


def standard_strides(shape: tuple, itemsize: int) -> tuple:
    """The strides numpy gives a new C-ordered array of this shape."""
    strides = []
    for n in reversed(shape):
        strides.append(itemsize)
        itemsize *= n
    return tuple(reversed(strides))


def keep(a, holders: int) -> None:
    """Keep `a` as a spare if the caller's `holders` references (its variables and slots,
    besides this call's argument) are all there are, and fewer than AT_MOST spares of its
    shape and dtype wait already."""
    global held
    if (type(a) is ndarray and getrefcount(a) == UNSHARED + holders
            and a.nbytes >= KEPT_FROM and a.base is None and a.flags.writeable
            and a.strides == standard_strides(a.shape, a.itemsize)
            and not getweakrefcount(a)):  # no one watches it (version counters, yours)
        key, n = (a.shape, a.dtype), a.nbytes
        kept = spares.get(key)
        if n > LIMIT or (kept is not None and len(kept) >= AT_MOST):
            return
        while held + n > LIMIT and spares:
            let_go_of_the_oldest()
        kept = spares.get(key)  # (its own shape may have been the oldest)
        if kept is None:
            spares[key] = [a]
        else:
            kept.append(a)
        held += n


def let_go_of_the_oldest() -> None:
    """Let go of one spare of the shape kept longest without being taken: a shape the program
    still uses is taken, emptied and kept anew, and so moves to the end of `spares`."""
    global held
    try:
        key = next(iter(spares))
        kept = spares[key]
        held -= kept.pop(0).nbytes
        if not kept:
            del spares[key]
    except (StopIteration, KeyError, IndexError, RuntimeError):  # another thread meanwhile
        pass
    if not spares:
        held = 0


def clear() -> None:
    """Let go of every spare (their memory goes back to the allocator)."""
    global held
    spares.clear()
    held = 0


def let_go_of_grad(t) -> None:
    """t._grad = None (`p.grad = None`, `zero_grad()`), the gradient's array kept as a spare
    when nothing but t holds the gradient."""
    g, t._grad = t._grad, None  # (the size first here too: a small one, W5's, makes no call)
    if g is not None and getrefcount(g) == UNSHARED and g._data.nbytes >= KEPT_FROM:
        keep(g._data, 1)


def take(shape: tuple, dtype):
    """A spare of this shape and dtype, now the caller's alone; None if there is none."""
    global held
    kept = spares.get((shape, dtype))
    if not kept:
        return None
    try:
        a = kept.pop()
    except IndexError:  # another thread took the last one meanwhile
        return None
    if not kept:
        spares.pop((shape, dtype), None)
    held -= a.nbytes
    return a


def product(a, b, c):
    """a · b · c, into a spare where there is one (of three arrays of one shape and dtype);
    Tensors (a rule run with create_graph) record the products."""
    if (spares and type(a) is ndarray and type(b) is ndarray and type(c) is ndarray
            and (dtype := a.dtype) is b.dtype and c.dtype is dtype
            and (shape := a.shape) == b.shape == c.shape
            and (out := take(shape, dtype)) is not None):
        return multiply(multiply(a, b, out), c, out)
    return a * b * c


def matmul(x, y):
    """x @ y, into a spare where there is one (of two 2-D float arrays: the product has
    their promoted dtype); Tensors (a rule run with create_graph) record x @ y."""
    if (spares and type(x) is ndarray and type(y) is ndarray and x.ndim == 2 and y.ndim == 2
            and (dtype := x.dtype) in FLOATS and y.dtype in FLOATS):
        out = take((x.shape[0], y.shape[1]), dtype if y.dtype is dtype
                   else promote_types(dtype, y.dtype))
        if out is not None:
            return matmul_ufunc(x, y, out=out)
    return x @ y


def run_ufunc(f, datas: tuple):
    """f(*datas), a primitive's forward that is a ufunc, into a spare where there is one of
    the result's shape and dtype: float arrays, C-contiguous (numpy would give a result of
    another layout otherwise), and Python numbers; the result has the arrays' promoted
    dtype (float32 data with float64 weights: float64)."""
    if f is matmul_ufunc:
        return matmul(*datas)
    shape = dtype = None
    for d in datas:
        if type(d) is ndarray:
            if dtype is None:
                shape, dtype = d.shape, d.dtype
                continue
            if d.dtype is not dtype:
                if dtype not in FLOATS or d.dtype not in FLOATS:
                    return f(*datas)
                dtype = promote_types(dtype, d.dtype)
            if (s := d.shape) != shape and (shape := broadcast(shape, s)) is None:
                return f(*datas)
        elif type(d) not in WEAK_NUMBERS:
            return f(*datas)
    if dtype not in FLOATS or (out := take(shape, dtype)) is None:
        return f(*datas)
    if all(type(d) is not ndarray or d.flags.c_contiguous for d in datas):
        return f(*datas, out=out)
    keep(out, 1)  # not this time: back it goes
    return f(*datas)


def broadcast(a: tuple, b: tuple):
    """The shape of arrays of shapes a and b broadcast together (None if they do not)."""
    if a[len(a) - len(b):] == b:  # b is a's trailing axes (a bias)
        return a
    if b[len(b) - len(a):] == a:
        return b
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:  # f raises its own error
        return None
