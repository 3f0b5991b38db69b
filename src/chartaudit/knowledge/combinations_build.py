"""Precompute the combination-code table: ``models/icd10cm/combinations-2026.json.gz``.

Build time only (``make models``); the run time reads the file through
:class:`chartaudit.knowledge.combinations.CombinationTable`. Two sources:

* **The Alphabetic Index "with" and "in" subterms** (Guideline I.A.15: the
  classification presumes a causal link between conditions the Index joins with
  "with" or "in"; "due to" is left out, since it needs the provider's statement).
  A code under such a subterm is a combination code; the coded terms above the
  subterm give its *bases* ("Diabetes, type 2" E11.9; "Hypertension" I10 above
  "Hypertension, kidney" I12.9), the terms after the connector its *partners*
  ("chronic kidney disease"). A base is kept only when its title names nothing the
  combination's title does not ("Diabetes" E11.9 is no base of E10.22, a type 1
  code); the Index's nonessential modifiers of the base term do not count
  ("(essential)" of Hypertension).
* **The tabular list's notes** (simple-icd-10-cm): the "use additional code" and
  "code also" notes of a combination code name its partners' codes (E11.22: "code
  to identify stage of chronic kidney disease (N18.1-N18.6)"); a "code first" note
  of a partner's code that names the combination adds the partner's category (N18:
  "code first ... diabetic chronic kidney disease (E11.22)").

A partner's codes come from those notes, else from the Index entry of the partner's
words ("heart failure" -> "Failure, heart" I50.9 -> I50). A partner the build cannot
code keeps its words; the run time matches them against the billed codes' titles
and the model's ``partner_terms`` (``specificity.json``).

Output JSON (gzip)::

    {"meta": {...}, "combinations": [[code, [bases], [[partner words, [patterns]], ...]], ...]}

Usage::

    python -m chartaudit.knowledge.combinations_build [--index PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartaudit.knowledge.build import write_tables
from chartaudit.knowledge.alphabetic_index import IndexNode, read_index
from chartaudit.knowledge.codes import matches_pattern, normalize_code
from chartaudit.knowledge.combinations import DEFAULT_FILE_NAME, FORMAT_VERSION
from chartaudit.resources import icd10cm_dir, shared_data_dir

if TYPE_CHECKING:
    from chartaudit.knowledge.icd10cm import Icd10cm

logger = logging.getLogger(__name__)

INDEX_FOLDER = "icd10cm_index_2025"
INDEX_FILE = "index.csv"

#: Index connectors whose subterms the classification presumes linked (Guideline I.A.15).
CONNECTORS = ("with", "in")
#: Connectors that end a combination path: a "without" or "due to" subterm is no presumed link.
_OTHER_CONNECTORS = ("without", "due to", "complicating", "following", "during", "not", "except")
_PARENTHESES = re.compile(r"\([^()]*\)")
_QUALIFIERS = re.compile(r"\b(?:NEC|NOS)\b|\bso stated\b|\s-\s.*$")
_WORD = re.compile(r"[a-z0-9]+")
#: Title words that say nothing about which condition a code names.
_TITLE_STOPWORDS = frozenset({
    "of", "and", "or", "the", "with", "in", "on", "by", "for", "to", "as", "at", "a", "an", "other", "specified",
    "unspecified", "nec", "nos", "not", "elsewhere", "classified", "disease", "disorder", "condition",
    "site", "part", "type", "mellitus", "through", "stage", "without", "complications", "complication",
    "uncomplicated", "due", "code", "identify", "use", "additional", "any", "associated", "if", "applicable",
    "diseases", "disorders", "conditions",
})
#: Organ adjectives of titles and notes, read as their nouns when titles are compared.
_SAME_WORDS = {"renal": "kidney", "cardiac": "heart", "pulmonary": "lung", "hepatic": "liver"}
_STEM = 6


def title_words(text: str, ignore: Iterable[str] = ()) -> frozenset[str]:
    """The words of a title that name its condition: no parentheses, no "without ..." clause,
    no stop words, each cut to its first six letters.

    Usage::

        title_words("Essential (primary) hypertension")  # {"essent", "hypert"}
    """
    text = _PARENTHESES.sub(" ", text.lower())
    text = re.sub(r"\bwithout\b[^,]*", " ", text)
    skip = {word[:_STEM] for word in ignore}
    return frozenset(_SAME_WORDS.get(word, word)[:_STEM] for word in _WORD.findall(text)
                     if word not in _TITLE_STOPWORDS and word[:_STEM] not in skip)


def clean_term(term: str) -> str:
    """A term without parentheses, NEC / NOS and instructions, lower-cased."""
    return " ".join(_QUALIFIERS.sub(" ", _PARENTHESES.sub(" ", term)).lower().split())


def connector_of(term: str) -> str | None:
    """The connector a term starts with ("with", "in", "without", "due to", ...), if any."""
    text = clean_term(term)
    for connector in (*CONNECTORS, *_OTHER_CONNECTORS):
        if text == connector or text.startswith(connector + " "):
            return connector
    return None


class IndexCodes:
    """The codes of Index terms: a node's own code or its "see" target's, and the code of a phrase.

    A phrase is looked up in clinical word order: "Disease, kidney, chronic" is
    "chronic kidney disease", "Failure, heart" is "heart failure".
    """

    def __init__(self, mains: list[IndexNode], knowledge: "Icd10cm") -> None:
        self.knowledge = knowledge
        self._by_path: dict[tuple[str, ...], IndexNode] = {}
        self._phrases: dict[str, tuple[int, str]] = {}
        for main in mains:
            for node in main.walk():
                names = [self._alternatives(item.term) for item in node.path()]
                if any(not name for name in names):
                    continue
                self._by_path.setdefault(tuple(name[0] for name in names), node)
        for main in mains:
            for node in main.walk():
                path = node.path()
                if len(path) > 3 or any(connector_of(item.term) for item in path[1:]):
                    continue
                code = self.code(node)
                if code is None:
                    continue
                main_names = self._alternatives(path[0].term)
                modifiers = [clean_term(item.term) for item in path[1:]]
                # "acute or subacute": each alternative is a modifier of its own.
                choices = [[text, *text.split(" or ")] if " or " in text else [text] for text in modifiers]
                for name in main_names:
                    for chosen in product(*choices):
                        phrase = " ".join([*reversed(chosen), name])
                        current = self._phrases.get(phrase)
                        if current is None or len(path) < current[0]:
                            self._phrases[phrase] = (len(path), code)

    @staticmethod
    def _alternatives(term: str) -> list[str]:
        """"Diabetes, diabetic" -> ["diabetes", "diabetic"]; "chest, congenital" -> ["chest, congenital"]."""
        text = clean_term(term)
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if len(parts) > 1 and all(part[:4] == parts[0][:4] for part in parts[1:]):
            return parts
        return [text] if text else []

    def valid(self, raw: str) -> str | None:
        """A 2026 code for an Index code ("M21.4-" -> M21.4), or None."""
        code = normalize_code(raw.rstrip("-").rstrip("."))
        return code if code is not None and self.knowledge.is_valid(code) else None

    def code(self, node: IndexNode, depth: int = 0) -> str | None:
        """A node's code, else its "see" target's code."""
        if node.code:
            return self.valid(node.code)
        if node.see and depth < 3:
            target = self._by_path.get(tuple(clean_term(part) for part in node.see.split(",")))
            if target is not None:
                return self.code(target, depth + 1)
        return None

    def phrase_code(self, phrase: str) -> str | None:
        """The code of an Index term written in clinical order ("chronic kidney disease" -> N18.9)."""
        found = self._phrases.get(" ".join(phrase.lower().split()))
        return found[1] if found else None


def partner_pattern(knowledge: "Icd10cm", code: str) -> str:
    """The codes a partner's Index code stands for: an unspecified code stands for its parent's
    family when the parent names the same condition (I50.9 "Heart failure, unspecified" -> I50;
    but M79.2 "Neuralgia and neuritis, unspecified" stays itself, its parent M79 being "Other
    soft tissue disorders", nor N28.9 for N28 "Other disorders of kidney and ureter"), any other
    code for itself and below."""
    if knowledge.is_unspecified(code):
        parent = knowledge.parent(code)
        parent_title = knowledge.description(parent) if parent else ""
        if parent is not None and not parent_title.lower().startswith("other") \
                and title_words(parent_title) <= title_words(knowledge.description(code)):
            return parent
    return code


@dataclass
class Combination:
    """One combination code, its bases and its partners (words and code patterns)."""

    code: str
    bases: list[str]
    partners: list[tuple[str, list[str]]]

    def key(self) -> tuple[Any, ...]:
        return self.code, tuple(self.bases), tuple((words, tuple(codes)) for words, codes in self.partners)

    def to_json(self) -> list[Any]:
        return [self.code, self.bases, [[words, codes] for words, codes in self.partners]]


class CombinationBuilder:
    """Collect the combination codes of the Index and the tabular notes (see the module docstring)."""

    def __init__(self, mains: list[IndexNode], knowledge: "Icd10cm", notes: "TabularNotes") -> None:
        self.mains = mains
        self.knowledge = knowledge
        self.notes = notes
        self.codes = IndexCodes(mains, knowledge)
        self.counts: dict[str, int] = {}

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def run(self) -> list[Combination]:
        found: dict[tuple[Any, ...], Combination] = {}
        for main in self.mains:
            for node in main.walk():
                combination = self.combination(node)
                if combination is not None:
                    found.setdefault(combination.key(), combination)
        return sorted(found.values(), key=lambda item: item.key())

    def combination(self, node: IndexNode) -> Combination | None:
        """The combination a coded node under a "with" or "in" subterm names, or None."""
        code = self.codes.valid(node.code) if node.code else None
        if code is None:
            return None
        path = node.path()
        first = next((index for index, item in enumerate(path) if index and connector_of(item.term)), None)
        if first is None:
            return None
        if any(self.codes.valid(below.code) == code and connector_of(below.term) in CONNECTORS
               for below in node.walk() if below is not node):
            return None  # "cardiorenal, with heart failure (I13.0), with stage 1-4 CKD (I13.0)": the deeper entry
        partners: list[list[str]] = []
        for item in path[first:]:
            connector = connector_of(item.term)
            if connector is not None and connector not in CONNECTORS:
                self._count("other connector")
                return None
            text = clean_term(item.term)
            if connector is not None:
                text = text[len(connector):].strip()
                partners.append([])
            if text:
                partners[-1].append(text)
        partner_words = [" ".join(words) for words in partners if words]
        if not partner_words or any(not title_words(words) for words in partner_words):
            return None  # "in diseases classified elsewhere": a manifestation code, no partner to bill
        if "classified elsewhere" in self.knowledge.description(code).lower():
            self._count("manifestation code")
            return None
        bases = self._bases(path[:first], code, partner_words)
        if not bases:
            self._count("no base")
            return None
        named_first = self.notes.first_of(code)
        if any(matches_pattern(base, pattern) for base in bases for pattern in named_first):
            self._count("additional code")  # R65.20 "code first underlying infection": added, not combined
            return None
        resolved = [(words, self._partner_codes(code, words)) for words in partner_words]
        self._count("combinations")
        return Combination(code, bases, resolved)

    def _bases(self, above: list[IndexNode], code: str, partners: list[str]) -> list[str]:
        """The codes the combination replaces: the nearest coded term above the connector, and the
        main term's code when the terms between add nothing but the partners ("Hypertension" I10
        above "cardiorenal, with heart failure, with ... chronic kidney disease" I13.0; but not
        "Cirrhosis" K74.60 above "alcoholic, with ascites" K70.31).

        The term right above the connector must have a code ("Disorder, anxiety, mixed, with
        depression" joins depression to a *mixed* anxiety disorder, not to anxiety F41.9); a
        base names nothing the combination does not (no "Diabetes" E11.9 under E10.22), and a
        symptom is no base ("Cough" above "whooping, with pneumonia")."""
        if not above or self.codes.code(above[-1]) is None:
            return []
        describe = self.knowledge.description
        combination_words = title_words(describe(code))
        coded = [(item, base) for item in reversed(above) if (base := self.codes.code(item)) and base != code]
        if not coded:
            return []
        bases: list[str] = []
        nearest_item, nearest = coded[0]
        if self._compatible(nearest_item, nearest, combination_words):
            bases.append(nearest)
        main = above[0]
        main_code = self.codes.code(main)
        if main_code and main_code not in (code, nearest) and main is not nearest_item and \
                self._compatible(main, main_code, combination_words):
            between = title_words(describe(nearest))
            if between <= title_words(describe(main_code)) | title_words(" ".join(partners)):
                bases.append(main_code)
        return bases

    def _compatible(self, item: IndexNode, base: str, combination_words: frozenset[str]) -> bool:
        """True when the base's title names nothing the combination's does not; a symptom never."""
        if base.startswith("R"):
            return False
        ignore = [word for group in _PARENTHESES.findall(item.modifiers) for word in _WORD.findall(group.lower())]
        if title_words(self.knowledge.description(base), ignore) <= combination_words:
            return True
        self._count("incompatible base")
        return False

    def _partner_codes(self, code: str, words: str) -> list[str]:
        """The code patterns of one partner: from the combination code's own notes, else from the
        "code first" notes naming it, else from the Index entry of the partner's words."""
        partner = title_words(words)
        for lines, source in ((self.notes.own(code), "partners coded by own notes"),
                              (self.notes.coded_first(code), "partners coded by code-first notes")):
            patterns: list[str] = []
            for note_words, note_patterns in lines:
                if partner & note_words:
                    patterns.extend(pattern for pattern in note_patterns if pattern not in patterns)
            if patterns:
                self._count(source)
                return patterns
        pieces = [piece.strip() for piece in words.split(",") if piece.strip()]
        found = self.codes.phrase_code(" ".join(pieces)) or self.codes.phrase_code(" ".join(reversed(pieces)))
        if found is None:
            self._count("partners left as words")
            return []
        self._count("partners coded by the Index")
        return [partner_pattern(self.knowledge, found)]


class TabularNotes:
    """The partner notes of the tabular list: "use additional code", "code also", and "code first"
    notes naming a combination code, as (words of the note line, code patterns)."""

    def __init__(self, knowledge: "Icd10cm") -> None:
        import simple_icd_10_cm as cm  # noqa: PLC0415 - build time only

        self.knowledge = knowledge
        self._own: dict[str, list[tuple[frozenset[str], list[str]]]] = {}
        self._first: list[tuple[str, frozenset[str], list[str]]] = []  # (partner code, its words, named codes)
        self._first_named: dict[str, list[str]] = {}
        for code in knowledge.codes():
            for getter in (cm.get_use_additional_code, cm.get_code_also):
                for line in (getter(code) or "").split("\n"):
                    # Z codes name a status or a drug (Z79.84), never a condition the combination includes.
                    patterns = [pattern for pattern in knowledge.note_patterns(line) if not pattern.startswith("Z")]
                    if patterns:
                        self._own.setdefault(code, []).append((title_words(line), patterns))
            for line in (cm.get_code_first(code) or "").split("\n"):
                named = knowledge.note_patterns(line)
                if named:
                    self._first.append((code, title_words(knowledge.description(code)), named))
                    self._first_named.setdefault(code, []).extend(named)

    def own(self, code: str) -> list[tuple[frozenset[str], list[str]]]:
        """The "use additional code" and "code also" lines of a code that name codes: (words, patterns)."""
        return self._own.get(code, [])

    def first_of(self, code: str) -> list[str]:
        """The code patterns the "code first" notes of a code (and of its ancestors) name."""
        return [pattern for owner in [code, *self.knowledge.ancestors(code)] for pattern in self._first_named.get(owner, [])]

    def coded_first(self, code: str) -> list[tuple[frozenset[str], list[str]]]:
        """The codes whose "code first" notes name ``code``: (words of their title, [that code])."""
        return [(words, [partner]) for partner, words, named in self._first
                if any(matches_pattern(code, pattern) for pattern in named)]


def default_output() -> Path:
    return icd10cm_dir() / DEFAULT_FILE_NAME


def default_index() -> Path | None:
    shared = shared_data_dir()
    return shared / INDEX_FOLDER / INDEX_FILE if shared is not None else None


def build_combinations(index_path: Path | str, knowledge: "Icd10cm | None" = None) -> dict[str, Any]:
    """The JSON-ready combination table (see the module docstring)."""
    from chartaudit.knowledge.icd10cm import Icd10cm  # noqa: PLC0415

    started = time.perf_counter()
    knowledge = knowledge or Icd10cm.load()
    mains = read_index(index_path)
    builder = CombinationBuilder(mains, knowledge, TabularNotes(knowledge))
    combinations = builder.run()
    logger.info("%d combination codes from %d entries in %.1f s; %s", len({c.code for c in combinations}),
                len(combinations), time.perf_counter() - started, builder.counts)
    return {
        "format": FORMAT_VERSION,
        "meta": {
            "source": "ICD-10-CM Alphabetic Index FY2025 (CDC/NCHS, public domain) 'with' and 'in' subterms; "
                      f"tabular notes of {knowledge.source or 'the 2026 tabular list'}",
            "entries": len(combinations),
        },
        "combinations": [combination.to_json() for combination in combinations],
    }


def write_combinations(table: dict[str, Any], output: Path) -> int:
    """Write the table as reproducible gzipped JSON (as the tabular tables are); return the size in bytes."""
    return write_tables(table, output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chartaudit.knowledge.combinations_build",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--index", type=Path, default=default_index(), help="the flattened Index CSV")
    parser.add_argument("--out", type=Path, default=default_output(), help="the .json.gz file to write")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if arguments.index is None or not Path(arguments.index).is_file():
        # A fresh clone has no ../shared: the committed table stays as it is.
        logger.warning("no Alphabetic Index at %s (give --index; see ../shared/data/README.md): %s is kept",
                       arguments.index, arguments.out)
        return 0
    size = write_combinations(build_combinations(arguments.index), arguments.out)
    logger.info("wrote %s (%.1f kB)", arguments.out, size / 1e3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
