"""Checksums of chartaudit's outputs, to show that a change keeps behaviour byte for byte.

Writes, into an output folder, and prints the SHA-256 of each:

* ``evaluate.txt``: ``chartaudit evaluate data/samples/encounters.jsonl``;
* ``check.jsonl``: ``chartaudit check --format json`` on every sample encounter (one
  CLI call per encounter, in this process, its stdout captured);
* ``audit.csv`` and ``audit.parquet``: ``chartaudit audit`` of the first 3,000 MTSamples
  notes (``../shared/data``; skipped when absent), as ``benchmarks/bench_audit.py``
  writes them.

Run it on the commits before and after a change and compare the printed checksums
(or ``cmp`` the folders).

Usage::

    .venv/bin/python benchmarks/snapshot.py OUT_DIR [--notes 3000] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_audit import write_notes  # noqa: E402

logger = logging.getLogger("snapshot")
SAMPLES = ROOT / "data" / "samples" / "encounters.jsonl"


def _cli(arguments: list[str]) -> str:
    """stdout of ``chartaudit ARGUMENTS`` run in this process."""
    from chartaudit.cli import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(arguments)
    return buffer.getvalue()


def _codes(value: object) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def check_samples(folder: Path) -> str:
    """``chartaudit check --format json`` of every sample encounter, one output after another."""
    outputs = []
    with tempfile.TemporaryDirectory() as scratch:
        note_path = Path(scratch) / "note.txt"
        for line in SAMPLES.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            encounter = json.loads(line)
            note_path.write_text(encounter.get("note_text") or "", encoding="utf-8")
            arguments = ["check", "--note", str(note_path), "--dx", _codes(encounter.get("dx_codes")),
                         "--setting", str(encounter.get("setting") or "outpatient"), "--format", "json"]
            if encounter.get("px_codes"):
                arguments += ["--px", _codes(encounter["px_codes"])]
            for policy in encounter.get("policy_files", []):
                arguments += ["--policy", str(SAMPLES.parent / policy)]
            outputs.append(f"== {encounter.get('encounter_id')}\n" + _cli(arguments))
    return "".join(outputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "evaluate.txt").write_text(_cli(["evaluate", str(SAMPLES)]), encoding="utf-8")
    (args.out / "check.jsonl").write_text(check_samples(args.out), encoding="utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        encounters = write_notes(args.notes, Path(scratch))
        if encounters is None:
            logger.info("../shared/data/mtsamples.csv is absent: no audit outputs")
        else:
            for suffix in (".csv", ".parquet"):
                subprocess.run([str(ROOT / ".venv" / "bin" / "chartaudit"), "audit", str(encounters),
                                "--out", str(args.out / f"audit{suffix}"), "--workers", str(args.workers)],
                               check=True, cwd=ROOT, capture_output=True)
    for path in sorted(args.out.iterdir()):
        if path.is_file():
            logger.info("%s  %s", hashlib.sha256(path.read_bytes()).hexdigest(), path.name)


if __name__ == "__main__":
    main()
