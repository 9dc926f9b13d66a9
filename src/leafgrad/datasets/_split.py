"""A deterministic train/test split of tensors along their first dimension."""

from __future__ import annotations

import math

from ..backend import np
from ..random import Generator, rng
from ..tensor import Tensor

__all__ = ["train_test_split"]


def _n_test(test_size: float | int, n: int) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise TypeError(f"train_test_split(): test_size must be an int or a float, not "
                        f"{type(test_size).__name__}")
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"train_test_split(): a float test_size must be in (0, 1), got "
                             f"{test_size}")
        k = math.ceil(test_size * n)
    else:
        k = test_size
    if not 0 < k < n:
        raise ValueError(f"train_test_split(): test_size={test_size} with {n} samples leaves "
                         f"{k} test and {n - k} train samples; both must be at least 1")
    return k


def train_test_split(*tensors: Tensor, test_size: float | int = 0.25, seed: int = 0,
                     generator: Generator | None = None, shuffle: bool = True,
                     stratify: Tensor | None = None) -> list[Tensor]:
    """Split tensors along their first dimension into train and test parts, as
    scikit-learn's ``train_test_split`` does: returns ``[a_train, a_test, b_train, b_test,
    ...]``.  ``test_size``: a fraction in (0, 1) (the test part gets ``ceil(test_size * n)``
    rows) or a row count.  The split is deterministic: drawn from ``generator`` or else from
    ``Generator().manual_seed(seed)``.  ``shuffle=False`` takes the last rows as the test
    part.  ``stratify`` (labels, one per row) keeps each class's share in both parts (the
    test rows of each class: its exact share rounded down, the remaining rows going to the
    classes with the largest remainders).

    >>> X, y = leafgrad.arange(10.).reshape(5, 2), leafgrad.arange(5)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=2, shuffle=False)
    >>> y_tr, y_te
    (tensor([0, 1, 2]), tensor([3, 4]))
    """
    if not tensors:
        raise ValueError("train_test_split(): at least one tensor is required")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"train_test_split(): expected tensors, got {type(t).__name__}")
    n = tensors[0].shape[0] if tensors[0].dim() else 0
    for t in tensors:
        if t.dim() == 0 or t.shape[0] != n:
            raise ValueError("train_test_split(): all tensors need the same first dimension; "
                             f"got sizes {[tuple(x.shape) for x in tensors]}")
    k = _n_test(test_size, n)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split(): stratify needs shuffle=True")
        train_idx, test_idx = np.arange(n - k), np.arange(n - k, n)
    else:
        g = rng(generator if generator is not None else Generator().manual_seed(seed))
        if stratify is None:
            perm = g.permutation(n)
            test_idx, train_idx = perm[:k], perm[k:]
        else:
            labels = np.asarray(stratify.detach().numpy()).reshape(-1)
            if labels.shape[0] != n:
                raise ValueError(f"train_test_split(): stratify has {labels.shape[0]} labels "
                                 f"for {n} rows")
            classes, inverse = np.unique(labels, return_inverse=True)
            counts = np.bincount(inverse, minlength=len(classes))
            exact = counts * k / n
            share = np.floor(exact).astype(np.int64)
            order = np.argsort(-(exact - share), kind="stable")
            share[order[:k - int(share.sum())]] += 1
            test_parts, train_parts = [], []
            for c in range(len(classes)):
                members = g.permutation(np.flatnonzero(inverse == c))
                test_parts.append(members[:share[c]])
                train_parts.append(members[share[c]:])
            test_idx = g.permutation(np.concatenate(test_parts))
            train_idx = g.permutation(np.concatenate(train_parts))
    out = []
    for t in tensors:
        a = t.detach().numpy()
        for idx in (train_idx, test_idx):
            part = Tensor._make(np.ascontiguousarray(a[idx]))
            out.append(part.requires_grad_(True) if t.requires_grad else part)
    return out
