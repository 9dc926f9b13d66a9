"""OpInfo entries: logical ops."""

from __future__ import annotations

ENTRIES: list = []
