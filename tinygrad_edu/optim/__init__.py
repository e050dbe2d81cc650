"""Optimizers (SGD, Adam, NormalizedGD) and learning-rate schedules (`lr_scheduler`)."""

from . import lr_scheduler
from .adam import Adam
from .normalized import NormalizedGD
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "NormalizedGD", "Optimizer", "lr_scheduler"]
