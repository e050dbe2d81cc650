"""The methods of `Tensor`, one family per module, each a mixin class that `tensor.Tensor`
inherits: `arithmetic` (operators, functions of one value), `elementwise` (elementwise
functions with arguments or of several values), `logic` (comparisons, `& | ^ ~`, all/any,
nonzero), `reduce` (reductions, softmax), `shape` (reshape, permute, indexing, cat and stack),
`linalg` (products, inverses, triangles), `conversion` (casts and devices), `attributes`
(memory layout, PyTorch's size spellings) and `numpy_protocol` (what numpy's functions do
with a tensor); in-place changes are
`autograd.inplace`. A mixin never imports `tensor.py`: it makes tensors through `recording`.
"""
