"""Layers and models: Linear, Identity, Flatten, Unflatten, Embedding, Dropout, the textbook
MLP, and logistic regression. Shapes follow PyTorch: a batch of N inputs is (N, d), features
last."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from .. import dtypes
from ..arguments import positive_int, sizes
from ..generators import generator
from ..tensor import Tensor
from . import functional as F
from .activation import ReLU, Sigmoid, Tanh
from .containers import Sequential
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


class Identity(Module):
    """Returns its input unchanged (any arguments to the constructor are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """Dimensions start_dim..end_dim joined into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Dimension `dim` split into `unflattened_size` (one entry may be −1)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got "
                            f"{type(unflattened_size).__name__}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        d = self.dim % x.ndim if -x.ndim <= self.dim < x.ndim else None
        if d is None:
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for a "
                             f"{x.ndim}-d input")
        return x.reshape(*x.shape[:d], *self.unflattened_size, *x.shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Embedding(Module):
    """A lookup table: index i gives row i of `weight` (num_embeddings, embedding_dim), drawn
    from N(0, 1) as PyTorch. The row `padding_idx` starts at zero and gets no gradient; with
    `max_norm`, rows looked up are first rescaled in place to norm ≤ max_norm."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: scale_grad_by_freq and sparse gradients are "
                                      "not supported")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Embedding: padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        d = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype, "Embedding")
        if _weight is None:
            w = generator().standard_normal((self.num_embeddings, self.embedding_dim))
            if padding_idx is not None:
                w[padding_idx] = 0
        else:
            w = _weight._data if isinstance(_weight, Tensor) else np.asarray(_weight)
        self.weight = Parameter(w, requires_grad=not _freeze, dtype=d)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0) -> Embedding:
        """An Embedding whose weight is a copy of the 2-D `embeddings` (frozen by default)."""
        if embeddings.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings must be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, _weight=embeddings,
                   _freeze=freeze, dtype=embeddings.dtype)

    def forward(self, idx: Tensor) -> Tensor:
        return F.embedding(idx, self.weight, self.padding_idx, self.max_norm, self.norm_type)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s


class Dropout(Module):
    """In training, zero each element with probability p and scale the others by 1/(1 − p);
    in eval mode, the identity."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


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
