"""Indexing: ``x[...]``, gather/scatter, index_*, masked_*, take, sort/topk and friends.

Basic indexing (ints, slices, None, Ellipsis) returns views and records PyTorch's
chain of nodes, one per step (SelectBackward0, SliceBackward0, UnsqueezeBackward0,
or AliasBackward0 when nothing changes); integer and boolean tensors then index
the view with NumPy's advanced-indexing rules (IndexBackward0, a copy).  The
parsing lives in ``parse_index`` so ``__setitem__`` can reuse it.

Index tensors never require grad and outputs that are indices are int64.  The
vjps scatter with ``np.add.at`` semantics (repeated indices accumulate) through
primitives that are themselves differentiable, so double backward works.
"""

from __future__ import annotations

import sys
import types
import warnings

from ..autograd.grad_mode import state as _grad_state
from ..backend import np
from ..backend import scatter_add as _np_scatter_add
from ..tensor import Tensor, _c_name, _wrap_dim
from ._dispatch import SCALARS, cast
from .registry import Op, apply

__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
    "index_copy", "index_fill", "masked_fill", "masked_select", "masked_scatter", "take",
    "take_along_dim", "nonzero", "argwhere", "sort", "argsort", "msort", "topk", "kthvalue",
    "searchsorted", "unique",
]
methods = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
    "index_copy", "index_fill", "masked_fill", "masked_select", "masked_scatter", "take",
    "take_along_dim", "nonzero", "argwhere", "sort", "argsort", "msort", "topk", "kthvalue",
    "unique",
]

_C = slice(None)
_UNSET = type("_Unset", (), {"__repr__": lambda self: "False"})()  # stable= not given
_E = Ellipsis
_INT64_MAX = 9223372036854775807
_INDEX_KINDS = (np.dtype(np.int64), np.dtype(np.int32))
_I64 = np.dtype(np.int64)
_B = np.dtype(np.bool_)
_int = int
_bool = bool
_INTS = (int, np.integer)
_SCALAR_TYPE = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}


# -- small helpers ---------------------------------------------------------------------
def _scalar_type(a) -> str:
    """A dtype as PyTorch's messages name a ScalarType ('Float', 'Long' ...)."""
    return _SCALAR_TYPE[a.dtype.name]


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _require_tensor(fn: str, name: str, pos: int, value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                    f"{type(value).__name__}")


def _broadcast(a: tuple, b: tuple) -> tuple:
    """The broadcast of shapes ``a`` and ``b`` with PyTorch's error (a, b named as given)."""
    if a == b:
        return a
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
    return tuple(out)


def _zeros(shape, dtype) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype))


def _const(array) -> Tensor:
    """A constant (non-differentiable) tensor for a vjp: masks, counts."""
    return Tensor._make(array)


_UNSIGNED = {np.dtype(np.int64): np.uint64, np.dtype(np.int32): np.uint32}


def _first_bad(idx, lo: int, hi: int):
    """The first value of ``idx`` (C order) outside [lo, hi), or None."""
    if idx.size == 0:
        return None
    u = _UNSIGNED.get(idx.dtype)
    if u is not None and hi > lo:
        # One reduction: shifted to [0, hi - lo), out-of-range values (negative ones
        # wrap to huge unsigned ones) exceed the bound.
        shifted = idx if lo == 0 else idx - lo
        if shifted.view(u).max() < hi - lo:
            return None
    elif idx.min() >= lo and idx.max() < hi:
        return None
    bad = (idx < lo) | (idx >= hi)
    return _int(idx.reshape(-1)[np.argmax(bad.reshape(-1))])


def _dim_key(dim: int, index) -> tuple:
    """The NumPy key that indexes dimension ``dim`` with ``index``."""
    return (_C,) * dim + (index, _E)


# -- return types (torch.return_types) -------------------------------------------------
return_types = types.ModuleType("leafgrad.return_types",
                                "Named tuples returned by ops with several outputs.")
sys.modules.setdefault("leafgrad.return_types", return_types)


def _structseq(name: str, fields: tuple) -> type:
    """A tuple subclass with named fields that prints as PyTorch's return types do."""

    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(fields):
            raise TypeError(f"leafgrad.return_types.{name} takes a {len(fields)}-sequence "
                            f"({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"leafgrad.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))

    ns = {"__slots__": (), "__new__": __new__, "__repr__": __repr__, "__reduce__": __reduce__,
          "n_fields": len(fields), "n_sequence_fields": len(fields), "n_unnamed_fields": 0,
          "__module__": "leafgrad.return_types"}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), ns)
    setattr(return_types, name, cls)
    return cls


_SortResult = _structseq("sort", ("values", "indices"))
_TopkResult = _structseq("topk", ("values", "indices"))
_KthvalueResult = _structseq("kthvalue", ("values", "indices"))


# -- basic-indexing views and their vjps -------------------------------------------------
class Select(Op):
    """``x.select(dim, index)``: a view without dimension ``dim``."""

    view = True

    def forward(xp, x, *, dim, index, shape):
        return x[_dim_key(dim, index)]

    def vjp(g, out, x, *, dim, index, shape):
        return apply(SelectBackwardOp, g, dim=dim, index=index,
                     shape=shape)


class SelectBackwardOp(Op):
    """Zeros of the input's shape with ``g`` at the selected slot (linear in ``g``)."""

    name = "SelectBackwardBackward0"

    def forward(xp, g, *, dim, index, shape):
        z = xp.zeros(shape, g.dtype)
        z[_dim_key(dim, index)] = g
        return z

    def vjp(gg, out, g, *, dim, index, shape):
        return apply(Select, gg, dim=dim, index=index, shape=shape)


class Slice(Op):
    """``x[..., start:end:step]`` on dimension ``dim`` (step > 0): a view."""

    view = True

    def forward(xp, x, *, dim, start, end, step, shape):
        return x[_dim_key(dim, slice(start, end, step))]

    def vjp(g, out, x, *, dim, start, end, step, shape):
        return apply(SliceBackwardOp, g, dim=dim, start=start, end=end, step=step,
                     shape=shape)


class SliceBackwardOp(Op):
    name = "SliceBackwardBackward0"

    def forward(xp, g, *, dim, start, end, step, shape):
        z = xp.zeros(shape, g.dtype)
        z[_dim_key(dim, slice(start, end, step))] = g
        return z

    def vjp(gg, out, g, *, dim, start, end, step, shape):
        return apply(Slice, gg, dim=dim, start=start, end=end, step=step,
                     shape=shape)


class Unsqueeze(Op):
    view = True

    def forward(xp, x, *, dim):
        return xp.expand_dims(x, dim)

    def vjp(g, out, x, *, dim):
        shape = g._data.shape
        return g.reshape(shape[:dim] + shape[dim + 1:])


class Alias(Op):
    """``x[...]``, ``x[:]``: a view of the whole tensor."""

    view = True

    def forward(xp, x):
        return x.view()

    def vjp(g, out, x):
        return g


