"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against PyTorch:
parameter names, initialisation, reprs, outputs, attention weights, gradients, errors."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import close as _close
from ._helpers import copy_params, outputs_and_grads_match, pair, raises_like

pytestmark = pytest.mark.torch


close = functools.partial(_close, rtol64=1e-8)


MHA_CASES = [
    ({}, {}), ({"batch_first": True}, {}), ({"bias": False}, {}),
    ({"kdim": 3, "vdim": 5}, {}), ({"add_bias_kv": True}, {}), ({"add_zero_attn": True}, {}),
    ({}, {"need_weights": False}), ({}, {"average_attn_weights": False}),
    ({}, {"attn_mask": "bool"}), ({"batch_first": True}, {"attn_mask": "float"}),
    ({}, {"key_padding_mask": "bool"}), ({}, {"attn_mask": "bool", "key_padding_mask": "bool"}),
    ({}, {"attn_mask": "3d"}), ({}, {"attn_mask": "causal", "is_causal": True}),
]


@pytest.mark.parametrize("cfg,call", MHA_CASES)
@pytest.mark.parametrize("batched", [True, False])
def test_mha_matches_torch(torch, cfg, call, batched):
    E, H, L, S, N = 6, 3, 4, 5, 2
    tm = torch.nn.MultiheadAttention(E, H, dtype=torch.float64, **cfg)
    lm = nn.MultiheadAttention(E, H, dtype=lg.float64, **cfg)
    assert repr(lm) == repr(tm)
    rs = np.random.RandomState(0)
    with torch.no_grad():  # non-zero biases, so that their gradients mean something
        for _, p in tm.named_parameters():
            p.add_(torch.tensor(rs.randn(*p.shape) * 0.1))
    copy_params(tm, lm)
    bf = cfg.get("batch_first", False)

    def shape(n, e):
        return ((N, n, e) if bf else (n, N, e)) if batched else (n, e)

    arrays = [rs.randn(*shape(L, E)), rs.randn(*shape(S, cfg.get("kdim", E))),
              rs.randn(*shape(S, cfg.get("vdim", E)))]
    tin = [torch.tensor(a, requires_grad=True) for a in arrays]
    lin = [lg.tensor(a, requires_grad=True) for a in arrays]
    tkw, lkw = {}, {}
    for k, v in call.items():
        if k in ("need_weights", "average_attn_weights", "is_causal"):
            tkw[k] = lkw[k] = v
            continue
        if v == "bool":
            m = rs.rand(*((L, S) if k == "attn_mask" else ((N, S) if batched else (S,)))) > 0.6
            m[..., 0] = False
        elif v == "float":
            m = rs.randn(L, S)
        elif v == "3d":
            m = rs.randn(N * H if batched else H, L, S)
        else:  # causal
            m = np.triu(np.ones((L, S), bool), 1)
        tkw[k], lkw[k] = torch.tensor(m), lg.tensor(m)
    to, tw = tm(*tin, **tkw)
    lo, lw = lm(*lin, **lkw)
    close(to, lo)
    assert (tw is None) == (lw is None)
    if tw is not None:
        close(tw, lw)
    g = rs.randn(*to.shape)
    (to * torch.tensor(g)).sum().backward()
    (lo * lg.tensor(g)).sum().backward()
    for t, lt in zip(tin, lin):
        close(t.grad, lt.grad)
    for (_n, tp), lp in zip(tm.named_parameters(), lm.parameters()):
        close(tp.grad, lp.grad)


def test_mha_parameters_and_init(torch):
    m = nn.MultiheadAttention(16, 4)
    tm = torch.nn.MultiheadAttention(16, 4)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    bound = math.sqrt(6 / (16 + 48))  # xavier_uniform_ on (3E, E)
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert (m.in_proj_bias.detach().numpy() == 0).all()
    assert (m.out_proj.bias.detach().numpy() == 0).all()
    assert m.q_proj_weight is None and m.head_dim == 4
    m2 = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    tm2 = torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    assert [(n, tuple(p.shape)) for n, p in m2.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm2.named_parameters()]
    assert m2.in_proj_weight is None


def test_mha_errors(torch):
    raises_like(lambda: torch.nn.MultiheadAttention(6, 4), lambda: nn.MultiheadAttention(6, 4))
    raises_like(lambda: torch.nn.MultiheadAttention(0, 4), lambda: nn.MultiheadAttention(0, 4))
    tm, lm = torch.nn.MultiheadAttention(4, 2), nn.MultiheadAttention(4, 2)
    tx, lx = torch.randn(3, 2, 4), lg.randn(3, 2, 4)
    raises_like(lambda: tm(tx, tx, tx, attn_mask=torch.zeros(3, 4)),
                lambda: lm(lx, lx, lx, attn_mask=lg.zeros(3, 4)))
    raises_like(lambda: tm(tx, tx, tx, attn_mask=torch.zeros(2, 3, 3)),
                lambda: lm(lx, lx, lx, attn_mask=lg.zeros(2, 3, 3)))


@pytest.mark.parametrize("cfg", [
    {}, {"norm_first": True}, {"activation": "gelu", "batch_first": True},
    {"bias": False, "layer_norm_eps": 1e-3}, {"activation": "callable"}])
