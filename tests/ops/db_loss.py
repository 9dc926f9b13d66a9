"""OpInfo entries: the losses of ``nn.functional`` (``F.<name>`` on both modules).

Every entry draws its reduction; float targets are positional (so their gradients are
compared too), class weights and ``pos_weight`` are keyword constants. Differences are
drawn away from each loss's kinks (0 for l1, +-beta / +-delta for smooth_l1 / huber).
"""

from __future__ import annotations

import numpy as np

import leafgrad.nn.functional  # noqa: F401  (makes ``leafgrad.nn`` an attribute)

from .opdb import OpInfo, Sample

_RED = ("mean", "sum", "none")


def _F(name: str):
    """``F.<name>`` on module T; weights travel as lists (golden fixtures store kwargs as
    JSON) and become tensors of the input's dtype here."""

    def fn(T, *args, **kwargs):
        for k in ("weight", "pos_weight"):
            if k in kwargs:
                w = T.tensor(kwargs[k], dtype=args[0].dtype)
                kwargs[k] = w.reshape(tuple(kwargs.pop(k + "_shape")))
        return getattr(T.nn.functional, name)(*args, **kwargs)

    return fn


def _w(kw: dict, key: str, d, shape, lo: float = 0.1, hi: float = 2.0) -> None:
    kw[key] = d.array(shape, lo, hi, noncontig=False).ravel().tolist()
    kw[key + "_shape"] = list(shape)


def _pair(d, kinks=(0.0,)):
    """(input, target) of one shape whose difference stays away from ``kinks``."""
    shape = d.shape(max_dims=3)
    t = d.array(shape, noncontig=False)
    diff = d.array(shape, -2.0, 2.0, away_from=kinks, noncontig=False)
    return np.asarray(t + diff, d.dtype), t


def _mse(d):
    x, t = _pair(d, ())
    return Sample(x, t, reduction=d.choice(_RED))


def _l1(d):
    x, t = _pair(d)
    return Sample(x, t, reduction=d.choice(_RED))


def _smooth_l1(d):
    beta = d.choice([1.0, 0.5, 2.0])
    x, t = _pair(d, (-beta, beta))
    return Sample(x, t, reduction=d.choice(_RED), beta=beta)


def _huber(d):
    delta = d.choice([1.0, 0.5, 2.0])
    x, t = _pair(d, (-delta, delta))
    return Sample(x, t, reduction=d.choice(_RED), delta=delta)


def _weighted(d):
    x, t = _pair(d, (0.0,))
    kw = dict(reduction=d.choice(_RED))
    _w(kw, "weight", d, x.shape)
    return Sample(x, t, **kw)


def _bce(d):
    shape = d.shape(max_dims=3)
    kw = dict(reduction=d.choice(_RED))
    if shape and d.bool():
        _w(kw, "weight", d, shape[-1:])
    return Sample(d.array(shape, 0.05, 0.95), d.array(shape, 0.0, 1.0), **kw)


def _bce_logits(d):
    shape = d.shape(max_dims=3)
    kw = dict(reduction=d.choice(_RED))
    if shape and d.bool():
        _w(kw, "weight", d, shape[-1:])
    if shape and d.bool():
        _w(kw, "pos_weight", d, shape[-1:], 0.1, 3.0)
    return Sample(d.array(shape, -4.0, 4.0), d.array(shape, 0.0, 1.0), **kw)


def _class_shapes(d):
    """(input shape, target shape, classes): (C) / (N, C) / (N, C, d1 ...)."""
    c = d.int(1, 4)
    k = d.choice([1, 2, 2, 3, 4])
    if k == 1:
        return (c,), (), c
    n = d.int(0, 4)
    extra = tuple(d.int(1, 3) for _ in range(k - 2))
    return (n, c) + extra, (n,) + extra, c


