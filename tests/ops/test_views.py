"""View-ness of the shape ops against PyTorch: which results are views (``_is_view()``,
``_base``), that views share memory and the version counter with their base, and that
copies do not."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import leafgrad

# Each op maps a (2, 3, 4) base tensor to a tensor or a tuple of tensors.
OPS = {
    "view": lambda T, x: x.view(6, 4),
    "view_minus_one": lambda T, x: x.view(-1),
    "view_same": lambda T, x: x.view(2, 3, 4),
    "view_as": lambda T, x: x.view_as(T.zeros(4, 6)),
    "reshape_view": lambda T, x: x.reshape(4, 6),
    "reshape_copy": lambda T, x: x.transpose(0, 1).reshape(-1),
    "reshape_alias": lambda T, x: x[:, :, ::2].reshape(-1),
    "reshape_as": lambda T, x: x.reshape_as(T.zeros(24)),
    "flatten": lambda T, x: x.flatten(),
    "flatten_partial": lambda T, x: x.flatten(1),
    "flatten_copy": lambda T, x: x.transpose(1, 2).flatten(),
    "flatten_noop": lambda T, x: x.flatten(1, 1),
    "ravel": lambda T, x: x.ravel(),
    "ravel_copy": lambda T, x: x.mT.ravel(),
    "unflatten": lambda T, x: x.unflatten(2, (2, 2)),
    "unflatten_noncontig": lambda T, x: x.transpose(0, 2).unflatten(0, (2, -1)),
    "squeeze": lambda T, x: x[:1].squeeze(),
    "squeeze_dim": lambda T, x: x[:1].squeeze(0),
    "squeeze_nothing": lambda T, x: x.squeeze(1),
    "squeeze_dims": lambda T, x: x[:1, :1].squeeze((0, 1)),
    "unsqueeze": lambda T, x: x.unsqueeze(1),
    "permute": lambda T, x: x.permute(2, 0, 1),
    "transpose": lambda T, x: x.transpose(0, 2),
    "swapaxes": lambda T, x: x.swapaxes(0, 1),
    "swapdims": lambda T, x: x.swapdims(1, 2),
    "t": lambda T, x: x[0].t(),
    "t_1d": lambda T, x: x[0, 0].t(),
    "T": lambda T, x: x[0].T,
    "mT": lambda T, x: x.mT,
    "mH": lambda T, x: x.mH,
    "movedim": lambda T, x: x.movedim(0, 2),
    "moveaxis": lambda T, x: x.moveaxis((0, 1), (2, 0)),
    "expand": lambda T, x: x[:, :1].expand(2, 5, 4),
    "expand_as": lambda T, x: x[:, :1].expand_as(T.zeros(3, 2, 2, 4)),
    "broadcast_to": lambda T, x: T.broadcast_to(x[:, :1], (2, 2, 4)),
    "broadcast_tensors": lambda T, x: T.broadcast_tensors(x[:, :1], T.zeros(3, 1)),
    "meshgrid": lambda T, x: T.meshgrid(x[0, 0], x[1, 1], indexing="ij"),
    "narrow": lambda T, x: x.narrow(1, 1, 2),
    "select": lambda T, x: x.select(2, -1),
    "unbind": lambda T, x: x.unbind(1),
    "split": lambda T, x: x.split(2, 2),
    "split_sizes": lambda T, x: x.split([1, 2], 1),
    "chunk": lambda T, x: x.chunk(2, 1),
    "tensor_split": lambda T, x: x.tensor_split([1, 3], 2),
    "diagonal": lambda T, x: x.diagonal(1, 1, 2),
    "diagonal_neg": lambda T, x: x.diagonal(-1, 2, 0),
    "unfold": lambda T, x: x.unfold(2, 2, 1),
    "unfold_step": lambda T, x: x.unfold(1, 2, 2),
    "atleast_3d": lambda T, x: T.atleast_3d(x[0, 0]),
    "contiguous_self": lambda T, x: x.contiguous(),
    "contiguous_copy": lambda T, x: x.mT.contiguous(),
    # copies
    "clone": lambda T, x: x.clone(),
    "repeat": lambda T, x: x.repeat(1, 2, 1),
    "tile": lambda T, x: x.tile(2),
    "flip": lambda T, x: x.flip(0),
    "fliplr": lambda T, x: x.fliplr(),
    "flipud": lambda T, x: x.flipud(),
    "roll": lambda T, x: x.roll(1, 2),
    "cat": lambda T, x: T.cat([x, x]),
    "cat_one": lambda T, x: T.cat([x]),
    "stack": lambda T, x: T.stack([x]),
    "hstack": lambda T, x: T.hstack([x]),
    "vstack": lambda T, x: T.vstack([x]),
    "dstack": lambda T, x: T.dstack([x]),
    "diag": lambda T, x: x[0].diag(),
    "diag_embed": lambda T, x: x.diag_embed(),
    "tril": lambda T, x: x.tril(),
    "triu": lambda T, x: x.triu(1),
    "repeat_interleave": lambda T, x: x.repeat_interleave(2, 1),
    "repeat_interleave_tensor": lambda T, x: x.repeat_interleave(T.tensor([1, 0, 2]), 1),
}


def _as_tuple(y) -> tuple:
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


def _observe(T, name: str, requires_grad: bool) -> list:
    """What a script can see of the op's aliasing, as plain Python values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = T.arange(24.).reshape(2, 3, 4).clone()
        if requires_grad:
            x.requires_grad_(True)
        outs = _as_tuple(OPS[name](T, x))
        seen = []
        for y in outs:
            seen.append((y._is_view(), y._base is x, y is x, tuple(y.shape)))
        # Write through the base's memory: views see it, copies do not.
        x.detach().numpy()[...] = -np.arange(24.).reshape(2, 3, 4)
        for y in outs:
            seen.append(y.detach().numpy().tolist())
        # In-place on the base bumps the version counter that views share.
        with T.no_grad():
            x.zero_()
        for y in outs:
            seen.append(y._version)
    return seen


