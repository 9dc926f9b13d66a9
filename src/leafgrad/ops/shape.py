"""Shape and view ops: results share storage with their input where PyTorch's do.

Views (view, reshape when the strides allow, squeeze, unsqueeze, permute, transpose,
expand, narrow, select, unbind, split, diagonal, unfold ...) return NumPy views of
their input's array and mark their Op ``view = True``, so the result shares the
base's storage and version counter and reports ``_base``/``_is_view()``.  Ops that
PyTorch makes copies (repeat, flip, roll, cat, stack, tril, diag_embed, clone ...)
copy.  Node names and ``_saved_*`` attribute names follow PyTorch's.
"""

from __future__ import annotations

import math
import operator
import warnings

from .. import dtypes as _dt
from ..backend import np
from ..tensor import Size, Tensor, _wrap_dim
from .indexing import Alias, Select, Slice
from .registry import Op, apply

__all__ = [
    "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose",
    "swapaxes", "swapdims", "t", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
    "tile", "flip", "fliplr", "flipud", "roll", "narrow", "select", "unbind", "split", "chunk",
    "tensor_split", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
    "movedim", "moveaxis", "diag", "diagonal", "diag_embed", "tril", "triu",
    "repeat_interleave", "meshgrid", "clone", "ravel", "atleast_1d", "atleast_2d",
    "atleast_3d",
]
methods = [
    "reshape", "view", "view_as", "reshape_as", "flatten", "unflatten", "squeeze", "unsqueeze",
    "permute", "transpose", "swapaxes", "swapdims", "t", "expand", "expand_as", "broadcast_to",
    "repeat", "tile", "flip", "fliplr", "flipud", "roll", "narrow", "select", "unbind", "split",
    "chunk", "tensor_split", "movedim", "moveaxis", "diag", "diagonal", "diag_embed", "tril",
    "triu", "repeat_interleave", "unfold", "contiguous", "clone", "ravel",
]

_ndarray = np.ndarray
_int = int
_INTS = (int, np.integer)
_SCALAR_TYPE = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}


# -- argument helpers --------------------------------------------------------------------
def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _ints(values, fn: str, arg: str) -> tuple:
    """``values`` as a tuple of Python ints, with PyTorch's TypeError for anything else."""
    for v in values:
        if v.__class__ is not _int:
            break
    else:
        return tuple(values)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be tuple of ints, but "
                            f"found element of type {type(v).__name__} at pos {i}")
        out.append(operator.index(v))
    return tuple(out)


def _size_args(args: tuple, fn: str, arg: str) -> tuple:
    """Sizes or dims given as varargs (``x.view(2, 3)``) or as one sequence (``(2, 3)``)."""
    if len(args) == 1:
        a = args[0]
        if a.__class__ is not _int:
            if isinstance(a, (tuple, list)):
                return _ints(a, fn, arg)
            if isinstance(a, bool) or not hasattr(a, "__index__"):
                raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be tuple of ints, "
                                f"not {type(a).__name__}")
            return (operator.index(a),)
    return _ints(args, fn, arg)


