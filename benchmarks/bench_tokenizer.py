"""Benchmark: the clinical tokenizer against spaCy's, on MTSamples notes.

Checks that :class:`~chartaudit.extract.tokenizer.ClinicalTokenizer` gives exactly
spaCy's tokens and whitespace on every note, and prints both tokenizers' times on
new text (first pass) and on text like text already seen (second pass), measured
in the same run. Prints figures and asserts nothing (timings on a shared machine
are noisy). Skips with a message when ``../shared/data/mtsamples.csv`` is absent.

Usage::

    .venv/bin/python benchmarks/bench_tokenizer.py [--notes 3000]
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chartaudit.resources import default_model_dir, shared_data_dir  # noqa: E402

logger = logging.getLogger("bench_tokenizer")


def load_notes(count: int) -> list[str] | None:
    """Up to ``count`` MTSamples transcriptions, or None when the data is absent."""
    shared = shared_data_dir()
    source = shared / "mtsamples.csv" if shared else None
    if source is None or not source.exists():
        return None
    csv.field_size_limit(10_000_000)
    with open(source, newline="", encoding="utf-8") as handle:
        return [row.get("transcription") or "" for row in csv.DictReader(handle)][:count]


def main() -> None:
    import spacy

    from chartaudit.extract.tokenizer import ClinicalTokenizer, add_special_cases, load_special_cases

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=3000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    notes = load_notes(args.notes)
    if notes is None:
        logger.info("skipped: ../shared/data/mtsamples.csv is absent (set CHARTAUDIT_SHARED_DATA to its folder)")
        return

    def spacy_tokenizer() -> object:
        nlp = spacy.blank("en")
        add_special_cases(nlp, load_special_cases(default_model_dir()))
        return nlp.tokenizer

    reference, clinical = spacy_tokenizer(), ClinicalTokenizer(spacy_tokenizer())
    times: dict[str, list[float]] = {"spaCy": [], "clinical": []}
    for _ in range(2):
        for name, tokenizer in (("spaCy", reference), ("clinical", clinical)):
            started = time.perf_counter()
            for note in notes:
                tokenizer(note)
            times[name].append(time.perf_counter() - started)
    different = sum(
        [(token.text, token.whitespace_) for token in reference(note)]
        != [(token.text, token.whitespace_) for token in clinical(note)]
        for note in notes
    )
    logger.info("%d MTSamples notes; tokens and whitespace identical to spaCy's on %d of them",
                len(notes), len(notes) - different)
    for label, index in (("new text (first pass)", 0), ("seen text (second pass)", 1)):
        spacy_seconds, clinical_seconds = times["spaCy"][index], times["clinical"][index]
        logger.info("%-24s spaCy %.2f s, clinical %.2f s: %.1fx faster", label, spacy_seconds, clinical_seconds,
                    spacy_seconds / clinical_seconds)


if __name__ == "__main__":
    main()
