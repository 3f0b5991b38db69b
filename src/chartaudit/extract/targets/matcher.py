"""The target matcher component: finds conditions with a token trie and sets ``doc.ents``.

Three kinds of targets, longest match winning and no overlaps:

* trie matches over the words' lemmas (:meth:`chartaudit.resources.words.WordRules.lemma`:
  lower-cased, American spelling, crudely singular) of the generated ICD-10-CM terms,
  the Alphabetic Index terms (:mod:`chartaudit.extract.targets.index_terms`, source
  "index": what the tables lack) and the curated lexicon (the lexicon wins for the same
  phrase, then the tables). Determiners ("the", "his") and side words ("right", "b/l")
  are passed over inside a match when the trie has no literal path through them, so
  "pain in the right shoulder" matches "pain in shoulder" while "left bundle branch
  block" still matches literally. A run of spaces or one line break inside a phrase is
  one space ("PLEURAL   EFFUSION", "chest" / "pain" wrapped), never a blank line or the
  white space before a sentence start;
* case-sensitive abbreviations (``abbreviations.json``: "CP", "HTN", "afib"), also read
  with their long form in their place so that the words around them complete a longer
  term ("MDD, recurrent, moderate" -> F33.1, "chronic afib" -> I48.20); the plural of an
  all-capitals one too ("UTIs");
* in-note abbreviation definitions found by scispaCy's ``abbreviation_detector``
  ("shortness of breath (SOB)" -> later "SOB" gets the long form's term);
* word-form matches: an adjective or other derived form of a one-word term
  ("erythematous" -> erythema, "hypertensive" -> hypertension, "painful" -> pain),
  by the suffix rules and irregular forms of ``components.targets.word_forms``
  (:class:`chartaudit.extract.targets.normalize.WordForms`); a form counts only
  when the rewritten word is itself a term, and a literal match of the same or a
  longer span wins ("hypertensive heart disease");
* coordinated modifiers sharing one head: "liver, bone and mediastinal
  metastases" also names "liver metastases" and "bone metastases", "hepatitis B
  and C" also "hepatitis C"; the modifier word becomes a mention of the term it
  forms with the head (``components.targets.coordination``);
* the same site on the other side after a conjunction ("cellulitis of the left leg and
  possible right leg": "right leg" is a mention of cellulitis too);
* fuzzy matches (:mod:`chartaudit.extract.fuzzy`, ``components.fuzzy`` in
  ``meta.json``), lowest priority and only over words no exact match holds, or
  holds whole within a longer window: misspellings ("chest pian") and
  prepositional variants ("pain of the R shoulder"), source "fuzzy".

Terms added at run time are passed per call (``extra_terms``), so a cached
pipeline is never changed.

Each entity gets ``Span._.chartaudit_target``: a
:class:`~chartaudit.extract.terms.TargetHit` (term, source, and later side, site
and assertion flags). Per token the component
only reads two ``numpy`` arrays (``LOWER``, ``ORTH``) and does one dict look-up.

Usage::

    nlp.add_pipe("chartaudit_targets", config={"model_dir": str(model_dir)})
    doc = nlp("Denies chest pain.")
    doc.ents[0]._.chartaudit_target.entry.codes  # ("R07.9",)
"""

# No "from __future__ import annotations": spaCy (confection) resolves the factories' annotations.

import logging
from collections.abc import Mapping
from pathlib import Path

from spacy.attrs import LOWER, ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from chartaudit.extract._lists import positions_of
from chartaudit.extract.config import ModelConfig
from chartaudit.extract.fuzzy import FuzzyConfig, FuzzyIndex, FuzzyLinker
from chartaudit.extract.laterality.rules import LateralityRules
from chartaudit.extract.sentences.component import sentence_token_starts
from chartaudit.extract.targets.index_terms import add_index_terms
from chartaudit.extract.targets.normalize import WordForms
from chartaudit.extract.terms import (
    DEFAULT_TERMS_FILE,
    TARGET_ATTRIBUTE,
    TARGET_LABEL,
    BREAK_WORD,
    SPACE_WORD,
    TERMINAL,
    AbbreviationRule,
    TargetHit,
    TermEntry,
    TermTrie,
    curated_terms,
    descriptions_of,
    icd_trie,
    load_icd_terms,
    make_entry,
    phrase_lemmas,
)
from chartaudit.extract.words import WordSearch, WordsConfig, load_code_phrases
from chartaudit.resources import icd10cm_dir
from chartaudit.resources.words import WordRules

