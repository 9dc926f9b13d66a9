"""Helpers behind ``DataLoader`` (``collate``), at PyTorch's module paths."""

from __future__ import annotations

from . import collate
