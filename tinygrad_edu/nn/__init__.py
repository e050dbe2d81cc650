"""Neural-network building blocks: Module and Parameter, layers and models, and `functional`
(losses and activations)."""

from . import functional, utils
from .conv import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    Conv1d,
    Conv2d,
    MaxPool1d,
    MaxPool2d,
)
from .layers import MLP, Identity, Linear, LogisticRegression, ReLU, Sequential, Sigmoid, Tanh
from .module import IncompatibleKeys, Module, Parameter

__all__ = [
    "MLP", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "Conv1d",
    "Conv2d", "Identity", "IncompatibleKeys", "Linear", "LogisticRegression", "MaxPool1d",
    "MaxPool2d", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid", "Tanh", "functional",
    "utils",
]
