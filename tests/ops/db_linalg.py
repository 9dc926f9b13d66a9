"""OpInfo entries: matmul and the linear-algebra family.

``matmul`` samples cover every dispatch case (1-D/2-D pairs, a stack times a matrix or a
vector and the reverse, batches that broadcast, batches of one, empty sizes) on
contiguous and non-contiguous operands.
"""

from __future__ import annotations

from .opdb import OpInfo, Sample


def _batch(d, n: int) -> tuple:
    return tuple(d.int(1, 3) for _ in range(n))


def _bcast_batch(d, base: tuple) -> tuple:
    """``base`` with some sides set to 1 and maybe some leading dims dropped."""
    out = tuple(1 if d.int(0, 2) == 0 else s for s in base)
    return out[d.int(0, len(out)):] if d.bool() else out


def _matmul(d):
    d1, d2 = d.int(1, 4), d.int(1, 4)
    n, k, p = d.int(0, 3), d.int(1, 3), d.int(0, 3)
    if d.int(0, 5) == 0:
        k = 0
    base = _batch(d, max(d1, d2) - 2)
    b1 = _bcast_batch(d, base)[-(d1 - 2):] if d1 > 2 else ()
    b2 = _bcast_batch(d, base)[-(d2 - 2):] if d2 > 2 else ()
    b1 = (1,) * (max(d1 - 2, 0) - len(b1)) + b1
    b2 = (1,) * (max(d2 - 2, 0) - len(b2)) + b2
    xs = (k,) if d1 == 1 else b1 + (n, k)
    ys = (k,) if d2 == 1 else b2 + (k, p)
    return Sample(d.array(xs), d.array(ys))


def _matmul_int(d):
    n, k, p = d.int(1, 3), d.int(1, 3), d.int(1, 3)
    kind = d.choice(["int64", "int32"])
    xs = d.choice([(k,), (n, k), (2, n, k)])
    ys = d.choice([(k,), (k, p), (2, k, p)])
    return Sample(d.ints(xs, -3, 4, dtype=kind), d.ints(ys, -3, 4, dtype=kind))


def _mm(d):
    n, k, p = d.int(0, 3), d.int(0, 3), d.int(0, 3)
    return Sample(d.array((n, k)), d.array((k, p)))


def _bmm(d):
    b, n, k, p = d.int(0, 3), d.int(0, 3), d.int(1, 3), d.int(0, 3)
    return Sample(d.array((b, n, k)), d.array((b, k, p)))


def _mv(d):
    n, k = d.int(0, 3), d.int(0, 4)
    return Sample(d.array((n, k)), d.array((k,)))


def _dot(d):
    k = d.int(0, 5)
    return Sample(d.array((k,)), d.array((k,)))


def _outer(d):
    return Sample(d.array((d.int(0, 4),)), d.array((d.int(0, 4),)))


def _coef(d, kw: dict) -> dict:
    if d.bool():
        kw["beta"] = d.choice([0.5, 0, 2, -1.5])
    if d.bool():
        kw["alpha"] = d.choice([0.5, 3, -1])
    return kw


def _addmm(d):
    n, k, p = d.int(1, 3), d.int(0, 3), d.int(1, 3)
    cs = d.choice([(n, p), (p,), (1, p), (n, 1), ()])
    return Sample(d.array(cs), d.array((n, k)), d.array((k, p)), **_coef(d, {}))


def _addmv(d):
    n, k = d.int(1, 3), d.int(0, 3)
    cs = d.choice([(n,), (1,)])
    if cs == (1,) and n > 1:  # PyTorch returns ``input`` unbroadcast when k = 0
        k = max(k, 1)
    return Sample(d.array(cs), d.array((n, k)), d.array((k,)), **_coef(d, {}))


