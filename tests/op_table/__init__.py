"""The op table: one row per operation, every test dimension a column (see `rows.Op`), one
file of rows per family of ops, as in tinygrad_edu/ops. A new op is a new row in its family's
file; every test that needs one of the row's columns picks it up."""

from . import casts, conv, elementwise, linalg, losses, movement, reduce
from .rows import M, Op, draw_call

OPS = [*elementwise.ROWS, *reduce.ROWS, *movement.ROWS, *linalg.ROWS, *losses.ROWS,
       *casts.ROWS, *conv.ROWS]
