"""The command line: every sub-command runs on small data and writes files that load; bad
input gives one line on stderr, a non-zero exit and no traceback."""

import json
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu
import tinygrad_edu as tg
from tinygrad_edu import io
from tinygrad_edu.course import cli, training

try:
    import matplotlib  # noqa: F401
    HAS_MATPLOTLIB = True
except ImportError:
    HAS_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB, reason="figures need matplotlib")


def run(capsys, *args):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as e:  # argparse rejects bad arguments by exiting
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *fragments):
    assert code != 0
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_train_writes_checkpoint_metrics_and_plots_then_evaluate_loads_them(tmp_path, capsys):
    out = tmp_path / "run"
    code, text, _ = run(capsys, "train", "--model", "mlp", "--dataset", "xor", "--sizes", "8",
                        "--optimizer", "adam", "--lr", "0.05", "--epochs", "30", "--out", out)
    assert code == 0 and "mlp / xor" in text
    plots = ("loss_curve.png", "decision_boundary.png") if HAS_MATPLOTLIB else ()
    for name in ("model.npz", "metrics.json", *plots):
        assert (out / name).stat().st_size > 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["loss_history"]) == 30 and metrics["steps"] == 30
    assert metrics["loss_history"][-1] < metrics["loss_history"][0]
    code, text, _ = run(capsys, "evaluate", "--checkpoint", out / "model.npz")
    assert code == 0
    train_line = next(line for line in text.splitlines() if line.startswith("train"))
    assert f"{metrics['train_accuracy']:7.2%}" in train_line


@pytest.mark.parametrize("optimizer", training.OPTIMIZERS)
@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_train_every_optimizer_and_schedule(tmp_path, capsys, optimizer, schedule):
    code, _, err = run(capsys, "train", "--model", "logistic", "--dataset", "linear",
                       "--optimizer", optimizer, "--schedule", schedule, "--lr", "0.1",
                       "--epochs", "3", "--batch-size", "16", "--dtype", "float64",
                       "--out", tmp_path)
    assert code == 0, err
    model = training.build_model("logistic", 2, 2, dtype=tg.float64)
    meta = io.load_checkpoint(tmp_path / "model.npz", model)
    assert meta["model"] == "logistic" and model.linear.weight.dtype == np.float64


def test_gradcheck_reports_tiny_errors_per_layer(capsys):
    code, text, _ = run(capsys, "gradcheck", "--model", "mlp", "--dataset", "iris",
                        "--sizes", "4,3", "--points", "10")
    assert code == 0
    rows = [line.split() for line in text.splitlines() if line.strip().startswith("W(")]
    assert [r[0] for r in rows] == ["W(1)", "W(2)", "W(3)"]
    for _, _, f_rel, _, n_rel in rows:
        assert float(f_rel) < 1e-12 and float(n_rel) < 1e-6
    code, text, _ = run(capsys, "gradcheck", "--model", "logistic", "--dataset",
                        "breast_cancer", "--points", "20")
    (row,) = [line.split() for line in text.splitlines() if line.strip().startswith("w ")]
    assert float(row[2]) < 1e-12 and float(row[4]) < 1e-6


@needs_matplotlib
def test_figures(tmp_path, capsys):
    code, text, _ = run(capsys, "figures", "--out", tmp_path)
    assert code == 0
    paths = text.split()
    assert len(paths) >= 5 and all((tmp_path / p.split("/")[-1]).stat().st_size > 0
                                   for p in paths)


def test_graph(capsys):
    for what in ("expression", "step"):
        code, text, _ = run(capsys, "graph", "--what", what)
        assert code == 0 and text.startswith("digraph") and "Tanh" in text


