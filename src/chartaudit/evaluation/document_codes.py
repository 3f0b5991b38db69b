"""Evaluate evidence finding on CodiEsp-format case reports: support recall and swap detection.

The gold file is JSONL, one document per line: ``text, dx_codes`` (optional
``doc_id``, ``split``). Every document's gold codes are billed in the
*inpatient* setting, so an uncertain mention ("suspected brucellosis") supports
its code (Guideline II.H).

* **Support recall**: the share of a document's gold codes (those valid in
  ICD-10-CM; the others are counted as skipped) whose status is ``supported``.
  ``history_only``, ``family_history_only``, ``negated`` and ``unsupported``
  do not count: a coder reading the case found the condition current, so a
  checker that only sees it in the past has not found the evidence.
* **Mentioned**: gold codes with a related mention whatever its assertion
  (negated, past, in a relative included), which separates what extraction
  misses from what the assertions decide.
* **Swap detection**: per document, a few codes are drawn (deterministically,
  from ``seed``) from *other* documents' gold codes whose category (first three
  characters) differs from every gold code of the document, and preferably
  whose chapter does too. They are billed together with the gold codes; the
  share of them whose status is not ``supported`` is swap detection.

One extraction per document serves both measures: the mentions are compared
with the gold and swapped codes by :meth:`chartaudit.checker.Checker.assess`
(the compare stage, then the word search for codes no mention relates to),
exactly as :meth:`chartaudit.checker.Checker.check` does.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chartaudit.evaluation.metrics import format_table
from chartaudit.knowledge import normalize_code

if TYPE_CHECKING:
    from chartaudit.checker import Checker
    from chartaudit.knowledge import Icd10cm

logger = logging.getLogger(__name__)

#: Swapped codes drawn per document.
SWAPS_PER_DOCUMENT = 3
#: Statuses that count as "the checker found evidence" (inpatient: uncertain is supported).
SUPPORTED_STATUSES = frozenset({"supported"})
SETTING = "inpatient"


#: Why a gold code is not supported, by its status ("unsupported" with only a hypothetical
#: mention counts as uncertain).
MISS_CAUSES: dict[str, str] = {
    "unsupported": "no term",
    "negated": "negated",
    "history_only": "past",
    "family_history_only": "family",
    "uncertain": "uncertain",
    "laterality_mismatch": "side",
}


@dataclass
class Flag:
    """One error or warning about a gold code when the gold codes alone are billed.

    detail (str): What the finding names: its ``detail`` (the undocumented element of an
        ``unsupported_specificity``), else its related code's title.
    snippet (str): The note around the finding's first evidence span (one line).
    """

    type: str
    code: str
    related_code: str
    detail: str
    snippet: str


@dataclass
class CodeOutcome:
    """One billed code of one document and what the checker decided.

    ``flags``: the finding types (errors and warnings) about this code when the
    document's gold codes alone are billed, as a correctly coded claim would be;
    ``flag_details`` the same findings in words.
    """

    code: str
    status: str
    evidence: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    flag_details: list[Flag] = field(default_factory=list)

    @property
    def miss_cause(self) -> str | None:
        """Why the code is not supported (a key of the misses table), or None when it is."""
        if self.status in SUPPORTED_STATUSES:
            return None
        if self.status == "unsupported" and self.evidence:
            return "uncertain"
        return MISS_CAUSES.get(self.status, self.status)


@dataclass
class DocumentResult:
    """The outcome for one document."""

    doc_id: str
    split: str
    text: str
    gold: list[CodeOutcome] = field(default_factory=list)
    swaps: list[CodeOutcome] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    @property
    def missed(self) -> list[CodeOutcome]:
        return [item for item in self.gold if item.status not in SUPPORTED_STATUSES]

    @property
    def swaps_accepted(self) -> list[CodeOutcome]:
        return [item for item in self.swaps if item.status in SUPPORTED_STATUSES]

    @property
    def false_alarm(self) -> bool:
        """True when any gold code gets a flag (a correctly coded claim would be questioned)."""
        return any(item.flags for item in self.gold)


@dataclass
class SplitCounts:
    """Counts of one split (or of all documents)."""

    documents: int = 0
    gold: int = 0
    supported: int = 0
    invalid: int = 0
    swaps: int = 0
    swaps_flagged: int = 0
    mentioned: int = 0
    false_alarms: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    miss_causes: Counter = field(default_factory=Counter)
    flags_by_type: Counter = field(default_factory=Counter)

    @property
    def support_recall(self) -> float:
        return self.supported / self.gold if self.gold else 0.0

    @property
    def swap_detection(self) -> float:
        return self.swaps_flagged / self.swaps if self.swaps else 0.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of documents with any flag on a gold code."""
        return self.false_alarms / self.documents if self.documents else 0.0

    def add(self, document: DocumentResult) -> None:
        self.documents += 1
        self.gold += len(document.gold)
        self.invalid += len(document.invalid)
        self.supported += len(document.gold) - len(document.missed)
        self.swaps += len(document.swaps)
        self.swaps_flagged += len(document.swaps) - len(document.swaps_accepted)
        self.false_alarms += document.false_alarm
        for item in document.gold:
            self.statuses[item.status] = self.statuses.get(item.status, 0) + 1
            self.mentioned += item.status != "unsupported" or bool(item.evidence)
            if item.miss_cause:
                self.miss_causes[item.miss_cause] += 1
            self.flags_by_type.update(item.flags)


