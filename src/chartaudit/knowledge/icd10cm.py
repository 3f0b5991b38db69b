"""The ICD-10-CM tabular list at run time: validity, hierarchy, notes, sides and history codes.

:class:`Icd10cm` reads the file that ``python -m chartaudit.knowledge.build`` wrote
(``models/icd10cm/icd10cm-2026.json.gz``) and, from a model directory, the small
tables a person edits (``history_codes.json``, ``screening_codes.json``,
``symptom_integral.json``; see :mod:`chartaudit.knowledge.tables`) and the word normaliser its search uses
(``lexical.json``). It never imports ``simple_icd_10_cm``. Every method accepts unnormalised codes (``m25511``)
and answers "no" (False, None, "", []) for codes that are not in the tables.

Usage::

    from chartaudit.knowledge import Icd10cm
    kb = Icd10cm.load()
    kb.is_billable("M25.511")  # True
"""

from __future__ import annotations

import bisect
import functools
import gzip
import heapq
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chartaudit.knowledge.codes import (
    CODE_CHARACTERS,
    category_key,
    code_number,
    compact,
    matches_pattern,
    normalize_code,
    normalize_pattern,
)
from chartaudit.knowledge.combinations import DEFAULT_FILE_NAME as COMBINATIONS_FILE_NAME
from chartaudit.knowledge.combinations import CombinationTable
from chartaudit.knowledge.kinds import kind_of
from chartaudit.knowledge.tables import HistoryCodes, ScreeningCodes, SymptomRule, SymptomTable
from chartaudit.resources import default_model_dir, icd10cm_dir
from chartaudit.resources.words import WordRules
from chartaudit.types import SIDES

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
DEFAULT_FILE_NAME = "icd10cm-2026.json.gz"

_SIDE_WORDS = frozenset(SIDES)
_WORD = re.compile(r"[a-z0-9]+")
#: A title that leaves an axis open: "unspecified", "NOS", "not otherwise specified", "not specified as
#: acute or chronic" (J40 bronchitis is no more specific than J20.9 acute bronchitis).
_UNSPECIFIED = re.compile(r"\bunspecified\b|\bNOS\b|\bnot (?:otherwise )?specified\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_BARE_PATTERN = re.compile(
    r"\b[A-Z][0-9A-Z][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?"
    r"(?:\s*-\s*[A-Z][0-9A-Z][0-9A-Z](?:\.[0-9A-Z]{0,4})?-?)?(?![0-9A-Za-z])"
)
_WITH_SUFFIX = re.compile(
    r"\s*(?P<codes>[A-Z][0-9][0-9A-Z](?:\s*-\s*[A-Z][0-9][0-9A-Z])?)\s+with\s+"
    r"(?P<low>\.[0-9A-Z]+)-?(?:\s*-\s*(?P<high>\.[0-9A-Z]+)-?)?\s*"
)
_WITH_FINAL = re.compile(r"\s*(?P<category>[A-Z][0-9][0-9A-Z])\.?\s+with final characters\s+-(?P<end>[0-9A-Z]+)\s*")
#: In search results, a 7th-character code for an initial encounter comes before later ones.
_EXTENSION_RANK = {"D": 1, "G": 1, "K": 1, "P": 1, "S": 2}
_SEARCH_STOPWORDS = frozenset({"of", "and", "the", "in", "a", "an", "with", "to", "for", "or", "on", "by"})
_CONTENT_STOPWORDS = _SEARCH_STOPWORDS | _SIDE_WORDS | {"unilateral"}


