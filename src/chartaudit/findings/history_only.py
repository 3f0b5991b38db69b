"""history_only: only a past, resolved condition is documented."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


@registry.register
class HistoryOnlyRule(FindingRule):
    type = "history_only"
    severity = "warning"
    order = 70
    guideline = "IV.J; I.C.21.c.4"
    label = "Condition documented only as past history"
    description = ("The related mentions are all historical, with no current one (a chronic condition stated as "
                   "history still supports its code). `related_code` = the personal-history Z code.")
    status = "history_only"
    status_label = "history only"
    viewer_group = "contradicts"
    query = ProviderQuery(
        question="Please clarify the status of {condition} at this encounter:",
        options=("{Condition}: current, evaluated or treated at this encounter",
                 "{Condition}: history only, no longer present or under treatment"),
    )

    def find_code(self, assessment, context: CheckContext) -> Iterator[Finding]:
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
