"""The PyTorch surface of tensors, operations and autograd (PYTORCH_SURFACE.md's first three
sections), name by name: each name sits where PyTorch has it (a `tg.` function, a Tensor
method or attribute, or both), and each is exercised by some test of its behaviour.

The table below is the surface as PyTorch 2.13 places it; with torch installed, the table
itself is checked against torch, so it cannot drift from PyTorch. The behaviour of each name
is tested in the subject files (test_pytorch_*.py and the op table)."""

import operator
import pathlib
import re

import pytest

import tinygrad_edu as tg

# name: "f" a function tg.<name>, "m" a Tensor method or attribute, "fm" both
SURFACE = """
float32 f  float fm  float64 f  double fm  float16 f  half fm  int64 f  long fm  int32 f  int fm
int16 f  int8 f  uint8 f  bool fm  finfo f  iinfo f  is_floating_point fm  get_default_dtype f
set_default_dtype f  device fm  cpu m  cuda fm  tensor f  Tensor f  as_tensor f  from_numpy f
is_tensor f  FloatTensor f  LongTensor f  zeros f  ones f  full f  empty f  eye f  arange f
linspace f  logspace f  zeros_like f  ones_like f  full_like f  empty_like f  rand f  randn f
randint f  randperm f  normal f  multinomial fm  bernoulli fm  rand_like f  randn_like f
randint_like f  Generator f  manual_seed f  seed f  tril fm  triu fm  diag fm  diagonal fm
diag_embed fm  meshgrid f
shape m  size m  dim m  ndim m  numel fm  dtype fm  requires_grad m  is_leaf m  grad m
grad_fn m  data m  T m  mT m  item m  tolist m  numpy m  clone fm  detach fm  detach_ fm
contiguous m  is_contiguous m  element_size m  nbytes m  storage_offset m  __len__ m
__iter__ m  __bool__ m  __float__ m  __int__ m  __index__ m  __array__ m  __repr__ m
set_printoptions f  to m  type m  type_as m
__add__ m  __sub__ m  __mul__ m  __truediv__ m  __floordiv__ m  __mod__ m  __pow__ m
__matmul__ m  __neg__ m  __radd__ m  __rsub__ m  __rmul__ m  __rtruediv__ m  __rpow__ m
__rfloordiv__ m  __rmod__ m  __rmatmul__ m
abs fm  neg fm  reciprocal fm  sqrt fm  rsqrt fm  square fm  exp fm  exp2 fm  expm1 fm
log fm  log2 fm  log10 fm  log1p fm  sin fm  cos fm  tan fm  asin fm  acos fm  atan fm
atan2 fm  sinh fm  cosh fm  tanh fm  asinh fm  acosh fm  atanh fm  sigmoid fm  logit fm
erf fm  sign fm  floor fm  ceil fm  round fm  trunc fm  frac fm  fmod fm  remainder fm
clamp fm  clip fm  clamp_min fm  clamp_max fm  lerp fm  hypot fm  add fm  sub fm  mul fm
div fm  true_divide fm  floor_divide fm  pow fm  maximum fm  minimum fm  fmax fm  fmin fm
__eq__ m  __ne__ m  __lt__ m  __le__ m  __gt__ m  __ge__ m  eq fm  ne fm  lt fm  le fm
gt fm  ge fm  equal fm  allclose fm  isclose fm  isnan fm  isinf fm  isfinite fm
logical_and fm  logical_or fm  logical_not fm  logical_xor fm  __and__ m  __or__ m
__xor__ m  __invert__ m  all fm  any fm  where fm  nonzero fm  count_nonzero fm
sum fm  mean fm  var fm  std fm  prod fm  max fm  min fm  amax fm  amin fm  argmax fm
argmin fm  median fm  mode fm  norm fm  logsumexp fm  cumsum fm  cumprod fm  cummax fm
cummin fm  aminmax fm  topk fm  sort fm  argsort fm  kthvalue fm  unique fm
view m  reshape fm  view_as m  reshape_as m  flatten fm  unflatten fm  squeeze fm
unsqueeze fm  transpose fm  swapaxes fm  permute fm  movedim fm  t fm  expand m
expand_as m  repeat m  repeat_interleave fm  tile fm  flip fm  roll fm  narrow fm  split fm
chunk fm  unbind fm  cat f  concat f  stack f  hstack f  vstack f  gather fm  scatter fm
scatter_add fm  index_select fm  masked_select fm  masked_fill fm  take_along_dim fm
__getitem__ m  __setitem__ m
matmul fm  mm fm  bmm fm  mv fm  dot fm  outer fm  inner fm  einsum f  tensordot f  kron fm
add_ m  sub_ m  mul_ m  div_ m  pow_ m  neg_ fm  abs_ fm  clamp_ fm  zero_ fm  fill_ fm
copy_ m  normal_ m  uniform_ m  bernoulli_ m  exp_ fm  masked_fill_ m  index_add_ m
scatter_ m  requires_grad_ m  __iadd__ m  __isub__ m  __imul__ m  __itruediv__ m
backward m  retain_grad m  retains_grad m  register_hook m  no_grad f  enable_grad f
set_grad_enabled f  is_grad_enabled f  inference_mode f
"""

