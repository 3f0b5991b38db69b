"""Batch audits: bad rows become input_error rows, bad files stop before any work (exit 2)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from chartaudit.batch import AuditJob, BatchInputError, ColumnMap, audit_frame, run_audit
from chartaudit.cli import main

SECRET = "Zebulonia-private-words"


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_bad_rows_never_stop_the_batch(tmp_path, checker):
    rows = [
        {"encounter_id": "empty", "note_text": "", "dx_codes": "I10", "setting": "outpatient"},
        {"encounter_id": "blank", "note_text": " \n\t ", "dx_codes": "I10", "setting": ""},
        {"encounter_id": "no-dx", "note_text": "Assessment: hypertension.", "dx_codes": "", "setting": ""},
        {"encounter_id": "where", "note_text": "Assessment: hypertension.", "dx_codes": "I10", "setting": "moon"},
        {"encounter_id": "junk", "note_text": "Assessment: hypertension.", "dx_codes": "I10;XYZ12;%%%",
         "setting": ""},
        {"encounter_id": "twice", "note_text": "Assessment: hypertension.", "dx_codes": "I10", "setting": ""},
        {"encounter_id": "twice", "note_text": "CC: chest pain.", "dx_codes": "M25.511", "setting": ""},
        {"encounter_id": "rtl", "note_text": "Assessment: \u202ehypertension\u200f.", "dx_codes": "I10",
         "setting": ""},
        {"encounter_id": "", "note_text": "Assessment: hypertension.", "dx_codes": "I10", "setting": ""},
    ]
    source = tmp_path / "in.csv"
    pd.DataFrame(rows).to_csv(source, index=False)
    summary = run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv",
                                 chunk_size=4))
    found = read_csv(tmp_path / "out.csv")
    kinds = {(row.encounter_id, row.type) for row in found.itertuples()}
    for encounter_id in ("empty", "blank", "no-dx", "where", ""):
        assert (encounter_id, "input_error") in kinds, encounter_id
    assert ("junk", "invalid_code") in kinds
    messages = " ".join(found.loc[found.type == "input_error", "message"])
    assert "empty" in messages and "moon" in messages and "diagnosis" in messages
    per_encounter = read_csv(tmp_path / "summary.csv")
    assert list(per_encounter.encounter_id) == [row["encounter_id"] for row in rows]  # never loses a row
    assert summary.encounters == len(rows) and summary.input_errors == 5
    twice = per_encounter[per_encounter.encounter_id == "twice"]
    assert list(twice.status) == ["clean", "needs_review"]


def test_nul_bytes_and_non_utf8_bytes_in_a_csv(tmp_path, checker):
    source = tmp_path / "raw.csv"
    source.write_bytes(
        b"encounter_id,note_text,dx_codes\n"
        b'nul,"Assessment:\x00 hypertension\x00. CC: chest pain",I10;R07.9\n'
        b'latin1,"Assessment: hypertension. Caf\xe9 \xff\xfe",I10\n'
        b"after,CC: chest pain,M25.511\n")
    run_audit(AuditJob(input=source, output=tmp_path / "out.jsonl", summary=tmp_path / "summary.csv"))
    per_encounter = read_csv(tmp_path / "summary.csv")
    assert list(per_encounter.encounter_id) == ["nul", "latin1", "after"]
    assert set(per_encounter.status) <= {"clean", "needs_review"}  # the text after a NUL is still read
    found = pd.read_json(tmp_path / "out.jsonl", lines=True, dtype=str)
    assert ("after", "unsupported_code") in set(zip(found.encounter_id, found.type))
    assert not ((found.encounter_id == "nul") & (found.code == "R07.9")).any()


def test_bad_jsonl_lines_become_input_errors(tmp_path, checker):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"encounter_id": "a", "note_text": "Assessment: HTN.", "dx_codes": ["I10"]})
                      + "\n{not json\n[1, 2]\n"
                      + json.dumps({"encounter_id": 7, "note_text": "CC: chest pain", "dx_codes": "M25.511"})
                      + "\n", encoding="utf-8")
    summary = run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv"))
    per_encounter = read_csv(tmp_path / "summary.csv")
    assert list(per_encounter.encounter_id) == ["a", "", "", "7"]
    found = read_csv(tmp_path / "out.csv")
    assert found.message.str.contains("line 2 is not valid JSON").any()
    assert found.message.str.contains("line 3 is not a JSON object").any()
    assert summary.encounters == 4


@pytest.mark.slow
def test_a_note_over_two_million_characters_is_checked_up_to_the_cut(tmp_path, checker):
    """A 2.09M-character note: the first 2,000,000 characters give findings and a note_truncated
    warning says where the check stopped (before: 13 s of work, then every code not_checked)."""
    samples = Path(__file__).resolve().parents[1] / "data" / "samples" / "encounters.jsonl"
    text = "\n".join(json.loads(line)["note_text"] or "" for line in samples.read_text().splitlines())
    big = "CC: chest pain.\n" + (text * (2_090_000 // len(text) + 1))[:2_090_000]
    frame = pd.DataFrame([{"encounter_id": "big", "note_text": big, "dx_codes": "R07.9;Z99.89"},
                          {"encounter_id": "next", "note_text": "CC: chest pain", "dx_codes": "M25.511"}])
    source = tmp_path / "big.parquet"
    frame.to_parquet(source)
    summary = run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv"))
    assert summary.encounters == 2
    found = read_csv(tmp_path / "out.csv")
    assert ("next", "unsupported_code") in set(zip(found.encounter_id, found.type))
    big_rows = found[found.encounter_id == "big"]
    assert "input_error" not in set(big_rows.type) and "unsupported_code" not in set(big_rows.type)
    warning = big_rows[big_rows.type == "note_truncated"]
    assert len(warning) == 1 and warning.severity.iloc[0] == "warning"
    assert "2,090,016 characters" in warning.message.iloc[0] and "Z99.89" in warning.message.iloc[0]
    assert list(read_csv(tmp_path / "summary.csv").status) == ["needs_review", "needs_review"]


@pytest.mark.parametrize("content, expected", [
    (None, "no such file"),
    ("", "empty"),
    ("id,note_text,dx_codes\n1,x,I10\n", "missing column 'encounter_id'"),
    ("encounter_id,note_text,icd\n1,x,I10\n", "missing column 'dx_codes'"),
])
def test_bad_input_files_exit_2_with_one_line(content, expected, tmp_path, capsys):
    source = tmp_path / "claims.csv"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    code = main(["audit", str(source), "--out", str(tmp_path / "out.csv"), "--workers", "1"])
    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1 and "claims.csv" in error and expected in error
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.csv.parts").exists()


def test_unreadable_parquet_and_bad_output_exit_2(tmp_path, capsys):
    source = tmp_path / "claims.parquet"
    source.write_bytes(b"this is not parquet")
    assert main(["audit", str(source), "--out", str(tmp_path / "out.csv")]) == 2
    assert "claims.parquet" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("encounter_id,note_text,dx_codes\n1,x,I10\n", encoding="utf-8")
    assert main(["audit", str(good), "--out", str(tmp_path / "out.docx")]) == 2
    assert "out.docx" in capsys.readouterr().err
    assert main(["audit", str(good), "--out", str(tmp_path / "missing" / "out.csv")]) == 2
    assert "missing" in capsys.readouterr().err


def test_note_text_never_reaches_the_logs(tmp_path, checker, caplog, monkeypatch):
    frame = pd.DataFrame([{"encounter_id": "e1", "note_text": f"Assessment: {SECRET}.", "dx_codes": "I10"}])
    original = type(checker).check

    def failing_check(self, note, *args, **kwargs):
        raise ValueError(f"cannot parse {note}")

    monkeypatch.setattr(type(checker), "check", failing_check)
    with caplog.at_level(logging.DEBUG):
        found = audit_frame(frame, ColumnMap())
    assert list(found.type) == ["input_error"] and "ValueError" in found.message[0]
    assert caplog.records and SECRET not in caplog.text
    monkeypatch.setattr(type(checker), "check", original)


def test_resume_refuses_parts_of_another_input(tmp_path, checker):
    source = tmp_path / "in.csv"
    pd.DataFrame([{"encounter_id": "a", "note_text": "CC: chest pain", "dx_codes": "R07.9"}]).to_csv(source)
    job = AuditJob(input=source, output=tmp_path / "out.csv", resume=True)
    work = job.work_dir
    work.mkdir()
    (work / "manifest.json").write_text('{"format": 1, "input": "elsewhere"}')
    with pytest.raises(BatchInputError, match="out.csv.parts"):
        run_audit(job)
    job.resume = False
    assert run_audit(job).encounters == 1 and not work.exists()
