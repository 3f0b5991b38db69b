"""combination_code: two billed codes the classification reports as one combination code (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "combination_code"


@pytest.mark.parametrize(
    ("note", "dx", "code", "combination", "guideline"),
    [
        ("Problem list: HTN, CHF.\nA/P: HTN - lisinopril. CHF - furosemide.", ["I10", "I50.9"], "I10", "I11.0",
         "I.C.9.a.1"),
        ("A/P: 1. Hypertension. 2. CKD stage 3.", ["I10", "N18.30"], "I10", "I12.9", "I.C.9.a.2"),
        ("A/P: HTN; chronic diastolic CHF; CKD stage 4.", ["I10", "I50.32", "N18.4"], "I10", "I13.0", "I.C.9.a.3"),
        ("A/P: Hypertensive heart disease with chronic systolic heart failure. CKD stage 3a.",
         ["I11.0", "I50.22", "N18.31"], "I11.0", "I13.0", "I.C.9.a.3"),
        ("A/P: 1. Type 2 diabetes mellitus - metformin. 2. CKD stage 3a.", ["E11.9", "N18.31"], "E11.9", "E11.22",
         "I.A.15; I.C.4.a"),
        ("A/P: 1. Pneumonia, right lower lobe - levofloxacin. 2. COPD - albuterol.", ["J44.9", "J18.9"], "J44.9",
         "J44.0", "I.A.15"),
    ],
)
def test_fires_on_the_code_the_combination_replaces(fire, note, dx, code, combination, guideline):
    summary, finding = fire(TYPE, note, dx)
    assert summary[:4] == (code, combination, "error", guideline)
    assert summary[4], "the finding quotes the mentions of the billed conditions"
    assert combination in finding.suggestion


def test_two_combinations_in_one_claim(checker):
    note = "A/P: 1. T2DM - metformin. 2. HTN - lisinopril. 3. CKD stage 3 - monitor."
    result = checker.check(note, dx=["E11.9", "I10", "N18.30"])
    assert {(f.code, f.related_code) for f in result.findings_of(TYPE)} == {("E11.9", "E11.22"), ("I10", "I12.9")}


@pytest.mark.parametrize(
    ("note", "dx"),
    [
        ("A/P: Hypertensive heart disease with heart failure (HTN with CHF).", ["I11.0", "I50.9"]),  # billed
        ("A/P: HFrEF from ischemic cardiomyopathy, not related to his hypertension. HTN - at goal.",
         ["I50.22", "I10"]),  # the provider unlinks them
        ("A/P: CKD stage 3a due to ADPKD, not due to diabetes. T2DM without complications.", ["N18.31", "E11.9"]),
        ("A/P: Hypertensive heart and chronic kidney disease with heart failure, chronic diastolic heart failure, "
         "CKD stage 4.", ["I13.0", "I50.32", "N18.4"]),
        ("A/P: HTN. Hyperlipidemia.", ["I10", "E78.5"]),  # no combination joins them
        ("A/P: COPD with pneumonia.", ["J44.0", "J18.9"]),
    ],
)
def test_does_not_fire_when_the_combination_is_billed_or_unlinked(outcome, note, dx):
    _, types = outcome(note, dx)
    assert TYPE not in types
