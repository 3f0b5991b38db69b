"""laterality_mismatch: the billed side differs from the documented side."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class LateralityMismatchRule(FindingRule):
    """Billed right (say) while the note documents only the left; suggest the documented side's code."""

    type = "laterality_mismatch"
    severity = "error"
    guideline = "I.B.13"

    def find(self, context: CheckContext) -> Iterator[Finding]:
        knowledge = context.knowledge
        for assessment in context.valid_assessments():
            if assessment.status != "laterality_mismatch":
                continue
            code = assessment.code
            counts = Counter(sibling for _, sibling in assessment.other_side)
            documented = counts.most_common(1)[0][0]
            mentions = [m for m, sibling in assessment.other_side if sibling == documented]
            billed_side = knowledge.laterality(code) or "billed"
            documented_side = knowledge.laterality(documented) or "other"
            yield self.finding(
                code,
                f"{context.describe(code)} bills the {billed_side} side, but the note documents the "
                f"{documented_side} side: {quote_mentions(context.note, mentions)}.",
                related_code=documented,
                suggestion=f"Bill {context.describe(documented)} instead, or query the provider if the "
                           f"{billed_side} side was also treated.",
                evidence=quote(mentions),
            )
