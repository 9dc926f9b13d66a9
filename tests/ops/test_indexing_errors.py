"""Indexing ops against PyTorch beyond the op database: every error (same type, same
message), the view-ness of basic indexing, graph chains, and gradients at ties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import leafgrad


def _x(T):
    return T.zeros(2, 3, 4)


ERRORS = {
    # -- __getitem__ ------------------------------------------------------------------
    "int_oob": lambda T: _x(T)[5],
    "int_oob_neg": lambda T: _x(T)[-3],
    "int_oob_1d": lambda T: T.zeros(3)[5],
    "int_oob_dim1": lambda T: _x(T)[0, 3],
    "int_oob_neg_dim1": lambda T: _x(T)[0, -4],
    "int_oob_after_none": lambda T: _x(T)[None, 5],
    "int_oob_after_select": lambda T: _x(T)[0, None, 9],
    "int_oob_after_ellipsis": lambda T: _x(T)[..., 9],
    "int_oob_after_tensor": lambda T: _x(T)[:, [0], 9],
    "int_tensor_0d_oob": lambda T: _x(T)[T.tensor(5)],
    "too_many": lambda T: _x(T)[0, 0, 0, 0],
    "too_many_none": lambda T: _x(T)[None, 0, 0, 0, 0],
    "too_many_lists": lambda T: _x(T)[[0], [0], [0], [0]],
    "too_many_mask": lambda T: _x(T)[T.ones(2, 3, dtype=T.bool), 0, 0],
    "zero_dim_int": lambda T: T.tensor(1.)[0],
    "zero_dim_slice": lambda T: T.tensor(1.)[:],
    "zero_dim_list": lambda T: T.tensor(1.)[[0]],
    "zero_dim_tensor": lambda T: T.tensor(1.)[T.tensor(0)],
    "negative_step": lambda T: _x(T)[::-1],
    "negative_step_tuple": lambda T: _x(T)[:, ::-2],
    "zero_step": lambda T: _x(T)[::0],
    "float_index": lambda T: _x(T)[1.5],
    "float_in_tuple": lambda T: _x(T)[0, 1.5],
    "oob_before_float": lambda T: _x(T)[5, 1.5],
    "numpy_bool": lambda T: _x(T)[(np.True_,)],
    "str_index": lambda T: _x(T)["a"],
    "set_index": lambda T: _x(T)[{0}],
    "float_tensor": lambda T: _x(T)[T.tensor([1.])],
    "float_tensor_0d": lambda T: _x(T)[T.tensor(1.)],
    "int16_tensor": lambda T: _x(T)[T.tensor([0, 1], dtype=T.int16)],
    "float_list_oob": lambda T: _x(T)[[2.5]],
    "list_oob": lambda T: _x(T)[[5]],
    "list_oob_neg": lambda T: _x(T)[[-3]],
    "tensor_oob_2d": lambda T: _x(T)[T.tensor([[0, 5]])],
    "tensor_oob_dim1": lambda T: _x(T)[:, [0, 7]],
    "tensor_oob_second": lambda T: _x(T)[[0], [9]],
    "tensor_oob_after_none": lambda T: _x(T)[None, [0], [7]],
    "tensor_oob_after_mask": lambda T: _x(T)[T.ones(2, 3, dtype=T.bool), [9]],
    "tensor_oob_first_of_two": lambda T: _x(T)[[9], [9]],
    "broadcast": lambda T: _x(T)[T.tensor([0, 1]), T.tensor([0, 1, 2])],
    "broadcast_mask": lambda T: _x(T)[[True, True], [0, 1, 2]],
    "mask_shape_1d": lambda T: T.zeros(2)[T.tensor([True, False, True])],
    "mask_shape": lambda T: _x(T)[T.tensor([True, False, True])],
    "mask_shape_list": lambda T: _x(T)[[True]],
    "mask_shape_dim1": lambda T: _x(T)[:, T.ones(2, 4, dtype=T.bool)],
    "mask_shape_after_select": lambda T: _x(T)[0, T.ones(2, 4, dtype=T.bool)],
    "mask_shape_second": lambda T: _x(T)[T.ones(2, 3, dtype=T.bool), T.ones(3, dtype=T.bool)],
    "mask_shape_last": lambda T: _x(T)[:, :, T.tensor([True, False])],
    # -- gather / scatter ---------------------------------------------------------------
    "gather_float_index": lambda T: T.zeros(3, 4).gather(0, T.zeros(1, 1)),
    "gather_ndim": lambda T: T.zeros(3, 4).gather(0, T.tensor([0, 1])),
    "gather_oob": lambda T: T.zeros(3, 4).gather(0, T.tensor([[5, 0]])),
    "gather_oob_neg": lambda T: T.zeros(3, 4).gather(0, T.tensor([[-1, 0]])),
    "gather_oob_dim1": lambda T: T.zeros(3, 4).gather(1, T.tensor([[0, 4]])),
    "gather_size": lambda T: T.zeros(3, 4).gather(0, T.zeros(2, 5, dtype=T.int64)),
    "gather_size_dim1": lambda T: T.zeros(3, 4).gather(1, T.zeros(4, 2, dtype=T.int64)),
    "gather_dim": lambda T: T.zeros(3, 4).gather(2, T.zeros(1, 1, dtype=T.int64)),
    "gather_0d_oob": lambda T: T.tensor(2.).gather(0, T.tensor([1])),
    "gather_list": lambda T: T.gather(T.zeros(3), 0, [0]),
    "take_list": lambda T: T.take(T.zeros(3), [0]),
    "index_select_list": lambda T: T.index_select(T.zeros(3), 0, [0]),
    "index_add_list": lambda T: T.index_add(T.zeros(3), 0, T.tensor([0]), [0]),
    "scatter_add_list": lambda T: T.scatter_add(T.zeros(3), 0, T.tensor([0]), [0]),
    "masked_select_list": lambda T: T.masked_select(T.zeros(3), [True]),
    "masked_scatter_list": lambda T: T.masked_scatter(T.zeros(3), T.tensor([True]), [0]),
    "take_along_dim_list": lambda T: T.take_along_dim(T.zeros(3), [0]),
    "scatter_float_index": lambda T: T.zeros(3, 4).scatter(0, T.zeros(1, 1), T.zeros(1, 1)),
    "scatter_value_float_index": lambda T: T.zeros(3, 4).scatter(0, T.zeros(1, 1), 1.),
    "scatter_src_dtype": lambda T: T.zeros(3, 4).scatter(
        0, T.zeros(1, 1, dtype=T.int64), T.zeros(1, 1, dtype=T.float64)),
    "scatter_src_small": lambda T: T.zeros(3, 4).scatter(
        0, T.zeros(2, 4, dtype=T.int64), T.zeros(1, 4)),
    "scatter_self_small": lambda T: T.zeros(3, 4).scatter(
        0, T.zeros(2, 5, dtype=T.int64), T.zeros(2, 5)),
    "scatter_oob": lambda T: T.zeros(3, 4).scatter(0, T.tensor([[5, 0]]), T.zeros(3, 4)),
    "scatter_ndim": lambda T: T.zeros(3, 4).scatter(0, T.tensor([0, 1]), T.zeros(3, 4)),
    "scatter_src_ndim": lambda T: T.zeros(3, 4).scatter(0, T.tensor([[0]]), T.tensor(2.)),
    "scatter_reduce_legacy": lambda T: T.zeros(3, 4).scatter(
        0, T.tensor([[0]]), T.zeros(1, 1), reduce="mean"),
    "scatter_add_oob": lambda T: T.zeros(3, 4).scatter_add(0, T.tensor([[5, 0]]), T.zeros(3, 4)),
    "scatter_add_dtype": lambda T: T.zeros(3, 4).scatter_add(
        0, T.tensor([[0]]), T.zeros(1, 1, dtype=T.float64)),
    "scatter_add_float_index": lambda T: T.zeros(3, 4).scatter_add(
        0, T.zeros(1, 1), T.zeros(1, 1)),
    "scatter_reduce_name": lambda T: T.zeros(3, 4).scatter_reduce(
        0, T.tensor([[0]]), T.zeros(1, 1), "foo"),
    "scatter_reduce_dtype": lambda T: T.zeros(3, 4).scatter_reduce(
        0, T.tensor([[0]]), T.zeros(1, 1, dtype=T.float64), "sum"),
    "scatter_reduce_oob": lambda T: T.zeros(3, 4).scatter_reduce(
        0, T.tensor([[3]]), T.zeros(1, 1), "amax"),
    # -- index_* ------------------------------------------------------------------------
    "index_select_float": lambda T: T.zeros(3, 4).index_select(0, T.tensor([0.])),
    "index_select_2d": lambda T: T.zeros(3, 4).index_select(0, T.tensor([[0, 1]])),
    "index_select_oob": lambda T: T.zeros(3, 4).index_select(0, T.tensor([5])),
    "index_select_neg": lambda T: T.zeros(3, 4).index_select(0, T.tensor([-1])),
    "index_select_0d": lambda T: T.tensor(2.).index_select(0, T.tensor([0, 0])),
    "index_select_dim": lambda T: T.zeros(3, 4).index_select(2, T.tensor([0])),
    "index_add_oob": lambda T: T.zeros(3, 4).index_add(0, T.tensor([5]), T.zeros(1, 4)),
    "index_add_neg": lambda T: T.zeros(3).index_add(0, T.tensor([-1]), T.tensor([1.])),
    "index_add_count": lambda T: T.zeros(3, 4).index_add(0, T.tensor([0]), T.zeros(2, 4)),
    "index_add_dtype": lambda T: T.zeros(3, 4).index_add(
        0, T.tensor([0]), T.zeros(1, 4, dtype=T.float64)),
    "index_add_float_index": lambda T: T.zeros(3, 4).index_add(0, T.tensor([0.]), T.zeros(1, 4)),
    "index_add_2d_index": lambda T: T.zeros(3, 4).index_add(0, T.tensor([[0]]), T.zeros(1, 4)),
    "index_add_shape": lambda T: T.zeros(3, 4).index_add(0, T.tensor([0]), T.zeros(1, 5)),
    "index_add_ndim": lambda T: T.zeros(3, 4).index_add(0, T.tensor([0]), T.zeros(4)),
    "index_add_0d_source": lambda T: T.zeros(3).index_add(0, T.tensor([1]), T.tensor(3.)),
    "index_copy_oob": lambda T: T.zeros(3, 4).index_copy(0, T.tensor([5]), T.zeros(1, 4)),
    "index_copy_neg": lambda T: T.zeros(3).index_copy(0, T.tensor([-1]), T.tensor([1.])),
    "index_copy_count": lambda T: T.zeros(3, 4).index_copy(0, T.tensor([0]), T.zeros(2, 4)),
    "index_copy_dtype": lambda T: T.zeros(3, 4).index_copy(
        0, T.tensor([0]), T.zeros(1, 4, dtype=T.float64)),
    "index_copy_int32": lambda T: T.zeros(3, 4).index_copy(
        0, T.tensor([0], dtype=T.int32), T.zeros(1, 4)),
    "index_copy_2d": lambda T: T.zeros(3).index_copy(0, T.tensor([[0]]), T.tensor([1.])),
    "index_copy_shape": lambda T: T.zeros(3, 4).index_copy(0, T.tensor([0]), T.zeros(1, 5)),
    "index_copy_ndim": lambda T: T.zeros(3, 4).index_copy(0, T.tensor([0]), T.zeros(4)),
    "index_fill_oob": lambda T: T.zeros(3, 4).index_fill(0, T.tensor([5]), 1.),
    "index_fill_oob_neg": lambda T: T.zeros(3).index_fill(0, T.tensor([-4]), 1.),
    "index_fill_int32": lambda T: T.zeros(3).index_fill(0, T.tensor([0], dtype=T.int32), 1.),
    "index_fill_value_1d": lambda T: T.zeros(3).index_fill(0, T.tensor([0]), T.tensor([1.])),
    "index_fill_2d": lambda T: T.zeros(3).index_fill(0, T.tensor([[0]]), 1.),
    # -- masked_* -----------------------------------------------------------------------
    "masked_fill_float_mask": lambda T: T.zeros(3).masked_fill(T.zeros(3), 1.),
    "masked_fill_uint8_mask": lambda T: T.zeros(3).masked_fill(T.zeros(3, dtype=T.uint8), 1.),
    "masked_fill_value_1d": lambda T: T.zeros(3).masked_fill(
        T.tensor([True, False, True]), T.tensor([1.])),
    "masked_fill_broadcast": lambda T: T.zeros(3, 4).masked_fill(T.ones(5, dtype=T.bool), 1.),
    "masked_fill_broadcast_big": lambda T: T.zeros(5).masked_fill(T.ones(3, 4, dtype=T.bool),
                                                                  1.),
    "masked_select_float": lambda T: T.zeros(3).masked_select(T.zeros(3)),
    "masked_select_broadcast": lambda T: T.zeros(3, 4).masked_select(T.ones(5, dtype=T.bool)),
    "masked_scatter_float": lambda T: T.zeros(3).masked_scatter(T.zeros(3), T.zeros(3)),
    "masked_scatter_dtype": lambda T: T.zeros(3).masked_scatter(
        T.ones(3, dtype=T.bool), T.zeros(3, dtype=T.float64)),
    "masked_scatter_small": lambda T: T.zeros(3, 4).masked_scatter(
        T.ones(3, 4, dtype=T.bool), T.zeros(5)),
    "masked_scatter_broadcast": lambda T: T.zeros(5).masked_scatter(
        T.ones(3, 4, dtype=T.bool), T.zeros(20)),
    # -- take / take_along_dim ----------------------------------------------------------
    "take_oob": lambda T: T.zeros(3, 4).take(T.tensor([12])),
    "take_oob_neg": lambda T: T.zeros(3, 4).take(T.tensor([-13])),
    "take_int32": lambda T: T.zeros(3).take(T.tensor([1], dtype=T.int32)),
    "take_float": lambda T: T.zeros(3).take(T.tensor([1.])),
    "take_empty": lambda T: T.zeros(0).take(T.tensor([0])),
    "take_along_dim_int32": lambda T: T.zeros(3, 4).take_along_dim(
        T.tensor([[0]], dtype=T.int32), 0),
    "take_along_dim_ndim": lambda T: T.zeros(3, 4).take_along_dim(T.tensor([0]), 0),
    "take_along_dim_broadcast": lambda T: T.zeros(3, 1).take_along_dim(
        T.zeros(2, 4, dtype=T.int64), 1),
    "take_along_dim_0d": lambda T: T.tensor(1.).take_along_dim(T.tensor(0), 0),
    # -- sort family --------------------------------------------------------------------
    "sort_dim": lambda T: T.zeros(3, 4).sort(2),
    "argsort_dim": lambda T: T.zeros(3, 4).argsort(-3),
    "topk_k": lambda T: T.zeros(3, 4).topk(5),
    "topk_k_neg": lambda T: T.zeros(3, 4).topk(-1),
    "topk_k_float": lambda T: T.zeros(3, 4).topk(1.0),
    "kthvalue_k": lambda T: T.zeros(3, 4).kthvalue(5),
    "kthvalue_k0": lambda T: T.zeros(3, 4).kthvalue(0, 0),
    "kthvalue_empty": lambda T: T.zeros(0).kthvalue(1),
    "searchsorted_shapes": lambda T: T.searchsorted(T.zeros(2, 3), T.zeros(3, 3)),
    "searchsorted_side": lambda T: T.searchsorted(T.zeros(3), T.zeros(3), side="x"),
    "searchsorted_side_right": lambda T: T.searchsorted(T.zeros(3), T.zeros(3), side="left",
                                                        right=True),
    "unique_dim_range": lambda T: T.unique(T.zeros(3, 4), dim=3),
    "unique_dim_zeros": lambda T: T.unique(T.zeros(0, 0), dim=0),
    "unique_dim_unselected": lambda T: T.unique(T.zeros(2, 0), dim=0),
    # -- backward errors ----------------------------------------------------------------
    "scatter_legacy_backward": lambda T: _grad_of(
        T, lambda x: x.scatter(0, T.tensor([[0]]), 2., reduce="add")),
    "unique_backward": lambda T: _grad_of(T, lambda x: T.unique(x)),
    "unique_dim_backward": lambda T: _grad_of(T, lambda x: T.unique(x, dim=0)),
}


def _grad_of(T, f):
    x = T.ones(2, 2, requires_grad=True)
    return T.autograd.grad(f(x).sum(), x)


def _raise(fn, T):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(T)
    return info.value


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_matches_torch(case, torch):
    fn = ERRORS[case]
    theirs = _raise(fn, torch)
    ours = _raise(fn, leafgrad)
    assert type(ours) is type(theirs), f"{case}: {type(ours).__name__}: {ours} " \
                                       f"!= torch's {type(theirs).__name__}: {theirs}"
    expected = str(theirs).replace("torch.", "leafgrad.")
    assert str(ours) == expected


# -- view-ness and graph chains of basic indexing ------------------------------------------
INDICES = [
    0, -1, (0, 1), slice(1, None), slice(None), slice(0, 2), slice(None, None, 2),
    (slice(None),), (slice(0, 2),), (slice(-10, 10),), (slice(None), 0), None, (None,),
    Ellipsis, (Ellipsis, None), (Ellipsis, 1), (slice(None), None, 0), (0, None, 0),
    (slice(1, None), None, Ellipsis), (), (None, None), (0, Ellipsis, 0, Ellipsis),
    (slice(None), None, 0, None), (slice(0, 3), slice(0, 3), slice(0, 3)),
    [0, 1], (0, [0, 1], 0), ([0, 1], None, [1, 2]), True, (True, 0), False, (0, False),
    (slice(1, None), [0, 2]), ([0, 1], slice(None), 0), (slice(None), [True, False, True]),
    ([1, 0, 1],), ([0, 1], Ellipsis, [1, 2]), [1.7, 0.2], [True, 0], "mask", "index0d",
    "index0d_int32", "bool0d", "uint8_0d",
]


def _index(T, idx):
    if idx == "mask":
        return T.tensor([[True, False, True], [False, False, True]])
    if idx == "index0d":
        return T.tensor(1)
    if idx == "index0d_int32":
        return (slice(None), T.tensor(2, dtype=T.int32))
    if idx == "bool0d":
        return T.tensor(True)
    if idx == "uint8_0d":
        return T.tensor(1, dtype=T.uint8)
    return idx


def _chain(y) -> list:
    names, f = [], y.grad_fn
    while f is not None and "AccumulateGrad" not in f.name():
        names.append(f.name())
        f = f.next_functions[0][0]
    return names


@pytest.mark.torch
@pytest.mark.parametrize("idx", INDICES, ids=[repr(i) for i in INDICES])
def test_basic_views_and_chains_match_torch(idx, torch):
    data = np.arange(24.).reshape(2, 3, 4)
    results = []
    for T in (torch, leafgrad):
        x = T.tensor(data, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x[_index(T, idx)]
        results.append((tuple(y.shape), y._is_view(), _chain(y),
                        y.detach().numpy().copy()))
        if y._is_view():
            assert y._base is x
    (ts, tv, tc, td), (ls, lv, lc, ld) = results
    assert ls == ts
    assert lv == tv
    assert lc == tc
    np.testing.assert_array_equal(ld, td)


@pytest.mark.parametrize("idx", [0, slice(1, None), (slice(None), None, 1), (Ellipsis, 2),
                                 (1, slice(None, None, 2)), ()])
def test_basic_index_shares_memory_and_version(idx):
    x = leafgrad.tensor(np.arange(24.).reshape(2, 3, 4))
    y = x[idx]
    assert y._is_view() and y._base is x
    assert y._vc is x._vc
    y.numpy()[...] = -1.0  # writing through the view is seen in the base
    assert (x.numpy()[idx] == -1.0).all()
    z = y[...]  # a view of a view hangs on the root
    assert z._base is x


def test_advanced_index_copies():
    x = leafgrad.tensor(np.arange(6.))
    y = x[[0, 1]]
    assert not y._is_view() and y._base is None
    y.numpy()[...] = 9.0
    assert x.numpy()[0] == 0.0


def test_no_grad_basic_index_is_still_a_view():
    x = leafgrad.tensor(np.arange(24.).reshape(2, 3, 4), requires_grad=True)
    with leafgrad.no_grad():
        y = x[1:, None, 0]
    assert y._is_view() and y._base is x and y.grad_fn is None and not y.requires_grad
    assert np.shares_memory(y.numpy(), x.detach().numpy())


def test_saved_attributes_match_torch_names(torch):
    for T in (torch, leafgrad):
        x = T.zeros(2, 3, 4, requires_grad=True)
        sel = x[1:, None, 0].grad_fn
        assert (sel._saved_dim, sel._saved_index, tuple(sel._saved_self_sym_sizes)) == \
            (2, 0, (1, 1, 3, 4))
        sl = x[:, 1:3:2].grad_fn
        assert (sl._saved_dim, sl._saved_start, sl._saved_end, sl._saved_step) == (1, 1, 3, 2)
        ix = x[[0, 1], :, [1, 1]].grad_fn
        assert ix._saved_indices[1] is None and len(ix._saved_indices) == 3
        assert tuple(ix._saved_self_sym_sizes) == (2, 3, 4)


# -- gradients vs PyTorch where finite differences cannot check them ---------------------
def _grad_pair(torch, fn, data, *extra):
    out = []
    for T in (torch, leafgrad):
        x = T.tensor(data, requires_grad=True)
        y = fn(T, x, *extra)
        g = T.tensor(np.linspace(-1, 1, int(np.prod(y.shape))).reshape(tuple(y.shape)))
        (gx,) = T.autograd.grad(y, x, g)
        out.append(gx.numpy())
    return out


@pytest.mark.torch
@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_gradient_with_ties(torch, descending):
    data = np.array([[1., 3., 3., 2., 3., 1.], [0., 0., 2., 0., 2., 1.]])
    a, b = _grad_pair(torch, lambda T, x: T.sort(x, dim=1, stable=True,
                                                 descending=descending).values, data)
    np.testing.assert_allclose(a, b)


@pytest.mark.torch
@pytest.mark.parametrize("reduce", ["amax", "amin", "mean", "prod"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_gradient_with_ties_and_zeros(torch, reduce, include_self):
    data = np.array([[1., 2., 0.], [2., 2., 0.], [1., 0., 3.]])
    index = np.array([[0, 1, 0], [0, 1, 0], [1, 0, 0]])
    src = np.array([[2., 2., 0.], [1., 2., 5.], [2., 0., 0.]])
    grads = []
    for T in (torch, leafgrad):
        x = T.tensor(data, requires_grad=True)
        s = T.tensor(src, requires_grad=True)
        y = x.scatter_reduce(0, T.tensor(index), s, reduce, include_self=include_self)
        g = T.tensor(np.linspace(-1, 1, 9).reshape(3, 3))
        grads.append([t.numpy() for t in T.autograd.grad(y, (x, s), g)])
    for a, b in zip(*grads):
        np.testing.assert_allclose(b, a)


@pytest.mark.torch
def test_getitem_repeated_indices_accumulate_and_double_backward(torch):
    res = []
    for T in (torch, leafgrad):
        x = T.tensor([1., 2., 3.], requires_grad=True)
        y = (x[[0, 0, 2, 0]] ** 2).sum()
        (g,) = T.autograd.grad(y, x, create_graph=True)
        (gg,) = T.autograd.grad((g * T.tensor([1., 2., 3.])).sum(), x)
        res.append((g.detach().numpy().copy(), gg.numpy().copy()))
    np.testing.assert_allclose(res[1][0], res[0][0])
    np.testing.assert_allclose(res[1][1], res[0][1])


# -- return types ------------------------------------------------------------------------
@pytest.mark.torch
def test_return_types_match_torch(torch):
    for name, call in [("sort", lambda T, x: T.sort(x)), ("topk", lambda T, x: T.topk(x, 2)),
                       ("kthvalue", lambda T, x: T.kthvalue(x, 2))]:
        r_t = call(torch, torch.tensor([3., 1., 2.]))
        r_l = call(leafgrad, leafgrad.tensor([3., 1., 2.]))
        assert type(r_l).__name__ == type(r_t).__name__ == name
        assert isinstance(r_l, tuple) and len(r_l) == len(r_t) == 2
        values, indices = r_l
        assert values is r_l.values and indices is r_l.indices
        np.testing.assert_array_equal(r_l.values.numpy(), r_t.values.numpy())
        np.testing.assert_array_equal(r_l.indices.numpy(), r_t.indices.numpy())
        assert r_l.indices.dtype == leafgrad.int64 and not r_l.indices.requires_grad
        assert repr(r_l).startswith(f"leafgrad.return_types.{name}(\nvalues=")
    from leafgrad.return_types import sort

    assert sort is type(leafgrad.sort(leafgrad.tensor([1.]))) is leafgrad.return_types.sort


# -- integer and bool inputs (the op database draws floats) ------------------------------
def _ints(T):
    return T.tensor([[3, -1, 2, 7], [0, 5, -4, 1], [6, 2, 9, -3]])


def _big(T):  # _ints(T) > 1, without needing comparison ops
    return T.tensor([[True, False, True, True], [False, True, False, False],
                     [True, True, True, False]])


def _bools(T):
    return T.tensor([[True, False, True, True], [False, False, True, False]])


FORWARD = {
    "getitem_int": lambda T: _ints(T)[1:, [0, 2]],
    "getitem_bool": lambda T: _bools(T)[:, 1:][_bools(T)[:, :3]],
    "gather_int": lambda T: _ints(T).gather(1, T.tensor([[0, 0], [3, 1], [2, 2]])),
    "gather_int32_index": lambda T: _ints(T).gather(0, T.tensor([[0, 2, 1, 0]],
                                                                dtype=T.int32)),
    "scatter_int_float_value": lambda T: _ints(T).scatter(1, T.tensor([[0], [1], [2]]), 2.7),
    "scatter_add_int": lambda T: _ints(T).scatter_add(0, T.tensor([[0, 0, 2, 2]]),
                                                      T.tensor([[1, 2, 3, 4]])),
    "scatter_reduce_int_mean": lambda T: _ints(T).scatter_reduce(
        0, T.tensor([[0, 1, 2, 0], [1, 2, 0, 1]]), T.tensor([[-7, 1, 2, 3], [4, 5, 6, 7]]),
        "mean"),
    "scatter_reduce_int_mean_excl": lambda T: _ints(T).scatter_reduce(
        0, T.tensor([[0, 1, 2, 0], [1, 2, 0, 1]]), T.tensor([[-7, 1, 2, 3], [4, 5, 6, 7]]),
        "mean", include_self=False),
    "scatter_reduce_int_amax_excl": lambda T: _ints(T).scatter_reduce(
        1, T.tensor([[0, 0], [3, 3], [1, 1]]), T.tensor([[-9, -8], [-5, -6], [4, 4]]),
        "amax", include_self=False),
    "scatter_reduce_int_amin_excl": lambda T: _ints(T).scatter_reduce(
        1, T.tensor([[0, 0], [3, 3], [1, 1]]), T.tensor([[9, 8], [5, 6], [4, 4]]),
        "amin", include_self=False),
    "scatter_reduce_prod": lambda T: _ints(T).scatter_reduce(
        1, T.tensor([[0, 0], [3, 3], [1, 1]]), T.tensor([[9, 8], [5, 6], [4, 4]]), "prod"),
    "scatter_legacy_multiply": lambda T: _ints(T).scatter(
        1, T.tensor([[0, 0], [3, 3], [1, 1]]), T.tensor([[9, 8], [5, 6], [4, 4]]),
        reduce="multiply"),
    "scatter_legacy_add_value": lambda T: T.zeros(2, 3).scatter(
        1, T.tensor([[0, 0], [2, 2]]), 1.5, reduce="add"),
    "index_select_int": lambda T: _ints(T).index_select(1, T.tensor([3, 0, 3])),
    "index_add_int_alpha": lambda T: _ints(T).index_add(0, T.tensor([2, 2]),
                                                        T.ones(2, 4, dtype=T.int64), alpha=3),
    "index_copy_int": lambda T: _ints(T).index_copy(1, T.tensor([1]), T.zeros(3, 1,
                                                                          dtype=T.int64)),
    "index_fill_bool": lambda T: _bools(T).index_fill(1, T.tensor([0, -1]), True),
    "index_fill_int_float": lambda T: _ints(T).index_fill(0, T.tensor([1]), -2.7),
    "masked_fill_int_float": lambda T: _ints(T).masked_fill(_big(T), 2.7),
    "masked_fill_bool": lambda T: _bools(T).masked_fill(T.tensor([True, False, False, True]),
                                                        0.5),
    "masked_fill_int_tensor": lambda T: T.zeros(3).masked_fill(T.tensor([True, False, True]),
                                                               T.tensor(3)),
    "masked_select_int": lambda T: _ints(T).masked_select(_big(T)),
    "masked_scatter_int": lambda T: _ints(T).masked_scatter(_big(T),
                                                           T.arange(20).reshape(4, 5)),
    "take_int": lambda T: _ints(T).take(T.tensor([[0, -1], [5, 11]])),
    "take_along_dim_int": lambda T: _ints(T).take_along_dim(T.tensor([[0], [3], [1]]), 1),
    "nonzero_int": lambda T: _ints(T).nonzero(),
    "nonzero_bool_tuple": lambda T: _bools(T).nonzero(as_tuple=True),
    "nonzero_0d": lambda T: T.tensor(0.).nonzero(),
    "nonzero_0d_tuple": lambda T: T.tensor(2.).nonzero(as_tuple=True),
    "argwhere_bool": lambda T: _bools(T).argwhere(),
    "sort_int_desc": lambda T: _ints(T).sort(0, descending=True),
    "sort_bool": lambda T: _bools(T).sort(stable=True),
    "sort_nan": lambda T: T.tensor([float("nan"), 1., float("nan"), 0.]).sort(descending=True),
    "sort_nan_asc": lambda T: T.tensor([float("nan"), 1., float("nan"), 0.]).sort(),
    "argsort_int": lambda T: _ints(T).argsort(descending=True),
    "topk_int": lambda T: _ints(T).topk(2, largest=False),
    "topk_nan": lambda T: T.tensor([float("nan"), 1., 0.]).topk(2),
    "topk_0d_k0": lambda T: T.tensor(3.).topk(0),
    "kthvalue_int": lambda T: _ints(T).kthvalue(2, 0, keepdim=True),
    "kthvalue_0d": lambda T: T.tensor(2.).kthvalue(1, keepdim=True),
    "msort_int": lambda T: _ints(T).msort(),
    "searchsorted_int": lambda T: T.searchsorted(T.tensor([1, 2, 4]), T.tensor([[0, 2], [3, 9]])),
    "searchsorted_out_int32": lambda T: T.searchsorted(T.tensor([1., 2.]), T.tensor([1.5]),
                                                       out_int32=True),
    "searchsorted_sorter": lambda T: T.searchsorted(T.tensor([3., 1., 2.]), T.tensor([1.5]),
                                                    sorter=T.tensor([1, 2, 0])),
    "searchsorted_2d_right": lambda T: T.searchsorted(
        T.arange(6.).reshape(2, 3), T.tensor([[1.5], [4.]]), right=True),
    "searchsorted_empty": lambda T: T.searchsorted(T.zeros(0), T.tensor([1., 2.])),
    "unique_bool": lambda T: T.unique(_bools(T), return_counts=True),
    "unique_int_dim": lambda T: T.unique(T.tensor([[1, 2], [1, 2], [0, 3]]), dim=0,
                                         return_inverse=True, return_counts=True),
    "unique_0d": lambda T: T.unique(T.tensor(2.), return_inverse=True),
    "unique_empty": lambda T: T.unique(T.zeros(0)),
    "unique_dim_empty": lambda T: T.unique(T.zeros(0, 2), dim=0, return_inverse=True),
    "index_select_0d": lambda T: T.tensor(2.).index_select(0, T.tensor([0])),
    "gather_0d_1d_index": lambda T: T.tensor(2.).gather(0, T.tensor([0, 0])),
    "scatter_add_0d_index": lambda T: T.zeros(3).scatter_add(0, T.tensor(1), T.tensor(5.)),
    "index_add_0d": lambda T: T.tensor(2.).index_add(0, T.tensor([0]), T.tensor(3.)),
    "index_copy_0d_index": lambda T: T.zeros(3).index_copy(0, T.tensor(1), T.tensor(3.)),
    "take_along_dim_0d": lambda T: T.tensor(2.).take_along_dim(T.tensor(0)),
    "masked_select_0d": lambda T: T.tensor(2.).masked_select(T.tensor(True)),
    "getitem_uint8_mask": lambda T: _ints(T)[T.tensor([1, 0, 1], dtype=T.uint8)],
    "getitem_numpy_index": lambda T: _ints(T)[np.array([0, 2]), np.int64(1)],
    "getitem_tuple_in_tuple": lambda T: _ints(T)[(0, 2), ],
    "getitem_range": lambda T: _ints(T)[:, range(1, 3)],
    "getitem_mask_after_ellipsis": lambda T: _ints(T)[None, ..., [True, False, True, False]],
    "getitem_int32_tensor": lambda T: _ints(T)[T.tensor([2, -1], dtype=T.int32)],
}


def _flat(v):
    if isinstance(v, (tuple, list)):
        return [u for w in v for u in _flat(w)]
    return [v]


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(FORWARD))
def test_forward_matches_torch(case, torch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _flat(FORWARD[case](torch))
        ours = _flat(FORWARD[case](leafgrad))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.torch
def test_deprecation_warnings_match_torch(torch):
    for T in (torch, leafgrad):
        x = T.zeros(3, 4)
        with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional"):
            x[[0, slice(None)]]
        with pytest.warns(UserWarning, match="uint8 is now deprecated"):
            x[T.tensor([1, 0, 1], dtype=T.uint8)]
