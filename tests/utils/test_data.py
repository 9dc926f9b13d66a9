"""leafgrad.utils.data against torch.utils.data: collation, samplers, loaders, splits."""

from __future__ import annotations

import collections
import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad
from leafgrad.utils import data as D


# ---------------------------------------------------------------- helpers
def same(ours, theirs, torch) -> None:
    """Structures, types, shapes, dtypes and values equal (leafgrad vs torch)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, leafgrad.Tensor), type(ours)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    if isinstance(theirs, dict):
        assert type(ours).__name__ == type(theirs).__name__
        assert list(ours) == list(theirs)
        for k in theirs:
            same(ours[k], theirs[k], torch)
        return
    if isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__, (type(ours), type(theirs))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b, torch)
        return
    assert ours == theirs and type(ours) is type(theirs)


def to_torch(obj, torch):
    """The same sample with leafgrad tensors replaced by torch tensors."""
    if isinstance(obj, leafgrad.Tensor):
        return torch.from_numpy(obj.numpy().copy())
    if isinstance(obj, Point):
        return Point(*(to_torch(o, torch) for o in obj))
    if isinstance(obj, dict):
        return type(obj)((k, to_torch(v, torch)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(o, torch) for o in obj)
    return obj


def raises_like(fn_ours, fn_theirs, *args, **kwargs):
    """Both raise the same exception type with the same message (called with the args)."""
    with pytest.raises(Exception) as theirs:
        fn_theirs(*args, **kwargs)
    with pytest.raises(theirs.type, match="^" + re.escape(str(theirs.value)) + "$"):
        fn_ours(*args, **kwargs)


Point = collections.namedtuple("Point", ["x", "y"])

# ---------------------------------------------------------------- default_collate
SAMPLES = [
    [leafgrad.tensor([1.0, 2.0]), leafgrad.tensor([3.0, 4.0])],
    [leafgrad.tensor(1), leafgrad.tensor(2), leafgrad.tensor(3)],
    [leafgrad.zeros(0, 2, dtype=leafgrad.float64)] * 3,
    [1, 2, 3],
    [1.5, 2.5],
    [True, False],
    ["a", "b"],
    [b"x", b"y"],
    [np.float32(1.0), np.float32(2.0)],
    [np.int32(1), np.int32(2)],
    [np.bool_(True), np.bool_(False)],
    [np.float64(1.0), np.float64(2.5)],
    [np.array([1, 2], dtype=np.uint8), np.array([3, 4], dtype=np.uint8)],
    [np.array(1.5), np.array(2.5)],
    [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    [(leafgrad.tensor([1.0]), 0), (leafgrad.tensor([2.0]), 1)],
    [("a", 1.0), ("b", 2.0)],
    [[1, 2], [3, 4]],
    [{"x": leafgrad.tensor(1.0), "y": 0}, {"x": leafgrad.tensor(2.0), "y": 1}],
    [collections.OrderedDict(a=1, b=2.0), collections.OrderedDict(a=3, b=4.0)],
    [Point(1, leafgrad.tensor([1, 2])), Point(2, leafgrad.tensor([3, 4]))],
    [{"nested": [(1, {"z": np.array([1.0])})]}, {"nested": [(2, {"z": np.array([2.0])})]}],
]


@pytest.mark.torch
@pytest.mark.parametrize("batch", SAMPLES, ids=range(len(SAMPLES)))
def test_default_collate_matches_torch(batch, torch):
    from torch.utils.data import default_collate

    same(D.default_collate(batch), default_collate(to_torch(batch, torch)), torch)


@pytest.mark.torch
@pytest.mark.parametrize("batch", SAMPLES, ids=range(len(SAMPLES)))
def test_default_convert_matches_torch(batch, torch):
    from torch.utils.data import default_convert

    for sample in batch:
        same(D.default_convert(sample), default_convert(to_torch(sample, torch)), torch)


@pytest.mark.torch
@given(st.integers(0, 3), st.integers(1, 5), st.sampled_from(["float32", "float64", "int64",
                                                              "uint8", "bool"]))
def test_collate_stacks_tensors_property(ndim, n, dtype):
    import torch

    shape = tuple(range(1, ndim + 1))
    rs = np.random.default_rng(ndim * 10 + n)
    arrays = [np.asarray(rs.random(shape) * 5).astype(dtype) for _ in range(n)]
    ours = D.default_collate([leafgrad.from_numpy(a) for a in arrays])
    theirs = torch.utils.data.default_collate([torch.from_numpy(a) for a in arrays])
    same(ours, theirs, torch)


@pytest.mark.parametrize("batch", [
    [object(), object()],
    [np.array(["a"]), np.array(["b"])],
    [np.array([object()]), np.array([object()])],
    [[1, 2], [3]],
    [None, None],
])
@pytest.mark.torch
def test_default_collate_errors_match_torch(batch, torch):
    from torch.utils.data import default_collate

    def norm(msg):
        return msg.replace("torch", "leafgrad")

    with pytest.raises(Exception) as theirs:
        default_collate(batch)
    with pytest.raises(theirs.type) as ours:
        D.default_collate(batch)
    assert str(ours.value) == norm(str(theirs.value))


@pytest.mark.torch
def test_collate_custom_map(torch):
    from leafgrad.utils.data._utils.collate import collate, default_collate_fn_map

    def as_sum(batch, *, collate_fn_map=None):
        return sum(batch)

    m = {**default_collate_fn_map, int: as_sum}
    assert collate([(1, 2.0), (3, 4.0)], collate_fn_map=m)[0] == 4
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        collate([1, 2])


# ---------------------------------------------------------------- datasets
@pytest.mark.torch
def test_tensor_dataset(torch):
    x = leafgrad.arange(12.0).reshape(4, 3)
    y = leafgrad.tensor([0, 1, 0, 1])
    ds = D.TensorDataset(x, y)
    tds = torch.utils.data.TensorDataset(to_torch(x, torch), to_torch(y, torch))
    assert len(ds) == len(tds) == 4
    for i in (0, 3, -1, slice(1, 3)):
        same(ds[i], tds[i], torch)
    raises_like(lambda: D.TensorDataset(x, leafgrad.zeros(3)),
                lambda: torch.utils.data.TensorDataset(torch.zeros(4), torch.zeros(3)))


@pytest.mark.torch
def test_concat_and_subset(torch):
    tu = torch.utils.data
    a, b = list(range(3)), list(range(10, 15))
    ours = D.ConcatDataset([D.Subset(a, [0, 1, 2]), D.Subset(b, [4, 0])])
    theirs = tu.ConcatDataset([tu.Subset(a, [0, 1, 2]), tu.Subset(b, [4, 0])])
    assert len(ours) == len(theirs) == 5
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i] for i in range(-5, 5)] == [theirs[i] for i in range(-5, 5)]
    raises_like(lambda: ours[-6], lambda: theirs[-6])
    raises_like(lambda: D.ConcatDataset([]), lambda: tu.ConcatDataset([]))

    class Stream(D.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    class TStream(tu.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    raises_like(lambda: D.ConcatDataset([Stream()]), lambda: tu.ConcatDataset([TStream()]))
    assert list(Stream() + Stream()) == list(TStream() + TStream()) == [0, 1, 2] * 2
    ds = D.TensorDataset(leafgrad.arange(4))
    assert isinstance(ds + ds, D.ConcatDataset) and len(ds + ds) == 8
    raises_like(lambda: D.Dataset()[0], lambda: tu.Dataset()[0])


@pytest.mark.torch
def test_stack_dataset(torch):
    tu = torch.utils.data
    assert D.StackDataset([1, 2], [3, 4])[1] == tu.StackDataset([1, 2], [3, 4])[1]
    assert D.StackDataset(a=[1, 2], b=[3, 4])[0] == tu.StackDataset(a=[1, 2], b=[3, 4])[0]
    for args, kw in [(([1], [1, 2]), {}), ((), {}), (([1],), {"b": [2]})]:
        raises_like(D.StackDataset, tu.StackDataset, *args, **kw)


# ---------------------------------------------------------------- random_split
@pytest.mark.parametrize("n,lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1] * 10),
    (5, [1.0]), (0, [0.5, 0.5]), (10, [0.25, 0.25, 0.25, 0.25]), (3, [1, 1, 1]),
])
@pytest.mark.torch
def test_random_split_lengths_match_torch(n, lengths, torch):
    with warnings.catch_warnings(record=True) as w_t:
        warnings.simplefilter("always")
        theirs = torch.utils.data.random_split(range(n), lengths)
    with warnings.catch_warnings(record=True) as w_o:
        warnings.simplefilter("always")
        ours = D.random_split(range(n), lengths, generator=leafgrad.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    assert [str(w.message) for w in w_o] == [str(w.message) for w in w_t]
    assert sorted(i for s in ours for i in s) == list(range(n))  # a partition


@pytest.mark.torch
@pytest.mark.parametrize("lengths", [[3, 8], [0.5, 0.6], [-0.5, 1.5], [0.3, 0.3], [4, 5]])
def test_random_split_errors_match_torch(lengths, torch):
    raises_like(lambda: D.random_split(range(10), lengths),
                lambda: torch.utils.data.random_split(range(10), lengths))


def test_random_split_reproducible():
    def split(seed):
        parts = D.random_split(range(20), [5, 15], generator=leafgrad.Generator().manual_seed(seed))
        return [list(p) for p in parts]

    assert split(3) == split(3)
    assert split(3) != split(4)
    leafgrad.manual_seed(5)
    a = [list(p) for p in D.random_split(range(20), [10, 10])]
    leafgrad.manual_seed(5)
    assert a == [list(p) for p in D.random_split(range(20), [10, 10])]


# ---------------------------------------------------------------- samplers
@pytest.mark.torch
def test_sequential_and_batch_sampler(torch):
    tu = torch.utils.data
    for n, bs, dl in [(10, 3, False), (10, 3, True), (9, 3, True), (0, 2, False), (2, 5, True)]:
        ours = D.BatchSampler(D.SequentialSampler(range(n)), bs, dl)
        theirs = tu.BatchSampler(tu.SequentialSampler(range(n)), bs, dl)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)
    for bs, dl in [(0, False), (True, False), (2.0, False), (2, 1)]:
        raises_like(D.BatchSampler, tu.BatchSampler, range(3), bs, dl)


@given(st.integers(1, 40), st.integers(0, 2**31))
def test_random_sampler_is_permutation(n, seed):
    s = D.RandomSampler(range(n), generator=leafgrad.Generator().manual_seed(seed))
    order = list(s)
    assert sorted(order) == list(range(n)) and len(s) == n
    assert order == list(D.RandomSampler(range(n),
                                         generator=leafgrad.Generator().manual_seed(seed)))


@pytest.mark.torch
def test_random_sampler_num_samples_and_replacement(torch):
    tu = torch.utils.data
    g = leafgrad.Generator().manual_seed(0)
    for repl, m in [(False, 7), (False, 13), (True, 100), (True, 3)]:
        ours = list(D.RandomSampler(range(5), replacement=repl, num_samples=m, generator=g))
        theirs = list(tu.RandomSampler(range(5), replacement=repl, num_samples=m))
        assert len(ours) == len(theirs) == m
        assert all(0 <= i < 5 for i in ours)
        if not repl:  # whole permutations, then a part of one
            for k in range(0, m - m % 5, 5):
                assert sorted(ours[k:k + 5]) == list(range(5))
            assert len(set(ours[m - m % 5:])) == m % 5
    for kw in [{"replacement": 1}, {"num_samples": 0}, {"num_samples": 2.0}]:
        raises_like(D.RandomSampler, tu.RandomSampler, range(3), **kw)
    raises_like(lambda: D.RandomSampler([]), lambda: tu.RandomSampler([]))


def test_subset_random_sampler():
    idx = [5, 9, 2, 7]
    s = D.SubsetRandomSampler(idx, generator=leafgrad.Generator().manual_seed(1))
    assert sorted(s) == sorted(idx) and len(s) == 4


@pytest.mark.torch
def test_weighted_random_sampler(torch):
    tu = torch.utils.data
    g = leafgrad.Generator().manual_seed(0)
    s = D.WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=g)
    counts = np.bincount(list(s), minlength=3)
    assert counts[0] == 0 and len(s) == 4000
    assert 0.2 < counts[1] / 4000 < 0.3  # 1/4 expected
    ours = list(D.WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 6, replacement=False,
                                        generator=g))
    assert sorted(ours) == list(range(6))
    assert list(D.WeightedRandomSampler([1.0, 0.0], 2, replacement=False)) == [0, 1]
    bad_init = [([1.0], 0, True), ([1.0], 1, 1), ([[1.0]], 1, True), ([1.0], True, True)]
    for w, n, r in bad_init:
        raises_like(D.WeightedRandomSampler, tu.WeightedRandomSampler, w, n, r)
    bad_iter = [([1.0, -1.0], 1, True), ([1.0, float("nan")], 1, True), ([0.0, 0.0], 1, True),
                ([1.0, 2.0], 3, False), ([], 1, True)]
    for w, n, r in bad_iter:
        raises_like(lambda *a: list(D.WeightedRandomSampler(*a)),
                    lambda *a: list(tu.WeightedRandomSampler(*a)), w, n, r)


# ---------------------------------------------------------------- DataLoader
def make_ds(n=10):
    x = leafgrad.arange(n * 3, dtype=leafgrad.float32).reshape(n, 3)
    return D.TensorDataset(x, leafgrad.arange(n))


@pytest.mark.torch
@pytest.mark.parametrize("n,bs,drop_last", [(10, 3, False), (10, 3, True), (10, 5, False),
                                            (10, 20, False), (10, 20, True), (1, 1, False)])
def test_loader_batches_match_torch(n, bs, drop_last, torch):
    ds = make_ds(n)
    tds = torch.utils.data.TensorDataset(*to_torch(ds.tensors, torch))
    ours = leafgrad.utils.data.DataLoader(ds, batch_size=bs, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(tds, batch_size=bs, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert len(list(ours)) == len(theirs)
    for a, b in zip(ours, theirs):
        same(a, b, torch)
    assert len(iter(ours)) == len(theirs)


def test_loader_shuffle_generator():
    ds = make_ds(23)

    def epoch(loader):
        return [y.tolist() for _, y in loader]

    g1, g2 = leafgrad.Generator().manual_seed(7), leafgrad.Generator().manual_seed(7)
    l1 = D.DataLoader(ds, batch_size=4, shuffle=True, generator=g1)
    l2 = D.DataLoader(ds, batch_size=4, shuffle=True, generator=g2)
    e1, e2 = epoch(l1), epoch(l2)
    assert e1 == e2  # same seed, same order
    assert [len(b) for b in e1] == [4] * 5 + [3]
    assert sorted(i for b in e1 for i in b) == list(range(23))
    assert e1 != list(map(list, np.array_split(np.arange(23), range(4, 23, 4))))
    assert epoch(l1) != e1  # a new order each epoch
    leafgrad.manual_seed(3)
    a = epoch(D.DataLoader(ds, batch_size=4, shuffle=True))
    leafgrad.manual_seed(3)
    assert a == epoch(D.DataLoader(ds, batch_size=4, shuffle=True))


@pytest.mark.torch
def test_loader_sampler_batch_sampler_and_collate(torch):
    ds = make_ds(6)
    loader = D.DataLoader(ds, sampler=[5, 0, 3], batch_size=2)
    assert [y.tolist() for _, y in loader] == [[5, 0], [3]]
    loader = D.DataLoader(ds, batch_sampler=[[1, 2], [4], [0, 5, 3]])
    assert [y.tolist() for _, y in loader] == [[1, 2], [4], [0, 5, 3]] and len(loader) == 3
    loader = D.DataLoader(ds, batch_size=4, collate_fn=lambda b: len(b))
    assert list(loader) == [4, 2]
    # batch_size=None: no batching, default_convert
    tl = torch.utils.data.DataLoader([np.arange(3), np.arange(3)], batch_size=None)
    ol = D.DataLoader([np.arange(3), np.arange(3)], batch_size=None)
    assert len(ol) == len(tl) == 2
    for a, b in zip(ol, tl):
        same(a, b, torch)
    # plain lists of dicts and numbers
    items = [{"x": float(i), "y": [i, i + 1]} for i in range(5)]
    for a, b in zip(D.DataLoader(items, batch_size=2),
                    torch.utils.data.DataLoader(items, batch_size=2)):
        same(a, b, torch)
    # num_workers > 0 runs in-process with the same results
    assert [y.tolist() for _, y in D.DataLoader(ds, batch_size=4, num_workers=2)] == \
        [[0, 1, 2, 3], [4, 5]]


@pytest.mark.torch
def test_loader_iterable_dataset(torch):
    tu = torch.utils.data

    def make(base):
        class Stream(base):
            def __init__(self, n, length=None):
                self.n = n
                self.length = length

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.length if self.length is not None else self.n

        return Stream

    S, TS = make(D.IterableDataset), make(tu.IterableDataset)
    for n, bs, dl in [(7, 3, False), (7, 3, True), (6, 3, False), (0, 2, False), (5, None, False)]:
        ours = D.DataLoader(S(n), batch_size=bs, drop_last=dl)
        theirs = tu.DataLoader(TS(n), batch_size=bs, drop_last=dl)
        assert len(ours) == len(theirs)
        out, ref = list(ours), list(theirs)
        assert len(out) == len(ref)
        for a, b in zip(out, ref):
            same(a, b, torch)
    for kw in [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}]:
        def msg(e):
            return str(e).split("but got")[0]

        with pytest.raises(ValueError) as theirs:
            tu.DataLoader(TS(3), **kw)
        with pytest.raises(ValueError) as ours:
            D.DataLoader(S(3), **kw)
        assert msg(ours.value) == msg(theirs.value)


@pytest.mark.parametrize("kw", [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1}, {"persistent_workers": True},
    {"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True}, {"batch_sampler": [[0]], "drop_last": True},
    {"batch_size": None, "drop_last": True}, {"batch_size": 0}, {"batch_size": -1},
    {"multiprocessing_context": "spawn"},
])
@pytest.mark.torch
def test_loader_argument_errors_match_torch(kw, torch):
    ds = list(range(4))
    raises_like(lambda: D.DataLoader(ds, **kw), lambda: torch.utils.data.DataLoader(ds, **kw))


@pytest.mark.torch
def test_loader_frozen_attributes(torch):
    ol = D.DataLoader([1, 2])
    tl = torch.utils.data.DataLoader([1, 2])
    for attr in ("batch_size", "sampler", "dataset", "drop_last"):
        raises_like(lambda a: setattr(ol, a, None), lambda a: setattr(tl, a, None), attr)
    ol.collate_fn = tl.collate_fn = len  # other attributes may change


def test_loader_trains_a_model():
    """The canonical loop: a shuffled DataLoader feeding an nn model and an optimiser."""
    nn = pytest.importorskip("leafgrad.nn")
    optim = pytest.importorskip("leafgrad.optim")
    if not hasattr(nn, "Linear") or not hasattr(optim, "SGD"):
        pytest.skip("leafgrad.nn.Linear / optim.SGD not available yet")
    g = leafgrad.Generator().manual_seed(0)
    x = leafgrad.randn(64, 3, generator=g)
    y = x @ leafgrad.tensor([[1.0], [-2.0], [0.5]])
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loader = D.DataLoader(D.TensorDataset(x, y), batch_size=8, shuffle=True, generator=g)
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            opt.step()
    assert float(((model(x) - y) ** 2).mean()) < 1e-3


@pytest.mark.torch
def test_subset_subclass_must_override_getitems(torch):
    tu = torch.utils.data

    def make(base):
        class Doubled(base):
            def __getitem__(self, i):
                return 2 * super().__getitem__(i)

        return Doubled

    raises_like(make(D.Subset), make(tu.Subset), [1, 2, 3], [0, 1])

    class Fixed(D.Subset):
        def __getitem__(self, i):
            return 2 * super().__getitem__(i)

        def __getitems__(self, indices):
            return [self[i] for i in indices]

    assert [b.tolist() for b in D.DataLoader(Fixed([1, 2, 3], [2, 0]), batch_size=2)] == [[6, 2]]


@pytest.mark.torch
@given(st.integers(0, 30), st.integers(1, 8), st.booleans(), st.booleans())
def test_loader_len_and_batch_sizes_property(n, bs, drop_last, shuffle):
    import torch

    data = list(range(n))
    kw = {"batch_size": bs, "drop_last": drop_last, "shuffle": shuffle}
    if n == 0 and shuffle:  # a RandomSampler of nothing
        raises_like(D.DataLoader, torch.utils.data.DataLoader, data, **kw)
        return
    ours = D.DataLoader(data, generator=leafgrad.Generator().manual_seed(n), **kw)
    theirs = torch.utils.data.DataLoader(data, **kw)
    got, ref = list(ours), list(theirs)
    assert len(ours) == len(theirs) == len(ref) == len(got)
    assert [len(b) for b in got] == [len(b) for b in ref]
    assert all(b.dtype == leafgrad.int64 for b in got)
    flat = [i for b in got for i in b.tolist()]
    assert len(set(flat)) == len(flat)
    if not drop_last:
        assert sorted(flat) == data


@pytest.mark.torch
@given(st.integers(0, 50), st.lists(st.integers(1, 10), min_size=1, max_size=5))
def test_random_split_fractions_property(n, weights):
    import torch

    fracs = [w / sum(weights) for w in weights]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = [len(s) for s in torch.utils.data.random_split(range(n), fracs)]
        except ValueError as e:
            with pytest.raises(ValueError, match=re.escape(str(e))):
                D.random_split(range(n), fracs)
            return
        ours = D.random_split(range(n), fracs, generator=leafgrad.Generator().manual_seed(n))
    assert [len(s) for s in ours] == theirs
    assert sorted(i for s in ours for i in s) == list(range(n))
