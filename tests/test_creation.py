"""Tensor creation vs PyTorch: values, dtype, shape, requires_grad, and errors (type and
message) of ``tensor``, ``as_tensor``, ``from_numpy``, the filled factories, ranges,
``eye``, the random factories and the ``*_like`` family.

Each check runs one call written against a torch-shaped module ``T`` on both libraries
(``same``): either both return tensors that agree, or both raise the same exception type
with the same message (PyTorch's ``torch`` spelled ``leafgrad``).
"""

from __future__ import annotations

import array
import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad

pytestmark = pytest.mark.torch

DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
FLOATS = ("float16", "float32", "float64")


@pytest.fixture(scope="module")
def torch():
    """The oracle, module-scoped so that hypothesis tests may share it (skips without it)."""
    return pytest.importorskip("torch")


def outcome(T, fn):
    """``fn(T)``'s result, or ('error', type name, message) with torch spelled leafgrad."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(T)
    except Exception as e:  # noqa: BLE001 - any exception is an observation
        msg = str(e).replace("torch", "leafgrad")
        return ("error", type(e).__name__, msg)


def assert_tensor_like(ours, theirs, exact: bool = True, what: str = "",
                       atol: float = 1e-12) -> None:
    """A leafgrad tensor equal to a torch tensor: shape, dtype, requires_grad and values."""
    assert isinstance(ours, leafgrad.Tensor), f"{what}: expected a Tensor, got {ours!r}"
    assert tuple(ours.shape) == tuple(theirs.shape), what
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], \
        f"{what}: {ours.dtype} != {theirs.dtype}"
    assert ours.requires_grad == theirs.requires_grad, what
    a = ours.detach().numpy()
    b = theirs.detach().numpy()
    if exact or a.dtype.kind != "f":
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-6 if a.dtype == np.float64 else 1e-3,
                                   atol=atol, err_msg=what)


def same(torch, fn, exact: bool = True, values: bool = True, atol: float = 1e-12):
    """Run ``fn`` on both libraries and compare results or errors; returns leafgrad's."""
    theirs = outcome(torch, fn)
    ours = outcome(leafgrad, fn)
    if isinstance(theirs, tuple) and theirs and theirs[0] == "error":
        assert ours == theirs
        return ours
    assert not (isinstance(ours, tuple) and ours and ours[0] == "error"), \
        f"leafgrad raised {ours}, torch returned {theirs!r}"
    _compare(torch, ours, theirs, exact, values, atol)
    return ours


def _compare(torch, ours, theirs, exact, values, atol):
    if isinstance(theirs, torch.Tensor):
        if values:
            assert_tensor_like(ours, theirs, exact, atol=atol)
        else:
            assert tuple(ours.shape) == tuple(theirs.shape)
            assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
            assert ours.requires_grad == theirs.requires_grad
    elif isinstance(theirs, (tuple, list)) and not isinstance(theirs, torch.Size):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _compare(torch, a, b, exact, values, atol)
    else:
        assert ours == theirs


# -- tensor() from Python data ------------------------------------------------------------
def _scalars(kinds=("bool", "int", "float")):
    parts = []
    if "bool" in kinds:
        parts.append(st.booleans())
    if "int" in kinds:
        parts.append(st.integers(-(2**40), 2**40))
    if "float" in kinds:
        parts.append(st.floats(allow_nan=True, allow_infinity=True, width=32))
    return st.one_of(*parts)


@st.composite
def nested(draw, kinds=("bool", "int", "float"), ragged: bool = False):
    shape = draw(st.lists(st.integers(0, 3), min_size=0, max_size=3))
    leaf = _scalars(kinds)

    def build(depth):
        if depth == len(shape):
            return draw(leaf)
        n = shape[depth]
        if ragged and depth and draw(st.integers(0, 4)) == 0:
            n = max(0, n + draw(st.sampled_from([-1, 1])))
        items = [build(depth + 1) for _ in range(n)]
        return tuple(items) if draw(st.booleans()) and depth else items

    return build(0)


@given(data=nested())
def test_tensor_from_nested_python_numbers(torch, data):
    same(torch, lambda T: T.tensor(data))


@given(data=nested(ragged=True))
def test_tensor_ragged_lists_error(torch, data):
    same(torch, lambda T: T.tensor(data))


@given(data=nested(kinds=("bool", "int")),
       dtype=st.sampled_from(DTYPES))
def test_tensor_ints_with_dtype(torch, data, dtype):
    # out-of-range values: PyTorch's overflow errors
    same(torch, lambda T: T.tensor(data, dtype=getattr(T, dtype)))


