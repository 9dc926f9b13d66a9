"""In-place ops: ``x.add_(y)``, ``x[i] = v``, ``x += y`` ... with PyTorch's autograd rules.

An in-place op runs its out-of-place twin (which records the node, when one is needed),
writes the result into ``x``'s array and bumps ``x``'s version counter, which ``x``
shares with its views and ``detach()`` results. Then the history is rewritten:

- on a tensor that is not a view, ``x`` takes the new node as its ``grad_fn``;
- on a view, the base's history is rewritten: the base's ``grad_fn`` becomes a
  ``CopySlices`` node that routes the base's gradient around the written slice and
  through the op for it, and the view's ``grad_fn`` is regenerated from the base
  (``AsStridedBackward0``), as are other views' when they are next used.

A saved value the new node needs from ``x`` before the write is snapshotted (PyTorch's
"original self"); any other node that saved ``x`` sees the version move and refuses to
run backward (``graph._raise_modified``), naming the in-place op and where it ran.
"""

from __future__ import annotations

import math
import os
import sys

from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import Node, accumulator, next_seq
from ..backend import np
from ..creation import _scalar_array
from ..dtypes import FROM_NP, can_cast
from ..tensor import MULTI_OUTPUT, NO_GRAD_MODE, Tensor, sync_view
from . import elementwise as _ew
from . import indexing as _ix
from . import logical as _lg
from . import shape as _sh
from ._dispatch import const
from .registry import Op, apply

__all__ = ["index_put"]
methods: list[str] = ["index_put"]
dunders: dict = {}

_NO_EDGE = (None, 0)
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF = ("a view of a leaf Variable that requires grad is being used in an in-place "
                "operation.")
NO_GRAD_VIEW = (
    "A view was created in no_grad mode and is being modified inplace with grad mode "
    "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
    "can clarify your code by moving both the view and the inplace either both inside the "
    "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
    "want the inplace to be tracked)."
)
OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation."
)


def _multi_output_error(fn_name: str, nr: int) -> str:
    return (
        f"Output {nr} of {fn_name} is a view and is being modified inplace. This view is the "
        "output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an "
        "out-of-place one."
    )


# -- the machinery ------------------------------------------------------------------------
def _check(x: Tensor) -> None:
    """PyTorch's refusals, raised at the op before anything is written."""
    if not _grad_state.enabled:
        return
    root = x._base
    if root is None:
        if x._rg and x._edge is None:
            raise RuntimeError(LEAF)
        return
    vm = x._view
    if vm.creation != 0 and (root._rg or x._rg):
        if vm.creation == NO_GRAD_MODE:
            raise RuntimeError(NO_GRAD_VIEW)
        if vm.creation == MULTI_OUTPUT:
            raise RuntimeError(_multi_output_error(vm.fn_name, vm.nr))
    if root._rg and root._edge is None:
        raise RuntimeError(VIEW_OF_LEAF)


