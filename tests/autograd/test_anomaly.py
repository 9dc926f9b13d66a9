"""Anomaly detection, saved-tensor hooks, the freed-values error and SPEC 18's hooks,
each against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import leafgrad

from .test_spec import error_of, normalise


def _nan_backward(T):
    x = T.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with T.autograd.detect_anomaly():
            y = x.sqrt()
            err = error_of(lambda: (y / y).sum().backward())
    messages = [str(w.message) for w in seen]
    return {
        "err": err,
        "enabled_warning": any(m.startswith("Anomaly Detection has been enabled") for m in
                               messages),
        "forward_trace": [m.splitlines()[0] for m in messages if m.startswith("Error detected")],
        "trace_names_this_file": any(__file__ in m for m in messages
                                     if m.startswith("Error detected")),
        "after": [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()],
    }


def test_nan_in_backward_names_the_node():
    obs = _nan_backward(leafgrad)
    assert obs["err"] == ("RuntimeError: Function 'DivBackward0' returned nan values in its "
                          "1th output.")
    assert obs["trace_names_this_file"]


@pytest.mark.torch
def test_nan_in_backward_vs_torch(torch):
    assert normalise(_nan_backward(leafgrad)) == normalise(_nan_backward(torch))


def _modes(T):
    out = [T.is_anomaly_enabled()]
    T.autograd.set_detect_anomaly(True)
    out.append(T.is_anomaly_enabled())
    T.autograd.set_detect_anomaly(False)
    with T.autograd.set_detect_anomaly(True, check_nan=False):
        out += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
    out += [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()]
    x = T.tensor([1.0], requires_grad=True)
    with T.autograd.set_detect_anomaly(True):
        y = x * 2
    out.append(isinstance(y.grad_fn.metadata.get("traceback_"), list))
    out.append(any("test_anomaly.py" in line for line in y.grad_fn.metadata["traceback_"]))
    return out


def test_anomaly_modes():
    assert _modes(leafgrad) == [False, True, True, False, False, True, True, True]


@pytest.mark.torch
def test_anomaly_modes_vs_torch(torch):
    assert _modes(leafgrad) == _modes(torch)


def test_inplace_error_in_anomaly_mode_says_where_saved_and_where_modified():
    a = leafgrad.tensor([1.0, 3.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with leafgrad.autograd.detect_anomaly():
            b = a + 2
            loss = (b * b).mean()  # where b is saved
            b[0] = 1000.0  # where b is modified
            with pytest.raises(RuntimeError) as info:
                loss.backward()
    traces = [str(w.message) for w in seen if str(w.message).startswith("Error detected")]
    assert traces and "loss = (b * b).mean()" in traces[0]
    assert "fill_() at " in str(info.value) and __file__ in str(info.value)


# -- the second-backward error --------------------------------------------------------------
def test_freed_error_is_torchs_first_line_and_names_the_node():
    a = leafgrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (a * a).mean()
    loss.backward()
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    first, second = str(info.value).split("\n")
    assert first.startswith("Trying to backward through the graph a second time")
    assert "MulBackward0" in second


# -- saved tensor hooks ---------------------------------------------------------------------
def _saved_hooks(T):
    packed, unpacked = [], []

    def pack(t):
        packed.append(tuple(t.shape))
        return t * 1  # a copy: backward must use what unpack returns

    def unpack(t):
        unpacked.append(tuple(t.shape))
        return t

    x = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = T.tensor([0.5, -1.0], requires_grad=True)
    with T.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = (x * w).exp()
    y.sum().backward()
    obs = {"packed": sorted(packed), "unpacked": sorted(unpacked),
           "x": x.grad.tolist(), "w": w.grad.tolist()}
    x.grad = None
    with T.autograd.graph.save_on_cpu():
        z = (x * x).sin()
    z.sum().backward()
    obs["save_on_cpu"] = x.grad.tolist()
    return obs


def test_saved_tensors_hooks():
    obs = _saved_hooks(leafgrad)
    assert obs["packed"] == [(2,), (2, 2), (2, 2)]  # mul: x and w; exp: its result
    np.testing.assert_allclose(obs["save_on_cpu"],
                               (2 * np.array([[1.0, 2.0], [3.0, 4.0]]) *
                                np.cos(np.array([[1.0, 4.0], [9.0, 16.0]]))).tolist(),
                               rtol=1e-6)


@pytest.mark.torch
def test_saved_tensors_hooks_vs_torch(torch):
    assert normalise(_saved_hooks(leafgrad)) == normalise(_saved_hooks(torch))


# -- SPEC 18: hooks -----------------------------------------------------------------------
def _hooks(T):
    log = []
    x = T.tensor([1.0, 2.0], requires_grad=True)
    h1 = x.register_hook(lambda g: g * 10)
    h2 = x.register_post_accumulate_grad_hook(lambda t: log.append(("acc", t.grad.tolist())))
    y = x * x
    y.retain_grad()
    hy = y.register_hook(lambda g: log.append(("y", g.tolist())))
    y.sum().backward()
    log.append(("x.grad", x.grad.tolist(), y.grad.tolist(), y.retains_grad))
    h1.remove()
    h2.remove()
    hy.remove()
    x.grad = None
    (x * x).sum().backward()
    log.append(("removed", x.grad.tolist()))
    return log


def test_spec_18_hooks():
    assert _hooks(leafgrad)[-1] == ("removed", [2.0, 4.0])


@pytest.mark.torch
def test_spec_18_hooks_vs_torch(torch):
    assert normalise(_hooks(leafgrad)) == normalise(_hooks(torch))
