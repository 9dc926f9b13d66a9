"""(in progress)"""

from __future__ import annotations


class Module:
    pass
