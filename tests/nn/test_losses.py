"""Losses against PyTorch beyond the op database: the loss modules (constructor arguments,
attributes, buffers, reprs, forward and gradients), every error (same type, same message),
the warnings, values at the edges (empty batches, clamped logs, huge logits), and a small
training loop step for step."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leafgrad
import leafgrad.nn as nn
import leafgrad.nn.functional as F

from ._helpers import assert_same_error, error_from, to_leafgrad, warnings_from

pytestmark = pytest.mark.torch


def _F(T):
    return T.nn.functional


def _t(T, a, grad=False):
    t = T.tensor(np.asarray(a))
    if grad:
        t.requires_grad_(True)
    return t


def _x(T):
    return T.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.0, -0.5, 1.0], [0.1, 0.2, 0.3, 0.4]])


def _p(T):
    return T.tensor([[0.5, 0.1, 0.9, 0.25], [0.3, 0.7, 0.2, 0.6], [0.1, 0.2, 0.3, 0.4]])


def _c(T, *v):
    return T.tensor(list(v) if v else [0, 1, 3])


def _bad_reduction(name: str):
    return lambda T: getattr(_F(T), name)(_p(T), _p(T), reduction="foo")


def _list_arg(name: str, k: int):
    """``F.<name>`` with a list where a tensor belongs (argument ``k``)."""

    def call(T):
        args = [T.tensor([0.5, 0.5, 0.5]), T.tensor([0, 1, 2] if "nll" in name or "cross"
                                                    in name else [0.5, 0.5, 0.5])]
        args[k] = [0.5, 0.5, 0.5]
        return getattr(_F(T), name)(*args)

    return call


ERRORS = {
    # reductions
    **{f"bad_reduction_{n}": _bad_reduction(n)
       for n in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "kl_div")},
    "bad_reduction_nll": lambda T: _F(T).nll_loss(_x(T), _c(T), reduction="avg"),
    "bad_reduction_ce": lambda T: _F(T).cross_entropy(_x(T), _c(T), reduction="batchmean"),
    # pointwise losses
    "mse_bad_broadcast": lambda T: _F(T).mse_loss(_x(T), _x(T)[:, :3]),
    "mse_int": lambda T: _F(T).mse_loss(T.tensor([1, 2]), T.tensor([1, 3])),
    "mse_weight_size": lambda T: _F(T).mse_loss(_x(T), _p(T), weight=T.ones(4)),
    "l1_weight_size": lambda T: _F(T).l1_loss(_x(T), _p(T), weight=T.ones(3, 1)),
    "huber_weight_size": lambda T: _F(T).huber_loss(_x(T), _p(T), weight=T.ones(4)),
    "l1_int_mean": lambda T: _F(T).l1_loss(T.tensor([1, 2]), T.tensor([1, 3])),
    "smooth_l1_negative_beta": lambda T: _F(T).smooth_l1_loss(_x(T), _p(T), beta=-1.0),
    "huber_negative_delta": lambda T: _F(T).huber_loss(_x(T), _p(T), delta=-1.0),
    "huber_zero_delta": lambda T: _F(T).huber_loss(_x(T), _p(T), delta=0.0),
    # binary cross entropy
    "bce_input_range": lambda T: _F(T).binary_cross_entropy(_x(T), _p(T)),
    "bce_input_nan": lambda T: _F(T).binary_cross_entropy(T.tensor([math.nan]),
                                                          T.tensor([0.5])),
    "bce_target_range": lambda T: _F(T).binary_cross_entropy(_p(T), _x(T)),
    "bce_size": lambda T: _F(T).binary_cross_entropy(_p(T), _p(T)[0]),
    "bce_size_bigger_target": lambda T: _F(T).binary_cross_entropy(_p(T)[0], _p(T)),
    "bce_weight_shape": lambda T: _F(T).binary_cross_entropy(_p(T), _p(T), weight=T.ones(3)),
    "bce_weight_requires_grad": lambda T: _F(T).binary_cross_entropy(
        _p(T), _p(T), weight=T.ones(4, requires_grad=True)),
    "bcel_size": lambda T: _F(T).binary_cross_entropy_with_logits(_x(T), _p(T)[0]),
    "bcel_weight_shape": lambda T: _F(T).binary_cross_entropy_with_logits(
        _x(T), _p(T), weight=T.ones(3)),
    "bcel_pos_weight_shape": lambda T: _F(T).binary_cross_entropy_with_logits(
        _x(T), _p(T), pos_weight=T.ones(3)),
    "bcel_weight_requires_grad": lambda T: _F(T).binary_cross_entropy_with_logits(
        _x(T), _p(T), weight=T.ones(4, requires_grad=True)),
    "bcel_pos_weight_requires_grad": lambda T: _F(T).binary_cross_entropy_with_logits(
        _x(T), _p(T), pos_weight=T.ones(4, requires_grad=True)),
    # nll / cross entropy
    "nll_target_oob": lambda T: _F(T).nll_loss(_x(T), _c(T, 0, 1, 5)),
    "nll_target_negative": lambda T: _F(T).nll_loss(_x(T), _c(T, 0, -3, 1)),
    "ce_target_oob": lambda T: _F(T).cross_entropy(_x(T), _c(T, 4, 1, 0)),
    "ce_target_oob_ignore": lambda T: _F(T).cross_entropy(_x(T), _c(T, 4, 1, 0),
                                                          ignore_index=1),
    "ce_target_oob_kd": lambda T: _F(T).cross_entropy(T.zeros(2, 3, 2),
                                                      T.tensor([[0, 1], [2, 3]])),
    "nll_float_target": lambda T: _F(T).nll_loss(_x(T), T.tensor([0., 1., 2.])),
    "nll_int32_target": lambda T: _F(T).nll_loss(_x(T), T.tensor([0, 1, 2], dtype=T.int32)),
    "ce_int32_target": lambda T: _F(T).cross_entropy(_x(T), T.tensor([0, 1, 2],
                                                                     dtype=T.int32)),
    "ce_float_target_wrong_shape": lambda T: _F(T).cross_entropy(_x(T), T.tensor([0., 1, 2])),
    "ce_long_probabilities": lambda T: _F(T).cross_entropy(_x(T), T.zeros(3, 4,
                                                                          dtype=T.long)),
    "ce_0d": lambda T: _F(T).cross_entropy(T.tensor(1.), T.tensor(0)),
    "ce_probs_ignore_index": lambda T: _F(T).cross_entropy(_x(T), _p(T), ignore_index=1),
    "ce_label_smoothing_big": lambda T: _F(T).cross_entropy(_x(T), _c(T),
                                                            label_smoothing=1.5),
    "ce_probs_label_smoothing_big": lambda T: _F(T).cross_entropy(_x(T), _p(T),
                                                                  label_smoothing=2.0),
    "nll_batch": lambda T: _F(T).nll_loss(_x(T), _c(T, 0, 1)),
    "ce_batch": lambda T: _F(T).cross_entropy(_x(T), _c(T, 0, 1)),
    "nll_kd_target_size": lambda T: _F(T).nll_loss(T.zeros(2, 3, 4),
                                                   T.zeros(2, 5, dtype=T.long)),
    "nll_kd_batch": lambda T: _F(T).nll_loss(T.zeros(2, 3, 4), T.zeros(3, 4, dtype=T.long)),
    "nll_0d": lambda T: _F(T).nll_loss(T.tensor(1.), T.tensor(0)),
    "nll_multi_target": lambda T: _F(T).nll_loss(_x(T), T.zeros(3, 4, dtype=T.long)),
    "nll_weight_size": lambda T: _F(T).nll_loss(_x(T), _c(T), weight=T.ones(3)),
    "nll_weight_requires_grad": lambda T: _F(T).nll_loss(
        _x(T), _c(T), weight=T.ones(4, requires_grad=True)),
    "ce_weight_requires_grad": lambda T: _F(T).cross_entropy(
        _x(T), _c(T), weight=T.ones(4, requires_grad=True)),
    # not tensors
    **{f"{n}_list_{k}": _list_arg(n, k)
       for n in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "kl_div", "nll_loss", "cross_entropy")
       for k in (0, 1)},
    # dtypes
    "bce_dtype_mismatch": lambda T: _F(T).binary_cross_entropy(_p(T), _p(T).double()),
    "bce_dtype_mismatch_double_input": lambda T: _F(T).binary_cross_entropy(_p(T).double(),
                                                                            _p(T)),
    "bce_int_target": lambda T: _F(T).binary_cross_entropy(_p(T), (_p(T) > 0.3).long()),
    "bcel_int_target": lambda T: _F(T).binary_cross_entropy_with_logits(
        _x(T), (_p(T) > 0.3).long()),
    "nll_weight_dtype": lambda T: _F(T).nll_loss(_x(T), _c(T), weight=T.ones(4,
                                                                             dtype=T.float64)),
    "ce_weight_dtype": lambda T: _F(T).cross_entropy(_x(T), _c(T),
                                                     weight=T.ones(4, dtype=T.float64)),
    # the composites
    "gaussian_negative_float_var": lambda T: _F(T).gaussian_nll_loss(_x(T), _p(T), -1.0),
    "gaussian_negative_var": lambda T: _F(T).gaussian_nll_loss(_x(T), _p(T), -_p(T)),
    "gaussian_var_size": lambda T: _F(T).gaussian_nll_loss(_x(T), _p(T), T.ones(2, 4)),
    "gaussian_bad_reduction": lambda T: _F(T).gaussian_nll_loss(_x(T), _p(T), _p(T),
                                                                reduction="avg"),
    "multilabel_bad_reduction": lambda T: _F(T).multilabel_soft_margin_loss(
        _x(T), _p(T), reduction="avg"),
    "margin_ranking_dims": lambda T: _F(T).margin_ranking_loss(T.ones(3), T.ones(3),
                                                               T.ones(3, 1)),
    "cosine_2d_target": lambda T: _F(T).cosine_embedding_loss(_x(T), _p(T), T.ones(3, 1)),
    "cosine_1d_target_1d_inputs": lambda T: _F(T).cosine_embedding_loss(
        T.ones(4), T.ones(4), T.ones(3)),
    "cosine_0d_target_2d_inputs": lambda T: _F(T).cosine_embedding_loss(
        _x(T), _p(T), T.tensor(1.0)),
    "triplet_dims": lambda T: _F(T).triplet_margin_loss(_x(T), _p(T), T.ones(4)),
    "soft_margin_target_requires_grad": lambda T: _F(T).soft_margin_loss(
        _x(T), T.ones(3, 4, requires_grad=True)),
    "bad_reduction_poisson": lambda T: _F(T).poisson_nll_loss(_x(T), _p(T), reduction="x"),
    "bad_reduction_triplet": lambda T: _F(T).triplet_margin_loss(_x(T), _p(T), _x(T),
                                                                 reduction="x"),
    "multi_margin_p3": lambda T: _F(T).multi_margin_loss(_x(T), _c(T, 0, 1, 2), p=3),
    "multi_margin_weight_2d": lambda T: _F(T).multi_margin_loss(_x(T), _c(T, 0, 1, 2),
                                                                weight=T.ones(2, 2)),
    "multi_margin_weight_size": lambda T: _F(T).multi_margin_loss(_x(T), _c(T, 0, 1, 2),
                                                                  weight=T.ones(3)),
    "multi_margin_target_oob": lambda T: _F(T).multi_margin_loss(_x(T), _c(T, 0, 1, 4)),
    "multi_margin_target_negative": lambda T: _F(T).multi_margin_loss(_x(T), _c(T, 0, -1, 2)),
    "multi_margin_target_size": lambda T: _F(T).multi_margin_loss(_x(T), _c(T, 0, 1)),
    "multi_margin_float_target": lambda T: _F(T).multi_margin_loss(_x(T), T.tensor([0., 1, 2])),
    "multi_margin_3d": lambda T: _F(T).multi_margin_loss(T.ones(2, 3, 4), _c(T, 0, 1)),
    "module_multi_margin_p": lambda T: T.nn.MultiMarginLoss(p=3),
    "module_multi_margin_weight": lambda T: T.nn.MultiMarginLoss(weight=T.ones(2, 2)),
    # modules
    "module_bce_range": lambda T: T.nn.BCELoss()(_x(T), _p(T)),
    "module_ce_oob": lambda T: T.nn.CrossEntropyLoss()(_x(T), _c(T, 9, 0, 0)),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_matches_torch(case, torch):
    assert_same_error(case, ERRORS[case], torch, leafgrad)


def test_bce_range_error_with_pytest_raises(torch):
    msg = str(error_from(ERRORS["bce_input_range"], torch))
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        F.binary_cross_entropy(_x(leafgrad), _p(leafgrad))


def test_weight_requiring_grad_is_fine_without_grad_mode(torch):
    with torch.no_grad():
        ref = torch.nn.functional.nll_loss(_x(torch), _c(torch),
                                           weight=torch.ones(4, requires_grad=True))
    with leafgrad.no_grad():
        ours = F.nll_loss(_x(leafgrad), _c(leafgrad), weight=leafgrad.ones(4,
                                                                           requires_grad=True))
    assert math.isclose(ours.item(), ref.item(), rel_tol=1e-6)


# -- warnings ------------------------------------------------------------------------------
WARNINGS = {
    "mse_broadcast": lambda T: _F(T).mse_loss(_x(T), _p(T)[0]),
    "l1_broadcast": lambda T: _F(T).l1_loss(_x(T), _p(T)[:1]),
    "smooth_l1_broadcast": lambda T: _F(T).smooth_l1_loss(_x(T), _p(T)[0]),
    "huber_broadcast": lambda T: _F(T).huber_loss(_x(T), _p(T)[0]),
    "kl_div_mean": lambda T: _F(T).kl_div(_x(T), _p(T)),
    "kl_div_batchmean": lambda T: _F(T).kl_div(_x(T), _p(T), reduction="batchmean"),
    "legacy_size_average": lambda T: _F(T).mse_loss(_x(T), _p(T), size_average=False),
    "legacy_reduce": lambda T: _F(T).cross_entropy(_x(T), _c(T), reduce=False),
    "legacy_module": lambda T: T.nn.MSELoss(size_average=True, reduce=True),
    "softmax_implicit_dim": lambda T: _F(T).softmax(_x(T)),
    "no_warning": lambda T: _F(T).mse_loss(_x(T), _p(T)),
}


@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warning_matches_torch(case, torch):
    fn = WARNINGS[case]
    assert warnings_from(fn, leafgrad, to_leafgrad) == warnings_from(fn, torch, to_leafgrad)


# -- values and gradients at the edges -------------------------------------------------------
def _big(T):
    return T.tensor([[1e4, -1e4, 0.0], [-3e4, 2e4, 5.0]])


EDGES = {
    "mse_empty_mean": lambda T: _F(T).mse_loss(T.zeros(0), T.zeros(0)),
    "mse_empty_sum": lambda T: _F(T).mse_loss(T.zeros(0, 3), T.zeros(0, 3), reduction="sum"),
    "mse_0d": lambda T: _F(T).mse_loss(T.tensor(0.5), T.tensor(0.25)),
    "mse_f64_f32": lambda T: _F(T).mse_loss(T.tensor([1., 2.], dtype=T.float64),
                                            T.tensor([1., 3.])),
    "mse_broadcast_value": lambda T: _F(T).mse_loss(_x(T), _p(T)[0]),
    "l1_0d": lambda T: _F(T).l1_loss(T.tensor(0.5), T.tensor(-0.25)),
    "smooth_l1_beta0": lambda T: _F(T).smooth_l1_loss(_x(T), _p(T), beta=0.0),
    "bce_zero_one": lambda T: _F(T).binary_cross_entropy(T.tensor([0., 1., 0., 1.]),
                                                         T.tensor([1., 0., 0., 1.])),
    "bce_empty": lambda T: _F(T).binary_cross_entropy(T.zeros(0), T.zeros(0)),
    "bce_weight_broadcast": lambda T: _F(T).binary_cross_entropy(_p(T), _p(T).flip(0),
                                                                 weight=T.tensor([1., 2., 3.,
                                                                                  4.])),
    "bcel_huge": lambda T: _F(T).binary_cross_entropy_with_logits(
        _big(T), T.tensor([[1., 0., 0.5], [1., 0., 1.]]), reduction="none"),
    "bcel_huge_pos_weight": lambda T: _F(T).binary_cross_entropy_with_logits(
        _big(T), T.tensor([[1., 0., 0.5], [1., 0., 1.]]), pos_weight=T.tensor([2., .5, 1.])),
    "ce_huge_logits": lambda T: _F(T).cross_entropy(_big(T), T.tensor([1, 0]),
                                                    reduction="none"),
    "ce_empty": lambda T: _F(T).cross_entropy(T.zeros(0, 4), T.zeros(0, dtype=T.long)),
    "ce_empty_sum": lambda T: _F(T).cross_entropy(T.zeros(0, 4), T.zeros(0, dtype=T.long),
                                                  reduction="sum"),
    "ce_probs_empty": lambda T: _F(T).cross_entropy(T.zeros(0, 4), T.zeros(0, 4)),
    "ce_1d": lambda T: _F(T).cross_entropy(T.tensor([1., 2., 3.]), T.tensor(2)),
    "ce_1d_probs": lambda T: _F(T).cross_entropy(T.tensor([1., 2., 3.]),
                                                 T.tensor([.2, .3, .5])),
    "ce_all_ignored": lambda T: _F(T).cross_entropy(_x(T), T.tensor([-100, -100, -100])),
    "ce_all_ignored_smoothing": lambda T: _F(T).cross_entropy(
        _x(T), T.tensor([-100, -100, -100]), label_smoothing=0.2),
    "ce_uint8_target": lambda T: _F(T).cross_entropy(_x(T), T.tensor([0, 1, 3],
                                                                     dtype=T.uint8)),
    "ce_5d": lambda T: _F(T).cross_entropy(T.arange(48.).reshape(2, 3, 2, 2, 2).sin(),
                                           T.arange(16).remainder(3).reshape(2, 2, 2, 2),
                                           reduction="none"),
    "nll_1d": lambda T: _F(T).nll_loss(T.tensor([-1., -2., -0.5]), T.tensor(1)),
    "kl_batchmean_0d": lambda T: _F(T).kl_div(T.tensor(-0.5), T.tensor(0.3),
                                              reduction="batchmean"),
    "kl_zero_target": lambda T: _F(T).kl_div(_x(T), T.zeros(3, 4), reduction="sum"),
    "huber_f32_f64": lambda T: _F(T).huber_loss(_x(T), _p(T).double()),
    "huber_f64_f32": lambda T: _F(T).huber_loss(_x(T).double(), _p(T), reduction="none"),
    "smooth_l1_f32_f64": lambda T: _F(T).smooth_l1_loss(_x(T), _p(T).double()),
    "l1_f32_f64": lambda T: _F(T).l1_loss(_x(T), _p(T).double()),
    "kl_f32_f64": lambda T: _F(T).kl_div(_x(T), _p(T).double(), reduction="sum"),
    "bce_weight_f64": lambda T: _F(T).binary_cross_entropy(_p(T), _p(T),
                                                           weight=T.ones(4, dtype=T.float64)),
    "bcel_weight_f64": lambda T: _F(T).binary_cross_entropy_with_logits(
        _x(T), _p(T), weight=T.ones(4, dtype=T.float64) * 2),
    "bcel_f32_f64": lambda T: _F(T).binary_cross_entropy_with_logits(_x(T), _p(T).double()),
    "ce_probs_f64_target": lambda T: _F(T).cross_entropy(_x(T), _p(T).double()),
    "nll_f64": lambda T: _F(T).nll_loss(_x(T).double(), _c(T)),
    "mse_int_target": lambda T: _F(T).mse_loss(_x(T), (_p(T) > 0.3).long()),
}


def _quiet(fn, T):
    """fn(T) with its warnings silenced (they have their own tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(T)


@pytest.mark.parametrize("case", sorted(EDGES))
def test_edge_value_matches_torch(case, torch):
    theirs = _quiet(EDGES[case], torch)
    ours = _quiet(EDGES[case], leafgrad)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6,
                               equal_nan=True)


