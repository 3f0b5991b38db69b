"""The checker engine: one encounter's note and codes in, findings out.

Usage::

    from chartaudit import Checker
    checker = Checker()
    result = checker.check(note, dx=["R07.9", "M25.511"], setting="outpatient")
    [finding.type for finding in result.findings]  # ['unsupported_code']
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from chartaudit.compare import CodeAssessment, CodeRelations, SpecificityCheck, SpecificityRules, assess_code, assess_codes
from chartaudit.extract import Extractor
from chartaudit.findings import CheckContext, registry
from chartaudit.knowledge import Icd10cm, PolicySet, load_policies, normalize_code
from chartaudit.knowledge.codes import split_codes
from chartaudit.types import (
    MAX_NOTE_CHARACTERS,
    SETTINGS,
    SEVERITY_RANK,
    CheckResult,
    CodeResult,
    Evidence,
    Mention,
    ProcedureResult,
)

logger = logging.getLogger(__name__)

PolicyInput = PolicySet | str | Path


def _as_code_list(codes: str | Iterable[str] | None) -> list[str]:
    """Codes as a list: a string is split on ``;``, ``,``, ``|`` and whitespace."""
    if codes is None:
        return []
    if isinstance(codes, str):
        return split_codes(codes)
    result: list[str] = []
    for item in codes:
        if item is None:
            continue
        result.extend(split_codes(str(item)))
    return result


#: The input_error message of an empty or whitespace note.
EMPTY_NOTE_MESSAGE = "The note is empty: there is no documentation to check the codes against."


def _clean_note(note: object) -> tuple[str, list[str]]:
    """The note as text, with NUL bytes removed, and any problems with it."""
    if note is None:
        return "", [EMPTY_NOTE_MESSAGE]
    if isinstance(note, bytes):
        note = note.decode("utf-8", errors="replace")
    text = str(note).replace("\x00", " ")
    problems: list[str] = []
    if not text.strip():
        problems.append(EMPTY_NOTE_MESSAGE)
    return text, problems


#: How far back from the limit a cut looks for a line break (then for a space).
_CUT_WINDOW = 10_000


def checked_length(text: str, limit: int | None = None) -> int:
    """How many characters of a note are checked: all of it, or up to the last line break
    (else space) before ``limit`` (default ``MAX_NOTE_CHARACTERS``), so that no word is cut in two."""
    limit = MAX_NOTE_CHARACTERS if limit is None else limit
    if len(text) <= limit:
        return len(text)
    for separator in ("\n", " "):
        position = text.rfind(separator, max(0, limit - _CUT_WINDOW), limit)
        if position >= 0:
            return position + 1
    return limit


class Checker:
    """Checks clinical notes against billed ICD-10-CM codes and procedures.

    ``model`` is a model directory or a built model artifact (``chartaudit
    build-model``; default: ``models/default``). Its history and symptom tables
    apply too. The extraction pipeline and the ICD-10-CM tables are loaded once
    and cached per process.
    """

    def __init__(self, model: str | Path | None = None, policies: Sequence[PolicyInput] = ()) -> None:
        self.extractor = Extractor(model_dir=Path(model) if model else None)
        model_dir = self.extractor.model_dir
        self.knowledge = Icd10cm.load(model_dir=model_dir)
        self.relations = CodeRelations(self.knowledge)
        self.specificity = SpecificityCheck(self.relations, SpecificityRules.from_dir(model_dir))
        self.rules = registry.create_all()
        self.default_policies = self._policy_set(policies)

    # -- public API ----------------------------------------------------------------

    def extract(self, text: str) -> list[Mention]:
        """The mentions the note documents (see :class:`chartaudit.types.Mention`)."""
        return self.extractor.extract(text)

    def add_terms(self, terms: Mapping[str, str | None]) -> None:
        """Extend the lexicon at run time: phrase → ICD-10-CM code (or None)."""
        self.extractor.add_terms(dict(terms))

    def check(
        self,
        note: str,
        dx: str | Iterable[str] | None,
        px: str | Iterable[str] | None = (),
        setting: str | None = "outpatient",
        policies: Sequence[PolicyInput] | None = None,
        encounter_id: str | None = None,
    ) -> CheckResult:
        """Check one encounter. Never raises on bad input: it reports ``input_error``."""
        text, problems = _clean_note(note)
        raw_codes = _as_code_list(dx)
        procedures = [code.upper() for code in _as_code_list(px)]
        setting_name = (setting or "outpatient").strip().lower()
        if not raw_codes:
            problems.append("No diagnosis codes were given: there is nothing to check the note against.")
        if setting_name not in SETTINGS:
            problems.append(f'Unknown setting "{setting}": use "outpatient" or "inpatient".')

        codes = self._unique_codes(raw_codes)
        checked = checked_length(text)
        mentions = self.extract(text[:checked]) if text.strip() else []
        assessment_setting = setting_name if setting_name in SETTINGS else "outpatient"
        assessments, word_mentions = self.assess(text[:checked], codes, mentions, assessment_setting)
        if checked < len(text):
            for assessment in assessments:  # evidence after the cut could change any status but "supported"
                if assessment.valid and assessment.status != "supported":
                    assessment.status = "not_checked"
        policy_set = self._policy_set(policies) if policies is not None else self.default_policies

        context = CheckContext(
            note=text,
            setting=assessment_setting,
            mentions=mentions,
            assessments=assessments,
            procedures=list(dict.fromkeys(procedures)),
            knowledge=self.knowledge,
            relations=self.relations,
            policies=policy_set,
            input_problems=problems,
            checked_characters=checked if checked < len(text) else None,
            section_groups=self.extractor.section_groups,
            specificity=self.specificity,
        )
        findings = []
        for rule in self.rules:
            if rule.needs_note and not context.evidence_checked:
                continue
            findings.extend(rule.find(context))
        findings.sort(key=lambda f: SEVERITY_RANK.get(f.severity, 9))

        return CheckResult(
            findings=findings,
            codes=[self._code_result(a, context) for a in assessments],
            mentions=sorted([*mentions, *word_mentions], key=lambda m: (m.start, m.end)) if word_mentions else mentions,
            procedures=self._procedure_results(context),
            setting=setting_name,
            encounter_id=encounter_id,
        )

    def assess(
        self, text: str, codes: list[tuple[str, str | None]], mentions: list[Mention], setting: str,
    ) -> tuple[list[CodeAssessment], list[Mention]]:
        """Assess the billed codes against a note's mentions, then look for the words of each condition
        code that no mention relates to, as a coder verifying it would (:meth:`Extractor.find_words`:
        "lithiasis in the lower pole of the left kidney" for N20.0), and assess those codes again.

        text (str): The note the mentions come from.
        codes (list[tuple[str, str | None]]): (as entered, normalised) pairs.
        mentions (list[Mention]): The note's mentions (:meth:`extract`).
        setting (str): "outpatient" or "inpatient".
        RETURNS (tuple[list[CodeAssessment], list[Mention]]): The assessments and the mentions found
            by their words (source "words"). Each documents only the code it was looked for; they are
            not mentions of the note for the other findings (``unbilled_condition`` never sees them).
        """
        assessments = assess_codes(codes, mentions, self.relations, setting)
        wanted = [assessment.code for assessment in assessments if self._needs_words(assessment)]
        if not wanted or not text.strip():
            return assessments, []
        found = self.extractor.find_words(text, wanted)
        if not found:
            return assessments, []
        # A mention found by a code's words documents that code only: its phrase was chosen for it.
        assessments = [assess_code(a.input, a.code, sorted([*mentions, *found[a.code]], key=lambda m: (m.start, m.end)),
                                   self.relations, setting) if a.code in found else a for a in assessments]
        unique = {(m.start, m.end, tuple(m.codes)): m for group in found.values() for m in group}
        return assessments, sorted(unique.values(), key=lambda m: (m.start, m.end))

    def _needs_words(self, assessment: CodeAssessment) -> bool:
        """True for a valid condition code that no mention relates to (whatever its assertion or side)."""
        return (assessment.valid and assessment.status == "unsupported" and not assessment.by_assertion
                and not assessment.other_side and self.relations.evidence_kind(assessment.code) == "condition")

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _unique_codes(raw_codes: list[str]) -> list[tuple[str, str | None]]:
        seen: set[str] = set()
        codes = []
        for raw in raw_codes:
            code = normalize_code(raw)
            key = code or raw.strip().upper()
            if key in seen:
                continue
            seen.add(key)
            codes.append((raw, code))
        return codes

    @staticmethod
    def _policy_set(policies: Sequence[PolicyInput] | None) -> PolicySet | None:
        if not policies:
            return None
        sets = [p for p in policies if isinstance(p, PolicySet)]
        paths = [p for p in policies if not isinstance(p, PolicySet)]
        if paths:
            sets.append(load_policies(paths))
        merged = sets[0]
        for other in sets[1:]:
            merged = merged.merge(other)
        return merged

    @staticmethod
    def _code_result(assessment, context: CheckContext) -> CodeResult:
        status = "not_checked" if not context.evidence_checked and assessment.valid else assessment.status
        deciding = {
            "supported": assessment.supporting,
            "laterality_mismatch": [m for m, _ in assessment.other_side],
        }.get(status, assessment.related)
        return CodeResult(
            code=assessment.code or assessment.input.strip(),
            input=assessment.input,
            description=assessment.description,
            status=status,
            billable=assessment.billable,
            evidence=[Evidence.from_mention(m) for m in deciding],
        )

    @staticmethod
    def _procedure_results(context: CheckContext) -> list[ProcedureResult]:
        results = []
        diagnoses = [a.code for a in context.valid_assessments()]
        for procedure in context.procedures:
            covered = context.policies.covers(procedure, diagnoses) if context.policies else None
            if covered is None:
                results.append(ProcedureResult(procedure, "no_policy"))
                continue
            policy_ids = [p.policy_id for p in context.policies.policies_for(procedure)]
            results.append(ProcedureResult(procedure, "covered" if covered else "not_covered",
                                           list(dict.fromkeys(policy_ids))))
        return results


def cached_checker(model: str | Path | None = None, policies: Sequence[str | Path] = ()) -> Checker:
    """The process's checker for a model and policy files, built once (the pipeline is the costly part).

    The batch workers and the viewer share it: the same arguments give the same object.
    """
    return _cached_checker(None if model is None else str(model), tuple(str(policy) for policy in policies))


@lru_cache(maxsize=4)
def _cached_checker(model: str | None, policies: tuple[str, ...]) -> Checker:
    return Checker(model=model, policies=list(policies))
