"""dtypes, the default dtype, and PyTorch's type-promotion rules."""

from __future__ import annotations

from .backend import np

# Categories order promotion across kinds: a float beats an int beats a bool.
BOOL, INT, FLOAT = 0, 1, 2


class dtype:
    """A tensor element type (``leafgrad.float32`` ...), mirroring ``torch.dtype``."""

    __slots__ = ("name", "np", "category", "is_floating_point", "is_signed", "itemsize",
                 "legacy_name")

    def __init__(self, name: str, np_dtype, category: int, legacy_name: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.is_floating_point = category == FLOAT
        self.is_signed = self.np.kind in "if"
        self.itemsize = self.np.itemsize
        self.legacy_name = legacy_name  # FloatTensor, LongTensor, ... as in Tensor.type()

    @property
    def is_complex(self) -> bool:
        return False

    def to_real(self) -> dtype:
        return self

    def __repr__(self) -> str:
        return f"leafgrad.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16, FLOAT, "HalfTensor")
float32 = dtype("float32", np.float32, FLOAT, "FloatTensor")
float64 = dtype("float64", np.float64, FLOAT, "DoubleTensor")
int8 = dtype("int8", np.int8, INT, "CharTensor")
int16 = dtype("int16", np.int16, INT, "ShortTensor")
int32 = dtype("int32", np.int32, INT, "IntTensor")
int64 = dtype("int64", np.int64, INT, "LongTensor")
uint8 = dtype("uint8", np.uint8, INT, "ByteTensor")
bool_ = dtype("bool", np.bool_, BOOL, "BoolTensor")

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
_NAMES.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64)
_LEGACY = {d.legacy_name: d for d in ALL}


def _by_name(name: str) -> dtype:
    return _NAMES[name]


class _Default:
    """The default floating dtype (process-wide, as in PyTorch)."""

    dtype = float32


_default = _Default()


def get_default_dtype() -> dtype:
    """The dtype of floating tensors created from Python floats (float32 at start)."""
    return _default.dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype; only floating dtypes are allowed."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default.dtype = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The leafgrad dtype of a NumPy dtype; a clear error for the ones we lack."""
    try:
        return FROM_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types "
            "are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d) -> dtype:
    """Accept a leafgrad dtype, a NumPy dtype, or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    return from_numpy_dtype(d)


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's promote_types: the higher category wins; within one, NumPy's lattice."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return FROM_NP[np.promote_types(a.np, b.np)]


def scalar_dtype(value) -> dtype:
    """The dtype a Python number takes as a tensor: bool, int64, or the default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return _default.dtype


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # A lower-priority group only matters when it is of a higher category (or fills a bool).
    if higher is None:
        return lower
    if lower is None or higher.category == FLOAT:
        return higher
    if higher is bool_ or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands) -> dtype:
    """PyTorch's result_type over tensors and Python numbers.

    Priority: tensors with dimensions, then 0-dim tensors, then Python numbers;
    a lower-priority operand changes the result only by raising its category
    (float32 tensor + float64 0-dim tensor -> float32; int64 tensor + 2.5 -> float32).
    """
    dim = zero = wrapped = None
    for op in operands:
        d = getattr(op, "_data", None)
        if d is None:
            t = scalar_dtype(op)
            wrapped = t if wrapped is None else promote_types(wrapped, t)
        elif d.ndim:
            t = FROM_NP[d.dtype]
            dim = t if dim is None else promote_types(dim, t)
        else:
            t = FROM_NP[d.dtype]
            zero = t if zero is None else promote_types(zero, t)
    return _combine(dim, _combine(zero, wrapped))