def _baddbmm(d):
    b, n, k, p = d.int(1, 2), d.int(1, 3), d.int(1, 3), d.int(1, 3)
    cs = d.choice([(b, n, p), (n, p), (1, n, 1), (p,)])
    return Sample(d.array(cs), d.array((b, n, k)), d.array((b, k, p)), **_coef(d, {}))


def _tensordot(d):
    form = d.int(0, 2)
    if form == 0:
        k = d.int(0, 2)
        a = tuple(d.int(1, 3) for _ in range(d.int(k, 3)))
        shared = a[len(a) - k:]
        b = shared + tuple(d.int(1, 3) for _ in range(d.int(0, 3 - k)))
        return Sample(d.array(a), d.array(b), dims=k)
    a = (d.int(1, 3), d.int(1, 3), d.int(1, 3))
    if form == 1:  # a's dims 1, 2 with b's dims 1, 0
        return Sample(d.array(a), d.array((a[2], a[1], d.int(1, 3))), dims=([1, 2], [1, 0]))
    return Sample(d.array(a), d.array((d.int(1, 2), a[0])), dims=([0], [-1]))


_EQUATIONS = [
    ("ij,jk->ik", lambda d, s: [(s[0], s[1]), (s[1], s[2])]),
    ("ij,jk", lambda d, s: [(s[0], s[1]), (s[1], s[2])]),
    ("i,i->", lambda d, s: [(s[0],), (s[0],)]),
    ("i,j->ij", lambda d, s: [(s[0],), (s[1],)]),
    ("ii->i", lambda d, s: [(s[0], s[0])]),
    ("ii", lambda d, s: [(s[0], s[0])]),
    ("ij->ji", lambda d, s: [(s[0], s[1])]),
    ("ij->j", lambda d, s: [(s[0], s[1])]),
    ("ijk->", lambda d, s: [(s[0], s[1], s[2])]),
    ("bij,bjk->bik", lambda d, s: [(s[2], s[0], s[1]), (s[2], s[1], s[0])]),
    ("...ij,...jk->...ik", lambda d, s: [(s[2], s[0], s[1]), (s[1], s[0])]),
    ("...i->...", lambda d, s: [(s[0], s[1], s[2])]),
    ("ij,ij->ij", lambda d, s: [(1, s[1]), (s[0], s[1])]),
    ("ij,kj->ik", lambda d, s: [(s[0], s[1]), (s[2], s[1])]),
    ("i,i,i->i", lambda d, s: [(s[0],), (s[0],), (s[0],)]),
    ("ba", lambda d, s: [(s[0], s[1])]),
    ("bii->bi", lambda d, s: [(s[2], s[0], s[0])]),
    ("iij->j", lambda d, s: [(s[0], s[0], s[1])]),
    ("i j , j k -> k i", lambda d, s: [(s[0], s[1]), (s[1], s[2])]),
    ("Ab,bc->cA", lambda d, s: [(s[0], s[1]), (s[1], s[2])]),
]


def _einsum(d):
    eq, shapes = d.choice(_EQUATIONS)
    sizes = (d.int(1, 3), d.int(1, 3), d.int(1, 3))
    return Sample(eq, *[d.array(s) for s in shapes(d, sizes)])


ENTRIES = [
    OpInfo("matmul", _matmul, examples=25),
    OpInfo("matmul", _matmul_int, id="matmul_int", grad=False, dtypes=("float64",)),
    OpInfo("matmul", _matmul, id="matmul_operator", fn=lambda T, x, y: x @ y, method=False),
    OpInfo("mm", _mm),
    OpInfo("bmm", _bmm),
    OpInfo("mv", _mv),
    OpInfo("dot", _dot),
    OpInfo("outer", _outer, covers=("ger",)),
    OpInfo("addmm", _addmm),
    OpInfo("addmv", _addmv),
    OpInfo("baddbmm", _baddbmm),
    OpInfo("tensordot", _tensordot, method=False),
    OpInfo("einsum", _einsum, method=False, node=False, examples=20),
]
