"""non_billable_code: a real category or subcategory that is not billable as written (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "non_billable_code"


@pytest.mark.parametrize(
    ("note", "dx", "code", "documented", "guideline", "quotes", "hint"),
    [
        ("Assessment: Hypertension. Type 2 diabetes.", ["I10", "E11"], "E11", None, "I.B.2", [],
         "E11 needs more characters"),
        ("A/P: R shoulder pain.", ["M25.5"], "M25.5", "M25.511", "I.B.2", [("shoulder pain", "affirmed")],
         "The note supports M25.511"),
        ("CC: R shoulder pain.\nA/P: R shoulder pain.", ["M25.51"], "M25.51", "M25.511", "I.B.2",
         [("shoulder pain", "affirmed"), ("shoulder pain", "affirmed")], "The note supports M25.511"),
        # A 7th character is missing: guideline I.A.4-5 too.
        ("A/P: L ankle sprain.", ["S93.402"], "S93.402", None, "I.B.2; I.A.4-5", [],
         "S93.402 needs a 7th character: A (initial encounter)"),
    ],
)
def test_fires_with_what_the_code_lacks(fire, note, dx, code, documented, guideline, quotes, hint):
    summary, finding = fire(TYPE, note, dx)
    assert summary == (code, documented, "error", guideline, quotes)
    assert hint in finding.suggestion


def test_the_evidence_check_still_runs_on_a_header_code(checker):
    result = checker.check("HPI: denies shoulder pain.\nA/P: HTN.", dx=["M25.5", "I10"])
    assert {(f.type, f.code) for f in result.findings} == {(TYPE, "M25.5"), ("negated_evidence", "M25.5")}
    header = next(c for c in result.codes if c.code == "M25.5")
    assert (header.status, header.billable) == ("negated", False)


@pytest.mark.parametrize(
    ("note", "code", "status"),
    [
        ("A/P: R shoulder pain.", "M25.511", "supported"),
        ("A/P: DM2, controlled.", "E11.9", "supported"),
        ("A/P: L ankle sprain.", "S93.402A", "supported"),
        ("A/P: R shoulder pain.", "M25.5111", "invalid"),  # not a code at all: invalid_code instead
    ],
)
def test_does_not_fire_on_a_billable_or_invalid_code(outcome, note, code, status):
    statuses, types = outcome(note, [code])
    assert TYPE not in types
    assert statuses == {code: status}
