"""Backward nodes: what an op leaves behind for the engine.

A node holds the edges to its inputs' nodes (``next_functions``), the values its
vjp needs (saved with the version they had, checked when unpacked), the input
metadata the engine needs to shape gradients, and hooks.  Nodes never hold their
outputs: an output saved for backward is kept as its array and rebuilt on
unpack, so a graph has no reference cycles and dies with the last tensor on it.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

from ..backend import np as _np

_ndarray = _np.ndarray

next_seq = itertools.count().__next__  # node creation order; set after a node's edges


class RemovableHandle:
    """Returned by ``register_*hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_key")
    _next_id = 0

    def __init__(self, hooks: dict) -> None:
        RemovableHandle._next_id += 1
        self._hooks = hooks
        self._key = RemovableHandle._next_id

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: dict, fn: Callable) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle._key] = fn
    return handle


FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def freed_message(node) -> str:
    """PyTorch's second-backward error, plus (on its own line) the node that lost its values."""
    return (f"{FREED}\nleafgrad: the saved values of {node.name()} were freed by an earlier "
            "backward through this graph.")


# -- saved-tensor hooks ---------------------------------------------------------------------
saved_hooks: list = []  # the active (pack, unpack) pairs, innermost last


class saved_tensors_hooks:
    """Context manager: every tensor saved for backward inside it goes through
    ``pack_hook(tensor) -> anything`` when saved and ``unpack_hook(packed) -> tensor``
    when backward needs it (to offload, compress or log saved values)."""

    def __init__(self, pack_hook: Callable, unpack_hook: Callable) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors in host memory (a copy), bringing them back for backward.

    On the NumPy backend everything already lives on the CPU, so this costs one copy
    per saved tensor; with a GPU backend the same code moves them off the device."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(t):
            return t.detach().clone()

        def unpack(packed):
            return packed

        super().__init__(pack, unpack)


class _Packed:
    """A saved value that went through a pack hook."""

    __slots__ = ("packed", "unpack_hook", "output_nr", "vc")

    def __init__(self, packed, unpack_hook, output_nr, vc) -> None:
        self.packed = packed
        self.unpack_hook = unpack_hook
        self.output_nr = output_nr  # None for an input
        self.vc = vc

    def unpack(self, node, raw: bool):
        t = self.unpack_hook(self.packed)
        if not hasattr(t, "_data"):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but "
                            f"got result of type {type(t).__name__}")
        if raw:
            return t._data
        if self.output_nr is not None:  # an output: it hangs on this node again
            return _tensor_cls()._make_output(t._data, node, self.output_nr, self.vc)
        return t


def pack_saved(saved: list) -> list:
    """Run the innermost pack hook on each saved value (apply() calls this when hooks are on)."""
    pack, unpack = saved_hooks[-1]
    Tensor = _tensor_cls()
    out = []
    for entry in saved:
        if entry is None:
            out.append(None)
        elif entry.__class__ is list:
            out.append(entry)  # multi-output results: kept as they are
        elif len(entry) == 2:
            out.append(_Packed(pack(entry[0]), unpack, None, None))
        else:
            data, _, vc, nr = entry
            t = Tensor._make(data)
            t._vc = vc
            out.append(_Packed(pack(t), unpack, nr, vc))
    return out


class _Hooks:
    """The hooks of one node (most nodes have none, so they share no dicts)."""

    __slots__ = ("pre", "post", "tensor")

    def __init__(self) -> None:
        self.pre: dict = {}  # fn(grad_outputs) -> new grad_outputs or None
        self.post: dict = {}  # fn(grad_inputs, grad_outputs) -> new grad_inputs or None
        self.tensor: dict = {}  # (output_nr, fn(grad) -> new grad or None): Tensor hooks


