"""The "Batch audit" page: upload encounters, map columns, audit, explore, download.

The audit itself is the batch package's :func:`chartaudit.batch.audit_frame`, run
chunk by chunk so the page can show progress. Uploads are read in memory
(:mod:`chartaudit.ui.exports`), never written to disk. One encounter can be opened
to see its highlighted note (it is checked again, in milliseconds).

Usage::

    from chartaudit.ui.batch_page import render
    render()
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable

import pandas as pd
import streamlit as st

from chartaudit import formats
from chartaudit.batch import ColumnMap, audit_frame
from chartaudit.findings import FINDING_TYPES, registry
from chartaudit.resources import samples_dir
from chartaudit.types import SEVERITY_RANK
from chartaudit.ui.state import PolicyUploadError, get_checker, policy_file
from chartaudit.ui.widgets import findings_downloads, show_result

if TYPE_CHECKING:
    import altair as alt

logger = logging.getLogger(__name__)

CHUNK_ROWS = 20
NONE = "(none)"
SAMPLE_BATCH = samples_dir() / "encounters.jsonl"
#: Finding types that say the note does not support a billed code (documentation gaps).
UNSUPPORTED_TYPES = tuple(registry.documentation_gaps())


def read_upload(name: str, data: bytes) -> pd.DataFrame:
    """An uploaded encounter file as a frame, read in memory; one-line :class:`~chartaudit.formats.FormatError` otherwise."""
    fmt = formats.upload_format(name)
    if not data.strip():
        raise formats.FormatError(f"{name}: the file is empty")
    try:
        frame = fmt.read_bytes(data)
    except Exception as error:  # any parser error becomes one line for the page
        raise formats.FormatError(f"{name}: cannot be read as {fmt.label} ({formats.first_line(error)})") from None
    if frame.empty or not len(frame.columns):
        raise formats.FormatError(f"{name}: no rows found")
    if formats.PARSE_ERROR_COLUMN in frame.columns and frame[formats.PARSE_ERROR_COLUMN].notna().all():
        raise formats.FormatError(f"{name}: no line of the file is a JSON object")
    frame.columns = [str(column) for column in frame.columns]
    return frame


def guess_columns(columns: list[str]) -> dict[str, str]:
    """The input column for each field: the documented name, else a likely alias, else none.

    Usage::

        guess_columns(["id", "text", "icd10"])  # {"id": "id", "note": "text", "dx": "icd10", ...}
    """
    defaults = ColumnMap()
    aliases = {
        "id": (defaults.id, "id", "encounter", "visit_id", "claim_id"),
        "note": (defaults.note, "note", "text", "note text", "transcription", "document"),
        "dx": (defaults.dx, "dx", "icd10", "icd10_codes", "diagnosis_codes", "codes"),
        "px": (defaults.px, "px", "cpt", "cpt_codes", "procedure_codes"),
        "setting": (defaults.setting, "encounter_type", "care_setting"),
    }
    lowered = {column.lower(): column for column in columns}
    guessed = {}
    for field, names in aliases.items():
        guessed[field] = next((lowered[name] for name in names if name in lowered), NONE)
    return guessed


def run_audit_chunks(frame: pd.DataFrame, columns: ColumnMap, policies: tuple[str, ...] = (),
                     progress: Callable[[float], object] | None = None) -> pd.DataFrame:
    """Audit a frame chunk by chunk with :func:`audit_frame`, reporting progress as a fraction.

    Usage::

        findings = run_audit_chunks(frame, ColumnMap(), progress=lambda done: None)
    """
    parts = []
    total = max(len(frame), 1)
    for start in range(0, len(frame), CHUNK_ROWS):
        parts.append(audit_frame(frame.iloc[start:start + CHUNK_ROWS], columns, policies=list(policies)))
        if progress is not None:
            progress(min(start + CHUNK_ROWS, len(frame)) / total)
    if not parts:
        return audit_frame(frame.iloc[0:0], columns)
    return pd.concat(parts, ignore_index=True)


def count_chart(counts: pd.Series, label: str) -> "alt.Chart":
    """A horizontal bar chart of counts, largest first (an Altair chart).

    Usage::

        st.altair_chart(count_chart(findings["type"].value_counts(), "type"))
    """
    import altair as alt

    data = pd.DataFrame({label: [str(item) for item in counts.index], "findings": counts.to_numpy()})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(x=alt.X("findings:Q", title="findings", axis=alt.Axis(tickMinStep=1, format="d")),
                y=alt.Y(f"{label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
                tooltip=[label, "findings"])
        .properties(height=max(120, 26 * len(data)))
    )


def _load_sample_batch() -> None:
    st.session_state["batch_input"] = ("encounters.jsonl (sample)", read_upload(
        SAMPLE_BATCH.name, SAMPLE_BATCH.read_bytes()))
    st.session_state.pop("batch_findings", None)


def _input_frame() -> tuple[str, pd.DataFrame] | None:
    uploaded = st.file_uploader("Encounters: CSV, Parquet or JSONL", type=["csv", "parquet", "pq", "jsonl", "ndjson"],
                                key="batch_file")
    if SAMPLE_BATCH.is_file():
        st.button("…or use the sample batch (97 synthetic encounters)", on_click=_load_sample_batch)
    if uploaded is not None:
        current = st.session_state.get("batch_input")
        if current is None or current[0] != uploaded.name or st.session_state.get("_batch_size") != uploaded.size:
            try:
                frame = read_upload(uploaded.name, uploaded.getvalue())
            except formats.FormatError as error:
                st.error(f"The file was not read: {error}")
                return None
            st.session_state["batch_input"] = (uploaded.name, frame)
            st.session_state["_batch_size"] = uploaded.size
            st.session_state.pop("batch_findings", None)
    return st.session_state.get("batch_input")


def _column_map(columns: list[str]) -> ColumnMap | None:
    guessed = guess_columns(columns)
    options = [NONE, *columns]
    st.markdown("**Map the columns**")
    cells = st.columns(5)
    labels = {"id": "Encounter id", "note": "Note text", "dx": "Diagnosis codes", "px": "Procedure codes",
              "setting": "Setting"}
    chosen = {}
    for cell, (field, label) in zip(cells, labels.items()):
        chosen[field] = cell.selectbox(label, options, index=options.index(guessed[field]), key=f"map_{field}")
    missing = [labels[field] for field in ("id", "note", "dx") if chosen[field] == NONE]
    if missing:
        st.error(f"Choose the column that holds: {', '.join(missing)}.")
        return None
    defaults = ColumnMap()
    return ColumnMap(
        id=chosen["id"], note=chosen["note"], dx=chosen["dx"],
        px=chosen["px"] if chosen["px"] != NONE else f"{defaults.px}__absent",
        setting=chosen["setting"] if chosen["setting"] != NONE else f"{defaults.setting}__absent",
    )


def _policy_paths() -> tuple[str, ...] | None:
    uploaded = st.file_uploader("Coverage policy CSV (optional)", type=["csv"], key="batch_policy")
    if uploaded is None:
        return ()
    try:
        path, _ = policy_file(uploaded.name, uploaded.getvalue())
        return (str(path),)
    except PolicyUploadError as error:
        st.error(f"The policy file was not used: {error}")
        return None


def _explore(findings: pd.DataFrame, frame: pd.DataFrame, columns: ColumnMap) -> None:
    encounters = frame[columns.id].astype(str).nunique() if columns.id in frame else len(frame)
    flagged = findings.loc[findings["severity"].isin(["error", "warning"]), "encounter_id"].nunique()
    first, second, third, fourth = st.columns(4)
    first.metric("Encounters", f"{encounters:,}")
    second.metric("Needing review", f"{flagged:,}")
    third.metric("Error findings", f"{int((findings['severity'] == 'error').sum()):,}")
    fourth.metric("Warning findings", f"{int((findings['severity'] == 'warning').sum()):,}")

    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Findings by type**")
        by_type = findings["type"].value_counts()
        if len(by_type):
            st.altair_chart(count_chart(by_type, "type"), use_container_width=True)
    with right:
        st.markdown("**Most often unsupported codes**")
        unsupported = findings.loc[findings["type"].isin(UNSUPPORTED_TYPES) & (findings["code"] != ""), "code"]
        top = unsupported.value_counts().head(12)
        if len(top):
            st.altair_chart(count_chart(top, "code"), use_container_width=True)
        else:
            st.caption("No billed code lacks support.")

    st.markdown("**Filter the findings**")
    filter_type, filter_severity, filter_code = st.columns(3)
    present_types = [kind for kind in FINDING_TYPES if kind in set(findings["type"])]
    types = filter_type.multiselect("Type", present_types, key="filter_type")
    severities = filter_severity.multiselect("Severity", sorted(set(findings["severity"]), key=SEVERITY_RANK.get),
                                             key="filter_severity")
    code_text = filter_code.text_input("Code (prefix, e.g. M25)", key="filter_code").strip().upper()
    shown = findings
    if types:
        shown = shown[shown["type"].isin(types)]
    if severities:
        shown = shown[shown["severity"].isin(severities)]
    if code_text:
        shown = shown[shown["code"].str.upper().str.startswith(code_text)
                      | shown["related_code"].str.upper().str.startswith(code_text)]
    st.dataframe(shown, hide_index=True, use_container_width=True, height=320)
    st.caption(f"{len(shown):,} of {len(findings):,} findings shown.")
    findings_downloads(shown, key="batch_download")

    _open_encounter(shown, frame, columns)


def _open_encounter(findings: pd.DataFrame, frame: pd.DataFrame, columns: ColumnMap) -> None:
    st.subheader("Open one encounter")
    ids = list(dict.fromkeys(str(item) for item in findings["encounter_id"] if str(item)))
    ids += [str(item) for item in frame[columns.id].astype(str) if str(item) not in set(ids)]
    if not ids:
        return
    chosen = st.selectbox("Encounter (those with findings shown first)", ids, key="open_encounter")
    rows = frame[frame[columns.id].astype(str) == chosen]
    if rows.empty:
        return
    row = rows.iloc[0]

    def cell(name: str) -> object:
        value = row[name] if name in row.index else None
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        return value.tolist() if hasattr(value, "tolist") else value

    note = cell(columns.note)
    note = "" if note is None else str(note)
    dx = cell(columns.dx)
    setting = cell(columns.setting)
    try:
        result = get_checker().check(note, dx=dx if isinstance(dx, list) else ("" if dx is None else str(dx)),
                                     px=cell(columns.px) or [], setting=str(setting) if setting else "outpatient",
                                     encounter_id=chosen)
        show_result(note, result, key_prefix="batch_encounter")
    except Exception as error:  # never a traceback in the page
        logger.error("opening an encounter failed (%s)", type(error).__name__)
        st.error(f"This encounter could not be shown ({type(error).__name__}).")


def render() -> None:
    """Draw the page.

    Usage::

        st.Page(render, title="Batch audit")
    """
    st.title("Batch audit")
    st.markdown("Upload encounters (one row each: id, note text, diagnosis codes; optional procedure codes "
                "and setting), map the columns, and audit them all.")
    loaded = _input_frame()
    if loaded is None:
        return
    name, frame = loaded
    st.caption(f"{name}: {len(frame):,} rows, columns: {', '.join(map(str, frame.columns[:15]))}")
    columns = _column_map([str(column) for column in frame.columns])
    policies = _policy_paths()
    if columns is None or policies is None:
        return
    if st.button("Run the audit", type="primary"):
        bar = st.progress(0.0, text=f"Auditing {len(frame):,} encounters…")
        started = time.perf_counter()
        try:
            get_checker()  # load the pipeline once, before the progress starts
            findings = run_audit_chunks(frame, columns, policies,
                                        progress=lambda done: bar.progress(done, text=f"{done:.0%} audited"))
        except Exception as error:  # never a traceback in the page
            logger.error("batch audit failed (%s)", type(error).__name__)
            st.error(f"The audit stopped ({type(error).__name__}); check the column mapping and the file.")
            return
        bar.progress(1.0, text=f"Audited {len(frame):,} encounters in {time.perf_counter() - started:.1f} s")
        st.session_state["batch_findings"] = (name, columns, findings)
    stored = st.session_state.get("batch_findings")
    if stored is None or stored[0] != name or stored[1] != columns:
        return
    _explore(stored[2], frame, columns)
