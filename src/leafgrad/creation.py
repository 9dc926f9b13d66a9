"""Tensor creation: dtype, device and requires_grad are resolved here, in one place.

Every factory follows PyTorch: ``tensor`` infers int64 / bool / the default float dtype
from Python data, ``zeros(2, 3)`` and ``zeros((2, 3))`` are the same call, ``full``
infers its dtype from the fill value, ``arange`` gives int64 for integer arguments, and
the errors (ragged lists, negative sizes, out-of-range values ...) are PyTorch's.

>>> leafgrad.tensor([[1, 2], [3, 4]]).dtype
leafgrad.int64
>>> leafgrad.full((2,), True)
tensor([True, True])
"""

from __future__ import annotations

import builtins
import math
import operator
import warnings

from . import dtypes as _dt
from .backend import np
from .ops.registry import Op, apply
from .random import Generator, rng
from .tensor import Size, Tensor, check_device

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "frombuffer", "zeros",
    "ones", "full",
    "empty", "arange", "range", "linspace", "logspace", "eye", "rand", "randn", "randint",
    "randperm", "normal", "bernoulli", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand_like", "randn_like", "randint_like", "scalar_tensor", "complex", "is_tensor",
    "is_floating_point", "is_nonzero", "numel", "FloatTensor", "DoubleTensor",
    "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
    "BoolTensor",
]

_bool, _int, _float = builtins.bool, builtins.int, builtins.float
_ndarray = np.ndarray
_SEQUENCES = (list, tuple, str, bytes, bytearray, builtins.range, np.ndarray)
_I64_MIN, _I64_MAX, _U64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
_FLOAT_NP = np.dtype(np.float64)
_PLAIN = frozenset((_float, _int, _bool))
_NO_COMPLEX = "leafgrad has no complex dtypes"
_NOT_FLOAT_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
type_name = _dt.type_name


# -- shared argument handling -------------------------------------------------------------
def _finish(data, requires_grad: bool, device=None) -> Tensor:
    """Wrap a fresh array as a leaf (checking ``device`` and ``requires_grad``)."""
    if device is not None:
        check_device(device)
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(_NOT_FLOAT_GRAD)
        t._rg = True
    return t


def _out(out: Tensor | None, result: Tensor, fn: str, factory: bool = True) -> Tensor:
    """Write a factory's result into ``out=`` (resized like PyTorch's out tensors)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{fn}(): argument 'out' must be Tensor, not {type_name(out)}")
    if out._rg:
        if fn in ("empty", "randn"):
            raise RuntimeError("cannot resize variables that require grad")
        where = f"aten::{fn}" if factory else fn  # PyTorch names factories by their op
        raise RuntimeError(f"{where}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if out._data.shape == result._data.shape:
        out._data[...] = result._data
    else:
        out._data = result._data.astype(out._data.dtype, copy=False)
    out._vc[0] += 1
    return out


def _dim_value(v, strict: bool):
    """``v`` as a dimension size if it is an integer (``strict``: not a bool), else None."""
    c = v.__class__
    if c is _int:
        return v
    if c is _bool:
        return None if strict else _int(v)
    if isinstance(v, np.integer):
        return _int(v)
    if isinstance(v, Tensor) and v._data.dtype.kind in "iu" and v._data.size == 1:
        return _int(v._data.reshape(()).item())
    return None


def _size_kw(kw: dict, fn: str):
    """The ``size=`` keyword among a factory's ``**kw``; any other is PyTorch's error."""
    size = kw.pop("size", None)
    if kw:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{next(iter(kw))}'")
    return size


def _size(args: tuple, size, fn: str, sequence_only: bool = False) -> tuple:
    """A size given as varargs, one tuple/list/Size, or ``size=``, with PyTorch's errors.

    ``sequence_only``: the size is one positional argument that must be a sequence
    (``full``, ``randint``).
    """
    if size is not None:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not "
                            f"{type_name(size)}")
        return _checked_sizes(_int_sequence(size, fn, 1), fn)
    if not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    first = args[0]
    if len(args) == 1:
        if first.__class__ is tuple or isinstance(first, (tuple, list)):
            return _checked_sizes(_int_sequence(first, fn, 1), fn)
        v = None if sequence_only else _dim_value(first, True)
        if v is None:
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{type_name(first)}")
        return _checked_sizes((v,), fn)
    if _dim_value(first, True) is None or sequence_only:
        raise TypeError(f"{fn}() takes 1 positional argument but {len(args)} were given")
    return _checked_sizes(_int_sequence(args, fn, 1), fn)


def _int_sequence(seq, fn: str, pos: int) -> tuple:
    out = []
    for i, v in enumerate(seq):
        d = _dim_value(v, i == 0)
        if d is None:
            if i == 0:
                raise TypeError(f"{fn}(): argument 'size' (position {pos}) must be tuple of "
                                f"ints, but found element of type {type_name(v)} at pos 0")
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type_name(v)}\"")
        if not _I64_MIN <= d <= _I64_MAX:
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos "
                            f"{i + 1} with error \"Overflow when unpacking long long\"")
        out.append(d)
    return tuple(out)


def _checked_sizes(shape: tuple, fn: str) -> tuple:
    n = 1
    for s in shape:
        n *= max(s, 0)
        if s < 0:
            if fn == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(str(v) for v in shape)}]")
    if n > _I64_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes="
                           f"[{', '.join(str(v) for v in shape)}]")
    return shape


def _parse_dtype(dtype, fn: str) -> _dt.dtype | None:
    if dtype is None or dtype.__class__ is _dt.dtype:
        return dtype
    return _dt.parse_dtype(dtype, fn)


def _float_dtype(dtype, fn: str) -> _dt.dtype:
    d = _parse_dtype(dtype, fn)
    return _dt.get_default_dtype() if d is None else d


def _number(v, fn: str, arg: str, pos: int | None):
    """A ``Number`` argument as a Python bool/int/float (NumPy scalars, 0-d tensors too)."""
    c = v.__class__
    if c is _float or c is _int or c is _bool:
        return v
    if isinstance(v, np.integer):
        return _int(v)
    if isinstance(v, (np.floating, np.bool_)):
        return _float(v)  # PyTorch reads NumPy floats and bools (no __index__) as floats
    if isinstance(v, Tensor) and v._data.ndim == 0:
        return v._data.item()
    if isinstance(v, (builtins.complex, np.complexfloating)):
        raise TypeError(_NO_COMPLEX)
    where = f" (position {pos})" if pos is not None else ""
    raise TypeError(f"{fn}(): argument '{arg}'{where} must be Number, not {type_name(v)}")


def _int_arg(v, fn: str, arg: str, pos: int):
    d = _dim_value(v, True)
    if d is None:
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be int, not "
                        f"{type_name(v)}")
    if not _I64_MIN <= d <= _I64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return d


# PyTorch's checked conversion of a Scalar to a dtype ("value cannot be converted to type
# uint8_t without overflow"): integers wrap within +-range for unsigned targets.
_C_INT = {"int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
          "uint8": "uint8_t"}


def _scalar_array(value, d: _dt.dtype, names: dict = _C_INT):
    """``value`` (a Python number) as a 0-d array of ``d``, with PyTorch's overflow checks."""
    if value.__class__ is _int:
        if value < _I64_MIN:
            raise OverflowError("can't convert negative int to unsigned")
        if value > _U64_MAX:
            raise OverflowError("int too big to convert")
    if d.category == _dt.INT:
        info = np.iinfo(d.np)
        if value.__class__ is _float:
            bad = not info.min <= value <= info.max  # NaN fails too
            v = 0 if bad else _int(value)
        else:
            v = _int(value)
            bad = v > info.max or (v < info.min and (info.min < 0 or -v > info.max))
        if bad:
            raise RuntimeError(f"value cannot be converted to type {names[d.name]} without "
                               "overflow")
        return np.array(v & _U64_MAX, np.uint64).astype(d.np) if v < 0 else np.array(v, d.np)
    if d is _dt.bool_:
        return np.array(value != 0, np.bool_)
    if value.__class__ is _int and value > _I64_MAX:
        value = _float(value)
    if d is not _dt.float64 and math.isfinite(value) and abs(value) > np.finfo(d.np).max:
        # a finite number beyond the dtype's range (infinities and NaN convert)
        raise RuntimeError(f"value cannot be converted to type {d.c_name} without overflow")
    return np.array(value, _FLOAT_NP).astype(d.np)


