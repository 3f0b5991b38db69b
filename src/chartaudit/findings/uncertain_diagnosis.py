"""uncertain_diagnosis: outpatient code for a diagnosis documented only as possible."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, ProviderQuery, quote, registry
from chartaudit.types import Finding


@registry.register
class UncertainDiagnosisRule(FindingRule):
    type = "uncertain_diagnosis"
    severity = "warning"
    order = 60
    guideline = "IV.H"
    label = "Diagnosis documented only as uncertain"
    description = ('Outpatient: every related mention is uncertain or hypothetical ("rule out", "probable"); the '
                   "suggestion lists the affirmed symptoms to code instead. Inpatient, an uncertain mention "
                   "supports the code (II.H).")
    status = "uncertain"
    status_label = "uncertain only"
    viewer_group = "contradicts"
    query = ProviderQuery(
        question="Based on your clinical judgement and the work-up at this encounter, "
                 "can the diagnosis be further clarified?",
        options=("{Condition}: confirmed", "{Condition}: ruled out",
                 "Signs and symptoms only, diagnosis not established"),
    )

    def find_code(self, assessment, context: CheckContext) -> Iterator[Finding]:
        code = assessment.code
        uncertain = assessment.mentions_with("uncertain", "hypothetical")
        symptoms = self._documented_symptoms(context, code)
        if symptoms:
            listed = ", ".join(f'{symptom} ("{text}")' for symptom, text in symptoms[:5])
            suggestion = (f"Do not code {code} until it is confirmed; code the signs and symptoms the "
                          f"note documents instead: {listed}.")
        else:
            suggestion = (f"Do not code {code} until it is confirmed; code the documented signs, symptoms "
                          "or reason for the visit instead, or query the provider.")
        yield self.finding(
            code,
            f"{context.describe(code)} is documented only as uncertain or hypothetical: "
            f"{quote_mentions(context.note, uncertain)}. In the outpatient setting an uncertain "
            "diagnosis is not coded.",
            related_code=symptoms[0][0] if symptoms else None,
            suggestion=suggestion,
            evidence=quote(uncertain),
        )

    @staticmethod
    def _documented_symptoms(context: CheckContext, code: str) -> list[tuple[str, str]]:
        """Affirmed symptom mentions of the note, as (code, words), first occurrence each."""
        knowledge = context.knowledge
        found: dict[str, str] = {}
        for mention in context.mentions:
            if not mention.affirmed or not mention.codes:
                continue
            candidate = mention.codes[0]
            if knowledge.is_symptom(candidate) and candidate not in found and candidate != code:
                found[candidate] = " ".join(mention.text.split())
        return list(found.items())
