"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict against PyTorch."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import raises_like

pytestmark = pytest.mark.torch


def lgmsg(s: str) -> str:
    # leafgrad's Module lives in leafgrad.nn.module (torch's in torch.nn.modules.module)
    return s.replace("torch", "leafgrad").replace("nn.modules.module.", "nn.module.")


def same_error(tfn, lfn):
    raises_like(tfn, lfn, translate=lgmsg)


def layers(mod, n):
    return [mod.Linear(i + 1, i + 2) for i in range(n)]


def check_same(tm, lm):
    assert repr(lm) == lgmsg(repr(tm))
    assert [k for k, _ in lm.named_parameters()] == [k for k, _ in tm.named_parameters()]
    assert list(lm.state_dict()) == list(tm.state_dict())


# -- Sequential -----------------------------------------------------------------------------------
def test_sequential_forward_and_names(torch):
    tm = torch.nn.Sequential(*layers(torch.nn, 3))
    lm = nn.Sequential(*layers(nn, 3))
    for (_, p), (_, q) in zip(lm.named_parameters(), tm.named_parameters(), strict=True):
        p.data = lg.tensor(q.detach().numpy().copy())
    check_same(tm, lm)
    x = np.random.default_rng(1).standard_normal((4, 1)).astype(np.float32)
    np.testing.assert_allclose(lm(lg.from_numpy(x)).detach().numpy(),
                               tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert len(lm) == 3
    assert [type(m).__name__ for m in lm] == ["Linear"] * 3


def test_sequential_ordereddict(torch):
    tm = torch.nn.Sequential(OrderedDict([("fc", torch.nn.Linear(2, 3)),
                                          ("out", torch.nn.Identity())]))
    lm = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("out", nn.Identity())]))
    check_same(tm, lm)
    assert lm.fc is lm[0]
    check_same(tm[1:], lm[1:])
    assert isinstance(lm[::-1], nn.Sequential)


@given(st.integers(-6, 5))
def test_sequential_indexing(i):
    import torch

    tm = torch.nn.Sequential(*layers(torch.nn, 4))
    lm = nn.Sequential(*layers(nn, 4))
    if -4 <= i < 4:
        assert repr(lm[i]) == repr(tm[i])
    else:
        same_error(lambda: tm[i], lambda: lm[i])


@pytest.mark.parametrize("sl", [slice(1, 3), slice(None, None, 2), slice(-2, None),
                                slice(3, 1), slice(None, None, -1)])
def test_sequential_slicing_and_delete(torch, sl):
    tm = torch.nn.Sequential(*layers(torch.nn, 4))
    lm = nn.Sequential(*layers(nn, 4))
    check_same(tm[sl], lm[sl])
    del tm[sl]
    del lm[sl]
    check_same(tm, lm)


def test_sequential_mutation(torch):
    tm = torch.nn.Sequential(*layers(torch.nn, 2))
    lm = nn.Sequential(*layers(nn, 2))
    steps = [
        lambda m, mod: m.append(mod.Linear(7, 7)),
        lambda m, mod: m.insert(1, mod.Identity()),
        lambda m, mod: m.insert(-1, mod.Linear(5, 5)),
        lambda m, mod: m.insert(len(m), mod.Linear(6, 6)),
        lambda m, mod: m.extend([mod.Identity(), mod.Linear(1, 1)]),
        lambda m, mod: m.__setitem__(-1, mod.Linear(9, 9)),
        lambda m, mod: m.__setitem__(0, mod.Identity()),
        lambda m, mod: m.pop(2),
        lambda m, mod: m.__delitem__(-2),
    ]
    for step in steps:
        tr = step(tm, torch.nn)
        lr = step(lm, nn)
        check_same(tm, lm)
        if isinstance(tr, torch.nn.Module):
            assert repr(lr) == repr(tr)
    same_error(lambda: tm.insert(99, torch.nn.Identity()), lambda: lm.insert(99, nn.Identity()))
    same_error(lambda: tm.insert(0, 3), lambda: lm.insert(0, 3))
    same_error(lambda: tm[99], lambda: lm[99])


def test_sequential_add_mul(torch):
    ta, tb = torch.nn.Sequential(*layers(torch.nn, 2)), torch.nn.Sequential(torch.nn.Identity())
    la, lb = nn.Sequential(*layers(nn, 2)), nn.Sequential(nn.Identity())
    check_same(ta + tb, la + lb)
    check_same(ta * 2, la * 2)
    check_same(3 * tb, 3 * lb)
    same_error(lambda: ta + 1, lambda: la + 1)
    same_error(lambda: ta * 0, lambda: la * 0)
    same_error(lambda: ta * 1.5, lambda: la * 1.5)
    ta += tb
    la += lb
    check_same(ta, la)
    tb *= 3
    lb *= 3
    check_same(tb, lb)
    assert la + lb is not la


