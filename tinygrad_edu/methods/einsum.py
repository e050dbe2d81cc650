"""`tg.einsum` with PyTorch's equations, and `tg.tensordot`, which is one einsum.

An equation names each operand's axes by letters ("ij,jk->ik"): a letter shared by operands
runs over the same index, and letters missing from the output (after "->") are summed. "..."
stands for the axes not named (aligned from the right, broadcasting); without "->", the output
is "..." then the letters used once, in alphabetical order. Here the equation is rewritten
with letters only, once, and the primitive `ops.linalg.Einsum` takes it from there.
"""

from __future__ import annotations

from collections import Counter

from .. import arguments
from ..arguments import RuntimeValueError, describe, same_dtype
from ..ops import linalg as la
from ..recording import apply, as_tensor
from ..tensor_base import TensorBase


def einsum(equation: str, *operands) -> TensorBase:
    """Σ of products of the operands' entries, as the equation says (see the module).

    >>> tg.einsum("ij,jk->ik", a, b)        # a @ b
    >>> tg.einsum("bii->b", x)              # the trace of each matrix
    >>> tg.einsum("...ij,...j", [A, v])     # operands in a list too, as PyTorch allows
    >>> tg.einsum(a, [0, 1], b, [1, 2], [0, 2])  # PyTorch's sublists: ints for letters
    """
    if isinstance(equation, TensorBase):
        equation, operands = sublists(equation, *operands)
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {describe(equation)}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [as_tensor(x, "einsum") for x in operands]
    same_dtype("einsum", *xs)
    subscripts, output = parse(equation, [x.shape for x in xs])
    return apply(la.Einsum(subscripts, output), *xs)


def sublists(*args) -> tuple:
    """(equation, operands) of einsum(x₁, s₁, x₂, s₂, …[, output]), each s a list of ints in
    [0, 52) naming axes (Ellipsis for "...")."""
    def term(sub) -> str:
        if not isinstance(sub, (list, tuple)):
            raise TypeError(f"einsum: expected a list of subscripts, got {describe(sub)}")
        for i in sub:
            if i is not Ellipsis and (isinstance(i, bool) or not isinstance(i, int)
                                      or not 0 <= i < len(la.LETTERS)):
                raise RuntimeValueError(f"einsum: a subscript must be an int in [0, 52) or "
                                    f"Ellipsis, got {i!r}")
        return "".join("..." if i is Ellipsis else la.LETTERS[i] for i in sub)

    operands, terms = args[0::2], args[1::2]
    output = None
    if len(args) % 2:  # the last argument is the output's sublist
        operands, output = operands[:-1], args[-1]
    equation = ",".join(term(s) for s in terms)
    if output is not None:
        equation += "->" + term(output)
    return equation, operands


