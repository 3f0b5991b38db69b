"""How a mention's candidate code relates to a billed code.

A mention is evidence for a billed code when their codes are the same, one is an
ancestor of the other, or one of them is an *unspecified* form and the other sits
under the same specified ancestor and names the same condition ("afib" → I48.91
supports a billed I48.0 paroxysmal atrial fibrillation). Codes that differ only by
side are never related here: that is a laterality question.

Descriptions and mentions are compared by their *significant words*: the words
that name the condition (not the model's ``generic_words`` of ``lexical.json``,
nor the classification's side words), singularised.

Usage::

    relation = CodeRelations(Icd10cm.load())
    relation.related("M25.511", "M25.51")  # True: "shoulder pain" supports right shoulder pain
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from chartaudit.resources.words import WordRules
from chartaudit.types import SIDES

if TYPE_CHECKING:
    from chartaudit.knowledge import Icd10cm

_WORD = re.compile(r"[a-z]+")
_PAIN = re.compile(r"\bpain\b", re.IGNORECASE)
#: Two words joined by "and" in a description ("kidney and ureter", "skin and subcutaneous").
_AND_PAIR = re.compile(r"([a-z]+) and ([a-z]+)")
#: A title that is the condition's residual code: "Hemorrhage, not elsewhere classified" (R58).
_NEC_TITLE = re.compile(r",\s*not elsewhere classified$", re.IGNORECASE)
#: A "without ..." clause of a description, up to the next comma, semicolon or bracket: the
#: condition it names is absent, so its words do not say which condition the code names
#: ("Chills (without fever)" names chills, not fever).
_WITHOUT_CLAUSE = re.compile(r"\bwithout\b[^,;()\[\]]*", re.IGNORECASE)


#: Words sharing this many first letters name the same thing ("depressive" / "depression").
STEM_LENGTH = 6


def _shared_count(words: frozenset[str], others: frozenset[str]) -> int:
    """How many of ``words`` have a counterpart in ``others`` (equal, or the same stem)."""
    stems = {word[:STEM_LENGTH] for word in others if len(word) >= STEM_LENGTH}
    return sum(1 for word in words
               if word in others or (len(word) >= STEM_LENGTH and word[:STEM_LENGTH] in stems))


class CodeRelations:
    """Answers "is this mention's code evidence for that billed code?".

    knowledge (Icd10cm): The classification and the model's coding tables.
    words (WordRules | None): The model's word data (``lexical.json``); the one
        ``knowledge`` was loaded with when None.
    """

    def __init__(self, knowledge: "Icd10cm", words: WordRules | None = None) -> None:
        self.knowledge = knowledge
        self.words = words if words is not None else knowledge.words
        #: Words that say nothing about which condition a description names.
        self.generic_words = self.words.generic_words | frozenset(SIDES)
        self._significant = lru_cache(maxsize=65536)(self._compute_significant)
        self._scope = lru_cache(maxsize=65536)(self._compute_scope)
        self._words = lru_cache(maxsize=65536)(self._compute_words)
        self._chronic = lru_cache(maxsize=65536)(self._compute_chronic)
        self._and_pairs = lru_cache(maxsize=65536)(self._compute_and_pairs)
        # Pure functions of the (immutable) tables, asked again for every note: memoised.
        self._related = lru_cache(maxsize=262144)(self._compute_related)
        self._other_side = lru_cache(maxsize=262144)(self._compute_other_side)
        self._same_block = lru_cache(maxsize=65536)(self._compute_same_block)
        self._kind = lru_cache(maxsize=65536)(knowledge.evidence_kind)
        self._history_codes = lru_cache(maxsize=65536)(knowledge.history_codes)
        self._screening_code = lru_cache(maxsize=65536)(knowledge.screening_code)

    def _compute_scope(self, code: str) -> str:
        """The nearest ancestor-or-self of an unspecified code that is not unspecified."""
        scope = code
        while self.knowledge.is_unspecified(scope):
            parent = self.knowledge.parent(scope)
            if parent is None:
                break
            scope = parent
        return scope

    def significant_words(self, text: str) -> frozenset[str]:
        """The words of a description or a mention that name the condition, singularised.

        text (str): "Calculus of kidney", "bilateral kidney stones".
        RETURNS (frozenset[str]): {"calculus", "kidney"}, {"kidney", "stone"}.
        """
        return self._significant(text)

    def _compute_significant(self, text: str) -> frozenset[str]:
        words = set()
        generic = self.generic_words
        lemma = self.words.lemma
        condition_word = self.words.condition_word
        for word in _WORD.findall(text.lower()):
            if len(word) < 3:
                continue
            word = condition_word(lemma(word))
            if word not in generic:
                words.add(word)
        return frozenset(words)

    def _compute_words(self, code: str) -> frozenset[str]:
        return self.significant_words(self.knowledge.description(code))

    def naming_text(self, code: str) -> str:
        """A code's description without its "without ..." clauses: what the code names, not
        what it says is absent ("Chills (without fever)" -> "Chills ( )").

        Usage::

            relations.naming_text("R68.83")  # 'Chills ( )'
        """
        return _WITHOUT_CLAUSE.sub(" ", self.knowledge.description(code))

    def _naming_words(self, code: str, named_only: bool = False) -> frozenset[str]:
        """The significant words of a description, "pain" included; with ``named_only``, not
        the words of its "without ..." clauses (:meth:`naming_text`)."""
        text = self.naming_text(code) if named_only else self.knowledge.description(code)
        words = self.significant_words(text) if named_only else self._words(code)
        if _PAIN.search(text):
            return words | {"pain"}
        return words

    def is_other_side(self, billed: str, candidate: str) -> str | None:
        """The side sibling of ``billed`` that ``candidate`` documents, if it is another side."""
        return self._other_side(billed, candidate)

    def _compute_other_side(self, billed: str, candidate: str) -> str | None:
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
        try:
            return self._related(billed, candidate, mention_words)
        except TypeError:  # unhashable words (a set): not memoised
            return self._compute_related(billed, candidate, frozenset(mention_words))

    def _compute_related(self, billed: str, candidate: str, mention_words: frozenset[str]) -> bool:
        knowledge = self.knowledge
        if knowledge.related(billed, candidate):
            return True
        if candidate in knowledge.combinations().bases_of(billed):
            # The base condition of a combination code ("hypertension" for I11.0 hypertensive
            # heart disease with heart failure, I.C.9.a): what the combination adds, its
            # partner, is then asked of the note by the specificity check.
            return True
        if self.is_other_side(billed, candidate) is not None:
            return False
        if self.names_unspecified(billed, candidate, mention_words):
            return True
        if self.names_condition(billed, candidate, mention_words):
            return True
        billed_scope = self._scope(billed)
        candidate_scope = self._scope(candidate)
        if billed_scope == billed and candidate_scope == candidate:
            # Two specified codes of one category that name the same condition
            # ("localized" vs "generalized enlarged lymph nodes", R59.0 / R59.1).
            return billed[:3] == candidate[:3] and self._same_condition(billed, candidate, mention_words)
        if not (
            knowledge.related(billed_scope, candidate)
            or knowledge.related(billed, candidate_scope)
        ):
            return False
        # Siblings under a shared specified ancestor must also name the same condition:
        # R07.9 chest pain and R07.0 throat pain share R07 but not a condition.
        return _shared_count(self._words(billed), self._words(candidate) | mention_words) > 0

    def names_unspecified(self, billed: str, candidate: str, mention_words: frozenset[str] = frozenset()) -> bool:
        """True when ``billed`` leaves its condition open (:meth:`is_residual`) and the mention names
        that condition in full.

        "Edema, unspecified" (R60.9) is documented by "pulmonary edema" (J81.1) although
        the classification puts them in different chapters: every word naming the
        billed condition is in the mention or in its code's description. In the same way
        "Pain, unspecified" (R52) is documented by any pain ("low back pain", "eye pain"), and
        "Hemorrhage, not elsewhere classified" (R58) by any hemorrhage ("subarachnoid
        hemorrhage"): the condition is in the note, and that a more specific code exists is the
        unspecified-code and Excludes1 checks' question, not a missing document. Of two words
        joined by "and" either will do: "Disorder of kidney and ureter, unspecified" (N28.9) is
        named by "renal failure".

        Usage::

            relations.names_unspecified("R60.9", "J81.1", frozenset({"pulmonary", "edema"}))  # True
        """
        if not self.is_residual(billed):
            return False
        # "pain" counts here: "Unspecified abdominal pain" is not named by "abdominal hernia".
        billed_words = self._naming_words(billed)
        # The candidate names only what it is: R68.83 "Chills (without fever)" does not name fever.
        candidate_words = self._naming_words(candidate, named_only=True) | mention_words
        if "pain" in billed_words and "pain" not in candidate_words:
            return False
        if billed_words == {"pain"}:
            return True  # "Pain, unspecified" (R52)
        billed_words = billed_words - {"pain"}
        if not billed_words:
            return False
        missing = billed_words - candidate_words
        # "Disorder of kidney and ureter": a condition of either names the billed one.
        return all(any(other in candidate_words for other in self._partners(billed).get(word, ()))
                   for word in missing)

    def _partners(self, code: str) -> dict[str, frozenset[str]]:
        """The significant words of a description joined by "and" to another ("kidney and ureter":
        kidney -> {ureter}, ureter -> {kidney}): either names the condition's site or kind."""
        return self._and_pairs(code)

    def _compute_and_pairs(self, code: str) -> dict[str, frozenset[str]]:
        pairs: dict[str, set[str]] = {}
        for first, second in _AND_PAIR.findall(self.naming_text(code).lower()):
            first_words, second_words = self.significant_words(first), self.significant_words(second)
            if len(first_words) == 1 and len(second_words) == 1:
                (one,), (other,) = first_words, second_words
                pairs.setdefault(one, set()).add(other)
                pairs.setdefault(other, set()).add(one)
        return {word: frozenset(others) for word, others in pairs.items()}

    def is_residual(self, code: str) -> bool:
        """True for a code that leaves its condition open: an unspecified title, or one "not
        elsewhere classified" ("Hemorrhage, not elsewhere classified", R58, is hemorrhage NOS)."""
        return self.knowledge.is_unspecified(code) or bool(_NEC_TITLE.search(self.knowledge.description(code)))

    def names_condition(self, billed: str, candidate: str, mention_words: frozenset[str] = frozenset()) -> bool:
        """True when the mention names the billed code's condition and nothing else, through an
        unspecified code of the same block: "pneumonia" (J18.9, unspecified organism) is the
        condition of J15.1 "Pneumonia due to Pseudomonas", and "major depressive disorder"
        (F32.9) that of F33.1. Whether the note documents the rest of the billed title (the
        organism, the episode) is the specificity check's question, not the relation's.

        Usage::

            relations.names_condition("J15.1", "J18.9", frozenset({"pneumonia"}))  # True
        """
        if not mention_words or not self.knowledge.is_unspecified(candidate):
            return False
        if not self.same_block(billed, candidate):
            return False
        billed_words = self._naming_words(billed)
        if "pain" in self._naming_words(candidate) and "pain" not in billed_words:
            return False  # "abdominal pain" (R10.9) does not name an abdominal swelling (R19.00)
        if _shared_count(mention_words, billed_words) == len(mention_words):
            return True
        # An abbreviation ("MDD" -> F32.9) names the condition by its code's title: its head,
        # before the first comma ("Major depressive disorder, single episode, unspecified").
        head = self.significant_words(self.knowledge.description(candidate).split(",")[0])
        return bool(head) and _shared_count(head, billed_words) == len(head)

    def _same_condition(self, billed: str, candidate: str, mention_words: frozenset[str]) -> bool:
        """True when the candidate (or the mention) shares the words that name the billed condition.

        A residual "other ..." code is never the same condition as a named sibling
        (F41.8 other specified anxiety disorders is not F41.1 generalized anxiety disorder).
        """
        description = self.knowledge.description
        if description(billed).lower().startswith("other ") or description(candidate).lower().startswith("other "):
            return False
        billed_words = self._words(billed)
        shared = _shared_count(billed_words, self._words(candidate) | mention_words)
        return shared >= max(1, (len(billed_words) + 1) // 2)

    def chronic(self, code: str) -> bool:
        """True for a chronic condition that is coded as current when the note gives it as history.

        ``history_codes.json`` gives such a condition a family-history code but no
        personal-history code ("history of hypertension" or diabetes in the past
        medical history documents a condition the patient still has); an acute or
        resolved condition (MI, cancer, fracture) has a personal-history Z code, and
        a symptom has neither.

        Usage::

            relations.chronic("I10")    # True
            relations.chronic("I21.9")  # False: history of MI is I25.2
        """
        return self._chronic(code)

    def _compute_chronic(self, code: str) -> bool:
        personal, family = self.knowledge.history_codes(code)
        return personal is None and family is not None

    def evidence_kind(self, code: str) -> str:
        """Which kind of evidence documents a code (:mod:`chartaudit.knowledge.kinds`): "condition",
        "personal_history", "family_history", "screening", "status", "drug", "bmi", "encounter" or
        "external_cause"."""
        return self._kind(code)

    def names_directly(self, billed: str, candidate: str) -> bool:
        """True when a mention's code is the billed code or its ancestor or descendant: how a drug, a
        status, a visit reason, a screening test, a mechanism or a BMI value documents a code of its
        kind. Siblings never do (Z79.02 clopidogrel is not Z79.01, Z68.31 is not Z68.35)."""
        return self.knowledge.related(billed, candidate)

    def maps_to(self, billed: str, kind: str, candidate: str) -> bool:
        """True when a condition's code leads to the billed history or screening code through the model's
        tables: ``history_codes.json`` for "personal_history" (I21.9 -> I25.2) and "family_history"
        (I25.10 -> Z82.49), ``screening_codes.json`` for "screening" (C18.9 -> Z12.11).

        Usage::

            relations.maps_to("I25.2", "personal_history", "I21.9")  # True
        """
        if kind == "screening":
            target = self._screening_code(candidate)
        elif kind in ("personal_history", "family_history"):
            personal, family = self._history_codes(candidate)
            target = personal if kind == "personal_history" else family
        else:
            return False
        return target is not None and self.knowledge.related(billed, target)

    def same_block(self, first: str, second: str) -> bool:
        """True when two codes sit in the same narrowest block (I21.4 and I24.9: I20-I25)."""
        return self._same_block(first, second)

    def _compute_same_block(self, first: str, second: str) -> bool:
        first_sections = self.knowledge.sections(first)
        second_sections = self.knowledge.sections(second)
        return bool(first_sections and second_sections and first_sections[0] == second_sections[0])

    def more_specific(self, billed: str, candidate: str, mention_words: frozenset[str] = frozenset()) -> bool:
        """True when ``candidate`` names the billed (unspecified) condition more specifically."""
        if candidate == billed or not self.is_residual(billed):
            return False
        if self.knowledge.description(candidate).lower().startswith("other "):
            return False  # a residual "other" code is not more specific (Guideline I.A.9.a)
        if self._naming_words(billed) in ({"pain"}, {"hemorrhage"}):
            # "Pain, unspecified" (R52) or "Hemorrhage, not elsewhere classified" (R58) while a pain
            # or a hemorrhage of a site is documented: the site's code says more, even an unspecified
            # one (their Excludes1: localized pain, hemorrhage of a site: code to the site).
            return candidate[:3] != billed[:3] and self._naming_words(billed) <= self._naming_words(
                candidate, named_only=True)
        if not self.knowledge.is_unspecified(billed):
            return False
        if self.knowledge.is_unspecified(candidate):
            return False
        if self.knowledge.is_ancestor(candidate, billed):
            return False
        if candidate in self.knowledge.combinations().bases_of(billed):
            return False  # hypertension (I10) says less than I12.9, not more
        return self.related(billed, candidate, mention_words)