def test_empty_sequential_is_identity(torch):
    x = lg.ones(2)
    assert nn.Sequential()(x) is x
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential())


# -- ModuleList -----------------------------------------------------------------------------------
def test_modulelist_repr_compression(torch):
    def build(mod):
        return mod.ModuleList([mod.Linear(2, 2), mod.Linear(2, 2), mod.Linear(2, 2),
                               mod.Identity(), mod.Linear(2, 2), mod.Linear(2, 3),
                               mod.Sequential(mod.Linear(1, 1), mod.Linear(1, 1)),
                               mod.Sequential(mod.Linear(1, 1), mod.Linear(1, 1))])

    check_same(build(torch.nn), build(nn))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())

    class Holder(nn.Module):
        def __init__(self, mod):
            super().__init__()
            self.blocks = build(mod)

    class Holder_(torch.nn.Module):
        def __init__(self, mod):
            super().__init__()
            self.blocks = build(mod)

    Holder_.__name__ = "Holder"
    check_same(Holder_(torch.nn), Holder(nn))


def test_modulelist_ops(torch):
    tm = torch.nn.ModuleList(layers(torch.nn, 3))
    lm = nn.ModuleList(layers(nn, 3))
    check_same(tm, lm)
    check_same(tm[1:], lm[1:])
    assert repr(lm[-1]) == repr(tm[-1])
    steps = [
        lambda m, mod: m.append(mod.Identity()),
        lambda m, mod: m.extend([mod.Linear(3, 3)]),
        lambda m, mod: m.insert(1, mod.Linear(8, 8)),
        lambda m, mod: m.__setitem__(-1, mod.Linear(4, 4)),
        lambda m, mod: m.__delitem__(0),
        lambda m, mod: m.__delitem__(slice(0, 2)),
        lambda m, mod: m.pop(-1),
        lambda m, mod: m.__iadd__([mod.Identity()]),
    ]
    for step in steps:
        step(tm, torch.nn)
        step(lm, nn)
        check_same(tm, lm)
    check_same(tm + torch.nn.ModuleList([torch.nn.Identity()]),
               lm + nn.ModuleList([nn.Identity()]))
    same_error(lambda: tm[10], lambda: lm[10])
    same_error(lambda: tm.extend(3), lambda: lm.extend(3))
    same_error(lambda: tm(1), lambda: lm(1))
    assert len(lm) == len(tm)
    assert "0" not in dir(lm)


# -- ModuleDict -----------------------------------------------------------------------------------
def test_moduledict(torch):
    def build(mod):
        return mod.ModuleDict({"b": mod.Linear(1, 2), "a": mod.Identity()})

    tm, lm = build(torch.nn), build(nn)
    check_same(tm, lm)
    assert list(lm.keys()) == list(tm.keys())
    assert "a" in lm and "z" not in lm
    lm["c"] = nn.Linear(3, 3)
    tm["c"] = torch.nn.Linear(3, 3)
    check_same(tm, lm)
    assert repr(lm.pop("b")) == repr(tm.pop("b"))
    check_same(tm, lm)
    lm.update([("d", nn.Identity())])
    tm.update([("d", torch.nn.Identity())])
    check_same(tm, lm)
    assert [repr(v) for v in lm.values()] == [repr(v) for v in tm.values()]
    assert [k for k, _ in lm.items()] == [k for k, _ in tm.items()]
    assert list(lm) == list(tm)
    del lm["a"]
    del tm["a"]
    check_same(tm, lm)
    same_error(lambda: tm.update(3), lambda: lm.update(3))
    same_error(lambda: tm.update([3]), lambda: lm.update([3]))
    same_error(lambda: tm.update([("a",)]), lambda: lm.update([("a",)]))
    same_error(lambda: tm["nope"], lambda: lm["nope"])
    lm.clear()
    tm.clear()
    check_same(tm, lm)
    assert len(lm) == 0


# -- ParameterList / ParameterDict ----------------------------------------------------------------
def test_parameterlist(torch):
    def build(mod, T):
        return mod.ParameterList([mod.Parameter(T.ones(2, 3)), T.zeros(4),
                                  T.zeros(2, dtype=T.float64), "text", 3])

    tm, lm = build(torch.nn, torch), build(nn, lg)
    check_same(tm, lm)
    assert isinstance(lm[1], nn.Parameter)
    assert len(lm) == 5
    lm.append(lg.ones(1))
    tm.append(torch.ones(1))
    lm[0] = lg.ones(5)
    tm[0] = torch.ones(5)
    check_same(tm, lm)
    check_same(tm[1:3], lm[1:3])
    assert len(list(lm.parameters())) == len(list(tm.parameters()))
    same_error(lambda: tm[9], lambda: lm[9])
    same_error(lambda: tm.extend(torch.ones(2)), lambda: lm.extend(lg.ones(2)))
    same_error(lambda: tm(), lambda: lm())
    assert [type(x).__name__ for x in lm] == [type(x).__name__.replace("Parameter", "Parameter")
                                              for x in tm]


