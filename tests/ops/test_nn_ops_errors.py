"""Errors of the neural-network primitives (type and message taken from PyTorch in the same
test), and behaviours the op database does not reach: repeated backward through a
convolution's cached columns, second derivatives on larger shapes, reprs of saved
attributes."""

from __future__ import annotations

import re

import numpy as np
import pytest

import leafgrad


def _r(T, *shape, dtype=None):
    g = np.random.default_rng(sum(shape) + len(shape))
    a = g.standard_normal(shape).astype("float32" if dtype is None else dtype)
    return T.from_numpy(a)


def _i(T, *shape, value=0):
    return T.from_numpy(np.full(shape, value, dtype=np.int64))


CASES = {
    # convolutions
    "conv_input_2d": lambda T, F: F.conv2d(_r(T, 5, 5), _r(T, 4, 3, 3, 3)),
    "conv_input_5d": lambda T, F: F.conv2d(_r(T, 1, 1, 3, 5, 5), _r(T, 4, 3, 3, 3)),
    "conv_weight_3d": lambda T, F: F.conv2d(_r(T, 1, 3, 5, 5), _r(T, 4, 3, 3)),
    "conv_weight_5d": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3, 3)),
    "conv_weight_1d": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4)),
    "conv_channels": lambda T, F: F.conv2d(_r(T, 2, 5, 5, 5), _r(T, 4, 3, 3, 3)),
    "conv_channels_unbatched": lambda T, F: F.conv2d(_r(T, 5, 5, 5), _r(T, 4, 3, 3, 3)),
    "conv_channels_groups": lambda T, F: F.conv2d(_r(T, 2, 6, 5, 5), _r(T, 4, 2, 3, 3),
                                                  groups=2),
    "conv_groups_divide": lambda T, F: F.conv2d(_r(T, 2, 6, 5, 5), _r(T, 3, 3, 3, 3),
                                                groups=2),
    "conv_groups_zero": lambda T, F: F.conv2d(_r(T, 2, 6, 5, 5), _r(T, 4, 3, 3, 3), groups=0),
    "conv_kernel_big": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 7, 7)),
    "conv_kernel_big_pad": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 7, 7),
                                                 padding=(1, 0)),
    "conv_kernel_big_dil": lambda T, F: F.conv1d(_r(T, 2, 3, 5), _r(T, 4, 3, 3), dilation=3),
    "conv_bias_size": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3), _r(T, 3)),
    "conv_bias_2d": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3), _r(T, 4, 1)),
    "conv_stride_zero": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3), stride=0),
    "conv_stride_neg": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3), stride=-1),
    "conv_pad_neg": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3), padding=-1),
    "conv_dilation_zero": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3),
                                                dilation=0),
    "conv_stride_len": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3),
                                             stride=(1, 1, 1)),
    "conv_pad_len": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3),
                                          padding=(1, 1, 1)),
    "conv_same_strided": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3),
                                               padding="same", stride=2),
    "conv_bad_padding_string": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3),
                                                     padding="foo"),
    "conv_dtype_input": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5, dtype="float64"),
                                              _r(T, 4, 3, 3, 3)),
    "conv_dtype_weight": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5),
                                               _r(T, 4, 3, 3, 3, dtype="float64")),
    "conv_dtype_bias": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 4, 3, 3, 3),
                                             _r(T, 4, dtype="float64")),
    "conv1d_channels": lambda T, F: F.conv1d(_r(T, 2, 3), _r(T, 4, 3, 3)),
    "conv3d_channels": lambda T, F: F.conv3d(_r(T, 2, 3, 4, 4), _r(T, 4, 3, 3, 3, 3)),
    "conv_out_channels_zero": lambda T, F: F.conv2d(_r(T, 2, 3, 5, 5), _r(T, 0, 3, 3, 3)),
    "convT_channels": lambda T, F: F.conv_transpose2d(_r(T, 2, 5, 5, 5), _r(T, 3, 4, 3, 3)),
    "convT_output_padding": lambda T, F: F.conv_transpose2d(_r(T, 2, 3, 5, 5),
                                                            _r(T, 3, 4, 3, 3), output_padding=1),
    "convT_output_padding_neg": lambda T, F: F.conv_transpose2d(
        _r(T, 2, 3, 5, 5), _r(T, 3, 4, 3, 3), output_padding=-1),
    "convT_input": lambda T, F: F.conv_transpose2d(_r(T, 5, 5), _r(T, 3, 4, 3, 3)),
    "convT_groups": lambda T, F: F.conv_transpose2d(_r(T, 2, 3, 5, 5), _r(T, 3, 4, 3, 3),
                                                    groups=2),
    "convT_bias": lambda T, F: F.conv_transpose2d(_r(T, 2, 3, 5, 5), _r(T, 3, 4, 3, 3),
                                                  _r(T, 3)),
    "convT_padding_string": lambda T, F: F.conv_transpose2d(_r(T, 2, 3, 1, 1),
                                                            _r(T, 3, 4, 3, 3), padding="same"),
    "convT_too_small": lambda T, F: F.conv_transpose1d(_r(T, 1, 3, 2), _r(T, 3, 4, 1),
                                                       padding=2),
    # max pooling
    "max_pool2d_input": lambda T, F: F.max_pool2d(_r(T, 5, 5), 2),
    "max_pool2d_kernel_zero": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 0),
    "max_pool2d_kernel_neg": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), -1),
    "max_pool2d_stride_zero": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2, 0),
    "max_pool2d_pad_big": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2, padding=2),
    "max_pool2d_pad_kernel": lambda T, F: F.max_pool2d(_r(T, 1, 1, 6, 6), 3, padding=2,
                                                       dilation=2),
    "max_pool2d_pad_neg": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2, padding=-1),
    "max_pool2d_too_small": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 7),
    "max_pool2d_dilation_zero": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2, dilation=0),
    "max_pool2d_kernel_len": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), (2, 2, 2)),
    "max_pool2d_stride_len": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2, (1, 1, 1)),
    "max_pool2d_padding_len": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2,
                                                        padding=(1, 1, 1)),
    "max_pool2d_dilation_len": lambda T, F: F.max_pool2d(_r(T, 1, 1, 5, 5), 2,
                                                         dilation=(1, 1, 1)),
    "max_pool2d_empty_channel": lambda T, F: F.max_pool2d(_r(T, 1, 0, 5, 5), 2),
    "max_pool1d_input": lambda T, F: F.max_pool1d(_r(T, 5), 2),
    "max_pool1d_too_small": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), 7),
    "max_pool1d_pad": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), 2, padding=2),
    "max_pool1d_kernel_len": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), (2, 2)),
    "max_pool1d_stride_zero": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), 2, 0),
    "max_pool1d_dilation_zero": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), 2, dilation=0),
    "max_pool1d_kernel_zero": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), 0),
    "max_pool1d_pad_neg": lambda T, F: F.max_pool1d(_r(T, 1, 1, 5), 2, padding=-1),
    "max_pool3d_input": lambda T, F: F.max_pool3d(_r(T, 1, 5, 5), 2),
    "max_pool3d_kernel_len": lambda T, F: F.max_pool3d(_r(T, 1, 1, 5, 5, 5), (2, 2)),
    "max_pool3d_too_small": lambda T, F: F.max_pool3d(_r(T, 1, 1, 5, 5, 5), 7),
    "max_pool3d_pad": lambda T, F: F.max_pool3d(_r(T, 1, 1, 5, 5, 5), 2, padding=2),
    "max_pool3d_pad_kernel": lambda T, F: F.max_pool3d(_r(T, 1, 1, 6, 6, 6), 3, padding=2,
                                                       dilation=2),
    # average pooling
    "avg_pool2d_input": lambda T, F: F.avg_pool2d(_r(T, 5, 5), 2),
    "avg_pool2d_pad": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 2, padding=2),
    "avg_pool2d_too_small": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 7),
    "avg_pool2d_stride_zero": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 2, 0),
    "avg_pool2d_kernel_zero": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 0),
    "avg_pool2d_divisor_zero": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 2,
                                                         divisor_override=0),
    "avg_pool2d_kernel_len": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), (2, 2, 2)),
    "avg_pool2d_stride_len": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 2, (1, 1, 1)),
    "avg_pool2d_padding_len": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 2,
                                                        padding=(1, 1, 1)),
    "avg_pool2d_pad_neg": lambda T, F: F.avg_pool2d(_r(T, 1, 1, 5, 5), 2, padding=-1),
    "avg_pool1d_input": lambda T, F: F.avg_pool1d(_r(T, 5), 2),
    "avg_pool1d_too_small": lambda T, F: F.avg_pool1d(_r(T, 1, 1, 5), 7),
    "avg_pool1d_kernel_len": lambda T, F: F.avg_pool1d(_r(T, 1, 1, 5), (2, 2)),
    "avg_pool1d_pad": lambda T, F: F.avg_pool1d(_r(T, 1, 1, 5), 2, padding=2),
    "avg_pool3d_input": lambda T, F: F.avg_pool3d(_r(T, 5, 5), 2),
    "avg_pool3d_pad": lambda T, F: F.avg_pool3d(_r(T, 1, 1, 5, 5, 5), 2, padding=2),
    "avg_pool3d_too_small": lambda T, F: F.avg_pool3d(_r(T, 1, 1, 5, 5, 5), 7),
    "avg_pool3d_kernel_len": lambda T, F: F.avg_pool3d(_r(T, 1, 1, 5, 5, 5), (2, 2)),
    # adaptive pooling
    "adaptive_avg_pool2d_input": lambda T, F: F.adaptive_avg_pool2d(_r(T, 5), 2),
    "adaptive_avg_pool2d_negative": lambda T, F: F.adaptive_avg_pool2d(_r(T, 1, 5, 5), -1),
    "adaptive_avg_pool2d_len": lambda T, F: F.adaptive_avg_pool2d(_r(T, 1, 5, 5), (2, 2, 2)),
    "adaptive_avg_pool2d_empty": lambda T, F: F.adaptive_avg_pool2d(_r(T, 1, 0, 5), 2),
    "adaptive_avg_pool1d_input": lambda T, F: F.adaptive_avg_pool1d(_r(T, 5), 2),
    "adaptive_avg_pool1d_len": lambda T, F: F.adaptive_avg_pool1d(_r(T, 1, 5), (2, 2)),
    "adaptive_avg_pool3d_input": lambda T, F: F.adaptive_avg_pool3d(_r(T, 1, 5, 5), 2),
    "adaptive_max_pool2d_input": lambda T, F: F.adaptive_max_pool2d(_r(T, 5), 2),
    "adaptive_max_pool2d_negative": lambda T, F: F.adaptive_max_pool2d(_r(T, 1, 5, 5), -1),
    "adaptive_max_pool2d_empty": lambda T, F: F.adaptive_max_pool2d(_r(T, 1, 0, 5), 2),
    "adaptive_max_pool2d_len": lambda T, F: F.adaptive_max_pool2d(_r(T, 1, 5, 5), (2, 2, 2)),
    "adaptive_max_pool1d_input": lambda T, F: F.adaptive_max_pool1d(_r(T, 5), 2),
    # unpooling
    "max_unpool2d_input": lambda T, F: F.max_unpool2d(_r(T, 5, 5), _i(T, 5, 5), 2),
    "max_unpool2d_output_size": lambda T, F: F.max_unpool2d(_r(T, 1, 2, 2), _i(T, 1, 2, 2), 2,
                                                            output_size=(9, 9)),
    "max_unpool2d_output_size_len": lambda T, F: F.max_unpool2d(
        _r(T, 1, 2, 2), _i(T, 1, 2, 2), 2, output_size=(4, 4, 4)),
    "max_unpool2d_indices_shape": lambda T, F: F.max_unpool2d(_r(T, 1, 2, 2), _i(T, 1, 2, 3),
                                                              2),
    "max_unpool2d_indices_dtype": lambda T, F: F.max_unpool2d(_r(T, 1, 2, 2), _r(T, 1, 2, 2),
                                                              2),
    "max_unpool2d_bad_index": lambda T, F: F.max_unpool2d(_r(T, 1, 2, 2),
                                                          _i(T, 1, 2, 2, value=17), 2),
    # padding
    "pad_odd": lambda T, F: F.pad(_r(T, 2, 2), (1,)),
    "pad_too_long": lambda T, F: F.pad(_r(T, 2, 2), (1, 1, 1, 1, 1, 1)),
    "pad_mode": lambda T, F: F.pad(_r(T, 2, 2), (1, 1), mode="foo"),
    "pad_reflect_big": lambda T, F: F.pad(_r(T, 1, 2, 2), (2, 2), mode="reflect"),
    "pad_reflect_big_2d": lambda T, F: F.pad(_r(T, 1, 2, 3, 3), (1, 1, 3, 1), mode="reflect"),
    "pad_circular_big": lambda T, F: F.pad(_r(T, 1, 2, 2), (3, 3), mode="circular"),
    "pad_constant_negative": lambda T, F: F.pad(_r(T, 1, 2, 2), (-3, 0)),
    "pad_reflect_1d_input": lambda T, F: F.pad(_r(T, 4), (1, 1), mode="reflect"),
    "pad_reflect_value": lambda T, F: F.pad(_r(T, 1, 4), (1, 1), mode="reflect", value=1.0),
    "pad_reflect_2d_input": lambda T, F: F.pad(_r(T, 4, 4), (1, 1, 1, 1), mode="reflect"),
    "pad_replicate_empty": lambda T, F: F.pad(_r(T, 0, 4), (1, 1), mode="replicate"),
    "pad_replicate_4d_2": lambda T, F: F.pad(_r(T, 1, 1, 4, 4), (1, 1), mode="replicate"),
    # unfold / fold
    "unfold_input": lambda T, F: F.unfold(_r(T, 4, 4), 2),
    "unfold_too_small": lambda T, F: F.unfold(_r(T, 1, 1, 4, 4), 5),
    "unfold_pad_neg": lambda T, F: F.unfold(_r(T, 1, 1, 4, 4), 2, padding=-1),
    "unfold_stride_zero": lambda T, F: F.unfold(_r(T, 1, 1, 4, 4), 2, stride=0),
    "unfold_kernel_len": lambda T, F: F.unfold(_r(T, 1, 1, 4, 4), (2, 2, 2)),
    "unfold_5d": lambda T, F: F.unfold(_r(T, 1, 1, 1, 4, 4), 2),
    "fold_input": lambda T, F: F.fold(_r(T, 4), (3, 3), 2),
    "fold_channels": lambda T, F: F.fold(_r(T, 1, 5, 4), (3, 3), 2),
    "fold_blocks": lambda T, F: F.fold(_r(T, 1, 4, 5), (3, 3), 2),
    "fold_blocks_none": lambda T, F: F.fold(_r(T, 1, 4, 4), (1, 1), 2),
    "fold_kernel_len": lambda T, F: F.fold(_r(T, 1, 4, 4), (3, 3), (2, 2, 2)),
    "fold_output_len": lambda T, F: F.fold(_r(T, 1, 4, 4), (3, 3, 3), 2),
    # interpolate
    "interp_no_size": lambda T, F: F.interpolate(_r(T, 1, 1, 4)),
    "interp_both": lambda T, F: F.interpolate(_r(T, 1, 1, 4), size=3, scale_factor=2),
    "interp_bilinear_3d": lambda T, F: F.interpolate(_r(T, 1, 1, 4), size=3, mode="bilinear"),
    "interp_linear_4d": lambda T, F: F.interpolate(_r(T, 1, 1, 4, 4), size=3, mode="linear"),
    "interp_align_nearest": lambda T, F: F.interpolate(_r(T, 1, 1, 4), size=3,
                                                       align_corners=True),
    "interp_mode": lambda T, F: F.interpolate(_r(T, 1, 1, 4), size=3, mode="foo"),
    "interp_size_len": lambda T, F: F.interpolate(_r(T, 1, 1, 4), size=(3, 3)),
    "interp_scale_len": lambda T, F: F.interpolate(_r(T, 1, 1, 4), scale_factor=(3, 3)),
    "interp_2d_input": lambda T, F: F.interpolate(_r(T, 4, 4), size=(3, 3)),
    "interp_recompute_size": lambda T, F: F.interpolate(_r(T, 1, 1, 4), size=3,
                                                        recompute_scale_factor=True),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(CASES))
