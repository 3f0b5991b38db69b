"""Term normalisation shared by the target matcher and the ICD-10-CM term builder.

A phrase and the note's tokens are compared as *normalised words*: lower-cased,
crudely singularised ("allergies" -> "allergy", "stones" -> "stone"). The
builder also rewrites ICD-10-CM descriptions into the phrases notes use: it
drops "unspecified"-style qualifiers, expands nonessential parenthetical
modifiers and adds clinical word-order variants.

Usage::

    from chartaudit.extract.targets.normalize import normalize_word, PhraseVariants
    normalize_word("Allergies")  # "allergy"
    variants = PhraseVariants(drop_patterns=[r",\\s*unspecified\\b"])
    variants.expand("Essential (primary) hypertension")
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product

#: Endings kept as they are by the crude singulariser ("sinus", "psoriasis", "glass").
_KEEP_ENDINGS = ("ss", "us", "is", "'s", "ys", "os")

_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
_SPACES = re.compile(r"\s+")


def normalize_word(word: str) -> str:
    """Lower-case and crudely singularise one token.

    word (str): A token's text.
    RETURNS (str): The normalised word.

    Usage::

        normalize_word("Stones")  # "stone"
    """
    lower = word.lower()
    if len(lower) <= 3 or not lower.endswith("s") or not lower[-2].isalpha():
        return lower
    if lower.endswith("ies") and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith("oses") and len(lower) > 6:
        return lower[:-4] + "osis"  # keratoses, stenoses, diagnoses
    if lower.endswith(_KEEP_ENDINGS):
        return lower
    return lower[:-1]


def phrase_key(words: Iterable[str]) -> str:
    """Join normalised words into the key the term tables use.

    words (Iterable[str]): Token texts of a phrase.
    RETURNS (str): The space-joined normalised words.

    Usage::

        phrase_key(["Kidney", "stones"])  # "kidney stone"
    """
    return " ".join(normalize_word(word) for word in words if word.strip())


def clean_spaces(text: str) -> str:
    """Collapse runs of white space and trim stray commas and spaces at the ends."""
    text = _SPACES.sub(" ", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r",\s*,", ",", text)
    return text.strip(" ,;")


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

    def __post_init__(self) -> None:
        self._drops = [re.compile(pattern, re.IGNORECASE) for pattern in self.drop_patterns]
        self._optional = {word.lower() for word in self.optional_words}

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

        Usage::

            PhraseVariants().expand("Pain in shoulder")
        """
        stripped = self.strip_qualifiers(text)
        results: list[str] = []
        for base in self.expand_parentheticals(stripped):
            for phrase in [base, *self.drop_optional(base)]:
                results.append(phrase)
                results.extend(self.reorder(phrase))
        return list(dict.fromkeys(clean_spaces(result).lower() for result in results if result))
