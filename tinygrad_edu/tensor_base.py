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
    """The `_data` of an intermediate tensor whose value a plain backward pass let go of,
    because nothing but the graph held the tensor: it stays in the graph as structure (its
    node keeps the shape and dtype in `output`), and any use of the value raises."""

    __slots__ = ()

    @staticmethod
    def error() -> RuntimeError:
        return RuntimeError("this tensor's value was freed by backward(), which lets go of the "
                            "intermediate values that only the graph holds; keep a reference "
                            "to the tensor, or pass retain_graph=True, to keep it")

    def __getattr__(self, name):
        raise self.error()

    def __repr__(self) -> str:
        return "<value freed by backward()>"


FREED_VALUE = FreedValue()