class BasicView(Op):
    """All basic indices at once, as one NumPy key: used when no graph is recorded."""

    view = True
    name = "AliasBackward0"

    def forward(xp, x, *, key):
        return x[key]

    def vjp(g, out, x, *, key):  # never recorded (see _apply_plan); kept for completeness
        return apply(Embed, g, key=key, shape=x._data.shape, unique=True)


class Embed(Op):
    """Zeros of ``shape`` with ``g`` placed at ``key`` (summed where ``key`` repeats)."""

    name = "IndexPutBackward0"

    def forward(xp, g, *, key, shape, unique):
        z = xp.zeros(shape, g.dtype)
        if unique:
            z[key] = g
        else:
            _np_scatter_add(xp, z, key, g)
        return z

    def vjp(gg, out, g, *, key, shape, unique):
        return apply(Index, gg, key=key, indices=None, shape=shape, unique=unique)


class Index(Op):
    """Advanced indexing (integer arrays, masks): a copy."""

    def forward(xp, x, *, key, indices, shape, unique):
        return x[key]

    def vjp(g, out, x, *, key, indices, shape, unique):
        return apply(Embed, g, key=key, shape=shape, unique=unique)


# -- index parsing (shared with __setitem__) ---------------------------------------------
SELECT, SLICE, UNSQUEEZE = 0, 1, 2

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
              "Variables are valid indices (got {})")
_BAD_TENSOR = "tensors used as indices must be long, int, byte or bool tensors"
_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
    "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[leafgrad.tensor(seq)], which will result either in an "
    "error or a different result"
)
_UINT8_WARNING = ("indexing with dtype leafgrad.uint8 is now deprecated, please use a dtype "
                  "leafgrad.bool instead.")


class IndexPlan:
    """A PyTorch index resolved against a shape.

    steps   the basic steps in order, as PyTorch records them: (SELECT, dim, index),
            (SLICE, dim, start, end, step), (UNSQUEEZE, dim); no-op slices are dropped
    basic   one NumPy key applying every basic step to the original array (a view)
    adv     a NumPy key (integer arrays, bool masks, ``:``) for the array ``basic``
            gives, or None when the index is basic
    shape   the shape ``basic`` gives
    unique  ``adv`` cannot hit one element twice (masks only)
    indices PyTorch's ``_saved_indices``: index tensors, None for untouched dims

    ``x[index] = v`` can write through it: ``view = x._data[plan.basic]``, then
    ``view[...] = v`` (basic) or ``view[plan.adv] = v`` (PyTorch's index_put_).
    """

    __slots__ = ("steps", "basic", "adv", "shape", "unique", "indices")

    def __init__(self, steps, basic, adv, shape, unique, indices):
        self.steps = steps
        self.basic = basic
        self.adv = adv
        self.shape = shape
        self.unique = unique
        self.indices = indices


def _type_name(obj) -> str:
    t = type(obj)
    mod = t.__module__
    return t.__qualname__ if mod == "builtins" else f"{mod.split('.')[0]}.{t.__qualname__}"


def _as_tuple(index) -> tuple:
    """A non-tuple index as a tuple: PyTorch (like old NumPy) reads some lists as tuples."""
    if index.__class__ is list and len(index) < 32:
        for it in index:
            if (it is None or it is _E or isinstance(it, (slice, list, tuple, Tensor,
                                                           np.ndarray))):
                warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=4)
                return tuple(index)
    return (index,)


def _index_array(it):
    """An index item that is a tensor, array or (nested) sequence, as a NumPy array."""
    if isinstance(it, Tensor):
        a = it._data
    elif isinstance(it, np.ndarray):
        a = it
    elif isinstance(it, (list, tuple, range)):
        if isinstance(it, list) and len(it) == 0:
            return np.zeros(0, np.int64)
        try:
            a = np.array([v._data if isinstance(v, Tensor) else v for v in it]
                         if any(isinstance(v, Tensor) for v in it) else it)
        except ValueError:
            raise ValueError("expected a sequence of integers or bools as an index") from None
        if a.dtype.kind not in "biuf":
            raise TypeError(f"new(): invalid data type '{a.dtype.name}'")
        # PyTorch makes a list a bool tensor or an int64 one (floats truncate).
        return a if a.dtype.kind == "b" else a.astype(np.int64)
    elif isinstance(it, str):
        raise TypeError("new(): invalid data type 'str'")
    else:
        raise IndexError(_BAD_INDEX.format(_type_name(it)))
    k = a.dtype
    if k == np.bool_:
        return a
    if k == np.uint8:
        warnings.warn(_UINT8_WARNING, UserWarning, stacklevel=4)
        return a.astype(np.bool_)
    if k == np.int64:
        return a
    if k == np.int32:
        return a.astype(np.int64)
    raise IndexError(_BAD_TENSOR)


def _count_dims(index: tuple) -> int:
    n = 0
    for it in index:
        if it is None or it is _E or it.__class__ is bool:
            continue
        if isinstance(it, (Tensor, np.ndarray)):
            a = it._data if isinstance(it, Tensor) else it
            if a.dtype == np.bool_ or a.dtype == np.uint8:
                n += a.ndim
                continue
        n += 1
    return n


def _zero_dim_error(index: tuple) -> None:
    for it in index:
        if it is None or it is _E or it.__class__ is bool:
            continue
        if isinstance(it, _INTS) and not isinstance(it, (bool, np.bool_)):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if it.__class__ is slice:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        break
    raise IndexError("too many indices for tensor of dimension 0")


def _slice_len(start, stop, step, size) -> int:
    return len(range(*slice(start, stop, step).indices(size)))


