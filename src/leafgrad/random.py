"""Random number generation: reproducible generators of our own (NumPy's PCG64).

Matching PyTorch's random streams bit for bit is not a goal (its Mersenne Twister and
sampling kernels are its own); reproducibility is: the same seed gives the same numbers.

>>> g = leafgrad.Generator().manual_seed(0)
>>> a = leafgrad.rand(3, generator=g)
>>> bool((a == leafgrad.rand(3, generator=leafgrad.Generator().manual_seed(0))).all())
True
"""

from __future__ import annotations

import contextlib
import json
import secrets

from .backend import np
from .dtypes import uint8
from .tensor import Tensor, device

_DEFAULT_SEED = 67280421310721  # PyTorch's default seed, for a familiar initial_seed()
_U64 = (1 << 64) - 1


class Generator:
    """A source of random numbers; ``manual_seed`` makes its stream reproducible.

    Pass one as ``generator=`` to ``rand``, ``randn``, ``randint``, ``randperm``,
    ``normal``, ``bernoulli`` ... to draw from it instead of the default generator.
    """

    __slots__ = ("_seed", "_rng", "device")

    def __init__(self, device: str | device = "cpu") -> None:
        d = device if isinstance(device, _device_cls) else _device_cls(device)
        if d.type != "cpu":
            raise RuntimeError(f"leafgrad has no '{d.type}' device: only 'cpu' generators "
                               "exist")
        self.device = _device_cls("cpu")
        self._seed = _DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed) -> Generator:
        """Restart the stream from ``seed`` (an int; negatives wrap around 2**64)."""
        if seed.__class__ is not int:
            if isinstance(seed, np.integer):
                raise TypeError("an integer is required")
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        if not -(1 << 63) <= seed <= _U64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed & _U64
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed."""
        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (for ``set_state``)."""
        state = json.dumps({"seed": self._seed, "bits": self._rng.bit_generator.state})
        return Tensor._make(np.frombuffer(state.encode(), np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state returned by ``get_state``."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a leafgrad.ByteTensor, but got "
                            f"{type(new_state).__name__}")
        if new_state._data.dtype != uint8.np:
            raise TypeError("RNG state must be a leafgrad.ByteTensor")
        try:
            state = json.loads(new_state._data.tobytes().decode())
            self._rng.bit_generator.state = state["bits"]
        except (ValueError, KeyError, TypeError):
            raise RuntimeError("Expected either a leafgrad.ByteTensor state from get_state() "
                               "or get_rng_state()") from None
        self._seed = state["seed"]
        return self

    def __repr__(self) -> str:
        return f"<leafgrad.Generator object at {hex(id(self))}>"


_device_cls = device
default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Seed the default generator (every random function draws from it); returns it.

    >>> _ = leafgrad.manual_seed(0); a = leafgrad.randn(2)
    >>> _ = leafgrad.manual_seed(0); bool((a == leafgrad.randn(2)).all())
    True
    """
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cpu"):
    """A context in which the default generator may be used freely: its state is restored
    on exit."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)


def rng(generator: Generator | None):
    """The NumPy generator behind ``generator`` (the default one when None)."""
    if generator is None:
        return default_generator._rng
    if generator.__class__ is not Generator:
        raise TypeError(f"expected a leafgrad.Generator as 'generator', but got "
                        f"{type(generator).__name__}")
    return generator._rng
