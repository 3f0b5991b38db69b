"""The "Check a note" page: paste a note and its codes, see what the note supports and why.

Inputs: the note (typed, pasted or a .txt upload), diagnosis codes (pasted, or
found by searching ICD-10-CM), procedure codes, the setting and an optional coverage
policy CSV. Results: a one-line verdict, the billed codes with status badges and the
quoted evidence, the findings by severity (each documentation gap with a draft query
to the provider), the note with every mention highlighted, and JSON / CSV downloads.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import streamlit as st

from chartaudit.knowledge.codes import split_codes
from chartaudit.report import html
from chartaudit.types import SETTINGS
from chartaudit.ui.samples import SAMPLE_DX, SAMPLE_LABEL, SAMPLE_NOTE, SAMPLE_PX, SAMPLE_SETTING
from chartaudit.ui.state import (
    PolicyUploadError,
    get_checker,
    get_knowledge,
    get_term_lookup,
    keep_values,
    policy_file,
    save_values,
)
from chartaudit.ui.widgets import show_result

if TYPE_CHECKING:
    from chartaudit.knowledge import PolicySet
    from chartaudit.types import CheckResult

logger = logging.getLogger(__name__)

KEPT_KEYS = ("note", "dx", "px", "setting", "show_results")
MAX_NOTE_UPLOAD_BYTES = 2_000_000
SEARCH_LIMIT = 25


# ------------------------------------------------------------------- callbacks

def load_sample() -> None:
    """Fill the inputs with the sample encounter and show its results at once."""
    st.session_state["note"] = SAMPLE_NOTE
    st.session_state["dx"] = SAMPLE_DX
    st.session_state["px"] = SAMPLE_PX
    st.session_state["setting"] = SAMPLE_SETTING
    st.session_state["show_results"] = True


def _load_note_file() -> None:
    uploaded = st.session_state.get("note_file")
    if uploaded is None:
        return
    data = uploaded.getvalue()
    if len(data) > MAX_NOTE_UPLOAD_BYTES:
        st.session_state["note_file_problem"] = (
            f"{uploaded.name} is {len(data):,} bytes; a note file may have at most {MAX_NOTE_UPLOAD_BYTES:,}.")
        return
    st.session_state.pop("note_file_problem", None)
    st.session_state["note"] = data.decode("utf-8", errors="replace").replace("\x00", " ")


def _add_found_codes() -> None:
    chosen = st.session_state.get("dx_matches") or []
    present = split_codes(st.session_state.get("dx", "") or "")
    added = [code for code in chosen if code not in present]
    st.session_state["dx"] = ", ".join([*present, *added])
    st.session_state["dx_matches"] = []


def _check_clicked() -> None:
    st.session_state["show_results"] = True


# ---------------------------------------------------------------------- inputs

def _code_search() -> None:
    """Search ICD-10-CM by code, words or abbreviation (the extractor's terms); chosen matches
    are added to the diagnosis codes."""
    query = st.text_input("Find a diagnosis code", key="dx_search",
                          placeholder="code, words or abbreviation: shoulder pain, M25.5, afib")
    matches: list[tuple[str, str]] = []
    if query.strip():
        try:
            matches = [(hit.code, hit.description) for hit in get_term_lookup().search(query, SEARCH_LIMIT)]
        except Exception as error:  # a search problem must not break the page
            logger.error("code search failed (%s)", type(error).__name__)
            st.error("The code search failed; type the codes in the box above instead.")
        if not matches:
            st.caption("No ICD-10-CM code matches that search.")
    labels = dict(matches)
    st.multiselect("Matches (pick one or more, then add them)", options=list(labels), key="dx_matches",
                   format_func=lambda code: f"{code} — {labels.get(code, '')}")
    st.button("Add to the diagnosis codes", on_click=_add_found_codes, disabled=not matches)


def _codes_preview(dx_text: str) -> None:
    """One caption line per pasted code: its description, or why it is not usable as is."""
    codes = split_codes(dx_text)
    if not codes:
        return
    knowledge = get_knowledge()
    parts = []
    for raw in codes[:30]:
        code = knowledge.normalize(raw) or raw
        if knowledge.is_valid(code):
            mark = "" if knowledge.is_billable(code) else " (not billable as written)"
            parts.append(f"`{html.escape_markdown(code)}` {html.escape_markdown(knowledge.description(code))}{mark}")
        else:
            parts.append(f"`{html.escape_markdown(raw)}` not an ICD-10-CM code")
    st.caption(" · ".join(parts))


def _policies() -> "PolicySet | None":
    uploaded = st.file_uploader("Coverage policy CSV (optional): procedure_code, icd10_pattern, policy_id",
                                type=["csv"], key="policy_file")
    if uploaded is None:
        return None
    data = uploaded.getvalue()
    cached = st.session_state.get("_policies")
    if cached is not None and cached[0] == (uploaded.name, hash(data)):
        return cached[1]
    try:
        _, policies = policy_file(uploaded.name, data)
        st.session_state["_policies"] = ((uploaded.name, hash(data)), policies)
        return policies
    except PolicyUploadError as error:
        st.error(f"The policy file was not used: {error}")
        return None


# --------------------------------------------------------------------- results

def checked_result(note: str, dx: str, px: str, setting: str, policies: "PolicySet | None") -> "CheckResult":
    """Check the inputs, reusing the last result of this session when nothing changed."""
    key = (hash(note), dx, px, setting, id(policies))
    cached = st.session_state.get("_last_check")
    if cached is not None and cached[0] == key:
        return cached[1]
    started = time.perf_counter()
    result = get_checker().check(note, dx=dx, px=px, setting=setting,
                                 policies=[policies] if policies is not None else None)
    logger.debug("checked a note of %d characters in %.1f ms", len(note), (time.perf_counter() - started) * 1000)
    st.session_state["_last_check"] = (key, result)
    return result


def _problems(note: str, dx: str) -> list[str]:
    problems = []
    if not note.strip():
        problems.append("Paste a note (or upload a .txt file): there is no documentation to check the codes against.")
    if not split_codes(dx):
        problems.append("Enter at least one diagnosis code: ICD-10-CM codes such as “R07.9, M25.511”, "
                        "or find them with the search.")
    return problems


# ------------------------------------------------------------------------ page

def render() -> None:
    """Draw the page."""
    keep_values(KEPT_KEYS)
    st.title("Does the note support the codes?")
    st.markdown("Paste a clinical note and the codes you are about to bill. chartaudit shows which codes "
                "the note supports, which it contradicts, and the exact words that decide it.")
    st.button(SAMPLE_LABEL, on_click=load_sample, type="secondary", icon=":material/play_circle:")
    showing = bool(st.session_state.get("show_results"))
    results_area = st.container()

    with st.expander("The note and the codes", expanded=not showing, icon=":material/edit_note:"):
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.text_area("Clinical note", key="note", height=300,
                         placeholder="CC: chest pain\nHPI: 54 y/o M c/o chest pain x 2 days ...")
            st.file_uploader("…or upload the note as a .txt file", type=["txt"], key="note_file",
                             on_change=_load_note_file)
            if st.session_state.get("note_file_problem"):
                st.error(st.session_state["note_file_problem"])
        with right:
            st.text_input("Diagnosis codes (ICD-10-CM), pasted or added from the search", key="dx",
                          placeholder="R07.9, M25.511")
            _codes_preview(st.session_state.get("dx", "") or "")
            st.markdown("**Search ICD-10-CM**")
            _code_search()
            st.text_input("Procedure codes (CPT/HCPCS)", key="px", placeholder="93000, 80061")
            if st.session_state.get("setting") not in SETTINGS:
                st.session_state["setting"] = SETTINGS[0]
            st.radio("Setting", SETTINGS, key="setting", horizontal=True)
            policies = _policies()
        st.button("Check", type="primary", on_click=_check_clicked)
    save_values(KEPT_KEYS)

    if not showing:
        return
    with results_area:
        _show_checked(policies)


def _show_checked(policies: "PolicySet | None") -> None:
    note = st.session_state.get("note", "") or ""
    dx = st.session_state.get("dx", "") or ""
    problems = _problems(note, dx)
    if problems:
        for problem in problems:
            st.error(problem)
        return
    try:
        result = checked_result(note, dx, st.session_state.get("px", "") or "",
                                 st.session_state.get("setting", "outpatient"), policies)
        show_result(note, result)
    except Exception as error:  # never a traceback in the page (and no note text in the log)
        logger.error("checking a note failed (%s)", type(error).__name__)
        st.error(f"chartaudit could not check this note ({type(error).__name__}). "
                 "Please report it with the codes you entered (not the note).")

