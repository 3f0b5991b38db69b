"""Cost of fuzzy linking per note: CPU time inside the target matcher's fuzzy step.

Runs 300 MTSamples notes (``../shared/data/mtsamples.csv``; skipped when absent)
five times and reports the smallest total, per note, of the fuzzy step and of the
whole extraction. CPU time (``time.process_time``), since this machine is shared.

Usage::

    .venv/bin/python benchmarks/bench_fuzzy.py [--notes 300]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chartaudit.resources import shared_data_dir  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    data = shared_data_dir()
    if data is None or not (data / "mtsamples.csv").is_file():
        sys.stdout.write("skipped: ../shared/data/mtsamples.csv is not present\n")
        return 0
    from chartaudit.extract import Extractor

    csv.field_size_limit(10**8)
    with (data / "mtsamples.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    column = next(name for name in rows[0] if "transcription" in name.lower())
    notes = [row[column] for row in rows if (row[column] or "").strip()][: arguments.notes]

    extractor = Extractor()
    matcher = extractor.matcher
    original = matcher._fuzzy_candidates
    spent = [0.0]

    def timed(*args: object) -> None:
        started = time.process_time()
        original(*args)
        spent[0] += time.process_time() - started

    matcher._fuzzy_candidates = timed  # type: ignore[method-assign]
    for note in notes[:30]:
        extractor.extract(note)  # warm up: index, caches
    fuzzy_times, totals, fuzzy_mentions = [], [], 0
    for _ in range(arguments.repeats):
        spent[0] = 0.0
        started = time.process_time()
        results = [extractor.extract(note) for note in notes]
        totals.append(time.process_time() - started)
        fuzzy_times.append(spent[0])
        fuzzy_mentions = sum(1 for mentions in results for m in mentions if m.source == "fuzzy")
    words = statistics.mean(len(note.split()) for note in notes)
    sys.stdout.write(
        f"{len(notes)} MTSamples notes, {words:.0f} words on average: fuzzy linking "
        f"{min(fuzzy_times) / len(notes) * 1000:.2f} ms/note CPU of {min(totals) / len(notes) * 1000:.2f} "
        f"ms/note for the whole extraction; {fuzzy_mentions} fuzzy mentions\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