def parse_index(shape: tuple, index) -> IndexPlan:
    """Resolve a PyTorch index against ``shape`` (PyTorch's rules and errors)."""
    # A lone slice always records its step (PyTorch skips no-op slices only in tuples).
    keep_all = index.__class__ is slice
    if index.__class__ is not tuple:
        index = _as_tuple(index)
    ndim = len(shape)
    spec = _count_dims(index)
    if spec > ndim:
        if ndim == 0:
            _zero_dim_error(index)
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    cur = list(shape)
    steps: list = []
    basic: list = []
    adv: list = []
    adv_dims: list = []  # (position in adv, array)
    dim = 0
    for pos, it in enumerate(index):
        cls = it.__class__
        if cls is bool:
            it = np.array([it])
            steps.append((UNSQUEEZE, dim))
            cur.insert(dim, 1)
            basic.append(None)
            adv_dims.append((len(adv), it))
            adv.append(it)
            dim += 1
            continue
        if cls is int or (isinstance(it, np.integer) and cls is not np.bool_):
            pass
        elif isinstance(it, (Tensor, np.ndarray)) and (it._data if cls is Tensor
                                                        else it).ndim == 0:
            a = it._data if cls is Tensor else it
            if a.dtype.kind == "b" or a.dtype == np.uint8:
                if a.dtype == np.uint8:
                    warnings.warn(_UINT8_WARNING, UserWarning, stacklevel=3)
                flag = np.array([_bool(a)])
                steps.append((UNSQUEEZE, dim))
                cur.insert(dim, 1)
                basic.append(None)
                adv_dims.append((len(adv), flag))
                adv.append(flag)
                dim += 1
                continue
            if a.dtype.kind not in "iu":
                raise IndexError(_BAD_TENSOR)
            it = _int(a)
        elif cls is slice:
            start, stop, step = it.start, it.stop, it.step
            if start is not None:
                start = start.__index__()
            if stop is not None:
                stop = stop.__index__()
            if step is None:
                step = 1
            else:
                step = step.__index__()
                if step == 0:
                    raise ValueError("slice step cannot be zero")
                if step < 0:
                    raise ValueError("step must be greater than zero")
            size = cur[dim]
            if keep_all or not ((start is None or start == 0) and step == 1
                                and (stop is None or stop >= size)):
                s0 = 0 if start is None else start
                s1 = _INT64_MAX if stop is None else stop
                steps.append((SLICE, dim, s0, s1, step))
                cur[dim] = _slice_len(start, stop, step, size)
            basic.append(slice(start, stop, step))
            adv.append(_C)
            dim += 1
            continue
        elif it is None:
            steps.append((UNSQUEEZE, dim))
            cur.insert(dim, 1)
            basic.append(None)
            adv.append(_C)
            dim += 1
            continue
        elif it is _E:
            n = ndim - spec
            basic.extend([_C] * n)
            adv.extend([_C] * n)
            dim += n
            continue
        else:
            a = _index_array(it)
            k = a.ndim if a.dtype == np.bool_ else 1
            if a.ndim == 0 and a.dtype == np.bool_:  # a 0-d mask from a nested sequence
                a = a.reshape(1)
                steps.append((UNSQUEEZE, dim))
                cur.insert(dim, 1)
                basic.append(None)
                k = 1
            else:
                basic.extend([_C] * k)
            adv_dims.append((len(adv), a))
            adv.append(a)
            dim += k
            continue
        # an integer: select
        if dim >= len(cur):
            raise IndexError(f"index {it} is out of bounds for dimension {pos} with size 0")
        size = cur[dim]
        if not -size <= it < size:
            raise IndexError(f"index {it} is out of bounds for dimension {pos} with size {size}")
        steps.append((SELECT, dim, it))
        del cur[dim]
        basic.append(it)
    basic.append(_E)
    if not adv_dims:
        return IndexPlan(steps, tuple(basic), None, tuple(cur), True, None)
    return _plan_advanced(steps, tuple(basic), adv, adv_dims, cur)


def _plan_advanced(steps, basic, adv, adv_dims, cur) -> IndexPlan:
    """Check the advanced part of an index against the shape ``cur`` after basic steps."""
    # Masks must match the dims they cover; each becomes one index per dim (nonzero).
    expanded = []  # (shape for the broadcast message, array or None for a mask dim, size)
    unique = True
    k = 0
    for p, a in adv_dims:
        d = _adv_dim(adv, p)
        if a.dtype == np.bool_:
            for j, s in enumerate(a.shape):
                if d + j >= len(cur) or cur[d + j] != s:
                    raise IndexError(
                        f"The shape of the mask {_shape_str(a.shape)} at index {j} does not "
                        f"match the shape of the indexed tensor {_shape_str(cur)} at index "
                        f"{d + j}")
            n = _int(np.count_nonzero(a))
            expanded.extend([((n,), None, 0)] * a.ndim)
        else:
            unique = False
            expanded.append((a.shape, a, cur[d]))
    if len(expanded) > 1:
        shapes = [e[0] for e in expanded]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError(
                "shape mismatch: indexing tensors could not be broadcast together with shapes "
                + ", ".join(_shape_str(s) for s in shapes)) from None
    for k, (_, a, size) in enumerate(expanded):
        if a is not None:
            bad = _first_bad(a, -size, size)
            if bad is not None:
                raise IndexError(
                    f"index {bad} is out of bounds for dimension {k} with size {size}")
    indices = [None if e is _C else Tensor._make(e) for e in adv]
    while indices and indices[-1] is None:
        indices.pop()
    return IndexPlan(steps, basic, tuple(adv) + (_E,), tuple(cur), unique, tuple(indices))


def _adv_dim(adv: list, p: int) -> int:
    """The dim (after basic steps) that entry ``p`` of the advanced key starts at."""
    d = 0
    for e in adv[:p]:
        d += 1 if e is _C else (e.ndim if e.dtype == np.bool_ else 1)
    return d


def _apply_plan(x: Tensor, plan: IndexPlan) -> Tensor:
    steps = plan.steps
    if x._rg and _grad_state.enabled:
        # Record PyTorch's chain of nodes, one per basic step.
        for st in steps:
            kind = st[0]
            if kind == SELECT:
                x = apply(Select, x, dim=st[1], index=st[2], shape=x._data.shape)
            elif kind == SLICE:
                x = apply(Slice, x, dim=st[1], start=st[2], end=st[3], step=st[4],
                          shape=x._data.shape)
            else:
                x = apply(Unsqueeze, x, dim=st[1])
        if plan.adv is None:
            return x if steps else apply(Alias, x)
    elif plan.adv is None or steps:
        x = apply(BasicView, x, key=plan.basic) if steps else apply(Alias, x)
        if plan.adv is None:
            return x
    return apply(Index, x, key=plan.adv, indices=plan.indices, shape=plan.shape,
                 unique=plan.unique)


def getitem(self: Tensor, index) -> Tensor:
    """``self[index]`` with PyTorch's rules: basic indices give views, tensors give copies.

    >>> x = leafgrad.arange(6.).reshape(2, 3)
    >>> x[1, 1:]
    tensor([4., 5.])
    >>> x[x > 2]
    tensor([3., 4., 5.])
    """
    cls = index.__class__
    shape = self._data.shape
    # Fast paths for the common x[i], x[a:b], x[index_tensor], x[mask].
    if cls is int:
        if shape:
            n = shape[0]
            if -n <= index < n:
                return apply(Select, self, dim=0, index=index, shape=shape)
    elif cls is slice:
        start, stop = index.start, index.stop
        if (shape and index.step is None and (start is None or start.__class__ is int)
                and (stop is None or stop.__class__ is int)):
            return apply(Slice, self, dim=0, start=0 if start is None else start,
                         end=_INT64_MAX if stop is None else stop, step=1, shape=shape)
    elif cls is Tensor and shape:
        a = index._data
        if a.ndim:
            if a.dtype == _I64:
                n = shape[0]
                if _first_bad(a, -n, n) is None:
                    return apply(Index, self, key=(a, _E), indices=(index,), shape=shape,
                                 unique=False)
            elif a.dtype == _B and a.shape == shape:
                return apply(Index, self, key=(a, _E), indices=(index,), shape=shape,
                             unique=True)
    return _apply_plan(self, parse_index(shape, index))


# -- gather / scatter ---------------------------------------------------------------------
def _as1d(a):
    return a.reshape(1) if a.ndim == 0 else a


_GRIDS: dict = {}


