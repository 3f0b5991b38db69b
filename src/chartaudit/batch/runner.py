"""The local batch engine: stream chunks through worker processes, in input order.

Usage::

    from chartaudit.batch import AuditJob, run_audit
    summary = run_audit(AuditJob(input=Path("claims.csv"), output=Path("findings.csv")))
    summary.encounters, summary.needs_review
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from chartaudit.batch.columns import OUTPUT_COLUMNS, ColumnMap
from chartaudit.batch.engine import cached_checker, check_row, escape_frame, summary_row
from chartaudit.batch.io import FindingWriter, read_chunks, validate_columns

logger = logging.getLogger(__name__)


@dataclass
class AuditJob:
    """What to audit and how."""

    input: Path
    output: Path
    columns: ColumnMap = field(default_factory=ColumnMap)
    policies: tuple[str, ...] = ()
    model: str | None = None
    workers: int = 1
    chunk_size: int = 500
    summary: Path | None = None
    default_setting: str = "outpatient"


@dataclass
class AuditSummary:
    """The closing figures of a batch audit."""

    encounters: int = 0
    clean: int = 0
    needs_review: int = 0
    input_errors: int = 0
    findings_by_type: Counter = field(default_factory=Counter)

    def add(self, summary: dict[str, Any]) -> None:
        """Count one encounter's summary row (see :func:`summary_row`)."""
        self.encounters += 1
        if summary["status"] == "clean":
            self.clean += 1
        elif summary["status"] == "input_error":
            self.input_errors += 1
        else:
            self.needs_review += 1
        for key, count in summary.items():
            if key.startswith("n_"):
                self.findings_by_type[key[2:]] += count

    def lines(self) -> list[str]:
        lines = [f"{self.encounters:,} encounters: {self.clean:,} clean, {self.needs_review:,} need review, "
                 f"{self.input_errors:,} with input errors"]
        for kind, count in self.findings_by_type.most_common():
            lines.append(f"  {kind:<24} {count:>8,}")
        return lines


def _process_chunk(payload: tuple[pd.DataFrame, ColumnMap, str | None, tuple[str, ...], str | None, str]
                   ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Worker: check one chunk; returns plain data (findings frame, summary rows)."""
    frame, columns, model, policies, base_dir, default_setting = payload
    checker = cached_checker(model, policies)
    directory = Path(base_dir) if base_dir else None
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    for _, row in frame.iterrows():
        encounter_id, _, output = check_row(checker, row, columns, directory, default_setting)
        if "__error__" in row.index and isinstance(row["__error__"], str) and row["__error__"]:
            output = [{**_blank_row(encounter_id), "message": f"Input {row['__error__']}."}] + output
        rows.extend(output)
        summaries.append(summary_row(encounter_id, output))
    findings = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    for column in ("evidence_start", "evidence_end"):
        findings[column] = findings[column].astype("Int64")
    return escape_frame(findings), summaries


def _blank_row(encounter_id: str) -> dict[str, Any]:
    return {"encounter_id": encounter_id, "type": "input_error", "severity": "error", "code": "",
            "related_code": "", "message": "", "suggestion": "Correct the encounter's input and check it again.",
            "evidence_text": "", "evidence_start": None, "evidence_end": None, "guideline": ""}


def _warm_worker(model: str | None, policies: tuple[str, ...]) -> None:
    cached_checker(model, policies)


def iter_results(job: AuditJob) -> Iterator[tuple[pd.DataFrame, list[dict[str, Any]]]]:
    """Chunk results in input order, from one process or a pool of workers."""
    base_dir = str(job.input.parent.resolve())
    payloads = ((chunk, job.columns, job.model, job.policies, base_dir, job.default_setting)
                for chunk in read_chunks(job.input, job.chunk_size))
    if job.workers <= 1:
        for payload in payloads:
            yield _process_chunk(payload)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(job.workers, initializer=_warm_worker, initargs=(job.model, job.policies)) as pool:
        yield from pool.imap(_process_chunk, payloads, chunksize=1)


def run_audit(job: AuditJob, progress: Callable[[int], None] | None = None) -> AuditSummary:
    """Run a whole audit; the output appears (atomically) only when it is complete."""
    validate_columns(job.input, job.columns)
    summary = AuditSummary()
    summary_frames: list[pd.DataFrame] = []
    with FindingWriter(job.output) as writer:
        for findings, summaries in iter_results(job):
            writer.write(findings)
            for encounter in summaries:
                summary.add(encounter)
            if job.summary is not None:
                summary_frames.append(pd.DataFrame(summaries))
            if progress is not None:
                progress(len(summaries))
    if job.summary is not None:
        frame = pd.concat(summary_frames, ignore_index=True) if summary_frames else pd.DataFrame()
        count_columns = sorted(c for c in frame.columns if c.startswith("n_"))
        frame[count_columns] = frame[count_columns].fillna(0).astype(int)
        with FindingWriter(job.summary) as summary_writer:
            summary_writer.write(frame)
    return summary
