"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .adam import _check_adam_args
from .optimizer import Optimizer, _bump, _scratch, _to_scalar, _zero_step, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba), the infinity-norm variant of Adam.

    Each step t, with gradient g (negated when ``maximize``)::

        g <- g + weight_decay * p                   (if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        p <- p - lr / (1 - beta1^t) * m / u
    """

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
            beta1, beta2 = group["betas"]
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
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_inf"] = _zeros_like(p)
                s = st["step"]._data
                s += 1
                step = float(s)
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = np.add(g, np.multiply(d, wd))
                m = st["exp_avg"]._data
                u = st["exp_inf"]._data
                t = _scratch(cache, p, d)
                np.subtract(g, m, out=t)  # m.lerp_(g, 1 - beta1)
                t *= 1 - beta1
                m += t
                u *= beta2
                np.abs(g, out=t)
                t += eps
                np.maximum(u, t, out=u)
                np.divide(m, u, out=t)
                t *= -(lr / (1 - beta1 ** step))
                d += t
                _bump(p)
        return loss
