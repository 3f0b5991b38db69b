"""The sentence component: a fast, line-aware rule splitter.

PyRuSH (medSpaCy's default) is not used: it took ~86% of the pipeline's run
time and logs every token at DEBUG. This component finds sentence starts on the
text with a few regular expressions (:class:`SentenceRules`), maps them to
tokens with one ``numpy.searchsorted`` and sets ``SENT_START`` with one
``Doc.from_array`` call: no per-token Python work.

It runs after the section component and starts a sentence at each header and
at the text that follows it.
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import bisect
import logging
from pathlib import Path

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from chartaudit.extract.sections.component import SECTIONS_ATTRIBUTE
from chartaudit.extract.sentences.rules import SentenceRules
from chartaudit.extract.tokenizer import doc_text

logger = logging.getLogger(__name__)

_NOT_START = numpy.uint64(numpy.iinfo(numpy.uint64).max)  # -1 as spaCy stores it
#: ``Doc.user_data`` key of the sorted token indexes that start a sentence, as this
#: component set them (later components read them instead of scanning ``SENT_START``).
SENTENCE_STARTS_KEY = "chartaudit_sentence_starts"


def sentence_token_starts(doc: Doc) -> list[int]:
    """The indexes of a doc's sentence-start tokens, sorted (0 always, for a non-empty doc).

    doc (Doc): A doc with sentence boundaries.
    RETURNS (list[int]): As the sentence component set them, or read from ``SENT_START``.
    """
    starts = doc.user_data.get(SENTENCE_STARTS_KEY)
    if isinstance(starts, list):
        return starts
    starts = [index for index, value in enumerate(doc.to_array(SENT_START).tolist()) if value == 1]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts


def sentence_bounds(starts: list[int], length: int, start: int, end: int) -> tuple[int, int]:
    """(start, end) token indexes of the sentence a span is in, as ``Span.sent`` finds it.

    starts (list[int]): :func:`sentence_token_starts` of the doc.
    length (int): The doc's length in tokens.
    start (int): The span's first token.
    end (int): The token after the span.
    RETURNS (tuple[int, int]): The sentence's first token and the token after it.
    """
    first = starts[bisect.bisect_right(starts, start) - 1]
    position = bisect.bisect_left(starts, end)
    return first, starts[position] if position < len(starts) else length


class SentenceSplitter:
    """Set sentence boundaries from line structure, punctuation and section headers."""

    def __init__(self, nlp: Language, name: str, model_dir: Path) -> None:
        self.name = name
        self.rules = SentenceRules.from_dir(model_dir)

    def __call__(self, doc: Doc) -> Doc:
        length = len(doc)
        if length == 0:
            return doc
        header_spans = []
        if Doc.has_extension(SECTIONS_ATTRIBUTE):
            sections = doc._.get(SECTIONS_ATTRIBUTE) or []
            header_spans = [(section.start, section.body_start) for section in sections if section.category]
        starts = self.rules.sentence_starts(doc_text(doc), header_spans)
        token_starts = doc.to_array(IDX)
        indices = numpy.searchsorted(token_starts, numpy.asarray(starts, dtype=token_starts.dtype))
        values = numpy.full(length, _NOT_START, dtype=numpy.uint64)
        values[indices[indices < length]] = 1
        values[0] = 1
        doc.from_array([SENT_START], values.reshape(length, 1))
        doc.user_data[SENTENCE_STARTS_KEY] = numpy.flatnonzero(values == 1).tolist()
        return doc


@Language.factory("chartaudit_sentences", default_config={"model_dir": ""})
def create_sentence_splitter(nlp: Language, name: str, model_dir: str) -> SentenceSplitter:
    """spaCy factory of :class:`SentenceSplitter`."""
    return SentenceSplitter(nlp, name, Path(model_dir))
