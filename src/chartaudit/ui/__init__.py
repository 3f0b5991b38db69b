"""The Streamlit viewer (a thin layer over :class:`chartaudit.Checker`): check, batch, lookup pages.

``app.py`` at the repository root only calls :func:`chartaudit.ui.app.main`. The
rendering helpers (:mod:`chartaudit.ui.render`), provider queries
(:mod:`chartaudit.ui.queries`) and exports (:mod:`chartaudit.ui.exports`) are pure
functions usable without Streamlit.
"""
