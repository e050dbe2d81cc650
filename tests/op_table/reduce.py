"""Reduction rows (dims and keepdim drawn), and the softmax family along one dim."""

import numpy as np

import tinygrad_edu.nn.functional as F
from tinygrad_edu import ops

from .rows import (
    NONSCALAR,
    M,
    V,
    binary,
    count,
    deviation,
    extreme,
    log_softmax,
    logsumexp,
    movement,
    naive_logsumexp,
    one_dim,
    reduction,
    softmax,
)

ROWS = [
    binary("squared_error", lambda a, b: a.apply_op(ops.SquaredError(), b),
           lambda a, b: np.sum((a - b) ** 2)),
    movement("softmax", lambda x, dim: F.softmax(x, dim), softmax, one_dim,
             NONSCALAR.map(lambda t: (t,)),
             vjp=lambda a, g, ax: softmax(a, ax) * (g - (g * softmax(a, ax)).sum(ax,
                                                                                keepdims=True))),
    movement("log_softmax", lambda x, dim: F.log_softmax(x, dim), log_softmax, one_dim,
             NONSCALAR.map(lambda t: (t,)),
             vjp=lambda a, g, ax: g - softmax(a, ax) * g.sum(ax, keepdims=True)),
    reduction("sum", np.sum, lambda a, axes: np.ones_like(a), nonempty=False,
              hostile=("sum",),
          numpy=(("sum", lambda x: np.sum(x, axis=0, keepdims=True), [M]),)),
    reduction("mean", np.mean, lambda a, axes: np.ones_like(a) / count(a, axes),
              hostile=("mean",),
          numpy=(("mean", lambda x: np.mean(x, 1), [M]),)),
    reduction("var", lambda a, axis=None, keepdims=False: np.var(a, axis, ddof=1,
                                                                 keepdims=keepdims),
              lambda a, axes: 2 * deviation(a, axes) / (count(a, axes) - 1),
              correction=True, hostile=("var",),
          numpy=(("var", lambda x: np.var(x), [M]),
                     ("var ddof axis", lambda x: np.var(x, axis=0, ddof=1, keepdims=True), [M]))),
    reduction("std", lambda a, axis=None, keepdims=False: np.std(a, axis, ddof=1,
                                                                 keepdims=keepdims),
              lambda a, axes: deviation(a, axes) / (
                  (count(a, axes) - 1) * np.std(a, axes, ddof=1, keepdims=True)),
              correction=True, hostile=("std",),
          numpy=(("std", lambda x: np.std(x, 1), [M]),
                     ("std ddof", lambda x: np.std(x, ddof=1), [V]))),
    reduction("max", np.amax, extreme(np.amax), ties=True, hostile=("max",),
          numpy=(("max", lambda x: np.max(x), [M]),)),
    reduction("min", np.amin, extreme(np.amin), ties=True,
          numpy=(("min", lambda x: np.min(x, 0), [M]),)),
    reduction("amax", np.amax, extreme(np.amax), ties=True, hostile=("amax",),
          numpy=(("amax axis", lambda x: np.amax(x, axis=1, keepdims=True), [M]),)),
    reduction("amin", np.amin, extreme(np.amin), ties=True, hostile=("amin",),
          numpy=(("amin", lambda x: np.amin(x, axis=(0, 1)), [M]),)),
    reduction("logsumexp", logsumexp,
              lambda a, axes: np.exp(a - logsumexp(a, axes, keepdims=True)),
              hostile=("logsumexp",), hostile_ref=naive_logsumexp,
              vjp=lambda a, g, ax: np.expand_dims(g, ax) * softmax(a, ax)),  # ∂ ln Σ eˣ
]