def _dim_list(dims, ndim: int) -> tuple:
    """An int or a sequence of dims, wrapped, with PyTorch's error for repeats."""
    if isinstance(dims, _INTS):
        return (_wrap_dim(dims, ndim),)
    out = tuple(_wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        seen = set()
        for d in out:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    return out


_prod = math.prod
_FLAT = (-1,)
_EMPTY_1D = (0,)


def _resolve(shape: tuple, numel: int) -> tuple:
    """``shape`` for ``numel`` elements: a -1 inferred, PyTorch's errors for bad shapes."""
    if shape == _FLAT:
        return (numel,)
    if -1 in shape or _prod(shape) != numel or (shape and min(shape) < 0):
        return _infer(shape, numel)
    return shape


def _infer(shape: tuple, numel: int) -> tuple:
    """Resolve one -1 in ``shape`` against ``numel`` elements, with PyTorch's errors."""
    known = 1
    neg = None
    for i, s in enumerate(shape):
        if s == -1:
            if neg is not None:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"{_shape_str(shape)}")
        else:
            known *= s
    if neg is not None:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {_shape_str(shape)} "
                    "because the unspecified dimension size -1 can be any value and is "
                    "ambiguous")
            raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size "
                               f"{numel}")
        if numel % known:
            raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size "
                               f"{numel}")
        return shape[:neg] + (numel // known,) + shape[neg + 1:]
    if known != numel:
        raise RuntimeError(f"shape '{_shape_str(shape)}' is invalid for input of size {numel}")
    return shape


# -- view / reshape ----------------------------------------------------------------------
class View(Op):
    view = True
    array_vjp = True

    def forward(xp, x, *, size, shape):
        if x.flags.c_contiguous:
            return x.reshape(size)  # always a view of a C-contiguous array
        out = x.view()
        out.shape = size  # raises AttributeError when the strides do not allow a view
        return out

    def vjp(g, out, x, *, size, shape):
        return g.reshape(shape)


class ReshapeAlias(View):
    """``reshape`` of a non-contiguous input whose strides allow a view."""

    name = "ReshapeAliasBackward0"


class UnsafeView(Op):
    """The reshape of a fresh contiguous clone (``reshape`` when no view is possible)."""

    array_vjp = True

    def forward(xp, x, *, size, shape):
        return x.reshape(size)

    def vjp(g, out, x, *, size, shape):
        return g.reshape(shape)


class Clone(Op):
    """A copy in the input's memory layout (PyTorch's preserve_format)."""

    array_vjp = True

    def forward(xp, x):
        return x.copy(order="K")

    def vjp(g, out, x):
        return g


class CloneContiguous(Op):
    """A C-contiguous copy (``contiguous()``, and ``reshape`` before an unsafe view)."""

    name = "CloneBackward0"
    array_vjp = True

    def forward(xp, x):
        return x.copy()

    def vjp(g, out, x):
        return g


_NOT_VIEWABLE = ("view size is not compatible with input tensor's size and stride (at least "
                 "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                 "instead.")


def view(input: Tensor, *size) -> Tensor:
    """The same data with another shape, sharing storage (one size may be -1).

    A ``dtype`` instead of sizes reinterprets the bits (``x.view(leafgrad.int32)``).

    >>> leafgrad.arange(6.).view(2, -1)
    tensor([[0., 1., 2.],
            [3., 4., 5.]])
    """
    if len(size) == 1 and isinstance(size[0], _dt.dtype):
        return _view_dtype(input, size[0])
    a = input._data
    shape = _resolve(_size_args(size, "view", "size"), a.size)
    try:
        return apply(View, input, size=shape, shape=a.shape)
    except AttributeError:
        raise RuntimeError(_NOT_VIEWABLE) from None


def _view_dtype(input: Tensor, d: _dt.dtype) -> Tensor:
    # A reinterpretation of the bits: never differentiable, shares the version counter.
    a = input._data
    src, dst = _SCALAR_TYPE[a.dtype.name], _SCALAR_TYPE[d.name]
    if d.itemsize != a.itemsize:
        what = f"to view {src} as {dst} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if a.shape[-1] != 1 and a.strides[-1] != a.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got "
                               f"{a.strides[-1] // a.itemsize}")
        if d.itemsize > a.itemsize and (a.shape[-1] * a.itemsize) % d.itemsize:
            raise RuntimeError(f"self.size(-1) must be divisible by "
                               f"{d.itemsize // a.itemsize} {what}, but got {a.shape[-1]}")
    out = Tensor._make(a.view(d.np))
    out._vc = input._vc
    return out


def reshape(input: Tensor, *sizes, shape=None) -> Tensor:
    """The same data with another shape: a view when the strides allow, else a copy.

    >>> leafgrad.arange(6.).reshape(3, 2).shape
    leafgrad.Size([3, 2])
    """
    a = input._data
    size = _resolve(_size_args(sizes if shape is None else (shape,), "reshape", "shape"),
                    a.size)
    try:
        return apply(View if a.flags.c_contiguous else ReshapeAlias, input, size=size,
                     shape=a.shape)
    except AttributeError:
        # PyTorch: a contiguous clone, then an unsafe view of it (two nodes).
        return apply(UnsafeView, apply(CloneContiguous, input), size=size, shape=a.shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.reshape(other.shape)``."""
    return reshape(input, other._data.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims ``start_dim``..``end_dim`` merged into one (a view when possible; 0-d -> 1-d).

    >>> leafgrad.zeros(2, 3, 4).flatten(1).shape
    leafgrad.Size([2, 12])
    """
    shape = input._data.shape
    nd = len(shape)
    s = _wrap_dim(start_dim, nd)
    e = _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if nd == 0:
        return reshape(input, (1,))
    if s == e:
        return input
    size = shape[:s] + (_prod(shape[s:e + 1]),) + shape[e + 1:]
    if input._data.flags.c_contiguous:
        return apply(View, input, size=size, shape=shape)
    return reshape(input, size)


def ravel(input: Tensor) -> Tensor:
    """All elements as a 1-D tensor: a view of a contiguous tensor, else of a copy."""
    return view(contiguous(input), (-1,))


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one of them may be -1); always a view."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = _size_args((sizes,), "unflatten", "sizes")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[d] if shape else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = _prod(s for s in sizes if s != -1)
    if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
        raise RuntimeError(f"unflatten: Provided sizes {_shape_str(sizes)} don't multiply up "
                           f"to the size of dim {dim} ({n}) in the input tensor")
    if -1 in sizes:
        i = sizes.index(-1)
        sizes = sizes[:i] + (n // known,) + sizes[i + 1:]
    return view(input, shape[:d] + sizes + shape[d + 1:])


# -- squeeze / unsqueeze -----------------------------------------------------------------
class Squeeze(Op):
    """``squeeze()``: every size-1 dim dropped."""

    view = True
    array_vjp = True

    def forward(xp, x, *, shape):
        return xp.squeeze(x)

    def vjp(g, out, x, *, shape):
        return g.reshape(shape)


class SqueezeDim(Op):
    """``squeeze(dim)``: dim dropped if its size is 1."""

    view = True
    array_vjp = True
    name = "SqueezeBackward1"

    def forward(xp, x, *, dim, shape):
        if x.ndim and x.shape[dim] == 1:
            return xp.squeeze(x, dim)
        return x.view()

    def vjp(g, out, x, *, dim, shape):
        return g.reshape(shape)


class SqueezeDims(Op):
    """``squeeze((d0, d1, ...))``: those of the dims whose size is 1 dropped."""

    view = True
    array_vjp = True
    name = "SqueezeBackward2"

    def forward(xp, x, *, dim, shape):
        axes = tuple(d for d in dim if x.ndim and x.shape[d] == 1)
        return xp.squeeze(x, axes) if axes else x.view()

    def vjp(g, out, x, *, dim, shape):
        return g.reshape(shape)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """A view without size-1 dims (all of them, or those among ``dim``, an int or a tuple).

    >>> leafgrad.zeros(2, 1, 3).squeeze().shape
    leafgrad.Size([2, 3])
    """
    a = input._data
    if dim is None:
        return apply(Squeeze, input, shape=a.shape)
    if isinstance(dim, _INTS):
        return apply(SqueezeDim, input, dim=_wrap_dim(dim, a.ndim), shape=a.shape)
    return apply(SqueezeDims, input, dim=_dim_list(dim, a.ndim), shape=a.shape)


_UNSQUEEZE_KEYS = [(slice(None),) * d + (None, Ellipsis) for d in range(65)]


class Unsqueeze(Op):
    view = True
    array_vjp = True

    def forward(xp, x, *, dim):
        return x[_UNSQUEEZE_KEYS[dim]]  # a basic-indexing view (expand_dims is slower)

    def vjp(g, out, x, *, dim):
        s = g.shape
        return g.reshape(tuple(s[:dim]) + tuple(s[dim + 1:]))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a size-1 dim inserted at ``dim`` (in ``[-ndim-1, ndim]``).

    >>> leafgrad.zeros(2, 3).unsqueeze(-1).shape
    leafgrad.Size([2, 3, 1])
    """
    return apply(Unsqueeze, input, dim=_wrap_dim(dim, input._data.ndim + 1))


# -- permute / transpose -----------------------------------------------------------------
class Permute(Op):
    view = True
    array_vjp = True

    def forward(xp, x, *, dims):
        return x.transpose(dims)

    def vjp(g, out, x, *, dims):
        inv = [0] * len(dims)
        for i, d in enumerate(dims):
            inv[d] = i
        if g.__class__ is _ndarray:
            return g.transpose(inv)
        return g.permute(inv)


def permute(input: Tensor, *args, dims=None) -> Tensor:
    """A view with the dims reordered (``x.permute(2, 0, 1)`` or ``permute(x, (2, 0, 1))``).

    >>> leafgrad.zeros(2, 3, 4).permute(2, 0, 1).shape
    leafgrad.Size([4, 2, 3])
    """
    order = _size_args(args if dims is None else (dims,), "permute", "dims")
    nd = input._data.ndim
    if len(order) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{nd} is not equal to len(dims) = {len(order)}")
    if nd and (min(order) < 0 or max(order) >= nd):
        order = tuple(_wrap_dim(d, nd) for d in order)
    if len(set(order)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(Permute, input, dims=order)


class Transpose(Op):
    view = True
    array_vjp = True  # swapaxes means the same on arrays and Tensors

    def forward(xp, x, *, dim0, dim1):
        return x.swapaxes(dim0, dim1) if x.ndim else x.view()

    def vjp(g, out, x, *, dim0, dim1):
        return g.swapaxes(dim0, dim1) if g.ndim else g


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dims ``dim0`` and ``dim1`` swapped.

    >>> leafgrad.zeros(2, 3, 4).transpose(0, 2).shape
    leafgrad.Size([4, 3, 2])
    """
    nd = input._data.ndim
    return apply(Transpose, input, dim0=_wrap_dim(dim0, nd), dim1=_wrap_dim(dim1, nd))


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """Alias of ``transpose``."""
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Alias of ``transpose``."""
    return transpose(input, dim0, dim1)


class T(Op):
    """``t()``: a 2-D transpose (a view of the same shape below 2-D)."""

    view = True
    array_vjp = True

    def forward(xp, x):
        return x.T if x.ndim == 2 else x.view()

    def vjp(g, out, x):
        return g.swapaxes(0, 1) if g.ndim == 2 else g


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (tensors of 0 or 1 dims come back as they are, as a view)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return apply(T, input)


def _prop_T(self: Tensor) -> Tensor:
    nd = self._data.ndim
    if nd != 2:
        if nd == 0:
            msg = "Tensor.T is deprecated on 0-D tensors. This function is the identity in " \
                  "these cases."
        else:
            msg = ("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                   "shape is deprecated and it will throw an error in a future release. "
                   "Consider `x.mT` to transpose batches of matrices or `x.permute(*leafgrad."
                   "arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.")
        warnings.warn(msg, UserWarning, stacklevel=2)
    return apply(Permute, self, dims=tuple(range(nd - 1, -1, -1)))


def _matrix_transpose(self: Tensor, name: str, zero_d: str) -> Tensor:
    nd = self._data.ndim
    if nd == 0:
        warnings.warn(f"Tensor.{name} is deprecated on 0-D tensors. {zero_d}", UserWarning,
                      stacklevel=3)
        return self
    if nd < 2:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           f"matrices. Got {nd}-D tensor.")
    return apply(Transpose, self, dim0=nd - 2, dim1=nd - 1)


def _prop_mT(self: Tensor) -> Tensor:
    return _matrix_transpose(self, "mT", "This function is the identity in these cases.")


def _prop_mH(self: Tensor) -> Tensor:
    return _matrix_transpose(self, "mH", "Consider using x.conj().")


properties = {
    "T": property(_prop_T, doc="The dims reversed (a transpose for matrices)."),
    "mT": property(_prop_mT, doc="A view with the last two dims swapped."),
    "mH": property(_prop_mH, doc="The conjugate transpose of the last two dims (real: mT)."),
}


def movedim(input: Tensor, source, destination) -> Tensor:
    """A view with dims ``source`` moved to positions ``destination`` (ints or tuples)."""
    nd = input._data.ndim
    src = (source,) if isinstance(source, _INTS) else tuple(source)
    dst = (destination,) if isinstance(destination, _INTS) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({_shape_str(src)} dims) "
            f"should contain the same number of dims as destination ({_shape_str(dst)} dims)")
    ws = tuple(_wrap_dim(d, nd) for d in src)
    wd = tuple(_wrap_dim(d, nd) for d in dst)
    if len(set(ws)) != len(ws):
        raise RuntimeError(f"movedim: repeated dim in `source` ({_shape_str(src)})")
    if len(set(wd)) != len(wd):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({_shape_str(dst)})")
    if nd == 0:
        return apply(Alias, input)  # PyTorch records an alias for a 0-d tensor
    order = [-1] * nd
    for s, d in zip(ws, wd):
        order[d] = s
    rest = iter(i for i in range(nd) if i not in ws)
    for i in range(nd):
        if order[i] < 0:
            order[i] = next(rest)
    return apply(Permute, input, dims=tuple(order))


def moveaxis(input: Tensor, source, destination) -> Tensor:
    """Alias of ``movedim``."""
    return movedim(input, source, destination)


# -- expand / broadcast ------------------------------------------------------------------
class Expand(Op):
    view = True

    def forward(xp, x, *, size, shape):
        if size == x.shape:
            return x.view()  # nothing to broadcast: an ordinary (writable) view
        return xp.broadcast_to(x, size)

    def vjp(g, out, x, *, size, shape):
        return g.sum_to_size(shape)


def expand(input: Tensor, *sizes) -> Tensor:
    """A view repeating size-1 dimensions to ``sizes`` (-1 keeps a size) without copying.

    >>> leafgrad.tensor([[1.], [2.]]).expand(2, 3)
    tensor([[1., 1., 1.],
            [2., 2., 2.]])
    """
    sizes = _size_args(sizes, "expand", "size")
    shape = input._data.shape
    if sizes == shape:
        return apply(Expand, input, size=sizes, shape=shape)
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(leafgrad.{input.dtype.legacy_name}{{{_shape_str(shape)}}}, "
            f"size={_shape_str(sizes)}): the number of sizes provided "
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
        elif own == 1 and s < 0:
            raise RuntimeError("numel: integer multiplication overflow")  # PyTorch's words
        elif own != s and own != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) "
                f"at non-singleton dimension {i}.  Target sizes: "
                f"{_shape_str(sizes)}.  Tensor sizes: {_shape_str(shape)}"
            )
    return apply(Expand, input, size=tuple(out), shape=shape)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.expand(other.shape)``."""
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, size) -> Tensor:
    """``input.expand(size)``: a view broadcast to ``size``."""
    return expand(input, size)


def _broadcast_pair(a: tuple, b: tuple) -> tuple:
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + a
    pb = (1,) * (n - len(b)) + b
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
    return tuple(out)


def _tensor_items(tensors, fn: str) -> list:
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return list(tensors)


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded (as views) to their common broadcast shape.

    >>> [t.shape for t in leafgrad.broadcast_tensors(leafgrad.zeros(3), leafgrad.zeros(2, 1))]
    [leafgrad.Size([2, 3]), leafgrad.Size([2, 3])]
    """
    tensors = _tensor_items(tensors, "broadcast_tensors")
    if not tensors:
        return ()
    shape = tensors[0]._data.shape
    for t in tensors[1:]:
        if t._data.shape != shape:
            shape = _broadcast_pair(shape, t._data.shape)
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (ints count as 1-D shapes)."""
    result: list = []
    for idx, shape in enumerate(shapes):
        dims = (shape,) if isinstance(shape, _INTS) else tuple(shape)
        if len(dims) > len(result):
            result = [1] * (len(dims) - len(result)) + result
        for i in range(-1, -1 - len(dims), -1):
            s = dims[i]
            if s < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if s == 1 or s == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {s} at {i}! Mismatching "
                    f"argument at index {idx} had {shape!r}; but expected shape should be "
                    f"broadcastable to {result!r}")
            result[i] = s
    return Size(result)


