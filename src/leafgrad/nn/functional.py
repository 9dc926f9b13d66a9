"""``leafgrad.nn.functional``: the functional form of every layer, activation and loss.

The primitives live in ``leafgrad.ops`` (``nn_ops``, ``activation``, ``loss``); this
module gathers them under PyTorch's names."""

from __future__ import annotations

from ..ops.activation import *  # noqa: F403
from ..ops.loss import *  # noqa: F403
from ..ops.nn_ops import *  # noqa: F403
from ._functional_layers import *  # noqa: F403
from ._functional_linear import *  # noqa: F403
