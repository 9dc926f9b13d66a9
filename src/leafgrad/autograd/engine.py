"""The backward engine: one iterative walk over the graph, for backward() and grad().

1. Walk from the roots (no recursion), counting how many edges reach each node.
2. Run nodes whose consumers have all run: gradients reaching a node are summed
   in its input buffer, the buffer is freed once consumed, and saved values are
   released unless ``retain_graph``.
3. vjps run under ``set_grad_enabled(create_graph)``, so with ``create_graph`` the
   gradients themselves are recorded and can be differentiated again.

Each gradient a vjp returns is summed back to its input's shape and cast to its
dtype in one place (``_fit``); an impossible shape is an error naming the node.
"""

from __future__ import annotations

import sys

from . import grad_mode
from .graph import AccumulateGrad, Node


def _fit(node: Node, i: int, g, meta):
    """Sum gradient ``g`` of input ``i`` to that input's shape and cast it to its dtype."""
    shape, dtype = meta
    data = g._data
    if data.shape != shape:
        nd = data.ndim - len(shape)
        if nd < 0 or any(s != 1 and s != d for s, d in zip(shape, data.shape[nd:])):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"[{', '.join(map(str, data.shape))}] but expected shape compatible with "
                f"[{', '.join(map(str, shape))}]"
            )
        g = g.sum_to_size(shape) if shape else g.sum()
    if g._data.dtype != dtype:
        g = g.to(_dtype_of(dtype))
    return g


def _dtype_of(np_dtype):
    from ..dtypes import FROM_NP

    return FROM_NP[np_dtype]


def call_node(node: Node, grads: list) -> list:
    """Run one node: pre-hooks, its vjp on the output gradients, shaping, post-hooks."""
    if node._prehooks:
        for hook in list(node._prehooks.values()):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    op = node.op
    if op is None:  # a custom Function's node
        result = node._apply_backward(grads)
    else:
        values = node._unpack()
        args = [None] * len(op.args)
        out = None
        j = 0
        for i in op._save_from:
            if i < 0:
                if op.outputs == 1:
                    out = values[j]
                    j += 1
                else:
                    out = tuple(values[j:j + op.outputs])
                    j += op.outputs
            else:
                args[i] = values[j]
                j += 1
        if op.outputs == 1:
            g = grads[0]
        else:
            g = tuple(_zeros_if_none(gi, meta) for gi, meta in zip(grads, node._out_meta))
        attrs = node._attrs
        result = op.vjp(g, out, *args, **attrs) if attrs else op.vjp(g, out, *args)
        if len(op.args) == 1:
            result = (result,)
    result = list(result)
    if len(result) != len(node.next_functions):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{len(node.next_functions)}, got {len(result)})"
        )
    meta = node._in_meta
    for i, (g, (nxt, _)) in enumerate(zip(result, node.next_functions)):
        if nxt is None:
            result[i] = None
        elif g is not None:
            result[i] = _fit(node, i, g, meta[i])
    if node._hooks:
        for hook in list(node._hooks.values()):
            new = hook(tuple(result), tuple(grads))
            if new is not None:
                result = list(new)
    return result


def _zeros_if_none(g, meta):
    if g is not None:
        return g
    from ..tensor import Tensor
    from ..backend import np

    return Tensor._make(np.zeros(meta[0], meta[1]))


def _collect(roots: list) -> dict:
    """Count the edges reaching each node from the roots (iterative DFS)."""
    deps: dict = {}
    seen = set()
    stack = [n for n in roots if n is not None]
    for n in stack:
        seen.add(n)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _feeding(roots: list, targets: set) -> set:
    """The nodes with a path of one or more edges to a target: only they need to run."""
    feeding: set = set()
    done: set = set()
    stack = [(n, False) for n in roots if n is not None]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            for nxt, _ in node.next_functions:
                if nxt is not None and (nxt in targets or nxt in feeding):
                    feeding.add(node)
                    break
            continue
        if node in done:
            continue
        done.add(node)
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in done:
                stack.append((nxt, False))
    return feeding


