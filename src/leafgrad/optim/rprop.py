"""Rprop: resilient backpropagation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _check_nonnegative, _start_state, _to_scalar

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun): per-element step sizes driven by gradient signs only.

    Each step, with gradient g (negated when ``maximize``) and the previous one g'::

        f   <- etaplus if g * g' > 0,  etaminus if g * g' < 0,  1 otherwise
        eta <- clamp(eta * f, step_size_min, step_size_max)      (eta starts at lr)
        g   <- 0 where f == etaminus
        p   <- p - sign(g) * eta;   g' <- g
    """

    _uses_scratch = False
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonnegative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _start_state(st, p, "prev")
        d = p._data
        st["step_size"] = Tensor._make(np.full(d.shape, _to_scalar(group["lr"]), dtype=d.dtype))

    def _step_group(self, group: dict[str, Any]) -> None:
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        for p, d, g, _, st, _ in self._grads(group):
            g = np.array(g, copy=True)  # zeroed in places below
            prev = st["prev"]._data
            eta = st["step_size"]._data
            prod = np.multiply(g, prev)
            factor = np.ones_like(d)
            factor[prod > 0] = etaplus
            down = prod < 0
            factor[down] = etaminus
            eta *= factor
            np.clip(eta, d.dtype.type(lo), d.dtype.type(hi), out=eta)
            g[down] = 0  # no step where the gradient changed sign
            u = np.sign(g)
            u *= eta
            d -= u
            prev[...] = g
            _bump(p)
