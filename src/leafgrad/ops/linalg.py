"""Linear algebra: matmul and its primitives (dot, mv, mm, bmm), outer, addmm/addmv/baddbmm,
tensordot and einsum.

``matmul`` dispatches on the operands' dims as PyTorch does and records the same graph:
``DotBackward0``, ``MvBackward0``, ``MmBackward0`` for the 1-D and 2-D cases; batched
operands are either folded into one matrix product (when one side is a stack of rows
that collapses, or its small partner needs a gradient) or expanded to a common batch and
multiplied with ``bmm``, the result coming back through an unsafe view.

The primitives' vjps are plain products with transposed views (no copies: BLAS reads a
transposed operand in place) and skip the products whose input needs no gradient; they
run on arrays in a first-order backward (``array_vjp``) and on Tensors otherwise.
"""

from __future__ import annotations

import math

from ..backend import np
from ..tensor import Tensor, _c_name, _wrap_dim
from . import elementwise as _ew
from . import shape as _shape
from .logical import kind_name, not_implemented
from .registry import Op, apply

__all__ = [
    "matmul", "mm", "bmm", "mv", "dot", "outer", "ger", "addmm", "addmv", "baddbmm",
    "tensordot", "einsum",
]
methods = ["matmul", "mm", "bmm", "mv", "dot", "outer", "ger", "addmm", "addmv", "baddbmm"]

_ndarray = np.ndarray
_INTS = (int, np.integer)
_B = np.dtype(np.bool_)


def _shape_str(shape) -> str:
    return "x".join(str(s) for s in shape)


def _need(x: Tensor, y: Tensor) -> tuple:
    # Which inputs need a gradient: a vjp skips the products nobody will use.
    return (x._rg, y._rg)


def _mat2_grad(x, g, y):
    """x^T g, laid out like ``y``: when ``y`` is a transposed view (a weight's ``.t()`` in
    ``linear``), the product is computed transposed, so the weight's gradient arrives
    C-contiguous and can become its ``.grad`` without a copy (PyTorch's layout rule)."""
    if y.__class__ is _ndarray and y.ndim == 2 and y.flags.f_contiguous \
            and not y.flags.c_contiguous:
        return (g.T @ x).T
    return x.swapaxes(-1, -2) @ g


# -- primitives -----------------------------------------------------------------------------
class Dot(Op):
    args = saves = ("self", "tensor")
    array_vjp = True

    def forward(xp, x, y, *, need):
        return xp.dot(x, y)

    def vjp(g, out, x, y, *, need):
        return (g * y if need[0] else None), (g * x if need[1] else None)


class Mv(Op):
    args = saves = ("self", "vec")
    array_vjp = True

    def forward(xp, x, v, *, need):
        return xp.matmul(x, v)

    def vjp(g, out, x, v, *, need):
        return (g.reshape(-1, 1) * v if need[0] else None), (x.T @ g if need[1] else None)


class Mm(Op):
    args = saves = ("self", "mat2")
    array_vjp = True

    def forward(xp, x, y, *, need):
        return xp.matmul(x, y)

    def vjp(g, out, x, y, *, need):
        return (g @ y.T if need[0] else None), (_mat2_grad(x, g, y) if need[1] else None)


class Bmm(Op):
    args = saves = ("self", "mat2")
    array_vjp = True

    def forward(xp, x, y, *, need):
        return xp.matmul(x, y)

    def vjp(g, out, x, y, *, need):
        return (g @ y.swapaxes(-1, -2) if need[0] else None), \
            (x.swapaxes(-1, -2) @ g if need[1] else None)


class SqueezeFirst(Op):
    """The leading 1 dropped from ``vector @ matrix`` (PyTorch squeezes in place)."""

    name = "SqueezeBackward4"
    array_vjp = True

    def forward(xp, x, *, dim):
        return x.reshape(x.shape[1:])

    def vjp(g, out, x, *, dim):
        return g.reshape((1,) + tuple(g.shape))


def _kernel_check(kernel: str, a) -> None:
    if a.dtype is _B or a.dtype == _B:
        raise not_implemented(kernel, a.dtype)


