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
