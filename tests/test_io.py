"""io: checkpoint round trip, atomic writes, and every kind of bad file refused cleanly;
tg.save/tg.load of nested state with tensors, and .safetensors."""

import io
import math
import os
import pickle
import stat
import zipfile
from collections import Counter, OrderedDict

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, serialization
from tinygrad_edu.io import (
    MAX_METADATA_BYTES,
    CheckpointError,
    load_checkpoint,
    read_metadata,
    read_shapes,
    save_checkpoint,
)

META = {"sizes": [2, 3, 1], "epoch": 7, "loss": 0.125, "note": "ünï \"q\"", "best": None}


def make_model(seed=0, sizes=(2, 3, 1), dtype=tg.float32):
    tg.manual_seed(seed)
    return nn.MLP(list(sizes), dtype=dtype)


def snapshot(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_params(model, expected):
    got = model.state_dict()
    assert list(got) == list(expected)
    for k in expected:
        assert got[k].dtype == expected[k].dtype, k
        np.testing.assert_array_equal(got[k], expected[k], err_msg=k)


def assert_refused(path, model, *fragments):
    """load_checkpoint raises a one-line CheckpointError naming the file; model untouched."""
    before = snapshot(model)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path, model)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message
    assert_params(model, before)
    return message


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.npz"
    model = make_model(seed=1)
    save_checkpoint(path, model, META)
    return path, model


# ---------------------------------------------------------------- round trip


def test_round_trip_restores_arrays_and_metadata(saved):
    path, source = saved
    target = make_model(seed=2)
    assert not np.array_equal(target.state_dict()["layers.0.weight"],
                              source.state_dict()["layers.0.weight"])
    assert load_checkpoint(path, target) == META
    assert_params(target, source.state_dict())
    assert read_metadata(path) == META


def test_round_trip_float64_and_no_metadata(tmp_path):
    path = tmp_path / "m.npz"
    source = make_model(seed=3, dtype=tg.float64)
    assert save_checkpoint(str(path), source) == path
    target = make_model(seed=4, dtype=tg.float64)
    assert load_checkpoint(path, target) == {}
    assert_params(target, source.state_dict())


def test_file_is_a_plain_npz_readable_by_numpy(saved):
    path, model = saved
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted([*model.state_dict(), "__metadata__"])
        np.testing.assert_array_equal(npz["layers.1.bias"], model.state_dict()["layers.1.bias"])
        assert npz["__metadata__"].shape == () and npz["__metadata__"].dtype.kind == "U"


def test_plain_npz_of_a_state_dict_loads_with_empty_metadata(tmp_path):
    path = tmp_path / "plain.npz"
    source = make_model(seed=5)
    np.savez(path, **source.state_dict())
    target = make_model(seed=6)
    assert load_checkpoint(path, target) == {}
    assert_params(target, source.state_dict())


def test_parameter_named_file_is_saved(tmp_path):
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.file = nn.Parameter([1.0, 2.0])

    path = tmp_path / "odd.npz"
    save_checkpoint(path, Odd())
    target = Odd()
    target.file.numpy()[:] = 0
    load_checkpoint(path, target)
    np.testing.assert_array_equal(target.file.numpy(), [1.0, 2.0])


def test_metadata_must_be_a_json_dict(tmp_path):
    model = make_model()
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        save_checkpoint(tmp_path / "m.npz", model, {"array": np.ones(2)})
    with pytest.raises(TypeError, match="must be a dict, got list"):
        save_checkpoint(tmp_path / "m.npz", model, [1, 2])
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- atomic writes


def test_crash_mid_save_keeps_previous_file_and_leaves_no_temp(saved, monkeypatch):
    path, _ = saved
    previous = path.read_bytes()
    write_array = np.lib.format.write_array
    calls = []

    def crash_on_second_array(fp, array, **kwargs):
        calls.append(array.shape)
        if len(calls) == 2:
            fp.write(b"half an array")
            raise OSError("disk full")
        write_array(fp, array, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", crash_on_second_array)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, make_model(seed=9), {"epoch": 8})
    assert len(calls) == 2
    assert path.read_bytes() == previous
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]
    monkeypatch.undo()
    assert read_metadata(path) == META


