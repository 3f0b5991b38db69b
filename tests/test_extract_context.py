"""ConText assertions: negation scope, history, family, hypothetical, uncertainty."""

from __future__ import annotations

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.context.rules import expand_pattern


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def by_text(extractor: Extractor, text: str) -> dict[str, object]:
    return {mention.text: mention for mention in extractor.extract(text)}


def test_denies_chest_pain_is_negated(extractor: Extractor) -> None:
    mentions = by_text(extractor, "Patient denies chest pain.")
    assert mentions["chest pain"].negated
    assert mentions["chest pain"].assertion == "negated"


def test_ros_list_is_negated_in_full(extractor: Extractor) -> None:
    mentions = by_text(extractor, "ROS: negative for fever, chills, cough")
    assert [mentions[name].negated for name in ("fever", "chills", "cough")] == [True, True, True]


def test_negation_stops_at_the_sentence_end(extractor: Extractor) -> None:
    mentions = by_text(extractor, "No fever. Cough present.")
    assert mentions["fever"].negated
    assert not mentions["Cough"].negated


@pytest.mark.parametrize("termination", ["but", "however", "presents with", "complains of", "c/o"])
def test_terminations_stop_negation(extractor: Extractor, termination: str) -> None:
    mentions = by_text(extractor, f"Denies fever {termination} cough.")
    assert mentions["fever"].negated
    assert not mentions["cough"].negated


def test_history(extractor: Extractor) -> None:
    for text in ("h/o MI", "History of MI.", "s/p MI", "Status post MI.", "Prior MI."):
        mention = extractor.extract(text)[0]
        assert mention.historical, text
        assert mention.codes == ["I21.9"]


def test_family(extractor: Extractor) -> None:
    assert by_text(extractor, "Mother with breast cancer.")["breast cancer"].family
    assert by_text(extractor, "Breast cancer in her mother.")["Breast cancer"].family
    assert by_text(extractor, "Family history of CAD.")["CAD"].family
    assert not by_text(extractor, "Family history of CAD.")["CAD"].historical


def test_family_does_not_reach_the_patient(extractor: Extractor) -> None:
    mentions = by_text(extractor, "Mother with breast cancer. Patient has asthma.")
    assert not mentions["asthma"].family


def test_uncertain(extractor: Extractor) -> None:
    assert by_text(extractor, "r/o pneumonia")["pneumonia"].uncertain
    assert by_text(extractor, "Possible UTI.")["UTI"].uncertain
    mentions = by_text(extractor, "Pneumonia vs bronchitis.")
    assert mentions["Pneumonia"].uncertain and mentions["bronchitis"].uncertain


def test_hypothetical(extractor: Extractor) -> None:
    assert by_text(extractor, "Return if fever.")["fever"].hypothetical
    assert by_text(extractor, "Call if chest pain worsens.")["chest pain"].hypothetical


def test_affirmed(extractor: Extractor) -> None:
    mention = extractor.extract("Assessment: pneumonia.")[0]
    assert mention.affirmed
    assert not any((mention.negated, mention.historical, mention.family, mention.hypothetical, mention.uncertain))


def test_modifier_across_a_header_boundary_is_ignored(extractor: Extractor) -> None:
    assert by_text(extractor, "PE: no edema")["edema"].negated


def test_expand_pattern() -> None:
    pattern = [{"LOWER": {"IN": ["deny", "denies"]}}, {"LOWER": "any", "OP": "?"}]
    assert expand_pattern(pattern) == ["denies", "denies any", "deny", "deny any"]
    assert expand_pattern([{"LOWER": "no"}, {"OP": "*"}]) is None
    assert expand_pattern("regex") is None


# -- assessing supplied spans, and the general rules added for the NegEx evaluation --


def flags_of(extractor: Extractor, text: str, phrase: str) -> frozenset[str]:
    """The assertion flags of ``phrase`` (first occurrence) assessed as a supplied span."""
    start = text.index(phrase)
    return extractor.assess(text, [(start, start + len(phrase))])[0].flags


