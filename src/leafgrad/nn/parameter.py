"""``Parameter`` (a Tensor a Module registers as learnable) and ``Buffer`` (module state).

A Parameter is a Tensor subclass with the same slots: ``Parameter(t)`` shares ``t``'s
data, is a leaf, and requires grad by default. ``Buffer(t)`` marks a plain tensor so
that assigning it to a Module attribute registers it as a buffer (as PyTorch does).
"""

from __future__ import annotations

from ..tensor import Tensor

__all__ = ["Parameter", "Buffer"]

_new = object.__new__


def _empty() -> Tensor:
    from ..creation import empty

    return empty(0)


class Parameter(Tensor):
    """A Tensor that a ``Module`` registers as a parameter when assigned as an attribute.

    >>> p = leafgrad.nn.Parameter(leafgrad.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = _empty()
        elif not isinstance(data, Tensor):
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        p = _new(cls)
        p._data = data._data  # shares storage with ``data``
        p._rg = False
        p._edge = None
        p._grad = None
        p._vc = [0]
        p._base = None
        p._acc = None
        p._extra = None
        p.requires_grad = requires_grad
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(Tensor._make(self._data.copy()), self._rg)
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = p
        return p

    def __reduce_ex__(self, protocol):
        return Tensor.__reduce_ex__(self, protocol)


class _BufferMeta(type):
    # ``isinstance(t, Buffer)``: a tensor made by ``Buffer(...)`` (marked in its extras).
    def __instancecheck__(cls, obj: object) -> bool:
        if cls is Buffer:
            return isinstance(obj, Tensor) and bool(obj._extra) and "buffer" in obj._extra
        return super().__instancecheck__(obj)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as module state: ``self.running = Buffer(t)`` registers a buffer.

    ``persistent=False`` keeps it out of ``state_dict()``. Returns a plain Tensor
    (sharing ``data``'s storage, not requiring grad unless ``data`` does).
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Tensor:  # type: ignore[misc]
        if data is None:
            data = _empty()
        t = data.detach()
        t._rg = data._rg
        t._extras()["buffer"] = persistent
        return t

    @staticmethod
    def _persistent(t: Tensor) -> bool:
        return bool(t._extra["buffer"])