# -- repeat / tile / flip / roll ---------------------------------------------------------
class Repeat(Op):
    array_vjp = True  # reshape and sum(axes) mean the same on arrays and Tensors

    def forward(xp, x, *, repeats, shape):
        lead = len(repeats) - x.ndim
        return xp.tile(x.reshape((1,) * lead + x.shape), repeats)

    def vjp(g, out, x, *, repeats, shape):
        if not repeats:
            return g
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
        inter = []
        for r, s in zip(repeats, padded):
            inter += [r, s]
        return g.reshape(tuple(inter)).sum(tuple(range(0, 2 * len(padded), 2))).reshape(shape)


def repeat(input: Tensor, *repeats) -> Tensor:
    """The tensor tiled ``repeats[i]`` times along each dim (a copy).

    >>> leafgrad.tensor([1., 2.]).repeat(2)
    tensor([1., 2., 1., 2.])
    """
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _size_args(repeats, "repeat", "repeats")
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(reps) - len(shape)) + shape
    for r, s in zip(reps, padded):
        if r < 0:
            out = [r * s for r, s in zip(reps, padded)]
            bad = next(v for v in out if v < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                               f"{_shape_str(out)}")
    return apply(Repeat, input, repeats=reps, shape=shape)


def tile(input: Tensor, *args, dims=None) -> Tensor:
    """``repeat`` with ``dims`` padded with leading 1s to the tensor's number of dims."""
    reps = _size_args(args if dims is None else (dims,), "tile", "dims")
    nd = input._data.ndim
    if len(reps) < nd:
        reps = (1,) * (nd - len(reps)) + reps
    return repeat(input, reps)