# gradients at the edges: (F name, input array, target array, kwargs)
GRAD_EDGES = {
    "bce_zero_one": ("binary_cross_entropy", [0., 1., 0.5, 1e-8], [1., 0., 0.3, 0.], {}),
    "bcel_huge": ("binary_cross_entropy_with_logits", [[1e4, -1e4, 0.0], [-3e4, 2e4, 5.0]],
                  [[1., 0., 0.5], [1., 0., 1.]], dict(pos_weight=[2., .5, 1.])),
    "ce_huge": ("cross_entropy", [[1e4, -1e4, 0.0], [-3e4, 2e4, 5.0]], [1, 0], {}),
    "ce_ignored": ("cross_entropy", [[1., 2., 3.], [3., 2., 1.]], [-100, -100], {}),
    "ce_smooth_ignored": ("cross_entropy", [[1., 2., 3.], [3., 2., 1.]], [-100, 2],
                          dict(label_smoothing=0.3, weight=[1., 2., 3.])),
    "nll_weight_ignore": ("nll_loss", [[-1., -2., -3.], [-3., -2., -1.]], [0, 2],
                          dict(weight=[.5, 2., 3.], ignore_index=0)),
    "kl_log_target": ("kl_div", [[-1., -2.], [-.5, -.1]], [[-0.2, -3.], [-1., -1.]],
                      dict(log_target=True, reduction="batchmean")),
    "huber_kink": ("huber_loss", [0., 1., 2.5], [0., 0., 0.], dict(delta=1.0)),
    "smooth_l1_kink": ("smooth_l1_loss", [0., 1., 2.5], [0., 0., 0.], dict(beta=1.0)),
}


