"""Loss functions: PyTorch's ``torch.nn.functional`` losses.

Primitives where PyTorch has one (``MseLossBackward0``, ``SmoothL1LossBackward0``,
``HuberLossBackward0``, ``BinaryCrossEntropyBackward0``,
``BinaryCrossEntropyWithLogitsBackward0``, ``NllLossBackward0``); composites where PyTorch
composes (l1_loss, kl_div, cross_entropy = log_softmax + nll_loss, its probability-target
and label-smoothing forms). Class weights and ``pos_weight`` are constants of the node:
PyTorch refuses to differentiate through them, and so do we, with its error.
"""

from __future__ import annotations

import math
import warnings

from .. import dtypes as _dt
from ..autograd.grad_mode import state as _grad_state
from ..backend import np
from ..tensor import Tensor
from . import elementwise as _ew
from . import reduction as _red
from ._dispatch import cast
from .logical import broadcast_shapes, kind_name, not_implemented
from .registry import Op, apply
from .shape import broadcast_tensors

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div",
    "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "cosine_embedding_loss", "multilabel_soft_margin_loss",
    "triplet_margin_loss", "multi_margin_loss",
]
methods: list[str] = []

_REDUCTIONS = ("none", "mean", "sum")
_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


# -- helpers ------------------------------------------------------------------------------------
def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """The reduction named by the deprecated ``size_average``/``reduce`` pair."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(reduction: str, size_average=None, reduce=None, allowed=_REDUCTIONS) -> str:
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce_array(a, reduction: str):
    if reduction == "none":
        return a
    s = a.sum()
    if reduction == "sum":
        return s
    with np.errstate(invalid="ignore", divide="ignore"):
        return s / a.dtype.type(a.size)  # nan for an empty input, as PyTorch


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str,
              by_weight: bool) -> Tensor:
    """A pointwise loss times ``weight`` (the input's size), reduced as PyTorch's Python
    code does: 'mean' divides by the weights' sum (``by_weight``) or by the count."""
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and by_weight:
        return loss.sum() / weight.sum()
    return _reduce_tensor(loss, reduction)


def _reduce_tensor(t: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return t
    return t.sum() if reduction == "sum" else t.mean()


def _numel(a) -> int:
    return a._data.size if isinstance(a, Tensor) else a.size


def _data(t):
    return t._data if isinstance(t, Tensor) else t


def _mean_scale(g, reduction: str, x):
    """The upstream gradient, divided by the element count for 'mean'."""
    if reduction == "mean":
        n = _numel(x)
        return g / n if n else g
    return g


def _const(a, dtype) -> Tensor:
    return Tensor._make(np.asarray(a, dtype))


def _same_dtype(x: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
    if x._data.dtype is t._data.dtype or x._data.dtype == t._data.dtype:
        return x, t
    d = _dt.result_type(x, t)
    return cast(x, d), cast(t, d)


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """PyTorch's size warning and broadcast of a pointwise loss's operands."""
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.", stacklevel=3)
        input, target = broadcast_tensors(input, target)
    return input, target


def _no_grad_arg(t, fn: str, arg: str):
    """A constant argument (weight, pos_weight) as an array; refuses one that requires grad."""
    if t is None:
        return None
    if t.requires_grad and _grad_state.enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to "
                           f"argument '{arg}'. This input cannot have requires_grad True.")
    return t._data


class _DivNumber(Op):
    """A loss total divided by a count (PyTorch's ``div(Tensor, Scalar)`` node)."""

    array_vjp = True
    name = "DivBackward1"

    def forward(xp, x, *, other):
        return x / other

    def vjp(g, out, x, *, other):
        return g / other


# -- mse / l1 / smooth_l1 / huber -------------------------------------------------------------
class MseLoss(Op):
    array_vjp = True
    args = saves = ("self", "target")

    def forward(xp, x, t, *, reduction):
        d = x - t
        d *= d
        return _reduce_array(d, reduction)

    def vjp(g, out, x, t, *, reduction):
        gx = _mean_scale(g, reduction, x) * ((x - t) * 2)
        return gx, -gx


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight=None) -> Tensor:
    """The mean (or sum, or elementwise) squared error.

    >>> F.mse_loss(leafgrad.tensor([1., 2.]), leafgrad.tensor([1., 4.]))
    tensor(2.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    x, t = _broadcast_pair(input, target)
    if weight is not None:
        return _weighted((x - t) ** 2, weight, input, reduction, True)
    x, t = _same_dtype(x, t)
    if x._data.dtype.kind != "f":
        raise not_implemented("mse_cpu", x._data.dtype)
    return apply(MseLoss, x, t, reduction=reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight=None) -> Tensor:
    """The mean (or sum, or elementwise) absolute error (a composite, as in PyTorch)."""
    reduction = _reduction(reduction, size_average, reduce)
    x, t = _broadcast_pair(input, target)
    d = (x - t).abs()
    if weight is not None:
        return _weighted(d, weight, input, reduction, True)
    return _reduce_tensor(d, reduction)


class SmoothL1Loss(Op):
    args = saves = ("self", "target")

    def forward(xp, x, t, *, reduction, beta):
        d = xp.abs(x - t)
        loss = xp.where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
        return _reduce_array(loss, reduction)

    def vjp(g, out, x, t, *, reduction, beta):
        d = x - t
        a = d._data
        slope = _ew.where(Tensor._make(np.abs(a) < beta), d * (1.0 / beta),
                          Tensor._make(np.sign(a)))
        gx = _mean_scale(g, reduction, x) * slope
        return gx, -gx


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (d = input - target)."""
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast_pair(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    x, t = _same_dtype(input, target)
    if x._data.dtype.kind != "f":
        raise not_implemented("smooth_l1_cpu", x._data.dtype)
    return apply(SmoothL1Loss, x, t, reduction=reduction, beta=float(beta))


class HuberLoss(Op):
    args = saves = ("self", "target")

    def forward(xp, x, t, *, reduction, delta):
        d = xp.abs(x - t)
        loss = xp.where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
        return _reduce_array(loss, reduction)

    def vjp(g, out, x, t, *, reduction, delta):
        d = x - t
        a = d._data
        slope = _ew.where(Tensor._make(np.abs(a) < delta), d,
                          Tensor._make(np.sign(a) * a.dtype.type(delta)))
        gx = _mean_scale(g, reduction, x) * slope
        return gx, -gx


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2) (d = input - target)."""
    reduction = _reduction(reduction)
    x, t = _broadcast_pair(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if t._data.dtype != x._data.dtype and x._data.dtype.kind == "f":
        t = cast(t, _dt.FROM_NP[x._data.dtype])  # (PyTorch: the input's dtype, not promoted)
    x, t = _same_dtype(x, t)
    if x._data.dtype.kind != "f":
        raise not_implemented("huber_cpu", x._data.dtype)
    if weight is not None:
        loss = apply(HuberLoss, x, t, reduction="none", delta=float(delta))
        return _weighted(loss, weight, input, reduction, False)
    return apply(HuberLoss, x, t, reduction=reduction, delta=float(delta))


# -- binary cross entropy -----------------------------------------------------------------------
def _dual(array_fn, tensor_fn):
    """One function for a vjp's two modes: ``tensor_fn`` on Tensors (create_graph),
    ``array_fn`` on backend arrays (a first-order backward)."""

    def f(x):
        return tensor_fn(x) if isinstance(x, Tensor) else array_fn(x)

    return f


_log = _dual(np.log, lambda t: t.log())
_log1p = _dual(np.log1p, lambda t: t.log1p())
_clamp_eps = _dual(lambda a: np.maximum(a, 1e-12), lambda t: t.clamp_min(1e-12))


def _sigmoid_array(a):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-a))


def _logsigmoid_array(a):
    return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))


def _weight_of(w, like):
    """A weight constant beside ``like`` (a Tensor or an array)."""
    return _const(w, like._data.dtype) if isinstance(like, Tensor) else w


class BinaryCrossEntropy(Op):
    array_vjp = True
    args = saves = ("self", "target")

    def forward(xp, x, t, *, weight, reduction):
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = (t - 1) * xp.maximum(xp.log1p(-x), -100) - t * xp.maximum(xp.log(x), -100)
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss, reduction)

    def vjp(g, out, x, t, *, weight, reduction):
        g = _mean_scale(g, reduction, x)
        if weight is not None:
            g = g * _weight_of(weight, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = g * ((x - t) / _clamp_eps((1 - x) * x))
            gt = g * (_log1p(-x) - _log(x))
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """-(t log(x) + (1 - t) log(1 - x)), the logs clamped at -100.

    >>> F.binary_cross_entropy(leafgrad.tensor([0.5]), leafgrad.tensor([1.]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None or reduction not in _REDUCTIONS:
        reduction = _reduction(reduction, size_average, reduce)
    try:
        same = target._data.shape == input._data.shape
    except AttributeError:
        same = target.size() == input.size()  # PyTorch's AttributeError for a non-tensor
    if not same:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they have "
                         "the same size.")
    xd, td = input._data.dtype, target._data.dtype
    if td != xd:
        raise RuntimeError(f"Found dtype {kind_name(td)} but expected {kind_name(xd)}")
    w = None
    if weight is not None:
        shape = _infer_size(target._data.shape, weight._data.shape, weight)
        w = _no_grad_arg(weight, "binary_cross_entropy", "weight")
        w = np.broadcast_to(w, shape).astype(input._data.dtype, copy=False)
    x, t = _same_dtype(input, target)
    a = x._data
    if a.dtype.kind != "f":
        raise not_implemented("binary_cross_entropy", a.dtype)
    if a.size and not (a.min() >= 0 and a.max() <= 1):  # (NaN fails too, as in PyTorch)
        raise RuntimeError("all elements of input should be between 0 and 1")
    b = t._data
    if b.size and not (b.min() >= 0 and b.max() <= 1):
        raise RuntimeError("all elements of target should be between 0 and 1")
    return apply(BinaryCrossEntropy, x, t, weight=w, reduction=reduction)


def _infer_size(a: tuple, b: tuple, weight: Tensor) -> tuple:
    """PyTorch's ``_infer_size`` of a target and a weight shape, with its error."""
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and da != 1 and db != 1:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {db} at {-i}! Mismatching "
                f"argument at index 1 had {weight.size()}; but expected shape should be "
                f"broadcastable to [{', '.join(map(str, a))}]")
    return broadcast_shapes(a, b)


class BinaryCrossEntropyWithLogits(Op):
    array_vjp = True
    args = saves = ("self", "target")

    def forward(xp, x, t, *, weight, pos_weight, reduction):
        # softplus(-x) = max(-x, 0) + log1p(exp(-|x|)): no overflow for any x
        sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        if pos_weight is not None:
            loss = (1 - t) * x + ((pos_weight - 1) * t + 1) * sp
        else:
            loss = (1 - t) * x + sp
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss, reduction)

    def vjp(g, out, x, t, *, weight, pos_weight, reduction):
        g = _mean_scale(g, reduction, x)
        if weight is not None:
            g = g * _weight_of(weight, x)
        tensors = isinstance(x, Tensor)
        s = x.sigmoid() if tensors else _sigmoid_array(x)
        if pos_weight is not None:
            pw = _weight_of(pos_weight, x)
            gx = ((pw - 1) * t + 1) * s - pw * t
            gt = -x - (pw - 1) * (_logsigmoid(x) if tensors else _logsigmoid_array(x))
        else:
            gx = s - t
            gt = -x
        return g * gx, g * gt


