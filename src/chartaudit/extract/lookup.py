"""Code lookup: the ICD-10-CM codes of a code or of words, by the terms the extractor knows.

:class:`TermLookup` answers a query the way a note's words are read, without the
spaCy pipeline (so ``chartaudit lookup`` starts in a fraction of a second): the
query is split by :class:`~chartaudit.extract.plain_tokens.PlainTokenizer` as the
pipeline's tokenizer would split it, and its words are compared by their lemmas
(:meth:`chartaudit.resources.words.WordRules.lemma`) with the same phrases as the
target matcher's:

* a case-sensitive abbreviation (``abbreviations.json``: "afib", "MI", "CHF"); an
  abbreviation among other words is read as its long form ("chronic afib" is
  "chronic atrial fibrillation"), as the matcher reads it;
* a phrase of the curated lexicon (``lexicon.csv``: "heart attack", "lazy eye");
* a phrase generated from the tabular list (``terms-2026.json.gz``);
* a phrase of the Alphabetic Index (``index-2026.json.gz``: "thyromegaly", "bedsore").

Each source's phrase must equal the query's words, determiners and side words
passed over as the matcher passes them over; a side word picks the side's code
of a laterality family ("right shoulder pain" -> M25.511). These hits come first,
the sources in the matcher's order of precedence (abbreviation, lexicon, tabular,
Index), then the word search of the titles and inclusion terms
(:meth:`chartaudit.knowledge.Icd10cm.search`) for the query with its abbreviations
written out ("MI": the myocardial infarction codes), then the family of each phrase
hit: the codes under it, or under its parent when it has none ("heart attack": I21.9,
then the other I21 codes). A query that is a code or the start of one ("M25.5",
"m25511") lists codes as the word search does. Each code comes once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chartaudit.extract.config import ModelConfig
from chartaudit.extract.laterality.rules import LateralityRules
from chartaudit.extract.lexicon import Abbreviations
from chartaudit.extract.plain_tokens import PlainTokenizer
from chartaudit.extract.targets.index_terms import add_index_terms
from chartaudit.extract.terms import (
    DEFAULT_TERMS_FILE,
    AbbreviationRule,
    TermEntry,
    TermTrie,
    curated_terms,
    icd_trie,
    load_icd_terms,
)
from chartaudit.knowledge import Icd10cm
from chartaudit.resources import default_model_dir, icd10cm_dir
from chartaudit.resources.words import WordRules

logger = logging.getLogger(__name__)

#: Where a hit came from, in the order the hits are ranked, with the name a reader sees.
SOURCE_LABELS = {
    "code": "code",
    "abbreviation": "abbreviation",
    "lexicon": "lexicon",
    "tabular": "tabular phrase",
    "index": "Alphabetic Index",
    "title": "title words",
    "family": "family of a phrase hit",
}


@dataclass(frozen=True)
class LookupHit:
    """One code a query finds.

    code (str): The ICD-10-CM code.
    description (str): Its title.
    source (str): A key of :data:`SOURCE_LABELS`: "code", "abbreviation", "lexicon",
        "tabular", "index", "title" or "family".
    term (str): What matched: the code query, the abbreviation and its long form
        ("afib = atrial fibrillation"), the phrase's words (and the side that chose the code),
        the words searched in the titles, or the phrase hit whose family the code is in.
    """

    code: str
    description: str
    source: str
    term: str

    @property
    def source_label(self) -> str:
        """The source as a reader names it ("Alphabetic Index")."""
        return SOURCE_LABELS.get(self.source, self.source)


class TermLookup:
    """The codes of a code or of words, by the extractor's terms; see the module docstring.

    model_dir (Path | str | None): The model whose lexicon, abbreviations, word rules and
        settings apply (the default model when None).
    """

    def __init__(self, model_dir: Path | str | None = None) -> None:
        started = time.perf_counter()
        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        self.knowledge = Icd10cm.load(model_dir=model_dir)
        self.words = WordRules.from_dir(model_dir)
        self.tokenizer = PlainTokenizer(Abbreviations.from_dir(model_dir).special_cases)
        config = ModelConfig.from_dir(model_dir)
        targets = config.component_config("targets")
        self.laterality = LateralityRules.from_dir(model_dir)
        lemma = self.words.lemma
        #: Words a phrase match passes over, as the target matcher does (determiners, side words).
        self.skip_words = frozenset({lemma(word) for word in targets.get("skip_words", [])}
                                    | {lemma(word) for word in self.laterality.side_words_lower})
        stop_phrases = {" ".join(self.phrase_words(phrase)) for phrase in targets.get("stop_phrases", [])}
        icd_data = load_icd_terms(str(icd10cm_dir() / (config.icd10cm_terms or DEFAULT_TERMS_FILE)))
        families = icd_data.get("families", {})
        lexicon, self.abbreviations = curated_terms(model_dir, self.phrase_words, families)
        lexicon_trie = TermTrie()
        for words, entry in lexicon.items():
            lexicon_trie.insert(words, entry)
        index_trie = TermTrie()
        add_index_terms(index_trie, targets, stop_phrases, families)
        #: (source, trie) in the target matcher's order of precedence.
        self.tries: tuple[tuple[str, TermTrie], ...] = (
            ("lexicon", lexicon_trie), ("tabular", icd_trie(icd_data, stop_phrases)), ("index", index_trie))
        # Lower-cased short form -> rule, for a query that writes an abbreviation in another case
        # ("chf"), used only when the query's words find no phrase; ambiguous forms are left out.
        folded: dict[str, AbbreviationRule | None] = {}
        for form, rule in self.abbreviations.items():
            known = folded.get(form.lower(), rule)
            folded[form.lower()] = rule if known is not None and known.entry == rule.entry else None
        self._folded = {form: rule for form, rule in folded.items() if rule is not None}
        logger.debug("code lookup ready in %.3f s", time.perf_counter() - started)

    @classmethod
    def load(cls, model_dir: Path | str | None = None) -> "TermLookup":
        """The lookup of a model, built once per process (the default model when None)."""
        model = Path(model_dir).resolve() if model_dir is not None else default_model_dir().resolve()
        return _load_cached(str(model))

    def phrase_words(self, text: str) -> tuple[str, ...]:
        """The lemmas of a text's words, split as the pipeline's tokenizer splits them.

        text (str): A query or phrase ("Kidney stones").
        RETURNS (tuple[str, ...]): ("kidney", "stone").
        """
        lemma = self.words.lemma
        return tuple(lemma(token) for token in self.tokenizer(text))

    def search(self, query: str, limit: int = 20) -> list[LookupHit]:
        """The codes of a query, best first, each once.

        query (str): A code or its start ("M25.5", "m25511"), or words ("afib", "heart attack").
        limit (int): At most this many hits.
        RETURNS (list[LookupHit]): Exact phrase hits, then the title word search, then the
            codes around the phrase hits.
        """
        if not isinstance(query, str) or not query.strip() or limit <= 0:
            return []
        knowledge = self.knowledge
        codes = knowledge.codes_with_prefix(query)
        if codes:
            return [LookupHit(code, knowledge.description(code), "code", query.strip()) for code in codes[:limit]]
        found: dict[str, LookupHit] = {}
        tokens = self.tokenizer(query)
        expansions = self._expansions(tokens, self.abbreviations)
        self._phrase_hits(query, tokens, expansions, found)
        if not found and not expansions:
            expansions = self._expansions([token.lower() for token in tokens], self._folded)
            self._phrase_hits(query, tokens, expansions, found)
        written_out = " ".join(self._display_words(tokens, expansions)) if expansions else " ".join(query.split())
        for code, description in knowledge.search(written_out, limit):
            found.setdefault(code, LookupHit(code, description, "title", written_out))
        for code in [hit.code for hit in found.values() if hit.source not in ("title", "family")]:
            if len(found) >= limit:
                break
            for member in self._family(code):
                found.setdefault(member, LookupHit(member, knowledge.description(member), "family", code))
        return list(found.values())[:limit]

    # ------------------------------------------------------------------ helpers

    def _family(self, code: str) -> list[str]:
        """The codes under a code, or when it has none, under its parent; billable ones first."""
        knowledge = self.knowledge
        head = code if knowledge.children(code) else knowledge.parent(code)
        if not head:
            return []
        return sorted(knowledge.codes_with_prefix(head), key=lambda member: not knowledge.is_billable(member))

    def _expansions(self, tokens: Sequence[str], rules: dict[str, AbbreviationRule]) -> dict[int, AbbreviationRule]:
        """Token position -> the abbreviation it is (not before a word its rule excludes: "PE tube")."""
        found: dict[int, AbbreviationRule] = {}
        for position, token in enumerate(tokens):
            rule = rules.get(token)
            if rule is None:
                continue
            if position + 1 < len(tokens) and tokens[position + 1] in rule.not_followed_by:
                continue
            found[position] = rule
        return found

    @staticmethod
    def _display_words(tokens: Sequence[str], expansions: dict[int, AbbreviationRule]) -> list[str]:
        """The query's words with each abbreviation replaced by its long form's words."""
        words: list[str] = []
        for position, token in enumerate(tokens):
            words.extend(expansions[position].long_words if position in expansions else (token,))
        return words

    def _phrase_hits(self, query: str, tokens: Sequence[str], expansions: dict[int, AbbreviationRule],
                     found: dict[str, LookupHit]) -> None:
        """Add the hits of the abbreviation the query is and of the phrases equal to its words."""
        side = next((side for token in tokens if (side := self.laterality.side_of(token))), None)
        if len(tokens) == 1 and 0 in expansions:
            rule = expansions[0]
            self._add(found, rule.entry, side, "abbreviation", f"{tokens[0]} = {' '.join(rule.long_words)}")
        shown = self._display_words(tokens, expansions)
        lemma = self.words.lemma
        words = [lemma(word) for word in shown]
        for source, trie in self.tries:
            match = self._full_match(trie, words)
            if match is None:
                continue
            start, entry = match
            term = " ".join(shown[start:]) if start or expansions else " ".join(query.split())
            if side and start and entry.sides:
                term = f"{term} ({side})"
            self._add(found, entry, side, source, term)

    def _full_match(self, trie: TermTrie, words: Sequence[str]) -> tuple[int, TermEntry] | None:
        """The phrase of a trie that is all of ``words`` (skip words passed over inside it, and
        leading ones when the literal words are no phrase), with the position it starts at."""
        skip = self.skip_words
        start = 0
        while start < len(words):
            end, entry = trie.longest(words, start, skip)
            if entry is not None and end == len(words):
                return start, entry
            if words[start] not in skip:
                return None
            start += 1
        return None

    def _add(self, found: dict[str, LookupHit], entry: TermEntry, side: str | None, source: str, term: str) -> None:
        """Add an entry's codes (its side's code when the query names a side) that are not found yet."""
        knowledge = self.knowledge
        for code in entry.codes_for_side(side):
            if code not in found and knowledge.is_valid(code):
                found[code] = LookupHit(code, knowledge.description(code), source, term)


@lru_cache(maxsize=4)
def _load_cached(model_dir: str) -> TermLookup:
    return TermLookup(model_dir)

