"""Excel (.xlsx): read from the first sheet, every cell as text; written one sheet per 1,048,576 rows,
cells cut to Excel's limits."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from chartaudit.formats import register
from chartaudit.formats.base import FormatError, TableFormat, TableWriter, is_missing

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


def cell_text(value: Any) -> str | None:
    """A cell's value as the text a CSV would hold: 12.0 as "12", dates in ISO form, an empty cell as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _header(row: tuple[Any, ...]) -> list[str]:
    """Column names from the first row; trailing empty cells are dropped, inner ones named by position."""
    names = [cell_text(value) for value in row]
    while names and not names[-1]:
        names.pop()
    return [name if name else f"column_{position + 1}" for position, name in enumerate(names)]


@register
class ExcelFormat(TableFormat):
    name = "xlsx"
    suffixes = (".xlsx",)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    label = "Excel"
    order = 40

    @staticmethod
    def _open(source: Any) -> Any:
        from openpyxl import load_workbook

        try:
            return load_workbook(source, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError) as error:
            raise FormatError(f"not an Excel workbook ({type(error).__name__})") from None

    def columns(self, path: Path) -> list[str]:
        try:
            workbook = self._open(path)
        except FormatError as error:
            raise FormatError(f"{path}: {error}") from None
        try:
            first = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            return _header(first)
        finally:
            workbook.close()

    def read_chunks(self, path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        with open(path, "rb") as handle:
            yield from self.read_stream(handle, path.stat().st_size, chunk_size)

    def read_stream(self, stream: Any, size: int, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        """The first sheet's rows after the header, every cell as text (blank rows skipped)."""
        workbook = self._open(stream)
        try:
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            names = _header(next(rows, ()))
            total = max((sheet.max_row or 1) - 1, 1)
            width = len(names)
            records: list[list[str | None]] = []
            seen = 0
            for row in rows:
                seen += 1
                values = [cell_text(value) for value in row[:width]]
                if not any(values):
                    continue
                records.append(values + [None] * (width - len(values)))
                if len(records) >= chunk_size:
                    yield pd.DataFrame(records, columns=names, dtype=object), min(seen / total, 1.0)
                    records = []
            if records:
                yield pd.DataFrame(records, columns=names, dtype=object), 1.0
        finally:
            workbook.close()

    def expanded_bytes(self, data: bytes) -> int | None:
        """The workbook's size once unzipped (the sizes its zip directory declares)."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return sum(member.file_size for member in archive.infolist())
        except zipfile.BadZipFile:
            return None

    def writer(self, path: Path, schema: Any = None) -> TableWriter:
        return ExcelWriter(path, schema)

    def _write_bytes(self, frame: pd.DataFrame, buffer: io.BytesIO) -> None:
        frame.to_excel(buffer, index=False, engine="openpyxl", sheet_name="findings")
