"""The Tensor API vs PyTorch: metadata, conversions to Python and NumPy, casts, autograd
attributes (requires_grad, detach, data, grad, is_leaf, retain_grad, _version, _base),
DLPack, and a few reprs.

Each scenario is written once against a torch-shaped module ``T``; ``same`` runs it on
both libraries and compares the observation (tensors by dtype, shape, values and
requires_grad; exceptions by type and message, PyTorch's ``torch`` read as ``leafgrad``).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad

pytestmark = pytest.mark.torch

DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


@pytest.fixture(scope="module")
def torch():
    """The oracle, module-scoped so that hypothesis tests may share it (skips without it)."""
    return pytest.importorskip("torch")


def observe(value):
    """A library-neutral picture of a result."""
    if isinstance(value, (leafgrad.Tensor,)) or type(value).__name__ == "Tensor":
        return ("tensor", str(value.dtype).split(".")[-1], tuple(value.shape),
                value.detach().tolist(), value.requires_grad)
    if isinstance(value, (leafgrad.dtype,)) or type(value).__name__ == "dtype":
        return ("dtype", str(value).split(".")[-1])
    if type(value).__name__ == "Size":
        return ("size", tuple(value))
    if type(value).__name__ == "device":
        return ("device", str(value))
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [observe(v) for v in value]
    if isinstance(value, str):
        return value.replace("torch", "leafgrad")
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.name, value.tolist())
    return value


def outcome(T, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return observe(fn(T))
    except Exception as e:  # noqa: BLE001 - any exception is an observation
        return ("error", type(e).__name__, str(e).replace("torch", "leafgrad"))


def same(torch, fn):
    theirs = outcome(torch, fn)
    ours = outcome(leafgrad, fn)
    assert ours == theirs
    return ours


# -- metadata -----------------------------------------------------------------------------
@st.composite
def shapes(draw):
    return tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))


@given(shape=shapes(), dtype=st.sampled_from(DTYPES), data=st.data())
def test_metadata(torch, shape, dtype, data):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))

    def meta(T):
        x = T.zeros(shape, dtype=getattr(T, dtype))
        return (x.shape, x.size(), x.dim(), x.ndim, x.numel(), x.dtype, x.device,
                x.is_floating_point(), x.is_signed(), x.element_size(), x.nbytes, x.itemsize,
                x.stride(), x.is_contiguous(), x.get_device(), x.is_cuda, x.is_leaf,
                x.requires_grad, x.grad_fn, x.layout == T.strided, x.ndimension(),
                x.nelement(), T.numel(x), x.storage_offset(), x.is_complex())

    same(torch, meta)
    same(torch, lambda T: T.zeros(shape).size(dim))
    same(torch, lambda T: T.zeros(shape).stride(dim))
    same(torch, lambda T: len(T.zeros(shape)))


@pytest.mark.parametrize("call", [
    lambda T: T.zeros(2, 3).size(True), lambda T: T.zeros(2, 3).size("a"),
    lambda T: T.zeros(2, 3).size(np.int64(1)), lambda T: T.zeros(2, 3).size(-3),
    lambda T: T.zeros(2, 3).t().stride(), lambda T: T.zeros(2, 3)[:, ::2].stride(),
    lambda T: T.zeros(2, 3)[:, ::2].is_contiguous(), lambda T: T.zeros(2, 1).t().is_contiguous(),
    lambda T: T.zeros(4)[1:].storage_offset(), lambda T: repr(T.zeros(2, 3).shape),
    lambda T: repr(T.Size([2, 3])[1:]), lambda T: T.Size([2]) + (3,),
    lambda T: repr(T.Size([2]) + T.Size([3])), lambda T: repr(T.Size(())),
    lambda T: str(T.Size([1])), lambda T: T.Size([2, 3]).numel(),
    lambda T: (repr(T.zeros(1).device), str(T.zeros(1).device)),
    lambda T: T.zeros(1).device == T.device("cpu"),
])
def test_metadata_special(torch, call):
    same(torch, call)


# -- transposes ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("attr", ["T", "mT", "mH", "H"])
def test_transpose_properties(torch, shape, attr):
    def run(T):
        x = T.arange(float(np.prod(shape))).reshape(shape).requires_grad_()
        y = getattr(x, attr)
        return y, y.grad_fn.name() if y.grad_fn is not None else None, y._base is x

    same(torch, run)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
@pytest.mark.parametrize("attr", ["T", "mT", "mH", "H"])
def test_transpose_property_warnings(torch, shape, attr):
    def warned(T):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                getattr(T.zeros(shape), attr)
            except RuntimeError:
                pass
        return [str(m.message).split(" (Triggered internally")[0].replace("torch", "leafgrad")
                for m in w]

    # PyTorch warns once per process (TORCH_WARN_ONCE): compare the texts when it did
    theirs, ours = warned(torch), warned(leafgrad)
    if theirs:
        assert ours == theirs
    expected = shape == () or (attr == "T" and len(shape) != 2)
    assert bool(ours) == expected


# -- Python conversions -------------------------------------------------------------------
CONVERSIONS = {
    "len0": lambda T: len(T.tensor(1.0)),
    "iter0": lambda T: iter(T.tensor(1.0)),
    "iter": lambda T: [x for x in T.tensor([[1, 2], [3, 4]])],
    "iter_grad": lambda T: [x.grad_fn.name() for x in T.ones(2, 2, requires_grad=True)],
    "bool_many": lambda T: bool(T.tensor([1, 2])),
    "bool_none": lambda T: bool(T.tensor([])),
    "bool_one": lambda T: (bool(T.tensor([[0.0]])), bool(T.tensor([2])), bool(T.tensor(-0.0))),
    "bool_nan": lambda T: bool(T.tensor(float("nan"))),
    "if": lambda T: "yes" if T.tensor([1, 1]) else "no",
    "index_float": lambda T: [1, 2, 3][T.tensor(1.0)],
    "index_int": lambda T: [1, 2, 3][T.tensor(1)],
    "index_int8": lambda T: [1, 2, 3][T.tensor([2], dtype=T.int8)],
    "index_bool": lambda T: [1, 2, 3][T.tensor(True)],
    "index_two": lambda T: [1, 2, 3][T.tensor([1, 2])],
    "range": lambda T: list(range(T.tensor(3))),
    "hex": lambda T: hex(T.tensor(255)),
    "int_float": lambda T: (int(T.tensor(2.7)), int(T.tensor(-2.7)), int(T.tensor([[3]]))),
    "int_many": lambda T: int(T.tensor([2.7, 1])),
    "int_nan": lambda T: int(T.tensor(float("nan"))),
    "int_inf": lambda T: int(T.tensor(float("inf"))),
    "int_bool": lambda T: int(T.tensor(True)),
    "float_int": lambda T: float(T.tensor([3])),
    "float_many": lambda T: float(T.tensor([3, 4])),
    "float_empty": lambda T: float(T.tensor([])),
    "float_rg": lambda T: float(T.tensor(2.0, requires_grad=True)),
    "complex": lambda T: complex(T.tensor(2.0)),
    "item_many": lambda T: T.tensor([1, 2]).item(),
    "item_empty": lambda T: T.tensor([]).item(),
    "item_rg": lambda T: T.tensor([2.0], requires_grad=True).item(),
    "item_types": lambda T: [type(T.tensor(1, dtype=getattr(T, d)).item()).__name__
                             for d in DTYPES],
    "item_values": lambda T: [T.tensor(0.1, dtype=getattr(T, d)).item() for d in
                              ("float16", "float32", "float64")],
    "item_big": lambda T: T.tensor(2**62).item(),
    "tolist_rg": lambda T: T.tensor([[1.5]], requires_grad=True).tolist(),
    "tolist_0d": lambda T: T.tensor(1.5).tolist(),
    "tolist_types": lambda T: [type(T.ones(1, dtype=getattr(T, d)).tolist()[0]).__name__
                               for d in DTYPES],
    "tolist_f16": lambda T: T.tensor([0.1], dtype=T.float16).tolist(),
    "tolist_f32": lambda T: T.tensor([0.1, 1e-8]).tolist(),
    "tolist_empty": lambda T: T.zeros(2, 0).tolist(),
    "format_0d": lambda T: f"{T.tensor(2.5):.3f}",
    "format_1d": lambda T: f"{T.tensor([2.5]):.3f}",
    "format_plain": lambda T: f"{T.tensor(2.5)}",
    "hash": lambda T: (lambda x: hash(x) == hash(x))(T.ones(1)),
    "is_tensor": lambda T: (T.is_tensor(T.ones(1)), T.is_tensor([1])),
    "in_dict": lambda T: (lambda x: {x: 1}[x])(T.ones(2)),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_python_conversions(torch, name):
    same(torch, CONVERSIONS[name])


@given(dtype=st.sampled_from(DTYPES), value=st.one_of(
    st.integers(-100, 100), st.floats(-1e4, 1e4, allow_nan=False), st.booleans()))
def test_item_and_tolist(torch, dtype, value):
    same(torch, lambda T: (lambda x: (x.item(), x.tolist(), x.reshape(1).tolist(),
                                      bool(x), float(x)))(
        T.tensor(value).to(getattr(T, dtype))))


# -- NumPy --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_shares_memory(torch, dtype):
    same(torch, lambda T: T.ones(2, 3, dtype=getattr(T, dtype)).numpy())
    x = leafgrad.zeros(3, dtype=getattr(leafgrad, dtype))
    a = x.numpy()
    assert a.dtype == np.dtype(dtype)
    a[1] = 1
    assert x.tolist()[1] == a[1]
    x.numpy()[2] = 1
    assert a[2] == 1
    v = x[1:]
    assert np.shares_memory(v.numpy(), a)


@pytest.mark.parametrize("call", [
    lambda T: T.tensor([1.0], requires_grad=True).numpy(),
    lambda T: T.tensor([1.0], requires_grad=True).numpy(force=True),
    lambda T: (T.tensor([1.0], requires_grad=True) * 2).numpy(),
    lambda T: T.tensor([1.0], requires_grad=True).detach().numpy(),
    lambda T: np.asarray(T.tensor([1.0, 2.0])),
    lambda T: np.asarray(T.tensor([1.0, 2.0], requires_grad=True)),
    lambda T: np.asarray(T.tensor([1.0, 2.0]), dtype=np.int32),
    lambda T: np.array(T.tensor([[1, 2]])),
    lambda T: np.float64(2) * T.tensor([1.0]),
    lambda T: T.tensor(3.5).numpy(),
    lambda T: T.ones(2, 3).t().numpy(),
    # NumPy ufuncs on tensors give tensors (__array_wrap__; bool results as uint8)
    lambda T: np.sin(T.tensor([1.0, 2.0])), lambda T: np.add(T.tensor([1.0]), 1),
    lambda T: np.greater(T.tensor([1.0, 2.0]), 1), lambda T: np.sin(T.tensor(1.0)),
    lambda T: np.add(T.tensor([1, 2], dtype=T.int8), 1),
    lambda T: np.sqrt(T.tensor([4.0], dtype=T.float64)),
    lambda T: np.sin(T.tensor([1.0, 2.0, 3.0])[::2]),
    lambda T: np.maximum(T.tensor([1.0]), T.tensor([2.0])),
    lambda T: np.isfinite(T.tensor([1.0])), lambda T: np.exp(T.tensor([1.0], requires_grad=True)),
])
def test_numpy_conversions(torch, call):
    same(torch, call)


def test_array_protocol_shares_memory():
    x = leafgrad.zeros(3)
    a = np.asarray(x)
    a[0] = 4
    assert x.tolist()[0] == 4


# -- casts --------------------------------------------------------------------------------
CASTS = ("float", "double", "half", "int", "long", "bool", "short", "char", "byte")


@given(values=st.lists(st.floats(-300, 300, allow_nan=False), min_size=0, max_size=5),
       src=st.sampled_from(DTYPES), method=st.sampled_from(CASTS))
def test_cast_methods(torch, values, src, method):
    same(torch, lambda T: getattr(T.tensor(values).to(getattr(T, src)), method)())


@pytest.mark.parametrize("call", [
    lambda T: T.tensor([0.5, 0.0, float("nan"), -0.0]).bool(),
    lambda T: T.tensor([2.7, -2.7, 0.5]).int(), lambda T: T.tensor([-1, 300]).byte(),
    lambda T: T.tensor([-129, 200]).char(), lambda T: T.tensor([1e5]).half(),
    lambda T: T.tensor([True, False]).float(),
])
def test_cast_values(torch, call):
    same(torch, call)


TO_CALLS = {
    "same": lambda T: (lambda x: x.to(T.float32) is x)(T.ones(2)),
    "copy": lambda T: (lambda x: (x.to(T.float32, copy=True) is x,
                                  x.to(T.float32, copy=True).grad_fn.name()))(
        T.ones(2, requires_grad=True)),
    "other": lambda T: T.ones(2).to(T.zeros(1, dtype=T.int32)),
    "cpu": lambda T: (lambda x: x.to("cpu") is x)(T.ones(2)),
    "cpu_dtype": lambda T: T.ones(2).to("cpu", T.float64),
    "device_obj": lambda T: T.ones(2).to(T.device("cpu")),
    "device_kw": lambda T: T.ones(2).to(device="cpu", dtype=T.int8),
    "bad_string": lambda T: T.ones(2).to("foo"),
    "dtype_kw": lambda T: T.ones(2).to(dtype=T.int64),
    "bad_number": lambda T: T.ones(2).to(3),
    "nothing": lambda T: (lambda x: x.to() is x)(T.ones(2)),
    "python_type": lambda T: T.ones(2).to(int),
    "grad": lambda T: (lambda x: (x.to(T.float64).grad_fn.name(),
                                  x.to(T.float64).requires_grad, x.to(T.int64).requires_grad))(
        T.ones(2, requires_grad=True)),
    "non_blocking": lambda T: T.ones(2).to(T.float64, non_blocking=True),
    "cpu_method": lambda T: (lambda x: x.cpu() is x)(T.ones(1)),
    "type_none": lambda T: T.ones(2).type(),
    "type_names": lambda T: [T.ones(1, dtype=getattr(T, d)).type() for d in DTYPES],
    "type_dtype": lambda T: T.ones(2).type(T.int64),
    "type_same": lambda T: (lambda x: x.type(T.float32) is x)(T.ones(2)),
    "type_string": lambda T: T.ones(2).type("torch.IntTensor".replace(
        "torch", T.__name__)),
    "type_class": lambda T: T.ones(2).type(T.DoubleTensor),
    "type_bad": lambda T: T.ones(2).type("foo"),
    "type_bad_class": lambda T: T.ones(2).type(f"{T.__name__}.Foo"),
    "type_as": lambda T: T.ones(2).type_as(T.zeros(1, dtype=T.int8)),
    "type_as_same": lambda T: (lambda x: x.type_as(T.zeros(1)) is x)(T.ones(2)),
    "type_as_bad": lambda T: T.ones(2).type_as(3),
    "type_grad": lambda T: T.ones(2, requires_grad=True).type(T.float64).grad_fn.name(),
    "to_string_dtype": lambda T: T.ones(2).to("float32"),
    "to_two_dtypes": lambda T: T.ones(2).to(T.float64, T.float32),
    "to_positional_flags": lambda T: T.ones(2).to(T.float64, False, True),
    "to_other_non_blocking": lambda T: T.ones(2).to(T.zeros(1, dtype=T.int8), non_blocking=True),
    "to_none": lambda T: T.ones(2).to(None),
    "to_keywords_none": lambda T: T.ones(2).to(device=None, dtype=None),
    "to_memory_format": lambda T: T.ones(2).to(memory_format=T.contiguous_format),
    "to_unknown_keywords": lambda T: T.ones(2).to(foo=1, bar=2),
    "to_dtype_unknown_keyword": lambda T: T.ones(2).to(T.float32, foo=1),
    "to_numpy_type": lambda T: T.ones(2).to(np.float64),
    "type_numpy_type": lambda T: T.ones(2).type(np.float64),
    "type_python_types": lambda T: (T.ones(2).type(float), T.ones(2).type(bool)),
    "type_int_type": lambda T: T.ones(2).type(int),
    "type_keyword": lambda T: T.ones(2).type(T.float32, foo=1),
    "cast_positional": lambda T: [error_text(lambda m=m: getattr(T.ones(2), m)(1)) for m in
                                  CASTS + ("cpu",)],
    "cast_two_positional": lambda T: T.ones(2).double(1, 2),
    "cast_memory_format": lambda T: T.ones(2).float(memory_format=T.preserve_format),
    "cast_grad_cut": lambda T: (lambda x: (x.bool().requires_grad, x.int().grad_fn,
                                           x.long().float().requires_grad))(
        T.ones(2, requires_grad=True)),
    "half_grad": lambda T: (lambda x: (x.half().sum().backward(), x.grad))(
        T.ones(2, requires_grad=True)),
    "cast_chain_nodes": lambda T: (lambda x: (
        x.half().grad_fn.name(), x.half().grad_fn.next_functions[0][0].name()))(
        T.ones(2, requires_grad=True)),
    "type_as_requires_grad": lambda T: T.ones(2, dtype=T.float64).type_as(
        T.ones(1, requires_grad=True)).requires_grad,
}


def error_text(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the observation
        return f"{type(e).__name__}: {e}"
    return None


@pytest.mark.parametrize("name", sorted(TO_CALLS))
def test_to_and_type(torch, name):
    same(torch, TO_CALLS[name])


def test_type_accepts_torch_names():
    # scripts written for torch: 'torch.FloatTensor' names work as 'leafgrad.FloatTensor'
    assert leafgrad.ones(2).type("torch.IntTensor").dtype is leafgrad.int32
    assert leafgrad.ones(2).type("leafgrad.LongTensor").dtype is leafgrad.int64


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cast_gradients(torch, dtype):
    def run(T):
        x = T.tensor([1.5, -2.0, 3.0], dtype=getattr(T, dtype), requires_grad=True)
        y = (x.double() * x.float() + x.half().float() * 2 + x.to(T.float64)).sum()
        y.backward()
        return x.grad, y.grad_fn.name()

    same(torch, run)


# -- autograd attributes ------------------------------------------------------------------
AUTOGRAD = {
    "rg_int_method": lambda T: T.ones(2, dtype=T.int64).requires_grad_(),
    "rg_int_attr": lambda T: setattr(T.ones(2, dtype=T.int64), "requires_grad", True),
    "rg_int_false": lambda T: T.ones(2, dtype=T.int64).requires_grad_(False),
    "rg_nonleaf_off": lambda T: (T.ones(2, requires_grad=True) * 2).requires_grad_(False),
    "rg_nonleaf_on": lambda T: (T.ones(2, requires_grad=True) * 2).requires_grad_(True),
    "rg_returns_self": lambda T: (lambda x: x.requires_grad_() is x)(T.ones(2)),
    "rg_attr_off": lambda T: (lambda x: (setattr(x, "requires_grad", False),
                                         x.requires_grad))(T.ones(2, requires_grad=True)),
    "detach": lambda T: (lambda x: (x.detach(), x.detach().is_leaf, x.detach()._version,
                                    x.detach().grad_fn))(T.ones(2, requires_grad=True) * 2),
    "detach_shares": lambda T: (lambda x: (lambda d: (d.add_(1), x))(x.detach()))(
        T.ones(2, requires_grad=True) * 2),
    "detach_version": lambda T: (lambda x: (lambda d: (d.add_(1), x._version, d._version))(
        x.detach()))(T.ones(2)),
    "detach_": lambda T: (lambda y: (y.detach_() is y, y.requires_grad, y.grad_fn,
                                     y.is_leaf))(T.ones(2, requires_grad=True) * 2),
    "detach_view": lambda T: (T.ones(2, requires_grad=True) * 2)[0:1].detach_(),
    "data": lambda T: (lambda x: (x.data, x.data.is_leaf, x.data.grad_fn, x.data._version))(
        T.ones(2, requires_grad=True) * 2),
    "data_shares": lambda T: (lambda x: (x.data.mul_(3), x, x._version))(
        T.ones(2, requires_grad=True)),
    "data_set": lambda T: (lambda x: (setattr(x, "data", T.zeros(3, dtype=T.float64)), x,
                                      x.is_leaf))(T.ones(2, requires_grad=True)),
    "data_set_int": lambda T: (lambda x: (setattr(x, "data", T.zeros(3, dtype=T.int64)), x))(
        T.ones(2, requires_grad=True)),
    "data_set_bad": lambda T: setattr(T.ones(2), "data", [1, 2]),
    "grad_default": lambda T: T.ones(2, requires_grad=True).grad,
    "grad_shape": lambda T: setattr(T.ones(2, requires_grad=True), "grad", T.ones(3)),
    "grad_shape2": lambda T: setattr(T.ones(2, requires_grad=True), "grad", T.ones(2, 1)),
    "grad_nontensor": lambda T: setattr(T.ones(2, requires_grad=True), "grad", [1.0, 1.0]),
    "grad_ok": lambda T: (lambda x: (setattr(x, "grad", T.ones(2) * 3), x.grad))(
        T.ones(2, requires_grad=True)),
    "grad_none": lambda T: (lambda x: (setattr(x, "grad", None), x.grad))(
        T.ones(2, requires_grad=True)),
    "grad_del": lambda T: (lambda x: (setattr(x, "grad", T.ones(2)), delattr(x, "grad"),
                                      x.grad))(T.ones(2, requires_grad=True)),
    "grad_on_plain": lambda T: (lambda x: (setattr(x, "grad", T.ones(2)), x.grad))(T.ones(2)),
    "is_leaf": lambda T: (T.ones(2).is_leaf, T.ones(2, requires_grad=True).is_leaf,
                          (T.ones(2, requires_grad=True) * 2).is_leaf, (T.ones(2) * 2).is_leaf),
    "grad_fn": lambda T: ((T.ones(2, requires_grad=True) * 2).grad_fn.name(),
                          T.ones(2).grad_fn, (T.ones(2) * 2).grad_fn),
    "nonleaf_grad_warns": lambda T: (T.ones(2, requires_grad=True) * 2).grad,
    "retain_grad": lambda T: (lambda x: (lambda y: (
        y.retain_grad(), y.retains_grad, (y * y).sum().backward(), y.grad, x.retains_grad,
        x.grad))(x * 2))(T.ones(2, requires_grad=True)),
    "retain_grad_twice": lambda T: (lambda x: (lambda y: (
        y.retain_grad(), y.retain_grad(), y.sum().backward(), y.grad))(x * 2))(
        T.ones(2, requires_grad=True)),
    "retain_no_rg": lambda T: T.ones(2).retain_grad(),
    "retain_leaf": lambda T: (lambda x: (x.retain_grad(), x.retains_grad))(
        T.ones(2, requires_grad=True)),
    "version": lambda T: (lambda x: (x._version, x.add_(1)._version, x.mul_(2)._version))(
        T.ones(2)),
    "version_view": lambda T: (lambda x: (lambda v: (x.add_(1), v._version, x._version))(
        x[0:1]))(T.ones(2)),
    "version_out_of_place": lambda T: (lambda x: ((x + 1)._version, x._version))(T.ones(2)),
    "base": lambda T: (lambda x: (x._base, x[0:1]._base is x, x[0:1][0:1]._base is x,
                                  x[0:1]._is_view(), x._is_view(), x.view(2)._base is x))(
        T.ones(2)),
    "base_ops": lambda T: (lambda x: (x.reshape(4)._base is x, x.t().reshape(4)._base,
                                      x.t()._base is x, x.clone()._base,
                                      x.contiguous() is x, x.t().contiguous()._base))(
        T.ones(2, 2)),
    "clone": lambda T: (lambda x: (x.clone(), x.clone().grad_fn.name(), x.clone().is_leaf,
                                   x.clone()._base))(T.ones(2, requires_grad=True)),
    "clone_copies": lambda T: (lambda x: (lambda c: (c.add_(1), x))(x.clone()))(T.ones(2)),
    "contiguous": lambda T: (lambda x: (x.contiguous() is x, x.t().contiguous(),
                                        x.t().contiguous().is_contiguous(),
                                        x.t().contiguous().grad_fn.name(),
                                        x.t().contiguous().stride()))(
        T.ones(2, 3, requires_grad=True)),
}


@pytest.mark.parametrize("name", sorted(AUTOGRAD))
def test_autograd_attributes(torch, name):
    same(torch, AUTOGRAD[name])


def test_nonleaf_grad_warning_text(torch):
    with pytest.warns(UserWarning) as theirs:
        _ = (torch.ones(2, requires_grad=True) * 2).grad
    with pytest.warns(UserWarning) as ours:
        _ = (leafgrad.ones(2, requires_grad=True) * 2).grad
    assert str(ours[0].message) == str(theirs[0].message).split(" (Triggered internally")[0]


@pytest.mark.parametrize("src", DTYPES)
@pytest.mark.parametrize("dst", ("float16", "float32", "float64", "int64", "bool"))
def test_grad_setter_dtype_errors(torch, src, dst):
    def run(T):
        x = T.ones(2, dtype=getattr(T, dst))
        if x.is_floating_point():
            x.requires_grad_()
        x.grad = T.ones(2, dtype=getattr(T, src))
        return x.grad

    same(torch, run)


def test_grad_error_messages_match_exactly(torch):
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(2, requires_grad=True).grad = torch.ones(3)
    with pytest.raises(RuntimeError, match=re.escape(str(theirs.value))):
        leafgrad.ones(2, requires_grad=True).grad = leafgrad.ones(3)


# -- Variable -----------------------------------------------------------------------------
VARIABLE = {
    "returns_tensor": lambda T: (lambda v: (type(v).__name__, v.requires_grad, v.is_leaf))(
        T.autograd.Variable(T.ones(2), requires_grad=True)),
    "default": lambda T: T.autograd.Variable(T.ones(2)).requires_grad,
    "isinstance": lambda T: [isinstance(t, T.autograd.Variable) for t in (
        T.ones(1), T.ones(1, dtype=T.int64), T.ones(1, requires_grad=True) * 2, 3)],
    "int": lambda T: T.autograd.Variable(T.ones(2, dtype=T.int64), requires_grad=True),
    "non_tensor": lambda T: T.autograd.Variable([1, 2]),
    "grad_flows": lambda T: (lambda v: ((v * v).sum().backward(), v.grad))(
        T.autograd.Variable(T.tensor([1.0, 2.0]), requires_grad=True)),
}


@pytest.mark.parametrize("name", sorted(VARIABLE))
def test_variable(torch, name):
    same(torch, VARIABLE[name])


# -- legacy constructors and new_* --------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda T: T.Tensor(2, 3).shape, lambda T: T.Tensor([1, 2]), lambda T: T.FloatTensor([1]),
    lambda T: T.LongTensor(2).dtype, lambda T: T.DoubleTensor([[1, 2]]),
    lambda T: [isinstance(T.ones(1), T.FloatTensor), isinstance(T.ones(1, dtype=T.int64),
                                                                  T.FloatTensor)],
    lambda T: (lambda x: (x.new_ones(2), x.new_zeros((2, 3)), x.new_full((2,), 3),
                          x.new_tensor([1, 2]), x.new_empty(2).dtype))(
        T.ones(1, dtype=T.float64)),
    lambda T: T.ones(1, dtype=T.int8).new_tensor([1.7]),
    lambda T: T.ones(1).new_ones(2, requires_grad=True),
])
def test_legacy_and_new(torch, call):
    same(torch, call)


# -- DLPack -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_round_trips(torch, dtype):
    x = leafgrad.ones(2, 3, dtype=getattr(leafgrad, dtype))
    t = torch.from_dlpack(x)
    assert str(t.dtype) == f"torch.{dtype}" and tuple(t.shape) == (2, 3)
    t[0, 0] = 0  # shared memory, both ways
    assert x.tolist()[0][0] == 0
    y = leafgrad.from_dlpack(torch.ones(3, dtype=getattr(torch, dtype)))
    assert y.dtype is getattr(leafgrad, dtype)
    a = np.from_dlpack(x)
    a[1, 1] = 0
    assert x.tolist()[1][1] == 0
    z = leafgrad.from_dlpack(a)
    assert np.shares_memory(z.numpy(), a)


def test_dlpack_from_torch_shares_memory(torch):
    src = torch.arange(6.0).reshape(2, 3).t()
    y = leafgrad.from_dlpack(src)
    assert y.tolist() == src.tolist() and y.stride() == src.stride()
    src[0, 0] = 9
    assert y.tolist()[0][0] == 9
    assert leafgrad.from_dlpack(torch.tensor(3.0)).shape == ()
    capsule = torch.utils.dlpack.to_dlpack(torch.ones(2))
    assert leafgrad.from_dlpack(capsule).tolist() == [1.0, 1.0]


def test_dlpack_to_torch_layouts(torch):
    for make in (lambda T: T.arange(6.0).reshape(2, 3).t(), lambda T: T.zeros(0, 3),
                 lambda T: T.tensor(2.5), lambda T: T.arange(10)[::3]):
        t = torch.from_dlpack(make(leafgrad))
        ref = make(torch)
        assert t.tolist() == ref.tolist() and t.shape == ref.shape


def test_dlpack_requires_grad_error(torch):
    with pytest.raises(BufferError) as theirs:
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError, match=re.escape(str(theirs.value))):
        leafgrad.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError, match=re.escape(str(theirs.value))):
        torch.from_dlpack(leafgrad.ones(2, requires_grad=True))
    with pytest.raises(BufferError, match=re.escape(str(theirs.value))):
        leafgrad.from_dlpack(torch.ones(2, requires_grad=True))


def test_dlpack_device(torch):
    assert tuple(leafgrad.ones(1).__dlpack_device__()) == tuple(
        torch.ones(1).__dlpack_device__())


# -- reprs (a few: tests/test_printing.py has the rest) ----------------------------------
@pytest.mark.parametrize("call", [
    lambda T: [repr(T.tensor([1, 2], dtype=getattr(T, d))) for d in DTYPES],
    lambda T: repr(T.tensor([1.0, 2.0], requires_grad=True) * 2),
    lambda T: repr(T.tensor([1.0, 2.0], requires_grad=True)),
    lambda T: [repr(T.tensor(x)) for x in (1.5, 2, True, 1e10, -0.0, float("nan"))],
    lambda T: [repr(T.zeros(0, 3)), repr(T.zeros(0, dtype=T.int64)), repr(T.zeros(2, 0))],
    lambda T: repr(T.tensor([1e-5, 1e5])), lambda T: str(T.tensor([[1.5, 2], [3, 4]])),
    lambda T: repr(T.tensor([1.0], dtype=T.float64, requires_grad=True).sum()),
])
def test_reprs(torch, call):
    same(torch, call)


# -- Size -------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda T: T.Size([2]) * 2, lambda T: 2 * T.Size([2]), lambda T: T.Size([2, 3])[::-1],
    lambda T: T.Size([2]) + [3], lambda T: T.Size([2]) + 3, lambda T: (1,) + T.Size([2]),
    lambda T: T.Size([2, 3]) == (2, 3), lambda T: T.Size([2.5]), lambda T: T.Size([T.tensor(3)]),
    lambda T: T.Size([T.tensor(3.0)]), lambda T: T.Size("ab"), lambda T: T.Size(range(3)),
    lambda T: T.Size([True]), lambda T: T.Size([np.int64(2)]),
    lambda T: type(T.Size([np.int64(2)])[0]).__name__, lambda T: T.Size(5),
    lambda T: T.Size(None), lambda T: T.Size(),
    lambda T: T.Size([2]) * 0, lambda T: T.zeros(2, 3).shape + (4,),
    lambda T: [repr(x) for x in (T.Size([2]) * 2, (1,) + T.Size([2]), T.zeros(2, 3).size())],
    lambda T: T.Size([2, 3]).count(2), lambda T: hash(T.Size([1])) == hash((1,)),
])
def test_size(torch, call):
    same(torch, call)
