"""leafgrad.optim's optimizers against PyTorch's: same gradients in, same parameters out."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.optim as optim
from leafgrad.optim.optimizer import required

pytestmark = pytest.mark.torch

SHAPES = [(3, 4), (), (5,)]  # first group: the matrix and the 0-d; second group: the vector
STEPS = 20

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.2, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.9, "weight_decay": 0.1}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "maximize": True, "alpha": 0.9}),
    ("Adagrad", {}),
    ("Adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1}),
    ("Adagrad", {"maximize": True, "eps": 1e-5}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"weight_decay": 0.1, "maximize": True, "betas": (0.8, 0.99)}),
    ("NAdam", {}),
    ("NAdam", {"momentum_decay": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"weight_decay": 0.1}),
    ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2), "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.1, "t0": 5, "lambd": 0.01, "weight_decay": 0.1, "maximize": True}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for n, kw in CASES]
DTYPES = [np.float32, np.float64]


def tol(dtype) -> dict:
    # float32: a few ulps of parameters of size ~1 after 20 steps; float64: near-exact
    return {"rtol": 1e-5, "atol": 2e-6} if dtype == np.float32 else {"rtol": 1e-11, "atol": 1e-12}


class Pair:
    """The same parameters and optimizer in PyTorch and leafgrad, fed the same gradients."""

    def __init__(self, torch, name, kwargs, dtype, seed=0, shapes=SHAPES, groups=True):
        self.torch, self.dtype, self.shapes = torch, dtype, shapes
        self.rng = np.random.default_rng(seed)
        inits = [self.rng.standard_normal(s).astype(dtype) for s in shapes]
        self.tp = [torch.tensor(a.copy(), requires_grad=True) for a in inits]
        self.lp = [lg.from_numpy(a.copy()).requires_grad_() for a in inits]
        self.topt = getattr(torch.optim, name)(self._groups(self.tp, groups), **kwargs)
        self.lopt = getattr(optim, name)(self._groups(self.lp, groups), **kwargs)

    @staticmethod
    def _groups(ps, groups):
        if not groups:
            return ps
        return [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.005}]

    def grads(self, skip=()):
        for i, (t, lp, s) in enumerate(zip(self.tp, self.lp, self.shapes)):
            if i in skip:
                t.grad = lp.grad = None
                continue
            g = self.rng.standard_normal(s).astype(self.dtype)
            t.grad = self.torch.tensor(g.copy())
            lp.grad = lg.from_numpy(g.copy())

    def step(self, skip=()):
        self.grads(skip)
        self.topt.step()
        self.lopt.step()

    def check(self):
        for t, lp in zip(self.tp, self.lp):
            np.testing.assert_allclose(lp.detach().numpy(), t.detach().numpy(),
                                       **tol(self.dtype))
            assert lp._version == t._version


def _np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def compare_state_dicts(lsd, tsd, dtype=None):
    """Same layout as PyTorch's: keys, parameter indices, groups, tensor dtypes and shapes."""
    assert lsd.keys() == tsd.keys() == {"state", "param_groups"}
    assert lsd["param_groups"] == tsd["param_groups"]
    assert list(lsd["state"].keys()) == list(tsd["state"].keys())
    for k in tsd["state"]:
        ls, ts = lsd["state"][k], tsd["state"][k]
        assert list(ls.keys()) == list(ts.keys())
        for key in ts:
            tv, lv = ts[key], ls[key]
            assert type(lv).__name__ == type(tv).__name__
            if type(tv).__name__ == "Tensor":
                assert lv.shape == tuple(tv.shape)
                assert str(lv.dtype).split(".")[1] == str(tv.dtype).split(".")[1]
                if dtype is not None:
                    np.testing.assert_allclose(_np(lv), _np(tv), **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_matches_torch_step_by_step(torch, name, kwargs, dtype):
    pair = Pair(torch, name, kwargs, dtype)
    for _ in range(STEPS):
        pair.step()
        pair.check()
    compare_state_dicts(pair.lopt.state_dict(), pair.topt.state_dict(), dtype)


@pytest.mark.parametrize(("name", "kwargs"), CASES[::3], ids=IDS[::3])
def test_missing_gradients_are_skipped(torch, name, kwargs):
    pair = Pair(torch, name, kwargs, np.float64, seed=1)
    for k in range(8):
        pair.step(skip=(k % 3,) if k else (2,))
        pair.check()
    compare_state_dicts(pair.lopt.state_dict(), pair.topt.state_dict(), np.float64)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_state_dict_round_trip(torch, name, kwargs):
    """Save after 5 steps, load into a fresh optimizer, continue: as PyTorch does the same,
    and as an uninterrupted run (exactly, but for state that loading casts to float64)."""
    import copy

    pair = Pair(torch, name, kwargs, np.float64, seed=2)
    for _ in range(5):
        pair.step()
    saved = _clone(pair.lopt.state_dict())
    resumed = [lg.from_numpy(p.detach().numpy().copy()).requires_grad_() for p in pair.lp]
    ropt = getattr(optim, name)(Pair._groups(resumed, True), **kwargs)
    ropt.load_state_dict(saved)
    t_resumed = [t.detach().clone().requires_grad_() for t in pair.tp]
    t_ropt = getattr(torch.optim, name)(Pair._groups(t_resumed, True), **kwargs)
    t_ropt.load_state_dict(copy.deepcopy(pair.topt.state_dict()))
    compare_state_dicts(ropt.state_dict(), t_ropt.state_dict(), np.float64)
    exact = name != "NAdam"  # NAdam's float32 mu_product is loaded as float64, as in PyTorch
    for _ in range(5):
        pair.step()
        for r, lp, tr, t in zip(resumed, pair.lp, t_resumed, pair.tp):
            r.grad = lg.from_numpy(lp.grad.numpy().copy())
            tr.grad = t.grad.clone()
        ropt.step()
        t_ropt.step()
        pair.check()
        for r, lp, tr in zip(resumed, pair.lp, t_resumed):
            np.testing.assert_allclose(r.detach().numpy(), tr.detach().numpy(),
                                       **tol(np.float64))
            if exact:
                np.testing.assert_array_equal(r.detach().numpy(), lp.detach().numpy())


def _clone(x):
    if isinstance(x, lg.Tensor):
        return lg.from_numpy(x.numpy().copy())
    if isinstance(x, dict):
        return {k: _clone(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_clone(v) for v in x)
    return x


@given(lr=st.floats(1e-4, 0.5), b1=st.floats(0.0, 0.99), b2=st.floats(0.5, 0.9999),
       wd=st.sampled_from([0.0, 0.01, 0.3]), amsgrad=st.booleans(), seed=st.integers(0, 99),
       n=st.integers(1, 6))
def test_adam_property(lr, b1, b2, wd, amsgrad, seed, n):
    import torch

    kwargs = {"lr": lr, "betas": (b1, b2), "weight_decay": wd, "amsgrad": amsgrad}
    pair = Pair(torch, "Adam", kwargs, np.float64, seed=seed, shapes=[(n,), (2, n)],
                groups=False)
    for _ in range(6):
        pair.step()
        pair.check()


@given(lr=st.floats(1e-4, 1.0), momentum=st.floats(0.0, 0.99), damp=st.floats(0.0, 0.9),
       wd=st.sampled_from([0.0, 0.1]), seed=st.integers(0, 99), maximize=st.booleans())
def test_sgd_property(lr, momentum, damp, wd, seed, maximize):
    import torch

    kwargs = {"lr": lr, "momentum": momentum, "dampening": damp, "weight_decay": wd,
              "maximize": maximize}
    pair = Pair(torch, "SGD", kwargs, np.float32, seed=seed, shapes=[(4,), (2, 3)],
                groups=False)
    for _ in range(6):
        pair.step()
        pair.check()


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam", "Rprop", "ASGD"])
def test_closure_returns_loss_and_runs_with_grad(torch, name):
    w = lg.tensor([1.0, -2.0], requires_grad=True)
    opt = getattr(optim, name)([w], lr=0.1)
    seen = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        seen.append(loss.requires_grad)
        loss.backward()
        return loss

    with lg.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert float(loss) == 5.0
    assert opt.step() is None
    assert w.is_leaf and w.requires_grad


def test_updates_in_place_keep_aliases(torch):
    w = lg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    alias = w.detach()
    view = w.detach()[1:]
    data = w._data
    opt = optim.Adam([w], lr=0.1)
    w.grad = lg.tensor([1.0, 1.0, 1.0])
    opt.step()
    assert w._data is data
    np.testing.assert_array_equal(alias.numpy(), w.detach().numpy())
    np.testing.assert_array_equal(view.numpy(), w.detach().numpy()[1:])
    assert w._version == 1
    assert alias._version == 1  # detach() shares the version counter


def test_zero_grad(torch):
    a = lg.tensor([1.0, 2.0], requires_grad=True)
    b = lg.tensor([3.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    (a.sum() + b.sum()).backward()
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    opt.zero_grad()  # no grads: nothing to do


def test_repr_matches_torch(torch):
    for name, kwargs in [("Adam", {"lr": 0.01}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                         ("LBFGS", {})]:
        tp = torch.zeros(2, requires_grad=True)
        lp = lg.zeros(2, requires_grad=True)
        t = getattr(torch.optim, name)([{"params": [tp]}], **kwargs)
        lo = getattr(optim, name)([{"params": [lp]}], **kwargs)
        assert repr(lo) == repr(t)


@pytest.mark.parametrize(("name", "kwargs"), CASES[::2], ids=IDS[::2])
def test_fresh_state_dict_and_defaults(torch, name, kwargs):
    pair = Pair(torch, name, kwargs, np.float32)
    compare_state_dicts(pair.lopt.state_dict(), pair.topt.state_dict())
    assert pair.lopt.defaults == pair.topt.defaults


def test_named_parameters_and_add_param_group(torch):
    def build(T, O):
        a = T.zeros(2, requires_grad=True)
        b = T.zeros(3, requires_grad=True)
        opt = O.SGD([("a", a)], lr=0.1)
        opt.add_param_group({"params": [("b", b)], "lr": 0.2, "momentum": 0.5})
        a.grad, b.grad = T.ones(2), T.ones(3)
        opt.step()
        return opt, a, b

    to, ta, tb = build(torch, torch.optim)
    lo, la, lb = build(lg, optim)
    compare_state_dicts(lo.state_dict(), to.state_dict())
    np.testing.assert_allclose(lb.detach().numpy(), tb.detach().numpy())
    np.testing.assert_allclose(la.detach().numpy(), ta.detach().numpy())


def test_step_hooks(torch):
    w = lg.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
    w.grad = lg.ones(1)
    opt.step()
    assert calls == [("pre", True), ("post", True)]
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2
    sd_calls = []
    opt.register_state_dict_post_hook(lambda o, sd: sd_calls.append(sorted(sd)))
    opt.register_load_state_dict_post_hook(lambda o: sd_calls.append("loaded"))
    opt.load_state_dict(opt.state_dict())
    assert sd_calls == [["param_groups", "state"], "loaded"]


# -- L-BFGS ----------------------------------------------------------------------------------
def _lsq(T, A, b, x, y):
    r = A @ x - b
    return (r * r).sum() + (y * y * y * y).sum() + (x * y[0]).sum()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_lbfgs_matches_torch(torch, line_search_fn, dtype):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 4)).astype(dtype)
    b = rng.standard_normal(6).astype(dtype)
    inits = [rng.standard_normal(4).astype(dtype), rng.standard_normal(2).astype(dtype)]
    kwargs = {"lr": 1.0 if line_search_fn else 0.2, "line_search_fn": line_search_fn,
              "history_size": 4, "max_iter": 6}
    runs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        ps = [T.tensor(a.copy(), requires_grad=True) for a in inits]
        At, bt = T.tensor(A.copy()), T.tensor(b.copy())
        opt = O.LBFGS(ps, **kwargs)

        def closure(ps=ps, opt=opt, At=At, bt=bt, T=T):
            opt.zero_grad()
            loss = _lsq(T, At, bt, *ps)
            loss.backward()
            return loss

        traj = []
        for _ in range(4):
            loss = opt.step(closure)
            traj.append((loss.item(), [p.detach().numpy().copy() for p in ps],
                         [p._version for p in ps]))
        runs.append((traj, opt.state_dict()))
    (ttraj, tsd), (ltraj, lsd) = runs
    # float32: the losses themselves differ in the last bit (summation order), and L-BFGS
    # amplifies that over its iterations; float64 shows the algorithms agree
    t = {"rtol": 1e-9, "atol": 1e-10} if dtype == np.float64 else {"rtol": 2e-3, "atol": 2e-3}
    for (tl, tps, tvs), (ll, lps, lvs) in zip(ttraj, ltraj):
        np.testing.assert_allclose(ll, tl, **t)
        if dtype == np.float64:
            assert lvs == tvs  # the same number of in-place updates
        for a, c in zip(lps, tps):
            np.testing.assert_allclose(a, c, **t)
    ts, ls = tsd["state"][0], lsd["state"][0]
    assert list(ls.keys()) == list(ts.keys())
    assert (ls["func_evals"], ls["n_iter"]) == (ts["func_evals"], ts["n_iter"])
    assert lsd["param_groups"] == tsd["param_groups"]
    assert len(ls["old_dirs"]) == len(ts["old_dirs"])


def test_lbfgs_stops_at_optimum(torch):
    w = lg.zeros(3, requires_grad=True)
    opt = optim.LBFGS([w])

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert opt.state[w]["func_evals"] == 1 and opt.state[w]["n_iter"] == 0


# -- errors ----------------------------------------------------------------------------------
def _torch_error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - whatever PyTorch raises is the oracle
        return type(e), str(e).replace("torch.", "leafgrad.")
    raise AssertionError("PyTorch raised nothing")


def _same_error(torch_fn, lg_fn):
    etype, msg = _torch_error(torch_fn)
    with pytest.raises(etype, match=re.escape(msg)):
        lg_fn()


ARG_ERRORS = [
    ("SGD", {"lr": -1}), ("SGD", {"lr": 0.1, "momentum": -0.5}),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-3}), ("SGD", {"lr": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("Adam", {"lr": -1}), ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.9)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -1.0}),
    ("Adam", {"betas": (0, 0.9)}), ("AdamW", {"lr": -0.5}), ("AdamW", {"betas": (0.9, 1.5)}),
    ("RMSprop", {"lr": -1}), ("RMSprop", {"alpha": -1.0}), ("RMSprop", {"momentum": -1.0}),
    ("RMSprop", {"eps": -1.0}), ("RMSprop", {"weight_decay": -1.0}),
    ("Adagrad", {"lr_decay": -1.0}), ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adagrad", {"eps": -1.0}), ("Adagrad", {"weight_decay": -2}),
    ("Adadelta", {"rho": 1.5}), ("Adadelta", {"eps": -1.0}), ("Adadelta", {"lr": -1}),
    ("Adamax", {"betas": (0.9, 1.0)}), ("Adamax", {"eps": -1.0}),
    ("NAdam", {"momentum_decay": -1.0}), ("NAdam", {"betas": (-0.1, 0.9)}),
    ("RAdam", {"weight_decay": -1.0}), ("RAdam", {"betas": (0.9, 2.0)}),
    ("LBFGS", {"lr": -1}),
    ("Rprop", {"etas": (1.5, 2.0)}), ("Rprop", {"lr": -1}),
    ("ASGD", {"weight_decay": -1.0}), ("ASGD", {"lr": -1}),
]


