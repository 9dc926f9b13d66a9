"""leafgrad.optim.lr_scheduler against PyTorch's: identical learning-rate sequences."""

from __future__ import annotations

import copy
import re
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.optim as optim

pytestmark = pytest.mark.torch

STEPS = 40


def make_optimizer(T, O, opt="SGD", **kwargs):
    """Two parameter groups with different learning rates."""
    a = T.zeros(2, requires_grad=True)
    b = T.zeros(3, requires_grad=True)
    kwargs.setdefault("lr", 0.1)
    return getattr(O, opt)([{"params": [a]}, {"params": [b], "lr": 0.5}], **kwargs)


def _decay(e):
    return 0.95 ** e


def _constant(e):
    return 0.9


CASES = [
    ("StepLR", {"step_size": 3}),
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}),
    ("MultiStepLR", {"milestones": [10, 20]}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 7}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 4, "T_mult": 2, "eta_min": 0.001}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": STEPS + 1}),
    ("OneCycleLR", {"max_lr": [1.0, 2.0], "epochs": 4, "steps_per_epoch": 11,
                    "anneal_strategy": "linear", "three_phase": True}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 60, "pct_start": 0.1, "div_factor": 10.0,
                    "final_div_factor": 100.0, "cycle_momentum": False}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.5, "total_iters": 7}),
    ("LambdaLR", {"lr_lambda": _decay}),
    ("LambdaLR", {"lr_lambda": [_decay, lambda e: 1.0 / (e + 1)]}),
    ("MultiplicativeLR", {"lr_lambda": _constant}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 8}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 10, "power": 2.0}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1, 0.2], "step_size_up": 3,
                  "step_size_down": 6, "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "exp_range",
                  "gamma": 0.9}),
]
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CASES)]


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def run(T, O, name, kwargs, opt="SGD", steps=STEPS):
    extra = {"momentum": 0.9} if opt == "SGD" else {}
    o = make_optimizer(T, O, opt, **extra)
    s = getattr(O.lr_scheduler, name)(o, **kwargs)
    seq = [(s.get_last_lr(), [g["lr"] for g in o.param_groups], _momenta(o), s.last_epoch)]
    for _ in range(steps):
        o.step()
        s.step()
        seq.append((s.get_last_lr(), [g["lr"] for g in o.param_groups], _momenta(o),
                    s.last_epoch))
    return seq, s, o


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_lr_sequence_matches_torch(torch, name, kwargs, opt):
    tseq, ts, to = run(torch, torch.optim, name, kwargs, opt)
    lseq, ls, lo = run(lg, optim, name, kwargs, opt)
    assert lseq == tseq  # exact: same recurrences in the same order
    assert list(ls.state_dict().keys()) == list(ts.state_dict().keys())
    assert [sorted(g) for g in lo.param_groups] == [sorted(g) for g in to.param_groups]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_state_dict_round_trip(torch, name, kwargs):
    """Save after 10 steps, restore into fresh objects, continue: same as never stopping."""
    full, _, _ = run(lg, optim, name, kwargs, steps=25)
    _, s, o = run(lg, optim, name, kwargs, steps=10)
    sd, osd = copy.deepcopy(s.state_dict()), o.state_dict()
    o2 = make_optimizer(lg, optim, momentum=0.9)
    s2 = getattr(optim.lr_scheduler, name)(o2, **kwargs)
    o2.load_state_dict(osd)
    s2.load_state_dict(sd)
    seq = []
    for _ in range(15):
        o2.step()
        s2.step()
        seq.append((s2.get_last_lr(), [g["lr"] for g in o2.param_groups], _momenta(o2),
                    s2.last_epoch))
    assert seq == full[11:]


def test_sequential_lr(torch):
    def build(T, O):
        o = make_optimizer(T, O)
        L = O.lr_scheduler
        return o, L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=4), L.ExponentialLR(o, 0.9),
                                     L.CosineAnnealingLR(o, 5)], milestones=[5, 12])

    seqs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        o, s = build(T, O)
        seq = [s.get_last_lr()]
        for _ in range(STEPS):
            o.step()
            s.step()
            seq.append(s.get_last_lr())
        seqs.append((seq, s.state_dict()))
    (tseq, tsd), (lseq, lsd) = seqs
    assert lseq == tseq
    assert lsd == tsd


def test_chained_scheduler(torch):
    seqs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        o = make_optimizer(T, O)
        L = O.lr_scheduler
        s = L.ChainedScheduler([L.ConstantLR(o, 0.5, total_iters=3), L.ExponentialLR(o, 0.9)])
        seq = [s.get_last_lr()]
        for _ in range(20):
            o.step()
            s.step()
            seq.append(s.get_last_lr())
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_two_schedulers_compose(torch):
    seqs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        o = make_optimizer(T, O)
        L = O.lr_scheduler
        a, b = L.StepLR(o, 3, 0.5), L.ExponentialLR(o, 0.95)
        seq = []
        for _ in range(20):
            o.step()
            a.step()
            b.step()
            seq.append((a.get_last_lr(), b.get_last_lr()))
        seqs.append(seq)
    assert seqs[0] == seqs[1]


