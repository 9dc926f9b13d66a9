"""Shared test configuration: the PyTorch oracle is optional."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import HealthCheck, settings

HAVE_TORCH = importlib.util.find_spec("torch") is not None
NO_TORCH = "PyTorch (the test oracle) is not installed: pip install torch==2.13.0"

# `make test` draws the same examples every run (CI must not fail by chance); `make test-slow`
# explores with fresh random draws.
settings.register_profile(
    "default", deadline=None, max_examples=12, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "slow", deadline=None, max_examples=400,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")


def pytest_configure(config):
    if config.getoption("-m") and "slow" in config.getoption("-m") and "not slow" not in \
            config.getoption("-m"):
        settings.load_profile("slow")


def pytest_collection_modifyitems(config, items):
    if HAVE_TORCH:
        return
    skip = pytest.mark.skip(reason=NO_TORCH)
    for item in items:
        if "torch" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def torch():
    """The PyTorch module (tests using it are skipped where it is not installed)."""
    if not HAVE_TORCH:
        pytest.skip(NO_TORCH)
    import torch as _torch

    return _torch