def test_demo_trains_both_models_and_writes_figures(tmp_path, capsys):
    code, text, _ = run(capsys, "demo", "--out", tmp_path)
    assert code == 0
    assert "logistic / breast_cancer" in text and "mlp / digits" in text
    assert "closed-form gradient" in text and "δ-recursion" in text
    test_accuracies = [float(line.split()[4].rstrip("%")) for line in text.splitlines()
                       if line.startswith(("logistic /", "mlp /"))]
    assert all(acc > 90 for acc in test_accuracies)
    assert text.count("PASS: relative differences") == 2
    for run_name in ("logistic_breast_cancer", "mlp_digits"):  # the layout train writes
        assert (tmp_path / run_name / "model.npz").stat().st_size > 0
        assert (tmp_path / run_name / "loss_curve.png").exists() == HAS_MATPLOTLIB
    code, text, err = run(capsys, "evaluate", "--checkpoint", tmp_path / "mlp_digits")
    assert code == 0 and text.startswith("train"), err


def test_module_entry_point_help():
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu", "train", "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--optimizer" in result.stdout


@pytest.mark.parametrize("args,fragments", [
    (["train", "--model", "svm"], ["invalid choice", "svm"]),
    (["train", "--optimizer", "lbfgs"], ["invalid choice"]),
    (["train", "--schedule", "warm"], ["invalid choice"]),
    (["train", "--lr", "-1"], ["must be a positive number"]),
    (["train", "--lr", "nan"], ["must be a positive number"]),
    (["train", "--dataset", "mnist", "--epochs", "1"], ["mnist"]),
    (["train", "--model", "logistic", "--dataset", "digits", "--epochs", "1"],
     ["two classes", "10"]),
    (["train", "--sizes", "8,x"], ["--sizes"]),
    (["bogus"], ["invalid choice"]),
])
def test_bad_arguments_give_one_line(tmp_path, capsys, args, fragments):
    extra = ["--out", tmp_path] if args[0] == "train" else []
    code, _, err = run(capsys, *args, *extra)
    assert_one_line_error(code, err, *fragments)


def test_csv_problems_give_one_line(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    missing.write_text("a,b,label\n1,2,0\n3,,1\n")
    code, _, err = run(capsys, "train", "--dataset", missing, "--out", tmp_path / "o")
    assert_one_line_error(code, err, "missing.csv")
    good = tmp_path / "good.csv"
    good.write_text("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    code, _, err = run(capsys, "train", "--dataset", good, "--label-column", "target",
                       "--out", tmp_path / "o")
    assert_one_line_error(code, err, "target")


def test_checkpoint_of_another_architecture_is_refused(tmp_path, capsys):
    path = tmp_path / "model.npz"
    io.save_checkpoint(path, tg.nn.MLP([2, 3, 1]), {
        "model": "mlp", "dataset": "xor", "hidden": [5], "features": 2, "classes": 2,
        "dtype": "float32", "seed": 0})
    code, _, err = run(capsys, "evaluate", "--checkpoint", path)
    assert_one_line_error(code, err, "model.npz")
    path.write_bytes(b"not a checkpoint")
    code, _, err = run(capsys, "evaluate", "--checkpoint", path)
    assert_one_line_error(code, err, "model.npz")


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "train", "--epochs", "1", "--out", blocker / "sub")
    assert_one_line_error(code, err, "cannot write to the output folder")


def test_interrupt_leaves_no_checkpoint(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "fit", interrupted)
    code, _, err = run(capsys, "train", "--epochs", "5", "--out", tmp_path)
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert not (tmp_path / "model.npz").exists()


def test_training_refuses_non_finite_gradients_unless_told_otherwise():
    """`check_finite` is on by default in `train` (and `--no-check-finite` turns it off)."""
    prep = training.load("xor", seed=0)
    model = training.build_model("logistic", 2, prep.classes, (), dtype=np.float64, seed=0)
    with tg.no_grad():
        model.linear.bias.fill_(float("nan"))
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="non-finite gradient"):
        training.fit("logistic", model, prep, epochs=1)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    training.fit("logistic", model, prep, epochs=1, check_finite=False)
    assert np.isnan(model.linear.weight.numpy()).all()
    args = cli.build_parser().parse_args(["train", "--no-check-finite"])
    assert args.check_finite is False