def test_error_matches_torch(case, torch):
    """Same exception type and message as PyTorch."""
    import warnings

    fn = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            fn(torch, torch.nn.functional)
        with pytest.raises(type(theirs.value), match=re.escape(str(theirs.value))):
            fn(leafgrad, leafgrad.nn.functional)


# -- behaviours beyond the op database ------------------------------------------------------
def _pair(torch, shape, seed, dtype="float64"):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return (leafgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))


@pytest.mark.torch
def test_conv_backward_twice_with_retain_graph(torch):
    """The forward's columns are used once; a second backward recomputes them."""
    (x, tx), (w, tw) = _pair(torch, (2, 3, 6, 5), 0), _pair(torch, (4, 3, 3, 2), 1)
    y, ty = leafgrad.nn.functional.conv2d(x, w, padding=1), \
        torch.nn.functional.conv2d(tx, tw, padding=1)
    for _ in range(2):
        y.sum().backward(retain_graph=True)
        ty.sum().backward(retain_graph=True)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), atol=1e-10)


@pytest.mark.torch
@pytest.mark.parametrize("transposed", [False, True])
def test_conv_second_derivatives_match_torch(torch, transposed):
    """d/dx and d/dw of <grad, v> (double backward) on a strided, dilated, grouped conv."""
    name = "conv_transpose2d" if transposed else "conv2d"
    wshape = (4, 3, 3, 2) if transposed else (6, 2, 3, 2)
    kw = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
    if transposed:
        kw["output_padding"] = (1, 0)
    (x, tx), (w, tw), (b, tb) = (_pair(torch, (2, 4, 7, 6), 2), _pair(torch, wshape, 3),
                                 _pair(torch, (6,), 4))
    outs = []
    for T, xs in ((leafgrad, (x, w, b)), (torch, (tx, tw, tb))):
        y = getattr(T.nn.functional, name)(*xs, **kw)
        v = T.from_numpy(np.random.default_rng(5).standard_normal(tuple(y.shape)))
        gs = T.autograd.grad(y, xs, v, create_graph=True)
        s = sum((g * g).sum() for g in gs)
        outs.append([a.detach().numpy() for a in T.autograd.grad(s, xs[:2])])
    for a, b_ in zip(*outs):
        np.testing.assert_allclose(a, b_, rtol=1e-9, atol=1e-9)


