"""Compare the note's mentions with each billed diagnosis code.

One :class:`CodeAssessment` per billed code records which mentions relate to it and
what they say (affirmed, negated, historical, family, uncertain, hypothetical,
another side). The status follows the order in ``docs/findings.md``; the finding
rules read these assessments and never repeat the comparison.

A historical mention still supports its code when the condition is chronic, in one
of two senses, each with its own list in the model: the code's condition has a
family-history code but no personal-history code in ``history_codes.json``
(:meth:`CodeRelations.chronic`: "history of hypertension"), or the mention's own
words say it lasts, ``chronic_words`` of ``lexical.json`` (:func:`states_chronic`:
"history of chronic atrial fibrillation"). NegEx temporality's "chronic"
(``temporality_rules.json``) never decides a status; ``models/README.md``
("Chronic conditions") sets the three side by side.

Usage::

    assessments = assess_codes(["R07.9", "M25.511"], mentions, relations, "outpatient")
    assessments[1].status  # "unsupported"
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chartaudit.compare.relations import CodeRelations
from chartaudit.types import Mention

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

    billed_side = knowledge.laterality(code)
    for mention in mentions:
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
        # "History of chronic atrial fibrillation": the mention itself says the condition lasts.
        chronic_words = relations.words.chronic_words
        supporting = [m for m in assessment.mentions_with("historical") if states_chronic(m, chronic_words)]
    if assessment.other_side and supporting and knowledge.laterality(code) not in (None, "unspecified"):
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
