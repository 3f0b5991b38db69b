"""input_error: the encounter could not be checked as given."""

from __future__ import annotations

from typing import Iterator

from chartaudit.findings.base import CheckContext, FindingRule, registry
from chartaudit.types import Finding


@registry.register
class InputErrorRule(FindingRule):
    """One finding per reason the note could not be checked (empty note, no codes, bad setting)."""

    type = "input_error"
    severity = "error"
    guideline = ""
    needs_note = False

    def find(self, context: CheckContext) -> Iterator[Finding]:
        for problem in context.input_problems:
            yield self.finding(None, problem, suggestion="Correct the encounter's input and check it again.")