def _require(fn: str, name: str, pos: int, value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                    f"{type(value).__name__}")


def _mm_dtype(a, b) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                           f"{_cpp_name(a.dtype)} != {_cpp_name(b.dtype)}")


_CPP = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
        "uint8": "unsigned char", "float16": "c10::Half", "bool": "bool"}


def _cpp_name(d) -> str:
    """A dtype as PyTorch's demangled C++ type names print it ('float', 'long int' ...)."""
    from ..dtypes import FROM_NP

    return _CPP.get(d.name) or _c_name(FROM_NP[d])


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of the same dtype.

    >>> leafgrad.dot(leafgrad.tensor([1., 2.]), leafgrad.tensor([3., 4.]))
    tensor(11.)
    """
    a, b = _require("dot", "input", 1, input)._data, _require("dot", "tensor", 2, tensor)._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{kind_name(a.dtype)} and {kind_name(b.dtype)}")
    if a.shape != b.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively")
    _kernel_check("dot", a)
    return apply(Dot, input, tensor, need=_need(input, tensor))


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix @ vector.

    >>> leafgrad.mv(leafgrad.eye(2) * 2, leafgrad.tensor([1., 3.]))
    tensor([2., 6.])
    """
    a, b = _require("mv", "input", 1, input)._data, _require("mv", "vec", 2, vec)._data
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({_shape_str(a.shape)}"
                           f"), vec ({b.shape[0]})")
    if a.dtype != b.dtype:
        raise RuntimeError("addmv input tensors must have the same dtype, but got "
                           f"{kind_name(b.dtype)}, {kind_name(a.dtype)}, and {kind_name(b.dtype)}")
    _kernel_check("addmv_impl_cpu", a)
    return apply(Mv, input, vec, need=_need(input, vec))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix @ matrix (2-D only; ``matmul`` broadcasts).

    >>> leafgrad.mm(leafgrad.ones(2, 3), leafgrad.ones(3, 4)).shape
    leafgrad.Size([2, 4])
    """
    a, b = _require("mm", "input", 1, input)._data, _require("mm", "mat2", 2, mat2)._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    if a.dtype is not b.dtype:
        _mm_dtype(a, b)
    _kernel_check("addmm_impl_cpu_", a)
    return apply(Mm, input, mat2, need=(input._rg, mat2._rg))


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size."""
    a, b = _require("bmm", "input", 1, input)._data, _require("bmm", "mat2", 2, mat2)._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {kind_name(a.dtype)} but found "
                           f"{kind_name(b.dtype)}")
    _kernel_check("bmm", a)
    return apply(Bmm, input, mat2, need=_need(input, mat2))


# -- matmul -----------------------------------------------------------------------------------
def _rows_collapse(a) -> bool:
    """Whether all dims but the last merge into one without a copy (a view of rows)."""
    st, sh = a.strides, a.shape
    for i in range(a.ndim - 2):
        if st[i] != st[i + 1] * sh[i + 1]:
            return False
    return True


def _unsafe_view(t: Tensor, size: tuple) -> Tensor:
    return apply(_shape.UnsafeView, t, size=size, shape=t._data.shape)


def _batch_shape(a: tuple, b: tuple) -> tuple:
    """The broadcast of two batch shapes, with PyTorch's error."""
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def _fold(x: Tensor, y: Tensor) -> Tensor:
    """A stack of matrices (or vectors) times one matrix (or vector): one mm over all rows."""
    a, b = x._data, y._data
    rows = a.shape[:-1]
    x2 = _shape.reshape(x, (math.prod(rows), a.shape[-1]))
    if b.ndim == 2:
        return _unsafe_view(mm(x2, y), rows + (b.shape[1],))
    return _unsafe_view(mv(x2, y), rows)


def _fold_transposed(x: Tensor, y: Tensor) -> Tensor:
    """A matrix (or vector) times a stack: the stack's transpose folded, the result
    transposed back (and made contiguous), as PyTorch does."""
    b = y._data
    batch, k, p = b.shape[:-2], b.shape[-2], b.shape[-1]
    y2 = _shape.reshape(y.mT, (math.prod(batch) * p, k))
    if x._data.ndim == 1:
        return _unsafe_view(mv(y2, x), batch + (p,))
    out = _unsafe_view(mm(y2, _shape.t(x)), batch + (p, x._data.shape[0]))
    return _shape.contiguous(out.mT)


