"""unsupported_code: a billed diagnosis the note does not document at all."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class UnsupportedCodeRule(FindingRule):
    """A billed code with no evidence; names what the note does document instead."""

    type = "unsupported_code"
    severity = "error"
    guideline = "I.A.19"

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for assessment in context.valid_assessments():
            if assessment.status != "unsupported":
                continue
            code = assessment.code
            hypothetical = assessment.mentions_with("hypothetical")
            if hypothetical:
                message = (f"{context.describe(code)} is billed, but the note mentions it only as something "
                           f"to watch for: {quote_mentions(context.note, hypothetical)}.")
            else:
                message = f"{context.describe(code)} is billed, but nothing in the note documents it."
            yield self.finding(
                code,
                message,
                suggestion=self._suggestion(context, code),
                evidence=quote(hypothetical),
            )

    @staticmethod
    def _suggestion(context: CheckContext, code: str) -> str:
        billed_related = {
            id(m) for a in context.valid_assessments() for m in a.related
        }
        documented = []
        for mention in context.mentions:
            if not mention.affirmed or not mention.codes or id(mention) in billed_related:
                continue
            label = f'"{" ".join(mention.text.split())}" ({mention.codes[0]})'
            if label not in documented:
                documented.append(label)
        advice = (f"Remove {code} from the claim, or query the provider if the condition was "
                  "evaluated but not documented.")
        if documented:
            advice += " Documented but not billed: " + ", ".join(documented[:4]) + "."
        return advice
