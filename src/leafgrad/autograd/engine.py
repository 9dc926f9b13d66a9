"""The backward engine: one iterative walk over the graph, for backward() and grad().

1. Nodes run newest first (PyTorch's sequence numbers, from a heap; no recursion):
   every consumer of a node was made after it, so it has run before the node does.
   A chain's next node, newer than everything waiting, is handed its gradient
   directly instead of going through the heap.
2. Gradients reaching a node are summed in its input buffer, the buffer is freed
   once consumed, and saved values are released unless ``retain_graph``.
3. With ``create_graph`` the vjps run in grad mode on Tensors, so the gradients are
   themselves recorded and can be differentiated again. Without it (the common
   case) nothing needs recording: gradients travel as backend arrays, and ops whose
   vjp is plain arithmetic (``Op.array_vjp``) run it on arrays directly.

Each gradient a vjp returns is summed back to its input's shape and cast to its
dtype in one place (``_fit``); an impossible shape is an error naming the node.
"""

from __future__ import annotations

import sys
from heapq import heappop as _heappop
from heapq import heappush as _heappush

from ..backend import np
from . import anomaly_mode, grad_mode
from .graph import AccumulateGrad, Node, _tensor_cls, accumulator, freed_message

_ndarray = np.ndarray


def _tensor(a):
    """A backend array (or NumPy scalar) as a Tensor outside any graph."""
    if a.__class__ is not _ndarray:
        a = np.asarray(a)
    return _tensor_cls()._make(a)


def _array(g):
    """The array of a gradient that may be a Tensor."""
    return g._data if g.__class__ is not _ndarray and hasattr(g, "_data") else g


def _fit(node: Node, i: int, g, meta, raw: bool):
    """Sum gradient ``g`` of input ``i`` to that input's shape and cast it to its dtype."""
    shape, dtype = meta
    a = g if raw else g._data
    gshape = a.shape
    if gshape != shape:
        nd = len(gshape) - len(shape)
        if nd < 0 or any(s != 1 and s != d for s, d in zip(shape, gshape[nd:])):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"[{', '.join(map(str, gshape))}] but expected shape compatible with "
                f"[{', '.join(map(str, shape))}]"
            )
        if raw:
            axes = tuple(range(nd)) + tuple(
                nd + k for k, s in enumerate(shape) if s == 1 and gshape[nd + k] != 1)
            # the ufunc method, not np.sum: an overflow warning then comes from leafgrad's
            # frame, which leafgrad's warning filter silences (PyTorch overflows quietly)
            g = np.asarray(np.add.reduce(g, axis=axes)).reshape(shape)
        else:
            g = g.sum_to_size(shape) if shape else g.sum()
    if a.dtype != dtype:
        if raw:
            g = np.asarray(g).astype(dtype)
        else:
            from ..dtypes import FROM_NP

            g = g.to(FROM_NP[dtype])
    return g


def call_node(node: Node, grads: list, raw: bool) -> list:
    """Run one node on its output gradients: pre-hooks, vjp, shaping, post-hooks.

    ``raw``: gradients are backend arrays in and out (first-order backward); otherwise
    Tensors (``create_graph``, or a direct ``grad_fn(...)`` call).
    """
    hooks = node._hooks
    if hooks is not None and hooks.pre:
        grads = _call_pre_hooks(hooks, grads, raw)
    op = node.op
    if op is None:  # a custom Function's node
        result = node._apply_backward(grads, raw)
    else:
        arrays = raw and op.array_vjp
        if raw and not arrays:
            grads = [None if g is None else _tensor(g) for g in grads]
        values = node._unpack(arrays) if op.saves else op._nothing_saved
        if op.outputs == 1:
            g = grads[0]
        else:
            g = tuple(_zeros_if_none(gi, meta, arrays)
                      for gi, meta in zip(grads, node._out_meta))
        attrs = node._attrs
        result = op.vjp(g, *values, **attrs) if attrs else op.vjp(g, *values)
        if op._nargs == 1:
            result = [result]
        else:
            result = list(result)
        if raw and not arrays:
            result = [None if r is None else r._data for r in result]
    meta = node._in_meta
    if meta is not None:
        if len(result) != len(meta):
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients (expected "
                f"{len(meta)}, got {len(result)})"
            )
        for i, (g, m) in enumerate(zip(result, meta)):
            if g is not None:
                result[i] = _fit(node, i, g, m, raw)
    if hooks is not None and hooks.post:
        result = _call_post_hooks(hooks, result, grads, raw)
    return result


