"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_nonnegative,
    _scalar_dtype,
    _start_state,
    _to_scalar,
    _zeros_like,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky); ``state["ax"]`` holds the running average.

    Each step t, with gradient g (negated when ``maximize``)::

        g   <- g + weight_decay * p                 (if weight_decay != 0)
        p   <- p * (1 - lambd * eta) - eta * g
        ax  <- ax + mu * (p - ax)   (ax <- p while mu == 1)
        eta <- lr / (1 + lambd * lr * t) ^ alpha;   mu <- 1 / max(1, t - t0)
    """

    _uses_scratch = False
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_nonnegative(lr=lr, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        sdt = _scalar_dtype()
        _start_state(st, p)
        st["eta"] = Tensor._make(np.array(_to_scalar(group["lr"]), dtype=sdt))
        st["mu"] = Tensor._make(np.ones((), dtype=sdt))
        st["ax"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        for p, d, g, _, st, step in self._grads(group):
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
