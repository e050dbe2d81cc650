"""Per-operation cost of W1 with forward and backward apart: where an engine change helps.

    python benchmarks/op_overhead.py [--runs 200]

Times the two halves of W1 (200 × tanh(x * 1.01 + 0.1), 600 ops on 16 float64 values:
forward, then backward) for tinygrad_edu and for the hand-written numpy, alternating in one
process, and prints the median µs per op of each half. `python -m benchmarks --only W1` is
the suite's figure: whole runs, each framework in its own process.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the suite's workers, before numpy
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from benchmarks import w1_dispatch as w1  # noqa: E402


def by_numpy(x0) -> tuple[float, float]:
    start = time.perf_counter()
    outs = w1.numpy_forward(x0)
    middle = time.perf_counter()
    w1.numpy_backward(outs)
    return middle - start, time.perf_counter() - middle


def by_tinygrad_edu(x0) -> tuple[float, float]:
    x = tg.Tensor(x0, requires_grad=True)
    start = time.perf_counter()
    y = w1.tinygrad_edu_forward(x)
    middle = time.perf_counter()
    y.backward(np.ones_like(x0))
    return middle - start, time.perf_counter() - middle


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    x0 = w1.make_data()
    times = {by_numpy: [], by_tinygrad_edu: []}
    for _ in range(args.runs):
        for run, halves in times.items():
            halves.append(run(x0))
    rows = {}
    for run, halves in times.items():
        forward, backward = (statistics.median(h[i] for h in halves) / w1.OPS * 1e6 for i in (0, 1))
        rows[run.__name__[3:]] = forward, backward
        print(f"{run.__name__[3:]:13s} forward {forward:.3f}  backward {backward:.3f}  "
              f"total {forward + backward:.3f} µs/op")
    ours, numpy = (sum(rows[k]) for k in ("tinygrad_edu", "numpy"))
    print(f"ratio {ours / numpy:.2f}")


if __name__ == "__main__":
    main()
