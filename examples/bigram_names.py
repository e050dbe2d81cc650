"""A character-level bigram model of names: counts first, then the same model learned by
gradient descent, then new names sampled with `multinomial`.

The model gives P(next letter | letter) = softmax(W[letter]); its loss is the mean negative
log-likelihood −1/N Σ ln P(c_{n+1} | c_n) over every pair of letters in the names, with "."
marking the start and the end of a name. The counts, smoothed by adding one to each, give a
baseline; gradient descent from W = 0 learns the same table, smoothed less, and passes it.

This is a PyTorch program: only the import line differs (`import torch` runs it on PyTorch).
"""

import tinygrad_edu as torch

NAMES = """ada alan alice amelia anna arthur ava beatrix ben carla clara daniel david elena
emma eva felix grace hana hugo ida iris ivan jack jonas julia kai lara leo lena lucas luna
maria mark mateo maya mila nina noah nora oliver olga omar oscar paula pablo rosa ruth sam
sara sofia tara theo tom uma vera victor wanda yara zoe""".split()


def pairs(names, stoi):
    xs, ys = [], []
    for name in names:
        chars = ["."] + list(name) + ["."]
        for a, b in zip(chars, chars[1:]):
            xs.append(stoi[a])
            ys.append(stoi[b])
    return torch.tensor(xs), torch.tensor(ys)


def main(steps=200, lr=50.0, samples=5):
    letters = sorted(set("".join(NAMES)))
    stoi = {c: i + 1 for i, c in enumerate(letters)} | {".": 0}
    itos = {i: c for c, i in stoi.items()}
    V = len(stoi)
    xs, ys = pairs(NAMES, stoi)

    counts = torch.zeros((V, V), dtype=torch.int64)
    for a, b in zip(xs.tolist(), ys.tolist()):
        counts[a, b] += 1
    P = (counts + 1).float()
    P = P / P.sum(1, keepdim=True)
    count_loss = -P[xs, ys].log().mean()
    print(f"{len(xs)} pairs, loss of the smoothed counts {count_loss.item():.4f}")

    W = torch.zeros((V, V), requires_grad=True)
    for _ in range(steps):
        logits = W[xs]  # the row of each letter: a one-hot times W, without the one-hot
        probs = logits.exp() / logits.exp().sum(1, keepdim=True)
        loss = -probs[torch.arange(len(xs)), ys].log().mean() + 0.01 * (W**2).mean()
        W.grad = None
        loss.backward()
        W.data += -lr * W.grad
    print(f"after {steps} steps of gradient descent, loss {loss.item():.4f}")

    g = torch.Generator().manual_seed(2147483647)
    made = []
    for _ in range(samples):
        i, out = 0, []
        while True:
            row = (W[i].exp() / W[i].exp().sum()).detach()
            i = torch.multinomial(row, num_samples=1, replacement=True, generator=g).item()
            if i == 0:
                break
            out.append(itos[i])
        made.append("".join(out))
    print("sampled:", ", ".join(made))
    return {"count_loss": count_loss.item(), "loss": loss.item(), "samples": made,
            "letters": set(letters)}


if __name__ == "__main__":
    main()
