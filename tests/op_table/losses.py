"""Loss rows: `F.<name>(input, target, reduction=)`."""

import numpy as np
from hypothesis import strategies as st
from strategies import GRID, GRID_SHIFTED, tensor
from strategies import floats as float_range

from .rows import classes, log_softmax, loss, sigmoid, softmax, targets

ROWS = [
    loss("mse_loss", lambda p, t: (p - t) ** 2, lambda p, t: 2 * (p - t), tensor(),
         targets(st.floats(-3, 3))),
    loss("logistic_loss", lambda s, y: np.logaddexp(0, -y * s),  # ln(1 + e^(−ys))
         lambda s, y: -y * sigmoid(-y * s), tensor(), targets(st.sampled_from([-1.0, 1.0]))),
    loss("binary_cross_entropy_with_logits",  # t·softplus(−z) + (1 − t)·softplus(z), θ(z) − t
         lambda z, t: t * np.logaddexp(0, -z) + (1 - t) * np.logaddexp(0, z),
         lambda z, t: sigmoid(z) - t, tensor(), targets(st.sampled_from([0.0, 0.25, 1.0]))),
    loss("cross_entropy",  # −ln softmax(z)[c], derivative softmax(z) − onehot(c)
         lambda z, c: -log_softmax(z, 1)[np.arange(len(c)), c],
         lambda z, c: softmax(z, 1) - np.eye(z.shape[1])[c],
         st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(tensor), classes),
    # kinked losses: inputs on the quarter grid, targets an eighth off it, so the difference
    # is never 0 and never ±1 (the default beta / delta), where these have their kinks
    loss("l1_loss", lambda p, t: np.abs(p - t), lambda p, t: np.sign(p - t),
         tensor(elements=GRID), targets(GRID_SHIFTED)),
    loss("smooth_l1_loss",  # ½d² for |d| < 1, |d| − ½ beyond
         lambda p, t: np.where(np.abs(p - t) < 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5),
         lambda p, t: np.clip(p - t, -1, 1), tensor(elements=GRID), targets(GRID_SHIFTED)),
    loss("huber_loss",  # the same with delta = 1
         lambda p, t: np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5),
         lambda p, t: np.clip(p - t, -1, 1), tensor(elements=GRID), targets(GRID_SHIFTED)),
    loss("kl_div",  # t·(ln t − x), 0 where t = 0;  ∂/∂x = −t
         lambda x, t: np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t * x,
         lambda x, t: -t + 0 * x, tensor(), targets(st.sampled_from([0.0, 0.25, 1.0]))),
    loss("binary_cross_entropy",  # probabilities p inside (0, 1): −t ln p − (1 − t) ln(1 − p)
         lambda p, t: bce(p, t), lambda p, t: (p - t) / np.maximum(p * (1 - p), 1e-12),
         tensor(elements=float_range(0.05, 0.95)), targets(st.sampled_from([0.0, 0.3, 1.0]))),
    loss("nll_loss",  # −x[c], derivative −onehot(c)
         lambda x, c: -x[np.arange(len(c)), c], lambda x, c: -np.eye(x.shape[1])[c] + 0 * x,
         st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(tensor), classes),
]


def bce(p, t):
    """PyTorch's binary cross-entropy, each log clamped at −100."""
    with np.errstate(divide="ignore"):
        return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log1p(-p), -100))
