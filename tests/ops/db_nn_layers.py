"""OpInfo entries: the functional layers of ``leafgrad.nn.functional`` written in
``nn/_functional_layers.py``: batch/layer/group/instance/RMS norm, embedding, one_hot,
normalize and scaled_dot_product_attention.

Every normalised group holds at least two values drawn in [-2, 2), so variances stay
away from zero (where float32 rounding decides the result).
"""

from __future__ import annotations

import numpy as np

from .opdb import OpInfo, Sample


def _f(name: str):
    return lambda T, *a, **k: getattr(T.nn.functional, name)(*a, **k)


def _bn_samples(d):
    c = d.int(1, 3)
    spatial = tuple(d.int(1, 3) for _ in range(d.int(0, 2)))
    training = d.bool()
    kw: dict = {"training": training, "momentum": d.choice([0.1, 0.5]),
                "eps": d.choice([1e-5, 1e-3])}
    if not training or d.bool():  # running statistics as lists: they never require grad
        kw["stats"] = (d.array((c,), noncontig=False).tolist(),
                       d.array((c,), 0.5, 2.0, noncontig=False).tolist())
    # (a non-contiguous weight: PyTorch 2.13's eval-mode input gradient is wrong)
    w = d.array((c,), noncontig=False) if d.bool() else None
    b = d.array((c,)) if d.bool() else None
    return Sample(d.array((d.int(2, 3), c) + spatial), w, b, **kw)


def _bn_fn(T, x, w, b, stats=None, **kw):
    rm, rv = (None, None) if stats is None else (T.tensor(v, dtype=x.dtype) for v in stats)
    return T.nn.functional.batch_norm(x, rm, rv, w, b, **kw)


def _layer_norm(d):
    norm = tuple(d.int(1, 3) for _ in range(d.int(1, 2)))
    if all(s == 1 for s in norm):
        norm = norm[:-1] + (2,)
    lead = tuple(d.int(1, 3) for _ in range(d.int(0, 2)))
    w = d.array(norm) if d.bool() else None
    b = d.array(norm) if d.bool() else None
    return Sample(d.array(lead + norm), list(norm), w, b, eps=d.choice([1e-5, 1e-2]))


def _rms_norm(d):
    norm = tuple(d.int(1, 3) for _ in range(d.int(1, 2)))
    lead = tuple(d.int(1, 3) for _ in range(d.int(0, 2)))
    w = d.array(norm) if d.bool() else None
    return Sample(d.array(lead + norm, away_from=(0.0,)), list(norm), w,
                  eps=d.choice([None, 1e-3]))


def _lrn(d):
    shape = (d.int(1, 2), d.int(1, 4)) + tuple(d.int(1, 3) for _ in range(d.int(1, 2)))
    return Sample(d.array(shape), d.int(1, 3), alpha=d.choice([1e-4, 0.1]),
                  beta=d.choice([0.75, 0.5]), k=d.choice([1.0, 2.0]))


def _group_norm(d):
    g = d.int(1, 3)
    c = g * d.int(1, 2)
    spatial = tuple(d.int(1, 3) for _ in range(d.int(0, 2)))
    if c // g == 1 and all(s == 1 for s in spatial):
        spatial = (2,)
    w = d.array((c,)) if d.bool() else None
    # (a bias without a weight: PyTorch 2.13's backward fails, "tensor does not have a device")
    b = d.array((c,)) if w is not None and d.bool() else None
    return Sample(d.array((d.int(1, 2), c) + spatial), g, w, b)


def _instance_norm(d):
    c = d.int(1, 3)
    spatial = (d.int(2, 4),) + tuple(d.int(1, 3) for _ in range(d.int(0, 1)))
    w = d.array((c,)) if d.bool() else None
    b = d.array((c,)) if d.bool() else None
    return Sample(d.array((d.int(1, 2), c) + spatial), None, None, w, b)


