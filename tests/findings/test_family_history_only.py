"""family_history_only: every related mention is about a relative (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "family_history_only"


@pytest.mark.parametrize(
    ("note", "dx", "code", "family", "quotes"),
    [
        ("FH: Mother with breast cancer.\nAssessment: Well visit. Hypertension controlled.", ["C50.919", "I10"],
         "C50.919", "Z80.3", [("breast cancer", "family")]),
        ("FHx: father with CAD, MI at 50.\nA/P: HLD.", ["I25.10", "E78.5"], "I25.10", "Z82.49", [("CAD", "family")]),
        ("FHx: mother w/ DM2.\nA/P: HTN.", ["E11.9", "I10"], "E11.9", "Z83.3", [("DM2", "family")]),
        ("FHx: brother with colon cancer.\nA/P: HTN.", ["C18.9", "I10"], "C18.9", "Z80.0",
         [("colon cancer", "family")]),
        # family + negated is family_history_only; the denial is not quoted
        ("FHx: mother with breast cancer.\nHPI: no breast cancer.\nA/P: HTN.", ["C50.919", "I10"], "C50.919",
         "Z80.3", [("breast cancer", "family")]),
    ],
)
def test_fires_with_the_family_history_code(fire, note, dx, code, family, quotes):
    summary, _ = fire(TYPE, note, dx)
    assert summary == (code, family, "warning", "I.C.21.c.4", quotes)


def test_a_patients_worry_about_a_relatives_condition_is_family_history(checker):
    note = ("CC: diabetes worry\nHPI: Worried about diabetes because his mother has type 2 diabetes.\n"
            "A/P: Family history of diabetes, A1c normal.")
    result = checker.check(note, dx=["E11.9"], setting="outpatient")
    finding = next(f for f in result.findings if f.code == "E11.9")
    assert finding.type == TYPE
    assert finding.related_code == "Z83.3"
    assert all(m.hypothetical for m in result.mentions if m.text == "diabetes" and not m.family)


@pytest.mark.parametrize(
    ("note", "code", "status"),
    [
        # The patient has the condition too.
        ("FHx: mother with HTN.\nA/P: HTN, uncontrolled.", "I10", "supported"),
        ("FHx: CAD in father.\nA/P: CAD, stable on ASA.", "I25.10", "supported"),
        ("HPI: pt's mother has HTN; pt has HTN too.\nA/P: HTN.", "I10", "supported"),
        # The patient's own uncertain mention decides first (outpatient).
        ("FHx: father with CAD.\nA/P: r/o CAD, stress test.", "I25.10", "uncertain"),
        # A denied family history is a denial.
        ("FHx: no FHx of colon cancer.\nA/P: HTN.", "C18.9", "negated"),
    ],
)
def test_does_not_fire_when_the_patient_has_it_or_nobody_does(outcome, note, code, status):
    statuses, types = outcome(note, [code])
    assert TYPE not in types
    assert statuses == {code: status}
