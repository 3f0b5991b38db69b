"""Build chartaudit's clinical spaCy pipeline (cached per model directory).

``spacy.blank("en")`` with clinical tokenizer special cases, then::

    chartaudit_sections     section headers (medSpaCy JSON rules, line-anchored)
    chartaudit_sentences    fast line-aware sentence splitter (not PyRuSH)
    chartaudit_definitions  scispaCy abbreviation_detector (in-note definitions)
    chartaudit_targets      token-trie matcher: ICD-10-CM terms, lexicon, abbreviations -> doc.ents
    chartaudit_evidence     drugs, statuses, visit reasons, screening tests, mechanisms, BMI values
                            -> doc.spans["chartaudit_evidence"] (Z codes and external causes)
    chartaudit_context      medSpaCy ConText (only sentences holding targets) + section assertions
    chartaudit_laterality   side and body site; side-specific codes

The only global state is the cached pipeline (``functools.lru_cache`` keyed by
the resolved model directory). Run-time terms never change it: they are passed
per call (see :class:`chartaudit.extract.Extractor`).

Usage::

    from chartaudit.extract import build_pipeline
    nlp = build_pipeline()            # the default model, cached
    doc = nlp("Denies chest pain.")
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from chartaudit.resources.artifact import model_directory

logger = logging.getLogger(__name__)

#: Component names, in pipeline order.
PIPE_NAMES: tuple[str, ...] = (
    "chartaudit_sections",
    "chartaudit_sentences",
    "chartaudit_definitions",
    "chartaudit_targets",
    "chartaudit_evidence",
    "chartaudit_context",
    "chartaudit_laterality",
)
#: Longest text accepted (characters); spaCy's default of 1,000,000 would reject a 2 MB note.
MAX_TEXT_LENGTH = 50_000_000


def _register_factories() -> None:
    """Import the component modules so that their spaCy factories are registered."""
    from chartaudit.extract import definitions  # noqa: F401
    from chartaudit.extract.context import component as context_component  # noqa: F401
    from chartaudit.extract.evidence import component as evidence_component  # noqa: F401
    from chartaudit.extract.laterality import component as laterality_component  # noqa: F401
    from chartaudit.extract.sections import component as sections_component  # noqa: F401
    from chartaudit.extract.sentences import component as sentences_component  # noqa: F401
    from chartaudit.extract.targets import matcher  # noqa: F401


def create_pipeline(model_dir: Path | str | None = None) -> Language:
    """Build a new (uncached) pipeline.

    model_dir (Path | str | None): A model directory or built artifact (``*.chartaudit``);
        the default model when None.
    RETURNS (Language): The pipeline.
    """
    import spacy

    from chartaudit.extract.tokenizer import ClinicalTokenizer, add_special_cases, load_special_cases

    started = time.perf_counter()
    model_path = model_directory(model_dir)
    _register_factories()
    nlp = spacy.blank("en")
    nlp.max_length = MAX_TEXT_LENGTH
    add_special_cases(nlp, load_special_cases(model_path))
    nlp.tokenizer = ClinicalTokenizer(nlp.tokenizer)
    config = {"model_dir": str(model_path)}
    for name in PIPE_NAMES:
        # validate=False: the configs are ours; validation costs ~0.1 s per process.
        nlp.add_pipe(name, config={} if name == "chartaudit_definitions" else config, validate=False)
    logger.info("Built the extraction pipeline from %s in %.2f s", model_path, time.perf_counter() - started)
    return nlp


@lru_cache(maxsize=4)
def _cached_pipeline(model_dir: str) -> Language:
    return create_pipeline(model_dir)


def build_pipeline(model_dir: Path | str | None = None) -> Language:
    """The pipeline of a model directory, built once and cached.

    model_dir (Path | str | None): A model directory or built artifact; the default model when None.
    RETURNS (Language): The shared pipeline (do not add pipes to it).
    """
    model_path = model_directory(model_dir)  # an artifact is unpacked to a content-addressed directory
    return _cached_pipeline(str(model_path.resolve()))
