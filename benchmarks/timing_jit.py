"""A quick timing of the jit forms against eager and hand-written numpy, interleaved in one
process: `python -m benchmarks.timing_jit [repeats]`. Medians of `repeats` runs, as ratios to
numpy's; noisy on a shared machine (the full harness is `python -m benchmarks`). Each jit run
includes its trace(s), except W1's, which times replays of one traced gradient."""

import statistics
import sys
import time

from . import (
    tanh_net,
    tanh_net_jit,
    w1_dispatch,
    w2_logistic,
    w3_course_mlp,
    w4_large_mlp,
    w5_tiny_net,
    workloads_jit,
)


def table(repeats: int) -> list[str]:
    w1_jit = workloads_jit.w1_by_tinygrad_edu_jit
    w1_jit(w1_dispatch.make_data())  # the trace, outside the timing
    rows = [
        (w1_dispatch, {"numpy": w1_dispatch.by_numpy, "eager": w1_dispatch.by_tinygrad_edu,
                       "jit": w1_jit}),
        (w2_logistic, {"numpy": w2_logistic.by_numpy, "eager": w2_logistic.by_tinygrad_edu,
                       "jit": workloads_jit.w2_by_tinygrad_edu_jit}),
        (w3_course_mlp, {"numpy": tanh_net.by_numpy, "eager generic": tanh_net_jit.by_generic,
                         "eager fused": tanh_net.by_tinygrad_edu,
                         "jit generic": tanh_net_jit.by_generic_jit,
                         "jit fused": tanh_net_jit.by_tinygrad_edu_jit}),
        (w4_large_mlp, {"numpy": w4_large_mlp.by_numpy, "eager": w4_large_mlp.by_tinygrad_edu,
                        "jit": workloads_jit.w4_by_tinygrad_edu_jit}),
        (w5_tiny_net, {"numpy": tanh_net.by_numpy, "eager generic": tanh_net_jit.by_generic,
                       "eager fused": tanh_net.by_tinygrad_edu,
                       "jit generic": tanh_net_jit.by_generic_jit,
                       "jit fused": tanh_net_jit.by_tinygrad_edu_jit}),
    ]
    out = []
    for module, forms in rows:
        data = module.make_data()
        times = {k: [] for k in forms}
        for _ in range(repeats):
            for k, f in forms.items():
                start = time.perf_counter()
                f(data)
                times[k].append(time.perf_counter() - start)
        base = statistics.median(times["numpy"])
        cells = [f"{k} {statistics.median(v) / base:.2f}" for k, v in times.items()]
        out.append(f"{module.TITLE}: " + ", ".join(cells))
    return out


if __name__ == "__main__":
    print("\n".join(table(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
