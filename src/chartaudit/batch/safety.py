"""Spreadsheet safety: no output cell may start a formula.

Usage::

    escape_cell("=HYPERLINK(...)")  # "'=HYPERLINK(...)"
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would read as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
