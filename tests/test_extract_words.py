"""The word search: a billed code's phrase written apart in one sentence (source "words")."""

from __future__ import annotations

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.words import WordsConfig


@pytest.fixture(scope="module")
def config(checker) -> WordsConfig:
    return checker.extractor.matcher.words_config


def test_required_words(config: WordsConfig) -> None:
    assert config.required_words(("calculus", "of", "kidney")) == ("calculus", "kidney")
    assert config.required_words(("pain", "unspecified")) is None  # one word names something
    assert config.required_words(("secondary", "hemorrhage")) is None  # "secondary" names nothing
    assert config.required_words(("cystitis", "without", "hematuria")) is None  # what follows "without" is absent
    assert config.required_words(("hepatitis", "b", "chronic")) is None
    assert config.required_words(("type", "2", "diabetes", "mellitus")) == ("type", "2", "diabetes", "mellitus")


def test_every_phrase_looked_for_names_two_things(checker, config: WordsConfig) -> None:
    search = checker.extractor.matcher.word_search
    for code in ("R52", "N20.0", "C56", "K75.9"):
        for phrase in search.phrases(code):
            naming = [w for w in phrase.words if len(w) >= 3 and w.isalpha() and w not in config.weak_words]
            assert len(naming) >= config.min_words, (code, phrase)
    assert all(len(phrase.words) > 1 for phrase in search.phrases("R52"))  # never "pain" alone


def test_words_apart_in_one_sentence_support(checker) -> None:
    note = "CT showed lithiasis in the lower pole of the left kidney.\nAdenocarcinoma of the breast and ovary."
    result = checker.check(note, dx=["N20.0", "C56", "I10"], setting="inpatient")
    codes = {code.code: code for code in result.codes}
    assert codes["N20.0"].status == "supported"
    assert [(e.text, e.source) for e in codes["N20.0"].evidence] == [
        ("lithiasis in the lower pole of the left kidney", "words")]
    assert codes["C56"].status == "supported"
    assert codes["I10"].status == "unsupported"
    assert any(m.source == "words" for m in result.mentions)
    # The mentions found by their words document the codes they were looked for, nothing else.
    assert not [f for f in result.findings if f.type == "unbilled_condition" and any(
        e.source == "words" for e in f.evidence)]


@pytest.mark.parametrize("note, status", [
    ("No evidence of lithiasis in the lower pole of the left kidney.", "negated"),
    ("History of lithiasis in the lower pole of the left kidney, treated in 2010.", "history_only"),
    ("Lithiasis was ruled out. The left kidney is normal.", "unsupported"),  # two sentences
    ("Lithiasis was seen in the gallbladder. The left kidney is normal.", "unsupported"),
    ("Lithiasis was seen in the gallbladder wall, which was thick, with a normal appearance of the "
     "pancreas, spleen and left kidney.", "unsupported"),  # too far apart
])
def test_words_apart_are_assessed(outcome, note: str, status: str) -> None:
    statuses, _ = outcome(note, ["N20.0"], setting="inpatient")
    assert statuses["N20.0"] == status


@pytest.mark.parametrize("note, status", [
    ("Blood tests showed a slight elevation in both bilirubin and liver enzymes.", "supported"),
    ("The bilirubin persisted slightly elevated.", "supported"),
    ("Bilirubin was 1.1 mg/dl; the transaminases were elevated in 2010.", "unsupported"),  # two sentences
])
def test_a_lexicon_phrase_written_apart(outcome, note: str, status: str) -> None:
    """The lexicon's phrases are looked for too: "elevated bilirubin" is hyperbilirubinemia (E80.7)."""
    statuses, _ = outcome(note, ["E80.7"], setting="inpatient")
    assert statuses["E80.7"] == status


def test_findings_say_how_the_mention_was_found(checker) -> None:
    note = "No evidence of lithiasis in the lower pole of the left kidney."
    result = checker.check(note, dx=["N20.0"], setting="inpatient")
    [finding] = [f for f in result.findings if f.type == "negated_evidence"]
    assert f'"{note}" [its words apart]' in finding.message


def test_a_mention_found_for_one_code_documents_that_code_only(outcome) -> None:
    # "pain in the flank" is flank pain (R10.9); it says nothing of an abdominal swelling (R19.00).
    statuses, _ = outcome("He complained of pain in the flank.", ["R10.9", "R19.00"], setting="inpatient")
    assert statuses == {"R10.9": "supported", "R19.00": "unsupported"}


def test_side_words_of_the_window(outcome) -> None:
    extractor = Extractor(cache_size=0)
    found = extractor.find_words("Edema of the upper left eyelid was seen.", ["H02.844", "H02.841"])
    assert [(m.text, m.laterality, m.source) for m in found["H02.844"]] == [
        ("Edema of the upper left eyelid", "left", "words")]
    # Looked for the right upper eyelid, the window (of a phrase without a side) states the left one.
    assert [m.laterality for m in found["H02.841"]] == ["left"]
    statuses, _ = outcome("Edema of the upper left eyelid was seen.", ["H02.841"], setting="inpatient")
    assert statuses == {"H02.841": "laterality_mismatch"}


def test_find_words_remembers_and_never_raises(checker) -> None:
    extractor = checker.extractor
    note = "Ultrasound: lithiasis in the left kidney."
    first = extractor.find_words(note, ["N20.0"])
    again = extractor.find_words(note, ["N20.0"])
    assert first == again and first["N20.0"][0].source == "words"
    first["N20.0"][0].codes.append("X")  # callers may change theirs
    assert extractor.find_words(note, ["N20.0"])["N20.0"][0].codes == ["N20.0"]
    assert extractor.find_words("", ["N20.0"]) == {} and extractor.find_words(note, []) == {}
    with pytest.raises(TypeError):
        extractor.find_words(None, ["N20.0"])  # type: ignore[arg-type]
