"""Checkpoints: a model's `state_dict()` and JSON metadata in one `.npz`, saved atomically,
loaded without pickle and only after the whole file has been checked against the model.

    save_checkpoint("run/model.npz", model, {"sizes": [2, 8, 1], "epoch": 10})
    meta = read_metadata("run/model.npz")            # e.g. to rebuild the architecture
    shapes = read_shapes("run/model.npz")            # {key: (shape, dtype)}, from headers only
    load_checkpoint("run/model.npz", model)          # returns the metadata too

The archive holds one `.npy` member per parameter (its dotted name) and `__metadata__.npy`,
a 0-d unicode array with the metadata as JSON text.

`save`/`load` (any nesting of state dicts, numbers and tensors, also `tg.save`/`tg.load`) and
`save_safetensors`/`load_safetensors` (PyTorch's interchange format) come from
`serialization.py` and are re-exported here.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .data.datasets import open_regular_file
from .nn.module import Module
from .serialization import (
    CheckpointError,
    load,
    load_safetensors,
    save,
    save_safetensors,
    write_atomically,
)

__all__ = ["CheckpointError", "save_checkpoint", "load_checkpoint", "read_shapes",
           "read_metadata", "save", "load", "save_safetensors", "load_safetensors"]

METADATA_KEY = "__metadata__"
SIZE_FACTOR = 10  # refuse members larger than this many times the model's parameter bytes
HEADER_ROOM = 1 << 16  # bytes allowed on top of that for the .npy headers
MAX_METADATA_BYTES = 1 << 24  # the metadata member's size, refused alike on save and load


def save_checkpoint(path: str | os.PathLike, model: Module,
                    metadata: dict | None = None) -> Path:
    """Write `model.state_dict()` and `metadata` (JSON-serialisable) to the `.npz` at `path`.

    Atomic: the archive is written to a temporary file in the same folder, flushed to disk,
    then renamed over `path`, so `path` holds either the old file or the complete new one;
    on any error the temporary file is removed. The folder must exist and be writable, and
    an existing `path` must be a regular file (never a folder, symlink, FIFO or device).
    Metadata over MAX_METADATA_BYTES is refused, as loading would refuse it.
    """
    path = Path(path)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"save_checkpoint: metadata must be a dict, got {type(metadata).__name__}")
    try:
        text = json.dumps({} if metadata is None else metadata)
    except (TypeError, ValueError) as e:
        raise TypeError(f"save_checkpoint: metadata is not JSON-serialisable: {e}") from None
    arrays = model.state_dict()
    if METADATA_KEY in arrays:
        raise ValueError(f"save_checkpoint: {METADATA_KEY!r} is reserved for the metadata")
    meta_member = _npy_bytes(np.array(text))
    _check_metadata_size(path, len(meta_member), "save_checkpoint: ")
    write_atomically(path, lambda f: _write_npz(f, arrays, meta_member), "save_checkpoint")
    return path


def load_checkpoint(path: str | os.PathLike, model: Module) -> dict:
    """Load the checkpoint at `path` into `model`; return its metadata.

    Nothing from the file is ever executed (no pickle). Every key, shape and dtype is checked
    against the model before any parameter changes: a damaged or foreign file, or one made by
    another architecture, raises CheckpointError and leaves the model untouched.
    """
    path = Path(path)
    expected = model.state_dict()
    limit = SIZE_FACTOR * sum(a.nbytes for a in expected.values()) + HEADER_ROOM
    with _open(path) as zf:
        members = _members(path, zf, limit)
        _check_architecture(path, model, zf, members, expected)
        arrays = {k: _read(path, zf, members[k]) for k in expected}
        metadata = _read_metadata(path, zf, members)
    model.load_state_dict(arrays)
    return metadata


def read_shapes(path: str | os.PathLike) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """{key: (shape, dtype)} of every parameter in the checkpoint at `path`, read from the
    .npy headers only (no data): e.g. to check metadata against the arrays before building."""
    path = Path(path)
    with _open(path) as zf:
        members = _members(path, zf, limit=None)
        return {k: _header(path, zf, info) for k, info in members.items() if k != METADATA_KEY}


def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata stored in the checkpoint at `path` ({} if it has none), read without
    loading any parameter: e.g. to rebuild the model before `load_checkpoint`."""
    path = Path(path)
    with _open(path) as zf:
        return _read_metadata(path, zf, _members(path, zf, limit=None))


# ---------------------------------------------------------------- writing


def _write_npz(f, arrays: dict[str, np.ndarray], meta_member: bytes) -> None:
    """What np.savez writes, without its keyword clash (a parameter named "file") and with
    pickling refused; `meta_member` is the metadata's .npy, already serialised."""
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, a in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, a, allow_pickle=False)
        zf.writestr(METADATA_KEY + ".npy", meta_member)


