"""Buffer planning for `tg.jit` programs: drop the lines whose results nothing reads
(`prune`), let a result reuse the buffer of one that is no longer needed (`share`), and lay
the buffers left out in one block where those whose lives do not meet overlap (`pack`).

A program line either makes names (`b7 = b3.reshape(...)`, a view or a fresh array), writes
a kept buffer (`np.tanh(b3, out=b5)`: b5 allocated once, at the trace), or has an effect
(an in-place write into state, `b9[0] = b4`, a guard), which is always kept. Buffer b5 may be
reused by a later result of the same shape and dtype once no line reads b5 any more, nor
any name that may be a view of it (every name a line makes counts as a possible view of
every buffer the line reads: safe, if cautious).
"""

from __future__ import annotations

import functools
import re

import numpy as np

NAME = re.compile(r"\bb\d+\b")
MAKES = re.compile(r"^((?:b\d+, )*b\d+,?) = ")
OUT = re.compile(r", out=(b\d+)\)$")


def made(line: str, kind: str) -> set:
    """The names `line` makes (empty for a line kept for its effect)."""
    if kind == "out":
        m = OUT.search(line)
        return {m.group(1)} if m else set()
    m = MAKES.match(line)
    return set(NAME.findall(m.group(1))) if m else set()


FRESH = re.compile(r"^(b\d+) = np\.(?:array|zeros|ones|empty|full)\((?!.*copy=False)")


def fresh(lines: list) -> set:
    """Names of arrays each replay allocates anew (`np.array(...)` copies, `np.zeros`):
    they share memory with nothing and can be handed out without a copy."""
    return {m.group(1) for m in map(FRESH.match, lines) if m}


def uncopy(tail: list, lines: list, fresh_names: set) -> list:
    """`tail` with `bN.copy()` made `bN` for the arrays allocated anew at each replay."""
    new = fresh(lines) | fresh_names
    return [re.sub(r"\b(b\d+)\.copy\(\)",
                   lambda m: m.group(1) if m.group(1) in new else m.group(0), line)
            for line in tail]


TARGET = re.compile(r"^(?:np\.\w+\.at\(|np\.copyto\()?(b\d+)(?:\[.*\] = |\.fill\(|, )")


def writes(line: str, kind: str) -> set:
    """The names whose memory `line` may write, other than a buffer it makes: its `out=`; the
    target of a line kept for its effect (`b9[0] = b4`, `np.add.at(b3, ...)`,
    `np.copyto(b3, ...)`, `b3.fill(0)`); for another such line, cautiously, every name it
    reads."""
    if kind == "out" or line.startswith("if "):
        return set()
    m = re.search(r"out=(\(.*?\)|b\d+)", line)
    if m:
        return set(NAME.findall(m.group(1)))
    if made(line, kind):
        return set()
    m = TARGET.match(line)
    return {m.group(1)} if m else set(NAME.findall(line))


def families(lines: list, kinds: list, fresh_names: set) -> dict:
    """name -> the set of names it may share memory with: a line that makes a view (any line
    making names, but for `out=` and fresh arrays) joins what it makes to what it reads."""
    parent: dict[str, str] = {}

    def root(n):
        while parent.get(n, n) != n:
            n = parent[n]
        return n
    for line, kind in zip(lines, kinds):
        names = made(line, kind)
        if not names or kind == "out" or names & fresh_names or FRESH.match(line):
            continue
        first, *others = {root(n) for n in NAME.findall(line)}
        parent[first] = first
        for r in others:
            parent[r] = first
    groups: dict[str, set] = {}
    for n in parent:
        groups.setdefault(root(n), set()).add(n)
    return {n: groups[root(n)] for n in parent}


