"""Widgets the pages share: one checked encounter (verdict, codes, note, findings, queries) and downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from chartaudit import formats
from chartaudit.report import draft_query, finding_rows, findings_frame, html, result_json

if TYPE_CHECKING:
    import pandas as pd

    from chartaudit.types import CheckResult

_SEVERITY_BOX = {"error": st.error, "warning": st.warning, "info": st.info}


def download_formats() -> list[formats.TableFormat]:
    """The formats a findings table can be downloaded in (every writable single-file format)."""
    return [fmt for fmt in formats.formats() if fmt.writable and fmt.suffixes]


def result_table_bytes(result: "CheckResult", fmt: str = "csv") -> bytes:
    """One result's findings as a download (the batch columns, cells escaped for spreadsheets)."""
    return formats.get(fmt).to_bytes(findings_frame(finding_rows(result)))


def findings_downloads(findings: "pd.DataFrame", key: str, name: str = "chartaudit-findings") -> None:
    """One download button per format; each file is built only when its button is clicked."""
    available = download_formats()
    for cell, fmt in zip(st.columns(len(available) + 2), available):
        cell.download_button(f"Download {fmt.label}", lambda fmt=fmt: fmt.to_bytes(findings),
                             f"{name}{fmt.suffixes[0]}", fmt.mime, key=f"{key}_{fmt.name}", on_click="ignore")


def show_findings(result: "CheckResult", note: str | None = None, with_queries: bool = True) -> None:
    """The findings, most severe first, each documentation gap with its draft query to the provider."""
    st.subheader(f"Findings ({len(result.findings)})")
    if not result.findings:
        st.success("No findings: the note supports every billed code.")
    for finding in result.findings:
        _SEVERITY_BOX.get(finding.severity, st.info)(html.finding_markdown(finding))
        if not with_queries:
            continue
        query = draft_query(finding, result, note)
        if query:
            with st.expander(f"Draft query to the provider about {finding.code or 'this finding'}"):
                st.caption("Neutral and non-leading (AHIMA/ACDIS compliant query practice); "
                           "copy it with the button at the top right of the box.")
                st.code(query, language=None, wrap_lines=True)


def show_result(note: str, result: "CheckResult", key_prefix: str = "check") -> None:
    """Verdict, billed codes, findings and the highlighted note of one checked encounter, and its downloads."""
    verdict = html.summary_sentence(result)
    (st.error if any(f.severity == "error" for f in result.findings) else
     st.warning if result.needs_review else st.success)(verdict)
    st.subheader("Billed codes")
    st.markdown(html.codes_table_html(result), unsafe_allow_html=True)
    procedures = html.procedures_table_html(result)
    if procedures:
        st.markdown("**Procedures**")
        st.markdown(procedures, unsafe_allow_html=True)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("The note")
        st.markdown(html.legend_html(), unsafe_allow_html=True)
        st.markdown(html.highlight_note(note, result), unsafe_allow_html=True)
    with right:
        show_findings(result, note)
    first, second, _ = st.columns([1, 1, 4])
    first.download_button("Download JSON", lambda: result_json(result), "chartaudit-result.json",
                          "application/json", key=f"{key_prefix}_json", on_click="ignore")
    second.download_button("Download CSV", lambda: result_table_bytes(result, "csv"),
                           "chartaudit-findings.csv", "text/csv", key=f"{key_prefix}_csv", on_click="ignore")
