"""Loss rows: `F.<name>(input, target, reduction=)`."""

import numpy as np
from hypothesis import strategies as st
from strategies import tensor

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
]
