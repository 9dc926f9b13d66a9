"""The Op base class and ``apply``: the single forward entry point, the only place edges are made.

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
"""

from __future__ import annotations

from ..autograd.graph import Node, accumulator
from ..autograd.grad_mode import state as _grad_state
from ..backend import np as _xp
from ..tensor import Tensor

_NO_EDGE = (None, 0)


class Op:
    """A primitive: forward on backend arrays, vjp in leafgrad ops."""

    args: tuple = ("self",)  # names of the tensor arguments, as PyTorch names them
    saves: tuple = ()  # which of ``args`` (and "result") the vjp needs
    name: str | None = None  # backward node name; default "<Class>Backward0"
    view: bool = False  # the output is a view of the first argument
    differentiable: bool = True
    outputs: int = 1  # forward returns a tuple when > 1
    nondiff_outputs: tuple = ()  # output indices that never carry gradient (indices)
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
        # Where each saved value comes from: an input position, or -1 for the output.
        cls._save_from = tuple(-1 if s == "result" else cls.args.index(s) for s in cls.saves)

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
    result = op.forward(_xp, *[t._data for t in inputs], **attrs)
    if op.outputs != 1:
        return _apply_multi(op, inputs, attrs, result)
    out = Tensor._make(result)
    if op.view:
        base = inputs[0]
        out._base = base if base._base is None else base._base
        out._vc = base._vc
    if not (_grad_state.enabled and op.differentiable):
        return out
    for t in inputs:
        if t._rg:
            break
    else:
        return out
    if result.dtype.kind != "f":
        return out  # integer and bool results never require grad
    node = op.node_cls.__new__(op.node_cls)
    node.next_functions = tuple([edge(t) for t in inputs])
    node._attrs = attrs
    node._in_meta = tuple([(t._data.shape, t._data.dtype) for t in inputs])
    node._out_meta = None
    node._hooks = node._prehooks = node._tensor_prehooks = None
    if op.saves:
        saved, versions = [], []
        for i in op._save_from:
            if i < 0:
                saved.append((result, out._vc, 0))
                versions.append(out._vc[0])
            else:
                t = inputs[i]
                saved.append(t)
                versions.append(t._vc[0])
        node._saved = saved
        node._versions = versions
    else:
        node._saved = None
    out._rg = True
    out._edge = (node, 0)
    return out


def _apply_multi(op, inputs, attrs, results):
    outs = [Tensor._make(r) for r in results]
    if op.view:
        base = inputs[0]
        root = base if base._base is None else base._base
        for o in outs:
            o._base = root
            o._vc = base._vc
    record = (_grad_state.enabled and op.differentiable
              and any(t._rg for t in inputs))
    if not record:
        return tuple(outs)
    node = op.node_cls.__new__(op.node_cls)
    node.next_functions = tuple([edge(t) for t in inputs])
    node._attrs = attrs
    node._in_meta = tuple([(t._data.shape, t._data.dtype) for t in inputs])
    node._out_meta = tuple([(r.shape, r.dtype) for r in results])
    node._hooks = node._prehooks = node._tensor_prehooks = None
    saved, versions = [], []
    for i in op._save_from:
        if i < 0:
            saved.extend((r, o._vc, nr) for nr, (r, o) in enumerate(zip(results, outs)))
            versions.extend(o._vc[0] for o in outs)
        else:
            saved.append(inputs[i])
            versions.append(inputs[i]._vc[0])
    node._saved = saved or None
    node._versions = versions
    for nr, o in enumerate(outs):
        if nr not in op.nondiff_outputs and o._data.dtype.kind == "f":
            o._rg = True
            o._edge = (node, nr)
    return tuple(outs)
