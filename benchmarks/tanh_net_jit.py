"""The jit form of the course's tanh network (W3, W5): `tanh_net.by_tinygrad_edu`, the
expression a tutorial writes, with its step wrapped in `tg.jit`, so the first step traces
and the others replay."""

import tinygrad_edu as tg


def by_tinygrad_edu_jit(data):
    X, Y, Ws, eta, steps = data
    params = [(tg.tensor(W[1:], requires_grad=True), tg.tensor(W[0], requires_grad=True))
              for W in Ws]

    @tg.jit
    def step(X, Y):
        h = X
        for W, b in params:
            h = (h @ W + b).tanh()
        E_in = ((h - Y) ** 2).sum() / len(Y)
        E_in.backward()
        for p in (p for layer in params for p in layer):
            p.data -= eta * p.grad.data
            p.grad = None
        return E_in

    X, Y = tg.from_numpy(X), tg.from_numpy(Y)
    for _ in range(steps):
        E_in = step(X, Y)
    return E_in.item()
