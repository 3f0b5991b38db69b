"""Section detection: line-anchored headers, the assessment-and-plan gap, MTSamples headers."""

from __future__ import annotations

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.sections import SectionRule, SectionRules
from chartaudit.resources import default_model_dir


@pytest.fixture(scope="module")
def rules() -> SectionRules:
    return SectionRules.from_json(default_model_dir() / "section_rules.json")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def categories(rules: SectionRules, text: str) -> list[str]:
    return [header.category for header in rules.find_headers(text)]


def test_common_headers(rules: SectionRules) -> None:
    text = (
        "CC: cough\nHPI: 3 days\nROS: negative\nPMH: HTN\nPSH: none\nFHx: CAD\nSH: no tobacco\n"
        "Meds: lisinopril\nAllergies: NKDA\nPE: clear\nLabs: normal\nImaging: CXR clear\n"
        "Assessment: bronchitis\nPlan: rest\nImpression: URI\nDischarge Diagnoses: pneumonia\n"
    )
    assert categories(rules, text) == [
        "chief_complaint",
        "history_of_present_illness",
        "review_of_systems",
        "past_medical_history",
        "past_surgical_history",
        "family_history",
        "social_history",
        "medications",
        "allergies",
        "physical_exam",
        "labs",
        "imaging",
        "assessment",
        "plan",
        "impression",
        "diagnoses",
    ]


@pytest.mark.parametrize("header", ["Assessment and Plan:", "Assessment & Plan:", "A/P:", "A&P:", "ASSESSMENT AND PLAN:"])
def test_assessment_and_plan_headers(rules: SectionRules, header: str) -> None:
    assert categories(rules, f"HPI: cough\n{header} bronchitis") == ["history_of_present_illness", "assessment_and_plan"]


def test_header_needs_line_start_or_sentence_end(rules: SectionRules) -> None:
    assert categories(rules, "We discussed the plan: rest and fluids.") == []
    assert categories(rules, "Seen today. Plan: rest.") == ["plan"]


def test_a_header_after_a_run_of_spaces_in_a_flattened_report(rules: SectionRules) -> None:
    text = "Measurements Not Obtainable ***        REFERRING DIAGNOSIS: CHEST PAIN"
    assert categories(rules, text) == ["other"]
    # spaces inside a header: one header, not a second one inside it
    assert categories(rules, "MILD   TRICUSPID REGURGITATION: TRACE.") == ["other"]
    assert categories(rules, "Sex: M  Plan: none") == []  # two spaces separate fields, not lines


def test_header_needs_colon_or_line_break(rules: SectionRules) -> None:
    assert categories(rules, "Plan to follow up in a week.") == []
    assert categories(rules, "Assessment and Plan\n1. HTN") == ["assessment_and_plan"]


def test_mtsamples_style_caps_headers(rules: SectionRules) -> None:
    text = "HISTORY OF PRESENT ILLNESS:,  Cough.,PAST MEDICAL HISTORY: , HTN.,IMPRESSION:,  Bronchitis."
    assert categories(rules, text) == ["history_of_present_illness", "past_medical_history", "impression"]


def test_unknown_caps_header_ends_the_previous_section(rules: SectionRules) -> None:
    text = "DIAGNOSIS: Hernia.\nPROCEDURE IN DETAIL: The hernia sac was reduced."
    assert categories(rules, text) == ["diagnoses", "other"]


def test_rules_from_medspacy_format(tmp_path) -> None:
    path = tmp_path / "section_rules.json"
    path.write_text('{"section_rules": [{"literal": "Problems", "category": "diagnoses"}]}', encoding="utf-8")
    loaded = SectionRules.from_json(path)
    assert loaded.rules == [SectionRule("Problems", "diagnoses")]
    assert categories(loaded, "Problems: asthma") == ["diagnoses"]


def test_no_family_history_leak_after_assessment_and_plan(extractor: Extractor) -> None:
    text = (
        "Family History: mother with diabetes.\n"
        "Assessment and Plan:\n1. Hypertension - continue lisinopril.\n"
        "A/P: asthma, stable.\n"
    )
    mentions = {mention.text: mention for mention in extractor.extract(text)}
    assert mentions["diabetes"].section == "family_history"
    assert mentions["diabetes"].family
    assert mentions["Hypertension"].section == "assessment_and_plan"
    assert not mentions["Hypertension"].family
    assert mentions["asthma"].section == "assessment_and_plan"
    assert mentions["asthma"].affirmed


def test_section_history_assertions(extractor: Extractor) -> None:
    text = "PMH: asthma\nPSH: appendicitis\nFH: stroke\nHPI: cough"
    mentions = {mention.text: mention for mention in extractor.extract(text)}
    assert mentions["asthma"].historical
    assert mentions["appendicitis"].historical
    assert mentions["stroke"].family
    assert mentions["cough"].affirmed


def test_review_of_systems_is_not_negated_by_its_section(extractor: Extractor) -> None:
    mentions = extractor.extract("ROS: positive for cough.")
    assert [mention.section for mention in mentions] == ["review_of_systems"]
    assert mentions[0].affirmed


def section_of(extractor: Extractor, text: str, phrase: str) -> str | None:
    return next(mention.section for mention in extractor.extract(text) if mention.text == phrase)


def test_an_inline_test_name_covers_only_its_sentence(extractor: Extractor) -> None:
    text = ("Hospital Course: admitted with cough and fever. CXR: right lower lobe pneumonia, no effusion. "
            "On day 2 she developed acute kidney injury.\nImaging: CT chest: no pulmonary embolism.\n"
            "Mild atelectasis.")
    assert section_of(extractor, text, "pneumonia") == "imaging"
    assert section_of(extractor, text, "acute kidney injury") == "other"  # the hospital course goes on
    assert section_of(extractor, text, "atelectasis") == "imaging"  # a header at a line start is a section


def test_a_chief_complaint_is_one_line(extractor: Extractor) -> None:
    text = "CARDIOLOGY\nReason for visit: fatigue.\n69 yo M. Old anterior Q waves, MI 2018.\nPlan: echo."
    assert section_of(extractor, text, "fatigue") == "chief_complaint"
    assert section_of(extractor, text, "MI") is None
    assert section_of(extractor, "CC:\nchest pain\nHPI: 3 days.", "chest pain") == "chief_complaint"
