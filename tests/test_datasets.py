"""leafgrad.datasets: the bundled UCI digits and train_test_split."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

import leafgrad
from leafgrad.datasets import Digits, load_digits, train_test_split
from leafgrad.datasets._digits import data_file
from leafgrad.utils.data import DataLoader, TensorDataset

# sha256sum of sklearn/datasets/data/digits.csv.gz in the scikit-learn 1.9.1 wheel on PyPI
UPSTREAM_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def reference_table(raw: bytes) -> np.ndarray:
    """The CSV parsed by NumPy directly (independent of leafgrad's reader)."""
    import io

    return np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)


def upstream_csv() -> Path | None:
    """An original copy of the file, where one is at hand (env var, unpacked wheel, sklearn)."""
    candidates = [os.environ.get("LEAFGRAD_DIGITS_CSV", ""),
                  "/tmp/skl/sklearn/datasets/data/digits.csv.gz"]
    try:
        import sklearn

        candidates.append(os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data",
                                       "digits.csv.gz"))
    except ImportError:
        pass
    for c in candidates:
        if c and os.path.isfile(c):
            return Path(c)
    return None


def test_bundled_file_is_the_original():
    raw = data_file().read_bytes()
    assert hashlib.sha256(raw).hexdigest() == UPSTREAM_SHA256
    assert len(raw) < 64 * 1024  # compact
    up = upstream_csv()
    if up is not None:
        assert raw == up.read_bytes()


def test_values_match_the_csv():
    table = reference_table(data_file().read_bytes())
    assert table.shape == (1797, 65)
    d = load_digits(normalize=False, dtype=leafgrad.int64)
    np.testing.assert_array_equal(d.data.numpy(), table[:, :64])
    np.testing.assert_array_equal(d.target.numpy(), table[:, 64])
    up = upstream_csv()
    if up is None:
        pytest.skip("no upstream copy of digits.csv.gz here (set LEAFGRAD_DIGITS_CSV); the "
                    "bundled file was checked by its SHA-256 above")
    np.testing.assert_array_equal(reference_table(up.read_bytes()), table)


def test_shapes_dtypes_ranges_and_balance():
    d = load_digits()
    assert isinstance(d, Digits) and isinstance(d, tuple)
    X, y = d
    assert X.shape == (1797, 64) and X.dtype == leafgrad.float32
    assert y.shape == (1797,) and y.dtype == leafgrad.int64
    assert d.images.shape == (1797, 8, 8)
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    counts = np.bincount(y.numpy(), minlength=10)
    assert counts.sum() == 1797 and len(counts) == 10
    assert counts.min() >= 174 and counts.max() <= 183
    raw = load_digits(normalize=False)
    assert raw.data.dtype == leafgrad.float32
    r = raw.data.numpy()
    assert r.min() == 0 and r.max() == 16 and np.all(r == np.round(r))
    np.testing.assert_array_equal(X.numpy(), (r / 16).astype(np.float32))
    # the first sample is the classic "0": its second image row, straight from the CSV
    np.testing.assert_array_equal(raw.images[0, 1].numpy(), [0, 0, 13, 15, 10, 15, 5, 0])
    assert int(y[0]) == 0


def test_dtype_options_and_errors():
    assert load_digits(dtype=leafgrad.float64).data.dtype == leafgrad.float64
    u8 = load_digits(normalize=False, dtype=leafgrad.uint8)
    assert u8.data.dtype == leafgrad.uint8 and int(u8.data.max()) == 16
    with pytest.raises(ValueError, match="floating-point dtype"):
        load_digits(dtype=leafgrad.int64)
    with pytest.raises(TypeError, match="dtype"):
        load_digits(dtype="float32")
    leafgrad.set_default_dtype(leafgrad.float64)
    try:
        assert load_digits().data.dtype == leafgrad.float64
    finally:
        leafgrad.set_default_dtype(leafgrad.float32)


