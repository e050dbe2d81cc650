"""tinygrad_edu: a small, readable autograd tensor framework on numpy."""

from . import autograd, backends, cuda, io, linalg, nn, optim, return_types, testing, utils, viz
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    linspace,
    logspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from .device import device
from .dtypes import (
    bool_,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .functions import *  # noqa: F403  (tg.clone, tg.exp_, ...: methods as functions)
from .generators import (
    Generator,
    default_generator,
    generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .jit import jit
from .methods.arithmetic import *  # noqa: F403  (its __all__: tg.exp, tg.matmul, ...)
from .methods.elementwise import *  # noqa: F403  (its __all__: tg.clamp, tg.lerp, ...)
from .methods.indexing import *  # noqa: F403  (tg.gather, tg.split, ...)
from .methods.linalg import *  # noqa: F403  (its __all__: tg.mm, tg.einsum, tg.tril, ...)
from .methods.logic import *  # noqa: F403  (its __all__: tg.eq, tg.isclose, tg.all, ...)
from .methods.reduce import *  # noqa: F403  (its __all__: tg.sum, tg.max, tg.sort, ...)
from .methods.shape import *  # noqa: F403  (tg.cat, tg.flatten, ...)
from .printing import set_printoptions
from .random import (
    bernoulli,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from .serialization import load, save
from .tensor import Tensor

__version__ = "0.1.0"


_REFUSED = {"bfloat16": "numpy has no bfloat16 dtype; use float16 or float32"}


def __getattr__(name: str):
    """A PyTorch name the package refuses says why (others: the usual AttributeError)."""
    if name in _REFUSED:
        raise AttributeError(f"tinygrad_edu.{name} is not supported: {_REFUSED[name]}")
    raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")


# PyTorch's other names of the dtypes. `float`, `int` and `bool` would hide the builtins
# after `from tinygrad_edu import *`, so `__all__` leaves those three out.
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
bool = bool_  # noqa: A001
__all__ = sorted(name for name in globals()
                 if not name.startswith("_") and name not in ("float", "int", "bool"))
