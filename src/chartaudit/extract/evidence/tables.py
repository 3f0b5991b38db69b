"""The evidence tables: the words a note uses for what a Z code or an external-cause code names.

A condition code is documented by a mention of the condition; many Z codes and
every external-cause code are documented by something else (see
:mod:`chartaudit.knowledge.kinds`). Each table below is a model file with its owner
class; the evidence matcher (:mod:`chartaudit.extract.evidence.component`) finds
their phrases in a note as mentions of their kind:

* ``drug_classes.json`` (:class:`DrugClasses`): long-term drug therapy, Z79 code ->
  drug names and drug-class words ("apixaban", "Eliquis", "anticoagulation" -> Z79.01);
* ``allergy_codes.json`` (:class:`AllergyCodes`): allergy status, Z88 / Z91.0 code ->
  the substances of its class ("allergic to penicillin", "PCN allergy" -> Z88.0; in an
  allergy list, the substance alone);
* ``status_terms.json`` (:class:`StatusTerms`): procedure and device phrases ->
  status code ("CABG" -> Z95.1), generated from the ICD-10-CM Index ("Status (post)",
  "Presence (of)", "Transplant") plus curated abbreviations;
* ``encounter_terms.json`` (:class:`EncounterTerms`): the reason for a visit ->
  encounter code ("annual exam" -> Z00.0, "influenza vaccine" -> Z23) and screening
  tests named without their condition ("PHQ-9" -> Z13.31);
* ``external_causes.json`` (:class:`ExternalCauses`): the mechanism of an injury ->
  external-cause category ("tripped" -> W01, "dog bite" -> W54);
* ``bmi_codes.json`` (:class:`BmiCodes`): how a note states a BMI, and the Z68 code
  of each range of values.

Every code is checked against its kind when a model is validated (a Z79 code in the
drug table, a V00-Y99 code in the external causes, ...), and against ICD-10-CM.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chartaudit.knowledge.codes import normalize_pattern
from chartaudit.knowledge.kinds import kind_of
from chartaudit.resources.files import FileCheck, ModelFile

#: One evidence term: (kind, phrase, codes, concept).
EvidenceTerm = tuple[str, str, tuple[str, ...], str]


def _check_code(check: FileCheck, raw: Any, kinds: tuple[str, ...], where: str) -> str | None:
    """The normalised code of a table entry, or None (and a problem) when it is not a code of ``kinds``."""
    code = normalize_pattern(raw) if isinstance(raw, str) and "-" not in raw.strip().rstrip("-") else None
    if code is None:
        check.problem(f"{where}: {raw!r} is not an ICD-10-CM code", value=raw)
        return None
    if kind_of(code) not in kinds:
        check.problem(f"{where}: {code} is not a code of kind {' or '.join(kinds)} "
                      "(chartaudit.knowledge.kinds)", value=raw)
        return None
    if check.is_code is not None and not check.is_code(code):
        check.problem(f"{where}: {code} is not an ICD-10-CM 2026 code", value=raw)
        return None
    return code


def _phrase_table(check: FileCheck, data: dict[str, Any], key: str, kinds: tuple[str, ...]) -> dict[str, str]:
    """A ``{phrase: code}`` object of a file, checked: phrases non-empty, codes of ``kinds``."""
    table = data.get(key, {})
    if not isinstance(table, dict):
        check.problem(f"\"{key}\" must be an object of phrase -> code", value=key)
        return {}
    result: dict[str, str] = {}
    seen: dict[str, str] = {}
    for phrase, raw in table.items():
        if not isinstance(phrase, str) or not phrase.strip():
            check.problem(f"{key}: a phrase must be a non-empty string", value=phrase)
            continue
        normal = " ".join(phrase.lower().split())
        if normal in seen:
            check.problem(f"{key}: {phrase!r} is listed twice (as {seen[normal]!r})", value=phrase)
            continue
        seen[normal] = phrase
        code = _check_code(check, raw, kinds, f"{key} {phrase!r}")
        if code is not None:
            result[phrase] = code
    return result


def _named_classes(check: FileCheck, data: dict[str, Any], kind: str, keys: tuple[str, str],
                   items_label: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The ``classes`` object of a file, checked: code of ``kind`` -> ``{"name": ..., items: [...]}``,
    ``keys`` being ("name", the items' key).

    RETURNS (dict[str, tuple[str, tuple[str, ...]]]): code -> (class name, items).
    """
    items_key = keys[1]
    result: dict[str, tuple[str, tuple[str, ...]]] = {}
    classes = data.get("classes", {})
    if not isinstance(classes, dict):
        check.problem(f"\"classes\" must be an object of code -> {{name, {items_key}}}", value="classes")
        return result
    for raw, entry in classes.items():
        where = f"classes {raw!r}"
        code = _check_code(check, raw, (kind,), "classes")
        if not isinstance(entry, dict):
            check.problem(f"{where}: must be an object with \"name\" and \"{items_key}\"", value=raw)
            continue
        check.known_keys(entry, keys, where)
        name, items = entry.get("name"), entry.get(items_key)
        if not isinstance(name, str) or not name.strip():
            check.problem(f"{where}: \"name\" must be a non-empty string", value=raw)
            name = str(raw)
        if not isinstance(items, list) or not items or not all(isinstance(item, str) and item.strip() for item in items):
            check.problem(f"{where}: \"{items_key}\" must be a non-empty list of {items_label}", value=raw)
            continue
        normal = [" ".join(item.lower().split()) for item in items]
        repeated = sorted({item for item in normal if normal.count(item) > 1})
        if repeated:
            check.problem(f"{where}: {repeated[0]!r} is listed twice", value=raw)
        if code is not None:
            result[code] = (name, tuple(items))
    return result