def _call_pre_hooks(hooks, grads: list, raw: bool) -> list:
    for hook in list(hooks.pre.values()):
        new = hook(tuple(_as_tensors(grads, raw)))
        if new is not None:
            grads = [_array(g) if raw and g is not None else g for g in new]
    return grads


def _call_post_hooks(hooks, result: list, grads: list, raw: bool) -> list:
    for hook in list(hooks.post.values()):
        new = hook(tuple(_as_tensors(result, raw)), tuple(_as_tensors(grads, raw)))
        if new is not None:
            result = [_array(g) if raw and g is not None else g for g in new]
    return result


def _as_tensors(gs, raw: bool) -> list:
    if not raw:
        return list(gs)
    return [None if g is None else (_tensor(g) if g.__class__ is _ndarray or
                                    not hasattr(g, "_data") else g) for g in gs]


def _zeros_if_none(g, meta, arrays: bool):
    if g is not None:
        return g
    z = np.zeros(meta[0], meta[1])
    return z if arrays else _tensor(z)


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
    if t._base is not None:
        from ..tensor import sync_view

        sync_view(t)
    if t._edge is not None:
        return t._edge
    return (accumulator(t), 0)


def run(roots: list, root_grads: list, retain_graph: bool, create_graph: bool,
        inputs: list | None = None, capture: bool = False) -> list | None:
    """Backpropagate ``root_grads`` (Tensors) from ``roots`` (a list of (node, output_nr)).

    With ``inputs``, only the nodes leading to them run; with ``capture`` their
    gradients are returned (``autograd.grad``, as Tensors) instead of accumulated.
    """
    raw = not create_graph
    # Nodes run in decreasing creation order (PyTorch's sequence numbers): every consumer of
    # a node was made after it, so it has run (and sent its gradient) before the node pops.
    # A discovered node has a gradient buffer; the heap holds the discovered, unrun ones.
    buffers: dict = {}
    heap: list = []
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * _n_outputs(node)
            _heappush(heap, (-node._seq, node))
        if raw:
            g = g._data
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    feeding = targets = captured = None
    if inputs is not None:
        targets = {}
        for k, t in enumerate(inputs):
            node, nr = input_edge(t)
            targets.setdefault(node, []).append((k, nr, t))
        feeding = _feeding([n for n, _ in roots], targets)
        captured = [None] * len(inputs)

    anomaly = anomaly_mode.state.enabled
    fast = raw and targets is None and not anomaly
    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    carry = None  # (node, grads) that runs next without a trip through the heap
    try:
        while heap or carry is not None:
            if carry is None:
                node = _heappop(heap)[1]
                grads = buffers.pop(node)
            else:
                node, grads = carry
                carry = None
            op = node.op
            if fast and op is not None and op._fast_vjp and node._hooks is None:
                # The common case, inlined: a first-order vjp on arrays, no hooks.
                g = grads[0]
                if g is None:
                    _release_edges(node, buffers, heap)
                    continue
                slots = op._save_slots
                if slots:
                    saved = node._saved
                    if saved is None:
                        raise RuntimeError(freed_message(node))
                    kind = op._unpack_kind
                    if kind == 1:  # tanh, exp, sigmoid ...: the result alone
                        e = saved[0]
                        values = (e[0], None) if e.__class__ is tuple and e[2][0] == e[1] \
                            else _unpack_slots(node, op, saved, slots)
                    elif kind == 2:  # x ** 2 ...: the input alone
                        e = saved[1]
                        values = (None, e[0]._data) if e.__class__ is tuple and \
                            e[0]._vc[0] == e[1] else _unpack_slots(node, op, saved, slots)
                    elif kind == 3:  # x * y ...: both inputs
                        e, f = saved[1], saved[2]
                        values = (None, e[0]._data, f[0]._data) if e.__class__ is tuple and \
                            f.__class__ is tuple and e[0]._vc[0] == e[1] and \
                            f[0]._vc[0] == f[1] else _unpack_slots(node, op, saved, slots)
                    else:
                        values = _unpack_slots(node, op, saved, slots)
                    e = f = saved = None  # held saved values would outlive their node
                    if not retain_graph:
                        node._saved = None
                else:
                    values = op._nothing_saved
                attrs = node._attrs
                result = op.vjp(g, *values, **attrs) if attrs else op.vjp(g, *values)
                if op._nargs == 1:
                    del grads, g, values
                    meta = node._in_meta
                    if meta is not None and result is not None:
                        result = _fit(node, 0, result, meta[0], True)
                    # One input: the edge loop below, unrolled (most nodes are unary).
                    nxt, nr = node.next_functions[0]
                    if nxt is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            if nr == 0 and nxt._single and \
                                    (not heap or heap[0][0] > -nxt._seq):
                                # A chain: nxt is newer than every waiting node, so it
                                # runs next and nothing else can feed it any more.
                                carry = (nxt, [result])
                            else:
                                buffers[nxt] = [result] if nr == 0 and nxt._single else \
                                    _new_buffer(nxt, nr, result)
                                _heappush(heap, (-nxt._seq, nxt))
                        elif result is not None:
                            old = buf[nr]
                            buf[nr] = result if old is None else old + result
                    result = None
                    continue
                meta = node._in_meta
                if meta is not None:
                    result = [None if r is None else _fit(node, i, r, meta[i], True)
                              for i, r in enumerate(result)]
                del grads, g, values
            elif fast and node.__class__ is AccumulateGrad and node._hooks is None \
                    and not node.variable._extra:
                # A leaf without hooks, inlined: its gradient goes into .grad.
                g = grads[0]
                if g is not None:
                    grads[0] = None
                    # Two references (g, getrefcount's argument): nobody else holds the
                    # array, so it may become .grad without a copy; a C-contiguous view of
                    # an array only it holds (a transposed weight's gradient) is as private.
                    # (Counted before the call: its arguments would add a reference.)
                    owned = sys.getrefcount(g) <= 2 and (
                        g.base is None or (g.flags.c_contiguous and
                                           sys.getrefcount(g.base) <= 2 and
                                           g.base.size == g.size))
                    node.accumulate(g, owned)
                    g = None
                continue
            elif anomaly:
                try:
                    result = _run_node(node, grads, raw, retain_graph, targets, feeding,
                                       capture, captured, create_graph, buffers, heap)
                    if result is not None and anomaly_mode.state.check_nan:
                        anomaly_mode.check_nan(node, result, raw)
                except Exception:
                    anomaly_mode.warn_error(node)
                    raise
                if result is None:
                    continue
                del grads
            else:
                result = _run_node(node, grads, raw, retain_graph, targets, feeding, capture,
                                   captured, create_graph, buffers, heap)
                if result is None:
                    continue
                del grads
            for (nxt, nr), g in zip(node.next_functions, result):
                if nxt is None:
                    continue
                buf = buffers.get(nxt)
                if buf is None:
                    buffers[nxt] = [g] if nr == 0 and nxt._single else _new_buffer(nxt, nr, g)
                    _heappush(heap, (-nxt._seq, nxt))
                elif g is not None:
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
            result = g = None  # so an accumulator can tell whether it owns the gradient
    finally:
        grad_mode.state.enabled = prev
    if captured is not None and raw:
        captured = [None if g is None else _tensor(g) for g in captured]
    return captured