def _targets(d, tshape, c, ignore):
    t = d.ints(tshape, 0, c)
    if ignore is not None and t.ndim and t.size:
        t = np.where(d.mask(tshape), ignore, t)
    return t


def _nll_kw(d, c):
    kw = dict(reduction=d.choice(_RED))
    if d.bool():
        _w(kw, "weight", d, (c,))
    ignore = None
    if d.bool():
        ignore = d.choice([-100, 0])
        kw["ignore_index"] = ignore
    return kw, ignore


def _some_kept(t, c: int, kw: dict):
    """Targets with one not ignored, so a 'mean' is no 0/0 (nan: nothing to gradcheck)."""
    ignore = kw.get("ignore_index")
    if ignore is None or t.size == 0 or not (t == ignore).all():
        return t
    t = np.array(t)
    t.flat[0] = 0 if ignore != 0 else 1 % c
    if t.flat[0] == ignore:  # (one class, and it is the ignored one)
        kw["ignore_index"] = -100
    return t


def _nll(d):
    xs, ts, c = _class_shapes(d)
    kw, ignore = _nll_kw(d, c)
    t = _some_kept(_targets(d, ts, c, ignore), c, kw)
    return Sample(d.array(xs, -3.0, 0.0), t, **kw)


def _ce(d):
    xs, ts, c = _class_shapes(d)
    kw, ignore = _nll_kw(d, c)
    if d.bool():
        kw["label_smoothing"] = d.choice([0.1, 0.5])
    t = _some_kept(_targets(d, ts, c, ignore), c, kw)
    return Sample(d.array(xs, -3.0, 3.0), t, **kw)


def _ce_probs(d):
    xs, _, c = _class_shapes(d)
    p = d.rng().uniform(0.05, 1.0, size=xs)
    p = np.asarray(p / p.sum(axis=1 if len(xs) > 1 else 0, keepdims=True), d.dtype)
    kw = dict(reduction=d.choice(_RED))
    if d.bool():
        _w(kw, "weight", d, (c,))
    if d.bool():
        kw["label_smoothing"] = d.choice([0.1, 0.5])
    return Sample(d.array(xs, -3.0, 3.0), p, **kw)


def _kl(d):
    shape = d.shape(min_dims=1, max_dims=3)
    log_target = d.bool()
    t = d.array(shape, -2.0, 0.0) if log_target else d.array(shape, 0.05, 1.0)
    return Sample(d.array(shape, -3.0, 0.0), t, reduction=d.choice(("sum", "none", "batchmean")),
                  log_target=log_target)


def _loss(name: str, samples, id: str | None = None, **kw) -> OpInfo:
    return OpInfo(name, samples, fn=_F(name), method=False, id=id or f"F_{name}", **kw)


ENTRIES = [
    _loss("mse_loss", _mse),
    _loss("mse_loss", _weighted, id="F_mse_loss_weight"),
    _loss("l1_loss", _l1),
    _loss("l1_loss", _weighted, id="F_l1_loss_weight"),
    _loss("smooth_l1_loss", _smooth_l1),
    _loss("huber_loss", _huber),
    _loss("huber_loss", _weighted, id="F_huber_loss_weight"),
    _loss("binary_cross_entropy", _bce),
    _loss("binary_cross_entropy_with_logits", _bce_logits),
    _loss("nll_loss", _nll),
    _loss("cross_entropy", _ce),
    _loss("cross_entropy", _ce_probs, id="F_cross_entropy_probs"),
    _loss("kl_div", _kl),
]


# -- the composites ---------------------------------------------------------------------------
def _poisson(d):
    shape = d.shape(max_dims=3)
    log_input = d.bool()
    x = d.array(shape, -2.0, 2.0) if log_input else d.array(shape, 0.1, 3.0)
    return Sample(x, d.array(shape, 0.05, 3.0, away_from=(1.0,)), log_input=log_input,
                  full=d.bool(), reduction=d.choice(_RED))


