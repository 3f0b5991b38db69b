"""Generate target terms from the ICD-10-CM Alphabetic Index: ``models/icd10cm/index-2026.json.gz``.

Build-time only (``make models``); the runtime reads the artifact through
:mod:`chartaudit.extract.targets.index_terms`. The Index is read from the
flattened CSV of ``../shared/data/icd10cm_index_2025/index.csv`` (columns
``RowID, Letter, Level, Term, See, SeeAlso, NonEssModif, Code``, rows in
depth-first order, so a row's path is its ancestors by ``Level``).

Every path of the Index (main term, subterms) becomes phrases in the orders
clinicians write them (``components.targets.index`` in ``meta.json``):

* modifiers before the head, deepest first: "Pain, abdominal, lower" -> "lower
  abdominal pain"; the Index order itself ("pain, abdominal, lower", the matcher
  passes over commas); the first modifier, the head, then the others ("abdominal
  pain, lower"); a side subterm joins its parent ("lower, right quadrant" ->
  "right lower quadrant"), and configured short forms replace phrase parts
  ("right lower quadrant" -> "rlq");
* a noun modifier also after "of": "Abscess, brain" -> "abscess of brain";
* a subterm that starts with a connector ("with", "due to", "in", "without", ...)
  stays after its head: "Diabetes, type 2, with, chronic kidney disease" -> "type 2
  diabetes with chronic kidney disease";
* alternatives in one term ("Abdomen, abdominal"; "myocardium, myocardial") each
  give phrases, but an adjective alternative of the main term never ends a phrase
  ("acute abdominal" is no condition); nonessential modifiers are optional (the
  phrase without them always, a one-modifier variant for the last term);
* "see" is followed (the term gets the target's code, and the target's subterms
  when there are few: "Bedsore, sacral" from "Ulcer, pressure, sacral region");
  "see also" gives the code of a term that has none ("Flat, foot" -> "Deformity,
  limb, flat foot" M21.4-); "see category M01" gives that code;
* a code ending in "-" is kept as its category ("M21.4-" -> M21.4); the matcher
  completes it by the side the note states (the laterality families of the
  tabular terms: "right flat foot" -> M21.41);
* every code is validated against the 2026 tabular list (:class:`Icd10cm`): a code
  retired since the 2025 Index becomes its nearest valid ancestor of the same
  category, else it is dropped;
* subterms under "with", "due to" and "in" are also recorded as combination pairs
  (Guideline I.A.15): base term, its code, connector, partner term, combination code.

Main terms whose subtrees describe encounters, statuses and histories (``skip_main_terms``:
History, Admission, Examination, ...) are left out, since the checker reads history
and family history through ConText; a main term alone that is too generic to be
evidence (``stop_main_terms``: Disease, Pain, Syndrome, ...) gives no phrase of its
own, only through its subterms.

Output JSON (gzip)::

    {"meta": {...}, "words": {"pain": 412, ...}, "blocks": ["eNq...", ...],
     "descriptions": "R10.9\\tUnspecified abdominal pain\\n...",
     "combinations": "diabetes type 2\\tE11.9\\twith\\tchronic kidney disease\\tE11.22\\n..."}

The phrases are grouped by first word as in ``terms-2026.json.gz`` (lines "rest of the
phrase<TAB>code,code"), and the groups packed into zlib-compressed blocks
(:func:`pack_groups`): ``words`` gives each first word's block. At run time
:meth:`TermTrie.add_pending` inserts a group the first time a note holds its first
word, and only then is its block decoded, so loading costs ~20 ms, not ~0.3 s.

Usage::

    python -m chartaudit.extract.targets.index_build [--index PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import base64
import csv
import logging
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartaudit.extract.config import ModelConfig
from chartaudit.extract.targets.build import write_terms
from chartaudit.extract.targets.index_terms import GROUP_SEPARATOR, UNIT_SEPARATOR, unpack_block  # noqa: F401
from chartaudit.extract.targets.normalize import PhraseVariants, without_possessive
from chartaudit.knowledge.alphabetic_index import IndexNode, clean_spaces, parse_rows, read_index
from chartaudit.resources import default_model_dir, icd10cm_dir, shared_data_dir
from chartaudit.resources.words import WordRules

if TYPE_CHECKING:
    from chartaudit.knowledge import Icd10cm

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT_NAME = "index-2026.json.gz"
INDEX_FOLDER = "icd10cm_index_2025"
INDEX_FILE = "index.csv"
NEOPLASM_FILE = "neoplasms.csv"
#: Packed term groups: about this many characters per compressed block.
BLOCK_CHARS = 65536

#: Rank of a phrase (lower wins for the same phrase): the path in clinical order or
#: Index order, then other orders and forms, then a modifier variant, then a "see" alias.
RANK_PATH, RANK_ORDER, RANK_MODIFIER, RANK_ALIAS = 0, 1, 2, 3
MAX_CODES_PER_PHRASE = 3

_CODE = re.compile(r"^([A-Z][0-9][0-9A-Z])(?:\.([0-9A-Z]{0,4}))?(-?)$")
_CODE_REFERENCE = re.compile(r"\b(?:sub)?category\s+([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)-?", re.IGNORECASE)
_INSTRUCTION = re.compile(r"\s+-\s+(?:code|omit)\b.*$", re.IGNORECASE)
_CODE_AS = re.compile(r"\s+-\s+code\s+(?:as|to)\s+(.+)$", re.IGNORECASE)
_BRACKETS = re.compile(r"\[[^\]]*\]")
_PARENTHESES = re.compile(r"\([^()]*(?:\([^()]*\)[^()]*)*\)")
_QUALIFIERS = re.compile(r"\b(?:NEC|NOS)\b|\bso stated\b")
#: "by site", "by type", "by site and type", "by body site": an instruction, not a term.
_BY_WHAT = re.compile(r"^by\b")
#: A term that only says "the rest" ("specified NEC", "specified type NEC", "unspecified site").
_RESIDUAL_WORDS = frozenset({"specified", "unspecified", "other", "type", "site", "part", "form", "kind",
                             "organ", "or", "and", "nec", "nos", "multiple", "sites"})
#: Words that open a subterm linking its head to another condition or circumstance.
CONNECTORS = ("with", "without", "due to", "in", "complicating", "following", "during", "associated with",
              "affecting", "from", "of", "on", "after", "as", "by", "involving", "at", "to", "for",
              "resulting from", "causing", "caused by", "complicated by", "secondary to", "related to",
              "except", "not", "within", "into", "induced by", "because of", "when")
#: Connectors whose subterms are recorded as combination pairs (Guideline I.A.15).
COMBINATION_CONNECTORS = ("with", "due to", "in")
_SIDES = ("right", "left")
_ACRONYM = re.compile(r"^[A-Z0-9-]{2,8}$")
#: Endings of adjectives ("abdominal", "myocardial", "cystic"): such a word never ends a
#: phrase as the head, and a modifier so ending gets no "<head> of <modifier>" form.
_ADJECTIVE_ENDINGS = ("al", "ic", "ar", "ous", "ary", "ive", "oid", "ed", "ile", "ing", "ory", "ian", "tic")


@dataclass
class IndexSettings:
    """``components.targets.index`` of ``meta.json``.

    skip_main_terms (list[str]): Main terms left out with their subtrees (encounters,
        statuses, histories: the checker reads those through ConText).
    stop_main_terms (list[str]): Main terms too generic to be a phrase alone.
    short_forms (dict[str, list[str]]): Phrase part -> short forms written in notes
        ("right lower quadrant" -> "rlq").
    plurals (dict[str, str]): Irregular plurals of a phrase's last word ("foot" -> "feet").
    max_phrase_tokens (int): Longest phrase kept.
    max_alias_nodes (int): A "see" target's subterms are copied under the referring
        term only when there are at most this many.
    max_variants (int): Alternatives combined per path, at most.
    neoplasm_phrases (dict[str, list[str]]): Neoplasm Table behaviour ("malignant",
        "secondary", "in situ", "benign", "unspecified") -> head words joined to each site
        ("cancer" -> "lung cancer", "cancer of lung").
    stop_words (list[str]): One-word terms that are everyday or procedural words in notes
        ("anesthesia", "concern", "reflex"): no phrase alone.
    stop_phrases (list[str]): Longer Index phrases that are note boilerplate ("blood loss").
    min_single_word_length (int): A one-word phrase this short or shorter is dropped
        ("may", "gas", "age": English words first).
    """

    skip_main_terms: list[str] = field(default_factory=list)
    stop_main_terms: list[str] = field(default_factory=list)
    short_forms: dict[str, list[str]] = field(default_factory=dict)
    plurals: dict[str, str] = field(default_factory=dict)
    max_phrase_tokens: int = 8
    max_alias_nodes: int = 60
    max_variants: int = 6
    neoplasm_phrases: dict[str, list[str]] = field(default_factory=dict)
    stop_words: list[str] = field(default_factory=list)
    stop_phrases: list[str] = field(default_factory=list)
    min_single_word_length: int = 4
    max_rank_long: int = 3

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> "IndexSettings":
        return cls(
            skip_main_terms=[str(term) for term in settings.get("skip_main_terms", [])],
            stop_main_terms=[str(term) for term in settings.get("stop_main_terms", [])],
            short_forms={str(key).lower(): [str(value).lower() for value in values]
                         for key, values in settings.get("short_forms", {}).items()},
            plurals={str(key).lower(): str(value).lower() for key, value in settings.get("plurals", {}).items()},
            max_phrase_tokens=int(settings.get("max_phrase_tokens", 8)),
            max_alias_nodes=int(settings.get("max_alias_nodes", 60)),
            max_variants=int(settings.get("max_variants", 6)),
            neoplasm_phrases={str(key): [str(value).lower() for value in values]
                              for key, values in settings.get("neoplasm_phrases", {}).items()
                              if not str(key).startswith("_")},
            stop_words=[str(word) for word in settings.get("stop_words", [])],
            stop_phrases=[str(phrase) for phrase in settings.get("stop_phrases", [])],
            min_single_word_length=int(settings.get("min_single_word_length", 4)),
            max_rank_long=int(settings.get("max_rank_long", 3)),
        )


# ------------------------------------------------------------------ reading


# ------------------------------------------------------------------ terms


def _shared_prefix(first: str, second: str, length: int = 4) -> bool:
    return len(first) >= length and len(second) >= length and first[:length].lower() == second[:length].lower()


def term_text(term: str) -> tuple[str, str]:
    """A term without instructions, brackets and NEC / NOS; and the "code as" target, if any.

    Usage::

        term_text("Comminuted fracture - code as Fracture, closed")  # ("Comminuted fracture", "Fracture, closed")
    """
    target = ""
    match = _CODE_AS.search(term)
    if match:
        target = clean_spaces(match.group(1))
    text = _INSTRUCTION.sub("", term)
    text = _BRACKETS.sub(" ", text)
    text = _QUALIFIERS.sub(" ", text)
    return clean_spaces(text), target


def split_term(text: str) -> list[list[str]]:
    """A term's parts: a list of path pieces, each a list of alternatives.

    Commas separate alternatives when each part shares the first four letters of the
    first ("Abdomen, abdominal"; "Ulcer, ulcerated, ulcerative"), else they nest like
    subterms ("chest, congenital" is "congenital chest").

    Usage::

        split_term("Abdomen, abdominal")  # [["abdomen", "abdominal"]]
        split_term("chest, congenital")   # [["chest"], ["congenital"]]
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        return []
    if len(parts) > 1 and all(_shared_prefix(parts[0], part) for part in parts[1:]):
        return [[part.lower() for part in parts]]
    return [[part.lower()] for part in parts]


