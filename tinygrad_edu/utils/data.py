"""Datasets and minibatch loading with the names and semantics of `torch.utils.data`.

    ds = TensorDataset(X, y)                      # ds[i] == (X[i], y[i])
    train, test = random_split(ds, [0.8, 0.2], generator=g)
    for xb, yb in DataLoader(train, batch_size=32, shuffle=True):
        ...

Everything runs in the calling process: `num_workers`, `pin_memory` and the other options about
worker processes and devices are accepted and change nothing but speed. Shuffling draws one
permutation per epoch (per `iter(loader)`) from `generator`, or from the global generator
that `tg.manual_seed` seeds.
"""

from __future__ import annotations

import collections.abc
import copy
import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..generators import numpy_generator
from ..methods.shape import stack
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "DataLoader", "random_split",
           "default_collate", "default_convert"]


def _permutation(n: int, generator: Any = None) -> np.ndarray:
    """A random permutation of 0..n−1 (int64) from `generator` (None: the global one): the
    one place loaders and splits draw from."""
    return numpy_generator("DataLoader", generator).permutation(n).astype(np.int64)


class Dataset:
    """A map-style dataset: `dataset[i]` is the i-th example and `len(dataset)` their count.
    Subclass it and define both, as in PyTorch."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")


class TensorDataset(Dataset):
    """Examples made of rows of several tensors with the same first size:
    `ds[i] = (t₁[i], t₂[i], ...)`. ndarrays are taken as they are (indexed like tensors)."""

    def __init__(self, *tensors: Tensor) -> None:
        for i, t in enumerate(tensors):
            if not isinstance(t, (Tensor, np.ndarray)):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, "
                                "not a Tensor")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: argument {i} is 0-d; each tensor needs a "
                                 "first dimension to index the examples")
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: first "
                             f"dimensions {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0] if self.tensors else 0


class Subset(Dataset):
    """The examples of `dataset` at `indices`, in that order: `subset[i] = dataset[indices[i]]`."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None
                 ) -> list[Subset]:
    """Split `dataset` into non-overlapping random Subsets of the given `lengths`, or of the
    given fractions (summing to 1): each gets ⌊n · f⌋ examples and the remainder is dealt one
    by one from the first split on, as PyTorch does. The order is one permutation drawn from
    `generator`."""
    n = len(dataset)
    lengths = list(lengths)
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: fraction at index {i} is {frac}, not between "
                                 "0 and 1")
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"random_split: split {i} is empty", stacklevel=2)
        lengths = counts
    if not all(isinstance(k, numbers.Integral) and k >= 0 for k in lengths):
        raise ValueError(f"random_split: lengths must be counts ≥ 0 or fractions summing to "
                         f"1, got {lengths!r}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: the lengths sum to {sum(lengths)}, the dataset has "
                         f"{n} examples")
    order = _permutation(n, generator).tolist()
    return [Subset(dataset, order[end - k:end])
            for end, k in zip(itertools.accumulate(lengths), lengths, strict=True)]


# ---------------------------------------------------------------- collation


def _as_tensor(a: np.ndarray) -> Tensor:
    """`a` as a Tensor of the same dtype (torch.as_tensor's dtype rule)."""
    return Tensor(a, dtype=a.dtype)


def default_collate(batch: list) -> Any:
    """Stack a list of examples into a batch, as PyTorch's `default_collate`: tensors and
    ndarrays (kept dtype) are stacked on a new first dimension; Python floats give a float64
    tensor, ints an int64 one, bools a bool one, numpy scalars their own dtype; strings stay a
    list; dicts, named tuples and lists are collated field by field (tuples become lists)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSUV":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {elem.dtype}")
        return stack([_as_tensor(np.asarray(b)) for b in batch], 0)
    if isinstance(elem, (np.bool_, np.number)):
        return _as_tensor(np.array(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, bool):
        return _as_tensor(np.array(batch, dtype=bool))
    if isinstance(elem, float):
        return _as_tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return _as_tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple keeps its type
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               f"equal size, got sizes {[len(e) for e in batch]}")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data: Any) -> Any:
    """One example as `batch_size=None` yields it: ndarrays become tensors, dicts and
    sequences are converted entry by entry, anything else is returned as it is."""
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OSUV":
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


# ---------------------------------------------------------------- loading


class DataLoader:
    """Iterate over `dataset` in minibatches, as PyTorch's DataLoader (in one process).

    Each `iter(loader)` is one epoch: the indices 0..n−1 in order, or a fresh permutation
    from `generator` with `shuffle=True` (or the indices a `sampler` yields, or the index
    lists of a `batch_sampler`), cut into batches of `batch_size` (the last one smaller
    unless `drop_last`), each example fetched as `dataset[i]` and the batch built by
    `collate_fn` (default: `default_collate`). `batch_size=None` yields single examples
    without a batch dimension. `len(loader)` is the number of batches.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Iterable[int] | None = None,
                 batch_sampler: Iterable[list[int]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if batch_size is not None and (isinstance(batch_size, bool)
                                       or not isinstance(batch_size, numbers.Integral)
                                       or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size should be a positive integer value or "
                             f"None, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) \
                or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers option should be non-negative, "
                             f"got {num_workers!r}")
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(f"DataLoader: the dataset ({type(dataset).__name__}) needs "
                            "__getitem__ and __len__ (iterable-style datasets are not "
                            "supported)")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers = int(num_workers)

    def _indices(self) -> Iterable[int]:
        if self.sampler is not None:
            return self.sampler
        n = len(self.dataset)
        return _permutation(n, self.generator) if self.shuffle else np.arange(n)

    def _batches(self) -> Iterator[list[int]]:
        if self.batch_sampler is not None:
            yield from self.batch_sampler
            return
        it = iter(self._indices())
        while batch := [int(i) for i in itertools.islice(it, self.batch_size)]:
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __iter__(self) -> Iterator[Any]:
        if self.batch_size is None and self.batch_sampler is None:
            convert = self.collate_fn or default_convert
            for i in self._indices():
                yield convert(self.dataset[int(i)])
            return
        tensors = self._tensors_to_slice()
        for batch in self._batches():
            if tensors is not None:
                # the same batch default_collate would stack from ds[i] one by one, taken
                # with one fancy index per tensor
                rows = np.asarray(batch, dtype=np.int64)
                yield [t[rows] if isinstance(t, Tensor) else _as_tensor(t[rows]) for t in tensors]
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[i] for i in batch])

    def _tensors_to_slice(self) -> tuple | None:
        """The tensors of a plain TensorDataset under default collation, else None."""
        ds = self.dataset
        if type(ds) is TensorDataset and self.collate_fn is None and ds.tensors:
            return ds.tensors
        return None

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
