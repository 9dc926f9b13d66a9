"""The Optimizer base class: parameter groups, per-parameter state, state dicts, hooks.

Every algorithm subclasses :class:`Optimizer` and implements ``step``.  A step updates the
parameters' backend arrays in place (``p._data``), so views of a parameter and references
to it stay valid, and bumps each parameter's version counter as an in-place op would.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from ..autograd.grad_mode import enable_grad
from ..autograd.graph import RemovableHandle, add_hook
from ..backend import np
from ..dtypes import float64, get_default_dtype
from ..nn.module import typename
from ..tensor import Tensor

__all__ = [
    "Optimizer",
    "required",
    "register_optimizer_step_pre_hook",
    "register_optimizer_step_post_hook",
]


class _RequiredParameter:
    """Singleton marking a default that every parameter group must set."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks: dict = {}
_global_post_hooks: dict = {}


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's step."""
    return add_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's step."""
    return add_hook(_global_post_hooks, hook)


_INVALID = {"lr": "Invalid learning rate: {}", "eps": "Invalid epsilon value: {}"}


def _check_nonnegative(**values: Any) -> None:
    """PyTorch's ``ValueError`` for the first of ``values`` (in the order given) below 0.

    A learning rate may be a Tensor, which must have one element.
    """
    for name, value in values.items():
        if name == "lr" and isinstance(value, Tensor) and value.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= value:
            raise ValueError(_INVALID.get(name, f"Invalid {name} value: {{}}").format(value))


def _check_fused(fused: bool | None, differentiable: bool, foreach: bool | None) -> None:
    """The errors PyTorch raises for ``fused=True`` with an option it does not go with."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _bump(p: Tensor, n: int = 1) -> None:
    # A step writes p's array in place: bump the version as PyTorch's n in-place ops would.
    p._vc[0] += n


def _to_scalar(x: Any) -> Any:
    """A one-element Tensor hyperparameter (lr as a Tensor) as a Python number."""
    return x._data.item() if isinstance(x, Tensor) else x


def _scalar_dtype():
    # PyTorch keeps `step` counters in float32 (float64 when that is the default dtype).
    return np.float64 if get_default_dtype() is float64 else np.float32


def _zero_step() -> Tensor:
    return Tensor._make(np.zeros((), dtype=_scalar_dtype()))


def _zeros_like(p: Tensor) -> Tensor:
    return Tensor._make(np.zeros(p._data.shape, dtype=p._data.dtype))


def _start_state(st: dict, p: Tensor, *zeros: str) -> None:
    """A parameter's fresh state: ``step`` at 0, then a zero tensor like ``p`` per name."""
    st["step"] = _zero_step()
    for name in zeros:
        st[name] = _zeros_like(p)


def _wrap_step(fn: Callable) -> Callable:
    """Run the step pre/post hooks around ``fn`` (a plain call when none are registered)."""

    @functools.wraps(fn)
    def step(self, *args, **kwargs):
        if not (self._optimizer_step_pre_hooks or self._optimizer_step_post_hooks
                or _global_pre_hooks or _global_post_hooks):
            return fn(self, *args, **kwargs)
        for hook in chain(list(_global_pre_hooks.values()),
                          list(self._optimizer_step_pre_hooks.values())):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(
                        f"{fn} must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {result}."
                    )
        out = fn(self, *args, **kwargs)
        for hook in chain(list(self._optimizer_step_post_hooks.values()),
                          list(_global_post_hooks.values())):
            hook(self, args, kwargs)
        return out

    step._lg_hooked = True
    return step


def _group_step(cls: type) -> Callable:
    """``cls.step`` for a class that defines ``_step_group``, named as its own method."""

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; returns the closure's loss if one is given."""
        loss = None if closure is None else self._closure_loss(closure)
        for group in self.param_groups:
            self._step_group(group)
        return loss

    step.__module__ = cls.__module__
    step.__qualname__ = f"{cls.__qualname__}.step"
    return step


