"""jit forms of the course's tanh network (W3, W5): the same steps as `tanh_net`, the
step function wrapped in `tg.jit`, so the first step traces and the others replay.
`by_generic_jit` is the expression a tutorial writes, `by_tinygrad_edu_jit` the fused API."""

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F


def by_tinygrad_edu_jit(data):
    X, Y, Ws, eta, steps = data
    net = tg.nn.MLP.from_textbook_weights(Ws)
    opt = tg.optim.SGD(net.parameters(), lr=eta)

    @tg.jit
    def step(X, Y):
        opt.zero_grad()
        E_in = F.squared_error(net(X), Y)
        E_in.backward()
        opt.step()
        return E_in

    X, Y = tg.Tensor(X), tg.Tensor(Y)
    for _ in range(steps):
        E_in = step(X, Y)
    return E_in.item()


def by_generic_jit(data):
    X, Y, Ws, eta, steps = data
    Ws = [tg.tensor(W, requires_grad=True) for W in Ws]

    @tg.jit
    def step(X, Y):
        h = X
        for W in Ws:
            h = (h @ W[1:] + W[0]).tanh()
        E_in = ((h - Y) ** 2).sum() / len(Y)
        for W in Ws:
            W.grad = None
        E_in.backward()
        for W in Ws:
            W.data -= eta * W.grad.data
        return E_in

    X, Y = tg.Tensor(X), tg.Tensor(Y)
    for _ in range(steps):
        E_in = step(X, Y)
    return E_in.item()


def by_generic(data):
    """`by_generic_jit` without tg.jit (the eager baseline of the same code)."""
    X, Y, Ws, eta, steps = data
    Ws = [tg.tensor(W, requires_grad=True) for W in Ws]
    X, Y = tg.Tensor(X), tg.Tensor(Y)
    for _ in range(steps):
        h = X
        for W in Ws:
            h = (h @ W[1:] + W[0]).tanh()
        E_in = ((h - Y) ** 2).sum() / len(Y)
        for W in Ws:
            W.grad = None
        E_in.backward()
        for W in Ws:
            W.data -= eta * W.grad.data
    return E_in.item()
