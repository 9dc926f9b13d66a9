"""Tensor printing, identical to PyTorch's (with ``leafgrad`` where it says ``torch``).

The rules, as PyTorch applies them:
- One formatter per tensor, built from its nonzero finite values (of the summarised
  tensor when it has more than ``threshold`` elements): integer-valued floats print as
  ``1.``; a spread wider than 1000x, a value above 1e8 or (for non-integers) below 1e-4
  switches to scientific notation; every element is right-aligned to the widest one.
- Rows wrap at ``linewidth``; nested dimensions indent one space per level, with
  ``dim - 1`` newlines between slices; summarised dimensions show ``edgeitems`` at each
  end around ``...``.
- Suffixes (size of empty tensors, a non-default dtype, grad_fn or requires_grad) follow
  the data, each on a new line when it would overflow ``linewidth``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import dtypes as _dt


@dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _Options()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print (PyTorch's options and profiles: 'default', 'short', 'full').

    >>> leafgrad.set_printoptions(precision=2)
    >>> leafgrad.tensor([1.23456])
    tensor([1.23])
    >>> leafgrad.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"Unknown profile {profile!r}: use 'default', 'short' or 'full'")
        for key, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, key, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options, as a dict."""
    return dict(vars(PRINT_OPTS))


class _Formatter:
    """Formats the elements of one tensor to a common width."""

    def __init__(self, values: list, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not floating:
            for v in values:
                self.width = max(self.width, len(str(v)))
            return
        nonzero = [v for v in values if v != 0 and math.isfinite(v)]
        if not nonzero:
            return  # nothing to measure: zeros, nan and inf print as they are
        lo = min(abs(v) for v in nonzero)
        hi = max(abs(v) for v in nonzero)
        self.int_mode = all(v == math.ceil(v) for v in nonzero)
        wide = hi / lo > 1000.0 or hi > 1.0e8
        self.sci_mode = wide if self.int_mode else wide or lo < 1.0e-4
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in nonzero)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in nonzero)
        else:
            widths = (len(f"{v:.{p}f}") for v in nonzero)
        self.width = max(self.width, *widths)

    def format(self, v) -> str:
        if self.floating:
            if self.sci_mode:
                s = f"{v:{self.width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if math.isfinite(v):
                    s += "."
            else:
                s = f"{v:.{PRINT_OPTS.precision}f}"
        else:
            s = str(v)
        return " " * (self.width - len(s)) + s


def _summarized_values(data, edge: int) -> list:
    """The elements that will be shown (each summarised dimension cut to its edges)."""
    if data.ndim == 0:
        return [data.item()]
    n = data.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    if data.ndim == 1:
        return [data[i].item() for i in rows]
    return [v for i in rows for v in _summarized_values(data[i], edge)]


def _vector(data, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width + 2))))
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = ([fmt.format(v) for v in data[:edge].tolist()] + [" ..."]
                 + [fmt.format(v) for v in data[-edge:].tolist()])
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(data, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector(data, indent, summarize, fmt)
    edge = PRINT_OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edge:
        slices = ([_nested(data[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
                  + [_nested(data[i], indent + 1, summarize, fmt) for i in range(n - edge, n)])
    else:
        slices = [_nested(data[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body(data, indent: int) -> str:
    summarize = data.size > PRINT_OPTS.threshold
    if data.dtype == _dt.float16.np:
        data = data.astype(_dt.float32.np)  # formatted through float32, as PyTorch does
    floating = data.dtype.kind == "f"
    values = (_summarized_values(data, PRINT_OPTS.edgeitems) if summarize
              else data.reshape(-1).tolist())
    return _nested(data, indent, summarize, _Formatter(values, floating))


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    """``repr(t)`` exactly as PyTorch prints the same tensor."""
    prefix = "tensor("
    indent = len(prefix)
    data = t._data
    dtype = _dt.FROM_NP[data.dtype]
    suffixes = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype is not _dt.get_default_dtype():
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if dtype not in (_dt.get_default_dtype(), _dt.int64, _dt.bool_):
            suffixes.append(f"dtype={dtype!r}")
        body = _body(data, indent)
    fn = t.grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{type(fn).__name__}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
