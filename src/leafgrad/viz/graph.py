"""Pictures of the backward graph: ``make_dot`` (Graphviz) and ``print_graph`` (text).

Both walk only the public graph introspection API (see ``_inspect``), so they draw
PyTorch's graphs too. Colours follow torchviz: light blue for leaves that require
grad, grey for backward nodes, orange for tensors saved for backward, green for
the outputs (a lighter green for the base of an output that is a view).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _inspect as ins

if TYPE_CHECKING:
    import graphviz

LEAF = "lightblue"
OUTPUT = "darkolivegreen1"
VIEW_BASE = "darkolivegreen3"
SAVED = "orange"
NODE = "lightgrey"

INSTALL_DOT = (
    "the Graphviz program `dot` was not found on PATH, so the graph could not be drawn "
    "(its DOT source was still written{where}). Install Graphviz: `apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS), `conda install graphviz`, or see "
    "https://graphviz.org/download/"
)


def _graphviz():
    try:
        import graphviz
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "leafgrad.viz.make_dot needs the `graphviz` Python package: "
            "pip install leafgrad[viz]  (or: pip install graphviz)"
        ) from e
    return graphviz


_DIGRAPH_CLS: type | None = None


def _digraph_cls() -> type:
    """A ``graphviz.Digraph`` whose render/pipe explain how to install a missing ``dot``."""
    global _DIGRAPH_CLS
    if _DIGRAPH_CLS is not None:
        return _DIGRAPH_CLS
    graphviz = _graphviz()

    class DotNotFoundError(graphviz.ExecutableNotFound):
        """Graphviz's ``dot`` program is missing (the DOT source may still have been saved)."""

        def __init__(self, where: str = "") -> None:
            RuntimeError.__init__(self, INSTALL_DOT.format(where=where))

    class Digraph(graphviz.Digraph):
        """A ``graphviz.Digraph`` with a clear error when the ``dot`` program is missing."""

        def render(self, *args, **kwargs):  # noqa: D401 - graphviz's own doc applies
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                where = ""
                path = getattr(self, "filepath", None)
                if path and os.path.exists(path):
                    where = f" to {path}"
                raise DotNotFoundError(where) from e

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise DotNotFoundError(" nowhere: call .save() or read .source") from e

        def _repr_svg_(self) -> str:
            """The picture as SVG, for Jupyter (and any tool that asks for ``_repr_svg_``)."""
            return self.pipe(format="svg", encoding="utf-8")

    Digraph.DotNotFoundError = DotNotFoundError
    _DIGRAPH_CLS = Digraph
    return Digraph


def dot_not_found_error() -> type:
    """The exception type raised when rendering without the ``dot`` program."""
    return _digraph_cls().DotNotFoundError


class _Labeler:
    """Builds tensor labels: name, shape, and optionally dtype, values and gradient."""

    def __init__(self, names: dict, show_values: bool, show_grads: bool) -> None:
        self.names = names
        self.show_values = show_values
        self.show_grads = show_grads

    def tensor(self, t: Any, name: str | None = None) -> str:
        if not name:
            name = self.names.get(id(t), "")
        lines = [f"{name}\n {ins.size_str(t)}"]
        if self.show_values or self.show_grads:
            lines[0] = f"{name}\n{ins.size_str(t)} {ins.dtype_str(t)}".lstrip("\n")
        if self.show_values:
            lines.append("value " + ins.summary(t))
        if self.show_grads and _keeps_grad(t):
            g = t.grad
            lines.append("grad " + ("None" if g is None else ins.summary(g)))
        return "\n".join(lines)


def _keeps_grad(t: Any) -> bool:
    """Whether backward fills ``t.grad`` (leaves, retain_grad): only then is it read, which
    also spares PyTorch's warning about reading a non-leaf's ``.grad``."""
    return bool(t.is_leaf or getattr(t, "retains_grad", False))


def _fn_label(fn: Any, show_attrs: bool, max_attr_chars: int) -> str:
    name = ins.node_name(fn)
    if not show_attrs:
        return name
    attrs: dict[str, str] = {}
    for key, val in ins.saved_values(fn):
        if key.startswith("saved_tensors["):
            continue
        if ins.is_tensor(val):
            attrs[key] = "[saved tensor]"
        elif isinstance(val, (tuple, list)) and any(ins.is_tensor(v) for v in val):
            attrs[key] = "[saved tensors]"
        else:
            attrs[key] = str(val)
    if not attrs:
        return name
    width = max(max_attr_chars, 3)
    kw = max(len(k) for k in attrs)
    vw = min(max(len(v) for v in attrs.values()), width)

    def cut(s: str) -> str:
        return s if len(s) <= vw else s[:vw - 3] + "..."

    rows = [f"{k:<{kw}}: {cut(v):>{vw}}" for k, v in attrs.items()]
    return "\n".join([name, "-" * max(kw + vw + 2, len(name))] + rows)


