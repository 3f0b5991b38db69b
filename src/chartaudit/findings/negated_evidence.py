"""negated_evidence: the note mentions the billed condition only to deny it."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


@registry.register
class NegatedEvidenceRule(FindingRule):
    type = "negated_evidence"
    severity = "error"
    order = 50
    guideline = "I.B.4-5; I.A.19"
    label = "Note denies the billed condition"
    description = 'Every related mention is negated ("denies chest pain", "negative for").'
    status = "negated"
    status_label = "note denies it"
    viewer_group = "contradicts"
    query = ProviderQuery(
        intro="The note for this encounter states:",
        question="Please clarify the status of {condition} at this encounter:",
        options=("{Condition}: present", "{Condition}: not present"),
    )

    def find_code(self, assessment, context: CheckContext) -> Iterator[Finding]:
        negated = assessment.mentions_with("negated")
        yield self.finding(
            assessment.code,
            f"{context.describe(assessment.code)} is billed, but the note documents it only as absent: "
            f"{quote_mentions(context.note, negated)}.",
            suggestion=(f"Remove {assessment.code}: a sign, symptom or condition the provider documents "
                        "as denied or negative cannot be coded."),
            evidence=quote(negated),
        )