class Optimizer:
    """Base class of all optimizers.

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter
    groups, each with a ``"params"`` entry and optional per-group options); ``defaults``
    holds the default value of every option.

    >>> w = leafgrad.zeros(2, requires_grad=True)
    >>> opt = leafgrad.optim.SGD([w], lr=0.1)
    >>> (w - 1.).pow(2).sum().backward(); opt.step(); w
    tensor([0.2000, 0.2000], requires_grad=True)
    """

    #: options that ``__setstate__`` fills in when a loaded group lacks them (older pickles)
    _setstate_defaults: dict[str, Any] = {}
    #: ``_init_state(state, p, group)`` fills an empty per-parameter state on its first step,
    #: step counter included (None: the algorithm keeps no state ``_grads`` should manage)
    _init_state: Callable[[dict, Tensor, dict], None] | None = None
    #: whether ``_grads`` hands out a scratch array per parameter
    _uses_scratch = True

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("step")
        if fn is None and "_step_group" in cls.__dict__:
            fn = _group_step(cls)
        if fn is not None and not getattr(fn, "_lg_hooked", False):
            cls.step = _wrap_step(fn)

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        if defaults.get("differentiable"):
            # steps write the parameters' arrays in place, outside the graph
            raise NotImplementedError("leafgrad optimizers do not support differentiable=True")
        self.defaults = defaults
        self._optimizer_step_pre_hooks: dict = {}
        self._optimizer_step_post_hooks: dict = {}
        self._optimizer_state_dict_pre_hooks: dict = {}
        self._optimizer_state_dict_post_hooks: dict = {}
        self._optimizer_load_state_dict_pre_hooks: dict = {}
        self._optimizer_load_state_dict_post_hooks: dict = {}
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._tmp: dict = {}  # per-parameter scratch arrays (not state: never saved)
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- pickling-style state ------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, {})
        self._tmp = {}
        if self._setstate_defaults:
            for group in self.param_groups:
                for key, value in self._setstate_defaults.items():
                    group.setdefault(key, value)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- groups --------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional options)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for item in params:
            if isinstance(item, tuple):
                names.append(item[0])
                tensors.append(item[1])
            else:
                tensors.append(item)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + typename(p)
                )
            if not self.defaults.get("differentiable", None) and not (
                    p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            import warnings

            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information",
                stacklevel=3,
            )
        seen: set = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add "
                    f"param group {which} to the optimizer"
                )
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps ---------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None by default, else to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._edge is not None:
                        g.detach_()
                    else:
                        g._rg = False
                    g._data[...] = 0
                    g._vc[0] += 1

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step (and return the closure's loss, if given).

        An algorithm defines either ``step`` or ``_step_group(group)``, which updates one
        parameter group; a ``step`` that runs it on every group is then made for its class.
        """
        raise NotImplementedError

    def _grads(self, group: dict[str, Any]) -> Iterator[tuple[Tensor, Any, Any, Any, Any, float]]:
        """The per-parameter part every algorithm shares, for each parameter with a gradient.

        Yields ``(p, d, g, tmp, state, step)``: ``d`` is p's array; ``g`` the gradient's
        array, negated when ``maximize``, plus ``weight_decay * d`` (an L2 penalty) where the
        optimizer has that option, unless the group sets ``decoupled_weight_decay``: ``d`` is
        then scaled by ``1 - lr * weight_decay`` here (an in-place op: p's version is
        bumped). ``tmp`` is a scratch array like ``d``, kept between steps (None where
        ``_uses_scratch`` is off). Where the class keeps state (``_init_state``), an empty
        state is initialised and its step counter advanced, ``step`` being the new count
        (otherwise ``state`` is None and ``step`` 0).
        """
        options = self.defaults
        wd = _to_scalar(group["weight_decay"]) if "weight_decay" in options else 0
        shrink = None
        if wd != 0 and "decoupled_weight_decay" in options and group["decoupled_weight_decay"]:
            shrink = 1 - _to_scalar(group["lr"]) * wd
        l2 = wd != 0 and shrink is None
        maximize = group["maximize"]
        init = self._init_state
        state = self.state
        cache = self._tmp if self._uses_scratch else None
        tmp, st, step = None, None, 0.0
        for p in group["params"]:
            gt = p._grad
            if gt is None:
                continue
            d = p._data
            if init is not None:
                st = state[p]
                if not st:
                    init(st, p, group)
                count = st["step"]._data
                count += 1
                step = float(count)
            g = gt._data
            if l2:
                w = np.multiply(d, wd)
                g = np.subtract(w, g) if maximize else np.add(w, g)
            else:
                if shrink is not None:
                    d *= shrink
                    p._vc[0] += 1
                if maximize:
                    g = np.negative(g)
            if cache is not None:
                tmp = _scratch(cache, p, d)
            yield p, d, g, tmp, st, step

    @staticmethod
    def _closure_loss(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # -- hooks ---------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; may return new args."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False
                                     ) -> RemovableHandle:
        """``hook(optimizer)`` runs before ``state_dict`` builds its result."""
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False
                                      ) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs after; may return a replacement dict."""
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False
                                          ) -> RemovableHandle:
        """``hook(optimizer, state_dict)`` runs before loading; may return a new dict."""
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False
                                           ) -> RemovableHandle:
        """``hook(optimizer)`` runs after ``load_state_dict``."""
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state dicts ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are named by their index in the order of the groups, as in PyTorch; the
        state's tensors are the optimizer's own (not copies).
        """
        for hook in list(self._optimizer_state_dict_pre_hooks.values()):
            hook(self)
        index: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in list(self._optimizer_state_dict_post_hooks.values()):
            out = hook(self, result)
            if out is not None:
                result = out
        return result

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by ``state_dict`` (tensors cast to each parameter's dtype)."""
        state_dict = state_dict.copy()
        for hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            out = hook(self, state_dict)
            if out is not None:
                state_dict = out
        groups = self.param_groups
        saved = _copy_groups(state_dict["param_groups"])
        if len(groups) != len(saved):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved),
                          chain.from_iterable(g["params"] for g in groups)))
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast(id_map[k], v)
            else:
                state[k] = v
        new_groups = []
        for group, new in zip(groups, saved):
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            new_groups.append(new)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            hook(self)