def _grid(xp, shape: tuple) -> list:
    """Open-grid index arrays for ``shape`` (cached: they are only ever read)."""
    g = _GRIDS.get((xp, shape))
    if g is None:
        n = len(shape)
        g = [xp.arange(s).reshape((1,) * d + (s,) + (1,) * (n - d - 1))
             for d, s in enumerate(shape)]
        if len(_GRIDS) > 512:
            _GRIDS.clear()
        _GRIDS[(xp, shape)] = g
    return g


def _scatter_key(xp, idx, dim) -> tuple:
    """The NumPy key of the elements ``idx`` picks along ``dim`` (gather/scatter)."""
    idx = _as1d(idx)
    key = list(_grid(xp, idx.shape))
    key[dim] = idx
    return tuple(key)


def _np_gather(xp, x, dim, idx):
    return _as1d(x)[_scatter_key(xp, idx, dim)]


def _src_part(src, idx):
    """The leading block of ``src`` that ``idx`` covers."""
    src, idx = _as1d(src), _as1d(idx)
    if src.shape == idx.shape:
        return src
    return src[tuple(slice(0, s) for s in idx.shape)]


def _pad_grad(g: Tensor, shape: tuple) -> Tensor:
    """``g`` (the shape of an index) inside zeros of a larger source's ``shape``."""
    if g._data.shape == shape:
        return g
    if len(shape) == 0:
        return g.reshape(())
    key = tuple(slice(0, s) for s in g._data.shape) + (_E,)
    return apply(Embed, g, key=key, shape=shape, unique=True)


def _check_index_kind(idx, fn: str) -> None:
    if idx._data.dtype not in _INDEX_KINDS:
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index")


def _check_bounds(idx, size: int, dim: int, exc=RuntimeError, prefix: str = "") -> None:
    bad = _first_bad(idx, 0, size)
    if bad is not None:
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _nonempty(shape: tuple) -> tuple:
    return shape if shape else (1,)


