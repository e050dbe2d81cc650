"""Recording numpy calls for `tg.jit`: `TracedArray`, an ndarray that notes each numpy
operation made on it, and `Recorder`, the list of lines those notes become.

While a function is traced it runs eagerly as usual, but on TracedArrays: every ufunc call
(`np.tanh(x)`, `x @ w`, `x.sum()`, `np.subtract(p, s, out=p)`), every numpy function
(`np.where`, `np.zeros_like`, ...) and every array method that makes a view or a copy
(`reshape`, `.T`, `x[i]`, `astype`, ...) computes its value AND appends one line of Python to
the recorder, naming its operands by buffer (`b3`) or constant (`c0`). Reading a value
(`item`, `bool`, `float`, `tolist`) raises `TraceError`: the program would freeze it.
`TracedNumber` does the same for a Python number of the state that changes at each call.
"""

from __future__ import annotations

import math
import operator
import threading

import numpy as np

_local = threading.local()
_SHAPES = ("shape", "ndim", "size", "result_type", "can_cast", "min_scalar_type")
_VIEWS = ("reshape", "transpose", "swapaxes", "squeeze", "ravel", "flatten", "copy",
          "astype", "diagonal", "repeat", "clip", "nonzero", "argmax", "argmin",
          "argsort", "round", "cumsum", "cumprod", "max", "min", "sum", "mean", "prod",
          "any", "all", "dot", "var", "std", "take", "conj")


class TraceError(RuntimeError):
    """A traced function did something its recorded program could not repeat."""


def recorder() -> Recorder | None:
    """The recorder of the trace running in this thread, or None."""
    return getattr(_local, "recorder", None)


def checked(x) -> bool:
    """bool(x) for a library's own check (a class index out of range, a fast path for the
    usual case). While tracing, the value at the traced call decides, and the program gets a
    guard that raises if a replay's value differs (where user code reading a value raises)."""
    if type(x) is not TracedArray:
        return bool(x)
    value = bool(x.view(np.ndarray))
    rec = recorder()
    if rec is not None:
        rec.emit(f"if bool({rec.source(x)}) is not {value}: raise TraceError({rec.name!r} "
                 f"': a check inside the function came out differently from the traced "
                 f"call; call it without tg.jit to see the error')")
    return value


def start(rec: Recorder | None) -> None:
    """Make `rec` the recorder of this thread (None: stop recording)."""
    _local.recorder = rec


