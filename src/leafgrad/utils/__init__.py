"""Utilities, as in ``torch.utils``: ``leafgrad.utils.data`` (datasets and loaders)."""

from __future__ import annotations

from . import data
