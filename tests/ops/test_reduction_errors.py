"""Reductions, scans, softmax and linear algebra against PyTorch beyond the op database:
every error (same type, same message), the warnings, the tie rules of max/min gradients,
the zero rules of prod/cumprod, and graph details (matmul's node chains in every dispatch
case, saved attributes, return types)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import leafgrad


def _x(T):
    return T.zeros(3, 4)


def _e(T):
    return T.zeros(0, 4)


def _s(T):
    return T.tensor(2.5)


def _i(T):
    return T.ones(2, 2, dtype=T.int32)


def _b(T):
    return T.ones(3, dtype=T.bool)


def _f(T, *shape, dtype=None):
    return T.ones(*shape, dtype=dtype or T.float32)


def _d(T, *shape):
    return T.ones(*shape, dtype=T.float64)


def _on_list(name: str, *extra):
    """``T.<name>([1., 2.], *extra)``: a list where a tensor belongs."""
    return lambda T: getattr(T, name)([1., 2.], *extra)


ERRORS = {
    # -- dims ----------------------------------------------------------------------------
    "sum_dim_oob": lambda T: _x(T).sum(2),
    "sum_dim_oob_neg": lambda T: _x(T).sum(-3),
    "sum_dim_oob_tuple": lambda T: _x(T).sum((0, 3)),
    "sum_dim_repeated": lambda T: _x(T).sum((1, -1)),
    "sum_0d_dim_oob": lambda T: _s(T).sum(1),
    "sum_0d_dim_repeated": lambda T: _s(T).sum((0, -1)),
    "sum_float_dim": lambda T: T.sum(_x(T), 1.5),
    "mean_dim_oob": lambda T: _x(T).mean(5),
    "amax_dim_repeated": lambda T: _x(T).amax((0, 0)),
    "var_dim_oob": lambda T: _x(T).var(2),
    "norm_dim_oob": lambda T: _x(T).norm(dim=3),
    "cumsum_dim_oob": lambda T: _x(T).cumsum(2),
    "cumprod_dim_oob": lambda T: _x(T).cumprod(-3),
    "cummax_dim_oob": lambda T: _x(T).cummax(5),
    "logcumsumexp_dim_oob": lambda T: _x(T).logcumsumexp(2),
    "softmax_dim_oob": lambda T: _x(T).softmax(2),
    "log_softmax_dim_oob": lambda T: _x(T).log_softmax(-3),
    "max_dim_oob": lambda T: _x(T).max(3),
    "argmax_dim_oob": lambda T: _x(T).argmax(3),
    "logsumexp_dim_oob": lambda T: _x(T).logsumexp(2),
    "count_nonzero_dim_oob": lambda T: _x(T).count_nonzero(2),
    "all_dim_oob": lambda T: _x(T).all(2),
    # -- not a tensor ------------------------------------------------------------------------
    **{f"{name}_not_tensor": _on_list(name, *extra) for name, extra in [
            ("sum", ()), ("mean", ()), ("nansum", ()), ("nanmean", ()), ("prod", ()),
            ("amax", ()), ("amin", ()), ("max", ()), ("min", ()), ("argmax", ()), ("argmin", ()),
            ("var", ()), ("std", ()), ("var_mean", ()), ("std_mean", ()), ("logsumexp", (0,)),
            ("cumsum", (0,)), ("cumprod", (0,)), ("cummax", (0,)), ("cummin", (0,)),
            ("logcumsumexp", (0,)), ("all", ()), ("any", ()), ("count_nonzero", ()),
            ("softmax", (0,)), ("log_softmax", (0,))]},
    # -- dtypes ----------------------------------------------------------------------------
    "mean_int": lambda T: _i(T).mean(),
    "mean_bool": lambda T: _b(T).mean(),
    "mean_dtype_int": lambda T: _x(T).mean(dtype=T.int64),
    "nanmean_int": lambda T: _i(T).nanmean(),
    "nanmean_bool": lambda T: _b(T).nanmean(),
    "var_int": lambda T: _i(T).var(),
    "std_bool": lambda T: _b(T).std(),
    "std_int_dim": lambda T: _i(T).std(0),
    "var_mean_int": lambda T: T.var_mean(_i(T)),
    "std_mean_int": lambda T: T.std_mean(_i(T)),
    "norm_int": lambda T: _i(T).norm(),
    "norm_int_dtype": lambda T: T.ones(3, dtype=T.int64).norm(dtype=T.float32),
    "softmax_int": lambda T: _i(T).softmax(0),
    "softmax_int_last": lambda T: T.ones(2, 2, dtype=T.int64).softmax(-1),
    "softmax_bool": lambda T: _b(T).softmax(0),
    "log_softmax_int": lambda T: _i(T).log_softmax(0),
    "log_softmax_bool": lambda T: _b(T).log_softmax(0),
    "softmax_to_int": lambda T: _x(T).softmax(0, dtype=T.int64),
    "logcumsumexp_int": lambda T: _i(T).logcumsumexp(0),
    "logcumsumexp_bool": lambda T: _b(T).logcumsumexp(0),
    "argmax_bool": lambda T: _b(T).argmax(),
    "argmin_bool": lambda T: _b(T).argmin(0),
    # -- empty reductions --------------------------------------------------------------------
    "amax_empty": lambda T: _e(T).amax(),
    "amin_empty": lambda T: _e(T).amin(),
    "amax_empty_dim": lambda T: _e(T).amax(0),
    "amin_empty_dims": lambda T: _e(T).amin((1, 0)),
    "max_empty": lambda T: _e(T).max(),
    "min_empty": lambda T: _e(T).min(),
    "max_empty_dim": lambda T: _e(T).max(0),
    "min_empty_dim": lambda T: _e(T).min(-2),
    "argmax_empty": lambda T: _e(T).argmax(),
    "argmin_empty": lambda T: _e(T).argmin(),
    "argmax_empty_dim": lambda T: _e(T).argmax(0),
    "norm_inf_empty": lambda T: _e(T).norm(math.inf),
    "norm_neginf_empty": lambda T: _e(T).norm(-math.inf),
    "norm_neg_empty": lambda T: _e(T).norm(-1),
    "norm_half_empty_dim": lambda T: _e(T).norm(-1.5, dim=0),
    "norm_inf_empty_dim": lambda T: _e(T).norm(math.inf, dim=0),
    # -- overloads ---------------------------------------------------------------------------
    "max_float": lambda T: T.max(_x(T), 2.0),
    "max_tuple": lambda T: T.max(_x(T), (0, 1)),
    "max_dim_none": lambda T: T.max(_x(T), dim=None),
    "min_keepdim_only": lambda T: T.min(_x(T), keepdim=True),
    "prod_tuple": lambda T: T.prod(_x(T), (0, 1)),
    "prod_none": lambda T: T.prod(_x(T), None),
    "var_correction_and_unbiased": lambda T: T.var(_x(T), unbiased=True, correction=1),
    "std_correction_and_unbiased": lambda T: T.std(_x(T), 0, unbiased=True, correction=0),
    "logsumexp_no_dim": lambda T: T.logsumexp(_x(T)),
    "logsumexp_dim_none": lambda T: _x(T).logsumexp(dim=None),
    "logsumexp_empty_dims": lambda T: T.zeros(2, 3, 4).logsumexp(()),
    "logsumexp_empty_dims_1d": lambda T: T.zeros(2).logsumexp(()),
    "softmax_no_dim": lambda T: T.softmax(_x(T)),
    "softmax_dim_none": lambda T: _x(T).softmax(None),
    "log_softmax_dim_none": lambda T: _x(T).log_softmax(None),
    "cumsum_no_dim": lambda T: T.cumsum(_x(T)),
    "cumprod_no_dim": lambda T: T.cumprod(_x(T)),
    "cummax_no_dim": lambda T: T.cummax(_x(T)),
    "norm_bad_order": lambda T: _x(T).norm("abc"),
    "norm_fro_three_dims": lambda T: T.zeros(2, 2, 2).norm("fro", dim=(0, 1, 2)),
    "norm_nuc_3d": lambda T: T.zeros(2, 2, 2).norm("nuc"),
    # -- matmul and friends ------------------------------------------------------------------
    "matmul_0d": lambda T: _s(T) @ _x(T),
    "matmul_0d_right": lambda T: _x(T) @ _s(T),
    "matmul_0d_both": lambda T: T.matmul(_s(T), _s(T)),
    "matmul_number": lambda T: T.matmul(_x(T), 3),
    "matmul_number_first": lambda T: T.matmul(3, _x(T)),
    "matmul_operator_number": lambda T: _x(T) @ 3,
    "rmatmul_list": lambda T: [[1., 2.]] @ T.ones(2, 2),
    "matmul_dot_size": lambda T: _f(T, 3) @ _f(T, 4),
    "matmul_mv_size": lambda T: _f(T, 2, 3) @ _f(T, 4),
    "matmul_mm_size": lambda T: _f(T, 2, 3) @ _f(T, 4, 5),
    "matmul_vm_size": lambda T: _f(T, 3) @ _f(T, 4, 5),
    "matmul_fold_size": lambda T: _f(T, 5, 2, 3) @ _f(T, 4, 5),
    "matmul_fold_vec_size": lambda T: _f(T, 5, 2, 3) @ _f(T, 4),
    "matmul_stack_size": lambda T: _f(T, 2, 3) @ _f(T, 5, 4, 5),
    "matmul_stack_size_grad": lambda T: _f(T, 2, 3).requires_grad_() @ _f(T, 5, 4, 5),
    "matmul_stack_vec_size_grad": lambda T: _f(T, 3).requires_grad_() @ _f(T, 5, 4, 5),
    "matmul_bmm_size": lambda T: _f(T, 5, 2, 3) @ _f(T, 5, 4, 5),
    "matmul_batch_broadcast": lambda T: _f(T, 5, 2, 3) @ _f(T, 4, 3, 5),
    "matmul_batch_broadcast_4d": lambda T: _f(T, 2, 5, 2, 3) @ _f(T, 3, 1, 3, 5),
    "matmul_dtype_dot": lambda T: _f(T, 3) @ _d(T, 3),
    "matmul_dtype_mv": lambda T: _f(T, 2, 3) @ _d(T, 3),
    "matmul_dtype_mv_rev": lambda T: _d(T, 2, 3) @ _f(T, 3),
    "matmul_dtype_vm": lambda T: _f(T, 3) @ _d(T, 3, 4),
    "matmul_dtype_mm": lambda T: _f(T, 2, 3) @ _d(T, 3, 4),
    "matmul_dtype_mm_rev": lambda T: _d(T, 2, 3) @ _f(T, 3, 4),
    "matmul_dtype_fold": lambda T: _f(T, 5, 2, 3) @ _d(T, 3, 4),
    "matmul_dtype_bmm": lambda T: _f(T, 5, 2, 3) @ _d(T, 5, 3, 4),
    "matmul_dtype_long_float": lambda T: T.ones(2, 3, dtype=T.int64) @ _f(T, 3, 4),
    "matmul_dtype_int16": lambda T: T.ones(2, 3, dtype=T.int16) @ _f(T, 3, 4),
    "matmul_dtype_int8": lambda T: T.ones(2, 3, dtype=T.int8) @ _f(T, 3, 4),
    "matmul_dtype_int32": lambda T: T.ones(2, 3, dtype=T.int32) @ _f(T, 3, 4),
    "matmul_dtype_uint8": lambda T: T.ones(2, 3, dtype=T.uint8) @ _f(T, 3, 4),
    "matmul_dtype_half": lambda T: T.ones(2, 3, dtype=T.half) @ _f(T, 3, 4),
    "matmul_dtype_bool": lambda T: T.ones(2, 3, dtype=T.bool) @ _f(T, 3, 4),
    "matmul_bool_mm": lambda T: T.ones(2, 3, dtype=T.bool) @ T.ones(3, 4, dtype=T.bool),
    "matmul_bool_dot": lambda T: _b(T) @ _b(T),
    "matmul_bool_mv": lambda T: T.ones(2, 3, dtype=T.bool) @ _b(T),
    "matmul_bool_bmm": lambda T: T.ones(2, 2, 3, dtype=T.bool) @ T.ones(2, 3, 4, dtype=T.bool),
    "mm_1d": lambda T: T.mm(_f(T, 3), _f(T, 3, 4)),
    "mm_3d": lambda T: T.mm(_f(T, 2, 3), _f(T, 2, 3, 4)),
    "mm_size": lambda T: T.mm(_f(T, 2, 3), _f(T, 4, 4)),
    "mm_dtype": lambda T: T.mm(_f(T, 2, 3), _d(T, 3, 4)),
    "mm_dtype_and_size": lambda T: T.mm(_f(T, 2, 3), _d(T, 4, 4)),
    "mm_not_tensor": lambda T: T.mm(_f(T, 2, 3), [[1.]]),
    "bmm_2d": lambda T: T.bmm(_f(T, 2, 3), _f(T, 3, 4)),
    "bmm_2d_second": lambda T: T.bmm(_f(T, 2, 2, 3), _f(T, 3, 4)),
    "bmm_batch": lambda T: T.bmm(_f(T, 2, 2, 3), _f(T, 3, 3, 4)),
    "bmm_inner": lambda T: T.bmm(_f(T, 2, 2, 3), _f(T, 2, 4, 4)),
    "bmm_dtype": lambda T: T.bmm(_f(T, 2, 2, 3), _d(T, 2, 3, 4)),
    "bmm_dtype_and_size": lambda T: T.bmm(_f(T, 2, 2, 3), _d(T, 2, 4, 4)),
    "mv_2d_vec": lambda T: T.mv(_f(T, 2, 3), _f(T, 3, 1)),
    "mv_1d_mat": lambda T: T.mv(_f(T, 3), _f(T, 3)),
    "mv_size": lambda T: T.mv(_f(T, 2, 3), _f(T, 4)),
    "mv_dtype": lambda T: T.mv(_f(T, 2, 3), _d(T, 3)),
    "mv_dtype_rev": lambda T: T.mv(_d(T, 2, 3), _f(T, 3)),
    "mv_dtype_and_size": lambda T: T.mv(_f(T, 2, 3), _d(T, 4)),
    "dot_2d": lambda T: T.dot(_f(T, 2, 2), _f(T, 2, 2)),
    "dot_1d_2d": lambda T: T.dot(_f(T, 2), _f(T, 2, 2)),
    "dot_size": lambda T: T.dot(_f(T, 2), _f(T, 3)),
    "dot_dtype": lambda T: T.dot(_f(T, 2), _d(T, 2)),
    "dot_dtype_and_size": lambda T: T.dot(_f(T, 2), _d(T, 3)),
    "outer_2d": lambda T: T.outer(_f(T, 2, 2), _f(T, 2)),
    "outer_vec2_2d": lambda T: T.outer(_f(T, 2), _f(T, 2, 2)),
    "addmm_input_shape": lambda T: T.addmm(_f(T, 3, 3), _f(T, 2, 3), _f(T, 3, 4)),
    "addmm_size": lambda T: T.addmm(_f(T, 2, 4), _f(T, 2, 3), _f(T, 4, 4)),
    "addmm_mat1_1d": lambda T: T.addmm(_f(T, 4), _f(T, 3), _f(T, 3, 4)),
    "addmm_mat2_1d": lambda T: T.addmm(_f(T, 2, 4), _f(T, 2, 3), _f(T, 3)),
    "addmm_dtype_mat2": lambda T: T.addmm(_f(T, 2, 4), _f(T, 2, 3), _d(T, 3, 4)),
    "addmm_dtype_input": lambda T: T.addmm(_d(T, 2, 4), _f(T, 2, 3), _f(T, 3, 4)),
    "addmm_dtype_mat1": lambda T: T.addmm(_f(T, 2, 4), _d(T, 2, 3), _f(T, 3, 4)),
    "addmm_dtype_mats": lambda T: T.addmm(_d(T, 2, 4), _d(T, 2, 3), _f(T, 3, 4)),
    "addmv_input_size": lambda T: T.addmv(_f(T, 3), _f(T, 2, 3), _f(T, 3)),
    "addmv_size": lambda T: T.addmv(_f(T, 2), _f(T, 2, 3), _f(T, 4)),
    "addmv_mat_1d": lambda T: T.addmv(_f(T, 2), _f(T, 3), _f(T, 3)),
    "addmv_dtype_vec": lambda T: T.addmv(_f(T, 2), _f(T, 2, 3), _d(T, 3)),
    "addmv_dtype_input": lambda T: T.addmv(_d(T, 2), _f(T, 2, 3), _f(T, 3)),
    "baddbmm_input_shape": lambda T: T.baddbmm(_f(T, 3, 2, 4), _f(T, 2, 2, 3), _f(T, 2, 3, 4)),
    "baddbmm_2d": lambda T: T.baddbmm(_f(T, 2, 2, 4), _f(T, 2, 3), _f(T, 2, 3, 4)),
    "baddbmm_size": lambda T: T.baddbmm(_f(T, 2, 2, 4), _f(T, 2, 2, 3), _f(T, 2, 4, 4)),
    "baddbmm_dtype": lambda T: T.baddbmm(_f(T, 2, 2, 4), _f(T, 2, 2, 3), _d(T, 2, 3, 4)),
    "tensordot_size": lambda T: T.tensordot(_f(T, 2, 3), _f(T, 4, 5), dims=1),
    "tensordot_list_size": lambda T: T.tensordot(_f(T, 2, 3), _f(T, 3, 4), dims=([0], [0])),
    "tensordot_negative": lambda T: T.tensordot(_f(T, 2, 3), _f(T, 3, 5), dims=-1),
    "tensordot_too_many": lambda T: T.tensordot(_f(T, 2, 3), _f(T, 3, 4), dims=3),
    "tensordot_lists_len": lambda T: T.tensordot(_f(T, 2, 3), _f(T, 3, 4), dims=([1], [0, 1])),
    "tensordot_dims_int": lambda T: T.tensordot(_f(T, 2, 3), _f(T, 3, 4), dims=([1], 0)),
    "tensordot_dtype": lambda T: T.tensordot(_f(T, 2, 3), _d(T, 3, 5), dims=1),
    "einsum_no_operands": lambda T: T.einsum("ij"),
    "einsum_fewer_operands": lambda T: T.einsum("ij,jk->", _f(T, 2, 3)),
    "einsum_more_operands": lambda T: T.einsum("ij->ij", _f(T, 2, 2), _f(T, 2, 2)),
    "einsum_subscript_count": lambda T: T.einsum("ijk,jk->ik", _f(T, 2, 3), _f(T, 3, 4)),
    "einsum_sizes": lambda T: T.einsum("ij,jk->ik", _f(T, 2, 3), _f(T, 4, 4)),
    "einsum_output_unknown": lambda T: T.einsum("ij,jk->il", _f(T, 2, 3), _f(T, 3, 4)),
    "einsum_output_repeated": lambda T: T.einsum("ij,jk->ii", _f(T, 2, 3), _f(T, 3, 4)),
    "einsum_bad_char": lambda T: T.einsum("i1,jk->ik", _f(T, 2, 3), _f(T, 3, 4)),
    "einsum_two_arrows": lambda T: T.einsum("ij->i->j", _f(T, 2, 2)),
    "einsum_bad_ellipsis": lambda T: T.einsum("i..j->ij", _f(T, 2, 2)),
    "einsum_two_ellipses": lambda T: T.einsum("...i...->i", _f(T, 2, 2)),
    "einsum_ellipsis_too_many": lambda T: T.einsum("...ijk->ij", _f(T, 2, 2)),
    "einsum_repeat_sizes": lambda T: T.einsum("ii->i", _f(T, 2, 3)),
    "einsum_dtype": lambda T: T.einsum("ij,jk->ik", _f(T, 2, 3), _d(T, 3, 4)),
    "einsum_not_tensor": lambda T: T.einsum("i", [1, 2]),
    "einsum_bool": lambda T: T.einsum("i,i->", _b(T), _b(T)),
}


def _raise(fn, T):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(T)
    return info.value


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_matches_torch(case, torch):
    theirs = _raise(ERRORS[case], torch)
    ours = _raise(ERRORS[case], leafgrad)
    assert type(ours) is type(theirs), f"{case}: {type(ours).__name__}: {ours} " \
                                       f"!= torch's {type(theirs).__name__}: {theirs}"
    assert str(ours) == str(theirs).replace("torch.", "leafgrad.")


def test_nuclear_norm_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="nuclear norm"):
        leafgrad.ones(2, 3).norm("nuc")


# -- warnings ------------------------------------------------------------------------------
WARNINGS = {
    "var_one_element": lambda T: T.ones(1).var(),
    "std_one_element": lambda T: T.ones(1).std(),
    "var_correction_too_big": lambda T: T.tensor([1., 2.]).var(correction=2),
    "var_dim_correction": lambda T: T.ones(3, 1).var(1),
    "var_mean_one_element": lambda T: T.var_mean(T.ones(1)),
    "std_mean_one_element": lambda T: T.std_mean(T.ones(1)),
    "var_empty": lambda T: T.zeros(0).var(),
    "var_ok": lambda T: T.ones(3).var(),
}


def _warnings(fn, T) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(T)
    return [(w.category, str(w.message).split(" (Triggered internally")[0]) for w in caught]


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warning_matches_torch(case, torch):
    assert _warnings(WARNINGS[case], leafgrad) == _warnings(WARNINGS[case], torch)


# -- values torch defines at the edges -----------------------------------------------------
EDGE_VALUES = {
    "var_correction_too_big": lambda T: T.tensor([1., 2.]).var(correction=2),
    "var_correction_too_big_const": lambda T: T.tensor([1., 1.]).var(correction=3),
    "var_float_correction": lambda T: T.tensor([1., 2., 4.]).var(correction=0.5),
    "std_one": lambda T: T.tensor([1.]).std(),
    "mean_empty": lambda T: T.zeros(0, 3).mean(0),
    "sum_empty": lambda T: T.zeros(0, 3).sum(),
    "prod_empty": lambda T: T.zeros(0).prod(),
    "logsumexp_empty": lambda T: T.zeros(0, 4).logsumexp(0),
    "logsumexp_inf": lambda T: T.tensor([math.inf, 1.]).logsumexp(0),
    "logsumexp_neginf": lambda T: T.tensor([-math.inf, -math.inf]).logsumexp(0),
    "logsumexp_big": lambda T: T.tensor([1000., 1000.]).logsumexp(0),
    "logcumsumexp_neginf": lambda T: T.tensor([-math.inf, -math.inf, 1.]).logcumsumexp(0),
    "logcumsumexp_big": lambda T: T.tensor([1000., 1000., -1000.]).logcumsumexp(0),
    "softmax_neginf": lambda T: T.tensor([-math.inf, -math.inf]).softmax(0),
    "softmax_big": lambda T: T.tensor([1000., 0.]).softmax(0),
    "log_softmax_big": lambda T: T.tensor([1000., 0.]).log_softmax(0),
    "amax_nan": lambda T: T.tensor([1., math.nan, 3.]).amax(),
    "max_nan": lambda T: T.tensor([1., math.nan, 3., math.nan]).max(0),
    "argmax_nan": lambda T: T.tensor([1., math.nan, 3., math.nan]).argmax(),
    "argmax_ties": lambda T: T.tensor([1., 3., 3., 2.]).argmax(),
    "max_ties": lambda T: T.tensor([1., 3., 3., 2.]).max(0),
    "min_ties": lambda T: T.tensor([1., 0., 0., 2.]).min(0),
    "cummax_ties": lambda T: T.tensor([1., 3., 3., 2., 3.]).cummax(0),
    "cummin_ties": lambda T: T.tensor([1., 0., 0., 2., 0.]).cummin(0),
    "cummax_nan": lambda T: T.tensor([1., math.nan, 3., math.nan, 5.]).cummax(0),
    "cummin_nan": lambda T: T.tensor([1., math.nan, 0., math.nan, -5.]).cummin(0),
    "cummax_bool": lambda T: T.tensor([True, False, True]).cummax(0),
    "cummax_empty": lambda T: T.zeros(0, 4).cummax(0),
    "argmax_keepdim_all": lambda T: T.ones(3, 4).argmax(keepdim=True),
    "all_no_dims": lambda T: T.tensor([[1., 0.]]).all(()),
    "all_uint8": lambda T: T.tensor([200, 100], dtype=T.uint8).all(),
    "any_uint8_dim": lambda T: T.tensor([[0, 100]], dtype=T.uint8).any(1),
    "all_keepdim_all": lambda T: T.ones(3, 4).all(keepdim=True),
    "count_nonzero_no_dims": lambda T: T.ones(3, 4).count_nonzero(()),
    "norm_zero_p": lambda T: T.tensor([3., 0., -1.]).norm(0),
    "norm_neg_p_with_zero": lambda T: T.tensor([3., 0., -1.]).norm(-1),
    "sum_uint8": lambda T: T.tensor([200, 100], dtype=T.uint8).sum(),
    "cumprod_uint8": lambda T: T.tensor([200, 100], dtype=T.uint8).cumprod(0),
    "matmul_uint8": lambda T: T.ones(2, 3, dtype=T.uint8) @ T.ones(3, 4, dtype=T.uint8),
    "matmul_half": lambda T: T.ones(2, 3, dtype=T.half) @ T.ones(3, 4, dtype=T.half),
    "addmm_beta0_nan": lambda T: T.addmm(T.full((2, 2), math.nan), T.ones(2, 3), T.ones(3, 2),
                                         beta=0),
    "einsum_implicit_upper": lambda T: T.einsum("bA", T.arange(6.).reshape(2, 3)),
    "einsum_output_ellipsis": lambda T: T.einsum("ij->...ij", T.ones(2, 2)),
}


def _flat(value) -> list:
    if isinstance(value, (tuple, list)):
        return [v for x in value for v in _flat(x)]
    return [value]


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(EDGE_VALUES))
def test_edge_value_matches_torch(case, torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _flat(EDGE_VALUES[case](leafgrad)), _flat(EDGE_VALUES[case](torch))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, equal_nan=True)


# -- gradients at ties, zeros and other edges ---------------------------------------------
GRADS = {
    # ties: amax/amin/max()/min() and inf-norms share the gradient evenly; max(dim) sends it
    # to the returned index
    "amax_ties": (lambda T, x: x.amax(), [3., 1., 3.]),
    "amax_dim_ties": (lambda T, x: x.amax(1), [[3., 3., 1.], [2., 2., 2.]]),
    "amin_ties": (lambda T, x: x.amin(0, keepdim=True), [[1., 2.], [1., 5.], [1., 2.]]),
    "max_ties": (lambda T, x: x.max(), [3., 1., 3., 3.]),
    "min_ties": (lambda T, x: x.min(), [0., 1., 0.]),
    "max_dim_ties": (lambda T, x: x.max(0)[0], [3., 1., 3.]),
    "min_dim_ties": (lambda T, x: x.min(1, keepdim=True)[0], [[3., 1., 1.], [0., 0., 2.]]),
    "cummax_ties": (lambda T, x: x.cummax(0)[0], [1., 3., 3., 2., 3.]),
    "cummin_ties": (lambda T, x: x.cummin(0)[0], [1., 0., 0., 2., 0.]),
    "norm_inf_ties": (lambda T, x: x.norm(math.inf), [3., 1., -3.]),
    "norm_neginf_ties": (lambda T, x: x.norm(-math.inf), [3., 1., -1.]),
    "maximum_ties": (lambda T, x: T.max(x, T.tensor([1., 2., 3.], dtype=x.dtype)), [1., 0., 3.]),
    # zeros
    "prod_one_zero": (lambda T, x: x.prod(), [2., 0., 3.]),
    "prod_two_zeros": (lambda T, x: x.prod(), [2., 0., 0., 3.]),
    "prod_three_zeros": (lambda T, x: x.prod(), [0., 0., 0., 3.]),
    "prod_dim_zeros": (lambda T, x: x.prod(1), [[2., 0., 3.], [0., 0., 1.], [1., 2., 3.]]),
    "cumprod_zeros": (lambda T, x: x.cumprod(0), [2., 0., 3., 0., 5.]),
    "cumprod_zero_late": (lambda T, x: x.cumprod(0), [2., 3., 0., 4.]),
    "cumprod_dim_zeros": (lambda T, x: x.cumprod(1), [[2., 0., 3.], [0., 0., 1.], [0., 2., 3.]]),
    "norm_zero_vector": (lambda T, x: x.norm(), [0., 0., 0.]),
    "norm3_zero_vector": (lambda T, x: x.norm(3), [0., 0., 0.]),
    "norm_half_with_zero": (lambda T, x: x.norm(0.5), [0., 1., 2.]),
    "norm_one_half_with_zero": (lambda T, x: x.norm(1.5), [0., 1., 2.]),
    "norm1_with_zero": (lambda T, x: x.norm(1), [0., 1., -2.]),
    "norm_neg_with_zero": (lambda T, x: x.norm(-1), [0., 1., -2.]),
    "std_constant": (lambda T, x: x.std(), [1., 1., 1.]),
    "std_dim_constant": (lambda T, x: x.std(1), [[1., 1.], [1., 2.]]),
    "softmax_neginf": (lambda T, x: x.softmax(0) * T.arange(3., dtype=x.dtype),
                       [-math.inf, 1., 2.]),
    "log_softmax_big": (lambda T, x: x.log_softmax(0) * T.arange(3., dtype=x.dtype),
                        [1000., 0., -1000.]),
    "logsumexp_big": (lambda T, x: x.logsumexp(0), [1000., 1000., -1000.]),
    "logcumsumexp_big": (lambda T, x: x.logcumsumexp(0) * T.arange(3., dtype=x.dtype),
                         [1000., 1000., -1000.]),
    "logcumsumexp_neginf": (lambda T, x: x.logcumsumexp(0) * T.arange(1., 4., dtype=x.dtype),
                            [-math.inf, 0., 1.]),
    "nansum_nan": (lambda T, x: x.nansum(), [1., math.nan, 2.]),
    "nanmean_nan": (lambda T, x: x.nanmean(), [1., math.nan, 2.]),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(GRADS))
def test_edge_gradient_matches_torch(case, torch):
    fn, values = GRADS[case]

    def grad(T):
        x = T.tensor(values, dtype=T.float64, requires_grad=True)
        y = fn(T, x)
        y.backward(T.ones_like(y))
        return None if x.grad is None else x.grad.numpy()

    ours, theirs = grad(leafgrad), grad(torch)
    if theirs is None:
        assert ours is None or not ours.any()
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, equal_nan=True)


def _const(x, values):
    """A constant like ``x`` (its module's tensor) for the Hessian cases."""
    mod = leafgrad if isinstance(x, leafgrad.Tensor) else __import__("torch")
    return mod.tensor(values, dtype=mod.float64)


HESSIANS = {
    "prod_one_zero": (lambda x: x.prod(), [2., 0., 3.]),
    "prod_two_zeros": (lambda x: x.prod(), [2., 0., 0., 3.]),
    "prod_three_zeros": (lambda x: x.prod(), [0., 0., 0., 3.]),
    "prod_dim_zeros": (lambda x: x.prod(1).sum(), [[2., 0., 3.], [0., 0., 1.]]),
    "cumprod_one_zero": (lambda x: (x.cumprod(0) * _const(x, [1., 2., 3.])).sum(),
                         [2., 0., 3.]),
    "cumprod_two_zeros": (lambda x: (x.cumprod(0) * _const(x, [1., 2., 3., 4.])).sum(),
                          [2., 0., 3., 0.]),
    "logcumsumexp": (lambda x: (x.logcumsumexp(0) * _const(x, [1., -2., 3.])).sum(),
                     [0.5, -1., 2.]),
    "softmax": (lambda x: (x.softmax(0) * _const(x, [1., -2., 3.])).sum(), [0.5, -1., 2.]),
    "std": (lambda x: x.std(), [0.5, -1., 2.]),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(HESSIANS))
def test_second_derivative_matches_torch(case, torch):
    fn, values = HESSIANS[case]

    def hessian(T):
        x = T.tensor(values, dtype=T.float64, requires_grad=True)
        (g,) = T.autograd.grad(fn(x), x, create_graph=True)
        flat = g.reshape(-1)
        return np.stack([T.autograd.grad(flat[i], x, retain_graph=True)[0].numpy()
                         for i in range(flat.shape[0])])

    np.testing.assert_allclose(hessian(leafgrad), hessian(torch), rtol=1e-10, atol=1e-12)


# -- graph details ---------------------------------------------------------------------------
def _tree(y):
    def rec(fn):
        if fn is None:
            return None
        name = fn.name().split("::")[-1]
        if name == "AccumulateGrad":
            return name
        return (name, [rec(f) for f, _ in fn.next_functions])

    return rec(y.grad_fn)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)), ((6, 5, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)),
    ((5, 1, 3), (3, 4)), ((2, 5, 2, 3), (2, 5, 3, 4)), ((0, 3), (3, 2)), ((5, 2, 3), (3, 1)),
    ((5, 2, 3), (1, 1, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (1, 3, 4)),
    ((1, 2, 3), (3, 4)), ((3,), (1, 3, 4)), ((2, 3), (1, 1, 3, 4)), ((0, 2, 3), (1, 3, 4)),
    ((1, 2, 3), (0, 3, 4)), ((2, 3), (5, 3, 1)), ((3,), (2, 2, 3, 4)), ((2, 2, 2, 3), (3,)),
]