@pytest.mark.parametrize(("name", "kwargs"), ARG_ERRORS,
                         ids=[f"{n}-{kw}" for n, kw in ARG_ERRORS])
def test_argument_errors(torch, name, kwargs):
    _same_error(lambda: getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)],
                                                   **kwargs),
                lambda: getattr(optim, name)([lg.zeros(1, requires_grad=True)], **kwargs))


@pytest.mark.parametrize("case", ["non_leaf", "empty", "tensor", "not_tensor", "set",
                                  "duplicate_group", "group_not_dict", "missing_names",
                                  "names_mismatch", "lbfgs_groups"])
def test_param_errors(torch, case):
    def attempt(T, O):
        a = T.zeros(2, requires_grad=True)
        b = T.zeros(2, requires_grad=True)
        if case == "non_leaf":
            O.SGD([a * 2], lr=0.1)
        elif case == "empty":
            O.Adam([])
        elif case == "tensor":
            O.Adam(a)
        elif case == "not_tensor":
            O.Adam([a, 5])
        elif case == "set":
            O.Adam([{"params": {a}}])
        elif case == "duplicate_group":
            opt = O.SGD([a, b], lr=0.1)
            opt.add_param_group({"params": [b]})
        elif case == "group_not_dict":
            O.SGD([a], lr=0.1).add_param_group([b])
        elif case == "missing_names":
            O.SGD([("a", a), b], lr=0.1)
        elif case == "names_mismatch":
            O.SGD([("a", a)], lr=0.1).add_param_group({"params": [b]})
        elif case == "lbfgs_groups":
            O.LBFGS([{"params": [a]}, {"params": [b]}])

    _same_error(lambda: attempt(torch, torch.optim), lambda: attempt(lg, optim))


