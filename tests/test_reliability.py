"""The reliability matrix of issue 15: nothing lost, nothing read that should not be.

Every case asserts its exact outcome (the exit code and its one line, or the
``input_error`` row and its reason) and that no input row is lost: a batch writes one
summary row per input row.
"""

from __future__ import annotations

import gc
import io
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from chartaudit.batch import AuditJob, ColumnMap, run_audit
from chartaudit.batch.notes import MAX_NOTE_FILE_BYTES, _read_capped
from chartaudit.cli import main
from chartaudit.formats import FormatError

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "data" / "samples" / "demo_policy.csv"
CHARTAUDIT = [sys.executable, "-m", "chartaudit.cli"]
SECRET = "Quixotic-server-secret-7731"
ROWS = [
    {"encounter_id": "e1", "note_text": "CC: chest pain. Assessment: chest pain.", "dx_codes": "R07.9"},
    {"encounter_id": "e2", "note_text": "Assessment: hypertension.", "dx_codes": "I10;M25.511"},
    {"encounter_id": "e3", "note_text": "Assessment: type 2 diabetes.", "dx_codes": "E11.9"},
]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_csv(path: Path, rows: list[dict] = ROWS) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def folder_state(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes (None for a folder; links by their target)."""
    state: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            state[key] = f"-> {os.readlink(path)}".encode()
        elif path.is_dir():
            state[key] = None
        else:
            state[key] = path.read_bytes()
    return state


def audit_cli(capsys: pytest.CaptureFixture, *arguments: str) -> tuple[int, str]:
    code = main(["audit", *[str(argument) for argument in arguments]])
    return code, capsys.readouterr().err


def one_error_line(error: str) -> str:
    assert error.count("\n") == 1 and error.startswith("chartaudit: error: "), error
    return error


# ------------------------------------------------- outputs never clobber inputs or each other


def _parquet_folder(path: Path) -> Path:
    path.mkdir()
    pd.DataFrame(ROWS).to_parquet(path / "part-000.parquet", index=False)
    return path


def _case_out_is_input(d: Path) -> list:
    return [write_csv(d / "in.csv"), "--out", d / "in.csv"]


def _case_summary_is_input(d: Path) -> list:
    return [write_csv(d / "in.csv"), "--out", d / "out.csv", "--summary", d / "in.csv"]


def _case_out_and_summary_same(d: Path) -> list:
    return [write_csv(d / "in.csv"), "--out", d / "a.csv", "--summary", d / "a.csv"]


def _case_out_symlink_to_input(d: Path) -> list:
    (d / "link.csv").symlink_to(write_csv(d / "in.csv"))
    return [d / "in.csv", "--out", d / "link.csv"]


def _case_out_hard_link_to_input(d: Path) -> list:
    os.link(write_csv(d / "in.csv"), d / "hard.csv")
    return [d / "in.csv", "--out", d / "hard.csv"]


def _case_out_through_dot_dot(d: Path) -> list:
    (d / "sub").mkdir()
    return [write_csv(d / "in.csv"), "--out", d / "sub" / ".." / "in.csv"]


def _case_out_is_policy(d: Path) -> list:
    shutil.copy(POLICY, d / "policy.csv")
    return [write_csv(d / "in.csv"), "--policy", d / "policy.csv", "--out", d / "policy.csv"]


def _case_summary_links_to_out(d: Path) -> list:
    (d / "summary.csv").symlink_to(d / "out.csv")  # dangling until the output is written
    return [write_csv(d / "in.csv"), "--out", d / "out.csv", "--summary", d / "summary.csv"]


def _case_work_dir_is_input(d: Path) -> list:
    return [_parquet_folder(d / "result.csv.parts"), "--out", d / "result.csv"]


def _case_out_inside_input_folder(d: Path) -> list:
    return [_parquet_folder(d / "encounters"), "--out", d / "encounters" / "findings.csv"]


def _case_out_folder_holds_input(d: Path) -> list:
    (d / "results").mkdir()
    return [write_csv(d / "results" / "in.csv"), "--out", d / "results"]


@pytest.mark.parametrize(("build", "expected"), [
    (_case_out_is_input, "--out {d}/in.csv would overwrite the input {d}/in.csv"),
    (_case_summary_is_input, "--summary {d}/in.csv would overwrite the input {d}/in.csv"),
    (_case_out_and_summary_same, "--out {d}/a.csv and --summary {d}/a.csv would overwrite each other"),
    (_case_out_symlink_to_input, "--out {d}/link.csv would overwrite the input {d}/in.csv"),
    (_case_out_hard_link_to_input, "--out {d}/hard.csv would overwrite the input {d}/in.csv"),
    (_case_out_through_dot_dot, "--out {d}/sub/../in.csv would overwrite the input {d}/in.csv"),
    (_case_out_is_policy, "--out {d}/policy.csv would overwrite the policy file {d}/policy.csv"),
    (_case_summary_links_to_out, "--out {d}/out.csv and --summary {d}/summary.csv would overwrite each other"),
    (_case_work_dir_is_input, "the work directory {d}/result.csv.parts would overwrite the input "
                              "{d}/result.csv.parts"),
    (_case_out_inside_input_folder, "--out {d}/encounters/findings.csv would overwrite the input {d}/encounters"),
    (_case_out_folder_holds_input, "--out {d}/results would overwrite the input {d}/results/in.csv"),
], ids=lambda value: value.__name__[6:] if callable(value) else "refused")
def test_an_output_that_is_an_input_or_another_output_stops_the_run(
        build: Callable[[Path], list], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    arguments = build(tmp_path)
    before = folder_state(tmp_path)
    code, error = audit_cli(capsys, *arguments, "--workers", "1")
    assert code == 2
    assert one_error_line(error) == f"chartaudit: error: {expected.format(d=tmp_path)}: " + (
        "give each output its own name\n" if "each other" in expected else "choose another output name\n")
    assert folder_state(tmp_path) == before, "nothing was written, moved or removed"


def test_the_summary_is_written_to_a_temporary_name_and_renamed(tmp_path: Path, checker, monkeypatch) -> None:
    """Interrupted mid-run, neither the findings nor the summary appear under their names."""
    source = write_csv(tmp_path / "in.csv", ROWS * 4)
    from chartaudit.batch import runner

    original = runner.summary_frame
    calls = []

    def failing_after_two_chunks(ids, findings):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(ids, findings)

    monkeypatch.setattr(runner, "summary_frame", failing_after_two_chunks)
    job = AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv", chunk_size=3)
    with pytest.raises(KeyboardInterrupt):
        run_audit(job)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "summary.csv").exists()
    assert not list(tmp_path.glob(".*.tmp")), "the temporary files are removed"
    assert len(list(job.work_dir.glob("*.findings.parquet"))) == 2, "the finished chunks are kept for --resume"


# ------------------------------------------------------------------------- note files


def _note_folder(tmp_path: Path) -> Path:
    """``tmp/batch`` (the input's folder) with notes of every kind, and ``tmp/outside`` with a secret."""
    batch, notes, outside = tmp_path / "batch", tmp_path / "batch" / "notes", tmp_path / "outside"
    notes.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(f"Assessment: {SECRET}, chest pain.", encoding="utf-8")
    (notes / "good.txt").write_text("CC: chest pain. Assessment: chest pain.", encoding="utf-8")
    (notes / "folder").mkdir()
    os.mkfifo(notes / "fifo")
    (notes / "escape.txt").symlink_to(outside / "secret.txt")
    (notes / "inside-link.txt").symlink_to(notes / "good.txt")
    return batch


def _bind_socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


NOTE_CASES = [
    ("notes/missing.txt", "The note file 'notes/missing.txt' does not exist."),
    ("../outside/secret.txt", "The note file '../outside/secret.txt' lies outside the note folder {root} "
                              "(see --note-root); it was not read."),
    ("../../../../../../../../etc/passwd", "The note file '../../../../../../../../etc/passwd' lies outside the "
                                           "note folder {root} (see --note-root); it was not read."),
    ("{tmp}/outside/secret.txt", "The note file '{tmp}/outside/secret.txt' lies outside the note folder {root} "
                                 "(see --note-root); it was not read."),
    ("notes/escape.txt", "The note file 'notes/escape.txt' lies outside the note folder {root} (see --note-root); "
                         "it was not read."),
    ("/dev/zero", "The note file '/dev/zero' lies outside the note folder {root} (see --note-root); it was not read."),
    ("notes/folder", "The note file 'notes/folder' is a directory, not a regular file; it was not read."),
    ("notes/fifo", "The note file 'notes/fifo' is a named pipe, not a regular file; it was not read."),
    ("notes/socket", "The note file 'notes/socket' is a socket, not a regular file; it was not read."),
    ("notes/big.txt", f"The note file 'notes/big.txt' has more than {MAX_NOTE_FILE_BYTES:,} bytes, the limit for "
                      "a note file; it was not read."),
]


NOTE_CASE_IDS = ["missing", "dot-dot", "etc-passwd", "absolute", "symlink-out", "dev-zero", "directory", "fifo",
                 "socket", "over-the-cap"]


@pytest.mark.parametrize(("note_path", "reason"), NOTE_CASES, ids=NOTE_CASE_IDS)
def test_a_note_file_that_must_not_be_read_is_an_input_error(note_path: str, reason: str, tmp_path: Path,
                                                            checker) -> None:
    batch = _note_folder(tmp_path)
    server = _bind_socket(batch / "notes" / "socket") if note_path.endswith("socket") else None
    if note_path.endswith("big.txt"):
        (batch / "notes" / "big.txt").write_bytes(b"chest pain. " * (MAX_NOTE_FILE_BYTES // 12 + 1))
    rows = [{"encounter_id": "bad", "note_path": note_path.format(tmp=tmp_path), "dx_codes": "R07.9"},
            {"encounter_id": "good", "note_path": "notes/good.txt", "dx_codes": "R07.9"}]
    source = write_csv(batch / "in.csv", rows)
    try:
        summary = run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv"))
    finally:
        if server is not None:
            server.close()
    found = read_csv(tmp_path / "out.csv")
    bad = found[found.encounter_id == "bad"]
    assert list(bad.type) == ["input_error"]
    assert bad.message.iloc[0] == reason.format(root=batch.resolve(), tmp=tmp_path)
    assert list(found[found.encounter_id == "good"].type) == [], "the good note next to it is read and checked"
    assert list(read_csv(tmp_path / "summary.csv").encounter_id) == ["bad", "good"] and summary.encounters == 2
    assert SECRET not in (tmp_path / "out.csv").read_text(encoding="utf-8")


def test_a_refused_note_file_replaces_note_is_empty_but_nothing_else(tmp_path: Path, checker) -> None:
    rows = [{"encounter_id": "", "note_path": "", "dx_codes": "I10"},
            {"encounter_id": "", "note_path": "missing.txt", "dx_codes": "I10"}]
    source = write_csv(tmp_path / "in.csv", rows)
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv"))
    assert list(read_csv(tmp_path / "out.csv").message) == [
        "The row has no encounter id; it was checked all the same.",
        "The note is empty: there is no documentation to check the codes against.",
        "The note file 'missing.txt' does not exist.",
        "The row has no encounter id; it was checked all the same."]
    assert len(read_csv(tmp_path / "summary.csv")) == 2


def test_note_root_widens_or_narrows_what_is_read(tmp_path: Path, checker, capsys) -> None:
    batch = _note_folder(tmp_path)
    (tmp_path / "outside" / "ok.txt").write_text("CC: chest pain. Assessment: chest pain.", encoding="utf-8")
    rows = [{"encounter_id": "outside", "note_path": str(tmp_path / "outside" / "ok.txt"), "dx_codes": "R07.9"},
            {"encounter_id": "link", "note_path": "notes/inside-link.txt", "dx_codes": "R07.9"}]
    source = write_csv(batch / "in.csv", rows)
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", note_root=tmp_path / "outside"))
    found = read_csv(tmp_path / "out.csv")
    assert list(found.encounter_id) == ["link"], "read: the file under the root; refused: the one outside it"
    assert "lies outside the note folder" in found.message.iloc[0]
    code, error = audit_cli(capsys, source, "--out", tmp_path / "again.csv", "--note-root", tmp_path / "nowhere")
    assert code == 2
    assert one_error_line(error) == f"chartaudit: error: --note-root {tmp_path / 'nowhere'}: no such directory\n"


def test_devices_are_refused_on_their_type_even_under_the_root(tmp_path: Path, checker) -> None:
    source = write_csv(tmp_path / "in.csv", [{"encounter_id": "zero", "note_path": "/dev/zero", "dx_codes": "I10"},
                                             {"encounter_id": "null", "note_path": "/dev/null", "dx_codes": "I10"}])
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", note_root=Path("/")))
    assert list(read_csv(tmp_path / "out.csv").message) == [
        "The note file '/dev/zero' is a character device, not a regular file; it was not read.",
        "The note file '/dev/null' is a character device, not a regular file; it was not read."]


def test_a_note_file_is_never_read_past_the_cap() -> None:
    descriptor = os.open("/dev/zero", os.O_RDONLY)
    try:
        assert len(_read_capped(descriptor, 1000)) == 1001
    finally:
        os.close(descriptor)


def _two_gigabytes_of_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.slow
def test_dev_zero_and_a_fifo_end_as_input_errors_under_a_memory_limit(tmp_path: Path) -> None:
    """Before: /dev/zero grew a worker to 24 GB, and a FIFO hung the batch forever."""
    os.mkfifo(tmp_path / "fifo")
    source = write_csv(tmp_path / "in.csv", [{"encounter_id": "zero", "note_path": "/dev/zero", "dx_codes": "I10"},
                                             {"encounter_id": "fifo", "note_path": "fifo", "dx_codes": "I10"}])
    completed = subprocess.run(
        [*CHARTAUDIT, "audit", str(source), "--out", str(tmp_path / "out.csv"), "--workers", "1",
         "--note-root", "/", "--summary", str(tmp_path / "summary.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=90, preexec_fn=_two_gigabytes_of_address_space)
    assert completed.returncode == 0, completed.stderr
    found = read_csv(tmp_path / "out.csv")
    assert list(zip(found.encounter_id, found.type)) == [("zero", "input_error"), ("fifo", "input_error")]
    assert "is a character device" in found.message[0] and "is a named pipe" in found.message[1]
    assert list(read_csv(tmp_path / "summary.csv").status) == ["input_error", "input_error"]


def test_the_viewer_never_resolves_a_note_path(tmp_path: Path, monkeypatch, checker) -> None:
    """An uploaded row naming a file on the server gets an input_error; the file is not read."""
    from chartaudit.ui.pages.batch import read_upload, run_audit_chunks

    (tmp_path / "secret.txt").write_text(f"Assessment: {SECRET}, chest pain.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    upload = "\n".join(json.dumps(row) for row in [
        {"encounter_id": "absolute", "note_text": None, "note_path": str(tmp_path / "secret.txt"), "dx_codes": ["R07.9"]},
        {"encounter_id": "relative", "note_text": None, "note_path": "secret.txt", "dx_codes": ["R07.9"]},
        {"encounter_id": "text", "note_text": "Assessment: chest pain.", "dx_codes": ["R07.9"]}]).encode()
    frame = read_upload("claims.jsonl", upload)
    findings = run_audit_chunks(frame, ColumnMap())
    assert list(zip(findings.encounter_id, findings.type)) == [("absolute", "input_error"), ("relative", "input_error")]
    assert findings.message[1] == ("The note file 'secret.txt' was not read: note files are read only by a batch "
                                   "audit of a file (chartaudit audit), from its note folder. Give the note text "
                                   "instead.")
    assert SECRET not in findings.to_csv()


# --------------------------------------------------------------------- viewer uploads


def test_an_upload_over_the_row_limit_is_refused_in_one_line() -> None:
    from chartaudit.ui.pages.batch import read_upload

    data = pd.DataFrame(ROWS * 4).to_csv(index=False).encode()
    assert len(read_upload("claims.csv", data, max_rows=12)) == 12
    with pytest.raises(FormatError) as refused:
        read_upload("claims.csv", data, max_rows=11)
    assert str(refused.value) == ("claims.csv: more than 11 rows, the viewer's limit; audit larger files with the "
                                  "chartaudit audit command")


def test_a_parquet_bomb_is_refused_after_decompression_without_reading_it_all(tmp_path: Path) -> None:
    """A small Parquet file that expands to 1 GB of text (the same 10,000-character note 100,000 times)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from chartaudit.ui.pages import batch

    note = ("Chest pain. " * 834)[:10_000]
    schema = pa.schema([("encounter_id", pa.string()), ("note_text", pa.string()), ("dx_codes", pa.string())])
    path = tmp_path / "bomb.parquet"
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for part in range(100):
            ids = [f"e{part}-{row}" for row in range(1000)]
            writer.write_table(pa.table({"encounter_id": ids, "note_text": [note] * 1000, "dx_codes": ["R07.9"] * 1000},
                                        schema=schema))
    data = path.read_bytes()
    assert len(data) < 2_000_000, "compressed, it is small"
    gc.collect()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with pytest.raises(FormatError) as refused:
        batch.read_upload("bomb.parquet", data, max_rows=200_000)
    assert str(refused.value) == (f"bomb.parquet: more than {batch.MAX_UPLOAD_TEXT_CHARACTERS:,} characters of text "
                                  "once decompressed, the viewer's limit; audit larger files with the chartaudit "
                                  "audit command")
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    assert grown < 400_000_000, f"the reader stopped early (peak memory grew by {grown:,} bytes, not ~1 GB)"


def test_an_excel_bomb_is_refused_before_it_is_parsed() -> None:
    import zipfile

    from chartaudit.ui.pages.batch import read_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"a" * 5_000_000 + b"</sst>")
    with pytest.raises(FormatError, match=r"claims.xlsx: the file expands to 5,000,\d+ bytes once decompressed"):
        read_upload("claims.xlsx", buffer.getvalue(), max_text=1_000_000)


def _batch_page():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_string("from chartaudit.ui.pages.batch import render\nrender()", default_timeout=120).run()


def test_the_viewer_counts_every_row_and_releases_the_upload_with_the_session(checker) -> None:
    rows = [*ROWS, {"encounter_id": "e1", "note_text": "Assessment: chest pain.", "dx_codes": "M25.511"}]
    app = _batch_page()
    app.file_uploader(key="batch_file").upload("claims.csv", pd.DataFrame(rows).to_csv(index=False).encode(),
                                               "text/csv").run()
    next(button for button in app.button if button.label == "Run the audit").click().run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Encounters"] == "4"  # the duplicate id is a row of its own, as in the summary
    assert any("2 rows share their encounter id" in caption.value for caption in app.caption)
    progress = " ".join(str(bar.proto.text) for bar in app.get("progress"))
    assert "Audited 4 encounters" in progress
    upload = weakref.ref(app.session_state["batch_input"][1])
    del app
    gc.collect()
    assert upload() is None, "nothing outside the session keeps the upload"


def test_the_unsupported_chart_counts_unsupported_code_only() -> None:
    from chartaudit.ui.pages.batch import unsupported_counts

    findings = pd.DataFrame({
        "type": ["unsupported_code", "negated_evidence", "laterality_mismatch", "unsupported_code", "unsupported_code"],
        "code": ["M25.511", "R50.9", "M25.512", "M25.511", "I10"]})
    assert unsupported_counts(findings).to_dict() == {"M25.511": 2, "I10": 1}


def test_no_deprecated_streamlit_argument_is_used() -> None:
    sources = [path for path in (ROOT / "src" / "chartaudit" / "ui").rglob("*.py")
               if "use_container_width" in path.read_text(encoding="utf-8")]
    assert sources == []


# -------------------------------------------------------------------- process hygiene


def _big_input(folder: Path, copies: int = 5) -> Path:
    from test_batch_formats import sample_frame  # pytest puts tests/ on sys.path

    frame = sample_frame(step=1)
    path = folder / "big.csv"
    pd.concat([frame.assign(encounter_id=frame.encounter_id + f"-{copy}") for copy in range(copies)]).to_csv(
        path, index=False)
    return path


def _start_audit(source: Path, out: Path, workers: int = 2) -> subprocess.Popen:
    return subprocess.Popen(
        [*CHARTAUDIT, "audit", str(source), "--out", str(out), "--workers", str(workers), "--chunk-size", "4",
         "--summary", str(out.with_name("summary.csv"))],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_parts(process: subprocess.Popen, parts: Path, count: int) -> list[int]:
    """Wait until ``count`` chunks are done; returns the pids of the audit's worker processes."""
    import psutil

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(parts.glob("*.findings.parquet"))) >= count:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the audit finished before it could be stopped"
    workers = [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
    assert len(workers) == 2, workers
    return workers


def _alive(pids: list[int]) -> list[int]:
    import psutil

    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def _wait_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive(pids)


@pytest.mark.slow
def test_killing_the_parent_ends_its_workers_and_resume_gives_the_same_bytes(tmp_path: Path, checker,
                                                                           capsys) -> None:
    source = _big_input(tmp_path)
    out = tmp_path / "out.csv"
    process = _start_audit(source, out)
    workers = _wait_for_parts(process, tmp_path / "out.csv.parts", 3)
    os.kill(process.pid, signal.SIGKILL)
    # 'chartaudit audit ... | cat' hung: the workers kept the pipe open. The pipes now close.
    process.communicate(timeout=10)
    assert _wait_gone(workers) == [], "no worker outlives the parent by 5 s"
    assert not out.exists() and not out.with_name("summary.csv").exists()
    finished = len(list((tmp_path / "out.csv.parts").glob("*.findings.parquet")))

    assert main(["audit", str(source), "--out", str(out), "--workers", "2", "--chunk-size", "4",
                 "--summary", str(tmp_path / "summary.csv"), "--resume"]) == 0
    assert f"resumed: {finished:,} chunks were already done" in capsys.readouterr().err
    main(["audit", str(source), "--out", str(tmp_path / "whole.csv"), "--workers", "1", "--chunk-size", "4",
          "--summary", str(tmp_path / "whole_summary.csv")])
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert (tmp_path / "summary.csv").read_bytes() == (tmp_path / "whole_summary.csv").read_bytes()
    assert len(read_csv(tmp_path / "summary.csv")) == len(read_csv(source)), "rows in = encounters out"


@pytest.mark.slow
@pytest.mark.parametrize(("number", "to_group"), [(signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["SIGTERM to the parent", "Ctrl-C to the process group"])
def test_a_stopped_audit_stops_its_workers_keeps_its_chunks_and_says_how_to_resume(
        number: int, to_group: bool, tmp_path: Path) -> None:
    source = _big_input(tmp_path, copies=3)
    out = tmp_path / "out.csv"
    process = _start_audit(source, out)
    workers = _wait_for_parts(process, tmp_path / "out.csv.parts", 2)
    (os.killpg if to_group else os.kill)(process.pid, number)
    _, error = process.communicate(timeout=30)
    assert process.returncode == 128 + number
    assert error.decode() == (f"chartaudit: interrupted by {signal.Signals(number).name}; finished chunks are kept "
                              f"in {out}.parts: rerun with --resume to continue\n"), "one line, no traceback"
    assert _wait_gone(workers) == []
    assert list((tmp_path / "out.csv.parts").glob("*.findings.parquet")) and not out.exists()


class _SignalsInAFinalizer:
    """Sends ``number`` to this process from ``__del__``: the handler's KeyboardInterrupt is
    then raised inside a finalizer, where Python swallows it ("Exception ignored in ...")."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __del__(self) -> None:
        os.kill(os.getpid(), self.number)
        for _ in range(1000):  # bytecode to run the Python-level handler on, still inside __del__
            pass


def test_a_stop_swallowed_by_a_finalizer_still_stops_the_audit_at_the_next_chunk_without_a_traceback(
        tmp_path: Path, monkeypatch, capsys) -> None:
    from chartaudit.batch import runner

    unraisable = []  # what Python would print as "Exception ignored in ..." with a traceback
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    process_chunk, calls = runner._process_chunk, []

    def process_and_signal(payload):
        calls.append(1)
        if len(calls) == 2:
            _SignalsInAFinalizer(signal.SIGTERM)  # dropped at once: __del__ runs here
        return process_chunk(payload)

    monkeypatch.setattr(runner, "_process_chunk", process_and_signal)
    source = write_csv(tmp_path / "in.csv", ROWS * 3)
    out = tmp_path / "out.csv"
    code, error = audit_cli(capsys, source, "--out", out, "--workers", "1", "--chunk-size", "1")
    assert code == 128 + signal.SIGTERM, error
    assert error.endswith(f"chartaudit: interrupted by SIGTERM; finished chunks are kept in {out}.parts: "
                          "rerun with --resume to continue\n")
    assert len(calls) == 2 < len(ROWS) * 3 and not out.exists()
    assert unraisable == []
    # the handlers and the hook are restored
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and sys.unraisablehook == unraisable.append


@pytest.mark.parametrize(("requested", "expected", "notice"), [
    ("0", 2, ""),
    ("2", 2, ""),
    ("8", 2, "chartaudit: notice: --workers 8 is more than the 2 usable cores: using 2\n"),
])
def test_workers_default_to_the_usable_cores_and_are_capped_with_a_notice(
        requested: str, expected: int, notice: str, tmp_path: Path, monkeypatch, capsys) -> None:
    import chartaudit.batch
    from chartaudit.batch import runner

    jobs = []
    monkeypatch.setattr(runner, "usable_cores", lambda: 2)
    monkeypatch.setattr(chartaudit.batch, "run_audit", lambda job, progress=None: jobs.append(job) or
                        runner.AuditSummary())
    code, error = audit_cli(capsys, write_csv(tmp_path / "in.csv"), "--out", tmp_path / "out.csv",
                            "--workers", requested)
    assert code == 0 and jobs[0].workers == expected
    assert error.startswith(notice) and error.count("notice") == (1 if notice else 0)


# ------------------------------------------------------------------------ huge notes


# -------------------------------------------------------------------- smaller points


def test_check_with_an_unknown_setting_exits_2(tmp_path: Path, capsys) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Assessment: chest pain.", encoding="utf-8")
    assert main(["check", "--note", str(note), "--dx", "R07.9", "--setting", "ER"]) == 2
    error = one_error_line(capsys.readouterr().err)  # argparse quotes the choices or not, by Python version
    assert error.startswith("chartaudit: error: argument --setting: invalid choice: 'er' (choose from ")
    assert "outpatient" in error and "inpatient" in error
    assert main(["check", "--note", str(note), "--dx", "R07.9", "--setting", "Inpatient"]) == 0


def test_one_bad_jsonl_line_gives_one_input_error_row(tmp_path: Path, checker) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(ROWS[0]) + "\n{not json\n" + json.dumps(ROWS[1]) + "\n", encoding="utf-8")
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv"))
    found = read_csv(tmp_path / "out.csv")
    errors = found[found.type == "input_error"]
    assert list(errors.message) == ["Input line 2 is not valid JSON."]
    assert list(read_csv(tmp_path / "summary.csv").status) == ["clean", "input_error", "needs_review"]


@pytest.mark.parametrize("name", ["in.jsonl", "in.parquet"])
def test_a_null_code_in_a_list_is_skipped_not_the_code_none(name: str, tmp_path: Path, checker) -> None:
    rows = [{"encounter_id": "n1", "note_text": "Assessment: chest pain.", "dx_codes": ["R07.9", None]},
            {"encounter_id": "n2", "note_text": "Assessment: chest pain.", "dx_codes": [None, "R07.9", float("nan")]}]
    source = tmp_path / name
    if name.endswith(".jsonl"):
        source.write_text("\n".join(json.dumps(row).replace("NaN", "null") for row in rows) + "\n", encoding="utf-8")
    else:
        pd.DataFrame(rows).to_parquet(source, index=False)
    run_audit(AuditJob(input=source, output=tmp_path / "out.csv", summary=tmp_path / "summary.csv"))
    assert len(read_csv(tmp_path / "out.csv")) == 0, "no invalid_code 'None', no other finding"
    assert list(read_csv(tmp_path / "summary.csv").status) == ["clean", "clean"]


def test_excel_input_is_read_as_text(tmp_path: Path, checker) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["encounter_id", "note_text", "dx_codes", "setting"])
    sheet.append([1001, "CC: chest pain. Assessment: chest pain.", "R07.9; M25.511", None])
    sheet.append([None, None, None, None])  # a blank row is skipped
    sheet.append([1002.0, "Assessment: hypertension.", "I10", "inpatient"])
    workbook.save(tmp_path / "in.xlsx")
    summary = run_audit(AuditJob(input=tmp_path / "in.xlsx", output=tmp_path / "out.csv",
                                 summary=tmp_path / "summary.csv"))
    found = read_csv(tmp_path / "out.csv")
    assert list(zip(found.encounter_id, found.type, found.code)) == [("1001", "unsupported_code", "M25.511")]
    assert list(read_csv(tmp_path / "summary.csv").encounter_id) == ["1001", "1002"] and summary.encounters == 2


def test_an_unreadable_excel_input_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "in.xlsx").write_bytes(b"not a workbook")
    code, error = audit_cli(capsys, tmp_path / "in.xlsx", "--out", tmp_path / "out.csv")
    assert code == 2
    assert one_error_line(error) == f"chartaudit: error: {tmp_path / 'in.xlsx'}: not an Excel workbook (BadZipFile)\n"


@pytest.mark.dask
def test_dask_logs_nothing_below_warning_unless_verbose(tmp_path: Path, checker, capfd) -> None:
    pytest.importorskip("dask.distributed")
    source = write_csv(tmp_path / "in.csv")
    assert main(["audit", str(source), "--out", str(tmp_path / "out.csv"), "--engine", "dask", "--workers", "1"]) == 0
    error = capfd.readouterr().err
    assert "INFO" not in error and error.startswith("3 encounters:")


def test_streamlit_is_pinned_to_the_tested_minor_release_and_the_licence_is_spdx() -> None:
    import tomllib

    from packaging.requirements import Requirement
    from streamlit import __version__ as streamlit_version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    streamlit = next(Requirement(item) for item in project["dependencies"] if item.startswith("streamlit"))
    assert streamlit.specifier.contains(streamlit_version)
    assert any(spec.operator == "<" for spec in streamlit.specifier), "an upper bound"
    assert project["license"] == "Apache-2.0"
    assert all((ROOT / name).is_file() for name in project["license-files"])
