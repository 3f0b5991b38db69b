"""chartaudit: check clinical documentation against the ICD-10-CM codes billed for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chartaudit.types import (
    CheckResult,
    CodeResult,
    Evidence,
    Finding,
    Mention,
    ProcedureResult,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from chartaudit.checker import Checker


def __getattr__(name: str):
    # The checker pulls in spaCy and medSpaCy; import it only when asked for, so that
    # `import chartaudit.types` (workers, the viewer's widgets) stays light.
    if name == "Checker":
        from chartaudit.checker import Checker

        return Checker
    if name == "FINDING_TYPES":
        from chartaudit.findings import FINDING_TYPES

        return FINDING_TYPES
    raise AttributeError(f"module 'chartaudit' has no attribute {name!r}")


__all__ = [
    "FINDING_TYPES",
    "CheckResult",
    "Checker",
    "CodeResult",
    "Evidence",
    "Finding",
    "Mention",
    "ProcedureResult",
    "__version__",
]
