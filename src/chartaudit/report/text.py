"""A checked encounter as text for people (the CLI) and as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from chartaudit.types import SOURCE_LABELS

if TYPE_CHECKING:
    from chartaudit.types import CheckResult


def _how_found(source: str) -> str:
    """", fuzzy match" for a mention not found by its term as written (:data:`SOURCE_LABELS`), else ""."""
    label = SOURCE_LABELS.get(source)
    return f", {label}" if label else ""


def result_json(result: "CheckResult") -> str:
    """The whole result (findings, codes, procedures, mentions) as indented JSON."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def result_text(result: "CheckResult") -> str:
    """The billed codes with their status and evidence, the procedures, then the findings."""
    lines = [f"Setting: {result.setting}"]
    lines.append("")
    lines.append("Billed diagnosis codes")
    width = max((len(c.code) for c in result.codes), default=7)
    for code in result.codes:
        status = code.status.replace("_", " ")
        billable = "" if code.billable or code.status == "invalid" else " (not billable)"
        lines.append(f"  {code.code:<{width}}  {status:<20} {code.description[:60]}{billable}")
        for evidence in code.evidence[:3]:
            section = f" [{evidence.section.replace('_', ' ')}]" if evidence.section else ""
            lines.append(f"  {'':<{width}}    \"{' '.join(evidence.text.split())}\" "
                         f"({evidence.assertion}{_how_found(evidence.source)}){section}")
    if result.procedures:
        lines.append("")
        lines.append("Procedures")
        for procedure in result.procedures:
            policies = f" ({', '.join(procedure.policy_ids)})" if procedure.policy_ids else ""
            lines.append(f"  {procedure.code:<{width}}  {procedure.status.replace('_', ' ')}{policies}")
    lines.append("")
    if not result.findings:
        lines.append("No findings: the note supports every billed code.")
    else:
        lines.append(f"Findings ({len(result.findings)})")
        for finding in result.findings:
            code = f" {finding.code}" if finding.code else ""
            related = f" -> {finding.related_code}" if finding.related_code else ""
            lines.append(f"  [{finding.severity}] {finding.type}{code}{related}")
            lines.append(f"    {finding.message}")
            if finding.suggestion:
                lines.append(f"    Suggestion: {finding.suggestion}")
            if finding.guideline:
                lines.append(f"    Guideline: {finding.guideline}")
    return "\n".join(lines)
