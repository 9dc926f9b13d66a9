"""OpInfo entries: shape and view ops."""

from __future__ import annotations

from .opdb import OpInfo, Sample


# -- drawing helpers ---------------------------------------------------------------------
def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _primes(n: int) -> list:
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


def _target(d, shape: tuple, infer: bool = True) -> tuple:
    """A shape with as many elements as ``shape`` (one side may be -1)."""
    n = _prod(shape)
    if n == 0:
        dims = [0] + [d.int(1, 3) for _ in range(d.int(0, 2))]
        k = d.int(0, len(dims) - 1)
        dims[0], dims[k] = dims[k], dims[0]
        return tuple(dims)
    dims: list = []
    for f in _primes(n):
        if dims and d.bool():
            dims[-1] *= f
        else:
            dims.append(f)
    for _ in range(d.int(0, 1)):
        dims.insert(d.int(0, len(dims)), 1)
    if infer and dims and d.bool():
        dims[d.int(0, len(dims) - 1)] = -1
    return tuple(dims)


def _perm(d, n: int) -> list:
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = d.int(0, i)
        p[i], p[j] = p[j], p[i]
    return p


def _neg(d, dims, n: int) -> tuple:
    """Dims with some written negatively."""
    return tuple(x - n if d.bool() else x for x in dims)


def _ones_shape(d, min_dims: int = 0, max_dims: int = 4) -> tuple:
    return tuple(d.choice((0, 1, 1, 2, 3)) for _ in range(d.int(min_dims, max_dims)))


def _x(d, min_dims=0, max_dims=3, min_side=0, max_side=4, **kw):
    return d.array(d.shape(min_dims, max_dims, min_side, max_side), **kw)


# -- view / reshape ----------------------------------------------------------------------
def _view(d):
    shape = d.shape()
    return Sample(d.array(shape, noncontig=False), _target(d, shape))


def _view_noncontig(d):
    # The last dim is strided: merging or splitting the leading dims stays a view.
    shape = d.shape(2, 3, 1, 4)
    lead = _target(d, shape[:-1], infer=False)
    return Sample(d.array(shape, noncontig=True), lead + (shape[-1],))


def _reshape(d):
    shape = d.shape()
    return Sample(d.array(shape), _target(d, shape))


def _as(d):
    shape = d.shape()
    other = tuple(s if s != -1 else 1 for s in _target(d, shape, infer=False))
    return Sample(d.array(shape, noncontig=False), d.array(other, noncontig=False))


def _flatten(d):
    shape = d.shape()
    nd = len(shape)
    if d.bool():
        return Sample(d.array(shape))
    a, b = sorted((d.int(0, max(nd - 1, 0)), d.int(0, max(nd - 1, 0))))
    return Sample(d.array(shape), *_neg(d, (a, b), max(nd, 1)))


def _unflatten(d):
    shape = d.shape(1, 3)
    dim = d.int(0, len(shape) - 1)
    sizes = _target(d, (shape[dim],)) or (1,)
    return Sample(d.array(shape), dim - len(shape) if d.bool() else dim, sizes)


# -- squeeze / unsqueeze / permute / transpose -------------------------------------------
def _squeeze(d):
    shape = _ones_shape(d)
    x = d.array(shape)
    k = d.int(0, 2)
    if k == 0:
        return Sample(x)
    if k == 1:
        return Sample(x, d.dim(len(shape)))
    return Sample(x, d.dims(len(shape)))


def _unsqueeze(d):
    shape = d.shape()
    n = len(shape) + 1
    return Sample(d.array(shape), d.int(-n, n - 1))


def _permute(d):
    shape = d.shape()
    return Sample(d.array(shape), _neg(d, _perm(d, len(shape)), len(shape)))


def _two_dims(d):
    shape = d.shape()
    return Sample(d.array(shape), d.dim(len(shape)), d.dim(len(shape)))


def _matrix(d):
    return Sample(d.array(d.shape(2, 2)))


def _batch_matrix(d):
    return Sample(d.array(d.shape(2, 4, 0, 3)))


def _movedim(d):
    shape = d.shape()
    n = len(shape)
    if n and d.bool():
        return Sample(d.array(shape), d.dim(n), d.dim(n))
    k = d.int(0, n)
    src = _perm(d, n)[:k]
    dst = _perm(d, n)[:k]
    return Sample(d.array(shape), _neg(d, src, n), list(_neg(d, dst, n)))


# -- expand / broadcast / repeat ---------------------------------------------------------
def _expand(d):
    shape = _ones_shape(d, 0, 3)
    target = [d.int(0, 3) if s == 1 else (-1 if d.bool() else s) for s in shape]
    lead = [d.int(0, 3) for _ in range(d.int(0, 1))]
    return Sample(d.array(shape), tuple(lead + target))


def _expand_as(d):
    shape = _ones_shape(d, 0, 3)
    target = [d.int(0, 3) if s == 1 else s for s in shape]
    lead = [d.int(1, 3) for _ in range(d.int(0, 1))]
    return Sample(d.array(shape), d.array(tuple(lead + target)))


