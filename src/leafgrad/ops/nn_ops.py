"""Neural-network array primitives: convolution, pooling, padding, resampling, im2col.

Convolutions run as im2col onto BLAS: a strided window view of the (padded) input is
copied once into columns and multiplied by the weight, one matrix product per group;
the transposed convolution is the adjoint (columns from the weight, summed back into
the image by ``_col2im``, one strided add per kernel tap).  ``Convolution``'s vjp is
written in ``Convolution`` itself (the input gradient is the transposed convolution of
``g`` with the weight, the weight gradient a convolution of the input with ``g``), so
double backward is free; a first-order backward runs the same algebra on arrays.

Linear resamplers (average and adaptive pooling, interpolation, reflection and
replication padding, im2col/col2im) come in adjoint pairs: the vjp of each is the
other, so their derivatives of every order are exact.
"""

from __future__ import annotations

import math
import warnings

from ..autograd.grad_mode import state as _grad_state
from ..backend import bincount_add, np, strided_windows, strided_windows_at
from ..tensor import Tensor
from .registry import Op, apply

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "pad", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "adaptive_max_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "unfold", "fold", "interpolate", "upsample",
]
methods: list[str] = []

_ndarray = np.ndarray


def _prod(values) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def _list_str(values) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


# -- im2col / col2im on arrays -------------------------------------------------------------
def _pad_array(xp, x, padding, value=0):
    """``x`` with its trailing len(padding) dims padded by (lo, hi) pairs."""
    if not any(lo or hi for lo, hi in padding):
        return x
    n = len(padding)
    lead = x.shape[:x.ndim - n]
    shape = tuple(lead) + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[x.ndim - n:], padding))
    out = xp.full(shape, value, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in
                            zip(x.shape[x.ndim - n:], padding))] = x
    return out


def _out_size(size, k, s, p, d) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _im2col(xp, x, kernel, stride, padding, dilation, out):
    """Columns of ``x`` (N, C, *spatial), laid out (N, C, *kernel, *out) and contiguous: a
    convolution is then one matrix product per sample (and group) over C*K rows and P
    columns, whose result is already (N, C_out, *out)."""
    n = len(kernel)
    xpad = _pad_array(xp, x, [(p, p) for p in padding])
    v = strided_windows(xp, xpad, kernel, stride, dilation, out)  # (N, C, *out, *kernel)
    perm = (0, 1) + tuple(range(2 + n, 2 + 2 * n)) + tuple(range(2, 2 + n))
    return xp.ascontiguousarray(v.transpose(perm))


def _sum_taps(xp, cols, lead, size, kernel, stride, padding, dilation):
    """The adjoint of an im2col: columns ``(*lead, *kernel, *out, *rest)`` (``lead`` axes
    first) summed into an image ``(*lead, *size, *rest)``, one strided add per kernel tap;
    a view of the padded buffer."""
    n = len(kernel)
    shape = cols.shape
    out = shape[lead + n:lead + 2 * n]
    full = tuple(max(s + 2 * p, (o - 1) * st + (k - 1) * d + 1)
                 for s, p, o, st, k, d in zip(size, padding, out, stride, kernel, dilation))
    buf = xp.zeros(shape[:lead] + full + shape[lead + 2 * n:], dtype=cols.dtype)
    pre = (slice(None),) * lead
    for tap in np.ndindex(*kernel):
        sl = tuple(slice(t * d, t * d + (o - 1) * st + 1, st)
                   for t, d, o, st in zip(tap, dilation, out, stride))
        buf[pre + sl] += cols[pre + tap]
    if any(padding) or full != tuple(size):
        buf = buf[pre + tuple(slice(p, p + s) for p, s in zip(padding, size))]
    return buf


def _col2im(xp, cols, size, kernel, stride, padding, dilation):
    """The adjoint of ``_im2col``: columns (N, C, *kernel, *out) summed into a contiguous
    image (N, C, *size)."""
    return xp.ascontiguousarray(_sum_taps(xp, cols, 2, size, kernel, stride, padding,
                                          dilation))


def _batch_last(out, N) -> bool:
    """Lay columns out (C, *K, *P, N) rather than (N, C, *K, *P): small images then copy in
    long runs (a row of output positions times the batch) instead of rows of a few pixels,
    and make one long matrix product instead of N small ones."""
    return N >= 8 and _prod(out) < 256


def _to_nl(xp, x):
    """(N, C, *S) as a contiguous (C, *S, N)."""
    n = x.ndim - 2
    return xp.ascontiguousarray(x.transpose((1,) + tuple(range(2, 2 + n)) + (0,)))


def _from_nl(xp, y, bias=None):
    """(C, *S, N) as a contiguous (N, C, *S), plus ``bias`` per channel in the same pass."""
    n = y.ndim - 2
    y = y.transpose((n + 1, 0) + tuple(range(1, n + 1)))
    if bias is None or not bias.shape[0]:
        return xp.ascontiguousarray(y)
    return xp.add(y, bias.reshape((-1,) + (1,) * n), out=xp.empty(y.shape, dtype=y.dtype))


def _im2col_nl(xp, x, kernel, stride, padding, dilation, out):
    """Columns of ``x`` (N, C, *spatial) laid out (C, *kernel, *out, N), contiguous."""
    n = len(kernel)
    C, N = x.shape[1], x.shape[0]
    size = x.shape[2:]
    xt = x.transpose((1,) + tuple(range(2, 2 + n)) + (0,))  # (C, *S, N)
    if any(padding):  # the transposing copy goes straight into the padded buffer
        full = xp.zeros((C,) + tuple(s + 2 * p for s, p in zip(size, padding)) + (N,),
                        dtype=x.dtype)
        full[(slice(None),) + tuple(slice(p, p + s) for p, s in zip(padding, size))] = xt
        xt = full
    else:
        xt = xp.ascontiguousarray(xt)
    v = strided_windows_at(xp, xt, 1, kernel, stride, dilation, out)  # (C, *out, *K, N)
    perm = (0,) + tuple(range(1 + n, 1 + 2 * n)) + tuple(range(1, 1 + n)) + (1 + 2 * n,)
    return xp.ascontiguousarray(v.transpose(perm))


