"""Elementwise primitives: forward on backend arrays beside the vjp in leafgrad ops.

Binary ops have a tensor-tensor primitive and, where a Python number is common
(``y * 0.5``), a tensor-number primitive that keeps the number out of the graph
and off the promotion path. Both record PyTorch's node name.

Dtypes follow PyTorch: operands are promoted with ``dtypes.result_type`` (a number
only raises the category: int tensor + 2.5 is float32, float32 + float64 0-d tensor is
float32); float-valued ops (exp, sin, true division ...) compute integer and bool inputs in
the default float dtype; abs, neg, sign, floor ... keep the dtype. Mixed-dtype operands
are cast inside the forward (``_promoting``), so the node links straight to its inputs
as PyTorch's does and the engine casts each gradient back to its input's dtype.

Every vjp here runs on Tensors (create_graph) and, for a first-order backward, on backend
arrays (``array_vjp``): it uses operators and the ``_dual`` helpers below, which pick the
NumPy or the leafgrad function by the type of their argument.
"""

from __future__ import annotations

import math
import warnings

from .. import dtypes as _dt
from ..backend import maximum as _maximum
from ..backend import minimum as _minimum
from ..backend import np
from ..tensor import Tensor
from ._dispatch import cast, const
from .indexing import nonzero
from .logical import (
    NUMBERS,
    broadcast_shapes,
    invalid_combination,
    isfinite,
    kind_name,
    not_implemented,
    not_tensor,
    number,
    type_name,
)
from .logical import isnan as _lg_isnan
from .registry import Op, apply, apply1, apply2

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "float_power", "neg", "negative", "positive",
    "abs", "absolute", "sign", "sgn", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan",
    "arcsin", "arccos", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "relu", "clamp", "clip", "clamp_min",
    "clamp_max", "maximum", "minimum", "fmax", "fmin", "where", "lerp", "floor", "ceil",
    "round", "trunc", "fix", "frac", "erf", "erfc", "copysign", "logaddexp", "logaddexp2",
    "hypot", "xlogy", "nan_to_num", "addcmul", "addcdiv",
]
# Tensor methods: every function but rsub (not a method in PyTorch) and where (whose method
# takes the condition second: bound in ``dunders`` below).
methods = [n for n in __all__ if n not in ("rsub", "where")]

_ndarray = np.ndarray
_float = float
_int = int
_OPERANDS = (Tensor,) + NUMBERS
_I64 = 1 << 63  # Python ints beyond int64 are PyTorch's OverflowError (in ``number``)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_SQRT_PI = math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2.0 / _SQRT_PI
_NOT_IMPLEMENTED = "NotImplemented"  # PyTorch's node for an op without a derivative
_NO_EDGE = (None, 0)
_np_isfinite = np.isfinite


# -- helpers ----------------------------------------------------------------------------
def _is_t(a) -> bool:
    return isinstance(a, Tensor)


def _where(c, a, b):
    """``where`` on Tensors or on backend arrays (a vjp's first-order backward)."""
    if _is_t(c):
        return where(c, a, b)
    if c.dtype is _BOOL:
        # A masked gradient (relu, clamp ...): NumPy's where is branchy and several times
        # slower than ANDing the gradient's bits with a mask of ones where it is kept:
        # exact, +0.0 where dropped, inf and NaN kept as they are.
        if a.__class__ is _int and a == 0 and b.__class__ is _ndarray and c.shape == b.shape:
            bits = _BITS.get(b.dtype)
            if bits is not None:
                return _keep_bits(c.view(_INT8) - _ONE8, b, bits)  # c: 0, else -1
            return b * ~c
        if b.__class__ is _int and b == 0 and a.__class__ is _ndarray and c.shape == a.shape:
            bits = _BITS.get(a.dtype)
            if bits is not None:
                return _keep_bits(-c.view(_INT8), a, bits)  # c: -1, else 0
            return a * c
    return np.where(c, a, b)


# Array vjps reuse their own temporaries from this size on: a fresh big array costs a pass
# over cold memory, while NumPy's in-place and out= calls cost ~0.5 us more on tiny ones.
_IN_PLACE_FROM = 4096


def _keep_bits(mask8, g, bits):
    """``g`` where the int8 ``mask8`` is -1 (all ones), +0.0 where it is 0."""
    m = mask8.astype(bits)
    m &= g.view(bits)
    return m.view(g.dtype)


_BOOL = np.dtype(bool)
_INT8 = np.int8
_ONE8 = np.int8(1)
_BITS = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32,
         np.dtype(np.float64): np.int64}


def _zeros_like(g):
    if _is_t(g):
        return Tensor._make(np.zeros(g._data.shape, g._data.dtype))
    return np.zeros_like(g)


def _dual(array_fn, tensor_fn):
    """A function of one operand that runs ``array_fn`` on arrays and ``tensor_fn`` on Tensors."""

    def f(x):
        return tensor_fn(x) if _is_t(x) else array_fn(x)

    return f


def _default_float():
    return _dt.get_default_dtype().np