def _batched(x: Tensor, y: Tensor) -> Tensor:
    """Both operands expanded to the common batch, flattened to 3-D, multiplied by bmm."""
    a, b = x._data, y._data
    d1, d2 = a.ndim, b.ndim
    n, k1 = (a.shape[-2], a.shape[-1]) if d1 >= 2 else (1, a.shape[0])
    k2, p = (b.shape[-2], b.shape[-1]) if d2 >= 2 else (b.shape[0], 1)
    batch = _batch_shape(a.shape[:-2], b.shape[:-2])
    nb = math.prod(batch)
    xe = x if d1 >= 2 else _shape.unsqueeze(x, 0)
    ye = y if d2 >= 2 else _shape.unsqueeze(y, -1)
    xe = _shape.reshape(_shape.expand(xe, batch + (n, k1)), (nb, n, k1))
    ye = _shape.reshape(_shape.expand(ye, batch + (k2, p)), (nb, k2, p))
    size = batch + ((n,) if d1 >= 2 else ()) + ((p,) if d2 >= 2 else ())
    return _unsafe_view(bmm(xe, ye), size)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product with NumPy's rules: 1-D operands act as vectors, batch dims
    broadcast.

    >>> (leafgrad.ones(5, 2, 3) @ leafgrad.ones(3, 4)).shape
    leafgrad.Size([5, 2, 4])
    """
    if input.__class__ is not Tensor and not isinstance(input, Tensor):
        _require("matmul", "input", 1, input)
    if other.__class__ is not Tensor and not isinstance(other, Tensor):
        _require("matmul", "other", 2, other)
    d1, d2 = input._data.ndim, other._data.ndim
    if d1 == 2 and d2 == 2:
        return mm(input, other)
    if d1 == 0 or d2 == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{d1}D and {d2}D")
    if d1 == 1 and d2 == 1:
        return dot(input, other)
    if d1 == 2 and d2 == 1:
        return mv(input, other)
    if d1 == 1 and d2 == 2:
        return apply(SqueezeFirst, mm(_shape.unsqueeze(input, 0), other), dim=0)
    x, y = input, other
    a, b = x._data, y._data
    if d1 == 3 and d2 == 3:
        # A batch of one that needs a gradient is taken as a matrix (it then folds), so its
        # gradient is one mm rather than a sum over an expanded batch.
        if a.shape[0] == 1 and b.shape[0] != 1 and x._rg:
            x, d1 = _shape.squeeze(x, 0), 2
        elif b.shape[0] == 1 and a.shape[0] != 1 and y._rg:
            y, d2 = _shape.squeeze(y, 0), 2
    if d1 >= 3 and d2 <= 2:
        if y._rg or a.size == 0 or _rows_collapse(a):
            return _fold(x, y)
    elif d2 >= 3 and d1 <= 2:
        if x._rg or d1 == 1 and (b.size == 0 or _rows_collapse(b.swapaxes(-1, -2))):
            return _fold_transposed(x, y)
    return _batched(x, y)


def _matmul_dunder(self, other):
    if other.__class__ is not Tensor and not isinstance(other, Tensor):
        return NotImplemented
    a, b = self._data, other._data
    # The common case, inlined: two float matrices that fit.
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0] and a.dtype is b.dtype \
            and a.dtype.kind == "f":
        return apply(Mm, self, other, need=(self._rg, other._rg))
    return matmul(self, other)


def _rmatmul_dunder(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


dunders = {"__matmul__": _matmul_dunder, "__rmatmul__": _rmatmul_dunder}


# -- outer -----------------------------------------------------------------------------------
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``.

    >>> leafgrad.outer(leafgrad.tensor([1., 2.]), leafgrad.tensor([1., 10.]))
    tensor([[ 1., 10.],
            [ 2., 20.]])
    """
    a, b = _require("outer", "input", 1, input)._data, _require("outer", "vec2", 2, vec2)._data
    if a.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    return _ew.mul(_shape.reshape(input, (a.shape[0], 1)), vec2)


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """Alias of ``outer``."""
    return outer(input, vec2)


