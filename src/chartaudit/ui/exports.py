"""Downloads and uploads for the viewer, all in memory (no note text is written to disk).

The batch package reads and writes files by path; an upload in the browser is bytes,
so this module holds the small in-memory glue: read an uploaded CSV / Parquet / JSONL
into a frame, and turn a result or a findings frame into CSV, Excel, Parquet or JSON
bytes. Output cells go through :func:`chartaudit.batch.escape_cell` (no cell starts a
spreadsheet formula) and CSV rows use the batch output columns.

Usage::

    frame = read_upload("claims.csv", uploaded.getvalue())
    data = frame_bytes(findings, "xlsx")
    text = result_csv(result)
"""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd

from chartaudit.batch import OUTPUT_COLUMNS, escape_cell
from chartaudit.batch.engine import result_rows as batch_rows
from chartaudit.types import CheckResult

#: Upload formats by file name ending.
UPLOAD_FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet",
                                  ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: Download formats: name → (file ending, MIME type).
DOWNLOAD_FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "text/csv"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "parquet": (".parquet", "application/vnd.apache.parquet"),
}


class UploadError(ValueError):
    """An upload that cannot be read; the message is one line for the page."""


def result_json(result: CheckResult) -> str:
    """The whole result (findings, codes, procedures, mentions) as indented JSON.

    Usage::

        st.download_button("JSON", result_json(result), "chartaudit.json")
    """
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def result_rows(result: CheckResult, encounter_id: str = "") -> list[dict[str, Any]]:
    """One row per finding with the batch output columns, cells escaped for spreadsheets.

    Usage::

        rows = result_rows(result, "enc-001")
    """
    return [{column: escape_cell(row.get(column)) for column in OUTPUT_COLUMNS}
            for row in batch_rows(encounter_id or (result.encounter_id or ""), result)]


def result_csv(result: CheckResult, encounter_id: str = "") -> str:
    """The findings of one result as CSV text (header always present).

    Usage::

        st.download_button("CSV", result_csv(result), "chartaudit.csv")
    """
    frame = pd.DataFrame(result_rows(result, encounter_id), columns=OUTPUT_COLUMNS)
    for column in ("evidence_start", "evidence_end"):
        frame[column] = frame[column].astype("Int64")
    return frame.to_csv(index=False)


def upload_format(name: str) -> str:
    """The format of an uploaded file from its name; raises :class:`UploadError` for others.

    Usage::

        upload_format("claims.jsonl")  # "jsonl"
    """
    lowered = name.lower()
    for ending, fmt in UPLOAD_FORMATS.items():
        if lowered.endswith(ending):
            return fmt
    raise UploadError(f"{name}: unsupported file type; upload a .csv, .parquet or .jsonl file")


def read_upload(name: str, data: bytes) -> pd.DataFrame:
    """An uploaded encounter file as a frame (CSV cells as text; a bad JSONL line gets ``__error__``).

    Raises :class:`UploadError` with one line for an empty or unreadable file.

    Usage::

        frame = read_upload(uploaded.name, uploaded.getvalue())
    """
    fmt = upload_format(name)
    if not data.strip():
        raise UploadError(f"{name}: the file is empty")
    try:
        if fmt == "csv":
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[],
                                encoding="utf-8", encoding_errors="replace")
        elif fmt == "parquet":
            frame = pd.read_parquet(io.BytesIO(data))
        else:
            frame = _read_jsonl(data)
    except UploadError:
        raise
    except Exception as error:  # any parser error becomes one line for the page
        first_line = (str(error).splitlines() or [""])[0][:160]
        raise UploadError(f"{name}: cannot be read as {fmt.upper()} ({type(error).__name__}: {first_line})") from None
    if frame.empty or not len(frame.columns):
        raise UploadError(f"{name}: no rows found")
    frame.columns = [str(column) for column in frame.columns]
    return frame


def _read_jsonl(data: bytes) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = {"__error__": f"line {number} is not valid JSON"}
        if not isinstance(record, dict):
            record = {"__error__": f"line {number} is not a JSON object"}
        records.append(record)
    if records and all("__error__" in record for record in records):
        raise UploadError("no line of the file is a JSON object")
    return pd.DataFrame.from_records(records)


def frame_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """A findings frame as CSV, Excel or Parquet bytes, text cells escaped for spreadsheets.

    Usage::

        st.download_button("Excel", frame_bytes(findings, "xlsx"), "findings.xlsx")
    """
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(escape_cell)
    buffer = io.BytesIO()
    if fmt == "csv":
        buffer.write(safe.to_csv(index=False).encode("utf-8"))
    elif fmt == "xlsx":
        safe.to_excel(buffer, index=False, engine="openpyxl", sheet_name="findings")
    elif fmt == "parquet":
        safe.to_parquet(buffer, index=False)
    else:
        raise ValueError(f"unknown download format {fmt!r}; use one of {', '.join(DOWNLOAD_FORMATS)}")
    return buffer.getvalue()
