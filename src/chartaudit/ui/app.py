"""The viewer's entry point: page configuration and navigation between the three pages."""

from __future__ import annotations

import streamlit as st

from chartaudit.ui.pages import batch, check, lookup

PAGES = (
    (check.render, "Check a note", "check", ":material/fact_check:"),
    (batch.render, "Batch audit", "batch", ":material/table_view:"),
    (lookup.render, "Code lookup", "lookup", ":material/search:"),
)


def main() -> None:
    """Configure the page and run the page the user chose (the note check by default)."""
    st.set_page_config(page_title="chartaudit", page_icon="🩺", layout="wide")
    pages = [
        st.Page(function, title=title, url_path=path, icon=icon, default=index == 0)
        for index, (function, title, path, icon) in enumerate(PAGES)
    ]
    st.navigation(pages).run()