def make_dot(var: Any, params: Any = None, show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50, *, show_values: bool = False, show_grads: bool = False,
             show_memory: bool = False, legend: bool = False) -> graphviz.Digraph:
    """The backward graph of ``var`` (a tensor or a tuple of them) as a ``graphviz.Digraph``.

    Light blue: leaves that require grad; grey: backward nodes; orange: tensors saved
    for backward (``show_saved``); green: the outputs. ``params`` (a dict or
    ``model.named_parameters()``) names tensors. Beyond torchviz: ``show_values`` and
    ``show_grads`` add dtype, values and gradients to tensor labels, ``show_memory`` the
    bytes each node keeps for backward and the graph's total, ``legend`` a colour key.

    >>> x = leafgrad.tensor(2., requires_grad=True)
    >>> dot = make_dot(x * x + x, params={"x": x})
    >>> dot.render("graph", format="png")  # doctest: +SKIP
    """
    names = ins.name_map(params)
    label = _Labeler(names, show_values, show_grads)
    dot = _digraph_cls()(
        node_attr=dict(style="filled", shape="box", align="left", fontsize="10",
                       ranksep="0.1", height="0.2", fontname="monospace",
                       fillcolor=NODE),
        graph_attr=dict(size="12,12"),
    )
    seen: set[int] = set()
    keep: list[Any] = []  # objects whose id() names a node stay alive while we draw
    memory: dict[tuple, int] = {}
    saved_count = 0
    bases: list[Any] = []  # the bases of views drawn

    def node_id(obj: Any) -> str:
        keep.append(obj)
        return str(id(obj))

    def add_fn(root: Any) -> None:
        nonlocal saved_count
        stack = [root]
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            fid = node_id(fn)
            text = _fn_label(fn, show_attrs, max_attr_chars)
            if show_saved or show_memory:
                saved = ins.saved_tensors_of(fn)
                own: dict[tuple, int] = {}
                for name, t in saved:
                    key = ins.storage_key(t)
                    own[key] = ins.nbytes(t)
                    if show_saved:
                        sid = f"{fid}-{name}"
                        keep.append(t)
                        dot.node(sid, label.tensor(t, name), fillcolor=SAVED)
                        dot.edge(fid, sid, dir="none")
                memory.update(own)
                saved_count += len(own)
                if show_memory and own:
                    text += f"\nsaved: {ins.fmt_bytes(sum(own.values()))}"
            if hasattr(fn, "variable"):  # an accumulator: draw its leaf
                v = fn.variable
                vid = node_id(v)
                if id(v) not in seen:
                    seen.add(id(v))
                    dot.node(vid, label.tensor(v), fillcolor=LEAF)
                dot.edge(vid, fid)
            dot.node(fid, text)
            kids = ins.children(fn)
            for u in kids:
                dot.edge(node_id(u), fid)
            stack.extend(reversed(kids))

    def add_output(t: Any, color: str) -> None:
        todo = [(t, color, None)]
        while todo:
            v, col, child = todo.pop()
            vid = node_id(v)
            if child is not None:
                dot.edge(vid, child, style="dotted")
            if id(v) in seen:
                continue
            seen.add(id(v))
            dot.node(vid, label.tensor(v), fillcolor=col)
            if v.grad_fn is not None:
                add_fn(v.grad_fn)
                dot.edge(node_id(v.grad_fn), vid)
            if v._is_view() and v._base is not None:
                bases.append(v._base)
                todo.append((v._base, VIEW_BASE, vid))

    outputs = var if isinstance(var, (tuple, list)) else (var,)
    for v in outputs:
        if not ins.is_tensor(v):
            raise TypeError(f"make_dot: expected a tensor or a tuple of tensors, got "
                            f"{type(v).__name__}")
        add_output(v, OUTPUT)
    if show_memory:
        total = sum(memory.values())
        dot.attr(label=f"saved for backward: {ins.fmt_bytes(total)} in {len(memory)} "
                       f"distinct tensor{'s' if len(memory) != 1 else ''}",
                 labelloc="b", fontsize="11", fontname="monospace")
    if legend:
        _add_legend(dot, show_saved, bool(bases))
    _resize(dot)
    return dot


