"""Run folders: where one training run's files live, written so that a run never overwrites
another run's files and a run that fails leaves nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the files of a run folder: `train` writes one, `demo` two; `evaluate` reads model.npz
RUN_FILES = ("model.npz", "metrics.json", "loss_curve.png", "decision_boundary.png")


@contextmanager
def run_folder(path: str | Path, run: dict, overwrite: bool) -> Iterator[Path]:
    """A staging folder beside `path` that a run writes its files into; when the block ends
    without error they take the place of the run files in `path`. A failed run leaves
    nothing behind: no partial files, no empty folders.

    `path` may already hold a run: the same run again (`run`, the command and its
    arguments, is recorded in metrics.json) is replaced, another one only with `overwrite`;
    a folder holding anything but run files is never written into."""
    final = Path(path)
    _check_replaceable(final, run, overwrite)
    made = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    except OSError as e:
        raise ValueError(f"cannot write to the output folder {final}: {e.strerror or e}") \
            from None
    try:
        yield staging
        final.mkdir(exist_ok=True)
        for name in RUN_FILES:
            (final / name).unlink(missing_ok=True)
        for written in staging.iterdir():
            os.replace(written, final / written.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # only those this run made, innermost first; only if empty
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()


def _check_replaceable(final: Path, run: dict, overwrite: bool) -> None:
    if not final.exists():
        return
    if not final.is_dir():
        raise ValueError(f"cannot write to the output folder {final}: it is a file")
    others = sorted(p.name for p in final.iterdir() if p.name not in RUN_FILES)
    if others:
        raise ValueError(f"the output folder {final} holds files that are not a run's "
                         f"({', '.join(others[:3])}); choose another --out")
    if overwrite or not any(final.iterdir()):
        return
    try:
        recorded = json.loads((final / "metrics.json").read_text()).get("run")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if recorded != run:
        what = f"a {recorded['command']} run" if isinstance(recorded, dict) and \
            "command" in recorded else "another run"
        raise ValueError(f"{final} holds {what} with other arguments; pass --overwrite to "
                         f"replace it, or choose another --out")
