"""The evidence tables and matcher: drugs, statuses, visit reasons, screening tests, mechanisms, BMI values;
and the screening assertion."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chartaudit.extract.evidence.build import status_phrases
from chartaudit.extract.evidence.tables import (
    BmiCodes,
    DrugClasses,
    EncounterTerms,
    ExternalCauses,
    StatusTerms,
)
from chartaudit.knowledge import Icd10cm
from chartaudit.knowledge.kinds import kind_of
from chartaudit.knowledge.tables import ScreeningCodes
from chartaudit.resources import default_model_dir
from chartaudit.resources.files import FileCheck

DEFAULT = default_model_dir()


@pytest.fixture(scope="session")
def knowledge() -> Icd10cm:
    return Icd10cm.load()


def _mentions(checker, text: str, kind: str | None = None) -> list:
    return [m for m in checker.extract(text) if kind is None or m.kind == kind]


# --- the tables: every code is a valid code of its kind -------------------------------------------------------

@pytest.mark.parametrize(("owner", "kinds"), [
    (DrugClasses, ("drug",)), (StatusTerms, StatusTerms.KINDS), (EncounterTerms, ("encounter", "screening")),
    (ExternalCauses, ("external_cause",)), (BmiCodes, ("bmi",))])
def test_every_table_code_is_a_valid_code_of_its_kind(knowledge, owner, kinds):
    path = owner.path_in(DEFAULT)
    check = FileCheck(owner.FILE_NAME, path.read_text(encoding="utf-8"), is_code=knowledge.is_valid)
    table = owner.check(check)
    assert check.problems == []
    codes = [code for term in _terms(table) for code in term[2]]
    assert codes
    assert all(knowledge.is_valid(code) and kind_of(code) in kinds for code in codes)


def _terms(table):
    if isinstance(table, BmiCodes):
        return [("bmi", "", bmi_range.codes, "") for ranges in table.ranges.values() for bmi_range in ranges]
    return list(table.terms())


def test_screening_codes_are_screening_codes(knowledge):
    rules = ScreeningCodes.from_dir(DEFAULT).rules
    assert rules and all(knowledge.is_valid(code) and kind_of(code) == "screening" for _, code in rules)
    assert knowledge.screening_code("C18.9") == "Z12.11"
    assert knowledge.screening_code("C61") == "Z12.5"
    assert knowledge.screening_code("F32.A") == "Z13.31"
    assert knowledge.screening_code("C80.1") == "Z12.9"  # the narrower key wins over C00-C96


# --- BMI -----------------------------------------------------------------------------------------------------

def _range_of(description: str) -> tuple[float, float]:
    """The adult range an ICD-10-CM Z68 description states ("35.0-35.9" -> [35, 36))."""
    if match := re.search(r"(\d+(?:\.\d)?)-(\d+(?:\.\d)?), adult", description):
        return float(match.group(1)), float(match.group(2)) + (0.1 if "." in match.group(2) else 1.0)
    if match := re.search(r"(\d+(?:\.\d)?) or less, adult", description):
        return 0.0, float(match.group(1)) + 0.1
    if match := re.search(r"(\d+) or greater, adult", description):
        return float(match.group(1)), float("inf")
    raise AssertionError(description)


def test_every_adult_bmi_value_gets_the_one_code_whose_description_holds_it(knowledge):
    bmi = BmiCodes.from_dir(DEFAULT)
    for tenths in range(100, 1000):
        value = tenths / 10
        codes = bmi.codes_for("adult", value)
        assert len(codes) == 1, value
        low, high = _range_of(knowledge.description(codes[0]))
        assert low <= value < high + 1e-9, (value, codes)
    assert bmi.codes_for("adult", 5.0) == ()  # not a plausible BMI


@pytest.mark.parametrize(("text", "value", "codes"), [
    ("Vitals: Ht 165 cm, Wt 95.8 kg, BMI 35.2. BP 124/80.", 35.2, ("Z68.35",)),
    ("BMI: 41", 41.0, ("Z68.41",)),
    ("body mass index 28.4 kg/m2", 28.4, ("Z68.28",)),
    ("Body mass index (BMI) 19.5", 19.5, ("Z68.1",)),
    ("BMI 97th percentile for age", 97.0, ("Z68.54", "Z68.55", "Z68.56")),
    ("BMI-for-age 88th percentile", 88.0, ("Z68.53",)),
])
def test_a_stated_bmi_is_found_with_its_codes(text, value, codes):
    found = list(BmiCodes.from_dir(DEFAULT).find(text))
    assert [(found_value, found_codes) for _, _, found_value, found_codes in found] == [(value, codes)]


@pytest.mark.parametrize("text", ["BMI >40 is the goal", "BMI goal under 30?", "bmi"])
def test_a_bmi_that_is_not_a_stated_value_is_not_found(text):
    assert [value for *_, value, _ in BmiCodes.from_dir(DEFAULT).find(text)] in ([], [30.0])
    assert not any(value == 40.0 for _, _, value, _ in BmiCodes.from_dir(DEFAULT).find(text))


def test_a_bmi_supports_exactly_its_code(outcome):
    note = "Vitals: BMI 31.4.\nAssessment: Obesity, BMI 31.4."
    assert outcome(note, ["Z68.31"])[0]["Z68.31"] == "supported"
    assert outcome(note, ["Z68.35"])[0]["Z68.35"] == "unsupported"
    assert outcome(note, ["Z68.3"])[0]["Z68.3"] == "supported"  # the subcategory holds it


# --- drugs ---------------------------------------------------------------------------------------------------

def test_drug_classes_name_their_drugs():
    terms = {phrase: codes for _, phrase, codes, _ in DrugClasses.from_dir(DEFAULT).terms()}
    assert terms["warfarin"] == ("Z79.01",) and terms["eliquis"] == ("Z79.01",)
    assert terms["aspirin"] == ("Z79.82",)  # its own code, not the antiplatelets'
    assert terms["clopidogrel"] == ("Z79.02",)
    assert terms["metformin"] == ("Z79.84",) and terms["insulin glargine"] == ("Z79.4",)
    assert set(terms["aggrenox"]) == {"Z79.02", "Z79.82"}  # a combination product supports both
    assert terms["levothyroxine"] == ("Z79.899",) and terms["atorvastatin"] == ("Z79.899",)  # other drug therapy


@pytest.mark.parametrize(("note", "status"), [
    ("Meds: apixaban 5 mg BID.", "supported"),
    ("A/P: afib, on apixaban long term.", "supported"),
    ("HPI: no bleeding on apixaban.", "supported"),  # the negation is the bleeding's
    ("HPI: stopped warfarin in 2019 after a GI bleed.", "history_only"),
    ("A/P: afib; no anticoagulation given fall risk.", "negated"),
    ("Meds: amlodipine, aspirin 81 mg.", "unsupported"),  # aspirin is not an anticoagulant
    ("Allergies: warfarin (rash).\nMeds: amlodipine.", "unsupported"),
    # a planned drug is not taken yet
    ("A/P: afib. Will start apixaban.", "unsupported"),
    ("A/P: afib. Consider starting apixaban after the cardioversion.", "unsupported"),
])
def test_a_drug_supports_its_class_only_when_taken(outcome, note, status):
    assert outcome(note, ["Z79.01"])[0]["Z79.01"] == status


def test_a_planned_drug_leaves_the_condition_it_treats_alone(outcome):
    statuses, _ = outcome("A/P: DM2, will start metformin for diabetes.", ["E11.9", "Z79.84"])
    assert statuses == {"E11.9": "supported", "Z79.84": "unsupported"}


@pytest.mark.parametrize(("note", "status"), [
    ("Meds: levothyroxine 50 mcg daily, atorvastatin.\nA/P: hypothyroidism.", "supported"),
    ("A/P: hypothyroidism, on levothyroxine.", "supported"),
    ("A/P: stopped omeprazole last year.", "history_only"),
    ("A/P: HLD. Recommend starting atorvastatin.", "unsupported"),
])
def test_other_long_term_drug_therapy(outcome, note, status):
    assert outcome(note, ["Z79.899"])[0]["Z79.899"] == status


def test_a_condition_inside_a_drug_or_vaccine_name_is_not_a_condition(checker):
    mentions = _mentions(checker, "A/P: T2DM on a long-term oral hypoglycemic. Influenza vaccine given.")
    assert [m.kind for m in mentions if "hypoglycemic" in m.text] == ["drug"]
    assert [m.kind for m in mentions if "nfluenza" in m.text] == ["encounter"]
    assert not any(code.startswith(("E16", "J11")) for m in mentions for code in m.codes)


def test_a_drug_name_inside_a_condition_is_not_a_drug(checker):
    assert _mentions(checker, "PMH: non-insulin dependent diabetes.", "drug") == []


# --- statuses ------------------------------------------------------------------------------------------------

INDEX_ROWS = """RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code
1,S,0,Status,,Presence (of),(post),
2,S,1,angioplasty,,,(peripheral),Z98.62
3,S,2,coronary artery,,,,Z98.61
4,S,3,with implant,,,,Z95.5
5,S,1,"bleb, filtering",,,(vitreous),Z98.83
6,S,1,thyroidectomy,,,(hypothyroidism),E89.0
7,S,1,specified NEC,,,,Z98.890
8,S,1,colostomy,,,,Z93.3
9,S,0,Stealing,,,,F63.2
10,T,0,Transplant,,,(ed) (status),Z94.9
11,T,1,kidney,,,,Z94.0
12,T,1,awaiting organ,,,,Z76.82
13,P,0,Presence,,,(of),
14,P,1,implanted device,,,(artificial),Z96.9
15,P,2,cardiac pacemaker,,,,Z95.0
16,P,2,cochlear,,,,Z96.21
17,P,1,intrauterine contraceptive device,,,(IUD),Z97.5
"""


def test_status_phrases_are_built_from_the_index_status_entries(tmp_path):
    index = tmp_path / "index.csv"
    index.write_text(INDEX_ROWS, encoding="utf-8")
    phrases = status_phrases(index)
    assert phrases["coronary artery angioplasty"] == "Z98.61"
    assert phrases["coronary artery angioplasty with implant"] == "Z95.5"
    assert phrases["colostomy"] == "Z93.3"
    assert phrases["kidney transplant"] == "Z94.0"
    assert phrases["cardiac pacemaker"] == "Z95.0"  # the entry, without its grouping parent
    assert phrases["IUD"] == "Z97.5"  # an abbreviation of the entry's non-essential modifiers
    assert "thyroidectomy" not in phrases  # E89.0 is a condition, not a status
    assert "angioplasty" not in phrases and "cochlear" not in phrases  # too vague alone
    assert not any("specified" in phrase or "awaiting" in phrase for phrase in phrases)
    assert "filtering bleb" not in phrases


def test_the_committed_status_table_holds_the_index_and_the_curated_phrases():
    data = json.loads(StatusTerms.path_in(DEFAULT).read_text(encoding="utf-8"))
    assert data["index"]["coronary artery bypass graft"] == "Z95.1"
    assert data["curated"]["CABG"] == "Z95.1"
    assert not set(map(str.lower, data["index"])) & set(map(str.lower, data["curated"]))


@pytest.mark.parametrize(("note", "code", "status"), [
    ("HPI: 68 yo M, s/p CABG 2019, no angina.", "Z95.1", "supported"),
    ("PSH: CABG x2 2019, appendectomy.", "Z95.1", "supported"),
    ("FH: father s/p CABG at 60.", "Z95.1", "family_history_only"),
    ("HPI: CAD s/p PCI with two drug-eluting stents to the LAD in 2020.", "Z95.5", "supported"),
    ("HPI: CAD s/p PCI with two drug-eluting stents to the LAD in 2020.", "Z95.1", "unsupported"),
    ("PSH: right TKA 2015.", "Z96.651", "supported"),
    ("PSH: right TKA 2015.", "Z96.652", "laterality_mismatch"),
    ("A/P: 3-vessel CAD; scheduled for CABG next week.", "Z95.1", "unsupported"),  # planned, not a status
    ("A/P: ESRD, candidate for kidney transplant.", "Z94.0", "unsupported"),
])
def test_a_status_phrase_supports_its_status_code(outcome, note, code, status):
    assert outcome(note, [code])[0][code] == status


# --- visit reasons, screening tests and mechanisms -----------------------------------------------------------

@pytest.mark.parametrize(("note", "code"), [
    ("Visit type: Annual exam, adult. No complaints.", "Z00.00"),
    ("Immunizations: influenza vaccine given today.", "Z23"),
    ("A/P: Follow-up exam after completed treatment for pneumonia, resolved.", "Z09"),
    ("Depression screen: PHQ-9 score 2.", "Z13.31"),
    ("Impression: normal screening colonoscopy.", "Z12.11"),
    ("A/P: Well adult exam. Colonoscopy screening ordered.", "Z12.11"),
    ("A/P: Supervision of normal first pregnancy, 12 weeks.", "Z34.01"),
    ("A/P: Obesity. Dietary counseling provided.", "Z71.3"),
    ("Dx: Hip fracture, right femoral neck, after fall at home.", "Y92.009"),  # the place of occurrence
    ("A/P: Chronic respiratory failure with hypoxia on 2L home O2.", "Z99.81"),
    ("A/P: Hyponatremia due to SIADH.", "E22.2"),
    ("HPI: tripped over a rug and fell onto her left hand.", "W01.0XXA"),
    ("CC: dog bite right hand.", "W54.0XXA"),
    ("HPI: mechanical fall at home.", "W19.XXXA"),
])
def test_an_evidence_phrase_supports_its_code(outcome, note, code):
    assert outcome(note, [code])[0][code] == "supported"


def test_a_mechanism_keeps_the_injury_it_names(checker):
    result = checker.check("A/P: Dog bite of right hand (open bite wounds).", ["S61.451A", "W54.0XXA"])
    assert [code.status for code in result.codes] == ["supported", "supported"]


# --- the screening assertion ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "target", "flags"), [
    ("Screening for colon cancer.", "colon cancer", {"screening"}),
    ("Prostate cancer screening - PSA drawn today.", "Prostate cancer", {"screening"}),
    ("Former smoker - eligible for lung cancer screening.", "lung cancer", {"screening"}),
    ("Depression screen negative.", "Depression", {"screening", "negated"}),
    ("GI referral to evaluate for celiac disease.", "celiac disease", {"uncertain"}),
    ("Work-up for lupus is pending.", "lupus", {"uncertain"}),
    ("Colon cancer, stage II.", "Colon cancer", set()),
])
def test_the_screening_assertion(checker, text, target, flags):
    mention = next(m for m in checker.extract(text) if m.text == target)
    assert {flag for flag in ("screening", "negated", "uncertain", "hypothetical") if getattr(mention, flag)} == flags


def test_a_screening_mention_never_documents_the_disease(checker):
    note = "Reason for visit: Screening for colon cancer.\nA/P: 1. Screening for colon cancer - colonoscopy scheduled."
    result = checker.check(note, ["Z12.11", "C18.9"])
    assert {code.code: code.status for code in result.codes} == {"Z12.11": "supported", "C18.9": "unsupported"}
    finding = result.findings_of("unsupported_code")[0]
    assert "target of a screening" in finding.message and finding.evidence
    assert not result.findings_of("unbilled_condition")


def test_a_screening_with_family_history_is_family_history(checker):
    note = "HPI: Prostate cancer screening. Family history of prostate cancer (father).\nA/P: PSA today."
    result = checker.check(note, ["Z12.5", "C61", "Z80.42"])
    assert {code.code: code.status for code in result.codes} == {
        "Z12.5": "supported", "C61": "family_history_only", "Z80.42": "supported"}
    assert result.findings_of("family_history_only")[0].related_code == "Z80.42"


# --- allergies ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("note", "dx", "statuses"), [
    ("Allergies: penicillin (rash), sulfa.\nA/P: URI.", ["Z88.0", "Z88.2"], ["supported", "supported"]),
    ("A/P: Allergy to penicillin noted.", ["Z88.0"], ["supported"]),
    ("HPI: allergic to PCN.\nA/P: cellulitis.", ["Z88.0"], ["supported"]),
    ("Allergies: latex, shellfish, IV contrast.", ["Z91.040", "Z91.013", "Z91.041"], ["supported"] * 3),
    ("Allergies: NKDA.", ["Z88.0"], ["unsupported"]),
    ("HPI: no allergy to penicillin.", ["Z88.0"], ["negated"]),
    ("A/P: otitis media, started amoxicillin.", ["Z88.0"], ["unsupported"]),  # a drug given is no allergy
    # an allergy is no long-term use, and a drug taken is no allergy
    ("A/P: aspirin allergy.", ["Z79.82", "Z88.6"], ["unsupported", "supported"]),
    ("Meds: aspirin 81 mg daily.", ["Z79.82", "Z88.6"], ["supported", "unsupported"]),
])
def test_an_allergy_supports_its_allergy_status_code(outcome, note, dx, statuses):
    assert outcome(note, dx)[0] == dict(zip(dx, statuses))


def test_allergy_classes_are_allergy_status_codes():
    from chartaudit.extract.evidence.tables import AllergyCodes
    from chartaudit.knowledge.kinds import kind_of

    allergies = AllergyCodes.from_dir(DEFAULT)
    assert {kind_of(code) for code in allergies.classes} == {"allergy"}
    assert ("allergy", "allergic to penicillin", ("Z88.0",), "penicillin allergy") in set(allergies.terms())
