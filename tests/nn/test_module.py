"""nn.Module and nn.Parameter against PyTorch: registration, traversal, modes, casting,
state_dict / load_state_dict, hooks, repr and errors."""

from __future__ import annotations

import functools
import re
from collections import OrderedDict

import numpy as np
import pytest

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import lgmsg
from ._helpers import raises_like as _raises_like

pytestmark = pytest.mark.torch


raises_like = functools.partial(_raises_like, translate=lgmsg)


def to_lg(t) -> lg.Tensor:
    return lg.tensor(t.detach().numpy().copy())


def copy_weights(tm, lm) -> None:
    """Give the leafgrad module the torch module's parameters and buffers."""
    tparams = dict(tm.named_parameters())
    for name, p in lm.named_parameters():
        p.data = to_lg(tparams[name])
    tbufs = dict(tm.named_buffers())
    for name, b in lm.named_buffers():
        b.data = to_lg(tbufs[name])


def build(mod):
    """The same small network class in either library (``mod`` is torch.nn or leafgrad.nn),
    with nested modules, a shared module, buffers (one non-persistent) and a None param."""
    T = lg if mod is nn else __import__("torch")

    class Block(mod.Module):
        def __init__(self):
            super().__init__()
            self.fc = mod.Linear(3, 4)
            self.register_buffer("count", T.zeros(2))
            self.register_buffer("scratch", T.ones(1), persistent=False)
            self.register_parameter("unused", None)

        def forward(self, x):
            return self.fc(x)

    class Net(mod.Module):
        def __init__(self):
            super().__init__()
            self.a = Block()
            self.seq = mod.Sequential(mod.Linear(4, 4), mod.Linear(4, 2))
            self.scale = mod.Parameter(T.ones(2))
            self.shared = self.seq[1]

        def forward(self, x):
            return self.seq(self.a(x)) * self.scale

    return Net()


@pytest.fixture
def nets(torch):
    tn, ln = build(torch.nn), build(nn)
    copy_weights(tn, ln)
    return tn, ln


# -- registration and traversal -------------------------------------------------------------------
def test_names_match_torch(nets):
    tn, ln = nets
    assert [n for n, _ in ln.named_parameters()] == [n for n, _ in tn.named_parameters()]
    assert [n for n, _ in ln.named_buffers()] == [n for n, _ in tn.named_buffers()]
    assert [n for n, _ in ln.named_modules()] == [n for n, _ in tn.named_modules()]
    assert [n for n, _ in ln.named_children()] == [n for n, _ in tn.named_children()]
    assert list(ln.state_dict().keys()) == list(tn.state_dict().keys())
    for kw in ({"prefix": "model"}, {"recurse": False}, {"remove_duplicate": False}):
        assert [n for n, _ in ln.named_parameters(**kw)] == \
            [n for n, _ in tn.named_parameters(**kw)]
        assert [n for n, _ in ln.named_buffers(**kw)] == [n for n, _ in tn.named_buffers(**kw)]
    assert [n for n, _ in ln.named_modules(prefix="m", remove_duplicate=False)] == \
        [n for n, _ in tn.named_modules(prefix="m", remove_duplicate=False)]
    assert len(list(ln.parameters())) == len(list(tn.parameters()))
    assert len(list(ln.modules())) == len(list(tn.modules()))
    assert len(list(ln.children())) == len(list(tn.children()))
    assert list(ln.state_dict(prefix="p.").keys()) == list(tn.state_dict(prefix="p.").keys())


def test_forward_matches(nets, torch):
    tn, ln = nets
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    to = tn(torch.from_numpy(x))
    lo = ln(lg.from_numpy(x))
    np.testing.assert_allclose(lo.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    to.sum().backward()
    lo.sum().backward()
    tp = dict(tn.named_parameters())
    for name, p in ln.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=1e-5, atol=1e-6)


def test_repr_matches(nets):
    tn, ln = nets
    assert repr(ln) == lgmsg(repr(tn))


def test_repr_nested_multiline_extra(torch):
    def make(mod):
        class Multi(mod.Module):
            def extra_repr(self):
                return "a=1\nb=2"

        class Outer(mod.Module):
            def __init__(self):
                super().__init__()
                self.m = Multi()
                self.inner = mod.Sequential(Multi(), mod.Sequential(mod.Identity()))
                self.none = None
                self.add_module("empty", None)

            def extra_repr(self):
                return "outer=True"

        return Outer(), Multi()

    (to, tm), (lo, lm) = make(torch.nn), make(nn)
    assert repr(lo) == repr(to)
    assert repr(lm) == repr(tm)
    assert repr(nn.Module()) == repr(torch.nn.Module())


