"""The nn examples (examples/char_lm.py, examples/batchnorm_mlp.py): they run, learn, agree with
numpy, and, when torch is installed, the same programs with only their imports changed to
torch's give the same losses from the same starting weights."""

import importlib.util
import sys
import types
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TO_TORCH = [("import tinygrad_edu as torch\n", "import torch\n"),
            ("import tinygrad_edu.nn as nn\n", "import torch.nn as nn\n"),
            ("import tinygrad_edu.nn.functional as F\n", "import torch.nn.functional as F\n"),
            ("from tinygrad_edu.utils.data import", "from torch.utils.data import")]


def load(name, torch=False):
    """The example `name` as a module; with torch=True, its source with the imports changed."""
    path = EXAMPLES / f"{name}.py"
    if not torch:
        spec = importlib.util.spec_from_file_location(f"example_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    source = path.read_text()
    for ours, theirs in TO_TORCH:
        source = source.replace(ours, theirs)
    assert "tinygrad_edu" not in source
    module = types.ModuleType(f"example_{name}_torch")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def same_start(ours, theirs, torch):
    """Copy our model's state_dict into the torch model (PyTorch's load_state_dict)."""
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})


# ---------------------------------------------------------------- char_lm


def test_char_lm_runs_and_learns(capsys):
    lm = load("char_lm")
    lm.main()
    out = capsys.readouterr().out
    assert out.count("loss") == 2 and "samples:" in out


def test_char_lm_bigram_loss_is_numpys_and_bounded_by_counts():
    lm = load("char_lm")
    lm.torch.manual_seed(0)
    words = lm.load_words()
    assert len(words) == 118 and "oganesson" in words
    stoi, _ = lm.vocabulary(words)
    V = len(stoi)
    X, Y = lm.contexts(words, stoi, 1)
    model = lm.Bigram(V)
    table = model.table.weight.numpy()
    logits = table[X.numpy()[:, 0]]
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    y = Y.numpy()
    assert lm.evaluate(model, X, Y) == pytest.approx(-logp[np.arange(len(y)), y].mean(),
                                                     rel=1e-5)
    before = lm.evaluate(model, X, Y)
    lm.train(model, X, Y, steps=100)
    after = lm.evaluate(model, X, Y)
    # the best any bigram model can do: the counts' own conditional entropy
    counts = np.zeros((V, V))
    np.add.at(counts, (X.numpy()[:, 0], y), 1)
    p = counts / counts.sum(1, keepdims=True)
    best = -np.log(p[X.numpy()[:, 0], y]).mean()
    assert best <= after < before


@pytest.mark.parametrize("kind", ["bigram", "mlp"])
def test_char_lm_matches_torch(kind):
    torch = pytest.importorskip("torch")
    ours, theirs = load("char_lm"), load("char_lm", torch=True)
    results = []
    for lm in (ours, theirs):
        words = lm.load_words()
        stoi, _ = lm.vocabulary(words)
        block = 1 if kind == "bigram" else 3
        X, Y = lm.contexts(words, stoi, block)
        model = lm.Bigram(len(stoi)) if kind == "bigram" else lm.MLPLanguageModel(len(stoi),
                                                                                   block)
        results.append((lm, model, X, Y))
    same_start(results[0][1], results[1][1], torch)
    losses = [lm.train(model, X, Y, steps=60) for lm, model, X, Y in results]
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)


# ---------------------------------------------------------------- batchnorm_mlp


def test_batchnorm_mlp_learns_and_eval_uses_running_statistics():
    ex = load("batchnorm_mlp")
    ex.torch.manual_seed(0)
    X, y = ex.spirals()
    model = ex.make_model(batchnorm=True)
    history = ex.train(model, X, y, epochs=8)
    assert history[-1] < 0.7 * history[0]
    assert int(model[1].num_batches_tracked.item()) == 8 * 6
    # eval mode: every layer from numpy with the running statistics
    sd = {k: v.astype(np.float64) for k, v in model.state_dict().items()}
    h = X.numpy().astype(np.float64)
    for lin, bn in ((0, 1), (3, 4)):
        h = h @ sd[f"{lin}.weight"].T
        h = (h - sd[f"{bn}.running_mean"]) / np.sqrt(sd[f"{bn}.running_var"] + 1e-5)
        h = np.maximum(h * sd[f"{bn}.weight"] + sd[f"{bn}.bias"], 0)
    logits = h @ sd["6.weight"].T + sd["6.bias"]
    model.eval()
    with ex.torch.no_grad():
        np.testing.assert_allclose(model(X).numpy(), logits, rtol=1e-4, atol=1e-4)
    assert ex.accuracy(model, X, y) == pytest.approx((logits.argmax(1) == y.numpy()).mean())


def test_batchnorm_mlp_main_runs(capsys):
    load("batchnorm_mlp").main()
    assert capsys.readouterr().out.count("accuracy") == 2


@pytest.mark.parametrize("batchnorm", [True, False])
def test_batchnorm_mlp_matches_torch(batchnorm):
    torch = pytest.importorskip("torch")
    ours, theirs = load("batchnorm_mlp"), load("batchnorm_mlp", torch=True)
    models = [ex.make_model(batchnorm) for ex in (ours, theirs)]
    same_start(models[0], models[1], torch)
    data = [ex.spirals() for ex in (ours, theirs)]
    hist = [ex.train(m, X, y, epochs=5) for ex, m, (X, y) in zip((ours, theirs), models, data)]
    np.testing.assert_allclose(hist[0], hist[1], rtol=1e-4)
    theirs_sd = models[1].state_dict()
    for k, v in models[0].state_dict().items():
        np.testing.assert_allclose(v, theirs_sd[k].numpy(), rtol=1e-3, atol=1e-5, err_msg=k)
    assert [ex.accuracy(m, X, y) for ex, m, (X, y) in zip((ours, theirs), models, data)] \
        == pytest.approx([theirs.accuracy(models[1], *data[1])] * 2, abs=0.01)
