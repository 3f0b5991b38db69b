"""The "check a note" page: paste a note and codes, see statuses, findings and evidence.

Usage::

    streamlit run app.py
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from chartaudit.ui.render import highlight_note

SAMPLE_NOTE = """CC: chest pain
HPI: 54 y/o M c/o chest pain x 2 days, worse with exertion. Denies SOB, nausea or
diaphoresis. No recent injury.
PMH: HTN, HLD
Meds: lisinopril 10 mg daily, atorvastatin 40 mg
Assessment and Plan:
1. Chest pain - ECG today, troponin; cardiology referral.
2. HTN - continue lisinopril.
3. HLD - continue atorvastatin.
"""
SAMPLE_DX = "R07.9, M25.511, I10, E78.5"


@st.cache_resource(show_spinner="Loading the clinical pipeline…")
def get_checker():
    """One checker per server process."""
    from chartaudit import Checker

    return Checker()


def main() -> None:
    st.set_page_config(page_title="chartaudit", layout="wide")
    st.title("chartaudit: does the note support the codes?")
    if st.button("Load the sample encounter (chest pain documented, shoulder pain billed)"):
        st.session_state["note"] = SAMPLE_NOTE
        st.session_state["dx"] = SAMPLE_DX
    note = st.text_area("Clinical note", key="note", height=260)
    left, middle, right = st.columns(3)
    dx = left.text_input("Diagnosis codes (ICD-10-CM)", key="dx", placeholder="R07.9, M25.511")
    px = middle.text_input("Procedure codes (CPT/HCPCS)", key="px")
    setting = right.selectbox("Setting", ["outpatient", "inpatient"], key="setting")
    if not st.button("Check", type="primary"):
        return
    if not note.strip() or not dx.strip():
        st.error("Paste a note and at least one diagnosis code.")
        return
    result = get_checker().check(note, dx=dx, px=px, setting=setting)
    st.subheader("Billed codes")
    st.dataframe(pd.DataFrame([{
        "code": c.code, "description": c.description, "status": c.status.replace("_", " "),
        "evidence": "; ".join(" ".join(e.text.split()) for e in c.evidence[:3]),
    } for c in result.codes]), hide_index=True, use_container_width=True)
    st.subheader(f"Findings ({len(result.findings)})")
    if not result.findings:
        st.success("No findings: the note supports every billed code.")
    for finding in result.findings:
        box = st.error if finding.severity == "error" else st.warning if finding.severity == "warning" else st.info
        box(f"**{finding.type}** {finding.code or ''}: {finding.message}\n\n"
            f"Suggestion: {finding.suggestion}\n\nGuideline: {finding.guideline or '—'}")
    st.subheader("The note")
    st.markdown(highlight_note(note, result), unsafe_allow_html=True)
    st.download_button("Download JSON", json.dumps(result.to_dict(), indent=2), "chartaudit.json",
                       "application/json")
