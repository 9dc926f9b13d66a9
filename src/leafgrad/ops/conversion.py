"""Op family: conversions between dtypes and devices (``to``, ``float()``, ``type()`` ...).

A cast is the differentiable ``Cast`` primitive of ``_dispatch`` (PyTorch's
``ToCopyBackward0``: the gradient is cast back to the input's dtype). Casting to an
integer or bool dtype truncates toward zero / tests nonzero, as PyTorch does, and its
result never requires grad. Every cast returns ``self`` when nothing changes, unless
``copy=True``.

>>> x = leafgrad.tensor([1.7, -1.7], requires_grad=True)
>>> x.int(), x.double().grad_fn.name()
(tensor([ 1, -1], dtype=leafgrad.int32), 'ToCopyBackward0')
"""

from __future__ import annotations

import builtins
import warnings

from .. import dtypes as _dt
from ..creation import (  # noqa: F401 - bound as Tensor methods below
    LEGACY_TYPES,
    bernoulli,
    new,
    new_empty,
    new_full,
    new_ones,
    new_tensor,
    new_zeros,
)
from ..tensor import Tensor, check_device, device
from ._dispatch import Cast, cast
from .registry import apply

__all__: list[str] = []
methods = ["to", "float", "double", "half", "int", "long", "short", "char", "byte", "bool",
           "type", "type_as", "cpu", "cuda", "new_tensor", "new_zeros", "new_ones",
           "new_empty", "new_full", "new", "bernoulli"]

_bool = builtins.bool
_dtype = _dt.dtype
_PY_TYPES = _dt.PY_TYPES


def _copy(t: Tensor, d: _dt.dtype) -> Tensor:
    """A cast that always copies (``ToCopyBackward0`` even when the dtype is unchanged)."""
    return apply(Cast, t, dtype=d.np)


def _to_sigs() -> tuple:
    tail = "bool non_blocking = False, bool copy = False, *, leafgrad.memory_format " \
           "memory_format = None"
    return (f"leafgrad.device device = None, leafgrad.dtype dtype = None, {tail}",
            f"leafgrad.dtype dtype, {tail}", f"Tensor tensor, {tail}")


def _invalid_to(args: tuple, kwargs: dict) -> TypeError:
    def name(v):
        if isinstance(v, Tensor):
            return "Tensor"
        if v.__class__ is _dtype:
            return "leafgrad.dtype"
        if isinstance(v, device):
            return "leafgrad.device"
        return _dt.type_name(v)

    got = ", ".join(name(a) for a in args)
    # PyTorch lists keywords in the reverse of the call's order
    kws = ", ".join(f"{k}={name(kwargs[k])}" for k in reversed(list(kwargs)))
    if kws:
        got = f"{got}, {kws}" if got else f"{kws}, "
    lines = "".join(f" * ({s})\n" for s in _to_sigs())
    return TypeError(f"to() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n{lines}")


def _as_dtype(v):
    if v.__class__ is _dtype:
        return v
    return _PY_TYPES.get(v) if builtins.type(v) is builtins.type else None


def _parse_to(args: tuple, kwargs: dict):
    """(dtype, copy) from ``to``'s three signatures; the device must be the CPU."""
    if args and _as_dtype(args[0]) is not None:
        sig: tuple = ("dtype", "non_blocking", "copy")
    elif args and isinstance(args[0], Tensor):
        sig = ("tensor", "non_blocking", "copy")
    else:
        sig = ("device", "dtype", "non_blocking", "copy")
    if len(args) > len(sig):
        raise _invalid_to(args, kwargs)
    vals = dict(zip(sig, args))
    for k, v in kwargs.items():
        if k == "memory_format":
            continue
        if k not in sig or k in vals:
            raise _invalid_to(args, kwargs)
        vals[k] = v
    d = vals.get("dtype")
    if d is not None:
        d = _as_dtype(d)
        if d is None:
            raise _invalid_to(args, kwargs)
    other = vals.get("tensor")
    if other is not None:
        d = _dt.FROM_NP[other._data.dtype]
    for flag in ("non_blocking", "copy"):
        if vals.get(flag, False).__class__ is not _bool:
            raise _invalid_to(args, kwargs)
    dev = vals.get("device")
    if dev is not None:
        if not isinstance(dev, (device, str)) and not (isinstance(dev, builtins.int) and
                                                       dev.__class__ is not _bool):
            raise _invalid_to(args, kwargs)
        check_device(dev if isinstance(dev, device) else device(dev))
    return d, vals.get("copy", False)


def to(input: Tensor, *args, **kwargs) -> Tensor:
    """This tensor in another dtype (and/or on a device: only the CPU exists).

    ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (other's dtype), with
    ``non_blocking=`` and ``copy=``. Returns ``input`` itself when nothing changes
    (unless ``copy=True``); differentiable (``ToCopyBackward0``).

    >>> leafgrad.tensor([1, 2]).to(leafgrad.float64)
    tensor([1., 2.], dtype=leafgrad.float64)
    """
    if args and not kwargs and len(args) == 1 and args[0].__class__ is _dtype:
        return cast(input, args[0])  # the hot path (the engine casts gradients with it)
    d, copy = _parse_to(args, kwargs)
    if copy:
        return _copy(input, d if d is not None else _dt.FROM_NP[input._data.dtype])
    return input if d is None else cast(input, d)