class Gather(Op):
    def forward(xp, x, *, dim, index, sparse_grad, self_shape):
        out = _np_gather(xp, x, dim, index._data)
        return out.reshape(()) if index._data.ndim == 0 else out

    def vjp(g, out, x, *, dim, index, sparse_grad, self_shape):
        z = _zeros(self_shape, g._data.dtype)
        return apply(ScatterAdd, z, g, dim=dim, index=index, src_shape=g._data.shape)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out=None) -> Tensor:
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]``.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).gather(1, leafgrad.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    index = _require_tensor("gather", "index", 3, index)
    shape = input._data.shape
    dim = _wrap_dim(dim, input._data.ndim)
    _check_index_kind(index, "gather")
    ishape = index._data.shape
    if max(len(ishape), 1) != max(len(shape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if index._data.size:
        s, i = _nonempty(shape), _nonempty(ishape)
        for d in range(len(s)):
            if d != dim and i[d] > s[d]:
                raise RuntimeError(
                    f"Size does not match at dimension {d} expected index {_shape_str(ishape)} "
                    f"to be no larger than self {_shape_str(shape)} apart from dimension {dim}")
        _check_bounds(index._data, _nonempty(shape)[dim], dim)
    return apply(Gather, input, dim=dim, index=index, sparse_grad=sparse_grad, self_shape=shape)


def _check_scatter(input: Tensor, dim, index, src, fn: str = "scatter") -> int:
    """PyTorch's checks for the scatter family; returns the wrapped dim."""
    index = _require_tensor(fn, "index", 3, index)
    shape = input._data.shape
    dim = _wrap_dim(dim, input._data.ndim)
    _check_index_kind(index, "scatter")
    ishape = index._data.shape
    nd = max(len(shape), 1)
    if max(len(ishape), 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if src is not None:
        if max(src._data.ndim, 1) != nd:
            raise RuntimeError(
                "Index tensor must have the same number of dimensions as src tensor")
        if src._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if index._data.size:
        s, i = _nonempty(shape), _nonempty(ishape)
        sr = _nonempty(src._data.shape) if src is not None else None
        for d in range(nd):
            if (d != dim and i[d] > s[d]) or (sr is not None and i[d] > sr[d]):
                if src is None:
                    raise RuntimeError(
                        f"Expected index {_shape_str(ishape)} to be no larger than self "
                        f"{_shape_str(shape)} apart from dimension {dim}")
                raise RuntimeError(
                    f"Expected index {_shape_str(ishape)} to be no larger than self "
                    f"{_shape_str(shape)} apart from dimension {dim} and to be no larger size "
                    f"than src {_shape_str(src._data.shape)}")
        _check_bounds(index._data, s[dim], dim)
    return dim


class Scatter(Op):
    """``input`` with ``src`` written at ``index`` along ``dim``."""

    args = ("self", "src")

    def forward(xp, x, src, *, dim, index, src_shape):
        z = _as1d(x).copy()
        idx = index._data
        z[_scatter_key(xp, idx, dim)] = _src_part(src, idx)
        return z.reshape(x.shape)

    def vjp(g, out, x, src, *, dim, index, src_shape):
        gs = apply(Gather, g, dim=dim, index=index, sparse_grad=False, self_shape=g._data.shape)
        return apply(ScatterValue, g, dim=dim, index=index, value=0), _pad_grad(gs, src_shape)


class ScatterValue(Op):
    """``input`` with the number ``value`` written at ``index`` along ``dim``."""

    name = "ScatterBackward1"

    def forward(xp, x, *, dim, index, value):
        z = _as1d(x).copy()
        z[_scatter_key(xp, index._data, dim)] = value
        return z.reshape(x.shape)

    def vjp(g, out, x, *, dim, index, value):
        return apply(ScatterValue, g, dim=dim, index=index, value=0)


class ScatterAdd(Op):
    args = ("self", "src")

    def forward(xp, x, src, *, dim, index, src_shape):
        z = _as1d(x).copy()
        idx = index._data
        _np_scatter_add(xp, z, _scatter_key(xp, idx, dim), _src_part(src, idx))
        return z.reshape(x.shape)

    def vjp(g, out, x, src, *, dim, index, src_shape):
        gs = apply(Gather, g, dim=dim, index=index, sparse_grad=False, self_shape=g._data.shape)
        return g, _pad_grad(gs, src_shape)


_UFUNCS = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum",
           "mean": "add", "add": "add", "multiply": "multiply"}


def _identity(reduce: str, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce != "amax"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _np_scatter_reduce(xp, x, src, idx, dim, reduce, include_self):
    z = _as1d(x).copy()
    key = _scatter_key(xp, idx, dim)
    part = _src_part(src, idx)
    if not include_self:
        z[key] = _identity(reduce, z.dtype)
    getattr(xp, _UFUNCS[reduce]).at(z, key, part)
    if reduce == "mean":
        n = xp.ones(z.shape, xp.int64) if include_self else xp.zeros(z.shape, xp.int64)
        _np_scatter_add(xp, n, key, 1)
        n[n == 0] = 1
        if z.dtype.kind == "f":
            z /= n.astype(z.dtype)
        else:
            z = (z // n).astype(z.dtype)
    return z.reshape(x.shape)


class ScatterReduce(Op):
    args = ("self", "src")
    saves = ("self", "src", "result")

    def forward(xp, x, src, *, dim, index, reduce, include_self):
        return _np_scatter_reduce(xp, x, src, index._data, dim, reduce, include_self)

    def vjp(g, out, x, src, *, dim, index, reduce, include_self):
        idx = index._data
        sshape = src._data.shape
        xd = _as1d(x._data)
        sd = _src_part(src._data, idx)

        def gather(t):
            return apply(Gather, t, dim=dim, index=index, sparse_grad=False,
                         self_shape=t._data.shape)

        if reduce == "sum":
            gx, gs = g, gather(g)
        elif reduce == "mean":
            n = np.ones(xd.shape, xd.dtype) if include_self else np.zeros(xd.shape, xd.dtype)
            _np_scatter_add(np, n, _scatter_key(np, idx, dim), 1)
            n[n == 0] = 1
            n = n.reshape(x._data.shape)
            gx = g / _const(n)
            gs = gather(g) / _const(_np_gather(np, n, dim, idx).reshape(idx.shape))
        elif reduce == "prod":
            gx, gs = _prod_grads(g, out, x, src, dim, index, include_self, gather)
        else:  # amax, amin: the gradient is shared evenly between the tied extremes
            od = out._data
            value = _np_gather(np, od, dim, idx).reshape(idx.shape)
            x_is = (x._data == od).astype(xd.dtype)
            s_is = (sd.reshape(idx.shape) == value).astype(xd.dtype)
            n = _as1d(x_is).copy()
            _np_scatter_add(np, n, _scatter_key(np, idx, dim), s_is)
            gd = g / _const(n.reshape(x._data.shape))
            gx = gd * _const(x_is)
            gs = gather(gd) * _const(s_is)
        if not include_self:
            gx = apply(ScatterValue, gx, dim=dim, index=index, value=0)
        return gx, _pad_grad(gs, sshape)


def _where(mask, a: Tensor, b: Tensor) -> Tensor:
    """``a`` where ``mask`` (a NumPy bool array), else ``b``: for finite a and b."""
    return (apply(MaskedFill, a, mask=~mask, value=0, self_shape=a._data.shape)
            + apply(MaskedFill, b, mask=mask, value=0, self_shape=b._data.shape))


def _prod_grads(g, out, x, src, dim, index, include_self, gather):
    """Gradients of a scatter product, exact where a factor is zero."""
    idx = index._data
    xd = x._data
    # d(prod)/d(self): the product of the other factors, recomputed with self's zeros as 1.
    x_zero = xd == 0
    mx = apply(MaskedFill, x, mask=x_zero, value=1, self_shape=xd.shape)
    mx_result = apply(ScatterReduce, mx, src, dim=dim, index=index, reduce="prod",
                      include_self=include_self)
    gx = g * mx_result / mx
    # d(prod)/d(src): result / src, or, for the only zero of a slot, the product of the rest.
    sd = src._data
    s_zero = sd == 0
    part_zero = _src_part(s_zero, idx).reshape(idx.shape)
    nz = np.zeros(_as1d(xd).shape, xd.dtype)
    _np_scatter_add(np, nz, _scatter_key(np, idx, dim), part_zero.astype(xd.dtype))
    nz_at = _np_gather(np, nz.reshape(xd.shape), dim, idx).reshape(idx.shape)
    single = np.zeros(sd.shape, bool)
    single[tuple(slice(0, s) for s in idx.shape) + (_E,)] = part_zero & (nz_at == 1)
    ms = apply(MaskedFill, src, mask=single, value=1, self_shape=sd.shape)
    ms_result = apply(ScatterReduce, x, ms, dim=dim, index=index, reduce="prod",
                      include_self=include_self)
    src0 = apply(MaskedFill, src, mask=s_zero, value=1, self_shape=sd.shape)
    src0 = _take_block(src0, idx.shape)
    single_i = single[tuple(slice(0, s) for s in idx.shape) + (_E,)].reshape(idx.shape)
    gs = _where(single_i, gather(g * ms_result), gather(g * out) / src0)
    return gx, gs


def _take_block(t: Tensor, shape: tuple) -> Tensor:
    """The leading block of ``t`` with ``shape`` (a view)."""
    if t._data.shape == shape:
        return t
    if t._data.ndim == 0 or len(shape) == 0:
        return t.reshape(shape)
    key = tuple(slice(0, s) for s in shape) + (_E,)
    return apply(BasicView, t, key=key) if not t._rg else _slices(t, shape)


def _slices(t: Tensor, shape: tuple) -> Tensor:
    for d, s in enumerate(shape):
        if t._data.shape[d] != s:
            t = apply(Slice, t, dim=d, start=0, end=s, step=1, shape=t._data.shape)
    return t


class ScatterLegacy(Op):
    """``scatter(..., reduce='add'|'multiply')``: PyTorch defines no derivative."""

    args = ("self", "src")
    name = "leafgrad::autograd::NotImplemented"

    def forward(xp, x, src, *, dim, index, reduce, value):
        z = _as1d(x).copy()
        idx = index._data
        part = value if value is not None else _src_part(src, idx)
        getattr(xp, _UFUNCS[reduce]).at(z, _scatter_key(xp, idx, dim), part)
        return z.reshape(x.shape)

    def vjp(g, out, x, src, *, dim, index, reduce, value):
        raise RuntimeError("derivative for aten::scatter is not implemented")


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None, out=None) -> Tensor:
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``.

    >>> leafgrad.zeros(2, 3).scatter(1, leafgrad.tensor([[2], [0]]), 1.)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if src is None:
        src = value
    if isinstance(src, Tensor):
        dim = _check_scatter(input, dim, index, src)
        if reduce is not None:
            return _scatter_legacy(input, dim, index, src, None, reduce)
        return apply(Scatter, input, src, dim=dim, index=index, src_shape=src._data.shape)
    if not isinstance(src, SCALARS):
        raise TypeError(f"scatter(): argument 'src' must be Tensor or Number, not "
                        f"{type(src).__name__}")
    dim = _check_scatter(input, dim, index, None)
    v = np.array(src).astype(input._data.dtype).item()
    if reduce is not None:
        return _scatter_legacy(input, dim, index, None, v, reduce)
    return apply(ScatterValue, input, dim=dim, index=index, value=v)


def _scatter_legacy(input, dim, index, src, value, reduce):
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if src is None:
        src = _zeros((), input._data.dtype)
        return apply(ScatterLegacy, input, src, dim=dim, index=index, reduce=reduce,
                     value=value)
    return apply(ScatterLegacy, input, src, dim=dim, index=index, reduce=reduce, value=None)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices sum)."""
    src = _require_tensor("scatter_add", "src", 4, src)
    dim = _check_scatter(input, dim, index, src, "scatter_add")
    return apply(ScatterAdd, input, src, dim=dim, index=index, src_shape=src._data.shape)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with 'sum', 'prod', 'mean',
    'amax' or 'amin' (``include_self``: whether ``input``'s values take part)."""
    src = _require_tensor("scatter_reduce", "src", 4, src)
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    dim = _check_scatter(input, dim, index, src, "scatter_reduce")
    return apply(ScatterReduce, input, src, dim=dim, index=index, reduce=reduce,
                 include_self=_bool(include_self))


# -- index_select / index_add / index_copy / index_fill ----------------------------------
def _vector_index(index: Tensor):
    idx = index._data
    return idx.reshape(1) if idx.ndim == 0 else idx


class IndexSelect(Op):
    def forward(xp, x, *, dim, index, shape):
        idx = _vector_index(index)
        if x.ndim == 0:
            return x.reshape(1)[idx].reshape(())
        return xp.take(x, idx, axis=dim)

    def vjp(g, out, x, *, dim, index, shape):
        z = _zeros(shape, g._data.dtype)
        return apply(IndexAdd, z, g, dim=dim, index=index, alpha=1)


def index_select(input: Tensor, dim: int, index: Tensor, *, out=None) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in the vector ``index``.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).index_select(0, leafgrad.tensor([1, 1]))
    tensor([[3., 4.],
            [3., 4.]])
    """
    index = _require_tensor("index_select", "index", 3, index)
    dim = _wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.dtype not in _INDEX_KINDS:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if input._data.ndim == 0 and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    if _first_bad(idx, 0, _nonempty(input._data.shape)[dim]) is not None:
        raise IndexError("index out of range in self")
    return apply(IndexSelect, input, dim=dim, index=index, shape=input._data.shape)


class IndexAdd(Op):
    args = ("self", "source")

    def forward(xp, x, src, *, dim, index, alpha):
        z = _as1d(x).copy()
        s = src if src.ndim == z.ndim else src.reshape(
            z.shape[:dim] + (-1,) + z.shape[dim + 1:])
        if alpha != 1:
            s = s * xp.asarray(alpha, z.dtype) if z.dtype.kind != "b" else s
        _np_scatter_add(xp, z, _dim_key(dim, _vector_index(index)), s)
        return z.reshape(x.shape)

    def vjp(g, out, x, src, *, dim, index, alpha):
        gs = apply(IndexSelect, g, dim=dim, index=index, shape=g._data.shape)
        if alpha != 1:
            gs = gs * alpha
        return g, gs


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1,
              out=None) -> Tensor:
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeats sum)."""
    index = _require_tensor("index_add", "index", 3, index)
    source = _require_tensor("index_add", "source", 4, source)
    dim = _wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.dtype not in _INDEX_KINDS:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_scalar_type(idx)}")
    if idx.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with "
            f"type: {_scalar_type(idx)} and size: {_shape_str(idx.shape)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_scalar_type(input._data)}) and source "
                           f"({_scalar_type(source._data)}) must have the same scalar type")
    shape, sshape = input._data.shape, source._data.shape
    ssize = _nonempty(sshape)[dim] if dim < max(len(sshape), 1) else 1
    if idx.size != ssize:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({ssize}), for dim: {dim}")
    if len(shape) > 0 and (len(sshape) != len(shape) or any(
            a != b for d, (a, b) in enumerate(zip(shape, sshape)) if d != dim)):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {_shape_str(shape)} source.shape = "
            f"{_shape_str(sshape)}")
    if _first_bad(idx, 0, _nonempty(shape)[dim]) is not None:
        bad = _first_bad(idx, 0, _nonempty(shape)[dim])
        if bad < 0:
            raise IndexError("index out of range in self")
        raise RuntimeError(
            f"index {bad} is out of bounds for dimension {dim} with size {_nonempty(shape)[dim]}")
    return apply(IndexAdd, input, source, dim=dim, index=index, alpha=alpha)


