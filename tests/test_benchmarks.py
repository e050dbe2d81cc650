"""The benchmark runner's plumbing (not its timings, which live in `python -m benchmarks`)."""

import json
from pathlib import Path

import pytest

from benchmarks import run

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
