"""RMSprop."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_nonnegative,
    _consts,
    _ema_square_,
    _lerp_,
    _start_state,
    _to_scalar,
    _zeros_like,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton), optionally centered and with momentum.

    Each step, with gradient g (negated when ``maximize``)::

        g <- g + weight_decay * p                       (if weight_decay != 0)
        v <- alpha * v + (1 - alpha) * g * g
        a <- alpha * a + (1 - alpha) * g;  v~ <- v - a * a      (centered; else v~ = v)
        b <- momentum * b + g / (sqrt(v~) + eps);  p <- p - lr * b      (momentum > 0)
        p <- p - lr * g / (sqrt(v~) + eps)                               (otherwise)
    """

    _setstate_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                          "differentiable": False, "capturable": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _start_state(st, p, "square_avg")
        if group["momentum"] > 0:
            st["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            st["grad_avg"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        centered = group["centered"]
        dtype = consts = None
        for p, d, g, t, st, _ in self._grads(group):
            if dtype is not d.dtype:
                dtype = d.dtype
                alpha = group["alpha"]
                consts = _consts(dtype, alpha, 1 - alpha, group["eps"], momentum,
                                 -_to_scalar(group["lr"]))
            c_a, c_w, c_eps, c_mom, c_lr = consts
            v = st["square_avg"]._data
            _ema_square_(v, g, c_a, c_w, t)
            if centered:
                a = st["grad_avg"]._data
                _lerp_(a, g, c_w, t)
                np.multiply(a, a, out=t)
                np.subtract(v, t, out=t)
                np.sqrt(t, out=t)
            else:
                np.sqrt(v, out=t)
            t += c_eps
            if momentum > 0:
                b = st["momentum_buffer"]._data
                b *= c_mom
                np.divide(g, t, out=t)
                b += t
                np.multiply(b, c_lr, out=t)
            else:
                np.divide(g, t, out=t)
                t *= c_lr
            d += t
            _bump(p)