def essential_term(node: IndexNode) -> str:
    """A node's term with the essential words the flattening moved into its modifiers.

    "Plus" with modifiers "(and minus) hand (intrinsic)" is "Plus hand"; "May" with
    "(-Hegglin)" is "May-Hegglin" (a glued modifier: the bare word is another word).

    Usage::

        essential_term(IndexNode(0, 0, "Plus", "", "", "(and minus) hand (intrinsic)", ""))  # "Plus hand"
    """
    modifiers = node.modifiers
    if not modifiers:
        return node.term
    outside = clean_spaces(_PARENTHESES.sub(" ", modifiers))
    glued = re.match(r"^\(-([^()]+)\)", modifiers.strip())
    term = node.term
    if glued and "," not in term:
        term = f"{term}-{glued.group(1).strip()}"
    if outside and re.fullmatch(r"[A-Za-z' -]+", outside) and "," not in term:
        term = f"{term} {outside}"
    return term


def is_residual(text: str) -> bool:
    """True for a term that names only "the rest": "specified NEC", "unspecified site"."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return not words or all(word in _RESIDUAL_WORDS for word in words)


def connector_of(text: str) -> str | None:
    """The connector a subterm starts with ("with", "due to", ...), or None."""
    lower = text.lower()
    for connector in CONNECTORS:
        if lower == connector or lower.startswith(connector + " "):
            return connector
    return None


#: An organism's scientific name as the Index writes it in a subterm: a capitalised genus with a
#: Latin ending, then a lower-case species ("Clostridium difficile", "Helicobacter pylori").
_BINOMIAL = re.compile(r"(?<![\w-])([A-Z][a-z]{3,}(?:ium|us|ella|bacter|ia|a|as|ma|um|ix|oides)) "
                       r"((?!\w*itis\b)(?!virus\b)[a-z]{3,}(?:i|ae|us|um|a|ii|is|es|ens|ans|ile|ale|ata|oides))(?![\w-])")


def organism_binomials(mains: Iterable[IndexNode]) -> set[tuple[str, str]]:
    """The (genus, species) names, lower-cased, that subterms of the Index write: a note may
    write the genus as its initial ("C. difficile colitis", "H. pylori gastritis")."""
    found: set[tuple[str, str]] = set()
    for main in mains:
        for node in main.descendants():  # a main term's capital is no proper noun's
            found.update((genus.lower(), species) for genus, species in _BINOMIAL.findall(node.term))
    return found


def is_adjective(word: str) -> bool:
    """A crude test: does the (last) word look like an adjective?"""
    last = word.split()[-1] if word.split() else word
    return last.endswith(_ADJECTIVE_ENDINGS) and len(last) > 4


def nonessential_modifiers(text: str) -> list[str]:
    """The usable one-modifier variants of a NonEssModif field: short, no connector, no "(s)".

    Usage::

        nonessential_modifiers("(acute) (chronic)")  # ["acute", "chronic"]
    """
    found: list[str] = []
    for match in _PARENTHESES.finditer(text):
        inner = match.group(0)[1:-1].strip()
        if "(" in inner or "," in inner or not inner or inner.startswith("-") or inner.isupper():
            continue
        if len(inner) <= 2 or len(inner.split()) > 2 or connector_of(inner) or is_residual(inner):
            continue
        if not re.fullmatch(r"[A-Za-z' -]+", inner):
            continue
        found.append(inner.lower())
    return found


# ------------------------------------------------------------------ codes


class CodeChecker:
    """Validate Index codes against the 2026 tabular list.

    A code ending in "-" is kept as its category ("M21.4-" -> "M21.4"); a retired code
    becomes its nearest valid ancestor in the same category, else None.
    """

    def __init__(self, knowledge: "Icd10cm") -> None:
        self.knowledge = knowledge
        self.counts: dict[str, int] = defaultdict(int)
        self._cache: dict[str, str | None] = {}

    def __call__(self, raw: str) -> str | None:
        if raw in self._cache:
            return self._cache[raw]
        code = self._check(raw)
        self._cache[raw] = code
        return code

    def _check(self, raw: str) -> str | None:
        match = _CODE.match(raw.replace(" ", ""))
        if not match:
            self.counts["malformed"] += 1
            return None
        category, rest, dash = match.groups()
        code = f"{category}.{rest}" if rest else category
        knowledge = self.knowledge
        if knowledge.is_valid(code):
            self.counts["dash" if dash else "valid"] += 1
            return knowledge.normalize(code) or code
        nearest = knowledge.nearest_valid(code)
        if nearest and nearest[:3] == category and code.startswith(nearest.rstrip(".")):
            self.counts["retired, ancestor kept"] += 1
            return nearest
        self.counts["retired, dropped"] += 1
        return None


# ------------------------------------------------------------------ references


class References:
    """Resolve "see" / "see also" references to Index nodes."""

    def __init__(self, mains: list[IndexNode]) -> None:
        self.mains: dict[str, list[IndexNode]] = defaultdict(list)
        self.qualified: dict[str, list[IndexNode]] = defaultdict(list)
        for node in mains:
            text, _ = term_text(node.term)
            keys = {text.lower()}
            pieces = split_term(text)
            if len(pieces) == 1:
                keys.update(pieces[0])  # "Abdomen, abdominal": either word
            if "(s)" in node.modifiers:
                keys |= {key + "s" for key in keys}  # "Complication (s)" is also "Complications"
            for key in keys:
                self.mains[key].append(node)
            if len(pieces) > 1:
                self.qualified[pieces[0][0]].append(node)  # "Fracture, traumatic" under "Fracture"
        self.unresolved: dict[str, int] = defaultdict(int)

    @staticmethod
    def _child_keys(node: IndexNode) -> set[str]:
        text, _ = term_text(node.term)
        keys = {text.lower(), node.term.lower()}
        pieces = split_term(text)
        if len(pieces) == 1:
            keys.update(pieces[0])
        return keys

    def resolve(self, reference: str) -> IndexNode | None:
        """The node a reference names ("Ulcer, pressure, by site" -> Ulcer > pressure), or None.

        Instructions ("by site") are passed over; a part that names no subterm ends the
        walk at the last node found (counted as partial), or fails at the main term.
        A main term that only exists qualified ("Fracture, tibia" under "Fracture,
        traumatic") is looked for under each qualified main term.
        """
        reference = re.sub(r"\([^()]*\)", " ", reference)  # "Complication(s)", "artery (bypass) graft"
        parts = [clean_spaces(part) for part in reference.split(",") if part.strip()]
        if not parts:
            return None
        for count in range(len(parts), 0, -1):
            candidates = self.mains.get(", ".join(parts[:count]).lower())
            if candidates:
                return self._walk(candidates[0], parts, count)
        for main in self.qualified.get(parts[0].lower(), []):
            found = self._walk(main, parts, 1, quiet=True)
            if found is not None and found is not main:
                return found
        self.unresolved["main term"] += 1
        return None

    def _walk(self, node: IndexNode, parts: list[str], index: int, quiet: bool = False) -> IndexNode | None:
        matched = 0
        while index < len(parts):
            part = parts[index].lower()
            if _BY_WHAT.match(part):
                index += 1
                continue
            found, used = self._child(node, parts, index)
            if found is None:
                connector = connector_of(part)
                if connector and connector != part:
                    # "with cholecystitis": the Index has "with" and, below it, "cholecystitis".
                    link = next((child for child in node.children if term_text(child.term)[0].lower() == connector),
                                None)
                    if link is not None:
                        rest = [part[len(connector):].strip(), *parts[index + 1:]]
                        found, used = self._child(link, rest, 0)
                        if found is not None:
                            node, index, matched = found, index + used, matched + 1
                            continue
                if quiet and not matched:
                    return None
                if matched:
                    self.unresolved["subterm, partial kept"] += 1
                    return node
                self.unresolved["subterm"] += 1
                return None
            node = found
            index += used
            matched += 1
        return node

    def _child(self, node: IndexNode, parts: list[str], index: int) -> tuple[IndexNode | None, int]:
        """The child of ``node`` named by ``parts[index:]`` (several parts when its term has commas)."""
        for count in range(len(parts) - index, 0, -1):
            key = ", ".join(parts[index:index + count]).lower()
            for child in node.children:
                if key in self._child_keys(child):
                    return child, count
        part = parts[index].lower()
        for child in node.children:
            text = term_text(child.term)[0].lower()
            if text.startswith(part + " or "):
                return child, 1  # "acute" names "acute or subacute"
        return None, 0


class NeoplasmTable:
    """The Neoplasm Table: site -> code per behaviour, for "see Neoplasm, malignant, by site".

    ``neoplasms.csv``: ``RowID, Level, Term, SeeAlso, NonEssModif`` and six code columns
    (``MalignantPrimary, MalignantSecondary, CaInSitu, Benign, UncertainBehavior,
    UnspecifiedBehavior``); level 0 is the table's own row (site unspecified).
    """

    COLUMNS = {"malignant": "MalignantPrimary", "secondary": "MalignantSecondary", "in situ": "CaInSitu",
               "benign": "Benign", "uncertain": "UncertainBehavior", "unspecified": "UnspecifiedBehavior"}

    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        self.codes: dict[int, dict[str, str]] = {}

        def make_node(number: int, level: int, row: Mapping[str, str]) -> IndexNode:
            self.codes[number] = {behaviour: (row.get(column) or "").strip().upper()
                                  for behaviour, column in self.COLUMNS.items()}
            return IndexNode(row=number, level=level, term=clean_spaces(row.get("Term") or ""),
                             see=clean_spaces(row.get("SeeAlso") or ""), see_also="",
                             modifiers=(row.get("NonEssModif") or "").strip(), code="")

        roots = parse_rows(rows, make_node)
        self.top: IndexNode | None = roots[0] if roots else None

    @classmethod
    def read(cls, path: Path | str) -> "NeoplasmTable":
        with Path(path).open(encoding="utf-8", newline="") as handle:
            return cls(csv.DictReader(handle))

    @staticmethod
    def behaviour(parts: list[str]) -> str | None:
        """The behaviour a reference names ("malignant", "secondary", "in situ", ...), or None."""
        text = " ".join(parts).lower()
        for word in ("secondary", "in situ", "benign", "uncertain", "unspecified behavior"):
            if word in text:
                return word.split()[0] if word != "in situ" else word
        if "malignant" in text:
            return "malignant"
        return None

    def code(self, node: IndexNode, behaviour: str) -> str:
        """The raw code of a site for a behaviour ("" when the table gives none)."""
        code = self.codes.get(node.row, {}).get(behaviour, "")
        return "" if code in ("", "-") else code

    def resolve(self, reference: str) -> tuple[IndexNode, str] | None:
        """(site node, behaviour) of "Neoplasm, breast, malignant" / "Neoplasm, malignant, by site"."""
        if self.top is None:
            return None
        parts = [clean_spaces(part).lower() for part in re.sub(r"\([^()]*\)", " ", reference).split(",")]
        parts = [part for part in parts if part]
        if not parts or not parts[0].startswith(("neoplasm", "table of neoplasms")):
            return None
        behaviour = self.behaviour(parts[1:])
        if behaviour is None:
            return None
        behaviour_words = {"malignant", "secondary", "in situ", "benign", "uncertain behavior",
                           "unspecified behavior", "primary", "malignant primary"}
        sites = [part for part in parts[1:] if part not in behaviour_words and not _BY_WHAT.match(part)]
        node = self.top
        for part in sites:
            found = next((child for child in node.children if part in References._child_keys(child)), None)
            if found is None:
                return None
            node = found
        return node, behaviour


# ------------------------------------------------------------------ phrases


@dataclass
class Element:
    """One piece of a path: its alternatives and whether it opens with a connector."""

    alternatives: list[str]
    connector: str | None = None


class IndexPhrases:
    """Turn Index paths into phrases (see the module docstring)."""

    def __init__(self, settings: IndexSettings, synonyms: dict[str, list[str]] | None = None,
                 binomials: Iterable[tuple[str, str]] = ()) -> None:
        self.settings = settings
        # Organism names also written with the genus initial (:func:`organism_binomials`).
        names = sorted({f"{genus} {species}": f"{genus[0]} {species}" for genus, species in binomials}.items())
        self._initials = dict(names)
        self._binomial = (re.compile(r"(?<![\w-])(" + "|".join(re.escape(name) for name, _ in names) + r")(?![\w-])")
                          if names else None)
        self._generic_heads = {term.lower() for term in settings.stop_main_terms}
        # The tables' clinical synonyms (``components.targets.synonyms``): organ adjectives
        # ("liver abscess" -> "hepatic abscess"), cancer / carcinoma, bleeding, ...
        self._synonyms = PhraseVariants(synonyms=synonyms or {}, max_synonym_variants=4) if synonyms else None
        self._short_forms = [
            (re.compile(rf"(?<![\w-]){re.escape(long)}(?![\w-])"), shorts)
            for long, shorts in sorted(settings.short_forms.items(), key=lambda item: -len(item[0]))
        ]

    @staticmethod
    def elements(texts: list[str]) -> list[Element]:
        """Path elements of the terms of a path (main term first)."""
        elements: list[Element] = []
        for position, text in enumerate(texts):
            pieces = split_term(text)
            if position == 0 and len(pieces) > 1:
                # "Islet cell tumor, pancreas": the main term and its qualifier.
                elements.append(Element(pieces[0]))
                elements.extend(Element(piece) for piece in pieces[1:])
                continue
            for piece in pieces:
                connector = connector_of(piece[0]) if position > 0 else None
                elements.append(Element(piece, connector))
        # "lower", "right quadrant" -> "right lower quadrant"
        merged: list[Element] = []
        for element in elements:
            words = element.alternatives[0].split()
            if (merged and len(element.alternatives) == 1 and len(words) >= 2 and words[0] in _SIDES
                    and len(merged) > 1 and merged[-1].connector is None
                    and len(merged[-1].alternatives) == 1 and len(merged[-1].alternatives[0].split()) == 1):
                previous = merged.pop()
                merged.append(Element([" ".join([words[0], previous.alternatives[0], *words[1:]])]))
                continue
            merged.append(element)
        return merged

    def orders(self, elements: list[Element], clinical_only: bool = False) -> list[tuple[list[list[str]], int]]:
        """Word orders of a path, as lists of alternatives per slot, with their rank.

        The modifiers-first order combines every alternative; the other orders use each
        term's first alternative only (they are rarer in notes, and each alternative
        multiplies the phrases a common first word loads). ``clinical_only``: the
        modifiers-first and "of" orders only.
        """
        head = elements[0]
        cut = next((index for index, element in enumerate(elements) if element.connector), len(elements))
        modifiers, tail = elements[1:cut], elements[cut:]
        tail_slots = [element.alternatives for element in tail]
        # The main term's adjective alternatives never end a phrase ("acute abdominal").
        nouns = [word for word in head.alternatives if not is_adjective(word)] or head.alternatives
        ending_head = nouns if not tail else head.alternatives
        orders: list[tuple[list[list[str]], int]] = []
        reversed_modifiers = [element.alternatives for element in reversed(modifiers)]
        orders.append((reversed_modifiers + [ending_head] + tail_slots, RANK_PATH))
        first = [[element.alternatives[0]] for element in elements]
        first_tail = first[cut:]
        generic_head = head.alternatives[0] in self._generic_heads
        if modifiers and not clinical_only and not generic_head:
            # Index order: "pain, abdominal, lower" (not "disease, heart", "injury, kidney")
            orders.append((first[:cut] + first_tail, RANK_PATH))
        if len(modifiers) >= 2 and not clinical_only:
            # "abdominal pain, lower"
            orders.append(([first[1], ending_head[:1]] + first[2:cut][::-1] + first_tail, RANK_PATH))
        adjectives = [word for word in head.alternatives if is_adjective(word)]
        if len(modifiers) == 1 and adjectives and not clinical_only:
            # "Enlargement, enlarged, thyroid" -> "enlarged thyroid"; "Infection, infected, kidney"
            orders.append(([adjectives[:1], modifiers[0].alternatives[:1]] + first_tail, RANK_ORDER))
        if len(modifiers) == 1:
            nouns_only = [word for word in modifiers[0].alternatives if not is_adjective(word)]
            if nouns_only:
                # "abscess of brain"
                orders.append(([nouns[:2], ["of"], nouns_only[:1]] + first_tail, RANK_PATH))
        return orders

    def expand(self, texts: list[str], modifiers: list[str] | None = None,
               clinical_only: bool = False) -> list[tuple[str, int]]:
        """The phrases of a path (main term first) with their ranks.

        texts (list[str]): The terms of the path, as cleaned by :func:`term_text`.
        modifiers (list[str] | None): Nonessential modifiers of the last term.
        RETURNS (list[tuple[str, int]]): Distinct phrases, lower-cased.

        Usage::

            IndexPhrases(IndexSettings()).expand(["Pain", "abdominal", "lower"])
            # [("lower abdominal pain", 0), ("pain abdominal lower", 0), ...]
        """
        elements = self.elements(texts)
        if not elements:
            return []
        found: dict[str, int] = {}
        limit = self.settings.max_variants
        clinical: list[str] = []  # the modifiers-first order, where a nonessential modifier goes
        for number, (slots, rank) in enumerate(self.orders(elements, clinical_only)):
            for count, choice in enumerate(product(*slots)):
                if count >= limit:
                    break
                phrase = clean_spaces(" ".join(choice))
                found.setdefault(phrase, rank if count == 0 else max(rank, RANK_ORDER))
                if number == 0:
                    clinical.append(phrase)
        for modifier in modifiers or []:
            for phrase in clinical:
                found.setdefault(f"{modifier} {phrase}", RANK_MODIFIER)
        if self._synonyms is not None:
            for phrase in clinical[:2]:
                for variant in self._synonyms.substitute(phrase):
                    found.setdefault(variant, RANK_MODIFIER)
        for phrase, rank in list(found.items()):
            for variant in self.variants(phrase):
                found.setdefault(variant, rank)  # "rlq abdominal pain" ranks as its source
        return list(found.items())

    def variants(self, phrase: str) -> list[str]:
        """Short forms ("rlq abdominal pain"), an organism's genus as its initial ("c difficile
        colitis") and irregular plurals of the last word ("flat feet")."""
        variants: list[str] = []
        for pattern, shorts in self._short_forms:
            if pattern.search(phrase):
                variants.extend(pattern.sub(short, phrase) for short in shorts)
        if self._binomial is not None and self._binomial.search(phrase):
            variants.append(self._binomial.sub(lambda match: self._initials[match.group(1)], phrase))
        words = phrase.split()
        plural = self.settings.plurals.get(words[-1]) if words else None
        if plural:
            variants.append(" ".join([*words[:-1], plural]))
        return variants


