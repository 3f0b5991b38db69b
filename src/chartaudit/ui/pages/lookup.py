"""The "Code lookup" page: search ICD-10-CM and read one code's rules.

The search is the extractor's (:class:`chartaudit.extract.lookup.TermLookup`): an
abbreviation, a lexicon, tabular or Alphabetic Index phrase equal to the query's
words first, then the title word search; each hit says which source found it.
For a code: its description, whether it is billable (and what is missing if not),
its ancestors, the more specific codes below it, the codes that differ from it only
by side, its Excludes1 notes (its own and those it inherits) and inclusion terms.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from chartaudit.knowledge.codes import split_codes
from chartaudit.report.html import escape_markdown
from chartaudit.ui.state import get_knowledge, get_term_lookup

logger = logging.getLogger(__name__)

SEARCH_LIMIT = 50
CHILDREN_LIMIT = 60


def _add_to_claim(code: str) -> None:
    """Append a code to the check page's diagnosis codes (kept while that page is not shown)."""
    for key in ("dx", "_kept_dx"):
        if key in st.session_state or key == "_kept_dx":
            present = split_codes(st.session_state.get(key, "") or "")
            if code not in present:
                present.append(code)
            st.session_state[key] = ", ".join(present)
    st.session_state["lookup_added"] = code


def code_details(code: str) -> dict[str, object]:
    """Everything the page shows about one code, as plain data (no Streamlit)."""
    knowledge = get_knowledge()
    return {
        "code": code,
        "description": knowledge.description(code),
        "billable": knowledge.is_billable(code),
        "billable_hint": knowledge.billable_hint(code),
        "ancestors": [(item, knowledge.description(item)) for item in knowledge.ancestors(code)],
        "children": [(item, knowledge.description(item), knowledge.is_billable(item))
                     for item in knowledge.children(code)[:CHILDREN_LIMIT]],
        "more_specific": [(item, knowledge.description(item)) for item in knowledge.more_specific(code)],
        "laterality_siblings": knowledge.laterality_siblings(code),
        "excludes1": knowledge.excludes1_sources(code),
        "inclusion_terms": knowledge.inclusion_terms(code),
    }


def _show_code(code: str) -> None:
    knowledge = get_knowledge()
    details = code_details(code)
    st.subheader(f"{code} — {details['description']}")
    if details["billable"]:
        st.success("Billable as written.")
    else:
        st.warning(f"Not billable as written. {details['billable_hint']}")
    st.button(f"Add {code} to the note check", on_click=_add_to_claim, args=(code,), key="lookup_add")
    if st.session_state.get("lookup_added") == code:
        st.caption(f"{code} is in the diagnosis codes of the “Check a note” page.")

    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**More specific codes below it**")
        children = details["children"]
        if children:
            st.dataframe(pd.DataFrame(children, columns=["code", "description", "billable"]),
                         hide_index=True, width="stretch")
        else:
            st.caption("None: this is the most specific level.")
        specific = details["more_specific"]
        if specific:
            st.markdown("**Say more than this unspecified code**")
            st.dataframe(pd.DataFrame(specific, columns=["code", "description"]),
                         hide_index=True, width="stretch")
        st.markdown("**Laterality siblings**")
        siblings = details["laterality_siblings"]
        if siblings:
            st.dataframe(pd.DataFrame([(side, sibling, knowledge.description(sibling))
                                       for side, sibling in siblings.items()],
                                      columns=["side", "code", "description"]),
                         hide_index=True, width="stretch")
        else:
            st.caption("This code has no side.")
    with right:
        st.markdown("**Excludes1** (never billed together with this code; Guideline I.A.12.a)")
        notes = details["excludes1"]
        if notes:
            st.markdown("\n".join(
                f"- {escape_markdown(note)} — from {escape_markdown(source)}" for source, note, _ in notes))
        else:
            st.caption("No Excludes1 note applies.")
        if details["ancestors"]:
            st.markdown("**Belongs to**")
            st.markdown("\n".join(f"- `{item}` {escape_markdown(text)}" for item, text in details["ancestors"]))
        terms = details["inclusion_terms"]
        if terms:
            st.markdown("**Inclusion terms**")
            st.markdown("\n".join(f"- {escape_markdown(term)}" for term in terms))


def render() -> None:
    """Draw the page."""
    st.title("ICD-10-CM code lookup")
    query = st.text_input("Search by code, words or abbreviation", key="lookup_query",
                          placeholder="shoulder pain, M25.51, afib, heart attack, type 2 diabetes with neuropathy")
    if not query.strip():
        st.caption("Type a code (M25.511, m25511, M25.5), words (right shoulder pain, heart attack) "
                   "or an abbreviation (afib, CHF).")
        return
    knowledge = get_knowledge()
    try:
        hits = get_term_lookup().search(query, SEARCH_LIMIT)
    except Exception as error:  # a search problem must not break the page
        logger.error("code search failed (%s)", type(error).__name__)
        st.error("The search failed for that text; try a code or fewer words.")
        return
    rows = [(hit.code, hit.description, knowledge.is_billable(hit.code), hit.source_label, hit.term) for hit in hits]
    exact = knowledge.normalize(query.strip())
    if exact and knowledge.is_valid(exact) and exact not in {row[0] for row in rows}:
        rows.insert(0, (exact, knowledge.description(exact), knowledge.is_billable(exact), "code", query.strip()))
    if not rows:
        st.warning(f"No ICD-10-CM code matches “{escape_markdown(query)}”. Try fewer or other words.")
        return
    st.dataframe(pd.DataFrame(rows, columns=["code", "description", "billable", "found by", "matched"]),
                 hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 320))
    st.caption("Found by: an abbreviation, a lexicon phrase, a phrase of the tabular list or of the "
               "Alphabetic Index equal to your words (the terms the note check reads), the words of the "
               "titles, or the family of a phrase hit.")
    labels = {row[0]: row[1] for row in rows}
    code = st.selectbox("Show the rules of", list(labels), key="lookup_code",
                        format_func=lambda item: f"{item} — {labels.get(item, '')}")
    if code:
        _show_code(code)
