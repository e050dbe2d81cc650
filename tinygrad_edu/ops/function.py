"""`Function`, the base of every primitive: one node of the graph, and the contract its
`forward` and `backward` keep."""

from __future__ import annotations

import numpy as np


class Function:
    """A node of the graph: a primitive together with what its backward rule needs.

    A primitive is a subclass: a docstring with f and f′, `forward`, `backward` and `saves`.

    `saves` names the values the rule reads (its parameters, or "out"), either as a tuple
    (read for every gradient) or as a dict from a value to the inputs whose gradient reads
    it (Mul: `{"x": "y", "y": "x"}`). The backward pass refuses to run the rule if a value
    that a gradient it must compute reads was changed in place after it was saved, and only
    then, as PyTorch: `y * 2` does not care if y changes. None (the default) means every
    input and the output. A node whose rule reads no input's values keeps no arrays of its
    own: the rule is handed the inputs themselves (tensors and constants) instead, and may
    read only their shape and dtype. A name that is not "out" or a parameter of `backward`
    fails when the class is made.

    After a pass without retain_graph, `saved` is None (a second pass raises) and `inputs`
    stay, so the graph's structure can still be walked (`tg.viz`); an input whose value the
    graph let go of has a `tensor_base.FreedValue` as its array, which keeps its shape and
    dtype.

    `kept` lists the arrays a node keeps besides its inputs (an index's arrays); the
    backward pass refuses to run the rule if one of them was changed in place since.

    `ufunc` is the numpy ufunc the op computes, set for a class whose `forward` is one; a
    class that reaches it another way declares it (Pow). A tensor given to that ufunc
    (`np.exp(t)`, `ndarray * t`) records the op (`ops.UFUNC_OPS`).

    `floating` marks a function whose value is not an integer for integer x (exp, sin, ...):
    as in PyTorch, an int or bool tensor is converted to the default float dtype first.
    """

    __slots__ = ("inputs", "saved", "needs_input_grad", "seq", "replaced")
    saves: tuple | dict | None = None
    kept: tuple = ()
    ufunc: np.ufunc | None = None
    floating: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        forward = cls.__dict__.get("forward")
        if isinstance(forward, staticmethod) and isinstance(forward.__func__, np.ufunc):
            cls.ufunc = forward.__func__
        code = cls.backward.__code__
        params = code.co_varnames[3:code.co_argcount]  # after (self, grad, out)
        readers = saved_readers(cls, params)
        # (position of the value, -1 for "out"; positions of the inputs whose gradient reads
        # it, or None for all of them)
        cls.saved_positions = None if readers is None else tuple(
            (-1 if name == "out" else params.index(name),
             None if users is None else tuple(params.index(u) for u in users))
            for name, users in readers.items())
        cls.reads_inputs = readers is None or any(p >= 0 for p, _ in cls.saved_positions)
        cls.reads_out = readers is None or "out" in readers
        cls.unread = () if readers is None else tuple(  # inputs whose values it never reads
            i for i, name in enumerate(params) if name not in readers)

    def forward(self, *inputs):
        """The op's value from its inputs' values: ndarrays (or the constants passed), numpy
        only, recording nothing. Arguments that are not inputs (dim, shape, index) are the
        node's attributes, set by `__init__`. A forward that is one numpy ufunc is that ufunc,
        `forward = staticmethod(np.exp)`: a method around it would cost a call per op."""
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def backward(self, grad, out, *inputs):
        """∂L/∂input for each input, from grad = ∂L/∂out, the output and the inputs: a tuple in
        argument order (a single value for one input), None where `needs_input_grad` is False.

        A plain backward pass feeds it ndarrays, `create_graph=True` feeds it Tensors, so it
        uses only what both share (operators, `np.*` functions, `.sum`, `.reshape`,
        `.astype`) and then records itself. It reads only grad, out and the inputs, never an
        array stashed by forward: that would be a constant to a second pass, and second
        derivatives would come out silently wrong. It need not undo broadcasting: the engine
        sums each gradient back to its input's shape.
        """
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    @property
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        """The nodes that made this node's inputs (None for leaves and constants)."""
        return tuple(getattr(a, "grad_fn", None) for a in self.inputs or ())

    def __repr__(self) -> str:
        return f"<{self.name}>"


class SameShape(tuple):
    """`needs_input_grad` of a node whose rule gives each gradient in its input's shape (an
    elementwise op of one tensor, or of a tensor and a Python number: nothing broadcast), so
    that the backward pass need not compare shapes (W1: 3% of its instructions)."""

    __slots__ = ()


def saved_readers(cls: type, params: tuple) -> dict | None:
    """`cls.saves` as {value: names of the inputs whose gradient reads it, None for all},
    checked against `params`, the inputs of `cls.backward`: a misspelt name fails here."""
    saves = cls.saves
    if saves is None:
        return None
    if isinstance(saves, tuple):
        saves = dict.fromkeys(saves)
    elif not isinstance(saves, dict):
        comma = " (a tuple of one name needs a comma: ('x',))" if isinstance(saves, str) else ""
        raise TypeError(f"{cls.__name__}.saves must be a tuple or a dict of names, "
                        f"not {saves!r}{comma}")
    signature = f"{cls.__name__}.backward({', '.join(('grad', 'out') + params)})"
    readers = {}
    for value, users in saves.items():
        if value != "out" and value not in params:
            raise TypeError(f"{cls.__name__}.saves names {value!r}, which is neither 'out' "
                            f"nor a parameter of {signature}")
        if users is not None:
            users = tuple(users.split())
            for user in users:
                if user not in params:
                    raise TypeError(f"{cls.__name__}.saves has {value!r} read for the gradient "
                                    f"of {user!r}, which is not a parameter of {signature}")
        readers[value] = users
    return readers
