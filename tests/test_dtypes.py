"""dtypes vs PyTorch: the module attributes, the default dtype, and the promotion rules
(``promote_types``, ``result_type``, the dtype of arithmetic on tensors of every
dimension category and Python numbers), ``can_cast``, ``finfo`` / ``iinfo``."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad

pytestmark = pytest.mark.torch

NAMES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
ALIASES = ("half", "float", "double", "short", "int", "long")


@pytest.fixture(scope="module")
def torch():
    """The oracle, module-scoped so that hypothesis tests may share it (skips without it)."""
    return pytest.importorskip("torch")


def name_of(d) -> str:
    return str(d).split(".")[-1]


def outcome(T, fn):
    """``fn(T)`` or ('error', type name, message) with torch spelled leafgrad."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(T)
    except Exception as e:  # noqa: BLE001 - any exception is an observation
        return ("error", type(e).__name__, str(e).replace("torch", "leafgrad"))


# -- the dtype objects ------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES + ALIASES)
def test_module_attributes(torch, name):
    ours, theirs = getattr(leafgrad, name), getattr(torch, name)
    assert isinstance(ours, leafgrad.dtype)
    assert repr(ours) == repr(theirs).replace("torch", "leafgrad")
    assert str(ours) == str(theirs).replace("torch", "leafgrad")
    for attr in ("is_floating_point", "is_signed", "itemsize", "is_complex", "abbr"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours.to_real()) == repr(theirs.to_real()).replace("torch", "leafgrad")
    if not theirs.is_floating_point:
        a = outcome(leafgrad, lambda T: getattr(T, name).to_complex())
        b = outcome(torch, lambda T: getattr(T, name).to_complex())
        assert a == b


def test_dtype_identity_and_pickle():
    for name in NAMES:
        d = getattr(leafgrad, name)
        assert pickle.loads(pickle.dumps(d)) is d
        assert hash(d) == hash(getattr(leafgrad, name))
    assert leafgrad.float is leafgrad.float32 and leafgrad.long is leafgrad.int64
    assert leafgrad.half is leafgrad.float16 and leafgrad.double is leafgrad.float64
    assert leafgrad.short is leafgrad.int16 and leafgrad.int is leafgrad.int32
    assert leafgrad.bool is not bool


def test_dtype_cannot_be_instantiated(torch):
    with pytest.raises(TypeError) as theirs:
        torch.dtype()
    with pytest.raises(TypeError) as ours:
        leafgrad.dtype()
    assert str(ours.value) == str(theirs.value).replace("torch", "leafgrad")


@pytest.mark.parametrize("name", NAMES)
def test_tensor_dtype_attribute(torch, name):
    ours = leafgrad.zeros(2, dtype=getattr(leafgrad, name))
    assert ours.dtype is getattr(leafgrad, name)
    assert ours.element_size() == torch.zeros(2, dtype=getattr(torch, name)).element_size()


# -- the default dtype --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_set_default_dtype(torch, name):
    def run(T):
        old = T.get_default_dtype()
        T.set_default_dtype(getattr(T, name))
        try:
            i = T.tensor([1, 2])
            return [name_of(x.dtype) for x in (
                T.tensor(2.0), T.tensor([1, 2.5]), T.arange(2.0), T.arange(0, 1, 0.5),
                T.zeros(1), T.ones(1), T.full((1,), 1.5), T.linspace(0, 1, 2), T.eye(1),
                T.rand(1), T.randn(1), i + 2.5, i / 2, i * 1.5, T.tensor(2), T.arange(3),
                T.tensor(True), T.tensor([1.0], dtype=T.float32))] + [
                name_of(T.get_default_dtype()), name_of(T.result_type(i, 1.0))]
        finally:
            T.set_default_dtype(old)

    assert run(leafgrad) == run(torch)
    assert leafgrad.get_default_dtype() is leafgrad.float32


@pytest.mark.parametrize("bad", ["int64", "int32", "uint8", "bool", "pyfloat", "str", "none"])
def test_set_default_dtype_errors(torch, bad):
    def run(T):
        value = {"pyfloat": float, "str": "float64", "none": None}.get(bad)
        return T.set_default_dtype(getattr(T, bad) if value is None and bad != "none" else value)

    assert outcome(leafgrad, run) == outcome(torch, run)
    assert leafgrad.get_default_dtype() is leafgrad.float32


