"""Section detection: medSpaCy-format JSON rules, line-anchored headers, character offsets.

Usage::

    from chartaudit.extract.sections import SectionRules, Section
"""

from chartaudit.extract.sections.component import SECTIONS_ATTRIBUTE, Section, SectionDetector, section_at
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
