"""Run the benchmark suite and print its table (the workloads: `benchmarks/__init__.py`).

    python -m benchmarks [--quick] [--only W1,W3] [--threads N] [--repeats N]
                         [--json PATH] [--markdown] [--against CHECKOUT] [--steady-heap]
    python -m benchmarks --guard
    python benchmarks/run.py ...                     (the same)

Method. For each workload every framework runs in its own worker process (`worker.py`):
numpy, each form of tinygrad_edu (FORMS: "generic", the expression a tutorial writes, as the
peers' versions are written; "fused", the package's own API; "jit" where a workload has one),
then each peer (torch, autograd, micrograd) that imports and that the workload supports. The
workers warm up one after another, then are asked for samples in turn, A B C A B C ..., so
that a noisy neighbour slows every framework alike. A figure is the median of the samples; a
ratio is a framework's figure over numpy's, from the same run, and its range is that of the
ratios round by round. Every final loss must equal numpy's within the workload's RTOL: for
numpy and a form of tinygrad_edu a mismatch or a crash is an error (exit status 1), for a
peer it shows in its cell. The target and the verdict are the generic form's.

The workers run in the environment as it is, which is what users meet, except that BLAS gets
`--threads` threads (default 1), set before they import numpy. `--steady-heap` also gives
them glibc settings that never trim the heap (STEADY_HEAP): without them a step's fresh
arrays may cost a page fault per 4 KiB page, depending on where start-up allocations landed
(`benchmarks/faults.py` counts them), so that view is steadier but not what users have.

`--against CHECKOUT` adds one more worker: tinygrad_edu and the workload as another checkout
(a git worktree of an older commit, say) has them, in the column "against". Engine work is
judged by that column: the machine's speed drifts by tens of percent between runs, but the
two versions are measured side by side in the same one.

`--guard` runs a quick W1 and W3 (eager forms, no peers) in the default environment and exits
1 only on an error or when a ratio is more than its factor (GUARDED) times its target in
two measurements (a workload over the limit is measured again in new workers: a real
regression shows twice, a noisy sample seldom does): a check for regressions that CI runs.
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
# the forms of tinygrad_edu: column name -> worker framework (the function `by_<framework>`);
# a workload without a form's function gets "–" in its column (W1, W6 have no fused API)
FORMS = {"generic": "tinygrad_edu", "fused": "tinygrad_edu_fused", "jit": "tinygrad_edu_jit"}
HEADLINE = "tinygrad_edu"  # the generic form: the target, the verdict and `--against` are its
EAGER = ("tinygrad_edu", "tinygrad_edu_fused")  # the forms the guard checks
GUARDED = {"W1": 2.0, "W3": 1.5}  # workload: a ratio over this factor × its target fails;
# why these factors: docs/benchmarks.md, "The CI guard"
PEERS = ("torch", "autograd", "micrograd")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# glibc's mallopt settings as environment variables (other C libraries ignore them): never
# trim the heap, and serve arrays up to 32 MiB (the largest threshold glibc accepts) from it
STEADY_HEAP = {"MALLOC_TRIM_THRESHOLD_": str(1 << 40), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}
SAMPLE_SECONDS = 0.2  # a worker repeats short workloads until a sample lasts this long
REPEATS, QUICK_REPEATS = 9, 3


def worker_env(threads: int, steady_heap: bool = False) -> dict[str, str]:
    """A worker's environment: the caller's, with BLAS pinned to `threads` threads and, when
    asked, the steady heap."""
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
    "against" is tinygrad_edu's generic form run from the checkout `against`."""
    workers = {fw: Worker(workload, fw, env) for fw in frameworks}  # started one by one
    if against is not None:
        workers["against"] = Worker(workload, HEADLINE, env, against)
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


def forms_of(module) -> list[str]:
    """The worker frameworks of the tinygrad_edu forms `module` has, generic first."""
    return [fw for fw in FORMS.values() if hasattr(module, f"by_{fw}")]


def evaluate(key: str, module, figures: dict) -> dict:
    """Check the losses, take the ratios to numpy (median and round-by-round range) and judge
    the generic form against the targets."""
    numpy_ = figures["numpy"]
    for fw, f in figures.items():
        if fw == "numpy" or "error" in f or "error" in numpy_:
            continue
        if not np.allclose(f["result"], numpy_["result"], rtol=module.RTOL, atol=0):
            f["error"] = f"loss mismatch: {f['result']} against numpy's {numpy_['result']}"
            continue
        f["ratio"] = f["seconds"] / numpy_["seconds"]
        rounds = [a / b for a, b in zip(f["samples"], numpy_["samples"])]
        f["ratio_range"] = [min(rounds), max(rounds)]
        if hasattr(module, "MEMORY_TARGET"):
            f["memory_ratio"] = f["memory_mb"] / numpy_["memory_mb"]
    ours = figures[HEADLINE]
    errors = [f"{fw}: {figures[fw]['error']}" for fw in ("numpy", *FORMS.values())
              if fw in figures and "error" in figures[fw]]
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


def form_cell(row: dict, fw: str) -> str:
    """A form's ratio to numpy, median and (round-by-round range); "–" where it has none."""
    f = row["frameworks"].get(fw)
    if f is None:
        return "–"
    if "error" in f:
        return "ERROR"
    if "ratio" not in f:
        return "–"
    low, high = f["ratio_range"]
    return f"{f['ratio']:.2f} ({low:.2f}–{high:.2f})"


