"""history_only: only a past, resolved condition is documented."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class HistoryOnlyRule(FindingRule):
    """A condition billed as current that the note documents only as history; suggest the Z code."""

    type = "history_only"
    severity = "warning"
    guideline = "IV.J; I.C.21.c.4"

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for assessment in context.valid_assessments():
            if assessment.status != "history_only":
                continue
            code = assessment.code
            historical = assessment.mentions_with("historical")
            personal, _ = context.knowledge.history_codes(code)
            if personal:
                suggestion = (f"If the condition no longer exists and is not being treated, report the "
                              f"personal-history code {context.describe(personal)} instead of {code}.")
            else:
                suggestion = (f"If the condition no longer exists and is not being treated, remove {code}; "
                              "report a personal-history code (Z85-Z87) when the history affects care.")
            yield self.finding(
                code,
                f"{context.describe(code)} is billed as a current condition, but the note documents it "
                f"only as past history: {quote_mentions(context.note, historical)}.",
                related_code=personal,
                suggestion=suggestion,
                evidence=quote(historical),
            )
