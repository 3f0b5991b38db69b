"""uncertain_diagnosis: outpatient, every related mention is uncertain or hypothetical (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "uncertain_diagnosis"


@pytest.mark.parametrize(
    ("note", "dx", "code", "symptom", "quotes"),
    [
        ("Assessment: Rule out pneumonia. Cough and fever.", ["J18.9", "R05.9", "R50.9"], "J18.9", "R05.9",
         [("pneumonia", "uncertain")]),
        ("CC: cough, fever\nHPI: 3d productive cough, fever 101.\nA/P: r/o pneumonia, CXR ordered.", ["J18.9"],
         "J18.9", "R05.9", [("pneumonia", "uncertain")]),
        ("HPI: dysuria x2d.\nA/P: Possible UTI, UA sent.", ["N39.0"], "N39.0", "R30.0", [("UTI", "uncertain")]),
        ("A/P: Chest pain, concern for ACS.", ["I24.9", "R07.9"], "I24.9", "R07.9", [("ACS", "uncertain")]),
        ("A/P: Suspected CAP vs bronchitis.", ["J18.9"], "J18.9", None, [("CAP", "uncertain")]),
        # uncertain + historical is uncertain (outpatient)
        ("PMH: h/o MI.\nA/P: r/o MI.", ["I21.9"], "I21.9", None, [("MI", "uncertain")]),
        # A hypothetical mention alone is not coded outpatient either.
        ("Counseled on the risk of stroke. Hypertension.", ["I63.9", "I10"], "I63.9", None,
         [("stroke", "hypothetical")]),
    ],
)
def test_fires_outpatient_and_suggests_the_documented_symptom(fire, note, dx, code, symptom, quotes):
    summary, _ = fire(TYPE, note, dx, setting="outpatient")
    assert summary == (code, symptom, "warning", "IV.H", quotes)


def test_a_doubt_covers_only_the_side_that_follows_it(outcome):
    note = "A/P: 1. Cellulitis of the left leg and possible right leg - cephalexin 500 mg QID."
    statuses, types = outcome(note, ["L03.116", "L03.115"])
    assert statuses == {"L03.116": "supported", "L03.115": "uncertain"}
    assert "laterality_mismatch" not in types


def test_the_suggestion_lists_every_affirmed_symptom(fire):
    note = "CC: cough, fever\nHPI: 3d productive cough, fever 101.\nA/P: r/o pneumonia, CXR ordered."
    _, finding = fire(TYPE, note, ["J18.9"])
    assert 'R05.9 ("cough"), R50.9 ("fever")' in finding.suggestion


def test_inpatient_uncertain_diagnosis_is_coded_as_established(checker):
    note = "Impression: Probable community acquired pneumonia. Start ceftriaxone."
    outpatient = checker.check(note, dx=["J18.9"], setting="outpatient")
    inpatient = checker.check(note, dx=["J18.9"], setting="inpatient")
    assert (TYPE, "J18.9") in {(f.type, f.code) for f in outpatient.findings}
    assert inpatient.findings == []
    assert inpatient.codes[0].status == "supported"


@pytest.mark.parametrize(
    ("note", "code", "setting", "status"),
    [
        # Inpatient an uncertain diagnosis is coded as if established (II.H) ...
        ("CC: cough, fever\nHPI: 3d productive cough, fever 101.\nA/P: r/o pneumonia, CXR ordered.", "J18.9",
         "inpatient", "supported"),
        ("HPI: dysuria x2d.\nA/P: Possible UTI, UA sent.", "N39.0", "inpatient", "supported"),
        # ... but a hypothetical one is not: unsupported_code.
        ("Counseled on the risk of stroke. Hypertension.", "I63.9", "inpatient", "unsupported"),
        # The diagnosis is also stated as a fact, or the hedge qualifies another word.
        ("A/P: r/o PNA. CXR: RLL infiltrate c/w pneumonia.\nImpression: CAP.", "J18.9", "outpatient", "supported"),
        ("A/P: Pneumonia, likely viral.", "J18.9", "outpatient", "supported"),
    ],
)
def test_does_not_fire_inpatient_or_when_the_diagnosis_is_affirmed(outcome, note, code, setting, status):
    statuses, types = outcome(note, [code], setting=setting)
    assert TYPE not in types
    assert statuses == {code: status}