def _logsigmoid(x: Tensor) -> Tensor:
    from .activation import logsigmoid

    return logsigmoid(x)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits.

    >>> F.binary_cross_entropy_with_logits(leafgrad.tensor([0.]), leafgrad.tensor([1.]))
    tensor(0.6931)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    if target._data.dtype.kind not in "fc" and input._data.dtype.kind == "f":
        raise RuntimeError(f"result type {kind_name(input._data.dtype)} can't be cast to the "
                           f"desired output type {kind_name(target._data.dtype)}")
    x, t = _same_dtype(input, target)
    dt = x._data.dtype
    if dt.kind != "f":
        raise not_implemented("binary_cross_entropy_with_logits", dt)
    fn = "binary_cross_entropy_with_logits"
    w = _no_grad_arg(weight, fn, "weight")
    pw = _no_grad_arg(pos_weight, fn, "pos_weight")
    if pw is not None:
        broadcast_shapes(pw.shape, t._data.shape)
        pw = pw.astype(dt, copy=False)
    if w is not None:
        broadcast_shapes(x._data.shape, w.shape)
        w = w.astype(dt, copy=False)
    return apply(BinaryCrossEntropyWithLogits, x, t, weight=w, pos_weight=pw,
                 reduction=reduction)


# -- nll_loss / cross_entropy -------------------------------------------------------------------
def _nll_weights(t, weight, ignore_index: int, dtype):
    """(class index per target with ignored ones at 0, per-target weight (0 if ignored))."""
    valid = t != ignore_index
    idx = np.where(valid, t, 0).astype(np.intp, copy=False)
    if weight is None:
        w = valid.astype(dtype)
    else:
        w = np.where(valid, weight[idx], 0).astype(dtype, copy=False)
    return idx, w