def test_required_default(torch):
    import importlib

    t_required = importlib.import_module("torch.optim.optimizer").required

    _same_error(lambda: torch.optim.Optimizer([torch.zeros(1, requires_grad=True)],
                                              {"lr": t_required}),
                lambda: optim.Optimizer([lg.zeros(1, requires_grad=True)], {"lr": required}))
    assert repr(required) == repr(t_required)


@pytest.mark.parametrize("case", ["groups", "sizes"])
def test_load_state_dict_errors(torch, case):
    def attempt(T, O):
        a, b = T.zeros(2, requires_grad=True), T.zeros(2, requires_grad=True)
        src = O.SGD([a, b], lr=0.1)
        if case == "groups":
            dst = O.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
        else:
            dst = O.SGD([a], lr=0.1)
        dst.load_state_dict(src.state_dict())

    _same_error(lambda: attempt(torch, torch.optim), lambda: attempt(lg, optim))


def test_duplicate_parameter_warning(torch):
    a = lg.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a], lr=0.1)


def test_load_casts_state_to_parameter_dtype(torch):
    a = lg.zeros(2, requires_grad=True)
    opt = optim.Adam([a])
    a.grad = lg.ones(2)
    opt.step()
    sd = opt.state_dict()
    b = lg.zeros(2, dtype=lg.float64, requires_grad=True)
    opt2 = optim.Adam([b])
    opt2.load_state_dict(sd)
    assert opt2.state[b]["exp_avg"].dtype == lg.float64
    assert opt2.state[b]["step"].dtype == lg.float32  # the step counter is never cast