def parse(equation: str, shapes: list) -> tuple:
    """(subscripts of each operand, subscripts of the output), letters only: "..." becomes
    letters the equation does not use, and an implicit output is made explicit."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeValueError(f"einsum: the equation {equation!r} names {len(terms)} operand(s), "
                                f"{len(shapes)} given")
    for i, ch in enumerate(equation):
        if not (ch.isascii() and ch.isalpha()) and ch not in ".,->":
            raise RuntimeValueError(f"einsum: invalid subscript {ch!r} at index {i} of "
                                    f"{equation!r}: subscripts are letters a-z, A-Z")
    unused = iter(sorted(set(la.LETTERS) - set(equation)))
    spans = [_ellipsis_dims(term, shape) for term, shape in zip(terms, shapes)]
    ellipsis = "".join(next(unused) for _ in range(max(spans, default=0)))
    subscripts = tuple(term.replace("...", ellipsis[len(ellipsis) - n:])
                       for term, n in zip(terms, spans))
    counts = Counter("".join(subscripts))
    if arrow:
        output = rhs.replace("...", ellipsis)
        if "." in output:
            raise RuntimeValueError(f"einsum: a '.' outside an ellipsis in {equation!r}")
        for letter in output:
            if output.count(letter) > 1:
                raise RuntimeValueError(f"einsum: output subscript {letter} appears more than once "
                                        f"in {equation!r}")
            if letter not in counts:
                raise RuntimeValueError(f"einsum: output subscript {letter} is not a subscript "
                                        f"of any operand in {equation!r}")
    else:
        output = ellipsis + "".join(sorted(c for c, n in counts.items()
                                           if n == 1 and c not in ellipsis))
    _check_sizes(equation, subscripts, shapes)
    return subscripts, output


def _ellipsis_dims(term: str, shape: tuple) -> int:
    """How many axes the "..." of `term` stands for (0 without one)."""
    named = term.replace("...", "")
    if "." in named or term.count("...") > 1:
        raise RuntimeValueError(f"einsum: a '.' outside a single ellipsis in {term!r}")
    if "..." not in term:
        if len(named) != len(shape):
            raise RuntimeValueError(f"einsum: {term!r} names {len(named)} axes, but its operand "
                                    f"has shape {shape}, and no ellipsis was given")
        return 0
    if len(named) > len(shape):
        raise RuntimeValueError(f"einsum: {term!r} names {len(named)} axes, more than its "
                                f"operand of shape {shape} has")
    return len(shape) - len(named)


def _check_sizes(equation: str, subscripts: tuple, shapes: list) -> None:
    """Refuse a letter whose sizes neither agree nor broadcast (1 against n), and a letter
    repeated within one operand over axes of different sizes."""
    sizes = {}
    for i, (term, shape) in enumerate(zip(subscripts, shapes)):
        own = {}
        for letter, n in zip(term, shape):
            if own.setdefault(letter, n) != n:
                raise RuntimeValueError(f"einsum: subscript {letter} is repeated in operand {i} "
                                        f"over sizes {own[letter]} and {n} ({equation!r})")
            seen = sizes.setdefault(letter, n)
            if n != seen and 1 not in (n, seen):
                raise RuntimeValueError(f"einsum: subscript {letter} has size {n} in operand {i}, "
                                        f"which does not broadcast with size {seen} "
                                        f"({equation!r}, shapes {shapes})")
            sizes[letter] = max(seen, n)


def tensordot(a, b, dims=2, *, op: str = "tensordot") -> TensorBase:
    """Σ over `dims` pairs of axes of a and b: an int n pairs a's last n axes with b's first
    n; a pair of lists ([a's axes], [b's axes]) names them. The result has a's other axes,
    then b's."""
    a, b = as_tensor(a, op), as_tensor(b, op)
    same_dtype(op, a, b)
    if isinstance(dims, bool) or not isinstance(dims, (int, list, tuple)):
        raise TypeError(f"{op}: dims must be an int or a pair of lists of ints, "
                        f"got {describe(dims)}")
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise RuntimeValueError(f"{op}: dims must lie in [0, {min(a.ndim, b.ndim)}] for shapes "
                                    f"{a.shape} and {b.shape}, got {dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        if len(dims) != 2 or not all(isinstance(d, (list, tuple)) for d in dims):
            raise TypeError(f"{op}: dims must be an int or a pair of lists of ints, "
                            f"got {dims!r}")
        dims_a, dims_b = dims
        if len(dims_a) != len(dims_b):
            raise RuntimeValueError(f"{op}: both lists of dims must have the same length, got "
                                    f"{dims!r}")
    axes_a = arguments.dims(op, tuple(dims_a), a.ndim) if dims_a else ()
    axes_b = arguments.dims(op, tuple(dims_b), b.ndim) if dims_b else ()
    letters = iter(la.LETTERS)
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise RuntimeValueError(f"{op}: contracted dims must match, but a has size "
                                    f"{a.shape[i]} in dim {i} and b has size {b.shape[j]} in "
                                    f"dim {j}")
        sub_b[j] = sub_a[i]
    output = ([s for i, s in enumerate(sub_a) if i not in axes_a]
              + [s for j, s in enumerate(sub_b) if j not in axes_b])
    return apply(la.Einsum(("".join(sub_a), "".join(sub_b)), "".join(output)), a, b)
