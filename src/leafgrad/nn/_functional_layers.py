"""Functional layers: normalisation, dropout, embedding, one_hot, normalize, attention.

Batch/layer/group norm, ``embedding`` and ``embedding_bag`` are primitives with PyTorch's
node names (``NativeBatchNormBackward0``, ``NativeLayerNormBackward0``,
``NativeGroupNormBackward0``, ``EmbeddingBackward0``, ``EmbeddingBagBackward0``) and
``_saved_*`` tensors: a first-order backward runs their vjp on arrays with the statistics
saved by the forward (reductions as matrix-vector products: NumPy's ufunc reductions are
slow along short axes); a ``create_graph`` backward recomputes the statistics in leafgrad
ops, so second derivatives come out right. Dropout, RMS norm, local response norm and
attention are composites, as in PyTorch (dropout records a ``MulBackward0``).

Random masks come from leafgrad's generator (``leafgrad.manual_seed``): reproducible, but
not PyTorch's stream.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ..backend import np
from ..ops.registry import Op, apply
from ..random import rng as _rng
from ..tensor import Tensor

__all__ = [
    "batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm",
    "local_response_norm", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
    "feature_alpha_dropout", "embedding", "embedding_bag", "one_hot", "normalize",
    "scaled_dot_product_attention", "multi_head_attention_forward", "lp_pool1d", "lp_pool2d",
    "lp_pool3d",
]


# -- dual helpers: the same expression on Tensors (create_graph) and on arrays -------------
def _is_t(a) -> bool:
    return isinstance(a, Tensor)


def _sum(a, axes, keep: bool = False):
    if _is_t(a):
        return a.sum(axes, keepdim=keep)
    return a.sum(axis=axes, keepdims=keep)


def _mean(a, axes, keep: bool = True):
    if _is_t(a):
        return a.mean(axes, keepdim=keep)
    return a.mean(axis=axes, keepdims=keep)


def _const(a) -> Tensor:
    return Tensor._make(np.asarray(a))


def _tensor_arg(x, fn: str, name: str = "input", pos: int = 1) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")
    return x


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _tstats(x: Tensor, axes, eps):
    """The same statistics in leafgrad ops (differentiable: a create_graph backward)."""
    mean = x.mean(axes, keepdim=True)
    d = x - mean
    return mean, ((d * d).mean(axes, keepdim=True) + eps).rsqrt()


def _norm_grad(gy, xhat, s, axes):
    """d(normalised)/dx applied to ``gy``: s * (gy - mean(gy) - xhat * mean(gy * xhat))."""
    return s * (gy - _mean(gy, axes) - xhat * _mean(gy * xhat, axes))


# -- batch_norm ----------------------------------------------------------------------------
class NativeBatchNorm(Op):
    """(x - mean) * invstd * weight + bias, per channel (dim 1).

    Saved as PyTorch saves them: ``result1``/``result2`` the batch mean and 1/std
    (training; empty in eval), ``running_mean``/``running_var`` (eval: the values used).
    """

    args = ("input", "weight", "bias")
    saves = ("input", "weight")
    array_vjp = True

    def forward(xp, x, w, b, *, training, eps, result1, result2, running_mean, running_var,
                has_w, has_b):
        m, s = _bn_stats(x, training, eps, result1, result2, running_mean, running_var)
        out = (x - m) * s
        if has_w:
            out = out * w.reshape(m.shape)
        if has_b:
            out = out + b.reshape(m.shape)
        return out.astype(x.dtype, copy=False)

    def vjp(g, out, x, w, b, *, training, eps, result1, result2, running_mean, running_var,
            has_w, has_b):
        nd = x.ndim
        bs = (1, -1) + (1,) * (nd - 2)
        axes = (0,) + tuple(range(2, nd))
        if not _is_t(g):
            return _batch_norm_vjp_arrays(g, x, w, training, eps, result1, result2,
                                          running_mean, running_var, has_w, has_b)
        if training:
            m, s = _tstats(x, axes, eps)
        else:
            xd = x._data if _is_t(x) else x
            m, s = _bn_stats(xd, training, eps, result1, result2, running_mean, running_var)
            if _is_t(g):
                m, s = _const(m), _const(s)
        xhat = (x - m) * s
        gw = _sum(g * xhat, axes) if has_w else None
        gb = _sum(g, axes) if has_b else None
        gy = g * w.reshape(bs) if has_w else g
        gx = _norm_grad(gy, xhat, s, axes) if training else gy * s
        return gx, gw, gb


def _batch_norm_vjp_arrays(g, x, w, training, eps, result1, result2, running_mean,
                           running_var, has_w, has_b):
    """The first-order batch-norm vjp on (N, C, HW) views, reductions as matrix-vector
    products."""
    shape = x.shape
    n, c = shape[0], shape[1]
    if x.size == 0:
        z = np.zeros((c,), g.dtype)
        return np.zeros(shape, g.dtype), (z if has_w else None), (z if has_b else None)
    hw = x.size // (n * c)
    m, s = _bn_stats(x, training, eps, result1, result2, running_mean, running_var)
    m, s = m.reshape(1, c, 1), s.reshape(1, c, 1)
    g3 = g.reshape(n, c, hw)
    xhat = (x.reshape(n, c, hw) - m) * s
    ones = np.ones(hw, g.dtype)
    gxh = (g3 * xhat) @ ones  # (N, C)
    gsum = g3 @ ones
    gw = gxh.sum(0) if has_w else None
    gb = gsum.sum(0) if has_b else None
    scale = s * (w.reshape(1, c, 1) if has_w else 1.0)
    if not training:
        return (g3 * scale).reshape(shape), gw, gb
    count = n * hw
    c1 = (gsum.sum(0) / count).reshape(1, c, 1)
    c2 = (gxh.sum(0) / count).reshape(1, c, 1)
    xhat *= c2
    gx = g3 - c1
    gx -= xhat
    gx *= scale
    return gx.reshape(shape).astype(g.dtype, copy=False), gw, gb


def _bn_stats(x, training, eps, result1, result2, running_mean, running_var):
    """The mean and 1/std a batch norm uses, as arrays shaped to broadcast with ``x``."""
    bs = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        return result1._data.reshape(bs), result2._data.reshape(bs)
    rv = running_var._data
    return running_mean._data.reshape(bs), (1.0 / np.sqrt(rv + eps)).astype(
        x.dtype, copy=False).reshape(bs)


def _channel_stats(a):
    """Per-channel mean and biased variance of an (N, C, *) array (matrix-vector sums)."""
    n, c = a.shape[0], a.shape[1]
    a3 = a.reshape(n, c, -1)
    count = a3.shape[0] * a3.shape[2]
    ones = np.full(a3.shape[2], 1.0 / count, a.dtype)
    mean = (a3 @ ones).sum(0)
    d = a3 - mean.reshape(1, c, 1)
    d *= d
    return mean, (d @ ones).sum(0)


def _affine_arg(t, n, like: Tensor):
    """A weight/bias argument, or a constant stand-in (no edge) when it is None."""
    if t is None:
        shape = (n,) if isinstance(n, int) else tuple(n)
        return Tensor._make(np.ones(shape, like._data.dtype)), False
    return t, True


def _bump(t: Tensor, value) -> None:
    """Write ``value`` into buffer ``t`` in place (a running statistic), as an in-place op."""
    t._data[...] = value
    t._vc[0] += 1


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation over dim 1 (channels) of an (N, C, *) input.

    In training the batch statistics normalise and update the running ones in place
    (``running = (1 - momentum) * running + momentum * batch``, unbiased variance);
    otherwise the running statistics normalise.
    """
    x = _tensor_arg(input, "batch_norm")
    a = x._data
    if a.ndim < 2:
        raise ValueError(f"Expected 2D or more input (got {a.ndim}D input)")
    c = a.shape[1]
    if training:
        n = a.size // c if c else 0
        if n == 1:
            raise ValueError("Expected more than 1 value per channel when training, got "
                             f"input size leafgrad.Size({list(a.shape)})")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    dt = a.dtype
    if training:
        mean, var = _channel_stats(a)
        invstd = (1.0 / np.sqrt(var + eps)).astype(dt)
        if running_mean is not None or running_var is not None:
            n = a.size // c
            if running_mean is not None:
                rm = running_mean._data
                _bump(running_mean, (1 - momentum) * rm + momentum * mean)
            if running_var is not None:
                rv = running_var._data
                unbiased = var * (n / (n - 1)) if n > 1 else var * np.nan
                _bump(running_var, (1 - momentum) * rv + momentum * unbiased)
        stats = dict(result1=_const(mean), result2=_const(invstd), running_mean=None,
                     running_var=None)
    else:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        if running_var is None:
            raise RuntimeError("running_var must be defined in evaluation mode")
        empty = np.zeros((0,), dt)
        stats = dict(result1=_const(empty), result2=_const(empty),
                     running_mean=_const(running_mean._data.astype(dt)),
                     running_var=_const(running_var._data.astype(dt)))
    w, has_w = _affine_arg(weight, c, x)
    b, has_b = _affine_arg(bias, c, x)
    return apply(NativeBatchNorm, x, w, b, training=bool(training), eps=eps, has_w=has_w,
                 has_b=has_b, **stats)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation: each sample's channels normalised over their own spatial
    dims (a batch norm of the (1, N*C, *) reshape); running statistics, when given, are
    updated with the batch's per-channel averages, or used when ``use_input_stats=False``."""
    x = _tensor_arg(input, "instance_norm")
    shape = tuple(x.shape)
    n, c = shape[0], shape[1]
    bs = (1, c) + (1,) * (len(shape) - 2)
    if not use_input_stats:
        y = batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
        return y
    rm = None if running_mean is None else Tensor._make(np.tile(running_mean._data, n))
    rv = None if running_var is None else Tensor._make(np.tile(running_var._data, n))
    y = batch_norm(x.reshape((1, n * c) + shape[2:]), rm, rv, None, None, True, momentum,
                   eps).reshape(shape)
    if running_mean is not None:
        _bump(running_mean, rm._data.reshape(n, c).mean(0))
    if running_var is not None:
        _bump(running_var, rv._data.reshape(n, c).mean(0))
    if weight is not None:
        y = y * weight.reshape(bs)
    if bias is not None:
        y = y + bias.reshape(bs)
    return y


