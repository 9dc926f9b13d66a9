"""explain (the chain rule as a sum over paths) and why_no_grad.

Expected numbers are worked out by hand in the comments, or taken from PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad
from leafgrad.autograd import explain, why_no_grad


def test_chain_rule_example(capsys):
    x = leafgrad.tensor(2.0, requires_grad=True)
    z = x ** 2
    y = z ** 3
    L = y.log()
    e = explain(L, x)
    printed = capsys.readouterr().out
    assert printed.strip() == e.text.strip() == str(e).strip()
    # L = log(y): dL/dy = 1/y = 1/64; y = z^3: dy/dz = 3 z^2 = 48; z = x^2: dz/dx = 2x = 4
    assert "L ← y ← z ← x" in e.text
    assert "dL/dy = 0.015625 (= 1/64)" in e.text
    assert "dy/dz = 48 " in e.text
    assert "dz/dx = 4 " in e.text
    assert "product: 0.015625 × 48 × 4 = 3" in e.text  # = 6/x at x = 2
    assert "total dL/dx    = 3   (the sum of 1 path)" in e.text
    assert "backward gives = 3   ✓" in e.text
    assert e.n_paths == 1 and not e.grouped
    (term,) = e.terms
    assert term.local == [0.015625, 48.0, 4.0]
    assert term.names == ["L", "y", "z", "x"]
    assert term.nodes == ["LogBackward0", "PowBackward0", "PowBackward0"]
    assert e.total.item() == 3.0 and e.backward.item() == 3.0
    assert repr(e) == "<Explanation dL/dx: 1 path, total 3>"


def test_shared_input_gives_two_paths():
    x = leafgrad.tensor(2.0, requires_grad=True)
    y = leafgrad.tensor(3.0, requires_grad=True)
    w = x * y + x
    e = explain(w, x, quiet=True)
    # w = x*y + x: the path through x*y contributes y = 3, the direct one 1
    assert [t.contribution.item() for t in e.terms] == [3.0, 1.0]
    assert [t.names for t in e.terms] == [["w", "<mul>", "x"], ["w", "x"]]
    assert [t.nodes for t in e.terms] == [["AddBackward0 input 0", "MulBackward0 input 0"],
                                          ["AddBackward0 input 1"]]
    assert e.total.item() == 4.0


def test_square_counts_both_inputs_of_mul():
    x = leafgrad.tensor(3.0, requires_grad=True)
    e = explain(x * x, x, quiet=True, names={})
    # d(x*x)/dx = x + x: one path per input of MulBackward0
    assert [t.contribution.item() for t in e.terms] == [3.0, 3.0]
    assert [t.names for t in e.terms] == [["out", "input"], ["out", "input"]]


def test_names_given_explicitly_and_unnamed_intermediates():
    a = leafgrad.tensor(0.5, requires_grad=True)
    out = a.sin().exp()
    e = explain(out, a, names={"f": out, "a": a}, quiet=True)
    assert e.terms[0].names == ["f", "<sin>", "a"]
    e = explain(out, a, names=[("a", a)], quiet=True)
    assert e.terms[0].names == ["out", "<sin>", "a"]


def test_non_leaf_input():
    x = leafgrad.tensor(2.0, requires_grad=True)
    z = x ** 2
    L = (z ** 3).log()
    e = explain(L, z, quiet=True)
    # L = 3 log z: dL/dz = 3/z = 0.75
    assert e.total.item() == pytest.approx(0.75)
    assert e.terms[0].names[-1] == "z"


def test_tensor_jacobians_are_summarised():
    x = leafgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    W = leafgrad.tensor([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]], requires_grad=True)
    sq = x * x
    h = W @ sq
    out = h.sum()
    e = explain(out, x, quiet=True)
    text = e.text
    assert "dout/dh = Jacobian [out () × in (2)]: [1, 1]" in text
    assert "dh/dsq  = Jacobian [out (2) × in (3)]: [1, 0, 2, 0, 3, 0]" in text
    # sq = x*x: each input of MulBackward0 contributes diag(x)
    assert "dsq/dx  = Jacobian [out (3) × in (3)], diagonal (elementwise): [1, 2, 3]" in text
    # d/dx sum(W @ x^2) = 2 x * W.sum(0) = [2, 12, 12]
    assert e.total.tolist() == [2.0, 12.0, 12.0]
    assert [t.contribution.tolist() for t in e.terms] == [[1.0, 6.0, 6.0]] * 2
    jac = e.terms[0].local[1]
    assert jac.tolist() == [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]


def test_identity_jacobians_are_named():
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x + 1
    out = (h * 0.5).sum()
    text = explain(out, x, quiet=True).text
    assert "d<mul>/dh   = Jacobian [out (2) × in (2)]: 0.5 (= 1/2) × identity" in text
    assert "dh/dx       = Jacobian [out (2) × in (2)]: identity" in text


def test_big_jacobian_shows_shapes_only():
    x = leafgrad.ones(100, requires_grad=True)
    e = explain(x.exp().sum(), x, quiet=True)
    assert "Jacobian [out (100) × in (100)] (too big to show)" in e.text
    assert e.terms[0].local[1] is None
    assert np.allclose(e.total.numpy(), np.e)


def test_non_scalar_output_is_explained_as_its_sum():
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    e = explain(y, x, quiet=True)
    assert "explaining the gradient of y.sum()" in e.text
    assert e.total.tolist() == [3.0, 3.0]


def test_path_explosion_is_grouped():
    x = leafgrad.tensor(0.1, dtype=leafgrad.float64, requires_grad=True)
    y = x
    for _ in range(10):
        y = y * y + y  # three edges back to the previous y: 3**10 paths
    e = explain(y, x, max_paths=5, quiet=True)
    assert e.n_paths == 3 ** 10 and e.grouped
    assert 1 < len(e.terms) <= 5
    assert sum(t.n_paths for t in e.terms) == 3 ** 10
    assert "59049 paths in all: too many to list, so paths that share their first steps " \
           "are grouped" in e.text
    assert "(every way on from here)" in e.text
    (g,) = leafgrad.autograd.grad(y, x)
    assert e.total.item() == pytest.approx(g.item(), rel=1e-12)
    assert "✓" in e.text


def test_not_reached_gives_zero_and_says_why():
    x = leafgrad.tensor(1.0, requires_grad=True)
    w = leafgrad.tensor(2.0, requires_grad=True)
    e = explain(x.detach() * w, x, quiet=True)
    assert e.total.item() == 0.0 and e.terms == [] and e.n_paths == 0
    assert "No path: x is not reached from out" in e.text
    assert "MulBackward0 (its saved 'self')" in e.text


def test_output_without_graph_and_output_is_input():
    x = leafgrad.tensor(1.0, requires_grad=True)
    with leafgrad.no_grad():
        y = x * 2
    e = explain(y, x, quiet=True)
    assert "No path" in e.text and "no_grad()" in e.text
    e = explain(x, x, quiet=True)
    assert "identity" in e.text


def test_custom_function_nodes_are_explained():
    class Cube(leafgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    x = leafgrad.tensor(2.0, requires_grad=True)
    e = explain(Cube.apply(x), x, quiet=True)
    assert e.terms[0].nodes == ["CubeBackward"] and e.total.item() == 12.0


def test_explain_after_backward_says_to_retain_the_graph():
    x = leafgrad.tensor(2.0, requires_grad=True)
    L = (x ** 2).log()
    L.backward()
    with pytest.raises(RuntimeError, match=r"call explain before backward\(\), or use "
                       r"backward\(retain_graph=True\)"):
        explain(L, x, quiet=True)
    L = (x ** 2).log()
    L.backward(retain_graph=True)
    assert explain(L, x, quiet=True).total.item() == 1.0  # d log(x^2)/dx = 2/x


def test_explain_errors():
    x = leafgrad.tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match="both must be tensors"):
        explain(1.0, x)
    with pytest.raises(ValueError, match="max_paths must be at least 1"):
        explain(x * 2, x, max_paths=0)
    with pytest.raises(TypeError, match="both must be tensors"):
        why_no_grad(x, None)


# -- random graphs: explain's total is backward's gradient -------------------------------------
UNARY = [
    lambda T, a: a.sin(),
    lambda T, a: a.tanh(),
    lambda T, a: a * a,
    lambda T, a: a.sigmoid(),
    lambda T, a: (a * 0.5).exp(),
    lambda T, a: a.sum(),
]
BINARY = [
    lambda T, a, b: a + b,
    lambda T, a, b: a * b,
    lambda T, a, b: a - b,
]


@st.composite
def programs(draw):
    """A random expression DAG: each step applies an op to earlier values (shared freely)."""
    steps = []
    for k in range(draw(st.integers(1, 7))):
        n = k + 2  # values so far: x, c, and one per step
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, n - 1))))
        else:
            steps.append(("b", draw(st.integers(0, len(BINARY) - 1)),
                          draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))))
    shape = draw(st.sampled_from([(), (3,), (2, 3)]))
    data = draw(st.lists(st.floats(-1.5, 1.5), min_size=12, max_size=12))
    return steps, shape, data


def run_program(T, program, dtype):
    steps, shape, data = program
    size = int(np.prod(shape)) if shape else 1
    x = T.tensor(np.array(data[:size]).reshape(shape), dtype=dtype, requires_grad=True)
    c = T.tensor(np.array(data[6:6 + size]).reshape(shape), dtype=dtype, requires_grad=True)
    vals = [x, c]
    for step in steps:
        if step[0] == "u":
            vals.append(UNARY[step[1]](T, vals[step[2]]))
        else:
            vals.append(BINARY[step[1]](T, vals[step[2]], vals[step[3]]))
    out = vals[-1]
    for v in vals[:-1]:  # use every value, so x is reached in most programs
        out = out + v.sum() * 0.25
    return x, out.sum()


@pytest.mark.torch
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs(), st.sampled_from(["float32", "float64"]), st.integers(1, 6))
def test_total_equals_backward_on_random_graphs(torch, program, dtype, max_paths):
    x, out = run_program(leafgrad, program, getattr(leafgrad, dtype))
    tx, tout = run_program(torch, program, getattr(torch, dtype))
    (expected,) = torch.autograd.grad(tout, tx)
    full = explain(out, x, quiet=True, max_paths=10 ** 6)
    grouped = explain(out, x, quiet=True, max_paths=max_paths)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(full.total.numpy(), expected.numpy(), **tol)
    np.testing.assert_allclose(grouped.total.numpy(), expected.numpy(), **tol)
    assert len(full.terms) == full.n_paths
    assert len(grouped.terms) <= max(max_paths, 1) or not grouped.grouped
    assert sum(t.n_paths for t in grouped.terms) == full.n_paths
    # each listed path's contribution is the product of its local derivatives (scalars)
    if program[1] == ():
        for term in full.terms:
            if all(isinstance(v, float) for v in term.local):
                assert term.contribution.item() == pytest.approx(
                    float(np.prod(term.local)), rel=1e-4, abs=1e-6)


# -- why_no_grad ----------------------------------------------------------------------------------
def test_why_requires_grad_false(capsys):
    x = leafgrad.tensor(1.0)
    w = leafgrad.tensor(2.0, requires_grad=True)
    text = why_no_grad(x * w, x)
    assert capsys.readouterr().out.strip() == text
    assert "does not require grad (requires_grad=False)" in text
    assert "requires_grad_()" in text


def test_why_integer_leaf():
    i = leafgrad.tensor([1, 2])
    text = why_no_grad(i * 2, i, quiet=True)
    assert "integer/bool tensor" in text


def test_why_non_leaf():
    w = leafgrad.randn(3, requires_grad=True) * 0.1
    text = why_no_grad(w.sum(), w, quiet=True)
    assert "not a leaf: it is the output of MulBackward0" in text
    assert ".retain_grad()" in text
    w.retain_grad()
    assert "retains its grad" in why_no_grad(w.sum(), w, quiet=True)


def test_why_detach_names_the_node():
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    w = leafgrad.tensor([3.0, 4.0], requires_grad=True)
    out = (x.detach() * w).sin().sum()
    text = why_no_grad(out, x, quiet=True)
    assert "not reached from the output" in text
    assert "the chain broke at MulBackward0 (its saved 'self')" in text
    assert "detach()" in text


def test_why_no_grad_block_names_the_input():
    x = leafgrad.tensor(1.0, requires_grad=True)
    w = leafgrad.tensor(2.0, requires_grad=True)
    with leafgrad.no_grad():
        h = x.exp()
    text = why_no_grad(h * w + w, x, quiet=True)
    assert "input 0 of MulBackward0" in text
    assert "no_grad()" in text


def test_why_output_has_no_graph():
    x = leafgrad.tensor(1.0, requires_grad=True)
    with leafgrad.no_grad():
        y = x * 2
    assert "no grad_fn" in why_no_grad(y, x, quiet=True)


def test_why_not_used_at_all():
    x = leafgrad.tensor(1.0, requires_grad=True)
    w = leafgrad.tensor(2.0, requires_grad=True)
    text = why_no_grad(w.exp(), x, quiet=True)
    assert "was not used to compute the output at all" in text


def test_why_reached_but_backward_not_run():
    x = leafgrad.tensor(1.0, requires_grad=True)
    y = x.sin() * 3
    text = why_no_grad(y, x, quiet=True)
    assert "the leaf is reached from the output (MulBackward0 ← SinBackward0 ← " \
           "AccumulateGrad)" in text
    assert "backward has not run" in text
    y.backward()
    assert "already holds a gradient" in why_no_grad(y, x, quiet=True)