# ------------------------------------------------------------------ the build


@dataclass
class _Candidate:
    code: str
    rank: int
    depth: int


class IndexBuilder:
    """Walk the Index and collect phrases, codes and combination pairs."""

    def __init__(self, mains: list[IndexNode], settings: IndexSettings, check_code: CodeChecker,
                 neoplasms: NeoplasmTable | None = None, synonyms: dict[str, list[str]] | None = None,
                 words: WordRules | None = None) -> None:
        self.mains = mains
        #: The model's word normaliser (the combination pairs are keyed by phrase keys).
        self.words = words or WordRules.from_dir(default_model_dir())
        self.neoplasms = neoplasms
        self.settings = settings
        self.check_code = check_code
        self.references = References(mains)
        self.phrases = IndexPhrases(settings, synonyms, organism_binomials(mains))
        self.raw: list[tuple[str, str, int, int]] = []  # phrase text, code, rank, depth
        self.general: dict[str, str] = {}  # residual code of a subterm -> its main term's code
        self.combinations: list[tuple[str, str, str, str, str]] = []
        self.counts: dict[str, int] = defaultdict(int)
        self._code_cache: dict[int, str | None] = {}
        skip = {term.lower() for term in settings.skip_main_terms}
        self._skip = skip
        self._stop_main = {term.lower() for term in settings.stop_main_terms}
        self.acronyms: set[str] = set()  # one-word terms written in capitals ("AIDS"), left to abbreviations

    def _reference_code(self, reference: str, depth: int) -> str | None:
        match = _CODE_REFERENCE.search(reference)
        if match:
            return self.check_code(match.group(1))
        if self.neoplasms is not None and reference.lower().lstrip().startswith(("neoplasm", "table of neoplasms")):
            found = self.neoplasms.resolve(reference)
            if found is not None:
                raw = self.neoplasms.code(*found)
                self.counts["neoplasm table references"] += 1
                return self.check_code(raw) if raw else None
        target = self.references.resolve(reference)
        if target is None:
            return None
        return self.code_of(target, depth + 1)

    def code_of(self, node: IndexNode, depth: int = 0) -> str | None:
        """A node's code: its own, else its "see" target's, else its "see also" target's.

        A main term's "see also ... by site" ("Septum, see also Anomaly, by site") sends
        the reader to the site's own entry: the target's residual code is not the word's."""
        if node.row in self._code_cache:
            return self._code_cache[node.row]
        code = None
        if node.code:
            code = self.check_code(node.code)
        elif depth < 4:
            _, code_as = term_text(node.term)
            see_also = node.see_also
            if node.level == 0 and re.search(r"\bby (?:site|type)\b", see_also):
                see_also = ""
            for reference in (node.see, code_as, see_also):
                if reference and reference.lower() != "condition":
                    code = self._reference_code(reference, depth)
                    if code:
                        break
        if depth == 0:
            self._code_cache[node.row] = code
        return code

    def neoplasm_sites(self) -> None:
        """Phrases of the Neoplasm Table's sites: "<site> cancer", "metastasis of <site>", ...

        ``neoplasm_phrases`` (behaviour -> head words) of the settings gives the heads.
        """
        table = self.neoplasms
        if table is None or table.top is None or not self.settings.neoplasm_phrases:
            return
        for site in table.top.descendants():
            texts = [text for text in (self._texts(node) for node in site.path()[1:]) if text]
            if len(texts) != len(site.path()) - 1:
                continue  # a residual site ("specified site NEC") or an instruction
            for behaviour, heads in self.settings.neoplasm_phrases.items():
                raw = table.code(site, behaviour)
                code = self.check_code(raw) if raw else None
                if not code:
                    continue
                for head in heads:
                    for phrase, _rank in self.phrases.expand([head, *texts], clinical_only=True):
                        self.raw.append((phrase, code, RANK_ORDER, len(texts) + 1))
                self.counts["neoplasm site phrases"] += 1

    def _main_skipped(self, main: IndexNode) -> bool:
        text, _ = term_text(main.term)
        pieces = split_term(text)
        names = {text.lower(), *(pieces[0] if pieces else [])}
        return bool(names & self._skip)

    def run(self) -> None:
        for main in self.mains:
            if self._main_skipped(main):
                self.counts["skipped main terms"] += 1
                continue
            self._walk(main, [], 0)

    def _texts(self, node: IndexNode) -> str | None:
        """The cleaned text of a node; None for an instruction or residual node (passed over)."""
        text, _ = term_text(essential_term(node))
        if not text or _BY_WHAT.match(text.lower()):
            return None
        if node.level > 0 and is_residual(text):
            return None
        return text

    def _walk(self, node: IndexNode, texts: list[str], alias_depth: int) -> None:
        text = self._texts(node)
        path = texts + [text] if text is not None else texts
        residual = text is None
        code = self.code_of(node)
        if code and path and not residual and not self._restates_parent_modifier(node, text):
            self._add(path, node, code, alias_depth)
        if residual and code and path:
            pass  # "specified NEC": its parent's phrase keeps the parent's code
        if text is not None and path and code:
            self._combination(node, path, code)
        for child in node.children:
            self._walk(child, path, alias_depth)
        if not node.children and node.see and alias_depth == 0 and not node.see.lower().startswith("neoplasm"):
            target = self.references.resolve(node.see)
            if target is not None and target.children and text is not None:
                size = sum(1 for _ in target.descendants())
                if size <= self.settings.max_alias_nodes:
                    self.counts["see aliases"] += 1
                    for child in target.children:
                        self._walk(child, path, alias_depth + 1)

    @staticmethod
    def _restates_parent_modifier(node: IndexNode, text: str | None) -> bool:
        """True for an "X NEC" subterm whose X is a nonessential modifier of its parent: "Pharyngitis
        (viral) J02.9" with the subterm "viral NEC J02.8" (a named virus not elsewhere classified).
        The plain words are the parent's ("viral pharyngitis" is J02.9), so the subterm adds no phrase."""
        if node.parent is None or text is None or not re.search(r"\bNEC\b", node.term):
            return False
        return text.lower() in nonessential_modifiers(node.parent.modifiers)

    def _add(self, path: list[str], node: IndexNode, code: str, alias_depth: int) -> None:
        if len(path) == 1 and path[0].lower() in self._stop_main:
            self.counts["stop main terms"] += 1
            return
        if len(path) == 1 and _ACRONYM.match(path[0]):
            self.acronyms.add(path[0])
        if len(path) > 1:
            main_code = self.code_of(node.path()[0])
            knowledge = self.check_code.knowledge
            if (main_code and main_code != code and main_code[:3] == code[:3]
                    and knowledge.description(code).lower().startswith("other ")):
                # "Hemorrhoids, internal (without mention of degree)" K64.8 "Other hemorrhoids": a
                # residual code; the phrase still names the main term's condition (K64.9).
                self.general.setdefault(code, main_code)
        modifiers = nonessential_modifiers(node.modifiers)
        for phrase, rank in self.phrases.expand(path, modifiers):
            self.raw.append((phrase, code, RANK_ALIAS if alias_depth else rank, len(path)))

    def _combination(self, node: IndexNode, path: list[str], code: str) -> None:
        """Record (base, base code, connector, partner, code) when the node sits under a
        "with", "due to" or "in" subterm: "Diabetes, type 2, with, chronic kidney disease"."""
        nodes = node.path()
        for index, ancestor in enumerate(nodes):
            if index == 0:
                continue
            text, _ = term_text(ancestor.term)
            connector = connector_of(text)
            if connector is None:
                continue
            if connector not in COMBINATION_CONNECTORS:
                return
            base_texts = [t for t in (self._texts(item) for item in nodes[:index]) if t]
            partner_texts = [t for t in (self._texts(item) for item in nodes[index:]) if t]
            partner = clean_spaces(" ".join(partner_texts)[len(connector):])
            if not partner or not base_texts:
                return
            phrase_key = self.words.phrase_key
            base = " ".join(phrase_key(piece[0].split()) for t in base_texts for piece in split_term(t))
            partner = phrase_key(re.sub(",", " ", partner).split())
            self.combinations.append((base, self.code_of(nodes[index - 1]) or "", connector, partner, code))
            return