def test_get_default_dtype(torch):
    assert name_of(leafgrad.get_default_dtype()) == name_of(torch.get_default_dtype())


# -- promote_types and can_cast: the full tables ------------------------------------------
def test_promote_types_table(torch):
    for a in NAMES:
        for b in NAMES:
            ours = leafgrad.promote_types(getattr(leafgrad, a), getattr(leafgrad, b))
            theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert name_of(ours) == name_of(theirs), (a, b)


def test_can_cast_table(torch):
    for a in NAMES:
        for b in NAMES:
            ours = leafgrad.can_cast(getattr(leafgrad, a), getattr(leafgrad, b))
            theirs = torch.can_cast(getattr(torch, a), getattr(torch, b))
            assert ours == theirs, (a, b)


@pytest.mark.parametrize("call", [
    lambda T: T.promote_types(T.float32, None), lambda T: T.promote_types(None, T.int8),
    lambda T: T.promote_types(T.float32, "float64"), lambda T: T.promote_types(float, int),
    lambda T: T.can_cast(T.float32, None), lambda T: T.can_cast(None, T.int8),
    lambda T: T.can_cast(float, int), lambda T: T.can_cast(T.float32, 3),
])
def test_table_argument_errors(torch, call):
    ours, theirs = outcome(leafgrad, call), outcome(torch, call)
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        assert name_of(ours) == name_of(theirs) if not isinstance(theirs, bool) else \
            ours == theirs


# -- result_type and the dtype of arithmetic ----------------------------------------------
SCALARS = {"pybool": True, "pyint": 3, "pyfloat": 1.5, "pyneg": -2, "pybig": 300}


@st.composite
def operand(draw):
    """('tensor', dtype, ndim) or ('scalar', kind)."""
    if draw(st.integers(0, 3)) == 0:
        return ("scalar", draw(st.sampled_from(sorted(SCALARS))))
    return ("tensor", draw(st.sampled_from(NAMES)), draw(st.sampled_from([0, 1, 2])))


def make(T, spec):
    if spec[0] == "scalar":
        return SCALARS[spec[1]]
    _, name, ndim = spec
    values = {0: 2, 1: [1, 3], 2: [[2, 1], [3, 2]]}[ndim]
    return T.tensor(values, dtype=getattr(T, name))


def observe(T, expr, specs):
    def run(T):
        r = expr(T, *[make(T, s) for s in specs])
        if isinstance(r, (int, float, bool)):
            return ("number", type(r).__name__, r)
        return (name_of(r.dtype), tuple(r.shape), r.detach().numpy().tolist())

    return outcome(T, run)


def check(torch, expr, specs):
    ours, theirs = observe(leafgrad, expr, specs), observe(torch, expr, specs)
    if ours[0] == "error" or theirs[0] == "error":
        assert ours == theirs, specs
        return
    assert ours[:2] == theirs[:2], specs
    np.testing.assert_allclose(np.asarray(ours[2], dtype=float), np.asarray(theirs[2], float),
                               rtol=1e-3, err_msg=str(specs))


EXPRS = {
    "add": lambda T, a, b: a + b, "sub": lambda T, a, b: a - b, "mul": lambda T, a, b: a * b,
    "div": lambda T, a, b: a / b, "floordiv": lambda T, a, b: a // b,
    "result_type": lambda T, a, b: T.result_type(a, b),
    "add_fn": lambda T, a, b: T.add(a, b) if hasattr(a, "dtype") else T.add(b, a),
}


@given(a=operand(), b=operand(), op=st.sampled_from(sorted(EXPRS)))
def test_binary_promotion(torch, a, b, op):
    expr = EXPRS[op]
    if op == "result_type":
        def expr(T, x, y):  # a dtype: observed through a tensor of that dtype
            return T.zeros(1, dtype=T.result_type(x, y))
    if a[0] == b[0] == "scalar" and op != "result_type":
        return  # plain Python arithmetic
    check(torch, expr, (a, b))


@given(a=operand(), b=operand(), c=operand(),
       op=st.sampled_from(["add_mul", "div_add", "sub_floordiv", "where", "cat"]))