# -- layer_norm ----------------------------------------------------------------------------
class NativeLayerNorm(Op):
    """Normalisation over the last dims (``normalized_shape``), elementwise weight and bias;
    ``result1``/``result2`` are the mean and 1/std (kept dims), as PyTorch saves them."""

    args = ("input", "weight", "bias")
    saves = ("input", "weight")
    array_vjp = True

    def forward(xp, x, w, b, *, normalized_shape, eps, result1, result2, has_w, has_b):
        out = (x - result1._data) * result2._data
        if has_w:
            out = out * w
        if has_b:
            out = out + b
        return out.astype(x.dtype, copy=False)

    def vjp(g, out, x, w, b, *, normalized_shape, eps, result1, result2, has_w, has_b):
        nd = x.ndim
        k = len(normalized_shape)
        axes = tuple(range(nd - k, nd))
        lead = tuple(range(nd - k))
        if not _is_t(g):
            return _layer_norm_vjp_arrays(g, x, w, result1._data, result2._data, k, has_w,
                                          has_b)
        m, s = _tstats(x, axes, eps)
        xhat = (x - m) * s
        gw = _sum(g * xhat, lead) if has_w else None
        gb = _sum(g, lead) if has_b else None
        gy = g * w if has_w else g
        return _norm_grad(gy, xhat, s, axes), gw, gb