@pytest.mark.parametrize("case", sorted(GRAD_EDGES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_edge_gradient_matches_torch(case, dtype, torch):
    name, x, t, kw = GRAD_EDGES[case]

    def run(T):
        xt = T.tensor(np.asarray(x, dtype), requires_grad=True)
        ta = np.asarray(t)
        tt = T.tensor(ta.astype(dtype) if ta.dtype.kind == "f" else ta)
        kws = {k: T.tensor(np.asarray(v, dtype)) if isinstance(v, list) else v
               for k, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = getattr(T.nn.functional, name)(xt, tt, **kws)
        out.sum().backward()
        return out.detach().numpy(), xt.grad.numpy(), out.grad_fn.name()

    ours, theirs = run(leafgrad), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, equal_nan=True)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-7, equal_nan=True)
    assert ours[2] == theirs[2]


# -- modules ---------------------------------------------------------------------------------
def _w(T):
    return T.tensor([1.0, 2.0, 0.5, 1.5])


MODULES = {
    "L1Loss": lambda T: T.nn.L1Loss(),
    "L1Loss_sum": lambda T: T.nn.L1Loss(reduction="sum"),
    "MSELoss": lambda T: T.nn.MSELoss(),
    "MSELoss_none": lambda T: T.nn.MSELoss(reduction="none"),
    "MSELoss_legacy": lambda T: T.nn.MSELoss(size_average=False),
    "SmoothL1Loss": lambda T: T.nn.SmoothL1Loss(beta=0.5),
    "HuberLoss": lambda T: T.nn.HuberLoss(delta=0.3),
    "BCELoss": lambda T: T.nn.BCELoss(),
    "BCELoss_weight": lambda T: T.nn.BCELoss(weight=_w(T), reduction="sum"),
    "BCEWithLogitsLoss": lambda T: T.nn.BCEWithLogitsLoss(),
    "BCEWithLogitsLoss_pos_weight": lambda T: T.nn.BCEWithLogitsLoss(pos_weight=_w(T),
                                                                     weight=_w(T) * 0.5),
    "NLLLoss": lambda T: T.nn.NLLLoss(),
    "NLLLoss_weight": lambda T: T.nn.NLLLoss(weight=_w(T), ignore_index=1),
    "CrossEntropyLoss": lambda T: T.nn.CrossEntropyLoss(),
    "CrossEntropyLoss_all": lambda T: T.nn.CrossEntropyLoss(weight=_w(T), ignore_index=3,
                                                            label_smoothing=0.1,
                                                            reduction="none"),
    "CrossEntropyLoss_legacy": lambda T: T.nn.CrossEntropyLoss(reduce=False),
    "KLDivLoss": lambda T: T.nn.KLDivLoss(reduction="batchmean"),
    "KLDivLoss_log_target": lambda T: T.nn.KLDivLoss(reduction="sum", log_target=True),
}

_ATTRS = ("reduction", "beta", "delta", "ignore_index", "label_smoothing", "log_target")


def _module_args(case: str, T, dtype: str):
    r = np.random.default_rng(len(case))
    x = r.normal(size=(5, 4)).astype(dtype)
    if case.startswith("BCELoss"):
        x = r.uniform(0.05, 0.95, size=(5, 4)).astype(dtype)
    if case.startswith(("NLL", "Cross")):
        t = T.tensor(r.integers(0, 4, size=5))
    elif case.startswith("KLDiv"):
        t = T.tensor(r.uniform(0.05, 1.0, size=(5, 4)).astype(dtype))
        x = -np.abs(x)
    else:
        t = T.tensor(r.uniform(0.0, 1.0, size=(5, 4)).astype(dtype))
    return T.tensor(x, requires_grad=True), t


@pytest.mark.parametrize("case", sorted(MODULES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_module_matches_torch(case, dtype, torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = MODULES[case](leafgrad), MODULES[case](torch)
    assert repr(ours) == repr(theirs)
    for a in _ATTRS:
        assert getattr(ours, a, None) == getattr(theirs, a, None), a
    assert sorted(ours._buffers) == sorted(theirs._buffers)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    if dtype == "float64":
        ours.double()
        theirs.double()
    xo, to = _module_args(case, leafgrad, dtype)
    xt, tt = _module_args(case, torch, dtype)
    lo, lt = ours(xo, to), theirs(xt, tt)
    assert lo.grad_fn.name() == lt.grad_fn.name()
    np.testing.assert_allclose(lo.detach().numpy(), lt.detach().numpy(), rtol=1e-5, atol=1e-6)
    lo.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_loss_modules_are_modules():
    m = nn.CrossEntropyLoss(weight=leafgrad.ones(3))
    assert isinstance(m, nn.Module)
    assert list(m.parameters()) == []
    assert list(m.state_dict()) == ["weight"]
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.MSELoss(reduce=False).reduction == "none"


# -- property: cross_entropy is log_softmax + nll_loss; the mlp hot path ----------------------
@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 5), seed=st.integers(0, 2**31),
       smoothing=st.sampled_from([0.0, 0.25]))
def test_cross_entropy_matches_torch_property(n, c, seed, smoothing):
    torch = pytest.importorskip("torch")
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, c)) * 3
    t = r.integers(0, c, size=n)
    xo = leafgrad.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    lo = F.cross_entropy(xo, leafgrad.tensor(t), label_smoothing=smoothing)
    lt = torch.nn.functional.cross_entropy(xt, torch.tensor(t), label_smoothing=smoothing)
    lo.backward()
    lt.backward()
    assert math.isclose(lo.item(), lt.item(), rel_tol=1e-9, abs_tol=1e-12)
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    if smoothing == 0.0:
        ref = F.nll_loss(F.log_softmax(xo.detach(), 1), leafgrad.tensor(t))
        assert math.isclose(lo.item(), ref.item(), rel_tol=1e-12)


