"""Character-level language models of words: a bigram table and a small MLP.

Trained on the names of the 118 chemical elements (examples/data/elements.txt, see the
README there), each model learns P(next character | previous characters) and then invents new
element-like names. Written as a PyTorch program: replace the three imports below by
`import torch`, `import torch.nn as nn`, `import torch.nn.functional as F` and it runs the
same (tests/test_nn_examples.py does so and compares the losses).

Run: python examples/char_lm.py
"""

from pathlib import Path

import tinygrad_edu as torch
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F

DATA = Path(__file__).parent / "data" / "elements.txt"


def load_words():
    return DATA.read_text().split()


def vocabulary(words):
    """Character → index, with "." (index 0) marking both the start and the end of a word."""
    chars = sorted(set("".join(words)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    stoi["."] = 0
    itos = {i: c for c, i in stoi.items()}
    return stoi, itos


def contexts(words, stoi, block_size):
    """Every (previous block_size characters, next character) pair in the words."""
    xs, ys = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            xs.append(context)
            ys.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(xs), torch.tensor(ys)


class Bigram(nn.Module):
    """Logits of the next character read from a table row: the previous character's."""

    def __init__(self, vocab_size):
        super().__init__()
        self.table = nn.Embedding(vocab_size, vocab_size)

    def forward(self, x):  # x: (N, 1) character indices
        return self.table(x[:, -1])


class MLPLanguageModel(nn.Module):
    """Bengio et al.'s model: embed the last block_size characters, concatenate the
    embeddings, one tanh hidden layer, logits over the vocabulary."""

    def __init__(self, vocab_size, block_size, n_embd=8, n_hidden=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, n_embd)
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(block_size * n_embd, n_hidden),
            nn.Tanh(),
            nn.Linear(n_hidden, vocab_size),
        )

    def forward(self, x):  # x: (N, block_size)
        return self.net(self.embed(x))


def train(model, X, Y, steps=200, lr=0.5, batch_size=64):
    """Minibatch SGD on the cross-entropy; the batches are taken in order (no shuffling)
    so that runs are repeatable. Returns the loss of each step."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    n = X.shape[0]
    for step in range(steps):
        start = (step * batch_size) % n
        xb, yb = X[start:start + batch_size], Y[start:start + batch_size]
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def evaluate(model, X, Y):
    with torch.no_grad():
        return F.cross_entropy(model(X), Y).item()


def sample(model, itos, block_size, n=5, seed=0):
    """n new words, each character drawn from the model's softmax by `multinomial`."""
    g = torch.Generator().manual_seed(seed)
    words = []
    with torch.no_grad():
        for _ in range(n):
            context, out = [0] * block_size, []
            while len(out) < 20:
                probs = F.softmax(model(torch.tensor([context])), dim=1)[0]
                ix = torch.multinomial(probs, num_samples=1, generator=g).item()
                if ix == 0:
                    break
                out.append(itos[ix])
                context = context[1:] + [ix]
            words.append("".join(out))
    return words


def main():
    torch.manual_seed(42)
    words = load_words()
    stoi, itos = vocabulary(words)
    V = len(stoi)
    for name, block_size, model in [("bigram", 1, Bigram(V)),
                                    ("mlp", 3, MLPLanguageModel(V, 3))]:
        X, Y = contexts(words, stoi, block_size)
        before = evaluate(model, X, Y)
        train(model, X, Y, steps=300)
        after = evaluate(model, X, Y)
        print(f"{name}: {X.shape[0]} examples, loss {before:.3f} -> {after:.3f}; samples:",
              ", ".join(sample(model, itos, block_size)))


if __name__ == "__main__":
    main()
