"""Evaluate assertions (negation, history, experiencer) on NegEx-format TSV.

The gold file is the NegEx test set format (Chapman et al.), tab-separated, one
condition per row: ``[id,] condition, sentence, negation, temporality,
experiencer``. A header row is recognised by its column names (any order); a file
without one is read by position (6 columns: with ``id``; 5: without). Rows with
too few columns, an empty sentence or an unknown label are skipped and counted.

Two modes. **given**: the condition text is located in the sentence
(case-insensitively, preferring the upper-case occurrence NegEx marks; else with any
whitespace between its words; else its longest run of words found; else the whole
sentence), and that span is assessed with :meth:`chartaudit.extract.Extractor.assess`,
so the figures measure ConText alone. **extracted**: every condition is added as a
term (``Extractor.add_terms``) and each sentence goes through the whole extractor as
written, whitespace and line breaks included; the mention that overlaps the located
condition most gives the labels. A condition the extractor does not find there
predicts nothing (a false negative for each of its gold labels), so the figures
measure matching and assertions together, as on a real note.

How the labels map. Each NegEx dimension is scored on its own, from the span's
flags and temporality (not from the single priority label of a mention, which
would hide "historical" behind "negated" in "no history of stroke"):

=====================  ===========================  ==============================
row of the table       gold positive                predicted positive
=====================  ===========================  ==============================
negated                negation ``Negated``         flag ``negated``
historical             temporality ``Historical``   temporality ``historical``
hypothetical           temporality ``Not           temporality ``hypothetical``
                       particular`` / hypothetical
other experiencer      experiencer not ``Patient``  flag ``family``
=====================  ===========================  ==============================

NegEx's ``Historical`` is *temporality*: the condition began more than about two
weeks ago, whether or not it is still present (chronic conditions, "known CAD",
social-history items, "history of"). It is scored against
``SpanAssertion.temporality`` (``temporality_rules.json``), **not** against the
billing flag ``historical`` (past, not current), which decides the
``history_only`` finding and is deliberately narrower: a current chronic
condition is temporality "historical" but supports its code.

``Recent`` is the absence of both temporal labels. Our ``uncertain`` flag has no
NegEx counterpart (NegEx annotates possible conditions as Affirmed) and is not
scored. The hypothetical row is reported for information; the goals concern
negated and historical.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chartaudit.evaluation.metrics import Counts, format_table
from chartaudit.types import ASSERTIONS

if TYPE_CHECKING:
    from chartaudit.checker import Checker
    from chartaudit.extract import Extractor
    from chartaudit.types import Mention

logger = logging.getLogger(__name__)

#: Table row name -> what predicts it: a Mention flag, or ``temporality:<value>``.
LABEL_FLAGS: dict[str, str] = {
    "negated": "negated",
    "historical": "temporality:historical",
    "hypothetical": "temporality:hypothetical",
    "other experiencer": "family",
}
#: Printed under the table: what the historical row measures.
TEMPORALITY_NOTE = (
    "historical = NegEx temporality (onset over ~2 weeks ago, current chronic conditions included), "
    "scored against Mention.temporality, not the billing flag historical (past, not current: history_only)"
)
COLUMNS = ("condition", "sentence", "negation", "temporality", "experiencer")
_NEGATION = {"negated": True, "affirmed": False}
_TEMPORALITY = {"recent": "", "historical": "historical", "not particular": "hypothetical", "hypothetical": "hypothetical"}
#: Evaluation modes and what each measures (printed above its table).
MODE_DESCRIPTIONS: dict[str, str] = {
    "given": "given-span mode (the condition's span is supplied: ConText alone)",
    "extracted": "extracted mode (the condition is a term the extractor must find in the sentence as written)",
}


@dataclass
class NegexRow:
    """One gold row and what the extractor said about its condition.

    index (int): 0-based position among the file's data rows (header excluded).
    gold (frozenset[str]): The positive labels (keys of :data:`LABEL_FLAGS`).
    predicted (frozenset[str]): The labels predicted.
    located (bool): Whether the condition text was found in the sentence as given.
    """

    index: int
    row_id: str
    condition: str
    sentence: str
    gold: frozenset[str]
    predicted: frozenset[str] = frozenset()
    located: bool = True
    #: Extracted mode: whether a mention of the condition was found (always True in given mode).
    found: bool = True

    @property
    def wrong(self) -> frozenset[str]:
        """The labels on which gold and prediction disagree."""
        return self.gold ^ self.predicted


@dataclass
class NegexReport:
    """Per-label counts over the evaluated rows, and the rows themselves."""

    rows: list[NegexRow] = field(default_factory=list)
    skipped: int = 0
    mode: str = "given"

    @property
    def counts(self) -> dict[str, Counts]:
        """Counts per label (keys of :data:`LABEL_FLAGS`)."""
        counts = {label: Counts() for label in LABEL_FLAGS}
        for row in self.rows:
            for label, count in counts.items():
                gold, predicted = label in row.gold, label in row.predicted
                count.true_positive += gold and predicted
                count.false_positive += predicted and not gold
                count.false_negative += gold and not predicted
        return counts

    def select(self, keep: Callable[[NegexRow], bool]) -> "NegexReport":
        """A report over some of the rows (e.g. one half: ``lambda row: row.index % 2``)."""
        return NegexReport([row for row in self.rows if keep(row)], skipped=0, mode=self.mode)

    def table(self) -> str:
        """The per-label precision / recall / F1 table."""
        rows = [
            [label, count.support, count.true_positive, count.false_positive, count.false_negative,
             count.precision, count.recall, count.f1]
            for label, count in self.counts.items()
        ]
        header = ["assertion", "gold", "tp", "fp", "fn", "precision", "recall", "f1"]
        unlocated = sum(not row.located for row in self.rows)
        summary = f"{len(self.rows)} sentences, {MODE_DESCRIPTIONS[self.mode]}"
        if self.skipped:
            summary += f" ({self.skipped} rows skipped)"
        if unlocated:
            summary += f"; condition not found verbatim in {unlocated}"
        if self.mode == "extracted":
            found = sum(row.found for row in self.rows)
            summary += f"; the extractor found the condition in {found} of {len(self.rows)}"
        return summary + "\n" + format_table(header, rows) + "\n" + self.halves_line()

    def halves_line(self) -> str:
        """F1 of the negated and historical rows on the even and odd rows (0-based), to judge generalisation."""
        parts = []
        for label in ("negated", "historical"):
            scores = [self.select(lambda row, parity=parity: row.index % 2 == parity).counts[label].f1
                      for parity in (0, 1)]
            parts.append(f"{label} F1 even {scores[0]:.3f}, odd {scores[1]:.3f}")
        return "halves: " + "; ".join(parts)

    def error_lines(self, n: int) -> list[str]:
        """The ``n`` worst misclassified rows (most labels wrong first), with their text."""
        wrong = sorted((row for row in self.rows if row.wrong), key=lambda row: (-len(row.wrong), row.index))
        lines = []
        for row in wrong[: max(n, 0)]:
            labels = ", ".join(
                f"{label}: gold {'yes' if label in row.gold else 'no'}, predicted {'yes' if label in row.predicted else 'no'}"
                for label in LABEL_FLAGS
                if label in row.wrong
            )
            lines.append(f"row {row.row_id or row.index + 1} [{labels}] {row.condition!r}: {row.sentence}")
        return lines


def _header_map(fields: list[str]) -> dict[str, int] | None:
    names = [name.strip().lower() for name in fields]
    if "condition" in names and "sentence" in names:
        return {name: index for index, name in enumerate(names)}
    return None


def read_negex_rows(path: str | Path) -> Iterator[tuple[int, str, list[str] | None]]:
    """The data rows of a NegEx TSV: (index, id, [condition, sentence, negation,
    temporality, experiencer]) or a None record for a row that cannot be read.
    """
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header: dict[str, int] | None = None
        index = 0
        for fields in reader:
            if not fields or not any(field.strip() for field in fields):
                continue
            if header is None and index == 0:
                header = _header_map(fields)
                if header is not None:
                    continue
            if header is not None:
                positions = [header.get(name) for name in COLUMNS]
                id_position = header.get("id")
            elif len(fields) >= 6:
                positions, id_position = [1, 2, 3, 4, 5], 0
            else:
                positions, id_position = [0, 1, 2, 3, 4], None
            record = [fields[p].strip() if p is not None and p < len(fields) else "" for p in positions]
            row_id = fields[id_position].strip() if id_position is not None and id_position < len(fields) else ""
            yield index, row_id, record if all(record[:3]) else None
            index += 1


def _gold_labels(negation: str, temporality: str, experiencer: str) -> frozenset[str] | None:
    negated = _NEGATION.get(negation.strip().lower())
    temporal = _TEMPORALITY.get(temporality.strip().lower(), None) if temporality.strip() else ""
    if negated is None or temporal is None:
        return None
    labels = {"negated"} if negated else set()
    if temporal:
        labels.add(temporal)
    if experiencer.strip() and experiencer.strip().lower() != "patient":
        labels.add("other experiencer")
    return frozenset(labels)


def locate_condition(condition: str, sentence: str) -> tuple[int, int, bool]:
    """Where a condition is in its sentence: (start, end, found as given)."""
    condition = condition.strip()
    lowered, target = sentence.lower(), condition.lower()
    starts = [match.start() for match in re.finditer(re.escape(target), lowered)] if target else []
    if starts:
        upper = [start for start in starts if sentence[start: start + len(condition)] == condition.upper()]
        start = (upper or starts)[0]
        return start, start + len(condition), True
    words = condition.split()
    if words:
        spaced = re.search(r"\s+".join(re.escape(word) for word in words), sentence, re.IGNORECASE)
        if spaced:
            return spaced.start(), spaced.end(), True
        for size in range(len(words) - 1, 0, -1):  # the longest run of the condition's words
            for first in range(len(words) - size + 1):
                pattern = r"\b" + r"\s+".join(re.escape(word) for word in words[first: first + size]) + r"\b"
                found = re.search(pattern, sentence, re.IGNORECASE)
                if found:
                    return found.start(), found.end(), False
    stripped = sentence.rstrip(" .")
    start = len(stripped) - len(stripped.lstrip())
    return start, max(len(stripped), start + 1), False


def _gold_rows(path: str | Path, limit: int, report: NegexReport) -> Iterator[tuple[int, str, str, str, frozenset[str]]]:
    """(index, id, condition, sentence, gold labels) of the readable rows; the others are counted as skipped."""
    for index, row_id, record in read_negex_rows(path):
        if limit and index >= limit:
            break
        gold = _gold_labels(*record[2:]) if record is not None else None
        if record is None or gold is None:
            report.skipped += 1
            continue
        yield index, row_id, record[0], record[1], gold


def _labels(flags: Iterable[str], temporality: str) -> frozenset[str]:
    signals = set(flags) | {f"temporality:{temporality}"}
    return frozenset(label for label, signal in LABEL_FLAGS.items() if signal in signals)


def evaluate_negex(path: str | Path, checker: "Checker | None" = None, *, limit: int = 0,
                   mode: str = "given") -> NegexReport:
    """Score the assertions of each row's condition in its sentence, in ``mode`` "given" or "extracted".

    checker (Checker | None): Whose model to use; a default one when None. Extracted
        mode adds the conditions as terms to a separate extractor of the same model.
    limit (int): Evaluate only the first ``limit`` data rows (0: all).
    """
    if mode not in MODE_DESCRIPTIONS:
        raise ValueError(f"unknown NegEx mode {mode!r}: use {' or '.join(MODE_DESCRIPTIONS)}")
    extractor = _extractor(checker)
    report = NegexReport(mode=mode)
    rows = list(_gold_rows(path, limit, report))
    if mode == "extracted":
        from chartaudit.extract import Extractor

        extractor = Extractor(model_dir=extractor.model_path, cache_size=0)
        extractor.add_terms({" ".join(condition.split()): None for _, _, condition, _, _ in rows})
    for index, row_id, condition, sentence, gold in rows:
        start, end, located = locate_condition(condition, sentence)
        if mode == "given":
            assessed = extractor.assess(sentence, [(start, end)])[0]
            predicted, found = _labels(assessed.flags, assessed.temporality), True
        else:
            mention = _best_overlap(extractor.extract(sentence), start, end)
            found = mention is not None
            predicted = _labels((flag for flag in ASSERTIONS[:-1] if getattr(mention, flag)), mention.temporality
                                ) if mention is not None else frozenset()
        report.rows.append(NegexRow(index, row_id, condition, sentence, gold, predicted, located, found))
    if report.skipped:
        logger.warning("NegEx evaluation: %d unreadable rows skipped", report.skipped)
    return report


@dataclass
class NegexEvaluation:
    """Both modes over the same rows: what ``chartaudit evaluate`` prints for a NegEx file."""

    given: NegexReport
    extracted: NegexReport

    def select(self, keep: Callable[[NegexRow], bool]) -> "NegexEvaluation":
        return NegexEvaluation(self.given.select(keep), self.extracted.select(keep))

    def table(self) -> str:
        return "\n\n".join((self.given.table(), self.extracted.table(), TEMPORALITY_NOTE))

    def error_lines(self, n: int) -> list[str]:
        """The worst rows of the extracted mode (what a real note would show), then of the given mode."""
        return (["extracted mode:", *self.extracted.error_lines(n), "given-span mode:", *self.given.error_lines(n)])


def evaluate_negex_modes(path: str | Path, checker: "Checker | None" = None, *, limit: int = 0) -> NegexEvaluation:
    """Both modes of :func:`evaluate_negex`."""
    return NegexEvaluation(evaluate_negex(path, checker, limit=limit, mode="given"),
                           evaluate_negex(path, checker, limit=limit, mode="extracted"))


def _best_overlap(mentions: list["Mention"], start: int, end: int) -> "Mention | None":
    """The mention that shares the most characters with ``start:end`` (None when none does)."""
    best, best_overlap = None, 0
    for mention in mentions:
        overlap = min(end, mention.end) - max(start, mention.start)
        if overlap > best_overlap:
            best, best_overlap = mention, overlap
    return best


def _extractor(checker: "Checker | None") -> "Extractor":
    if checker is not None:
        return checker.extractor
    from chartaudit.extract import Extractor

    return Extractor()