@pytest.mark.torch
@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("name", sorted(OPS))
def test_viewness_matches_torch(name, requires_grad, torch):
    assert _observe(leafgrad, name, requires_grad) == _observe(torch, name, requires_grad)


VIEWS = ["view", "reshape_view", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
         "transpose", "t", "mT", "expand", "narrow", "select", "unbind", "split", "chunk",
         "diagonal", "movedim", "unfold", "view_as"]


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_storage(name):
    """Without PyTorch: the results of view ops alias their base (values and versions)."""
    x = leafgrad.arange(24.).reshape(2, 3, 4).clone()
    outs = _as_tuple(OPS[name](leafgrad, x))
    for y in outs:
        assert y._is_view() and y._base is x
        assert np.shares_memory(y.numpy(), x.numpy())
    x.zero_()
    for y in outs:
        assert y._version == x._version == 1
        assert not y.numpy().any()


def test_view_of_view_has_the_root_as_base():
    x = leafgrad.arange(24.).reshape(2, 3, 4).clone()
    y = x.transpose(0, 1).select(0, 1).unsqueeze(0)
    assert y._base is x


def test_writing_into_a_view_writes_into_the_base():
    x = leafgrad.zeros(3, 3)
    x.diagonal().numpy()[...] = 1.
    x.unfold(1, 2, 1).numpy()[0, 0, 0] = 5.
    assert x.tolist() == [[5., 0., 0.], [0., 1., 0.], [0., 0., 1.]]


DTYPE_VIEWS = {
    "float32_as_int32": lambda T: T.tensor([[1., -2.], [0.5, 3.]]).view(T.int32),
    "float32_as_float32": lambda T: T.tensor([1., 2.]).view(T.float32),
    "float64_as_int64": lambda T: T.tensor([1.5, -2.], dtype=T.float64).view(T.int64),
    "float32_as_float16": lambda T: T.tensor([[1., 2.], [3., 4.]]).view(T.float16),
    "uint8_as_float32": lambda T: T.tensor([0, 0, 128, 63], dtype=T.uint8).view(T.float32),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(DTYPE_VIEWS))
def test_view_dtype_matches_torch(case, torch):
    def run(T):
        y = DTYPE_VIEWS[case](T)
        return y.tolist(), str(y.dtype).split(".")[-1], y.requires_grad, y._is_view()

    assert run(leafgrad) == run(torch)


def test_view_dtype_shares_memory_and_never_requires_grad():
    x = leafgrad.tensor([1., 2.], requires_grad=True)
    y = x.view(leafgrad.int32)
    assert not y.requires_grad and y.grad_fn is None
    assert np.shares_memory(y.numpy(), x.detach().numpy())


SECOND_ORDER = {
    "view_t": lambda T, x: (x.view(3, 4).t() ** 2).sum(),
    "cat_split": lambda T, x: (T.cat([x, x * 2], 1).split([2, 6], 1)[1] ** 3).sum(),
    "stack_unbind": lambda T, x: (T.stack([x, x.flip(0)], 2).unbind(1)[0] ** 2).sum(),
    "diagonal_embed": lambda T, x: (x.diagonal().diag_embed() ** 2).sum(),
    "unfold": lambda T, x: (x.unfold(1, 2, 1) ** 3).sum(),
    "repeat_roll": lambda T, x: (x.repeat(2, 1).roll(1, 0).tril() ** 2).sum(),
    "expand": lambda T, x: (x[:, :1].expand(3, 5) ** 3).sum(),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", sorted(SECOND_ORDER))
def test_second_order_gradients_match_torch(case, torch):
    def run(T):
        x = T.from_numpy(np.arange(12.).reshape(3, 4) / 7 - 0.5).requires_grad_(True)
        (g,) = T.autograd.grad(SECOND_ORDER[case](T, x), x, create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), x)
        return g.detach().numpy(), gg.numpy()

    for ours, theirs in zip(run(leafgrad), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
