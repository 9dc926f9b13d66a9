"""Safe files: ``save`` / ``load`` with no pickle, ever.

A file is a `safetensors <https://github.com/huggingface/safetensors>`_ file: the
tensors, plus the object around them (dicts, lists, tuples, numbers, strings, None;
``OrderedDict`` for state dicts) as JSON in the header's ``__metadata__``, each tensor
referenced by its key.  Loading parses and checks the header before reading anything,
so a malicious or damaged file gives a ``RuntimeError`` naming the file and the problem,
and never runs code.  A safetensors file written elsewhere (``safetensors.torch.save_file``)
loads as a dict of tensors; a leafgrad file of plain named tensors loads in
``safetensors.torch.load_file``.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "w.pt")
>>> leafgrad.save({"w": leafgrad.ones(2), "step": 3, "betas": (0.9, 0.999)}, path)
>>> leafgrad.load(path)
{'w': tensor([1., 1.]), 'step': 3, 'betas': (0.9, 0.999)}
"""

from __future__ import annotations

import collections
import json
import math
import os
import secrets
from collections.abc import Callable
from typing import IO, Any

from . import dtypes as _dt
from .backend import np
from .tensor import Size, Tensor, device

__all__ = ["save", "load"]

FILE_LIKE = str | os.PathLike | IO[bytes]

_FORMAT = "leafgrad"
_VERSION = "1"
_META_KEY = "leafgrad.structure"
MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit

# safetensors dtype codes <-> leafgrad dtypes
_CODES = {"BOOL": _dt.bool_, "U8": _dt.uint8, "I8": _dt.int8, "I16": _dt.int16,
          "I32": _dt.int32, "I64": _dt.int64, "F16": _dt.float16, "F32": _dt.float32,
          "F64": _dt.float64}
_UNSUPPORTED_CODES = {"BF16": "bfloat16", "F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2",
                      "U16": "uint16", "U32": "uint32", "U64": "uint64", "C64": "complex64",
                      "C128": "complex128"}


def _safetensors_numpy():
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError("leafgrad.save/leafgrad.load need the 'safetensors' package: "
                          "pip install leafgrad[files]") from None
    return st


def _name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    return repr(getattr(f, "name", f"<{type(f).__name__}>"))


# ------------------------------------------------------------------ encoding
class _Encoder:
    """Turns an object into JSON-able data, collecting its tensors under unique keys."""

    def __init__(self) -> None:
        self.tensors: dict[str, Any] = {}
        self.open: set[int] = set()  # ids of the containers being encoded (cycle check)

    def key(self, path: str) -> str:
        key = path or "tensor"
        n = 1
        while key in self.tensors or key == "__metadata__":
            key = f"{path or 'tensor'}#{n}"
            n += 1
        return key

    def encode(self, obj: Any, path: str) -> Any:
        t = type(obj)
        if obj is None or t is bool or t is str:
            return obj
        if t is int:
            return obj
        if t is float:
            if math.isfinite(obj):
                return obj
            return {"$float": repr(obj)}
        if isinstance(obj, Tensor):
            return self.tensor(obj, path)
        if t is Size:
            return {"$size": list(obj)}
        if t is list or t is tuple or t is dict or t is collections.OrderedDict:
            if id(obj) in self.open:
                raise ValueError(f"leafgrad.save: the object contains itself (at "
                                 f"{path or 'the top level'}); circular references cannot "
                                 "be saved")
            self.open.add(id(obj))
            try:
                return self.container(obj, t, path)
            finally:
                self.open.discard(id(obj))
        if isinstance(obj, dict):  # other mappings (defaultdict ...) are stored as dicts
            return self.encode(dict(obj), path)
        if isinstance(obj, tuple):  # namedtuples are stored as tuples
            return self.encode(tuple(obj), path)
        if isinstance(obj, list):
            return self.encode(list(obj), path)
        if isinstance(obj, _dt.dtype):
            return {"$dtype": obj.name}
        if isinstance(obj, device):
            return {"$device": str(obj)}
        if isinstance(obj, (bool, int, float, str)):  # subclasses (IntEnum, np.float64 ...)
            return self.encode(_plain(obj), path)
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":  # NumPy scalars
            return self.encode(obj.item(), path)
        raise TypeError(f"leafgrad.save: cannot save an object of type {t.__name__} (at "
                        f"{path or 'the top level'}): only tensors, dicts, lists, tuples, "
                        "numbers, strings and None are stored (no pickle)")

    def container(self, obj: Any, t: type, path: str) -> Any:
        if t is list:
            return [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]
        if t is tuple:
            return {"$tuple": [self.encode(v, _join(path, i)) for i, v in enumerate(obj)]}
        items = [[self.encode_key(k), self.encode(v, _join(path, k))] for k, v in obj.items()]
        return {"$odict" if t is collections.OrderedDict else "$dict": items}

    def encode_key(self, k: Any) -> Any:
        if isinstance(k, Tensor):
            raise TypeError("leafgrad.save: a tensor cannot be a dict key")
        return self.encode(k, "")

    def tensor(self, t: Tensor, path: str) -> dict:
        key = self.key(path)
        a = t.detach()._data
        self.tensors[key] = a if a.flags.c_contiguous else a.copy(order="C")  # keeps 0-d
        out: dict[str, Any] = {"$tensor": key}
        if t.requires_grad:
            out["requires_grad"] = True
        from .nn.parameter import Parameter

        if isinstance(t, Parameter):
            out["parameter"] = True
        return out


