"""nn.functional layers (batch/layer/group norm, dropout, embedding, one_hot, normalize,
attention) against PyTorch: values, gradients, node names, running statistics, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.nn.functional as LF
from leafgrad.autograd import gradcheck, gradgradcheck

from ._helpers import close, pair, raises_like

pytestmark = pytest.mark.torch
# The torch fixture is a module: nothing to reset between examples.
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

DTYPES = [np.float32, np.float64]


def affine_pairs(torch, rs, shape, dt, affine: bool):
    """Random (torch, leafgrad) weight and bias pairs of ``shape``; (None, None) pairs when
    not ``affine``."""
    if not affine:
        return (None, None), (None, None)
    return pair(torch, rs.randn(*shape).astype(dt)), pair(torch, rs.randn(*shape).astype(dt))


def grads_close(dt, *pairs) -> None:
    """``close`` on the gradients of each (torch, leafgrad) pair (pairs of None skipped)."""
    for t, lt in pairs:
        if t is not None:
            close(t.grad, lt.grad, dt)


def backward_both(torch, t_out, l_out, rs):
    g = rs.randn(*t_out.shape).astype(t_out.detach().numpy().dtype)
    t_out.backward(torch.tensor(g))
    l_out.backward(lg.tensor(g))


# -- batch_norm -----------------------------------------------------------------------------------
@FIXTURE_OK
@given(n=st.integers(3, 4), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 3), max_size=2),
       dt=st.sampled_from(DTYPES), training=st.booleans(), affine=st.booleans(),
       stats=st.booleans(), seed=st.integers(0, 2**16))
def test_batch_norm_matches_torch(torch, n, c, spatial, dt, training, affine, stats, seed):
    rs = np.random.RandomState(seed)
    if not stats:
        training = True
    shape = (n, c, *spatial)
    # samples spread apart: no near-zero variance, where float32 gradients are all noise
    x = rs.randn(*shape) + np.arange(n).reshape((n,) + (1,) * (len(shape) - 1))
    tx, lx = pair(torch, x.astype(dt))
    (tw, lw), (tb, lb) = affine_pairs(torch, rs, (c,), dt, affine)
    if stats:
        trm, lrm = pair(torch, rs.randn(c).astype(dt), False)
        trv, lrv = pair(torch, (rs.rand(c) + 0.5).astype(dt), False)
    else:
        trm = lrm = trv = lrv = None
    ty = torch.nn.functional.batch_norm(tx, trm, trv, tw, tb, training, 0.3, 1e-4)
    ly = LF.batch_norm(lx, lrm, lrv, lw, lb, training, 0.3, 1e-4)
    close(ty, ly, dt)
    assert ly.grad_fn.name() == ty.grad_fn.name() == "NativeBatchNormBackward0"
    assert [e[0] is None for e in ly.grad_fn.next_functions] == \
        [e[0] is None for e in ty.grad_fn.next_functions]
    backward_both(torch, ty, ly, rs)
    grads_close(dt, (tx, lx), (tw, lw), (tb, lb))
    if stats:
        close(trm, lrm, dt)
        close(trv, lrv, dt)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(training):
    rs = np.random.RandomState(0)
    x = lg.tensor(rs.randn(3, 2, 4), requires_grad=True)
    w = lg.tensor(rs.randn(2), requires_grad=True)
    b = lg.tensor(rs.randn(2), requires_grad=True)
    rm, rv = lg.tensor(rs.randn(2)), lg.tensor(rs.rand(2) + 0.5)

    def f(x, w, b):
        return LF.batch_norm(x, rm.clone(), rv.clone(), w, b, training)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_batch_norm_errors(torch):
    F = torch.nn.functional
    raises_like(lambda: F.batch_norm(torch.randn(1, 3), None, None, training=True),
                lambda: LF.batch_norm(lg.randn(1, 3), None, None, training=True))
    raises_like(
        lambda: F.batch_norm(torch.randn(4, 3), torch.zeros(4), torch.ones(3), training=True),
        lambda: LF.batch_norm(lg.randn(4, 3), lg.zeros(4), lg.ones(3), training=True))
    raises_like(lambda: F.batch_norm(torch.randn(4, 3), None, None, training=False),
                lambda: LF.batch_norm(lg.randn(4, 3), None, None, training=False))


def test_batch_norm_running_stats_version_bumps():
    rm, rv = lg.zeros(3), lg.ones(3)
    LF.batch_norm(lg.randn(4, 3), rm, rv, training=True)
    assert rm._version == 1 and rv._version == 1


# -- layer_norm / group_norm ----------------------------------------------------------------------
@FIXTURE_OK
@given(lead=st.lists(st.integers(1, 3), max_size=2), norm=st.lists(st.integers(1, 4), min_size=1,
       max_size=2), dt=st.sampled_from(DTYPES), affine=st.booleans(), seed=st.integers(0, 2**16))
def test_layer_norm_matches_torch(torch, lead, norm, dt, affine, seed):
    rs = np.random.RandomState(seed)
    if int(np.prod(norm)) < 3:
        norm = [3]  # one or two values normalised: the gradient is rounding noise (see above)
    spread = np.arange(int(np.prod(norm))).reshape(norm)  # no near-zero variance
    tx, lx = pair(torch, (rs.randn(*lead, *norm) + spread).astype(dt))
    (tw, lw), (tb, lb) = affine_pairs(torch, rs, norm, dt, affine)
    ty = torch.nn.functional.layer_norm(tx, norm, tw, tb, 1e-5)
    ly = LF.layer_norm(lx, norm, lw, lb, 1e-5)
    close(ty, ly, dt)
    assert ly.grad_fn.name() == ty.grad_fn.name()
    backward_both(torch, ty, ly, rs)
    grads_close(dt, (tx, lx), (tw, lw), (tb, lb))


def test_layer_norm_gradcheck():
    rs = np.random.RandomState(1)
    x = lg.tensor(rs.randn(3, 2, 4), requires_grad=True)
    w = lg.tensor(rs.randn(2, 4), requires_grad=True)
    b = lg.tensor(rs.randn(2, 4), requires_grad=True)
    assert gradcheck(lambda x, w, b: LF.layer_norm(x, (2, 4), w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: LF.layer_norm(x, (2, 4), w, b), (x, w, b))


@pytest.mark.parametrize("fn", ["layer_norm", "rms_norm"])
def test_normalized_shape_errors(torch, fn):
    tf, lf = getattr(torch.nn.functional, fn), getattr(LF, fn)
    raises_like(lambda: tf(torch.randn(4, 3, 5), (4,)), lambda: lf(lg.randn(4, 3, 5), (4,)))
    raises_like(lambda: tf(torch.randn(4, 3, 5), (5,), torch.ones(4)),
                lambda: lf(lg.randn(4, 3, 5), (5,), lg.ones(4)))


@FIXTURE_OK
@given(n=st.integers(1, 3), groups=st.integers(1, 3), per=st.integers(1, 2),
       spatial=st.lists(st.integers(1, 3), max_size=2), dt=st.sampled_from(DTYPES),
       affine=st.booleans(), seed=st.integers(0, 2**16))
def test_group_norm_matches_torch(torch, n, groups, per, spatial, dt, affine, seed):
    rs = np.random.RandomState(seed)
    c = groups * per
    if per * int(np.prod(spatial)) < 3:
        # one or two values per group: the input gradient is pure rounding noise (it is
        # exactly zero for two values without eps), so no two implementations agree on it
        spatial = [3]
    spread = np.arange(c * int(np.prod(spatial))).reshape(c, *spatial)  # no zero variance
    tx, lx = pair(torch, (rs.randn(n, c, *spatial) + spread).astype(dt))
    (tw, lw), (tb, lb) = affine_pairs(torch, rs, (c,), dt, affine)
    ty = torch.nn.functional.group_norm(tx, groups, tw, tb)
    ly = LF.group_norm(lx, groups, lw, lb)
    close(ty, ly, dt)
    assert ly.grad_fn.name() == ty.grad_fn.name() == "NativeGroupNormBackward0"
    backward_both(torch, ty, ly, rs)
    grads_close(dt, (tx, lx), (tw, lw), (tb, lb))


def test_group_norm_gradcheck():
    rs = np.random.RandomState(2)
    x = lg.tensor(rs.randn(2, 4, 3), requires_grad=True)
    w = lg.tensor(rs.randn(4), requires_grad=True)
    b = lg.tensor(rs.randn(4), requires_grad=True)
    assert gradcheck(lambda x, w, b: LF.group_norm(x, 2, w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: LF.group_norm(x, 2, w, b), (x, w, b))


def test_group_norm_errors(torch):
    raises_like(lambda: torch.nn.functional.group_norm(torch.randn(4, 3, 5), 2),
                lambda: LF.group_norm(lg.randn(4, 3, 5), 2))


# -- dropout --------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_scaling_and_mask(p):
    lg.manual_seed(0)
    x = (lg.rand(20000) + 0.5).requires_grad_()
    y = LF.dropout(x, p)
    assert y.grad_fn.name() == "MulBackward0"
    a, ya = x.detach().numpy(), y.detach().numpy()
    kept = ya != 0
    np.testing.assert_allclose(ya[kept], a[kept] / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / (1 - p), rtol=1e-6)


def test_dropout_edges(torch):
    x = lg.randn(5, requires_grad=True)
    tx = torch.randn(5, requires_grad=True)
    assert (LF.dropout(x, 0.0) is x) == (torch.nn.functional.dropout(tx, 0.0) is tx) is True
    assert (LF.dropout(x, 0.5, False) is x) == \
        (torch.nn.functional.dropout(tx, 0.5, False) is tx) is True
    assert (LF.dropout(x, 1.0).detach().numpy() == 0).all()
    assert LF.dropout(x, 1.0).grad_fn.name() == torch.nn.functional.dropout(tx, 1.0).grad_fn.name()
    for p in (1.5, -0.1):
        raises_like(lambda p=p: torch.nn.functional.dropout(tx, p),
                    lambda p=p: LF.dropout(x, p))


def test_channel_dropout(torch):
    lg.manual_seed(1)
    y = LF.dropout1d(lg.ones(4, 16, 7), 0.5).numpy()
    assert ((y == 0).all(-1) | (y == 2).all(-1)).all()
    assert 0 < (y == 0).all(-1).sum() < 64
    y = LF.dropout2d(lg.ones(4, 16, 3, 5), 0.5).numpy()
    assert ((y == 0).all((-1, -2)) | (y == 2).all((-1, -2))).all()
    y = LF.dropout1d(lg.ones(16, 7), 0.5).numpy()  # unbatched: channels are dim 0
    assert ((y == 0).all(-1) | (y == 2).all(-1)).all()
    raises_like(lambda: torch.nn.functional.dropout1d(torch.randn(2, 3, 4, 5), 0.5),
                lambda: LF.dropout1d(lg.randn(2, 3, 4, 5), 0.5))
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        torch.nn.functional.dropout2d(torch.randn(2, 3, 4), 0.5)
    with warnings.catch_warnings(record=True) as lw:
        warnings.simplefilter("always")
        LF.dropout2d(lg.randn(2, 3, 4), 0.5)
    assert [str(w.message) for w in lw] == [str(w.message) for w in tw]


# -- embedding ------------------------------------------------------------------------------------
@FIXTURE_OK
@given(n=st.integers(2, 6), d=st.integers(1, 4), idx_shape=st.lists(st.integers(0, 3), max_size=2),
       pad=st.booleans(), freq=st.booleans(), dt=st.sampled_from(DTYPES),
       seed=st.integers(0, 2**16))
def test_embedding_matches_torch(torch, n, d, idx_shape, pad, freq, dt, seed):
    rs = np.random.RandomState(seed)
    idx = rs.randint(0, n, size=idx_shape)
    tw, lw = pair(torch, rs.randn(n, d).astype(dt))
    padding_idx = int(rs.randint(-n, n)) if pad else None
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx,
                                       scale_grad_by_freq=freq)
    ly = LF.embedding(lg.tensor(idx), lw, padding_idx, scale_grad_by_freq=freq)
    close(ty, ly, dt)
    assert ly.grad_fn.name() == ty.grad_fn.name() == "EmbeddingBackward0"
    backward_both(torch, ty, ly, rs)
    close(tw.grad, lw.grad, dt)


def test_embedding_max_norm(torch):
    rs = np.random.RandomState(3)
    w = rs.randn(6, 3) * 3
    idx = np.array([[0, 2], [2, 5]])
    tw, lw = torch.tensor(w), lg.tensor(w)
    ty = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.5)
    ly = LF.embedding(lg.tensor(idx), lw, max_norm=1.5)
    close(ty, ly, np.float64)
    close(tw, lw, np.float64)  # the looked-up rows are renormalised in place


def test_embedding_gradcheck():
    w = lg.randn(5, 3, dtype=lg.float64, requires_grad=True)
    idx = lg.tensor([[1, 1], [4, 0]])
    assert gradcheck(lambda w: LF.embedding(idx, w), (w,))
    assert gradgradcheck(lambda w: LF.embedding(idx, w) ** 2, (w,))


def test_embedding_errors(torch):
    F = torch.nn.functional
    raises_like(lambda: F.embedding(torch.tensor([1.0, 2.0]), torch.randn(3, 2)),
                lambda: LF.embedding(lg.tensor([1.0, 2.0]), lg.randn(3, 2)))
    raises_like(lambda: F.embedding(torch.tensor([5]), torch.randn(3, 2)),
                lambda: LF.embedding(lg.tensor([5]), lg.randn(3, 2)))
    raises_like(lambda: F.embedding(torch.tensor([-1]), torch.randn(3, 2)),
                lambda: LF.embedding(lg.tensor([-1]), lg.randn(3, 2)))
    for p in (3, -4):
        raises_like(lambda p=p: F.embedding(torch.tensor([1]), torch.randn(3, 2), padding_idx=p),
                    lambda p=p: LF.embedding(lg.tensor([1]), lg.randn(3, 2), padding_idx=p))


# -- one_hot / normalize --------------------------------------------------------------------------
@FIXTURE_OK
@given(shape=st.lists(st.integers(1, 3), max_size=3), k=st.integers(1, 5),
       extra=st.integers(-1, 2), seed=st.integers(0, 2**16))
def test_one_hot_matches_torch(torch, shape, k, extra, seed):
    a = np.random.RandomState(seed).randint(0, k, size=shape)
    num = -1 if extra < 0 else int(a.max()) + 1 + extra
    t = torch.nn.functional.one_hot(torch.tensor(a), num)
    out = LF.one_hot(lg.tensor(a), num)
    assert out.dtype == lg.int64
    np.testing.assert_array_equal(out.numpy(), t.numpy())


def test_one_hot_errors(torch):
    F = torch.nn.functional
    cases = [(lambda m: m.tensor([1.0, 2.0]), -1), (lambda m: m.tensor([1, 2]), 2),
             (lambda m: m.tensor([-1, 2]), -1), (lambda m: m.tensor([], dtype=m.long), -1),
             (lambda m: m.tensor([], dtype=m.long), 0), (lambda m: m.tensor([1]), -2)]
    for make, k in cases:
        raises_like(lambda make=make, k=k: F.one_hot(make(torch), k),
                    lambda make=make, k=k: LF.one_hot(make(lg), k))
    assert tuple(LF.one_hot(lg.tensor([], dtype=lg.long), 3).shape) == (0, 3)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, -1), (3.0, 0)])
@pytest.mark.parametrize("dt", DTYPES)
def test_normalize_matches_torch(torch, p, dim, dt):
    rs = np.random.RandomState(4)
    a = rs.randn(3, 4, 2).astype(dt)
    a[0, :, 0] = 0.0  # a zero vector: eps keeps it finite
    tx, lx = pair(torch, a)
    ty = torch.nn.functional.normalize(tx, p, dim)
    ly = LF.normalize(lx, p, dim)
    close(ty, ly, dt)
    backward_both(torch, ty, ly, rs)
    close(tx.grad, lx.grad, dt)


# -- attention ------------------------------------------------------------------------------------
@FIXTURE_OK
@given(batch=st.lists(st.integers(1, 2), max_size=2), L=st.integers(1, 4), S=st.integers(1, 4),
       E=st.integers(1, 4), Ev=st.integers(1, 3), mask=st.sampled_from(["none", "bool", "float",
       "causal"]), scale=st.sampled_from([None, 0.5]), dt=st.sampled_from(DTYPES),
       seed=st.integers(0, 2**16))
def test_sdpa_matches_torch(torch, batch, L, S, E, Ev, mask, scale, dt, seed):
    rs = np.random.RandomState(seed)
    tq, lq = pair(torch, rs.randn(*batch, L, E).astype(dt))
    tk, lk = pair(torch, rs.randn(*batch, S, E).astype(dt))
    tv, lv = pair(torch, rs.randn(*batch, S, Ev).astype(dt))
    kw_t, kw_l = {"scale": scale}, {"scale": scale}
    if mask == "bool":
        m = rs.rand(L, S) > 0.3
        m[:, 0] = True  # every query attends somewhere
        kw_t["attn_mask"], kw_l["attn_mask"] = torch.tensor(m), lg.tensor(m)
    elif mask == "float":
        m = rs.randn(L, S).astype(dt)
        kw_t["attn_mask"], kw_l["attn_mask"] = torch.tensor(m), lg.tensor(m)
    elif mask == "causal":
        kw_t["is_causal"] = kw_l["is_causal"] = True
    ty = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **kw_t)
    ly = LF.scaled_dot_product_attention(lq, lk, lv, **kw_l)
    close(ty, ly, dt)
    backward_both(torch, ty, ly, rs)
    for t, lt in ((tq, lq), (tk, lk), (tv, lv)):
        close(t.grad, lt.grad, dt)


def test_sdpa_errors(torch):
    F = torch.nn.functional
    q, lq = torch.randn(2, 3, 4), lg.randn(2, 3, 4)
    tb, lb = torch.ones(3, 3, dtype=torch.bool), lg.ones(3, 3, dtype=lg.bool)
    raises_like(lambda: F.scaled_dot_product_attention(q, q, q, attn_mask=tb, is_causal=True),
                lambda: LF.scaled_dot_product_attention(lq, lq, lq, attn_mask=lb, is_causal=True))
    ti, li = torch.ones(3, 3, dtype=torch.long), lg.ones(3, 3, dtype=lg.long)
    raises_like(lambda: F.scaled_dot_product_attention(q, q, q, attn_mask=ti),
                lambda: LF.scaled_dot_product_attention(lq, lq, lq, attn_mask=li))
    raises_like(lambda: F.scaled_dot_product_attention(q, q, q.double()),
                lambda: LF.scaled_dot_product_attention(lq, lq, lq.double()))


def test_sdpa_dropout_runs():
    lg.manual_seed(0)
    q = lg.randn(2, 3, 4, requires_grad=True)
    y = LF.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    y.sum().backward()
    assert q.grad.shape == q.shape


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("opts", [
    {}, {"bias": False}, {"kpm": True}, {"mask": "bool"}, {"mask": "float", "kpm": True},
    {"bias_kv": True}, {"zero_attn": True}, {"avg": False}, {"separate": True}])
def test_multi_head_attention_forward_matches_torch(torch, batched, opts):
    rs = np.random.RandomState(5)
    E, H, L, S, N = 6, 2, 3, 4, 2
    dt = np.float64

    def both(*shape, rg=True):
        return pair(torch, rs.randn(*shape).astype(dt), rg)

    bshape = (N,) if batched else ()
    q, k, v = (both(L, *bshape, E), both(S, *bshape, E), both(S, *bshape, E))
    w_in = both(3 * E, E)
    b_in = both(3 * E) if opts.get("bias") is not False else (None, None)
    w_out, b_out = both(E, E), both(E)
    bk, bv = (both(1, 1, E), both(1, 1, E)) if opts.get("bias_kv") else ((None, None),) * 2
    sep = [both(E, E) for _ in range(3)] if opts.get("separate") else [(None, None)] * 3
    kpm = (None, None)
    if opts.get("kpm"):
        m = rs.rand(*bshape, S) > 0.6
        m[..., 0] = False
        if opts.get("mask") == "float":  # mask types must agree (else a torch deprecation)
            m = np.where(m, -np.inf, 0.0)
        kpm = (torch.tensor(m), lg.tensor(m))
    am = (None, None)
    if opts.get("mask") == "bool":
        m = rs.rand(L, S) > 0.6
        m[:, 0] = False
        am = (torch.tensor(m), lg.tensor(m))
    elif opts.get("mask") == "float":
        m = rs.randn(L, S)
        am = (torch.tensor(m), lg.tensor(m))
    outs = []
    for i, F in enumerate((torch.nn.functional, LF)):
        outs.append(F.multi_head_attention_forward(
            q[i], k[i], v[i], E, H, w_in[i], b_in[i], bk[i], bv[i], bool(opts.get("zero_attn")),
            0.0, w_out[i], b_out[i], training=True, key_padding_mask=kpm[i], need_weights=True,
            attn_mask=am[i], use_separate_proj_weight=bool(opts.get("separate")),
            q_proj_weight=sep[0][i], k_proj_weight=sep[1][i], v_proj_weight=sep[2][i],
            average_attn_weights=opts.get("avg", True)))
    (to, tw), (lo, lw) = outs
    close(to, lo, dt)
    close(tw, lw, dt)
    g = rs.randn(*to.shape)
    (to * torch.tensor(g)).sum().backward()
    (lo * lg.tensor(g)).sum().backward()
    for t, lt in [q, k, v, w_in, b_in, w_out, b_out, bk, bv, *sep]:
        if t is not None and (t.grad is not None or lt.grad is not None):
            close(t.grad, lt.grad, dt)


def test_saved_attributes_match_torch(torch):
    """The norms' nodes expose PyTorch's ``_saved_*`` tensors (same names and shapes)."""
    F = torch.nn.functional
    tx, lx = torch.randn(2, 4, 3, requires_grad=True), lg.randn(2, 4, 3, requires_grad=True)
    tw, lw = torch.ones(4, requires_grad=True), lg.ones(4, requires_grad=True)
    cases = [
        (F.batch_norm(tx, None, None, tw, None, True),
         LF.batch_norm(lx, None, None, lw, None, True),
         ["input", "result1", "result2", "training", "eps"]),
        (F.batch_norm(tx, torch.zeros(4), torch.ones(4), tw, None, False),
         LF.batch_norm(lx, lg.zeros(4), lg.ones(4), lw, None, False),
         ["input", "result1", "result2", "running_mean", "running_var", "training"]),
        (F.layer_norm(tx, (3,)), LF.layer_norm(lx, (3,)),
         ["input", "result1", "result2", "normalized_shape"]),
        (F.group_norm(tx, 2, tw), LF.group_norm(lx, 2, lw),
         ["input", "weight", "result1", "result2", "N", "C", "HxW", "group", "eps"]),
    ]
    for ty, ly, names in cases:
        for n in names:
            a, b = getattr(ty.grad_fn, "_saved_" + n), getattr(ly.grad_fn, "_saved_" + n)
            if isinstance(a, torch.Tensor):
                assert isinstance(b, lg.Tensor) and tuple(a.shape) == tuple(b.shape), n
            else:
                assert tuple(b) == tuple(a) if isinstance(a, (list, tuple)) else b == a, n


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_running_stats(torch, use_input_stats):
    rs = np.random.RandomState(6)
    x = rs.randn(3, 2, 5)
    trm, trv = torch.tensor(rs.randn(2)), torch.tensor(rs.rand(2) + 0.5)
    lrm, lrv = lg.tensor(trm.numpy()), lg.tensor(trv.numpy())
    tw, lw = pair(torch, rs.randn(2))
    tx, lx = pair(torch, x)
    ty = torch.nn.functional.instance_norm(tx, trm, trv, tw, None, use_input_stats, 0.2)
    ly = LF.instance_norm(lx, lrm, lrv, lw, None, use_input_stats, 0.2)
    close(ty, ly, np.float64)
    close(trm, lrm, np.float64)
    close(trv, lrv, np.float64)
    backward_both(torch, ty, ly, rs)
    close(tx.grad, lx.grad, np.float64)
    close(tw.grad, lw.grad, np.float64)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_rows(torch, kind):
    """A query that may attend to no key gets zeros (and zero gradients), not NaN."""
    rs = np.random.RandomState(7)
    q = rs.randn(1, 2, 3, 4)
    m = np.ones((3, 3), bool)
    m[1] = False
    mask = m if kind == "bool" else np.where(m, 0.0, -np.inf)
    tq, lq = pair(torch, q)
    ty = torch.nn.functional.scaled_dot_product_attention(tq, tq, tq, attn_mask=torch.tensor(mask))
    ly = LF.scaled_dot_product_attention(lq, lq, lq, attn_mask=lg.tensor(mask))
    close(ty, ly, np.float64)
    backward_both(torch, ty, ly, rs)
    close(tq.grad, lq.grad, np.float64)