class Flip(Op):
    def forward(xp, x, *, dims):
        return xp.flip(x, dims).copy() if dims and x.ndim else x.copy()

    def vjp(g, out, x, *, dims):
        return g.flip(dims)


def flip(input: Tensor, *args, dims=None) -> Tensor:
    """A copy with the order of elements reversed along ``dims``.

    >>> leafgrad.tensor([1., 2., 3.]).flip(0)
    tensor([3., 2., 1.])
    """
    if dims is None:
        if not args:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        dims = args[0] if len(args) == 1 else args
    nd = input._data.ndim
    return apply(Flip, input, dims=_dim_list(dims, nd))


def fliplr(input: Tensor) -> Tensor:
    """``flip`` of dim 1 (left/right); needs at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return apply(Flip, input, dims=(1,))


def flipud(input: Tensor) -> Tensor:
    """``flip`` of dim 0 (up/down); needs at least 1 dim."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return apply(Flip, input, dims=(0,))


class Roll(Op):
    def forward(xp, x, *, shifts, dims):
        if not dims:
            return xp.roll(x, shifts[0])  # flattened, then the shape restored
        return xp.roll(x, shifts, dims)

    def vjp(g, out, x, *, shifts, dims):
        return g.roll(tuple(-s for s in shifts), dims if dims else None)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Elements shifted circularly by ``shifts`` along ``dims`` (flattened when None).

    >>> leafgrad.tensor([1., 2., 3.]).roll(1)
    tensor([3., 1., 2.])
    """
    sh = (shifts,) if isinstance(shifts, _INTS) else _ints(tuple(shifts), "roll", "shifts")
    nd = input._data.ndim
    if dims is None:
        if not sh:
            raise RuntimeError("`shifts` required")
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return apply(Roll, input, shifts=sh, dims=())
    dm = (dims,) if isinstance(dims, _INTS) else tuple(dims)
    if not sh:
        raise RuntimeError("`shifts` required")
    if len(sh) != len(dm):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims:{len(dm)}")
    if nd == 0:
        raise IndexError(f"Dimension specified as {dm[0]} but tensor has no dimensions")
    return apply(Roll, input, shifts=sh, dims=tuple(_wrap_dim(d, nd) for d in dm))


# -- narrow / select / unbind / split ----------------------------------------------------
def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """A view of ``length`` elements of dim ``dim`` from ``start`` (negative counts back).

    >>> leafgrad.arange(5.).narrow(0, 1, 3)
    tensor([1., 2., 3.])
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    start = operator.index(start)
    length = operator.index(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    n = shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but "
                         f"got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({n}).")
    return apply(Slice, input, dim=d, start=start, end=start + length, step=1, shape=shape)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """A view of slice ``index`` of dim ``dim``, without that dim.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).select(1, 0)
    tensor([1., 3.])
    """
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    index = operator.index(index)
    n = shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_shape_str(shape)} at dimension {d}")
    if index < 0:
        index += n
    return apply(Select, input, dim=d, index=index, shape=shape)