class NllLoss(Op):
    # A primitive so cross_entropy's backward is two cheap array ops (log_softmax's and
    # this one's): the gradient is -w[t] / total at each target's class, zero elsewhere.
    array_vjp = True
    args = saves = ("self", "target")

    def forward(xp, x, t, *, weight, ignore_index, reduction, dense):
        if dense and weight is None and x.ndim == 2:
            # The common case (no weights, nothing ignored): one gather, one sum.
            n = x.shape[0]
            picked = x[xp.arange(n), t]
            if reduction == "none":
                return -picked
            s = -picked.sum()
            if reduction == "sum":
                return s
            if n == 0:
                return xp.asarray(xp.nan, x.dtype)
            return s / x.dtype.type(n)
        axis = 1 if x.ndim >= 2 else 0
        idx, w = _nll_weights(t, weight, ignore_index, x.dtype)
        picked = xp.take_along_axis(x, xp.expand_dims(idx, axis), axis).squeeze(axis)
        loss = xp.where(w != 0, -picked * w, 0).astype(x.dtype, copy=False)
        if reduction == "none":
            return loss
        s = loss.sum()
        if reduction == "sum":
            return s
        with np.errstate(invalid="ignore", divide="ignore"):
            return s / w.sum()

    def vjp(g, out, x, t, *, weight, ignore_index, reduction, dense):
        a, ta = _data(x), _data(t)
        m = np.zeros(a.shape, a.dtype)
        if dense and weight is None and a.ndim == 2:
            n = a.shape[0]
            if n:
                m[np.arange(n), ta] = -1.0 / n if reduction == "mean" else -1.0
        else:
            axis = 1 if a.ndim >= 2 else 0
            idx, w = _nll_weights(ta, weight, ignore_index, a.dtype)
            if reduction == "mean":
                total = w.sum()
                if total != 0:
                    w = w / total
            np.put_along_axis(m, np.expand_dims(idx, axis), np.expand_dims(-w, axis), axis)
        if reduction == "none" and a.ndim >= 2:
            gs = g.shape
            g = g.reshape(tuple(gs[:1]) + (1,) + tuple(gs[1:]))
        if isinstance(g, Tensor):
            return g * Tensor._make(m), None
        return g * m, None


