"""Stochastic gradient descent, optionally with (Nesterov) momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _check_fused, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    Each step, with gradient :math:`g_t` (negated when ``maximize``)::

        g_t <- g_t + weight_decay * p                              (if weight_decay != 0)
        b_1 <- g_1;  b_t <- momentum * b_{t-1} + (1 - dampening) * g_t   (if momentum != 0)
        g_t <- g_t + momentum * b_t  if nesterov  else  b_t
        p   <- p - lr * g_t

    >>> w = leafgrad.tensor([1., 2.], requires_grad=True)
    >>> opt = leafgrad.optim.SGD([w], lr=0.5)
    >>> w.sum().backward(); opt.step(); w
    tensor([0.5000, 1.5000], requires_grad=True)
    """

    _setstate_defaults = {"nesterov": False, "maximize": False, "foreach": None,
                          "differentiable": False, "fused": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float | Tensor = 0,
                 nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    def _step_group(self, group: dict[str, Any]) -> None:
        state = self.state
        lr = _to_scalar(group["lr"])
        momentum = group["momentum"]
        damp = 1 - group["dampening"]
        nesterov = group["nesterov"]
        for p, d, g, t, _, _ in self._grads(group):
            if momentum != 0:
                st = state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    st["momentum_buffer"] = Tensor._make(np.array(g, copy=True))
                    b = st["momentum_buffer"]._data
                else:
                    b = buf._data
                    b *= momentum
                    if damp == 1:
                        b += g
                    else:
                        np.multiply(g, damp, out=t)
                        b += t
                if nesterov:
                    g = np.add(np.multiply(b, momentum), g)
                else:
                    g = b
            np.multiply(g, -lr, out=t)
            d += t
            _bump(p)
