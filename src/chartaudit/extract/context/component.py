"""The ConText component: medSpaCy's ConText algorithm, run only where it matters.

It uses medSpaCy's own pieces (``ConTextRule``, ``ConTextModifier``,
``ConTextGraph``, its overlap pruning) with the rules of ``context_rules.json``,
but differs from ``medspacy.context.ConText`` in ways that keep it fast and linear:

* it does nothing when the doc has no targets (``doc.ents`` is empty) and no
  evidence spans (``doc.spans["chartaudit_evidence"]``: drugs, statuses, ...);
* token patterns made of ``LOWER`` / ``IN`` / optional tokens (all of medSpaCy's
  defaults) are expanded into literals for one ``PhraseMatcher``: spaCy's
  ``Matcher`` with ``IN`` predicates is about 100 times slower; other
  patterns still go to a ``Matcher``;
* modifiers are grouped by sentence and only sentences holding a target build a
  graph. Scopes never cross a sentence, so the result is the same as medSpaCy's,
  but ``ConTextGraph.update_scopes`` (quadratic in the number of modifiers) runs
  on a handful of modifiers instead of a whole 2 MB note's.

The evidence spans are assessed with the targets, with two differences: a modifier
word inside an evidence phrase still modifies the targets ("PSA screening for
prostate cancer"), and a modifier does not reach an evidence phrase past a condition
that stands between them: in "no bleeding on apixaban" the negation is the
bleeding's, and the drug is taken.

Then section-based assertions are added (``meta.json``
``components.context.section_assertions``): mentions in a past medical or
surgical history section are historical, in family history about a relative.

Last, NegEx temporality (``temporality_rules.json``): a second rule set, with
section defaults and conditions chronic by nature, marks spans whose condition
began over about two weeks ago with ``onset_past`` (not a Mention flag:
``Mention.temporality`` and ``SpanAssertion.temporality`` read it). It never
changes the billing flags.

Sets ``Span._.chartaudit_target.flags`` (a set of Mention flag names);
``ContextDetector.assess(doc, spans)`` gives the flags of any spans (they play the
targets' part), which ``Extractor.assess`` uses for conditions supplied by a caller.
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import bisect
import logging
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

from spacy.attrs import IS_SPACE, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from chartaudit.extract._lists import positions_of
from chartaudit.extract._medspacy import import_medspacy_parts
from chartaudit.extract.config import ModelConfig
from chartaudit.extract.context.rules import (
    CATEGORY_FLAGS,
    COMBINED_CATEGORY_FLAGS,
    CURRENT_MARKER,
    ONSET_PAST,
    TEMPORALITY_CATEGORIES,
    ContextRules,
    TemporalityRules,
    expand_pattern,
)
from chartaudit.extract.sections.component import SECTIONS_ATTRIBUTE
from chartaudit.extract.sentences.component import sentence_bounds, sentence_token_starts
from chartaudit.extract.terms import EVIDENCE_SPANS, TARGET_ATTRIBUTE

logger = logging.getLogger(__name__)

#: ConText category -> the flags its modifiers set. The assertion rules' categories set Mention
#: flags, and ``RECENT`` a marker ("history of chest pain for one week" is the current complaint).
_ASSERTION_FLAGS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    **{category: (flag,) for category, flag in CATEGORY_FLAGS.items()}, **COMBINED_CATEGORY_FLAGS,
    "RECENT": (CURRENT_MARKER,), "CURRENT": (CURRENT_MARKER,)}
_TEMPORALITY_FLAGS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    category: (flag,) for category, flag in TEMPORALITY_CATEGORIES.items()}


class _ModifierMatcher:
    """Finds the modifiers of one rule set (a ``PhraseMatcher`` for simple patterns)."""

    def __init__(self, nlp: Language, name: str, rules: list[Any]) -> None:
        self.rules = rules
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.token_matcher: Matcher | None = None
        #: Lower-case forms that start a token-pattern match (None: a pattern may start anywhere).
        self._anchors: set[int] | None = set()
        self.rule_by_match_id: dict[int, Any] = {}
        phrases: dict[str, list[str]] = {}
        for index, rule in enumerate(rules):
            key = f"{name}_{index}"
            match_id = nlp.vocab.strings.add(key)
            self.rule_by_match_id[match_id] = rule
            if rule.pattern is None:
                phrases[key] = [rule.literal.lower()]
                continue
            expanded = expand_pattern(rule.pattern)
            if expanded is not None:
                phrases[key] = expanded
            elif isinstance(rule.pattern, list):
                if self.token_matcher is None:
                    self.token_matcher = Matcher(nlp.vocab)
                self.token_matcher.add(key, [rule.pattern])
                first_words = _first_words(rule.pattern)
                if first_words is None:
                    self._anchors = None
                elif self._anchors is not None:
                    self._anchors.update(nlp.vocab.strings.add(word) for word in first_words)
            else:
                logger.warning("ConText rule %r: regular-expression patterns are not supported, skipped", rule.literal)
        for key, literals in phrases.items():
            self.phrase_matcher.add(key, [_lower_keys(nlp, literal) for literal in literals])

    def raw_matches(self, doc: Doc, ranges: list[tuple[int, int]] | None = None,
                    sentence_starts: Collection[int] = ()) -> list[tuple[int, int, int]]:
        """Modifier matches that start inside the sorted, disjoint token ``ranges`` (the whole doc when None).

        In a range, a cue is also found when a run of spaces stands between its words
        (:meth:`_matches_without_space`); ``sentence_starts`` (token indexes) tell the spaces
        between two sentences, which no cue crosses, from those inside one."""
        if ranges is None:
            matches = list(self.phrase_matcher(doc))
            where = None
        else:
            matches = []
            where = bytearray(len(doc))
            spaces = doc.to_array(IS_SPACE).tolist()  # a list: numpy's per-call cost outweighs a sentence's slice
            for start, end in ranges:
                if 1 in spaces[start + 1:end - 1] and _has_inner_space(doc, spaces, start, end, sentence_starts):
                    matches += self._matches_without_space(doc, start, end)
                    continue
                matches += self.phrase_matcher(doc[start:end])  # offsets in the doc, not the span
                where[start:end] = b"\x01" * (end - start)
        if self.token_matcher is not None:
            matches += self._token_matches(doc, where)
        return matches

    def _matches_without_space(self, doc: Doc, start: int, end: int) -> list[tuple[int, int, int]]:
        """Matches in ``doc[start:end]`` read as if each run of spaces were one space ("no   evidence
        of", "the   patient"): the tokens are matched without their whitespace tokens (a line break
        stays, as one ``"\n"`` token) and the matches are mapped back to the doc's tokens."""
        words: list[str] = []
        positions: list[int] = []
        for index in range(start, end):
            token = doc[index]
            if token.is_space:
                if "\n" not in token.text:
                    continue
                words.append("\n")
            else:
                words.append(token.text)
            positions.append(index)
        if not words:
            return []
        compact = Doc(doc.vocab, words=words)
        found = list(self.phrase_matcher(compact))
        if self.token_matcher is not None:
            found += self.token_matcher(compact)
        return [(match_id, positions[first], positions[last - 1] + 1) for match_id, first, last in found]

    def _token_matches(self, doc: Doc, where: bytes | bytearray | None = None) -> list[tuple[int, int, int]]:
        """Token-pattern matches, looked for only where a pattern's first word is
        (spaCy's ``Matcher`` over a whole note costs ~0.7 ms; over a few windows, next to nothing),
        and only from the tokens marked in ``where`` (e.g. the sentences that hold a target)."""
        if self.token_matcher is None:
            return []
        if self._anchors is None:
            matches = list(self.token_matcher(doc))
            return matches if where is None else [match for match in matches if where[match[1]]]
        anchors = self._anchors
        matches = []
        length = len(doc)
        for start in [index for index in positions_of(doc.to_array(LOWER).tolist(), anchors)
                      if where is None or where[index]]:
            window = doc[start: min(length, start + MAX_TOKEN_PATTERN_LENGTH)]
            matches += [(match_id, start, start + end) for match_id, begin, end in self.token_matcher(window) if begin == 0]
        return matches