METRICS = [5, 4, 4, 4, 4, 4, 3, 3, 3, 3.0001, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1]


@pytest.mark.parametrize("kwargs", [
    {"patience": 2},
    {"patience": 1, "cooldown": 2, "factor": 0.5, "min_lr": [0.01, 0.2]},
    {"mode": "max", "patience": 0, "threshold_mode": "abs", "threshold": 0.5},
    {"patience": 2, "threshold": 0.1, "eps": 0.05},
])
def test_reduce_lr_on_plateau(torch, kwargs):
    seqs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        o = make_optimizer(T, O)
        s = O.lr_scheduler.ReduceLROnPlateau(o, **kwargs)
        seq = []
        for m in METRICS:
            o.step()
            s.step(m)
            seq.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter, s.best))
        seqs.append((seq, s.state_dict()))
    assert seqs[0] == seqs[1]


@given(gamma=st.floats(0.1, 1.0), step_size=st.integers(1, 6), t_max=st.integers(1, 12),
       eta_min=st.floats(0.0, 0.05), steps=st.integers(1, 30))
def test_property_sequences(gamma, step_size, t_max, eta_min, steps):
    import torch

    for name, kwargs in [("StepLR", {"step_size": step_size, "gamma": gamma}),
                         ("CosineAnnealingLR", {"T_max": t_max, "eta_min": eta_min}),
                         ("ExponentialLR", {"gamma": gamma})]:
        tseq, _, _ = run(torch, torch.optim, name, kwargs, steps=steps)
        lseq, _, _ = run(lg, optim, name, kwargs, steps=steps)
        assert lseq == tseq


@pytest.mark.parametrize(("name", "kwargs"), [("StepLR", {"step_size": 3}),
                                              ("ExponentialLR", {"gamma": 0.8}),
                                              ("CosineAnnealingLR", {"T_max": 6}),
                                              ("MultiStepLR", {"milestones": [2, 4]}),
                                              ("CosineAnnealingWarmRestarts",
                                               {"T_0": 3, "T_mult": 2})])
def test_step_with_epoch_uses_closed_form(torch, name, kwargs):
    seqs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        o = make_optimizer(T, O)
        s = getattr(O.lr_scheduler, name)(o, **kwargs)
        seq = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for e in [3, 1, 7, 2, 10]:
                o.step()
                s.step(e)
                seq.append(s.get_last_lr())
        seqs.append((seq, [str(x.message) for x in w]))
    assert seqs[0] == seqs[1]


def test_last_epoch_resume(torch):
    seqs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        o = make_optimizer(T, O)
        for g in o.param_groups:
            g["initial_lr"] = g["lr"] * 2
        s = O.lr_scheduler.StepLR(o, 2, 0.5, last_epoch=5)
        seq = [s.get_last_lr()]
        for _ in range(6):
            o.step()
            s.step()
            seq.append(s.get_last_lr())
        seqs.append(seq)
    assert seqs[0] == seqs[1]


# -- warnings --------------------------------------------------------------------------------
def _warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def test_warns_when_scheduler_steps_before_optimizer(torch):
    def attempt(T, O):
        o = make_optimizer(T, O)
        s = O.lr_scheduler.StepLR(o, 2)
        s.step()
        o.step()
        s.step()

    expected = _warnings(lambda: attempt(torch, torch.optim))
    assert expected and "before `optimizer.step()`" in expected[0][1]
    assert _warnings(lambda: attempt(lg, optim)) == expected


def test_no_warning_in_the_right_order(torch):
    def attempt(O, T):
        o = make_optimizer(T, O)
        s = O.lr_scheduler.ExponentialLR(o, 0.5)
        o.step()
        s.step()

    assert _warnings(lambda: attempt(optim, lg)) == []


def test_warns_when_optimizer_step_replaced(torch):
    def attempt(T, O):
        o = make_optimizer(T, O)
        s = O.lr_scheduler.StepLR(o, 2)
        o.step = lambda closure=None: None
        s.step()

    expected = _warnings(lambda: attempt(torch, torch.optim))
    assert expected
    assert _warnings(lambda: attempt(lg, optim)) == expected


def test_get_lr_outside_step_warns(torch):
    def attempt(T, O):
        s = O.lr_scheduler.StepLR(make_optimizer(T, O), 2)
        return s.get_lr()

    expected = _warnings(lambda: attempt(torch, torch.optim))
    assert expected
    assert _warnings(lambda: attempt(lg, optim)) == expected


