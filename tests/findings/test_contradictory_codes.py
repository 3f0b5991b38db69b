"""contradictory_codes: an unspecified or "without" code beside a specified code of the same condition (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "contradictory_codes"


@pytest.mark.parametrize(
    ("dx", "vague", "specified"),
    [
        (["E11.9", "E11.42"], "E11.9", "E11.42"),  # without complications beside a complication
        (["E11.42", "E11.9"], "E11.9", "E11.42"),  # whatever the order
        (["J45.909", "J45.41"], "J45.909", "J45.41"),
        (["I48.91", "I48.0"], "I48.91", "I48.0"),
        (["N18.9", "N18.4"], "N18.9", "N18.4"),
        (["K21.9", "K21.00"], "K21.9", "K21.00"),  # without esophagitis beside with esophagitis
        (["M17.9", "M17.11"], "M17.9", "M17.11"),
        (["E05.80", "E05.90"], "E05.90", "E05.80"),  # both "without crisis": the unspecified one is the vague one
    ],
)
def test_fires_on_the_unspecified_code(fire, dx, vague, specified):
    summary, _ = fire(TYPE, "A/P: see problem list; continue current therapy.", dx)
    assert summary == (vague, specified, "error", "I.A.9.b; I.B.1", [])


def test_the_unspecified_code_gets_no_other_specificity_finding(checker):
    result = checker.check("A/P: Moderate persistent asthma with acute exacerbation - prednisone.",
                           dx=["J45.909", "J45.41"])
    about_vague = {f.type for f in result.findings if f.code == "J45.909"}
    assert about_vague == {TYPE}


@pytest.mark.parametrize(
    "dx",
    [
        ["E11.42", "E11.3293"],  # two specified complications of one diabetes
        ["I48.91", "I48.92"],  # fibrillation and flutter: two conditions, both unspecified
        ["I48.91", "I48.3"],  # unspecified fibrillation beside typical flutter
        ["F32.A", "F33.1"],  # different categories: excludes1_conflict's question
        ["E11.9", "E10.9"],
    ],
)
def test_does_not_fire_for_codes_of_different_conditions(outcome, dx):
    _, types = outcome("A/P: see problem list.", dx)
    assert TYPE not in types
