"""Running one OpInfo sample on leafgrad and on PyTorch, and comparing the results."""

from __future__ import annotations

import json

import numpy as np

import leafgrad

from .opdb import OpInfo, Sample, make_noncontig

GRADCHECK_MAX_NUMEL = 40  # finite differences cost two forwards per input element


def clone_layout(a: np.ndarray) -> np.ndarray:
    """A private copy of ``a`` with the same (non-)contiguity."""
    c = np.array(a, copy=True)
    if a.ndim and not a.flags.c_contiguous and a.size:
        return make_noncontig(c)
    return c


def to_module(T, value, grad: bool):
    """NumPy arrays inside ``value`` (nested lists/tuples too) as T tensors."""
    if isinstance(value, np.ndarray):
        t = T.from_numpy(clone_layout(value))
        if grad and value.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    if isinstance(value, list):
        return [to_module(T, v, grad) for v in value]
    if isinstance(value, tuple):
        return tuple(to_module(T, v, grad) for v in value)
    return value


def leaves(value) -> list:
    """The tensors inside a (nested) value, in order."""
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in leaves(v)]
    if hasattr(value, "requires_grad"):
        return [value]
    return []


def flat_outputs(value) -> list:
    """Outputs flattened: tensors, and Python values as they are."""
    if isinstance(value, (list, tuple)):
        return [o for v in value for o in flat_outputs(v)]
    return [value]


def dtype_name(d) -> str:
    return str(d).split(".")[-1]


def as_array(t) -> np.ndarray:
    if hasattr(t, "detach"):
        return np.asarray(t.detach().numpy())
    return np.asarray(t)


def tolerances(op: OpInfo, dtype: str) -> tuple[float, float]:
    if dtype == "float64":
        return op.atol64, op.rtol64
    return op.atol, op.rtol


def assert_close(ours, theirs, atol: float, rtol: float, what: str) -> None:
    """Same structure, shape, dtype and values (NaNs equal)."""
    if hasattr(theirs, "shape") and hasattr(theirs, "dtype") and not isinstance(
            theirs, np.ndarray):
        assert isinstance(ours, leafgrad.Tensor), f"{what}: expected a Tensor, got {ours!r}"
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"{what}: shape {tuple(ours.shape)} != torch's {tuple(theirs.shape)}"
        assert dtype_name(ours.dtype) == dtype_name(theirs.dtype), \
            f"{what}: dtype {ours.dtype} != torch's {theirs.dtype}"
        a, b = as_array(ours), as_array(theirs)
    elif isinstance(theirs, np.ndarray):
        a, b = as_array(ours), theirs
        assert a.shape == b.shape, f"{what}: shape {a.shape} != expected {b.shape}"
        assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != expected {b.dtype}"
    else:
        assert type(ours) is type(theirs) and ours == theirs, f"{what}: {ours!r} != {theirs!r}"
        return
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def upstream(outs: list, seed: int) -> list[np.ndarray]:
    """Random output gradients, one per differentiable output."""
    r = np.random.default_rng(seed)
    return [r.uniform(-1, 1, size=tuple(o.shape)).astype(dtype_name(o.dtype)) for o in outs]


def run(T, op: OpInfo, sample: Sample, grad: bool, method: bool = False):
    """Call the op on module T; returns (output, input tensors, differentiable outputs)."""
    args = to_module(T, sample.args, grad)
    kwargs = {k: to_module(T, v, False) for k, v in sample.kwargs.items()}
    out = op.call_method(args, kwargs) if method else op.call(T, args, kwargs)
    inputs = [t for t in leaves(args) if t.requires_grad]
    diff_outs = [o for o in flat_outputs(out) if hasattr(o, "requires_grad") and o.requires_grad]
    return out, inputs, diff_outs


def grads_of(T, diff_outs, inputs, gs) -> list:
    if not diff_outs or not inputs:
        return []
    g = [T.from_numpy(x.copy()) for x in gs]
    res = T.autograd.grad(diff_outs, inputs, g, allow_unused=True)
    return [None if r is None else as_array(r) for r in res]