# -- tensor(): PyTorch's inference, sizing and storing of Python data --------------------
def _is_sequence(x) -> bool:
    """PySequence_Check: lists, tuples, strings, arrays, ranges ... (not tensors or dicts)."""
    if isinstance(x, _SEQUENCES):
        return True
    if isinstance(x, (Tensor, dict, np.generic)):
        return False
    t = type(x)
    return hasattr(t, "__getitem__") and hasattr(t, "__len__")


def _compute_sizes(data) -> list:
    # The shape comes from the first element at each depth; later ones are checked on store.
    sizes: list = []
    seq = data
    while _is_sequence(seq):
        n = len(seq)
        sizes.append(n)
        if len(sizes) > 64:
            raise ValueError(f"too many dimensions '{type(seq).__name__}'")
        if n == 0:
            break
        seq = seq[0]
    return sizes


def _infer_dtype(obj) -> _dt.dtype:
    """The dtype PyTorch infers for ``obj``: promoted over every element."""
    c = obj.__class__
    if c is _float:
        return _dt.get_default_dtype()
    if c is _int:
        return _dt.int64
    if c is _bool:
        return _dt.bool_
    if c is list or c is tuple:
        if not obj:
            return _dt.get_default_dtype()
        kinds = set(map(type, obj))
        if kinds <= _PLAIN:  # a row of Python numbers: one promotion
            return (_dt.get_default_dtype() if _float in kinds else
                    _dt.int64 if _int in kinds else _dt.bool_)
        r = None
        for item in obj:
            t = _infer_dtype(item)
            r = t if r is None else _dt._PROMOTE[r, t]
        return r
    if isinstance(obj, Tensor):
        return _dt.FROM_NP[obj._data.dtype]
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(obj).__name__}'")
    if isinstance(obj, _ndarray):
        return _dt.from_numpy_dtype(obj.dtype)
    if isinstance(obj, np.generic):
        if isinstance(obj, np.complexfloating):
            raise TypeError(_NO_COMPLEX)
        return _dt.from_numpy_dtype(obj.dtype)
    if isinstance(obj, _bool):
        return _dt.bool_
    if isinstance(obj, _int):
        return _dt.int64
    if isinstance(obj, _float):
        return _dt.get_default_dtype()
    if isinstance(obj, builtins.complex):
        raise TypeError(_NO_COMPLEX)
    if _is_sequence(obj):
        if len(obj) == 0:
            return _dt.get_default_dtype()
        r = None
        for item in obj:
            t = _infer_dtype(item)
            r = t if r is None else _dt._PROMOTE[r, t]
        return r
    raise RuntimeError(f"Could not infer dtype of {type(obj).__name__}")


_SHORT = {"int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64",
          "uint8": "uint8"}


def _store_value(obj, d: _dt.dtype):
    """One element converted as PyTorch stores a Python object into a tensor of ``d``."""
    if d.category == _dt.FLOAT:
        t = type(obj)
        if hasattr(t, "__float__"):
            return _float(obj)
        if hasattr(t, "__index__"):
            return _float(operator.index(obj))
        raise TypeError(f"must be real number, not {t.__name__}")
    if d is _dt.bool_:
        if isinstance(obj, (_float, np.bool_)):  # NumPy bools have no __index__
            return _bool(obj != 0)
        return operator.index(obj) != 0
    if isinstance(obj, _float):  # Python floats (np.float64 too) convert with a range check
        return _scalar_array(_float(obj), d, _SHORT)[()]
    v = operator.index(obj)
    if not _I64_MIN <= v <= _I64_MAX:
        raise ValueError("Overflow when unpacking long long")
    return _scalar_array(v, d, _SHORT)[()]


def _store(out, obj, dim: int, sizes: list, d: _dt.dtype) -> None:
    """Fill ``out`` (the sub-array at ``dim``) from ``obj``, checking lengths as PyTorch."""
    if isinstance(obj, (list, tuple)):
        seq = obj
    elif _is_sequence(obj) or isinstance(obj, Tensor):
        seq = list(obj)
    else:
        raise TypeError("not a sequence")
    n = sizes[dim]
    if len(seq) != n:
        raise ValueError(f"expected sequence of length {n} at dim {dim} (got {len(seq)})")
    if dim == len(sizes) - 1:
        for i, item in enumerate(seq):
            out[i] = _store_value(item, d)
    else:
        for i, item in enumerate(seq):
            _store(out[i], item, dim + 1, sizes, d)


