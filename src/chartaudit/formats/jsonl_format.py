"""JSON Lines: one object per line; a line that is not a JSON object becomes a row with only a parse error."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from chartaudit.formats import register
from chartaudit.formats.base import PARSE_ERROR_COLUMN, FormatError, TableFormat, TableWriter, is_missing


def _json_ready(record: dict) -> dict:
    return {key: (None if is_missing(value) else value.item() if hasattr(value, "item") else value)
            for key, value in record.items()}


def parse_line(raw: bytes, number: int) -> dict | None:
    """One line as a record; None for a blank line; a ``__error__`` record for a bad one."""
    line = raw.decode("utf-8", errors="replace").replace("\x00", " ")
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return {PARSE_ERROR_COLUMN: f"line {number} is not valid JSON"}
    if not isinstance(record, dict):
        return {PARSE_ERROR_COLUMN: f"line {number} is not a JSON object"}
    return record


class JsonlWriter(TableWriter):
    def _write(self, frame: pd.DataFrame) -> None:
        with open(self.temporary, "a" if self.started else "w", encoding="utf-8") as handle:
            for record in frame.to_dict(orient="records"):
                handle.write(json.dumps(_json_ready(record), ensure_ascii=False) + "\n")


@register
class JsonlFormat(TableFormat):
    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")
    mime = "application/x-ndjson"
    label = "JSON Lines"
    order = 30

    def columns(self, path: Path) -> list[str]:
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                record = parse_line(raw, number)
                if record is None:
                    continue
                if PARSE_ERROR_COLUMN in record:
                    raise FormatError(f"{path}: {record[PARSE_ERROR_COLUMN]}")
                return list(record)
        return []

    def read_chunks(self, path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        with open(path, "rb") as handle:
            yield from self.read_stream(handle, path.stat().st_size, chunk_size)

    def read_stream(self, stream: Any, size: int, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        records: list[dict] = []
        position = 0
        for number, raw in enumerate(stream, start=1):
            position += len(raw)
            record = parse_line(raw, number)
            if record is None:
                continue
            records.append(record)
            if len(records) >= chunk_size:
                yield pd.DataFrame(records, dtype=object), position / max(size, 1)
                records = []
        if records:
            yield pd.DataFrame(records, dtype=object), 1.0

    def writer(self, path: Path, schema: Any = None) -> TableWriter:
        return JsonlWriter(path, schema)

    def _write_bytes(self, frame: pd.DataFrame, buffer: io.BytesIO) -> None:
        for record in frame.to_dict(orient="records"):
            buffer.write((json.dumps(_json_ready(record), ensure_ascii=False) + "\n").encode("utf-8"))