class Icd10cm:
    """ICD-10-CM codes, their hierarchy and notes, loaded from the precomputed file.

    Usage::

        kb = Icd10cm.load()
        kb.billable_hint("S93.401")  # "S93.401 needs a 7th character: A (initial encounter), ..."
    """

    def __init__(self, path: str | Path | None = None, model_dir: str | Path | None = None) -> None:
        started = time.perf_counter()
        self.path = Path(path) if path is not None else icd10cm_dir() / DEFAULT_FILE_NAME
        self.history_path = HistoryCodes.path_or_default(model_dir)
        self.symptom_path = SymptomTable.path_or_default(model_dir)
        self.screening_path = ScreeningCodes.path_or_default(model_dir)
        #: The model's word normaliser (the search looks a query word up by its lemma) and word lists.
        self.words = WordRules.from_dir(model_dir or default_model_dir())
        if not self.path.is_file():
            raise FileNotFoundError(
                f"ICD-10-CM tables not found at {self.path}; run `python -m chartaudit.knowledge.build`"
            )
        with gzip.open(self.path, "rb") as stream:
            tables: dict[str, Any] = json.loads(stream.read())
        if tables.get("format") != FORMAT_VERSION:
            raise ValueError(f"{self.path}: format {tables.get('format')!r}, expected {FORMAT_VERSION}; rebuild it")
        self.source: str = tables.get("source", "")
        self._codes: list[str] = tables["codes"]
        self._descriptions: list[str] = tables["descriptions"]
        self._seven_chr_def: dict[str, dict[str, str]] = tables["seven_chr_def"]
        self._excludes1: dict[str, list[str]] = tables["excludes1"]
        self._inclusion_terms: dict[str, list[str]] = tables["inclusion_terms"]
        self._includes: dict[str, list[str]] = tables["includes"]
        self._sections: list[tuple[str, str, str, str, list[str]]] = [tuple(s) for s in tables["sections"]]
        # The category keys of each section's first and last category, computed once (every
        # new category of a run is compared with all ~300 sections).
        self._section_keys: list[tuple[tuple[str, int, int], tuple[str, int, int]]] = [
            (category_key(low), category_key(high)) for _, low, high, _, _ in self._sections]
        self._position: dict[str, int] = dict(zip(self._codes, range(len(self._codes))))
        # Parents, children and billability are derived on demand: the tabular list is in
        # depth-first order and every ancestor of a code is a prefix of it.
        self._children_cache: dict[str, list[str]] = {}

        self._sorted_codes: list[str] | None = None
        self._search_text: _SearchText | None = None
        self._extension_cache: dict[int, list[int]] = {}
        self._history_codes: HistoryCodes | None = None
        self._history_roles: tuple[frozenset[str], frozenset[str]] | None = None
        self._screening_codes: ScreeningCodes | None = None
        self._symptom_table: SymptomTable | None = None
        self._combinations: CombinationTable | None = None
        self._laterality_cache: dict[str, dict[str, str]] = {}
        self._pattern_cache: dict[str, list[str]] = {}
        # Per-instance memos of the lookups the checker repeats for every encounter.
        self._containing_sections = functools.lru_cache(maxsize=32768)(self._containing_sections)  # type: ignore[method-assign]
        self._category_sections = functools.lru_cache(maxsize=4096)(self._category_sections)  # type: ignore[method-assign]
        self.excludes1_sources = functools.lru_cache(maxsize=32768)(self.excludes1_sources)  # type: ignore[method-assign]
        self.excludes1_conflict = functools.lru_cache(maxsize=65536)(self.excludes1_conflict)  # type: ignore[method-assign]
        logger.debug("loaded %d ICD-10-CM codes from %s in %.3f s", len(self._codes), self.path,
                     time.perf_counter() - started)

    @classmethod
    def load(cls, path: str | Path | None = None, model_dir: str | Path | None = None) -> "Icd10cm":
        """The tables of a file and of a model directory, each loaded once per process.

        path (str | Path | None): The precomputed tables; ``models/icd10cm/icd10cm-2026.json.gz`` when None.
        model_dir (str | Path | None): The model whose ``history_codes.json``,
            ``symptom_integral.json`` and ``lexical.json`` apply; a file the model lacks
            (or every file, when None) is the default model's.
        """
        resolved = Path(path) if path is not None else icd10cm_dir() / DEFAULT_FILE_NAME
        model = Path(model_dir).resolve() if model_dir else default_model_dir().resolve()
        return _load_cached(str(resolved.resolve()), "" if model == default_model_dir().resolve() else str(model))

    # ----------------------------------------------------------------- basics

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.is_valid(code)

    def normalize(self, code: str | None) -> str | None:
        """The canonical dotted form of a code's shape (see :func:`normalize_code`), valid or not.

        Usage::

            kb.normalize("m25511")  # "M25.511"
        """
        return normalize_code(code)

    def _known(self, code: str | None) -> str | None:
        if not isinstance(code, str):
            return None
        if code in self._position:
            return code
        normalized = normalize_code(code)
        return normalized if normalized is not None and normalized in self._position else None

    def _has_kids(self, code: str) -> bool:
        """True when a known code has children (the next code in tabular order is below it)."""
        index = self._position[code] + 1
        return index < len(self._codes) and self._codes[index].startswith(code)

    def _parent_of(self, code: str) -> str | None:
        """The parent of a known code: its longest proper prefix that is a code."""
        text = code
        while len(text) > 3:
            text = text[:-1].rstrip(".")
            if text in self._position:
                return text
        return None

    def _kids(self, code: str) -> list[str]:
        """The children of a known code, skipping over each child's own subtree (cached)."""
        cached = self._children_cache.get(code)
        if cached is not None:
            return cached
        kids: list[str] = []
        codes = self._codes
        index = self._position[code] + 1
        while index < len(codes) and codes[index].startswith(code):
            child = codes[index]
            kids.append(child)
            index += 1
            while index < len(codes) and codes[index].startswith(child):
                index += 1
        self._children_cache[code] = kids
        return kids

    def is_valid(self, code: str | None) -> bool:
        """True for a category, subcategory or code of the tabular list (not a chapter or block).

        Usage::

            kb.is_valid("M25.5")  # True; kb.is_valid("C00-C96") is False
        """
        return self._known(code) is not None

    def is_billable(self, code: str | None) -> bool:
        """True for a valid code with no children: one that can be reported as written.

        Usage::

            kb.is_billable("M25.511")  # True; kb.is_billable("M25.5") is False
        """
        known = self._known(code)
        return known is not None and not self._has_kids(known)

    def codes(self) -> Iterator[str]:
        """Every valid code, in the order of the tabular list.

        Usage::

            sum(1 for code in kb.codes() if kb.is_billable(code))  # 74719
        """
        return iter(self._codes)

    def billable_codes(self) -> Iterator[str]:
        """Every billable code, in the order of the tabular list.

        Usage::

            next(kb.billable_codes())  # "A00.0"
        """
        return (code for code in self._codes if not self._has_kids(code))

    def description(self, code: str | None) -> str:
        """The tabular-list title of a code, or "" when the code is unknown.

        Usage::

            kb.description("M25.511")  # "Pain in right shoulder"
        """
        known = self._known(code)
        if known is None:
            return ""
        text = self._descriptions[self._position[known]]
        if text:
            return text
        parent = self._parent_of(known)
        if parent is None:
            return ""
        meaning = self._seven_character_meanings(parent).get(known[-1], "")
        return f"{self.description(parent)}, {meaning}"

    def inclusion_terms(self, code: str | None) -> list[str]:
        """The code's own inclusion terms and "Includes" notes.

        Usage::

            kb.inclusion_terms("I10")  # ["high blood pressure", "hypertension (arterial) ..."]
        """
        known = self._known(code)
        if known is None:
            return []
        return list(self._inclusion_terms.get(known, ())) + list(self._includes.get(known, ()))

    # -------------------------------------------------------------- hierarchy

    def parent(self, code: str | None) -> str | None:
        """The code-level parent (never a block or chapter), or None for a category.

        Usage::

            kb.parent("M25.511")  # "M25.51"
        """
        known = self._known(code)
        return None if known is None else self._parent_of(known)

    def ancestors(self, code: str | None) -> list[str]:
        """The code-level ancestors, nearest first.

        Usage::

            kb.ancestors("M25.511")  # ["M25.51", "M25.5", "M25"]
        """
        found: list[str] = []
        current = self.parent(code)
        while current is not None:
            found.append(current)
            current = self._parent_of(current)
        return found

    def children(self, code: str | None) -> list[str]:
        """The direct children of a code, in tabular order.

        Usage::

            kb.children("S93.401")  # ["S93.401A", "S93.401D", "S93.401S"]
        """
        known = self._known(code)
        return list(self._kids(known)) if known is not None else []

    def descendants(self, code: str | None) -> list[str]:
        """Every code below a code, in tabular order.

        Usage::

            kb.descendants("M25.51")  # ["M25.511", "M25.512", "M25.519"]
        """
        return list(self._subtree(code))[1:]

    def _subtree(self, code: str | None) -> Iterator[str]:
        known = self._known(code)
        if known is None:
            return
        codes = self._codes
        index = self._position[known]
        yield known
        index += 1
        while index < len(codes) and codes[index].startswith(known):
            yield codes[index]
            index += 1

    def is_ancestor(self, ancestor: str | None, code: str | None) -> bool:
        """True when ``ancestor`` is a strict code-level ancestor of ``code``.

        Usage::

            kb.is_ancestor("M25.5", "M25.511")  # True
        """
        first, second = self._known(ancestor), self._known(code)
        return first is not None and second is not None and first != second and second.startswith(first)

    def related(self, first: str | None, second: str | None) -> bool:
        """True when the codes are equal or one is an ancestor of the other.

        Usage::

            kb.related("M25.51", "M25.511")  # True; kb.related("M25.511", "M25.512") is False
        """
        a, b = self._known(first), self._known(second)
        return a is not None and b is not None and (a.startswith(b) or b.startswith(a))

    def billable_descendants(self, code: str | None, limit: int | None = 10) -> list[str]:
        """The billable codes at or below a code (a billable code gives itself), tabular order.

        Usage::

            kb.billable_descendants("M25.51")  # ["M25.511", "M25.512", "M25.519"]
        """
        found: list[str] = []
        for candidate in self._subtree(code):
            if not self._has_kids(candidate):
                found.append(candidate)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def category(self, code: str | None) -> str | None:
        """The 3-character category a code belongs to.

        Usage::

            kb.category("M25.511")  # "M25"
        """
        known = self._known(code)
        return known[:3] if known is not None else None

    def sections(self, code: str | None) -> list[tuple[str, str]]:
        """The blocks and the chapter that hold a code, narrowest first, as (name, title).

        Usage::

            kb.sections("I10")  # [("I10-I1A", "Hypertensive diseases (I10-I1A)"), ("9", "Diseases of ...")]
        """
        return [(name, title) for name, title, _ in self._containing_sections(code)]

    def _containing_sections(self, code: str | None) -> list[tuple[str, str, list[str]]]:
        known = self._known(code)
        if known is None:
            return []
        return self._category_sections(known[:3])

    def _category_sections(self, category: str) -> list[tuple[str, str, list[str]]]:
        key = category_key(category)
        found = [
            (name, low, high, title, notes)
            for (name, low, high, title, notes), (low_key, high_key) in zip(self._sections, self._section_keys)
            if low_key <= key <= high_key
        ]
        # Narrower ranges first; a chapter (a number) is the widest of all.
        found.sort(key=lambda item: (item[0].isdigit(), code_number(item[2]) - code_number(item[1])))
        return [(name, title, notes) for name, _, _, title, notes in found]

    # ------------------------------------------------------ billable and hints

    def _seven_character_meanings(self, code: str) -> dict[str, str]:
        """The 7th-character definitions in force for a code (its own or its nearest ancestor's)."""
        current: str | None = code
        while current is not None:
            definition = self._seven_chr_def.get(current)
            if definition:
                return definition
            current = self._parent_of(current)
        return {}

    def seven_character_meanings(self, code: str | None) -> dict[str, str]:
        """The 7th characters that apply to a code and what each means.

        Usage::

            kb.seven_character_meanings("S93.401")  # {"A": "initial encounter", "D": ..., "S": "sequela"}
        """
        known = self._known(code)
        return dict(self._seven_character_meanings(known)) if known is not None else {}

    def seventh_character(self, code: str | None) -> str | None:
        """The 7th character of a code that carries one as an extension (S93.401A → "A").

        Usage::

            kb.seventh_character("S01.01XA")  # "A"; kb.seventh_character("C44.1021") is None
        """
        known = self._known(code)
        if known is None or len(known) != 8:
            return None
        parent = self._parent_of(known)
        if parent is None or compact(known)[:6] != compact(parent).ljust(6, "X"):
            return None
        return known[-1] if known[-1] in self._seven_character_meanings(parent) else None

    def _base_of_extension(self, code: str) -> str | None:
        return self._parent_of(code) if self.seventh_character(code) else None

    def billable_hint(self, code: str | None) -> str:
        """For a valid code that is not billable, what is missing, in a coder's words; else "".

        Usage::

            kb.billable_hint("S01.01")
            # "S01.01 needs the placeholder X and a 7th character: A (initial encounter), ... — e.g. S01.01XA"
        """
        known = self._known(code)
        if known is None or not self._has_kids(known):
            return ""
        kids = self._kids(known)
        extensions = [kid for kid in kids if self.seventh_character(kid)]
        if extensions and len(extensions) == len(kids):
            meanings = self._seven_character_meanings(known)
            options = ", ".join(f"{kid[-1]} ({meanings.get(kid[-1], '')})" for kid in kids)
            needs = "the placeholder X and a 7th character" if "X" in compact(kids[0])[len(compact(known)) :] \
                else "a 7th character"
            return f"{known} needs {needs}: {options} — e.g. {self._preferred_extension(kids)}"
        shown = [f"{kid}-" if self._has_kids(kid) else kid for kid in kids[:8]]
        if len(kids) > 8:
            shown.append(f"… ({len(kids)} in all)")
        example = self.default_billable(known) or (self.billable_descendants(known, limit=1) or [""])[0]
        needs = "more characters"
        if example and self.seventh_character(example) and len(compact(known)) < 6:
            needs = "more characters, then a 7th character"
        hint = f"{known} needs {needs}: {', '.join(shown)}"
        if example:
            hint += f" — e.g. {example} {self.description(example)}"
        return hint

    @staticmethod
    def _preferred_extension(codes: list[str]) -> str:
        return next((code for code in codes if code.endswith("A")), codes[0])

    def default_billable(self, code: str | None) -> str | None:
        """A billable code to suggest for a code: itself, or its default (".9" / unspecified) form.

        Walks down from a non-billable code through, in order of preference: the child
        ending in 9 that is less specified than its parent, the child ending in 9 that is
        not an "other" code, the child less specified than its parent, an only child;
        takes 7th character A (initial encounter) when one is needed. None when no child
        is a default (QA0).

        Usage::

            kb.default_billable("E11")  # "E11.9"; kb.default_billable("M25.5") → "M25.50"
        """
        current = self._known(code)
        while current is not None and self._has_kids(current):
            kids = self._kids(current)
            if all(self.seventh_character(kid) for kid in kids):
                return self._preferred_extension(kids)
            level = _unspecified_count(self.description(current))
            vaguer = [kid for kid in kids if _unspecified_count(self.description(kid)) > level]
            nines = [kid for kid in kids if kid.endswith("9")]
            plain_nines = [kid for kid in nines if "other" not in _words(self.description(kid))]
            only_child = kids if len(kids) == 1 else []
            choices = [kid for kid in nines if kid in vaguer] or plain_nines or vaguer or only_child
            current = choices[0] if choices else None
        return current

    def nearest_valid(self, code: str | None) -> str | None:
        """For an invalid code, the closest valid code: the placeholder-X form, else the longest valid prefix.

        Usage::

            kb.nearest_valid("M25.5111")  # "M25.511"; kb.nearest_valid("S01.01A") → "S01.01XA"
        """
        if not isinstance(code, str):
            return None
        normalized = normalize_code(code)
        letters = compact(normalized) if normalized else re.sub(r"[^0-9A-Z]", "", code.upper())
        if len(letters) < 3 or not ("A" <= letters[0] <= "Z"):
            return None
        if normalized and normalized in self._position:
            return normalized
        if 5 <= len(letters) <= 7:
            padded = normalize_code(letters[:-1].ljust(6, "X") + letters[-1])
            if padded and padded in self._position and self.seventh_character(padded):
                return padded
        for end in range(min(len(letters), 7), 2, -1):
            candidate = normalize_code(letters[:end])
            if candidate and candidate in self._position:
                return candidate
        return None

    # ----------------------------------------------------------- specificity

    def is_unspecified(self, code: str | None) -> bool:
        """True when the title leaves an axis open: "unspecified" (any axis, side included), "NOS", "not specified as".

        Usage::

            kb.is_unspecified("M25.519")  # True; kb.is_unspecified("M25.511") is False
        """
        return bool(_UNSPECIFIED.search(self.description(code)))

    def more_specific(self, code: str | None) -> list[str]:
        """For an unspecified code, the billable codes beside it that say more (fewer "unspecified").

        Usage::

            kb.more_specific("M25.519")  # ["M25.511", "M25.512"]
        """
        known = self._known(code)
        if known is None or not self.is_unspecified(known):
            return []
        extension = self.seventh_character(known)
        base = self._base_of_extension(known) if extension else known
        assert base is not None
        parent = self._parent_of(base)
        if parent is None:
            return []
        level = _unspecified_count(self.description(known))
        found: list[str] = []
        for sibling in self._kids(parent):
            if sibling == base:
                continue
            for candidate in self.billable_descendants(sibling, limit=None):
                if extension is not None and self.seventh_character(candidate) != extension:
                    continue
                if _unspecified_count(self.description(candidate)) < level:
                    found.append(candidate)
        return found

    # ------------------------------------------------------------- laterality

    def laterality(self, code: str | None) -> str | None:
        """The side a code states: "right", "left", "bilateral" or "unspecified"; None without a side axis.

        The side counts only when sibling codes differ from this one by side alone
        (so "Left ventricular failure" has none), or when the title says "bilateral".

        Usage::

            kb.laterality("M25.511")  # "right"; kb.laterality("M25.51") is None
        """
        known = self._known(code)
        if known is None:
            return None
        for side, sibling in self._laterality_group(known).items():
            if sibling == known:
                return side
        if "bilateral" in _words(self.description(known)):
            return "bilateral"
        return None

    def laterality_siblings(self, code: str | None) -> dict[str, str]:
        """The codes that differ from this one only by side, as side → code (this one included).

        Usage::

            kb.laterality_siblings("M25.511")  # {"right": "M25.511", "left": "M25.512", "unspecified": "M25.519"}
        """
        known = self._known(code)
        return dict(self._laterality_group(known)) if known is not None else {}

    def with_laterality(self, code: str | None, side: str | None) -> str | None:
        """The code for the same condition on another side; for a side-less parent, its child with that side.

        ``side`` is one of :data:`chartaudit.types.SIDES` (any case); a note's side word
        ("rt", "both") goes through the model's ``anatomy.json`` first.

        Usage::

            kb.with_laterality("M25.511", "left")  # "M25.512"; kb.with_laterality("M25.51", "right") → "M25.511"
        """
        known = self._known(code)
        if known is None or not isinstance(side, str):
            return None
        wanted = side.strip().lower()
        group = self._laterality_group(known)
        if group:
            return group.get(wanted)
        for child in self._kids(known):
            if self.laterality(child) == wanted:
                return child
        return None

    def _laterality_group(self, code: str) -> dict[str, str]:
        cached = self._laterality_cache.get(code)
        if cached is not None:
            return cached
        description = self.description(code)
        letters = compact(code)
        best: dict[str, str] = {}
        for position in range(3, len(letters)):
            group: dict[str, str] = {}
            for character in CODE_CHARACTERS:
                if character == letters[position]:
                    continue
                variant = normalize_code(letters[:position] + character + letters[position + 1 :])
                if variant is None or variant not in self._position:
                    continue
                difference = _side_difference(description, self.description(variant))
                if difference is None:
                    continue
                own, other = difference
                group.setdefault(own, code)
                if group[own] == code:
                    group.setdefault(other, variant)
            if len(group) > len(best):
                best = group
        words = _words(description)
        if ("bilateral" in words or "unilateral" in words) and not {"bilateral", "right"} <= best.keys():
            for side, match in self._sides_by_content(code).items():
                best.setdefault(side, match)
            if len(best) == 1:
                best = {}
        ordered = {side: best[side] for side in SIDES if side in best}
        self._laterality_cache[code] = ordered
        return ordered

    def _sides_by_content(self, code: str) -> dict[str, str]:
        """Codes of the same category and level of billability whose titles differ only by side words."""
        key = _content_words(self.description(code))
        extension = self.seventh_character(code)
        billable = not self._has_kids(code)
        own = _single_side(self.description(code)) or "bilateral"
        found: dict[str, str] = {own: code}
        for candidate in self._subtree(code[:3]):
            if candidate == code or self._has_kids(candidate) == billable:
                continue
            if self.seventh_character(candidate) != extension:
                continue
            description = self.description(candidate)
            side = _single_side(description)
            if side is None or side in found or _content_words(description) != key:
                continue
            found[side] = candidate
        return found

    # ------------------------------------------------------------- Excludes1

    def own_excludes1(self, code: str | None) -> list[tuple[str, list[str]]]:
        """The code's own Excludes1 notes as (note text, code patterns).

        Usage::

            kb.own_excludes1("E11")[0]  # ("diabetes mellitus due to underlying condition (E08.-)", ["E08"])
        """
        known = self._known(code)
        if known is None:
            return []
        return [(note, self.note_patterns(note)) for note in self._excludes1.get(known, ())]

    def excludes1_sources(self, code: str | None) -> list[tuple[str, str, list[str]]]:
        """Excludes1 notes in force for a code as (owner, note, patterns), nearest owner first.

        The owner is the code itself, an ancestor code, a block (``I10-I1A``) or a chapter (``15``).

        Usage::

            kb.excludes1_sources("E11.9")[0]  # ("E11.9", "type 2 diabetes ... in remission (E11.A)", ["E11.A"])
        """
        known = self._known(code)
        if known is None:
            return []
        found: list[tuple[str, str, list[str]]] = []
        for owner in [known, *self.ancestors(known)]:
            found.extend((owner, note, self.note_patterns(note)) for note in self._excludes1.get(owner, ()))
        for name, _, notes in self._containing_sections(known):
            found.extend((name, note, self.note_patterns(note)) for note in notes)
        return found

    def excludes1_notes(self, code: str | None) -> list[tuple[str, list[str]]]:
        """Excludes1 notes of a code and of its ancestors (codes, blocks, chapter) as (note, patterns).

        Patterns are codes or prefixes (``E08`` from ``E08.-``) or ranges (``O10-O11``).

        Usage::

            kb.excludes1_notes("E11.9")  # [("type 2 ... (E11.A)", ["E11.A"]), ("... (E08.-)", ["E08"]), ...]
        """
        return [(note, patterns) for _, note, patterns in self.excludes1_sources(code)]

    def excludes1_conflict(self, first: str | None, second: str | None) -> tuple[str, str, str] | None:
        """If an Excludes1 note of one code (or its ancestors) names the other: (that code, other, note).

        Usage::

            kb.excludes1_conflict("E11.9", "E10.9")  # ("E11.9", "E10.9", "type 1 diabetes mellitus (E10.-)")
        """
        a, b = self._known(first), self._known(second)
        if a is None or b is None or a == b:
            return None
        for owner, other in ((a, b), (b, a)):
            for _, note, patterns in self.excludes1_sources(owner):
                for pattern in patterns:
                    if matches_pattern(other, pattern) and not matches_pattern(owner, pattern):
                        return owner, other, note
        return None

    def note_patterns(self, note: str) -> list[str]:
        """The code patterns an Excludes1-style note names, in order.

        Handles ``(E08.-)``, ``(O24.4-)``, ``(O10-O11, O13-O16)`` and the qualified forms
        ``(E08-E13 with .44)`` and ``(I69. with final characters -23)``; other qualified
        forms (``with 7th character B``) are left out rather than over-matched.

        Usage::

            kb.note_patterns("hypertensive disease ... (O10-O11, O13-O16)")  # ["O10-O11", "O13-O16"]
        """
        cached = self._pattern_cache.get(note)
        if cached is not None:
            return list(cached)
        patterns: list[str] = []
        groups = _PARENTHESES.findall(note)
        if not groups and not re.search(r"\b(?:see|with)\b", note):
            groups = [", ".join(match.group(0) for match in _BARE_PATTERN.finditer(note))]
        for group in groups:
            if re.search(r"\bwith\b", group):
                patterns.extend(self._qualified_patterns(group))
                continue
            for part in group.split(","):
                part = part.strip()
                if not _BARE_PATTERN.fullmatch(part):
                    continue
                pattern = normalize_pattern(part)
                if pattern is not None and pattern not in patterns:
                    patterns.append(pattern)
        self._pattern_cache[note] = patterns
        return list(patterns)

    def _qualified_patterns(self, group: str) -> list[str]:
        suffix = _WITH_SUFFIX.fullmatch(group)
        if suffix is not None:
            codes = suffix.group("codes").replace(" ", "")
            low, _, high = codes.partition("-")
            categories = [c for c in self._subtree_categories(low, high or low)]
            found: list[str] = []
            for category in categories:
                first = normalize_code(category + suffix.group("low"))
                last = normalize_code(category + suffix.group("high")) if suffix.group("high") else None
                if first is None:
                    continue
                found.append(f"{first}-{last}" if last else first)
            return found
        final = _WITH_FINAL.fullmatch(group)
        if final is not None:
            ending = final.group("end")
            return [
                c for c in self._subtree(final.group("category"))
                if len(compact(c)) == 4 + len(ending) and compact(c).endswith(ending)
            ]
        return []

    def _subtree_categories(self, low: str, high: str) -> list[str]:
        low_key, high_key = category_key(low), category_key(high)
        return [code for code in self._codes if len(code) == 3 and low_key <= category_key(code) <= high_key]

    # ------------------------------------------------------ history and symptoms

    def history_codes(self, code: str | None) -> tuple[str | None, str | None]:
        """(personal-history Z code, family-history Z code) for a condition, from ``history_codes.json``.

        The most specific rule wins: a longer prefix beats a shorter one, a prefix beats a
        range of the same length, and a narrower range beats a wider one.

        Usage::

            kb.history_codes("C50.911")  # ("Z85.3", "Z80.3")
        """
        normalized = (self._known(code) or normalize_code(code)) if isinstance(code, str) else None
        if normalized is None:
            return None, None
        for pattern, personal, family in self._history():
            if matches_pattern(normalized, pattern):
                return personal, family
        return None, None

    def combinations(self) -> CombinationTable:
        """The combination codes (``combinations-2026.json.gz`` beside the tables), loaded on first use.

        Usage::

            kb.combinations().entries("I11.0")[0].bases  # ("I10",)
        """
        if self._combinations is None:
            self._combinations = CombinationTable.read(self.path.with_name(COMBINATIONS_FILE_NAME))
        return self._combinations

    def _history(self) -> list[tuple[str, str | None, str | None]]:
        if self._history_codes is None:
            self._history_codes = HistoryCodes.from_json(self.history_path)
        return self._history_codes.rules

    def screening_code(self, code: str | None) -> str | None:
        """The Z code of a screening for a condition, from ``screening_codes.json`` (the most specific rule).

        Usage::

            kb.screening_code("C18.9")  # "Z12.11"
        """
        normalized = (self._known(code) or normalize_code(code)) if isinstance(code, str) else None
        if normalized is None:
            return None
        if self._screening_codes is None:
            self._screening_codes = ScreeningCodes.from_json(self.screening_path)
        for pattern, screening in self._screening_codes.rules:
            if matches_pattern(normalized, pattern):
                return screening
        return None

    def evidence_kind(self, code: str | None) -> str:
        """Which kind of evidence documents a code (:mod:`chartaudit.knowledge.kinds`): "condition",
        or a Z code's or external cause's own kind ("personal_history", "status", "drug", ...).

        Usage::

            kb.evidence_kind("Z79.01")  # "drug"; kb.evidence_kind("I25.2") is "personal_history"
        """
        normalized = (self._known(code) or normalize_code(code)) if isinstance(code, str) else None
        if normalized is None:
            return "condition"
        if self._history_roles is None:
            rules = self._history()
            self._history_roles = (frozenset(personal for _, personal, _ in rules if personal),
                                   frozenset(family for _, _, family in rules if family))
        personal, family = self._history_roles
        return kind_of(normalized, personal, family)

    def _symptoms(self) -> tuple[list[SymptomRule], tuple[str, ...]]:
        if self._symptom_table is None:
            self._symptom_table = SymptomTable.from_json(self.symptom_path)
        return self._symptom_table.rules, self._symptom_table.prefixes

    def is_symptom(self, code: str | None) -> bool:
        """True for chapter 18 (R00-R99) and the symptom-like codes listed in ``symptom_integral.json``.

        Usage::

            kb.is_symptom("R07.9")  # True; kb.is_symptom("M25.511") is True; kb.is_symptom("I21.9") is False
        """
        normalized = normalize_code(code) if isinstance(code, str) else None
        if normalized is None:
            return False
        if normalized.startswith("R"):
            return True
        _, prefixes = self._symptoms()
        return any(matches_pattern(normalized, prefix) for prefix in prefixes)

    def symptom_integral_to(self, symptom_code: str | None, diagnosis_code: str | None) -> bool:
        """True when the symptom is routinely part of the diagnosis (``symptom_integral.json``).

        A symptom on one side is never part of a diagnosis on the other side.

        Usage::

            kb.symptom_integral_to("R07.9", "I21.4")  # True
        """
        return bool(self._symptom_rule(symptom_code, diagnosis_code))

    def _symptom_rule(self, symptom_code: str | None, diagnosis_code: str | None) -> SymptomRule | None:
        symptom = normalize_code(symptom_code) if isinstance(symptom_code, str) else None
        diagnosis = normalize_code(diagnosis_code) if isinstance(diagnosis_code, str) else None
        if symptom is None or diagnosis is None:
            return None
        rules, _ = self._symptoms()
        for rule in rules:
            if matches_pattern(symptom, rule.symptom) and any(matches_pattern(diagnosis, p) for p in rule.diagnoses):
                sides = {self.laterality(symptom), self.laterality(diagnosis)}
                if {"right", "left"} <= sides:
                    return None
                return rule
        return None

    def symptom_note(self, symptom_code: str | None, diagnosis_code: str | None) -> str:
        """The note of the ``symptom_integral.json`` rule that joins the two codes, or "".

        Usage::

            kb.symptom_note("R05.9", "J18.9")  # "Cough is a routine sign of respiratory infections, ..."
        """
        rule = self._symptom_rule(symptom_code, diagnosis_code)
        return rule.note if rule is not None else ""

    # ----------------------------------------------------------------- search

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str]]:
        """Codes for a code prefix ("M25.5", "m255") or for words ("shoulder pain"), billable first.

        A code prefix lists the code itself, then the billable codes under it, then the
        rest. Words match the start of words in titles, inclusion terms and "Includes"
        notes; every word must match. The text to search is prepared on the first word
        query (about 0.1 s); later queries take a few to a few tens of milliseconds.

        Usage::

            kb.search("right shoulder pain", limit=3)[0]  # ("M25.511", "Pain in right shoulder")
        """
        if not isinstance(query, str) or not query.strip() or limit <= 0:
            return []
        found = self.codes_with_prefix(query)
        if not found:
            found = self._search_words(query, limit)
        return [(code, self.description(code)) for code in found[:limit]]

    def codes_with_prefix(self, query: str) -> list[str]:
        """The codes a code query names ("M25.5", "m255", "S93.401A"): the code itself, then the
        billable codes under it, then the rest; [] when the query is not a code or a code's start."""
        letters = re.sub(r"[\s.]+", "", query.strip().upper()).rstrip("-*")
        if not re.fullmatch(r"[A-Z](?:[0-9][0-9A-Z]{0,5}|[A-Z][0-9][0-9A-Z]{0,4})", letters):
            return []
        if self._sorted_codes is None:
            # Dotted codes sort like their compact forms: codes of one category share "XXX.".
            self._sorted_codes = sorted(self._codes)
        prefix = letters if len(letters) <= 3 else f"{letters[:3]}.{letters[3:]}"
        start = bisect.bisect_left(self._sorted_codes, prefix)
        end = bisect.bisect_left(self._sorted_codes, prefix + "~")
        return sorted(
            self._sorted_codes[start:end],
            key=lambda code: (code != prefix, self._has_kids(code), self._position[code]),
        )

    def _search_setup(self) -> _SearchText:
        """Lower-cased titles of the codes whose titles are stored, one per line (built once, ~50 ms)."""
        if self._search_text is None:
            started = time.perf_counter()
            lines = [index for index, text in enumerate(self._descriptions) if text]
            titles = "\n".join(self._descriptions[index].replace("\n", " ") for index in lines).lower() + "\n"
            term_lines: list[int] = []
            term_texts: list[str] = []
            for source in (self._inclusion_terms, self._includes):
                for code, notes in source.items():
                    term_lines.append(self._position[code])
                    term_texts.append(" | ".join(notes).replace("\n", " "))
            terms = "\n".join(term_texts).lower() + "\n"
            meanings = sorted(
                {word for definition in self._seven_chr_def.values() for meaning in definition.values()
                 for word in _WORD.findall(meaning.lower())}
            )
            self._search_text = _SearchText(
                titles=titles,
                title_starts=_line_starts(titles),
                title_lines=lines,
                terms=terms,
                term_starts=_line_starts(terms),
                term_lines=term_lines,
                meaning_words=meanings,
            )
            logger.debug("prepared ICD-10-CM search in %.3f s", time.perf_counter() - started)
        return self._search_text

    def _extension_children(self, index: int) -> list[int]:
        """Indexes of the 7th-character children of a code whose titles are derived from its own (cached)."""
        cached = self._extension_cache.get(index)
        if cached is not None:
            return cached
        code = self._codes[index]
        found: list[int] = []
        position = index + 1
        codes, descriptions = self._codes, self._descriptions
        while position < len(codes) and len(codes[position]) == 8 and codes[position].startswith(code):
            parent = _extension_parent(codes[position])
            if parent != code:
                break
            if not descriptions[position]:
                found.append(position)
            position += 1
        self._extension_cache[index] = found
        return found

    def _search_words(self, query: str, limit: int) -> list[str]:
        search = self._search_setup()
        tokens: list[str] = []
        for token in _WORD.findall(query.lower()):
            if token in _SEARCH_STOPWORDS:
                continue
            token = self.words.lemma(token)  # "allergies" finds "allergy", "stones" finds "stone(s)"
            if token not in tokens:
                tokens.append(token)
        if not tokens:
            return []
        title_hits: dict[str, set[int]] = {}
        term_hits: dict[str, set[int]] = {}
        for token in tokens:
            whole_word = len(token) < 3
            title_hits[token] = {
                search.title_lines[line] for line in _lines_of(token, search.titles, search.title_starts, whole_word)
            }
            term_hits[token] = {
                search.term_lines[line] for line in _lines_of(token, search.terms, search.term_starts, whole_word)
            }

        # Codes with a stored title: every word in the title or in the inclusion terms.
        anywhere = set.intersection(*(title_hits[t] | term_hits[t] for t in tokens))
        in_titles = set.intersection(*(title_hits[t] for t in tokens))

        # 7th-character codes, whose title is "<parent title>, <meaning>": every word in the
        # parent's title or in the meaning of the 7th character.
        in_meanings = {t for t in tokens if any(word.startswith(t) for word in search.meaning_words)}
        required = [t for t in tokens if t not in in_meanings]
        if required:
            parents = set.intersection(*(title_hits[t] for t in required))
        else:
            parents = set.union(*(title_hits[t] for t in tokens))
        codes, descriptions = self._codes, self._descriptions
        derived_rank: dict[int, tuple[bool, bool, int, int, int]] = {}
        for parent in parents:
            if parent + 1 >= len(codes) or len(codes[parent + 1]) != 8:
                continue
            children = self._extension_children(parent)
            if not children:
                continue
            parent_length = len(descriptions[parent])
            whole_title = all(parent in title_hits[t] for t in tokens)
            meanings = {} if whole_title else self._seven_character_meanings(codes[parent])
            for child in children:
                character = codes[child][-1]
                if not whole_title:
                    words = _WORD.findall(meanings.get(character, "").lower())
                    if not all(parent in title_hits[t] or any(w.startswith(t) for w in words) for t in tokens):
                        continue
                anywhere.add(child)
                derived_rank[child] = (False, False, _EXTENSION_RANK.get(character, 0), parent_length, child)
        if not anywhere:
            return []

        def rank(index: int) -> tuple[bool, bool, int, int, int]:
            known = derived_rank.get(index)
            if known is not None:
                return known
            return (self._has_kids(codes[index]), index not in in_titles, 0, len(descriptions[index]), index)

        return [codes[index] for index in heapq.nsmallest(max(limit, 0), anywhere, key=rank)]


