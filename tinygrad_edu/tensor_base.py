"""`TensorBase`: the slots of a Tensor, below everything that handles tensors.

The graph walk (`autograd.engine`), the in-place machinery and the method families test
`isinstance(x, TensorBase)` and so need not import `tensor.py`, which imports them: the
imports point one way. `tensor.Tensor` is the only subclass the package makes.
"""


class TensorBase:
    """An ndarray (`_data`), its gradient (`_grad`), the node that made it (`grad_fn`) and
    whether it records (`_requires_grad`)."""

    __slots__ = ("_data", "_grad", "grad_fn", "_requires_grad", "__weakref__")
