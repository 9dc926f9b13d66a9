"""Reverse-mode automatic differentiation: backward(), grad(), grad modes, Function."""

from __future__ import annotations

import warnings

from ..backend import np as _np
from . import anomaly_mode, engine, graph
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "backward", "grad", "Variable", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "gradcheck",
    "gradgradcheck", "GradcheckError", "graph", "Function", "detect_anomaly",
    "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
]


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _root_grads(outputs: tuple, grads: tuple, create_graph: bool) -> list:
    """Check outputs and make their initial gradients (ones for scalars)."""
    Tensor = graph._tensor_cls()  # noqa: N806 (the class, bound late)
    if len(grads) == 0:
        grads = (None,) * len(outputs)
    if len(grads) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        if not t.requires_grad:  # the property: a view syncs its history first
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind != "f":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{t.dtype}"
                )
            g = Tensor._make(engine_ones(t._data))
        elif not isinstance(g, Tensor):
            g = _to_tensor_like(g, t)
        else:
            if g._data.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{_fmt_size(g._data.shape)} and output[{i}] has a shape of "
                    f"{_fmt_size(t._data.shape)}."
                )
            if g._data.dtype != t._data.dtype:
                g = g.to(t.dtype)  # PyTorch casts a root gradient to its output's dtype
            if not create_graph:
                g = g.detach()
        out.append(g)
    return out


def engine_ones(data):
    """A fresh array of ones like ``data`` (the implicit gradient of a scalar output)."""
    one = _ONES.get(data.dtype)
    if one is None:
        one = _ONES[data.dtype] = _np.ones((), data.dtype)
    return one.reshape(data.shape).copy() if data.ndim else one.copy()  # np.ones: ~1 us


_ONES: dict = {}


def _fmt_size(shape) -> str:
    return f"leafgrad.Size([{', '.join(str(s) for s in shape)}])"


def _to_tensor_like(g, t):
    from ..creation import tensor

    return tensor(g, dtype=t.dtype)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves they depend on.

    >>> x = leafgrad.tensor(3., requires_grad=True)
    >>> leafgrad.autograd.backward(x * x)
    >>> x.grad
    tensor(6.)
    """
    Tensor = graph._tensor_cls()  # noqa: N806 (the class, bound late)
    if grad_variables is not None:
        grad_tensors = grad_variables
    outputs = _as_tuple(tensors)
    if inputs is not None:
        inputs = list(_as_tuple(inputs))
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if not isinstance(t, Tensor) or not t._rg:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after use "
            "to break the cycle and avoid the leak.",
            UserWarning,
            stacklevel=3,
        )
    grads = _root_grads(outputs, _as_tuple(grad_tensors), create_graph)
    roots = [engine.input_edge(t) for t in outputs]
    engine.run(roots, grads, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs`` (``.grad`` is left alone).

    >>> x = leafgrad.tensor(3., requires_grad=True)
    >>> leafgrad.autograd.grad(x ** 2, x)
    (tensor(6.),)
    """
    from ..tensor import Tensor

    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    for t in ins:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): expected inputs to be Tensors, got {type(t).__name__}")
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(outs, _as_tuple(grad_outputs), create_graph)
    roots = [engine.input_edge(t) for t in outs]
    result = engine.run(roots, grads, retain_graph, create_graph, inputs=list(ins), capture=True)
    out = []
    for i, (t, g) in enumerate(zip(ins, result)):
        if g is None:
            if materialize_grads:
                from ..creation import zeros_like

                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph:
            g = g.detach()
        out.append(g)
    return tuple(out)


from ..tensor import Variable  # noqa: E402  (the legacy alias lives beside Tensor)
from .explain import explain, why_no_grad  # noqa: E402  (the chain rule, shown)
from .function import Function  # noqa: E402  (needs Tensor)
