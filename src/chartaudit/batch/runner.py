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

from chartaudit.batch.columns import ColumnMap
from chartaudit.batch.engine import cached_checker, check_frame, findings_frame
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
    """Worker: check one chunk; returns plain data (findings frame, summary rows).

    Cells are escaped by the writer, the output boundary.
    """
    frame, columns, model, policies, base_dir, default_setting = payload
    checker = cached_checker(model, policies)
    rows, summaries = check_frame(checker, frame, columns, Path(base_dir) if base_dir else None, default_setting)
    return findings_frame(rows), summaries


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