logger = logging.getLogger(__name__)

#: The ``doc.user_data`` key of the doc's word lemmas (:meth:`TargetMatcher.normalised_words`).
WORDS_KEY = "chartaudit_words"
#: Priority of a source when two candidates have the same span (higher wins).
_SOURCE_PRIORITY = {"runtime": 3, "abbreviation": 2, "lexicon": 1, "index": 0.5, "icd": 0, "fuzzy": -1}
#: Priority of a match found through a word form (below every literal match of the same span).
_WORD_FORM_PRIORITY = -1
#: At most this many words before an abbreviation may complete a term with it ("chronic afib").
MAX_WORDS_BEFORE_ABBREVIATION = 2
#: Cap of the token-hash -> normalised-word cache (cleared when exceeded).
_MAX_CACHE = 500_000


def _after_non(words: list[str], index: int) -> bool:
    """True when the word at ``index`` follows "non" or "non-": "non-diabetic", "non hypertensive"."""
    if index >= 1 and words[index - 1] == "non":
        return True
    return index >= 2 and words[index - 1] == "-" and words[index - 2] == "non"


class TargetMatcher:
    """Find targets (conditions) in a doc; see the module docstring."""

    def __init__(self, nlp: Language, name: str, model_dir: Path, terms_path: Path | None = None) -> None:
        self.name = name
        self.vocab = nlp.vocab
        model_dir = Path(model_dir)
        model_config = ModelConfig.from_dir(model_dir)
        config = model_config.component_config("targets")
        #: The model's word normaliser: notes and phrases are compared by their lemmas.
        self.words = WordRules.from_dir(model_dir)
        lemma = self.words.lemma
        self.max_phrase_tokens = int(config.get("max_phrase_tokens", 8))
        laterality = LateralityRules.from_dir(model_dir)
        self.laterality = laterality
        skip_words = {lemma(word) for word in config.get("skip_words", [])}
        skip_words |= {lemma(word) for word in laterality.side_words_lower}
        skip_words.add(SPACE_WORD)
        self.skip_words = frozenset(skip_words)
        self._tokenizer = nlp.tokenizer
        stop_phrases = {self.phrase_words(phrase) for phrase in config.get("stop_phrases", [])}

        if terms_path is None:
            terms_path = icd10cm_dir() / (model_config.icd10cm_terms or DEFAULT_TERMS_FILE)
        icd_data = load_icd_terms(str(terms_path))
        self.families = icd_data.get("families", {})
        self._icd_data = icd_data
        self.trie: TermTrie = icd_trie(icd_data, {" ".join(words) for words in stop_phrases})
        self._index_data = add_index_terms(self.trie, config, {" ".join(words) for words in stop_phrases},
                                           self.families)  # Alphabetic Index: what the tables lack
        icd_count = len(self.trie)
        lexicon, rules = curated_terms(model_dir, self.phrase_words, self.families)
        for words, entry in lexicon.items():
            self.trie.insert(words, entry)
        self._lexicon_terms = lexicon
        self.abbreviations: dict[int, AbbreviationRule] = {
            self.vocab.strings.add(form): rule for form, rule in rules.items()}
        self._norm_cache: dict[int, str] = {}
        self.word_forms = WordForms.from_config(config.get("word_forms", {}), lemma)
        coordination = config.get("coordination", {})
        self.coordinators = frozenset(lemma(word) for word in coordination.get("conjunctions", []))
        self.max_coordinated = int(coordination.get("max_modifiers", 4))
        self._form_cache: dict[str, str | None] = {}
        self._form_checked: set[str] = set()
        self._form_of: dict[str, str] = {}
        self.words_config = WordsConfig.from_dict(model_config.component_config("words"), lemma,
                                                  laterality.side_words_lower)
        self._word_search: WordSearch | None = None
        self.fuzzy_config = FuzzyConfig.from_dict(model_config.component_config("fuzzy"))
        self._fuzzy: FuzzyLinker | None = None
        self._fuzzy_loaded = not self.fuzzy_config.enabled
        if not Span.has_extension(TARGET_ATTRIBUTE):
            Span.set_extension(TARGET_ATTRIBUTE, default=None)
        logger.debug(
            "Target matcher: %d ICD-10-CM phrase groups, %d lexicon phrases, %d abbreviations",
            icd_count,
            len(lexicon),
            len(self.abbreviations),
        )

    @property
    def descriptions(self) -> Mapping[str, str]:
        """ICD-10-CM descriptions of the codes the generated terms use."""
        return descriptions_of(self._icd_data)

    def phrase_words(self, phrase: str) -> tuple[str, ...]:
        """The lemmas of a phrase's words, tokenised exactly as notes are.

        phrase (str): A phrase such as "Kidney stones".
        RETURNS (tuple[str, ...]): ("kidney", "stone").
        """
        return phrase_lemmas(self._tokenizer, self.words, phrase)

    @property
    def word_search(self) -> WordSearch:
        """The search of billed codes' words written apart (:mod:`chartaudit.extract.words`), over
        the code phrases artifact and this matcher's lexicon, read on the first search."""
        if self._word_search is None:
            table = load_code_phrases(str(icd10cm_dir() / self.words_config.artifact))
            lexicon = [(words, entry.codes) for words, entry in self._lexicon_terms.items() if entry.codes]
            self._word_search = WordSearch(self.words_config, table, lexicon)
        return self._word_search

    def build_trie(self, terms: dict[str, str | None], concepts: dict[str, str] | None = None) -> TermTrie:
        """A trie of run-time terms (``Extractor.add_terms``); codes may be None.

        terms (dict[str, str | None]): Phrase -> code (or None).
        concepts (dict[str, str] | None): Phrase -> preferred term (default: the phrase).
        RETURNS (TermTrie): The trie, passed to a call as ``extra_terms``.
        """
        trie = TermTrie()
        for phrase, code in terms.items():
            words = self.phrase_words(phrase)
            if not words:
                continue
            concept = (concepts or {}).get(phrase) or self.descriptions.get(code or "", "") or phrase
            trie.insert(words, make_entry(concept, code, "lexicon", self.families))
        return trie

    @property
    def fuzzy(self) -> FuzzyLinker | None:
        """The fuzzy linker (loaded on first use), or None when ``components.fuzzy`` turns it off."""
        if not self._fuzzy_loaded:
            self._fuzzy_loaded = True
            index = FuzzyIndex.load(icd10cm_dir() / self.fuzzy_config.artifact)
            if index is not None:
                self._fuzzy = FuzzyLinker(self.fuzzy_config, index, self.trie, self.skip_words)
        return self._fuzzy

    def _fuzzy_candidates(self, doc: Doc, words: list[str], candidates: list) -> None:
        """Fuzzy matches outside every exact candidate (lowest priority, source "fuzzy")."""
        linker = self.fuzzy
        if linker is None:
            return
        exact = [(start, end) for start, end, *_ in candidates]
        boundary = bytearray(len(doc))
        for start in sentence_token_starts(doc):
            boundary[start] = 1
        for start, end, entry, _score in linker.link(words, exact, boundary):
            candidates.append((start, end, _SOURCE_PRIORITY["fuzzy"], entry, "fuzzy"))

    def word_of(self, text: str) -> str:
        """The normalised word of a token's text: its lemma, or for white space
        :data:`SPACE_WORD` (spaces, one line break) or :data:`BREAK_WORD` (a blank line)."""
        if text.isspace():
            return BREAK_WORD if text.count("\n") > 1 else SPACE_WORD
        return self.words.lemma(text)

    def normalised_words(self, doc: Doc) -> list[str]:
        """The lemma of each token of a doc (:meth:`chartaudit.resources.words.WordRules.lemma`), as the trie
        holds phrases: the list this matcher made for the doc (kept in ``doc.user_data``), or a new one."""
        words = doc.user_data.get(WORDS_KEY)
        if isinstance(words, list) and len(words) == len(doc):
            return words
        return self._normalised_words(doc)

    def _normalised_words(self, doc: Doc) -> list[str]:
        """The tokens' normalised words; the white space before a sentence start is a
        :data:`BREAK_WORD`, so that no phrase runs from one sentence into the next."""
        cache = self._norm_cache
        if len(cache) > _MAX_CACHE:
            cache.clear()
        keys = doc.to_array(LOWER).tolist()
        words = list(map(cache.get, keys))
        if None in words:
            strings = self.vocab.strings
            for index, key in enumerate(keys):
                if words[index] is None:
                    word = cache.get(key)
                    if word is None:
                        word = cache[key] = self.word_of(strings[key])
                    words[index] = word
        for start in sentence_token_starts(doc):
            for index in (start - 1, start):
                if index >= 0 and words[index] == SPACE_WORD:
                    words[index] = BREAK_WORD
        return words

    def __call__(self, doc: Doc, extra_terms: TermTrie | None = None) -> Doc:
        if len(doc) == 0:
            return doc
        words = self._normalised_words(doc)
        doc.user_data[WORDS_KEY] = words  # the evidence matcher reads the same lemmas
        candidates: list[tuple[int, int, int, TermEntry, str]] = []
        for trie, priority in ((self.trie, None), (extra_terms, _SOURCE_PRIORITY["runtime"])):
            if trie is None or not len(trie):
                continue
            self._trie_candidates(trie, words, priority, candidates)
        if self.word_forms:
            self._word_form_candidates(words, candidates)
        if self.coordinators:
            self._coordination_candidates(words, candidates)
        if self.abbreviations:
            self._abbreviation_candidates(doc, words, candidates)
        if Doc.has_extension("abbreviations"):
            self._definition_candidates(doc, words, extra_terms, candidates)
        if self.fuzzy_config.enabled:
            self._fuzzy_candidates(doc, words, candidates)
        spans = self._select(doc, candidates)
        if spans and self.coordinators:
            spans = self._other_side_repeats(doc, words, spans)
        doc.set_ents(spans, default="outside")  # as ``doc.ents = ...``, without copying the spans
        return doc

    def _other_side_repeats(self, doc: Doc, words: list[str], spans: list[Span]) -> list[Span]:
        """The same condition on the other side, written as its side and site only: in
        "cellulitis of the left leg and possible right leg", "right leg" is also a mention of
        cellulitis (so that "possible" covers it, not the left leg). After a target: filler
        words, a side word and a site word, a conjunction, at most two other words, then
        the other side word and the same site word."""
        laterality = self.laterality
        filler = laterality.filler_words
        taken = bytearray(len(doc))
        for span in spans:
            taken[span.start:span.end] = b"\x01" * (span.end - span.start)
        length = len(doc)
        found: list[Span] = []
        for span in spans:
            if span.end - span.start > 2 and laterality.side_of(doc[span.end - 2].text):
                position = span.end - 2  # the side and site end the mention: "pain in the right knee"
            else:
                position = span.end
                limit = min(length, span.end + laterality.max_tokens_after)
                while position < limit and (words[position] == SPACE_WORD or words[position] in filler):
                    position += 1
                if position + 2 >= length or taken[position]:
                    continue
            first_side = laterality.side_of(doc[position].text)
            site = words[position + 1]
            if first_side is None or not site.isalpha() or site in filler:
                continue
            position += 2
            while position < length and words[position] == SPACE_WORD:
                position += 1
            if position >= length or words[position] not in self.coordinators:
                continue
            following = [at for at in range(position + 1, min(length - 1, position + 7))
                         if words[at] != SPACE_WORD][:3]
            for at in following:  # the other side, after at most two words ("possible", "probable")
                if taken[at] or words[at] == BREAK_WORD:
                    break
                second_side = laterality.side_of(doc[at].text)
                if second_side is None:
                    continue
                if second_side != first_side and words[at + 1] == site and not taken[at + 1]:
                    repeat = Span(doc, at, at + 2, label=TARGET_LABEL)
                    hit = span._.get(TARGET_ATTRIBUTE)
                    repeat._.set(TARGET_ATTRIBUTE, TargetHit(entry=hit.entry, source=hit.source))
                    found.append(repeat)
                    taken[at:at + 2] = b"\x01\x01"
                break
        if not found:
            return spans
        return sorted([*spans, *found], key=lambda span: span.start)

    def _trie_candidates(self, trie: TermTrie, words: list[str], priority: int | None, candidates: list) -> None:
        """Longest trie match at each word that starts a term (most words are ruled out
        by one look-up of the next word, without entering the trie walk)."""
        root = trie.root
        skip = self.skip_words
        length = len(words)
        for start in [index for index, word in enumerate(words) if word in root]:
            word = words[start]
            if trie.is_pending(word):
                trie.materialize(word)
            node = root[word]
            if TERMINAL not in node:
                following = words[start + 1] if start + 1 < length else None
                if following not in node and following not in skip and not trie.has_pending(word, following):
                    continue
            end, entry = trie.longest(words, start, skip)
            if entry is not None:
                rank = priority if priority is not None else _SOURCE_PRIORITY[entry.source]
                candidates.append((start, end, rank, entry, entry.source))

    def term_form(self, word: str) -> str | None:
        """The one-word term a derived word stands for ("erythematous" -> "erythema"), or None.

        word (str): A normalised word of a note.
        RETURNS (str | None): A candidate of :class:`WordForms` that is a one-word term.

        Usage::

            matcher.term_form("hypertensive")  # "hypertension"
        """
        cache = self._form_cache
        if word in cache:
            return cache[word]
        if len(cache) > _MAX_CACHE:
            cache.clear()
        found = None
        for candidate in self.word_forms.candidates(word):
            entry = self.trie.get((candidate,))
            if entry is not None and entry.source != "index":  # forms lead to tabular and lexicon terms only
                found = candidate
                break
        cache[word] = found
        return found

    def _word_form_candidates(self, words: list[str], candidates: list) -> None:
        """Trie matches over the words with derived forms rewritten, each holding a rewritten word."""
        forms = self.word_forms
        if len(self._form_checked) > _MAX_CACHE:
            self._form_checked.clear()
            self._form_of.clear()
        distinct = set(words)
        new = distinct - self._form_checked  # each word is looked at once per process
        if new:
            for word in new:
                if forms.may_apply(word) and (form := self.term_form(word)) is not None:
                    self._form_of[word] = form
            self._form_checked |= new
        hits = {word: self._form_of[word] for word in distinct.intersection(self._form_of)}
        if not hits:
            return
        last = len(words) - 1
        changed = [index for index, word in enumerate(words) if word in hits
                   and not (index < last and words[index + 1] in forms.not_before)  # "hypotensive medication"
                   and not _after_non(words, index)]  # "non-diabetic" denies the condition
        if not changed:
            return
        rewritten = list(words)
        for index in changed:
            rewritten[index] = hits[words[index]]
        found: list = []
        self._trie_candidates(self.trie, rewritten, _WORD_FORM_PRIORITY, found)
        for start, end, rank, entry, source in found:
            if any(start <= index < end for index in changed):
                candidates.append((start, end, rank, entry, source))

    def _coordination_candidates(self, words: list[str], candidates: list) -> None:
        """One-word modifiers coordinated with a matched term's first or last word.

        "liver , bone and mediastinal metastasis": the match "mediastinal metastasis"
        has the head "metastasis"; "bone" and "liver", each followed by a conjunction
        or comma, form "bone metastasis" and "liver metastasis", which the trie knows.
        "hepatitis b and c": the head "hepatitis" comes first. Each modifier token
        becomes a candidate of the term it forms (lowest priority, one token).
        """
        coordinators = self.coordinators
        length = len(words)
        found: list = []
        for start, end, _rank, _entry, source in list(candidates):
            if end - start < 2 or source not in ("icd", "index", "lexicon"):
                continue
            head = tuple(words[start + 1:end])  # the modifier comes first: "<m> <head>"
            index = start - 1
            for _ in range(self.max_coordinated):
                if index < 1 or words[index] not in coordinators:
                    break
                index -= 1
                if words[index] in coordinators:
                    index -= 1  # ", and"
                if index < 0 or not words[index].isalpha():
                    break
                entry = self.trie.get((words[index], *head))
                if entry is not None:
                    found.append((index, index + 1, _WORD_FORM_PRIORITY, entry, entry.source))
                index -= 1
            head = tuple(words[start:end - 1])  # the head comes first: "<head> <m>"
            index = end
            for _ in range(self.max_coordinated):
                if index >= length - 1 or words[index] not in coordinators:
                    break
                index += 1
                if words[index] in coordinators and index < length - 1:
                    index += 1
                if not words[index].isalpha():
                    break
                entry = self.trie.get((*head, words[index]))
                if entry is not None:
                    found.append((index, index + 1, _WORD_FORM_PRIORITY, entry, entry.source))
                index += 1
        candidates.extend(found)

    def _abbreviation_candidates(self, doc: Doc, words: list[str], candidates: list) -> None:
        abbreviations = self.abbreviations
        orths = doc.to_array(ORTH).tolist()
        for index in positions_of(orths, abbreviations.keys()):
            rule = abbreviations[orths[index]]
            if rule.not_followed_by and index + 1 < len(doc) and doc[index + 1].text in rule.not_followed_by:
                continue
            candidates.append((index, index + 1, _SOURCE_PRIORITY["abbreviation"], rule.entry, "abbreviation"))
            if rule.long_words:
                self._abbreviation_phrase_candidates(words, index, rule.long_words, candidates)

    def _abbreviation_phrase_candidates(self, words: list[str], index: int, long_words: tuple[str, ...],
                                        candidates: list) -> None:
        """Longer terms an abbreviation forms with its neighbours, read with its long form in its
        place: "MDD, recurrent, moderate" is "major depressive disorder, recurrent, moderate"
        (F33.1), "chronic afib" is "chronic atrial fibrillation" (I48.20). The candidate spans the
        abbreviation and the words the term takes from around it (up to
        :data:`MAX_WORDS_BEFORE_ABBREVIATION` before it)."""
        root = self.trie.root
        after = words[index + 1: index + 1 + self.max_phrase_tokens]
        before: list[int] = []  # positions of the words right before, nearest last
        position = index - 1
        while position >= 0 and len(before) < MAX_WORDS_BEFORE_ABBREVIATION:
            word = words[position]
            if word != SPACE_WORD:
                if not word.isalnum():  # "type 1 DM", "stage 3 CKD"
                    break
                before.insert(0, position)
            position -= 1
        size = len(long_words)
        for count in range(len(before) + 1):
            taken = before[len(before) - count:]
            sequence = [words[position] for position in taken] + list(long_words) + after
            if sequence[0] not in root:
                continue
            end, entry = self.trie.longest(sequence, 0, self.skip_words)
            if entry is None or end < count + size or (count == 0 and end == size):
                continue  # the term must hold the whole long form and more than it
            start = taken[0] if taken else index
            candidates.append((start, index + 1 + max(0, end - count - size), _SOURCE_PRIORITY["abbreviation"],
                               entry, "abbreviation"))

    def _definition_candidates(self, doc: Doc, words: list[str], extra_terms: TermTrie | None, candidates: list) -> None:
        """Short forms defined in the note: "shortness of breath (SOB)" ... "SOB"."""
        short_forms = doc._.get("abbreviations") or []
        if not short_forms:
            return
        for short in short_forms:
            long_form = short._.get("long_form") if Span.has_extension("long_form") else None
            if long_form is None or isinstance(long_form, str):
                continue
            if short.start >= long_form.end and short.start <= long_form.end + 1:
                continue  # the defining "(SOB)" itself: the long form is the mention
            entry = None
            for trie in (extra_terms, self.trie):
                if trie is None or not len(trie) or words[long_form.start] not in trie.root:
                    continue
                end, found = trie.longest(words, long_form.start, self.skip_words, limit=long_form.end)
                if found is not None and end == long_form.end:
                    entry = found
                    break
            if entry is not None:
                candidates.append((short.start, short.end, _SOURCE_PRIORITY["abbreviation"], entry, "abbreviation"))

    @staticmethod
    def _select(doc: Doc, candidates: list) -> list[Span]:
        """Longest candidates first, then earliest, then by source priority; no overlaps."""
        if not candidates:
            return []
        candidates.sort(key=lambda item: (item[0] - item[1], item[0], -item[2]))
        taken = bytearray(len(doc))
        chosen = []
        for start, end, _, entry, source in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end, entry, source))
        chosen.sort(key=lambda item: item[0])
        spans = []
        for start, end, entry, source in chosen:
            span = Span(doc, start, end, label=TARGET_LABEL)
            span._.set(TARGET_ATTRIBUTE, TargetHit(entry=entry, source=source))
            spans.append(span)
        return spans


@Language.factory("chartaudit_targets", default_config={"model_dir": "", "terms_path": ""})
def create_target_matcher(nlp: Language, name: str, model_dir: str, terms_path: str) -> TargetMatcher:
    """spaCy factory of :class:`TargetMatcher`."""
    return TargetMatcher(nlp, name, Path(model_dir), Path(terms_path) if terms_path else None)
