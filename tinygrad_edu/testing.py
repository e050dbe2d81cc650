"""Property-based gradient testing for your own code: hypothesis strategies for tensors and
shapes, and `assert_gradients_close`. hypothesis is needed only for the strategies.

    from hypothesis import given
    import tinygrad_edu as tg

    @given(tg.testing.tensors(shape=(3,)))
    def test_softplus_gradient(x):
        tg.testing.assert_gradients_close(lambda t: (1 + t.exp()).log(), x)
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .autograd.gradcheck import worst_mismatch
from .creation import tensor
from .tensor import Tensor


def _hypothesis():
    try:
        import hypothesis.extra.numpy as hnp
        import hypothesis.strategies as st
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "tinygrad_edu.testing strategies need hypothesis: pip install 'tinygrad-edu[test]'"
        ) from e
    return st, hnp


def tensors(shape=None, dtype=dtypes.float64, elements=None, min_side=0, max_side=5,
            max_dims=4, requires_grad=False, unique=False):
    """A strategy for Tensors of `shape` (or of any shape with up to `max_dims` axes of
    `min_side`..`max_side`), with float `elements` in [-10, 10] unless given; `unique`
    draws distinct elements (no ties, e.g. for max)."""
    st, hnp = _hypothesis()
    d = dtypes.as_dtype(dtype, "tensors")
    if shape is None:
        shape = hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=min_side,
                                 max_side=max_side)
    if elements is None:
        if d.kind == "f":
            elements = st.floats(-10, 10, allow_nan=False, width=min(d.itemsize * 8, 64))
        elif d.kind == "b":
            elements = st.booleans()
        else:
            elements = st.integers(-10, 10) if d.kind == "i" else st.integers(0, 10)
    arrays = hnp.arrays(d, shape, elements=elements, unique=unique)
    return arrays.map(lambda a: tensor(a, requires_grad=requires_grad and d.kind == "f"))


def broadcastable_shapes(n=2, min_dims=0, max_dims=4, min_side=0, max_side=5):
    """A strategy for tuples of `n` shapes that broadcast together by numpy's rules."""
    _, hnp = _hypothesis()
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side,
    ).map(lambda r: r.input_shapes)


def assert_gradients_close(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3) -> None:
    """Raise AssertionError with the worst mismatch when the gradients of `fn` at `inputs`
    differ from central differences (in float64). Every float Tensor input is
    differentiated; pass constants as numbers or ndarrays."""
    xs = tuple(
        x.detach().requires_grad_(True) if isinstance(x, Tensor) and x.dtype.kind == "f" else x
        for x in inputs
    )
    bad = worst_mismatch(fn, xs, eps, atol, rtol)
    if bad is not None:
        shapes = [np.shape(getattr(x, "data", x)) for x in inputs]
        raise AssertionError(f"gradients differ from central differences at {bad}; "
                             f"input shapes {shapes}")