def _unpack_slots(node, op, saved: list, slots: tuple) -> list:
    """``Node._unpack(True)`` for plain saved entries, by the op's precomputed slots."""
    values = list(op._nothing_saved)
    for k in slots:
        e = saved[k]
        if e.__class__ is not tuple:  # through saved-tensor hooks
            return node._unpack(True)
        if k:
            t = e[0]
            if t._vc[0] != e[1]:
                node._unpack(True)  # raises the version error
            values[k] = t._data
        else:
            if e[2][0] != e[1]:
                node._unpack(True)
            values[0] = e[0]
    return values


def _new_buffer(node: Node, nr: int, g) -> list:
    buf = [None] * _n_outputs(node)
    buf[nr] = g
    return buf


def _run_node(node, grads, raw, retain_graph, targets, feeding, capture, captured,
              create_graph, buffers, heap):
    """One node in the general case: leaves, hooks, ``inputs=``, custom Functions.

    Returns the gradients for its inputs, or None when nothing flows on from it.
    """
    if grads is None:
        grads = [None] * _n_outputs(node)
    is_acc = node.__class__ is AccumulateGrad
    hooks = node._hooks
    if hooks is not None and hooks.tensor:
        grads = _run_tensor_hooks(hooks, grads, raw)
    if is_acc and grads[0] is not None and node.variable._extra:
        grads[0] = _run_leaf_hooks(node.variable, grads[0], raw)
    if targets is not None:
        if node in targets:
            for k, nr, t in targets[node]:
                g = grads[nr]
                if capture:
                    captured[k] = g
                elif g is not None and not is_acc:
                    g = _tensor(g) if raw else g
                    t._grad = g if t._grad is None else t._grad + g
            if is_acc and capture:
                return None
        elif is_acc or node not in feeding:
            _release_edges(node, buffers, heap)
            return None
    if is_acc:
        g = grads[0]
        if g is not None:
            grads[0] = None
            # Two references (g, getrefcount's argument): nobody else holds the array,
            # so it may become .grad without a copy.
            # A C-contiguous view of an array only it holds (a transposed weight's
            # gradient) is as private as the array itself.
            owned = raw and sys.getrefcount(g) <= 2 and (
                g.base is None or (g.flags.c_contiguous and sys.getrefcount(g.base) <= 2
                                   and g.base.size == g.size))
            node.accumulate(g, owned)
        return None
    if targets is not None and node not in feeding:
        _release_edges(node, buffers, heap)
        return None
    for g in grads:
        if g is not None:
            break
    else:  # no gradient reached this node: nothing flows on, except that a custom
        # Function's backward still runs (on zeros, when it materializes them), as in PyTorch
        if node.op is not None or not hasattr(node, "_tensor_args"):
            _release_edges(node, buffers, heap)
            if not retain_graph:
                node._release()
            return None
    result = call_node(node, grads, raw)
    if not retain_graph:
        node._release()
    return result