@given(data=nested(kinds=("float",)), dtype=st.sampled_from(FLOATS + ("bool",)))
def test_tensor_floats_with_dtype(torch, data, dtype):
    same(torch, lambda T: T.tensor(data, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("data", [
    [], [[]], [[], []], (), [[[]]], 0, 2.5, True, -7, [1, 2.5], [True, 2], [True, 2.5],
    [[1, 2], [3, 4]], ((1, 2), (3, 4)), [(1, 2), [3, 4]], range(4), [range(2), range(2)],
    [1, [2]], [[1, 2], [3]], [[1, 2], 3], [[1], [2, 3]], "abc", [1, "a"], None, [None],
    {1: 2}, [1, 2**63], 2**63, [-(2**63)], 2**64, -(2**64), [float("nan"), float("inf")],
    [-0.0], 1e300, [1e-320],
])
def test_tensor_special_data(torch, data):
    same(torch, lambda T: T.tensor(data))


@pytest.mark.parametrize("data,dtype", [
    ([300], "uint8"), ([-1], "uint8"), ([-129], "int8"), ([128], "int8"), ([1.5, -2.7], "int32"),
    ([float("nan")], "int64"), ([float("inf")], "int16"), (1e10, "int32"), ([2, 0, -1], "bool"),
    ([0.0, 0.5, float("nan")], "bool"), ([1, 2], "float16"), (70000.0, "float16"),
    ([2**62], "float32"), ([True, False], "uint8"), (2**64 - 1, "uint8"), (2**63, "int64"),
    ([[]], "int32"), (3, "bool"),
])
def test_tensor_dtype_conversions(torch, data, dtype):
    same(torch, lambda T: T.tensor(data, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rg", [False, True])
def test_tensor_requires_grad(torch, dtype, rg):
    same(torch, lambda T: T.tensor([1, 0], dtype=getattr(T, dtype), requires_grad=rg))


@pytest.mark.parametrize("data", [3, [1, 2], True, [True]])
def test_tensor_requires_grad_integer_data(torch, data):
    same(torch, lambda T: T.tensor(data, requires_grad=True))


def test_tensor_requires_grad_error_text(torch):
    with pytest.raises(RuntimeError) as theirs:
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape(str(theirs.value))):
        leafgrad.tensor([1, 2], requires_grad=True)
    assert "Only Tensors of floating point and complex dtype can require gradients" in \
        str(theirs.value)


@pytest.mark.parametrize("bad", ["float32", 3, None.__class__])
def test_tensor_bad_dtype_argument(torch, bad):
    same(torch, lambda T: T.tensor([1.0], dtype=bad))


def test_tensor_python_types_as_dtype(torch):
    for py in (float, int, bool):
        same(torch, lambda T, py=py: T.tensor([1, 0], dtype=py))


# -- NumPy arrays and scalars ---------------------------------------------------------------
NP_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
             "bool")


@pytest.mark.parametrize("np_dtype", NP_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3)])
def test_tensor_from_numpy_array_copies(torch, np_dtype, shape):
    a = (np.arange(int(np.prod(shape))).reshape(shape) % 3).astype(np_dtype)
    ours = same(torch, lambda T: T.tensor(a))
    if a.size:
        a.reshape(-1)[0] = 1
        before = ours.numpy().reshape(-1)[0]
        a.reshape(-1)[0] = 0
        assert ours.numpy().reshape(-1)[0] == before  # tensor() copies


def test_tensor_from_noncontiguous_array(torch):
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    same(torch, lambda T: T.tensor(a))
    same(torch, lambda T: T.tensor(a.T))


@pytest.mark.parametrize("np_dtype", NP_DTYPES)
def test_tensor_from_numpy_scalar(torch, np_dtype):
    v = np.dtype(np_dtype).type(1)
    same(torch, lambda T: T.tensor(v))
    same(torch, lambda T: T.as_tensor(v))
    same(torch, lambda T: T.tensor([v, v]))
    same(torch, lambda T: T.tensor([[v], [v]]))


@pytest.mark.parametrize("a", NP_DTYPES)
@pytest.mark.parametrize("b", ("bool", "int", "float", "float16", "int8", "uint8"))
def test_tensor_lists_mixing_numpy_scalars_and_python_numbers(torch, a, b):
    x = np.dtype(a).type(1)
    y = {"bool": True, "int": 2, "float": 2.5}.get(b)
    y = np.dtype(b).type(1) if y is None else y
    same(torch, lambda T: T.tensor([x, y]))
    same(torch, lambda T: T.tensor([y, x]))


def test_numpy_bools(torch):
    # leafgrad used to raise TypeError here (numpy.bool_ has no __index__)
    same(torch, lambda T: T.as_tensor([np.bool_(True), np.bool_(False)]))
    same(torch, lambda T: T.as_tensor(np.True_))
    same(torch, lambda T: T.tensor(np.False_))
    same(torch, lambda T: T.tensor([[np.True_], [np.False_]]))
    same(torch, lambda T: T.tensor([np.True_, 2.5]))
    same(torch, lambda T: T.tensor([np.False_, 2.5], dtype=T.bool))
    same(torch, lambda T: T.tensor(np.True_, dtype=T.float32))
    same(torch, lambda T: T.tensor([np.True_, 2]))  # PyTorch refuses: an int64 store
    same(torch, lambda T: T.tensor([np.True_, np.int32(2)]))


def test_list_of_arrays_and_tensors(torch):
    same(torch, lambda T: T.tensor([np.array([1, 2]), np.array([3, 4])]))
    same(torch, lambda T: T.tensor([np.array([1.5]), [2]]))
    same(torch, lambda T: T.tensor([T.tensor(1.0), 2]))
    same(torch, lambda T: T.tensor([T.tensor([1, 2]), T.tensor([3, 4])]))
    same(torch, lambda T: T.tensor([T.tensor([1, 2]), T.tensor([3])]))


