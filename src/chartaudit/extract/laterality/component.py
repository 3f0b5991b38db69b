"""The laterality component: which side a mention is on, and its body site.

For each target (and each evidence phrase with sides: a joint implant), in order: a side word inside the span ("pain in the right
shoulder"); else right before it, over filler words ("R shoulder pain",
"left-sided chest pain"); else later in the same clause ("pain in the shoulder,
left side", "knee pain on the right", "shoulder pain bilaterally"), never past
a clause break or another target, and never a side word that belongs to the
next target ("knee pain and left hip pain"). "both", "bilateral" or right and
left together give "bilateral". The target's codes then resolve through its
side table (M25.51 + right -> M25.511).

Works on the targets' few tokens only.
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import logging
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from chartaudit.extract.laterality.rules import LateralityRules
from chartaudit.extract.sentences.component import sentence_bounds, sentence_token_starts
from chartaudit.extract.terms import EVIDENCE_SPANS, TARGET_ATTRIBUTE

logger = logging.getLogger(__name__)


def combine_sides(sides: list[str]) -> str | None:
    """One side from several side words: right + left, or any bilateral word -> bilateral.

    sides (list[str]): Sides found.
    RETURNS (str | None): The combined side, or None when there is none.

    Usage::

        combine_sides(["right", "left"])  # "bilateral"
    """
    distinct = set(sides)
    if not distinct:
        return None
    if "bilateral" in distinct or {"right", "left"} <= distinct:
        return "bilateral"
    return distinct.pop()


def _is_blank(text: str) -> bool:
    """True for a whitespace token without a line break (a run of spaces or tabs)."""
    return text.isspace() and "\n" not in text


class LateralityDetector:
    """Set ``TargetHit.side`` and ``TargetHit.site`` of every target."""

    def __init__(self, nlp: Language, name: str, model_dir: Path) -> None:
        self.name = name
        self.rules = LateralityRules.from_dir(model_dir)

    def __call__(self, doc: Doc) -> Doc:
        entities = doc.ents
        for index, entity in enumerate(entities):
            hit = entity._.get(TARGET_ATTRIBUTE)
            if hit is None:
                continue
            previous_end = entities[index - 1].end if index > 0 else 0
            next_start = entities[index + 1].start if index + 1 < len(entities) else len(doc)
            hit.side = self.side_of(doc, entity, previous_end, next_start)
            hit.site = self.rules.site_of([token.lower_ for token in entity])
        if EVIDENCE_SPANS in doc.spans:
            # A status with sides ("s/p right TKA" -> Z96.651) takes its side the same way, within its sentence.
            for span in doc.spans[EVIDENCE_SPANS]:
                hit = span._.get(TARGET_ATTRIBUTE)
                if hit is not None and hit.entry.sides:
                    hit.side = self.side_of(doc, span, 0, len(doc))
        return doc

    def side_of(self, doc: Doc, entity: Span, previous_end: int, next_start: int) -> str | None:
        """The side of one target (see the module docstring).

        doc (Doc): The doc.
        entity (Span): The target.
        previous_end (int): End of the previous target (a side is not looked for before it).
        next_start (int): Start of the next target (a side is not looked for past it).
        RETURNS (str | None): "right" | "left" | "bilateral" | None.
        """
        rules = self.rules
        inside = [side for side in (rules.side_of(token.text) for token in entity) if side]
        if inside:
            return combine_sides(inside)
        sentence_start, sentence_end = sentence_bounds(sentence_token_starts(doc), len(doc), entity.start, entity.end)
        side = self._side_before(doc, entity.start, max(previous_end, sentence_start))
        if side:
            return side
        return self._side_after(doc, entity.end, min(next_start, sentence_end), next_start)

    def _side_before(self, doc: Doc, start: int, lower_bound: int) -> str | None:
        rules = self.rules
        position = start - 1
        steps = 0
        found: list[str] = []
        while position >= lower_bound and steps < rules.max_tokens_before + len(found):
            token = doc[position]
            if _is_blank(token.text):
                position -= 1
                continue  # "RIGHT   PLEURAL EFFUSION": a run of spaces is one space
            side = rules.side_of(token.text)
            if side:
                found.append(side)
            elif token.lower_ in ("and", "&") and found:
                pass  # "right and left knee pain"
            elif token.lower_ not in rules.filler_words or token.is_space:
                break
            position -= 1
            steps += 1
        return combine_sides(found)

    def _side_after(self, doc: Doc, end: int, upper_bound: int, next_start: int) -> str | None:
        rules = self.rules
        position = end
        limit = min(upper_bound, end + rules.max_tokens_after)
        while position < limit:
            token = doc[position]
            if _is_blank(token.text):
                position += 1
                limit = min(upper_bound, limit + 1)
                continue
            lower = token.lower_
            if token.is_space or lower in rules.clause_breaks:
                return None
            side = rules.side_of(token.text)
            if side:
                if self._introduces(doc, position + 1, next_start):
                    return None  # "knee pain, left hip pain": the side is the next target's
                return side
            if lower not in rules.filler_words:
                return None
            position += 1
        return None

    def _introduces(self, doc: Doc, position: int, next_start: int) -> bool:
        """True when only filler words stand between ``position`` and the next target."""
        while position < next_start:
            token = doc[position]
            if token.lower_ not in self.rules.filler_words or token.lower_ == ",":
                return False
            position += 1
        return position == next_start and next_start < len(doc)


@Language.factory("chartaudit_laterality", default_config={"model_dir": ""})
def create_laterality_detector(nlp: Language, name: str, model_dir: str) -> LateralityDetector:
    """spaCy factory of :class:`LateralityDetector`."""
    return LateralityDetector(nlp, name, Path(model_dir))
