"""dtypes, the default dtype, PyTorch's type-promotion rules, finfo/iinfo, layouts.

>>> leafgrad.promote_types(leafgrad.int8, leafgrad.uint8)
leafgrad.int16
>>> leafgrad.result_type(leafgrad.tensor([1, 2]), 2.5)
leafgrad.float32
"""

from __future__ import annotations

import builtins

from .backend import np

# Categories order promotion across kinds: a float beats an int beats a bool.
BOOL, INT, FLOAT = 0, 1, 2

_new = object.__new__


class dtype:
    """A tensor element type (``leafgrad.float32`` ...), mirroring ``torch.dtype``.

    The nine instances are made once, here; like ``torch.dtype`` the class cannot be
    instantiated, so ``is`` comparisons are always valid.

    >>> leafgrad.float32.is_floating_point, leafgrad.uint8.is_signed, leafgrad.int16.itemsize
    (True, False, 2)
    """

    __slots__ = ("name", "np", "category", "is_floating_point", "is_signed", "itemsize",
                 "legacy_name", "c_name", "scalar_name", "abbr")

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'leafgrad.dtype' instances")

    @property
    def is_complex(self) -> bool:
        return False

    def to_real(self) -> dtype:
        """The real dtype of the same precision (every leafgrad dtype is real: itself)."""
        return self

    def to_complex(self) -> dtype:
        if self.is_floating_point:
            raise RuntimeError("leafgrad has no complex dtypes")
        raise RuntimeError(f"Unknown Complex ScalarType for {self.scalar_name}")

    def __repr__(self) -> str:
        return f"leafgrad.{self.name}"

    __str__ = __repr__

    def __reduce__(self):
        return (_by_name, (self.name,))

    def __copy__(self) -> dtype:
        return self

    def __deepcopy__(self, memo) -> dtype:
        return self


def _make(name: str, np_dtype, category: int, scalar_name: str, c_name: str) -> dtype:
    d = _new(dtype)
    d.name = name
    d.np = np.dtype(np_dtype)
    d.category = category
    d.is_floating_point = category == FLOAT
    d.is_signed = d.np.kind in "if"
    d.itemsize = d.np.itemsize
    d.scalar_name = scalar_name  # PyTorch's ScalarType name: 'Float', 'Long', 'Bool' ...
    d.legacy_name = scalar_name + "Tensor"  # FloatTensor, LongTensor ... (Tensor.type())
    d.c_name = c_name  # the C type PyTorch's kernels name in some messages
    d.abbr = "b8" if category == BOOL else f"{d.np.kind}{8 * d.itemsize}"  # 'f32', 'u8' ...
    return d


float16 = _make("float16", np.float16, FLOAT, "Half", "c10::Half")
float32 = _make("float32", np.float32, FLOAT, "Float", "float")
float64 = _make("float64", np.float64, FLOAT, "Double", "double")
int8 = _make("int8", np.int8, INT, "Char", "signed char")
int16 = _make("int16", np.int16, INT, "Short", "short")
int32 = _make("int32", np.int32, INT, "Int", "int")
int64 = _make("int64", np.int64, INT, "Long", "long")
uint8 = _make("uint8", np.uint8, INT, "Byte", "unsigned char")
bool_ = _make("bool", np.bool_, BOOL, "Bool", "bool")

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}
_NAMES.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64)
_LEGACY = {d.legacy_name: d for d in ALL}
# The Python types PyTorch's argument parser accepts where a dtype is expected.
PY_TYPES = {builtins.float: float64, builtins.int: int64, builtins.bool: bool_}
SUPPORTED = "float64, float32, float16, int64, int32, int16, int8, uint8, and bool"


def _by_name(name: str) -> dtype:
    return _NAMES[name]


class _Default:
    """The default floating dtype (process-wide, as in PyTorch)."""

    dtype = float32


_default = _Default()


