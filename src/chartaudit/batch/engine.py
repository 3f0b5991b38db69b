"""The batch engine: audit a table of encounters, one finding per output row.

:func:`audit_frame` is a pure ``pandas.DataFrame -> DataFrame`` function, so the
local engine, a Dask cluster or Spark's ``mapInPandas`` can all call it on a
partition. Each process keeps one cached :class:`~chartaudit.checker.Checker`.

Usage::

    from chartaudit.batch import audit_frame
    findings = audit_frame(encounters)   # columns: encounter_id, type, severity, ...
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from chartaudit.batch.columns import OUTPUT_COLUMNS, ColumnMap
from chartaudit.batch.safety import escape_cell
from chartaudit.types import SEVERITY_RANK

if TYPE_CHECKING:
    from chartaudit.checker import Checker
    from chartaudit.types import CheckResult

logger = logging.getLogger(__name__)

MAX_NOTE_FILE_BYTES = 5_000_000


@lru_cache(maxsize=4)
def cached_checker(model: str | None = None, policies: tuple[str, ...] = ()) -> "Checker":
    """One checker per process and configuration (the pipeline is the costly part)."""
    from chartaudit.checker import Checker

    return Checker(model=model, policies=list(policies))


def _cell(row: pd.Series, column: str) -> Any:
    if column not in row.index:
        return None
    value = row[column]
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass  # lists and arrays are not NA
    return value


def _note_from_path(value: Any, base_dir: Path | None) -> tuple[str | None, str | None]:
    """Read a note file named relative to the input file: (text, problem)."""
    if value is None or not str(value).strip():
        return None, None
    path = Path(str(value))
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        size = path.stat().st_size
        if size > MAX_NOTE_FILE_BYTES:
            return None, f"The note file {path.name} is {size:,} bytes, over the {MAX_NOTE_FILE_BYTES:,}-byte limit."
        return path.read_bytes().decode("utf-8", errors="replace"), None
    except OSError as error:
        return None, f"The note file {path.name} could not be read: {error.strerror or type(error).__name__}."


def _codes(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if hasattr(value, "tolist"):
        return [str(item) for item in value.tolist()]
    return str(value)


def result_rows(encounter_id: str, result: "CheckResult") -> list[dict[str, Any]]:
    """The output rows of one checked encounter (one per finding)."""
    rows = []
    for finding in result.findings:
        first = finding.evidence[0] if finding.evidence else None
        rows.append({
            "encounter_id": encounter_id,
            "type": finding.type,
            "severity": finding.severity,
            "code": finding.code or "",
            "related_code": finding.related_code or "",
            "message": finding.message,
            "suggestion": finding.suggestion,
            "evidence_text": " | ".join(" ".join(e.text.split()) for e in finding.evidence),
            "evidence_start": first.start if first else None,
            "evidence_end": first.end if first else None,
            "guideline": finding.guideline,
        })
    return rows


def _error_row(encounter_id: str, message: str) -> dict[str, Any]:
    return {
        "encounter_id": encounter_id, "type": "input_error", "severity": "error", "code": "",
        "related_code": "", "message": message, "suggestion": "Correct the encounter's input and check it again.",
        "evidence_text": "", "evidence_start": None, "evidence_end": None, "guideline": "",
    }


def check_row(checker: "Checker", row: pd.Series, columns: ColumnMap, base_dir: Path | None,
              default_setting: str = "outpatient") -> tuple[str, "CheckResult | None", list[dict[str, Any]]]:
    """Check one input row; never raises. Returns (encounter id, result, output rows)."""
    raw_id = _cell(row, columns.id)
    encounter_id = "" if raw_id is None else str(raw_id)
    try:
        note = _cell(row, columns.note)
        extra: list[dict[str, Any]] = []
        if note is None and columns.note_path in row.index:
            note, problem = _note_from_path(_cell(row, columns.note_path), base_dir)
            if problem:
                extra.append(_error_row(encounter_id, problem))
        setting = _cell(row, columns.setting)
        result = checker.check(
            "" if note is None else str(note),
            dx=_codes(_cell(row, columns.dx)),
            px=_codes(_cell(row, columns.px)) or [],
            setting=default_setting if setting is None or not str(setting).strip() else str(setting),
            encounter_id=encounter_id,
        )
        if not encounter_id:
            extra.append(_error_row(encounter_id, "The row has no encounter id; it was checked all the same."))
        return encounter_id, result, extra + result_rows(encounter_id, result)
    except Exception as error:  # a batch never loses a row: report it instead
        logger.exception("internal error while checking encounter %s", encounter_id or "(no id)")
        return encounter_id, None, [_error_row(
            encounter_id, f"chartaudit could not check this encounter ({type(error).__name__}); please report it.")]


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Escape every text cell that a spreadsheet would read as a formula."""
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(escape_cell)
    return frame


def findings_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Output rows as a frame with the documented columns and nullable integer offsets."""
    frame = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    for column in ("evidence_start", "evidence_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


def check_frame(
    checker: "Checker",
    frame: pd.DataFrame,
    columns: ColumnMap,
    base_dir: Path | None,
    default_setting: str = "outpatient",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check every row of a frame: (output rows in input order, one summary row per encounter).

    A row that the reader could not parse (a ``__error__`` cell, e.g. a bad JSONL line)
    also gets an ``input_error`` row saying so.
    """
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    for _, row in frame.iterrows():
        encounter_id, _, output = check_row(checker, row, columns, base_dir, default_setting)
        parse_error = _cell(row, "__error__")
        if isinstance(parse_error, str) and parse_error:
            output = [_error_row(encounter_id, f"Input {parse_error}.")] + output
        rows.extend(output)
        summaries.append(summary_row(encounter_id, output))
    return rows, summaries


def audit_frame(
    frame: pd.DataFrame,
    columns: ColumnMap | None = None,
    model: str | None = None,
    policies: Sequence[str] = (),
    base_dir: str | None = None,
) -> pd.DataFrame:
    """Audit a partition of encounters: one output row per finding, in input order.

    Pure apart from the per-process checker cache, so Dask's ``map_partitions`` and
    Spark's ``mapInPandas`` can call it. Cells are escaped for spreadsheets.
    """
    checker = cached_checker(model, tuple(str(p) for p in policies))
    rows, _ = check_frame(checker, frame, columns or ColumnMap(), Path(base_dir) if base_dir else None)
    return escape_frame(findings_frame(rows))


def summary_row(encounter_id: str, output_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One row per encounter: status and counts by finding type."""
    counts: dict[str, int] = {}
    worst = 9
    for row in output_rows:
        counts[row["type"]] = counts.get(row["type"], 0) + 1
        worst = min(worst, SEVERITY_RANK.get(row["severity"], 9))
    if "input_error" in counts:
        status = "input_error"
    elif worst <= SEVERITY_RANK["warning"]:
        status = "needs_review"
    else:
        status = "clean"
    summary = {"encounter_id": encounter_id, "status": status, "findings": len(output_rows),
               "errors": sum(1 for r in output_rows if r["severity"] == "error"),
               "warnings": sum(1 for r in output_rows if r["severity"] == "warning")}
    summary.update({f"n_{kind}": count for kind, count in counts.items()})
    return summary
