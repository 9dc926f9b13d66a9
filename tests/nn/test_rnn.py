"""RNN / LSTM / GRU (and their cells) against PyTorch: parameter names and shapes,
initialisation, reprs, outputs and hidden states, gradients, h0/c0, errors."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import (
    close,
    copy_params,
    outputs_and_grads_match,
    pair,
    raises_like,
    training_losses_match,
)

pytestmark = pytest.mark.torch
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")  # torch's
@FIXTURE_OK
@given(cls=st.sampled_from(["RNN", "LSTM", "GRU"]), layers=st.integers(1, 2),
       bidir=st.booleans(), batch_first=st.booleans(), bias=st.booleans(),
       batched=st.booleans(), give_h0=st.booleans(), relu=st.booleans(), proj=st.booleans(),
       dt=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_matches_torch(torch, cls, layers, bidir, batch_first, bias, batched, give_h0, relu,
                       proj, dt, seed):
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if cls == "RNN" and relu:
        kw["nonlinearity"] = "relu"
    if cls == "LSTM" and proj:
        kw["proj_size"] = 2
    tdt, ldt = (torch.float32, lg.float32) if dt == np.float32 else (torch.float64, lg.float64)
    tm = getattr(torch.nn, cls)(3, 4, dtype=tdt, **kw)
    lm = getattr(nn, cls)(3, 4, dtype=ldt, **kw)
    assert repr(lm) == repr(tm)
    copy_params(tm, lm)
    rs = np.random.RandomState(seed)
    L, N, D = 4, 2, 2 if bidir else 1
    shape = ((N, L, 3) if batch_first else (L, N, 3)) if batched else (L, 3)
    x = rs.randn(*shape).astype(dt)
    tx, lx = pair(torch, x)
    targs, largs = [tx], [lx]
    hsize = 2 if (cls == "LSTM" and proj) else 4
    hshape = (layers * D, N, hsize) if batched else (layers * D, hsize)
    if give_h0:
        h = rs.randn(*hshape).astype(dt)
        th, lh = pair(torch, h)
        if cls == "LSTM":
            c = rs.randn(*hshape[:-1], 4).astype(dt)
            tc, lc = pair(torch, c)
            targs.append((th, tc))
            largs.append((lh, lc))
        else:
            targs.append(th)
            largs.append(lh)
    to, thn = tm(*targs)
    lo, lhn = lm(*largs)
    close(to, lo, dt)
    touts = [to] + (list(thn) if cls == "LSTM" else [thn])
    louts = [lo] + (list(lhn) if cls == "LSTM" else [lhn])
    for a, b in zip(touts[1:], louts[1:]):
        close(a, b, dt)
    tl = sum((o * o).sum() * (i + 1) for i, o in enumerate(touts))
    ll = sum((o * o).sum() * (i + 1) for i, o in enumerate(louts))
    tl.backward()
    ll.backward()
    close(tx.grad, lx.grad, dt)
    for (_n, tp), lp in zip(tm.named_parameters(), lm.parameters()):
        close(tp.grad, lp.grad, dt)
    if give_h0:
        close(targs[1][0].grad if cls == "LSTM" else targs[1].grad,
              largs[1][0].grad if cls == "LSTM" else largs[1].grad, dt)


@pytest.mark.parametrize("cls,gates", [("RNN", 1), ("LSTM", 4), ("GRU", 3)])
def test_parameter_names_shapes_and_init(torch, cls, gates):
    tm = getattr(torch.nn, cls)(3, 5, num_layers=2, bidirectional=True)
    lm = getattr(nn, cls)(3, 5, num_layers=2, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in lm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    bound = 1 / math.sqrt(5)
    allw = np.concatenate([p.detach().numpy().ravel() for p in lm.parameters()])
    assert np.abs(allw).max() <= bound and np.abs(allw).max() > 0.8 * bound
    assert lm.weight_ih_l1_reverse.shape[0] == gates * 5
    assert len(lm.all_weights) == 4 and len(lm._flat_weights) == 16


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_reprs(torch, cls):
    for kw in ({}, {"num_layers": 3, "bias": False, "batch_first": True, "dropout": 0.5,
                    "bidirectional": True}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert repr(getattr(nn, cls)(2, 3, **kw)) == repr(getattr(torch.nn, cls)(2, 3, **kw))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_forward_errors(torch, cls):
    tm, lm = getattr(torch.nn, cls)(3, 4), getattr(nn, cls)(3, 4)
    raises_like(lambda: tm(torch.randn(2, 2, 2, 3)), lambda: lm(lg.randn(2, 2, 2, 3)))
    raises_like(lambda: tm(torch.randn(5, 2, 6)), lambda: lm(lg.randn(5, 2, 6)))
    raises_like(lambda: tm(torch.randn(5, 2, 3).double()), lambda: lm(lg.randn(5, 2, 3).double()))
    if cls == "LSTM":
        raises_like(lambda: tm(torch.randn(5, 2, 3), (torch.zeros(1, 3, 4), torch.zeros(1, 2, 4))),
                    lambda: lm(lg.randn(5, 2, 3), (lg.zeros(1, 3, 4), lg.zeros(1, 2, 4))))
        raises_like(lambda: tm(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4), torch.zeros(2, 4))),
                    lambda: lm(lg.randn(5, 2, 3), (lg.zeros(1, 2, 4), lg.zeros(2, 4))))
        raises_like(lambda: tm(torch.randn(5, 3), (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4))),
                    lambda: lm(lg.randn(5, 3), (lg.zeros(1, 2, 4), lg.zeros(1, 2, 4))))
    else:
        raises_like(lambda: tm(torch.randn(5, 2, 3), torch.zeros(1, 3, 4)),
                    lambda: lm(lg.randn(5, 2, 3), lg.zeros(1, 3, 4)))
        raises_like(lambda: tm(torch.randn(5, 2, 3), torch.zeros(2, 4)),
                    lambda: lm(lg.randn(5, 2, 3), lg.zeros(2, 4)))
        raises_like(lambda: tm(torch.randn(5, 3), torch.zeros(1, 2, 4)),
                    lambda: lm(lg.randn(5, 3), lg.zeros(1, 2, 4)))


def test_construction_errors(torch):
    for args, kw in [((2, 3), {"nonlinearity": "sigmoid"}), ((2, 3), {"dropout": 1.5}),
                     ((2, 0), {}), ((0, 3), {}), ((2, 3), {"num_layers": 0}),
                     ((2, 3), {"proj_size": 1}), ((2, 3, 1, "foo"), {})]:
        raises_like(lambda a=args, k=kw: torch.nn.RNN(*a, **k),
                    lambda a=args, k=kw: nn.RNN(*a, **k))
    raises_like(lambda: torch.nn.LSTM(2, 3, proj_size=3), lambda: nn.LSTM(2, 3, proj_size=3))
    raises_like(lambda: torch.nn.GRU(2, 3, bias=1), lambda: nn.GRU(2, 3, bias=1))
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        torch.nn.GRU(2, 3, dropout=0.5)
    with warnings.catch_warnings(record=True) as lw:
        warnings.simplefilter("always")
        nn.GRU(2, 3, dropout=0.5)
    assert [str(w.message) for w in lw] == [str(w.message) for w in tw]


def test_dropout_between_layers_only_in_training():
    lg.manual_seed(0)
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = lg.randn(5, 2, 3)
    a, b = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    assert not np.allclose(a, b)  # different masks
    m.eval()
    np.testing.assert_array_equal(m(x)[0].detach().numpy(), m(x)[0].detach().numpy())


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(torch, cls, batched):
    tm, lm = getattr(torch.nn, cls)(3, 4).double(), getattr(nn, cls)(3, 4, dtype=lg.float64)
    assert repr(lm) == repr(tm)
    copy_params(tm, lm)
    rs = np.random.RandomState(0)
    x = rs.randn(*((2, 3) if batched else (3,)))
    tx, lx = pair(torch, x)
    to, lo = tm(tx), lm(lx)
    if cls == "LSTMCell":
        close(to[1], lo[1], np.float64)
        to, lo = to[0], lo[0]
    outputs_and_grads_match(functools.partial(close, dt=np.float64), to, lo, [(tx, lx)], tm, lm)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "LSTMCell"])
def test_gradcheck_and_gradgradcheck(cls):
    """First and second derivatives with respect to the input and the initial state (LSTM
    steps are one primitive with a vjp of their own)."""
    from leafgrad.autograd import gradcheck, gradgradcheck

    lg.manual_seed(0)
    m = getattr(nn, cls)(2, 3, dtype=lg.float64)
    rs = np.random.RandomState(0)
    cell = cls == "LSTMCell"
    x = lg.tensor(rs.randn(*((2, 2) if cell else (3, 1, 2))), requires_grad=True)
    h = lg.tensor(rs.randn(*((2, 3) if cell else (1, 1, 3))), requires_grad=True)
    c = lg.tensor(rs.randn(*((2, 3) if cell else (1, 1, 3))), requires_grad=True)

    def f(x, h, c):
        if cls == "GRU":
            out, hn = m(x, h)
            return out, hn * c
        out = m(x, (h, c))
        return out if cell else (out[0], out[1][1])

    assert gradcheck(f, (x, h, c))
    assert gradgradcheck(f, (x, h, c))


def test_sequence_model_training_matches_torch(torch):
    """Embedding -> 2-layer bidirectional LSTM -> Linear, trained with Adam from the same
    weights: the losses match PyTorch's step for step."""
    import leafgrad.optim as loptim

    def build(T, N):
        class Net(N.Module):
            def __init__(self):
                super().__init__()
                self.emb = N.Embedding(12, 5, padding_idx=0)
                self.rnn = N.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True)
                self.out = N.Linear(12, 3)

            def forward(self, idx):
                out, (h, c) = self.rnn(self.emb(idx))
                return self.out(out[:, -1])

        return Net()

    tm, lm = build(torch, torch.nn), build(lg, nn)
    copy_params(tm, lm)
    topt = torch.optim.Adam(tm.parameters(), lr=0.01)
    lopt = loptim.Adam(lm.parameters(), lr=0.01)
    rs = np.random.RandomState(1)
    batches = [(rs.randint(0, 12, (4, 7)), rs.randint(0, 3, 4)) for _ in range(4)]
    training_losses_match(torch, tm, lm, topt, lopt, batches)
    for (n, tp), lp in zip(tm.named_parameters(), lm.parameters()):
        np.testing.assert_allclose(lp.detach().numpy(), tp.detach().numpy(), rtol=1e-3,
                                   atol=1e-5, err_msg=n)
