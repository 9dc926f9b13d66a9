"""The Optimizer base class: parameter groups, per-parameter state, state dicts, hooks.

Every algorithm subclasses :class:`Optimizer` and implements ``step``.  A step updates the
parameters' backend arrays in place (``p._data``), so views of a parameter and references
to it stay valid, and bumps each parameter's version counter as an in-place op would.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from ..autograd.grad_mode import enable_grad
from ..autograd.graph import RemovableHandle, add_hook
from ..backend import np
from ..dtypes import float64, get_default_dtype
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


def typename(obj: object) -> str:
    """The name PyTorch's ``typename`` gives ``obj`` (``leafgrad.FloatTensor`` for tensors)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


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

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        fn = cls.__dict__.get("step")
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
        """Perform one optimization step (and return the closure's loss, if given)."""
        raise NotImplementedError

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


def _consts(dtype, *values: float) -> list:
    # 0-d arrays of the parameter's dtype: a ufunc takes them faster than Python floats, and
    # they round each constant to that dtype first, as PyTorch does with a Scalar.
    return [np.array(v, dtype=dtype) for v in values]
