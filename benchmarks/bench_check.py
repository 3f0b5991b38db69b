"""Benchmark: warm check time of a 500-word note, and `chartaudit check` start-up.

Goals (issue: core checker): a 500-word note checks in <= 20 ms warm; `chartaudit
check` from process start <= 3 s. Prints the figures; it asserts nothing, because
this machine is shared and timings are noisy.

Usage::

    .venv/bin/python benchmarks/bench_check.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chartaudit.resources import shared_data_dir  # noqa: E402


def notes_of_about(words: int) -> list[tuple[str, str]]:
    """(label, note) pairs of about ``words`` words: MTSamples when present, else the samples."""
    notes: list[tuple[str, str]] = []
    shared = shared_data_dir()
    if shared and (shared / "mtsamples.csv").exists():
        csv.field_size_limit(10_000_000)
        with open(shared / "mtsamples.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                text = row.get("transcription") or ""
                if abs(len(text.split()) - words) <= 50:
                    notes.append(("mtsamples", text))
                if len(notes) >= 20:
                    break
    if not notes:
        samples = [json.loads(line)["note_text"] for line in
                   (ROOT / "data/samples/encounters.jsonl").read_text().splitlines() if line.strip()]
        text, index = "", 0
        while len(text.split()) < words:
            text += samples[index % len(samples)] + "\n\n"
            index += 1
        notes.append(("samples", " ".join(text.split(" ")[:words])))
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    started = time.perf_counter()
    from chartaudit import Checker

    checker = Checker()
    load_seconds = time.perf_counter() - started
    notes = notes_of_about(500)
    source = notes[0][0]
    for _, note in notes:
        checker.check(note, dx=["R07.9", "I10", "E11.9"])  # warm up
    timings = []
    for _ in range(args.repeat):
        for _, note in notes:
            begin = time.perf_counter()
            checker.check(note, dx=["R07.9", "I10", "E11.9"])
            timings.append((time.perf_counter() - begin) * 1000)
    print(f"checker load (imports + pipeline + tables): {load_seconds:.2f} s")
    print(f"500-word note ({source}, {len(notes)} notes x {args.repeat}): median {statistics.median(timings):.1f} ms, "
          f"p90 {sorted(timings)[int(0.9 * len(timings))]:.1f} ms   (goal <= 20 ms)")

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(notes[0][1])
    command = [sys.executable, "-m", "chartaudit.cli", "check", "--note", handle.name, "--dx", "R07.9", "M25.511"]
    starts = []
    for _ in range(3):
        begin = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        starts.append(time.perf_counter() - begin)
    Path(handle.name).unlink()
    print(f"`chartaudit check` from process start: median {statistics.median(starts):.2f} s of 3 runs   (goal <= 3 s)")


if __name__ == "__main__":
    main()