def _rows_norm_grad(gy, xhat, s, dtype):
    """``_norm_grad`` over the rows of 2-D arrays, the row means as matrix-vector products
    with a ``dtype`` vector (``xhat`` is overwritten)."""
    ones_c = np.full(gy.shape[1], 1.0 / gy.shape[1], dtype)
    c1 = (gy @ ones_c)[:, None]
    c2 = ((gy * xhat) @ ones_c)[:, None]
    xhat *= c2
    gx = gy - c1
    gx -= xhat
    gx *= s
    return gx


def _layer_norm_vjp_arrays(g, x, w, mean, rstd, k: int, has_w: bool, has_b: bool):
    """The first-order layer-norm vjp on (rows, cols) views: every reduction is a
    matrix-vector product (NumPy's ufunc reductions are slow along short last axes)."""
    shape = x.shape
    cols = 1
    for n in shape[x.ndim - k:]:
        cols *= n
    if x.size == 0 or cols == 0:
        z = np.zeros(shape, g.dtype)
        return z, (np.zeros(w.shape, g.dtype) if has_w else None), \
            (np.zeros(w.shape, g.dtype) if has_b else None)
    rows = x.size // cols
    g2 = g.reshape(rows, cols)
    m, s = mean.reshape(rows, 1), rstd.reshape(rows, 1)
    xhat = (x.reshape(rows, cols) - m) * s
    ones_r = np.ones(rows, g.dtype)
    gw = (ones_r @ (g2 * xhat)).reshape(w.shape) if has_w else None
    gb = (ones_r @ g2).reshape(w.shape) if has_b else None
    gy = g2 * w.reshape(1, cols) if has_w else g2
    return _rows_norm_grad(gy, xhat, s, g.dtype).reshape(shape), gw, gb


def _row_stats(a, k: int, eps):
    """Mean and 1/std over the last ``k`` dims of array ``a`` (kept dims), by
    matrix-vector products."""
    cols = 1
    for n in a.shape[a.ndim - k:]:
        cols *= n
    rows = a.size // cols
    a2 = a.reshape(rows, cols)
    w = np.full(cols, 1.0 / cols, a.dtype)
    mean = (a2 @ w)[:, None]
    d = a2 - mean
    d *= d
    var = d @ w
    kept = a.shape[:a.ndim - k] + (1,) * k
    return mean.reshape(kept), (1.0 / np.sqrt(var + eps)).astype(a.dtype).reshape(kept)


