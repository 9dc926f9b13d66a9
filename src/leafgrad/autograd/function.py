"""Custom autograd Functions: a forward on tensors and the backward the user writes for it.

    class MyReLU(leafgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * (x > 0)

    y = MyReLU.apply(x)        # y.grad_fn is a MyReLUBackward node

As in PyTorch, ``ctx`` *is* the backward node: one object per call, an instance of
``MyReLU._backward_cls`` (a subclass of ``BackwardCFunction`` made with the Function
class), so what forward stores on it is what backward and ``y.grad_fn`` see.

The engine treats a node whose ``op`` is None as a custom Function's node and calls
``node._apply_backward(grads, raw)``; ``raw`` gradients are backend arrays (a
first-order backward) and are wrapped as Tensors for the user's backward, which
always sees and returns Tensors. Outputs saved for backward are kept as their array
and version counter and rebuilt on access, so a node never holds its outputs and a
graph has no reference cycles.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

from ..backend import np
from ..tensor import Tensor, mark_view, sync_view
from . import anomaly_mode, grad_mode
from .graph import Node, accumulator, freed_message, next_seq

__all__ = [
    "FunctionCtx", "BackwardCFunction", "Function", "once_differentiable", "InplaceFunction",
]

_state = grad_mode.state
_new = object.__new__
_ndarray = np.ndarray
_NO_EDGE = (None, 0)

_CLEARED_MSG = (
    "saved_tensors can only be accessed once when clear_saved_tensors_on_access=True is set "
    "on the autograd.Function. Either access saved_tensors only once, or set "
    "clear_saved_tensors_on_access=False."
)
_ONCE_MSG = (
    "trying to differentiate twice a function that was marked with @once_differentiable"
)


class _Cleared:
    """``_saved`` after ``clear_saved_tensors_on_access`` handed the tensors out once."""

    __slots__ = ()


_CLEARED = _Cleared()


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) can ask of ``ctx`` for the backward."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors (or None) for backward, version-checked: read them from
        ``ctx.saved_tensors``. Prefer this to ``ctx.x = x``: a tensor kept as an attribute
        is not checked for in-place changes and can keep its graph alive."""
        self.to_save = tensors

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for a forward-mode ``jvp`` (accepted; leafgrad has no forward mode)."""
        for t in tensors:
            if not (t is None or isinstance(t, Tensor)):
                raise AssertionError(
                    "save_for_forward expects all arguments to be tensors; you should save "
                    "non-tensors as attributes on ctx."
                )
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Tensor) -> None:
        """Declare inputs that forward modified in place (each must also be returned)."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Tensor) -> None:
        """Declare outputs that carry no gradient (backward still gets zeros for them)."""
        self.non_differentiable = args

    def mark_shared_storage(self, *pairs) -> None:
        warnings.warn(
            "`mark_shared_storage` is deprecated. Tensors with shared storages are "
            "automatically tracked. Note that calls to `set_()` are not tracked",
            FutureWarning,
            stacklevel=2,
        )

    def set_materialize_grads(self, value: bool) -> None:
        """Whether gradients of unused outputs reach backward as zeros (default) or None."""
        self._materialize = bool(value)


# Attributes leafgrad itself sets on a ctx: a tuple of tensors there is no user's stash.
_OWN = frozenset({"to_save", "dirty_tensors", "non_differentiable", "saved_for_forward"})


