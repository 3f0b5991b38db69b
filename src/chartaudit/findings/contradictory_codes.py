"""contradictory_codes: an unspecified or "without" code billed beside a specified code of the same condition."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class ContradictoryCodesRule(FindingRule):
    type = "contradictory_codes"
    severity = "error"
    order = 118
    guideline = "I.A.9.b; I.B.1"
    label = "Unspecified code beside a specified code of the same condition"
    description = ("Two billed codes of one 3-character category for the same condition, one unspecified or "
                   "\"without\" (E11.9 without complications, I48.91, J45.909 uncomplicated) and the other "
                   "specifying what the first leaves open or denies (E11.42, I48.0, J45.41). `code` = the "
                   "unspecified or \"without\" code, `related_code` = the specified one; that code gets no "
                   "`unspecified_code` or `unsupported_specificity` finding.")
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for vague, specified in context.contradictions:
            yield self.finding(
                vague,
                f"{context.describe(vague)} is billed beside {context.describe(specified)} for the same "
                f"condition: the first leaves unspecified or denies what the second reports.",
                related_code=specified,
                suggestion=(f"Remove {vague} and keep {specified} if the note documents it; a condition is "
                            "reported once, at the level of detail documented."),
            )
