"""Section header rules in medSpaCy's JSON format, compiled into one line-anchored regex.

Each rule is ``{"literal": "Assessment and Plan", "category": "assessment_and_plan"}``
with an optional ``"pattern"`` (a Python regular expression) and ``"metadata"``
(``{"fallback": true}`` rules are tried after every literal). A header counts
only at the start of a line or after a sentence end (``. ! ? ; :``, optionally
followed by a comma as in MTSamples' flattened notes), and must be followed by
a colon or a line break.

``section_rules.json`` also names *groups* of categories that other parts read
(``assessment``: the provider's current assessment; ``non_assessment``: sections
that never document a current, assessed condition by themselves); the extractor
gives them as :attr:`chartaudit.extract.Extractor.section_groups`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chartaudit.resources.files import FileCheck, ModelFile

#: Where a header may begin: the start of the text or of a line, after a sentence end
#: (optionally followed by a comma, as in MTSamples' flattened notes), or after a run of
#: three or more spaces or a tab (the line breaks of a report flattened into one line:
#: "Measurements Not Obtainable ***     REFERRING DIAGNOSIS: CHEST PAIN").
#: Each alternative starts with a literal character (the lookbehinds come after it), so that
#: the regex engine skips ahead to those characters instead of trying every position (~4x faster).
_CANDIDATE = re.compile(r"(?:\n|\.|!|\?|;|:| (?<=\S ) {2,}|\t(?<=\S\t))[ \t]*(?:,[ \t]*)?(?=[^\W\d_])")
_TEXT_START = re.compile(r"[ \t\r\n]*(?:,[ \t]*)?(?=[^\W\d_])")
_STOP = re.compile(r"[:\n]")
#: What must follow a pattern header: a colon, or the end of the line.
_HEADER_END = r"[ \t]*(?::|(?=\r?\n|\Z))"
_COLON_END = r"[ \t]*:"
#: The longest literal header looked up (characters before the colon or line break).
MAX_HEADER_LENGTH = 60


@dataclass(frozen=True)
class SectionRule:
    """One header rule: a literal (case-insensitive) or a regular expression."""

    literal: str
    category: str
    pattern: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def fallback(self) -> bool:
        return bool(self.metadata.get("fallback"))

    @property
    def requires_colon(self) -> bool:
        return bool(self.metadata.get("requires_colon"))


@dataclass(frozen=True)
class SectionHeader:
    """A header found in a text: its category and character span (colon included)."""

    category: str
    start: int
    end: int


def _literal_key(text: str) -> str:
    return " ".join(text.lower().split())


class SectionRules(ModelFile):
    """``section_rules.json``: the compiled section rules, and the groups of categories.

    rules (list[SectionRule]): The header rules.
    groups (Mapping[str, Iterable[str]]): Group name -> section categories.
    """

    FILE_NAME = "section_rules.json"
    DESCRIPTION = "section header rules and groups of sections"
    MISSING = "every mention has section None"
    KEYS: ClassVar[tuple[str, ...]] = ("section_rules", "groups")
    #: The keys of one rule (medSpaCy's section rule format, without its parents and scopes).
    RULE_KEYS: ClassVar[tuple[str, ...]] = ("literal", "category", "pattern", "metadata")
    #: The keys of a rule's metadata.
    METADATA_KEYS: ClassVar[tuple[str, ...]] = ("fallback", "requires_colon")

    def __init__(self, rules: list[SectionRule], groups: Mapping[str, Any] | None = None) -> None:
        self.rules = list(rules)
        #: Group name -> section categories ("assessment", "non_assessment").
        self.groups: dict[str, frozenset[str]] = {
            str(name): frozenset(str(category) for category in categories)
            for name, categories in (groups or {}).items()
        }
        self._categories: dict[str, str] = {}
        literal_rules = [rule for rule in self.rules if rule.pattern is None]
        pattern_rules = [rule for rule in self.rules if rule.pattern is not None]
        pattern_rules.sort(key=lambda rule: rule.fallback)
        for rule in literal_rules:
            self._categories.setdefault(_literal_key(rule.literal), rule.category)
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        for rule in pattern_rules:
            ending = _COLON_END if rule.requires_colon else _HEADER_END
            self._patterns.append((re.compile(f"(?:{rule.pattern}){ending}", re.IGNORECASE), rule.category))

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.parse_json()
        if isinstance(data, dict):
            check.known_keys(data, cls.KEYS)
        categories: set[str] = set()
        for _, label, rule, literal, line in check.rules_with_literals(data, "section_rules", cls.RULE_KEYS):
            category = rule.get("category")
            if not isinstance(category, str) or not category.strip():
                check.problem(f"{label} {literal!r}: \"category\" must be a non-empty string", line=line)
            else:
                categories.add(category)
            if rule.get("pattern") is not None:
                check.compile_regex(rule["pattern"], f"{label} {literal!r}", re.IGNORECASE)
            metadata = rule.get("metadata")
            if metadata is not None:
                if isinstance(metadata, dict):
                    check.known_keys(metadata, cls.METADATA_KEYS, f"{label} {literal!r} metadata")
                else:
                    check.problem(f"{label} {literal!r}: \"metadata\" must be an object", line=line)
        if not isinstance(data, dict) or check.problems:
            return data if isinstance(data, dict) else None
        groups = data.get("groups", {})
        if not isinstance(groups, dict):
            check.problem("\"groups\" must be an object of group name -> section categories", value="groups")
            return data
        for name, members in groups.items():
            if not isinstance(members, list) or not all(isinstance(member, str) for member in members):
                check.problem(f"groups {name!r}: must be a list of section categories", value=name)
                continue
            for member in members:
                if member not in categories:
                    check.problem(f"groups {name!r}: {member!r} is not the category of any section rule", value=name)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SectionRules":
        rules = [
            SectionRule(
                literal=str(item["literal"]),
                category=str(item["category"]),
                pattern=item.get("pattern"),
                metadata=dict(item.get("metadata") or {}),
            )
            for item in data.get("section_rules", [])
        ]
        return cls(rules, data.get("groups", {}))

    @classmethod
    def when_missing(cls) -> "SectionRules":
        return cls([])

    @property
    def categories(self) -> set[str]:
        return {rule.category for rule in self.rules}

    def find_headers(self, text: str) -> Iterator[SectionHeader]:
        """Every section header of a text, in order.

        text (str): The note.
        YIELDS (SectionHeader): Category and character span of each header.
        """
        if not self._categories and not self._patterns:
            return
        length = len(text)
        first = _TEXT_START.match(text)
        positions = [(first.end(), True)] if first is not None else []
        positions.extend((candidate.end(), text[candidate.start()] == "\n") for candidate in _CANDIDATE.finditer(text))
        categories = self._categories
        header_end = 0
        for position, line_start in positions:
            if position < header_end:
                continue  # inside the header just found ("MILD   TRICUSPID REGURGITATION:")
            window_end = min(length, position + MAX_HEADER_LENGTH + 1)
            stop_match = _STOP.search(text, position, window_end)
            if stop_match is not None:
                stop = stop_match.start()
            elif window_end == length:
                stop = length
            else:
                stop = -1
            if stop >= 0 and not line_start and (stop == length or text[stop] != ":"):
                stop = -1  # after a sentence end (not a line start) a header needs its colon
            if stop >= 0:
                candidate_text = text[position:stop].lower().rstrip()
                category = categories.get(candidate_text)
                if category is None and ("  " in candidate_text or "\t" in candidate_text):
                    category = categories.get(_literal_key(candidate_text))
                if category is not None:
                    end = stop + 1 if stop < length and text[stop] == ":" else stop
                    header_end = end
                    yield SectionHeader(category=category, start=position, end=end)
                    continue
            for pattern, category in self._patterns:
                match = pattern.match(text, position)
                if match is not None:
                    header_end = match.end()
                    yield SectionHeader(category=category, start=position, end=match.end())
                    break