@dataclass
class _SearchText:
    titles: str
    title_starts: list[int]
    title_lines: list[int]
    terms: str
    term_starts: list[int]
    term_lines: list[int]
    meaning_words: list[str]


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position != -1:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def _lines_of(word: str, text: str, starts: list[int], whole_word: bool) -> set[int]:
    """The numbers of the lines of ``text`` that have a word starting with ``word`` (or equal to it)."""
    found: set[int] = set()
    size = len(word)
    position = text.find(word)
    while position != -1:
        if (position == 0 or not text[position - 1].isalnum()) and (
            not whole_word or not text[position + size : position + size + 1].isalnum()
        ):
            found.add(bisect.bisect_right(starts, position) - 1)
        position = text.find(word, position + size)
    return found


def _extension_parent(code: str) -> str:
    """The parent of a 7th-character code by its shape: S93.401A → S93.401, S01.01XA → S01.01."""
    return code[:-1].rstrip("X").rstrip(".")


# --------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, model_dir: str) -> Icd10cm:
    return Icd10cm(path, model_dir or None)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _unspecified_count(text: str) -> int:
    return len(_UNSPECIFIED.findall(text))


def _content_words(text: str) -> frozenset[str]:
    return frozenset(word for word in _words(text) if word not in _CONTENT_STOPWORDS)


def _single_side(text: str) -> str | None:
    sides = [word for word in _words(text) if word in _SIDE_WORDS]
    return sides[0] if len(sides) == 1 else None


def _side_difference(first: str, second: str) -> tuple[str, str] | None:
    """(side of first, side of second) when two titles differ only in the side they state."""
    a, b = _words(first), _words(second)
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start : len(a) - end], b[start : len(b) - end]
    if not middle_a or not middle_b or len(middle_a) > 3 or len(middle_b) > 3:
        return None
    sides_a = [word for word in middle_a if word in _SIDE_WORDS]
    sides_b = [word for word in middle_b if word in _SIDE_WORDS]
    if len(sides_a) != 1 or len(sides_b) != 1 or sides_a[0] == sides_b[0]:
        return None
    rest_a = [word for word in middle_a if word not in _SIDE_WORDS]
    rest_b = [word for word in middle_b if word not in _SIDE_WORDS]
    if rest_a and rest_b and rest_a != rest_b:
        return None
    return sides_a[0], sides_b[0]