class IndexCopy(Op):
    args = ("self", "source")

    def forward(xp, x, src, *, dim, index):
        z = _as1d(x).copy()
        s = src if src.ndim == z.ndim else src.reshape(
            z.shape[:dim] + (-1,) + z.shape[dim + 1:])
        z[_dim_key(dim, _vector_index(index))] = s
        return z.reshape(x.shape)

    def vjp(g, out, x, src, *, dim, index):
        gx = apply(IndexFill, g, dim=dim, index=index, value=0)
        gs = apply(IndexSelect, g, dim=dim, index=index, shape=g._data.shape)
        return gx, gs


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with the slices of ``source`` copied to ``index`` along ``dim``."""
    index = _require_tensor("index_copy", "index", 3, index)
    source = _require_tensor("index_copy", "source", 4, source)
    dim = _wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    shape, sshape = input._data.shape, source._data.shape
    if len(shape) > 0 and len(sshape) > 0 and len(sshape) != len(shape):
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their "
            f"dimensionality must match. Source dimensionality ({len(sshape)}), "
            f"destination dimensionality ({len(shape)})")
    ssize = _nonempty(sshape)[dim] if dim < max(len(sshape), 1) else 1
    if idx.size != ssize:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({ssize})")
    if idx.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_scalar_type(idx)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_scalar_type(input._data)} and (source) {_scalar_type(source._data)}")
    if len(shape) > 0 and len(sshape) > 0:
        dst_slice, src_slice = shape[:dim] + shape[dim + 1:], sshape[:dim] + sshape[dim + 1:]
        for d, (a, b) in enumerate(zip(dst_slice, src_slice)):
            if a != b:
                raise RuntimeError(
                    "index_copy_(): Source/destination tensor must have same slice shapes. "
                    f"Destination slice shape: {a} at dimension {d} and source slice shape: "
                    f"{b} at dimension {d}.")
    _check_bounds(idx, _nonempty(shape)[dim], dim, IndexError, "index_copy_(): ")
    return apply(IndexCopy, input, source, dim=dim, index=index)


class IndexFill(Op):
    name = "IndexFillBackward0"

    def forward(xp, x, *, dim, index, value):
        z = _as1d(x).copy()
        z[_dim_key(dim, _vector_index(index))] = value
        return z.reshape(x.shape)

    def vjp(g, out, x, *, dim, index, value):
        return apply(IndexFill, g, dim=dim, index=index, value=0)


class IndexFillTensor(Op):
    name = "IndexFillBackward1"
    args = ("self", "value")

    def forward(xp, x, v, *, dim, index):
        z = _as1d(x).copy()
        z[_dim_key(dim, _vector_index(index))] = v
        return z.reshape(x.shape)

    def vjp(g, out, x, v, *, dim, index):
        gx = apply(IndexFill, g, dim=dim, index=index, value=0)
        # Each filled slot counts once, however often the index repeats it.
        uniq = Tensor._make(np.unique(_vector_index(index) % _nonempty(g._data.shape)[dim]))
        gv = apply(IndexSelect, g, dim=dim, index=uniq, shape=g._data.shape).sum()
        return gx, gv


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    index = _require_tensor("index_fill", "index", 3, index)
    dim = _wrap_dim(dim, input._data.ndim)
    idx = index._data
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    size = _nonempty(input._data.shape)[dim]
    bad = _first_bad(idx, -size, size)
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    if isinstance(value, Tensor):
        v = value
        if v._data.dtype != input._data.dtype:
            v = cast(v, input.dtype) if input._data.dtype.kind == "f" else \
                Tensor._make(v._data.astype(input._data.dtype))
        return apply(IndexFillTensor, input, v, dim=dim, index=index)
    v = np.array(value).astype(input._data.dtype).item()
    return apply(IndexFill, input, dim=dim, index=index, value=v)


# -- masked_fill / masked_select / masked_scatter -----------------------------------------
class MaskedFill(Op):
    """``where(mask, value, input)`` for a number ``value`` (mask and input broadcast)."""

    def forward(xp, x, *, mask, value, self_shape):
        return xp.where(mask, xp.asarray(value, x.dtype), x)

    def vjp(g, out, x, *, mask, value, self_shape):
        gx = apply(MaskedFill, g, mask=mask, value=0, self_shape=g._data.shape)
        return gx if g._data.shape == self_shape else gx.sum_to_size(self_shape)


class MaskedFillTensor(Op):
    name = "MaskedFillBackward1"
    args = ("self", "value")

    def forward(xp, x, v, *, mask):
        return xp.where(mask, v, x)

    def vjp(g, out, x, v, *, mask):
        gx = apply(MaskedFill, g, mask=mask, value=0, self_shape=g._data.shape)
        gv = apply(MaskedFill, g, mask=~np.broadcast_to(mask, g._data.shape), value=0,
                   self_shape=g._data.shape).sum()
        return gx, gv


def _bool_mask(mask, msg: str, fn: str):
    _require_tensor(fn, "mask", 2, mask)
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(msg.format(c=_c_name(mask.dtype), s=_scalar_type(m)))
    return m


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True.

    >>> leafgrad.tensor([1., -2., 3.]).masked_fill(leafgrad.tensor([False, True, False]), 0.)
    tensor([1., 0., 3.])
    """
    m = _bool_mask(mask, "masked_fill_ only supports boolean masks, but got mask with dtype {c}",
                   "masked_fill")
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    shape = input._data.shape
    _broadcast(m.shape, shape)
    if isinstance(value, Tensor):
        v = value
        if v._data.dtype != input._data.dtype:
            v = cast(v, input.dtype) if input._data.dtype.kind == "f" else \
                Tensor._make(v._data.astype(input._data.dtype))
        return apply(MaskedFillTensor, input, v, mask=m)
    v = np.array(value).astype(input._data.dtype).item()
    return apply(MaskedFill, input, mask=m, value=v, self_shape=shape)