def test_get_submodule_parameter_buffer(nets, torch):
    tn, ln = nets
    assert ln.get_submodule("a.fc") is ln.a.fc
    assert ln.get_submodule("") is ln
    assert ln.get_parameter("a.fc.weight") is ln.a.fc.weight
    assert ln.get_parameter("scale") is ln.scale
    assert ln.get_buffer("a.count") is ln.a.count
    for target in ("a.nope", "a.fc.weight.x", "scale.x"):
        raises_like(lambda t=target: tn.get_submodule(t), lambda t=target: ln.get_submodule(t))
    for target in ("a.fc.nope", "a.count", "a.fc"):
        raises_like(lambda t=target: tn.get_parameter(t), lambda t=target: ln.get_parameter(t))
    for target in ("a.nope", "a.fc.weight"):
        raises_like(lambda t=target: tn.get_buffer(t), lambda t=target: ln.get_buffer(t))
    new = nn.Linear(4, 4)
    ln.set_submodule("seq.0", new)
    assert ln.seq[0] is new


def test_setattr_registration_and_errors(torch):
    tm, lm = torch.nn.Linear(2, 3), nn.Linear(2, 3)
    raises_like(lambda: setattr(tm, "weight", torch.zeros(3, 2)),
                lambda: setattr(lm, "weight", lg.zeros(3, 2)))
    raises_like(lambda: setattr(tm, "weight", 3), lambda: setattr(lm, "weight", 3))

    def make(mod, T):
        class M(mod.Module):
            def __init__(self):
                super().__init__()
                self.sub = mod.Identity()
                self.register_buffer("buf", T.zeros(1))

        return M()

    tm2, lm2 = make(torch.nn, torch), make(nn, lg)
    raises_like(lambda: setattr(tm2, "sub", 3), lambda: setattr(lm2, "sub", 3))
    raises_like(lambda: setattr(tm2, "buf", 3), lambda: setattr(lm2, "buf", 3))
    lm2.buf = lg.ones(3)  # a tensor replaces a buffer, and stays a buffer
    assert "buf" in dict(lm2.named_buffers())
    lm2.sub = None
    assert lm2._modules["sub"] is None
    # A parameter assigned over a plain attribute moves into _parameters.
    lm2.plain = 5
    lm2.plain = nn.Parameter(lg.ones(1))
    assert "plain" in lm2._parameters and "plain" not in lm2.__dict__

    # Before __init__.
    class Early(nn.Module):
        def __init__(self):
            self.p = nn.Parameter(lg.ones(1))

    class TEarly(torch.nn.Module):
        def __init__(self):
            self.p = torch.nn.Parameter(torch.ones(1))

    raises_like(TEarly, Early)

    class EarlyMod(nn.Module):
        def __init__(self):
            self.m = nn.Identity()

    class TEarlyMod(torch.nn.Module):
        def __init__(self):
            self.m = torch.nn.Identity()

    raises_like(TEarlyMod, EarlyMod)


@pytest.mark.parametrize("call", [
    lambda m, T, mod: m.register_parameter("a.b", None),
    lambda m, T, mod: m.register_parameter("", None),
    lambda m, T, mod: m.register_parameter(3, None),
    lambda m, T, mod: m.register_parameter("weight2", T.zeros(2)),
    lambda m, T, mod: m.register_parameter("training", None),
    lambda m, T, mod: m.register_parameter("x", mod.Parameter(T.ones(2)) * 2),
    lambda m, T, mod: m.register_buffer("a.b", None),
    lambda m, T, mod: m.register_buffer("", None),
    lambda m, T, mod: m.register_buffer(1.5, None),
    lambda m, T, mod: m.register_buffer("weight", T.zeros(1)),
    lambda m, T, mod: m.register_buffer("x", 3),
    lambda m, T, mod: m.add_module("x", 3),
    lambda m, T, mod: m.add_module(3, mod.Identity()),
    lambda m, T, mod: m.add_module("weight", mod.Identity()),
    lambda m, T, mod: m.add_module("a.b", mod.Identity()),
    lambda m, T, mod: m.add_module("", mod.Identity()),
    lambda m, T, mod: m.train("yes"),
    lambda m, T, mod: m.to(T.int64),
    lambda m, T, mod: m.nope,
    lambda m, T, mod: mod.Module()(1),
    lambda m, T, mod: mod.Module(3),
    lambda m, T, mod: mod.Module(x=3),
    lambda m, T, mod: m.load_state_dict([1]),
])
def test_registration_errors(torch, call):
    tm, lm = torch.nn.Linear(2, 3), nn.Linear(2, 3)
    raises_like(lambda: call(tm, torch, torch.nn), lambda: call(lm, lg, nn))


