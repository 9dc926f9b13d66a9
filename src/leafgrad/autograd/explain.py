"""The chain rule, shown: ``explain(output, input)`` and ``why_no_grad(tensor, leaf)``.

``explain`` lists every path from ``output`` back to ``input`` in the backward graph,
the local derivative on each edge (each node's vjp on that edge alone), the product
along each path, and their sum, which is what backward computes. Only the public
graph API is used (``grad_fn``, ``next_functions``, ``variable``, calling a node on
output gradients), so PyTorch graphs can be explained too.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..backend import np
from .engine import call_node
from .graph import Node

__all__ = ["explain", "why_no_grad", "Explanation", "PathTerm"]

# A graph vertex is a tensor in the graph: (node, output_nr) of the node that made it,
# or (AccumulateGrad, 0) for a leaf.
Vertex = tuple


@dataclass
class PathTerm:
    """One term of the chain-rule sum: a path (or a group of paths sharing a prefix)."""

    names: list[str]  # tensor names from the output down to the input (or the group's end)
    nodes: list[str]  # the backward node of each edge
    local: list[Any]  # each edge's local derivative: a float, an array (Jacobian) or None
    local_text: list[str]  # how each local derivative is shown
    contribution: Any  # the term's value (a tensor shaped like the input)
    n_paths: int = 1  # > 1 when this term groups the paths below a shared prefix


@dataclass
class Explanation:
    """What ``explain`` found; ``str()`` is the printed text."""

    output_name: str
    input_name: str
    terms: list[PathTerm]
    total: Any  # sum of the terms (a tensor shaped like the input)
    backward: Any  # what autograd.grad gives, for comparison
    n_paths: int  # number of paths in the graph (terms may group them)
    grouped: bool
    text: str = field(repr=False, default="")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return (f"<Explanation d{self.output_name}/d{self.input_name}: {self.n_paths} "
                f"path{'s' if self.n_paths != 1 else ''}, total {_short(self.total)}>")


# -- reading the graph --------------------------------------------------------------------
def _nr(t: Any) -> int:
    nr = getattr(t, "output_nr", None)
    return t._output_nr if nr is None else nr


def _edges(v: Vertex) -> list[tuple[int, Vertex]]:
    """``(input index, next vertex)`` for the inputs of ``v``'s node that carry gradient."""
    node = v[0]
    return [(i, (u, k)) for i, (u, k) in enumerate(getattr(node, "next_functions", ()))
            if u is not None]