# -- addmm / addmv / baddbmm -----------------------------------------------------------------
def _scaled(t, s):
    return t if s == 1 else t * s


class Addmm(Op):
    """beta * input + alpha * (mat1 @ mat2), ``input`` broadcast."""

    args = ("self", "mat1", "mat2")
    saves = ("mat1", "mat2")
    array_vjp = True

    def forward(xp, c, x, y, *, beta, alpha, need):
        p = xp.matmul(x, y)
        if alpha != 1:
            p *= alpha
        if beta == 0:  # PyTorch: input is ignored (NaN in it does not propagate)
            return p
        return p + (c if beta == 1 else c * beta)

    def vjp(g, out, c, x, y, *, beta, alpha, need):
        ga = _scaled(g, alpha)
        return (_scaled(g, beta) if need[0] else None,
                ga @ y.swapaxes(-1, -2) if need[1] else None,
                _mat2_grad(x, ga, y) if need[2] else None)


class Addmv(Addmm):
    args = ("self", "mat", "vec")
    saves = ("mat", "vec")

    def vjp(g, out, c, x, v, *, beta, alpha, need):
        ga = _scaled(g, alpha)
        return (_scaled(g, beta) if need[0] else None,
                ga.reshape(-1, 1) * v if need[1] else None,
                x.T @ ga if need[2] else None)


class Baddbmm(Addmm):
    args = ("self", "batch1", "batch2")
    saves = ("batch1", "batch2")


def _check_expand(c, shape: tuple) -> None:
    """PyTorch's expand error when ``input`` does not broadcast to the product's shape."""
    cs = c.shape
    if len(cs) > len(shape):
        return
    lead = len(shape) - len(cs)
    for i in reversed(range(len(cs))):  # PyTorch reports the last mismatching dim
        s = cs[i]
        if s != 1 and s != shape[lead + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[lead + i]}) must match the existing "
                f"size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"[{', '.join(map(str, shape))}].  Tensor sizes: [{', '.join(map(str, cs))}]")


def _scalar(v, d):
    """beta/alpha in the operands' dtype kind (integers for integer tensors)."""
    return int(v) if d.kind in "iub" else v