def _fast_array(data, sizes: list, d: _dt.dtype | None):
    """NumPy's conversion when ``data`` is a regular nesting of Python numbers (else None)."""
    try:
        obj = np.array(data, dtype=object)
    except Exception:  # noqa: BLE001 - anything unusual takes the exact (slow) path
        return None
    if list(obj.shape) != sizes:
        return None
    kinds = set(map(type, obj.ravel().tolist()))
    if not kinds <= _PLAIN:
        return None
    if d is None:
        d = (_dt.get_default_dtype() if _float in kinds else
             _dt.int64 if _int in kinds else _dt.bool_)
    if d.category == _dt.FLOAT or d is _dt.bool_:
        return obj.astype(_FLOAT_NP if d.category == _dt.FLOAT else np.bool_).astype(
            d.np, copy=False)
    if _float in kinds:
        if kinds != {_float}:
            return None  # floats and big ints together: element by element
        vals = obj.astype(_FLOAT_NP)
        info = np.iinfo(d.np)
        if not ((vals >= info.min) & (vals <= info.max)).all():  # NaN fails too
            raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
        return vals.astype(d.np)
    try:
        vals = obj.astype(np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if d is not _dt.int64:
        info = np.iinfo(d.np)
        lo = info.min if info.min < 0 else -info.max  # unsigned targets wrap negatives
        if not ((vals >= lo) & (vals <= info.max)).all():
            raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
    return vals.astype(d.np)


def _numpy_source(arr):
    """Check a NumPy array PyTorch could wrap; its leafgrad dtype."""
    d = _dt.from_numpy_dtype(arr.dtype)
    if not arr.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    if any(s < 0 for s in arr.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with "
            "negative strides are not currently supported. (You can probably work around "
            "this by making a copy of your array  with array.copy().) "
        )
    if any(s % arr.itemsize for s in arr.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")
    return d


def _data_array(data, dtype: _dt.dtype | None):
    """A new array holding ``data`` (anything but a Tensor), inferred as PyTorch does."""
    c = data.__class__
    if c is _float:
        d = dtype or _dt.get_default_dtype()
        return np.array(data, d.np) if d.category == _dt.FLOAT else _scalar_array_data(data, d)
    if c is _int or c is _bool:
        d = dtype or (_dt.int64 if c is _int else _dt.bool_)
        return _scalar_array_data(data, d)
    if isinstance(data, _ndarray):
        src = _numpy_source(data)
        return data.astype((dtype or src).np, copy=True)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    sizes = _compute_sizes(data)
    d = dtype or _infer_dtype(data)
    if sizes and (c is list or c is tuple):
        arr = _fast_array(data, sizes, d if dtype is not None else None)
        if arr is not None and arr.dtype == d.np:
            return arr
    arr = np.empty(sizes, d.np)
    if arr.size:
        if sizes:
            _store(arr, data, 0, sizes, d)
        else:
            arr[()] = _store_value(data, d)
    return arr


def _scalar_array_data(value, d: _dt.dtype):
    if value.__class__ is _int and not _I64_MIN <= value <= _I64_MAX \
            and d.category != _dt.FLOAT:
        raise ValueError("Overflow when unpacking long long")
    if d.category == _dt.FLOAT:
        return np.array(_float(value), _FLOAT_NP).astype(d.np)
    if d is _dt.bool_:
        return np.array(value != 0, np.bool_)
    return _scalar_array(value, d, _SHORT)


def tensor(data, *, dtype: _dt.dtype | None = None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor that copies ``data`` (a number, nested lists, an array or a tensor).

    Python floats give the default dtype (float32), ints int64 and bools bool; NumPy
    arrays and scalars and tensors keep their dtype, and a list mixing them promotes.

    >>> leafgrad.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> leafgrad.tensor([1, 2.5]).dtype
    leafgrad.float32
    """
    d = _parse_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than leafgrad.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        arr = data._data.astype(d.np if d is not None else data._data.dtype, copy=True)
    else:
        arr = _data_array(data, d)
    return _finish(arr, requires_grad, device)


def _legacy(cls_dtype: _dt.dtype | None, args: tuple, kwargs: dict, fn: str = "new") -> Tensor:
    """``Tensor(...)`` / ``FloatTensor(...)``: sizes, data, or another tensor."""
    d = cls_dtype or _dt.get_default_dtype()
    device = kwargs.pop("device", None)
    if kwargs:
        got = ", ".join([type_name(a) for a in args] + [f"{k}={type_name(v)}"
                                                         for k, v in kwargs.items()])
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n * (*, leafgrad.device device = None)\n * (leafgrad.Storage storage)\n"
            " * (Tensor other)\n * (tuple of ints size, *, leafgrad.device device = None)\n"
            " * (object data, *, leafgrad.device device = None)\n"
        )
    if device is not None:
        check_device(device)
    if not args:
        return Tensor._make(np.empty((0,), d.np))
    first = args[0]
    if len(args) == 1:
        if isinstance(first, Tensor):
            if cls_dtype is not None and first._data.dtype != d.np:
                raise TypeError(f"expected {d} (got {first.dtype})")
            t = Tensor._make(first._data)  # an alias, as PyTorch's Tensor(other)
            t._vc = first._vc
            return t
        if isinstance(first, Size) or _dim_value(first, True) is not None:
            shape = tuple(first) if isinstance(first, Size) else (_dim_value(first, True),)
            return Tensor._make(np.empty(_checked_sizes(_int_sequence(shape, fn, 1), fn),
                                         d.np))
        if isinstance(first, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(first).__name__}'")
        if not _is_sequence(first):
            raise TypeError(f"new(): data must be a sequence (got {type_name(first)})")
        return Tensor._make(_data_array(first, d))
    if _dim_value(first, True) is None:
        got = ", ".join(type_name(a) for a in args)
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n * (*, leafgrad.device device = None)\n * (leafgrad.Storage storage)\n"
            " * (Tensor other)\n * (tuple of ints size, *, leafgrad.device device = None)\n"
            " * (object data, *, leafgrad.device device = None)\n"
        )
    return Tensor._make(np.empty(_checked_sizes(_int_sequence(args, fn, 1), fn), d.np))


def _legacy_tensor(cls, *args, **kwargs) -> Tensor:
    """``leafgrad.Tensor(data)`` / ``Tensor(*sizes)``: the legacy constructor."""
    return _legacy(None, args, kwargs)


class _LegacyType(type):
    """``leafgrad.FloatTensor`` ...: constructors of one dtype; ``isinstance`` checks it."""

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __call__(cls, *args, **kwargs) -> Tensor:
        return _legacy(cls.dtype, args, kwargs)

    def __repr__(cls) -> str:
        return f"<class 'leafgrad.{cls.__name__}'>"


def _legacy_class(d: _dt.dtype):
    return _LegacyType(d.legacy_name, (), {"dtype": d, "__module__": "leafgrad",
                                           "__doc__": f"Legacy constructor of {d} tensors."})


FloatTensor = _legacy_class(_dt.float32)
DoubleTensor = _legacy_class(_dt.float64)
HalfTensor = _legacy_class(_dt.float16)
LongTensor = _legacy_class(_dt.int64)
IntTensor = _legacy_class(_dt.int32)
ShortTensor = _legacy_class(_dt.int16)
CharTensor = _legacy_class(_dt.int8)
ByteTensor = _legacy_class(_dt.uint8)
BoolTensor = _legacy_class(_dt.bool_)
LEGACY_TYPES = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, LongTensor,
                                         IntTensor, ShortTensor, CharTensor, ByteTensor,
                                         BoolTensor)}


def as_tensor(data, dtype: _dt.dtype | None = None, device=None) -> Tensor:
    """A tensor sharing memory with ``data`` where it can (an array or tensor of that dtype).

    >>> import numpy as np
    >>> a = np.zeros(2); t = leafgrad.as_tensor(a); t[0] = 5.; float(a[0])
    5.0
    """
    d = _parse_dtype(dtype, "as_tensor")
    if device is not None:
        check_device(device)
    if isinstance(data, Tensor):
        return data if d is None or data._data.dtype == d.np else data.to(d)
    if isinstance(data, _ndarray):
        src = _numpy_source(data)
        if d is None or d is src:
            return from_numpy(data)
        return Tensor._make(data.astype(d.np))
    return Tensor._make(_data_array(data, d))


def asarray(obj, *, dtype: _dt.dtype | None = None, device=None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``obj`` as a tensor, sharing memory unless a copy is needed or ``copy=True``.

    ``copy=False`` raises where sharing is impossible (a dtype change, a Python list).
    """
    d = _parse_dtype(dtype, "asarray")
    if device is not None:
        check_device(device)
    if isinstance(obj, Tensor):
        rg = requires_grad
        if rg is None:
            if obj._rg:
                warnings.warn(
                    "leafgrad.asarray: unspecified requires_grad now defaults to "
                    "obj.requires_grad instead of False. Pass requires_grad=False explicitly "
                    "to get the old behavior and silence this warning.", UserWarning,
                    stacklevel=2)
            rg = obj._rg
        wrong = d is not None and obj._data.dtype != d.np
        if copy or (wrong and copy is None):
            t = obj.to(d, copy=True) if wrong else obj.clone()
        elif wrong:
            raise ValueError(f"can't alias tensor with dtype '{obj.dtype.scalar_name}' into "
                             f"dtype '{d.scalar_name}'.")
        else:
            t = obj
        if not rg and t._rg:
            return t.detach()
        if rg and not t._rg:
            t.requires_grad_()
        return t
    if isinstance(obj, _ndarray) or hasattr(obj, "__dlpack__"):
        arr = obj if isinstance(obj, _ndarray) else np.from_dlpack(obj)
        src = _numpy_source(arr)
        if d is not None and d is not src:
            if copy is False:
                raise ValueError(f"can't alias tensor with dtype '{src.scalar_name}' into "
                                 f"dtype '{d.scalar_name}'.")
            arr = arr.astype(d.np)
        elif copy:
            arr = arr.copy()
        t = from_numpy(arr) if arr is obj else Tensor._make(arr)
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        t = Tensor._make(_data_array(obj, d))
    if requires_grad:
        t.requires_grad_()
    return t


_NOT_WRITABLE = (
    "The given NumPy array is not writable, and leafgrad does not support non-writable "
    "tensors. This means writing to this tensor will result in undefined behavior. You may "
    "want to copy the array to protect its data or make it writable before converting it to "
    "a tensor. This type of warning will be suppressed for the rest of this program."
)
_warned_readonly = [False]


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (writes are seen by both).

    >>> import numpy as np
    >>> a = np.arange(3); t = leafgrad.from_numpy(a); a[0] = 7; t
    tensor([7, 1, 2])
    """
    if not isinstance(ndarray, _ndarray):
        raise TypeError(f"expected np.ndarray (got {type_name(ndarray)})")
    _numpy_source(ndarray)
    if not ndarray.flags.writeable and not _warned_readonly[0]:
        _warned_readonly[0] = True
        warnings.warn(_NOT_WRITABLE, UserWarning, stacklevel=2)
    return Tensor._make(ndarray)


_NO_DTYPE = object()


def frombuffer(buffer, *, dtype=_NO_DTYPE, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor sharing memory with an object that implements the buffer protocol
    (``bytearray``, ``array.array``, ``memoryview`` ...): ``count`` elements of ``dtype``
    from byte ``offset`` on (all that remain when ``count`` is -1).

    >>> leafgrad.frombuffer(bytearray(b"\x01\x02"), dtype=leafgrad.uint8)
    tensor([1, 2], dtype=leafgrad.uint8)
    """
    if dtype is _NO_DTYPE:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    d = _parse_dtype(dtype, "frombuffer") or _dt.get_default_dtype()
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    length = view.nbytes
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    size = d.itemsize
    if count < 0:
        if (length - offset) % size:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({size})")
        count = (length - offset) // size
    elif offset + count * size > length:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    data = np.frombuffer(view.cast("B") if view.ndim != 1 or view.format != "B" else view,
                         dtype=d.np, count=count, offset=offset)
    if not data.flags.writeable and not _warned_readonly[0]:
        _warned_readonly[0] = True
        warnings.warn(
            "The given buffer is not writable, and leafgrad does not support non-writable "
            "tensors. This means you can write to the underlying (supposedly non-writable) "
            "buffer using the tensor. You may want to copy the buffer to protect its data or "
            "make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.", UserWarning, stacklevel=2)
    return _finish(data, requires_grad)


class _Capsule:
    """A bare DLPack capsule (``to_dlpack``'s legacy output) presented as an exporter."""

    def __init__(self, capsule) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)


def from_dlpack(ext_tensor) -> Tensor:
    """A tensor sharing memory with an object that implements ``__dlpack__`` (a PyTorch
    tensor, a NumPy array ...) or with a DLPack capsule."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if not hasattr(ext_tensor, "__dlpack__"):
        ext_tensor = _Capsule(ext_tensor)
    arr = np.from_dlpack(ext_tensor)
    _numpy_source(arr)
    return Tensor._make(arr)


# -- filled tensors ----------------------------------------------------------------------
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw) -> Tensor:
    """A tensor of zeros (default dtype unless ``dtype``); ``zeros(2, 3) == zeros((2, 3))``.

    >>> leafgrad.zeros(2, 3).shape
    leafgrad.Size([2, 3])
    """
    shape = _size(size, _size_kw(kw, "zeros"), "zeros") if kw or len(size) != 1 or \
        size[0].__class__ is not int else _checked_sizes(size, "zeros")
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "zeros")
    return _out(out, _finish(np.zeros(shape, d.np), requires_grad, device), "zeros")


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw) -> Tensor:
    """A tensor of ones (default dtype unless ``dtype``)."""
    shape = _size(size, _size_kw(kw, "ones"), "ones")
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "ones")
    return _out(out, _finish(np.ones(shape, d.np), requires_grad, device), "ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kw) -> Tensor:
    """An uninitialised tensor of the given size."""
    shape = _size(size, _size_kw(kw, "empty"), "empty")
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "empty")
    return _out(out, _finish(np.empty(shape, d.np), requires_grad, device), "empty")


def _fill_dtype(value) -> _dt.dtype:
    c = value.__class__
    return _dt.bool_ if c is _bool else _dt.int64 if c is _int else _dt.get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value.

    >>> leafgrad.full((2,), 1).dtype, leafgrad.full((2,), 1.).dtype
    (leafgrad.int64, leafgrad.float32)
    """
    shape = _size((size,), None, "full", sequence_only=True)
    value = _number(fill_value, "full", "fill_value", 2)
    d = _parse_dtype(dtype, "full") or (out.dtype if out is not None else _fill_dtype(value))
    return _out(out, _finish(np.full(shape, _scalar_array(value, d), d.np), requires_grad,
                             device), "full")


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """A 0-d tensor holding the number ``s`` (the default dtype unless ``dtype``)."""
    value = _number(s, "scalar_tensor", "s", 1)
    d = _float_dtype(dtype, "scalar_tensor")
    if d is _dt.float16:  # PyTorch converts to half unchecked here (overflow gives inf)
        _scalar_array(value, _dt.float64)  # (but Python ints beyond 64 bits are refused)
        return _finish(np.array(_float(value), _FLOAT_NP).astype(np.float16), requires_grad,
                       device)
    return _finish(_scalar_array(value, d), requires_grad, device)


def _like(input, fn: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type_name(input)}")
    return input


def _like_order(a, memory_format=None) -> str:
    """PyTorch's preserve_format: a dense input's memory order is kept ('K'), any other
    input (gaps, broadcast dims) gives a contiguous result, as does contiguous_format."""
    if a.flags.c_contiguous or (memory_format is not None and
                                memory_format is not _dt.preserve_format):
        return "C"
    expected = a.itemsize
    for st, sh in sorted((st, sh) for st, sh in zip(a.strides, a.shape) if sh != 1):
        if st != expected:
            return "C"
        expected *= sh
    return "K"


def _laid_out_like(a, values, memory_format=None):
    """``values`` (C order) in the memory layout ``*_like`` gives for input ``a``."""
    if _like_order(a, memory_format) == "C":
        return values
    out = np.empty_like(a, values.dtype, order="K")
    out[...] = values
    return out


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, pin_memory=False) -> Tensor:
    """Zeros with the shape (and, unless ``dtype``, the dtype) of ``input``."""
    a = _like(input, "zeros_like")._data
    d = _parse_dtype(dtype, "zeros_like")
    order = _like_order(a, memory_format)
    return _finish(np.zeros_like(a, a.dtype if d is None else d.np, order=order), requires_grad,
                   device)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, pin_memory=False) -> Tensor:
    """Ones with the shape (and, unless ``dtype``, the dtype) of ``input``."""
    a = _like(input, "ones_like")._data
    d = _parse_dtype(dtype, "ones_like")
    order = _like_order(a, memory_format)
    return _finish(np.ones_like(a, a.dtype if d is None else d.np, order=order), requires_grad,
                   device)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, pin_memory=False) -> Tensor:
    """An uninitialised tensor with the shape (and dtype) of ``input``."""
    a = _like(input, "empty_like")._data
    d = _parse_dtype(dtype, "empty_like")
    order = _like_order(a, memory_format)
    return _finish(np.empty_like(a, a.dtype if d is None else d.np, order=order), requires_grad,
                   device)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None, pin_memory=False) -> Tensor:
    """``fill_value`` in the shape and dtype of ``input`` (converted: 2.7 -> 2 for ints)."""
    a = _like(input, "full_like")._data
    value = _number(fill_value, "full_like", "fill_value", 2)
    d = _parse_dtype(dtype, "full_like") or _dt.FROM_NP[a.dtype]
    order = _like_order(a, memory_format)
    return _finish(np.full_like(a, _scalar_array(value, d), d.np, order=order), requires_grad,
                   device)


