"""input_error: the encounter could not be checked as given."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class InputErrorRule(FindingRule):
    type = "input_error"
    severity = "error"
    order = 10
    guideline = ""
    label = "Encounter cannot be checked as given"
    description = ("The note is empty or whitespace, no diagnosis code was given, or the setting is not outpatient "
                   "or inpatient. The evidence checks do not run; code validity checks still do.")
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for problem in context.input_problems:
            yield self.finding(None, problem, suggestion="Correct the encounter's input and check it again.")
