"""ConText assertions (negated, historical, family, hypothetical, uncertain) with medSpaCy rules.

Usage::

    from chartaudit.extract.context import ContextDetector, CATEGORY_FLAGS
"""

from chartaudit.extract.context.component import ContextDetector, modifier_scope
from chartaudit.extract.context.rules import ASSERTION_FLAGS, CATEGORY_FLAGS, load_context_rules

__all__ = ["ASSERTION_FLAGS", "CATEGORY_FLAGS", "ContextDetector", "load_context_rules", "modifier_scope"]
