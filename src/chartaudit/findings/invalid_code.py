"""invalid_code: a billed diagnosis code that is not an ICD-10-CM code at all."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class InvalidCodeRule(FindingRule):
    """Flags codes that are not in the ICD-10-CM tabular list, with the nearest valid code."""

    type = "invalid_code"
    severity = "error"
    guideline = "I.B.1"
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for assessment in context.assessments:
            if assessment.status != "invalid":
                continue
            shown = assessment.code or assessment.input.strip()
            nearest = context.knowledge.nearest_valid(assessment.code) if assessment.code else None
            if nearest:
                suggestion = f"Check the code as entered; the nearest ICD-10-CM item is {context.describe(nearest)}."
            else:
                suggestion = "Check the code as entered, or look the condition up in the ICD-10-CM index."
            yield self.finding(
                shown,
                f'"{assessment.input.strip()}" is not an ICD-10-CM diagnosis code (2026 tables).',
                related_code=nearest,
                suggestion=suggestion,
            )
