"""Activation layers: thin modules over ``nn.functional``, with PyTorch's constructor
arguments, attributes and ``extra_repr``."""

from __future__ import annotations

import warnings

from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "ReLU", "ReLU6", "Sigmoid", "Tanh", "GELU", "SiLU", "Mish", "LeakyReLU", "ELU", "CELU",
    "SELU", "Softplus", "Softsign", "Softmax", "Softmin", "LogSoftmax", "LogSigmoid",
    "Hardtanh", "Hardsigmoid", "Hardswish", "Threshold", "Hardshrink", "Softshrink",
    "Tanhshrink", "GLU", "PReLU", "Softmax2d", "RReLU",
]


class _Activation(Module):
    """An activation module over ``_fn``: the constructor's arguments are stored under the
    names in ``_args`` and passed to ``_fn`` after the input, in that order.

    ``extra_repr`` is ``_repr`` formatted with those attributes (by default
    ``name=value`` for each of them but ``inplace``), then ``inplace=True`` when set
    (unless ``_show_inplace`` is False).
    """

    _fn = staticmethod(F.relu)
    _args: tuple[str, ...] = ()
    _repr: str | None = None
    _show_inplace = True

    def __init__(self, *values) -> None:
        super().__init__()
        for name, value in zip(self._args, values, strict=True):
            setattr(self, name, value)

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, *[getattr(self, name) for name in self._args])

    def extra_repr(self) -> str:
        fmt = self._repr
        if fmt is None:
            fmt = ", ".join(f"{name}={{{name}}}" for name in self._args if name != "inplace")
        values = {name: getattr(self, name) for name in self._args}
        parts = [fmt.format_map(values)] if fmt else []
        if self._show_inplace and getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(parts)


class _Inplace(_Activation):
    """An activation whose only setting is ``inplace``."""

    _args = ("inplace",)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(inplace)


class ReLU(_Inplace):
    """max(x, 0) elementwise.

    >>> nn.ReLU()(leafgrad.tensor([-1., 2.]))
    tensor([0., 2.])
    """

    _fn = staticmethod(F.relu)

    def __init__(self, inplace: bool = False) -> None:  # its own: errors name ReLU.__init__
        super().__init__(inplace)


class Hardtanh(_Activation):
    """x clamped to [min_val, max_val]."""

    _fn = staticmethod(F.hardtanh)
    _args = ("min_val", "max_val", "inplace")

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        super().__init__(min_val, max_val, inplace)
        if self.max_val <= self.min_val:
            raise AssertionError(
                f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    _repr = ""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)


class _Stateless(_Activation):
    """An activation without settings (``Sigmoid()``, ``Tanh()`` ...): Module's own
    constructor."""

    __init__ = Module.__init__


class Sigmoid(_Stateless):
    """1 / (1 + exp(-x))."""

    _fn = staticmethod(F.sigmoid)


class Tanh(_Stateless):
    """tanh(x)."""

    _fn = staticmethod(F.tanh)


class Softsign(_Stateless):
    """x / (1 + |x|)."""

    _fn = staticmethod(F.softsign)


class LogSigmoid(_Stateless):
    """log(sigmoid(x))."""

    _fn = staticmethod(F.logsigmoid)


class Tanhshrink(_Stateless):
    """x - tanh(x)."""

    _fn = staticmethod(F.tanhshrink)


class SiLU(_Inplace):
    """x * sigmoid(x)."""

    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    """x * tanh(softplus(x))."""

    _fn = staticmethod(F.mish)


class SELU(_Inplace):
    """scale * elu(x, alpha) with the self-normalizing constants."""

    _fn = staticmethod(F.selu)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6."""

    _fn = staticmethod(F.hardsigmoid)
    _show_inplace = False


class Hardswish(_Inplace):
    """x * relu6(x + 3) / 6."""

    _fn = staticmethod(F.hardswish)
    _show_inplace = False


class GELU(_Activation):
    """x * Phi(x) (``approximate='tanh'``: the tanh approximation)."""

    _fn = staticmethod(F.gelu)
    _args = ("approximate",)
    _repr = "approximate={approximate!r}"

    def __init__(self, approximate: str = "none") -> None:
        super().__init__(approximate)


class LeakyReLU(_Activation):
    """x where x > 0, else negative_slope * x."""

    _fn = staticmethod(F.leaky_relu)
    _args = ("negative_slope", "inplace")

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__(negative_slope, inplace)


class ELU(_Activation):
    """x where x > 0, else alpha * (exp(x) - 1)."""

    _fn = staticmethod(F.elu)
    _args = ("alpha", "inplace")

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(alpha, inplace)


class CELU(ELU):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    _fn = staticmethod(F.celu)


class Softplus(_Activation):
    """log(1 + exp(beta * x)) / beta, linear above ``threshold``."""

    _fn = staticmethod(F.softplus)
    _args = ("beta", "threshold")

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__(beta, threshold)


class _DimActivation(_Activation):
    _fn = staticmethod(F.softmax)
    _args = ("dim",)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__(dim)

    def forward(self, input: Tensor) -> Tensor:
        return self._fn(input, self.dim, _stacklevel=5)


class Softmax(_DimActivation):
    """exp(x) / sum(exp(x)) along ``dim``.

    >>> nn.Softmax(dim=0)(leafgrad.tensor([1., 2., 3.]))
    tensor([0.0900, 0.2447, 0.6652])
    """

    _fn = staticmethod(F.softmax)


class Softmin(_DimActivation):
    """softmax(-x) along ``dim``."""

    _fn = staticmethod(F.softmin)


class LogSoftmax(_DimActivation):
    """log(softmax(x)) along ``dim``."""

    _fn = staticmethod(F.log_softmax)


class Threshold(_Activation):
    """x where x > threshold, else value."""

    _fn = staticmethod(F.threshold)
    _args = ("threshold", "value", "inplace")

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__(threshold, value, inplace)


class Hardshrink(_Activation):
    """x where |x| > lambd, else 0."""

    _fn = staticmethod(F.hardshrink)
    _args = ("lambd",)
    _repr = "{lambd}"

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__(lambd)


class Softshrink(Hardshrink):
    """x shrunk towards 0 by lambd (0 inside [-lambd, lambd])."""

    _fn = staticmethod(F.softshrink)


class GLU(_Activation):
    """The gated linear unit: a * sigmoid(b), a and b the halves of the input along dim."""

    _fn = staticmethod(F.glu)
    _args = ("dim",)

    def __init__(self, dim: int = -1) -> None:
        super().__init__(dim)


class PReLU(Module):
    """leaky relu with a learned slope (one, or one per channel), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None,
                 dtype=None) -> None:
        from ...creation import empty

        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope to ``init``."""
        from ...autograd.grad_mode import no_grad

        with no_grad():
            self.weight.fill_(self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax2d(Module):
    """softmax over the channels of a (C, H, W) or (N, C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)


class RReLU(_Activation):
    """Randomized leaky relu: a random negative slope in [lower, upper] while training,
    their mean in evaluation."""

    _args = ("lower", "upper", "inplace")

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__(lower, upper, inplace)

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)
