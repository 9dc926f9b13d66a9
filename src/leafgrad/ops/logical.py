"""Comparisons, predicates, logical and bitwise ops: never differentiable, computed on the data.

Results are bool tensors (comparisons, predicates, ``logical_*``) or tensors of the promoted
integer dtype (``bitwise_*``), as in PyTorch. This module also holds the operand helpers the
elementwise family shares: Python numbers converted as PyTorch converts them (integers wrap
around to the tensor's dtype) and broadcasting errors in PyTorch's words.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..backend import np
from ..tensor import Tensor
from ._dispatch import const

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal", "less_equal",
    "not_equal", "equal", "isinf", "isnan", "isfinite", "isposinf", "isneginf", "isreal",
    "signbit", "isclose", "allclose", "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift",
]
methods = list(__all__)

_ndarray = np.ndarray
_float = float
NUMBERS = (int, float, np.number, np.bool_)  # bool is an int
_I64 = 1 << 63


# -- shared operand helpers -----------------------------------------------------------------
def type_name(value) -> str:
    """A value's type as PyTorch's argument errors print it."""
    if isinstance(value, _ndarray):
        return "numpy.ndarray"
    return type(value).__name__


def kind_name(np_dtype) -> str:
    """PyTorch's scalar type name of a dtype ('Float', 'Long', 'Bool' ...)."""
    return _dt.FROM_NP[np_dtype].legacy_name[:-6]


def not_implemented(kernel: str, np_dtype) -> NotImplementedError:
    """PyTorch's error for a kernel that does not exist for a dtype."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{kind_name(np_dtype)}\'')


def not_tensor(fn: str, arg: str, pos: int, value) -> TypeError:
    return TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                     f"{type_name(value)}")


def invalid_combination(fn: str, got: tuple, signatures: tuple) -> TypeError:
    """PyTorch's error for arguments that match none of an op's signatures."""
    lines = "".join(f" * ({s})\n" for s in signatures)
    return TypeError(f"{fn}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n{lines}")


def number(value, np_dtype):
    """A Python number as a read-only 0-d array of ``np_dtype``, converted as PyTorch does.

    Integers wrap around to an integer dtype (``uint8 + 300`` adds 44); an integer beyond
    64 bits is an OverflowError, as in PyTorch.
    """
    if value.__class__ is int and not -_I64 <= value < _I64:
        raise OverflowError("int too big to convert")
    try:
        return const(value, np_dtype)
    except OverflowError:
        # NumPy refuses out-of-range integers; PyTorch wraps them (two's complement).
        arr = np.array(int(value) % (1 << 64), np.uint64).astype(np_dtype)
        arr.flags.writeable = False
        return arr


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast of ``shapes``, folded left to right, with PyTorch's error on a mismatch."""
    out = tuple(shapes[0])
    for b in shapes[1:]:
        b = tuple(b)
        if b == out:
            continue
        n = max(len(out), len(b))
        pa = (1,) * (n - len(out)) + out
        pb = (1,) * (n - len(b)) + b
        res = list(pa)
        for i in range(n - 1, -1, -1):  # PyTorch reports the innermost mismatch
            x, y = pa[i], pb[i]
            if x == y or y == 1:
                continue
            if x == 1:
                res[i] = y
                continue
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out = tuple(res)
    return out


def is_operand(value) -> bool:
    return isinstance(value, (Tensor,) + NUMBERS)


def _wrap(result) -> Tensor:
    if result.__class__ is not _ndarray:
        result = np.asarray(result)  # NumPy returns scalars from ops on 0-d arrays
    return Tensor._make(result)


def arrays(x, y, fn: str, numbers: str = "both"):
    """The data of ``x`` and ``y`` in their promoted dtype (numbers as 0-d arrays).

    ``numbers``: which sides may be Python numbers ("both", "other", "none"); the wrong
    kind of argument is PyTorch's TypeError.
    """
    if isinstance(x, Tensor):
        xa = x._data
        if isinstance(y, Tensor):
            ya = y._data
            if xa.dtype is ya.dtype:
                return xa, ya
            d = _dt.result_type(x, y).np
            return xa.astype(d, copy=False), ya.astype(d, copy=False)
        if numbers != "none" and isinstance(y, NUMBERS):
            d = _dt.result_type(x, y).np
            return xa.astype(d, copy=False), number(y, d)
        if numbers == "none":
            raise not_tensor(fn, "other", 2, y)
        raise invalid_combination(fn, ("Tensor", type_name(y)), _SIGNATURES)
    if numbers == "both" and isinstance(x, NUMBERS) and isinstance(y, Tensor):
        d = _dt.result_type(y, x).np
        return number(x, d), y._data.astype(d, copy=False)
    if numbers == "none":
        raise not_tensor(fn, "input", 1, x)
    raise invalid_combination(fn, (type_name(x), type_name(y)), _SIGNATURES)


_SIGNATURES = ("Tensor input, Tensor other, *, Tensor out = None",
               "Tensor input, Number other, *, Tensor out = None")


