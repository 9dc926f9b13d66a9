"""(in progress)"""

from __future__ import annotations

from ..tensor import Tensor


class Parameter(Tensor):
    pass


class Buffer(Tensor):
    pass
