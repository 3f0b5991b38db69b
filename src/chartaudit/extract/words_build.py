"""Build the code phrases artifact of the word search: ``models/icd10cm/code-phrases-2026.json.gz``.

The word search (:mod:`chartaudit.extract.words`) looks for the phrases of a billed code, so
it needs the target terms by code, where the terms files hold them by first word. This
inverts the generated tabular terms (``terms-2026.json.gz``) and the Alphabetic Index terms
(``index-2026.json.gz``), both committed, so the build needs nothing else: each category
(first three characters of a code) gets its "code<TAB>phrase lemmas" lines, and each lemma
the number of distinct phrases that hold it (the search starts from a phrase's rarest
word). Reading it at run time costs ~0.1 s once per process, where inverting the terms
files took ~1.5 s. ``make models`` runs it after the terms and Index builds.

Usage::

    python -m chartaudit.extract.words_build [--out PATH] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chartaudit.extract.config import ModelConfig
from chartaudit.extract.targets.index_terms import PackedGroups, index_terms_path, load_index_terms
from chartaudit.extract.terms import DEFAULT_TERMS_FILE, load_icd_terms
from chartaudit.extract.words import DEFAULT_ARTIFACT
from chartaudit.knowledge.build import write_tables
from chartaudit.resources import default_model_dir, icd10cm_dir

logger = logging.getLogger(__name__)


def _group_lines(groups: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(phrase lemmas, codes) of every line of a terms file's groups (first word -> lines)."""
    for first_word, group in groups.items():
        if not isinstance(group, str):
            group = group()  # a packed Index block, decoded on demand
        for line in group.split("\n"):
            rest, _, codes = line.partition("\t")
            if codes:
                yield (f"{first_word} {rest}" if rest else first_word), codes


def code_phrases(model_dir: Path | None = None) -> dict[str, Any]:
    """The artifact's tables: ``categories``, ``frequency`` and ``meta``.

    model_dir (Path | None): The model whose terms files are read; the default model when None.
    """
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    model_config = ModelConfig.from_dir(model_dir)
    terms = load_icd_terms(str(icd10cm_dir() / (model_config.icd10cm_terms or DEFAULT_TERMS_FILE)))
    sources: list[Mapping[str, Any]] = [terms.get("terms", {})]
    index_path = index_terms_path(model_config.component_config("targets"))
    if index_path is not None:
        index = load_index_terms(str(index_path))
        sources.append(PackedGroups(index.get("words", {}), index.get("blocks", [])).lazy_groups())
    pairs: set[tuple[str, str]] = set()
    for groups in sources:
        for phrase, codes in _group_lines(groups):
            for code in codes.split(","):
                if code:
                    pairs.add((code, phrase))
    frequency: Counter[str] = Counter()
    for phrase in {phrase for _, phrase in pairs}:
        frequency.update(set(phrase.split(" ")))
    categories: dict[str, list[str]] = {}
    for code, phrase in sorted(pairs):
        categories.setdefault(code[:3], []).append(f"{code}\t{phrase}")
    return {
        "meta": {"source": "the target terms (tables and Alphabetic Index) by code", "phrase_count": len(pairs),
                 "category_count": len(categories)},
        "frequency": dict(sorted(frequency.items())),
        "categories": {category: "\n".join(lines) for category, lines in sorted(categories.items())},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the code phrases artifact of the word search.")
    parser.add_argument("--out", type=Path, default=None, help=f"output file (default: models/icd10cm/{DEFAULT_ARTIFACT})")
    parser.add_argument("--model-dir", type=Path, default=None, help="model directory (default: models/default)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    tables = code_phrases(args.model_dir)
    output = args.out or icd10cm_dir() / DEFAULT_ARTIFACT
    size = write_tables(tables, output)
    logger.info("Wrote %s: %d phrases of %d categories, %d bytes, in %.1f s", output, tables["meta"]["phrase_count"],
                tables["meta"]["category_count"], size, time.perf_counter() - started)


if __name__ == "__main__":
    main()
