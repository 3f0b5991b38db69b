"""negated_evidence: every mention related to the billed code is negated (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "negated_evidence"


@pytest.mark.parametrize(
    ("note", "dx", "code", "quotes"),
    [
        ("HPI: Patient denies chest pain. Here for cough.\nA/P: Cough.", ["R07.9", "R05.9"], "R07.9",
         [("chest pain", "negated")]),
        ("ROS: Negative for chest pain, SOB.\nA/P: HTN, stable.", ["I10", "R07.9"], "R07.9",
         [("chest pain", "negated")]),
        ("HPI: No fever. Pt c/o cough x2d.\nA/P: URI.", ["J06.9", "R50.9"], "R50.9", [("fever", "negated")]),
        ("HPI: Denies SOB.\nA/P: HTN.", ["R06.02", "I10"], "R06.02", [("SOB", "negated")]),
        ("HPI: Denies R shoulder pain.\nA/P: HTN.", ["M25.511", "I10"], "M25.511", [("shoulder pain", "negated")]),
    ],
)
def test_fires_when_the_note_only_denies_the_condition(fire, note, dx, code, quotes):
    summary, _ = fire(TYPE, note, dx)
    assert summary == (code, None, "error", "I.B.4-5; I.A.19", quotes)


@pytest.mark.parametrize(
    ("note", "code", "status"),
    [
        # The note also affirms the condition: negated + affirmed is supported.
        ("HPI: Denies CP at rest. Reports CP with exertion.\nA/P: Chest pain, exertional.", "R07.9", "supported"),
        ("HPI: No fever yesterday; today febrile to 101.\nA/P: Fever.", "R50.9", "supported"),
        ("ROS: denies fever.\nExam: T 38.9.\nA/P: Fever, likely viral.", "R50.9", "supported"),
        # A negated neighbour does not touch the billed condition.
        ("A/P: Headache, not migraine.", "R51.9", "supported"),
        # Historical or family mentions beside the denial decide instead.
        ("PMH: h/o PE.\nImaging: CTA negative for PE.\nA/P: HTN.", "I26.99", "history_only"),
        ("FHx: mother with breast cancer.\nHPI: no breast cancer.\nA/P: HTN.", "C50.919", "family_history_only"),
        # A denial of the other side is no evidence at all.
        ("HPI: Denies L shoulder pain.\nA/P: HTN.", "M25.511", "unsupported"),
        # "No relief of" negates the relief, not the pain (a pseudo-negation).
        ("HPI: No relief of LBP with ibuprofen.\nA/P: f/u 2 wk.", "M54.50", "supported"),
    ],
)
def test_does_not_fire_on_near_misses(outcome, note, code, status):
    statuses, types = outcome(note, [code])
    assert TYPE not in types
    assert statuses[code] == status
