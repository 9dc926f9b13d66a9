"""Adagrad."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backend import np
from ..tensor import Tensor
from .optimizer import Optimizer, _bump, _scratch, _to_scalar, _zero_step

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al.).

    Each step t, with gradient g (negated when ``maximize``)::

        g   <- g + weight_decay * p            (if weight_decay != 0)
        clr <- lr / (1 + (t - 1) * lr_decay)
        s   <- s + g * g                       (s starts at initial_accumulator_value)
        p   <- p - clr * g / (sqrt(s) + eps)
    """

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # Adagrad creates its state up front (PyTorch does too).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, p: Tensor, value: float) -> dict:
        st = self.state[p]
        st["step"] = _zero_step()
        st["sum"] = Tensor._make(np.full(p._data.shape, value, dtype=p._data.dtype))
        return st

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)

    def share_memory(self) -> None:
        """Kept for PyTorch compatibility (NumPy arrays need no sharing step)."""

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns the closure's loss if one is given."""
        loss = None if closure is None else self._closure_loss(closure)
        state, cache = self.state, self._tmp
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lr_decay = group["lr_decay"]
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
                    st = self._init_state(p, self.defaults["initial_accumulator_value"])
                s = st["step"]._data
                s += 1
                step = float(s)
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = np.add(g, np.multiply(d, wd))
                clr = lr / (1 + (step - 1) * lr_decay)
                acc = st["sum"]._data
                t = _scratch(cache, p, d)
                np.multiply(g, g, out=t)
                acc += t
                np.sqrt(acc, out=t)
                t += eps
                np.divide(g, t, out=t)
                t *= -clr
                d += t
                _bump(p)
        return loss