def test_assess_supplied_spans(extractor: Extractor) -> None:
    text = "Denies zorbitis. Grumbleosis noted."  # conditions no lexicon knows
    first, second, outside = extractor.assess(text, [(7, 15), (17, 28), (50, 60)])
    assert first.flags == {"negated"} and first.assertion == "negated"
    assert second.flags == frozenset() and second.assertion == "affirmed"
    assert outside.flags == frozenset() and (outside.start, outside.end) == (50, 60)
    assert extractor.assess("", [(0, 3)])[0].flags == frozenset()
    # a span off token boundaries is widened, not dropped
    assert extractor.assess("No zorbitis.", [(4, 8)])[0].flags == {"negated"}


def test_assess_agrees_with_extract(extractor: Extractor) -> None:
    text = "History of MI. Denies chest pain. Mother with breast cancer."
    for mention in extractor.extract(text):
        assessed = extractor.assess(text, [(mention.start, mention.end)])[0]
        assert assessed.assertion == mention.assertion, mention.text


@pytest.mark.parametrize(("text", "phrase"), [
    ("No significant change in the pleural effusion.", "pleural effusion"),
    ("No interval change of the pulmonary nodule.", "pulmonary nodule"),
    ("Gram negative bacteremia.", "bacteremia"),
    ("Voiding without difficulty.", "Voiding"),
    ("CT head without contrast shows a hemorrhage.", "hemorrhage"),
])
def test_pseudo_negations_negate_nothing(extractor: Extractor, text: str, phrase: str) -> None:
    assert "negated" not in flags_of(extractor, text, phrase)


def test_no_change_in_a_review_of_systems_still_negates(extractor: Extractor) -> None:
    assert "negated" in flags_of(extractor, "No change in vision or diplopia.", "diplopia")


@pytest.mark.parametrize(("text", "phrase"), [
    ("No edema in the legs which show varicose veins.", "varicose veins"),
    ("1) No fracture 2) Soft tissue swelling.", "Soft tissue swelling"),
    ("He is not cooperative and he is confused.", "confused"),
    ("Hypertension, on DVT prophylaxis.", "Hypertension"),
])
def test_negation_scope_ends(extractor: Extractor, text: str, phrase: str) -> None:
    assert "negated" not in flags_of(extractor, text, phrase)


def test_resolved_is_negated_not_historical(extractor: Extractor) -> None:
    assert flags_of(extractor, "His cough resolved.", "cough") == {"negated"}


def test_no_history_of_is_negated_and_historical(extractor: Extractor) -> None:
    assert flags_of(extractor, "No history of stroke.", "stroke") == {"negated", "historical"}


@pytest.mark.parametrize(("text", "phrase"), [
    ("Quit smoking in 2005.", "smoking"),
    ("Myocardial infarction 3 years ago.", "Myocardial infarction"),
    ("Appendicitis in 1998, treated surgically.", "Appendicitis"),
    ("Old infarct in the left frontal lobe.", "infarct"),
    ("Former smoker.", "smoker"),
])
def test_temporal_cues_are_historical(extractor: Extractor, text: str, phrase: str) -> None:
    assert "historical" in flags_of(extractor, text, phrase)


@pytest.mark.parametrize(("text", "phrase"), [
    ("A 45-year-old man with cough.", "cough"),
    ("Two-day history of fever and chills.", "fever"),
    ("History of present illness: cough for a week.", "cough"),
    ("History of asthma, now with wheezing.", "wheezing"),
    ("History of asthma who presents with pneumonia.", "pneumonia"),
    ("Mass is unchanged, as previously noted.", "Mass"),
])
def test_recent_and_pseudo_historical(extractor: Extractor, text: str, phrase: str) -> None:
    assert "historical" not in flags_of(extractor, text, phrase)


def test_recent_ends_history_but_not_negation(extractor: Extractor) -> None:
    assert "negated" in flags_of(extractor, "Denies any recent cough.", "cough")
    assert "historical" in flags_of(extractor, "History of asthma, now with wheezing.", "asthma")


def test_rules_file_may_give_terminated_by(tmp_path) -> None:
    import json

    from chartaudit.extract.context.rules import load_context_rules

    rules = [
        {"category": "HISTORICAL", "literal": "history", "direction": "FORWARD", "terminated_by": ["recent"]},
        {"category": "RECENT", "literal": "now", "direction": "PSEUDO"},
    ]
    (tmp_path / "context_rules.json").write_text(json.dumps({"context_rules": rules}))
    loaded = load_context_rules(tmp_path)
    assert loaded[0].terminated_by == {"RECENT"}
    assert loaded[1].terminated_by == set()