class Recorder:
    """The lines of a traced program, with its buffers (arrays it writes into) and constants.

    Each array the program names is a buffer `b<i>`: an input, a piece of state read through
    a closure, or the result of a recorded call. Results of ufuncs get `out=` a buffer kept
    from the trace (allocated once); views and numpy functions without `out` are recomputed.
    """

    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.kinds: list[str] = []  # per line: "out" (writes a kept buffer) or "new"
        self.namespace: dict = {"np": np, "math": math, "TraceError": TraceError}
        self.kept: dict[str, tuple] = {}  # buffer name -> its layout, allocated once planned
        self.dense: dict[str, tuple] = {}  # name -> (dtype, shape) of C- or F-contiguous arrays
        self.constants: dict[int, str] = {}
        self.resets: list[tuple[str, np.ndarray]] = []  # constants written in place
        self.count = 0
        self.numbers = 0

    # ---------------------------------------------------------------- naming

    def new(self, value: np.ndarray) -> TracedArray:
        """`value` as a TracedArray with a fresh buffer name."""
        t = value.view(TracedArray) if type(value) is not TracedArray else value
        t.name = f"b{self.count}"
        self.count += 1
        if t.flags.c_contiguous or t.flags.f_contiguous:
            self.dense[t.name] = (t.dtype, t.shape)
        return t

    def number(self, value, expr: str | None = None) -> TracedNumber:
        """`value` as a TracedNumber with a fresh name `n<i>`, computed by `expr` if given
        (else the caller reads it in the program's prologue)."""
        n = TracedNumber(value, f"n{self.numbers}")
        self.numbers += 1
        if expr is not None:
            self.emit(f"{n.name} = {expr}")
        return n

    def constant(self, value) -> str:
        key = id(value)
        name = self.constants.get(key)
        if name is None:
            name = self.constants[key] = f"c{len(self.constants)}"
            self.namespace[name] = value
            self.namespace[name + "_keep"] = value  # held, so the id stays unique
        return name

    def source(self, v) -> str:
        """Python source for operand `v`."""
        if type(v) is TracedArray:
            if v.name is None:
                raise TraceError(f"{self.name}: an array reached a numpy call through an "
                                 "operation the tracer does not record (such as iterating "
                                 "over an array); use indexing or tensor methods instead")
            return v.name
        if type(v) is TracedNumber:
            return v.name
        if v is None or type(v) in (bool, int, str) or v is Ellipsis:
            return repr(v)
        if type(v) is float and np.isfinite(v):
            return repr(v)
        if type(v) is slice:
            return f"slice({self.source(v.start)}, {self.source(v.stop)}, {self.source(v.step)})"
        if type(v) in (tuple, list):
            inner = ", ".join(self.source(x) for x in v)
            if type(v) is list:
                return f"[{inner}]"
            return "()" if not v else f"({inner},)"
        if type(v) is dict:
            return "{" + ", ".join(f"{k!r}: {self.source(x)}" for k, x in v.items()) + "}"
        if isinstance(v, np.ndarray):
            owner = v
            while owner is not None and not isinstance(owner, TracedArray):
                owner = owner.base
            if owner is not None:  # a plain view of a traced array (np.asarray(traced))
                if (v.shape == owner.shape and v.strides == owner.strides
                        and v.__array_interface__["data"] == owner.__array_interface__["data"]):
                    return self.source(owner)
                raise TraceError(f"{self.name}: a view of a traced array was made by an "
                                 "operation the tracer does not record")
        return self.constant(v)

    def index(self, index) -> str:
        """Source of an index inside brackets: slices as `a:b:c`."""
        def one(i):
            if type(i) is slice:
                parts = ["" if x is None else self.source(x) for x in (i.start, i.stop, i.step)]
                return ":".join(parts[:2] if i.step is None else parts)
            return self.source(i)
        if type(index) is tuple:
            return ", ".join(one(i) for i in index) + ("," if len(index) == 1 else "")
        return one(index)

    def call(self, func: str, args, kwargs) -> str:
        parts = [self.source(a) for a in args]
        parts += [f"{k}={self.source(v)}" for k, v in kwargs.items()]
        return f"{func}({', '.join(parts)})"

    def emit(self, line: str, kind: str = "new") -> None:
        self.lines.append(line)
        self.kinds.append(kind)

    def wrap(self, result, line: str, kept: bool = False):
        """Name `result` (an array, a numpy scalar or a tuple of them) and record `line` as
        computing it; `kept` results are written into their buffer with `out=`."""
        if isinstance(result, tuple):
            outs = [self.wrap_one(r) for r in result]
            names = ", ".join(o.name for o in outs) + ","
            self.emit(f"{names} = {line}")
            return tuple(outs)
        out = self.wrap_one(result)
        if out is None:
            self.emit(line)
            return result
        if kept:
            self.kept[out.name] = layout(out)
            self.emit(line[:-1] + f", out={out.name})" if line.endswith(")") else line, "out")
        else:
            self.emit(f"{out.name} = {line}")
        return out

    def wrap_one(self, r):
        if isinstance(r, np.generic):  # a numpy scalar: kept as a 0-d array
            r = np.asarray(r)
        if not isinstance(r, np.ndarray):
            return None
        return self.new(r)

    def written(self, target) -> None:
        """`target` is written in place: a constant array must start each replay afresh."""
        if type(target) is not TracedArray and isinstance(target, np.ndarray):
            self.resets.append((self.source(target), target.copy()))


def layout(a: np.ndarray) -> tuple:
    """(shape, dtype, axes from the slowest in memory to the fastest): enough to allocate an
    array laid out as `a` (C or F order, or axes permuted) without keeping `a` alive."""
    if a.flags.c_contiguous:  # the usual case, without sorting
        return a.shape, a.dtype, tuple(range(a.ndim))
    return a.shape, a.dtype, tuple(np.argsort([-s for s in a.strides], kind="stable").tolist())


def _plain(v):
    """`v` with TracedArrays replaced by plain ndarrays (same memory), for the real call."""
    if type(v) is TracedArray:
        return v.view(np.ndarray)
    if type(v) is TracedNumber:
        return v.value
    if type(v) in (tuple, list):
        return type(v)(_plain(x) for x in v)
    if type(v) is dict:
        return {k: _plain(x) for k, x in v.items()}
    return v


def _refuse(what: str, attr: str | None = None):
    """A reader of values that raises while tracing; outside a trace (an array or a number
    left over from a trace that failed) it reads as the plain value's `attr` does."""
    def reader(self, *args, **kwargs):
        rec = recorder()
        if rec is None and attr is not None:
            return getattr(_plain(self), attr)(*args, **kwargs)
        name = rec.name if rec is not None else "a traced function"
        raise TraceError(
            f"{what} inside the traced function {name}: it reads a value the recorded program "
            "would freeze at its first call. Return the tensor from the function and read it "
            "outside, or call the function without tg.jit")
    return reader


