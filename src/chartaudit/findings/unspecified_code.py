"""unspecified_code: an unspecified code is billed while the note supports a more specific one."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class UnspecifiedCodeRule(FindingRule):
    type = "unspecified_code"
    severity = "warning"
    order = 100
    guideline = "I.A.9.b; I.B.18"
    label = "Unspecified code where the note is specific"
    description = ("A supported unspecified code (or unspecified side) while an affirmed mention supports a more "
                   "specific code: a side, a type or an acuity. `related_code` = the more specific code.")

    def find(self, context: CheckContext) -> Iterator[Finding]:
        knowledge = context.knowledge
        billed = {a.code for a in context.valid_assessments()}
        contradicted = {vague for vague, _ in context.contradictions}  # contradictory_codes explains those
        for assessment in context.valid_assessments():
            if assessment.status != "supported" or not assessment.more_specific or assessment.code in contradicted:
                continue
            code = assessment.code
            counts = Counter(specific for _, specific in assessment.more_specific if specific not in billed)
            if not counts:
                continue  # the specific code is billed too: nothing to suggest
            specifics = [specific for specific, _ in counts.most_common()]
            best = specifics[0]
            mentions = [m for m, specific in assessment.more_specific if specific == best]
            by_side = knowledge.laterality(code) == "unspecified" and knowledge.laterality(best) not in (None, "unspecified")
            also = ""
            if len(specifics) > 1:
                also = " The note also supports " + ", ".join(context.describe(s) for s in specifics[1:3]) + "."
            yield self.finding(
                code,
                f"{context.describe(code)} is an unspecified code, but the note documents more detail: "
                f"{quote_mentions(context.note, mentions)}.",
                related_code=best,
                suggestion=f"Bill {context.describe(best)} instead.{also}",
                evidence=quote(mentions),
                guideline="I.B.13" if by_side else self.guideline,
            )
