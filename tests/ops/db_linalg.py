"""OpInfo entries: linalg ops."""

from __future__ import annotations

ENTRIES: list = []
