"""Excel (.xlsx), written only: one sheet per 1,048,576 rows, cells cut to Excel's limits."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from chartaudit.formats import register
from chartaudit.formats.base import TableFormat, TableWriter, is_missing

#: Excel's limits: rows per sheet (with the header) and characters per cell.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
#: Characters that openpyxl refuses in a cell (control characters other than tab and newlines).
EXCEL_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _excel_value(value: Any) -> Any:
    if value is None or is_missing(value):
        return None
    if isinstance(value, str):
        return EXCEL_ILLEGAL.sub(" ", value)[:EXCEL_MAX_CELL]
    if hasattr(value, "item"):
        return value.item()
    return value


class ExcelWriter(TableWriter):
    def __init__(self, path: Path, schema: Any = None) -> None:
        super().__init__(path, schema)
        self._workbook: Any = None
        self._sheet: Any = None
        self._sheet_rows = 0

    def _write(self, frame: pd.DataFrame) -> None:
        if self._workbook is None:
            from openpyxl import Workbook

            self._workbook = Workbook(write_only=True)
        columns = list(frame.columns)
        for values in frame.itertuples(index=False, name=None):
            if self._sheet is None or self._sheet_rows >= EXCEL_MAX_ROWS:
                self._new_sheet(columns)
            self._sheet.append([_excel_value(value) for value in values])
            self._sheet_rows += 1
        if self._sheet is None:
            self._new_sheet(columns)

    def _new_sheet(self, columns: list[str]) -> None:
        number = len(self._workbook.worksheets) + 1
        self._sheet = self._workbook.create_sheet("findings" if number == 1 else f"findings_{number}")
        self._sheet.append(columns)
        self._sheet_rows = 1

    def _finish(self) -> None:
        if self._workbook is None:
            self._write(pd.DataFrame())
        if not self.temporary.exists():
            self._workbook.save(self.temporary)


@register
class ExcelFormat(TableFormat):
    name = "xlsx"
    suffixes = (".xlsx",)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    label = "Excel"
    order = 40
    readable = False

    def writer(self, path: Path, schema: Any = None) -> TableWriter:
        return ExcelWriter(path, schema)

    def _write_bytes(self, frame: pd.DataFrame, buffer: io.BytesIO) -> None:
        frame.to_excel(buffer, index=False, engine="openpyxl", sheet_name="findings")
