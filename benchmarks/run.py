"""Run the benchmark suite and print its table (the workloads: `benchmarks/__init__.py`).

    python -m benchmarks [--quick] [--only W1,W3] [--threads N] [--repeats N]
                         [--json PATH] [--markdown] [--against CHECKOUT]
    python -m benchmarks --guard
    python benchmarks/run.py ...                     (the same)

Method. For each workload every framework runs in its own worker process (`worker.py`):
numpy, tinygrad_edu, then each peer (torch, autograd, micrograd) that imports and that the
workload supports. The workers warm up one after another, then are asked for samples in
turn, A B C A B C ..., so that a noisy neighbour slows every framework alike. A figure is
the median of the samples; a ratio is a framework's figure over numpy's, from the same run.
Every final loss must equal numpy's within the workload's RTOL: for numpy and tinygrad_edu a
mismatch or a crash is an error (exit status 1), for a peer it shows in its cell. BLAS gets
`--threads` threads (default 1), set in the workers' environment before they import numpy.

The workers' heap is steady too. glibc gives the free top of its heap back to the kernel, and
the next step's arrays then cost a page fault per 4 KiB page. Whether a workload's steps do
that depends on where its start-up allocations happened to land: the same W3 code took 45,000
or 135,000 faults per run with nothing but a different command line, and its ratio read
anything from 0.93 to 1.45. So every worker gets the same fixed trim and mmap thresholds
(STEADY_HEAP), as it gets a fixed BLAS thread count; `--glibc-heap` leaves glibc's defaults.
`benchmarks/faults.py` counts the faults.

`--against CHECKOUT` adds one more worker: tinygrad_edu and the workload as another checkout
(a git worktree of an older commit, say) has them, in the column "against". Engine work is
judged by that column: the machine's speed drifts by tens of percent between runs, but the
two versions are measured side by side in the same one.

`--guard` runs a quick W1 and W3 without peers and exits 1 only when a ratio is more than
GUARD_FACTOR times its target (or on an error): a check for gross regressions that CI runs.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(ROOT))

WORKLOADS = {"W1": "w1_dispatch", "W2": "w2_logistic", "W3": "w3_course_mlp",
             "W4": "w4_large_mlp", "W5": "w5_tiny_net", "W6": "w6_deep_chain",
             "W7": "w7_conv"}
GUARDED = ("W1", "W3")
# 2.5, not 2: a fresh CI virtualenv once measured W3 at 2.0 where the main environment gave
# 1.5 (heap luck, before STEADY_HEAP), and a guard must not fail on noise
GUARD_FACTOR = 2.5
PEERS = ("torch", "autograd", "micrograd")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# glibc's mallopt settings as environment variables (other C libraries ignore them): never
# trim the heap, and serve arrays up to 32 MiB (the largest threshold glibc accepts) from it
STEADY_HEAP = {"MALLOC_TRIM_THRESHOLD_": str(1 << 40), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}
SAMPLE_SECONDS = 0.2  # a worker repeats short workloads until a sample lasts this long
REPEATS, QUICK_REPEATS = 9, 3


def worker_env(threads: int, steady_heap: bool = True) -> dict[str, str]:
    """A worker's environment: BLAS pinned to `threads` threads and, unless told otherwise,
    the steady heap."""
    env = dict(os.environ, **dict.fromkeys(THREAD_VARIABLES, str(threads)))
    if steady_heap:
        env.update(STEADY_HEAP)
    return env


def check_checkout(parser: argparse.ArgumentParser, path: Path) -> None:
    """Exit through `parser` unless `path` is a checkout of tinygrad_edu (`--against`)."""
    if not (path / "benchmarks" / "worker.py").is_file():
        parser.error(f"--against: {path} is not a checkout of tinygrad_edu "
                     "(no benchmarks/worker.py)")


class Worker:
    """A child process running one framework on one workload; see `worker.py`."""

    def __init__(self, workload: str, framework: str, env: dict[str, str],
                 root: Path = ROOT) -> None:
        # `-m` puts the working directory first on sys.path, so `root` supplies both packages
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", workload, framework,
             str(SAMPLE_SECONDS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root, env=env)
        self.ready = self._reply()  # after the warm-up: the result, or an error

    def _reply(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            return {"error": f"worker exited with status {self.process.wait()}"}
        return json.loads(line)

    def sample(self) -> dict:
        self.process.stdin.write("sample\n")
        self.process.stdin.flush()
        return self._reply()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def measure(workload: str, frameworks: list[str], repeats: int, env: dict[str, str],
            against: Path | None = None) -> dict:
    """{framework: {result, samples, seconds (median), memory_mb} or {error}}, interleaved;
    "against" is tinygrad_edu run from the checkout `against`."""
    workers = {fw: Worker(workload, fw, env) for fw in frameworks}  # started one by one
    if against is not None:
        workers["against"] = Worker(workload, "tinygrad_edu", env, against)
    figures = {fw: worker.ready for fw, worker in workers.items()}
    for _ in range(repeats):
        for fw, worker in workers.items():
            if "error" not in figures[fw]:
                sample = worker.sample()
                if "error" in sample:
                    figures[fw] = sample
                    continue
                figures[fw].setdefault("samples", []).append(sample["seconds"])
                figures[fw]["peak_kb"] = sample["peak_kb"]
    for worker in workers.values():
        worker.close()
    for f in figures.values():
        if "samples" in f:
            f["seconds"] = statistics.median(f["samples"])
            f["memory_mb"] = (f.pop("peak_kb") - f.pop("baseline_kb")) / 1024
    return figures


def evaluate(key: str, module, figures: dict) -> dict:
    """Check the losses, take the ratios to numpy and judge them against the targets."""
    numpy_ = figures["numpy"]
    for fw, f in figures.items():
        if fw == "numpy" or "error" in f or "error" in numpy_:
            continue
        if not np.allclose(f["result"], numpy_["result"], rtol=module.RTOL, atol=0):
            f["error"] = f"loss mismatch: {f['result']} against numpy's {numpy_['result']}"
            continue
        f["ratio"] = f["seconds"] / numpy_["seconds"]
        if hasattr(module, "MEMORY_TARGET"):
            f["memory_ratio"] = f["memory_mb"] / numpy_["memory_mb"]
    ours = figures["tinygrad_edu"]
    errors = [f"{fw}: {figures[fw]['error']}" for fw in ("numpy", "tinygrad_edu")
              if "error" in figures[fw]]
    checks = {}  # what must hold, each True or False; none when there are errors
    if not errors:
        checks["ratio"] = ours["ratio"] <= module.TARGET
        if hasattr(module, "MAX_US_PER_OP"):
            checks["us_per_op"] = ours["seconds"] / module.OPS * 1e6 < module.MAX_US_PER_OP
        if hasattr(module, "MEMORY_TARGET"):
            checks["memory"] = ours["memory_ratio"] <= module.MEMORY_TARGET
    return {"id": key, "title": module.TITLE, "target": module.TARGET,
            "ops": getattr(module, "OPS", None),
            "max_us_per_op": getattr(module, "MAX_US_PER_OP", None),
            "memory_target": getattr(module, "MEMORY_TARGET", None), "rtol": module.RTOL,
            "frameworks": figures, "errors": errors, "checks": checks,
            "passed": bool(checks) and all(checks.values())}


# ---------------------------------------------------------------- the table


def time_cell(f: dict, ops: int | None) -> str:
    if "error" in f:
        return "error"
    s = f["seconds"]
    if ops:
        return f"{s / ops * 1e6:.3g} µs/op"
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def peer_cell(row: dict, peer: str, key: str) -> str:
    f = row["frameworks"].get(peer)
    if f is None:
        return "–"
    return f["error"].split(":")[0] if "error" in f else f"{f[key]:.3g}"


def table(rows: list[dict], peers: tuple[str, ...]) -> list[list[str]]:
    """The header and one row per workload (and one for W4's memory), as strings."""
    out = [["workload", "numpy", "tinygrad_edu", "ratio", "target", "result", *peers]]
    for row in rows:
        np_, ours = row["frameworks"]["numpy"], row["frameworks"]["tinygrad_edu"]
        checks = row["checks"]
        speed = checks.get("ratio", False) and checks.get("us_per_op", True)
        verdict = "ERROR" if row["errors"] else "on target" if speed else "above target"
        target = f"≤ {row['target']:g}"
        if row["max_us_per_op"]:
            target += f", < {row['max_us_per_op']:g} µs/op"
        ratio = f"{ours['ratio']:.2f}" if "ratio" in ours else "–"
        out.append([row["title"], time_cell(np_, row["ops"]), time_cell(ours, row["ops"]),
                    ratio, target, verdict, *(peer_cell(row, p, "ratio") for p in peers)])
        if row["memory_target"] and "memory_ratio" in ours:
            out.append([f"{row['id']} peak memory above the imports",
                        f"{np_['memory_mb']:.1f} MB", f"{ours['memory_mb']:.1f} MB",
                        f"{ours['memory_ratio']:.2f}", f"≤ {row['memory_target']:g}",
                        "on target" if checks["memory"] else "above target",
                        *(peer_cell(row, p, "memory_ratio") for p in peers)])
    return out


def render_text(cells: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def render_markdown(cells: list[list[str]]) -> str:
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + "---|" * len(cells[0]))
    return "\n".join(lines)


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # importable without metadata, e.g. a checkout
        return "(version unknown)"


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in
              (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
              if line.startswith("model name")]
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas['name']} {blas['version']}"
    except (TypeError, KeyError):  # numpy < 1.25 has no mode="dicts"
        blas = "unknown"
    peers = {p: version(p) for p in PEERS if importlib.util.find_spec(p) is not None}
    return {"cpu": models[0] if models else platform.processor(), "cores": os.cpu_count(),
            "python": platform.python_version(), "numpy": np.__version__, "blas": blas,
            "peers": peers}


