"""Grad modes: whether ops record the graph. Per thread, as in PyTorch."""

from __future__ import annotations

import functools
import inspect
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
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, func):
        """A generator function whose every step (not the caller's) runs in this mode."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:  # noqa: BLE001 - forwarded to the generator
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper

    def clone(self):
        return self.__class__()


class _NoParam(_Mode):
    """A mode usable as ``@mode`` as well as ``@mode()`` / ``with mode():``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParam):
    """Disable graph recording: ``with no_grad():`` or ``@no_grad()``.

    >>> x = leafgrad.ones(2, requires_grad=True)
    >>> with leafgrad.no_grad():
    ...     (x * 2).requires_grad
    False
    """

    _value = False


class enable_grad(_NoParam):
    """Enable graph recording inside a ``no_grad`` block."""

    _value = True


class set_grad_enabled(_Mode):
    """Set grad mode: as a call it takes effect at once; also a context manager and decorator."""

    def __init__(self, mode: bool) -> None:
        if mode.__class__ is not bool:
            t = type(mode)
            name = f"numpy.{t.__name__}" if t.__module__ == "numpy" else t.__name__
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {name}")
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
    """Like ``no_grad``, for inference; ``inference_mode(False)`` turns both inference mode
    off and grad mode on, as PyTorch's does. Also ``@inference_mode`` / ``@inference_mode()``.
    """

    def __new__(cls, mode_or_fn=True):
        if mode_or_fn is None or isinstance(mode_or_fn, bool):
            return super().__new__(cls)
        return cls()(mode_or_fn)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self._value = not mode

    def __enter__(self) -> None:
        self._prev = state.enabled
        self._prev_inf = state.inference
        state.enabled = not self.mode
        state.inference = bool(self.mode)

    def __exit__(self, *exc) -> None:
        state.enabled = self._prev
        state.inference = self._prev_inf

    def clone(self):
        return inference_mode(self.mode)