class Node:
    """A backward function in the graph (``MulBackward0``, ``AccumulateGrad`` ...).

    ``next_functions`` is a tuple of ``(node, output_nr)`` pairs, one per input
    (``(None, 0)`` for inputs that need no gradient). Saved values are entries
    ``(tensor, version)`` for inputs and ``(array, version, version_counter,
    output_nr)`` for outputs, which are rebuilt on unpack (a node never holds its
    outputs, so the graph has no cycles).
    """

    # _seq: creation order (PyTorch's sequence number); backward runs nodes newest first.
    __slots__ = ("next_functions", "_saved", "_attrs", "_in_meta", "_out_meta", "_hooks",
                 "_metadata", "_seq", "__weakref__")
    op: Any = None  # the Op class whose vjp this node runs (set on generated subclasses)
    _single = False  # one output and an op: a gradient buffer is just [g]

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        """A free-form dict for the user (PyTorch's ``node.metadata``)."""
        try:
            return self._metadata
        except AttributeError:
            self._metadata = {}
            return self._metadata

    def _hook_dicts(self) -> _Hooks:
        if self._hooks is None:
            self._hooks = _Hooks()
        return self._hooks

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        return add_hook(self._hook_dicts().post, fn)

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        return add_hook(self._hook_dicts().pre, fn)

    def _register_tensor_prehook(self, output_nr: int, fn: Callable) -> RemovableHandle:
        # Tensor.register_hook on a non-leaf: runs on the gradient of that output only.
        return add_hook(self._hook_dicts().tensor, (output_nr, fn))

    # -- saved values -----------------------------------------------------------------
    def _unpack(self, raw: bool) -> list:
        """The vjp's saved arguments ``[result, *inputs]`` (None where not saved),
        version-checked: arrays when ``raw``, else Tensors (a saved output is rebuilt as
        a tensor whose grad_fn is this node)."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(freed_message(self))
        out = []
        for entry in saved:
            if entry is None:
                out.append(None)
            elif entry.__class__ is _Packed:
                out.append(entry.unpack(self, raw))
            elif entry.__class__ is list:  # the outputs of a multi-output op
                out.append(tuple([self._output(e, raw) for e in entry]))
            elif len(entry) == 2:
                t, version = entry
                if t._vc[0] != version:
                    _raise_modified(self, t._data, t._vc[0], version, None, t)
                out.append(t._data if raw else t)
            else:
                out.append(self._output(entry, raw))
        return out

    def _output(self, entry, raw: bool):
        data, version, vc, nr = entry
        if vc[0] != version:
            _raise_modified(self, data, vc[0], version, nr, vc=vc)
        return data if raw else _tensor_cls()._make_output(data, self, nr, vc)

    def __getattr__(self, name: str):
        # _saved_<name>: what the vjp keeps, under PyTorch's argument names.
        op = type(self).op
        if name.startswith("_saved_") and op is not None:
            key = name[7:]
            if key in op.saves:
                values = self._unpack(False)
                return values[0] if key == "result" else values[1 + op.args.index(key)]
            attrs = self._attrs or {}
            key = _SAVED_ALIASES.get(key, key)
            if key in attrs:
                value = attrs[key]
                if getattr(value, "ndim", None) == 0:  # a scalar op's constant
                    return _tensor_cls()._make(value.copy())
                return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self):
        # List the _saved_<name> attributes, as PyTorch's nodes do (graph tools find them so).
        names = set(super().__dir__())
        op = type(self).op
        if op is not None:
            names.update("_saved_" + s for s in op.saves)
            attrs = getattr(self, "_attrs", None) or {}
            for key, value in attrs.items():
                if value is None or key not in _SAVED_NAMES:
                    continue
                if (key == "keepdim" and attrs.get("dim") is None) or \
                        (key == "other" and self.name().startswith(("Add", "Sub"))):
                    continue  # PyTorch keeps neither (a full reduction; a scalar summand)
                names.add("_saved_" + _SAVED_NAMES[key])
        return sorted(names)

    def _release(self) -> None:
        self._saved = None

    def __call__(self, *grads):
        """Run this node's vjp on output gradients (as ``grad_fn(grad)`` does in PyTorch)."""
        from .engine import call_node

        return tuple(call_node(self, list(grads), False))


