"""note_truncated: a note over the limit is checked up to the last line break before it."""

from __future__ import annotations

import pytest


@pytest.fixture()
def small_limit(monkeypatch):
    """The limit at 400 characters, so that a short note goes over it."""
    from chartaudit import checker as checker_module

    monkeypatch.setattr(checker_module, "MAX_NOTE_CHARACTERS", 400)


def test_fires_with_the_offset_where_the_check_stopped(checker, small_limit) -> None:
    note = ("CC: chest pain.\nAssessment: chest pain. Denies fever.\n" + "Vitals stable, resting comfortably.\n" * 12
            + "Assessment: hypertension.\n")
    assert len(note) > 400 and note.index("hypertension") > 400
    result = checker.check(note, dx=["R07.9", "I10", "R50.9", "M25.511", "XYZ"])
    statuses = {code.code: code.status for code in result.codes}
    assert statuses == {"R07.9": "supported", "I10": "not_checked", "R50.9": "not_checked",
                        "M25.511": "not_checked", "XYZ": "invalid"}
    cut = note.rindex("\n", 0, 400) + 1
    assert [(finding.type, finding.severity) for finding in result.findings] == [
        ("invalid_code", "error"), ("note_truncated", "warning")]
    message = result.findings_of("note_truncated")[0].message
    assert message == (f"The note has {len(note):,} characters, too many to check in full: the check stopped at "
                       f"character {cut:,}, and the findings cover the text before it. Not checked, as their "
                       "evidence could lie after that point: I10, R50.9, M25.511.")
    assert all(mention.end <= cut for mention in result.mentions)


def test_does_not_fire_on_a_note_within_the_limit(checker, small_limit) -> None:
    result = checker.check("CC: chest pain.\nAssessment: chest pain. Hypertension.\n", dx=["R07.9", "I10"])
    assert not result.findings_of("note_truncated")
    assert {code.code: code.status for code in result.codes} == {"R07.9": "supported", "I10": "supported"}