@pytest.mark.torch
def test_max_pool_saved_attributes_and_nodes(torch):
    (x, tx) = _pair(torch, (1, 2, 5, 5), 6)
    y = leafgrad.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True)
    ty = torch.nn.functional.max_pool2d(tx, 3, 2, 1, ceil_mode=True)
    assert y.grad_fn.name() == ty.grad_fn.name()
    for attr in ("kernel_size", "stride", "padding", "dilation", "ceil_mode"):
        assert tuple(np.atleast_1d(getattr(y.grad_fn, "_saved_" + attr))) == \
            tuple(np.atleast_1d(getattr(ty.grad_fn, "_saved_" + attr))), attr
    c = leafgrad.nn.functional.conv2d(x, x[:1, :, :3, :3].detach().clone(), stride=2)
    tc = torch.nn.functional.conv2d(tx, tx[:1, :, :3, :3].detach().clone(), stride=2)
    assert c.grad_fn.name() == tc.grad_fn.name()
    assert len(c.grad_fn.next_functions) == len(tc.grad_fn.next_functions) == 3
    assert c.grad_fn.next_functions[2] == (None, 0)
    for attr in ("stride", "padding", "dilation", "groups"):
        assert tuple(np.atleast_1d(getattr(c.grad_fn, "_saved_" + attr))) == \
            tuple(np.atleast_1d(getattr(tc.grad_fn, "_saved_" + attr))), attr


