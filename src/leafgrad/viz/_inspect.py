"""Reading a backward graph through its public introspection API only.

Everything here works on PyTorch's graphs as well as leafgrad's: a node is read
through ``next_functions``, ``variable`` (accumulators), ``_saved_*`` attributes
found with ``dir(node)``, ``saved_tensors`` (custom Functions); a tensor through
``grad_fn``, ``_is_view()``, ``_base``, ``shape``, ``dtype``, ``detach()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backend import np

SAVED_PREFIX = "_saved_"


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a tensor of leafgrad or of any torch-shaped library."""
    from ..tensor import Tensor

    if isinstance(obj, Tensor):
        return True
    t = type(obj)
    return t.__name__ in ("Tensor", "Parameter") and hasattr(obj, "grad_fn") and \
        hasattr(obj, "requires_grad")


def node_name(fn: Any) -> str:
    """The node's class name, as graph tools print it (``MulBackward0``, ``AccumulateGrad``)."""
    return type(fn).__name__


def size_str(t: Any) -> str:
    """``(2, 3)`` for a tensor of shape [2, 3], ``()`` for a scalar."""
    return "(" + ", ".join(str(int(s)) for s in t.shape) + ")"


def dtype_str(t: Any) -> str:
    """``float32`` for ``leafgrad.float32`` (or ``torch.float32``)."""
    return str(t.dtype).rsplit(".", 1)[-1]


def to_numpy(t: Any):
    """A tensor's values as a NumPy array (a copy-free view where possible)."""
    t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    return np.asarray(t.numpy())


def fmt_number(v: float) -> str:
    """A short, readable number: 3, 0.015625, 1.235e-07."""
    v = float(v)
    if v == 0:
        return "0"
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}" if 1e-4 <= abs(v) < 1e6 else f"{v:.4g}"


def summary(t: Any, max_items: int = 4) -> str:
    """The values of a tensor in a few characters: ``2``, ``[1, 2, 3]`` or
    ``mean 0.1 [min -1.2, max 3]``."""
    a = to_numpy(t)
    if a.dtype.kind == "b":
        a = a.astype("int64")
    if a.size == 0:
        return "[] (empty)"
    if a.ndim == 0:
        return fmt_number(a)
    flat = a.reshape(-1)
    if flat.size <= max_items:
        return "[" + ", ".join(fmt_number(v) for v in flat) + "]"
    af = flat.astype("float64")
    return (f"mean {fmt_number(af.mean())} [min {fmt_number(af.min())}, "
            f"max {fmt_number(af.max())}]")


def nbytes(t: Any) -> int:
    """Bytes held by a tensor's elements."""
    return int(t.element_size()) * int(t.nelement())


def storage_key(t: Any) -> tuple:
    """What identifies a tensor's memory (shared by views and saved copies of it)."""
    try:
        return (int(t.data_ptr()), nbytes(t))
    except Exception:  # noqa: BLE001  (a tensor without storage: count it by identity)
        return (id(t), nbytes(t))


def saved_values(fn: Any) -> list[tuple[str, Any]]:
    """``(name, value)`` of each ``_saved_<name>`` attribute of a node, with
    ``"[freed]"`` for values released by backward; custom Functions' ``saved_tensors``
    come as ``saved_tensors[i]``."""
    out: list[tuple[str, Any]] = []
    for attr in dir(fn):
        if not attr.startswith(SAVED_PREFIX):
            continue
        try:
            val = getattr(fn, attr)
        except RuntimeError:  # saved values freed by backward
            val = "[freed]"
        out.append((attr[len(SAVED_PREFIX):], val))
    try:
        st = fn.saved_tensors if "saved_tensors" in dir(fn) else None  # custom Functions
    except RuntimeError:  # freed by backward
        st = None
    for i, t in enumerate(st or ()):
        out.append((f"saved_tensors[{i}]", t))
    return out


def saved_tensors_of(fn: Any) -> list[tuple[str, Any]]:
    """The saved values of ``fn`` that are tensors, as ``(name, tensor)`` (tuples unpacked
    as ``name[i]``)."""
    out = []
    for name, val in saved_values(fn):
        if is_tensor(val):
            out.append((name, val))
        elif isinstance(val, (tuple, list)):
            for i, t in enumerate(val):
                if is_tensor(t):
                    out.append((f"{name}[{i}]", t))
    return out


def children(fn: Any) -> list[Any]:
    """The non-None nodes in ``fn.next_functions``, in order."""
    return [u for u, _ in getattr(fn, "next_functions", ()) if u is not None]


def name_map(params: Any) -> dict[int, str]:
    """``{id(tensor): name}`` from a dict or an iterable of ``(name, tensor)`` pairs."""
    if params is None:
        return {}
    items: Iterable = params.items() if hasattr(params, "items") else params
    out: dict[int, str] = {}
    for name, t in items:
        if not is_tensor(t):
            raise TypeError(f"params: expected tensors, got {type(t).__name__} for {name!r}")
        out.setdefault(id(t), str(name))
    return out


def fmt_bytes(n: int) -> str:
    """``512 B``, ``1.5 KB``, ``3.2 MB``."""
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}"
    return f"{n} B"  # pragma: no cover
