"""Cast rows: a float tensor converted to another float dtype stays in the graph, its
gradient cast back to the input's dtype (`ops.Cast`). The inputs are on the grid of
quarters, which float16 and float32 hold exactly, as they do the neighbours ±¼ that
gradcheck steps to (`Op.step`), so the central differences of a cast are exact."""

import numpy as np
from strategies import GRID

import tinygrad_edu as tg

from .rows import unary


def cast(name, fn, dtype):
    dtype = np.dtype(dtype)
    return unary(name, fn, lambda a: a.astype(dtype), GRID, d1=np.ones_like, dtype=dtype)


ROWS = [
    cast("float", lambda x: x.float(), tg.float32),
    cast("half", lambda x: x.half(), tg.float16),
    cast("double", lambda x: x.double(), tg.float64),
    cast("to(float32)", lambda x: x.to(tg.float32), tg.float32),
    cast("to(cpu, float16)", lambda x: x.to("cpu", tg.float16), tg.float16),
    cast("to(copy=True)", lambda x: x.to(tg.float64, copy=True), tg.float64),
    cast("type(float32)", lambda x: x.type(tg.float32), tg.float32),
    cast("type_as", lambda x: x.type_as(tg.zeros(1, dtype=tg.float16)), tg.float16),
    cast("half.float", lambda x: x.half().float(), tg.float32),
]
