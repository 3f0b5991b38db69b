"""Batch audits: stream encounters from CSV / Parquet / JSONL through the checker, locally or on Dask."""

from chartaudit.batch.columns import SUMMARY_COLUMNS, ColumnMap
from chartaudit.batch.partition import audit_frame, summary_frame
from chartaudit.batch.runner import AuditJob, AuditSummary, BatchInputError, WorkerDied, run_audit

__all__ = [
    "SUMMARY_COLUMNS", "AuditJob", "AuditSummary", "BatchInputError", "ColumnMap", "WorkerDied", "audit_frame",
    "run_audit", "summary_frame",
]