def refuse_read(data, what: str) -> None:
    """Raise for reading `data` by `what` if it is traced (called from `Tensor.numpy`)."""
    if type(data) is TracedArray and recorder() is not None:
        _refuse(what)(data)


class TracedArray(np.ndarray):
    """An ndarray whose numpy operations are recorded (see the module docstring)."""

    name = None

    def __array_finalize__(self, obj):
        self.name = None  # an array numpy made on its own: unnamed until a recorded call

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        rec = recorder()
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs))
        if rec is None:
            return result
        fname = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        if out is not None:  # written in place: the result is the out array
            for o in out:
                rec.written(o)
            kw = dict(kwargs)
            kw["out"] = out if len(out) > 1 else out[0]
            rec.emit(rec.call(fname, inputs, kw))
            if method == "at":
                return None
            return out[0] if len(out) == 1 else out
        if method == "at":
            rec.written(inputs[0])
            rec.emit(rec.call(fname, inputs, kwargs))
            return None
        kept = method in ("__call__", "reduce") and ufunc.nout == 1
        return rec.wrap(result, rec.call(fname, inputs, kwargs), kept=kept)

    def __array_function__(self, func, types, args, kwargs):
        rec = recorder()
        result = func(*_plain(args), **_plain(kwargs))
        if rec is None:
            return result
        if func is np.copyto:
            rec.written(args[0])
        mod = func.__module__ or "numpy"
        path = "np." + (func.__name__ if mod.startswith("numpy") and hasattr(np, func.__name__)
                        else rec.constant(func))
        line = rec.call(path, args, kwargs)
        if result is None:
            rec.emit(line)
            return None
        if isinstance(result, tuple) and all(isinstance(r, np.ndarray) for r in result):
            return rec.wrap(result, line)
        if not isinstance(result, (np.ndarray, np.generic)):
            if func.__name__ in _SHAPES:
                return result
            _refuse(f"np.{func.__name__}(...), which returns a Python value,")(self)
        return rec.wrap(result, line)

    # -------------------------------------------------- methods that make views or copies

    def __getitem__(self, index):
        result = np.ndarray.__getitem__(self.view(np.ndarray), _plain(index))
        rec = recorder()
        if rec is None:
            return result
        return rec.wrap(result, f"{rec.source(self)}[{rec.index(index)}]")

    def __setitem__(self, index, value):
        np.ndarray.__setitem__(self.view(np.ndarray), _plain(index), _plain(value))
        rec = recorder()
        if rec is not None:
            rec.emit(f"{rec.source(self)}[{rec.index(index)}] = {rec.source(value)}")

    def fill(self, value):
        self.view(np.ndarray).fill(value)
        rec = recorder()
        if rec is not None:
            rec.emit(f"{rec.source(self)}.fill({rec.source(value)})")

    @property
    def T(self):
        return self.transpose()

    @property
    def mT(self):
        return self.swapaxes(-1, -2)

    __bool__ = _refuse("bool(tensor) (or Python branching on a tensor)", "__bool__")
    __float__ = _refuse("float(tensor)", "__float__")
    __int__ = _refuse("int(tensor)", "__int__")
    __index__ = _refuse("using a tensor as an index or a count", "__index__")
    __complex__ = _refuse("complex(tensor)", "__complex__")
    item = _refuse(".item()", "item")
    tolist = _refuse(".tolist()", "tolist")
    __iter__ = _refuse("iterating over a tensor", "__iter__")
    __repr__ = _refuse("printing a tensor", "__repr__")
    __str__ = _refuse("printing a tensor", "__str__")
    __format__ = _refuse("formatting a tensor", "__format__")
    tobytes = _refuse(".tobytes()", "tobytes")


def _method(name: str):
    base = getattr(np.ndarray, name)

    def method(self, *args, **kwargs):
        result = base(self.view(np.ndarray), *_plain(args), **_plain(kwargs))
        rec = recorder()
        if rec is None:
            return result
        if name == "sum" and not args and kwargs.keys() <= {"axis", "dtype", "keepdims"}:
            # x.sum(...) is np.add.reduce(x, ...) behind a Python function (numpy's
            # _methods._sum): the program calls it directly (its default axis is 0: given)
            return rec.wrap(result, rec.call("np.add.reduce", (self,),
                                             {"axis": None, **kwargs}))
        return rec.wrap(result, f"{rec.source(self)}.{name}"
                                f"{rec.call('', args, kwargs)}")
    method.__name__ = name
    return method


for _name in _VIEWS:
    setattr(TracedArray, _name, _method(_name))


