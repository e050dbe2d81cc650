"""Every primitive operation: its forward and its derivative, side by side, one file per
family: `elementwise`, `unary` and `trigonometric` (functions of one value), `reduce`,
`scan` (running sums and products), `movement` (shape and indexing), `linalg`, `conv`
(convolution, pooling, padding); the base class and its contract in `function`.

A rule `backward(grad, out, *inputs)` receives the incoming gradient ∂L/∂out, the op's
output and its inputs, and returns ∂L/∂input for each input (a single value for one input).
Each rule is written once against the interface that numpy arrays and Tensors share
(operators, `np.*` functions, `.sum`, `.reshape`, `.astype`). A plain backward pass feeds it
ndarrays, so it runs at numpy speed; `create_graph=True` feeds it Tensors, so the same rule
records itself and can be differentiated again.

Rules never reduce broadcast gradients: the engine sums each one back to its input's shape.
Non-tensor arguments (dim, shape, index) live on the node. A forward that is one numpy ufunc
is that ufunc (`forward = staticmethod(np.add)`): a method around it would add a Python call
to every operation, and it puts the op in `UFUNC_OPS`, so `np.add(t, u)` records it too.
"""

from . import conv, elementwise, linalg, movement, reduce, scan, trigonometric, unary
from .elementwise import (
    Add,
    Atan2,
    BinaryCrossEntropy,
    Cast,
    Clamp,
    Clone,
    Div,
    FloorDivide,
    Fmax,
    Fmin,
    Fmod,
    Hypot,
    Lerp,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Remainder,
    Sub,
    TruncDivide,
    Where,
)
from .function import Function
from .linalg import Linear, MatMul
from .movement import (
    VIEW,
    VIEWS,
    Cat,
    CopySlices,
    Expand,
    Flip,
    GetItem,
    Permute,
    RepeatInterleave,
    Reshape,
    Roll,
    ScatterAdd,
    SetItem,
    Split,
    Tile,
    index_arrays,
    place,
    run,
    scatter_add,
    select,
    view_of,
)
from .reduce import (
    HALF,
    Max,
    Mean,
    Median,
    Min,
    Norm,
    PNorm,
    Prod,
    Reduction,
    SquaredError,
    Std,
    Sum,
    Var,
    accumulate,
    keepdim_shape,
    reduced_count,
)
from .scan import Cumprod, Cumsum, Scan, exclusive_cumprod, reversed_cumsum
from .trigonometric import Acos, Acosh, Asin, Asinh, Atan, Atanh, Cos, Cosh, Sin, Sinh, Tan
from .unary import (
    Abs,
    Ceil,
    Erf,
    Exp,
    Exp2,
    Expm1,
    Floor,
    Frac,
    Log,
    Log1p,
    Log2,
    Log10,
    Logit,
    Reciprocal,
    Relu,
    Round,
    Rsqrt,
    Sigmoid,
    Sign,
    Softplus,
    Sqrt,
    Square,
    Step,
    Tanh,
    Trunc,
    softplus,
)


def ops_by_ufunc(*families) -> dict:
    """{ufunc: op} over the op classes of the modules `families` that declare the ufunc they
    compute (`Function.ufunc`). Two ops claiming one ufunc fail here, at import."""
    table = {}
    for family in families:
        for op in vars(family).values():
            if isinstance(op, type) and issubclass(op, Function) and op.__dict__.get("ufunc"):
                claimed = table.setdefault(op.ufunc, op)
                if claimed is not op:
                    raise TypeError(f"{op.__name__} and {claimed.__name__} both compute "
                                    f"np.{op.ufunc.__name__}")
    return table


# ufunc -> the op that records it (np.exp -> Exp): what a tensor does inside a numpy ufunc
UFUNC_OPS = ops_by_ufunc(elementwise, unary, trigonometric, linalg, movement, reduce, scan)