def fold(lines: list, kinds: list, kept: dict, namespace: dict, variables: set, tail: list):
    """Compute once, at planning, the lines that read no input, state or number (the seed of
    a backward pass divided by N and broadcast): their results become
    constants of the program, read-only. A line whose result, or a view of it, is written
    later is not folded. The constants are named `k<i>` for `b<i>`. Returns the lines, kinds
    and kept buffers left, the constants, and `tail` with their names."""
    makes = [made(line, kind) for line, kind in zip(lines, kinds)]
    # the names on each line, made ones too: `b2 = s0._data` makes one of `variables`
    reads = [set(OPERAND.findall(line)) | set(NUMBER.findall(line)) for line in lines]
    numbers = set(NUMBER.findall("\n".join(lines)))  # the traced numbers: never constant
    written = set().union(*map(writes, lines, kinds))
    family = families(lines, kinds, set()) if written else {}
    forced: set = set()
    while True:
        variable, const = set(variables) | numbers | forced, []
        for i, names in enumerate(makes):
            if names and not names & forced and not reads[i] & variable:
                const.append(i)
            else:
                variable |= names
        folded = set().union(*(makes[i] for i in const))
        touched = set().union(*(family.get(n, {n}) for n in written)) & folded
        if not touched:
            break
        forced |= touched
    ns = dict(namespace)
    for n in folded & kept.keys():
        ns[n] = allocate(*kept[n])
    exec(compiled("\n".join(lines[i] for i in const), "<jit constants>"), ns)
    constants = {n: ns[n] for n in folded}
    for a in constants.values():
        a.flags.writeable = False
    if folded:
        named = re.compile(r"\bb(" + "|".join(n[1:] for n in folded) + r")\b")
        lines = [named.sub(r"k\1", line) for line in lines]
        tail = [named.sub(r"k\1", line) for line in tail]
    constants = {"k" + n[1:]: a for n, a in constants.items()}
    drop = set(const)
    return ([x for i, x in enumerate(lines) if i not in drop],
            [k for i, k in enumerate(kinds) if i not in drop],
            {n: v for n, v in kept.items() if n not in folded}, constants, tail)


NUMBER = re.compile(r"\bn\d+\b")
OPERAND = re.compile(r"\b[bc]\d+\b")  # a buffer, or a constant (one the program writes varies)
COPY = re.compile(r"^(b\d+) = (?:np\.array\((b\d+), dtype=(c\d+)\)|(b\d+)\.copy\(\))$")


def elide(lines: list, kinds: list, kept: dict, dense: dict, namespace: dict, tail: list):
    """Drop the copies `bY = np.array(bX, dtype=<bX's>)` (a gradient the engine copies for
    `.grad`) when nothing writes bX, bY or a view of either after the copy: bY is bX. If
    the call hands bX out, the line that made bX into its buffer makes it afresh instead,
    so that it needs no copy either. Returns lines, kinds, kept and the names made afresh."""
    family = families(lines, kinds, set())
    later, written = [], set()  # later[i]: what the lines after line i write
    for line, kind in zip(reversed(lines), reversed(kinds)):
        later.append(written)
        written = written | writes(line, kind)
    later.reverse()
    rename, dropped = {}, set()
    for i, line in enumerate(lines):
        m = COPY.match(line)
        if m is None:
            continue
        y, x = m.group(1), rename.get(m.group(2) or m.group(4), m.group(2) or m.group(4))
        if x not in dense or m.group(3) is not None and namespace[m.group(3)] != dense[x][0]:
            continue
        around = family.get(x, {x}) | family.get(y, {y})
        if around & later[i]:
            continue
        for n in around:
            family[n] = around
        rename[y] = x
        dropped.add(i)
    if not rename:
        return lines, kinds, kept, set()
    named = re.compile(r"\b(" + "|".join(rename) + r")\b")
    lines = [named.sub(lambda m: rename[m.group(1)], line)
             for i, line in enumerate(lines) if i not in dropped]
    kinds = [k for i, k in enumerate(kinds) if i not in dropped]
    tail[:] = [named.sub(lambda m: rename[m.group(1)], line) for line in tail]
    handed = set(NAME.findall("\n".join(tail))) & set(rename.values()) & kept.keys()
    kept = {n: v for n, v in kept.items() if n not in handed}
    for j, line in enumerate(lines):
        m = OUT.search(line) if kinds[j] == "out" else None
        if m and m.group(1) in handed:
            lines[j], kinds[j] = f"{m.group(1)} = " + OUT.sub(")", line), "new"
    return lines, kinds, kept, handed


def prune(lines: list, kinds: list, tail: list) -> tuple[list, list]:
    """Lines and kinds without the lines whose names nothing after them reads."""
    live = set(NAME.findall("\n".join(tail)))
    keep = []
    for line, kind in zip(reversed(lines), reversed(kinds)):
        names = made(line, kind)
        if names and not names & live:
            continue
        live |= set(NAME.findall(line))
        keep.append((line, kind))
    keep.reverse()
    return [k[0] for k in keep], [k[1] for k in keep]


ELEMENTWISE = re.compile(r"np\.(?!(?:matmul|vecdot|matvec|vecmat)\()\w+\(")  # not a reduce