@pytest.mark.parametrize("kwargs", [{}, {"amsgrad": True, "weight_decay": 0.1},
                                    {"maximize": True, "weight_decay": 0.1,
                                     "decoupled_weight_decay": True}])
def test_adam_small_parameter_batching_is_exact(torch, kwargs):
    """Adam updates a group of small parameters together: bit-identical to one at a time."""
    rng = np.random.default_rng(5)
    shapes = [(4, 2), (4,), (1, 4), (1,), ()]
    inits = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    together = [lg.from_numpy(a.copy()).requires_grad_() for a in inits]
    alone = [lg.from_numpy(a.copy()).requires_grad_() for a in inits]
    o1 = optim.Adam(together, lr=0.05, **kwargs)
    o2 = optim.Adam([{"params": [p]} for p in alone], lr=0.05, **kwargs)
    for k in range(12):
        for i, (a, b, s) in enumerate(zip(together, alone, shapes)):
            g = rng.standard_normal(s).astype(np.float32)
            missing = k in (3, 4) and i == 1  # one step without a gradient: counters differ
            a.grad = None if missing else lg.from_numpy(g.copy())
            b.grad = None if missing else lg.from_numpy(g.copy())
        o1.step()
        o2.step()
        for a, b in zip(together, alone):
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
            assert a._version == b._version
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    for i in range(len(shapes)):
        assert list(s1[i]) == list(s2[i])
        for key in s1[i]:
            np.testing.assert_array_equal(s1[i][key].numpy(), s2[i][key].numpy())


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "NAdam"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_training_loop_matches_torch(torch, name, dtype):
    """A two-layer net trained with zero_grad/backward/step/scheduler: the same losses."""
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s).astype(dtype) * 0.5 for s in [(8, 3), (8,), (1, 8), (1,)]]
    x = rng.standard_normal((16, 3)).astype(dtype)
    y = rng.standard_normal((16, 1)).astype(dtype)
    losses = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        w1, b1, w2, b2 = (T.tensor(a.copy(), requires_grad=True) for a in arrays)
        xt, yt = T.tensor(x.copy()), T.tensor(y.copy())
        opt = getattr(O, name)([w1, b1, w2, b2], lr=0.05)
        sched = O.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
        run = []
        for _ in range(30):
            opt.zero_grad()
            h = (xt @ w1.T + b1).tanh()
            loss = ((h @ w2.T + b2 - yt) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0],
                               **({"rtol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10}))


def test_differentiable_is_refused(torch):
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        optim.Adam([lg.zeros(1, requires_grad=True)], differentiable=True)


@pytest.mark.parametrize("name", ["Adam", "RMSprop"])
def test_duplicate_parameters_step_twice_like_torch(torch, name):
    results = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0], requires_grad=True)
        with pytest.warns(UserWarning):
            o = getattr(O, name)([a, b, a], lr=0.1)
        for _ in range(3):
            a.grad, b.grad = T.tensor([1.0, -1.0]), T.tensor([0.5])
            o.step()
        results.append((a.detach().numpy().copy(), b.detach().numpy().copy(), a._version))
    (ta, tb, tv), (la, lb, lv) = results
    np.testing.assert_allclose(la, ta, rtol=1e-6)
    np.testing.assert_allclose(lb, tb, rtol=1e-6)
    assert lv == tv


