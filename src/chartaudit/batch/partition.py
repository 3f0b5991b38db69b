"""The partition function of a batch audit: a table of encounters in, one row per finding out.

:func:`audit_frame` is a pure ``pandas.DataFrame -> DataFrame`` function (apart from
the per-process checker cache), so the local worker processes, a Dask cluster and
Spark's ``mapInPandas`` all call the same code on a partition.
"""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from chartaudit.batch.columns import SUMMARY_COLUMNS, ColumnMap
from chartaudit.batch.notes import read_note_file
from chartaudit.checker import EMPTY_NOTE_MESSAGE, cached_checker
from chartaudit.formats import PARSE_ERROR_COLUMN, escape_frame
from chartaudit.report import finding_rows, findings_frame, input_error_row
from chartaudit.types import SEVERITY_RANK

if TYPE_CHECKING:
    from chartaudit.checker import Checker

logger = logging.getLogger(__name__)

#: Name of the column that :func:`audit_frame` adds with ``row_numbers=True``.
ROW_COLUMN = "input_row"


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


def _note_from_path(value: Any, note_root: Path | None, base_dir: Path | None) -> tuple[str | None, str | None]:
    """Read a note file named relative to the input file: (text, problem).

    Without a note root (an upload in the viewer, a caller that gave no folder) no file
    is ever read: the row gets an input_error instead.
    """
    if value is None or not str(value).strip():
        return None, None
    root = note_root or base_dir
    if root is None:
        shown = str(value).strip()[:120]
        return None, (f"The note file {shown!r} was not read: note files are read only by a batch audit of a "
                      "file (chartaudit audit), from its note folder. Give the note text instead.")
    return read_note_file(value, Path(os.path.realpath(root)), base_dir or root)


def _codes(value: Any) -> Any:
    """A codes cell as text or a list of text; null items of a list (None, NaN) are skipped, not "None"."""
    if value is None:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if not _missing(item)]
    return str(value)


def _where(error: BaseException) -> str:
    """file:line of the innermost frame of an error (never its message: it may quote the note)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"


def audit_encounter(
    checker: "Checker",
    encounter_id: str,
    note: Any,
    note_path: Any,
    dx: Any,
    px: Any,
    setting: Any,
    base_dir: Path | None,
    default_setting: str = "outpatient",
    note_root: Path | None = None,
) -> list[dict[str, Any]]:
    """Check one encounter's cells; never raises. Returns its output rows (one per finding).

    A ``note_path`` is read (see :mod:`chartaudit.batch.notes`) only when the row has
    no note text and a note root or base folder is given.
    """
    try:
        extra: list[dict[str, Any]] = []
        problem = None
        if (note is None or not str(note).strip()) and note_path is not None:
            note, problem = _note_from_path(note_path, note_root, base_dir)
            if problem:
                extra.append(input_error_row(encounter_id, problem))
        result = checker.check(
            "" if note is None else str(note),
            dx=_codes(dx),
            px=_codes(px) or [],
            setting=default_setting if setting is None or not str(setting).strip() else str(setting),
            encounter_id=encounter_id,
        )
        if not encounter_id:
            extra.append(input_error_row(encounter_id, "The row has no encounter id; it was checked all the same."))
        rows = finding_rows(result, encounter_id)
        if problem:  # the unread note file's reason says it all: no second "note is empty"
            rows = [row for row in rows if row["message"] != EMPTY_NOTE_MESSAGE]
        return extra + rows
    except Exception as error:  # a batch never loses a row: report it instead
        logger.error("internal error while checking encounter %s: %s at %s",
                     encounter_id or "(no id)", type(error).__name__, _where(error))
        return [input_error_row(
            encounter_id, f"chartaudit could not check this encounter ({type(error).__name__}); please report it.")]


def audit_rows(
    checker: "Checker",
    frame: pd.DataFrame,
    columns: ColumnMap,
    base_dir: Path | None,
    default_setting: str = "outpatient",
    note_root: Path | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check every row of a frame: (output rows in input order, encounter id of each input row).

    Each output row carries ``input_row``, the position of its encounter in the frame.
    A row that the reader could not parse (a ``__error__`` cell, e.g. a bad JSONL line)
    gets one ``input_error`` row saying so, and is not checked.
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
        parse_error = parse_errors[position]
        if isinstance(parse_error, str) and parse_error:
            output = [input_error_row(encounter_id, f"Input {parse_error}.")]
        else:
            output = audit_encounter(checker, encounter_id, notes[position], note_paths[position], dx[position],
                                     px[position], settings[position], base_dir, default_setting, note_root)
        for row in output:
            row[ROW_COLUMN] = position
        rows.extend(output)
    return rows, ids


def audit_frame(
    frame: pd.DataFrame,
    columns: ColumnMap | None = None,
    model: str | None = None,
    policies: Sequence[str] = (),
    base_dir: str | None = None,
    default_setting: str = "outpatient",
    row_numbers: bool = False,
    note_root: str | None = None,
) -> pd.DataFrame:
    """Audit a partition of encounters: one output row per finding, in input order.

    Pure apart from the per-process checker cache, so the local engine, Dask's
    ``map_partitions`` / ``Client.submit`` and Spark's ``mapInPandas`` all call it.
    Cells are escaped for spreadsheets. ``row_numbers=True`` adds ``input_row``,
    the position in ``frame`` of each finding's encounter (for per-encounter summaries).
    ``note_path`` cells are read relative to ``base_dir`` and only inside ``note_root``
    (default: ``base_dir``); with neither, no note file is read (an ``input_error`` row).
    """
    checker = cached_checker(model, tuple(str(p) for p in policies))
    rows, _ = audit_rows(checker, frame, columns or ColumnMap(), Path(base_dir) if base_dir else None,
                          default_setting, Path(note_root) if note_root else None)
    return escape_frame(findings_frame(rows, [ROW_COLUMN] if row_numbers else []))


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
