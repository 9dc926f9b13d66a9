"""RMSprop."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _consts, _scratch, _to_scalar, _zero_step, _zeros_like

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

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
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
            alpha = group["alpha"]
            eps = group["eps"]
            wd = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            maximize = group["maximize"]
            dtype = consts = None
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
                    if momentum > 0:
                        st["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        st["grad_avg"] = _zeros_like(p)
                st["step"]._data += 1
                if dtype is not d.dtype:
                    dtype = d.dtype
                    consts = _consts(dtype, alpha, 1 - alpha, eps, momentum, -lr, wd)
                c_a, c_w, c_eps, c_mom, c_lr, c_wd = consts
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = np.add(g, np.multiply(d, c_wd))
                v = st["square_avg"]._data
                t = _scratch(cache, p, d)
                v *= c_a
                np.multiply(g, c_w, out=t)
                t *= g
                v += t
                if centered:
                    a = st["grad_avg"]._data
                    np.subtract(g, a, out=t)  # a.lerp_(g, 1 - alpha)
                    t *= c_w
                    a += t
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
        return loss
