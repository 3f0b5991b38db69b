"""The "Batch audit" page: upload encounters, map columns, audit, explore, download.

The audit itself is the batch package's :func:`chartaudit.batch.audit_frame`, run
chunk by chunk so the page can show progress. Uploads are read in memory, never
written to disk, and only into this session's state (no cache shared between
sessions), so they go when the session goes. An upload is read in chunks and
refused, with one line, once it holds more than ``MAX_UPLOAD_ROWS`` rows or
``MAX_UPLOAD_TEXT_CHARACTERS`` characters of text, counted after decompression (a
small Parquet or Excel file can expand a thousandfold). A ``note_path`` column is
never resolved here: a row without note text gets an ``input_error``. One encounter
can be opened to see its highlighted note (it is checked again, in milliseconds).
"""

from __future__ import annotations

import io
import logging
import time
from typing import TYPE_CHECKING, Callable

import pandas as pd
import streamlit as st

from chartaudit import formats
from chartaudit.batch import ColumnMap, audit_frame, summary_frame
from chartaudit.batch.partition import ROW_COLUMN
from chartaudit.findings import FINDING_TYPES
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
#: The finding type the "most often unsupported codes" chart counts: billed codes nothing in the note documents.
UNSUPPORTED_TYPE = "unsupported_code"
#: Most rows an upload may hold (larger batches: ``chartaudit audit``).
MAX_UPLOAD_ROWS = 10_000
#: Most characters of text, in all cells together, an upload may hold once decompressed.
MAX_UPLOAD_TEXT_CHARACTERS = 50_000_000
#: Rows read at a time while an upload is counted.
UPLOAD_CHUNK_ROWS = 1_000
UPLOAD_FILE_TYPES = ["csv", "parquet", "pq", "jsonl", "ndjson", "xlsx"]


def text_characters(frame: pd.DataFrame) -> int:
    """The characters of text in every cell of a frame (lists of codes not counted)."""
    return sum(len(value) for column in frame.columns for value in frame[column].tolist() if isinstance(value, str))


def read_upload(name: str, data: bytes, max_rows: int | None = None, max_text: int | None = None) -> pd.DataFrame:
    """An uploaded encounter file as a frame, read in memory and in chunks, within the upload limits.

    Raises a one-line :class:`~chartaudit.formats.FormatError` for a file that cannot be
    read, or as soon as it holds more rows or more text than allowed.
    """
    max_rows = MAX_UPLOAD_ROWS if max_rows is None else max_rows
    max_text = MAX_UPLOAD_TEXT_CHARACTERS if max_text is None else max_text
    fmt = formats.upload_format(name)
    if not data.strip():
        raise formats.FormatError(f"{name}: the file is empty")
    larger = "; audit larger files with the chartaudit audit command"
    expanded = fmt.expanded_bytes(data)
    if expanded is not None and expanded > 4 * max_text:
        raise formats.FormatError(f"{name}: the file expands to {expanded:,} bytes once decompressed, over the "
                                  f"viewer's limit of {max_text:,} characters of text{larger}")
    chunks: list[pd.DataFrame] = []
    rows = characters = 0
    try:
        for chunk, _ in fmt.read_stream(io.BytesIO(data), len(data), UPLOAD_CHUNK_ROWS):
            rows += len(chunk)
            characters += text_characters(chunk)
            if rows > max_rows:
                raise formats.FormatError(f"{name}: more than {max_rows:,} rows, the viewer's limit{larger}")
            if characters > max_text:
                raise formats.FormatError(f"{name}: more than {max_text:,} characters of text once decompressed, "
                                          f"the viewer's limit{larger}")
            chunks.append(chunk)
    except formats.FormatError as error:
        if str(error).startswith(f"{name}: "):
            raise
        raise formats.FormatError(f"{name}: cannot be read as {fmt.label} ({error})") from None
    except Exception as error:  # any parser error becomes one line for the page
        raise formats.FormatError(f"{name}: cannot be read as {fmt.label} ({formats.first_line(error)})") from None
    frame = chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    if frame.empty or not len(frame.columns):
        raise formats.FormatError(f"{name}: no rows found")
    if formats.PARSE_ERROR_COLUMN in frame.columns and frame[formats.PARSE_ERROR_COLUMN].notna().all():
        raise formats.FormatError(f"{name}: no line of the file is a JSON object")
    frame.columns = [str(column) for column in frame.columns]
    return frame