def test_tensor_of_tensor_copies_and_warns(torch):
    src = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning) as ours:
        t = leafgrad.tensor(src)
    with pytest.warns(UserWarning) as theirs:
        torch.tensor(torch.tensor([1.0, 2.0], requires_grad=True))
    assert str(ours[0].message) == str(theirs[0].message).replace("torch", "leafgrad")
    assert not t.requires_grad and t.is_leaf
    t.numpy()[0] = 5.0
    assert src.detach().numpy()[0] == 1.0


def test_unsupported_numpy_dtypes():
    for a in (np.array(["a"]), np.array([object()], dtype=object)):
        with pytest.raises(TypeError, match=r"^can't convert np\.ndarray of type numpy\.\w+\. "
                           r"The only supported types are: "):
            leafgrad.from_numpy(a)
        with pytest.raises(TypeError, match=r"^can't convert np\.ndarray"):
            leafgrad.tensor(a)


@pytest.mark.parametrize("make", [
    lambda: np.array(["a"]), lambda: np.array([object()], dtype=object),
])
def test_unsupported_numpy_dtype_message_prefix_as_torch(torch, make):
    # PyTorch supports more dtypes (uint16, complex ...): only the list of them differs.
    with pytest.raises(TypeError) as theirs:
        torch.from_numpy(make())
    with pytest.raises(TypeError) as ours:
        leafgrad.from_numpy(make())
    cut = "The only supported types are:"
    assert str(ours.value).split(cut)[0] == str(theirs.value).split(cut)[0]


# -- as_tensor / from_numpy -------------------------------------------------------------------
@pytest.mark.parametrize("np_dtype", NP_DTYPES)
def test_as_tensor_shares_numpy_memory(torch, np_dtype):
    a = np.zeros(3, np_dtype)
    same(torch, lambda T: T.as_tensor(a))
    t = leafgrad.as_tensor(a)
    a[1] = 1
    assert t.numpy()[1] == a[1]
    t.numpy()[2] = 1
    assert a[2] == 1


def test_as_tensor_copies_on_dtype_change(torch):
    a = np.zeros(3, np.float64)
    same(torch, lambda T: T.as_tensor(a, dtype=T.float32))
    t = leafgrad.as_tensor(a, dtype=leafgrad.float32)
    a[0] = 5
    assert t.numpy()[0] == 0
    u = leafgrad.as_tensor(a, dtype=leafgrad.float64)
    a[1] = 7
    assert u.numpy()[1] == 7


def test_as_tensor_of_tensor(torch):
    t = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    assert leafgrad.as_tensor(t) is t
    assert leafgrad.as_tensor(t, dtype=leafgrad.float32) is t
    u = leafgrad.as_tensor(t, dtype=leafgrad.float64)
    tt = torch.tensor([1.0, 2.0], requires_grad=True)
    uu = torch.as_tensor(tt, dtype=torch.float64)
    assert_tensor_like(u, uu)
    assert u.grad_fn.name() == uu.grad_fn.name()


@pytest.mark.parametrize("data", [[1, 2], [[1.5]], 3, 2.5, True, [], ((1, 2), (3, 4))])
@pytest.mark.parametrize("dtype", [None, "float64", "int32", "bool"])
def test_as_tensor_python_data(torch, data, dtype):
    same(torch, lambda T: T.as_tensor(data, dtype=None if dtype is None else getattr(T, dtype)))


@pytest.mark.parametrize("np_dtype", NP_DTYPES)
def test_from_numpy_shares_memory(torch, np_dtype):
    a = np.ones((2, 3), np_dtype)
    same(torch, lambda T: T.from_numpy(a))
    same(torch, lambda T: T.from_numpy(a[:, ::2]))
    t = leafgrad.from_numpy(a)
    a[0, 0] = 0
    assert t.numpy()[0, 0] == a[0, 0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)


@pytest.mark.parametrize("bad", [[1, 2], 3, (1,)])
def test_from_numpy_non_array(torch, bad):
    same(torch, lambda T: T.from_numpy(bad))


def test_from_numpy_negative_strides(torch):
    a = np.arange(4.0)[::-1]
    same(torch, lambda T: T.from_numpy(a))


def test_from_numpy_zero_dim(torch):
    same(torch, lambda T: T.from_numpy(np.array(3.5)))


# -- zeros / ones / full / empty ---------------------------------------------------------------
SIZE_FORMS = [
    lambda T, f: f(2, 3), lambda T, f: f((2, 3)), lambda T, f: f([2, 3]),
    lambda T, f: f(T.Size([2, 3])), lambda T, f: f(()), lambda T, f: f(0),
    lambda T, f: f(size=(2, 3)), lambda T, f: f(5), lambda T, f: f(2, 0, 3),
    lambda T, f: f(-1), lambda T, f: f(2, -3), lambda T, f: f((2, -1)), lambda T, f: f(2.5),
    lambda T, f: f((2, 2.5)), lambda T, f: f("a"), lambda T, f: f(None),
    lambda T, f: f(np.int64(3)), lambda T, f: f(T.tensor(3)), lambda T, f: f(True),
    lambda T, f: f((True, 2)), lambda T, f: f(2, size=(2,)), lambda T, f: f(),
    lambda T, f: f([]), lambda T, f: f(2, (3,)),
]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("form", range(len(SIZE_FORMS)))
def test_size_arguments(torch, name, form):
    same(torch, lambda T: SIZE_FORMS[form](T, getattr(T, name)),
         values=name in ("zeros", "ones"))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_filled_dtypes(torch, name, dtype):
    same(torch, lambda T: getattr(T, name)(2, 2, dtype=getattr(T, dtype)),
         values=name != "empty")
    same(torch, lambda T: getattr(T, name)(2, dtype=getattr(T, dtype), requires_grad=True),
         values=name != "empty")


