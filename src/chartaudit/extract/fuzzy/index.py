"""The character n-gram TF-IDF index of target phrases (plain Python and numpy at run time).

The artifact holds the phrases, the n-gram vocabulary and its idf weights, fitted
by scikit-learn's ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3))``
at build time. At run time a text and a phrase are vectorised exactly as that
vectoriser does (lower-cased, words padded with a space, raw counts times idf,
L2-normalised), and their cosine is the dot product. Candidate phrases are few
(those sharing the window's words, see :class:`FuzzyLinker`), so the phrase
vectors are computed on first use and cached instead of being stored: the
artifact stays small and loading it costs a few milliseconds.

Usage::

    index = FuzzyIndex.load("models/icd10cm/fuzzy-2026.npz")
    index.top("pain of shoulder")  # [(0.97, "shoulder pain"), ...]
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

#: Most cached phrase vectors (the cache is cleared when full).
_MAX_CACHED_VECTORS = 200_000


def char_ngrams(text: str, n: int = 3) -> list[str]:
    """The ``char_wb`` n-grams of a text, as scikit-learn builds them (lower-cased, words padded).

    Usage::

        char_ngrams("chest pain")[:3]  # [' ch', 'che', 'hes']
    """
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        if len(padded) <= n:
            grams.append(padded)
            continue
        grams.extend(padded[offset: offset + n] for offset in range(len(padded) - n + 1))
    return grams


@dataclass
class FuzzyIndex:
    """Phrases, n-gram vocabulary and idf; phrase vectors on demand."""

    phrases: list[str]
    vocabulary: dict[str, int]
    idf: list[float]
    n: int = 3
    _vectors: dict[int, dict[int, float]] = field(default_factory=dict, repr=False)
    _rows_by_word: dict[str, list[int]] | None = field(default=None, repr=False)
    _row_sets: dict[str, frozenset[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: str | Path) -> "FuzzyIndex | None":
        """The index of an artifact (cached per path), or None when the file is missing."""
        return _load_cached(str(path))

    def vector(self, text: str) -> dict[int, float]:
        """The L2-normalised TF-IDF vector of a text (n-grams outside the vocabulary are ignored)."""
        vector: dict[int, float] = {}
        for gram, count in Counter(char_ngrams(text, self.n)).items():
            column = self.vocabulary.get(gram)
            if column is not None:
                vector[column] = count * self.idf[column]
        norm = math.sqrt(sum(value * value for value in vector.values()))
        if norm == 0.0:
            return {}
        return {column: value / norm for column, value in vector.items()}

    def phrase_vector(self, row: int) -> dict[int, float]:
        """The (cached) vector of one phrase."""
        vector = self._vectors.get(row)
        if vector is None:
            if len(self._vectors) > _MAX_CACHED_VECTORS:
                self._vectors.clear()
            vector = self._vectors[row] = self.vector(self.phrases[row])
        return vector

    def similarity(self, text: str, row: int) -> float:
        """Cosine similarity of a text with one phrase."""
        query = self.vector(text)
        phrase = self.phrase_vector(row)
        return sum(value * phrase.get(column, 0.0) for column, value in query.items())

    def rows_with(self, word: str) -> list[int]:
        """The rows of the phrases that hold a word (the word index is built on first use)."""
        if self._rows_by_word is None:
            table: dict[str, list[int]] = {}
            for row, phrase in enumerate(self.phrases):
                for token in set(phrase.split()):
                    table.setdefault(token, []).append(row)
            self._rows_by_word = table
        return self._rows_by_word.get(word, [])

    def row_set(self, word: str) -> frozenset[int]:
        """:meth:`rows_with` as a (cached) set."""
        cached = self._row_sets.get(word)
        if cached is None:
            cached = self._row_sets[word] = frozenset(self.rows_with(word))
        return cached

    def top(self, text: str, rows: Iterable[int] | None = None, k: int = 5) -> list[tuple[float, str]]:
        """The ``k`` phrases most similar to a text among ``rows`` (all phrases when None), best first.

        Usage::

            index.top("chest pian")[0]  # (0.6.., "chest pain")
        """
        query = self.vector(text)
        if not query:
            return []
        candidates = range(len(self.phrases)) if rows is None else rows
        scored = []
        for row in candidates:
            phrase = self.phrase_vector(row)
            score = sum(value * phrase.get(column, 0.0) for column, value in query.items())
            if score > 0.0:
                scored.append((score, self.phrases[row]))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored[:k]


@lru_cache(maxsize=4)
def _load_cached(path: str) -> FuzzyIndex | None:
    file_path = Path(path)
    if not file_path.exists():
        logger.warning("Fuzzy index %s is missing: fuzzy linking is off", file_path)
        return None
    with np.load(file_path, allow_pickle=False) as data:
        grams = str(data["grams"]).split("\n")
        return FuzzyIndex(
            phrases=str(data["phrases"]).split("\n"),
            vocabulary={gram: index for index, gram in enumerate(grams)},
            idf=data["idf"].astype(float).tolist(),
            n=int(data["n"]),
        )
