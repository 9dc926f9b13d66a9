"""Shape ops against PyTorch beyond the op database: every error (same type, same message),
the deprecation warnings, and graph details (node chains, saved attributes)."""

from __future__ import annotations

import warnings

import pytest

import leafgrad


def _x(T):
    return T.zeros(2, 3, 4)


def _s(T):
    return T.tensor(1.)


ERRORS = {
    # -- view / reshape / flatten / unflatten -------------------------------------------
    "view_two_inferred": lambda T: _x(T).view(-1, -1),
    "view_bad_numel": lambda T: _x(T).view(5, -1),
    "view_bad_numel_no_infer": lambda T: _x(T).view(5, 5),
    "view_negative": lambda T: _x(T).view(-2, 12),
    "view_zero_infer": lambda T: _x(T).view(0, -1),
    "view_empty_ambiguous": lambda T: T.zeros(0, 3).view(0, -1),
    "view_empty_ambiguous2": lambda T: T.zeros(0, 3).view(-1, 0),
    "view_not_viewable": lambda T: _x(T).transpose(0, 1).view(-1),
    "view_not_viewable_slice": lambda T: _x(T)[:, :2].view(-1),
    "view_dtype_0d": lambda T: _s(T).view(T.float16),
    "view_dtype_stride": lambda T: T.zeros(3, 2).t().view(T.float16),
    "view_dtype_divisible": lambda T: T.zeros(3, dtype=T.uint8).view(T.float32),
    "view_dtype_stride_uint8": lambda T: T.zeros(4, dtype=T.uint8)[::2].view(T.int16),
    "reshape_bad_numel": lambda T: _x(T).reshape(7),
    "reshape_two_inferred": lambda T: _x(T).reshape(-1, 2, -1),
    "reshape_float_in_tuple": lambda T: _x(T).reshape((2.5,)),
    "reshape_float": lambda T: _x(T).reshape(2.5),
    "reshape_as_bad": lambda T: _x(T).reshape_as(T.zeros(5)),
    "view_as_bad": lambda T: _x(T).view_as(T.zeros(5)),
    "view_as_not_viewable": lambda T: _x(T).mT.view_as(T.zeros(24)),
    "flatten_order": lambda T: _x(T).flatten(2, 0),
    "flatten_oob": lambda T: _x(T).flatten(3),
    "flatten_oob_end": lambda T: _x(T).flatten(0, -4),
    "flatten_0d_oob": lambda T: _s(T).flatten(1),
    "unflatten_empty": lambda T: _x(T).unflatten(1, ()),
    "unflatten_bad_product": lambda T: _x(T).unflatten(1, (2, 2)),
    "unflatten_bad_infer": lambda T: _x(T).unflatten(1, (-1, 2)),
    "unflatten_zero_infer": lambda T: _x(T).unflatten(1, (0, -1)),
    "unflatten_oob": lambda T: _x(T).unflatten(3, (1, 4)),
    # -- squeeze / unsqueeze / permute / transpose / t / movedim -------------------------
    "squeeze_oob": lambda T: _x(T).squeeze(3),
    "squeeze_repeated": lambda T: _x(T).squeeze((0, 0)),
    "squeeze_repeated_neg": lambda T: _x(T).squeeze((1, -2)),
    "squeeze_tuple_oob": lambda T: _x(T).squeeze((0, 5)),
    "unsqueeze_oob": lambda T: _x(T).unsqueeze(4),
    "unsqueeze_oob_neg": lambda T: _x(T).unsqueeze(-5),
    "unsqueeze_0d_oob": lambda T: _s(T).unsqueeze(2),
    "permute_count": lambda T: _x(T).permute(0, 1),
    "permute_count_fn": lambda T: T.permute(_x(T), (0, 1, 2, 3)),
    "permute_duplicate": lambda T: _x(T).permute(0, 1, 1),
    "permute_duplicate_neg": lambda T: _x(T).permute(0, 1, -2),
    "permute_oob": lambda T: _x(T).permute(0, 1, 3),
    "transpose_oob": lambda T: _x(T).transpose(0, 3),
    "transpose_oob_neg": lambda T: _x(T).transpose(-4, 0),
    "swapaxes_oob": lambda T: T.swapaxes(_x(T), 0, 3),
    "swapdims_oob": lambda T: _x(T).swapdims(5, 0),
    "t_3d": lambda T: _x(T).t(),
    "t_fn_4d": lambda T: T.t(T.zeros(1, 1, 1, 1)),
    "mT_1d": lambda T: T.ones(3).mT,
    "mH_1d": lambda T: T.ones(3).mH,
    "movedim_count": lambda T: _x(T).movedim((0, 1), (1,)),
    "movedim_repeated_source": lambda T: _x(T).movedim((0, 0), (1, 2)),
    "movedim_repeated_dest": lambda T: _x(T).movedim((0, 1), (2, 2)),
    "movedim_repeated_neg": lambda T: _x(T).movedim((0, -3), (1, 2)),
    "movedim_oob": lambda T: _x(T).movedim(0, 3),
    "movedim_oob_source": lambda T: T.movedim(_x(T), -4, 0),
    "movedim_0d_oob": lambda T: _s(T).movedim(1, 0),
    "moveaxis_oob": lambda T: T.moveaxis(_x(T), 0, 3),
    # -- expand / broadcast ----------------------------------------------------------------
    "expand_too_few": lambda T: _x(T).expand(2, 3),
    "expand_leading_negative": lambda T: _x(T).expand(-1, 2, 3, 4),
    "expand_mismatch": lambda T: _x(T).expand(2, 3, 5),
    "expand_negative": lambda T: _x(T).expand(2, 3, -2),
    "expand_negative_on_one": lambda T: T.zeros(1).expand(-2),
    "expand_as_mismatch": lambda T: _x(T).expand_as(T.zeros(3)),
    "broadcast_to_mismatch": lambda T: T.broadcast_to(_x(T), (3, 4)),
    "broadcast_to_bad": lambda T: T.broadcast_to(T.zeros(3), (2, 2)),
    "broadcast_tensors_mismatch": lambda T: T.broadcast_tensors(T.zeros(3), T.zeros(2)),
    "broadcast_tensors_three": lambda T: T.broadcast_tensors(T.zeros(3), T.zeros(1),
                                                             T.zeros(2, 4)),
    "broadcast_tensors_list": lambda T: T.broadcast_tensors([T.zeros(3), T.zeros(2, 1)]),
    "broadcast_shapes_mismatch": lambda T: T.broadcast_shapes((2, 3), (4,)),
    "broadcast_shapes_mismatch_mid": lambda T: T.broadcast_shapes((2, 1, 3), (5, 1), (4, 1)),
    "broadcast_shapes_negative": lambda T: T.broadcast_shapes((2, -1)),
    "broadcast_shapes_negative_int": lambda T: T.broadcast_shapes(-1),
    # -- repeat / tile / flip / roll -------------------------------------------------------
    "repeat_too_few": lambda T: _x(T).repeat(2, 2),
    "repeat_negative": lambda T: _x(T).repeat(-1, 2, 2),
    "repeat_none": lambda T: _x(T).repeat(),
    "tile_negative": lambda T: _x(T).tile(-1),
    "flip_repeated": lambda T: _x(T).flip(0, 0),
    "flip_repeated_neg": lambda T: _x(T).flip((2, -1)),
    "flip_oob": lambda T: _x(T).flip(3),
    "flip_none": lambda T: _x(T).flip(),
    "fliplr_1d": lambda T: T.ones(3).fliplr(),
    "flipud_0d": lambda T: _s(T).flipud(),
    "roll_misaligned": lambda T: T.zeros(3).roll((1, 2), 0),
    "roll_misaligned_none": lambda T: T.zeros(3).roll((1, 2)),
    "roll_misaligned_dims": lambda T: T.zeros(3).roll(1, (0, 0)),
    "roll_0d_dim": lambda T: _s(T).roll(1, 0),
    "roll_empty_shifts": lambda T: _x(T).roll((), ()),
    "roll_oob": lambda T: _x(T).roll(1, 3),
    # -- narrow / select / unbind / split / chunk / tensor_split -------------------------
    "narrow_exceeds": lambda T: _x(T).narrow(1, 2, 2),
    "narrow_start_oob": lambda T: _x(T).narrow(1, 4, 0),
    "narrow_start_oob_neg": lambda T: _x(T).narrow(1, -4, 1),
    "narrow_negative_length": lambda T: _x(T).narrow(1, 0, -1),
    "narrow_0d": lambda T: _s(T).narrow(0, 0, 1),
    "narrow_dim_oob": lambda T: _x(T).narrow(3, 0, 1),
    "select_oob": lambda T: _x(T).select(1, 3),
    "select_oob_neg": lambda T: _x(T).select(1, -4),
    "select_oob_neg_dim": lambda T: _x(T).select(-2, 3),
    "select_0d": lambda T: _s(T).select(0, 0),
    "select_dim_oob": lambda T: _x(T).select(3, 0),
    "select_empty": lambda T: T.zeros(2, 0).select(1, 0),
    "unbind_0d": lambda T: _s(T).unbind(),
    "unbind_oob": lambda T: _x(T).unbind(3),
    "split_zero": lambda T: T.zeros(3).split(0),
    "split_negative": lambda T: T.zeros(3).split(-1),
    "split_0d": lambda T: _s(T).split(1),
    "split_sizes_sum": lambda T: T.zeros(3).split([1, 1]),
    "split_sizes_sum_dim": lambda T: _x(T).split([1, 1], 1),
    "split_sizes_negative": lambda T: T.zeros(3).split([4, -1]),
    "split_oob": lambda T: _x(T).split(1, 3),
    "chunk_zero": lambda T: T.zeros(3).chunk(0),
    "chunk_negative": lambda T: T.zeros(3).chunk(-1),
    "chunk_0d": lambda T: _s(T).chunk(1),
    "chunk_oob": lambda T: _x(T).chunk(2, 3),
    "tensor_split_0d": lambda T: T.tensor_split(_s(T), 2),
    "tensor_split_zero": lambda T: _x(T).tensor_split(0),
    "tensor_split_2d_tensor": lambda T: _x(T).tensor_split(T.tensor([[1]]), 1),
    "tensor_split_float_tensor": lambda T: _x(T).tensor_split(T.tensor([1.]), 1),
    "tensor_split_oob": lambda T: _x(T).tensor_split(2, 3),
    # -- cat / stack / hstack / vstack / dstack ------------------------------------------
    "cat_empty_list": lambda T: T.cat([]),
    "cat_ndim": lambda T: T.cat([_x(T), T.zeros(2, 3)]),
    "cat_size": lambda T: T.cat([_x(T), T.zeros(2, 4, 4)]),
    "cat_size_dim1": lambda T: T.cat([_x(T), T.zeros(3, 3, 4)], 1),
    "cat_size_third": lambda T: T.cat([_x(T), _x(T), T.zeros(2, 3, 5)], 1),
    "cat_not_tensor": lambda T: T.cat([_x(T), 1]),
    "cat_tensor_arg": lambda T: T.cat(_x(T)),
    "cat_0d": lambda T: T.cat([_s(T)]),
    "cat_0d_second": lambda T: T.cat([T.zeros(0), _s(T)]),
    "cat_oob": lambda T: T.cat([_x(T), _x(T)], 3),
    "cat_oob_after_empty": lambda T: T.cat([T.zeros(0), T.zeros(2, 3)], 2),
    "cat_legacy_empty_mismatch": lambda T: T.cat([T.zeros(0, 2), T.zeros(2, 3)], 1),
    "concat_size": lambda T: T.concat([_x(T), T.zeros(2, 4, 4)]),
    "concatenate_ndim": lambda T: T.concatenate([_x(T), T.zeros(2, 3)], axis=1),
    "stack_empty": lambda T: T.stack([]),
    "stack_shapes": lambda T: T.stack([_x(T), T.zeros(2, 3)]),
    "stack_shapes_third": lambda T: T.stack([T.zeros(2), T.zeros(2), T.zeros(3)]),
    "stack_oob": lambda T: T.stack([_x(T), _x(T)], 4),
    "stack_not_tensor": lambda T: T.stack([_x(T), 2.0]),
    "hstack_empty": lambda T: T.hstack([]),
    "vstack_empty": lambda T: T.vstack([]),
    "dstack_empty": lambda T: T.dstack([]),
    "hstack_ndim": lambda T: T.hstack([T.ones(2), T.ones(2, 2)]),
    "vstack_size": lambda T: T.vstack([T.ones(2), T.ones(3)]),
    "dstack_size": lambda T: T.dstack([T.ones(2, 2), T.ones(3, 2)]),
    # -- diagonals / triangles -----------------------------------------------------------
    "diag_3d": lambda T: _x(T).diag(),
    "diag_0d": lambda T: _s(T).diag(),
    "diagonal_same": lambda T: _x(T).diagonal(0, 1, 1),
    "diagonal_same_neg": lambda T: _x(T).diagonal(0, 1, -2),
    "diagonal_oob": lambda T: _x(T).diagonal(0, 3, 1),
    "diagonal_1d": lambda T: T.ones(3).diagonal(),
    "diag_embed_same": lambda T: _x(T).diag_embed(0, 1, 1),
    "diag_embed_oob": lambda T: _x(T).diag_embed(0, 4, 1),
    "diag_embed_0d": lambda T: _s(T).diag_embed(),
    "tril_1d": lambda T: T.ones(3).tril(),
    "triu_0d": lambda T: _s(T).triu(),
    "tril_float_diagonal": lambda T: T.tril(_x(T), 1.5),
    "triu_float_diagonal": lambda T: T.triu(_x(T), 0.5),
    # -- repeat_interleave / unfold / meshgrid -------------------------------------------
    "repeat_interleave_negative": lambda T: T.ones(3).repeat_interleave(-1),
    "repeat_interleave_size": lambda T: T.ones(3).repeat_interleave(T.tensor([2, 1])),
    "repeat_interleave_2d": lambda T: T.ones(3).repeat_interleave(T.tensor([[2]])),
    "repeat_interleave_negative_tensor":
        lambda T: T.ones(3).repeat_interleave(T.tensor([1, -1, 1])),
    "repeat_interleave_float_tensor":
        lambda T: T.ones(3).repeat_interleave(T.tensor([1., 2., 3.])),
    "repeat_interleave_int16": lambda T: T.ones(2, 2).repeat_interleave(
        T.tensor([1, 2], dtype=T.int16), 0),
    "repeat_interleave_counts_0d": lambda T: T.repeat_interleave(T.tensor(2)),
    "repeat_interleave_output_size": lambda T: T.repeat_interleave(T.ones(2, 3), 2,
                                                                   output_size=11),
    "repeat_interleave_output_size_tensor": lambda T: T.repeat_interleave(
        T.ones(2, 3), T.tensor([1, 2]), 0, output_size=4),
    "repeat_interleave_0d_dim": lambda T: _s(T).repeat_interleave(2, 0),
    "repeat_interleave_0d_dim_tensor":
        lambda T: _s(T).repeat_interleave(T.tensor([2]), 0),
    "repeat_interleave_dim_oob": lambda T: T.ones(2, 3).repeat_interleave(2, 2),
    "unfold_too_big": lambda T: _x(T).unfold(2, 5, 1),
    "unfold_step_zero": lambda T: _x(T).unfold(2, 2, 0),
    "unfold_step_negative": lambda T: _x(T).unfold(2, 2, -1),
    "unfold_size_negative": lambda T: _x(T).unfold(2, -1, 1),
    "unfold_oob": lambda T: _x(T).unfold(3, 1, 1),
    "unfold_0d_too_big": lambda T: _s(T).unfold(0, 2, 1),
    "meshgrid_empty": lambda T: T.meshgrid(indexing="ij"),
    "meshgrid_indexing": lambda T: T.meshgrid(T.ones(2), indexing="foo"),
    "meshgrid_dtypes": lambda T: T.meshgrid(T.ones(2), T.ones(2, dtype=T.float64),
                                            indexing="ij"),
    "meshgrid_not_tensor": lambda T: T.meshgrid(T.ones(2), 3, indexing="ij"),
}

