"""tanh for micrograd, whose released `Value` has none: added the way its lecture does."""

import math


def tanh(v):
    """y = tanh(x);  dy/dx = 1 − y²"""
    from micrograd.engine import Value

    out = Value(math.tanh(v.data), (v,), "tanh")

    def _backward():
        v.grad += (1 - out.data * out.data) * out.grad

    out._backward = _backward
    return out
