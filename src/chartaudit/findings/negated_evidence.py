"""negated_evidence: the note mentions the billed condition only to deny it."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class NegatedEvidenceRule(FindingRule):
    """A billed code whose only evidence is a denial ("denies chest pain", "negative for")."""

    type = "negated_evidence"
    severity = "error"
    guideline = "I.B.4-5; I.A.19"

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for assessment in context.valid_assessments():
            if assessment.status != "negated":
                continue
            negated = assessment.mentions_with("negated")
            yield self.finding(
                assessment.code,
                f"{context.describe(assessment.code)} is billed, but the note documents it only as absent: "
                f"{quote_mentions(context.note, negated)}.",
                suggestion=(f"Remove {assessment.code}: a sign, symptom or condition the provider documents "
                            "as denied or negative cannot be coded."),
                evidence=quote(negated),
            )