def _no_positional(fn: str, args: tuple) -> TypeError:
    n = len(args)
    return TypeError(f"{fn}() takes 0 positional arguments but {n} "
                     f"{'was' if n == 1 else 'were'} given")


def float(input: Tensor, *args, memory_format=None) -> Tensor:  # noqa: A001
    """This tensor as float32 (itself if already)."""
    if args:
        raise _no_positional("float", args)
    return cast(input, _dt.float32)


def double(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor as float64 (itself if already)."""
    if args:
        raise _no_positional("double", args)
    return cast(input, _dt.float64)


def half(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor as float16 (itself if already)."""
    if args:
        raise _no_positional("half", args)
    return cast(input, _dt.float16)


def int(input: Tensor, *args, memory_format=None) -> Tensor:  # noqa: A001
    """This tensor as int32, floats truncated toward zero."""
    if args:
        raise _no_positional("int", args)
    return cast(input, _dt.int32)


def long(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor as int64, floats truncated toward zero."""
    if args:
        raise _no_positional("long", args)
    return cast(input, _dt.int64)


def short(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor as int16, floats truncated toward zero."""
    if args:
        raise _no_positional("short", args)
    return cast(input, _dt.int16)


def char(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor as int8, floats truncated toward zero."""
    if args:
        raise _no_positional("char", args)
    return cast(input, _dt.int8)


def byte(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor as uint8, floats truncated toward zero."""
    if args:
        raise _no_positional("byte", args)
    return cast(input, _dt.uint8)


def bool(input: Tensor, *args, memory_format=None) -> Tensor:  # noqa: A001
    """This tensor as bool: True where nonzero (NaN included)."""
    if args:
        raise _no_positional("bool", args)
    return cast(input, _dt.bool_)


def _type_dtype(dtype) -> _dt.dtype:
    if dtype.__class__ is _dtype:
        return dtype
    legacy = getattr(dtype, "dtype", None)
    if builtins.type(dtype).__name__ == "_LegacyType" and legacy.__class__ is _dtype:
        return legacy
    if isinstance(dtype, str):
        name = dtype
        for prefix in ("leafgrad.", "torch."):
            if name.startswith(prefix):
                if name[len(prefix):].startswith("cuda."):
                    check_device("cuda")
                cls = LEGACY_TYPES.get(name[len(prefix):])
                if cls is not None:
                    return cls.dtype
        raise ValueError(f"invalid type: '{dtype}'")
    if builtins.type(dtype) is builtins.type:
        shown = dtype.__name__ if dtype.__module__ == "builtins" else \
            f"{dtype.__module__}.{dtype.__name__}"
    else:
        shown = dtype
    raise ValueError(f"invalid type: '{shown}'")


def type(input: Tensor, dtype=None, non_blocking: _bool = False, **kwargs):  # noqa: A001
    """With no argument, the type name (``'leafgrad.FloatTensor'``); otherwise this tensor
    cast to a dtype, a legacy type or a type name (``'torch.LongTensor'`` is accepted)."""
    for k in kwargs:
        if k not in ("memory_format", "async"):
            raise TypeError(f"type() got an unexpected keyword argument '{k}'")
    if "async" in kwargs:
        warnings.warn(
            "This overload of type is deprecated:\n\ttype(object dtype = None, bool async = "
            "False, *, leafgrad.memory_format memory_format = None)\nConsider using one of the "
            "following signatures instead:\n\ttype(object dtype = None, bool non_blocking = "
            "False, *, leafgrad.memory_format memory_format = None)", UserWarning, stacklevel=2)
    if dtype is None:
        return f"leafgrad.{_dt.FROM_NP[input._data.dtype].legacy_name}"
    return cast(input, _type_dtype(dtype))


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """This tensor in ``other``'s dtype (itself if the same)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not "
                        f"{_dt.type_name(other)}")
    return cast(input, _dt.FROM_NP[other._data.dtype])


def cpu(input: Tensor, *args, memory_format=None) -> Tensor:
    """This tensor (leafgrad tensors live on the CPU)."""
    if args:
        raise _no_positional("cpu", args)
    return input


def cuda(input: Tensor, device=None, non_blocking: _bool = False, memory_format=None):
    """Not available: leafgrad has no CUDA backend (a RuntimeError)."""
    check_device("cuda" if device is None or isinstance(device, builtins.int)
                 else device)
    return input


def _prop_H(self: Tensor) -> Tensor:
    """The conjugate transpose of a matrix (real tensors: the transpose), as ``Tensor.H``."""
    nd = self._data.ndim
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    if nd != 2:
        extra = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D "
                           f"tensor.{extra}")
    return self.transpose(0, 1)


properties = {"H": property(_prop_H, doc="The conjugate transpose of a matrix.")}


def _array_wrap(self: Tensor, array, context=None, return_scalar: _bool = False) -> Tensor:
    """A NumPy ufunc's result on tensors, as a tensor sharing its memory (``np.sin(t)``);
    bool results become uint8, as PyTorch's do."""
    if array.dtype == _dt.bool_.np:
        array = array.astype(_dt.uint8.np)
    return Tensor._make(array)


dunders = {"__array_wrap__": _array_wrap}