# ---------------------------------------------------------------- what evaluation needs
# The checkpoint stores the label column and the CSV's absolute path; every mismatch or
# unusable label column is refused on one line, naming the file and the value.


def two_class_csv(path, n=120, label_first=True):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    rows = [(f"{c},{a:.6f},{b:.6f}" if label_first else f"{a:.6f},{b:.6f},{c}")
            for (a, b), c in zip(X, y, strict=True)]
    path.write_text(("label,a,b\n" if label_first else "a,b,label\n") + "\n".join(rows) + "\n")
    return path


def test_evaluate_uses_the_stored_label_column_and_csv_path_from_another_folder(
        tmp_path, capsys, monkeypatch):
    (tmp_path / "data").mkdir()
    two_class_csv(tmp_path / "data" / "points.csv")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train", "--model", "mlp", "--sizes", "4", "--dataset",
                       "data/points.csv", "--label-column", "label", "--optimizer", "adam",
                       "--lr", "0.05", "--epochs", "60", "--out", "run")
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.9
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, text, err = run(capsys, "evaluate", "--checkpoint", tmp_path / "run" / "model.npz")
    assert code == 0, err
    test_line = next(line for line in text.splitlines() if line.startswith("test"))
    assert f"{metrics['test_accuracy']:7.2%}" in test_line


def test_evaluate_refuses_a_data_set_with_another_class_count(tmp_path, capsys):
    csv = two_class_csv(tmp_path / "two.csv", label_first=False)
    code, _, err = run(capsys, "train", "--model", "mlp", "--sizes", "3", "--dataset", csv,
                       "--epochs", "2", "--out", tmp_path / "run")
    assert code == 0, err
    three = tmp_path / "three.csv"
    three.write_text("a,b,label\n" + "".join(f"{i},{-i},{i % 3}\n" for i in range(30)))
    code, _, err = run(capsys, "evaluate", "--checkpoint", tmp_path / "run" / "model.npz",
                       "--dataset", three)
    assert_one_line_error(code, err, "model.npz", "trained on 2 classes", "three.csv",
                          "has 3")
    assert code == 2


def test_train_refuses_a_real_valued_label_column(tmp_path, capsys):
    csv = tmp_path / "prices.csv"
    csv.write_text("a,b,price\n" + "".join(f"{i},{i * i},{i * 1.37 + 0.5}\n"
                                            for i in range(200)))
    code, _, err = run(capsys, "train", "--model", "mlp", "--dataset", csv, "--epochs", "1",
                       "--out", tmp_path / "run")
    assert_one_line_error(code, err, "prices.csv", "real numbers", "200 distinct values")
    assert code == 2 and not (tmp_path / "run" / "model.npz").exists()


@pytest.mark.parametrize("model", training.MODELS)
def test_a_single_class_data_set_is_refused_for_every_model(tmp_path, capsys, model):
    csv = tmp_path / "one.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i},{-i},yes\n" for i in range(20)))
    code, _, err = run(capsys, "train", "--model", model, "--dataset", csv, "--epochs", "1",
                       "--out", tmp_path / "run")
    assert_one_line_error(code, err, "one.csv", "single class ('yes')")
    assert code == 2


def test_train_refuses_an_absurd_model_size_before_allocating(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--model", "mlp", "--dataset", "xor", "--sizes",
                       "100000000", "--out", tmp_path)
    assert_one_line_error(code, err, "[2, 100000000, 1]", "400,000,001 parameters",
                          f"{training.MAX_PARAMETERS:,}")
    assert code == 2
    sizes = training.layer_sizes("mlp", 64, 10, (32, 16))
    assert sizes == [64, 32, 16, 10] and training.parameter_count(sizes) == (
        sum(p.numpy().size for p in training.build_model("mlp", 64, 10, (32, 16)).parameters()))