def test_interrupt_during_save_removes_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, make_model())
    assert list(tmp_path.iterdir()) == []


def test_failed_replace_onto_a_folder_removes_temp_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        save_checkpoint(target, make_model())
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
    assert list(target.iterdir()) == []


def test_overwrite_replaces_whole_file(saved):
    path, _ = saved
    other = make_model(seed=11)
    save_checkpoint(path, other, {"epoch": 99})
    target = make_model(seed=12)
    assert load_checkpoint(path, target) == {"epoch": 99}
    assert_params(target, other.state_dict())
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]


def test_saved_file_gets_normal_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = save_checkpoint(tmp_path / "m.npz", make_model())
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_missing_folder_is_a_clear_error(tmp_path):
    path = tmp_path / "nope" / "m.npz"
    with pytest.raises(FileNotFoundError, match=r"cannot write .*nope.*does not exist"):
        save_checkpoint(path, make_model())
    assert not (tmp_path / "nope").exists()


def test_folder_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError, match=r"cannot write .*f/m.npz.* is not a folder"):
        save_checkpoint(tmp_path / "f" / "m.npz", make_model())


def test_permission_denied_names_the_path(tmp_path, monkeypatch):
    real_open = os.open

    def denied(path, *args):
        if str(path).startswith(str(tmp_path)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", denied)  # what a read-only folder does, even for root
    with pytest.raises(PermissionError, match=r"cannot write .*/m.npz: Permission denied"):
        save_checkpoint(tmp_path / "m.npz", make_model())
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- damaged and foreign files


def test_truncated_file_is_refused(saved):
    path, _ = saved
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(path, make_model(seed=3), "truncated or corrupted")
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        read_metadata(path)


def test_corrupted_array_data_is_refused(saved):
    path, model = saved
    data = bytearray(path.read_bytes())
    start = data.index(model.state_dict()["layers.0.weight"].tobytes())
    data[start: start + 8] = bytes(8)  # two of the weight's values zeroed: the CRC fails
    path.write_bytes(bytes(data))
    assert_refused(path, make_model(seed=3), "'layers.0.weight.npy' is damaged", "CRC")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    assert_refused(path, make_model(), "empty file")


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    assert_refused(path, make_model(), "not a zip archive")


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("weights: 1 2 3\n")
    assert_refused(path, make_model(), "not an .npz checkpoint")


class Trap:
    """Unpickling this would record it: the loader must never get that far."""

    triggered = []

    def __reduce__(self):
        return (Trap.triggered.append, ("unpickled",))


def test_pickle_file_is_refused_and_never_unpickled(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"layers.0.weight": Trap()}))
    assert_refused(path, make_model(), "a Python pickle", "refusing to unpickle")
    assert Trap.triggered == []


def test_object_array_is_refused_and_never_unpickled(tmp_path):
    model = make_model()
    arrays = model.state_dict()
    objects = np.empty(arrays["layers.0.bias"].shape, dtype=object)
    objects[:] = [Trap() for _ in range(objects.size)]
    arrays["layers.0.bias"] = objects
    path = tmp_path / "objects.npz"
    np.savez(path, **arrays)  # numpy pickles object arrays by default
    assert_refused(path, model, "'layers.0.bias' holds Python objects (would need pickle)")
    assert Trap.triggered == []


def test_single_npy_file_is_refused(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, np.ones(3))
    assert_refused(path, make_model(), "a single .npy array")


def test_zip_with_foreign_members_is_refused(tmp_path):
    path = tmp_path / "doc.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert_refused(path, make_model(), "member 'readme.txt' is not a .npy array")


