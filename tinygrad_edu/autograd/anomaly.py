"""`detect_anomaly`: stop at the first operation whose output or gradient is NaN or inf."""

from __future__ import annotations

import numpy as np

from .grad_mode import is_grad_enabled, set_modes


class detect_anomaly:
    """Context manager: a NaN or inf produced in forward or backward raises RuntimeError
    at once, naming the operation that produced it. Only in the calling thread."""

    def __enter__(self):
        self._prev = set_modes(is_grad_enabled(), True)[1]
        return self

    def __exit__(self, *exc):
        set_modes(is_grad_enabled(), self._prev)
        return False


def _bad(values) -> str | None:
    """'nan' or 'inf' when a float array holds such a value, else None."""
    arr = np.asarray(getattr(values, "data", values))
    if arr.dtype.kind != "f" or np.isfinite(arr).all():
        return None
    return "nan" if np.isnan(arr).any() else "inf"


def check_forward(fn, out) -> None:
    kind = _bad(out)
    if kind:
        raise RuntimeError(
            f"detect_anomaly: forward of {type(fn).__name__} produced {kind} values "
            f"(output shape {np.shape(out)})"
        )


def check_backward(fn, grads) -> None:
    for i, g in enumerate(grads if type(grads) is tuple else (grads,)):  # one, or one per input
        kind = _bad(g) if g is not None else None
        if kind:
            raise RuntimeError(
                f"detect_anomaly: {fn.name} returned {kind} values in its gradient "
                f"for input {i} (shape {np.shape(getattr(g, 'data', g))})"
            )
