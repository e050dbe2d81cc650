"""examples/small_cnn.py, a PyTorch program run with tinygrad_edu: it learns the digits, its
network computes what a direct numpy evaluation gives, and (with torch installed) the same
source with its imports changed back to torch, started from the same weights, gives the same
losses and weights step by step."""

from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "small_cnn.py"
TORCH_IMPORTS = {"import tinygrad_edu as torch\n": "import torch\n",
                 "import tinygrad_edu.nn as nn\n": "import torch.nn as nn\n",
                 "import tinygrad_edu.nn.functional as F\n": "import torch.nn.functional as F\n"}


def load(source: str) -> dict:
    namespace = {"__name__": "small_cnn"}
    exec(compile(source, str(EXAMPLE), "exec"), namespace)
    return namespace


def as_torch(source: str) -> str:
    for ours, theirs in TORCH_IMPORTS.items():
        assert ours in source
        source = source.replace(ours, theirs)
    return source


def test_small_cnn_learns_the_digits(capsys):
    example = load(EXAMPLE.read_text())
    losses, score = example["main"](epochs=2)
    assert abs(losses[0] - np.log(10)) < 0.2  # a fresh network is near uniform: ln 10
    assert np.mean(losses[-5:]) < 0.5 * np.log(10) and score > 0.7  # 80.5% after 2 epochs
    out = capsys.readouterr().out
    assert "(conv1): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in out
    assert "test accuracy" in out


def numpy_forward(params: dict, x: np.ndarray) -> np.ndarray:
    """The example's network by its definition, place by place."""
    def conv(a, w, b):  # 3×3, zero padding 1
        ap = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
        out = np.empty((a.shape[0], w.shape[0]) + a.shape[2:])
        for i, j in np.ndindex(*a.shape[2:]):
            out[:, :, i, j] = np.einsum("nckl,ockl->no", ap[:, :, i:i + 3, j:j + 3], w)
        return out + b[:, None, None]

    h = np.maximum(conv(x, params["conv1.weight"], params["conv1.bias"]), 0)
    h = h.reshape(len(x), 8, 4, 2, 4, 2).max(axis=(3, 5))
    h = np.maximum(conv(h, params["conv2.weight"], params["conv2.bias"]), 0)
    h = h.reshape(len(x), 16, 2, 2, 2, 2).mean(axis=(3, 5))  # 4 → 2: windows of 2
    return h.reshape(len(x), -1) @ params["fc.weight"].T + params["fc.bias"]


def values(v) -> np.ndarray:
    """A state_dict entry's values (an ndarray or a tensor)."""
    return np.asarray(v.detach().numpy() if hasattr(v, "detach") else v)


def test_small_cnn_forward_matches_numpy():
    example = load(EXAMPLE.read_text())
    tg.manual_seed(1)
    model = example["SmallCNN"]()
    X = example["digits"]()[0][:5]
    params = {name: values(p).astype(np.float64) for name, p in model.state_dict().items()}
    out = model(tg.tensor(X))
    assert out.dtype == np.float32 and out.shape == (5, 10)
    np.testing.assert_allclose(out.detach().numpy(), numpy_forward(params, X.astype(np.float64)),
                               rtol=1e-4, atol=1e-6)


def test_small_cnn_gives_pytorch_numbers_from_the_same_weights():
    torch = pytest.importorskip("torch")
    source = EXAMPLE.read_text()
    ours, theirs = load(source), load(as_torch(source))
    assert theirs["torch"] is torch
    tg.manual_seed(0)
    model = ours["SmallCNN"]()
    twin = theirs["SmallCNN"]()
    twin.load_state_dict({k: torch.tensor(values(v)) for k, v in model.state_dict().items()})
    X, y, X_test, y_test = ours["digits"]()
    X, y = X[:512], y[:512]
    np.testing.assert_allclose(ours["train"](model, X, y, 1), theirs["train"](twin, X, y, 1),
                               rtol=1e-4)
    for (name, p), (twin_name, q) in zip(model.state_dict().items(), twin.state_dict().items()):
        assert name == twin_name
        np.testing.assert_allclose(values(p), values(q), rtol=1e-3, atol=1e-5, err_msg=name)
    assert ours["accuracy"](model, X_test, y_test) == theirs["accuracy"](twin, X_test, y_test)
