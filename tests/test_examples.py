"""The programs in examples/ run, and the PyTorch programs among them give PyTorch's numbers
when only their imports are changed back to torch."""

import pathlib
import runpy
import sys

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"
PYTORCH_PROGRAMS = ["polynomial_custom_function", "newton_hessian", "bigram_names"]


def _run(name, text=None, tmp_path=None):
    """main() of examples/<name>.py, or of `text` (the same program, other imports)."""
    path = EXAMPLES / f"{name}.py"
    if text is not None:
        path = tmp_path / f"{name}_torch.py"
        path.write_text(text)
    return runpy.run_path(str(path), run_name="example")["main"]()


def _as_torch(name):
    """The program with its imports changed, and nothing else."""
    text = (EXAMPLES / f"{name}.py").read_text()
    changed = text.replace("import tinygrad_edu as torch", "import torch")
    assert changed.count("tinygrad_edu") == 0
    return changed


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(script, capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [script])
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert capsys.readouterr().out.strip()


def legendre_fit_by_hand(steps=2000, lr=5e-6, n=2000):
    """The example's descent in numpy, its derivatives written out: P₃′(t) = 3/2 (5t² − 1)."""
    x = np.linspace(-np.pi, np.pi, n)
    y = np.sin(x)
    a, b, c, d = 0.0, -1.0, 0.0, 0.3
    for _ in range(steps):
        t = c + d * x
        p3, dp3 = 0.5 * (5 * t**3 - 3 * t), 1.5 * (5 * t**2 - 1)
        r = 2 * (a + b * p3 - y)
        a, b, c, d = (a - lr * r.sum(), b - lr * (r * p3).sum(), c - lr * (r * b * dp3).sum(),
                      d - lr * (r * b * dp3 * x).sum())
    return a, b, c, d


def test_polynomial_fit_through_a_custom_function_equals_the_descent_by_hand():
    result = _run("polynomial_custom_function")
    np.testing.assert_allclose(result["coefficients"], legendre_fit_by_hand(), rtol=1e-9,
                               atol=1e-12)
    assert result["loss"] < 10  # Σ over 2000 points: far below the start's 3300


def test_newton_reaches_the_minimum_of_e_in():
    result = _run("newton_hessian")
    assert result["accuracy"] > 0.9
    assert 0.1545 < result["E_in"] < 0.1546


def test_bigram_model_learns_and_samples_names():
    result = _run("bigram_names")
    assert result["loss"] < result["count_loss"]
    assert all(set(name) <= result["letters"] for name in result["samples"])


@pytest.mark.parametrize("name", PYTORCH_PROGRAMS)
def test_pytorch_program_gives_pytorchs_numbers(name, tmp_path):
    pytest.importorskip("torch")
    ours, theirs = _run(name), _run(name, _as_torch(name), tmp_path)
    for key in ("loss", "coefficients", "E_in", "w", "count_loss", "accuracy"):
        if key in ours:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-6, atol=1e-9,
                                       err_msg=f"{name}: {key}")