def compare_with_torch(op: OpInfo, sample: Sample, dtype: str, torch) -> None:
    atol, rtol = tolerances(op, dtype)
    ours, in_l, dout_l = run(leafgrad, op, sample, op.grad)
    theirs, in_t, dout_t = run(torch, op, sample, op.grad)
    f_ours, f_theirs = flat_outputs(ours), flat_outputs(theirs)
    assert len(f_ours) == len(f_theirs), f"{op.id}: {len(f_ours)} outputs, torch {len(f_theirs)}"
    for i, (a, b) in enumerate(zip(f_ours, f_theirs)):
        assert_close(a, b, atol, rtol, f"{op.id} output {i}")
    if op.method:
        m_ours = run(leafgrad, op, sample, False, method=True)[0]
        for i, (a, b) in enumerate(zip(flat_outputs(m_ours), f_theirs)):
            assert_close(a, b, atol, rtol, f"{op.id} (method) output {i}")
    if not op.grad:
        return
    assert len(dout_l) == len(dout_t), \
        f"{op.id}: {len(dout_l)} outputs require grad, torch {len(dout_t)}"
    if op.node and dout_t:
        fn_t = dout_t[0].grad_fn
        fn_l = dout_l[0].grad_fn
        if fn_t is not None:
            assert fn_l is not None and fn_l.name() == fn_t.name(), \
                f"{op.id}: node {fn_l and fn_l.name()} != torch's {fn_t.name()}"
    gs = upstream(dout_t, 1234)
    g_ours = grads_of(leafgrad, dout_l, in_l, gs)
    g_theirs = grads_of(torch, dout_t, in_t, gs)
    for i, (a, b) in enumerate(zip(g_ours, g_theirs)):
        if a is None or b is None:
            a = np.zeros_like(b) if a is None and b is not None else a
            b = np.zeros_like(a) if b is None and a is not None else b
            if a is None:
                continue
        np.testing.assert_allclose(a, b, atol=atol * 10, rtol=rtol * 10, equal_nan=True,
                                   err_msg=f"{op.id}: gradient of input {i}")


def check_gradients(op: OpInfo, sample: Sample) -> None:
    """gradcheck and gradgradcheck of leafgrad itself in float64 (no torch needed)."""
    if not op.grad:
        return
    args = to_module(leafgrad, sample.args, True)
    kwargs = {k: to_module(leafgrad, v, False) for k, v in sample.kwargs.items()}
    inputs = [t for t in leaves(args) if t.requires_grad]
    if not inputs or sum(t.numel() for t in inputs) > GRADCHECK_MAX_NUMEL:
        return

    def rebuild(*xs):
        it = iter(xs)

        def sub(v):
            if isinstance(v, leafgrad.Tensor) and v.requires_grad:
                return next(it)
            if isinstance(v, list):
                return [sub(u) for u in v]
            if isinstance(v, tuple):
                return tuple(sub(u) for u in v)
            return v

        out = op.call(leafgrad, sub(args), kwargs)
        return tuple(o for o in flat_outputs(out) if isinstance(o, leafgrad.Tensor))

    assert leafgrad.autograd.gradcheck(rebuild, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)
    if op.gradgrad:
        assert leafgrad.autograd.gradgradcheck(rebuild, tuple(inputs), eps=1e-6, atol=1e-5,
                                               rtol=1e-3)


# -- golden fixtures ----------------------------------------------------------------------
def encode(value, arrays: list):
    """JSON-able form of sample args; arrays go to ``arrays`` and are referenced by index."""
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"array": len(arrays) - 1}
    if isinstance(value, tuple):
        return {"tuple": [encode(v, arrays) for v in value]}
    if isinstance(value, list):
        return [encode(v, arrays) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return {"float": repr(value)}
    return value


def decode(value, arrays):
    if isinstance(value, dict):
        if "array" in value:
            return arrays[value["array"]]
        if "tuple" in value:
            return tuple(decode(v, arrays) for v in value["tuple"])
        if "float" in value:
            return float(value["float"])
    if isinstance(value, list):
        return [decode(v, arrays) for v in value]
    return value


def save_case(path, sample: Sample, outputs: list, grads: list) -> dict:
    """One golden case as (json meta, arrays) for ``np.savez``."""
    arrays: list = []
    meta = {
        "args": encode(sample.args, arrays),
        "kwargs": encode(sample.kwargs, arrays),
    }
    out_meta = []
    for o in outputs:
        if hasattr(o, "shape") and not isinstance(o, np.ndarray):
            out_meta.append({"tensor": encode(as_array(o), arrays)})
        else:
            out_meta.append({"value": encode(o, arrays)})
    meta["outputs"] = out_meta
    meta["grads"] = [None if g is None else encode(g, arrays) for g in grads]
    return {"meta": json.dumps(meta), "arrays": arrays}


def load_case(meta_json: str, arrays: list):
    meta = json.loads(meta_json)
    args = decode(meta["args"], arrays)
    kwargs = decode(meta["kwargs"], arrays)
    outputs = [decode(o["tensor"], arrays) if "tensor" in o else decode(o["value"], arrays)
               for o in meta["outputs"]]
    grads = [None if g is None else decode(g, arrays) for g in meta["grads"]]
    return Sample(*args, **kwargs), outputs, grads
