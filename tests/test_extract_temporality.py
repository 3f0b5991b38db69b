"""NegEx temporality (``temporality_rules.json``): when a condition began, apart from
the billing flag ``historical`` (past, not current) that decides ``history_only``.

Own sentences only; no test needs ../shared/data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.context.rules import (
    TemporalityRules,
    load_temporality_rules,
    temporality_of,
)
from chartaudit.model import ModelError, validate_model
from chartaudit.resources import default_model_dir
from chartaudit.types import Mention


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def assessed(extractor: Extractor, text: str, phrase: str):  # noqa: ANN201 - a SpanAssertion
    start = text.index(phrase)
    return extractor.assess(text, [(start, start + len(phrase))])[0]


@pytest.mark.parametrize(("text", "phrase"), [
    ("She has a 10-year history of hypertension.", "hypertension"),
    ("Known CAD, on aspirin.", "CAD"),
    ("Chronic low back pain.", "low back pain"),
    ("Long-standing atrial fibrillation, rate controlled.", "atrial fibrillation"),
    ("Migraines since childhood.", "Migraines"),
    ("Asthma for many years.", "Asthma"),
    ("Knee pain for the past 2 years.", "Knee pain"),
    ("Social history: smoker.", "smoker"),
    ("Hypertension.", "Hypertension"),
    ("Denies alcohol or drugs.", "drugs"),
    ("Given his risk factors including tobacco use, an EKG was done.", "tobacco use"),
])
def test_earlier_onset_is_historical_temporality(extractor: Extractor, text: str, phrase: str) -> None:
    assert assessed(extractor, text, phrase).temporality == "historical"


@pytest.mark.parametrize(("text", "phrase"), [
    ("Chest pain since this morning.", "Chest pain"),
    ("Cough for 3 days.", "Cough"),
    ("Acute hypertension today.", "hypertension"),
    ("New onset diabetes.", "diabetes"),
    ("Pulmonary hypertension.", "Pulmonary hypertension"),
    ("Fever and chills.", "Fever"),
    ("He was not known to have pneumonia.", "pneumonia"),
])
def test_recent_onset_is_recent(extractor: Extractor, text: str, phrase: str) -> None:
    assert assessed(extractor, text, phrase).temporality == "recent"


def test_hypothetical_and_history_carry_over(extractor: Extractor) -> None:
    assert assessed(extractor, "Return if fever develops.", "fever").temporality == "hypothetical"
    history = assessed(extractor, "History of stroke.", "stroke")
    assert "historical" in history.flags and history.temporality == "historical"


def test_temporality_never_changes_the_billing_flags(extractor: Extractor) -> None:
    chronic = assessed(extractor, "Known CAD. Hypertension for 10 years.", "CAD")
    assert chronic.flags == frozenset() and chronic.assertion == "affirmed"
    assert "onset_past" not in chronic.flags
    mentions = {mention.text.lower(): mention for mention in extractor.extract(
        "Known coronary artery disease. Hypertension for 10 years. Cough since this morning.")}
    assert mentions["coronary artery disease"].temporality == "historical"
    assert not mentions["coronary artery disease"].historical
    assert mentions["hypertension"].affirmed and mentions["hypertension"].temporality == "historical"
    assert mentions["cough"].temporality == "recent"


def test_mention_temporality_follows_its_flags() -> None:
    assert Mention("x", 0, 1).temporality == "recent"
    assert Mention("x", 0, 1, historical=True).temporality == "historical"
    assert Mention("x", 0, 1, hypothetical=True, historical=True).temporality == "hypothetical"
    assert Mention("x", 0, 1, temporality="historical").to_dict()["temporality"] == "historical"


def test_temporality_of() -> None:
    assert temporality_of(set()) == "recent"
    assert temporality_of({"onset_past"}) == "historical"
    assert temporality_of({"negated", "historical"}) == "historical"
    assert temporality_of({"hypothetical", "onset_past"}) == "hypothetical"


def test_chronic_conditions_and_exceptions() -> None:
    rules = TemporalityRules(chronic_conditions=["hypertension", "tobacco use"], not_chronic=["pulmonary hypertension"])
    assert rules.is_chronic("Essential HYPERTENSION")
    assert rules.is_chronic("tobacco   use")
    assert not rules.is_chronic("pulmonary hypertension")
    assert not rules.is_chronic("hypertensive urgency")
    assert TemporalityRules().empty and not rules.empty


def test_default_model_has_temporality_rules() -> None:
    rules = load_temporality_rules(default_model_dir())
    assert rules.rules and rules.sections.get("social_history") == "historical"
    assert rules.is_chronic("hypertension")


def test_without_the_file_temporality_follows_the_billing_flags(tmp_path: Path) -> None:
    assert load_temporality_rules(tmp_path).empty


def test_validation_rejects_a_billing_category_in_temporality_rules(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    source = default_model_dir()
    for name in ("meta.json", "lexicon.csv"):
        (model / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    bad = {"context_rules": [{"category": "NEGATED_EXISTENCE", "literal": "no", "direction": "FORWARD"}]}
    (model / "temporality_rules.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ModelError, match="temporality_rules.json"):
        validate_model(model)


def test_default_temporality_patterns_take_the_fast_path() -> None:
    """Every pattern expands to literals for the PhraseMatcher (spaCy's Matcher is ~100x slower)."""
    from chartaudit.extract.context.rules import expand_pattern

    data = json.loads(TemporalityRules.path_in(default_model_dir()).read_text(encoding="utf-8"))
    slow = [rule["literal"] for rule in data["context_rules"] if "pattern" in rule and expand_pattern(rule["pattern"]) is None]
    assert slow == []
