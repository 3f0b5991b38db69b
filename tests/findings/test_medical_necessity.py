"""medical_necessity: a supplied policy lists the procedure and no billed diagnosis matches it (docs/findings.md).

Policies come from data/samples/demo_policy.csv.
"""

from __future__ import annotations

import pytest

TYPE = "medical_necessity"


@pytest.mark.parametrize(
    ("note", "dx", "procedure", "policy"),
    [
        ("A/P: URI. A1c.", ["J06.9"], "83036", "DEMO-A1C-001"),
        ("A/P: URI. ECG.", ["J06.9"], "93000", "DEMO-ECG-001"),
        ("A/P: URI. A1c.", ["J06.9", "E11.999"], "83036", "DEMO-A1C-001"),  # an invalid code covers nothing
    ],
)
def test_fires_on_an_uncovered_procedure(fire, demo_policy, note, dx, procedure, policy):
    summary, _ = fire(TYPE, note, dx, px=[procedure], policies=[demo_policy])
    assert summary == (procedure, None, "error", policy, [])


def test_medical_necessity_uses_the_policy(checker, demo_policy):
    note = "Assessment: Low back pain, mechanical."
    uncovered = checker.check(note, dx=["M54.50"], px=["80061"], policies=[demo_policy])
    assert (TYPE, "80061") in {(f.type, f.code) for f in uncovered.findings}
    assert uncovered.findings_of(TYPE)[0].guideline == "DEMO-LIPID-001"
    assert (uncovered.procedures[0].status, uncovered.procedures[0].policy_ids) == ("not_covered", ["DEMO-LIPID-001"])
    covered = checker.check("Assessment: Hypertension.", dx=["I10"], px=["80061"], policies=[demo_policy])
    assert not covered.findings_of(TYPE)
    assert covered.procedures[0].status == "covered"


def test_one_finding_per_uncovered_procedure(checker, demo_policy):
    result = checker.check("A/P: URI. Lipid panel, ECG.", dx=["J06.9"], px=["80061", "93000", "99213"],
                           policies=[demo_policy])
    assert [f.code for f in result.findings if f.type == TYPE] == ["80061", "93000"]
    assert [p.status for p in result.procedures] == ["not_covered", "not_covered", "no_policy"]


@pytest.mark.parametrize(
    ("note", "dx", "procedure", "with_policy", "status"),
    [
        ("A/P: URI. Lipid panel.", ["J06.9"], "80061", False, "no_policy"),  # no policy supplied
        ("A/P: URI. Office visit.", ["J06.9"], "99213", True, "no_policy"),  # no policy lists the procedure
        ("A/P: HTN. Lipid panel.", ["I10"], "80061", True, "covered"),
        ("A/P: DM1. A1c.", ["E10.9"], "83036", True, "covered"),  # within the E08-E13 range
        ("A/P: Chest pain. ECG.", ["R07.9"], "93000", True, "covered"),
    ],
)
def test_does_not_fire_without_a_policy_or_with_a_covered_diagnosis(checker, demo_policy, note, dx, procedure,
                                                                    with_policy, status):
    result = checker.check(note, dx=dx, px=[procedure], policies=[demo_policy] if with_policy else None)
    assert TYPE not in {f.type for f in result.findings}
    assert [(p.code, p.status) for p in result.procedures] == [(procedure, status)]
