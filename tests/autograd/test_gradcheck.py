"""gradcheck / gradgradcheck: pass on correct derivatives, PyTorch's report on wrong ones."""

from __future__ import annotations

import pytest

import leafgrad
from leafgrad.autograd import GradcheckError, gradcheck, gradgradcheck
from leafgrad.ops.registry import Op, apply


class TwiceTooSteep(Op):
    """exp with a wrong derivative (2 * exp): gradcheck must catch it."""

    name = "ExpBackward0"
    saves = ("result",)

    def forward(xp, x):
        return xp.exp(x)

    def vjp(g, out, x):
        return g * out * 2


class WrongSecondDerivative(Op):
    """x**2 whose vjp is right once but not differentiable the right way (2 * x detached)."""

    name = "PowBackward0"
    saves = ("self",)

    def forward(xp, x):
        return x * x

    def vjp(g, out, x):
        return g * 2 * x.detach()


def test_passes_on_correct_ops():
    x = leafgrad.tensor([0.3, -1.2, 2.0], dtype=leafgrad.float64, requires_grad=True)
    y = leafgrad.tensor([1.5, 0.7, -0.4], dtype=leafgrad.float64, requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).exp().tanh() / (b * b + 1), (x, y))
    assert gradgradcheck(lambda a, b: (a * b).exp().tanh() / (b * b + 1), (x, y))


def test_reports_a_wrong_jacobian():
    x = leafgrad.tensor([0.1, 0.2], dtype=leafgrad.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: apply(TwiceTooSteep, a), (x,))
    first = str(info.value).splitlines()[0]
    assert first == "Jacobian mismatch for output 0 with respect to input 0,"
    assert "numerical:tensor(" in str(info.value) and "analytical:tensor(" in str(info.value)
    assert gradcheck(lambda a: apply(TwiceTooSteep, a), (x,), raise_exception=False) is False
    assert isinstance(info.value, RuntimeError)


def test_gradgradcheck_catches_a_non_differentiable_vjp():
    x = leafgrad.tensor([0.5, -0.3], dtype=leafgrad.float64, requires_grad=True)
    assert gradcheck(lambda a: apply(WrongSecondDerivative, a), (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda a: apply(WrongSecondDerivative, a), (x,))


@pytest.mark.torch
def test_report_matches_torch(torch):
    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            r = a.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r * 2

    import sys

    torch_error = sys.modules["torch.autograd.gradcheck"].GradcheckError
    xt = torch.tensor([0.1, 0.2], dtype=torch.float64, requires_grad=True)
    with pytest.raises(torch_error) as theirs:
        torch.autograd.gradcheck(Wrong.apply, (xt,))
    x = leafgrad.tensor([0.1, 0.2], dtype=leafgrad.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as ours:
        gradcheck(lambda a: apply(TwiceTooSteep, a), (x,))
    assert str(ours.value) == str(theirs.value).replace("torch.", "leafgrad.")
