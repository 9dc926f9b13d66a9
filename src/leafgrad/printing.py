"""Tensor printing identical to PyTorch's, and the print options that steer it.

``repr(t)`` and ``str(t)`` both land in :func:`tensor_repr`. The layout rules (how a
float tensor chooses between ``1.5000``, ``1.`` and ``1.5000e+00``, where rows wrap,
how big tensors are summarised with ``...``, which suffixes follow the values) were
established by experiment against PyTorch 2.13 and are checked by tests/test_printing.py.

>>> import leafgrad
>>> leafgrad.tensor([1.0, 2.5])
tensor([1.0000, 2.5000])
>>> leafgrad.set_printoptions(precision=2)
>>> leafgrad.tensor([1.0, 2.5])
tensor([1.00, 2.50])
>>> leafgrad.set_printoptions(profile="default")
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from . import dtypes as _dt
from .backend import np

_PREFIX = "tensor("
_INDENT = len(_PREFIX)

# (precision, threshold, edgeitems, linewidth) of each named profile.
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


class _Options:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision, self.threshold, self.edgeitems, self.linewidth = _PROFILES["default"]
        self.sci_mode: bool | None = None


_opts = _Options()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print (PyTorch's semantics).

    ``profile`` ('default', 'short' or 'full') sets the four numeric options first; each
    option given explicitly then overrides it, and options left as None keep their value,
    except ``sci_mode``, which is always set (None means "chosen per tensor").

    >>> leafgrad.set_printoptions(threshold=5)
    >>> leafgrad.arange(10)
    tensor([0, 1, 2,  ..., 7, 8, 9])
    >>> leafgrad.set_printoptions(profile="default")
    """
    if profile is not None:
        named = _PROFILES.get(profile)
        if named is not None:  # PyTorch ignores an unknown profile name silently
            _opts.precision, _opts.threshold, _opts.edgeitems, _opts.linewidth = named
    if precision is not None:
        _opts.precision = precision
    if threshold is not None:
        _opts.threshold = threshold
    if edgeitems is not None:
        _opts.edgeitems = edgeitems
    if linewidth is not None:
        _opts.linewidth = linewidth
    _opts.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options as a dict (keys as ``set_printoptions`` takes them)."""
    return {
        "precision": _opts.precision,
        "threshold": _opts.threshold,
        "edgeitems": _opts.edgeitems,
        "linewidth": _opts.linewidth,
        "sci_mode": _opts.sci_mode,
    }


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Set print options inside a ``with`` block and restore the previous ones after it."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# -- element formatting ----------------------------------------------------------------

class _Formatter:
    """Formats every element of one tensor to a common width.

    Built from the (already summarised) values that will be shown, so the choice of
    notation and the width depend only on what is printed.
    """

    __slots__ = ("width", "_fmt")

    def __init__(self, shown, precision: int, sci_opt: bool | None) -> None:
        kind = shown.dtype.kind
        if kind == "f":
            self._init_float(shown, precision, sci_opt)
        elif kind == "b":
            self._fmt = str
            self.width = 5 if shown.size and not shown.all() else 4
        else:
            self._fmt = str
            self.width = (max(len(str(shown.min())), len(str(shown.max())))
                          if shown.size else 1)

    def _init_float(self, shown, precision: int, sci_opt: bool | None) -> None:
        flat = shown.reshape(-1)
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if not vals.size:
            # Nothing but zeros, nan and inf: integer style, and the width stays at 1.
            self._fmt = _int_style
            self.width = 1
            return
        mag = np.abs(vals.astype(np.float64))
        lo, hi = float(mag.min()), float(mag.max())
        integral = bool((vals == np.ceil(vals)).all())
        if sci_opt is not None:
            sci = bool(sci_opt)
        elif integral:
            sci = hi / lo > 1000.0 or hi > 1.0e8
        else:
            sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if sci:
            spec = f".{precision}e"
            self._fmt = lambda v: format(v, spec)
        elif integral:
            self._fmt = _int_style
        else:
            spec = f".{precision}f"
            self._fmt = lambda v: format(v, spec)
        # In every style the length of a formatted value only grows with its magnitude
        # (tiny ones too, in scientific notation: e-100), and a sign adds one: the widest
        # strings come from the extreme magnitudes of each sign, so format only those.
        pos, neg = vals[vals > 0], vals[vals < 0]
        ends = [float(x) for part in (pos, neg) if part.size for x in (part.min(), part.max())]
        self.width = max(len(self._fmt(v)) for v in ends)

    def __call__(self, v) -> str:
        return self._fmt(v).rjust(self.width)


def _int_style(v: float) -> str:
    # Integer-valued floats print as "3." (nan and inf carry no dot).
    s = format(v, ".0f")
    return s + "." if math.isfinite(v) else s


# -- layout ------------------------------------------------------------------------------

def _summarised(a, edge: int):
    """The elements a summary shows: the first and last ``edge`` along each long axis."""
    for axis, n in enumerate(a.shape):
        if n > 2 * edge:
            idx = np.arange(n)
            a = a.take(np.concatenate((idx[:edge], idx[-edge:])), axis=axis)
    return a


def _vector(a, indent: int, summarise: bool, fmt: _Formatter, edge: int, linewidth) -> str:
    if summarise and a.shape[0] > 2 * edge:
        items = [fmt(v) for v in a[:edge].tolist()]
        items.append(" ...")
        items += [fmt(v) for v in a[-edge:].tolist()]
    else:
        items = [fmt(v) for v in a.tolist()]
    per_line = max(1, int(math.floor((linewidth - indent) / (fmt.width + 2))))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _block(a, indent: int, summarise: bool, fmt: _Formatter, edge: int, linewidth) -> str:
    if a.ndim == 1:
        return _vector(a, indent, summarise, fmt, edge, linewidth)
    inner = indent + 1
    if summarise and a.shape[0] > 2 * edge:
        parts = [_block(s, inner, summarise, fmt, edge, linewidth) for s in a[:edge]]
        parts.append("...")
        parts += [_block(s, inner, summarise, fmt, edge, linewidth) for s in a[-edge:]]
    else:
        parts = [_block(s, inner, summarise, fmt, edge, linewidth) for s in a]
    sep = "," + "\n" * (a.ndim - 1) + " " * inner
    return "[" + sep.join(parts) + "]"


def _values(a) -> str:
    o = _opts
    if a.ndim == 0:
        fmt = _Formatter(a, o.precision, o.sci_mode)
        return fmt(a.item())
    summarise = a.size > o.threshold
    edge = o.edgeitems
    if summarise and not edge:
        return "[...]"
    shown = _summarised(a, edge) if summarise else a
    fmt = _Formatter(shown, o.precision, o.sci_mode)
    return _block(a, _INDENT, summarise, fmt, edge, o.linewidth)


def tensor_repr(t) -> str:
    """``repr(t)`` exactly as PyTorch prints it (``leafgrad.`` in place of ``torch.``)."""
    a = t._data
    dtype = _dt.FROM_NP[a.dtype]
    default = _dt.get_default_dtype()
    suffixes = []
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default:  # empty tensors name even int64 and bool
            suffixes.append(_dtype_suffix(dtype))
    else:
        body = _values(a)
        if not _opts.edgeitems:  # nothing shown of the values: say how many there are
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not default and dtype is not _dt.int64 and dtype is not _dt.bool_:
            suffixes.append(_dtype_suffix(dtype))
    node = t.grad_fn
    if node is not None:
        suffixes.append(f"grad_fn=<{type(node).__name__}>")  # <NotImplemented>, as PyTorch
    elif t.requires_grad:
        suffixes.append("requires_grad=True")

    out = _PREFIX + body
    if suffixes:
        linewidth = _opts.linewidth
        # PyTorch's rule, as measured: a suffix goes on its own line when the running
        # count plus ", suffix" passes the line width, where the count starts at the
        # length of the last line of values plus 2 and restarts at indent + suffix after
        # a break.
        used = len(out) - out.rfind("\n") + 1
        pieces = [out]
        for s in suffixes:
            # Lay out what PyTorch prints, so that our repr is its repr with "torch."
            # replaced: "leafgrad." counts as long as "torch.".
            n = len(s) - _RENAMED if s.startswith("dtype=") else len(s)
            if used + n + 2 > linewidth:
                pieces.append(",\n" + " " * _INDENT + s)
                used = _INDENT + n
            else:
                pieces.append(", " + s)
                used += n + 2
        out = "".join(pieces)
    return out + ")"


_RENAMED = len("leafgrad.") - len("torch.")


def _dtype_suffix(dtype: _dt.dtype) -> str:
    return f"dtype={dtype!r}"
