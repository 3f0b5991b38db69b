"""family_history_only: only a relative (or another person) has the condition."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


@registry.register
class FamilyHistoryOnlyRule(FindingRule):
    type = "family_history_only"
    severity = "warning"
    order = 80
    guideline = "I.C.21.c.4"
    label = "Condition documented only in a relative"
    description = ("The related mentions are all about a relative or another person. "
                   "`related_code` = the family-history Z code.")
    status = "family_history_only"
    status_label = "family history only"
    viewer_group = "contradicts"
    query = ProviderQuery(
        question="Please clarify to whom {condition} applies:",
        options=("The patient (a current condition of the patient)", "A family member only (family history)"),
    )

    def find_code(self, assessment, context: CheckContext) -> Iterator[Finding]:
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
