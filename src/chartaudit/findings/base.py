"""The finding-rule protocol, the context every rule reads, and the registry.

A finding type is one rule class in its own module of this package. The class
declares everything about its type — name, severity, report order, the billed-code
status it answers, labels, viewer group, provider query and guideline — and the
registry is the only list of types: ``FINDING_TYPES``, the batch summary columns,
the viewer's colours and query drafts and the table in ``docs/findings.md`` are all
read from it. A rule reads the :class:`CheckContext` and yields
:class:`~chartaudit.types.Finding` objects; it never changes the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator, Mapping

from chartaudit.types import Evidence, Finding, Mention, Severity

if TYPE_CHECKING:
    from chartaudit.compare import CodeAssessment, CodeRelations, CombinationMatch, SpecificityCheck, SpecificityGap
    from chartaudit.knowledge import Icd10cm, PolicySet

#: Viewer groups: how a finding's evidence is coloured in the note.
VIEWER_GROUPS: tuple[str, ...] = ("contradicts", "unbilled")


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
    #: Section categories by group ("assessment", "non_assessment"), from the model's section rules.
    section_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Where the check stopped in a note too long to check in full (None: the whole note was checked).
    checked_characters: int | None = None
    #: The check of the detail billed codes claim (None: not checked).
    specificity: "SpecificityCheck | None" = None

    @property
    def evidence_checked(self) -> bool:
        """False when the note could not be checked (an ``input_error``)."""
        return not self.input_problems

    def valid_assessments(self) -> list["CodeAssessment"]:
        return [a for a in self.assessments if a.valid and a.code]

    @cached_property
    def contradictions(self) -> list[tuple[str, str]]:
        """(unspecified or "without" code, specified code) pairs among the billed codes."""
        from chartaudit.compare import contradictory_codes  # noqa: PLC0415 - the rules' shared comparison

        return contradictory_codes(self.valid_assessments(), self.specificity) if self.specificity else []

    @cached_property
    def combinations(self) -> list["CombinationMatch"]:
        """The billed codes a combination code should replace (when the note was checked)."""
        from chartaudit.compare import missed_combinations  # noqa: PLC0415

        if self.specificity is None or not self.evidence_checked:
            return []
        return missed_combinations(self.valid_assessments(), self.note, self.mentions, self.specificity)

    @cached_property
    def specificity_gaps(self) -> dict[str, "SpecificityGap"]:
        """Supported billed codes whose title claims detail the note does not document, by code
        (a code that is the open half of a contradictory pair is left out: that finding explains it)."""
        if self.specificity is None or not self.evidence_checked:
            return {}
        contradicted = {first for first, _ in self.contradictions}
        gaps: dict[str, "SpecificityGap"] = {}
        for assessment in self.valid_assessments():
            if assessment.code in contradicted:
                continue
            gap = self.specificity.gap(assessment, self.note, self.mentions)
            if gap is not None:
                gaps[gap.code] = gap
        return gaps

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


@dataclass(frozen=True)
class ProviderQuery:
    """How to ask the provider about a documentation gap, neutrally and without leading.

    ``question`` and ``options`` may hold ``{condition}`` (the condition in the note's
    words) and ``{Condition}`` (capitalised as the note's concept). A multiple-choice
    query always ends with "Other (please specify)" and "Clinically undetermined". An
    ``open_ended`` query lists the note's affirmed conditions instead of citing evidence,
    and never names the billed code's condition (the note holds no indicator of it).
    """

    question: str
    options: tuple[str, ...] = ()
    intro: str = "The note for this encounter documents:"
    open_ended: bool = False


class FindingRule:
    """One finding type. Subclasses declare the class attributes and implement a ``find`` method.

    A rule that answers a billed-code ``status`` implements ``find_code`` (called once
    per valid billed code with that status); any other rule implements ``find``.
    """

    #: The finding type's name (the public contract: it appears in every output).
    type: ClassVar[str] = ""
    severity: ClassVar[Severity] = "warning"
    #: Position in the report: findings of equal severity come in this order.
    order: ClassVar[int] = 0
    #: ICD-10-CM Official Guidelines section(s) behind the finding.
    guideline: ClassVar[str] = ""
    #: What the finding means, in one line (the docs table and the viewer's filters).
    label: ClassVar[str] = ""
    #: When the rule fires, in one or two sentences (the docs table).
    description: ClassVar[str] = ""
    #: The billed-code status this finding explains (``CodeResult.status``), if any.
    status: ClassVar[str | None] = None
    #: The viewer's badge text for that status.
    status_label: ClassVar[str] = ""
    #: How the viewer colours the finding's evidence: one of VIEWER_GROUPS, or None (not coloured).
    viewer_group: ClassVar[str | None] = None
    #: The draft query to the provider; set only for documentation gaps a provider can resolve.
    query: ClassVar[ProviderQuery | None] = None
    #: Whether the rule needs a checkable note (it is skipped after an input_error).
    needs_note: ClassVar[bool] = True
    #: Whether the sample encounters can exercise the type (False only when a sample would be
    #: impractical, such as a 2 MB note; its test file must then cover it).
    sampled: ClassVar[bool] = True

    @classmethod
    def documentation_gap(cls) -> bool:
        """True when a provider query can resolve the finding (the note lacks, denies, doubts, ...)."""
        return cls.query is not None

    def find(self, context: CheckContext) -> Iterator[Finding]:
        if self.status is None:  # pragma: no cover - a rule without a status implements find
            raise NotImplementedError(f"{type(self).__name__} declares no status and implements no find()")
        for assessment in context.valid_assessments():
            if assessment.status == self.status:
                yield from self.find_code(assessment, context)

    def find_code(self, assessment: "CodeAssessment", context: CheckContext) -> Iterator[Finding]:  # pragma: no cover
        raise NotImplementedError

    def finding(self, code: str | None, message: str, **fields: object) -> Finding:
        """A finding of this rule's type, severity and guideline."""
        fields.setdefault("guideline", self.guideline)
        return Finding(type=self.type, severity=self.severity, code=code,  # type: ignore[arg-type]
                       message=message, **fields)  # type: ignore[arg-type]


_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class FindingRegistry:
    """The finding rules by type, in their declared report order."""

    def __init__(self) -> None:
        self._rules: dict[str, type[FindingRule]] = {}

    def register(self, rule: type[FindingRule]) -> type[FindingRule]:
        """Class decorator: add a rule, checking that its declaration is complete and unique."""
        problems = []
        if not _TYPE_NAME.match(rule.type):
            problems.append("a type name of lower-case letters, digits and underscores")
        if rule.severity not in ("error", "warning", "info"):
            problems.append("a severity of error, warning or info")
        if not rule.label or not rule.description:
            problems.append("a label and a description")
        if rule.status is not None and not rule.status_label:
            problems.append("a status_label for its status")
        if rule.viewer_group not in (None, *VIEWER_GROUPS):
            problems.append(f"a viewer_group of {', '.join(VIEWER_GROUPS)} or None")
        if problems:
            raise ValueError(f"finding rule {rule.__name__} needs {'; '.join(problems)}")
        for other in self._rules.values():
            if other.type == rule.type and other is not rule:
                raise ValueError(f"finding type {rule.type!r} is registered twice")
            if other.order == rule.order and other.type != rule.type:
                raise ValueError(f"finding types {other.type!r} and {rule.type!r} declare the same order")
            if rule.status is not None and other.status == rule.status and other.type != rule.type:
                raise ValueError(f"finding types {other.type!r} and {rule.type!r} answer the same status")
        self._rules[rule.type] = rule
        return rule

    def rules(self) -> list[type[FindingRule]]:
        """Every rule class, in report order."""
        return sorted(self._rules.values(), key=lambda rule: rule.order)

    def get(self, finding_type: str) -> type[FindingRule]:
        return self._rules[finding_type]

    def types(self) -> list[str]:
        return [rule.type for rule in self.rules()]

    def create_all(self) -> list[FindingRule]:
        return [rule() for rule in self.rules()]

    def by_status(self) -> dict[str, type[FindingRule]]:
        """The rule that explains each billed-code status."""
        return {rule.status: rule for rule in self.rules() if rule.status is not None}

    def in_group(self, group: str) -> list[str]:
        """The types whose evidence the viewer colours as ``group``."""
        return [rule.type for rule in self.rules() if rule.viewer_group == group]

    def documentation_gaps(self) -> list[str]:
        """The types a provider query can resolve."""
        return [rule.type for rule in self.rules() if rule.documentation_gap()]

    def markdown_table(self) -> str:
        """The table of finding types in ``docs/findings.md``, in report order."""
        lines = ["| finding | severity | code status | guideline | provider query | when |",
                 "|---|---|---|---|---|---|"]
        for rule in self.rules():
            status = f"`{rule.status}` ({rule.status_label})" if rule.status else "—"
            query = "multiple choice" if rule.query and not rule.query.open_ended else "open" if rule.query else "—"
            when = " ".join(rule.description.split()).replace("|", "\\|")
            lines.append(f"| `{rule.type}` | {rule.severity} | {status} | {rule.guideline or '—'} | {query} | "
                         f"**{rule.label}.** {when} |")
        return "\n".join(lines)


registry = FindingRegistry()
