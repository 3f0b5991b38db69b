"""The batch engine: audit a table of encounters, one finding per output row.

:func:`audit_frame` is a pure ``pandas.DataFrame -> DataFrame`` function, so the
local engine, a Dask cluster or Spark's ``mapInPandas`` all call the same code on a
partition. Each process keeps one cached :class:`~chartaudit.checker.Checker`.

Usage::

    from chartaudit.batch import audit_frame
    findings = audit_frame(encounters)   # columns: encounter_id, type, severity, ...
"""

from __future__ import annotations

import logging
import traceback
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from chartaudit.batch.columns import INTEGER_COLUMNS, OUTPUT_COLUMNS, SUMMARY_COLUMNS, ColumnMap
from chartaudit.batch.safety import escape_frame
from chartaudit.types import SEVERITY_RANK

if TYPE_CHECKING:
    from chartaudit.checker import Checker
    from chartaudit.types import CheckResult

logger = logging.getLogger(__name__)

MAX_NOTE_FILE_BYTES = 5_000_000
#: Name of the column that :func:`audit_frame` adds with ``row_numbers=True``.
ROW_COLUMN = "input_row"
#: Column that a reader sets on a row it could not parse (e.g. a bad JSONL line).
PARSE_ERROR_COLUMN = "__error__"


def cached_checker(model: str | None = None, policies: tuple[str, ...] = ()) -> "Checker":
    """One checker per process and configuration (the pipeline is the costly part).

    Usage::

        checker = cached_checker()  # the same object as cached_checker(None, ())
    """
    return _cached_checker(None if model is None else str(model), tuple(str(policy) for policy in policies))


@lru_cache(maxsize=4)
def _cached_checker(model: str | None, policies: tuple[str, ...]) -> "Checker":
    from chartaudit.checker import Checker

    return Checker(model=model, policies=list(policies))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    if isinstance(value, (str, list, tuple, dict)) or hasattr(value, "__len__"):
        return False  # text, and lists or arrays of codes, are never NA
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False  # lists and arrays are not NA


def _column_values(frame: pd.DataFrame, column: str) -> list[Any]:
    """A column's cells as a list (None for NA), or all None when the column is absent."""
    if column not in frame.columns:
        return [None] * len(frame)
    return [None if _missing(value) else value for value in frame[column].tolist()]


