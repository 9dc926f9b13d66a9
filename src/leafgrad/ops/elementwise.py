"""Elementwise primitives: forward on backend arrays beside the vjp in leafgrad ops.

Binary ops have a tensor-tensor primitive and, where a Python number is common
(``y * 0.5``), a tensor-number primitive that keeps the number out of the graph
and off the promotion path. Both record PyTorch's node name.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..tensor import Tensor
from ._dispatch import as_tensor_arg, binary, cast
from .registry import Op, apply

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "neg", "negative", "exp", "log", "tanh", "sigmoid", "pow", "relu", "sqrt",
]
methods = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
    "negative", "exp", "log", "tanh", "sigmoid", "pow", "relu", "sqrt",
]


# -- arithmetic -----------------------------------------------------------------------
class Add(Op):
    args = ("self", "other")

    def forward(xp, x, y):
        return xp.add(x, y)

    def vjp(g, out, x, y):
        return g, g


class AddScalar(Op):
    name = "AddBackward0"

    def forward(xp, x, *, other):
        return x + other

    def vjp(g, out, x, *, other):
        return g


class Sub(Op):
    args = ("self", "other")

    def forward(xp, x, y):
        return xp.subtract(x, y)

    def vjp(g, out, x, y):
        return g, -g


class SubScalar(Op):
    name = "SubBackward0"

    def forward(xp, x, *, other):
        return x - other

    def vjp(g, out, x, *, other):
        return g


class RsubScalar(Op):
    name = "RsubBackward1"

    def forward(xp, x, *, other):
        return other - x

    def vjp(g, out, x, *, other):
        return -g


class Mul(Op):
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.multiply(x, y)

    def vjp(g, out, x, y):
        return g * y, g * x


class MulScalar(Op):
    name = "MulBackward0"

    def forward(xp, x, *, other):
        return x * other

    def vjp(g, out, x, *, other):
        return g * other


class Div(Op):
    args = saves = ("self", "other")

    def forward(xp, x, y):
        return xp.true_divide(x, y)

    def vjp(g, out, x, y):
        gx = g / y
        return gx, -gx * x / y


class DivScalar(Op):
    name = "DivBackward0"

    def forward(xp, x, *, other):
        return x / other

    def vjp(g, out, x, *, other):
        return g / other


class Neg(Op):
    def forward(xp, x):
        return xp.negative(x)

    def vjp(g, out, x):
        return -g


def _with_alpha(other, alpha):
    if alpha == 1:
        return other
    return other * alpha


def add(input: Tensor, other, *, alpha=1, out=None) -> Tensor:
    """input + alpha * other, with broadcasting and type promotion.

    >>> leafgrad.add(leafgrad.tensor([1., 2.]), 1)
    tensor([2., 3.])
    """
    return binary(Add, AddScalar, input, _with_alpha(other, alpha))


def sub(input: Tensor, other, *, alpha=1, out=None) -> Tensor:
    """input - alpha * other."""
    _check_not_bool_sub(input, other)
    return binary(Sub, SubScalar, input, _with_alpha(other, alpha))


subtract = sub


def _check_not_bool_sub(x, y) -> None:
    xb = isinstance(x, Tensor) and x._data.dtype.kind == "b"
    yb = (isinstance(y, Tensor) and y._data.dtype.kind == "b") or y.__class__ is bool
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


def rsub(input: Tensor, other, *, alpha=1) -> Tensor:
    """other - alpha * input."""
    if other.__class__ is float and alpha == 1 and input._data.dtype.kind == "f":
        return apply(RsubScalar, input, other=other)
    _check_not_bool_sub(input, other)
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    x = _with_alpha(input, alpha)
    d = _dt.result_type(x, other)
    if d.np == x._data.dtype:
        return apply(RsubScalar, x, other=other)
    return sub(as_tensor_arg(other), x)


def mul(input: Tensor, other, *, out=None) -> Tensor:
    """input * other, with broadcasting and type promotion."""
    return binary(Mul, MulScalar, input, other)


multiply = mul


def div(input: Tensor, other, *, rounding_mode: str | None = None, out=None) -> Tensor:
    """input / other; integer inputs give the default float dtype (true division)."""
    if rounding_mode is not None:
        raise NotImplementedError("div(rounding_mode=...) is not implemented yet")
    x = input if isinstance(input, Tensor) else as_tensor_arg(input)
    if x._data.dtype.kind != "f" and not (isinstance(other, Tensor)
                                          and other._data.dtype.kind == "f"):
        d = _dt.result_type(x, other)
        if not d.is_floating_point:
            d = _dt.get_default_dtype()
        x = cast(x, d)
        if isinstance(other, Tensor):
            other = cast(other, d)
    return binary(Div, DivScalar, x, other)


divide = true_divide = div


def neg(input: Tensor, *, out=None) -> Tensor:
    """-input."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return apply(Neg, input)