def test_each_call_returns_fresh_tensors():
    a = load_digits()
    a.data.numpy()[0, 0] = 99.0
    assert float(load_digits().data[0, 0]) == 0.0


def test_train_test_split_partition_and_determinism():
    X, y = load_digits()
    idx = leafgrad.arange(1797)
    i_tr, i_te, y_tr, y_te = train_test_split(idx, y, test_size=0.2)
    assert len(i_te) == 360 and len(i_tr) == 1437  # ceil(0.2 * 1797)
    assert sorted(i_tr.tolist() + i_te.tolist()) == list(range(1797))
    np.testing.assert_array_equal(y_te.numpy(), y.numpy()[i_te.numpy()])  # rows stay aligned
    again = train_test_split(idx, y, test_size=0.2)
    assert again[1].tolist() == i_te.tolist()
    other = train_test_split(idx, test_size=0.2, seed=1)
    assert other[1].tolist() != i_te.tolist()
    g = leafgrad.Generator().manual_seed(5)
    assert train_test_split(idx, generator=g)[1].tolist() == \
        train_test_split(idx, generator=leafgrad.Generator().manual_seed(5))[1].tolist()
    tr, te = train_test_split(leafgrad.arange(10), test_size=3, shuffle=False)
    assert tr.tolist() == list(range(7)) and te.tolist() == [7, 8, 9]


def test_train_test_split_stratified():
    _, y = load_digits()
    y_tr, y_te = train_test_split(y, test_size=0.25, stratify=y)
    full = np.bincount(y.numpy(), minlength=10)
    test = np.bincount(y_te.numpy(), minlength=10)
    assert test.sum() == 450  # ceil(0.25 * 1797)
    assert np.all(np.abs(test - full * 450 / 1797) < 1)  # each class keeps its share
    assert np.array_equal(test + np.bincount(y_tr.numpy(), minlength=10), full)


@pytest.mark.parametrize("args,kw,err,needle", [
    ((), {}, ValueError, "at least one tensor"),
    ((leafgrad.arange(4), leafgrad.arange(5)), {}, ValueError, "same first dimension"),
    ((leafgrad.arange(4),), {"test_size": 1.5}, ValueError, "in (0, 1)"),
    ((leafgrad.arange(4),), {"test_size": 4}, ValueError, "at least 1"),
    ((leafgrad.arange(4),), {"test_size": "a"}, TypeError, "test_size"),
    (([1, 2, 3],), {}, TypeError, "expected tensors"),
    ((leafgrad.arange(4),), {"stratify": leafgrad.arange(3)}, ValueError, "3 labels"),
    ((leafgrad.arange(4),), {"shuffle": False, "stratify": leafgrad.arange(4)}, ValueError,
     "stratify needs shuffle"),
])
def test_train_test_split_errors(args, kw, err, needle):
    import re

    with pytest.raises(err, match=re.escape(needle)):
        train_test_split(*args, **kw)


def test_labels_align_with_images():
    """A nearest-class-mean classifier on the images does far better than chance, which it
    could not if images and labels were misaligned."""
    X, y = load_digits()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y)
    means = leafgrad.stack([X_tr[y_tr == c].mean(0) for c in range(10)])
    dist = ((X_te.unsqueeze(1) - means.unsqueeze(0)) ** 2).sum(-1)
    accuracy = float((dist.argmin(1) == y_te).float().mean())
    assert accuracy > 0.85


def test_feeds_a_dataloader():
    X, y = load_digits()
    loader = DataLoader(TensorDataset(X, y), batch_size=256, shuffle=True,
                        generator=leafgrad.Generator().manual_seed(0))
    batches = list(loader)
    assert len(batches) == len(loader) == 8
    assert [tuple(b[0].shape) for b in batches][-1] == (1797 - 7 * 256, 64)
    assert sorted(np.concatenate([b[1].numpy() for b in batches]).tolist()) == \
        sorted(y.tolist())