def get_default_dtype() -> dtype:
    """The dtype of floating tensors created from Python floats (float32 at start).

    >>> leafgrad.get_default_dtype()
    leafgrad.float32
    """
    return _default.dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float16, float32 or float64).

    It is the dtype of ``tensor(2.5)``, ``zeros(3)``, ``arange(1.5)``, and of an integer
    tensor combined with a Python float (``int_tensor + 2.5``).
    """
    if d.__class__ is not dtype:
        raise TypeError(
            "invalid dtype object: only floating-point types are supported as the default type"
        )
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default.dtype = d


def type_name(value) -> str:
    """A value's type as PyTorch's argument errors print it (``numpy.float64``, ``list``)."""
    t = builtins.type(value)
    if t.__module__ == "numpy":
        return f"numpy.{t.__name__}"
    if isinstance(value, dtype):
        return "leafgrad.dtype"
    return t.__name__


def parse_dtype(value, fn: str, arg: str = "dtype", pos: int | None = None) -> dtype | None:
    """A ``dtype=`` argument: a leafgrad dtype, Python's float/int/bool, or None.

    Anything else is PyTorch's argument error, naming the function and the argument.
    """
    if value is None or value.__class__ is dtype:
        return value
    d = PY_TYPES.get(value) if builtins.type(value) is type else None
    if d is not None:
        return d
    where = f" (position {pos})" if pos is not None else ""
    raise TypeError(f"{fn}(): argument '{arg}'{where} must be leafgrad.dtype, not "
                    f"{type_name(value)}")


def from_numpy_dtype(np_dtype) -> dtype:
    """The leafgrad dtype of a NumPy dtype; PyTorch's TypeError for the ones we lack."""
    d = FROM_NP.get(np_dtype)
    if d is not None:
        return d
    nd = np.dtype(np_dtype)
    d = FROM_NP.get(nd.newbyteorder("=")) if nd.byteorder not in "=|" else FROM_NP.get(nd)
    if d is not None:
        return d
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{nd.type.__name__}. The only supported types "
        f"are: {SUPPORTED}."
    )


def to_dtype(d) -> dtype:
    """Accept a leafgrad dtype, a Python type (float, int, bool) or a NumPy dtype."""
    if d.__class__ is dtype:
        return d
    py = PY_TYPES.get(d) if builtins.type(d) is type else None
    if py is not None:
        return py
    return from_numpy_dtype(d)


def _promote_table() -> dict:
    table = {}
    for a in ALL:
        for b in ALL:
            if a is b:
                r = a
            elif a.category != b.category:
                r = a if a.category > b.category else b
            else:
                # Within one category PyTorch's lattice is NumPy's (uint8 + int8 -> int16).
                r = FROM_NP[np.promote_types(a.np, b.np)]
            table[a, b] = r
    return table


_PROMOTE = _promote_table()


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing kind.

    A float beats an int beats a bool (``int64`` with ``float16`` is ``float16``); within
    a kind, the wider type, and ``uint8`` with ``int8`` is ``int16``.

    >>> leafgrad.promote_types(leafgrad.int64, leafgrad.float16)
    leafgrad.float16
    """
    r = _PROMOTE.get((type1, type2))
    if r is not None:
        return r
    a = parse_dtype(type1, "promote_types", "type1", 1)
    b = parse_dtype(type2, "promote_types", "type2", 2)
    if a is None or b is None:
        raise TypeError(
            f"promote_types(): argument '{'type1' if a is None else 'type2'}' (position "
            f"{1 if a is None else 2}) must be leafgrad.dtype, not NoneType"
        )
    return _PROMOTE[a, b]


def scalar_dtype(value) -> dtype:
    """The dtype a Python number takes in an operation: bool, int64, or the default float.

    NumPy scalars count as Python numbers; PyTorch reads ``numpy.bool_`` (which has no
    ``__index__``) as a float, so it does too.
    """
    if value.__class__ is builtins.bool:
        return bool_
    if isinstance(value, (builtins.int, np.integer)):
        return int64
    return _default.dtype


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # A lower-priority group only matters when it is of a higher category (or fills a bool).
    if higher is None:
        return lower
    if lower is None or higher.category == FLOAT:
        return higher
    if higher is bool_ or lower.category == FLOAT:
        return _PROMOTE[higher, lower]
    return higher


def result_type(*operands) -> dtype:
    """PyTorch's result type over any number of tensors and Python numbers (internal).

    Priority: tensors with dimensions, then 0-dim tensors, then Python numbers;
    a lower-priority operand changes the result only by raising its category
    (float32 tensor + float64 0-dim tensor -> float32; int64 tensor + 2.5 -> float32).
    """
    dim = zero = wrapped = None
    for op in operands:
        d = getattr(op, "_data", None)
        if d is None:
            t = scalar_dtype(op)
            wrapped = t if wrapped is None else _PROMOTE[wrapped, t]
        elif d.ndim:
            t = FROM_NP[d.dtype]
            dim = t if dim is None else _PROMOTE[dim, t]
        else:
            t = FROM_NP[d.dtype]
            zero = t if zero is None else _PROMOTE[zero, t]
    return _combine(dim, _combine(zero, wrapped))


_NUMBER = (builtins.bool, builtins.int, builtins.float, np.number, np.bool_)


def _result_type_api(tensor, other) -> dtype:
    """The dtype of an arithmetic operation on ``tensor`` and ``other`` (tensors or numbers).

    >>> leafgrad.result_type(leafgrad.tensor([1], dtype=leafgrad.int8), 1000)
    leafgrad.int8
    >>> leafgrad.result_type(leafgrad.tensor([1]), leafgrad.tensor(1.))
    leafgrad.float32
    """
    ok = [hasattr(x, "_data") or isinstance(x, _NUMBER) for x in (tensor, other)]
    if not all(ok):
        names = [("Tensor" if hasattr(x, "_data") else type_name(x)) for x in (tensor, other)]
        lines = []
        for sig in (("Tensor", "tensor", "Tensor", "other"), ("Number", "scalar", "Tensor",
                    "tensor"), ("Tensor", "tensor", "Number", "other"),
                    ("Number", "scalar1", "Number", "scalar2")):
            marked = []
            for x, name, kind in zip((tensor, other), names, sig[::2]):
                fits = hasattr(x, "_data") if kind == "Tensor" else (
                    isinstance(x, _NUMBER) and not hasattr(x, "_data"))
                marked.append(name if fits else f"!{name}!")
            lines.append(f" * ({sig[0]} {sig[1]}, {sig[2]} {sig[3]})\n      didn't match "
                         f"because some of the arguments have invalid types: "
                         f"({', '.join(marked)})\n")
        raise TypeError(
            f"result_type() received an invalid combination of arguments - got "
            f"({', '.join(names)}), but expected one of:\n{''.join(lines)}"
        )
    for x in (tensor, other):
        if x.__class__ is builtins.int and not -(1 << 63) <= x < (1 << 64):
            raise OverflowError("int too big to convert")
    return result_type(tensor, other)


_result_type_api.__name__ = _result_type_api.__qualname__ = "result_type"


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` in an in-place operation.

    Only float -> integer and anything -> bool (but bool itself) are refused.

    >>> leafgrad.can_cast(leafgrad.float32, leafgrad.int32)
    False
    """
    a = parse_dtype(from_, "can_cast", "from_", 1)
    b = parse_dtype(to, "can_cast", "to", 2)
    if a is None or b is None:
        raise TypeError("can_cast(): argument 'from_' (position 1) must be leafgrad.dtype, "
                        "not NoneType" if a is None else
                        "can_cast(): argument 'to' (position 2) must be leafgrad.dtype, not "
                        "NoneType")
    if a.category == FLOAT and b.category != FLOAT:
        return False
    return not (a is not bool_ and b is bool_)


