"""Per-op cost, forward + backward, on tiny tensors: leafgrad vs PyTorch (same process).

    python benchmarks/ops.py

Each line times ``n`` repetitions of one op on a 16-element tensor that requires grad,
followed by one backward through all of them, and prints microseconds per op and the
ratio leafgrad / PyTorch. Profile before optimising: this shows where to look.
"""

from __future__ import annotations

import time

OPS = {
    "add": lambda y, x: y + x,
    "mul": lambda y, x: y * x,
    "mul_scalar": lambda y, x: y * 0.5,
    "exp": lambda y, x: (y * 0.1).exp(),
    "tanh": lambda y, x: y.tanh(),
    "sigmoid": lambda y, x: y.sigmoid(),
    "pow": lambda y, x: y.pow(2),
    "sum": lambda y, x: y.sum() + x,
}


def per_op(T, op, n: int = 200, rounds: int = 30) -> float:
    T.manual_seed(0)
    x = T.randn(16).requires_grad_()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        y = x
        for _ in range(n):
            y = op(y, x)
        y.sum().backward()
        best = min(best, time.perf_counter() - t0)
        x.grad = None
    return best / n * 1e6


def main() -> None:
    import torch

    import leafgrad

    torch.set_num_threads(1)
    print(f"{'op':12s} {'leafgrad us':>12s} {'torch us':>10s} {'ratio':>7s}")
    for name, op in OPS.items():
        ours, theirs = per_op(leafgrad, op), per_op(torch, op)
        print(f"{name:12s} {ours:12.2f} {theirs:10.2f} {ours / theirs:7.2f}")


if __name__ == "__main__":
    main()