# dotted names under tg (modules of functions and classes)
PATHS = """
cuda.is_available  backends.mps.is_available  linalg.norm  linalg.vector_norm
linalg.matrix_norm  linalg.inv  linalg.solve  linalg.det  autograd.grad  autograd.backward
autograd.Function  autograd.gradcheck  autograd.gradgradcheck  autograd.functional.jacobian
autograd.functional.hessian  autograd.functional.vjp  autograd.functional.jvp
autograd.functional.hvp
""".split()

PLACES = dict(zip(SURFACE.split()[::2], SURFACE.split()[1::2]))

# Python's own dunders that every class has: being a Tensor method says nothing for these
_OBJECT_DUNDERS = {"__repr__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"}

# torch.cpu is a module of CPU device settings, outside the surface (t.cpu() is in it)
_TORCH_MODULES = {"cpu"}


def _resolve(root, dotted):
    return operator.attrgetter(dotted)(root)


@pytest.mark.parametrize("name", sorted(PLACES))
def test_name_is_where_pytorch_has_it(name):
    places = PLACES[name]
    if "f" in places:
        assert callable(getattr(tg, name, None)) or hasattr(tg, name), f"tg.{name} is missing"
    if "m" in places:
        assert hasattr(tg.Tensor, name) or hasattr(tg.ones(2), name), \
            f"Tensor.{name} is missing"


@pytest.mark.parametrize("path", PATHS)
def test_dotted_name_exists(path):
    assert callable(_resolve(tg, path)), f"tg.{path} is missing"


@pytest.mark.parametrize("name", sorted(PLACES))
def test_table_places_names_as_pytorch_does(name):
    torch = pytest.importorskip("torch")
    places = PLACES[name]
    if not name.startswith("__") and name not in _TORCH_MODULES:
        assert ("f" in places) == hasattr(torch, name), f"torch.{name}: table says {places!r}"
    if name not in _OBJECT_DUNDERS:
        assert ("m" in places) == hasattr(torch.Tensor, name), \
            f"torch.Tensor.{name}: table says {places!r}"


@pytest.mark.parametrize("path", PATHS)
def test_dotted_names_are_pytorchs(path):
    torch = pytest.importorskip("torch")
    assert callable(_resolve(torch, path))


_TESTS = pathlib.Path(__file__).parent
_SOURCES = "\n".join(p.read_text() for p in sorted(_TESTS.rglob("*.py"))
                     if p.name != pathlib.Path(__file__).name)
_DUNDER_SPELLINGS = {"__add__": "+", "__sub__": "-", "__mul__": "*", "__truediv__": "/",
                     "__floordiv__": "//", "__mod__": "%", "__pow__": "**", "__matmul__": "@",
                     "__and__": "&", "__or__": "|", "__xor__": "^", "__invert__": "~",
                     "__iadd__": "+=", "__isub__": "-=", "__imul__": "*=",
                     "__itruediv__": "/="}


_SPELLED_BY_SYNTAX = {"__getitem__", "__setitem__", "__eq__", "__ne__", "__lt__", "__le__",
                      "__gt__", "__ge__", "__neg__", "__radd__", "__rsub__", "__rmul__",
                      "__rtruediv__", "__rpow__", "__rfloordiv__", "__rmod__", "__rmatmul__",
                      "__len__", "__iter__", "__bool__", "__float__", "__int__", "__index__",
                      "__array__", "__repr__"}


@pytest.mark.parametrize("name", sorted(set(PLACES) - set(_DUNDER_SPELLINGS)
                                        - _SPELLED_BY_SYNTAX))
def test_every_name_is_exercised_by_a_test(name):
    """Some test calls it (`.name(`, `tg.name`, `name(`) or reads it (`.name`): a name no
    test touches is a promise nothing keeps."""
    spelled = re.escape(name)
    assert re.search(rf"(\.|\b){spelled}\b", _SOURCES), f"no test uses {name}"


@pytest.mark.parametrize("dunder,spelling", sorted(_DUNDER_SPELLINGS.items()))
def test_every_operator_is_exercised_by_a_test(dunder, spelling):
    assert re.search(rf"\w\)? {re.escape(spelling)} ?[\w(]", _SOURCES), \
        f"no test uses {spelling} ({dunder})"


def test_pythons_protocols_behave_as_pytorchs():
    """The dunders a program reaches through Python's syntax and builtins."""
    import numpy as np

    t = tg.tensor([[1.5, -2.0], [0.0, 4.0]])
    assert len(t) == 2 and [row.tolist() for row in t] == [[1.5, -2.0], [0.0, 4.0]]
    one = tg.tensor([3.7])
    assert bool(one) and float(one) == pytest.approx(3.7) and int(one) == 3
    assert [10, 20, 30, 40][tg.tensor(2)] == 30 and operator.index(tg.tensor(1)) == 1
    np.testing.assert_array_equal(np.asarray(t), [[1.5, -2.0], [0.0, 4.0]])
    assert repr(tg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    with pytest.raises(TypeError):
        operator.index(tg.tensor(1.5))


def test_pythons_protocols_are_pytorchs():
    torch = pytest.importorskip("torch")
    assert repr(torch.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(torch.tensor([[1.5, -2.0], [0.0, 4.0]]))
