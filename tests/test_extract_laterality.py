"""Laterality: the side inside, before or after a mention, and side-specific codes."""

from __future__ import annotations

import pytest

from chartaudit.extract import Extractor
from chartaudit.extract.laterality.component import combine_sides


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def only(extractor: Extractor, text: str):
    mentions = extractor.extract(text)
    assert len(mentions) == 1, [mention.text for mention in mentions]
    return mentions[0]


@pytest.mark.parametrize(
    ("text", "side", "codes"),
    [
        ("pain in the right shoulder", "right", ["M25.511"]),  # inside
        ("R shoulder pain", "right", ["M25.511"]),  # before, case-sensitive R
        ("left shoulder pain", "left", ["M25.512"]),
        ("pain in the shoulder, left side", "left", ["M25.512"]),  # after
        ("knee pain on the right", "right", ["M25.561"]),
        ("shoulder pain bilaterally", "bilateral", ["M25.511", "M25.512"]),
        ("b/l knee pain", "bilateral", ["M25.561", "M25.562"]),
        ("right and left knee pain", "bilateral", ["M25.561", "M25.562"]),
        ("right-sided hip pain", "right", ["M25.551"]),
        ("shoulder pain", None, ["M25.51"]),  # no side: the family's parent
        ("shoulder pain, R.", "right", ["M25.511"]),  # an initial with its period, after a comma
        ("Shoulder pain, L. - impingement", "left", ["M25.512"]),
        ("RIGHT   SHOULDER   PAIN", "right", ["M25.511"]),  # runs of spaces
        ("shoulder pain   left", "left", ["M25.512"]),
    ],
)
def test_sides(extractor: Extractor, text: str, side: str | None, codes: list[str]) -> None:
    mention = only(extractor, text)
    assert mention.laterality == side
    assert mention.codes == codes


def test_side_with_its_own_bilateral_code(extractor: Extractor) -> None:
    assert only(extractor, "bilateral otitis media").codes == ["H66.93"]
    assert only(extractor, "right breast cancer").codes == ["C50.911"]


def test_side_does_not_cross_another_target(extractor: Extractor) -> None:
    mentions = extractor.extract("right knee pain and left hip pain")
    assert [(mention.text, mention.laterality, mention.codes) for mention in mentions] == [
        ("knee pain", "right", ["M25.561"]),
        ("hip pain", "left", ["M25.552"]),
    ]
    mentions = extractor.extract("knee pain, left hip pain")
    assert mentions[0].laterality is None


def test_side_does_not_cross_a_sentence(extractor: Extractor) -> None:
    assert only(extractor, "Shoulder pain. Left knee normal.").laterality is None


def test_literal_side_in_a_name_still_matches(extractor: Extractor) -> None:
    mention = only(extractor, "left bundle branch block")
    assert mention.codes == ["I44.7"]


def test_site(extractor: Extractor) -> None:
    assert only(extractor, "right knee pain").site == "knee"


def test_combine_sides() -> None:
    assert combine_sides([]) is None
    assert combine_sides(["left"]) == "left"
    assert combine_sides(["left", "right"]) == "bilateral"
    assert combine_sides(["bilateral", "left"]) == "bilateral"


def test_the_same_site_on_the_other_side_is_a_mention_of_its_own(extractor: Extractor) -> None:
    mentions = extractor.extract("A/P: Cellulitis of the left leg and possible right leg.")
    assert [(m.text, m.laterality, m.uncertain) for m in mentions] == [
        ("Cellulitis of the left leg", "left", False), ("right leg", "right", True)]
    mentions = extractor.extract("Pain in the right knee and left knee.")
    assert [(m.laterality, m.codes) for m in mentions] == [("right", ["M25.561"]), ("left", ["M25.562"])]
    assert len(extractor.extract("Pain in the right knee and the left hip.")) == 1  # another site: not a repeat
