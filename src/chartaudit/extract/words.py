"""Evidence by a code's words: the search a coder makes when verifying a billed code.

When a billed condition code has no related mention, a coder looks in the note for the
words of one of the code's names written apart: "lithiasis in the lower pole of the left
kidney" documents N20.0 (Index: "Lithiasis, kidney"), "adenocarcinoma of the breast and
ovary" C56 (ovary), "diffuse large cell testicular lymphoma" C83.3-. The target matcher
cannot find these: its phrases are contiguous.

:class:`WordSearch` does that search, for the billed codes it is given only. The phrases
that name a code are those of the target matcher (the tabular terms, the Alphabetic Index
terms and the lexicon, as lemmas: :meth:`chartaudit.resources.words.WordRules.lemma`) whose
code is the billed code, its ancestor or its descendant. A phrase is cut at its first
``cut_words`` word ("without", "except": what follows is absent), and its ``function_words``
("of", "the", "other", "unspecified") are dropped; the words left are all required. A
phrase takes part only when at least ``min_words`` of them name something, that is, are
neither ``weak_words`` ("disease", "acute", "lesion") nor side words nor shorter than three
letters nor numbers: a one-word title ("Pain, unspecified", "Hepatitis") is never found
this way, and neither is "secondary hemorrhage".

A *window* is found when one sentence holds every required word of a phrase, in any order,
with at most ``max_window_words`` words from the first to the last (punctuation counts, white
space does not). The search starts from the phrase's rarest word (fewest phrases of the
table hold it) and takes, for each other word, its occurrence nearest to it. The
extractor then assesses the window's words with ConText (:meth:`Extractor.find_words`).

The phrases come from ``models/icd10cm/code-phrases-2026.json.gz`` (the tabular and Index
phrases by category, built from the target terms by ``python -m chartaudit.extract.words_build``,
read on the first search, ~0.1 s) and the model's lexicon.

Usage::

    search = WordSearch(WordsConfig.from_dict(settings, lemma, side_words), load_code_phrases(path), lexicon)
    search.candidates("N20.0", note_words)          # the phrases whose words the note holds
    search.windows(words, sentence_starts, phrases)  # token indexes of each window found
"""

from __future__ import annotations

import bisect
import logging
import gzip
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chartaudit.extract._lists import positions_of
from chartaudit.extract.sentences.component import sentence_bounds
from chartaudit.extract.terms import BREAK_WORD, SPACE_WORD

logger = logging.getLogger(__name__)

#: Where a mention found by its words comes from (``Mention.source``).
SOURCE = "words"
#: The code phrases artifact in ``models/icd10cm/`` (``components.words.artifact`` may name another).
DEFAULT_ARTIFACT = "code-phrases-2026.json.gz"


@lru_cache(maxsize=4)
def load_code_phrases(path: str) -> dict[str, Any]:
    """Read the code phrases artifact (cached; the result is shared, never mutate it).

    path (str): Path of ``code-phrases-2026.json.gz`` (:mod:`chartaudit.extract.words_build`).
    RETURNS (dict[str, Any]): ``categories`` (category -> "code<TAB>phrase lemmas" lines),
        ``frequency`` (lemma -> how many phrases hold it) and ``meta``; empty when the file is missing.
    """
    file_path = Path(path)
    if not file_path.is_file():
        logger.warning("Code phrases file %s is missing: the word search reads the lexicon only", file_path)
        return {"categories": {}, "frequency": {}, "meta": {}}
    return json.loads(gzip.decompress(file_path.read_bytes()))


@dataclass(frozen=True)
class WordsConfig:
    """``components.words`` of ``meta.json`` (models/README.md says what each key does).

    function_words, weak_words and cut_words hold lemmas.
    """

    enabled: bool = True
    artifact: str = DEFAULT_ARTIFACT
    function_words: frozenset[str] = frozenset()
    weak_words: frozenset[str] = frozenset()
    cut_words: frozenset[str] = frozenset()
    min_words: int = 2
    max_window_words: int = 12
    max_windows: int = 4

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any], lemma: Callable[[str], str],
                  side_words: Iterable[str] = ()) -> "WordsConfig":
        """The configuration of a model; the side words never name a condition either.

        settings (Mapping[str, Any]): ``components.words`` of ``meta.json`` (empty: turned off).
        lemma (Callable[[str], str]): The model's word normaliser.
        side_words (Iterable[str]): The note's side words ("right", "bilateral", "b/l").
        """
        if not settings:
            return cls(enabled=False)

        def lemmas(key: str) -> frozenset[str]:
            return frozenset(lemma(str(word)) for word in settings.get(key, []))

        return cls(
            enabled=bool(settings.get("enabled", True)),
            artifact=str(settings.get("artifact", DEFAULT_ARTIFACT)),
            function_words=lemmas("function_words"),
            weak_words=lemmas("weak_words") | {lemma(word) for word in side_words},
            cut_words=lemmas("cut_words"),
            min_words=int(settings.get("min_words", 2)),
            max_window_words=int(settings.get("max_window_words", 12)),
            max_windows=int(settings.get("max_windows", 4)),
        )

    def required_words(self, words: Sequence[str]) -> tuple[str, ...] | None:
        """The words of a phrase a window must hold, or None when the phrase may not be looked for.

        words (Sequence[str]): The phrase's lemmas ("calculus", "of", "kidney").
        RETURNS (tuple[str, ...] | None): ("calculus", "kidney"), each once; None when fewer than
            ``min_words`` of them name something.

        Usage::

            config.required_words(("pain", "unspecified"))  # None
        """
        required: list[str] = []
        naming = 0
        for word in words:
            if word in self.cut_words:
                break
            if word in self.function_words or word in required:
                continue
            required.append(word)
            if len(word) >= 3 and word.isalpha() and word not in self.weak_words:
                naming += 1
        return tuple(required) if naming >= self.min_words else None


