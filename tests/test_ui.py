"""The viewer: escaped HTML, mention roles, provider queries, exports, and each page through AppTest."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from chartaudit import formats
from chartaudit.findings import registry
from chartaudit.formats import FormatError
from chartaudit.report import draft_query, html as render, result_json
from chartaudit.types import CheckResult, CodeResult, Evidence, Finding, Mention
from chartaudit.ui.pages.batch import read_upload
from chartaudit.ui.widgets import result_table_bytes

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
HOSTILE = "<script>alert(1)</script> chest pain <img src=x onerror=alert(2)>\n\n![x](http://198.51.100.7/a.png) $x$"


def _mention(note: str, words: str, codes: list[str], **flags) -> Mention:
    start = note.index(words)
    return Mention(words, start, start + len(words), codes, concept=words.capitalize(), section="assessment", **flags)


@pytest.fixture(scope="module")
def checker():
    from chartaudit.checker import cached_checker

    return cached_checker()


# ----------------------------------------------------------------- rendering

def test_note_text_is_escaped_and_never_markdown():
    start = HOSTILE.index("chest pain")
    result = CheckResult(findings=[], codes=[], mentions=[Mention("chest pain", start, start + 10, ["R07.9"])])
    html = render.highlight_note(HOSTILE, result)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "chest pain</span>" in html
    # One line (a raw HTML block for Markdown), and Markdown / LaTeX syntax is inert.
    assert "\n" not in html and "](" not in html and "$x$" not in html and "![" not in html


def test_escaped_text_reads_back_as_the_same_text():
    from html import unescape

    text = "it's #1 & <b> \\ \"q\" [a](b) $x$ `c` *d* _e_ ~f~ a:b 5-6 ^ {g} |h| +i =j"
    for escaped in (render.escape_text(text), render.escape_attribute(text)):
        assert unescape(escaped) == text
        assert not set(escaped) & set("<>\"'`*_[]()$!~|\\")  # "&" and "#" appear only in entities


def test_hostile_descriptions_and_codes_are_escaped_in_tables():
    code = CodeResult(code="<b>X</b>", input="<b>X</b>", description='"><script>1</script>', status="invalid")
    html = render.codes_table_html(CheckResult(findings=[], codes=[code], mentions=[]))
    assert "<script" not in html and "<b>" not in html and "&lt;b&gt;" in html
    finding = Finding("invalid_code", "error", "![i](http://198.51.100.7/x)", "bad *code* <img>")
    markdown = render.finding_markdown(finding)
    assert "![i]" not in markdown and "<img>" not in markdown and "\\*code\\*" in markdown


def test_each_mention_is_coloured_by_what_it_means_for_the_claim():
    note = "Assessment: chest pain. No fever. Left shoulder pain. Hypertension."
    chest = _mention(note, "chest pain", ["R07.9"])
    fever = _mention(note, "fever", ["R50.9"], negated=True)
    shoulder = _mention(note, "Left shoulder pain", ["M25.512"], laterality="left")
    hypertension = _mention(note, "Hypertension", ["I10"])
    result = CheckResult(
        findings=[
            Finding("laterality_mismatch", "error", "M25.511", "side", evidence=[Evidence.from_mention(shoulder)]),
            Finding("unbilled_condition", "warning", "I10", "unbilled", evidence=[Evidence.from_mention(hypertension)]),
        ],
        codes=[CodeResult("R07.9", "R07.9", "Chest pain, unspecified", "supported", evidence=[Evidence.from_mention(chest)]),
               CodeResult("M25.511", "M25.511", "Pain in right shoulder", "laterality_mismatch",
                          evidence=[Evidence.from_mention(shoulder)])],
        mentions=[chest, fever, shoulder, hypertension],
    )
    roles = render.mention_roles(result)
    assert roles[(chest.start, chest.end)] == "supports"
    assert roles[(shoulder.start, shoulder.end)] == "contradicts"
    assert roles[(hypertension.start, hypertension.end)] == "unbilled"
    assert (fever.start, fever.end) not in roles
    html = render.highlight_note(note, result)
    spans = re.findall(r'<span class="ca-mention ca-(\w+) ca-(\w+)" title="([^"]*)"', html)
    assert [(role, assertion) for role, assertion, _ in spans] == [
        ("supports", "affirmed"), ("other", "negated"), ("contradicts", "affirmed"), ("unbilled", "affirmed")]
    assert "line-through" in html.split("ca-other ca-negated")[1].split("</span>")[0]
    tooltip = spans[2][2]
    assert "M25.512" in tooltip and "assertion&#58; affirmed" in tooltip and "section&#58; assessment" in tooltip
    for label in render.ROLE_LABELS.values():
        assert render.escape_text(label) in render.legend_html()


def test_screening_and_evidence_mentions_are_shown_for_what_they_are(checker):
    note = "HPI: Screening for colon cancer.\nMeds: apixaban 5 mg BID."
    result = checker.check(note, ["Z12.11", "C18.9", "Z79.01"])
    html = render.highlight_note(note, result)
    screening = html.split("ca-screening")[1].split("</span>")[0]
    assert "underline wavy" in screening and "colon cancer" in screening
    drug = re.search(r'title="([^"]*)"[^>]*>apixaban<', html).group(1)
    assert "evidence of&#58; drug" in drug and "Z79.01" in drug
    assert "screening" in render.legend_html()


def test_summary_names_the_codes_the_note_does_not_support():
    codes = [CodeResult("R07.9", "R07.9", "Chest pain, unspecified", "supported"),
             CodeResult("M25.511", "M25.511", "Pain in right shoulder", "unsupported")]
    sentence = render.summary_sentence(CheckResult(findings=[], codes=codes, mentions=[]))
    assert sentence.startswith("The note supports 1 of 2 billed codes")
    assert "M25.511 (Pain in right shoulder): not documented" in sentence and "R07.9 (" not in sentence


# ------------------------------------------------------------------- queries

def test_queries_are_neutral_cite_the_note_and_offer_every_option(checker):
    note = "CC: left shoulder pain\nAssessment: left shoulder pain, likely strain.\n"
    result = checker.check(note, dx=["M25.511"])
    finding = result.findings_of("laterality_mismatch")[0]
    query = draft_query(finding, result, note)
    assert query is not None
    assert '"left shoulder pain"' in query.lower()
    for option in ("Right", "Left", "Bilateral", "Other (please specify)", "Clinically undetermined"):
        assert f"[ ] {option}" in query
    for leading in ("reimburse", "payment", "denied", "DRG", "M25.511"):
        assert leading not in query


def test_open_query_for_an_undocumented_code_does_not_name_it(checker):
    from chartaudit.ui.samples import SAMPLE_DX, SAMPLE_NOTE

    result = checker.check(SAMPLE_NOTE, dx=SAMPLE_DX)
    finding = result.findings_of("unsupported_code")[0]
    query = draft_query(finding, result, SAMPLE_NOTE)
    assert query is not None and "Chest pain" in query
    assert "shoulder" not in query.lower() and "M25.511" not in query


def test_only_documentation_gaps_get_a_query():
    result = CheckResult(findings=[], codes=[], mentions=[])
    for kind in ("unspecified_code", "invalid_code", "excludes1_conflict", "medical_necessity", "unbilled_condition"):
        assert kind not in registry.documentation_gaps()
        assert draft_query(Finding(kind, "warning", "M25.519", "m"), result) is None
    negated = Finding("negated_evidence", "error", "R50.9", "denied",
                      evidence=[Evidence("no fever", 0, 8, "review_of_systems", "negated")])
    query = draft_query(negated, CheckResult(findings=[negated], mentions=[],
                                             codes=[CodeResult("R50.9", "R50.9", "Fever, unspecified", "negated")]))
    assert query is not None and '"no fever" (review of systems)' in query and "Fever, unspecified: present" in query


# ------------------------------------------------------------------- exports

def test_result_downloads_hold_the_findings_with_safe_cells(checker):
    result = checker.check("Assessment: chest pain.", dx=["R07.9", "=HYPERLINK(1)"], encounter_id="enc")
    data = json.loads(result_json(result))
    assert [f["type"] for f in data["findings"]] == [f.type for f in result.findings]
    frame = pd.read_csv(io.BytesIO(result_table_bytes(result, "csv")), dtype=str, keep_default_na=False)
    assert list(frame["type"]) == [f.type for f in result.findings] and "invalid_code" in set(frame["type"])
    assert not any(str(cell).startswith(("=", "+", "-", "@")) for cell in frame.to_numpy().ravel())


def test_uploads_are_read_in_memory_and_bad_ones_get_one_line():
    csv = b"encounter_id,note_text,dx_codes\n1,chest pain,R07.9\n"
    assert read_upload("a.csv", csv).loc[0, "dx_codes"] == "R07.9"
    frame = read_upload("a.jsonl", b'{"encounter_id": "1", "dx_codes": ["R07.9"]}\nnot json\n')
    assert list(frame["__error__"].fillna("")) == ["", "line 2 is not valid JSON"]
    for name, data, words in (("a.txt", csv, "unsupported"), ("a.csv", b"  ", "empty"),
                              ("a.parquet", b"not parquet", "cannot be read"), ("a.jsonl", b"[1]\n", "JSON object")):
        with pytest.raises(FormatError, match=words):
            read_upload(name, data)


def test_findings_download_formats_round_trip():
    findings = pd.DataFrame({"encounter_id": ["1"], "message": ["=cmd()"], "evidence_start": [3]})
    assert pd.read_csv(io.BytesIO(formats.get("csv").to_bytes(findings)))["message"][0] == "'=cmd()"
    assert pd.read_excel(io.BytesIO(formats.get("xlsx").to_bytes(findings)))["message"][0] == "'=cmd()"
    assert pd.read_parquet(io.BytesIO(formats.get("parquet").to_bytes(findings)))["evidence_start"][0] == 3
    records = [json.loads(line) for line in formats.get("jsonl").to_bytes(findings).decode().splitlines()]
    assert records[0]["message"] == "'=cmd()" and records[0]["evidence_start"] == 3


# -------------------------------------------------------------- pages (AppTest)

def _app(script: str | None = None):
    from streamlit.testing.v1 import AppTest

    if script is None:
        return AppTest.from_file(APP, default_timeout=120).run()
    return AppTest.from_string(script, default_timeout=120).run()


def _button(app, label: str):
    return next(button for button in app.button if button.label.startswith(label))


def test_sample_case_shows_the_shoulder_finding():
    app = _app()
    _button(app, "Load the sample encounter").click().run()
    assert not app.exception
    texts = " ".join(element.value for element in app.error)
    assert "unsupported_code" in texts and "M25.511" in texts
    tables = " ".join(element.value for element in app.markdown if "ca-codes" in element.value)
    assert "not documented" in tables and "supported" in tables
    assert any("ca-supports" in element.value for element in app.markdown)
    assert any("Chest pain" in element.value for element in app.code)  # the draft provider query


def test_missing_input_is_a_clear_message():
    app = _app()
    _button(app, "Check").click().run()
    assert not app.exception
    assert any("Paste a note" in element.value for element in app.error)
    assert any("at least one diagnosis code" in element.value for element in app.error)


def test_bad_codes_and_hostile_note_give_findings_not_tracebacks():
    app = _app()
    app.text_area(key="note").input(HOSTILE)
    app.text_input(key="dx").input("XYZ, R07.9")
    app.text_input(key="px").input("80061")
    app.radio(key="setting").set_value("inpatient")
    _button(app, "Check").click().run()
    assert not app.exception
    assert any("invalid_code" in element.value for element in app.error)
    procedures = next(element.value for element in app.markdown if "ca-procedures" in element.value)
    assert "80061" in procedures and "no policy loaded" in procedures
    note_html = next(element.value for element in app.markdown if "ca-note" in element.value)
    assert "&lt;script&gt;" in note_html and "<script" not in note_html


def test_code_search_adds_codes_to_the_claim():
    app = _app()
    app.text_input(key="dx").input("R07.9")
    app.text_input(key="dx_search").input("right shoulder pain").run()
    matches = app.multiselect(key="dx_matches")
    assert "M25.511" in matches.options[0] or any(option.startswith("M25.511") for option in matches.options)
    matches.select("M25.511").run()
    _button(app, "Add to the diagnosis codes").click().run()
    assert not app.exception
    assert app.text_input(key="dx").value == "R07.9, M25.511"


def test_batch_page_audits_the_sample_batch():
    app = _app("from chartaudit.ui.pages.batch import render\nrender()")
    _button(app, "…or use the sample batch").click().run()
    _button(app, "Run the audit").click().run()
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    samples = (ROOT / "data" / "samples" / "encounters.jsonl").read_text(encoding="utf-8").splitlines()
    assert metrics["Encounters"] == str(sum(1 for line in samples if line.strip()))
    assert int(metrics["Error findings"]) > 0
    frame = app.dataframe[0].value
    assert "enc-001" in set(frame.loc[frame["type"] == "unsupported_code", "encounter_id"])
    app.multiselect(key="filter_type").select("laterality_mismatch").run()
    assert set(app.dataframe[0].value["type"]) == {"laterality_mismatch"}
    assert any("ca-note" in element.value for element in app.markdown)  # the opened encounter


def test_batch_page_asks_for_missing_columns():
    app = _app("from chartaudit.ui.pages.batch import render\nrender()")
    _button(app, "…or use the sample batch").click().run()
    app.selectbox(key="map_note").select("(none)").run()
    assert not app.exception
    assert any("Note text" in element.value for element in app.error)
    assert not any(button.label == "Run the audit" for button in app.button)


def test_lookup_page_shows_a_codes_rules():
    app = _app("from chartaudit.ui.pages.lookup import render\nrender()")
    app.text_input(key="lookup_query").input("M25.511").run()
    assert not app.exception
    assert app.selectbox(key="lookup_code").value == "M25.511"
    frames = [frame.value for frame in app.dataframe]
    assert any(set(frame.get("code", [])) >= {"M25.511", "M25.512", "M25.519"} for frame in frames)
    app.text_input(key="lookup_query").input("E11.9").run()
    assert any("E08" in element.value for element in app.markdown)  # an inherited Excludes1 note
    app.text_input(key="lookup_query").input("qqzzxq").run()
    assert not app.exception and any("No ICD-10-CM code matches" in element.value for element in app.warning)


def test_lookup_page_says_which_term_found_a_code():
    app = _app("from chartaudit.ui.pages.lookup import render\nrender()")
    app.text_input(key="lookup_query").input("afib").run()
    assert not app.exception
    frame = app.dataframe[0].value
    assert list(frame.iloc[0][["code", "found by", "matched"]]) == ["I48.91", "abbreviation", "afib = atrial fibrillation"]
    assert app.selectbox(key="lookup_code").value == "I48.91"
    app.text_input(key="lookup_query").input("bedsore").run()
    assert app.dataframe[0].value.iloc[0]["found by"] == "Alphabetic Index"


def test_code_search_finds_abbreviations_and_lay_terms():
    app = _app()
    app.text_input(key="dx_search").input("heart attack").run()
    assert not app.exception
    assert app.multiselect(key="dx_matches").options[0].startswith("I21.9")
