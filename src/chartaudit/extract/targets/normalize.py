"""Rewriting phrases for the target terms: ICD-10-CM descriptions into the phrases notes use.

The term builder drops "unspecified"-style qualifiers, expands nonessential
parenthetical modifiers, adds clinical word-order variants and synonyms
(:class:`PhraseVariants`); the target matcher reads a note's adjectives as the
nouns they derive from (:class:`WordForms`). Words are compared by their lemmas,
which the one word normaliser gives (:class:`chartaudit.resources.words.WordRules`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product

from chartaudit.knowledge.alphabetic_index import clean_spaces

_PARENTHETICAL = re.compile(r"\(([^()]*)\)")


_POSSESSIVE = re.compile(r"(?<=[a-z])'s\b", re.IGNORECASE)


def without_possessive(text: str) -> str | None:
    """An eponym without its possessive, as notes often write it: "Parkinson's disease" ->
    "Parkinson disease" (None when the text has no possessive)."""
    if "'s" not in text.lower():
        return None
    return clean_spaces(_POSSESSIVE.sub("", text))


@dataclass
class WordForms:
    """Derived forms of words: the noun a note's adjective stands for.

    "erythematous" -> "erythema", "hypertensive" -> "hypertension", "cirrhotic" ->
    "cirrhosis", "painful" -> "pain". Suffix rules give candidates; the target
    matcher keeps a candidate only when it is a one-word term, so a rule that
    produces a non-word costs nothing. Irregular forms ("pale" -> "pallor",
    "febrile" -> "fever") are listed.

    suffix_rules (list[tuple[str, str]]): (ending, replacement), tried in order.
    words (dict[str, str]): Irregular forms: word -> noun.
    min_length (int): Words shorter than this get no suffix rule.
    not_before (frozenset[str]): Words after which a form names no condition
        ("hypotensive medication" is a drug class, not hypotension).

    Usage::

        forms = WordForms.from_config({"suffix_rules": [["otic", "osis"]], "words": {"pale": "pallor"}}, rules.lemma)
        forms.candidates("cirrhotic")  # ["cirrhosis"]
    """

    suffix_rules: list[tuple[str, str]] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)
    min_length: int = 6
    not_before: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: dict, lemma: Callable[[str], str]) -> "WordForms":
        """Read ``components.targets.word_forms`` (``suffix_rules``, ``words``, ``min_length``, ``not_before``).

        lemma (Callable[[str], str]): The model's word normaliser (``not_before`` holds lemmas, and so
            do the nouns of ``words``, which are looked up among the terms' lemmas: "diabetic" ->
            "diabetes", whose lemma is "diabete").
        """
        return cls(
            suffix_rules=[(str(ending).lower(), str(replacement).lower())
                          for ending, replacement in config.get("suffix_rules", [])],
            words={str(word).lower(): lemma(str(noun).lower()) for word, noun in config.get("words", {}).items()},
            min_length=int(config.get("min_length", 6)),
            not_before=frozenset(lemma(str(word)) for word in config.get("not_before", [])),
        )

    def __bool__(self) -> bool:
        return bool(self.suffix_rules or self.words)

    def may_apply(self, word: str) -> bool:
        """A cheap test: could this word have a derived form?"""
        return word in self.words or (len(word) >= self.min_length and word.isalpha())

    def candidates(self, word: str) -> list[str]:
        """The nouns a word may stand for, the irregular form first.

        word (str): A normalised (lower-case) word.
        RETURNS (list[str]): Candidate words, not yet checked against the terms.
        """
        found: list[str] = []
        irregular = self.words.get(word)
        if irregular:
            found.append(irregular)
        if len(word) >= self.min_length:
            for ending, replacement in self.suffix_rules:
                if word.endswith(ending):
                    stem = word[: len(word) - len(ending)]
                    if len(stem) >= 3:
                        found.append(stem + replacement)
        return [candidate for candidate in dict.fromkeys(found) if candidate != word]


@dataclass
class PhraseVariants:
    """Rewrite an ICD-10-CM description into the phrases a note would use.

    drop_patterns (list[str]): Regular expressions removed from a description
        (", unspecified", "NOS", "without complications").
    optional_words (list[str]): Words that may be left out ("unilateral").
    prepositions (list[str]): "X of Y" / "X in Y" are also written "Y X".
    max_head_tokens (int): Longest X for the "Y X" reordering.
    max_tail_tokens (int): Longest Y for the "Y X" reordering.

    Usage::

        variants = PhraseVariants(drop_patterns=[r",\\s*unspecified\\b"])
        variants.expand("Pain in shoulder")  # ["pain in shoulder", "shoulder pain"]
    """

    drop_patterns: list[str] = field(default_factory=list)
    optional_words: list[str] = field(default_factory=list)
    prepositions: list[str] = field(default_factory=lambda: ["of", "in"])
    max_head_tokens: int = 2
    max_tail_tokens: int = 3
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    max_synonym_variants: int = 8
    split_conjunctions: bool = False

    def __post_init__(self) -> None:
        self._drops = [re.compile(pattern, re.IGNORECASE) for pattern in self.drop_patterns]
        self._optional = {word.lower() for word in self.optional_words}
        # Longest phrase first, so "secondary malignant neoplasm" wins over "malignant neoplasm".
        self._synonyms = [
            (re.compile(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])"), [alt.lower() for alt in alternatives])
            for phrase, alternatives in sorted(self.synonyms.items(), key=lambda item: -len(item[0]))
        ]

    def strip_qualifiers(self, text: str) -> str:
        """Remove the "unspecified"-style qualifiers of a description.

        text (str): An ICD-10-CM description or inclusion term.
        RETURNS (str): The text without the dropped qualifiers.
        """
        for pattern in self._drops:
            text = pattern.sub(" ", text)
        return clean_spaces(text)

    def expand_parentheticals(self, text: str) -> list[str]:
        """Expand nonessential modifiers: "Essential (primary) hypertension".

        Each parenthetical is left out or kept. Trailing modifiers
        ("hypertension (arterial) (benign)") are moved before the phrase.
        Parentheticals in capitals ("(NSTEMI)") are abbreviations and only dropped.

        text (str): A description possibly holding parentheticals.
        RETURNS (list[str]): The base phrase first, then the variants.
        """
        groups = list(_PARENTHETICAL.finditer(text))
        if not groups:
            return [text]
        base = clean_spaces(_PARENTHETICAL.sub(" ", text))
        results = [base]
        modifiers = [
            clean_spaces(group.group(1))
            for group in groups
            if group.group(1).strip() and not group.group(1).strip().isupper()
        ]
        trailing = not clean_spaces(text[groups[-1].end():])
        if trailing:
            before = clean_spaces(text[: groups[0].start()])
            if len(before.split()) <= 3:
                for modifier in modifiers:
                    if "," not in modifier and len(modifier.split()) <= 2:
                        results.append(f"{modifier} {before}")
            return results
        # Modifiers inside the phrase: keep or drop each (every combination up to
        # three modifiers, otherwise one modifier at a time).
        prefix_pieces: list[str] = []
        optional: list[str] = []
        cursor = 0
        for group in groups:
            prefix_pieces.append(text[cursor: group.start()])
            content = group.group(1).strip()
            optional.append(content if content and not content.isupper() and "," not in content else "")
            cursor = group.end()
        suffix = text[cursor:]
        if len(groups) <= 3:
            choices = list(product(*[(False, True)] * len(groups)))
        else:
            choices = [tuple(index == chosen for index in range(len(groups))) for chosen in range(len(groups))]
        for choice in choices:
            parts: list[str] = []
            for piece, content, keep in zip(prefix_pieces, optional, choice):
                parts.append(piece)
                if keep and content:
                    parts.append(content)
            parts.append(suffix)
            results.append(clean_spaces(" ".join(parts)))
        return list(dict.fromkeys(results))

    def reorder(self, text: str) -> list[str]:
        """Clinical word-order variants of one phrase.

        "Pain in shoulder" -> "shoulder pain"; "Diabetes mellitus, type 2" ->
        "type 2 diabetes mellitus"; "Osteoarthritis, knee" -> "knee osteoarthritis".

        text (str): A phrase without parentheticals.
        RETURNS (list[str]): The variants (without the phrase itself).
        """
        variants: list[str] = []
        if text.count(",") > 1:
            # "Major depressive disorder, recurrent, moderate": notes keep the order and
            # the commas, which the matcher passes over.
            variants.append(clean_spaces(text.replace(",", " ")))
        if text.count(",") == 1:
            head, tail = (part.strip() for part in text.split(","))
            if head and tail and len(tail.split()) <= 3:
                variants.append(f"{tail} {head}")
            text = f"{head} {tail}".strip()
            variants.append(text)
        words = text.split()
        for preposition in self.prepositions:
            if words.count(preposition) != 1 or "," in text:
                continue
            index = words.index(preposition)
            head, tail = words[:index], words[index + 1:]
            if 0 < len(head) <= self.max_head_tokens and 0 < len(tail) <= self.max_tail_tokens:
                variants.append(" ".join(tail + head))
        return variants

    def substitute(self, text: str) -> list[str]:
        """Variants with clinical synonyms of the classification's words.

        "malignant neoplasm of prostate" -> "cancer of prostate"; "gastrointestinal
        hemorrhage" -> "gastrointestinal bleeding"; "disorder of kidney" -> "disorder
        of renal" (whose reordering is "renal disorder"). A phrase matched by a longer
        synonym key is not rewritten again by a shorter key inside it.

        text (str): A lower-cased phrase.
        RETURNS (list[str]): At most ``max_synonym_variants`` variants (without the phrase).
        """
        if not self._synonyms:
            return []
        found: list[str] = [text]
        claimed: list[tuple[int, int]] = []
        for pattern, alternatives in self._synonyms:
            matches = [m for m in pattern.finditer(text)
                       if not any(start <= m.start() < end for start, end in claimed)]
            if not matches:
                continue
            claimed.extend((m.start(), m.end()) for m in matches)
            new: list[str] = []
            for phrase in found:
                for alternative in alternatives:
                    new.append(pattern.sub(alternative, phrase))
            found.extend(new)
            if len(found) > self.max_synonym_variants:
                break
        return list(dict.fromkeys(found[1: self.max_synonym_variants + 1]))

    @staticmethod
    def hyphen_variants(text: str) -> list[str]:
        """"tubulo-interstitial" is also written "tubulointerstitial" and "tubulo interstitial"."""
        if not re.search(r"[a-z]-[a-z]", text):
            return []
        return [re.sub(r"(?<=[a-z])-(?=[a-z])", "", text), re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)]

    def conjunction_parts(self, text: str) -> list[str]:
        """"Disorder of kidney and ureter" -> "disorder of kidney", "disorder of ureter".

        Only a phrase with one "of" followed by one "and" or "or" and no comma, or
        two words joined by "and" / "or" ("neuralgia and neuritis").
        """
        if not self.split_conjunctions or "," in text:
            return []
        words = text.split()
        if len(words) == 3 and words[1] in ("and", "or"):
            return [words[0], words[2]]  # "neuralgia and neuritis"
        if words.count("of") != 1:
            return []
        index = words.index("of")
        tail = words[index + 1:]
        joints = [i for i, word in enumerate(tail) if word in ("and", "or")]
        if len(joints) != 1 or index == 0:
            return []
        first, second = tail[: joints[0]], tail[joints[0] + 1:]
        if not first or not second:
            return []
        head = words[: index + 1]
        return [" ".join(head + first), " ".join(head + second)]

    def drop_optional(self, text: str) -> list[str]:
        """The phrase without its optional words ("unilateral"), when it has any."""
        words = text.split()
        kept = [word for word in words if word.lower() not in self._optional]
        if kept and len(kept) < len(words):
            return [" ".join(kept)]
        return []

    def expand(self, text: str) -> list[str]:
        """Every phrase variant of a description, the plainest first.

        text (str): An ICD-10-CM description or inclusion term.
        RETURNS (list[str]): Distinct variants, lower-cased.
        """
        stripped = self.strip_qualifiers(text)
        results: list[str] = []
        for base in self.expand_parentheticals(stripped):
            for phrase in [base, *self.drop_optional(base)]:
                results.append(phrase)
                results.extend(self.reorder(phrase))
        results = [clean_spaces(result).lower() for result in results if result]
        extra: list[str] = []
        for phrase in list(dict.fromkeys(results)):
            for part in [phrase, *self.conjunction_parts(phrase)]:
                for variant in [part, *self.substitute(part)]:
                    for spelled in [variant, *self.hyphen_variants(variant)]:
                        extra.append(spelled)
                        extra.extend(self.reorder(spelled))
        return list(dict.fromkeys(clean_spaces(result).lower() for result in results + extra if result))
