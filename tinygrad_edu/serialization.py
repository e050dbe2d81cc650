"""`tg.save(obj, f)` / `tg.load(f)`: state dicts and other nested Python data with tensors,
without pickle, so nothing in a file can run code; and `.safetensors` for PyTorch.

    tg.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}, "ckpt.tg")
    ckpt = tg.load("ckpt.tg")                      # the same structure, exactly
    tg.save(model.state_dict(), "model.safetensors")    # PyTorch reads it with
    # safetensors.torch.load_file; tg.load("model.safetensors") reads PyTorch's

Our format is a zip archive (stored, never compressed) of `structure.json`, which describes
the nesting with tags ({"dict": [[key, value], ...]}, {"tuple": [...]}, {"tensor": 3}, ...),
and one `.npy` member per array. What round-trips exactly: None, bools, ints, floats (nan
and ±inf included), strings, lists, tuples, dicts, OrderedDicts and Counters (keys of scalar
kinds or tuples of them), Tensors (dtype, shape, values, requires_grad; a Parameter stays a
Parameter), ndarrays and numpy scalars; an object saved twice is loaded as one object twice.
Anything else is refused on saving, with its place in the structure.

Writing to a path is atomic (a temporary file in the same folder, flushed, then renamed over
the path); reading checks the whole file before building anything and never allocates more
than the file declares: compressed members, arrays whose header disagrees with their size,
and a structure bigger than MAX_STRUCTURE_BYTES or deeper than MAX_DEPTH are refused with a
CheckpointError naming the file. `safetensors` is an optional dependency (in the `test`
extra), needed only for `.safetensors` files.
"""

from __future__ import annotations

import io
import json
import math
import os
import secrets
import stat
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from .data.datasets import file_kind, open_regular_file
from .nn.module import Parameter
from .tensor import Tensor

FORMAT = "tinygrad_edu.save"
VERSION = 1
STRUCTURE = "structure.json"
MAX_STRUCTURE_BYTES = 1 << 24
MAX_DEPTH = 100  # nesting levels of lists, tuples and dicts
SAFETENSORS_SUFFIX = ".safetensors"


_MAPPINGS = {dict: "dict", OrderedDict: "ordered_dict", Counter: "counter"}  # MultiStepLR's
_MAPPING_TYPES = {name: cls for cls, name in _MAPPINGS.items()}


class CheckpointError(ValueError):
    """A file is not a checkpoint that can be loaded; the message names the file."""


# ---------------------------------------------------------------- writing files