# ---------------------------------------------------------------- command line


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_REPEATS} samples per figure instead of {REPEATS}")
    parser.add_argument("--only", help="comma-separated workloads, e.g. W1,W3")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--repeats", type=int, help="samples per figure")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--guard", action="store_true",
                        help="quick W1 and W3; exit 1 if a ratio exceeds 2.5 times its target")
    parser.add_argument("--against", metavar="CHECKOUT", type=Path,
                        help="also run tinygrad_edu from another checkout (column 'against')")
    parser.add_argument("--glibc-heap", action="store_true",
                        help="leave glibc's heap trimming on (page faults then vary by run)")
    args = parser.parse_args(argv)
    keys = GUARDED if args.guard else (args.only or ",".join(WORKLOADS)).upper().split(",")
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(WORKLOADS)}")
    if args.threads < 1 or (args.repeats is not None and args.repeats < 1):
        parser.error("--threads and --repeats must be at least 1")
    if args.against is not None:
        check_checkout(parser, args.against)
    args.keys = keys
    args.repeats = args.repeats or (QUICK_REPEATS if args.quick or args.guard else REPEATS)
    return args


def report(rows: list[dict], args: argparse.Namespace, command: str) -> None:
    """Print the table (text or Markdown) with the machine and notes; write the JSON."""
    info = machine()
    setup = (f"{info['cpu']}, {info['cores']} cores; Python {info['python']}, numpy "
             f"{info['numpy']} ({info['blas']}); {args.threads} BLAS thread(s); "
             f"median of {args.repeats} interleaved samples; heap "
             f"{'as glibc sets it' if args.glibc_heap else 'steady (no trimming)'}")
    if info["peers"] and not args.guard:
        setup += "; " + ", ".join(f"{p} {v}" for p, v in info["peers"].items())
    peers = (() if args.guard else PEERS) + (("against",) if args.against else ())
    notes = ["Times are per training run, or per op (µs/op); ratio = tinygrad_edu / numpy.",
             "\"above target\": slower than the goal the project set itself for this workload "
             "on this machine; the results were checked and are right. Only ERROR (a wrong "
             "result or a crash) means something is broken."]
    if args.against:
        notes.append(f"against: tinygrad_edu from {args.against}, time / numpy's.")
    if peers:
        missing = [p for p in PEERS if p in peers and importlib.util.find_spec(p) is None]
        notes.append("Peers' columns: their time / numpy's; – where not run"
                     + (f" (not installed: {', '.join(missing)})." if missing else "."))
    notes += [f"{row['id']} {error}" for row in rows for error in row["errors"]]
    cells = table(rows, peers)
    if args.markdown:
        print(f"`{command}` on {setup}.\n\n{render_markdown(cells)}\n")
        print("\n".join(f"- {note}" for note in notes))
    else:
        print(f"{command}\n{setup}\n\n{render_text(cells)}\n\n" + "\n".join(notes))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"command": command, "machine": info, "threads": args.threads,
             "steady_heap": not args.glibc_heap, "repeats": args.repeats, "workloads": rows},
            indent=1) + "\n")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    env = worker_env(args.threads, steady_heap=not args.glibc_heap)
    rows = []
    for key in args.keys:
        module = importlib.import_module(f"benchmarks.{WORKLOADS[key]}")
        peers = [] if args.guard else [p for p in PEERS if hasattr(module, f"by_{p}")
                                       and importlib.util.find_spec(p) is not None]
        print(f"running {module.TITLE} ...", file=sys.stderr, flush=True)
        figures = measure(WORKLOADS[key], ["numpy", "tinygrad_edu", *peers], args.repeats, env,
                          args.against)
        rows.append(evaluate(key, module, figures))
    report(rows, args, " ".join(["python -m benchmarks", *argv]))

    failed = any(row["errors"] for row in rows)
    if args.guard:
        for row in rows:
            ratio = row["frameworks"]["tinygrad_edu"].get("ratio", float("inf"))
            limit = GUARD_FACTOR * row["target"]
            print(f"guard {row['id']}: ratio {ratio:.2f}, limit {limit:g}: "
                  f"{'ok' if ratio <= limit else 'REGRESSION'}")
            failed |= ratio > limit
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