def _note_from_path(value: Any, base_dir: Path | None) -> tuple[str | None, str | None]:
    """Read a note file named relative to the input file: (text, problem)."""
    if value is None or not str(value).strip():
        return None, None
    path = Path(str(value).strip())
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
        evidence = finding.evidence
        first = evidence[0] if evidence else None
        rows.append({
            "encounter_id": encounter_id,
            "type": finding.type,
            "severity": finding.severity,
            "code": finding.code or "",
            "related_code": finding.related_code or "",
            "message": finding.message,
            "suggestion": finding.suggestion,
            "evidence_text": " | ".join(" ".join(e.text.split()) for e in evidence) if evidence else "",
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


def _where(error: BaseException) -> str:
    """file:line of the innermost frame of an error (never its message: it may quote the note)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"


def check_encounter(
    checker: "Checker",
    encounter_id: str,
    note: Any,
    note_path: Any,
    dx: Any,
    px: Any,
    setting: Any,
    base_dir: Path | None,
    default_setting: str = "outpatient",
) -> list[dict[str, Any]]:
    """Check one encounter's cells; never raises. Returns its output rows (one per finding)."""
    try:
        extra: list[dict[str, Any]] = []
        if note is None and note_path is not None:
            note, problem = _note_from_path(note_path, base_dir)
            if problem:
                extra.append(_error_row(encounter_id, problem))
        result = checker.check(
            "" if note is None else str(note),
            dx=_codes(dx),
            px=_codes(px) or [],
            setting=default_setting if setting is None or not str(setting).strip() else str(setting),
            encounter_id=encounter_id,
        )
        if not encounter_id:
            extra.append(_error_row(encounter_id, "The row has no encounter id; it was checked all the same."))
        return extra + result_rows(encounter_id, result)
    except Exception as error:  # a batch never loses a row: report it instead
        logger.error("internal error while checking encounter %s: %s at %s",
                     encounter_id or "(no id)", type(error).__name__, _where(error))
        return [_error_row(
            encounter_id, f"chartaudit could not check this encounter ({type(error).__name__}); please report it.")]


def check_row(checker: "Checker", row: pd.Series, columns: ColumnMap, base_dir: Path | None,
              default_setting: str = "outpatient") -> tuple[str, list[dict[str, Any]]]:
    """Check one input row (a Series); never raises. Returns (encounter id, output rows)."""
    frame = row.to_frame().T
    rows, _ = check_frame(checker, frame, columns, base_dir, default_setting)
    encounter_id = rows[0]["encounter_id"] if rows else str(_column_values(frame, columns.id)[0] or "")
    return encounter_id, rows


def check_frame(
    checker: "Checker",
    frame: pd.DataFrame,
    columns: ColumnMap,
    base_dir: Path | None,
    default_setting: str = "outpatient",
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check every row of a frame: (output rows in input order, encounter id of each input row).

    Each output row carries ``input_row``, the position of its encounter in the frame.
    A row that the reader could not parse (a ``__error__`` cell, e.g. a bad JSONL line)
    also gets an ``input_error`` row saying so.
    """
    ids = ["" if value is None else str(value) for value in _column_values(frame, columns.id)]
    notes = _column_values(frame, columns.note)
    note_paths = _column_values(frame, columns.note_path)
    dx = _column_values(frame, columns.dx)
    px = _column_values(frame, columns.px)
    settings = _column_values(frame, columns.setting)
    parse_errors = _column_values(frame, PARSE_ERROR_COLUMN)
    rows: list[dict[str, Any]] = []
    for position, encounter_id in enumerate(ids):
        output = check_encounter(checker, encounter_id, notes[position], note_paths[position], dx[position],
                                 px[position], settings[position], base_dir, default_setting)
        parse_error = parse_errors[position]
        if isinstance(parse_error, str) and parse_error:
            output.insert(0, _error_row(encounter_id, f"Input {parse_error}."))
        for row in output:
            row[ROW_COLUMN] = position
        rows.extend(output)
    return rows, ids


def findings_frame(rows: list[dict[str, Any]], row_numbers: bool = False) -> pd.DataFrame:
    """Output rows as a frame with the documented columns and nullable integer offsets."""
    names = OUTPUT_COLUMNS + ([ROW_COLUMN] if row_numbers else [])
    data: dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in INTEGER_COLUMNS:
            data[name] = pd.array(values, dtype="Int64")
        elif name == ROW_COLUMN:
            data[name] = pd.array(values, dtype="int64")
        else:
            data[name] = pd.array(values, dtype=object)
    return pd.DataFrame(data, columns=names)


def audit_frame(
    frame: pd.DataFrame,
    columns: ColumnMap | None = None,
    model: str | None = None,
    policies: Sequence[str] = (),
    base_dir: str | None = None,
    default_setting: str = "outpatient",
    row_numbers: bool = False,
) -> pd.DataFrame:
    """Audit a partition of encounters: one output row per finding, in input order.

    Pure apart from the per-process checker cache, so the local engine, Dask's
    ``map_partitions`` / ``Client.submit`` and Spark's ``mapInPandas`` all call it.
    Cells are escaped for spreadsheets. ``row_numbers=True`` adds ``input_row``,
    the position in ``frame`` of each finding's encounter (for per-encounter summaries).
    """
    checker = cached_checker(model, tuple(str(p) for p in policies))
    rows, _ = check_frame(checker, frame, columns or ColumnMap(), Path(base_dir) if base_dir else None,
                          default_setting)
    return escape_frame(findings_frame(rows, row_numbers=row_numbers))


def summary_frame(encounter_ids: Sequence[str], findings: pd.DataFrame) -> pd.DataFrame:
    """One row per input encounter (``findings`` must carry ``input_row``): status and counts by type.

    Status: ``input_error`` when any input error, else ``needs_review`` when any error or
    warning, else ``clean``.
    """
    count = len(encounter_ids)
    per_type: dict[str, list[int]] = {name[2:]: [0] * count for name in SUMMARY_COLUMNS if name.startswith("n_")}
    totals, errors, warnings = [0] * count, [0] * count, [0] * count
    worst = [9] * count
    if len(findings):
        for position, kind, severity in zip(findings[ROW_COLUMN].tolist(), findings["type"].tolist(),
                                            findings["severity"].tolist()):
            per_type.setdefault(kind, [0] * count)[position] += 1
            totals[position] += 1
            errors[position] += severity == "error"
            warnings[position] += severity == "warning"
            worst[position] = min(worst[position], SEVERITY_RANK.get(severity, 9))
    statuses = ["input_error" if per_type["input_error"][i] else
                "needs_review" if worst[i] <= SEVERITY_RANK["warning"] else "clean" for i in range(count)]
    data: dict[str, Any] = {"encounter_id": pd.array(list(encounter_ids), dtype=object),
                            "status": pd.array(statuses, dtype=object), "findings": totals,
                            "errors": errors, "warnings": warnings}
    data.update({f"n_{kind}": values for kind, values in per_type.items()})
    return pd.DataFrame({name: pd.array(data[name], dtype="int64") if name not in ("encounter_id", "status")
                         else data[name] for name in SUMMARY_COLUMNS})


def summary_row(encounter_id: str, output_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One encounter's summary from its output rows (see :func:`summary_frame`)."""
    findings = findings_frame([{**row, ROW_COLUMN: 0} for row in output_rows], row_numbers=True)
    return summary_frame([encounter_id], findings).iloc[0].to_dict()
