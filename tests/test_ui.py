"""The viewer: escaping of note text and the sample case through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from chartaudit.types import CheckResult, Mention
from chartaudit.ui.render import highlight_note

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_note_text_is_escaped():
    note = "<script>alert(1)</script> chest pain <img src=x onerror=alert(2)>"
    start = note.index("chest pain")
    result = CheckResult(findings=[], codes=[], mentions=[Mention("chest pain", start, start + 10, ["R07.9"])])
    html = highlight_note(note, result)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "chest pain</span>" in html


def test_sample_case_shows_the_shoulder_finding():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120).run()
    app.button[0].click().run()
    next(b for b in app.button if b.label == "Check").click().run()
    assert not app.exception
    texts = " ".join(e.value for e in app.error)
    assert "unsupported_code" in texts and "M25.511" in texts


def test_missing_input_is_a_clear_message():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120).run()
    next(b for b in app.button if b.label == "Check").click().run()
    assert not app.exception
    assert any("Paste a note" in e.value for e in app.error)
