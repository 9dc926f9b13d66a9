"""RAdam: Adam with a rectified adaptive learning rate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .adam import _check_adam_args
from .optimizer import Optimizer, _bump, _ema_square_, _lerp_, _start_state, _to_scalar

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al.): Adam whose adaptive term is switched on once its variance is tractable.

    Each step t, with gradient g (negated when ``maximize``)::

        p <- p * (1 - lr * weight_decay)      if decoupled_weight_decay
        g <- g + weight_decay * p             otherwise (if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        rho_inf <- 2 / (1 - beta2) - 1;  rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
        if rho_t > 5:
            r <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            p <- p - lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r
        else:
            p <- p - lr * m / (1 - beta1^t)
    """

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "decoupled_weight_decay": False, "capturable": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _start_state(st, p, "exp_avg", "exp_avg_sq")

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        for p, d, g, t, st, step in self._grads(group):
            m = st["exp_avg"]._data
            v = st["exp_avg_sq"]._data
            _lerp_(m, g, 1 - beta1, t)
            _ema_square_(v, g, beta2, 1 - beta2, t)
            bc1 = 1 - beta1 ** step
            bc2 = 1 - beta2 ** step
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
            u = np.divide(m, bc1)  # the bias-corrected first moment
            u = np.multiply(u, lr)
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                np.sqrt(v, out=t)
                t += eps
                np.divide(bc2 ** 0.5, t, out=t)  # the adaptive learning rate
                u = np.multiply(u, t)
                u = np.multiply(u, rect)
            d -= u
            _bump(p)