@dataclass
class DocumentCodesReport:
    """Support recall and swap detection per split and overall, and the documents."""

    splits: dict[str, SplitCounts] = field(default_factory=dict)
    overall: SplitCounts = field(default_factory=SplitCounts)
    documents: list[DocumentResult] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def support_recall(self) -> float:
        return self.overall.support_recall

    @property
    def swap_detection(self) -> float:
        return self.overall.swap_detection

    def table(self) -> str:
        """Per split and overall: documents, gold codes, supported, recall, swaps, flagged, detection."""
        header = ["split", "docs", "gold codes", "supported", "support recall", "mentioned",
                  "invalid skipped", "swaps", "flagged", "swap detection", "false alarms", "false-alarm rate"]
        splits = [*sorted(self.splits.items()), ("all", self.overall)]
        rows = []
        for name, counts in splits:
            rows.append([name, counts.documents, counts.gold, counts.supported, counts.support_recall,
                         counts.mentioned, counts.invalid, counts.swaps, counts.swaps_flagged,
                         counts.swap_detection, counts.false_alarms, counts.false_alarm_rate])
        causes = list(dict.fromkeys([*MISS_CAUSES.values(), *self.overall.miss_causes]))
        miss_rows = [[cause, *[f"{counts.miss_causes[cause]} ({counts.miss_causes[cause] / max(counts.gold, 1):.1%})"
                               for _, counts in splits]] for cause in causes]
        flag_types = sorted(self.overall.flags_by_type, key=lambda kind: -self.overall.flags_by_type[kind])
        flag_rows = [[kind, *[counts.flags_by_type[kind] for _, counts in splits]] for kind in flag_types]
        return "\n".join([
            f"{self.overall.documents} documents (CodiEsp format, billed as {SETTING})",
            format_table(header, rows),
            "(mentioned: gold codes with a related mention of any assertion, negated and past included; "
            "false alarms: documents with any error or warning on a gold code when the gold codes alone are billed)",
            "",
            "gold codes not supported, by cause (share of the split's gold codes)",
            format_table(["cause", *[name for name, _ in splits]], miss_rows),
            "",
            "flags on gold codes (gold codes alone billed), by finding type",
            format_table(["finding type", *[name for name, _ in splits]], flag_rows) if flag_rows else "none",
        ])

    def flag_lines(self, limit: int, types: Collection[str] = (), split: str | None = None) -> list[str]:
        """The ``limit`` most frequent (finding type, code) flags on gold codes, each with its count,
        what it names and the note's words of its first example, so that each can be judged.

        types (Collection[str]): Only these finding types (all when empty).
        split (str | None): Only documents of this split.
        """
        counts: Counter = Counter()
        examples: dict[tuple[str, str], tuple[str, Flag]] = {}
        for document in self.documents:
            if split and document.split != split:
                continue
            for outcome in document.gold:
                for flag in outcome.flag_details:
                    if types and flag.type not in types:
                        continue
                    key = (flag.type, flag.code)
                    counts[key] += 1
                    examples.setdefault(key, (document.doc_id, flag))
        scope = f" ({split})" if split else ""
        lines = [f"most frequent flags on gold codes{scope}: type, code, count, related code, what it names; "
                 "the first example's document and words"]
        for (kind, code), count in counts.most_common(limit):
            doc_id, flag = examples[(kind, code)]
            related = f" -> {flag.related_code}" if flag.related_code else ""
            lines.append(f"{count:>4}  {kind} {code}{related} ({self.descriptions.get(code, '')}): {flag.detail}")
            lines.append(f"      {doc_id}: \"{flag.snippet}\"")
        if len(lines) == 1:
            lines.append("      none")
        return lines

    def error_lines(self, limit: int) -> list[str]:
        """The documents with the most missed gold codes (and accepted swaps), with their text."""
        lines: list[str] = []
        worst = sorted(self.documents, key=lambda d: (-len(d.missed) - len(d.swaps_accepted), d.doc_id))
        for document in worst[:limit]:
            if not document.missed and not document.swaps_accepted:
                break
            lines.append(f"== {document.doc_id} [{document.split}] missed {len(document.missed)} of "
                         f"{len(document.gold)} gold codes, accepted {len(document.swaps_accepted)} swaps")
            for item in document.missed:
                evidence = f' ("{item.evidence[0]}")' if item.evidence else ""
                lines.append(f"   missed   {item.code:<9} {item.status:<20} "
                             f"{self.descriptions.get(item.code, '')}{evidence}")
            for item in document.swaps_accepted:
                evidence = "; ".join(f'"{text}" ({source})' for text, source in zip(item.evidence, item.sources))
                lines.append(f"   accepted {item.code:<9} swap                 "
                             f"{self.descriptions.get(item.code, '')}: {evidence}")
            lines.append("   text: " + " ".join(document.text.split())[:800])
        return lines


