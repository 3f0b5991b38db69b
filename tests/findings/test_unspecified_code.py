"""unspecified_code: a supported unspecified code where the note documents a more specific one (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "unspecified_code"
SPECIFICITY = "I.A.9.b; I.B.18"


@pytest.mark.parametrize(
    ("note", "code", "specific", "guideline", "quotes"),
    [
        ("CC: right knee pain.\nAssessment: Right knee pain, likely patellofemoral.", "M25.569", "M25.561", "I.B.13",
         [("knee pain", "affirmed"), ("knee pain", "affirmed")]),
        ("CC: R shoulder pain.\nA/P: R shoulder pain, likely strain.", "M25.519", "M25.511", "I.B.13",
         [("shoulder pain", "affirmed"), ("shoulder pain", "affirmed")]),
        ("A/P: Paroxysmal atrial fibrillation, rate controlled.", "I48.91", "I48.0", SPECIFICITY,
         [("Paroxysmal atrial fibrillation", "affirmed")]),
        ("A/P: Acute on chronic systolic heart failure.", "I50.9", "I50.23", SPECIFICITY,
         [("Acute on chronic systolic heart failure", "affirmed")]),
        ("A/P: COPD exacerbation, start prednisone.", "J44.9", "J44.1", SPECIFICITY,
         [("COPD exacerbation", "affirmed")]),
    ],
)
def test_fires_with_the_more_specific_code(fire, note, code, specific, guideline, quotes):
    summary, _ = fire(TYPE, note, [code])
    assert summary == (code, specific, "warning", guideline, quotes)


@pytest.mark.parametrize(
    ("note", "dx", "status"),
    [
        ("CC: knee pain.\nA/P: knee pain.", ["M25.569"], "supported"),  # no side stated
        ("A/P: CHF.", ["I50.9"], "supported"),
        ("HPI: Denies L knee pain.\nA/P: knee pain.", ["M25.569"], "supported"),  # the side is denied
        ("A/P: L knee pain.", ["M25.569", "M25.562"], "supported"),  # the specific code is billed too
        ("A/P: Chronic systolic heart failure, euvolemic.", ["I50.9", "I50.22"], "supported"),
        ("A/P: r/o paroxysmal atrial fibrillation.", ["I48.91"], "uncertain"),  # only when otherwise supported
        # R68.83 "Chills (without fever)" names chills, not the fever its "without" clause excludes.
        ("HPI: c/o chills x2d.\nA/P: Viral URI.", ["R50.9"], "unsupported"),
    ],
)
def test_does_not_fire_without_more_detail_to_bill(outcome, note, dx, status):
    statuses, types = outcome(note, dx)
    assert TYPE not in types
    assert statuses[dx[0]] == status
