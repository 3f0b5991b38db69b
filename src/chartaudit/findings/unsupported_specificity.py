"""unsupported_specificity: the note documents the condition but not the detail the billed code claims."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


def _listed(items: list[str]) -> str:
    quoted = [f'"{item}"' for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


@registry.register
class UnsupportedSpecificityRule(FindingRule):
    type = "unsupported_specificity"
    severity = "error"
    order = 105
    guideline = "I.A.19; I.A.15"
    label = "Billed detail not documented"
    description = ("A supported code whose title claims detail the note does not state (a type, complication, "
                   "acuity, stage or severity, episode, form, organism, site or side, 7th character) in the "
                   "sentences that document the condition nor, for a combination code, in a linked condition "
                   "elsewhere in the note (the Index's \"with\" convention, unless the provider states the "
                   "conditions unrelated); or the note denies it. `related_code` = the most specific billable "
                   "code the note supports.")
    query = ProviderQuery(
        question="Based on your clinical judgement, can {condition} be further specified as to: {detail}?",
        options=("{Condition}: {detail} as follows (please specify)",
                 "{Condition}: {detail} cannot be further specified"),
    )

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for code, gap in context.specificity_gaps.items():
            undocumented = [element for element in gap.elements if element not in gap.denied]
            parts = []
            if undocumented:
                parts.append(f"does not document {_listed(undocumented)}")
            if gap.denied:
                parts.append(f"denies {_listed(gap.denied)}")
            guideline = self.guideline
            if gap.unrelated is not None:
                parts.append("states that the conditions the code combines are unrelated: "
                             f"{quote_mentions(context.note, [gap.unrelated], limit=1)}")
                guideline = "I.A.15"
            elif context.knowledge.seventh_character(code) is not None:
                guideline = "I.A.19; I.C.19.a"
            else:
                guideline = "I.A.19"
            related = gap.related_code
            instead = f"Bill {context.describe(related)} instead, or query" if related else "Query"
            yield self.finding(
                code,
                f"{context.describe(code)} claims more than the note documents: the note supports the "
                f"condition ({quote_mentions(context.note, gap.mentions)}) but {'; it '.join(parts)}.",
                related_code=related,
                suggestion=f"{instead} the provider for the {', '.join(gap.elements)}.",
                evidence=quote(gap.mentions),
                guideline=guideline,
                detail=", ".join(gap.elements),
            )