def last_reads(lines: list, kinds: list, kept: dict, tail: list, fresh_names: set) -> dict:
    """kept buffer -> the index of the last line that reads it or any name that may be a view
    of it (`len(lines)` for one the tail reads)."""
    roots: dict[str, set] = {}  # name -> the kept buffers it may share memory with
    for line, kind in zip(lines, kinds):
        if kind == "new":
            names = made(line, kind)
            if names and (FRESH.match(line) or names & fresh_names):
                for n in names:
                    roots[n] = set()
            elif names:
                read = set(NAME.findall(line)) - names
                alias = set().union(*(roots.get(n, {n} if n in kept else set()) for n in read))
                for n in names:
                    roots[n] = alias
    last: dict[str, int] = {}
    for i, line in enumerate([*lines, "\n".join(tail)]):
        for n in NAME.findall(line):
            for r in roots.get(n, {n}):
                last[r] = i
    return last


def share(lines: list, kinds: list, kept: dict, tail: list,
          fresh_names: set) -> tuple[list, dict, list]:
    """Rename kept buffers so that a result written with `out=` reuses a buffer of its layout
    (`tracing.layout`) whose last reader came before it, or is this very line if it works
    elementwise (`np.add(b8, b3, out=b8)`: numpy computes an output that overlaps an input
    as if the input had been copied first); return the lines, the buffers left and `tail`,
    renamed alike."""
    last = last_reads(lines, kinds, kept, tail, fresh_names)
    end = len(lines)
    rename: dict[str, str] = {}
    free: dict[tuple, list] = {}  # (shape, dtype) -> [(free after line, buffer name)]
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        if kind != "out":
            continue
        (name,) = made(line, kind) or (None,)
        if name is None or name not in kept or name in rename:
            continue
        slots = free.setdefault(kept[name], [])
        elementwise = ELEMENTWISE.match(line) is not None
        for j, (after, slot) in enumerate(slots):
            if after < i or after == i and elementwise:
                rename[name] = slot
                slots[j] = (last.get(name, end), slot)
                break
        else:
            slots.append((last.get(name, end), name))
    if not rename:
        return lines, kept, tail
    sub = lambda m: rename.get(m.group(0), m.group(0))  # noqa: E731
    return ([NAME.sub(sub, line) for line in lines],
            {n: a for n, a in kept.items() if n not in rename},
            [NAME.sub(sub, line) for line in tail])


ALIGN = 64  # bytes: offsets into the block are multiples of a cache line


def pack(lines: list, kinds: list, kept: dict, tail: list, fresh_names: set):
    """Place the kept buffers in one block of memory: a buffer may take bytes of others of
    any layout whose lives (from the line that first writes it to the last that reads it or
    a view of it) do not meet its own, so the block is smaller than their sum. Largest
    first, each at the lowest offset free for its life. Returns {name: offset} and the
    block's size in bytes."""
    last = last_reads(lines, kinds, kept, tail, fresh_names)
    first: dict[str, int] = {}
    for i, line in enumerate(lines):
        for n in NAME.findall(line):
            first.setdefault(n, i)
    lives = {n: (first.get(n, len(lines)), last.get(n, len(lines)),
                 -(-max(nbytes(kept[n]), 1) // ALIGN) * ALIGN) for n in kept}
    offsets: dict[str, int] = {}
    placed: list[tuple] = []  # (offset, end, first line, last line)
    for n in sorted(lives, key=lambda n: (-lives[n][2], lives[n][0], n)):
        start, stop, size = lives[n]
        offset = 0
        for low, high in sorted((o, e) for o, e, a, b in placed if a <= stop and start <= b):
            if offset + size <= low:
                break
            offset = max(offset, high)
        offsets[n] = offset
        placed.append((offset, offset + size, start, stop))
    return offsets, max((e for _, e, _, _ in placed), default=0)


def nbytes(layout: tuple) -> int:
    shape, dtype, _ = layout
    return int(np.prod(shape)) * np.dtype(dtype).itemsize


def allocate(shape: tuple, dtype, axes: tuple, block: np.ndarray | None = None,
             offset: int = 0) -> np.ndarray:
    """An uninitialised array of the layout `tracing.layout` noted (each program line writes
    a buffer whole before reading it), new or at `offset` bytes into `block`."""
    in_order = axes == tuple(range(len(axes)))
    dims = shape if in_order else [shape[i] for i in axes]
    if block is None:
        a = np.empty(dims, dtype)
    else:
        a = block[offset:offset + nbytes((shape, dtype, axes))].view(dtype).reshape(dims)
    return a if in_order else a.transpose(np.argsort(axes))


@functools.lru_cache(maxsize=256)
def compiled(source: str, filename: str):
    """Python's `compile`, remembered: a step traced again by a new `tg.jit` (a benchmark's
    runs, a function wrapped anew in a loop) makes the same source, compiled once."""
    return compile(source, filename, "exec")
