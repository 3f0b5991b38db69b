"""unsupported_specificity: the note documents the condition, not the detail the billed code claims (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "unsupported_specificity"


@pytest.mark.parametrize(
    ("note", "dx", "related", "guideline", "detail"),
    [
        # complication: plain diabetes billed with angiopathy and gangrene
        ("PMH: T2DM.\nExam: feet warm, pulses 2+.\nA/P: T2DM - continue metformin.", ["E11.52"], "E11.9",
         "I.A.19", "peripheral angiopathy, gangrene"),
        # acuity and form: compensated "CHF"
        ("Problem list: CHF, HTN.\nA/P: CHF - euvolemic, continue furosemide.", ["I50.23", "I11.0"], "I50.9",
         "I.A.19", "acute on chronic systolic"),
        # stage: an eGFR is not the provider's staging
        ("Labs: eGFR 26.\nA/P: CKD - renally dose medications.", ["N18.4"], "N18.9", "I.A.19", "stage 4"),
        # explicit denial
        ("A/P: DM2, no diabetic retinopathy on dilated exam; continue metformin.", ["E11.319"], "E11.9",
         "I.A.19", "retinopathy"),
        # episode: the Index default for MDD is a single episode; the severity is documented
        ("Psych hx: no prior episodes.\nA/P: Major depressive disorder, moderate - start sertraline.", ["F33.1"],
         "F32.1", "I.A.19", "recurrent"),
        # organism: culture pending
        ("Sputum culture pending.\nAssessment: Community-acquired pneumonia, RLL - amoxicillin.", ["J15.1"], "J18.9",
         "I.A.19", "pseudomonas"),
        # 7th character: an injury at its first visit billed as a subsequent encounter
        ("X-ray: fracture of the distal left radius, closed.\nA/P: splint, ortho in 1 week.", ["S52.502D"],
         "S52.502A", "I.A.19; I.C.19.a", "subsequent encounter, healing"),
        # the 'with' convention does not hold when the provider unlinks the conditions
        ("A/P: 1. CKD stage 3a due to ADPKD, not due to diabetes.\n2. T2DM, diet controlled.", ["E11.22", "N18.31"],
         "E11.9", "I.A.15", "chronic kidney disease"),
        # a combination code whose base is documented, its partner not: hypertension billed as I11.0
        ("A/P: Essential hypertension, well controlled on lisinopril.", ["I11.0"], "I10", "I.A.19",
         "heart disease, heart failure"),
        # "combined systolic and diastolic" claims both forms, not either
        ("A/P: Heart failure with reduced EF - continue GDMT.", ["I50.42"], "I50.20", "I.A.19",
         "chronic systolic and diastolic"),
        # both conditions in one sentence, stated unrelated to each other
        ("A/P: Hypertension and CKD 3b, unrelated to each other per nephrology.", ["I12.9", "N18.32"], "I10",
         "I.A.15", "1 through stage 4 chronic kidney disease"),
    ],
)
def test_fires_with_the_code_the_note_supports(fire, note, dx, related, guideline, detail):
    summary, finding = fire(TYPE, note, dx)
    code, related_code, severity, found_guideline, quotes = summary
    assert (code, related_code, severity, found_guideline) == (dx[0], related, "error", guideline)
    assert finding.detail == detail
    assert quotes and all(assertion == "affirmed" for _, assertion in quotes)


def test_the_message_names_a_denied_detail(fire):
    _, finding = fire(TYPE, "A/P: DM2, no diabetic retinopathy on dilated exam.", ["E11.319"])
    assert 'denies "retinopathy"' in finding.message


def test_the_provider_query_asks_for_the_detail_without_naming_a_value(checker):
    from chartaudit.report import draft_query

    note = "A/P: CHF - euvolemic, continue furosemide."
    result = checker.check(note, dx=["I50.23"])
    finding = result.findings_of(TYPE)[0]
    query = draft_query(finding, result, note)
    assert "acute on chronic systolic" in query
    assert "I50.23" not in query and "I50.9" not in query


@pytest.mark.parametrize(
    ("note", "dx"),
    [
        ("A/P: Acute on chronic systolic heart failure (HFrEF, EF 25%) - diuresis.", ["I50.23"]),
        ("A/P: Chronic HFrEF, NYHA II - continue GDMT.", ["I50.22"]),  # HFrEF is systolic
        ("HPI: CKD stage IV.\nA/P: CKD - stable.", ["N18.4"]),  # the stage in another sentence about it
        ("A/P: CKD 3a - BMP in 3 months.", ["N18.31"]),  # "CKD 3a": the number after the condition
        ("Problem list:\n- T2DM\n- CKD stage 3a\nA/P: T2DM - metformin.", ["E11.22", "N18.31"]),  # 'with' convention
        ("A/P: Type 2 diabetes with diabetic peripheral angiopathy without gangrene.", ["E11.51"]),
        ("A/P: Moderate persistent asthma with acute exacerbation - prednisone.", ["J45.41"]),
        ("A/P: Permanent atrial fibrillation - rate controlled.", ["I48.21"]),
        ("A/P: T2DM - well controlled.", ["E11.9"]),  # "without complications" is the default
        ("HPI: 3 weeks after a fall.\nA/P: Fracture of distal left radius, closed, subsequent encounter with "
         "routine healing.", ["S52.502D"]),
        ("A/P: Asthma.", ["J45.909"]),  # the unspecified code claims nothing
        ("A/P: r/o pneumonia.", ["J15.1"]),  # not supported: uncertain_diagnosis explains it
        ("Assessment: Sepsis due to E. coli UTI.", ["A41.51", "N39.0"]),  # the genus initial names the organism
        ("A/P: Tobacco use disorder, 1 ppd.", ["F17.210"]),  # packs per day are cigarettes
        ("A/P: Strep pharyngitis, rapid strep positive.", ["J02.0"]),
        ("A/P: Pressure ulcer of sacrum, stage 2.", ["L89.152"]),
        ("A/P: Chronic systolic and diastolic CHF.", ["I50.42"]),
        ("A/P: BPH with LUTS.", ["N40.1"]),
        ("A/P: Acute ischemic stroke, left MCA territory.", ["I63.512"]),
        ("A/P: Pneumonia due to Staph aureus.", ["J15.211"]),  # S. aureus not stated resistant is MSSA
    ],
)
def test_does_not_fire_when_the_note_documents_the_detail(outcome, note, dx):
    _, types = outcome(note, dx)
    assert TYPE not in types


@pytest.mark.parametrize(
    ("note", "dx"),
    [
        # I.C.9.a presumes the link between hypertension and heart failure or CKD
        ("A/P: Chronic systolic heart failure, NYHA II. Hypertension.", ["I11.0", "I50.22"]),
        ("A/P: HTN. CKD stage 3b.", ["I12.9", "N18.32"]),
        ("A/P: HTN. CKD stage 3b. Chronic diastolic heart failure.", ["I13.0", "N18.32", "I50.32"]),
    ],
)
def test_a_combination_code_is_supported_by_its_documented_parts(outcome, note, dx):
    statuses, types = outcome(note, dx)
    assert set(statuses.values()) == {"supported"} and not types


def test_a_contradicted_code_gets_contradictory_codes_instead(outcome):
    _, types = outcome("A/P: Type 2 diabetes mellitus with diabetic polyneuropathy.", ["E11.9", "E11.42"])
    assert "contradictory_codes" in types and TYPE not in types