@dataclass
class DrugClasses(ModelFile):
    """``drug_classes.json``: long-term (current) drug therapy, Z79 code -> the drugs of its class.

    A drug named in the note (the medication list, "on apixaban long term") is a
    mention of kind ``drug`` whose code is its class's; a drug listed under two
    classes (a combination product) gets both codes. Brand names and class words
    ("anticoagulation", "oral hypoglycemic") are drugs like any other.

    classes (dict[str, tuple[str, tuple[str, ...]]]): Z79 code -> (class name, drugs).
    exclude_sections (frozenset[str]): Section categories whose drugs are not taken
        ("allergies": "Allergies: aspirin").
    """

    FILE_NAME = "drug_classes.json"
    DESCRIPTION = "long-term drug therapy: Z79 code -> drug names and classes"
    MISSING = "no drug supports a long-term drug therapy code (Z79)"
    KEYS: ClassVar[tuple[str, ...]] = ("classes", "exclude_sections")
    CLASS_KEYS: ClassVar[tuple[str, str]] = ("name", "drugs")

    classes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    exclude_sections: frozenset[str] = frozenset()

    @classmethod
    def check(cls, check: FileCheck) -> "DrugClasses":
        result = cls()
        data = check.json_object(cls.KEYS)
        if data is None:
            return result
        sections = check.string_list(data, "exclude_sections", "section categories")
        result.exclude_sections = frozenset(sections or ())
        result.classes = _named_classes(check, data, "drug", cls.CLASS_KEYS, "drug names")
        return result

    @classmethod
    def from_data(cls, data: "DrugClasses") -> "DrugClasses":
        return data

    def terms(self) -> Iterator[EvidenceTerm]:
        """Each drug once, with the codes of every class that lists it."""
        codes: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for code, (class_name, drugs) in self.classes.items():
            for drug in drugs:
                key = " ".join(drug.lower().split())
                codes.setdefault(key, []).append(code)
                names.setdefault(key, f"{drug} ({class_name})")
        for key, drug_codes in codes.items():
            yield "drug", key, tuple(drug_codes), names[key]


