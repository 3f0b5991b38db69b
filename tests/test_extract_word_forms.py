"""Word forms: an adjective standing for a one-word term ("erythematous" -> erythema)."""

from __future__ import annotations

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.targets.normalize import WordForms


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_candidates_follow_the_rules_and_irregular_forms() -> None:
    config = {"suffix_rules": [["otic", "osis"], ["ic", "ia"]], "words": {"pale": "pallor"}}
    forms = WordForms.from_config(config, str.lower)
    assert forms.candidates("cirrhotic") == ["cirrhosis", "cirrhotia"]
    assert forms.candidates("pale") == ["pallor"]
    assert forms.candidates("cough") == []
    assert not WordForms.from_config({}, str.lower)


@pytest.mark.parametrize(
    ("text", "word", "code"),
    [
        ("The patient was hypertensive on arrival.", "hypertensive", "I10"),
        ("She was anemic and tachycardic.", "anemic", "D64.9"),
        ("She was anemic and tachycardic.", "tachycardic", "R00.0"),
        ("A painful nodule in the thigh.", "painful", "R52"),
        ("Erythematous plaques on both legs.", "Erythematous", "L53.9"),
        ("A 63-year-old diabetic and smoker.", "diabetic", "E11"),  # an irregular form of a plural-looking term
        ("Thin and cachectic on arrival.", "cachectic", "R64"),
        ("Two melenic stools at home.", "melenic", "K92.1"),
        ("Eclamptic seizure at 36 weeks.", "Eclamptic", "O15.9"),
    ],
)
def test_adjectives_document_their_condition(extractor: Extractor, text: str, word: str, code: str) -> None:
    codes = {mention.text: mention.codes for mention in extractor.extract(text)}
    assert codes.get(word) == [code]


@pytest.mark.parametrize("text", ["A non-diabetic, non-hypertensive man.", "A non diabetic man."])
def test_a_form_after_non_names_no_condition(extractor: Extractor, text: str) -> None:
    assert extractor.extract(text) == []


def test_a_literal_longer_term_wins(extractor: Extractor) -> None:
    mentions = extractor.extract("Hypertensive heart disease was known.")
    assert [(mention.text, mention.codes) for mention in mentions] == [("Hypertensive heart disease", ["I11.9"])]


def test_a_form_that_is_no_term_finds_nothing(extractor: Extractor) -> None:
    assert extractor.matcher.term_form("fantastic") is None
    assert extractor.extract("A fantastic and informative visit.") == []


@pytest.mark.parametrize(
    ("text", "word", "code"),
    [
        ("Serology was positive for Brucella.", "Brucella", "A23.9"),
        ("Blood cultures grew Listeria.", "Listeria", "A32.9"),
        ("Ventriculomegaly with hydrocephalia.", "hydrocephalia", "G91.9"),
    ],
)
def test_an_organism_or_variant_noun_documents_its_condition(
    extractor: Extractor, text: str, word: str, code: str
) -> None:
    codes = {mention.text: mention.codes for mention in extractor.extract(text)}
    assert codes.get(word) == [code]


def test_organ_adjectives_name_the_organ(extractor: Extractor) -> None:
    """Generated terms: "Disorder of bone" is also "osseous disorder", "disturbance" also "disorder"."""
    codes = {mention.text: mention.codes for mention in extractor.extract("An osseous disorder and speech disorders.")}
    assert codes.get("osseous disorder") == ["M89.9"]
    assert codes.get("speech disorders") == ["R47.9"]


def test_organ_findings_name_the_organs_residual_code(extractor: Extractor) -> None:
    """Generated "<finding> of <organ>" terms (components.targets.organ_findings)."""
    codes = {mention.text: mention.codes for mention in extractor.extract(
        "A renal mass was seen. Bone lesion of the femur. Lesions of the bladder.")}
    assert codes.get("renal mass") == ["N28.89"]
    assert codes.get("Bone lesion") == ["M89.9"]
    assert codes.get("Lesions of the bladder") == ["N32.89"]


def test_organ_findings_generator_skips_excluded_and_ambiguous_organs() -> None:
    cm = pytest.importorskip("simple_icd_10_cm")
    from chartaudit.extract.targets.build import organ_finding_texts

    codes = ["N28.89", "N28.9", "M89.9", "J98.4", "K76.89"]
    pairs = organ_finding_texts(cm, codes, {"lesion": [], "mass": ["lung"]}, ["kidney and ureter", "lung", "bone"])
    assert ("mass of kidney and ureter", "N28.89") in pairs  # "other specified" wins over unspecified
    assert ("lesion of bone", "M89.9") in pairs
    assert ("lesion of lung", "J98.4") in pairs
    assert not any(text == "mass of lung" for text, _ in pairs)
    assert not any("liver" in text for text, _ in pairs)  # not a listed organ


def test_smoking_is_documented_and_a_non_smoker_is_not(extractor: Extractor) -> None:
    mentions = extractor.extract("He smokes 20 cigarettes a day. His wife is a non-smoker.")
    assert [(mention.text, mention.codes) for mention in mentions] == [("smokes", ["F17.210"]), ("non-smoker", [])]


def test_elevated_findings_read_as_notes_write_them(extractor: Extractor) -> None:
    codes = {mention.text: mention.codes for mention in extractor.extract(
        "Increased transaminases. Persistent elevation of transaminases. Increased white blood cell count.")}
    assert codes.get("Increased transaminases") == ["R74.01"]
    assert codes.get("elevation of transaminases") == ["R74.01"]
    assert codes.get("Increased white blood cell count") == ["D72.829"]


def test_index_terms_for_enlargement_and_regional_pain(extractor: Extractor) -> None:
    codes = {mention.text: mention.codes for mention in extractor.extract(
        "Splenic enlargement and lumbalgia.")}
    assert codes == {"Splenic enlargement": ["R16.1"], "lumbalgia": ["M54.50"]}


def test_coordinated_modifiers_share_the_head(extractor: Extractor) -> None:
    mentions = extractor.extract("Bone and liver metastases. Serology for hepatitis B and C was negative.")
    found = {mention.text: (mention.codes, mention.negated) for mention in mentions}
    assert found["Bone"] == (["C79.51"], False)
    assert found["liver metastases"] == (["C78.7"], False)
    assert found["C"] == (["B19.20"], True)
    assert found["hepatitis B"] == (["B19.10"], True)


def test_coordination_needs_a_term_for_each_modifier(extractor: Extractor) -> None:
    texts = [mention.text for mention in extractor.extract("Nausea and abdominal pain. Chest pain and fever.")]
    assert texts == ["Nausea", "abdominal pain", "Chest pain", "fever"]


def test_a_form_before_a_drug_word_is_a_drug_class(extractor: Extractor) -> None:
    assert extractor.extract("Treated with hypotensive medication.") == []
    assert [mention.codes for mention in extractor.extract("She was hypotensive.")] == [["I95.9"]]


def test_a_full_word_memory_is_cleared_without_losing_a_notes_forms() -> None:
    from chartaudit.extract.targets import matcher as matcher_module

    extractor = Extractor(cache_size=0)
    text = "The patient was hypertensive on arrival."
    assert {m.text: m.codes for m in extractor.extract(text)}.get("hypertensive") == ["I10"]
    matcher = extractor.matcher
    matcher._form_checked.update(f"filler{number}" for number in range(matcher_module._MAX_CACHE + 1))
    again = text + " Zqxwv noted."  # a new word, so that the memory is cleared on this note
    assert {m.text: m.codes for m in extractor.extract(again)}.get("hypertensive") == ["I10"]
    assert len(matcher._form_checked) < 1_000
