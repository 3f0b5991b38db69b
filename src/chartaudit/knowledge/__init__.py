"""ICD-10-CM knowledge: code normalisation, the tabular list, coverage policies.

Usage::

    from chartaudit.knowledge import Icd10cm, normalize_code
    Icd10cm.load().description(normalize_code("m25511"))  # "Pain in right shoulder"
"""

from __future__ import annotations

from chartaudit.knowledge.codes import normalize_code, split_codes
from chartaudit.knowledge.icd10cm import Icd10cm
from chartaudit.knowledge.policies import Policy, PolicyError, PolicySet, load_policies

__all__ = [
    "Icd10cm",
    "Policy",
    "PolicyError",
    "PolicySet",
    "load_policies",
    "normalize_code",
    "split_codes",
]