def test_cross_entropy_graph_is_two_nodes():
    x = leafgrad.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, leafgrad.tensor([0, 1, 2, 0]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    inner = loss.grad_fn.next_functions[0][0]
    assert inner.name() == "LogSoftmaxBackward0"
    assert inner.next_functions[0][0].variable is x


def test_double_backward_through_losses(torch):
    """Gradients of gradients (create_graph) agree with PyTorch's."""
    r = np.random.default_rng(0)
    x = r.normal(size=(3, 4))
    p = r.uniform(0.1, 0.9, size=(3, 4))
    t = r.uniform(0.0, 1.0, size=(3, 4))
    cases = [
        ("cross_entropy", x, np.array([0, 3, 1])),
        ("binary_cross_entropy", p, t),
        ("binary_cross_entropy_with_logits", x, t),
        ("mse_loss", x, t),
        ("smooth_l1_loss", x, t),
        ("huber_loss", x, t),
    ]
    for name, a, b in cases:
        res = []
        for T in (leafgrad, torch):
            xa = T.tensor(a, requires_grad=True)
            loss = getattr(T.nn.functional, name)(xa, T.tensor(b))
            (g,) = T.autograd.grad(loss, xa, create_graph=True)
            (gg,) = T.autograd.grad((g * g).sum(), xa)
            res.append((g.detach().numpy(), gg.numpy()))
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-7, atol=1e-10, err_msg=name)


