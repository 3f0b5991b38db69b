"""input_error: an empty note, no diagnosis code, or an unknown setting (docs/findings.md)."""

from __future__ import annotations

import pytest

TYPE = "input_error"


@pytest.mark.parametrize(
    ("note", "dx", "setting", "says"),
    [("", ["I10"], "outpatient", "The note is empty"), ("   \n\t", ["I10"], "outpatient", "The note is empty"),
     ("Assessment: HTN.", [], "outpatient", "No diagnosis codes were given"),
     ("Assessment: HTN.", ["I10"], "telehealth", 'Unknown setting "telehealth"')],
)
def test_input_errors_say_why(checker, note, dx, setting, says):
    result = checker.check(note, dx=dx, setting=setting)
    errors = result.findings_of(TYPE)
    assert len(errors) == 1
    assert errors[0].message and errors[0].code is None
    assert (errors[0].related_code, errors[0].severity, errors[0].guideline, errors[0].evidence) == (
        None, "error", "", [])
    assert errors[0].message.startswith(says)
    assert not result.findings_of("unsupported_code")


def test_one_finding_per_problem(checker):
    errors = checker.check("  ", dx=[], setting="outpatient").findings_of(TYPE)
    assert [e.message.split(":")[0] for e in errors] == ["The note is empty", "No diagnosis codes were given"]


def test_code_validity_is_still_checked_but_not_the_evidence(checker):
    result = checker.check("", dx=["I10", "XYZ12", "E11"])
    assert {(f.type, f.code) for f in result.findings} == {
        (TYPE, None), ("invalid_code", "XYZ12"), ("non_billable_code", "E11")}
    assert {c.code: c.status for c in result.codes} == {"I10": "not_checked", "XYZ12": "invalid", "E11": "not_checked"}


@pytest.mark.parametrize(
    ("dx", "setting"),
    [(["I10"], "outpatient"), (["I10"], "INPATIENT"), (["I10"], " Outpatient "), (["I10"], None),
     ("I10; E11.9", "outpatient")],
)
def test_does_not_fire_on_a_checkable_encounter(outcome, dx, setting):
    statuses, types = outcome("A/P: HTN, DM2.", dx, setting=setting)
    assert TYPE not in types
    assert statuses["I10"] == "supported"
