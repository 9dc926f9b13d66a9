"""The Op base class and ``apply``: the single forward entry point, the only place edges are made.

``apply`` hands one-input ops and two-input non-view ops to ``apply1``/``apply2``, which
build the node inline (a Python autograd's cost on small tensors is per op); the hottest
callers (operators, unary math) call those two directly.

An op is declared once, forward beside its vector-Jacobian product:

    class Mul(Op):
        args, saves = ("self", "other"), ("self", "other")

        def forward(xp, x, y):             # backend arrays in, backend array out
            return xp.multiply(x, y)

        def vjp(g, out, x, y):             # Tensors in: differentiable, so double backward is free
            return g * y, g * x            # the engine sums each back to its input's shape

``forward`` and ``vjp`` are plain functions (made static by the base class).  Op
attributes (dim, keepdim ...) are keyword arguments to both.  The vjp receives the
saved values only (anything not in ``saves`` arrives as None), returns one gradient
per tensor argument (a bare tensor for single-input ops), None where there is none.

The vjp's arguments are Tensors, so a backward with ``create_graph`` records it like
any other code. An op whose vjp is plain arithmetic (operators and ``.reshape``,
which mean the same on backend arrays) sets ``array_vjp = True``: a first-order
backward then calls the same function on arrays and builds no Tensors at all.
"""

from __future__ import annotations

from ..autograd import anomaly_mode as _anomaly_mode
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import Node, accumulator, pack_saved, saved_hooks
from ..autograd.graph import next_seq as _next_seq
from ..backend import np as _xp
from ..tensor import DEFAULT, MULTI_OUTPUT, NO_GRAD_MODE, Tensor, mark_view, sync_view

_NO_EDGE = (None, 0)


class Op:
    """A primitive: forward on backend arrays, vjp in leafgrad ops."""

    args: tuple = ("self",)  # names of the tensor arguments, as PyTorch names them
    saves: tuple = ()  # which of ``args`` (and "result") the vjp needs
    name: str | None = None  # backward node name; default "<Class>Backward0"
    view: bool = False  # the output is a view of the first argument
    differentiable: bool = True
    number_edge: bool = False  # one tensor input plus a number PyTorch sees as an input
    outputs: int = 1  # forward returns a tuple when > 1
    nondiff_outputs: tuple = ()  # output indices that never carry gradient (indices)
    # The vjp uses only arithmetic operators and ``.reshape``, which mean the same on
    # backend arrays: a first-order backward then runs it on arrays, building no Tensors.
    array_vjp: bool = False
    node_cls: type

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for fn in ("forward", "vjp"):
            f = cls.__dict__.get(fn)
            if f is not None and not isinstance(f, staticmethod):
                setattr(cls, fn, staticmethod(f))
        name = cls.name or cls.__name__ + "Backward0"
        cls.node_cls = type(name, (Node,), {"__slots__": (), "op": cls})
        cls.node_cls.__module__ = "leafgrad.autograd.graph"
        # Saved values sit at vjp positions: 0 for the result, 1 + i for argument i.
        cls._save_result = "result" in cls.saves
        cls._save_inputs = tuple(cls.args.index(s) for s in cls.saves if s != "result")
        cls._nargs = len(cls.args)
        cls._nothing_saved = (None,) * (cls._nargs + 1)
        cls._fast_vjp = cls.array_vjp and cls.outputs == 1
        # One input and only the result saved (tanh, exp, sigmoid ...): the commonest node.
        cls._unary_result = cls._save_result and not cls._save_inputs and cls._nargs == 1
        # Where the saved values sit among the vjp's arguments (0: the result).
        cls._save_slots = ((0,) if cls._save_result else ()) + tuple(
            i + 1 for i in cls._save_inputs)
        # How the engine's fast path unpacks the saved values: 1 the result of a one-input
        # op, 2 the only input, 3 both inputs, 0 the general loop.
        slots = cls._save_slots
        cls._unpack_kind = (1 if cls._unary_result else
                            2 if slots == (1,) and cls._nargs == 1 else
                            3 if slots == (1, 2) and cls._nargs == 2 else 0)
        cls._special = cls.outputs != 1 or cls.view
        cls.node_cls._single = cls.outputs == 1

    @staticmethod
    def forward(xp, *arrays, **attrs):
        raise NotImplementedError

    @staticmethod
    def vjp(g, out, *inputs, **attrs):
        raise NotImplementedError


