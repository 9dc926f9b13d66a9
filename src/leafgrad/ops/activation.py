"""Activation functions: PyTorch's ``torch.nn.functional`` activations as primitives.

Each is one primitive recording PyTorch's node (``GeluBackward0``, ``EluBackward0`` for
elu and selu, ``HardtanhBackward0`` for hardtanh and relu6 ...), except where PyTorch itself
composes (softsign is ``x / (1 + |x|)``, softmin is ``softmax(-x)``). Piecewise factors of a
derivative (masks, slopes) are constants computed from the data; the smooth parts are
written in leafgrad ops, so every vjp can be differentiated again.

relu, sigmoid, tanh, softmax and log_softmax are the primitives of ``ops.elementwise`` and
``ops.reduction`` (the ``F.`` forms add PyTorch's ``inplace=`` and implicit-dim handling).
"""

from __future__ import annotations

import math
import warnings

from ..backend import maximum as _maximum
from ..backend import minimum as _minimum
from ..backend import np
from ..tensor import Tensor
from . import elementwise as _ew
from . import reduction as _red
from .logical import kind_name, not_implemented, not_tensor
from .registry import Op, apply

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "celu", "selu", "gelu", "silu", "mish", "softplus",
    "softsign", "hardtanh", "hardsigmoid", "hardswish", "logsigmoid", "sigmoid", "tanh",
    "softmax", "log_softmax", "softmin", "relu_", "leaky_relu_", "elu_", "celu_", "selu_",
    "hardtanh_", "threshold", "threshold_", "hardshrink", "softshrink", "tanhshrink", "glu",
    "prelu", "rrelu", "rrelu_",
]
methods: list[str] = ["hardshrink", "prelu"]  # (PyTorch's Tensor methods among these)

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_BETA = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715
_ONE_SIXTH = float(np.float32(1.0 / 6))  # PyTorch's hardsigmoid slope is a float constant

_relu = _ew.relu
sigmoid = _ew.sigmoid
tanh = _ew.tanh


# -- helpers -------------------------------------------------------------------------------
def _float_input(input, fn: str, kernel: str) -> Tensor:
    """``input`` checked to be a floating tensor (PyTorch's errors otherwise)."""
    try:
        k = input._data.dtype.kind
    except AttributeError:
        raise not_tensor(fn, "input", 1, input) from None
    if k != "f":
        raise not_implemented(kernel, input._data.dtype)
    return input


def _data(t):
    """The backend array of a Tensor (or the array itself: a first-order vjp)."""
    return t._data if isinstance(t, Tensor) else t


def _times(g, factor):
    """``g * factor`` for a constant backend array ``factor`` (on a Tensor or an array)."""
    if isinstance(g, Tensor):
        return g * Tensor._make(factor.astype(g._data.dtype, copy=False))
    return g * factor.astype(g.dtype, copy=False)


def _quiet(f):
    """``f`` with NumPy's floating-point warnings off (PyTorch computes inf * 0 silently)."""

    def quiet(*args, **kwargs):
        with np.errstate(all="ignore"):
            return f(*args, **kwargs)

    quiet.__name__ = f.__name__
    return quiet


def _const(a, like: Tensor) -> Tensor:
    return Tensor._make(np.asarray(a, like._data.dtype))


def _inplace(x: Tensor, name: str, op: type[Op], **attrs) -> Tensor:
    """``op`` run in place on ``x`` (the ``inplace=True`` forms): PyTorch's leaf and view
    checks, the write, the version bump and the rewritten history (``ops.inplace``)."""
    from .inplace import run

    return run(x, name, lambda: apply(op, x, **attrs))


# -- relu / leaky_relu ----------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0) elementwise (``torch.nn.functional.relu``).

    >>> F.relu(leafgrad.tensor([-1., 2.]))
    tensor([0., 2.])
    """
    if inplace:
        return relu_(input)
    return _relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place relu (``Tensor.relu_``)."""
    return input.relu_()