def test_parameterdict(torch):
    def build(mod, T):
        return mod.ParameterDict({"w": mod.Parameter(T.ones(2, 3)), "b": T.zeros(4),
                                  "s": "text"})

    tm, lm = build(torch.nn, torch), build(nn, lg)
    check_same(tm, lm)
    assert list(lm.keys()) == list(tm.keys())
    assert isinstance(lm["b"], nn.Parameter)
    lm["d"] = lg.zeros(2, dtype=lg.float64)
    tm["d"] = torch.zeros(2, dtype=torch.float64)
    check_same(tm, lm)
    assert lm.get("zz", 5) == 5
    assert lm.setdefault("w") is lm["w"]
    k, _ = lm.popitem()
    assert k == tm.popitem()[0]
    check_same(tm, lm)
    lm.pop("w")
    tm.pop("w")
    check_same(tm, lm)
    assert list(reversed(lm)) == list(reversed(tm))
    assert list(lm.copy().keys()) == list(tm.copy().keys())
    assert list((lm | nn.ParameterDict({"q": lg.ones(1)})).keys()) == \
        list((tm | torch.nn.ParameterDict({"q": torch.ones(1)})).keys())
    lm |= nn.ParameterDict({"r": lg.ones(1)})
    tm |= torch.nn.ParameterDict({"r": torch.ones(1)})
    check_same(tm, lm)
    assert list(lm.fromkeys(["x", "y"]).keys()) == ["x", "y"]
    same_error(lambda: tm[3], lambda: lm[3])
    same_error(lambda: tm.update(3), lambda: lm.update(3))
    same_error(lambda: tm(1), lambda: lm(1))
    lm.clear()
    assert len(lm) == 0 and not list(lm.parameters())


def test_containers_in_training_names(torch):
    """SPEC 20: named_parameters of the standard MLP container gives PyTorch's names."""
    lm = nn.Sequential(nn.Linear(2, 4), nn.Identity(), nn.Linear(4, 1), nn.Identity())
    tm = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Identity(),
                             torch.nn.Linear(4, 1), torch.nn.Identity())
    assert [n for n, _ in lm.named_parameters()] == [n for n, _ in tm.named_parameters()] == \
        ["0.weight", "0.bias", "2.weight", "2.bias"]


# -- random module trees -----------------------------------------------------------------------
_TREE = st.recursive(
    st.tuples(st.sampled_from(["linear", "identity", "flatten", "bilinear", "nobias"]),
              st.integers(1, 3)),
    lambda kids: st.tuples(st.sampled_from(["seq", "list", "dict"]),
                           st.lists(kids, min_size=0, max_size=3)),
    max_leaves=8,
)


def _make_tree(spec, mod, shared):
    kind, arg = spec
    if kind == "linear":
        return mod.Linear(arg, arg + 1)
    if kind == "nobias":
        return mod.Linear(arg, 2, bias=False)
    if kind == "identity":
        return mod.Identity()
    if kind == "flatten":
        return mod.Flatten(0, arg - 2)
    if kind == "bilinear":
        return mod.Bilinear(arg, 2, 3)
    kids = [_make_tree(k, mod, shared) for k in arg]
    if kind == "seq":
        return mod.Sequential(*kids)
    if kind == "list":
        return mod.ModuleList(kids)
    return mod.ModuleDict({f"k{i}": k for i, k in enumerate(kids)})


@given(_TREE)
def test_random_trees_match_torch(spec):
    import torch

    tm = _make_tree(spec, torch.nn, None)
    lm = _make_tree(spec, nn, None)
    check_same(tm, lm)
    assert [n for n, _ in lm.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in lm.named_modules(prefix="root")] == \
        [n for n, _ in tm.named_modules(prefix="root")]
    # weights copied through state_dict load in both directions keep names and values
    sd = {k: lg.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()}
    assert repr(lm.load_state_dict(sd)) == "<All keys matched successfully>"
    for (_, p), (_, q) in zip(lm.named_parameters(), tm.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    tm.load_state_dict({k: torch.tensor(v.numpy().copy()) for k, v in lm.state_dict().items()})
