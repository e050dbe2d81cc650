"""Activation modules, as PyTorch's: each applies the function of the same name in
`nn.functional` elementwise (Softmax and LogSoftmax along `dim`)."""

from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Activation(Module):
    """An activation without settings; `inplace` is accepted and computes out of place."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Activation):
    """max(x, 0), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()  # the method: the course's networks call this in every layer


class Sigmoid(Module):
    """θ(x) = 1 / (1 + e^(−x)), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class SiLU(_Activation):
    """x·θ(x), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)


class Mish(_Activation):
    """x·tanh(softplus(x)), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.mish(x)


class ReLU6(_Activation):
    """min(max(x, 0), 6), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.relu6(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope·x otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x for x > 0, α(eˣ − 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x·Φ(x) (approximate="none") or its tanh approximation (approximate="tanh")."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        F.gelu(Tensor(0.0), approximate)  # checks the name now
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """ln(1 + e^(βx)) / β, and x where βx > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clipped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
                 ) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} cannot be greater than max_val "
                             f"{max_val}")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))


class Softmax(Module):
    """e^(xᵢ) / Σⱼ e^(xⱼ) along `dim` (dim=None: PyTorch's legacy choice, 0 for 0-, 1- and
    3-d inputs, else 1)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, F.legacy_softmax_dim(x.ndim) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """xᵢ − ln Σⱼ e^(xⱼ) along `dim` (dim=None as Softmax)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, F.legacy_softmax_dim(x.ndim) if self.dim is None else self.dim)

