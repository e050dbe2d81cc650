"""Every figure function writes a readable PNG, deterministically, without side effects."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import data  # noqa: E402
from tinygrad_edu.course import figures  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DOCS_FIGURES = ["learning_rate.png", "gd_vs_sgd.png", "moons_xor_boundaries.png",
                "computation_graph.png", "mlp_graph.png", "loss_curves.png"]


def assert_png(path, expected):
    assert path == expected
    content = path.read_bytes()
    assert content[:8] == PNG_SIGNATURE and len(content) > 5_000


@pytest.mark.parametrize("draw", [figures.learning_rate, figures.gd_vs_sgd,
                                  figures.computation_graph, figures.mlp_graph,
                                  figures.moons_and_xor_boundaries],
                         ids=lambda f: f.__name__)
def test_figure_writes_png(draw, tmp_path):
    target = tmp_path / f"{draw.__name__}.png"
    assert_png(draw(target), target)


def test_figure_accepts_str_path_and_creates_parent_dirs(tmp_path):
    target = tmp_path / "nested" / "dir" / "graph.png"
    assert_png(figures.computation_graph(str(target)), target)


def test_decision_boundary_of_a_module_and_of_a_function(tmp_path):
    X, y = data.linear(n=30, seed=0)
    tg.manual_seed(0)
    model = tg.nn.LogisticRegression(2, dtype=tg.float64)
    target = tmp_path / "logistic.png"
    assert_png(figures.decision_boundary(model, X, y, target, title="untrained"), target)
    target = tmp_path / "function.png"
    probability = lambda X: X[:, 0].sigmoid()  # noqa: E731 - a model without parameters
    assert_png(figures.decision_boundary(probability, X, data.to_01(y), target,
                                         threshold=0.5), target)


def test_loss_curves_log_and_linear_scale(tmp_path):
    target = tmp_path / "positive.png"
    assert_png(figures.loss_curves({"a": [1.0, 0.5, 0.2], "b": np.geomspace(2, 1e-3, 50)},
                                   target), target)
    target = tmp_path / "signed.png"
    assert_png(figures.loss_curves({"log-likelihood": [-3.0, -1.0, 0.5]}, target,
                                   title="signed values"), target)


def test_loss_curves_without_runs_raises(tmp_path):
    with pytest.raises(ValueError, match="histories is empty"):
        figures.loss_curves({}, tmp_path / "none.png")
    with pytest.raises(ValueError, match="run 'x' must be a non-empty 1-D"):
        figures.loss_curves({"x": []}, tmp_path / "none.png")


def test_make_all_writes_the_docs_figures(tmp_path):
    out = tmp_path / "figures"
    paths = figures.make_all(out)
    assert [p.name for p in paths] == DOCS_FIGURES
    for path in paths:
        assert_png(path, out / path.name)


def test_figures_are_deterministic(tmp_path):
    first = figures.gd_vs_sgd(tmp_path / "first.png").read_bytes()
    second = figures.gd_vs_sgd(tmp_path / "second.png").read_bytes()
    assert first == second


def test_training_figure_leaves_global_generator_alone(tmp_path):
    tg.manual_seed(123)
    expected = tg.randn(4).numpy()
    tg.manual_seed(123)
    figures.moons_and_xor_boundaries(tmp_path / "boundaries.png")
    np.testing.assert_array_equal(tg.randn(4).numpy(), expected)
