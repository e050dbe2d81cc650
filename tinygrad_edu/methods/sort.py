"""Reductions that choose elements (the `Selections` mixin of `Tensor`): sort, argsort, topk,
kthvalue, median, mode, cummax, cummin, unique, and the (values, indices) of max / min.

Each finds its indices with numpy, outside the graph, and takes its values as x at those
indices (`pick`, an indexing node): so the gradient of the values goes back to the chosen
places, repeated places adding up (cummax), as PyTorch's value-selecting backward. Indices
are int64 tensors without a gradient.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import arguments, ops, return_types
from ..arguments import RuntimeValueError, check_nonempty
from ..recording import apply, apply1, wrap
from ..tensor_base import TensorBase


def pick(x: TensorBase, idx: np.ndarray, axis: int, keepdim: bool = True) -> TensorBase:
    """x's values at `idx` along `axis` (np.take_along_axis; `idx` has x's shape but along
    axis), recorded as x[index]; without `keepdim`, a size-1 axis of idx is dropped."""
    index = list(np.ix_(*(np.arange(n) for n in idx.shape)))
    index[axis] = idx
    if not keepdim:
        index = [np.squeeze(i, axis) for i in index]
    return apply(ops.GetItem(tuple(index)), x)


def order(a: np.ndarray, axis: int, descending: bool = False) -> np.ndarray:
    """The stable sorting permutation along `axis`, NaN counting as the largest value (as
    PyTorch): descending keeps equal values in their order too, by sorting the reversed
    array ascending and reversing the result."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    back = ops.scan.reverse(axis)
    return (a.shape[axis] - 1 - np.argsort(a[back], axis=axis, kind="stable"))[back]


def _is_nan(a: np.ndarray) -> np.ndarray:
    return a != a  # for every dtype: only a NaN differs from itself


def _index(i: np.ndarray) -> TensorBase:
    return wrap(np.asarray(i, dtype=np.int64))