negative = neg


# -- transcendental -------------------------------------------------------------------
def _floating(x: Tensor) -> Tensor:
    """Integer inputs of float-valued ops are computed in the default float dtype."""
    if x._data.dtype.kind == "f":
        return x
    return cast(x, _dt.get_default_dtype())


class Exp(Op):
    saves = ("result",)

    def forward(xp, x):
        return xp.exp(x)

    def vjp(g, out, x):
        return g * out


class Log(Op):
    saves = ("self",)

    def forward(xp, x):
        return xp.log(x)

    def vjp(g, out, x):
        return g / x


class Sqrt(Op):
    saves = ("result",)

    def forward(xp, x):
        return xp.sqrt(x)

    def vjp(g, out, x):
        return g / (2 * out)


class Tanh(Op):
    saves = ("result",)

    def forward(xp, x):
        return xp.tanh(x)

    def vjp(g, out, x):
        return g * (1 - out * out)


class Sigmoid(Op):
    saves = ("result",)

    def forward(xp, x):
        # Stable on both tails: exp of a non-positive number never overflows.
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1, e) / (1 + e)

    def vjp(g, out, x):
        return g * out * (1 - out)


class Relu(Op):
    saves = ("result",)

    def forward(xp, x):
        return xp.maximum(x, 0)

    def vjp(g, out, x):
        # The mask carries no gradient (relu'' = 0), so it is built from the data.
        return g * (out > 0 if out.__class__ is not Tensor else Tensor._make(out._data > 0))


def exp(input: Tensor, *, out=None) -> Tensor:
    """e ** input, elementwise."""
    return apply(Exp, _floating(input))


def log(input: Tensor, *, out=None) -> Tensor:
    """Natural logarithm, elementwise."""
    return apply(Log, _floating(input))


def sqrt(input: Tensor, *, out=None) -> Tensor:
    """Square root, elementwise."""
    return apply(Sqrt, _floating(input))


def tanh(input: Tensor, *, out=None) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return apply(Tanh, _floating(input))


def sigmoid(input: Tensor, *, out=None) -> Tensor:
    """1 / (1 + exp(-input)), computed stably."""
    return apply(Sigmoid, _floating(input))


def relu(input: Tensor) -> Tensor:
    """max(input, 0)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
    return apply(Relu, input)


# -- powers ---------------------------------------------------------------------------
class PowScalar(Op):
    """x ** exponent for a number exponent."""

    name = "PowBackward0"
    saves = ("self",)

    def forward(xp, x, *, exponent):
        return xp.power(x, exponent)

    def vjp(g, out, x, *, exponent):
        if exponent == 0:
            return g * 0
        return g * exponent * x ** (exponent - 1)


class Pow(Op):
    name = "PowBackward1"
    args = ("self", "exponent")
    saves = ("self", "exponent", "result")

    def forward(xp, x, y):
        return xp.power(x, y)

    def vjp(g, out, x, y):
        gx = g * y * x ** (y - 1)
        # d/dy x**y = x**y log x, taken as 0 where x == 0 and y >= 0 (PyTorch's convention):
        # log(x + 1) there is log(1) = 0, and the mask itself carries no gradient.
        zero = Tensor._make(((x._data == 0) & (y._data >= 0)).astype(x._data.dtype))
        gy = g * out * log(x + zero)
        return gx, gy


class RpowScalar(Op):
    """number ** x."""

    name = "PowBackward2"
    args = ("exponent",)
    saves = ("result",)

    def forward(xp, y, *, base):
        return xp.power(base, y)

    def vjp(g, out, y, *, base):
        import math

        if base == 0:
            return g * (out * 0)
        return g * out * math.log(base)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001
    """input ** exponent (either may be a number)."""
    if not isinstance(input, Tensor):
        d = _dt.result_type(input, exponent)
        exponent = cast(exponent, d)
        return apply(RpowScalar, exponent, base=input)
    if isinstance(exponent, Tensor):
        d = _dt.result_type(input, exponent)
        return apply(Pow, cast(input, d), cast(exponent, d))
    if input._data.dtype.kind in "iub":
        if input._data.dtype.kind != "b" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        d = _dt.result_type(input, exponent)
        input = cast(input, d)
    return apply(PowScalar, input, exponent=exponent)


def _reflected(fn):
    """``other (op) self`` for a non-commutative op."""

    def reflected(self, other):
        return fn(other, self)

    reflected.__name__ = "r" + fn.__name__
    return reflected


dunders = {
    "__add__": add, "__radd__": add,
    "__sub__": sub, "__rsub__": rsub,
    "__mul__": mul, "__rmul__": mul,
    "__truediv__": div, "__rtruediv__": _reflected(div),
    "__neg__": neg,
    "__pow__": pow, "__rpow__": _reflected(pow),
}
