"""tinygrad_edu: a small, readable autograd tensor framework on numpy."""

from . import autograd, io, linalg, nn, optim, return_types, testing, utils, viz
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
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
from .methods.elementwise import *  # noqa: F403  (its __all__: tg.clamp, tg.lerp, ...)
from .methods.linalg import *  # noqa: F403  (its __all__: tg.mm, tg.einsum, tg.tril, ...)
from .methods.logic import *  # noqa: F403  (its __all__: tg.eq, tg.isclose, tg.all, ...)
from .methods.reduce import *  # noqa: F403  (its __all__: tg.sum, tg.max, tg.sort, ...)
from .methods.shape import cat, stack
from .serialization import load, save
from .tensor import Tensor

tensor = Tensor

__version__ = "0.1.0"