def edge(t) -> tuple:
    """The (node, output_nr) a gradient for tensor ``t`` flows into."""
    e = t._edge
    if e is not None:
        return e
    if t._rg:
        return (accumulator(t), 0)
    return _NO_EDGE


def apply(op: type[Op], *inputs, **attrs):
    """Run ``op`` forward on tensors and, in grad mode, record its backward node."""
    n = len(inputs)
    if op.outputs == 1:  # the hot paths
        if n == 1:
            return apply1(op, inputs[0], attrs)
        if n == 2 and not op.view:
            return apply2(op, inputs[0], inputs[1], attrs)
    needs = False
    for t in inputs:
        if t._base is not None:
            sync_view(t)
        needs = needs or t._rg
    result = op.forward(_xp, *[t._data for t in inputs], **attrs)
    if op.outputs != 1:
        return _apply_multi(op, inputs, attrs, result, needs)
    out = _wrap(result)
    if op.view:
        mark_view(out, inputs[0], DEFAULT if _grad_state.enabled else NO_GRAD_MODE)
    result, vc = out._data, out._vc
    if not needs or not _grad_state.enabled or not op.differentiable \
            or result.dtype.kind != "f":  # integer and bool results never require grad
        return out
    node = _record(op, inputs, attrs, result)
    if op.saves:
        saved = [None] * (n + 1)
        if op._save_result:
            saved[0] = (result, vc[0], vc, 0)
        for i in op._save_inputs:
            t = inputs[i]
            saved[i + 1] = (t, t._vc[0])
        node._saved = pack_saved(saved) if saved_hooks else saved
    if _anomaly.enabled:
        _anomaly_mode.record(node)
    out._rg = True
    out._edge = (node, 0)
    return out


def apply1(op: type[Op], x, attrs: dict | None = None):
    """``apply(op, x, **attrs)`` for a one-input, one-output op (tanh, exp, ``x * 0.5``,
    ``sum``, a view ...): the commonest case of all, its node built inline; hot callers
    call it directly."""
    if x._base is not None:
        sync_view(x)
    result = op.forward(_xp, x._data, **attrs) if attrs else op.forward(_xp, x._data)
    if result.__class__ is not _ndarray:
        result = _asarray(result)  # NumPy returns scalars from ops on 0-d arrays
    out = _new(Tensor)
    out._data = result
    out._edge = None
    out._grad = None
    out._base = None
    out._acc = None
    out._extra = None
    if op.view:
        mark_view(out, x, DEFAULT if _grad_state.enabled else NO_GRAD_MODE)
        vc = out._vc
    else:
        out._vc = vc = [0]
    if not x._rg or not _grad_state.enabled or not op.differentiable \
            or result.dtype.kind != "f":
        out._rg = False
        return out
    node = _new(op.node_cls)
    node._attrs = attrs
    node._hooks = None
    e = x._edge
    if e is None:
        e = (accumulator(x), 0)
    node.next_functions = (e, _NO_EDGE) if op.number_edge else (e,)
    # A single input's gradient comes back in its shape; only a dtype change is fixed.
    xd = x._data
    node._in_meta = None if xd.dtype is result.dtype else ((xd.shape, xd.dtype),)
    if op._unary_result:
        saved = [(result, vc[0], vc, 0), None]
        node._saved = pack_saved(saved) if saved_hooks else saved
    elif op.saves:
        saved = [None, None]
        if op._save_result:
            saved[0] = (result, vc[0], vc, 0)
        if op._save_inputs:
            saved[1] = (x, x._vc[0])
        node._saved = pack_saved(saved) if saved_hooks else saved
    else:
        node._saved = None
    node._seq = _next_seq()  # after its input's node (an accumulator may be new)
    if _anomaly.enabled:
        _anomaly_mode.record(node)
    out._rg = True
    out._edge = (node, 0)
    return out