def table(rows: list[dict], peers: tuple[str, ...]) -> list[list[str]]:
    """The header and one row per workload (and one for W4's memory), as strings: numpy's
    time, each form's ratio (a column per form some workload has), the generic form's
    target and verdict, then the peers' ratios."""
    forms = [(name, fw) for name, fw in FORMS.items()
             if any(fw in row["frameworks"] for row in rows)]
    out = [["workload", "numpy", *(name for name, _ in forms), "target", "result", *peers]]
    for row in rows:
        np_, ours = row["frameworks"]["numpy"], row["frameworks"][HEADLINE]
        checks = row["checks"]
        speed = checks.get("ratio", False) and checks.get("us_per_op", True)
        verdict = "ERROR" if row["errors"] else "on target" if speed else "above target"
        target = f"≤ {row['target']:g}"
        if row["max_us_per_op"]:
            target += f", < {row['max_us_per_op']:g} µs/op"
            if "seconds" in ours:
                verdict += f" ({time_cell(ours, row['ops'])})"
        out.append([row["title"], time_cell(np_, row["ops"]),
                    *(form_cell(row, fw) for _, fw in forms), target, verdict,
                    *(peer_cell(row, p, "ratio") for p in peers)])
        if row["memory_target"] and "memory_ratio" in ours:
            memory = [row["frameworks"].get(fw, {}).get("memory_ratio") for _, fw in forms]
            out.append([f"{row['id']} peak memory above the imports",
                        f"{np_['memory_mb']:.1f} MB",
                        *("–" if m is None else f"{m:.2f}" for m in memory),
                        f"≤ {row['memory_target']:g}",
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
                        help="quick W1 and W3; exit 1 if a ratio exceeds its limit twice "
                        f"({', '.join(f'{k} {f:g} × target' for k, f in GUARDED.items())})")
    parser.add_argument("--against", metavar="CHECKOUT", type=Path,
                        help="also run tinygrad_edu from another checkout (column 'against')")
    parser.add_argument("--steady-heap", action="store_true",
                        help="workers never trim the heap (glibc settings users do not have; "
                        "fewer page faults, steadier figures)")
    args = parser.parse_args(argv)
    keys = list(GUARDED) if args.guard else (args.only or ",".join(WORKLOADS)).upper().split(",")
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
             f"median of {args.repeats} interleaved samples; "
             + ("STEADY HEAP (glibc told never to trim: not what users have)"
                if args.steady_heap else "default environment (heap as glibc sets it)"))
    if info["peers"] and not args.guard:
        setup += "; " + ", ".join(f"{p} {v}" for p, v in info["peers"].items())
    peers = (() if args.guard else PEERS) + (("against",) if args.against else ())
    notes = ["numpy: time per training run, or per op (µs/op). The other columns: time / "
             "numpy's, median (and the range of the round-by-round ratios).",
             "generic: the expression a tutorial writes; fused: the package's own API; – where "
             "a workload has no such form. Target and result are the generic form's.",
             "\"above target\": slower than the goal the project set itself for this workload "
             "on this machine; the results were checked and are right. Only ERROR (a wrong "
             "result or a crash) means something is broken."]
    if args.against:
        notes.append(f"against: tinygrad_edu's generic form from {args.against}, time / "
                     "numpy's.")
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
             "steady_heap": args.steady_heap, "repeats": args.repeats, "workloads": rows},
            indent=1) + "\n")


def run_workload(key: str, args: argparse.Namespace, env: dict[str, str]) -> dict:
    """Measure and evaluate one workload: numpy, the forms of tinygrad_edu (only the eager
    ones for the guard) and, unless guarding, the peers that import."""
    module = importlib.import_module(f"benchmarks.{WORKLOADS[key]}")
    peers = [] if args.guard else [p for p in PEERS if hasattr(module, f"by_{p}")
                                   and importlib.util.find_spec(p) is not None]
    print(f"running {module.TITLE} ...", file=sys.stderr, flush=True)
    forms = forms_of(module)
    if args.guard:
        forms = [fw for fw in forms if fw in EAGER]
    figures = measure(WORKLOADS[key], ["numpy", *forms, *peers], args.repeats, env,
                      args.against)
    return evaluate(key, module, figures)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    env = worker_env(args.threads, steady_heap=args.steady_heap)
    rows = [run_workload(key, args, env) for key in args.keys]
    report(rows, args, " ".join(["python -m benchmarks", *argv]))

    failed = any(row["errors"] for row in rows)
    if args.guard and not failed:
        over = [row["id"] for row in rows if not guard([row])]
        if over:  # page faults are a per-process lottery: a real regression shows twice
            print(f"guard: {', '.join(over)} over the limit; measuring again in new workers")
            failed = not guard([run_workload(key, args, env) for key in over])
    sys.exit(1 if failed else 0)


def guard(rows: list[dict]) -> bool:
    """Print each eager form's ratio against its workload's factor × target; True when
    none is over (a form that failed counts as over)."""
    ok = True
    for row in rows:
        limit = GUARDED[row["id"]] * row["target"]
        for name, fw in FORMS.items():
            if fw not in EAGER or fw not in row["frameworks"]:
                continue
            ratio = row["frameworks"][fw].get("ratio", float("inf"))
            print(f"guard {row['id']} {name}: ratio {ratio:.2f}, limit {limit:g}: "
                  f"{'ok' if ratio <= limit else 'REGRESSION'}")
            ok &= ratio <= limit
    return ok


if __name__ == "__main__":
    main()
