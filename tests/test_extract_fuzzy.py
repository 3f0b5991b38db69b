"""Fuzzy linking: misspellings and prepositional variants, labelled as fuzzy, switchable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.fuzzy import FuzzyIndex, char_ngrams
from chartaudit.extract.fuzzy.linker import inner_indel, one_edit, transposition
from chartaudit.resources import default_model_dir, icd10cm_dir


def fuzzy_mentions(checker, text: str):
    return [m for m in checker.extract(text) if m.source == "fuzzy"]


def test_misspelt_chest_pain_links_to_r07_9(checker) -> None:
    mentions = fuzzy_mentions(checker, "Patient reports chest pian since yesterday.")
    assert [(m.text, m.codes) for m in mentions] == [("chest pian", ["R07.9"])]
    result = checker.check("Patient reports chest pian since yesterday.", dx=["R07.9"])
    assert result.codes[0].status == "supported"
    assert result.codes[0].evidence[0].source == "fuzzy"
    assert result.to_dict()["codes"][0]["evidence"][0]["source"] == "fuzzy"


def test_pain_of_the_r_shoulder_links_with_its_side(checker) -> None:
    text = "Complains of pain at the R shoulder for two weeks."  # "pain of shoulder" is an Index phrase
    mentions = fuzzy_mentions(checker, text)
    assert len(mentions) == 1
    assert mentions[0].codes == ["M25.511"] and mentions[0].laterality == "right"
    assert checker.check(text, dx=["M25.511"]).codes[0].status == "supported"
    assert checker.check(text, dx=["M25.512"]).codes[0].status == "laterality_mismatch"


def test_fuzzy_evidence_is_labelled_in_findings(checker) -> None:
    text = "Complains of pain at the R shoulder for two weeks."  # "pain of shoulder" is an Index phrase
    finding = next(f for f in checker.check(text, dx=["M25.512"]).findings if f.type == "laterality_mismatch")
    assert "[fuzzy match]" in finding.message
    assert {e.source for e in finding.evidence} == {"fuzzy"}


@pytest.mark.parametrize(
    "text",
    [
        "She plays the piano and made a plan.",   # real words, not misspellings of "pain"
        "Chest plain film was normal.",
        "Confusion improved; father deceased.",   # not "contusion", not "decreased"
        "Onset of symptoms was sudden.",          # a prepositional phrase no term resembles
    ],
)
def test_ordinary_words_do_not_link(checker, text: str) -> None:
    assert fuzzy_mentions(checker, text) == []


def test_exact_matches_are_not_replaced(checker) -> None:
    mentions = checker.extract("Chest pain and right shoulder pain.")
    assert all(m.source != "fuzzy" for m in mentions)


def test_char_ngrams_match_scikit_learn() -> None:
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    analyzer = sklearn_text.TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3)).build_analyzer()
    for text in ["chest pain", "Pain of shoulder", "a b", "tubulo-interstitial  nephritis"]:
        assert char_ngrams(text) == analyzer(text)


def test_index_scores_word_order_variants() -> None:
    index = FuzzyIndex.load(icd10cm_dir() / "fuzzy-2026.npz")
    assert index is not None
    score, phrase = index.top("pain of shoulder", index.rows_with("shoulder"))[0]
    assert phrase == "shoulder pain" and score > 0.9


def test_edit_helpers() -> None:
    assert transposition("pian", "pain") and not transposition("pair", "pain")
    assert inner_indel("haematuria", "hematuria") and not inner_indel("afebrile", "febrile")
    assert one_edit("pair", "pain") and not one_edit("pain", "pain")


def test_fuzzy_can_be_switched_off(tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(default_model_dir(), model)
    meta = json.loads((model / "meta.json").read_text())
    meta["components"]["fuzzy"]["enabled"] = False
    (model / "meta.json").write_text(json.dumps(meta))
    mentions = Extractor(model).extract("Patient reports chest pian since yesterday.")
    assert all(m.source != "fuzzy" for m in mentions)


def test_a_full_word_memory_is_cleared_without_losing_a_notes_typos() -> None:
    extractor = Extractor(cache_size=0)
    text = "Patient reports chest pian since yesterday."
    assert [m.codes for m in extractor.extract(text) if m.source == "fuzzy"] == [["R07.9"]]
    linker = extractor.matcher.fuzzy
    linker._checked.update(f"filler{number}" for number in range(200_001))  # over the bound
    again = text + " Zqxwv noted."  # a new word, so that the memory is cleared on this note
    assert [m.codes for m in extractor.extract(again) if m.source == "fuzzy"] == [["R07.9"]]
    assert len(linker._checked) < 1_000