def test_member_with_bad_npy_header_is_refused(tmp_path):
    path = tmp_path / "bad.npz"
    model = make_model()
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in model.state_dict().items():
            buffer = io.BytesIO()
            np.save(buffer, v)
            zf.writestr(k + ".npy", b"\x93NUMPY\x01\x00garbage" if k == "layers.1.bias"
                        else buffer.getvalue())
    assert_refused(path, make_model(seed=5),
                   "'layers.1.bias.npy' is damaged or not a .npy array")


def test_zip_bomb_sized_member_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    model = make_model()  # 13 float32 parameters
    arrays = model.state_dict()
    arrays["layers.0.weight"] = np.zeros((2_000_000,), dtype=np.float32)  # 8 MB, ~8 kB zipped
    np.savez_compressed(path, **arrays)
    assert path.stat().st_size < 100_000
    message = assert_refused(path, model, "'layers.0.weight.npy' declares 8000128 bytes",
                             "more than the")
    assert str(10 * 13 * 4 + 65536) in message


# ---------------------------------------------------------------- special files, metadata limit
# Reading refuses anything but a regular file before reading a byte (a FIFO would block,
# /dev/zero never ends); saving refuses to rename over one; one metadata limit for both.

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")


@needs_fifo
@pytest.mark.parametrize("read", [lambda p: load_checkpoint(p, make_model()), read_metadata,
                                  read_shapes])
def test_fifo_is_refused_without_blocking(tmp_path, read):
    path = tmp_path / "pipe.npz"
    os.mkfifo(path)
    with pytest.raises(CheckpointError, match=r"pipe\.npz: it is a FIFO, not a regular file"):
        read(path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_device_is_refused_before_reading():
    with pytest.raises(CheckpointError, match=r"^/dev/zero: it is a device, not a regular"):
        read_metadata("/dev/zero")


def test_save_refuses_to_replace_a_symlink(saved, tmp_path):
    target, _ = saved
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    before = target.read_bytes()
    with pytest.raises(ValueError, match=r"refusing to replace .*link\.npz: it is a symlink"):
        save_checkpoint(link, make_model(seed=9))
    assert link.is_symlink() and target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.npz", "model.npz"]


@needs_fifo
def test_save_refuses_to_replace_a_fifo(tmp_path):
    path = tmp_path / "pipe.npz"
    os.mkfifo(path)
    with pytest.raises(ValueError, match=r"refusing to replace .*pipe\.npz: it is a FIFO"):
        save_checkpoint(path, make_model())
    assert stat.S_ISFIFO(os.lstat(path).st_mode) and len(list(tmp_path.iterdir())) == 1


def test_metadata_at_the_limit_round_trips_and_one_more_is_refused_on_save(tmp_path):
    # the member is a 128-byte .npy header and 4 bytes (UTF-32) per character of the JSON text
    largest = (MAX_METADATA_BYTES - 128) // 4 - len('{"x": ""}')
    path = tmp_path / "big.npz"
    save_checkpoint(path, make_model(), {"x": "a" * largest})
    assert len(read_metadata(path)["x"]) == largest
    with pytest.raises(CheckpointError, match=rf"save_checkpoint: .*big\.npz: the metadata "
                                              rf"takes {MAX_METADATA_BYTES + 4} bytes, more "
                                              rf"than the {MAX_METADATA_BYTES}"):
        save_checkpoint(path, make_model(), {"x": "a" * (largest + 1)})
    assert len(read_metadata(path)["x"]) == largest  # the old file is still there, whole
    assert [p.name for p in tmp_path.iterdir()] == ["big.npz"]


def test_read_shapes_reads_headers_only(saved):
    path, model = saved
    assert read_shapes(path) == {k: (v.shape, v.dtype) for k, v in model.state_dict().items()}


# ---------------------------------------------------------------- architecture mismatch


def test_wrong_shapes_are_listed(saved):
    path, _ = saved
    other = make_model(sizes=(2, 4, 1))
    assert_refused(
        path, other, "does not match MLP",
        "shape mismatch for 'layers.0.weight': checkpoint (3, 2), model (4, 2)",
        "shape mismatch for 'layers.0.bias': checkpoint (3,), model (4,)",
        "shape mismatch for 'layers.1.weight': checkpoint (1, 3), model (1, 4)",
    )


def test_missing_keys_are_listed(saved):
    path, _ = saved
    deeper = make_model(sizes=(2, 3, 1, 1))
    assert_refused(path, deeper, "missing keys 'layers.2.weight', 'layers.2.bias'")


def test_unexpected_keys_are_listed(tmp_path):
    path = tmp_path / "deep.npz"
    save_checkpoint(path, make_model(sizes=(2, 3, 3, 1)))
    message = assert_refused(path, make_model(sizes=(2, 3, 1)),
                             "unexpected keys 'layers.2.weight', 'layers.2.bias'",
                             "shape mismatch for 'layers.1.weight': checkpoint (3, 3), "
                             "model (1, 3)")
    assert "missing" not in message


def test_wrong_dtype_is_refused(tmp_path):
    path = tmp_path / "f64.npz"
    save_checkpoint(path, make_model(dtype=tg.float64))
    assert_refused(path, make_model(dtype=tg.float32),
                   "dtype mismatch for 'layers.0.weight': checkpoint float64, model float32")


def test_metadata_that_is_not_a_json_object_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    model = make_model()
    np.savez(path, **model.state_dict(), __metadata__=np.array("[1, 2]"))
    assert_refused(path, make_model(seed=4), "metadata is a JSON list, not an object")
    np.savez(path, **model.state_dict(), __metadata__=np.array("{oops"))
    assert_refused(path, make_model(seed=4), "metadata is not valid JSON")
    np.savez(path, **model.state_dict(), __metadata__=np.array([1.0]))
    assert_refused(path, make_model(seed=4), "'__metadata__.npy' is not a 0-d unicode array")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "absent.npz", make_model())


