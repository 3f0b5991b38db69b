"""End-to-end behaviour of Checker.check: the result's shape and contract (per finding type: tests/findings/)."""

from __future__ import annotations

import json

from chartaudit.findings import FINDING_TYPES


def types_and_codes(result):
    return {(f.type, f.code) for f in result.findings}


def test_seed_case_flags_the_shoulder_code_only(checker, seed_note):
    result = checker.check(seed_note, dx=["R07.9", "M25.511"], px=[], setting="outpatient")
    assert types_and_codes(result) == {("unsupported_code", "M25.511")}
    statuses = {c.code: c.status for c in result.codes}
    assert statuses == {"R07.9": "supported", "M25.511": "unsupported"}
    chest = next(c for c in result.codes if c.code == "R07.9")
    assert any("chest pain" in e.text.lower() for e in chest.evidence)
    finding = result.findings[0]
    assert finding.severity == "error" and finding.guideline
    assert "M25.511" in finding.message and finding.suggestion


def test_result_is_json_ready(checker, seed_note):
    data = checker.check(seed_note, dx="R07.9; M25.511").to_dict()
    text = json.dumps(data)
    assert '"unsupported_code"' in text
    assert {"findings", "codes", "mentions", "setting"} <= set(data)


def test_codes_are_normalised_and_deduplicated(checker, seed_note):
    result = checker.check(seed_note, dx=["r079", "R07.9", " r07.9 "])
    assert [c.code for c in result.codes] == ["R07.9"]
    assert result.findings == []


def test_every_finding_has_the_contract_fields(checker, seed_note):
    result = checker.check(seed_note + "\nFH: father with colon cancer.", dx=["R07.9", "M25.511", "C18.9", "E11"])
    assert result.findings
    for finding in result.findings:
        assert finding.type in FINDING_TYPES
        assert finding.severity in ("error", "warning", "info")
        assert finding.message and finding.suggestion
        for evidence in finding.evidence:
            assert (seed_note + "\nFH: father with colon cancer.")[evidence.start:evidence.end] == evidence.text


def test_add_terms_changes_the_next_check(checker):
    note = "Assessment: zorblax syndrome, new."
    before = checker.check(note, dx=["R68.89"])
    assert ("unsupported_code", "R68.89") in types_and_codes(before)
    checker.add_terms({"zorblax syndrome": "R68.89"})
    after = checker.check(note, dx=["R68.89"])
    assert after.findings == []