def test_delattr_and_dir(torch):
    lm = nn.Linear(2, 3)
    lm.register_buffer("b2", lg.zeros(1), persistent=False)
    lm.sub = nn.Identity()
    d = dir(lm)
    for name in ("weight", "bias", "b2", "sub", "forward", "in_features"):
        assert name in d
    assert d == sorted(d)
    del lm.bias
    del lm.b2
    del lm.sub
    del lm.in_features
    assert "bias" not in lm._parameters and "b2" not in lm._buffers
    assert "b2" not in lm._non_persistent_buffers_set and "sub" not in lm._modules
    with pytest.raises(AttributeError):
        del lm.nothing
    seq = nn.Sequential(nn.Identity())
    tseq = torch.nn.Sequential(torch.nn.Identity())
    assert [k for k in dir(seq) if not k.startswith("_")] == \
        [k for k in dir(tseq) if not k.startswith("_") and k in dir(seq)]
    assert "0" not in dir(seq)


# -- modes ----------------------------------------------------------------------------------------
def test_train_eval(nets):
    tn, ln = nets
    assert ln.training and all(m.training for m in ln.modules())
    assert ln.eval() is ln
    assert not any(m.training for m in ln.modules())
    ln.train()
    assert all(m.training for m in ln.modules())
    ln.train(False)
    assert [m.training for m in ln.modules()] == [m.training for m in tn.train(False).modules()]


def test_zero_grad_and_requires_grad(nets):
    _, ln = nets
    ln(lg.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in ln.parameters())
    ln.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in ln.parameters())
    ln.zero_grad()
    assert all(p.grad is None for p in ln.parameters())
    assert ln.requires_grad_(False) is ln
    assert not any(p.requires_grad for p in ln.parameters())
    ln.requires_grad_()
    assert all(p.requires_grad for p in ln.parameters())


def test_apply_order(nets):
    tn, ln = nets
    tnames, lnames = [], []
    tn.apply(lambda m: tnames.append(type(m).__name__))
    assert ln.apply(lambda m: lnames.append(type(m).__name__)) is ln
    assert lnames == tnames


@pytest.mark.parametrize("how", ["to", "double", "float", "half", "kw", "tensor"])
def test_casting_keeps_parameter_identity(nets, torch, how):
    tn, ln = nets
    ln(lg.randn(2, 3)).sum().backward()
    before = {n: p for n, p in ln.named_parameters()}
    target = {"to": lg.float64, "double": lg.float64, "float": lg.float32,
              "half": lg.float16, "kw": lg.float64, "tensor": lg.float64}[how]
    if how == "to":
        out = ln.to(lg.float64)
    elif how == "kw":
        out = ln.to(device="cpu", dtype=lg.float64)
    elif how == "tensor":
        out = ln.to(lg.zeros(1, dtype=lg.float64))
    else:
        out = getattr(ln, how)()
    assert out is ln
    for n, p in ln.named_parameters():
        assert p is before[n]
        assert isinstance(p, nn.Parameter) and p.is_leaf and p.requires_grad
        assert p.dtype == target and p.grad.dtype == target
    assert all(b.dtype == target for b in ln.buffers())
    tout = getattr(tn, "double" if target == lg.float64 else
                   {"float": "float", "half": "half"}[how])()
    np.testing.assert_allclose(ln.state_dict()["seq.0.weight"].numpy().astype(np.float64),
                               tout.state_dict()["seq.0.weight"].numpy().astype(np.float64),
                               rtol=1e-3)
    assert ln.cpu() is ln


