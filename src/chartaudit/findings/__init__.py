"""Findings stage: one rule per finding type, each in its own module, in one registry.

Importing this package imports every rule module in it (so a new finding type is one
new module) and fixes ``FINDING_TYPES``, the types in their declared report order.
"""

from __future__ import annotations

from chartaudit._discovery import import_submodules
from chartaudit.findings.base import CheckContext, FindingRegistry, FindingRule, ProviderQuery, quote, registry

import_submodules(__name__, __path__, exclude=("base",))

#: Every finding type, in report order (the public contract).
FINDING_TYPES: tuple[str, ...] = tuple(registry.types())

__all__ = ["FINDING_TYPES", "CheckContext", "FindingRegistry", "FindingRule", "ProviderQuery", "quote", "registry"]