def _plain(obj):
    """A bool/int/float/str subclass instance (e.g. IntEnum) as the plain builtin."""
    for b in (bool, int, float, str):
        if isinstance(obj, b):
            return b(obj)
    raise AssertionError  # unreachable: called for these types only


def _join(path: str, k: Any) -> str:
    return f"{path}.{k}" if path else str(k)


# ------------------------------------------------------------------ decoding
class _Decoder:
    def __init__(self, arrays: dict, where: str) -> None:
        self.arrays = arrays
        self.where = where

    def bad(self, problem: str) -> RuntimeError:
        return RuntimeError(f"leafgrad.load: {self.where} has invalid leafgrad metadata: "
                            f"{problem}")

    def decode(self, x: Any) -> Any:
        if x is None or type(x) in (bool, int, float, str):
            return x
        if type(x) is list:
            return [self.decode(v) for v in x]
        if type(x) is not dict or len(x) == 0:
            raise self.bad(f"unexpected value {_short(x)}")
        tag = next(iter(x))
        v = x[tag]
        if tag == "$tensor":
            return self.tensor(x)
        if len(x) != 1:
            raise self.bad(f"unexpected entry {_short(x)}")
        if tag == "$tuple" and type(v) is list:
            return tuple(self.decode(e) for e in v)
        if tag in ("$dict", "$odict") and type(v) is list:
            out = collections.OrderedDict() if tag == "$odict" else {}
            for item in v:
                if type(item) is not list or len(item) != 2:
                    raise self.bad(f"a dict item must be a [key, value] pair, not {_short(item)}")
                k = self.decode(item[0])
                try:
                    hash(k)
                except TypeError:
                    raise self.bad(f"unhashable dict key {_short(item[0])}") from None
                out[k] = self.decode(item[1])
            return out
        if tag == "$float" and v in ("nan", "inf", "-inf"):
            return float(v)
        if tag == "$size" and type(v) is list and all(type(e) is int for e in v):
            return Size(v)
        if tag == "$dtype" and type(v) is str and isinstance(getattr(_dt, v, None), _dt.dtype):
            return getattr(_dt, v)
        if tag == "$device" and type(v) is str:
            try:
                return device(v)
            except (RuntimeError, ValueError) as e:
                raise self.bad(str(e)) from None
        raise self.bad(f"unexpected entry {_short(x)}")

    def tensor(self, x: dict) -> Tensor:
        key = x["$tensor"]
        if type(key) is not str or key not in self.arrays or \
                not set(x) <= {"$tensor", "requires_grad", "parameter"}:
            raise self.bad(f"bad tensor reference {_short(x)}")
        t = Tensor._make(self.arrays[key])
        if x.get("parameter") is True:
            from .nn.parameter import Parameter

            return Parameter(t, requires_grad=bool(x.get("requires_grad", False)))
        if x.get("requires_grad") is True:
            t.requires_grad_(True)
        return t