def _has_inner_space(doc: Doc, spaces: list[int], start: int, end: int, sentence_starts: Collection[int]) -> bool:
    """True when a whitespace token other than one line break stands between two words of one
    sentence in ``doc[start:end]`` (a run of spaces inside it, not the spaces after its end).
    ``spaces`` holds the doc's ``IS_SPACE`` values."""
    for index in range(start + 1, end - 1):
        if spaces[index] and not spaces[index + 1] and index + 1 not in sentence_starts and doc[index].text != "\n":
            return True
    return False


def _lower_keys(nlp: Language, phrase: str) -> Any:
    """A phrase as ``PhraseMatcher`` patterns hold it (``attr="LOWER"``): the lower-case
    hashes of its tokens, or its doc when the tokenizer cannot list its words without one
    (building ~8,000 docs for the expanded patterns took ~0.2 s of start-up)."""
    token_texts = getattr(nlp.tokenizer, "token_texts", None)
    if token_texts is None:
        return nlp.tokenizer(phrase)
    strings = nlp.vocab.strings
    return [strings.add(text.lower()) for text in token_texts(phrase)]


def _crosses(starts: list[int], start: int, end: int) -> bool:
    """True when a sentence starts inside the tokens ``start + 1 .. end - 1``."""
    position = bisect.bisect_right(starts, start)
    return position < len(starts) and starts[position] < end


