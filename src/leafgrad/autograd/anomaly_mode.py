"""Anomaly detection: ``detect_anomaly()`` / ``set_detect_anomaly(True)``.

While it is on, every backward node records the stack of the forward call that made it
(``node.metadata["traceback_"]``, as in PyTorch); a backward error then shows that
stack (a warning "Error detected in XBackward0 ..."), and a node whose vjp returns NaN
raises "Function 'XBackward0' returned nan values in its 0th output.". For a saved
value modified in place, the forward stack says where it was saved and leafgrad's error
message says where it was modified.
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings
from collections.abc import Callable

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


class _State:
    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


state = _State()
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward results for NaN."""
    return state.check_nan


def _warn_enabled() -> None:
    warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                  "and should only be enabled for debugging.", UserWarning, stacklevel=3)


class detect_anomaly:
    """Context manager and decorator that turns anomaly detection on.

    >>> with leafgrad.autograd.detect_anomaly():  # doctest: +SKIP
    ...     loss.backward()
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = state.enabled
        self.prev_check_nan = state.check_nan
        self.check_nan = check_nan
        _warn_enabled()

    def __enter__(self) -> None:
        state.enabled = True
        state.check_nan = self.check_nan

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev
        state.check_nan = self.prev_check_nan

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off: as a call, or as a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = state.enabled
        self.prev_check_nan = state.check_nan
        state.enabled = bool(mode)
        state.check_nan = bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        state.enabled = self.prev
        state.check_nan = self.prev_check_nan


def record(node) -> None:
    """Keep the forward stack (outside leafgrad's own frames) on ``node``."""
    stack = traceback.format_stack()
    keep = [line for line in stack if not line.lstrip().startswith(f'File "{_PKG_DIR}')]
    node.metadata["traceback_"] = keep


def forward_trace(node) -> str:
    meta = getattr(node, "_metadata", None) or {}
    return "".join(meta.get("traceback_", ()))


def warn_error(node) -> None:
    trace = forward_trace(node)
    if trace:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that "
                      f"caused the error:\n{trace}", UserWarning, stacklevel=2)


def check_nan(node, result: list, raw: bool) -> None:
    from ..backend import np

    for i, g in enumerate(result):
        if g is None:
            continue
        a = g if raw else g._data
        if a.dtype.kind == "f" and np.isnan(a).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")