def _normalized_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def _check_normalized_shape(a, ns: tuple, star: str, **params: Tensor | None) -> None:
    """RuntimeError unless every given parameter has shape ``ns`` and the array ``a`` ends
    in ``ns`` (``star``: what follows ``*`` in the expected shape of the message)."""
    for name, t in params.items():
        if t is not None and tuple(t._data.shape) != ns:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {_shape_str(t._data.shape)} and normalized_shape = {_shape_str(ns)}")
    k = len(ns)
    if a.ndim < k or tuple(a.shape[a.ndim - k:]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={_shape_str(ns)}, expected input with shape "
            f"[*{star}{', '.join(str(s) for s in ns)}], but got input of size"
            f"{_shape_str(a.shape)}")


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` dims."""
    x = _tensor_arg(input, "layer_norm")
    ns = _normalized_shape(normalized_shape)
    a = x._data
    k = len(ns)
    _check_normalized_shape(a, ns, ", ", weight=weight, bias=bias)
    axes = tuple(range(a.ndim - k, a.ndim))
    if a.size:
        mean, rstd = _row_stats(a, k, eps)
    else:
        kept = tuple(1 if i in axes else s for i, s in enumerate(a.shape))
        mean = rstd = np.zeros(kept, a.dtype)
    w, has_w = _affine_arg(weight, ns, x)
    b, has_b = _affine_arg(bias, ns, x)
    return apply(NativeLayerNorm, x, w, b, normalized_shape=ns, eps=eps,
                 result1=_const(mean), result2=_const(rstd), has_w=has_w, has_b=has_b)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """``input / sqrt(mean(input**2) + eps) * weight`` over the trailing
    ``normalized_shape`` dims (``eps=None``: the dtype's machine epsilon)."""
    x = _tensor_arg(input, "rms_norm")
    ns = _normalized_shape(normalized_shape)
    a = x._data
    k = len(ns)
    _check_normalized_shape(a, ns, "", weight=weight)
    if eps is None:
        eps = float(np.finfo(a.dtype).eps) if a.dtype.kind == "f" else 1.1920928955078125e-07
    dims = tuple(range(a.ndim - k, a.ndim))
    y = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Each value divided by ``(k + alpha * mean of squares over `size` neighbouring
    channels) ** beta`` (AlexNet's normalisation)."""
    from . import functional as F

    x = _tensor_arg(input, "local_response_norm")
    dim = x.dim()
    if dim < 3:
        # (PyTorch's message keeps a source line's indentation inside it)
        raise ValueError("Expected 3D or higher dimensionality" + " " * 26 +
                         f"input (got {dim} dimensions)")
    if x.numel() == 0:
        return x
    sq = x * x
    if dim == 3:
        sq = F.pad(sq.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool2d(sq, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(x.shape)
        sq = F.pad(sq.reshape(sizes[0], 1, sizes[1], sizes[2], -1),
                   (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool3d(sq, (size, 1, 1), stride=1).squeeze(1).reshape(sizes)
    return x / (div * alpha + k) ** beta


# -- power-average pooling -------------------------------------------------------------------
def _lp_pool(nd: int, input: Tensor, norm_type: float, kernel_size, stride, ceil_mode: bool):
    from . import functional as F

    x = _tensor_arg(input, f"lp_pool{nd}d")
    if norm_type == math.inf:
        return getattr(F, f"max_pool{nd}d")(x.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -getattr(F, f"max_pool{nd}d")(-x.abs(), kernel_size, stride, 0, 1, ceil_mode)
    ks = tuple(kernel_size) if isinstance(kernel_size, (list, tuple)) else (kernel_size,) * nd
    avg = getattr(F, f"avg_pool{nd}d")
    out = avg(x.pow(norm_type), kernel_size, stride if stride is not None else kernel_size, 0,
              ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(ks)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling: (sum of x**p over each window) ** (1/p)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over 2-D windows: (sum of x**p) ** (1/p)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over 3-D windows: (sum of x**p) ** (1/p)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# -- group_norm ----------------------------------------------------------------------------
class NativeGroupNorm(Op):
    """Normalisation over groups of channels of an (N, C, *) input, per-channel affine;
    ``result1``/``result2`` are the (N, group) means and 1/stds, as PyTorch saves them."""

    args = ("input", "weight", "bias")
    saves = ("input", "weight")
    array_vjp = True

    def forward(xp, x, w, b, *, N, C, HxW, group, eps, result1, result2, has_w, has_b):
        bs = (1, C) + (1,) * (x.ndim - 2)
        xr = x.reshape(N, group, -1)
        m, s = result1._data[..., None], result2._data[..., None]
        out = ((xr - m) * s).reshape(x.shape)
        if has_w:
            out = out * w.reshape(bs)
        if has_b:
            out = out + b.reshape(bs)
        return out.astype(x.dtype, copy=False)

    def vjp(g, out, x, w, b, *, N, C, HxW, group, eps, result1, result2, has_w, has_b):
        shape = tuple(x.shape)
        bs = (1, C) + (1,) * (len(shape) - 2)
        red = (0,) + tuple(range(2, len(shape)))
        if not _is_t(g):
            return _group_norm_vjp_arrays(g, x, w, result1._data, result2._data, N, C, group,
                                          has_w, has_b)
        xr = x.reshape(N, group, -1)
        m, s = _tstats(xr, (2,), eps)
        xhat = ((xr - m) * s).reshape(shape)
        gw = _sum(g * xhat, red) if has_w else None
        gb = _sum(g, red) if has_b else None
        gy = (g * w.reshape(bs) if has_w else g).reshape(N, group, -1)
        gx = _norm_grad(gy, xhat.reshape(N, group, -1), s, (2,)).reshape(shape)
        return gx, gw, gb


def _group_norm_vjp_arrays(g, x, w, mean, rstd, n: int, c: int, group: int, has_w: bool,
                           has_b: bool):
    """The first-order group-norm vjp with matrix-vector reductions (see layer norm)."""
    shape = x.shape
    if x.size == 0:
        z = np.zeros((c,), g.dtype)
        return np.zeros(shape, g.dtype), (z if has_w else None), (z if has_b else None)
    hw = x.size // (n * c)
    rows, cols = n * group, (c // group) * hw
    s = rstd.reshape(rows, 1)
    xhat = (x.reshape(rows, cols) - mean.reshape(rows, 1)) * s
    g3 = g.reshape(n, c, hw)
    ones_hw = np.ones(hw, g.dtype)
    gw = ((g3 * xhat.reshape(n, c, hw)) @ ones_hw).sum(0) if has_w else None
    gb = (g3 @ ones_hw).sum(0) if has_b else None
    gy = (g3 * w.reshape(1, c, 1) if has_w else g3).reshape(rows, cols)
    return _rows_norm_grad(gy, xhat, s, g.dtype).reshape(shape), gw, gb


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Group normalisation: channels split into ``num_groups`` groups normalised apart."""
    x = _tensor_arg(input, "group_norm")
    a = x._data
    if a.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{a.ndim}")
    n, c = a.shape[0], a.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {_shape_str(a.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {_shape_str(t._data.shape)} and input of "
                f"shape {_shape_str(a.shape)}")
    xr = a.reshape(n, num_groups, -1)
    if xr.size:
        mean, rstd = _row_stats(xr, 1, eps)
    else:
        mean = rstd = np.zeros((n, num_groups, 1), a.dtype)
    w, has_w = _affine_arg(weight, c, x)
    b, has_b = _affine_arg(bias, c, x)
    hxw = a.size // (n * c) if n * c else 0
    return apply(NativeGroupNorm, x, w, b, N=n, C=c, HxW=hxw, group=num_groups, eps=eps,
                 result1=_const(mean[..., 0]), result2=_const(rstd[..., 0]), has_w=has_w,
                 has_b=has_b)


# -- dropout -------------------------------------------------------------------------------
def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _masked(x: Tensor, p: float, mask_shape: tuple, inplace: bool) -> Tensor:
    """``x`` times a Bernoulli(1 - p) keep-mask (of ``mask_shape``) scaled by 1 / (1 - p)."""
    a = x._data
    if p == 1.0:
        mask = np.zeros(mask_shape, a.dtype)
    else:
        keep = _rng(None).random(mask_shape, dtype=np.float32) >= p
        mask = (keep * (1.0 / (1.0 - p))).astype(a.dtype)
    m = Tensor._make(mask)
    if inplace:
        return x.mul_(m)
    return x * m


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p).

    Outside training (or with ``p=0``) the input itself is returned.
    """
    _check_p(p)
    x = _tensor_arg(input, "dropout")
    if not training or p == 0.0:
        return x
    return _masked(x, p, x._data.shape, inplace)


def _channel_dropout(x: Tensor, p: float, training: bool, inplace: bool, batched: bool):
    _check_p(p)
    if not training or p == 0.0:
        return x
    shape = x._data.shape
    keep = 2 if batched else 1
    mask_shape = tuple(shape[:keep]) + (1,) * (len(shape) - keep)
    return _masked(x, p, mask_shape, inplace)


def _channel_input(input, p: float, name: str) -> tuple[Tensor, int]:
    """The checked ``p`` and input of ``dropout{1,2,3}d``, and the input's number of dims."""
    _check_p(p)
    x = _tensor_arg(input, name)
    return x, x._data.ndim


def _warn_deprecated_dims(name: str, nd: int, spatial: int) -> None:
    """dropout2d/3d's warning for an input without spatial + 1 or spatial + 2 dims
    (``stacklevel`` points at the caller of ``name``)."""
    if nd not in (spatial + 1, spatial + 2):
        warnings.warn(
            f"{name}: Received a {nd}-D input to {name}, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that {name} exists to provide "
            f"channel-wise dropout on inputs with {spatial} spatial dimensions, a channel "
            f"dimension, and an optional batch dimension (i.e. {spatial + 1}D or "
            f"{spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, L) or (C, L) input with probability ``p``."""
    x, nd = _channel_input(input, p, "dropout1d")
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _channel_dropout(x, p, training, inplace, nd == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, H, W) or (C, H, W) input with probability ``p``."""
    x, nd = _channel_input(input, p, "dropout2d")
    _warn_deprecated_dims("dropout2d", nd, 2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _channel_dropout(x, p, training, inplace, nd >= 3)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input."""
    x, nd = _channel_input(input, p, "dropout3d")
    _warn_deprecated_dims("dropout3d", nd, 3)
    return _channel_dropout(x, p, training, inplace, nd != 4)


_SELU_NEG_SAT = 1.7580993408473766  # -SELU's negative saturation value: alpha * scale


def _alpha(x: Tensor, p: float, training: bool, inplace: bool, feature: bool) -> Tensor:
    """Dropout that keeps SELU's self-normalising mean and variance: dropped units take
    SELU's saturation value, then an affine map restores mean 0 and variance 1."""
    _check_p(p)
    a = x._data
    if p == 0.0 or not training or a.size == 0:
        return x
    if p == 1.0:
        return x * Tensor._make(np.zeros((), a.dtype))
    shape = a.shape
    if feature:
        if a.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = tuple(shape[:2]) + (1,) * (a.ndim - 2)
    keep = (_rng(None).random(shape) >= p).astype(a.dtype)
    k = 1.0 / math.sqrt((_SELU_NEG_SAT ** 2 * p + 1) * (1 - p))
    shift = ((keep - 1) * (_SELU_NEG_SAT * k) + _SELU_NEG_SAT * k * p).astype(a.dtype)
    scale = (keep * k).astype(a.dtype)
    if inplace:
        return x.mul_(Tensor._make(scale)).add_(Tensor._make(shift))
    return x * Tensor._make(scale) + Tensor._make(shift)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Alpha dropout (for SELU networks): mean and variance are preserved."""
    return _alpha(_tensor_arg(input, "alpha_dropout"), p, training, inplace, False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (dim 1)."""
    return _alpha(_tensor_arg(input, "feature_alpha_dropout"), p, training, inplace, True)


# -- embedding -----------------------------------------------------------------------------
def _dtype_of(a):
    return a._data.dtype if _is_t(a) else a.dtype


class Embedding(Op):
    """Rows of ``weight`` picked by integer ``indices`` (an attribute: no gradient)."""

    args = ("weight",)
    array_vjp = True

    def forward(xp, w, *, indices, padding_idx, scale_grad_by_freq, num_weights):
        return w[indices]

    def vjp(g, out, w, *, indices, padding_idx, scale_grad_by_freq, num_weights):
        flat = indices.reshape(-1)
        dt = _dtype_of(g)
        d = g.shape[-1]
        rows = g.reshape(-1, d)
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=num_weights)
            scale = (1.0 / np.maximum(counts[flat], 1)).astype(dt).reshape(-1, 1)
            rows = rows * (_const(scale) if _is_t(g) else scale)
        if padding_idx is not None:
            keep = (flat != padding_idx).astype(dt).reshape(-1, 1)
            rows = rows * (_const(keep) if _is_t(g) else keep)
        if _is_t(g):
            zeros = Tensor._make(np.zeros((num_weights, d), dt))
            return zeros.index_add(0, Tensor._make(flat), rows)
        return _index_add_rows(flat, rows, num_weights)


def _index_add_rows(idx, rows, n: int):
    """An (n, d) array whose row i sums ``rows[idx == i]`` (sorted segments: faster than
    ``np.add.at``)."""
    out = np.zeros((n, rows.shape[1]), rows.dtype)
    if idx.size == 0:
        return out
    order = np.argsort(idx, kind="stable")
    si = idx[order]
    starts = np.flatnonzero(np.concatenate(([True], si[1:] != si[:-1])))
    out[si[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def _checked_padding_idx(padding_idx: int | None, n: int,
                         name: str = "Padding_idx") -> int | None:
    """``padding_idx`` of a table of ``n`` rows, a negative one counted from the end
    (AssertionError when out of range; ``name``: the word the message starts with)."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError(f"{name} must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError(f"{name} must be within num_embeddings")
            padding_idx = n + padding_idx
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) by the integer ``input``.

    ``padding_idx``'s row gets no gradient; ``max_norm`` renormalises the looked-up rows
    of ``weight`` in place to norm at most ``max_norm``.
    """
    idx = _tensor_arg(input, "embedding", "indices", 2)
    w = _tensor_arg(weight, "embedding", "weight", 1)
    n = w._data.shape[0] if w._data.ndim else 0
    padding_idx = _checked_padding_idx(padding_idx, n)
    ia = idx._data
    if ia.dtype.kind not in "iu" or ia.dtype.itemsize not in (4, 8) or ia.dtype.kind == "u":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_type_name(ia)} instead (while checking arguments "
            "for embedding)")
    if w._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if ia.size and (ia.min() < 0 or ia.max() >= n):
        raise IndexError("index out of range in self")
    ia = ia.astype(np.int64, copy=False)
    if max_norm is not None:
        _renorm_rows(w, ia, max_norm, norm_type)
    return apply(Embedding, w, indices=ia, padding_idx=padding_idx,
                 scale_grad_by_freq=bool(scale_grad_by_freq), num_weights=n)


def _renorm_rows(w: Tensor, idx, max_norm: float, norm_type: float) -> None:
    rows = np.unique(idx.reshape(-1))
    data = w._data
    sel = data[rows]
    norms = np.linalg.norm(sel.astype(np.float64), ord=norm_type, axis=1) if norm_type \
        else np.count_nonzero(sel, axis=1).astype(np.float64)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(data.dtype)
        data[rows[over]] = sel[over] * scale[:, None]
        w._vc[0] += 1


class EmbeddingBag(Op):
    """Per-bag sums, means or maxima of looked-up rows. The bag structure travels as
    attributes: ``idx``/``bag`` the row and bag of every position, ``scale`` its weight
    in the bag (1, 1/bag size, or 0 for padding), ``arg`` (max mode) the position each
    output element came from (-1: an empty bag)."""

    args = ("weight", "per_sample_weights")
    saves = ("weight", "per_sample_weights")
    array_vjp = True

    def forward(xp, w, psw, *, idx, bag, scale, arg, n_bags, max_mode, has_psw,
                num_weights, gscale):
        d = w.shape[1]
        if max_mode:
            hit = arg >= 0
            out = xp.zeros((n_bags, d), w.dtype)
            out[hit] = w[idx[arg[hit]], xp.nonzero(hit)[1]]
            return out
        rows = w[idx] * scale[:, None]
        if has_psw:
            rows = rows * psw[:, None]
        return _index_add_rows(bag, rows, n_bags)

    def vjp(g, out, w, psw, *, idx, bag, scale, arg, n_bags, max_mode, has_psw,
            num_weights, gscale):
        d = g.shape[1]
        if max_mode:
            hit = arg >= 0
            flat = idx[arg[hit]] * d + np.nonzero(hit)[1]
            where = np.flatnonzero(hit)
            if _is_t(g):
                gw = Tensor._make(np.zeros(num_weights * d, _dtype_of(g)))
                gw = gw.index_add(0, Tensor._make(flat), g.reshape(-1).index_select(
                    0, Tensor._make(where)))
                return gw.reshape(num_weights, d), None
            return _index_add_rows(flat, g.reshape(-1, 1)[where], num_weights * d).reshape(
                num_weights, d), None
        if _is_t(g):
            gb = g.index_select(0, Tensor._make(bag)) * _const(
                scale[:, None].astype(_dtype_of(g)))
            gpsw = (gb * w.index_select(0, Tensor._make(idx))).sum(1) if has_psw else None
            rows = gb * psw.reshape(-1, 1) if has_psw else gb
            if gscale is not None:
                rows = rows * _const(gscale[:, None])
            zeros = Tensor._make(np.zeros((num_weights, d), _dtype_of(g)))
            return zeros.index_add(0, Tensor._make(idx), rows), gpsw
        gb = g[bag] * scale[:, None].astype(g.dtype)
        gpsw = (gb * w[idx]).sum(1) if has_psw else None
        rows = gb * psw[:, None] if has_psw else gb
        if gscale is not None:
            rows = rows * gscale[:, None]
        return _index_add_rows(idx, rows, num_weights), gpsw


_MODES = {"sum": 0, "mean": 1, "max": 2}


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxima of bags of embeddings, without the (bags, length, dim)
    intermediate: ``input`` (B, N) holds B bags of N indices; or ``input`` (L,) holds
    the bags one after another, ``offsets`` (B,) where each starts. ``padding_idx``
    entries are left out of their bag."""
    idx_t = _tensor_arg(input, "embedding_bag", "input", 1)
    w = _tensor_arg(weight, "embedding_bag", "weight", 2)
    psw = per_sample_weights
    if psw is not None and tuple(idx_t.shape) != tuple(psw.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({psw.shape}) is not None, then it must "
            f"have the same shape as the input ({idx_t.shape})")
    if w.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {w.dim()}")
    ia = idx_t._data
    if ia.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}".replace("leafgrad.tensor.Tensor", "leafgrad.Tensor"))
        starts = np.arange(0, ia.size, ia.shape[1] or 1) if ia.shape[1] else \
            np.zeros(ia.shape[0], np.int64)
        include_last_offset = False
        ia = ia.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif ia.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = offsets._data.astype(np.int64)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {ia.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if ia.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_type_name(ia)} instead (while checking arguments "
            "for embedding_bag)")
    n = w._data.shape[0]
    if ia.size and (ia.min() < 0 or ia.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(w, ia, max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    length = ia.size
    if starts.size and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(starts[0])}\n[ leafgrad.LongTensor{{}} ]")
    if starts.size and starts[-1] > length:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but "
                           f"got offsets[-1] of {int(starts[-1])}")
    n_bags = starts.size - 1 if include_last_offset else starts.size
    ends = np.append(starts[1:], length)[:n_bags] if n_bags else starts[:0]
    if include_last_offset and n_bags:
        ends[-1] = min(ends[-1], length)
    counts = np.clip(ends - starts[:n_bags], 0, None)
    ia = ia.astype(np.int64)
    total = int(counts.sum())
    ia_used = ia[:total] if total <= length else ia
    bag = np.repeat(np.arange(n_bags), counts)
    keep = np.ones(total, bool) if padding_idx is None else ia_used != _wrap_pad(padding_idx, n)
    dt = w._data.dtype
    arg = np.zeros((0, 0), np.int64)
    if mode == "max":
        scale = np.zeros(total, dt)
        arg = _bag_argmax(w._data, ia_used, bag, keep, n_bags)
    elif mode == "mean":
        kept_counts = np.bincount(bag[keep], minlength=n_bags)
        scale = np.where(keep, 1.0 / np.maximum(kept_counts[bag], 1), 0.0).astype(dt)
    else:
        scale = keep.astype(dt)
    gscale = None
    if scale_grad_by_freq:  # each row's weight gradient divided by its count in the batch
        freq = np.bincount(ia_used, minlength=n)
        gscale = (1.0 / np.maximum(freq[ia_used], 1)).astype(dt)
    has_psw = psw is not None
    p = psw if has_psw else Tensor._make(np.ones(total, dt))
    return apply(EmbeddingBag, w, p, idx=ia_used, bag=bag, scale=scale, arg=arg,
                 n_bags=n_bags, max_mode=mode == "max", has_psw=has_psw, num_weights=n,
                 gscale=gscale)


def _wrap_pad(padding_idx: int, n: int) -> int:
    return padding_idx + n if padding_idx < 0 else padding_idx


def _bag_argmax(w, idx, bag, keep, n_bags: int):
    """For each bag and column, the position of the bag's largest value (-1: empty)."""
    d = w.shape[1]
    arg = np.full((n_bags, d), -1, np.int64)
    pos = np.flatnonzero(keep)
    if pos.size == 0:
        return arg
    vals = w[idx[pos]]
    b = bag[pos]
    starts = np.flatnonzero(np.concatenate(([True], b[1:] != b[:-1])))
    best = np.maximum.reduceat(vals, starts, axis=0)
    first = np.where(vals == best[np.repeat(np.arange(starts.size), np.diff(
        np.append(starts, pos.size)))], pos[:, None], np.iinfo(np.int64).max)
    arg[b[starts]] = np.minimum.reduceat(first, starts, axis=0)
    return arg


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int8": "Char",
               "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
               "bool": "Bool"}


def _type_name(a) -> str:
    return f"leafgrad.{_TYPE_NAMES.get(a.dtype.name, a.dtype.name)}Tensor"


# -- one_hot / normalize -------------------------------------------------------------------
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding of an int64 tensor: shape ``tensor.shape + (num_classes,)``.

    >>> leafgrad.nn.functional.one_hot(leafgrad.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    t = _tensor_arg(tensor, "one_hot", "input", 1)
    a = t._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return Tensor._make(np.zeros(a.shape + (num_classes,), np.int64))
    if a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(a.max()) + 1
    elif a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return Tensor._make(out)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    x = _tensor_arg(input, "normalize")
    denom = x.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(x)
    return x / denom


# -- attention -----------------------------------------------------------------------------
_DTYPE_WORDS = {"float32": "float", "float64": "double", "float16": "c10::Half",
                "int64": "long int", "int32": "int", "bool": "bool", "int16": "short int",
                "int8": "signed char", "uint8": "unsigned char"}


def _dword(t: Tensor) -> str:
    return _DTYPE_WORDS.get(t._data.dtype.name, t._data.dtype.name)


def _neg_inf_mask(mask_bool, dtype) -> Tensor:
    """An additive float mask: 0 where ``mask_bool`` is True (attend), -inf elsewhere."""
    return Tensor._make(np.where(mask_bool, 0.0, -np.inf).astype(dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q @ k^T * scale + mask) @ v over the last two dims.

    A bool ``attn_mask`` says where to attend (True); a float one is added to the scores;
    ``is_causal`` masks out keys after each query.
    """
    q = _tensor_arg(query, "scaled_dot_product_attention", "query", 1)
    k = _tensor_arg(key, "scaled_dot_product_attention", "key", 2)
    v = _tensor_arg(value, "scaled_dot_product_attention", "value", 3)
    if not (q._data.dtype == k._data.dtype == v._data.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dword(q)} key.dtype: {_dword(k)} and value.dtype: {_dword(v)} instead.")
    if attn_mask is not None:
        md = attn_mask._data.dtype
        if md != np.bool_ and md.kind != "f" and md != q._data.dtype:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but "
                f"got attn_mask.dtype: {_dword(attn_mask)} and  query.dtype: {_dword(q)} "
                "instead.")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not "
                               "be set when is_causal=True")
    dt = q._data.dtype
    L, S = q._data.shape[-2], k._data.shape[-2]
    s = 1.0 / math.sqrt(q._data.shape[-1]) if scale is None else scale
    if enable_gqa and q._data.ndim >= 3:
        hq, hk = q._data.shape[-3], k._data.shape[-3]
        if hk != hq:
            k = k.repeat_interleave(hq // hk, -3)
            v = v.repeat_interleave(hq // hk, -3)
    scores = (q * s) @ k.transpose(-2, -1)
    if is_causal:
        scores = scores + _neg_inf_mask(np.tril(np.ones((L, S), bool)), dt)
    if attn_mask is not None:
        if attn_mask._data.dtype == np.bool_:
            scores = scores + _neg_inf_mask(attn_mask._data, dt)
        else:
            scores = scores + attn_mask
    attn = _safe_softmax(scores)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn @ v


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim, with rows that mask out every key giving zeros (not
    NaN), as PyTorch's attention does."""
    dead = np.isneginf(scores._data).all(-1, keepdims=True)
    if not dead.any():
        return scores.softmax(-1)
    dead_t = Tensor._make(dead)
    return scores.masked_fill(dead_t, 0.0).softmax(-1).masked_fill(dead_t, 0.0)


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    y = x @ w.t()
    return y if b is None else y + b


def _as_float_mask(mask: Tensor | None, dtype) -> Tensor | None:
    """PyTorch's canonical mask: bool True means *masked out* here (-inf), floats as given."""
    if mask is None:
        return None
    if mask._data.dtype == np.bool_:
        return Tensor._make(np.where(mask._data, -np.inf, 0.0).astype(dtype))
    return mask


def _masks_one_more_key(attn_mask: Tensor | None, key_padding_mask: Tensor | None, dt):
    """The masks with a zero (not masked) column for a key appended to the keys."""
    from ..ops.shape import cat

    if attn_mask is not None:
        attn_mask = cat([attn_mask, Tensor._make(
            np.zeros(tuple(attn_mask.shape[:-1]) + (1,), dt))], -1)
    if key_padding_mask is not None:
        key_padding_mask = cat([key_padding_mask, Tensor._make(
            np.zeros((key_padding_mask.shape[0], 1), dt))], -1)
    return attn_mask, key_padding_mask


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
        out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False):
    """Multi-head attention on (L, N, E) inputs (or unbatched (L, E)); returns
    ``(output, weights)`` (weights None unless ``need_weights``)."""
    batched = query.dim() == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    dt = query._data.dtype
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if use_separate_proj_weight:
        wq, wk, wv = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        wq, wk, wv = in_proj_weight.chunk(3)
    if in_proj_bias is not None:
        bq, bk, bv = in_proj_bias.chunk(3)
    else:
        bq = bk = bv = None
    q = _linear(query, wq, bq)
    k = _linear(key, wk, bk)
    v = _linear(value, wv, bv)
    attn_mask = _as_float_mask(attn_mask, dt)
    key_padding_mask = _as_float_mask(key_padding_mask, dt)
    if attn_mask is not None and attn_mask.dim() == 2:
        attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None and bias_v is not None:
        from ..ops.shape import cat

        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _masks_one_more_key(attn_mask, key_padding_mask, dt)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (static_k if static_k is not None else
         k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1))
    v = (static_v if static_v is not None else
         v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1))
    if add_zero_attn:
        from ..ops.shape import cat

        zero_key = Tensor._make(np.zeros((bsz * num_heads, 1, head_dim), dt))
        k = cat([k, zero_key], 1)
        v = cat([v, zero_key], 1)
        attn_mask, key_padding_mask = _masks_one_more_key(attn_mask, key_padding_mask, dt)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(
            bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    scores = (q * (1.0 / math.sqrt(head_dim))) @ k.transpose(-2, -1)
    if attn_mask is not None:
        scores = scores + attn_mask
    # PyTorch's math path (need_weights) leaves fully masked rows NaN; its fused path zeros
    weights = scores.softmax(-1) if need_weights else _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    out = weights @ v
    out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    w = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        w = w.mean(1)
    if not batched:
        w = w.squeeze(0)
    return out, w


# -- private helpers for the layer modules (initialisation without in-place ops) -----------
def _float_dtype(dtype):
    """NumPy dtype of a module's parameters: ``dtype`` or the default float dtype."""
    from .. import dtypes as _dt

    return (_dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)).np


def _new_param(shape, dtype=None, device=None, fill: float | None = None):
    """A Parameter of ``shape`` (uninitialised unless ``fill``) on the CPU."""
    from ..tensor import check_device
    from .parameter import Parameter

    check_device(device)

    d = _float_dtype(dtype)
    a = np.empty(tuple(shape), d) if fill is None else np.full(tuple(shape), fill, d)
    return Parameter(Tensor._make(a))


def _uniform_(t: Tensor, low: float, high: float) -> Tensor:
    """Fill ``t`` in place from U(low, high) (the default generator), outside the graph."""
    a = t._data
    a[...] = _rng(None).uniform(low, high, a.shape).astype(a.dtype)
    t._vc[0] += 1
    return t


def _normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    a = t._data
    a[...] = _rng(None).normal(mean, std, a.shape).astype(a.dtype)
    t._vc[0] += 1
    return t


def _fill_(t: Tensor, value: float) -> Tensor:
    t._data[...] = value
    t._vc[0] += 1
    return t