def _binary(ufunc, x, y, fn: str, numbers: str = "both") -> Tensor:
    a, b = arrays(x, y, fn, numbers)
    try:
        return _wrap(ufunc(a, b))
    except ValueError:
        broadcast_shapes(a.shape, b.shape)
        raise


def _tensor_arg(x, fn: str):
    try:
        return x._data
    except AttributeError:
        raise not_tensor(fn, "input", 1, x) from None


# -- comparisons ----------------------------------------------------------------------------
def eq(input: Tensor, other) -> Tensor:
    """``input == other`` elementwise (a bool tensor), with broadcasting and promotion.

    >>> leafgrad.eq(leafgrad.tensor([1, 2]), 2)
    tensor([False,  True])
    """
    return _binary(np.equal, input, other, "eq", "other")


def ne(input: Tensor, other) -> Tensor:
    """``input != other`` elementwise."""
    return _binary(np.not_equal, input, other, "ne", "other")


def lt(input: Tensor, other) -> Tensor:
    """``input < other`` elementwise."""
    return _binary(np.less, input, other, "lt", "other")


def le(input: Tensor, other) -> Tensor:
    """``input <= other`` elementwise."""
    return _binary(np.less_equal, input, other, "le", "other")


def gt(input: Tensor, other) -> Tensor:
    """``input > other`` elementwise."""
    return _binary(np.greater, input, other, "gt", "other")


def ge(input: Tensor, other) -> Tensor:
    """``input >= other`` elementwise."""
    return _binary(np.greater_equal, input, other, "ge", "other")


def greater(input: Tensor, other) -> Tensor:
    """Alias of ``gt``."""
    return _binary(np.greater, input, other, "greater", "other")


def less(input: Tensor, other) -> Tensor:
    """Alias of ``lt``."""
    return _binary(np.less, input, other, "less", "other")


def greater_equal(input: Tensor, other) -> Tensor:
    """Alias of ``ge``."""
    return _binary(np.greater_equal, input, other, "greater_equal", "other")


def less_equal(input: Tensor, other) -> Tensor:
    """Alias of ``le``."""
    return _binary(np.less_equal, input, other, "less_equal", "other")


def not_equal(input: Tensor, other) -> Tensor:
    """Alias of ``ne``."""
    return _binary(np.not_equal, input, other, "not_equal", "other")


def _compare_dunder(fn, ufunc):
    def dunder(self, other):
        c = other.__class__
        if c is _float or (c is int and -_I64 <= other < _I64):  # ``x > 0``: no promotion
            d = self._data.dtype
            if d.kind == "f":
                return _wrap(ufunc(self._data, const(other, d)))
        elif isinstance(other, _ndarray):
            from ..creation import tensor

            other = tensor(other)
        elif not is_operand(other):
            return NotImplemented
        return fn(self, other)

    dunder.__name__ = fn.__name__
    return dunder


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and the same values (NaN is never equal)."""
    a = _tensor_arg(input, "equal")
    if not isinstance(other, Tensor):
        raise not_tensor("equal", "other", 2, other)
    b = other._data
    return a.shape == b.shape and bool(np.array_equal(a, b))


# -- predicates ------------------------------------------------------------------------------
def isnan(input: Tensor) -> Tensor:
    """True where ``input`` is NaN."""
    a = _tensor_arg(input, "isnan")
    if a.dtype.kind != "f":
        return Tensor._make(np.zeros(a.shape, np.bool_))
    return _wrap(np.isnan(a))


def isinf(input: Tensor) -> Tensor:
    """True where ``input`` is +inf or -inf."""
    a = _tensor_arg(input, "isinf")
    if a.dtype.kind != "f":
        return Tensor._make(np.zeros(a.shape, np.bool_))
    return _wrap(np.isinf(a))


def isfinite(input: Tensor) -> Tensor:
    """True where ``input`` is neither infinite nor NaN."""
    a = _tensor_arg(input, "isfinite")
    if a.dtype.kind != "f":
        return Tensor._make(np.ones(a.shape, np.bool_))
    return _wrap(np.isfinite(a))


def isposinf(input: Tensor) -> Tensor:
    """True where ``input`` is +inf."""
    a = _tensor_arg(input, "isposinf")
    if a.dtype.kind != "f":
        return Tensor._make(np.zeros(a.shape, np.bool_))
    return _wrap(a == np.inf)


def isneginf(input: Tensor) -> Tensor:
    """True where ``input`` is -inf."""
    a = _tensor_arg(input, "isneginf")
    if a.dtype.kind != "f":
        return Tensor._make(np.zeros(a.shape, np.bool_))
    return _wrap(a == -np.inf)


def isreal(input: Tensor) -> Tensor:
    """True everywhere: leafgrad has no complex dtypes."""
    a = _tensor_arg(input, "isreal")
    return Tensor._make(np.ones(a.shape, np.bool_))


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (negative numbers, -0.0, NaNs with the bit)."""
    a = _tensor_arg(input, "signbit")
    k = a.dtype.kind
    if k == "f":
        return _wrap(np.signbit(a))
    if k == "i":
        return _wrap(a < 0)
    return Tensor._make(np.zeros(a.shape, np.bool_))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (equal values always close).

    >>> leafgrad.isclose(leafgrad.tensor([1., 2.]), leafgrad.tensor([1., 2.1]))
    tensor([ True, False])
    """
    a = _tensor_arg(input, "isclose")
    if not isinstance(other, Tensor):
        raise not_tensor("isclose", "other", 2, other)
    b = other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{kind_name(a.dtype)} did not match {kind_name(b.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    try:
        close = a == b
    except ValueError:
        broadcast_shapes(a.shape, b.shape)
        raise
    if equal_nan and a.dtype.kind == "f":
        close = close | (np.isnan(a) & np.isnan(b))
    if rtol == 0 and atol == 0:
        return _wrap(close)
    if a.dtype.kind != "f":  # integers (and bools) compare in the default float dtype
        fd = _dt.get_default_dtype().np
        a, b = a.astype(fd), b.astype(fd)
    diff = np.abs(a - b)
    allowed = atol + np.abs(rtol * b)
    return _wrap(close | (np.isfinite(diff) & (diff <= allowed)))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True if ``isclose`` holds everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# -- logical ---------------------------------------------------------------------------------
def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise AND of the truth values (non-zero is True); a bool tensor."""
    return _binary(np.logical_and, input, other, "logical_and", "none")


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise OR of the truth values; a bool tensor."""
    return _binary(np.logical_or, input, other, "logical_or", "none")


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise XOR of the truth values; a bool tensor."""
    return _binary(np.logical_xor, input, other, "logical_xor", "none")


