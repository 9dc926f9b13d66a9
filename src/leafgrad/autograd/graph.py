"""Backward nodes: what an op leaves behind for the engine.

A node holds the edges to its inputs' nodes (``next_functions``), the values its
vjp needs (saved with the version they had, checked when unpacked), the input
metadata the engine needs to shape gradients, and hooks.  Nodes never hold their
outputs: an output saved for backward is kept as its array and rebuilt on
unpack, so a graph has no reference cycles and dies with the last tensor on it.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from . import grad_mode


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


class Node:
    """A backward function in the graph (``MulBackward0``, ``AccumulateGrad`` ...).

    ``next_functions`` is a tuple of ``(node, output_nr)`` pairs, one per input
    (``(None, 0)`` for inputs that need no gradient).
    """

    __slots__ = ("next_functions", "_saved", "_versions", "_attrs", "_in_meta", "_out_meta",
                 "_hooks", "_prehooks", "_tensor_prehooks", "_metadata", "_freed",
                 "__weakref__")
    op: Any = None  # the Op class whose vjp this node runs (set on generated subclasses)

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

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if getattr(self, "_hooks", None) is None:
            self._hooks = {}
        return add_hook(self._hooks, fn)

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if getattr(self, "_prehooks", None) is None:
            self._prehooks = {}
        return add_hook(self._prehooks, fn)

    def _register_tensor_prehook(self, output_nr: int, fn: Callable) -> RemovableHandle:
        # Tensor.register_hook on a non-leaf: runs on the gradient of that output only.
        if getattr(self, "_tensor_prehooks", None) is None:
            self._tensor_prehooks = {}
        return add_hook(self._tensor_prehooks, (output_nr, fn))

    # -- saved values -----------------------------------------------------------------
    def _unpack(self) -> tuple:
        """The saved values, version-checked; outputs are rebuilt on this node."""
        saved = self._saved
        if saved is None:
            if self.op.saves:
                raise RuntimeError(FREED)
            return ()
        from ..tensor import Tensor

        out = []
        for value, version in zip(saved, self._versions):
            if value.__class__ is tuple:  # a saved output: (array, version counter, nr)
                data, vc, nr = value
                if vc[0] != version:
                    _raise_modified(self, data, vc[0], version, nr)
                value = Tensor._make_output(data, self, nr, vc)
            elif value is not None and value._vc[0] != version:
                _raise_modified(self, value._data, value._vc[0], version, None, value)
            out.append(value)
        return out

    def __getattr__(self, name: str):
        # _saved_<name>: what the vjp keeps, under PyTorch's argument names.
        if name.startswith("_saved_") and self.op is not None:
            key = name[7:]
            saves = self.op.saves
            if key in saves:
                values = self._unpack()
                return values[saves.index(key)]
            attrs = self._attrs or {}
            if key in attrs:
                return attrs[key]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _release(self) -> None:
        self._saved = None

    def __call__(self, *grads):
        """Run this node's vjp on output gradients (as ``grad_fn(grad)`` does in PyTorch)."""
        from .engine import call_node

        return call_node(self, list(grads))


def _raise_modified(node, data, now, expected, nr, tensor=None) -> None:
    from ..dtypes import FROM_NP

    shape = ", ".join(str(s) for s in data.shape)
    kind = FROM_NP[data.dtype].legacy_name
    if nr is not None:
        producer = f"output {nr} of {node.name()}"
    else:
        fn = tensor.grad_fn
        producer = f"output {tensor._output_nr} of {fn.name()}" if fn is not None else "a leaf"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [leafgrad.{kind} [{shape}]], which is {producer}, is at version "
        f"{now}; expected version {expected} instead. Hint: enable anomaly detection to find "
        "the operation that failed to compute its gradient, with "
        "leafgrad.autograd.set_detect_anomaly(True)."
    )


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's ``.grad``."""

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable) -> None:
        self.variable = variable
        self._hooks = self._prehooks = self._tensor_prehooks = None
        self._saved = None

    def name(self) -> str:
        return "leafgrad::autograd::AccumulateGrad"

    def __getattr__(self, name: str):
        raise AttributeError(f"'AccumulateGrad' object has no attribute '{name}'")

    def accumulate(self, grad, owned: bool) -> None:
        """Add ``grad`` into the leaf's ``.grad``; ``owned``: nobody else holds ``grad``."""
        var = self.variable
        old = var._grad
        if old is None:
            if grad_mode.state.enabled:
                var._grad = grad  # create_graph: keep the graph of the gradient
            else:
                var._grad = grad if owned else grad._private_copy()
        elif grad_mode.state.enabled:
            var._grad = old + grad
        else:
            old._data += grad._data
            old._vc[0] += 1
        hooks = var._extra and var._extra.get("post_acc_hooks")
        if hooks:
            for hook in list(hooks.values()):
                hook(var)


def accumulator(tensor) -> AccumulateGrad:
    """The AccumulateGrad node of a leaf, shared while anything holds it."""
    ref = tensor._acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._acc = weakref.ref(node)
    return node
