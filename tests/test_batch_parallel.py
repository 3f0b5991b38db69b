"""Batch audits: identical output for 1 worker, N workers and Dask; resume after a kill; bounded read-ahead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from chartaudit.batch import AuditJob, run_audit
from chartaudit.batch import runner
from chartaudit.cli import main
from test_batch_formats import sample_frame  # pytest puts tests/ on sys.path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def encounters(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "encounters.csv"
    sample_frame(step=2).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def serial(encounters, checker) -> tuple[bytes, bytes]:
    out, summary = encounters.with_name("serial.csv"), encounters.with_name("serial_summary.csv")
    run_audit(AuditJob(input=encounters, output=out, summary=summary, workers=1, chunk_size=4))
    return out.read_bytes(), summary.read_bytes()


def test_two_workers_write_the_same_bytes_as_one(encounters, serial, tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    run_audit(AuditJob(input=encounters, output=out, summary=summary, workers=2, chunk_size=4))
    assert out.read_bytes() == serial[0] and summary.read_bytes() == serial[1]
    assert serial[0].count(b"\n") > 20


def test_three_workers_write_the_same_bytes_as_one(encounters, serial, tmp_path):
    out = tmp_path / "out.csv"
    run_audit(AuditJob(input=encounters, output=out, workers=3, chunk_size=5))
    assert out.read_bytes() == serial[0]


def test_the_same_note_goes_to_the_same_worker():
    from chartaudit.batch.columns import ColumnMap

    notes = ["Chest pain.", "Knee pain.", "Chest pain.", None, "Cough.", "Knee pain.", "Chest pain."]
    frame = pd.DataFrame({"note_text": notes, "note_path": [None, None, None, "a.txt", None, None, None]})
    shares = runner.worker_shares(frame, ColumnMap(), 3)
    assert sorted(int(p) for share in shares for p in share) == list(range(len(notes)))  # each row once
    owner = {int(p): worker for worker, share in enumerate(shares) for p in share}
    assert owner[0] == owner[2] == owner[6] and owner[1] == owner[5]
    again = runner.worker_shares(frame.iloc[::-1].reset_index(drop=True), ColumnMap(), 3)
    owner_again = {int(p): worker for worker, share in enumerate(again) for p in share}
    assert owner_again[0] == owner[6]  # by the note, not by the position


@pytest.mark.dask
def test_dask_engine_writes_the_same_findings(encounters, serial, tmp_path):
    pytest.importorskip("dask.distributed")
    out, summary = tmp_path / "out.csv", tmp_path / "summary.csv"
    run_audit(AuditJob(input=encounters, output=out, summary=summary, workers=1, chunk_size=4, engine="dask"))
    assert out.read_bytes() == serial[0] and summary.read_bytes() == serial[1]
    parts = tmp_path / "parts_out"  # partitioned Parquet in and out
    run_audit(AuditJob(input=encounters, output=parts, workers=1, chunk_size=4, engine="dask"))
    assert parts.is_dir() and len(list(parts.glob("*.parquet"))) > 1
    from_parts = pd.read_parquet(parts).astype(str).replace({"<NA>": ""})
    expected = pd.read_csv(encounters.with_name("serial.csv"), dtype=str, keep_default_na=False)
    assert list(from_parts["encounter_id"]) == list(expected["encounter_id"])
    assert list(from_parts["message"]) == list(expected["message"])


def test_read_ahead_is_bounded(encounters, checker, monkeypatch):
    """The reader stays at most ``in_flight`` chunks ahead of the writer (memory stays bounded)."""
    read, written, ahead = [0], [0], []
    original = runner.iter_input

    def counting(path, chunk_size):
        for item in original(path, chunk_size):
            read[0] += 1
            yield item

    monkeypatch.setattr(runner, "iter_input", counting)
    job = AuditJob(input=encounters, output=encounters.with_name("bounded.csv"), workers=2, chunk_size=2)
    for _ in runner._chunks_local(job, set()):
        written[0] += 1
        ahead.append(read[0] - written[0])
    assert written[0] > 10
    assert max(ahead) <= 2 * runner.IN_FLIGHT_PER_WORKER


def test_progress_reports_every_encounter_and_the_fraction_read(encounters, checker, tmp_path):
    calls: list[tuple[int, float | None]] = []
    run_audit(AuditJob(input=encounters, output=tmp_path / "out.csv", chunk_size=5),
              progress=lambda count, fraction: calls.append((count, fraction)))
    assert sum(count for count, _ in calls) == len(pd.read_csv(encounters))
    fractions = [fraction for _, fraction in calls]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


@pytest.mark.slow
def test_resume_after_a_kill_equals_an_uninterrupted_run(encounters, serial, tmp_path, capsys):
    big = tmp_path / "big.csv"
    frame = pd.read_csv(encounters, dtype=str, keep_default_na=False)
    pd.concat([frame.assign(encounter_id=frame.encounter_id + f"-{copy}") for copy in range(3)]).to_csv(
        big, index=False)
    out = tmp_path / "out.csv"
    arguments = ["audit", str(big), "--out", str(out), "--workers", "1", "--chunk-size", "4",
                 "--summary", str(tmp_path / "summary.csv")]
    process = subprocess.Popen([sys.executable, "-m", "chartaudit.cli", *arguments], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    parts = tmp_path / "out.csv.parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(parts.glob("*.findings.parquet"))) >= 3:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the audit finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists(), "no partial output appears under the final name"
    finished = len(list(parts.glob("*.findings.parquet")))

    assert main([*arguments, "--resume"]) == 0
    assert f"resumed: {finished:,} chunks" in capsys.readouterr().err and finished >= 3
    resumed_findings, resumed_summary = out.read_bytes(), (tmp_path / "summary.csv").read_bytes()
    assert not parts.exists()

    assert main(arguments) == 0  # the same audit, uninterrupted
    assert out.read_bytes() == resumed_findings
    assert (tmp_path / "summary.csv").read_bytes() == resumed_summary
    findings = pd.read_csv(out, dtype=str, keep_default_na=False)
    summary = pd.read_csv(tmp_path / "summary.csv", dtype=str, keep_default_na=False)
    assert len(summary) == 3 * len(frame) and summary.encounter_id.is_unique
    assert not findings.duplicated().any()  # no finding written twice