# -- errors ----------------------------------------------------------------------------------
def _same_error(torch_fn, lg_fn):
    try:
        torch_fn()
    except Exception as e:  # noqa: BLE001 - whatever PyTorch raises is the oracle
        etype, msg = type(e), str(e).replace("torch.", "leafgrad.")
    else:
        raise AssertionError("PyTorch raised nothing")
    with pytest.raises(etype, match=re.escape(msg)):
        lg_fn()


ERRORS = [
    ("StepLR", "not_optimizer", {"step_size": 2}),
    ("LinearLR", None, {"start_factor": 0.0}),
    ("LinearLR", None, {"end_factor": 1.5}),
    ("ConstantLR", None, {"factor": 2.0}),
    ("OneCycleLR", None, {"max_lr": 1.0}),
    ("OneCycleLR", None, {"max_lr": 1.0, "total_steps": 0}),
    ("OneCycleLR", None, {"max_lr": 1.0, "epochs": -1, "steps_per_epoch": 3}),
    ("OneCycleLR", None, {"max_lr": 1.0, "epochs": 2, "steps_per_epoch": 0}),
    ("OneCycleLR", None, {"max_lr": 1.0, "total_steps": 10, "pct_start": 1.5}),
    ("OneCycleLR", None, {"max_lr": 1.0, "total_steps": 10, "anneal_strategy": "exp"}),
    ("OneCycleLR", None, {"max_lr": [1.0], "total_steps": 10}),
    ("OneCycleLR", "overstep", {"max_lr": 1.0, "total_steps": 3}),
    ("CosineAnnealingWarmRestarts", None, {"T_0": 0}),
    ("CosineAnnealingWarmRestarts", None, {"T_0": 2, "T_mult": 0}),
    ("CosineAnnealingWarmRestarts", None, {"T_0": 2, "eta_min": "x"}),
    ("CosineAnnealingWarmRestarts", "negative_epoch", {"T_0": 2}),
    ("ReduceLROnPlateau", None, {"factor": 1.0}),
    ("ReduceLROnPlateau", None, {"mode": "median"}),
    ("ReduceLROnPlateau", None, {"threshold_mode": "both"}),
    ("ReduceLROnPlateau", None, {"min_lr": [0.1]}),
    ("LambdaLR", None, {"lr_lambda": [_decay]}),
    ("MultiplicativeLR", None, {"lr_lambda": 3}),
    ("CyclicLR", None, {"base_lr": 0.1, "max_lr": 1.0, "mode": "zigzag"}),
    ("StepLR", "resume", {"step_size": 2, "last_epoch": 3}),
]


@pytest.mark.parametrize(("name", "how", "kwargs"), ERRORS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ERRORS)])
def test_errors(torch, name, how, kwargs):
    def attempt(T, O):
        o = make_optimizer(T, O, momentum=0.9)
        cls = getattr(O.lr_scheduler, name)
        if how == "not_optimizer":
            cls(3, **kwargs)
        elif how == "overstep":
            s = cls(o, **kwargs)
            for _ in range(5):
                o.step()
                s.step()
        elif how == "negative_epoch":
            cls(o, **kwargs).step(-1)
        else:
            cls(o, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(lambda: attempt(torch, torch.optim), lambda: attempt(lg, optim))


@pytest.mark.parametrize("case", ["count", "empty", "plateau", "other_optimizer"])
def test_sequential_errors(torch, case):
    def attempt(T, O):
        o = make_optimizer(T, O)
        L = O.lr_scheduler
        a = L.ExponentialLR(o, 0.9)
        if case == "count":
            L.SequentialLR(o, [a, L.StepLR(o, 2)], milestones=[1, 2])
        elif case == "empty":
            L.SequentialLR(o, [], milestones=[])
        elif case == "plateau":
            L.SequentialLR(o, [a, L.ReduceLROnPlateau(o)], milestones=[2])
        else:
            o2 = make_optimizer(T, O)
            L.SequentialLR(o, [a, L.StepLR(o2, 2)], milestones=[2])

    _same_error(lambda: attempt(torch, torch.optim), lambda: attempt(lg, optim))


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_tensor_learning_rate(torch, opt):
    """A Tensor lr is updated in place by the scheduler, and used by the optimizer."""
    runs = []
    for T, O in ((torch, torch.optim), (lg, optim)):
        p = T.tensor([1.0, 2.0], requires_grad=True)
        lr = T.tensor(0.1)
        o = getattr(O, opt)([p], lr=lr)
        s = O.lr_scheduler.StepLR(o, 2, 0.5)
        out = []
        for _ in range(5):
            p.grad = T.tensor([1.0, -1.0])
            o.step()
            s.step()
            out.append((p.detach().numpy().tolist(), float(s.get_last_lr()[0]), float(lr)))
        assert o.param_groups[0]["lr"] is lr
        runs.append(out)
    assert runs[0] == runs[1]
