"""Helpers shared by the nn tests: torch's parameters into a leafgrad module, value and
gradient comparison with dtype-dependent tolerances, and "raises (or warns) what torch
raises" checks."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

import numpy as np
import pytest

import leafgrad


def to_leafgrad(msg: str) -> str:
    """A PyTorch message with ``torch.`` names printed as ``leafgrad.``."""
    return msg.replace("torch.", "leafgrad.")


def lgmsg(msg: str) -> str:
    """A PyTorch message with every ``torch`` printed as ``leafgrad``."""
    return msg.replace("torch", "leafgrad")


def copy_params(tm, lm, buffers: bool = False) -> None:
    """Torch's initialised parameters (and, with ``buffers``, buffers) into the leafgrad
    module, by name: the names must come in the same order, the shapes must agree."""
    lp = dict(lm.named_parameters())
    assert list(lp) == [n for n, _ in tm.named_parameters()]
    for n, p in tm.named_parameters():
        assert tuple(lp[n].shape) == tuple(p.shape)
        lp[n]._data[...] = p.detach().numpy()
    if buffers:
        lb = dict(lm.named_buffers())
        assert list(lb) == [n for n, _ in tm.named_buffers()]
        for n, b in tm.named_buffers():
            lb[n]._data[...] = b.numpy()


def close(t, lt, dt=np.float64, rtol64: float = 1e-9) -> None:
    """Same shape and dtype, and values within float32's tolerance or (for ``dt`` float64)
    ``rtol64``."""
    tol = dict(rtol=2e-4, atol=2e-5) if dt == np.float32 else dict(rtol=rtol64, atol=1e-10)
    a, b = t.detach().numpy(), lt.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(b, a, **tol)


def raises_like(torch_fn: Callable, lg_fn: Callable, exc: type = Exception,
                translate: Callable[[str], str] = to_leafgrad) -> None:
    """``lg_fn`` raises the type ``torch_fn`` raises (an ``exc``), with torch's message
    passed through ``translate`` (matched literally)."""
    with pytest.raises(exc) as info:
        torch_fn()
    with pytest.raises(info.type, match=re.escape(translate(str(info.value)))):
        lg_fn()


def error_from(fn: Callable, T) -> BaseException:
    """The exception ``fn(T)`` raises (warnings silenced); AssertionError if none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(T)
        except Exception as e:  # noqa: BLE001
            return e
    raise AssertionError(f"no error from {T.__name__}")


def assert_same_error(case: str, fn: Callable, torch, leafgrad) -> None:
    """``fn(leafgrad)`` raises the type and message (``torch.`` names as ``leafgrad.``)
    that ``fn(torch)`` raises."""
    theirs = error_from(fn, torch)
    ours = error_from(fn, leafgrad)
    assert type(ours) is type(theirs), f"{case}: {type(ours).__name__}: {ours} " \
                                       f"!= torch's {type(theirs).__name__}: {theirs}"
    assert str(ours) == to_leafgrad(str(theirs))


def warnings_from(fn: Callable, T, translate: Callable[[str], str] = str) -> list:
    """The (category name, translated message) of every warning ``fn(T)`` emits."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn(T)
    return [(x.category.__name__, translate(str(x.message))) for x in w]


def pair(torch, a, rg: bool = True):
    """The array ``a`` as a torch and a leafgrad tensor (requiring grad unless ``rg`` is
    False)."""
    return torch.tensor(a, requires_grad=rg), leafgrad.tensor(a, requires_grad=rg)


def outputs_and_grads_match(cmp: Callable, t_out, l_out, inputs, tm=None, lm=None,
                            power: int = 2) -> None:
    """``cmp(torch's, ours)`` on the outputs, then, after backpropagating
    ``sum(out ** power)`` in both libraries, on the gradients of each (torch, leafgrad)
    input pair of ``inputs`` and of every parameter of the modules ``tm`` and ``lm``."""
    cmp(t_out, l_out)
    (t_out ** power).sum().backward()
    (l_out ** power).sum().backward()
    for t_in, l_in in inputs:
        cmp(t_in.grad, l_in.grad)
    if tm is not None:
        for (_, tp), lp in zip(tm.named_parameters(), lm.parameters(), strict=True):
            cmp(tp.grad, lp.grad)


def training_losses_match(torch, tm, lm, topt, lopt, batches, rtol: float = 1e-4) -> None:
    """One optimiser step per ``(input, class targets)`` array pair of ``batches`` on the
    cross entropy of each module's output, in both libraries: the losses agree within
    ``rtol`` step for step."""
    for x, y in batches:
        tl = torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(y))
        ll = leafgrad.nn.functional.cross_entropy(lm(leafgrad.tensor(x)), leafgrad.tensor(y))
        np.testing.assert_allclose(ll.item(), tl.item(), rtol=rtol)
        for opt, loss in ((topt, tl), (lopt, ll)):
            opt.zero_grad()
            loss.backward()
            opt.step()