_EYE_SIGS = tuple(
    f"{head}, *, Tensor out = None, leafgrad.dtype dtype = None, leafgrad.layout layout = None, "
    "leafgrad.device device = None, bool pin_memory = False, bool requires_grad = False"
    for head in ("int n", "int n, int m"))


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False, pin_memory=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal (``n`` x ``m``, square by default).

    >>> leafgrad.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    kw = _passed(out=out, dtype=dtype, layout=layout, device=device,
                 requires_grad=requires_grad, pin_memory=pin_memory)
    given = (n,) if m is None else (n, m)
    if len(given) + len(kw) == 1:  # only eye(n) fits: its own argument error
        n = _int_arg(n, "eye", "n", 1)
    else:  # both signatures fit the argument count: PyTorch lists them
        nv, mv = _dim_value(n, True), None if m is None else _dim_value(m, True)
        if nv is None or (m is not None and mv is None):
            raise _invalid("eye", given, _EYE_SIGS, kw)
        if nv is not None and not _I64_MIN <= nv <= _I64_MAX:
            raise ValueError("Overflow when unpacking long long")
        n, m = nv, mv
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "eye")
    return _out(out, _finish(np.eye(n, m, dtype=d.np), requires_grad, device), "eye")


# -- ranges -------------------------------------------------------------------------------
_ARANGE_SIGS = (
    "Number end, *, Tensor out = None, leafgrad.dtype dtype = None, leafgrad.layout layout = "
    "None, leafgrad.device device = None, bool pin_memory = False, bool requires_grad = False",
    "Number start, Number end, *, leafgrad.dtype dtype = None, leafgrad.layout layout = None, "
    "leafgrad.device device = None, bool pin_memory = False, bool requires_grad = False",
    "Number start, Number end, Number step = 1, *, Tensor out = None, leafgrad.dtype dtype = "
    "None, leafgrad.layout layout = None, leafgrad.device device = None, bool pin_memory = "
    "False, bool requires_grad = False",
)


def _passed(**kw) -> dict:
    """The keyword arguments given other than at their defaults (None, or False for the
    flags): what PyTorch's argument errors list after the positional types."""
    return {k: v for k, v in kw.items() if v is not None and v is not False}


def _kw_type(v) -> str:
    if isinstance(v, Tensor):
        return "Tensor"
    if isinstance(v, (_dt.layout, Generator)) or v.__class__.__name__ == "device":
        return f"leafgrad.{v.__class__.__name__}"
    return type_name(v)


def _invalid(fn: str, args: tuple, sigs: tuple, kw: dict | None = None) -> TypeError:
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type_name(a) for a in args)
    if kw:
        # PyTorch lists keywords in the reverse of the call's order (ours: of ``kw``'s)
        kws = ", ".join(f"{k}={_kw_type(kw[k])}" for k in reversed(list(kw)))
        got = f"{got}, {kws}" if got else f"{kws}, "
    lines = "".join(f" * ({s})\n" for s in sigs)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n{lines}")