def _resolve(knowledge: "Icd10cm", codes: list[str]) -> list[str]:
    """Several codes for one phrase: one chain's deepest code, else a common category, else a few."""
    unique = list(dict.fromkeys(codes))
    if len(unique) == 1:
        return unique
    ordered = sorted(unique, key=len)
    if all(knowledge.is_ancestor(ordered[index], ordered[index + 1]) for index in range(len(ordered) - 1)):
        return [ordered[0]]  # the Index gave the phrase at several depths: keep the general code
    categories = {code[:3] for code in unique}
    if len(categories) == 1:
        common = ordered[0]
        while common and not all(code.startswith(common) for code in unique):
            common = knowledge.parent(common) or ""
        if common:
            return [common]
    return unique[:MAX_CODES_PER_PHRASE]


def known_phrases(model_dir: Path) -> set[str]:
    """Phrase keys the tabular terms (``terms-2026.json.gz``) and the lexicon already give.

    Both win over the Index for the same phrase at run time, so the Index leaves them
    out: each phrase it keeps costs an insert when a note holds its first word.
    """
    from chartaudit.extract.lexicon import Lexicon
    from chartaudit.extract.terms import DEFAULT_TERMS_FILE, load_icd_terms

    meta = ModelConfig.from_dir(model_dir).data
    phrase_key = WordRules.from_dir(model_dir).phrase_key
    data = load_icd_terms(str(icd10cm_dir() / str(meta.get("icd10cm_terms", DEFAULT_TERMS_FILE))))
    known = set()
    for first_word, group in data.get("terms", {}).items():
        for line in group.split("\n"):
            rest = line.partition("\t")[0]
            known.add(f"{first_word} {rest}" if rest else first_word)
    known.update(phrase_key(phrase.split()) for phrase, _, _ in Lexicon.from_dir(model_dir).rows)
    return known


