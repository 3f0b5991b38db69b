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

from chartaudit.extract.config import ModelConfig
from chartaudit.extract.fuzzy.linker import FuzzyConfig
from chartaudit.extract.lexicon import Lexicon
from chartaudit.extract.terms import DEFAULT_TERMS_FILE, load_icd_terms, phrase_lemmas
from chartaudit.resources import default_model_dir, icd10cm_dir
from chartaudit.resources.words import WordRules

logger = logging.getLogger(__name__)

#: Chapter 20 (external causes) is no condition a note documents.
_EXTERNAL = ("V", "W", "X", "Y")


def fuzzy_phrases(model_dir: Path | None = None, max_words: int = 4) -> list[str]:
    """The phrases the index holds (those with codes), as the target matcher normalises them, sorted.

    model_dir (Path | None): The model (its lexicon, tokenizer special cases, word
        normaliser and generated terms file); the default model when None.
    max_words (int): Longest phrase kept, in words.
    """
    import spacy

    from chartaudit.extract.tokenizer import ClinicalTokenizer, add_special_cases, load_special_cases

    model_dir = Path(model_dir) if model_dir else default_model_dir()
    model_config = ModelConfig.from_dir(model_dir)
    nlp = spacy.blank("en")
    add_special_cases(nlp, load_special_cases(model_dir))
    tokenizer = ClinicalTokenizer(nlp.tokenizer)  # as the pipeline tokenizes
    words = WordRules.from_dir(model_dir)
    data = load_icd_terms(str(icd10cm_dir() / (model_config.icd10cm_terms or DEFAULT_TERMS_FILE)))
    phrases: set[str] = set()
    for first_word, lines in data.get("terms", {}).items():
        for line in lines.split("\n"):
            rest, _, codes = line.partition("\t")
            key = f"{first_word} {rest}".strip()
            if not codes or codes.startswith(_EXTERNAL) or len(key.split()) > max_words:
                continue
            phrases.add(key)
    for phrase, code, _ in Lexicon.from_dir(model_dir).rows:
        lemmas = phrase_lemmas(tokenizer, words, phrase)
        if code and 0 < len(lemmas) <= max_words:
            phrases.add(" ".join(lemmas))
    return sorted(phrases)


def build_index(phrases: list[str], n: int = 3) -> dict[str, np.ndarray]:
    """The arrays of the artifact for a phrase list.
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
    parser.add_argument("--out", type=Path, default=None,
                        help="the index to write (default: components.fuzzy.artifact in models/icd10cm/)")
    parser.add_argument("--model-dir", type=Path, default=None)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    config = ModelConfig.from_dir(arguments.model_dir or default_model_dir()).component_config("fuzzy")
    output = arguments.out or icd10cm_dir() / FuzzyConfig.from_dict(config).artifact
    phrases = fuzzy_phrases(arguments.model_dir, int(config.get("max_phrase_words", 4)))
    arrays = build_index(phrases)
    output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(output, **arrays)
    logger.info("wrote %s: %d phrases, %d n-grams, %.2f MB in %.1f s", output, len(phrases),
                len(arrays["idf"]), output.stat().st_size / 1e6, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
