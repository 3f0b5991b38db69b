"""The evidence matcher component: drugs, allergies, statuses, visit reasons, screening tests, mechanisms, BMI values.

It runs after the target matcher and finds, in the same word lemmas, the phrases of
the evidence tables (:mod:`chartaudit.extract.evidence.tables`), longest match
first, and the stated BMI values (regular expressions of ``bmi_codes.json``). Each
match becomes a span in ``doc.spans["chartaudit_evidence"]`` with a
:class:`~chartaudit.extract.terms.TargetHit` whose entry's ``kind`` is the table's
("drug", "allergy", "status", "encounter", "screening", "external_cause", "bmi"). ConText then
gives these spans assertions as it gives the targets ("stopped warfarin" is
historical, "no anticoagulation" negated), and the extractor turns them into
mentions of their kind.

Evidence and conditions may overlap, with two exceptions:

* a condition inside (or equal to) a drug, status, encounter or screening phrase is
  not a mention of the condition: "influenza vaccine" documents Z23, not influenza;
  "oral hypoglycemic" a drug class, not hypoglycemia. A mechanism ("dog bite") keeps
  the condition it names;
* an evidence phrase strictly inside a condition is not evidence: the "insulin" of
  "non-insulin dependent diabetes", the "aspirin" of "aspirin allergy".

A drug in an excluded section (``exclude_sections`` of ``drug_classes.json``: an
allergy list) is not evidence either; there, a substance of ``allergy_codes.json``
alone is an allergy ("Allergies: penicillin" documents Z88.0).

Usage::

    nlp.add_pipe("chartaudit_evidence", config={"model_dir": str(model_dir)})  # after chartaudit_targets
    doc = nlp("Meds: apixaban 5 mg BID.")
    doc.spans["chartaudit_evidence"][0]._.chartaudit_target.entry.codes  # ("Z79.01",)
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import bisect
import logging
from itertools import compress
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from chartaudit.extract.evidence.tables import (
    AllergyCodes,
    BmiCodes,
    DrugClasses,
    EncounterTerms,
    ExternalCauses,
    StatusTerms,
)
from chartaudit.extract.sections.component import SECTIONS_ATTRIBUTE, section_at
from chartaudit.extract.terms import (
    EVIDENCE_LABEL,
    EVIDENCE_SPANS,
    TARGET_ATTRIBUTE,
    TargetHit,
    TermEntry,
    TermTrie,
)
from chartaudit.extract.tokenizer import doc_text

logger = logging.getLogger(__name__)

#: The target matcher's pipe name (the evidence matcher shares its word normaliser).
TARGETS_PIPE = "chartaudit_targets"
#: Kinds whose phrases name a thing, not an event: a condition inside one is not a condition mention.
NAMING_KINDS: frozenset[str] = frozenset({"drug", "allergy", "status", "encounter", "screening"})


class EvidenceMatcher:
    """Find the evidence phrases and BMI values of a doc (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, model_dir: Path) -> None:
        self.name = name
        targets = nlp.get_pipe(TARGETS_PIPE)
        self._words_of = targets.normalised_words
        self.skip_words: frozenset[str] = targets.skip_words
        families = targets.families
        # A model made before these tables existed uses the default model's (as for history_codes.json).
        drugs = DrugClasses.from_file(DrugClasses.path_or_default(model_dir))
        allergies = AllergyCodes.from_file(AllergyCodes.path_or_default(model_dir))
        terms = [*drugs.terms(), *allergies.terms()]
        for owner in (StatusTerms, EncounterTerms, ExternalCauses):
            terms += owner.from_file(owner.path_or_default(model_dir)).terms()

        def trie_of(terms) -> TermTrie:
            trie = TermTrie()
            for kind, phrase, codes, concept in terms:
                words = targets.phrase_words(phrase)
                if words:
                    sides = families.get(codes[0]) if len(codes) == 1 else None
                    trie.insert(words, TermEntry(concept=concept, codes=codes, source="evidence", sides=sides,
                                                 kind=kind))
            return trie

        self.trie = trie_of(terms)
        self.first_words = frozenset(self.trie.root)
        #: The allergy substances alone, read only in an allergy list (``sections`` of allergy_codes.json).
        self.listed_allergies = trie_of(allergies.listed_terms())
        self.listed_first_words = frozenset(self.listed_allergies.root)
        self.allergy_sections = allergies.sections
        #: Kind -> section categories whose matches of that kind are dropped.
        self.excluded_sections: dict[str, frozenset[str]] = {"drug": drugs.exclude_sections}
        self.bmi = BmiCodes.from_file(BmiCodes.path_or_default(model_dir))
        if not Span.has_extension(TARGET_ATTRIBUTE):
            Span.set_extension(TARGET_ATTRIBUTE, default=None)
        logger.debug("Evidence matcher: %d phrases", len(self.trie))

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        found = self._listed_allergy_matches(doc) + self._phrase_matches(doc) + self._bmi_matches(doc)
        if not found:
            return doc
        chosen = self._select(found)
        chosen = self._outside_excluded_sections(doc, chosen)
        spans = self._resolve_overlaps(doc, chosen)
        if spans:
            doc.spans[EVIDENCE_SPANS] = spans
        return doc

    def _phrase_matches(self, doc: Doc) -> list[tuple[int, int, TermEntry]]:
        if not self.first_words:
            return []
        return self._trie_matches(self.trie, self.first_words, self._words_of(doc), 0, len(doc))

    def _trie_matches(self, trie: TermTrie, first_words: frozenset[str], words: list[str], start: int,
                      end: int) -> list[tuple[int, int, TermEntry]]:
        """The longest phrase of ``trie`` at each position of ``words[start:end]`` that starts one,
        ending by ``end``."""
        found = []
        # The words that start a phrase, found in C (map + compress), not by a Python loop over the tokens:
        # a note holds some 20 of them, of a dozen distinct words ("left", "stent", "insulin", ...).
        for position in compress(range(start, end), map(first_words.__contains__, words[start:end])):
            stop, entry = trie.longest(words, position, self.skip_words)
            if entry is not None and stop <= end:
                found.append((position, stop, entry))
        return found

    def _listed_allergy_matches(self, doc: Doc) -> list[tuple[int, int, TermEntry]]:
        """The substances of an allergy list ("Allergies: penicillin (rash), sulfa")."""
        if not self.allergy_sections or not self.listed_first_words or not Doc.has_extension(SECTIONS_ATTRIBUTE):
            return []
        sections = [section for section in (doc._.get(SECTIONS_ATTRIBUTE) or [])
                    if section.category in self.allergy_sections]
        if not sections:
            return []
        words = self._words_of(doc)
        found = []
        for section in sections:
            span = doc.char_span(section.body_start, section.end, alignment_mode="expand")
            if span is not None:
                found += self._trie_matches(self.listed_allergies, self.listed_first_words, words, span.start, span.end)
        return found

    def _bmi_matches(self, doc: Doc) -> list[tuple[int, int, TermEntry]]:
        if not self.bmi.patterns:
            return []
        found = []
        for start, end, value, codes in self.bmi.find(doc_text(doc)):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None and len(span):
                entry = TermEntry(concept=f"Body mass index {value:g}", codes=codes, source="evidence", kind="bmi")
                found.append((span.start, span.end, entry))
        return found

    @staticmethod
    def _select(found: list[tuple[int, int, TermEntry]]) -> list[tuple[int, int, TermEntry]]:
        """Longest matches first, then earliest; no overlaps."""
        found.sort(key=lambda item: (item[0] - item[1], item[0]))
        taken: set[int] = set()
        chosen = []
        for start, end, entry in found:
            if taken.intersection(range(start, end)):
                continue
            taken.update(range(start, end))
            chosen.append((start, end, entry))
        chosen.sort(key=lambda item: item[0])
        return chosen

    def _outside_excluded_sections(self, doc: Doc, chosen: list[tuple[int, int, TermEntry]]
                                   ) -> list[tuple[int, int, TermEntry]]:
        if not any(self.excluded_sections.get(entry.kind) for _, _, entry in chosen):
            return chosen
        sections = (doc._.get(SECTIONS_ATTRIBUTE) or []) if Doc.has_extension(SECTIONS_ATTRIBUTE) else []
        if not sections:
            return chosen
        starts = [section.start for section in sections]
        kept = []
        for start, end, entry in chosen:
            excluded = self.excluded_sections.get(entry.kind)
            if excluded:
                section = section_at(sections, starts, doc[start].idx)
                if section is not None and section.category in excluded:
                    continue
            kept.append((start, end, entry))
        return kept

    @staticmethod
    def _resolve_overlaps(doc: Doc, chosen: list[tuple[int, int, TermEntry]]) -> list[Span]:
        """Evidence spans, after dropping the conditions inside naming phrases and the evidence inside conditions."""
        entities = list(doc.ents)
        entity_starts = [entity.start for entity in entities]
        dropped: set[int] = set()
        spans = []
        for start, end, entry in chosen:
            inside_condition = False
            # The conditions that overlap [start, end): those starting before `end`, from the last one starting
            # at or before `start` (targets do not overlap each other).
            index = max(0, bisect.bisect_right(entity_starts, start) - 1)
            while index < len(entities) and entities[index].start < end:
                entity = entities[index]
                if entity.end > start:
                    if start <= entity.start and entity.end <= end:
                        if entry.kind in NAMING_KINDS:
                            dropped.add(index)
                    elif entity.start <= start and end <= entity.end:
                        inside_condition = True
                index += 1
            if inside_condition:
                continue
            span = Span(doc, start, end, label=EVIDENCE_LABEL)
            span._.set(TARGET_ATTRIBUTE, TargetHit(entry=entry, source="evidence"))
            spans.append(span)
        if dropped:
            doc.set_ents([entity for index, entity in enumerate(entities) if index not in dropped], default="outside")
        return spans


@Language.factory("chartaudit_evidence", default_config={"model_dir": ""})
def create_evidence_matcher(nlp: Language, name: str, model_dir: str) -> EvidenceMatcher:
    """spaCy factory of :class:`EvidenceMatcher`."""
    return EvidenceMatcher(nlp, name, Path(model_dir))