def logical_not(input: Tensor) -> Tensor:
    """Elementwise NOT of the truth values (zero is False); a bool tensor."""
    return _wrap(np.logical_not(_tensor_arg(input, "logical_not")))


# -- bitwise ---------------------------------------------------------------------------------
def _bitwise(ufunc, kernel: str, x, y, fn: str, bools: bool = True) -> Tensor:
    a, b = arrays(x, y, fn)
    k = a.dtype.kind
    if k == "f" or (k == "b" and not bools):
        raise not_implemented(kernel, a.dtype)
    try:
        return _wrap(ufunc(a, b))
    except ValueError:
        broadcast_shapes(a.shape, b.shape)
        raise


def bitwise_and(input, other) -> Tensor:
    """Bitwise AND of integer or bool tensors (logical AND for bools)."""
    return _bitwise(np.bitwise_and, "bitwise_and_cpu", input, other, "bitwise_and")


def bitwise_or(input, other) -> Tensor:
    """Bitwise OR of integer or bool tensors."""
    return _bitwise(np.bitwise_or, "bitwise_or_cpu", input, other, "bitwise_or")


def bitwise_xor(input, other) -> Tensor:
    """Bitwise XOR of integer or bool tensors."""
    return _bitwise(np.bitwise_xor, "bitwise_xor_cpu", input, other, "bitwise_xor")


def bitwise_left_shift(input, other) -> Tensor:
    """``input << other`` for integer tensors (shifting by the bit width or more gives 0)."""
    return _bitwise(np.left_shift, "lshift_cpu", input, other, "bitwise_left_shift", False)


def bitwise_right_shift(input, other) -> Tensor:
    """``input >> other`` for integer tensors (arithmetic shift: the sign fills in)."""
    return _bitwise(np.right_shift, "rshift_cpu", input, other, "bitwise_right_shift", False)


def bitwise_not(input: Tensor) -> Tensor:
    """Bitwise NOT of an integer tensor (logical NOT for bools)."""
    a = _tensor_arg(input, "bitwise_not")
    if a.dtype.kind == "f":
        raise not_implemented("bitwise_not_cpu", a.dtype)
    return _wrap(np.invert(a))


def _invert(self) -> Tensor:
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return _wrap(np.invert(self._data))


def _operand_dunder(fn, reflected: bool = False):
    """``fn`` as an operator: NotImplemented for operands it does not take (so Python can try
    the other side or raise its own TypeError)."""

    def dunder(self, other):
        if isinstance(other, _ndarray):
            from ..creation import tensor

            other = tensor(other)
        elif not is_operand(other):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)

    dunder.__name__ = fn.__name__
    return dunder


dunders = {
    "__eq__": _compare_dunder(eq, np.equal),
    "__ne__": _compare_dunder(ne, np.not_equal),
    "__lt__": _compare_dunder(lt, np.less),
    "__le__": _compare_dunder(le, np.less_equal),
    "__gt__": _compare_dunder(gt, np.greater),
    "__ge__": _compare_dunder(ge, np.greater_equal),
    "__and__": _operand_dunder(bitwise_and),
    "__rand__": _operand_dunder(bitwise_and, True),
    "__or__": _operand_dunder(bitwise_or),
    "__ror__": _operand_dunder(bitwise_or, True),
    "__xor__": _operand_dunder(bitwise_xor),
    "__rxor__": _operand_dunder(bitwise_xor, True),
    "__lshift__": _operand_dunder(bitwise_left_shift),
    "__rlshift__": _operand_dunder(bitwise_left_shift, True),
    "__rshift__": _operand_dunder(bitwise_right_shift),
    "__rrshift__": _operand_dunder(bitwise_right_shift, True),
    "__invert__": _invert,
}