class LeakyRelu(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, negative_slope):
        return xp.where(x > 0, x, x * negative_slope)

    def vjp(g, out, x, *, negative_slope):
        return _times(g, np.where(_data(x) > 0, 1.0, negative_slope))


class LeakyReluInplace(LeakyRelu):
    name = "LeakyReluBackward1"

    def vjp(g, out, x, *, negative_slope):
        if negative_slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope "
                "which is not supported. This is caused by calling in-place forward function "
                "with a negative slope, please call out-of-place version instead. File an "
                "issue at https://github.com/pytorch/pytorch if you do require supporting "
                "in-place leakRelu backward calculation with negative slope")
        return LeakyRelu.vjp(g, out, x, negative_slope=negative_slope)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x.

    >>> F.leaky_relu(leafgrad.tensor([-1., 2.]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    x = _float_input(input, "leaky_relu", "leaky_relu_cpu")
    if inplace:
        return _inplace(x, "leaky_relu_", LeakyReluInplace,
                        negative_slope=float(negative_slope))
    return apply(LeakyRelu, x, negative_slope=float(negative_slope))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place leaky_relu."""
    return leaky_relu(input, negative_slope, inplace=True)


# -- elu family -----------------------------------------------------------------------------
class Elu(Op):
    saves = ("self",)

    def forward(xp, x, *, alpha, scale, input_scale):
        neg = xp.expm1(xp.minimum(x, 0) * input_scale) * (alpha * scale)
        return xp.where(x > 0, x * scale, neg)

    @_quiet
    def vjp(g, out, x, *, alpha, scale, input_scale):
        e = (x.clamp_max(0.0) * input_scale).exp() * (alpha * scale * input_scale)
        pos = Tensor._make(~(x._data <= 0))  # NaN takes the linear branch, as in PyTorch
        return g * _ew.where(pos, _const(scale, x), e)


class Celu(Elu):
    """celu: elu with input_scale 1/alpha (its own node, CeluBackward0)."""


_ELU_INPLACE_NEGATIVE = (
    "In-place elu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead.")


class EluInplace(Elu):
    name = "EluBackward1"  # PyTorch names the in-place forms' nodes apart

    def vjp(g, out, x, *, alpha, scale, input_scale):
        if alpha < 0:
            raise RuntimeError(_ELU_INPLACE_NEGATIVE)
        return Elu.vjp(g, out, x, alpha=alpha, scale=scale, input_scale=input_scale)


class CeluInplace(EluInplace):
    name = "CeluBackward1"


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1).

    >>> F.elu(leafgrad.tensor([-1., 2.]))
    tensor([-0.6321,  2.0000])
    """
    x = _float_input(input, "elu", "elu_cpu")
    attrs = dict(alpha=float(alpha), scale=1.0, input_scale=1.0)
    return _inplace(x, "elu_", EluInplace, **attrs) if inplace else apply(Elu, x, **attrs)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place elu."""
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalizing constants (node EluBackward0)."""
    x = _float_input(input, "selu", "elu_cpu")
    attrs = dict(alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)
    return _inplace(x, "selu_", EluInplace, **attrs) if inplace else apply(Elu, x, **attrs)


def selu_(input: Tensor) -> Tensor:
    """In-place selu."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    x = _float_input(input, "celu", "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    attrs = dict(alpha=float(alpha), scale=1.0, input_scale=1.0 / alpha)
    return _inplace(x, "celu_", CeluInplace, **attrs) if inplace else apply(Celu, x, **attrs)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place celu."""
    return celu(input, alpha, inplace=True)


# -- gelu / silu / mish ---------------------------------------------------------------------
class Gelu(Op):
    saves = ("self",)

    @_quiet
    def forward(xp, x, *, approximate):
        if approximate == "tanh":
            inner = (x + x * x * x * _GELU_KAPPA) * _GELU_BETA
            return x * 0.5 * (1 + xp.tanh(inner))
        return x * 0.5 * (1 + _ew._erf_array(x * _INV_SQRT2, False))

    @_quiet
    def vjp(g, out, x, *, approximate):
        if approximate == "tanh":
            x2 = x * x
            t = ((x + x2 * x * _GELU_KAPPA) * _GELU_BETA).tanh()
            left = (t + 1) * 0.5
            right = x * 0.5 * (1 - t * t) * ((x2 * (3 * _GELU_KAPPA) + 1) * _GELU_BETA)
            return g * (left + right)
        cdf = ((x * _INV_SQRT2).erf() + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return g * (cdf + x * pdf)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (``approximate='tanh'``: its tanh form).

    >>> F.gelu(leafgrad.tensor([1.]))
    tensor([0.8413])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("gelu", "input", 1, input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = _float_input(input, "gelu", "GeluKernelImpl")
    return apply(Gelu, x, approximate=approximate)


class Silu(Op):
    saves = ("self",)

    @_quiet
    def forward(xp, x):
        return x / (1 + xp.exp(-x))

    @_quiet
    def vjp(g, out, x):
        s = x.sigmoid()
        return g * (s * (x * (1 - s) + 1))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (the swish).

    >>> F.silu(leafgrad.tensor([1.]))
    tensor([0.7311])
    """
    x = _float_input(input, "silu", "silu_cpu")
    return _inplace(x, "silu_", Silu) if inplace else apply(Silu, x)


class Mish(Op):
    saves = ("self",)

    @_quiet
    def forward(xp, x):
        return x * xp.tanh(xp.logaddexp(0, x))

    @_quiet
    def vjp(g, out, x):
        t = softplus(x).tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    x = _float_input(input, "mish", "mish_cpu")
    return _inplace(x, "mish_", Mish) if inplace else apply(Mish, x)


# -- softplus / logsigmoid / softsign ---------------------------------------------------------
class Softplus(Op):
    saves = ("self",)

    @_quiet
    def forward(xp, x, *, beta, threshold):
        bx = x * beta
        soft = xp.log1p(xp.exp(xp.minimum(bx, threshold))) / beta
        return xp.where(bx > threshold, x, soft)

    @_quiet
    def vjp(g, out, x, *, beta, threshold):
        lin = Tensor._make(x._data * beta > threshold)
        return g * _ew.where(lin, _const(1.0, x), (x * beta).sigmoid())


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold.

    >>> F.softplus(leafgrad.tensor([0.]))
    tensor([0.6931])
    """
    x = _float_input(input, "softplus", "softplus_cpu")
    return apply(Softplus, x, beta=float(beta), threshold=float(threshold))


class LogSigmoid(Op):
    name = "LogSigmoidBackward0"
    saves = ("self",)

    @_quiet
    def forward(xp, x):
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @_quiet
    def vjp(g, out, x):
        return g * (-x).sigmoid()


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably."""
    x = _float_input(input, "logsigmoid", "log_sigmoid_cpu")
    return apply(LogSigmoid, x)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|) (a composite, as in PyTorch)."""
    return input / (input.abs() + 1)


# -- hard* ----------------------------------------------------------------------------------
class Hardtanh(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, min_val, max_val):
        out = _minimum(xp, _maximum(xp, x, min_val), max_val)  # NaN kept, as clip keeps it
        return out if out.dtype == x.dtype else out.astype(x.dtype)

    def vjp(g, out, x, *, min_val, max_val):
        a = _data(x)
        return _times(g, ~((a <= min_val) | (a >= max_val)))  # NaN passes, as in PyTorch


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val].

    >>> F.hardtanh(leafgrad.tensor([-2., 0.5]))
    tensor([-1.0000,  0.5000])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("hardtanh", "input", 1, input)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype.kind == "b":
        raise not_implemented("clamp_scalar_cpu", input._data.dtype)
    if inplace:
        return _inplace(input, "hardtanh_", Hardtanh, min_val=min_val, max_val=max_val)
    return apply(Hardtanh, input, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place hardtanh."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6) (node HardtanhBackward0, as in PyTorch)."""
    if not isinstance(input, Tensor):
        raise not_tensor("relu6", "input", 1, input)
    return hardtanh(input, 0.0, 6.0, inplace)


class Hardsigmoid(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x):
        return xp.clip(x + 3, 0, 6) / 6

    def vjp(g, out, x):
        a = _data(x)
        return _times(g, np.where((a > -3) & (a < 3), _ONE_SIXTH, 0.0))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    x = _float_input(input, "hardsigmoid", "hardsigmoid_cpu")
    return _inplace(x, "hardsigmoid_", Hardsigmoid) if inplace else apply(Hardsigmoid, x)


class Hardswish(Op):
    saves = ("self",)

    @_quiet
    def forward(xp, x):
        return x * xp.clip(x + 3, 0, 6) / 6

    @_quiet
    def vjp(g, out, x):
        a = x._data
        lo, lt3 = a <= -3, a < 3
        mid = Tensor._make(~lo & lt3)
        hi = Tensor._make((~lo & ~lt3).astype(a.dtype))  # x >= 3, and NaN, as in PyTorch
        return g * _ew.where(mid, x * (1 / 3) + 0.5, hi)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    x = _float_input(input, "hardswish", "hardswish_cpu")
    return _inplace(x, "hardswish_", Hardswish) if inplace else apply(Hardswish, x)


# -- softmax family -----------------------------------------------------------------------------
def _implicit_dim(name: str, ndim: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (PyTorch's implicit dim, with its warning, when
    ``dim`` is None).

    >>> F.softmax(leafgrad.tensor([1., 2., 3.]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    if dim is None:
        dim = _implicit_dim("softmax", input.dim())
    return _red.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.dim())
    return _red.log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _implicit_dim("softmin", input.dim())
    return _red.softmax(-input, dim, dtype=dtype)


# -- threshold / shrinks / glu / prelu -------------------------------------------------------------
class Threshold(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, threshold, value):
        return xp.where(x > threshold, x, xp.asarray(value).astype(x.dtype))

    def vjp(g, out, x, *, threshold, value):
        return _times(g, _data(x) > threshold)


class ThresholdInplace(Threshold):
    name = "ThresholdBackward1"


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value.

    >>> F.threshold(leafgrad.tensor([0.5, 2.]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("threshold", "input", 1, input)
    if inplace:
        return _inplace(input, "threshold_", ThresholdInplace, threshold=threshold, value=value)
    return apply(Threshold, input, threshold=threshold, value=value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place threshold."""
    return globals()["threshold"](input, threshold, value, inplace=True)


class Hardshrink(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, lambd):
        return xp.where((x >= -lambd) & (x <= lambd), xp.zeros((), x.dtype), x)

    def vjp(g, out, x, *, lambd):
        a = _data(x)
        return _times(g, ~((a >= -lambd) & (a <= lambd)))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    x = _float_input(input, "hardshrink", "hardshrink_cpu")
    return apply(Hardshrink, x, lambd=float(lambd))


class Softshrink(Op):
    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, lambd):
        shrunk = xp.where(x > lambd, x - lambd, x + lambd)
        return xp.where((x >= -lambd) & (x <= lambd), xp.zeros((), x.dtype), shrunk)

    def vjp(g, out, x, *, lambd):
        a = _data(x)
        return _times(g, ~((a >= -lambd) & (a <= lambd)))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    x = _float_input(input, "softshrink", "softshrink_check")
    if lambd < 0:
        dt = x._data.dtype
        name = "Double" if dt == np.float64 else "Float"
        raise RuntimeError(f"lambda must be in range [0, {float(np.finfo(dt).max):g}] for input "
                           f"dtype {name}, but found {float(lambd):g}")
    return apply(Softshrink, x, lambd=float(lambd))


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x) (a composite, as in PyTorch)."""
    return input - input.tanh()


class Glu(Op):
    saves = ("self",)

    def forward(xp, x, *, dim):
        a, b = xp.split(x, 2, axis=dim)
        with np.errstate(over="ignore"):
            return a / (1 + xp.exp(-b))

    def vjp(g, out, x, *, dim):
        from .shape import cat

        half = x._data.shape[dim] // 2
        a, b = x.narrow(dim, 0, half), x.narrow(dim, half, half)
        s = b.sigmoid()
        ga = g * s
        return cat([ga, ga * a * (1 - s)], dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the halves of input along ``dim``."""
    x = _float_input(input, "glu", "glu_cpu")
    nd = x._data.ndim
    if nd == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}]"
                         f", but got {dim})")
    d = dim % nd
    if x._data.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{x._data.shape[d]}")
    return apply(Glu, x, dim=d)


class PreluKernel(Op):
    args = saves = ("self", "weight")

    def forward(xp, x, w):
        return xp.where(x > 0, x, w * x)

    def vjp(g, out, x, w):
        pos = Tensor._make(x._data > 0)
        zero = _const(0.0, x)
        return _ew.where(pos, g, g * w), _ew.where(pos, zero, g * x)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x (weight: one value, or one per channel, dim 1)."""
    x = _float_input(input, "prelu", "prelu_cpu")
    if not isinstance(weight, Tensor):
        raise not_tensor("prelu", "weight", 2, weight)
    if weight._data.dtype != x._data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{kind_name(x._data.dtype)} and {kind_name(weight._data.dtype)}")
    wd, nd = weight._data.ndim, x._data.ndim
    if wd > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {wd}")
    n = weight._data.size
    if n != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        c = x._data.shape[1] if nd > 1 else 1
        if c != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {c}.")
    w = weight
    if wd != nd:
        shape = [1] * nd
        if nd > 1:
            shape[1] = n
        w = weight.reshape(tuple(shape))
    return apply(PreluKernel, x, w)


class RreluWithNoise(Op):
    """rrelu: x * noise, noise 1 for x > 0 and a uniform slope in [lower, upper] otherwise
    (training), or the leaky slope (lower + upper) / 2 (evaluation)."""

    array_vjp = True
    saves = ("self",)

    def forward(xp, x, *, noise, slope):
        if noise is not None:
            return x * noise
        return xp.where(x > 0, x, x * slope)

    def vjp(g, out, x, *, noise, slope):
        if noise is not None:
            return _times(g, noise)
        return _times(g, np.where(_data(x) > 0, 1.0, slope))


class RreluWithNoiseInplace(RreluWithNoise):
    name = "RreluWithNoiseBackward1"

    def vjp(g, out, x, *, noise, slope):
        if noise is None and slope < 0:  # (evaluation: PyTorch's in-place leaky_relu)
            return LeakyReluInplace.vjp(g, out, x, negative_slope=slope)
        return RreluWithNoise.vjp(g, out, x, noise=noise, slope=slope)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky relu: negative inputs scaled by a slope drawn from U(lower, upper)
    in training (leafgrad's generator), by (lower + upper) / 2 in evaluation."""
    if not isinstance(input, Tensor):
        raise not_tensor("rrelu", "input", 1, input)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    x = _float_input(input, "rrelu", "rrelu_with_noise_out_cpu" if training
                     else "leaky_relu_cpu")
    noise = None
    if training:
        from ..creation import rand_like

        a = x._data
        r = rand_like(x)._data * (upper - lower) + lower
        noise = np.where(a > 0, np.ones((), a.dtype), r).astype(a.dtype, copy=False)
    attrs = dict(noise=noise, slope=(lower + upper) / 2)
    if inplace:
        return _inplace(x, "rrelu_", RreluWithNoiseInplace, **attrs)
    return apply(RreluWithNoise, x, **attrs)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place rrelu."""
    return rrelu(input, lower, upper, training, inplace=True)
