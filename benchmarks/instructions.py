"""Instructions per run of one workload, counted by valgrind: a figure that the machine's
drift cannot move, for judging an engine change when timings swing by tens of percent.

    python benchmarks/instructions.py W5 [--framework tinygrad_edu] [--runs 2] [--against DIR]

The workload runs under `valgrind --tool=cachegrind --cache-sim=no` twice, with a warm-up run
only and with `--runs` more; the difference per run is printed. `--against` counts another
checkout too (a git worktree of an older commit, say), with the same settings: one BLAS
thread, the steady heap and a fixed hash seed, so that a count repeats to within 0.01%.

Instructions are not time. Memory traffic costs time and few instructions: page faults (W3
with glibc's heap), cache misses, and the garbage collector's walks over a large graph (W6).
A change aimed at those is judged with `python -m benchmarks --against` instead.
Needs valgrind (`apt install valgrind`). A run takes about 50 times as long as without it,
and W3 and W4, whose BLAS calls fare worse, take tens of minutes.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import WORKLOADS, check_checkout, worker_env  # noqa: E402

# run from the checkout's directory, so that `-c` imports its benchmarks and tinygrad_edu
CHILD = """
import importlib, sys
module = importlib.import_module("benchmarks." + sys.argv[1])
run, data = getattr(module, "by_" + sys.argv[2]), module.make_data()
for _ in range(1 + int(sys.argv[3])):
    run(data)
"""


def count(checkout: Path, module: str, framework: str, runs: int) -> int:
    """Instructions of a process that imports, builds the data and runs 1 + `runs` times."""
    env = {**worker_env(threads=1, steady_heap=True), "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", CHILD, module, framework, str(runs)],
        cwd=checkout, env=env, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"instructions: the run in {checkout} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_run(checkout: Path, module: str, framework: str, runs: int) -> float:
    return (count(checkout, module, framework, runs) - count(checkout, module, framework, 0)) / runs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--framework", default="tinygrad_edu",
                        choices=["numpy", "tinygrad_edu", "tinygrad_edu_fused"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--against", metavar="DIR", type=Path,
                        help="also count the workload in another checkout")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if args.against is not None:
        check_checkout(parser, args.against)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt install valgrind)")
    module = WORKLOADS[args.workload]
    here = per_run(ROOT, module, args.framework, args.runs)
    print(f"{args.workload} {args.framework}: {here:,.0f} instructions per run")
    if args.against is not None:
        there = per_run(args.against, module, args.framework, args.runs)
        print(f"against {args.against}: {there:,.0f} instructions per run; "
              f"this checkout / against = {here / there:.4f}")


if __name__ == "__main__":
    main()
