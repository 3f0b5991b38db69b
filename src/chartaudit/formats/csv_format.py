"""CSV: read with every cell as text (NUL bytes read as spaces, bad UTF-8 as U+FFFD); written with the csv module."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from chartaudit.formats import register
from chartaudit.formats.base import TableFormat, TableWriter


class _NulFreeBytes(io.RawIOBase):
    """A binary stream that reads NUL bytes as spaces (pandas' C parser would cut a cell at NUL)."""

    def __init__(self, handle: Any) -> None:
        super().__init__()
        self.handle = handle
        self.position = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.position += len(data)
        return data.replace(b"\x00", b" ")

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def write_rows(handle: Any, frame: pd.DataFrame, header: bool) -> None:
    """Write a frame as ``DataFrame.to_csv(index=False)`` does (missing values as empty
    cells), a column at a time instead of through pandas' formatter."""
    writer = csv.writer(handle, lineterminator="\n")
    if header:
        writer.writerow([str(column) for column in frame.columns])
    columns = [[None if value is None or value is pd.NA or (isinstance(value, float) and value != value)
                else value for value in frame[column].tolist()] for column in frame.columns]
    writer.writerows(zip(*columns))


class CsvWriter(TableWriter):
    def _write(self, frame: pd.DataFrame) -> None:
        with open(self.temporary, "a" if self.started else "w", newline="", encoding="utf-8") as handle:
            write_rows(handle, frame, header=not self.started)


@register
class CsvFormat(TableFormat):
    name = "csv"
    suffixes = (".csv",)
    mime = "text/csv"
    label = "CSV"
    order = 10

    def columns(self, path: Path) -> list[str]:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            return [name.replace("\x00", " ") for name in next(csv.reader(line.replace("\x00", " ") for line in handle), [])]

    def read_chunks(self, path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        with open(path, "rb") as raw:
            yield from self.read_stream(raw, path.stat().st_size, chunk_size)

    def read_stream(self, stream: Any, size: int, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        handle = _NulFreeBytes(stream)
        reader = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[], chunksize=chunk_size,
                             encoding="utf-8", encoding_errors="replace")
        for chunk in reader:
            yield chunk, min(handle.position / max(size, 1), 1.0)

    def writer(self, path: Path, schema: Any = None) -> TableWriter:
        return CsvWriter(path, schema)

    def _write_bytes(self, frame: pd.DataFrame, buffer: io.BytesIO) -> None:
        buffer.write(frame.to_csv(index=False).encode("utf-8"))