def test_to_keeps_integer_buffers():
    m = nn.Module()
    m.register_buffer("steps", lg.zeros(2, dtype=lg.int64))
    m.double()
    assert m.steps.dtype == lg.int64


# -- state_dict -----------------------------------------------------------------------------------
def test_state_dict_values(nets, torch):
    tn, ln = nets
    sd = ln.state_dict()
    tsd = tn.state_dict()
    assert isinstance(sd, OrderedDict)
    for k, v in sd.items():
        assert type(v) is lg.Tensor and not v.requires_grad
        np.testing.assert_array_equal(v.numpy(), tsd[k].numpy())
    # detached values share memory with the parameters
    sd["scale"].numpy()[0] = 7.0
    assert ln.scale.detach().numpy()[0] == 7.0
    kv = ln.state_dict(keep_vars=True)
    assert kv["scale"] is ln.scale and kv["a.count"] is ln.a.count
    assert hasattr(sd, "_metadata")
    assert list(sd._metadata.keys()) == list(tsd._metadata.keys())


def test_load_state_dict_roundtrip(nets, torch):
    tn, ln = nets
    fresh_t = build(torch.nn)
    fresh_t.load_state_dict(tn.state_dict())
    fresh = build(nn)
    res = fresh.load_state_dict({k: to_lg(v) for k, v in tn.state_dict().items()})
    tres = fresh_t.load_state_dict(tn.state_dict())
    assert repr(res) == repr(tres) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    for (_, p), (_, q) in zip(fresh.named_parameters(), tn.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        assert isinstance(p, nn.Parameter)
    # copying keeps the parameter objects (optimizers hold them)
    w = fresh.seq[0].weight
    fresh.load_state_dict(ln.state_dict())
    assert fresh.seq[0].weight is w
    # assign=True puts new Parameters in
    new = {k: v.clone() for k, v in ln.state_dict().items()}
    fresh.load_state_dict(new, assign=True)
    assert fresh.seq[0].weight is not w and isinstance(fresh.seq[0].weight, nn.Parameter)
    assert fresh.seq[0].weight.requires_grad


def _mutations(T):
    def missing(sd):
        del sd["seq.1.bias"]
        return sd

    def unexpected(sd):
        sd["seq.9.weight"] = T.zeros(1)
        sd["extra"] = T.zeros(1)
        return sd

    def size(sd):
        sd["seq.0.weight"] = T.zeros(3, 4)
        sd["a.count"] = T.zeros(5)
        return sd

    def all_three(sd):
        return size(unexpected(missing(sd)))

    def not_tensor(sd):
        sd["scale"] = [1.0, 2.0]
        return sd

    def scalar_from_1(sd):
        return sd

    return {"missing": missing, "unexpected": unexpected, "size": size, "all": all_three,
            "not_tensor": not_tensor, "fine": scalar_from_1}


@pytest.mark.parametrize("case", ["missing", "unexpected", "size", "all", "not_tensor"])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors(nets, torch, case, strict):
    tn, ln = nets
    tsd = _mutations(torch)[case](tn.state_dict())
    lsd = _mutations(lg)[case](ln.state_dict())
    try:
        tres = tn.load_state_dict(tsd, strict=strict)
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=re.escape(lgmsg(str(e)))):
            ln.load_state_dict(lsd, strict=strict)
        assert str(e).startswith("Error(s) in loading state_dict for Net:")
        return
    lres = ln.load_state_dict(lsd, strict=strict)
    assert lres.missing_keys == tres.missing_keys
    assert lres.unexpected_keys == tres.unexpected_keys
    assert repr(lres) == repr(tres)


def test_load_state_dict_linear_message(torch):
    tm, lm = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    raises_like(lambda: tm.load_state_dict({"weight": torch.zeros(2, 4)}),
                lambda: lm.load_state_dict({"weight": lg.zeros(2, 4)}))


def test_load_state_dict_scalar_param_from_1_element(torch):
    m = nn.Module()
    m.p = nn.Parameter(lg.tensor(1.0))
    m.load_state_dict({"p": lg.tensor([5.0])})
    assert m.p.item() == 5.0


