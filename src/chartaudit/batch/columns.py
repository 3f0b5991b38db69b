"""Input column names and the output schema of a batch audit.

Usage::

    columns = ColumnMap(note="text", dx="icd10")
"""

from __future__ import annotations

from dataclasses import dataclass

OUTPUT_COLUMNS = [
    "encounter_id", "type", "severity", "code", "related_code", "message",
    "suggestion", "evidence_text", "evidence_start", "evidence_end", "guideline",
]
SUMMARY_COLUMNS_BASE = ["encounter_id", "status", "findings", "errors", "warnings"]


@dataclass(frozen=True)
class ColumnMap:
    """Which input columns hold the encounter fields (defaults: the documented names)."""

    id: str = "encounter_id"
    note: str = "note_text"
    dx: str = "dx_codes"
    px: str = "px_codes"
    setting: str = "setting"
    note_path: str = "note_path"

    def required(self, available: list[str]) -> list[str]:
        """The columns that must be present: id, dx, and note text or note path."""
        note = self.note if self.note in available or self.note_path not in available else self.note_path
        return [self.id, note, self.dx]