def _walk(root: Vertex) -> list[Vertex]:
    """Every vertex reachable from ``root``, parents before children (a topological order)."""
    order: list[Vertex] = []
    state: dict = {}
    stack = [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            state[v] = 2
            order.append(v)
            continue
        if v in state:
            continue
        state[v] = 1
        stack.append((v, True))
        for _, u in _edges(v):
            if u not in state:
                stack.append((u, False))
    order.reverse()
    return order


def _n_outputs(node: Any, seen_max: int) -> int:
    op = getattr(type(node), "op", None)
    if op is not None:
        return op.outputs
    n = getattr(node, "_n_out", None)
    return n if isinstance(n, int) else seen_max + 1


class _Graph:
    """The part of the graph between ``output`` and ``input``, with local vjps."""

    def __init__(self, output: Any, input: Any) -> None:
        self.root: Vertex = (output.grad_fn, _nr(output))
        order = _walk(self.root)
        self.order = order
        self.accumulators = {id(v[0].variable): v for v in order if hasattr(v[0], "variable")}
        if input.grad_fn is not None:
            self.target: Vertex | None = (input.grad_fn, _nr(input))
        else:
            self.target = self.accumulators.get(id(input))
        if self.target is not None and self.target not in set(order):
            self.target = None
        self.max_nr: dict = {}
        for v in order:
            for _, (u, k) in _edges(v):
                self.max_nr[u] = max(self.max_nr.get(u, 0), k)
        # the vertices with a path to the target, and how many paths each has
        self.count: dict = {}
        if self.target is not None:
            for v in reversed(order):
                if v == self.target:
                    self.count[v] = 1
                    continue
                if hasattr(v[0], "variable"):
                    continue
                n = sum(self.count.get(u, 0) for _, u in _edges(v))
                if n:
                    self.count[v] = n

    def leads(self, v: Vertex) -> bool:
        return v in self.count

    def vjp(self, v: Vertex, g: Any) -> list:
        """The gradients ``v``'s node gives its inputs for gradient ``g`` at ``v`` alone."""
        from . import grad_mode

        node, nr = v
        n = _n_outputs(node, self.max_nr.get(node, 0))
        grads = [None] * n
        grads[nr] = g
        with grad_mode.no_grad():
            if isinstance(node, Node):  # custom Functions' nodes are not callable, as in PyTorch
                return list(call_node(node, grads, False))
            return list(node(*grads))

    def propagate(self, start: Vertex, g: Any):
        """The gradient reaching the target from ``g`` at ``start`` along every path."""
        buffers = {start: g}
        for v in self.order:
            if v not in buffers or not self.leads(v):
                continue
            gv = buffers.pop(v)
            if v == self.target:
                return gv
            result = self.vjp(v, gv)
            for i, u in _edges(v):
                if self.leads(u) and i < len(result) and result[i] is not None:
                    buffers[u] = result[i] if u not in buffers else buffers[u] + result[i]
        return None


# -- naming ----------------------------------------------------------------------------------
def _is_tensor(obj: Any) -> bool:
    from ..viz._inspect import is_tensor

    return is_tensor(obj)


def _names_from(scope: dict, graph: _Graph, names: dict) -> None:
    for name, t in scope.items():
        if name.startswith("_") or not _is_tensor(t):
            continue
        v = _vertex_of(t, graph)
        if v is not None and v not in names:
            names[v] = name


def _vertex_of(t: Any, graph: _Graph) -> Vertex | None:
    if t.grad_fn is not None:
        return (t.grad_fn, _nr(t))
    return graph.accumulators.get(id(t))


def _vertex_names(graph: _Graph, given: Any, frame: Any, output: Any, input: Any) -> dict:
    names: dict = {}
    if given is not None:
        items = given.items() if hasattr(given, "items") else given
        _names_from(dict(items), graph, names)
    elif frame is not None:
        _names_from(frame.f_locals, graph, names)
        _names_from(frame.f_globals, graph, names)
    names.setdefault(graph.root, "out")
    tv = _vertex_of(input, graph)
    if tv is not None:
        names.setdefault(tv, "input")
    return names


def _name_of(t: Any, given: Any, frame: Any) -> str:
    if given is not None:
        scopes = [dict(given.items() if hasattr(given, "items") else given)]
    else:
        scopes = [frame.f_locals, frame.f_globals] if frame is not None else []
    for scope in scopes:
        for name, value in scope.items():
            if value is t and not name.startswith("_"):
                return name
    return "input"


class _Namer:
    def __init__(self, names: dict) -> None:
        self.names = names
        self.taken = set(names.values())

    def __call__(self, v: Vertex) -> str:
        name = self.names.get(v)
        if name is None:
            base = type(v[0]).__name__
            for suffix in ("Backward0", "Backward1", "Backward2", "Backward"):
                if base.endswith(suffix):
                    base = base[: -len(suffix)]
                    break
            base = "<" + base.lower() + ">"
            name, k = base, 2
            while name in self.taken:
                name, k = f"{base[:-1]}#{k}>", k + 1
            self.names[v] = name
            self.taken.add(name)
        return name


# -- formatting ------------------------------------------------------------------------------
def _array(t: Any):
    from ..viz._inspect import to_numpy

    return to_numpy(t)


def _num(v: float, eps: float) -> str:
    from ..viz._inspect import fmt_number

    text = fmt_number(v)
    fv = float(v)
    if fv != fv or fv in (float("inf"), float("-inf")) or fv == 0 or fv.is_integer():
        return text
    f = Fraction(fv).limit_denominator(10000)
    if f.denominator > 1 and abs(float(f) - fv) <= 4 * eps * abs(fv):
        return f"{text} (= {f.numerator}/{f.denominator})"
    return text


def _short(t: Any) -> str:
    from ..viz._inspect import summary

    return summary(t, max_items=6) if t is not None else "None"


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


class _Local:
    """Local derivatives of edges, computed once per edge."""

    JACOBIAN_LIMIT = 4096  # entries: past this only the shapes are shown

    def __init__(self, graph: _Graph, samples: dict, eps: float) -> None:
        self.graph = graph
        self.samples = samples  # the gradient backward brings to each vertex
        self.shapes = {v: tuple(g.shape) for v, g in samples.items()}
        self.eps = eps
        self.cache: dict = {}

    def __call__(self, v: Vertex, i: int, u: Vertex) -> tuple[Any, str]:
        key = (v, i)
        if key not in self.cache:
            self.cache[key] = self._compute(v, i, u)
        return self.cache[key]

    def _compute(self, v: Vertex, i: int, u: Vertex) -> tuple[Any, str]:
        out_shape = self.shapes.get(v)
        in_shape = self.shapes.get(u)
        if out_shape is None or in_shape is None:
            return None, "(no gradient flows here)"
        n_out = int(np.prod(out_shape)) if out_shape else 1
        n_in = int(np.prod(in_shape)) if in_shape else 1
        if n_out * n_in > self.JACOBIAN_LIMIT:
            return None, f"Jacobian [out {_shape(out_shape)} × in {_shape(in_shape)}] (too big " \
                "to show)"
        rows = []
        for k in range(n_out):
            e = np.zeros(n_out, dtype=_array(self.samples[v]).dtype)
            e[k] = 1
            cot = _tensor_like(e.reshape(out_shape), self.samples[v])
            r = self.graph.vjp(v, cot)
            ri = r[i] if i < len(r) else None
            rows.append(np.zeros(n_in) if ri is None else _array(ri).reshape(-1).astype("f8"))
        jac = np.stack(rows)
        if n_out == 1 and n_in == 1:
            return float(jac[0, 0]), _num(jac[0, 0], self.eps)
        head = f"Jacobian [out {_shape(out_shape)} × in {_shape(in_shape)}]"
        if n_out == n_in and np.count_nonzero(jac - np.diag(np.diagonal(jac))) == 0:
            d = np.diagonal(jac)
            if np.all(d == d[0]):  # the same factor everywhere
                scale = "identity" if d[0] == 1 else f"{_num(d[0], self.eps)} × identity"
                return jac, f"{head}: {scale}"
            return jac, f"{head}, diagonal (elementwise): {_vals(d)}"
        return jac, f"{head}: {_vals(jac)}"


def _vals(a) -> str:
    from ..viz._inspect import fmt_number

    flat = np.asarray(a).reshape(-1)
    if flat.size <= 6:
        return "[" + ", ".join(fmt_number(x) for x in flat) + "]"
    return (f"mean {fmt_number(flat.mean())} [min {fmt_number(flat.min())}, "
            f"max {fmt_number(flat.max())}]")


def _tensor_like(a, like: Any):
    """A backend array as a tensor of ``like``'s library (leafgrad or PyTorch)."""
    from ..tensor import Tensor

    if isinstance(like, Tensor):
        from ..creation import tensor

        return tensor(a, dtype=like.dtype)
    return like.new_tensor(a)


# -- explain ---------------------------------------------------------------------------------
def explain(output: Any, input: Any, names: Any = None, max_paths: int = 20,
            quiet: bool = False) -> Explanation:
    """Print and return d ``output`` / d ``input`` as the chain rule computes it: the sum over
    every path in the graph of the product of the local derivatives along it.

    ``names`` (a dict or ``(name, tensor)`` pairs) names tensors; by default the caller's
    variables are used. Past ``max_paths`` paths, paths sharing a prefix are grouped.
    A non-scalar ``output`` is explained as ``output.sum()`` (backward with ones).

    >>> x = leafgrad.tensor(2., requires_grad=True)
    >>> z = x ** 2; y = z ** 3; L = y.log()
    >>> e = explain(L, x)   # dL/dy = 1/64, dy/dz = 48, dz/dx = 4: 3.0
    """
    if not _is_tensor(output) or not _is_tensor(input):
        raise TypeError("explain(output, input): both must be tensors")
    if max_paths < 1:
        raise ValueError(f"explain: max_paths must be at least 1, got {max_paths}")
    frame = sys._getframe(1) if names is None else None
    lines: list[str] = []
    like = output.detach()
    eps = float(np.finfo(_array(like).dtype).eps) if _array(like).dtype.kind == "f" else 1e-7

    if output.grad_fn is None or not input.requires_grad:
        reason = why_no_grad(output, input, quiet=True) if output is not input else ""
        zero = _zeros_like(input)
        if output is input:
            lines.append("output is input: d input / d input is the identity.")
        else:
            lines.append("No path: the gradient is zero (backward leaves .grad None).")
            lines.append(reason)
        return _finish(Explanation("output", "input", [], zero if output is not input else None,
                                   None, 0, False), lines, quiet)

    graph = _Graph(output, input)
    namer = _Namer(_vertex_names(graph, names, frame, output, input))
    out_name = namer(graph.root)
    in_vertex = graph.target or _vertex_of(input, graph)
    if in_vertex is not None:
        in_name = namer.names.get(in_vertex, "input")
    else:  # not in the graph: find its name where the others were found
        in_name = _name_of(input, names, frame)
    scalar = int(np.prod(tuple(output.shape))) == 1
    seed = _tensor_like(np.ones(tuple(output.shape), dtype=_array(like).dtype), like)

    lines.append(f"d{out_name}/d{in_name} by the chain rule: the sum, over every path from "
                 f"{out_name} back to {in_name},")
    lines.append("of the product of the local derivatives along the path.")
    if not scalar:
        lines.append(f"({out_name} has shape {_shape(tuple(output.shape))}: explaining the "
                     f"gradient of {out_name}.sum(), i.e. backward with a gradient of ones.)")
    if graph.target is None:
        lines.append("")
        lines.append(f"No path: {in_name} is not reached from {out_name}, so the gradient is "
                     "zero (backward leaves its .grad None).")
        lines.append(why_no_grad(output, input, quiet=True))
        return _finish(Explanation(out_name, in_name, [], _zeros_like(input), None, 0, False),
                       lines, quiet)

    # Shapes of every tensor on the way: one full propagation (as backward does).
    try:
        local = _Local(graph, _samples(graph, seed), eps)
    except RuntimeError as e:
        if "second time" not in str(e):
            raise
        raise RuntimeError(
            "explain needs the values the graph saved for backward, and backward has freed "
            "them: call explain before backward(), or use backward(retain_graph=True)."
        ) from e
    n_paths = graph.count[graph.root]
    grouped = n_paths > max_paths
    terms = _terms(graph, seed, local, namer, max_paths, input)
    total = terms[0].contribution
    for t in terms[1:]:
        total = total + t.contribution
    from . import grad as _grad

    backward = _grad(output, input, grad_outputs=seed, retain_graph=True)[0]

    lines.append("")
    if grouped:
        lines.append(f"{n_paths} paths in all: too many to list, so paths that share their "
                     f"first steps are grouped ({len(terms)} groups, at most {max_paths}); a "
                     "group's value is the sum over its paths.")
    for k, term in enumerate(terms, 1):
        lines.extend(_term_lines(k, len(terms), term, out_name, scalar))
    lines.append("")
    sign = "✓" if _close(total, backward) else "✗ (differs!)"
    noun = f"{n_paths} path{'s' if n_paths != 1 else ''}"
    head = f"total d{out_name}/d{in_name}"
    width = max(len(head), len("backward gives"))
    lines.append(f"{head.ljust(width)} = {_short(total)}   (the sum of {noun})")
    lines.append(f"{'backward gives'.ljust(width)} = {_short(backward)}   {sign}")
    return _finish(Explanation(out_name, in_name, terms, total, backward, n_paths, grouped),
                   lines, quiet)


def _finish(exp: Explanation, lines: list[str], quiet: bool) -> Explanation:
    exp.text = "\n".join(lines)
    if not quiet:
        print(exp.text)
    return exp


def _zeros_like(t: Any):
    return t.detach() * 0


def _close(a: Any, b: Any) -> bool:
    x, y = _array(a).astype("f8"), _array(b).astype("f8")
    return bool(np.allclose(x, y, rtol=1e-4, atol=1e-6, equal_nan=True))


def _samples(graph: _Graph, seed: Any) -> dict:
    """The gradient each vertex receives in a full backward (their shapes and dtypes)."""
    samples = {}
    buffers = {graph.root: seed}
    for v in graph.order:
        if v not in buffers or not graph.leads(v):
            continue
        gv = buffers.pop(v)
        samples[v] = gv
        if v == graph.target:
            continue
        result = graph.vjp(v, gv)
        for i, u in _edges(v):
            if graph.leads(u) and i < len(result) and result[i] is not None:
                buffers[u] = result[i] if u not in buffers else buffers[u] + result[i]
    return samples


def _terms(graph: _Graph, seed: Any, local: _Local, namer: _Namer, max_paths: int,
           input: Any) -> list:
    """The paths (or groups of paths) as PathTerms, in depth-first order."""
    # A prefix: (vertices, [(node name, input index)], gradient at its last vertex).
    prefixes = [([graph.root], [], seed)]
    if graph.count[graph.root] > max_paths:
        # Expand the prefix with the most paths while the number of terms stays within limit.
        while True:
            best = None
            for k, (vs, _, g) in enumerate(prefixes):
                v = vs[-1]
                if v == graph.target or g is None:
                    continue
                kids = [(i, u) for i, u in _edges(v) if graph.leads(u)]
                if len(prefixes) - 1 + len(kids) > max_paths:
                    continue
                if best is None or graph.count[v] > graph.count[prefixes[best][0][-1]]:
                    best = k
            if best is None:
                break
            vs, steps, g = prefixes.pop(best)
            prefixes[best:best] = _extend(graph, vs, steps, g)
    else:
        done = []
        stack = prefixes
        while stack:
            vs, steps, g = stack.pop()
            if vs[-1] == graph.target:
                done.append((vs, steps, g))
            else:
                stack.extend(reversed(_extend(graph, vs, steps, g)))
        prefixes = done
    terms = []
    for vs, steps, g in prefixes:
        end = vs[-1]
        n = graph.count[end]
        contrib = g if end == graph.target else (graph.propagate(end, g) if g is not None
                                                 else None)
        if contrib is None:
            contrib = _zeros_like(input)
        loc, texts, nodes = [], [], []
        for (v, u), (node_name, i) in zip(zip(vs, vs[1:]), steps):
            value, text = local(v, i, u)
            loc.append(value)
            texts.append(text)
            nodes.append(node_name)
        terms.append(PathTerm([namer(v) for v in vs], nodes, loc, texts, contrib, n))
    return terms


def _extend(graph: _Graph, vs: list, steps: list, g: Any) -> list:
    v = vs[-1]
    result = graph.vjp(v, g) if g is not None else []
    out = []
    name = type(v[0]).__name__
    n_in = len(getattr(v[0], "next_functions", ()))
    for i, u in _edges(v):
        if not graph.leads(u):
            continue
        gi = result[i] if i < len(result) else None
        label = name if n_in == 1 else f"{name} input {i}"
        out.append((vs + [u], steps + [(label, i)], gi))
    return out


def _term_lines(k: int, n: int, term: PathTerm, out_name: str, scalar: bool) -> list[str]:
    if term.n_paths == 1:
        head = f"path {k} of {n}:  "
    else:
        head = f"group {k} of {n} ({term.n_paths} paths):  "
    lines = [head + " ← ".join(term.names) + (" ← ... (every way on from here)"
                                              if term.n_paths > 1 else "")]
    width = max([len(f"d{a}/d{b}") for a, b in zip(term.names, term.names[1:])] + [0])
    vwidth = min(max([len(t) for t in term.local_text] + [0]), 28)
    for (a, b), text, node in zip(zip(term.names, term.names[1:]), term.local_text, term.nodes):
        lines.append(f"    {('d' + a + '/d' + b).ljust(width)} = {text.ljust(vwidth)}   "
                     f"[{node}]")
    if term.n_paths > 1:
        lines.append(f"    sum over its {term.n_paths} paths = {_short(term.contribution)}")
    elif all(isinstance(x, float) for x in term.local) and term.local:
        product = " × ".join(_strip(t) for t in term.local_text)
        lines.append(f"    product: {product} = {_short(term.contribution)}")
    else:
        lines.append(f"    contribution (the product along the path) = "
                     f"{_short(term.contribution)}")
    return lines


def _strip(text: str) -> str:
    return text.split(" (= ")[0]


# -- why_no_grad -------------------------------------------------------------------------------
def why_no_grad(tensor: Any, leaf: Any, quiet: bool = False) -> str:
    """Say why ``leaf.grad`` is None (or will be) after ``tensor.backward()``, naming where the
    chain from ``tensor`` back to ``leaf`` broke. Prints and returns the explanation.

    >>> x = leafgrad.tensor(1., requires_grad=True)
    >>> why_no_grad(x.detach() * 2, x)  # doctest: +SKIP
    """
    if not _is_tensor(tensor) or not _is_tensor(leaf):
        raise TypeError("why_no_grad(tensor, leaf): both must be tensors")
    text = "\n".join(_reasons(tensor, leaf))
    if not quiet:
        print(text)
    return text


def _describe(t: Any) -> str:
    from ..viz._inspect import dtype_str, size_str

    return f"tensor of shape {size_str(t)} ({dtype_str(t)})"


def _reasons(out: Any, leaf: Any) -> list[str]:
    from ..viz._inspect import saved_tensors_of, storage_key

    lines: list[str] = []
    if (leaf.is_leaf or getattr(leaf, "retains_grad", False)) and leaf.grad is not None:
        lines.append("leaf.grad is not None: it already holds a gradient.")
    if not leaf.requires_grad:
        kind = _array(leaf).dtype.kind
        if leaf.grad_fn is None and kind != "f" and kind != "c":
            lines.append(f"the leaf does not require grad: it is an integer/bool tensor "
                         f"({_describe(leaf)}), and only floating point tensors can.")
        else:
            lines.append("the leaf does not require grad (requires_grad=False): autograd "
                         "records nothing for it. Create it with requires_grad=True or call "
                         "leaf.requires_grad_() before using it.")
        return lines
    if not leaf.is_leaf:
        fn = leaf.grad_fn
        if getattr(leaf, "retains_grad", False):
            lines.append(f"the tensor is not a leaf (it is made by {type(fn).__name__}) but it "
                         "retains its grad, so .grad is filled once backward reaches it.")
        else:
            lines.append(f"the tensor is not a leaf: it is the output of {type(fn).__name__}, "
                         "and backward fills .grad only for leaves. Call .retain_grad() on it "
                         "before backward, or make it a leaf (e.g. w = (...).detach()"
                         ".requires_grad_()).")
    if out is leaf:
        lines.append("the output is the leaf itself: backward gives it a gradient of ones.")
        return lines
    if out.grad_fn is None:
        if out.requires_grad:
            lines.append("the output is a different leaf: nothing connects it to the leaf.")
        else:
            lines.append("the output does not require grad and has no grad_fn: no graph was "
                         "recorded for it, so backward cannot reach anything. It was computed "
                         "under leafgrad.no_grad() / inference_mode(), or only from tensors "
                         "that do not require grad (detach(), .data, .numpy(), or "
                         "integer results).")
        return lines
    graph = _Graph(out, leaf)
    if graph.target is not None:
        if not lines:
            path = _one_path(graph)
            lines.append("the leaf is reached from the output (" + " ← ".join(path) + "), so "
                         "backward will give it a gradient: .grad is None only because "
                         "backward has not run on this output yet (or .grad was reset to None,"
                         " e.g. by zero_grad()).")
        return lines
    lines.append("the leaf is not reached from the output: no path of the backward graph leads "
                 "to it, so backward never touches it.")
    # Where the chain can have broken: inputs that entered the graph without requiring grad.
    key = storage_key(leaf)
    cuts, shared = [], []
    for v in graph.order:
        node = v[0]
        nf = getattr(node, "next_functions", ())
        saved = dict(saved_tensors_of(node)) if nf else {}
        for i, (u, _) in enumerate(nf):
            if u is None:
                cuts.append(f"input {i} of {type(node).__name__}")
        for name, t in saved.items():
            if t.requires_grad is False and storage_key(t)[0] == key[0]:
                shared.append(f"{type(node).__name__} (its saved {name!r})")
    if shared:
        lines.append("the chain broke at " + ", ".join(dict.fromkeys(shared)) + ": it uses "
                     "a tensor that shares the leaf's memory but does not require grad, i.e. "
                     "leaf.detach() or leaf.data (or a no_grad() copy) was used instead of the "
                     "leaf.")
    elif cuts:
        shown = list(dict.fromkeys(cuts))
        more = f" (and {len(shown) - 8} more)" if len(shown) > 8 else ""
        lines.append("the graph takes inputs that do not require grad at: "
                     + ", ".join(shown[:8]) + more + ". If one of them was computed from the "
                     "leaf, the chain broke there: it was made under no_grad(), or through "
                     "detach(), .data, .item()/.numpy() and back, or an integer operation.")
    else:
        lines.append("the output's graph has no input that could come from the leaf: the leaf "
                     "was not used to compute the output at all.")
    return lines


def _one_path(graph: _Graph) -> list[str]:
    v, names = graph.root, []
    while True:
        names.append(type(v[0]).__name__)
        if v == graph.target:
            return names
        v = next(u for _, u in _edges(v) if graph.leads(u))