@pytest.mark.torch
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)],
                         ids=["both", "first", "second"])
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_graph_matches_torch(shapes, needs, torch):
    """The whole graph matmul records (folds, transposed folds, bmm) is PyTorch's."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])

    def run(T):
        x = T.tensor(a, requires_grad=needs[0])
        y = T.tensor(b, requires_grad=needs[1])
        z = x @ y
        g = T.tensor(np.linspace(-1, 1, z.numel()).reshape(tuple(z.shape)))
        grads = T.autograd.grad(z, [t for t in (x, y) if t.requires_grad], g)
        return _tree(z), z.detach().numpy(), [t.numpy() for t in grads]

    (t1, z1, g1), (t2, z2, g2) = run(leafgrad), run(torch)
    assert t1 == t2
    np.testing.assert_allclose(z1, z2, rtol=1e-12, atol=1e-12)
    for p, q in zip(g1, g2):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("second_grad", [False, True])
def test_matmul_graph_noncontiguous(second_grad, torch):
    def run(T):
        x = T.ones(2, 5, 3, requires_grad=True).transpose(0, 1)
        y = T.ones(3, 4, requires_grad=second_grad)
        return _tree(x @ y)

    assert run(leafgrad) == run(torch)


CHAINS = {
    "sum_dtype": lambda T, x: x.sum(dtype=T.float64),
    "mean_dtype": lambda T, x: x.mean(1, dtype=T.float64),
    "sum_dim_none": lambda T, x: x.sum(dim=None),
    "mean_dim_none": lambda T, x: x.mean(dim=None),
    "sum_no_dims": lambda T, x: x.sum(()),
    "softmax_dtype": lambda T, x: x.softmax(1, dtype=T.float64),
    "log_softmax_dtype": lambda T, x: T.log_softmax(x, 0, T.float64),
    "nanmean": lambda T, x: x.nanmean(),
    "nansum_dtype": lambda T, x: x.nansum(dtype=T.float64),
    "prod_dtype": lambda T, x: x.prod(1, dtype=T.float64),
    "cumsum_dtype": lambda T, x: x.cumsum(1, dtype=T.float64),
    "max_other": lambda T, x: x.max(x.exp()),
    "outer": lambda T, x: T.outer(x[0, 0], x[1, 1]),
    "tensordot": lambda T, x: T.tensordot(x, x.transpose(0, 2), dims=([1, 2], [1, 0])),
    "addmm": lambda T, x: T.addmm(x[0, 0, :3], x[0], x[1].T),
    "norm": lambda T, x: x.norm(dim=1),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(CHAINS))
def test_graph_matches_torch(case, torch):
    def run(T):
        x = T.ones(2, 3, 4, requires_grad=True)
        y = CHAINS[case](T, x)
        return _tree(y), tuple(y.shape), str(y.dtype).split(".")[-1]

    assert run(leafgrad) == run(torch)


SAVED = {
    "sum_dim": (lambda T, x: x.sum(1), ["_saved_dim", "_saved_keepdim",
                                         "_saved_self_sym_sizes"]),
    "prod_dim": (lambda T, x: x.prod(1, keepdim=True), ["_saved_dim", "_saved_keepdim"]),
    "amax": (lambda T, x: x.amax((0, 1)), ["_saved_dim", "_saved_keepdim"]),
    "max_dim": (lambda T, x: x.max(1)[0], ["_saved_dim", "_saved_keepdim", "_saved_indices",
                                           "_saved_self_sym_sizes"]),
    "var": (lambda T, x: x.var(1, correction=0), ["_saved_dim", "_saved_correction",
                                                  "_saved_keepdim"]),
    "norm": (lambda T, x: x.norm(3, dim=1), ["_saved_ord", "_saved_dim", "_saved_keepdim",
                                             "_saved_result"]),
    "logsumexp": (lambda T, x: x.logsumexp(1), ["_saved_dim", "_saved_result", "_saved_self"]),
    "cumsum": (lambda T, x: x.cumsum(1), ["_saved_dim"]),
    "cummax": (lambda T, x: x.cummax(1)[0], ["_saved_dim", "_saved_indices"]),
    "softmax": (lambda T, x: x.softmax(1), ["_saved_dim", "_saved_result"]),
    "log_softmax": (lambda T, x: x.log_softmax(0), ["_saved_dim", "_saved_result"]),
    "mm": (lambda T, x: x @ x.T, ["_saved_self", "_saved_mat2"]),
    "dot": (lambda T, x: x[0] @ x[1], ["_saved_self", "_saved_tensor"]),
    "mv": (lambda T, x: x @ x[0], ["_saved_self", "_saved_vec"]),
    "addmm": (lambda T, x: T.addmm(x[0, :2], x, x.T, beta=2, alpha=0.5),
              ["_saved_alpha", "_saved_beta", "_saved_mat1", "_saved_mat2"]),
}


def _value(v):
    if hasattr(v, "numpy"):
        return v.detach().numpy().tolist()
    return tuple(v) if isinstance(v, (tuple, list)) else v


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(SAVED))
def test_saved_attributes_match_torch(case, torch):
    fn, names = SAVED[case]

    def run(T):
        x = T.tensor([[1., 2., 4.], [3., -1., 0.5]], requires_grad=True)
        node = fn(T, x).grad_fn
        return [_value(getattr(node, n)) for n in names]

    for a, b in zip(run(leafgrad), run(torch)):
        if isinstance(b, list):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        else:
            assert a == b


@pytest.mark.torch
def test_return_types_print_like_torch(torch):
    def run(T):
        x = T.tensor([[1., 5.], [3., 2.]])
        return [repr(x.max(1)), repr(x.min(0, keepdim=True)), repr(x.cummax(1)),
                repr(x.cummin(0)), type(x.max(1)).__name__]

    assert run(leafgrad) == [r.replace("torch.", "leafgrad.") for r in run(torch)]
    values, indices = leafgrad.tensor([1., 3., 2.]).max(0)
    assert values.item() == 3. and indices.item() == 1
    r = leafgrad.tensor([1., 3., 2.]).max(0)
    assert r.values is r[0] and r.indices is r[1]


def test_sum_to_size_is_cheap_and_right():
    x = leafgrad.ones(2, 3, 4, requires_grad=True)
    assert x.sum_to_size(2, 3, 4) is x
    y = x.sum_to_size(3, 1)
    assert tuple(y.shape) == (3, 1) and y.grad_fn.name() in ("ViewBackward0", "SumBackward1")
    assert (y.detach().numpy() == 8).all()


def test_matmul_backward_skips_inputs_without_grad():
    """The first layer of a chain: no product is computed for an input that needs none."""
    x = leafgrad.ones(3, 4)
    w = leafgrad.ones(4, 2, requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad is not None
    np.testing.assert_array_equal(w.grad.numpy(), np.full((4, 2), 3.))


_OVERFLOWING = {
    "sum": lambda T, x: x.sum(), "sum_dim": lambda T, x: x.sum(1), "mean": lambda T, x: x.mean(),
    "prod": lambda T, x: x.prod(), "var": lambda T, x: x.var(), "std": lambda T, x: x.std(0),
    "var_mean": lambda T, x: T.var_mean(x)[1], "nansum": lambda T, x: x.nansum(),
    "nanmean": lambda T, x: x.nanmean(), "norm1": lambda T, x: x.norm(1),
    "norm3": lambda T, x: x.norm(3), "broadcast": lambda T, x: x + T.ones(3, 2, 4),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(_OVERFLOWING))
def test_overflow_is_quiet(torch, name):
    # PyTorch overflows to inf without a word; NumPy warns, and a warning raised inside
    # NumPy's own Python wrappers (ndarray.sum, np.prod) would escape leafgrad's filter
    fn = _OVERFLOWING[name]
    a = np.full((2, 4), 3e38, dtype=np.float32)
    results = []
    for T in (torch, leafgrad):
        x = T.tensor(a, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # leafgrad's own filter (installed at import): its modules' float warnings
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"leafgrad(\..*)?$")
            y = fn(T, x)
            y.sum().backward()
        assert [str(w.message) for w in caught] == []
        results.append((y.detach().numpy(), x.grad.numpy()))
    if name in ("std", "var_mean"):
        return  # PyTorch's Welford mean of two 3e38s stays finite; our sum overflows first
    for want, got in zip(*results):
        np.testing.assert_array_equal(got, want)
