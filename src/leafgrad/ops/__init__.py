"""The op library.

Each family module lists its public functions (``__all__``), the ones that are
also Tensor methods (``methods``, bound under the same name), its operator
dunders (``dunders``: name -> function) and Tensor properties (``properties``:
name -> property). This file binds them all, in one place.
"""

from __future__ import annotations

from ..tensor import Tensor
from . import (
    activation,
    conversion,
    elementwise,
    indexing,
    inplace,
    linalg,
    logical,
    loss,
    nn_ops,
    reduction,
    shape,
)

FAMILIES = (elementwise, logical, reduction, linalg, shape, indexing, conversion, inplace)
# Neural-network primitives: reached through ``leafgrad.nn.functional``, not exported at
# the top level (their Tensor methods, if any, are bound all the same).
NN_FAMILIES = (nn_ops, activation, loss)

__all__: list[str] = []
for _mod in FAMILIES + NN_FAMILIES:
    if _mod in FAMILIES:
        for _name in _mod.__all__:
            globals()[_name] = getattr(_mod, _name)
            __all__.append(_name)
    for _name in _mod.methods:
        setattr(Tensor, _name, getattr(_mod, _name))
    for _name, _fn in getattr(_mod, "dunders", {}).items():
        setattr(Tensor, _name, _fn)
    for _name, _prop in getattr(_mod, "properties", {}).items():
        setattr(Tensor, _name, _prop)
