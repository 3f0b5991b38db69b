"""invalid_code: a billed code that is not an ICD-10-CM code at all (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "invalid_code"


@pytest.mark.parametrize(
    ("note", "dx", "code", "nearest"),
    [
        ("Assessment: Hypertension.", ["I10", "XYZ12"], "XYZ12", None),
        ("A/P: HTN.", ["I10", "XYZ"], "XYZ", None),
        ("A/P: HTN. CP.", ["I10", "R07.99"], "R07.99", "R07.9"),
        ("A/P: R shoulder pain.", ["M25.5111"], "M25.5111", "M25.511"),
    ],
)
def test_fires_with_the_nearest_valid_code(fire, outcome, note, dx, code, nearest):
    summary, _ = fire(TYPE, note, dx)
    assert summary == (code, nearest, "error", "I.B.1", [])
    statuses, _ = outcome(note, dx)
    assert statuses[code] == "invalid"


@pytest.mark.parametrize(
    ("note", "raw", "code", "status"),
    [
        ("A/P: HTN.", "i10", "I10", "supported"),
        ("A/P: R shoulder pain.", "m25511", "M25.511", "supported"),
        ("A/P: CP.", " r07.9 ", "R07.9", "supported"),
        ("A/P: DM2.", "E11", "E11", "supported"),  # a real header code: non_billable_code, not invalid
    ],
)
def test_does_not_fire_on_valid_codes_written_loosely(outcome, note, raw, code, status):
    statuses, types = outcome(note, [raw])
    assert TYPE not in types
    assert statuses == {code: status}
