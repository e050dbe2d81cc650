"""`tg.jit`: trace a function once into a flat program of numpy calls, then replay it.

The first call with given argument shapes and dtypes runs the function eagerly on
`tracing.TracedArray`s, which record every numpy call (forward, backward, optimizer updates,
in-place writes) as one line of Python. The lines become one function, compiled once; later
calls with the same shapes, dtypes and state layout run it: numpy calls only, no Tensor,
node or graph. The state the function reaches through closures and globals (tensors, their
`.grad`, modules, optimizers and their state) is read at the start of each replay and
written back at its end as the eager run left it. See docs/jit.md.
"""

from __future__ import annotations

import functools
import math
import numbers
import threading
import types

import numpy as np

from . import jit_plan, tracing
from .recording import wrap
from .tensor_base import TensorBase
from .tracing import TracedArray, TracedNumber, TraceError

__all__ = ["jit", "TraceError"]

_PATCHED = {"array": np.array, "asarray": np.asarray, "asanyarray": np.asanyarray,
            "ascontiguousarray": np.ascontiguousarray}
_TRACING = threading.RLock()
_CREATION = {"zeros": np.zeros, "ones": np.ones, "empty": np.empty, "full": np.full}
_MATH = {n: getattr(math, n) for n in tracing.MATH}


def jit(fn):
    """`fn`, traced at its first call for each argument signature and replayed after."""
    return Jit(fn)


class Program:
    """A traced program: `source` is the Python of its numpy calls (print it to read it),
    compiled into `compiled`, whose globals hold its constants and, from its first replay
    on, its buffers, views into one block of `nbytes` bytes at the `offsets` planned
    (`jit_plan.pack`): a program that never replays (the first call's, made before any
    `.grad` existed) allocates none. No reference cycle holds a program: its buffers are
    freed with it, not at a later garbage collection."""

    def __init__(self, source: str, compiled, kernels: int, layouts: dict, offsets: dict,
                 nbytes: int):
        self.source, self.compiled, self.kernels = source, compiled, kernels
        self.layouts, self.offsets, self.nbytes = layouts, offsets, nbytes
        self.buffers = len(layouts)

    def function(self, *inputs):
        """The first replay: allocate the buffers, then `compiled` replaces this method."""
        block = np.empty(self.nbytes, np.uint8)
        self.compiled.__globals__.update(
            {n: jit_plan.allocate(*spec, block, self.offsets[n])
             for n, spec in self.layouts.items()})
        self.function = self.compiled
        return self.compiled(*inputs)

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return (f"<jit program: {self.kernels} numpy calls, {self.buffers} buffers kept "
                f"in {self.nbytes} bytes; print it to read the calls>")