def _broadcast_tensors(d):
    a = d.shape()
    return Sample(d.array(a), d.array(d.broadcastable(a)),
                  d.array(d.broadcastable(a, max_extra=0)))


def _broadcast_shapes(d):
    a = d.shape()
    b = d.broadcastable(a)
    return Sample(a, b, d.int(1, 1) if d.bool() else d.broadcastable(a, max_extra=0))


def _repeat(d):
    shape = d.shape()
    reps = tuple(d.int(0, 3) for _ in range(len(shape) + d.int(0, 1)))
    return Sample(d.array(shape), reps)


def _tile(d):
    shape = d.shape()
    reps = tuple(d.int(0, 3) for _ in range(d.int(0, len(shape) + 1)))
    return Sample(d.array(shape), reps)


def _repeat_interleave(d):
    shape = d.shape()
    dim = d.dim(len(shape), allow_none=True) if shape else None
    return Sample(d.array(shape), d.int(0, 3), dim)


def _repeat_interleave_tensor(d):
    shape = d.shape(1, 3)
    dim = d.dim(len(shape))
    n = shape[dim]
    k = d.int(0, 2)
    reps = d.ints((), 0, 3) if k == 0 else d.ints((1,) if k == 1 else (n,), 0, 3)
    return Sample(d.array(shape), reps, dim)


# -- flip / roll -------------------------------------------------------------------------
def _flip(d):
    shape = d.shape()
    return Sample(d.array(shape), d.dims(len(shape)))


def _roll(d):
    shape = d.shape()
    n = len(shape)
    if d.bool() or n == 0:
        return Sample(d.array(shape), d.int(-5, 5))
    dims = d.dims(n)
    if not dims:
        dims = (d.dim(n),)
    if len(dims) == 1 and d.bool():
        return Sample(d.array(shape), d.int(-5, 5), dims[0])
    return Sample(d.array(shape), tuple(d.int(-5, 5) for _ in dims), dims)


# -- narrow / select / unbind / split ----------------------------------------------------
def _narrow(d):
    shape = d.shape(1, 3)
    dim = d.dim(len(shape))
    n = shape[dim]
    start = d.int(-n, n)
    s = start + n if start < 0 else start
    return Sample(d.array(shape), dim, start, d.int(0, n - s))


def _select(d):
    shape = d.shape(1, 3, 1, 4)
    dim = d.dim(len(shape))
    n = shape[dim]
    return Sample(d.array(shape), dim, d.int(-n, n - 1))


def _unbind(d):
    shape = d.shape(1, 3)
    return Sample(d.array(shape), d.dim(len(shape)))


def _split(d):
    shape = d.shape(1, 3)
    dim = d.dim(len(shape))
    n = shape[dim]
    return Sample(d.array(shape), d.int(0 if n == 0 else 1, n + 1), dim)


def _split_sizes(d):
    shape = d.shape(1, 3)
    dim = d.dim(len(shape))
    n = shape[dim]
    sizes = []
    while n > 0:
        s = d.int(0, n)
        sizes.append(s)
        n -= s
    if d.bool():
        sizes.insert(d.int(0, len(sizes)), 0)
    return Sample(d.array(shape), sizes, dim)


def _chunk(d):
    shape = d.shape(1, 3)
    return Sample(d.array(shape), d.int(1, 5), d.dim(len(shape)))


def _tensor_split(d):
    shape = d.shape(1, 3)
    dim = d.dim(len(shape))
    n = shape[dim]
    if d.bool():
        return Sample(d.array(shape), d.int(1, 5), dim)
    return Sample(d.array(shape), [d.int(-n - 1, n + 1) for _ in range(d.int(0, 3))], dim)


# -- cat / stack -------------------------------------------------------------------------
def _cat(d):
    shape = d.shape(1, 3)
    dim = d.dim(len(shape))
    arrays = []
    for _ in range(d.int(1, 3)):
        s = list(shape)
        s[dim] = d.int(0, 3)
        arrays.append(d.array(tuple(s)))
    return Sample(arrays, dim)


def _cat_mixed(d):
    # Promotion across inputs (an integer one among floats) and legacy empty 1-D tensors.
    shape = d.shape(2, 3, 1, 3)
    dim = d.dim(len(shape))
    arrays = [d.array(shape), d.array(shape, dtype="int64", lo=-3, hi=3)]
    if d.bool():
        arrays.insert(d.int(0, 2), d.array((0,), noncontig=False))
    return Sample(arrays, dim)


def _stack(d):
    shape = d.shape()
    return Sample([d.array(shape) for _ in range(d.int(1, 3))], d.int(-len(shape) - 1,
                                                                     len(shape)))


def _hvd_stack(d):
    # Matching shapes except along the concatenated dim are not drawn: same shape for all.
    shape = d.shape(0, 3, 1, 3)
    return Sample([d.array(shape) for _ in range(d.int(1, 3))])


def _atleast(d):
    return Sample(_x(d))


# -- diagonals ---------------------------------------------------------------------------
def _diag(d):
    shape = d.shape(1, 2)
    return Sample(d.array(shape), d.int(-3, 3))


