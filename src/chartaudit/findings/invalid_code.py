"""invalid_code: a billed diagnosis code that is not an ICD-10-CM code at all."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class InvalidCodeRule(FindingRule):
    type = "invalid_code"
    severity = "error"
    order = 20
    guideline = "I.B.1"
    label = "Not an ICD-10-CM code"
    description = ("A billed code that is not in the ICD-10-CM tabular list at all (`XYZ`, `R07.99`, `M25.5111`). "
                   "`related_code` = the nearest valid code or category, when one exists.")
    status = "invalid"
    status_label = "invalid code"
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for assessment in context.assessments:  # invalid codes have no valid assessment
            if assessment.status != self.status:
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