def _npy_bytes(a: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, a, allow_pickle=False)
    return buffer.getvalue()


def _check_metadata_size(path: Path, nbytes: int, op: str = "") -> None:
    """The one limit on the metadata member, shared by the writer and the reader."""
    if nbytes > MAX_METADATA_BYTES:
        raise CheckpointError(f"{op}{path}: the metadata takes {nbytes} bytes, more than the "
                              f"{MAX_METADATA_BYTES} a checkpoint may hold")


# ---------------------------------------------------------------- reading


@contextmanager
def _open(path: Path) -> Iterator[zipfile.ZipFile]:
    """The checkpoint as an open zip archive, or a CheckpointError saying what it is instead
    (a FIFO or device is refused before reading a byte)."""
    try:
        f = open_regular_file(path, "")
    except ValueError as e:
        raise CheckpointError(str(e)) from None
    with f:
        head = f.read(8)
        if not zipfile.is_zipfile(f):
            raise CheckpointError(f"{path}: {_not_a_zip(head)}")
        try:
            zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise CheckpointError(f"{path}: corrupted zip archive ({e})") from None
        with zf:
            yield zf


def _not_a_zip(head: bytes) -> str:
    if not head:
        return "empty file, not a checkpoint"
    if head.startswith(b"PK\x03\x04"):
        return "truncated or corrupted .npz archive (no zip directory at its end)"
    if head.startswith(b"\x93NUMPY"):
        return "a single .npy array, not an .npz checkpoint"
    if head.startswith(b"\x80"):
        return "a Python pickle, not an .npz checkpoint (refusing to unpickle it)"
    return "not an .npz checkpoint (not a zip archive)"


def _members(path: Path, zf: zipfile.ZipFile, limit: int | None
             ) -> dict[str, zipfile.ZipInfo]:
    """key -> zip member, after checking each is a .npy and each parameter no bigger than
    `limit` bytes (its declared size, from the zip directory: nothing is decompressed yet)."""
    members = {}
    for info in zf.infolist():
        if not info.filename.endswith(".npy"):
            raise CheckpointError(f"{path}: member {info.filename!r} is not a .npy array")
        key = info.filename[: -len(".npy")]
        if key == METADATA_KEY:
            _check_metadata_size(path, info.file_size)
        elif limit is not None and info.file_size > limit:
            raise CheckpointError(f"{path}: member {info.filename!r} declares {info.file_size} "
                                  f"bytes, more than the {limit} allowed")
        members[key] = info
    return members


def _header(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple, np.dtype]:
    """(shape, dtype) from a member's .npy header, without reading its data."""
    try:
        with zf.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise CheckpointError(f"{path}: member {info.filename!r} is damaged or not a .npy "
                              f"array ({e})") from None
    return shape, dtype


def _check_architecture(path: Path, model: Module, zf: zipfile.ZipFile,
                        members: dict[str, zipfile.ZipInfo],
                        expected: dict[str, np.ndarray]) -> None:
    """Raise one CheckpointError listing every key, shape and dtype that differs."""
    stored = [k for k in members if k != METADATA_KEY]
    problems = []
    missing = [k for k in expected if k not in members]
    unexpected = [k for k in stored if k not in expected]
    if missing:
        problems.append("missing keys " + ", ".join(map(repr, missing)))
    if unexpected:
        problems.append("unexpected keys " + ", ".join(map(repr, unexpected)))
    for key, want in expected.items():
        if key not in members:
            continue
        shape, dtype = _header(path, zf, members[key])
        if dtype.hasobject:
            problems.append(f"{key!r} holds Python objects (would need pickle)")
        elif shape != want.shape:
            problems.append(f"shape mismatch for {key!r}: checkpoint {shape}, model "
                            f"{want.shape}")
        elif dtype != want.dtype:
            problems.append(f"dtype mismatch for {key!r}: checkpoint {dtype}, model {want.dtype}")
    if problems:
        raise CheckpointError(f"{path}: does not match {type(model).__name__}: "
                              + "; ".join(problems))


def _read(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    try:
        with zf.open(info) as f:
            return np.load(f, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise CheckpointError(f"{path}: member {info.filename!r} is damaged ({e})") from None


def _read_metadata(path: Path, zf: zipfile.ZipFile,
                   members: dict[str, zipfile.ZipInfo]) -> dict:
    if METADATA_KEY not in members:
        return {}
    info = members[METADATA_KEY]
    shape, dtype = _header(path, zf, info)
    if shape != () or dtype.kind != "U":
        raise CheckpointError(f"{path}: {info.filename!r} is not a 0-d unicode array")
    try:
        metadata = json.loads(_read(path, zf, info).item())
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}: metadata is not valid JSON ({e})") from None
    if not isinstance(metadata, dict):
        raise CheckpointError(f"{path}: metadata is a JSON {type(metadata).__name__}, "
                              "not an object")
    return metadata