# ---------------------------------------------------------------- tg.save / tg.load

def everything():
    shared = tg.tensor(np.arange(3, dtype=np.int32))
    return {
        "none": None, "true": True, "int": -7, "big": 2 ** 80, "float": 0.1, "nan": float("nan"),
        "-inf": -math.inf, "-0": -0.0, "str": "ünï \"q\"\n", "list": [1, [2.5, "x"]],
        "tuple": (1, (2, None)), 3: "int key", (1, "a"): "tuple key", 2.5: "float key",
        "ordered": OrderedDict([("b", 1), ("a", 2)]), "counter": Counter({4: 2, 7: 1}),
        "f16": tg.tensor(np.array([1.5, -2.0], dtype=np.float16)),
        "grad": tg.tensor(np.ones((2, 3)), requires_grad=True),
        "param": nn.Parameter(np.zeros((0, 4), dtype=np.float32)),
        "bool": tg.tensor(np.array([[True], [False]])), "scalar": tg.tensor(np.float64(3.5)),
        "u8": np.arange(5, dtype=np.uint8), "fortran": np.asfortranarray(np.arange(6.).reshape(2, 3)),
        "np32": np.float32(1.25), "npint": np.int16(-3), "shared": [shared, shared],
    }


def assert_same_structure(a, b, where="obj"):
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same_structure(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_structure(x, y, f"{where}[{i}]")
    elif isinstance(a, (tg.Tensor, np.ndarray, np.generic)):
        x, y = (a.numpy(), b.numpy()) if isinstance(a, tg.Tensor) else (np.asarray(a),
                                                                         np.asarray(b))
        assert x.dtype == y.dtype and x.shape == y.shape, where
        np.testing.assert_array_equal(x, y, err_msg=where)
        if isinstance(a, tg.Tensor):
            assert a.requires_grad == b.requires_grad, where
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b and repr(a) == repr(b), where


def test_save_and_load_round_trip_every_kind_exactly(tmp_path):
    obj = everything()
    tg.save(obj, tmp_path / "all.tg")
    back = tg.load(tmp_path / "all.tg")
    assert_same_structure(obj, back)
    assert back["shared"][0] is back["shared"][1]  # one object saved twice stays one object
    assert back["grad"].is_leaf


def test_save_and_load_through_file_objects():
    buffer = io.BytesIO()
    tg.save(everything(), buffer)
    buffer.seek(0)
    assert_same_structure(everything(), tg.load(buffer))

    class Stream(io.RawIOBase):  # readable, not seekable
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.inner.readinto(b)

    back = tg.load(io.BufferedReader(Stream(buffer.getvalue())))
    assert back["str"] == everything()["str"]


@pytest.mark.parametrize("obj, where, kind", [
    ({"a": {1, 2}}, r"obj\['a'\]", "set"),
    ([len], r"obj\[0\]", "builtin_function_or_method"),
    ({"a": np.array(["x"])}, r"obj\['a'\]", "dtype <U1"),
    ({"a": np.array([1j])}, r"obj\['a'\]", "dtype complex128"),
    ({frozenset(): 1}, "obj", "frozenset"),
])
def test_save_refuses_what_it_cannot_write_without_pickle(obj, where, kind, tmp_path):
    with pytest.raises(TypeError, match=f"save: {where}.*{kind}"):
        tg.save(obj, tmp_path / "x.tg")
    assert not list(tmp_path.iterdir())


def test_save_refuses_very_deep_nesting(tmp_path):
    deep = []
    for _ in range(serialization.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than"):
        tg.save(deep, tmp_path / "x.tg")


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "x.tg"
    tg.save({"v": 1}, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", boom)
    with pytest.raises(OSError, match="disk full"):
        tg.save({"t": tg.zeros(3)}, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["x.tg"]


def zip_with(members, compress=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compress) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def structure(root, **extra):
    import json
    return json.dumps({"format": serialization.FORMAT, "version": 1, "root": root, **extra})


def npy(a):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, a, allow_pickle=True)
    return buffer.getvalue()


GOOD_NPY = npy(np.arange(4.0))


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (pickle.dumps({"a": 1}), "pickle"),
    (GOOD_NPY, "single .npy array"),
    (b"plain text, not a checkpoint", "not a zip archive"),
    (zip_with({"a.txt": b"x"}), "without structure.json"),
    (zip_with({"archive/data.pkl": b"x"}), "torch.save file.*refusing to unpickle"),
    (zip_with({"structure.json": structure({"tensor": 0}), "arrays/0.npy": GOOD_NPY},
              zipfile.ZIP_DEFLATED), "compressed"),
    (zip_with({"structure.json": "{not json"}), "structure.json is damaged"),
    (zip_with({"structure.json": "[" * 100000 + "]" * 100000}), "structure.json is damaged"),
    (zip_with({"structure.json": structure(1, version=2)}), "format version 2"),
    (zip_with({"structure.json": '{"format": "other", "root": 1}'}), "does not describe"),
    (zip_with({"structure.json": structure({"tensor": 0})}), "'arrays/0.npy' is missing"),
    (zip_with({"structure.json": structure({"tensor": -1})}), "bad tensor entry"),
    (zip_with({"structure.json": structure({"code": "import os"})}), "unknown entry 'code'"),
    (zip_with({"structure.json": structure({"dict": [[{"list": []}, 1]]})}), "unhashable key"),
    (zip_with({"structure.json": structure({"ndarray": 0}),
               "arrays/0.npy": npy(np.array([None, 1], dtype=object))}), "not a number type"),
    (zip_with({"structure.json": structure({"ndarray": 0}),
               "arrays/0.npy": GOOD_NPY[:-8]}), "header declares shape"),
    (zip_with({"structure.json": structure({"ndarray": 0}),
               "arrays/0.npy": GOOD_NPY.replace(b"(4,)", b"(9,)")}), "header declares shape"),
    (zip_with({"structure.json": structure(1), "arrays/0.npy": GOOD_NPY}),
     "unexpected members"),
    (zip_with({"structure.json": structure({"tensor": 0}),
               "arrays/0.npy": npy(np.array([1j]))}), "not a number type"),
])
def test_load_refuses_bad_files_naming_them(content, message, tmp_path):
    path = tmp_path / "bad.tg"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as info:
        tg.load(path)
    assert str(path) in str(info.value)


def test_load_refuses_members_declaring_more_than_the_file_holds(tmp_path):
    data = bytearray(zip_with({"structure.json": structure({"ndarray": 0}),
                               "arrays/0.npy": GOOD_NPY}))
    entry = data.rindex(b"PK\x01\x02")  # the central directory entry of the array member
    data[entry + 20:entry + 28] = (10 ** 9).to_bytes(4, "little") * 2
    path = tmp_path / "forged.tg"
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="declare .* bytes, more than the .* the file"):
        tg.load(path)


