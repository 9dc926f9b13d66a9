"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _scalar_dtype, _to_scalar, _zero_step, _zeros_like

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky); ``state["ax"]`` holds the running average.

    Each step t, with gradient g (negated when ``maximize``)::

        g   <- g + weight_decay * p                 (if weight_decay != 0)
        p   <- p * (1 - lambd * eta) - eta * g
        ax  <- ax + mu * (p - ax)   (ax <- p while mu == 1)
        eta <- lr / (1 + lambd * lr * t) ^ alpha;   mu <- 1 / max(1, t - t0)
    """

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
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
        state = self.state
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
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
                    sdt = _scalar_dtype()
                    st["step"] = _zero_step()
                    st["eta"] = Tensor._make(np.array(lr, dtype=sdt))
                    st["mu"] = Tensor._make(np.ones((), dtype=sdt))
                    st["ax"] = _zeros_like(p)
                s = st["step"]._data
                s += 1
                step = float(s)
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = np.add(g, np.multiply(d, wd))
                eta = float(st["eta"]._data)
                d *= 1 - lambd * eta  # decay
                d += np.multiply(g, -eta)
                ax = st["ax"]._data
                if float(st["mu"]._data) != 1:
                    ax += np.multiply(np.subtract(d, ax), st["mu"]._data.astype(d.dtype))
                else:
                    ax[...] = d
                # rounded to the default float dtype first (PyTorch goes through as_tensor)
                sdt = _scalar_dtype()
                st["eta"]._data[...] = sdt(lr / ((1 + lambd * lr * step) ** alpha))
                st["mu"]._data[...] = sdt(1 / max(1, step - t0))
                _bump(p, 2)
        return loss
