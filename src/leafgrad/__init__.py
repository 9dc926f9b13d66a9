"""leafgrad: define-by-run automatic differentiation on NumPy, with PyTorch's API.

>>> import leafgrad as torch
>>> x = torch.tensor(2., requires_grad=True)
>>> y = x ** 2
>>> y.backward()
>>> x.grad
tensor(4.)
"""

from __future__ import annotations

import os as _os
import warnings as _warnings

from . import autograd, dtypes, ops
from .autograd import (
    enable_grad,
    inference_mode,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import *  # noqa: F403
from .dtypes import (
    _result_type_api as result_type,
)
from .dtypes import (
    bool_ as bool,  # noqa: A004
)
from .dtypes import (
    can_cast,
    channels_last,
    channels_last_3d,
    contiguous_format,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    layout,
    memory_format,
    preserve_format,
    promote_types,
    set_default_dtype,
    strided,
    uint8,
)
from .ops import *  # noqa: F403
from .ops.indexing import return_types
from .printing import get_printoptions, set_printoptions
from .random import (
    Generator,
    default_generator,
    fork_rng,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .tensor import Size, Tensor, device

# The layers above the op library (imported after it: they are written on its public API).
from . import datasets, nn, optim, utils, viz
from .serialization import load, save

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

__version__ = "0.1.0"

# Big temporaries (activations, gradients) are allocated and freed every step; glibc's
# malloc would return each to the OS and fault it back in on the next step. Keeping freed
# blocks (as PyTorch's CPU allocator effectively does) makes that cost vanish.
# LEAFGRAD_KEEP_FREED_MEMORY=0 leaves the C allocator's settings alone.
if _os.environ.get("LEAFGRAD_KEEP_FREED_MEMORY", "1") != "0":
    from .backend import keep_freed_memory as _keep_freed_memory

    _keep_freed_memory()

# PyTorch computes inf/nan silently; NumPy warns. Silence NumPy's floating-point warnings
# raised from leafgrad's own code only (a filter by module; NumPy's global state is untouched).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"leafgrad(\..*)?$")
