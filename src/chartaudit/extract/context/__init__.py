"""ConText assertions (negated, historical, family, hypothetical, uncertain) with medSpaCy rules.

``rules`` (the rule files and their owners) imports without spaCy; the component
(``ContextDetector``, ``modifier_scope``) is imported on first use.
"""

from typing import Any

from chartaudit.extract.context.rules import (
    ASSERTION_FLAGS,
    CATEGORY_FLAGS,
    ContextRules,
    TemporalityRules,
    load_context_rules,
)

__all__ = ["ASSERTION_FLAGS", "CATEGORY_FLAGS", "ContextDetector", "ContextRules", "TemporalityRules",
           "load_context_rules", "modifier_scope"]


def __getattr__(name: str) -> Any:
    if name in ("ContextDetector", "modifier_scope"):
        from chartaudit.extract.context import component

        return getattr(component, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
