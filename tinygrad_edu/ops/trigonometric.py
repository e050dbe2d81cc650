"""Elementwise trigonometric and hyperbolic functions and their inverses (tanh, an
activation, is in `unary`)."""

from __future__ import annotations

import numpy as np

from .function import Function


class Sin(Function):
    """y = sin x;  dy/dx = cos x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.sin)

    def backward(self, grad, out, x):
        return grad * np.cos(x)


class Cos(Function):
    """y = cos x;  dy/dx = −sin x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.cos)

    def backward(self, grad, out, x):
        return -grad * np.sin(x)


class Tan(Function):
    """y = tan x;  dy/dx = 1 + tan²x = 1 + y²"""

    __slots__ = ()
    floating = True
    saves = ("out",)

    forward = staticmethod(np.tan)

    def backward(self, grad, out, x):
        return grad * (out * out + 1)


class Asin(Function):
    """y = arcsin x;  dy/dx = 1/√(1 − x²)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.arcsin)

    def backward(self, grad, out, x):
        return grad / np.sqrt(1 - x * x)


class Acos(Function):
    """y = arccos x;  dy/dx = −1/√(1 − x²)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.arccos)

    def backward(self, grad, out, x):
        return -grad / np.sqrt(1 - x * x)


class Atan(Function):
    """y = arctan x;  dy/dx = 1/(1 + x²)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.arctan)

    def backward(self, grad, out, x):
        return grad / (x * x + 1)


class Sinh(Function):
    """y = sinh x;  dy/dx = cosh x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.sinh)

    def backward(self, grad, out, x):
        return grad * np.cosh(x)


class Cosh(Function):
    """y = cosh x;  dy/dx = sinh x"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.cosh)

    def backward(self, grad, out, x):
        return grad * np.sinh(x)


class Asinh(Function):
    """y = arsinh x;  dy/dx = 1/√(x² + 1)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.arcsinh)

    def backward(self, grad, out, x):
        return grad / np.sqrt(x * x + 1)


class Acosh(Function):
    """y = arcosh x;  dy/dx = 1/√(x² − 1)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.arccosh)

    def backward(self, grad, out, x):
        return grad / np.sqrt(x * x - 1)


class Atanh(Function):
    """y = artanh x;  dy/dx = 1/(1 − x²)"""

    __slots__ = ()
    floating = True
    saves = ("x",)

    forward = staticmethod(np.arctanh)

    def backward(self, grad, out, x):
        return grad / (1 - x * x)