def build_index_terms(index_path: Path | str, model_dir: Path | None = None,
                      knowledge: "Icd10cm | None" = None, known: set[str] | None = None) -> dict[str, Any]:
    """Generate the Index term table.

    index_path (Path | str): The flattened Index CSV.
    model_dir (Path | None): The model whose tokenizer and target settings are used.
    knowledge (Icd10cm | None): The 2026 tables (loaded when None).
    known (set[str] | None): Phrase keys left out because another source wins for them
        (default: :func:`known_phrases`, the tabular terms and the lexicon).
    RETURNS (dict[str, Any]): The JSON-ready table.
    """
    import spacy

    from chartaudit.extract.tokenizer import add_special_cases, load_special_cases
    from chartaudit.knowledge import Icd10cm

    started = time.perf_counter()
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    target_settings = ModelConfig.from_dir(model_dir).component_config("targets")
    words = WordRules.from_dir(model_dir)
    phrase_key = words.phrase_key
    settings = IndexSettings.from_dict(target_settings.get("index", {}))
    knowledge = knowledge or Icd10cm.load()
    mains = read_index(index_path)
    neoplasm_path = Path(index_path).with_name(NEOPLASM_FILE)
    neoplasms = NeoplasmTable.read(neoplasm_path) if neoplasm_path.is_file() else None
    checker = CodeChecker(knowledge)
    synonyms = {str(key): [str(value) for value in values]
                for key, values in target_settings.get("synonyms", {}).items()}
    builder = IndexBuilder(mains, settings, checker, neoplasms, synonyms, words)
    builder.run()
    builder.neoplasm_sites()

    nlp = spacy.blank("en")
    add_special_cases(nlp, load_special_cases(model_dir))
    stop_phrases = {phrase_key(phrase.split()) for phrase in target_settings.get("stop_phrases", [])}
    stop_phrases |= {phrase_key(term.lower().split()) for term in settings.stop_main_terms}
    stop_phrases |= {phrase_key(phrase.lower().split()) for phrase in settings.stop_phrases}
    edge_words = set(target_settings.get("edge_words", []))
    builder.raw += [(plain, code, max(rank, RANK_MODIFIER), depth) for text, code, rank, depth in builder.raw
                    if (plain := without_possessive(text)) is not None]
    texts = list(dict.fromkeys(text for text, *_ in builder.raw))
    acronyms = {phrase_key([text]) for text in builder.acronyms}
    keys: dict[str, str] = {}
    for text, doc in zip(texts, nlp.tokenizer.pipe(texts, batch_size=2000)):
        keys[text] = phrase_key(token.text for token in doc if not token.is_space)

    if known is None:
        known = known_phrases(model_dir)
    best: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for text, code, rank, depth in builder.raw:
        key = keys[text]
        tokens = key.split()
        if not tokens or len(tokens) > settings.max_phrase_tokens or key in stop_phrases or key in known:
            continue
        if tokens[0] in edge_words or tokens[-1] in edge_words or "," in tokens:
            continue
        if not any(character.isalpha() for character in key) or len(key) <= 2:
            continue
        current = best[key].get(code)
        if current is None or (rank, depth) < current:
            best[key][code] = (rank, depth)

    single_stop = {phrase_key(word.split()) for word in settings.stop_words}
    for key in [key for key in best if " " not in key]:
        if key in single_stop or len(key) <= settings.min_single_word_length or key in acronyms:
            del best[key]  # "may", "gas", "anesthesia", "aid" (AIDS): a word of notes, not a condition
    for key in [key for key, ranked in best.items()
                if key.count(" ") >= 2 and min(ranked.values())[0] > settings.max_rank_long]:
        del best[key]  # a rarer word order or variant of three words or more
    terms: dict[str, list[str]] = {}
    for key, ranked in best.items():
        top = min(ranked.values())
        codes = _resolve(knowledge, [code for code, value in ranked.items() if value == top])
        if len(codes) == 1 and codes[0] in builder.general:
            codes.append(builder.general[codes[0]])
        terms[key] = codes
    grouped: dict[str, list[str]] = defaultdict(list)
    for key in sorted(terms):
        first_word, _, rest = key.partition(" ")
        grouped[first_word].append(f"{rest}\t{','.join(terms[key])}")
    ranks = defaultdict(int)
    for key in terms:
        ranks[(min(best[key].values())[0], min(len(key.split()), 4))] += 1
    logger.info("phrases by (rank, words): %s", dict(sorted(ranks.items())))
    used = sorted({code for codes in terms.values() for code in codes})
    combinations = sorted(set(builder.combinations))
    elapsed = time.perf_counter() - started
    logger.info("%d main terms, %d phrases, %d codes, %d combination pairs in %.1f s",
                len(mains), len(terms), len(used), len(combinations), elapsed)
    logger.info("codes: %s", dict(checker.counts))
    logger.info("references: unresolved %s; %s", dict(builder.references.unresolved), dict(builder.counts))
    return {
        "meta": {
            "source": "ICD-10-CM Alphabetic Index FY2025 (CDC/NCHS, public domain), codes checked "
                      f"against {knowledge.source or 'the 2026 tabular list'}",
            "phrase_count": len(terms),
            "code_count": len(used),
            "combination_count": len(combinations),
        },
        "descriptions": "\n".join(f"{code}\t{knowledge.description(code)}" for code in used),
        **pack_groups({first_word: "\n".join(lines) for first_word, lines in grouped.items()}),
        "combinations": "\n".join("\t".join(item) for item in combinations),
    }