@dataclass
class AllergyCodes(ModelFile):
    """``allergy_codes.json``: allergy status, Z88 / Z91.0 code -> the substances of its class.

    A substance is an allergy in one of the ``phrases`` ("allergic to {}", "{} allergy",
    "{} allergic") or, alone, in a section of ``sections`` ("Allergies: penicillin, sulfa"):
    a mention of kind ``allergy`` with its class's code. Elsewhere a drug name is a drug.

    classes (dict[str, tuple[str, tuple[str, ...]]]): code -> (class name, substances).
    phrases (tuple[str, ...]): Templates, ``{}`` standing for the substance.
    sections (frozenset[str]): Section categories whose substances are allergies.
    """

    FILE_NAME = "allergy_codes.json"
    DESCRIPTION = "allergy status: Z88 / Z91.0 code -> substances, phrase templates, allergy sections"
    MISSING = "no allergy supports an allergy status code (Z88, Z91.0)"
    KEYS: ClassVar[tuple[str, ...]] = ("classes", "phrases", "sections")
    CLASS_KEYS: ClassVar[tuple[str, str]] = ("name", "substances")

    classes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    phrases: tuple[str, ...] = ()
    sections: frozenset[str] = frozenset()

    @classmethod
    def check(cls, check: FileCheck) -> "AllergyCodes":
        result = cls()
        data = check.json_object(cls.KEYS)
        if data is None:
            return result
        result.sections = frozenset(check.string_list(data, "sections", "section categories") or ())
        phrases = check.string_list(data, "phrases", "phrase templates") or []
        for phrase in phrases:
            if phrase.count("{}") != 1:
                check.problem(f"phrases: {phrase!r} must hold {{}} once, where the substance goes", value=phrase)
        result.phrases = tuple(phrase for phrase in phrases if phrase.count("{}") == 1)
        result.classes = _named_classes(check, data, "allergy", cls.CLASS_KEYS, "names")
        return result

    @classmethod
    def from_data(cls, data: "AllergyCodes") -> "AllergyCodes":
        return data

    def terms(self) -> Iterator[EvidenceTerm]:
        """Each substance in each phrase template ("allergic to penicillin")."""
        for code, (name, substances) in self.classes.items():
            for substance in substances:
                for template in self.phrases:
                    yield "allergy", template.format(substance), (code,), f"{name} allergy"

    def listed_terms(self) -> Iterator[EvidenceTerm]:
        """Each substance alone: an allergy only in an allergy list (:attr:`sections`)."""
        for code, (name, substances) in self.classes.items():
            for substance in substances:
                yield "allergy", substance, (code,), f"{name} allergy"


@dataclass
class PhraseTables(ModelFile):
    """The base of a file of ``{phrase: code}`` objects: each top-level key is one table, whose
    phrases are evidence of one kind (:data:`chartaudit.types.MENTION_KINDS`) and whose codes must
    be of the kinds it allows (:mod:`chartaudit.knowledge.kinds`).

    tables (dict[str, dict[str, str]]): key -> phrase -> code, in the order of :attr:`TABLES`.
    """

    #: key -> (the kind of a mention of its phrases, the kinds its codes may have).
    TABLES: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}

    tables: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def check(cls, check: FileCheck) -> "PhraseTables":
        data = check.json_object(tuple(cls.TABLES))
        if data is None:
            return cls()
        return cls({key: _phrase_table(check, data, key, kinds) for key, (_, kinds) in cls.TABLES.items()})

    @classmethod
    def from_data(cls, data: "PhraseTables") -> "PhraseTables":
        return data

    def table(self, key: str) -> dict[str, str]:
        """One table of the file (empty when the file lacks it)."""
        return self.tables.get(key, {})

    def terms(self) -> Iterator[EvidenceTerm]:
        """Every phrase, table by table (a later table wins for the same phrase)."""
        for key, (kind, _) in self.TABLES.items():
            for phrase, code in self.table(key).items():
                yield kind, phrase, (code,), phrase