def _needs3(c, x, y) -> tuple:
    return (c._rg, x._rg, y._rg)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2) in one op (``input`` broadcasts).

    >>> leafgrad.addmm(leafgrad.zeros(2), leafgrad.ones(1, 3), leafgrad.ones(3, 2))
    tensor([[3., 3.]])
    """
    c = _require("addmm", "input", 1, input)._data
    a, b = _require("addmm", "mat1", 2, mat1)._data, _require("addmm", "mat2", 3, mat2)._data
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if c.dtype != b.dtype:
        raise RuntimeError("self and mat2 must have the same dtype, but got "
                           f"{kind_name(c.dtype)} and {kind_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError("mat1 and mat2 must have the same dtype, but got "
                           f"{kind_name(a.dtype)} and {kind_name(b.dtype)}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    _check_expand(c, (a.shape[0], b.shape[1]))
    _kernel_check("addmm_impl_cpu_", a)
    return apply(Addmm, input, mat1, mat2, beta=_scalar(beta, a.dtype),
                 alpha=_scalar(alpha, a.dtype), need=_needs3(input, mat1, mat2))


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat @ vec) in one op."""
    c = _require("addmv", "input", 1, input)._data
    a, b = _require("addmv", "mat", 2, mat)._data, _require("addmv", "vec", 3, vec)._data
    if a.ndim != 2 or b.ndim != 1 or c.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {a.ndim}, "
                           f"{b.ndim}")
    if a.shape[1] != b.shape[0] or c.ndim == 1 and c.shape[0] not in (1, a.shape[0]):
        raise RuntimeError(f"size mismatch, got input ({c.shape[0] if c.ndim else 1}), mat "
                           f"({_shape_str(a.shape)}), vec ({b.shape[0]})")
    if not a.dtype == b.dtype == c.dtype:
        raise RuntimeError("addmv input tensors must have the same dtype, but got "
                           f"{kind_name(c.dtype)}, {kind_name(a.dtype)}, and {kind_name(b.dtype)}")
    _kernel_check("addmv_impl_cpu", a)
    return apply(Addmv, input, mat, vec, beta=_scalar(beta, a.dtype),
                 alpha=_scalar(alpha, a.dtype), need=_needs3(input, mat, vec))


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (batch1 @ batch2) for 3-D batches, in one op."""
    c = _require("baddbmm", "input", 1, input)._data
    a = _require("baddbmm", "batch1", 2, batch1)._data
    b = _require("baddbmm", "batch2", 3, batch2)._data
    if a.ndim >= 2 and b.ndim >= 3:  # PyTorch broadcasts input before checking the batches
        _check_expand(c, (a.shape[0], a.shape[1], b.shape[2]))
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if not a.dtype == b.dtype == c.dtype:
        other = b.dtype if b.dtype != a.dtype else c.dtype
        raise RuntimeError(f"expected scalar type {kind_name(a.dtype)} but found "
                           f"{kind_name(other)}")
    _kernel_check("baddbmm_cpu", a)
    return apply(Baddbmm, input, batch1, batch2, beta=_scalar(beta, a.dtype),
                 alpha=_scalar(alpha, a.dtype), need=_needs3(input, batch1, batch2))


# -- tensordot ---------------------------------------------------------------------------------
def _dim_list(value, fn: str, arg: str, pos: int) -> list:
    if isinstance(value, Tensor):
        value = value.tolist()
    if isinstance(value, _INTS):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                        f"{type(value).__name__}")
    return [int(v) for v in value]


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract ``dims`` of ``a`` with ``dims`` of ``b``: the last ``dims`` of ``a`` with the
    first of ``b`` (an int), or the two lists of dims given.

    >>> leafgrad.tensordot(leafgrad.ones(2, 3), leafgrad.ones(3, 4), dims=1).shape
    leafgrad.Size([2, 4])
    """
    x, y = _require("tensordot", "a", 1, a), _require("tensordot", "b", 2, b)
    sa, sb = x._data.shape, y._data.shape
    if isinstance(dims, Tensor) and dims._data.ndim == 0:
        dims = dims.item()
    if isinstance(dims, _INTS):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > len(sa) or dims > len(sb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(-dims, 0))
        db = list(range(dims))
    else:
        da = _dim_list(dims[0], "tensordot", "dims_self", 3)
        db = _dim_list(dims[1], "tensordot", "dims_other", 4)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    if x._data.dtype != y._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    ca = [_wrap_dim(d, len(sa)) for d in da]
    cb = [_wrap_dim(d, len(sb)) for d in db]
    for i, (p, q) in enumerate(zip(ca, cb)):
        if sa[p] != sb[q]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa[p]} "
                               f"in dim {da[i]} and second has size {sb[q]} in dim {db[i]}")
    fa = [d for d in range(len(sa)) if d not in ca]
    fb = [d for d in range(len(sb)) if d not in cb]
    k = math.prod(sa[d] for d in ca)
    m = math.prod(sa[d] for d in fa)
    n = math.prod(sb[d] for d in fb)
    x2 = _shape.reshape(_shape.permute(x, fa + ca), (m, k))
    y2 = _shape.reshape(_shape.permute(y, cb + fb), (k, n))
    return _shape.reshape(mm(x2, y2), tuple(sa[d] for d in fa) + tuple(sb[d] for d in fb))


# -- einsum ------------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Einsum(Op):
    """``numpy.einsum`` on operands broadcast to the subscripts' sizes; the vjp of each
    operand is itself an einsum (with identity matrices for repeated subscripts and
    vectors of ones for subscripts that only that operand has)."""

    name = "EinsumBackward0"

    def forward(xp, *arrays, spec, need):
        ops = [_expand_operand(xp, a, labels, spec.sizes) for a, labels in
               zip(arrays, spec.inputs)]
        # numpy's own loop for small operands; the contraction path (BLAS) for big ones
        big = len(ops) > 2 or max(a.size for a in ops) > 4096
        return xp.einsum(spec.equation, *ops, optimize=big)

    def vjp(g, out, *inputs, spec, need):
        grads = tuple(_einsum_grad(g, inputs, i, spec) if need[i] else None
                      for i in range(len(inputs)))
        return grads[0] if len(grads) == 1 else grads  # one input: a bare gradient


