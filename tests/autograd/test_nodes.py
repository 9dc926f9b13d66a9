"""Node introspection: _saved_* attributes and metadata, as PyTorch exposes them."""

from __future__ import annotations

import pytest

import leafgrad

from .test_spec import same_as_torch


def saved_values(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = T.tensor([3.0, 4.0], requires_grad=True)
    m = x * y
    e = x.exp()
    s = x.sum()
    return {
        "mul_self_is_x": m.grad_fn._saved_self is x,
        "mul_other": m.grad_fn._saved_other.tolist(),
        "exp_result": e.grad_fn._saved_result.tolist(),
        "exp_result_equal": e.grad_fn._saved_result.tolist() == e.tolist(),
        "sum_sizes": list(s.grad_fn._saved_self_sym_sizes),
        "pow_exponent": (x**3).grad_fn._saved_exponent,
        "name": m.grad_fn.name(),
        "missing": hasattr(m.grad_fn, "_saved_nothing_here"),
    }


def test_saved_values():
    obs = saved_values(leafgrad)
    assert obs["mul_self_is_x"] and obs["mul_other"] == [3.0, 4.0]
    assert obs["exp_result_equal"] and obs["sum_sizes"] == [2]
    assert obs["pow_exponent"] == 3 and obs["missing"] is False


@pytest.mark.torch
def test_saved_values_vs_torch(torch):
    same_as_torch(saved_values, torch)


def test_saved_values_freed_after_backward():
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    e = x.exp()
    e.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        e.grad_fn._saved_result  # noqa: B018 - the access itself must raise
