"""The clinical tokenizer gives exactly spaCy's tokens, faster, and keeps the text."""

from __future__ import annotations

import pytest
import spacy

from chartaudit.extract.tokenizer import ClinicalTokenizer, add_special_cases, doc_text, load_special_cases
from chartaudit.resources import default_model_dir

TEXTS = [
    "",
    " ",
    "  leading spaces",
    "trailing space ",
    "two  spaces and a\ttab",
    "a \n b\n\nc \n",
    "c/o chest pain, s/p CABG. Denies SOB; afib: no.",
    "x-ray: negative. X-RAY neg. A-Fib noted",
    "Dr. Smith's pt doesn't smoke. e.g. 10mg/day, 5 mL. H. pylori testing",
    "well-developed, well-nourished 45-year-old (c/o) 'hello' \"quoted\"",
    "BP 120/80, HR 72, T 98.6F, SpO2 98% on RA.",
    "cannot gonna wanna Cannot",
    "NUL\x00byte and \u200fRTL mark, emoji \U0001F600, accents: café, naïve.",
    "URL http://example.org/a?b=c and mail a@b.org.",
    "1. Hypertension.,2. Diabetes mellitus type 2.,3. Pain of the R shoulder.",
]


def _reference() -> spacy.language.Language:
    nlp = spacy.blank("en")
    add_special_cases(nlp, load_special_cases(default_model_dir()))
    return nlp


def _tokens(doc: spacy.tokens.Doc) -> list[tuple[str, str]]:
    return [(token.text, token.whitespace_) for token in doc]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_and_whitespace_are_spacys(text: str) -> None:
    reference = _reference()
    clinical = ClinicalTokenizer(_reference().tokenizer)
    doc = clinical(text)
    assert _tokens(doc) == _tokens(reference.tokenizer(text))
    assert doc.text == text
    assert doc_text(doc) == text


def test_remembered_chunks_give_the_same_tokens_twice() -> None:
    reference = _reference()
    clinical = ClinicalTokenizer(_reference().tokenizer)
    text = " ".join(TEXTS)
    first = _tokens(clinical(text))
    second = _tokens(clinical(text))
    assert first == second == _tokens(reference.tokenizer(text))


def test_a_new_special_case_is_used_after_chunks_were_remembered() -> None:
    clinical = ClinicalTokenizer(spacy.blank("en").tokenizer)
    assert [token.text for token in clinical("q/d dosing")] == ["q", "/", "d", "dosing"]
    clinical.add_special_case("q/d", [{"ORTH": "q/d"}])
    assert [token.text for token in clinical("q/d dosing")] == ["q/d", "dosing"]


def test_the_pipeline_uses_it() -> None:
    from chartaudit.extract.pipeline import build_pipeline

    nlp = build_pipeline()
    assert isinstance(nlp.tokenizer, ClinicalTokenizer)
    assert [token.text for token in nlp.make_doc("c/o x-ray")] == ["c/o", "x-ray"]
