"""The public extractor: clinical note text in, :class:`~chartaudit.types.Mention` list out.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from chartaudit.extract.context.rules import ASSERTION_FLAGS, temporality_of
from chartaudit.extract.pipeline import build_pipeline
from chartaudit.extract.sections.component import SECTIONS_ATTRIBUTE, section_at
from chartaudit.extract.sentences.component import sentence_bounds, sentence_token_starts
from chartaudit.extract.laterality.component import combine_sides
from chartaudit.extract.targets.matcher import WORDS_KEY, TargetMatcher
from chartaudit.extract.terms import EVIDENCE_SPANS, TARGET_ATTRIBUTE, TermEntry, TermTrie
from chartaudit.extract.tokenizer import doc_text
from chartaudit.extract.words import SOURCE, CodePhrase
from chartaudit.resources import default_model_dir
from chartaudit.resources.artifact import model_directory
from chartaudit.resources.words import WordRules
from chartaudit.types import ASSERTIONS, Mention

logger = logging.getLogger(__name__)

SECTIONS_PIPE = "chartaudit_sections"
TARGETS_PIPE = "chartaudit_targets"
CONTEXT_PIPE = "chartaudit_context"
#: Components not needed to assess supplied spans (no targets, no sides).
EVIDENCE_PIPE = "chartaudit_evidence"
_NOT_FOR_ASSESS = ("chartaudit_definitions", TARGETS_PIPE, EVIDENCE_PIPE, CONTEXT_PIPE, "chartaudit_laterality")
#: Notes whose mentions an extractor remembers (a few KB each), most recently used kept.
DEFAULT_CACHE_SIZE = 4096
#: The assertions of a window the word search prefers (those that may support a billed code).
_WORD_SUPPORT = frozenset({"affirmed", "uncertain"})


def _note_key(text: str) -> bytes:
    """A 128-bit digest of a note: the cache holds no note text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _copy_mention(mention: Mention) -> Mention:
    """A copy of a mention with a list of codes of its own (what ``copy.copy`` makes, without its
    generic ``__reduce_ex__`` path)."""
    cls = type(mention)
    duplicate = cls.__new__(cls)
    duplicate.__dict__.update(mention.__dict__)
    duplicate.codes = list(mention.codes)
    return duplicate


#: A mention as the note cache keeps it (:func:`_packed`): its attribute names and values.
_Packed = tuple[tuple[str, ...], tuple[Any, ...]]
#: Per distinct layout of attributes: its names (shared by the packed mentions) and where the codes are.
_LAYOUTS: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = {}


def _packed(mention: Mention) -> _Packed:
    """A mention as plain tuples of its attribute names and values, its codes a tuple. The
    garbage collector stops tracking tuples of strings, numbers and None, so the mentions of
    the cached notes add nothing to its full collections (Mention objects would all be walked)."""
    state = mention.__dict__
    names = tuple(state)
    layout = _LAYOUTS.get(names)
    if layout is None:
        layout = _LAYOUTS[names] = (names, names.index("codes"))
    values = list(state.values())
    values[layout[1]] = tuple(values[layout[1]])
    return layout[0], tuple(values)


def _unpacked(packed: _Packed) -> Mention:
    """The mention a :func:`_packed` tuple holds, with a list of codes of its own."""
    names, values = packed
    mention = Mention.__new__(Mention)
    state = mention.__dict__
    state.update(zip(names, values))
    state["codes"] = list(state["codes"])
    return mention


@dataclass
class _Remembered:
    """What the extractor keeps of one note (no note text): its mentions (:func:`_packed`), its
    distinct word lemmas (space-joined: a few KB, where a set would take several times more) and,
    per billed code looked for, the mentions the word search found."""

    mentions: tuple[_Packed, ...]
    words: str
    found: dict[str, tuple[Mention, ...]]


