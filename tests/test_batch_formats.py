"""Batch audits: every input and output format, column mapping, note files, chunking, escaping."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from chartaudit.batch import AuditJob, ColumnMap, run_audit
from chartaudit.batch.runner import iter_input
from chartaudit.report import FINDING_COLUMNS

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "encounters.jsonl"


def sample_frame(step: int = 3) -> pd.DataFrame:
    """Every ``step``-th sample encounter as a frame of strings (codes joined with ';')."""
    records = []
    for line in SAMPLES.read_text(encoding="utf-8").splitlines()[::step]:
        record = json.loads(line)
        records.append({
            "encounter_id": str(record["encounter_id"]),
            "note_text": record.get("note_text") or "",
            "dx_codes": ";".join(record.get("dx_codes") or []) if isinstance(record.get("dx_codes"), list)
            else str(record.get("dx_codes") or ""),
            "px_codes": ";".join(record.get("px_codes") or []) if isinstance(record.get("px_codes"), list)
            else str(record.get("px_codes") or ""),
            "setting": record.get("setting") or "",
        })
    return pd.DataFrame(records)


def read_output(path: Path) -> pd.DataFrame:
    """Any output format as a frame of strings (missing values as '')."""
    if path.is_dir() or path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif path.suffix == ".jsonl":
        frame = pd.read_json(path, lines=True, dtype=False)
    else:
        frame = pd.read_excel(path, dtype=str, engine="openpyxl")
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.map(lambda value: str(int(value)) if isinstance(value, float) and value.is_integer()
                     else str(value))


def write_input(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    elif path.suffix == ".xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:  # a directory of Parquet parts
        path.mkdir()
        for number, start in enumerate(range(0, len(frame), 7)):
            frame.iloc[start:start + 7].to_parquet(path / f"part-{number:03d}.parquet", index=False)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory, checker) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("reference")
    source = write_input(sample_frame(), folder / "in.csv")
    run_audit(AuditJob(input=source, output=folder / "out.csv"))
    return read_output(folder / "out.csv")


@pytest.mark.parametrize("name", ["in.csv", "in.parquet", "in.jsonl", "in.xlsx", "in_parts"])
def test_every_input_format_gives_the_same_findings(name, tmp_path, reference):
    source = write_input(sample_frame(), tmp_path / name)
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", chunk_size=5))
    found = read_output(tmp_path / "out.csv")
    assert len(reference) > 10 and reference["type"].nunique() > 3
    pd.testing.assert_frame_equal(found, reference)


@pytest.mark.parametrize("name", ["out.parquet", "out.jsonl", "out.xlsx", "out_dir"])
def test_every_output_format_holds_the_same_rows(name, tmp_path, reference):
    source = write_input(sample_frame(), tmp_path / "in.csv")
    summary_path = tmp_path / ("summary" + (Path(name).suffix or ".parquet"))
    run_audit(AuditJob(input=source, output=tmp_path / name, chunk_size=5, summary=summary_path))
    found = read_output(tmp_path / name)
    assert list(found.columns) == FINDING_COLUMNS
    pd.testing.assert_frame_equal(found, reference)
    summary = read_output(summary_path)
    assert list(summary["encounter_id"]) == list(sample_frame()["encounter_id"])
    assert not list(tmp_path.glob("*.parts")), "the work directory is removed after a complete run"
    assert not list(tmp_path.glob(".*tmp")), "no temporary output is left behind"


def test_parquet_offsets_stay_integers(tmp_path, checker):
    source = write_input(sample_frame(), tmp_path / "in.jsonl")
    run_audit(AuditJob(input=source, output=tmp_path / "out.parquet"))
    frame = pd.read_parquet(tmp_path / "out.parquet")
    assert str(frame["evidence_start"].dtype) == "int64" or frame["evidence_start"].isna().any()
    assert frame["evidence_start"].dropna().astype(int).ge(0).all()


def test_larger_than_chunk_input_keeps_order_and_every_encounter(tmp_path, reference):
    frame = sample_frame()
    source = write_input(frame, tmp_path / "in.csv")
    summary = run_audit(AuditJob(input=source, output=tmp_path / "out.csv", chunk_size=3,
                                 summary=tmp_path / "summary.csv"))
    assert len(frame) > 3 * 5
    assert summary.encounters == len(frame)
    pd.testing.assert_frame_equal(read_output(tmp_path / "out.csv"), reference)
    per_encounter = read_output(tmp_path / "summary.csv")
    assert list(per_encounter["encounter_id"]) == list(frame["encounter_id"])
    assert sum(1 for _ in iter_input(source, 3)) == -(-len(frame) // 3)


def test_column_mapping_for_every_field(tmp_path, reference):
    frame = sample_frame().rename(columns={"encounter_id": "visit", "note_text": "text", "dx_codes": "icd",
                                           "px_codes": "cpt", "setting": "where"})
    source = write_input(frame, tmp_path / "claims.parquet")
    columns = ColumnMap(id="visit", note="text", dx="icd", px="cpt", setting="where")
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", columns=columns))
    pd.testing.assert_frame_equal(read_output(tmp_path / "out.csv"), reference)


def test_notes_from_files_relative_to_the_input(tmp_path, reference):
    frame = sample_frame()
    (tmp_path / "notes").mkdir()
    for encounter_id, note in zip(frame["encounter_id"], frame["note_text"]):
        (tmp_path / "notes" / f"{encounter_id}.txt").write_text(note, encoding="utf-8")
    frame = frame.drop(columns=["note_text"]).assign(note_path=[f"notes/{e}.txt" for e in frame["encounter_id"]])
    frame.loc[1, "note_path"] = "notes/missing.txt"
    source = write_input(frame, tmp_path / "in.csv")
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv"))
    found = read_output(tmp_path / "out.csv")
    second = frame.loc[1, "encounter_id"]
    missing = found[(found.encounter_id == second) & (found.type == "input_error")]
    assert missing["message"].str.contains("missing.txt").any()
    others = found[found.encounter_id != second].reset_index(drop=True)
    expected = reference[reference.encounter_id != second].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, expected)


@pytest.mark.parametrize("name", ["out.csv", "out.xlsx"])
def test_no_spreadsheet_cell_starts_a_formula(name, tmp_path, checker):
    frame = pd.DataFrame([
        {"encounter_id": "=HYPERLINK(\"http://x\")", "note_text": "Assessment: hypertension.", "dx_codes": "I10"},
        {"encounter_id": "+1", "note_text": "=1+1\nAssessment: HTN.", "dx_codes": "=I10;@SUM(A1)"},
        {"encounter_id": "-2", "note_text": "@ note", "dx_codes": "-R07.9"},
        {"encounter_id": "@3", "note_text": "Assessment: chest pain", "dx_codes": "+M25.511"},
    ])
    source = write_input(frame, tmp_path / "in.csv")
    run_audit(AuditJob(input=source, output=tmp_path / name, summary=tmp_path / ("summary" + Path(name).suffix)))
    for path in (tmp_path / name, tmp_path / ("summary" + Path(name).suffix)):
        found = read_output(path)
        cells = [str(value) for value in found.to_numpy().ravel()] + list(found.columns)
        assert len(found) >= 4
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
        identifiers = set(found["encounter_id"])
        assert {"'+1", "'-2", "'@3"} <= identifiers
        assert path.name.startswith("out") or "'=HYPERLINK(\"http://x\")" in identifiers
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(tmp_path / name).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
