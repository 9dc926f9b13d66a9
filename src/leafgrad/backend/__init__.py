"""The array backend: the only package that imports an array library.

Every op's forward receives the namespace ``xp`` of its inputs' device.  NumPy and
CuPy share one API, so ``xp`` is the module itself; the few operations where they
differ are named functions here.
"""

from __future__ import annotations

import numpy

np = numpy  # the CPU namespace; a CuPy backend will sit beside it
ndarray = numpy.ndarray


def namespace(array) -> object:
    """The array namespace that holds ``array`` (NumPy for every CPU array)."""
    return numpy


def scatter_add(xp, target, index, values) -> None:
    """target[index] += values, summing repeated indices (unbuffered)."""
    xp.add.at(target, index, values)


def sliding_windows(xp, array, window_shape, axis):
    """A read-only view of the sliding windows of ``array`` along ``axis``."""
    return xp.lib.stride_tricks.sliding_window_view(array, window_shape, axis=axis)


def shares_memory(a, b) -> bool:
    """Whether two arrays may overlap in memory (a cheap bounds check)."""
    return numpy.may_share_memory(a, b)