_EINSUM_OPS: dict = {}


def _einsum_op(n: int) -> type[Op]:
    op = _EINSUM_OPS.get(n)
    if op is None:
        names = tuple(f"tensors{i}" for i in range(n))
        op = type(f"Einsum{n}", (Einsum,), {"args": names, "saves": names,
                                            "__module__": __name__})
        _EINSUM_OPS[n] = op
    return op


class _Spec:
    """A parsed einsum equation: per-operand labels, output labels, label sizes."""

    __slots__ = ("inputs", "output", "sizes", "equation")

    def __init__(self, inputs, output, sizes) -> None:
        self.inputs = inputs
        self.output = output
        self.sizes = sizes
        self.equation = ",".join("".join(_LETTERS[c] for c in labels) for labels in inputs) + \
            "->" + "".join(_LETTERS[c] for c in output)

    def __repr__(self) -> str:
        return repr(self.equation)


def _expand_operand(xp, a, labels, sizes):
    full = tuple(sizes[c] for c in labels)
    return a if a.shape == full else xp.broadcast_to(a, full)


def _label(ch: str, pos: int) -> int:
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A")
    if "a" <= ch <= "z":
        return 26 + ord(ch) - ord("a")
    raise RuntimeError(f"einsum(): invalid subscript given at index {pos} in the equation "
                       "string, subscripts must be in [a-zA-Z]")


def _parse(equation: str, shapes: list) -> _Spec:
    """Labels (0..51, then 52.. for ellipsis dims) with PyTorch's checks and messages."""
    lhs, arrow, rhs = equation.partition("->")
    terms = []
    pos = 0
    for term in lhs.split(","):
        labels, ell = [], None
        i = 0
        while i < len(term):
            ch = term[i]
            if ch == ".":
                if term[i:i + 3] != "...":
                    raise RuntimeError(f"einsum(): found '.' for operand {len(terms)} that is not "
                                       "part of any ellipsis")
                if ell is not None:
                    raise RuntimeError(f"einsum(): found '.' for operand {len(terms)} for which an "
                                       "ellipsis was already found")
                ell = len(labels)
                i += 3
                continue
            if ch != " ":
                labels.append(_label(ch, pos + i))
            i += 1
        terms.append((labels, ell))
        pos += len(term) + 1
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    n_ell = 0
    for k, ((labels, ell), shape) in enumerate(zip(terms, shapes)):
        if ell is None and len(labels) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(labels)}) does not match the number of dimensions "
                               f"({len(shape)}) for operand {k} and no ellipsis was given")
        if ell is not None and len(labels) > len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(labels)}) is more than the number of dimensions "
                               f"({len(shape)}) for operand {k}")
        if ell is not None:
            n_ell = max(n_ell, len(shape) - len(labels))
    ell_labels = list(range(52, 52 + n_ell))
    inputs = []
    for labels, ell in terms:
        if ell is None:
            inputs.append(labels)
        else:
            k = len(shapes[len(inputs)]) - len(labels)
            inputs.append(labels[:ell] + ell_labels[n_ell - k:] + labels[ell:])
    counts: dict = {}
    for labels in inputs:
        for c in labels:
            counts[c] = counts.get(c, 0) + 1
    if arrow:
        output = []
        i = 0
        base = len(lhs) + 2
        while i < len(rhs):
            ch = rhs[i]
            if ch == ".":
                if rhs[i:i + 3] != "...":
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis")
                output.extend(ell_labels)
                i += 3
                continue
            if ch != " ":
                c = _label(ch, base + i)
                if c not in counts:
                    raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the "
                                       "equation for any input operand")
                if c in output:
                    raise RuntimeError(f"einsum(): output subscript {ch} appears more than once "
                                       "in the output")
                output.append(c)
            i += 1
    else:
        output = ell_labels + sorted(c for c, n in counts.items() if n == 1 and c < 52)
    sizes: dict = {}
    for k, (labels, shape) in enumerate(zip(inputs, shapes)):
        seen: dict = {}
        for c, s in zip(labels, shape):
            if c in seen and seen[c] != s:
                raise RuntimeError(f"einsum(): subscript {_LETTERS[c] if c < 52 else '.'} is "
                                   f"repeated for operand {k} but the sizes don't match, "
                                   f"{s} != {seen[c]}")
            seen[c] = s
            old = sizes.get(c)
            if old is None or old == 1:
                sizes[c] = s
            elif s != 1 and s != old:
                raise RuntimeError(f"einsum(): subscript {_LETTERS[c] if c < 52 else '.'} has "
                                   f"size {s} for operand {k} which does not broadcast with "
                                   f"previously seen size {old}")
    n_labels = 52 + n_ell
    if n_labels > 52:  # the ellipsis dims need letters of their own for numpy
        free = [c for c in range(52) if c not in sizes]
        if len(free) < n_ell:
            raise RuntimeError("einsum(): too many subscripts in the equation")
        remap = dict(zip(ell_labels, free))
        inputs = [[remap.get(c, c) for c in labels] for labels in inputs]
        output = [remap.get(c, c) for c in output]
        sizes = {remap.get(c, c): s for c, s in sizes.items()}
    return _Spec([tuple(labels) for labels in inputs], tuple(output), sizes)


