"""Build the fuzzy-linking index: ``models/icd10cm/fuzzy-2026.npz``.

Build-time only (needs scikit-learn and SciPy). The phrases are the generated
ICD-10-CM target phrases of at most ``max_phrase_words`` words (external causes
left out) and the curated lexicon's phrases, as the target matcher normalises
them. ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3))`` is fitted on
them; the artifact stores the phrases, the n-grams and their idf, read at run
time with numpy only (:class:`FuzzyIndex` computes the phrase vectors it needs).

Usage::

    python -m chartaudit.extract.fuzzy.build [--out PATH] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np

from chartaudit.extract.settings import component_settings, load_meta
from chartaudit.resources import default_model_dir, icd10cm_dir

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT_NAME = "fuzzy-2026.npz"
#: Chapter 20 (external causes) is no condition a note documents.
_EXTERNAL = ("V", "W", "X", "Y")


def fuzzy_phrases(model_dir: Path | None = None, max_words: int = 4) -> list[str]:
    """The normalised phrases the index holds (those with codes), sorted.

    Usage::

        phrases = fuzzy_phrases()
    """
    from chartaudit.extract.targets.matcher import DEFAULT_TERMS_FILE
    from chartaudit.extract.targets.terms import LEXICON_FILE, load_icd_terms, read_lexicon
    from chartaudit.extract.pipeline import build_pipeline

    model_dir = Path(model_dir) if model_dir else default_model_dir()
    meta = load_meta(model_dir)
    matcher = build_pipeline(model_dir).get_pipe("chartaudit_targets")
    data = load_icd_terms(str(icd10cm_dir() / str(meta.get("icd10cm_terms", DEFAULT_TERMS_FILE))))
    phrases: set[str] = set()
    for first_word, lines in data.get("terms", {}).items():
        for line in lines.split("\n"):
            rest, _, codes = line.partition("\t")
            key = f"{first_word} {rest}".strip()
            if not codes or codes.startswith(_EXTERNAL) or len(key.split()) > max_words:
                continue
            phrases.add(key)
    for phrase, code, _ in read_lexicon(model_dir / LEXICON_FILE):
        words = matcher.phrase_words(phrase)  # type: ignore[attr-defined]
        if code and 0 < len(words) <= max_words:
            phrases.add(" ".join(words))
    return sorted(phrases)


def build_index(phrases: list[str], n: int = 3) -> dict[str, np.ndarray]:
    """The arrays of the artifact for a phrase list.

    Usage::

        arrays = build_index(["chest pain", "shoulder pain"])
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(n, n), dtype=np.float32)
    vectorizer.fit(phrases)
    grams = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return {
        "phrases": np.array("\n".join(phrases)),
        "grams": np.array("\n".join(grams)),
        "idf": vectorizer.idf_.astype(np.float32),
        "n": np.array(n),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: build the fuzzy index."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=icd10cm_dir() / DEFAULT_OUTPUT_NAME)
    parser.add_argument("--model-dir", type=Path, default=None)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    settings = component_settings(load_meta(arguments.model_dir or default_model_dir()), "fuzzy")
    phrases = fuzzy_phrases(arguments.model_dir, int(settings.get("max_phrase_words", 4)))
    arrays = build_index(phrases)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(arguments.out, **arrays)
    logger.info("wrote %s: %d phrases, %d n-grams, %.2f MB in %.1f s", arguments.out, len(phrases),
                len(arrays["idf"]), arguments.out.stat().st_size / 1e6, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
