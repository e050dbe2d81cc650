"""Buffer planning for `tg.jit` programs: drop the lines whose results nothing reads
(`prune`), then let a result reuse the buffer of one that is no longer needed (`share`).

A program line either makes names (`b7 = b3.reshape(...)`, a view or a fresh array), writes
a kept buffer (`np.tanh(b3, out=b5)`: b5 allocated once, at the trace), or has an effect
(an in-place write into state, `b9[0] = b4`, a guard), which is always kept. Buffer b5 may be
reused by a later result of the same shape and dtype once no line reads b5 any more, nor
any name that may be a view of it (every name a line makes counts as a possible view of
every buffer the line reads: safe, if cautious).
"""

from __future__ import annotations

import re

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


def uncopy(tail: list, lines: list) -> list:
    """`tail` with `bN.copy()` made `bN` for the arrays allocated anew at each replay."""
    new = fresh(lines)
    return [re.sub(r"\b(b\d+)\.copy\(\)",
                   lambda m: m.group(1) if m.group(1) in new else m.group(0), line)
            for line in tail]


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


def share(lines: list, kinds: list, kept: dict, tail: list) -> tuple[list, dict]:
    """Rename kept buffers so that a result written with `out=` reuses a buffer of its shape
    and dtype whose last reader came before it; return the lines and the buffers left."""
    roots: dict[str, set] = {}  # name -> the kept buffers it may share memory with
    for line, kind in zip(lines, kinds):
        if kind == "new":
            names = made(line, kind)
            if names and FRESH.match(line):
                for n in names:
                    roots[n] = set()
            elif names:
                read = set(NAME.findall(line)) - names
                alias = set().union(*(roots.get(n, {n} if n in kept else set()) for n in read))
                for n in names:
                    roots[n] = alias
    last: dict[str, int] = {}
    end = len(lines)
    for i, line in enumerate(lines):
        for n in NAME.findall(line):
            for r in roots.get(n, {n}):
                last[r] = i
    for n in NAME.findall("\n".join(tail)):
        for r in roots.get(n, {n}):
            last[r] = end
    rename: dict[str, str] = {}
    free: dict[tuple, list] = {}  # (shape, dtype) -> [(free after line, buffer name)]
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        if kind != "out":
            continue
        (name,) = made(line, kind) or (None,)
        if name is None or name not in kept or name in rename:
            continue
        a = kept[name]
        slots = free.setdefault((a.shape, a.dtype.str), [])
        for j, (after, slot) in enumerate(slots):
            if after < i:
                rename[name] = slot
                slots[j] = (last.get(name, end), slot)
                break
        else:
            slots.append((last.get(name, end), name))
    if not rename:
        return lines, kept
    sub = lambda m: rename.get(m.group(0), m.group(0))  # noqa: E731
    lines = [NAME.sub(sub, line) for line in lines]
    return lines, {n: a for n, a in kept.items() if n not in rename}