@pytest.mark.torch
def test_max_pool_nan_and_ties_follow_torch(torch):
    """Ties pick the first maximum in scan order; a NaN wins (the last NaN)."""
    a = np.array([[[[1., 3., 3., 0.], [3., 2., np.nan, 1.], [0., 0., 0., 0.],
                    [np.nan, np.nan, 5., 5.]]]])
    ours = leafgrad.nn.functional.max_pool2d(leafgrad.tensor(a), 2, return_indices=True)
    theirs = torch.nn.functional.max_pool2d(torch.tensor(a), 2, return_indices=True)
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())


@pytest.mark.torch
def test_cnn_block_float32_matches_torch(torch):
    """A conv/relu/pool/conv/pool block as in the CNN benchmark: values and every gradient."""
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s).astype("float32") * 0.5 for s in
              [(8, 1, 12, 12), (4, 1, 3, 3), (4,), (6, 4, 3, 3), (6,)]]
    res = []
    for T in (leafgrad, torch):
        F = T.nn.functional
        x, w1, b1, w2, b2 = [T.tensor(a, requires_grad=i > 0) for i, a in enumerate(arrays)]
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
        y = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
        y.square().sum().backward()
        res.append([y.detach().numpy()] + [t.grad.numpy() for t in (w1, b1, w2, b2)])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


