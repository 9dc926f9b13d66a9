"""OpInfo entries: reduction ops."""

from __future__ import annotations

ENTRIES: list = []
