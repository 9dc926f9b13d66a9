"""``python -m leafgrad.demo``: build a graph, look at it, differentiate it.

The first thing ``make demo`` shows a newcomer: the seed tutorial's graph
``w = x*y + x``, its backward nodes, and the chain rule through ``log((x**2)**3)``.
"""

from __future__ import annotations

import leafgrad as torch


def walk(fn, depth: int = 0, seen: set | None = None) -> None:
    """Print the backward graph below ``fn``, one node per line."""
    seen = set() if seen is None else seen
    label = type(fn).__name__
    if hasattr(fn, "variable"):
        label += f"  (leaf {fn.variable.tolist()})"
    print("    " + "  " * depth + label)
    if fn in seen:
        return
    seen.add(fn)
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1, seen)


def main() -> None:
    print("leafgrad demo: a graph is recorded as code runs, then differentiated.\n")
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = x * y
    w = z + x
    print(f"x = {x}\ny = {y}\nz = x * y = {z}\nw = z + x = {w}\n")
    print("the backward graph of w (grad_fn and its next_functions):")
    walk(w.grad_fn)
    w.backward()
    print(f"\nafter w.backward():  dw/dx = y + 1 = {x.grad.item()},  dw/dy = x = {y.grad.item()}")

    x = torch.tensor(2.0, requires_grad=True)
    L = torch.log((x**2) ** 3)
    L.backward()
    print("\nthe chain rule: L = log((x**2)**3) at x = 2")
    print(f"    dL/dx = 6/x = {x.grad.item()}")


if __name__ == "__main__":
    main()
