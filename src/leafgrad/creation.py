"""Tensor creation: dtype, device and requires_grad are resolved here, in one place."""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Sequence

from . import dtypes as _dt
from .backend import np
from .random import rng
from .tensor import Tensor
from .tensor import device as _device

__all__ = [
    "tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "zeros", "ones", "full",
    "empty", "arange", "range", "linspace", "logspace", "eye", "rand", "randn", "randint",
    "randperm", "normal", "bernoulli", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand_like", "randn_like", "randint_like", "scalar_tensor", "complex",
]


def _finish(data, dtype, requires_grad: bool, device=None) -> Tensor:
    if device is not None:
        _device(device)  # validates: only 'cpu' exists
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = True
    return t


def _infer_array(data, dtype: _dt.dtype | None):
    """A fresh array from Python data (numbers, nested lists, arrays, tensors)."""
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        _dt.from_numpy_dtype(data.dtype)
        arr = np.array(data, copy=True)
    else:
        arr = _from_python(data)
    if dtype is not None:
        arr = arr.astype(_dt.to_dtype(dtype).np, copy=False)
    return arr


def _from_python(data):
    if isinstance(data, (builtins.bool, np.bool_)):
        return np.array(data, dtype=np.bool_)
    if isinstance(data, (int, np.integer)):
        return np.array(data, dtype=np.int64)
    if isinstance(data, (float, np.floating)):
        return np.array(data, dtype=_dt.get_default_dtype().np)
    if isinstance(data, (builtins.complex,)):
        raise TypeError("leafgrad has no complex dtypes")
    if isinstance(data, (str, bytes)) or not hasattr(data, "__len__"):
        raise TypeError(
            f"new(): invalid data type '{type(data).__name__}'"
        )
    items = data if isinstance(data, (list, tuple)) else list(data)
    arr = np.array(_plain(items))
    if arr.dtype == object or arr.dtype.kind in "US":
        raise TypeError(f"new(): invalid data type '{type(data[0]).__name__}'" if len(data)
                        else "new(): invalid data type")
    if arr.dtype.kind == "f":
        # Python floats become the default dtype; float arrays and tensors inside keep theirs.
        kinds = _leaf_dtypes(items)
        arr = arr.astype(_dt.get_default_dtype().np if not kinds else
                         _promote_leaf(kinds), copy=False)
    if arr.size == 0 and arr.dtype.kind != "f" and not _leaf_dtypes(items):
        arr = arr.astype(_dt.get_default_dtype().np)
    return arr


def _plain(items):
    """Replace tensors inside nested lists by their arrays."""
    if isinstance(items, Tensor):
        return items._data
    if isinstance(items, (list, tuple)):
        return [_plain(x) for x in items]
    return items


def _leaf_dtypes(items) -> set:
    """dtypes of float tensors/arrays nested in the data (Python floats are not counted)."""
    found: set = set()
    stack = [items]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            if x._data.dtype.kind == "f":
                found.add(x._data.dtype)
        elif isinstance(x, np.ndarray):
            if x.dtype.kind == "f":
                found.add(x.dtype)
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, (float, np.floating)) and not isinstance(x, np.ndarray):
            found.add(_dt.get_default_dtype().np)
    return found


def _promote_leaf(kinds: set):
    out = None
    for k in kinds:
        out = k if out is None else np.promote_types(out, k)
    return out


def tensor(data, *, dtype: _dt.dtype | None = None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor that copies ``data`` (a number, nested lists, an array or a tensor).

    >>> leafgrad.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
            "requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_infer_array(data, dtype), dtype, requires_grad, device)


def as_tensor(data, dtype: _dt.dtype | None = None, device=None) -> Tensor:
    """A tensor sharing memory with ``data`` where it can (an array or tensor of that dtype)."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is _dt.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray):
        _dt.from_numpy_dtype(data.dtype)
        if dtype is None or _dt.to_dtype(dtype).np == data.dtype:
            return _finish(data, None, False, device)
    return _finish(_infer_array(data, dtype), dtype, False, device)


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    t = as_tensor(obj, dtype=dtype, device=device) if not copy else tensor(obj, dtype=dtype)
    if requires_grad:
        t.requires_grad_()
    return t


def from_numpy(array) -> Tensor:
    """A tensor sharing memory with a NumPy array (writes are seen by both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dt.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def from_dlpack(ext) -> Tensor:
    """A tensor sharing memory with any object that implements ``__dlpack__``."""
    if isinstance(ext, Tensor):
        return ext
    return from_numpy(np.from_dlpack(ext))


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.__index__()
        if not isinstance(s, (int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(
                f"empty(): argument 'size' (position 1) must be tuple of ints, but found "
                f"element of type {type(s).__name__} at pos {len(out)}"
            )
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: "
                f"[{', '.join(str(int(v)) for v in size)}]"
            )
        out.append(int(s))
    return tuple(out)


def _float_dtype(dtype) -> _dt.dtype:
    return _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of zeros of the given size."""
    return _finish(np.zeros(_size(size), _float_dtype(dtype).np), dtype, requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ones of the given size."""
    return _finish(np.ones(_size(size), _float_dtype(dtype).np), dtype, requires_grad, device)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None, pin_memory=False) -> Tensor:
    """An uninitialised tensor of the given size."""
    return _finish(np.empty(_size(size), _float_dtype(dtype).np), dtype, requires_grad, device)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False) -> Tensor:
    """A tensor of the given size filled with ``fill_value`` (its dtype inferred from it)."""
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = _dt.scalar_dtype(fill_value)
    d = _dt.to_dtype(dtype)
    return _finish(np.full(_size((size,)) if not isinstance(size, int) else _size((size,)),
                           fill_value, d.np), d, requires_grad, device)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.array(s, _float_dtype(dtype).np), dtype, requires_grad, device)