def _tensor_input(x, fn: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    raise not_tensor(fn, "input", 1, x)


def _float_arg(x, fn: str) -> Tensor:
    """The input of a float-valued op: integer and bool tensors in the default float dtype."""
    try:
        k = x._data.dtype.kind
    except AttributeError:
        raise not_tensor(fn, "input", 1, x) from None
    if k == "f":
        return x
    return Tensor._make(x._data.astype(_default_float()))  # never requires grad


def _as_cast(t: Tensor, d) -> Tensor:
    """``t`` in NumPy dtype ``d`` for a tensor that cannot require grad (a plain copy)."""
    return t if t._data.dtype == d else Tensor._make(t._data.astype(d))


def _from_array(a):
    """A NumPy operand of an operator (``x * arr``; a vjp's 0-d constant) as a tensor."""
    if a.dtype in _dt.FROM_NP:
        return Tensor._make(a)
    from ..creation import tensor

    return tensor(a)  # its clear error for unsupported dtypes


_PROMOTING: dict = {}


def _promoting(op: type[Op]) -> type[Op]:
    """``op`` computing in ``dtype`` from operands of other dtypes (cast in the forward).

    The node keeps PyTorch's shape: edges straight to the inputs (no ToCopyBackward0),
    the vjp sees the inputs in the computation dtype, the engine casts each gradient back;
    inputs that are not floating (``floats``) get no gradient at all.
    """
    cls = _PROMOTING.get(op)
    if cls is not None:
        return cls
    fwd, vjp = op.forward, op.vjp

    def forward(xp, *arrays, dtype, floats, **attrs):
        return fwd(xp, *[a if a.dtype == dtype else a.astype(dtype) for a in arrays], **attrs)

    def backward(g, out, *inputs, dtype, floats, **attrs):
        # The saved inputs in the computation dtype (-x of a bool input is no number).
        cast_ = [a if a is None else (cast(a, _dt.FROM_NP[dtype]) if _is_t(a)
                                      else a.astype(dtype, copy=False)) for a in inputs]
        grads = vjp(g, out, *cast_, **attrs)
        return tuple(gi if f else None for gi, f in zip(grads, floats))

    cls = type(op.__name__ + "Promoting", (Op,), {
        "forward": forward, "vjp": backward, "name": op.node_cls.__name__, "args": op.args,
        "saves": op.saves, "array_vjp": op.array_vjp, "__module__": __name__,
        "__doc__": f"{op.__name__} on operands of mixed dtypes."})
    cls.node_cls.name = op.node_cls.name  # (NotImplemented's long name)
    _PROMOTING[op] = cls
    return cls


def _promoted(op: type[Op], tensors, d, **attrs):
    """``apply(op, *tensors)`` computing in NumPy dtype ``d`` (mixed-dtype operands)."""
    floats = tuple([t._data.dtype.kind == "f" for t in tensors])
    return apply(_promoting(op), *tensors, dtype=d, floats=floats, **attrs)


def _apply2(op, x: Tensor, y: Tensor, d=None):
    """``op(x, y)`` for two tensors, in dtype ``d`` (their promoted dtype by default)."""
    if d is None:
        d = x._data.dtype if x._data.dtype is y._data.dtype else _dt.result_type(x, y).np
    try:
        if x._data.dtype == d and y._data.dtype == d:
            return apply(op, x, y)
        return _promoted(op, (x, y), d)
    except ValueError:
        broadcast_shapes(x._data.shape, y._data.shape)
        raise


def _binary(op, sop, x: Tensor, y, fn: str):
    """``op(x, y)`` with PyTorch's promotion; ``sop(x, other=number)`` for a number ``y``
    (``sop`` None: the number joins as a 0-d tensor)."""
    c = y.__class__
    if c is Tensor or isinstance(y, Tensor):
        return _apply2(op, x, y)
    if (c is _float or (c is _int and -_I64 <= y < _I64)) and sop is not None:
        dt = x._data.dtype
        if dt.kind == "f":
            return _scalar_op(sop, x, const(y, dt))
    return _with_number(op, sop, x, y, fn)


def _scalar_op(sop, x: Tensor, c):
    """``sop(x, other=c)``: + - * / with a number. PyTorch wraps the number as a tensor, so
    its node has a second edge, to nothing: so does ours."""
    return apply(sop, x, other=c)  # sop.number_edge: apply adds the edge to nothing


def _with_number(op, sop, x: Tensor, y, fn: str):
    if not isinstance(y, NUMBERS):
        if isinstance(y, _ndarray) and y.ndim == 0:  # a vjp's constant
            return _apply2(op, x, _from_array(y))
        raise not_tensor(fn, "other", 2, y)
    d = _dt.result_type(x, y).np
    x = _as_cast(x, d)  # only integer and bool tensors change dtype here: no grad to lose
    c = number(y, d)
    if sop is None:
        return apply(op, x, Tensor._make(c))
    return _scalar_op(sop, x, c)


def _lift(x, y, fn: str):
    """A number first operand, as a 0-d tensor (when ``y`` is a tensor or both are numbers)."""
    if isinstance(x, NUMBERS) and isinstance(y, _OPERANDS):
        if isinstance(y, Tensor):
            return Tensor._make(number(x, _dt.result_type(y, x).np))
        return Tensor._make(number(x, _dt.result_type(x, y).np))
    raise not_tensor(fn, "input", 1, x)


def _check_zero_division(b) -> None:
    if (b == 0).any():
        raise RuntimeError("ZeroDivisionError")


# -- add / sub / rsub / mul ----------------------------------------------------------------
class Add(Op):
    array_vjp = True
    args = ("self", "other")

    def forward(xp, x, y):
        return xp.add(x, y)

    def vjp(g, out, x, y):
        return g, g


class AddScalar(Op):
    number_edge = True  # PyTorch wraps the number as a tensor: a second edge
    array_vjp = True
    name = "AddBackward0"

    def forward(xp, x, *, other):
        return x + other

    def vjp(g, out, x, *, other):
        return g


class AddAlpha(Op):
    """input + alpha * other."""

    array_vjp = True
    name = "AddBackward0"
    args = ("self", "other")

    def forward(xp, x, y, *, alpha):
        return xp.add(x, y * alpha)

    def vjp(g, out, x, y, *, alpha):
        return g, g * alpha


class Sub(Op):
    array_vjp = True
    args = ("self", "other")

    def forward(xp, x, y):
        return xp.subtract(x, y)

    def vjp(g, out, x, y):
        return g, -g


class SubScalar(Op):
    number_edge = True  # PyTorch wraps the number as a tensor: a second edge
    array_vjp = True
    name = "SubBackward0"

    def forward(xp, x, *, other):
        return x - other

    def vjp(g, out, x, *, other):
        return g


class SubAlpha(Op):
    """input - alpha * other."""

    array_vjp = True
    name = "SubBackward0"
    args = ("self", "other")

    def forward(xp, x, y, *, alpha):
        return xp.subtract(x, y * alpha)

    def vjp(g, out, x, y, *, alpha):
        return g, g * -alpha


class Rsub(Op):
    """other - alpha * input."""

    array_vjp = True
    name = "RsubBackward0"
    args = ("self", "other")

    def forward(xp, x, y, *, alpha):
        return xp.subtract(y, x * alpha)

    def vjp(g, out, x, y, *, alpha):
        return g * -alpha, g


class RsubScalar(Op):
    """number - input."""

    array_vjp = True
    name = "RsubBackward1"

    def forward(xp, x, *, other):
        return other - x

    def vjp(g, out, x, *, other):
        return -g


class RsubScalarAlpha(Op):
    """number - alpha * input."""

    array_vjp = True
    name = "RsubBackward1"

    def forward(xp, x, *, other, alpha):
        return other - x * alpha

    def vjp(g, out, x, *, other, alpha):
        return g * -alpha


class Mul(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.multiply(x, y)

    def vjp(g, out, x, y):
        return g * y, g * x


class MulScalar(Op):
    number_edge = True  # PyTorch wraps the number as a tensor: a second edge
    array_vjp = True
    name = "MulBackward0"

    def forward(xp, x, *, other):
        return x * other

    def vjp(g, out, x, *, other):
        return g * other


def _check_alpha(alpha, d) -> None:
    if isinstance(alpha, (bool, np.bool_)):
        if d.np.kind != "b":
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif d.np.kind != "f" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number.")


def _with_alpha(op, sop, x: Tensor, y, alpha, fn: str):
    """``x (op) alpha * y`` (add, sub): alpha is checked and cast as PyTorch does."""
    if not isinstance(y, _OPERANDS):
        raise not_tensor(fn, "other", 2, y)
    d = _dt.result_type(x, y)
    _check_alpha(alpha, d)
    if not isinstance(y, Tensor):
        return _binary(op.plain, sop, x, number(y, d.np) * number(alpha, d.np), fn)
    a = number(alpha, d.np)
    try:
        if x._data.dtype == d.np and y._data.dtype == d.np:
            return apply(op, x, y, alpha=a)
        return _promoted(op, (x, y), d.np, alpha=a)
    except ValueError:
        broadcast_shapes(x._data.shape, y._data.shape)
        raise


AddAlpha.plain = Add
SubAlpha.plain = Sub


def add(input: Tensor, other, *, alpha=1) -> Tensor:
    """input + alpha * other, with broadcasting and type promotion.

    >>> leafgrad.add(leafgrad.tensor([1., 2.]), 1)
    tensor([2., 3.])
    """
    if input.__class__ is not Tensor and not isinstance(input, Tensor):
        input = _lift(input, other, "add")
    if alpha.__class__ is _int and alpha == 1:
        return _binary(Add, AddScalar, input, other, "add")
    return _with_alpha(AddAlpha, AddScalar, input, other, alpha, "add")


def _check_not_bool_sub(x, y) -> None:
    xb = isinstance(x, Tensor) and x._data.dtype.kind == "b"
    yb = (isinstance(y, Tensor) and y._data.dtype.kind == "b") or isinstance(y, (bool, np.bool_))
    if xb and yb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if xb or yb:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(input: Tensor, other, *, alpha=1) -> Tensor:
    """input - alpha * other.

    >>> leafgrad.sub(leafgrad.tensor([1., 2.]), 1)
    tensor([0., 1.])
    """
    if input.__class__ is not Tensor and not isinstance(input, Tensor):
        input = _lift(input, other, "sub")
    _check_not_bool_sub(input, other)
    if alpha.__class__ is _int and alpha == 1:
        return _binary(Sub, SubScalar, input, other, "sub")
    return _with_alpha(SubAlpha, SubScalar, input, other, alpha, "sub")


subtract = sub

_RSUB_SIGNATURES = ("Tensor input, Tensor other, *, Number alpha = 1",
                    "Tensor input, Number other, Number alpha = 1")


def rsub(input: Tensor, other, *, alpha=1) -> Tensor:
    """other - alpha * input (``number - tensor`` runs this)."""
    if not isinstance(input, Tensor) or not isinstance(other, _OPERANDS):
        raise invalid_combination("rsub", (type_name(input), type_name(other)),
                                  _RSUB_SIGNATURES)
    x = input
    c = other.__class__
    if (c is _float or (c is _int and -_I64 <= other < _I64)) and alpha.__class__ is _int \
            and alpha == 1:
        dt = x._data.dtype
        if dt.kind == "f":
            return apply(RsubScalar, x, other=const(other, dt))
    _check_not_bool_sub(x, other)
    d = _dt.result_type(x, other)
    _check_alpha(alpha, d)
    a = number(alpha, d.np)
    if isinstance(other, Tensor):
        try:
            if x._data.dtype == d.np and other._data.dtype == d.np:
                return apply(Rsub, x, other, alpha=a)
            return _promoted(Rsub, (x, other), d.np, alpha=a)
        except ValueError:
            broadcast_shapes(x._data.shape, other._data.shape)
            raise
    x = _as_cast(x, d.np)
    if alpha.__class__ is _int and alpha == 1:
        return apply(RsubScalar, x, other=number(other, d.np))
    return apply(RsubScalarAlpha, x, other=number(other, d.np), alpha=a)


def mul(input: Tensor, other) -> Tensor:
    """input * other, with broadcasting and type promotion.

    >>> leafgrad.mul(leafgrad.tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    if input.__class__ is not Tensor and not isinstance(input, Tensor):
        input = _lift(input, other, "mul")
    return _binary(Mul, MulScalar, input, other, "mul")


multiply = mul


# -- division ------------------------------------------------------------------------------
class Div(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.true_divide(x, y)

    def vjp(g, out, x, y):
        gx = g / y
        return gx, -gx * x / y


class DivScalar(Op):
    number_edge = True  # PyTorch wraps the number as a tensor: a second edge
    array_vjp = True
    name = "DivBackward0"

    def forward(xp, x, *, other):
        return x / other

    def vjp(g, out, x, *, other):
        return g / other


def _div_floor(xp, x, y):
    return xp.floor_divide(x, y)  # Python's floor division, as PyTorch's div_floor


def _div_trunc(xp, x, y):
    if x.dtype.kind == "f":
        return xp.trunc(x / y)
    q = xp.floor_divide(x, y)
    # floor and truncation differ where the signs differ and the division is inexact
    return q + (((x % y) != 0) & ((x < 0) != (y < 0)))


class DivMode(Op):
    """input / other rounded ('trunc' or 'floor'): a step function, zero gradient."""

    array_vjp = True
    name = "DivBackward2"
    args = ("self", "other")

    def forward(xp, x, y, *, rounding_mode):
        return (_div_floor if rounding_mode == "floor" else _div_trunc)(xp, x, y)

    def vjp(g, out, x, y, *, rounding_mode):
        z = _zeros_like(g)
        return z, z


class FloorDivide(Op):
    """``//``: PyTorch records it but has no derivative for it."""

    array_vjp = True
    name = _NOT_IMPLEMENTED
    args = ("self", "other")

    def forward(xp, x, y):
        return xp.floor_divide(x, y)

    def vjp(g, out, x, y):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class FloorDivideScalar(Op):
    """tensor // number."""

    array_vjp = True
    name = _NOT_IMPLEMENTED

    def forward(xp, x, *, other):
        return xp.floor_divide(x, other)

    def vjp(g, out, x, *, other):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _not_implemented_name(self) -> str:
    return "leafgrad::autograd::NotImplemented"


FloorDivide.node_cls.name = FloorDivideScalar.node_cls.name = _not_implemented_name


def div(input: Tensor, other, *, rounding_mode: str | None = None) -> Tensor:
    """input / other; integer inputs give the default float dtype (true division).

    ``rounding_mode``: 'trunc' rounds toward zero, 'floor' down (integer dtypes kept).

    >>> leafgrad.div(leafgrad.tensor([1, 2]), 2)
    tensor([0.5000, 1.0000])
    """
    if rounding_mode is not None:
        return _div_rounding(input, other, rounding_mode)
    x = input
    if x.__class__ is not Tensor and not isinstance(x, Tensor):
        x = _lift(x, other, "div")
    xd = x._data.dtype
    c = other.__class__
    if c is _float or (c is _int and -_I64 <= other < _I64):
        if xd.kind == "f":
            return _scalar_op(DivScalar, x, const(other, xd))
    elif c is Tensor or isinstance(other, Tensor):
        yd = other._data.dtype
        if xd is yd and xd.kind == "f":
            return _apply2(Div, x, other, xd)
        d = _dt.result_type(x, other).np
        return _apply2(Div, x, other, d if d.kind == "f" else _default_float())
    elif not isinstance(other, NUMBERS):
        raise not_tensor("div", "other", 2, other)
    d = _dt.result_type(x, other).np
    if d.kind != "f":
        d = _default_float()
    return _scalar_op(DivScalar, _as_cast(x, d), number(other, d))


divide = div


def true_divide(input: Tensor, other) -> Tensor:
    """input / other (alias of ``div`` without rounding)."""
    return div(input, other)


def _rounding_operands(x, y, fn: str):
    """(x, y) as tensors of their promoted dtype for //, %, fmod and rounded division."""
    if not isinstance(x, Tensor):
        x = _lift(x, y, fn)
    if isinstance(y, Tensor):
        return x, y, _dt.result_type(x, y).np
    if isinstance(y, _ndarray) and y.ndim == 0:
        y = _from_array(y)
        return x, y, _dt.result_type(x, y).np
    if not isinstance(y, NUMBERS):
        raise not_tensor(fn, "other", 2, y)
    d = _dt.result_type(x, y).np
    return _as_cast(x, d), Tensor._make(number(y, d)), d


def _integer_result(fn, x: Tensor, y: Tensor, d) -> Tensor:
    a, b = x._data.astype(d, copy=False), y._data.astype(d, copy=False)
    try:
        _check_zero_division(b)
        out = fn(np, a, b)
    except ValueError:
        broadcast_shapes(a.shape, b.shape)
        raise
    return Tensor._make(np.asarray(out))


def _div_rounding(input, other, rounding_mode) -> Tensor:
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    x, y, d = _rounding_operands(input, other, "div")
    if d.kind == "b":
        raise not_implemented(f"div_{rounding_mode}_cpu", d)
    if d.kind != "f":
        fn = _div_floor if rounding_mode == "floor" else _div_trunc
        return _integer_result(fn, x, y, d)
    try:
        if x._data.dtype == d and y._data.dtype == d:
            return apply(DivMode, x, y, rounding_mode=rounding_mode)
        return _promoted(DivMode, (x, y), d, rounding_mode=rounding_mode)
    except ValueError:
        broadcast_shapes(x._data.shape, y._data.shape)
        raise


def floor_divide(input, other) -> Tensor:
    """input // other: division rounded down (integer dtypes kept; no derivative).

    >>> leafgrad.floor_divide(leafgrad.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    x, y, d = _rounding_operands(input, other, "floor_divide")
    if d.kind == "b":
        raise not_implemented("div_floor_cpu", d)
    if d.kind != "f":
        return _integer_result(_div_floor, x, y, d)
    if not isinstance(other, Tensor) and isinstance(input, Tensor):
        return apply(FloorDivideScalar, x, other=y._data)
    return _apply2(FloorDivide, x, y, d)


def _remainder(xp, x, y):
    if x.dtype.kind != "f":
        return xp.remainder(x, y)
    # fmod, moved into the divisor's sign (a zero keeps fmod's sign, as in PyTorch)
    m = xp.fmod(x, y)
    return xp.where((m != 0) & ((y < 0) != (m < 0)), m + y, m)


class Remainder(Op):
    array_vjp = True
    name = "RemainderBackward1"
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return _remainder(xp, x, y)

    def vjp(g, out, x, y):
        return g, -g * _floor_div(x, y)


class RemainderScalar(Op):
    array_vjp = True
    name = "RemainderBackward0"

    def forward(xp, x, *, other):
        return _remainder(xp, x, other)

    def vjp(g, out, x, *, other):
        return g


class RemainderOfNumber(Op):
    """number % tensor: PyTorch records it but has no derivative for it."""

    array_vjp = True
    name = _NOT_IMPLEMENTED
    args = ("other",)

    def forward(xp, y, *, self):
        return _remainder(xp, self, y)

    def vjp(g, out, y, *, self):
        raise RuntimeError("derivative for aten::remainder is not implemented")


RemainderOfNumber.node_cls.name = _not_implemented_name


class Fmod(Op):
    array_vjp = True
    name = "FmodBackward1"
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.fmod(x, y)

    def vjp(g, out, x, y):
        return g, -g * _trunc_div(x, y)


class FmodScalar(Op):
    array_vjp = True
    name = "FmodBackward0"

    def forward(xp, x, *, other):
        return xp.fmod(x, other)

    def vjp(g, out, x, *, other):
        return g


def _floor_div(x, y):
    if _is_t(x):
        return div(x, y, rounding_mode="floor")
    return np.floor_divide(x, y)


def _trunc_div(x, y):
    if _is_t(x):
        return div(x, y, rounding_mode="trunc")
    return _div_trunc(np, x, y)


def remainder(input, other) -> Tensor:
    """Python's modulus: ``input - floor(input / other) * other`` (the divisor's sign).

    >>> leafgrad.remainder(leafgrad.tensor([-3., 3.]), 2)
    tensor([1., 1.])
    """
    first_number = not isinstance(input, Tensor)
    x, y, d = _rounding_operands(input, other, "remainder")
    if d.kind == "b":
        raise not_implemented("remainder_cpu", d)
    if d.kind != "f":
        return _integer_result(_remainder, x, y, d)
    if first_number:
        return apply(RemainderOfNumber, _as_cast(y, d), self=x._data.astype(d))
    if isinstance(other, Tensor):
        return _apply2(Remainder, x, y, d)
    return apply(RemainderScalar, x, other=y._data)


_FMOD_SIGNATURES = ("Tensor input, Tensor other, *, Tensor out = None",
                    "Tensor input, Number other, *, Tensor out = None")


def fmod(input: Tensor, other) -> Tensor:
    """C's fmod: ``input - trunc(input / other) * other`` (the dividend's sign).

    >>> leafgrad.fmod(leafgrad.tensor([-3., 3.]), 2)
    tensor([-1.,  1.])
    """
    if not isinstance(input, Tensor):
        raise invalid_combination("fmod", (type_name(input), type_name(other)),
                                  _FMOD_SIGNATURES)
    x, y, d = _rounding_operands(input, other, "fmod")
    if d.kind == "b":
        raise not_implemented("fmod_cpu", d)
    if d.kind != "f":
        return _integer_result(lambda xp, a, b: xp.fmod(a, b), x, y, d)
    if isinstance(other, Tensor):
        return _apply2(Fmod, x, y, d)
    return apply(FmodScalar, x, other=y._data)


# -- powers --------------------------------------------------------------------------------
class PowScalar(Op):
    """x ** exponent for a number exponent."""

    array_vjp = True
    name = "PowBackward0"
    saves = ("self",)

    def forward(xp, x, *, exponent):
        if exponent == 2:
            return x * x  # what NumPy's and PyTorch's power do for 2, without the dispatch
        return xp.power(x, exponent)

    def vjp(g, out, x, *, exponent):
        if exponent == 0:
            return _zeros_like(g)
        if exponent == 2:
            t = g * x
            if t.__class__ is _ndarray and t.size >= _IN_PLACE_FROM:
                t += t
                return t
            return t + t
        return g * (exponent * x ** (exponent - 1))


class Pow(Op):
    name = "PowBackward1"
    array_vjp = True
    args = ("self", "exponent")
    saves = ("self", "exponent", "result")

    def forward(xp, x, y):
        return xp.power(x, y)

    def vjp(g, out, x, y):
        gx = _where(y == 0, 0.0, g * (y * x ** (y - 1)))
        # d/dy x**y = x**y log x, taken as 0 where x == 0 and y >= 0 (PyTorch's convention)
        gy = g * _where((x == 0) & (y >= 0), 0.0, out * _log(x))
        return gx, gy


class RpowScalar(Op):
    """number ** x."""

    array_vjp = True
    name = "PowBackward2"
    args = ("exponent",)
    saves = ("exponent", "result")

    def forward(xp, y, *, base):
        return xp.power(base, y)

    def vjp(g, out, y, *, base):
        b = float(base)
        if b > 0:
            return g * (out * math.log(b))
        if b == 0:  # 0 ** y: no gradient where y >= 0; -inf * out (inf) elsewhere
            # a constant factor, so that a double backward sees 0, not 0 * inf, where y >= 0
            o = out._data if _is_t(out) else out
            f = np.where((y._data if _is_t(y) else y) >= 0, 0, o * -math.inf).astype(o.dtype)
            return g * (Tensor._make(f) if _is_t(g) else f)
        return g * (out * math.nan)


def _int_power(a, e):
    """Integer ``a ** e`` with PyTorch's answer for negative exponents: 1 ** e = 1,
    (-1) ** e = +-1, anything else 0 (no error)."""
    neg = e < 0
    if not neg.any():
        return np.power(a, e)
    p = np.power(a, np.where(neg, 0, e))
    one = np.ones_like(p)
    odd = (e % 2) != 0
    inv = np.where(a == 1, one, np.where(a == -1, np.where(odd, -one, one), 0 * one))
    return np.where(neg, inv, p)


_INT_CTYPE = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
              "int64": "int64_t"}
_POW_SIGNATURES = ("Tensor input, Tensor exponent, *, Tensor out = None",
                   "Number self, Tensor exponent, *, Tensor out = None",
                   "Tensor input, Number exponent, *, Tensor out = None")


def _pow_number(x: Tensor, e) -> Tensor:
    if isinstance(e, (np.number, np.bool_)):
        e = e.item()
    d = _dt.result_type(x, e).np
    if d.kind == "f":
        return apply(PowScalar, _as_cast(x, d), exponent=e)
    if not isinstance(e, bool) and e < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    a = x._data
    if d.kind == "b":  # bool ** bool
        return Tensor._make(a.copy() if e else np.ones(a.shape, np.bool_))
    info = np.iinfo(d)
    if not info.min <= e <= info.max:
        raise RuntimeError(f"value cannot be converted to type {_INT_CTYPE[d.name]} "
                           "without overflow")
    return Tensor._make(np.asarray(np.power(a.astype(d, copy=False), number(e, d))))


def _pow_tensors(x: Tensor, y: Tensor) -> Tensor:
    d = _dt.result_type(x, y).np
    if d.kind == "b":
        raise not_implemented("pow", d)
    if d.kind == "f":
        return _apply2(Pow, x, y, d)
    a, b = x._data.astype(d, copy=False), y._data.astype(d, copy=False)
    try:
        return Tensor._make(np.asarray(_int_power(a, b)))
    except ValueError:
        broadcast_shapes(a.shape, b.shape)
        raise


def pow(input, exponent) -> Tensor:  # noqa: A001
    """input ** exponent, elementwise (either may be a number).

    >>> leafgrad.pow(leafgrad.tensor([1., 2., 3.]), 2)
    tensor([1., 4., 9.])
    """
    if input.__class__ is Tensor or isinstance(input, Tensor):
        c = exponent.__class__
        if c is _int or c is _float:
            if input._data.dtype.kind == "f":
                return apply1(PowScalar, input, {"exponent": exponent})
            return _pow_number(input, exponent)
        if c is Tensor or isinstance(exponent, Tensor):
            return _pow_tensors(input, exponent)
        if isinstance(exponent, NUMBERS):
            return _pow_number(input, exponent)
        if isinstance(exponent, _ndarray) and exponent.ndim == 0:  # a vjp's constant
            return _pow_tensors(input, _from_array(exponent))
    elif isinstance(input, NUMBERS) and isinstance(exponent, Tensor):
        return _rpow(input, exponent)
    raise invalid_combination("pow", (type_name(input), type_name(exponent)), _POW_SIGNATURES)


def _rpow(base, y: Tensor) -> Tensor:
    if isinstance(base, (np.number, np.bool_)):
        base = base.item()
    d = _dt.result_type(y, base).np
    if d.kind == "b":
        raise not_implemented("pow", d)
    if d.kind != "f":
        e = y._data.astype(d, copy=False)
        return Tensor._make(np.asarray(_int_power(number(base, d), e)))
    return apply(RpowScalar, _as_cast(y, d), base=number(base, d))


def float_power(input, exponent) -> Tensor:
    """input ** exponent computed in float64 (the result is float64).

    >>> leafgrad.float_power(leafgrad.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=leafgrad.float64)
    """
    f64 = _dt.float64
    if isinstance(input, Tensor):
        x = cast(input, f64)  # recorded, as PyTorch records ToCopyBackward0 here
        if isinstance(exponent, Tensor):
            return _apply2(Pow, x, cast(exponent, f64))
        if isinstance(exponent, NUMBERS):
            e = exponent.item() if isinstance(exponent, (np.number, np.bool_)) else exponent
            return apply(PowScalar, x, exponent=float(e))
    elif isinstance(input, NUMBERS) and isinstance(exponent, Tensor):
        b = input.item() if isinstance(input, (np.number, np.bool_)) else input
        return apply(RpowScalar, cast(exponent, f64), base=const(float(b), np.float64))
    raise invalid_combination("float_power", (type_name(input), type_name(exponent)),
                              _POW_SIGNATURES)


def square(input: Tensor) -> Tensor:
    """input ** 2 (integer and bool inputs give integers, as PyTorch's square)."""
    return pow(_tensor_input(input, "square"), 2)


# -- sign-like -----------------------------------------------------------------------------
class Neg(Op):
    array_vjp = True

    def forward(xp, x):
        return xp.negative(x)

    def vjp(g, out, x):
        return -g


def _sign_array(x):
    if x.dtype.kind == "f":  # sign(nan) and sign(-0.0) are 0, as in PyTorch
        return (x > 0).astype(x.dtype) - (x < 0)
    if x.dtype.kind == "b":
        return x.copy()
    return np.sign(x)


class Abs(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.abs(x)

    def vjp(g, out, x):
        return g * _sign(x)  # abs'(0) = 0


class Sign(Op):
    array_vjp = True

    def forward(xp, x):
        return _sign_array(x)

    def vjp(g, out, x):
        return _zeros_like(g)


class Sgn(Sign):
    pass


def neg(input: Tensor) -> Tensor:
    """-input."""
    try:
        k = input._data.dtype.kind
    except AttributeError:
        raise not_tensor("neg", "input", 1, input) from None
    if k == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return apply1(Neg, input)


negative = neg


def positive(input: Tensor) -> Tensor:
    """input itself (unary ``+``)."""
    if _tensor_input(input, "positive")._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def abs(input: Tensor) -> Tensor:  # noqa: A001
    """|input|, keeping the dtype (abs'(0) is taken as 0)."""
    x = _tensor_input(input, "abs")
    if x._data.dtype.kind == "b":
        raise not_implemented("abs_cpu", x._data.dtype)
    return apply(Abs, x)


absolute = abs


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for NaN), keeping the dtype."""
    return apply(Sign, _tensor_input(input, "sign"))


def sgn(input: Tensor) -> Tensor:
    """The sign of each element (``sign`` for real tensors)."""
    return apply(Sgn, _tensor_input(input, "sgn"))


# -- exponentials and logarithms -----------------------------------------------------------
_exp = _dual(np.exp, lambda x: exp(x))
_exp2 = _dual(np.exp2, lambda x: exp2(x))
_log = _dual(np.log, lambda x: log(x))
_sin = _dual(np.sin, lambda x: sin(x))
_cos = _dual(np.cos, lambda x: cos(x))
_sinh = _dual(np.sinh, lambda x: sinh(x))
_cosh = _dual(np.cosh, lambda x: cosh(x))
_rsqrt = _dual(lambda x: 1 / np.sqrt(x), lambda x: rsqrt(x))
_sign = _dual(_sign_array, lambda x: sign(x))
_isnan = _dual(np.isnan, _lg_isnan)
_isfinite = _dual(np.isfinite, isfinite)


class Exp(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.exp(x)

    def vjp(g, out, x):
        return g * out


class Exp2(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.exp2(x)

    def vjp(g, out, x):
        return g * (out * _LN2)


class Expm1(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.expm1(x)

    def vjp(g, out, x):
        return g * (out + 1)


class Log(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.log(x)

    def vjp(g, out, x):
        return g / x


class Log2(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.log2(x)

    def vjp(g, out, x):
        return g / (x * _LN2)


class Log10(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.log10(x)

    def vjp(g, out, x):
        return g / (x * _LN10)


class Log1p(Op):
    array_vjp = True
    name = "Log1PBackward0"
    saves = ("self",)

    def forward(xp, x):
        return xp.log1p(x)

    def vjp(g, out, x):
        return g / (x + 1)


class Sqrt(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.sqrt(x)

    def vjp(g, out, x):
        return g / (2 * out)  # inf at 0, as in PyTorch


class Rsqrt(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return 1 / xp.sqrt(x)

    def vjp(g, out, x):
        return g * (out * out * out) * -0.5


class Reciprocal(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.reciprocal(x)

    def vjp(g, out, x):
        return -g * (out * out)


def exp(input: Tensor) -> Tensor:
    """e ** input, elementwise.

    >>> leafgrad.exp(leafgrad.tensor([0., 1.]))
    tensor([1.0000, 2.7183])
    """
    if input.__class__ is Tensor and input._data.dtype.kind == "f":
        return apply1(Exp, input)
    return apply(Exp, _float_arg(input, "exp"))


def exp2(input: Tensor) -> Tensor:
    """2 ** input, elementwise."""
    return apply(Exp2, _float_arg(input, "exp2"))


def expm1(input: Tensor) -> Tensor:
    """exp(input) - 1, accurate near 0."""
    return apply(Expm1, _float_arg(input, "expm1"))


def log(input: Tensor) -> Tensor:
    """Natural logarithm, elementwise (nan below 0, -inf at 0)."""
    if input.__class__ is Tensor and input._data.dtype.kind == "f":
        return apply1(Log, input)
    return apply(Log, _float_arg(input, "log"))


def log2(input: Tensor) -> Tensor:
    """Base-2 logarithm, elementwise."""
    return apply(Log2, _float_arg(input, "log2"))


def log10(input: Tensor) -> Tensor:
    """Base-10 logarithm, elementwise."""
    return apply(Log10, _float_arg(input, "log10"))


def log1p(input: Tensor) -> Tensor:
    """log(1 + input), accurate near 0."""
    return apply(Log1p, _float_arg(input, "log1p"))


def sqrt(input: Tensor) -> Tensor:
    """Square root, elementwise (its gradient at 0 is inf)."""
    if input.__class__ is Tensor and input._data.dtype.kind == "f":
        return apply(Sqrt, input)
    return apply(Sqrt, _float_arg(input, "sqrt"))


def rsqrt(input: Tensor) -> Tensor:
    """1 / sqrt(input), elementwise."""
    return apply(Rsqrt, _float_arg(input, "rsqrt"))


def reciprocal(input: Tensor) -> Tensor:
    """1 / input, elementwise (integer inputs give the default float dtype)."""
    return apply(Reciprocal, _float_arg(input, "reciprocal"))


# -- trigonometric and hyperbolic ----------------------------------------------------------
class Sin(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.sin(x)

    def vjp(g, out, x):
        return g * _cos(x)


class Cos(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.cos(x)

    def vjp(g, out, x):
        return g * -_sin(x)


class Tan(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.tan(x)

    def vjp(g, out, x):
        return g * (out * out + 1)


class Asin(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.arcsin(x)

    def vjp(g, out, x):
        return g * _rsqrt(1 - x * x)


class Acos(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.arccos(x)

    def vjp(g, out, x):
        return g * -_rsqrt(1 - x * x)


class Atan(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.arctan(x)

    def vjp(g, out, x):
        return g / (x * x + 1)


class Atan2(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.arctan2(x, y)

    def vjp(g, out, x, y):
        r = 1 / (x * x + y * y)
        return g * (y * r), g * (-x * r)


class Sinh(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.sinh(x)

    def vjp(g, out, x):
        return g * _cosh(x)


class Cosh(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.cosh(x)

    def vjp(g, out, x):
        return g * _sinh(x)


class Tanh(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return xp.tanh(x)

    def vjp(g, out, x):
        # g * (1 - out**2) without a Python number (NumPy's slow path on small arrays)
        if g.__class__ is _ndarray and g.size >= _IN_PLACE_FROM:
            t = g * out
            t *= out
            return np.subtract(g, t, out=t)
        return g - (g * out) * out


class Asinh(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.arcsinh(x)

    def vjp(g, out, x):
        return g * _rsqrt(x * x + 1)


class Acosh(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.arccosh(x)

    def vjp(g, out, x):
        return g * _rsqrt(x * x - 1)


class Atanh(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.arctanh(x)

    def vjp(g, out, x):
        return g / (1 - x * x)


def sin(input: Tensor) -> Tensor:
    """Sine, elementwise (radians)."""
    return apply(Sin, _float_arg(input, "sin"))


def cos(input: Tensor) -> Tensor:
    """Cosine, elementwise (radians)."""
    return apply(Cos, _float_arg(input, "cos"))


def tan(input: Tensor) -> Tensor:
    """Tangent, elementwise (radians)."""
    return apply(Tan, _float_arg(input, "tan"))


def asin(input: Tensor) -> Tensor:
    """Inverse sine, elementwise (nan outside [-1, 1])."""
    return apply(Asin, _float_arg(input, "asin"))


def acos(input: Tensor) -> Tensor:
    """Inverse cosine, elementwise (nan outside [-1, 1])."""
    return apply(Acos, _float_arg(input, "acos"))


def atan(input: Tensor) -> Tensor:
    """Inverse tangent, elementwise."""
    return apply(Atan, _float_arg(input, "atan"))


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input): atan(input / other) in the right quadrant."""
    x = _float_or_promote(input, other, "atan2")
    return _apply2(Atan2, x[0], x[1], x[2])


def sinh(input: Tensor) -> Tensor:
    """Hyperbolic sine, elementwise."""
    return apply(Sinh, _float_arg(input, "sinh"))


def cosh(input: Tensor) -> Tensor:
    """Hyperbolic cosine, elementwise."""
    return apply(Cosh, _float_arg(input, "cosh"))


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise.

    >>> leafgrad.tanh(leafgrad.tensor([0., 1.]))
    tensor([0.0000, 0.7616])
    """
    if input.__class__ is Tensor and input._data.dtype.kind == "f":
        return apply1(Tanh, input)
    return apply(Tanh, _float_arg(input, "tanh"))


def asinh(input: Tensor) -> Tensor:
    """Inverse hyperbolic sine, elementwise."""
    return apply(Asinh, _float_arg(input, "asinh"))


def acosh(input: Tensor) -> Tensor:
    """Inverse hyperbolic cosine, elementwise (nan below 1)."""
    return apply(Acosh, _float_arg(input, "acosh"))


def atanh(input: Tensor) -> Tensor:
    """Inverse hyperbolic tangent, elementwise (nan outside [-1, 1])."""
    return apply(Atanh, _float_arg(input, "atanh"))


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh


# -- activations ---------------------------------------------------------------------------
class Sigmoid(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        # 1 / (1 + e^-x): for very negative x, e^-x overflows to inf and the result is 0.
        if x.size >= 4096:  # in place: one buffer instead of four
            e = xp.negative(x)
            xp.exp(e, out=e)
            e += 1
            return xp.reciprocal(e, out=e)
        # small: fresh results (NumPy's out= and in-place calls cost ~0.5 us more each)
        return xp.reciprocal(xp.add(xp.exp(xp.negative(x)), const(1, x.dtype)))

    def vjp(g, out, x):
        t = g * out  # g * out * (1 - out), in two products and a difference
        if t.__class__ is _ndarray and t.size >= _IN_PLACE_FROM:
            return np.subtract(t, t * out, out=t)
        return t - t * out


class Relu(Op):
    array_vjp = True
    saves = ("result",)

    def forward(xp, x):
        return _maximum(xp, x, 0)

    def vjp(g, out, x):
        return _where(out <= 0, 0, g)  # relu'(0) = 0; NaN passes the gradient, as in PyTorch


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-input)), elementwise.

    >>> leafgrad.sigmoid(leafgrad.tensor([0.]))
    tensor([0.5000])
    """
    if input.__class__ is Tensor and input._data.dtype.kind == "f":
        return apply1(Sigmoid, input)
    return apply(Sigmoid, _float_arg(input, "sigmoid"))


def relu(input: Tensor) -> Tensor:
    """max(input, 0), keeping the dtype (relu'(0) is taken as 0)."""
    x = _tensor_input(input, "relu")
    if x._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return apply1(Relu, x)


# -- erf -----------------------------------------------------------------------------------
def _exp_neg_square(x):
    """exp(-x*x) for float64 ``x`` without the rounding of x*x (which exp magnifies x*x
    times): x = hi + lo with hi*hi exact."""
    hi = x.astype(np.float32).astype(np.float64)
    return np.exp(-hi * hi) * np.exp(-(x - hi) * (x + hi))


def _series_terms(x_max: float, eps: float) -> int:
    y = 2.0 * x_max * x_max
    term = total = 1.0
    n = 0
    while n < 200:
        n += 1
        term *= y / (2 * n + 1)
        total += term
        if term <= eps * total:
            break
    return n


def _erf_series(x, eps: float):
    """erf for |x| <= 2: (2/sqrt(pi)) exp(-x^2) sum_n (2x^2)^n x / (2n+1)!!.

    Every term is positive, so nothing cancels; about 30 terms at |x| = 2 in float64.
    """
    n = _series_terms(float(np.abs(x).max()), eps) if x.size else 0
    y = 2.0 * x * x
    term = np.ones_like(x)
    total = np.ones_like(x)
    for k in range(1, n + 1):
        term *= y
        term *= 1.0 / (2 * k + 1)
        total += term
    return _TWO_OVER_SQRT_PI * x * _exp_neg_square(x) * total


# Continued-fraction terms for erfc(x) at x >= bound, to float64 / float32 accuracy.
_CF_TERMS = {8: ((10, 8), (6, 12), (4, 20), (3, 28), (2.5, 36), (2, 50)),
             4: ((10, 3), (6, 5), (4, 7), (3, 9), (2.5, 12), (2, 16))}


def _erfc_fraction(x, itemsize: int):
    """erfc for x >= 2 by its continued fraction
    exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))."""
    if not x.size:
        return x.copy()
    lo = float(x.min())
    n = next(t for bound, t in _CF_TERMS[8 if itemsize >= 8 else 4] if lo >= bound)
    f = x.copy()
    for k in range(n, 0, -1):
        f = x + (k / 2.0) / f
    return _exp_neg_square(x) / (_SQRT_PI * f)


# Small arrays: math.erf per element (correctly rounded, and cheaper than ~100 array ops).
_SMALL = 2048
_math_erf = np.frompyfunc(math.erf, 1, 1)
_math_erfc = np.frompyfunc(math.erfc, 1, 1)


def _erf_array(a, complement: bool):
    """erf (or erfc) of a float array, accurate to its dtype (computed in float64)."""
    x = a.astype(np.float64)
    if x.size <= _SMALL:
        out = (_math_erfc if complement else _math_erf)(x)
        return np.asarray(out, np.float64).astype(a.dtype, copy=False)
    eps = 1e-17 if a.dtype.itemsize >= 8 else 1e-9
    ax = np.abs(x)
    small = ax <= 2
    out = np.full(x.shape, np.nan)
    xs = x[small]
    e = _erf_series(xs, eps)
    out[small] = 1 - e if complement else e
    big = ax > 2  # (NaN stays NaN)
    if big.any():
        xb = x[big]
        c = _erfc_fraction(np.abs(xb), a.dtype.itemsize)
        if complement:
            out[big] = np.where(xb > 0, c, 2 - c)
        else:
            out[big] = np.copysign(1 - c, xb)
    return out.astype(a.dtype, copy=False)


class Erf(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return _erf_array(x, False)

    def vjp(g, out, x):
        return g * (_exp(-(x * x)) * _TWO_OVER_SQRT_PI)


class Erfc(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return _erf_array(x, True)

    def vjp(g, out, x):
        return g * (_exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


def erf(input: Tensor) -> Tensor:
    """The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise.

    >>> leafgrad.erf(leafgrad.tensor([0., 1.]))
    tensor([0.0000, 0.8427])
    """
    return apply(Erf, _float_arg(input, "erf"))


def erfc(input: Tensor) -> Tensor:
    """1 - erf(input), accurate where erf is near 1."""
    return apply(Erfc, _float_arg(input, "erfc"))


# -- clamp ---------------------------------------------------------------------------------
class Clamp(Op):
    """clamp with number bounds (either may be None)."""

    array_vjp = True
    name = "ClampBackward1"
    saves = ("self",)

    def forward(xp, x, *, min, max):  # noqa: A002
        if min is not None:
            x = _maximum(xp, x, min)
        if max is not None:
            x = _minimum(xp, x, max)
        return x

    def vjp(g, out, x, *, min, max):  # noqa: A002
        if min is None:
            return _where(x <= max, g, 0)
        if max is None:
            return _where(x >= min, g, 0)
        return _where((x >= min) & (x <= max), g, 0)  # the boundary passes the gradient


class ClampTensors(Op):
    """clamp with tensor bounds, both given."""

    array_vjp = True
    name = "ClampBackward0"
    args = saves = ("self", "min", "max")

    def forward(xp, x, lo, hi):
        return xp.minimum(xp.maximum(x, lo), hi)

    def vjp(g, out, x, lo, hi):
        return (_where((x >= lo) & (x <= hi), g, 0),
                _where((x < lo) & (lo < hi), g, 0),
                _where((x > hi) | (hi < lo), g, 0))  # min > max: everything is max


class ClampMinTensor(Op):
    array_vjp = True
    name = "ClampBackward0"
    args = saves = ("self", "min")

    def forward(xp, x, lo):
        return xp.maximum(x, lo)

    def vjp(g, out, x, lo):
        return _where(x >= lo, g, 0), _where(x < lo, g, 0)


class ClampMaxTensor(Op):
    array_vjp = True
    name = "ClampBackward0"
    args = saves = ("self", "max")

    def forward(xp, x, hi):
        return xp.minimum(x, hi)

    def vjp(g, out, x, hi):
        return _where(x <= hi, g, 0), _where(x > hi, g, 0)


class ClampMin(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, min):  # noqa: A002
        return _maximum(xp, x, min)

    def vjp(g, out, x, *, min):  # noqa: A002
        return _where(x >= min, g, 0)


class ClampMax(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, max):  # noqa: A002
        return _minimum(xp, x, max)

    def vjp(g, out, x, *, max):  # noqa: A002
        return _where(x <= max, g, 0)


class ClampMin1(ClampMinTensor):
    name = "ClampMinBackward1"


class ClampMax1(ClampMaxTensor):
    name = "ClampMaxBackward1"


_CLAMP_SIGNATURES = ("Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None",
                     "Tensor input, Number min = None, Number max = None, *, Tensor out = None")


def _apply_n(op, tensors: list, d):
    try:
        if all(t._data.dtype == d for t in tensors):
            return apply(op, *tensors)
        return _promoted(op, tensors, d)
    except ValueError:
        broadcast_shapes(*[t._data.shape for t in tensors])
        raise


def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    """Each element limited to [min, max] (numbers or tensors; either may be None).

    Where min > max the result is max. The gradient passes at the boundaries.

    >>> leafgrad.clamp(leafgrad.tensor([-2., 0.5, 2.]), min=-1, max=1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if not isinstance(input, Tensor):
        raise invalid_combination("clamp", (type_name(input),) + tuple(
            type_name(v) for v in (min, max) if v is not None), _CLAMP_SIGNATURES)
    if min is None and max is None:
        raise RuntimeError("leafgrad.clamp: At least one of 'min' or 'max' must not be None")
    for v in (min, max):
        if v is not None and not isinstance(v, _OPERANDS):
            raise invalid_combination("clamp", tuple(type_name(a) for a in (input, min, max)),
                                      _CLAMP_SIGNATURES)
    if min is not None and max is not None and isinstance(min, Tensor) != isinstance(max, Tensor):
        # PyTorch reads a 0-d tensor that needs no grad as a number; otherwise no signature fits
        t = min if isinstance(min, Tensor) else max
        if t._data.ndim or t._rg:
            raise invalid_combination("clamp", (f"max={type_name(max)}", f"min={type_name(min)}",
                                                ""), ("Tensor min = None, Tensor max = None",
                                                      "Number min = None, Number max = None"))
        if t is min:
            min = min._data.item()  # noqa: A001
        else:
            max = max._data.item()  # noqa: A001
    bounds = [v for v in (min, max) if v is not None]
    d = _dt.result_type(input, *bounds).np
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = None if min is None else (min if isinstance(min, Tensor)
                                       else Tensor._make(number(min, d)))
        hi = None if max is None else (max if isinstance(max, Tensor)
                                       else Tensor._make(number(max, d)))
        if lo is not None and hi is not None:
            if d.kind == "b":
                raise not_implemented("clamp_cpu", d)
            return _apply_n(ClampTensors, [input, lo, hi], d)
        if lo is not None:
            out = _apply_n(ClampMinTensor, [input, lo], d)
            if out._edge is not None:  # PyTorch's node has an edge for the absent max too
                node = out._edge[0]
                node.next_functions = node.next_functions + (_NO_EDGE,)
            return out
        return _apply_n(ClampMaxTensor, [input, hi], d)
    if d.kind == "b":
        raise not_implemented("clamp_scalar_cpu" if len(bounds) == 2 else
                              "clamp_min_scalar_cpu" if max is None else "clamp_max_scalar_cpu", d)
    return apply(Clamp, _as_cast(input, d), min=None if min is None else number(min, d),
                 max=None if max is None else number(max, d))


clip = clamp


def clamp_min(input: Tensor, min) -> Tensor:  # noqa: A002
    """max(input, min) elementwise (``clamp(input, min=min)``)."""
    x = _tensor_input(input, "clamp_min")
    if isinstance(min, Tensor):
        return _apply_n(ClampMin1, [x, min], _dt.result_type(x, min).np)
    if not isinstance(min, NUMBERS):
        raise invalid_combination("clamp_min", (type_name(min),), ("Tensor min", "Number min"))
    d = _dt.result_type(x, min).np
    if d.kind == "b":
        raise not_implemented("clamp_min_scalar_cpu", d)
    return apply(ClampMin, _as_cast(x, d), min=number(min, d))


def clamp_max(input: Tensor, max) -> Tensor:  # noqa: A002
    """min(input, max) elementwise (``clamp(input, max=max)``)."""
    x = _tensor_input(input, "clamp_max")
    if isinstance(max, Tensor):
        return _apply_n(ClampMax1, [x, max], _dt.result_type(x, max).np)
    if not isinstance(max, NUMBERS):
        raise invalid_combination("clamp_max", (type_name(max),), ("Tensor max", "Number max"))
    d = _dt.result_type(x, max).np
    if d.kind == "b":
        raise not_implemented("clamp_max_scalar_cpu", d)
    return apply(ClampMax, _as_cast(x, d), max=number(max, d))


# -- maximum / minimum ---------------------------------------------------------------------
class Maximum(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.maximum(x, y)  # NaN wins

    def vjp(g, out, x, y):
        half = _where(x == y, g / 2, g)  # ties split the gradient
        return _where(x < y, 0, half), _where(x > y, 0, half)


class Minimum(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.minimum(x, y)

    def vjp(g, out, x, y):
        half = _where(x == y, g / 2, g)
        return _where(x > y, 0, half), _where(x < y, 0, half)


class Fmax(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.fmax(x, y)  # NaN loses

    def vjp(g, out, x, y):
        first = (x >= y) | _isnan(y)  # ties go to the first argument
        return _where(first, g, 0), _where(first, 0, g)


class Fmin(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.fmin(x, y)

    def vjp(g, out, x, y):
        first = (x <= y) | _isnan(y)
        return _where(first, g, 0), _where(first, 0, g)


def _tensor_pair(x, y, fn: str):
    if not isinstance(x, Tensor):
        raise not_tensor(fn, "input", 1, x)
    if not isinstance(y, Tensor):
        raise not_tensor(fn, "other", 2, y)
    return x, y


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum of two tensors (NaN propagates; ties split the gradient).

    >>> leafgrad.maximum(leafgrad.tensor([1., 4.]), leafgrad.tensor([3., 2.]))
    tensor([3., 4.])
    """
    return _apply2(Maximum, *_tensor_pair(input, other, "maximum"))


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum of two tensors (NaN propagates; ties split the gradient)."""
    return _apply2(Minimum, *_tensor_pair(input, other, "minimum"))


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum ignoring NaN (NaN only where both are NaN)."""
    return _apply2(Fmax, *_tensor_pair(input, other, "fmax"))


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum ignoring NaN (NaN only where both are NaN)."""
    return _apply2(Fmin, *_tensor_pair(input, other, "fmin"))


# -- where / lerp --------------------------------------------------------------------------
class Where(Op):
    """``where``: the condition is an attribute (a bool tensor), not an input, as PyTorch's
    WhereBackward0 has edges for self and other only."""

    array_vjp = True
    args = ("self", "other")

    def forward(xp, x, y, *, condition):
        return xp.where(condition._data, x, y)

    def vjp(g, out, x, y, *, condition):
        c = condition if _is_t(g) else condition._data
        return _where(c, g, 0), _where(c, 0, g)


_WHERE_SIGNATURES = ("Tensor condition", "Tensor condition, Tensor input, Tensor other, *, "
                     "Tensor out = None", "Tensor condition, Number self, Tensor other",
                     "Tensor condition, Tensor input, Number other",
                     "Tensor condition, Number self, Number other")


def where(condition: Tensor, input=None, other=None):
    """``input`` where ``condition`` is True, else ``other`` (tensors or numbers, broadcast).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.

    >>> leafgrad.where(leafgrad.tensor([True, False]), 1., 0.)
    tensor([1., 0.])
    """
    if input is None and other is None and isinstance(condition, Tensor):
        return nonzero(condition, as_tuple=True)
    if not (isinstance(condition, Tensor) and isinstance(input, _OPERANDS)
            and isinstance(other, _OPERANDS)):
        raise invalid_combination("where", tuple(type_name(v) for v in (condition, input, other)
                                                 if v is not None), _WHERE_SIGNATURES)
    c = condition
    if c._data.dtype.kind != "b":
        if c._data.dtype != np.uint8:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {kind_name(c._data.dtype)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                      "and will be removed in a future version of PyTorch. Use a boolean "
                      "condition instead.", UserWarning, stacklevel=2)
        c = Tensor._make(c._data.astype(np.bool_))
    d = _dt.result_type(input, other).np
    x = input if isinstance(input, Tensor) else Tensor._make(number(input, d))
    y = other if isinstance(other, Tensor) else Tensor._make(number(other, d))
    try:
        if x._data.dtype == d and y._data.dtype == d:
            return apply(Where, x, y, condition=c)
        return _promoted(Where, (x, y), d, condition=c)
    except ValueError:
        broadcast_shapes(c._data.shape, x._data.shape, y._data.shape)
        raise


def _where_method(self: Tensor, condition: Tensor, other) -> Tensor:
    """``self`` where ``condition`` is True, else ``other``."""
    return where(condition, self, other)


_where_method.__name__ = "where"


class LerpScalar(Op):
    """input + weight * (end - input) for a number weight."""

    array_vjp = True
    name = "LerpBackward0"
    args = ("self", "end")

    def forward(xp, x, e, *, weight):
        # Exact at both ends: measured from the nearer one (PyTorch's formula).
        if -0.5 < weight < 0.5:
            return x + weight * (e - x)
        return e - (e - x) * (1 - weight)

    def vjp(g, out, x, e, *, weight):
        return g * (1 - weight), g * weight


class Lerp(Op):
    array_vjp = True
    name = "LerpBackward1"
    args = saves = ("self", "end", "weight")

    def forward(xp, x, e, w):
        diff = e - x
        return xp.where(xp.abs(w) < 0.5, x + w * diff, e - diff * (1 - w))

    def vjp(g, out, x, e, w):
        return g * (1 - w), g * w, g * (e - x)


_LERP_SIGNATURES = ("Tensor input, Tensor end, Tensor weight, *, Tensor out = None",
                    "Tensor input, Tensor end, Number weight, *, Tensor out = None")
_C_TYPE = {"float16": "c10::Half", "float32": "float", "float64": "double",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool"}


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)`` (weight a number or tensor).

    >>> leafgrad.lerp(leafgrad.tensor([0., 1.]), leafgrad.tensor([10., 11.]), 0.5)
    tensor([5., 6.])
    """
    if not (isinstance(input, Tensor) and isinstance(end, Tensor)
            and isinstance(weight, _OPERANDS)):
        raise invalid_combination("lerp", tuple(type_name(v) for v in (input, end, weight)),
                                  _LERP_SIGNATURES)
    d = input._data.dtype
    if end._data.dtype != d:
        raise RuntimeError(f"expected dtype {_C_TYPE[d.name]} for `end` but got dtype "
                           f"{_C_TYPE[end._data.dtype.name]}")
    if isinstance(weight, Tensor):
        wd = weight._data.dtype
        if wd != d:
            if weight._data.ndim:
                raise RuntimeError(f"expected dtype {_C_TYPE[d.name]} for `weight` but got "
                                   f"dtype {_C_TYPE[wd.name]}")
            weight = cast(weight, _dt.FROM_NP[d])  # a 0-d weight takes input's dtype
        if d.kind != "f":
            raise not_implemented("lerp_kernel_tensor", d)
        try:
            return apply(Lerp, input, end, weight)
        except ValueError:
            broadcast_shapes(input._data.shape, end._data.shape, weight._data.shape)
            raise
    if d.kind != "f":
        raise not_implemented("lerp_kernel_scalar", d)
    w = weight.item() if isinstance(weight, (np.number, np.bool_)) else weight
    try:
        return apply(LerpScalar, input, end, weight=float(w))
    except ValueError:
        broadcast_shapes(input._data.shape, end._data.shape)
        raise


# -- rounding ------------------------------------------------------------------------------
class Floor(Op):
    array_vjp = True

    def forward(xp, x):
        return xp.floor(x)

    def vjp(g, out, x):
        return _zeros_like(g)


class Ceil(Floor):
    def forward(xp, x):
        return xp.ceil(x)


class Trunc(Floor):
    def forward(xp, x):
        return xp.trunc(x)


class Round(Floor):
    def forward(xp, x):
        return xp.rint(x)  # halves to even, as PyTorch


class RoundDecimals(Floor):
    name = "RoundBackward1"

    def forward(xp, x, *, decimals):
        return xp.round(x, decimals)

    def vjp(g, out, x, *, decimals):
        return _zeros_like(g)


class Frac(Op):
    array_vjp = True

    def forward(xp, x):
        return x - xp.trunc(x)

    def vjp(g, out, x):
        return g


def _rounding(op, input, fn: str, kernel: str) -> Tensor:
    x = _tensor_input(input, fn)
    k = x._data.dtype.kind
    if k == "f":
        return apply(op, x)
    if k == "b":
        raise not_implemented(kernel, x._data.dtype)
    return Tensor._make(x._data.copy())  # integers are already whole


def floor(input: Tensor) -> Tensor:
    """The largest whole number <= each element (integer dtypes kept; zero gradient)."""
    return _rounding(Floor, input, "floor", "floor_vml_cpu")


def ceil(input: Tensor) -> Tensor:
    """The smallest whole number >= each element (zero gradient)."""
    return _rounding(Ceil, input, "ceil", "ceil_vml_cpu")


def trunc(input: Tensor) -> Tensor:
    """Each element rounded toward zero (zero gradient)."""
    return _rounding(Trunc, input, "trunc", "trunc_vml_cpu")


def fix(input: Tensor) -> Tensor:
    """Alias of ``trunc``."""
    return _rounding(Trunc, input, "fix", "trunc_vml_cpu")


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:  # noqa: A001
    """Each element rounded to the nearest whole number (halves to even), or to
    ``decimals`` decimal places (negative: tens, hundreds ...). Zero gradient.

    >>> leafgrad.round(leafgrad.tensor([0.5, 1.5, 2.567]), decimals=1)
    tensor([0.5000, 1.5000, 2.6000])
    """
    if decimals is None:
        return _rounding(Round, input, "round", "round_vml_cpu")
    x = _tensor_input(input, "round")
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise invalid_combination("round", ("Tensor", f"decimals={type_name(decimals)}"), (
            "Tensor input, *, Tensor out = None",
            "Tensor input, *, int decimals, Tensor out = None"))
    if x._data.dtype.kind != "f":
        raise not_implemented("round_cpu" if decimals else "round_vml_cpu", x._data.dtype)
    return apply(RoundDecimals, x, decimals=decimals)


def frac(input: Tensor) -> Tensor:
    """The fractional part ``input - trunc(input)`` (float tensors only)."""
    x = _tensor_input(input, "frac")
    if x._data.dtype.kind != "f":
        raise not_implemented("frac_cpu", x._data.dtype)
    return apply(Frac, x)


# -- binary float ops ----------------------------------------------------------------------
def _float_or_promote(x, y, fn: str):
    """Two tensors (``x``, ``y``) for a float-valued op, and their float result dtype."""
    x, y = _tensor_pair(x, y, fn)
    d = _dt.result_type(x, y).np
    return x, y, d if d.kind == "f" else _default_float()


class Copysign(Op):
    array_vjp = True
    args = ("self", "other")
    saves = ("self", "result")

    def forward(xp, x, y):
        return xp.copysign(x, y)

    def vjp(g, out, x, y):
        return _copysign_grad(g, out, x), _zeros_like(g)


class CopysignScalar(Op):
    array_vjp = True
    name = "CopysignBackward1"
    saves = ("self", "result")

    def forward(xp, x, *, other):
        return xp.copysign(x, other)

    def vjp(g, out, x, *, other):
        return _copysign_grad(g, out, x)


def _copysign_grad(g, out, x):
    return g * _where(x == 0, 0, out / x)  # +-1: whether the sign flipped (0 at 0)


_COPYSIGN_SIGNATURES = ("Tensor input, Tensor other, *, Tensor out = None",
                        "Tensor input, Number other, *, Tensor out = None")


def copysign(input: Tensor, other) -> Tensor:
    """|input| with the sign of ``other`` (a tensor or a number); a float result.

    >>> leafgrad.copysign(leafgrad.tensor([1., -2.]), -1.)
    tensor([-1., -2.])
    """
    if not isinstance(input, Tensor) or not isinstance(other, _OPERANDS):
        raise invalid_combination("copysign", (type_name(input), type_name(other)),
                                  _COPYSIGN_SIGNATURES)
    d = _dt.result_type(input, other).np
    if d.kind != "f":
        d = _default_float()
    if isinstance(other, Tensor):
        return _apply2(Copysign, input, other, d)
    return apply(CopysignScalar, _as_cast(input, d), other=number(other, d))


class Logaddexp(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.logaddexp(x, y)

    def vjp(g, out, x, y):
        return g / (1 + _exp(y - x)), g / (1 + _exp(x - y))


class Logaddexp2(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.logaddexp2(x, y)

    def vjp(g, out, x, y):
        return g / (1 + _exp2(y - x)), g / (1 + _exp2(x - y))


class Hypot(Op):
    array_vjp = True
    args = ("self", "other")
    saves = ("self", "other", "result")

    def forward(xp, x, y):
        return xp.hypot(x, y)

    def vjp(g, out, x, y):
        return g * (x / out), g * (y / out)


def _float_only(op, x, y, fn: str, kernel: str) -> Tensor:
    x, y = _tensor_pair(x, y, fn)
    d = _dt.result_type(x, y).np
    if d.kind != "f":
        raise not_implemented(kernel, d)
    return _apply2(op, x, y, d)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)), computed without overflow."""
    return _float_only(Logaddexp, input, other, "logaddexp", "logaddexp_cpu")


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2**input + 2**other), computed without overflow."""
    return _float_only(Logaddexp2, input, other, "logaddexp2", "logaddexp2_cpu")


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input**2 + other**2), computed without overflow."""
    return _float_only(Hypot, input, other, "hypot", "hypot_cpu")


def _xlogy_array(x, y):
    # 0 where x == 0 (even if log y is -inf), NaN wherever y is NaN
    r = x * np.log(y)
    return np.where((x == 0) & ~np.isnan(y), 0, r).astype(r.dtype, copy=False)


def _dxlogy_dx(x, y):
    # log(y), but 0 where x == 0 and y <= 0 (PyTorch's convention at the kink)
    return _where((x == 0) & (y <= 0), 0, _log(y))


class Xlogy(Op):
    array_vjp = True
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return _xlogy_array(x, y)

    def vjp(g, out, x, y):
        return g * _dxlogy_dx(x, y), g * x / y


class XlogyOfNumber(Op):
    """number * log(tensor)."""

    array_vjp = True
    name = "XlogyBackward1"
    args = ("other",)
    saves = ("other",)

    def forward(xp, y, *, self):
        return _xlogy_array(self, y)

    def vjp(g, out, y, *, self):
        return g * self / y


class XlogyScalar(Op):
    """tensor * log(number)."""

    array_vjp = True
    name = "XlogyBackward2"
    saves = ("self",)

    def forward(xp, x, *, other):
        return _xlogy_array(x, other)

    def vjp(g, out, x, *, other):
        return g * _dxlogy_dx(x, other if not _is_t(x) else Tensor._make(other))


_XLOGY_SIGNATURES = ("Tensor input, Tensor other, *, Tensor out = None",
                     "Number self, Tensor other, *, Tensor out = None",
                     "Tensor input, Number other, *, Tensor out = None")


def xlogy(input, other) -> Tensor:
    """input * log(other), taken as 0 where input is 0 (unless other is NaN).

    >>> leafgrad.xlogy(leafgrad.tensor([0., 2.]), leafgrad.tensor([0., 1.]))
    tensor([0., 0.])
    """
    if isinstance(input, Tensor):
        if isinstance(other, Tensor):
            d = _dt.result_type(input, other).np
            return _apply2(Xlogy, input, other, d if d.kind == "f" else _default_float())
        if isinstance(other, NUMBERS):
            d = _dt.result_type(input, other).np
            d = d if d.kind == "f" else _default_float()
            return apply(XlogyScalar, _as_cast(input, d), other=number(other, d))
    elif isinstance(input, NUMBERS) and isinstance(other, Tensor):
        d = _dt.result_type(other, input).np
        d = d if d.kind == "f" else _default_float()
        return apply(XlogyOfNumber, _as_cast(other, d), self=number(input, d))
    raise invalid_combination("xlogy", (type_name(input), type_name(other)), _XLOGY_SIGNATURES)


class NanToNum(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, nan, posinf, neginf):
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def vjp(g, out, x, *, nan, posinf, neginf):
        return g * _isfinite(x)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and
    the dtype's largest and smallest finite values).

    >>> leafgrad.nan_to_num(leafgrad.tensor([float('nan'), 1.]))
    tensor([0., 1.])
    """
    x = _tensor_input(input, "nan_to_num")
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None and not isinstance(v, NUMBERS):
            raise TypeError(f"nan_to_num(): argument '{name}' must be float, not {type_name(v)}")
    if x._data.dtype.kind != "f":
        return Tensor._make(x._data.copy())
    return apply(NanToNum, x, nan=float(0.0 if nan is None else nan),
                 posinf=None if posinf is None else float(posinf),
                 neginf=None if neginf is None else float(neginf))


# -- operators -----------------------------------------------------------------------------
def _arith_dunder(op, sop, fn):
    """An operator for ``fn``: the same-float-dtype and Python-float cases inline (the hot
    path of every script), NotImplemented for operands it does not take."""

    if op._special or (sop is not None and sop._special):
        raise TypeError("an operator's ops make one output and no view")

    def dunder(self, other):
        c = other.__class__
        if c is Tensor:
            d = self._data.dtype
            if d is other._data.dtype and d.kind == "f":
                try:
                    return apply2(op, self, other)
                except ValueError:
                    broadcast_shapes(self._data.shape, other._data.shape)
                    raise
        elif c is _float or (c is _int and -_I64 <= other < _I64):
            d = self._data.dtype
            if d.kind == "f":
                return apply1(sop, self, {"other": const(other, d)})  # (as _scalar_op)
        elif isinstance(other, _ndarray):
            other = _from_array(other)
        elif not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(self, other)

    dunder.__name__ = fn.__name__
    return dunder


def _rsub_dunder(self, other):
    """number - tensor."""
    c = other.__class__
    if c is _float or (c is _int and -_I64 <= other < _I64):
        d = self._data.dtype
        if d.kind == "f":
            return apply(RsubScalar, self, other=const(other, d))
    elif isinstance(other, _ndarray):
        return sub(_from_array(other), self)
    elif not isinstance(other, _OPERANDS):
        return NotImplemented
    return rsub(self, other)


def _operator(fn, reflected: bool = False):
    def dunder(self, other):
        if isinstance(other, _ndarray):
            other = _from_array(other)
        elif not isinstance(other, _OPERANDS):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)

    dunder.__name__ = fn.__name__
    return dunder


def _rtruediv(self, other):
    """number / tensor: PyTorch computes reciprocal(tensor) * number."""
    if isinstance(other, _ndarray):
        return div(_from_array(other), self)
    if not isinstance(other, NUMBERS):
        return NotImplemented
    return mul(reciprocal(self), other)



# -- addcmul / addcdiv ------------------------------------------------------------------------
class Addcmul(Op):
    """input + value * tensor1 * tensor2 (the fused update of many optimizers)."""

    array_vjp = True
    args = saves = ("self", "tensor1", "tensor2")

    def forward(xp, x, a, b, *, value):
        return x + value * (a * b)

    def vjp(g, out, x, a, b, *, value):
        gv = g * value
        return g, gv * b, gv * a


class Addcdiv(Op):
    """input + value * tensor1 / tensor2."""

    array_vjp = True
    args = saves = ("self", "tensor1", "tensor2")

    def forward(xp, x, a, b, *, value):
        return x + value * (a / b)

    def vjp(g, out, x, a, b, *, value):
        gv = g * value / b
        return g, gv, -gv * a / b


def _addc(op, name: str, input, tensor1, tensor2, value):
    for i, (arg, t) in enumerate((("input", input), ("tensor1", tensor1),
                                  ("tensor2", tensor2))):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {i + 1}) must be Tensor, "
                            f"not {type_name(t)}")
    ts = (input, tensor1, tensor2)
    d = _dt.result_type(*ts)
    if name == "addcdiv" and all(t._data.dtype.kind in "biu" for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
            "for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.".replace("torch.", "leafgrad.")
        )
    ts = tuple(t if t._data.dtype == d.np else cast(t, d) for t in ts)
    try:
        return apply(op, *ts, value=const(value, d.np))
    except ValueError:
        broadcast_shapes(*[t._data.shape for t in ts])
        raise


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2``, broadcast.

    >>> leafgrad.addcmul(leafgrad.ones(2), leafgrad.ones(2), leafgrad.full((2,), 3.), value=.5)
    tensor([2.5000, 2.5000])
    """
    return _addc(Addcmul, "addcmul", input, tensor1, tensor2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``, broadcast.

    >>> leafgrad.addcdiv(leafgrad.ones(2), leafgrad.ones(2), leafgrad.full((2,), 4.))
    tensor([1.2500, 1.2500])
    """
    return _addc(Addcdiv, "addcdiv", input, tensor1, tensor2, value)

dunders = {
    "__add__": _arith_dunder(Add, AddScalar, add),
    "__radd__": _arith_dunder(Add, AddScalar, add),
    "__sub__": _arith_dunder(Sub, SubScalar, sub),
    "__rsub__": _rsub_dunder,
    "__mul__": _arith_dunder(Mul, MulScalar, mul),
    "__rmul__": _arith_dunder(Mul, MulScalar, mul),
    "__truediv__": _arith_dunder(Div, DivScalar, div),
    "__rtruediv__": _rtruediv,
    "__floordiv__": _operator(floor_divide),
    "__rfloordiv__": _operator(floor_divide, True),
    "__mod__": _operator(remainder),
    "__rmod__": _operator(remainder, True),
    "__pow__": _operator(pow),
    "__rpow__": _operator(pow, True),
    "__neg__": neg,
    "__pos__": positive,
    "__abs__": abs,
    "where": _where_method,  # Tensor.where(condition, other): the condition comes second
}
