"""Sentence splitting: a fast line-aware rule splitter (instead of PyRuSH).

``rules`` imports without spaCy; the component (``SentenceSplitter``) is imported on first use.
"""

from typing import Any

from chartaudit.extract.sentences.rules import SentenceRules

__all__ = ["SentenceRules", "SentenceSplitter"]


def __getattr__(name: str) -> Any:
    if name == "SentenceSplitter":
        from chartaudit.extract.sentences.component import SentenceSplitter

        return SentenceSplitter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
