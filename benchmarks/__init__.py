"""The benchmark suite: tinygrad_edu against the same math written by hand in plain numpy.

    python -m benchmarks [--quick] [--only W1,W3] [--threads N] [--json PATH] [--markdown]
    python -m benchmarks --guard        # quick W1 + W3; exit 1 only on a gross regression

Each workload is a module `wN_*.py` holding
    TITLE, TARGET    what it runs, and the ratio (tinygrad_edu time / numpy time) to stay under
    RTOL             how closely every framework's final loss must match numpy's
    make_data()      data and initial weights, the same for every framework
    by_numpy(data), by_tinygrad_edu(data), and optionally by_torch, by_autograd,
    by_micrograd     one training run each, returning the final loss (or gradient)
and, where it applies, OPS (report µs per op), MAX_US_PER_OP, MEMORY_TARGET.
`run.py` lists them, runs every framework in its own process (`worker.py`), interleaved, and
prints the table; its docstring gives the method.
"""