def _range_number(v, fn: str, args: tuple, sigs: tuple, single: str | None = None,
                  kw: dict | None = None):
    """A start/end/step argument as a Python number; PyTorch's argument errors."""
    c = v.__class__
    if c is _int or c is _float or c is _bool:
        return v
    try:
        return _number(v, fn, single or "end", 1)
    except TypeError:
        if single is not None:
            raise
        raise _invalid(fn, args, sigs, kw) from None


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``.

    int64 when every argument is an integer, else the default float dtype.

    >>> leafgrad.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> leafgrad.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    given = (start,) if end is None else (start, end) if step == 1 and \
        step.__class__ is _int else (start, end, step)
    kw = _passed(out=out, dtype=dtype, layout=layout, device=device,
                 requires_grad=requires_grad, pin_memory=pin_memory)
    if kw and len(given) == 1 and start.__class__ not in (_int, _float, _bool):
        try:  # several signatures fit the argument count: PyTorch lists them all
            _number(start, "arange", "end", 1)
        except TypeError:
            raise _invalid("arange", given, _ARANGE_SIGS, kw) from None
    if end is None:
        start, end = 0, _range_number(start, "arange", given, _ARANGE_SIGS, "end")
    else:
        start = _range_number(start, "arange", given, _ARANGE_SIGS, kw=kw)
        end = _range_number(end, "arange", given, _ARANGE_SIGS, kw=kw)
        step = _range_number(step, "arange", given, _ARANGE_SIGS, kw=kw)
    d = _parse_dtype(dtype, "arange")
    if d is None:
        d = out.dtype if out is not None else (
            _dt.get_default_dtype() if _float in (start.__class__, end.__class__,
                                                  step.__class__) else _dt.int64)
    if d is _dt.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    fs, fe, fst = _float(start), _float(end), _float(step)
    if fst == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(fs) and math.isfinite(fe)):
        raise RuntimeError(f"unsupported range: {_fmt(start)} -> {_fmt(end)}")
    if not ((fst > 0 and fe >= fs) or (fst < 0 and fe <= fs)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if d.category == _dt.INT:
        # Integer dtypes compute in int64 on the truncated arguments.
        xs, xe, xst = _int(start), _int(end), _int(step)
        if d is _dt.int64:
            if xst == 0:
                raise ValueError("step must be nonzero")
            sgn = (xst > 0) - (xst < 0)
            n = _ctrunc(xe - xs + xst - sgn, xst)
        else:
            n = math.ceil((fe - fs) / fst)
        if n > _I64_MAX:
            raise RuntimeError("invalid size, possible overflow?")
        _check_alloc(n, d)
        idx = np.arange(n, dtype=np.int64)
        if xst and n and not (_I64_MIN <= xs + xst * (n - 1) <= _I64_MAX):
            data = np.array([(xs + xst * i) & _U64_MAX for i in builtins.range(n)],
                            np.uint64).astype(d.np)
        else:
            data = (idx * xst + xs).astype(d.np)
    else:
        size = math.ceil((fe - fs) / fst)
        if not 0 <= size <= _I64_MAX:
            raise RuntimeError("invalid size, possible overflow?")
        _check_alloc(size, d)
        data = _arange_kernel(fs, fst, size, d)
    return _out(out, _finish(data, requires_grad, device), "arange")


def _ctrunc(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _check_alloc(n: int, d: _dt.dtype) -> None:
    if n * d.itemsize > _I64_MAX:
        raise RuntimeError(f"Storage size calculation overflowed with sizes=[{n}]")


def _fmt(v) -> str:
    """A number as C++'s stream prints it (6 significant digits)."""
    if v.__class__ is _int:
        return str(v)
    s = f"{v:g}"
    return s


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,  # noqa: A001
          requires_grad=False) -> Tensor:
    """Deprecated in PyTorch: like ``arange`` but including ``end``; the default dtype."""
    warnings.warn(
        "leafgrad.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use leafgrad.arange, "
        "which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    if end is None:
        start, end = 0, start
    start = _number(start, "range", "start", 1)
    end = _number(end, "range", "end", 2)
    step = _number(step, "range", "step", 3)
    d = _float_dtype(dtype, "range")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = _int((end - start) / step) + 1
    acc = np.float32 if d is _dt.float16 else np.float64
    if d.category == _dt.INT:
        data = (np.arange(n, dtype=np.int64) * _int(step) + _int(start)).astype(d.np)
    else:
        data = (np.arange(n, dtype=acc) * acc(step) + acc(start)).astype(d.np)
    return _out(out, _finish(data, requires_grad, device), "range")


def _space_sigs(fn: str) -> tuple:
    extra = ", float base = 10.0" if fn == "logspace" else ""
    tail = (f"int steps{extra}, *, Tensor out = None, leafgrad.dtype dtype = None, "
            "leafgrad.layout layout = None, leafgrad.device device = None, bool pin_memory = "
            "False, bool requires_grad = False")
    return tuple(f"{a} start, {b} end, {tail}" for a, b in
                 (("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"),
                  ("Number", "Number")))


def _space_args(fn: str, start, end, steps, base=None, kw: dict | None = None):
    given = (start, end) + ((steps,) if steps is not None else ()) + \
        ((base,) if base is not None else ())
    sigs = _space_sigs(fn)
    for name, v in (("start", start), ("end", end)):
        if isinstance(v, Tensor) and v._data.ndim:
            raise RuntimeError(f"{fn} only supports 0-dimensional start and end tensors, but "
                               f"got {name} with {v._data.ndim} dimension(s).")
    try:
        s = _number(start, fn, "start", 1)
        e = _number(end, fn, "end", 2)
    except TypeError:
        raise _invalid(fn, given, sigs, kw) from None
    n = None if steps is None else _dim_value(steps, True)
    b = 10.0 if base is None else base
    if base is not None:
        try:
            b = _float(_number(base, fn, "base", 4))
        except TypeError:
            n = None
    if n is None:
        raise _invalid(fn, given, sigs, kw)
    if n < 0:
        raise RuntimeError("number of steps must be non-negative")
    return s, e, n, b


def _space(start, end, steps: int, d: _dt.dtype):
    """PyTorch's linspace kernel: the first half counted up from ``start``, the second half
    down from ``end`` (so both ends are exact), in ``d``'s arithmetic."""
    if d.category == _dt.INT:
        # Integer dtypes: start and end converted (with overflow checks), a float64 step.
        s = _int(_scalar_array(start, d)[()]) if start.__class__ is not _bool else _int(start)
        e = _int(_scalar_array(end, d)[()]) if end.__class__ is not _bool else _int(end)
        if steps == 1:
            return np.array([s], np.float64), True
        step = (_float(e) - _float(s)) / (steps - 1)
        idx = np.arange(steps, dtype=np.float64)
        return np.where(idx < steps // 2, s + step * idx, e - step * (steps - idx - 1)), True
    t = d.np.type
    s, e = t(start), t(end)
    if steps == 1:
        return np.array([s], d.np), False
    step = (e - s) / t(steps - 1)
    idx = np.arange(steps, dtype=d.np)
    head = s + step * idx
    tail = e - step * (t(steps - 1) - idx)
    return np.where(np.arange(steps) < steps // 2, head, tail).astype(d.np), False


# PyTorch's CPU arange kernel fills a tensor in SIMD groups of this many elements (AVX2
# registers), two groups at a time, each group counted from its own first value; the
# remaining tail is filled element by element. Reproducing that schedule (and the fused
# multiply-adds its compiler emits) gives PyTorch's values to the last bit (for ranges up
# to 32768 elements: longer ones PyTorch splits across threads, a rounding apart at most).
_VEC_WIDTH = {"float64": 4, "float32": 8, "float16": 16}


def _fma(a, b, c):
    """``a * b + c`` rounded once (float64 arrays), by error-free transformations."""
    a, b, c = np.asarray(a, np.float64), np.asarray(b, np.float64), np.asarray(c, np.float64)
    p = a * b

    def split(x):
        t = 134217729.0 * x  # 2**27 + 1: Veltkamp's split into two 26-bit halves
        hi = t - (t - x)
        return hi, x - hi

    ah, al = split(a)
    bh, bl = split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + err == a * b exactly
    s = p + c
    bb = s - p
    return s + (((p - (s - bb)) + (c - bb)) + err)


def _fma32(a, b, c):
    """A float32 fused multiply-add (the product of two floats is exact in float64)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + c).astype(np.float32)


def _vec_schedule(n: int, d: _dt.dtype):
    """For each of ``n`` elements: the index its group starts at, and its offset there."""
    w = _VEC_WIDTH[d.name]
    idx = np.arange(n, dtype=np.int64)
    group = np.where(idx < n // (2 * w) * (2 * w), idx - idx % w, idx)
    return group, idx - group


def _arange_kernel(start: float, step: float, n: int, d: _dt.dtype):
    """PyTorch's floating arange: ``start + step * i`` in the accumulate type (float32 for
    half, else float64), rounded to ``d`` at the start of each SIMD group."""
    group, off = _vec_schedule(n, d)
    if d is _dt.float16:
        s, st = _float(np.float32(start)), _float(np.float32(step))
        base = _fma32(group, st, s).astype(np.float16)
        return _fma32(off, st, base).astype(np.float16)
    base = _fma(step, group, start)
    if d is _dt.float32:
        base = base.astype(np.float32)
    return _fma(off, step, base).astype(d.np)


def _linspace_kernel(start, end, steps: int, d: _dt.dtype):
    """PyTorch's linspace, element by element: the first half counted up from ``start``,
    the second half down from ``end``, in ``d``'s own arithmetic with fused multiply-adds
    (a float64 step for integer dtypes; every half operation rounds to half)."""
    idx = np.arange(steps, dtype=np.int64)
    back = steps - idx - 1
    first = idx < steps // 2
    if d is _dt.float16:
        h = np.float16
        s, e = h(start), h(end)
        step = h(h(e - s) / h(steps - 1))
        return np.where(first, s + step * idx.astype(h), e - step * back.astype(h)).astype(h)
    if d is _dt.float32:
        s, e = np.float32(start), np.float32(end)
        step = np.float32((e - s) / np.float32(steps - 1))
        return np.where(first, _fma32(step, idx, s), _fma32(-step, back, e))
    if d is _dt.float64:
        s, e = _float(start), _float(end)
        step = (e - s) / (steps - 1)
        return np.where(first, _fma(step, idx, s), _fma(-step, back, e))
    # integer dtypes: start and end converted (with overflow checks), a float64 step
    s = _int(_scalar_array(start, d)[()]) if start.__class__ is not _bool else _int(start)
    e = _int(_scalar_array(end, d)[()]) if end.__class__ is not _bool else _int(end)
    step = (_float(e) - _float(s)) / (steps - 1)
    return _trunc_to(np.where(first, _fma(step, idx, s), _fma(-step, back, e)), d)


def linspace(start, end, steps: int = None, *, out=None, dtype=None, layout=None,  # type: ignore[assignment]
             device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    >>> leafgrad.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    s, e, n, _ = _space_args("linspace", start, end, steps, kw=_passed(
        out=out, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad,
        pin_memory=pin_memory))
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "linspace")
    if n > 1:
        if d is _dt.bool_:  # PyTorch's kernel runs (and refuses bool) for two steps or more
            raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
        data = _linspace_kernel(s, e, n, d)
    elif n == 1:  # filled with start
        data = np.full(1, _scalar_array(s, d) if d.category == _dt.INT else s, d.np)
    else:
        data = np.empty(0, d.np)
    return _out(out, _finish(data, requires_grad, device), "linspace")


def _trunc_to(vals, d: _dt.dtype):
    # float64 -> integer dtype as C++'s static_cast (truncation toward zero; wraps via int64)
    return np.trunc(vals).astype(np.int64).astype(d.np)


def _cpow(b: float, v: float) -> float:
    """C's ``pow``: infinity on overflow, NaN for a negative base's fractional power."""
    try:
        return math.pow(b, v)
    except OverflowError:
        return -math.inf if b < 0 and v == _int(v) and _int(v) % 2 else math.inf
    except ValueError:
        return math.inf if b == 0 else math.nan


def logspace(start, end, steps: int = None, base: float = 10.0, *, out=None, dtype=None,  # type: ignore[assignment]
             layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """``base ** linspace(start, end, steps)``.

    >>> leafgrad.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    s, e, n, b = _space_args("logspace", start, end, steps, base if base != 10.0 or
                             base.__class__ is not _float else None, kw=_passed(
                                 out=out, dtype=dtype, layout=layout, device=device,
                                 requires_grad=requires_grad, pin_memory=pin_memory))
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "logspace")
    if d is _dt.bool_ and n > 1:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    if n == 0:
        data = np.empty(0, d.np)
    elif n == 1:
        data = np.array([b ** _float(s)], np.float64)
        data = _trunc_to(data, d) if d.category == _dt.INT else data.astype(d.np)
    else:
        if d.category == _dt.FLOAT:
            # PyTorch: start and end in d, their difference rounded in d, then float64
            # exponents (no fused multiply-add) and C's pow (NumPy's SIMD pow rounds apart)
            t = d.np.type
            s_, e_ = t(s), t(e)
            step = _float(t(e_ - s_)) / (n - 1)
            idx = np.arange(n, dtype=np.float64)
            exps = np.where(idx < n // 2, _float(s_) + step * idx,
                            _float(e_) - step * (n - idx - 1))
            data = np.array([_cpow(b, v) for v in exps.tolist()], np.float64).astype(d.np)
        else:
            vals, _ = _space(s, e, n, d)
            data = _trunc_to(np.power(np.float64(b), vals.astype(np.float64)), d)
    return _out(out, _finish(data, requires_grad, device), "logspace")


# -- random -------------------------------------------------------------------------------
def _check_float(kernel: str, d: _dt.dtype, numel: int = 1) -> None:
    # PyTorch skips the normal and bernoulli kernels (and their dtype checks) when empty
    if not d.is_floating_point and (numel or kernel == "check_uniform_bounds"):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{d.scalar_name}\'')


def _uniform(generator, shape: tuple, d: _dt.dtype):
    r = rng(generator)
    if d is _dt.float16:
        # 11 random bits: a float32 draw rounded to half could reach 1.0
        return (r.integers(0, 1 << 11, shape, dtype=np.int64) * 2.0 ** -11).astype(np.float16)
    return r.random(shape, dtype=d.np.type if d is _dt.float64 else np.float32).astype(
        d.np, copy=False)


def _standard_normal(generator, shape: tuple, d: _dt.dtype):
    r = rng(generator)
    if d is _dt.float64:
        return r.standard_normal(shape)
    return r.standard_normal(shape, dtype=np.float32).astype(d.np, copy=False)


_RAND_TAIL = ("Tensor out = None, leafgrad.dtype dtype = None, leafgrad.layout layout = None, "
              "leafgrad.device device = None, bool pin_memory = False, bool requires_grad = "
              "False")
_RAND_SIGS = (f"tuple of ints size, *, leafgrad.Generator generator, {_RAND_TAIL}",
              f"tuple of ints size, *, {_RAND_TAIL}")


def _rand_size(size: tuple, kw: dict, fn: str) -> tuple:
    """``rand``/``randn``'s size: two signatures (with and without a generator), so a
    missing or doubly given size is PyTorch's "invalid combination" error."""
    given = kw.pop("size", None)
    if not size and given is None or size and given is not None or kw:
        if given is not None:
            kw["size"] = given
        got = ", ".join([type_name(a) for a in size] +
                        [f"{k}={type_name(kw[k])}" for k in reversed(list(kw))])
        lines = "".join(f" * ({s})\n" for s in _RAND_SIGS)
        raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n{lines}")
    return _size(size, given, fn)


def rand(*size, generator: Generator | None = None, out=None, dtype=None, layout=None,
         device=None, requires_grad=False, pin_memory=False, **kw) -> Tensor:
    """Uniform samples on [0, 1).

    >>> leafgrad.rand(2, 3).shape
    leafgrad.Size([2, 3])
    """
    shape = _rand_size(size, kw, "rand")
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "rand")
    _check_float("check_uniform_bounds", d)
    return _out(out, _finish(_uniform(generator, shape, d), requires_grad, device), "rand")