def _einsum_grad(g: Tensor, inputs, i: int, spec: _Spec) -> Tensor:
    """The gradient of operand ``i``: an einsum of the output gradient with the others."""
    target = list(spec.inputs[i])
    used = set(spec.output)
    for j, labels in enumerate(spec.inputs):
        if j != i:
            used.update(labels)
    # Operands of size-1 dims are broadcast by the einsum's forward; the engine sums their
    # gradients back.
    operands = [g] + [inputs[j] for j in range(len(inputs)) if j != i]
    terms = [spec.output] + [labels for j, labels in enumerate(spec.inputs) if j != i]
    free = [c for c in range(52) if c not in spec.sizes]
    sizes = dict(spec.sizes)
    seen: set = set()
    dtype = g._data.dtype
    for p, c in enumerate(target):
        if c in seen:  # a repeated subscript: the gradient lies on the diagonal
            fresh = free.pop()
            sizes[fresh] = sizes[c]
            target[p] = fresh
            operands.append(Tensor._make(np.eye(sizes[c], dtype=dtype)))
            terms.append((c, fresh))
            continue
        seen.add(c)
        if c not in used:  # summed within this operand only: the gradient broadcasts
            operands.append(Tensor._make(np.ones(sizes[c], dtype=dtype)))
            terms.append((c,))
            used.add(c)
    sub = _Spec(terms, tuple(target), sizes)
    return apply(_einsum_op(len(operands)), *operands, spec=sub,
                 need=tuple(t._rg for t in operands))


def einsum(equation: str, *operands) -> Tensor:
    """Sums of products over subscripts given in Einstein notation (``'ij,jk->ik'``), with
    ``...`` for broadcast dims and an implicit output when ``->`` is left out.

    >>> leafgrad.einsum('ij,jk->ik', leafgrad.ones(2, 3), leafgrad.ones(3, 4)).shape
    leafgrad.Size([2, 4])
    """
    if not isinstance(equation, str) or not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 1, but got "
                            f"{type(t).__name__}")
    spec = _parse(equation, [t._data.shape for t in operands])
    d0 = operands[0]._data.dtype
    for t in operands[1:]:
        if t._data.dtype != d0:
            raise RuntimeError(f"expected scalar type {kind_name(d0)} but found "
                               f"{kind_name(t._data.dtype)}")
    if d0 == _B and len(operands) > 1:
        raise not_implemented("bmm", d0)
    return apply(_einsum_op(len(operands)), *operands, spec=spec,
                 need=tuple(t._rg for t in operands))
