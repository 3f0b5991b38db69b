"""Evaluation: measure the checker against gold data.

Three gold formats, one entry point:

- ``encounters``: JSONL encounters with expected findings (precision / recall per type);
- ``negex``: NegEx-format TSV (assertion precision / recall / F1);
- ``codiesp``: CodiEsp-format JSONL ``{text, dx_codes}`` (support recall, swap detection).

Every report has ``table() -> str`` and ``error_lines(n) -> list[str]``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartaudit.evaluation.encounters import EncounterReport, evaluate_encounters
from chartaudit.evaluation.metrics import Counts

if TYPE_CHECKING:
    from chartaudit.checker import Checker

#: Gold format name -> "module:function" of its evaluator.
EVALUATION_FORMATS: dict[str, str] = {
    "encounters": "chartaudit.evaluation.encounters:evaluate_encounters",
    "negex": "chartaudit.evaluation.negex:evaluate_negex_modes",
    "codiesp": "chartaudit.evaluation.document_codes:evaluate_document_codes",
}


def detect_format(path: str | Path) -> str | None:
    """The gold format of a file, from its extension and first record (None if unknown)."""
    path = Path(path)
    if path.suffix.lower() in (".tsv", ".txt"):
        return "negex"
    if path.suffix.lower() not in (".jsonl", ".json", ".ndjson"):
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        record = json.loads(first) if first else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict):
        return None
    if "expected" in record or "note_text" in record:
        return "encounters"
    if "text" in record and "dx_codes" in record:
        return "codiesp"
    return None


def evaluate(kind: str, path: str | Path, checker: "Checker | None" = None, **options: Any) -> Any:
    """Run the evaluator of one gold format and return its report."""
    module_name, function_name = EVALUATION_FORMATS[kind].split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return function(path, checker, **options)


__all__ = ["Counts", "EVALUATION_FORMATS", "EncounterReport", "detect_format", "evaluate", "evaluate_encounters"]
