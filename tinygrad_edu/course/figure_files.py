"""What every course figure shares: writing it as a small PNG, and a seeded block that leaves
the global generator as it found it. Needs matplotlib (the `plot` extra)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image  # a dependency of matplotlib

import tinygrad_edu as tg

PathLike = str | os.PathLike


def save_png(fig: Figure, path: PathLike) -> Path:
    """Render with Agg and write a 256-colour PNG: a third of the size, no visible change."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(90)
    canvas.draw()
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    palette = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    palette.save(path, format="PNG", optimize=True)
    return path


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """`tg.manual_seed(seed)` inside the block; the global generator's state after it."""
    saved = tg.generator().bit_generator.state
    tg.manual_seed(seed)
    try:
        yield
    finally:
        tg.generator().bit_generator.state = saved