@dataclass(frozen=True)
class CodePhrase:
    """One phrase of a code, as the words a window must hold.

    code (str): The code the phrase names.
    words (tuple[str, ...]): The required lemmas, the rarest first.
    """

    code: str
    words: tuple[str, ...]


class WordSearch:
    """Finds the phrases of billed codes written apart in one sentence (see the module docstring).

    config (WordsConfig): The model's settings.
    table (Mapping[str, Any]): The code phrases artifact (:func:`load_code_phrases`): ``categories``
        (category -> "code<TAB>phrase lemmas" lines) and ``frequency`` (lemma -> phrases holding it).
    extra (Iterable[tuple[Sequence[str], Sequence[str]]]): More (phrase lemmas, codes) pairs: the
        model's lexicon.
    """

    def __init__(self, config: WordsConfig, table: Mapping[str, Any],
                 extra: Iterable[tuple[Sequence[str], Sequence[str]]] = ()) -> None:
        self.config = config
        self._lines: Mapping[str, str] = table.get("categories", {})
        self._frequency: Mapping[str, int] = table.get("frequency", {})
        self._extra: dict[str, list[tuple[str, Sequence[str]]]] = {}
        for words, codes in extra:
            for code in codes:
                if code:
                    self._extra.setdefault(code[:3], []).append((code, words))
        self._by_category: dict[str, tuple[CodePhrase, ...]] = {}
        self._by_code: dict[str, tuple[CodePhrase, ...]] = {}

    @property
    def enabled(self) -> bool:
        return self.config.enabled

    def _category(self, category: str) -> tuple[CodePhrase, ...]:
        """The phrases of a category's codes that may be looked for (read on first use)."""
        cached = self._by_category.get(category)
        if cached is not None:
            return cached
        pairs: list[tuple[str, Sequence[str]]] = list(self._extra.get(category, ()))
        lines = self._lines.get(category, "")
        for line in lines.split("\n") if lines else ():
            code, _, phrase = line.partition("\t")
            pairs.append((code, phrase.split(" ")))
        required_of = self.config.required_words
        frequency = self._frequency
        found: dict[tuple[str, frozenset[str]], CodePhrase] = {}
        for code, words in pairs:
            required = required_of(words)
            if required is None or (code, frozenset(required)) in found:
                continue
            ordered = tuple(sorted(required, key=lambda word: (frequency.get(word, 0), word)))
            found[(code, frozenset(required))] = CodePhrase(code, ordered)
        cached = self._by_category[category] = tuple(found.values())
        return cached

    def phrases(self, code: str) -> tuple[CodePhrase, ...]:
        """The phrases of a code, its ancestors and its descendants that may be looked for.

        Usage::

            [phrase.words for phrase in search.phrases("N20.0")]  # [("lithiasis", "kidney"), ...]
        """
        cached = self._by_code.get(code)
        if cached is None:
            cached = tuple(phrase for phrase in self._category(code[:3])
                           if phrase.code.startswith(code) or code.startswith(phrase.code))
            self._by_code[code] = cached
        return cached

    def candidates(self, code: str, note_words: Collection[str]) -> list[CodePhrase]:
        """The phrases of a code (:meth:`phrases`) all of whose words the note holds.

        note_words (Collection[str]): The note's distinct lemmas.
        """
        return [phrase for phrase in self.phrases(code) if all(word in note_words for word in phrase.words)]

    def windows(self, words: Sequence[str], sentence_starts: list[int],
                phrases: Sequence[CodePhrase]) -> list[tuple[CodePhrase, tuple[int, ...]]]:
        """The windows of some phrases in a note: (phrase, token indexes of its words), narrowest
        first, at most ``max_windows``; one per set of tokens.

        words (Sequence[str]): The note's lemma per token (the target matcher's).
        sentence_starts (list[int]): The note's sentence-start tokens.
        phrases (Sequence[CodePhrase]): What to look for (:meth:`candidates`).
        """
        needed = {word for phrase in phrases for word in phrase.words}
        positions: dict[str, list[int]] = {word: [] for word in needed}
        for index in positions_of(words, needed):
            positions[words[index]].append(index)
        length = len(words)
        limit = self.config.max_window_words
        found: dict[tuple[int, ...], tuple[int, CodePhrase]] = {}
        for phrase in phrases:
            rarest, others = phrase.words[0], phrase.words[1:]
            for anchor in positions[rarest]:
                first, after = sentence_bounds(sentence_starts, length, anchor, anchor + 1)
                chosen = [anchor]
                for word in others:
                    nearest = _nearest(positions[word], anchor, first, after)
                    if nearest is None:
                        break
                    chosen.append(nearest)
                else:
                    low, high = min(chosen), max(chosen)
                    width = sum(1 for index in range(low, high + 1) if words[index] not in (SPACE_WORD, BREAK_WORD))
                    if width <= limit:
                        key = tuple(sorted(chosen))
                        if key not in found or width < found[key][0]:
                            found[key] = (width, phrase)
        ranked = sorted(found.items(), key=lambda item: (item[1][0], item[0]))
        return [(phrase, tokens) for tokens, (_, phrase) in ranked[: self.config.max_windows]]


def _nearest(positions: list[int], anchor: int, first: int, after: int) -> int | None:
    """The position nearest ``anchor`` within ``first`` .. ``after`` - 1, or None."""
    at = bisect.bisect_left(positions, anchor)
    best = None
    for index in (at - 1, at):
        if 0 <= index < len(positions):
            position = positions[index]
            if first <= position < after and position != anchor and (
                    best is None or abs(position - anchor) < abs(best - anchor)):
                best = position
    return best
