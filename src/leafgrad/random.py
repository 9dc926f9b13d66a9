"""Random number generation: a reproducible generator of our own (NumPy's PCG64).

Matching PyTorch's random streams is not a goal; reproducibility under
``manual_seed`` is.
"""

from __future__ import annotations

from .backend import np


class Generator:
    """A source of random numbers; ``manual_seed`` makes its stream reproducible."""

    def __init__(self, device: str = "cpu") -> None:
        self._seed = 67280421310721  # PyTorch's default seed, for a familiar initial_seed()
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        self.device = device

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & ((1 << 64) - 1)))
        return self

    def seed(self) -> int:
        import secrets

        self.manual_seed(secrets.randbits(63))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        import json

        from .creation import tensor

        state = json.dumps(self._rng.bit_generator.state).encode()
        return tensor(list(state), dtype=_uint8())

    def set_state(self, state) -> Generator:
        import json

        self._rng.bit_generator.state = json.loads(bytes(state.tolist()).decode())
        return self


def _uint8():
    from .dtypes import uint8

    return uint8


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state) -> None:
    default_generator.set_state(state)


def rng(generator: Generator | None):
    """The NumPy generator behind ``generator`` (the default one when None)."""
    return (generator or default_generator)._rng
