"""Batch audits: the CSV contract, bad rows, formula escaping, summaries."""

from __future__ import annotations

import pandas as pd
import pytest

from chartaudit.batch import AuditJob, ColumnMap, audit_frame, run_audit
from chartaudit.formats import FormatError, escape_cell
from chartaudit.cli import main

ROWS = [
    {"encounter_id": "e1", "note_text": "CC: chest pain.\nA/P: Chest pain, ECG.", "dx_codes": "R07.9;M25.511",
     "px_codes": "", "setting": "outpatient"},
    {"encounter_id": "e2", "note_text": "   ", "dx_codes": "I10", "px_codes": "", "setting": ""},
    {"encounter_id": "e3", "note_text": "Assessment: HTN.", "dx_codes": "", "px_codes": "", "setting": ""},
    {"encounter_id": "e4", "note_text": "Assessment: HTN.", "dx_codes": "I10 XYZ12", "px_codes": "",
     "setting": "nowhere"},
    {"encounter_id": "=cmd|' /C calc'!A0", "note_text": "=1+1 Assessment: hypertension.", "dx_codes": "I10",
     "px_codes": "", "setting": "outpatient"},
    {"encounter_id": "e6", "note_text": "Assessment: HTN.\x00\u202e", "dx_codes": "I10", "px_codes": "",
     "setting": "inpatient"},
]


@pytest.fixture()
def encounters_csv(tmp_path):
    path = tmp_path / "encounters.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    return path


def test_audit_csv_contract(encounters_csv, tmp_path):
    out = tmp_path / "findings.csv"
    summary_path = tmp_path / "summary.csv"
    summary = run_audit(AuditJob(input=encounters_csv, output=out, summary=summary_path, chunk_size=2))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["encounter_id", "type", "severity", "code", "related_code", "message",
                                   "suggestion", "evidence_text", "evidence_start", "evidence_end", "guideline"]
    found = set(zip(frame.encounter_id, frame.type, frame.code))
    assert ("e1", "unsupported_code", "M25.511") in found
    assert ("e2", "input_error", "") in found
    assert ("e3", "input_error", "") in found
    assert ("e4", "input_error", "") in found and ("e4", "invalid_code", "XYZ12") in found
    assert summary.encounters == len(ROWS)
    per_encounter = pd.read_csv(summary_path, dtype=str, keep_default_na=False)
    assert len(per_encounter) == len(ROWS)  # a batch never loses a row
    assert per_encounter.set_index("encounter_id").loc["e6", "status"] == "clean"


def test_no_cell_starts_a_formula(encounters_csv, tmp_path):
    out = tmp_path / "findings.csv"
    run_audit(AuditJob(input=encounters_csv, output=out))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    for value in frame.to_numpy().ravel():
        assert not str(value).startswith(("=", "+", "-", "@")), value
    assert escape_cell("@SUM(A1)") == "'@SUM(A1)" and escape_cell("ok") == "ok"


def test_missing_column_is_reported_before_any_work(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame([{"id": 1, "note_text": "x", "dx_codes": "I10"}]).to_csv(path, index=False)
    with pytest.raises(FormatError, match="bad.csv.*encounter_id"):
        run_audit(AuditJob(input=path, output=tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()


def test_column_mapping_and_cli(tmp_path, capsys):
    path = tmp_path / "claims.csv"
    pd.DataFrame([{"visit": "v1", "text": "CC: chest pain", "icd": "R07.9, M25.511"}]).to_csv(path, index=False)
    out = tmp_path / "out.jsonl"
    code = main(["audit", str(path), "--out", str(out), "--id-col", "visit", "--note-col", "text",
                 "--dx-col", "icd", "--workers", "1"])
    assert code == 0
    frame = pd.read_json(out, lines=True, dtype=str)
    assert ("v1", "unsupported_code", "M25.511") in set(zip(frame.encounter_id, frame.type, frame.code))
    assert "1 encounters" in capsys.readouterr().err


def test_audit_frame_is_a_pure_partition_function():
    frame = pd.DataFrame(ROWS[:2])
    first = audit_frame(frame, ColumnMap())
    second = audit_frame(frame, ColumnMap())
    pd.testing.assert_frame_equal(first, second)
    assert set(first.encounter_id) == {"e1", "e2"}
