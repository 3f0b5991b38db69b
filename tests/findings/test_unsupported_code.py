"""unsupported_code: no mention in the note relates to the billed code (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "unsupported_code"


@pytest.mark.parametrize(
    ("note", "dx", "setting", "code", "quotes"),
    [
        ("Assessment: Hypertension.", ["I10", "M25.511"], "outpatient", "M25.511", []),
        ("CC: HTN f/u\nA/P: HTN.", ["I10", "E11.9"], "outpatient", "E11.9", []),
        # Inpatient, a mention only as something to watch for does not support the code.
        ("A/P: HTN. Return if chest pain.", ["I10", "R07.9"], "inpatient", "R07.9",
         [("chest pain", "hypothetical")]),
        ("Counseled on the risk of stroke. Hypertension.", ["I63.9", "I10"], "inpatient", "I63.9",
         [("stroke", "hypothetical")]),
    ],
)
def test_fires_when_nothing_documents_the_code(fire, note, dx, setting, code, quotes):
    summary, _ = fire(TYPE, note, dx, setting=setting)
    assert summary == (code, None, "error", "I.A.19", quotes)


@pytest.mark.parametrize(
    ("note", "code", "status"),
    [
        ("A/P: Shoulder pain.", "M25.511", "supported"),  # an ancestor code ("shoulder pain" M25.51)
        ("A/P: Type 2 diabetes.", "E11.65", "supported"),
        ("HPI: 54 y/o M c/o substernal CP x2d.\nA/P: CP.", "R07.9", "supported"),  # abbreviation
        ("A/P: Paroxysmal atrial fibrillation.", "I48.91", "supported"),  # unspecified sibling
        ("HPI: Denies SOB.\nA/P: HTN.", "R06.02", "negated"),
        ("A/P: HTN. Return if chest pain.", "R07.9", "uncertain"),  # outpatient: uncertain_diagnosis
        ("PMH: h/o MI 2012.\nA/P: HTN.", "I21.9", "history_only"),
        ("FHx: mother w/ DM2.\nA/P: HTN.", "E11.9", "family_history_only"),
        ("A/P: L shoulder pain.", "M25.511", "laterality_mismatch"),
    ],
)
def test_does_not_fire_when_the_note_mentions_the_condition(outcome, note, code, status):
    statuses, types = outcome(note, [code])
    assert TYPE not in types
    assert statuses == {code: status}