def _where() -> str:
    """``file:line`` of the user's code that called into leafgrad (for error messages)."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return "<unknown>"
    return f"{f.f_code.co_filename}:{f.f_lineno}"


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _write(x: Tensor, data, name: str, cast_check: bool) -> None:
    """Write ``data`` (broadcastable to x) into x's array, after PyTorch's checks."""
    xd = x._data
    if data.shape != xd.shape:
        try:
            shape = np.broadcast_shapes(data.shape, xd.shape)
        except ValueError:
            shape = None
        if shape != xd.shape:
            if shape is None:
                raise RuntimeError(
                    f"The size of tensor a ({xd.shape[-1] if xd.ndim else 1}) must match the "
                    f"size of tensor b ({data.shape[-1] if data.ndim else 1}) at non-singleton "
                    "dimension")
            raise RuntimeError(f"output with shape {_shape_str(xd.shape)} doesn't match the "
                               f"broadcast shape {_shape_str(shape)}")
    if cast_check and data.dtype != xd.dtype:
        src, dst = FROM_NP[data.dtype], FROM_NP[xd.dtype]
        if not can_cast(src, dst):
            raise RuntimeError(f"result type {src.scalar_name} can't be cast to the desired "
                               f"output type {dst.scalar_name}")
    if xd.size > 1 and 0 in xd.strides and any(
            s == 0 and n > 1 for s, n in zip(xd.strides, xd.shape)):
        raise RuntimeError(OVERLAP)
    if not xd.flags.writeable:
        raise RuntimeError(f"{name}(): the tensor's memory is read-only (it was made from a "
                           "read-only NumPy array); clone() it first")
    np.copyto(xd, data, casting="unsafe")
    vc = x._vc
    vc[0] += 1
    # Beyond PyTorch: remember which in-place op moved the version, and where it ran, so
    # a later "modified by an inplace operation" error can say so.
    if len(vc) == 1:
        vc.append((name, _where()))
    else:
        vc[1] = (name, _where())


def run(x: Tensor, name: str, compute, cast_check: bool = True) -> Tensor:
    """Run an in-place op: ``compute()`` is its out-of-place twin on ``x``."""
    if x._base is not None:
        sync_view(x)
    _check(x)
    r = compute()
    return commit(x, r, name, cast_check)


def commit(x: Tensor, r: Tensor, name: str, cast_check: bool = True) -> Tensor:
    """Write out-of-place result ``r`` into ``x`` and give ``x`` r's history."""
    edge = r._edge
    snapshot = None
    if edge is not None and _grad_state.enabled:
        node = edge[0]
        saved = node._saved
        if saved is not None:
            for k, entry in enumerate(saved):
                if entry is not None and entry.__class__ is tuple and len(entry) == 2 \
                        and entry[0] is x:
                    # The node needs x as it was: keep a copy (PyTorch's "original self").
                    if snapshot is None:
                        snapshot = Tensor._make(x._data.copy())
                        snapshot._rg, snapshot._edge = x._rg, x._edge
                    saved[k] = (snapshot, 0)
    _write(x, r._data, name, cast_check)
    if edge is None or not _grad_state.enabled:
        return x
    node = edge[0]
    saved = node._saved
    if saved is not None and saved[0] is not None and saved[0].__class__ is tuple:
        saved[0] = (x._data, x._vc[0], x._vc, 0)  # the result is x itself now
    if x._base is None:
        x._edge = edge
        x._rg = True
    else:
        _copy_slices(x, node)
    return x


