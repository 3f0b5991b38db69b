"""The line-aware sentence splitter."""

from __future__ import annotations

import pytest

from chartaudit.extract import build_pipeline
from chartaudit.extract.sentences import SentenceRules
from chartaudit.resources import default_model_dir


@pytest.fixture(scope="module")
def rules() -> SentenceRules:
    return SentenceRules.from_json(default_model_dir() / "sentence_rules.json")


def split(rules: SentenceRules, text: str) -> list[str]:
    starts = rules.sentence_starts(text)
    return [text[start:end].strip() for start, end in zip(starts, [*starts[1:], len(text)])]


def test_punctuation(rules: SentenceRules) -> None:
    assert split(rules, "No fever. Cough present! Better? Yes; resolved") == [
        "No fever.",
        "Cough present!",
        "Better?",
        "Yes;",
        "resolved",
    ]


def test_abbreviations_and_decimals_do_not_end_sentences(rules: SentenceRules) -> None:
    text = "Seen by Dr. Smith, e.g. for HTN. Took 2.5 mg b.i.d. today."
    assert split(rules, text) == ["Seen by Dr. Smith, e.g. for HTN.", "Took 2.5 mg b.i.d. today."]
    # a genus initial before its species is no sentence end; a letter ending a sentence still is
    assert split(rules, "Sepsis due to E. coli UTI. Known hepatitis C. Vitamin D low.") == [
        "Sepsis due to E. coli UTI.", "Known hepatitis C.", "Vitamin D low."]


def test_line_structure(rules: SentenceRules) -> None:
    text = (
        "Problems\n"
        "- asthma\n"
        "- hypertension\n"
        "1. gout\n"
        "\n"
        "This is a long line of running text that wraps onto\n"
        "the next line without ending.\n"
        "Short line\n"
        "Another short line"
    )
    assert split(rules, text) == [
        "Problems",
        "- asthma",
        "- hypertension",
        "1. gout",
        "This is a long line of running text that wraps onto\nthe next line without ending.",
        "Short line",
        "Another short line",
    ]


def test_line_ending_in_a_comma_continues(rules: SentenceRules) -> None:
    assert split(rules, "ROS: negative for fever,\n  chills, cough") == ["ROS: negative for fever,\n  chills, cough"]


def test_headers_start_sentences(rules: SentenceRules) -> None:
    text = "Seen today HPI: cough"
    starts = rules.sentence_starts(text, header_spans=[(11, 15)])
    assert starts == [0, 11, 16]


def test_pipeline_sentences_match_the_rules() -> None:
    nlp = build_pipeline()
    doc = nlp("CC: cough\nHPI: No fever. Cough present.\n\nPlan: rest")
    assert [sentence.text.strip() for sentence in doc.sents] == [
        "CC:",
        "cough",
        "HPI:",
        "No fever.",
        "Cough present.",
        "Plan:",
        "rest",
    ]


def test_numbered_items_do_not_end_at_their_number() -> None:
    rules = SentenceRules()
    text = "PLAN:,1.  Rest and fluids. 2. Ibuprofen. He is 45. Then 12. ok"
    assert split(rules, text) == ["PLAN:,1.  Rest and fluids.", "2. Ibuprofen.", "He is 45.", "Then 12.", "ok"]
