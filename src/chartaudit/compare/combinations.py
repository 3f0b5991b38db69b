"""Billed codes read together: combinations missed, and unspecified codes beside specified ones.

* :func:`missed_combinations`: a billed code that, with other billed codes, the
  classification combines into one code (I10 beside I50.9 is I11.0, Guideline I.C.9.a;
  E11.9 beside N18.31 is E11.22, I.A.15 and I.C.4.a; J44.9 beside J18.9 is J44.0). The
  combination table comes from the Alphabetic Index and the tabular notes
  (:mod:`chartaudit.knowledge.combinations`); a partner is billed when a billed code
  matches its code patterns, the model's ``partner_terms`` or its words. No combination
  is presumed when the provider states the conditions unrelated ("not due to diabetes").
* :func:`contradictory_codes`: an unspecified or "without" code billed beside a code of
  the same category that specifies what it leaves open or denies (E11.9 "without
  complications" beside E11.42; I48.91 beside I48.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chartaudit.compare.specificity import SpecificityCheck, stated_unrelated, tokens
from chartaudit.types import Mention

if TYPE_CHECKING:
    from chartaudit.compare.assess import CodeAssessment
    from chartaudit.knowledge.combinations import Combination, Partner

_PARENTHESES = re.compile(r"\([^()]*\)")
#: Title words that name no condition when the conditions of two titles are compared.
_GENERIC = frozenset({"of", "and", "or", "the", "with", "in", "on", "by", "for", "to", "unspecified", "other",
                      "specified", "nos", "nec", "not", "elsewhere", "classified", "disease", "disorder", "type",
                      "site", "organism", "uncomplicated", "complications", "mellitus"})
_STEM = 6


@dataclass
class CombinationMatch:
    """A billed code that a combination code should replace, and the billed partners that make it.

    code (str): The billed code the combination replaces (I10).
    combination (str): The combination code (I11.0).
    partners (list[str]): The billed codes of its partners (I50.9); they stay billed.
    mentions (list[Mention]): The mentions that support the billed codes.
    """

    code: str
    combination: str
    partners: list[str]
    mentions: list[Mention] = field(default_factory=list)


def missed_combinations(assessments: list["CodeAssessment"], note: str, mentions: list[Mention],
                        check: SpecificityCheck) -> list[CombinationMatch]:
    """The billed codes a combination code should replace (see the module docstring).

    A billed code is replaced when it is a base of a combination (or a combination whose
    base is that combination's base: I11.0 beside N18.31 is I13.0), every partner of the
    combination is billed (and supported), at least one of them by another code, and
    the combination itself is not billed. The combination with the most partners wins.
    """
    knowledge = check.knowledge
    table = knowledge.combinations()
    # Combination codes join conditions: a drug, status or history code is never a base or a partner.
    conditions = [a for a in assessments if a.valid and a.code and check.relations.evidence_kind(a.code) == "condition"]
    supported = {a.code: a for a in conditions if a.status == "supported"}
    billed = {a.code for a in conditions}
    matches: list[CombinationMatch] = []
    for code, assessment in supported.items():
        bases = {code} | table.bases_of(code)
        own_partners = [partner for entry in table.entries(code) for partner in entry.partners]
        best: tuple[int, str] | None = None
        found: CombinationMatch | None = None
        for base in sorted(bases):
            for entry in table.with_base(base):
                if entry.code == code or not knowledge.is_billable(entry.code) or _billed_already(entry, billed, check):
                    continue
                partners = _billed_partners(entry, code, own_partners, supported, check)
                if partners is None:
                    continue
                partner_mentions = [m for partner in partners for m in supported[partner].supporting]
                if stated_unrelated(assessment.supporting, partner_mentions, note, mentions, check.rules,
                                    check.relations):
                    continue
                rank = (len(entry.partners), entry.code)
                if best is None or rank[0] > best[0]:
                    best = rank
                    found = CombinationMatch(code, entry.code, partners, [*assessment.supporting, *partner_mentions])
        if found is not None:
            matches.append(found)
    return matches


def _billed_already(entry: "Combination", billed: set[str], check: SpecificityCheck) -> bool:
    """True when the combination is billed, or a code at or below it, or a combination of the same
    base whose partners include all of its own (I13.0 includes I11.0)."""
    knowledge = check.knowledge
    table = knowledge.combinations()
    for other in billed:
        if knowledge.related(other, entry.code):
            return True
        if not table.bases_of(other) & set(entry.bases):
            continue
        other_partners = [partner for other_entry in table.entries(other) for partner in other_entry.partners]
        if all(any(_same_partner(partner, own) for own in other_partners) for partner in entry.partners):
            return True
    return False


def _billed_partners(entry: "Combination", code: str, own_partners: list["Partner"],
                     supported: dict[str, "CodeAssessment"], check: SpecificityCheck) -> list[str] | None:
    """The billed codes that bring the entry's partners (None when one is missing, or when the
    billed code already includes them all)."""
    if not all(any(_same_partner(own, partner) for partner in entry.partners) for own in own_partners):
        return None  # the combination must include what the billed combination code already does
    partners: list[str] = []
    for partner in entry.partners:
        if any(_same_partner(partner, own) for own in own_partners):
            continue
        # A partner is another condition: a code of the combination's (or the base's) own
        # category is a subtype of it ("status asthmaticus" J45.-), never its partner.
        match = next((other for other in supported if other != code and other[:3] not in (code[:3], entry.code[:3])
                      and check.partner_matches(partner, other)), None)
        if match is None:
            return None
        if match not in partners:
            partners.append(match)
    return partners or None


def _same_partner(first: "Partner", second: "Partner") -> bool:
    return first.words == second.words or bool(set(first.patterns) & set(second.patterns))


def _condition_words(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """(words a title affirms, words its "without" clauses deny), cut to six letters."""
    text = _PARENTHESES.sub(" ", title.lower())
    denied: set[str] = set()
    for clause in re.findall(r"\bwithout\b([^,]*)", text):
        denied.update(word[:_STEM] for word in tokens(clause) if word not in _GENERIC)
    affirmed_text = re.sub(r"\bwithout\b[^,]*", " ", text)
    affirmed = {word[:_STEM] for word in tokens(affirmed_text) if word not in _GENERIC}
    return frozenset(affirmed), frozenset(denied)


def contradictory_codes(assessments: list["CodeAssessment"], check: SpecificityCheck) -> list[tuple[str, str]]:
    """(unspecified or "without" code, specified code) pairs of one category among the billed codes.

    The first code leaves open ("unspecified") or denies ("without complications",
    "uncomplicated") what the second states for the same condition: every word naming
    the first's condition is in the second's title, and the second is not itself
    unspecified (or, against a "without" code, it affirms what the first denies).

    Usage::

        contradictory_codes(assessments, check)  # [("E11.9", "E11.42")]
    """
    knowledge = check.knowledge
    codes = list(dict.fromkeys(a.code for a in assessments if a.valid and a.code))
    pairs: list[tuple[str, str]] = []
    for first in codes:
        title = knowledge.description(first).lower()
        unspecified = knowledge.is_unspecified(first)
        without = " without " in f" {title} " or "uncomplicated" in title
        if not (unspecified or without):
            continue
        first_words, first_denied = _condition_words(title)
        for second in codes:
            if second == first or second[:3] != first[:3] or knowledge.related(first, second):
                continue
            second_words, second_denied = _condition_words(knowledge.description(second))
            if not first_words <= second_words:
                continue
            # K21.00 "with esophagitis, without bleeding" affirms what K21.9 "without esophagitis"
            # denies; E05.90 "unspecified, without crisis" denies the same as E05.80 and affirms nothing.
            affirms_denied = bool(first_denied & second_words and not first_denied & second_denied) or (
                "complications" in title and " with " in f" {knowledge.description(second).lower()} ")
            if (unspecified and not knowledge.is_unspecified(second)) or (without and affirms_denied):
                pairs.append((first, second))
                break
    return pairs