class NllLoss2d(NllLoss):
    """nll_loss of 4-d inputs (N, C, H, W): PyTorch's own node (other K-d inputs are
    viewed as 4-d, as PyTorch does)."""

    name = "NllLoss2DBackward0"


def _tensor_args(fn: str, input, target) -> None:
    for pos, (arg, v) in enumerate((("input", input), ("target", target)), 1):
        if not isinstance(v, Tensor):
            raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")


def _nll_checks(x: Tensor, t: Tensor, weight) -> int:
    """PyTorch's shape, dtype and weight checks; returns the number of classes."""
    _tensor_args("nll_loss_nd", x, t)
    a, b = x._data, t._data
    if a.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {a.ndim})")
    if a.ndim != 1 and b.ndim >= 1 and a.shape[0] != b.shape[0]:
        raise ValueError(f"Expected input batch_size ({a.shape[0]}) to match target "
                         f"batch_size ({b.shape[0]}).")
    if a.ndim <= 2 and b.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if a.ndim > 2 and b.shape != a.shape[:1] + a.shape[2:]:
        want = ", ".join(map(str, a.shape[:1] + a.shape[2:]))
        raise RuntimeError(f"Expected target size [{want}], got "
                           f"[{', '.join(map(str, b.shape))}]")
    if b.dtype not in _TARGET_DTYPES:
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{kind_name(b.dtype)}")
    c = a.shape[1] if a.ndim >= 2 else a.shape[0]
    if weight is not None and weight._data.size != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: "
                           f"[{', '.join(map(str, weight._data.shape))}]")
    return c


