"""laterality_mismatch: the billed side differs from the documented side."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


@registry.register
class LateralityMismatchRule(FindingRule):
    type = "laterality_mismatch"
    severity = "error"
    order = 90
    guideline = "I.B.13"
    label = "Billed side differs from the documented side"
    description = ("The billed code states a side and the note documents the condition only on another side. "
                   "`related_code` = the code for the documented side.")
    status = "laterality_mismatch"
    status_label = "wrong side"
    viewer_group = "contradicts"
    query = ProviderQuery(question="Please clarify the side affected:", options=("Right", "Left", "Bilateral"))

    def find_code(self, assessment, context: CheckContext) -> Iterator[Finding]:
        knowledge = context.knowledge
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
