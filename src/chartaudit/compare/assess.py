"""Compare the note's mentions with each billed diagnosis code.

One :class:`CodeAssessment` per billed code records which mentions relate to it and
what they say (affirmed, negated, historical, family, uncertain, hypothetical,
another side). The status follows the order in ``docs/findings.md``; the finding
rules read these assessments and never repeat the comparison.

What documents a code depends on its kind (:mod:`chartaudit.knowledge.kinds`). A
condition code is documented by a mention of the condition (related as
:class:`CodeRelations` says). The other kinds are documented by their own evidence,
never by a current mention of a condition:

* a personal-history code (Z85-Z87, I25.2, ...) by a *past* mention of a condition
  that ``history_codes.json`` maps to it ("PMH: MI 2018" -> I25.2), or by a mention of
  the code itself, current or past ("former smoker" -> Z87.891);
* a family-history code (Z80-Z84) by a relative's condition that the same table maps
  to it ("FHx: father with CAD" -> Z82.49), or by a mention of the code itself;
* a screening code (Z11-Z13) by the target of a screening that ``screening_codes.json``
  maps to it ("Screening for colon cancer" -> Z12.11; a negative screen counts), or by
  a screening test ("PHQ-9" -> Z13.31);
* a status, drug, BMI, encounter or external-cause code by a mention of the code
  itself, its ancestor or its descendant (never a sibling: clopidogrel's Z79.02 is not
  Z79.01), with the assertions of :data:`DIRECT_ASSERTIONS` (a drug only when taken: not
  stopped, denied or planned; a status also when past: "s/p CABG").

A screening mention never documents the condition it screens for: a code whose only
related mentions are screenings is ``unsupported``.

A historical mention still supports its code when the condition is chronic, in one
of two senses, each with its own list in the model: the code's condition (or the
condition the mention's own code names) has a family-history code but no
personal-history code in ``history_codes.json`` (:meth:`CodeRelations.chronic`:
"history of hypertension"; "history of ischemic heart disease", I25.9, documents a
billed I51.9 heart disease), or the mention's own words say it lasts,
``chronic_words`` of ``lexical.json`` (:func:`states_chronic`: "history of chronic
atrial fibrillation"). NegEx temporality's "chronic"
(``temporality_rules.json``) never decides a status; ``models/README.md``
("Chronic conditions") sets the three side by side.

Usage::

    assessments = assess_codes(["R07.9", "M25.511"], mentions, relations, "outpatient")
    assessments[1].status  # "unsupported"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chartaudit.compare.relations import CodeRelations
from chartaudit.types import Mention

if TYPE_CHECKING:
    from chartaudit.knowledge import Icd10cm

#: For a code of each kind other than a condition: the assertions with which a mention of the code
#: itself (or of its ancestor or descendant) documents it.
DIRECT_ASSERTIONS: dict[str, frozenset[str]] = {
    "personal_history": frozenset({"affirmed", "historical"}),
    "family_history": frozenset({"affirmed", "family"}),
    "screening": frozenset({"affirmed", "negated", "screening"}),
    "status": frozenset({"affirmed", "historical"}),
    "drug": frozenset({"affirmed"}),
    "allergy": frozenset({"affirmed", "historical"}),  # a known allergy is lifelong: "h/o PCN allergy"
    "bmi": frozenset({"affirmed"}),
    "encounter": frozenset({"affirmed"}),
    "external_cause": frozenset({"affirmed", "historical"}),
}
#: What else of a mention of the code itself is recorded as related (it decides the status of an
#: undocumented code: "stopped warfarin" makes Z79.01 history_only, "no prior CABG" makes Z95.1
#: negated). A planned or doubted drug, status or visit is not recorded: the code is unsupported.
RECORDED_ASSERTIONS: frozenset[str] = frozenset({"negated", "historical", "family"})


@dataclass
class CodeAssessment:
    """What the note says about one billed code (internal to the compare stage)."""

    input: str
    code: str | None
    valid: bool = False
    billable: bool = False
    description: str = ""
    status: str = "unsupported"
    supporting: list[Mention] = field(default_factory=list)
    by_assertion: dict[str, list[Mention]] = field(default_factory=dict)
    other_side: list[tuple[Mention, str]] = field(default_factory=list)
    more_specific: list[tuple[Mention, str]] = field(default_factory=list)

    @property
    def related(self) -> list[Mention]:
        mentions = [m for group in self.by_assertion.values() for m in group]
        return sorted(mentions, key=lambda m: m.start)

    def mentions_with(self, *assertions: str) -> list[Mention]:
        found = [m for a in assertions for m in self.by_assertion.get(a, [])]
        return sorted(found, key=lambda m: m.start)


def _resolve_specific(relations: CodeRelations, billed: str, candidate: str,
                      words: frozenset[str]) -> str | None:
    """A billable code at least as specific as ``candidate`` to suggest for ``billed``."""
    knowledge = relations.knowledge
    if not relations.more_specific(billed, candidate, words):
        return None
    if knowledge.is_billable(candidate):
        return candidate
    # Same 7th character as the billed code, when the candidate lacks it (S93.40 → S93.402A).
    seventh = knowledge.seventh_character(billed)
    if seventh is None:
        return None
    for descendant in knowledge.billable_descendants(candidate, limit=50):
        if knowledge.seventh_character(descendant) == seventh and not knowledge.is_unspecified(descendant):
            return descendant
    return None


def _states_no_side(knowledge, billed: str, mention: Mention) -> bool:
    """True when the mention relates to ``billed`` only through a side-less ancestor code."""
    if mention.laterality:
        return False
    return all(candidate != billed and knowledge.is_ancestor(candidate, billed) or
               not knowledge.related(candidate, billed) for candidate in mention.codes)


def _states_other_side(mention: Mention, billed_side: str | None) -> bool:
    """True when the mention states one side and the billed code is for the other one."""
    return (billed_side in ("right", "left") and mention.laterality in ("right", "left")
            and mention.laterality != billed_side)


def states_chronic(mention: Mention, chronic_words: frozenset[str]) -> bool:
    """True when the mention's own words say the condition lasts ("history of chronic atrial
    fibrillation", "long-standing hypertension"): a chronic condition is coded as current.

    chronic_words (frozenset[str]): ``chronic_words`` of the model's ``lexical.json``.
    """
    return any(word in chronic_words for word in mention.text.lower().split())


def assess_code(
    raw: str,
    code: str | None,
    mentions: list[Mention],
    relations: CodeRelations,
    setting: str,
) -> CodeAssessment:
    """Decide what the note says about one billed code."""
    knowledge = relations.knowledge
    assessment = CodeAssessment(input=raw, code=code)
    if code is None or not knowledge.is_valid(code):
        assessment.status = "invalid"
        return assessment
    assessment.valid = True
    assessment.billable = knowledge.is_billable(code)
    assessment.description = knowledge.description(code)

    kind = relations.evidence_kind(code)
    if kind != "condition":
        supporting = _assess_evidence(assessment, code, kind, mentions, relations)
        return _decide(assessment, supporting, setting, knowledge)

    billed_side = knowledge.laterality(code)
    for mention in mentions:
        if mention.kind != "condition":
            continue  # a drug, status, visit reason, screening test, mechanism or BMI never documents a condition
        other_side = None
        is_related = False
        specific = None
        words = relations.significant_words(mention.text)
        for candidate in mention.codes:
            if relations.related(code, candidate, words):
                is_related = True
                specific = specific or _resolve_specific(relations, code, candidate, words)
            elif other_side is None:
                other_side = relations.is_other_side(code, candidate)
        if is_related and _states_other_side(mention, billed_side):
            # "Cellulitis of the left leg" (L03.90, no side of its own) is no evidence for the right leg.
            is_related = False
            other_side = knowledge.laterality_siblings(code).get(mention.laterality or "")
        if is_related:
            assessment.by_assertion.setdefault(mention.assertion, []).append(mention)
            if mention.affirmed and specific:
                assessment.more_specific.append((mention, specific))
        elif other_side is not None and mention.assertion in ("affirmed", "uncertain"):
            assessment.other_side.append((mention, other_side))

    supporting = assessment.mentions_with("affirmed")
    if setting == "inpatient":
        supporting += assessment.mentions_with("uncertain")  # Guideline II.H
    if not supporting and relations.chronic(code):
        # "History of hypertension": a chronic condition without a personal-history
        # code is still present and is coded as current (history_codes.json).
        supporting = assessment.mentions_with("historical")
    if not supporting:
        # "History of chronic atrial fibrillation": the mention itself says the condition lasts; "history
        # of ischemic heart disease" (I25.9, chronic) names a lasting condition, so the heart disease
        # it documents (I51.9) is current too.
        chronic_words = relations.words.chronic_words
        supporting = [m for m in assessment.mentions_with("historical") if states_chronic(m, chronic_words)
                      or any(relations.chronic(candidate) for candidate in m.codes)]
    return _decide(assessment, supporting, setting, knowledge)


def _assess_evidence(assessment: CodeAssessment, code: str, kind: str, mentions: list[Mention],
                     relations: CodeRelations) -> list[Mention]:
    """Record the mentions related to a code of a kind other than a condition; return those that document it.

    A mention of the code itself documents it with the assertions of :data:`DIRECT_ASSERTIONS`. A
    condition that the model's tables map to a history or screening code documents it when it is
    past (personal history), a relative's (family history) or the target of a screening, denied or
    not, that is neither past, planned nor a relative's; a denied past condition ("no history of
    MI") and a relative's are recorded for a personal-history code, and a denied relative's for a
    family-history code, so that their status says so.
    """
    direct_assertions = DIRECT_ASSERTIONS[kind]
    maps = kind in ("personal_history", "family_history", "screening")
    supporting: list[Mention] = []
    for mention in mentions:
        assertion = mention.assertion
        other_side = None
        direct = mapped = False
        for candidate in mention.codes:
            if relations.names_directly(code, candidate):
                direct = True
                break
            if maps and relations.maps_to(code, kind, candidate):
                mapped = True
            elif other_side is None:
                other_side = relations.is_other_side(code, candidate)
        if direct:
            if assertion in direct_assertions:
                supporting.append(mention)
            elif assertion not in RECORDED_ASSERTIONS:
                continue
        elif mapped:
            if kind == "screening":
                documents = mention.screening and not (mention.family or mention.historical or mention.hypothetical)
            elif kind == "personal_history":
                documents = assertion == "historical"
                if not documents and not (mention.family or (mention.negated and mention.historical)):
                    continue
            else:
                documents = assertion == "family"
                if not documents and not mention.family:
                    continue
            if documents:
                supporting.append(mention)
            elif kind == "screening":
                continue
        else:
            if other_side is not None and assertion in direct_assertions:
                assessment.other_side.append((mention, other_side))
            continue
        assessment.by_assertion.setdefault(assertion, []).append(mention)
    return supporting


def _decide(assessment: CodeAssessment, supporting: list[Mention], setting: str, knowledge: "Icd10cm") -> CodeAssessment:
    """Set the status from the supporting and related mentions (the order of ``docs/findings.md``)."""
    code = assessment.code
    billed_side = knowledge.laterality(code)
    if assessment.other_side and supporting and billed_side not in (None, "unspecified"):
        # "CC: knee pain ... left knee pain": a mention without a side takes the side the
        # note states elsewhere for the same condition, so it does not support the other side.
        sided = [m for m in supporting if not _states_no_side(knowledge, code, m)]
        supporting = sided
    assessment.supporting = sorted(supporting, key=lambda m: m.start)
    if assessment.supporting:
        assessment.status = "supported"
    elif assessment.other_side and not (setting != "inpatient" and any(
            mention.laterality == billed_side for mention in assessment.mentions_with("uncertain"))):
        # A doubt about the billed side itself ("left leg and possible right leg") is an uncertain
        # diagnosis, not a mismatch with the side the note is sure of.
        assessment.status = "laterality_mismatch"
    elif setting != "inpatient" and assessment.mentions_with("uncertain"):
        assessment.status = "uncertain"
    elif assessment.mentions_with("historical"):
        assessment.status = "history_only"
    elif assessment.mentions_with("family"):
        # Before the patient's own hypothetical mentions: "worried about diabetes because
        # his mother has diabetes" is a family history (Z83.3), not a diagnosis.
        assessment.status = "family_history_only"
    elif setting != "inpatient" and assessment.mentions_with("hypothetical"):
        assessment.status = "uncertain"
    elif assessment.mentions_with("negated"):
        assessment.status = "negated"
    else:
        assessment.status = "unsupported"
    return assessment


def assess_codes(
    codes: list[tuple[str, str | None]],
    mentions: list[Mention],
    relations: CodeRelations,
    setting: str,
) -> list[CodeAssessment]:
    """Assess every billed code: ``codes`` holds (as entered, normalised) pairs."""
    return [assess_code(raw, code, mentions, relations, setting) for raw, code in codes]