def _check_targets(b, c: int, ignore_index: int) -> bool:
    """PyTorch's bounds check of class indices; True when no target is ``ignore_index``
    (the nll kernel's fast path)."""
    if b.size == 0 or (b.min() >= 0 and b.max() < c):
        return not (0 <= ignore_index < c and (b == ignore_index).any())
    bad = (b != ignore_index) & ((b < 0) | (b >= c))
    if bad.any():
        raise IndexError(f"Target {b[bad].flat[0]} is out of bounds.")
    return False


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of class-index targets: -input[n, target[n]] (weighted).

    Inputs are (C), (N, C) or (N, C, d1, ...) log-probabilities; targets (), (N) or
    (N, d1, ...) class indices (``ignore_index`` ones contribute nothing).
    """
    reduction = _reduction(reduction, size_average, reduce)
    c = _nll_checks(input, target, weight)
    b = target._data
    dense = _check_targets(b, c, ignore_index)
    dt = input._data.dtype
    if dt.kind != "f":
        raise not_implemented("nll_loss_forward_reduce_cuda_kernel_2d_index", dt)
    w = _no_grad_arg(weight, "nll_loss_forward", "weight")
    if w is not None:
        if w.dtype != dt:
            raise RuntimeError(f"expected scalar type {kind_name(dt)} but found "
                               f"{kind_name(w.dtype)}")
    nd = input._data.ndim
    if nd <= 2:
        return apply(NllLoss, input, target, weight=w, ignore_index=int(ignore_index),
                     reduction=reduction, dense=dense)
    if nd == 4:
        return apply(NllLoss2d, input, target, weight=w, ignore_index=int(ignore_index),
                     reduction=reduction, dense=dense)
    n, c = input.shape[0], input.shape[1]
    tshape = b.shape
    rest = int(np.prod(input.shape[2:]))
    x4 = input.reshape((n, c, rest, 1) if nd == 3 else (n, c, 1, rest))
    t3 = target.reshape((n, rest, 1) if nd == 3 else (n, 1, rest))
    out = apply(NllLoss2d, x4, t3, weight=w, ignore_index=int(ignore_index),
                reduction=reduction, dense=dense)
    return out.reshape(tshape) if reduction == "none" else out


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits ``input`` and class-index or class-probability targets.

    Class indices: ``nll_loss(log_softmax(input, 1), target)`` (optionally smoothed);
    probabilities (a float target shaped like the input): ``-(target * log_softmax).sum(1)``.

    >>> F.cross_entropy(leafgrad.tensor([[0., 0.]]), leafgrad.tensor([1]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None or reduction not in _REDUCTIONS:
        reduction = _reduction(reduction, size_average, reduce)
    try:
        xs, ts = input._data.shape, target._data.shape
    except AttributeError:
        bad, arg = (input, "input") if not isinstance(input, Tensor) else (target, "target")
        raise TypeError(f"cross_entropy_loss(): argument '{arg}' (position "
                        f"{1 if arg == 'input' else 2}) must be Tensor, not "
                        f"{type(bad).__name__}") from None
    class_dim = 0 if len(xs) == 1 else 1
    if xs == ts:
        if target._data.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {kind_name(target._data.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if not 0.0 <= label_smoothing <= 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{float(label_smoothing):g}")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing,
                                    class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{float(label_smoothing):g}")
        return _cross_entropy_smoothed(input, target, weight, ignore_index, reduction,
                                       label_smoothing, class_dim)
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    logp = _red.log_softmax(input, class_dim)
    return nll_loss(logp, target, weight, None, ignore_index, None, reduction)


def _weight_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    shape = [1] * ndim
    shape[class_dim] = weight._data.shape[0]
    return weight.reshape(tuple(shape))


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim):
    logp = _red.log_softmax(input, class_dim)
    c = input.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / c
    prod = logp * target
    if weight is not None:
        _no_grad_arg(weight, "cross_entropy", "weight")
        prod = prod * _weight_view(weight, input.dim(), class_dim)
    if reduction == "none":
        return -_red.sum(prod, class_dim)
    if reduction == "sum":
        return -prod.sum()
    if input._data.size == 0:
        return -(prod.sum() * float("nan"))  # PyTorch: -(sum filled with nan)
    total = -prod.sum()
    return apply(_DivNumber, total, other=total._data.dtype.type(input._data.size // c))


def _cross_entropy_smoothed(input, target, weight, ignore_index, reduction, ls, class_dim):
    logp = _red.log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    c = input.shape[class_dim]
    ignore = target._data == ignore_index
    if weight is not None:
        smooth = -_red.sum(logp * _weight_view(weight, input.dim(), class_dim), class_dim)
    else:
        smooth = -_red.sum(logp, class_dim)
    if ignore.any():
        smooth = smooth.masked_fill(Tensor._make(ignore), 0.0)
    if reduction == "mean":
        keep = ~ignore
        if weight is not None:
            denom = weight._data[target._data[keep]].sum()
        else:
            denom = keep.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            ret = smooth.sum() / smooth._data.dtype.type(denom)
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - ls) + ret * (ls / c)


# -- kl_div ---------------------------------------------------------------------------------------
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target * (log(target) - input), reduced.

    ``reduction='batchmean'`` divides the sum by the batch size (the true KL divergence);
    ``log_target`` takes the target as log-probabilities.
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", stacklevel=2)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _tensor_args("kl_div", input, target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _ew.xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.dim() != 0 else total
    return _reduce_tensor(loss, reduction)


# -- the rest of PyTorch's losses: composites, as PyTorch writes them --------------------------
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: exp(input) - target * input (log_input), or
    input - target * log(input + eps); ``full`` adds Stirling's term where target > 1."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = t * t.log() - t + (t * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(t <= 1, 0)
    return _reduce_tensor(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood 0.5 * (log(var) + (input - target)^2 / var), var
    clamped at ``eps`` (the clamp is not differentiated, as in PyTorch)."""
    from ..autograd.grad_mode import no_grad
    from ..creation import ones_like

    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ones_like(input) * var
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        xs, vs = tuple(input.shape), tuple(var.shape)
        if xs[:-1] == vs:
            var = var.unsqueeze(-1)
        elif not (len(xs) == len(vs) and sum(y for x, y in zip(xs, vs) if x != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = (var.log() + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce_tensor(loss, reduction)


class SoftMarginLoss(Op):
    array_vjp = True
    args = saves = ("self", "target")

    def forward(xp, x, t, *, reduction):
        with np.errstate(over="ignore"):
            return _reduce_array(xp.log1p(xp.exp(-x * t)), reduction)

    def vjp(g, out, x, t, *, reduction):
        g = _mean_scale(g, reduction, x)
        tensors = isinstance(x, Tensor)
        z = -x * t
        s = z.sigmoid() if tensors else _sigmoid_array(z)
        return g * (-t * s), None


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)), targets +-1."""
    reduction = _reduction(reduction, size_average, reduce)
    _no_grad_arg(target, "soft_margin_loss", "target")
    x, t = _same_dtype(input, target)
    if x._data.shape != t._data.shape:
        x, t = broadcast_tensors(x, t)
    return apply(SoftMarginLoss, x, t, reduction=reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduce_tensor((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _reduction(reduction, size_average, reduce)
    zeros = Tensor._make(np.zeros(input._data.shape, input._data.dtype))
    margin_clamp = (margin - input).clamp_min(0)
    out_margin = _ew.where(target != 1, margin_clamp, zeros)
    out_self = _ew.where(target != -1, input, zeros)
    return _reduce_tensor(out_margin + out_self, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1."""
    reduction = _reduction(reduction, size_average, reduce)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if td == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        sizes = [f"[{', '.join(map(str, t.shape))}]" for t in (input1, input2)]
        raise RuntimeError(f"{td}D target tensor expects {want}D input tensors, but found "
                           f"inputs with sizes {sizes[0]} and {sizes[1]}.")
    prod = _red.sum(input1 * input2, td)
    mag1 = _red.sum(input1 * input1, td) + 1e-12
    mag2 = _red.sum(input2 * input2, td) + 1e-12
    cos = prod / (mag1 * mag2).sqrt()
    zeros = Tensor._make(np.zeros(cos._data.shape, cos._data.dtype))
    out_pos = _ew.where(target == 1, 1 - cos, zeros)
    out_neg = _ew.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce_tensor(out_pos + out_neg, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """The per-sample mean over classes of binary cross entropy on logits."""
    from .activation import logsigmoid

    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    c = input.shape[class_dim]
    loss = _red.sum(loss, class_dim) / c
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def _pairwise_distance(x1: Tensor, x2: Tensor, p: float, eps: float) -> Tensor:
    return (x1 - x2 + eps).norm(p, -1)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the p-norm distance."""
    reduction = _reduction(reduction, size_average, reduce)
    a, pd, nd = anchor.dim(), positive.dim(), negative.dim()
    if not a == pd == nd:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs")
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _ew.minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce_tensor((d_pos - d_neg + margin).clamp_min(0), reduction)


def _margin_terms(x, t, p, margin, weight):
    """(hinge terms h, their slopes dh/dz, class index per row) of multi_margin_loss on the
    (N, C) view of ``x``."""
    x2 = x.reshape(1, -1) if x.ndim < 2 else x
    t1 = t.reshape(-1).astype(np.intp, copy=False)
    n, c = x2.shape
    rows = np.arange(n)
    z = margin - x2[rows, t1][:, None] + x2
    active = z > 0
    active[rows, t1] = False
    h = np.where(active, z if p == 1 else z * z, 0).astype(x.dtype, copy=False)
    slope = active.astype(x.dtype) if p == 1 else np.where(active, 2 * z, 0).astype(x.dtype)
    if weight is not None:
        wy = weight[t1][:, None]
        h = h * wy
        slope = slope * wy
    return h, slope, t1


class MultiMarginLoss(Op):
    array_vjp = True
    args = saves = ("self", "target")

    def forward(xp, x, t, *, p, margin, weight, reduction):
        h, _, _ = _margin_terms(x, t, p, margin, weight)
        c = h.shape[1]
        loss = (h.sum(axis=1) / x.dtype.type(c)).reshape(t.shape)
        return _reduce_array(loss, reduction)

    def vjp(g, out, x, t, *, p, margin, weight, reduction):
        a, ta = _data(x), _data(t)
        _, slope, t1 = _margin_terms(a, ta, p, margin, weight)
        n, c = slope.shape
        grad = slope / a.dtype.type(c)
        grad[np.arange(n), t1] = -grad.sum(axis=1)
        if reduction == "mean" and n:
            grad /= a.dtype.type(n)
        if reduction == "none" and a.ndim == 2:
            g = g.reshape((n, 1))
        grad = grad.reshape(a.shape)
        if isinstance(g, Tensor):
            return g * Tensor._make(grad), None
        return g * grad, None


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss: sum over classes i != y of max(0, margin - x[y] + x[i])^p
    (times weight[y]), divided by the number of classes."""
    reduction = _reduction(reduction, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    a, b = input._data, target._data
    if a.ndim > 2 or (a.ndim == 1 and a.size == 0) or (a.ndim == 2 and a.shape[1] == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: [{', '.join(map(str, a.shape))}]")
    n = a.shape[0] if a.ndim == 2 else 1
    c = a.shape[-1] if a.ndim else 1
    if b.ndim > 1 or b.size != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"[{', '.join(map(str, b.shape))}]. Input has shape "
            f"[{', '.join(map(str, a.shape))}].")
    w = None
    if weight is not None:
        if weight._data.size != c:
            raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                               f"[{', '.join(map(str, weight._data.shape))}]")
        w = _no_grad_arg(weight, "multi_margin_loss", "weight").astype(a.dtype, copy=False)
    if b.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {kind_name(b.dtype)}")
    if b.size and (b.min() < 0 or b.max() >= c):
        raise RuntimeError("target out of range")
    if a.dtype.kind != "f":
        raise not_implemented("multi_margin_loss_cpu", a.dtype)
    return apply(MultiMarginLoss, input, target, p=int(p), margin=float(margin), weight=w,
                 reduction=reduction)
