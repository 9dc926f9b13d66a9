"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .adam import _check_adam_args
from .optimizer import Optimizer, _bump, _lerp_, _start_state, _to_scalar

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba), the infinity-norm variant of Adam.

    Each step t, with gradient g (negated when ``maximize``)::

        g <- g + weight_decay * p                   (if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        p <- p - lr / (1 - beta1^t) * m / u
    """

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _start_state(st, p, "exp_avg", "exp_inf")

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        for p, d, g, t, st, step in self._grads(group):
            m = st["exp_avg"]._data
            u = st["exp_inf"]._data
            _lerp_(m, g, 1 - beta1, t)
            u *= beta2
            np.abs(g, out=t)
            t += eps
            np.maximum(u, t, out=u)
            np.divide(m, u, out=t)
            t *= -(lr / (1 - beta1 ** step))
            d += t
            _bump(p)