EDGE = {
    "conv_empty_batch": lambda T, F: F.conv2d(T.ones(0, 3, 5, 5), T.ones(4, 3, 3, 3)),
    "conv_int64": lambda T, F: F.conv2d(T.ones(2, 3, 5, 5, dtype=T.int64),
                                        T.ones(4, 3, 3, 3, dtype=T.int64),
                                        T.ones(4, dtype=T.int64)),
    "conv_stride_list_of_one": lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 3, 3),
                                                     stride=[2]),
    "conv_same_dilated_even": lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 2, 2),
                                                    padding="same", dilation=2),
    "conv_t_empty_batch": lambda T, F: F.conv_transpose2d(T.ones(0, 3, 5, 5),
                                                          T.ones(3, 4, 3, 3)),
    "max_pool_empty_batch": lambda T, F: F.max_pool2d(T.ones(0, 3, 5, 5), 2),
    "max_pool_int64": lambda T, F: F.max_pool2d(T.arange(16).reshape(1, 1, 4, 4), 2),
    "max_pool_ceil": lambda T, F: F.max_pool2d(T.arange(25.).reshape(1, 1, 5, 5), 2,
                                               ceil_mode=True),
    "avg_pool_ceil": lambda T, F: F.avg_pool2d(T.arange(25.).reshape(1, 1, 5, 5), 2,
                                               ceil_mode=True),
    "avg_pool_ceil_pad": lambda T, F: F.avg_pool2d(T.arange(25.).reshape(1, 1, 5, 5), 3, 2, 1,
                                                   ceil_mode=True),
    "adaptive_avg_empty_batch": lambda T, F: F.adaptive_avg_pool2d(T.ones(0, 3, 5, 5), 2),
    "adaptive_max_empty_batch": lambda T, F: F.adaptive_max_pool2d(T.ones(0, 3, 5, 5), 2),
    "adaptive_avg_zero_size": lambda T, F: F.adaptive_avg_pool2d(T.ones(1, 5, 5), 0),
    "adaptive_max_zero_size": lambda T, F: F.adaptive_max_pool2d(T.ones(1, 5, 5), 0),
    "adaptive_avg_int64": lambda T, F: F.adaptive_avg_pool2d(T.ones(1, 5, 5, dtype=T.int64), 2),
    "pad_int64_value": lambda T, F: F.pad(T.arange(4).reshape(2, 2), (1, 1), value=3),
    "pad_empty": lambda T, F: F.pad(T.ones(0, 2), (1, 1)),
    "unfold_empty_batch": lambda T, F: F.unfold(T.ones(0, 2, 4, 4), 2),
    "interp_int64_nearest": lambda T, F: F.interpolate(T.arange(8).reshape(1, 2, 4),
                                                       scale_factor=2),
    "interp_int64_bilinear": lambda T, F: F.interpolate(T.arange(8).reshape(1, 1, 2, 4),
                                                        scale_factor=2, mode="bilinear"),
    "interp_align_corners": lambda T, F: F.interpolate(T.arange(25.).reshape(1, 1, 5, 5),
                                                       size=(11, 13), mode="bilinear",
                                                       align_corners=True),
    "upsample_alias": lambda T, F: F.upsample(T.arange(25.).reshape(1, 1, 5, 5),
                                              scale_factor=2),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(EDGE))
