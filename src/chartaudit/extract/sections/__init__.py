"""Section detection: medSpaCy-format JSON rules, line-anchored headers, character offsets.

``rules`` imports without spaCy; the component (``SectionDetector``, ``Section``,
``section_at``, ``SECTIONS_ATTRIBUTE``) is imported on first use.
"""

from typing import Any

from chartaudit.extract.sections.rules import SectionHeader, SectionRule, SectionRules

__all__ = [
    "SECTIONS_ATTRIBUTE",
    "Section",
    "SectionDetector",
    "SectionHeader",
    "SectionRule",
    "SectionRules",
    "section_at",
]


def __getattr__(name: str) -> Any:
    if name in ("SECTIONS_ATTRIBUTE", "Section", "SectionDetector", "section_at"):
        from chartaudit.extract.sections import component

        return getattr(component, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