def _like_dtype(t: Tensor, dtype):
    return t._data.dtype if dtype is None else _dt.to_dtype(dtype).np


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _finish(np.zeros(input._data.shape, _like_dtype(input, dtype)), dtype, requires_grad)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _finish(np.ones(input._data.shape, _like_dtype(input, dtype)), dtype, requires_grad)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _finish(np.empty(input._data.shape, _like_dtype(input, dtype)), dtype, requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    return _finish(np.full(input._data.shape, fill_value, _like_dtype(input, dtype)), dtype,
                   requires_grad)


def _check_float(name: str, d: _dt.dtype) -> None:
    if not d.is_floating_point:
        raise RuntimeError(f'"{name}" not implemented for \'{d.legacy_name[:-6]}\'')


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform samples on [0, 1)."""
    d = _float_dtype(dtype)
    _check_float("check_uniform_bounds", d)
    data = rng(generator).random(_size(size)).astype(d.np)
    return _finish(data, d, requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Standard normal samples."""
    d = _float_dtype(dtype)
    _check_float("normal_kernel_cpu", d)
    data = rng(generator).standard_normal(_size(size)).astype(d.np)
    return _finish(data, d, requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    """Integers drawn uniformly from [low, high) (int64 unless ``dtype`` says otherwise)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    d = _dt.int64 if dtype is None else _dt.to_dtype(dtype)
    data = rng(generator).integers(low, high, _size((size,) if isinstance(size, int) else
                                                   (tuple(size),))).astype(d.np)
    return _finish(data, d, requires_grad, device)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    d = _dt.int64 if dtype is None else _dt.to_dtype(dtype)
    return _finish(rng(generator).permutation(n).astype(d.np), d, requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False) -> Tensor:
    """Normal samples with the given mean and std (numbers or tensors, broadcast)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if size is not None:
        shape = _size((size,) if isinstance(size, int) else (tuple(size),))
    else:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    d = (_dt.to_dtype(dtype) if dtype is not None else
         ref.dtype if ref is not None else _dt.get_default_dtype())
    data = (rng(generator).standard_normal(shape) * s + m).astype(d.np)
    return _finish(data, d, requires_grad, device)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """Samples 1 with the probability in each element of ``input``, else 0."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    data = (rng(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    return Tensor._make(data)


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    return rand(input._data.shape, generator=generator,
                dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None) -> Tensor:
    return randn(input._data.shape, generator=generator,
                 dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                   requires_grad=requires_grad)


def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 for integer arguments."""
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        d = _dt.get_default_dtype() if is_float else _dt.int64
    else:
        d = _dt.to_dtype(dtype)
    n = math.ceil((end - start) / step)
    data = (np.arange(n, dtype=np.float64) * step + start).astype(d.np) if d.is_floating_point \
        else np.arange(start, end, step).astype(d.np)
    return _finish(data, d, requires_grad, device)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:  # noqa: A001
    """Deprecated in PyTorch: like arange but including ``end``; default dtype."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
        "which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    if end is None:
        start, end = 0, start
    d = _float_dtype(dtype)
    n = int(math.floor((end - start) / step)) + 1
    return _finish((np.arange(n) * step + start).astype(d.np), d, requires_grad, device)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = _float_dtype(dtype)
    start, end = _number(start), _number(end)
    data = _linspace(start, end, steps).astype(d.np)
    return _finish(data, d, requires_grad, device)


def _linspace(start, end, steps):
    # PyTorch fills the first half from start and the second half back from end.
    if steps == 1:
        return np.array([start], dtype=np.float64)
    step = (end - start) / (steps - 1)
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(idx < half, start + step * idx, end - step * (steps - 1 - idx))


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None,
             layout=None, device=None, requires_grad=False) -> Tensor:
    d = _float_dtype(dtype)
    data = np.power(base, _linspace(start, end, steps)).astype(d.np)
    return _finish(data, d, requires_grad, device)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    d = _float_dtype(dtype)
    return _finish(np.eye(n, m, dtype=d.np), d, requires_grad, device)


def complex(real, imag):  # noqa: A001
    raise TypeError("leafgrad has no complex dtypes")


def _legacy_tensor(cls, *args, **kwargs) -> Tensor:
    """``Tensor(data)`` / ``Tensor(*sizes)``: the legacy constructor (default dtype)."""
    d = _dt.get_default_dtype()
    if not args:
        return Tensor._make(np.empty((0,), d.np))
    if builtins.all(isinstance(a, (int, np.integer)) and not isinstance(a, builtins.bool)
                    for a in args):
        return Tensor._make(np.empty(_size(args), d.np))
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]
    return Tensor._make(_infer_array(args[0], d))


def check_size(size: Sequence[int]) -> tuple:
    return _size(tuple(size))
