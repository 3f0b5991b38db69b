"""Spreadsheet safety: no output cell may start a formula.

Usage::

    escape_cell("=HYPERLINK(...)")  # "'=HYPERLINK(...)"
    frame = escape_frame(frame)     # every text cell of a DataFrame
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would read as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Escape every text cell of a frame that a spreadsheet would read as a formula (in place).

    Vectorised per column; idempotent (an escaped cell starts with ``'``).
    """
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue
        risky = series.map(_is_risky, na_action="ignore").fillna(False).astype(bool)
        if risky.any():
            frame[column] = series.where(~risky, "'" + series[risky].astype(str))
    return frame


def _is_risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
