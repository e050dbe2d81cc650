"""One framework running one workload, alone in its process; `run.py` drives it.

    python -m benchmarks.worker w3_course_mlp tinygrad_edu 0.2

The framework names the function `by_<framework>` the workload module runs; the forms of
tinygrad_edu (`tinygrad_edu`, `tinygrad_edu_fused`, `tinygrad_edu_jit`) import tinygrad_edu.
It imports, notes the peak RSS so far (the baseline: interpreter, numpy, imports), builds the
data, warms up, and picks how many calls make a sample of at least the given seconds. Then it
prints one JSON line {"result", "baseline_kb"} and, for each line read from stdin, one sample
{"seconds" (per call), "peak_kb"}. A failure prints {"error"} instead. BLAS threads are set by
the parent in the environment, so they are fixed before numpy is imported here.
"""

import importlib
import json
import resource
import sys
import time

import numpy as np

WARMUP_SECONDS = 0.3


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def reply(**fields) -> None:
    print(json.dumps(fields), flush=True)


def main(workload: str, framework: str, sample_seconds: float) -> None:
    importlib.import_module("tinygrad_edu" if framework.startswith("tinygrad_edu_")
                            else framework)
    module = importlib.import_module(f"benchmarks.{workload}")
    run = getattr(module, f"by_{framework}")
    baseline_kb = peak_kb()
    data = module.make_data()
    try:
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < WARMUP_SECONDS:
            result = run(data)
            calls += 1
        number = max(1, round(sample_seconds * calls / (time.perf_counter() - start)))
    except Exception as e:  # a peer may fail (micrograd's recursion): report, don't crash
        reply(error=f"{type(e).__name__}: {e}")
        return
    reply(result=np.asarray(result, dtype=float).tolist(), baseline_kb=baseline_kb)
    for _ in sys.stdin:
        start = time.perf_counter()
        for _ in range(number):
            run(data)
        reply(seconds=(time.perf_counter() - start) / number, peak_kb=peak_kb())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
