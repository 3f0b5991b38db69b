"""The shipped gold encounters: a regression gate on precision and recall."""

from __future__ import annotations

from chartaudit.evaluation import evaluate_encounters
from chartaudit.evaluation.metrics import Counts
from chartaudit.resources import samples_dir
from chartaudit.findings import FINDING_TYPES, registry

#: Finding types the sample file cannot exercise (their rules say so; their test files cover them).
NOT_IN_SAMPLES = {kind for kind in FINDING_TYPES if not registry.get(kind).sampled}


def test_samples_precision_and_recall(checker):
    report = evaluate_encounters(samples_dir() / "encounters.jsonl", checker)
    assert report.encounters >= 60
    total = Counts()
    for kind in FINDING_TYPES:
        counts = report.counts.get(kind, Counts())
        if kind in NOT_IN_SAMPLES:
            assert counts.support == 0 and counts.false_positive == 0, kind
            continue
        assert counts.support >= 3, kind  # every finding type is exercised
        assert counts.precision >= 0.75 and counts.recall >= 0.75, (kind, counts)
        total.true_positive += counts.true_positive
        total.false_positive += counts.false_positive
        total.false_negative += counts.false_negative
    assert total.precision >= 0.95 and total.recall >= 0.95, total
