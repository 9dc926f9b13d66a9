"""NAdam: Adam with Nesterov momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .adam import _check_adam_args
from .optimizer import (
    Optimizer,
    _bump,
    _ema_square_,
    _lerp_,
    _scalar_dtype,
    _start_state,
    _to_scalar,
    _zeros_like,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat): Adam with Nesterov momentum and a momentum schedule.

    Each step t, with gradient g (negated when ``maximize``)::

        p    <- p * (1 - lr * weight_decay)    if decoupled_weight_decay
        g    <- g + weight_decay * p           otherwise (if weight_decay != 0)
        mu_t <- beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  P_t <- P_{t-1} * mu_t
        m    <- beta1 * m + (1 - beta1) * g
        v    <- beta2 * v + (1 - beta2) * g * g
        D    <- sqrt(v / (1 - beta2^t)) + eps
        p    <- p - lr * (1 - mu_t) / (1 - P_t) * g / D
                  - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / D
    """

    _setstate_defaults = {"maximize": False, "foreach": None, "capturable": False,
                          "differentiable": False, "decoupled_weight_decay": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _start_state(st, p)
        st["mu_product"] = Tensor._make(np.ones((), dtype=_scalar_dtype()))
        st["exp_avg"] = _zeros_like(p)
        st["exp_avg_sq"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        md = group["momentum_decay"]
        for p, d, g, t, st, step in self._grads(group):
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * md))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
            mp = st["mu_product"]._data
            mp *= mu  # in the state's own precision, as PyTorch
            mu_product = float(mp)
            m = st["exp_avg"]._data
            v = st["exp_avg_sq"]._data
            _lerp_(m, g, 1 - beta1, t)
            _ema_square_(v, g, beta2, 1 - beta2, t)
            denom = np.empty_like(d)
            np.divide(v, 1 - beta2 ** step, out=denom)
            np.sqrt(denom, out=denom)
            denom += eps
            np.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=t)
            t /= denom
            d += t
            np.multiply(m, (-lr * mu_next) / (1.0 - mu_product * mu_next), out=t)
            t /= denom
            d += t
            _bump(p, 2)
