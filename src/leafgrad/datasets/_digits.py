"""The UCI handwritten digits (8x8 images, 1,797 samples, 10 classes), bundled.

Source: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI
Machine Learning Repository (1998), https://doi.org/10.24432/C50P49, CC BY 4.0.  The file
``data/digits.csv.gz`` is the test set exactly as scikit-learn ships it (see
``data/DIGITS_LICENSE.txt`` for its provenance and checksum).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from importlib import resources
from typing import NamedTuple

from .. import dtypes as _dt
from ..backend import np
from ..tensor import Tensor

__all__ = ["Digits", "load_digits", "DIGITS_SHA256", "DIGITS_CITATION"]

#: SHA-256 of ``data/digits.csv.gz`` (equal to scikit-learn 1.9.1's copy of the file)
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
DIGITS_CITATION = ("E. Alpaydin and C. Kaynak. Optical Recognition of Handwritten Digits. "
                   "UCI Machine Learning Repository, 1998. https://doi.org/10.24432/C50P49 "
                   "(CC BY 4.0)")
N_SAMPLES, N_FEATURES, N_CLASSES = 1797, 64, 10


class Digits(NamedTuple):
    """``(data, target)``: ``data`` [1797, 64] (one flattened 8x8 image a row), ``target``
    int64 [1797] (the digit, 0..9).  ``images`` is ``data`` as [1797, 8, 8]."""

    data: Tensor
    target: Tensor

    @property
    def images(self) -> Tensor:
        """The samples as 8x8 images: ``data.reshape(-1, 8, 8)``."""
        return self.data.reshape(-1, 8, 8)


def data_file():
    """The bundled ``digits.csv.gz`` (an ``importlib.resources`` traversable)."""
    return resources.files(__package__).joinpath("data", "digits.csv.gz")


@functools.lru_cache(maxsize=1)
def _raw():
    """The file's 1797 x 65 integers (uint8; read-only, parsed once)."""
    raw = data_file().read_bytes()
    if hashlib.sha256(raw).hexdigest() != DIGITS_SHA256:
        raise RuntimeError("leafgrad.datasets: the bundled digits.csv.gz is damaged (its "
                           "SHA-256 differs from the recorded one); reinstall leafgrad")
    rows = gzip.decompress(raw).decode("ascii").split()
    table = np.array([r.split(",") for r in rows], dtype=np.uint8)
    if table.shape != (N_SAMPLES, N_FEATURES + 1):
        raise RuntimeError(f"leafgrad.datasets: digits.csv.gz has shape {table.shape}, "
                           f"expected {(N_SAMPLES, N_FEATURES + 1)}")
    table.flags.writeable = False
    return table


def load_digits(*, normalize: bool = True, dtype: _dt.dtype | None = None) -> Digits:
    """The UCI optical-recognition handwritten digits: 1,797 8x8 images of 10 classes.

    Returns ``Digits(data, target)`` (a named tuple, so ``X, y = load_digits()`` works):
    ``data`` is [1797, 64], each row an 8x8 image in row-major order, and ``target`` is
    int64 [1797] with the digits 0..9 (174 to 183 samples each).  ``load_digits().images``
    is ``data`` as [1797, 8, 8].

    With ``normalize=True`` (the default) pixels are scaled from their raw range 0..16 to
    [0, 1] (divided by 16); with ``normalize=False`` they keep the raw counts 0..16.
    ``dtype`` is the dtype of ``data``: float32 by default (the default dtype); an integer
    dtype needs ``normalize=False``.  Each call returns fresh tensors.

    Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository (1998),
    https://doi.org/10.24432/C50P49, CC BY 4.0 (bundled; no download).

    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, y.dtype
    (leafgrad.Size([1797, 64]), leafgrad.float32, leafgrad.Size([1797]), leafgrad.int64)
    >>> load_digits(normalize=False).images[0, 1]
    tensor([ 0.,  0., 13., 15., 10., 15.,  5.,  0.])
    """
    d = _dt.get_default_dtype() if dtype is None else dtype
    if not isinstance(d, _dt.dtype):
        raise TypeError(f"load_digits(): dtype must be a leafgrad.dtype, not {type(d).__name__}")
    if normalize and not d.is_floating_point:
        raise ValueError(f"load_digits(): normalize=True gives values in [0, 1], which need a "
                         f"floating-point dtype, not {d}; pass normalize=False for raw "
                         "0..16 counts")
    table = _raw()
    pixels = table[:, :N_FEATURES]
    data = pixels.astype(d.np) / d.np.type(16) if normalize else pixels.astype(d.np)
    target = table[:, N_FEATURES].astype(np.int64)
    return Digits(Tensor._make(np.ascontiguousarray(data, dtype=d.np)), Tensor._make(target))
