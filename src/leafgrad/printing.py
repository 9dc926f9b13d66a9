"""PyTorch-identical tensor printing (placeholder until the full formatter lands)."""

from __future__ import annotations


def tensor_repr(t) -> str:
    body = repr(t._data.tolist())
    suffix = ""
    if t.grad_fn is not None:
        suffix = f", grad_fn=<{t.grad_fn.name()}>"
    elif t.requires_grad:
        suffix = ", requires_grad=True"
    return f"tensor({body}{suffix})"
