"""The public Extractor contract: offsets, ordering, robustness, mentions' fields."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chartaudit.extract import Extractor
from chartaudit.types import Mention

NOTE = (
    "CC: CP, SOB\n"
    "HPI: 62 y/o with HTN, DM2 and afib c/o chest pain x 2 days. Denies fever.\n"
    "PMH: MI in 2019.\n"
    "FHx: mother with breast cancer.\n"
    "A/P: 1. Chest pain - r/o ACS. 2. R knee pain. Return if fever.\n"
)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_offsets_match_the_text(extractor: Extractor) -> None:
    mentions = extractor.extract(NOTE)
    assert len(mentions) >= 10
    for mention in mentions:
        assert isinstance(mention, Mention)
        assert NOTE[mention.start: mention.end] == mention.text
        assert mention.sentence_start <= mention.start < mention.end <= mention.sentence_end
    assert [mention.start for mention in mentions] == sorted(mention.start for mention in mentions)


def test_mention_fields(extractor: Extractor) -> None:
    mentions = {(mention.text, mention.section): mention for mention in extractor.extract(NOTE)}
    knee = mentions[("knee pain", "assessment_and_plan")]
    assert (knee.codes, knee.laterality, knee.site, knee.concept) == (["M25.561"], "right", "knee", "Pain in knee")
    assert mentions[("fever", "history_of_present_illness")].negated
    assert mentions[("MI", "past_medical_history")].historical
    assert mentions[("breast cancer", "family_history")].family
    assert mentions[("ACS", "assessment_and_plan")].uncertain
    assert mentions[("fever", "assessment_and_plan")].hypothetical
    assert mentions[("CP", "chief_complaint")].source == "abbreviation"
    assert mentions[("CP", "chief_complaint")].affirmed


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "\x00", "chest\x00pain", "\u200fdenies chest pain\u200f", "😀 chest pain 😀", "(((((", ")", "a" * 10],
)
def test_odd_inputs_do_not_raise(extractor: Extractor, text: str) -> None:
    for mention in extractor.extract(text):
        assert text[mention.start: mention.end] == mention.text


def test_emoji_and_rtl_offsets(extractor: Extractor) -> None:
    text = "😀\u200f afib 😀 chest pain"
    assert [(text[mention.start: mention.end], mention.codes) for mention in extractor.extract(text)] == [
        ("afib", ["I48.91"]),
        ("chest pain", ["R07.9"]),
    ]


def test_two_megabyte_note(extractor: Extractor) -> None:
    text = (NOTE + "Some filler text without findings (ok). " * 30 + "\n") * 1500
    assert len(text) > 2_000_000
    mentions = extractor.extract(text)
    assert len(mentions) > 9000
    last = mentions[-1]
    assert text[last.start: last.end] == last.text


def test_non_str_is_a_type_error(extractor: Extractor) -> None:
    with pytest.raises(TypeError):
        extractor.extract(None)  # type: ignore[arg-type]


def test_pipe_matches_extract(extractor: Extractor) -> None:
    texts = [NOTE, "", "No fever."]
    assert list(extractor.pipe(texts)) == [extractor.extract(text) for text in texts]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                ["chest pain", "denies", " SOB", "HTN", "(", ")", "PE:", "\n", "right", "knee pain", "A/P:", ".", "c/o", "b/l"]
            ),
        ),
        max_size=25,
    ).map("".join)
)
def test_extract_never_raises_and_offsets_are_in_range(extractor: Extractor, text: str) -> None:
    for mention in extractor.extract(text):
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start: mention.end] == mention.text
        assert 0 <= mention.sentence_start <= mention.start
        assert mention.end <= mention.sentence_end <= len(text)


CACHED_NOTE = "Denies chest pain. Right shoulder pain for 2 weeks. History of hypertension."


def _counting(extractor: Extractor) -> list[int]:
    """Count the pipeline runs of an extractor (wraps its nlp in the instance)."""
    runs = [0]
    pipeline = extractor.nlp

    class Counting:
        def __call__(self, *args, **kwargs):
            runs[0] += 1
            return pipeline(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(pipeline, name)

    extractor.nlp = Counting()  # type: ignore[assignment]
    return runs


def test_the_same_note_is_read_once() -> None:
    extractor = Extractor(cache_size=2)
    runs = _counting(extractor)
    first = extractor.extract(CACHED_NOTE)
    again = extractor.extract(CACHED_NOTE)
    assert runs[0] == 1
    assert again == first and again is not first
    extractor.extract(CACHED_NOTE + " ")  # another text: read
    assert runs[0] == 2


def test_cached_mentions_are_copies() -> None:
    extractor = Extractor(cache_size=2)
    first = extractor.extract(CACHED_NOTE)
    expected = [(m.text, list(m.codes), m.negated) for m in first]
    first[0].negated = not first[0].negated
    first[0].codes.append("Z00.00")
    assert [(m.text, list(m.codes), m.negated) for m in extractor.extract(CACHED_NOTE)] == expected


def test_cache_is_bounded_and_can_be_turned_off() -> None:
    extractor = Extractor(cache_size=2)
    runs = _counting(extractor)
    for text in (CACHED_NOTE, CACHED_NOTE + " a", CACHED_NOTE + " b", CACHED_NOTE):  # the first was dropped
        extractor.extract(text)
    assert runs[0] == 4 and len(extractor._cache) == 2
    off = Extractor(cache_size=0)
    off_runs = _counting(off)
    off.extract(CACHED_NOTE)
    off.extract(CACHED_NOTE)
    assert off_runs[0] == 2


def test_add_terms_clears_the_cache() -> None:
    extractor = Extractor(cache_size=4)
    text = "Tummy ache since this morning."
    before = extractor.extract(text)
    extractor.add_terms({"tummy ache": "R10.9"})
    after = extractor.extract(text)
    assert not any("R10.9" in m.codes for m in before)
    assert any("R10.9" in m.codes for m in after)
