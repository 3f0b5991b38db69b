"""The specificity check: the details a code's title claims, and how a note's words document them."""

from __future__ import annotations

import pytest

from chartaudit.compare.specificity import NoteWords, SpecificityRules, stated_unrelated, tokens
from chartaudit.types import Mention


@pytest.fixture(scope="module")
def check(checker):
    return checker.specificity


def _texts(check, code: str, reference_code: str) -> list[str]:
    reference = check.reference_words([Mention(text="", start=0, end=0, codes=[reference_code])], code)
    return [element.text for element in check.elements(code, reference)]


@pytest.mark.parametrize(
    ("code", "reference_code", "elements"),
    [
        ("I50.23", "I50.9", ["acute on chronic systolic"]),  # "(congestive)" is nonessential
        ("E11.52", "E11", ["peripheral angiopathy", "gangrene"]),
        ("N18.4", "N18.9", ["stage 4"]),  # "(severe)" is nonessential
        ("E11.319", "E11", ["retinopathy"]),  # "without macular edema" is the default
        ("E11.9", "E11", []),  # "without complications"
        ("F32.1", "F32.9", ["moderate"]),  # "single episode" is the Index default
        ("S52.502A", "S52.50", ["left"]),  # initial encounter, closed: the defaults of an injury
        ("S52.502D", "S52.50", ["left", "subsequent encounter", "healing"]),
        ("H91.90", "H91.9", []),  # "unspecified ear" leaves the ear open
        ("J45.909", "J45.909", []),
        ("I12.9", "I12", []),  # "stage 1 through stage 4 ..., or unspecified": any stage
        ("D49.2", "D49.9", ["bone or soft tissue or skin"]),  # an enumeration is one alternative
    ],
)
def test_a_title_adds_its_details_beyond_the_reference(check, code, reference_code, elements):
    assert _texts(check, code, reference_code) == elements


def _words(text: str, anchors=()) -> NoteWords:
    return NoteWords([text], SpecificityRules.from_dir(_default()), anchors)


def _default():
    from chartaudit.resources import default_model_dir

    return default_model_dir()


@pytest.mark.parametrize(
    ("text", "phrase", "before", "found"),
    [
        ("T2DM, no retinopathy on dilated exam.", "retinopathy", "", "denied"),
        ("No fever. Mild NPDR with retinopathy OU.", "retinopathy", "", "affirmed"),  # the cue ends at the period
        ("PAD without gangrene.", "gangrene", "", "denied"),
        ("Non-displaced fracture.", "nondisplaced", "", "affirmed"),
        ("CKD stage IV.", "4", "stage", "affirmed"),
        ("CKD 3a, eGFR 4.", "3", "stage", "affirmed"),  # "CKD" is an anchor: "3a" is a stage 3
        ("eGFR 26, K 4.9, 4 weeks.", "4", "stage", ""),  # a number with no qualifier is no stage
        ("Exacerbated by a cold.", "exacerbation", "", "affirmed"),  # one stem
        ("Asthma.", "asthmaticus", "", ""),  # six letters alone are no stem
    ],
)
def test_note_words_find_affirmed_denied_or_absent(text, phrase, before, found):
    assert _words(text, anchors=["ckd"]).find(tuple(tokens(phrase)), before) == found


def _mention(note: str, text: str, codes: list[str]) -> Mention:
    start = note.index(text)
    sentence_start = note.rfind("\n", 0, start) + 1
    sentence_end = note.find("\n", start)
    return Mention(text=text, start=start, end=start + len(text), codes=codes, sentence_start=sentence_start,
                   sentence_end=sentence_end if sentence_end >= 0 else len(note))


def test_a_statement_of_another_cause_unlinks_two_conditions(checker):
    note = "1. CKD stage 3a due to ADPKD, not due to diabetes.\n2. T2DM, diet controlled.\n"
    ckd = _mention(note, "CKD", ["N18.9"])
    diabetes = _mention(note, "diabetes", ["E11"])
    t2dm = _mention(note, "T2DM", ["E11"])
    rules = checker.specificity.rules
    assert stated_unrelated([t2dm], [ckd], note, [ckd, diabetes, t2dm], rules, checker.relations) is ckd
    linked = "1. CKD stage 3a due to ADPKD.\n2. T2DM, diet controlled.\n"
    ckd, t2dm = _mention(linked, "CKD", ["N18.9"]), _mention(linked, "T2DM", ["E11"])
    assert stated_unrelated([t2dm], [ckd], linked, [ckd, t2dm], rules, checker.relations) is None


def test_a_model_without_the_file_checks_no_detail(tmp_path):
    rules = SpecificityRules.from_file(tmp_path / "specificity.json")
    assert rules.enabled is False