_VARIANTS: dict = {}


def _variant(base: type, n: int, args: str | None = None) -> type:
    """``base`` with ``n`` outputs (``args``: with ``n`` tensor arguments), cached.

    The number of outputs of unbind/split, and of inputs of cat/stack, depends on the
    call; an Op declares it, so each count gets its own (cached) subclass.
    """
    key = (base, n, args)
    op = _VARIANTS.get(key)
    if op is None:
        attrs = {"name": base.name or base.__name__ + "Backward0"}
        if args is None:
            attrs["outputs"] = n
        else:
            attrs["args"] = (args,) * n
        op = _VARIANTS[key] = type(base.__name__, (base,), attrs)
    return op


def _as_tuple(g) -> tuple:
    return g if g.__class__ is tuple else (g,)


class Unbind(Op):
    """Every slice of ``dim`` as a view (``outputs`` set per call by ``_variant``)."""

    view = True

    def forward(xp, x, *, dim):
        lead = (slice(None),) * dim
        parts = tuple(x[lead + (i,)] for i in range(x.shape[dim]))
        return parts if len(parts) != 1 else parts[0]

    def vjp(g, out, x, *, dim):
        return stack(list(_as_tuple(g)), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices of ``dim`` as a tuple of views.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).unbind(1)
    (tensor([1., 3.]), tensor([2., 4.]))
    """
    shape = input._data.shape
    if not shape:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    if n == 0:
        return ()
    out = apply(_variant(Unbind, n), input, dim=d)
    return out if n != 1 else (out,)


class Split(Op):
    """Consecutive pieces of ``dim`` of size ``split_size`` (the last may be smaller)."""

    view = True

    def forward(xp, x, *, dim, split_size, shape):
        return _pieces(x, dim, _split_sizes(shape[dim], split_size))

    def vjp(g, out, x, *, dim, split_size, shape):
        return cat(list(_as_tuple(g)), dim)


class SplitWithSizes(Op):
    view = True

    def forward(xp, x, *, dim, split_sizes, shape):
        return _pieces(x, dim, split_sizes)

    def vjp(g, out, x, *, dim, split_sizes, shape):
        return cat(list(_as_tuple(g)), dim)


def _split_sizes(n: int, size: int) -> list:
    if n == 0:
        return [0]
    return [min(size, n - i) for i in range(0, n, size)]


def _pieces(x, dim: int, sizes):
    lead = (slice(None),) * dim
    parts = []
    start = 0
    for s in sizes:
        parts.append(x[lead + (slice(start, start + s),)])
        start += s
    return tuple(parts) if len(parts) != 1 else parts[0]


def split(input: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Views of consecutive pieces of ``dim``: of one size (an int) or of the listed sizes.

    >>> [p.tolist() for p in leafgrad.arange(5.).split(2)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """
    shape = input._data.shape
    if isinstance(split_size_or_sections, _INTS):
        size = operator.index(split_size_or_sections)
        if not shape:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        d = _wrap_dim(dim, len(shape))
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={size}")
        n = shape[d]
        if size == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        count = len(_split_sizes(n, size))
        out = apply(_variant(Split, count), input, dim=d, split_size=size, shape=shape)
        return out if count != 1 else (out,)
    sizes = _ints(tuple(split_size_or_sections), "split", "split_size")
    return _split_with_sizes(input, sizes, dim)


