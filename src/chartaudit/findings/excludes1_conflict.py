"""excludes1_conflict: two billed codes that an Excludes1 note says never go together."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class Excludes1ConflictRule(FindingRule):
    type = "excludes1_conflict"
    severity = "error"
    order = 120
    guideline = "I.A.12.a"
    label = "Codes that may not be billed together"
    description = ("An Excludes1 note of one billed code (or of its ancestors) names the other billed code, its "
                   "category or its range. One finding per pair; `code` = the code whose note it is.")
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        codes = list(dict.fromkeys(a.code for a in context.valid_assessments()))
        for index, first in enumerate(codes):
            for second in codes[index + 1 :]:
                conflict = context.knowledge.excludes1_conflict(first, second)
                if conflict is None:
                    continue
                owner, other, note = conflict
                yield self.finding(
                    owner,
                    f"{context.describe(owner)} and {context.describe(other)} cannot be billed together: "
                    f"an Excludes1 note under {owner} excludes \"{note}\".",
                    related_code=other,
                    suggestion=("Keep the code the documentation supports and remove the other; both may be "
                                "reported only when the provider documents the two conditions as unrelated."),
                )
