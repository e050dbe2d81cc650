"""Layers and models: Linear, the activations, Sequential, the textbook MLP, and logistic
regression. Shapes follow PyTorch: a batch of N inputs is (N, d), features last."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import pairwise

import numpy as np
from numpy.typing import DTypeLike

from .. import dtypes
from ..arguments import positive_int, sizes
from ..generators import generator
from ..tensor import Tensor
from . import functional as F
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b, with `weight` W of shape (out_features, in_features) and `bias` b of
    shape (out_features,), as in PyTorch.

    Initialisation is PyTorch's default (kaiming_uniform with a = √5): every entry of W and b
    is drawn from U(−1/√in_features, 1/√in_features) using the global generator, so
    `tg.manual_seed` makes it reproducible.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.in_features = positive_int("Linear", "in_features", in_features)
        self.out_features = positive_int("Linear", "out_features", out_features)
        d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, "Linear")
        bound = 1 / math.sqrt(self.in_features)
        rng = generator()
        shape = sizes("Linear", (self.out_features, self.in_features))
        self.weight = Parameter(rng.uniform(-bound, bound, shape), dtype=d)
        if bias:
            self.bias = Parameter(rng.uniform(-bound, bound, self.out_features), dtype=d)
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        """(…, in_features) → (…, out_features)."""
        return F.linear_checked(x, self.weight, self.bias, "Linear")

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    """θ(x) = 1 / (1 + e^(−x)), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Identity(Module):
    """Returns its input unchanged."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Sequential(Module):
    """Modules applied one after the other; registered as "0", "1", ... ."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(m).__name__}, "
                                f"not a Module")
            setattr(self, str(i), m)

    def forward(self, x: Tensor) -> Tensor:
        for m in self:
            x = m(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Module:
        mods = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*mods[index])
        return mods[index]


_ACTIVATIONS = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU, "identity": Identity,
                None: Identity}


def _activation(name: str | None, which: str) -> Module:
    if name not in _ACTIVATIONS:
        choices = ", ".join(repr(k) for k in _ACTIVATIONS)
        raise ValueError(f"MLP: unknown {which} {name!r} (choose from {choices})")
    return _ACTIVATIONS[name]()


class MLP(Module):
    """The layered network of the course: x(0) → s(1) → x(1) → … → s(L) → x(L).

    `sizes = [d(0), d(1), ..., d(L)]`. Layer ℓ is `self.layers[ℓ − 1]`, a Linear computing
    s(ℓ) = x(ℓ−1) Wᵀ + b from its weight W and bias b; then x(ℓ) = θ(s(ℓ)) with
    θ = `activation` for ℓ < L and `output_activation` for ℓ = L. Activations are "tanh",
    "sigmoid", "relu", "identity" or None (the identity, for a linear output).

    >>> net = MLP([2, 3, 1], output_activation=None)   # 2 inputs, 3 tanh units, linear output
    """

    def __init__(self, sizes: Sequence[int], activation: str | None = "tanh",
                 output_activation: str | None = "tanh", dtype: DTypeLike = None) -> None:
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least [d0, d1], got {sizes}")
        self.layers = Sequential(*(Linear(a, b, dtype=dtype) for a, b in pairwise(sizes)))
        self.sizes = [self.layers[0].in_features] + [lin.out_features for lin in self.layers]
        self.activation = _activation(activation, "activation")
        self.output_activation = _activation(output_activation, "output_activation")

    def forward(self, x: Tensor) -> Tensor:
        """(N, d(0)) → (N, d(L)); a single point (d(0),) gives (d(L),)."""
        last = len(self.layers) - 1
        for ell, layer in enumerate(self.layers):
            s = layer(x)
            x = self.output_activation(s) if ell == last else self.activation(s)
        return x

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"

    def to_textbook_weights(self) -> list[np.ndarray]:
        """[W(1), ..., W(L)] with W(ℓ) of shape (d(ℓ−1) + 1, d(ℓ)): row 0 is the bias b,
        rows 1.. are weightᵀ, so that s(ℓ) = W(ℓ)ᵀ [1; x(ℓ−1)]. Copies, in our dtype."""
        return [np.vstack([layer.bias._data[None, :], layer.weight._data.T])
                for layer in self.layers]

    @classmethod
    def from_textbook_weights(cls, Ws: Sequence[np.ndarray], activation: str | None = "tanh",
                              output_activation: str | None = "tanh",
                              dtype: DTypeLike = None) -> MLP:
        """The MLP whose layer ℓ holds W(ℓ) = `Ws[ℓ − 1]` (layout of `to_textbook_weights`).

        The dtype defaults to that of the arrays (float64 for plain numpy weights). The new
        network is first initialised as usual (drawing from the global generator), then
        overwritten.
        """
        Ws = [np.asarray(W) for W in Ws]
        if not Ws:
            raise ValueError("MLP.from_textbook_weights: got no weight matrices")
        for ell, W in enumerate(Ws, 1):
            if W.ndim != 2 or W.shape[0] < 2 or W.dtype.kind not in "fiu":
                raise ValueError(f"MLP.from_textbook_weights: W({ell}) must be a real 2-D "
                                 f"array with at least 2 rows, got shape {W.shape}, "
                                 f"dtype {W.dtype}")
            if ell > 1 and W.shape[0] != Ws[ell - 2].shape[1] + 1:
                raise ValueError(
                    f"MLP.from_textbook_weights: W({ell}) has shape {W.shape} but W({ell - 1})"
                    f" has {Ws[ell - 2].shape[1]} outputs, so W({ell}) needs "
                    f"{Ws[ell - 2].shape[1] + 1} rows"
                )
        if dtype is None:
            common = np.result_type(*Ws)
            dtype = common if common.kind == "f" else dtypes.get_default_dtype()
        net = cls([Ws[0].shape[0] - 1] + [W.shape[1] for W in Ws], activation,
                  output_activation, dtype)
        d = net.layers[0].weight.dtype
        state = {}
        for i, W in enumerate(Ws):
            state[f"layers.{i}.weight"] = W[1:].T.astype(d)
            state[f"layers.{i}.bias"] = W[0].astype(d)
        net.load_state_dict(state)
        return net


class LogisticRegression(Module):
    """s = wᵀx + b for each row x of a (N, d) batch; `predict_proba` gives θ(s) = P(y = +1).

    The parameters are those of `self.linear`, a Linear(d, 1): w is `linear.weight[0]`.
    """

    def __init__(self, d: int, dtype: DTypeLike = None) -> None:
        super().__init__()
        self.linear = Linear(d, 1, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        """Scores: (N, d) → (N,); a single point (d,) gives a 0-d score."""
        return self.linear(x).squeeze(-1)

    def predict_proba(self, x: Tensor) -> Tensor:
        """θ(s) = 1 / (1 + e^(−s)), the estimated probability of the label +1."""
        return self.forward(x).sigmoid()
