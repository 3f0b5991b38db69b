"""The code lookup: the extractor's terms (abbreviations, lexicon, tabular and Index phrases) without spaCy."""

from __future__ import annotations

import pytest

from chartaudit.extract.lookup import SOURCE_LABELS, TermLookup
from chartaudit.extract.plain_tokens import PlainTokenizer
from chartaudit.knowledge import Icd10cm

#: (query, first code, source of the first hit): the examples of issue 13.
EXAMPLES = [
    ("afib", "I48.91", "abbreviation"),
    ("MI", "I21.9", "abbreviation"),
    ("heart attack", "I21.9", "lexicon"),
    ("CHF", "I50.9", "abbreviation"),
    ("thyromegaly", "E01.0", "index"),
    ("bedsore", "L89.9", "index"),
    ("RLQ pain", "R10.31", "index"),
    ("lazy eye", "H53.00", "lexicon"),
]


@pytest.fixture(scope="module")
def lookup() -> TermLookup:
    return TermLookup.load()


@pytest.mark.parametrize(("query", "code", "source"), EXAMPLES)
def test_a_phrase_or_abbreviation_the_extractor_knows_comes_first(lookup, query, code, source):
    hits = lookup.search(query, limit=15)
    assert (hits[0].code, hits[0].source) == (code, source)
    assert hits[0].description == Icd10cm.load().description(code)
    assert len({hit.code for hit in hits}) == len(hits)  # each code once
    assert all(hit.source in SOURCE_LABELS for hit in hits)


def test_an_abbreviation_is_not_read_as_the_start_of_a_title_word(lookup):
    codes = [hit.code for hit in lookup.search("afib", limit=15)]
    assert not any(code.startswith("O46") for code in codes)  # "afibrinogenemia"
    assert {"I48.0", "I48.20"} <= set(codes)  # the titles of the long form


def test_a_phrase_hit_brings_its_family_and_an_abbreviation_its_long_forms_titles(lookup):
    heart_attack = lookup.search("heart attack", limit=15)
    assert all(hit.code.startswith("I21") for hit in heart_attack)
    assert {hit.source for hit in heart_attack[1:]} == {"family"}
    assert [hit.code for hit in lookup.search("bedsore", limit=4)] == ["L89.9", "L89.90", "L89.91", "L89.92"]
    myocardial = lookup.search("MI", limit=15)
    assert "I25.2" in {hit.code for hit in myocardial if hit.source == "title"}  # old myocardial infarction


def test_sides_determiners_and_abbreviations_among_words_are_read_as_the_matcher_reads_them(lookup):
    assert lookup.search("right shoulder pain", limit=1)[0].code == "M25.511"
    assert lookup.search("pain in the left knee", limit=1)[0].code == "M25.562"
    assert lookup.search("right lower quadrant pain", limit=1)[0].code == "R10.31"  # literal before the side
    assert lookup.search("chronic afib", limit=1)[0].code == "I48.20"
    assert lookup.search("chf", limit=1)[0].code == "I50.9"  # another case, when no phrase matches
    assert lookup.search("PE", limit=1)[0].code.startswith("I26")
    assert not any(hit.source == "abbreviation" for hit in lookup.search("PE tube", limit=5))


def test_a_code_query_lists_codes_as_the_word_search_does(lookup):
    knowledge = Icd10cm.load()
    assert [(hit.code, hit.description) for hit in lookup.search("M25.5", limit=10)] == knowledge.search("M25.5", 10)
    assert [hit.code for hit in lookup.search("m25511")] == ["M25.511"]
    assert {hit.source for hit in lookup.search("M25.5")} == {"code"}
    assert lookup.search("", limit=5) == [] and lookup.search("afib", limit=0) == []
    assert lookup.search("qqzzxq") == []


def test_the_title_word_search_still_answers_words_no_phrase_equals(lookup):
    hits = lookup.search("shoulder pain right", limit=10)
    assert "M25.511" in {hit.code for hit in hits}
    assert {hit.source for hit in hits} == {"title"}


def test_lookup_agrees_with_the_extractor(checker, lookup):
    """The first hit of a phrase is the code the note check reads for the same words."""
    for query in ("afib", "CHF", "heart attack", "thyromegaly", "bedsore", "lazy eye", "RLQ pain", "chronic afib",
                  "kidney stones", "Alzheimer's disease", "type 2 diabetes with neuropathy", "right knee pain"):
        mentions = checker.extractor.extract(query)
        assert len(mentions) == 1, query
        assert lookup.search(query, limit=1)[0].code == mentions[0].codes[0], query


def test_the_plain_tokenizer_splits_as_the_pipelines_tokenizer(checker):
    """Same tokens as spaCy with the model's special cases, on the curated phrases, every title
    and typical queries (the phrases the lookup compares were split by spaCy)."""
    from chartaudit.extract.lexicon import Abbreviations, Lexicon

    model_dir = checker.extractor.model_dir
    abbreviations = Abbreviations.from_dir(model_dir)
    plain = PlainTokenizer(abbreviations.special_cases)
    knowledge = Icd10cm.load()
    texts = [phrase for phrase, _, _ in Lexicon.from_dir(model_dir).rows]
    texts += [*abbreviations.abbreviations, *(long for long, _ in abbreviations.abbreviations.values())]
    texts += ["s/p MI", "C3-C4 fusion", "Crohn's", "(acute) MI", "chest pain.", "HIV+", "25%", "h/o afib",
              "N/V/D", "a-fib", "Type-2 DM", "COVID-19", "e. coli", "L4-L5", "10mg", "O2 sat 88%",
              "and/or", "cannot", "Von Willebrand disease, type 2M"]
    tokenizer = checker.extractor.nlp.tokenizer
    differ = [text for text in texts if plain(text) != [token.text for token in tokenizer(text) if not token.is_space]]
    assert differ == []
    titles = [knowledge.description(code) for code in knowledge.codes()]
    titles = [title for title in titles if title]
    differ = [title for title in titles
              if plain(title) != [token for token in tokenizer.token_texts(title) if not token.isspace()]]
    assert differ == []
