"""leafgrad.save / leafgrad.load: round trips, atomic writes, hostile files, interop."""

from __future__ import annotations

import collections
import io
import json
import os
import pickle
import re
import struct
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad
from leafgrad.serialization import load, save

pytest.importorskip("safetensors", reason="leafgrad.save/load need safetensors")
import safetensors.numpy as stn  # noqa: E402


def same(a, b) -> None:
    """Equal structure, exact container/key types, tensor dtypes, shapes and values."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, leafgrad.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        assert [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def roundtrip(obj, tmp_path):
    path = tmp_path / "obj.pt"
    save(obj, path)
    out_path = load(path)
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    out_buf = load(buf)
    same(out_path, out_buf)
    return out_path


# ------------------------------------------------------------------ round trips
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    a = np.asarray(np.random.default_rng(draw(st.integers(0, 99))).random(shape) * 10)
    t = leafgrad.from_numpy(a.astype(dtype))
    kind = draw(st.sampled_from(["plain", "transposed", "strided", "grad"]))
    if kind == "transposed" and t.dim() >= 2:
        t = t.transpose(0, 1)
    elif kind == "strided" and t.dim() >= 1:
        t = t[::2]
    elif kind == "grad" and t.is_floating_point():
        t = t.clone().requires_grad_(True)
    return t


scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=True), st.text(max_size=8))
keys = st.one_of(st.integers(-5, 5), st.text(max_size=5), st.booleans(), st.none(),
                 st.tuples(st.integers(0, 3), st.text(max_size=2)))
structures = st.recursive(
    st.one_of(scalars, tensors()),
    lambda kids: st.one_of(
        st.lists(kids, max_size=3),
        st.lists(kids, max_size=3).map(tuple),
        st.dictionaries(keys, kids, max_size=3),
        st.dictionaries(st.text(max_size=4), kids, max_size=3).map(collections.OrderedDict),
    ),
    max_leaves=8,
)


@given(structures)
def test_roundtrip_property(tmp_path_factory, obj):
    same(roundtrip(obj, tmp_path_factory.mktemp("rt")), obj)


def test_roundtrip_edge_tensors(tmp_path):
    x = leafgrad.arange(12.0).reshape(3, 4)
    obj = {
        "scalar": leafgrad.tensor(2.5),
        "bool0d": leafgrad.tensor(True),
        "empty": leafgrad.zeros(0, 3, dtype=leafgrad.int64),
        "noncontig": x.t(),
        "strided": x[:, ::2],
        "view_a": x[0],
        "view_b": x[1:],  # shares storage with view_a: saved as separate copies
        "f16": leafgrad.tensor([1.5, -2.0], dtype=leafgrad.float16),
        "size": leafgrad.Size([2, 3]),
        "dtype": leafgrad.float64,
        "inf": [float("inf"), float("-inf")],
        "np": (np.float64(1.5), np.int64(3), np.bool_(True)),
    }
    out = roundtrip(obj, tmp_path)
    assert out["noncontig"].is_contiguous() and out["strided"].is_contiguous()
    expected = dict(obj)
    expected["np"] = (1.5, 3, True)
    same(out, expected)
    out["view_a"][0] = 100.0 if hasattr(leafgrad.Tensor, "__setitem__") else 0.0
    assert float(out["view_b"][0, 0]) == 4.0  # not aliased


@pytest.mark.torch
def test_optimizer_state_dict_structure(tmp_path, torch):
    """An optimizer state dict as PyTorch builds it (int keys, tuples, None) survives."""
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()

    def convert(o):
        if isinstance(o, torch.Tensor):
            return leafgrad.from_numpy(o.detach().numpy().copy())
        if isinstance(o, dict):
            return type(o)((k, convert(v)) for k, v in o.items())
        if isinstance(o, (list, tuple)):
            return type(o)(convert(v) for v in o)
        return o

    sd = convert(opt.state_dict())
    assert set(sd["state"]) == {0, 1} and isinstance(sd["param_groups"][0]["betas"], tuple)
    out = roundtrip(sd, tmp_path)
    same(out, sd)
    assert out["state"][0]["step"].shape == ()
    msd = convert(model.state_dict())
    assert type(msd) is collections.OrderedDict
    same(roundtrip(msd, tmp_path), msd)


def test_leafgrad_optimizer_and_module_state_dicts(tmp_path):
    import leafgrad.nn as nn
    import leafgrad.optim as optim

    if not hasattr(nn, "Module") or not hasattr(optim, "Adam"):
        pytest.skip("leafgrad.nn.Module / optim.Adam not available yet")

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(leafgrad.randn(3, 2))
            self.b = nn.Parameter(leafgrad.zeros(2))

        def forward(self, x):
            return x @ self.w + self.b

    net = Net()
    opt = optim.Adam(net.parameters(), lr=0.01)
    net(leafgrad.randn(5, 3)).sum().backward()
    opt.step()
    msd, osd = net.state_dict(), opt.state_dict()
    out = roundtrip({"model": msd, "optimizer": osd, "epoch": 3}, tmp_path)
    same(out["model"], msd)
    same(out["optimizer"], osd)
    net2 = Net()
    net2.load_state_dict(out["model"])
    np.testing.assert_array_equal(net2.w.detach().numpy(), net.w.detach().numpy())
    opt2 = optim.Adam(net2.parameters(), lr=0.01)
    opt2.load_state_dict(out["optimizer"])
    same(opt2.state_dict(), osd)


def test_parameter_roundtrip(tmp_path):
    from leafgrad.nn.parameter import Parameter

    p = Parameter(leafgrad.ones(2))
    out = roundtrip([p], tmp_path)[0]
    assert type(out) is Parameter and out.requires_grad


def test_unsupported_objects_raise(tmp_path):
    for bad in [object(), {1, 2}, b"bytes", [lambda: 0], {leafgrad.ones(1): 1}, 1 + 2j]:
        with pytest.raises(TypeError, match="leafgrad.save"):
            save(bad, io.BytesIO())
    assert not list(tmp_path.iterdir())


def test_load_accepts_torch_arguments(tmp_path):
    path = tmp_path / "x.pt"
    save({"a": leafgrad.ones(1)}, str(path))
    for kw in [{"map_location": "cpu"}, {"map_location": leafgrad.device("cpu")},
               {"weights_only": False}, {"weights_only": True, "mmap": False},
               {"map_location": {"cuda:0": "cpu"}}, {"map_location": lambda s, loc: s}]:
        assert float(load(path, **kw)["a"]) == 1.0
    with pytest.raises(RuntimeError, match="only the 'cpu' device"):
        load(path, map_location="meta")


def test_missing_safetensors_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=re.escape("pip install leafgrad[files]")):
        save({"a": leafgrad.ones(1)}, io.BytesIO())


# ------------------------------------------------------------------ atomic writes
@pytest.mark.parametrize("victim", ["fsync", "replace", "write"])
def test_failed_write_leaves_old_file(tmp_path, monkeypatch, victim):
    path = tmp_path / "ckpt.pt"
    save({"v": leafgrad.tensor([1.0, 2.0])}, path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk on fire")

    if victim == "write":
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                raise OSError("disk on fire")

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: Half(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(os, victim, boom)
    with pytest.raises(OSError, match="disk on fire"):
        save({"v": leafgrad.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    same(load(path), {"v": leafgrad.tensor([1.0, 2.0])})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt"]  # no temp file left


# ------------------------------------------------------------------ hostile files
class Trap:
    """Unpickling this would create the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def check_rejected(path, *needles):
    with pytest.raises(RuntimeError) as e:
        load(path)
    msg = str(e.value)
    assert repr(str(path)) in msg, msg
    for n in needles:
        assert n in msg, msg
    with open(path, "rb") as fh, pytest.raises(RuntimeError):
        load(fh)
    return msg


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
@pytest.mark.parametrize("suffix", [".pt", ".safetensors", ".pth"])
def test_pickle_payload_is_never_executed(tmp_path, protocol, suffix):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Trap(str(marker)), protocol=protocol)
    assert not marker.exists()
    path = tmp_path / f"evil{suffix}"
    path.write_bytes(payload)
    msg = check_rejected(path)
    if protocol >= 2:
        assert "pickle" in msg and "never unpickles" in msg
    assert not marker.exists()


