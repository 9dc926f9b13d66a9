"""RAdam: Adam with a rectified adaptive learning rate."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .adam import _check_adam_args
from .optimizer import Optimizer, _bump, _scratch, _to_scalar, _zero_step, _zeros_like

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

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("capturable", False)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns the closure's loss if one is given."""
        loss = None if closure is None else self._closure_loss(closure)
        state, cache = self.state, self._tmp
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            wd = group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
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
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                s = st["step"]._data
                s += 1
                step = float(s)
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    if decoupled:
                        d *= 1 - lr * wd
                    else:
                        g = np.add(g, np.multiply(d, wd))
                m = st["exp_avg"]._data
                v = st["exp_avg_sq"]._data
                t = _scratch(cache, p, d)
                np.subtract(g, m, out=t)  # m.lerp_(g, 1 - beta1)
                t *= 1 - beta1
                m += t
                v *= beta2
                np.multiply(g, 1 - beta2, out=t)
                t *= g
                v += t
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
                _bump(p, 2 if decoupled and wd != 0 else 1)
        return loss