# -- a training loop, step for step ------------------------------------------------------------
def test_training_loop_matches_torch(torch):
    """SPEC 2.20's loop with plain SGD written out: same weights, same data, same losses."""
    r = np.random.default_rng(0)
    data = r.normal(size=(16, 2)).astype("float32")
    labels = (data[:, :1] * data[:, 1:] > 0).astype("float32")
    w = [r.normal(size=s).astype("float32") * 0.5 for s in ((4, 2), (4,), (1, 4), (1,))]
    losses = []
    for T in (leafgrad, torch):
        model = T.nn.Sequential(T.nn.Linear(2, 4), T.nn.ReLU(), T.nn.Linear(4, 1),
                                T.nn.Sigmoid())
        with T.no_grad():
            for p, v in zip(model.parameters(), w):
                p.copy_(T.tensor(v))
        x, y = T.tensor(data), T.tensor(labels)
        seq = []
        for _ in range(5):
            for p in model.parameters():
                p.grad = None
            loss = T.nn.functional.binary_cross_entropy(model(x), y)
            loss.backward()
            with T.no_grad():
                for p in model.parameters():
                    p -= 0.5 * p.grad
            seq.append(loss.item())
        losses.append(seq)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


# the modules of the composite losses: (constructor, argument builder)
def _pos(T):
    return T.tensor([[0.5, 1.0, 2.0, 0.25], [1.5, 3.0, 0.5, 1.0], [0.1, 0.2, 0.3, 4.0]])