class Jit:
    """The callable `tg.jit(fn)` returns (see the module docstring)."""

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(f"jit: expected a function, got {type(fn).__name__}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.program: Program | None = None  # the one traced last
        self.traces = 0
        self.guards: list = []  # (check, program): is the call's layout the program's?
        self.counters: set = set()  # (id(dict), key): numbers of the state a call changes

    @property
    def programs(self) -> list:
        """The programs kept: one per layout of the arguments and the state, the last 8."""
        return [program for _, program in self.guards]

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        if tracing.recorder() is not None:  # called from inside another trace: inlined
            return self.fn(*args, **kwargs)
        for check, program in self.guards:  # the fast path: a layout seen before
            if check(args, kwargs):
                return program.function(*inputs_of(args, kwargs))
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        check_arguments(name, args, kwargs)
        tensors, dicts, lists = find_state(self.fn, args, kwargs)
        check = guard(self.fn, args, kwargs, tensors, dicts, lists, self.counters)
        with _TRACING:  # one trace at a time: numpy's array makers are swapped meanwhile
            program, result, changed = trace(self.fn, name, args, kwargs, tensors, dicts,
                                             self.counters)
        self.traces += 1
        if changed:  # numbers of the state this call changed: traced as numbers from the next
            self.counters |= changed
        else:
            self.program = program
            self.guards = [(check, program), *self.guards[:7]]
        return result


# ------------------------------------------------------------------ keys and state


def check_arguments(name: str, args, kwargs) -> None:
    """Refuse arguments a program cannot take: tensors that require grad, and what is neither
    an array nor a hashable constant (a guard compares constants by value)."""
    for i, (k, a) in enumerate([(None, a) for a in args] + list(kwargs.items())):
        if isinstance(a, TensorBase):
            if a._requires_grad:
                raise TraceError(f"jit: argument {k or i} of {name} requires grad; "
                                 "pass data as arguments and reach parameters through the "
                                 "function's closure (or a module or optimizer it uses)")
        elif not isinstance(a, np.ndarray):
            try:
                hash(a)
            except TypeError:
                raise TraceError(f"jit: argument {k or i} of {name} is a "
                                 f"{type(a).__name__}; a traced function takes tensors, "
                                 "arrays and hashable constants") from None


def inputs_of(args, kwargs) -> list:
    """The arrays of the tensor and array arguments, keywords in sorted order."""
    if kwargs:
        args = (*args, *(kwargs[k] for k in sorted(kwargs)))
    return [a._data if isinstance(a, TensorBase) else a
            for a in args if isinstance(a, (TensorBase, np.ndarray))]


def find_state(fn, args, kwargs) -> tuple[list, list, list]:
    """The tensors, dicts and lists `fn` can reach: through its closure, the globals its code
    names, its arguments, and inside them modules, optimizers, lists, tuples and dicts."""
    found = Reach()
    found.visit_function(fn, 0)
    for a in (*args, *kwargs.values()):  # tensor arguments are inputs, not state
        if not isinstance(a, (TensorBase, np.ndarray)):
            found.visit(a, 0)
    return found.tensors, found.dicts, found.lists


class Reach:
    """What `find_state` has found so far (a class, not closures that call each other: those
    would make a reference cycle holding the state until a garbage collection)."""

    def __init__(self):
        self.tensors, self.dicts, self.lists, self.seen = [], [], [], set()

    def visit(self, obj, depth):
        if id(obj) in self.seen or depth > 8:
            return
        if isinstance(obj, TensorBase):
            self.seen.add(id(obj))
            self.tensors.append(obj)
            return
        if obj is None or isinstance(obj, (numbers.Number, str, bytes, np.ndarray, type,
                                           types.ModuleType)):
            return
        self.seen.add(id(obj))
        if isinstance(obj, dict):
            self.dicts.append(obj)
            for k, v in list(obj.items()):
                self.visit(k, depth + 1)
                self.visit(v, depth + 1)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            if type(obj) is list:
                self.lists.append(obj)
            for v in obj:
                self.visit(v, depth + 1)
        elif isinstance(obj, (types.FunctionType, types.MethodType, functools.partial)):
            self.visit_function(obj, depth + 1)
        elif hasattr(obj, "__dict__") and not callable(getattr(obj, "__get__", None)):
            self.visit(vars(obj), depth + 1)  # a module, an optimizer, an object of the user's

    def visit_function(self, f, depth):
        if isinstance(f, types.MethodType):
            self.visit(f.__self__, depth)
            f = f.__func__
        if isinstance(f, functools.partial):
            self.visit(f.args, depth)
            self.visit(f.keywords, depth)
            f = f.func
        if not isinstance(f, types.FunctionType):
            self.visit(f, depth)  # a callable object (a Module): what it holds
            return
        for cell in f.__closure__ or ():
            try:
                self.visit(cell.cell_contents, depth)
            except ValueError:  # an empty cell
                pass
        for name in code_names(f.__code__):
            if name in f.__globals__:
                self.visit(f.__globals__[name], depth)


def code_names(code) -> set:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= code_names(c)
    return names


def guard(fn, args, kwargs, tensors, dicts, lists, counters):
    """A compiled test that a later call finds the arguments and the state as they are now
    (the same objects, shapes, dtypes, gradients present or not, numbers in dicts, except
    the `counters` a call changes, which the program reads): then the program traced for
    this layout replays. Cheaper than finding the state again."""
    ns, terms = {}, []

    def const(v):
        name = f"o{len(ns)}"
        ns[name] = v
        return name

    def array_terms(src, a):
        terms.append(f"{src}.shape == {a.shape!r} and {src}.dtype == {const(a.dtype)}")

    terms.append(f"len(args) == {len(args)} and len(kwargs) == {len(kwargs)}")
    for i, (k, a) in enumerate([(None, a) for a in args] + list(kwargs.items())):
        src = f"args[{i}]" if k is None else f"kwargs[{k!r}]"
        if k is not None:
            terms.append(f"{k!r} in kwargs")
        if isinstance(a, TensorBase):
            terms.append(f"type({src}) is {const(type(a))} and not {src}._requires_grad")
            array_terms(f"{src}._data", a._data)
        elif isinstance(a, np.ndarray):
            terms.append(f"type({src}) is {const(type(a))}")
            array_terms(src, a)
        else:
            terms.append(f"type({src}) is {const(type(a))} and {src} == {const(a)}")
    f = fn.__func__ if isinstance(fn, types.MethodType) else fn
    for cell in getattr(f, "__closure__", None) or ():
        try:
            terms.append(f"{const(cell)}.cell_contents is {const(cell.cell_contents)}")
        except ValueError:
            pass
    g = getattr(f, "__globals__", {})
    for n in code_names(f.__code__) if hasattr(f, "__code__") else ():
        if n in g:
            terms.append(f"{const(g)}.get({n!r}) is {const(g[n])}")
    for t in tensors:
        src = const(t)
        array_terms(f"{src}._data", t._data)
        terms.append(f"{src}._requires_grad is {t._requires_grad}")
        if t._grad is None:
            terms.append(f"{src}._grad is None")
        else:
            terms.append(f"{src}._grad is not None")
            array_terms(f"{src}._grad._data", t._grad._data)
    for d in dicts:
        src = const(d)
        terms.append(f"len({src}) == {len(d)}")
        for k, v in d.items():
            item = f"{src}.get({const(k)}, {src})"
            if isinstance(v, np.ndarray):
                terms.append(f"type({item}) is {const(type(v))}")
                array_terms(item, v)
            elif (id(d), k) in counters and type(v) in (int, float):
                terms.append(f"type({item}) is {const(type(v))}")
            elif isinstance(v, numbers.Number) or isinstance(v, str):
                terms.append(f"type({item}) is {const(type(v))} and {item} == {const(v)}")
            else:
                terms.append(f"{item} is {const(v)}")
    for x in lists:
        src = const(x)
        terms.append(f"len({src}) == {len(x)}")
        terms += [f"{src}[{i}] is {const(v)}" for i, v in enumerate(x)]
    source = "def check(args, kwargs):\n    return (" + "\n            and ".join(terms) + ")\n"
    exec(jit_plan.compiled(source, "<jit guard>"), ns)
    return ns.pop("check")  # not left in its own globals: no cycle


# ------------------------------------------------------------------ tracing


def trace(fn, name, args, kwargs, tensors, dicts, counters):
    """Run `fn` once on recording arrays, and the `counters` among the numbers of the state
    on recording numbers; return its Program, what the call returns, and the numbers of the
    state the call changed that were not counters yet (then the Program is None: it would
    freeze them)."""
    rec = tracing.Recorder(name)
    params, prologue = [], []

    def traced_input(a):
        t = rec.new(a.view(TracedArray))
        params.append(t.name)
        return t

    targs = [wrap(traced_input(a._data)) if isinstance(a, TensorBase)
             else traced_input(a) if isinstance(a, np.ndarray) else a for a in args]
    tkwargs = {k: wrap(traced_input(kwargs[k]._data)) if isinstance(kwargs[k], TensorBase)
               else traced_input(kwargs[k]) if isinstance(kwargs[k], np.ndarray) else kwargs[k]
               for k in sorted(kwargs)}

    swapped = []  # (holder, attribute or key, plain array, traced view)

    def swap(holder, key, where, is_dict=False):
        plain = holder[key] if is_dict else getattr(holder, key)
        t = rec.number(plain) if is_dict and type(plain) in (int, float) else \
            rec.new(plain.view(TracedArray))
        prologue.append(f"{t.name} = {where}")
        swapped.append((holder, key, plain, t, is_dict))
        if is_dict:
            holder[key] = t
        else:
            setattr(holder, key, t)

    grads = []
    for i, t in enumerate(tensors):
        rec.namespace[f"s{i}"] = t
        swap(t, "_data", f"s{i}._data")
        grads.append(t._grad)
        if t._grad is not None:
            swap(t._grad, "_data", f"s{i}._grad._data")
    before = [dict(d) for d in dicts]
    for j, d in enumerate(dicts):
        rec.namespace[f"d{j}"] = d
        for k, v in list(d.items()):
            if type(v) is np.ndarray or (id(d), k) in counters and type(v) in (int, float):
                swap(d, k, f"d{j}[{rec.source(k)}]", is_dict=True)

    tracing.start(rec)
    for n, f in _PATCHED.items():
        setattr(np, n, tracing.traced_array(f, n))
    for n, f in _CREATION.items():
        setattr(np, n, tracing.traced_creation(f, n))
    for n, f in _MATH.items():
        setattr(math, n, tracing.traced_math(f, n))
    try:
        result = fn(*targs, **tkwargs)
    except BaseException:
        for d in dicts:  # a number the failed call left traced: its value
            for k, v in d.items():
                if type(v) is TracedNumber:
                    d[k] = v.value
        raise
    finally:
        tracing.start(None)
        for n, f in (*_PATCHED.items(), *_CREATION.items()):
            setattr(np, n, f)
        for n, f in _MATH.items():
            setattr(math, n, f)
        for holder, key, plain, t, is_dict in swapped:  # unchanged state: plain again
            if is_dict:
                if holder.get(key) is t:
                    holder[key] = plain
            elif getattr(holder, key) is t:
                setattr(holder, key, plain)

    epilogue = []
    for i, t in enumerate(tensors):
        if type(t._data) is not np.ndarray:
            src, t._data = materialize(t._data, rec, name)
            epilogue.append(f"s{i}._data = {src}")
        g = t._grad
        if g is not grads[i] or (g is not None and type(g._data) is not np.ndarray):
            if g is not None and g.grad_fn is not None:
                raise TraceError(f"jit: {name} leaves a gradient that has a graph "
                                 "(create_graph=True); the program cannot rebuild graphs")
            src, t._grad = materialize(g, rec, name)
            epilogue.append(f"s{i}._grad = {src}")
    changed = set()
    for j, d in enumerate(dicts):
        old = before[j]
        for k in list(d):
            v = d[k]
            if k in old and old[k] is v and type(v) is not TracedArray:
                continue
            if type(v) is TracedNumber:
                pass  # a counter: the program computes its new value
            elif type(old.get(k)) in (int, float) and type(v) in (int, float):
                changed.add((id(d), k))  # a counter (a step count): traced from the next call
            elif isinstance(v, numbers.Number) or isinstance(old.get(k), numbers.Number):
                raise TraceError(
                    f"jit: {name} replaces the entry {k!r} of the state of a module or "
                    f"optimizer, {old.get(k)!r}, by {v!r}; a program can change a number "
                    "kept in the state, not make it or replace it by something else")
            src, d[k] = materialize(v, rec, name)
            epilogue.append(f"d{j}[{rec.source(k)}] = {src}")
        for k in old:
            if k not in d:
                epilogue.append(f"del d{j}[{rec.source(k)}]")
    ret_src, ret = materialize(result, rec, name)
    if changed:
        return None, ret, changed

    rec.namespace["wrap"] = wrap
    resets = [f"np.copyto({src}, {rec.constant(init)})" for src, init in rec.resets]
    tail = epilogue + [f"return {ret_src}"]
    lines, kinds = prologue + rec.lines, ["new"] * len(prologue) + rec.kinds
    variables = (set(params) | {t.name for *_, t, _ in swapped if type(t) is TracedArray}
                 | {src for src, _ in rec.resets})
    lines, kinds, kept, constants, tail = jit_plan.fold(lines, kinds, rec.kept, rec.namespace,
                                                        variables, tail)
    lines, kinds = jit_plan.prune(lines, kinds, tail)
    lines, kinds, kept, fresh = jit_plan.elide(lines, kinds, kept, rec.dense,
                                               rec.namespace, tail)
    lines, kept, tail = jit_plan.share(lines, kinds, kept, tail, fresh)
    tail = jit_plan.uncopy(tail, lines, fresh)
    body = resets + lines + tail
    source = (f"def {safe(name)}({', '.join(params)}):\n" +
              "".join(f"    {line}\n" for line in body))
    namespace = dict(rec.namespace)
    namespace.update(constants)
    namespace["__name__"] = __name__  # numpy's warnings from the program: silenced as eager's
    exec(jit_plan.compiled(source, f"<jit program of {name}>"), namespace)
    calls = sum(1 for line in lines if "(" in line and not line.startswith("if "))
    offsets, nbytes = jit_plan.pack(lines, kinds, kept, tail, fresh)
    program = Program(source, namespace.pop(safe(name)), calls, kept, offsets, nbytes)
    return program, ret, changed


def safe(name: str) -> str:
    s = "".join(c if c.isalnum() else "_" for c in name)
    return s if s[:1].isalpha() else "f_" + s


def materialize(v, rec, name) -> tuple[str, object]:
    """Source that rebuilds `v` from the buffers at the end of a replay (arrays copied, so
    what a call hands out never changes under the next call), and `v` rebuilt now. What
    holds no traced array is kept as it is, by reference."""
    if not holds_traced(v):
        return ("None" if v is None else rec.source(v)), v
    if type(v) is TracedArray:
        return f"{rec.source(v)}.copy()", v.view(np.ndarray).copy()
    if type(v) is TracedNumber:
        return v.name, v.value
    if isinstance(v, TensorBase):
        src, data = materialize(v._data, rec, name)
        return f"wrap({src})", wrap(data)
    if isinstance(v, np.ndarray):
        return f"{rec.source(v)}.copy()", v.copy()
    if isinstance(v, (tuple, list)):
        parts = [materialize(x, rec, name) for x in v]
        src = ", ".join(p[0] for p in parts)
        if type(v) is tuple:
            return f"({src},)", tuple(p[1] for p in parts)
        return f"[{src}]", [p[1] for p in parts]
    if isinstance(v, dict):
        parts = {k: materialize(x, rec, name) for k, x in v.items()}
        src = ", ".join(f"{rec.source(k)}: {p[0]}" for k, p in parts.items())
        return "{" + src + "}", {k: p[1] for k, p in parts.items()}
    if v is None or isinstance(v, (numbers.Number, str)):
        return rec.source(v), v
    raise TraceError(f"jit: {name} returns or keeps a {type(v).__name__}; a traced "
                     "function returns tensors, arrays, numbers and tuples, lists or dicts "
                     "of them")


def holds_traced(v, depth: int = 0) -> bool:
    if type(v) in (TracedArray, TracedNumber):
        return True
    if isinstance(v, TensorBase):
        return type(v._data) is TracedArray
    if depth < 6 and isinstance(v, (tuple, list)):
        return any(holds_traced(x, depth + 1) for x in v)
    if depth < 6 and isinstance(v, dict):
        return any(holds_traced(x, depth + 1) for x in v.values())
    return False
