"""Adam (and, with decoupled weight decay, AdamW)."""

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
    _consts,
    _ema_square_,
    _lerp_,
    _start_state,
    _to_scalar,
    _zero_step,
)

__all__ = ["Adam"]


def _check_adam_args(lr, eps, betas, weight_decay) -> None:
    _check_nonnegative(lr=lr, eps=eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    _check_nonnegative(weight_decay=weight_decay)


class Adam(Optimizer):
    r"""Adam (Kingma & Ba), with optional AMSGrad and (decoupled) weight decay.

    Each step t, with gradient g (negated when ``maximize``)::

        p <- p * (1 - lr * weight_decay)     if decoupled_weight_decay
        g <- g + weight_decay * p            otherwise (if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v)               (amsgrad; then v_max replaces v below)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    >>> w = leafgrad.tensor([1., -1.], requires_grad=True)
    >>> opt = leafgrad.optim.Adam([w], lr=0.1)
    >>> w.sum().backward(); opt.step(); w
    tensor([ 0.9000, -1.1000], requires_grad=True)
    """

    _setstate_defaults = {"amsgrad": False, "maximize": False, "foreach": None,
                          "capturable": False, "differentiable": False, "fused": None,
                          "decoupled_weight_decay": False}

    def __init__(self, params: Iterable, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor) and betas[i].numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(_to_scalar(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        _check_fused(fused, differentiable, foreach)  # PyTorch's errors before ours
        super().__init__(params, defaults)

    def _init_state(self, st: dict, p: Tensor, group: dict) -> None:
        _new_state(st, p, group["amsgrad"])

    def _step_group(self, group: dict[str, Any]) -> None:
        amsgrad = group["amsgrad"]
        wd = group["weight_decay"]
        beta1, beta2 = group["betas"]
        hp = (_to_scalar(group["lr"]), beta1, beta2, group["eps"], wd)
        flat = self._flat_for(group, amsgrad)
        if flat is not None:
            decoupled = group["decoupled_weight_decay"]
            bumps = 2 if decoupled and wd != 0 else 1
            if flat.step(hp, decoupled, group["maximize"], bumps):
                return
            flat.dirty = True  # per-parameter steps below may leave the counters unequal
        key = consts = None
        for p, d, g, t, st, step in self._grads(group):
            if key != (step, d.dtype):
                # per-(step, dtype) constants, shared by the group's parameters
                key = (step, d.dtype)
                consts = _constants(hp, step, d.dtype)
            _update(g, st["exp_avg"]._data, st["exp_avg_sq"]._data,
                    st["max_exp_avg_sq"]._data if amsgrad else None, t, consts)
            d += t
            _bump(p)

    def _flat_for(self, group: dict, amsgrad: bool) -> _Flat | None:
        """The group's flat state when its parameters are small (None otherwise)."""
        flats = self.__dict__.setdefault("_flat", {})
        rec = flats.get(id(group))
        params = group["params"]
        if (rec is not None and rec[0] is group and rec[1] is params and rec[2] is self.state
                and rec[3] == (amsgrad, len(params))):
            return rec[4]
        flat = _Flat.build(params, self.state, amsgrad)
        if flat is not False:  # False: not now (a gradient is missing), maybe later
            flats[id(group)] = (group, params, self.state, (amsgrad, len(params)), flat)
            return flat
        return None


def _constants(hp: tuple, step: float, dtype) -> list:
    """The step's constants as 0-d arrays of the parameters' dtype (see ``_update``)."""
    lr, beta1, beta2, eps, wd = hp
    bc2_sqrt = (1 - beta2 ** step) ** 0.5
    return _consts(dtype, 1 - beta1, beta2, 1 - beta2, bc2_sqrt, eps,
                   -(lr / (1 - beta1 ** step)), wd, 1 - lr * wd)


def _moments(amsgrad: bool) -> tuple[str, ...]:
    """The names of the per-parameter moment tensors in the state."""
    return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else ("exp_avg", "exp_avg_sq")


def _new_state(st: dict, p: Tensor, amsgrad: bool) -> None:
    _start_state(st, p, *_moments(amsgrad))


def _update(g, m, v, vm, t, consts) -> None:
    """Update the moments in place; leave the parameter update in ``t``."""
    c_w1, c_b2, c_w2, c_bc2, c_eps, c_step = consts[:6]
    _lerp_(m, g, c_w1, t)
    _ema_square_(v, g, c_b2, c_w2, t)
    if vm is not None:
        np.maximum(vm, v, out=vm)
        v = vm
    np.sqrt(v, out=t)  # denom = sqrt(v) / sqrt(1 - beta2^t) + eps
    t /= c_bc2
    t += c_eps
    np.divide(m, t, out=t)
    t *= c_step


_FLAT_MAX = 1 << 15  # elements: below this per-call overhead dominates the arithmetic


class _Flat:
    """A group of small parameters updated with one set of array calls, not one per parameter.

    The state tensors of the group's parameters are views into flat buffers, so they remain
    ordinary per-parameter tensors (state_dict, load_state_dict, a per-parameter step when a
    gradient is missing); the result is bit-identical to updating each parameter alone.
    """

    __slots__ = ("params", "slices", "m", "v", "vm", "steps", "g", "t", "dirty")

    @staticmethod
    def build(params: list, state: dict, amsgrad: bool) -> _Flat | None | bool:
        if len(params) < 2 or len({id(p) for p in params}) != len(params):
            return None
        dtype = params[0]._data.dtype
        if dtype.kind != "f" or any(p._data.dtype != dtype for p in params):
            return None
        total = sum(p._data.size for p in params)
        if total > _FLAT_MAX:
            return None
        if any(p._grad is None for p in params):
            return False
        keys = ["step", *_moments(amsgrad)]
        sdt = _zero_step()._data.dtype
        for p in params:
            st = state.get(p)
            if st and (list(st) != keys or st["step"]._data.dtype != sdt):
                return None
        f = _Flat()
        f.params = params
        f.m, f.v = np.zeros(total, dtype), np.zeros(total, dtype)
        f.vm = np.zeros(total, dtype) if amsgrad else None
        f.g, f.t = np.empty(total, dtype), np.empty(total, dtype)
        f.steps = np.zeros(len(params), sdt)
        f.slices = []
        f.dirty = False
        off = 0
        for i, p in enumerate(params):
            n = p._data.size
            shape = p._data.shape
            st = state[p]
            if not st:
                _new_state(st, p, amsgrad)
            else:
                f.dirty = True
            for key, buf in zip(_moments(amsgrad), (f.m, f.v, f.vm)):
                view = buf[off:off + n].reshape(shape)
                view[...] = st[key]._data
                st[key]._data = view  # the same Tensor, now a view of the flat buffer
            f.steps[i] = st["step"]._data
            st["step"]._data = f.steps[i:i + 1].reshape(())
            f.slices.append((p, off, off + n))
            off += n
        return f

    def step(self, hp: tuple, decoupled: bool, maximize: bool, bumps: int) -> bool:
        """Update every parameter; False (and nothing done) if that is not possible now."""
        grads = []
        for p in self.params:
            gt = p._grad
            if gt is None:
                return False
            grads.append(gt._data.reshape(-1))
        steps = self.steps
        if self.dirty:
            if not (steps == steps[0]).all():
                return False
            self.dirty = False
        g = np.concatenate(grads, out=self.g)
        steps += 1
        consts = _constants(hp, float(steps[0]), g.dtype)
        wd = hp[4]
        if wd != 0 and not decoupled:
            w = np.concatenate([p._data.reshape(-1) for p in self.params])
            w *= consts[6]
            g = np.subtract(w, g, out=w) if maximize else np.add(w, g, out=w)
        elif maximize:
            np.negative(g, out=g)
        t = self.t
        _update(g, self.m, self.v, self.vm, t, consts)
        dec = consts[7] if wd != 0 and decoupled else None
        for p, a, b in self.slices:
            d = p._data
            if dec is not None:
                d *= dec
            d += t[a:b].reshape(d.shape)
            p._vc[0] += bumps
        return True
