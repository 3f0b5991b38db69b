"""Plain result types shared by every stage: mentions, evidence, findings, results.

Every stage of chartaudit passes these dataclasses along; none of them holds a
reference to spaCy objects, so they pickle cheaply across worker processes and
serialise to JSON with ``to_dict()``.

Usage::

    from chartaudit.types import Mention
    mention = Mention(text="chest pain", start=10, end=20, codes=["R07.9"])
    mention.assertion  # "affirmed"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SETTINGS: tuple[str, ...] = ("outpatient", "inpatient")

#: The sides the ICD-10-CM titles state, in the words the titles use ("Pain in right
#: shoulder", "Pain in unspecified shoulder"). A mention's side
#: (:attr:`Mention.laterality`) is one of the first three; the words a note uses for a
#: side ("rt", "b/l") are model data (``anatomy.json``), never code.
SIDES: tuple[str, ...] = ("right", "left", "bilateral", "unspecified")

#: The assertion labels, in the order in which one label wins over another when a
#: mention carries several flags ("no family history of cancer" is negated). A
#: ``screening`` mention names what a screening looks for ("Screening for colon
#: cancer", "prostate cancer screening"): it is never the disease, whatever doubt or
#: plan surrounds it, so it outranks ``hypothetical`` and ``uncertain``.
ASSERTIONS: tuple[str, ...] = (
    "negated",
    "family",
    "screening",
    "hypothetical",
    "uncertain",
    "historical",
    "affirmed",
)


#: What a mention is evidence of. ``condition``: a complaint, sign or diagnosis (the
#: lexicon and the ICD-10-CM terms). The others come from the evidence tables of the
#: model and support the Z codes and external-cause codes of their kind: ``drug`` (a
#: drug or drug class of ``drug_classes.json``: long-term drug therapy, Z79.-),
#: ``status`` (a procedure or device of ``status_terms.json``: Z95.1 "CABG"),
#: ``encounter`` and ``screening`` (a visit reason or a screening test of
#: ``encounter_terms.json``: Z00.00 "annual exam", Z12.11 "screening colonoscopy"),
#: ``external_cause`` (a mechanism of ``external_causes.json``: W54 "dog bite") and
#: ``bmi`` (a stated body mass index, ``bmi_codes.json``: Z68.35 "BMI 35.2").
MENTION_KINDS: tuple[str, ...] = ("condition", "drug", "allergy", "status", "encounter", "screening", "external_cause",
                                  "bmi")

#: How a mention was found (``Mention.source``), said to a reader when it was not by its term as
#: written: "fuzzy" (a misspelling or variant) and "words" (the words of a billed code's phrase
#: apart in one sentence, looked for because no mention named the code).
SOURCE_LABELS: dict[str, str] = {"fuzzy": "fuzzy match", "words": "its words apart"}

SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

#: Longest note checked: a longer note is checked up to the last line break (or space)
#: before this many characters, and the ``note_truncated`` warning says where it stopped.
#: The longest real notes (discharge summaries) hold ~100,000 characters; 2,000,000 take
#: ~10 s to read, so a batch is never held up long by one pasted document.
MAX_NOTE_CHARACTERS = 2_000_000


@dataclass
class Mention:
    """One complaint, diagnosis or finding that the note documents.

    ``codes`` holds candidate ICD-10-CM codes, best first. When the note states a
    side, ``codes`` already holds the side-specific code. The assertion flags come
    from ConText; ``family`` is true for any experiencer other than the patient;
    ``screening`` for the target of a screening ("screening for colon cancer").
    ``kind`` says what the mention is evidence of (:data:`MENTION_KINDS`): a
    condition, or a drug, allergy, status, encounter reason, screening test, external
    cause or BMI value that supports a Z code or external-cause code.

    ``historical`` is the billing sense: past, not current (it makes a code
    ``history_only``). ``temporality`` is NegEx's sense, when the condition began:
    "historical" for an onset more than about two weeks ago, which includes
    current chronic conditions ("known CAD", "hypertension for 10 years");
    "hypothetical"; or "recent". It never decides a finding. A historical or
    hypothetical mention always has that temporality.
    """

    text: str
    start: int
    end: int
    codes: list[str] = field(default_factory=list)
    concept: str = ""
    section: str | None = None
    laterality: str | None = None  # "right" | "left" | "bilateral" | None
    site: str | None = None
    negated: bool = False
    historical: bool = False
    family: bool = False
    hypothetical: bool = False
    uncertain: bool = False
    screening: bool = False
    source: str = "lexicon"  # "lexicon" | "icd" | "index" | "abbreviation" | "fuzzy" | "evidence" | "words"
    sentence_start: int = 0
    sentence_end: int = 0
    temporality: str = "recent"  # "recent" | "historical" | "hypothetical" (NegEx: onset over 2 weeks ago)
    kind: str = "condition"  # one of MENTION_KINDS

    def __post_init__(self) -> None:
        if self.hypothetical:
            self.temporality = "hypothetical"
        elif self.historical and self.temporality == "recent":
            self.temporality = "historical"

    @property
    def assertion(self) -> str:
        """The single label that decides what this mention means for a claim."""
        for label in ASSERTIONS[:-1]:
            if getattr(self, label):
                return label
        return "affirmed"

    @property
    def affirmed(self) -> bool:
        """True for a current condition of the patient, stated as a fact."""
        return self.assertion == "affirmed"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["assertion"] = self.assertion
        return data


@dataclass
class Evidence:
    """A span of the note quoted in support of a finding."""

    text: str
    start: int
    end: int
    section: str | None = None
    assertion: str = "affirmed"
    source: str = "lexicon"

    @classmethod
    def from_mention(cls, mention: Mention) -> "Evidence":
        return cls(
            text=mention.text,
            start=mention.start,
            end=mention.end,
            section=mention.section,
            assertion=mention.assertion,
            source=mention.source,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Finding:
    """One problem (or note) about the claim, explained for a coder."""

    type: str
    severity: Severity
    code: str | None
    message: str
    related_code: str | None = None
    suggestion: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    guideline: str = ""
    #: What the finding is about, in words, when its rule's provider query names it (the
    #: undocumented detail of an ``unsupported_specificity`` finding: "acute on chronic, systolic").
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [item.to_dict() for item in self.evidence]
        return data


@dataclass
class CodeResult:
    """What the note says about one billed diagnosis code.

    ``status`` is one of: supported, unsupported, negated, uncertain,
    history_only, family_history_only, laterality_mismatch, invalid, or
    not_checked (after an input_error; or, when the note was too long to check
    in full, for a code the checked part does not support). ``billable`` is False for a valid header
    code, whose evidence is still checked.
    """

    code: str
    input: str
    description: str
    status: str
    billable: bool = True
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [item.to_dict() for item in self.evidence]
        return data


@dataclass
class ProcedureResult:
    """A billed procedure and what its coverage policies say about it."""

    code: str
    status: str  # "covered" | "not_covered" | "no_policy"
    policy_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    """The outcome of checking one encounter: findings, codes and mentions."""

    findings: list[Finding]
    codes: list[CodeResult]
    mentions: list[Mention]
    procedures: list[ProcedureResult] = field(default_factory=list)
    setting: str = "outpatient"
    encounter_id: str | None = None

    @property
    def needs_review(self) -> bool:
        """True when any finding is an error or a warning."""
        return any(f.severity in ("error", "warning") for f in self.findings)

    def findings_of(self, finding_type: str) -> list[Finding]:
        return [f for f in self.findings if f.type == finding_type]

    def to_dict(self) -> dict[str, Any]:
        return {
            "encounter_id": self.encounter_id,
            "setting": self.setting,
            "needs_review": self.needs_review,
            "findings": [f.to_dict() for f in self.findings],
            "codes": [c.to_dict() for c in self.codes],
            "procedures": [p.to_dict() for p in self.procedures],
            "mentions": [m.to_dict() for m in self.mentions],
        }
