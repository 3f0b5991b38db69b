"""The model's two coding tables that :class:`~chartaudit.knowledge.Icd10cm` reads.

:class:`HistoryCodes` owns ``history_codes.json`` (condition -> personal- and
family-history Z codes) and :class:`SymptomTable` owns ``symptom_integral.json``
(symptoms routinely part of a diagnosis, guideline I.B.5). Both name codes by
prefix (``C50``, ``E08.-``) or range (``C91-C95``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from chartaudit.knowledge.codes import code_number, normalize_pattern
from chartaudit.resources.files import PEOPLE_KEYS, FileCheck, ModelFile

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
        for key, value in data.items():
            if key.startswith("_") or key in PEOPLE_KEYS:
                continue
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
        rules: list[tuple[float, int, int, str, str | None, str | None]] = []
        for order, (key, value) in enumerate(data.items()):
            if key.startswith("_") or key in PEOPLE_KEYS:
                continue
            pattern = normalize_pattern(key)
            assert pattern is not None  # checked
            if "-" in pattern:
                low, _, high = pattern.partition("-")
                specificity, width = len(low) - 0.5, code_number(high) - code_number(low)
            else:
                specificity, width = float(len(pattern)), 0
            rules.append((-specificity, width, order, pattern, value.get("personal") or None, value.get("family") or None))
        rules.sort()
        return cls([(pattern, personal, family) for _, _, _, pattern, personal, family in rules])


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