_SAVED_ALIASES = {"self_sym_sizes": "shape"}
# Op attributes PyTorch also exposes as _saved_<name> (attribute -> PyTorch's name).
_SAVED_NAMES = {"shape": "self_sym_sizes", "dim": "dim", "index": "index",
                "exponent": "exponent", "keepdim": "keepdim", "other": "other",
                "alpha": "alpha", "dims": "dims", "min": "min", "max": "max"}


def _tensor_cls():
    """``leafgrad.tensor.Tensor``, imported on first use (that module imports this one)."""
    global _Tensor
    if _Tensor is None:
        from ..tensor import Tensor

        _Tensor = Tensor
    return _Tensor


_Tensor = None


def _producer_name(node) -> str:
    # PyTorch names the producer without "Backward": MulBackward0 -> Mul, ClampBackward1 ->
    # Clamp1; the engine's own nodes keep their qualified names.
    name = node.name()
    if "::" in name:
        return name
    head, _, tail = name.partition("Backward")
    return head + ("" if tail == "0" else tail)


def _raise_modified(node, data, now, expected, nr, tensor=None, vc=None) -> None:
    from ..dtypes import FROM_NP

    shape = ", ".join(str(s) for s in data.shape)
    kind = FROM_NP[data.dtype].legacy_name
    if nr is not None:
        producer = f", which is output {nr} of {_producer_name(node)},"
    else:
        fn = tensor.grad_fn
        producer = f", which is output {tensor._output_nr} of {_producer_name(fn)}," \
            if fn is not None else ""
        vc = tensor._vc
    where = ""
    if vc is not None and len(vc) > 1:
        op, line = vc[1]
        where = f" (leafgrad: it was last modified in place by {op}() at {line}.)"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [leafgrad.{kind} [{shape}]]{producer} is at version "
        f"{now}; expected version {expected} instead. Hint: enable anomaly detection to find "
        "the operation that failed to compute its gradient, with "
        f"leafgrad.autograd.set_detect_anomaly(True, check_nan=False).{where}"
    )


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's ``.grad``."""

    __slots__ = ("variable",)
    next_functions = ()
    _single = True

    def __init__(self, variable) -> None:
        self.variable = variable
        self._hooks = None
        self._saved = None
        self._seq = next_seq()

    def name(self) -> str:
        return "leafgrad::autograd::AccumulateGrad"

    def __getattr__(self, name: str):
        raise AttributeError(f"'AccumulateGrad' object has no attribute '{name}'")

    def accumulate(self, grad, owned: bool) -> None:
        """Add ``grad`` into the leaf's ``.grad``.

        ``grad`` is a backend array (first-order backward) or a Tensor (``create_graph``:
        its graph is kept). ``owned``: nobody else holds the array, so it can become
        ``.grad`` without a copy.
        """
        var = self.variable
        old = var._grad
        tensor = _Tensor or _tensor_cls()
        if grad.__class__ is not tensor:
            if old is None:
                if not owned:
                    grad = grad.copy()
                var._grad = tensor._make(_as_array(grad))
            else:
                old._data += grad  # in place, as PyTorch: a held .grad sees the sum
                old._vc[0] += 1
        elif old is None:
            var._grad = grad
        else:
            var._grad = old + grad
        extra = var._extra
        hooks = extra and extra.get("post_acc_hooks")
        if hooks:
            for hook in list(hooks.values()):
                hook(var)


def _as_array(a):
    """NumPy ops on 0-d arrays return scalars; a Tensor always holds an ndarray."""
    return a if a.__class__ is _ndarray else _np.asarray(a)


def accumulator(tensor) -> AccumulateGrad:
    """The AccumulateGrad node of a leaf, shared while anything holds it."""
    ref = tensor._acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._acc = weakref.ref(node)
    return node