def _conv_arrays(xp, x, w, b, stride, padding, dilation, groups, cache=None):
    """Cross-correlation of ``x`` (N, C, *L) with ``w`` (O, C/groups, *K) plus the bias
    ``b`` (empty: none); the columns are left in ``cache`` (a list) for the weight
    gradient."""
    n = w.ndim - 2
    kernel = w.shape[2:]
    out = tuple(_out_size(x.shape[2 + i], kernel[i], stride[i], padding[i], dilation[i])
                for i in range(n))
    N, O = x.shape[0], w.shape[0]
    P = _prod(out)
    w2 = w.reshape(groups, O // groups, -1)
    if _batch_last(out, N):
        cols = _im2col_nl(xp, x, kernel, stride, padding, dilation, out)
        cols = cols.reshape(groups, w2.shape[2], N * P)
        y = xp.matmul(w2, cols) if groups > 1 else (w2[0] @ cols[0])[None]
        y = _from_nl(xp, y.reshape((O,) + out + (N,)), b)
    else:
        cols = _im2col(xp, x, kernel, stride, padding, dilation, out)
        cols = cols.reshape(N, groups, w2.shape[2], P)
        y = xp.matmul(w2, cols).reshape((N, O) + out)  # one product per sample and group
        if b.shape[0]:
            y += b.reshape((-1,) + (1,) * n)  # y is a fresh array of ours
    if cache is not None:
        cache.append(cols)
    return y


def _conv_t_arrays(xp, x, w, b, stride, padding, output_padding, dilation, groups):
    """Transposed convolution of ``x`` (N, Cin, *P) with ``w`` (Cin, Cout/groups, *K), plus
    the bias ``b`` (empty: none)."""
    n = w.ndim - 2
    kernel = w.shape[2:]
    P = x.shape[2:]
    size = tuple((P[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1)
                 + output_padding[i] + 1 for i in range(n))
    N, cin, og = x.shape[0], x.shape[1], w.shape[1]
    w2 = w.reshape(groups, cin // groups, og * _prod(kernel)).transpose(0, 2, 1)
    cols = xp.matmul(w2, x.reshape(N, groups, cin // groups, _prod(P)))  # (N, G, og*K, P)
    cols = cols.reshape((N, groups * og) + tuple(kernel) + tuple(P))
    y = _col2im(xp, cols, size, kernel, stride, padding, dilation)
    if b.shape[0]:
        y += b.reshape((-1,) + (1,) * n)
    return y


class Convolution(Op):
    """N-d convolution (``transposed``: its adjoint) with an optional bias."""

    args = ("input", "weight", "bias")
    saves = ("input", "weight")
    array_vjp = True  # the vjp takes an array path of its own in a first-order backward

    def forward(xp, x, w, b, *, stride, padding, dilation, transposed, output_padding,
                groups, need, cache=None):
        if transposed:
            return _conv_t_arrays(xp, x, w, b, stride, padding, output_padding, dilation,
                                  groups)
        return _conv_arrays(xp, x, w, b, stride, padding, dilation, groups, cache)

    def vjp(g, out, x, w, b, *, stride, padding, dilation, transposed, output_padding,
            groups, need, cache=None):
        if g.__class__ is _ndarray:
            cols = cache.pop() if cache else None  # the forward's columns, used once
            return _conv_vjp_arrays(g, x, w, stride, padding, dilation, transposed, groups,
                                    need, cols)
        n = w.ndim - 2
        gx = gw = gb = None
        attrs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        if transposed:
            if need[0]:
                gx = _conv(g, w, transposed=False, output_padding=(0,) * n, **attrs)
                gx = _narrow_to(gx, x.shape[2:])
            if need[1]:
                gw = _weight_grad(g, x, w.shape, stride, padding, dilation, groups)
        else:
            if need[0]:
                size = _conv_t_size(g.shape[2:], w.shape[2:], stride, padding, dilation)
                opad = tuple(a - b for a, b in zip(x.shape[2:], size))
                gx = _conv(g, w, transposed=True, output_padding=opad, **attrs)
            if need[1]:
                gw = _weight_grad(x, g, w.shape, stride, padding, dilation, groups)
        if need[2]:
            gb = g.sum((0,) + tuple(range(2, 2 + n)))
        return gx, gw, gb


def _conv_t_size(P, kernel, stride, padding, dilation) -> tuple:
    return tuple((p - 1) * s - 2 * q + d * (k - 1) + 1
                 for p, k, s, q, d in zip(P, kernel, stride, padding, dilation))


def _no_bias(dtype) -> Tensor:
    return Tensor._make(np.zeros((0,), dtype=dtype))


def _conv(x: Tensor, w: Tensor, bias=None, **attrs) -> Tensor:
    b = _no_bias(x._data.dtype) if bias is None else bias
    need = (x._rg, w._rg, b._rg)
    if need[1] and not attrs["transposed"] and _grad_state.enabled:
        attrs["cache"] = []  # the forward's columns, kept for the weight gradient
    return apply(Convolution, x, w, b, need=need, **attrs)


def _narrow_to(t: Tensor, size) -> Tensor:
    for i, s in enumerate(size):
        if t.shape[2 + i] != s:
            t = t.narrow(2 + i, 0, s)
    return t


def _weight_grad(x: Tensor, g: Tensor, wshape, stride, padding, dilation, groups) -> Tensor:
    """d(conv(x, w))/dw contracted with ``g``, as a convolution of ``x`` with ``g``:
    sample and channel axes trade places and stride and dilation swap roles."""
    n = x.ndim - 2
    N, C = x.shape[0], x.shape[1]
    O = g.shape[1]
    cg, og = C // groups, O // groups
    sp = tuple(range(3, 3 + n))
    xs = x.reshape((N, groups, cg) + tuple(x.shape[2:])).permute((2, 1, 0) + sp)
    xs = xs.reshape((cg, groups * N) + tuple(x.shape[2:]))
    gs = g.reshape((N, groups, og) + tuple(g.shape[2:])).permute((1, 2, 0) + sp)
    gs = gs.reshape((groups * og, N) + tuple(g.shape[2:]))
    r = _conv(xs, gs, stride=dilation, padding=padding, dilation=stride, groups=groups,
              transposed=False, output_padding=(0,) * n)  # (cg, O, K')
    r = _narrow_to(r, wshape[2:])
    return r.transpose(0, 1)


def _conv_vjp_arrays(g, x, w, stride, padding, dilation, transposed, groups, need,
                     cols=None):
    """The first-order vjp of ``Convolution`` on arrays: matrix products over the layouts
    of ``_conv_arrays`` (``cols``: the forward's columns, when it kept them)."""
    xp = np
    kernel = w.shape[2:]
    K = _prod(kernel)
    N = x.shape[0]
    gx = gw = gb = None
    if transposed:
        cin, og = w.shape[0], w.shape[1]
        P = _prod(x.shape[2:])
        cols = _im2col(xp, g, kernel, stride, padding, dilation, x.shape[2:])
        cols = cols.reshape(N, groups, og * K, P)
        if need[0]:
            w2 = w.reshape(groups, cin // groups, og * K)
            gx = xp.matmul(w2, cols).reshape(x.shape)
        if need[1]:
            x4 = x.reshape(N, groups, cin // groups, P)
            gw = xp.matmul(x4, cols.transpose(0, 1, 3, 2)).sum(0).reshape(w.shape)
        if need[2]:
            gb = g.reshape(N, g.shape[1], -1).sum(-1).sum(0)
        return gx, gw, gb
    O, cg = w.shape[0], w.shape[1]
    og = O // groups
    out = g.shape[2:]
    P = _prod(out)
    w2t = w.reshape(groups, og, cg * K).transpose(0, 2, 1)  # (G, cg*K, og)
    if cols is not None and cols.dtype != x.dtype:
        cols = None
    if _batch_last(out, N):  # columns (G, cg*K, P*N)
        g2 = _to_nl(xp, g).reshape(groups, og, P * N)
        if need[0]:
            gcols = xp.matmul(w2t, g2).reshape((groups * cg,) + tuple(kernel) + out + (N,))
            gx = _from_nl(xp, _sum_taps(xp, gcols, 1, x.shape[2:], kernel, stride, padding,
                                        dilation))
        if need[1]:
            if cols is None:
                cols = _im2col_nl(xp, x, kernel, stride, padding, dilation, out)
                cols = cols.reshape(groups, cg * K, P * N)
            # (columns x gradient) transposed: BLAS runs this orientation faster
            gw = xp.matmul(cols, g2.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w.shape)
        if need[2]:
            gb = g2.sum(-1).reshape(O)
        return gx, gw, gb
    g4 = g.reshape(N, groups, og, P)  # columns (N, G, cg*K, P): one product per sample
    if need[0]:
        gcols = xp.matmul(w2t, g4).reshape((N, groups * cg) + tuple(kernel) + out)
        gx = _col2im(xp, gcols, x.shape[2:], kernel, stride, padding, dilation)
    if need[1]:
        if cols is None:
            cols = _im2col(xp, x, kernel, stride, padding, dilation, out)
            cols = cols.reshape(N, groups, cg * K, P)
        gw = xp.matmul(g4, cols.transpose(0, 1, 3, 2)).sum(0).reshape(w.shape)
    if need[2]:
        gb = g4.sum(-1).sum(0).reshape(O)
    return gx, gw, gb


# -- public convolutions ---------------------------------------------------------------------
def _expand(value, n: int, name: str) -> tuple:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    vals = tuple(value)
    if len(vals) == 1:
        return (int(vals[0]),) * n
    if len(vals) != n:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to match "
            f"the convolution dimensions, but got {name}={_list_str(vals)}")
    return tuple(int(v) for v in vals)


def _type_name(d) -> str:
    from ..dtypes import FROM_NP
    from ..tensor import _c_name

    return _c_name(FROM_NP[d])


def _conv_public(fn: str, nd: int, input, weight, bias, stride, padding, dilation, groups,
                 transposed: bool, output_padding=0) -> Tensor:
    for name, v, pos in (("input", input, 1), ("weight", weight, 2)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{fn}, but got input of size: {_list_str(input.shape)}")
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    if weight.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    k = weight.ndim - 2
    stride_t = _expand(stride, nd, "stride")
    stride_t = _expand(stride_t, k, "stride")
    dil = _expand(_expand(dilation, nd, "dilation"), k, "dilation")
    same_pad = None
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
        if padding == "valid":
            pads = (0,) * k
        elif padding == "same":
            if any(s != 1 for s in stride_t):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (kk - 1) for d, kk in zip(dil, weight.shape[2:])]
            pads = tuple(t // 2 for t in total)
            same_pad = [t % 2 for t in total]
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = _expand(_expand(padding, nd, "padding"), k, "padding")
    opad = _expand(_expand(output_padding, nd, "output_padding"), k, "output_padding")
    xd, wd = x._data, weight._data
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in opad):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride_t):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dil):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.ndim != weight.ndim:
        raise RuntimeError(
            f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
            f"{_list_str(weight.shape)}, but got {x.ndim}-dimensional input of size "
            f"{_list_str(x.shape)} instead")
    ws = _list_str(weight.shape)
    if wd.shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if wd.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    if transposed:
        if xd.shape[1] != wd.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {ws}, expected input{_list_str(xd.shape)} "
                f"to have {wd.shape[0]} channels, but got {xd.shape[1]} channels instead")
        cout = wd.shape[1] * groups
        if bias is not None and (bias.ndim != 1 or bias.shape[0] != cout):
            raise RuntimeError(
                f"Given transposed=1, weight of size {ws}, expected bias to be 1-dimensional "
                f"with {cout} elements, but got bias of size {_list_str(bias.shape)} instead")
        if any(o >= s and o >= d for o, s, d in zip(opad, stride_t, dil)):
            raise RuntimeError(_opad_message(opad, stride_t, dil))
        size = [a + o for a, o in zip(_conv_t_size(xd.shape[2:], wd.shape[2:], stride_t, pads,
                                                   dil), opad)]
        if any(v < 1 for v in size):
            one = (1,) if k == 1 else ()  # PyTorch runs a 1-D convolution as a 2-D one
            raise RuntimeError(
                "Given input size per channel: "
                f"({' x '.join(map(str, one + xd.shape[2:]))}). Calculated output size per "
                f"channel: ({' x '.join(map(str, one + tuple(size)))}). Output size is too "
                "small")
    else:
        if xd.shape[1] != wd.shape[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {ws}, expected input"
                f"{_list_str(xd.shape)} to have {wd.shape[1] * groups} channels, but got "
                f"{xd.shape[1]} channels instead")
        if bias is not None and (bias.ndim != 1 or bias.shape[0] != wd.shape[0]):
            raise RuntimeError(
                f"Given weight of size {ws}, expected bias to be 1-dimensional with "
                f"{wd.shape[0]} elements, but got bias of size {_list_str(bias.shape)} instead")
        padded = [s + 2 * p + (same_pad[i] if same_pad else 0)
                  for i, (s, p) in enumerate(zip(xd.shape[2:], pads))]
        eff = [d * (kk - 1) + 1 for d, kk in zip(dil, wd.shape[2:])]
        if any(e > s for e, s in zip(eff, padded)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater "
                "than actual input size")
    if xd.dtype != wd.dtype:
        if xd.dtype.kind == "f" and wd.dtype.kind == "f" and xd.dtype.itemsize < 8:
            raise RuntimeError(
                f"Input type ({_legacy(xd.dtype)}) and weight type ({_legacy(wd.dtype)}) "
                "should be the same or input should be a MKLDNN tensor and weight is a dense "
                "tensor")
        raise RuntimeError(f"expected scalar type {_scalar_name(xd.dtype)} but found "
                           f"{_scalar_name(wd.dtype)}")
    if bias is not None and bias._data.dtype != xd.dtype:
        raise RuntimeError(f"Input type ({_type_name(xd.dtype).lower()}) and bias type "
                           f"({_type_name(bias._data.dtype).lower()}) should be the same")
    if same_pad and any(same_pad):
        # An even kernel: PyTorch pads the far side by one first, then pads symmetrically.
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may "
                      "require a zero-padded copy of the input be created", UserWarning,
                      stacklevel=3)
        extra = []
        for e in reversed(same_pad):
            extra += [0, e]
        x = pad(x, tuple(extra))
    y = _conv(x, weight, bias, stride=stride_t, padding=pads, dilation=dil, groups=groups,
              transposed=transposed, output_padding=opad)
    return y if batched else y.squeeze(0)


_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _scalar_name(d) -> str:
    """PyTorch's ScalarType name ('Float', 'Double', 'Long' ...)."""
    return _SCALAR.get(np.dtype(d).name, np.dtype(d).name)


def _legacy(d) -> str:
    return f"torch.{_scalar_name(d)}Tensor"


def _opad_message(opad, stride, dil) -> str:
    names = {1: ["width"], 2: ["height", "width"], 3: ["depth", "height", "width"]}[len(opad)]
    parts = [f"output_padding_{a}: {v}" for a, v in zip(names, opad)]
    parts += [f"stride_{a}: {v}" for a, v in zip(names, stride)]
    parts += [f"dilation_{a}: {v}" for a, v in zip(names, dil)]
    return "output padding must be smaller than either stride or dilation, but got " + \
        " ".join(parts)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C, L) (or unbatched (C, L)) input.

    >>> F.conv1d(leafgrad.ones(1, 1, 4), leafgrad.ones(1, 1, 2)).shape
    torch.Size([1, 1, 3])
    """
    return _conv_public("conv1d", 1, input, weight, bias, stride, padding, dilation, groups,
                        False)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-D cross-correlation over (N, C, H, W) (or unbatched (C, H, W)) input.

    >>> F.conv2d(leafgrad.ones(1, 1, 4, 4), leafgrad.ones(2, 1, 3, 3), padding=1).shape
    torch.Size([1, 2, 4, 4])
    """
    return _conv_public("conv2d", 2, input, weight, bias, stride, padding, dilation, groups,
                        False)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W) (or unbatched) input."""
    return _conv_public("conv3d", 3, input, weight, bias, stride, padding, dilation, groups,
                        False)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The transposed 1-D convolution (the adjoint of ``conv1d``); weight (Cin, Cout/g, K)."""
    return _conv_public("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation,
                        groups, True, output_padding)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The transposed 2-D convolution (the adjoint of ``conv2d``).

    >>> F.conv_transpose2d(leafgrad.ones(1, 1, 2, 2), leafgrad.ones(1, 1, 3, 3)).shape
    torch.Size([1, 1, 4, 4])
    """
    return _conv_public("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation,
                        groups, True, output_padding)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """The transposed 3-D convolution (the adjoint of ``conv3d``)."""
    return _conv_public("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation,
                        groups, True, output_padding)




# -- adjoint pairs of linear maps -----------------------------------------------------------
def _adjoint_pair(fwd_name: str, bwd_name: str, forward, adjoint) -> tuple:
    """Two single-input Ops, each the other's vjp: a linear map and its adjoint.

    ``forward(xp, x, **attrs)`` and ``adjoint(xp, g, **attrs)`` run on arrays.
    """

    class Fwd(Op):
        name = fwd_name
        array_vjp = True  # arrays in a first-order backward: the adjoint on arrays

        def forward(xp, x, **attrs):
            return forward(xp, x, **attrs)

        def vjp(g, out, x, **attrs):
            if g.__class__ is _ndarray:
                return adjoint(np, g, **attrs)
            return apply(Bwd, g, **attrs)

    class Bwd(Op):
        name = bwd_name
        array_vjp = True

        def forward(xp, g, **attrs):
            return adjoint(xp, g, **attrs)

        def vjp(gg, out, g, **attrs):
            if gg.__class__ is _ndarray:
                return forward(np, gg, **attrs)
            return apply(Fwd, gg, **attrs)

    Fwd.__name__ = Fwd.__qualname__ = fwd_name.replace("Backward0", "")
    Bwd.__name__ = Bwd.__qualname__ = bwd_name.replace("Backward0", "")
    return Fwd, Bwd


def _apply_mats(xp, x, *, mats):
    """Matrix ``mats[i]`` (out_i, in_i) applied along trailing dim i (a separable map)."""
    lead = x.ndim - len(mats)
    for a in mats:
        x = xp.tensordot(x, a.astype(x.dtype, copy=False), axes=([lead], [1]))
    return xp.ascontiguousarray(x)


def _apply_mats_t(xp, g, *, mats):
    lead = g.ndim - len(mats)
    for a in mats:
        g = xp.tensordot(g, a.T.astype(g.dtype, copy=False), axes=([lead], [1]))
    return xp.ascontiguousarray(g)


def _mat_pairs(name: str) -> tuple:
    return _adjoint_pair(name + "Backward0", name + "BackwardBackward0", _apply_mats,
                         _apply_mats_t)


_MAT_OPS: dict = {}


def _mat_op(name: str, x: Tensor, mats: tuple, **shown) -> Tensor:
    """Apply a separable linear map recorded as node ``<name>Backward0``."""
    op = _MAT_OPS.get(name)
    if op is None:
        op = _MAT_OPS[name] = _mat_pairs(name)[0]
    return apply(op, x, mats=tuple(mats), **shown)


def _take(xp, x, *, index, size):
    """Gather along the flattened trailing ``len(size)`` dims at flat ``index``: shared by
    every leading plane (index.ndim == len(size)) or one per plane (index.ndim == x.ndim)."""
    n = len(size)
    lead = x.shape[:x.ndim - n]
    m = _prod(lead)
    x2 = x.reshape(m, _prod(size))
    if index.ndim == n:
        return x2[:, index.ravel()].reshape(tuple(lead) + index.shape)
    return xp.take_along_axis(x2, index.reshape(m, -1), 1).reshape(index.shape)


def _put(xp, g, *, index, size):
    """The adjoint of ``_take``: ``g`` summed back into the flat positions ``index``."""
    n = len(size)
    k = index.ndim if index.ndim == n else n
    lead = g.shape[:g.ndim - k]
    m = _prod(lead)
    s = _prod(size)
    flat = index.reshape(1, -1) if index.ndim == n else index.reshape(m, -1)
    w = g.reshape(m, -1)
    if flat.size and int(flat.max()) >= s:  # a window with no element inside (PyTorch: no grad)
        w = xp.where(flat < s, w, 0)
        flat = xp.minimum(flat, s - 1)
    flat = flat + (xp.arange(m, dtype=flat.dtype) * s)[:, None]
    out = bincount_add(xp, flat, w, m * s)
    return out.astype(g.dtype, copy=False).reshape(tuple(lead) + tuple(size))


_INDEX_OPS: dict = {}


def _index_op(name: str, adjoint: bool = False) -> type:
    """``<name>Backward0`` as a gather (its vjp a scatter-add); ``adjoint``: the scatter."""
    pair = _INDEX_OPS.get(name)
    if pair is None:
        first = name if name == "CopySlices" else name + "Backward0"
        pair = _INDEX_OPS[name] = _adjoint_pair(first, name + "BackwardBackward0",
                                                _take, _put)
    return pair[1] if adjoint else pair[0]


# -- padding --------------------------------------------------------------------------------
class ConstantPadNd(Op):
    """Constant padding of the trailing dims (negative pads crop)."""

    array_vjp = True

    def forward(xp, x, *, pad, value):
        n = len(pad) // 2
        lead = x.ndim - n
        shape = list(x.shape)
        src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
        for i in range(n):
            lo, hi = pad[2 * i], pad[2 * i + 1]
            d = x.ndim - 1 - i
            size = x.shape[d]
            shape[d] = size + lo + hi
            src[d] = slice(max(-lo, 0), size - max(-hi, 0))
            dst[d] = slice(max(lo, 0), max(lo, 0) + max(size - max(-lo, 0) - max(-hi, 0), 0))
        del lead
        out = xp.full(tuple(shape), value, dtype=x.dtype)
        if all(s > 0 for s in shape):
            out[tuple(dst)] = x[tuple(src)]
        return out

    def vjp(g, out, x, *, pad, value):
        neg = tuple(-p for p in pad)
        if g.__class__ is _ndarray:
            return ConstantPadNd.forward(np, g, pad=neg, value=0)
        return apply(ConstantPadNd, g, pad=neg, value=0)


def _pad_index(mode: str, size: int, lo: int, hi: int):
    i = np.arange(-lo, size + hi)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i > size - 1, 2 * (size - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, size - 1)
    else:
        i = i % size
    return i


_PAD_NAMES = {"reflect": "ReflectionPad{}D", "replicate": "ReplicationPad{}D",
              "circular": "CopySlices"}
_PAD_MSG = ("Padding size {p} is not supported for {d}D input tensor.\nSupported combinations "
            "for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last "
            "dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D "
            "or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the trailing dims: ``pad`` = (last_lo, last_hi, second_last_lo, ...).

    >>> F.pad(leafgrad.ones(2, 2), (1, 0)).shape
    torch.Size([2, 3])
    """
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pads) // 2
    if mode == "constant":
        if n > input.ndim:
            raise RuntimeError(
                "Padding length should be less than or equal to two times the input dimension "
                f"but got padding length {len(pads)} and input of dimension {input.ndim}")
        for i in range(n):
            d = input.ndim - 1 - i
            if input.shape[d] + pads[2 * i] + pads[2 * i + 1] < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        v = 0 if value is None else value
        return apply(ConstantPadNd, input, pad=pads, value=v)
    if mode not in _PAD_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if n not in (1, 2, 3) or input.ndim not in (n + 1, n + 2):
        raise NotImplementedError(_PAD_MSG.format(p=len(pads), d=input.ndim))
    shape = input.shape
    if mode != "circular" and any(shape[j] == 0 for j in range(input.ndim - n - 1, input.ndim)):
        raise RuntimeError(
            f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 batch size "
            f"and other non-zero dimensions for input, but got: {_list_str(shape)}")
    idx = []
    for i in range(n):
        d = input.ndim - n + i
        lo, hi = pads[2 * (n - 1 - i)], pads[2 * (n - 1 - i) + 1]
        size = shape[d]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(
                f"Argument #{2 + 2 * n}: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                f"{_list_str(shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        idx.append(_pad_index(mode, size, lo, hi))
    sizes = tuple(shape[input.ndim - n:])
    flat = np.zeros(tuple(len(i) for i in idx), dtype=np.int64)
    for i, ix in enumerate(idx):
        shp = [1] * n
        shp[i] = len(ix)
        flat = flat * sizes[i] + ix.reshape(shp)
    name = _PAD_NAMES[mode].format(n)
    return apply(_index_op(name), input, index=flat, size=sizes)


# -- pooling --------------------------------------------------------------------------------
_WORDS = {1: "one", 2: "two", 3: "three"}


def _pool_tuple(fn: str, value, nd: int, what: str, allow_none: bool = False) -> tuple | None:
    """kernel_size/stride/padding/dilation as an nd-tuple, with PyTorch's messages."""
    if allow_none and (value is None or (isinstance(value, (list, tuple)) and not value)):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * nd
    vals = tuple(value)
    if len(vals) == 1 or len(vals) == nd:
        return tuple(int(v) for v in vals) * (nd if len(vals) == 1 else 1)
    w = _WORDS[nd]
    if fn == "avg_pool3d":
        tail = {"kernel_size": "must be a single int", "stride": "must be omitted, a single int",
                "padding": "must be a single int"}[what]
    else:
        tail = {"kernel_size": "must either be a single int",
                "stride": "must either be omitted, a single int",
                "padding": "must either be a single int",
                "dilation": "must be either a single int"}[what]
    raise RuntimeError(f"{fn}: {what} {tail}, or a tuple of {w} ints")


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    out = num // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


_AXES = {1: ("W",), 2: ("H", "W"), 3: ("T", "H", "W")}


def _pool_shapes(x: Tensor, kernel, stride, padding, dilation, ceil: bool) -> tuple:
    """Output sizes of a pooling, checked as PyTorch checks them."""
    n = len(kernel)
    size = x.shape[x.ndim - n:]
    out = []
    for i in range(n):
        if stride[i] == 0:
            raise RuntimeError("stride should not be zero")
        if padding[i] < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {padding[i]}")
        if padding[i] > int(((kernel[i] - 1) * dilation[i] + 1) / 2):  # C's division
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={padding[i]}, kernel_size={kernel[i]} and dilation={dilation[i]}")
        out.append(_pool_out(size[i], kernel[i], stride[i], padding[i], dilation[i], ceil))
    ax = _AXES[n]
    if any(k <= 0 for k in kernel):
        raise RuntimeError("kernel size should be greater than zero, but got " +
                           " ".join(f"k{a}: {k}" for a, k in zip(ax, kernel)))
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should be greater than zero, but got " +
                           " ".join(f"d{a}: {s}" for a, s in zip(ax, stride)))
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{a}: {d}" for a, d in zip(ax, dilation)))
    return tuple(out)


def _too_small(x: Tensor, out, n: int) -> None:
    if any(o < 1 for o in out):
        c = x.shape[x.ndim - n - 1]
        size = "x".join(str(s) for s in (c,) + tuple(x.shape[x.ndim - n:]))
        osz = "x".join(str(s) for s in (c,) + tuple(out))
        raise RuntimeError(f"Given input size: ({size}). Calculated output size: ({osz}). "
                           "Output size is too small")


def _pool_input(x: Tensor, nd: int) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    if any(s == 0 for s in x.shape[x.ndim - nd - 1:]):
        raise RuntimeError(
            f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch "
            f"size for input, but got:{_list_str(x.shape)}")


def _tile_views(x, kernel, out) -> list:
    """One strided view per tap of windows that tile the trailing dims of ``x`` (stride =
    kernel, no padding or dilation), each shaped like the pooled output, in scan order.
    Splitting an axis in two never copies, so writes through the views reach ``x``."""
    n = len(kernel)
    crop = x[(Ellipsis,) + tuple(slice(0, o * k) for o, k in zip(out, kernel))]
    split = sum(((o, k) for o, k in zip(out, kernel)), ())
    xr = crop.reshape(x.shape[:x.ndim - n] + split)
    return [xr[(Ellipsis,) + sum(((slice(None), t) for t in tap), ())]
            for tap in np.ndindex(*kernel)]


def _tile_max(xp, x, kernel, out, first=False):
    """The max over windows that tile ``x``, NaN propagating. ``first``: also, per window,
    the first tap holding its maximum (None when a window holds a NaN, whose rule, the last
    NaN wins, ``_max_pool_tiles`` applies).

    The taps are first copied out side by side: NumPy's loops over strided views run rows
    of a few elements and cost several times a copy, and the comparisons then run on
    contiguous rows."""
    views = _tile_views(x, kernel, out)
    taps = xp.empty((len(views),) + views[0].shape, dtype=x.dtype)
    for t, v in zip(taps, views):
        xp.copyto(t, v)
    best = taps[0].copy()
    if not first:
        for t in taps[1:]:
            xp.maximum(best, t, out=best)
        return best
    win = xp.zeros(best.shape, dtype=xp.uint8 if len(views) < 256 else xp.int32)
    for tap, t in enumerate(taps[1:], 1):
        # a strict win moves the tap forward: ties stay with the earlier tap; taps only
        # grow, so max(win, tap where it won) sets it
        won = xp.greater(t, best).view(xp.uint8) if win.dtype == xp.uint8 else \
            xp.greater(t, best).astype(win.dtype)
        xp.maximum(best, t, out=best)
        won *= won.dtype.type(tap)
        xp.maximum(win, won, out=win)
    if x.dtype.kind == "f" and xp.isnan(best).any():
        win = None
    return best, win


def _tile_scatter(xp, g, win, shape, kernel, out):
    """The gradient of a tiling max: each window's ``g`` written to its winning tap (``win``
    from ``_tile_max``), a strided view per tap; zeros elsewhere."""
    covered = all(o * k == s for o, k, s in zip(out, kernel, shape[len(shape) - len(kernel):]))
    gx = (xp.empty if covered else xp.zeros)(shape, dtype=g.dtype)
    for tap, view in enumerate(_tile_views(gx, kernel, out)):
        xp.multiply(g, win == tap, out=view)
    return gx


def _max_pool_tiles(xp, x, kernel, out):
    """``_max_pool_arrays`` for windows that tile the input (stride = kernel, no padding or
    dilation): ``_tile_max``'s winning taps turned into flat per-plane indices."""
    n = len(kernel)
    size = x.shape[x.ndim - n:]
    best, win = _tile_max(xp, x, kernel, out, True)
    if win is None:  # a NaN: the last NaN of a window is its index; scan the taps in order
        views = _tile_views(x, kernel, out)
        best = views[0].copy()
        win = xp.zeros(best.shape, dtype=xp.int32)
        for k, val in enumerate(views[1:], 1):
            m = (val > best) | xp.isnan(val)
            xp.copyto(best, val, where=m)
            xp.copyto(win, k, where=m)
    places = [1] * n
    for i in range(n - 2, -1, -1):
        places[i] = places[i + 1] * size[i + 1]
    base = 0
    for i, (o, k) in enumerate(zip(out, kernel)):
        shp = [1] * n
        shp[i] = -1
        base = base + (xp.arange(o) * (k * places[i])).reshape(shp)
    offsets = xp.array([sum(t * p for t, p in zip(tap, places)) for tap in np.ndindex(*kernel)])
    return best, offsets[win] + base


def _max_pool_arrays(xp, x, kernel, stride, padding, dilation, out):
    """Max and flat per-plane argmax over each window; PyTorch's rule: the first maximum in
    scan order wins, a NaN beats anything (the last NaN wins), padding never wins."""
    n = len(kernel)
    if _tiles(x.shape, kernel, stride, padding, dilation, out):
        return _max_pool_tiles(xp, x, kernel, out)
    size = x.shape[x.ndim - n:]
    lead = x.shape[:x.ndim - n]
    hi = [max((o - 1) * s + (k - 1) * d + 1 - p - L, 0)
          for o, s, k, d, p, L in zip(out, stride, kernel, dilation, padding, size)]
    low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    xpad = _pad_array(xp, x, list(zip(padding, hi)), low)
    v = strided_windows(xp, xpad, kernel, stride, dilation, out)
    starts = [xp.arange(o) * s - p for o, s, p in zip(out, stride, padding)]
    places = [1] * n
    for i in range(n - 2, -1, -1):
        places[i] = places[i + 1] * size[i + 1]

    def flat(pos):
        total = 0
        for i, q in enumerate(pos):
            shp = [1] * n
            shp[i] = -1
            total = total + (q * places[i]).reshape(shp)
        return total

    first = [st + d * (((-st).clip(0) + d - 1) // d) for st, d in zip(starts, dilation)]
    best = xp.full(tuple(lead) + tuple(out), low, dtype=x.dtype)
    idx = xp.empty(tuple(lead) + tuple(out), dtype=xp.int64)
    idx[...] = flat(first)
    isf = x.dtype.kind == "f"
    for tap in np.ndindex(*kernel):
        val = v[(Ellipsis,) + tap]
        m = val > best
        if isf:
            m |= xp.isnan(val)
        xp.copyto(best, val, where=m)
        xp.copyto(idx, xp.broadcast_to(flat([st + t * d for st, t, d in
                                             zip(starts, tap, dilation)]), idx.shape), where=m)
    return best, idx


def _indices_vjp(name: str):
    """The vjp of a max-with-indices op: ``g`` scattered to the argmax positions."""

    def vjp(g, out, x, *, size, **attrs):
        idx = out[1]
        if g[0].__class__ is _ndarray:
            return _put(np, g[0], index=idx, size=size)
        return apply(_index_op(name, adjoint=True), g[0], index=idx._data, size=size)

    return vjp


_MAX_OPS: dict = {}


def _max_op(name: str, forward) -> type:
    """A (values, indices) op recorded as ``<name>Backward0``."""
    op = _MAX_OPS.get(name)
    if op is None:
        op = _MAX_OPS[name] = type(name, (Op,), {
            "name": name + "Backward0", "outputs": 2, "nondiff_outputs": (1,),
            "saves": ("result",), "array_vjp": True, "forward": forward,
            "vjp": _indices_vjp(name), "__doc__": "Max over windows, with flat indices."})
    return op


def _max_pool_forward(xp, x, *, kernel_size, stride, padding, dilation, ceil_mode, out_size,
                      size):
    return _max_pool_arrays(xp, x, kernel_size, stride, padding, dilation, out_size)


def _max_pool_nd(fn: str, nd: int, input, kernel_size, stride, padding, dilation, ceil_mode,
                 return_indices):
    k = _pool_tuple(fn, kernel_size, nd, "kernel_size")
    s = _pool_tuple(fn, stride, nd, "stride", allow_none=True) or k
    p = _pool_tuple(fn, padding, nd, "padding")
    d = _pool_tuple(fn, dilation, nd, "dilation")
    if input.ndim not in (nd + 1, nd + 2):
        _pool_input(input, nd)
    out = _pool_shapes(input, k, s, p, d, ceil_mode)
    if any(q > kk // 2 for q, kk in zip(p, k)):
        if nd == 2:
            raise RuntimeError(
                "pad should be smaller than or equal to half of kernel size, but got "
                f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
    _pool_input(input, nd)
    _too_small(input, out, nd)
    attrs = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=bool(ceil_mode),
                 out_size=out, size=tuple(input.shape[-nd:]))
    if not return_indices and _tiles(input.shape, k, s, p, d, out):
        if input._rg and _grad_state.enabled:
            attrs["cache"] = []
        return apply(_tile_max_op(nd), input, **attrs)
    vals, idx = apply(_max_op(f"MaxPool{nd}DWithIndices", _max_pool_forward), input, **attrs)
    return (vals, idx) if return_indices else vals


def _tiles(shape, kernel, stride, padding, dilation, out) -> bool:
    """Whether the pooling windows tile the input: stride = kernel, no padding, no dilation,
    every window inside."""
    return tuple(stride) == tuple(kernel) and not any(padding) and \
        all(d == 1 for d in dilation) and \
        all(o * k <= s for o, k, s in zip(out, kernel, shape[len(shape) - len(kernel):]))


_TILE_OPS: dict = {}


def _tile_max_op(nd: int) -> type:
    """Max pooling over tiling windows without indices (``max_pool2d(x, 2)``): the max is a
    pass per tap and the backward writes each tap's share through a strided view, rather than
    scattering through flat indices; named as PyTorch names every max pooling node."""
    op = _TILE_OPS.get(nd)
    if op is not None:
        return op
    base = f"MaxPool{nd}DWithIndices"

    class MaxPoolTiles(Op):
        name = base + "Backward0"
        saves = ("self",)
        array_vjp = True

        def forward(xp, x, *, kernel_size, out_size, cache=None, **attrs):
            if cache is None:
                return _tile_max(xp, x, kernel_size, out_size)
            best, win = _tile_max(xp, x, kernel_size, out_size, True)
            cache.append(win)  # the winning taps, for the backward (used once)
            return best

        def vjp(g, out, x, *, kernel_size, out_size, size, cache=None, **attrs):
            if g.__class__ is _ndarray:
                win = cache.pop() if cache else _tile_max(np, x, kernel_size, out_size, True)[1]
                if win is not None:
                    return _tile_scatter(np, g, win, x.shape, kernel_size, out_size)
                return _put(np, g, index=_max_pool_tiles(np, x, kernel_size, out_size)[1],
                            size=size)
            idx = _max_pool_tiles(np, x._data, kernel_size, out_size)[1]
            return apply(_index_op(base, adjoint=True), g, index=idx, size=size)

    _TILE_OPS[nd] = MaxPoolTiles
    return MaxPoolTiles


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """2-D max pooling over (N, C, H, W) or (C, H, W); ``return_indices``: also the flat
    per-plane argmax (for ``max_unpool2d``).

    >>> F.max_pool2d(leafgrad.arange(16.).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                        ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _max_pool_nd("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                        ceil_mode, return_indices)


def _one(fn: str, value, what: str) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    vals = tuple(value)
    if len(vals) != 1:
        raise RuntimeError(f"{fn}() {what} must be an int, list of ints or tuple of ints of "
                           f"size 1 but got size {len(vals)}")
    return int(vals[0])


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
               ceil_mode: bool = False, return_indices: bool = False):
    """1-D max pooling over (N, C, L) or (C, L) (as PyTorch: a 2-D pooling of height 1)."""
    if input.ndim not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{_list_str(input.shape)}")
    k = _one("max_pool1d", kernel_size, "kernel_size")
    empty = stride is None or (isinstance(stride, (list, tuple)) and not stride)
    s = k if empty else _one("max_pool1d", stride, "stride")
    p = _one("max_pool1d", padding, "padding")
    d = _one("max_pool1d", dilation, "dilation")
    for what, v in (("kernel_size", k), ("stride", s), ("dilation", d)):
        if v <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {v}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    o = _pool_out(input.shape[-1], k, s, p, d, ceil_mode)
    if o < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")
    r = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, True)
    vals, idx = r[0].squeeze(-2), r[1].squeeze(-2)
    return (vals, idx) if return_indices else vals


def _avg_mat(size: int, k: int, s: int, p: int, out: int, count_include_pad: bool, dtype):
    a = np.zeros((out, size), dtype=dtype)
    for o in range(out):
        start = o * s - p
        end = min(start + k, size + p)
        count = end - start
        lo, hi = max(start, 0), min(end, size)
        if not count_include_pad:
            count = hi - lo
        if hi > lo:
            a[o, lo:hi] = 1 / count
    return a


def _avg_windows(xp, x, *, kernel_size, stride, padding, out_size, size, inv):
    """Window sums (one strided add per tap) times the inverse divisors ``inv``."""
    n = len(kernel_size)
    hi = [max((o - 1) * st + k - p - L, 0)
          for o, st, k, p, L in zip(out_size, stride, kernel_size, padding, size)]
    v = strided_windows(xp, _pad_array(xp, x, list(zip(padding, hi))), kernel_size, stride,
                        (1,) * n, out_size)
    acc = None
    for tap in np.ndindex(*kernel_size):
        t = v[(Ellipsis,) + tap]
        if acc is None:
            acc = t.copy()
        else:
            acc += t
    acc *= inv.astype(acc.dtype, copy=False)
    return acc


def _avg_windows_t(xp, g, *, kernel_size, stride, padding, out_size, size, inv):
    """The adjoint of ``_avg_windows``: ``g * inv`` spread back over every tap."""
    n = len(kernel_size)
    gs = g * inv.astype(g.dtype, copy=False)
    full = tuple(max(L + 2 * p, (o - 1) * st + k)
                 for L, p, o, st, k in zip(size, padding, out_size, stride, kernel_size))
    buf = xp.zeros(g.shape[:g.ndim - n] + full, dtype=g.dtype)
    for tap in np.ndindex(*kernel_size):
        sl = tuple(slice(t, t + (o - 1) * st + 1, st)
                   for t, o, st in zip(tap, out_size, stride))
        buf[(Ellipsis,) + sl] += gs
    crop = tuple(slice(p, p + L) for p, L in zip(padding, size))
    return xp.ascontiguousarray(buf[(Ellipsis,) + crop])


_AVG_OPS: dict = {}


def _avg_op(nd: int) -> type:
    op = _AVG_OPS.get(nd)
    if op is None:
        op = _AVG_OPS[nd] = _adjoint_pair(f"AvgPool{nd}DBackward0",
                                          f"AvgPool{nd}DBackwardBackward0", _avg_windows,
                                          _avg_windows_t)[0]
    return op


def _avg_pool_nd(fn: str, nd: int, input, kernel_size, stride, padding, ceil_mode,
                 count_include_pad, divisor_override):
    k = _pool_tuple(fn, kernel_size, nd, "kernel_size")
    s = _pool_tuple(fn, stride, nd, "stride", allow_none=True) or k
    p = _pool_tuple(fn, padding, nd, "padding")
    if nd == 2 and input.ndim <= nd:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got "
                         f"{-nd - 1})")
    if input.ndim not in (nd + 1, nd + 2):
        _pool_input(input, nd)
    out = _pool_shapes(input, k, s, p, (1,) * nd, ceil_mode)
    _pool_input(input, nd)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if nd == 3 and any(sz < kk for sz, kk in zip(input.shape[-3:], k)):
        t, h, w = input.shape[-3:]
        raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
                           f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    _too_small(input, out, nd)
    if input._data.dtype.kind == "f":
        inv = np.ones(())
        for i in range(nd):
            m = _avg_mat(input.shape[input.ndim - nd + i], k[i], s[i], p[i], out[i],
                         count_include_pad or divisor_override is not None, np.float64)
            inv = np.multiply.outer(inv, m.max(axis=1) if m.size else np.zeros(out[i]))
        if divisor_override is not None:
            inv = np.full(out, 1 / divisor_override)
        return apply(_avg_op(nd), input, kernel_size=k, stride=s, padding=p, out_size=out,
                     size=tuple(input.shape[-nd:]), inv=inv)
    dt = np.float64
    mats = [_avg_mat(input.shape[input.ndim - nd + i], k[i], s[i], p[i], out[i],
                     count_include_pad or divisor_override is not None, dt) for i in range(nd)]
    if divisor_override is not None:
        mats = [(m > 0).astype(dt) for m in mats]
        mats[0] = mats[0] / divisor_override
    return _mat_op(f"AvgPool{nd}D", input, mats)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling over (N, C, H, W) or (C, H, W).

    >>> F.avg_pool2d(leafgrad.ones(1, 1, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2])
    """
    return _avg_pool_nd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                        count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool_nd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                        count_include_pad, divisor_override)


def _dims_2_to_3(fn: str, x: Tensor) -> None:
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {fn})")


def _one_int(fn: str, value, what: str) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    vals = tuple(value)
    if len(vals) != 1:
        raise RuntimeError(f"{fn}() argument '{what}' should contain one int (got {len(vals)})")
    return int(vals[0])


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L) (a 2-D pooling of height 1)."""
    _dims_2_to_3("avg_pool1d", input)
    k = _one_int("avg_pool1d", kernel_size, "kernel_size")
    empty = stride is None or (isinstance(stride, (list, tuple)) and not stride)
    s = k if empty else _one_int("avg_pool1d", stride, "stride")
    p = _one_int("avg_pool1d", padding, "padding")
    y = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return y.squeeze(-2)


def _adaptive_bounds(size: int, out: int) -> list:
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_sizes(fn: str, x: Tensor, output_size, nd: int) -> tuple:
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * nd
    vals = tuple(output_size)
    if len(vals) != nd:
        raise ValueError(f"Input dimension should be at least {nd + 2}")
    return tuple(x.shape[x.ndim - nd + i] if v is None else int(v) for i, v in enumerate(vals))


def _adaptive_checks(fn: str, x: Tensor, out: tuple, nd: int, colon: str = "") -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got"
                           f"{colon} {_list_str(x.shape)}")
    for i in range(1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(
                f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_list_str(x.shape)} with dimension {i} being empty")


def _adaptive_avg_nd(fn: str, nd: int, input: Tensor, output_size) -> Tensor:
    out = _adaptive_sizes(fn, input, output_size, nd)
    _adaptive_checks(fn, input, out, nd)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(map(str, out))}}}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"adaptive_avg_pool{max(nd, 2)}d" not implemented for '
                                  f"'{_scalar_name(input._data.dtype)}'")
    if all(o == 1 for o in out):  # PyTorch takes the mean (MeanBackward1)
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    mats = []
    for i, o in enumerate(out):
        size = input.shape[input.ndim - nd + i]
        a = np.zeros((o, size))
        for j, (lo, hi) in enumerate(_adaptive_bounds(size, o)):
            a[j, lo:hi] = 1 / (hi - lo)
        mats.append(a)
    return _mat_op(f"AdaptiveAvgPool{nd}D", input, mats)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """2-D adaptive average pooling to ``output_size`` (None keeps a side).

    >>> F.adaptive_avg_pool2d(leafgrad.ones(1, 3, 5, 7), (2, 3)).shape
    torch.Size([1, 3, 2, 3])
    """
    return _adaptive_avg_nd("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """3-D adaptive average pooling to ``output_size``."""
    return _adaptive_avg_nd("adaptive_avg_pool3d", 3, input, output_size)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """1-D adaptive average pooling over (N, C, L) or (C, L)."""
    _dims_2_to_3("adaptive_avg_pool1d", input)
    o = _one_int("adaptive_avg_pool1d", output_size, "output_size")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max_arrays(xp, x, *, out):
    n = len(out)
    size = x.shape[x.ndim - n:]
    taps = []
    for L, o in zip(size, out):
        b = _adaptive_bounds(L, o)
        kmax = max((hi - lo for lo, hi in b), default=1)
        # Short windows repeat their last index: a repeat never changes the max or argmax.
        taps.append(np.array([[min(lo + t, hi - 1) for t in range(kmax)] for lo, hi in b],
                             dtype=np.int64).reshape(o, kmax))
    grids = []
    for i, t in enumerate(taps):
        shp = [1] * (2 * n)
        shp[i], shp[n + i] = t.shape
        grids.append(t.reshape(shp))
    if x.size == 0 or 0 in out:
        shape = x.shape[:x.ndim - n] + tuple(out)
        return xp.zeros(shape, dtype=x.dtype), xp.zeros(shape, dtype=xp.int64)
    v = x[(Ellipsis,) + tuple(grids)]  # (..., *out, *kmax)
    lead = v.shape[:v.ndim - n]
    flatv = v.reshape(tuple(lead) + (_prod(t.shape[1] for t in taps),))
    a = xp.argmax(flatv, axis=-1)
    best = xp.take_along_axis(flatv, a[..., None], -1)[..., 0]
    pos = xp.unravel_index(a, tuple(t.shape[1] for t in taps))
    idx = 0
    for i, t in enumerate(taps):
        o_i = xp.arange(out[i]).reshape([-1 if j == i else 1 for j in range(n)])
        idx = idx * size[i] + t[o_i, pos[i]]
    return best, idx.astype(xp.int64)


def _adaptive_max_forward(xp, x, *, out_size, size):
    return _adaptive_max_arrays(xp, x, out=out_size)


def _adaptive_max_nd(fn: str, nd: int, input, output_size, return_indices):
    out = _adaptive_sizes(fn, input, output_size, nd)
    _adaptive_checks(fn, input, out, nd, colon=":")
    if any(o < 0 for o in out):
        shape = list(input.shape[:input.ndim - nd]) + list(out)
        neg = next(o for o in out if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: "
                           f"{_list_str(shape)}")
    op = _max_op(f"AdaptiveMaxPool{nd}D", _adaptive_max_forward)
    vals, idx = apply(op, input, out_size=out, size=tuple(input.shape[-nd:]))
    return (vals, idx) if return_indices else vals


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """2-D adaptive max pooling to ``output_size`` (None keeps a side)."""
    return _adaptive_max_nd("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """3-D adaptive max pooling to ``output_size``."""
    return _adaptive_max_nd("adaptive_max_pool3d", 3, input, output_size, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """1-D adaptive max pooling over (N, C, L) or (C, L)."""
    _dims_2_to_3("adaptive_max_pool1d", input)
    o = _one_int("adaptive_max_pool1d", output_size, "output_size")
    vals, idx = adaptive_max_pool2d(input.unsqueeze(-2), (1, o), True)
    vals, idx = vals.squeeze(-2), idx.squeeze(-2)
    return (vals, idx) if return_indices else vals


# -- max_unpool -----------------------------------------------------------------------------
def _unpool_arrays(xp, x, *, index, size):
    """Values written (not summed) at their flat per-plane ``index`` into zero planes."""
    n = len(size)
    lead = x.shape[:x.ndim - n]
    m = _prod(lead)
    out = xp.zeros((m, _prod(size)), dtype=x.dtype)
    xp.put_along_axis(out, index.reshape(m, -1), x.reshape(m, -1), 1)
    return out.reshape(tuple(lead) + tuple(size))


_UNPOOL_OPS: dict = {}


def _unpool_op(nd: int) -> type:
    op = _UNPOOL_OPS.get(nd)
    if op is None:
        name = f"MaxUnpool{nd}D"

        def vjp(g, out, x, *, index, size):
            # PyTorch's gradient: every input position reads its target back.
            if g.__class__ is _ndarray:
                return _take(np, g, index=index, size=size)
            return apply(_index_op(name), g, index=index, size=size)

        op = _UNPOOL_OPS[nd] = type(name, (Op,), {
            "name": name + "Backward0", "array_vjp": True, "forward": _unpool_arrays,
            "vjp": vjp, "__doc__": "Max unpooling: values put back at their indices."})
    return op


def _max_unpool_nd(nd: int, input, indices, kernel_size, stride, padding, output_size):
    fn = f"max_unpool{nd}d"
    k = _pool_tuple(fn, kernel_size, nd, "kernel_size")
    s = _pool_tuple(fn, stride, nd, "stride", allow_none=True) or k
    p = _pool_tuple(fn, padding, nd, "padding")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d "
                           f"Tensor, but got a tensor with {input.ndim} dimensions.")
    default = [(input.shape[input.ndim - nd + i] - 1) * s[i] + k[i] - 2 * p[i]
               for i in range(nd)]
    if output_size is None:
        size = tuple(default)
    else:
        req = tuple(int(v) for v in output_size)
        if len(req) == nd + 2:
            req = req[2:]
        if len(req) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(tuple(output_size))}'")
        for d in range(nd):
            lo, hi = default[d] - s[d], default[d] + s[d]
            if not lo < req[d] < hi:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must '
                                 f"be between {lo} and {hi})")
        size = req
    idx = indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{_scalar_name(idx.dtype)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({_list_str(input.shape)}) but got indices tensor with shape: "
            f"{_list_str(indices.shape)}")
    total = _prod(size)
    bad = idx[(idx < 0) | (idx >= total)]
    if bad.size:
        raise RuntimeError(f"Found an invalid max index: {int(bad.flat[0])} (output volumes are "
                           f"of size {'x'.join(map(str, size))})")
    return apply(_unpool_op(nd), input, index=idx, size=tuple(size))


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of ``max_pool2d``: values put back at their indices, zeros
    elsewhere."""
    return _max_unpool_nd(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of ``max_pool3d``."""
    return _max_unpool_nd(3, input, indices, kernel_size, stride, padding, output_size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of ``max_pool1d`` (a 2-D unpooling of height 1)."""
    k = _one_int("max_unpool1d", kernel_size, "kernel_size")
    empty = stride is None or (isinstance(stride, (list, tuple)) and not stride)
    s = k if empty else _one_int("max_unpool1d", stride, "stride")
    p = _one_int("max_unpool1d", padding, "padding")
    if output_size is not None:
        output_size = tuple(output_size)
        output_size = output_size[:-1] + (1,) + output_size[-1:]
        if len(output_size) == 2:
            output_size = (1,) + output_size[1:]
    y = _max_unpool_nd(2, input.unsqueeze(-2), indices.unsqueeze(-2), (1, k), (1, s), (0, p),
                       None if output_size is None else output_size[-2:])
    return y.squeeze(-2)


# -- unfold / fold (im2col / col2im) --------------------------------------------------------
def _unfold_arrays(xp, x, *, kernel_size, dilation, padding, stride, size):
    batched = x.ndim == 4
    if not batched:
        x = x[None]
    out = tuple(_out_size(size[i], kernel_size[i], stride[i], padding[i], dilation[i])
                for i in range(2))
    cols = _im2col(xp, x, kernel_size, stride, padding, dilation, out)  # (N, C, kh, kw, oh, ow)
    N, C = x.shape[0], x.shape[1]
    cols = cols.reshape(N, C * _prod(kernel_size), _prod(out))
    return cols if batched else cols[0]


def _fold_arrays(xp, g, *, kernel_size, dilation, padding, stride, size):
    batched = g.ndim == 3
    if not batched:
        g = g[None]
    out = tuple(_out_size(size[i], kernel_size[i], stride[i], padding[i], dilation[i])
                for i in range(2))
    N = g.shape[0]
    C = g.shape[1] // _prod(kernel_size)
    cols = g.reshape((N, C) + tuple(kernel_size) + out)
    y = _col2im(xp, cols, size, kernel_size, stride, padding, dilation)
    return y if batched else y[0]


_Im2Col, _Col2Im = _adjoint_pair("Im2ColBackward0", "Col2ImBackward0", _unfold_arrays,
                                 _fold_arrays)


def _pair_arg(value, what: str) -> tuple:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * 2
    vals = tuple(int(v) for v in value)
    if len(vals) != 2:
        raise RuntimeError(f"It is expected {what} equals to 2, but got size {len(vals)}")
    return vals


def _fold_args(kernel_size, dilation, padding, stride) -> tuple:
    k = _pair_arg(kernel_size, "kernel_size")
    d = _pair_arg(dilation, "dilation")
    p = _pair_arg(padding, "padding")
    s = _pair_arg(stride, "stride")
    if any(v <= 0 for v in k):
        raise RuntimeError("kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} "
                           f"stride_width: {s[1]}")
    return k, d, p, s


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding local blocks (im2col): (N, C, H, W) -> (N, C * kh * kw, L).

    >>> F.unfold(leafgrad.ones(1, 2, 3, 3), 2).shape
    torch.Size([1, 8, 4])
    """
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4) or any(v == 0 for v in input.shape[input.ndim - 3:]):
        if input.ndim < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got 2)")
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {_list_str(input.shape)}")
    size = tuple(input.shape[-2:])
    out = [_out_size(size[i], k[i], s[i], p[i], d[i]) for i in range(2)]
    if any(o < 1 for o in out):
        raise RuntimeError(
            f"Given input with spatial size ({size[0]}, {size[1]}), kernel_size=({k[0]}, "
            f"{k[1]}), dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape "
            f"of the array of sliding blocks as ({out[0]}, {out[1]}), but its components must "
            "be at least one.")
    return apply(_Im2Col, input, kernel_size=k, dilation=d, padding=p, stride=s, size=size)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding local blocks back into an image (col2im): (N, C * kh * kw, L) ->
    (N, C, *output_size)."""
    size = _pair_arg(output_size, "output_size")
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    if input.ndim not in (2, 3) or any(v == 0 for v in input.shape[input.ndim - 2:]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {_list_str(input.shape)}")
    c = input.shape[-2]
    if c % _prod(k):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={c} and kernel_size=({k[0]}, {k[1]}).")
    out = [_out_size(size[i], k[i], s[i], p[i], d[i]) for i in range(2)]
    if input.shape[-1] != out[0] * out[1] or any(o < 1 for o in out):
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
            "expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {max(out[0], 0)} * {max(out[1], 0)} = {max(out[0], 0) * max(out[1], 0)}, "
            f"but got input.size(2)={input.shape[-1]}.")
    return apply(_Col2Im, input, kernel_size=k, dilation=d, padding=p, stride=s, size=size)


# -- interpolate ----------------------------------------------------------------------------
def _linear_scale(size: int, out: int, align_corners: bool, scale, dt):
    if align_corners:
        return dt((size - 1) / (out - 1)) if out > 1 else dt(0)
    return dt(1.0 / scale) if scale is not None and scale > 0 else dt(size) / dt(out)


def _resample_mat(mode: str, size: int, out: int, align_corners: bool, scale, dtype):
    """The (out, size) matrix of one separable resampling step, with PyTorch's index and
    weight arithmetic (in the input's precision)."""
    dt = np.dtype(dtype).type
    a = np.zeros((out, size), dtype=dtype)
    dst = np.arange(out)
    if mode in ("nearest", "nearest-exact"):
        if mode == "nearest" and out == size:
            src = dst
        elif mode == "nearest" and out == 2 * size:
            src = dst >> 1
        else:
            s = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
                np.float32(size) / np.float32(out)
            pos = dst.astype(np.float32) + (np.float32(0.5) if mode == "nearest-exact" else 0)
            src = np.minimum(np.floor(pos * s).astype(np.int64), size - 1)
        a[dst, src] = 1
        return a
    s = _linear_scale(size, out, align_corners, scale, dt)
    if align_corners:
        src = s * dst.astype(dtype)
    else:
        src = s * (dst.astype(dtype) + dt(0.5)) - dt(0.5)
    if mode == "linear":
        src = np.maximum(src, dt(0))
        i0 = src.astype(np.int64)
        i1 = i0 + (i0 < size - 1)
        l1 = src - i0.astype(dtype)
        np.add.at(a, (dst, i0), dt(1) - l1)
        np.add.at(a, (dst, i1), l1)
        return a
    # bicubic: Keys' cubic convolution (A = -0.75), indices clamped to the border
    i = np.floor(src).astype(np.int64)
    t = src - i.astype(dtype)
    A = dt(-0.75)

    def cc1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def cc2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    ws = (cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t))
    for k, w in enumerate(ws):
        np.add.at(a, (dst, np.clip(i - 1 + k, 0, size - 1)), w)
    return a


_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_UPSAMPLE = {("nearest", 1): "UpsampleNearest1D", ("nearest", 2): "UpsampleNearest2D",
             ("nearest", 3): "UpsampleNearest3D", ("nearest-exact", 1): "UpsampleNearestExact1D",
             ("nearest-exact", 2): "UpsampleNearestExact2D",
             ("nearest-exact", 3): "UpsampleNearestExact3D", ("linear", 1): "UpsampleLinear1D",
             ("bilinear", 2): "UpsampleBilinear2D", ("trilinear", 3): "UpsampleTrilinear3D",
             ("bicubic", 2): "UpsampleBicubic2D"}
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resample the spatial dims to ``size`` or by ``scale_factor`` (nearest, nearest-exact,
    linear, bilinear, bicubic, trilinear, area).

    >>> F.interpolate(leafgrad.ones(1, 1, 2, 2), scale_factor=2).shape
    torch.Size([1, 1, 4, 4])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format.")
            out = [int(v) for v in size]
        else:
            out = [int(size)] * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {spatial} and scale_factor of "
                    f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(v) for v in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if recompute_scale_factor is not None and recompute_scale_factor:
        out = [math.floor(float(input.shape[i + 2]) * scales[i]) for i in range(dim)]
        scales = None
    if antialias:
        raise NotImplementedError("leafgrad: interpolate(antialias=True) is not implemented")
    if mode not in _MODES or input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode in _NEEDS and input.ndim != _NEEDS[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode]}D input")
    if out is None:
        out = [int(input.shape[i + 2] * scales[i]) for i in range(dim)]
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input "
            f"({', '.join(map(str, spatial))}) and output ({', '.join(map(str, out))})")
    if input._data.dtype.kind != "f":
        kernel = {"nearest": "compute_indices_weights_nearest",
                  "nearest-exact": "compute_indices_weights_nearest",
                  "linear": "compute_indices_weights_linear",
                  "trilinear": "compute_indices_weights_linear",
                  "bilinear": "upsample_bilinear2d_channels_last",
                  "bicubic": "compute_indices_weights_cubic",
                  "area": f"adaptive_avg_pool{max(dim, 2)}d"}[mode]
        if mode == "nearest" and dim == 2:
            kernel = "upsample_nearest2d_channels_last"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_scalar_name(input._data.dtype)}'")
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](
            input, out if dim > 1 else out[0])
    kind = "linear" if mode in ("linear", "bilinear", "trilinear") else mode
    dtype = input._data.dtype if input._data.dtype.kind == "f" else np.float32
    mats = [_resample_mat(kind, spatial[i], out[i], bool(align_corners),
                          None if scales is None else scales[i], dtype) for i in range(dim)]
    if kind in ("nearest", "nearest-exact"):  # a gather: each output reads one input
        flat = np.zeros(tuple(out), dtype=np.int64)
        for i, m in enumerate(mats):
            shp = [1] * dim
            shp[i] = out[i]
            flat = flat * spatial[i] + m.argmax(axis=1).reshape(shp)
        return apply(_index_op(_UPSAMPLE[(mode, dim)]), input, index=flat, size=tuple(spatial))
    return _mat_op(_UPSAMPLE[(mode, dim)], input, mats)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)