def randn(*size, generator: Generator | None = None, out=None, dtype=None, layout=None,
          device=None, requires_grad=False, pin_memory=False, **kw) -> Tensor:
    """Standard normal samples (mean 0, variance 1)."""
    shape = _rand_size(size, kw, "randn")
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "randn")
    _check_float("normal_kernel_cpu", d, math.prod(shape))
    return _out(out, _finish(_standard_normal(generator, shape, d), requires_grad, device),
                "randn")


_DIGITS = {"float16": 11, "float32": 24, "float64": 53}


def _random_bounds(low: int, high: int, d: _dt.dtype) -> None:
    """PyTorch's checks of ``random_(from, to)`` for dtype ``d``."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    if d.category == _dt.FLOAT:
        fmax = _float(np.finfo(d.np).max)
        if not -fmax <= low <= fmax:
            raise RuntimeError(f"from is out of bounds for {d.c_name}")
        if not -fmax <= high - 1 <= fmax:
            raise RuntimeError(f"to - 1 is out of bounds for {d.c_name}")
        digits = _DIGITS[d.name]
        for what, v in (("from", low), ("to - 1", high - 1)):
            if not -(1 << digits) <= v <= (1 << digits):
                warnings.warn(
                    f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {d.c_name} can support discrete uniform distribution only "
                    "within this range. This warning will become an error in version 1.7 "
                    "release, please fix the code in advance", UserWarning, stacklevel=3)
        return
    lo, hi = (0, 1) if d is _dt.bool_ else (_int(np.iinfo(d.np).min), _int(np.iinfo(d.np).max))
    if not lo <= low <= hi:
        raise RuntimeError(f"from is out of bounds for {d.c_name}")
    if not lo <= high - 1 <= hi:
        raise RuntimeError(f"to - 1 is out of bounds for {d.c_name}")


def _randint_sigs(fn: str) -> tuple:
    tail = ("*, leafgrad.Generator generator, Tensor out = None, leafgrad.dtype dtype = None, "
            "leafgrad.layout layout = None, leafgrad.device device = None, bool pin_memory = "
            "False, bool requires_grad = False")
    tail2 = tail.replace("leafgrad.Generator generator, ", "")
    return (f"int high, tuple of ints size, {tail}", f"int high, tuple of ints size, {tail2}",
            f"int low, int high, tuple of ints size, {tail}",
            f"int low, int high, tuple of ints size, {tail2}")


def randint(*args, generator: Generator | None = None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False, **kw) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(high, size)`` or
    ``randint(low, high, size)`` (int64 unless ``dtype``).

    >>> leafgrad.randint(3, 10, (2, 2)).dtype
    leafgrad.int64
    """
    names = ("low", "high", "size") if len(args) + len(kw) == 3 or "low" in kw else \
        ("high", "size")
    sigs = _randint_sigs("randint")
    passed = _passed(generator=generator, out=out, dtype=dtype, layout=layout, device=device,
                     requires_grad=requires_grad, pin_memory=pin_memory)
    listed = {**kw, **passed}
    # PyTorch reports one signature's own error only when the argument count fits no other
    # (high/size/generator: 3-9 args; high/size: 2-8; low/high/size/generator: 4-10 ...)
    num = len(args) + len(listed)
    fits = sum(lo <= num <= hi for lo, hi in ((3, 9), (2, 8), (4, 10), (3, 9)))
    if len(args) > len(names):
        raise _invalid("randint", args, sigs, listed)
    vals = dict(zip(names, args))
    for k, v in kw.items():
        if k not in names or k in vals:
            raise TypeError(f"randint() got an unexpected keyword argument '{k}'")
        vals[k] = v
    if "size" not in vals or "high" not in vals:
        if fits == 1 and num == 2 and "high" in vals:
            raise TypeError('randint() missing 1 required positional arguments: "size"')
        raise _invalid("randint", args, sigs, listed)
    offset = 1 if "low" in vals else 0
    try:
        high = _int_arg(vals["high"], "randint", "high", 1 + offset)
        low = _int_arg(vals["low"], "randint", "low", 1) if offset else 0
        shape = _size((vals["size"],), None, "randint", sequence_only=True) \
            if isinstance(vals["size"], (tuple, list)) else None
        if shape is None:
            where = "" if "size" in kw else f" (position {2 + offset})"
            raise TypeError(f"randint(): argument 'size'{where} must be tuple of ints, not "
                            f"{type_name(vals['size'])}")
    except TypeError:
        if fits == 1:
            raise
        raise _invalid("randint", args, sigs, listed) from None
    d = _parse_dtype(dtype, "randint") or (out.dtype if out is not None else _dt.int64)
    _random_bounds(low, high, d)
    data = rng(generator).integers(low, high, shape, dtype=np.int64).astype(d.np)
    return _out(out, _finish(data, requires_grad, device), "randint")


