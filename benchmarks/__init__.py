"""The benchmark suite: tinygrad_edu against the same math written by hand in plain numpy.

    python -m benchmarks [--quick] [--only W1,W3] [--threads N] [--json PATH] [--markdown]
                         [--steady-heap] [--against CHECKOUT]
    python -m benchmarks --guard        # quick W1 + W3; exit 1 only on a gross regression

Each workload is a module `wN_*.py` holding
    TITLE, TARGET    what it runs, and the ratio (generic form's time / numpy time) to stay under
    RTOL             how closely every framework's final loss must match numpy's
    make_data()      data and initial weights, the same for every framework
    by_numpy(data)   the same math written by hand
    by_tinygrad_edu(data)        the generic form: the code a tutorial writes
    by_tinygrad_edu_fused(data)  optionally, the package's fused API for the same math
    by_tinygrad_edu_jit(data)    optionally, the jit form (a column of its own when present)
    by_torch, by_autograd, by_micrograd   optionally, the peers
                     each one training run, returning the final loss (or gradient)
and, where it applies, OPS (report µs per op), MAX_US_PER_OP, MEMORY_TARGET.
`run.py` lists them, runs every framework in its own process (`worker.py`), interleaved, and
prints the table; its docstring gives the method.
"""
