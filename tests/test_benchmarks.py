"""The benchmark runner's plumbing (not its timings, which live in `python -m benchmarks`)."""

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import instructions, op_overhead, run

ROOT = Path(__file__).resolve().parents[1]


def test_against_measures_another_checkout_in_the_same_run(tmp_path, capsys):
    out = tmp_path / "w1.json"
    with pytest.raises(SystemExit) as exit_:
        run.main(["--only", "W1", "--repeats", "1", "--against", str(ROOT), "--json", str(out)])
    assert exit_.value.code == 0
    figures = json.loads(out.read_text())["workloads"][0]["frameworks"]
    assert figures["against"]["ratio"] > 0 and len(figures["against"]["samples"]) == 1
    assert figures["against"]["result"] == figures["tinygrad_edu"]["result"]
    assert f"against: tinygrad_edu from {ROOT}" in capsys.readouterr().out


def test_against_must_be_a_checkout(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run.main(["--only", "W1", "--against", str(tmp_path)])
    assert exit_.value.code == 2
    assert "is not a checkout of tinygrad_edu" in capsys.readouterr().err


class _Measured(Exception):
    pass


@pytest.mark.parametrize("flags, steady", [([], True), (["--glibc-heap"], False)])
def test_workers_get_a_steady_heap_unless_glibcs_is_asked_for(monkeypatch, flags, steady):
    def measure(workload, frameworks, repeats, env, against):
        raise _Measured(env)

    monkeypatch.setattr(run, "measure", measure)
    with pytest.raises(_Measured) as measured:
        run.main(["--only", "W3", *flags])
    env = measured.value.args[0]
    assert all((env.get(k) == v) == steady for k, v in run.STEADY_HEAP.items())
    assert env["OPENBLAS_NUM_THREADS"] == "1"


def test_op_overhead_times_forward_and_backward_apart(capsys):
    op_overhead.main(["--runs", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["numpy", "tinygrad_edu", "ratio"]
    for line in lines[:2]:
        forward, backward, total = (float(line.split()[i]) for i in (2, 4, 6))
        assert forward > 0 and backward > 0 and total == pytest.approx(forward + backward,
                                                                       abs=2e-3)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instructions_counts_a_run_of_a_workload(capsys):
    instructions.main(["W1", "--runs", "1"])
    out = capsys.readouterr().out
    count = float(out.split(":")[1].split()[0].replace(",", ""))
    assert out.startswith("W1 tinygrad_edu:") and 1e6 < count < 1e9  # about 17 million here


def test_instructions_refuses_a_directory_that_is_not_a_checkout(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        instructions.main(["W1", "--against", str(tmp_path)])
    assert exit_.value.code == 2
    assert "is not a checkout of tinygrad_edu" in capsys.readouterr().err
