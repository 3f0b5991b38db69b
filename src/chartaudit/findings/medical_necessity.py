"""medical_necessity: a billed procedure whose coverage policy lists none of the billed diagnoses."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class MedicalNecessityRule(FindingRule):
    type = "medical_necessity"
    severity = "error"
    order = 130
    label = "Procedure not covered by the billed diagnoses"
    description = ("A billed procedure that a supplied coverage policy lists, while no billed diagnosis matches "
                   "that policy's ICD-10-CM patterns. `code` = the procedure, `guideline` = the policy id.")
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        if context.policies is None:
            return
        diagnoses = [a.code for a in context.valid_assessments()]
        for procedure in context.procedures:
            if context.policies.covers(procedure, diagnoses) is not False:
                continue  # covered, or no supplied policy lists the procedure
            policies = context.policies.policies_for(procedure)
            patterns = sorted({pattern for policy in policies for pattern in policy.patterns})
            shown = ", ".join(patterns[:12]) + (" …" if len(patterns) > 12 else "")
            policy_ids = ", ".join(dict.fromkeys(policy.policy_id for policy in policies))
            billed = ", ".join(diagnoses) if diagnoses else "none"
            yield self.finding(
                procedure,
                f"Procedure {procedure} is not supported by the billed diagnoses ({billed}) under "
                f"coverage policy {policy_ids}, which covers: {shown}.",
                suggestion=("If the note documents a covered indication, add its diagnosis code; otherwise "
                            "expect the line to be denied (for Medicare, an ABN may be needed before the service)."),
                guideline=policy_ids,
            )
