"""Sentence splitting: a fast line-aware rule splitter (instead of PyRuSH).

Usage::

    from chartaudit.extract.sentences import SentenceRules
    SentenceRules().sentence_starts("No fever. Cough present.")
"""

from chartaudit.extract.sentences.component import SentenceSplitter
from chartaudit.extract.sentences.rules import SentenceRules

__all__ = ["SentenceRules", "SentenceSplitter"]