@dataclass
class StatusTerms(PhraseTables):
    """``status_terms.json``: a procedure or device the patient has had -> its status code.

    ``index``: generated from the ICD-10-CM Alphabetic Index ("Status (post)",
    "Presence (of)", "Transplant") by ``python -m chartaudit.extract.evidence.build``
    (do not edit: the build rewrites it); ``curated``: phrases people add
    (abbreviations: "CABG", "PCI", "TKA"), kept by the build and winning over ``index``.
    """

    FILE_NAME = "status_terms.json"
    DESCRIPTION = "procedure and device phrases -> status Z code (Index 'Status', 'Presence', 'Transplant')"
    MISSING = "no procedure or device supports a status code"
    KINDS: ClassVar[tuple[str, ...]] = ("status", "personal_history")
    TABLES: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {"index": ("status", KINDS),
                                                                "curated": ("status", KINDS)}


@dataclass
class EncounterTerms(PhraseTables):
    """``encounter_terms.json``: why the patient came, and screening tests named without their condition.

    ``encounter``: phrase -> encounter code ("annual exam" -> Z00.0, "influenza
    vaccine" -> Z23, "follow-up after completed treatment" -> Z09); ``screening``:
    phrase -> screening code, for a test that is a screening by itself or says so
    ("PHQ-9" -> Z13.31, "screening colonoscopy" -> Z12.11). A screening that names its
    condition ("screening for colon cancer") needs no entry: ``screening_codes.json``.
    """

    FILE_NAME = "encounter_terms.json"
    DESCRIPTION = "visit reasons -> encounter Z code; screening tests -> screening Z code"
    MISSING = "no visit reason or screening test supports an encounter or screening code"
    TABLES: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {"encounter": ("encounter", ("encounter",)),
                                                                "screening": ("screening", ("screening",))}


@dataclass
class ExternalCauses(PhraseTables):
    """``external_causes.json``: how an injury happened -> the external-cause category (V00-Y99).

    ``mechanisms``: phrase -> category or subcategory ("tripped" -> W01, "dog bite" ->
    W54, "fell down the stairs" -> W10). A billed external-cause code is supported by a
    mechanism whose code is it or an ancestor of it: the category supports every
    code below it, whatever its 7th character. The ICD-10-CM Index of External Causes
    is the reference for each entry.
    """

    FILE_NAME = "external_causes.json"
    DESCRIPTION = "injury mechanisms -> external-cause category (V00-Y99)"
    MISSING = "no mechanism supports an external-cause code"
    TABLES: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "mechanisms": ("external_cause", ("external_cause",))}


@dataclass(frozen=True)
class BmiRange:
    """Values from ``low`` (included) to ``high`` (excluded) and the Z68 codes they document."""

    low: float
    high: float
    codes: tuple[str, ...]