@pytest.mark.torch
def test_torch_zip_checkpoint_is_rejected(tmp_path, torch):
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    check_rejected(path, "zip archive")


def valid_file(tmp_path, name="ok.safetensors"):
    path = tmp_path / name
    save({"a": leafgrad.arange(6.0).reshape(2, 3), "b": [leafgrad.tensor(1), 2]}, path)
    return path


def rewrite_header(path, edit):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    edit(header)
    new = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(new)) + new + raw[8 + n:])


@pytest.mark.parametrize("cut", [0, 4, 8, 20, -1, -8])
def test_truncated_file(tmp_path, cut):
    path = valid_file(tmp_path)
    raw = path.read_bytes()
    path.write_bytes(raw[:cut] if cut >= 0 else raw[:cut])
    check_rejected(path, "not a valid safetensors file")


@pytest.mark.parametrize("n,needle", [(2**63 + 5, "exceeds the limit"),
                                      (10**9, "exceeds the limit"),
                                      (5000, "runs past the end of the file")])
def test_lying_header_length(tmp_path, n, needle):
    path = valid_file(tmp_path)
    raw = path.read_bytes()
    path.write_bytes(struct.pack("<Q", n) + raw[8:])
    check_rejected(path, needle)


@pytest.mark.parametrize("edit,needle", [
    (lambda h: h["a"].update(data_offsets=[0, 10**6]), "data_offsets"),
    (lambda h: h["a"].update(data_offsets=[0, 24]), "starts at byte"),
    (lambda h: h["a"].update(shape=[3, 3]), "needs 36 bytes"),
    (lambda h: h["a"].update(shape=[-1, 3]), "invalid shape"),
    (lambda h: h["a"].update(dtype="F128"), "unknown dtype"),
    (lambda h: h["a"].update(dtype="BF16"), "bfloat16"),
    (lambda h: h["a"].update(data_offsets=[24, 0]), "invalid data_offsets"),
    (lambda h: h["a"].update(evil=1), "exactly dtype, shape and data_offsets"),
    (lambda h: h.update(__metadata__=[1]), "__metadata__"),
    (lambda h: h.update(extra={"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}),
     "starts at byte"),
])
def test_lying_header_fields(tmp_path, edit, needle):
    path = valid_file(tmp_path)
    rewrite_header(path, edit)
    check_rejected(path, needle)


def test_header_not_json(tmp_path):
    path = tmp_path / "x.pt"
    body = b"{this is not json}"
    path.write_bytes(struct.pack("<Q", len(body)) + body)
    check_rejected(path, "not valid JSON")
    body = b"[1, 2]"
    path.write_bytes(struct.pack("<Q", len(body)) + body)
    check_rejected(path, "not a JSON object")
    body = b"\xff\xfe{}"
    path.write_bytes(struct.pack("<Q", len(body)) + body)
    check_rejected(path, "not valid JSON")


@pytest.mark.parametrize("structure,needle", [
    ("{not json", "not JSON"),
    ('{"$tensor": "missing"}', "bad tensor reference"),
    ('{"$eval": "__import__(\'os\').system(\'touch pwned\')"}', "unexpected entry"),
    ('{"$dict": [[1]]}', "[key, value] pair"),
    ('{"$dict": [[[1], 2]]}', "unhashable dict key"),
    ('{"$float": "1e400"}', "unexpected entry"),
    ('{"$dtype": "Tensor"}', "unexpected entry"),
    ('{"$tuple": 5}', "unexpected entry"),
    ("[" * 100000 + "]" * 100000, "invalid leafgrad metadata"),
])
def test_invalid_structure_metadata(tmp_path, structure, needle):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(stn.save({"a": np.ones(2, np.float32)},
                              metadata={"leafgrad.structure": structure}))
    check_rejected(path, "invalid leafgrad metadata", needle)
    assert not (tmp_path / "pwned").exists()


# ------------------------------------------------------------------ interop with PyTorch
@pytest.mark.torch
def test_load_torch_safetensors_state_dict(tmp_path, torch):
    from safetensors.torch import save_file

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1),
                                torch.nn.BatchNorm1d(1))
    sd = dict(model.state_dict())
    sd.update({"mask": torch.tensor([True, False]), "half": torch.randn(2, 2).half(),
               "i8": torch.tensor([-3, 4], dtype=torch.int8), "u8": torch.arange(3).byte(),
               "scalar": torch.tensor(2.5, dtype=torch.float64), "empty": torch.zeros(0, 4)})
    path = tmp_path / "model.safetensors"
    save_file(sd, path)
    out = load(path)
    assert type(out) is dict and set(out) == set(sd)
    for k, v in sd.items():
        assert isinstance(out[k], leafgrad.Tensor)
        assert str(out[k].dtype).split(".")[-1] == str(v.dtype).split(".")[-1]
        assert tuple(out[k].shape) == tuple(v.shape)
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())
    assert out["3.num_batches_tracked"].shape == ()


