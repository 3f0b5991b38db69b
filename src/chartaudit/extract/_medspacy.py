"""Import the parts of medSpaCy chartaudit uses without paying for QuickUMLS.

``import medspacy`` takes seconds: the package
``__init__`` imports ``medspacy.util``, which imports ``quickumls``, which
imports NLTK, which imports SciPy and scikit-learn. chartaudit never
uses QuickUMLS. While the medSpaCy modules are imported, this module registers a
lightweight placeholder for ``quickumls`` / ``quickumls.spacy_component`` in
``sys.modules`` (only when the real package is not already imported) and
removes it again afterwards, so a later ``import quickumls`` still gets the
real package. medSpaCy's import-time ``warnings.filterwarnings("ignore")`` is
undone as well.
"""

from __future__ import annotations

import logging
import sys
import types
import warnings
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

_PLACEHOLDER_MODULES = ("quickumls", "quickumls.spacy_component")
_PLACEHOLDER_FLAG = "__chartaudit_placeholder__"


def _install_placeholders() -> list[str]:
    """Register placeholder QuickUMLS modules; returns the names registered."""
    if "quickumls" in sys.modules:
        return []
    package = types.ModuleType("quickumls")
    package.__path__ = []  # type: ignore[attr-defined]  # a package, so submodules resolve
    component = types.ModuleType("quickumls.spacy_component")
    setattr(package, "spacy_component", component)
    setattr(package, _PLACEHOLDER_FLAG, True)
    setattr(component, _PLACEHOLDER_FLAG, True)
    sys.modules["quickumls"] = package
    sys.modules["quickumls.spacy_component"] = component
    return list(_PLACEHOLDER_MODULES)


def _remove_placeholders(names: list[str]) -> None:
    for name in names:
        module = sys.modules.get(name)
        if module is not None and getattr(module, _PLACEHOLDER_FLAG, False):
            del sys.modules[name]


@lru_cache(maxsize=1)
def import_medspacy_parts() -> dict[str, Any]:
    """Import medSpaCy's ConText and section modules without QuickUMLS.

    RETURNS (dict[str, Any]): ``ConTextRule``, ``ConTextModifier``,
        ``ConTextGraph``, ``MedspacyMatcher``, ``prune_overlapping_matches``,
        ``DEFAULT_ATTRIBUTES``.
    """
    installed = _install_placeholders()
    saved_filters = list(warnings.filters)
    try:
        from medspacy.common.medspacy_matcher import MedspacyMatcher
        from medspacy.common.util import prune_overlapping_matches
        from medspacy.context import DEFAULT_ATTRIBUTES, ConTextGraph, ConTextModifier, ConTextRule
    finally:
        _remove_placeholders(installed)
        # medspacy.common.medspacy_matcher calls warnings.filterwarnings("ignore")
        # at import time, silencing every warning of the host program: undo that.
        warnings.filters[:] = saved_filters
        warnings._filters_mutated()  # type: ignore[attr-defined]
    logger.debug("medSpaCy imported (QuickUMLS placeholder used: %s)", bool(installed))
    return {
        "ConTextRule": ConTextRule,
        "ConTextModifier": ConTextModifier,
        "ConTextGraph": ConTextGraph,
        "MedspacyMatcher": MedspacyMatcher,
        "prune_overlapping_matches": prune_overlapping_matches,
        "DEFAULT_ATTRIBUTES": DEFAULT_ATTRIBUTES,
    }