@pytest.mark.parametrize(
    "text",
    [
        "A 46-year-old man with no history of interest presented with iron deficiency anemia.",
        "A 57-year-old woman, with no relevant medical history, was referred for hematuria.",
        "Without any urological history, he began with hematuria.",
    ],
)
def test_no_history_of_interest_negates_nothing_after_it(extractor: Extractor, text: str) -> None:
    """Case-report idiom: "no history of interest" says nothing about the findings that follow."""
    mentions = extractor.extract(text)
    assert mentions
    assert all(not mention.negated and not mention.historical for mention in mentions)


@pytest.mark.parametrize("text", ["No history of chest pain.", "He has no significant history of diabetes."])
def test_no_history_of_a_condition_is_still_negated(extractor: Extractor, text: str) -> None:
    assert [mention.negated for mention in extractor.extract(text)] == [True]


def test_token_patterns_match_only_where_they_may_start_yet_find_everything(extractor: Extractor) -> None:
    """The windowed token matcher finds what spaCy's Matcher finds over the whole note."""
    detector = extractor.nlp.get_pipe("chartaudit_context")
    matcher = detector._assertion_matcher
    assert matcher.token_matcher is not None and matcher._anchors
    text = ("No relevant medical history of interest, presented with chest pain. Without any known "
            "significant surgical history. No history of diabetes. " * 3)
    doc = extractor.nlp(text)
    assert sorted(matcher._token_matches(doc)) == sorted(matcher.token_matcher(doc))
    assert matcher._token_matches(doc)


def test_a_span_and_a_mention_with_the_same_flags_get_the_same_assertion(extractor: Extractor) -> None:
    """SpanAssertion.assertion follows Mention.assertion's priority (family before historical)."""
    from chartaudit.extract.extractor import SpanAssertion
    from chartaudit.types import Mention

    flags = frozenset({"historical", "family"})
    span = SpanAssertion(0, 4, flags)
    mention = Mention(text="x", start=0, end=4, **{flag: True for flag in flags})
    assert span.assertion == mention.assertion == "family"


@pytest.mark.parametrize(("text", "phrase"), [
    # the condition first, the cue after it
    ("Discharge diagnoses: 2. Sepsis ruled out.", "Sepsis"),
    ("2. Sepsis ruled out\n3. Cystitis, treated.", "Sepsis"),
    ("MDM: MI excluded by serial troponins.", "MI"),
    ("COVID-19 test negative (rapid antigen and PCR).", "COVID-19"),
    ("Rapid strep negative.", "strep"),
    ("Pneumonia -ve clinically.", "Pneumonia"),
    ("CXR -ve for pneumonia.", "pneumonia"),
    ("Blood cultures negative for pneumonia.", "pneumonia"),  # not "blood cultures negative" alone
    ("Urine culture negative for enterococcus.", "enterococcus"),
    ("DVT was not seen on duplex.", "DVT"),  # postposed: "was not seen", "is not identified"
    ("Pleural effusion is not identified.", "Pleural effusion"),
    ("Allergies - none.", "Allergies"),
    # after a header colon, and the later items of a denied list
    ("CT head: no hemorrhage, no fracture.", "hemorrhage"),
    ("Fever: no.\nCough: yes.", "Fever"),
    ("He reports no fever, cough, or dyspnea.", "dyspnea"),
    ("Denies SI/HI.", "SI"),
    ("Denies SI/HI.", "HI"),
    # a cue written with a run of spaces
    ("There is no   evidence of pneumonia.", "pneumonia"),
])
def test_negation_as_written(extractor: Extractor, text: str, phrase: str) -> None:
    assert "negated" in flags_of(extractor, text, phrase)