# -- CopySlices and regenerated views --------------------------------------------------------
def _positions(root, view) -> tuple:
    """The flat (C-order) indices into ``root`` of each element of ``view``, a view of it."""
    item = root.itemsize
    off = (view.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item
    pos = np.full(view.shape, off, dtype=np.intp)
    for d, (n, s) in enumerate(zip(view.shape, view.strides)):
        if n > 1 and s:
            shape = [1] * view.ndim
            shape[d] = n
            pos += (np.arange(n, dtype=np.intp) * (s // item)).reshape(shape)
    if not root.flags.c_contiguous and root.size:
        if any(s < 0 for s in root.strides):
            raise NotImplementedError("in-place on a view of a tensor with negative strides")
        # Memory offsets to C-order indices: number the root's elements in its own layout.
        idx = np.empty_like(root, dtype=np.intp)
        idx[...] = np.arange(root.size, dtype=np.intp).reshape(root.shape)
        pos = idx.ravel(order="K")[pos]
    unique = not any(s == 0 and n > 1 for n, s in zip(view.shape, view.strides))
    return pos, unique


class AsStrided(Op):
    """The elements of ``x`` at flat positions ``pos`` (a view's history, regenerated)."""

    name = "AsStridedBackward0"

    def forward(xp, x, *, pos, size, unique):
        return xp.ravel(x)[pos]

    def vjp(g, out, x, *, pos, size, unique):
        return apply(AsStridedScatter, g, pos=pos, size=size, unique=unique)


class AsStridedScatter(Op):
    """Zeros of ``size`` with ``g`` placed (summed where positions repeat) at ``pos``."""

    def forward(xp, g, *, pos, size, unique):
        z = xp.zeros(math.prod(size), g.dtype)
        if unique:
            z[pos] = g
        else:
            xp.add.at(z, pos, g)
        return z.reshape(size)

    def vjp(gg, out, g, *, pos, size, unique):
        return apply(AsStrided, gg, pos=pos, size=size, unique=unique)


def _node(cls, next_functions: tuple, attrs: dict | None):
    node = object.__new__(cls)
    node.next_functions = next_functions
    node._seq = next_seq()
    node._attrs = attrs
    node._in_meta = None
    node._hooks = None
    node._saved = None
    return node


def view_edge(t: Tensor):
    """A view's history regenerated from its base's current one (None: no gradient)."""
    root = t._base
    if not root._rg:
        return None
    e = root._edge if root._edge is not None else (accumulator(root), 0)
    pos, unique = _positions(root._data, t._data)
    attrs = {"pos": pos, "size": root._data.shape, "unique": unique}
    return (_node(AsStrided.node_cls, (e,), attrs), 0)


class CopySlices(Node):
    """The base's new history after an in-place op on one of its views.

    Backward: the base's gradient passes unchanged outside the written slice; the slice's
    part goes through the in-place op's node, whose gradient for the old slice values
    lands back in the slice and whose other inputs get theirs.
    """

    __slots__ = ("_fn", "_pos", "_shape")
    _single = True

    def name(self) -> str:
        return "leafgrad::autograd::CopySlices"

    def _release(self) -> None:
        self._fn._release()

    def _apply_backward(self, grads: list, raw: bool) -> list:
        from ..autograd.engine import call_node

        g = grads[0]
        pos = self._pos
        if raw:
            gb = np.array(g, order="C")
            flat = gb.reshape(-1)
            res = call_node(self._fn, [flat[pos]], True)
            r0 = res[0]
            flat[pos] = 0 if r0 is None else r0
            return [gb, *res[1:]]
        size = g._data.shape
        res = call_node(self._fn, [apply(AsStrided, g, pos=pos, size=size, unique=True)],
                        False)
        mask = np.ones(math.prod(size), g._data.dtype)
        mask[pos] = 0
        gb = g * Tensor._make(mask.reshape(size))
        if res[0] is not None:
            gb = gb + apply(AsStridedScatter, res[0], pos=pos, size=size, unique=True)
        return [gb, *res[1:]]


def _copy_slices(x: Tensor, node) -> None:
    root = x._base
    e = root._edge
    if e is None:
        e = (accumulator(root), 0) if root._rg else _NO_EDGE
    cs = _node(CopySlices, (e, *node.next_functions[1:]), None)
    cs._fn = node
    cs._pos, _ = _positions(root._data, x._data)
    cs._shape = x._data.shape
    root._edge = (cs, 0)
    root._rg = True
    x._view.base_edge = root._edge
    x._edge = view_edge(x)
    x._rg = True


def _zeros(g: Tensor) -> Tensor:
    # PyTorch's gradient for values an in-place op overwrote: zeros, not None.
    return Tensor._make(np.zeros_like(g._data))


# -- ops that exist only in place -----------------------------------------------------------
class Copy(Op):
    """``x.copy_(src)``: src broadcast to x's shape, cast to x's dtype."""

    args = ("self", "src")
    name = "CopyBackwards"

    def forward(xp, x, src):
        return xp.broadcast_to(src, x.shape).astype(x.dtype)

    def vjp(g, out, x, src):
        return _zeros(g), g


Copy.node_cls.name = lambda self: "leafgrad::autograd::CopyBackwards"  # PyTorch's C++ name


class Fill(Op):
    """``x.fill_(value)`` with a 0-d tensor value (numbers come as constants)."""

    args = ("self", "value")
    name = "FillBackward2"

    def forward(xp, x, value):
        return xp.full(x.shape, value, x.dtype)

    def vjp(g, out, x, value):
        return _zeros(g), g.sum()


class Zero(Op):
    def forward(xp, x):
        return xp.zeros(x.shape, x.dtype)

    def vjp(g, out, x):
        return _zeros(g)


class _Random(Op):
    """A random fill: its gradient for the old values is zero."""

    def forward(xp, x, *, sample):
        return sample(x.shape).astype(x.dtype, copy=False)

    def vjp(g, out, x, *, sample):
        return _zeros(g)


class Uniform(_Random):
    pass


class Normal(_Random):
    pass


class Bernoulli(_Random):
    name = "BernoulliBackward2"


class Exponential(_Random):
    pass


class Random(_Random):
    pass


class IndexPut(Op):
    """``x.index_put(indices, values)``: ``x`` with ``values`` written at an advanced index."""

    args = ("self", "values")

    def forward(xp, x, v, *, key, accumulate):
        out = x.copy()
        if accumulate:
            xp.add.at(out, key, v)
        else:
            out[key] = v
        return out

    def vjp(g, out, x, v, *, key, accumulate):
        gx = g if accumulate else apply(IndexPut, g, Tensor._make(const(0, g._data.dtype)),
                                        key=key, accumulate=False)
        return gx, apply(IndexGet, g, key=key, shape=g._data.shape)


class IndexGet(Op):
    """``g[key]`` for an advanced ``key`` (IndexPut's gradient for its values)."""

    name = "IndexBackward0"

    def forward(xp, x, *, key, shape):
        return x[key]

    def vjp(gg, out, x, *, key, shape):
        z = Tensor._make(np.zeros(shape, gg._data.dtype))
        return apply(IndexPut, z, gg, key=key, accumulate=True)


def _value_tensor(value, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return Tensor._make(np.asarray(value, dtype=like._data.dtype))


def _rng(generator):
    from ..random import rng

    return rng(generator)


# -- the public in-place methods ---------------------------------------------------------------
def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to self's dtype) into self."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    return run(self, "copy_", lambda: apply(Copy, self, src), cast_check=False)


def fill_(self: Tensor, value) -> Tensor:
    """Fill self with ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        v = value
    else:
        # PyTorch's conversion: overflow is an error (uint8 wraps negative ints, as it does)
        v = Tensor._make(_scalar_array(value, FROM_NP[self._data.dtype]))
    return run(self, "fill_", lambda: apply(Fill, self, v), cast_check=False)


def zero_(self: Tensor) -> Tensor:
    """Fill self with zeros (``x.grad.zero_()``)."""
    return run(self, "zero_", lambda: apply(Zero, self))


def _random_(op, name: str):
    def method(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
        g = _rng(generator)
        sample = _SAMPLERS[name](g, *args, **kwargs)
        return run(self, name, lambda: apply(op, self, sample=sample), cast_check=False)

    method.__name__ = name
    method.__doc__ = f"Fill self in place with samples: PyTorch's ``Tensor.{name}``."
    return method


def _uniform(g, from_: float = 0.0, to: float = 1.0):
    return lambda shape: g.uniform(from_, to, shape)


def _normal(g, mean: float = 0.0, std: float = 1.0):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return lambda shape: g.normal(mean, std, shape)


def _bernoulli(g, p=0.5):
    if isinstance(p, Tensor):
        p = p._data
    return lambda shape: g.random(shape) < p


def _exponential(g, lambd: float = 1.0):
    return lambda shape: g.exponential(1.0 / lambd, shape)


def _random(g, from_: int = 0, to: int | None = None):
    if to is None:
        from_, to = 0, from_ if from_ else 2 ** 24
    return lambda shape: g.integers(from_, to, shape)


_SAMPLERS = {"uniform_": _uniform, "normal_": _normal, "bernoulli_": _bernoulli,
             "exponential_": _exponential, "random_": _random}

uniform_ = _random_(Uniform, "uniform_")
normal_ = _random_(Normal, "normal_")
bernoulli_ = _random_(Bernoulli, "bernoulli_")
exponential_ = _random_(Exponential, "exponential_")
random_ = _random_(Random, "random_")


def index_put(self: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``self`` with ``values`` written (or added) at ``self[indices]`` (out of place)."""
    key = tuple(i._data if isinstance(i, Tensor) else i for i in indices)
    return apply(IndexPut, self, _value_tensor(values, self), key=key,
                 accumulate=bool(accumulate))


def index_put_(self: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """Write (or add) ``values`` at ``self[indices]`` in place."""
    return run(self, "index_put_", lambda: index_put(self, indices, values, accumulate))


def _basic_target(self: Tensor, plan):
    """The tensor ``self[index]`` writes through: self for whole-tensor indices (``a[:]``,
    ``a[...]``), else the view the basic part of the index selects."""
    shape = self._data.shape
    if all(st[0] == _ix.SLICE and st[2] == 0 and st[3] >= shape[st[1]] and st[4] == 1
           for st in plan.steps):
        return self
    basic = _ix.IndexPlan(plan.steps, plan.basic, None, plan.shape, plan.unique, plan.indices)
    return _ix._apply_plan(self, basic)


def setitem(self: Tensor, index, value) -> None:
    """``self[index] = value``: basic indices write through a view, advanced ones through
    ``index_put_``, with PyTorch's autograd semantics either way."""
    plan = _ix.parse_index(self._data.shape, index)
    target = _basic_target(self, plan)
    if plan.adv is None:
        if isinstance(value, Tensor):
            copy_(target, value)
        else:
            fill_(target, value)
        return
    key = plan.adv
    v = _value_tensor(value, self)
    run(target, "index_put_", lambda: apply(IndexPut, target, v, key=key, accumulate=False),
        cast_check=False)


def _inplace_of(fn, name: str):
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        return run(self, name, lambda: fn(self, *args, **kwargs))

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    method.__doc__ = f"In-place ``{fn.__name__}``: writes into self and returns it."
    return method


_OUT_OF_PLACE = (
    "add sub subtract mul multiply div divide true_divide floor_divide remainder pow neg "
    "negative abs absolute sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt sin cos "
    "tan asin acos atan atan2 arctan2 arcsin arccos arctan sinh cosh tanh asinh acosh atanh "
    "arcsinh arccosh arctanh sigmoid relu clamp clip clamp_min clamp_max lerp reciprocal "
    "square floor ceil round trunc fix frac erf erfc copysign fmod hypot xlogy nan_to_num "
    "float_power logical_and logical_or logical_xor logical_not bitwise_and bitwise_or "
    "bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift eq ne lt le gt ge "
    "greater less greater_equal less_equal not_equal masked_fill masked_scatter index_fill "
    "index_add index_copy scatter scatter_add scatter_reduce tril triu cumsum cumprod "
    "baddbmm addmm addmv addcmul addcdiv"
).split()

_FAMILIES = (_ew, _lg, _ix, _sh)


def _lookup(name: str):
    from . import linalg, reduction

    for mod in (*_FAMILIES, linalg, reduction):
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn
    return None


_GENERATED: dict = {}
for _name in _OUT_OF_PLACE:
    _fn = _lookup(_name)
    if _fn is not None:
        _GENERATED[_name + "_"] = _inplace_of(_fn, _name + "_")
globals().update(_GENERATED)
methods += list(_GENERATED)
methods += ["copy_", "fill_", "zero_", "uniform_", "normal_", "bernoulli_", "exponential_",
            "random_", "index_put_"]


# -- in-place metadata changes: the tensor becomes a differently shaped view of itself -----
def _meta_inplace(fn, name: str, node_name: str):
    renamed: dict = {}

    def method(self: Tensor, *args, **kwargs) -> Tensor:
        if self._base is not None:
            sync_view(self)
        _check(self)
        r = fn(self, *args, **kwargs)
        self._data = r._data
        self._vc[0] += 1
        if r._edge is not None:
            node = r._edge[0]
            cls = type(node)
            new = renamed.get(cls)
            if new is None:  # PyTorch names the in-place variant's node apart
                new = renamed[cls] = type(node_name, (cls,), {"__slots__": ()})
                new.__module__ = cls.__module__
            node.__class__ = new
            self._edge = r._edge
            self._rg = True
        return self

    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: self becomes the reshaped view."
    return method


t_ = _meta_inplace(_sh.t, "t_", "TBackward1")
transpose_ = _meta_inplace(_sh.transpose, "transpose_", "TransposeBackward1")
swapdims_ = _meta_inplace(_sh.swapdims, "swapdims_", "TransposeBackward1")
swapaxes_ = _meta_inplace(_sh.swapaxes, "swapaxes_", "TransposeBackward1")
unsqueeze_ = _meta_inplace(_sh.unsqueeze, "unsqueeze_", "UnsqueezeBackward1")
_squeeze_all = _meta_inplace(_sh.squeeze, "squeeze_", "SqueezeBackward3")
_squeeze_dim = _meta_inplace(_sh.squeeze, "squeeze_", "SqueezeBackward4")


def squeeze_(self: Tensor, dim=None) -> Tensor:
    """In-place ``squeeze``: drop size-1 dimensions (all, or ``dim``)."""
    return _squeeze_all(self) if dim is None else _squeeze_dim(self, dim)


def fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (all dims equal, or a 2-D matrix) with ``fill_value``."""
    shape = self._data.shape
    if self._data.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self._data.ndim > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if self._data.ndim == 2:
        rows, cols = shape
        if wrap and rows > cols + 1 and self.is_contiguous():
            # Every (cols + 1)-th element of the flat storage, past the square too.
            target = self.view(-1)[::cols + 1]
        else:
            target = self.diagonal()
    else:  # the elements (i, i, ..., i): an advanced-index write
        idx = Tensor._make(np.arange(shape[0]))
        setitem(self, (idx,) * self._data.ndim, fill_value)
        return self
    fill_(target, fill_value)
    return self


methods += ["t_", "transpose_", "swapdims_", "swapaxes_", "unsqueeze_", "squeeze_",
            "fill_diagonal_"]


def _idunder(name: str, fn):
    def method(self: Tensor, other):
        return run(self, name, lambda: fn(self, other))

    method.__name__ = name
    return method


for _d, _f in (("__iadd__", "add"), ("__isub__", "sub"), ("__imul__", "mul"),
               ("__itruediv__", "div"), ("__ifloordiv__", "floor_divide"),
               ("__imod__", "remainder"), ("__ipow__", "pow"), ("__iand__", "bitwise_and"),
               ("__ior__", "bitwise_or"), ("__ixor__", "bitwise_xor"),
               ("__ilshift__", "bitwise_left_shift"), ("__irshift__", "bitwise_right_shift")):
    dunders[_d] = _idunder(_d, _lookup(_f))
dunders["__setitem__"] = setitem