def _diagonal(d):
    shape = d.shape(2, 4)
    n = len(shape)
    a, b = _perm(d, n)[:2]
    return Sample(d.array(shape), d.int(-3, 3), *_neg(d, (a, b), n))


def _diag_embed(d):
    shape = d.shape(1, 3)
    n = len(shape) + 1
    a, b = _perm(d, n)[:2]
    return Sample(d.array(shape), d.int(-2, 2), *_neg(d, (a, b), n))


def _triangle(d):
    return Sample(d.array(d.shape(2, 4)), d.int(-3, 3))


def _unfold(d):
    shape = d.shape(0, 3)
    dim = d.dim(len(shape))
    n = shape[dim] if shape else 1
    return Sample(d.array(shape), dim, d.int(0, n), d.int(1, 3))


def _meshgrid(d):
    xs = [d.array(d.shape(1, 1) if d.int(0, 3) else ()) for _ in range(d.int(1, 3))]
    return Sample(*xs, indexing=d.choice(("ij", "xy")))


def _any(d):
    return Sample(_x(d))


def _expand_fn(T, x, s):
    return x.expand(*s) if s else x.expand(s)


ENTRIES = [
    OpInfo("view", _view, fn=lambda T, x, s: x.view(*s) if s else x.view(s)),
    OpInfo("view", _view_noncontig, fn=lambda T, x, s: x.view(s), id="view_noncontig"),
    OpInfo("view_as", _as, fn=lambda T, x, o: x.view_as(o)),
    OpInfo("reshape", _reshape),
    OpInfo("reshape_as", _as, fn=lambda T, x, o: x.reshape_as(o)),
    OpInfo("flatten", _flatten),
    OpInfo("ravel", _any),
    OpInfo("unflatten", _unflatten),
    OpInfo("squeeze", _squeeze),
    OpInfo("unsqueeze", _unsqueeze),
    OpInfo("permute", _permute),
    OpInfo("transpose", _two_dims),
    OpInfo("swapaxes", _two_dims, examples=4),
    OpInfo("swapdims", _two_dims, examples=4),
    OpInfo("t", lambda d: Sample(_x(d, 0, 2))),
    OpInfo("T", _matrix, fn=lambda T, x: x.T, method=False, id="T_property"),
    OpInfo("mT", _batch_matrix, fn=lambda T, x: x.mT, method=False),
    OpInfo("mH", _batch_matrix, fn=lambda T, x: x.mH, method=False, examples=4),
    OpInfo("movedim", _movedim),
    OpInfo("moveaxis", _movedim, examples=4),
    OpInfo("expand", _expand, fn=_expand_fn),
    OpInfo("expand_as", _expand_as, fn=lambda T, x, o: x.expand_as(o)),
    OpInfo("broadcast_to", _expand_as, fn=lambda T, x, o: T.broadcast_to(x, o.shape),
           method=False),
    OpInfo("broadcast_tensors", _broadcast_tensors, method=False),
    OpInfo("broadcast_shapes", _broadcast_shapes, method=False, grad=False),
    OpInfo("repeat", _repeat, fn=lambda T, x, r: x.repeat(*r) if r else x.repeat(r)),
    OpInfo("tile", _tile),
    OpInfo("flip", _flip),
    OpInfo("fliplr", lambda d: Sample(_x(d, 2, 3))),
    OpInfo("flipud", lambda d: Sample(_x(d, 1, 3))),
    OpInfo("roll", _roll),
    OpInfo("narrow", _narrow),
    OpInfo("select", _select),
    OpInfo("unbind", _unbind),
    OpInfo("split", _split),
    OpInfo("split", _split_sizes, id="split_sizes"),
    OpInfo("chunk", _chunk),
    OpInfo("tensor_split", _tensor_split),
    OpInfo("cat", _cat, method=False),
    OpInfo("concat", _cat, method=False, examples=4),
    OpInfo("concatenate", _cat, method=False, examples=4),
    OpInfo("cat", _cat_mixed, method=False, id="cat_mixed"),
    OpInfo("stack", _stack, method=False),
    OpInfo("hstack", _hvd_stack, method=False),
    OpInfo("vstack", _hvd_stack, method=False),
    OpInfo("dstack", _hvd_stack, method=False),
    OpInfo("atleast_1d", _atleast, method=False),
    OpInfo("atleast_2d", _atleast, method=False),
    OpInfo("atleast_3d", _atleast, method=False),
    OpInfo("diag", _diag),
    OpInfo("diagonal", _diagonal),
    OpInfo("diag_embed", _diag_embed),
    OpInfo("tril", _triangle),
    OpInfo("triu", _triangle),
    OpInfo("repeat_interleave", _repeat_interleave),
    OpInfo("repeat_interleave", _repeat_interleave_tensor, id="repeat_interleave_tensor"),
    OpInfo("unfold", _unfold, fn=lambda T, x, dim, size, step: x.unfold(dim, size, step)),
    OpInfo("meshgrid", _meshgrid, method=False),
    OpInfo("contiguous", _any, fn=lambda T, x: x.contiguous()),
    OpInfo("clone", _any),
]