def test_buffer_class_and_persistence(torch):
    m = nn.Module()
    m.a = nn.Buffer(lg.ones(2))
    m.b = nn.Buffer(lg.zeros(3), persistent=False)
    tm = torch.nn.Module()
    tm.a = torch.nn.Buffer(torch.ones(2))
    tm.b = torch.nn.Buffer(torch.zeros(3), persistent=False)
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert list(m.state_dict()) == list(tm.state_dict())
    assert isinstance(nn.Buffer(lg.ones(1)), lg.Tensor)
    assert not isinstance(lg.ones(1), nn.Buffer)
    assert isinstance(m.a, nn.Buffer)


def test_extra_state(torch):
    class WithState(nn.Module):
        def __init__(self):
            super().__init__()
            self.state = {"step": 3}

        def get_extra_state(self):
            return dict(self.state)

        def set_extra_state(self, s):
            self.state = s

    m = WithState()
    sd = m.state_dict()
    assert list(sd) == ["_extra_state"]
    m2 = WithState()
    m2.state = {}
    m2.load_state_dict(sd)
    assert m2.state == {"step": 3}


def test_state_dict_hooks():
    m = nn.Linear(2, 2)
    calls = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix)))
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: calls.append(("post", len(sd))))
    m.register_load_state_dict_post_hook(lambda mod, keys: calls.append(("load", keys)))
    sd = m.state_dict()
    m.load_state_dict(sd)
    assert calls[:2] == [("pre", ""), ("post", 2)]
    assert calls[2][0] == "load"


# -- forward hooks --------------------------------------------------------------------------------
def _hook_log(mod, T):
    log = []
    m = mod.Linear(2, 2)
    h1 = m.register_forward_pre_hook(lambda mm, args: log.append("pre1"))
    m.register_forward_pre_hook(lambda mm, args: log.append("pre0"), prepend=True)
    m.register_forward_pre_hook(lambda mm, args, kw: log.append(("prekw", sorted(kw))),
                                with_kwargs=True)
    m.register_forward_hook(lambda mm, args, out: log.append(("post1", tuple(out.shape))))
    m.register_forward_hook(lambda mm, args, out: log.append("post0"), prepend=True)
    m.register_forward_hook(lambda mm, args, kw, out: log.append(("postkw", sorted(kw))),
                            with_kwargs=True)
    m(T.ones(3, 2))
    h1.remove()
    h1.remove()  # removing twice is a no-op
    m(input=T.ones(1, 2))
    return log


def test_forward_hook_order(torch):
    assert _hook_log(nn, lg) == _hook_log(torch.nn, torch)


def test_forward_hooks_modify(torch):
    def run(mod, T):
        m = mod.Linear(2, 2)
        with T.no_grad():
            m.weight.copy_(T.tensor([[1.0, 2.0], [3.0, 4.0]])) if hasattr(m.weight, "copy_") \
                else None
        m.weight.data = T.tensor([[1.0, 2.0], [3.0, 4.0]])
        m.bias.data = T.tensor([0.5, -0.5])
        m.register_forward_pre_hook(lambda mm, args: (args[0] * 2,))
        m.register_forward_pre_hook(lambda mm, args: args[0] + 1)  # a bare value is wrapped
        m.register_forward_pre_hook(lambda mm, args, kw: (args, {}), with_kwargs=True)
        m.register_forward_hook(lambda mm, args, out: out * 10)
        m.register_forward_hook(lambda mm, args, kw, out: out - args[0].sum(), with_kwargs=True)
        return m(T.tensor([[1.0, -1.0]])).detach().numpy()

    np.testing.assert_allclose(run(nn, lg), run(torch.nn, torch))


def test_forward_pre_hook_bad_return(torch):
    def run(mod, T):
        m = mod.Linear(2, 2)
        m.register_forward_pre_hook(lambda mm, args, kw: 5, with_kwargs=True)
        return m(T.ones(2))

    raises_like(lambda: run(torch.nn, torch), lambda: run(nn, lg))


