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