def pack_groups(groups: dict[str, str], block_chars: int = BLOCK_CHARS) -> dict[str, Any]:
    """Pack term groups into compressed blocks, decoded at run time only when needed.

    Groups (sorted by first word) are joined into blocks of about ``block_chars``
    characters, "first word<US>group" separated by <GS>; each block is zlib-compressed
    and base64-encoded. Loading the artifact then parses ~13,000 words and a few hundred
    strings instead of 16 MB of phrases (~0.3 s).

    groups (dict[str, str]): first word -> "rest<TAB>codes" lines.
    RETURNS (dict[str, Any]): ``words`` (first word -> block number) and ``blocks``.

    Usage::

        packed = pack_groups({"pain": "abdominal\tR10.9"})
        unpack_block(packed["blocks"][0])  # {"pain": "abdominal\tR10.9"}
    """
    words: dict[str, int] = {}
    blocks: list[str] = []
    pieces: list[str] = []
    size = 0
    for first_word in sorted(groups):
        pieces.append(f"{first_word}{UNIT_SEPARATOR}{groups[first_word]}")
        words[first_word] = len(blocks)
        size += len(pieces[-1])
        if size >= block_chars:
            blocks.append(_compress(GROUP_SEPARATOR.join(pieces)))
            pieces, size = [], 0
    if pieces:
        blocks.append(_compress(GROUP_SEPARATOR.join(pieces)))
    return {"words": words, "blocks": blocks}


def _compress(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def default_index_path() -> Path | None:
    """``../shared/data/icd10cm_index_2025/index.csv`` when present."""
    shared = shared_data_dir()
    if shared is None:
        return None
    path = shared / INDEX_FOLDER / INDEX_FILE
    return path if path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    """Command line: build the Index terms file (skipped when the Index is absent)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=None, help="the flattened Index CSV")
    parser.add_argument("--out", type=Path, default=icd10cm_dir() / DEFAULT_OUTPUT_NAME)
    parser.add_argument("--model-dir", type=Path, default=None)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    index_path = arguments.index or default_index_path()
    if index_path is None:
        logger.warning("No Alphabetic Index (../shared/data/%s/%s): %s kept as it is",
                       INDEX_FOLDER, INDEX_FILE, arguments.out)
        return 0
    table = build_index_terms(index_path, arguments.model_dir)
    size = write_terms(table, arguments.out)
    logger.info("wrote %s: %d phrases, %.2f MB", arguments.out, table["meta"]["phrase_count"], size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
