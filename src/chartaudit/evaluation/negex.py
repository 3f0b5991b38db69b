"""Evaluate assertions (negation, history, experiencer) on NegEx-format TSV.

The gold file is the NegEx test set format (Chapman et al.), tab-separated, one
condition per row: ``[id,] condition, sentence, negation, temporality,
experiencer``. A header row is recognised by its column names (any order); a file
without one is read by position (6 columns: with ``id``; 5: without). Rows with
too few columns, an empty sentence or an unknown label are skipped and counted.

The given condition is assessed, not our lexicon's idea of it: the condition
text is located in the sentence (case-insensitively, preferring the upper-case
occurrence NegEx marks; else with any whitespace between its words; else its
longest run of words found; else the whole sentence), and that span is assessed
with :meth:`chartaudit.extract.Extractor.assess`, so ConText applies to it as to
a matched target.

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

Usage::

    report = evaluate_negex("../shared/data/negex_dev.tsv")
    print(report.table())
    print("\\n".join(report.error_lines(10)))
    print(report.select(lambda row: row.index % 2 == 0).table())   # one half
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chartaudit.evaluation.metrics import Counts, format_table

if TYPE_CHECKING:
    from chartaudit.checker import Checker
    from chartaudit.extract import Extractor

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

    @property
    def wrong(self) -> frozenset[str]:
        """The labels on which gold and prediction disagree."""
        return self.gold ^ self.predicted


@dataclass
class NegexReport:
    """Per-label counts over the evaluated rows, and the rows themselves."""

    rows: list[NegexRow] = field(default_factory=list)
    skipped: int = 0

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
        """A report over some of the rows (e.g. one half: ``lambda row: row.index % 2``).

        Usage::

            report.select(lambda row: row.index % 2 == 1).counts["negated"].f1
        """
        return NegexReport([row for row in self.rows if keep(row)], skipped=0)

    def table(self) -> str:
        """The per-label precision / recall / F1 table."""
        rows = [
            [label, count.support, count.true_positive, count.false_positive, count.false_negative,
             count.precision, count.recall, count.f1]
            for label, count in self.counts.items()
        ]
        header = ["assertion", "gold", "tp", "fp", "fn", "precision", "recall", "f1"]
        unlocated = sum(not row.located for row in self.rows)
        summary = f"{len(self.rows)} sentences"
        if self.skipped:
            summary += f" ({self.skipped} rows skipped)"
        if unlocated:
            summary += f"; condition not found verbatim in {unlocated}"
        return summary + "\n" + format_table(header, rows) + "\n" + TEMPORALITY_NOTE

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

    Usage::

        for index, row_id, record in read_negex_rows("negex.tsv"): ...
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
    """Where a condition is in its sentence: (start, end, found as given).

    Usage::

        locate_condition("edema", "No EDEMA.")  # (3, 8, True)
    """
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


def evaluate_negex(path: str | Path, checker: "Checker | None" = None, *, limit: int = 0) -> NegexReport:
    """Assess each row's condition in its sentence and score the assertions.

    path (str | Path): The NegEx-format TSV.
    checker (Checker | None): Whose extractor to use; a default one when None.
    limit (int): Evaluate only the first ``limit`` data rows (0: all).
    RETURNS (NegexReport): The counts and the rows.

    Usage::

        evaluate_negex("negex.tsv", limit=100).counts["negated"].f1
    """
    extractor = _extractor(checker)
    report = NegexReport()
    for index, row_id, record in read_negex_rows(path):
        if limit and index >= limit:
            break
        gold = _gold_labels(*record[2:]) if record is not None else None
        if record is None or gold is None:
            report.skipped += 1
            continue
        condition, sentence = record[0], record[1]
        start, end, located = locate_condition(condition, sentence)
        assessed = extractor.assess(sentence, [(start, end)])[0]
        signals = assessed.flags | {f"temporality:{assessed.temporality}"}
        predicted = frozenset(label for label, signal in LABEL_FLAGS.items() if signal in signals)
        report.rows.append(NegexRow(index, row_id, condition, sentence, gold, predicted, located))
    if report.skipped:
        logger.warning("NegEx evaluation: %d unreadable rows skipped", report.skipped)
    return report


def _extractor(checker: "Checker | None") -> "Extractor":
    if checker is not None:
        return checker.extractor
    from chartaudit.extract import Extractor

    return Extractor()