#: Characters of note shown on each side of a flag's evidence.
SNIPPET_CHARACTERS = 110


def _snippet(text: str, start: int, end: int) -> str:
    """The note around a span, on one line."""
    left, right = max(0, start - SNIPPET_CHARACTERS), min(len(text), end + SNIPPET_CHARACTERS)
    shown = " ".join(text[left:right].split())
    return ("…" if left else "") + shown + ("…" if right < len(text) else "")


def _flags(result: Any, text: str, knowledge: "Icd10cm") -> dict[str, list[Flag]]:
    """The errors and warnings about each code of a result, in words."""
    flags: dict[str, list[Flag]] = {}
    for finding in result.findings:
        if not finding.code or finding.severity not in ("error", "warning"):
            continue
        detail = finding.detail or (knowledge.description(finding.related_code) if finding.related_code else "")
        evidence = finding.evidence[0] if finding.evidence else None
        snippet = _snippet(text, evidence.start, evidence.end) if evidence else ""
        flags.setdefault(finding.code, []).append(
            Flag(finding.type, finding.code, finding.related_code or "", detail, snippet))
    return flags


def read_documents(path: str | Path, split: str | None = None, limit: int = 0) -> list[dict[str, Any]]:
    """The records of a CodiEsp-format JSONL file (of one split, the first ``limit`` when given)."""
    records = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if split and str(record.get("split", "")) != split:
                continue
            record.setdefault("doc_id", f"line-{number}")
            records.append(record)
            if limit and len(records) >= limit:
                break
    return records


_CHAPTERS: dict[str, str] = {}


def _chapter(knowledge: "Icd10cm", code: str) -> str:
    """The chapter of a code's category (cached per category)."""
    category = code[:3]
    chapter = _CHAPTERS.get(category)
    if chapter is None:
        sections = knowledge.sections(code)
        chapter = _CHAPTERS[category] = sections[-1][0] if sections else category[:1]
    return chapter