class Selections:
    """Sorting, order statistics and running extremes along one dim."""

    __slots__ = ()

    def _one_dim(self, name: str, dim) -> int | None:
        """The axis of `dim`, or None for a 0-d tensor (which accepts dim 0 and -1)."""
        axes = arguments.dim(name, dim, self.ndim)
        return axes[0] if axes else None

    def _along(self, name: str, dim, keepdim: bool, positions) -> tuple:
        """(values, indices) at `positions(a, axis)` (kept along axis) of each slice."""
        axis = self._one_dim(name, dim)
        if axis is None:
            return apply1(ops.Clone(), self), _index(0)
        check_nonempty(name, self.shape, (axis,))
        idx = positions(self._data, axis)
        indices = idx if keepdim else np.squeeze(idx, axis)
        return pick(self, idx, axis, keepdim), _index(indices)

    def sort(self, dim=-1, descending=False, stable=False):
        """(values, indices) along `dim`, ascending unless `descending`; always stable, NaN
        largest, as PyTorch."""
        axis = self._one_dim("sort", dim)
        if axis is None:
            return return_types.sort(apply1(ops.Clone(), self), _index(0))
        idx = order(self._data, axis, bool(descending))
        return return_types.sort(pick(self, idx, axis), _index(idx))

    def argsort(self, dim=-1, descending=False, stable=False):
        """The indices that sort `dim` (stable, NaN largest)."""
        axis = self._one_dim("argsort", dim)
        return _index(0 if axis is None else order(self._data, axis, bool(descending)))

    def topk(self, k, dim=-1, largest=True, sorted=True):
        """The k largest (smallest unless `largest`) along `dim`, as (values, indices) in
        sorted order; among equal values the first one comes first."""
        axis = self._one_dim("topk", dim)
        n = 1 if axis is None else self.shape[axis]
        _check_k("topk", k, 0, n)
        if axis is None:
            return return_types.topk(apply1(ops.Clone(), self), _index(0))
        idx = order(self._data, axis, bool(largest))
        idx = idx[(slice(None),) * axis + (slice(0, k),)]
        return return_types.topk(pick(self, idx, axis), _index(idx))

    def kthvalue(self, k, dim=-1, keepdim=False):
        """The k-th smallest value along `dim` (k from 1) and its index."""
        axis = self._one_dim("kthvalue", dim)
        if axis is not None:
            check_nonempty("kthvalue", self.shape, (axis,))
        _check_k("kthvalue", k, 1, 1 if axis is None else self.shape[axis])

        def kth(a, axis):
            return order(a, axis)[(slice(None),) * axis + (slice(k - 1, k),)]

        return return_types.kthvalue(*self._along("kthvalue", dim, keepdim, kth))

    def median(self, dim=None, keepdim=False):
        """The lower of the two middle values (NaN if there is one): of all elements as a 0-d
        tensor whose gradient is shared by the equal entries, or along `dim` as
        (values, indices), the gradient going to the index."""
        if dim is None:
            return apply(ops.Median(None, False), self)
        return return_types.median(*self._along("median", dim, keepdim, _median_positions))

    def mode(self, dim=-1, keepdim=False):
        """The most frequent value along `dim` (the smallest of equally frequent ones) and the
        index of its last occurrence, as PyTorch."""
        return return_types.mode(*self._along("mode", dim, keepdim, _mode_positions))

    def cummax(self, dim):
        """(running maximum, index of the latest entry equal to it) along `dim`; from the
        first NaN on, NaN and the latest NaN's index."""
        return return_types.cummax(*self._running("cummax", dim, np.maximum))

    def cummin(self, dim):
        """(running minimum, index of the latest entry equal to it) along `dim`, as cummax."""
        return return_types.cummin(*self._running("cummin", dim, np.minimum))

    def _running(self, name, dim, extreme):
        axis = self._one_dim(name, dim)
        if axis is None:
            return apply1(ops.Clone(), self), _index(0)
        a = self._data
        best = extreme.accumulate(a, axis=axis)
        # entry j is a running winner where it equals the running extreme at j; the index at
        # i is the latest winner up to i (NaN propagates, so every NaN is a winner)
        shape = [1] * a.ndim
        shape[axis] = a.shape[axis]
        place = np.arange(a.shape[axis]).reshape(shape)
        winners = np.where((a == best) | _is_nan(a), place, 0)
        idx = np.maximum.accumulate(winners, axis=axis)
        return pick(self, idx, axis), _index(idx)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        """The distinct values in ascending order (rows along `dim` if given), optionally with
        each element's place among them and their counts; outside the graph, as PyTorch."""
        axis = None if dim is None else self._one_dim("unique", dim)
        if dim is not None and axis is None:
            axis = 0
        a = self._data if self.ndim or axis is None else self._data.reshape(1)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True,
                                            axis=axis)
        out = [wrap(values)]
        if return_inverse:
            out.append(_index(inverse.reshape(self.shape if axis is None else -1)))
        if return_counts:
            out.append(_index(counts))
        return out[0] if len(out) == 1 else tuple(out)


def _check_k(op: str, k, low: int, high: int) -> None:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"{op}: k must be an int, got {k!r}")
    if not low <= k <= high:
        raise RuntimeValueError(f"{op}: k = {k} is out of range: it must lie in [{low}, {high}] "
                                f"for a dimension of size {high}")


def _median_positions(a: np.ndarray, axis: int) -> np.ndarray:
    """The index of each slice's lower median (kept along axis), or of its first NaN."""
    ranked = order(a, axis)
    nans = _is_nan(a).sum(axis=axis, keepdims=True)
    n = a.shape[axis]
    position = np.where(nans > 0, n - nans, (n - 1) // 2)
    return np.take_along_axis(ranked, position, axis=axis)


def _mode_positions(a: np.ndarray, axis: int) -> np.ndarray:
    """The index of the last occurrence of each slice's most frequent value (kept)."""
    rows = np.moveaxis(a, axis, -1)
    n = rows.shape[-1]
    flat = rows.reshape(-1, n)
    idx = np.empty(len(flat), dtype=np.int64)
    for r, row in enumerate(flat):
        values, counts = np.unique(row, return_counts=True)
        value = values[np.argmax(counts)]  # the first of the most frequent: the smallest
        same = (row == value) | (_is_nan(row) & _is_nan(value))
        idx[r] = n - 1 - np.argmax(same[::-1])
    return np.expand_dims(idx.reshape(rows.shape[:-1]), axis)
