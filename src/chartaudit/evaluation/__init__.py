"""Evaluation: measure the checker against gold data.

Usage::

    from chartaudit.evaluation import evaluate_encounters
    report = evaluate_encounters("data/samples/encounters.jsonl")
    print(report.table())
"""

from chartaudit.evaluation.encounters import EncounterReport, evaluate_encounters
from chartaudit.evaluation.metrics import Counts

__all__ = ["Counts", "EncounterReport", "evaluate_encounters"]
