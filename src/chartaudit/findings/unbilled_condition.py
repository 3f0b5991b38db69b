"""unbilled_condition: an affirmed, current diagnosis in the note that no billed code covers."""

from __future__ import annotations

import re
from typing import Iterator

from chartaudit.compare.relations import STEM_LENGTH
from chartaudit.findings._text import quote_mentions
from chartaudit.findings.base import CheckContext, FindingRule, quote, registry
from chartaudit.types import Finding, Mention

#: The tail of an infectious agent's code (B95-B97), which is only ever an additional code.
_AS_THE_CAUSE = re.compile(r"\s*(?:infection\s+)?as the cause of diseases classified elsewhere", re.IGNORECASE)


def _agent_already_named(context: CheckContext, suggested: str, billed: list[str]) -> bool:
    """True when ``suggested`` is an infectious agent's code (B95-B97) and a billed code's title
    names that agent already: J15.212 "Pneumonia due to Methicillin resistant Staphylococcus
    aureus" needs no B95.62, J02.0 "Streptococcal pharyngitis" no B95.0 (Streptococcus, group A).
    The agent is named by its first significant word, compared by its first letters."""
    description = context.knowledge.description(suggested)
    if not _AS_THE_CAUSE.search(description):
        return False
    significant = context.relations.significant_words
    agent = _AS_THE_CAUSE.sub("", re.sub(r"\[[^\]]*\]", " ", description))
    first = next((word for word in re.findall(r"[a-z]+", agent.lower()) if significant(word)), None)
    if first is None:
        return False
    stem = first[:STEM_LENGTH]
    return any(word[:STEM_LENGTH] == stem for code in billed
               for word in significant(context.knowledge.description(code)))


@registry.register
class UnbilledConditionRule(FindingRule):
    type = "unbilled_condition"
    severity = "warning"
    order = 140
    guideline = "IV.J; III"
    label = "Documented diagnosis not billed"
    description = ("An affirmed, current diagnosis (not a symptom, not a Z code) that no billed code covers, in an "
                   "assessment-type section (or, without one, outside history, ROS, medication and allergy "
                   "sections). `code` = the suggested code.")
    viewer_group = "unbilled"

    def find(self, context: CheckContext) -> Iterator[Finding]:
        knowledge = context.knowledge
        relations = context.relations
        billed = [a.code for a in context.valid_assessments()]
        # A billed combination code covers its base ("HTN" beside a billed I11.0) and its partners
        # ("peripheral neuropathy" beside a billed E11.42, diabetic polyneuropathy).
        table = knowledge.combinations()
        combined = {base for code in billed for base in table.bases_of(code)}
        partners = [partner for code in billed for entry in table.entries(code) for partner in entry.partners]
        # Section groups come from the model's section rules (section_rules.json "groups").
        assessment_sections = context.section_groups.get("assessment", frozenset())
        other_sections = context.section_groups.get("non_assessment", frozenset())
        has_assessment = any(m.section in assessment_sections for m in context.mentions)
        candidates: dict[str, list[Mention]] = {}
        for mention in context.mentions:
            if not mention.affirmed or not mention.codes or mention.kind != "condition":
                continue  # a drug, status, visit reason, screening test, mechanism or BMI is not a diagnosis
            if has_assessment and mention.section not in assessment_sections:
                continue
            if not has_assessment and mention.section in other_sections:
                continue
            code = mention.codes[0]
            if knowledge.is_symptom(code) or code.startswith("Z") or not knowledge.is_valid(code):
                continue
            if any(relations.related(b, c) or relations.is_other_side(b, c) for b in billed for c in mention.codes):
                continue
            if any(knowledge.related(base, c) for base in combined for c in mention.codes):
                continue
            if any(partner.matches(c) for partner in partners for c in mention.codes):
                continue
            suggested = knowledge.default_billable(code)
            if suggested is None:
                continue
            if knowledge.is_unspecified(suggested) and any(relations.same_block(b, suggested) for b in billed):
                continue  # a vaguer statement of a billed condition ("ACS" beside a billed NSTEMI)
            if any(knowledge.excludes1_conflict(b, suggested) for b in billed):
                continue  # adding it would conflict with a billed code
            if _agent_already_named(context, suggested, billed):
                continue
            candidates.setdefault(suggested, []).append(mention)
        guideline = "III" if context.setting == "inpatient" else "IV.J"
        for code, mentions in candidates.items():
            yield self.finding(
                code,
                f"The note documents {context.describe(code)} as a current condition: "
                f"{quote_mentions(context.note, mentions)}; no billed code covers it.",
                suggestion=(f"Add {code} if the condition was assessed, treated or affected care at this "
                            "encounter; otherwise no action is needed."),
                evidence=quote(mentions),
                guideline=guideline,
            )
