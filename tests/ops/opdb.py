"""The op database: one declarative entry per public op drives every op test.

An entry says how to call the op on a torch-shaped module ``T`` (leafgrad or torch)
and how to draw sample inputs.  From it ``test_ops.py`` checks, for every op:
forward values/dtype/shape vs PyTorch, the backward node's name, gradients vs
PyTorch, ``gradcheck`` and ``gradgradcheck`` in float64, and the golden fixtures
(``make_golden.py``) where PyTorch is not installed.

Samples are drawn through a ``Draw`` object, so the same spec works under
hypothesis (shapes are drawn, and shrink) and under a seeded NumPy generator
(golden fixtures):

    def add_samples(d):
        a = d.shape()
        return Sample(d.array(a), d.array(d.broadcastable(a)))

    OpInfo("add", add_samples)
    OpInfo("add_scalar", lambda d: Sample(d.array(d.shape()), 2.5),
           fn=lambda T, x, s: x + s)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

FLOATS = ("float32", "float64")


@dataclasses.dataclass
class Sample:
    """One call: positional args (NumPy arrays become tensors) and keyword args."""

    args: tuple
    kwargs: dict

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


@dataclasses.dataclass
class OpInfo:
    """How to test one op.

    name      the op's public name (``leafgrad.<name>``; ``torch.<name>`` unless ``fn``)
    samples   ``samples(draw) -> Sample``
    fn        ``fn(T, *args, **kwargs)``: how to call it on module T (default: ``T.<name>``)
    method    also call it as a Tensor method: ``args[0].<name>(*args[1:], **kwargs)``
    dtypes    dtypes of the float arrays drawn (integer/bool arrays keep their own)
    grad      compare gradients with PyTorch and run gradcheck (float inputs)
    gradgrad  run gradgradcheck (float64)
    node      compare the backward node's name with PyTorch's
    atol/rtol tolerances for float32 (float64 uses 1e-10 / 1e-7 unless given)
    covers    further public names this entry tests (aliases: ``divide`` for ``div``)
    """

    name: str
    samples: Callable
    fn: Callable | None = None
    method: bool = True
    dtypes: tuple = FLOATS
    grad: bool = True
    gradgrad: bool = True
    node: bool = True
    atol: float = 1e-5
    rtol: float = 1e-4
    atol64: float = 1e-10
    rtol64: float = 1e-7
    covers: tuple = ()
    examples: int | None = None  # hypothesis examples (default from the profile)
    id: str | None = None  # test id when one op has several entries

    def __post_init__(self):
        if self.id is None:
            self.id = self.name

    def call(self, T, args: tuple, kwargs: dict) -> Any:
        if self.fn is not None:
            return self.fn(T, *args, **kwargs)
        return getattr(T, self.name)(*args, **kwargs)

    def call_method(self, args: tuple, kwargs: dict) -> Any:
        return getattr(args[0], self.name)(*args[1:], **kwargs)


class Draw:
    """Sample-drawing primitives; subclasses choose where the choices come from."""

    def __init__(self, dtype: str) -> None:
        self.dtype = np.dtype(dtype)

    # choices, implemented by subclasses
    def int(self, lo: int, hi: int) -> int:  # inclusive bounds
        raise NotImplementedError

    def seed(self) -> int:
        raise NotImplementedError

    def bool(self) -> bool:
        return self.int(0, 1) == 1

    def choice(self, options):
        options = list(options)
        return options[self.int(0, len(options) - 1)]

    # shapes
    def shape(self, min_dims: int = 0, max_dims: int = 3, min_side: int = 0,
              max_side: int = 4) -> tuple:
        n = self.int(min_dims, max_dims)
        return tuple(self.int(min_side, max_side) for _ in range(n))

    def broadcastable(self, shape: tuple, max_extra: int = 1) -> tuple:
        """A shape that broadcasts with ``shape``: some sides set to 1, some leading dims
        dropped or added."""
        out = [1 if self.int(0, 3) == 0 else s for s in shape]
        if self.bool():
            return tuple(out[self.int(0, len(out)):])  # fewer dims
        extra = self.int(0, max_extra) if len(out) < 4 else 0
        return tuple([self.int(1, 3) for _ in range(extra)] + out)  # more dims

    def dim(self, ndim: int, allow_none: bool = False):
        """A valid dim index for ``ndim`` dims (negative allowed); None sometimes."""
        if allow_none and self.int(0, 3) == 0:
            return None
        n = max(ndim, 1)
        return self.int(-n, n - 1)

    def dims(self, ndim: int) -> tuple:
        """A tuple of distinct dims (possibly empty)."""
        chosen = [d for d in range(ndim) if self.bool()]
        return tuple(d - ndim if self.bool() else d for d in chosen)

    # values
    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed())

    def array(self, shape: tuple, lo: float = -2.0, hi: float = 2.0, dtype=None,
              noncontig: bool | None = None, away_from: tuple = ()) -> np.ndarray:
        """Random values in [lo, hi) of the draw's float dtype (or ``dtype``).

        ``away_from``: points to keep values at least 0.05 from (kinks: 0 for abs).
        ``noncontig``: lay the array out non-contiguously (drawn when None).
        """
        dt = self.dtype if dtype is None else np.dtype(dtype)
        r = self.rng()
        if dt.kind == "f":
            a = r.uniform(lo, hi, size=shape)
            for p in away_from:
                close = np.abs(a - p) < 0.05
                a = np.where(close, p + np.where(a >= p, 0.05, -0.05) + 0.1 * (a - p), a)
        elif dt.kind == "b":
            a = r.integers(0, 2, size=shape).astype(bool)
        else:
            a = r.integers(int(lo), max(int(hi), int(lo) + 1), size=shape)
        a = a.astype(dt)
        if noncontig is None:
            noncontig = len(shape) >= 1 and self.int(0, 2) == 0
        return make_noncontig(a) if noncontig else a

    def ints(self, shape: tuple, lo: int, hi: int, dtype="int64") -> np.ndarray:
        """Integers in [lo, hi) (index tensors, integer operands)."""
        return self.array(shape, lo, hi, dtype=dtype, noncontig=False)

    def mask(self, shape: tuple) -> np.ndarray:
        return self.array(shape, dtype="bool", noncontig=False)


def make_noncontig(a: np.ndarray) -> np.ndarray:
    """The same values in a non-contiguous layout (every other element of a bigger array)."""
    if a.ndim == 0 or a.size == 0:
        return a
    big = np.zeros(a.shape[:-1] + (a.shape[-1] * 2,), a.dtype)
    big[..., ::2] = a
    out = big[..., ::2]
    assert not out.flags.c_contiguous or a.shape[-1] <= 1
    return out


class HypothesisDraw(Draw):
    """Choices from hypothesis's ``st.data()``: failures shrink to small shapes."""

    def __init__(self, data, dtype: str) -> None:
        super().__init__(dtype)
        self.data = data

    def int(self, lo: int, hi: int) -> int:
        from hypothesis import strategies as st

        return self.data.draw(st.integers(lo, hi))

    def seed(self) -> int:
        from hypothesis import strategies as st

        return self.data.draw(st.integers(0, 2**32 - 1))


class RandomDraw(Draw):
    """Choices from a seeded NumPy generator (golden fixtures)."""

    def __init__(self, seed: int, dtype: str) -> None:
        super().__init__(dtype)
        self.r = np.random.default_rng(seed)

    def int(self, lo: int, hi: int) -> int:
        return int(self.r.integers(lo, hi + 1))

    def seed(self) -> int:
        return int(self.r.integers(0, 2**32 - 1))


def all_entries() -> list[OpInfo]:
    """Every OpInfo from every family's ``db_*.py`` module."""
    import importlib
    import pkgutil
    from pathlib import Path

    here = Path(__file__).parent
    out: list[OpInfo] = []
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("db_"):
            mod = importlib.import_module(f"{__package__}.{info.name}" if __package__
                                          else info.name)
            out.extend(mod.ENTRIES)
    return out
