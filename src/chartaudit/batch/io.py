"""Read encounters and write findings in chunks: CSV, Parquet and JSONL in; those and Excel out.

Memory stays bounded by the chunk size whatever the size of the input. An output path
without an extension (or an existing directory) is a partitioned Parquet directory.

Usage::

    for chunk in read_chunks(Path("claims.csv"), chunk_size=1000):
        ...
    with FindingWriter(Path("findings.parquet")) as writer:
        writer.write(frame)
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from chartaudit.batch.columns import ColumnMap
from chartaudit.batch.engine import PARSE_ERROR_COLUMN
from chartaudit.batch.safety import escape_frame

INPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
OUTPUT_FORMATS = {**INPUT_FORMATS, ".xlsx": "xlsx"}
#: Excel's limits: rows per sheet (with the header) and characters per cell.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
#: Characters that openpyxl refuses in a cell (control characters other than tab and newlines).
EXCEL_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


class BatchInputError(ValueError):
    """An input or output that cannot be used: the message is one line naming the file."""


def input_format(path: Path) -> str:
    """``csv``, ``parquet`` (a file or a directory of parts) or ``jsonl``, from the extension."""
    fmt = INPUT_FORMATS.get(path.suffix.lower())
    if fmt is None and path.is_dir():
        return "parquet"
    if fmt is None:
        raise BatchInputError(f"{path}: unsupported input format {path.suffix or '(none)'!r}; use .csv, .parquet or .jsonl")
    return fmt


def output_format(path: Path) -> str:
    """``csv``, ``parquet``, ``jsonl``, ``xlsx``, or ``parquet_dir`` (no extension, or a directory)."""
    if path.is_dir() or not path.suffix:
        return "parquet_dir"
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BatchInputError(
            f"{path}: unsupported output format {path.suffix!r}; use .csv, .parquet, .jsonl, .xlsx "
            "or a directory name (partitioned Parquet)")
    return fmt


def check_output(path: Path) -> str:
    """Fail before any work when an output cannot be written; returns its format."""
    fmt = output_format(path)
    parent = path.resolve().parent
    if not parent.is_dir():
        raise BatchInputError(f"{path}: cannot write here (no directory {parent})")
    if not os.access(parent, os.W_OK):
        raise BatchInputError(f"{path}: cannot write here (directory {parent} is not writable)")
    if fmt != "parquet_dir" and path.is_dir():
        raise BatchInputError(f"{path}: is a directory")
    return fmt


def _first_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:120]}" if text else type(error).__name__


def read_columns(path: Path) -> list[str]:
    """The input's column names, read without loading the data."""
    if not path.exists():
        raise BatchInputError(f"{path}: no such file")
    fmt = input_format(path)
    try:
        if fmt == "csv":
            with open(path, newline="", encoding="utf-8", errors="replace") as handle:
                return [name.replace("\x00", " ") for name in next(csv.reader(_without_nul(handle)), [])]
        if fmt == "parquet":
            import pyarrow.dataset as ds

            return list(ds.dataset(path, format="parquet").schema.names)
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        raise BatchInputError(f"{path}: line {number} is not valid JSON") from None
                    if not isinstance(record, dict):
                        raise BatchInputError(f"{path}: line {number} is not a JSON object")
                    return list(record)
        return []
    except BatchInputError:
        raise
    except (OSError, ValueError, csv.Error) as error:
        raise BatchInputError(f"{path}: cannot be read ({_first_line(error)})") from None
    except Exception as error:  # pyarrow raises its own types on a corrupt file
        raise BatchInputError(f"{path}: cannot be read ({_first_line(error)})") from None


def _without_nul(lines: Any) -> Iterator[str]:
    for line in lines:
        yield line.replace("\x00", " ")


def validate_columns(path: Path, columns: ColumnMap) -> list[str]:
    """Check the required columns before any work; returns the available columns."""
    available = read_columns(path)
    if not available:
        raise BatchInputError(f"{path}: the file is empty (no header row)")
    missing = [name for name in columns.required(available) if name not in available]
    if missing:
        raise BatchInputError(
            f"{path}: missing column {missing[0]!r} (found: {', '.join(available[:12])})")
    return available


class _NulFreeBytes(io.RawIOBase):
    """A binary file that reads NUL bytes as spaces (pandas' C parser would cut a cell at NUL)."""

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


def iter_input(path: Path, chunk_size: int = 1000) -> Iterator[tuple[pd.DataFrame, float | None]]:
    """Yield ``(chunk, fraction of the input read so far)``; chunks hold at most ``chunk_size`` rows.

    Chunk boundaries depend only on the input and ``chunk_size`` (resume relies on it).
    """
    fmt = input_format(path)
    if fmt == "csv":
        size = max(path.stat().st_size, 1)
        with open(path, "rb") as raw:
            handle = _NulFreeBytes(raw)
            reader = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[], chunksize=chunk_size,
                                 encoding="utf-8", encoding_errors="replace")
            for chunk in reader:
                yield chunk, min(handle.position / size, 1.0)
    elif fmt == "parquet":
        yield from _read_parquet(path, chunk_size)
    else:
        yield from _read_jsonl(path, chunk_size)


def read_chunks(path: Path, chunk_size: int = 1000) -> Iterator[pd.DataFrame]:
    """Yield the input in chunks of at most ``chunk_size`` rows, all cells as read."""
    for chunk, _ in iter_input(path, chunk_size):
        yield chunk