@pytest.mark.torch
def test_torch_bfloat16_file_gives_clear_error(tmp_path, torch):
    from safetensors.torch import save_file

    path = tmp_path / "bf16.safetensors"
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, path)
    check_rejected(path, "bfloat16")


@pytest.mark.torch
def test_leafgrad_file_loads_in_safetensors_torch(tmp_path, torch):
    from safetensors.torch import load_file

    x = leafgrad.arange(6.0).reshape(2, 3)
    sd = collections.OrderedDict([
        ("fc.weight", x.t()), ("fc.bias", leafgrad.zeros(3, dtype=leafgrad.float64)),
        ("steps", leafgrad.tensor(7)), ("mask", leafgrad.tensor([True, False])),
        ("empty", leafgrad.zeros(0, 2))])
    path = tmp_path / "ours.safetensors"
    save(sd, path)
    theirs = load_file(path)
    assert set(theirs) == set(sd)
    for k, v in sd.items():
        assert str(theirs[k].dtype).split(".")[-1] == str(v.dtype).split(".")[-1]
        assert tuple(theirs[k].shape) == tuple(v.shape)
        np.testing.assert_array_equal(theirs[k].numpy(), v.numpy())


def test_containers_subclasses_stored_as_builtins(tmp_path):
    Pair = collections.namedtuple("Pair", "a b")
    dd = collections.defaultdict(list, {"x": [leafgrad.ones(1)]})
    out = roundtrip({"pair": Pair(1, 2.0), "dd": dd}, tmp_path)
    same(out, {"pair": (1, 2.0), "dd": {"x": [leafgrad.ones(1)]}})


def test_saved_file_has_ordinary_permissions(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    path = tmp_path / "ckpt.pt"
    save({"a": leafgrad.ones(1)}, path)
    assert (path.stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777)
    save({"a": leafgrad.zeros(1)}, path)  # overwriting works
    assert float(load(path)["a"]) == 0.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pt", "plain"]


@pytest.mark.torch
def test_save_to_missing_directory_matches_torch(tmp_path, torch):
    target = str(tmp_path / "missing" / "x.pt")
    with pytest.raises(RuntimeError) as theirs:
        torch.save(torch.ones(1), target)
    with pytest.raises(RuntimeError, match="^" + re.escape(str(theirs.value)) + "$"):
        save(leafgrad.ones(1), target)
    with pytest.raises(IsADirectoryError):
        save(leafgrad.ones(1), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_circular_structure_raises():
    a: list = [leafgrad.ones(1)]
    a.append(a)
    with pytest.raises(ValueError, match="contains itself"):
        save(a, io.BytesIO())
    shared = [1, 2]
    same(load(_saved({"x": shared, "y": shared})), {"x": [1, 2], "y": [1, 2]})  # not a cycle


def _saved(obj) -> io.BytesIO:
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return buf
