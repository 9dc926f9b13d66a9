"""OpInfo entries: shape ops."""

from __future__ import annotations

ENTRIES: list = []
