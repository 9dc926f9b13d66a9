"""Adadelta."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _scratch, _to_scalar, _zero_step, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler).

    Each step, with gradient g (negated when ``maximize``)::

        g     <- g + weight_decay * p                      (if weight_decay != 0)
        v     <- rho * v + (1 - rho) * g * g
        delta <- sqrt(u + eps) / sqrt(v + eps) * g
        u     <- rho * u + (1 - rho) * delta * delta
        p     <- p - lr * delta
    """

    def __init__(self, params: Iterable, lr: float | Tensor = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
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
        state, cache = self.state, self._tmp
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            rho = group["rho"]
            eps = group["eps"]
            wd = group["weight_decay"]
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
                    st["square_avg"] = _zeros_like(p)
                    st["acc_delta"] = _zeros_like(p)
                st["step"]._data += 1
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = np.add(g, np.multiply(d, wd))
                v = st["square_avg"]._data
                u = st["acc_delta"]._data
                t = _scratch(cache, p, d)
                v *= rho
                np.multiply(g, 1 - rho, out=t)
                t *= g
                v += t
                std = np.empty_like(d)
                np.add(v, eps, out=std)
                np.sqrt(std, out=std)
                np.add(u, eps, out=t)
                np.sqrt(t, out=t)
                t /= std
                t *= g  # t is delta now
                u *= rho
                np.multiply(t, 1 - rho, out=std)
                std *= t
                u += std
                t *= -lr
                d += t
                _bump(p)
        return loss
