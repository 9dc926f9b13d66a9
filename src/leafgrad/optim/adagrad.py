"""Adagrad."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _bump,
    _check_fused,
    _check_nonnegative,
    _start_state,
    _to_scalar,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al.).

    Each step t, with gradient g (negated when ``maximize``)::

        g   <- g + weight_decay * p            (if weight_decay != 0)
        clr <- lr / (1 + (t - 1) * lr_decay)
        s   <- s + g * g                       (s starts at initial_accumulator_value)
        p   <- p - clr * g / (sqrt(s) + eps)
    """

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "fused": None}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)
        # Adagrad creates its state up front (PyTorch does too).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p, group)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        # the constructor's initial_accumulator_value, whatever the group says (as PyTorch)
        value = self.defaults["initial_accumulator_value"]
        _start_state(st, p)
        st["sum"] = Tensor._make(np.full(p._data.shape, value, dtype=p._data.dtype))

    def share_memory(self) -> None:
        """Kept for PyTorch compatibility (NumPy arrays need no sharing step)."""

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = _to_scalar(group["lr"])
        lr_decay = group["lr_decay"]
        eps = group["eps"]
        for p, d, g, t, st, step in self._grads(group):
            clr = lr / (1 + (step - 1) * lr_decay)
            acc = st["sum"]._data
            np.multiply(g, g, out=t)
            acc += t
            np.sqrt(acc, out=t)
            t += eps
            np.divide(g, t, out=t)
            t *= -clr
            d += t
            _bump(p)
