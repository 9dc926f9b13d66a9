"""Adadelta."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_nonnegative,
    _ema_square_,
    _start_state,
    _to_scalar,
)

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

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _start_state(st, p, "square_avg", "acc_delta")

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        rho = group["rho"]
        eps = group["eps"]
        for p, d, g, t, st, _ in self._grads(group):
            v = st["square_avg"]._data
            u = st["acc_delta"]._data
            _ema_square_(v, g, rho, 1 - rho, t)
            std = np.empty_like(d)
            np.add(v, eps, out=std)
            np.sqrt(std, out=std)
            np.add(u, eps, out=t)
            np.sqrt(t, out=t)
            t /= std
            t *= g  # t is delta now
            _ema_square_(u, t, rho, 1 - rho, std)
            t *= -lr
            d += t
            _bump(p)