def _embedding(d):
    n, dim = d.int(2, 5), d.int(1, 3)
    idx = d.ints(d.shape(0, 2, 0, 3), 0, n)
    kw: dict = {}
    unused = sorted(set(range(n)) - set(idx.ravel().tolist()))
    if unused and d.bool():
        # a padding row that is not looked up (its zero gradient would fail gradcheck;
        # tests/nn/test_functional_layers.py compares looked-up padding rows with torch)
        kw["padding_idx"] = d.choice(unused) - (n if d.bool() else 0)
    # (scale_grad_by_freq is no true gradient, so gradcheck cannot take it: it is compared
    # with torch in tests/nn/test_functional_layers.py)
    return Sample(idx, d.array((n, dim)), **kw)


def _embedding_bag(d):
    n, dim = d.int(2, 5), d.int(1, 3)
    mode = d.choice(["sum", "mean", "max"])
    kw: dict = {"mode": mode}
    if d.bool():  # 2-D input: fixed-length bags
        idx = d.ints((d.int(1, 3), d.int(1, 3)), 0, n)
        offsets = None
    else:
        length = d.int(0, 5)
        idx = d.ints((length,), 0, n)
        offsets = np.array([0] + sorted(d.int(0, length) for _ in range(d.int(0, 2))),
                           dtype=np.int64)
    unused = sorted(set(range(n)) - set(idx.ravel().tolist()))
    if unused and d.bool():  # (a looked-up padding row would fail gradcheck: see embedding)
        kw["padding_idx"] = d.choice(unused)
    psw = d.array(idx.shape, noncontig=False) if mode == "sum" and d.bool() else None
    return Sample(idx, d.array((n, dim)), offsets, psw, **kw)


def _embedding_bag_fn(T, idx, w, offsets, psw, **kw):
    return T.nn.functional.embedding_bag(idx, w, offsets, per_sample_weights=psw, **kw)


def _one_hot(d):
    k = d.int(1, 4)
    idx = d.ints(d.shape(0, 3, 1, 3), 0, k)
    return Sample(idx, d.choice([-1, k, k + 2]))


def _normalize(d):
    shape = d.shape(1, 3, 1, 4)
    return Sample(d.array(shape), p=d.choice([1.0, 2.0, 3.0]), dim=d.dim(len(shape)))


def _sdpa(d):
    batch = tuple(d.int(1, 2) for _ in range(d.int(0, 2)))
    L, S, E, Ev = d.int(1, 3), d.int(1, 3), d.int(1, 3), d.int(1, 3)
    kw: dict = {}
    mode = d.int(0, 3)
    if mode == 1:
        m = d.mask((L, S))
        m[:, 0] = True  # every query sees at least one key
        kw["attn_mask"] = m
    elif mode == 2:
        kw["attn_mask"] = d.array((L, S), noncontig=False)
    elif mode == 3:
        kw["is_causal"] = True
    if d.bool():
        kw["scale"] = 0.7
    return Sample(d.array(batch + (L, E)), d.array(batch + (S, E)), d.array(batch + (S, Ev)),
                  **kw)


ENTRIES = [
    OpInfo("batch_norm", _bn_samples, fn=_bn_fn, method=False),
    OpInfo("layer_norm", _layer_norm, fn=_f("layer_norm"), method=False),
    OpInfo("rms_norm", _rms_norm, fn=_f("rms_norm"), method=False),
    OpInfo("local_response_norm", _lrn, fn=_f("local_response_norm"), method=False),
    # float32 tolerances as for other normalisations: small groups cancel (x - mean) / std
    OpInfo("group_norm", _group_norm, fn=_f("group_norm"), method=False, atol=1e-4, rtol=1e-3),
    OpInfo("instance_norm", _instance_norm, fn=_f("instance_norm"), method=False, node=False),
    OpInfo("embedding", _embedding, fn=_f("embedding"), method=False, gradgrad=False),
    OpInfo("embedding_bag", _embedding_bag, fn=_embedding_bag_fn, method=False),
    OpInfo("one_hot", _one_hot, fn=_f("one_hot"), method=False, grad=False),
    # float32: x / ||x|| cancels in its gradient (exactly 0 for one element, ~1e-4 here)
    OpInfo("normalize", _normalize, fn=_f("normalize"), method=False, atol=1e-4, rtol=1e-3),
    OpInfo("scaled_dot_product_attention", _sdpa, fn=_f("scaled_dot_product_attention"),
           method=False, node=False),
]
