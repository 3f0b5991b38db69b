"""symptom_with_diagnosis: a billed symptom integral to a billed, supported diagnosis (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "symptom_with_diagnosis"


@pytest.mark.parametrize(
    ("note", "dx", "symptom", "diagnosis", "quotes"),
    [
        ("Assessment: Community acquired pneumonia with cough.", ["J18.9", "R05.9"], "R05.9", "J18.9",
         [("Community acquired pneumonia", "affirmed"), ("cough", "affirmed")]),
        ("CC: CP\nA/P: NSTEMI, cardiology consulted.", ["I21.4", "R07.9"], "R07.9", "I21.4",
         [("CP", "affirmed"), ("NSTEMI", "affirmed")]),
        ("CC: dysuria\nA/P: UTI.", ["N39.0", "R30.0"], "R30.0", "N39.0",
         [("dysuria", "affirmed"), ("UTI", "affirmed")]),
    ],
)
def test_fires_on_the_symptom_code(fire, note, dx, symptom, diagnosis, quotes):
    summary, _ = fire(TYPE, note, dx)
    assert summary == (symptom, diagnosis, "warning", "I.B.5", quotes)


def test_one_finding_per_symptom(checker):
    result = checker.check("A/P: Community acquired pneumonia. Cough, fever.", dx=["J18.9", "R05.9", "R50.9"])
    assert sorted((f.code, f.related_code) for f in result.findings if f.type == TYPE) == [
        ("R05.9", "J18.9"), ("R50.9", "J18.9")]


@pytest.mark.parametrize(
    ("note", "dx", "statuses"),
    [
        ("A/P: HTN. Cough, likely viral.", ["I10", "R05.9"], {"I10": "supported", "R05.9": "supported"}),
        ("A/P: Cough. r/o pneumonia.", ["J18.9", "R05.9"], {"J18.9": "uncertain", "R05.9": "supported"}),
        ("HPI: h/o pneumonia last yr.\nA/P: Cough.", ["J18.9", "R05.9"],
         {"J18.9": "history_only", "R05.9": "supported"}),
        ("A/P: Pneumonia. Denies cough.", ["J18.9", "R05.9"], {"J18.9": "supported", "R05.9": "negated"}),
    ],
)
def test_does_not_fire_unless_both_are_supported_and_related(outcome, note, dx, statuses):
    found, types = outcome(note, dx)
    assert TYPE not in types
    assert found == statuses