def _gaussian(d):
    shape = d.shape(min_dims=1, max_dims=3, min_side=1)  # (empty: a nan mean, no gradcheck)
    vshape = shape[:-1] if d.bool() else shape
    return Sample(d.array(shape), d.array(shape), d.array(vshape, 0.1, 2.0), full=d.bool(),
                  reduction=d.choice(_RED))


def _signs(d, shape):
    return np.where(d.mask(shape), 1.0, -1.0).astype(d.dtype)


def _soft_margin(d):
    # integer +-1 targets: PyTorch refuses a target that requires grad here
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -3.0, 3.0), _signs(d, shape).astype(np.int64),
                  reduction=d.choice(_RED))


def _ranking(d):
    shape = d.shape(max_dims=2)
    margin = d.choice([0.0, 0.5])
    x2 = d.array(shape, noncontig=False)
    y = _signs(d, shape)
    # keep -y * (x1 - x2) + margin away from the hinge at 0
    diff = d.array(shape, -2.0, 2.0, away_from=(0.0,), noncontig=False)
    x1 = np.asarray(x2 + y * (diff + margin), d.dtype)
    return Sample(x1, x2, y, margin=margin, reduction=d.choice(_RED))


def _hinge(d):
    shape = d.shape(max_dims=3)
    margin = d.choice([1.0, 0.5])
    return Sample(d.array(shape, -3.0, 3.0, away_from=(margin,)), _signs(d, shape),
                  margin=margin, reduction=d.choice(_RED))


def _cosine(d):
    batched = d.bool()
    n, k = d.int(1, 4), d.int(1, 4)
    shape, tshape = ((n, k), (n,)) if batched else ((k,), ())
    return Sample(d.array(shape), d.array(shape), _signs(d, tshape),
                  margin=d.choice([0.0, -0.5]), reduction=d.choice(_RED))


def _multilabel(d):
    shape = d.shape(min_dims=1, max_dims=2, min_side=1)
    kw = dict(reduction=d.choice(_RED))
    if d.bool():
        _w(kw, "weight", d, shape[-1:])
    return Sample(d.array(shape, -3.0, 3.0), d.array(shape, 0.0, 1.0), **kw)


def _triplet(d):
    shape = (d.int(1, 4), d.int(1, 4)) if d.bool() else (d.int(1, 4),)
    a = d.array(shape, noncontig=False)
    # offsets keep the three apart even when the draws coincide (swap's min has no tie)
    return Sample(a, np.asarray(d.array(shape, noncontig=False) + 0.5, d.dtype),
                  np.asarray(d.array(shape, noncontig=False) - 0.7, d.dtype),
                  margin=d.choice([1.0, 0.3]),
                  p=d.choice([2.0, 1.0]), swap=d.bool(), reduction=d.choice(_RED))


ENTRIES += [
    _loss("poisson_nll_loss", _poisson),
    _loss("gaussian_nll_loss", _gaussian),
    _loss("soft_margin_loss", _soft_margin),
    _loss("margin_ranking_loss", _ranking),
    _loss("hinge_embedding_loss", _hinge),
    _loss("cosine_embedding_loss", _cosine),
    _loss("multilabel_soft_margin_loss", _multilabel),
    _loss("triplet_margin_loss", _triplet),
]


def _multi_margin(d):
    c = d.int(1, 4)
    if d.bool():
        xs = (d.int(1, 4), c)  # (PyTorch's mean of an empty batch is uninitialized memory)
        ts = (xs[0],)
    else:
        xs, ts = (c,), ()
    kw = dict(p=d.choice([1, 2]), margin=d.choice([1.0, 0.5]), reduction=d.choice(_RED))
    if d.bool():
        _w(kw, "weight", d, (c,))
    return Sample(d.array(xs), d.ints(ts, 0, c), **kw)


ENTRIES += [
    # (PyTorch has no double backward for it)
    _loss("multi_margin_loss", _multi_margin, gradgrad=False),
]
