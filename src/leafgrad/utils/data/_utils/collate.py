"""Collation: a list of samples -> a batch (tensors stacked along a new first dimension).

``default_collate`` shapes and types batches as PyTorch's does: tensors are stacked,
NumPy arrays and scalars become tensors, Python floats float64, ints int64, bools bool,
strings/bytes stay a list, and mappings / namedtuples / sequences are collated field by
field.  ``collate(batch, collate_fn_map=...)`` lets a caller add rules per element type.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any

from ....backend import np
from ....tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# NumPy dtype codes with no tensor counterpart: bytes, str, object
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, "
                                  "numbers, dicts or lists; found {}")


def _as_tensor(x) -> Tensor:
    from ....creation import as_tensor

    if isinstance(x, np.generic):  # a NumPy scalar: through a 0-d array, keeping its dtype
        x = np.asarray(x)
    return as_tensor(x)


def default_convert(data: Any) -> Any:
    """Turn every NumPy array / scalar inside ``data`` into a tensor (containers are kept);
    used when the DataLoader does not batch (``batch_size=None``).

    >>> default_convert({"a": [0, 1]})
    {'a': [0, 1]}
    """
    t = type(data)
    if isinstance(data, Tensor):
        return data
    if t.__module__ == "numpy" and t.__name__ not in ("str_", "string_"):
        if t.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: default_convert(data[k]) for k in data})
                return clone
            return t({k: default_convert(data[k]) for k in data})
        except TypeError:
            return {k: default_convert(data[k]) for k in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return t(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as PyTorch returns
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return t([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch: Any, *, collate_fn_map: dict | None = None) -> Any:
    """Collate ``batch`` (a list of samples), dispatching on the type of its first element:
    an exact match in ``collate_fn_map`` first, then the first key it is an instance of,
    then containers (mapping, namedtuple, sequence) recursively."""
    elem = batch[0]
    t = type(elem)
    if collate_fn_map is not None:
        if t in collate_fn_map:
            return collate_fn_map[t](batch, collate_fn_map=collate_fn_map)
        for key in collate_fn_map:
            if isinstance(elem, key):
                return collate_fn_map[key](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        def field(k):
            return collate([d[k] for d in batch], collate_fn_map=collate_fn_map)
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({k: field(k) for k in elem})
                return clone
            return t({k: field(k) for k in elem})
        except TypeError:
            return {k: field(k) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return t(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns  # a list, as PyTorch returns
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, c in enumerate(columns):
                    clone[i] = c
                return clone
            return t(columns)
        except TypeError:
            return columns
    raise TypeError(default_collate_err_msg_format.format(t))


def collate_tensor_fn(batch, *, collate_fn_map: dict | None = None) -> Tensor:
    """Tensors stacked along a new first dimension."""
    from ....ops import stack

    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: dict | None = None) -> Any:
    """NumPy arrays as tensors, then stacked."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([_as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: dict | None = None) -> Tensor:
    """NumPy scalars as one tensor of their (promoted) dtype."""
    if all(isinstance(b, np.bool_) for b in batch):
        return _as_tensor(np.array(batch, dtype=np.bool_))
    return _as_tensor(list(batch))


def collate_float_fn(batch, *, collate_fn_map: dict | None = None) -> Tensor:
    """Python floats as a float64 tensor."""
    from ....creation import tensor
    from ....dtypes import float64

    return tensor(list(batch), dtype=float64)


def collate_int_fn(batch, *, collate_fn_map: dict | None = None) -> Tensor:
    """Python ints as an int64 tensor (bools as a bool tensor)."""
    from ....creation import tensor

    return tensor(list(batch))


def collate_str_fn(batch, *, collate_fn_map: dict | None = None) -> Any:
    """Strings and bytes are kept as they are (the batch list)."""
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: Any) -> Any:
    """Collate a list of samples into a batch, as PyTorch's ``default_collate``.

    >>> default_collate([(leafgrad.tensor([1., 2.]), 0), (leafgrad.tensor([3., 4.]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