WD_NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
            "RAdam", "ASGD"]


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("name", WD_NAMES)
def test_tensor_weight_decay_like_torch(torch, name, maximize):
    """A one-element Tensor weight_decay acts as its value, in every optimizer that has one."""
    results = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        rng = np.random.default_rng(5)
        w = T.tensor(rng.standard_normal((2, 3)), requires_grad=True)
        o = getattr(O, name)([w], weight_decay=T.tensor(0.25, dtype=T.float64),
                             maximize=maximize)
        for _ in range(4):
            w.grad = T.tensor(rng.standard_normal((2, 3)))
            o.step()
        results.append((w.detach().numpy().copy(), w._version))
    (tw, tv), (lw, lv) = results
    np.testing.assert_allclose(lw, tw, rtol=1e-10, atol=1e-12)
    assert lv == tv


OPTIONAL = ["maximize", "foreach", "differentiable", "capturable", "fused", "amsgrad",
            "decoupled_weight_decay", "nesterov", "momentum", "centered"]


@pytest.mark.parametrize("name", sorted({n for n, _ in CASES}))
def test_loading_groups_without_newer_options_fills_them_like_torch(torch, name):
    """A state dict from an older version (groups lacking options) loads with the defaults
    PyTorch fills in, and the optimizer then steps as PyTorch's does."""
    results = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        w = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        o = getattr(O, name)([w], lr=0.1)
        sd = o.state_dict()
        drop = [k for k in OPTIONAL if (name, k) != ("SGD", "momentum")]  # SGD needs it
        sd["param_groups"] = [{k: v for k, v in g.items() if k not in drop}
                              for g in sd["param_groups"]]
        o.load_state_dict(sd)
        for _ in range(3):
            w.grad = T.tensor([0.5, -1.0, 2.0])
            o.step()
        groups = [{k: v for k, v in g.items() if k != "params"} for g in o.param_groups]
        results.append((groups, w.detach().numpy().copy()))
    (tg, tw), (lgroups, lw) = results
    assert lgroups == tg
    np.testing.assert_allclose(lw, tw, rtol=1e-6)


@pytest.mark.parametrize("name", sorted({n for n, _ in CASES}))
def test_step_hook_error_names_the_class_step(torch, name):
    """A pre-hook returning something else than None or (args, kwargs): PyTorch's error."""
    msgs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        w = T.zeros(2, requires_grad=True)
        o = getattr(O, name)([w], lr=0.1)
        o.register_step_pre_hook(lambda *a: 3)
        w.grad = T.ones(2)
        with pytest.raises(RuntimeError) as info:
            o.step()
        msgs.append(re.sub(r" at 0x[0-9a-f]+", "", str(info.value)))
    assert msgs[1] == msgs[0]


@pytest.mark.parametrize("kw", [dict(fused=True, foreach=True),
                                dict(fused=True, differentiable=True)])
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_fused_option_errors_match_torch(name, kw, torch):
    import leafgrad

    errors = []
    for T in (leafgrad, torch):
        with pytest.raises(Exception) as info:
            getattr(T.optim, name)([T.zeros(2, requires_grad=True)], **kw)
        errors.append((info.type, str(info.value)))
    assert errors[0] == errors[1]