def test_edge_cases_match_torch(case, torch):
    """Empty sizes, integer inputs, ceil_mode overhangs: same result (or error) as PyTorch."""
    import warnings

    fn = EDGE[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = fn(torch, torch.nn.functional)
        except Exception as e:  # noqa: BLE001 - PyTorch's error is the expected outcome
            with pytest.raises(type(e), match=re.escape(str(e))):
                fn(leafgrad, leafgrad.nn.functional)
            return
        ours = fn(leafgrad, leafgrad.nn.functional)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


GRADCHECK = {
    "conv2d": (lambda F, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2),
                                           groups=2), [(1, 4, 5, 5), (2, 2, 2, 2), (2,)]),
    "conv1d_same": (lambda F, x, w, b: F.conv1d(x, w, b, padding="same"),
                    [(2, 2, 5), (3, 2, 4), (3,)]),
    "conv_transpose2d": (lambda F, x, w, b: F.conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1, groups=2),
        [(1, 4, 3, 2), (4, 1, 3, 2), (2,)]),
    "conv3d": (lambda F, x, w: F.conv3d(x, w, stride=(1, 2, 1), padding=(0, 1, 1)),
               [(1, 1, 3, 4, 3), (2, 1, 2, 2, 2)]),
    "max_pool2d": (lambda F, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(1, 2, 5, 5)]),
    "avg_pool2d": (lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                             count_include_pad=False), [(1, 2, 5, 5)]),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, (3, 2)), [(1, 2, 5, 4)]),
    "interpolate_bicubic": (lambda F, x: F.interpolate(x, size=(5, 3), mode="bicubic"),
                            [(1, 1, 3, 4)]),
    "pad_reflect": (lambda F, x: F.pad(x, (2, 1, 1, 2), mode="reflect"), [(1, 2, 3, 4)]),
    "fold": (lambda F, x: F.fold(x, (3, 4), 2), [(1, 8, 6)]),
}