def traced_array(make, name: str):
    """np.array / np.asarray / np.ascontiguousarray as they behave while tracing: a traced
    operand is recorded (numpy would quietly hand back a plain array, losing track of it)."""
    def wrapper(obj, *args, **kwargs):
        rec = recorder()
        if rec is None or type(obj) is not TracedArray:
            return make(obj, *args, **kwargs)
        plain = obj.view(np.ndarray)
        result = make(plain, *args, **kwargs)
        if result is plain:
            return obj  # the same array: nothing to record
        return rec.wrap(result, rec.call(f"np.{name}", (obj, *args), kwargs))
    wrapper.__name__ = name
    return wrapper


def traced_creation(make, name: str):
    """np.zeros / np.ones / np.empty / np.full as they behave while tracing: the new array is
    a buffer of the program (made afresh at each replay), so writes into it are recorded."""
    def wrapper(*args, **kwargs):
        result = make(*args, **kwargs)
        rec = recorder()
        if rec is None or not isinstance(result, np.ndarray):
            return result
        return rec.wrap(result, rec.call(f"np.{name}", args, kwargs))
    wrapper.__name__ = name
    return wrapper


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "//": operator.floordiv, "%": operator.mod, "**": operator.pow}


def _arithmetic(symbol: str, reflected: bool = False):
    """The method for `self <symbol> other` (or `other <symbol> self`): computed on the plain
    values, and recorded as that line of Python while tracing."""
    compute = _ARITHMETIC[symbol]

    def method(self, other):
        if not isinstance(other, (int, float, TracedNumber)):
            return NotImplemented  # an array: numpy's __array_ufunc__ records the call
        a, b = (other, self) if reflected else (self, other)
        value = compute(_plain(a), _plain(b))
        rec = recorder()
        if rec is None:
            return value
        return rec.number(value, f"{_operand(rec, a)} {symbol} {_operand(rec, b)}")
    return method


def _operand(rec: Recorder, x) -> str:
    src = rec.source(x)
    return f"({src})" if src.startswith("-") else src


class TracedNumber:
    """A Python number of the state that the traced function changes at each call, such as
    an optimizer's step count t. Its arithmetic (`+ - * / // % **`, unary minus, `abs`,
    `math.sqrt` and its kin) is recorded as lines of Python (`n2 = 0.9 ** n1`), so each replay
    computes the numbers eager execution computes, by the same float operations, and numpy
    calls take them as operands (`np.multiply(n4, b9, out=b11)`). Reading its value (a
    comparison, `int(t)`, an index into a list) raises: the program would freeze it."""

    __slots__ = ("value", "name")

    def __init__(self, value, name: str):
        self.value, self.name = value, name

    def __neg__(self):
        rec = recorder()
        return -self.value if rec is None else rec.number(-self.value, f"-{self.name}")

    def __abs__(self):
        rec = recorder()
        return abs(self.value) if rec is None else rec.number(abs(self.value),
                                                              f"abs({self.name})")

    def __repr__(self) -> str:
        return (f"<number {self.name} of the state, traced by tg.jit: it takes Python "
                "arithmetic and numpy calls on arrays, not tensor operations>")

    __array_ufunc__ = TracedArray.__array_ufunc__  # numpy scalars and the number: recorded


_WHAT = "reading a number of the state that changes at each call (an optimizer's step count)"
for _name, _how in (("bool", "by bool() or a Python branch"), ("float", "by float()"),
                    ("int", "by int()"), ("index", "as an index or a count"),
                    ("hash", "as a key"), ("str", "by printing it"),
                    ("format", "by formatting it"), ("round", "by round()"),
                    ("eq", "in a comparison"), ("ne", "in a comparison"),
                    ("lt", "in a comparison"), ("le", "in a comparison"),
                    ("gt", "in a comparison"), ("ge", "in a comparison")):
    setattr(TracedNumber, f"__{_name}__", _refuse(f"{_WHAT} {_how}", f"__{_name}__"))
for _symbol, _name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"),
                       ("//", "floordiv"), ("%", "mod"), ("**", "pow")):
    setattr(TracedNumber, f"__{_name}__", _arithmetic(_symbol))
    setattr(TracedNumber, f"__r{_name}__", _arithmetic(_symbol, reflected=True))
TracedNumber.__array__ = _refuse(f"{_WHAT} as an array")


MATH = ("sqrt", "exp", "log", "cos", "sin")


def traced_math(f, name: str):
    """math.<name> as it behaves while tracing: a TracedNumber's value is computed and the
    call recorded (`math.sqrt` reads a float's value without asking it)."""
    def wrapper(x):
        rec = recorder()
        if type(x) is not TracedNumber:
            return f(x)
        value = f(x.value)
        return value if rec is None else rec.number(value, f"math.{name}({x.name})")
    wrapper.__name__ = name
    return wrapper
