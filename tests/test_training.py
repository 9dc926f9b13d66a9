"""Training real models end to end (issue 4's proof): the seed tutorial's loop loss for loss
against PyTorch, old-style gradient descent on .data, an MLP and a CNN on the bundled
digits, weights exported from PyTorch, and memory that stays flat over many steps."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import leafgrad
from leafgrad import nn, optim
from leafgrad.datasets import load_digits, train_test_split
from leafgrad.nn import functional as F
from leafgrad.utils.data import DataLoader, TensorDataset


# -- SPEC 20: the standard loop, 100 steps, loss for loss --------------------------------
def _seed_loop(T, state, x, y, steps=100):
    model = T.nn.Sequential(T.nn.Linear(2, 4), T.nn.ReLU(), T.nn.Linear(4, 1), T.nn.Sigmoid())
    model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    opt = T.optim.Adam(model.parameters(), lr=0.01)
    xs, ys = T.tensor(x), T.tensor(y)
    out = []
    for _ in range(steps):
        model.train()
        opt.zero_grad()
        loss = T.nn.functional.binary_cross_entropy(model(xs), ys)
        loss.backward()
        T.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        model.eval()
        with T.no_grad():
            val = T.nn.functional.binary_cross_entropy(model(xs), ys)
        out.append((loss.item(), val.item()))
    names = [n for n, _ in model.named_parameters()]
    return np.array(out), names


@pytest.mark.torch
def test_spec20_seed_loop_matches_torch_for_100_steps(torch):
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    state = {"0.weight": ref[0].weight, "0.bias": ref[0].bias, "2.weight": ref[2].weight,
             "2.bias": ref[2].bias}
    state = {k: v.detach().numpy().copy() for k, v in state.items()}
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2)).astype(np.float32)
    y = ((x[:, :1] * x[:, 1:]) > 0).astype(np.float32)
    mine, names = _seed_loop(leafgrad, state, x, y)
    theirs, tnames = _seed_loop(torch, state, x, y)
    assert names == tnames == ["0.weight", "0.bias", "2.weight", "2.bias"]
    np.testing.assert_allclose(mine, theirs, rtol=2e-4, atol=1e-6)
    assert mine[-1, 0] < mine[0, 0]


def test_spec21_gradient_descent_on_data():
    x = leafgrad.tensor([3.0, -2.0], requires_grad=True)
    for _ in range(200):
        loss = (x * x).sum()
        loss.backward()
        x.data = x.data - 0.01 * x.grad
        x.grad.data.zero_()
    assert x.is_leaf and x.requires_grad
    np.testing.assert_allclose(x.detach().numpy(), np.array([3.0, -2.0]) * 0.98 ** 200,
                               rtol=1e-4)


# -- real data -------------------------------------------------------------------------
def _digits():
    leafgrad.manual_seed(0)
    d = load_digits()
    xtr, xte, ytr, yte = train_test_split(d.data, d.target, test_size=0.25, seed=0)
    return xtr, xte, ytr, yte


def _fit(model, xtr, ytr, xte, yte, epochs, lr):
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=32, shuffle=True,
                        generator=leafgrad.Generator().manual_seed(0))
    opt = optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        sched.step()
    model.eval()
    with leafgrad.no_grad():
        return (model(xte).argmax(1) == yte).float().mean().item()


def test_mlp_on_digits_reaches_97_percent():
    xtr, xte, ytr, yte = _digits()
    mu, sd = xtr.mean(0), xtr.std(0) + 0.1
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    acc = _fit(model, (xtr - mu) / sd, ytr, (xte - mu) / sd, yte, epochs=30, lr=1e-3)
    assert acc >= 0.97, acc


def test_cnn_on_digits_reaches_97_percent():
    xtr, xte, ytr, yte = _digits()
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10))
    acc = _fit(model, xtr.reshape(-1, 1, 8, 8), ytr, xte.reshape(-1, 1, 8, 8), yte,
               epochs=20, lr=5e-3)
    assert acc >= 0.97, acc


# -- weights from PyTorch ------------------------------------------------------------------
@pytest.mark.torch
def test_weights_exported_from_torch_give_the_same_outputs(torch, tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)

    def build(T):
        return T.nn.Sequential(T.nn.Linear(64, 32), T.nn.Tanh(), T.nn.Linear(32, 10),
                               T.nn.LogSoftmax(dim=1))

    ref = build(torch)
    path = tmp_path / "model.safetensors"
    safetensors_torch.save_file(ref.state_dict(), str(path))
    mine = build(leafgrad)
    mine.load_state_dict(leafgrad.load(str(path)))
    x = np.random.default_rng(1).standard_normal((5, 64)).astype(np.float32)
    with torch.no_grad():
        expected = ref(torch.tensor(x)).numpy()
    np.testing.assert_allclose(mine(leafgrad.tensor(x)).detach().numpy(), expected,
                               rtol=1e-5, atol=1e-6)


def test_leafgrad_checkpoint_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    opt = optim.Adam(model.parameters(), lr=0.1)
    x = leafgrad.randn(8, 4)
    for _ in range(3):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
    leafgrad.save({"model": model.state_dict(), "optim": opt.state_dict()}, tmp_path / "ck")
    ck = leafgrad.load(tmp_path / "ck")
    model2 = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model2.load_state_dict(ck["model"])
    opt2 = optim.Adam(model2.parameters(), lr=0.1)
    opt2.load_state_dict(ck["optim"])
    for m, o in ((model, opt), (model2, opt2)):
        o.zero_grad()
        m(x).pow(2).mean().backward()
        o.step()
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# -- memory ------------------------------------------------------------------------------
def test_memory_stays_flat_over_1000_steps():
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = leafgrad.randn(32, 64), leafgrad.randint(0, 10, (32,))

    def steps(n):
        for _ in range(n):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

    steps(20)  # state allocated, caches warm
    gc.disable()  # the graph must free itself without the cycle collector
    try:
        tracemalloc.start()
        steps(100)
        early, _ = tracemalloc.get_traced_memory()
        steps(900)
        late, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        gc.enable()
    assert late - early < 64 * 1024, (early, late)  # no growth with the step count
    assert peak < 2 * 1024 * 1024, peak  # one step's graph, not a thousand
