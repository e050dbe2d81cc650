"""Version counters: how many times a memory buffer has been changed in place.

A counter belongs to the buffer, not to the Tensor object, so a tensor, its views and its
detached aliases share one (as in PyTorch, where views share their base's counter). Forward
records nothing: a node's sequence number already dates what it saved, so each buffer keeps
the sequence numbers of its recent writes, and the backward pass asks "was this buffer
written after the node that saved it was recorded?" only for nodes older than the newest
write anywhere, which in a normal training step is none of them.
"""

from __future__ import annotations

import itertools
import weakref
from bisect import bisect_right

import numpy as np

# one clock for the recorded nodes and the in-place writes: the backward pass runs nodes in
# reverse order of it, and a write dates after every node that saw the old value
sequence = itertools.count()
HISTORY = 1024  # writes remembered per buffer; older ones are only counted


class _Counter:
    """A buffer's writes: its version is `dropped + len(writes)`."""

    __slots__ = ("dropped", "writes", "op")

    def __init__(self):
        self.dropped = 0  # writes no longer in `writes`
        self.writes = []  # sequence numbers of the latest in-place writes, ascending
        self.op = ""  # the in-place operation that made the latest write


_counters: dict[int, _Counter] = {}  # id(buffer owner) -> its counter, dropped with the owner
last_write = -1  # sequence number of the newest in-place write to any buffer


def owner(a: np.ndarray) -> np.ndarray:
    """The array that owns `a`'s memory (`a` itself unless `a` is a view)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def version(a: np.ndarray) -> int:
    """How many in-place writes `a`'s memory has had."""
    c = _counters.get(id(owner(a)))
    return 0 if c is None else c.dropped + len(c.writes)


def bump(a: np.ndarray, op: str) -> None:
    """Record that `op`, an in-place operation, wrote into `a` now: the write takes the next
    sequence number."""
    global last_write
    seq = next(sequence)
    try:
        c = _counters[id(a)]  # `a` owns its memory and was written before: the usual case
    except KeyError:
        mem = owner(a)
        c = _counters.get(id(mem))
        if c is None:
            c = _counters[id(mem)] = _Counter()
            weakref.finalize(mem, _counters.pop, id(mem), None)
    c.op = op
    writes = c.writes
    writes.append(seq)
    if len(writes) > HISTORY:
        c.dropped += HISTORY // 2
        del writes[: HISTORY // 2]
    last_write = seq


def check(fn, out: np.ndarray) -> None:
    """Raise if a value that node `fn`'s rule reads for a needed gradient (or an array it
    keeps, `fn.kept`) was changed in place after `fn` was recorded, naming the node, the
    value, the in-place operation and both versions."""
    positions = fn.saved_positions
    if positions is None:
        positions = [(i, None) for i in range(-1, len(fn.saved))]
    needs = fn.needs_input_grad
    values = [("its output" if i < 0 else f"its input {i}", out if i < 0 else fn.saved[i])
              for i, users in positions
              if users is None or any(needs[u] for u in users)]  # a gradient needed reads it
    values += [("its index", a) for a in fn.kept]
    for what, a in values:
        if not isinstance(a, np.ndarray):
            continue
        c = _counters.get(id(owner(a)))
        if c is None or c.writes[-1] < fn.seq:
            continue
        now, then = c.dropped + len(c.writes), c.dropped + bisect_right(c.writes, fn.seq)
        if then == c.dropped > 0:  # saved before the writes it remembers
            then = f"{then} or earlier"
        raise RuntimeError(
            f"{fn.name}: {what} (shape {a.shape}), saved for the backward pass, was changed "
            f"by an in-place operation ({c.op}): it is at version {now}, but it was "
            f"saved at version {then}; use an out-of-place operation or .clone() instead"
        )


def before(t, seq: int):
    """The tensor that `t` was when node `seq` used it: later recorded in-place operations
    give `t` a new grad_fn, and each keeps the tensor it replaced as `fn.replaced`, until a
    backward pass without retain_graph frees the node (then `t` is returned, and reaching its
    freed node raises the usual error)."""
    fn = t.grad_fn
    # only nodes of in-place changes set `replaced` (a slot that may be unset, hence getattr)
    while fn is not None and fn.seq > seq and getattr(fn, "replaced", None) is not None:
        t = fn.replaced
        fn = t.grad_fn
    return t
