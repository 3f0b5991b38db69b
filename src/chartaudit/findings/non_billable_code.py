"""non_billable_code: a real ICD-10-CM category or subcategory that is not billable as written."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class NonBillableCodeRule(FindingRule):
    type = "non_billable_code"
    severity = "error"
    order = 30
    guideline = "I.B.2"
    label = "Header code, not billable as written"
    description = ("A real category or subcategory that is not billable as written (`M25.5`, `S93.401`, `E11`): the "
                   "suggestion says what is missing (more characters, a 7th character, the placeholder X) and, when "
                   "the note says, which billable code fits. The evidence check still runs on it.")
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        knowledge = context.knowledge
        for assessment in context.valid_assessments():
            if assessment.billable:
                continue
            code = assessment.code
            assert code is not None
            hint = knowledge.billable_hint(code)
            documented = self._documented_code(context, assessment)
            suggestion = hint
            evidence = []
            if documented:
                mentions = [m for m in assessment.supporting if any(knowledge.related(documented, c) for c in m.codes)]
                suggestion = (f"The note supports {context.describe(documented)}: "
                              f"{quote_mentions(context.note, mentions)}. {hint}")
                evidence = quote(mentions)
            needs_seventh = any(knowledge.seventh_character(child) for child in knowledge.children(code))
            yield self.finding(
                code,
                f"{context.describe(code)} is a {'category' if len(code) == 3 else 'subcategory'} "
                "header, not a billable code: a claim must carry a code to its full length.",
                related_code=documented,
                suggestion=suggestion.strip(),
                evidence=evidence,
                guideline="I.B.2; I.A.4-5" if needs_seventh else self.guideline,
            )

    @staticmethod
    def _documented_code(context: CheckContext, assessment) -> str | None:
        """A billable descendant of the header code that an affirmed mention names."""
        knowledge = context.knowledge
        for mention in assessment.supporting:
            for candidate in mention.codes:
                if knowledge.is_billable(candidate) and knowledge.is_ancestor(assessment.code, candidate):
                    return candidate
        return None
