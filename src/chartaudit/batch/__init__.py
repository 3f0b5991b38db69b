"""Batch audits: stream encounters from CSV / Parquet / JSONL through the checker.

Usage::

    from chartaudit.batch import AuditJob, run_audit, audit_frame
"""

from chartaudit.batch.columns import OUTPUT_COLUMNS, ColumnMap
from chartaudit.batch.engine import audit_frame, cached_checker
from chartaudit.batch.io import BatchInputError, FindingWriter, read_chunks
from chartaudit.batch.runner import AuditJob, AuditSummary, run_audit
from chartaudit.batch.safety import escape_cell

__all__ = [
    "OUTPUT_COLUMNS", "AuditJob", "AuditSummary", "BatchInputError", "ColumnMap", "FindingWriter",
    "audit_frame", "cached_checker", "escape_cell", "read_chunks", "run_audit",
]
