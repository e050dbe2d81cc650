"""What a tensor is, beyond shape and dtype: its memory (`element_size`, `nbytes`,
`itemsize`, `storage_offset`, `is_contiguous`, `contiguous`), PyTorch's spellings of its
size (`dim`, `nelement`), the matrix transposes `mT`/`mH`, `detach_` and `__index__`."""

from __future__ import annotations

import numpy as np

from .. import ops
from ..arguments import RuntimeValueError
from ..autograd import versions
from ..recording import apply1


class Attributes:
    """The memory and size attributes of Tensor (see the module docstring)."""

    __slots__ = ()

    def dim(self) -> int:
        """The number of dimensions (`ndim`)."""
        return self._data.ndim

    ndimension = dim

    def nelement(self) -> int:
        """The number of elements (`numel()`)."""
        return self._data.size

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of all the elements."""
        return self._data.nbytes

    def storage_offset(self) -> int:
        """Where this tensor's first element sits in the memory it shares, in elements."""
        base = versions.owner(self._data)
        if not isinstance(base, np.ndarray) or base.size == 0 or self._data.size == 0:
            return 0
        start = base.__array_interface__["data"][0]
        return (self._data.__array_interface__["data"][0] - start) // self._data.itemsize

    def stride(self, dim: int | None = None):
        """Elements to step in memory per index of each dimension (or of `dim`)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[dim]

    def is_contiguous(self) -> bool:
        """Whether the elements lie in memory in row-major order without gaps."""
        return self._data.flags.c_contiguous

    def contiguous(self):
        """This tensor, or a row-major copy in the graph if it is not contiguous."""
        if self._data.flags.c_contiguous:
            return self
        return apply1(ops.Clone(), self)

    @property
    def mT(self):
        """The last two dimensions swapped (a batch of matrices transposed)."""
        if self._data.ndim < 2:
            raise RuntimeValueError(f"mT: needs a matrix or a batch of matrices, got a "
                                    f"{self._data.ndim}-D tensor")
        return self.transpose(-2, -1)

    mH = mT  # the conjugate transpose: the same for real tensors

    def __index__(self) -> int:
        """A one-element int tensor as an index (`[0, 1, 2][t]`)."""
        if self._data.size != 1 or self._data.dtype.kind not in "iu":
            raise TypeError("__index__: only integer tensors of a single element can be used "
                            f"as an index, got shape {self.shape} and dtype {self.dtype}")
        return int(self._data.item())
