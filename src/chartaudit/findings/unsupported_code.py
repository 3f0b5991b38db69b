"""unsupported_code: a billed diagnosis the note does not document at all."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


@registry.register
class UnsupportedCodeRule(FindingRule):
    type = "unsupported_code"
    severity = "error"
    order = 40
    guideline = "I.A.19"
    label = "Billed code not documented"
    description = ("No mention in the note documents the billed code (a screening for the condition does not: "
                   "the message then quotes it).")
    status = "unsupported"
    status_label = "not documented"
    query = ProviderQuery(
        open_ended=True,
        intro="The note for this encounter documents the following condition(s):",
        question="Based on your clinical judgement, please clarify in the record the condition(s) you evaluated "
                 "or treated at this encounter, including any condition not yet documented, "
                 "or indicate that no further documentation applies.",
    )

    def find_code(self, assessment, context: CheckContext) -> Iterator[Finding]:
        code = assessment.code
        screening = assessment.mentions_with("screening")
        hypothetical = assessment.mentions_with("hypothetical")
        if screening:
            message = (f"{context.describe(code)} is billed, but the note mentions it only as the target of a "
                       f"screening, which does not document the condition: {quote_mentions(context.note, screening)}.")
        elif hypothetical:
            message = (f"{context.describe(code)} is billed, but the note mentions it only as something "
                       f"to watch for: {quote_mentions(context.note, hypothetical)}.")
        else:
            message = f"{context.describe(code)} is billed, but nothing in the note documents it."
        cited = screening or hypothetical
        yield self.finding(code, message, suggestion=self._suggestion(context, code), evidence=quote(cited))

    @staticmethod
    def _suggestion(context: CheckContext, code: str) -> str:
        billed_related = {id(m) for a in context.valid_assessments() for m in a.related}
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