@pytest.mark.parametrize("value", [
    True, False, 3, -2, 2.5, float("nan"), float("inf"), np.float32(1.5), np.int16(3),
    np.bool_(True), np.float64(2.0), 2**63, 2**64, "a", None, [1],
])
def test_full_infers_dtype(torch, value):
    same(torch, lambda T: T.full((2, 2), value))
    same(torch, lambda T: T.full((), value))


@pytest.mark.parametrize("value", [3, 2.5, -1, 300, True, float("nan"), 1e40])
@pytest.mark.parametrize("dtype", DTYPES)
def test_full_with_dtype(torch, value, dtype):
    same(torch, lambda T: T.full((3,), value, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("size", [(2, 3), [2], 3, (), (-1,), "a"])
def test_full_sizes(torch, size):
    same(torch, lambda T: T.full(size, 1.0))


def test_full_requires_grad(torch):
    same(torch, lambda T: T.full((2,), 1.0, requires_grad=True))
    same(torch, lambda T: T.full((2,), 1, requires_grad=True))


def test_default_dtype_follows_set_default_dtype(torch):
    def run(T):
        old = T.get_default_dtype()
        T.set_default_dtype(T.float64)
        try:
            return [str(x.dtype).split(".")[-1] for x in (
                T.zeros(2), T.ones(1), T.empty(1), T.full((1,), 2.0), T.tensor(2.0),
                T.tensor([1, 2.5]), T.arange(2.0), T.arange(2), T.linspace(0, 1, 3), T.eye(2),
                T.rand(2), T.randn(2), T.tensor(2), T.full((1,), 2))]
        finally:
            T.set_default_dtype(old)

    assert run(leafgrad) == run(torch)
    assert leafgrad.get_default_dtype() is leafgrad.float32


# -- arange / linspace / eye ------------------------------------------------------------------
_num = st.one_of(st.integers(-20, 20), st.floats(-20, 20, allow_nan=False).map(
    lambda v: round(v, 2)))


@given(start=_num, end=_num, step=st.one_of(
    st.integers(-5, 5), st.sampled_from([0.5, -0.5, 0.25, 1.5, -2.0, 0.1, -0.3])))
def test_arange(torch, start, end, step):
    # exact: PyTorch's kernel (SIMD groups rounded to float32, fused multiply-adds) is
    # reproduced to the last bit
    for dtype in ("float32", "float64", "float16"):
        same(torch, lambda T, dtype=dtype: T.arange(start, end, step, dtype=getattr(T, dtype)))
    same(torch, lambda T: T.arange(start, end, step))


@given(end=_num)
def test_arange_end_only(torch, end):
    same(torch, lambda T: T.arange(end))


@given(start=st.integers(-10, 10), end=st.integers(-10, 10), step=st.integers(-3, 3),
       dtype=st.sampled_from(DTYPES))
def test_arange_dtype(torch, start, end, step, dtype):
    same(torch, lambda T: T.arange(start, end, step, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("args", [
    (0, 5, 0), (5, 0, 1), (0, 5, -1), (0, float("inf")), (float("nan"),), (0.0, 1.0, 0.0),
    ("a",), (0, "b"), (None,), (1, 2, None), (np.int64(4),), (np.float32(2.5),), (True,),
    (0, 1, 0.3), (1, -1, -0.5), (-3,), (0,), (5, 5), (2.0, 3),
])
def test_arange_special(torch, args):
    same(torch, lambda T: T.arange(*args))


def test_arange_requires_grad(torch):
    same(torch, lambda T: T.arange(3.0, requires_grad=True))
    same(torch, lambda T: T.arange(3, requires_grad=True))


@given(start=_num, end=_num, steps=st.integers(0, 70), dtype=st.sampled_from(DTYPES))
def test_linspace(torch, start, end, steps, dtype):
    same(torch, lambda T: T.linspace(start, end, steps, dtype=getattr(T, dtype)))


def test_range_kernels_long(torch):
    # beyond the SIMD-group boundaries and PyTorch's examples of rounding
    for args in ((-1, 1, 0.1), (0, 10, 0.01), (-3.3, 7.7, 0.37), (100.5, -3, -0.77)):
        for dtype in ("float16", "float32", "float64"):
            same(torch, lambda T, a=args, d=dtype: T.arange(*a, dtype=getattr(T, d)))
            same(torch, lambda T, a=args, d=dtype: T.linspace(a[0], a[1], 301,
                                                               dtype=getattr(T, d)))
    same(torch, lambda T: T.linspace(-4, 12, 11, dtype=T.int64))


@pytest.mark.parametrize("args", [
    (0, 1, 5), (0, 1, 1), (0, 1, 0), (0, 1, -1), (0, 1), (1, 0, 4), (0, 1, 2.5),
    ("a", 1, 3), (np.float32(0.5), 2, 3),
])
def test_linspace_special(torch, args):
    same(torch, lambda T: T.linspace(*args))


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (0, 3), (-1,), (2, -1), (1, 1)])
@pytest.mark.parametrize("dtype", [None, "int64", "bool", "float64"])
def test_eye(torch, args, dtype):
    same(torch, lambda T: T.eye(*args, dtype=None if dtype is None else getattr(T, dtype)))
    same(torch, lambda T: T.eye(*args, requires_grad=True))


@pytest.mark.parametrize("args", [(2.5,), (2, "a"), ("a",), (2, 2.5), (np.int64(2),)])
def test_eye_argument_errors(torch, args):
    same(torch, lambda T: T.eye(*args))


@pytest.mark.xfail(strict=True, reason="known gap: a keyword passed explicitly at its default "
                   "(dtype=None) counts for PyTorch's argument parser; leafgrad cannot see it")
def test_eye_argument_errors_with_default_keywords(torch):
    same(torch, lambda T: T.eye(2.5, dtype=None))


@pytest.mark.parametrize("call", [
    lambda T: T.eye(2.5, dtype=T.int64), lambda T: T.eye(2, "a", requires_grad=True),
    lambda T: T.eye("a", 2), lambda T: T.eye(3, device="cpu", dtype=T.float64),
    lambda T: T.eye(2.5, device=T.device("cpu")), lambda T: T.eye(2.5, layout=T.strided),
    lambda T: T.randint(10, 3, dtype=T.int8), lambda T: T.randint(10, dtype=T.int8),
    lambda T: T.randint(2.5, (2,), dtype=T.int8), lambda T: T.randint(1, 2.5, (2,)),
    lambda T: T.randint(1, 2.5, (2,), dtype=T.int8), lambda T: T.randint(high=5, size=3),
    lambda T: T.randint(high=5, size=3, dtype=T.int8), lambda T: T.randint(1, 5, 3),
    lambda T: T.arange("a", dtype=T.float64), lambda T: T.arange(0, "a", dtype=T.float64),
    lambda T: T.arange(0, "a", 2, requires_grad=True),
    lambda T: T.linspace(0, "a", 3, dtype=T.float64),
    lambda T: T.linspace(0, 1, 2.5, requires_grad=True),
    lambda T: T.rand(2, foo=1), lambda T: T.randn(2, 3, foo=1, bar=2),
])
def test_argument_errors_with_keywords(torch, call):
    # several signatures fit the argument count: PyTorch lists them and the keywords given
    same(torch, call, values=False)


# -- random -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_rand_randn_dtypes(torch, dtype):
    for name in ("rand", "randn"):
        same(torch, lambda T, name=name: getattr(T, name)(3, 2, dtype=getattr(T, dtype)),
             values=False)


def test_rand_range_and_moments():
    leafgrad.manual_seed(0)
    for d in (leafgrad.float16, leafgrad.float32, leafgrad.float64):
        a = leafgrad.rand(20000, dtype=d).numpy().astype(np.float64)
        assert a.min() >= 0 and a.max() < 1
        assert abs(a.mean() - 0.5) < 0.02
        b = leafgrad.randn(20000, dtype=d).numpy().astype(np.float64)
        assert abs(b.mean()) < 0.05 and abs(b.std() - 1) < 0.05


@pytest.mark.parametrize("args", [(10, 3), (10,), (2.5, (2,)), (), (1, 2, 3, 4), (1, 2, (2,), 5),
                                  ("a", (2,))])
def test_randint_argument_errors(torch, args):
    same(torch, lambda T: T.randint(*args))


@pytest.mark.parametrize("args", [
    (10, (3,)), (2, 5, (2, 2)), (3, ()), (0, (2,)), (5, 2, (2,)), (-3, 3, (50,)), (1, (0,)),
    (0, 2, (4,)), (0, 300, (2,)), (-1, 10, (2,)), (300, 400, (2,)), (0, 256, (3,)), (2, 5, (1,)),
    (-200, 10, (2,)), (0, 129, (2,)), (0, 2**60, (2,)), (-(2**60), 0, (2,)),
])
@pytest.mark.parametrize("dtype", [None, "int8", "uint8", "bool", "float16", "float32", "int32"])
def test_randint(torch, args, dtype):
    kw = {} if dtype is None else {"dtype": dtype}

    def run(T):
        out = T.randint(*args, **{k: getattr(T, v) for k, v in kw.items()})
        return out

    same(torch, run, values=False)
    r = outcome(leafgrad, run)
    if isinstance(r, leafgrad.Tensor) and r.numel():
        lo, hi = (0, args[0]) if len(args) == 2 else args[:2]
        v = r.numpy().astype(np.int64)
        assert v.min() >= lo and v.max() < hi


def test_randint_covers_range():
    leafgrad.manual_seed(1)
    v = leafgrad.randint(-2, 3, (2000,)).numpy()
    assert set(np.unique(v).tolist()) == {-2, -1, 0, 1, 2}


@pytest.mark.parametrize("call", [
    lambda T: T.normal(0.0, 1.0, (3, 2)), lambda T: T.normal(T.zeros(3), 1.0),
    lambda T: T.normal(0.0, T.ones(2, 2)), lambda T: T.normal(T.zeros(2, 1), T.ones(3)),
    lambda T: T.normal(2, 3, size=(4,)), lambda T: T.normal(0.0, -1.0, (2,)),
    lambda T: T.normal(T.zeros(2), -1.0), lambda T: T.normal(0.0, 1.0),
    lambda T: T.normal(T.zeros(2), T.ones(3)), lambda T: T.normal(0.0, 1.0, (2,),
                                                                  dtype=T.float64),
    lambda T: T.normal(0.0, 1.0, (2,), dtype=T.int64),
    lambda T: T.normal(T.zeros(2, dtype=T.int64), 1.0),
    lambda T: T.normal(T.zeros(2, dtype=T.float64), T.ones(2)),
    lambda T: T.normal(T.zeros(2, requires_grad=True), 1.0),
    # empty results skip the sampling kernel's dtype check (not rand's bounds check)
    lambda T: T.normal(0.0, 1.0, (0,), dtype=T.int64), lambda T: T.randn(0, 2, dtype=T.int64),
    lambda T: T.normal(T.zeros(0, dtype=T.int64), 1.0), lambda T: T.rand(0, dtype=T.int64),
    lambda T: T.bernoulli(T.zeros(0, dtype=T.int64)), lambda T: T.bernoulli(T.zeros(2)),
    lambda T: T.bernoulli(T.zeros(2, dtype=T.int64)),
    lambda T: T.randn(2, dtype=T.int64, requires_grad=True),
    lambda T: T.rand_like(T.ones(0), dtype=T.int64),
])
def test_normal_forms(torch, call):
    same(torch, call, values=False)


def test_normal_statistics():
    leafgrad.manual_seed(2)
    x = leafgrad.normal(3.0, 2.0, (20000,)).numpy()
    assert abs(x.mean() - 3) < 0.1 and abs(x.std() - 2) < 0.1
    y = leafgrad.normal(leafgrad.full((20000,), -1.0), 0.5).numpy()
    assert abs(y.mean() + 1) < 0.05 and abs(y.std() - 0.5) < 0.05


@pytest.mark.parametrize("name,args", [
    ("rand", (3, 4)), ("randn", (5,)), ("randint", (0, 9, (6,))), ("randperm", (7,)),
    ("normal", (0.0, 1.0, (4,))),
])
def test_manual_seed_reproducible(name, args):
    fn = getattr(leafgrad, name)
    leafgrad.manual_seed(123)
    a = fn(*args).numpy().copy()
    b = fn(*args).numpy().copy()
    leafgrad.manual_seed(123)
    c = fn(*args).numpy()
    np.testing.assert_array_equal(a, c)
    if a.size > 4:
        assert not np.array_equal(a, b)
    g1 = leafgrad.Generator().manual_seed(5)
    g2 = leafgrad.Generator().manual_seed(5)
    np.testing.assert_array_equal(fn(*args, generator=g1).numpy(),
                                  fn(*args, generator=g2).numpy())


def test_manual_seed_returns_generator(torch):
    assert isinstance(leafgrad.manual_seed(0), leafgrad.Generator)
    assert isinstance(torch.manual_seed(0), torch.Generator)
    assert leafgrad.initial_seed() == 0


def test_rng_state_roundtrip():
    leafgrad.manual_seed(7)
    state = leafgrad.get_rng_state()
    a = leafgrad.rand(5).numpy().copy()
    leafgrad.set_rng_state(state)
    np.testing.assert_array_equal(a, leafgrad.rand(5).numpy())
    assert state.dtype is leafgrad.uint8


def test_randperm(torch):
    leafgrad.manual_seed(3)
    p = leafgrad.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype is leafgrad.int64
    same(torch, lambda T: T.randperm(0), values=True)
    same(torch, lambda T: T.randperm(-1))
    same(torch, lambda T: T.randperm(4, dtype=T.bool))
    same(torch, lambda T: T.randperm(4, dtype=T.float64), values=False)


# -- *_like ----------------------------------------------------------------------------------
LIKE_SOURCES = [
    lambda T: T.zeros(2, 3), lambda T: T.zeros((), dtype=T.int32), lambda T: T.ones(0, 2),
    lambda T: T.ones(2, dtype=T.bool), lambda T: T.ones(3, dtype=T.float64, requires_grad=True),
    lambda T: T.ones(4, 2).t(),
]


@pytest.mark.parametrize("src", range(len(LIKE_SOURCES)))
@pytest.mark.parametrize("dtype", [None, "float64", "int64", "bool"])
@pytest.mark.parametrize("rg", [False, True])
def test_like(torch, src, dtype, rg):
    def kw(T):
        out = {"requires_grad": rg}
        if dtype is not None:
            out["dtype"] = getattr(T, dtype)
        return out

    for name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        same(torch, lambda T, name=name: getattr(T, name)(LIKE_SOURCES[src](T), **kw(T)),
             values=name in ("zeros_like", "ones_like"))
    same(torch, lambda T: T.full_like(LIKE_SOURCES[src](T), 7, **kw(T)))
    same(torch, lambda T: T.full_like(LIKE_SOURCES[src](T), 2.5, **kw(T)))
    same(torch, lambda T: T.randint_like(LIKE_SOURCES[src](T), 5, **kw(T)), values=False)
    same(torch, lambda T: T.randint_like(LIKE_SOURCES[src](T), 2, 5, **kw(T)), values=False)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like"])
def test_like_non_tensor(torch, name):
    same(torch, lambda T: getattr(T, name)([1, 2]))


def test_like_result_is_a_fresh_leaf(torch):
    x = leafgrad.ones(2, requires_grad=True) * 2
    z = leafgrad.zeros_like(x)
    assert z.is_leaf and not z.requires_grad and z.grad_fn is None


@given(start=st.floats(-3, 3).map(lambda v: round(v, 2)), end=st.floats(-3, 3).map(
    lambda v: round(v, 2)), steps=st.integers(0, 40), base=st.sampled_from([10.0, 2.0, 1.5]),
       dtype=st.sampled_from(("float64", "int64", "float32", "float16")))
def test_logspace(torch, start, end, steps, base, dtype):
    # exact: PyTorch's exponents (the start-end difference rounded in the dtype) and C's pow
    same(torch, lambda T: T.logspace(start, end, steps, base=base, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("args", [(300, 400, 5), (-1, 2, 4, -2.0), (-2, 2, 3, 0.0), (0, 1, 1),
                                  (0, 1, 0), (0, 1, -1), (1, 2, 2, "a")])
def test_logspace_special(torch, args):
    if "a" not in args:  # (keyword arguments change PyTorch's argument-error text: a gap)
        same(torch, lambda T: T.logspace(*args, dtype=T.float64))
    same(torch, lambda T: T.logspace(*args))


# -- out= and keyword arguments -----------------------------------------------------------
def _rg_out(T):
    return T.ones(3, requires_grad=True)


@pytest.mark.parametrize("call", [
    lambda T: T.zeros(3, out=_rg_out(T)), lambda T: T.ones(3, out=_rg_out(T)),
    lambda T: T.empty(3, out=_rg_out(T)), lambda T: T.full((3,), 1.0, out=_rg_out(T)),
    lambda T: T.arange(3, out=_rg_out(T)), lambda T: T.eye(3, out=_rg_out(T)),
    lambda T: T.linspace(0, 1, 3, out=_rg_out(T)), lambda T: T.logspace(0, 1, 3, out=_rg_out(T)),
    lambda T: T.rand(3, out=_rg_out(T)), lambda T: T.randn(3, out=_rg_out(T)),
    lambda T: T.randint(3, (3,), out=_rg_out(T)), lambda T: T.randperm(3, out=_rg_out(T)),
    lambda T: T.normal(0.0, 1.0, (3,), out=_rg_out(T)),
    lambda T: T.normal(T.zeros(3), 1.0, out=_rg_out(T)),
    lambda T: T.bernoulli(T.zeros(3), out=_rg_out(T)),
    lambda T: (lambda o: (T.arange(3, out=o), o))(T.zeros(5)),
    lambda T: (lambda o: (T.zeros(3, out=o), o))(T.ones(5, dtype=T.int64)),
    lambda T: (lambda o: T.full((2,), 7, out=o))(T.zeros(2)),
    lambda T: (lambda o: (T.eye(2, out=o), o))(T.zeros(1)),
    lambda T: (lambda o: (T.linspace(0, 1, 3, out=o), o))(T.zeros(3, dtype=T.float64)),
    lambda T: (lambda o: T.ones(2, 2, out=o) is o)(T.zeros(4)),
])
def test_out_argument(torch, call):
    same(torch, call)


@pytest.mark.parametrize("call", [
    lambda T: T.zeros(2, foo=1), lambda T: T.ones(2, foo=1), lambda T: T.empty(2, foo=1),
    lambda T: T.zeros((2,), foo=1, bar=2), lambda T: T.rand(2, foo=1),
    lambda T: T.randn(2, 3, foo=1), lambda T: T.ones(2).new_zeros(2, foo=1),
    lambda T: T.zeros(2**62, 2**62), lambda T: T.empty(2**40, 2**40, dtype=T.uint8),
    lambda T: T.tensor(1.0, device="cpu"), lambda T: T.zeros(1, device=T.device("cpu")),
    lambda T: T.tensor(1.0, device="foo"), lambda T: T.zeros(2, dtype="float32"),
])
def test_keyword_arguments(torch, call):
    same(torch, call)


@pytest.mark.parametrize("call", [
    lambda T: T.asarray([1, 2]), lambda T: T.asarray([1, 2], copy=False),
    lambda T: T.asarray(np.zeros(2), dtype=T.float32, copy=False),
    lambda T: T.asarray(T.ones(2, requires_grad=True)),
    lambda T: T.asarray(np.zeros(2), dtype=T.float32), lambda T: T.asarray(3.5),
    lambda T: (T.scalar_tensor(3), T.scalar_tensor(True), T.scalar_tensor(2, dtype=T.int64)),
    lambda T: T.randint(low=2, high=5, size=(3,)).shape, lambda T: T.randint(high=5, size=(3,)),
    lambda T: T.full((2,), T.tensor(3)), lambda T: T.full((2,), T.tensor([3])),
    lambda T: T.zeros(T.Size([2])), lambda T: T.zeros(np.array([2, 3])),
    lambda T: T.zeros(T.tensor([2, 3])), lambda T: T.zeros([np.int64(2), 3]),
])
def test_misc_factories(torch, call):
    same(torch, call, values=False)


def test_asarray_memory():
    a = np.zeros(2)
    leafgrad.asarray(a).numpy()[0] = 1
    assert a[0] == 1
    leafgrad.asarray(a, copy=True).numpy()[1] = 1
    assert a[1] == 0


FILL_VALUES = [True, 0, -1, 255, 256, -129, 2**31, 2**63 - 1, -(2**63), 2**63, 2**64 - 1, 2**64,
               0.5, -0.5, 1e5, 65504.0, 65520.0, 3.5e38, 1e39, float("nan"), float("inf"),
               np.float32(2.5), np.int8(-3), np.uint8(200), np.bool_(True), np.float16(1.5),
               np.int64(2**40)]


@pytest.mark.parametrize("value", FILL_VALUES, ids=repr)
@pytest.mark.parametrize("fn", ["full", "full_like", "scalar_tensor", "new_full"])
def test_fill_value_conversion(torch, value, fn):
    # PyTorch's checked Scalar conversions (overflow errors, unsigned wrap-around), and the
    # unchecked one of scalar_tensor to half
    calls = {
        "full": lambda T, D: T.full((2,), value, dtype=D),
        "full_like": lambda T, D: T.full_like(T.zeros(2, dtype=D or T.float32), value),
        "scalar_tensor": lambda T, D: T.scalar_tensor(value, dtype=D),
        "new_full": lambda T, D: T.zeros(1, dtype=D or T.int64).new_full((2,), value),
    }
    for dtype in (None,) + DTYPES:
        same(torch, lambda T, dtype=dtype: calls[fn](T, None if dtype is None else
                                                      getattr(T, dtype)))


@pytest.mark.parametrize("seed", ["3", 3.5, np.int64(3), True, 2**64, -(2**63) - 1, 2**64 - 1,
                                  -1, 0], ids=repr)
def test_manual_seed_arguments(torch, seed):
    same(torch, lambda T: T.manual_seed(seed).initial_seed())
    same(torch, lambda T: T.Generator().manual_seed(seed).initial_seed())
    same(torch, lambda T: T.Generator().manual_seed(T.tensor(3)))


@pytest.mark.parametrize("call", [
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.int16),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03"), dtype=T.int16),
    lambda T: T.frombuffer(bytearray(b""), dtype=T.int16),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.uint8, count=2, offset=1),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.uint8, count=5),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.uint8, offset=4),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.uint8, offset=-1),
    lambda T: T.frombuffer(b"\x01\x02", dtype=T.uint8),
    lambda T: T.frombuffer([1, 2], dtype=T.uint8),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.float32, requires_grad=True),
    lambda T: T.frombuffer(bytearray(4)),
    lambda T: T.frombuffer(array.array("d", [1.5, -2.0]), dtype=T.float64),
    lambda T: T.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=T.uint8, count=0),
])
def test_frombuffer(torch, call):
    same(torch, call)


