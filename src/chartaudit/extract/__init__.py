"""Clinical NLP extraction: note text -> :class:`~chartaudit.types.Mention` list.

Importing this package is cheap; spaCy and medSpaCy load on first use of
``Extractor`` or ``build_pipeline``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chartaudit.extract.extractor import Extractor
    from chartaudit.extract.pipeline import build_pipeline

__all__ = ["Extractor", "build_pipeline"]


def __getattr__(name: str) -> Any:
    if name == "Extractor":
        from chartaudit.extract.extractor import Extractor

        return Extractor
    if name == "build_pipeline":
        from chartaudit.extract.pipeline import build_pipeline

        return build_pipeline
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