def _split_with_sizes(input: Tensor, sizes: tuple, dim: int) -> tuple:
    shape = input._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, len(shape))
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={_shape_str(sizes)}")
    if sum(sizes) != shape[d]:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {shape[d]} (input "
            f"tensor's size at dimension {d}), but got split_sizes={_shape_str(sizes)}")
    if not sizes:
        return ()
    out = apply(_variant(SplitWithSizes, len(sizes)), input, dim=d, split_sizes=sizes,
                shape=shape)
    return out if len(sizes) != 1 else (out,)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """At most ``chunks`` views of equal size along ``dim`` (the last may be smaller)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0 and n == 0:
        return _split_with_sizes(input, (0,) * chunks, d)
    return split(input, size, d)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Views split at ``indices`` along ``dim``, or into ``sections`` near-equal parts."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        a = spec._data
        if a.dtype != np.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {_SCALAR_TYPE[a.dtype.name]}")
        if a.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {a.ndim} dims")
        spec = int(a) if a.ndim == 0 else [int(v) for v in a]
    if isinstance(spec, _INTS):
        sections = operator.index(spec)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        q, r = divmod(n, sections)
        bounds = []
        start = 0
        for i in range(sections):
            end = start + q + (1 if i < r else 0)
            bounds.append((start, end))
            start = end
    else:
        idx = [i + n if i < 0 else i for i in _ints(tuple(spec), "tensor_split", "indices")]
        bounds = []
        start = 0
        for i in idx + [n]:
            s = min(max(start, 0), n)
            e = min(max(i, s), n)
            bounds.append((s, e))
            start = i
    return tuple(apply(Slice, input, dim=d, start=s, end=e, step=1, shape=shape)
                 for s, e in bounds)


# -- cat / stack -------------------------------------------------------------------------
def _tensor_list(tensors, fn: str) -> list:
    cls = tensors.__class__
    if cls is list or cls is tuple:
        for t in tensors:
            if t.__class__ is not Tensor:
                break
        else:
            return tensors
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    return _tensor_items(tensors, fn)


def _promoted(tensors: list):
    d = tensors[0]._data.dtype
    for t in tensors:
        if t._data.dtype is not d and t._data.dtype != d:
            r = _dt.FROM_NP[d]
            for u in tensors:
                r = _dt.promote_types(r, _dt.FROM_NP[u._data.dtype])
            return r.np
    return d


class Cat(Op):
    """Concatenation along ``dim``.

    ``sizes``: each input's size along ``dim``, None for skipped legacy empty tensors;
    ``floats``: which inputs are floating (the others never get a gradient).
    """

    def forward(xp, *xs, dim, sizes, dtype, floats):
        if dtype is None:  # cat's fast path: one dtype, nothing skipped
            return xp.concatenate(xs, axis=dim)
        arrays = [a for a, s in zip(xs, sizes) if s is not None]
        if not arrays:
            return xp.zeros((0,), dtype)
        return xp.concatenate(arrays, axis=dim, dtype=dtype, casting="unsafe")

    def vjp(g, out, *xs, dim, sizes, dtype, floats):
        kept = tuple(s for s in sizes if s is not None)
        parts = iter(_split_with_sizes(g, kept, dim) if kept else ())
        grads = []
        for s, f in zip(sizes, floats):
            if s is not None:
                part = next(parts)
                grads.append(part if f else None)
            else:
                grads.append(_zeros_like_grad(g, (0,)) if f else None)
        return grads[0] if len(grads) == 1 else tuple(grads)


def _zeros_like_grad(g, shape) -> Tensor:
    return Tensor._make(np.zeros(shape, g._data.dtype))


def cat(tensors, dim: int = 0, *, axis: int | None = None, out=None) -> Tensor:
    """The tensors joined along an existing dim ``dim`` (dtypes promoted).

    1-D tensors of size 0 are skipped, as PyTorch does for legacy reasons.

    >>> leafgrad.cat([leafgrad.zeros(1, 2), leafgrad.ones(1, 2)]).tolist()
    [[0.0, 0.0], [1.0, 1.0]]
    """
    if axis is not None:
        dim = axis
    cls = tensors.__class__
    if (cls is list or cls is tuple) and tensors and tensors[0].__class__ is Tensor:
        # The common case: tensors of one dtype and ndim; NumPy checks the other sizes.
        first = tensors[0]._data
        nd, dt = first.ndim, first.dtype
        if nd and first.shape != _EMPTY_1D:  # (a legacy empty first tensor: checked below)
            d = dim if 0 <= dim < nd else _wrap_dim(dim, nd)
            sizes = []
            for t in tensors:
                if t.__class__ is not Tensor:
                    break
                a = t._data
                if a.ndim != nd or a.dtype != dt:
                    break
                sizes.append(a.shape[d])
            else:
                n = len(sizes)
                try:
                    return apply(_variant(Cat, n, "tensors"), *tensors, dim=d,
                                 sizes=tuple(sizes), dtype=None, floats=(dt.kind == "f",) * n)
                except ValueError:
                    pass  # mismatched sizes: the checks below raise PyTorch's error
    return _cat_checked(tensors, dim)


def _cat_checked(tensors, dim: int) -> Tensor:
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("leafgrad.cat(): expected a non-empty list of Tensors")
    ref = None
    for i, t in enumerate(tensors):
        s = t._data.shape
        if not s:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
        if ref is None and s != (0,):
            ref = i
    if ref is None:  # only legacy empty tensors: PyTorch checks nothing more
        d = 0
        sizes = tuple(None for _ in tensors)
    else:
        rshape = tensors[ref]._data.shape
        nd = len(rshape)
        d = _wrap_dim(dim, nd)
        sizes = []
        for i, t in enumerate(tensors):
            s = t._data.shape
            if s == (0,) and nd != 1:  # a legacy empty tensor: skipped
                sizes.append(None)
                continue
            if len(s) != nd:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} "
                                   f"and {len(s)}")
            for k in range(nd):
                if k != d and s[k] != rshape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{rshape[k]} but got size {s[k]} for tensor number {i} in the list.")
            sizes.append(s[d])
        sizes = tuple(sizes)
    op = _variant(Cat, len(tensors), "tensors")
    return apply(op, *tensors, dim=d, sizes=sizes, dtype=_promoted(tensors),
                 floats=_floats(tensors))


def concat(tensors, dim: int = 0, *, axis: int | None = None, out=None) -> Tensor:
    """Alias of ``cat``."""
    return cat(tensors, dim, axis=axis)


def concatenate(tensors, axis: int = 0, *, dim: int | None = None, out=None) -> Tensor:
    """Alias of ``cat`` (NumPy's name and ``axis``)."""
    return cat(tensors, axis if dim is None else dim)


def _floats(tensors: list) -> tuple:
    return tuple(t._data.dtype.kind == "f" for t in tensors)


class Stack(Op):
    def forward(xp, *xs, dim, dtype, floats):
        key = _UNSQUEEZE_KEYS[dim]  # one concatenate of views: faster than xp.stack
        if dtype is None:
            return xp.concatenate([a[key] for a in xs], axis=dim)
        return xp.concatenate([a[key] for a in xs], axis=dim, dtype=dtype, casting="unsafe")

    def vjp(g, out, *xs, dim, dtype, floats):
        gs = [gi if f else None for gi, f in zip(unbind(g, dim), floats)]
        return gs[0] if len(gs) == 1 else tuple(gs)


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """The tensors (all of one shape) joined along a new dim ``dim``.

    >>> leafgrad.stack([leafgrad.zeros(2), leafgrad.ones(2)], 1).tolist()
    [[0.0, 1.0], [0.0, 1.0]]
    """
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data
    shape, dt = first.shape, first.dtype
    d = _wrap_dim(dim, len(shape) + 1)
    mixed = False
    for i, t in enumerate(tensors):
        a = t._data
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{_shape_str(shape)} at entry 0 and "
                               f"{_shape_str(a.shape)} at entry {i}")
        if a.dtype != dt:
            mixed = True
    op = _variant(Stack, len(tensors), "tensors")
    if mixed:
        return apply(op, *tensors, dim=d, dtype=_promoted(tensors), floats=_floats(tensors))
    return apply(op, *tensors, dim=d, dtype=None, floats=(dt.kind == "f",) * len(tensors))