class MaskedSelect(Op):
    def forward(xp, x, *, mask, self_shape):
        shape = xp.broadcast_shapes(x.shape, mask.shape)
        return xp.broadcast_to(x, shape)[xp.broadcast_to(mask, shape)]

    def vjp(g, out, x, *, mask, self_shape):
        shape = np.broadcast_shapes(self_shape, mask.shape)
        gx = apply(Embed, g, key=(np.broadcast_to(mask, shape),), shape=shape, unique=True)
        return gx if shape == self_shape else gx.sum_to_size(self_shape)


def masked_select(input: Tensor, mask: Tensor, *, out=None) -> Tensor:
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (they broadcast)."""
    m = _bool_mask(mask, "masked_select: expected BoolTensor for mask", "masked_select")
    _broadcast(m.shape, input._data.shape)
    return apply(MaskedSelect, input, mask=m, self_shape=input._data.shape)


class MaskedScatter(Op):
    args = ("self", "source")

    def forward(xp, x, src, *, mask, source_sym_sizes):
        shape = xp.broadcast_shapes(x.shape, mask.shape)
        z = xp.array(xp.broadcast_to(x, shape))
        m = xp.broadcast_to(mask, shape)
        z[m] = src.reshape(-1)[:_int(xp.count_nonzero(m))]
        return z

    def vjp(g, out, x, src, *, mask, source_sym_sizes):
        gx = apply(MaskedFill, g, mask=mask, value=0, self_shape=g._data.shape)
        sel = apply(MaskedSelect, g, mask=mask, self_shape=g._data.shape)
        n = 1
        for s in source_sym_sizes:
            n *= s
        gs = apply(Embed, sel, key=(slice(0, sel._data.shape[0]),), shape=(n,), unique=True)
        return gx, gs.reshape(source_sym_sizes)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the leading elements of ``source`` copied, in order, where ``mask``."""
    m = _bool_mask(mask, "masked_scatter_ only supports boolean masks, but got mask with "
                         "dtype {s}", "masked_scatter")
    source = _require_tensor("masked_scatter", "source", 3, source)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but "
                           f"got{_scalar_type(input._data)} and {_scalar_type(source._data)}")
    shape = _broadcast(m.shape, input._data.shape)
    if _int(np.count_nonzero(np.broadcast_to(m, shape))) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return apply(MaskedScatter, input, source, mask=m, source_sym_sizes=source._data.shape)