def test_always_call_hook_on_error(torch):
    def run(mod, T):
        seen = []

        class Bad(mod.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Bad()
        m.register_forward_hook(lambda mm, a, out: seen.append(("always", out)),
                                always_call=True)
        m.register_forward_hook(lambda mm, a, out: seen.append(("normal", out)))
        with pytest.raises(ValueError, match="boom"):
            m(T.ones(1))
        return seen

    assert run(nn, lg) == run(torch.nn, torch) == [("always", None)]


def test_global_forward_hooks(torch):
    from leafgrad.nn.module import register_module_forward_hook, register_module_forward_pre_hook

    log = []
    h1 = register_module_forward_pre_hook(lambda m, a: log.append(("pre", type(m).__name__)))
    h2 = register_module_forward_hook(lambda m, a, o: log.append(("post", type(m).__name__)))
    try:
        nn.Sequential(nn.Identity())(lg.ones(1))
    finally:
        h1.remove()
        h2.remove()
    assert log == [("pre", "Sequential"), ("pre", "Identity"), ("post", "Identity"),
                   ("post", "Sequential")]
    nn.Identity()(lg.ones(1))
    assert len(log) == 4


def test_handle_context_manager():
    m = nn.Identity()
    log = []
    with m.register_forward_hook(lambda mm, a, o: log.append(1)):
        m(lg.ones(1))
    m(lg.ones(1))
    assert log == [1]


# -- backward hooks -------------------------------------------------------------------------------
def _bw_run(mod, T, x_np, w_np, modify):
    log = []

    class Mul(mod.Module):
        def __init__(self):
            super().__init__()
            self.w = mod.Parameter(T.tensor(w_np))

        def forward(self, x, y, flag):
            return x * self.w * y, x + y

    m = Mul()

    def pre(mm, gout):
        log.append(("pre", [None if g is None else g.numpy().copy() for g in gout]))
        if modify:
            return (gout[0] * 2, gout[1])
        return None

    def full(mm, gin, gout):
        log.append(("full", [None if g is None else g.numpy().copy() for g in gin],
                    [None if g is None else g.numpy().copy() for g in gout]))
        if modify:
            return (gin[0] + 1, gin[1], None)
        return None

    m.register_full_backward_pre_hook(pre)
    m.register_full_backward_hook(full)
    x = T.tensor(x_np, requires_grad=True)
    y = T.tensor(x_np[::-1].copy(), requires_grad=True)
    a, b = m(x, y, 3)
    (a * T.tensor(np.arange(1.0, 4.0, dtype=np.float32)) + b).sum().backward()
    return log, x.grad.numpy(), y.grad.numpy(), m.w.grad.numpy()


@pytest.mark.parametrize("modify", [False, True])
def test_full_backward_hooks_match_torch(torch, modify):
    x = np.array([1.0, 2.0, 3.0], np.float32)
    w = np.array([0.5, -1.0, 2.0], np.float32)
    tl, tx, ty, tw = _bw_run(torch.nn, torch, x, w, modify)
    ll, lx, ly, lw = _bw_run(nn, lg, x, w, modify)
    np.testing.assert_allclose(lx, tx)
    np.testing.assert_allclose(ly, ty)
    np.testing.assert_allclose(lw, tw)
    assert [e[0] for e in ll] == [e[0] for e in tl]
    for le, te in zip(ll, tl, strict=True):
        for lpart, tpart in zip(le[1:], te[1:], strict=True):
            assert len(lpart) == len(tpart)
            for lg_, tg in zip(lpart, tpart, strict=True):
                assert (lg_ is None) == (tg is None)
                if lg_ is not None:
                    np.testing.assert_allclose(lg_, tg)


def test_full_backward_hook_no_input_grad(torch):
    def run(mod, T):
        log = []
        m = mod.Linear(2, 1)
        m.register_full_backward_hook(lambda mm, gin, gout: log.append(
            (gin, tuple(g.shape for g in gout))))
        with pytest.warns(UserWarning, match="Full backward hook is firing"):
            m(T.ones(3, 2)).sum().backward()
        return [(gin, tuple(tuple(s) for s in shapes)) for gin, shapes in log]

    assert run(nn, lg) == run(torch.nn, torch)


def test_backward_hook_bad_length(torch):
    def run(mod, T):
        m = mod.Identity()
        m.register_full_backward_hook(lambda mm, gin, gout: (gin[0], gin[0]))
        x = T.ones(2, requires_grad=True)
        (m(x) * 2).sum().backward()

    raises_like(lambda: run(torch.nn, torch), lambda: run(nn, lg))


def test_backward_hook_node_name(torch):
    def name(mod, T):
        m = mod.Identity()
        m.register_full_backward_hook(lambda *a: None)
        return m(T.ones(2, requires_grad=True)).grad_fn.name()

    assert name(nn, lg) == name(torch.nn, torch)


# -- Parameter ------------------------------------------------------------------------------------
def test_parameter_basics(torch):
    t = lg.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert str(p) == str(tp)
    assert isinstance(p, lg.Tensor) and isinstance(p, nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    t.numpy()[0] = 9.0  # shares data
    assert p.detach().numpy()[0] == 9.0
    q = nn.Parameter(lg.zeros(2, dtype=lg.float64), requires_grad=False)
    tq = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64), requires_grad=False)
    assert repr(q) == lgmsg(repr(tq))
    assert not q.requires_grad
    e = nn.Parameter()
    assert tuple(e.shape) == tuple(torch.nn.Parameter().shape) and e.requires_grad
    # ops on a parameter give plain tensors
    assert type(p * 2) is lg.Tensor
    assert type(p.detach()) is lg.Tensor
    raises_like(lambda: torch.nn.Parameter(torch.tensor([1, 2])),
                lambda: nn.Parameter(lg.tensor([1, 2])))
    raises_like(lambda: torch.nn.Parameter([1.0]), lambda: nn.Parameter([1.0]))
    assert nn.Parameter(lg.tensor([1, 2]), requires_grad=False).dtype == lg.int64
    assert type(p.data) is lg.Tensor and type(p.clone()) is lg.Tensor
    r = nn.Parameter(lg.ones(2))
    (r * r).sum().backward()
    np.testing.assert_array_equal(r.grad.numpy(), [2.0, 2.0])


