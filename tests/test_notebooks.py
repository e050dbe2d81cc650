"""The course notebooks run top to bottom and still prove what they claim.

Each notebook in docs/notebooks/ is executed as it is committed, in a fresh Jupyter kernel
(nbclient starts `python -m ipykernel_launcher` with this interpreter), from the notebook's
folder, importing the tinygrad_edu of this checkout. A cell that raises fails the test and
names the cell; then a few key printed results are checked (gradients equal to rounding
error, accuracies reached, the diverging run diverging). The committed files must carry
their outputs, so they read on a code host without running.

Needs the `test` and `plot` extras (nbclient, ipykernel, nbformat, matplotlib).
"""

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test,plot]'")
nbclient = pytest.importorskip("nbclient", reason="pip install -e '.[test,plot]'")
pytest.importorskip("ipykernel", reason="pip install -e '.[test,plot]'")
pytest.importorskip("matplotlib", reason="pip install -e '.[test,plot]'")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))
NUMBER = r"([-+0-9.e]+)"


def below(limit):
    return lambda value: float(value) < limit


def above(limit):
    return lambda value: float(value) > limit


# notebook -> [(pattern with one group for a number, check on that number)]
KEY_RESULTS = {
    "01_gradient_descent_logistic_regression.ipynb": [
        (r"closed form vs autograd, 5 random w: max difference " + NUMBER, below(1e-12)),
        (r"η = 40 \(too large\), 11 steps +E_in: start 3\.897, highest " + NUMBER,
         above(10.0)),
        (r"E at steps 0, 5, 10, 15, 20, 24: 1, .*, " + NUMBER + r"\n", above(1e6)),
    ],
    "02_sgd_and_minibatches.ipynb": [
        (r"equal steps\) +E_in at the end " + NUMBER, below(0.5)),
        (r"batch  5:  20 steps, 100 point gradients, E_in over the last 5 iterates "
         + NUMBER, below(0.45)),
        (r"epoch 5: E_in [0-9.]+, training accuracy " + NUMBER + "%", above(95.0)),
    ],
    "03_multilayer_perceptron.ipynb": [
        (r"backprop by hand vs autograd: max difference " + NUMBER, below(1e-12)),
        (r"test accuracy: " + NUMBER + "% on 450 unseen digits", above(90.0)),
    ],
    "04_inside_autograd.ipynb": [
        (r"engine vs by hand: equal to (1e-12)", below(1.0)),
        (r"RuntimeError: PowBackward: .*retain_graph=True.*\n?.*", None),
        # "Your own operation": a softsign written as an autograd.Function
        (r"made by SoftsignBackward", None),
        (r"softsign backward vs closed form: max difference " + NUMBER, below(1e-12)),
        (r"gradcheck\(Softsign, float64, 3×4\): +True", None),
        (r"gradgradcheck\(Softsign, float64, 3×4\): True", None),
        (r"softsign'' vs .*: max difference " + NUMBER, below(1e-12)),
        (r"BadSoftsign: GradcheckError - gradcheck: Jacobian mismatch", None),
        (r"∂L/∂q = ([0-9.]+) = ∂L/∂o / \(1 \+ \|q\|\)² = \1\n", None),
        (r"softsign network: loss [0-9.]+ -> [0-9.]+, training accuracy " + NUMBER + "%",
         above(95.0)),
    ],
    "05_from_tinygrad_edu_to_pytorch.ipynb": [
        (r"tinygrad_edu +loss 0\.9709 -> [0-9.]+, training accuracy " + NUMBER + "%",
         above(95.0)),
        (r"(PyTorch is not installed here|largest difference between the two loss curves)",
         None),
        # trained weights moved across in a .safetensors file
        (r"model\.safetensors: [0-9]+ bytes\n  0\.bias +float32 \(16,\)\n"
         r"  0\.weight +float32 \(16, 2\)\n  2\.bias +float32 \(1,\)\n"
         r"  2\.weight +float32 \(1, 16\)", None),
        (r"(torch isn't installed here: the weights go back into a fresh tinygrad_edu model"
         r"|PyTorch [^ ]+: largest output difference)", None),
        (r"largest output difference before loading " + NUMBER, above(1.0)),
        (r"after loading " + NUMBER + r"; same class for 100% of the points", below(1e-5)),
    ],
}


def test_every_notebook_is_listed():
    assert [p.name for p in NOTEBOOKS] == sorted(KEY_RESULTS)


def printed(nb) -> str:
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream")


def images(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells
               if cell.cell_type == "code" for out in cell.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_proves_its_claims(path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))  # this checkout's package
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, if one fails
    text = printed(nb)
    for pattern, check in KEY_RESULTS[path.name]:
        match = re.search(pattern, text)
        assert match, f"{path.name}: no output matches {pattern!r}\n{text}"
        if check is not None:
            assert check(match.group(1)), f"{path.name}: {match.group(0)!r}"
    assert images(nb) >= 1, f"{path.name}: no figure was shown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_with_its_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"{path.name}: run it top to bottom and save it with its outputs"
    assert not any(out.output_type == "error" for cell in code for out in cell.outputs)
    assert images(nb) >= 1 and printed(nb), f"{path.name}: saved without its outputs"