class BackwardCFunction(Node, FunctionCtx):
    """The backward node of one custom Function call, and the ``ctx`` its forward saw.

    ``next_functions`` has one edge per *tensor* input; backward returns one gradient
    per forward input, and those for non-tensor inputs must be None.
    """

    __slots__ = ("to_save", "dirty_tensors", "non_differentiable", "saved_for_forward",
                 "needs_input_grad", "_materialize", "_n_out", "_tensor_args")
    _forward_cls: Any = None
    op = None  # the engine's mark of a custom Function's node

    def __call__(self, *grads):
        # PyTorch's custom nodes are not callable: grad_fn.apply(...) runs the backward.
        raise TypeError(f"'{type(self).__name__}' object is not callable")

    def __repr__(self) -> str:
        return f"<leafgrad.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def __setattr__(self, name: str, value) -> None:
        if name not in _OWN and _holds_tensor(value):
            warnings.warn(
                f"a Tensor was stored on ctx as 'ctx.{name}'. A tensor kept as a ctx "
                "attribute is not checked for in-place modification (backward may silently "
                "use changed values) and keeps its whole graph alive as long as the ctx lives "
                "(a memory leak, or a reference cycle when it is an output). Save tensors that "
                "backward needs with ctx.save_for_backward(...) and read them back from "
                "ctx.saved_tensors.",
                UserWarning,
                stacklevel=2,
            )
        object.__setattr__(self, name, value)

    # -- saved tensors ------------------------------------------------------------------
    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(freed_message(self))
        if saved.__class__ is _Cleared:
            raise RuntimeError(_CLEARED_MSG)
        if not saved:
            return ()
        values = tuple(self._unpack(False))
        if self._forward_cls.clear_saved_tensors_on_access:
            self._saved = _CLEARED
        return values

    @property
    def saved_variables(self) -> tuple:
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'",
                      DeprecationWarning, stacklevel=2)
        return self.saved_tensors

    # -- backward -------------------------------------------------------------------------
    def _user_fn(self) -> Callable:
        cls = self._forward_cls
        backward, vjp = cls.backward, cls.vjp
        if backward is not _base_backward and vjp is not _base_backward:
            raise RuntimeError(
                "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
                "You should only implement one of them."
            )
        return vjp if vjp is not _base_backward else backward

    def apply(self, *grads):
        """Call the user's backward on ``grads`` as given (PyTorch's ``grad_fn.apply``)."""
        if self._forward_cls.boxed_grads_call:
            return self._user_fn()(self, list(grads))
        return self._user_fn()(self, *grads)

    def _apply_backward(self, grads: list, raw: bool) -> list:
        """The engine's entry: output gradients in, one gradient per tensor input out."""
        if self._saved is None:  # released by an earlier backward
            raise RuntimeError(freed_message(self))
        fn = self._user_fn()
        materialize = self._materialize
        gs = []
        for g, meta in zip(grads, self._out_meta):
            if g is None:
                if materialize and meta is not None:
                    g = Tensor._make(np.zeros(meta[0], meta[1]))
            elif raw:
                g = Tensor._make(g if g.__class__ is _ndarray else np.asarray(g))
            gs.append(g)
        if self._forward_cls.boxed_grads_call:
            result = fn(self, gs)
        else:
            result = fn(self, *gs)
        return self._check_grads(result, raw)

    def _check_grads(self, result, raw: bool) -> list:
        if not isinstance(result, tuple):  # a namedtuple counts as a tuple too
            result = (result,)
        is_tensor = self._tensor_args
        n = len(is_tensor)
        if len(result) > n:  # extra trailing Nones are allowed
            for r in result[n:]:
                if r is not None:
                    break
            else:
                result = result[:n]
        if len(result) != n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected "
                f"{n}, got {len(result)})"
            )
        out = []
        edges = self.next_functions
        for i, (r, tensor_input) in enumerate(zip(result, is_tensor)):
            if not tensor_input:
                if r is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a "
                        "Variable"
                    )
                continue
            if r is not None:
                if not isinstance(r, Tensor):
                    raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
                if edges[len(out)][0] is None:  # that input needs no gradient: dropped
                    r = None
                elif raw:
                    r = r._data
            out.append(r)
        return out


def _holds_tensor(value) -> bool:
    if isinstance(value, Tensor):
        return True
    if value.__class__ is list or value.__class__ is tuple:
        for v in value:
            if isinstance(v, Tensor):
                return True
    return False


class Function(FunctionCtx):
    """Base class of custom autograd Functions: subclass it with static ``forward`` and
    ``backward``, and call ``YourFunction.apply(*args)``.

    >>> class Square(leafgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         x, = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = leafgrad.tensor([1., 2.], requires_grad=True)
    >>> y = Square.apply(x)
    >>> y.sum().backward()
    >>> x.grad
    tensor([2., 4.])
    >>> y.grad_fn.name()
    'SquareBackward'
    """

    _backward_cls: type = BackwardCFunction
    clear_saved_tensors_on_access = False
    boxed_grads_call = False
    generate_vmap_rule = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # No __slots__: the ctx takes any attribute the user sets.
        node_cls = type(cls.__name__ + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        node_cls.__module__ = __name__
        cls._backward_cls = node_cls

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are "
            "all static, so you should invoke them on the class itself. Instantiating an "
            "autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        """``forward(ctx, *args)``, or ``forward(*args)`` with ``setup_context``."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        """Fill ``ctx`` from the inputs and output (when forward takes no ctx)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """One gradient per forward input (None where none), from one per output."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward  # the same method under its other name: implement one of them

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (grad mode off) and, where an input requires grad, record a
        ``<Name>Backward`` node as the outputs' ``grad_fn``."""
        setup = cls.setup_context is not _base_setup_context
        if setup:
            args, kwargs = _bind_defaults(cls, args, kwargs)
        if kwargs:
            args = _bind_keywords(cls, args, kwargs, setup)
        node = _new(cls._backward_cls)
        needs = []
        edges = []
        meta = []
        is_tensor = []
        for a in args:
            if isinstance(a, Tensor):
                if a._base is not None:
                    sync_view(a)
                rg = a._rg
                needs.append(rg)
                is_tensor.append(True)
                e = a._edge
                if e is None:
                    e = (accumulator(a), 0) if rg else _NO_EDGE
                edges.append(e)
                d = a._data
                meta.append((d.shape, d.dtype))
            else:
                needs.append(False)
                is_tensor.append(False)
        grad_on = _state.enabled
        slot_set = object.__setattr__
        slot_set(node, "needs_input_grad", tuple(needs))
        slot_set(node, "_tensor_args", tuple(is_tensor))
        slot_set(node, "_materialize", True)
        slot_set(node, "_hooks", None)
        slot_set(node, "_attrs", None)
        slot_set(node, "_saved", ())
        slot_set(node, "_in_meta", None)
        slot_set(node, "_out_meta", None)
        slot_set(node, "_n_out", 1)
        slot_set(node, "to_save", None)
        slot_set(node, "dirty_tensors", None)
        slot_set(node, "non_differentiable", None)
        slot_set(node, "saved_for_forward", None)
        slot_set(node, "next_functions", tuple(edges))
        slot_set(node, "_seq", next_seq())  # after the inputs' nodes (views may regenerate)
        _state.enabled = False
        try:
            if setup:
                output = cls.forward(*args)  # keywords were bound to positions
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args)
        finally:
            _state.enabled = grad_on
        executable = grad_on and any(needs)
        if executable and anomaly_mode.state.enabled:
            anomaly_mode.record(node)
        return _wrap_outputs(node, args, output, executable, grad_on, meta)