def _short(x: Any) -> str:
    s = json.dumps(x)
    return s if len(s) <= 60 else s[:57] + "..."


# ------------------------------------------------------------------ the header
def _parse(buf: bytes, where: str) -> tuple[list, dict]:
    """Check a safetensors buffer's header: returns (tensor entries in file order, metadata)."""
    def bad(problem: str) -> RuntimeError:
        return RuntimeError(f"leafgrad.load: {where} is not a valid safetensors file: {problem}")

    n = int.from_bytes(buf[:8], "little") if len(buf) >= 8 else -1
    looks_safetensors = 0 < n <= MAX_HEADER_BYTES and len(buf) >= 8 + n and buf[8:9] == b"{"
    pickled = buf[:1] == b"\x80" and buf[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")
    if not looks_safetensors and (pickled or buf[:4] == b"PK\x03\x04"):
        kind = "a pickle" if pickled else "a zip archive (torch.save's format)"
        raise RuntimeError(
            f"leafgrad.load: {where} is {kind}, not a safetensors file; leafgrad never "
            "unpickles (that can run arbitrary code). Convert it in PyTorch with "
            "safetensors.torch.save_file(torch.load(path, weights_only=True), new_path)")
    if len(buf) < 8:
        raise bad(f"the file is {len(buf)} bytes long, too short to hold a header length")
    n = int.from_bytes(buf[:8], "little")
    if n > MAX_HEADER_BYTES:
        raise bad(f"the declared header length {n} exceeds the limit of {MAX_HEADER_BYTES} "
                  "bytes")
    if 8 + n > len(buf):
        raise bad(f"the declared header length {n} runs past the end of the file "
                  f"({len(buf)} bytes): the file is truncated or corrupt")
    try:
        header = json.loads(buf[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise bad(f"the header is not valid JSON ({e})") from None
    if type(header) is not dict:
        raise bad("the header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if type(meta) is not dict or not all(type(v) is str for v in meta.values()):
        raise bad("__metadata__ must map strings to strings")
    data_len = len(buf) - 8 - n
    entries = []
    for name, info in header.items():
        if type(info) is not dict or set(info) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"tensor {name!r} must have exactly dtype, shape and data_offsets")
        code, shape, offs = info["dtype"], info["shape"], info["data_offsets"]
        if code in _UNSUPPORTED_CODES:
            raise bad(f"tensor {name!r} has dtype {_UNSUPPORTED_CODES[code]}, which leafgrad "
                      "does not support")
        if code not in _CODES:
            raise bad(f"tensor {name!r} has an unknown dtype {code!r}")
        if type(shape) is not list or not all(type(s) is int and s >= 0 for s in shape):
            raise bad(f"tensor {name!r} has an invalid shape {_short(shape)}")
        if type(offs) is not list or len(offs) != 2 or \
                not all(type(o) is int and o >= 0 for o in offs) or offs[0] > offs[1]:
            raise bad(f"tensor {name!r} has invalid data_offsets {_short(offs)}")
        nbytes = math.prod(shape) * _CODES[code].itemsize
        if offs[1] - offs[0] != nbytes:
            raise bad(f"tensor {name!r} of shape {shape} and dtype {code} needs {nbytes} bytes "
                      f"but its data_offsets {offs} span {offs[1] - offs[0]}")
        if offs[1] > data_len:
            raise bad(f"tensor {name!r} ends at byte {offs[1]} of a data section of "
                      f"{data_len} bytes: the file is truncated or corrupt")
        entries.append((name, code, shape, offs))
    pos = 0
    for name, _, _, offs in sorted(entries, key=lambda e: (e[3][0], e[3][1])):
        if offs[0] != pos:
            raise bad(f"tensor {name!r} starts at byte {offs[0]}, expected {pos} (tensors must "
                      "fill the data section without gaps or overlaps)")
        pos = offs[1]
    if pos != data_len:
        raise bad(f"the data section holds {data_len} bytes but the tensors use {pos}")
    return entries, meta


# ------------------------------------------------------------------ public API
def save(obj: Any, f: FILE_LIKE, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (tensors inside dicts / lists / tuples / numbers / strings / None, e.g.
    a ``state_dict``) to ``f`` (a path or a binary file object) as a safetensors file with
    the structure in its metadata.  Writing a path is atomic: a temporary file in the same
    directory, fsync'ed, then renamed over the target.  The pickle arguments are accepted
    for PyTorch compatibility and ignored: nothing is pickled.

    >>> import io; buf = io.BytesIO(); leafgrad.save([leafgrad.tensor(1.5)], buf); _ = buf.seek(0)
    >>> leafgrad.load(buf)
    [tensor(1.5000)]
    """
    st = _safetensors_numpy()
    enc = _Encoder()
    structure = enc.encode(obj, "")
    meta = {"format": _FORMAT, "leafgrad.version": _VERSION,
            _META_KEY: json.dumps(structure, allow_nan=False, separators=(",", ":"))}
    data = st.save(enc.tensors, metadata=meta)
    if isinstance(f, (str, os.PathLike)):
        _atomic_write(os.fspath(f), data)
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"leafgrad.save: f must be a path or a binary file object, not "
                        f"{type(f).__name__}")


def _atomic_write(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or folder} does not "
                           "exist.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"leafgrad.save: {path!r} is a directory")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse an existing name; mode 0o666 & ~umask, as open() gives
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (best effort: not every platform allows it)
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def load(f: FILE_LIKE, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = True, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """Load what ``save`` wrote from ``f`` (a path or a binary file object).  A safetensors
    file with no leafgrad metadata loads as a dict of tensors.  Nothing in the file is ever
    executed; a damaged or hostile file raises a ``RuntimeError`` naming it and the problem.
    ``map_location`` (CPU only), ``weights_only`` and ``mmap`` are accepted for PyTorch
    compatibility.
    """
    _check_map_location(map_location)
    where = _name(f)
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "rb") as fh:
            buf = fh.read()
    elif hasattr(f, "read"):
        buf = f.read()
        if not isinstance(buf, (bytes, bytearray, memoryview)):
            raise TypeError(f"leafgrad.load: {where} must be opened in binary mode")
        buf = bytes(buf)
    else:
        raise TypeError(f"leafgrad.load: f must be a path or a binary file object, not "
                        f"{type(f).__name__}")
    entries, meta = _parse(buf, where)
    st = _safetensors_numpy()
    try:
        arrays = st.load(buf)
    except Exception as e:  # the checks above should leave nothing for safetensors to reject
        raise RuntimeError(f"leafgrad.load: {where} is not a valid safetensors file: {e}") \
            from None
    arrays = {k: (a if a.flags.writeable else a.copy()) for k, a in arrays.items()}
    if _META_KEY not in meta:
        return {name: Tensor._make(arrays[name]) for name, *_ in entries}
    try:
        structure = json.loads(meta[_META_KEY])
    except (ValueError, RecursionError) as e:
        raise RuntimeError(f"leafgrad.load: {where} has invalid leafgrad metadata: not JSON "
                           f"({e})") from None
    try:
        return _Decoder(arrays, where).decode(structure)
    except RecursionError:
        raise RuntimeError(f"leafgrad.load: {where} has invalid leafgrad metadata: nested too "
                           "deeply") from None


def _check_map_location(map_location: Any) -> None:
    if map_location is None or isinstance(map_location, (dict, Callable)):  # type: ignore[arg-type]
        return
    d = map_location if isinstance(map_location, device) else device(map_location)
    if d.type != "cpu":
        raise RuntimeError(f"leafgrad.load: map_location={map_location!r}: leafgrad has only "
                           "the 'cpu' device")