def write_atomically(path: str | os.PathLike, write: Callable[[IO[bytes]], None],
                     op: str) -> Path:
    """Call `write(f)` on a new temporary file beside `path`, flush it to disk and rename it
    over `path`, so `path` holds either its old content or the complete new one; on any error
    the temporary file is removed. The folder must exist, and an existing `path` must be a
    regular file (never a folder, symlink, FIFO or device)."""
    path = Path(path)
    if not path.parent.is_dir():
        missing = not path.parent.exists()
        raise (FileNotFoundError if missing else NotADirectoryError)(
            f"{op}: cannot write {path}: {path.parent} "
            + ("does not exist" if missing else "is not a folder"))
    try:
        mode = os.lstat(path).st_mode  # lstat: a symlink is not followed
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(f"{op}: cannot write {path}: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        raise ValueError(f"{op}: refusing to replace {path}: it is {file_kind(mode)}, not a "
                         "regular file")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # O_EXCL: never clobber another file; mode 0o666 lets the umask decide, as open() does
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except OSError as e:
        raise type(e)(f"{op}: cannot write {path}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable, not just the file's bytes
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path


def _is_path(f: Any) -> bool:
    return isinstance(f, (str, os.PathLike))


# ---------------------------------------------------------------- save


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write `obj` (a state dict, or any nesting of the kinds listed in the module docstring)
    to the path or writable binary file `f`. A path ending in `.safetensors` writes that
    format instead (a flat dict of names to tensors, as a model's state_dict)."""
    if _is_path(f) and os.fspath(f).endswith(SAFETENSORS_SUFFIX):
        save_safetensors(obj, f)
        return
    arrays: list[np.ndarray] = []
    root = _Encoder(arrays).encode(obj, "obj", 0)
    text = json.dumps({"format": FORMAT, "version": VERSION, "root": root})
    structure = text.encode()
    if len(structure) > MAX_STRUCTURE_BYTES:
        raise ValueError(f"save: the structure takes {len(structure)} bytes, more than the "
                         f"{MAX_STRUCTURE_BYTES} a file may hold")

    def write(out: IO[bytes]) -> None:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr(STRUCTURE, structure)
            for i, a in enumerate(arrays):
                with zf.open(f"arrays/{i}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, a, allow_pickle=False)

    if _is_path(f):
        write_atomically(f, write, "save")
    elif hasattr(f, "write"):
        write(f)
    else:
        raise TypeError(f"save: f must be a path or a writable binary file, "
                        f"got {type(f).__name__}")


class _Encoder:
    """Turns an object into JSON-ready tags, collecting its arrays (each object once)."""

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.arrays = arrays
        self.seen: dict[int, int] = {}
        self.keep: list[Any] = []  # holds the saved objects, so their ids stay unique

    def _array(self, obj: Any, a: np.ndarray, where: str) -> int:
        if id(obj) not in self.seen:
            if a.dtype.kind not in "biuf":
                raise TypeError(f"save: {where} is an array of dtype {a.dtype}, which cannot be "
                                "saved without pickle")
            self.seen[id(obj)] = len(self.arrays)
            self.arrays.append(a)
            self.keep.append(obj)
        return self.seen[id(obj)]

    def encode(self, obj: Any, where: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError(f"save: {where} is nested more than {MAX_DEPTH} levels deep")
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, Tensor):
            kind = "parameter" if isinstance(obj, Parameter) else "tensor"
            return {kind: self._array(obj, obj.numpy(), where),
                    "requires_grad": obj.requires_grad}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array(obj, obj, where)}
        if isinstance(obj, np.generic):
            return {"numpy_scalar": self._array(obj, np.asarray(obj), where)}
        if type(obj) in (int, float):
            return obj
        if type(obj) in (list, tuple):
            return {type(obj).__name__: [self.encode(v, f"{where}[{i}]", depth + 1)
                                         for i, v in enumerate(obj)]}
        if type(obj) in _MAPPINGS:
            kind = _MAPPINGS[type(obj)]
            return {kind: [[self.key(k, where), self.encode(v, f"{where}[{k!r}]", depth + 1)]
                           for k, v in obj.items()]}
        raise TypeError(f"save: {where} is a {type(obj).__name__}; only None, bools, ints, "
                        "floats, strings, lists, tuples, dicts, Tensors and numpy arrays can "
                        "be saved")

    def key(self, k: Any, where: str) -> Any:
        if k is None or type(k) in (bool, int, float, str):
            return k
        if type(k) is tuple:
            return {"tuple": [self.key(v, where) for v in k]}
        raise TypeError(f"save: {where} has a key of type {type(k).__name__}; keys must be "
                        "strings, numbers, None or tuples of them")


# ---------------------------------------------------------------- load


def load(f: str | os.PathLike | IO[bytes], weights_only: bool = True,
         map_location: Any = None) -> Any:
    """Read what `save` wrote to the path or readable binary file `f` (a `.safetensors`
    path gives a dict of Tensors). `weights_only` and `map_location` are accepted for
    PyTorch's sake: nothing is ever unpickled, and every tensor lives on the CPU."""
    if _is_path(f):
        if os.fspath(f).endswith(SAFETENSORS_SUFFIX):
            return load_safetensors(f)
        name = Path(f)
        try:
            handle = open_regular_file(f, "load: ")
        except ValueError as e:
            raise CheckpointError(str(e)) from None
        with handle:
            return _load_zip(handle, name)
    if not hasattr(f, "read"):
        raise TypeError(f"load: f must be a path or a readable binary file, "
                        f"got {type(f).__name__}")
    name = getattr(f, "name", "<file object>")
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())
    return _load_zip(f, name)


def _load_zip(f: IO[bytes], name: Any) -> Any:
    head = f.read(8)
    f.seek(0)
    if not zipfile.is_zipfile(f):
        raise CheckpointError(f"{name}: {_not_ours(head)}")
    f.seek(0)
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CheckpointError(f"{name}: corrupted zip archive ({e})") from None
    with zf:
        members = {info.filename: info for info in zf.infolist()}
        size = f.seek(0, os.SEEK_END)
        declared = sum(info.file_size for info in members.values())
        if declared > size:  # overlapping or forged members: never read more than the file
            raise CheckpointError(f"{name}: the members declare {declared} bytes, more than "
                                  f"the {size} the file holds")
        if STRUCTURE not in members:
            torch_file = any(n.endswith("data.pkl") for n in members)
            raise CheckpointError(f"{name}: " + (
                "a PyTorch torch.save file, which holds a pickle; refusing to unpickle it "
                "(save a state_dict as .safetensors in PyTorch to bring it here)"
                if torch_file else f"a zip archive without {STRUCTURE}, not a tg.save file"))
        for info in members.values():
            if info.compress_type != zipfile.ZIP_STORED:
                raise CheckpointError(f"{name}: member {info.filename!r} is compressed; "
                                      "tg.save never compresses, refusing to inflate it")
        root = _read_structure(zf, members[STRUCTURE], name)
        expected = {STRUCTURE}
        decoder = _Decoder(zf, members, name)
        obj = decoder.decode(root, 0)
        expected.update(f"arrays/{i}.npy" for i in range(decoder.count))
        extra = sorted(set(members) - expected)
        if extra:
            raise CheckpointError(f"{name}: unexpected members {extra[:5]}")
    return obj


def _read_structure(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: Any) -> Any:
    if info.file_size > MAX_STRUCTURE_BYTES:
        raise CheckpointError(f"{name}: {STRUCTURE} declares {info.file_size} bytes, more "
                              f"than the {MAX_STRUCTURE_BYTES} allowed")
    try:
        doc = json.loads(zf.read(info).decode())
    except (ValueError, UnicodeDecodeError, RecursionError, zipfile.BadZipFile) as e:
        raise CheckpointError(f"{name}: {STRUCTURE} is damaged ({type(e).__name__}: "
                              f"{str(e)[:200]})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or "root" not in doc:
        raise CheckpointError(f"{name}: {STRUCTURE} does not describe a tg.save file")
    if doc.get("version") != VERSION:
        raise CheckpointError(f"{name}: format version {doc.get('version')!r}; this "
                              f"tinygrad_edu reads version {VERSION}")
    return doc["root"]


class _Decoder:
    """Rebuilds the saved object from its tags, reading each array member once, checked."""

    def __init__(self, zf: zipfile.ZipFile, members: dict, name: Any) -> None:
        self.zf, self.members, self.name = zf, members, name
        self.objects: dict[tuple[str, int], Any] = {}
        self.count = 0  # arrays referenced: 0 .. count-1 must all exist, and nothing more

    def fail(self, message: str) -> CheckpointError:
        return CheckpointError(f"{self.name}: {message}")

    def decode(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"the structure is nested more than {MAX_DEPTH} levels deep")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not node:
            raise self.fail(f"unknown entry {str(node)[:80]!r} in {STRUCTURE}")
        kind = next(iter(node))
        value = node[kind]
        if kind in ("list", "tuple") and isinstance(value, list) and len(node) == 1:
            items = [self.decode(v, depth + 1) for v in value]
            return items if kind == "list" else tuple(items)
        if kind in _MAPPING_TYPES and isinstance(value, list) and len(node) == 1:
            out = _MAPPING_TYPES[kind]()
            for pair in value:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise self.fail(f"a {kind} entry is not a [key, value] pair")
                key = self.decode(pair[0], depth + 1)
                try:
                    out[key] = self.decode(pair[1], depth + 1)
                except TypeError:
                    raise self.fail(f"unhashable key {key!r}") from None
            return out
        if kind in ("tensor", "parameter", "ndarray", "numpy_scalar"):
            return self.array_object(kind, node)
        raise self.fail(f"unknown entry {kind!r} in {STRUCTURE}")

    def array_object(self, kind: str, node: dict) -> Any:
        index = node[kind]
        grad = node.get("requires_grad", False)
        if (type(index) is not int or index < 0 or not isinstance(grad, bool)
                or set(node) - {kind, "requires_grad"}):
            raise self.fail(f"bad {kind} entry {str(node)[:80]}")
        if (kind, index) not in self.objects:
            a = self.read_array(index)
            if kind == "ndarray":
                obj = a
            elif kind == "numpy_scalar":
                if a.shape != ():
                    raise self.fail(f"numpy scalar {index} has shape {a.shape}")
                obj = a[()]
            else:
                try:
                    obj = Parameter(a, requires_grad=grad, dtype=a.dtype) if kind == "parameter" \
                        else Tensor(a, dtype=a.dtype, requires_grad=grad)
                except (TypeError, ValueError, RuntimeError) as e:
                    raise self.fail(f"array {index} cannot be a {kind}: {e}") from None
            self.objects[kind, index] = obj
        return self.objects[kind, index]

    def read_array(self, index: int) -> np.ndarray:
        member = f"arrays/{index}.npy"
        info = self.members.get(member)
        if info is None:
            raise self.fail(f"member {member!r} is missing")
        self.count = max(self.count, index + 1)
        try:
            with self.zf.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version not in ((1, 0), (2, 0), (3, 0)):
                    raise ValueError(f"unsupported .npy version {version}")
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read_header(f)
                if dtype.hasobject or dtype.kind not in "biuf":
                    raise ValueError(f"dtype {dtype} is not a number type")
                nbytes = math.prod(shape) * dtype.itemsize
                if info.file_size - f.tell() != nbytes:
                    raise ValueError(f"header declares shape {shape} of {dtype} ({nbytes} "
                                     f"bytes) but the member holds {info.file_size - f.tell()}")
                a = np.frombuffer(f.read(nbytes), dtype=dtype)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
            raise self.fail(f"member {member!r} is damaged ({e})") from None
        return a.reshape(shape, order="F" if fortran else "C").copy()


def _not_ours(head: bytes) -> str:
    if not head:
        return "empty file, not a tg.save file"
    if head.startswith(b"\x93NUMPY"):
        return "a single .npy array, not a tg.save file (use numpy.load)"
    if head.startswith(b"\x80"):
        return "a Python pickle (perhaps an old torch.save file); refusing to unpickle it"
    if len(head) == 8 and int.from_bytes(head, "little") < 1 << 27:
        return ("perhaps a safetensors file without the .safetensors suffix: use "
                "tg.io.load_safetensors")
    return "not a tg.save file (not a zip archive)"


# ---------------------------------------------------------------- safetensors


def _safetensors_numpy(op: str):
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(f"{op} needs the safetensors package: pip install safetensors "
                          "(it comes with tinygrad-edu[test])") from None
    return safetensors.numpy


def save_safetensors(state_dict: dict[str, Any], path: str | os.PathLike,
                     metadata: dict[str, str] | None = None) -> Path:
    """Write a flat {name: Tensor or ndarray} dict (a model's state_dict) as `.safetensors`,
    atomically: `safetensors.torch.load_file(path)` then gives PyTorch the same state_dict."""
    st = _safetensors_numpy("save_safetensors")
    if not isinstance(state_dict, dict):
        raise TypeError(f"save_safetensors: expected a dict of name -> tensor, got "
                        f"{type(state_dict).__name__}")
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save_safetensors: key {key!r} is not a string")
        a = value.numpy() if isinstance(value, Tensor) else value
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
            raise TypeError(f"save_safetensors: {key!r} is a {type(value).__name__}"
                            + (f" of dtype {a.dtype}" if isinstance(a, np.ndarray) else "")
                            + "; .safetensors holds only tensors of numbers (use tg.save)")
        arrays[key] = np.ascontiguousarray(a)
    blob = st.save(arrays, metadata=metadata)
    return write_atomically(path, lambda f: f.write(blob), "save_safetensors")


def load_safetensors(path: str | os.PathLike) -> dict[str, Tensor]:
    """A `.safetensors` file (from `save_safetensors` or PyTorch's
    `safetensors.torch.save_file`) as {name: Tensor}, ready for `model.load_state_dict`."""
    st = _safetensors_numpy("load_safetensors")
    try:
        handle = open_regular_file(path, "load_safetensors: ")
    except ValueError as e:
        raise CheckpointError(str(e)) from None
    with handle:
        blob = handle.read()
    try:
        arrays = st.load(blob)
    except Exception as e:  # the Rust parser raises SafetensorError; bf16 a TypeError
        raise CheckpointError(f"{path}: not a readable .safetensors file "
                              f"({type(e).__name__}: {str(e)[:200]})") from None
    return {k: Tensor(a.copy(), dtype=a.dtype) for k, a in arrays.items()}