def test_ternary_promotion(torch, a, b, c, op):
    exprs = {
        "add_mul": lambda T, x, y, z: (x + y) * z, "div_add": lambda T, x, y, z: x / y + z,
        "sub_floordiv": lambda T, x, y, z: (x - y) // z,
        "where": lambda T, x, y, z: T.where(T.tensor([True, False]), x, y) + z,
        "cat": lambda T, x, y, z: T.cat([T.atleast_1d(T.as_tensor(v)) for v in (x, y, z)]),
    }
    if sum(s[0] == "scalar" for s in (a, b, c)) >= 2 and op != "cat":
        return  # Python arithmetic between numbers
    check(torch, exprs[op], (a, b, c))


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("b", NAMES)
def test_tensor_pairs_all_ops(torch, a, b):
    for op in ("add", "sub", "mul", "div", "floordiv"):
        for da, db in ((1, 1), (1, 0), (0, 1), (0, 0)):
            check(torch, EXPRS[op], (("tensor", a, da), ("tensor", b, db)))


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("s", sorted(SCALARS))
def test_tensor_scalar_all_ops(torch, a, s):
    for op in ("add", "sub", "mul", "div", "floordiv", "result_type"):
        expr = EXPRS[op]
        if op == "result_type":
            def expr(T, x, y):
                return T.zeros(1, dtype=T.result_type(x, y))
        for nd in (0, 1):
            check(torch, expr, (("tensor", a, nd), ("scalar", s)))
            check(torch, expr, (("scalar", s), ("tensor", a, nd)))


def test_documented_examples(torch):
    cases = [
        lambda T: T.ones(2, dtype=T.float32) + T.tensor(1.0, dtype=T.float64),
        lambda T: T.ones(2, dtype=T.int64) + 2.5, lambda T: T.tensor(2), lambda T: T.tensor(2.0),
        lambda T: T.tensor([True]) + T.tensor([True]), lambda T: T.tensor([1, 2]) / 2,
        lambda T: T.tensor([1, 2]) / T.tensor([2, 2]), lambda T: T.tensor([True]) * 2.5,
        lambda T: T.tensor([1], dtype=T.int8) + 1000, lambda T: T.tensor([1], dtype=T.uint8) - 2,
        lambda T: T.tensor([True]) - T.tensor([True]), lambda T: -T.tensor([True]),
        lambda T: T.tensor([1], dtype=T.uint8) + T.tensor([1], dtype=T.int8),
        lambda T: T.tensor([1.0], dtype=T.float16) + T.tensor([1], dtype=T.int64),
        lambda T: T.tensor([1], dtype=T.int32) + T.tensor(1.0, dtype=T.float64),
        lambda T: T.tensor([1], dtype=T.int32) + T.tensor(1, dtype=T.int64),
        lambda T: T.tensor(1, dtype=T.int32) + T.tensor(1, dtype=T.int64),
        lambda T: T.tensor([3, 4]) // 2.5, lambda T: T.tensor([True]) // T.tensor([True]),
        lambda T: T.tensor([1, 2]) / True,
    ]
    for i, c in enumerate(cases):
        ours, theirs = outcome(leafgrad, c), outcome(torch, c)
        if isinstance(theirs, tuple):
            assert ours == theirs, i
        else:
            assert name_of(ours.dtype) == name_of(theirs.dtype), i
            np.testing.assert_allclose(ours.numpy().astype(float), theirs.numpy().astype(float))


@pytest.mark.parametrize("args", [
    lambda T: (T.tensor([1]), "a"), lambda T: (1, 2), lambda T: (1.5, True),
    lambda T: (T.tensor([1]), 2**64), lambda T: (T.tensor([1]), 2**63),
    lambda T: (T.tensor([1]), None), lambda T: (np.float64(1.5), T.tensor([1])),
    lambda T: (T.tensor([1], dtype=T.int8), np.int64(1)),
])
def test_result_type_arguments(torch, args):
    def run(T):
        return T.zeros(1, dtype=T.result_type(*args(T)))

    ours, theirs = outcome(leafgrad, run), outcome(torch, run)
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        assert name_of(ours.dtype) == name_of(theirs.dtype)


# -- finfo / iinfo --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(torch, name):
    ours, theirs = leafgrad.finfo(getattr(leafgrad, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo(torch, name):
    ours, theirs = leafgrad.iinfo(getattr(leafgrad, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "min", "max", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours) == repr(theirs)


def test_finfo_default(torch):
    assert leafgrad.finfo().dtype == torch.finfo().dtype
