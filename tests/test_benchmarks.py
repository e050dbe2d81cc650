"""The benchmark runner's plumbing (not its timings, which live in `python -m benchmarks`)."""

import importlib
import inspect
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks import instructions, op_overhead, run, tanh_net

ROOT = Path(__file__).resolve().parents[1]


def test_against_measures_another_checkout_in_the_same_run(tmp_path, capsys):
    out = tmp_path / "w1.json"
    with pytest.raises(SystemExit) as exit_:
        run.main(["--only", "W1", "--repeats", "1", "--against", str(ROOT), "--json", str(out)])
    assert exit_.value.code == 0
    figures = json.loads(out.read_text())["workloads"][0]["frameworks"]
    assert figures["against"]["ratio"] > 0 and len(figures["against"]["samples"]) == 1
    assert figures["against"]["result"] == figures["tinygrad_edu"]["result"]
    assert f"against: tinygrad_edu's generic form from {ROOT}" in capsys.readouterr().out


def test_against_must_be_a_checkout(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run.main(["--only", "W1", "--against", str(tmp_path)])
    assert exit_.value.code == 2
    assert "is not a checkout of tinygrad_edu" in capsys.readouterr().err


class _Measured(Exception):
    pass


@pytest.mark.parametrize("flags, steady", [([], False), (["--steady-heap"], True)])
def test_workers_run_in_the_default_environment_unless_a_steady_heap_is_asked_for(
        monkeypatch, flags, steady):
    def measure(workload, frameworks, repeats, env, against):
        raise _Measured(env, frameworks)

    for variable in run.STEADY_HEAP:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(run, "measure", measure)
    with pytest.raises(_Measured) as measured:
        run.main(["--only", "W3", *flags])
    env, frameworks = measured.value.args
    assert all((env.get(k) == v) == steady for k, v in run.STEADY_HEAP.items())
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert frameworks[:3] == ["numpy", "tinygrad_edu", "tinygrad_edu_fused"]


# each workload shrunk to a few steps: (module constant or data index, value)
SHRUNK = {"W1": ("LAYERS", 5), "W2": ("STEPS", 3), "W3": (4, 3), "W4": ("STEPS", 3),
          "W5": (4, 3), "W6": ("OPS", 10), "W7": ("STEPS", 2)}


@pytest.mark.parametrize("key", sorted(run.WORKLOADS))
def test_every_form_of_a_workload_computes_what_numpy_computes(monkeypatch, key):
    module = importlib.import_module(f"benchmarks.{run.WORKLOADS[key]}")
    data = module.make_data()
    where, steps = SHRUNK[key]
    if isinstance(where, int):
        data = (*data[:where], steps, *data[where + 1:])
    else:
        monkeypatch.setattr(module, where, steps)
    expected = np.asarray(module.by_numpy(data), dtype=float)
    forms = run.forms_of(module)
    assert forms[0] == "tinygrad_edu"
    assert ("tinygrad_edu_fused" in forms) == (key not in ("W1", "W6"))  # no fused API there
    for fw in forms:
        got = np.asarray(getattr(module, f"by_{fw}")(data), dtype=float)
        np.testing.assert_allclose(got, expected, rtol=module.RTOL, atol=0, err_msg=fw)


def test_the_generic_form_is_the_expression_and_the_fused_form_the_api():
    source = inspect.getsource(tanh_net.by_tinygrad_edu)
    assert "(h @ W + b).tanh()" in source and "p.data -= eta * p.grad.data" in source
    assert "optim" not in source and "MLP" not in source
    fused = inspect.getsource(tanh_net.by_tinygrad_edu_fused)
    assert "from_textbook_weights" in fused and "optim.SGD" in fused


def _figures(numpy_samples, **forms):
    """Figures as `measure` returns them: samples, median seconds, a result."""
    out = {}
    for fw, samples in {"numpy": numpy_samples, **forms}.items():
        if isinstance(samples, dict):
            out[fw] = samples
            continue
        out[fw] = {"result": [1.0], "samples": samples, "seconds": float(np.median(samples))}
    return out


def _module(**forms):
    return SimpleNamespace(TITLE="Wx test", TARGET=2.0, RTOL=1e-10, **forms)


def test_evaluate_takes_median_ratios_and_round_by_round_ranges():
    figures = _figures([1.0, 2.0, 1.0], tinygrad_edu=[2.0, 2.0, 3.0],
                       tinygrad_edu_fused=[1.0, 1.0, 1.5])
    row = run.evaluate("Wx", _module(), figures)
    ours, fused = row["frameworks"]["tinygrad_edu"], row["frameworks"]["tinygrad_edu_fused"]
    assert ours["ratio"] == 2.0 and ours["ratio_range"] == [1.0, 3.0]
    assert fused["ratio"] == 1.0 and fused["ratio_range"] == [0.5, 1.5]
    assert row["checks"] == {"ratio": True} and row["passed"] and not row["errors"]


def test_a_wrong_result_in_any_form_is_an_error():
    figures = _figures([1.0], tinygrad_edu=[1.0], tinygrad_edu_fused=[1.0])
    figures["tinygrad_edu_fused"]["result"] = [1.5]
    row = run.evaluate("Wx", _module(), figures)
    assert row["errors"] == ["tinygrad_edu_fused: loss mismatch: [1.5] against numpy's [1.0]"]
    assert not row["passed"]
    assert "ERROR" in run.render_text(run.table([row], ()))


def test_the_table_has_a_column_per_form_present_and_a_dash_where_a_workload_lacks_one():
    both = run.evaluate("Wx", _module(), _figures([1.0], tinygrad_edu=[3.0],
                                                 tinygrad_edu_fused=[1.5]))
    alone = run.evaluate("Wy", _module(), _figures([1.0], tinygrad_edu=[1.0]))
    cells = run.table([both, alone], ("torch",))
    assert cells[0] == ["workload", "numpy", "generic", "fused", "target", "result", "torch"]
    assert cells[1][2:6] == ["3.00 (3.00–3.00)", "1.50 (1.50–1.50)", "≤ 2", "above target"]
    assert cells[2][2:6] == ["1.00 (1.00–1.00)", "–", "≤ 2", "on target"]
    assert cells[1][6] == "–"  # a peer that did not run
    markdown = run.render_markdown(cells).splitlines()
    assert markdown[0].startswith("| workload | numpy | generic | fused |")
    assert markdown[1] == "|" + "---|" * 7 and len(markdown) == 4
    with_jit = run.evaluate("Wz", _module(), _figures([1.0], tinygrad_edu=[2.0],
                                                     tinygrad_edu_jit=[0.5]))
    cells = run.table([with_jit, alone], ())
    assert cells[0][2:5] == ["generic", "jit", "target"]
    assert cells[1][3] == "0.50 (0.50–0.50)" and cells[2][3] == "–"


def test_forms_of_finds_the_jit_form_when_a_workload_has_one():
    def by_tinygrad_edu(data):
        return data

    module = _module(by_tinygrad_edu=by_tinygrad_edu, by_tinygrad_edu_jit=by_tinygrad_edu)
    assert run.forms_of(module) == ["tinygrad_edu", "tinygrad_edu_jit"]


def test_the_guard_fails_on_a_ratio_over_its_factor_times_the_target(capsys):
    limit = run.GUARDED["W1"] * 2.0
    fine = run.evaluate("W1", _module(), _figures([1.0], tinygrad_edu=[limit],
                                                 tinygrad_edu_fused=[1.0]))
    assert run.guard([fine])
    slow = run.evaluate("W1", _module(), _figures([1.0], tinygrad_edu=[1.0],
                                                 tinygrad_edu_fused=[limit * 1.01]))
    assert not run.guard([slow])
    broken = run.evaluate("W3", _module(), _figures([1.0], tinygrad_edu={"error": "crash"}))
    assert not run.guard([broken])
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [f"guard W1 generic: ratio {limit:.2f}, limit {limit:g}: ok",
                         "guard W1 fused: ratio 1.00, limit 4: ok"]
    assert lines[3].endswith("REGRESSION") and lines[4].endswith("REGRESSION")


def test_the_guard_runs_the_eager_forms_of_w1_and_w3_without_peers(monkeypatch):
    seen = []

    def measure(workload, frameworks, repeats, env, against):
        seen.append((workload, frameworks, repeats, env.get("MALLOC_TRIM_THRESHOLD_")))
        return _figures([1.0], **dict.fromkeys(frameworks[1:], [1.0]))

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.setattr(run, "measure", measure)
    monkeypatch.setattr(run, "report", lambda *args: None)
    with pytest.raises(SystemExit) as exit_:
        run.main(["--guard"])
    assert exit_.value.code == 0
    assert seen == [("w1_dispatch", ["numpy", "tinygrad_edu"], run.QUICK_REPEATS, None),
                    ("w3_course_mlp", ["numpy", "tinygrad_edu", "tinygrad_edu_fused"],
                     run.QUICK_REPEATS, None)]


@pytest.mark.parametrize("w3_ratios, status", [([3.0, 1.0], 0), ([3.0, 3.0], 1)])
def test_the_guard_measures_a_workload_over_the_limit_again_and_fails_on_a_second_time(
        monkeypatch, capsys, w3_ratios, status):
    ratios = iter(w3_ratios)

    def measure(workload, frameworks, repeats, env, against):
        ratio = next(ratios) if workload == "w3_course_mlp" else 1.0
        return _figures([1.0], **dict.fromkeys(frameworks[1:], [ratio * run.GUARDED["W3"]]))

    monkeypatch.setattr(run, "measure", measure)
    monkeypatch.setattr(run, "report", lambda *args: None)
    with pytest.raises(SystemExit) as exit_:
        run.main(["--guard"])
    assert exit_.value.code == status
    out = capsys.readouterr().out
    assert "guard: W3 over the limit; measuring again in new workers" in out
    assert out.count("REGRESSION") == 2 * (1 + status)  # the generic and the fused form


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
