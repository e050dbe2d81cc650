"""Minor page faults and time per run of one workload, in this process: how W3's cost was found.

    python benchmarks/faults.py [W3] [--framework numpy|tinygrad_edu|tinygrad_edu_fused]
                                [--runs 5] [--shift K]

A step that frees its activations and allocates them again costs page faults whenever glibc
has given the top of the heap back to the kernel in between. Which processes pay depends on
where the first long-lived allocations landed, so compare fault counts, not only times: the
same W3 run took 111,000 faults with the environment as it is and 45,000 with PYTHONPATH set
to a directory that does not exist; `--shift K` moves those allocations on purpose (compare
K = 0, 3, 6, 9, 12). `python -m benchmarks --steady-heap` gives its workers
glibc settings that never trim (run.STEADY_HEAP); set them here to compare:

    MALLOC_TRIM_THRESHOLD_=1099511627776 MALLOC_MMAP_THRESHOLD_=33554432 python benchmarks/faults.py
"""

import argparse
import importlib
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the suite's workers, before numpy
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.run import WORKLOADS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", nargs="?", default="W3", choices=sorted(WORKLOADS))
    parser.add_argument("--framework", default="tinygrad_edu",
                        choices=["numpy", "tinygrad_edu", "tinygrad_edu_fused"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shift", type=int, default=0, metavar="K",
                        help="first keep K arrays (1000·1.7^i float64s) alive: the workload's "
                             "allocations land elsewhere in the heap")
    args = parser.parse_args()
    kept = [np.ones(int(1000 * 1.7**i)) for i in range(args.shift)]  # noqa: F841
    module = importlib.import_module(f"benchmarks.{WORKLOADS[args.workload]}")
    run, data = getattr(module, f"by_{args.framework}"), module.make_data()
    for _ in range(3):  # warm-up: the heap reaches its steady shape
        run(data)
    before, start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.perf_counter()
    for _ in range(args.runs):
        run(data)
    seconds = (time.perf_counter() - start) / args.runs
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / args.runs
    print(f"{args.workload} {args.framework}: {seconds * 1e3:.1f} ms and {faults:,.0f} minor "
          f"page faults per run")


if __name__ == "__main__":
    main()