_base_setup_context = Function.setup_context
_base_backward = Function.backward


class InplaceFunction(Function):
    """Kept for old code (PyTorch's): a Function with an ``inplace`` flag."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


# -- arguments ----------------------------------------------------------------------------
def _forward_info(cls, fn) -> tuple:
    """``(signature, arity)`` of ``fn``, cached on the Function class (computed once, not
    per call); arity is the parameter count when all are plain positional ones, else -1."""
    cached = cls.__dict__.get("_forward_info_cache")
    if cached is not None and cached[0] is fn:
        return cached[1], cached[2]
    sig = inspect.signature(fn)
    params = sig.parameters.values()
    plain = all(p.kind in (inspect.Parameter.POSITIONAL_ONLY,
                           inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params)
    arity = len(params) if plain else -1
    cls._forward_info_cache = (fn, sig, arity)
    return sig, arity


def _bind_defaults(cls, args: tuple, kwargs: dict) -> tuple:
    """setup_context style: bind to forward's signature with defaults (``inputs`` holds
    every parameter), as PyTorch does."""
    sig, arity = _forward_info(cls, cls.forward)
    if not kwargs and len(args) == arity:
        return args, kwargs  # every parameter given by position: binding changes nothing
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.args, bound.kwargs


def _bind_keywords(cls, args: tuple, kwargs: dict, setup: bool) -> tuple:
    """Keyword arguments can only name forward's positional parameters (PyTorch's rule):
    they are moved to their positions, and no position before the last may be left out."""
    params = [p for p in _forward_info(cls, cls.forward)[0].parameters.values()
              if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    if not setup:
        params = params[1:]  # ctx
    names = [p.name for p in params]
    filled = list(args)
    given = [True] * len(args)
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{key}'")
        pos = names.index(key)
        if pos < len(filled) and given[pos]:
            raise TypeError(f"forward() got multiple values for argument '{key}'")
        while len(filled) <= pos:
            filled.append(None)
            given.append(False)
        filled[pos] = value
        given[pos] = True
    for pos, ok in enumerate(given):
        if not ok:
            raise TypeError(f"forward() missing required argument: '{names[pos]}' (position {pos})")
    return tuple(filled)


# -- outputs ------------------------------------------------------------------------------
def _alias(t: Tensor, view: bool) -> Tensor:
    """A new tensor on ``t``'s data and version counter: a view of it (``view_as``), or a
    detached alias."""
    out = Tensor._make(t._data)
    out._vc = t._vc
    if view:
        mark_view(out, t)
    return out


def _find(t, seq) -> bool:
    for s in seq:
        if s is t:
            return True
    return False


def _wrap_outputs(node, args: tuple, output, executable: bool, grad_on: bool, meta: list):
    """Give forward's outputs their history (PyTorch's rules for inputs returned as they
    are, in-place inputs and non-differentiable outputs) and save what backward needs."""
    is_tuple = isinstance(output, tuple)
    outputs = output if is_tuple else (output,)
    dirty = node.dirty_tensors or ()
    nondiff = node.non_differentiable or ()
    for t in dirty:
        if not isinstance(t, Tensor):
            raise RuntimeError("mark_dirty can only accept variables, but argument ")
    for t in nondiff:
        if not isinstance(t, Tensor):
            raise RuntimeError(
                "mark_non_differentiable only accepts variable arguments, but got "
            )
    for t in dirty:
        if not _find(t, args):
            warnings.warn(
                "ctx.mark_dirty() received a tensor that was not an input. Only input Tensors "
                "that have been mutated should be passed to ctx.mark_dirty().",
                UserWarning,
                stacklevel=3,
            )
        t._vc[0] += 1  # the in-place change forward made, as an in-place op counts it
    for t in dirty:
        if not _find(t, outputs):
            raise RuntimeError(
                "Some elements marked as dirty during the forward method were not returned as "
                "output. The inputs that are modified inplace must all be outputs of the "
                "Function."
            )
    results = []
    out_meta = []
    for i, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            results.append(o)
            out_meta.append(None)
            continue
        d = o._data
        out_meta.append((d.shape, d.dtype))
        is_dirty = bool(dirty) and _find(o, dirty)
        is_input = _find(o, args)
        if not grad_on or (nondiff and _find(o, nondiff)):
            # No history to give: an input comes back as a detached alias.
            results.append(_alias(o, False) if is_input else o)
            continue
        if is_input and not is_dirty:
            o = _alias(o, True)  # an input returned as it is: a view (PyTorch's view_as)
        if executable and d.dtype.kind == "f":
            if is_dirty:
                if o._edge is None and o._rg:
                    raise RuntimeError(
                        "a leaf Variable that requires grad has been used in an in-place "
                        "operation."
                    )
                if o._base is not None:
                    raise RuntimeError(
                        "leafgrad: a custom Function that modifies a view in place "
                        "(ctx.mark_dirty on a view) is not supported yet"
                    )
                o._grad = None
            o._edge = (node, i)
            o._rg = True
        results.append(o)
    slot_set = object.__setattr__  # leafgrad's own state: past the ctx's attribute check
    if executable:
        slot_set(node, "_n_out", len(outputs))
        slot_set(node, "_out_meta", tuple(out_meta))
        slot_set(node, "_in_meta", tuple(meta))
        to_save = node.to_save
        if to_save:
            slot_set(node, "_saved", _saved_entries(node, to_save))
    slot_set(node, "to_save", None)
    slot_set(node, "dirty_tensors", None)
    slot_set(node, "non_differentiable", None)
    if is_tuple:
        return tuple(results)
    return results[0]


def _saved_entries(node, to_save: tuple) -> list:
    """Saved tensors as the graph keeps them: an output of this node as its array and
    version counter (rebuilt on access: no cycle through the node), anything else as the
    tensor with the version it had."""
    entries = []
    for i, t in enumerate(to_save):
        if t is None:
            entries.append(None)
        elif not isinstance(t, Tensor):
            raise TypeError(
                f"save_for_backward can only save variables, but argument {i} is of type "
                f"{type(t).__name__}"
            )
        elif t._edge is not None and t._edge[0] is node:
            entries.append((t._data, t._vc[0], t._vc, t._edge[1]))
        else:
            entries.append((t, t._vc[0]))
    return entries


# -- once_differentiable ------------------------------------------------------------------
class Error(Node):
    """The node behind the gradients of a ``@once_differentiable`` backward computed with
    ``create_graph``: differentiating through it again raises."""

    __slots__ = ("_n_out",)
    op = None

    def name(self) -> str:
        return "leafgrad::autograd::Error"

    def _apply_backward(self, grads: list, raw: bool) -> list:
        raise RuntimeError(_ONCE_MSG)


def once_differentiable(fn: Callable) -> Callable:
    """Decorate a ``backward`` that is not itself differentiable: it runs with grad mode off,
    and differentiating its result again (``create_graph=True``) raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = fn(ctx, *args, **kwargs)
        finally:
            _state.enabled = prev
        if not prev:
            return outputs
        for a in args:
            if isinstance(a, Tensor) and a._rg:
                break
        else:
            return outputs
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        node = _new(Error)
        node._n_out = len(outs)
        node._hooks = None
        node._attrs = None
        node._saved = ()
        node._in_meta = None
        node._out_meta = None
        edges = []
        results = []
        for i, v in enumerate(outs):
            if v is None:
                edges.append(_NO_EDGE)
                results.append(None)
                continue
            fake = v.detach()
            fake.requires_grad = True  # gives the error node an input that "needs" grad
            edges.append((accumulator(fake), 0))
            out = _alias(v, False)
            out._rg = True
            out._edge = (node, i)
            results.append(out)
        node.next_functions = tuple(edges)
        node._seq = next_seq()
        if isinstance(outputs, tuple):
            return tuple(results)
        return results[0]

    return wrapper
