"""Grad modes: whether ops record the graph. Per thread, as in PyTorch."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True  # class attribute: every new thread starts with grad mode on
    inference = False


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops record a graph on this thread."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """Context manager and decorator that sets grad mode, restoring it on exit."""

    _value: bool

    def __enter__(self) -> None:
        self._prev = state.enabled
        state.enabled = self._value

    def __exit__(self, *exc) -> None:
        state.enabled = self._prev

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_Mode):
    """Disable graph recording: ``with no_grad():`` or ``@no_grad()``.

    >>> x = leafgrad.ones(2, requires_grad=True)
    >>> with leafgrad.no_grad():
    ...     (x * 2).requires_grad
    False
    """

    _value = False


class enable_grad(_Mode):
    """Enable graph recording inside a ``no_grad`` block."""

    _value = True


class set_grad_enabled(_Mode):
    """Set grad mode: as a call it takes effect at once; also a context manager and decorator."""

    def __init__(self, mode: bool) -> None:
        self._prev = state.enabled
        self._value = bool(mode)
        state.enabled = self._value

    def __enter__(self) -> None:
        pass  # already set by the constructor, as in PyTorch

    def __call__(self, func):
        state.enabled = self._prev  # used as a decorator: the call itself must not stick
        return super().__call__(func)

    def clone(self):
        return _Plain(self._value)


class _Plain(_Mode):
    def __init__(self, value: bool) -> None:
        self._value = value


class inference_mode(_Mode):
    """Like ``no_grad``, for inference (``inference_mode(False)`` leaves grad mode alone)."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self._value = not mode if mode else None

    def __enter__(self) -> None:
        self._prev = state.enabled
        self._prev_inf = state.inference
        if self.mode:
            state.enabled = False
            state.inference = True

    def __exit__(self, *exc) -> None:
        state.enabled = self._prev
        state.inference = self._prev_inf

    def clone(self):
        return inference_mode(self.mode)