def randperm(n: int, *, generator: Generator | None = None, out=None, dtype=None, layout=None,
             device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype``)."""
    n = _int_arg(n, "randperm", "n", 1)
    d = _parse_dtype(dtype, "randperm") or (out.dtype if out is not None else _dt.int64)
    _checked_sizes((n,), "randperm")
    if d is _dt.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if d.category == _dt.INT:
        if n - 1 > np.iinfo(d.np).max:
            raise RuntimeError(f"value cannot be converted to type {_C_INT[d.name]} without "
                               "overflow")
    else:
        limit = {"float16": ("2049", 2049), "float32": ("2^24+1", (1 << 24) + 1),
                 "float64": ("2^53+1", (1 << 53) + 1)}[d.name]
        if n > limit[1]:
            raise RuntimeError(f"n cannot be greater than {limit[0]} for {d.scalar_name} type.")
    data = rng(generator).permutation(n).astype(d.np)
    return _out(out, _finish(data, requires_grad, device), "randperm")


# Sampling ops record a node (PyTorch's names) whose gradient is zero: samples are not
# reparameterised.
class NormalTensorFloat(Op):
    """normal(Tensor mean, float std)."""

    name = "NormalBackward1"
    args = ("mean",)

    def forward(xp, mean, *, std, generator, mean_sym_sizes):
        return (_standard_normal(generator, mean.shape, _dt.float64) * std + mean).astype(
            mean.dtype)

    def vjp(g, out, mean, *, std, generator, mean_sym_sizes):
        return Tensor._make(np.zeros(mean_sym_sizes, g._data.dtype))


class NormalFloatTensor(Op):
    """normal(float mean, Tensor std)."""

    name = "NormalBackward2"
    args = ("std",)

    def forward(xp, std, *, mean, generator, std_sym_sizes):
        return (_standard_normal(generator, std.shape, _dt.float64) * std + mean).astype(
            std.dtype)

    def vjp(g, out, std, *, mean, generator, std_sym_sizes):
        return Tensor._make(np.zeros(std_sym_sizes, g._data.dtype))


class NormalTensorTensor(Op):
    """normal(Tensor mean, Tensor std): broadcast; the result has mean's dtype."""

    name = "NormalBackward3"
    args = ("mean", "std")

    def forward(xp, mean, std, *, generator, mean_sym_sizes, std_sym_sizes):
        shape = np.broadcast_shapes(mean.shape, std.shape)
        noise = _standard_normal(generator, shape, _dt.float64)
        return (noise * std.astype(np.float64) + mean).astype(mean.dtype)

    def vjp(g, out, mean, std, *, generator, mean_sym_sizes, std_sym_sizes):
        z = g._data.dtype
        return (Tensor._make(np.zeros(mean_sym_sizes, z)),
                Tensor._make(np.zeros(std_sym_sizes, z)))


def _broadcast(a: tuple, b: tuple) -> tuple:
    """Broadcast two shapes with PyTorch's error message."""
    n = max(len(a), len(b))
    a2, b2 = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for i, (x, y) in enumerate(zip(a2, b2)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


_NORMAL_SIGS = (
    "Tensor mean, Tensor std, *, leafgrad.Generator generator = None, Tensor out = None",
    "Tensor mean, float std = 1, *, leafgrad.Generator generator = None, Tensor out = None",
    "float mean, Tensor std, *, leafgrad.Generator generator = None, Tensor out = None",
    "float mean, float std, tuple of ints size, *, leafgrad.Generator generator = None, Tensor "
    "out = None, leafgrad.dtype dtype = None, leafgrad.layout layout = None, leafgrad.device "
    "device = None, bool pin_memory = False, bool requires_grad = False",
)


def _std_number(std) -> float:
    s = _float(std)
    if not s >= 0:  # NaN fails too
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(s)}")
    return s


def normal(mean=0.0, std=1.0, size=None, *, generator: Generator | None = None, out=None,
           dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False) -> Tensor:
    """Normal samples: ``normal(mean_tensor, std)``, ``normal(mean, std_tensor)``,
    ``normal(mean_tensor, std_tensor)`` (broadcast), or ``normal(mean, std, size)``.

    >>> leafgrad.normal(0., 1., (2, 3)).shape
    leafgrad.Size([2, 3])
    """
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    given = tuple(v for v in (mean, std, size) if v is not None)
    if mt or st:
        if size is not None or dtype is not None:
            raise _invalid("normal", given, _NORMAL_SIGS)
        if mt and st:
            _check_float("normal_kernel_cpu", mean.dtype, mean._data.size * std._data.size)
            if std._data.size and not (std._data >= 0).all():
                raise RuntimeError("normal expects all elements of std >= 0.0")
            _broadcast(mean._data.shape, std._data.shape)
            res = apply(NormalTensorTensor, mean, std, generator=generator,
                        mean_sym_sizes=mean._data.shape, std_sym_sizes=std._data.shape)
        elif mt:
            _check_float("normal_kernel_cpu", mean.dtype, mean._data.size)
            s = _std_number(_number(std, "normal", "std", 2))
            res = apply(NormalTensorFloat, mean, std=s, generator=generator,
                        mean_sym_sizes=mean._data.shape)
        else:
            _check_float("normal_kernel_cpu", std.dtype, std._data.size)
            m = _float(_number(mean, "normal", "mean", 1))
            if std._data.size and not (std._data >= 0).all():
                raise RuntimeError("normal expects all elements of std >= 0.0")
            res = apply(NormalFloatTensor, std, mean=m, generator=generator,
                        std_sym_sizes=std._data.shape)
        return _out(out, res, "normal", factory=False)
    if size is None:
        raise _invalid("normal", given, _NORMAL_SIGS)
    m = _float(_number(mean, "normal", "mean", 1))
    s = _std_number(_number(std, "normal", "std", 2))
    shape = _size((size,), None, "normal", sequence_only=True)
    d = _float_dtype(dtype if dtype is not None or out is None else out.dtype, "normal")
    _check_float("normal_kernel_cpu", d, math.prod(shape))
    data = (_standard_normal(generator, shape, _dt.float64) * s + m).astype(d.np)
    return _out(out, _finish(data, requires_grad, device), "normal")


