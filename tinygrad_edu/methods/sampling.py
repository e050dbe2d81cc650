"""Sampling from a tensor's values (the `Sampling` mixin of `Tensor`): `bernoulli` reads
them as probabilities, `multinomial` as weights of categories. Both draw from `generator=`
or the global generator and give tensors outside the graph."""

from __future__ import annotations

import numbers

import numpy as np

from ..arguments import RuntimeValueError, UnsupportedDtypeError, real
from ..generators import numpy_generator
from ..recording import wrap


class Sampling:
    __slots__ = ()

    def bernoulli(self, p=None, *, generator=None):
        """0/1 samples in self's dtype: 1 with probability self (or `p`, a number)."""
        if self.dtype.kind != "f":
            raise UnsupportedDtypeError(f"bernoulli: needs a floating point tensor, got dtype "
                                        f"{self.dtype}")
        prob = self._data if p is None else real("bernoulli", "p", p)
        if not np.all((np.asarray(prob) >= 0) & (np.asarray(prob) <= 1)):
            raise RuntimeValueError("bernoulli: probabilities must lie in [0, 1]")
        draw = numpy_generator("bernoulli", generator).random(self.shape)
        return wrap((draw < prob).astype(self.dtype))

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator=None):
        """Indices of categories drawn with probability ∝ the weights in self's last dim (1-D
        or 2-D, non-negative, not all zero): int64, of shape (…, num_samples).

        Without replacement the draws are distinct: the `num_samples` largest of
        log wᵢ + Gumbel noise, which are exactly successive draws from the renormalised
        rest."""
        if self.dtype.kind != "f":
            raise UnsupportedDtypeError(f"multinomial: needs floating point weights, got "
                                        f"dtype {self.dtype}")
        if self.ndim not in (1, 2):
            raise RuntimeValueError(f"multinomial: weights must be 1-D or 2-D, got shape "
                                    f"{self.shape}")
        if isinstance(num_samples, bool) or not isinstance(num_samples, numbers.Integral) \
                or num_samples <= 0:
            raise RuntimeValueError(f"multinomial: num_samples must be a positive int, got "
                                    f"{num_samples!r}")
        w = np.atleast_2d(self._data).astype(np.float64)
        if not np.all(np.isfinite(w) & (w >= 0)):
            raise RuntimeValueError("multinomial: weights must be finite and non-negative")
        if np.any(w.sum(axis=1) <= 0):
            raise RuntimeValueError("multinomial: each row of weights must have a positive "
                                    "sum")
        if not replacement and num_samples > w.shape[1]:
            raise RuntimeValueError(f"multinomial: cannot draw {num_samples} samples without "
                                    f"replacement from {w.shape[1]} categories")
        rng = numpy_generator("multinomial", generator)
        if replacement:
            cdf = np.cumsum(w, axis=1)
            u = rng.random((w.shape[0], num_samples)) * cdf[:, -1:]
            out = np.stack([np.searchsorted(c, row, side="right") for c, row in zip(cdf, u)])
            out = np.minimum(out, w.shape[1] - 1)  # u can round up to the total
        else:
            with np.errstate(divide="ignore"):
                keys = np.log(w) + rng.gumbel(size=w.shape)
            out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
        out = out.astype(np.int64)
        return wrap(out if self.ndim == 2 else out[0])
