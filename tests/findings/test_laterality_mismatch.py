"""laterality_mismatch: the note documents the condition only on another side (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "laterality_mismatch"


@pytest.mark.parametrize(
    ("note", "code", "documented", "quotes"),
    [
        ("CC: left shoulder pain x 3 weeks.\nAssessment: Left shoulder pain.", "M25.511", "M25.512",
         [("shoulder pain", "affirmed"), ("shoulder pain", "affirmed")]),
        ("Assessment: left shoulder pain after a fall.", "M25.511", "M25.512", [("shoulder pain", "affirmed")]),
        ("CC: R knee pain.\nA/P: R knee pain.", "M25.562", "M25.561",
         [("knee pain", "affirmed"), ("knee pain", "affirmed")]),
        ("A/P: R ankle sprain.", "S93.402A", "S93.401A", [("ankle sprain", "affirmed")]),  # keeps the 7th character
        # a mention whose own code has no side ("Cellulitis", L03.90) still states the side
        ("A/P: Cellulitis of the left leg, cephalexin.", "L03.115", "L03.116", [("Cellulitis of the left leg", "affirmed")]),
    ],
)
def test_fires_with_the_documented_sides_code(fire, note, code, documented, quotes):
    summary, _ = fire(TYPE, note, [code])
    assert summary == (code, documented, "error", "I.B.13", quotes)


@pytest.mark.parametrize(
    ("note", "code", "status"),
    [
        ("CC: R knee pain.\nA/P: R knee pain.", "M25.561", "supported"),
        ("CC: bilat knee pain.\nA/P: Bilateral knee pain.", "M25.561", "supported"),  # M25.56- has no bilateral code
        ("CC: L shoulder pain.\nHPI: Also R shoulder pain since fall.\nA/P: R shoulder pain.", "M25.511", "supported"),
        ("CC: knee pain.\nA/P: knee pain.", "M25.561", "supported"),  # no side stated
        ("CC: L knee pain.\nA/P: L knee pain.", "M25.569", "supported"),  # side unspecified: unspecified_code
        ("HPI: Denies L shoulder pain.\nA/P: HTN.", "M25.511", "unsupported"),  # a denied other side
    ],
)
def test_does_not_fire_when_the_billed_side_is_documented_or_none_is(outcome, note, code, status):
    statuses, types = outcome(note, [code])
    assert TYPE not in types
    assert statuses == {code: status}