def test_load_never_unpickles(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.tg"
    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(CheckpointError, match="pickle"):
        tg.load(path)
    inner = zip_with({"structure.json": structure({"ndarray": 0}),
                      "arrays/0.npy": npy(np.array([Payload()], dtype=object))})
    path.write_bytes(inner)
    with pytest.raises(CheckpointError):
        tg.load(path)
    assert not marker.exists()


def test_load_refuses_a_structure_over_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(serialization, "MAX_STRUCTURE_BYTES", 100)
    path = tmp_path / "big.tg"
    path.write_bytes(zip_with({"structure.json": structure("x" * 200)}))
    with pytest.raises(CheckpointError, match="declares .* bytes, more than the 100"):
        tg.load(path)
    with pytest.raises(ValueError, match="more than the 100"):
        tg.save("x" * 200, tmp_path / "other.tg")


def test_load_refuses_folders_fifos_and_missing_files(tmp_path):
    with pytest.raises(CheckpointError, match="it is a folder"):
        tg.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        tg.load(tmp_path / "missing.tg")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        with pytest.raises(CheckpointError, match="it is a FIFO"):
            tg.load(tmp_path / "fifo")


def test_save_refuses_to_replace_a_folder_or_symlink(tmp_path):
    (tmp_path / "dir.tg").mkdir()
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        tg.save(1, tmp_path / "dir.tg")
    (tmp_path / "link.tg").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="a symlink"):
        tg.save(1, tmp_path / "link.tg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tg.save(1, tmp_path / "no" / "x.tg")


def test_safetensors_round_trip_and_refusals(tmp_path):
    pytest.importorskip("safetensors")
    sd = OrderedDict([("w", tg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))),
                      ("b", np.array([1.0, 2.0])), ("n", tg.tensor(np.array([3], np.int64)))])
    tg.save(sd, tmp_path / "m.safetensors")
    back = tg.io.load_safetensors(tmp_path / "m.safetensors")
    assert sorted(back) == ["b", "n", "w"]
    for k, v in sd.items():
        assert isinstance(back[k], tg.Tensor) and back[k].dtype == np.asarray(v).dtype
        np.testing.assert_array_equal(back[k].numpy(), np.asarray(v))
    with pytest.raises(TypeError, match=r"'lr' is a float.*use tg.save"):
        tg.save({"lr": 0.1}, tmp_path / "o.safetensors")
    with pytest.raises(TypeError, match="key 3 is not a string"):
        tg.io.save_safetensors({3: tg.zeros(1)}, tmp_path / "o.safetensors")
    (tmp_path / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(CheckpointError, match="bad.safetensors: not a readable"):
        tg.load(tmp_path / "bad.safetensors")


def test_without_safetensors_the_error_says_how_to_install(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        tg.save({"w": tg.zeros(1)}, tmp_path / "m.safetensors")
