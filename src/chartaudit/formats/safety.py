"""Spreadsheet safety: no output cell may start a formula."""

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

    One pass over each text column's values; a column is replaced only when one of
    its cells needs escaping. Idempotent (an escaped cell starts with ``'``).
    """
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue
        values = series.tolist()
        if any(isinstance(value, str) and value.startswith(FORMULA_PREFIXES) for value in values):
            frame[column] = pd.Series([escape_cell(value) for value in values], index=series.index,
                                      dtype=series.dtype, name=column)
    return frame