class Bernoulli(Op):
    """bernoulli(input): 1 with probability input, else 0 (no gradient flows)."""

    def forward(xp, x, *, generator):
        return (_uniform(generator, x.shape, _dt.float64) < x).astype(x.dtype)

    def vjp(g, out, x, *, generator):
        return Tensor._make(np.zeros(g._data.shape, g._data.dtype))


class BernoulliP(Op):
    """bernoulli(input, p): PyTorch records a node with no derivative."""

    name = "torch::autograd::NotImplemented"

    def forward(xp, x, *, p, generator):
        return (_uniform(generator, x.shape, _dt.float64) < p).astype(x.dtype)

    def vjp(g, out, x, *, p, generator):
        raise RuntimeError("derivative for aten::bernoulli is not implemented")


_P_RANGE = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)")


def bernoulli(input: Tensor, p=None, *, generator: Generator | None = None,
              out=None) -> Tensor:
    """Samples 1 with the probability in each element of ``input`` (or with ``p``), else 0.

    >>> leafgrad.bernoulli(leafgrad.tensor([0., 1.]))
    tensor([0., 1.])
    """
    x = _like(input, "bernoulli")
    if p is None:
        _check_float("bernoulli_tensor_cpu_p_", x.dtype, x._data.size)
        a = x._data
        if a.size and not ((a >= 0) & (a <= 1)).all():
            raise RuntimeError(_P_RANGE)
        return _out(out, apply(Bernoulli, x, generator=generator), "bernoulli", factory=False)
    pv = _float(_number(p, "bernoulli", "p", 2))
    if not 0 <= pv <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(pv)}")
    return _out(out, apply(BernoulliP, x, p=pv, generator=generator), "bernoulli",
                factory=False)


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype=None, layout=None,
              device=None, requires_grad=False, memory_format=None,
              pin_memory=False) -> Tensor:
    """Uniform samples on [0, 1) with the shape (and dtype) of ``input``."""
    a = _like(input, "rand_like")._data
    d = _parse_dtype(dtype, "rand_like") or _dt.FROM_NP[a.dtype]
    _check_float("check_uniform_bounds", d)
    data = _laid_out_like(a, _uniform(generator, a.shape, d), memory_format)
    return _finish(data, requires_grad, device)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype=None, layout=None,
               device=None, requires_grad=False, memory_format=None,
               pin_memory=False) -> Tensor:
    """Standard normal samples with the shape (and dtype) of ``input``."""
    a = _like(input, "randn_like")._data
    d = _parse_dtype(dtype, "randn_like") or _dt.FROM_NP[a.dtype]
    _check_float("normal_kernel_cpu", d, a.size)
    data = _laid_out_like(a, _standard_normal(generator, a.shape, d), memory_format)
    return _finish(data, requires_grad, device)


def _randint_like_sigs() -> tuple:
    tail = ("leafgrad.memory_format memory_format = None, leafgrad.dtype dtype = None, "
            "leafgrad.layout layout = None, leafgrad.device device = None, bool pin_memory = "
            "False, bool requires_grad = False")
    out = []
    for head in ("Tensor input, int low, int high", "Tensor input, Tensor high",
                 "Tensor input, int high"):
        out += [f"{head}, *, leafgrad.Generator generator, {tail}", f"{head}, *, {tail}"]
    return tuple(out)


def randint_like(input: Tensor, low=0, high=None, *, generator: Generator | None = None,
                 dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, pin_memory=False) -> Tensor:
    """Integers from [low, high) in the shape (and dtype) of ``input``:
    ``randint_like(t, high)`` (``high`` an int or a 0-d tensor) or
    ``randint_like(t, low, high)``."""
    given = (input, low) if high is None else (input, low, high)
    if not isinstance(input, Tensor):
        raise _invalid("randint_like", given, _randint_like_sigs())
    a = input._data
    if high is None:
        lo = 0
        if isinstance(low, Tensor):
            if low._data.ndim:
                raise RuntimeError("high must be a scalar tensor and on CPU")
            hi = _int(low._data.item())
        else:
            hi = _dim_value(low, True)
    else:
        lo = None if isinstance(low, Tensor) else _dim_value(low, True)
        hi = None if isinstance(high, Tensor) else _dim_value(high, True)
    if lo is None or hi is None:
        raise _invalid("randint_like", given, _randint_like_sigs())
    d = _parse_dtype(dtype, "randint_like") or _dt.FROM_NP[a.dtype]
    _random_bounds(lo, hi, d)
    data = rng(generator).integers(lo, hi, a.shape, dtype=np.int64).astype(d.np)
    return _finish(_laid_out_like(a, data, memory_format), requires_grad, device)


def complex(real, imag):  # noqa: A001
    """Not available: leafgrad has no complex dtypes."""
    raise TypeError(_NO_COMPLEX)


# -- predicates ----------------------------------------------------------------------------
def is_tensor(obj) -> bool:
    """Whether ``obj`` is a leafgrad Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input``'s dtype is a floating dtype."""
    return _like(input, "is_floating_point")._data.dtype.kind == "f"


def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor (PyTorch's error for any other)."""
    return _like(input, "is_nonzero").__bool__()


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return _like(input, "numel")._data.size


# -- Tensor.new_* (bound as methods in ops/conversion.py) ---------------------------------
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad=False,
               layout=None, pin_memory=False) -> Tensor:
    """A new tensor from ``data`` with (unless given) this tensor's dtype."""
    d = _parse_dtype(dtype, "new_tensor") or _dt.FROM_NP[self._data.dtype]
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
            UserWarning, stacklevel=2)
        arr = data._data.astype(d.np, copy=True)
    else:
        arr = _data_array(data, d)
    return _finish(arr, requires_grad, device)


def new_zeros(self: Tensor, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False, **kw) -> Tensor:
    """Zeros of ``size`` with (unless given) this tensor's dtype."""
    shape = _size(size, _size_kw(kw, "new_zeros"), "new_zeros")
    d = _parse_dtype(dtype, "new_zeros") or _dt.FROM_NP[self._data.dtype]
    return _finish(np.zeros(shape, d.np), requires_grad, device)


def new_ones(self: Tensor, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False, **kw) -> Tensor:
    """Ones of ``size`` with (unless given) this tensor's dtype."""
    shape = _size(size, _size_kw(kw, "new_ones"), "new_ones")
    d = _parse_dtype(dtype, "new_ones") or _dt.FROM_NP[self._data.dtype]
    return _finish(np.ones(shape, d.np), requires_grad, device)


def new_empty(self: Tensor, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False, **kw) -> Tensor:
    """An uninitialised tensor of ``size`` with (unless given) this tensor's dtype."""
    shape = _size(size, _size_kw(kw, "new_empty"), "new_empty")
    d = _parse_dtype(dtype, "new_empty") or _dt.FROM_NP[self._data.dtype]
    return _finish(np.empty(shape, d.np), requires_grad, device)


def new_full(self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False) -> Tensor:
    """``fill_value`` in ``size`` with (unless given) this tensor's dtype."""
    shape = _size((size,), None, "new_full", sequence_only=True)
    value = _number(fill_value, "new_full", "fill_value", 2)
    d = _parse_dtype(dtype, "new_full") or _dt.FROM_NP[self._data.dtype]
    return _finish(np.full(shape, _scalar_array(value, d), d.np), requires_grad, device)


def new(self: Tensor, *args, **kwargs) -> Tensor:
    """The legacy ``t.new(...)``: ``Tensor(...)`` with this tensor's dtype."""
    return _legacy(_dt.FROM_NP[self._data.dtype], args, kwargs)


def check_size(size) -> tuple:
    """A size tuple validated as the factories do."""
    return _size((tuple(size),), None, "size")
