"""Per-operation overhead: forward + backward through 200 × tanh(x * 1.01 + 0.1) (600
elementwise ops) on a 16-element float64 tensor, against the same math in plain numpy.

    python benchmarks/op_overhead.py [--repeats 200]

Prints the median microseconds per op for both and their ratio (tinygrad_edu / numpy).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import tinygrad_edu as tg

LAYERS = 200
OPS = 3 * LAYERS


def numpy_version(x0: np.ndarray) -> np.ndarray:
    """The same math by hand: y = tanh(1.01 x + 0.1) forward, dy/dx = 1.01 (1 − y²) back."""
    x, outs = x0, []
    for _ in range(LAYERS):
        x = np.tanh(x * 1.01 + 0.1)
        outs.append(x)
    g = np.ones_like(x)
    for y in reversed(outs):
        g = g * (1 - y * y)
        g = g * 1.01
    return g


def tinygrad_version(x0: np.ndarray) -> np.ndarray:
    x = tg.Tensor(x0, requires_grad=True)
    y = x
    for _ in range(LAYERS):
        y = (y * 1.01 + 0.1).tanh()
    y.backward(np.ones_like(x0))
    return x.grad.data


def median_seconds(fn, arg, repeats: int) -> float:
    for _ in range(5):
        fn(arg)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    x0 = np.random.default_rng(0).standard_normal(16)
    np.testing.assert_allclose(tinygrad_version(x0), numpy_version(x0), rtol=1e-12)
    t_np = median_seconds(numpy_version, x0, args.repeats)
    t_tg = median_seconds(tinygrad_version, x0, args.repeats)
    print(f"numpy        {t_np / OPS * 1e6:6.2f} us/op")
    print(f"tinygrad_edu {t_tg / OPS * 1e6:6.2f} us/op")
    print(f"ratio        {t_tg / t_np:6.2f}x  (forward + backward, {OPS} ops, median of "
          f"{args.repeats})")


if __name__ == "__main__":
    main()