@pytest.mark.parametrize("case", sorted(GRADCHECK))
def test_gradcheck_and_gradgradcheck(case):
    """Finite differences in float64 on shapes bigger than the op database's gradcheck."""
    fn, shapes = GRADCHECK[case]
    rng = np.random.default_rng(11)
    inputs = tuple(leafgrad.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    F = leafgrad.nn.functional
    assert leafgrad.autograd.gradcheck(lambda *a: fn(F, *a), inputs, eps=1e-6, atol=1e-5,
                                       rtol=1e-3)
    assert leafgrad.autograd.gradgradcheck(lambda *a: fn(F, *a), inputs, eps=1e-6, atol=1e-5,
                                           rtol=1e-3)


BATCH_LAST = [  # batches of 8+ with small images take the (C, *K, *P, N) column layout
    ("conv2d", (9, 4, 6, 5), (6, 2, 3, 2), dict(stride=(2, 1), padding=1, dilation=(1, 2),
                                                groups=2)),
    ("conv2d", (8, 3, 5, 5), (4, 3, 3, 3), dict(padding="same")),
    ("conv1d", (10, 2, 7), (3, 2, 3), dict(stride=2, padding=2, dilation=2)),
    ("conv3d", (8, 2, 3, 4, 3), (2, 2, 2, 2, 2), dict(padding=(1, 0, 1))),
]


@pytest.mark.torch
@pytest.mark.parametrize("i", range(len(BATCH_LAST)))
def test_conv_batch_last_layout_matches_torch(torch, i):
    name, xs, ws, kw = BATCH_LAST[i]
    (x, tx), (w, tw), (b, tb) = (_pair(torch, xs, 20 + i), _pair(torch, ws, 30 + i),
                                 _pair(torch, (ws[0],), 40 + i))
    y = getattr(leafgrad.nn.functional, name)(x, w, b, **kw)
    ty = getattr(torch.nn.functional, name)(tx, tw, tb, **kw)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    v = np.random.default_rng(i).standard_normal(tuple(ty.shape))
    ours = leafgrad.autograd.grad(y, (x, w, b), leafgrad.tensor(v))
    theirs = torch.autograd.grad(ty, (tx, tw, tb), torch.tensor(v))
    for a, c in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), c.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.torch
@pytest.mark.parametrize("args", [(2,), (3, 3), (2, 1), (3, 2, 1)])
def test_max_pool_ties_without_nan_follow_torch(torch, args):
    """Many ties (small integers): the first maximum in scan order is the index."""
    a = np.random.default_rng(3).integers(0, 3, size=(2, 3, 6, 6)).astype("float32")
    x, tx = leafgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours = leafgrad.nn.functional.max_pool2d(x, *args, return_indices=True)
    theirs = torch.nn.functional.max_pool2d(tx, *args, return_indices=True)
    np.testing.assert_array_equal(ours[1].numpy(), theirs[1].numpy())
    np.testing.assert_array_equal(ours[0].detach().numpy(), theirs[0].detach().numpy())
    g = np.random.default_rng(4).standard_normal(tuple(theirs[0].shape)).astype("float32")
    ours[0].backward(leafgrad.tensor(g))
    theirs[0].backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
