"""How a tensor prints: PyTorch's format (`tensor([1.0000, 2.5000])`), and
`set_printoptions` to change it.

The rules are PyTorch's: one format for all the elements of a float tensor, chosen from
the nonzero finite ones (whole numbers print as `1.`, a spread beyond 10³ or values
beyond 10⁸ or below 10⁻⁴ switch to scientific notation, else `precision` decimals), each
right-aligned to the widest; more than `threshold` elements print only `edgeitems` at each
end of each dimension; rows wrap at `linewidth`. A non-default dtype prints as
`dtype=tinygrad_edu.float64` (PyTorch: `torch.float64`), followed by `grad_fn=<...>` or
`requires_grad=True`.
"""

from __future__ import annotations

import math

import numpy as np

from . import dtypes, tracing
from .tensor_base import FreedValue

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
options = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Change how tensors print, as `torch.set_printoptions`: `precision` decimals,
    summarise beyond `threshold` elements keeping `edgeitems` per end, wrap at `linewidth`,
    `sci_mode` True/False forces scientific notation on or off (None: automatic);
    `profile` "default", "short" or "full" resets all of them first."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {tuple(_PROFILES)}, "
                             f"got {profile!r}")
        options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            options[name] = value
    options["sci_mode"] = sci_mode


class Formatter:
    """One format for every element of a tensor, as PyTorch's `_Formatter`."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        precision = options["precision"]
        if not self.floating:
            for v in values.ravel().tolist():
                self.width = max(self.width, len(str(v)))
            return
        flat = values.ravel().astype(np.float64)
        nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if not nonzero.size:
            return
        big, small = np.abs(nonzero).max(), np.abs(nonzero).min()
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        self.sci_mode = (big / small > 1000.0 or big > 1.0e8 or small < 1.0e-4) \
            if options["sci_mode"] is None else options["sci_mode"]
        if self.sci_mode:
            texts = [f"{v:.{precision}e}" for v in nonzero.tolist()]
        elif self.int_mode:
            texts = [f"{v:.0f}." for v in nonzero.tolist()]
        else:
            texts = [f"{v:.{precision}f}" for v in nonzero.tolist()]
        self.width = max(len(t) for t in texts)

    def format(self, v) -> str:
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:.{options['precision']}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{options['precision']}f}"
        return text.rjust(self.width)


def summarized(a: np.ndarray) -> np.ndarray:
    """The first and last `edgeitems` along each dimension (what a summary shows)."""
    k = options["edgeitems"]
    for axis in range(a.ndim):
        if a.shape[axis] > 2 * k:
            a = np.concatenate([a.take(range(k), axis),
                                a.take(range(a.shape[axis] - k, a.shape[axis]), axis)], axis)
    return a


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: Formatter) -> str:
    per_line = max(1, (options["linewidth"] - indent) // (fmt.width + 2))
    k = options["edgeitems"]
    if summarize and a.shape[0] > 2 * k:
        items = ([fmt.format(v) for v in a[:k].tolist()] + [" ..."]
                 + [fmt.format(v) for v in a[-k:].tolist()])
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(a: np.ndarray, indent: int, summarize: bool, fmt: Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    k, n = options["edgeitems"], a.shape[0]
    if summarize and n > 2 * k:
        rows = ([_nested(a[i], indent + 1, summarize, fmt) for i in range(k)] + ["..."]
                + [_nested(a[i], indent + 1, summarize, fmt) for i in range(n - k, n)])
    else:
        rows = [_nested(a[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """Append ", suffix" for each, on a new line when the line would pass `linewidth`."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last + len(suffix) + 2 > options["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(parts) + ")"


def dtype_name(d: np.dtype) -> str:
    return f"tinygrad_edu.{'bool' if d == dtypes.bool_ else d}"


def tensor_repr(data: np.ndarray, grad_fn, requires_grad: bool, prefix: str = "tensor(") -> str:
    """`tensor(values, dtype=..., grad_fn=<...>)` as PyTorch prints it."""
    if type(data) is not np.ndarray:  # refused inside a function tg.jit traces
        tracing.refuse_read(data, "printing a tensor")
        if type(data) is FreedValue:  # reached through a graph (tensor_base)
            return (f"{prefix}<value freed>, size={data.shape}, "
                    f"dtype={dtype_name(data.dtype)}, grad_fn=<{grad_fn.name}>)")
    indent = len(prefix)
    suffixes = []
    default = data.dtype in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_)
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={data.shape}")
        if data.dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={dtype_name(data.dtype)}")
        body = "[]"
    else:
        if not default:
            suffixes.append(f"dtype={dtype_name(data.dtype)}")
        summarize = data.size > options["threshold"]
        values = data.astype(np.float32) if data.dtype == dtypes.float16 else data
        fmt = Formatter(summarized(values) if summarize else values)
        body = _nested(values, indent, summarize, fmt)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + body, suffixes, indent)