def _signs3(T):
    return T.tensor([1.0, -1.0, 1.0])


MORE_MODULES = {
    "PoissonNLLLoss": (lambda T: T.nn.PoissonNLLLoss(), lambda T, x: (x, _pos(T))),
    "PoissonNLLLoss_full": (lambda T: T.nn.PoissonNLLLoss(log_input=False, full=True,
                                                          reduction="sum"),
                            lambda T, x: (x.abs(), _pos(T))),
    "GaussianNLLLoss": (lambda T: T.nn.GaussianNLLLoss(), lambda T, x: (x, _p(T), _pos(T))),
    "GaussianNLLLoss_full": (lambda T: T.nn.GaussianNLLLoss(full=True, eps=0.3,
                                                            reduction="none"),
                             lambda T, x: (x, _p(T), _pos(T)[:, 0])),
    "SoftMarginLoss": (lambda T: T.nn.SoftMarginLoss(),
                       lambda T, x: (x, T.tensor([[1.0, -1.0, 1.0, 1.0]] * 3))),
    "MarginRankingLoss": (lambda T: T.nn.MarginRankingLoss(margin=0.2),
                          lambda T, x: (x[:, 0], x[:, 1] * 0.5, _signs3(T))),
    "HingeEmbeddingLoss": (lambda T: T.nn.HingeEmbeddingLoss(margin=0.5),
                           lambda T, x: (x, T.tensor([[1.0, -1.0, -1.0, 1.0]] * 3))),
    "CosineEmbeddingLoss": (lambda T: T.nn.CosineEmbeddingLoss(margin=0.1),
                            lambda T, x: (x, _p(T), _signs3(T))),
    "MultiLabelSoftMarginLoss": (lambda T: T.nn.MultiLabelSoftMarginLoss(weight=_w(T)),
                                 lambda T, x: (x, (_p(T) > 0.3).float())),
    "TripletMarginLoss": (lambda T: T.nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True),
                          lambda T, x: (x, _p(T), x * 0.5)),
    "MultiMarginLoss": (lambda T: T.nn.MultiMarginLoss(),
                        lambda T, x: (x, _c(T))),
    "MultiMarginLoss_args": (lambda T: T.nn.MultiMarginLoss(p=2, margin=0.5, weight=_w(T),
                                                            reduction="none"),
                             lambda T, x: (x, _c(T, 3, 2, 1))),
}


@pytest.mark.parametrize("case", sorted(MORE_MODULES))
def test_composite_loss_module_matches_torch(case, torch):
    make, args = MORE_MODULES[case]
    res = []
    for T in (leafgrad, torch):
        m = make(T)
        x = (_x(T) * 1.3).requires_grad_(True)
        out = m(*args(T, x))
        out.sum().backward()
        res.append((repr(m), sorted(m.state_dict()), out.detach().numpy(), x.grad.numpy(),
                    out.grad_fn.name(), m.reduction))
    ours, theirs = res
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-5, atol=1e-6)
    assert ours[4:] == theirs[4:]
