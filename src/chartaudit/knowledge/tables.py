"""The model's coding tables that :class:`~chartaudit.knowledge.Icd10cm` reads.

:class:`HistoryCodes` owns ``history_codes.json`` (condition -> personal- and
family-history Z codes), :class:`ScreeningCodes` owns ``screening_codes.json``
(condition -> the Z code of a screening for it) and :class:`SymptomTable` owns
``symptom_integral.json`` (symptoms routinely part of a diagnosis, guideline
I.B.5). All name codes by prefix (``C50``, ``E08.-``) or range (``C91-C95``); in the
first two the most specific key wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from chartaudit.knowledge.codes import code_number, normalize_pattern
from chartaudit.resources.files import PEOPLE_KEYS, FileCheck, ModelFile

def _entries(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The (code pattern, value) entries of a table file, without the keys for people."""
    return [(key, value) for key, value in data.items() if not key.startswith("_") and key not in PEOPLE_KEYS]


def specificity_order(pattern: str, order: int) -> tuple[float, int, int]:
    """The sort key that puts the most specific pattern first: a longer prefix before a
    shorter one, a prefix before a range of the same length, a narrower range before a
    wider one, then file order."""
    if "-" in pattern:
        low, _, high = pattern.partition("-")
        return -(len(low) - 0.5), code_number(high) - code_number(low), order
    return -float(len(pattern)), 0, order


@dataclass
class HistoryCodes(ModelFile):
    """``history_codes.json``: code prefix or range -> ``{"personal": Z code or null, "family": Z code or null}``.

    A condition with a family-history code but no personal-history code is chronic
    in the coding sense: "history of" it documents a condition still present
    (:meth:`chartaudit.compare.CodeRelations.chronic`).

    rules (list[tuple[str, str | None, str | None]]): (pattern, personal, family), the
        most specific first: a longer prefix before a shorter one, a prefix before a
        range of the same length, a narrower range before a wider one.
    """

    FILE_NAME = "history_codes.json"
    DESCRIPTION = "personal- and family-history Z codes per condition"
    MISSING = "no condition has history codes"
    ENTRY_KEYS: ClassVar[tuple[str, ...]] = ("personal", "family")

    rules: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.json_object()
        if data is None:
            return None
        for key, value in _entries(data):
            if normalize_pattern(key) is None or not isinstance(value, dict):
                check.problem(f"{key!r} is not a code prefix or range with personal/family codes", value=key)
                continue
            check.known_keys(value, cls.ENTRY_KEYS, repr(key))
            for role in cls.ENTRY_KEYS:
                code = value.get(role)
                if code is not None and (not isinstance(code, str)
                                         or (check.is_code is not None and not check.is_code(code))):
                    check.problem(f"{key!r}: {role} code {code!r} is not an ICD-10-CM code", value=key)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "HistoryCodes":
        rules: list[tuple[tuple[float, int, int], str, str | None, str | None]] = []
        for order, (key, value) in enumerate(_entries(data)):
            pattern = normalize_pattern(key)
            assert pattern is not None  # checked
            rules.append((specificity_order(pattern, order), pattern, value.get("personal") or None,
                          value.get("family") or None))
        rules.sort()
        return cls([(pattern, personal, family) for _, pattern, personal, family in rules])


