"""Findings stage: one small rule per finding type, listed in one registry.

Importing this package registers every rule, in the order in which findings are
reported for an encounter.

Usage::

    from chartaudit.findings import registry
    registry.types()  # ['input_error', 'invalid_code', ...]
"""

from chartaudit.findings.base import CheckContext, FindingRegistry, FindingRule, registry

# Registration order is report order: input and code problems first, then the note.
from chartaudit.findings import input_error  # noqa: F401,E402
from chartaudit.findings import invalid_code  # noqa: F401,E402
from chartaudit.findings import non_billable_code  # noqa: F401,E402
from chartaudit.findings import unsupported_code  # noqa: F401,E402
from chartaudit.findings import negated_evidence  # noqa: F401,E402
from chartaudit.findings import uncertain_diagnosis  # noqa: F401,E402
from chartaudit.findings import history_only  # noqa: F401,E402
from chartaudit.findings import family_history_only  # noqa: F401,E402
from chartaudit.findings import laterality_mismatch  # noqa: F401,E402
from chartaudit.findings import unspecified_code  # noqa: F401,E402
from chartaudit.findings import symptom_with_diagnosis  # noqa: F401,E402
from chartaudit.findings import excludes1_conflict  # noqa: F401,E402
from chartaudit.findings import medical_necessity  # noqa: F401,E402
from chartaudit.findings import unbilled_condition  # noqa: F401,E402

__all__ = ["CheckContext", "FindingRegistry", "FindingRule", "registry"]
