"""family_history_only: only a relative (or another person) has the condition."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class FamilyHistoryOnlyRule(FindingRule):
    """A condition billed for the patient that the note attributes to someone else; suggest the Z code."""

    type = "family_history_only"
    severity = "warning"
    guideline = "I.C.21.c.4"

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for assessment in context.valid_assessments():
            if assessment.status != "family_history_only":
                continue
            code = assessment.code
            family = assessment.mentions_with("family")
            _, family_code = context.knowledge.history_codes(code)
            if family_code:
                suggestion = (f"Report the family-history code {context.describe(family_code)} instead of "
                              f"{code}, if the family history affects the patient's care.")
            else:
                suggestion = (f"Remove {code}; report a family-history code (Z80-Z84) if the family "
                              "history affects the patient's care.")
            yield self.finding(
                code,
                f"{context.describe(code)} is billed for the patient, but the note documents it only in "
                f"a relative or another person: {quote_mentions(context.note, family)}.",
                related_code=family_code,
                suggestion=suggestion,
                evidence=quote(family),
            )
