"""Propose candidate windows the exact matcher missed and link them through the fuzzy index.

Two kinds of window, both cheap to find and few per note:

* a *misspelt word*: an alphabetic token of ``min_typo_length`` characters or
  more that no target phrase uses (or only rare ones do), close to a common
  word of the phrases ("pian" -> "pain"). The
  window holds it and a neighbour ("chest pian"); a token of
  ``min_single_typo_length`` characters may stand alone ("pneumonai"). Only
  swapped letters, and in a word of ``min_indel_length`` characters a letter
  more or less inside it ("haematuria"), count as misspellings. Each
  spelling correction is scored;
* a *prepositional phrase* "X of/in/on/at (the) (side) Y" whose words the term
  tables know but not in that form ("pain of the R shoulder").

Skip words (determiners, side words) are left out of the text scored, and the
window keeps them, so the laterality component still sees "R". Only phrases
that hold every content word of the window (after spelling correction) are
scored, which keeps linking cheap; a window is linked to the most similar one
when the cosine reaches ``threshold`` (``typo_threshold`` for a corrected
window) and their content words correspond (:meth:`FuzzyLinker.same_words`).
The phrase's trie entry gives the codes.

Usage::

    linker = FuzzyLinker(FuzzyConfig.from_dict(config), index, trie, skip_words)
    linker.link(words, covered)  # [(start, end, entry, score), ...]
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from chartaudit.extract._lists import positions_of
from chartaudit.extract.fuzzy.index import FuzzyIndex
from chartaudit.extract.terms import TermEntry, TermTrie

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FuzzyConfig:
    """``components.fuzzy`` of ``meta.json``."""

    enabled: bool = True
    artifact: str = "fuzzy-2026.npz"
    threshold: float = 0.8
    typo_threshold: float = 0.9
    min_typo_length: int = 4
    min_single_typo_length: int = 9
    min_indel_length: int = 8
    prepositions: tuple[str, ...] = ("of", "in", "on", "at")
    max_tail_words: int = 2
    max_candidates: int = 40
    known_words: frozenset[str] = field(default_factory=frozenset)
    top_k: int = 5
    stem_length: int = 5
    rare_count: int = 2
    max_rows: int = 300
    min_correction_count: int = 5
    correction_ratio: int = 20

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FuzzyConfig":
        """The configuration from the ``components.fuzzy`` mapping (missing keys take the defaults)."""
        defaults = cls()
        values: dict[str, Any] = {}
        for setting in fields(cls):
            if setting.name not in data:
                continue
            default, value = getattr(defaults, setting.name), data[setting.name]
            if isinstance(default, frozenset):
                values[setting.name] = frozenset(str(word).lower() for word in value)
            elif isinstance(default, tuple):
                values[setting.name] = tuple(value)
            else:  # bool, int, float, str: the type of the default
                values[setting.name] = type(default)(value)
        return cls(**values)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
#: Longer "words" are not words (base64, joined tokens, a note with no spaces): spelling
#: candidates grow with the square of a word's length, so they are never corrected.
MAX_WORD_LENGTH = 40


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1:] for index in range(len(word))}


def one_edit(first: str, second: str) -> bool:
    """True when two different words are one insertion, deletion, substitution or transposition apart.

    Usage::

        one_edit("pian", "pain")  # True
    """
    if first == second or abs(len(first) - len(second)) > 1 or len(first) > MAX_WORD_LENGTH:
        return False
    if len(first) == len(second):
        diffs = [index for index, (a, b) in enumerate(zip(first, second)) if a != b]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and first[diffs[0]] == second[diffs[1]] and first[diffs[1]] == second[diffs[0]])
    shorter, longer = sorted((first, second), key=len)
    return shorter in _deletions(longer)


def transposition(first: str, second: str) -> bool:
    """True when two words differ by one swap of adjacent letters ("pian" / "pain")."""
    if len(first) != len(second) or first == second:
        return False
    diffs = [index for index, (a, b) in enumerate(zip(first, second)) if a != b]
    return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
            and first[diffs[0]] == second[diffs[1]] and first[diffs[1]] == second[diffs[0]])


def inner_indel(first: str, second: str) -> bool:
    """True when one word is the other with one letter inserted, not at either end.

    Usage::

        inner_indel("haematuria", "hematuria")  # True
        inner_indel("afebrile", "febrile")      # False: the first letter
    """
    if abs(len(first) - len(second)) != 1:
        return False
    shorter, longer = sorted((first, second), key=len)
    if shorter[0] != longer[0] or shorter[-1] != longer[-1]:
        return False
    return any(longer[:index] + longer[index + 1:] == shorter for index in range(1, len(longer) - 1))


class FuzzyLinker:
    """Find and link fuzzy candidate windows; see the module docstring."""

    def __init__(self, config: FuzzyConfig, index: FuzzyIndex, trie: TermTrie, skip_words: frozenset[str]) -> None:
        self.config = config
        self.index = index
        self.trie = trie
        self.skip_words = skip_words
        frequency: dict[str, int] = {}
        for phrase in index.phrases:
            for word in phrase.split():
                frequency[word] = frequency.get(word, 0) + 1
        self.frequency = frequency
        self.vocabulary = frozenset(frequency)
        self._corrections: dict[str, tuple[str, ...]] = {}
        self._inner_insertions: dict[str, tuple[str, ...]] | None = None
        self._fixes: dict[str, tuple[str, ...]] = {}
        self._checked: set[str] = set()
        self._with_fixes: set[str] = set()

    # -- spelling ---------------------------------------------------------------------

    def corrections(self, word: str) -> tuple[str, ...]:
        """Common vocabulary words an unknown word may be a misspelling of ("pian" -> ("pain",)).

        Candidates are generated, not searched: every swap of two adjacent letters and,
        in a word of ``min_indel_length`` letters, every inner letter left out or added.
        """
        if len(word) > MAX_WORD_LENGTH:
            return ()
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        vocabulary = self.vocabulary
        found = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
        if len(word) >= self.config.min_indel_length:
            found |= {word[:i] + word[i + 1:] for i in range(1, len(word) - 1)}
            found.update(self._insertions().get(word, ()))
        found = {candidate for candidate in found if candidate != word and candidate in vocabulary}
        # A correction must be a common word: far more frequent in the phrases than the
        # word as written (a long word has few real-word neighbours: one phrase is enough).
        own = self.frequency.get(word, 0)
        minimum = 1 if len(word) >= self.config.min_single_typo_length else self.config.min_correction_count
        needed = max(minimum, own * self.config.correction_ratio)
        result = tuple(sorted(candidate for candidate in found if self.frequency.get(candidate, 0) >= needed))
        if len(self._corrections) > 100_000:
            self._corrections.clear()
        self._corrections[word] = result
        return result

    def _insertions(self) -> dict[str, tuple[str, ...]]:
        """Vocabulary words by what they become without one inner letter ("pain" -> ... ).

        Looking a word up here finds every vocabulary word it is with one inner
        letter added, without generating 26 candidates per position (built on first use).
        """
        if self._inner_insertions is None:
            index: dict[str, list[str]] = {}
            shortest = self.config.min_indel_length + 1
            for candidate in self.vocabulary:
                if len(candidate) < shortest:
                    continue
                for position in range(1, len(candidate) - 1):
                    if candidate[position] in _LETTERS:
                        index.setdefault(candidate[:position] + candidate[position + 1:], []).append(candidate)
            self._inner_insertions = {key: tuple(values) for key, values in index.items()}
        return self._inner_insertions

    def is_typo(self, word: str) -> bool:
        """True for an alphabetic word, long enough to correct, that no phrase uses or only a
        rare one does ("pian" names yaws, but is far more often a misspelt "pain")."""
        if (len(word) < self.config.min_typo_length or len(word) > MAX_WORD_LENGTH
                or not word.isalpha() or word in self.config.known_words):
            return False
        return self.frequency.get(word, 0) <= self.config.rare_count

    # -- windows ----------------------------------------------------------------------

    class _Cover:
        """Which windows an exact match leaves to fuzzy linking: those holding every exact
        match they touch whole (the longer fuzzy window then wins, "pain of the R shoulder"
        over "pain")."""

        def __init__(self, length: int, exact: Sequence[tuple[int, int]]) -> None:
            self.first = list(range(length))
            self.last = list(range(1, length + 1))
            self.any = bytearray(length)
            for start, end in exact:
                for position in range(start, end):
                    self.any[position] = 1
                    self.first[position] = min(self.first[position], start)
                    self.last[position] = max(self.last[position], end)

        def allows(self, start: int, end: int) -> bool:
            return all(self.first[p] >= start and self.last[p] <= end for p in range(start, end) if self.any[p])

        def whole(self, start: int, end: int) -> bool:
            """True when one exact match already spans the window."""
            return any(self.any[p] and self.first[p] <= start and self.last[p] >= end for p in range(start, end))

    def _content(self, words: Sequence[str], start: int, end: int) -> list[str]:
        return [word for word in words[start:end] if word not in self.skip_words]

    def _typo_windows(self, words: Sequence[str], cover: "FuzzyLinker._Cover",
                      boundary: bytes | bytearray) -> list[tuple[int, int, list[str]]]:
        windows: list[tuple[int, int, list[str]]] = []
        length = len(words)
        cache = self._fixes
        misspelt = self._misspelt(words)
        if not misspelt:
            return windows
        for position in positions_of(words, misspelt):
            word = words[position]
            fixes = cache[word]
            spans = []
            for start, end in ((position, position + 1), (position - 1, position + 1), (position, position + 2),
                               (position - 2, position + 1), (position - 1, position + 2)):
                if start < 0 or end > length or any(boundary[start + 1:end]):
                    continue
                if not cover.allows(start, end) or cover.whole(start, end):
                    continue
                if self._loose_edge(words[start]) or self._loose_edge(words[end - 1]):
                    continue
                if not self._plain(words, start, end):
                    continue
                spans.append((start, end))
            for start, end in spans:
                content = self._content(words, start, end)
                if len(content) < 2 and len(word) < self.config.min_single_typo_length:
                    continue
                texts = [" ".join(fix if token == word else token for token in content) for fix in fixes]
                windows.append((start, end, texts))
        return windows

    def _misspelt(self, words: Sequence[str]) -> set[str]:
        """The distinct words of a note that have spelling corrections (each word is
        looked at once per process: set operations sort out the rest)."""
        if len(self._checked) > 200_000:  # bounded; cleared before this note's words are looked at
            self._fixes.clear()
            self._checked.clear()
            self._with_fixes.clear()
        distinct = set(words)
        new = distinct - self._checked
        if new:
            for word in new:
                fixes = self._fixes[word] = self.corrections(word) if self.is_typo(word) else ()
                if fixes:
                    self._with_fixes.add(word)
            self._checked |= new
        return distinct & self._with_fixes

    @staticmethod
    def _plain(words: Sequence[str], start: int, end: int) -> bool:
        """True when a window holds words only, no punctuation ("pian, chest" is two phrases)."""
        return all(word.replace("'", "").replace("-", "").isalnum() for word in words[start:end])

    def _loose_edge(self, word: str) -> bool:
        """True for a word a window never starts or ends with (a skip word, a preposition)."""
        return word in self.skip_words or word in self.config.prepositions or not word.isalpha()

    def _preposition_windows(self, words: Sequence[str], cover: "FuzzyLinker._Cover",
                             boundary: bytes | bytearray) -> list[tuple[int, int, list[str]]]:
        windows = []
        length = len(words)
        for position in positions_of(words, self.config.prepositions):
            if position == 0 or cover.any[position]:
                continue
            head = position - 1
            if boundary[position] or words[head] not in self.vocabulary or self._loose_edge(words[head]):
                continue
            cursor = position + 1
            while cursor < length and words[cursor] in self.skip_words and not cover.any[cursor]:
                cursor += 1
            for tail in range(1, self.config.max_tail_words + 1):
                end = cursor + tail
                if end > length or any(boundary[position: end]):
                    break
                if not all(token in self.vocabulary for token in words[cursor:end]):
                    break
                if self._loose_edge(words[end - 1]):
                    continue
                if cover.allows(head, end) and self._plain(words, head, end):
                    windows.append((head, end, [" ".join(self._content(words, head, end))]))
        return windows

    def link(self, words: Sequence[str], exact: Sequence[tuple[int, int]] = (),
             boundary: bytes | bytearray | None = None) -> list[tuple[int, int, TermEntry, float]]:
        """Fuzzy matches in a doc's normalised words.

        A window may hold exact matches only whole (and is then longer than they are).

        words (Sequence[str]): The doc's normalised words.
        exact (Sequence[tuple[int, int]]): (start, end) token spans of the exact candidates.
        boundary (bytearray | None): 1 for tokens that start a sentence (windows never cross one).
        RETURNS (list[tuple[int, int, TermEntry, float]]): (start, end, entry, cosine), best first.
        """
        boundary = boundary if boundary is not None else bytearray(len(words))
        cover = self._Cover(len(words), exact)
        found = []
        windows = self._typo_windows(words, cover, boundary)
        typo_count = len(windows)
        windows += self._preposition_windows(words, cover, boundary)
        for number, (start, end, texts) in enumerate(windows[: self.config.max_candidates]):
            threshold = self.config.typo_threshold if number < typo_count else self.config.threshold
            best = None
            for text in texts:
                rows = self._candidate_rows(text)
                if not rows:
                    continue
                for score, phrase in self.index.top(text, rows, self.config.top_k):
                    if score < threshold:
                        break
                    if best is not None and score <= best[0]:
                        break
                    entry = self._entry(phrase)
                    if entry is not None and entry.codes and self.same_words(text, phrase):
                        best = (score, entry)
                        break
            if best is not None:
                found.append((start, end, best[1], best[0]))
        found.sort(key=lambda item: (-item[3], item[0]))
        return found

    def _candidate_rows(self, text: str) -> list[int]:
        """Rows of the phrases holding every content word of a text (few, or none)."""
        ignore = set(self.config.prepositions) | self.skip_words
        content = sorted({word for word in text.split() if word not in ignore},
                         key=lambda word: len(self.index.rows_with(word)))
        if not content:
            return []
        rows = self.index.row_set(content[0])
        for word in content[1:]:
            if not rows:
                break
            rows = rows & self.index.row_set(word)
        return sorted(rows)[: self.config.max_rows]

    def same_words(self, text: str, phrase: str) -> bool:
        """True when every content word of each side has a counterpart in the other.

        Words correspond when equal, one edit apart, or sharing their first
        ``stem_length`` letters ("nephropathy" / "nephritis"); prepositions and
        skip words do not count. "tubulointerstitial nephropathy" is not
        "diphtheritic tubulointerstitial nephropathy".
        """
        ignore = set(self.config.prepositions) | self.skip_words
        first = [word for word in text.split() if word not in ignore]
        second = [word for word in phrase.split() if word not in ignore]
        if not first or not second:
            return False
        return (all(any(self._similar(a, b) for b in second) for a in first)
                and all(any(self._similar(b, a) for a in first) for b in second))

    def _similar(self, first: str, second: str) -> bool:
        if first == second or one_edit(first, second):
            return True
        stem = self.config.stem_length
        return len(first) >= stem and len(second) >= stem and first[:stem] == second[:stem]

    def _entry(self, phrase: str) -> TermEntry | None:
        words = phrase.split()
        if not words or words[0] not in self.trie.root:
            return None
        if self.trie.is_pending(words[0]):
            self.trie.materialize(words[0])
        end, entry = self.trie.longest(words, 0, frozenset())
        return entry if end == len(words) else None