def _atleast(tensors: tuple, n: int):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(_atleast_one(t, n) for t in tensors[0])
    if len(tensors) == 1:
        return _atleast_one(tensors[0], n)
    return tuple(_atleast_one(t, n) for t in tensors)


def _atleast_one(t: Tensor, n: int) -> Tensor:
    nd = t._data.ndim
    if nd >= n:
        return t
    if nd == 0:
        return reshape(t, (1,) * n)
    if n == 2:
        return unsqueeze(t, 0)
    if nd == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (0-d tensors become shape ``(1,)``)."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims (leading size-1 dims added)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims (NumPy's placement of the new dims)."""
    return _atleast(tensors, 3)


def _stack_list(tensors, fn: str) -> list:
    tensors = _tensor_list(tensors, fn)
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None) -> Tensor:
    """Concatenation along dim 1 (dim 0 for 1-D tensors), after ``atleast_1d``."""
    ts = [_atleast_one(t, 1) for t in _stack_list(tensors, "hstack")]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None) -> Tensor:
    """Concatenation along dim 0 after ``atleast_2d``."""
    return cat([_atleast_one(t, 2) for t in _stack_list(tensors, "vstack")], 0)


def dstack(tensors, *, out=None) -> Tensor:
    """Concatenation along dim 2 after ``atleast_3d``."""
    return cat([_atleast_one(t, 3) for t in _stack_list(tensors, "dstack")], 2)


# -- diagonals and triangles -------------------------------------------------------------
def _diag_view(xp, a, offset: int, d1: int, d2: int):
    """A writable view of the diagonal ``offset`` of dims ``d1``, ``d2`` (as the last dim)."""
    n1, n2 = a.shape[d1], a.shape[d2]
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        s1, s2 = 0, offset
    else:
        length = max(0, min(n1 + offset, n2))
        s1, s2 = -offset, 0
    if length and (s1 or s2):
        key = [slice(None)] * a.ndim
        key[d1] = slice(s1, None)
        key[d2] = slice(s2, None)
        a = a[tuple(key)]
    st = a.strides
    keep = [i for i in range(a.ndim) if i != d1 and i != d2]
    shape = tuple(a.shape[i] for i in keep) + (length,)
    strides = tuple(st[i] for i in keep) + (st[d1] + st[d2],)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


class Diagonal(Op):
    view = True

    def forward(xp, x, *, offset, dim1, dim2, shape):
        return _diag_view(xp, x, offset, dim1, dim2)

    def vjp(g, out, x, *, offset, dim1, dim2, shape):
        return apply(DiagonalBackwardOp, g, offset=offset, dim1=dim1, dim2=dim2, shape=shape)


class DiagonalCopy(Diagonal):
    """``diag`` of a matrix: the diagonal as a new tensor."""

    view = False
    name = "DiagonalBackward0_copy"

    def forward(xp, x, *, offset, dim1, dim2, shape):
        return _diag_view(xp, x, offset, dim1, dim2).copy()


class DiagonalBackwardOp(Op):
    """Zeros of ``shape`` with ``g`` on the diagonal (linear in ``g``)."""

    name = "DiagonalBackwardBackward0"

    def forward(xp, g, *, offset, dim1, dim2, shape):
        z = xp.zeros(shape, g.dtype)
        _diag_view(xp, z, offset, dim1, dim2)[...] = g
        return z

    def vjp(gg, out, g, *, offset, dim1, dim2, shape):
        return apply(Diagonal, gg, offset=offset, dim1=dim1, dim2=dim2, shape=gg._data.shape)


def _diag_dims(nd: int, dim1: int, dim2: int) -> tuple:
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal of dims ``dim1``/``dim2`` (above it for ``offset`` > 0),
    as the last dim.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).diagonal()
    tensor([1., 4.])
    """
    shape = input._data.shape
    d1, d2 = _diag_dims(len(shape), dim1, dim2)
    return apply(Diagonal, input, offset=offset, dim1=d1, dim2=d2, shape=shape)


class DiagEmbed(Op):
    def forward(xp, x, *, offset, dim1, dim2):
        n = x.shape[-1] + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        z = xp.zeros(shape, x.dtype)
        _diag_view(xp, z, offset, dim1, dim2)[...] = x
        return z

    def vjp(g, out, x, *, offset, dim1, dim2):
        return apply(Diagonal, g, offset=offset, dim1=dim1, dim2=dim2, shape=g._data.shape)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Zeros with the last dim of ``input`` on the diagonal of dims ``dim1``/``dim2``."""
    d1, d2 = _diag_dims(input._data.ndim + 1, dim1, dim2)
    return apply(DiagEmbed, input, offset=offset, dim1=d1, dim2=d2)


def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """A vector -> a square matrix with it on the diagonal; a matrix -> its diagonal (a copy).

    >>> leafgrad.diag(leafgrad.tensor([1., 2.]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    shape = input._data.shape
    if len(shape) == 1:
        return apply(DiagEmbed, input, offset=diagonal, dim1=0, dim2=1)
    if len(shape) == 2:
        return apply(DiagonalCopy, input, offset=diagonal, dim1=0, dim2=1, shape=shape)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {len(shape)}D")


def _triangle_int(fn: str, diagonal) -> int:
    if not isinstance(diagonal, _INTS) or isinstance(diagonal, bool):
        raise TypeError(f"{fn}(): argument 'diagonal' (position 2) must be int, not "
                        f"{type(diagonal).__name__}")
    return operator.index(diagonal)


class Tril(Op):
    def forward(xp, x, *, diagonal):
        return xp.tril(x, diagonal)

    def vjp(g, out, x, *, diagonal):
        return apply(Tril, g, diagonal=diagonal)


class Triu(Op):
    def forward(xp, x, *, diagonal):
        return xp.triu(x, diagonal)

    def vjp(g, out, x, *, diagonal):
        return apply(Triu, g, diagonal=diagonal)


def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The lower triangle (on and below diagonal ``diagonal``) of the last two dims."""
    k = _triangle_int("tril", diagonal)
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return apply(Tril, input, diagonal=k)


