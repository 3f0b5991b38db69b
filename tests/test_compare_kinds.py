"""A code is documented by its kind of evidence: history codes by the past, family codes by a relative,
and never a Z code by a current mention of the condition."""

from __future__ import annotations

import pytest

from chartaudit.knowledge.kinds import EVIDENCE_KINDS, kind_of


@pytest.mark.parametrize(("code", "kind"), [
    ("Z95.1", "status"), ("Z96.651", "status"), ("Z79.01", "drug"), ("Z68.35", "bmi"), ("Z12.11", "screening"),
    ("Z13.31", "screening"), ("Z80.42", "family_history"), ("Z85.038", "personal_history"),
    ("Z87.891", "personal_history"), ("Z00.00", "encounter"), ("Z23", "encounter"), ("Z09", "encounter"),
    ("W01.0XXA", "external_cause"), ("V89.2XXA", "external_cause"), ("I10", "condition"), ("Z72.0", "condition"),
])
def test_kind_of_a_code(code, kind):
    assert kind_of(code) == kind and kind in EVIDENCE_KINDS


def test_a_personal_history_code_of_the_history_table_is_of_that_kind(checker):
    assert kind_of("I25.2") == "condition"
    assert checker.knowledge.evidence_kind("I25.2") == "personal_history"  # history_codes.json: I21-I22
    assert checker.knowledge.evidence_kind("Z83.3") == "family_history"


@pytest.mark.parametrize(("note", "code", "status"), [
    ("PMH: MI 2018 (s/p PCI to LAD).", "I25.2", "supported"),
    ("A/P: Acute MI - cath lab.", "I25.2", "unsupported"),
    ("HPI: No history of MI.", "I25.2", "negated"),
    ("HPI: h/o recurrent UTIs; none this year.", "Z87.440", "supported"),
    ("HPI: h/o colon cancer s/p right hemicolectomy 2017, no recurrence.", "Z85.038", "supported"),
    ("A/P: Colon cancer - start FOLFOX.", "Z85.038", "unsupported"),
    ("SH: former smoker, quit 2010.", "Z87.891", "supported"),
    ("FH: father with CAD, died at 66.", "Z82.49", "supported"),
    ("FHx: mother with colon cancer.", "Z80.0", "supported"),
    ("FH: No family history of colorectal cancer.", "Z80.0", "negated"),
    ("PMH: CAD.", "Z82.49", "unsupported"),
    ("A/P: Encounter for depression screening - PHQ-9 negative, no depression.", "Z13.31", "supported"),
    ("FH: mother had breast cancer screening.", "Z12.39", "unsupported"),
])
def test_a_history_family_or_screening_code_is_documented_by_its_own_evidence(outcome, note, code, status):
    assert outcome(note, [code])[0][code] == status


def test_the_history_code_suggested_for_a_past_condition_is_supported_when_billed(checker, outcome):
    note = "Reason for visit: fatigue.\nPMH: MI 2018, treated medically; HTN."
    result = checker.check(note, ["I21.9", "I10"])
    finding = result.findings_of("history_only")[0]
    assert finding.related_code == "I25.2"
    assert outcome(note, ["I25.2", "I10"])[0] == {"I25.2": "supported", "I10": "supported"}


def test_a_sibling_z_code_is_not_evidence(outcome):
    # Z79.02 (clopidogrel) and Z79.01 share the words "long term use", Z95.5 and Z95.1 "presence ... graft".
    assert outcome("Meds: clopidogrel 75 mg.", ["Z79.01"])[0]["Z79.01"] == "unsupported"
    assert outcome("PSH: coronary stent 2020.", ["Z95.1"])[0]["Z95.1"] == "unsupported"


def test_evidence_never_documents_a_condition_code(checker, outcome):
    # PHQ-9 (Z13.31) names depression screening; it does not make F32.A more specific or documented.
    result = checker.check("HPI: PHQ-9: 7.\nA/P: Depression, stable on sertraline.", ["F32.A"])
    assert not result.findings_of("unspecified_code")
    assert outcome("HPI: PHQ-9: 7.", ["F32.A"])[0]["F32.A"] == "unsupported"


def test_no_unbilled_condition_for_drugs_statuses_screenings_or_mechanisms(checker):
    note = ("A/P:\n1. T2DM - well controlled on metformin, long-term oral hypoglycemic.\n"
            "2. Former smoker - eligible for lung cancer screening; low-dose CT ordered.\n"
            "3. Influenza vaccine administered.\n4. Prostate cancer screening - PSA today.\n"
            "5. Wrist sprain after she tripped and fell.")
    result = checker.check(note, ["E11.9", "S63.502A"])
    assert [finding.code for finding in result.findings_of("unbilled_condition")] == []
