"""make_dot and print_graph: nodes, edges, colours and labels, on leafgrad and PyTorch graphs.

Graph builders are written once against a torch-shaped module ``T`` and run on both
libraries; make_dot walks only the public introspection API, so the two pictures must
have the same nodes, labels, colours and edges (ids aside).
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad
from leafgrad.viz import dot_not_found_error, format_graph, make_dot, print_graph
from leafgrad.viz import graph as vgraph

from ..autograd.test_explain import programs, run_program
from .dotparse import by_colour, canonical, parse

pytest.importorskip("graphviz", reason="make_dot needs the graphviz package (leafgrad[viz])")
HAVE_DOT = shutil.which("dot") is not None


# -- graph builders: (output(s), params) for a torch-shaped module T -------------------------
def single_op(T):
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = T.tensor([4.0, 5.0, 6.0], requires_grad=True)
    return x * y, {"x": x, "y": y}


def seed_tutorial(T):
    # w = x*y + x: x is used twice (a shared input), so its accumulator has two consumers
    x = T.tensor(2.0, requires_grad=True)
    y = T.tensor(3.0, requires_grad=True)
    return x * y + x, {"x": x, "y": y}


def shared_subexpression(T):
    x = T.tensor([0.5, -1.0], requires_grad=True)
    h = x.exp()
    return (h * h * h.sin()).sum(), {"x": x}


def chain_rule(T):
    x = T.tensor(2.0, requires_grad=True)
    z = x ** 2
    y = z ** 3
    return y.log(), {"x": x}


def custom_function(T):
    class Square(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = T.tensor([1.0, 2.0], requires_grad=True)
    return Square.apply(x).sum(), {"x": x}


def view_of_leaf(T):
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    return x[0], {"x": x}


def view_of_nonleaf(T):
    x = T.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    h = x * 2
    return h.view(2, 2).t(), {"x": x}


def training_step(T):
    gen = np.random.default_rng(0)
    X = T.tensor(gen.standard_normal((4, 3)), dtype=T.float32)
    target = T.tensor([0, 2, 1, 0])
    W1 = T.tensor(gen.standard_normal((5, 3)), dtype=T.float32, requires_grad=True)
    b1 = T.zeros(5, requires_grad=True)
    W2 = T.tensor(gen.standard_normal((3, 5)), dtype=T.float32, requires_grad=True)
    b2 = T.zeros(3, requires_grad=True)
    h = (X @ W1.t() + b1).relu()
    logits = h @ W2.t() + b2
    logp = logits.log_softmax(dim=1)
    loss = -logp[T.arange(4), target].mean()
    return loss, {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "loss": loss}


def two_outputs(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    a = x.sin()
    return (a.exp(), a.cos()), {"x": x}


BUILDERS = [single_op, seed_tutorial, shared_subexpression, chain_rule, custom_function,
            view_of_leaf, view_of_nonleaf, training_step, two_outputs]
# Graphs whose nodes keep the same _saved_* attributes in both libraries (leafgrad's
# AddBackward0 lacks PyTorch's _saved_alpha).
SAVED_SAME = [single_op, shared_subexpression, chain_rule, custom_function,
              view_of_leaf, two_outputs]


# -- what the pictures show -------------------------------------------------------------------
def test_single_op_nodes_edges_colours():
    import graphviz

    out, params = single_op(leafgrad)
    dot = make_dot(out, params=params)
    assert isinstance(dot, graphviz.Digraph)
    colours = by_colour(dot)
    assert colours["lightblue"] == ["x\n (3)", "y\n (3)"]
    assert colours["darkolivegreen1"] == ["\n (3)"]
    nodes, edges = parse(dot)
    labels = {n: a.get("label") for n, a in nodes.items()}
    named = {(labels[a], labels[b]) for a, b, _ in edges}
    assert named == {("x\n (3)", "AccumulateGrad"), ("y\n (3)", "AccumulateGrad"),
                     ("AccumulateGrad", "MulBackward0"), ("MulBackward0", "\n (3)")}
    assert len(edges) == 5  # two leaf->accumulator, two accumulator->Mul, Mul->output
    # backward nodes keep the default (grey) fill
    assert all("fillcolor" not in a for a in nodes.values() if a["label"].endswith("0"))
    assert "fillcolor=lightgrey" in dot.source


def test_shared_input_has_one_node_with_two_consumers():
    out, params = seed_tutorial(leafgrad)
    nodes, edges = parse(make_dot(out, params=params))
    x_acc = [b for a, b, _ in edges if nodes[a]["label"] == "x\n ()"]
    assert len(x_acc) == 1
    consumers = sorted(nodes[b]["label"] for a, b, _ in edges if a == x_acc[0])
    assert consumers == ["AddBackward0", "MulBackward0"]


def test_saved_tensors_are_orange_and_attrs_listed():
    out, params = chain_rule(leafgrad)
    dot = make_dot(out, params=params, show_saved=True, show_attrs=True)
    colours = by_colour(dot)
    assert colours["orange"] == ["self\n ()", "self\n ()", "self\n ()"]
    nodes, edges = parse(dot)
    pow_labels = sorted(a["label"] for a in nodes.values() if a["label"].startswith("Pow"))
    rule = "-" * 24
    assert pow_labels == [
        f"PowBackward0\n{rule}\nexponent:              2\nself    : [saved tensor]",
        f"PowBackward0\n{rule}\nexponent:              3\nself    : [saved tensor]",
    ]
    saved_edges = [e for e in edges if e[2].get("dir") == "none"]
    assert len(saved_edges) == 3


def test_max_attr_chars_truncates():
    x = leafgrad.ones(2, 3, 4, requires_grad=True)
    dot = make_dot(x.permute(2, 0, 1), show_attrs=True, max_attr_chars=6)
    assert "dims: (2,..." in dot.source


def test_views_base_is_drawn_dotted():
    out, params = view_of_nonleaf(leafgrad)
    dot = make_dot(out, params=params)
    nodes, edges = parse(dot)
    base = [n for n, a in nodes.items() if a.get("fillcolor") == "darkolivegreen3"]
    assert len(base) == 1 and nodes[base[0]]["label"] == "\n (4)"
    dotted = [(a, b) for a, b, e in edges if e.get("style") == "dotted"]
    assert dotted == [(base[0], next(n for n, a in nodes.items()
                                     if a.get("fillcolor") == "darkolivegreen1"))]
    # the base's own producer is drawn too
    assert any(nodes[a]["label"] == "MulBackward0" and b == base[0] for a, b, _ in edges)


def test_custom_function_node_and_saved_tensors():
    out, params = custom_function(leafgrad)
    dot = make_dot(out, params=params, show_saved=True)
    nodes, edges = parse(dot)
    assert sorted(a["label"] for a in nodes.values() if "fillcolor" not in a) == \
        ["AccumulateGrad", "SquareBackward", "SumBackward0"]
    assert by_colour(dot)["orange"] == ["saved_tensors[0]\n (2)"]


def test_params_accepts_named_pairs_and_rejects_non_tensors():
    out, params = single_op(leafgrad)
    a = make_dot(out, params=list(params.items())).source
    b = make_dot(out, params=params).source
    assert canonical_str(a) == canonical_str(b)
    with pytest.raises(TypeError, match="params: expected tensors"):
        make_dot(out, params={"x": 1.0})
    with pytest.raises(TypeError, match="make_dot: expected a tensor"):
        make_dot([1.0, 2.0])


def canonical_str(src: str) -> list:
    import re

    return sorted(re.sub(r"\d{6,}", "ID", src).splitlines())


def test_show_values_and_grads_after_backward():
    out, params = seed_tutorial(leafgrad)
    out.backward()
    dot = make_dot(out, params=dict(params, w=out), show_values=True, show_grads=True)
    colours = by_colour(dot)
    # w = x*y + x at x=2, y=3: dw/dx = y + 1 = 4, dw/dy = x = 2
    assert colours["lightblue"] == ["x\n() float32\nvalue 2\ngrad 4",
                                    "y\n() float32\nvalue 3\ngrad 2"]
    # a non-leaf keeps no .grad: no grad line (and no PyTorch-style warning)
    assert colours["darkolivegreen1"] == ["w\n() float32\nvalue 8"]


def test_show_grads_before_backward_and_retain_grad():
    x = leafgrad.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=leafgrad.float64, requires_grad=True)
    y = x * 3
    y.retain_grad()
    dot = make_dot(y, params={"x": x, "y": y}, show_grads=True, show_values=True)
    assert by_colour(dot)["lightblue"] == ["x\n(5) float64\nvalue mean 3 [min 1, max 5]\n"
                                           "grad None"]
    y.sum().backward()
    dot = make_dot(y, params={"x": x, "y": y}, show_grads=True)
    assert by_colour(dot)["darkolivegreen1"] == ["y\n(5) float64\ngrad mean 1 [min 1, max 1]"]


def test_show_memory_counts_each_storage_once():
    x = leafgrad.ones(3, requires_grad=True)  # float32: 12 bytes
    h = x * x  # saves self and other: the same 12 bytes
    out = (h.exp() * x).sum()  # Exp saves its result (12 B); Mul saves that result and x
    dot = make_dot(out, show_memory=True)
    nodes, _ = parse(dot)
    labels = sorted(a["label"] for a in nodes.values() if "saved:" in a["label"])
    assert labels == ["ExpBackward0\nsaved: 12 B", "MulBackward0\nsaved: 12 B",
                      "MulBackward0\nsaved: 24 B"]
    assert 'label="saved for backward: 24 B in 2 distinct tensors"' in dot.source


def test_after_backward_saved_values_are_shown_freed():
    out, params = chain_rule(leafgrad)
    out.backward()
    dot = make_dot(out, params=params, show_attrs=True, show_saved=True, show_memory=True)
    assert "self    : [freed]" in dot.source
    assert "saved for backward: 0 B in 0 distinct tensors" in dot.source


def test_legend():
    out, params = single_op(leafgrad)
    dot = make_dot(out, params=params, legend=True, show_saved=True)
    (label,) = [b for b in dot.body if b.strip().startswith("legend [")]
    for text, colour in (("leaf (requires grad)", "lightblue"), ("backward node", "lightgrey"),
                         ("saved for backward", "orange"), ("output", "darkolivegreen1")):
        assert f'<td bgcolor="{colour}" align="left">{text}</td>' in label
    assert "base of a view" not in label
    out, params = view_of_nonleaf(leafgrad)
    (label,) = [b for b in make_dot(out, params=params, legend=True).body
                if b.strip().startswith("legend [")]
    assert '<td bgcolor="darkolivegreen3" align="left">base of a view</td>' in label
    assert "saved for backward" not in label


def test_long_chain_is_walked_without_recursion():
    x = leafgrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    nodes, edges = parse(make_dot(y))
    assert len(nodes) == 3000 + 3 and len(edges) == 3000 + 2
    assert format_graph(y).count("MulBackward0") == 3000


# -- rendering --------------------------------------------------------------------------------
@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz `dot` program is not installed")
@pytest.mark.parametrize("build", BUILDERS, ids=lambda f: f.__name__)
def test_every_graph_renders_a_png(tmp_path, build):
    out, params = build(leafgrad)
    dot = make_dot(out, params=params, show_saved=True, show_attrs=True, show_values=True,
                   show_memory=True, legend=True)
    path = dot.render(str(tmp_path / build.__name__), format="png", cleanup=True)
    assert path == str(tmp_path / build.__name__) + ".png"
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not HAVE_DOT, reason="the Graphviz `dot` program is not installed")
def test_render_writes_png(tmp_path):
    out, params = training_step(leafgrad)
    dot = make_dot(out, params=params, show_saved=True)
    path = dot.render(str(tmp_path / "step"), format="png")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert dot._repr_image_svg_xml().lstrip().startswith(("<?xml", "<svg"))
    svg = dot._repr_svg_()
    assert "<svg" in svg and "MmBackward0" in svg and "W1" in svg


def test_render_without_dot_explains_and_keeps_source(tmp_path, monkeypatch):
    out, params = seed_tutorial(leafgrad)
    dot = make_dot(out, params=params)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(dot_not_found_error(), match="apt-get install graphviz") as info:
        dot.render(str(tmp_path / "graph"), format="png")
    assert isinstance(info.value, RuntimeError)
    assert "DOT source was still written to" in str(info.value)
    with open(tmp_path / "graph") as f:
        assert f.read() == dot.source
    assert not os.path.exists(tmp_path / "graph.png")
    with pytest.raises(dot_not_found_error(), match="Install Graphviz"):
        dot.pipe(format="svg")
    with pytest.raises(dot_not_found_error(), match="apt-get install graphviz"):
        dot._repr_svg_()


def test_missing_graphviz_package_says_how_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(vgraph, "_DIGRAPH_CLS", None)
    out, _ = single_op(leafgrad)
    with pytest.raises(ImportError, match=r"pip install leafgrad\[viz\]"):
        make_dot(out)


# -- the same picture as PyTorch's graph ------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("build", BUILDERS, ids=lambda f: f.__name__)
def test_same_picture_as_torch(torch, build):
    ours, params = build(leafgrad)
    theirs, tparams = build(torch)
    assert canonical(make_dot(ours, params=params)) == \
        canonical(make_dot(theirs, params=tparams))


@pytest.mark.torch
@pytest.mark.parametrize("build", SAVED_SAME, ids=lambda f: f.__name__)
def test_same_saved_picture_as_torch(torch, build):
    ours, params = build(leafgrad)
    theirs, tparams = build(torch)
    kw = dict(show_saved=True, show_attrs=True, show_memory=True)
    assert canonical(make_dot(ours, params=params, **kw)) == \
        canonical(make_dot(theirs, params=tparams, **kw))
    assert format_graph(ours, params) == format_graph(theirs, tparams)


@pytest.mark.torch
def test_same_values_and_grads_labels_as_torch(torch):
    for T in (leafgrad, torch):
        out, params = seed_tutorial(T)
        out.backward()
        kw = dict(show_values=True, show_grads=True)
        if T is leafgrad:
            ours = canonical(make_dot(out, params=params, **kw))
        else:
            theirs = canonical(make_dot(out, params=params, **kw))
    assert ours == theirs


@pytest.mark.torch
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs(), st.booleans())
def test_same_picture_as_torch_on_random_graphs(torch, program, saved):
    _, ours = run_program(leafgrad, program, leafgrad.float64)
    _, theirs = run_program(torch, program, torch.float64)
    # (attribute tables differ where the libraries save different things, e.g. PyTorch's
    # AddBackward0 keeps alpha: the saved tensors themselves must agree)
    kw = dict(show_saved=saved, show_memory=saved)
    assert canonical(make_dot(ours, **kw)) == canonical(make_dot(theirs, **kw))


def torchviz_style_walk(var) -> tuple[list, list]:
    """Graph walking as torchviz does it, against PyTorch's introspection API only:
    (node descriptions, edges as pairs of descriptions), in visiting order."""
    seen, nodes, edges = set(), [], []

    def describe(obj):
        if hasattr(obj, "grad_fn"):  # a tensor
            return ("tensor", tuple(obj.size()), obj.requires_grad)
        return ("fn", type(obj).__name__)

    def add(fn):
        if fn in seen:
            return
        seen.add(fn)
        nodes.append(describe(fn))
        if hasattr(fn, "variable"):
            nodes.append(describe(fn.variable))
            edges.append((describe(fn.variable), describe(fn)))
        for attr in dir(fn):
            if attr.startswith("_saved_"):
                val = getattr(fn, attr)
                if hasattr(val, "grad_fn"):
                    edges.append((describe(fn), (attr, tuple(val.size()))))
        for u, _ in fn.next_functions:
            if u is not None:
                edges.append((describe(u), describe(fn)))
                add(u)

    if var.grad_fn is not None:
        add(var.grad_fn)
        edges.append((describe(var.grad_fn), describe(var)))
    if var._is_view():
        edges.append((describe(var._base), describe(var)))
    return nodes, edges


@pytest.mark.torch
@pytest.mark.parametrize("build", [single_op, seed_tutorial, shared_subexpression, chain_rule,
                                   custom_function, view_of_leaf, view_of_nonleaf],
                         ids=lambda f: f.__name__)
def test_torchviz_style_walker_sees_the_same_graph(torch, build):
    ours, _ = build(leafgrad)
    theirs, _ = build(torch)
    assert torchviz_style_walk(ours) == torchviz_style_walk(theirs)


# -- plain text ---------------------------------------------------------------------------------
def test_print_graph_tree(capsys):
    out, params = seed_tutorial(leafgrad)
    print_graph(out, params=dict(params, w=out), show_values=True)
    assert capsys.readouterr().out == (
        "w output () float32 value 8\n"
        "└── AddBackward0\n"
        "    ├── MulBackward0\n"
        "    │   ├── AccumulateGrad [1] ← x leaf () float32 value 2\n"
        "    │   └── AccumulateGrad ← y leaf () float32 value 3\n"
        "    └── AccumulateGrad [1] (shared: see above)\n"
    )


def test_print_graph_stops_indenting_deep_graphs():
    x = leafgrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(60):
        y = y * 1.5
    lines = format_graph(y).splitlines()
    assert len(lines) == 1 + 60 + 1 + 1  # output, 60 nodes, the accumulator, the note
    assert lines.count(" " * 4 * 40 + "(deeper than 40 levels: not indented further)") == 1
    assert max(len(line) for line in lines) < 4 * 41 + 60


def test_print_graph_leaf_and_constant(capsys):
    x = leafgrad.tensor([1.0], requires_grad=True)
    print_graph(x)
    print_graph(leafgrad.ones(2) * 2)
    assert capsys.readouterr().out == (
        "output (1) float32\n  (no grad_fn: a leaf that requires grad)\n"
        "output (2) float32\n  (no grad_fn: does not require grad)\n"
    )


# -- the _saved_* attributes graph tools discover with dir(node) --------------------------------
SAVED_OPS = {
    "mul": lambda T, x, w: x * x,
    "sin": lambda T, x, w: x.sin(),
    "sum_dim": lambda T, x, w: w.sum(0),
    "pow": lambda T, x, w: x ** 2,
    "log": lambda T, x, w: x.log(),
    "mv": lambda T, x, w: w @ x,
    "exp": lambda T, x, w: x.exp(),
    "tanh": lambda T, x, w: x.tanh(),
    "view": lambda T, x, w: x.view(2, 1),
    "select": lambda T, x, w: x[0],
    "relu": lambda T, x, w: x.relu(),
    "sigmoid": lambda T, x, w: x.sigmoid(),
    "permute": lambda T, x, w: w.permute(1, 0),
    "clamp": lambda T, x, w: x.clamp(0, 1),
    "cat": lambda T, x, w: T.cat([x, x]),
    "unsqueeze": lambda T, x, w: x.unsqueeze(0),
    "amax": lambda T, x, w: w.amax(0),
    "sum": lambda T, x, w: x.sum(),
    "neg": lambda T, x, w: -x,
}


@pytest.mark.torch
@pytest.mark.parametrize("op", sorted(SAVED_OPS))
def test_dir_lists_the_saved_attributes_torch_has(torch, op):
    def saved(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        fn = SAVED_OPS[op](T, x, w).grad_fn
        return fn.name(), [a for a in dir(fn) if a.startswith("_saved_")]

    assert saved(leafgrad) == saved(torch)
