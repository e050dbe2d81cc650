"""The methods of `Tensor`, one family per module, each a mixin class that `tensor.Tensor`
inherits: `arithmetic` (operators, comparisons, elementwise functions), `reduce`
(reductions, softmax), `shape` (reshape, permute, indexing, cat and stack), `conversion`
(casts and devices), `attributes` (memory layout, PyTorch's size spellings) and
`numpy_protocol` (what numpy's functions do with a tensor); in-place changes are
`autograd.inplace`. A mixin never imports `tensor.py`: it makes tensors through `recording`.
"""
