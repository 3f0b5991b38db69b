"""How a mention's candidate code relates to a billed code.

A mention is evidence for a billed code when their codes are the same, one is an
ancestor of the other, or one of them is an *unspecified* form and the other sits
under the same specified ancestor and names the same condition ("afib" → I48.91
supports a billed I48.0 paroxysmal atrial fibrillation). Codes that differ only by
side are never related here: that is a laterality question.

Usage::

    relation = CodeRelations(Icd10cm.load())
    relation.related("M25.511", "M25.51")  # True: "shoulder pain" supports right shoulder pain
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chartaudit.knowledge import Icd10cm

#: Words that say nothing about which condition a description names.
_GENERIC_WORDS = frozenset(
    """
    unspecified other specified and or of in the with without due to by for on at as
    not elsewhere classified nec nos site type organism part region disease disorder
    disorders condition conditions acute chronic primary secondary right left bilateral
    side unilateral encounter initial subsequent sequela pain
    """.split()
)
_WORD = re.compile(r"[a-z]+")


def significant_words(description: str) -> frozenset[str]:
    """The words of a description that name the condition, crudely singularised."""
    words = set()
    for word in _WORD.findall(description.lower()):
        if word in _GENERIC_WORDS or len(word) < 3:
            continue
        if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
            word = word[:-1]
        words.add(word)
    return frozenset(words)


class CodeRelations:
    """Answers "is this mention's code evidence for that billed code?"."""

    def __init__(self, knowledge: "Icd10cm") -> None:
        self.knowledge = knowledge
        self._scope = lru_cache(maxsize=65536)(self._compute_scope)
        self._words = lru_cache(maxsize=65536)(self._compute_words)

    def _compute_scope(self, code: str) -> str:
        """The nearest ancestor-or-self of an unspecified code that is not unspecified."""
        scope = code
        while self.knowledge.is_unspecified(scope):
            parent = self.knowledge.parent(scope)
            if parent is None:
                break
            scope = parent
        return scope

    def _compute_words(self, code: str) -> frozenset[str]:
        return significant_words(self.knowledge.description(code))

    def is_other_side(self, billed: str, candidate: str) -> str | None:
        """The side sibling of ``billed`` that ``candidate`` documents, if it is another side."""
        billed_side = self.knowledge.laterality(billed)
        if billed_side in (None, "unspecified"):
            return None  # an unspecified side is a specificity question, not a mismatch
        for side, sibling in self.knowledge.laterality_siblings(billed).items():
            if side in (billed_side, "unspecified") or sibling == billed:
                continue
            if self.knowledge.related(sibling, candidate):
                return sibling
        return None

    def related(self, billed: str, candidate: str, mention_words: frozenset[str] = frozenset()) -> bool:
        """True when ``candidate`` (a mention's code) is evidence for ``billed``.

        ``mention_words`` are the significant words of the mention itself ("substernal
        chest pain"), which also count when matching sibling descriptions.
        """
        knowledge = self.knowledge
        if knowledge.related(billed, candidate):
            return True
        if self.is_other_side(billed, candidate) is not None:
            return False
        billed_scope = self._scope(billed)
        candidate_scope = self._scope(candidate)
        if billed_scope == billed and candidate_scope == candidate:
            return False
        if not (
            knowledge.related(billed_scope, candidate)
            or knowledge.related(billed, candidate_scope)
        ):
            return False
        # Siblings under a shared specified ancestor must also name the same condition:
        # R07.9 chest pain and R07.0 throat pain share R07 but not a condition.
        return bool(self._words(billed) & (self._words(candidate) | mention_words))

    def same_block(self, first: str, second: str) -> bool:
        """True when two codes sit in the same narrowest block (I21.4 and I24.9: I20-I25)."""
        first_sections = self.knowledge.sections(first)
        second_sections = self.knowledge.sections(second)
        return bool(first_sections and second_sections and first_sections[0] == second_sections[0])

    def more_specific(self, billed: str, candidate: str, mention_words: frozenset[str] = frozenset()) -> bool:
        """True when ``candidate`` names the billed (unspecified) condition more specifically."""
        if candidate == billed or not self.knowledge.is_unspecified(billed):
            return False
        if self.knowledge.is_unspecified(candidate):
            return False
        if self.knowledge.description(candidate).lower().startswith("other "):
            return False  # a residual "other" code is not more specific (Guideline I.A.9.a)
        if self.knowledge.is_ancestor(candidate, billed):
            return False
        return self.related(billed, candidate, mention_words)
