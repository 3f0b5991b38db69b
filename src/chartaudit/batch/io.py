"""Read encounters and write findings in chunks: CSV, Parquet and JSONL (and Excel out).

Memory stays bounded by the chunk size whatever the size of the input.

Usage::

    for chunk in read_chunks("claims.csv", chunk_size=1000):
        ...
    with open_writer("findings.parquet") as writer:
        writer.write(frame)
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Iterator

import pandas as pd

from chartaudit.batch.columns import ColumnMap
from chartaudit.batch.safety import escape_cell

INPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
OUTPUT_FORMATS = {**INPUT_FORMATS, ".xlsx": "xlsx"}


class BatchInputError(ValueError):
    """An input or output that cannot be used: the message is one line naming the file."""


def input_format(path: Path) -> str:
    fmt = INPUT_FORMATS.get(path.suffix.lower())
    if fmt is None and path.is_dir():
        return "parquet"
    if fmt is None:
        raise BatchInputError(f"{path}: unsupported input format {path.suffix or '(none)'!r}; use .csv, .parquet or .jsonl")
    return fmt


def output_format(path: Path) -> str:
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BatchInputError(
            f"{path}: unsupported output format {path.suffix or '(none)'!r}; use .csv, .parquet, .jsonl or .xlsx")
    return fmt


def read_columns(path: Path) -> list[str]:
    """The input's column names, read without loading the data."""
    fmt = input_format(path)
    try:
        if fmt == "csv":
            with open(path, newline="", encoding="utf-8", errors="replace") as handle:
                return next(csv.reader(handle), [])
        if fmt == "parquet":
            import pyarrow.dataset as ds

            return list(ds.dataset(path, format="parquet").schema.names)
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise BatchInputError(f"{path}: line 1 is not a JSON object")
                    return list(record)
        return []
    except FileNotFoundError:
        raise BatchInputError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        if isinstance(error, BatchInputError):
            raise
        raise BatchInputError(f"{path}: cannot be read ({type(error).__name__}: {str(error).splitlines()[0][:120]})") from None


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


def read_chunks(path: Path, chunk_size: int = 1000) -> Iterator[pd.DataFrame]:
    """Yield the input in chunks of at most ``chunk_size`` rows, all cells as read."""
    fmt = input_format(path)
    if fmt == "csv":
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], chunksize=chunk_size,
                               encoding="utf-8", encoding_errors="replace")
    elif fmt == "parquet":
        import pyarrow.dataset as ds

        dataset = ds.dataset(path, format="parquet")
        for batch in dataset.to_batches(batch_size=chunk_size):
            if batch.num_rows:
                yield batch.to_pandas()
    else:
        yield from _read_jsonl(path, chunk_size)


def _read_jsonl(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    records: list[dict] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {"__error__": f"line {number} is not valid JSON"}
            if not isinstance(record, dict):
                record = {"__error__": f"line {number} is not a JSON object"}
            records.append(record)
            if len(records) >= chunk_size:
                yield pd.DataFrame.from_records(records)
                records = []
    if records:
        yield pd.DataFrame.from_records(records)


class FindingWriter:
    """Writes output frames in order to a temporary file, then renames it into place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.format = output_format(path)
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._started = False
        self._parquet_writer = None
        self._excel_frames: list[pd.DataFrame] = []

    def __enter__(self) -> "FindingWriter":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: pd.DataFrame) -> None:
        frame = frame.map(escape_cell) if len(frame) else frame
        if self.format == "csv":
            frame.to_csv(self.temporary, mode="a" if self._started else "w", header=not self._started, index=False)
        elif self.format == "jsonl":
            with open(self.temporary, "a" if self._started else "w", encoding="utf-8") as handle:
                for record in frame.to_dict(orient="records"):
                    handle.write(json.dumps(_json_ready(record), ensure_ascii=False) + "\n")
        elif self.format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet_writer is None:
                self._parquet_writer = pq.ParquetWriter(self.temporary, table.schema)
            self._parquet_writer.write_table(table.cast(self._parquet_writer.schema))
        else:
            self._excel_frames.append(frame)
        self._started = True

    def close(self) -> None:
        if self.format == "parquet" and self._parquet_writer is not None:
            self._parquet_writer.close()
        if self.format == "xlsx":
            frame = pd.concat(self._excel_frames, ignore_index=True) if self._excel_frames else pd.DataFrame()
            frame.to_excel(self.temporary, index=False, engine="openpyxl")
        if not self.temporary.exists():
            self.temporary.touch()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        if self._parquet_writer is not None:
            self._parquet_writer.close()
        self.temporary.unlink(missing_ok=True)


def _json_ready(record: dict) -> dict:
    return {key: (None if _is_missing(value) else value) for key, value in record.items()}


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
