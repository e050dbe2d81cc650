"""tinygrad_edu: a small, readable autograd tensor framework on numpy."""

from . import autograd, io, nn, optim, testing, viz
from .autograd import enable_grad, no_grad, set_grad_enabled
from .creation import (
    arange,
    empty,
    eye,
    full,
    generator,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .methods.arithmetic import *  # noqa: F403  (its __all__: tg.exp, tg.matmul, ...)
from .methods.indexing import *  # noqa: F403  (tg.gather, tg.split, ...)
from .methods.shape import *  # noqa: F403  (tg.cat, tg.flatten, ...)
from .tensor import Tensor

tensor = Tensor

__version__ = "0.1.0"