@dataclass(frozen=True)
class SpanAssertion:
    """The assertions of one supplied span (see :meth:`Extractor.assess`).

    start (int): First character of the span.
    end (int): Character after the span.
    flags (frozenset[str]): The Mention flags set ("negated", "historical", "family",
        "hypothetical", "uncertain"); empty when the span is affirmed.
    temporality (str): NegEx temporality, "recent" | "historical" (onset over about
        two weeks ago, current chronic conditions included) | "hypothetical"; see
        :attr:`chartaudit.types.Mention.temporality`.

    Usage::

        extractor.assess("No fever.", [(3, 8)])[0].assertion  # 'negated'
        extractor.assess("Known CAD.", [(6, 9)])[0].temporality  # 'historical'
    """

    start: int
    end: int
    flags: frozenset[str] = frozenset()
    temporality: str = "recent"

    @property
    def assertion(self) -> str:
        """The single label, by the priority of :attr:`chartaudit.types.Mention.assertion`."""
        return next((label for label in ASSERTIONS[:-1] if label in self.flags), "affirmed")


class Extractor:
    """Find the conditions a clinical note documents, with section, side and assertions.

    model_dir (Path | str | None): A model directory or a built artifact (``chartaudit
        build-model``); ``resources.default_model_dir()`` when None. Pipelines are
        cached per directory, so creating several extractors is cheap.
    cache_size (int): How many notes' mentions :meth:`extract` remembers, keyed by a
        digest of the text: the same note again (one row per claim line, a re-check
        with other codes, a copied-forward note) is not read twice. 0 turns it off.
        :meth:`add_terms` clears it; so does :meth:`clear_cache`, which a caller that
        changes the pipeline's components in place must call.

    Usage::

        extractor = Extractor()
        [mention.codes for mention in extractor.extract("h/o MI")]  # [["I21.9"]]
    """

    def __init__(self, model_dir: Path | str | None = None, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        #: The model as given (a directory or a built ``*.chartaudit`` artifact).
        self.model_path = Path(model_dir) if model_dir else default_model_dir()
        #: The directory of model files (an artifact's unpacked, content-addressed copy).
        self.model_dir = model_directory(self.model_path)
        self.nlp: Language = build_pipeline(self.model_dir)
        self._added_terms: dict[str, str | None] = {}
        self._extra_trie: TermTrie | None = None
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[bytes, _Remembered] = OrderedDict()
        self._cache_lock = threading.Lock()  # the viewer shares one extractor between sessions
        #: The doc of the note read last (digest, doc): a check looks for its codes' words right after.
        self._recent: tuple[bytes, Doc] | None = None

    def clear_cache(self) -> None:
        """Forget the remembered mentions (see ``cache_size``)."""
        with self._cache_lock:
            self._cache.clear()
            self._recent = None

    @property
    def matcher(self) -> TargetMatcher:
        """The pipeline's target matcher."""
        return self.nlp.get_pipe(TARGETS_PIPE)  # type: ignore[return-value]

    @property
    def words(self) -> WordRules:
        """The model's word normaliser and word lists (``lexical.json``), as the matcher uses them."""
        return self.matcher.words

    @property
    def section_groups(self) -> Mapping[str, frozenset[str]]:
        """Named groups of section categories (``groups`` of ``section_rules.json``).

        ``"assessment"``: sections whose statements are the provider's current
        assessment; ``"non_assessment"``: sections that never document a current,
        assessed condition by themselves. A model may name more groups.
        """
        return self.nlp.get_pipe(SECTIONS_PIPE).rules.groups  # type: ignore[attr-defined]

    def add_terms(self, terms: Mapping[str, str | None]) -> None:
        """Extend the lexicon of this extractor at run time.

        terms (Mapping[str, str | None]): Phrase -> ICD-10-CM code, or None for a
            concept without a code (its mentions have ``codes == []``). A phrase
            already known gets the new meaning.
        """
        for phrase, code in terms.items():
            phrase = str(phrase).strip()
            if phrase:
                self._added_terms[phrase] = code.strip() if isinstance(code, str) and code.strip() else None
        self._extra_trie = self.matcher.build_trie(self._added_terms) if self._added_terms else None
        self.clear_cache()

    def _component_config(self) -> dict[str, dict[str, Any]]:
        if self._extra_trie is None:
            return {}
        return {TARGETS_PIPE: {"extra_terms": self._extra_trie}}

    def extract(self, text: str) -> list[Mention]:
        """The mentions of one note, sorted by start.

        Never raises on a ``str`` (empty, huge, NUL bytes, RTL marks, emoji): on an
        internal error it logs the error type (never the note) and returns [].

        text (str): The note.
        RETURNS (list[Mention]): Mentions with offsets into ``text``.

        Usage::

            extractor.extract("Denies chest pain.")[0].negated  # True
        """
        if not isinstance(text, str):
            raise TypeError(f"extract() needs a str, not {type(text).__name__}")
        if not text.strip():
            return []
        key = _note_key(text)
        if self.cache_size:
            cached = self._remembered(key)
            if cached is not None:
                return [_unpacked(packed) for packed in cached.mentions]  # callers may change theirs
        try:
            doc = self.nlp(text, component_cfg=self._component_config())
            mentions = self.mentions(doc)
        except Exception as error:  # noqa: BLE001 - the contract: never raise on a str
            logger.error("Extraction failed on a note of %d characters: %s", len(text), type(error).__name__)
            logger.debug("Extraction failure", exc_info=True)
            return []
        with self._cache_lock:
            if self.cache_size:
                words = doc.user_data.get(WORDS_KEY) or ()
                self._cache[key] = _Remembered(tuple(_packed(mention) for mention in mentions),
                                               " ".join(set(words)), {})
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            self._recent = (key, doc)
        return mentions

    def _remembered(self, key: bytes) -> _Remembered | None:
        with self._cache_lock:
            remembered = self._cache.get(key)
            if remembered is not None:
                self._cache.move_to_end(key)
        return remembered

    def find_words(self, text: str, codes: Sequence[str]) -> dict[str, list[Mention]]:
        """Mentions of billed codes found by their words written apart in one sentence (source "words").

        What a coder does to verify a code no mention names: look for a sentence holding every
        word of one of the code's phrases, in any order ("lithiasis in the lower pole of the left
        kidney" for N20.0); :mod:`chartaudit.extract.words` says which phrases and words count.
        Each window is assessed like a target: its flags are those ConText and the sections give
        any of its words ("no evidence of lithiasis in the left kidney" is negated). At most one
        mention per code: the narrowest window that is neither negated, past, a relative's nor
        hypothetical, else the narrowest. The results are remembered with the note's mentions.
        Never raises on a ``str``: on an internal error it logs the error type and returns {}.

        text (str): The note (as given to :meth:`extract`).
        codes (Sequence[str]): The billed codes to look for (condition codes without a related mention).
        RETURNS (dict[str, list[Mention]]): For each code with a window, its mention.

        Usage::

            extractor.find_words("Lithiasis in the lower pole of the left kidney.", ["N20.0"])["N20.0"][0].source  # 'words'
        """
        if not isinstance(text, str):
            raise TypeError(f"find_words() needs a str, not {type(text).__name__}")
        codes = list(dict.fromkeys(code for code in codes if code))
        if not codes or not text.strip() or not self.matcher.words_config.enabled:
            return {}
        try:
            found = self._find_words(text, codes)
        except Exception as error:  # noqa: BLE001 - the contract: never raise on a str
            logger.error("Word search failed on a note of %d characters: %s", len(text), type(error).__name__)
            logger.debug("Word search failure", exc_info=True)
            return {}
        return {code: [_copy_mention(mention) for mention in mentions] for code, mentions in found.items() if mentions}

    def _find_words(self, text: str, codes: list[str]) -> dict[str, tuple[Mention, ...]]:
        key = _note_key(text)
        remembered = self._remembered(key) if self.cache_size else None
        if remembered is None and self.cache_size:
            self.extract(text)
            remembered = self._remembered(key)
        known = remembered.found if remembered is not None else {}
        pending = [code for code in codes if code not in known]
        results: dict[str, tuple[Mention, ...]] = {}
        if pending:
            doc = None
            if remembered is not None:
                note_words: Collection[str] = set(remembered.words.split(" "))
            else:
                doc = self._doc_with_words(key, text)
                note_words = set(doc.user_data[WORDS_KEY])
            search = self.matcher.word_search
            candidates = {code: search.candidates(code, note_words) for code in pending}
            results = {code: () for code in pending}
            if any(candidates.values()):
                results.update(self._word_mentions(doc or self._doc_with_words(key, text), candidates))
            if remembered is not None:
                with self._cache_lock:
                    remembered.found.update(results)
        return {code: known.get(code, results.get(code, ())) for code in codes}

    def _doc_with_words(self, key: bytes, text: str) -> Doc:
        """The note's doc with sentences, sections and word lemmas: the one read last when it is this
        note, else a new one (tokenizer, sections and sentences only)."""
        with self._cache_lock:
            recent = self._recent
        if recent is not None and recent[0] == key and WORDS_KEY in recent[1].user_data:
            return recent[1]
        doc = self.nlp(text, disable=[name for name in _NOT_FOR_ASSESS if name in self.nlp.pipe_names])
        doc.user_data[WORDS_KEY] = self.matcher.normalised_words(doc)
        return doc

    def _word_mentions(self, doc: Doc, candidates: Mapping[str, list[CodePhrase]]) -> dict[str, tuple[Mention, ...]]:
        """The best window of each code's phrases (see :meth:`find_words`), assessed and made a mention."""
        matcher = self.matcher
        search = matcher.word_search
        words = doc.user_data[WORDS_KEY]
        starts = sentence_token_starts(doc)
        windows = [(code, phrase, tokens) for code, phrases in candidates.items() if phrases
                   for phrase, tokens in search.windows(words, starts, phrases)]
        if not windows:
            return {}
        spans = [doc[index: index + 1] for _, _, tokens in windows for index in tokens]
        token_flags = iter(self.nlp.get_pipe(CONTEXT_PIPE).assess(doc, spans))
        text = doc_text(doc)
        sections = (doc._.get(SECTIONS_ATTRIBUTE) or []) if Doc.has_extension(SECTIONS_ATTRIBUTE) else []
        section_starts = [section.start for section in sections]
        laterality = matcher.laterality
        best: dict[str, Mention] = {}
        for code, phrase, tokens in windows:
            flags: set[str] = set()
            for _ in tokens:
                flags |= next(token_flags)
            low, high = min(tokens), max(tokens) + 1
            sides = [side for index in range(max(0, low - laterality.max_tokens_before), high)
                     if (side := laterality.side_of(doc[index].text)) is not None]
            side = combine_sides(sides)
            entry = TermEntry(matcher.descriptions.get(phrase.code, " ".join(phrase.words)), (phrase.code,), SOURCE,
                              sides=matcher.families.get(phrase.code))
            start_char, end_char = doc[low].idx, doc[high - 1].idx + len(doc[high - 1])
            first, after = sentence_bounds(starts, len(doc), low, high)
            sentence_start = doc[first].idx
            sentence_end = sentence_start + len(text[sentence_start: doc[after - 1].idx + len(doc[after - 1])].rstrip())
            section = section_at(sections, section_starts, start_char) if sections else None
            mention = Mention(
                text=text[start_char:end_char], start=start_char, end=end_char, codes=entry.codes_for_side(side),
                concept=entry.concept, section=section.category if section else None, laterality=side,
                source=SOURCE, sentence_start=sentence_start, sentence_end=max(sentence_end, end_char),
                temporality=temporality_of(flags), **{flag: flag in flags for flag in ASSERTION_FLAGS},
            )
            current = best.get(code)
            if current is None or (current.assertion not in _WORD_SUPPORT and mention.assertion in _WORD_SUPPORT):
                best[code] = mention
        return {code: (mention,) for code, mention in best.items()}

    def assess(self, text: str, spans: Sequence[tuple[int, int]]) -> list[SpanAssertion]:
        """The assertions of character spans supplied by the caller (not looked up in the lexicon).

        The spans take the place of the targets: ConText rules and section
        assertions apply to them exactly as to matched conditions. A span that does
        not fall on token boundaries is widened to them; an empty or out-of-range
        span gets no flags.

        text (str): The text.
        spans (Sequence[tuple[int, int]]): (start, end) character offsets into ``text``.
        RETURNS (list[SpanAssertion]): One per span, in the order given.

        Usage::

            extractor.assess("Denies chest pain.", [(7, 17)])[0].flags  # frozenset({'negated'})
        """
        if not isinstance(text, str):
            raise TypeError(f"assess() needs a str, not {type(text).__name__}")
        results = [SpanAssertion(start, end) for start, end in spans]
        if not text.strip() or not results:
            return results
        doc = self.nlp(text, disable=[name for name in _NOT_FOR_ASSESS if name in self.nlp.pipe_names])
        kept: list[tuple[int, Any]] = []
        for index, (start, end) in enumerate(spans):
            span = doc.char_span(start, end, alignment_mode="expand") if 0 <= start < end <= len(text) else None
            if span is not None and len(span):
                kept.append((index, span))
        if kept:
            detector = self.nlp.get_pipe(CONTEXT_PIPE)
            for (index, _), flags in zip(kept, detector.assess(doc, [span for _, span in kept])):
                results[index] = SpanAssertion(
                    results[index].start, results[index].end, frozenset(flags & set(ASSERTION_FLAGS)),
                    temporality_of(flags),
                )
        return results

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[list[Mention]]:
        """The mentions of many notes, in order (faster than calling ``extract`` in a loop).

        texts (Iterable[str]): The notes.
        batch_size (int): spaCy batch size.
        YIELDS (list[Mention]): The mentions of each note.
        """
        config = self._component_config()
        batch: list[str] = []
        for text in texts:
            batch.append(text if isinstance(text, str) else "")
            if len(batch) >= batch_size:
                yield from self._pipe_batch(batch, config)
                batch = []
        if batch:
            yield from self._pipe_batch(batch, config)

    def _pipe_batch(self, texts: list[str], config: dict[str, dict[str, Any]]) -> list[list[Mention]]:
        try:
            docs = list(self.nlp.pipe(texts, batch_size=len(texts), component_cfg=config))
            return [self.mentions(doc) if text.strip() else [] for text, doc in zip(texts, docs)]
        except Exception as error:  # noqa: BLE001 - fall back to one note at a time
            logger.error("Batch extraction failed (%s); extracting one note at a time", type(error).__name__)
            return [self.extract(text) for text in texts]

    @staticmethod
    def mentions(doc: Doc) -> list[Mention]:
        """Turn a processed doc into mentions.

        doc (Doc): A doc processed by the pipeline.
        RETURNS (list[Mention]): The mentions, sorted by start.
        """
        text = doc_text(doc)
        sections = doc._.get(SECTIONS_ATTRIBUTE) if Doc.has_extension(SECTIONS_ATTRIBUTE) else None
        sections = sections or []
        section_starts = [section.start for section in sections]
        starts = sentence_token_starts(doc)
        length = len(doc)
        mentions: list[Mention] = []
        evidence = list(doc.spans[EVIDENCE_SPANS]) if EVIDENCE_SPANS in doc.spans else []
        for entity in [*doc.ents, *evidence]:
            hit = entity._.get(TARGET_ATTRIBUTE)
            if hit is None:
                continue
            first, after = sentence_bounds(starts, length, entity.start, entity.end)
            sentence = doc[first:after]
            sentence_start = sentence.start_char
            sentence_end = sentence_start + len(text[sentence_start: sentence.end_char].rstrip())
            section = section_at(sections, section_starts, entity.start_char) if sections else None
            flags = hit.flags
            mentions.append(
                Mention(
                    text=text[entity.start_char: entity.end_char],
                    start=entity.start_char,
                    end=entity.end_char,
                    codes=hit.codes,
                    concept=hit.entry.concept,
                    section=section.category if section else None,
                    laterality=hit.side,
                    site=hit.site,
                    source=hit.source,
                    sentence_start=sentence_start,
                    sentence_end=max(sentence_end, entity.end_char),
                    temporality=temporality_of(flags),
                    kind=hit.entry.kind,
                    **{flag: flag in flags for flag in ASSERTION_FLAGS},
                )
            )
        mentions.sort(key=lambda mention: (mention.start, mention.end))
        return mentions
