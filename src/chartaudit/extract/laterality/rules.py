"""Laterality rules: side words, filler words, clause breaks and body sites (``anatomy.json``).

The words a note uses for a side ("rt", "b/l", "R") are data, here and nowhere
else; the sides they stand for are the classification's (:data:`chartaudit.types.SIDES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from chartaudit.resources.files import FileCheck, ModelFile
from chartaudit.types import SIDES

#: The sides a note's side word may stand for ("unspecified" is a code's side, never a note's).
NOTE_SIDES: tuple[str, ...] = tuple(side for side in SIDES if side != "unspecified")


@dataclass(frozen=True)
class LateralityRules(ModelFile):
    """``anatomy.json``: side words and body sites.

    sides (dict[str, str]): Lower-cased word -> "right" | "left" | "bilateral".
    case_sensitive_sides (dict[str, str]): Exact token -> side ("R", "L").
    filler_words (frozenset[str]): Passed over between a side word and its mention.
    clause_breaks (frozenset[str]): A side is never looked for past these.
    max_tokens_before (int): How far before a mention a side may stand.
    max_tokens_after (int): How far after a mention a side may stand.
    sites (dict[str, str]): Lower-cased site word(s) -> site name.
    """

    FILE_NAME = "anatomy.json"
    DESCRIPTION = "side words and body sites"
    MISSING = "no side words, no sites"
    CACHED = True
    KEYS: ClassVar[tuple[str, ...]] = ("sides", "case_sensitive_sides", "side_filler_words", "clause_breaks",
                                       "max_tokens_before", "max_tokens_after", "sites")

    sides: dict[str, str] = field(default_factory=dict)
    case_sensitive_sides: dict[str, str] = field(default_factory=dict)
    filler_words: frozenset[str] = frozenset()
    clause_breaks: frozenset[str] = frozenset()
    max_tokens_before: int = 3
    max_tokens_after: int = 6
    sites: dict[str, str] = field(default_factory=dict)

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.json_object(cls.KEYS)
        if data is None:
            return None
        for key in ("sides", "case_sensitive_sides"):
            table = data.get(key, {})
            if not isinstance(table, dict):
                check.problem(f"\"{key}\" must be an object of word -> {' | '.join(NOTE_SIDES)}", value=key)
                continue
            for word, side in table.items():
                if side not in NOTE_SIDES:
                    check.problem(f"{key} {word!r}: side {side!r} is not one of {', '.join(NOTE_SIDES)}", value=word)
        for key in ("side_filler_words", "clause_breaks"):
            words = data.get(key, [])
            if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
                check.problem(f"\"{key}\" must be a list of words", value=key)
        for key in ("max_tokens_before", "max_tokens_after"):
            value = data.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                check.problem(f"\"{key}\" must be a number of tokens", value=key)
        sites = data.get("sites", {})
        if not isinstance(sites, dict) or not all(isinstance(site, str) for site in sites.values()):
            check.problem("\"sites\" must be an object of word(s) -> body site", value="sites")
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "LateralityRules":
        return cls(
            sides={str(key).lower(): str(value) for key, value in data.get("sides", {}).items()},
            case_sensitive_sides={str(key): str(value) for key, value in data.get("case_sensitive_sides", {}).items()},
            filler_words=frozenset(str(word).lower() for word in data.get("side_filler_words", [])),
            clause_breaks=frozenset(str(word).lower() for word in data.get("clause_breaks", [])),
            max_tokens_before=int(data.get("max_tokens_before", 3)),
            max_tokens_after=int(data.get("max_tokens_after", 6)),
            sites={str(key).lower(): str(value) for key, value in data.get("sites", {}).items()},
        )

    @property
    def side_words_lower(self) -> set[str]:
        """Every side word, lower-cased (the target matcher passes over them)."""
        return set(self.sides) | {word.lower() for word in self.case_sensitive_sides}

    def side_of(self, token_text: str) -> str | None:
        """The side a token states, or None.

        token_text (str): A token's text.
        RETURNS (str | None): "right" | "left" | "bilateral" | None.
        """
        side = self.case_sensitive_sides.get(token_text)
        if side is not None:
            return side
        return self.sides.get(token_text.lower())

    def site_of(self, words: list[str]) -> str | None:
        """The first body site named by lower-cased words (two-word sites first).

        words (list[str]): Lower-cased token texts of a mention.
        RETURNS (str | None): The site name, or None.
        """
        for index, word in enumerate(words):
            if index + 1 < len(words):
                pair = self.sites.get(f"{word} {words[index + 1]}")
                if pair is not None:
                    return pair
            site = self.sites.get(word)
            if site is not None:
                return site
        return None