# -- take / take_along_dim ----------------------------------------------------------------
class Take(Op):
    def forward(xp, x, *, index, self_shape):
        return xp.take(x, index._data)

    def vjp(g, out, x, *, index, self_shape):
        n = 1
        for s in self_shape:
            n *= s
        flat = apply(Embed, g, key=(index._data % max(n, 1),), shape=(n,), unique=False)
        return flat.reshape(self_shape)


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of ``input`` seen as 1-D at ``index`` (negative counts from the end)."""
    index = _require_tensor("take", "index", 2, index)
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_scalar_type(idx)}")
    n = input._data.size
    if idx.size:
        if n == 0:
            raise IndexError("take(): tried to take from an empty tensor")
        bad = _first_bad(idx, -n, n)
        if bad is not None:
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             "elements.")
    return apply(Take, input, index=index, self_shape=input._data.shape)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None, *,
                   out=None) -> Tensor:
    """``gather`` after broadcasting ``input`` and ``indices`` off ``dim`` (flat if None)."""
    indices = _require_tensor("take_along_dim", "indices", 2, indices)
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"leafgrad.take_along_dim(): dtype of indices should be Long but "
                           f"got {_scalar_type(indices._data)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    nd = input._data.ndim
    if nd != indices._data.ndim:
        raise RuntimeError(
            "leafgrad.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {nd} dimensions for input, and {indices._data.ndim} "
            "dimensions for indices")
    if nd == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, nd)
    s = list(input._data.shape)
    s[dim] = indices._data.shape[dim]
    shape = list(_broadcast(tuple(s), indices._data.shape))
    if tuple(shape) != indices._data.shape:
        indices = indices.expand(shape)
    shape[dim] = input._data.shape[dim]
    if tuple(shape) != input._data.shape:
        input = input.expand(shape)
    return gather(input, dim, indices)


# -- nonzero / argwhere -------------------------------------------------------------------
def nonzero(input: Tensor, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one per dim."""
    a = input._data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(_as1d(a)))
    if a.ndim == 0:
        return Tensor._make(np.zeros((1 if a else 0, 0), np.int64))
    return Tensor._make(np.argwhere(a).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:
    """Indices of the non-zero elements as an (n, ndim) int64 tensor."""
    return nonzero(input)


# -- sort / argsort / topk / kthvalue ----------------------------------------------------
def _np_argsort(a, dim: int, descending: bool):
    """Stable argsort along ``dim``; descending keeps ties in order and puts NaN first."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    if a.dtype.kind == "f" and not np.isnan(a).any():
        return np.argsort(-a, axis=dim, kind="stable")  # ties keep their order
    n = a.shape[dim]
    rev = np.flip(np.argsort(np.flip(a, dim), axis=dim, kind="stable"), dim)
    return (n - 1) - rev


class SortValues(Op):
    """The values output of sort/topk: the input gathered at ``indices`` along ``dim``."""

    name = "SortBackward0"

    def forward(xp, x, *, dim, indices, shape):
        return _np_gather(xp, x, dim, indices._data).reshape(indices._data.shape)

    def vjp(g, out, x, *, dim, indices, shape):
        z = _zeros(shape, g._data.dtype)
        return apply(ScatterAdd, z, g, dim=dim, index=indices, src_shape=g._data.shape)


class SortStableValues(SortValues):
    name = "SortBackward1"  # PyTorch's overload of sort that takes ``stable``


class TopkValues(SortValues):
    name = "TopkBackward0"


class KthvalueValues(Op):
    name = "KthvalueBackward0"

    def forward(xp, x, *, dim, indices, keepdim, shape):
        idx = indices._data
        if not keepdim and x.ndim:
            idx = xp.expand_dims(idx, dim)
        out = _np_gather(xp, x, dim, idx)
        return out.reshape(indices._data.shape)

    def vjp(g, out, x, *, dim, indices, keepdim, shape):
        if not keepdim and len(shape):
            gs = g._data.shape
            g = g.reshape(gs[:dim] + (1,) + gs[dim:])
            indices = Tensor._make(np.expand_dims(indices._data, dim))
        z = _zeros(shape, g._data.dtype)
        return apply(ScatterAdd, z, g, dim=dim, index=indices, src_shape=g._data.shape)


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable=_UNSET, *,
         out=None):
    """Sorted values along ``dim`` and their int64 indices (a ``(values, indices)`` tuple).

    The sort is always stable: ties keep their order (PyTorch leaves it unspecified
    unless ``stable=True``); NaN sorts as the largest value.

    >>> leafgrad.tensor([3., 1., 2.]).sort()
    leafgrad.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    """
    a = input._data
    dim = _wrap_dim(dim, a.ndim)
    idx = Tensor._make(_np_argsort(_as1d(a), dim, descending).reshape(a.shape))
    op = SortValues if stable is _UNSET else SortStableValues
    values = apply(op, input, dim=dim, indices=idx, shape=a.shape)
    return _SortResult((values, idx))


def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    """The int64 indices that sort ``input`` along ``dim`` (stable)."""
    a = input._data
    dim = _wrap_dim(dim, a.ndim)
    return Tensor._make(_np_argsort(_as1d(a), dim, descending).reshape(a.shape))


def msort(input: Tensor, *, out=None) -> Tensor:
    """``input`` sorted along its first dimension (values only)."""
    return sort(input, 0)[0]


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None):
    """The ``k`` largest (or smallest) values along ``dim`` and their int64 indices.

    The values always come sorted (PyTorch leaves the order unspecified when
    ``sorted=False``).
    """
    if not isinstance(k, _INTS) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' (position 1) must be int, not "
                        f"{type(k).__name__}")
    a = input._data
    dim = _wrap_dim(dim, a.ndim)
    n = _nonempty(a.shape)[dim]
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:  # PyTorch gives the element itself for k = 0 as for k = 1
        idx = Tensor._make(np.zeros((), np.int64))
    else:
        idx = Tensor._make(_np_argsort(a, dim, largest)[_dim_key(dim, slice(0, k))])
    values = apply(TopkValues, input, dim=dim, indices=idx, shape=a.shape)
    return _TopkResult((values, idx))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest value along ``dim`` and its int64 index."""
    a = input._data
    dim = _wrap_dim(dim, a.ndim)
    n = _nonempty(a.shape)[dim]
    if a.ndim and a.shape[dim] == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {dim} to have non-zero size.")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    order = _np_argsort(_as1d(a), dim, False)[_dim_key(dim, slice(k - 1, k))]
    if a.ndim == 0:
        order = order.reshape(())
        keepdim = False
    elif not keepdim:
        order = np.squeeze(order, dim)
    idx = Tensor._make(np.array(order))  # (ascontiguousarray would make 0-d 1-d)
    values = apply(KthvalueValues, input, dim=dim, indices=idx, keepdim=keepdim,
                   shape=a.shape)
    return _KthvalueResult((values, idx))


# -- searchsorted / unique ----------------------------------------------------------------
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter=None,
                 out=None) -> Tensor:
    """Insertion points of ``input`` in the innermost dim of ``sorted_sequence`` (int64)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"leafgrad.searchsorted(): side can only be 'left' or 'right' "
                               f"but got {side}")
        if right and side == "left":
            raise RuntimeError("leafgrad.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else input._data
    if seq.ndim > 1 and (vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "leafgrad.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {_shape_str(seq.shape)} and input value tensor "
            f"{_shape_str(vals.shape)}")
    srt = None if sorter is None else sorter._data
    how = "right" if right else "left"
    if seq.ndim <= 1:
        res = np.searchsorted(seq.reshape(-1), vals, side=how, sorter=srt)
    else:
        lead = int(np.prod(seq.shape[:-1]))
        rows_s = seq.reshape(lead, seq.shape[-1])
        rows_v = vals.reshape(lead, vals.shape[-1])
        rows_o = None if srt is None else srt.reshape(lead, srt.shape[-1])
        res = np.stack([np.searchsorted(s, v, side=how,
                                        sorter=None if rows_o is None else rows_o[i])
                        for i, (s, v) in enumerate(zip(rows_s, rows_v))]).reshape(vals.shape)
    return Tensor._make(np.asarray(res, np.int32 if out_int32 else np.int64))


class Unique(Op):
    """unique's values: PyTorch defines no derivative for them."""

    name = "Unique2Backward0"

    def forward(xp, x, *, values):
        return values

    def vjp(g, out, x, *, values):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class UniqueDim(Unique):
    name = "UniqueDimBackward0"

    def vjp(g, out, x, *, values):
        raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None):
    """The distinct values of ``input`` (sorted), optionally with inverse indices and counts."""
    a = input._data
    if dim is None:
        vals, inv, cnt = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(a.shape)
        op = Unique
    else:
        dim = _wrap_dim(dim, a.ndim)
        zero = [d for d, s in enumerate(a.shape) if s == 0]
        if len(zero) > 1:
            raise RuntimeError("Number of zero sized dimensions is more than one, so unique "
                               "cannot be applied ")
        if zero and zero[0] != dim:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
        vals, inv, cnt = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
        inv = inv.reshape(-1)
        op = UniqueDim
    values = apply(op, input, values=vals)
    if not (return_inverse or return_counts):
        return values
    out = [values]
    if return_inverse:
        out.append(Tensor._make(inv.astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(cnt.astype(np.int64)))
    return tuple(out)


dunders = {"__getitem__": getitem}
