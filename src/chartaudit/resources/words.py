"""The one word normaliser, and the word lists of ``lexical.json``.

Two words are the same term when their *lemmas* are equal: lower-cased, spelt the
American way ICD-10-CM spells ("anaemia" -> "anemia", "tumour" -> "tumor") and
crudely singularised ("allergies" -> "allergy", "stones" -> "stone", "metastases"
-> "metastasis", "calculi" -> "calculus"). The target matcher compares a note's
tokens with the term phrases by their lemmas, the term builder stores the phrases
by them, :class:`chartaudit.compare.CodeRelations` compares a mention's words with
a code's description by them, and :meth:`chartaudit.knowledge.Icd10cm.search`
looks the lemma of each query word up as the start of the classification's words.

The singularising rules are code; the words they would get wrong and the spellings
are data, in the model's ``lexical.json`` (:class:`WordRules` owns it), beside two
word lists the comparison of codes reads:

* ``generic_words``: words of a code's description that do not say which condition
  it names ("other", "disorder", "acute"); the classification's side words
  (:data:`chartaudit.types.SIDES`) never do either;
* ``chronic_words``: words by which a mention states that its condition lasts
  ("chronic", "long-standing"): such a condition is coded as current even when
  the note gives it as history. This is one of three judgements of "chronic",
  each with its own list (``models/README.md``, "Chronic conditions");
* ``condition_nouns``: adjectives of a description that name the condition a noun of
  the notes names ("infectious" -> "infection": "Unspecified infectious disease" is
  the condition of "respiratory infection"), read when codes are compared
  (:meth:`WordRules.condition_word`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from chartaudit.resources.files import FileCheck, ModelFile

#: Endings the crude singulariser keeps as they are ("sinus", "psoriasis", "glass").
_KEEP_ENDINGS = ("ss", "us", "is", "'s", "ys", "os")


class WordRules(ModelFile):
    """``lexical.json``: irregular plurals, British spellings, generic and chronic words; :meth:`lemma`.

    irregular_plurals (Mapping[str, str]): Plurals the crude rules get wrong ("calculi" -> "calculus").
    british_spellings (Sequence[tuple[str, str]]): (regular expression, replacement) pairs,
        applied in order to a lower-cased word ("^haem" -> "hem").
    generic_words (Iterable[str]): Words of a description that name no condition.
    chronic_words (Iterable[str]): Words by which a mention states that its condition lasts.
    condition_nouns (Mapping[str, str]): Adjective -> the noun of the condition it names.
    """

    FILE_NAME = "lexical.json"
    DESCRIPTION = "irregular plurals and British spellings of the word normaliser; generic and chronic words"
    KEYS: ClassVar[tuple[str, ...]] = ("irregular_plurals", "british_spellings", "generic_words", "chronic_words",
                                       "condition_nouns")
    MISSING = "words are compared without irregular plurals or spellings, and no word is generic or chronic"
    CACHED = True

    def __init__(
        self,
        irregular_plurals: Mapping[str, str] | None = None,
        british_spellings: Sequence[tuple[str, str]] = (),
        generic_words: Iterable[str] = (),
        chronic_words: Iterable[str] = (),
        condition_nouns: Mapping[str, str] | None = None,
    ) -> None:
        self.irregular_plurals = {str(plural).lower(): str(singular).lower()
                                  for plural, singular in (irregular_plurals or {}).items()}
        self.british_spellings = [(str(pattern), str(replacement)) for pattern, replacement in british_spellings]
        self.generic_words = frozenset(str(word).lower() for word in generic_words)
        self.chronic_words = frozenset(str(word).lower() for word in chronic_words)
        self.condition_nouns = {str(word).lower(): str(noun).lower() for word, noun in (condition_nouns or {}).items()}
        self._spellings = [(re.compile(pattern), replacement) for pattern, replacement in self.british_spellings]
        # One search tells whether any spelling applies (most words need none).
        self._any_spelling = (re.compile("|".join(f"(?:{pattern})" for pattern, _ in self.british_spellings))
                              if self.british_spellings else None)

    def lemma(self, word: str) -> str:
        """Lower-case, spell the American way and crudely singularise one word.

        word (str): A token's text ("Stones", "anaemia", "metastases").
        RETURNS (str): Its lemma ("stone", "anemia", "metastasis").
        """
        lower = word.lower()
        if len(lower) == 2 and lower[1] == "." and lower[0].isalpha():
            # A letter the tokenizer keeps with a full stop as an initial: "hepatitis C." at the
            # end of a sentence is hepatitis C; "E. coli" is read as "e coli" on both sides.
            return lower[0]
        if self._any_spelling is not None and self._any_spelling.search(lower):
            for pattern, replacement in self._spellings:
                lower = pattern.sub(replacement, lower)
        irregular = self.irregular_plurals.get(lower)
        if irregular is not None:
            return irregular
        if len(lower) <= 3 or not lower.endswith("s") or not lower[-2].isalpha():
            return lower
        if lower.endswith("tases") and len(lower) > 7:
            return lower[:-2] + "is"  # metastases, bronchiectases
        if lower.endswith("ies") and len(lower) > 4:
            return lower[:-3] + "y"
        if lower.endswith("oses") and len(lower) > 6:
            return lower[:-4] + "osis"  # keratoses, stenoses, diagnoses
        if lower.endswith(_KEEP_ENDINGS):
            return lower
        return lower[:-1]

    def condition_word(self, lemma: str) -> str:
        """The noun of the condition an adjective names ("infectious" -> "infection"), else the lemma.

        lemma (str): A word's lemma (:meth:`lemma`).
        """
        return self.condition_nouns.get(lemma, lemma)

    def phrase_key(self, words: Iterable[str]) -> str:
        """The lemmas of a phrase's words, space-joined: the key the term tables use.

        words (Iterable[str]): Token texts of a phrase (["Kidney", "stones"]).
        RETURNS (str): "kidney stone".
        """
        return " ".join(self.lemma(word) for word in words if word.strip())

    @classmethod
    def check(cls, check: FileCheck) -> dict | None:
        data = check.json_object(cls.KEYS)
        if data is None:
            return None
        plurals = data.get("irregular_plurals", {})
        if not isinstance(plurals, dict) or not all(isinstance(value, str) and value for value in plurals.values()):
            check.problem("\"irregular_plurals\" must be an object of plural -> singular", value="irregular_plurals")
        spellings = data.get("british_spellings", [])
        if not isinstance(spellings, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in spellings):
            check.problem("\"british_spellings\" must be a list of [regular expression, replacement] pairs",
                          value="british_spellings")
        else:
            for pattern, replacement in spellings:
                check.compile_regex(pattern, f"british_spellings {pattern!r}")
                if not isinstance(replacement, str):
                    check.problem(f"british_spellings {pattern!r}: the replacement must be a string", value=pattern)
        nouns = data.get("condition_nouns", {})
        if not isinstance(nouns, dict) or not all(isinstance(value, str) and value for value in nouns.values()):
            check.problem("\"condition_nouns\" must be an object of adjective -> noun", value="condition_nouns")
        for key in ("generic_words", "chronic_words"):
            words = data.get(key, [])
            if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
                check.problem(f"\"{key}\" must be a list of words", value=key)
        return data

    @classmethod
    def from_data(cls, data: dict) -> "WordRules":
        return cls(
            irregular_plurals=data.get("irregular_plurals", {}),
            british_spellings=[tuple(pair) for pair in data.get("british_spellings", [])],
            generic_words=data.get("generic_words", []),
            chronic_words=data.get("chronic_words", []),
            condition_nouns=data.get("condition_nouns", {}),
        )

    @classmethod
    def from_dir(cls, model_dir: Path | str) -> "WordRules":
        """Load the ``lexical.json`` of a model directory; a model without one (made before the
        file existed) gets the default model's."""
        return cls.from_file(cls.path_or_default(model_dir))
