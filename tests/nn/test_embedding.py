"""nn.Embedding against PyTorch: init, padding_idx, reprs, values, gradients, from_pretrained,
max_norm and errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import pair

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("args,kw", [
    ((10, 3), {}), ((10, 3), {"padding_idx": 0}), ((10, 3), {"padding_idx": -1}),
    ((10, 3), {"max_norm": 1, "scale_grad_by_freq": True, "sparse": True}),
    ((5, 2), {"max_norm": 2.0, "norm_type": 1.0})])
def test_repr_and_params(torch, args, kw):
    tm, lm = torch.nn.Embedding(*args, **kw), nn.Embedding(*args, **kw)
    assert repr(lm) == repr(tm)
    assert lm.padding_idx == tm.padding_idx
    assert [(n, tuple(p.shape)) for n, p in lm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    if tm.padding_idx is not None:
        assert (lm.weight.detach().numpy()[lm.padding_idx] == 0).all()


def test_default_init_is_standard_normal():
    lg.manual_seed(0)
    w = nn.Embedding(400, 50).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02
    assert w.dtype == np.float32


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 2}, {"scale_grad_by_freq": True},
                                {"padding_idx": 1, "scale_grad_by_freq": True}])
def test_forward_backward_matches_torch(torch, kw):
    tm, lm = torch.nn.Embedding(6, 4, **kw), nn.Embedding(6, 4, **kw)
    lm.weight._data[...] = tm.weight.detach().numpy()
    idx = np.array([[1, 2, 2, 0], [5, 1, 1, 1]])
    ty, ly = tm(torch.tensor(idx)), lm(lg.tensor(idx))
    np.testing.assert_allclose(ly.detach().numpy(), ty.detach().numpy())
    g = np.random.RandomState(0).randn(2, 4, 4).astype(np.float32)
    ty.backward(torch.tensor(g))
    ly.backward(lg.tensor(g))
    np.testing.assert_allclose(lm.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-6,
                               atol=1e-7)
    if "padding_idx" in kw:
        assert (lm.weight.grad.numpy()[kw["padding_idx"]] == 0).all()


def test_int32_indices_and_max_norm(torch):
    w = np.random.RandomState(1).randn(6, 3).astype(np.float32) * 3
    tm = torch.nn.Embedding.from_pretrained(torch.tensor(w), max_norm=1.0)
    lm = nn.Embedding.from_pretrained(lg.tensor(w), max_norm=1.0)
    idx = np.array([0, 3, 3], dtype=np.int32)
    ty, ly = tm(torch.tensor(idx)), lm(lg.tensor(idx))
    np.testing.assert_allclose(ly.numpy(), ty.numpy(), rtol=1e-6)
    np.testing.assert_allclose(lm.weight.numpy(), tm.weight.numpy(), rtol=1e-6)


def test_from_pretrained_freeze(torch):
    w = lg.randn(4, 2)
    m = nn.Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    assert m.weight.data_ptr() == w.data_ptr()
    m = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    assert m.weight.requires_grad and repr(m) == "Embedding(4, 2, padding_idx=1)"
    with pytest.raises(AssertionError) as info:
        torch.nn.Embedding.from_pretrained(torch.randn(4))
    with pytest.raises(AssertionError, match=re.escape(str(info.value))):
        nn.Embedding.from_pretrained(lg.randn(4))


@pytest.mark.parametrize("pad", [3, -4])
def test_padding_idx_errors(torch, pad):
    with pytest.raises(AssertionError) as info:
        torch.nn.Embedding(3, 2, padding_idx=pad)
    with pytest.raises(AssertionError, match=re.escape(str(info.value))):
        nn.Embedding(3, 2, padding_idx=pad)


def test_index_errors(torch):
    for bad in ([3], [-1]):
        with pytest.raises(IndexError) as info:
            torch.nn.Embedding(3, 2)(torch.tensor(bad))
        with pytest.raises(IndexError, match=re.escape(str(info.value))):
            nn.Embedding(3, 2)(lg.tensor(bad))


# -- EmbeddingBag ---------------------------------------------------------------------------
BAGS = [
    {"idx": [1, 2, 4, 5, 4, 3], "off": [0, 2, 2]},  # an empty bag in the middle
    {"idx": [[1, 2, 3], [4, 4, 9]], "off": None},  # 2-D input: fixed-length bags
    {"idx": [1, 2, 4, 5, 4, 3], "off": [0, 2, 2, 6], "last": True},
    {"idx": [7, 7, 7, 0], "off": [0, 1]},
]


@pytest.mark.parametrize("case", BAGS)
@pytest.mark.parametrize("mode,psw", [("sum", False), ("sum", True), ("mean", False),
                                      ("max", False)])  # per_sample_weights: sum only
@pytest.mark.parametrize("pad", [None, 4, -3])
def test_embedding_bag_matches_torch(torch, case, mode, pad, psw):
    rs = np.random.RandomState(0)
    w = rs.randn(10, 3)
    tw, lw = pair(torch, w)
    ps = rs.rand(*np.shape(case["idx"]))
    tp = torch.tensor(ps, requires_grad=True) if psw else None
    lp = lg.tensor(ps, requires_grad=True) if psw else None
    toff = None if case["off"] is None else torch.tensor(case["off"])
    loff = None if case["off"] is None else lg.tensor(case["off"])
    kw = {"mode": mode, "padding_idx": pad, "include_last_offset": case.get("last", False)}
    ty = torch.nn.functional.embedding_bag(torch.tensor(case["idx"]), tw, toff,
                                           per_sample_weights=tp, **kw)
    ly = nn.functional.embedding_bag(lg.tensor(case["idx"]), lw, loff,
                                     per_sample_weights=lp, **kw)
    np.testing.assert_allclose(ly.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    assert ly.grad_fn.name() == ty.grad_fn.name()
    g = rs.randn(*ty.shape)
    ty.backward(torch.tensor(g))
    ly.backward(lg.tensor(g))
    np.testing.assert_allclose(lw.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-14)
    if psw:
        np.testing.assert_allclose(lp.grad.numpy(), tp.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_embedding_bag_gradcheck():
    from leafgrad.autograd import gradcheck, gradgradcheck

    rs = np.random.RandomState(1)
    w = lg.tensor(rs.randn(6, 2), requires_grad=True)
    p = lg.tensor(rs.rand(5), requires_grad=True)
    idx, off = lg.tensor([1, 2, 4, 5, 1]), lg.tensor([0, 2, 2])

    def f(w, p):
        return nn.functional.embedding_bag(idx, w, off, mode="sum", per_sample_weights=p)

    assert gradcheck(f, (w, p)) and gradgradcheck(f, (w, p))

    def g(w):
        return nn.functional.embedding_bag(idx, w, off, mode="max") ** 2

    assert gradcheck(g, (w,)) and gradgradcheck(g, (w,))


def test_embedding_bag_module(torch):
    tm = torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)
    lm = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)
    assert repr(lm) == repr(tm)
    assert (lm.weight.detach().numpy()[0] == 0).all()
    lm.weight._data[...] = tm.weight.detach().numpy()
    idx, off = [0, 2, 3, 3, 9], [0, 3]
    ty, ly = tm(torch.tensor(idx), torch.tensor(off)), lm(lg.tensor(idx), lg.tensor(off))
    np.testing.assert_allclose(ly.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
    frozen = nn.EmbeddingBag.from_pretrained(lg.randn(4, 2), mode="max")
    assert not frozen.weight.requires_grad and repr(frozen) == "EmbeddingBag(4, 2, mode='max')"


def test_embedding_bag_errors(torch):
    F, LF = torch.nn.functional, nn.functional
    w, lw = torch.randn(10, 3), lg.randn(10, 3)
    idx, lidx = torch.tensor([1, 2, 4, 5, 4, 3]), lg.tensor([1, 2, 4, 5, 4, 3])
    cases = [
        (lambda: F.embedding_bag(idx, w), lambda: LF.embedding_bag(lidx, lw)),
        (lambda: F.embedding_bag(idx, w, torch.tensor([[0, 2]])),
         lambda: LF.embedding_bag(lidx, lw, lg.tensor([[0, 2]]))),
        (lambda: F.embedding_bag(idx.view(1, 2, 3), w),
         lambda: LF.embedding_bag(lidx.view(1, 2, 3), lw)),
        (lambda: F.embedding_bag(idx, w, torch.tensor([0, 2]), mode="foo"),
         lambda: LF.embedding_bag(lidx, lw, lg.tensor([0, 2]), mode="foo")),
        (lambda: F.embedding_bag(idx, w, torch.tensor([0, 2]), mode="mean",
                                 per_sample_weights=torch.ones(6)),
         lambda: LF.embedding_bag(lidx, lw, lg.tensor([0, 2]), mode="mean",
                                  per_sample_weights=lg.ones(6))),
        (lambda: F.embedding_bag(idx, w, torch.tensor([0, 9])),
         lambda: LF.embedding_bag(lidx, lw, lg.tensor([0, 9]))),
        (lambda: F.embedding_bag(idx, w, torch.tensor([0, 2]), mode="max",
                                 scale_grad_by_freq=True),
         lambda: LF.embedding_bag(lidx, lw, lg.tensor([0, 2]), mode="max",
                                  scale_grad_by_freq=True)),
    ]
    for tf, lf in cases:
        with pytest.raises(Exception) as info:
            tf()
        msg = str(info.value).replace("torch.", "leafgrad.")
        with pytest.raises(info.type, match=re.escape(msg)):
            lf()
