"""Compare stage: relate the note's mentions to the billed codes.

Usage::

    from chartaudit.compare import CodeRelations, assess_codes
"""

from chartaudit.compare.assess import CodeAssessment, assess_code, assess_codes
from chartaudit.compare.relations import CodeRelations

__all__ = ["CodeAssessment", "CodeRelations", "assess_code", "assess_codes"]
