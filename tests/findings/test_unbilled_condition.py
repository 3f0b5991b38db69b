"""unbilled_condition: an affirmed, assessed diagnosis that no billed code covers (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "unbilled_condition"


@pytest.mark.parametrize(
    ("note", "setting", "code", "guideline", "quotes"),
    [
        ("Assessment: Hypertension, well controlled. Type 2 diabetes, A1c 7.1.", "outpatient", "E11.9", "IV.J",
         [("Type 2 diabetes", "affirmed")]),
        ("CC: f/u\nA/P: HTN, well controlled. HLD, on statin.", "outpatient", "E78.5", "IV.J", [("HLD", "affirmed")]),
        ("A/P: HTN. DM2. HTN. DM2 stable.", "outpatient", "E11.9", "IV.J",
         [("DM2", "affirmed"), ("DM2", "affirmed")]),  # one finding per distinct code
        ("A/P: HTN. DM2.", "inpatient", "E11.9", "III", [("DM2", "affirmed")]),
        ("HPI: pt with GERD and HTN.", "outpatient", "K21.9", "IV.J", [("GERD", "affirmed")]),  # no assessment section
    ],
)
def test_fires_with_the_code_to_add(fire, note, setting, code, guideline, quotes):
    summary, _ = fire(TYPE, note, ["I10"], setting=setting)
    assert summary == (code, None, "warning", guideline, quotes)


@pytest.mark.parametrize(
    "note",
    [
        "A/P: HTN. Cough, likely viral. Fatigue.",  # symptoms
        "A/P: HTN. Tobacco use.",  # a Z code
        "PMH: DM2, asthma.\nA/P: HTN, stable.",  # past history, with an assessment section
        "HPI: pt with GERD.\nA/P: HTN, stable.",  # outside the assessment
        "PMH: GERD.\nHPI: here for BP check, HTN.",  # no assessment section: history still does not count
        "Meds: omeprazole for GERD.\nHPI: BP check, HTN.",
        "SH: tobacco use.\nFHx: DM2.\nHPI: BP check, HTN.",
        "A/P: HTN. r/o DM2.",  # not affirmed
        "A/P: HTN. Denies GERD.",
        "A/P: HTN. h/o MI.",
        "A/P: HTN. FHx of colon cancer.",
    ],
)
def test_does_not_fire_for_symptoms_z_codes_history_or_unaffirmed_conditions(outcome, note):
    statuses, types = outcome(note, ["I10"])
    assert TYPE not in types
    assert statuses == {"I10": "supported"}


@pytest.mark.parametrize(
    ("note", "statuses"),
    [
        ("A/P: HTN. DM2.", {"I10": "supported", "E11.9": "supported"}),
        ("A/P: Pneumonia with cough.", {"J18.9": "supported"}),  # a symptom integral to the billed diagnosis
        ("A/P: L knee pain.", {"M25.561": "laterality_mismatch"}),  # the other side of a billed code
        # the billed code's title names the organism already: no B95.62 to add
        ("A/P: Pneumonia due to MRSA.", {"J15.212": "supported"}),
        ("Assessment: Sepsis due to E. coli.", {"A41.51": "supported"}),
        ("A/P: Group A strep pharyngitis.", {"J02.0": "supported"}),  # streptococcal: no B95.0
        # a billed combination code covers its partner: diabetic polyneuropathy (E11.42)
        ("A/P: Diabetic peripheral neuropathy, T2DM.", {"E11.42": "supported"}),
    ],
)
def test_does_not_fire_for_a_condition_a_billed_code_covers(outcome, note, statuses):
    found, types = outcome(note, list(statuses))
    assert TYPE not in types
    assert found == statuses


def test_an_organism_is_still_asked_for_beside_a_code_that_does_not_name_it(outcome):
    _, types = outcome("A/P: UTI due to E. coli.", ["N39.0"])
    assert TYPE in types  # N39.0: "use additional code (B95-B97) to identify infectious agent"


def test_a_group_a_strep_cellulitis_still_asks_for_the_organism(outcome):
    _, types = outcome("A/P: Cellulitis, group A strep.", ["L03.90"])
    assert TYPE in types