def apply2(op: type[Op], x, y, attrs: dict | None = None):
    """``apply(op, x, y, **attrs)`` for a two-input, one-output op that is not a view
    (``x * y``, ``x @ y`` ...), its node built inline."""
    if x._base is not None:
        sync_view(x)
    if y._base is not None:
        sync_view(y)
    xd, yd = x._data, y._data
    result = op.forward(_xp, xd, yd, **attrs) if attrs else op.forward(_xp, xd, yd)
    if result.__class__ is not _ndarray:
        result = _asarray(result)
    out = _new(Tensor)
    out._data = result
    out._edge = None
    out._grad = None
    out._base = None
    out._acc = None
    out._extra = None
    out._vc = vc = [0]
    if not (x._rg or y._rg) or not _grad_state.enabled or not op.differentiable \
            or result.dtype.kind != "f":
        out._rg = False
        return out
    node = _new(op.node_cls)
    node._attrs = attrs
    node._hooks = None
    e = x._edge
    if e is None:
        e = (accumulator(x), 0) if x._rg else _NO_EDGE
    f = y._edge
    if f is None:
        f = (accumulator(y), 0) if y._rg else _NO_EDGE
    node.next_functions = (e, f)
    # Gradients need unbroadcasting or casting only where an input differs from the output;
    # elsewhere the vjp's results are used as they are.
    shape = result.shape
    node._in_meta = None if (xd.shape == shape and yd.shape == shape and
                             xd.dtype is result.dtype and yd.dtype is result.dtype) \
        else ((xd.shape, xd.dtype), (yd.shape, yd.dtype))
    if op.saves:
        saved = [None, None, None]
        if op._save_result:
            saved[0] = (result, 0, vc, 0)
        for i in op._save_inputs:
            t = y if i else x
            saved[i + 1] = (t, t._vc[0])
        node._saved = pack_saved(saved) if saved_hooks else saved
    else:
        node._saved = None
    node._seq = _next_seq()  # after its inputs' nodes (an accumulator may be new)
    if _anomaly.enabled:
        _anomaly_mode.record(node)
    out._rg = True
    out._edge = (node, 0)
    return out


_new = object.__new__
_ndarray = _xp.ndarray
_anomaly = _anomaly_mode.state
_asarray = _xp.asarray


def _wrap(result) -> Tensor:
    if result.__class__ is not _ndarray:
        result = _asarray(result)
    return Tensor._make(result)


def _record(op, inputs, attrs, result):
    """A new node for ``op`` (the general path): edges, attrs, input metadata."""
    node = _new(op.node_cls)
    _edges_and_meta(node, inputs, result)
    node._seq = _next_seq()
    node._attrs = attrs
    node._hooks = None
    node._saved = None
    return node


def _edges_and_meta(node, inputs, result) -> None:
    meta = None
    shape, dtype = result.shape, result.dtype
    edges = []
    for t in inputs:
        e = t._edge
        if e is None:
            e = (accumulator(t), 0) if t._rg else _NO_EDGE
        edges.append(e)
        d = t._data
        if meta is None and (d.shape != shape or d.dtype != dtype):
            meta = True
    node.next_functions = tuple(edges)
    node._in_meta = tuple([(t._data.shape, t._data.dtype) for t in inputs]) if meta else None


def _apply_multi(op, inputs, attrs, results, needs):
    outs = [_wrap(r) for r in results]
    if op.view:
        name = op.node_cls.__name__
        name = name[:-9] if name.endswith("Backward0") else name
        for nr, o in enumerate(outs):
            # In-place on one output of a multi-output view op is forbidden (PyTorch).
            mark_view(o, inputs[0], MULTI_OUTPUT if _grad_state.enabled else NO_GRAD_MODE,
                      name, nr)
    if not (needs and _grad_state.enabled and op.differentiable):
        return tuple(outs)
    node = _record(op, inputs, attrs, outs[0]._data)
    node._out_meta = tuple([(o._data.shape, o._data.dtype) for o in outs])
    if node._in_meta is None:  # multi-output: always shape input gradients
        node._in_meta = tuple([(t._data.shape, t._data.dtype) for t in inputs])
    if op.saves:
        saved = [None] * (len(inputs) + 1)
        if op._save_result:
            saved[0] = [(o._data, o._vc[0], o._vc, nr) for nr, o in enumerate(outs)]
        for i in op._save_inputs:
            t = inputs[i]
            saved[i + 1] = (t, t._vc[0])
        node._saved = pack_saved(saved) if saved_hooks else saved
    if _anomaly.enabled:
        _anomaly_mode.record(node)
    for nr, o in enumerate(outs):
        if nr not in op.nondiff_outputs and o._data.dtype.kind == "f":
            o._rg = True
            o._edge = (node, nr)
    return tuple(outs)