def input_edge(t) -> tuple:
    """Where the gradient of tensor ``t`` arrives: its grad_fn's output, or its accumulator."""
    from .graph import accumulator

    if t._edge is not None:
        return t._edge
    return (accumulator(t), 0)


def run(roots: list, root_grads: list, retain_graph: bool, create_graph: bool,
        inputs: list | None = None, capture: bool = False) -> list | None:
    """Backpropagate ``root_grads`` from ``roots`` (a list of (node, output_nr)).

    With ``inputs``, only the nodes leading to them run; with ``capture`` their
    gradients are returned (``autograd.grad``) instead of accumulated into ``.grad``.
    """
    root_nodes = [n for n, _ in roots]
    deps = _collect(root_nodes)
    buffers: dict = {}
    for (node, nr), g in zip(roots, root_grads):
        if node is None:
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * _n_outputs(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    feeding = targets = None
    captured = None
    if inputs is not None:
        targets = {}
        for k, t in enumerate(inputs):
            node, nr = input_edge(t)
            targets.setdefault(node, []).append((k, nr, t))
        feeding = _feeding(root_nodes, targets)
        captured = [None] * len(inputs)

    ready = []
    for n in dict.fromkeys(root_nodes):
        if n is not None and deps.get(n, 0) == 0:
            ready.append(n)

    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * _n_outputs(node)
            is_acc = node.__class__ is AccumulateGrad
            if node._tensor_prehooks:
                grads = _run_tensor_hooks(node, grads)
            if is_acc and grads[0] is not None:
                for hook in node.variable._hook_list():
                    new = hook(grads[0])
                    if new is not None:
                        grads[0] = new
            if targets is not None:
                if node in targets:
                    for k, nr, t in targets[node]:
                        g = grads[nr]
                        if capture:
                            captured[k] = g
                        elif g is not None and not is_acc:
                            g = g if create_graph else g.detach()
                            t._grad = g if t._grad is None else t._grad + g
                    if is_acc and capture:
                        continue
                elif is_acc or node not in feeding:
                    _release_edges(node, deps, ready)
                    continue
            if is_acc:
                g = grads[0]
                if g is not None:
                    del grads
                    node.accumulate(g, sys.getrefcount(g) <= 2 and g._owns_data())
                continue
            if targets is not None and node not in feeding:
                _release_edges(node, deps, ready)
                continue
            if all(g is None for g in grads):
                _release_edges(node, deps, ready)
                if not retain_graph:
                    node._release()
                continue
            result = call_node(node, grads)
            del grads
            if not retain_graph:
                node._release()
            for (nxt, nr), g in zip(node.next_functions, result):
                if nxt is None:
                    continue
                if g is not None:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * _n_outputs(nxt)
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    ready.append(nxt)
    finally:
        grad_mode.state.enabled = prev
    return captured


def _n_outputs(node: Node) -> int:
    op = node.op
    if op is None:
        return getattr(node, "_n_out", 1)
    return op.outputs


def _run_tensor_hooks(node: Node, grads: list) -> list:
    # Tensor.register_hook on a non-leaf: hooks on one output's gradient; retain_grad's
    # hook runs last whenever it was registered, so .grad sees what the hooks made.
    hooks = list(node._tensor_prehooks.values())
    for nr, hook in [h for h in hooks if not getattr(h[1], "retains", False)] + \
            [h for h in hooks if getattr(h[1], "retains", False)]:
        g = grads[nr]
        if g is not None:
            new = hook(g)
            if new is not None:
                grads[nr] = new
    return grads


def _release_edges(node, deps, ready) -> None:
    for nxt, _ in node.next_functions:
        if nxt is None:
            continue
        d = deps[nxt] - 1
        deps[nxt] = d
        if d == 0:
            ready.append(nxt)