def _read_parquet(path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
    import pyarrow as pa
    import pyarrow.dataset as ds

    dataset = ds.dataset(path, format="parquet")
    total = max(dataset.count_rows(), 1)
    pending: list[Any] = []
    pending_rows = done = 0
    for batch in dataset.to_batches(batch_size=chunk_size):
        if not batch.num_rows:
            continue
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= chunk_size:
            table = pa.Table.from_batches(pending)
            head, rest = table.slice(0, chunk_size), table.slice(chunk_size)
            done += head.num_rows
            yield head.to_pandas(), done / total
            pending, pending_rows = rest.to_batches(), rest.num_rows
    if pending_rows:
        done += pending_rows
        yield pa.Table.from_batches(pending).to_pandas(), done / total


def _read_jsonl(path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
    size = max(path.stat().st_size, 1)
    records: list[dict] = []
    position = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            position += len(raw)
            line = raw.decode("utf-8", errors="replace").replace("\x00", " ")
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {PARSE_ERROR_COLUMN: f"line {number} is not valid JSON"}
            if not isinstance(record, dict):
                record = {PARSE_ERROR_COLUMN: f"line {number} is not a JSON object"}
            records.append(record)
            if len(records) >= chunk_size:
                yield pd.DataFrame(records, dtype=object), position / size
                records = []
    if records:
        yield pd.DataFrame(records, dtype=object), 1.0


def input_rows(path: Path) -> int | None:
    """The number of rows when it is known without reading the data (Parquet), else None."""
    try:
        if input_format(path) != "parquet":
            return None
        import pyarrow.dataset as ds

        return ds.dataset(path, format="parquet").count_rows()
    except Exception:  # noqa: BLE001 - validate_columns reports an unreadable input, in one line
        return None


class FindingWriter:
    """Writes frames in order to a temporary file (or directory), then renames it into place.

    ``schema`` (a ``pyarrow.Schema``) fixes the Parquet column types, so that an empty or
    all-null first chunk does not decide them.
    """

    def __init__(self, path: Path, schema: Any = None) -> None:
        self.path = path
        self.format = output_format(path)
        self.schema = schema
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._started = False
        self._parts = 0
        self._parquet_writer: Any = None
        self._workbook: Any = None
        self._sheet: Any = None
        self._sheet_rows = 0

    def __enter__(self) -> "FindingWriter":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: pd.DataFrame) -> None:
        """Append a frame (its text cells escaped for spreadsheets)."""
        frame = escape_frame(frame.copy(deep=False)) if len(frame) else frame
        if self.format == "csv":
            with open(self.temporary, "a" if self._started else "w", newline="", encoding="utf-8") as handle:
                _write_csv(handle, frame, header=not self._started)
        elif self.format == "jsonl":
            with open(self.temporary, "a" if self._started else "w", encoding="utf-8") as handle:
                for record in frame.to_dict(orient="records"):
                    handle.write(json.dumps(_json_ready(record), ensure_ascii=False) + "\n")
        elif self.format == "parquet":
            import pyarrow.parquet as pq

            table = self._table(frame)
            if self._parquet_writer is None:
                self._parquet_writer = pq.ParquetWriter(self.temporary, table.schema)
            self._parquet_writer.write_table(table)
        elif self.format == "parquet_dir":
            import pyarrow.parquet as pq

            if len(frame) or not self._parts:
                self.temporary.mkdir(exist_ok=True)
                pq.write_table(self._table(frame), self.temporary / f"part-{self._parts:06d}.parquet")
                self._parts += 1
        else:
            self._write_excel(frame)
        self._started = True

    def _table(self, frame: pd.DataFrame) -> Any:
        import pyarrow as pa

        schema = self.schema
        if schema is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self.schema = schema = table.schema if self._started or len(frame) else None
            return table
        return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)

    def _write_excel(self, frame: pd.DataFrame) -> None:
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

    def close(self) -> None:
        """Finish the temporary file and rename it into place (atomically)."""
        if self._parquet_writer is not None:
            self._parquet_writer.close()
        if self.format == "xlsx":
            if self._workbook is None:
                self._write_excel(pd.DataFrame())
            self._workbook.save(self.temporary)
        if self.format == "parquet_dir":
            self.temporary.mkdir(exist_ok=True)
            replace_directory(self.temporary, self.path)
            return
        if not self.temporary.exists():
            self.temporary.touch()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        """Drop the temporary output; the destination is left as it was."""
        if self._parquet_writer is not None:
            self._parquet_writer.close()
        if self.temporary.is_dir():
            shutil.rmtree(self.temporary, ignore_errors=True)
        else:
            self.temporary.unlink(missing_ok=True)


def replace_directory(source: Path, destination: Path) -> None:
    """Put directory ``source`` at ``destination``, replacing an existing one (two renames)."""
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.{os.getpid()}.old")
        os.replace(destination, old)
    os.replace(source, destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


def _write_csv(handle: Any, frame: pd.DataFrame, header: bool) -> None:
    """Write a frame as ``DataFrame.to_csv(index=False)`` does (missing values as empty
    cells), a column at a time instead of through pandas' formatter."""
    writer = csv.writer(handle, lineterminator="\n")
    if header:
        writer.writerow([str(column) for column in frame.columns])
    columns = [[None if value is None or value is pd.NA or (isinstance(value, float) and value != value)
                else value for value in frame[column].tolist()] for column in frame.columns]
    writer.writerows(zip(*columns))


def _excel_value(value: Any) -> Any:
    if value is None or _is_missing(value):
        return None
    if isinstance(value, str):
        return EXCEL_ILLEGAL.sub(" ", value)[:EXCEL_MAX_CELL]
    if hasattr(value, "item"):
        return value.item()
    return value


def _json_ready(record: dict) -> dict:
    return {key: (None if _is_missing(value) else value.item() if hasattr(value, "item") else value)
            for key, value in record.items()}


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
