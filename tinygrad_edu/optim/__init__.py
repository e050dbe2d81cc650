"""Optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, NormalizedGD) and learning-rate schedules
(`lr_scheduler`)."""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .normalized import NormalizedGD
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "NormalizedGD", "Optimizer",
           "lr_scheduler"]
