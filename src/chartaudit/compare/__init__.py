"""Compare stage: relate the note's mentions to the billed codes.
"""

from chartaudit.compare.assess import CodeAssessment, assess_code, assess_codes
from chartaudit.compare.combinations import CombinationMatch, contradictory_codes, missed_combinations
from chartaudit.compare.relations import CodeRelations
from chartaudit.compare.specificity import SpecificityCheck, SpecificityGap, SpecificityRules

__all__ = ["CodeAssessment", "CodeRelations", "CombinationMatch", "SpecificityCheck", "SpecificityGap",
           "SpecificityRules", "assess_code", "assess_codes", "contradictory_codes", "missed_combinations"]