def _g(v) -> str:
    return f"{v:g}"


class finfo:
    """Machine limits of a floating dtype: ``bits eps max min tiny smallest_normal resolution``.

    >>> leafgrad.finfo(leafgrad.float32).eps
    1.1920928955078125e-07
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002
        d = _default.dtype if type is None else parse_dtype(type, "finfo", "type", 1)
        if not d.is_floating_point:
            raise TypeError("leafgrad.finfo() requires a floating point input type. Use "
                            "leafgrad.iinfo to handle 'leafgrad.finfo'")
        f = np.finfo(d.np)
        self.bits = builtins.int(f.bits)
        self.eps = builtins.float(f.eps)
        self.max = builtins.float(f.max)
        self.min = builtins.float(f.min)
        self.tiny = builtins.float(f.tiny)
        self.smallest_normal = builtins.float(f.smallest_normal)
        self.resolution = 10.0 ** -builtins.int(f.precision)  # PyTorch: 10 ** -digits
        self.dtype = d.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={_g(self.resolution)}, min={_g(self.min)}, "
                f"max={_g(self.max)}, eps={_g(self.eps)}, "
                f"smallest_normal={_g(self.smallest_normal)}, tiny={_g(self.tiny)}, "
                f"dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """Limits of an integer dtype: ``bits min max``.

    >>> leafgrad.iinfo(leafgrad.uint8).max
    255
    """

    __slots__ = ("bits", "min", "max", "dtype")

    def __init__(self, type: dtype) -> None:  # noqa: A002
        d = parse_dtype(type, "iinfo", "type", 1)
        if d is bool_:
            raise TypeError("leafgrad.bool is not supported by leafgrad.iinfo")
        if d is None or d.category != INT:
            raise TypeError("leafgrad.iinfo() requires an integer input type. Use "
                            "leafgrad.finfo to handle 'leafgrad.iinfo'")
        f = np.iinfo(d.np)
        self.bits = builtins.int(f.bits)
        self.min = builtins.int(f.min)
        self.max = builtins.int(f.max)
        self.dtype = d.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={_g(self.min)}, max={_g(self.max)}, dtype={self.dtype})"

    __str__ = __repr__


# -- layouts and memory formats: accepted where PyTorch takes them (one of each exists) ------
class layout:
    """A tensor layout; leafgrad tensors are all ``leafgrad.strided``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"leafgrad.{self._name}"

    def __reduce__(self):
        return self._name


class memory_format:
    """A memory format argument (``leafgrad.contiguous_format`` ...)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"leafgrad.{self._name}"

    def __reduce__(self):
        return self._name


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
