"""Fuzzy linking: variants and typos that the exact target matcher misses.

Character 3-gram TF-IDF over the ICD-10-CM target phrases and the curated
lexicon, precomputed into ``models/icd10cm/fuzzy-2026.npz`` by
``python -m chartaudit.extract.fuzzy.build``. The target matcher proposes a few
candidate windows per note (a misspelt word: "chest pian"; a condition linked by
a preposition the term tables do not hold: "pain of the R shoulder") and links
one when its cosine similarity reaches ``components.fuzzy.threshold`` in
``meta.json``. Its mentions have ``source == "fuzzy"``.

Usage::

    from chartaudit.extract.fuzzy import FuzzyIndex, char_ngrams
    index = FuzzyIndex.load("models/icd10cm/fuzzy-2026.npz")
    index.top("pain of shoulder")[0]  # (0.97.., "shoulder pain")
"""

from chartaudit.extract.fuzzy.index import FuzzyIndex, char_ngrams
from chartaudit.extract.fuzzy.linker import FuzzyConfig, FuzzyLinker

__all__ = ["FuzzyConfig", "FuzzyIndex", "FuzzyLinker", "char_ngrams"]
