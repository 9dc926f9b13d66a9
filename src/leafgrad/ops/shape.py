"""Shape and view ops: results share storage with their input where PyTorch's do."""

from __future__ import annotations

from ..tensor import Tensor
from .registry import Op, apply

__all__ = ["reshape"]
methods = ["reshape", "view", "expand"]


def _shape_arg(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _infer(shape: tuple, numel: int, given) -> tuple:
    """Resolve one -1 in ``shape``, with PyTorch's errors."""
    known = 1
    neg = None
    for i, s in enumerate(shape):
        if s == -1:
            if neg is not None:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if neg is not None:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, given))}]' is invalid for input of "
                               f"size {numel}")
        shape = shape[:neg] + (numel // known,) + shape[neg + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, given))}]' is invalid for input of "
                           f"size {numel}")
    return shape


class View(Op):
    view = True

    def forward(xp, x, *, size, shape):
        out = x.view()
        out.shape = size  # raises when the strides do not allow a view
        return out

    def vjp(g, out, x, *, size, shape):
        return g.reshape(shape)


class Reshape(Op):
    """A reshape that must copy (the input's strides do not allow a view)."""

    name = "ViewBackward0"  # PyTorch records the copy as a view of a contiguous clone

    def forward(xp, x, *, size, shape):
        return xp.reshape(x, size)

    def vjp(g, out, x, *, size, shape):
        return g.reshape(shape)


def view(input: Tensor, *size) -> Tensor:
    """The same data with another shape (must be viewable; see ``reshape``)."""
    if len(size) == 1 and not isinstance(size[0], (tuple, list, int)):
        return input.to(size[0])  # view(dtype) is not supported beyond same-size casts
    given = _shape_arg(size)
    shape = _infer(given, input._data.size, given)
    try:
        return apply(View, input, size=shape, shape=input._data.shape)
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None


def reshape(input: Tensor, *shape) -> Tensor:
    """The same data with another shape: a view when the strides allow, else a copy."""
    given = _shape_arg(shape)
    size = _infer(given, input._data.size, given)
    try:
        return apply(View, input, size=size, shape=input._data.shape)
    except AttributeError:
        return apply(Reshape, input, size=size, shape=input._data.shape)


class Expand(Op):
    view = True

    def forward(xp, x, *, size, shape):
        return xp.broadcast_to(x, size)

    def vjp(g, out, x, *, size, shape):
        return g.sum_to_size(shape)


def expand(input: Tensor, *sizes) -> Tensor:
    """A view repeating size-1 dimensions to ``sizes`` (-1 keeps a size) without copying."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(leafgrad.{input.dtype.legacy_name}{{[{', '.join(map(str, shape))}]}}, "
            f"size=[{', '.join(map(str, sizes))}]): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    out = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension " + str(i)
                )
            continue
        own = shape[i - lead]
        if s == -1:
            out[i] = own
        elif own != 1 and own != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) "
                f"at non-singleton dimension {i}.  Target sizes: "
                f"[{', '.join(map(str, sizes))}].  Tensor sizes: [{', '.join(map(str, shape))}]"
            )
    return apply(Expand, input, size=tuple(out), shape=shape)
