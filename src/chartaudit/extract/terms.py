"""Target terms and hits: what a phrase means, the token trie, and what a match carries.

Terms come from three places, loaded in this order so that later ones win for
the same phrase: the generated ICD-10-CM terms (``models/icd10cm/terms-2026.json.gz``,
written by ``python -m chartaudit.extract.targets.build``), the curated lexicon
(``lexicon.csv``, :class:`chartaudit.extract.lexicon.Lexicon`) and terms added at
run time (``Extractor.add_terms``). Case-sensitive abbreviations
(``abbreviations.json``) point at lexicon phrases.

The target matcher fills the trie and sets a :class:`TargetHit` on each match
(``Span._.chartaudit_target``); the fuzzy linker looks phrases up in the same
trie; the laterality and ConText components and the extractor read the hits.
This module is what they share, so none of them imports another for it.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chartaudit.extract.lexicon import Abbreviations, Lexicon
from chartaudit.knowledge.codes import normalize_code
from chartaudit.resources.words import WordRules

logger = logging.getLogger(__name__)

#: The key under which a trie node stores the term ending there.
TERMINAL = "\x00"
#: Starts the line that names the source of the pending lines after it (:class:`TermTrie`).
_SOURCE_MARK = "\x1e"

#: The generated ICD-10-CM terms file in ``models/icd10cm/`` (``icd10cm_terms`` of ``meta.json`` may name another).
DEFAULT_TERMS_FILE = "terms-2026.json.gz"
#: The extension attribute holding each target's :class:`TargetHit` (``Span._.chartaudit_target``).
TARGET_ATTRIBUTE = "chartaudit_target"
#: The entity label of every target.
TARGET_LABEL = "CONDITION"
#: The ``doc.spans`` key of the evidence matches (drugs, statuses, visit reasons, ...), which may
#: overlap the targets; each span has a :class:`TargetHit` like a target.
EVIDENCE_SPANS = "chartaudit_evidence"
#: The span label of every evidence match.
EVIDENCE_LABEL = "EVIDENCE"

#: At most this many words are passed over inside one match ("pain in the right shoulder": 2).
MAX_SKIPPED_WORDS = 3
#: The normalised word of a whitespace token inside a sentence (a run of spaces, one line
#: break): a phrase runs over it as over the one space it stands for ("chest  pain",
#: "chest\npain"), without counting it as a skipped word.
SPACE_WORD = " "
#: The normalised word of a whitespace token no phrase crosses: a blank line, or the
#: white space before a sentence start.
BREAK_WORD = "\n"


@dataclass(frozen=True)
class TermEntry:
    """What a matched phrase means.

    concept (str): The preferred term.
    codes (tuple[str, ...]): Candidate ICD-10-CM codes, best first (may be empty).
    source (str): "lexicon" | "icd" (the abbreviation source is set per match).
    sides (Mapping[str, str] | None): Side -> code for a laterality family
        ("right" -> "M25.511"), None when the concept has no sides.
    kind (str): What a match is evidence of (:data:`chartaudit.types.MENTION_KINDS`):
        "condition" for the lexicon and ICD-10-CM terms, the table's kind for the
        evidence terms (:mod:`chartaudit.extract.evidence`).
    """

    concept: str
    codes: tuple[str, ...]
    source: str
    sides: Mapping[str, str] | None = None
    kind: str = "condition"

    def codes_for_side(self, side: str | None) -> list[str]:
        """The codes once the side is known: "right" -> ["M25.511"].

        side (str | None): "right" | "left" | "bilateral" | None.
        RETURNS (list[str]): Side-specific codes when the family has them, else ``codes``.
        """
        if not side or not self.sides:
            return list(self.codes)
        if side in self.sides:
            return [self.sides[side]]
        if side == "bilateral" and "right" in self.sides and "left" in self.sides:
            return [self.sides["right"], self.sides["left"]]
        return list(self.codes)


@dataclass(frozen=True)
class AbbreviationRule:
    """A case-sensitive short form and the term it stands for.

    long_words (tuple[str, ...]): The long form's normalised words, read in the
        short form's place so that the words around it can complete a longer term
        ("chronic afib", "MDD, recurrent, moderate").
    """

    short_form: str
    entry: TermEntry
    not_followed_by: frozenset[str] = frozenset()
    long_words: tuple[str, ...] = ()


@dataclass
class TargetHit:
    """One matched target and everything later components learn about it.

    entry (TermEntry): What the phrase means.
    source (str): "lexicon" | "index" | "icd" | "abbreviation" | "fuzzy".
    side (str | None): "right" | "left" | "bilateral", set by the laterality component.
    site (str | None): The body site, set by the laterality component.
    flags (set[str]): Assertion flags set by ConText and the sections.
    """

    entry: TermEntry
    source: str
    side: str | None = None
    site: str | None = None
    flags: set[str] = field(default_factory=set)

    @property
    def codes(self) -> list[str]:
        """The candidate codes, side-specific when the side is known."""
        return self.entry.codes_for_side(self.side)


class TermTrie:
    """A token trie over normalised words; nodes are plain dicts (fast to walk).

    Large term sets can be added *pending*, grouped by first word, and are inserted
    in two steps as notes need them: the first time a note holds a group's first
    word, its one-word term is inserted and its phrases are sorted by their second
    word; the phrases of one second word are inserted the first time a match could
    walk into them (:meth:`longest`, :meth:`get`; :meth:`has_pending` tells whether
    some wait). Loading the ~50,000 ICD-10-CM phrases costs one JSON parse instead of
    ~0.5 s of inserts, and a long run inserts the phrases its notes reach, not all
    those that share a common first word ("other", "acute"): fewer dicts to build, and
    fewer for each full pass of the garbage collector to walk.
    """

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.size = 0
        # first word -> [(group, make_entry)], one per source added pending, in the order added
        self._pending: dict[str, list[tuple[str, Callable[[str, list[str]], TermEntry | None]]]] = {}
        # first word -> (the make_entry of each source, second word -> its phrases' lines
        # "rest of the phrase<TAB>codes" joined by line breaks, in the order added, each source's
        # lines after a line "<RS>number of the source"). Strings, not a list or tuple per line:
        # every container kept alive costs each full pass of the garbage collector.
        self._pending_second: dict[str, tuple[list[Callable[[str, list[str]], TermEntry | None]],
                                              dict[str, str]]] = {}

    def __len__(self) -> int:
        """The number of terms inserted plus the number of pending groups."""
        return self.size

    def add_pending(
        self, groups: Mapping[str, str], make_entry: Callable[[str, list[str]], TermEntry | None],
        first: bool = False,
    ) -> None:
        """Add term groups that are inserted on first use.

        groups (Mapping[str, str]): first word -> lines "rest of the phrase<TAB>code,code"
            (rest empty for a one-word phrase), or a callable returning them.
        make_entry (Callable): (phrase key, codes) -> TermEntry, or None to skip it.
            Terms already in the trie (the lexicon) win over pending ones, and
            groups added earlier (another source) win over later ones.
        first (bool): Put these groups ahead of those added before (they win).
        """
        root = self.root
        pending = self._pending
        for first_word, group in groups.items():
            if first_word not in root:
                root[first_word] = {}
            layers = pending.get(first_word)
            if layers is None:
                pending[first_word] = [(group, make_entry)]
                self.size += 1
            else:
                layers.insert(0 if first else len(layers), (group, make_entry))

    def is_pending(self, first_word: str) -> bool:
        """True when the terms starting with this word are not inserted yet."""
        return first_word in self._pending

    def materialize(self, first_word: str) -> None:
        """Insert the one-word term of this first word, and sort its longer phrases by
        their second word (:meth:`_materialize_second` inserts those of a second word
        before a walk could enter them)."""
        layers = self._pending.pop(first_word, None)
        if layers is None:
            return
        if first_word in self._pending_second:  # sources added after the word was first seen
            for second_word in list(self._pending_second[first_word][1]):
                self._materialize_second(first_word, second_word)
        node = self.root[first_word]
        buckets: dict[str, list[str]] = {}
        for number, (group, make_entry) in enumerate(layers):
            if not isinstance(group, str):
                group = group()  # a group decoded on first use (the Index terms' packed blocks)
            marker = f"{_SOURCE_MARK}{number}"
            touched: set[str] = set()  # the second words this source has lines for
            for line in group.split("\n"):
                if not line or line[0] == "\t":  # the one-word phrase
                    codes = line[1:]
                    entry = make_entry(first_word, codes.split(",") if codes else [])
                    if entry is not None:
                        node.setdefault(TERMINAL, entry)
                    continue
                second = line.partition("\t")[0].partition(" ")[0]
                if second not in touched:
                    touched.add(second)
                    lines = buckets.get(second)
                    if lines is None:
                        lines = buckets[second] = []
                    lines.append(marker)
                else:
                    lines = buckets[second]
                lines.append(line)
        if buckets:
            self._pending_second[first_word] = (
                [make_entry for _, make_entry in layers],
                {second: "\n".join(lines) for second, lines in buckets.items()},
            )

    def has_pending(self, first_word: str, second_word: str) -> bool:
        """True when phrases starting with these two words wait to be inserted (the node of
        ``first_word`` does not show them yet)."""
        pending = self._pending_second.get(first_word)
        return pending is not None and second_word in pending[1]

    def _materialize_second(self, first_word: str, second_word: str) -> None:
        """Insert the pending phrases that start with these two words."""
        pending = self._pending_second.get(first_word)
        text = pending[1].pop(second_word, None) if pending else None
        if text is None:
            return
        makers, buckets = pending
        if not buckets:
            del self._pending_second[first_word]
        first_node = self.root[first_word]
        make_entry = makers[0]
        for line in text.split("\n"):
            if line[0] == _SOURCE_MARK:
                make_entry = makers[int(line[1:])]  # the lines that follow are this source's
                continue
            rest, _, codes = line.partition("\t")
            entry = make_entry(f"{first_word} {rest}", codes.split(",") if codes else [])
            if entry is None:
                continue
            node = first_node
            for word in rest.split(" "):
                child = node.get(word)
                if child is None:
                    child = node[word] = {}
                node = child
            node.setdefault(TERMINAL, entry)

    def _reach_second(self, first_word: str, words: Sequence[str], position: int, end: int,
                      skip: frozenset[str]) -> None:
        """Insert the pending phrases a walk from ``first_word`` could enter: those whose second
        word is the word at ``position``, or one after white space or skipped words (as
        :meth:`longest` passes over them)."""
        seconds = self._pending_second[first_word][1]
        skipped = 0
        while position < end:
            word = words[position]
            if word in seconds:
                self._materialize_second(first_word, word)
                if first_word not in self._pending_second:
                    return
            if word == SPACE_WORD:
                position += 1
            elif word in skip and skipped < MAX_SKIPPED_WORDS:
                skipped += 1
                position += 1
            else:
                return

    def insert(self, words: Sequence[str], entry: TermEntry) -> None:
        """Add (or replace) the term of a normalised word sequence."""
        if not words:
            return
        node = self.root
        for word in words:
            child = node.get(word)
            if child is None:
                child = node[word] = {}
            node = child
        if TERMINAL not in node:
            self.size += 1
        node[TERMINAL] = entry

    def get(self, words: Sequence[str]) -> TermEntry | None:
        """The term of exactly this word sequence, or None."""
        if not words:
            return None
        if words[0] in self._pending:
            self.materialize(words[0])
        if len(words) > 1 and words[0] in self._pending_second:
            self._materialize_second(words[0], words[1])
        node = self.root
        for word in words:
            node = node.get(word)
            if node is None:
                return None
        return node.get(TERMINAL)

    def longest(
        self, words: Sequence[str], start: int, skip: frozenset[str], limit: int | None = None
    ) -> tuple[int, TermEntry | None]:
        """The longest term starting at ``start``.

        Words in ``skip`` (determiners, side words) are passed over inside a
        match when the trie has no literal path through them; a match never
        ends on a skipped word. :data:`SPACE_WORD` (white space inside a sentence)
        is always passed over and not counted as a skipped word.

        words (Sequence[str]): The note's normalised words.
        start (int): Index of the first word.
        skip (frozenset[str]): Words that may be passed over inside a match.
        limit (int | None): Index the match may not reach (exclusive end).
        RETURNS (tuple[int, TermEntry | None]): End index (exclusive) and term.
        """
        first_word = words[start]
        if first_word in self._pending:
            self.materialize(first_word)
        node = self.root.get(first_word)
        if node is None:
            return start, None
        end = len(words) if limit is None else min(limit, len(words))
        pending = self._pending_second.get(first_word)
        if pending is not None and start + 1 < end:
            following = words[start + 1]  # most often neither pending nor passed over: no call
            if following in pending[1] or following == SPACE_WORD or following in skip:
                self._reach_second(first_word, words, start + 1, end, skip)
        best_end, best_entry = start, None
        # Depth-first over (node, position, reached literally) states; the literal
        # path is tried first. A skipped word never ends a match.
        stack = [(node, start + 1, True, 0)]
        while stack:
            node, position, literal, skipped = stack.pop()
            if literal and position > best_end:
                entry = node.get(TERMINAL)
                if entry is not None:
                    best_end, best_entry = position, entry
            if position >= end:
                continue
            word = words[position]
            if word == SPACE_WORD:
                stack.append((node, position + 1, False, skipped))
                continue
            if word in skip and skipped < MAX_SKIPPED_WORDS:
                stack.append((node, position + 1, False, skipped + 1))
            child = node.get(word)
            if child is not None:
                stack.append((child, position + 1, True, skipped))
        return best_end, best_entry


def phrase_lemmas(tokenizer: Callable[[str], Any], words: WordRules, phrase: str) -> tuple[str, ...]:
    """The lemmas of a phrase's words, tokenised as notes are: the phrase's path in the trie.

    tokenizer (Callable[[str], Doc]): The pipeline's tokenizer.
    words (WordRules): The model's word normaliser.
    phrase (str): A phrase such as "Kidney stones".
    RETURNS (tuple[str, ...]): ("kidney", "stone").
    """
    lemma = words.lemma
    return tuple(lemma(token.text) for token in tokenizer(phrase) if not token.is_space)


@lru_cache(maxsize=4)
def load_icd_terms(path: str) -> dict[str, Any]:
    """Read the generated ICD-10-CM terms file (cached; the result is shared, never mutate it).

    path (str): Path of ``terms-2026.json.gz``.
    RETURNS (dict[str, Any]): ``terms``, ``families``, ``descriptions`` and ``meta``.
    """
    file_path = Path(path)
    if not file_path.exists():
        logger.warning("ICD-10-CM terms file %s is missing: only the lexicon is used", file_path)
        return {"terms": {}, "families": {}, "descriptions": "", "meta": {}}
    with gzip.open(file_path, "rb") as handle:
        return json.loads(handle.read())


def icd_trie(data: Mapping[str, Any], stop_phrases: Iterable[str]) -> TermTrie:
    """The trie of the generated ICD-10-CM terms (groups inserted on first use).

    data (Mapping[str, Any]): The parsed terms file (``terms``: first word ->
        {rest of phrase -> codes}).
    stop_phrases (Iterable[str]): Normalised phrases too generic to be evidence.
    RETURNS (TermTrie): The trie (source "icd").
    """
    trie = TermTrie()
    make_icd_entry = entry_maker(data, data.get("families", {}), stop_phrases, "icd")
    trie.add_pending(data.get("terms", {}), make_icd_entry)
    return trie


def entry_maker(data: Mapping[str, Any], families: Mapping[str, Any], stop_phrases: Iterable[str],
                source: str) -> Callable[[str, list[str]], TermEntry | None]:
    """The ``make_entry`` of a pending term source (:meth:`TermTrie.add_pending`).

    Phrases that name the same codes share one :class:`TermEntry`; a stop phrase or a
    phrase without codes gets none. The concept is the first code's description.

    data (Mapping[str, Any]): The parsed terms file whose ``descriptions`` name the codes.
    families (Mapping): Laterality families (base code -> side -> code) of a one-code entry.
    stop_phrases (Iterable[str]): Normalised phrases too generic to be evidence.
    source (str): The entries' source ("icd", "index").
    RETURNS (Callable[[str, list[str]], TermEntry | None]): phrase, codes -> entry.
    """
    stop = frozenset(stop_phrases)
    entries: dict[tuple[str, ...], TermEntry] = {}

    def make_entry(key: str, codes: list[str]) -> TermEntry | None:
        if key in stop or not codes:
            return None
        code_tuple = tuple(codes)
        entry = entries.get(code_tuple)
        if entry is None:
            first = code_tuple[0]
            entry = TermEntry(
                concept=descriptions_of(data).get(first, key),
                codes=code_tuple,
                source=source,
                sides=families.get(first) if len(code_tuple) == 1 else None,
            )
            entries[code_tuple] = entry
        return entry

    return make_entry


def descriptions_of(data: Mapping[str, Any]) -> Mapping[str, str]:
    """The code -> description table of a terms file (parsed once, on first use).

    data (Mapping[str, Any]): The parsed terms file.
    RETURNS (Mapping[str, str]): Descriptions of the codes the terms use.
    """
    return _parse_descriptions(data.get("descriptions", ""))


@lru_cache(maxsize=4)
def _parse_descriptions(blob: str) -> Mapping[str, str]:
    table: dict[str, str] = {}
    for line in blob.split("\n"):
        code, _, text = line.partition("\t")
        if code:
            table[code] = text
    return table


def make_entry(
    concept: str, code: str | None, source: str, families: Mapping[str, Mapping[str, str]]
) -> TermEntry:
    """A term entry for a curated or run-time phrase; codes may be absent.

    concept (str): The preferred term.
    code (str | None): One code (or several separated by ``|``), or None.
    source (str): "lexicon" or "icd".
    families (Mapping): Laterality families, to attach a side table.
    RETURNS (TermEntry): The entry.
    """
    codes = tuple(normalize_code(part) or part.strip().upper() for part in (code or "").split("|") if part.strip())
    sides = families.get(codes[0]) if len(codes) == 1 else None
    return TermEntry(concept=concept, codes=codes, source=source, sides=sides)


def curated_terms(
    model_dir: Path, phrase_words: Callable[[str], tuple[str, ...]], families: Mapping[str, Mapping[str, str]]
) -> tuple[dict[tuple[str, ...], TermEntry], dict[str, AbbreviationRule]]:
    """The lexicon's terms and the abbreviations of a model, as the target matcher and the lookup read them.

    model_dir (Path): The model directory (``lexicon.csv``, ``abbreviations.json``).
    phrase_words (Callable[[str], tuple[str, ...]]): A phrase's word lemmas, tokenised as notes are.
    families (Mapping): Laterality families of the tabular terms, to attach a side table.
    RETURNS (tuple): Phrase words -> entry (source "lexicon"; a phrase given twice keeps its
        last row), and short form -> rule. An abbreviation whose long form is not a lexicon
        phrase is skipped (with a warning); the plural of an all-capitals short form names the
        same condition ("h/o recurrent UTIs") unless it is a short form of its own.
    """
    lexicon: dict[tuple[str, ...], TermEntry] = {}
    for phrase, code, concept in Lexicon.from_dir(model_dir).rows:
        lexicon[phrase_words(phrase)] = make_entry(concept, code, "lexicon", families)
    rules: dict[str, AbbreviationRule] = {}
    for short_form, (long_form, not_followed_by) in Abbreviations.from_dir(model_dir).abbreviations.items():
        long_words = phrase_words(long_form)
        entry = lexicon.get(long_words)
        if entry is None:
            logger.warning("Abbreviation %r: long form %r is not a lexicon phrase, skipped", short_form, long_form)
            continue
        rules[short_form] = AbbreviationRule(short_form, entry, frozenset(not_followed_by), long_words)
    for rule in list(rules.values()):
        if rule.short_form.isalpha() and rule.short_form.isupper() and len(rule.short_form) > 1:
            rules.setdefault(rule.short_form + "s", rule)
    return lexicon, rules