def _n_outputs(node: Node) -> int:
    op = node.op
    if op is None:
        return getattr(node, "_n_out", 1)
    return op.outputs


def _run_tensor_hooks(hooks, grads: list, raw: bool) -> list:
    # Tensor.register_hook on a non-leaf: hooks on one output's gradient; retain_grad's
    # hook runs last whenever it was registered, so .grad sees what the hooks made.
    entries = list(hooks.tensor.values())
    ordered = [h for h in entries if not getattr(h[1], "retains", False)] + \
        [h for h in entries if getattr(h[1], "retains", False)]
    for nr, hook in ordered:
        g = grads[nr]
        if g is not None:
            new = hook(_tensor(g) if raw else g)
            if new is not None:
                grads[nr] = new._data if raw else new
    return grads


def _run_leaf_hooks(var, g, raw: bool):
    for hook in var._hook_list():
        new = hook(_tensor(g) if raw else g)
        if new is not None:
            g = new._data if raw else new
    return g


def _release_edges(node, buffers, heap) -> None:
    """A node that does not run still leads to its inputs' nodes (they may get gradients
    from elsewhere, and a node reached by none still releases its saved values)."""
    for nxt, nr in node.next_functions:
        if nxt is not None and nxt not in buffers:
            buffers[nxt] = _new_buffer(nxt, nr, None)
            _heappush(heap, (-nxt._seq, nxt))
