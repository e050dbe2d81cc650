"""Argument checks shared by the data tools and the course: one test per kind of argument."""

from __future__ import annotations

import numbers
from typing import Any


def is_positive_int(value: Any) -> bool:
    """True for a whole number ≥ 1 (a Python or numpy integer, never a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def positive_int(value: Any, what: str) -> int:
    """`value` as an int, or a ValueError "`what` must be a positive integer, got …"."""
    if not is_positive_int(value):
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)
