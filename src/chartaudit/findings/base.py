"""The finding-rule protocol, the context every rule reads, and the registry.

Each finding type is one small rule in its own module, registered by name; the
checker runs every registered rule in registry order. A rule reads the
:class:`CheckContext` (mentions, per-code assessments, knowledge, policies) and
yields :class:`~chartaudit.types.Finding` objects; it never changes the context.

Usage::

    from chartaudit.findings import registry

    @registry.register
    class MyRule(FindingRule):
        type = "my_finding"
        def find(self, context): ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from chartaudit.types import Evidence, Finding, Mention

if TYPE_CHECKING:
    from chartaudit.compare import CodeAssessment, CodeRelations
    from chartaudit.knowledge import Icd10cm, PolicySet


@dataclass
class CheckContext:
    """Everything a finding rule may read about one encounter."""

    note: str
    setting: str
    mentions: list[Mention]
    assessments: list["CodeAssessment"]
    procedures: list[str]
    knowledge: "Icd10cm"
    relations: "CodeRelations"
    policies: "PolicySet | None" = None
    input_problems: list[str] = field(default_factory=list)

    @property
    def evidence_checked(self) -> bool:
        """False when the note could not be checked (an ``input_error``)."""
        return not self.input_problems

    def valid_assessments(self) -> list["CodeAssessment"]:
        return [a for a in self.assessments if a.valid and a.code]

    def describe(self, code: str) -> str:
        """``CODE (Description)`` for messages."""
        description = self.knowledge.description(code)
        return f"{code} ({description})" if description else code


def quote(mentions: Iterable[Mention]) -> list[Evidence]:
    """Evidence spans for a list of mentions, in note order, without duplicates."""
    seen: set[tuple[int, int]] = set()
    evidence = []
    for mention in sorted(mentions, key=lambda m: m.start):
        if (mention.start, mention.end) in seen:
            continue
        seen.add((mention.start, mention.end))
        evidence.append(Evidence.from_mention(mention))
    return evidence


class FindingRule:
    """One finding type: subclasses set ``type``, ``severity``, ``guideline`` and ``find``."""

    type: ClassVar[str] = ""
    severity: ClassVar[str] = "warning"
    guideline: ClassVar[str] = ""
    #: Whether the rule needs a checkable note (it is skipped after an input_error).
    needs_note: ClassVar[bool] = True

    def find(self, context: CheckContext) -> Iterator[Finding]:  # pragma: no cover
        raise NotImplementedError

    def finding(self, code: str | None, message: str, **fields: object) -> Finding:
        """A finding of this rule's type, severity and guideline."""
        fields.setdefault("guideline", self.guideline)
        return Finding(type=self.type, severity=self.severity, code=code,  # type: ignore[arg-type]
                       message=message, **fields)  # type: ignore[arg-type]


class FindingRegistry:
    """The finding rules by type, in the order they run."""

    def __init__(self) -> None:
        self._rules: dict[str, type[FindingRule]] = {}

    def register(self, rule: type[FindingRule]) -> type[FindingRule]:
        if not rule.type:
            raise ValueError(f"{rule.__name__} has no finding type")
        self._rules[rule.type] = rule
        return rule

    def get(self, finding_type: str) -> type[FindingRule]:
        return self._rules[finding_type]

    def types(self) -> list[str]:
        return list(self._rules)

    def create_all(self) -> list[FindingRule]:
        return [rule() for rule in self._rules.values()]


registry = FindingRegistry()