# Cases where PyTorch appends what leafgrad cannot reproduce (a C++ stack trace, the C++
# print of a tensor): the message must agree up to this many characters.
PREFIX = {
    "unflatten_two_inferred": (lambda T: _x(T).unflatten(1, (-1, -1)), 64),
    "meshgrid_2d": (lambda T: T.meshgrid(T.ones(2, 2), indexing="ij"), 72),
}


def _raise(fn, T):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(T)
    return info.value


def _compare(case, fn, torch, n=None):
    theirs = _raise(fn, torch)
    ours = _raise(fn, leafgrad)
    assert type(ours) is type(theirs), f"{case}: {type(ours).__name__}: {ours} " \
                                       f"!= torch's {type(theirs).__name__}: {theirs}"
    expected = str(theirs).replace("torch.", "leafgrad.")
    if n is None:
        assert str(ours) == expected
    else:
        assert str(ours)[:n] == expected[:n]


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_matches_torch(case, torch):
    _compare(case, ERRORS[case], torch)


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(PREFIX))
def test_error_prefix_matches_torch(case, torch):
    fn, n = PREFIX[case]
    _compare(case, fn, torch, n)


# -- warnings ------------------------------------------------------------------------------
WARNINGS = {
    "T_0d": lambda T: T.tensor(1.).T,
    "T_1d": lambda T: T.ones(3).T,
    "T_3d": lambda T: T.ones(1, 2, 3).T,
    "mT_0d": lambda T: T.tensor(1.).mT,
    "mH_0d": lambda T: T.tensor(1.).mH,
    "meshgrid_no_indexing": lambda T: T.meshgrid(T.ones(2), T.ones(3)),
}


