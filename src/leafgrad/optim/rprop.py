"""Rprop: resilient backpropagation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _to_scalar, _zero_step, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun): per-element step sizes driven by gradient signs only.

    Each step, with gradient g (negated when ``maximize``) and the previous one g'::

        f   <- etaplus if g * g' > 0,  etaminus if g * g' < 0,  1 otherwise
        eta <- clamp(eta * f, step_size_min, step_size_max)      (eta starts at lr)
        g   <- 0 where f == etaminus
        p   <- p - sign(g) * eta;   g' <- g
    """

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns the closure's loss if one is given."""
        loss = None if closure is None else self._closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            lo, hi = group["step_sizes"]
            maximize = group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                g = gt._data
                d = p._data
                st = state[p]
                if not st:
                    st["step"] = _zero_step()
                    st["prev"] = _zeros_like(p)
                    st["step_size"] = Tensor._make(
                        np.full(d.shape, _to_scalar(group["lr"]), dtype=d.dtype))
                st["step"]._data += 1
                g = np.array(g, copy=True)
                if maximize:
                    np.negative(g, out=g)
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
        return loss
