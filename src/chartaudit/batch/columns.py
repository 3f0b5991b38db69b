"""Input column names and the schemas of a batch audit's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chartaudit.findings import FINDING_TYPES
from chartaudit.report import FINDING_COLUMNS, INTEGER_COLUMNS

SUMMARY_COLUMNS_BASE = ["encounter_id", "status", "findings", "errors", "warnings"]
#: One row per encounter: status, counts, and a count for every finding type (fixed, so
#: that every chunk of a summary has the same columns).
SUMMARY_COLUMNS = SUMMARY_COLUMNS_BASE + [f"n_{kind}" for kind in FINDING_TYPES]


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


def findings_arrow_schema() -> Any:
    """The Parquet schema of findings (a ``pyarrow.Schema``): text as strings, offsets as int64."""
    import pyarrow as pa

    return pa.schema([(name, pa.int64() if name in INTEGER_COLUMNS else pa.string()) for name in FINDING_COLUMNS])


def summary_arrow_schema() -> Any:
    """The Parquet schema of the per-encounter summary."""
    import pyarrow as pa

    return pa.schema([(name, pa.string() if name in ("encounter_id", "status") else pa.int64())
                      for name in SUMMARY_COLUMNS])