def _warnings(fn, T) -> list:
    if T is not leafgrad:
        T.set_warn_always(True)  # PyTorch warns about `x.T` once per process otherwise
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(T)
    return [(w.category, str(w.message).split(" (Triggered internally")[0]) for w in caught]


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warning_matches_torch(case, torch):
    always = torch.is_warn_always_enabled()
    try:
        theirs = [(c, m.replace("torch.", "leafgrad.")) for c, m in _warnings(WARNINGS[case],
                                                                            torch)]
    finally:
        torch.set_warn_always(always)
    assert _warnings(WARNINGS[case], leafgrad) == theirs


def test_no_warning_for_matrices_and_indexing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        leafgrad.ones(2, 3).T  # noqa: B018
        leafgrad.ones(2, 2, 3).mT  # noqa: B018
        leafgrad.meshgrid(leafgrad.ones(2), indexing="xy")


# -- graph details ---------------------------------------------------------------------------
def _chain(y) -> list:
    out, fn = [], y.grad_fn
    while fn is not None:
        out.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    return [n.split("::")[-1] for n in out]


CHAINS = {
    "reshape_copy": lambda T, x: x.transpose(0, 1).reshape(-1),
    "reshape_alias": lambda T, x: x[:, :, :1].reshape(6),
    "reshape_contiguous": lambda T, x: x.reshape(6, 4),
    "flatten_copy": lambda T, x: x.transpose(0, 1).flatten(),
    "flatten_0d": lambda T, x: x.sum().flatten(),
    "ravel_noncontiguous": lambda T, x: x.transpose(0, 1).ravel(),
    "repeat_interleave_int": lambda T, x: x.repeat_interleave(2, 1),
    "repeat_interleave_none": lambda T, x: x.repeat_interleave(2),
    "repeat_interleave_tensor": lambda T, x: x.repeat_interleave(T.tensor([1, 2, 0]), 1),
    "meshgrid": lambda T, x: T.meshgrid(x[0, 0], x[0, :, 0], indexing="xy")[0],
    "diag_matrix": lambda T, x: x[0].diag(1),
    "diag_vector": lambda T, x: x[0, 0].diag(-1),
    "hstack_1d": lambda T, x: T.hstack([x[0, 0], x[0, 1]]),
    "vstack_1d": lambda T, x: T.vstack([x[0, 0], x[0, 1]]),
    "dstack_2d": lambda T, x: T.dstack([x[0], x[1]]),
    "atleast_3d_1d": lambda T, x: T.atleast_3d(x[0, 0]),
    "atleast_2d_0d": lambda T, x: T.atleast_2d(x.sum()),
    "contiguous": lambda T, x: x.transpose(0, 2).contiguous(),
    "movedim_0d": lambda T, x: x.sum().movedim(0, 0),
    "T_0d": lambda T, x: x.sum().T,
    "t_1d": lambda T, x: x[0, 0].t(),
    "squeeze_nothing": lambda T, x: x.squeeze(1),
    "transpose_same": lambda T, x: x.transpose(1, 1),
    "expand_same": lambda T, x: x.expand(2, 3, 4),
    "cat_one": lambda T, x: T.cat([x]),
    "tensor_split": lambda T, x: x.tensor_split(2, 1)[1],
    "chunk_empty": lambda T, x: x[:, :0].chunk(2, 1)[1],
    "split_one": lambda T, x: x.split(5, 1)[0],
    "unbind_one": lambda T, x: x[:1].unbind()[0],
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(CHAINS))
def test_graph_chain_matches_torch(case, torch):
    def run(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x = T.ones(2, 3, 4, requires_grad=True)
            y = CHAINS[case](T, x)
        return _chain(y), y._is_view(), y is x, tuple(y.shape)

    assert run(leafgrad) == run(torch)


SAVED = {
    "view": (lambda x: x.view(-1), ["self_sym_sizes"]),
    "unsafe_view": (lambda x: x.transpose(0, 1).reshape(-1), ["self_sym_sizes"]),
    "squeeze": (lambda x: x.squeeze(), ["self_sym_sizes"]),
    "squeeze_dim": (lambda x: x.squeeze(0), ["dim", "self_sym_sizes"]),
    "squeeze_dims": (lambda x: x.squeeze((0, 1)), ["dim", "self_sym_sizes"]),
    "unsqueeze": (lambda x: x.unsqueeze(1), ["dim"]),
    "permute": (lambda x: x.permute(2, 0, 1), ["dims"]),
    "transpose": (lambda x: x.transpose(0, 2), ["dim0", "dim1"]),
    "expand": (lambda x: x[:, :1].expand(2, 5, 4), ["self_sym_sizes"]),
    "repeat": (lambda x: x.repeat(2, 1, 1), ["repeats", "self_sym_sizes"]),
    "flip": (lambda x: x.flip(0, 2), ["dims"]),
    "roll": (lambda x: x.roll((1, 2), (0, 1)), ["dims", "shifts"]),
    "narrow": (lambda x: x.narrow(1, 0, 2), ["dim", "end", "self_sym_sizes", "start", "step"]),
    "select": (lambda x: x.select(1, 2), ["dim", "index", "self_sym_sizes"]),
    "unbind": (lambda x: x.unbind(1)[0], ["dim"]),
    "split": (lambda x: x.split(2, 1)[0], ["dim", "self_sym_sizes", "split_size"]),
    "split_sizes": (lambda x: x.split([1, 2], 1)[0], ["dim", "self_sym_sizes", "split_sizes"]),
    "cat": (lambda x: x.new_cat([x, x], 1), ["dim"]),
    "diagonal": (lambda x: x.diagonal(1, 0, 2), ["dim1", "dim2", "offset", "self_sym_sizes"]),
    "diag_embed": (lambda x: x.diag_embed(1, 0, 2), ["dim1", "dim2", "offset"]),
    "tril": (lambda x: x.tril(1), ["diagonal"]),
    "triu": (lambda x: x.triu(1), ["diagonal"]),
    "unfold": (lambda x: x.unfold(2, 2, 1), ["dimension", "self_sym_sizes", "size", "step"]),
}


def _saved(T, case):
    fn, names = SAVED[case]
    x = T.ones(2, 3, 4, requires_grad=True)
    if case == "cat":
        y = T.cat([x, x], 1)
    else:
        y = fn(x)
    out = {}
    for n in names:
        v = getattr(y.grad_fn, "_saved_" + n)
        out[n] = tuple(v) if isinstance(v, (tuple, list)) else v
    return out


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(SAVED))
def test_saved_attributes_match_torch(case, torch):
    assert _saved(leafgrad, case) == _saved(torch, case)