def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The upper triangle (on and above diagonal ``diagonal``) of the last two dims."""
    k = _triangle_int("triu", diagonal)
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return apply(Triu, input, diagonal=k)


# -- repeat_interleave / unfold / meshgrid -----------------------------------------------
def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice of ``dim``) repeated ``repeats`` times in place.

    >>> leafgrad.tensor([1., 2.]).repeat_interleave(2)
    tensor([1., 1., 2., 2.])
    """
    if repeats is None:  # repeat_interleave(counts): indices repeated by counts
        r = input._data
        if r.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        _check_repeats(r)
        return Tensor._make(np.repeat(np.arange(r.shape[0], dtype=np.int64), r))
    if isinstance(repeats, _INTS) and not isinstance(repeats, bool):
        reps = operator.index(repeats)
        if reps < 0:
            raise RuntimeError("Repeats must be non-negative")
        x = input
        if dim is None:
            x = flatten(x)
            d = 0
        else:
            d = _wrap_dim(dim, x._data.ndim)
        shape = x._data.shape
        total = (shape[d] if shape else 1) * reps
        if output_size is not None and output_size != total:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but "
                               f"got {output_size}")
        # PyTorch's composite: unsqueeze, expand, a contiguous clone, a view.
        y = unsqueeze(x, d + 1)
        big = y._data.shape[:d + 1] + (reps,) + y._data.shape[d + 2:]
        y = apply(CloneContiguous, expand(y, big))
        return reshape(y, shape[:d] + (total,) + shape[d + 1:])
    if not isinstance(repeats, Tensor):
        raise TypeError(f"repeat_interleave(): argument 'repeats' (position 1) must be Tensor, "
                        f"not {type(repeats).__name__}")
    r = repeats._data
    if r.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    x = input
    if dim is None:
        x = flatten(x)
        d = 0
    else:
        if x._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = _wrap_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if r.ndim == 0 or r.shape[0] == 1:
        r = np.broadcast_to(r.reshape(()), (n,))
    elif r.shape[0] != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.shape[0]} and input.size({d}) = {n}")
    _check_repeats(r)
    idx = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and output_size != idx.shape[0]:
        raise RuntimeError("allocated size does not match required size")
    return x.index_select(d, Tensor._make(idx))


def _check_repeats(r) -> None:
    if r.dtype not in (np.int64, np.int32):
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                  f"'{_SCALAR_TYPE[r.dtype.name]}'")
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")


def _windows(xp, x, dim: int, size: int, step: int):
    """A writable view of the windows of ``size`` every ``step`` along ``dim`` (last dim)."""
    if x.ndim == 0:
        return xp.lib.stride_tricks.as_strided(x, (size,), (0,))
    n = x.shape[dim]
    count = (n - size) // step + 1
    shape = x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,)
    st = x.strides
    strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


class Unfold(Op):
    view = True

    def forward(xp, x, *, dimension, size, step, shape):
        return _windows(xp, x, dimension, size, step)

    def vjp(g, out, x, *, dimension, size, step, shape):
        return apply(UnfoldBackwardOp, g, dimension=dimension, size=size, step=step,
                     shape=shape)


class UnfoldBackwardOp(Op):
    """The windows' gradients summed back into the input's shape (linear in ``g``)."""

    name = "UnfoldBackwardBackward0"

    def forward(xp, g, *, dimension, size, step, shape):
        if not shape:
            return g.sum().astype(g.dtype).reshape(())
        z = xp.zeros(shape, g.dtype)
        count = g.shape[dimension]
        lead = (slice(None),) * dimension
        for k in range(size):  # one strided slice per window position, all windows at once
            z[lead + (slice(k, k + step * (count - 1) + 1, step),)] += g[..., k]
        return z

    def vjp(gg, out, g, *, dimension, size, step, shape):
        return apply(Unfold, gg, dimension=dimension, size=size, step=step, shape=shape)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """A view of the windows of ``size`` every ``step`` along ``dimension``, as a new last dim.

    >>> leafgrad.arange(4.).unfold(0, 2, 1)
    tensor([[0., 1.],
            [1., 2.],
            [2., 3.]])
    """
    shape = input._data.shape
    d = _wrap_dim(dimension, len(shape))
    n = shape[d] if shape else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return apply(Unfold, input, dimension=d, size=size, step=step, shape=shape)


_MESHGRID_WARNING = ("leafgrad.meshgrid: in an upcoming release, it will be required to pass "
                     "the indexing argument.")


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors: ``indexing='ij'`` (matrix) or ``'xy'`` (Cartesian).

    >>> [g.tolist() for g in leafgrad.meshgrid(leafgrad.tensor([1, 2]),
    ...                                        leafgrad.tensor([3, 4, 5]), indexing='ij')][0]
    [[1, 1, 1], [2, 2, 2]]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensor_items(tensors, "meshgrid")
    if indexing is None:
        warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            # PyTorch prints the tensor's values here; its type and shape are enough.
            raise RuntimeError("leafgrad.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: [ leafgrad.{t.dtype.legacy_name}"
                               f"{{{','.join(map(str, t._data.shape))}}} ]")
    if indexing not in ("ij", "xy"):
        raise RuntimeError('leafgrad.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    d0 = tensors[0]._data.dtype
    if any(t._data.dtype != d0 for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    sizes = tuple(t._data.size for t in order)
    n = len(order)
    grids = []
    for i, t in enumerate(order):
        shape = (1,) * i + (sizes[i],) + (1,) * (n - i - 1)
        grids.append(expand(view(t, shape), sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# -- contiguous / clone ------------------------------------------------------------------
def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """Self when already C-contiguous, else a contiguous copy (recorded as a clone)."""
    if input._data.flags.c_contiguous:
        return input
    return apply(CloneContiguous, input)


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy (same memory layout) that is differentiable: gradients flow back unchanged.

    >>> leafgrad.tensor([1., 2.], requires_grad=True).clone()
    tensor([1., 2.], grad_fn=<CloneBackward0>)
    """
    return apply(Clone, input)
