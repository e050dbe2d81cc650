"""Per-operation overhead: W1 of the benchmark suite, kept as a shortcut.

    python benchmarks/op_overhead.py [--repeats N]

is `python -m benchmarks --only W1`: forward + backward through 200 × tanh(x * 1.01 + 0.1)
(600 elementwise ops) on a 16-element float64 tensor, µs per op and the ratio to numpy.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import main  # noqa: E402

if __name__ == "__main__":
    main(["--only", "W1", *sys.argv[1:]])