def _gold_codes(knowledge: "Icd10cm", raw_codes: Any) -> tuple[list[str], list[str]]:
    """(valid codes, invalid inputs) of a document, without duplicates."""
    if isinstance(raw_codes, str):
        raw_codes = raw_codes.replace(";", " ").replace(",", " ").split()
    valid: list[str] = []
    invalid: list[str] = []
    for raw in raw_codes or []:
        code = normalize_code(raw)
        if code is not None and knowledge.is_valid(code):
            if code not in valid:
                valid.append(code)
        elif str(raw) not in invalid:
            invalid.append(str(raw))
    return valid, invalid


def draw_swaps(
    knowledge: "Icd10cm", gold: list[str], pool: list[str], rng: random.Random, count: int = SWAPS_PER_DOCUMENT
) -> list[str]:
    """``count`` codes of ``pool`` in no gold code's category, preferably in no gold code's chapter."""
    categories = {code[:3] for code in gold}
    chapters = {_chapter(knowledge, code) for code in gold}
    other_category = [code for code in pool if code[:3] not in categories]
    other_chapter = [code for code in other_category if _chapter(knowledge, code) not in chapters]
    chosen = rng.sample(other_chapter, min(count, len(other_chapter)))
    if len(chosen) < count:
        rest = [code for code in other_category if code not in chosen]
        chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    return chosen


def evaluate_document_codes(
    path: str | Path,
    checker: "Checker | None" = None,
    *,
    limit: int = 0,
    split: str | None = None,
    seed: int = 0,
    swaps: int = SWAPS_PER_DOCUMENT,
) -> DocumentCodesReport:
    """Measure support recall and swap detection on a CodiEsp-format JSONL file.

    path (str | Path): The gold file (``text, dx_codes``; optional ``doc_id``, ``split``).
    checker (Checker | None): The checker (a default one when None).
    limit (int): Only the first ``limit`` documents (0: all).
    split (str | None): Only documents of this split ("train", "dev").
    seed (int): Seed of the swapped-code draw.
    swaps (int): Swapped codes per document.
    RETURNS (DocumentCodesReport): The counts and the per-document outcomes.
    """
    from chartaudit.checker import Checker

    checker = checker or Checker()
    knowledge = checker.knowledge
    records = read_documents(path, split=split, limit=limit)
    golds = [_gold_codes(knowledge, record.get("dx_codes", [])) for record in records]
    pool = sorted({code for valid, _ in golds for code in valid})

    report = DocumentCodesReport()
    texts = [str(record.get("text") or "") for record in records]
    for index, record in enumerate(records):
        mentions = checker.extract(texts[index])  # remembered: the check below reads the note again
        valid, invalid = golds[index]
        rng = random.Random(f"{seed}:{record['doc_id']}")
        swapped = draw_swaps(knowledge, valid, pool, rng, swaps)  # other categories: other documents' codes
        billed = [(code, code) for code in valid + swapped]
        assessments, _ = checker.assess(texts[index], billed, mentions, SETTING)
        outcomes = []
        for assessment in assessments:
            deciding = assessment.supporting if assessment.status == "supported" else assessment.related
            outcomes.append(CodeOutcome(assessment.code or assessment.input, assessment.status,
                                        [m.text for m in deciding], [m.source for m in deciding]))
            report.descriptions[assessment.code or assessment.input] = assessment.description
        if valid:
            flags = _flags(checker.check(texts[index], dx=valid, setting=SETTING), texts[index], knowledge)
            for outcome in outcomes[: len(valid)]:
                outcome.flag_details = flags.get(outcome.code, [])
                outcome.flags = [flag.type for flag in outcome.flag_details]
        document = DocumentResult(
            doc_id=str(record["doc_id"]),
            split=str(record.get("split") or "all"),
            text=texts[index],
            gold=outcomes[: len(valid)],
            swaps=outcomes[len(valid):],
            invalid=invalid,
        )
        report.documents.append(document)
        report.overall.add(document)
        if record.get("split"):
            report.splits.setdefault(document.split, SplitCounts()).add(document)
    logger.info("CodiEsp evaluation: %d documents, support recall %.3f, swap detection %.3f",
                report.overall.documents, report.support_recall, report.swap_detection)
    return report
