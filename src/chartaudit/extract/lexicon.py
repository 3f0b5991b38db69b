"""The curated terms of a model: ``lexicon.csv`` and ``abbreviations.json``.

:class:`Lexicon` owns ``lexicon.csv`` (phrase -> ICD-10-CM code or concept), which
the target matcher puts above the generated ICD-10-CM terms. :class:`Abbreviations`
owns ``abbreviations.json``: the tokenizer's special cases (shorthand kept as one
token: ``c/o``, ``x-ray``) and the case-sensitive short forms the target matcher
reads as lexicon phrases ("SOB" -> "shortness of breath").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from chartaudit.resources.files import FileCheck, ModelFile

#: One lexicon row: (phrase, code or None, concept).
LexiconRow = tuple[str, str | None, str]


@dataclass
class Lexicon(ModelFile):
    """``lexicon.csv``: one row per phrase, header ``phrase,code,concept``.

    rows (list[LexiconRow]): (phrase, code or None, concept) in file order; the
        concept is the phrase when the file leaves it empty. A code may hold several
        codes separated by ``|``.
    """

    FILE_NAME = "lexicon.csv"
    DESCRIPTION = "phrase -> ICD-10-CM code or concept"
    REQUIRED = True
    MISSING = "no curated terms"
    COLUMNS: ClassVar[tuple[str, ...]] = ("phrase", "code", "concept")

    rows: list[LexiconRow] = field(default_factory=list)

    @property
    def phrases(self) -> set[str]:
        """The phrases, lower-cased with single spaces."""
        return {" ".join(phrase.lower().split()) for phrase, _, _ in self.rows}

    @classmethod
    def check(cls, check: FileCheck) -> "Lexicon":
        """Check the rows (the codes too when validating); return the rows read."""
        name = check.name
        rows: list[LexiconRow] = []
        reader = csv.reader(io.StringIO(check.text, newline=""))
        try:
            header = [column.strip().lower() for column in next(reader)]
        except StopIteration:
            check.problem(f"empty file; the header is {','.join(cls.COLUMNS)}", line=1)
            return cls(rows)
        except csv.Error as error:
            check.problem(str(error), line=1)
            return cls(rows)
        missing = [column for column in cls.COLUMNS if column not in header]
        if missing:
            check.problem(f"header lacks {', '.join(missing)} (expected {','.join(cls.COLUMNS)})", line=1)
            return cls(rows)
        unknown = [column for column in header if column not in cls.COLUMNS]
        if unknown:
            check.problem(f"unknown column {unknown[0]!r}; allowed: {', '.join(cls.COLUMNS)}", line=1)
            return cls(rows)
        position = {column: header.index(column) for column in cls.COLUMNS}
        try:
            for row in reader:
                line = reader.line_num
                if not row or not any(cell.strip() for cell in row):
                    continue
                cells = {column: (row[index].strip() if index < len(row) else "") for column, index in position.items()}
                phrase, code, concept = cells["phrase"], cells["code"], cells["concept"]
                if phrase.startswith("#"):
                    continue
                if not phrase:
                    check.problem("the phrase is empty", line=line)
                    continue
                if len(row) > len(header):
                    check.problem(f"{len(row)} columns, the header has {len(header)} "
                                  "(quote a phrase or concept that holds a comma)", line=line)
                if check.is_code is not None:
                    for part in (piece.strip() for piece in code.split("|") if code):
                        if not part or not check.is_code(part):
                            check.problem(f"code {part!r} of {phrase!r} is not an ICD-10-CM 2026 code "
                                          "(several codes are separated by |)", line=line)
                if not code and not concept:
                    check.problem(f"{phrase!r} has neither a code nor a concept", line=line)
                rows.append((phrase, code or None, concept or phrase))
        except csv.Error as error:
            check.problems.append(f"{name}: line {reader.line_num}: {error}")
        return cls(rows)

    @classmethod
    def from_data(cls, data: "Lexicon") -> "Lexicon":
        return data

    @classmethod
    def from_csv(cls, path: Path | str) -> "Lexicon":
        """Load a lexicon file (see :meth:`ModelFile.from_file`)."""
        return cls.from_file(path)


@dataclass
class Abbreviations(ModelFile):
    """``abbreviations.json``: tokenizer special cases and case-sensitive short forms.

    special_cases (list[str]): Forms the tokenizer keeps as one token (``c/o``, ``h/o``).
    abbreviations (dict[str, tuple[str, frozenset[str]]]): Short form -> (long form,
        which must be a lexicon phrase; tokens the short form must not precede:
        ``PE`` is not pulmonary embolism before ``tube``).
    """

    FILE_NAME = "abbreviations.json"
    DESCRIPTION = "tokenizer special cases and short form -> lexicon phrase"
    MISSING = "no tokenizer special cases and no abbreviations"
    KEYS: ClassVar[tuple[str, ...]] = ("special_cases", "abbreviations")
    #: The keys of an abbreviation written as an object.
    ENTRY_KEYS: ClassVar[tuple[str, ...]] = ("long", "not_followed_by")

    special_cases: list[str] = field(default_factory=list)
    abbreviations: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)

    @classmethod
    def check(cls, check: FileCheck) -> "Abbreviations":
        """Check the file; a long form that is not a lexicon phrase is a warning (it is skipped)."""
        result = cls()
        data = check.json_object(cls.KEYS)
        if data is None:
            return result
        special_cases = data.get("special_cases", [])
        if not isinstance(special_cases, list) or not all(isinstance(item, str) and item.strip() for item in special_cases):
            check.problem("\"special_cases\" must be a list of non-empty strings")
        else:
            result.special_cases = [str(form) for form in special_cases]
        abbreviations = data.get("abbreviations", {})
        if not isinstance(abbreviations, dict):
            check.problem("\"abbreviations\" must be an object of short form -> long form")
            return result
        lexicon = check.earlier.get(Lexicon.FILE_NAME)
        phrases = lexicon.phrases if isinstance(lexicon, Lexicon) else set()
        for short_form, value in abbreviations.items():
            not_followed_by: object = []
            if isinstance(value, dict):
                check.known_keys(value, cls.ENTRY_KEYS, f"abbreviations {short_form!r}")
                long_form, not_followed_by = value.get("long"), value.get("not_followed_by", [])
                if not isinstance(not_followed_by, list) or not all(isinstance(item, str) for item in not_followed_by):
                    check.problem(f"{short_form!r}: not_followed_by must be a list of strings", value=short_form)
                    not_followed_by = []
            else:
                long_form = value
            if not isinstance(long_form, str) or not long_form.strip():
                check.problem(f"{short_form!r}: the long form must be a non-empty string", value=short_form)
                continue
            if phrases and " ".join(long_form.lower().split()) not in phrases:
                check.warning(f"{short_form!r}: long form {long_form!r} is not a lexicon phrase; it is skipped",
                              value=short_form)
            result.abbreviations[short_form] = (long_form, frozenset(not_followed_by))  # type: ignore[arg-type]
        return result

    @classmethod
    def from_data(cls, data: "Abbreviations") -> "Abbreviations":
        return data
