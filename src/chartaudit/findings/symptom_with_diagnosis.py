"""symptom_with_diagnosis: a symptom code billed with the definitive diagnosis it is part of."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding


@registry.register
class SymptomWithDiagnosisRule(FindingRule):
    type = "symptom_with_diagnosis"
    severity = "warning"
    order = 110
    guideline = "I.B.5"
    label = "Symptom billed with its diagnosis"
    description = ("A billed, supported symptom code that is routinely part of another billed, supported definitive "
                   "diagnosis (`symptom_integral.json`). `related_code` = the diagnosis.")

    def find(self, context: CheckContext) -> Iterator[Finding]:
        knowledge = context.knowledge
        assessments = context.valid_assessments()
        for symptom in assessments:
            if symptom.status != "supported" or not knowledge.is_symptom(symptom.code):
                continue
            for diagnosis in assessments:
                if diagnosis is symptom or diagnosis.status != "supported":
                    continue
                if knowledge.is_symptom(diagnosis.code):
                    continue
                if not knowledge.symptom_integral_to(symptom.code, diagnosis.code):
                    continue
                yield self.finding(
                    symptom.code,
                    f"{context.describe(symptom.code)} is a symptom routinely part of "
                    f"{context.describe(diagnosis.code)}, which is also billed and documented.",
                    related_code=diagnosis.code,
                    suggestion=(f"Remove {symptom.code}: signs and symptoms integral to a definitive "
                                "diagnosis are not coded separately, unless the provider documents them "
                                "as unrelated."),
                    evidence=quote(diagnosis.supporting[:2] + symptom.supporting[:2]),
                )
                break
