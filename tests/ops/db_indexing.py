"""OpInfo entries: indexing ops."""

from __future__ import annotations

ENTRIES: list = []
