"""Section header rules in medSpaCy's JSON format, compiled into one line-anchored regex.

Each rule is ``{"literal": "Assessment and Plan", "category": "assessment_and_plan"}``
with an optional ``"pattern"`` (a Python regular expression) and ``"metadata"``
(``{"fallback": true}`` rules are tried after every literal). A header counts
only at the start of a line or after a sentence end (``. ! ? ; :``, optionally
followed by a comma as in MTSamples' flattened notes), and must be followed by
a colon or a line break.

Usage::

    from chartaudit.extract.sections.rules import SectionRules
    rules = SectionRules.from_json(model_dir / "section_rules.json")
    for header in rules.find_headers("HPI: cough\\nA/P: bronchitis"):
        header.category, header.start, header.end
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SECTION_RULES_FILE = "section_rules.json"

#: Where a header may begin: the start of the text or of a line, or after a sentence end
#: (optionally followed by a comma, as in MTSamples' flattened notes).
_CANDIDATE = re.compile(r"[\n.!?;:][ \t]*(?:,[ \t]*)?(?=[^\W\d_])")
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


class SectionRules:
    """A compiled set of section rules.

    Usage::

        rules = SectionRules([SectionRule("Plan", "plan")])
        list(rules.find_headers("Plan: rest"))
    """

    def __init__(self, rules: list[SectionRule]) -> None:
        self.rules = list(rules)
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
    def from_json(cls, path: Path) -> "SectionRules":
        """Load rules from a medSpaCy-format JSON file (``{"section_rules": [...]}``).

        path (Path): The JSON file.
        RETURNS (SectionRules): The compiled rules (none when the file is missing).
        """
        path = Path(path)
        if not path.exists():
            logger.warning("No section rules at %s: every mention has section None", path)
            return cls([])
        data = json.loads(path.read_text(encoding="utf-8"))
        rules = []
        for item in data.get("section_rules", []):
            pattern = item.get("pattern")
            if pattern is not None and not isinstance(pattern, str):
                logger.warning("Section rule %r: token patterns are not supported, skipped", item.get("literal"))
                continue
            rules.append(
                SectionRule(
                    literal=str(item["literal"]),
                    category=str(item["category"]),
                    pattern=pattern,
                    metadata=dict(item.get("metadata") or {}),
                )
            )
        return cls(rules)

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
        for position, line_start in positions:
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
                    yield SectionHeader(category=category, start=position, end=end)
                    continue
            for pattern, category in self._patterns:
                match = pattern.match(text, position)
                if match is not None:
                    yield SectionHeader(category=category, start=position, end=match.end())
                    break
