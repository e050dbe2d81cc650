"""The `tinygrad-edu` command line: parse, call the library, print.

    tinygrad-edu demo                      train both course models, check their gradients,
                                           write the figures
    tinygrad-edu train --model mlp --dataset moons --optimizer adam --lr 0.01
    tinygrad-edu evaluate --checkpoint tinygrad_edu_out/mlp_moons
    tinygrad-edu gradcheck --model mlp --dataset digits
    tinygrad-edu figures --out figures/
    tinygrad-edu graph --what step
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from .. import __version__, io, viz
from ..arguments import is_positive_int
from ..data import DATASETS
from ..tensor import Tensor
from . import gradient_report, training
from .run_folder import run_folder

DEFAULT_OUT = "tinygrad_edu_out"


class UsageError(ValueError):
    """A bad argument, reported on one line with exit status 2."""


def _progress(total: int, desc: str):
    """(update(epoch, loss), close): a tqdm bar that stays on a terminal (tqdm is an optional
    extra), else a plain line every tenth of the run, which reads well in a log file."""
    if sys.stderr.isatty():
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            bar = tqdm(total=total, desc=desc, unit="epoch", dynamic_ncols=True)

            def advance(epoch: int, loss: float) -> None:
                bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
                bar.update(1)

            return advance, bar.close
    every = max(1, total // 10)

    def report(epoch: int, loss: float) -> None:
        if (epoch + 1) % every == 0 or epoch + 1 == total:
            print(f"{desc}: epoch {epoch + 1}/{total}  loss {loss:.4f}", file=sys.stderr,
                  flush=True)

    return report, lambda: None


def _fit(kind, model, prep, desc, **options):
    update, close = _progress(options["epochs"], desc)
    try:
        return training.fit(kind, model, prep, progress=update, **options)
    finally:
        close()


def _write_run(folder: Path, run: dict, kind: str, dataset: str, label_column, hidden,
               model, prep, result, optimizer: str, lr: float, seed: int) -> None:
    """One run's files: checkpoint, metrics (with `run`), loss curves, and for 2-D data the
    decision boundary."""
    io.save_checkpoint(folder / "model.npz", model, _metadata(
        kind, dataset, label_column, hidden, model, prep, seed))
    metrics = {"final_loss": result.loss, "train_accuracy": result.train_accuracy,
               "test_accuracy": result.test_accuracy, "steps": result.steps,
               "seconds": result.seconds, "loss_history": result.history,
               "test_loss_history": result.test_history, "run": run}
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
    figures = _figures(required=False)
    if figures is None:
        return
    label = f"{optimizer}, η = {lr:g}"
    title = f"{kind} on {Path(dataset).name}"
    figures.loss_curves({label: result.history}, folder / "loss_curve.png", title=title,
                        test_histories={label: result.test_history} if result.test_history
                        else None)
    if prep.X_train.shape[1] == 2:
        figures.decision_boundary(lambda X: _scores(kind, model, X), prep.X_train,
                                  prep.y_train, folder / "decision_boundary.png", title=title)


def _warn(problems: list[str], where: str) -> None:
    for problem in problems:
        print(f"tinygrad-edu: warning: {where}: {problem}", file=sys.stderr)


def _figures(required: bool = True):
    """The figures module; without matplotlib a UsageError, or None (after a one-line note on
    stderr) when the figures are only a by-product of the command."""
    try:
        from . import figures
    except ImportError as e:
        if e.name != "matplotlib":  # figures.py names the plot extra; anything else is a bug
            raise
        if required:
            raise UsageError(str(e)) from None
        print("tinygrad-edu: skipped the figures (they need matplotlib: pip install "
              "'tinygrad-edu[plot]')", file=sys.stderr)
        return None
    return figures


# ---------------------------------------------------------------- sub-commands


DEMO_RUNS = [
    ("logistic", "breast_cancer", (), dict(optimizer="gd", lr=0.5, epochs=300)),
    ("mlp", "digits", (32,), dict(optimizer="momentum", lr=0.05, epochs=30, batch_size=64)),
]


def cmd_demo(args) -> int:
    out = Path(args.out)
    rows, reports, checks = [], [], []
    for kind, name, hidden, options in DEMO_RUNS:
        run = {"command": "demo", "model": kind, "dataset": name}
        with run_folder(out / f"{kind}_{name}", run, args.overwrite) as folder:
            prep = training.load(name, seed=0)
            model = training.build_model(kind, prep.X_train.shape[1], prep.classes, hidden)
            result = _fit(kind, model, prep, f"{kind} on {name}", **options)
            _write_run(folder, run, kind, name, -1, hidden, model, prep, result,
                       options["optimizer"], options["lr"], seed=0)
        rows.append((f"{kind} / {name}", result))
        _warn(training.diagnose(result, prep.classes, options["lr"]), f"{kind} on {name}")
        points = slice(0, 40)
        Y = training.targets(kind, prep.y_train[points], prep.classes)
        report = (gradient_report.logistic_report if kind == "logistic"
                  else gradient_report.mlp_report)(model, prep.X_train[points], Y)
        checks.append(gradient_report.passed(report))
        reports.append(gradient_report.format_report(
            f"gradient check, {kind} on {name} (40 points, float64): autograd vs "
            f"{'closed-form gradient' if kind == 'logistic' else 'δ-recursion'}", report))
    print(_table(rows))
    print()
    print("\n\n".join(reports))
    figures = _figures(required=False)
    written = [] if figures is None else figures.make_all(out / "figures", done=_drawn)
    print(f"\nwrote 2 runs (checkpoint, metrics, loss curves) to {out}/" +
          "{" + ",".join(f"{k}_{n}" for k, n, _, _ in DEMO_RUNS) + "}/ and "
          f"{len(written)} course figures to {out / 'figures'}/")
    return 0 if all(checks) else 1


def _drawn(path: Path, seconds: float) -> None:
    print(f"tinygrad-edu: drew {path.name} ({seconds:.1f} s)", file=sys.stderr, flush=True)


def _table(rows) -> str:
    head = f"{'run':26} {'train acc':>9} {'test acc':>9} {'final loss':>11} {'steps':>6} " \
           f"{'time':>7}"
    lines = [head, "-" * len(head)]
    for name, r in rows:
        lines.append(f"{name:26} {r.train_accuracy:9.1%} {r.test_accuracy:9.1%} "
                     f"{r.loss:11.4f} {r.steps:6d} {r.seconds:6.2f}s")
    return "\n".join(lines)


def _metadata(kind, dataset, label_column, hidden, model, prep, seed) -> dict:
    """What `evaluate` needs to rebuild the model and the data: a CSV is stored by its
    absolute path (so evaluation works from any folder) with its label column."""
    if dataset.endswith((".csv", ".csv.gz")):
        dataset = str(Path(dataset).resolve())
    return {"model": kind, "dataset": dataset, "label_column": label_column,
            "hidden": list(hidden), "features": int(prep.X_train.shape[1]),
            "classes": prep.classes, "dtype": str(next(iter(model.parameters())).dtype),
            "seed": seed}


def cmd_train(args) -> None:
    arguments = {k: v for k, v in vars(args).items() if k not in ("func", "out", "overwrite")}
    run = {"command": "train", **arguments}
    out = args.out or str(Path(DEFAULT_OUT) / f"{args.model}_{_stem(args.dataset)}")
    with run_folder(out, run, args.overwrite) as folder:
        prep = training.load(args.dataset, seed=args.seed, label_column=args.label_column)
        hidden = _sizes(args.sizes)
        model = training.build_model(args.model, prep.X_train.shape[1], prep.classes,
                                     hidden, dtype=training.parse_dtype(args.dtype),
                                     seed=args.seed)
        result = _fit(args.model, model, prep, f"{args.model} on {Path(args.dataset).name}",
                      optimizer=args.optimizer, lr=args.lr, epochs=args.epochs,
                      batch_size=args.batch_size, schedule=args.schedule, seed=args.seed,
                      check_finite=args.check_finite)
        _write_run(folder, run, args.model, args.dataset, args.label_column, hidden, model,
                   prep, result, args.optimizer, args.lr, args.seed)
    print(_table([(f"{args.model} / {Path(args.dataset).name}", result)]))
    print(f"wrote checkpoint, metrics and loss curves to {out}/")
    _warn(training.diagnose(result, prep.classes, args.lr), "train")


def _stem(dataset: str) -> str:
    """The name of a bundled data set, or of a CSV file without its extensions."""
    return Path(dataset).name.split(".")[0]


def _scores(kind, model, X) -> Tensor:
    """Class scores for the boundary plot: the predicted class index as a ±1 score."""
    return Tensor(training.predict(kind, model, np.asarray(X)).astype(float) * 2 - 1)


def _sizes(text: str | None) -> tuple:
    if not text:
        return (32,)
    try:
        sizes = tuple(int(s) for s in text.replace(" ", "").split(",") if s)
    except ValueError:
        raise UsageError(f"--sizes takes hidden layer widths like 32,16, got {text!r}") \
            from None
    if not all(is_positive_int(n) for n in sizes):
        raise UsageError(f"--sizes must be positive, got {text!r}")
    return sizes


def _load_model(path: str):
    """The checkpoint's model, built only after its metadata has been checked against the
    arrays in the file (their headers: no data is read), so lying metadata allocates nothing."""
    meta = io.read_metadata(path)
    try:
        kind, hidden = meta["model"], tuple(meta["hidden"])
        sizes = training.layer_sizes(kind, meta["features"], meta["classes"], hidden)
        dtype = training.parse_dtype(meta["dtype"])
    except (KeyError, TypeError, ValueError) as e:
        raise UsageError(f"{path}: not a tinygrad-edu training checkpoint ({e})") from None
    stored = sum(math.prod(shape) for shape, _ in io.read_shapes(path).values())
    if stored != training.parameter_count(sizes):
        raise UsageError(f"{path}: its metadata describes a {kind} with layer sizes {sizes} "
                         f"({training.parameter_count(sizes):,} parameters), but the file "
                         f"holds {stored:,}")
    model = training.build_model(kind, meta["features"], meta["classes"], hidden, dtype=dtype)
    io.load_checkpoint(path, model)
    return kind, model, meta


def cmd_evaluate(args) -> None:
    if Path(args.checkpoint).is_dir():
        args.checkpoint = str(Path(args.checkpoint) / "model.npz")
    kind, model, meta = _load_model(args.checkpoint)
    dataset = args.dataset or meta["dataset"]
    label_column = meta.get("label_column", -1) if args.label_column is None \
        else args.label_column
    prep = training.load(dataset, seed=meta.get("seed", 0), label_column=label_column)
    if prep.X_train.shape[1] != meta["features"]:
        raise UsageError(f"the checkpoint {args.checkpoint} expects {meta['features']} "
                         f"features, {dataset} has {prep.X_train.shape[1]}")
    if prep.classes != meta["classes"]:
        raise UsageError(f"the checkpoint {args.checkpoint} was trained on {meta['classes']} "
                         f"classes, {dataset} has {prep.classes} in its label column "
                         f"{label_column!r}")
    for split, X, y in (("train", prep.X_train, prep.y_train), ("test", prep.X_test,
                                                                  prep.y_test)):
        loss, acc = training.evaluate(kind, model, X, y, prep.classes)
        print(f"{split:5}  accuracy {acc:7.2%}  loss {loss:.4f}  ({len(y)} points)")


def cmd_gradcheck(args) -> int:
    prep = training.load(args.dataset, seed=args.seed, label_column=args.label_column)
    model = training.build_model(args.model, prep.X_train.shape[1], prep.classes,
                                 _sizes(args.sizes), seed=args.seed)
    X = prep.X_train[:args.points]
    Y = training.targets(args.model, prep.y_train[:args.points], prep.classes)
    if args.model == "logistic":
        rows, what = gradient_report.logistic_report(model, X, Y), "closed-form gradient"
    else:
        rows, what = gradient_report.mlp_report(model, X, Y), "δ-recursion"
    print(gradient_report.format_report(
        f"{args.model} on {args.dataset}, seed {args.seed}, {len(X)} points, float64: "
        f"autograd vs {what} and vs central differences", rows))
    return 0 if gradient_report.passed(rows) else 1


def cmd_figures(args) -> None:
    figures = _figures()
    try:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot write to the output folder {args.out}: {e.strerror or e}") \
            from None
    for path in figures.make_all(args.out, done=_drawn):
        print(path)


def cmd_graph(args) -> None:
    import tinygrad_edu as tg

    tg.manual_seed(0)
    if args.what == "expression":
        w, x, b = tg.tensor(0.5, requires_grad=True), tg.tensor(1.5), tg.tensor(
            -0.3, requires_grad=True)
        loss = ((w * x + b).tanh() - 1.0) ** 2
        names = {w: "w", x: "x", b: "b", loss: "loss"}
    else:
        model = tg.nn.MLP([2, 3, 1])
        X, y = tg.randn(4, 2), tg.tensor([[1.0], [-1.0], [1.0], [-1.0]])
        loss = training.loss_fn("mlp")(model(X), y)
        names = {p: n for n, p in model.named_parameters()}
        names.update({X: "X", y: "y", loss: "E_in"})
    loss.backward(retain_graph=True)
    dot = viz.to_dot(loss, names=names)
    print(dot)
    if args.png:
        print(f"rendered {viz.render(dot, args.png)}", file=sys.stderr)


# ---------------------------------------------------------------- parser


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Help that ends each option with its default, unless the text already names it."""

    def _get_help_string(self, action):
        text = action.help or ""
        return text if "default" in text else super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """argparse, with bad arguments reported on a single line (no usage dump)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tinygrad-edu",
                     description="Train, check and picture the course's models.")
    parser.add_argument("--version", action="version", version=f"tinygrad-edu {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    defaults = _Defaults  # --help shows each default

    def overwrite_option(p):
        p.add_argument("--overwrite", action="store_true",
                       help="replace a run folder that holds another run's files")

    def data_options(p, default="breast_cancer"):
        p.add_argument("--dataset", default=default,
                       help=f"one of {', '.join(DATASETS)}, or a CSV file with a header")
        p.add_argument("--label-column", default=-1, type=_column,
                       help="name or index of the label column of a CSV (default: the last)")

    p = sub.add_parser("demo", help="train both course models, check gradients, write figures",
                       formatter_class=defaults)
    p.add_argument("--out", default=DEFAULT_OUT,
                   help="folder for the two run folders and the course figures")
    overwrite_option(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("train", help="train a model and save checkpoint, metrics and plots",
                       formatter_class=defaults)
    p.add_argument("--model", choices=training.MODELS, default="logistic",
                   help="logistic regression or the tanh MLP")
    p.add_argument("--sizes", default="32", help="hidden layer widths of the MLP, e.g. 32,16")
    data_options(p)
    p.add_argument("--optimizer", choices=training.OPTIMIZERS, default="gd",
                   help="the update rule")
    p.add_argument("--lr", type=_positive_float, default=0.5, help="learning rate η")
    p.add_argument("--schedule", choices=training.SCHEDULES, default="constant",
                   help="how η changes from epoch to epoch")
    p.add_argument("--epochs", type=_positive_int, default=100, help="passes over the data")
    p.add_argument("--batch-size", type=_positive_int, default=None,
                   help="minibatch size (default: the full batch)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights and the split")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="dtype of the weights")
    p.add_argument("--check-finite", action=argparse.BooleanOptionalAction, default=True,
                   help="refuse a step whose gradients hold NaN or inf")
    p.add_argument("--out", help=f"run folder (default: {DEFAULT_OUT}/<model>_<dataset>)")
    overwrite_option(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="accuracy and loss of a saved checkpoint",
                       formatter_class=defaults)
    p.add_argument("--checkpoint", required=True,
                   help="a run folder, or the model.npz in one")
    p.add_argument("--dataset", help="data set to evaluate on (default: the training one)")
    p.add_argument("--label-column", default=None, type=_column,
                   help="label column of a CSV (default: the one the model was trained on)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("gradcheck",
                       help="autograd vs the textbook formulas vs central differences",
                       formatter_class=defaults)
    p.add_argument("--model", choices=training.MODELS, default="mlp",
                   help="logistic regression or the tanh MLP")
    p.add_argument("--sizes", default="32", help="hidden layer widths of the MLP")
    data_options(p, default="digits")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights and the split")
    p.add_argument("--points", type=_positive_int, default=40,
                   help="training points in the error")
    p.set_defaults(func=cmd_gradcheck)

    p = sub.add_parser("figures", help="regenerate every figure of the docs",
                       formatter_class=defaults)
    p.add_argument("--out", default=str(Path(DEFAULT_OUT) / "figures"),
                   help="folder for the figures")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("graph", help="print a computation graph as Graphviz DOT",
                       formatter_class=defaults)
    p.add_argument("--what", choices=("expression", "step"), default="expression",
                   help="a small expression, or one training step of a tiny MLP")
    p.add_argument("--png", help="also render to this PNG (needs the graphviz package)")
    p.set_defaults(func=cmd_graph)
    return parser


def _column(text: str) -> str | int:
    """A CSV column: an index when the text is a whole number, else a name."""
    try:
        return int(text)
    except ValueError:
        return text


def _positive(number: type, noun: str):
    """An argparse type: the text as a finite `number` > 0, else a one-line error."""

    def parse(text: str):
        try:
            value = number(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {noun}: {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a positive {noun}, got {text!r}")
        return value

    return parse


_positive_float = _positive(float, "number")
_positive_int = _positive(int, "whole number")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted; nothing was saved", file=sys.stderr)
        return 130
    except (ValueError, TypeError, KeyError, OSError, RuntimeError) as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"tinygrad-edu {args.command}: error: {message}", file=sys.stderr)
        return 2
    return status or 0