def test_parameter_deepcopy():
    import copy

    p = nn.Parameter(lg.ones(2))
    (p * 3).sum().backward()
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q is not p and q.requires_grad
    q.detach().numpy()[0] = 5.0
    assert p.detach().numpy()[0] == 1.0
    np.testing.assert_array_equal(q.grad.numpy(), p.grad.numpy())


def test_forward_and_call_fast_path():
    class Add(nn.Module):
        def forward(self, x, *, k=1):
            return x + k

    m = Add()
    assert m(lg.ones(1), k=2).item() == 3.0
    assert m._call_impl(lg.ones(1)).item() == 2.0


def test_legacy_backward_hook(torch):
    def run(mod, T):
        log = []
        m = mod.Linear(3, 2)
        with T.no_grad():
            m.weight.copy_(T.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
            m.bias.copy_(T.tensor([0.1, 0.2]))
        m.register_backward_hook(lambda mm, gin, gout: log.append(
            ([None if g is None else g.numpy().round(5).tolist() for g in gin],
             [g.numpy().round(5).tolist() for g in gout])))
        x = T.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        (m(x) * T.tensor([2.0, 3.0])).sum().backward()
        return log

    with pytest.warns(FutureWarning):  # PyTorch warns that legacy hooks miss grad_input
        expected = run(torch.nn, torch)
    assert run(nn, lg) == expected


def test_mixing_backward_hook_kinds(torch):
    def run(mod, first, second):
        m = mod.Identity()
        getattr(m, first)(lambda *a: None)
        getattr(m, second)(lambda *a: None)

    for a, b in [("register_backward_hook", "register_full_backward_hook"),
                 ("register_full_backward_hook", "register_backward_hook")]:
        raises_like(lambda a=a, b=b: run(torch.nn, a, b), lambda a=a, b=b: run(nn, a, b))


def test_full_backward_hook_mixed_inputs_and_outputs(torch):
    """Integer and unused tensor inputs get zero gradients in the hook (PyTorch's identity
    Function materialises them); non-tensor args and outputs give None."""
    def run(mod, T):
        class M(mod.Module):
            def forward(self, x, idx, unused, k):
                return x * k, idx + 1, 5

        m = M()
        log = []

        def show(gs):
            return tuple(None if g is None else (g.tolist(), str(g.dtype).split(".")[-1])
                         for g in gs)

        m.register_full_backward_hook(lambda mm, gi, go: log.append((show(gi), show(go))))
        m.register_full_backward_pre_hook(lambda mm, go: log.append(("pre", show(go))))
        x, u = T.ones(2, requires_grad=True), T.ones(3, requires_grad=True)
        a, i, f = m(x, T.tensor([1, 2]), u, 2.0)
        (a * 3).sum().backward()
        return log, x.grad.tolist(), u.grad.tolist(), i.tolist(), f

    assert run(nn, lg) == run(torch.nn, torch)
