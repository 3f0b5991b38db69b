"""excludes1_conflict: an Excludes1 note of one billed code names another billed code (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "excludes1_conflict"


@pytest.mark.parametrize(
    ("note", "dx", "owner", "other"),
    [
        ("A/P: DM2. DM1.", ["E11.9", "E10.9"], "E11.9", "E10.9"),
        ("A/P: DM1. DM2.", ["E10.9", "E11.9"], "E10.9", "E11.9"),
        ("A/P: UTI. Acute cystitis.", ["N39.0", "N30.00"], "N39.0", "N30.00"),
        ("A/P: Allergic rhinitis. Asthma.", ["J30.9", "J45.909"], "J30.9", "J45.909"),
        ("A/P: Hypothyroidism. Postprocedural hypothyroidism.", ["E03.9", "E89.0"], "E03.9", "E89.0"),
        # Only M54.5-'s note names the other code: it owns the finding whatever the order.
        ("A/P: LBP after lifting, lumbar strain.", ["S39.012A", "M54.50"], "M54.50", "S39.012A"),
    ],
)
def test_fires_once_for_the_code_whose_note_it_is(fire, note, dx, owner, other):
    summary, _ = fire(TYPE, note, dx)
    assert summary == (owner, other, "error", "I.A.12.a", [])


def test_excludes1_pair_is_reported_once(checker):
    note = "A/P: DM2. DM1, on insulin pump."
    result = checker.check(note, dx=["E11.9", "E10.9", "e11.9"])
    conflicts = result.findings_of(TYPE)
    pairs = {frozenset((f.code, f.related_code)) for f in conflicts}
    assert pairs == {frozenset(("E11.9", "E10.9"))}
    assert len(conflicts) == len(pairs)
    for finding in conflicts:
        assert finding.guideline == "I.A.12.a"


@pytest.mark.parametrize(
    ("note", "dx"),
    [
        ("Assessment: Allergic rhinitis. Asthma, mild intermittent.", ["J30.9", "J45.20"]),  # the note names J45.909
        ("A/P: HTN. DM2.", ["I10", "E11.9"]),
        ("A/P: Obesity. Morbid obesity.", ["E66.9", "E66.01"]),
    ],
)
def test_does_not_fire_for_codes_that_may_go_together(outcome, note, dx):
    statuses, types = outcome(note, dx)
    assert TYPE not in types
    assert set(statuses.values()) == {"supported"}
