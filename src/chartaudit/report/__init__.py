"""Reports: a checked encounter as table rows, CLI text, JSON, the viewer's HTML and provider queries.

Every renderer of results lives here; the CLI, the batch engine and the viewer call it.
"""

from chartaudit.report.html import STATUS_BADGES, escape_attribute, escape_markdown, escape_text
from chartaudit.report.queries import draft_query
from chartaudit.report.rows import FINDING_COLUMNS, INTEGER_COLUMNS, finding_rows, findings_frame, input_error_row
from chartaudit.report.text import result_json, result_text

__all__ = [
    "FINDING_COLUMNS", "INTEGER_COLUMNS", "STATUS_BADGES", "draft_query", "escape_attribute", "escape_markdown",
    "escape_text", "finding_rows", "findings_frame", "input_error_row", "result_json", "result_text",
]
