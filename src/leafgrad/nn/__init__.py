"""Neural-network building blocks with PyTorch's API: ``Module``, layers, losses,
``functional``, ``init`` and ``utils``."""

from __future__ import annotations

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F403
from .parameter import Buffer, Parameter