@pytest.mark.parametrize(("text", "phrase"), [
    ("Chest pain, MI ruled out.", "Chest pain"),  # a postposed cue reaches only the words right before it
    ("Fever, cultures negative.", "Fever"),
    ("Fever: no change, still febrile.", "Fever"),
    ("No change in the left pleural effusion.", "pleural effusion"),
    ("No relief of LBP with ibuprofen.", "LBP"),
    ("No improvement in the cough despite inhalers.", "cough"),
    ("She declined as she states this made her nauseated.", "nauseated"),
    ("No evidence of bleeding, the   patient remained hypotensive.", "hypotensive"),
    ("Chest pain, and the patient was not seen by cardiology.", "Chest pain"),
    ("Chest X-ray showed cardiomegaly, not present in a previous one.", "cardiomegaly"),
])
def test_not_a_negation_of_the_condition(extractor: Extractor, text: str, phrase: str) -> None:
    assert "negated" not in flags_of(extractor, text, phrase)


def test_not_excluded_is_uncertain(extractor: Extractor) -> None:
    assert flags_of(extractor, "PE not excluded.", "PE") == {"uncertain"}


@pytest.mark.parametrize(("text", "phrase"), [
    ("HPI: 48 yo F with history of chest pain for one week, sharp.", "chest pain"),
    ("CC: history of chest pain for 3 days", "chest pain"),
    ("Reason for visit: history of headache today.", "headache"),
    ("HPI: history of fever since this morning.", "fever"),
    ("Clinical history: history of cough, 3 weeks, nonsmoker.", "cough"),
    ("c/o h/o cough x2d.", "cough"),
    ("3-day history of fever to 102.5 F.", "fever"),
])
def test_history_of_with_a_duration_or_today_is_current(extractor: Extractor, text: str, phrase: str) -> None:
    assert "historical" not in flags_of(extractor, text, phrase)


@pytest.mark.parametrize(("text", "phrase"), [
    ("h/o MI, 3 weeks ago.", "MI"),
    ("History of MI 3 weeks ago, now with chest pain today.", "MI"),
    ("History of asthma for 20 years.", "asthma"),
    ("PMH: chest pain for one week in 2019.", "chest pain"),  # a past-history section stays history
    ("As a personal history, the patient reported asthma.", "asthma"),  # ", the patient" ends negations only
])
def test_history_of_without_a_current_duration_stays_history(extractor: Extractor, text: str, phrase: str) -> None:
    assert "historical" in flags_of(extractor, text, phrase)


@pytest.mark.parametrize("text, current, past", [
    # A duration before "history" says how long a current complaint has lasted.
    ("She was admitted with a 2-month history of dry cough and dyspnea.", ["cough", "dyspnea"], []),
    ("A woman with a 20-year history of rheumatoid arthritis.", ["rheumatoid arthritis"], []),
    # Treatment under way makes the condition before it current, not the rest of the list.
    ("History of hypothyroidism on medical treatment, hernia repaired in 2001 and psoriasis.",
     ["hypothyroidism"], ["hernia", "psoriasis"]),
    ("History of epilepsy in treatment.", ["epilepsy"], []),
    # A drug class names the treatment: "on anticoagulant therapy", "anticoagulated with".
    ("A history of hypertension, atrial fibrillation on anticoagulant therapy and gastritis.",
     ["atrial fibrillation"], ["hypertension", "gastritis"]),
    ("A history of hypertension and atrial fibrillation anticoagulated with acenocoumarol.",
     ["atrial fibrillation"], ["hypertension"]),
    ("History of prostate adenocarcinoma treated with radiotherapy.", [], ["prostate adenocarcinoma"]),
])
def test_current_and_past(extractor: Extractor, text: str, current: list[str], past: list[str]) -> None:
    mentions = extractor.extract(text)
    historical = [next(m for m in mentions if name in m.text).historical for name in current + past]
    assert historical == [False] * len(current) + [True] * len(past)


@pytest.mark.parametrize("text, affirmed, negated", [
    ("Splenic peliosis without necrosis, with sinus histiocytosis.",
     ["histiocytosis"], ["necrosis"]),
    ("A man with no relevant past history and no known family history of thrombosis presented to the "
     "emergency department with nausea.", ["nausea"], ["thrombosis"]),
])
def test_a_new_statement_ends_the_negation(extractor: Extractor, text: str, affirmed: list[str],
                                           negated: list[str]) -> None:
    mentions = extractor.extract(text)
    found = [next(m for m in mentions if name in m.text) for name in affirmed + negated]
    assert [m.negated for m in found] == [False] * len(affirmed) + [True] * len(negated)
    assert not any(m.family or m.historical for m in found[: len(affirmed)])
