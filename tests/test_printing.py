"""Printing: ``repr``/``str`` identical to PyTorch's, character for character, with
``leafgrad.`` where PyTorch prints ``torch.``; and set_printoptions/get_printoptions.

The PyTorch tests draw shapes, dtypes, value distributions (one per formatting branch),
autograd variants, print options and default dtypes with hypothesis; the golden test
replays reprs PyTorch printed once (tests/make_printing_golden.py) where it is absent.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad

from .make_printing_golden import DEFAULT_OPTIONS, build

GOLDEN = Path(__file__).parent / "printing_golden.json"

# More examples than an op test: each one is cheap, and the branches are many.
EXAMPLES = settings(
    max_examples=10 * settings.default.max_examples, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

FLOATS = ["float16", "float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8"]
DTYPES = FLOATS + INTS + ["bool"]

SPECIALS = [0.0, -0.0, math.nan, math.inf, -math.inf, 1.0, 2.5, -3.0, 1e10, 1e-7]
# Values on either side of the notation thresholds (1e-4, 1e8, a spread of 1000x).
BOUNDARY = [1e-4, 9.99e-5, 1.0001e-4, 1e8, 1.00000001e8, 9.9999e7, 1e-3, 1.0, 1000.0,
            1000.5, 999.5, 0.5, 2e8, 123456789.0]


def _scale(r, shape, lo, hi):
    return 10.0 ** r.integers(lo, hi, size=shape)


FLOAT_VALUES = {
    "int-valued": lambda r, s: r.integers(-100, 100, size=s).astype(float),
    "big-ints": lambda r, s: np.round(r.standard_normal(s) * _scale(r, (), 0, 13)),
    "wide": lambda r, s: r.standard_normal(s) * _scale(r, s, -12, 12),
    "tiny": lambda r, s: r.standard_normal(s) * _scale(r, (), -40, -4),
    "huge": lambda r, s: r.standard_normal(s) * _scale(r, (), 8, 40),
    "unit": lambda r, s: r.uniform(-1, 1, size=s),
    "positive": lambda r, s: r.uniform(0, 10, size=s) * _scale(r, (), -3, 4),
    "specials": lambda r, s: r.choice(SPECIALS, size=s),
    "mixed": lambda r, s: np.where(r.random(s) < 0.2, r.choice(SPECIALS, size=s),
                                   r.standard_normal(s) * _scale(r, (), -5, 6)),
    "boundary": lambda r, s: r.choice(BOUNDARY, size=s) * r.choice([1.0, -1.0], size=s),
    "constant": lambda r, s: np.full(s, r.choice(SPECIALS + BOUNDARY)),
}


def _int_values(r, shape, dtype):
    info = np.iinfo(dtype)
    kind = r.integers(0, 3)
    if kind == 0:
        v = r.integers(-5, 6, size=shape)
    else:
        v = r.integers(int(info.min), int(info.max), size=shape, endpoint=True, dtype=np.int64)
        if kind == 2:
            v = v // 10 ** int(r.integers(1, 8))
    return np.clip(v, info.min, info.max).astype(dtype)


SHAPES = st.one_of(
    st.just(()),
    st.lists(st.integers(0, 5), min_size=1, max_size=4).map(tuple),  # small, some empty
    st.lists(st.integers(1, 45), min_size=1, max_size=2).map(tuple),  # long rows wrap
    st.sampled_from([(1001,), (40, 30), (3, 20, 20), (2, 1, 700), (1100, 1), (0, 2000),
                     (7, 7, 7, 3)]),  # summarised (or empty though large)
)

GRADS = ["none", "requires_grad", "exp", "tanh", "mul", "add", "neg", "sum", "reshape"]


@st.composite
def arrays(draw, dtypes=DTYPES, shapes=SHAPES):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(shapes)
    r = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype in FLOATS:
        kind = draw(st.sampled_from(sorted(FLOAT_VALUES)))
        with np.errstate(over="ignore", invalid="ignore"):
            a = np.asarray(FLOAT_VALUES[kind](r, shape), dtype=np.float64).astype(dtype)
    elif dtype == "bool":
        a = r.random(shape) < draw(st.sampled_from([0.0, 0.5, 1.0]))
    else:
        a = _int_values(r, shape, np.dtype(dtype))
    a = np.asarray(a).reshape(shape)
    if a.ndim >= 2 and draw(st.booleans()):
        a = np.ascontiguousarray(a.T).T  # a non-contiguous (transposed) layout
    return a


def _pair(torch, a: np.ndarray, grad: str = "none"):
    """The same tensor in leafgrad and torch (same values, same autograd suffix)."""
    # A transposed layout is kept for leafgrad (the printer must not care), except where
    # an op's node name depends on the layout (reshape of a non-contiguous tensor).
    keep = not a.flags.c_contiguous and grad != "reshape"
    ours = leafgrad.from_numpy(a if keep else a.copy())
    theirs = torch.from_numpy(np.array(a, copy=True) if keep else a.copy())
    if grad == "none" or a.dtype.kind != "f":
        return ours, theirs
    ours.requires_grad_()
    theirs.requires_grad_()
    if grad == "requires_grad":
        return ours, theirs
    f = {"exp": lambda t: t.exp(), "tanh": lambda t: t.tanh(), "mul": lambda t: t * 2,
         "add": lambda t: t + 1, "neg": lambda t: t.neg(), "sum": lambda t: t.sum(),
         "reshape": lambda t: t.reshape(-1)}[grad]
    with np.errstate(all="ignore"):  # overflow in exp, inf - inf in sum: not our concern
        ours, theirs = f(ours), f(theirs)
    if grad in ("exp", "tanh", "sum"):
        # Their last bits may differ (libm, summation order): print leafgrad's values
        # with torch's node, so the comparison is about printing alone. (Not on views:
        # an in-place copy into a view changes its node.)
        with torch.no_grad():
            theirs.copy_(torch.from_numpy(np.array(ours.detach().numpy(), copy=True)))
    return ours, theirs


def _expected(t) -> str:
    return repr(t).replace("torch.", "leafgrad.")


def _check(ours, theirs):
    text = repr(ours)
    assert text == _expected(theirs)
    assert str(ours) == text


@pytest.fixture(autouse=True)
def _restore_defaults():
    """Every test starts and ends with the default options and default dtype."""
    yield
    leafgrad.set_printoptions(**DEFAULT_OPTIONS)
    leafgrad.set_default_dtype(leafgrad.float32)
    try:
        import torch
    except ImportError:
        return
    torch.set_printoptions(**DEFAULT_OPTIONS)
    torch.set_default_dtype(torch.float32)


# -- against PyTorch ----------------------------------------------------------------

@pytest.mark.torch
@EXAMPLES
@given(a=arrays(), grad=st.sampled_from(GRADS))
def test_repr_matches_torch(torch, a, grad):
    _check(*_pair(torch, a, grad))


OPTIONS = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 8),
    "threshold": st.one_of(st.sampled_from([0, 1, 5, 20, 1000, math.inf]),
                           st.integers(0, 200)),
    "edgeitems": st.integers(0, 4),
    "linewidth": st.one_of(st.integers(1, 40), st.integers(40, 200)),
    "profile": st.sampled_from(["default", "short", "full"]),
    "sci_mode": st.sampled_from([None, True, False]),
})


@pytest.mark.torch
@EXAMPLES
@given(a=arrays(), grad=st.sampled_from(GRADS), options=OPTIONS)
def test_repr_with_printoptions_matches_torch(torch, a, grad, options):
    leafgrad.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert leafgrad.get_printoptions() == torch._tensor_str.get_printoptions()
    _check(*_pair(torch, a, grad))


@pytest.mark.torch
@pytest.mark.parametrize("default", ["float64", "float16"])
@settings(EXAMPLES, max_examples=3 * settings.default.max_examples)
@given(a=arrays(shapes=st.one_of(st.just(()), st.just((0,)), st.just((0, 2)),
                                 st.lists(st.integers(1, 4), max_size=2).map(tuple))),
       grad=st.sampled_from(["none", "requires_grad", "mul"]))
def test_default_dtype_decides_the_dtype_suffix(torch, default, a, grad):
    leafgrad.set_default_dtype(getattr(leafgrad, default))
    torch.set_default_dtype(getattr(torch, default))
    _check(*_pair(torch, a, grad))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (2, 0, 1)])
def test_every_dtype_scalar_and_empty(torch, dtype, shape):
    a = np.ones(shape, dtype=dtype)
    _check(*_pair(torch, a))


@pytest.mark.torch
def test_suffix_wrapping_at_every_linewidth(torch):
    """Where each suffix moves to a new line, swept over linewidths."""
    tensors = [np.zeros((2, 3), np.int8), np.zeros(3, np.int16), np.arange(14.0),
               np.zeros((0, 3, 3), np.float64), np.linspace(-2, 3, 40).reshape(5, 8),
               np.array(2.5)]
    for a in tensors:
        for lw in range(1, 100):
            leafgrad.set_printoptions(linewidth=lw)
            torch.set_printoptions(linewidth=lw)
            for grad in ["none", "requires_grad", "mul"]:
                _check(*_pair(torch, a, grad))


@pytest.mark.torch
def test_printoptions_state_matches_torch(torch):
    get = torch._tensor_str.get_printoptions
    assert leafgrad.get_printoptions() == get()
    calls = [dict(precision=2), dict(threshold=5, sci_mode=True), dict(edgeitems=1),
             dict(profile="short"), dict(profile="full", precision=6), dict(linewidth=50),
             dict(profile="no-such-profile"), dict(sci_mode=False), dict(),
             dict(profile="default")]
    for kwargs in calls:
        leafgrad.set_printoptions(**kwargs)
        torch.set_printoptions(**kwargs)
        assert leafgrad.get_printoptions() == get(), kwargs


@pytest.mark.torch
def test_grad_and_size_print_like_torch(torch, capsys):
    x = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (tx * tx).sum().backward()
    print(x.grad, x.shape, x.exp().shape)
    print(tx.grad, tx.shape, tx.exp().shape)
    ours, theirs = capsys.readouterr().out.splitlines()
    assert ours == theirs.replace("torch.", "leafgrad.")
    assert f"{x.grad}" == repr(x.grad)


@pytest.mark.torch
def test_spec_example(torch):
    a = leafgrad.tensor(2.0, requires_grad=True)
    assert repr(a.exp()) == "tensor(7.3891, grad_fn=<ExpBackward0>)"
    ta = torch.tensor(2.0, requires_grad=True)
    assert repr(ta.exp()) == repr(a.exp())


# -- without PyTorch -------------------------------------------------------------------

def _golden_cases():
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("case", _golden_cases(), ids=lambda c: c["id"])
def test_golden(case):
    """Reprs PyTorch printed (python -m tests.make_printing_golden), checked without it."""
    leafgrad.set_printoptions(**case.get("options", {}))
    leafgrad.set_default_dtype(getattr(leafgrad, case.get("default_dtype", "float32")))
    t = build(leafgrad, case)
    assert repr(t) == case["repr"]
    assert str(t) == case["repr"]


def test_large_tensor_is_summarised():
    """A summary formats only what it shows (speed is benchmarked, not timed here)."""
    t = leafgrad.from_numpy(np.random.default_rng(0).standard_normal((1000, 1000)).astype("f4"))
    text = repr(t)
    assert text.count("\n") == 6 and "..." in text


def test_set_printoptions_semantics():
    opts = leafgrad.get_printoptions()
    assert opts == {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                    "sci_mode": None}
    leafgrad.set_printoptions(profile="short", precision=6, sci_mode=True)
    assert leafgrad.get_printoptions() == {"precision": 6, "threshold": 1000, "edgeitems": 2,
                                           "linewidth": 80, "sci_mode": True}
    leafgrad.set_printoptions(threshold=5)  # sci_mode is always set: back to None
    assert leafgrad.get_printoptions()["sci_mode"] is None
    assert leafgrad.get_printoptions()["precision"] == 6
    leafgrad.set_printoptions(profile="full")
    assert leafgrad.get_printoptions()["threshold"] == math.inf
    leafgrad.set_printoptions(profile="default")
    assert leafgrad.get_printoptions() == opts
    assert repr(leafgrad.tensor([1.12345])) == "tensor([1.1235])"
