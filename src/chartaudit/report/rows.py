"""Findings as table rows: the columns every table output shares (batch files, downloads).

One row per finding; the evidence is joined into one cell and the first evidence span
gives the offsets. Rows are plain dicts; :func:`findings_frame` makes a typed frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    import pandas as pd

    from chartaudit.types import CheckResult

#: The columns of a findings table, in order.
FINDING_COLUMNS: list[str] = [
    "encounter_id", "type", "severity", "code", "related_code", "message",
    "suggestion", "evidence_text", "evidence_start", "evidence_end", "guideline",
]
#: Integer columns (nullable: a finding without evidence has no offsets).
INTEGER_COLUMNS: tuple[str, ...] = ("evidence_start", "evidence_end")


def finding_rows(result: "CheckResult", encounter_id: str | None = None) -> list[dict[str, Any]]:
    """One row per finding of a checked encounter (``encounter_id`` defaults to the result's)."""
    shown_id = encounter_id if encounter_id is not None else (result.encounter_id or "")
    rows = []
    for finding in result.findings:
        evidence = finding.evidence
        first = evidence[0] if evidence else None
        rows.append({
            "encounter_id": shown_id,
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


def input_error_row(encounter_id: str, message: str) -> dict[str, Any]:
    """The row of an ``input_error`` found before the checker ran (a bad row, an unreadable note file)."""
    return {
        "encounter_id": encounter_id, "type": "input_error", "severity": "error", "code": "",
        "related_code": "", "message": message, "suggestion": "Correct the encounter's input and check it again.",
        "evidence_text": "", "evidence_start": None, "evidence_end": None, "guideline": "",
    }


def findings_frame(rows: list[dict[str, Any]], extra_columns: Sequence[str] = ()) -> "pd.DataFrame":
    """Rows as a frame with the finding columns (text as objects, offsets as nullable integers),
    then ``extra_columns`` (integers, such as a batch's ``input_row``)."""
    import pandas as pd

    names = [*FINDING_COLUMNS, *extra_columns]
    data: dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in INTEGER_COLUMNS:
            data[name] = pd.array(values, dtype="Int64")
        elif name in extra_columns:
            data[name] = pd.array(values, dtype="int64")
        else:
            data[name] = pd.array(values, dtype=object)
    return pd.DataFrame(data, columns=names)
