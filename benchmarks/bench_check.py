"""Benchmark: warm check time of a 500-word note, and `chartaudit check` start-up.

Goals (issue: core checker): a 500-word note checks in <= 20 ms warm; `chartaudit
check` from process start <= 3 s. Prints the figures; it asserts nothing, because
this machine is shared and timings are noisy.

"Warm" means the pipeline and tables are loaded: each timed note is checked once, with
the extractor's note cache off, so the figure is reading a note, not finding it in the
cache. A cached re-check of the same notes is printed apart.

Usage::

    .venv/bin/python benchmarks/bench_check.py [--notes 60]
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


def notes_of_about(words: int, limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` distinct (label, note) pairs of about ``words`` words: MTSamples when
    present, else one note made of the samples."""
    notes: list[tuple[str, str]] = []
    seen: set[str] = set()
    shared = shared_data_dir()
    if shared and (shared / "mtsamples.csv").exists():
        csv.field_size_limit(10_000_000)
        with open(shared / "mtsamples.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                text = row.get("transcription") or ""
                if abs(len(text.split()) - words) <= 50 and text not in seen:
                    seen.add(text)
                    notes.append(("mtsamples", text))
                if len(notes) >= limit:
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


def check_times(checker, notes: list[tuple[str, str]]) -> list[float]:
    """Milliseconds of one check of each note, in order."""
    timings = []
    for _, note in notes:
        begin = time.perf_counter()
        checker.check(note, dx=["R07.9", "I10", "E11.9"])
        timings.append((time.perf_counter() - begin) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=60, help="distinct notes timed (after 5 for warm-up)")
    args = parser.parse_args()

    started = time.perf_counter()
    from chartaudit import Checker
    from chartaudit.extract.extractor import DEFAULT_CACHE_SIZE

    checker = Checker()
    load_seconds = time.perf_counter() - started
    notes = notes_of_about(500, args.notes + 5)
    source = notes[0][0]
    warm_up, timed = notes[:5], notes[5:] or notes
    checker.extractor.cache_size = 0
    checker.extractor.clear_cache()
    for _, note in warm_up:
        checker.check(note, dx=["R07.9", "I10", "E11.9"])
    timings = check_times(checker, timed)
    checker.extractor.cache_size = DEFAULT_CACHE_SIZE
    check_times(checker, timed)  # fills the note cache
    cached = check_times(checker, timed)
    print(f"checker load (imports + pipeline + tables): {load_seconds:.2f} s")
    print(f"500-word note ({source}, {len(timed)} distinct notes, each read once, note cache off): "
          f"median {statistics.median(timings):.1f} ms, p90 {sorted(timings)[int(0.9 * len(timings))]:.1f} ms   "
          "(goal <= 20 ms)")
    print(f"the same notes again, from the note cache: median {statistics.median(cached):.2f} ms")

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
