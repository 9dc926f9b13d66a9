"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``.

On every training step's hot path, so the norms and the rescaling are computed on the
gradients' backend arrays directly: one reduction and one in-place multiply per
gradient, outside the graph (as PyTorch runs them under ``no_grad``).
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

from ...backend import np
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_TensorOrTensors = Tensor | Iterable[Tensor]


def _norm(a, p: float):
    """The vector p-norm of backend array ``a`` (as ``linalg.vector_norm``), in its dtype."""
    if a.size == 0:
        if p == math.inf:  # PyTorch's foreach kernel (CPU) raises for +inf ...
            raise RuntimeError("_foreach_norm cannot compute the infinity norm on an empty "
                               "tensor because the operation does not have an identity")
        if p == -math.inf:  # ... and vector_norm for -inf
            raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an empty "
                               "tensor because the operation does not have an identity")
        return a.dtype.type(0)
    if p == 2.0:
        f = a.ravel()
        return np.sqrt(np.dot(f, f))
    if p == math.inf:
        return np.abs(a).max()
    if p == -math.inf:
        return np.abs(a).min()
    if p == 1.0:
        return np.abs(a).sum()
    if p == 0.0:
        return a.dtype.type(np.count_nonzero(a))
    return (np.abs(a) ** p).sum() ** (1.0 / p)


def get_total_norm(tensors: _TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The p-norm of all ``tensors`` together, as if concatenated into one vector."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    else:
        tensors = list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return Tensor._make(np.asarray(0.0, dtype=np.float32))
    norms = [_norm(t._data, norm_type) for t in tensors]
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    total = _norm(np.asarray(norms, dtype=dtype), norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable "
            "this error and scale the gradients by the non-finite norm anyway, "
            "set `error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def _scale_(g: Tensor, coef) -> None:
    # ``g.mul_(coef)`` outside the graph: a gradient is a leaf that needs no grad.
    a = g._data
    if a.flags.writeable and not g._rg and g._base is None:
        if coef != 1:  # x * 1 == x: skip the pass over memory, keep the version bump
            a *= coef
        g._vc[0] += 1
    else:
        g.mul_(float(coef))


def clip_grads_with_norm_(parameters: _TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p._grad for p in parameters if p._grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    t = total_norm._data
    coef = max_norm / (t + t.dtype.type(1e-6))
    coef = np.minimum(coef, t.dtype.type(1.0))  # NaN stays NaN, as torch.clamp
    for g in grads:
        _scale_(g, coef.astype(g._data.dtype))


def clip_grad_norm_(parameters: _TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients so that their total ``norm_type``-norm is at most ``max_norm``;
    returns the total norm before clipping (a 0-d tensor).

    >>> w = leafgrad.nn.Parameter(leafgrad.ones(4)); (w * 3).sum().backward()
    >>> leafgrad.nn.utils.clip_grad_norm_([w], 1.0)
    tensor(6.)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    grads = [p._grad for p in parameters if p._grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: _TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]``, in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        g = p._grad
        if g is None:
            continue
        a = g._data
        if a.flags.writeable and not g._rg and g._base is None:
            np.clip(a, -clip_value, clip_value, out=a)
            g._vc[0] += 1
        else:
            g.clamp_(min=-clip_value, max=clip_value)
