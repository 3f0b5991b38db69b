"""Laterality rules: side words, filler words, clause breaks and body sites (``anatomy.json``).

Usage::

    from chartaudit.extract.laterality.rules import LateralityRules
    rules = LateralityRules.from_json(model_dir)
    rules.side_of("Rt")  # "right"
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

ANATOMY_FILE = "anatomy.json"

_DEFAULT_SIDES = {"right": "right", "left": "left", "bilateral": "bilateral", "bilaterally": "bilateral", "both": "bilateral"}


@dataclass(frozen=True)
class LateralityRules:
    """Side words and body sites.

    sides (dict[str, str]): Lower-cased word -> "right" | "left" | "bilateral".
    case_sensitive_sides (dict[str, str]): Exact token -> side ("R", "L").
    filler_words (frozenset[str]): Passed over between a side word and its mention.
    clause_breaks (frozenset[str]): A side is never looked for past these.
    max_tokens_before (int): How far before a mention a side may stand.
    max_tokens_after (int): How far after a mention a side may stand.
    sites (dict[str, str]): Lower-cased site word(s) -> site name.
    """

    sides: dict[str, str] = field(default_factory=lambda: dict(_DEFAULT_SIDES))
    case_sensitive_sides: dict[str, str] = field(default_factory=dict)
    filler_words: frozenset[str] = frozenset()
    clause_breaks: frozenset[str] = frozenset()
    max_tokens_before: int = 3
    max_tokens_after: int = 6
    sites: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, model_dir: Path) -> "LateralityRules":
        """Load ``anatomy.json`` of a model directory (cached per path).

        model_dir (Path): The model directory.
        RETURNS (LateralityRules): The rules (defaults when the file is missing).
        """
        return _load(str(Path(model_dir) / ANATOMY_FILE))

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


@lru_cache(maxsize=8)
def _load(path: str) -> LateralityRules:
    file_path = Path(path)
    if not file_path.exists():
        logger.warning("No %s at %s: default side words, no sites", ANATOMY_FILE, file_path.parent)
        return LateralityRules()
    data = json.loads(file_path.read_text(encoding="utf-8"))
    return LateralityRules(
        sides={str(key).lower(): str(value) for key, value in data.get("sides", _DEFAULT_SIDES).items()},
        case_sensitive_sides={str(key): str(value) for key, value in data.get("case_sensitive_sides", {}).items()},
        filler_words=frozenset(str(word).lower() for word in data.get("side_filler_words", [])),
        clause_breaks=frozenset(str(word).lower() for word in data.get("clause_breaks", [])),
        max_tokens_before=int(data.get("max_tokens_before", 3)),
        max_tokens_after=int(data.get("max_tokens_after", 6)),
        sites={str(key).lower(): str(value) for key, value in data.get("sites", {}).items()},
    )