@dataclass
class BmiCodes(ModelFile):
    """``bmi_codes.json``: a stated body mass index -> the Z68 code whose range holds it.

    ``patterns``: ``adult`` and ``pediatric_percentile``, each a list of regular
    expressions (case-insensitive) with a named group ``value`` ("BMI 35.2", "BMI: 41",
    "body mass index 28.4"; "BMI 97th percentile"). ``anchors``: words of which every
    pattern needs one ("bmi", "body mass"): a note without any is not searched. ``adult`` and
    ``pediatric_percentile``: lists of ``[low, high, code]`` (low included, high
    excluded; ``code`` may name several codes separated by ``|`` when the value
    cannot tell them apart: the 95th percentile and above).

    patterns (dict[str, tuple[re.Pattern[str], ...]]): scale -> compiled patterns.
    ranges (dict[str, tuple[BmiRange, ...]]): scale -> ranges, ascending.
    """

    FILE_NAME = "bmi_codes.json"
    DESCRIPTION = "stated BMI values -> Z68 code (adult ranges, pediatric percentiles)"
    MISSING = "no stated BMI supports a Z68 code"
    SCALES: ClassVar[tuple[str, ...]] = ("adult", "pediatric_percentile")
    KEYS: ClassVar[tuple[str, ...]] = ("patterns", "anchors", *SCALES)

    patterns: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    ranges: dict[str, tuple[BmiRange, ...]] = field(default_factory=dict)
    #: ``anchors`` of the file: words of which every pattern needs one; a text holding none of them
    #: (compared in lower case) is not searched. Empty: every text is searched.
    anchors: tuple[str, ...] = ()

    @classmethod
    def check(cls, check: FileCheck) -> "BmiCodes":
        result = cls()
        data = check.json_object(cls.KEYS)
        if data is None:
            return result
        patterns = data.get("patterns", {})
        if not isinstance(patterns, dict):
            check.problem("\"patterns\" must be an object of scale -> list of regular expressions", value="patterns")
            patterns = {}
        check.known_keys(patterns, cls.SCALES, "patterns")
        result.anchors = tuple(word.lower() for word in check.string_list(data, "anchors", "words") or ())
        for scale in cls.SCALES:
            compiled = []
            for pattern in patterns.get(scale, []):
                label = f"patterns {scale}"
                before = len(check.problems)
                check.compile_regex(pattern, label, re.IGNORECASE)
                if len(check.problems) > before:
                    continue
                regex = re.compile(pattern, re.IGNORECASE)
                if "value" not in regex.groupindex:
                    check.problem(f"{label}: {pattern!r} has no group named 'value'", value=pattern)
                    continue
                compiled.append(regex)
            result.patterns[scale] = tuple(compiled)
            result.ranges[scale] = cls._check_ranges(check, data.get(scale, []), scale)
        return result

    @staticmethod
    def _check_ranges(check: FileCheck, rows: Any, scale: str) -> tuple[BmiRange, ...]:
        if not isinstance(rows, list):
            check.problem(f"\"{scale}\" must be a list of [low, high, code]", value=scale)
            return ()
        ranges: list[BmiRange] = []
        for index, row in enumerate(rows):
            where = f"{scale}[{index}]"
            if (not isinstance(row, list) or len(row) != 3 or not all(isinstance(v, (int, float)) for v in row[:2])
                    or not isinstance(row[2], str) or not row[0] < row[1]):
                check.problem(f"{where}: must be [low, high, code] with low < high")
                continue
            codes = tuple(code for code in (_check_code(check, part.strip(), ("bmi",), where)
                                            for part in row[2].split("|")) if code)
            if ranges and row[0] < ranges[-1].high:
                check.problem(f"{where}: [{row[0]}, {row[1]}) overlaps the range before it or is out of order")
                continue
            if codes:
                ranges.append(BmiRange(float(row[0]), float(row[1]), codes))
        return tuple(ranges)

    @classmethod
    def from_data(cls, data: "BmiCodes") -> "BmiCodes":
        return data

    def codes_for(self, scale: str, value: float) -> tuple[str, ...]:
        """The codes of the range that holds ``value`` on a scale ("adult", "pediatric_percentile"), or ().

        Usage::

            bmi.codes_for("adult", 35.2)  # ("Z68.35",)
        """
        for bmi_range in self.ranges.get(scale, ()):
            if bmi_range.low <= value < bmi_range.high:
                return bmi_range.codes
        return ()

    def find(self, text: str) -> Iterator[tuple[int, int, float, tuple[str, ...]]]:
        """The stated BMI values of a text: (start, end, value, codes), percentiles first, no overlaps.

        Usage::

            list(bmi.find("Vitals: BMI 35.2."))  # [(8, 16, 35.2, ("Z68.35",))]
        """
        if self.anchors:
            lower = text.lower()
            if not any(anchor in lower for anchor in self.anchors):
                return  # most notes state no BMI: looking for the words is far cheaper than the patterns
        taken: list[tuple[int, int]] = []
        for scale in ("pediatric_percentile", "adult"):
            for pattern in self.patterns.get(scale, ()):
                for match in pattern.finditer(text):
                    start, end = match.span()
                    if any(start < other_end and other_start < end for other_start, other_end in taken):
                        continue
                    try:
                        value = float(match.group("value"))
                    except (TypeError, ValueError):
                        continue
                    codes = self.codes_for(scale, value)
                    if codes:
                        taken.append((start, end))
                        yield start, end, value, codes

