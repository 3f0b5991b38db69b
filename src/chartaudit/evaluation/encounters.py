"""Evaluate finding precision and recall per type on encounters with expected findings.

The gold file is JSONL, one encounter per line: ``encounter_id, note_text, dx_codes,
px_codes, setting, policy_files, expected`` where ``expected`` lists findings as
``{"type", "code", "related_code"?}``. A predicted finding matches an expected one of
the same type and code (and related code, when the gold gives one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartaudit.evaluation.metrics import Counts, format_table
from chartaudit.findings import FINDING_TYPES

if TYPE_CHECKING:
    from chartaudit.checker import Checker


@dataclass
class EncounterError:
    """One encounter where the checker and the gold disagree."""

    encounter_id: str
    missed: list[dict[str, Any]]
    extra: list[dict[str, Any]]
    note_text: str = ""


@dataclass
class EncounterReport:
    """Per-type counts and the disagreements."""

    counts: dict[str, Counts] = field(default_factory=dict)
    encounters: int = 0
    errors: list[EncounterError] = field(default_factory=list)

    def table(self) -> str:
        rows = []
        total = Counts()
        for kind in FINDING_TYPES:
            counts = self.counts.get(kind, Counts())
            total.true_positive += counts.true_positive
            total.false_positive += counts.false_positive
            total.false_negative += counts.false_negative
            rows.append([kind, counts.support, counts.true_positive, counts.false_positive,
                         counts.false_negative, counts.precision, counts.recall])
        rows.append(["all", total.support, total.true_positive, total.false_positive, total.false_negative,
                     total.precision, total.recall])
        header = ["finding type", "gold", "tp", "fp", "fn", "precision", "recall"]
        return f"{self.encounters} encounters\n" + format_table(header, rows)

    def error_lines(self, limit: int) -> list[str]:
        lines = []
        worst = sorted(self.errors, key=lambda e: -(len(e.missed) + len(e.extra)))
        for error in worst[:limit]:
            lines.append(f"== {error.encounter_id}")
            for item in error.missed:
                lines.append(f"   missed {_key_text(item)}")
            for item in error.extra:
                lines.append(f"   extra  {_key_text(item)}: {item.get('message', '')}")
            if error.note_text:
                lines.append("   note: " + " ".join(error.note_text.split())[:600])
        return lines


def _key_text(item: dict[str, Any]) -> str:
    related = f" -> {item['related_code']}" if item.get("related_code") else ""
    return f"{item['type']} {item.get('code') or ''}{related}"


def _matches(expected: dict[str, Any], predicted: dict[str, Any]) -> bool:
    if expected["type"] != predicted["type"] or (expected.get("code") or None) != (predicted.get("code") or None):
        return False
    wanted = expected.get("related_code")
    return not wanted or wanted == predicted.get("related_code")


def evaluate_encounters(path: str | Path, checker: "Checker | None" = None, *, limit: int = 0) -> EncounterReport:
    """Check every encounter of a gold file (the first ``limit`` when given) and count matches per type."""
    from chartaudit.checker import Checker

    path = Path(path)
    checker = checker or Checker()
    report = EncounterReport()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if limit and report.encounters >= limit:
            break
        encounter = json.loads(line)
        policies = [str(path.parent / name) for name in encounter.get("policy_files", [])]
        result = checker.check(
            encounter.get("note_text", ""),
            dx=encounter.get("dx_codes", []),
            px=encounter.get("px_codes", []),
            setting=encounter.get("setting", "outpatient"),
            policies=policies,
        )
        report.encounters += 1
        predicted = [f.to_dict() for f in result.findings]
        expected = list(encounter.get("expected", []))
        unmatched = list(predicted)
        missed = []
        for gold in expected:
            counts = report.counts.setdefault(gold["type"], Counts())
            match = next((p for p in unmatched if _matches(gold, p)), None)
            if match is not None:
                unmatched.remove(match)
                counts.true_positive += 1
            else:
                counts.false_negative += 1
                missed.append(gold)
        for extra in unmatched:
            report.counts.setdefault(extra["type"], Counts()).false_positive += 1
        if missed or unmatched:
            report.errors.append(EncounterError(str(encounter.get("encounter_id", "")), missed, unmatched,
                                                encounter.get("note_text", "")))
    return report
