"""The Streamlit viewer (a thin layer over :class:`chartaudit.Checker`)."""