#: The most tokens a token-pattern ConText rule matches (one with ``"OP": "*"`` included).
MAX_TOKEN_PATTERN_LENGTH = 16


def _first_words(pattern: list[Any]) -> list[str] | None:
    """The lower-case words a token pattern must start with, or None when it may start with any."""
    first = pattern[0] if pattern else None
    if not isinstance(first, dict) or first.get("OP") not in (None, "+", "1") or set(first) - {"LOWER", "OP"}:
        return None
    value = first.get("LOWER")
    if isinstance(value, str):
        return [value.lower()]
    if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(word, str) for word in value["IN"]):
        return [word.lower() for word in value["IN"]]
    return None


class ContextDetector:
    """Negation, history, experiencer, hypothetical and uncertainty of targets, and
    their NegEx temporality (the :data:`~chartaudit.extract.context.rules.ONSET_PAST` marker)."""

    def __init__(self, nlp: Language, name: str, model_dir: Path) -> None:
        self.name = name
        parts = import_medspacy_parts()
        self._modifier_class = parts["ConTextModifier"]
        self._graph_class = parts["ConTextGraph"]
        self._prune = parts["prune_overlapping_matches"]
        self.rules = ContextRules.from_dir(model_dir).rules
        self._assertion_matcher = _ModifierMatcher(nlp, name, self.rules)
        self.temporality = TemporalityRules.from_dir(model_dir)
        self._temporality_matcher = (
            _ModifierMatcher(nlp, f"{name}_temporality", self.temporality.rules) if self.temporality.rules else None
        )
        config = ModelConfig.from_dir(model_dir).component_config("context")
        self.section_assertions: dict[str, str] = dict(config.get("section_assertions", {}))

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Modifier matches in a doc: none that crosses a sentence boundary, and of
        overlapping ones the longest (as medSpaCy prunes them).

        doc (Doc): A doc with sentence boundaries.
        RETURNS (list[tuple[int, int, int]]): (match_id, start, end) triples.
        """
        return self._within_sentences(sentence_token_starts(doc), self._assertion_matcher.raw_matches(doc))

    def _within_sentences(self, starts: list[int], matches: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        within = [
            match
            for match in matches
            if match[2] - match[1] == 1 or not _crosses(starts, match[1], match[2])
        ]
        return self._prune(within) if within else within

    def __call__(self, doc: Doc) -> Doc:
        entities = list(doc.ents)
        evidence = list(doc.spans[EVIDENCE_SPANS]) if EVIDENCE_SPANS in doc.spans else []
        if not entities and not evidence:
            return doc
        spans = entities + evidence
        for span, flags in zip(spans, self.assess(doc, spans, names=len(entities))):
            hit = span._.get(TARGET_ATTRIBUTE)
            if flags and hit is not None:
                hit.flags.update(flags)
        return doc

    def assess(self, doc: Doc, spans: list[Span], names: int | None = None) -> list[set[str]]:
        """The assertion flags of some spans of a processed doc (they need not be targets).

        The spans play the part of the targets: a modifier word inside one of them
        is part of its name, not a modifier. Section assertions are added too.

        doc (Doc): A doc with sentence boundaries (and sections, when available).
        spans (list[Span]): The spans to assess, in any order.
        names (int | None): Only the first ``names`` spans name a condition (the
            targets); a modifier word inside a later one (an evidence phrase:
            "PSA screening") still modifies the others. All of them when None.
        RETURNS (list[set[str]]): One set of Mention flag names per span.
        """
        flags: list[set[str]] = [set() for _ in spans]
        if not spans:
            return flags
        if self.rules:
            self._apply_context(doc, spans, flags, self._assertion_matcher, _ASSERTION_FLAGS_BY_CATEGORY, names)
            for span_flags in flags:
                if CURRENT_MARKER in span_flags:
                    span_flags.discard(CURRENT_MARKER)
                    span_flags.discard("historical")  # "history of chest pain for one week"
        sections = (doc._.get(SECTIONS_ATTRIBUTE) or []) if Doc.has_extension(SECTIONS_ATTRIBUTE) else []
        if self.section_assertions and sections:
            self._apply_sections(sections, spans, flags, self.section_assertions)
        if not self.temporality.empty:
            self._apply_temporality(doc, spans, flags, sections, names)
        return flags

    def _apply_temporality(self, doc: Doc, spans: list[Span], flags: list[set[str]], sections: list[Any],
                           names: int | None = None) -> None:
        """Add :data:`ONSET_PAST` to spans whose condition began over ~2 weeks ago (NegEx temporality)."""
        markers: list[set[str]] = [set() for _ in spans]
        if self._temporality_matcher is not None:
            self._apply_context(doc, spans, markers, self._temporality_matcher, _TEMPORALITY_FLAGS_BY_CATEGORY, names)
        by_section: list[set[str]] = [set() for _ in spans]
        if self.temporality.sections and sections:
            self._apply_sections(sections, spans, by_section, self.temporality.sections)
        for index, span in enumerate(spans):
            if ONSET_PAST in markers[index]:
                flags[index].add(ONSET_PAST)
            elif TEMPORALITY_CATEGORIES["RECENT"] not in markers[index] and (
                "historical" in by_section[index] or self.temporality.is_chronic(span.text)
            ):
                flags[index].add(ONSET_PAST)

    def _apply_context(
        self, doc: Doc, entities: list[Span], flags: list[set[str]], matcher: _ModifierMatcher,
        category_flags: dict[str, tuple[str, ...]], names: int | None = None,
    ) -> None:
        starts = sentence_token_starts(doc)
        sentence_of_entity = [sentence_bounds(starts, len(doc), entity.start, entity.end) for entity in entities]
        sentence_starts = {start for start, _ in sentence_of_entity}
        # Modifiers matter only in the sentences that hold a target (adjacent ones merged).
        ranges: list[tuple[int, int]] = []
        for start, end in sorted(set(sentence_of_entity)):
            if ranges and ranges[-1][1] >= start:
                ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
            else:
                ranges.append((start, end))
        matches = self._within_sentences(starts, matcher.raw_matches(doc, ranges, frozenset(starts)))
        if not matches:
            return
        # A modifier word inside a longer target is part of the condition's name, not a
        # modifier of it: "Acute cystitis without hematuria" is not negated. A target that
        # is the cue itself ("worry" in "diabetes worry") is both a mention and a cue.
        naming = entities if names is None else entities[:names]
        inside_targets = {index for entity in naming for index in range(entity.start, entity.end)}
        whole_targets = {(entity.start, entity.end) for entity in naming}
        matches = [m for m in matches if (m[1], m[2]) in whole_targets
                   or not any(index in inside_targets for index in range(m[1], m[2]))]
        ordered_starts = sorted(sentence_starts)
        sentence_end = {start: end for start, end in sentence_of_entity}
        modifiers_by_sentence: dict[int, list] = defaultdict(list)
        for match_id, start, end in matches:
            index = bisect.bisect_right(ordered_starts, start) - 1
            if index < 0:
                continue
            sentence_start = ordered_starts[index]
            if start >= sentence_end[sentence_start]:
                continue  # the modifier is in a sentence without targets
            rule = matcher.rule_by_match_id.get(match_id)
            if rule is None:
                continue
            scope_start, scope_end = modifier_scope(
                rule.direction, rule.max_scope, start, end, sentence_start, sentence_end[sentence_start]
            )
            if rule.max_scope is not None:
                scope_start, scope_end = _widen_over_space(doc, rule.direction, start, end, scope_start, scope_end,
                                                           sentence_start, sentence_end[sentence_start])
            modifier = self._modifier_class(rule, start, end, None, scope_start=scope_start, scope_end=scope_end)
            modifiers_by_sentence[sentence_start].append(modifier)
        targets_by_sentence: dict[int, list] = defaultdict(list)
        position = {id(entity): index for index, entity in enumerate(entities)}
        for entity, (sentence_start, _) in zip(entities, sentence_of_entity):
            targets_by_sentence[sentence_start].append(entity)
        naming_spans_by_sentence: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if names is not None and names < len(entities):
            for entity, (sentence_start, _) in zip(naming, sentence_of_entity):
                naming_spans_by_sentence[sentence_start].append((entity.start, entity.end))
        for sentence_start, modifiers in modifiers_by_sentence.items():
            graph = self._graph_class(prune_on_modifier_overlap=False)
            graph.targets = targets_by_sentence[sentence_start]
            graph.modifiers = modifiers
            graph.update_scopes()
            graph.apply_modifiers()
            for target, modifier in graph.edges:
                found = category_flags.get(modifier.category.upper())
                index = position.get(id(target))
                if not found or index is None:
                    continue
                if names is not None and index >= names and _condition_between(
                        naming_spans_by_sentence.get(sentence_start, ()), modifier.modifier_span, target):
                    continue  # "no bleeding on apixaban": the negation is the bleeding's, not the drug's
                flags[index].update(found)

    @staticmethod
    def _apply_sections(sections: list[Any], entities: list[Span], flags: list[set[str]], by_category: dict[str, str]) -> None:
        starts = [section.start for section in sections]
        for index, entity in enumerate(entities):
            section_index = bisect.bisect_right(starts, entity.start_char) - 1
            if section_index < 0:
                continue
            flag = by_category.get(sections[section_index].category or "")
            if flag:
                flags[index].add(flag)


def _widen_over_space(
    doc: Doc, direction: str, start: int, end: int, scope_start: int, scope_end: int, sentence_start: int,
    sentence_end: int,
) -> tuple[int, int]:
    """A ``max_scope`` counted in words: each whitespace token inside the scope ("HYPONATREMIA
    from last week appears have   resolved") widens it by one token, within the sentence."""
    direction = direction.upper()
    if direction != "FORWARD":  # the part before the modifier
        position = start - 1
        budget = start - scope_start
        while position >= sentence_start and budget > 0:
            if not doc[position].is_space:
                budget -= 1
            position -= 1
        scope_start = position + 1
    if direction != "BACKWARD":  # the part after it
        position = end
        budget = scope_end - end
        while position < sentence_end and budget > 0:
            if not doc[position].is_space:
                budget -= 1
            position += 1
        scope_end = position
    return scope_start, scope_end




def _condition_between(conditions: Any, modifier: tuple[int, int], target: Span) -> bool:
    """True when a condition (token start, end) lies wholly between a modifier and an evidence target:
    the condition takes the modifier, the evidence phrase beyond it does not."""
    modifier_start, modifier_end = modifier
    if modifier_end <= target.start:
        low, high = modifier_end, target.start
    elif target.end <= modifier_start:
        low, high = target.end, modifier_start
    else:
        return False
    return any(low <= start and end <= high for start, end in conditions)


def modifier_scope(
    direction: str, max_scope: int | None, start: int, end: int, sentence_start: int, sentence_end: int
) -> tuple[int, int]:
    """A modifier's scope as medSpaCy computes it: by direction, within its sentence.

    direction (str): "FORWARD" | "BACKWARD" | "BIDIRECTIONAL" | "TERMINATE" | "PSEUDO".
    max_scope (int | None): The rule's scope limit in tokens.
    start (int): First token of the modifier.
    end (int): Token after the modifier.
    sentence_start (int): First token of the sentence.
    sentence_end (int): Token after the sentence.
    RETURNS (tuple[int, int]): Scope start and end (token indices).

    Usage::

        modifier_scope("FORWARD", None, 0, 1, 0, 5)  # (1, 5)
    """
    direction = direction.upper()
    if direction == "FORWARD":
        scope_start, scope_end = end, sentence_end
        if max_scope is not None and scope_end - scope_start > max_scope:
            scope_end = end + max_scope
    elif direction == "BACKWARD":
        scope_start, scope_end = sentence_start, start
        if max_scope is not None and scope_end - scope_start > max_scope:
            scope_start = start - max_scope
    else:
        scope_start, scope_end = sentence_start, sentence_end
        if max_scope is not None:
            scope_start = max(scope_start, start - max_scope)
            scope_end = min(scope_end, end + max_scope)
    return scope_start, scope_end


@Language.factory("chartaudit_context", default_config={"model_dir": ""})
def create_context_detector(nlp: Language, name: str, model_dir: str) -> ContextDetector:
    """spaCy factory of :class:`ContextDetector`."""
    return ContextDetector(nlp, name, Path(model_dir))