def test_evaluate_checks_metadata_against_the_arrays_before_building(tmp_path, capsys):
    path = tmp_path / "model.npz"
    io.save_checkpoint(path, tg.nn.MLP([2, 3, 1]), {  # 13 parameters, metadata claims 3e9
        "model": "mlp", "dataset": "xor", "hidden": [10**9], "features": 2, "classes": 2,
        "dtype": "float32", "seed": 0})
    code, _, err = run(capsys, "evaluate", "--checkpoint", path)
    assert_one_line_error(code, err, "model.npz", "[2, 1000000000, 1]",
                          "4,000,000,001 parameters", "the file holds 13")
    assert code == 2
    for bad, fragment in ((["x"], "positive whole numbers"), ([0], "positive whole numbers")):
        io.save_checkpoint(path, tg.nn.MLP([2, 3, 1]), {
            "model": "mlp", "dataset": "xor", "hidden": bad, "features": 2, "classes": 2,
            "dtype": "float32"})
        code, _, err = run(capsys, "evaluate", "--checkpoint", path)
        assert_one_line_error(code, err, "model.npz", fragment)


# ---------------------------------------------------------------- without matplotlib


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Import as if matplotlib were not installed (whether or not it is)."""
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "tinygrad_edu.course.figures", raising=False)
    monkeypatch.delattr(tinygrad_edu.course, "figures", raising=False)


def test_train_without_matplotlib_prints_results_and_skips_figures(tmp_path, capsys,
                                                                    no_matplotlib):
    code, text, err = run(capsys, "train", "--model", "logistic", "--dataset", "xor",
                          "--epochs", "3", "--out", tmp_path)
    assert code == 0, err
    assert "logistic / xor" in text and "checkpoint" in text
    notes = [line for line in err.splitlines() if "skipped the figures" in line]
    assert len(notes) == 1 and "matplotlib" in notes[0]
    assert (tmp_path / "model.npz").exists() and not list(tmp_path.glob("*.png"))
    code, _, err = run(capsys, "figures", "--out", tmp_path / "f")
    assert_one_line_error(code, err, "matplotlib")
    assert code == 2


def test_demo_without_matplotlib_exits_0(tmp_path, capsys, no_matplotlib):
    code, text, err = run(capsys, "demo", "--out", tmp_path)
    assert code == 0, err
    assert "mlp / digits" in text and "wrote 2 runs" in text and "0 course figures" in text
    assert "skipped the figures" in err and not list(tmp_path.rglob("*.png"))


# ---------------------------------------------------------------- what a learner meets


def test_version_and_help_with_defaults(capsys):
    code, text, _ = run(capsys, "--version")
    assert code == 0 and text.strip() == f"tinygrad-edu {tinygrad_edu.__version__}"
    code, text, _ = run(capsys, "train", "--help")
    assert code == 0
    for default in ("(default: 0.5)", "(default: 100)", "(default: gd)",
                    "(default: the full batch)", "(default: float32)"):
        assert default in " ".join(text.split()), default


def test_runs_never_overwrite_another_runs_files(tmp_path, capsys):
    args = ["train", "--dataset", "xor", "--epochs", "2", "--out", tmp_path / "run"]
    assert run(capsys, *args)[0] == 0
    assert run(capsys, *args)[0] == 0  # the same run again replaces its own files
    code, _, err = run(capsys, *args[:-2], "--lr", "0.1", "--out", tmp_path / "run")
    assert_one_line_error(code, err, "holds a train run", "--overwrite")
    code, _, err = run(capsys, *args[:-2], "--lr", "0.1", "--out", tmp_path / "run",
                       "--overwrite")
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["run"]["lr"] == 0.1
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    code, _, err = run(capsys, *args[:-2], "--out", tmp_path / "mine", "--overwrite")
    assert_one_line_error(code, err, "not a run's", "notes.txt")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_train_default_folder_is_named_after_model_and_data(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, text, _ = run(capsys, "train", "--model", "mlp", "--dataset", "xor", "--epochs", "2")
    assert code == 0 and (tmp_path / "tinygrad_edu_out" / "mlp_xor" / "model.npz").exists()


def test_a_failed_run_leaves_no_files_and_no_folders(tmp_path, capsys):
    out = tmp_path / "a" / "b" / "run"
    code, _, _ = run(capsys, "train", "--model", "logistic", "--dataset", "digits",
                     "--epochs", "1", "--out", out)
    assert code == 2 and list(tmp_path.iterdir()) == []


def test_diverging_or_stuck_training_warns_with_a_hint(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--model", "mlp", "--dataset", "moons", "--lr", "1e4",
                       "--epochs", "20", "--out", tmp_path)
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert code == 0 and warnings
    assert any("chance" in w for w in warnings) and all("--lr" in w for w in warnings)
    code, _, err = run(capsys, "train", "--model", "logistic", "--dataset", "linear",
                       "--lr", "0.5", "--epochs", "20", "--out", tmp_path / "good")
    assert code == 0 and "warning" not in err


def test_diagnose_names_each_failure():
    def result(history, accuracy=0.9):
        return training.Result(history[-1], accuracy, accuracy, len(history), 0.0, history)

    assert training.diagnose(result([0.7, 0.3, 0.1]), 2, 0.1) == []
    (rose,) = training.diagnose(result([0.7, 0.9, 2.0]), 2, 0.5)
    assert "rose" in rose and "--lr 0.05" in rose
    (nan,) = training.diagnose(result([0.7, float("nan")]), 2, 3.0)
    assert "nan" in nan and "--lr 0.3" in nan
    flat, chance = training.diagnose(result([3.5467, 3.5467], accuracy=0.11), 2, 1e4)
    assert "flat" in flat and "saturated" in flat and "--lr 10" in flat
    assert "chance (50% for 2 classes)" in chance
    (small,) = training.diagnose(result([0.69, 0.69]), 2, 1e-6)
    assert "too small" in small and "--lr 1e-05" in small


def test_gradcheck_ends_with_a_verdict_and_fails_on_a_mismatch(capsys, monkeypatch):
    code, text, _ = run(capsys, "gradcheck", "--dataset", "iris", "--sizes", "3",
                        "--points", "5")
    assert code == 0 and text.strip().splitlines()[-1].strip().startswith("PASS")
    from tinygrad_edu.course import gradient_report

    wrong = [gradient_report.Row("W(1)", 1e-3, 1e-3, 1e-3, 1e-3)]
    monkeypatch.setattr(gradient_report, "mlp_report", lambda *args: wrong)
    code, text, _ = run(capsys, "gradcheck", "--dataset", "iris", "--sizes", "3",
                        "--points", "5")
    assert code == 1 and text.strip().splitlines()[-1].strip().startswith("FAIL")


def test_progress_is_plain_lines_when_not_a_terminal(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--dataset", "xor", "--epochs", "30", "--out",
                       tmp_path)
    lines = [line for line in err.splitlines() if line.startswith("logistic on xor: epoch")]
    assert code == 0 and "\r" not in err
    assert len(lines) == 10 and lines[-1].startswith("logistic on xor: epoch 30/30")


@needs_matplotlib
def test_loss_curves_are_labelled_with_epochs_optimizer_and_test_curve():
    from tinygrad_edu.course import figures

    fig = figures.loss_figure({"adam, η = 0.01": [1.0, 0.5, 0.2]}, xlabel="epoch",
                              test_histories={"adam, η = 0.01": [1.1, 0.7, 0.4]})
    (ax,) = fig.axes
    assert ax.get_xlabel() == "epoch"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "adam, η = 0.01 (train)", "adam, η = 0.01 (test)"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]


@needs_matplotlib
def test_figures_reports_each_figure_as_it_is_drawn(tmp_path, capsys):
    code, text, err = run(capsys, "figures", "--out", tmp_path)
    drawn = [line for line in err.splitlines() if line.startswith("tinygrad-edu: drew")]
    assert code == 0 and len(drawn) == len(text.split()) == 6  # the six figures of make_all