def guess_columns(columns: list[str]) -> dict[str, str]:
    """The input column for each field: the documented name, else a likely alias, else none."""
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

    Each finding carries ``input_row``, the position of its row in ``frame``. No note
    file is read (no note folder is given): a row naming one gets an ``input_error``.
    """
    parts = []
    total = max(len(frame), 1)
    for start in range(0, len(frame), CHUNK_ROWS):
        part = audit_frame(frame.iloc[start:start + CHUNK_ROWS], columns, policies=list(policies), row_numbers=True)
        part[ROW_COLUMN] += start
        parts.append(part)
        if progress is not None:
            progress(min(start + CHUNK_ROWS, len(frame)) / total)
    if not parts:
        return audit_frame(frame.iloc[0:0], columns, row_numbers=True)
    return pd.concat(parts, ignore_index=True)


def encounter_summary(frame: pd.DataFrame, columns: ColumnMap, findings: pd.DataFrame) -> pd.DataFrame:
    """One row per input row (duplicate ids included): status and counts, as ``chartaudit audit --summary``."""
    ids = frame[columns.id].astype(str).tolist() if columns.id in frame.columns else [""] * len(frame)
    return summary_frame(ids, findings)


def unsupported_counts(findings: pd.DataFrame, limit: int = 12) -> pd.Series:
    """How often each billed code is reported as ``unsupported_code``, most often first."""
    codes = findings.loc[(findings["type"] == UNSUPPORTED_TYPE) & (findings["code"] != ""), "code"]
    return codes.value_counts().head(limit)


def count_chart(counts: pd.Series, label: str) -> "alt.Chart":
    """A horizontal bar chart of counts, largest first (an Altair chart)."""
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
    uploaded = st.file_uploader("Encounters: CSV, Parquet, JSONL or Excel", type=UPLOAD_FILE_TYPES, key="batch_file")
    if SAMPLE_BATCH.is_file():
        st.button("…or use the sample batch (97 synthetic encounters)", on_click=_load_sample_batch)
    st.caption(f"At most {MAX_UPLOAD_ROWS:,} rows and {MAX_UPLOAD_TEXT_CHARACTERS:,} characters of text per file; "
               "note text only (a note_path column is not read here).")
    if uploaded is not None:
        current = st.session_state.get("batch_input")
        if current is None or current[0] != uploaded.name or st.session_state.get("_batch_size") != uploaded.size:
            # Drop the previous upload and its findings first: two uploads are never held at once.
            for key in ("batch_input", "batch_findings", "_batch_size"):
                st.session_state.pop(key, None)
            try:
                frame = read_upload(uploaded.name, uploaded.getvalue())
            except formats.FormatError as error:
                st.error(f"The file was not read: {error}")
                return None
            st.session_state["batch_input"] = (uploaded.name, frame)
            st.session_state["_batch_size"] = uploaded.size
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


def _explore(audited: pd.DataFrame, frame: pd.DataFrame, columns: ColumnMap) -> None:
    """Figures, charts, the filtered findings table and one opened encounter (``audited`` carries ``input_row``)."""
    summary = encounter_summary(frame, columns, audited)
    findings = audited.drop(columns=[ROW_COLUMN])
    flagged = int((summary["status"] != "clean").sum())
    first, second, third, fourth = st.columns(4)
    first.metric("Encounters", f"{len(summary):,}")
    second.metric("Needing review", f"{flagged:,}")
    third.metric("Error findings", f"{int((findings['severity'] == 'error').sum()):,}")
    fourth.metric("Warning findings", f"{int((findings['severity'] == 'warning').sum()):,}")
    repeated = int(summary["encounter_id"].duplicated(keep=False).sum())
    if repeated:
        st.caption(f"{repeated:,} rows share their encounter id with another row; each row is counted.")

    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Findings by type**")
        by_type = findings["type"].value_counts()
        if len(by_type):
            st.altair_chart(count_chart(by_type, "type"), width="stretch")
    with right:
        st.markdown("**Most often unsupported codes**")
        st.caption("Billed codes with an `unsupported_code` finding: nothing in the note documents them.")
        top = unsupported_counts(findings)
        if len(top):
            st.altair_chart(count_chart(top, "code"), width="stretch")
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
    st.dataframe(shown, hide_index=True, width="stretch", height=320)
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
    """Draw the page."""
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
