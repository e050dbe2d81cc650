"""`TensorBase`: the slots of a Tensor, below everything that handles tensors.

The graph walk (`autograd.engine`), the in-place machinery and the method families test
`isinstance(x, TensorBase)` and so need not import `tensor.py`, which imports them: the
imports point one way. `tensor.Tensor` is the only subclass the package makes.
"""


class TensorBase:
    """An ndarray (`_data`), its gradient (`_grad`), the node that made it (`grad_fn`) and
    whether it records (`_requires_grad`)."""

    __slots__ = ("_data", "_grad", "grad_fn", "_requires_grad", "__weakref__")


class FreedValue:
    """The `_data` of an intermediate tensor whose value the graph let go of, because nothing
    but the graph held the tensor: by a plain backward pass once the tensor's rule has run,
    and during the forward pass if no rule reads it (`recording.let_go_unread`). The tensor
    stays in the graph as structure, with its shape and dtype; any use of the value raises."""

    __slots__ = ("shape", "dtype")
    nbytes = 0  # it holds none: the walk, which frees values of FREED_FROM bytes, skips it

    def __init__(self, value):
        self.shape, self.dtype = value.shape, value.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @staticmethod
    def error() -> RuntimeError:
        return RuntimeError("this tensor's value was freed by backward(), or before if no "
                            "backward rule reads it: the graph lets go of the intermediate "
                            "values that nothing else holds; keep a reference to the tensor "
                            "to keep it")

    def __getattr__(self, name):
        raise self.error()

    def __repr__(self) -> str:
        return "<value freed>"