def _add_legend(dot: Any, show_saved: bool, view_base: bool) -> None:
    """A compact colour key: one table node beside the graph."""
    items = [("leaf (requires grad)", LEAF), ("backward node", NODE)]
    if show_saved:
        items.append(("saved for backward", SAVED))
    items.append(("output", OUTPUT))
    if view_base:
        items.append(("base of a view", VIEW_BASE))
    rows = "".join(f'<tr><td bgcolor="{colour}" align="left">{text}</td></tr>'
                   for text, colour in items)
    dot.node("legend", f'<<table border="0" cellborder="1" cellspacing="3" cellpadding="3">'
                       f"<tr><td border=\"0\"><b>legend</b></td></tr>{rows}</table>>",
             shape="plaintext", style="", fontsize="9")


def _resize(dot: Any, per_line: float = 0.15, smallest: float = 12.0) -> None:
    """Grow the drawing's size with its number of statements so big graphs stay legible."""
    side = max(smallest, len(dot.body) * per_line)
    dot.graph_attr.update(size=f"{side:g},{side:g}")


# -- plain text ----------------------------------------------------------------------------
MAX_INDENT = 40  # levels of indentation print_graph shows before it stops moving right


def format_graph(var: Any, params: Any = None, show_values: bool = False,
                 show_grads: bool = False) -> str:
    """The backward graph of ``var`` as an indented tree (see ``print_graph``)."""
    names = ins.name_map(params)
    outputs = var if isinstance(var, (tuple, list)) else (var,)
    lines: list[str] = []
    numbers: dict[int, int] = {}
    keep: list[Any] = []

    def tensor_text(t: Any, role: str) -> str:
        name = names.get(id(t), "")
        bits = [f"{name} " if name else "", f"{role} {ins.size_str(t)} {ins.dtype_str(t)}"]
        if show_values:
            bits.append(f" value {ins.summary(t)}")
        if show_grads and _keeps_grad(t):
            g = t.grad
            bits.append(f" grad {'None' if g is None else ins.summary(g)}")
        return "".join(bits)

    for out in outputs:
        lines.append(tensor_text(out, "output"))
        fn = out.grad_fn
        if fn is None:
            lines.append("  (no grad_fn: " + ("a leaf that requires grad)" if out.requires_grad
                                               else "does not require grad)"))
            continue
        indegree = _indegree(fn)
        # (node, indentation of its line, whether it is its parent's last child, depth)
        stack = [(fn, "", True, 0)]
        capped = False
        while stack:
            node, indent, last, depth = stack.pop()
            branch = "└── " if last else "├── "
            keep.append(node)
            text = ins.node_name(node)
            if id(node) in numbers:
                lines.append(f"{indent}{branch}{text} [{numbers[id(node)]}] (shared: see above)")
                continue
            if indegree.get(id(node), 0) > 1:  # reached again later: number it
                numbers[id(node)] = len(numbers) + 1
                text += f" [{numbers[id(node)]}]"
            if hasattr(node, "variable"):
                text += " ← " + tensor_text(node.variable, "leaf")
            lines.append(f"{indent}{branch}{text}")
            kids = ins.children(node)
            if depth < MAX_INDENT:
                child_indent = indent + ("    " if last else "│   ")
            else:  # a deep graph: stop moving right, so lines stay readable
                child_indent = indent
                if not capped and kids:
                    capped = True
                    lines.append(f"{indent}(deeper than {MAX_INDENT} levels: not indented further)")
            for i in reversed(range(len(kids))):
                stack.append((kids[i], child_indent, i == len(kids) - 1, depth + 1))
    return "\n".join(lines)


def _indegree(root: Any) -> dict[int, int]:
    """How many edges reach each node below ``root`` (by id)."""
    counts: dict[int, int] = {id(root): 1}
    keep = [root]
    stack = [root]
    while stack:
        for u in ins.children(stack.pop()):
            if id(u) in counts:
                counts[id(u)] += 1
            else:
                counts[id(u)] = 1
                keep.append(u)
                stack.append(u)
    return counts


def print_graph(var: Any, params: Any = None, show_values: bool = False,
                show_grads: bool = False) -> None:
    """Print the backward graph of ``var`` as an indented tree, for terminals.

    >>> x = leafgrad.tensor(2., requires_grad=True)
    >>> print_graph((x * x).sin(), params={"x": x})
    output () float32
    └── SinBackward0
        └── MulBackward0
            ├── AccumulateGrad [1] ← x leaf () float32
            └── AccumulateGrad [1] (shared: see above)
    """
    print(format_graph(var, params, show_values, show_grads))
