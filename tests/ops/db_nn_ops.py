"""OpInfo entries: the neural-network array primitives (``leafgrad.nn.functional``):
convolutions and their transposes, pooling (max, average, adaptive, unpooling), padding,
interpolation and unfold/fold.

Shapes are small (N <= 2, a few channels, sides up to 6) so that gradcheck and
gradgradcheck run on many samples; strides, paddings, dilations, groups, ceil_mode and
the other options are drawn.
"""

from __future__ import annotations

from .opdb import OpInfo, Sample


def _F(T):
    return T.nn.functional


def _batch(d, nd: int, c: int, lo: int = 1, hi: int = 5) -> tuple:
    """(N, C, *spatial) or, sometimes, unbatched (C, *spatial)."""
    spatial = tuple(d.int(lo, hi) for _ in range(nd))
    if d.int(0, 3) == 0:
        return (c,) + spatial
    return (d.int(1, 2), c) + spatial


# -- convolutions ---------------------------------------------------------------------------
def _conv(nd: int):
    def samples(d):
        groups = d.choice([1, 1, 2])
        cg, og = d.int(1, 2), d.int(1, 2)
        k = tuple(d.int(1, 3) for _ in range(nd))
        mode = d.int(0, 3)
        n = nd if mode != 2 else 1  # mode 2: one int for every dim
        s = tuple(d.int(1, 2) for _ in range(n)) * (nd // n)
        dil = tuple(d.int(1, 2) for _ in range(n)) * (nd // n)
        p = tuple(d.int(0, 1) for _ in range(n)) * (nd // n)
        eff = [dd * (kk - 1) + 1 for dd, kk in zip(dil, k)]
        spatial = tuple(e + d.int(0, 2) for e in eff)
        shape = (groups * cg,) + spatial
        if d.int(0, 3):
            shape = (d.int(1, 2),) + shape
        kw: dict = {}
        if mode == 1:
            kw = {"stride": s, "padding": p, "dilation": dil}
        elif mode == 2:
            kw = {"stride": s[0], "padding": p[0], "dilation": dil[0]}
        elif mode == 3:
            kw = {"padding": d.choice(["same", "valid"]), "dilation": dil}
        if groups > 1:
            kw["groups"] = groups
        bias = d.array((groups * og,)) if d.bool() else None
        return Sample(d.array(shape), d.array((groups * og, cg) + k), bias, **kw)

    return samples


def _conv_t(nd: int):
    def samples(d):
        groups = d.choice([1, 1, 2])
        cg, og = d.int(1, 2), d.int(1, 2)
        k = tuple(d.int(1, 3) for _ in range(nd))
        s = tuple(d.int(1, 2) for _ in range(nd))
        dil = tuple(d.int(1, 2) for _ in range(nd))
        p = tuple(d.int(0, 1) for _ in range(nd))
        opad = tuple(d.int(0, max(a, b) - 1) for a, b in zip(s, dil))
        spatial = []
        for i in range(nd):
            n = d.int(1, 3)
            while (n - 1) * s[i] + dil[i] * (k[i] - 1) + opad[i] + 1 - 2 * p[i] < 1:
                n += 1
            spatial.append(n)
        shape = (groups * cg,) + tuple(spatial)
        if d.int(0, 3):
            shape = (d.int(1, 2),) + shape
        kw = {"stride": s, "padding": p, "output_padding": opad, "dilation": dil}
        if groups > 1:
            kw["groups"] = groups
        bias = d.array((groups * og,)) if d.bool() else None
        return Sample(d.array(shape), d.array((groups * cg, og) + k), bias, **kw)

    return samples


def _conv_entry(name: str, samples) -> OpInfo:
    return OpInfo(name, samples, fn=lambda T, *a, **k: getattr(_F(T), name)(*a, **k),
                  method=False, atol=1e-4, rtol=1e-4)


# -- pooling --------------------------------------------------------------------------------
def _pool_args(d, nd: int, dilation: bool, not_3d: bool = True):
    k = tuple(d.int(1, 3) for _ in range(nd))
    s = tuple(d.int(1, 3) for _ in range(nd))
    dil = tuple(d.int(1, 2) for _ in range(nd)) if dilation else (1,) * nd
    p = tuple(d.int(0, kk // 2) for kk in k)
    eff = [dd * (kk - 1) + 1 for dd, kk in zip(dil, k)]
    spatial = tuple(max(e + d.int(0, 3) - (d.int(0, 2 * q) if not_3d else 0), 1)
                    for e, q in zip(eff, p))
    return k, s, dil, p, spatial


def _max_pool(nd: int):
    def samples(d):
        # every window holds an element (else PyTorch's index points outside its plane)
        k, s, dil, p, spatial = _pool_args(d, nd, True, False)
        c = d.int(1, 2)
        shape = (c,) + spatial if d.int(0, 3) == 0 else (d.int(1, 2), c) + spatial
        kw = {"return_indices": d.bool(), "ceil_mode": d.bool()}
        if nd == 1:
            return Sample(d.array(shape), k[0], d.choice([None, s[0]]), p[0], dil[0], **kw)
        if d.bool():
            shape = shape[:len(shape) - nd] + tuple(k[0] + d.int(0, 2) for _ in range(nd))
            return Sample(d.array(shape), k[0], **kw)
        return Sample(d.array(shape), k, s, p, dil, **kw)

    return samples


def _avg_pool(nd: int):
    def samples(d):
        k, s, _, p, spatial = _pool_args(d, nd, False, nd != 3)
        c = d.int(1, 2)
        shape = (c,) + spatial if d.int(0, 3) == 0 else (d.int(1, 2), c) + spatial
        kw = {"ceil_mode": d.bool(), "count_include_pad": d.bool()}
        if nd > 1 and d.int(0, 2) == 0:
            kw["divisor_override"] = d.int(1, 5)
        if nd == 1:
            return Sample(d.array(shape), k[0], s[0], p[0], **kw)
        return Sample(d.array(shape), k, s, p, **kw)

    return samples


def _adaptive(nd: int, max_: bool):
    def samples(d):
        spatial = tuple(d.int(1, 6) for _ in range(nd))
        c = d.int(1, 2)
        shape = (c,) + spatial if d.int(0, 3) == 0 else (d.int(1, 2), c) + spatial
        out = tuple(d.int(1, 4) for _ in range(nd))
        if nd == 1:
            size = out[0]
        elif d.int(0, 3) == 0:
            size = out[0]
        else:
            size = tuple(None if d.int(0, 4) == 0 else o for o in out)
        kw = {"return_indices": d.bool()} if max_ else {}
        return Sample(d.array(shape), size, **kw)

    return samples


def _unpool(nd: int):
    def samples(d):
        k = d.int(1, 3)
        s = k + d.int(0, 1)  # overlapping windows would repeat an index: no gradcheck then
        # sides that pooling covers exactly: every index fits the default output size
        spatial = tuple(k + s * d.int(0, 2) for _ in range(nd))
        c = d.int(1, 2)
        shape = (c,) + spatial if d.int(0, 3) == 0 else (d.int(1, 2), c) + spatial
        return Sample(d.array(shape), k, s)

    def fn(T, x, k, s):
        F = _F(T)
        out, idx = getattr(F, f"max_pool{nd}d")(x, k, s, return_indices=True)
        return getattr(F, f"max_unpool{nd}d")(out, idx, k, s)

    return samples, fn


# -- padding, resampling, unfold/fold -------------------------------------------------------
def _pad_constant(d):
    shape = d.shape(1, 4, 1, 4)
    n = d.int(1, len(shape))
    pads = []
    for i in range(n):
        size = shape[len(shape) - 1 - i]
        lo = d.int(-size // 2, 2)
        hi = d.int(-(size + min(lo, 0)) // 2, 2)
        pads += [lo, hi]
    kw = {"value": d.choice([0.0, 1.5, -2.0])} if d.bool() else {}
    return Sample(d.array(shape), tuple(pads), **kw)


def _pad_mode(d):
    mode = d.choice(["reflect", "replicate", "circular"])
    n = d.int(1, 3)
    spatial = tuple(d.int(2, 4) for _ in range(n))
    c = d.int(1, 2)
    shape = (c,) + spatial if d.bool() else (d.int(1, 2), c) + spatial
    pads = []
    for i in range(n):
        size = spatial[n - 1 - i]
        top = size - 1 if mode == "reflect" else (size if mode == "circular" else 3)
        low = -1 if mode != "circular" and size > 2 else 0  # (an empty result: PyTorch's
        pads += [d.int(low, top), d.int(low, top)]       # gradient is uninitialised memory)
    return Sample(d.array(shape), tuple(pads), mode)


def _interpolate(d):
    mode = d.choice(["nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear",
                     "area"])
    nd = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode, d.int(1, 3))
    spatial = tuple(d.int(1, 4) for _ in range(nd))
    shape = (d.int(1, 2), d.int(1, 2)) + spatial
    kw: dict = {"mode": mode}
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and d.bool():
        kw["align_corners"] = d.bool()
    if d.bool():
        size = tuple(d.int(1, 6) for _ in range(nd))
        kw["size"] = size if nd > 1 or d.bool() else size[0]
    else:
        scales = tuple(d.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]) for _ in range(nd))
        spatial_ok = all(int(s * f) >= 1 for s, f in zip(spatial, scales))
        if not spatial_ok:
            scales = tuple(max(f, 1.0) for f in scales)
        kw["scale_factor"] = scales if nd > 1 or d.bool() else scales[0]
        if mode != "area" and d.int(0, 2) == 0:
            kw["recompute_scale_factor"] = True
    return Sample(d.array(shape), **kw)


def _unfold(d):
    k = (d.int(1, 3), d.int(1, 3))
    dil = (d.int(1, 2), d.int(1, 2))
    p = (d.int(0, 1), d.int(0, 1))
    s = (d.int(1, 2), d.int(1, 2))
    eff = [dd * (kk - 1) + 1 for dd, kk in zip(dil, k)]
    spatial = tuple(max(e - 2 * q, 1) + d.int(0, 2) for e, q in zip(eff, p))
    c = d.int(1, 2)
    shape = (c,) + spatial if d.int(0, 3) == 0 else (d.int(1, 2), c) + spatial
    return Sample(d.array(shape), k, dil, p, s)


def _fold(d):
    k = (d.int(1, 3), d.int(1, 3))
    dil = (d.int(1, 2), d.int(1, 2))
    p = (d.int(0, 1), d.int(0, 1))
    s = (d.int(1, 2), d.int(1, 2))
    eff = [dd * (kk - 1) + 1 for dd, kk in zip(dil, k)]
    size = tuple(max(e - 2 * q, 1) + d.int(0, 2) for e, q in zip(eff, p))
    blocks = 1
    for i in range(2):
        blocks *= (size[i] + 2 * p[i] - eff[i]) // s[i] + 1
    c = d.int(1, 2)
    rows = c * k[0] * k[1]
    shape = (rows, blocks) if d.int(0, 3) == 0 else (d.int(1, 2), rows, blocks)
    return Sample(d.array(shape), size, k, dil, p, s)


def _f(name: str):
    return lambda T, *a, **k: getattr(_F(T), name)(*a, **k)


ENTRIES = [
    _conv_entry("conv1d", _conv(1)),
    _conv_entry("conv2d", _conv(2)),
    _conv_entry("conv3d", _conv(3)),
    _conv_entry("conv_transpose1d", _conv_t(1)),
    _conv_entry("conv_transpose2d", _conv_t(2)),
    _conv_entry("conv_transpose3d", _conv_t(3)),
    OpInfo("max_pool1d", _max_pool(1), fn=_f("max_pool1d"), method=False),
    OpInfo("max_pool2d", _max_pool(2), fn=_f("max_pool2d"), method=False),
    OpInfo("max_pool3d", _max_pool(3), fn=_f("max_pool3d"), method=False),
    OpInfo("avg_pool1d", _avg_pool(1), fn=_f("avg_pool1d"), method=False),
    OpInfo("avg_pool2d", _avg_pool(2), fn=_f("avg_pool2d"), method=False),
    OpInfo("avg_pool3d", _avg_pool(3), fn=_f("avg_pool3d"), method=False),
    OpInfo("adaptive_avg_pool1d", _adaptive(1, False), fn=_f("adaptive_avg_pool1d"),
           method=False),
    OpInfo("adaptive_avg_pool2d", _adaptive(2, False), fn=_f("adaptive_avg_pool2d"),
           method=False),
    OpInfo("adaptive_avg_pool3d", _adaptive(3, False), fn=_f("adaptive_avg_pool3d"),
           method=False),
    OpInfo("adaptive_max_pool1d", _adaptive(1, True), fn=_f("adaptive_max_pool1d"),
           method=False),
    OpInfo("adaptive_max_pool2d", _adaptive(2, True), fn=_f("adaptive_max_pool2d"),
           method=False),
    OpInfo("adaptive_max_pool3d", _adaptive(3, True), fn=_f("adaptive_max_pool3d"),
           method=False),
    OpInfo("max_unpool1d", _unpool(1)[0], fn=_unpool(1)[1], method=False),
    OpInfo("max_unpool2d", _unpool(2)[0], fn=_unpool(2)[1], method=False),
    OpInfo("max_unpool3d", _unpool(3)[0], fn=_unpool(3)[1], method=False),
    OpInfo("pad", _pad_constant, fn=_f("pad"), method=False, id="pad_constant"),
    # circular padding is CopySlices in PyTorch (an in-place copy); the node is not compared
    OpInfo("pad", _pad_mode, fn=_f("pad"), method=False, id="pad_modes", node=False),
    OpInfo("interpolate", _interpolate, fn=_f("interpolate"), method=False, covers=("upsample",),
           atol=1e-4),
    OpInfo("unfold", _unfold, fn=_f("unfold"), method=False, id="F_unfold"),
    OpInfo("fold", _fold, fn=_f("fold"), method=False, id="F_fold"),
]
