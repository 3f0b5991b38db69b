"""Batch audits: stream encounters from CSV / Parquet / JSONL through the checker.

Usage::

    from chartaudit.batch import AuditJob, run_audit, audit_frame
"""

from chartaudit.batch.columns import OUTPUT_COLUMNS, SUMMARY_COLUMNS, ColumnMap
from chartaudit.batch.engine import audit_frame, cached_checker, summary_frame
from chartaudit.batch.io import BatchInputError, FindingWriter, iter_input, read_chunks
from chartaudit.batch.runner import AuditJob, AuditSummary, run_audit
from chartaudit.batch.safety import escape_cell, escape_frame

__all__ = [
    "OUTPUT_COLUMNS", "SUMMARY_COLUMNS", "AuditJob", "AuditSummary", "BatchInputError", "ColumnMap",
    "FindingWriter", "audit_frame", "cached_checker", "escape_cell", "escape_frame", "iter_input",
    "read_chunks", "run_audit", "summary_frame",
]
