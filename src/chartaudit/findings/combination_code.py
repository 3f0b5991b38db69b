"""combination_code: two billed codes that the classification reports as one combination code."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding

#: The guideline presuming each family of combinations (by the combination code's category);
#: any other Index "with" link is Guideline I.A.15.
_GUIDELINES: tuple[tuple[str, str], ...] = (
    ("I11", "I.C.9.a.1"), ("I12", "I.C.9.a.2"), ("I13", "I.C.9.a.3"),
    ("E08", "I.A.15; I.C.4.a"), ("E09", "I.A.15; I.C.4.a"), ("E10", "I.A.15; I.C.4.a"),
    ("E11", "I.A.15; I.C.4.a"), ("E13", "I.A.15; I.C.4.a"),
)


@registry.register
class CombinationCodeRule(FindingRule):
    type = "combination_code"
    severity = "error"
    order = 115
    guideline = "I.A.15; I.C.9.a; I.C.4.a"
    label = "Two codes that should be one combination code"
    description = ("A billed code that the classification combines with other billed, supported codes into one "
                   "combination code (the Alphabetic Index's \"with\" and \"in\" entries and the tabular notes: "
                   "I10 beside I50.- is I11.0, E11.9 beside N18.- is E11.22, J44.9 beside J18.9 is J44.0), the "
                   "combination not being billed and the provider not stating the conditions unrelated. "
                   "`code` = the billed code the combination replaces, `related_code` = the combination.")

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for match in context.combinations:
            partners = ", ".join(context.describe(code) for code in match.partners)
            kept = " and ".join(match.partners)
            guideline = next((section for prefix, section in _GUIDELINES if match.combination.startswith(prefix)),
                             "I.A.15")
            yield self.finding(
                match.code,
                f"{context.describe(match.code)} is billed beside {partners}, but the classification reports "
                f"the two conditions together as {context.describe(match.combination)}: it presumes the link "
                "unless the provider states that the conditions are unrelated.",
                related_code=match.combination,
                suggestion=(f"Replace {match.code} with {match.combination} and keep {kept}; if the provider "
                            "documents the conditions as unrelated, keep the codes as billed."),
                evidence=quote(match.mentions),
                guideline=guideline,
            )