@dataclass
class ScreeningCodes(ModelFile):
    """``screening_codes.json``: code prefix or range of a condition -> the Z code of a screening for it.

    "Screening for colon cancer" names colon cancer (C18.9) as the target of a
    screening: the mention never documents C18.9, and documents the screening code
    this table gives C18, Z12.11 (ICD-10-CM Index: Screening, neoplasm, colon). The most
    specific key wins, as in ``history_codes.json``.

    rules (list[tuple[str, str]]): (pattern, screening code), the most specific first.
    """

    FILE_NAME = "screening_codes.json"
    DESCRIPTION = "the screening Z code of a condition (Z11-Z13)"
    MISSING = "no screening supports a screening code"

    rules: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.json_object()
        if data is None:
            return None
        for key, value in _entries(data):
            if normalize_pattern(key) is None:
                check.problem(f"{key!r} is not a code prefix or range", value=key)
                continue
            code = normalize_pattern(value) if isinstance(value, str) and "-" not in value else None
            if code is None or not code.startswith(("Z11", "Z12", "Z13")):
                check.problem(f"{key!r}: {value!r} is not a screening code (Z11-Z13)", value=key)
            elif check.is_code is not None and not check.is_code(code):
                check.problem(f"{key!r}: screening code {value!r} is not an ICD-10-CM code", value=key)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "ScreeningCodes":
        rules: list[tuple[tuple[float, int, int], str, str]] = []
        for order, (key, value) in enumerate(_entries(data)):
            pattern = normalize_pattern(key)
            code = normalize_pattern(value)
            assert pattern is not None and code is not None  # checked
            rules.append((specificity_order(pattern, order), pattern, code))
        rules.sort()
        return cls([(pattern, code) for _, pattern, code in rules])


@dataclass(frozen=True)
class SymptomRule:
    """A symptom (code pattern) routinely part of some diagnoses (code patterns), and why."""

    symptom: str
    diagnoses: tuple[str, ...]
    note: str


@dataclass
class SymptomTable(ModelFile):
    """``symptom_integral.json``: symptoms integral to a diagnosis (guideline I.B.5).

    rules (list[SymptomRule]): ``rules`` of the file: symptom -> diagnoses, with a note.
    prefixes (tuple[str, ...]): Symptom-like code patterns outside chapter 18: the
        file's ``symptom_codes`` and every rule's symptom that is not an R code.
    """

    FILE_NAME = "symptom_integral.json"
    DESCRIPTION = "symptoms integral to a diagnosis (guideline I.B.5)"
    MISSING = "no symptom is integral to a diagnosis"
    KEYS: ClassVar[tuple[str, ...]] = ("symptom_codes", "rules")
    RULE_KEYS: ClassVar[tuple[str, ...]] = ("symptom", "diagnoses", "note")

    rules: list[SymptomRule] = field(default_factory=list)
    prefixes: tuple[str, ...] = ()

    @classmethod
    def check(cls, check: FileCheck) -> dict[str, Any] | None:
        data = check.json_object(cls.KEYS)
        if data is None:
            return None
        symptom_codes = data.get("symptom_codes", [])
        if not isinstance(symptom_codes, list):
            check.problem("\"symptom_codes\" must be a list of code prefixes", value="symptom_codes")
            symptom_codes = []
        for raw in symptom_codes:
            if normalize_pattern(raw) is None:
                check.problem(f"symptom_codes: {raw!r} is not a code prefix", value=raw)
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            check.problem("\"rules\" must be a list")
            return data
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict) or normalize_pattern(rule.get("symptom")) is None:
                check.problem(f"rules[{index}]: needs a \"symptom\" code prefix")
                continue
            check.known_keys(rule, cls.RULE_KEYS, f"rules[{index}] {rule['symptom']!r}")
            diagnoses = rule.get("diagnoses")
            if (not isinstance(diagnoses, list) or not diagnoses
                    or any(normalize_pattern(item) is None for item in diagnoses)):
                check.problem(f"rules[{index}] {rule['symptom']!r}: \"diagnoses\" must be a list of code prefixes "
                              "or ranges", value=rule["symptom"])
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "SymptomTable":
        prefixes: list[str] = [pattern for pattern in map(normalize_pattern, data.get("symptom_codes", [])) if pattern]
        rules: list[SymptomRule] = []
        for entry in data.get("rules", []):
            symptom = normalize_pattern(entry["symptom"])
            assert symptom is not None  # checked
            diagnoses = tuple(pattern for pattern in map(normalize_pattern, entry["diagnoses"]) if pattern)
            rules.append(SymptomRule(symptom, diagnoses, str(entry.get("note", ""))))
            if not symptom.startswith("R") and symptom not in prefixes:
                prefixes.append(symptom)
        return cls(rules, tuple(prefixes))