@pytest.mark.parametrize("masks", [False, True])
def test_encoder_layer_matches_torch(torch, cfg, masks):
    tcfg, lcfg = dict(cfg), dict(cfg)
    if cfg.get("activation") == "callable":
        tcfg["activation"] = torch.tanh
        lcfg["activation"] = lg.tanh
    tm = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=torch.float64, **tcfg)
    lm = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=lg.float64, **lcfg)
    assert repr(lm) == repr(tm)
    copy_params(tm, lm)
    rs = np.random.RandomState(1)
    x = rs.randn(3, 5, 8)
    tx, lx = pair(torch, x)
    tkw, lkw = {}, {}
    if masks:
        causal = np.triu(np.ones((5, 5), bool), 1) if cfg.get("batch_first") else \
            np.triu(np.ones((3, 3), bool), 1)
        tkw["src_mask"], lkw["src_mask"] = torch.tensor(causal), lg.tensor(causal)
    tm.train()  # the math path (PyTorch's fast path runs only in eval mode)
    outputs_and_grads_match(close, tm(tx, **tkw), lm(lx, **lkw), [(tx, lx)], tm, lm)


def test_encoder_layer_bad_activation(torch):
    raises_like(lambda: torch.nn.TransformerEncoderLayer(4, 2, activation="tanh"),
                lambda: nn.TransformerEncoderLayer(4, 2, activation="tanh"))


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_encoder_stack(torch):
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=torch.float64)
    ll = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=lg.float64)
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8, dtype=torch.float64),
                                     enable_nested_tensor=False)
    lm = nn.TransformerEncoder(ll, 2, norm=nn.LayerNorm(8, dtype=lg.float64))
    assert repr(lm) == repr(tm)
    copy_params(tm, lm)
    x = np.random.RandomState(2).randn(4, 2, 8)
    close(tm(torch.tensor(x)), lm(lg.tensor(x)))
    assert lm.layers[0].linear1.weight is not lm.layers[1].linear1.weight


@pytest.mark.parametrize("cfg", [{}, {"norm_first": True, "activation": "gelu"},
                                 {"batch_first": True, "bias": False}])
def test_decoder_layer_matches_torch(torch, cfg):
    tm = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, dtype=torch.float64, **cfg)
    lm = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, dtype=lg.float64, **cfg)
    assert repr(lm) == repr(tm)
    copy_params(tm, lm)
    rs = np.random.RandomState(3)
    if cfg.get("batch_first"):
        tgt, mem = rs.randn(2, 3, 8), rs.randn(2, 4, 8)
    else:
        tgt, mem = rs.randn(3, 2, 8), rs.randn(4, 2, 8)
    mask = np.triu(np.ones((3, 3), bool), 1)
    tt, lt = pair(torch, tgt)
    tmem, lmem = pair(torch, mem)
    to = tm(tt, tmem, tgt_mask=torch.tensor(mask))
    lo = lm(lt, lmem, tgt_mask=lg.tensor(mask))
    outputs_and_grads_match(close, to, lo, [(tt, lt), (tmem, lmem)], tm, lm)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_full_transformer_matches_torch(torch):
    tm = torch.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, dtype=torch.float64)
    lm = nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, dtype=lg.float64)
    assert repr(lm) == repr(tm)
    w = [p for p in lm.parameters() if p.dim() > 1][0].detach().numpy()
    bound = math.sqrt(6 / sum(w.shape))  # xavier_uniform_ on every matrix
    assert np.abs(w).max() <= bound
    copy_params(tm, lm)
    rs = np.random.RandomState(4)
    src, tgt = rs.randn(5, 2, 8), rs.randn(3, 2, 8)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    lmask = nn.Transformer.generate_square_subsequent_mask(3, dtype=lg.float64)
    np.testing.assert_array_equal(lmask.numpy(), tmask.numpy())
    ts, ls = pair(torch, src)
    to = tm(ts, torch.tensor(tgt), tgt_mask=tmask)
    lo = lm(ls, lg.tensor(tgt), tgt_mask=lmask)
    close(to, lo)
    to.sum().backward()
    lo.sum().backward()
    close(ts.grad, ls.grad)
    raises_like(lambda: tm(torch.randn(5, 2, 8), torch.randn(3, 3, 8)),
                lambda: lm(lg.randn(5, 2, 8), lg.randn(3, 3, 8)))
    raises_like(lambda: tm(torch.randn(5, 2, 7), torch.randn(3, 2, 8)),
                lambda: lm(lg.randn(5, 2, 7), lg.randn(3, 2, 8)))


@pytest.mark.parametrize("cfg", [{}, {"batch_first": True},
                                 {"batch_first": True, "norm_first": True},
                                 {"batch_first": True, "activation": "gelu", "nhead": 3}])
def test_encoder_nested_tensor_warning_matches_torch(torch, cfg):
    import warnings

    cfg = dict(cfg)
    nhead = cfg.pop("nhead", 2)
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(6, nhead, 8, **cfg), 1)
    with warnings.catch_warnings(record=True) as lw:
        warnings.simplefilter("always")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(6, nhead, 8, **cfg), 1)
    assert [str(w.message) for w in lw] == [str(w.message) for w in tw]
