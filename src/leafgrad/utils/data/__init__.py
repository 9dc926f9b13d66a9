"""Data loading as in ``torch.utils.data``: datasets, samplers, ``DataLoader``, collation.

>>> from leafgrad.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(leafgrad.arange(6.).reshape(3, 2), leafgrad.tensor([0, 1, 0]))
>>> [tuple(x.shape) for x, _ in DataLoader(ds, batch_size=2)]
[(2, 2), (1, 2)]
"""

from __future__ import annotations

from . import _utils
from ._utils.collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
