"""Reverse-mode automatic differentiation: the graph walk, grad modes, checks."""

from .anomaly import detect_anomaly
from .engine import grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "GradcheckError", "detect_anomaly", "enable_grad", "grad", "gradcheck", "gradgradcheck",
    "is_grad_enabled", "no_grad", "set_grad_enabled",
]