def test_frombuffer_shares_memory():
    buf = bytearray(b"\x01\x02")
    t = leafgrad.frombuffer(buf, dtype=leafgrad.uint8)
    buf[0] = 9
    assert t.tolist() == [9, 2]
    t.numpy()[1] = 7
    assert buf[1] == 7


@pytest.mark.parametrize("src", [
    lambda T: T.ones(3, 1).expand(3, 4), lambda T: T.ones(3, 1).expand(3, 4).t(),
    lambda T: T.ones(2, 3, 4).permute(2, 0, 1), lambda T: T.ones(4, 6)[:, ::2],
    lambda T: T.ones(2, 3).t(), lambda T: T.ones(2, 1, 3).permute(2, 1, 0),
    lambda T: T.ones(2, 3, 4)[:, 1:],
])
@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "full_like",
                                  "rand_like", "randn_like", "randint_like"])
def test_like_preserves_dense_layouts(torch, src, name):
    # PyTorch's preserve_format: a dense input's strides are kept; otherwise contiguous
    def run(T):
        args = (src(T), 2.0) if name == "full_like" else (src(T), 5) if \
            name == "randint_like" else (src(T),)
        out = getattr(T, name)(*args)
        return out.stride(), out.is_contiguous(), tuple(out.shape)

    same(torch, run)


@pytest.mark.parametrize("call", [
    lambda T: T.randint_like(T.ones(2), 2.0), lambda T: T.randint_like(T.ones(2), 1, 2.5),
    lambda T: T.randint_like(T.ones(2), "a"), lambda T: T.randint_like([1], 2),
    lambda T: T.randint_like(T.ones(3), T.tensor(5)),
    lambda T: T.randint_like(T.ones(3), T.tensor([5, 6, 7])),
    lambda T: T.randint_like(T.ones(3), T.tensor(5.5)), lambda T: T.randint_like(T.ones(3), 0),
    lambda T: T.randint_like(T.ones(3), 2, 1), lambda T: T.randint_like(T.ones(3), np.int64(4)),
    lambda T: T.randint_like(T.ones(3), True),
])
def test_randint_like_arguments(torch, call):
    same(torch, call, values=False)


@pytest.mark.parametrize("fmt", ["contiguous_format", "preserve_format"])
@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like",
                                  "randn_like"])
def test_like_memory_format(torch, fmt, name):
    same(torch, lambda T: getattr(T, name)(T.ones(2, 3).t(),
                                           memory_format=getattr(T, fmt)).stride())