def _copy_groups(value: Any) -> Any:
    """A deep copy of saved parameter groups (Tensor options cloned, not pickled)."""
    if isinstance(value, Tensor):
        return Tensor._make(value._data.copy())
    if isinstance(value, dict):
        return {k: _copy_groups(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_groups(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy_groups(v) for v in value)
    return value


def _add_hook(hooks: dict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = add_hook(hooks, hook)
    if prepend:
        items = list(hooks.items())
        hooks.clear()
        hooks.update([items[-1], *items[:-1]])
    return handle


def _cast(param: Tensor, value: Any, key: Any = None) -> Any:
    """A loaded state value for ``param``: floating tensors take its dtype (except ``step``)."""
    if isinstance(value, Tensor):
        if key == "step" or not param.is_floating_point() or value._data.dtype.kind != "f":
            return value
        if value._data.dtype == param._data.dtype:
            return value  # as PyTorch's .to(): same dtype, same tensor
        return Tensor._make(value._data.astype(param._data.dtype))
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _scratch(cache: dict, p: Tensor, d) -> Any:
    """A reusable temporary the size of ``p``'s array (no fresh allocation each step)."""
    t = cache.get(p)
    if t is None or t.shape != d.shape or t.dtype != d.dtype:
        t = cache[p] = np.empty_like(d)
    return t


def _lerp_(m, g, w, t) -> None:
    """``m <- m + w * (g - m)`` in place (PyTorch's ``m.lerp_(g, w)``); ``t`` is scratch."""
    np.subtract(g, m, out=t)
    t *= w
    m += t


def _ema_square_(v, g, b, w, t) -> None:
    """``v <- b * v + w * g * g`` in place (``v.mul_(b).addcmul_(g, g, value=w)``)."""
    v *= b
    np.multiply(g, w, out=t)
    t *= g
    v += t


def _consts(dtype, *values: float) -> list:
    # 0-d arrays of the parameter's dtype: a ufunc takes them faster than Python floats, and
    # they round each constant to that dtype first, as PyTorch does with a Scalar.
    return [np.array(v, dtype=dtype) for v in values]
