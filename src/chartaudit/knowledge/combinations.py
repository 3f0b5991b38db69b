"""Combination codes at run time: which codes join a base condition with partners.

:class:`CombinationTable` reads ``models/icd10cm/combinations-2026.json.gz``, which
``python -m chartaudit.knowledge.combinations_build`` writes from the Alphabetic
Index's "with" and "in" subterms and the tabular list's "use additional code",
"code also" and "code first" notes (Guideline I.A.15). Each entry is one way the
classification reaches a combination code: E11.22 is E11.9 (base) with chronic
kidney disease (partner, N18); I13.0 is I10 with heart failure (I50) and chronic
kidney disease (N18.1-N18.4, N18.9).

Usage::

    table = Icd10cm.load().combinations()
    [c.bases for c in table.entries("E11.22")]  # [("E11.9",)]
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from chartaudit.knowledge.codes import matches_pattern

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
DEFAULT_FILE_NAME = "combinations-2026.json.gz"


@dataclass(frozen=True)
class Partner:
    """A condition a combination code includes beside its base: its words and, when the build
    could code them, the code patterns that name it ("N18.1-N18.6", "I50")."""

    words: str
    patterns: tuple[str, ...] = ()

    def matches(self, code: str) -> bool:
        return any(matches_pattern(code, pattern) for pattern in self.patterns)


@dataclass(frozen=True)
class Combination:
    """One combination code: the base codes it replaces and the partners it includes."""

    code: str
    bases: tuple[str, ...]
    partners: tuple[Partner, ...]


class CombinationTable:
    """The combination codes, by code and by base code.

    combinations (list[Combination]): Every entry; a code may have several (the Index
        reaches E11.52 both as "with gangrene" and as "with peripheral angiopathy, with gangrene").
    """

    def __init__(self, combinations: list[Combination] | None = None) -> None:
        self.combinations = list(combinations or [])
        self._by_code: dict[str, list[Combination]] = {}
        self._by_base: dict[str, list[Combination]] = {}
        for combination in self.combinations:
            self._by_code.setdefault(combination.code, []).append(combination)
            for base in combination.bases:
                self._by_base.setdefault(base, []).append(combination)

    @classmethod
    def read(cls, path: str | Path) -> "CombinationTable":
        """Load the generated file; a missing file gives an empty table (and a warning)."""
        path = Path(path)
        if not path.is_file():
            logger.warning("No combination table at %s: run `make models`; no combination code is checked", path)
            return cls()
        with gzip.open(path, "rb") as stream:
            data = json.loads(stream.read())
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: format {data.get('format')!r}, expected {FORMAT_VERSION}; rebuild it")
        return cls([
            Combination(code, tuple(bases), tuple(Partner(words, tuple(patterns)) for words, patterns in partners))
            for code, bases, partners in data["combinations"]
        ])

    def __len__(self) -> int:
        return len(self.combinations)

    def entries(self, code: str) -> list[Combination]:
        """The entries of a combination code (empty for a code that is none)."""
        return self._by_code.get(code, [])

    def is_combination(self, code: str) -> bool:
        return code in self._by_code

    def with_base(self, code: str) -> list[Combination]:
        """The entries whose base is ``code`` (I10: I11.0, I12.9, I13.0, ...)."""
        return self._by_base.get(code, [])

    def bases_of(self, code: str) -> frozenset[str]:
        """Every base of a combination code's entries (I11.0: I10, I11.9)."""
        return frozenset(base for entry in self.entries(code) for base in entry.bases)
